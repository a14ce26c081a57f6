/*
 * verify.c: every invariant of the money ledger and the audit log, so that
 * a row edited or deleted outside the tools is found and named.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct verify {
	pp_db	*db;
	pp_out	*out;
	int	 failed;	/* problems found in the current check */
	int	 any;		/* problems found in any check */
	int	 rc;		/* an error that stopped verifying */
};

/* Problems listed per check before the rest is summed up. */
#define MAX_LISTED 50

static void
problem(struct verify *v, const char *check, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
problem(struct verify *v, const char *check, const char *fmt, ...)
{
	char msg[PP_ERRMAX];
	const char *row[3];
	va_list ap;

	v->any = 1;
	if (v->failed++ >= MAX_LISTED || v->rc != PP_OK)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	row[0] = check;
	row[1] = "fail";
	row[2] = msg;
	if (pp_out_row(v->out, row) != PP_OK)
		v->rc = pp_fail(v->db, PP_EINTERNAL, "%s",
		    pp_out_error(v->out));
}

static void
finish(struct verify *v, const char *check, const char *ok_message)
{
	const char *row[3];
	char msg[128];

	if (v->rc != PP_OK)
		return;
	row[0] = check;
	if (v->failed > MAX_LISTED) {
		snprintf(msg, sizeof(msg), "%d more problems not listed",
		    v->failed - MAX_LISTED);
		row[1] = "fail";
		row[2] = msg;
	} else if (v->failed == 0) {
		row[1] = "ok";
		row[2] = ok_message;
	} else {
		v->failed = 0;
		return;
	}
	v->failed = 0;
	if (pp_out_row(v->out, row) != PP_OK)
		v->rc = pp_fail(v->db, PP_EINTERNAL, "%s",
		    pp_out_error(v->out));
}

static sqlite3_stmt *
query(struct verify *v, const char *sql)
{
	sqlite3_stmt *st = pp_stmt(v->db, sql);

	if (st == NULL && v->rc == PP_OK)
		v->rc = PP_EINTERNAL;
	return st;
}

static const char *
col(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s ? (const char *)s : "";
}

static void
check_ledger_chain(struct verify *v)
{
	struct pp_ledger_row r;
	sqlite3_stmt *st;
	char prev[65] = "", hash[65], *text;
	int64_t expect_id = 1, rows = 0;
	char msg[64];

	if ((st = query(v, "SELECT id, serial, time, kind, account_id, "
	    "coalesce(meter_id, 0), amount, method, ref, coalesce(reverses, 0),"
	    " operator, remark, coalesce(buy_count, 0), balance, hash FROM "
	    "ledger ORDER BY id")) == NULL)
		return;
	while (sqlite3_step(st) == SQLITE_ROW) {
		memset(&r, 0, sizeof(r));
		r.id = sqlite3_column_int64(st, 0);
		r.serial = col(st, 1);
		r.time = sqlite3_column_int64(st, 2);
		r.kind = col(st, 3);
		r.account_id = sqlite3_column_int64(st, 4);
		r.meter_id = sqlite3_column_int64(st, 5);
		r.amount = sqlite3_column_int64(st, 6);
		r.method = col(st, 7);
		r.ref = sqlite3_column_type(st, 8) == SQLITE_NULL ? NULL :
		    col(st, 8);
		r.reverses = sqlite3_column_int64(st, 9);
		r.operator = col(st, 10);
		r.remark = col(st, 11);
		r.buy_count = sqlite3_column_int64(st, 12);
		r.balance = sqlite3_column_int64(st, 13);
		if (r.id != expect_id)
			problem(v, "ledger-chain", "ledger rows %lld..%lld are "
			    "missing (deleted?) before serial %s",
			    (long long)expect_id, (long long)r.id - 1, r.serial);
		expect_id = r.id + 1;
		rows++;
		if (pp_ledger_text(&r, &text) != PP_OK ||
		    pp_chain_hash(prev, text, hash) != PP_OK) {
			free(text);
			v->rc = pp_fail(v->db, PP_EINTERNAL, "out of memory");
			break;
		}
		free(text);
		if (strcmp(hash, col(st, 14)) != 0)
			problem(v, "ledger-chain", "serial %s (row %lld): the "
			    "row does not match its hash: edited outside the "
			    "tools", r.serial, (long long)r.id);
		snprintf(prev, sizeof(prev), "%s", col(st, 14));
	}
	sqlite3_reset(st);
	snprintf(msg, sizeof(msg), "%lld rows chained", (long long)rows);
	finish(v, "ledger-chain", msg);
}

static void
check_audit_chain(struct verify *v)
{
	sqlite3_stmt *st;
	char prev[65] = "", hash[65], *text, msg[64];
	int64_t expect_id = 1, id, rows = 0;

	if ((st = query(v, "SELECT id, time, login, tool, args, exit, summary, "
	    "hash, ledger_head FROM audit ORDER BY id")) == NULL)
		return;
	while (sqlite3_step(st) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		if (id != expect_id)
			problem(v, "audit-chain", "audit entries %lld..%lld are "
			    "missing (deleted?)", (long long)expect_id,
			    (long long)id - 1);
		expect_id = id + 1;
		rows++;
		if (pp_audit_text(id, sqlite3_column_int64(st, 1), col(st, 2),
		    col(st, 3), col(st, 4), sqlite3_column_int64(st, 5),
		    col(st, 6), col(st, 8), &text) != PP_OK ||
		    pp_chain_hash(prev, text, hash) != PP_OK) {
			v->rc = pp_fail(v->db, PP_EINTERNAL, "out of memory");
			break;
		}
		free(text);
		if (strcmp(hash, col(st, 7)) != 0)
			problem(v, "audit-chain", "audit entry %lld does not "
			    "match its hash: edited outside the tools",
			    (long long)id);
		snprintf(prev, sizeof(prev), "%s", col(st, 7));
	}
	sqlite3_reset(st);
	snprintf(msg, sizeof(msg), "%lld entries chained", (long long)rows);
	finish(v, "audit-chain", msg);
}

/*
 * Every audit entry saw the ledger end at some row; that row must still be
 * there, unchanged.  This finds rows cut from the end of the ledger, which
 * the ledger's own chain cannot.
 */
static void
check_ledger_heads(struct verify *v)
{
	sqlite3_stmt *st;
	char seen[96], msg[96];

	if ((st = query(v, "SELECT a.id, a.ledger_head, l.id IS NOT NULL FROM "
	    "audit a LEFT JOIN ledger l ON l.serial = substr(a.ledger_head, 1, "
	    "instr(a.ledger_head, ':') - 1) WHERE a.ledger_head <> '' AND "
	    "(l.id IS NULL OR a.ledger_head <> l.serial || ':' || l.hash)")) ==
	    NULL)
		return;
	while (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(seen, sizeof(seen), "%s", col(st, 1));
		seen[strcspn(seen, ":")] = '\0';
		if (sqlite3_column_int(st, 2))
			problem(v, "ledger-end", "serial %s changed after "
			    "audit entry %lld saw it", seen,
			    (long long)sqlite3_column_int64(st, 0));
		else
			problem(v, "ledger-end", "serial %s, seen by audit "
			    "entry %lld, is gone: deleted outside the tools",
			    seen, (long long)sqlite3_column_int64(st, 0));
	}
	sqlite3_reset(st);
	snprintf(msg, sizeof(msg), "every ledger end the audit log saw is "
	    "there");
	finish(v, "ledger-end", msg);
}

static void
check_balances(struct verify *v)
{
	sqlite3_stmt *st;
	char a[PP_NUMBUF], b[PP_NUMBUF];

	if ((st = query(v, "SELECT acc.account, acc.money, coalesce((SELECT "
	    "sum(amount) FROM ledger l WHERE l.account_id = acc.id), 0) AS s "
	    "FROM accounts acc WHERE acc.money <> s")) == NULL)
		return;
	while (sqlite3_step(st) == SQLITE_ROW)
		problem(v, "balances", "account %s: cached money %s, ledger %s",
		    col(st, 0), pp_money_format(sqlite3_column_int64(st, 1), a),
		    pp_money_format(sqlite3_column_int64(st, 2), b));
	sqlite3_reset(st);
	finish(v, "balances", "cached balances equal the ledger");
}

/*
 * The energy charged: every reading's cost is in the daily roll-up and in
 * its window and tier parts, and an account's cached charges are the costs
 * of the readings that name it.  By name, not by the times the meter was
 * attached: a clock stepped back may stamp a close before the last poll.
 * An account whose meter kept the wallet is charged by the meter, and is
 * left out.
 */
static void
check_charges(struct verify *v)
{
	sqlite3_stmt *st;
	char a[PP_NUMBUF], b[PP_NUMBUF], c[PP_NUMBUF];

	if ((st = query(v, "SELECT (SELECT coalesce(sum(cost_e7), 0) FROM "
	    "readings), (SELECT coalesce(sum(cost_e7), 0) FROM daily), (SELECT "
	    "coalesce(sum(cost_e7), 0) FROM daily_parts)")) == NULL)
		return;
	if (sqlite3_step(st) == SQLITE_ROW) {
		int64_t r = sqlite3_column_int64(st, 0);
		int64_t d = sqlite3_column_int64(st, 1);
		int64_t p = sqlite3_column_int64(st, 2);

		if (r != d || d != p)
			problem(v, "charges", "the readings cost %s, the daily "
			    "roll-up %s, its parts %s (1e-7 yuan: %lld, %lld, "
			    "%lld)", pp_money_format((r + 50000) / 100000, a),
			    pp_money_format((d + 50000) / 100000, b),
			    pp_money_format((p + 50000) / 100000, c),
			    (long long)r, (long long)d, (long long)p);
	}
	sqlite3_reset(st);
	if ((st = query(v, "SELECT acc.account, acc.used_e7, coalesce((SELECT "
	    "sum(r.cost_e7) FROM readings r WHERE r.account_id = acc.id), 0) "
	    "AS charged FROM accounts acc WHERE NOT EXISTS "
	    "(SELECT 1 FROM account_meters am JOIN meters m ON m.id = "
	    "am.meter_id WHERE am.account_id = acc.id AND m.billing = 'meter') "
	    "AND acc.used_e7 <> charged")) == NULL)
		return;
	while (sqlite3_step(st) == SQLITE_ROW)
		problem(v, "charges", "account %s: cached charges %lld, its "
		    "readings' %lld (1e-7 yuan)", col(st, 0),
		    (long long)sqlite3_column_int64(st, 1),
		    (long long)sqlite3_column_int64(st, 2));
	sqlite3_reset(st);
	finish(v, "charges", "the charges equal the readings' costs");
}

static void
check_serials(struct verify *v)
{
	sqlite3_stmt *st;
	char prev[PP_KEYMAX] = "";

	/* Strictly increasing with the row order. */
	if ((st = query(v, "SELECT serial FROM ledger ORDER BY id")) == NULL)
		return;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *s = col(st, 0);

		if (strlen(s) != 14 || strspn(s, "0123456789") != 14)
			problem(v, "serials", "serial %s is malformed", s);
		else if (strcmp(s, prev) <= 0)
			problem(v, "serials", "serial %s comes after %s", s,
			    prev);
		snprintf(prev, sizeof(prev), "%s", s);
	}
	sqlite3_reset(st);
	/* Per day: 1..N with no gap, N the last one handed out. */
	if ((st = query(v, "SELECT d.day, d.last, coalesce(l.n, 0), "
	    "coalesce(l.top, 0) FROM serial_days d LEFT JOIN (SELECT "
	    "substr(serial, 1, 8) AS day, count(*) AS n, "
	    "max(CAST(substr(serial, 9) AS INTEGER)) AS top FROM ledger "
	    "GROUP BY 1) l ON l.day = d.day WHERE coalesce(l.n, 0) <> d.last "
	    "OR coalesce(l.top, 0) <> d.last")) == NULL)
		return;
	while (sqlite3_step(st) == SQLITE_ROW)
		problem(v, "serials", "day %s: %lld serials handed out, %lld in "
		    "the ledger (highest %06lld): a gap", col(st, 0),
		    (long long)sqlite3_column_int64(st, 1),
		    (long long)sqlite3_column_int64(st, 2),
		    (long long)sqlite3_column_int64(st, 3));
	sqlite3_reset(st);
	if ((st = query(v, "SELECT substr(serial, 1, 8) FROM ledger WHERE "
	    "substr(serial, 1, 8) NOT IN (SELECT day FROM serial_days) "
	    "GROUP BY 1")) == NULL)
		return;
	while (sqlite3_step(st) == SQLITE_ROW)
		problem(v, "serials", "day %s has serials that were never "
		    "handed out", col(st, 0));
	sqlite3_reset(st);
	finish(v, "serials", "gap-free and strictly increasing");
}

static void
check_reversals(struct verify *v)
{
	sqlite3_stmt *st;

	if ((st = query(v, "SELECT r.serial, o.serial, o.kind, "
	    "r.amount + coalesce(o.amount, 0), r.account_id IS o.account_id, "
	    "r.kind FROM ledger r LEFT JOIN ledger o ON o.id = r.reverses "
	    "WHERE (r.kind = 'reverse') <> (r.reverses IS NOT NULL) OR "
	    "(r.kind = 'reverse' AND (o.id IS NULL OR o.kind = 'reverse' OR "
	    "r.amount + o.amount <> 0 OR r.account_id IS NOT o.account_id))"))
	    == NULL)
		return;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *serial = col(st, 0);

		if (strcmp(col(st, 5), "reverse") != 0)
			problem(v, "reversals", "serial %s is a %s that names a "
			    "row it reverses", serial, col(st, 5));
		else if (sqlite3_column_type(st, 1) == SQLITE_NULL)
			problem(v, "reversals", "serial %s reverses nothing: an "
			    "orphan", serial);
		else if (strcmp(col(st, 2), "reverse") == 0)
			problem(v, "reversals", "serial %s reverses the reversal "
			    "%s", serial, col(st, 1));
		else
			problem(v, "reversals", "serial %s does not undo %s "
			    "exactly", serial, col(st, 1));
	}
	sqlite3_reset(st);
	if ((st = query(v, "SELECT o.serial, count(*) FROM ledger r JOIN ledger "
	    "o ON o.id = r.reverses GROUP BY o.id HAVING count(*) > 1")) ==
	    NULL)
		return;
	while (sqlite3_step(st) == SQLITE_ROW)
		problem(v, "reversals", "serial %s is reversed %lld times",
		    col(st, 0), (long long)sqlite3_column_int64(st, 1));
	sqlite3_reset(st);
	finish(v, "reversals", "no orphaned or doubled reversal");
}

static void
check_report_totals(struct verify *v)
{
	sqlite3_stmt *st;
	char a[PP_NUMBUF], b[PP_NUMBUF];

	/* The sales report groups by day; its days must add up to the ledger. */
	if ((st = query(v, "SELECT (SELECT coalesce(sum(n), 0) FROM (SELECT "
	    "sum(amount) AS n FROM ledger GROUP BY strftime('%Y-%m-%d', time, "
	    "'unixepoch', 'localtime'), operator, method)), (SELECT "
	    "coalesce(sum(amount), 0) FROM ledger), (SELECT coalesce(sum(money),"
	    " 0) FROM accounts)")) == NULL)
		return;
	if (sqlite3_step(st) == SQLITE_ROW) {
		int64_t report = sqlite3_column_int64(st, 0);
		int64_t ledger = sqlite3_column_int64(st, 1);
		int64_t accounts = sqlite3_column_int64(st, 2);

		if (report != ledger)
			problem(v, "report-totals", "the sales report nets %s, "
			    "the ledger %s", pp_money_format(report, a),
			    pp_money_format(ledger, b));
		if (accounts != ledger)
			problem(v, "report-totals", "the accounts hold %s, the "
			    "ledger %s", pp_money_format(accounts, a),
			    pp_money_format(ledger, b));
	}
	sqlite3_reset(st);
	finish(v, "report-totals", "report totals equal the ledger");
}

static void
check_append_only(struct verify *v)
{
	static const char *const triggers[] = { "ledger_no_update",
	    "ledger_no_delete", "audit_no_update", "audit_no_delete" };
	int64_t present;
	size_t i;

	for (i = 0; i < sizeof(triggers) / sizeof(triggers[0]); i++)
		if (pp_query_int(v->db, &present, "SELECT 1 FROM sqlite_master "
		    "WHERE type = 'trigger' AND name = ?", "t", triggers[i]) !=
		    PP_OK)
			problem(v, "append-only", "trigger %s was dropped",
			    triggers[i]);
	finish(v, "append-only", "the ledger and the audit log refuse edits");
}

static void
check_meters(struct verify *v)
{
	sqlite3_stmt *st;

	if ((st = query(v, "SELECT m.meter, coalesce(a.account, '?'), "
	    "coalesce(a.state, 'missing') FROM meters m LEFT JOIN accounts a ON "
	    "a.id = m.account_id WHERE m.account_id IS NOT NULL AND "
	    "(a.state IS NOT 'open' OR NOT EXISTS (SELECT 1 FROM account_meters "
	    "am WHERE am.meter_id = m.id AND am.account_id = m.account_id AND "
	    "am.detached IS NULL))")) == NULL)
		return;
	while (sqlite3_step(st) == SQLITE_ROW)
		problem(v, "meters", "meter %s is on account %s (%s) without a "
		    "matching attachment", col(st, 0), col(st, 1), col(st, 2));
	sqlite3_reset(st);
	finish(v, "meters", "every meter is on at most one open account");
}

int
pp_verify(pp_db *db, pp_out **o, enum pp_format fmt, FILE *fp,
    const char *xlsx_path, int bom)
{
	static const pp_column cols[] = { { "check", PP_COL_TEXT },
	    { "result", PP_COL_TEXT }, { "message", PP_COL_TEXT } };
	struct verify v;
	char err[PP_ERRMAX];
	int rc;

	if ((rc = pp_out_open(o, fmt, fp, xlsx_path, bom, cols, 3, err,
	    sizeof(err))) != PP_OK)
		return pp_fail(db, rc, "%s", err);
	memset(&v, 0, sizeof(v));
	v.db = db;
	v.out = *o;
	/* One read transaction: every check sees the same database. */
	if (sqlite3_exec(db->sql, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return pp_sqlfail(db, "begin");
	check_ledger_chain(&v);
	check_audit_chain(&v);
	check_ledger_heads(&v);
	check_balances(&v);
	check_charges(&v);
	check_serials(&v);
	check_reversals(&v);
	check_report_totals(&v);
	check_append_only(&v);
	check_meters(&v);
	sqlite3_exec(db->sql, "COMMIT", NULL, NULL, NULL);
	if (v.rc != PP_OK)
		return v.rc;
	if (v.any)
		return pp_fail(db, PP_ERULE, "the ledger fails verification");
	return PP_OK;
}
