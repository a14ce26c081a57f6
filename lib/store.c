/*
 * store.c: the readings store.  What a poll or a hand reading brings is
 * checked against the meter's last counter, stored, rolled up by day and
 * priced, with the meter's state, in the caller's transaction (or the
 * bus's own).  A counter that runs backwards or jumps further than the
 * meter's load limit allows is stored flagged and never counts.
 * Its writes go with pp__exec_later: on a server a reading's are sent
 * together (doc/design.md, "Engines").
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "field.h"
#include "store.h"

/* How an account-billed meter's energy is priced; none for the rest. */
struct pricing {
	int64_t				 account_id;	/* 0: not charged */
	struct pp__tariff_version	*v;
	int				 nv;
	int				 owned;	/* v is ours to free */
	int64_t				 used;	/* in the tier period so far */
	int64_t				 cost_e7;
	/* What the meter's rate registers counted over the interval. */
	int				 nrates;
	const char			*window[2];
	int64_t				 rate_wh[2];
};

/*
 * The readings a meter the small table reading_recent holds, on average,
 * before the store folds it into reading_rows (doc/design.md, "The
 * store"): each fold writes a meter's page of reading_rows once for this
 * many readings, and a meter's rows in the small table stay this few.
 */
#define FOLD_AT	8

/*
 * A local day: [start, end) and its name.  A poll's readings fall in one
 * or two days, so the store keeps the last one for the transaction rather
 * than ask the zone rules twice a reading.
 */
struct day {
	int64_t	start, end;
	char	name[PP_TIMEBUF];
};

/* d made the local day holding t, unless it is already. */
static void
day_of(struct day *d, int64_t t)
{
	if (d->end != 0 && t >= d->start && t < d->end)
		return;
	d->start = pp__unit_start(t, PP_DAY);
	d->end = pp__unit_next(t, PP_DAY);
	pp__day_format(t, d->name);
}

/*
 * What a storing transaction keeps (the handle's txdata, gone when the
 * transaction ends): the tariffs it has priced with, by the meter's own
 * price and tariff (a poll's meters share a few, and nothing in a storing
 * transaction changes them); once counted, the rows of reading_recent and
 * how many make a fold; and the last local day it stored in.
 */
struct store_memo {
	struct {
		int64_t				 own, tariff;
		struct pp__tariff_version	*v;
		int				 nv;
	}		*m;
	size_t		 n, cap;
	int		 counted;
	int64_t		 recent, fold_at;
	struct day	 day;
};

static void
memo_free(void *p)
{
	struct store_memo *memo = p;
	size_t i;

	for (i = 0; i < memo->n; i++)
		free(memo->m[i].v);
	free(memo->m);
	free(memo);
}

/* The transaction's memo; NULL outside a transaction, or another's. */
static struct store_memo *
memo_of(pp_db *db)
{
	struct store_memo *memo;

	if (db->txfree == memo_free)
		return db->txdata;
	if (!db->in_tx || db->txfree != NULL ||
	    (memo = calloc(1, sizeof(*memo))) == NULL)
		return NULL;
	db->txdata = memo;
	db->txfree = memo_free;
	return memo;
}

/* The transaction's last day, or none, emptied, outside a transaction. */
static struct day *
memo_day(pp_db *db, struct day *none)
{
	struct store_memo *memo = memo_of(db);

	memset(none, 0, sizeof(*none));
	return memo ? &memo->day : none;
}

static int
tariff_of(pp_db *db, int64_t own, int64_t tariff, struct pricing *pr)
{
	struct store_memo *memo;
	size_t i;
	int rc;

	if ((memo = memo_of(db)) == NULL) {
		/* Load and free. */
		pr->owned = 1;
		return pp__tariff_load(db, own, tariff, &pr->v, &pr->nv);
	}
	for (i = 0; i < memo->n; i++)
		if (memo->m[i].own == own && memo->m[i].tariff == tariff)
			break;
	if (i == memo->n) {
		if (pp_grow(&memo->m, &memo->cap, memo->n + 1,
		    sizeof(*memo->m)) != PP_OK)
			return pp__fail(db, PP_EINTERNAL, "out of memory");
		memo->m[i].own = own;
		memo->m[i].tariff = tariff;
		if ((rc = pp__tariff_load(db, own, tariff, &memo->m[i].v,
		    &memo->m[i].nv)) != PP_OK) {
			free(memo->m[i].v);
			return rc;
		}
		memo->n++;
	}
	pr->v = memo->m[i].v;
	pr->nv = memo->m[i].nv;
	return PP_OK;
}

static int
pricing_of(pp_db *db, const struct target *t, struct pricing *pr)
{
	char day[PP_TIMEBUF];
	pp__st *st;
	int64_t start, own = -1, tariff = 0, from = t->reading_time;
	int rc, k;

	memset(pr, 0, sizeof(*pr));
	/*
	 * The open account that held the meter when it was read pays, at
	 * the meter's own price or tariff.
	 */
	if ((st = pp__stmt(db, "SELECT coalesce(m.price, -1), "
	    "coalesce(m.tariff_id, 0), (SELECT am.account_id FROM "
	    "account_meters am JOIN accounts a ON a.id = am.account_id WHERE "
	    "am.meter_id = m.id AND a.state = 'open' AND am.attached <= ?2 "
	    "AND (am.detached IS NULL OR am.detached >= ?2) ORDER BY am.rowid "
	    "DESC LIMIT 1) FROM meters m WHERE m.id = ?1 AND m.billing = "
	    "'account'")) == NULL)
		return PP_EINTERNAL;
	pp__bind_int64(st, 1, t->id);
	pp__bind_int64(st, 2, t->time);
	if ((rc = pp__step(st)) == PP__ROW) {
		own = pp__col_int64(st, 0);
		tariff = pp__col_int64(st, 1);
		pr->account_id = pp__col_int64(st, 2);
	}
	pp__reset(st);
	if (rc != PP__ROW && rc != PP__DONE)
		return pp__sqlfail(db, "meters");
	if (pr->account_id == 0)
		return PP_OK;
	if ((rc = tariff_of(db, own, tariff, pr)) != PP_OK)
		return rc;
	if (pr->nv == 0) {
		pr->account_id = 0;
		return PP_OK;
	}
	/* Tiers count the account's energy since its period began. */
	for (k = pr->nv - 1; k > 0 && pr->v[k].effective > from; k--)
		;
	if (pr->v[k].spec.nstep > 0) {
		start = pp__period_start(pr->v[k].spec.period, from);
		pp__day_format(start, day);
		rc = pp__query_int(db, &pr->used, "SELECT coalesce(sum("
		    "d.energy_wh), 0) FROM daily d JOIN meters m ON m.id = "
		    "d.meter_id WHERE m.account_id = ? AND d.day >= ?", "it",
		    pr->account_id, day);
	}
	return rc;
}

/* Price one day's share and keep its parts, unless day is NULL. */
static int
charge_day(pp_db *db, int64_t meter_id, const char *day, int64_t from,
    int64_t to, int64_t wh, struct pricing *pr, int64_t *cost)
{
	struct pp__charge c;
	int rc, i;

	*cost = 0;
	if (pr->account_id == 0)
		return PP_OK;
	/*
	 * The meter's own peak and valley counters beat sharing by time,
	 * when the interval stays within the day.
	 */
	rc = PP_EDATA;
	if (pr->nrates > 0)
		rc = pp__tariff_price_rates(pr->v, pr->nv, from, to, wh,
		    pr->window, pr->rate_wh, pr->nrates, pr->used, &c);
	if (rc != PP_OK && (rc = pp__tariff_price(pr->v, pr->nv, from, to, wh,
	    pr->used, &c)) != PP_OK)
		return pp__fail(db, rc, "energy the tariff cannot price");
	pr->used += wh;
	pr->cost_e7 += c.cost_e7;
	*cost = c.cost_e7;
	for (i = 0; day != NULL && i < c.nparts; i++)
		if ((rc = pp__exec_later(db, "INSERT INTO daily_parts(meter_id, day, "
		    "\"window\", tier, price, energy_wh, cost_e7) VALUES (?, ?, "
		    "?, ?, ?, ?, ?) ON CONFLICT(meter_id, day, \"window\", tier, "
		    "price) DO "
		    "UPDATE SET energy_wh = daily_parts.energy_wh + "
		    "excluded.energy_wh, cost_e7 = daily_parts.cost_e7 + "
		    "excluded.cost_e7", "ittiiii", meter_id,
		    day, c.part[i].window, (int64_t)c.part[i].tier,
		    c.part[i].price, c.part[i].wh, c.part[i].cost_e7)) != PP_OK)
			return rc;
	return PP_OK;
}

/*
 * A reading that ends the day's share, as its counter at the day's end
 * (migration 25), or none (time INT64_MIN).
 */
struct day_end {
	int64_t	time, wh;
};

/*
 * Add a day's share to the daily roll-up, and to the monthly one, which
 * counts the meter's days of the month (migration 23; doc/design.md, "The
 * store"); and the reading that ends it, if it ends the day so far.
 */
static int
roll_day(pp_db *db, int64_t meter_id, const char *day, int64_t wh,
    int64_t cost, const struct day_end *end)
{
	int rc;

	/* The month first: it counts the day if the day is new. */
	if ((rc = pp__exec_later(db, "INSERT INTO monthly VALUES (substr(?1, "
	    "1, 7), ?2, CASE WHEN EXISTS (SELECT 1 FROM daily WHERE day = ?1 "
	    "AND meter_id = ?2) THEN 0 ELSE 1 END, ?3, ?4) ON CONFLICT(month, "
	    "meter_id) DO UPDATE SET days = monthly.days + excluded.days, "
	    "energy_wh = monthly.energy_wh + excluded.energy_wh, cost_e7 = "
	    "monthly.cost_e7 + excluded.cost_e7", "tiii", day, meter_id, wh,
	    cost)) != PP_OK)
		return rc;
	return pp__exec_later(db, "INSERT INTO daily(meter_id, day, energy_wh, "
	    "cost_e7, last_time, last_wh) VALUES (?1, ?2, ?3, ?4, nullif(?5, "
	    "?7), CASE ?5 WHEN ?7 THEN NULL ELSE ?6 END) ON CONFLICT(day, "
	    "meter_id) DO UPDATE SET energy_wh = daily.energy_wh + "
	    "excluded.energy_wh, cost_e7 = daily.cost_e7 + excluded.cost_e7, "
	    "last_time = CASE ?5 WHEN ?7 THEN daily.last_time ELSE ?5 END, "
	    "last_wh = CASE ?5 WHEN ?7 THEN daily.last_wh ELSE ?6 END",
	    "itiiiii", meter_id, day, wh, cost, end->time, end->wh,
	    (int64_t)INT64_MIN);
}

/*
 * Add energy used over [from, to] to the days it fell in, by time, priced
 * when the meter is billed to an account, the reading at to (last) ending
 * the last day when to is in it; unless last is NULL: then each day is
 * only priced, on a copy of pr, to see that every one can be.
 */
static int
roll_days(pp_db *db, struct day *d, int64_t meter_id, int64_t from,
    int64_t to, int64_t wh, struct pricing *pr, const struct day_end *last)
{
	static const struct day_end none = { INT64_MIN, 0 };
	int write = last != NULL;
	struct pricing dry;
	int64_t at, end, share, cost;
	int rc;

	if (!write) {
		dry = *pr;
		pr = &dry;
	}
	for (at = from; ; at = end) {
		day_of(d, at);
		end = d->end;
		share = pp__apportion(wh, from, to, end) -
		    pp__apportion(wh, from, to, at);
		if (!write) {
			if ((rc = charge_day(db, meter_id, NULL, at, end < to ?
			    end : to, share, pr, &cost)) != PP_OK)
				return rc;
		} else if ((rc = charge_day(db, meter_id, d->name, at,
		    end < to ? end : to, share, pr, &cost)) != PP_OK ||
		    (rc = roll_day(db, meter_id, d->name, share, cost,
		    end >= to && at < to ? last : &none)) != PP_OK)
			return rc;
		if (end >= to)
			return PP_OK;
	}
}

/*
 * A good reading is its day's counter at the end so far (migration 25),
 * the day's end included: the meter's good readings come in time order
 * (store_reading), so the last stored is the last.  On the day's row when
 * the meter has one; a row made later in the day is given the reading
 * that made it.  A charged reading's roll-up keeps it with the day's
 * share (roll_days), or here when its interval is empty (roll_up).
 */
static int
keep_day_end(pp_db *db, int64_t meter_id, int64_t t, int64_t wh)
{
	struct day none, *d = memo_day(db, &none);

	day_of(d, t - 1);
	return pp__exec_later(db, "UPDATE daily SET last_time = ?, last_wh = ? "
	    "WHERE day = ? AND meter_id = ?", "iiti", t, wh, d->name,
	    meter_id);
}

/*
 * The same, in the transaction's last day (memo) when it has one, for
 * the reading of counter e at to.
 */
static int
roll_up(pp_db *db, int64_t meter_id, int64_t from, int64_t to, int64_t e,
    int64_t wh, struct pricing *pr)
{
	struct day none, *d = memo_day(db, &none);
	struct day_end last = { to, e };
	int rc;

	if (to <= from)
		from = to;
	day_of(d, from);
	if (d->end < to) {
		/* Rate counters cover the whole interval: no use across days. */
		pr->nrates = 0;
		/*
		 * Every day priced before the first is written: a reading
		 * is refused before it writes anything, so that an import
		 * needs no savepoint a row (lib/batch.c).
		 */
		if (pr->account_id && (rc = roll_days(db, d, meter_id, from,
		    to, wh, pr, NULL)) != PP_OK)
			return rc;
	}
	if ((rc = roll_days(db, d, meter_id, from, to, wh, pr, &last)) !=
	    PP_OK)
		return rc;
	/* An empty interval's day is to's, not the one it ends (roll_days). */
	return from < to ? PP_OK : keep_day_end(db, meter_id, to, e);
}

/*
 * The per-rate counters since the last good reading, where both have them.
 * Called before this reading is stored.
 */
static int
rate_deltas(pp_db *db, const struct target *t, struct pricing *pr)
{
	static const char *const names[2] = { "energy_peak_kwh",
	    "energy_valley_kwh" };
	static const char *const windows[2] = { "peak", "valley" };
	pp__st *st;
	int64_t now, before;
	int i, rc;

	if (!pp__values_get(&t->values, names[0], &now) &&
	    !pp__values_get(&t->values, names[1], &now))
		return PP_OK;
	if ((st = pp__stmt(db, "SELECT x.energy_peak_wh, x.energy_valley_wh "
	    "FROM " PP__READINGS_FIRST("?1", PP__READING_GOOD, "DESC") " r "
	    "LEFT JOIN reading_extras x ON x.meter_id = r.meter_id AND x.time "
	    "= r.time AND x.seq = r.seq ORDER BY r.time DESC, r.seq DESC LIMIT "
	    "1")) == NULL)
		return PP_EINTERNAL;
	pp__bind_int64(st, 1, t->id);
	if ((rc = pp__step(st)) == PP__ROW)
		for (i = 0; i < 2; i++) {
			if (pp__col_null(st, i) ||
			    !pp__values_get(&t->values, names[i], &now))
				continue;
			before = pp__col_int64(st, i);
			if (now < before)
				continue;
			pr->window[pr->nrates] = windows[i];
			pr->rate_wh[pr->nrates++] = now - before;
		}
	pp__reset(st);
	return rc == PP__ROW || rc == PP__DONE ? PP_OK :
	    pp__sqlfail(db, "readings");
}

/*
 * Price and roll up the energy counted since the meter's last reading,
 * and charge it to its account: the money follows the energy, in the same
 * transaction.
 */
static int
charge(pp_db *db, struct target *t, int64_t e, struct pricing *pr)
{
	int rc;

	if ((rc = pricing_of(db, t, pr)) ==
	    PP_OK && pr->account_id)
		rc = rate_deltas(db, t, pr);
	if (rc == PP_OK)
		rc = roll_up(db, t->id, t->reading_time, t->time, e,
		    e - t->energy_wh, pr);
	if (rc == PP_OK && pr->cost_e7)
		rc = pp__exec_later(db, "UPDATE accounts SET used_e7 = used_e7 + ? "
		    "WHERE id = ?", "ii", pr->cost_e7, pr->account_id);
	if (pr->owned)
		free(pr->v);
	pr->v = NULL;
	return rc;
}

/*
 * The reading's row, and its extras when the meter gave any (migration
 * 21; doc/design.md, "The store").  Its seq is its place among the
 * meter's readings of that second.
 */
static int
insert_reading(pp_db *db, const struct target *t, const char *source,
    int64_t e, const char *flag, const struct pricing *pr)
{
	static const char *const extras[6] = { "pf", "freq_hz", "balance",
	    "buy_count", "energy_peak_kwh", "energy_valley_kwh" };
	const struct pp__values *v = &t->values;
	int64_t x, status = 0;
	int i, rc;

	if (pp__values_get(v, "relay", &x))
		status = x == 0 ? 2 : 1;
	if (strcmp(source, "manual") == 0)
		status |= 4;
	if (flag != NULL)
		status |= strcmp(flag, "backwards") == 0 ? 8 : 16;
#define V(name) (pp__values_get(v, name, &x) ? x : INT64_MIN)
	/*
	 * A reading later than the meter's newest is the first of its
	 * second; else its place is looked up in both tables (migration
	 * 24).
	 */
	rc = pp__exec_later(db, "INSERT INTO reading_recent VALUES (?1, ?2, CASE WHEN "
	    "?2 > (SELECT newest_reading FROM meters WHERE id = ?1) THEN 0 ELSE "
	    "coalesce((SELECT max(s) + 1 FROM (SELECT max(seq) AS s FROM "
	    "reading_recent WHERE meter_id = ?1 AND time = ?2 UNION ALL SELECT "
	    "max(seq) FROM reading_rows WHERE meter_id = ?1 AND time = ?2) AS "
	    "t), 0) "
	    "END, "
	    "nullif(?3, ?9), nullif(?4, ?9), nullif(?5, ?9), "
	    "nullif(?6, ?9), ?7, CASE ?7 WHEN 0 THEN NULL ELSE ?8 END, ?10)",
	    "iiiiiiiiii", t->id, t->time, e, V("power_w"), V("voltage_v"),
	    V("current_a"), pr->cost_e7, pr->account_id, (int64_t)INT64_MIN,
	    status);
	for (i = 0; i < 6 && !pp__values_get(v, extras[i], &x); i++)
		;
	if (rc != PP_OK || i == 6)
		return rc;
	rc = pp__exec_later(db, "INSERT INTO reading_extras SELECT ?1, ?2, "
	    "max(seq), nullif(?3, ?9), nullif(?4, ?9), nullif(?5, ?9), "
	    "nullif(?6, ?9), nullif(?7, ?9), nullif(?8, ?9) FROM "
	    "reading_recent WHERE meter_id = ?1 AND time = ?2", "iiiiiiiii", t->id, t->time,
	    V("pf"), V("freq_hz"), V("balance"), V("buy_count"),
	    V("energy_peak_kwh"), V("energy_valley_kwh"), (int64_t)INT64_MIN);
#undef V
	return rc;
}

/*
 * Fold reading_recent into reading_rows once it holds more than FOLD_AT
 * readings a meter: in reading_rows' key order, so that each meter's last
 * page is written once for all its new readings, in the transaction that
 * stored the last of them (doc/design.md, "The store").  The count is
 * taken once a transaction and kept up in its memo.
 */
static int
fold_due(pp_db *db)
{
	struct store_memo *memo, none;
	int rc;

	if ((memo = memo_of(db)) == NULL) {
		memset(&none, 0, sizeof(none));
		memo = &none;
	}
	if (!memo->counted) {
		if ((rc = pp__query_int(db, &memo->recent, "SELECT count(*) "
		    "FROM reading_recent", "")) != PP_OK ||
		    (rc = pp__query_int(db, &memo->fold_at, "SELECT count(*) "
		    "FROM meters", "")) != PP_OK)
			return rc;
		memo->fold_at *= FOLD_AT;
		memo->counted = 1;
	} else
		memo->recent++;
	if (memo->recent <= memo->fold_at)
		return PP_OK;
	memo->recent = 0;
	if ((rc = pp__exec(db, "INSERT INTO reading_rows SELECT meter_id, "
	    "time, seq, energy_wh, power_w, voltage_dv, current_ma, cost_e7, "
	    "account_id, status FROM reading_recent ORDER BY meter_id, time, "
	    "seq", "")) != PP_OK)
		return rc;
	return pp__exec(db, "DELETE FROM reading_recent", "");
}

/*
 * Store one reading of a meter: the counter checks, the daily roll-up and
 * its charge, the reading row, and the meter's last counter.  Inside a
 * transaction.
 */
static int
store_reading(pp_db *db, struct target *t, const char *source)
{
	const struct pp__values *v = &t->values;
	struct pricing pr;
	int64_t e = 0, allowed, elapsed;
	const char *flag = NULL;
	int rc, has_e, charged;

	memset(&pr, 0, sizeof(pr));
	has_e = pp__values_get(v, "energy_kwh", &e);
	/*
	 * A meter's readings never go back in time, whatever the clock did:
	 * a poll after a step back is stamped with the last reading's time,
	 * so its interval is empty, never negative, and the energy counted
	 * in it beyond the slack below waits, flagged, for the next reading.
	 */
	if (t->has_energy && t->time < t->reading_time)
		t->time = t->reading_time;
	if (has_e && t->has_energy) {
		elapsed = t->time - t->reading_time;
		/* What the load limit allows, with room for a late poll. */
		allowed = t->overload_w > 0 ? t->overload_w * (elapsed > 0 ?
		    elapsed : 0) * 3 / 2 / 3600 + 100 : INT64_MAX;
		if (e < t->energy_wh)
			flag = "backwards";
		else if (e - t->energy_wh > allowed)
			flag = "jump";
	}
	charged = has_e && !flag && t->has_energy && e > t->energy_wh;
	if (charged && (rc = charge(db, t, e, &pr)) != PP_OK)
		return rc;
	if ((rc = insert_reading(db, t, source, has_e ? e : INT64_MIN, flag,
	    &pr)) != PP_OK || (rc = fold_due(db)) != PP_OK)
		return rc;
	if (!has_e || flag)
		return PP_OK;
	/* A charged reading's roll-up kept it (roll_up). */
	if (!charged && (rc = keep_day_end(db, t->id, t->time, e)) != PP_OK)
		return rc;
	return pp__exec_later(db, "UPDATE meters SET energy_wh = ?, reading_time = ? "
	    "WHERE id = ?", "iii", e, t->time, t->id);
}

/* The meter's state after this poll, and its consecutive failures. */
static int
store_state(pp_db *db, struct target *t, int64_t lost_after)
{
	int64_t x, power = INT64_MIN;
	const char *state;
	int rc;

	if (t->rc == PP_OK) {
		if (pp__values_get(&t->values, "power_w", &x))
			power = x;
		if ((rc = store_reading(db, t, "poll")) != PP_OK)
			return rc;
		snprintf(t->state, sizeof(t->state), "ok");
		t->fails = 0;
	} else {
		t->fails++;
		state = t->fails >= lost_after ? "lost" : t->fault ==
		    PP_FAULT_ERROR ? "error" : "timeout";
		snprintf(t->state, sizeof(t->state), "%s", state);
	}
	rc = pp__exec_later(db, "UPDATE meters SET state = ?1, fails = ?2, "
	    "state_since = CASE WHEN state = ?1 THEN state_since ELSE ?3 END, "
	    "last_seen = CASE ?4 WHEN 1 THEN ?3 ELSE last_seen END, "
	    "power_w = CASE ?4 WHEN 1 THEN nullif(?5, ?7) ELSE power_w END, "
	    "error = nullif(?6, '') WHERE id = ?8", "tiiiitii", t->state,
	    (int64_t)t->fails, t->time, (int64_t)(t->rc == PP_OK), power,
	    t->error, (int64_t)INT64_MIN, t->id);
	return rc;
}

/* Everything a bus learned, in one transaction. */
int
pp__store_bus(pp_db *db, struct bus_job *j)
{
	int64_t lost_after = pp__setting_int(db, "lost_after", 3);
	int rc, i, answered = 0;

	if ((rc = pp__readings_months(db)) != PP_OK ||
	    (rc = pp__tx_begin(db)) != PP_OK)
		return rc;
	for (i = 0; i < j->n && rc == PP_OK; i++) {
		rc = store_state(db, &j->t[i], lost_after);
		if (rc == PP_OK && j->t[i].rc == PP_OK) {
			answered++;
			rc = pp__meter_mirror(db, j->t[i].id,
			    &j->t[i].values);
		}
	}
	/*
	 * A gateway none of whose meters answers, lost_after polls in a
	 * row, is lost.
	 */
	if (rc == PP_OK)
		rc = pp__exec_later(db, "UPDATE gateways SET fails = CASE ?1 WHEN 1 "
		    "THEN 0 ELSE fails + 1 END WHERE id = ?2", "ii",
		    (int64_t)(answered || j->n == 0), j->gw.id);
	if (rc == PP_OK)
		rc = pp__exec_later(db,
		    "UPDATE gateways SET state = ?1, state_since = "
		    "CASE WHEN state = ?1 THEN state_since ELSE ?2 END "
		    "WHERE id = ?3", "tii", answered || j->n == 0 ? "ok" :
		    j->gw_fails + 1 >= lost_after ? "lost" : "timeout", pp_now(),
		    j->gw.id);
	if (rc != PP_OK) {
		pp__tx_rollback(db);
		return rc;
	}
	return pp__tx_commit(db);
}

int
pp__reading_store(pp_db *db, int64_t meter_id, int64_t time,
    int64_t energy_wh, int64_t balance)
{
	struct target t;
	pp__st *st;
	int rc;

	memset(&t, 0, sizeof(t));
	if ((st = pp__stmt(db, "SELECT m.meter, m.energy_wh, "
	    "coalesce(m.reading_time, 0), o.overload_w FROM meters m JOIN "
	    "meter_overloads o ON o.meter_id = m.id WHERE m.id = ?")) == NULL)
		return pp__errcode(db);
	pp__bind_int64(st, 1, meter_id);
	if ((rc = pp__step(st)) != PP__ROW) {
		pp__reset(st);
		return rc == PP__DONE ? pp__fail(db, PP_EDATA, "no such "
		    "meter") : pp__sqlfail(db, "meters");
	}
	t.id = meter_id;
	pp__col_text(st, 0, t.meter, sizeof(t.meter));
	t.has_energy = !pp__col_null(st, 1);
	t.energy_wh = pp__col_int64(st, 1);
	t.reading_time = pp__col_int64(st, 2);
	t.overload_w = pp__col_int64(st, 3);
	pp__reset(st);
	if (time == PP_READ_NOW)
		time = pp_now();
	else if (t.has_energy && time < t.reading_time)
		return pp__fail(db, PP_EDATA, "meter %s was read later already",
		    t.meter);
	t.time = time;
	pp__values_set(&t.values, "energy_kwh", energy_wh);
	if (balance != INT64_MIN)
		pp__values_set(&t.values, "balance", balance);
	/* Its writes' failure is this reading's, not the next one's. */
	if ((rc = store_reading(db, &t, "manual")) != PP_OK)
		return rc;
	return pp__flush(db);
}
