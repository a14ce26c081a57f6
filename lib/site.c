/*
 * site.c: a parsed site (siteparse.c) stored in the database, and bulk
 * meter import.  Storing is an idempotent upsert inside one transaction:
 * a bad file names its line and key and leaves the database as it was.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "siteparse.h"
#include "dlt645.h"

/* A site being stored. */
struct store {
	pp_db			*db;
	const struct pp__site	*site;
	struct pp_load_stats	*st;
};

static int
put_setting(struct store *s, const char *key, const char *value)
{
	int rc;

	rc = pp__exec(s->db, "INSERT INTO settings(key, value) VALUES (?, ?) "
	    "ON CONFLICT(key) DO UPDATE SET value = excluded.value WHERE "
	    "settings.value IS DISTINCT FROM excluded.value", "tt", key,
	    value);
	if (rc == PP_OK) {
		s->st->settings++;
		s->st->changed += pp__changes(s->db);
	}
	return rc;
}

static int
store_defaults(struct store *s)
{
	const struct pp__site_defaults *d = &s->site->defaults;
	static const char *const kinds[] = { PP_SITE_MESSAGES };
	const struct { const char *key; int64_t v; } num[] = {
		{ "alarm1", d->alarm1 }, { "alarm2", d->alarm2 },
		{ "max_balance", d->max_balance }, { "max_sale", d->max_sale },
		{ "price", d->price }, { "overload_w", d->overload_w },
		{ "poll_minutes", d->poll_minutes },
		{ "poll_seconds", d->poll_seconds },
		{ "lost_after", d->lost_after },
		{ "command_alarm", d->command_alarm },
		{ "slow_every", d->slow_every } };
	const struct { const char *key, *v; } text[] = {
		{ "voltage_band", d->voltage_band }, { "no_trip", d->no_trip },
		{ "sms_to", d->sms_to } };
	char buf[32];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(num) / sizeof(num[0]); i++) {
		if (num[i].v < 0)
			continue;
		snprintf(buf, sizeof(buf), "%lld", (long long)num[i].v);
		if ((rc = put_setting(s, num[i].key, buf)) != PP_OK)
			return rc;
	}
	/*
	 * A site that no longer polls continuously says so by leaving
	 * poll_seconds out: the timer's --due polls again.
	 */
	if (d->poll_seconds < 0) {
		if ((rc = pp__exec(s->db, "DELETE FROM settings WHERE key = "
		    "'poll_seconds'", "")) != PP_OK)
			return rc;
		s->st->changed += pp__changes(s->db);
	}
	for (i = 0; i < sizeof(text) / sizeof(text[0]); i++)
		if (text[i].v && (rc = put_setting(s, text[i].key,
		    text[i].v)) != PP_OK)
			return rc;
	for (i = 0; i < PP_SITE_NMSG; i++) {
		if (d->msg[i] == NULL)
			continue;
		snprintf(buf, sizeof(buf), "msg_%s", kinds[i]);
		if ((rc = put_setting(s, buf, d->msg[i])) != PP_OK)
			return rc;
	}
	return PP_OK;
}

/* The file's list of holidays replaces the stored one. */
static int
store_holidays(struct store *s)
{
	size_t i;
	int rc;

	if (!s->site->has_holidays)
		return PP_OK;
	if ((rc = pp__exec(s->db, "CREATE TEMP TABLE IF NOT EXISTS "
	    "listed_holidays(day TEXT PRIMARY KEY)", "")) != PP_OK ||
	    (rc = pp__exec(s->db, "DELETE FROM listed_holidays", "")) != PP_OK)
		return rc;
	for (i = 0; i < s->site->nholidays; i++) {
		if ((rc = pp__exec(s->db, "INSERT INTO listed_holidays(day) "
		    "VALUES (?) ON CONFLICT DO NOTHING", "t",
		    s->site->holidays[i])) != PP_OK ||
		    (rc = pp__exec(s->db, "INSERT INTO holidays(day) VALUES (?) "
		    "ON CONFLICT DO NOTHING", "t", s->site->holidays[i])) !=
		    PP_OK)
			return rc;
		s->st->changed += pp__changes(s->db);
	}
	if ((rc = pp__exec(s->db, "DELETE FROM holidays WHERE day NOT IN "
	    "(SELECT day FROM listed_holidays)", "")) != PP_OK)
		return rc;
	s->st->changed += pp__changes(s->db);
	return PP_OK;
}

/* The file lists every operator; a login left out loses its role. */
static int
store_operators(struct store *s)
{
	const struct pp__site_operator *op;
	size_t i;
	int rc;

	if (!s->site->has_operators)
		return PP_OK;
	if ((rc = pp__exec(s->db, "CREATE TEMP TABLE IF NOT EXISTS "
	    "listed_operators(login TEXT PRIMARY KEY)", "")) != PP_OK ||
	    (rc = pp__exec(s->db, "DELETE FROM listed_operators", "")) != PP_OK)
		return rc;
	for (i = 0; i < s->site->noperators; i++) {
		op = &s->site->operators[i];
		if ((rc = pp__exec(s->db, "INSERT INTO listed_operators(login) "
		    "VALUES (?)", "t", op->login)) != PP_OK)
			return rc;
		/*
		 * The creator stays admin, so no file can lock it out; its
		 * name is the file's like any other's.
		 */
		if ((rc = pp__exec(s->db, "INSERT INTO operators(login, role, "
		    "source, created, name) VALUES (?1, ?2, 'site', ?3, "
		    "nullif(?4, '')) ON CONFLICT(login) DO UPDATE SET role = "
		    "CASE operators.source WHEN 'site' THEN excluded.role ELSE "
		    "operators.role END, name = excluded.name WHERE "
		    "(operators.source = 'site' AND operators.role IS DISTINCT "
		    "FROM excluded.role) OR operators.name IS DISTINCT FROM "
		    "excluded.name", "ttit",
		    op->login, op->role, pp_now(), op->name ? op->name : "")) !=
		    PP_OK)
			return rc;
		s->st->changed += pp__changes(s->db);
		s->st->operators++;
	}
	if ((rc = pp__exec(s->db, "DELETE FROM operators WHERE source = 'site' "
	    "AND login NOT IN (SELECT login FROM listed_operators)", "")) !=
	    PP_OK)
		return rc;
	s->st->changed += pp__changes(s->db);
	/* The creator, left out, stays admin without the name it had. */
	if ((rc = pp__exec(s->db, "UPDATE operators SET name = NULL WHERE "
	    "name IS NOT NULL AND login NOT IN (SELECT login FROM "
	    "listed_operators)", "")) != PP_OK)
		return rc;
	s->st->changed += pp__changes(s->db);
	return PP_OK;
}

static int
store_tariffs(struct store *s)
{
	size_t i;
	int rc, changed;

	for (i = 0; i < s->site->ntariffs; i++) {
		if ((rc = pp__tariff_store(s->db, s->site->tariffs[i].name,
		    &s->site->tariffs[i].spec, &changed)) != PP_OK)
			return rc;
		s->st->tariffs++;
		s->st->changed += changed;
	}
	return PP_OK;
}

/*
 * A meter is only as good as the map of its registers.  The profile's
 * protocol says how the meter is addressed; has_recharge whether it can
 * keep its own wallet.
 */
static int
check_profile(pp_db *db, const char *name, char protocol[16],
    int *has_recharge)
{
	struct pp__profile *p;
	char err[PP_ERRMAX];
	int i, rc;

	for (i = 0; i < db->nprofiles_ok; i++)
		if (strcmp(db->profiles_ok[i], name) == 0) {
			memcpy(protocol, db->profiles_protocol[i], 16);
			*has_recharge = db->profiles_recharge[i];
			return PP_OK;
		}
	if ((p = malloc(sizeof(*p))) == NULL)
		return pp__fail(db, PP_EINTERNAL, "out of memory");
	rc = pp__profile_load(name, p, err, sizeof(err));
	snprintf(protocol, 16, "%s", p->protocol);
	*has_recharge = pp__profile_write(p, "recharge") != NULL;
	free(p);
	if (rc != PP_OK)
		return pp__fail(db, PP_EDATA, "%s", err);
	if (db->nprofiles_ok < 16) {
		i = db->nprofiles_ok++;
		snprintf(db->profiles_ok[i], PP_KEYMAX, "%s", name);
		memcpy(db->profiles_protocol[i], protocol, 16);
		db->profiles_recharge[i] = *has_recharge;
	}
	return PP_OK;
}

/*
 * A DL/T 645 meter answers on its address, given or else its meter
 * number: 12 digits, zeros in front.
 */
static int
meter_address(pp_db *db, const struct pp__site_meter *m, char out[16])
{
	const char *a = m->address && *m->address ? m->address : m->meter;
	uint8_t addr[6];
	char err[PP_ERRMAX];
	size_t n = strlen(a);

	if (n == 0 || n > 12 || strspn(a, "0123456789") != n ||
	    pp__645_addr_parse(a, addr, err, sizeof(err)) != PP_OK)
		return pp__fail(db, PP_EDATA, "%s \"%s\": a DL/T 645 meter's "
		    "address is 1..12 digits%s", m->address && *m->address ?
		    "address" : "meter", pp_q(a), m->address && *m->address ?
		    "" :
		    "; give it as address");
	pp__645_addr_format(addr, out);
	if (pp__645_addr_is_broadcast(addr))
		return pp__fail(db, PP_EDATA, "address %s is the broadcast "
		    "address", out);
	return PP_OK;
}

/*
 * A meter's own facts: its names, its profile, where it answers on its
 * bus (address, 12 digits, for DL/T 645) and its billing.
 */
static int
meter_check(pp_db *db, const struct pp__site_meter *m, int *dlt645,
    char address[16])
{
	char err[PP_ERRMAX], protocol[16];
	int rc, has_recharge = 0;

	if (pp__key_check("meter", m->meter, PP_KEYMAX, err, sizeof(err)) !=
	    PP_OK || pp__key_check("profile", m->profile, PP_KEYMAX, err,
	    sizeof(err)) != PP_OK)
		return pp__fail(db, PP_EDATA, "%s", err);
	if ((rc = check_profile(db, m->profile, protocol, &has_recharge)) !=
	    PP_OK)
		return rc;
	*dlt645 = strcmp(protocol, "dlt645") == 0;
	if (*dlt645) {
		if (m->unit != 0)
			return pp__fail(db, PP_EDATA, "unit: a DL/T 645 meter "
			    "answers on its address, not a unit");
		if ((rc = meter_address(db, m, address)) != PP_OK)
			return rc;
	} else if (m->address && *m->address)
		return pp__fail(db, PP_EDATA, "address: a Modbus meter answers "
		    "on its unit");
	else if (m->unit < 1 || m->unit > 247)
		return pp__fail(db, PP_EDATA, m->unit ?
		    "unit %lld: use 1..247" : "unit: missing",
		    (long long)m->unit);
	if (strcmp(m->billing, "account") && strcmp(m->billing, "meter"))
		return pp__fail(db, PP_EDATA, "billing \"%s\": use account or "
		    "meter", pp_q(m->billing));
	if (strcmp(m->billing, "meter") == 0 && !has_recharge)
		return pp__fail(db, PP_EDATA, "billing meter: profile %s takes "
		    "no recharge, so the meter cannot keep the wallet; use "
		    "billing account", m->profile);
	if ((m->room && pp__text_check("room", m->room, PP_KEYMAX, err,
	    sizeof(err)) != PP_OK) || (m->floor && pp__text_check("floor",
	    m->floor, PP_KEYMAX, err, sizeof(err)) != PP_OK))
		return pp__fail(db, PP_EDATA, "%s", err);
	return PP_OK;
}

/* The rows a meter's gateway, building and tariff name. */
static int
meter_refs(pp_db *db, const struct pp__site_meter *m, int64_t *gateway_id,
    int64_t *building_id, int64_t *tariff_id)
{
	int rc;

	rc = pp__query_int(db, gateway_id, "SELECT id FROM gateways WHERE "
	    "name = ?", "t", m->gateway);
	if (rc == PP_EDATA)
		return pp__fail(db, PP_EDATA, "gateway \"%s\": no such gateway",
		    pp_q(m->gateway));
	if (rc != PP_OK)
		return rc;
	if (m->building && *m->building) {
		rc = pp__query_int(db, building_id, "SELECT id FROM buildings "
		    "WHERE name = ?", "t", m->building);
		if (rc == PP_EDATA)
			return pp__fail(db, PP_EDATA,
			    "building \"%s\": no such "
			    "building", pp_q(m->building));
	} else
		rc = pp__query_int(db, building_id, "SELECT coalesce("
		    "building_id, 0) FROM gateways WHERE id = ?", "i",
		    *gateway_id);
	if (rc != PP_OK)
		return rc;
	if (m->tariff && *m->tariff) {
		rc = pp__query_int(db, tariff_id,
		    "SELECT id FROM tariffs WHERE "
		    "name = ?", "t", m->tariff);
		if (rc == PP_EDATA)
			return pp__fail(db, PP_EDATA, "tariff \"%s\": no such "
			    "tariff", pp_q(m->tariff));
		if (rc != PP_OK)
			return rc;
	}
	return PP_OK;
}

/* No other meter of the gateway speaks the other protocol or is there. */
static int
meter_conflicts(pp_db *db, const struct pp__site_meter *m, int64_t gateway_id,
    int dlt645, const char *address)
{
	int64_t other;
	int rc;

	/* One bus speaks one protocol: its line settings are one. */
	rc = pp__query_int(db, &other, "SELECT id FROM meters WHERE gateway_id "
	    "= ? AND meter <> ? AND CASE WHEN address IS NULL THEN 1 ELSE 0 "
	    "END = ?", "iti", gateway_id,
	    m->meter, (int64_t)dlt645);
	if (rc == PP_OK)
		return pp__fail(db, PP_EDATA, "gateway %s has %s meters: one "
		    "gateway's meters speak one protocol", m->gateway, dlt645 ?
		    "Modbus" : "DL/T 645");
	if (rc != PP_EDATA)
		return rc;
	if (dlt645)
		rc = pp__query_int(db, &other, "SELECT id FROM meters WHERE "
		    "gateway_id = ? AND address = ? AND meter <> ?", "itt",
		    gateway_id, address, m->meter);
	else
		rc = pp__query_int(db, &other, "SELECT id FROM meters WHERE "
		    "gateway_id = ? AND unit = ? AND meter <> ?", "iit",
		    gateway_id, m->unit, m->meter);
	if (rc == PP_OK)
		return dlt645 ? pp__fail(db, PP_EDATA, "address %s on gateway "
		    "%s is taken by another meter", address, m->gateway) :
		    pp__fail(db, PP_EDATA, "unit %lld on gateway %s is taken "
		    "by another meter", (long long)m->unit, m->gateway);
	return rc == PP_EDATA ? PP_OK : rc;
}

/*
 * Check and upsert one meter.  The message has no location: the caller
 * knows the file and line.
 */
static int
meter_upsert(pp_db *db, const struct pp__site_meter *m, int *changed)
{
	char address[16] = "";
	int64_t gateway_id, building_id = 0, tariff_id = 0;
	int rc, dlt645;

	*changed = 0;
	if ((rc = meter_check(db, m, &dlt645, address)) != PP_OK ||
	    (rc = meter_refs(db, m, &gateway_id, &building_id, &tariff_id)) !=
	    PP_OK ||
	    (rc = meter_conflicts(db, m, gateway_id, dlt645, address)) !=
	    PP_OK)
		return rc;
	rc = pp__exec(db,
	    "INSERT INTO meters(meter, gateway_id, unit, profile, "
	    "building_id, floor, room, tariff_id, price, billing, alarm1, "
	    "alarm2, overload_w, address) VALUES (?1, ?2, nullif(?3, 0), ?4, "
	    "nullif(?5, 0), ?6, ?7, nullif(?8, 0), nullif(?9, -1), ?10, "
	    "nullif(?11, -1), nullif(?12, -1), nullif(?13, -1), "
	    "nullif(?14, '')) ON CONFLICT(meter) DO UPDATE SET "
	    "gateway_id = excluded.gateway_id, unit = excluded.unit, "
	    "profile = excluded.profile, building_id = excluded.building_id, "
	    "floor = excluded.floor, room = excluded.room, "
	    "tariff_id = excluded.tariff_id, price = excluded.price, "
	    "billing = excluded.billing, alarm1 = excluded.alarm1, "
	    "alarm2 = excluded.alarm2, overload_w = excluded.overload_w, "
	    "address = excluded.address "
	    "WHERE (meters.gateway_id, meters.unit, meters.profile, "
	    "meters.building_id, meters.floor, meters.room, meters.tariff_id, "
	    "meters.price, meters.billing, meters.alarm1, meters.alarm2, "
	    "meters.overload_w, meters.address) IS DISTINCT FROM (excluded.gateway_id, excluded.unit, "
	    "excluded.profile, "
	    "excluded.building_id, excluded.floor, excluded.room, "
	    "excluded.tariff_id, excluded.price, excluded.billing, "
	    "excluded.alarm1, excluded.alarm2, excluded.overload_w, "
	    "excluded.address)",
	    "tiitittiitiiit", m->meter, gateway_id, m->unit, m->profile,
	    building_id, m->floor ? m->floor : "", m->room ? m->room : "",
	    tariff_id, m->price, m->billing, m->alarm1, m->alarm2,
	    m->overload_w, dlt645 ? address : "");
	if (rc == PP_OK)
		*changed = pp__changes(db) > 0;
	return rc;
}

static int
store_meters(struct store *s, const struct pp__site_gateway *g)
{
	const struct pp__site_meter *m;
	char why[PP_ERRMAX], err[PP_ERRMAX];
	size_t i;
	int rc, changed;

	for (i = g->first; i < g->first + g->nmeters; i++) {
		m = &s->site->meters[i];
		if ((rc = meter_upsert(s->db, m, &changed)) != PP_OK) {
			/* The file's line, as every error of the file has. */
			snprintf(why, sizeof(why), "%s", pp_errmsg(s->db));
			return pp__fail(s->db, pp__site_error(s->site, m->line,
			    m->meter, err, sizeof(err), "%s", why), "%s", err);
		}
		s->st->meters++;
		s->st->changed += changed;
	}
	return PP_OK;
}

static int
store_gateways(struct store *s, const struct pp__site_building *b,
    int64_t building_id)
{
	const struct pp__site_gateway *g;
	size_t i;
	int rc;

	for (i = b->first; i < b->first + b->ngateways; i++) {
		g = &s->site->gateways[i];
		if ((rc = pp__exec(s->db, "INSERT INTO gateways(name, "
		    "building_id, address, timeout_ms, retries, baud, "
		    "turnaround_ms, poller) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
		    "ON CONFLICT(name) DO UPDATE SET building_id = "
		    "excluded.building_id, address = excluded.address, "
		    "timeout_ms = excluded.timeout_ms, retries = "
		    "excluded.retries, baud = excluded.baud, turnaround_ms = "
		    "excluded.turnaround_ms, poller = excluded.poller WHERE "
		    "(gateways.building_id, gateways.address, "
		    "gateways.timeout_ms, gateways.retries, gateways.baud, "
		    "gateways.turnaround_ms, gateways.poller) IS DISTINCT FROM "
		    "(excluded.building_id, "
		    "excluded.address, excluded.timeout_ms, excluded.retries, "
		    "excluded.baud, excluded.turnaround_ms, excluded.poller)",
		    "titiiiit", g->name, building_id, g->address,
		    g->timeout_ms, g->retries, g->baud, g->turnaround_ms,
		    g->poller)) != PP_OK)
			return rc;
		s->st->changed += pp__changes(s->db);
		s->st->gateways++;
		if ((rc = store_meters(s, g)) != PP_OK)
			return rc;
	}
	return PP_OK;
}

static int
store_buildings(struct store *s)
{
	const struct pp__site_building *b;
	int64_t id;
	size_t i;
	int rc;

	for (i = 0; i < s->site->nbuildings; i++) {
		b = &s->site->buildings[i];
		rc = pp__query_int(s->db, &id, "SELECT id FROM buildings WHERE "
		    "name = ?", "t", b->name);
		if (rc == PP_EDATA) {
			rc = pp__query_int(s->db, &id, "INSERT INTO buildings("
			    "name) VALUES (?) RETURNING id", "t", b->name);
			s->st->changed++;
		}
		if (rc != PP_OK)
			return rc;
		s->st->buildings++;
		if ((rc = store_gateways(s, b, id)) != PP_OK)
			return rc;
	}
	return PP_OK;
}

/* A payments setting's key and value. */
struct paykv {
	char		 key[PP_KEYMAX + 40];
	const char	*value;
};

static size_t
paykv_list(const struct pp__site_payments *pay, struct paykv *kv, size_t max)
{
	const char *fixed[][2] = {
		{ "pay.notify_base", pay->notify_base },
		{ "pay.wechat.mchid", pay->mchid },
		{ "pay.wechat.appid", pay->appid },
		{ "pay.wechat.apiv3_key_file", pay->apiv3_key_file },
		{ "pay.wechat.merchant_key_file", pay->merchant_key_file },
		{ "pay.wechat.api_base", pay->api_base },
		{ "pay.wechat.merchant_serial", pay->merchant_serial },
		{ "pay.alipay.app_id", pay->app_id },
		{ "pay.alipay.public_key_file", pay->public_key_file },
		{ "pay.alipay.private_key_file", pay->private_key_file },
		{ "pay.alipay.gateway", pay->gateway },
	};
	size_t i, n = 0;

	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]) && n < max; i++)
		if (fixed[i][1]) {
			snprintf(kv[n].key, sizeof(kv[n].key), "%s",
			    fixed[i][0]);
			kv[n++].value = fixed[i][1];
		}
	for (i = 0; i < pay->nkeys && n < max; i++) {
		snprintf(kv[n].key, sizeof(kv[n].key), PP_PAY_PLATFORM_KEY "%s",
		    pay->keys[i].serial);
		kv[n++].value = pay->keys[i].file;
	}
	return n;
}

/*
 * payments: the identifiers and the key files' absolute names, as
 * settings pay.*; the section replaces what an earlier one stored.
 */
static int
store_payments(struct store *s)
{
	const struct pp__site_payments *pay = &s->site->payments;
	struct paykv *kv;
	pp__st *st = NULL;
	const char *key;
	size_t i, n;
	int rc = PP_OK;

	if (!pay->has)
		return PP_OK;
	if ((kv = calloc(pay->nkeys + 11, sizeof(*kv))) == NULL)
		return pp__fail(s->db, PP_EINTERNAL, "out of memory");
	n = paykv_list(pay, kv, pay->nkeys + 11);
	for (i = 0; i < n && rc == PP_OK; i++)
		rc = put_setting(s, kv[i].key, kv[i].value);
	if (rc == PP_OK && (st = pp__stmt(s->db, "SELECT key FROM settings "
	    "WHERE key LIKE 'pay.%' ORDER BY key")) == NULL)
		rc = pp__errcode(s->db);
	while (rc == PP_OK && pp__step(st) == PP__ROW) {
		key = pp__col_str(st, 0);
		for (i = 0; i < n && strcmp(kv[i].key, key); i++)
			;
		if (i == n && (rc = pp__exec(s->db, "DELETE FROM settings "
		    "WHERE key = ?", "t", key)) == PP_OK)
			s->st->changed++;
	}
	if (st)
		pp__reset(st);
	free(kv);
	return rc;
}

int
pp__site_store(pp_db *db, const struct pp__site *site, struct pp_load_stats *st)
{
	struct store s;
	int rc;

	s.db = db;
	s.site = site;
	s.st = st;
	if (site->name && (rc = pp__exec(db, "INSERT INTO meta(key, value) "
	    "VALUES ('site', ?) ON CONFLICT(key) DO UPDATE SET value = "
	    "excluded.value WHERE meta.value IS DISTINCT FROM excluded.value",
	    "t",
	    site->name)) != PP_OK)
		return rc;
	st->changed += site->name ? pp__changes(db) : 0;
	if ((rc = store_defaults(&s)) != PP_OK ||
	    (rc = store_holidays(&s)) != PP_OK ||
	    (rc = store_operators(&s)) != PP_OK ||
	    (rc = store_tariffs(&s)) != PP_OK ||
	    (rc = store_buildings(&s)) != PP_OK ||
	    (rc = store_payments(&s)) != PP_OK)
		return rc;
	return PP_OK;
}

/*
 * The rows only site-load writes, in one canonical text (acct-open's
 * account counter, kept among the settings, is not one of them).  A change made
 * around the tools shows as a digest that no audit entry recorded.
 */
static const char site_rows_sql[] =
    /*
     * One type a column on both engines (lib/pg/PORTING.md G): the
     * numbers as text for the digest, and as numbers in columns 6 and 7,
     * which order the rows as they always were and are not digested.
     */
    "SELECT 'operator', login, role, source, coalesce(name, ''), "
    "CAST(NULL AS BIGINT), CAST(NULL AS BIGINT) FROM operators "
    "UNION ALL SELECT 'setting', key, value, '', '', NULL, NULL FROM "
    "settings WHERE key <> 'next_account' "
    "UNION ALL SELECT 'tariff', t.name, CAST(v.effective AS TEXT), "
    "coalesce(CAST(v.price AS TEXT), ''), coalesce(v.tier_period, '') || "
    "'|' || v.spec, NULL, v.effective FROM tariffs t JOIN tariff_versions "
    "v ON v.tariff_id = t.id "
    "UNION ALL SELECT 'window', CAST(w.version_id AS TEXT), CAST(w.seq AS "
    "TEXT), w.name, w.start_min || '-' || w.end_min || ':' || w.price, "
    "w.version_id, w.seq FROM tariff_windows w "
    "UNION ALL SELECT 'step', CAST(s.version_id AS TEXT), CAST(s.seq AS "
    "TEXT), coalesce(CAST(s.upto_wh AS TEXT), ''), CAST(s.add_price AS "
    "TEXT), s.version_id, s.seq FROM tariff_steps s "
    "ORDER BY 1, 6, 2, 7, 3";

int
pp__site_digest(pp_db *db, char out[65])
{
	pp__st *st;
	char *text = NULL, *grown;
	size_t len = 0;
	int rc, i;

	if ((st = pp__stmt(db, site_rows_sql)) == NULL)
		return pp__errcode(db);
	while ((rc = pp__step(st)) == PP__ROW) {
		for (i = 0; i < 5; i++) {
			const char *v = pp__col_str(st, i);
			size_t n = v ? strlen(v) : 0;

			if ((grown = realloc(text, len + n + 2)) == NULL) {
				pp__reset(st);
				free(text);
				return pp__fail(db, PP_EINTERNAL,
				    "out of memory");
			}
			text = grown;
			memcpy(text + len, v ? v : "", n);
			len += n;
			text[len++] = i == 4 ? '\n' : '\x1f';
			text[len] = '\0';
		}
	}
	pp__reset(st);
	if (rc != PP__DONE) {
		free(text);
		return pp__sqlfail(db, "site digest");
	}
	rc = pp__chain_hash("", text ? text : "", out);
	free(text);
	return rc == PP_OK ? PP_OK : pp__fail(db, rc,
	    "site digest: hash failed");
}

static int
note_site_digest(pp_db *db)
{
	char digest[65];
	int rc;

	if ((rc = pp__site_digest(db, digest)) == PP_OK)
		pp__audit_note(db, PP_SITE_DIGEST_NOTE "%s", digest);
	return rc;
}

int
pp_site_load(pp_db *db, const char *path, struct pp_load_stats *st)
{
	struct pp__site *site;
	char err[PP_ERRMAX];
	int rc;

	memset(st, 0, sizeof(*st));
	if ((rc = pp__site_parse(path, &site, err, sizeof(err))) != PP_OK) {
		pp__site_free(site);
		return pp__fail(db, rc, "%s", err);
	}
	if ((rc = pp__tx_begin(db)) == PP_OK) {
		if ((rc = pp__site_store(db, site, st)) == PP_OK &&
		    (rc = note_site_digest(db)) == PP_OK)
			rc = pp__tx_commit(db);
		else
			pp__tx_rollback(db);
	}
	pp__site_free(site);
	return rc;
}

int
pp_meter_import_row(pp_db *db, const pp_csv *row, int *changed)
{
	struct pp__site_meter m;
	char err[PP_ERRMAX];
	const char *v;

	memset(&m, 0, sizeof(m));
	m.meter = pp__csv_get(row, "meter");
	m.gateway = pp__csv_get(row, "gateway");
	m.profile = pp__csv_get(row, "profile");
	m.building = pp__csv_get(row, "building");
	m.floor = pp__csv_get(row, "floor");
	m.room = pp__csv_get(row, "room");
	m.tariff = pp__csv_get(row, "tariff");
	m.billing = pp__csv_get(row, "billing");
	if (m.billing == NULL || *m.billing == '\0')
		m.billing = "account";
	m.address = pp__csv_get(row, "address");
	if (m.meter == NULL || m.gateway == NULL || m.profile == NULL)
		return pp__fail(db, PP_EDATA, "the columns meter, gateway and "
		    "profile are required");
	if ((v = pp__csv_get(row, "unit")) && *v &&
	    pp_int_parse(v, 1, 247, &m.unit, err, sizeof(err)) != PP_OK)
		return pp__fail(db, PP_EDATA, "unit %s", err);
	m.price = m.alarm1 = m.alarm2 = m.overload_w = -1;
	if ((v = pp__csv_get(row, "price")) && *v &&
	    pp_price_parse(v, &m.price, err, sizeof(err)) != PP_OK)
		return pp__fail(db, PP_EDATA, "%s", err);
	if ((v = pp__csv_get(row, "alarm1")) && *v &&
	    pp_money_parse(v, 0, -1, &m.alarm1, err, sizeof(err)) != PP_OK)
		return pp__fail(db, PP_EDATA, "alarm1: %s", err);
	if ((v = pp__csv_get(row, "alarm2")) && *v &&
	    pp_money_parse(v, 0, -1, &m.alarm2, err, sizeof(err)) != PP_OK)
		return pp__fail(db, PP_EDATA, "alarm2: %s", err);
	if ((v = pp__csv_get(row, "overload_w")) && *v &&
	    pp_int_parse(v, 1, 1000000, &m.overload_w, err, sizeof(err)) !=
	    PP_OK)
		return pp__fail(db, PP_EDATA, "overload_w %s", err);
	return meter_upsert(db, &m, changed);
}
