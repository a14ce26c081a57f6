/*
 * html.c: a page built up in memory, every value escaped as it goes in
 * (doc/design.md, "Residents").  The format's %s escapes its text for an
 * element or a quoted attribute; only %S, for the page's own markup,
 * takes text as it is.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"

static void
put(struct pp__html *h, const char *s, size_t n)
{
	if (h->oom)
		return;
	if (pp_grow(&h->s, &h->cap, h->len + n + 1, 1) != PP_OK) {
		h->oom = 1;
		return;
	}
	memcpy(h->s + h->len, s, n);
	h->len += n;
	h->s[h->len] = '\0';
}

void
pp__html_raw(struct pp__html *h, const char *s)
{
	put(h, s, strlen(s));
}

void
pp__html_text(struct pp__html *h, const char *s)
{
	const char *run;

	for (run = s; *s != '\0'; s++) {
		const char *ent;

		switch (*s) {
		case '&':	ent = "&amp;"; break;
		case '<':	ent = "&lt;"; break;
		case '>':	ent = "&gt;"; break;
		case '"':	ent = "&quot;"; break;
		case '\'':	ent = "&#39;"; break;
		default:	continue;
		}
		put(h, run, (size_t)(s - run));
		put(h, ent, strlen(ent));
		run = s + 1;
	}
	put(h, run, (size_t)(s - run));
}

void
pp__html_fmt(struct pp__html *h, const char *fmt, ...)
{
	char num[32];
	const char *run, *s;
	va_list ap;

	va_start(ap, fmt);
	for (run = fmt; *fmt != '\0'; fmt++) {
		if (*fmt != '%')
			continue;
		put(h, run, (size_t)(fmt - run));
		switch (*++fmt) {
		case 's':
			s = va_arg(ap, const char *);
			pp__html_text(h, s ? s : "");
			break;
		case 'S':
			s = va_arg(ap, const char *);
			pp__html_raw(h, s ? s : "");
			break;
		case 'd':
			snprintf(num, sizeof(num), "%d", va_arg(ap, int));
			pp__html_raw(h, num);
			break;
		case 'D':
			snprintf(num, sizeof(num), "%" PRId64,
			    va_arg(ap, int64_t));
			pp__html_raw(h, num);
			break;
		case '%':
			put(h, "%", 1);
			break;
		default:
			/* A format of ours that is wrong: show it, not crash. */
			put(h, fmt - 1, 2);
			break;
		}
		run = fmt + 1;
	}
	put(h, run, (size_t)(fmt - run));
	va_end(ap);
}

void
pp__html_free(struct pp__html *h)
{
	free(h->s);
	memset(h, 0, sizeof(*h));
}
