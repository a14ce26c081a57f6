/*
 * tariff.c: tariffs (flat, time-of-use, tiered, or a mix) checked and
 * stored in versions with the time they take effect.  A changed tariff is
 * a new version; energy already used keeps the price it had.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"

/* One canonical text per tariff, so that equal specs compare equal. */
static char *
spec_text(const struct pp__tariff_spec *t)
{
	char *s = NULL, *next;
	int i;

	if (asprintf(&s, "price=%lld;period=%s", (long long)t->price,
	    t->period) < 0)
		return NULL;
	for (i = 0; i < t->nwin; i++) {
		if (asprintf(&next, "%s;win=%s@%d-%d:%lld", s, t->win[i].name,
		    t->win[i].from, t->win[i].to, (long long)t->win[i].price) < 0)
			next = NULL;
		free(s);
		if ((s = next) == NULL)
			return NULL;
	}
	for (i = 0; i < t->nstep; i++) {
		if (asprintf(&next, "%s;step=%lld:%lld", s,
		    (long long)t->step[i].upto_wh, (long long)t->step[i].add) < 0)
			next = NULL;
		free(s);
		if ((s = next) == NULL)
			return NULL;
	}
	return s;
}

int
pp__tariff_store(pp_db *db, const char *name, const struct pp__tariff_spec *t,
    int *changed)
{
	pp__st *st;
	char *spec, latest[2048] = "";
	int64_t tariff_id, version_id, now = pp_now(), last_effective = 0;
	int rc, i;

	*changed = 0;
	if ((spec = spec_text(t)) == NULL)
		return pp__fail(db, PP_EINTERNAL, "out of memory");
	rc = pp__query_int(db, &tariff_id,
	    "INSERT INTO tariffs(name) VALUES (?)"
	    " ON CONFLICT(name) DO UPDATE SET name = tariffs.name RETURNING id",
	    "t",
	    name);
	if (rc != PP_OK)
		goto out;
	if ((st = pp__stmt(db, "SELECT spec, effective FROM tariff_versions "
	    "WHERE tariff_id = ? ORDER BY effective DESC LIMIT 1")) == NULL) {
		rc = pp__errcode(db);
		goto out;
	}
	pp__bind_int64(st, 1, tariff_id);
	if (pp__step(st) == PP__ROW) {
		pp__col_text(st, 0, latest, sizeof(latest));
		last_effective = pp__col_int64(st, 1);
	}
	pp__reset(st);
	if (strcmp(latest, spec) == 0)
		goto out;
	/* Two loads in one second: the later version still comes later. */
	if (now <= last_effective)
		now = last_effective + 1;
	if ((rc = pp__query_int(db, &version_id, "INSERT INTO tariff_versions("
	    "tariff_id, effective, price, tier_period, spec) VALUES (?, ?, "
	    "nullif(?, -1), nullif(?, ''), ?) RETURNING id", "iiitt",
	    tariff_id, now, t->price, t->period, spec)) != PP_OK)
		goto out;
	for (i = 0; i < t->nwin && rc == PP_OK; i++)
		rc = pp__exec(db, "INSERT INTO tariff_windows(version_id, seq, "
		    "name, start_min, end_min, price) VALUES (?, ?, ?, ?, ?, ?)",
		    "iitiii", version_id, (int64_t)i, t->win[i].name,
		    (int64_t)t->win[i].from, (int64_t)t->win[i].to,
		    t->win[i].price);
	for (i = 0; i < t->nstep && rc == PP_OK; i++)
		rc = pp__exec(db, "INSERT INTO tariff_steps(version_id, seq, "
		    "upto_wh, add_price) VALUES (?, ?, nullif(?, -1), ?)", "iiii",
		    version_id, (int64_t)i, t->step[i].upto_wh, t->step[i].add);
	*changed = rc == PP_OK;
out:
	free(spec);
	return rc;
}

/* A tier period, "month" or "year", as a unit of the calendar (time.c). */
static enum pp__unit
period_unit(const char *period)
{
	return strcmp(period, "year") == 0 ? PP_YEAR : PP_MONTH;
}

int64_t
pp__period_start(const char *period, int64_t t)
{
	return pp__unit_start(t, period_unit(period));
}

/* The window holding t, and when it ends. */
static int
window_at(const struct pp__tariff_spec *s, int64_t t, int64_t *ends)
{
	int i, m, from = 0, to = 0, left;

	m = pp__clock_minutes(t);
	for (i = 0; i < s->nwin; i++) {
		from = s->win[i].from;
		to = s->win[i].to;
		if (from < to ? (m >= from && m < to) : (m >= from || m < to))
			break;
	}
	if (i == s->nwin)
		return -1;
	/* Minutes from this minute's start to the window's end. */
	left = (to - m + 1440) % 1440;
	if (left == 0)
		left = 1440;
	*ends = pp__day_at(t, 0, m + left);
	return i;
}

/* Add a priced piece, merging it with one of the same window and tier. */
static int
add_part(struct pp__charge *c, const char *window, int tier, int64_t wh,
    int64_t price)
{
	int i;

	c->wh += wh;
	c->cost_e7 += wh * price;
	for (i = 0; i < c->nparts; i++)
		if (c->part[i].tier == tier && c->part[i].price == price &&
		    strcmp(c->part[i].window, window) == 0) {
			c->part[i].wh += wh;
			c->part[i].cost_e7 += wh * price;
			return PP_OK;
		}
	if (c->nparts == PP_MAXPARTS)
		return PP_EINTERNAL;
	snprintf(c->part[i].window, sizeof(c->part[i].window), "%s", window);
	c->part[i].tier = tier;
	c->part[i].wh = wh;
	c->part[i].price = price;
	c->part[i].cost_e7 = wh * price;
	c->nparts++;
	return PP_OK;
}

/* Price wh at one base price, split at the tier thresholds. */
static int
price_tiers(const struct pp__tariff_spec *s, const char *window, int64_t base,
    int64_t wh, int64_t *used, struct pp__charge *c)
{
	int64_t take;
	int i, rc;

	if (s->nstep == 0)
		return add_part(c, window, 0, wh, base);
	for (i = 0; wh > 0 && i < s->nstep; i++) {
		if (s->step[i].upto_wh >= 0 && *used >= s->step[i].upto_wh)
			continue;
		take = s->step[i].upto_wh < 0 ? wh :
		    s->step[i].upto_wh - *used < wh ?
		    s->step[i].upto_wh - *used : wh;
		if ((rc = add_part(c, window, i + 1, take, base +
		    s->step[i].add)) != PP_OK)
			return rc;
		*used += take;
		wh -= take;
	}
	return PP_OK;
}

int
pp__tariff_price(const struct pp__tariff_version *v, int nv, int64_t from,
    int64_t to, int64_t wh, int64_t used_before, struct pp__charge *out)
{
	const struct pp__tariff_spec *s;
	int64_t t, end, next, used = used_before, given = 0, share;
	int64_t period_end = INT64_MAX;
	int k, w, rc;

	memset(out, 0, sizeof(*out));
	if (nv == 0 || v[0].effective > from || wh < 0)
		return PP_EDATA;
	if (to < from)
		to = from;
	for (t = from;; t = end) {
		for (k = nv - 1; k > 0 && v[k].effective > t; k--)
			;
		s = &v[k].spec;
		end = to;
		if (k + 1 < nv && v[k + 1].effective < end)
			end = v[k + 1].effective;
		w = -1;
		if (s->nwin > 0 && (w = window_at(s, t, &next)) >= 0 &&
		    next < end)
			end = next;
		if (s->nstep > 0) {
			period_end = pp__unit_next(t, period_unit(s->period));
			if (period_end < end)
				end = period_end;
		}
		if (end <= t)
			end = to;
		/* This piece's share of the energy; the last takes the rest. */
		share = (end >= to ? wh : pp__apportion(wh, from, to, end)) -
		    given;
		given += share;
		rc = price_tiers(s, w >= 0 ? s->win[w].name : "", w >= 0 ?
		    s->win[w].price : s->price, share, &used, out);
		if (rc != PP_OK)
			return rc;
		if (end >= to)
			return PP_OK;
		/* A new tier period starts with nothing used. */
		if (s->nstep > 0 && end == period_end)
			used = 0;
	}
}

int
pp__tariff_price_rates(const struct pp__tariff_version *v, int nv, int64_t from,
    int64_t to, int64_t total, const char *const *window, const int64_t *wh,
    int nrates, int64_t used_before, struct pp__charge *out)
{
	const struct pp__tariff_spec *s;
	struct pp__charge rest;
	int64_t used = used_before, counted = 0, given, seen = 0;
	int i, w, k, rc;

	memset(out, 0, sizeof(*out));
	if (nv == 0 || v[0].effective > from)
		return PP_EDATA;
	for (k = nv - 1; k > 0 && v[k].effective > from; k--)
		;
	/* One version, one tier period: else time decides. */
	if ((k + 1 < nv && v[k + 1].effective < to) ||
	    (v[k].spec.nstep > 0 && pp__unit_next(from,
	    period_unit(v[k].spec.period)) < to))
		return PP_EDATA;
	s = &v[k].spec;
	for (i = 0; i < nrates; i++) {
		if (wh[i] < 0)
			return PP_EDATA;
		for (w = 0; w < s->nwin && strcmp(s->win[w].name, window[i]);
		    w++)
			;
		if (w < s->nwin)
			counted += wh[i];
	}
	if (counted == 0)
		return PP_EDATA;
	/*
	 * Rate counters round on their own: when they add up to more than
	 * the total, the total is shared in their proportions.
	 */
	for (i = 0, given = 0; i < nrates; i++) {
		int64_t share = wh[i];

		for (w = 0; w < s->nwin && strcmp(s->win[w].name, window[i]);
		    w++)
			;
		if (w == s->nwin)
			continue;
		if (counted > total) {
			seen += wh[i];
			share = pp__apportion(total, 0, counted, seen) - given;
		}
		given += share;
		if ((rc = price_tiers(s, s->win[w].name, s->win[w].price, share,
		    &used, out)) != PP_OK)
			return rc;
	}
	counted = given;
	/* What the rate registers do not account for is shared by time. */
	if (total > counted) {
		if ((rc = pp__tariff_price(v, nv, from, to, total - counted,
		    used,
		    &rest)) != PP_OK)
			return rc;
		for (i = 0; i < rest.nparts; i++)
			if ((rc = add_part(out, rest.part[i].window,
			    rest.part[i].tier, rest.part[i].wh,
			    rest.part[i].price)) != PP_OK)
				return rc;
	}
	return PP_OK;
}

/* One stored version, with its windows and steps. */
static int
load_version(pp_db *db, int64_t version_id, struct pp__tariff_version *v)
{
	pp__st *st;
	int rc;

	if ((st = pp__stmt(db, "SELECT name, start_min, end_min, price FROM "
	    "tariff_windows WHERE version_id = ? ORDER BY seq")) == NULL)
		return pp__errcode(db);
	pp__bind_int64(st, 1, version_id);
	while ((rc = pp__step(st)) == PP__ROW &&
	    v->spec.nwin < PP_TARIFF_MAXWIN) {
		int i = v->spec.nwin++;

		pp__col_text(st, 0, v->spec.win[i].name,
		    sizeof(v->spec.win[i].name));
		v->spec.win[i].from = pp__col_int(st, 1);
		v->spec.win[i].to = pp__col_int(st, 2);
		v->spec.win[i].price = pp__col_int64(st, 3);
	}
	pp__reset(st);
	if ((st = pp__stmt(db, "SELECT coalesce(upto_wh, -1), add_price FROM "
	    "tariff_steps WHERE version_id = ? ORDER BY seq")) == NULL)
		return pp__errcode(db);
	pp__bind_int64(st, 1, version_id);
	while ((rc = pp__step(st)) == PP__ROW &&
	    v->spec.nstep < PP_TARIFF_MAXSTEP) {
		int i = v->spec.nstep++;

		v->spec.step[i].upto_wh = pp__col_int64(st, 0);
		v->spec.step[i].add = pp__col_int64(st, 1);
	}
	pp__reset(st);
	return PP_OK;
}

int
pp__tariff_of_meter(pp_db *db, int64_t meter_id, struct pp__tariff_version **v,
    int *n)
{
	pp__st *st;
	int64_t own = -1, tariff = 0;

	if ((st = pp__stmt(db,
	    "SELECT coalesce(price, -1), coalesce(tariff_id, "
	    "0) FROM meters WHERE id = ?")) == NULL)
		return pp__errcode(db);
	pp__bind_int64(st, 1, meter_id);
	if (pp__step(st) == PP__ROW) {
		own = pp__col_int64(st, 0);
		tariff = pp__col_int64(st, 1);
	}
	pp__reset(st);
	return pp__tariff_load(db, own, tariff, v, n);
}

/*
 * The versions that price a meter whose own price is own (-1: none) and
 * whose tariff is tariff (0: none): the meter's price, else its tariff's
 * versions, else the site's price, else none.
 */
int
pp__tariff_load(pp_db *db, int64_t own, int64_t tariff,
    struct pp__tariff_version **v, int *n)
{
	pp__st *st;
	int64_t ids[64];
	size_t cap = 0;
	int rc, k, count = 0;

	*v = NULL;
	*n = 0;
	if (own < 0 && tariff == 0)
		own = pp__setting_int(db, "price", -1);
	if (own >= 0 || tariff == 0) {
		/* One flat price for all time: the meter's, or the site's. */
		if (own < 0)
			return PP_OK;
		if (pp_grow(v, &cap, 1, sizeof(**v)) != PP_OK)
			return pp__fail(db, PP_EINTERNAL, "out of memory");
		memset(*v, 0, sizeof(**v));
		(*v)[0].effective = INT64_MIN / 2;
		(*v)[0].spec.price = own;
		*n = 1;
		return PP_OK;
	}
	if ((st = pp__stmt(db, "SELECT id, effective, coalesce(price, -1), "
	    "coalesce(tier_period, '') FROM tariff_versions WHERE tariff_id = ? "
	    "ORDER BY effective")) == NULL)
		return pp__errcode(db);
	pp__bind_int64(st, 1, tariff);
	while ((rc = pp__step(st)) == PP__ROW && count < 64) {
		if (pp_grow(v, &cap, (size_t)count + 1, sizeof(**v)) != PP_OK) {
			pp__reset(st);
			return pp__fail(db, PP_EINTERNAL, "out of memory");
		}
		memset(&(*v)[count], 0, sizeof(**v));
		ids[count] = pp__col_int64(st, 0);
		(*v)[count].effective = pp__col_int64(st, 1);
		(*v)[count].spec.price = pp__col_int64(st, 2);
		pp__col_text(st, 3, (*v)[count].spec.period,
		    sizeof((*v)[count].spec.period));
		count++;
	}
	pp__reset(st);
	/* The first version prices what came before it, too. */
	if (count > 0)
		(*v)[0].effective = INT64_MIN / 2;
	for (k = 0; k < count; k++)
		if ((rc = load_version(db, ids[k], &(*v)[k])) != PP_OK)
			return rc;
	*n = count;
	return PP_OK;
}
