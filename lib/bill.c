/*
 * bill.c: the bill report, one account's month: the opening balance, the
 * payments, the energy by time-of-use window, tier and price, the charges
 * and the closing balance.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report.h"

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

enum { BILL_ITEM, BILL_TIME, BILL_SERIAL, BILL_KIND, BILL_WINDOW, BILL_TIER,
	BILL_KWH, BILL_PRICE, BILL_AMOUNT, BILL_COST, BILL_BALANCE, BILL_NCOLS };

static const pp_column bill_cols[BILL_NCOLS] = {
	{ "item", PP_COL_TEXT }, { "time", PP_COL_TIME },
	{ "serial", PP_COL_TEXT }, { "kind", PP_COL_TEXT },
	{ "window", PP_COL_TEXT }, { "tier", PP_COL_INT },
	{ "energy_kwh", PP_COL_KWH }, { "price", PP_COL_PRICE },
	{ "amount", PP_COL_MONEY }, { "cost", PP_COL_MONEY },
	{ "balance", PP_COL_MONEY },
};

/* The month, and what was paid in and used before and through it. */
struct bill {
	int64_t	id;			/* the account's */
	int64_t	start, end;
	char	lo[PP_TIMEBUF], hi[PP_TIMEBUF];	/* its day, the next's */
	int64_t	money_before, money_in, used_before, used_end, wh_month;
};

/* --month YYYY-MM as [start, end). */
static int
bill_month(struct pp__run *run, struct bill *b)
{
	const char *month = run->opts.month;
	char err[PP_ERRMAX];

	if (run->opts.subject == NULL)
		return pp__fail(run->db, PP_EUSAGE, "which account? give "
		    "ACCOUNT");
	if (month == NULL)
		return pp__fail(run->db, PP_EUSAGE,
		    "bill needs --month YYYY-MM");
	if (strlen(month) != 7 || month[4] != '-' ||
	    pp_time_parse(month, &b->start, err, sizeof(err)) != PP_OK)
		return pp__fail(run->db, PP_EUSAGE, "--month %s: use YYYY-MM",
		    pp_q(month));
	if ((b->end = pp__unit_next(b->start, PP_MONTH)) == -1)
		return pp__fail(run->db, PP_EUSAGE, "--month %s: out of range",
		    month);
	pp__day_format(b->start, b->lo);
	pp__day_format(b->end, b->hi);
	return PP_OK;
}

static int
bill_totals(struct pp__run *run, struct bill *b)
{
	pp_db *db = run->db;
	struct pp__account a;
	int rc;

	if ((rc = pp__account_get(db, run->opts.subject, &a)) != PP_OK)
		return rc == PP_EDATA ? pp__fail(db, rc, "account %s: no such "
		    "account", pp_q(run->opts.subject)) : rc;
	b->id = a.id;
	if ((rc = pp__query_int(db, &b->money_before, "SELECT coalesce(sum("
	    "amount), 0) FROM ledger WHERE account_id = ? AND time < ?", "ii",
	    a.id, b->start)) != PP_OK ||
	    (rc = pp__query_int(db, &b->money_in,
	    "SELECT coalesce(sum(amount), "
	    "0) FROM ledger WHERE account_id = ? AND time >= ? AND time < ?",
	    "iii", a.id, b->start, b->end)) != PP_OK ||
	    (rc = pp__query_int(db, &b->used_before, "SELECT coalesce(sum("
	    "d.cost_e7), 0) FROM daily d WHERE d.day < ?2 AND "
	    ACCOUNT_DAYS("d"), "it", a.id, b->lo)) != PP_OK ||
	    (rc = pp__query_int(db, &b->used_end, "SELECT coalesce(sum("
	    "d.cost_e7), 0) FROM daily d WHERE d.day < ?2 AND "
	    ACCOUNT_DAYS("d"), "it", a.id, b->hi)) != PP_OK)
		return rc;
	return pp__query_int(db, &b->wh_month, "SELECT coalesce(sum("
	    "d.energy_wh), 0) FROM daily d WHERE d.day >= ?2 AND d.day < ?3 "
	    "AND " ACCOUNT_DAYS("d"), "itt", a.id, b->lo, b->hi);
}

/* A line of the bill: its item and up to two cells, the rest empty. */
static int
bill_line(struct pp__run *run, const char *item, int c1, int64_t v1, int c2,
    int64_t v2)
{
	pp_cell c[BILL_NCOLS];

	memset(c, 0, sizeof(c));
	c[BILL_ITEM] = PP__TEXT(item);
	c[c1] = PP__INT(v1);
	if (c2 >= 0)
		c[c2] = PP__INT(v2);
	return pp__report_emit(run, c);
}

/* The payments: every money row of the month, in the bill's columns. */
static const char bill_payments[] = "SELECT 'payment', time, serial, kind, "
    "NULL, NULL, NULL, NULL, amount, NULL, NULL FROM ledger WHERE "
    "account_id = ?1 AND time >= ?2 AND time < ?3 ORDER BY id";

/* The energy, by time-of-use window, tier (none: 0) and price. */
static const char bill_energy[] = "SELECT 'energy', NULL, NULL, NULL, "
    "d.window, nullif(d.tier, 0), sum(d.energy_wh), d.price, NULL, "
    "sum(d.cost_e7), NULL FROM daily_parts d WHERE d.day >= ?2 AND "
    "d.day < ?3 AND " ACCOUNT_DAYS("d") " GROUP BY d.window, d.tier, "
    "d.price ORDER BY d.window, d.tier, d.price";

/* Step one of the queries above, of the month by day or by time. */
static int
bill_query(struct pp__run *run, const struct bill *b, const char *sql,
    int by_day)
{
	pp__st *st;

	if ((st = pp__stmt(run->db, sql)) == NULL)
		return pp__errcode(run->db);
	pp__bind_int64(st, 1, b->id);
	if (by_day) {
		pp__bind_text(st, 2, b->lo);
		pp__bind_text(st, 3, b->hi);
		return pp__report_step(run, st, "daily_parts");
	}
	pp__bind_int64(st, 2, b->start);
	pp__bind_int64(st, 3, b->end);
	return pp__report_step(run, st, "ledger");
}

static int
bill_rows(struct pp__run *run)
{
	struct bill b;
	int64_t opening, closing, charges;
	int rc;

	if ((rc = bill_month(run, &b)) != PP_OK ||
	    (rc = bill_totals(run, &b)) != PP_OK)
		return rc;
	/* Each balance is rounded once; the charges are their difference. */
	opening = b.money_before - pp__fen_round(b.used_before);
	closing = b.money_before + b.money_in - pp__fen_round(b.used_end);
	charges = pp__fen_round(b.used_end) - pp__fen_round(b.used_before);
	if ((rc = pp__report_open(run)) != PP_OK ||
	    (rc = bill_line(run, "opening", BILL_TIME, b.start, BILL_BALANCE,
	    opening)) != PP_OK ||
	    (rc = bill_query(run, &b, bill_payments, 0)) != PP_OK ||
	    (rc = bill_line(run, "payments", BILL_AMOUNT, b.money_in, -1, 0)) !=
	    PP_OK ||
	    (rc = bill_query(run, &b, bill_energy, 1)) != PP_OK ||
	    (rc = bill_line(run, "charges", BILL_KWH, b.wh_month, BILL_COST,
	    charges)) != PP_OK)
		return rc;
	return bill_line(run, "closing", BILL_TIME, b.end, BILL_BALANCE,
	    closing);
}

const struct pp_report pp__report_bill = {
	.info = { "bill", "ACCOUNT --month YYYY-MM", PP_OPERAND_ACCOUNT, 0 },
	.cols = bill_cols,
	.ncols = BILL_NCOLS,
	.e7 = 1u << BILL_COST,
	.rows = bill_rows,
};
