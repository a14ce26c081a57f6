/*
 * csv.c: input lists in CSV or TSV, matched by column name (doc/design.md, "Conventions").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "tap.h"

/* A read stream over a copy of s (tmpfile, so that "" works too). */
static FILE *
input(const char *s, size_t len)
{
	FILE *fp = tmpfile();

	if (fp == NULL)
		return NULL;
	if (len && fwrite(s, 1, len, fp) != len) {
		fclose(fp);
		return NULL;
	}
	rewind(fp);
	return fp;
}

struct src {
	FILE	*fp;
	pp_csv	*r;
	int	 rc;
	char	 err[PP_ERRMAX];
};

static int
src_open(struct src *s, const char *text)
{
	memset(s, 0, sizeof(*s));
	if ((s->fp = input(text, strlen(text))) == NULL) {
		s->rc = -1;
		snprintf(s->err, sizeof(s->err), "tmpfile");
		return -1;
	}
	s->rc = pp_csv_open(&s->r, s->fp, "in.csv", s->err, sizeof(s->err));
	return s->rc;
}

static void
src_close(struct src *s)
{
	pp_csv_close(s->r);
	if (s->fp)
		fclose(s->fp);
	memset(s, 0, sizeof(*s));
}

/* The next row is ready, at this line. */
static int
row_at(struct src *s, long line, const char *name)
{
	int rc = pp_csv_next(s->r);

	if (!ok(rc == 1 && pp_csv_line(s->r) == line, "%s: a row at line %ld",
	    name, line)) {
		diag("rc %d, line %ld, error \"%s\"", rc, pp_csv_line(s->r),
		    pp_csv_error(s->r));
		return 0;
	}
	return 1;
}

static void
at_end(struct src *s, const char *name)
{
	int rc = pp_csv_next(s->r);

	if (!ok(rc == 0, "%s: then the end", name))
		diag("rc %d, error \"%s\"", rc, pp_csv_error(s->r));
}

static void
get_is(struct src *s, const char *col, const char *want, const char *name)
{
	char n[256];

	snprintf(n, sizeof(n), "%s: %s", name, col);
	is_str(pp__csv_get(s->r, col), want, n);
}

static void
test_header(void)
{
	struct src s;
	const char *t = "header";

	if (!ok(src_open(&s, "meter,amount,extra,account\n"
	    "m1,12.30,x,A1\n"
	    "m2,5,y,A2\n") == PP_OK, "%s: open", t)) {
		diag("%s", s.err);
		src_close(&s);
		return;
	}
	is_int(pp_csv_is_tsv(s.r), 0, "header: CSV, not TSV");
	is_int((int64_t)pp_csv_ncolumns(s.r), 4, "header: 4 columns");
	is_str(pp_csv_column(s.r, 0), "meter", "header: column 0");
	is_str(pp_csv_column(s.r, 3), "account", "header: column 3");
	is_str(pp_csv_column(s.r, 4), NULL, "header: no column 4");
	ok(pp__csv_has(s.r, "account") && pp__csv_has(s.r, "extra") &&
	    !pp__csv_has(s.r, "name") && !pp__csv_has(s.r, "Account"),
	    "header: pp__csv_has");
	if (row_at(&s, 2, t)) {
		get_is(&s, "account", "A1", "row 1");
		get_is(&s, "amount", "12.30", "row 1");
		get_is(&s, "meter", "m1", "row 1");
		get_is(&s, "name", NULL, "row 1 (missing column)");
		is_str(pp_csv_field(s.r, 2), "x", "row 1: field 2");
	}
	if (row_at(&s, 3, t)) {
		get_is(&s, "account", "A2", "row 2");
		get_is(&s, "amount", "5", "row 2");
	}
	at_end(&s, t);
	at_end(&s, "header, again");
	src_close(&s);
}

static void
test_quoted(void)
{
	struct src s;
	const char *t = "quoted";

	if (!ok(src_open(&s, "id,text,more\n"
	    "1,\"x, y\",\"say \"\"hi\"\"\"\n"
	    "2,\"line1\nline2\n\nline4\",z\n"
	    "3,p,\"\"\n"
	    "4,\"a,\"\"b\"\"\nc\",\"\"\"\"\n"
	    "5,end,\n") == PP_OK, "%s: open", t)) {
		diag("%s", s.err);
		src_close(&s);
		return;
	}
	if (row_at(&s, 2, t)) {
		get_is(&s, "text", "x, y", "comma inside quotes");
		get_is(&s, "more", "say \"hi\"", "doubled quotes");
	}
	if (row_at(&s, 3, t)) {
		get_is(&s, "text", "line1\nline2\n\nline4",
		    "newlines and a blank line inside quotes");
		get_is(&s, "more", "z", "after the quoted newlines");
	}
	if (row_at(&s, 7, t)) {
		get_is(&s, "id", "3", "the row after a 4-line record");
		get_is(&s, "more", "", "\"\" is empty");
	}
	if (row_at(&s, 8, t)) {
		get_is(&s, "text", "a,\"b\"\nc", "all three at once");
		get_is(&s, "more", "\"", "a lone quote");
	}
	if (row_at(&s, 10, t))
		get_is(&s, "more", "", "a trailing empty field");
	at_end(&s, t);
	src_close(&s);
}

static void
test_crlf(void)
{
	struct src s;
	const char *t = "CRLF";

	if (!ok(src_open(&s, "account,amount\r\n"
	    "A1,1.00\r\n"
	    "\r\n"
	    "A2,\"two\r\nlines\"\r\n"
	    "A3,3\r\n") == PP_OK, "%s: open", t)) {
		diag("%s", s.err);
		src_close(&s);
		return;
	}
	ok(pp__csv_has(s.r, "amount"), "CRLF: the last header name has no CR");
	if (row_at(&s, 2, t)) {
		get_is(&s, "account", "A1", "CRLF row 1");
		get_is(&s, "amount", "1.00", "CRLF row 1 (no CR)");
	}
	if (row_at(&s, 4, t))
		get_is(&s, "amount", "two\r\nlines", "CRLF inside quotes kept");
	if (row_at(&s, 6, t))
		get_is(&s, "amount", "3", "CRLF row 3");
	at_end(&s, t);
	src_close(&s);
}

static void
test_bom(void)
{
	struct src s;
	const char *t = "BOM";

	if (!ok(src_open(&s, "\xEF\xBB\xBF" "account,name\nA1,张三\n") ==
	    PP_OK, "%s: open", t)) {
		diag("%s", s.err);
		src_close(&s);
		return;
	}
	is_str(pp_csv_column(s.r, 0), "account", "BOM: stripped from the "
	    "first column name");
	if (row_at(&s, 2, t)) {
		get_is(&s, "account", "A1", "BOM row");
		get_is(&s, "name", "张三", "BOM row");
	}
	at_end(&s, t);
	src_close(&s);

	/* A BOM on a TSV file too. */
	if (ok(src_open(&s, "\xEF\xBB\xBF" "account\tname\nA1\t张三\n") ==
	    PP_OK, "BOM+TSV: open")) {
		ok(pp_csv_is_tsv(s.r), "BOM+TSV: TSV");
		is_str(pp_csv_column(s.r, 0), "account", "BOM+TSV: column 0");
		if (row_at(&s, 2, "BOM+TSV"))
			get_is(&s, "name", "张三", "BOM+TSV row");
	}
	src_close(&s);
}

static void
test_tsv(void)
{
	struct src s;
	const char *t = "TSV";

	if (!ok(src_open(&s, "account\tname\tremark\n"
	    "A1\t\"quoted\"\ta,b\n"
	    "A2\tsay \"hi\"\t\"\n"
	    "A3\t\t\n") == PP_OK, "%s: open", t)) {
		diag("%s", s.err);
		src_close(&s);
		return;
	}
	is_int(pp_csv_is_tsv(s.r), 1, "TSV: a tab in the header");
	is_int((int64_t)pp_csv_ncolumns(s.r), 3, "TSV: 3 columns");
	if (row_at(&s, 2, t)) {
		get_is(&s, "name", "\"quoted\"", "TSV: quotes are ordinary");
		get_is(&s, "remark", "a,b", "TSV: a comma is ordinary");
	}
	if (row_at(&s, 3, t)) {
		get_is(&s, "name", "say \"hi\"", "TSV: inner quotes");
		get_is(&s, "remark", "\"", "TSV: a lone quote");
	}
	if (row_at(&s, 4, t)) {
		get_is(&s, "name", "", "TSV: empty field");
		get_is(&s, "remark", "", "TSV: empty last field");
	}
	at_end(&s, t);
	src_close(&s);

	/* A comma in a CSV header does not make it TSV; a tab in data does
	 * not either. */
	if (ok(src_open(&s, "a,b\n1,x\ty\n") == PP_OK, "CSV with a tab in "
	    "data: open")) {
		is_int(pp_csv_is_tsv(s.r), 0, "CSV with a tab in data: CSV");
		if (row_at(&s, 2, "CSV with a tab in data"))
			get_is(&s, "b", "x\ty", "CSV: a tab is data");
	}
	src_close(&s);
}

static void
test_empty(void)
{
	struct src s;

	ok(src_open(&s, "") == PP_EDATA && s.r == NULL && s.err[0],
	    "empty input is an error (%s)", s.err);
	src_close(&s);
	ok(src_open(&s, "\xEF\xBB\xBF") == PP_EDATA && s.r == NULL && s.err[0],
	    "only a BOM is an error (%s)", s.err);
	src_close(&s);
	ok(src_open(&s, "\n\n") == PP_EDATA && s.r == NULL && s.err[0],
	    "only blank lines is an error (%s)", s.err);
	src_close(&s);

	/* A header and no rows is fine: no rows. */
	if (ok(src_open(&s, "account,amount\n") == PP_OK, "header only: open"))
		at_end(&s, "header only");
	src_close(&s);
	if (ok(src_open(&s, "account,amount") == PP_OK,
	    "header without a newline: open")) {
		is_int((int64_t)pp_csv_ncolumns(s.r), 2,
		    "header without a newline: 2 columns");
		at_end(&s, "header without a newline");
	}
	src_close(&s);
}

static void
test_too_many(void)
{
	struct src s;
	int rc;

	if (!ok(src_open(&s, "a,b\n1,2\n1,2,3\n4,5\n") == PP_OK,
	    "too many fields: open")) {
		src_close(&s);
		return;
	}
	row_at(&s, 2, "too many fields");
	rc = pp_csv_next(s.r);
	ok(rc == PP_EDATA, "3 fields under a 2-column header is an error "
	    "(rc %d)", rc);
	if (!ok(strstr(pp_csv_error(s.r), "line 3") != NULL,
	    "the error names line 3"))
		diag("error \"%s\"", pp_csv_error(s.r));
	src_close(&s);

	/* Line numbers count the lines inside quotes. */
	if (!ok(src_open(&s, "a,b\n\"x\ny\",2\n\n1,2,3\n") == PP_OK,
	    "too many fields after a quoted newline: open")) {
		src_close(&s);
		return;
	}
	row_at(&s, 2, "too many fields after a quoted newline");
	rc = pp_csv_next(s.r);
	ok(rc == PP_EDATA && strstr(pp_csv_error(s.r), "line 5") != NULL,
	    "the error names line 5 (rc %d, \"%s\")", rc, pp_csv_error(s.r));
	src_close(&s);
}

static void
test_duplicate(void)
{
	struct src s;

	ok(src_open(&s, "account,amount,account\nA,1,B\n") == PP_EDATA &&
	    s.r == NULL && strstr(s.err, "account") != NULL,
	    "a column twice in the header is an error (%s)", s.err);
	src_close(&s);
	ok(src_open(&s, "a\tb\tb\n1\t2\t3\n") == PP_EDATA && s.r == NULL,
	    "TSV too (%s)", s.err);
	src_close(&s);
}

static void
test_short(void)
{
	struct src s;
	const char *t = "short row";

	if (!ok(src_open(&s, "a,b,c\n1\n1,2\n") == PP_OK, "%s: open", t)) {
		src_close(&s);
		return;
	}
	if (row_at(&s, 2, t)) {
		get_is(&s, "a", "1", "short row 1");
		get_is(&s, "b", "", "short row 1 (missing field)");
		get_is(&s, "c", "", "short row 1 (missing field)");
		get_is(&s, "d", NULL, "short row 1 (missing column)");
		is_str(pp_csv_field(s.r, 2), "", "short row 1: field 2");
	}
	if (row_at(&s, 3, t)) {
		get_is(&s, "b", "2", "short row 2");
		get_is(&s, "c", "", "short row 2 (missing field)");
	}
	at_end(&s, t);
	src_close(&s);
}

static void
test_blank(void)
{
	struct src s;
	const char *t = "blank lines";

	if (!ok(src_open(&s, "a,b\n\n1,2\n\n\n3,4\n\r\n5,6\n\n") == PP_OK,
	    "%s: open", t)) {
		src_close(&s);
		return;
	}
	if (row_at(&s, 3, t))
		get_is(&s, "a", "1", "blank lines row 1");
	if (row_at(&s, 6, t))
		get_is(&s, "a", "3", "blank lines row 2");
	if (row_at(&s, 8, t))
		get_is(&s, "a", "5", "blank lines row 3");
	at_end(&s, t);
	src_close(&s);

	/* A blank line right after the header. */
	t = "blank line after a BOM header";
	if (ok(src_open(&s, "\xEF\xBB\xBF" "a\n\n7\n") == PP_OK, "%s: open",
	    t) && row_at(&s, 3, t)) {
		get_is(&s, "a", "7", t);
		at_end(&s, t);
	}
	src_close(&s);

	/* A line of spaces is blank too, and line numbers stay right. */
	t = "a line of spaces";
	if (!ok(src_open(&s, "a,b\n1,2\n   \n3,4\n") == PP_OK, "%s: open", t)) {
		src_close(&s);
		return;
	}
	row_at(&s, 2, t);
	if (row_at(&s, 4, t))
		get_is(&s, "a", "3", t);
	at_end(&s, t);
	src_close(&s);
}

static void
test_malformed(void)
{
	struct src s;
	int rc;

	if (ok(src_open(&s, "a,b\n1,2\n3,\"open\n") == PP_OK,
	    "unterminated quote: open")) {
		row_at(&s, 2, "unterminated quote");
		rc = pp_csv_next(s.r);
		ok(rc == PP_EDATA && strstr(pp_csv_error(s.r), "line 3"),
		    "an unterminated quote at the end is an error at line 3 "
		    "(rc %d, \"%s\")", rc, pp_csv_error(s.r));
	}
	src_close(&s);
	if (ok(src_open(&s, "a,b\n1,2\n3,x\"y\"z\n") == PP_OK,
	    "a quote inside an unquoted field: open")) {
		row_at(&s, 2, "a quote inside an unquoted field");
		rc = pp_csv_next(s.r);
		ok(rc == PP_EDATA && strstr(pp_csv_error(s.r), "line 3"),
		    "a quote inside an unquoted field is an error at line 3 "
		    "(rc %d, \"%s\")", rc, pp_csv_error(s.r));
	}
	src_close(&s);
	if (ok(src_open(&s, "a,b\n1,2") == PP_OK, "no final newline: open")) {
		if (row_at(&s, 2, "no final newline"))
			get_is(&s, "b", "2", "no final newline");
		at_end(&s, "no final newline");
	}
	src_close(&s);
}

static void
test_many(void)
{
	char *text;
	size_t cap = 200000, at;
	struct src s;
	long i, bad = 0;

	/* Enough rows to wrap the reader's internal queue many times. */
	if ((text = malloc(cap)) == NULL)
		return;
	at = (size_t)snprintf(text, cap, "n,sq\n");
	for (i = 1; i <= 5000; i++)
		at += (size_t)snprintf(text + at, cap - at, "%ld,\"%ld\n\"\n", i,
		    i * i);
	if (ok(src_open(&s, text) == PP_OK, "5000 rows: open")) {
		for (i = 1; i <= 5000; i++) {
			char want[32];

			snprintf(want, sizeof(want), "%ld\n", i * i);
			if (pp_csv_next(s.r) != 1 ||
			    pp_csv_line(s.r) != 2 * i ||
			    strcmp(pp__csv_get(s.r, "sq"), want) != 0) {
				if (bad++ < 3)
					diag("row %ld: line %ld", i,
					    pp_csv_line(s.r));
			}
		}
		ok(bad == 0, "5000 two-line rows, with the right line numbers");
		at_end(&s, "5000 rows");
	}
	src_close(&s);
	free(text);
}

int
main(void)
{
	test_header();
	test_quoted();
	test_crlf();
	test_bom();
	test_tsv();
	test_empty();
	test_too_many();
	test_duplicate();
	test_short();
	test_blank();
	test_malformed();
	test_many();
	return done_testing();
}
