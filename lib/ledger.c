/*
 * ledger.c: the append-only, hash-chained money ledger: serials, payment
 * methods, posting a row with its balance and its wallet's recharge, and
 * reading a row back as an entry.  It knows accounts only as rows of the
 * accounts table, so the files that find accounts (account.c) and make
 * money requests (payment.c) stand above it.  Every function here runs
 * inside the caller's transaction and leaves nothing behind when it fails.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define ERR(code, ...)	pp__fail(db, code, __VA_ARGS__)

static const struct {
	const char *name, *label;
} methods[] = {
	{ "cash", "现金" }, { "wechat", "微信" }, { "alipay", "支付宝" },
	{ "card", "刷卡" }, { "bank", "银行" }, { "transfer", "转账" },
};

int
pp__method_check(const char *method, char *err, size_t errlen)
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
pp__method_label(const char *method)
{
	size_t i;

	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strcmp(method, methods[i].name) == 0)
			return methods[i].label;
	return method;
}

int
pp__serial_next(pp_db *db, int64_t t, char serial[PP_KEYMAX])
{
	char day[PP_TIMEBUF], last_day[PP_TIMEBUF] = "";
	pp__st *st;
	int64_t seq;
	int rc;

	pp__day_format(t, day);
	memmove(day + 4, day + 5, 2);
	memmove(day + 6, day + 8, 3);
	/* A clock set back must not make serials go backwards. */
	if ((st = pp__stmt(db, "SELECT max(day) FROM serial_days")) == NULL)
		return pp__errcode(db);
	if (pp__step(st) == PP__ROW)
		pp__col_text(st, 0, last_day, sizeof(last_day));
	pp__reset(st);
	if (strcmp(last_day, day) > 0)
		snprintf(day, sizeof(day), "%s", last_day);
	rc = pp__query_int(db, &seq, "INSERT INTO serial_days(day, last) "
	    "VALUES (?, 1) ON CONFLICT(day) DO UPDATE SET last = "
	    "serial_days.last + 1 "
	    "RETURNING last", "t", day);
	if (rc != PP_OK)
		return rc;
	if (seq > 999999)
		return ERR(PP_ERULE, "no serials left for %s", day);
	snprintf(serial, PP_KEYMAX, "%.8s%06lld", day, (long long)seq);
	return PP_OK;
}

int
pp__ledger_text(const struct pp__ledger_row *r, char **out)
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

/* The account's number and balance once the amount is added. */
static int
account_after(pp_db *db, int64_t id, char account[PP_KEYMAX],
    int64_t *balance)
{
	pp__st *st;
	int rc;

	if ((st = pp__stmt(db, "SELECT a.account, b.balance FROM accounts a "
	    "JOIN account_balances b ON b.account_id = a.id WHERE a.id = ?"))
	    == NULL)
		return pp__errcode(db);
	pp__bind_int64(st, 1, id);
	if ((rc = pp__step(st)) == PP__ROW) {
		pp__col_text(st, 0, account, PP_KEYMAX);
		*balance = pp__col_int64(st, 1);
	}
	pp__reset(st);
	if (rc == PP__ROW)
		return PP_OK;
	return rc == PP__DONE ? ERR(PP_EINTERNAL, "account %lld vanished",
	    (long long)id) : pp__sqlfail(db, "accounts");
}

int
pp__ledger_post(pp_db *db, const struct pp__post *p, int64_t *idp)
{
	struct pp__ledger_row r;
	pp__st *st;
	char serial[PP_KEYMAX], account[PP_KEYMAX], prev[65] = "", hash[65];
	char *text;
	int rc;

	memset(&r, 0, sizeof(r));
	r.time = pp_now();
	if ((rc = pp__serial_next(db, r.time, serial)) != PP_OK)
		return rc;
	if ((rc = pp__exec(db, "UPDATE accounts SET money = money + ? "
	    "WHERE id = ?", "ii", p->amount, p->account_id)) != PP_OK)
		return rc;
	if ((rc = account_after(db, p->account_id, account, &r.balance)) !=
	    PP_OK)
		return rc;
	if ((st = pp__stmt(db, "SELECT id, hash FROM ledger ORDER BY id DESC "
	    "LIMIT 1")) == NULL)
		return pp__errcode(db);
	r.id = 1;
	if (pp__step(st) == PP__ROW) {
		r.id = pp__col_int64(st, 0) + 1;
		pp__col_text(st, 1, prev, sizeof(prev));
	}
	pp__reset(st);
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
	if ((rc = pp__ledger_text(&r, &text)) != PP_OK)
		return ERR(rc, "out of memory");
	rc = pp__chain_hash(prev, text, hash);
	free(text);
	if (rc != PP_OK)
		return ERR(rc, "hash failed");
	rc = pp__exec(db,
	    "INSERT INTO ledger(id, serial, time, kind, account_id,"
	    " meter_id, amount, method, ref, reverses, operator, remark, "
	    "buy_count, balance, hash) VALUES (?, ?, ?, ?, ?, nullif(?, 0), ?, "
	    "?, ?, nullif(?, 0), ?, ?, nullif(?, 0), ?, ?)", "ititiiittittiit",
	    r.id, r.serial, r.time, r.kind, r.account_id, r.meter_id, r.amount,
	    r.method, r.ref, r.reverses, r.operator, r.remark, r.buy_count,
	    r.balance, hash);
	if (rc != PP_OK)
		return rc;
	pp__audit_count(db, r.kind, r.serial, account, r.amount);
	*idp = r.id;
	return PP_OK;
}

/* internal.h, PP__ACCOUNT_LIST */
int
pp__account_meters(pp_db *db, int64_t account_id, int64_t t,
    char meters[PP_LISTMAX], char rooms[PP_LISTMAX])
{
	pp__st *st;
	int rc;

	meters[0] = rooms[0] = '\0';
	if ((st = pp__stmt(db, "SELECT " PP__ACCOUNT_LIST("m.meter", "?1",
	    "?2") ", " PP__ACCOUNT_LIST("m.room", "?1", "?2"))) == NULL)
		return pp__errcode(db);
	pp__bind_int64(st, 1, account_id);
	pp__bind_int64(st, 2, t);
	if ((rc = pp__step(st)) == PP__ROW) {
		pp__col_text(st, 0, meters, PP_LISTMAX);
		pp__col_text(st, 1, rooms, PP_LISTMAX);
	}
	pp__reset(st);
	return rc == PP__ROW ? PP_OK : pp__sqlfail(db, "meters");
}

void
pp__entry_row(pp__st *st, pp_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->id = pp__col_int64(st, 0);
	pp__col_text(st, 1, e->serial, sizeof(e->serial));
	e->time = pp__col_int64(st, 2);
	pp__col_text(st, 3, e->kind, sizeof(e->kind));
	pp__col_text(st, 4, e->account, sizeof(e->account));
	pp__col_text(st, 5, e->name, sizeof(e->name));
	pp__col_text(st, 6, e->phone, sizeof(e->phone));
	pp__col_text(st, 7, e->meter, sizeof(e->meter));
	pp__col_text(st, 8, e->room, sizeof(e->room));
	e->amount = pp__col_int64(st, 9);
	pp__col_text(st, 10, e->method, sizeof(e->method));
	pp__col_text(st, 11, e->ref, sizeof(e->ref));
	pp__col_text(st, 12, e->operator, sizeof(e->operator));
	pp__col_text(st, 13, e->remark, sizeof(e->remark));
	pp__col_text(st, 14, e->reverses, sizeof(e->reverses));
	e->balance = pp__col_int64(st, 15);
	e->buy_count = pp__col_int64(st, 16);
	e->command_id = pp__col_int64(st, 17);
	pp__col_text(st, 18, e->operator_name, sizeof(e->operator_name));
	e->pending = e->command_id != 0;
	/* A row on the account's wallet names all the account's meters. */
	if (pp__col_null(st, 7)) {
		pp__col_text(st, 19, e->meter, sizeof(e->meter));
		pp__col_text(st, 20, e->room, sizeof(e->room));
	}
}

int
pp__entry_load(pp_db *db, int64_t id, pp_entry *e)
{
	pp__st *st;
	int rc;

	if ((st = pp__stmt(db, PP__ENTRY_SQL " WHERE l.id = ?")) == NULL)
		return pp__errcode(db);
	pp__bind_int64(st, 1, id);
	if ((rc = pp__step(st)) != PP__ROW) {
		pp__reset(st);
		return rc == PP__DONE ? ERR(PP_EINTERNAL, "ledger row %lld "
		    "vanished", (long long)id) : pp__sqlfail(db, "ledger");
	}
	pp__entry_row(st, e);
	pp__reset(st);
	return PP_OK;
}

int
pp__post_money(pp_db *db, struct pp__post *p, int64_t wallet, int64_t *id)
{
	int rc;

	/*
	 * A meter accepts each purchase count once.  Allocating the count in
	 * the same transaction as the money makes every resend safe.
	 */
	if (wallet) {
		/* Never below what the meter itself counted (a reused one). */
		if ((rc = pp__query_int(db, &p->buy_count, "UPDATE meters SET "
		    "buy_count = max(buy_count, coalesce(meter_count, 0)) + 1 "
		    "WHERE id = ? RETURNING buy_count", "i", wallet)) != PP_OK)
			return rc == PP_EDATA ? ERR(PP_EINTERNAL,
			    "meter vanished") : rc;
	} else if (strcmp(p->kind, "sale") == 0 && (rc = pp__query_int(db,
	    &p->buy_count, "SELECT count(*) + 1 FROM ledger WHERE "
	    "account_id = ? AND kind = 'sale'", "i", p->account_id)) != PP_OK)
		return rc;
	if ((rc = pp__ledger_post(db, p, id)) != PP_OK || !wallet)
		return rc;
	return pp__exec(db, "INSERT INTO commands(meter_id, action, amount, "
	    "buy_count, ledger_id, state, operator, created, updated) VALUES "
	    "(?, 'recharge', ?, ?, ?, 'pending', ?, ?, ?)", "iiiitii", wallet,
	    p->amount, p->buy_count, *id, db->login, pp_now(), pp_now());
}

int
pp__check_payment(pp_db *db, const char *method, const char *ref,
    const char *remark)
{
	char err[PP_ERRMAX];

	if (pp__method_check(method, err, sizeof(err)) != PP_OK ||
	    (ref && pp__text_check("ref", ref, PP_REFMAX, err, sizeof(err)) !=
	    PP_OK) || (remark && pp__text_check("remark", remark, PP_TEXTMAX,
	    err, sizeof(err)) != PP_OK))
		return ERR(PP_EDATA, "%s", err);
	return PP_OK;
}
