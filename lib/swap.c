/*
 * swap.c: replacing a meter (换表).  The old meter's last counter is read
 * (or given, for a dead meter), refused when it is below the last one
 * stored unless forced with a reason, and stored so that its last
 * interval is charged as a poll charges it.  What its own wallet holds
 * (read, or given, as for old IC-card meters) moves with transfer rows to
 * the new meter, which takes the old one's place on the account with its
 * opening counter stored.  The old meter's wallet is then taken to 0.00
 * by a negative recharge, or the meter is tripped when that does not land
 * (doc/design.md, "Meter wallets").
 */
#include <string.h>

#include "internal.h"
#include "field.h"

#define ERR(code, ...)	pp__fail(db, code, __VA_ARGS__)
/* How long the commands after a swap wait for a busy bus. */
#define SWAP_BUS_WAIT	10000

const pp_column pp_swap_columns[PP_SWAP_NCOLS] = {
	{ "serial", PP_COL_TEXT }, { "time", PP_COL_TIME },
	{ "account", PP_COL_TEXT }, { "old_meter", PP_COL_TEXT },
	{ "last_kwh", PP_COL_KWH }, { "final_kwh", PP_COL_KWH },
	{ "used_kwh", PP_COL_KWH }, { "cost", PP_COL_MONEY },
	{ "moved", PP_COL_MONEY }, { "new_meter", PP_COL_TEXT },
	{ "buy_count", PP_COL_INT }, { "opening_kwh", PP_COL_KWH },
	{ "old_wallet", PP_COL_TEXT }, { "remark", PP_COL_TEXT },
};

struct swap_meter {
	int64_t	id, gateway_id, account_id, energy_wh;
	int	wallet, has_energy;
	struct pp__station at;
	char	profile[PP_KEYMAX];
};

/* What the transaction leaves for the commands after it. */
struct swap_tx {
	int64_t	shown;		/* what the old meter's wallet holds */
	int64_t	balance;	/* what moves to the new meter */
	int64_t	zero_id;	/* the old meter's negative recharge */
	int64_t	recharge_id;	/* the new meter's recharge */
	int64_t	out_id, in_id;	/* the transfer rows */
};

const char *
pp_swap_wallet_name(enum pp_swap_wallet w)
{
	static const char *const names[] = { "none", "empty", "zeroed",
	    "tripped", "pending", "live" };

	return (size_t)w < sizeof(names) / sizeof(names[0]) ? names[w] : "";
}

void
pp_swap_values(const struct pp_swap_result *r, struct pp_swap_text *t,
    const char *v[PP_SWAP_NCOLS])
{
	pp_cell c[PP_SWAP_NCOLS];
	int i;

	memset(c, 0, sizeof(c));
	c[0] = (pp_cell){ 1, 0, r->serial };
	c[1] = (pp_cell){ 1, r->time, NULL };
	c[2] = (pp_cell){ 1, 0, r->account };
	c[3] = (pp_cell){ 1, 0, r->old_meter };
	c[4] = (pp_cell){ r->last_wh != INT64_MIN, r->last_wh, NULL };
	c[5] = (pp_cell){ 1, r->final_wh, NULL };
	c[6] = (pp_cell){ 1, r->used_wh, NULL };
	c[7] = (pp_cell){ 1, pp__fen_round(r->cost_e7), NULL };
	c[8] = (pp_cell){ 1, r->moved, NULL };
	c[9] = (pp_cell){ 1, 0, r->new_meter };
	c[10] = (pp_cell){ r->new_buy_count != 0, r->new_buy_count, NULL };
	c[11] = (pp_cell){ r->opening_wh != INT64_MIN, r->opening_wh, NULL };
	c[12] = (pp_cell){ 1, 0, pp_swap_wallet_name(r->old_wallet) };
	c[13] = (pp_cell){ 1, 0, r->remark };
	for (i = 0; i < PP_SWAP_NCOLS; i++)
		v[i] = pp__cell_format(pp_swap_columns[i].type, &c[i],
		    t->cell[i]);
}

static int
swap_meter(pp_db *db, const char *meter, struct swap_meter *m)
{
	pp__st *st;
	int rc;

	memset(m, 0, sizeof(*m));
	if ((st = pp__stmt(db, "SELECT id, coalesce(gateway_id, 0), "
	    "coalesce(account_id, 0), coalesce(unit, 0), billing = 'meter', "
	    "profile, meter, coalesce(address, ''), energy_wh IS NOT NULL, "
	    "coalesce(energy_wh, 0) FROM meters WHERE meter = ?")) == NULL)
		return PP_EINTERNAL;
	pp__bind_copy(st, 1, meter);
	if ((rc = pp__step(st)) == PP__ROW) {
		m->id = pp__col_int64(st, 0);
		m->gateway_id = pp__col_int64(st, 1);
		m->account_id = pp__col_int64(st, 2);
		pp__station_row(st, 6, 3, 7, &m->at);
		m->wallet = pp__col_int(st, 4);
		pp__col_text(st, 5, m->profile, sizeof(m->profile));
		m->has_energy = pp__col_int(st, 8);
		m->energy_wh = pp__col_int64(st, 9);
	}
	pp__reset(st);
	if (rc == PP__ROW)
		return PP_OK;
	return rc == PP__DONE ? ERR(PP_EDATA, "meter %s: no such meter",
	    pp_q(meter)) : pp__sqlfail(db, "meters");
}

/* A meter's values, read over its bus; msg says why not. */
static int
read_meter(pp_db *db, const struct swap_meter *m, int wait_ms,
    struct pp__values *v, char *msg, size_t msglen)
{
	struct pp__profile p;
	struct pp__gateway gw;
	struct pp__bus *bus;
	int rc;

	memset(v, 0, sizeof(*v));
	if (pp__profile_load(m->profile, &p, msg, msglen) != PP_OK)
		return PP_ECONFIG;
	if ((rc = pp__gateway_get(db, m->gateway_id, &gw)) != PP_OK) {
		snprintf(msg, msglen, "%s", pp_errmsg(db));
		return rc;
	}
	if ((rc = pp__bus_open(db->path, &gw, wait_ms, &bus, msg, msglen)) !=
	    PP_OK)
		return rc;
	rc = pp__meter_read_all(db, bus, m->id, &m->at, &p, v, msg,
	    msglen);
	pp__bus_close(bus);
	return rc == PP_OK ? PP_OK : PP_EUNREACH;
}

/* The old meter's counter and wallet, read over its bus. */
static int
read_old(pp_db *db, const struct swap_meter *m, int wait_ms,
    struct pp__values *v)
{
	char msg[PP_ERRMAX];
	int rc;

	if ((rc = read_meter(db, m, wait_ms, v, msg, sizeof(msg))) == PP_OK)
		return PP_OK;
	if (rc != PP_EUNREACH)
		return ERR(rc, "%s", msg);
	return ERR(PP_EUNREACH, "the old meter does not answer (%s); give its "
	    "last counter with --final%s", msg, m->wallet ?
	    " and its balance with --balance" : "");
}

/* Both meters exist, differ, and the old one alone is on an account. */
static int
swap_meters(pp_db *db, const struct pp_swap_req *req, struct swap_meter *old,
    struct swap_meter *new)
{
	char err[PP_ERRMAX];
	int rc;

	if (req->force && (req->reason == NULL || *req->reason == '\0'))
		return ERR(PP_EUSAGE, "--force needs --reason: say why the "
		    "final reading is below the last one");
	if (req->reason && pp__text_check("--reason", req->reason, 160, err,
	    sizeof(err)) != PP_OK)
		return ERR(PP_EDATA, "%s", err);
	if ((rc = swap_meter(db, req->old_meter, old)) != PP_OK ||
	    (rc = swap_meter(db, req->new_meter, new)) != PP_OK)
		return rc;
	if (old->id == new->id)
		return ERR(PP_EDATA, "the old and the new meter are the same");
	if (old->account_id == 0)
		return ERR(PP_ERULE, "meter %s is on no open account",
		    req->old_meter);
	if (new->account_id != 0)
		return ERR(PP_ERULE, "meter %s already belongs to an account",
		    req->new_meter);
	return PP_OK;
}

/* The old meter's last counter and wallet: given, else read now. */
static int
swap_final(pp_db *db, const struct pp_swap_req *req,
    const struct swap_meter *old, struct pp__values *v, int64_t *final,
    int64_t *balance)
{
	int rc;

	*final = req->final_wh;
	*balance = req->balance;
	memset(v, 0, sizeof(*v));
	if (!old->wallet && req->balance >= 0)
		return ERR(PP_EUSAGE, "meter %s keeps no wallet of its own; "
		    "its account's balance stays with the account",
		    req->old_meter);
	if (*final < 0 || (old->wallet && *balance < 0)) {
		if ((rc = read_old(db, old, req->wait_ms, v)) != PP_OK)
			return rc;
		if (*final < 0 && !pp__values_get(v, "energy_kwh", final))
			return ERR(PP_EDATA, "the old meter shows no counter");
		if (old->wallet && *balance < 0 && !pp__values_get(v, "balance",
		    balance))
			return ERR(PP_EDATA, "the old meter shows no balance; "
			    "give --balance");
	}
	if (!old->wallet)
		*balance = 0;
	/* A counter that went back would lose the energy in between. */
	if (old->has_energy && *final < old->energy_wh && !req->force) {
		char f[PP_NUMBUF], l[PP_NUMBUF];

		return ERR(PP_EDATA, "meter %s: final reading %s kWh is below "
		    "the last reading stored, %s kWh; give --force and "
		    "--reason to store it", req->old_meter,
		    pp__energy_format(*final, f),
		    pp__energy_format(old->energy_wh, l));
	}
	return PP_OK;
}

/* The new meter's opening counter: given, read, else the last stored. */
static void
swap_opening(pp_db *db, const struct pp_swap_req *req,
    const struct swap_meter *new, int64_t *opening)
{
	struct pp__values v;
	char msg[PP_ERRMAX];

	*opening = req->opening_wh;
	if (*opening >= 0)
		return;
	*opening = new->has_energy ? new->energy_wh : INT64_MIN;
	if (read_meter(db, new, req->wait_ms, &v, msg, sizeof(msg)) ==
	    PP_OK && !pp__values_get(&v, "energy_kwh", opening))
		*opening = new->has_energy ? new->energy_wh : INT64_MIN;
}

/*
 * Recharges still waiting for the old meter: those its count shows
 * landed are in the balance read and are done; the others never go to
 * it, each given up (cancelled, its count to the next purchase), and
 * their money moves with the balance (*waiting).
 */
static int
move_waiting(pp_db *db, const struct pp_swap_req *req,
    const struct swap_meter *old, const struct pp__values *v,
    int64_t *waiting)
{
	char why[PP_TEXTMAX];
	int64_t count = -1, id, amount;
	int rc;

	*waiting = 0;
	pp__values_get(v, "buy_count", &count);
	if ((rc = pp__exec(db, "UPDATE commands SET state = 'done', "
	    "updated = ? WHERE meter_id = ? AND action = 'recharge' AND "
	    "state IN ('pending', 'sent') AND buy_count <= ?", "iii",
	    pp_now(), old->id, count)) != PP_OK)
		return rc;
	snprintf(why, sizeof(why), "moved to meter %s by a swap",
	    req->new_meter);
	/* In order: each cancellation renumbers the ones after it. */
	while ((rc = pp__query_int(db, &id, "SELECT id FROM commands WHERE "
	    "meter_id = ? AND action = 'recharge' AND state IN ('pending', "
	    "'sent') AND verdict IS NULL ORDER BY buy_count LIMIT 1", "i",
	    old->id)) == PP_OK) {
		if ((rc = pp__query_int(db, &amount, "SELECT amount FROM "
		    "commands WHERE id = ?", "i", id)) != PP_OK ||
		    (rc = pp__recharge_cancel(db, id, why)) != PP_OK)
			return rc;
		*waiting += amount;
	}
	return rc == PP_EDATA ? PP_OK : rc;
}

/* One transfer row of the swap; with wallet, a recharge of its amount. */
static int
transfer_row(pp_db *db, const struct pp__post *tmpl, int64_t meter_id,
    int64_t amount, int64_t wallet, int64_t *id, int64_t *command_id)
{
	struct pp__post p = *tmpl;
	int rc;

	p.meter_id = meter_id;
	p.amount = amount;
	if ((rc = pp__post_money(db, &p, wallet, id)) != PP_OK)
		return rc;
	if (wallet && command_id)
		return pp__query_int(db, command_id, "SELECT id FROM commands "
		    "WHERE ledger_id = ?", "i", *id);
	return PP_OK;
}

/*
 * The balance out of the old meter and into the new one.  What the old
 * meter's wallet holds comes off it by a negative recharge of that row;
 * the recharges that never reached it go out in a row of their own; into
 * a new meter wallet the money goes as its first recharge.
 */
static int
transfer(pp_db *db, int64_t account_id, const char *remark,
    const struct swap_meter *old, const struct swap_meter *new,
    int64_t waiting, struct swap_tx *x)
{
	struct pp__post p;
	int64_t id;
	int rc;

	memset(&p, 0, sizeof(p));
	p.kind = "transfer";
	p.account_id = account_id;
	p.method = "transfer";
	p.remark = remark;
	x->out_id = 0;
	if (old->wallet && x->shown > 0 && (rc = transfer_row(db, &p, old->id,
	    -x->shown, old->id, &x->out_id, &x->zero_id)) != PP_OK)
		return rc;
	if ((waiting != 0 || x->out_id == 0) && (rc = transfer_row(db, &p,
	    old->id, old->wallet && x->shown > 0 ? -waiting : -x->balance, 0,
	    &id, NULL)) != PP_OK)
		return rc;
	if (x->out_id == 0)
		x->out_id = id;
	return transfer_row(db, &p, new->id, x->balance, new->wallet &&
	    x->balance ? new->id : 0, &x->in_id, &x->recharge_id);
}

/* The new meter takes the old one's place on the account. */
static int
reattach(pp_db *db, int64_t account_id, int64_t old_id, int64_t new_id)
{
	int rc;

	if ((rc = pp__exec(db, "UPDATE account_meters SET detached = ? WHERE "
	    "meter_id = ? AND detached IS NULL", "ii", pp_now(), old_id)) !=
	    PP_OK ||
	    (rc = pp__exec(db, "UPDATE meters SET account_id = NULL WHERE id = "
	    "?", "i", old_id)) != PP_OK ||
	    (rc = pp__exec(db, "UPDATE meters SET account_id = ? WHERE id = ?",
	    "ii", account_id, new_id)) != PP_OK)
		return rc;
	return pp__exec(db, "INSERT INTO account_meters(account_id, meter_id, "
	    "attached) VALUES (?, ?, ?)", "iii", account_id, new_id, pp_now());
}

/* The final reading, stored as a manual one: what it counted and cost. */
static int
store_final(pp_db *db, const struct swap_meter *old, int64_t final,
    int64_t shown, struct pp_swap_result *out)
{
	pp__st *st;
	int rc, counted = 0;

	if ((rc = pp__reading_store(db, old->id, PP_READ_NOW, final,
	    old->wallet ? shown : INT64_MIN)) != PP_OK)
		return rc;
	if ((st = pp__stmt(db, "SELECT r.status < 8, r.cost_e7 FROM "
	    PP__READINGS_FIRST("?1", "TRUE", "DESC") " r ORDER BY r.time DESC, "
	    "r.seq DESC LIMIT 1")) == NULL)
		return pp__errcode(db);
	pp__bind_int64(st, 1, old->id);
	if (pp__step(st) == PP__ROW) {
		counted = pp__col_int(st, 0);
		out->cost_e7 = pp__col_int64(st, 1);
	}
	pp__reset(st);
	out->last_wh = old->has_energy ? old->energy_wh : INT64_MIN;
	out->final_wh = final;
	out->used_wh = counted && old->has_energy ? final - old->energy_wh : 0;
	return PP_OK;
}

/* The swap's remark: what it was, and why a backwards counter was kept. */
static void
swap_remark(const struct pp_swap_req *req, const struct swap_meter *old,
    int64_t final, char remark[PP_TEXTMAX])
{
	char f[PP_NUMBUF], l[PP_NUMBUF];

	if (old->has_energy && final < old->energy_wh)
		snprintf(remark, PP_TEXTMAX, "swap %s -> %s; forced: final "
		    "%s kWh below the last %s kWh: %s", req->old_meter,
		    req->new_meter, pp__energy_format(final, f),
		    pp__energy_format(old->energy_wh, l), req->reason);
	else if (req->reason && *req->reason)
		snprintf(remark, PP_TEXTMAX, "swap %s -> %s: %s",
		    req->old_meter, req->new_meter, req->reason);
	else
		snprintf(remark, PP_TEXTMAX, "swap %s -> %s", req->old_meter,
		    req->new_meter);
}

/* Everything the swap writes, in the caller's transaction. */
static int
swap_write(pp_db *db, const struct pp_swap_req *req,
    const struct swap_meter *old, const struct swap_meter *new,
    const struct pp__values *v, int64_t final, struct swap_tx *x,
    struct pp_swap_result *out)
{
	struct pp__account a;
	pp_entry e;
	int64_t waiting = 0;
	int rc;

	if (v->n > 0 && (rc = pp__meter_mirror(db, old->id, v)) != PP_OK)
		return rc;
	if (old->wallet && (rc = move_waiting(db, req, old, v, &waiting)) !=
	    PP_OK)
		return rc;
	x->balance = x->shown + waiting;
	/* The last counter, as a manual reading: its interval counts. */
	if ((rc = store_final(db, old, final, x->shown, out)) != PP_OK ||
	    (rc = pp__account_get_id(db, old->account_id, &a)) != PP_OK)
		return rc;
	/* The new meter's opening counter, before it is on the account. */
	if (out->opening_wh != INT64_MIN && (rc = pp__reading_store(db,
	    new->id, PP_READ_NOW, out->opening_wh, INT64_MIN)) != PP_OK)
		return rc;
	if ((rc = transfer(db, a.id, out->remark, old, new, waiting, x)) !=
	    PP_OK || (rc = reattach(db, a.id, old->id, new->id)) != PP_OK ||
	    (rc = pp__entry_load(db, x->in_id, &e)) != PP_OK)
		return rc;
	out->new_buy_count = x->recharge_id ? e.buy_count : 0;
	out->moved = x->balance;
	if ((rc = pp__entry_load(db, x->out_id, &e)) != PP_OK)
		return rc;
	snprintf(out->serial, sizeof(out->serial), "%s", e.serial);
	snprintf(out->account, sizeof(out->account), "%s", e.account);
	out->time = e.time;
	return PP_OK;
}

/* Queue a trip of the old meter, in a transaction of its own, and send it. */
static int
trip_old(pp_db *db, const struct swap_meter *old, char *msg, size_t msglen)
{
	int64_t id;
	int rc;

	if ((rc = pp__tx_begin(db)) != PP_OK)
		return rc;
	if ((rc = pp__query_int(db, &id, "INSERT INTO commands(meter_id, "
	    "action, state, reason, operator, created, updated) VALUES (?, "
	    "'trip', 'pending', 'swap', ?, ?, ?) RETURNING id", "itii",
	    old->id, db->login, pp_now(), pp_now())) != PP_OK) {
		pp__tx_rollback(db);
		return rc;
	}
	if ((rc = pp__tx_commit(db)) != PP_OK)
		return rc;
	return pp__command_send(db, id, SWAP_BUS_WAIT, msg, msglen);
}

/*
 * After the commit: the new meter's recharge, and the old meter's wallet
 * taken to 0.00, else the old meter tripped.  out->message tells.
 */
static void
swap_deliver(pp_db *db, const struct swap_meter *old, const struct swap_tx *x,
    struct pp_swap_result *out)
{
	char msg[PP_ERRMAX], trip[PP_ERRMAX], yuan[PP_NUMBUF];
	int rc;

	if (x->recharge_id)
		out->new_pending = pp__command_send(db, x->recharge_id,
		    SWAP_BUS_WAIT, msg, sizeof(msg)) != PP_OK;
	if (!old->wallet) {
		out->old_wallet = PP_SWAP_NONE;
		return;
	}
	if (x->zero_id == 0) {
		out->old_wallet = PP_SWAP_EMPTY;
		snprintf(out->message, sizeof(out->message), "its wallet held "
		    "%s", pp_money_format(x->shown, yuan));
		return;
	}
	pp_money_format(-x->shown, yuan);
	if ((rc = pp__command_send(db, x->zero_id, SWAP_BUS_WAIT, msg,
	    sizeof(msg))) == PP_OK) {
		out->old_wallet = PP_SWAP_ZEROED;
		snprintf(out->message, sizeof(out->message), "its wallet taken "
		    "to 0.00 by a recharge of %s", yuan);
		return;
	}
	rc = trip_old(db, old, trip, sizeof(trip));
	out->old_wallet = rc == PP_OK ? PP_SWAP_TRIPPED : rc == PP_EBUSY ?
	    PP_SWAP_PENDING : PP_SWAP_LIVE;
	snprintf(out->message, sizeof(out->message), "the recharge of %s "
	    "that empties its wallet did not land (%.200s); %s", yuan, msg,
	    rc == PP_OK ? "the meter is tripped" : rc == PP_EBUSY ? "it and "
	    "a trip are pending for meter-read" : "it could not be tripped "
	    "either: trip it by hand");
}

int
pp_meter_swap(pp_db *db, const struct pp_swap_req *req,
    struct pp_swap_result *out)
{
	struct swap_meter old, new;
	struct pp__values v;
	struct swap_tx x;
	int64_t final;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&x, 0, sizeof(x));
	if ((rc = swap_meters(db, req, &old, &new)) != PP_OK ||
	    (rc = swap_final(db, req, &old, &v, &final, &x.shown)) != PP_OK)
		return rc;
	swap_opening(db, req, &new, &out->opening_wh);
	snprintf(out->old_meter, sizeof(out->old_meter), "%s", req->old_meter);
	snprintf(out->new_meter, sizeof(out->new_meter), "%s", req->new_meter);
	swap_remark(req, &old, final, out->remark);
	if ((rc = pp__tx_begin(db)) != PP_OK)
		return rc;
	if ((rc = swap_write(db, req, &old, &new, &v, final, &x, out)) !=
	    PP_OK) {
		pp__tx_rollback(db);
		return rc;
	}
	if ((rc = pp__tx_commit(db)) != PP_OK)
		return rc;
	swap_deliver(db, &old, &x, out);
	return PP_OK;
}
