/*
 * report.c: the reports and queries of the service hall.  Each one opens
 * its output with its own columns; the tool picks the format.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"

const pp_column pp_entry_columns[PP_ENTRY_NCOLS] = {
	{ "serial", PP_COL_TEXT }, { "time", PP_COL_TEXT },
	{ "kind", PP_COL_TEXT }, { "account", PP_COL_TEXT },
	{ "name", PP_COL_TEXT }, { "meter", PP_COL_TEXT },
	{ "room", PP_COL_TEXT }, { "amount", PP_COL_MONEY },
	{ "method", PP_COL_TEXT }, { "balance", PP_COL_MONEY },
	{ "buy_count", PP_COL_INT }, { "ref", PP_COL_TEXT },
	{ "reverses", PP_COL_TEXT }, { "operator", PP_COL_TEXT },
	{ "remark", PP_COL_TEXT },
};

void
pp_entry_values(const pp_entry *e, struct pp_entry_text *t,
    const char *v[PP_ENTRY_NCOLS])
{
	pp_time_format(e->time, t->time);
	pp_money_format(e->amount, t->amount);
	pp_money_format(e->balance, t->balance);
	snprintf(t->count, sizeof(t->count), "%lld", (long long)e->buy_count);
	v[0] = e->serial;
	v[1] = t->time;
	v[2] = e->kind;
	v[3] = e->account;
	v[4] = e->name;
	v[5] = e->meter;
	v[6] = e->room;
	v[7] = t->amount;
	v[8] = e->method;
	v[9] = t->balance;
	v[10] = e->buy_count ? t->count : "";
	v[11] = e->ref;
	v[12] = e->reverses;
	v[13] = e->operator;
	v[14] = e->remark;
}

static int
open_out(pp_db *db, pp_out **o, enum pp_format fmt, FILE *fp,
    const char *xlsx_path, int bom, const pp_column *cols, size_t n)
{
	char err[PP_ERRMAX];
	int rc;

	if ((rc = pp_out_open(o, fmt, fp, xlsx_path, bom, cols, n, err,
	    sizeof(err))) != PP_OK)
		return pp_fail(db, rc, "%s", err);
	return PP_OK;
}

static int
out_row(pp_db *db, pp_out *o, const char *const *values)
{
	int rc;

	if ((rc = pp_out_row(o, values)) != PP_OK)
		return pp_fail(db, rc, "%s", pp_out_error(o));
	return PP_OK;
}

/* The end of a report's rows: an output error, or the query's. */
static int
rows_done(pp_db *db, sqlite3_stmt *st, int rc, int orc, pp_out *o,
    const char *what)
{
	sqlite3_reset(st);
	if (orc != PP_OK)
		return pp_fail(db, orc, "%s", pp_out_error(o));
	return rc == SQLITE_DONE ? PP_OK : pp_sqlfail(db, what);
}

static int
step_done(pp_db *db, sqlite3_stmt *st, int rc)
{
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? PP_OK : pp_sqlfail(db, "report");
}

static int
report_sales(pp_db *db, const struct pp_report_opts *r, pp_out **o,
    enum pp_format fmt, FILE *fp, const char *xlsx_path, int bom)
{
	static const char *const names[] = { "sales", "refunds", "reversals",
	    "opens", "closes" };
	pp_column cols[16];
	const char *v[16];
	char text[16][PP_NUMBUF], period[PP_TIMEBUF], op[PP_KEYMAX];
	char method[16], last[PP_TIMEBUF] = "", total[PP_NUMBUF];
	sqlite3_stmt *st;
	const char *by = r->by ? r->by : "day", *pattern;
	int64_t net = 0;
	size_t n = 0, i;
	int rc;

	if (strcmp(by, "day") == 0)
		pattern = "%Y-%m-%d";
	else if (strcmp(by, "month") == 0)
		pattern = "%Y-%m";
	else if (strcmp(by, "year") == 0)
		pattern = "%Y";
	else
		return pp_fail(db, PP_EUSAGE, "--by %s: use day, month or year",
		    pp_q(by));
	cols[n++] = (pp_column){ by, PP_COL_TEXT };
	if (r->by_operator)
		cols[n++] = (pp_column){ "operator", PP_COL_TEXT };
	if (r->by_method)
		cols[n++] = (pp_column){ "method", PP_COL_TEXT };
	for (i = 0; i < 5; i++) {
		static char amount_names[5][32];

		snprintf(amount_names[i], sizeof(amount_names[i]), "%s_amount",
		    names[i]);
		cols[n++] = (pp_column){ names[i], PP_COL_INT };
		cols[n++] = (pp_column){ amount_names[i], PP_COL_MONEY };
	}
	cols[n++] = (pp_column){ "net", PP_COL_MONEY };
	if ((rc = open_out(db, o, fmt, fp, xlsx_path, bom, cols, n)) != PP_OK)
		return rc;
	if ((st = pp_stmt(db, "SELECT strftime(?1, time, 'unixepoch', "
	    "'localtime') AS p, CASE WHEN ?2 THEN operator ELSE '' END AS o, "
	    "CASE WHEN ?3 THEN method ELSE '' END AS m, "
	    "sum(kind = 'sale'), sum(CASE kind WHEN 'sale' THEN amount END), "
	    "sum(kind = 'refund'), sum(CASE kind WHEN 'refund' THEN amount END), "
	    "sum(kind = 'reverse'), "
	    "sum(CASE kind WHEN 'reverse' THEN amount END), "
	    "sum(kind = 'open'), sum(CASE kind WHEN 'open' THEN amount END), "
	    "sum(kind = 'close'), sum(CASE kind WHEN 'close' THEN amount END), "
	    "sum(amount) FROM ledger WHERE time >= ?4 AND time < ?5 "
	    "GROUP BY p, o, m ORDER BY p, o, m")) == NULL)
		return PP_EINTERNAL;
	sqlite3_bind_text(st, 1, pattern, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, r->by_operator);
	sqlite3_bind_int(st, 3, r->by_method);
	sqlite3_bind_int64(st, 4, r->from);
	sqlite3_bind_int64(st, 5, r->to);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		n = 0;
		pp_col_text(st, 0, period, sizeof(period));
		pp_col_text(st, 1, op, sizeof(op));
		pp_col_text(st, 2, method, sizeof(method));
		v[n++] = period;
		if (r->by_operator)
			v[n++] = op;
		if (r->by_method)
			v[n++] = method;
		for (i = 0; i < 11; i++, n++) {
			int64_t x = sqlite3_column_int64(st, 3 + (int)i);

			/* Counts and money alternate; net is money. */
			if (i % 2 == 0 && i < 10)
				snprintf(text[i], sizeof(text[i]), "%lld",
				    (long long)x);
			else
				pp_money_format(x, text[i]);
			v[n] = text[i];
		}
		/* The chart: one bar of the net per period. */
		if (r->chart && *last && strcmp(last, period) != 0) {
			if ((rc = pp_out_bar(*o, last, net, pp_money_format(net,
			    total))) != PP_OK) {
				sqlite3_reset(st);
				return pp_fail(db, rc, "%s", pp_out_error(*o));
			}
			net = 0;
		}
		snprintf(last, sizeof(last), "%s", period);
		net += sqlite3_column_int64(st, 13);
		if ((rc = out_row(db, *o, v)) != PP_OK) {
			sqlite3_reset(st);
			return rc;
		}
	}
	if ((rc = step_done(db, st, rc)) != PP_OK)
		return rc;
	if (r->chart && *last && (rc = pp_out_bar(*o, last, net,
	    pp_money_format(net, total))) != PP_OK)
		return pp_fail(db, rc, "%s", pp_out_error(*o));
	return PP_OK;
}

static int
report_txns(pp_db *db, const struct pp_report_opts *r, pp_out **o,
    enum pp_format fmt, FILE *fp, const char *xlsx_path, int bom)
{
	struct pp_entry_text text;
	const char *v[PP_ENTRY_NCOLS];
	sqlite3_stmt *st;
	int64_t *ids = NULL;
	size_t n = 0, cap = 0, i;
	pp_entry e;
	int rc;

	if ((rc = open_out(db, o, fmt, fp, xlsx_path, bom, pp_entry_columns,
	    PP_ENTRY_NCOLS)) != PP_OK)
		return rc;
	if ((st = pp_stmt(db, "SELECT l.id FROM ledger l JOIN accounts a ON "
	    "a.id = l.account_id WHERE l.time >= ?1 AND l.time < ?2 "
	    "AND (?3 IS NULL OR l.kind = ?3) AND (?4 IS NULL OR a.account = ?4) "
	    "AND (?5 IS NULL OR l.operator = ?5) AND (?6 IS NULL OR "
	    "l.meter_id = (SELECT id FROM meters WHERE meter = ?6) OR "
	    "(l.meter_id IS NULL AND EXISTS (SELECT 1 FROM account_meters am "
	    "JOIN meters m ON m.id = am.meter_id WHERE m.meter = ?6 AND "
	    "am.account_id = l.account_id AND am.attached <= l.time AND "
	    "(am.detached IS NULL OR am.detached >= l.time)))) ORDER BY l.id"))
	    == NULL)
		return PP_EINTERNAL;
	sqlite3_bind_int64(st, 1, r->from);
	sqlite3_bind_int64(st, 2, r->to);
	sqlite3_bind_text(st, 3, r->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, r->account, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, r->login, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, r->meter, -1, SQLITE_STATIC);
	/* Collect first: loading an entry reuses cached statements. */
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (pp_grow(&ids, &cap, n + 1, sizeof(*ids)) != PP_OK) {
			free(ids);
			sqlite3_reset(st);
			return pp_fail(db, PP_EINTERNAL, "out of memory");
		}
		ids[n++] = sqlite3_column_int64(st, 0);
	}
	if ((rc = step_done(db, st, rc)) != PP_OK)
		goto out;
	for (i = 0; i < n; i++) {
		if ((rc = pp_entry_load(db, ids[i], &e)) != PP_OK)
			goto out;
		pp_entry_values(&e, &text, v);
		if ((rc = out_row(db, *o, v)) != PP_OK)
			goto out;
	}
out:
	free(ids);
	return rc;
}

static int
report_accounts(pp_db *db, const struct pp_report_opts *r, pp_out **o,
    enum pp_format fmt, FILE *fp, const char *xlsx_path, int bom,
    int balances_only)
{
	static const pp_column full[] = {
		{ "account", PP_COL_TEXT }, { "name", PP_COL_TEXT },
		{ "phone", PP_COL_TEXT }, { "state", PP_COL_TEXT },
		{ "meter", PP_COL_TEXT }, { "room", PP_COL_TEXT },
		{ "opened", PP_COL_TEXT }, { "closed", PP_COL_TEXT },
		{ "balance", PP_COL_MONEY },
	};
	static const pp_column brief[] = {
		{ "account", PP_COL_TEXT }, { "name", PP_COL_TEXT },
		{ "phone", PP_COL_TEXT }, { "meter", PP_COL_TEXT },
		{ "room", PP_COL_TEXT }, { "balance", PP_COL_MONEY },
	};
	char c[9][PP_LISTMAX], opened[PP_TIMEBUF], closed[PP_TIMEBUF];
	char balance[PP_NUMBUF];
	const char *v[9];
	sqlite3_stmt *st;
	int rc, i;

	if (r->state && strcmp(r->state, "open") && strcmp(r->state, "closed"))
		return pp_fail(db, PP_EUSAGE, "--state %s: use open or closed",
		    pp_q(r->state));
	if (balances_only)
		rc = open_out(db, o, fmt, fp, xlsx_path, bom, brief, 6);
	else
		rc = open_out(db, o, fmt, fp, xlsx_path, bom, full, 9);
	if (rc != PP_OK)
		return rc;
	/* A closed account shows the meters it had when it closed. */
	if ((st = pp_stmt(db, "SELECT a.account, a.name, a.phone, a.state, "
	    "(SELECT group_concat(meter, ';') FROM (SELECT m.meter FROM "
	    "account_meters am JOIN meters m ON m.id = am.meter_id WHERE "
	    "am.account_id = a.id AND (am.detached IS NULL OR am.detached = "
	    "a.closed) ORDER BY am.rowid)), (SELECT group_concat(room, ';') FROM "
	    "(SELECT DISTINCT m.room FROM account_meters am JOIN meters m ON "
	    "m.id = am.meter_id WHERE am.account_id = a.id AND m.room <> '' AND "
	    "(am.detached IS NULL OR am.detached = a.closed))), a.opened, "
	    "a.closed, a.money, a.used_e7 FROM accounts a WHERE (?1 IS NULL OR "
	    "a.state = ?1) AND ((a.opened >= ?2 AND a.opened < ?3) OR "
	    "(a.closed >= ?2 AND a.closed < ?3)) ORDER BY a.account")) == NULL)
		return PP_EINTERNAL;
	sqlite3_bind_text(st, 1, r->state, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, r->from);
	sqlite3_bind_int64(st, 3, r->to);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (i = 0; i < 6; i++)
			pp_col_text(st, i, c[i], sizeof(c[i]));
		pp_time_format(sqlite3_column_int64(st, 6), opened);
		if (sqlite3_column_type(st, 7) == SQLITE_NULL)
			closed[0] = '\0';
		else
			pp_time_format(sqlite3_column_int64(st, 7), closed);
		pp_money_format(pp_balance_of(sqlite3_column_int64(st, 8),
		    sqlite3_column_int64(st, 9)), balance);
		if (balances_only) {
			const char *b[6] = { c[0], c[1], c[2], c[4], c[5],
			    balance };

			rc = out_row(db, *o, b);
		} else {
			for (i = 0; i < 6; i++)
				v[i] = c[i];
			v[6] = opened;
			v[7] = closed;
			v[8] = balance;
			rc = out_row(db, *o, v);
		}
		if (rc != PP_OK) {
			sqlite3_reset(st);
			return rc;
		}
	}
	return step_done(db, st, rc);
}

static int
report_accounts_full(pp_db *db, const struct pp_report_opts *r, pp_out **o,
    enum pp_format fmt, FILE *fp, const char *xlsx_path, int bom)
{
	return report_accounts(db, r, o, fmt, fp, xlsx_path, bom, 0);
}

static int
report_balances(pp_db *db, const struct pp_report_opts *r, pp_out **o,
    enum pp_format fmt, FILE *fp, const char *xlsx_path, int bom)
{
	struct pp_report_opts open_only = *r;

	if (open_only.state == NULL)
		open_only.state = "open";
	return report_accounts(db, &open_only, o, fmt, fp, xlsx_path, bom, 1);
}

static int
report_audit(pp_db *db, const struct pp_report_opts *r, pp_out **o,
    enum pp_format fmt, FILE *fp, const char *xlsx_path, int bom)
{
	static const pp_column cols[] = {
		{ "time", PP_COL_TEXT }, { "operator", PP_COL_TEXT },
		{ "tool", PP_COL_TEXT }, { "args", PP_COL_TEXT },
		{ "exit", PP_COL_INT }, { "summary", PP_COL_TEXT },
	};
	char time[PP_TIMEBUF], c[6][1024];
	const char *v[6];
	sqlite3_stmt *st;
	int rc, i;

	if ((rc = open_out(db, o, fmt, fp, xlsx_path, bom, cols, 6)) != PP_OK)
		return rc;
	if ((st = pp_stmt(db, "SELECT time, login, tool, args, exit, summary "
	    "FROM audit WHERE time >= ?1 AND time < ?2 AND (?3 IS NULL OR "
	    "login = ?3) ORDER BY id")) == NULL)
		return PP_EINTERNAL;
	sqlite3_bind_int64(st, 1, r->from);
	sqlite3_bind_int64(st, 2, r->to);
	sqlite3_bind_text(st, 3, r->login, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		pp_time_format(sqlite3_column_int64(st, 0), time);
		v[0] = time;
		for (i = 1; i < 6; i++) {
			pp_col_text(st, i, c[i], sizeof(c[i]));
			v[i] = c[i];
		}
		if ((rc = out_row(db, *o, v)) != PP_OK) {
			sqlite3_reset(st);
			return rc;
		}
	}
	return step_done(db, st, rc);
}

static int
report_verify(pp_db *db, const struct pp_report_opts *r, pp_out **o,
    enum pp_format fmt, FILE *fp, const char *xlsx_path, int bom)
{
	return pp_verify(db, o, fmt, fp, xlsx_path, bom, r->anchor);
}

/* ---- the operational reports ----------------------------------------- */

/* Fen from 1e-7 yuan, rounded half away from zero, once. */
static int64_t
fen_of(int64_t e7)
{
	return e7 >= 0 ? (e7 + 50000) / 100000 : -((-e7 + 50000) / 100000);
}

static const char *
money_or_empty(sqlite3_stmt *st, int col, char buf[PP_NUMBUF])
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return "";
	return pp_money_format(sqlite3_column_int64(st, col), buf);
}

static const char *
time_or_empty(sqlite3_stmt *st, int col, char buf[PP_TIMEBUF])
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return "";
	return pp_time_format(sqlite3_column_int64(st, col), buf);
}

static const char *
int_or_empty(sqlite3_stmt *st, int col, char buf[PP_NUMBUF])
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return "";
	snprintf(buf, PP_NUMBUF, "%lld", (long long)sqlite3_column_int64(st,
	    col));
	return buf;
}

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
		pp_day_format(r->from, lo);
	if (r->to == INT64_MAX)
		snprintf(hi, PP_TIMEBUF, "9999-99-99");
	else
		pp_day_format(r->to - 1, hi);
}

/* The start of the local hour or day after t. */
static int64_t
next_boundary(int64_t t, int by_hour)
{
	time_t tt = (time_t)t;
	struct tm tm;

	localtime_r(&tt, &tm);
	tm.tm_min = tm.tm_sec = 0;
	if (by_hour)
		tm.tm_hour++;
	else {
		tm.tm_hour = 0;
		tm.tm_mday++;
	}
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm);
}

/* The start of the local hour or day holding t. */
static int64_t
boundary_at(int64_t t, int by_hour)
{
	time_t tt = (time_t)t;
	struct tm tm;

	localtime_r(&tt, &tm);
	tm.tm_min = tm.tm_sec = 0;
	if (!by_hour)
		tm.tm_hour = 0;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm);
}

/* A meter's id, or PP_EDATA naming it. */
static int
meter_id_of(pp_db *db, const char *meter, int64_t *id)
{
	int rc;

	if (meter == NULL)
		return pp_fail(db, PP_EUSAGE, "which meter? give METER");
	rc = pp_query_int(db, id, "SELECT id FROM meters WHERE meter = ?", "t",
	    meter);
	if (rc == PP_EDATA)
		return pp_fail(db, PP_EDATA, "meter %s: no such meter",
		    pp_q(meter));
	return rc;
}

static int
need_times(pp_db *db, const struct pp_report_opts *r, const char *name)
{
	if (r->from == INT64_MIN || r->to == INT64_MAX)
		return pp_fail(db, PP_EUSAGE, "%s needs --from and --to", name);
	if (r->from >= r->to)
		return pp_fail(db, PP_EUSAGE, "%s: --from must come before --to",
		    name);
	return PP_OK;
}

/* ---- status: the site board ---- */

static const char *const board_states[] = { "open", "low1", "low2",
    "arrears", "unopened", "lost" };
static const enum pp_color board_colours[] = { PP_COLOR_NONE, PP_COLOR_CYAN,
    PP_COLOR_YELLOW, PP_COLOR_MAGENTA, PP_COLOR_DIM, PP_COLOR_RED };

static int
report_status(pp_db *db, const struct pp_report_opts *r, pp_out **o,
    enum pp_format fmt, FILE *fp, const char *xlsx_path, int bom)
{
	static const pp_column cols[] = {
		{ "meter", PP_COL_TEXT }, { "building", PP_COL_TEXT },
		{ "room", PP_COL_TEXT }, { "account", PP_COL_TEXT },
		{ "name", PP_COL_TEXT }, { "state", PP_COL_TEXT },
		{ "balance", PP_COL_MONEY }, { "power_w", PP_COL_INT },
		{ "alarm1", PP_COL_MONEY }, { "relay", PP_COL_TEXT },
		{ "keep", PP_COL_TEXT }, { "time", PP_COL_TEXT },
	};
	char c[6][PP_NAMEMAX], bal[PP_NUMBUF], power[PP_NUMBUF];
	char a1[PP_NUMBUF], relay[16], keep[16], seen[PP_TIMEBUF];
	const char *v[12];
	sqlite3_stmt *st;
	int64_t balance, alarm1, alarm2, site_alarm1, site_alarm2;
	int rc, s, i, want = -1;

	if (r->state) {
		for (i = 0; i < 6; i++)
			if (strcmp(r->state, board_states[i]) == 0)
				want = i;
		if (want < 0)
			return pp_fail(db, PP_EUSAGE, "--state %s: use open, "
			    "low1, low2, arrears, unopened or lost",
			    pp_q(r->state));
	}
	if ((rc = open_out(db, o, fmt, fp, xlsx_path, bom, cols, 12)) != PP_OK)
		return rc;
	/* Before the statement: a setting's lookup may reuse the cache. */
	site_alarm1 = pp_setting_int(db, "alarm1", -1);
	site_alarm2 = pp_setting_int(db, "alarm2", -1);
	/*
	 * The balance is the account's, or what its wallet meter holds once
	 * read: the same one alarm-scan judges.
	 */
	if ((st = pp_stmt(db, "SELECT m.meter, coalesce(b.name, ''), m.room, "
	    "coalesce(a.account, ''), coalesce(a.name, ''), m.state = 'lost', "
	    "a.id IS NOT NULL AND a.state = 'open', a.money, a.used_e7, "
	    "(SELECT CASE WHEN w.billing = 'meter' THEN w.meter_balance END "
	    "FROM meters w WHERE w.account_id = a.id ORDER BY w.billing = "
	    "'meter' DESC, w.id LIMIT 1), m.power_w, coalesce(m.alarm1, ?1), "
	    "coalesce(m.alarm2, ?2), coalesce(m.relay, ''), m.keep, m.last_seen "
	    "FROM meters m LEFT JOIN buildings b ON b.id = m.building_id "
	    "LEFT JOIN accounts a ON a.id = m.account_id WHERE (?3 IS NULL OR "
	    "b.name = ?3) AND (?4 IS NULL OR m.floor = ?4) ORDER BY b.id, "
	    "m.floor, m.room, m.meter")) == NULL)
		return PP_EINTERNAL;
	sqlite3_bind_int64(st, 1, site_alarm1);
	sqlite3_bind_int64(st, 2, site_alarm2);
	sqlite3_bind_text(st, 3, r->building, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, r->floor, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int opened = sqlite3_column_int(st, 6);

		for (i = 0; i < 5; i++)
			pp_col_text(st, i, c[i], sizeof(c[i]));
		balance = sqlite3_column_type(st, 9) != SQLITE_NULL ?
		    sqlite3_column_int64(st, 9) : pp_balance_of(
		    sqlite3_column_int64(st, 7), sqlite3_column_int64(st, 8));
		alarm1 = sqlite3_column_int64(st, 11);
		alarm2 = sqlite3_column_int64(st, 12);
		if (sqlite3_column_int(st, 5))
			s = 5;
		else if (!opened)
			s = 4;
		else if (balance <= 0)
			s = 3;
		else if (alarm2 >= 0 && balance < alarm2)
			s = 2;
		else if (alarm1 >= 0 && balance < alarm1)
			s = 1;
		else
			s = 0;
		if (want >= 0 && s != want)
			continue;
		pp_col_text(st, 13, relay, sizeof(relay));
		pp_col_text(st, 14, keep, sizeof(keep));
		v[0] = c[0];
		v[1] = c[1];
		v[2] = c[2];
		v[3] = c[3];
		v[4] = c[4];
		v[5] = board_states[s];
		v[6] = opened ? pp_money_format(balance, bal) : "";
		v[7] = int_or_empty(st, 10, power);
		v[8] = alarm1 >= 0 ? pp_money_format(alarm1, a1) : "";
		v[9] = relay;
		v[10] = keep;
		v[11] = time_or_empty(st, 15, seen);
		if ((rc = pp_out_row_color(*o, v, board_colours[s])) != PP_OK) {
			sqlite3_reset(st);
			return pp_fail(db, rc, "%s", pp_out_error(*o));
		}
	}
	return step_done(db, st, rc);
}

/* ---- energy: per location per day or month, from the roll-up ---- */

static int
report_energy(pp_db *db, const struct pp_report_opts *r, pp_out **o,
    enum pp_format fmt, FILE *fp, const char *xlsx_path, int bom)
{
	pp_column cols[] = {
		{ "day", PP_COL_TEXT }, { "building", PP_COL_TEXT },
		{ "floor", PP_COL_TEXT }, { "room", PP_COL_TEXT },
		{ "energy_kwh", PP_COL_KWH }, { "cost", PP_COL_MONEY },
	};
	char c[4][PP_KEYMAX * 2], kwh[PP_NUMBUF], cost[PP_NUMBUF];
	char lo[PP_TIMEBUF], hi[PP_TIMEBUF], last[PP_TIMEBUF] = "";
	char total[PP_NUMBUF];
	const char *v[6], *by = r->by ? r->by : "day";
	int64_t wh, period_wh = 0;
	sqlite3_stmt *st;
	int rc, orc = PP_OK, i;

	if (strcmp(by, "day") && strcmp(by, "month"))
		return pp_fail(db, PP_EUSAGE, "--by %s: use day or month",
		    pp_q(by));
	if ((rc = need_times(db, r, "energy")) != PP_OK)
		return rc;
	cols[0].name = by;
	day_range(r, lo, hi);
	if ((rc = open_out(db, o, fmt, fp, xlsx_path, bom, cols, 6)) != PP_OK)
		return rc;
	if ((st = pp_stmt(db, "SELECT CASE ?1 WHEN 'month' THEN substr(d.day, "
	    "1, 7) ELSE d.day END AS p, coalesce(b.name, ''), m.floor, "
	    "m.room, sum(d.energy_wh), sum(d.cost_e7) FROM meters m LEFT JOIN "
	    "buildings b ON b.id = m.building_id JOIN daily d ON d.meter_id = "
	    "m.id AND d.day >= ?2 AND d.day <= ?3 WHERE (?4 IS NULL OR b.name = "
	    "?4) AND (?5 IS NULL OR m.floor = ?5) AND (?6 IS NULL OR m.room = "
	    "?6) GROUP BY p, b.id, m.floor, m.room ORDER BY p, b.id, m.floor, "
	    "m.room")) == NULL)
		return PP_EINTERNAL;
	sqlite3_bind_text(st, 1, by, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, lo, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, hi, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, r->building, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, r->floor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, r->room, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (i = 0; i < 4; i++) {
			pp_col_text(st, i, c[i], sizeof(c[i]));
			v[i] = c[i];
		}
		wh = sqlite3_column_int64(st, 4);
		v[4] = pp_energy_format(wh, kwh);
		v[5] = pp_money_format(fen_of(sqlite3_column_int64(st, 5)),
		    cost);
		/* The chart: one bar per period, every location together. */
		if (r->chart && *last && strcmp(last, c[0]) != 0) {
			if ((orc = pp_out_bar(*o, last, period_wh,
			    pp_energy_format(period_wh, total))) != PP_OK)
				break;
			period_wh = 0;
		}
		snprintf(last, sizeof(last), "%.20s", c[0]);
		period_wh += wh;
		if ((orc = pp_out_row(*o, v)) != PP_OK)
			break;
	}
	sqlite3_reset(st);
	if (orc == PP_OK && rc == SQLITE_DONE && r->chart && *last)
		orc = pp_out_bar(*o, last, period_wh,
		    pp_energy_format(period_wh, total));
	if (orc != PP_OK)
		return pp_fail(db, orc, "%s", pp_out_error(*o));
	return rc == SQLITE_DONE ? PP_OK : pp_sqlfail(db, "daily");
}

/* ---- readings: one meter's history ---- */

static int
report_readings(pp_db *db, const struct pp_report_opts *r, pp_out **o,
    enum pp_format fmt, FILE *fp, const char *xlsx_path, int bom)
{
	static const pp_column cols[] = {
		{ "time", PP_COL_TEXT }, { "source", PP_COL_TEXT },
		{ "energy_kwh", PP_COL_KWH }, { "power_w", PP_COL_INT },
		{ "voltage_v", PP_COL_KWH }, { "current_a", PP_COL_KWH },
		{ "balance", PP_COL_MONEY }, { "buy_count", PP_COL_INT },
		{ "relay", PP_COL_TEXT }, { "flag", PP_COL_TEXT },
		{ "cost", PP_COL_MONEY },
	};
	char t[PP_TIMEBUF], source[16], e[PP_NUMBUF], p[PP_NUMBUF];
	char volt[PP_NUMBUF], amp[PP_NUMBUF], bal[PP_NUMBUF], n[PP_NUMBUF];
	char relay[16], flag[16], cost[PP_NUMBUF];
	const char *v[11];
	sqlite3_stmt *st;
	int64_t id;
	int rc, orc = PP_OK;

	if ((rc = meter_id_of(db, r->subject, &id)) != PP_OK)
		return rc;
	if ((rc = open_out(db, o, fmt, fp, xlsx_path, bom, cols, 11)) != PP_OK)
		return rc;
	if ((st = pp_stmt(db, "SELECT time, source, energy_wh, power_w, "
	    "voltage_dv, current_ma, balance, buy_count, coalesce(relay, ''), "
	    "coalesce(flag, ''), cost_e7 FROM readings WHERE meter_id = ?1 AND "
	    "time >= ?2 AND time < ?3 ORDER BY time, id")) == NULL)
		return PP_EINTERNAL;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, r->from);
	sqlite3_bind_int64(st, 3, r->to);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		pp_time_format(sqlite3_column_int64(st, 0), t);
		pp_col_text(st, 1, source, sizeof(source));
		pp_col_text(st, 8, relay, sizeof(relay));
		pp_col_text(st, 9, flag, sizeof(flag));
		v[0] = t;
		v[1] = source;
		v[2] = sqlite3_column_type(st, 2) == SQLITE_NULL ? "" :
		    pp_energy_format(sqlite3_column_int64(st, 2), e);
		v[3] = int_or_empty(st, 3, p);
		volt[0] = amp[0] = '\0';
		if (sqlite3_column_type(st, 4) != SQLITE_NULL)
			pp_value_format("voltage_v", sqlite3_column_int64(st, 4),
			    volt, sizeof(volt));
		if (sqlite3_column_type(st, 5) != SQLITE_NULL)
			pp_value_format("current_a", sqlite3_column_int64(st, 5),
			    amp, sizeof(amp));
		v[4] = volt;
		v[5] = amp;
		v[6] = money_or_empty(st, 6, bal);
		v[7] = int_or_empty(st, 7, n);
		v[8] = relay;
		v[9] = flag;
		v[10] = pp_money_format(fen_of(sqlite3_column_int64(st, 10)),
		    cost);
		if ((orc = pp_out_row(*o, v)) != PP_OK)
			break;
	}
	return rows_done(db, st, rc, orc, *o, "readings");
}

/* ---- usage: the load profile from the readings ---- */

/* The most hours or days one usage report shows. */
#define USAGE_MAX	100000

struct bucket {
	int64_t	start, end, wh, covered;
};

/* The bucket holding t, or -1. */
static long
bucket_of(const struct bucket *b, long n, int64_t t)
{
	long lo = 0, hi = n - 1, mid;

	if (n == 0 || t < b[0].start || t >= b[n - 1].end)
		return -1;
	while (lo < hi) {
		mid = (lo + hi + 1) / 2;
		if (b[mid].start <= t)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

/*
 * Share wh used over [from, to] out to the buckets by time, the way the
 * daily roll-up does: each piece in proportion, the last one the rest.
 */
static void
share_out(struct bucket *b, long n, int by_hour, int64_t from, int64_t to,
    int64_t wh)
{
	int64_t at, end, share, left = wh;
	long k;

	if (to <= from)
		from = to;
	for (at = from; ; at = end) {
		end = next_boundary(at, by_hour);
		if (end >= to || to == from)
			share = left;
		else
			share = wh * (end - at) / (to - from);
		left -= share;
		if ((k = bucket_of(b, n, at)) >= 0) {
			b[k].wh += share;
			b[k].covered += (end < to ? end : to) - at;
		}
		if (end >= to || to == from)
			return;
	}
}

static int
report_usage(pp_db *db, const struct pp_report_opts *r, pp_out **o,
    enum pp_format fmt, FILE *fp, const char *xlsx_path, int bom)
{
	pp_column cols[] = {
		{ "hour", PP_COL_TEXT }, { "energy_kwh", PP_COL_KWH },
		{ "power_w", PP_COL_INT },
	};
	struct bucket *b = NULL;
	char label[PP_TIMEBUF], kwh[PP_NUMBUF], w[PP_NUMBUF];
	const char *v[3];
	sqlite3_stmt *st;
	int64_t id, t, prev_t = 0, prev_e = 0, e;
	long n = 0, k;
	size_t cap = 0;
	int rc, by_hour, have = 0;

	if (r->by == NULL || (strcmp(r->by, "hour") && strcmp(r->by, "day")))
		return pp_fail(db, PP_EUSAGE, "usage needs --by hour or --by "
		    "day");
	by_hour = strcmp(r->by, "hour") == 0;
	cols[0].name = r->by;
	if ((rc = meter_id_of(db, r->subject, &id)) != PP_OK ||
	    (rc = need_times(db, r, "usage")) != PP_OK)
		return rc;
	/* Every hour or day that [from, to) touches, empty or not. */
	for (t = boundary_at(r->from, by_hour); t < r->to;
	    t = next_boundary(t, by_hour)) {
		if (n == USAGE_MAX) {
			free(b);
			return pp_fail(db, PP_EUSAGE, "more than %d %ss: "
			    "narrow --from and --to", USAGE_MAX, r->by);
		}
		if (pp_grow(&b, &cap, (size_t)n + 1, sizeof(*b)) != PP_OK) {
			free(b);
			return pp_fail(db, PP_EINTERNAL, "out of memory");
		}
		b[n].start = t;
		b[n].end = next_boundary(t, by_hour);
		b[n].wh = b[n].covered = 0;
		n++;
	}
	/*
	 * Consecutive good readings, from the last one before the first
	 * bucket to the first one after the last: what poll.c charged.
	 */
	if ((st = pp_stmt(db, "SELECT time, energy_wh FROM readings WHERE "
	    "meter_id = ?1 AND flag IS NULL AND energy_wh IS NOT NULL AND "
	    "time >= coalesce((SELECT max(time) FROM readings WHERE meter_id = "
	    "?1 AND flag IS NULL AND energy_wh IS NOT NULL AND time < ?2), ?2) "
	    "AND time <= coalesce((SELECT min(time) FROM readings WHERE "
	    "meter_id = ?1 AND flag IS NULL AND energy_wh IS NOT NULL AND "
	    "time >= ?3), ?3) ORDER BY time, id")) == NULL) {
		free(b);
		return PP_EINTERNAL;
	}
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, b[0].start);
	sqlite3_bind_int64(st, 3, b[n - 1].end);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		t = sqlite3_column_int64(st, 0);
		e = sqlite3_column_int64(st, 1);
		if (have && e >= prev_e)
			share_out(b, n, by_hour, prev_t, t, e - prev_e);
		if (!have || e >= prev_e) {
			prev_t = t;
			prev_e = e;
		}
		have = 1;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		free(b);
		return pp_sqlfail(db, "readings");
	}
	if ((rc = open_out(db, o, fmt, fp, xlsx_path, bom, cols, 3)) != PP_OK) {
		free(b);
		return rc;
	}
	for (k = 0; k < n && rc == PP_OK; k++) {
		if (by_hour) {
			time_t tt = (time_t)b[k].start;
			struct tm tm;

			localtime_r(&tt, &tm);
			strftime(label, sizeof(label), "%Y-%m-%d %H:00", &tm);
		} else
			pp_day_format(b[k].start, label);
		/* No reading spans the bucket: nothing is known of it. */
		v[0] = label;
		v[1] = b[k].covered ? pp_energy_format(b[k].wh, kwh) : "";
		if (b[k].covered) {
			snprintf(w, sizeof(w), "%lld", (long long)((b[k].wh *
			    3600 + b[k].covered / 2) / b[k].covered));
			v[2] = w;
		} else
			v[2] = "";
		if ((rc = pp_out_row(*o, v)) == PP_OK && r->chart)
			rc = pp_out_bar(*o, label, b[k].wh, v[1]);
	}
	free(b);
	return rc == PP_OK ? PP_OK : pp_fail(db, rc, "%s", pp_out_error(*o));
}

/* ---- alarms: live and historical ---- */

static int
report_alarms(pp_db *db, const struct pp_report_opts *r, pp_out **o,
    enum pp_format fmt, FILE *fp, const char *xlsx_path, int bom)
{
	static const pp_column cols[] = {
		{ "time", PP_COL_TEXT }, { "level", PP_COL_INT },
		{ "alarm", PP_COL_TEXT }, { "meter", PP_COL_TEXT },
		{ "gateway", PP_COL_TEXT }, { "account", PP_COL_TEXT },
		{ "name", PP_COL_TEXT }, { "room", PP_COL_TEXT },
		{ "value", PP_COL_TEXT }, { "message", PP_COL_TEXT },
		{ "cleared", PP_COL_TEXT }, { "notified", PP_COL_TEXT },
	};
	char raised[PP_TIMEBUF], cleared[PP_TIMEBUF], notified[PP_TIMEBUF];
	char c[9][PP_TEXTMAX * 2];
	const char *v[12];
	sqlite3_stmt *st;
	int rc, orc = PP_OK, i;

	if ((rc = open_out(db, o, fmt, fp, xlsx_path, bom, cols, 12)) != PP_OK)
		return rc;
	/*
	 * An account's alarm names each of the account's meters, as
	 * alarm-scan prints it, so that a pipe to meter-ctl reaches them.
	 */
	if ((st = pp_stmt(db, "SELECT l.raised, l.level, l.kind, "
	    "coalesce(m.meter, ''), coalesce(g.name, ''), "
	    "coalesce(a.account, ''), coalesce(a.name, ''), "
	    "coalesce(m.room, ''), coalesce(l.value, ''), "
	    "coalesce(l.message, ''), l.cleared, coalesce(l.notified, "
	    "l.resident_sent, l.manager_sent) FROM alarms l LEFT JOIN accounts a ON a.id = "
	    "coalesce(l.account_id, (SELECT account_id FROM meters WHERE id = "
	    "l.meter_id)) LEFT JOIN meters m ON (l.meter_id IS NOT NULL AND "
	    "m.id = l.meter_id) OR (l.meter_id IS NULL AND l.account_id IS NOT "
	    "NULL AND m.account_id = l.account_id) LEFT JOIN gateways g ON "
	    "g.id = coalesce(l.gateway_id, m.gateway_id) WHERE l.raised >= ?1 "
	    "AND l.raised < ?2 AND (?3 IS NULL OR l.kind = ?3) AND (?4 = 0 OR "
	    "l.cleared IS NULL) ORDER BY l.raised, l.id, m.id")) == NULL)
		return PP_EINTERNAL;
	sqlite3_bind_int64(st, 1, r->from);
	sqlite3_bind_int64(st, 2, r->to);
	sqlite3_bind_text(st, 3, r->kind, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, r->open_only);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		v[0] = pp_time_format(sqlite3_column_int64(st, 0), raised);
		for (i = 1; i < 10; i++) {
			pp_col_text(st, i, c[i - 1], sizeof(c[i - 1]));
			v[i] = c[i - 1];
		}
		v[10] = time_or_empty(st, 10, cleared);
		v[11] = time_or_empty(st, 11, notified);
		if ((orc = pp_out_row(*o, v)) != PP_OK)
			break;
	}
	return rows_done(db, st, rc, orc, *o, "alarms");
}

/* ---- lost: out of contact, since when ---- */

static int
report_lost(pp_db *db, const struct pp_report_opts *r, pp_out **o,
    enum pp_format fmt, FILE *fp, const char *xlsx_path, int bom)
{
	static const pp_column mcols[] = {
		{ "meter", PP_COL_TEXT }, { "gateway", PP_COL_TEXT },
		{ "building", PP_COL_TEXT }, { "floor", PP_COL_TEXT },
		{ "room", PP_COL_TEXT }, { "account", PP_COL_TEXT },
		{ "name", PP_COL_TEXT }, { "since", PP_COL_TEXT },
		{ "time", PP_COL_TEXT },
	};
	static const pp_column gcols[] = {
		{ "gateway", PP_COL_TEXT }, { "building", PP_COL_TEXT },
		{ "address", PP_COL_TEXT }, { "since", PP_COL_TEXT },
		{ "meters", PP_COL_INT }, { "lost", PP_COL_INT },
		{ "time", PP_COL_TEXT },
	};
	char c[7][PP_NAMEMAX * 3], since[PP_TIMEBUF], seen[PP_TIMEBUF];
	const char *v[9];
	sqlite3_stmt *st;
	int rc, orc = PP_OK, i, nc = r->gateways ? 7 : 9, ntext;

	if ((rc = open_out(db, o, fmt, fp, xlsx_path, bom, r->gateways ? gcols :
	    mcols, (size_t)nc)) != PP_OK)
		return rc;
	if (r->gateways)
		st = pp_stmt(db, "SELECT g.name, coalesce(b.name, ''), "
		    "g.address, g.state_since, (SELECT count(*) FROM meters m "
		    "WHERE m.gateway_id = g.id), (SELECT count(*) FROM meters m "
		    "WHERE m.gateway_id = g.id AND m.state = 'lost'), (SELECT "
		    "max(m.last_seen) FROM meters m WHERE m.gateway_id = g.id) "
		    "FROM gateways g LEFT JOIN buildings b ON b.id = "
		    "g.building_id WHERE g.state = 'lost' ORDER BY "
		    "g.state_since, g.name");
	else
		st = pp_stmt(db, "SELECT m.meter, coalesce(g.name, ''), "
		    "coalesce(b.name, ''), m.floor, m.room, coalesce(a.account, "
		    "''), coalesce(a.name, ''), m.state_since, m.last_seen FROM "
		    "meters m LEFT JOIN gateways g ON g.id = m.gateway_id LEFT "
		    "JOIN buildings b ON b.id = m.building_id LEFT JOIN accounts "
		    "a ON a.id = m.account_id WHERE m.state = 'lost' ORDER BY "
		    "m.state_since, m.meter");
	if (st == NULL)
		return PP_EINTERNAL;
	ntext = r->gateways ? 3 : 7;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (i = 0; i < ntext; i++) {
			pp_col_text(st, i, c[i], sizeof(c[i]));
			v[i] = c[i];
		}
		v[i] = time_or_empty(st, i, since);
		if (r->gateways) {
			v[4] = int_or_empty(st, 4, c[4]);
			v[5] = int_or_empty(st, 5, c[5]);
			v[6] = time_or_empty(st, 6, seen);
		} else
			v[8] = time_or_empty(st, 8, seen);
		if ((orc = pp_out_row(*o, v)) != PP_OK)
			break;
	}
	return rows_done(db, st, rc, orc, *o, "lost");
}

/* ---- reconcile: meter wallets against the ledger ---- */

static int
report_reconcile(pp_db *db, const struct pp_report_opts *r, pp_out **o,
    enum pp_format fmt, FILE *fp, const char *xlsx_path, int bom)
{
	static const pp_column cols[] = {
		{ "meter", PP_COL_TEXT }, { "account", PP_COL_TEXT },
		{ "name", PP_COL_TEXT }, { "room", PP_COL_TEXT },
		{ "balance", PP_COL_MONEY }, { "buy_count", PP_COL_INT },
		{ "sold", PP_COL_MONEY }, { "ledger_count", PP_COL_INT },
		{ "pending", PP_COL_INT }, { "pending_amount", PP_COL_MONEY },
		{ "result", PP_COL_TEXT }, { "message", PP_COL_TEXT },
	};
	char c[4][PP_NAMEMAX], bal[PP_NUMBUF], cnt[PP_NUMBUF], sold[PP_NUMBUF];
	char lc[PP_NUMBUF], pn[PP_NUMBUF], pa[PP_NUMBUF], msg[PP_ERRMAX];
	const char *v[12], *result;
	sqlite3_stmt *st;
	int rc, orc = PP_OK, i;

	(void)r;
	if ((rc = open_out(db, o, fmt, fp, xlsx_path, bom, cols, 12)) != PP_OK)
		return rc;
	if ((st = pp_stmt(db, "SELECT m.meter, coalesce(a.account, ''), "
	    "coalesce(a.name, ''), m.room, " PP_WALLET_FACTS_SQL " FROM meters "
	    "m LEFT JOIN accounts a ON a.id = m.account_id WHERE "
	    "m.billing = 'meter' ORDER BY m.meter")) == NULL)
		return PP_EINTERNAL;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (i = 0; i < 4; i++) {
			pp_col_text(st, i, c[i], sizeof(c[i]));
			v[i] = c[i];
		}
		v[4] = money_or_empty(st, 4, bal);
		v[5] = int_or_empty(st, 5, cnt);
		v[6] = pp_money_format(sqlite3_column_int64(st, 6), sold);
		v[7] = int_or_empty(st, 7, lc);
		v[8] = int_or_empty(st, 8, pn);
		v[9] = pp_money_format(sqlite3_column_int64(st, 9), pa);
		result = pp_wallet_verdict(st, 4, msg, sizeof(msg));
		v[10] = result;
		v[11] = msg;
		if ((orc = pp_out_row(*o, v)) != PP_OK)
			break;
	}
	return rows_done(db, st, rc, orc, *o, "reconcile");
}

/* ---- bill: one account's month ---- */

/*
 * The days of the account's meters that are the account's.  A meter's day
 * belongs to the first account it was attached to that had not left it
 * before that day: on the day of a move, to the account it left.
 */
#define ACCOUNT_DAYS(d) \
	d ".meter_id IN (SELECT meter_id FROM account_meters WHERE " \
	"account_id = ?1) AND (SELECT am.account_id FROM account_meters am " \
	"WHERE am.meter_id = " d ".meter_id AND (am.detached IS NULL OR " \
	"date(am.detached, 'unixepoch', 'localtime') >= " d ".day) ORDER BY " \
	"am.attached, am.rowid LIMIT 1) = ?1"

static int
report_bill(pp_db *db, const struct pp_report_opts *r, pp_out **o,
    enum pp_format fmt, FILE *fp, const char *xlsx_path, int bom)
{
	static const pp_column cols[] = {
		{ "item", PP_COL_TEXT }, { "time", PP_COL_TEXT },
		{ "serial", PP_COL_TEXT }, { "kind", PP_COL_TEXT },
		{ "window", PP_COL_TEXT }, { "tier", PP_COL_INT },
		{ "energy_kwh", PP_COL_KWH }, { "price", PP_COL_PRICE },
		{ "amount", PP_COL_MONEY }, { "cost", PP_COL_MONEY },
		{ "balance", PP_COL_MONEY },
	};
	struct pp_account a;
	char err[PP_ERRMAX], lo[PP_TIMEBUF], hi[PP_TIMEBUF];
	char t[PP_TIMEBUF], serial[PP_KEYMAX], kind[16], win[64];
	char tier[PP_NUMBUF], kwh[PP_NUMBUF], price[PP_NUMBUF];
	char amount[PP_NUMBUF], cost[PP_NUMBUF], bal[PP_NUMBUF];
	const char *v[11];
	sqlite3_stmt *st;
	int64_t start, end, money_before, money_in, used_before, used_end;
	int64_t wh_month, opening, closing, charges;
	int y, m, rc, orc = PP_OK, i;
	struct tm tm;
	time_t tt;

	if (r->subject == NULL)
		return pp_fail(db, PP_EUSAGE, "which account? give ACCOUNT");
	if (r->month == NULL)
		return pp_fail(db, PP_EUSAGE, "bill needs --month YYYY-MM");
	if (strlen(r->month) != 7 || r->month[4] != '-' ||
	    pp_time_parse(r->month, &start, err, sizeof(err)) != PP_OK)
		return pp_fail(db, PP_EUSAGE, "--month %s: use YYYY-MM",
		    pp_q(r->month));
	y = atoi(r->month);
	m = atoi(r->month + 5);
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m;		/* the next month */
	tm.tm_mday = 1;
	tm.tm_isdst = -1;
	if ((tt = mktime(&tm)) == (time_t)-1)
		return pp_fail(db, PP_EUSAGE, "--month %s: out of range",
		    r->month);
	end = (int64_t)tt;
	pp_day_format(start, lo);
	pp_day_format(end, hi);
	if ((rc = pp_account_get(db, r->subject, &a)) != PP_OK)
		return rc == PP_EDATA ? pp_fail(db, rc, "account %s: no such "
		    "account", pp_q(r->subject)) : rc;
	/* What was paid in and what was used, before and through it. */
	if ((rc = pp_query_int(db, &money_before, "SELECT coalesce(sum(amount), "
	    "0) FROM ledger WHERE account_id = ? AND time < ?", "ii", a.id,
	    start)) != PP_OK ||
	    (rc = pp_query_int(db, &money_in, "SELECT coalesce(sum(amount), 0) "
	    "FROM ledger WHERE account_id = ? AND time >= ? AND time < ?", "iii",
	    a.id, start, end)) != PP_OK ||
	    (rc = pp_query_int(db, &used_before, "SELECT coalesce(sum("
	    "d.cost_e7), 0) FROM daily d WHERE d.day < ?2 AND "
	    ACCOUNT_DAYS("d"), "it", a.id, lo)) != PP_OK ||
	    (rc = pp_query_int(db, &used_end, "SELECT coalesce(sum(d.cost_e7), "
	    "0) FROM daily d WHERE d.day < ?2 AND " ACCOUNT_DAYS("d"), "it",
	    a.id, hi)) != PP_OK ||
	    (rc = pp_query_int(db, &wh_month, "SELECT coalesce(sum("
	    "d.energy_wh), 0) FROM daily d WHERE d.day >= ?2 AND d.day < ?3 "
	    "AND " ACCOUNT_DAYS("d"), "itt", a.id, lo, hi)) != PP_OK)
		return rc;
	/* Each balance is rounded once; the charges are their difference. */
	opening = money_before - fen_of(used_before);
	closing = money_before + money_in - fen_of(used_end);
	charges = fen_of(used_end) - fen_of(used_before);
	if ((rc = open_out(db, o, fmt, fp, xlsx_path, bom, cols, 11)) != PP_OK)
		return rc;
	for (i = 0; i < 11; i++)
		v[i] = "";
	v[0] = "opening";
	v[1] = pp_time_format(start, t);
	v[10] = pp_money_format(opening, bal);
	if ((orc = pp_out_row(*o, v)) != PP_OK)
		return pp_fail(db, orc, "%s", pp_out_error(*o));
	/* The payments: every money row of the month. */
	if ((st = pp_stmt(db, "SELECT time, serial, kind, amount FROM ledger "
	    "WHERE account_id = ? AND time >= ? AND time < ? ORDER BY id")) ==
	    NULL)
		return PP_EINTERNAL;
	sqlite3_bind_int64(st, 1, a.id);
	sqlite3_bind_int64(st, 2, start);
	sqlite3_bind_int64(st, 3, end);
	for (i = 0; i < 11; i++)
		v[i] = "";
	v[0] = "payment";
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		v[1] = pp_time_format(sqlite3_column_int64(st, 0), t);
		pp_col_text(st, 1, serial, sizeof(serial));
		pp_col_text(st, 2, kind, sizeof(kind));
		v[2] = serial;
		v[3] = kind;
		v[8] = pp_money_format(sqlite3_column_int64(st, 3), amount);
		if ((orc = pp_out_row(*o, v)) != PP_OK)
			break;
	}
	sqlite3_reset(st);
	if (orc != PP_OK)
		return pp_fail(db, orc, "%s", pp_out_error(*o));
	if (rc != SQLITE_DONE)
		return pp_sqlfail(db, "ledger");
	for (i = 0; i < 11; i++)
		v[i] = "";
	v[0] = "payments";
	v[8] = pp_money_format(money_in, amount);
	if ((orc = pp_out_row(*o, v)) != PP_OK)
		return pp_fail(db, orc, "%s", pp_out_error(*o));
	/* The energy, by time-of-use window, tier and price. */
	if ((st = pp_stmt(db, "SELECT d.window, d.tier, d.price, "
	    "sum(d.energy_wh), sum(d.cost_e7) FROM daily_parts d WHERE "
	    "d.day >= ?2 AND d.day < ?3 AND " ACCOUNT_DAYS("d") " GROUP BY "
	    "d.window, d.tier, d.price ORDER BY d.window, d.tier, d.price")) ==
	    NULL)
		return PP_EINTERNAL;
	sqlite3_bind_int64(st, 1, a.id);
	sqlite3_bind_text(st, 2, lo, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, hi, -1, SQLITE_STATIC);
	for (i = 0; i < 11; i++)
		v[i] = "";
	v[0] = "energy";
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		pp_col_text(st, 0, win, sizeof(win));
		v[4] = win;
		v[5] = sqlite3_column_int64(st, 1) ? int_or_empty(st, 1, tier) :
		    "";
		v[6] = pp_energy_format(sqlite3_column_int64(st, 3), kwh);
		v[7] = pp_price_format(sqlite3_column_int64(st, 2), price);
		v[9] = pp_money_format(fen_of(sqlite3_column_int64(st, 4)),
		    cost);
		if ((orc = pp_out_row(*o, v)) != PP_OK)
			break;
	}
	sqlite3_reset(st);
	if (orc != PP_OK)
		return pp_fail(db, orc, "%s", pp_out_error(*o));
	if (rc != SQLITE_DONE)
		return pp_sqlfail(db, "daily_parts");
	for (i = 0; i < 11; i++)
		v[i] = "";
	v[0] = "charges";
	v[6] = pp_energy_format(wh_month, kwh);
	v[9] = pp_money_format(charges, cost);
	if ((orc = pp_out_row(*o, v)) != PP_OK)
		return pp_fail(db, orc, "%s", pp_out_error(*o));
	for (i = 0; i < 11; i++)
		v[i] = "";
	v[0] = "closing";
	v[1] = pp_time_format(end, t);
	v[10] = pp_money_format(closing, bal);
	if ((orc = pp_out_row(*o, v)) != PP_OK)
		return pp_fail(db, orc, "%s", pp_out_error(*o));
	return PP_OK;
}

pp_report_fn
pp_report_find(const char *name)
{
	static const struct { const char *name; pp_report_fn fn; } reports[] = {
		{ "sales", report_sales }, { "txns", report_txns },
		{ "accounts", report_accounts_full },
		{ "balances", report_balances }, { "audit", report_audit },
		{ "verify", report_verify }, { "status", report_status },
		{ "energy", report_energy }, { "readings", report_readings },
		{ "usage", report_usage }, { "alarms", report_alarms },
		{ "lost", report_lost }, { "reconcile", report_reconcile },
		{ "bill", report_bill },
	};
	size_t i;

	for (i = 0; i < sizeof(reports) / sizeof(reports[0]); i++)
		if (strcmp(name, reports[i].name) == 0)
			return reports[i].fn;
	return NULL;
}

int
pp_report_operand(const char *name)
{
	return strcmp(name, "readings") == 0 || strcmp(name, "usage") == 0 ||
	    strcmp(name, "bill") == 0;
}
