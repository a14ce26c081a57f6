/*
 * energy.c: energy --per building|floor|room, the energy office's
 * analysis by place (Acrel's 能耗分析): each place's energy and cost over
 * the whole period, a subtotal row closing each building (and, per room,
 * each floor), and a total row at the end.  A room's energy and cost are
 * summed from the daily roll-up and rounded once, to the 10 Wh and the fen
 * the columns show; every row above the rooms is the sum of those shown
 * figures, so the columns add up exactly.
 */
#include <stdio.h>
#include <string.h>

#include "report.h"

/* The places, outermost first; the total stands above them. */
enum { TOTAL, BUILDING, FLOOR, ROOM, NLEVELS };

static const pp_column per_cols[] = {
	{ "row", PP_COL_TEXT }, { "building", PP_COL_TEXT },
	{ "floor", PP_COL_TEXT }, { "room", PP_COL_TEXT },
	{ "meters", PP_COL_INT }, { "energy_kwh", PP_COL_KWH },
	{ "cost", PP_COL_MONEY },
};

/* One open group of each level: its name and what it sums so far. */
struct group {
	char	name[PP_NAMEMAX];
	int64_t	meters, wh, fen;
	int	open;
};

struct per {
	struct group	 g[NLEVELS];
	int		 level;		/* of the item rows */
};

/* Wh to the 10 Wh a kWh column shows, half away from zero. */
static int64_t
round10(int64_t wh)
{
	return (wh >= 0 ? wh + 5 : wh - 5) / 10 * 10;
}

static int
per_emit(struct pp__run *run, struct per *p, int level, const char *what)
{
	pp_cell c[PP__NELEM(per_cols)];
	int i;

	memset(c, 0, sizeof(c));
	c[0] = PP__TEXT(what);
	for (i = BUILDING; i <= ROOM; i++)
		c[i] = PP__TEXT(i <= level ? p->g[i].name : "");
	c[4] = PP__INT(p->g[level].meters);
	c[5] = PP__INT(p->g[level].wh);
	c[6] = PP__INT(p->g[level].fen);
	return pp__report_emit(run, c);
}

/*
 * Close the open groups from the rooms up to level: each shows as the
 * item it is, or as a subtotal when it holds items, and adds to the one
 * above.
 */
static int
per_close(struct pp__run *run, struct per *p, int level)
{
	struct group *g;
	int i, rc;

	for (i = ROOM; i >= level && i > TOTAL; i--) {
		g = &p->g[i];
		if (!g->open)
			continue;
		if (i <= p->level && (rc = per_emit(run, p, i, i == p->level ?
		    "item" : "subtotal")) != PP_OK)
			return rc;
		p->g[i - 1].meters += g->meters;
		p->g[i - 1].wh += g->wh;
		p->g[i - 1].fen += g->fen;
		memset(g, 0, sizeof(*g));
	}
	return PP_OK;
}

/* A room of the query: close what it leaves, and open its groups. */
static int
per_room(struct pp__run *run, struct per *p, pp__st *st)
{
	char name[NLEVELS][PP_NAMEMAX];
	int i, rc, first = ROOM + 1;

	for (i = BUILDING; i <= ROOM; i++) {
		pp__col_text(st, i - 1, name[i], sizeof(name[i]));
		if (first > ROOM && (!p->g[i].open ||
		    strcmp(p->g[i].name, name[i]) != 0))
			first = i;
	}
	if (first <= ROOM && (rc = per_close(run, p, first)) != PP_OK)
		return rc;
	for (i = first; i <= ROOM; i++) {
		snprintf(p->g[i].name, sizeof(p->g[i].name), "%s", name[i]);
		p->g[i].open = 1;
	}
	p->g[ROOM].meters += pp__col_int64(st, 3);
	p->g[ROOM].wh += round10(pp__col_int64(st, 4));
	p->g[ROOM].fen += pp__fen_round(pp__col_int64(st, 5));
	return PP_OK;
}

/*
 * The roll-ups' rows of the period: each meter's whole months, and the
 * days bind_spans binds, each with its month, energy, cost and days (n),
 * the days taken away negative; in the order the roll-ups keep them
 * (month and day first: doc/design.md, "The store").  bind_spans splits
 * ?1..?2, the period's days.  A meter or a month counts when its n sum
 * is above 0: when it has a day in the period.  A span not needed is
 * bound NULL; the CASTs give PostgreSQL its parameters' types then.
 */
#define SPANS \
	"(SELECT month, meter_id, days AS n, energy_wh AS wh, cost_e7 AS e7 " \
	"FROM monthly WHERE month >= ?6 AND month <= ?7 UNION ALL SELECT " \
	"substr(day, 1, 7), meter_id, CAST(?10 AS BIGINT), CAST(?10 AS " \
	"BIGINT) * energy_wh, CAST(?10 AS BIGINT) * cost_e7 FROM daily NOT " \
	"INDEXED WHERE day >= CAST(?8 AS TEXT) AND day <= CAST(?9 AS TEXT) " \
	"UNION ALL SELECT substr(day, 1, 7), meter_id, CAST(?13 AS BIGINT), " \
	"CAST(?13 AS BIGINT) * energy_wh, CAST(?13 AS BIGINT) * cost_e7 FROM " \
	"daily NOT INDEXED WHERE day >= CAST(?11 AS TEXT) AND day <= " \
	"CAST(?12 AS TEXT))"

/* Days in month m (1-12) of year y. */
static int
month_days(int y, int m)
{
	static const int n[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	return m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) ? 29 :
	    n[m - 1];
}

/* A span of days of month k (year * 12 + month - 1), to ?lo and ?lo + 1. */
static void
bind_days(pp__st *st, int lo, int k, int d1, int d2, int sign)
{
	char a[PP_TIMEBUF], b[PP_TIMEBUF];

	if (d1 > d2)
		return;
	snprintf(a, sizeof(a), "%04d-%02d-%02d", k / 12, k % 12 + 1, d1);
	snprintf(b, sizeof(b), "%04d-%02d-%02d", k / 12, k % 12 + 1, d2);
	pp__bind_copy(st, lo, a);
	pp__bind_copy(st, lo + 1, b);
	pp__bind_int64(st, lo + 2, sign);
}

/*
 * The period's days as whole months of the monthly roll-up (?6..?7) and
 * at most two spans of the daily one (?8..?10, ?11..?13), each added or
 * taken away: a month the period cuts is its days in the period, or the
 * month less its days out of it, whichever are fewer.  Exact, as a
 * month is the sum of its days (report verify checks it).  A period
 * without a first or last day (the tools' open ends) is days only.
 */
static void
bind_spans(struct pp__run *run, pp__st *st)
{
	int y1, m1, d1, y2, m2, d2, k1, k2, n1, n2, lo, hi;
	char a[PP_TIMEBUF], b[PP_TIMEBUF];

	/* A cached statement keeps the last run's. */
	for (lo = 6; lo <= 13; lo++)
		pp__bind_null(st, lo);
	if (sscanf(run->lo, "%4d-%2d-%2d", &y1, &m1, &d1) != 3 ||
	    sscanf(run->hi, "%4d-%2d-%2d", &y2, &m2, &d2) != 3 || m1 < 1 ||
	    m1 > 12 || m2 < 1 || m2 > 12) {
		pp__bind_text(st, 8, run->lo);
		pp__bind_text(st, 9, run->hi);
		pp__bind_int64(st, 10, 1);
		return;
	}
	k1 = y1 * 12 + m1 - 1;
	k2 = y2 * 12 + m2 - 1;
	n1 = month_days(y1, m1);
	n2 = month_days(y2, m2);
	lo = k1;
	hi = k2;
	if (k1 == k2 && d2 - d1 + 1 <= n1 - (d2 - d1 + 1)) {
		/* Fewer days in than out: the days. */
		bind_days(st, 8, k1, d1, d2, 1);
		return;
	}
	if (k1 == k2) {
		/* The month less the days before and after. */
		bind_days(st, 8, k1, 1, d1 - 1, -1);
		bind_days(st, 11, k1, d2 + 1, n1, -1);
	} else {
		if (d1 - 1 <= n1 - d1 + 1)
			bind_days(st, 8, k1, 1, d1 - 1, -1);
		else {
			lo = k1 + 1;
			bind_days(st, 8, k1, d1, n1, 1);
		}
		if (n2 - d2 < d2)
			bind_days(st, 11, k2, d2 + 1, n2, -1);
		else {
			hi = k2 - 1;
			bind_days(st, 11, k2, 1, d2, 1);
		}
	}
	snprintf(a, sizeof(a), "%04d-%02d", lo / 12, lo % 12 + 1);
	snprintf(b, sizeof(b), "%04d-%02d", hi / 12, hi % 12 + 1);
	pp__bind_copy(st, 6, a);
	pp__bind_copy(st, 7, b);
}

static int
per_rows(struct pp__run *run)
{
	static const char *const levels[] = { "building", "floor", "room" };
	struct per p;
	pp__st *st;
	size_t i;
	int rc, src;

	memset(&p, 0, sizeof(p));
	for (i = 0; i < PP__NELEM(levels); i++)
		if (strcmp(run->opts.per, levels[i]) == 0)
			p.level = BUILDING + (int)i;
	if ((rc = pp__report_start(run, &st)) != PP_OK)
		return rc;
	bind_spans(run, st);
	while ((src = pp__step(st)) == PP__ROW)
		if ((rc = per_room(run, &p, st)) != PP_OK)
			break;
	pp__reset(st);
	if (rc != PP_OK)
		return rc;
	if (src != PP__DONE)
		return pp__sqlfail(run->db, "daily");
	if ((rc = per_close(run, &p, BUILDING)) != PP_OK)
		return rc;
	/* The total, also of nothing: the period held no energy. */
	return per_emit(run, &p, TOTAL, "total");
}

/* energy by day (reports.c) and by month: a column named by --by. */
const pp_column pp__energy_cols[PP__ENERGY_NCOLS] = {
	{ NULL, PP_COL_TEXT }, { "building", PP_COL_TEXT },
	{ "floor", PP_COL_TEXT }, { "room", PP_COL_TEXT },
	{ "energy_kwh", PP_COL_KWH }, { "cost", PP_COL_MONEY },
};

/*
 * energy --by month: each month's rooms summed from the roll-ups (SPANS),
 * as energy --by day's days would be.
 */
static int
month_rows(struct pp__run *run)
{
	pp__st *st;
	int rc;

	if ((rc = pp__report_start(run, &st)) != PP_OK)
		return rc;
	bind_spans(run, st);
	return pp__report_step(run, st, "daily");
}

const struct pp_report pp__report_energy_month = {
	.info = { "energy", "--from T --to T --by month [--building B] "
	    "[--floor F] [--room R] [--chart]", PP_OPERAND_NONE, 1 },
	PP__ENERGY_REPORT,
	.sql = "SELECT d.month, coalesce(b.name, ''), m.floor, m.room, "
	    "sum(d.wh), sum(d.e7) FROM meters m LEFT JOIN buildings b ON b.id "
	    "= m.building_id JOIN " SPANS " d ON d.meter_id = m.id WHERE "
	    PP__PLACE_SQL("3", "4", "5") " GROUP BY d.month, b.id, m.floor, "
	    "m.room HAVING sum(d.n) > 0 ORDER BY d.month, b.id NULLS FIRST, "
	    "m.floor, m.room",
	.rows = month_rows,
};

/* energy --per: the same report, by place over the whole period. */
const struct pp_report pp__report_energy_per = {
	.info = { "energy", "--from T --to T --per building|floor|room "
	    "[--building B] [--floor F] [--room R]", PP_OPERAND_NONE, 0 },
	.cols = per_cols,
	.ncols = PP__NELEM(per_cols),
	/* Each meter's sum first, from the roll-ups (SPANS). */
	.sql = "SELECT coalesce(b.name, ''), m.floor, m.room, "
	    "count(DISTINCT m.id), sum(d.wh), sum(d.e7) FROM meters m LEFT "
	    "JOIN buildings b ON b.id = m.building_id JOIN (SELECT meter_id, "
	    "sum(wh) AS wh, sum(e7) AS e7 FROM " SPANS " AS s GROUP BY meter_id "
	    "HAVING sum(n) > 0) d ON d.meter_id = m.id WHERE "
	    PP__PLACE_SQL("3", "4", "5") " GROUP BY b.id, m.floor, m.room "
	    "ORDER BY b.id NULLS FIRST, m.floor, m.room",
	.binds = { PP__BIND_DAY_LO, PP__BIND_DAY_HI, PP__BIND_BUILDING,
	    PP__BIND_FLOOR, PP__BIND_ROOM },
	.what = "daily",
	.rows = per_rows,
};
