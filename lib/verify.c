/*
 * verify.c: every invariant of the money ledger and the audit log, so that
 * a row edited or deleted outside the tools is found and named.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report.h"

struct verify {
	pp_db		*db;
	struct pp__run	*run;
	int	 failed;	/* problems found in the current check */
	int	 any;		/* problems found in any check */
	int	 rc;		/* an error that stopped verifying */
};

/* Problems listed per check before the rest is summed up. */
#define MAX_LISTED 50

/* One row: the check, its result, and what it found. */
static void
put(struct verify *v, const char *check, const char *result,
    const char *message)
{
	pp_cell row[3] = { PP__TEXT(check), PP__TEXT(result),
	    PP__TEXT(message) };

	if (pp__report_emit(v->run, row) != PP_OK)
		v->rc = pp__fail(v->db, PP_EINTERNAL, "%s",
		    pp_out_error(v->run->out));
}

static void
problem(struct verify *v, const char *check, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
problem(struct verify *v, const char *check, const char *fmt, ...)
{
	char msg[PP_ERRMAX];
	va_list ap;

	v->any = 1;
	if (v->failed++ >= MAX_LISTED || v->rc != PP_OK)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	put(v, check, "fail", msg);
}

static void
finish(struct verify *v, const char *check, const char *ok_message)
{
	char msg[128];

	if (v->rc != PP_OK)
		return;
	if (v->failed > MAX_LISTED) {
		snprintf(msg, sizeof(msg), "%d more problems not listed",
		    v->failed - MAX_LISTED);
		put(v, check, "fail", msg);
	} else if (v->failed == 0)
		put(v, check, "ok", ok_message);
	v->failed = 0;
}

static pp__st *
query(struct verify *v, const char *sql)
{
	pp__st *st = pp__stmt(v->db, sql);

	if (st == NULL && v->rc == PP_OK)
		v->rc = pp__errcode(v->db);
	return st;
}

static const char *
col(pp__st *st, int i)
{
	const char *s = pp__col_str(st, i);

	return s ? s : "";
}

/*
 * A check that is one query whose rows are its problems, each row's
 * message made by the query's own printf().  Only the listed ones are
 * made (a server's printf is PL/pgSQL, and a site can have millions of
 * problems); when there are more, the query counts them, without their
 * messages.  1 once run, 0 when a query could not be made (v->rc says
 * so).
 */
static int
problems(struct verify *v, const char *check, const char *sql)
{
	char *text;
	pp__st *st;
	int64_t n = 0;
	int rows = 0, rc;

	if (asprintf(&text, "%s LIMIT %d", sql, MAX_LISTED + 1) == -1) {
		v->rc = pp__fail(v->db, PP_EINTERNAL, "out of memory");
		return 0;
	}
	st = pp__prepare(v->db, text);
	free(text);
	if (st == NULL) {
		v->rc = pp__errcode(v->db);
		return 0;
	}
	while ((rc = pp__step(st)) == PP__ROW && ++rows <= MAX_LISTED)
		problem(v, check, "%s", col(st, 0));
	pp__finalize(st);
	if (rc != PP__ROW)
		return 1;
	if (asprintf(&text, "SELECT count(*) FROM (%s) AS q", sql) == -1) {
		v->rc = pp__fail(v->db, PP_EINTERNAL, "out of memory");
		return 0;
	}
	rc = pp__query_int(v->db, &n, text, "");
	free(text);
	if (rc != PP_OK) {
		v->rc = rc;
		return 0;
	}
	/* Those listed are counted already. */
	v->failed += (int)(n - MAX_LISTED);
	return 1;
}

static void
check_ledger_chain(struct verify *v)
{
	struct pp__ledger_row r;
	pp__st *st;
	char prev[65] = "", hash[65], *text;
	int64_t expect_id = 1, rows = 0;
	char msg[64];

	if ((st = query(v, "SELECT id, serial, time, kind, account_id, "
	    "coalesce(meter_id, 0), amount, method, ref, coalesce(reverses, 0),"
	    " operator, remark, coalesce(buy_count, 0), balance, hash FROM "
	    "ledger ORDER BY id")) == NULL)
		return;
	while (pp__step(st) == PP__ROW) {
		memset(&r, 0, sizeof(r));
		r.id = pp__col_int64(st, 0);
		r.serial = col(st, 1);
		r.time = pp__col_int64(st, 2);
		r.kind = col(st, 3);
		r.account_id = pp__col_int64(st, 4);
		r.meter_id = pp__col_int64(st, 5);
		r.amount = pp__col_int64(st, 6);
		r.method = col(st, 7);
		r.ref = pp__col_null(st, 8) ? NULL :
		    col(st, 8);
		r.reverses = pp__col_int64(st, 9);
		r.operator = col(st, 10);
		r.remark = col(st, 11);
		r.buy_count = pp__col_int64(st, 12);
		r.balance = pp__col_int64(st, 13);
		if (r.id != expect_id)
			problem(v, "ledger-chain", "ledger rows %lld..%lld are "
			    "missing (deleted?) before serial %s",
			    (long long)expect_id, (long long)r.id - 1, r.serial);
		expect_id = r.id + 1;
		rows++;
		if (pp__ledger_text(&r, &text) != PP_OK ||
		    pp__chain_hash(prev, text, hash) != PP_OK) {
			free(text);
			v->rc = pp__fail(v->db, PP_EINTERNAL, "out of memory");
			break;
		}
		free(text);
		if (strcmp(hash, col(st, 14)) != 0)
			problem(v, "ledger-chain", "serial %s (row %lld): the "
			    "row does not match its hash: edited outside the "
			    "tools", r.serial, (long long)r.id);
		snprintf(prev, sizeof(prev), "%s", col(st, 14));
	}
	pp__reset(st);
	snprintf(msg, sizeof(msg), "%lld rows chained", (long long)rows);
	finish(v, "ledger-chain", msg);
}

static void
check_audit_chain(struct verify *v)
{
	pp__st *st;
	char prev[65] = "", hash[65], *text, msg[64];
	int64_t expect_id = 1, id, rows = 0;

	if ((st = query(v, "SELECT id, time, login, tool, args, exit, summary, "
	    "hash, ledger_head FROM audit ORDER BY id")) == NULL)
		return;
	while (pp__step(st) == PP__ROW) {
		id = pp__col_int64(st, 0);
		if (id != expect_id)
			problem(v, "audit-chain", "audit entries %lld..%lld are "
			    "missing (deleted?)", (long long)expect_id,
			    (long long)id - 1);
		expect_id = id + 1;
		rows++;
		if (pp__audit_text(id, pp__col_int64(st, 1), col(st, 2),
		    col(st, 3), col(st, 4), pp__col_int64(st, 5),
		    col(st, 6), col(st, 8), &text) != PP_OK ||
		    pp__chain_hash(prev, text, hash) != PP_OK) {
			v->rc = pp__fail(v->db, PP_EINTERNAL, "out of memory");
			break;
		}
		free(text);
		if (strcmp(hash, col(st, 7)) != 0)
			problem(v, "audit-chain", "audit entry %lld does not "
			    "match its hash: edited outside the tools",
			    (long long)id);
		snprintf(prev, sizeof(prev), "%s", col(st, 7));
	}
	pp__reset(st);
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
	pp__st *st;
	char seen[96], msg[96];

	if ((st = query(v, "SELECT a.id, a.ledger_head, l.id IS NOT NULL FROM "
	    "audit a LEFT JOIN ledger l ON l.serial = substr(a.ledger_head, 1, "
	    "instr(a.ledger_head, ':') - 1) WHERE a.ledger_head <> '' AND "
	    "(l.id IS NULL OR a.ledger_head <> l.serial || ':' || l.hash)")) ==
	    NULL)
		return;
	while (pp__step(st) == PP__ROW) {
		snprintf(seen, sizeof(seen), "%s", col(st, 1));
		seen[strcspn(seen, ":")] = '\0';
		if (pp__col_int(st, 2))
			problem(v, "ledger-end", "serial %s changed after "
			    "audit entry %lld saw it", seen,
			    (long long)pp__col_int64(st, 0));
		else
			problem(v, "ledger-end", "serial %s, seen by audit "
			    "entry %lld, is gone: deleted outside the tools",
			    seen, (long long)pp__col_int64(st, 0));
	}
	pp__reset(st);
	/*
	 * Each change appends its entry in its own transaction, so the last
	 * entry saw the ledger as it ends now.  Rows after it were written
	 * around the tools, or the entries that saw them were deleted.
	 */
	if ((st = query(v, "SELECT l.serial, (SELECT count(*) FROM ledger "
	    "WHERE id > coalesce(s.id, 0)), coalesce(s.serial, '') FROM "
	    "(SELECT id, serial FROM ledger ORDER BY id DESC LIMIT 1) l LEFT "
	    "JOIN ledger s ON s.serial = (SELECT substr(ledger_head, 1, "
	    "instr(ledger_head, ':') - 1) FROM audit ORDER BY id DESC LIMIT 1) "
	    "WHERE s.id IS NULL OR s.id <> l.id")) == NULL)
		return;
	if (pp__step(st) == PP__ROW)
		problem(v, "ledger-end", "%lld ledger rows up to serial %s are "
		    "after %s, the last row the audit log saw: written "
		    "outside the tools, or their audit entries deleted",
		    (long long)pp__col_int64(st, 1), col(st, 0),
		    *col(st, 2) ? col(st, 2) : "none");
	pp__reset(st);
	snprintf(msg, sizeof(msg), "every ledger end the audit log saw is "
	    "there, and the last entry saw the ledger's end");
	finish(v, "ledger-end", msg);
}

static void
check_balances(struct verify *v)
{
	pp__st *st;
	char a[PP_NUMBUF], b[PP_NUMBUF];

	if ((st = query(v, "SELECT account, money, s FROM (SELECT "
	    "acc.account, acc.money, coalesce((SELECT sum(amount) FROM ledger "
	    "l WHERE l.account_id = acc.id), 0) AS s FROM accounts acc) AS t "
	    "WHERE money <> s")) == NULL)
		return;
	while (pp__step(st) == PP__ROW)
		problem(v, "balances", "account %s: cached money %s, ledger %s",
		    col(st, 0), pp_money_format(pp__col_int64(st, 1), a),
		    pp_money_format(pp__col_int64(st, 2), b));
	pp__reset(st);
	finish(v, "balances", "cached balances equal the ledger");
}

/*
 * The readings, the daily roll-up and its parts cost the same.  A month
 * archived on a server (lib/pg/005) counts by what reading_archive kept
 * of it, here and in the checks below.
 */
static int
charge_totals(struct verify *v)
{
	pp__st *st;
	char a[PP_NUMBUF], b[PP_NUMBUF], c[PP_NUMBUF];

	if ((st = query(v, "SELECT (SELECT coalesce(sum(cost_e7), 0) FROM "
	    "readings) + (SELECT coalesce(sum(cost_e7), 0) FROM "
	    "reading_archive), (SELECT coalesce(sum(cost_e7), 0) FROM daily), (SELECT "
	    "coalesce(sum(cost_e7), 0) FROM daily_parts)")) == NULL)
		return 0;
	if (pp__step(st) == PP__ROW) {
		int64_t r = pp__col_int64(st, 0);
		int64_t d = pp__col_int64(st, 1);
		int64_t p = pp__col_int64(st, 2);

		if (r != d || d != p)
			problem(v, "charges", "the readings cost %s, the daily "
			    "roll-up %s, its parts %s (1e-7 yuan: %lld, %lld, "
			    "%lld)", pp_money_format(pp__fen_round(r), a),
			    pp_money_format(pp__fen_round(d), b),
			    pp_money_format(pp__fen_round(p), c),
			    (long long)r, (long long)d, (long long)p);
	}
	pp__reset(st);
	return 1;
}

/*
 * An account's cached charges are its readings' costs: the readings of
 * the meters it ever held that name it, each meter's a range of the
 * store's key (doc/design.md, "The store").  A reading naming an account
 * that never held its meter counts for none, so that account's charges,
 * or the one's it was taken from, differ.
 */
static int
account_charges(struct verify *v)
{
	return problems(v, "charges", "SELECT printf('account %s: cached "
	    "charges %d, its readings'' %d (1e-7 yuan)', account, used_e7, "
	    "charged) FROM (SELECT acc.account, acc.used_e7, coalesce((SELECT "
	    "sum(r.cost_e7) FROM reading_rows r WHERE r.meter_id IN (SELECT "
	    "am.meter_id FROM account_meters am WHERE am.account_id = acc.id) "
	    "AND r.account_id = acc.id), 0) + coalesce((SELECT "
	    "sum(r.cost_e7) FROM reading_recent r WHERE r.meter_id IN (SELECT "
	    "am.meter_id FROM account_meters am WHERE am.account_id = acc.id) "
	    "AND r.account_id = acc.id), 0) + coalesce((SELECT "
	    "sum(r.cost_e7) FROM reading_archive r WHERE r.meter_id IN (SELECT "
	    "am.meter_id FROM account_meters am WHERE am.account_id = acc.id) "
	    "AND r.account_id = acc.id), 0) AS charged FROM accounts acc WHERE "
	    "NOT EXISTS (SELECT 1 FROM "
	    "account_meters am JOIN meters m ON m.id = am.meter_id WHERE "
	    "am.account_id = acc.id AND m.billing = 'meter')) AS t WHERE "
	    "used_e7 <> charged");
}

/*
 * Each part is its energy at its price, a price the site can ask.  No
 * NULL among the prices: NOT IN a set with NULL is never true.
 */
static int
part_prices(struct verify *v)
{
	return problems(v, "charges", "WITH site_prices(price) AS (SELECT "
	    "price FROM tariff_windows UNION SELECT w.price + s.add_price FROM "
	    "tariff_windows w JOIN tariff_steps s ON s.version_id = "
	    "w.version_id UNION SELECT price FROM tariff_versions WHERE price "
	    "IS NOT NULL UNION SELECT v.price + s.add_price FROM "
	    "tariff_versions v JOIN tariff_steps s ON s.version_id = v.id WHERE "
	    "v.price IS NOT NULL UNION SELECT price FROM meters WHERE price IS "
	    "NOT NULL UNION SELECT CAST(value AS BIGINT) FROM settings WHERE "
	    "key = 'price') "
	    "SELECT printf('meter %s on %s (%s): %d Wh at %d cost %d (1e-7 "
	    "yuan)%s', m.meter, p.day, coalesce(nullif(p.window, ''), 'flat'), "
	    "p.energy_wh, p.price, p.cost_e7, CASE WHEN p.price IN (SELECT "
	    "price FROM site_prices) THEN '' ELSE ': a price no tariff of the "
	    "site asks' END) FROM daily_parts p JOIN meters m ON m.id = "
	    "p.meter_id WHERE p.cost_e7 <> p.energy_wh * p.price OR p.price NOT "
	    "IN (SELECT price FROM site_prices)");
}

/* A day's energy is its parts', and its cost too, where priced. */
static int
day_parts(struct verify *v)
{
	return problems(v, "charges", "SELECT printf('meter %s on %s: %d Wh "
	    "costing %d, its priced parts %d Wh costing %d (1e-7 yuan)', "
	    "m.meter, d.day, d.energy_wh, d.cost_e7, p.wh, p.cost) FROM daily d "
	    "JOIN meters m ON m.id = d.meter_id JOIN (SELECT meter_id, day, "
	    "sum(energy_wh) AS wh, sum(cost_e7) AS cost FROM daily_parts GROUP "
	    "BY 1, 2) p ON p.meter_id = d.meter_id AND p.day = d.day WHERE "
	    "p.wh <> d.energy_wh OR p.cost <> d.cost_e7");
}

/*
 * The days hold the energy the meter's own counter went up by.  A
 * counter that went back is stored flagged, so the unflagged ones never
 * fall: what they rose by is their last less their first.
 */
static int
counter_days(struct verify *v)
{
	return problems(v, "charges", "SELECT printf('meter %s: its counter "
	    "went up %d Wh, the daily roll-up holds %d Wh', meter, wh, days) "
	    "FROM (SELECT m.meter, r.wh, coalesce((SELECT sum(energy_wh) FROM "
	    "daily d WHERE d.meter_id = r.meter_id), 0) AS days FROM (SELECT "
	    "meter_id, max(hi) - min(lo) AS wh FROM (SELECT meter_id, energy_wh "
	    "AS lo, energy_wh AS hi FROM readings WHERE flag IS NULL AND "
	    "energy_wh IS NOT NULL UNION ALL SELECT meter_id, first_wh, last_wh "
	    "FROM reading_archive WHERE first_wh IS NOT NULL) AS c GROUP BY "
	    "meter_id) r "
	    "JOIN meters m ON m.id = r.meter_id) AS t WHERE wh <> days");
}

/*
 * The counter a day's row keeps at the day's end (migration 25), where it
 * keeps one, is the meter's last good reading at or before the day's end,
 * and within the day: what report counters reads at a midnight.  Days
 * that begin before the end of the last month archived are past checking.
 * Each day's bounds, t0 and t1, are worked out once a day of the site,
 * not once a meter's day: on a server they are PL/pgSQL, and a year of
 * 100 000 meters is 36.5 million rows (MATERIALIZED, so that no engine
 * folds them back into each row).
 */
#define DAY_LAST(t) \
	"SELECT * FROM (SELECT time, seq, energy_wh FROM " t " r WHERE " \
	"r.meter_id = d.meter_id AND r.status < 8 AND r.energy_wh IS NOT " \
	"NULL AND r.time <= b.t1 AND r.time > b.t0 ORDER BY r.time DESC, " \
	"r.seq DESC LIMIT 1) AS a"
/* The day's last good reading, its columns cols, from the rows of u. */
#define DAY_READ(cols) \
	"SELECT " cols " FROM (" DAY_LAST("reading_rows") " UNION ALL " \
	DAY_LAST("reading_recent") ") AS u ORDER BY time DESC, seq DESC " \
	"LIMIT 1"
/*
 * Compared as numbers, every day of the site; only the days that differ
 * are looked up again and written out.
 */
static int
day_ends(struct verify *v)
{
	return problems(v, "charges", "WITH bounds AS MATERIALIZED (SELECT "
	    "day, unixepoch(day, 'utc') AS t0, unixepoch(day, '+1 day', "
	    "'utc') AS t1 FROM (SELECT DISTINCT day FROM daily) AS x) SELECT "
	    "printf('meter %s on %s: the daily roll-up keeps %s as its counter "
	    "at the day''s end, its last good reading by then is %s', m.meter, "
	    "d.day, printf('%d Wh at %s', d.last_wh, datetime(d.last_time, "
	    "'unixepoch', 'localtime')), coalesce((" DAY_READ("printf('%d Wh "
	    "at %s', energy_wh, datetime(time, 'unixepoch', 'localtime'))")
	    "), 'not in the day')) FROM daily d INDEXED BY daily_meter JOIN "
	    "bounds b ON b.day = d.day JOIN meters m ON m.id = d.meter_id "
	    "WHERE d.last_time IS NOT NULL AND b.t0 >= coalesce((SELECT "
	    "unixepoch(max(month) || '-01', '+1 month') FROM reading_archive), "
	    "0) AND NOT EXISTS (SELECT 1 FROM (" DAY_READ("time, energy_wh")
	    ") AS l WHERE l.time = d.last_time AND l.energy_wh = d.last_wh)");
}
#undef DAY_READ
#undef DAY_LAST

/*
 * A meter's month in the monthly roll-up is its days in the daily one:
 * how many, their energy and their cost.
 */
static int
month_days(struct verify *v)
{
	return problems(v, "charges", "SELECT printf('meter %s in %s: the "
	    "monthly roll-up holds %d days, %d Wh costing %d, its days in the "
	    "daily one %d, %d Wh costing %d (1e-7 yuan)', m.meter, x.month, "
	    "x.n, x.wh, x.e7, x.dn, x.dwh, x.de7) FROM (SELECT month, meter_id, "
	    "sum(n) AS n, sum(wh) AS wh, sum(e7) AS e7, sum(dn) AS dn, sum(dwh) "
	    "AS dwh, sum(de7) AS de7 FROM (SELECT month, meter_id, days AS n, "
	    "energy_wh AS wh, cost_e7 AS e7, 0 AS dn, 0 AS dwh, 0 AS de7 FROM "
	    "monthly UNION ALL SELECT substr(day, 1, 7), meter_id, 0, 0, 0, 1, "
	    "energy_wh, cost_e7 FROM daily) AS t GROUP BY month, meter_id) x JOIN "
	    "meters m ON m.id = x.meter_id WHERE x.n <> x.dn OR x.wh <> x.dwh "
	    "OR x.e7 <> x.de7");
}

/*
 * The energy charged: every reading's cost is in the daily roll-up and in
 * its window and tier parts, the monthly roll-up is the sum of the daily
 * one, and an account's cached charges are the costs of the readings that
 * name it.  By name, not by the times the meter was attached: a clock
 * stepped back may stamp a close before the last poll.
 * An account whose meter kept the wallet is charged by the meter, and is
 * left out.
 */
static void
check_charges(struct verify *v)
{
	if (charge_totals(v) && account_charges(v) && part_prices(v) &&
	    day_parts(v) && counter_days(v) && day_ends(v) && month_days(v))
		finish(v, "charges", "the charges equal the readings' energy "
		    "priced by the tariffs");
}

static void
check_serials(struct verify *v)
{
	pp__st *st;
	char prev[PP_KEYMAX] = "";

	/* Strictly increasing with the row order. */
	if ((st = query(v, "SELECT serial FROM ledger ORDER BY id")) == NULL)
		return;
	while (pp__step(st) == PP__ROW) {
		const char *s = col(st, 0);

		if (pp_serial_check(s) != PP_OK)
			problem(v, "serials", "serial %s is malformed", s);
		else if (strcmp(s, prev) <= 0)
			problem(v, "serials", "serial %s comes after %s", s,
			    prev);
		snprintf(prev, sizeof(prev), "%s", s);
	}
	pp__reset(st);
	/* Per day: 1..N with no gap, N the last one handed out. */
	if (!problems(v, "serials", "SELECT printf('day %s: %d serials "
	    "handed out, %d in the ledger (highest %06d): a gap', d.day, "
	    "d.last, coalesce(l.n, 0), coalesce(l.top, 0)) FROM serial_days d "
	    "LEFT JOIN (SELECT substr(serial, 1, 8) AS day, count(*) AS n, "
	    "max(CAST(substr(serial, 9) AS BIGINT)) AS top FROM ledger GROUP "
	    "BY 1) l ON l.day = d.day WHERE coalesce(l.n, 0) <> d.last OR "
	    "coalesce(l.top, 0) <> d.last") ||
	    !problems(v, "serials", "SELECT printf('day %s has serials that "
	    "were never handed out', substr(serial, 1, 8)) FROM ledger WHERE "
	    "substr(serial, 1, 8) NOT IN (SELECT day FROM serial_days) GROUP "
	    "BY substr(serial, 1, 8)"))
		return;
	finish(v, "serials", "gap-free and strictly increasing");
}

static void
check_reversals(struct verify *v)
{
	pp__st *st;

	if ((st = query(v, "SELECT r.serial, o.serial, o.kind, "
	    "r.amount + coalesce(o.amount, 0), r.account_id IS NOT DISTINCT "
	    "FROM o.account_id, "
	    "r.kind FROM ledger r LEFT JOIN ledger o ON o.id = r.reverses "
	    "WHERE (r.kind = 'reverse') <> (r.reverses IS NOT NULL) OR "
	    "(r.kind = 'reverse' AND (o.id IS NULL OR o.kind = 'reverse' OR "
	    "r.amount + o.amount <> 0 OR r.account_id IS DISTINCT FROM "
	    "o.account_id))"))
	    == NULL)
		return;
	while (pp__step(st) == PP__ROW) {
		const char *serial = col(st, 0);

		if (strcmp(col(st, 5), "reverse") != 0)
			problem(v, "reversals", "serial %s is a %s that names a "
			    "row it reverses", serial, col(st, 5));
		else if (pp__col_null(st, 1))
			problem(v, "reversals", "serial %s reverses nothing: an "
			    "orphan", serial);
		else if (strcmp(col(st, 2), "reverse") == 0)
			problem(v, "reversals", "serial %s reverses the reversal "
			    "%s", serial, col(st, 1));
		else
			problem(v, "reversals", "serial %s does not undo %s "
			    "exactly", serial, col(st, 1));
	}
	pp__reset(st);
	if (problems(v, "reversals", "SELECT printf('serial %s is reversed %d "
	    "times', o.serial, count(*)) FROM ledger r JOIN ledger o ON o.id = "
	    "r.reverses GROUP BY o.id HAVING count(*) > 1"))
		finish(v, "reversals", "no orphaned or doubled reversal");
}

static void
check_report_totals(struct verify *v)
{
	pp__st *st;
	char a[PP_NUMBUF], b[PP_NUMBUF];

	/* The sales report groups by day; its days must add up to the ledger. */
	if ((st = query(v, "SELECT (SELECT coalesce(sum(n), 0) FROM (SELECT "
	    "sum(amount) AS n FROM ledger GROUP BY strftime('%Y-%m-%d', time, "
	    "'unixepoch', 'localtime'), operator, method) AS t), (SELECT "
	    "coalesce(sum(amount), 0) FROM ledger), (SELECT coalesce(sum(money),"
	    " 0) FROM accounts)")) == NULL)
		return;
	if (pp__step(st) == PP__ROW) {
		int64_t report = pp__col_int64(st, 0);
		int64_t ledger = pp__col_int64(st, 1);
		int64_t accounts = pp__col_int64(st, 2);

		if (report != ledger)
			problem(v, "report-totals", "the sales report nets %s, "
			    "the ledger %s", pp_money_format(report, a),
			    pp_money_format(ledger, b));
		if (accounts != ledger)
			problem(v, "report-totals", "the accounts hold %s, the "
			    "ledger %s", pp_money_format(accounts, a),
			    pp_money_format(ledger, b));
	}
	pp__reset(st);
	finish(v, "report-totals", "report totals equal the ledger");
}

/* sql with every run of white space made one space, for comparing. */
static void
squeeze(const char *sql, char *buf, size_t size)
{
	size_t at = 0;
	int space = 0;

	for (; *sql && at + 1 < size; sql++) {
		if (*sql == ' ' || *sql == '\t' || *sql == '\n' ||
		    *sql == '\r') {
			space = at > 0;
			continue;
		}
		if (space && at + 2 < size)
			buf[at++] = ' ';
		space = 0;
		buf[at++] = *sql;
	}
	buf[at] = '\0';
}

/*
 * The schema's objects on a PostgreSQL database, as one list in one
 * order: each table's and view's columns, and each view's query, each
 * index, each trigger with whether it fires and its function's body,
 * each function's body.  The months' partitions, and what they copy of
 * their parent, are not the schema's but its data's (prepay_partitions).
 */
static const char pg_objects_sql[] =
    "SELECT kind, name, body FROM (SELECT CASE c.relkind WHEN 'v' THEN "
    "'view' ELSE 'table' END, "
    "c.relname, string_agg(a.attname || ' ' || "
    "format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attnotnull THEN "
    "' not null' ELSE '' END, ', ' ORDER BY a.attnum) || CASE c.relkind "
    "WHEN 'v' THEN ' AS ' || pg_get_viewdef(c.oid) ELSE '' END FROM "
    "pg_class c JOIN "
    "pg_namespace n ON n.oid = c.relnamespace JOIN pg_attribute a ON "
    "a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped WHERE "
    "n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v') AND NOT "
    "c.relispartition GROUP BY c.relname, c.relkind, c.oid "
    "UNION ALL SELECT 'index', c.relname, pg_get_indexdef(c.oid) FROM "
    "pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE "
    "n.nspname = 'public' AND c.relkind IN ('i', 'I') AND NOT "
    "c.relispartition "
    "UNION ALL SELECT 'trigger', t.tgname || ' on ' || c.relname, "
    "pg_get_triggerdef(t.oid) || ' ' || CAST(t.tgenabled AS TEXT) || ' ' "
    "|| md5(p.prosrc) "
    "FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN "
    "pg_namespace n ON n.oid = c.relnamespace JOIN pg_proc p ON p.oid = "
    "t.tgfoid WHERE n.nspname = 'public' AND NOT t.tgisinternal AND "
    "t.tgparentid = 0 "
    "UNION ALL SELECT 'function', p.proname || '(' || "
    "pg_get_function_identity_arguments(p.oid) || ')', md5(coalesce("
    "p.prosrc, '')) FROM pg_proc p JOIN pg_namespace n ON n.oid = "
    "p.pronamespace WHERE n.nspname = 'public') AS o(kind, name, body) "
    /* In strcmp's order, which the comparison walks, whatever the locale. */
    "ORDER BY kind COLLATE \"C\", name COLLATE \"C\"";

/*
 * The database name in uri replaced with name, into buf: the schema's
 * own objects are made in a database of their own on the same server.
 */
static void
uri_with_db(const char *uri, const char *name, char *buf, size_t size)
{
	const char *auth = strstr(uri, "://") + 3;
	const char *path = auth + strcspn(auth, "/?");
	const char *rest = *path == '/' ? path + 1 + strcspn(path + 1, "?") :
	    path;

	snprintf(buf, size, "%.*s/%s%s", (int)(path - uri), uri, name, rest);
}

/*
 * On PostgreSQL: the reference is a database made for the check on the
 * same server, its schema made by the migrations (lib/pg), and dropped;
 * the role must be allowed to create one (CREATEDB).  Its objects and
 * the site's are compared as SQLite's are: dropped, changed, or a trigger
 * or function added outside the tools.
 */
static void
check_schema_pg(struct verify *v)
{
	char name[64], uri[sizeof(v->db->path) + 64], sql[96];
	pp_db *admin = NULL, *ref = NULL;
	pp__st *want = NULL, *have;
	int w, h, cmp;

	snprintf(name, sizeof(name), "prepay_verify_%ld", (long)getpid());
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
	if (pp_db_open(&admin, v->db->path, 0) != PP_OK ||
	    pp__script(admin, sql, "reference") != PP_OK) {
		v->rc = pp__fail(v->db, PP_EINTERNAL, "the reference schema "
		    "cannot be made (the role needs CREATEDB): %s",
		    pp_errmsg(admin));
		pp_db_close(admin);
		return;
	}
	uri_with_db(v->db->path, name, uri, sizeof(uri));
	if (pp_db_open(&ref, uri, PP_DB_CREATE) != PP_OK ||
	    (want = pp__stmt(ref, pg_objects_sql)) == NULL) {
		v->rc = pp__fail(v->db, PP_EINTERNAL, "the reference schema "
		    "cannot be built: %s", pp_errmsg(ref));
		goto out;
	}
	if ((have = query(v, pg_objects_sql)) == NULL)
		goto out;
	w = pp__step(want);
	h = pp__step(have);
	while (w == PP__ROW || h == PP__ROW) {
		const char *kind = col(w == PP__ROW ? want : have, 0);
		const char *check = strcmp(kind, "trigger") == 0 ?
		    "append-only" : "schema";

		cmp = w != PP__ROW ? 1 : h != PP__ROW ? -1 :
		    strcmp(kind, col(have, 0)) != 0 ? strcmp(kind,
		    col(have, 0)) : strcmp(col(want, 1), col(have, 1));
		if (cmp < 0)
			problem(v, check, "%s %s was dropped", kind,
			    col(want, 1));
		else if (cmp > 0 && (strcmp(col(have, 0), "trigger") == 0 ||
		    strcmp(col(have, 0), "function") == 0))
			problem(v, strcmp(col(have, 0), "trigger") == 0 ?
			    "append-only" : "schema", "%s %s is not the "
			    "schema's: added outside the tools", col(have, 0),
			    col(have, 1));
		else if (cmp == 0 && strcmp(col(want, 2), col(have, 2)) != 0)
			problem(v, check, "%s %s differs from the schema's: "
			    "replaced outside the tools", kind, col(want, 1));
		if (cmp <= 0)
			w = pp__step(want);
		if (cmp >= 0)
			h = pp__step(have);
	}
	pp__reset(have);
	if (w != PP__DONE) {
		pp__sqlfail(ref, "the reference schema");
		v->rc = pp__fail(v->db, PP_EINTERNAL, "%s", pp_errmsg(ref));
		goto out;
	}
	if (h != PP__DONE) {
		v->rc = pp__sqlfail(v->db, "schema");
		goto out;
	}
	finish(v, "append-only", "the ledger and the audit log refuse edits; "
	    "every trigger is the schema's own");
	finish(v, "schema", "every table and index is the schema's own");
out:
	if (want)
		pp__reset(want);
	pp_db_close(ref);
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", name);
	if (pp__script(admin, sql, "reference") != PP_OK && v->rc == PP_OK)
		v->rc = pp__fail(v->db, PP_EINTERNAL, "%s: %s", name,
		    pp_errmsg(admin));
	pp_db_close(admin);
}

/*
 * The schema is the migrations' own: every trigger, table and index the
 * migrations make is there with the same text, and no trigger was added.
 * A protective trigger replaced by a no-op of the same name, or a trigger
 * that rewrites what the tools insert, is found here.
 */
static void
check_schema(struct verify *v)
{
	if (pp_db_is_uri(v->db->path)) {
		check_schema_pg(v);
		return;
	}
	pp_db *ref = NULL;
	pp__st *want, *have;
	char a[8192], b[8192];

	if (pp__schema_reference(&ref) != PP_OK) {
		v->rc = pp__fail(v->db, PP_EINTERNAL, "the reference schema "
		    "cannot be built: %s", pp_errmsg(ref));
		goto out;
	}
	if ((want = pp__stmt(ref, "SELECT type, name, sql FROM sqlite_master "
	    "WHERE sql IS NOT NULL ORDER BY type, name")) == NULL ||
	    (have = query(v, "SELECT sql FROM sqlite_master "
	    "WHERE type = ? AND name = ?")) == NULL) {
		if (v->rc == PP_OK)
			v->rc = pp__fail(v->db, PP_EINTERNAL, "the reference "
			    "schema cannot be read");
		goto out;
	}
	while (pp__step(want) == PP__ROW) {
		const char *type = col(want, 0), *name = col(want, 1);
		const char *check = strcmp(type, "trigger") == 0 ?
		    "append-only" : "schema";

		pp__bind_copy(have, 1, type);
		pp__bind_copy(have, 2, name);
		if (pp__step(have) != PP__ROW)
			problem(v, check, "%s %s was dropped", type, name);
		else {
			squeeze(col(want, 2), a, sizeof(a));
			squeeze(col(have, 0), b, sizeof(b));
			if (strcmp(a, b) != 0)
				problem(v, check, "%s %s differs from the "
				    "schema's: replaced outside the tools",
				    type, name);
		}
		pp__reset(have);
	}
	if ((have = query(v, "SELECT name FROM sqlite_master WHERE type = "
	    "'trigger' ORDER BY name")) == NULL)
		goto out;
	pp__reset(want);
	if ((want = pp__stmt(ref, "SELECT 1 FROM sqlite_master WHERE type = "
	    "'trigger' AND name = ?")) == NULL) {
		pp__reset(have);
		v->rc = pp__fail(v->db, PP_EINTERNAL, "the reference schema "
		    "cannot be read");
		goto out;
	}
	while (pp__step(have) == PP__ROW) {
		pp__bind_copy(want, 1, col(have, 0));
		if (pp__step(want) != PP__ROW)
			problem(v, "append-only", "trigger %s is not the "
			    "schema's: added outside the tools", col(have, 0));
		pp__reset(want);
	}
	pp__reset(have);
	finish(v, "append-only", "the ledger and the audit log refuse edits; "
	    "every trigger is the schema's own");
	finish(v, "schema", "every table and index is the schema's own");
out:
	pp_db_close(ref);
}

/*
 * Every command that moves money is bound to the ledger row that ordered
 * it: the same meter, amount and purchase count, all of which that row's
 * hash covers, and one command a row.  So a recharge raised, added or
 * pointed at another row outside the tools is found.  A cancelled
 * recharge gave its count to the later ones: each later one carries its
 * row's count less the cancellations of earlier rows made after its own,
 * and each cancellation has its own ledger row (adjust, 0.00, naming the
 * serial that ordered it), inside the chain.
 */
#define CANCELLED_ROW(x, lx) "ledger ax WHERE ax.kind = 'adjust' AND " \
	"ax.amount = 0 AND ax.meter_id = " x ".meter_id AND ax.id > " lx ".id " \
	"AND ax.remark LIKE " PP_CANCELLED_LIKE(lx ".serial")
/* The cancellations that renumbered c: of earlier rows, after c's own. */
#define CANCELLED_BEFORE "(SELECT count(*) FROM commands x JOIN ledger lx " \
	"ON lx.id = x.ledger_id WHERE x.meter_id = c.meter_id AND x.action = " \
	"'recharge' AND x.verdict = 'cancelled' AND lx.id < l.id AND " \
	"(SELECT min(ax.id) FROM " CANCELLED_ROW("x", "lx") ") > l.id)"

static void
check_commands(struct verify *v)
{
	pp__st *st;
	char a[PP_NUMBUF], b[PP_NUMBUF];

	if ((st = query(v, "SELECT c.id, m.meter, coalesce(c.amount, 0), "
	    "coalesce(c.buy_count, 0), l.serial, coalesce(l.amount, 0), "
	    "coalesce(l.buy_count, 0) - " CANCELLED_BEFORE ", c.ledger_id IS "
	    "NULL, l.id IS NULL, "
	    "c.meter_id IS NOT DISTINCT FROM l.meter_id, (SELECT count(*) FROM "
	    "commands d WHERE "
	    "d.ledger_id = c.ledger_id), c.action FROM commands c JOIN meters "
	    "m ON m.id = c.meter_id LEFT JOIN ledger l ON l.id = c.ledger_id "
	    "WHERE (c.action = 'recharge' OR c.amount IS NOT NULL OR "
	    "c.ledger_id IS NOT NULL) AND (c.action <> 'recharge' OR l.id IS "
	    "NULL OR c.amount IS DISTINCT FROM l.amount OR c.buy_count IS "
	    "DISTINCT FROM l.buy_count - " CANCELLED_BEFORE " OR c.meter_id IS "
	    "DISTINCT FROM l.meter_id "
	    "OR (SELECT count(*) "
	    "FROM commands d WHERE d.ledger_id = c.ledger_id) > 1)")) == NULL)
		return;
	while (pp__step(st) == PP__ROW) {
		long long id = pp__col_int64(st, 0);
		const char *meter = col(st, 1), *serial = col(st, 4);

		if (strcmp(col(st, 11), "recharge") != 0)
			problem(v, "commands", "command %lld (%s to meter %s) "
			    "carries money: made outside the tools", id,
			    col(st, 11), meter);
		else if (pp__col_int(st, 7) || pp__col_int(st, 8))
			problem(v, "commands", "recharge %lld of %s to meter %s "
			    "has no ledger row: made outside the tools", id,
			    pp_money_format(pp__col_int64(st, 2), a),
			    meter);
		else if (pp__col_int64(st, 2) !=
		    pp__col_int64(st, 5))
			problem(v, "commands", "recharge %lld to meter %s is %s, "
			    "its ledger row %s %s: changed outside the tools",
			    id, meter,
			    pp_money_format(pp__col_int64(st, 2), a),
			    serial,
			    pp_money_format(pp__col_int64(st, 5), b));
		else if (pp__col_int64(st, 3) !=
		    pp__col_int64(st, 6) || !pp__col_int(st, 9))
			problem(v, "commands", "recharge %lld to meter %s is not "
			    "the purchase its ledger row %s ordered", id, meter,
			    serial);
		else
			problem(v, "commands", "ledger row %s ordered %lld "
			    "recharges", serial,
			    (long long)pp__col_int64(st, 10));
	}
	pp__reset(st);
	if (problems(v, "commands", "SELECT printf('command %d to meter %s "
	    "(serial %s) is marked cancelled without its ledger row: changed "
	    "outside the tools', c.id, m.meter, l.serial) FROM commands c JOIN "
	    "meters m ON m.id = c.meter_id LEFT JOIN ledger l ON l.id = "
	    "c.ledger_id WHERE c.verdict IS NOT NULL AND (c.action <> "
	    "'recharge' OR c.state <> 'failed' OR NOT EXISTS (SELECT 1 FROM "
	    CANCELLED_ROW("c", "l") "))"))
		finish(v, "commands", "every recharge matches the ledger row "
		    "that ordered it");
}

/*
 * What only site-load writes (operators, tariffs, settings) is as the
 * last site-load left it: the digest its audit entry recorded.
 */
static void
check_site(struct verify *v)
{
	pp__st *st;
	char digest[65], recorded[80] = "";
	int64_t entry = 0, others;

	if ((v->rc = pp__site_digest(v->db, digest)) != PP_OK)
		return;
	/* Only a committed load records it (exit 0, inside its change). */
	if ((st = query(v, "SELECT id, substr(summary, instr(summary, "
	    "'" PP_SITE_DIGEST_NOTE "') + length('" PP_SITE_DIGEST_NOTE "'), 64) "
	    "FROM audit WHERE tool = 'site-load' AND exit = 0 AND "
	    "instr(summary, '" PP_SITE_DIGEST_NOTE "') > 0 ORDER BY id DESC "
	    "LIMIT 1")) == NULL)
		return;
	if (pp__step(st) == PP__ROW) {
		entry = pp__col_int64(st, 0);
		pp__col_text(st, 1, recorded, sizeof(recorded));
	}
	pp__reset(st);
	if (entry && strcmp(recorded, digest) != 0)
		problem(v, "site", "the operators, tariffs or settings differ "
		    "from what site-load left at audit entry %lld: changed "
		    "outside the tools", (long long)entry);
	/* Before the first site-load only the creator is an operator. */
	if (entry == 0 && pp__query_int(v->db, &others, "SELECT (SELECT "
	    "count(*) FROM operators WHERE source <> 'creator') + (SELECT "
	    "count(*) FROM operators WHERE source = 'creator') / 2 + (SELECT "
	    "count(*) FROM tariffs)", "") == PP_OK && others != 0)
		problem(v, "site", "operators or tariffs that no site-load "
		    "wrote: changed outside the tools");
	finish(v, "site", "the operators, tariffs and settings are site-load's");
}

static void
check_meters(struct verify *v)
{
	if (problems(v, "meters", "SELECT printf('meter %s is on account %s "
	    "(%s) without a matching attachment', m.meter, coalesce(a.account, "
	    "'?'), coalesce(a.state, 'missing')) FROM meters m LEFT JOIN "
	    "accounts a ON a.id = m.account_id WHERE m.account_id IS NOT NULL "
	    "AND (a.state IS DISTINCT FROM 'open' OR NOT EXISTS (SELECT 1 FROM "
	    "account_meters am WHERE am.meter_id = m.id AND am.account_id = "
	    "m.account_id AND am.detached IS NULL))"))
		finish(v, "meters", "every meter is on at most one open account");
}

/* The two chains, as verify names them and finds their rows. */
static const struct chain {
	const char	*head;		/* the row naming its head */
	const char	*row;		/* a row of it, in words */
	const char	*last_sql;	/* "ID:HASH" of its last row */
	const char	*hash_sql;	/* the hash of row ?1 */
} chains[2] = {
	{ "ledger-head", "ledger row", "SELECT id || ':' || hash FROM ledger "
	    "ORDER BY id DESC LIMIT 1", "SELECT hash FROM ledger WHERE id = ?" },
	{ "audit-head", "audit entry", "SELECT id || ':' || hash FROM audit "
	    "ORDER BY id DESC LIMIT 1", "SELECT hash FROM audit WHERE id = ?" },
};

/*
 * The heads of both chains, "ID:HASH", printed so that a copy kept outside
 * the database (a nightly cron's) can later show that no tail was cut and
 * nothing before it rewritten.
 */
static void
print_heads(struct verify *v)
{
	char head[80];
	pp__st *st;
	int i;

	for (i = 0; i < 2 && v->rc == PP_OK; i++) {
		snprintf(head, sizeof(head), "0:");
		if ((st = query(v, chains[i].last_sql)) == NULL)
			return;
		if (pp__step(st) == PP__ROW)
			pp__col_text(st, 0, head, sizeof(head));
		pp__reset(st);
		put(v, chains[i].head, "ok", head);
	}
}

/* In line, the "ID:HASH" after name ("ledger-head"); 0 when none. */
static int
anchor_head(const char *line, const char *name, int64_t *id, char hash[65])
{
	const char *p = strstr(line, name), *q;
	long long n;

	if (p == NULL)
		return 0;
	for (p += strlen(name); *p; p++) {
		if (*p < '0' || *p > '9')
			continue;
		n = strtoll(p, (char **)&q, 10);
		/* An empty chain's head is "0:". */
		if (*q == ':' && (n == 0 ? strspn(q + 1, "0123456789abcdef") ==
		    0 : strspn(q + 1, "0123456789abcdef") == 64)) {
			*id = n;
			memcpy(hash, q + 1, n == 0 ? 0 : 64);
			hash[n == 0 ? 0 : 64] = '\0';
			return 1;
		}
		p = q - 1;
	}
	return 0;
}

/* An earlier run's heads, "ID:HASH" of each chain, read from its output. */
struct anchor {
	int64_t	id[2];
	char	hash[2][65];
};

static int
anchor_read(pp_db *db, const char *path, struct anchor *a)
{
	char line[1024];
	FILE *fp;
	int i;

	a->id[0] = a->id[1] = -1;
	/* The caller's file, read with the caller's rights. */
	if ((fp = pp_fopen_caller(path, "r")) == NULL)
		return pp__fail(db, PP_ENOINPUT, "--anchor %s: %s", path,
		    strerror(errno));
	while (fgets(line, sizeof(line), fp) != NULL)
		for (i = 0; i < 2; i++)
			anchor_head(line, chains[i].head, &a->id[i],
			    a->hash[i]);
	fclose(fp);
	if (a->id[0] < 0 || a->id[1] < 0)
		return pp__fail(db, PP_EDATA, "--anchor %s: no ledger-head and "
		    "audit-head lines of an earlier report verify", path);
	return PP_OK;
}

/* The anchored rows are still there, with the hashes they had. */
static void
check_anchor(struct verify *v, const struct anchor *a)
{
	pp__st *st;
	char now[65];
	int i;

	for (i = 0; i < 2; i++) {
		if (a->id[i] == 0)
			continue;
		if ((st = query(v, chains[i].hash_sql)) == NULL)
			return;
		pp__bind_int64(st, 1, a->id[i]);
		now[0] = '\0';
		if (pp__step(st) == PP__ROW)
			pp__col_text(st, 0, now, sizeof(now));
		pp__reset(st);
		if (now[0] == '\0')
			problem(v, "anchor", "%s %lld of the anchor is gone: the "
			    "chain was cut back outside the tools", chains[i].row,
			    (long long)a->id[i]);
		else if (strcmp(now, a->hash[i]) != 0)
			problem(v, "anchor", "%s %lld no longer has the anchor's "
			    "hash: the chain was rewritten outside the tools",
			    chains[i].row, (long long)a->id[i]);
	}
	finish(v, "anchor", "both chains still hold the anchor's heads");
}

/*
 * Every invariant of doc/design.md, "Money"; PP_ERULE when any fails.  The
 * rows end with the heads of both chains; an anchor is the output of an
 * earlier run, whose heads must still be there unchanged.
 */
static int
verify_rows(struct pp__run *run)
{
	const char *anchor = run->opts.anchor;
	pp_db *db = run->db;
	struct anchor held;
	struct verify v;
	int rc;

	if (anchor && (rc = anchor_read(db, anchor, &held)) != PP_OK)
		return rc;
	if ((rc = pp__report_open(run)) != PP_OK)
		return rc;
	memset(&v, 0, sizeof(v));
	v.db = db;
	v.run = run;
	/* One read transaction: every check sees the same database. */
	if ((rc = pp__tx_read(db)) != PP_OK)
		return rc;
	check_ledger_chain(&v);
	check_audit_chain(&v);
	check_ledger_heads(&v);
	check_balances(&v);
	check_charges(&v);
	check_serials(&v);
	check_reversals(&v);
	check_report_totals(&v);
	check_schema(&v);
	check_commands(&v);
	check_site(&v);
	check_meters(&v);
	if (anchor && v.rc == PP_OK)
		check_anchor(&v, &held);
	print_heads(&v);
	pp__tx_read_end(db);
	if (v.rc != PP_OK)
		return v.rc;
	if (v.any)
		return pp__fail(db, PP_ERULE, "the ledger fails verification");
	return PP_OK;
}

static const pp_column verify_cols[] = {
	{ "check", PP_COL_TEXT }, { "result", PP_COL_TEXT },
	{ "message", PP_COL_TEXT },
};

const struct pp_report pp__report_verify = {
	.info = { "verify", "[--anchor FILE]", PP_OPERAND_NONE, 0 },
	.cols = verify_cols,
	.ncols = PP__NELEM(verify_cols),
	.rows = verify_rows,
};
