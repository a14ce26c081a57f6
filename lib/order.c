/*
 * order.c: the orders of online payment (doc/design.md, "Money").  An
 * order is made when a resident asks to pay; only the platform's
 * verified notification (paynotify.c) pays it, through a sale.  Its
 * out_trade_no comes from the system's random source, so that nobody can
 * guess another resident's order from his own.
 */
#include <string.h>

#include <openssl/rand.h>

#include "internal.h"
#include "report.h"

#define ERR(code, ...)	pp__fail(db, code, __VA_ARGS__)

const pp_column pp_order_columns[PP_ORDER_NCOLS] = {
	{ "out_trade_no", PP_COL_TEXT }, { "account", PP_COL_TEXT },
	{ "channel", PP_COL_TEXT }, { "amount", PP_COL_MONEY },
	{ "state", PP_COL_TEXT }, { "created", PP_COL_TIME },
	{ "paid", PP_COL_TIME }, { "transaction_id", PP_COL_TEXT },
	{ "serial", PP_COL_TEXT }, { "requested", PP_COL_TIME },
	{ "pay_url", PP_COL_TEXT }, { "refund_id", PP_COL_TEXT },
	{ "refunded", PP_COL_TIME }, { "refunded_by", PP_COL_TEXT },
};

/* An order's columns, in order; the paid time NULL while unpaid. */
#define ORDER_SELECT "SELECT o.out_trade_no, a.account, o.channel, " \
	"o.amount, o.state, o.created, o.paid, coalesce(o.transaction_id, " \
	"''), coalesce(l.serial, ''), o.requested, coalesce(o.pay_url, ''), " \
	"coalesce(o.refund_id, ''), o.refunded, coalesce(o.refunded_by, '') " \
	"FROM orders o JOIN accounts a ON a.id = o.account_id " \
	"LEFT JOIN ledger l ON l.id = o.ledger_id "

void
pp_order_values(const struct pp_order *o, struct pp_order_text *t,
    const char *v[PP_ORDER_NCOLS])
{
	pp_cell c[PP_ORDER_NCOLS];
	int i;

	c[0] = PP__TEXT(o->out_trade_no);
	c[1] = PP__TEXT(o->account);
	c[2] = PP__TEXT(o->channel);
	c[3] = PP__INT(o->amount);
	c[4] = PP__TEXT(o->state);
	c[5] = PP__INT(o->created);
	c[6] = (pp_cell){ .set = o->paid != 0, .i = o->paid };
	c[7] = PP__TEXT(o->transaction_id);
	c[8] = PP__TEXT(o->serial);
	c[9] = (pp_cell){ .set = o->requested != 0, .i = o->requested };
	c[10] = PP__TEXT(o->pay_url);
	c[11] = PP__TEXT(o->refund_id);
	c[12] = (pp_cell){ .set = o->refunded != 0, .i = o->refunded };
	c[13] = PP__TEXT(o->refunded_by);
	for (i = 0; i < PP_ORDER_NCOLS; i++)
		v[i] = pp__cell_format(pp_order_columns[i].type, &c[i],
		    t->cell[i]);
}

int
pp_order_get(pp_db *db, const char *out_trade_no, struct pp_order *o)
{
	pp__st *st;
	int rc;

	memset(o, 0, sizeof(*o));
	if ((st = pp__stmt(db, ORDER_SELECT "WHERE o.out_trade_no = ?")) ==
	    NULL)
		return PP_EINTERNAL;
	pp__bind_copy(st, 1, out_trade_no);
	if ((rc = pp__step(st)) == PP__ROW) {
		pp__col_text(st, 0, o->out_trade_no, sizeof(o->out_trade_no));
		pp__col_text(st, 1, o->account, sizeof(o->account));
		pp__col_text(st, 2, o->channel, sizeof(o->channel));
		o->amount = pp__col_int64(st, 3);
		pp__col_text(st, 4, o->state, sizeof(o->state));
		o->created = pp__col_int64(st, 5);
		o->paid = pp__col_int64(st, 6);	/* NULL: 0 */
		pp__col_text(st, 7, o->transaction_id,
		    sizeof(o->transaction_id));
		pp__col_text(st, 8, o->serial, sizeof(o->serial));
		o->requested = pp__col_int64(st, 9);	/* NULL: 0 */
		pp__col_text(st, 10, o->pay_url, sizeof(o->pay_url));
		pp__col_text(st, 11, o->refund_id, sizeof(o->refund_id));
		o->refunded = pp__col_int64(st, 12);	/* NULL: 0 */
		pp__col_text(st, 13, o->refunded_by, sizeof(o->refunded_by));
	}
	pp__reset(st);
	if (rc == PP__ROW)
		return PP_OK;
	if (rc != PP__DONE)
		return pp__sqlfail(db, "order");
	return ERR(PP_EDATA, "order %s: no such order", pp_q(out_trade_no));
}

int
pp__order_paid(pp_db *db, int64_t id, const char *txn, int64_t ledger_id,
    int64_t time)
{
	return pp__exec(db, "UPDATE orders SET state = 'paid', paid = ?, "
	    "transaction_id = ?, ledger_id = ? WHERE id = ? AND "
	    "state = 'created'", "itii", time, txn, ledger_id, id);
}

int
pp__order_refund_due(pp_db *db, int64_t id, const char *txn, int64_t time)
{
	return pp__exec(db, "UPDATE orders SET state = 'refund_due', "
	    "paid = ?, transaction_id = ? WHERE id = ? AND state = 'created'",
	    "iti", time, txn, id);
}

/* A new out_trade_no: 16 random bytes in hex, unique among the orders. */
static int
new_trade_no(pp_db *db, char out[PP_TRADE_NOMAX])
{
	unsigned char r[16];
	int64_t taken;
	int i, tries, rc;

	for (tries = 0; tries < 8; tries++) {
		if (RAND_bytes(r, sizeof(r)) != 1)
			return ERR(PP_EINTERNAL, "the random source failed");
		for (i = 0; i < 16; i++)
			snprintf(out + 2 * i, 3, "%02x", r[i]);
		rc = pp__query_int(db, &taken, "SELECT 1 FROM orders WHERE "
		    "out_trade_no = ?", "t", out);
		if (rc == PP_EDATA)
			return PP_OK;
		if (rc != PP_OK)
			return rc;
	}
	return ERR(PP_EINTERNAL, "no new out_trade_no");
}

/* What a new order must be: the checks a sale of it will make later. */
static int
order_check(pp_db *db, const struct pp__account *a, const char *channel,
    int64_t amount)
{
	char b[PP_NUMBUF], m[PP_NUMBUF], buf[PP_KEYMAX];
	int64_t max;

	if (strcmp(channel, "wechat") != 0 && strcmp(channel, "alipay") != 0)
		return ERR(PP_EDATA, "channel \"%s\": use wechat or alipay",
		    pp_q(channel));
	if (pp__setting(db, strcmp(channel, "wechat") == 0 ?
	    "pay.wechat.mchid" : "pay.alipay.app_id", buf, sizeof(buf)) ==
	    NULL)
		return ERR(PP_ECONFIG, "channel %s: the site file's payments: "
		    "has no %s", channel, channel);
	if (!a->open)
		return ERR(PP_ERULE, "account %s is closed", a->account);
	if (amount <= 0)
		return ERR(PP_EDATA, "amount must be more than 0.00");
	if ((max = pp__setting_int(db, "max_sale", -1)) >= 0 && amount > max)
		return ERR(PP_EDATA, "amount %s: above the site's max_sale of "
		    "%s", pp_money_format(amount, b), pp_money_format(max, m));
	if ((max = pp__setting_int(db, "max_balance", -1)) >= 0 &&
	    a->balance + amount > max)
		return ERR(PP_ERULE, "account %s: the balance would be %s, "
		    "above max_balance %s", a->account,
		    pp_money_format(a->balance + amount, b),
		    pp_money_format(max, m));
	return PP_OK;
}

int
pp_order_make(pp_db *db, const char *account, const char *channel,
    int64_t amount, struct pp_order *out)
{
	struct pp__account a;
	char no[PP_TRADE_NOMAX];
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = pp__tx_begin(db)) != PP_OK)
		return rc;
	if ((rc = pp__account_get(db, account, &a)) != PP_OK)
		rc = rc == PP_EDATA ? ERR(PP_EDATA, "account %s: no such "
		    "account", pp_q(account)) : rc;
	else if ((rc = order_check(db, &a, channel, amount)) == PP_OK &&
	    (rc = new_trade_no(db, no)) == PP_OK &&
	    (rc = pp__exec(db, "INSERT INTO orders(out_trade_no, account_id, "
	    "channel, amount, created) VALUES (?, ?, ?, ?, ?)", "titii", no,
	    a.id, channel, amount, pp_now())) == PP_OK) {
		pp__audit_note(db, "order %s of %s for account %s", no,
		    channel, a.account);
		rc = pp__tx_commit(db);
	}
	if (rc != PP_OK) {
		pp__tx_rollback(db);
		return rc;
	}
	return pp_order_get(db, no, out);
}

/* ---- report orders: the orders, a state's or all, as made ---- */

static int
orders_check(struct pp__run *run)
{
	static const char *const states[] = { "created", "paid",
	    "refund_due", "refunded", "closed" };
	const char *state = run->opts.state;
	size_t i;

	for (i = 0; state && i < PP__NELEM(states); i++)
		if (strcmp(state, states[i]) == 0)
			return PP_OK;
	if (state == NULL)
		return PP_OK;
	return pp__fail(run->db, PP_EUSAGE, "--state %s: use created, paid, "
	    "refund_due, refunded or closed", pp_q(state));
}

const struct pp_report pp__report_orders = {
	.info = { "orders", "[--state S] [--from T] [--to T]",
	    PP_OPERAND_NONE, 0 },
	.cols = pp_order_columns,
	.ncols = PP_ORDER_NCOLS,
	.sql = ORDER_SELECT "WHERE (?1 IS NULL OR o.state = ?1) AND "
	    "o.created >= ?2 AND o.created < ?3 ORDER BY o.id",
	.binds = { PP__BIND_STATE, PP__BIND_FROM, PP__BIND_TO },
	.what = "orders",
	.check = orders_check,
};

int
pp__order_hold(pp_db *db, const char *no, struct pp__order_held *h)
{
	pp__st *st;
	int rc;

	memset(h, 0, sizeof(*h));
	if ((st = pp__stmt(db, "SELECT o.id, o.amount, coalesce(o.ledger_id, "
	    "0), o.channel, o.state, coalesce(o.transaction_id, ''), "
	    "a.account, a.state = 'open' FROM orders o JOIN accounts a ON "
	    "a.id = o.account_id WHERE o.out_trade_no = ?")) == NULL)
		return PP_EINTERNAL;
	pp__bind_copy(st, 1, no);
	if ((rc = pp__step(st)) == PP__ROW) {
		h->id = pp__col_int64(st, 0);
		h->amount = pp__col_int64(st, 1);
		h->ledger_id = pp__col_int64(st, 2);
		pp__col_text(st, 3, h->channel, sizeof(h->channel));
		pp__col_text(st, 4, h->state, sizeof(h->state));
		pp__col_text(st, 5, h->txn, sizeof(h->txn));
		pp__col_text(st, 6, h->account, sizeof(h->account));
		h->open = pp__col_int(st, 7);
	}
	pp__reset(st);
	if (rc == PP__ROW)
		return PP_OK;
	return rc == PP__DONE ? PP_EDATA : pp__sqlfail(db, "order");
}
