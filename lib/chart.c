/*
 * chart.c: the resident's charts as inline SVG, drawn by the server
 * (doc/design.md, "Residents"): the daily-use bars and a day's curve.
 * Coordinates are whole numbers in a 3600 by 2200 box that the page
 * scales to its width; the stylesheet colours the classes.
 */
#include <string.h>

#include "html.h"

#define W	3600
#define H	2200
#define LEFT	420		/* room for the energy axis' labels */
#define RIGHT	3520
#define TOP	160
#define BOTTOM	1900		/* the time axis; its labels below */
#define GRIDS	4		/* lines above the axis */

/* A round step in Wh (1, 2 or 5 times a power of ten) fitting max. */
static int64_t
grid_step(const struct pp__chart_point *p, size_t n)
{
	int64_t max = 0, raw, pow10 = 10;
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i].known && p[i].wh > max)
			max = p[i].wh;
	raw = (max + GRIDS - 1) / GRIDS;
	for (;;) {
		if (raw <= pow10)
			return pow10;
		if (raw <= 2 * pow10)
			return 2 * pow10;
		if (raw <= 5 * pow10)
			return 5 * pow10;
		pow10 *= 10;
	}
}

static int64_t
y_of(int64_t wh, int64_t top)
{
	return BOTTOM - wh * (BOTTOM - TOP) / top;
}

/* The svg element, the grid with its kWh labels and the axis' unit. */
static void
frame(struct pp__html *h, const char *cls, const char *label, int64_t step)
{
	char kwh[PP_NUMBUF];
	int64_t k;

	pp__html_fmt(h, "<svg class=\"%S\" viewBox=\"0 0 %d %d\" role=\"img\" "
	    "aria-label=\"%s\" xmlns=\"http://www.w3.org/2000/svg\">\n", cls,
	    W, H, label);
	for (k = 0; k <= GRIDS; k++) {
		int64_t y = y_of(k * step, GRIDS * step);

		pp__html_fmt(h, "<line class=\"grid\" x1=\"%d\" y1=\"%D\" "
		    "x2=\"%d\" y2=\"%D\"/>", LEFT, y, RIGHT, y);
		pp__html_fmt(h, "<text class=\"ylab\" x=\"%d\" y=\"%D\" "
		    "text-anchor=\"end\" font-size=\"90\">%s</text>\n",
		    LEFT - 30, y + 30, pp__energy_format(k * step, kwh));
	}
	pp__html_fmt(h, "<text class=\"unit\" x=\"%d\" y=\"%d\" "
	    "font-size=\"90\">kWh</text>\n", 20, TOP - 60);
}

/* The label under point i of n at x, every `every' points and the last. */
static void
xlabel(struct pp__html *h, const struct pp__chart_point *p, size_t i,
    size_t n, size_t every, int64_t x)
{
	if (i % every != 0 && i != n - 1)
		return;
	pp__html_fmt(h, "<text class=\"xlab\" x=\"%D\" y=\"%d\" "
	    "text-anchor=\"middle\" font-size=\"90\">%s</text>\n", x,
	    BOTTOM + 130, p[i].label);
}

void
pp__chart_bars(struct pp__html *h, const struct pp__chart_point *p, size_t n)
{
	int64_t step = grid_step(p, n), slot, bw, x, y;
	size_t i;

	frame(h, "chart bars", "每日用电量柱状图", step);
	slot = n ? (RIGHT - LEFT) / (int64_t)n : 0;
	bw = slot * 7 / 10;
	for (i = 0; i < n; i++) {
		x = LEFT + (int64_t)i * slot + (slot - bw) / 2;
		if (!p[i].known) {
			/* Nothing is known of the day: a gap, not a zero. */
			pp__html_fmt(h, "<rect class=\"gap\" x=\"%D\" y=\"%d\" "
			    "width=\"%D\" height=\"%d\"><title>%s</title>"
			    "</rect>\n", x, BOTTOM - 40, bw, 40, p[i].title);
		} else {
			y = y_of(p[i].wh, GRIDS * step);
			pp__html_fmt(h, "<a href=\"%s\"><rect class=\"bar\" "
			    "x=\"%D\" y=\"%D\" width=\"%D\" height=\"%D\">"
			    "<title>%s</title></rect></a>\n", p[i].href, x, y,
			    bw, BOTTOM - y, p[i].title);
		}
		xlabel(h, p, i, n, 5, x + bw / 2);
	}
	pp__html_fmt(h, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" "
	    "y2=\"%d\"/>\n</svg>\n", LEFT, BOTTOM, RIGHT, BOTTOM);
}

void
pp__chart_curve(struct pp__html *h, const struct pp__chart_point *p,
    size_t n)
{
	int64_t step = grid_step(p, n), x, y, span;
	size_t i, run;

	frame(h, "chart curve", "半小时用电曲线", step);
	span = n > 1 ? (RIGHT - LEFT) / (int64_t)(n - 1) : 0;
	/* A polyline for each run of known points. */
	for (i = 0; i < n; i = run) {
		for (; i < n && !p[i].known; i++)
			;
		for (run = i; run < n && p[run].known; run++)
			;
		if (run - i < 2)
			continue;
		pp__html_raw(h, "<polyline class=\"line\" points=\"");
		for (; i < run; i++)
			pp__html_fmt(h, "%D,%D ", LEFT + (int64_t)i * span,
			    y_of(p[i].wh, GRIDS * step));
		pp__html_raw(h, "\"/>\n");
	}
	for (i = 0; i < n; i++) {
		x = LEFT + (int64_t)i * span;
		if (p[i].known) {
			y = y_of(p[i].wh, GRIDS * step);
			pp__html_fmt(h, "<circle class=\"pt\" cx=\"%D\" "
			    "cy=\"%D\" r=\"22\"><title>%s</title></circle>\n",
			    x, y, p[i].title);
		}
		xlabel(h, p, i, n, 6, x);
	}
	pp__html_fmt(h, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" "
	    "y2=\"%d\"/>\n</svg>\n", LEFT, BOTTOM, RIGHT, BOTTOM);
}
