/*
 * text.c: display widths, text and key checks, and the csv, tsv and table
 * writers (doc/design.md, "Conventions").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "tap.h"

static void
width_is(const char *s, size_t want, const char *name)
{
	is_int((int64_t)pp__text_width(s), (int64_t)want, name);
}

static void
test_width(void)
{
	width_is("", 0, "width of \"\"");
	width_is("a", 1, "width of ASCII letter");
	width_is("abc 12", 6, "width of ASCII");
	width_is("张", 2, "width of one CJK character");
	width_is("张三", 4, "width of 张三");
	width_is("王小二", 6, "width of 王小二");
	width_is("a张b", 4, "mixed ASCII and CJK");
	width_is("１２", 4, "full-width digits are 2 each");
	width_is("１２．３０", 10, "full-width digits and point");
	width_is("Ａ", 2, "full-width Latin letter");
	width_is("，", 2, "full-width comma");
	width_is("、。", 4, "CJK punctuation");
	width_is("한국", 4, "Hangul");
	width_is("カナ", 4, "Katakana");
	width_is("é", 1, "precomposed é");
	width_is("e\xCC\x81", 1, "e + combining acute");
	width_is("¥", 1, "yen sign is narrow");
	width_is("壹仟肆佰零玖元伍角", 18, "RMB uppercase");
	width_is("010107072A", 10, "a meter number");
}

static void
text_ok(const char *s, size_t max, const char *name)
{
	char err[PP_ERRMAX] = "";
	int rc = pp__text_check("remark", s, max, err, sizeof(err));

	if (!ok(rc == PP_OK, "text check accepts %s", name))
		diag("rc %d, err \"%s\"", rc, err);
}

static void
text_bad(const char *s, size_t max, const char *name)
{
	char err[PP_ERRMAX] = "";
	int rc = pp__text_check("remark", s, max, err, sizeof(err));

	if (!ok(rc == PP_EDATA && strstr(err, "remark") != NULL,
	    "text check refuses %s", name))
		diag("rc %d, err \"%s\"", rc, err);
}

static void
test_text_check(void)
{
	char big[PP_TEXTMAX + 2];

	text_ok("", PP_TEXTMAX, "empty");
	text_ok("hello, world", PP_TEXTMAX, "ASCII");
	text_ok("张三 paid 12.30 元", PP_TEXTMAX, "CJK");
	text_ok("１２．３０", PP_TEXTMAX, "full-width digits");
	text_ok("emoji \xF0\x9F\x98\x80", PP_TEXTMAX, "a 4-byte character");
	text_ok("\xF4\x8F\xBF\xBF", PP_TEXTMAX, "U+10FFFF");
	text_bad("\xFF", PP_TEXTMAX, "byte FF");
	text_bad("abc\x80", PP_TEXTMAX, "a lone continuation byte");
	text_bad("\xC3", PP_TEXTMAX, "a cut 2-byte sequence");
	text_bad("\xE5\xBC", PP_TEXTMAX, "a cut 3-byte sequence");
	text_bad("\xE5\xBC" "x", PP_TEXTMAX, "a broken 3-byte sequence");
	text_bad("\xC0\xAF", PP_TEXTMAX, "an overlong 2-byte /");
	text_bad("\xE0\x80\xAF", PP_TEXTMAX, "an overlong 3-byte /");
	text_bad("\xF0\x80\x80\xAF", PP_TEXTMAX, "an overlong 4-byte /");
	text_bad("\xED\xA0\x80", PP_TEXTMAX, "a UTF-16 surrogate");
	text_bad("\xF4\x90\x80\x80", PP_TEXTMAX, "above U+10FFFF");
	text_bad("\xF5\x80\x80\x80", PP_TEXTMAX, "byte F5");
	text_bad("a\tb", PP_TEXTMAX, "a tab");
	text_bad("a\nb", PP_TEXTMAX, "a newline");
	text_bad("a\rb", PP_TEXTMAX, "a CR");
	text_bad("a\x1b[31m", PP_TEXTMAX, "an escape");
	text_bad("a\x7f", PP_TEXTMAX, "DEL");
	text_bad("\x01", PP_TEXTMAX, "^A");
	text_bad("a\xC2\x85" "b", PP_TEXTMAX, "U+0085, a C1 control (NEL)");
	text_bad("\xC2\x9B" "31m", PP_TEXTMAX, "U+009B, a C1 control (CSI)");

	/* Length is in bytes: at most max-1. */
	text_ok("abc", 4, "3 bytes with max 4");
	text_bad("abcd", 4, "4 bytes with max 4");
	text_ok("张", 4, "one CJK (3 bytes) with max 4");
	text_bad("张三", 6, "two CJK (6 bytes) with max 6");
	text_ok("张三", 7, "two CJK (6 bytes) with max 7");
	memset(big, 'x', sizeof(big));
	big[PP_TEXTMAX - 1] = '\0';
	text_ok(big, PP_TEXTMAX, "PP_TEXTMAX-1 bytes");
	big[PP_TEXTMAX - 1] = 'x';
	big[PP_TEXTMAX] = '\0';
	text_bad(big, PP_TEXTMAX, "PP_TEXTMAX bytes");
}

static void
key_ok(const char *s, const char *name)
{
	char err[PP_ERRMAX] = "";
	int rc = pp__key_check("meter", s, PP_KEYMAX, err, sizeof(err));

	if (!ok(rc == PP_OK, "key check accepts %s", name))
		diag("rc %d, err \"%s\"", rc, err);
}

static void
key_bad(const char *s, const char *name)
{
	char err[PP_ERRMAX] = "";
	int rc = pp__key_check("meter", s, PP_KEYMAX, err, sizeof(err));

	if (!ok(rc == PP_EDATA && strstr(err, "meter") != NULL,
	    "key check refuses %s", name))
		diag("rc %d, err \"%s\"", rc, err);
}

static void
test_key_check(void)
{
	char k[PP_KEYMAX + 1];

	key_ok("010107072A", "a hex meter number");
	key_ok("A-01_b.c", "letters, digits, - _ .");
	key_ok("x", "one letter");
	key_ok("0", "one digit");
	key_ok("_a", "a leading underscore");
	key_ok("a-", "a trailing minus");
	key_bad("", "empty");
	key_bad("a b", "a space");
	key_bad(" a", "a leading space");
	key_bad("a;b", "a semicolon");
	key_bad("a/b", "a slash");
	key_bad("a,b", "a comma");
	key_bad("a\"b", "a quote");
	key_bad("a\tb", "a tab");
	key_bad("张三", "CJK");
	key_bad("１２", "full-width digits");
	key_bad("-a", "a leading minus");
	key_bad(".a", "a leading dot");
	key_bad("\xFF", "invalid UTF-8");
	memset(k, 'a', sizeof(k));
	k[PP_KEYMAX - 1] = '\0';
	key_ok(k, "PP_KEYMAX-1 characters");
	k[PP_KEYMAX - 1] = 'a';
	k[PP_KEYMAX] = '\0';
	key_bad(k, "PP_KEYMAX characters");
}

/* Write rows with a writer into a temporary file and read it all back. */
static char *
render(enum pp_format fmt, int bom, const pp_column *cols, size_t ncols,
    const char *const *cells, size_t nrows, int *row_rc, int *close_rc,
    char *err, size_t errlen)
{
	FILE *fp = tmpfile();
	pp_out *o = NULL;
	char *buf = NULL;
	long len;
	size_t r;
	int rc;

	*row_rc = *close_rc = PP_OK;
	err[0] = '\0';
	if (fp == NULL)
		return NULL;
	if ((rc = pp_out_open(&o, fmt, fp, NULL, bom, cols, ncols, err,
	    errlen)) != PP_OK) {
		*close_rc = rc;
		fclose(fp);
		return NULL;
	}
	for (r = 0; r < nrows; r++)
		if ((rc = pp_out_row(o, cells + r * ncols)) != PP_OK &&
		    *row_rc == PP_OK) {
			*row_rc = rc;
			snprintf(err, errlen, "%s", pp_out_error(o));
		}
	*close_rc = pp_out_close(o, err, errlen);
	fflush(fp);
	len = ftell(fp);
	if (len >= 0 && (buf = calloc(1, (size_t)len + 1)) != NULL) {
		rewind(fp);
		if (fread(buf, 1, (size_t)len, fp) != (size_t)len) {
			free(buf);
			buf = NULL;
		}
	}
	fclose(fp);
	return buf;
}

static void
out_is(enum pp_format fmt, int bom, const pp_column *cols, size_t ncols,
    const char *const *cells, size_t nrows, const char *want,
    const char *name)
{
	char err[PP_ERRMAX];
	int row_rc, close_rc;
	char *got = render(fmt, bom, cols, ncols, cells, nrows, &row_rc,
	    &close_rc, err, sizeof(err));

	if (row_rc != PP_OK || close_rc != PP_OK) {
		ok(0, "%s", name);
		diag("row rc %d, close rc %d, err \"%s\"", row_rc, close_rc,
		    err);
	} else
		is_str(got, want, name);
	free(got);
}

static const pp_column cols3[] = {
	{ "name", PP_COL_TEXT },
	{ "amount", PP_COL_MONEY },
	{ "remark", PP_COL_TEXT },
};

static void
test_csv_out(void)
{
	static const char *const rows[] = {
		"张三", "12.30", "a,b",
		"李四", "-0.05", "say \"hi\"",
		"x", "1.00", "two\nlines",
		" lead", "0.00", "trail ",
		NULL, "", "plain",
		"cr", "2.00", "a\rb",
		"in side", "3.00", "\"",
	};

	out_is(PP_FMT_CSV, 0, cols3, 3, rows, 7,
	    "name,amount,remark\n"
	    "张三,12.30,\"a,b\"\n"
	    "李四,-0.05,\"say \"\"hi\"\"\"\n"
	    "x,1.00,\"two\nlines\"\n"
	    "\" lead\",0.00,\"trail \"\n"
	    ",,plain\n"
	    "cr,2.00,\"a\rb\"\n"
	    "in side,3.00,\"\"\"\"\n",
	    "CSV: RFC 4180 quoting");
	out_is(PP_FMT_CSV, 0, cols3, 3, rows, 0, "name,amount,remark\n",
	    "CSV: the header even with no rows");
	out_is(PP_FMT_CSV, 1, cols3, 3, rows, 1,
	    "\xEF\xBB\xBFname,amount,remark\n张三,12.30,\"a,b\"\n",
	    "CSV: --bom writes a BOM first");
	out_is(PP_FMT_CSV, 1, cols3, 3, rows, 0,
	    "\xEF\xBB\xBFname,amount,remark\n",
	    "CSV: BOM and header with no rows");
	/* Not a terminal: AUTO is CSV. */
	out_is(PP_FMT_AUTO, 0, cols3, 3, rows, 1,
	    "name,amount,remark\n张三,12.30,\"a,b\"\n",
	    "AUTO to a file is CSV");
}

static void
test_tsv_out(void)
{
	static const char *const rows[] = {
		"张三", "12.30", "a,b \"q\"",
		NULL, "1.00", "",
	};
	static const char *const tab[] = { "x", "1.00", "a\tb" };
	static const char *const nl[] = { "x", "1.00", "a\nb" };
	static const char *const cr[] = { "x\r", "1.00", "" };
	static const char *const both[] = {
		"ok", "1.00", "fine",
		"bad", "2.00", "a\tb",
	};
	char err[PP_ERRMAX], *got;
	int row_rc, close_rc;

	out_is(PP_FMT_TSV, 0, cols3, 3, rows, 2,
	    "name\tamount\tremark\n"
	    "张三\t12.30\ta,b \"q\"\n"
	    "\t1.00\t\n",
	    "TSV: no quoting");
	out_is(PP_FMT_TSV, 0, cols3, 3, rows, 0, "name\tamount\tremark\n",
	    "TSV: the header even with no rows");

	got = render(PP_FMT_TSV, 0, cols3, 3, tab, 1, &row_rc, &close_rc,
	    err, sizeof(err));
	ok(row_rc == PP_EDATA && strstr(err, "remark") != NULL,
	    "TSV refuses a value with a tab (%s)", err);
	ok(got != NULL && strstr(got, "a\tb") == NULL,
	    "TSV: the refused value is not written");
	free(got);
	got = render(PP_FMT_TSV, 0, cols3, 3, nl, 1, &row_rc, &close_rc,
	    err, sizeof(err));
	ok(row_rc == PP_EDATA, "TSV refuses a value with a newline (%s)", err);
	free(got);
	got = render(PP_FMT_TSV, 0, cols3, 3, cr, 1, &row_rc, &close_rc,
	    err, sizeof(err));
	ok(row_rc == PP_EDATA && strstr(err, "name") != NULL,
	    "TSV refuses a value with a CR (%s)", err);
	free(got);
	got = render(PP_FMT_TSV, 0, cols3, 3, both, 2, &row_rc, &close_rc,
	    err, sizeof(err));
	ok(row_rc == PP_EDATA && got != NULL &&
	    strcmp(got, "name\tamount\tremark\nok\t1.00\tfine\n") == 0,
	    "TSV: a refused row leaves no partial line");
	free(got);
}

static void
test_table_out(void)
{
	static const char *const rows[] = {
		"张三", "12.30", "ok",
		"Bob", "-0.05", "x",
		"王小二", NULL, "z",
	};
	static const pp_column kcols[] = {
		{ "meter", PP_COL_TEXT },
		{ "energy_kwh", PP_COL_KWH },
	};
	static const char *const krows[] = {
		"m1", "1.50",
		"张三的表", "12345.00",
	};

	/*
	 * Widths: name 6 (王小二), amount 6 ("amount"), remark 6 ("remark").
	 * Text is left-aligned, numbers right-aligned, columns are separated
	 * by two spaces, and the last column is not padded.
	 */
	out_is(PP_FMT_TABLE, 0, cols3, 3, rows, 3,
	    "name    amount  remark\n"
	    "------  ------  ------\n"
	    "张三     12.30  ok\n"
	    "Bob      -0.05  x\n"
	    "王小二          z\n",
	    "table: CJK names line up");
	out_is(PP_FMT_TABLE, 0, cols3, 3, rows, 0,
	    "name  amount  remark\n"
	    "----  ------  ------\n",
	    "table: the header even with no rows");
	/* A number in the last column is right-aligned. */
	out_is(PP_FMT_TABLE, 0, kcols, 2, krows, 2,
	    "meter     energy_kwh\n"
	    "--------  ----------\n"
	    "m1              1.50\n"
	    "张三的表    12345.00\n",
	    "table: numbers right-aligned in the last column");
	/* The table ignores --bom: it is for a terminal. */
}

static void
test_misc_out(void)
{
	enum pp_format f = PP_FMT_AUTO;
	char err[PP_ERRMAX] = "", dir[] = "/tmp/pp-text-XXXXXX", path[256];
	static const char *const row[] = { "张三", "12.30", "ok" };
	pp_out *o = NULL;
	FILE *fp;
	int rc;

	ok(pp_format_parse("csv", &f) == PP_OK && f == PP_FMT_CSV,
	    "format csv");
	ok(pp_format_parse("tsv", &f) == PP_OK && f == PP_FMT_TSV,
	    "format tsv");
	ok(pp_format_parse("table", &f) == PP_OK && f == PP_FMT_TABLE,
	    "format table");
	ok(pp_format_parse("xlsx", &f) == PP_OK && f == PP_FMT_XLSX,
	    "format xlsx");
	ok(pp_format_parse("json", &f) == PP_EUSAGE, "format json refused");
	ok(pp_format_parse("CSV", &f) == PP_EUSAGE, "format CSV refused");
	ok(pp_format_parse("", &f) == PP_EUSAGE, "format \"\" refused");

	/* Rows are counted. */
	if ((fp = tmpfile()) != NULL) {
		rc = pp_out_open(&o, PP_FMT_CSV, fp, NULL, 0, cols3, 3, err,
		    sizeof(err));
		if (ok(rc == PP_OK, "open csv")) {
			pp_out_row(o, row);
			pp_out_row(o, row);
			is_int((int64_t)pp__out_rows(o), 2, "csv: 2 rows");
			ok(pp_out_close(o, err, sizeof(err)) == PP_OK,
			    "csv: close");
		}
		rewind(fp);
		rc = pp_out_open(&o, PP_FMT_TABLE, fp, NULL, 0, cols3, 3, err,
		    sizeof(err));
		if (ok(rc == PP_OK, "open table")) {
			pp_out_row(o, row);
			is_int((int64_t)pp__out_rows(o), 1, "table: 1 row");
			ok(pp_out_close(o, err, sizeof(err)) == PP_OK,
			    "table: close");
		}
		fclose(fp);
	}

	/* xlsx needs a file name. */
	rc = pp_out_open(&o, PP_FMT_XLSX, stdout, NULL, 0, cols3, 3, err,
	    sizeof(err));
	ok(rc == PP_EUSAGE && o == NULL, "xlsx without a file: usage (%s)",
	    err);
	if (mkdtemp(dir) != NULL) {
		char magic[2] = "";

		snprintf(path, sizeof(path), "%s/out.xlsx", dir);
		rc = pp_out_open(&o, PP_FMT_XLSX, stdout, path, 0, cols3, 3,
		    err, sizeof(err));
		if (ok(rc == PP_OK, "open xlsx")) {
			pp_out_row(o, row);
			rc = pp_out_close(o, err, sizeof(err));
			ok(rc == PP_OK, "xlsx: close (%s)", rc ? err : "");
		}
		if ((fp = fopen(path, "rb")) != NULL) {
			if (fread(magic, 1, 2, fp) != 2)
				magic[0] = '\0';
			fclose(fp);
		}
		ok(magic[0] == 'P' && magic[1] == 'K',
		    "xlsx: a zip file was written");
		unlink(path);
		rmdir(dir);
	}
}

static void
fix_is(const char *s, const char *want, const char *name)
{
	char *got = NULL;

	ok(pp__utf8_fix(s, &got) == PP_OK, "%s: fixed", name);
	if (want == NULL)
		ok(got == NULL, "%s: valid already, no copy", name);
	else
		is_str(got ? got : "(none)", want, name);
	free(got);
}

static void
test_utf8_fix(void)
{
	fix_is("", NULL, "utf8_fix of \"\"");
	fix_is("张三 A1", NULL, "utf8_fix of valid text");
	fix_is("A\xff\xfe" "B", "A\xef\xbf\xbd\xef\xbf\xbd" "B",
	    "utf8_fix: each bad byte is U+FFFD");
	fix_is("\xe5\xbc" "x", "\xef\xbf\xbd\xef\xbf\xbd" "x",
	    "utf8_fix: a cut sequence, byte by byte");
	fix_is("\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd",
	    "utf8_fix: an overlong slash");
	fix_is("\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd",
	    "utf8_fix: a surrogate");
	fix_is("\xff", "\xef\xbf\xbd", "utf8_fix: one bad byte alone");
}

int
main(void)
{
	test_width();
	test_utf8_fix();
	test_text_check();
	test_key_check();
	test_csv_out();
	test_tsv_out();
	test_table_out();
	test_misc_out();
	return done_testing();
}
