/*
 * chart: the resident's pages' HTML escaping and inline SVG charts: every
 * value escaped as it goes in, a bar for each known day, a gap for each
 * unknown one, a circle for each known half hour and a polyline for each
 * run of them.
 */
#include <stdlib.h>

#include "html.h"
#include "tap.h"

static int
count(const char *s, const char *what)
{
	int n = 0;

	while ((s = strstr(s, what)) != NULL) {
		n++;
		s += strlen(what);
	}
	return n;
}

static void
escaping(void)
{
	struct pp__html h = { 0 };

	pp__html_fmt(&h, "<p title=\"%s\">%s %d %D %S 100%%</p>",
	    "a\"b'c", "<script>alert(1)</script> & co", -3, (int64_t)1 << 40,
	    "<b>");
	is_str(h.s, "<p title=\"a&quot;b&#39;c\">&lt;script&gt;alert(1)"
	    "&lt;/script&gt; &amp; co -3 1099511627776 <b> 100%</p>",
	    "%s escapes & < > \" ', %S does not, numbers as they are");
	pp__html_free(&h);
	pp__html_fmt(&h, "%s", (const char *)NULL);
	is_str(h.s, "", "NULL text is empty");
	pp__html_free(&h);
}

static void
bars(void)
{
	struct pp__chart_point p[30];
	struct pp__html h = { 0 };
	int i;

	memset(p, 0, sizeof(p));
	for (i = 0; i < 30; i++) {
		p[i].known = i != 7;
		p[i].wh = 1000 * (i + 1);
		snprintf(p[i].label, sizeof(p[i].label), "12-%02d", i + 1);
		snprintf(p[i].href, sizeof(p[i].href), "/a/<x>/day/%d", i);
		snprintf(p[i].title, sizeof(p[i].title), "t%d", i);
	}
	pp__chart_bars(&h, p, 30);
	is_int(count(h.s, "<rect class=\"bar\""), 29, "29 known days, 29 bars");
	is_int(count(h.s, "<rect class=\"gap\""), 1, "the unknown day a gap");
	is_int(count(h.s, "<a href=\"/a/&lt;x&gt;/day/"), 29,
	    "each bar a link, escaped");
	ok(strstr(h.s, ">30.00</text>") != NULL || strstr(h.s, ">40.00</text>")
	    != NULL, "the axis reaches past the largest day, 30 kWh");
	ok(strstr(h.s, ">kWh</text>") != NULL, "the axis says kWh");
	is_int(count(h.s, "class=\"xlab\""), 7, "a day label every 5 and the last");
	ok(!h.oom && count(h.s, "<svg") == 1 && count(h.s, "</svg>") == 1,
	    "one svg element");
	pp__html_free(&h);
}

static void
curve(void)
{
	struct pp__chart_point p[48];
	struct pp__html h = { 0 };
	int i;

	memset(p, 0, sizeof(p));
	for (i = 0; i < 48; i++) {
		p[i].known = !(i >= 20 && i < 24);
		p[i].wh = i < 12 ? 50 : 500;
		snprintf(p[i].label, sizeof(p[i].label), "%02d:%02d", i / 2,
		    i % 2 * 30);
	}
	pp__chart_curve(&h, p, 48);
	is_int(count(h.s, "<circle class=\"pt\""), 44,
	    "a point for each known half hour");
	is_int(count(h.s, "<polyline"), 2, "the gap splits the line in two");
	is_int(count(h.s, "class=\"xlab\""), 9, "every three hours and the last");
	pp__html_free(&h);
	for (i = 0; i < 48; i++)
		p[i].known = 1;
	pp__chart_curve(&h, p, 48);
	is_int(count(h.s, "<circle class=\"pt\""), 48, "48 points in a full day");
	is_int(count(h.s, "<polyline"), 1, "one line");
	pp__html_free(&h);
}

int
main(void)
{
	escaping();
	bars();
	curve();
	return done_testing();
}
