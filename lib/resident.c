/*
 * resident.c: what the resident's pages show of an account (doc/design.md,
 * "Residents"): its balance as report accounts has it and the reading it
 * is as of, its meters with their switches, its use by day or half hour
 * shared out as the usage report shares it, its ledger and its receipts.
 * The caller has checked that the session bound the account.
 */
#include <stdlib.h>
#include <string.h>

#include "html.h"

static int
meters_get(pp_db *db, struct pp__resident *r)
{
	pp__st *st;
	struct pp__res_meter *m;
	int rc;

	/* A closed account shows the meters it had when it closed. */
	if ((st = pp__stmt(db, "SELECT m.meter, m.room, coalesce(m.relay, ''), "
	    "m.state, m.billing = 'meter', m.meter_balance, "
	    PP__READING_FIRST("r.time", "m.id", PP__READING_GOOD, "DESC") ", "
	    PP__READING_FIRST("r.energy_wh", "m.id", PP__READING_GOOD, "DESC")
	    " FROM account_meters "
	    "am JOIN accounts a ON a.id = am.account_id JOIN meters m ON "
	    "m.id = am.meter_id WHERE am.account_id = ? AND (am.detached IS "
	    "NULL OR am.detached = a.closed) GROUP BY m.id ORDER BY "
	    "min(am.rowid)")) == NULL)
		return PP_EINTERNAL;
	pp__bind_int64(st, 1, r->id);
	while ((rc = pp__step(st)) == PP__ROW &&
	    r->nmeters < PP_RES_METERS) {
		m = &r->meters[r->nmeters++];
		pp__col_text(st, 0, m->meter, sizeof(m->meter));
		pp__col_text(st, 1, m->room, sizeof(m->room));
		pp__col_text(st, 2, m->relay, sizeof(m->relay));
		pp__col_text(st, 3, m->state, sizeof(m->state));
		m->wallet = pp__col_int(st, 4);
		m->has_balance = !pp__col_null(st, 5);
		m->meter_balance = pp__col_int64(st, 5);
		m->reading_time = pp__col_int64(st, 6);
		m->energy_wh = pp__col_int64(st, 7);
		if (m->reading_time > r->as_of)
			r->as_of = m->reading_time;
	}
	pp__reset(st);
	return rc == PP__DONE || rc == PP__ROW ? PP_OK :
	    pp__sqlfail(db, "meters");
}

int
pp__resident_get(pp_db *db, const char *account, struct pp__resident *r)
{
	struct pp__account a;
	int rc;

	memset(r, 0, sizeof(*r));
	if ((rc = pp__account_get(db, account, &a)) != PP_OK)
		return rc;
	r->id = a.id;
	snprintf(r->account, sizeof(r->account), "%s", a.account);
	snprintf(r->name, sizeof(r->name), "%s", a.name);
	r->open = a.open;
	r->balance = a.balance;
	return meters_get(db, r);
}

/* The index of the first bucket ending after t, n when none does. */
static long
first_after(const struct pp__bucket *b, long n, int64_t t)
{
	long k;

	for (k = 0; k < n && b[k].end <= t; k++)
		;
	return k;
}

/*
 * A meter's share over buckets, to the second it was attached and
 * detached: the first and last buckets narrowed while it is shared, so
 * that a tenant's day shows nothing of the one before.
 */
static int
share_while(pp_db *db, int64_t meter_id, enum pp__unit unit,
    struct pp__bucket *b, long n, int64_t attached, int64_t detached)
{
	int64_t start = b[0].start, end = b[n - 1].end;
	int rc;

	if (attached > start)
		b[0].start = attached;
	if (detached < end)
		b[n - 1].end = detached;
	rc = pp__usage_share(db, meter_id, unit, b, n);
	b[0].start = start;
	b[n - 1].end = end;
	return rc;
}

int
pp__resident_use(pp_db *db, int64_t account_id, int64_t from, int64_t to,
    enum pp__unit unit, struct pp__bucket **bp, long *np)
{
	struct pp__bucket *b;
	pp__st *st;
	int64_t meter_id, attached, detached;
	long n, lo, hi;
	int rc;

	if ((rc = pp__usage_buckets(db, from, to, unit, &b, &n)) != PP_OK)
		return rc;
	/*
	 * Each meter over the buckets it was the account's in: a meter
	 * swapped in shows nothing of the one before.
	 */
	if ((st = pp__stmt(db, "SELECT meter_id, attached, coalesce(detached, "
	    "?2) FROM account_meters WHERE account_id = ?1 AND attached < ?2 "
	    "AND (detached IS NULL OR detached > ?3) ORDER BY rowid")) == NULL) {
		free(b);
		return PP_EINTERNAL;
	}
	pp__bind_int64(st, 1, account_id);
	pp__bind_int64(st, 2, n ? b[n - 1].end : to);
	pp__bind_int64(st, 3, n ? b[0].start : from);
	rc = PP_OK;
	while (rc == PP_OK && pp__step(st) == PP__ROW) {
		meter_id = pp__col_int64(st, 0);
		attached = pp__col_int64(st, 1);
		detached = pp__col_int64(st, 2);
		lo = first_after(b, n, attached);
		hi = first_after(b, n, detached);
		if (hi < n && b[hi].start < detached)
			hi++;
		if (lo < hi)
			rc = share_while(db, meter_id, unit, b + lo, hi - lo,
			    attached, detached);
	}
	pp__reset(st);
	if (rc != PP_OK) {
		free(b);
		return rc;
	}
	*bp = b;
	*np = n;
	return PP_OK;
}

int
pp__resident_ledger(pp_db *db, int64_t account_id, size_t max, int64_t **ids,
    size_t *np)
{
	pp__st *st;
	int64_t *v = NULL;
	size_t cap = 0, n = 0;
	int rc;

	if ((st = pp__stmt(db, "SELECT id FROM ledger WHERE account_id = ? "
	    "ORDER BY id DESC LIMIT ?")) == NULL)
		return pp__errcode(db);
	pp__bind_int64(st, 1, account_id);
	pp__bind_int64(st, 2, (int64_t)max);
	while ((rc = pp__step(st)) == PP__ROW) {
		if (pp_grow(&v, &cap, n + 1, sizeof(*v)) != PP_OK) {
			pp__reset(st);
			free(v);
			return pp__fail(db, PP_EINTERNAL, "out of memory");
		}
		v[n++] = pp__col_int64(st, 0);
	}
	pp__reset(st);
	if (rc != PP__DONE) {
		free(v);
		return pp__sqlfail(db, "ledger");
	}
	*ids = v;
	*np = n;
	return PP_OK;
}

int
pp__resident_receipt(pp_db *db, int64_t account_id, const char *serial,
    pp_entry *e)
{
	int64_t id;
	int rc;

	if ((rc = pp__query_int(db, &id, "SELECT id FROM ledger WHERE "
	    "serial = ? AND account_id = ?", "ti", serial, account_id)) !=
	    PP_OK)
		return rc;
	return pp__entry_load(db, id, e);
}
