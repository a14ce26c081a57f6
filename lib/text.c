/*
 * text.c: UTF-8 checks and terminal widths, so that Chinese names line up
 * in tables whatever the locale says.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "prepay.h"

/* Decode one UTF-8 sequence; returns its length, or 0 when it is invalid. */
static size_t
utf8_decode(const unsigned char *s, uint32_t *cp)
{
	size_t n, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		n = 2, *cp = s[0] & 0x1F;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		n = 3, *cp = s[0] & 0x0F;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		n = 4, *cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		*cp = (*cp << 6) | (s[i] & 0x3F);
	}
	if ((n == 3 && *cp < 0x800) || (n == 4 && *cp < 0x10000) ||
	    *cp > 0x10FFFF || (*cp >= 0xD800 && *cp <= 0xDFFF))
		return 0;
	return n;
}

/* East Asian Wide and Fullwidth ranges (Unicode 15, abridged to blocks). */
static int
is_wide(uint32_t c)
{
	return (c >= 0x1100 && c <= 0x115F) ||
	    (c >= 0x2E80 && c <= 0x303E) ||
	    (c >= 0x3041 && c <= 0x33FF) ||
	    (c >= 0x3400 && c <= 0x4DBF) ||
	    (c >= 0x4E00 && c <= 0x9FFF) ||
	    (c >= 0xA000 && c <= 0xA4CF) ||
	    (c >= 0xAC00 && c <= 0xD7A3) ||
	    (c >= 0xF900 && c <= 0xFAFF) ||
	    (c >= 0xFE30 && c <= 0xFE4F) ||
	    (c >= 0xFF00 && c <= 0xFF60) ||
	    (c >= 0xFFE0 && c <= 0xFFE6) ||
	    (c >= 0x1F300 && c <= 0x1F64F) ||
	    (c >= 0x20000 && c <= 0x3FFFD);
}

size_t
pp_text_width(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t w = 0, n;
	uint32_t cp;

	while (*s) {
		if ((n = utf8_decode(s, &cp)) == 0) {
			s++, w++;
			continue;
		}
		s += n;
		if (cp >= 0x300 && cp <= 0x36F)
			continue;	/* combining marks */
		w += is_wide(cp) ? 2 : 1;
	}
	return w;
}

int
pp_text_check(const char *what, const char *str, size_t max, char *err,
    size_t errlen)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n;
	uint32_t cp;

	if (strlen(str) >= max) {
		snprintf(err, errlen, "%s: longer than %zu bytes", what,
		    max - 1);
		return PP_EDATA;
	}
	for (; *s; s += n) {
		if ((n = utf8_decode(s, &cp)) == 0) {
			snprintf(err, errlen, "%s: not valid UTF-8", what);
			return PP_EDATA;
		}
		if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) {
			snprintf(err, errlen, "%s: control character inside",
			    what);
			return PP_EDATA;
		}
	}
	return PP_OK;
}

int
pp_key_check(const char *what, const char *s, size_t max, char *err,
    size_t errlen)
{
	size_t len = strlen(s);

	if (len == 0) {
		snprintf(err, errlen, "%s: empty", what);
		return PP_EDATA;
	}
	if (len >= max) {
		snprintf(err, errlen, "%s \"%.40s\": longer than %zu characters",
		    what, s, max - 1);
		return PP_EDATA;
	}
	if (strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789-_.") != len || s[0] == '-' || s[0] == '.') {
		if (pp_text_check(what, s, max, err, errlen) != PP_OK)
			return PP_EDATA;
		snprintf(err, errlen, "%s \"%s\": use letters, digits, '-', "
		    "'_' and '.'", what, s);
		return PP_EDATA;
	}
	return PP_OK;
}
