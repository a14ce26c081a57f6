/*
 * payment.c: the service hall's money requests: sales, refunds and
 * reversals.  Each runs inside the caller's transaction, finds the account
 * and its wallet (account.c), and posts through the ledger (ledger.c);
 * nothing is left behind when it fails.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define ERR(code, ...)	pp__fail(db, code, __VA_ARGS__)

/*
 * The same --ref again: the original result when it is the same request,
 * otherwise bad input.  Returns PP_OK with *id set when replayed, PP_EDATA
 * on a conflict, or -1 when the ref is new.
 */
static int
ref_replay(pp_db *db, const char *ref, const char *kind, int64_t account_id,
    int64_t amount, int64_t *id)
{
	pp__st *st;
	char serial[PP_KEYMAX], was_kind[16];
	int64_t was_account, was_amount;
	int rc;

	if (ref == NULL || *ref == '\0')
		return -1;
	if ((st = pp__stmt(db, "SELECT id, serial, kind, account_id, amount "
	    "FROM ledger WHERE ref = ?")) == NULL)
		return pp__errcode(db);
	pp__bind_copy(st, 1, ref);
	if ((rc = pp__step(st)) != PP__ROW) {
		pp__reset(st);
		return rc == PP__DONE ? -1 : pp__sqlfail(db, "ref");
	}
	*id = pp__col_int64(st, 0);
	pp__col_text(st, 1, serial, sizeof(serial));
	pp__col_text(st, 2, was_kind, sizeof(was_kind));
	was_account = pp__col_int64(st, 3);
	was_amount = pp__col_int64(st, 4);
	pp__reset(st);
	if (strcmp(kind, was_kind) == 0 && (account_id == 0 ||
	    account_id == was_account) && amount == was_amount)
		return PP_OK;
	return ERR(PP_EDATA, "ref \"%s\" was already used by serial %s for "
	    "another %s", pp_q(ref), serial, strcmp(kind, was_kind) ? "kind" :
	    account_id != was_account ? "account" : "amount");
}

/* Checks shared by every money request. */
static int
check_request(pp_db *db, const struct pp_money_req *req)
{
	int64_t max_sale;

	if (req->amount <= 0)
		return ERR(PP_EDATA, "amount must be more than 0.00");
	max_sale = pp__setting_int(db, "max_sale", -1);
	if (max_sale >= 0 && req->amount > max_sale) {
		char a[PP_NUMBUF], m[PP_NUMBUF];

		return ERR(PP_EDATA, "amount %s: above the site's max_sale of %s",
		    pp_money_format(req->amount, a),
		    pp_money_format(max_sale, m));
	}
	return pp__check_payment(db, req->method, req->ref, req->remark);
}

/*
 * An account out of arrears gets back the power its arrears cut: a close
 * for each meter whose last switch was an arrears trip, and no arrears
 * trip left waiting.
 */
static int
release_arrears(pp_db *db, int64_t account_id)
{
	int rc;

	if ((rc = pp__exec(db, "UPDATE commands SET state = 'failed', "
	    "last_error = 'cancelled: the account paid', updated = ?1 WHERE "
	    "action = 'trip' AND reason = 'arrears' AND state IN ('pending', "
	    "'sent') AND meter_id IN (SELECT id FROM meters WHERE account_id = "
	    "?2)", "ii", pp_now(), account_id)) != PP_OK)
		return rc;
	return pp__exec(db, "INSERT INTO commands(meter_id, action, state, "
	    "reason, operator, created, updated) SELECT m.id, 'close', "
	    "'pending', 'paid', ?1, ?2, ?2 FROM meters m WHERE m.account_id = ?3 "
	    "AND (SELECT c.action = 'trip' AND c.reason = 'arrears' AND c.state "
	    "= 'done' FROM commands c WHERE c.meter_id = m.id AND c.action IN "
	    "('trip', 'close') ORDER BY c.id DESC LIMIT 1)", "tii", db->login,
	    pp_now(), account_id);
}

/*
 * A refund from a meter's own wallet takes money off the meter: no more
 * than the meter was last seen to hold, less the refunds still on their
 * way to it (doc/design.md, "Meter wallets").
 */
static int
wallet_refundable(pp_db *db, const struct pp__account *a, int64_t wallet,
    int64_t amount)
{
	pp__st *st;
	char meter[PP_KEYMAX] = "", b[PP_NUMBUF], m[PP_NUMBUF], o[PP_NUMBUF];
	int64_t held = 0, outgoing = 0;
	int known = 0;

	if ((st = pp__stmt(db, "SELECT meter, meter_balance IS NOT NULL, "
	    "coalesce(meter_balance, 0), coalesce((SELECT sum(-c.amount) FROM "
	    "commands c WHERE c.meter_id = meters.id AND c.action = 'recharge' "
	    "AND c.state IN ('pending', 'sent') AND c.amount < 0), 0) FROM "
	    "meters WHERE id = ?")) == NULL)
		return PP_EINTERNAL;
	pp__bind_int64(st, 1, wallet);
	if (pp__step(st) == PP__ROW) {
		pp__col_text(st, 0, meter, sizeof(meter));
		known = pp__col_int(st, 1);
		held = pp__col_int64(st, 2);
		outgoing = pp__col_int64(st, 3);
	}
	pp__reset(st);
	/* A wallet never read is bounded by the ledger alone. */
	if (!known || amount <= held - outgoing)
		return PP_OK;
	return ERR(PP_ERULE, "account %s: refund %s is more than meter %s "
	    "holds (%s) less the refunds on their way to it (%s)", a->account,
	    pp_money_format(amount, m), meter, pp_money_format(held, b),
	    pp_money_format(outgoing, o));
}

static int
money_request(pp_db *db, const char *kind, const struct pp_money_req *req,
    pp_entry *out)
{
	struct pp__account a;
	struct pp__post p;
	int64_t meter_id, wallet, id, balance, signed_amount;
	char b[PP_NUMBUF], m[PP_NUMBUF];
	int rc, is_sale = strcmp(kind, "sale") == 0;

	if ((rc = check_request(db, req)) != PP_OK)
		return rc;
	if ((rc = pp__target_resolve(db, req->target, req->target_kind, &a,
	    &meter_id)) != PP_OK)
		return rc;
	signed_amount = is_sale ? req->amount : -req->amount;
	if ((rc = ref_replay(db, req->ref, kind, a.id, signed_amount, &id))
	    != -1) {
		if (rc == PP_OK && (rc = pp__entry_load(db, id, out)) == PP_OK)
			out->replayed = 1;
		return rc;
	}
	if (!a.open)
		return ERR(PP_ERULE, "account %s is closed", a.account);
	if ((rc = pp__wallet_of(db, &a, meter_id, &wallet)) != PP_OK)
		return rc;
	balance = a.balance;
	if (is_sale) {
		int64_t max_balance = pp__setting_int(db, "max_balance", -1);

		if (max_balance >= 0 && balance + req->amount > max_balance)
			return ERR(PP_ERULE, "account %s: the balance would be "
			    "%s, above max_balance %s", a.account,
			    pp_money_format(balance + req->amount, b),
			    pp_money_format(max_balance, m));
	} else if (req->amount > balance)
		return ERR(PP_ERULE, "account %s: refund %s is more than the "
		    "refundable balance %s", a.account,
		    pp_money_format(req->amount, m),
		    pp_money_format(balance > 0 ? balance : 0, b));
	else if (wallet && (rc = wallet_refundable(db, &a, wallet,
	    req->amount)) != PP_OK)
		return rc;
	memset(&p, 0, sizeof(p));
	p.kind = kind;
	p.account_id = a.id;
	p.meter_id = wallet ? wallet : meter_id;
	p.amount = signed_amount;
	p.method = req->method;
	p.ref = req->ref;
	p.remark = req->remark;
	if ((rc = pp__post_money(db, &p, wallet, &id)) != PP_OK)
		return rc;
	if (is_sale && balance + req->amount > 0 &&
	    (rc = release_arrears(db, a.id)) != PP_OK)
		return rc;
	return pp__entry_load(db, id, out);
}

int
pp_sale(pp_db *db, const struct pp_money_req *req, pp_entry *out)
{
	return money_request(db, "sale", req, out);
}

int
pp_refund(pp_db *db, const struct pp_money_req *req, pp_entry *out)
{
	return money_request(db, "refund", req, out);
}

/* Reattach the meters that a close detached, when no one took them. */
static int
reopen(pp_db *db, const struct pp__account *a, int64_t closed_at)
{
	pp__st *st;
	char meter[PP_KEYMAX] = "";
	int rc;

	if ((st = pp__stmt(db, "SELECT m.meter FROM account_meters am JOIN "
	    "meters m ON m.id = am.meter_id WHERE am.account_id = ? AND "
	    "am.detached = ? AND m.account_id IS NOT NULL LIMIT 1")) == NULL)
		return pp__errcode(db);
	pp__bind_int64(st, 1, a->id);
	pp__bind_int64(st, 2, closed_at);
	if (pp__step(st) == PP__ROW)
		pp__col_text(st, 0, meter, sizeof(meter));
	pp__reset(st);
	if (meter[0])
		return ERR(PP_ERULE, "account %s cannot reopen: meter %s now "
		    "belongs to another account", a->account, meter);
	if ((rc = pp__exec(db, "UPDATE meters SET account_id = ? WHERE id IN "
	    "(SELECT meter_id FROM account_meters WHERE account_id = ? AND "
	    "detached = ?)", "iii", a->id, a->id, closed_at)) != PP_OK)
		return rc;
	if ((rc = pp__exec(db, "INSERT INTO account_meters(account_id, "
	    "meter_id, attached) SELECT account_id, meter_id, ? FROM "
	    "account_meters WHERE account_id = ? AND detached = ?", "iii",
	    pp_now(), a->id, closed_at)) != PP_OK)
		return rc;
	return pp__exec(db, "UPDATE accounts SET state = 'open', closed = NULL "
	    "WHERE id = ?", "i", a->id);
}

int
pp_reverse(pp_db *db, const char *serial, const char *reason,
    pp_entry *out)
{
	struct pp__account a;
	struct pp__post p;
	pp__st *st;
	char kind[16], method[16], by[PP_KEYMAX] = "", err[PP_ERRMAX];
	int64_t id, account_id, meter_id, amount, closed_at = 0, new_id;
	int64_t cancelled = 0;
	int rc, wallet;

	if (reason && pp__text_check("reason", reason, PP_TEXTMAX, err,
	    sizeof(err)) != PP_OK)
		return ERR(PP_EDATA, "%s", err);
	if ((st = pp__stmt(db, "SELECT l.id, l.kind, l.account_id, "
	    "coalesce(l.meter_id, 0), l.amount, l.method, r.serial, l.time, "
	    "CASE WHEN m.billing = 'meter' THEN 1 ELSE 0 END FROM ledger l "
	    "LEFT JOIN ledger r "
	    "ON r.reverses = l.id LEFT JOIN meters m ON m.id = l.meter_id "
	    "WHERE l.serial = ?")) == NULL)
		return PP_EINTERNAL;
	pp__bind_copy(st, 1, serial);
	if ((rc = pp__step(st)) != PP__ROW) {
		pp__reset(st);
		return rc == PP__DONE ? ERR(PP_EDATA, "serial %s: no such "
		    "transaction", pp_q(serial)) : pp__sqlfail(db, "ledger");
	}
	id = pp__col_int64(st, 0);
	pp__col_text(st, 1, kind, sizeof(kind));
	account_id = pp__col_int64(st, 2);
	meter_id = pp__col_int64(st, 3);
	amount = pp__col_int64(st, 4);
	pp__col_text(st, 5, method, sizeof(method));
	pp__col_text(st, 6, by, sizeof(by));
	closed_at = pp__col_int64(st, 7);
	wallet = pp__col_int(st, 8);
	pp__reset(st);
	if (strcmp(kind, "reverse") == 0)
		return ERR(PP_ERULE, "serial %s is a reversal; a reversal "
		    "cannot be reversed", serial);
	if (by[0])
		return ERR(PP_ERULE, "serial %s was already reversed by %s",
		    serial, by);
	if (strcmp(kind, "transfer") == 0)
		return ERR(PP_ERULE, "serial %s is a meter swap transfer; swap "
		    "the meters back instead", serial);
	if ((rc = pp__account_get_id(db, account_id, &a)) != PP_OK)
		return rc;
	if (strcmp(kind, "close") == 0) {
		if (a.open)
			return ERR(PP_ERULE, "account %s is open again",
			    a.account);
		if ((rc = reopen(db, &a, closed_at)) != PP_OK)
			return rc;
	} else if (!a.open)
		return ERR(PP_ERULE, "account %s is closed", a.account);
	memset(&p, 0, sizeof(p));
	p.kind = "reverse";
	p.account_id = account_id;
	p.meter_id = meter_id;
	p.amount = -amount;
	p.method = method;
	p.reverses = id;
	p.remark = reason;
	/* A recharge cancelled never reached the meter: nothing to undo. */
	if (wallet && (rc = pp__query_int(db, &cancelled,
	    "SELECT count(*) FROM "
	    "commands WHERE ledger_id = ? AND verdict = 'cancelled'", "i", id))
	    != PP_OK)
		return rc;
	if ((rc = pp__post_money(db, &p, wallet && amount != 0 && !cancelled ?
	    meter_id : 0, &new_id)) != PP_OK)
		return rc;
	return pp__entry_load(db, new_id, out);
}
