/*
 * energy.c: energy --per building|floor|room, the energy office's
 * analysis by place (Acrel's 能耗分析): each place's energy and cost over
 * the whole period, a subtotal row closing each building (and, per room,
 * each floor), and a total row at the end.  A room's energy and cost are
 * summed from the daily roll-up and rounded once, to the 10 Wh and the fen
 * the columns show; every row above the rooms is the sum of those shown
 * figures, so the columns add up exactly.
 */
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
per_room(struct pp__run *run, struct per *p, sqlite3_stmt *st)
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
	p->g[ROOM].meters += sqlite3_column_int64(st, 3);
	p->g[ROOM].wh += round10(sqlite3_column_int64(st, 4));
	p->g[ROOM].fen += pp__fen_round(sqlite3_column_int64(st, 5));
	return PP_OK;
}

static int
per_rows(struct pp__run *run)
{
	static const char *const levels[] = { "building", "floor", "room" };
	struct per p;
	sqlite3_stmt *st;
	size_t i;
	int rc, src;

	memset(&p, 0, sizeof(p));
	for (i = 0; i < PP__NELEM(levels); i++)
		if (strcmp(run->opts.per, levels[i]) == 0)
			p.level = BUILDING + (int)i;
	if ((rc = pp__report_start(run, &st)) != PP_OK)
		return rc;
	while ((src = sqlite3_step(st)) == SQLITE_ROW)
		if ((rc = per_room(run, &p, st)) != PP_OK)
			break;
	sqlite3_reset(st);
	if (rc != PP_OK)
		return rc;
	if (src != SQLITE_DONE)
		return pp__sqlfail(run->db, "daily");
	if ((rc = per_close(run, &p, BUILDING)) != PP_OK)
		return rc;
	/* The total, also of nothing: the period held no energy. */
	return per_emit(run, &p, TOTAL, "total");
}

/* energy --per: the same report, by place over the whole period. */
const struct pp_report pp__report_energy_per = {
	.info = { "energy", "--from T --to T --per building|floor|room "
	    "[--building B] [--floor F] [--room R]", PP_OPERAND_NONE, 0 },
	.cols = per_cols,
	.ncols = PP__NELEM(per_cols),
	/*
	 * Each meter's sum first, from the roll-up's days in the period in
	 * the order it keeps them (day first: doc/design.md, "The store").
	 */
	.sql = "SELECT coalesce(b.name, ''), m.floor, m.room, "
	    "count(DISTINCT m.id), sum(d.wh), sum(d.e7) FROM meters m LEFT "
	    "JOIN buildings b ON b.id = m.building_id JOIN (SELECT meter_id, "
	    "sum(energy_wh) AS wh, sum(cost_e7) AS e7 FROM daily NOT INDEXED "
	    "WHERE day >= ?1 AND day <= ?2 GROUP BY meter_id) d ON d.meter_id = "
	    "m.id WHERE " PP__PLACE_SQL("3", "4", "5") " GROUP BY b.id, "
	    "m.floor, m.room ORDER BY b.id, m.floor, m.room",
	.binds = { PP__BIND_DAY_LO, PP__BIND_DAY_HI, PP__BIND_BUILDING,
	    PP__BIND_FLOOR, PP__BIND_ROOM },
	.what = "daily",
	.rows = per_rows,
};
