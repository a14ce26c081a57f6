/*
 * text.c: UTF-8 checks and terminal widths, so that Chinese names line up
 * in tables whatever the locale says; and the one way an untrusted value
 * gets into a message.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

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

int
pp__utf8_fix(const char *str, char **out)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n, at = 0, bad = 0, i;
	uint32_t cp;
	char *fixed;

	*out = NULL;
	for (i = 0; s[i]; i += n)
		if ((n = utf8_decode(s + i, &cp)) == 0)
			n = 1, bad++;
	if (bad == 0)
		return PP_OK;
	/* Each bad byte takes the 3 of U+FFFD. */
	if ((fixed = malloc(i + 2 * bad + 1)) == NULL)
		return PP_EINTERNAL;
	for (; *s; s += n) {
		if ((n = utf8_decode(s, &cp)) == 0) {
			memcpy(fixed + at, "\xef\xbf\xbd", 3);
			at += 3;
			n = 1;
		} else {
			memcpy(fixed + at, s, n);
			at += n;
		}
	}
	fixed[at] = '\0';
	*out = fixed;
	return PP_OK;
}

size_t
pp__text_width(const char *str)
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
pp__text_check(const char *what, const char *str, size_t max, char *err,
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
pp__key_check(const char *what, const char *s, size_t max, char *err,
    size_t errlen)
{
	size_t len = strlen(s);

	if (len == 0) {
		snprintf(err, errlen, "%s: empty", what);
		return PP_EDATA;
	}
	if (len >= max) {
		snprintf(err, errlen, "%s \"%s\": longer than %zu characters",
		    what, pp_q(s), max - 1);
		return PP_EDATA;
	}
	if (strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789-_.") != len || s[0] == '-' || s[0] == '.') {
		if (pp__text_check(what, s, max, err, errlen) != PP_OK)
			return PP_EDATA;
		snprintf(err, errlen, "%s \"%s\": use letters, digits, '-', "
		    "'_' and '.'", what, pp_q(s));
		return PP_EDATA;
	}
	return PP_OK;
}

/*
 * Characters that a terminal acts on rather than shows: C0, DEL and C1,
 * and the invisible format characters (zero widths, the line and
 * paragraph separators, the bidirectional overrides and isolates, the
 * byte-order mark) that could make a message read otherwise than it is.
 */
static int
is_control(uint32_t c)
{
	return c < 0x20 || (c >= 0x7F && c <= 0x9F) ||
	    (c >= 0x200B && c <= 0x200F) || (c >= 0x2028 && c <= 0x202E) ||
	    (c >= 0x2060 && c <= 0x2069) || c == 0xFEFF;
}

/*
 * Render s into buf, escaping what is not plain text (with quotes, also
 * '"' and '\', so that the caller's quotes stay unambiguous).  At most
 * maxw columns are kept: past them, or past what buf holds, the text is
 * cut after a whole character or escape and an ellipsis (U+2026, one
 * column) takes the place of the rest.
 */
static const char *
escape(char *buf, size_t size, const char *str, size_t maxw, int quotes)
{
	static const char ellipsis[] = "\u2026";
	const unsigned char *s = (const unsigned char *)str;
	char unit[16];
	size_t at = 0, w = 0, uw, ul, n, keep = 0;
	uint32_t cp;

	if (size == 0)
		return buf;
	buf[0] = '\0';
	if (str == NULL || size < sizeof(ellipsis))
		return buf;
	for (; *s; s += n) {
		if ((n = utf8_decode(s, &cp)) == 0) {
			n = 1;
			snprintf(unit, sizeof(unit), "\\x%02x", s[0]);
		} else if (cp == '\n' || cp == '\t' || cp == '\r')
			snprintf(unit, sizeof(unit), "\\%c",
			    cp == '\n' ? 'n' : cp == '\t' ? 't' : 'r');
		else if (cp < 0x80 && is_control(cp))
			snprintf(unit, sizeof(unit), "\\x%02x", (unsigned)cp);
		else if (is_control(cp))
			snprintf(unit, sizeof(unit), "\\u%04x", (unsigned)cp);
		else if (quotes && (cp == '"' || cp == '\\'))
			snprintf(unit, sizeof(unit), "\\%c", (int)cp);
		else {
			/* Plain text, shown as it is. */
			memcpy(unit, s, n);
			unit[n] = '\0';
		}
		ul = strlen(unit);
		if (unit[0] == '\\' && ul > 1)
			uw = ul;	/* escapes are ASCII */
		else if (cp >= 0x300 && cp <= 0x36F)
			uw = 0;		/* combining marks */
		else
			uw = is_wide(cp) ? 2 : 1;
		/* Remember where the cut goes should the rest not fit. */
		if (w + uw < maxw && at + ul + sizeof(ellipsis) <= size)
			keep = at + ul;
		if (w + uw > maxw || at + ul >= size) {
			memcpy(buf + keep, ellipsis, sizeof(ellipsis));
			return buf;
		}
		memcpy(buf + at, unit, ul + 1);
		at += ul;
		w += uw;
	}
	return buf;
}

const char *
pp__quote(char *buf, size_t size, const char *s)
{
	return escape(buf, size, s, PP_QUOTEW, 1);
}

const char *
pp_q(const char *s)
{
	static _Thread_local char ring[PP_QRING][PP_QUOTEBUF];
	static _Thread_local unsigned next;

	next = (next + 1) % PP_QRING;
	return pp__quote(ring[next], sizeof(ring[next]), s);
}

const char *
pp_oneline(char *buf, size_t size, const char *s)
{
	return escape(buf, size, s, SIZE_MAX, 0);
}
