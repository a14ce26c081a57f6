/*
 * reports.c: the reports that are one query each: the money (sales, txns,
 * accounts, balances, audit, operators) and the site (status, energy,
 * counters, readings, alarms, lost, reconcile).  Each is a descriptor
 * (report.h); a few add a check before the output opens or a step that
 * completes each row.
 */
#include <stdlib.h>
#include <string.h>

#include "report.h"

/* ---- the money row, as sale, refund, reverse and txns print it ---- */

const pp_column pp_entry_columns[PP_ENTRY_NCOLS] = {
	{ "serial", PP_COL_TEXT }, { "time", PP_COL_TIME },
	{ "kind", PP_COL_TEXT }, { "account", PP_COL_TEXT },
	{ "name", PP_COL_TEXT }, { "meter", PP_COL_TEXT },
	{ "room", PP_COL_TEXT }, { "amount", PP_COL_MONEY },
	{ "method", PP_COL_TEXT }, { "balance", PP_COL_MONEY },
	{ "buy_count", PP_COL_INT }, { "ref", PP_COL_TEXT },
	{ "reverses", PP_COL_TEXT }, { "operator", PP_COL_TEXT },
	{ "remark", PP_COL_TEXT },
};

static void
entry_cells(const pp_entry *e, pp_cell c[PP_ENTRY_NCOLS])
{
	c[0] = PP__TEXT(e->serial);
	c[1] = PP__INT(e->time);
	c[2] = PP__TEXT(e->kind);
	c[3] = PP__TEXT(e->account);
	c[4] = PP__TEXT(e->name);
	c[5] = PP__TEXT(e->meter);
	c[6] = PP__TEXT(e->room);
	c[7] = PP__INT(e->amount);
	c[8] = PP__TEXT(e->method);
	c[9] = PP__INT(e->balance);
	/* No purchase count is none, not 0. */
	c[10] = (pp_cell){ .set = e->buy_count != 0, .i = e->buy_count };
	c[11] = PP__TEXT(e->ref);
	c[12] = PP__TEXT(e->reverses);
	c[13] = PP__TEXT(e->operator);
	c[14] = PP__TEXT(e->remark);
}

void
pp_entry_values(const pp_entry *e, struct pp_entry_text *t,
    const char *v[PP_ENTRY_NCOLS])
{
	pp_cell c[PP_ENTRY_NCOLS];
	int i;

	entry_cells(e, c);
	for (i = 0; i < PP_ENTRY_NCOLS; i++)
		v[i] = pp__cell_format(pp_entry_columns[i].type, &c[i],
		    t->cell[i]);
}

/* ---- sales: the money by day, month or year ---- */

static const pp_column sales_cols[] = {
	{ NULL, PP_COL_TEXT }, { "operator", PP_COL_TEXT },
	{ "method", PP_COL_TEXT }, { "sales", PP_COL_INT },
	{ "sales_amount", PP_COL_MONEY }, { "refunds", PP_COL_INT },
	{ "refunds_amount", PP_COL_MONEY }, { "reversals", PP_COL_INT },
	{ "reversals_amount", PP_COL_MONEY }, { "opens", PP_COL_INT },
	{ "opens_amount", PP_COL_MONEY }, { "closes", PP_COL_INT },
	{ "closes_amount", PP_COL_MONEY }, { "net", PP_COL_MONEY },
};

static int
sales_check(struct pp__run *run)
{
	static const char *const by[][2] = { { "day", "%Y-%m-%d" },
	    { "month", "%Y-%m" }, { "year", "%Y" } };
	struct pp_report_opts *r = &run->opts;
	size_t i;

	if (r->by == NULL)
		r->by = "day";
	for (i = 0; i < PP__NELEM(by); i++)
		if (strcmp(r->by, by[i][0]) == 0)
			run->pattern = by[i][1];
	if (run->pattern == NULL)
		return pp__fail(run->db, PP_EUSAGE,
		    "--by %s: use day, month or "
		    "year", pp_q(r->by));
	/* The operator and method columns only when grouped by them. */
	if (!r->by_operator)
		run->hide |= 1u << 1;
	if (!r->by_method)
		run->hide |= 1u << 2;
	return PP_OK;
}

/* A kind's count and amount, from each quarter's kinds. */
#define KIND_TOTALS(k) \
	"sum(CASE kind WHEN '" k "' THEN n ELSE 0 END), sum(CASE kind WHEN '" \
	k "' THEN a ELSE 0 END), "

/*
 * The rows are counted and summed by quarter of an hour and kind first,
 * in the ledger's time order, and only each quarter's start is turned
 * into local time: every zone's offset and change of offset falls on a
 * quarter, and localtime() for each of a year's rows was most of the
 * report's time; then each kind's are put in its columns, which is ten
 * sums of each quarter's few kinds instead of each of a year's rows.
 */
const struct pp_report pp__report_sales = {
	.info = { "sales", "--by day|month|year [--by-operator] [--by-method] "
	    "[--from T] [--to T] [--chart]", PP_OPERAND_NONE, 1 },
	.cols = sales_cols,
	.ncols = PP__NELEM(sales_cols),
	.chart_value = 13,
	.sql = "SELECT strftime(?1, q * 900, 'unixepoch', 'localtime') AS p, "
	    "o, m, " KIND_TOTALS("sale") KIND_TOTALS("refund")
	    KIND_TOTALS("reverse") KIND_TOTALS("open") KIND_TOTALS("close")
	    "sum(a) FROM (SELECT time / 900 AS q, "
	    "CASE WHEN ?2 <> 0 THEN operator ELSE '' END AS o, "
	    "CASE WHEN ?3 <> 0 THEN method ELSE '' END AS m, kind, "
	    "count(*) AS n, "
	    "sum(amount) AS a FROM ledger WHERE time >= ?4 AND time < ?5 "
	    "GROUP BY q, o, m, kind) AS t GROUP BY p, o, m ORDER BY p, o, m",
	.binds = { PP__BIND_PATTERN, PP__BIND_BY_OPERATOR, PP__BIND_BY_METHOD,
	    PP__BIND_FROM, PP__BIND_TO },
	.check = sales_check,
};

/* ---- txns: the money rows ---- */

/*
 * Each row as the money tools print it, from one statement of their
 * entries' columns, the wallet rows' meters included (PP__ENTRY_SQL).
 */
static int
txns_rows(struct pp__run *run)
{
	pp_cell cells[PP_ENTRY_NCOLS];
	pp__st *st;
	pp_entry e;
	int rc, step;

	if ((rc = pp__report_start(run, &st)) != PP_OK)
		return rc;
	while ((step = pp__step(st)) == PP__ROW) {
		pp__entry_row(st, &e);
		entry_cells(&e, cells);
		if ((rc = pp__report_emit(run, cells)) != PP_OK)
			break;
	}
	pp__reset(st);
	if (rc != PP_OK)
		return rc;
	return step == PP__DONE ? PP_OK : pp__sqlfail(run->db, "report");
}

const struct pp_report pp__report_txns = {
	.info = { "txns", "[--kind K] [--account A] [--meter M] "
	    "[--operator LOGIN] [--from T] [--to T]", PP_OPERAND_NONE, 0 },
	.cols = pp_entry_columns,
	.ncols = PP_ENTRY_NCOLS,
	.sql = PP__ENTRY_SQL " WHERE l.time >= ?1 AND l.time < ?2 "
	    "AND (?3 IS NULL OR l.kind = ?3) AND (?4 IS NULL OR a.account = ?4) "
	    "AND (?5 IS NULL OR l.operator = ?5) AND (?6 IS NULL OR "
	    "l.meter_id = (SELECT id FROM meters WHERE meter = ?6) OR "
	    "(l.meter_id IS NULL AND EXISTS (SELECT 1 FROM account_meters am "
	    "JOIN meters m ON m.id = am.meter_id WHERE m.meter = ?6 AND "
	    "am.account_id = l.account_id AND am.attached <= l.time AND "
	    "(am.detached IS NULL OR am.detached >= l.time)))) ORDER BY l.id",
	.binds = { PP__BIND_FROM, PP__BIND_TO, PP__BIND_KIND, PP__BIND_ACCOUNT,
	    PP__BIND_LOGIN, PP__BIND_METER },
	.rows = txns_rows,
};

/* ---- accounts and balances ---- */

static const pp_column accounts_cols[] = {
	{ "account", PP_COL_TEXT }, { "name", PP_COL_TEXT },
	{ "phone", PP_COL_TEXT }, { "state", PP_COL_TEXT },
	{ "meter", PP_COL_TEXT }, { "room", PP_COL_TEXT },
	{ "opened", PP_COL_TIME }, { "closed", PP_COL_TIME },
	{ "balance", PP_COL_MONEY },
};

static const pp_column balances_cols[] = {
	{ "account", PP_COL_TEXT }, { "name", PP_COL_TEXT },
	{ "phone", PP_COL_TEXT }, { "meter", PP_COL_TEXT },
	{ "room", PP_COL_TEXT }, { "balance", PP_COL_MONEY },
};

/* A closed account shows the meters it had when it closed. */
#define ACCOUNT_METERS \
	"(SELECT group_concat(meter, ';') FROM (SELECT m.meter FROM " \
	"account_meters am JOIN meters m ON m.id = am.meter_id WHERE " \
	"am.account_id = a.id AND (am.detached IS NULL OR am.detached = " \
	"a.closed) ORDER BY am.rowid) AS t), (SELECT group_concat(room, ';') " \
	"FROM " \
	"(SELECT DISTINCT m.room FROM account_meters am JOIN meters m ON " \
	"m.id = am.meter_id WHERE am.account_id = a.id AND m.room <> '' AND " \
	"(am.detached IS NULL OR am.detached = a.closed)) AS t)"
/* The balance, the last column, is the account_balances view's. */
#define ACCOUNTS_FROM \
	"(SELECT balance FROM account_balances WHERE account_id = a.id) " \
	"FROM accounts a WHERE (?1 IS NULL OR " \
	"a.state = ?1) AND ((a.opened >= ?2 AND a.opened < ?3) OR " \
	"(a.closed >= ?2 AND a.closed < ?3)) AND (?4 IS NULL OR " \
	"lower(a.account) LIKE lower(?4) ESCAPE '\\' OR lower(a.name) LIKE " \
	"lower(?4) ESCAPE '\\' OR lower(a.phone) LIKE lower(?4) ESCAPE '\\' " \
	"OR EXISTS (SELECT 1 FROM account_meters am JOIN meters m ON m.id = " \
	"am.meter_id WHERE am.account_id = a.id AND (am.detached IS NULL OR " \
	"am.detached = a.closed) AND (lower(m.room) LIKE lower(?4) ESCAPE " \
	"'\\' OR lower(m.meter) LIKE lower(?4) ESCAPE '\\'))) ORDER BY " \
	"a.account"

/*
 * --find TEXT: a LIKE pattern that finds TEXT anywhere, its own % and _
 * (and the escape) taken literally; SQLite's LIKE ignores the case of
 * Latin letters.
 */
static int
find_pattern(struct pp__run *run)
{
	const char *p = run->opts.find;
	size_t n = 0;

	if (p == NULL)
		return PP_OK;
	if (*p == '\0')
		return pp__fail(run->db, PP_EUSAGE, "--find: give the text to "
		    "find");
	run->find[n++] = '%';
	for (; *p != '\0'; p++) {
		if (n + 4 > sizeof(run->find))
			return pp__fail(run->db, PP_EUSAGE, "--find: too long");
		if (*p == '%' || *p == '_' || *p == '\\')
			run->find[n++] = '\\';
		run->find[n++] = *p;
	}
	run->find[n++] = '%';
	run->find[n] = '\0';
	return PP_OK;
}

/* A search is of the open accounts unless --state says otherwise. */
static int
accounts_check(struct pp__run *run)
{
	const char *state;

	if (run->opts.find != NULL && run->opts.state == NULL)
		run->opts.state = "open";
	state = run->opts.state;
	if (state && strcmp(state, "open") && strcmp(state, "closed"))
		return pp__fail(run->db, PP_EUSAGE, "--state %s: use open or "
		    "closed", pp_q(state));
	return find_pattern(run);
}

static int
balances_check(struct pp__run *run)
{
	if (run->opts.state == NULL)
		run->opts.state = "open";
	return accounts_check(run);
}

const struct pp_report pp__report_accounts = {
	.info = { "accounts", "[--state open|closed] [--find TEXT] [--from T] "
	    "[--to T]", PP_OPERAND_NONE, 0 },
	.cols = accounts_cols,
	.ncols = PP__NELEM(accounts_cols),
	.sql = "SELECT a.account, a.name, a.phone, a.state, " ACCOUNT_METERS
	    ", a.opened, a.closed, " ACCOUNTS_FROM,
	.binds = { PP__BIND_STATE, PP__BIND_FROM, PP__BIND_TO, PP__BIND_FIND },
	.check = accounts_check,
};

const struct pp_report pp__report_balances = {
	.info = { "balances", "[--state open|closed] [--find TEXT]",
	    PP_OPERAND_NONE, 0 },
	.cols = balances_cols,
	.ncols = PP__NELEM(balances_cols),
	.sql = "SELECT a.account, a.name, a.phone, " ACCOUNT_METERS ", "
	    ACCOUNTS_FROM,
	.binds = { PP__BIND_STATE, PP__BIND_FROM, PP__BIND_TO, PP__BIND_FIND },
	.check = balances_check,
};

/* ---- audit: who ran what ---- */

static const pp_column audit_cols[] = {
	{ "time", PP_COL_TIME }, { "operator", PP_COL_TEXT },
	{ "tool", PP_COL_TEXT }, { "args", PP_COL_TEXT },
	{ "exit", PP_COL_INT }, { "summary", PP_COL_TEXT },
};

const struct pp_report pp__report_audit = {
	.info = { "audit", "[--from T] [--to T] [--login LOGIN]",
	    PP_OPERAND_NONE, 0 },
	.cols = audit_cols,
	.ncols = PP__NELEM(audit_cols),
	.sql = "SELECT time, login, tool, args, exit, summary FROM audit WHERE "
	    "time >= ?1 AND time < ?2 AND (?3 IS NULL OR login = ?3) "
	    "ORDER BY id",
	.binds = { PP__BIND_FROM, PP__BIND_TO, PP__BIND_LOGIN },
};

/* ---- operators: who may run the tools, and their names ---- */

static const pp_column operators_cols[] = {
	{ "login", PP_COL_TEXT }, { "name", PP_COL_TEXT },
	{ "role", PP_COL_TEXT }, { "source", PP_COL_TEXT },
};

const struct pp_report pp__report_operators = {
	.info = { "operators", "", PP_OPERAND_NONE, 0 },
	.cols = operators_cols,
	.ncols = PP__NELEM(operators_cols),
	.sql = "SELECT login, coalesce(name, ''), role, source FROM operators "
	    "ORDER BY login",
	.what = "operators",
};

/* ---- status: the site board ---- */

static const char *const board_states[] = { "open", "low1", "low2",
    "arrears", "unopened", "lost", "unfunded" };
static const enum pp_color board_colors[] = { PP_COLOR_NONE, PP_COLOR_CYAN,
    PP_COLOR_YELLOW, PP_COLOR_MAGENTA, PP_COLOR_DIM, PP_COLOR_RED,
    PP_COLOR_DIM };

static const pp_column status_cols[] = {
	{ "meter", PP_COL_TEXT }, { "building", PP_COL_TEXT },
	{ "room", PP_COL_TEXT }, { "account", PP_COL_TEXT },
	{ "name", PP_COL_TEXT }, { "state", PP_COL_TEXT },
	{ "balance", PP_COL_MONEY }, { "power_w", PP_COL_INT },
	{ "alarm1", PP_COL_MONEY }, { "relay", PP_COL_TEXT },
	{ "keep", PP_COL_TEXT }, { "time", PP_COL_TIME },
	{ "age_min", PP_COL_INT }, { "age_s", PP_COL_INT },
};

static int
status_check(struct pp__run *run)
{
	const char *state = run->opts.state;
	size_t i;

	run->want = -1;
	for (i = 0; state && i < PP__NELEM(board_states); i++)
		if (strcmp(state, board_states[i]) == 0)
			run->want = (int)i;
	if (state && run->want < 0)
		return pp__fail(run->db, PP_EUSAGE,
		    "--state %s: use open, low1, "
		    "low2, arrears, unfunded, unopened or lost", pp_q(state));
	/* The site's thresholds, which the query binds. */
	run->alarm1 = pp__setting_int(run->db, "alarm1", -1);
	run->alarm2 = pp__setting_int(run->db, "alarm2", -1);
	return PP_OK;
}

/*
 * The state, from the facts after the columns, and the balance: the
 * account's, or what its wallet meter holds once read, the same one
 * alarm-scan judges.
 */
static int
status_row(struct pp__run *run, pp__st *st, pp_cell *c)
{
	int opened = pp__col_int(st, 15), s;
	int64_t age, balance, alarm1 = c[8].i;
	int64_t alarm2 = pp__col_int64(st, 18);

	balance = pp__col_int64(st, !pp__col_null(st, 17) ? 17 : 16);
	/*
	 * The reading age since the meter's last reading: whole minutes, and
	 * seconds for a site polled continuously.
	 */
	if (!pp__col_null(st, 19)) {
		age = pp_now() - pp__col_int64(st, 19);
		c[12] = (pp_cell){ .set = 1, .i = age / 60 };
		c[13] = (pp_cell){ .set = 1, .i = age };
	}
	if (pp__col_int(st, 14))
		s = 5;
	else if (!opened)
		s = 4;
	else if (balance <= 0)
		s = pp__col_int(st, 20) ? 6 : 3;
	else if (alarm2 >= 0 && balance < alarm2)
		s = 2;
	else if (alarm1 >= 0 && balance < alarm1)
		s = 1;
	else
		s = 0;
	if (run->want >= 0 && s != run->want)
		return 0;
	c[5] = PP__TEXT(board_states[s]);
	c[6] = (pp_cell){ .set = opened, .i = balance };
	c[8].set = alarm1 >= 0;
	run->color = board_colors[s];
	return 1;
}

const struct pp_report pp__report_status = {
	.info = { "status", "[--building B] [--floor F] [--state S]",
	    PP_OPERAND_NONE, 0 },
	.cols = status_cols,
	.ncols = PP__NELEM(status_cols),
	.sql = "SELECT m.meter, coalesce(b.name, ''), m.room, "
	    "coalesce(a.account, ''), coalesce(a.name, ''), NULL, NULL, "
	    "m.power_w, coalesce(m.alarm1, ?1), coalesce(m.relay, ''), m.keep, "
	    "m.last_seen, NULL, NULL, m.state = 'lost', a.id IS NOT NULL AND "
	    "a.state = "
	    "'open', (SELECT balance FROM account_balances WHERE account_id = "
	    "a.id), (SELECT CASE WHEN w.billing = 'meter' "
	    "THEN w.meter_balance END FROM meters w WHERE w.account_id = a.id "
	    "ORDER BY w.billing = 'meter' DESC, w.id LIMIT 1), "
	    "coalesce(m.alarm2, ?2), m.reading_time, " PP_UNFUNDED_SQL " FROM "
	    "meters m LEFT JOIN buildings b ON "
	    "b.id = m.building_id LEFT JOIN accounts a ON a.id = m.account_id "
	    "WHERE (?3 IS NULL OR b.name = ?3) AND (?4 IS NULL OR m.floor = ?4) "
	    "ORDER BY b.id NULLS FIRST, m.floor, m.room, m.meter",
	.binds = { PP__BIND_ALARM1, PP__BIND_ALARM2, PP__BIND_BUILDING,
	    PP__BIND_FLOOR },
	.check = status_check,
	.row = status_row,
};

/* ---- energy: per location per day or month, from the roll-ups ---- */

/*
 * The days of the daily roll-up that [from, to) touches, as the inclusive
 * range lo..hi of "YYYY-MM-DD".
 */
static void
day_range(const struct pp_report_opts *r, char lo[PP_TIMEBUF],
    char hi[PP_TIMEBUF])
{
	if (r->from == INT64_MIN)
		snprintf(lo, PP_TIMEBUF, "0000-00-00");
	else
		pp__day_format(r->from, lo);
	if (r->to == INT64_MAX)
		snprintf(hi, PP_TIMEBUF, "9999-99-99");
	else
		pp__day_format(r->to - 1, hi);
}

/*
 * --per is where, over the whole period; --by is when: the one or the
 * other.
 */
static int
energy_per_check(struct pp__run *run)
{
	const char *per = run->opts.per;

	if (strcmp(per, "building") && strcmp(per, "floor") &&
	    strcmp(per, "room"))
		return pp__fail(run->db, PP_EUSAGE, "--per %s: use building, "
		    "floor or room", pp_q(per));
	if (run->opts.by != NULL)
		return pp__fail(run->db, PP_EUSAGE, "--per totals the whole "
		    "period: leave out --by");
	if (run->opts.chart)
		return pp__fail(run->db, PP_EUSAGE, "--per has no chart: its "
		    "subtotals are the summary");
	run->rep = &pp__report_energy_per;
	return PP_OK;
}

static int
energy_check(struct pp__run *run)
{
	struct pp_report_opts *r = &run->opts;
	int rc;

	if (r->per != NULL && (rc = energy_per_check(run)) != PP_OK)
		return rc;
	if (r->by == NULL)
		r->by = "day";
	if (strcmp(r->by, "day") && strcmp(r->by, "month"))
		return pp__fail(run->db, PP_EUSAGE, "--by %s: use day or month",
		    pp_q(r->by));
	if ((rc = pp__report_need_times(run)) != PP_OK)
		return rc;
	day_range(r, run->lo, run->hi);
	/* By day from the days, by month from the months (energy.c). */
	if (strcmp(r->by, "month") == 0 && run->rep == &pp__report_energy)
		run->rep = &pp__report_energy_month;
	return PP_OK;
}

const struct pp_report pp__report_energy = {
	.info = { "energy", "--from T --to T [--by day|month | --per "
	    "building|floor|room] [--building B] [--floor F] [--room R] "
	    "[--chart]", PP_OPERAND_NONE, 1 },
	PP__ENERGY_REPORT,
	.sql = "SELECT d.day, coalesce(b.name, ''), m.floor, m.room, "
	    "sum(d.energy_wh), sum(d.cost_e7) FROM meters m LEFT JOIN "
	    "buildings b ON b.id = m.building_id JOIN daily d ON d.meter_id = "
	    "m.id AND d.day >= ?1 AND d.day <= ?2 WHERE " PP__PLACE_SQL("3",
	    "4", "5") " GROUP BY d.day, b.id, m.floor, m.room ORDER BY d.day, "
	    "b.id NULLS FIRST, m.floor, m.room",
	.check = energy_check,
};

/* ---- counters: every meter's counter at both ends of a period ---- */

static const pp_column counters_cols[] = {
	{ "meter", PP_COL_TEXT }, { "building", PP_COL_TEXT },
	{ "floor", PP_COL_TEXT }, { "room", PP_COL_TEXT },
	{ "start_time", PP_COL_TIME }, { "start_kwh", PP_COL_KWH },
	{ "end_time", PP_COL_TIME }, { "end_kwh", PP_COL_KWH },
	{ "energy_kwh", PP_COL_KWH }, { "message", PP_COL_TEXT },
};

/*
 * A meter's last good reading (not flagged, with a counter) at or before
 * t, or its first in (t, to], of the store's two tables (doc/design.md,
 * "The store"), as one column "TIME WH": the query's own searches by key,
 * one a table, so that the row needs no statement of its own (four a
 * meter, each a round trip on a server, were 41 times SQLite's time).
 */
#define COUNTER_SQL(cond, dir) PP__READING_FIRST("r.time || ' ' || " \
	"r.energy_wh", "m.id", PP__READING_GOOD " AND " cond, dir)

/* A reading at one end of the period. */
struct counter {
	int	set;
	int64_t	time, wh;
};

/* The reading of column col of st (COUNTER_SQL), if it has one. */
static void
counter_found(pp__st *st, int col, struct counter *c)
{
	const char *text = pp__col_str(st, col);
	char *end;

	memset(c, 0, sizeof(*c));
	if (text == NULL)
		return;
	c->time = strtoll(text, &end, 10);
	c->wh = strtoll(end, NULL, 10);
	c->set = 1;
}

/*
 * The counter a day's row keeps at the day's end, in columns col and
 * col + 1 of st, else the reading found in column found.
 */
static void
counter_at(pp__st *st, int col, int found, struct counter *c)
{
	if (pp__col_null(st, col)) {
		counter_found(st, found, c);
		return;
	}
	memset(c, 0, sizeof(*c));
	c->set = 1;
	c->time = pp__col_int64(st, col);
	c->wh = pp__col_int64(st, col + 1);
}

/*
 * A swap (meter-swap) detaches one meter from its account and attaches
 * another in the same second: the other meter's name, looked for only
 * when the meter was detached (or attached) within the period.
 */
#define SWAP_OTHER(when, mine, other, at) \
	"CASE WHEN " when " IS NOT NULL THEN (SELECT meter FROM meters WHERE " \
	"id = (SELECT " other ".meter_id FROM account_meters x JOIN " \
	"account_meters y ON y.account_id = x.account_id AND y.attached = " \
	"x.detached AND y.meter_id <> x.meter_id WHERE " mine ".meter_id = " \
	"m.id AND " at " > ?1 AND " at " <= ?2 LIMIT 1)) END"
/* Each meter's first detach (or attach) within the period. */
#define FIRST_CHANGE(at) \
	"(SELECT meter_id, min(" at ") AS at FROM account_meters WHERE " at \
	" > ?1 AND " at " <= ?2 GROUP BY meter_id)"

/*
 * The days --from and --to end, when they are midnights: their rows of
 * the daily roll-up keep each meter's counter at the day's end (migration
 * 25), which the query joins; else no day, and the query searches.
 */
static int
counters_check(struct pp__run *run)
{
	int64_t ends[2] = { run->opts.from, run->opts.to };
	char *day[2] = { run->lo, run->hi };
	int i, rc;

	if ((rc = pp__report_need_times(run)) != PP_OK)
		return rc;
	for (i = 0; i < 2; i++)
		if (pp__unit_start(ends[i], PP_DAY) == ends[i])
			pp__day_format(ends[i] - 1, day[i]);
		else
			day[i][0] = '\0';
	return PP_OK;
}

static void
counters_note(struct pp__run *run, const char *fmt, const char *a,
    const char *b)
{
	size_t n = strlen(run->note);

	snprintf(run->note + n, sizeof(run->note) - n, "%s", n ? "; " : "");
	n = strlen(run->note);
	snprintf(run->note + n, sizeof(run->note) - n, fmt, a, b);
}

/*
 * The meter's counter at both ends: its last good reading at or before
 * --from, else its first after it, and its last at or before --to; and
 * what the row needs said: a start after --from, a counter that went back
 * (no difference then), flagged readings left out, a swap within the
 * period.
 */
static int
counters_row(struct pp__run *run, pp__st *st, pp_cell *c)
{
	char t[PP_TIMEBUF], from[PP_NUMBUF], to[PP_NUMBUF];
	struct counter start, end;

	counter_at(st, 16, 20, &start);
	counter_at(st, 18, 21, &end);
	if (start.set) {
		c[4] = PP__INT(start.time);
		c[5] = PP__INT(start.wh);
	}
	if (end.set) {
		c[6] = PP__INT(end.time);
		c[7] = PP__INT(end.wh);
	}
	run->note[0] = '\0';
	if (c[5].set && c[7].set)
		c[8] = PP__INT(c[7].i - c[5].i);
	if (!c[6].set)
		counters_note(run, "no reading at or before --to%s%s", "", "");
	else if (!c[4].set || c[4].i > run->opts.from)
		counters_note(run, "starts at its first reading, %s, after "
		    "--from%s", pp_time_format(c[4].i, t), "");
	if (c[8].set && c[8].i < 0) {
		c[8].set = 0;
		counters_note(run, "the counter went back from %s to %s: "
		    "replaced without meter-swap?", pp__energy_format(c[5].i,
		    from), pp__energy_format(c[7].i, to));
	}
	if (pp__col_int(st, 15) > 0) {
		snprintf(from, sizeof(from), "%d", pp__col_int(st, 15));
		counters_note(run, "%s flagged reading%s left out", from,
		    pp__col_int(st, 15) > 1 ? "s" : "");
	}
	if (!pp__col_null(st, 11))
		counters_note(run, "swapped for %s at %s: ends at its final "
		    "reading", pp__col_str(st, 11),
		    pp_time_format(pp__col_int64(st, 12), t));
	if (!pp__col_null(st, 13))
		counters_note(run, "put in for %s at %s", pp__col_str(st, 13), pp_time_format(
		    pp__col_int64(st, 14), t));
	c[9] = PP__TEXT(run->note);
	return 1;
}

const struct pp_report pp__report_counters = {
	.info = { "counters", "--from T --to T [--building B] [--floor F] "
	    "[--room R]", PP_OPERAND_NONE, 0 },
	.cols = counters_cols,
	.ncols = PP__NELEM(counters_cols),
	/*
	 * The meters in the place's order, with what a swap and the
	 * flagged readings need said, the counters the days --from and
	 * --to end keep (counters_check), and where a day keeps none, the
	 * readings searched (COUNTER_SQL); which counters are the ends, the
	 * energy and whether the period starts late are counters_row's.
	 */
	.sql = "SELECT m.meter, coalesce(b.name, ''), m.floor, m.room, NULL, "
	    "NULL, NULL, NULL, NULL, NULL, m.id, " SWAP_OTHER("o.at", "x", "y",
	    "x.detached") ", o.at, " SWAP_OTHER("i.at", "y", "x", "y.attached")
	    ", i.at, (SELECT count(*) FROM reading_rows r INDEXED BY "
	    "reading_rows_flagged WHERE r.meter_id = m.id AND r.status >= 8 "
	    "AND r.time > ?1 AND r.time <= ?2) + (SELECT count(*) FROM "
	    "reading_recent r WHERE r.meter_id = m.id AND r.status >= 8 AND "
	    "r.time > ?1 AND r.time <= ?2), s.last_time, s.last_wh, "
	    "e.last_time, e.last_wh, CASE WHEN s.last_time IS NULL THEN "
	    "coalesce(" COUNTER_SQL("r.time <= ?1", "DESC") ", "
	    COUNTER_SQL("r.time > ?1 AND r.time <= ?2", "") ") END, CASE WHEN "
	    "e.last_time IS NULL THEN " COUNTER_SQL("r.time <= ?2", "DESC")
	    " END FROM meters m LEFT JOIN buildings b "
	    "ON b.id = m.building_id LEFT JOIN " FIRST_CHANGE("detached") " o "
	    "ON o.meter_id = m.id LEFT JOIN " FIRST_CHANGE("attached") " i ON "
	    "i.meter_id = m.id LEFT JOIN daily s ON s.day = ?6 AND s.meter_id = "
	    "m.id LEFT JOIN daily e ON e.day = ?7 AND e.meter_id = m.id WHERE "
	    PP__PLACE_SQL("3", "4", "5") " ORDER BY b.id NULLS FIRST, m.floor, "
	    "m.room, m.meter",
	.binds = { PP__BIND_FROM, PP__BIND_TO, PP__BIND_BUILDING,
	    PP__BIND_FLOOR, PP__BIND_ROOM, PP__BIND_DAY_LO, PP__BIND_DAY_HI },
	.what = "readings",
	.check = counters_check,
	.row = counters_row,
};

/* ---- readings: one meter's history ---- */

static const pp_column readings_cols[] = {
	{ "time", PP_COL_TIME }, { "source", PP_COL_TEXT },
	{ "energy_kwh", PP_COL_KWH }, { "power_w", PP_COL_INT },
	{ "voltage_v", PP_COL_VOLT }, { "current_a", PP_COL_AMP },
	{ "balance", PP_COL_MONEY }, { "buy_count", PP_COL_INT },
	{ "relay", PP_COL_TEXT }, { "flag", PP_COL_TEXT },
	{ "cost", PP_COL_MONEY },
};

const struct pp_report pp__report_readings = {
	.info = { "readings", "METER [--from T] [--to T]", PP_OPERAND_METER,
	    0 },
	.cols = readings_cols,
	.ncols = PP__NELEM(readings_cols),
	.e7 = 1u << 10,
	.sql = "SELECT time, source, energy_wh, power_w, voltage_dv, "
	    "current_ma, balance, buy_count, coalesce(relay, ''), "
	    "coalesce(flag, ''), cost_e7 FROM readings WHERE meter_id = ?1 AND "
	    "time >= ?2 AND time < ?3 ORDER BY time, id",
	.binds = { PP__BIND_ID, PP__BIND_FROM, PP__BIND_TO },
	.what = "readings",
	.check = pp__report_meter_id,
};

/* ---- alarms: live and historical ---- */

static const pp_column alarms_cols[] = {
	{ "time", PP_COL_TIME }, { "level", PP_COL_INT },
	{ "alarm", PP_COL_TEXT }, { "meter", PP_COL_TEXT },
	{ "gateway", PP_COL_TEXT }, { "account", PP_COL_TEXT },
	{ "name", PP_COL_TEXT }, { "room", PP_COL_TEXT },
	{ "value", PP_COL_TEXT }, { "message", PP_COL_TEXT },
	{ "cleared", PP_COL_TIME }, { "notified", PP_COL_TIME },
};

/*
 * An account's alarm names each of the account's meters, as alarm-scan
 * prints it, so that a pipe to meter-ctl reaches them.
 */
const struct pp_report pp__report_alarms = {
	.info = { "alarms", "[--open] [--kind K] [--from T] [--to T]",
	    PP_OPERAND_NONE, 0 },
	.cols = alarms_cols,
	.ncols = PP__NELEM(alarms_cols),
	.sql = "SELECT l.raised, l.level, l.kind, coalesce(m.meter, ''), "
	    "coalesce(g.name, ''), coalesce(a.account, ''), "
	    "coalesce(a.name, ''), coalesce(m.room, ''), "
	    "coalesce(l.value, ''), coalesce(l.message, ''), l.cleared, "
	    "coalesce(l.notified, l.resident_sent, l.manager_sent) FROM alarms "
	    "l LEFT JOIN accounts a ON a.id = coalesce(l.account_id, (SELECT "
	    "account_id FROM meters WHERE id = l.meter_id)) LEFT JOIN meters m "
	    "ON (l.meter_id IS NOT NULL AND m.id = l.meter_id) OR (l.meter_id "
	    "IS NULL AND l.account_id IS NOT NULL AND m.account_id = "
	    "l.account_id) LEFT JOIN gateways g ON g.id = coalesce("
	    "l.gateway_id, m.gateway_id) WHERE l.raised >= ?1 AND l.raised < "
	    "?2 AND (?3 IS NULL OR l.kind = ?3) AND (?4 = 0 OR l.cleared IS "
	    "NULL) ORDER BY l.raised, l.id, m.id",
	.binds = { PP__BIND_FROM, PP__BIND_TO, PP__BIND_KIND,
	    PP__BIND_OPEN_ONLY },
	.what = "alarms",
};

/* ---- lost: out of contact, since when ---- */

static const pp_column lost_meters_cols[] = {
	{ "meter", PP_COL_TEXT }, { "gateway", PP_COL_TEXT },
	{ "building", PP_COL_TEXT }, { "floor", PP_COL_TEXT },
	{ "room", PP_COL_TEXT }, { "account", PP_COL_TEXT },
	{ "name", PP_COL_TEXT }, { "since", PP_COL_TIME },
	{ "time", PP_COL_TIME },
};

static const pp_column lost_gateways_cols[] = {
	{ "gateway", PP_COL_TEXT }, { "building", PP_COL_TEXT },
	{ "address", PP_COL_TEXT }, { "since", PP_COL_TIME },
	{ "meters", PP_COL_INT }, { "lost", PP_COL_INT },
	{ "time", PP_COL_TIME },
};

/* lost --gateways: the same report, of the gateways. */
static const struct pp_report lost_gateways = {
	.info = { "lost", "[--gateways]", PP_OPERAND_NONE, 0 },
	.cols = lost_gateways_cols,
	.ncols = PP__NELEM(lost_gateways_cols),
	.sql = "SELECT g.name, coalesce(b.name, ''), g.address, g.state_since, "
	    "(SELECT count(*) FROM meters m WHERE m.gateway_id = g.id), "
	    "(SELECT count(*) FROM meters m WHERE m.gateway_id = g.id AND "
	    "m.state = 'lost'), (SELECT max(m.last_seen) FROM meters m WHERE "
	    "m.gateway_id = g.id) FROM gateways g LEFT JOIN buildings b ON "
	    "b.id = g.building_id WHERE g.state = 'lost' ORDER BY "
	    "g.state_since NULLS FIRST, g.name",
	.what = "lost",
};

static int
lost_check(struct pp__run *run)
{
	if (run->opts.gateways)
		run->rep = &lost_gateways;
	return PP_OK;
}

const struct pp_report pp__report_lost = {
	.info = { "lost", "[--gateways]", PP_OPERAND_NONE, 0 },
	.cols = lost_meters_cols,
	.ncols = PP__NELEM(lost_meters_cols),
	.sql = "SELECT m.meter, coalesce(g.name, ''), coalesce(b.name, ''), "
	    "m.floor, m.room, coalesce(a.account, ''), coalesce(a.name, ''), "
	    "m.state_since, m.last_seen FROM meters m LEFT JOIN gateways g ON "
	    "g.id = m.gateway_id LEFT JOIN buildings b ON b.id = "
	    "m.building_id LEFT JOIN accounts a ON a.id = m.account_id WHERE "
	    "m.state = 'lost' ORDER BY m.state_since NULLS FIRST, "
	    "m.meter",
	.what = "lost",
	.check = lost_check,
};

/* ---- reconcile: meter wallets against the ledger ---- */

static const pp_column reconcile_cols[] = {
	{ "meter", PP_COL_TEXT }, { "account", PP_COL_TEXT },
	{ "name", PP_COL_TEXT }, { "room", PP_COL_TEXT },
	{ "balance", PP_COL_MONEY }, { "buy_count", PP_COL_INT },
	{ "sold", PP_COL_MONEY }, { "ledger_count", PP_COL_INT },
	{ "pending", PP_COL_INT }, { "pending_amount", PP_COL_MONEY },
	{ "result", PP_COL_TEXT }, { "message", PP_COL_TEXT },
};

/* The verdict on the wallet facts, which stand from column 4 on. */
static int
reconcile_row(struct pp__run *run, pp__st *st, pp_cell *c)
{
	c[10] = PP__TEXT(pp__wallet_verdict(st, 4,
	    pp__lang_zh(run->opts.lang, run->fmt), run->note,
	    sizeof(run->note)));
	c[11] = PP__TEXT(run->note);
	return 1;
}

const struct pp_report pp__report_reconcile = {
	.info = { "reconcile", "", PP_OPERAND_NONE, 0 },
	.cols = reconcile_cols,
	.ncols = PP__NELEM(reconcile_cols),
	.sql = "SELECT m.meter, coalesce(a.account, ''), coalesce(a.name, ''), "
	    "m.room, " PP_WALLET_FACTS_SQL " FROM meters m JOIN meter_wallets w "
	    "ON w.meter_id = m.id LEFT JOIN accounts a ON a.id = m.account_id "
	    "WHERE m.billing = 'meter' ORDER BY m.meter",
	.what = "reconcile",
	.row = reconcile_row,
};
