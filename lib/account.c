/*
 * account.c: opening and closing accounts, attaching meters, and finding
 * the account that a cashier's target (account, meter or room) means.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define ERR(code, ...)	pp__fail(db, code, __VA_ARGS__)
#define ACCOUNT_COLS	"id, account, name, state = 'open', money, used_e7, " \
	"(SELECT balance FROM account_balances WHERE account_id = accounts.id)"

static int
account_row(pp_db *db, pp__st *st, struct pp__account *a)
{
	int rc = pp__step(st);

	if (rc == PP__ROW) {
		a->id = pp__col_int64(st, 0);
		pp__col_text(st, 1, a->account, sizeof(a->account));
		pp__col_text(st, 2, a->name, sizeof(a->name));
		a->open = pp__col_int(st, 3);
		a->money = pp__col_int64(st, 4);
		a->used_e7 = pp__col_int64(st, 5);
		a->balance = pp__col_int64(st, 6);
	}
	pp__reset(st);
	if (rc == PP__ROW)
		return PP_OK;
	return rc == PP__DONE ? PP_EDATA : pp__sqlfail(db, "accounts");
}

int
pp__account_get(pp_db *db, const char *account, struct pp__account *a)
{
	pp__st *st;

	if ((st = pp__stmt(db, "SELECT " ACCOUNT_COLS " FROM accounts WHERE "
	    "account = ?")) == NULL)
		return pp__errcode(db);
	pp__bind_copy(st, 1, account);
	return account_row(db, st, a);
}

int
pp__account_get_id(pp_db *db, int64_t id, struct pp__account *a)
{
	pp__st *st;

	if ((st = pp__stmt(db, "SELECT " ACCOUNT_COLS " FROM accounts WHERE "
	    "id = ?")) == NULL)
		return pp__errcode(db);
	pp__bind_int64(st, 1, id);
	return account_row(db, st, a);
}

#define MAXHITS 16

/* What a target named: the accounts (and meters) it hit. */
struct hits {
	struct hit {
		int64_t	account_id, meter_id;
		char	what[96];
	}	 hit[MAXHITS];
	int	 n;
	char	 unattached[160];	/* a meter or room of no account */
};

static void
add_hit(struct hits *h, int64_t account_id, int64_t meter_id,
    const char *what)
{
	if (h->n < MAXHITS) {
		h->hit[h->n].account_id = account_id;
		h->hit[h->n].meter_id = meter_id;
		snprintf(h->hit[h->n].what, sizeof(h->hit[0].what), "%s", what);
		h->n++;
	}
}

static int
hit_meter(pp_db *db, const char *target, struct hits *h)
{
	pp__st *st;
	char what[96];

	if ((st = pp__stmt(db, "SELECT id, account_id FROM meters WHERE "
	    "meter = ?")) == NULL)
		return pp__errcode(db);
	pp__bind_copy(st, 1, target);
	if (pp__step(st) == PP__ROW) {
		snprintf(what, sizeof(what), "meter %s", target);
		if (pp__col_null(st, 1))
			snprintf(h->unattached, sizeof(h->unattached),
			    "meter %s belongs to no open account", target);
		else
			add_hit(h, pp__col_int64(st, 1),
			    pp__col_int64(st, 0), what);
	}
	pp__reset(st);
	return PP_OK;
}

/* "BUILDING/ROOM" picks one building's room. */
static int
hit_rooms(pp_db *db, const char *target, struct hits *h)
{
	pp__st *st;
	const char *slash = strchr(target, '/');
	char what[96];

	if ((st = pp__stmt(db, "SELECT m.id, m.account_id, "
	    "coalesce(b.name, ''), m.room FROM meters m LEFT JOIN "
	    "buildings b ON b.id = m.building_id WHERE m.room = ? AND "
	    "(?2 IS NULL OR b.name = ?2) ORDER BY m.id")) == NULL)
		return PP_EINTERNAL;
	pp__bind_copy(st, 1, slash ? slash + 1 : target);
	if (slash)
		pp__bind_slice(st, 2, target, (int)(slash - target));
	while (pp__step(st) == PP__ROW) {
		snprintf(what, sizeof(what), "room %s/%s",
		    pp__col_str(st, 2), pp__col_str(st, 3));
		if (pp__col_null(st, 1)) {
			if (!h->unattached[0])
				snprintf(h->unattached, sizeof(h->unattached),
				    "%s has no open account", what);
			continue;
		}
		add_hit(h, pp__col_int64(st, 1),
		    pp__col_int64(st, 0), what);
	}
	pp__reset(st);
	return PP_OK;
}

static int
distinct_accounts(const struct hits *h)
{
	int i, j, seen, distinct = 0;

	for (i = 0; i < h->n; i++) {
		for (j = 0, seen = 0; j < i; j++)
			seen |= h->hit[j].account_id == h->hit[i].account_id;
		distinct += !seen;
	}
	return distinct;
}

/* The error for a target that names several accounts, each listed. */
static int
ambiguous(pp_db *db, const char *target, const struct hits *h)
{
	char candidates[PP_ERRMAX / 2] = "";
	size_t at = 0;
	int i;

	for (i = 0; i < h->n; i++) {
		struct pp__account c;

		if (pp__account_get_id(db, h->hit[i].account_id, &c) != PP_OK)
			continue;
		at += snprintf(candidates + at, at < sizeof(candidates) ?
		    sizeof(candidates) - at : 0, "%s%s (account %s, %s)",
		    i ? "; " : "", h->hit[i].what, c.account, c.name);
	}
	return ERR(PP_EDATA, "\"%s\" is ambiguous: %s; use --account, "
	    "--meter or --room", pp_q(target), candidates);
}

int
pp__target_resolve(pp_db *db, const char *target, enum pp_target kind,
    struct pp__account *a, int64_t *meter_id)
{
	struct hits h;
	char what[96];
	int i, rc;

	memset(&h, 0, sizeof(h));
	if (target == NULL || *target == '\0')
		return ERR(PP_EDATA, "no account, meter or room given");
	if (kind == PP_TARGET_ANY || kind == PP_TARGET_ACCOUNT) {
		if ((rc = pp__account_get(db, target, a)) == PP_OK) {
			snprintf(what, sizeof(what), "account %s", target);
			add_hit(&h, a->id, 0, what);
		} else if (rc != PP_EDATA)
			return rc;
	}
	if ((kind == PP_TARGET_ANY || kind == PP_TARGET_METER) &&
	    (rc = hit_meter(db, target, &h)) != PP_OK)
		return rc;
	if ((kind == PP_TARGET_ANY || kind == PP_TARGET_ROOM) &&
	    (rc = hit_rooms(db, target, &h)) != PP_OK)
		return rc;
	if (h.n == 0 && h.unattached[0])
		return ERR(PP_EDATA, "%s", h.unattached);
	if (h.n == 0)
		return ERR(PP_EDATA, "\"%s\": no such %s", pp_q(target),
		    kind == PP_TARGET_ACCOUNT ? "account" :
		    kind == PP_TARGET_METER ? "meter" :
		    kind == PP_TARGET_ROOM ? "room" : "account, meter or room");
	if (distinct_accounts(&h) > 1)
		return ambiguous(db, target, &h);
	/* One account: a single meter named by every hit is the meter. */
	*meter_id = h.hit[0].meter_id;
	for (i = 1; i < h.n; i++)
		if (h.hit[i].meter_id != *meter_id)
			*meter_id = 0;
	return pp__account_get_id(db, h.hit[0].account_id, a);
}

int
pp__wallet_of(pp_db *db, const struct pp__account *a, int64_t meter_id,
    int64_t *wallet)
{
	pp__st *st;
	char list[PP_ERRMAX / 2] = "";
	int64_t wallets = 0, others = 0, only = 0;
	size_t at = 0;

	*wallet = 0;
	if ((st = pp__stmt(db,
	    "SELECT id, meter, billing = 'meter' FROM meters "
	    "WHERE account_id = ? ORDER BY id")) == NULL)
		return pp__errcode(db);
	pp__bind_int64(st, 1, a->id);
	while (pp__step(st) == PP__ROW) {
		int64_t id = pp__col_int64(st, 0);

		if (!pp__col_int(st, 2)) {
			others++;
			continue;
		}
		if (meter_id == id)
			*wallet = id;
		only = id;
		wallets++;
		at += snprintf(list + at, at < sizeof(list) ? sizeof(list) - at :
		    0, "%s%s", at ? ", " : "", pp__col_str(st, 1));
	}
	pp__reset(st);
	if (meter_id || wallets == 0)
		return PP_OK;
	if (wallets == 1 && others == 0) {
		*wallet = only;
		return PP_OK;
	}
	return ERR(PP_EDATA, "account %s keeps money in the wallet%s of meter%s "
	    "%s%s; name the meter", a->account, wallets > 1 ? "s" : "",
	    wallets > 1 ? "s" : "", list, others ? " and in its own" : "");
}

static int
check_open_request(pp_db *db, const struct pp_open_req *req)
{
	char err[PP_ERRMAX];

	if (req->name == NULL || *req->name == '\0')
		return ERR(PP_EDATA, "name: missing");
	if (pp__text_check("name", req->name, PP_NAMEMAX, err, sizeof(err)) !=
	    PP_OK)
		return ERR(PP_EDATA, "%s", err);
	if (req->phone && *req->phone && (strlen(req->phone) >= PP_KEYMAX ||
	    strspn(req->phone, "0123456789+- ") != strlen(req->phone)))
		return ERR(PP_EDATA, "phone \"%s\": use digits, '+', '-' and "
		    "spaces", pp_q(req->phone));
	if (req->account && *req->account && pp__key_check("account",
	    req->account, PP_KEYMAX, err, sizeof(err)) != PP_OK)
		return ERR(PP_EDATA, "%s", err);
	if (req->balance < 0)
		return ERR(PP_EDATA, "balance: must not be negative");
	return pp__check_payment(db, req->method, req->ref, req->remark);
}

/* The next free generated account number. */
static int
new_account_number(pp_db *db, char out[PP_KEYMAX])
{
	int64_t next = 100001, taken;
	char buf[32];
	int rc;

	if (pp__setting(db, "next_account", buf, sizeof(buf)) != NULL)
		next = strtoll(buf, NULL, 10);
	for (;; next++) {
		snprintf(out, PP_KEYMAX, "%lld", (long long)next);
		rc = pp__query_int(db, &taken, "SELECT 1 FROM accounts WHERE "
		    "account = ?", "t", out);
		if (rc == PP_EDATA)
			break;
		if (rc != PP_OK)
			return rc;
	}
	snprintf(buf, sizeof(buf), "%lld", (long long)next + 1);
	return pp__exec(db, "INSERT INTO settings(key, value) VALUES "
	    "('next_account', ?) ON CONFLICT(key) DO UPDATE SET value = "
	    "excluded.value", "t", buf);
}

/* Attach one meter to an open account; it must be free. */
static int
attach(pp_db *db, int64_t account_id, const char *meter)
{
	pp__st *st;
	int64_t meter_id, owner;
	char err[PP_ERRMAX], owned_by[PP_KEYMAX] = "";
	int rc, attached;

	if (pp__key_check("meter", meter, PP_KEYMAX, err, sizeof(err)) != PP_OK)
		return ERR(PP_EDATA, "%s", err);
	if ((st = pp__stmt(db, "SELECT m.id, m.account_id IS NOT NULL, "
	    "coalesce(a.account, ''), coalesce(m.account_id, 0) FROM meters m "
	    "LEFT JOIN accounts a ON a.id = m.account_id WHERE m.meter = ?"))
	    == NULL)
		return PP_EINTERNAL;
	pp__bind_copy(st, 1, meter);
	if ((rc = pp__step(st)) != PP__ROW) {
		pp__reset(st);
		return rc == PP__DONE ? ERR(PP_EDATA, "meter %s is not "
		    "installed; load it with site-load", pp_q(meter)) :
		    pp__sqlfail(db, "meters");
	}
	meter_id = pp__col_int64(st, 0);
	attached = pp__col_int(st, 1);
	pp__col_text(st, 2, owned_by, sizeof(owned_by));
	owner = pp__col_int64(st, 3);
	pp__reset(st);
	if (attached)
		return ERR(PP_ERULE, "meter %s already belongs to %saccount %s",
		    meter, owner == account_id ? "this " : "open ", owned_by);
	if ((rc = pp__exec(db, "UPDATE meters SET account_id = ? WHERE id = ?",
	    "ii", account_id, meter_id)) != PP_OK)
		return rc;
	return pp__exec(db, "INSERT INTO account_meters(account_id, meter_id, "
	    "attached) VALUES (?, ?, ?)", "iii", account_id, meter_id,
	    pp_now());
}

/* "a; b" names the same meters as "a;b": blanks around ';' are no part. */
static int
same_meters(const char *asked, const char *had)
{
	char norm[PP_LISTMAX];
	size_t at = 0, n;

	for (; *asked; asked += *asked == ';') {
		asked += strspn(asked, " ");
		n = strcspn(asked, ";");
		while (n > 0 && asked[n - 1] == ' ')
			n--;
		if (n > 0 && at + n + 2 < sizeof(norm))
			at += (size_t)snprintf(norm + at, sizeof(norm) - at,
			    "%s%.*s", at ? ";" : "", (int)n, asked);
		asked += strcspn(asked, ";");
	}
	norm[at] = '\0';
	return strcmp(norm, had) == 0;
}

/*
 * The same opening again (its --ref) answers with the first result: PP_OK
 * with out->replayed, PP_EDATA for a ref used otherwise, -1 for a new ref.
 */
static int
open_replay(pp_db *db, const struct pp_open_req *req, pp_entry *out)
{
	pp__st *st;
	char serial[PP_KEYMAX];
	int64_t ledger_id;
	int same, rc;

	if (req->ref == NULL || *req->ref == '\0')
		return -1;
	if ((st = pp__stmt(db, "SELECT l.id, l.kind, a.account, l.amount,"
	    " l.serial FROM ledger l JOIN accounts a ON a.id = "
	    "l.account_id WHERE l.ref = ?")) == NULL)
		return pp__errcode(db);
	pp__bind_copy(st, 1, req->ref);
	if (pp__step(st) != PP__ROW) {
		pp__reset(st);
		return -1;
	}
	same = strcmp(pp__col_str(st, 1), "open") == 0 &&
	    pp__col_int64(st, 3) == req->balance &&
	    (req->account == NULL || *req->account == '\0' ||
	    strcmp(req->account, pp__col_str(st, 2)) ==
	    0);
	ledger_id = pp__col_int64(st, 0);
	pp__col_text(st, 4, serial, sizeof(serial));
	pp__reset(st);
	if (same && (rc = pp__entry_load(db, ledger_id, out)) != PP_OK)
		return rc;
	if (!same || !same_meters(req->meters, out->meter))
		return ERR(PP_EDATA, "ref \"%s\" was already used by serial %s "
		    "for another request", pp_q(req->ref), serial);
	out->replayed = 1;
	return PP_OK;
}

/* The number asked for, free, or the next one the site hands out. */
static int
account_number(pp_db *db, const char *asked, char number[PP_KEYMAX])
{
	struct pp__account a;
	int rc;

	if (asked == NULL || *asked == '\0')
		return new_account_number(db, number);
	rc = pp__account_get(db, asked, &a);
	if (rc == PP_OK)
		return ERR(PP_EDATA, "account %s already exists%s", asked,
		    a.open ? "" : " (closed)");
	if (rc != PP_EDATA)
		return rc;
	snprintf(number, PP_KEYMAX, "%s", asked);
	return PP_OK;
}

/* Attach each meter of the ';' list, blanks around each ignored. */
static int
attach_list(pp_db *db, int64_t account_id, const char *list)
{
	char *meters, *m, *next;
	size_t len;
	int rc = PP_OK, n = 0;

	if ((meters = strdup(list ? list : "")) == NULL)
		return ERR(PP_EINTERNAL, "out of memory");
	for (m = meters; m; m = next) {
		if ((next = strchr(m, ';')) != NULL)
			*next++ = '\0';
		m += strspn(m, " ");
		for (len = strlen(m); len > 0 && m[len - 1] == ' '; len--)
			m[len - 1] = '\0';
		if (*m == '\0' && next == NULL && n > 0)
			break;
		if ((rc = attach(db, account_id, m)) != PP_OK)
			break;
		n++;
	}
	free(meters);
	if (rc == PP_OK && n == 0)
		return ERR(PP_EDATA, "no meter given");
	return rc;
}

int
pp_account_open(pp_db *db, const struct pp_open_req *req, pp_entry *out)
{
	struct pp__account a;
	struct pp__post p;
	char number[PP_KEYMAX];
	int64_t id, ledger_id, wallet = 0;
	int rc;

	if ((rc = check_open_request(db, req)) != PP_OK)
		return rc;
	if ((rc = open_replay(db, req, out)) != -1)
		return rc;
	if ((rc = account_number(db, req->account, number)) != PP_OK)
		return rc;
	if ((rc = pp__query_int(db, &id, "INSERT INTO accounts(account, name, "
	    "phone, state, opened) VALUES (?, ?, ?, 'open', ?) RETURNING id",
	    "ttti", number, req->name, req->phone ? req->phone : "",
	    pp_now())) != PP_OK)
		return rc;
	if ((rc = attach_list(db, id, req->meters)) != PP_OK ||
	    (rc = pp__account_get_id(db, id, &a)) != PP_OK)
		return rc;
	if (req->balance > 0 && (rc = pp__wallet_of(db, &a, 0, &wallet)) !=
	    PP_OK)
		return rc;
	memset(&p, 0, sizeof(p));
	p.kind = "open";
	p.account_id = id;
	p.meter_id = wallet;
	p.amount = req->balance;
	p.method = req->method;
	p.ref = req->ref;
	p.remark = req->remark;
	if ((rc = pp__post_money(db, &p, wallet, &ledger_id)) != PP_OK)
		return rc;
	return pp__entry_load(db, ledger_id, out);
}

int
pp_account_add_meter(pp_db *db, const char *account, const char *meter,
    pp_entry *out)
{
	struct pp__account a;
	pp__st *st;
	int rc;

	if ((rc = pp__account_get(db, account, &a)) != PP_OK)
		return rc == PP_EDATA ? ERR(PP_EDATA, "account %s: no such "
		    "account", pp_q(account)) : rc;
	if (!a.open)
		return ERR(PP_ERULE, "account %s is closed", account);
	if ((rc = attach(db, a.id, meter)) != PP_OK)
		return rc;
	/* The account's latest row, so the output shows its balance. */
	if ((st = pp__stmt(db,
	    "SELECT max(id) FROM ledger WHERE account_id = ?"))
	    == NULL)
		return pp__errcode(db);
	pp__bind_int64(st, 1, a.id);
	rc = pp__step(st);
	if (rc == PP__ROW) {
		int64_t last = pp__col_int64(st, 0);

		pp__reset(st);
		if ((rc = pp__entry_load(db, last, out)) != PP_OK)
			return rc;
		/* The account as it is now, with the meter just added. */
		out->balance = a.balance;
		return pp__account_meters(db, a.id, pp_now(), out->meter,
		    out->room);
	}
	pp__reset(st);
	return pp__sqlfail(db, "ledger");
}

/*
 * The same close again (its --ref) answers with the first result: PP_OK
 * with out->replayed, PP_EDATA for a ref used otherwise, -1 for a new ref.
 */
static int
close_replay(pp_db *db, const struct pp__account *a, const char *ref,
    pp_entry *out)
{
	int64_t was;
	int rc;

	if (ref == NULL || *ref == '\0')
		return -1;
	rc = pp__query_int(db, &was, "SELECT id FROM ledger WHERE ref = ? "
	    "AND kind = 'close' AND account_id = ?", "ti", ref, a->id);
	if (rc == PP_OK) {
		if ((rc = pp__entry_load(db, was, out)) == PP_OK)
			out->replayed = 1;
		return rc;
	}
	if (rc != PP_EDATA)
		return rc;
	if (pp__query_int(db, &was, "SELECT id FROM ledger WHERE ref = ?",
	    "t", ref) == PP_OK)
		return pp__fail(db, PP_EDATA, "ref \"%s\" was already used for "
		    "another request", pp_q(ref));
	return -1;
}

/* The closed account lets its meters go, as of its closing row's time. */
static int
detach_all(pp_db *db, int64_t account_id, int64_t close_row)
{
	int64_t now;
	int rc;

	if ((rc = pp__query_int(db, &now,
	    "SELECT time FROM ledger WHERE id = ?",
	    "i", close_row)) != PP_OK)
		return rc;
	if ((rc = pp__exec(db, "UPDATE account_meters SET detached = ? WHERE "
	    "account_id = ? AND detached IS NULL", "ii", now, account_id)) !=
	    PP_OK)
		return rc;
	if ((rc = pp__exec(db, "UPDATE meters SET account_id = NULL WHERE "
	    "account_id = ?", "i", account_id)) != PP_OK)
		return rc;
	return pp__exec(db, "UPDATE accounts SET state = 'closed', closed = ? "
	    "WHERE id = ?", "ii", now, account_id);
}

int
pp__account_close(pp_db *db, const char *account, const char *method,
    const char *ref, const char *remark, int64_t meter_balance,
    pp_entry *out)
{
	struct pp__account a;
	struct pp__post p;
	char b[PP_NUMBUF];
	int64_t balance, id, wallet;
	int rc;

	if ((rc = pp__check_payment(db, method, ref, remark)) != PP_OK)
		return rc;
	if ((rc = pp__account_get(db, account, &a)) != PP_OK)
		return rc == PP_EDATA ? ERR(PP_EDATA, "account %s: no such "
		    "account", pp_q(account)) : rc;
	if ((rc = close_replay(db, &a, ref, out)) != -1)
		return rc;
	if (!a.open)
		return ERR(PP_ERULE, "account %s is already closed", account);
	if ((rc = pp__wallet_of(db, &a, 0, &wallet)) != PP_OK)
		return rc;
	if (wallet && meter_balance == PP_NO_WALLET)
		return ERR(PP_EUSAGE, "account %s: what its meter holds must be "
		    "read first", account);
	if (wallet && meter_balance >= 0) {
		/*
		 * The meter kept the wallet: what it spent is the money in
		 * less what it holds, and what it holds is the refund.
		 */
		if ((rc = pp__exec(db,
		    "UPDATE accounts SET used_e7 = (money - ?) "
		    "* 100000 WHERE id = ?", "ii", meter_balance, a.id)) != PP_OK)
			return rc;
		a.balance = meter_balance;
	}
	balance = a.balance;
	if (balance < 0)
		return ERR(PP_ERULE, "account %s owes %s; take a sale of at "
		    "least that before closing", account,
		    pp_money_format(-balance, b));
	memset(&p, 0, sizeof(p));
	p.kind = "close";
	p.account_id = a.id;
	p.amount = -balance;
	p.method = method;
	p.ref = ref;
	p.remark = remark;
	p.meter_id = wallet;
	/* The refund leaves the meter too, as a negative recharge. */
	if ((rc = pp__post_money(db, &p, wallet && balance > 0 ? wallet : 0,
	    &id)) != PP_OK)
		return rc;
	/* The entry is loaded while the meters still show on the account. */
	if ((rc = pp__entry_load(db, id, out)) != PP_OK)
		return rc;
	return detach_all(db, a.id, id);
}
