/*
 * quote.c: pp__quote, pp_q and pp_oneline, the renderings of untrusted
 * values in messages (issue 9, point 9).
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "tap.h"

static void
quote_is(const char *s, const char *want, const char *name)
{
	char buf[PP_QUOTEBUF];

	is_str(pp__quote(buf, sizeof(buf), s), want, name);
}

/* Valid UTF-8 with no byte below 0x20 and no DEL. */
static int
clean(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	for (; *s; s++)
		if (*s < 0x20 || *s == 0x7F)
			return 0;
	return pp__text_check("x", str, 4096, (char[PP_ERRMAX]){ 0 },
	    PP_ERRMAX) == PP_OK;
}

static void
test_escapes(void)
{
	quote_is("", "", "the empty string stays empty");
	quote_is(NULL, "", "NULL renders as empty");
	quote_is("12.345", "12.345", "plain ASCII as it is");
	quote_is("张三", "张三", "CJK as it is");
	quote_is("１２．３０", "１２．３０", "full-width as it is");
	quote_is("e\xCC\x81", "e\xCC\x81", "a combining mark as it is");
	quote_is("a\nb", "a\\nb", "newline");
	quote_is("a\tb\r", "a\\tb\\r", "tab and carriage return");
	quote_is("\x1b[2J", "\\x1b[2J", "ESC [ 2 J");
	quote_is("\x01\x7f", "\\x01\\x7f", "SOH and DEL");
	quote_is("\xc2\x85\xc2\x9b", "\\u0085\\u009b", "C1 NEL and CSI");
	quote_is("\xe2\x80\xae" "abc", "\\u202eabc", "a right-to-left override");
	quote_is("\xef\xbb\xbf" "x", "\\ufeffx", "a byte-order mark");
	quote_is("\xff\xfe", "\\xff\\xfe", "invalid bytes");
	quote_is("\xe5\xbc", "\\xe5\\xbc", "a truncated CJK sequence");
	quote_is("\xc0\xaf", "\\xc0\\xaf", "an overlong slash");
	quote_is("\xed\xa0\x80", "\\xed\\xa0\\x80", "a UTF-16 surrogate");
	quote_is("say \"hi\"", "say \\\"hi\\\"", "quotes escaped");
	quote_is("C:\\x", "C:\\\\x", "a backslash escaped");
}

static void
test_cuts(void)
{
	char s[2048], want[2048], buf[PP_QUOTEBUF];
	const char *got;
	size_t i;

	memset(s, 'a', PP_QUOTEW);
	s[PP_QUOTEW] = '\0';
	quote_is(s, s, "exactly PP_QUOTEW columns: no cut");

	memset(s, 'a', PP_QUOTEW + 1);
	s[PP_QUOTEW + 1] = '\0';
	memset(want, 'a', PP_QUOTEW - 1);
	strcpy(want + PP_QUOTEW - 1, "\xe2\x80\xa6");
	quote_is(s, want, "one column more: cut, with an ellipsis");

	memset(s, 'x', 500);
	s[500] = '\0';
	got = pp__quote(buf, sizeof(buf), s);
	is_int((int64_t)pp__text_width(got), PP_QUOTEW,
	    "500 characters cut to PP_QUOTEW columns");

	/* 30 CJK characters are 60 columns: 23 fit before the ellipsis. */
	s[0] = want[0] = '\0';
	for (i = 0; i < 30; i++)
		strcat(s, "电");
	for (i = 0; i < (PP_QUOTEW - 1) / 2; i++)
		strcat(want, "电");
	strcat(want, "\xe2\x80\xa6");
	quote_is(s, want, "CJK cut after a whole character");
	got = pp__quote(buf, sizeof(buf), s);
	ok(clean(got), "a CJK cut is valid UTF-8");

	/* An escape is never cut in two. */
	memset(s, 'a', PP_QUOTEW - 3);
	strcpy(s + PP_QUOTEW - 3, "\x1b" "bbbb");
	memset(want, 'a', PP_QUOTEW - 3);
	strcpy(want + PP_QUOTEW - 3, "\xe2\x80\xa6");
	quote_is(s, want, "an escape that does not fit is left out whole");

	/* Width 0 cannot make a value endless: the buffer bounds it. */
	strcpy(s, "e");
	for (i = 0; i < 600; i++)
		strcat(s, "\xCC\x81");
	got = pp__quote(buf, sizeof(buf), s);
	ok(strlen(got) < PP_QUOTEBUF && clean(got) &&
	    strcmp(got + strlen(got) - 3, "\xe2\x80\xa6") == 0,
	    "600 combining marks cut where the buffer ends");

	/* Escapes count by the columns they print. */
	memset(s, '\xff', 100);
	s[100] = '\0';
	got = pp__quote(buf, sizeof(buf), s);
	is_int((int64_t)strlen(got), (PP_QUOTEW - 1) / 4 * 4 + 3,
	    "100 invalid bytes: whole escapes up to PP_QUOTEW columns");

	/* A small buffer cuts too, and always ends the string. */
	got = pp__quote(buf, 8, "abcdefghij");
	is_str(got, "abcd\xe2\x80\xa6", "an 8-byte buffer: 4 bytes and the ellipsis");
	got = pp__quote(buf, 3, "abcdefghij");
	is_str(got, "", "a buffer too small for the ellipsis gives \"\"");
}

static void
test_ring_and_line(void)
{
	char buf[PP_ERRMAX], s[600];
	const char *a, *b;

	a = pp_q("one\n");
	b = pp_q("two\x1b");
	is_str(a, "one\\n", "pp_q: the first value survives the second");
	is_str(b, "two\\x1b", "pp_q: the second value");

	is_str(pp_oneline(buf, sizeof(buf), "sale: line 2: \"a\"\nb\x1b[2J"),
	    "sale: line 2: \"a\"\\nb\\x1b[2J",
	    "pp_oneline escapes controls and leaves quotes");
	memset(s, 'y', sizeof(s) - 1);
	s[sizeof(s) - 1] = '\0';
	pp_oneline(buf, sizeof(buf), s);
	ok(strlen(buf) < sizeof(buf) && clean(buf),
	    "pp_oneline cuts at the end of its buffer");
	is_str(pp_oneline(buf, sizeof(buf), "张三 \xe2\x80\x8b"),
	    "张三 \\u200b", "pp_oneline keeps CJK, escapes a zero width space");
}

int
main(void)
{
	test_escapes();
	test_cuts();
	test_ring_and_line();
	return done_testing();
}
