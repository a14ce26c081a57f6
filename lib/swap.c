/*
 * swap.c: replacing a meter.  The old meter's last counter is read (or
 * given, for a dead meter), so its last interval still counts; what its
 * own wallet holds (read, or given, as for old IC-card meters) moves with
 * transfer rows to the new meter, which takes the old one's place on the
 * account.
 */
#include <string.h>

#include "internal.h"
#include "field.h"

#define ERR(code, ...)	pp__fail(db, code, __VA_ARGS__)

struct swap_meter {
	int64_t	id, gateway_id, account_id;
	int	wallet;
	struct pp__station at;
	char	profile[PP_KEYMAX];
};

static int
swap_meter(pp_db *db, const char *meter, struct swap_meter *m)
{
	sqlite3_stmt *st;
	int rc;

	memset(m, 0, sizeof(*m));
	if ((st = pp__stmt(db, "SELECT id, coalesce(gateway_id, 0), "
	    "coalesce(account_id, 0), coalesce(unit, 0), billing = 'meter', "
	    "profile, meter, coalesce(address, '') FROM meters WHERE meter = "
	    "?")) == NULL)
		return PP_EINTERNAL;
	sqlite3_bind_text(st, 1, meter, -1, SQLITE_TRANSIENT);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		m->id = sqlite3_column_int64(st, 0);
		m->gateway_id = sqlite3_column_int64(st, 1);
		m->account_id = sqlite3_column_int64(st, 2);
		pp__station_row(st, 6, 3, 7, &m->at);
		m->wallet = sqlite3_column_int(st, 4);
		pp__col_text(st, 5, m->profile, sizeof(m->profile));
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return PP_OK;
	return rc == SQLITE_DONE ? ERR(PP_EDATA, "meter %s: no such meter",
	    pp_q(meter)) : pp__sqlfail(db, "meters");
}

/* The old meter's counter and wallet, read over its bus. */
static int
read_old(pp_db *db, const struct swap_meter *m, int wait_ms,
    struct pp__values *v)
{
	struct pp__profile p;
	struct pp__gateway gw;
	struct pp__bus *bus;
	char msg[PP_ERRMAX];
	int rc;

	if (pp__profile_load(m->profile, &p, msg, sizeof(msg)) != PP_OK)
		return ERR(PP_ECONFIG, "%s", msg);
	if ((rc = pp__gateway_get(db, m->gateway_id, &gw)) != PP_OK)
		return rc;
	if ((rc = pp__bus_open(db->path, &gw, wait_ms, &bus, msg,
	    sizeof(msg))) != PP_OK)
		return ERR(rc, "%s", msg);
	rc = pp__bus_read(bus, &m->at, &p, v, msg, sizeof(msg));
	pp__bus_close(bus);
	if (rc != PP_OK)
		return ERR(PP_EUNREACH, "the old meter does not answer (%s); "
		    "give its last counter with --final%s", msg, m->wallet ?
		    " and its balance with --balance" : "");
	return PP_OK;
}

/* Both meters exist, differ, and the old one alone is on an account. */
static int
swap_meters(pp_db *db, const struct pp_swap_req *req, struct swap_meter *old,
    struct swap_meter *new)
{
	int rc;

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
	if (!old->wallet && req->balance >= 0)
		return ERR(PP_EUSAGE, "meter %s keeps no wallet of its own; "
		    "its account's balance stays with the account",
		    req->old_meter);
	if (!old->wallet)
		*balance = 0;
	return PP_OK;
}

/*
 * Recharges still waiting for the old meter: those its count shows
 * landed are in the balance read; the others move with it (*balance).
 */
static int
move_waiting(pp_db *db, const struct pp_swap_req *req,
    const struct swap_meter *old, const struct pp__values *v,
    int64_t *balance)
{
	int64_t count = -1, waiting;
	int rc;

	pp__values_get(v, "buy_count", &count);
	if ((rc = pp__exec(db, "UPDATE commands SET state = 'done', "
	    "updated = ? WHERE meter_id = ? AND action = 'recharge' AND "
	    "state IN ('pending', 'sent') AND buy_count <= ?", "iii",
	    pp_now(), old->id, count)) != PP_OK ||
	    (rc = pp__query_int(db, &waiting, "SELECT coalesce(sum(amount),"
	    " 0) FROM commands WHERE meter_id = ? AND action = 'recharge' "
	    "AND state IN ('pending', 'sent')", "i", old->id)) != PP_OK ||
	    (rc = pp__exec(db, "UPDATE commands SET state = 'failed', "
	    "last_error = 'moved to meter ' || ?, updated = ? WHERE "
	    "meter_id = ? AND action = 'recharge' AND state IN "
	    "('pending', 'sent')", "tii", req->new_meter, pp_now(),
	    old->id)) != PP_OK)
		return rc;
	*balance += waiting;
	return PP_OK;
}

/* The balance out of the old meter and into the new one. */
static int
transfer(pp_db *db, const struct pp_swap_req *req, int64_t account_id,
    const struct swap_meter *old, const struct swap_meter *new,
    int64_t balance, int64_t id[2])
{
	struct pp__post p;
	char remark[PP_TEXTMAX];
	int rc;

	memset(&p, 0, sizeof(p));
	p.kind = "transfer";
	p.account_id = account_id;
	p.method = "transfer";
	p.amount = -balance;
	p.meter_id = old->id;
	snprintf(remark, sizeof(remark), "swap %s -> %s", req->old_meter,
	    req->new_meter);
	p.remark = remark;
	if ((rc = pp__ledger_post(db, &p, &id[0])) != PP_OK)
		return rc;
	p.amount = balance;
	p.meter_id = new->id;
	/* Into a new meter wallet, the money goes as its first recharge. */
	return pp__post_money(db, &p, new->wallet && balance ? new->id : 0,
	    &id[1]);
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

int
pp_meter_swap(pp_db *db, const struct pp_swap_req *req, pp_entry out[2],
    int *n)
{
	struct swap_meter old, new;
	struct pp__values v;
	struct pp__account a;
	int64_t final, balance, id[2], shown;
	int rc;

	*n = 0;
	if ((rc = swap_meters(db, req, &old, &new)) != PP_OK ||
	    (rc = swap_final(db, req, &old, &v, &final, &balance)) != PP_OK)
		return rc;
	/* The reading keeps what the meter showed; the transfer adds more. */
	shown = balance;
	if ((rc = pp__tx_begin(db)) != PP_OK)
		return rc;
	if (old.wallet && (rc = move_waiting(db, req, &old, &v, &balance)) !=
	    PP_OK)
		goto fail;
	/* The last counter, as a manual reading: its interval counts. */
	if ((rc = pp__reading_store(db, old.id, PP_READ_NOW, final,
	    old.wallet ? shown : INT64_MIN)) != PP_OK ||
	    (rc = pp__account_get_id(db, old.account_id, &a)) != PP_OK ||
	    (rc = transfer(db, req, a.id, &old, &new, balance, id)) != PP_OK ||
	    (rc = reattach(db, a.id, old.id, new.id)) != PP_OK ||
	    (rc = pp__entry_load(db, id[0], &out[0])) != PP_OK ||
	    (rc = pp__entry_load(db, id[1], &out[1])) != PP_OK)
		goto fail;
	*n = 2;
	return pp__tx_commit(db);
fail:
	pp__tx_rollback(db);
	return rc;
}
