/*
 * ledger.c: the append-only, hash-chained money ledger; serials; sales,
 * refunds and reversals.  Every function here runs inside the caller's
 * transaction and leaves nothing behind when it fails.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define ERR(code, ...)	pp_fail(db, code, __VA_ARGS__)

static const struct {
	const char *name, *label;
} methods[] = {
	{ "cash", "现金" }, { "wechat", "微信" }, { "alipay", "支付宝" },
	{ "card", "刷卡" }, { "bank", "银行" }, { "transfer", "转账" },
};

int
pp_method_check(const char *method, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strcmp(method, methods[i].name) == 0)
			return PP_OK;
	snprintf(err, errlen, "method \"%s\": use cash, wechat, alipay, card, "
	    "bank or transfer", pp_q(method));
	return PP_EDATA;
}

const char *
pp_method_label(const char *method)
{
	size_t i;

	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strcmp(method, methods[i].name) == 0)
			return methods[i].label;
	return method;
}

int64_t
pp_balance_of(int64_t money_fen, int64_t used_e7)
{
	/* 1 fen is 100000 units of 1e-7 yuan; round the usage once. */
	return money_fen - (used_e7 + 50000) / 100000;
}

int
pp_serial_next(pp_db *db, int64_t t, char serial[PP_KEYMAX])
{
	char day[PP_TIMEBUF], last_day[PP_TIMEBUF] = "";
	sqlite3_stmt *st;
	int64_t seq;
	int rc;

	pp_day_format(t, day);
	memmove(day + 4, day + 5, 2);
	memmove(day + 6, day + 8, 3);
	/* A clock set back must not make serials go backwards. */
	if ((st = pp_stmt(db, "SELECT max(day) FROM serial_days")) == NULL)
		return PP_EINTERNAL;
	if (sqlite3_step(st) == SQLITE_ROW)
		pp_col_text(st, 0, last_day, sizeof(last_day));
	sqlite3_reset(st);
	if (strcmp(last_day, day) > 0)
		snprintf(day, sizeof(day), "%s", last_day);
	rc = pp_query_int(db, &seq, "INSERT INTO serial_days(day, last) "
	    "VALUES (?, 1) ON CONFLICT(day) DO UPDATE SET last = last + 1 "
	    "RETURNING last", "t", day);
	if (rc != PP_OK)
		return rc;
	if (seq > 999999)
		return ERR(PP_ERULE, "no serials left for %s", day);
	snprintf(serial, PP_KEYMAX, "%.8s%06lld", day, (long long)seq);
	return PP_OK;
}

int
pp_ledger_text(const struct pp_ledger_row *r, char **out)
{
	return asprintf(out, "%lld\x1f%s\x1f%lld\x1f%s\x1f%lld\x1f%lld\x1f%lld"
	    "\x1f%s\x1f%s\x1f%lld\x1f%s\x1f%s\x1f%lld\x1f%lld",
	    (long long)r->id, r->serial, (long long)r->time, r->kind,
	    (long long)r->account_id, (long long)r->meter_id,
	    (long long)r->amount, r->method, r->ref ? r->ref : "",
	    (long long)r->reverses, r->operator, r->remark,
	    (long long)r->buy_count, (long long)r->balance) < 0 ?
	    PP_EINTERNAL : PP_OK;
}

int
pp_ledger_post(pp_db *db, const struct pp_post *p, int64_t *idp)
{
	struct pp_ledger_row r;
	struct pp_account a;
	sqlite3_stmt *st;
	char serial[PP_KEYMAX], prev[65] = "", hash[65], *text;
	int rc;

	memset(&r, 0, sizeof(r));
	r.time = pp_now();
	if ((rc = pp_serial_next(db, r.time, serial)) != PP_OK)
		return rc;
	if ((rc = pp_exec(db, "UPDATE accounts SET money = money + ? "
	    "WHERE id = ?", "ii", p->amount, p->account_id)) != PP_OK)
		return rc;
	if ((rc = pp_account_get_id(db, p->account_id, &a)) != PP_OK)
		return rc;
	if ((st = pp_stmt(db, "SELECT id, hash FROM ledger ORDER BY id DESC "
	    "LIMIT 1")) == NULL)
		return PP_EINTERNAL;
	r.id = 1;
	if (sqlite3_step(st) == SQLITE_ROW) {
		r.id = sqlite3_column_int64(st, 0) + 1;
		pp_col_text(st, 1, prev, sizeof(prev));
	}
	sqlite3_reset(st);
	r.serial = serial;
	r.kind = p->kind;
	r.account_id = p->account_id;
	r.meter_id = p->meter_id;
	r.amount = p->amount;
	r.method = p->method;
	r.ref = p->ref && *p->ref ? p->ref : NULL;
	r.reverses = p->reverses;
	r.operator = db->login;
	r.remark = p->remark ? p->remark : "";
	r.buy_count = p->buy_count;
	r.balance = pp_balance_of(a.money, a.used_e7);
	if ((rc = pp_ledger_text(&r, &text)) != PP_OK)
		return ERR(rc, "out of memory");
	rc = pp_chain_hash(prev, text, hash);
	free(text);
	if (rc != PP_OK)
		return ERR(rc, "hash failed");
	rc = pp_exec(db, "INSERT INTO ledger(id, serial, time, kind, account_id,"
	    " meter_id, amount, method, ref, reverses, operator, remark, "
	    "buy_count, balance, hash) VALUES (?, ?, ?, ?, ?, nullif(?, 0), ?, "
	    "?, ?, nullif(?, 0), ?, ?, nullif(?, 0), ?, ?)", "ititiiittittiit",
	    r.id, r.serial, r.time, r.kind, r.account_id, r.meter_id, r.amount,
	    r.method, r.ref, r.reverses, r.operator, r.remark, r.buy_count,
	    r.balance, hash);
	if (rc != PP_OK)
		return rc;
	pp_audit_count(db, r.kind, r.serial, a.account, r.amount);
	*idp = r.id;
	return PP_OK;
}

/* The meters (and rooms) an account had at time t, joined with ';'. */
int
pp_account_meters(pp_db *db, int64_t account_id, int64_t t,
    char meters[PP_LISTMAX], char rooms[PP_LISTMAX])
{
	sqlite3_stmt *st;
	size_t mat = 0, rat = 0;
	int rc;

	meters[0] = rooms[0] = '\0';
	if ((st = pp_stmt(db, "SELECT m.meter, m.room FROM account_meters am "
	    "JOIN meters m ON m.id = am.meter_id WHERE am.account_id = ? AND "
	    "am.attached <= ?2 AND (am.detached IS NULL OR am.detached >= ?2) "
	    "GROUP BY m.id ORDER BY min(am.rowid)")) == NULL)
		return PP_EINTERNAL;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_int64(st, 2, t);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *m = (const char *)sqlite3_column_text(st, 0);
		const char *r = (const char *)sqlite3_column_text(st, 1);

		mat += snprintf(meters + mat, mat < PP_LISTMAX ?
		    PP_LISTMAX - mat : 0, "%s%s", mat ? ";" : "", m);
		if (r && *r && strstr(rooms, r) == NULL)
			rat += snprintf(rooms + rat, rat < PP_LISTMAX ?
			    PP_LISTMAX - rat : 0, "%s%s", rat ? ";" : "", r);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? PP_OK : pp_sqlfail(db, "meters");
}

int
pp_entry_load(pp_db *db, int64_t id, pp_entry *e)
{
	sqlite3_stmt *st;
	int64_t account_id;
	int rc;

	memset(e, 0, sizeof(*e));
	if ((st = pp_stmt(db, "SELECT l.id, l.serial, l.time, l.kind, "
	    "a.account, a.name, a.phone, m.meter, m.room, l.amount, l.method, "
	    "l.ref, l.operator, l.remark, r.serial, l.balance, "
	    "coalesce(l.buy_count, 0), l.account_id, coalesce((SELECT c.id "
	    "FROM commands c WHERE c.ledger_id = l.id AND c.state IN "
	    "('pending','sent')), 0) FROM ledger l JOIN accounts a ON "
	    "a.id = l.account_id LEFT JOIN meters m ON m.id = l.meter_id "
	    "LEFT JOIN ledger r ON r.id = l.reverses WHERE l.id = ?")) == NULL)
		return PP_EINTERNAL;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_reset(st);
		return rc == SQLITE_DONE ? ERR(PP_EINTERNAL, "ledger row %lld "
		    "vanished", (long long)id) : pp_sqlfail(db, "ledger");
	}
	e->id = sqlite3_column_int64(st, 0);
	pp_col_text(st, 1, e->serial, sizeof(e->serial));
	e->time = sqlite3_column_int64(st, 2);
	pp_col_text(st, 3, e->kind, sizeof(e->kind));
	pp_col_text(st, 4, e->account, sizeof(e->account));
	pp_col_text(st, 5, e->name, sizeof(e->name));
	pp_col_text(st, 6, e->phone, sizeof(e->phone));
	pp_col_text(st, 7, e->meter, sizeof(e->meter));
	pp_col_text(st, 8, e->room, sizeof(e->room));
	e->amount = sqlite3_column_int64(st, 9);
	pp_col_text(st, 10, e->method, sizeof(e->method));
	pp_col_text(st, 11, e->ref, sizeof(e->ref));
	pp_col_text(st, 12, e->operator, sizeof(e->operator));
	pp_col_text(st, 13, e->remark, sizeof(e->remark));
	pp_col_text(st, 14, e->reverses, sizeof(e->reverses));
	e->balance = sqlite3_column_int64(st, 15);
	e->buy_count = sqlite3_column_int64(st, 16);
	account_id = sqlite3_column_int64(st, 17);
	e->command_id = sqlite3_column_int64(st, 18);
	e->pending = e->command_id != 0;
	sqlite3_reset(st);
	/* A row on the account's wallet names all the account's meters. */
	if (e->meter[0] == '\0')
		return pp_account_meters(db, account_id, e->time, e->meter,
		    e->room);
	return PP_OK;
}

int
pp_post_money(pp_db *db, struct pp_post *p, int64_t wallet, int64_t *id)
{
	int rc;

	/*
	 * A meter accepts each purchase count once.  Allocating the count in
	 * the same transaction as the money makes every resend safe.
	 */
	if (wallet) {
		/* Never below what the meter itself counted (a reused one). */
		if ((rc = pp_query_int(db, &p->buy_count, "UPDATE meters SET "
		    "buy_count = max(buy_count, coalesce(meter_count, 0)) + 1 "
		    "WHERE id = ? RETURNING buy_count", "i", wallet)) != PP_OK)
			return rc == PP_EDATA ? ERR(PP_EINTERNAL,
			    "meter vanished") : rc;
	} else if (strcmp(p->kind, "sale") == 0 && (rc = pp_query_int(db,
	    &p->buy_count, "SELECT count(*) + 1 FROM ledger WHERE "
	    "account_id = ? AND kind = 'sale'", "i", p->account_id)) != PP_OK)
		return rc;
	if ((rc = pp_ledger_post(db, p, id)) != PP_OK || !wallet)
		return rc;
	return pp_exec(db, "INSERT INTO commands(meter_id, action, amount, "
	    "buy_count, ledger_id, state, operator, created, updated) VALUES "
	    "(?, 'recharge', ?, ?, ?, 'pending', ?, ?, ?)", "iiiitii", wallet,
	    p->amount, p->buy_count, *id, db->login, pp_now(), pp_now());
}

/*
 * The same --ref again: the original result when it is the same request,
 * otherwise bad input.  Returns PP_OK with *id set when replayed, PP_EDATA
 * on a conflict, or -1 when the ref is new.
 */
static int
ref_replay(pp_db *db, const char *ref, const char *kind, int64_t account_id,
    int64_t amount, int64_t *id)
{
	sqlite3_stmt *st;
	char serial[PP_KEYMAX], was_kind[16];
	int64_t was_account, was_amount;
	int rc;

	if (ref == NULL || *ref == '\0')
		return -1;
	if ((st = pp_stmt(db, "SELECT id, serial, kind, account_id, amount "
	    "FROM ledger WHERE ref = ?")) == NULL)
		return PP_EINTERNAL;
	sqlite3_bind_text(st, 1, ref, -1, SQLITE_TRANSIENT);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_reset(st);
		return rc == SQLITE_DONE ? -1 : pp_sqlfail(db, "ref");
	}
	*id = sqlite3_column_int64(st, 0);
	pp_col_text(st, 1, serial, sizeof(serial));
	pp_col_text(st, 2, was_kind, sizeof(was_kind));
	was_account = sqlite3_column_int64(st, 3);
	was_amount = sqlite3_column_int64(st, 4);
	sqlite3_reset(st);
	if (strcmp(kind, was_kind) == 0 && (account_id == 0 ||
	    account_id == was_account) && amount == was_amount)
		return PP_OK;
	return ERR(PP_EDATA, "ref \"%s\" was already used by serial %s for "
	    "another %s", pp_q(ref), serial, strcmp(kind, was_kind) ? "kind" :
	    account_id != was_account ? "account" : "amount");
}

int
pp_check_payment(pp_db *db, const char *method, const char *ref,
    const char *remark)
{
	char err[PP_ERRMAX];

	if (pp_method_check(method, err, sizeof(err)) != PP_OK ||
	    (ref && pp_text_check("ref", ref, PP_REFMAX, err, sizeof(err)) !=
	    PP_OK) || (remark && pp_text_check("remark", remark, PP_TEXTMAX,
	    err, sizeof(err)) != PP_OK))
		return ERR(PP_EDATA, "%s", err);
	return PP_OK;
}

/* Checks shared by every money request. */
static int
check_request(pp_db *db, const struct pp_money_req *req)
{
	int64_t max_sale;

	if (req->amount <= 0)
		return ERR(PP_EDATA, "amount must be more than 0.00");
	max_sale = pp_setting_int(db, "max_sale", -1);
	if (max_sale >= 0 && req->amount > max_sale) {
		char a[PP_NUMBUF], m[PP_NUMBUF];

		return ERR(PP_EDATA, "amount %s: above the site's max_sale of %s",
		    pp_money_format(req->amount, a),
		    pp_money_format(max_sale, m));
	}
	return pp_check_payment(db, req->method, req->ref, req->remark);
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

	if ((rc = pp_exec(db, "UPDATE commands SET state = 'failed', "
	    "last_error = 'cancelled: the account paid', updated = ?1 WHERE "
	    "action = 'trip' AND reason = 'arrears' AND state IN ('pending', "
	    "'sent') AND meter_id IN (SELECT id FROM meters WHERE account_id = "
	    "?2)", "ii", pp_now(), account_id)) != PP_OK)
		return rc;
	return pp_exec(db, "INSERT INTO commands(meter_id, action, state, "
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
 * way to it (doc/DESIGN.md section 5, "Meter wallets").
 */
static int
wallet_refundable(pp_db *db, const struct pp_account *a, int64_t wallet,
    int64_t amount)
{
	sqlite3_stmt *st;
	char meter[PP_KEYMAX] = "", b[PP_NUMBUF], m[PP_NUMBUF], o[PP_NUMBUF];
	int64_t held = 0, outgoing = 0;
	int known = 0;

	if ((st = pp_stmt(db, "SELECT meter, meter_balance IS NOT NULL, "
	    "coalesce(meter_balance, 0), coalesce((SELECT sum(-c.amount) FROM "
	    "commands c WHERE c.meter_id = meters.id AND c.action = 'recharge' "
	    "AND c.state IN ('pending', 'sent') AND c.amount < 0), 0) FROM "
	    "meters WHERE id = ?")) == NULL)
		return PP_EINTERNAL;
	sqlite3_bind_int64(st, 1, wallet);
	if (sqlite3_step(st) == SQLITE_ROW) {
		pp_col_text(st, 0, meter, sizeof(meter));
		known = sqlite3_column_int(st, 1);
		held = sqlite3_column_int64(st, 2);
		outgoing = sqlite3_column_int64(st, 3);
	}
	sqlite3_reset(st);
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
	struct pp_account a;
	struct pp_post p;
	int64_t meter_id, wallet, id, balance, signed_amount;
	char b[PP_NUMBUF], m[PP_NUMBUF];
	int rc, is_sale = strcmp(kind, "sale") == 0;

	if ((rc = check_request(db, req)) != PP_OK)
		return rc;
	if ((rc = pp_target_resolve(db, req->target, req->target_kind, &a,
	    &meter_id)) != PP_OK)
		return rc;
	signed_amount = is_sale ? req->amount : -req->amount;
	if ((rc = ref_replay(db, req->ref, kind, a.id, signed_amount, &id))
	    != -1) {
		if (rc == PP_OK && (rc = pp_entry_load(db, id, out)) == PP_OK)
			out->replayed = 1;
		return rc;
	}
	if (!a.open)
		return ERR(PP_ERULE, "account %s is closed", a.account);
	if ((rc = pp_wallet_of(db, &a, meter_id, &wallet)) != PP_OK)
		return rc;
	balance = pp_balance_of(a.money, a.used_e7);
	if (is_sale) {
		int64_t max_balance = pp_setting_int(db, "max_balance", -1);

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
	if ((rc = pp_post_money(db, &p, wallet, &id)) != PP_OK)
		return rc;
	if (is_sale && balance + req->amount > 0 &&
	    (rc = release_arrears(db, a.id)) != PP_OK)
		return rc;
	return pp_entry_load(db, id, out);
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
reopen(pp_db *db, const struct pp_account *a, int64_t closed_at)
{
	sqlite3_stmt *st;
	char meter[PP_KEYMAX] = "";
	int rc;

	if ((st = pp_stmt(db, "SELECT m.meter FROM account_meters am JOIN "
	    "meters m ON m.id = am.meter_id WHERE am.account_id = ? AND "
	    "am.detached = ? AND m.account_id IS NOT NULL LIMIT 1")) == NULL)
		return PP_EINTERNAL;
	sqlite3_bind_int64(st, 1, a->id);
	sqlite3_bind_int64(st, 2, closed_at);
	if (sqlite3_step(st) == SQLITE_ROW)
		pp_col_text(st, 0, meter, sizeof(meter));
	sqlite3_reset(st);
	if (meter[0])
		return ERR(PP_ERULE, "account %s cannot reopen: meter %s now "
		    "belongs to another account", a->account, meter);
	if ((rc = pp_exec(db, "UPDATE meters SET account_id = ? WHERE id IN "
	    "(SELECT meter_id FROM account_meters WHERE account_id = ? AND "
	    "detached = ?)", "iii", a->id, a->id, closed_at)) != PP_OK)
		return rc;
	if ((rc = pp_exec(db, "INSERT INTO account_meters(account_id, "
	    "meter_id, attached) SELECT account_id, meter_id, ? FROM "
	    "account_meters WHERE account_id = ? AND detached = ?", "iii",
	    pp_now(), a->id, closed_at)) != PP_OK)
		return rc;
	return pp_exec(db, "UPDATE accounts SET state = 'open', closed = NULL "
	    "WHERE id = ?", "i", a->id);
}

int
pp_reverse(pp_db *db, const char *serial, const char *reason,
    pp_entry *out)
{
	struct pp_account a;
	struct pp_post p;
	sqlite3_stmt *st;
	char kind[16], method[16], by[PP_KEYMAX] = "", err[PP_ERRMAX];
	int64_t id, account_id, meter_id, amount, closed_at = 0, new_id;
	int64_t cancelled = 0;
	int rc, wallet;

	if (reason && pp_text_check("reason", reason, PP_TEXTMAX, err,
	    sizeof(err)) != PP_OK)
		return ERR(PP_EDATA, "%s", err);
	if ((st = pp_stmt(db, "SELECT l.id, l.kind, l.account_id, "
	    "coalesce(l.meter_id, 0), l.amount, l.method, r.serial, l.time, "
	    "coalesce(m.billing = 'meter', 0) FROM ledger l LEFT JOIN ledger r "
	    "ON r.reverses = l.id LEFT JOIN meters m ON m.id = l.meter_id "
	    "WHERE l.serial = ?")) == NULL)
		return PP_EINTERNAL;
	sqlite3_bind_text(st, 1, serial, -1, SQLITE_TRANSIENT);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_reset(st);
		return rc == SQLITE_DONE ? ERR(PP_EDATA, "serial %s: no such "
		    "transaction", pp_q(serial)) : pp_sqlfail(db, "ledger");
	}
	id = sqlite3_column_int64(st, 0);
	pp_col_text(st, 1, kind, sizeof(kind));
	account_id = sqlite3_column_int64(st, 2);
	meter_id = sqlite3_column_int64(st, 3);
	amount = sqlite3_column_int64(st, 4);
	pp_col_text(st, 5, method, sizeof(method));
	pp_col_text(st, 6, by, sizeof(by));
	closed_at = sqlite3_column_int64(st, 7);
	wallet = sqlite3_column_int(st, 8);
	sqlite3_reset(st);
	if (strcmp(kind, "reverse") == 0)
		return ERR(PP_ERULE, "serial %s is a reversal; a reversal "
		    "cannot be reversed", serial);
	if (by[0])
		return ERR(PP_ERULE, "serial %s was already reversed by %s",
		    serial, by);
	if (strcmp(kind, "transfer") == 0)
		return ERR(PP_ERULE, "serial %s is a meter swap transfer; swap "
		    "the meters back instead", serial);
	if ((rc = pp_account_get_id(db, account_id, &a)) != PP_OK)
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
	if (wallet && (rc = pp_query_int(db, &cancelled, "SELECT count(*) FROM "
	    "commands WHERE ledger_id = ? AND verdict = 'cancelled'", "i", id))
	    != PP_OK)
		return rc;
	if ((rc = pp_post_money(db, &p, wallet && amount != 0 && !cancelled ?
	    meter_id : 0, &new_id)) != PP_OK)
		return rc;
	return pp_entry_load(db, new_id, out);
}
