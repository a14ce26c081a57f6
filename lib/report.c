/*
 * report.c: the reports and queries of the service hall.  Each one opens
 * its output with its own columns; the tool picks the format.
 */
#include <stdlib.h>
#include <string.h>

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
	char method[16];
	sqlite3_stmt *st;
	const char *by = r->by ? r->by : "day", *pattern;
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
		    by);
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
		if ((rc = out_row(db, *o, v)) != PP_OK) {
			sqlite3_reset(st);
			return rc;
		}
	}
	return step_done(db, st, rc);
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
		    r->state);
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
	(void)r;
	return pp_verify(db, o, fmt, fp, xlsx_path, bom);
}

pp_report_fn
pp_report_find(const char *name)
{
	static const struct { const char *name; pp_report_fn fn; } reports[] = {
		{ "sales", report_sales }, { "txns", report_txns },
		{ "accounts", report_accounts_full },
		{ "balances", report_balances }, { "audit", report_audit },
		{ "verify", report_verify },
	};
	size_t i;

	for (i = 0; i < sizeof(reports) / sizeof(reports[0]); i++)
		if (strcmp(name, reports[i].name) == 0)
			return reports[i].fn;
	return NULL;
}
