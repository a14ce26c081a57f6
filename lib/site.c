/*
 * site.c: the YAML site file (prepay.yaml(5)) and bulk meter import.
 * Loading is an idempotent upsert inside one transaction: a bad file names
 * its line and key and leaves the database as it was.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "dlt645.h"

struct site {
	pp_db			*db;
	const char		*path;
	yaml_document_t		 doc;
	struct pp_load_stats	*st;
};

/* A meter as the site file or a meters CSV gives it. */
struct meter_def {
	const char	*meter, *gateway, *profile, *building, *floor, *room;
	const char	*tariff, *billing, *address;
	int64_t		 unit, price, alarm1, alarm2, overload_w;
};

static yaml_node_t *
node(struct site *s, int i)
{
	return pp_yaml_node(&s->doc, i);
}

static int
bad(struct site *s, const yaml_node_t *n, const char *key, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));

static int
bad(struct site *s, const yaml_node_t *n, const char *key, const char *fmt,
    ...)
{
	char why[PP_ERRMAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return pp_fail(s->db, PP_ECONFIG, "%s:%ld: %s: %s", s->path,
	    pp_yaml_line(n), pp_q(key), why);
}

#define scalar(n)	pp_yaml_scalar(n)
#define get(s, map, key) pp_yaml_get(&(s)->doc, (map), (key))

/* The value of a scalar, or an error naming the key. */
static int
want_scalar(struct site *s, const yaml_node_t *n, const char *key,
    const char **out)
{
	if ((*out = scalar(n)) == NULL)
		return bad(s, n, key, "expected a single value");
	return PP_OK;
}

/* Every key of a mapping must be one of the names in allowed. */
static int
check_keys(struct site *s, yaml_node_t *map, const char *what,
    const char *const *allowed)
{
	yaml_node_t *where;
	char why[PP_ERRMAX];
	const char *k;

	if (pp_yaml_check_keys(&s->doc, map, what, allowed, &where, why,
	    sizeof(why)) == PP_OK)
		return PP_OK;
	k = where == map ? what : scalar(where);
	return bad(s, where, k ? k : what, "%s", why);
}

/* Parse the value of key with parse; the error names the key's line. */
static int
get_number(struct site *s, yaml_node_t *map, const char *key,
    int (*parse)(const char *, int64_t *, char *, size_t), int64_t *v)
{
	yaml_node_t *n = get(s, map, key);
	char err[PP_ERRMAX];
	const char *t;
	int rc;

	if (n == NULL)
		return PP_OK;
	if ((rc = want_scalar(s, n, key, &t)) != PP_OK)
		return rc;
	if (parse(t, v, err, sizeof(err)) != PP_OK)
		return bad(s, n, key, "%s", err);
	return PP_OK;
}

static int
parse_amount(const char *s, int64_t *fen, char *err, size_t errlen)
{
	return pp_money_parse(s, 0, -1, fen, err, errlen);
}

static int
get_money(struct site *s, yaml_node_t *map, const char *key, int64_t *v)
{
	return get_number(s, map, key, parse_amount, v);
}

static int
get_price(struct site *s, yaml_node_t *map, const char *key, int64_t *v)
{
	return get_number(s, map, key, pp_price_parse, v);
}

static int
get_int(struct site *s, yaml_node_t *map, const char *key, int64_t min,
    int64_t max, int64_t *v)
{
	yaml_node_t *n = get(s, map, key);
	char err[PP_ERRMAX];
	const char *t;
	int rc;

	if (n == NULL)
		return PP_OK;
	if ((rc = want_scalar(s, n, key, &t)) != PP_OK)
		return rc;
	if (pp_int_parse(t, min, max, v, err, sizeof(err)) != PP_OK)
		return bad(s, n, key, "%s", err);
	return PP_OK;
}

static int
get_text(struct site *s, yaml_node_t *map, const char *key, int required,
    size_t max, const char **v)
{
	yaml_node_t *n = get(s, map, key);
	char err[PP_ERRMAX];
	int rc;

	if (n == NULL) {
		if (required)
			return bad(s, map, key, "missing");
		return PP_OK;
	}
	if ((rc = want_scalar(s, n, key, v)) != PP_OK)
		return rc;
	if (pp_text_check(key, *v, max, err, sizeof(err)) != PP_OK)
		return bad(s, n, key, "%s", err);
	if (required && **v == '\0')
		return bad(s, n, key, "empty");
	return PP_OK;
}

static int
get_key(struct site *s, yaml_node_t *map, const char *key, int required,
    const char **v)
{
	char err[PP_ERRMAX];
	int rc;

	if ((rc = get_text(s, map, key, required, PP_KEYMAX, v)) != PP_OK)
		return rc;
	if (*v && pp_key_check(key, *v, PP_KEYMAX, err, sizeof(err)) != PP_OK)
		return bad(s, get(s, map, key), key, "%s", err);
	return PP_OK;
}

static int
check_window_text(const char *s)
{
	char a[6], b[6];
	int x, y;

	if (strlen(s) != 11 || s[5] != '-')
		return PP_EDATA;
	memcpy(a, s, 5), a[5] = '\0';
	memcpy(b, s + 6, 5), b[5] = '\0';
	return pp_clock_parse(a, &x) == PP_OK && pp_clock_parse(b, &y) ==
	    PP_OK && x != y ? PP_OK : PP_EDATA;
}

static int
put_setting(struct site *s, const char *key, const char *value)
{
	int rc;

	rc = pp_exec(s->db, "INSERT INTO settings(key, value) VALUES (?, ?) "
	    "ON CONFLICT(key) DO UPDATE SET value = excluded.value WHERE "
	    "value IS NOT excluded.value", "tt", key, value);
	if (rc == PP_OK) {
		s->st->settings++;
		s->st->changed += sqlite3_changes(s->db->sql);
	}
	return rc;
}

static int
put_setting_int(struct site *s, const char *key, int64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", (long long)v);
	return put_setting(s, key, buf);
}

static int
load_defaults(struct site *s, yaml_node_t *d)
{
	static const char *const keys[] = { "price", "alarm1", "alarm2",
	    "overload_w", "max_balance", "max_sale", "poll_minutes", "no_trip",
	    "sms_to", "lost_after", "voltage_band", "command_alarm", NULL };
	static const char *const money_keys[] = { "alarm1", "alarm2",
	    "max_balance", "max_sale", NULL };
	const char *text;
	int64_t v;
	int rc, i;

	if (d == NULL)
		return PP_OK;
	if ((rc = check_keys(s, d, "defaults", keys)) != PP_OK)
		return rc;
	for (i = 0; money_keys[i]; i++) {
		v = -1;
		if ((rc = get_money(s, d, money_keys[i], &v)) != PP_OK)
			return rc;
		if (v >= 0 && (rc = put_setting_int(s, money_keys[i], v)) !=
		    PP_OK)
			return rc;
	}
	v = -1;
	if ((rc = get_price(s, d, "price", &v)) != PP_OK ||
	    (v >= 0 && (rc = put_setting_int(s, "price", v)) != PP_OK))
		return rc;
	v = -1;
	if ((rc = get_int(s, d, "overload_w", 1, 1000000, &v)) != PP_OK ||
	    (v >= 0 && (rc = put_setting_int(s, "overload_w", v)) != PP_OK))
		return rc;
	v = -1;
	if ((rc = get_int(s, d, "poll_minutes", 1, 1440, &v)) != PP_OK ||
	    (v >= 0 && (rc = put_setting_int(s, "poll_minutes", v)) != PP_OK))
		return rc;
	v = -1;
	if ((rc = get_int(s, d, "lost_after", 1, 100, &v)) != PP_OK ||
	    (v >= 0 && (rc = put_setting_int(s, "lost_after", v)) != PP_OK))
		return rc;
	v = -1;
	if ((rc = get_int(s, d, "command_alarm", 1, 1000, &v)) != PP_OK ||
	    (v >= 0 && (rc = put_setting_int(s, "command_alarm", v)) != PP_OK))
		return rc;
	text = NULL;
	if ((rc = get_text(s, d, "voltage_band", 0, 32, &text)) != PP_OK)
		return rc;
	if (text) {
		int lo, hi, n = 0;

		if (sscanf(text, "%d-%d%n", &lo, &hi, &n) != 2 ||
		    (size_t)n != strlen(text) || lo < 1 || hi <= lo || hi > 1000)
			return bad(s, get(s, d, "voltage_band"), "voltage_band",
			    "\"%s\": use LOW-HIGH in volts, e.g. 198-242",
			    pp_q(text));
		if ((rc = put_setting(s, "voltage_band", text)) != PP_OK)
			return rc;
	}
	text = NULL;
	if ((rc = get_text(s, d, "no_trip", 0, 32, &text)) != PP_OK)
		return rc;
	if (text && *text && check_window_text(text) != PP_OK)
		return bad(s, get(s, d, "no_trip"), "no_trip", "\"%s\": use "
		    "HH:MM-HH:MM, e.g. 20:00-08:00", pp_q(text));
	if (text && (rc = put_setting(s, "no_trip", text)) != PP_OK)
		return rc;
	text = NULL;
	if ((rc = get_text(s, d, "sms_to", 0, PP_KEYMAX, &text)) != PP_OK)
		return rc;
	if (text && (rc = put_setting(s, "sms_to", text)) != PP_OK)
		return rc;
	return PP_OK;
}

/* The holidays, YYYY-MM-DD: the file's list replaces the stored one. */
static int
load_holidays(struct site *s, yaml_node_t *list)
{
	yaml_node_item_t *it;
	char err[PP_ERRMAX];
	const char *day;
	int64_t t;
	int rc;

	if (list == NULL)
		return PP_OK;
	if (list->type != YAML_SEQUENCE_NODE)
		return bad(s, list, "holidays", "expected a list of dates");
	if ((rc = pp_exec(s->db, "CREATE TEMP TABLE IF NOT EXISTS "
	    "listed_holidays(day TEXT PRIMARY KEY)", "")) != PP_OK ||
	    (rc = pp_exec(s->db, "DELETE FROM listed_holidays", "")) != PP_OK)
		return rc;
	for (it = list->data.sequence.items.start;
	    it < list->data.sequence.items.top; it++) {
		yaml_node_t *n = node(s, *it);

		if ((day = scalar(n)) == NULL || strlen(day) != 10 ||
		    pp_time_parse(day, &t, err, sizeof(err)) != PP_OK)
			return bad(s, n, "holidays", "\"%s\": use YYYY-MM-DD",
			    pp_q(day));
		if ((rc = pp_exec(s->db, "INSERT OR IGNORE INTO "
		    "listed_holidays(day) VALUES (?)", "t", day)) != PP_OK ||
		    (rc = pp_exec(s->db, "INSERT OR IGNORE INTO holidays(day) "
		    "VALUES (?)", "t", day)) != PP_OK)
			return rc;
		s->st->changed += sqlite3_changes(s->db->sql);
	}
	if ((rc = pp_exec(s->db, "DELETE FROM holidays WHERE day NOT IN "
	    "(SELECT day FROM listed_holidays)", "")) != PP_OK)
		return rc;
	s->st->changed += sqlite3_changes(s->db->sql);
	return PP_OK;
}

/* The notices' texts, one template per alarm kind. */
static int
load_messages(struct site *s, yaml_node_t *map)
{
	static const char *const kinds[] = { "low1", "low2", "arrears",
	    "overload", "voltage", "lost", "gateway", "mismatch", "counter",
	    "command", NULL };
	yaml_node_pair_t *p;
	char key[32];
	const char *text;
	int rc;

	if (map == NULL)
		return PP_OK;
	if ((rc = check_keys(s, map, "messages", kinds)) != PP_OK)
		return rc;
	for (p = map->data.mapping.pairs.start;
	    p < map->data.mapping.pairs.top; p++) {
		const char *kind = scalar(node(s, p->key));

		if ((rc = get_text(s, map, kind, 1, 512, &text)) != PP_OK)
			return rc;
		snprintf(key, sizeof(key), "msg_%s", kind);
		if ((rc = put_setting(s, key, text)) != PP_OK)
			return rc;
	}
	return PP_OK;
}

static int
load_operators(struct site *s, yaml_node_t *list)
{
	static const char *const keys[] = { "login", "role", NULL };
	yaml_node_item_t *it;
	enum pp_role role;
	const char *login, *rolename;
	int rc;

	if (list == NULL)
		return PP_OK;
	if (list->type != YAML_SEQUENCE_NODE)
		return bad(s, list, "operators", "expected a list");
	/* The file lists every operator; a login left out loses its role. */
	if ((rc = pp_exec(s->db, "CREATE TEMP TABLE IF NOT EXISTS "
	    "listed_operators(login TEXT PRIMARY KEY)", "")) != PP_OK ||
	    (rc = pp_exec(s->db, "DELETE FROM listed_operators", "")) != PP_OK)
		return rc;
	for (it = list->data.sequence.items.start;
	    it < list->data.sequence.items.top; it++) {
		yaml_node_t *op = node(s, *it);

		if ((rc = check_keys(s, op, "operator", keys)) != PP_OK ||
		    (rc = get_key(s, op, "login", 1, &login)) != PP_OK ||
		    (rc = get_text(s, op, "role", 1, 32, &rolename)) != PP_OK)
			return rc;
		if (pp_role_parse(rolename, &role) != PP_OK)
			return bad(s, get(s, op, "role"), "role", "\"%s\": use "
			    "admin, supervisor, cashier, poller or auditor",
			    pp_q(rolename));
		if ((rc = pp_exec(s->db, "INSERT INTO listed_operators(login) "
		    "VALUES (?)", "t", login)) != PP_OK)
			return bad(s, op, "login", "%s is listed twice", login);
		/* The creator stays admin, so no file can lock it out. */
		if ((rc = pp_exec(s->db, "INSERT INTO operators(login, role, "
		    "source, created) VALUES (?, ?, 'site', ?) ON CONFLICT(login)"
		    " DO UPDATE SET role = excluded.role WHERE source = 'site' "
		    "AND role IS NOT excluded.role", "tti", login, rolename,
		    pp_now())) != PP_OK)
			return rc;
		s->st->changed += sqlite3_changes(s->db->sql);
		s->st->operators++;
	}
	if ((rc = pp_exec(s->db, "DELETE FROM operators WHERE source = 'site' "
	    "AND login NOT IN (SELECT login FROM listed_operators)", "")) !=
	    PP_OK)
		return rc;
	s->st->changed += sqlite3_changes(s->db->sql);
	return PP_OK;
}

static int
load_tou(struct site *s, yaml_node_t *list, struct pp_tariff_spec *t)
{
	static const char *const keys[] = { "name", "from", "to", "price",
	    NULL };
	yaml_node_item_t *it;
	const char *name, *from, *to;
	int rc;

	if (list->type != YAML_SEQUENCE_NODE)
		return bad(s, list, "tou", "expected a list of windows");
	for (it = list->data.sequence.items.start;
	    it < list->data.sequence.items.top; it++) {
		yaml_node_t *w = node(s, *it);

		if (t->nwin == PP_TARIFF_MAXWIN)
			return bad(s, w, "tou", "more than %d windows",
			    PP_TARIFF_MAXWIN);
		t->win[t->nwin].price = -1;
		if ((rc = check_keys(s, w, "tou window", keys)) != PP_OK ||
		    (rc = get_key(s, w, "name", 1, &name)) != PP_OK ||
		    (rc = get_text(s, w, "from", 1, 8, &from)) != PP_OK ||
		    (rc = get_text(s, w, "to", 1, 8, &to)) != PP_OK ||
		    (rc = get_price(s, w, "price", &t->win[t->nwin].price)) !=
		    PP_OK)
			return rc;
		if (t->win[t->nwin].price < 0)
			return bad(s, w, "price", "missing");
		if (strlen(name) >= sizeof(t->win[0].name))
			return bad(s, w, "name", "too long");
		snprintf(t->win[t->nwin].name, sizeof(t->win[0].name), "%s",
		    name);
		if (pp_clock_parse(from, &t->win[t->nwin].from) != PP_OK ||
		    t->win[t->nwin].from == 1440)
			return bad(s, get(s, w, "from"), "from", "\"%s\": use "
			    "HH:MM", pp_q(from));
		if (pp_clock_parse(to, &t->win[t->nwin].to) != PP_OK)
			return bad(s, get(s, w, "to"), "to", "\"%s\": use HH:MM",
			    pp_q(to));
		if (t->win[t->nwin].to == 0)
			t->win[t->nwin].to = 1440;
		t->nwin++;
	}
	return PP_OK;
}

static int
load_tiers(struct site *s, yaml_node_t *tiers, struct pp_tariff_spec *t)
{
	static const char *const keys[] = { "period", "steps", NULL };
	static const char *const step_keys[] = { "upto", "add", NULL };
	yaml_node_t *steps;
	yaml_node_item_t *it;
	const char *period, *upto;
	char err[PP_ERRMAX];
	int rc;

	if ((rc = check_keys(s, tiers, "tiers", keys)) != PP_OK ||
	    (rc = get_text(s, tiers, "period", 1, 8, &period)) != PP_OK)
		return rc;
	if (strcmp(period, "year") && strcmp(period, "month"))
		return bad(s, get(s, tiers, "period"), "period", "\"%s\": use "
		    "year or month", pp_q(period));
	snprintf(t->period, sizeof(t->period), "%s", period);
	if ((steps = get(s, tiers, "steps")) == NULL ||
	    steps->type != YAML_SEQUENCE_NODE)
		return bad(s, steps ? steps : tiers, "steps", "expected a list "
		    "of {upto: KWH, add: PRICE}");
	for (it = steps->data.sequence.items.start;
	    it < steps->data.sequence.items.top; it++) {
		yaml_node_t *st = node(s, *it);

		if (t->nstep == PP_TARIFF_MAXSTEP)
			return bad(s, st, "steps", "more than %d steps",
			    PP_TARIFF_MAXSTEP);
		t->step[t->nstep].upto_wh = -1;
		t->step[t->nstep].add = -1;
		upto = NULL;
		if ((rc = check_keys(s, st, "tier step", step_keys)) != PP_OK ||
		    (rc = get_text(s, st, "upto", 0, 32, &upto)) != PP_OK ||
		    (rc = get_price(s, st, "add", &t->step[t->nstep].add)) !=
		    PP_OK)
			return rc;
		if (t->step[t->nstep].add < 0)
			return bad(s, st, "add", "missing");
		if (upto && pp_energy_parse(upto, &t->step[t->nstep].upto_wh,
		    err, sizeof(err)) != PP_OK)
			return bad(s, get(s, st, "upto"), "upto", "%s", err);
		t->nstep++;
	}
	return PP_OK;
}

static int
load_tariffs(struct site *s, yaml_node_t *map)
{
	static const char *const keys[] = { "price", "tou", "tiers", NULL };
	struct pp_tariff_spec t;
	yaml_node_pair_t *p;
	char err[PP_ERRMAX];
	int rc, changed;

	if (map == NULL)
		return PP_OK;
	if (map->type != YAML_MAPPING_NODE)
		return bad(s, map, "tariffs", "expected a mapping of name: "
		    "tariff");
	for (p = map->data.mapping.pairs.start;
	    p < map->data.mapping.pairs.top; p++) {
		const char *name = scalar(node(s, p->key));
		yaml_node_t *def = node(s, p->value), *n;

		if (name == NULL || pp_key_check("tariff", name, PP_KEYMAX, err,
		    sizeof(err)) != PP_OK)
			return bad(s, node(s, p->key), "tariffs", "%s",
			    name ? err : "a tariff name must be text");
		memset(&t, 0, sizeof(t));
		t.price = -1;
		if ((rc = check_keys(s, def, name, keys)) != PP_OK ||
		    (rc = get_price(s, def, "price", &t.price)) != PP_OK)
			return rc;
		if ((n = get(s, def, "tou")) && (rc = load_tou(s, n, &t)) !=
		    PP_OK)
			return rc;
		if ((n = get(s, def, "tiers")) && (rc = load_tiers(s, n, &t)) !=
		    PP_OK)
			return rc;
		if (pp_tariff_check(&t, err, sizeof(err)) != PP_OK)
			return bad(s, def, name, "%s", err);
		if ((rc = pp_tariff_store(s->db, name, &t, &changed)) != PP_OK)
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
	struct pp_profile *p;
	char err[PP_ERRMAX];
	int i, rc;

	for (i = 0; i < db->nprofiles_ok; i++)
		if (strcmp(db->profiles_ok[i], name) == 0) {
			memcpy(protocol, db->profiles_protocol[i], 16);
			*has_recharge = db->profiles_recharge[i];
			return PP_OK;
		}
	if ((p = malloc(sizeof(*p))) == NULL)
		return pp_fail(db, PP_EINTERNAL, "out of memory");
	rc = pp_profile_load(name, p, err, sizeof(err));
	snprintf(protocol, 16, "%s", p->protocol);
	*has_recharge = pp_profile_write(p, "recharge") != NULL;
	free(p);
	if (rc != PP_OK)
		return pp_fail(db, PP_EDATA, "%s", err);
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
meter_address(pp_db *db, const struct meter_def *m, char out[16])
{
	const char *a = m->address && *m->address ? m->address : m->meter;
	uint8_t addr[6];
	char err[PP_ERRMAX];
	size_t n = strlen(a);

	if (n == 0 || n > 12 || strspn(a, "0123456789") != n ||
	    pp_645_addr_parse(a, addr, err, sizeof(err)) != PP_OK)
		return pp_fail(db, PP_EDATA, "%s \"%s\": a DL/T 645 meter's "
		    "address is 1..12 digits%s", m->address && *m->address ?
		    "address" : "meter", pp_q(a), m->address && *m->address ?
		    "" :
		    "; give it as address");
	pp_645_addr_format(addr, out);
	if (pp_645_addr_is_broadcast(addr))
		return pp_fail(db, PP_EDATA, "address %s is the broadcast "
		    "address", out);
	return PP_OK;
}

/*
 * Check and upsert one meter.  The message has no location: the caller
 * knows the file and line.
 */
static int
meter_upsert(pp_db *db, const struct meter_def *m, int *changed)
{
	char err[PP_ERRMAX], protocol[16], address[16] = "";
	int64_t gateway_id, building_id = 0, tariff_id = 0, other;
	int rc, dlt645, has_recharge = 0;

	*changed = 0;
	if (pp_key_check("meter", m->meter, PP_KEYMAX, err, sizeof(err)) !=
	    PP_OK || pp_key_check("profile", m->profile, PP_KEYMAX, err,
	    sizeof(err)) != PP_OK)
		return pp_fail(db, PP_EDATA, "%s", err);
	if ((rc = check_profile(db, m->profile, protocol, &has_recharge)) !=
	    PP_OK)
		return rc;
	dlt645 = strcmp(protocol, "dlt645") == 0;
	if (dlt645) {
		if (m->unit != 0)
			return pp_fail(db, PP_EDATA, "unit: a DL/T 645 meter "
			    "answers on its address, not a unit");
		if ((rc = meter_address(db, m, address)) != PP_OK)
			return rc;
	} else if (m->address && *m->address)
		return pp_fail(db, PP_EDATA, "address: a Modbus meter answers "
		    "on its unit");
	else if (m->unit < 1 || m->unit > 247)
		return pp_fail(db, PP_EDATA, m->unit ? "unit %lld: use 1..247" :
		    "unit: missing", (long long)m->unit);
	if (strcmp(m->billing, "account") && strcmp(m->billing, "meter"))
		return pp_fail(db, PP_EDATA, "billing \"%s\": use account or "
		    "meter", pp_q(m->billing));
	if (strcmp(m->billing, "meter") == 0 && !has_recharge)
		return pp_fail(db, PP_EDATA, "billing meter: profile %s takes "
		    "no recharge, so the meter cannot keep the wallet; use "
		    "billing account", m->profile);
	if ((m->room && pp_text_check("room", m->room, PP_KEYMAX, err,
	    sizeof(err)) != PP_OK) || (m->floor && pp_text_check("floor",
	    m->floor, PP_KEYMAX, err, sizeof(err)) != PP_OK))
		return pp_fail(db, PP_EDATA, "%s", err);
	rc = pp_query_int(db, &gateway_id, "SELECT id FROM gateways WHERE "
	    "name = ?", "t", m->gateway);
	if (rc == PP_EDATA)
		return pp_fail(db, PP_EDATA, "gateway \"%s\": no such gateway",
		    pp_q(m->gateway));
	if (rc != PP_OK)
		return rc;
	if (m->building && *m->building) {
		rc = pp_query_int(db, &building_id, "SELECT id FROM buildings "
		    "WHERE name = ?", "t", m->building);
		if (rc == PP_EDATA)
			return pp_fail(db, PP_EDATA, "building \"%s\": no such "
			    "building", pp_q(m->building));
	} else
		rc = pp_query_int(db, &building_id, "SELECT coalesce("
		    "building_id, 0) FROM gateways WHERE id = ?", "i",
		    gateway_id);
	if (rc != PP_OK)
		return rc;
	if (m->tariff && *m->tariff) {
		rc = pp_query_int(db, &tariff_id, "SELECT id FROM tariffs WHERE "
		    "name = ?", "t", m->tariff);
		if (rc == PP_EDATA)
			return pp_fail(db, PP_EDATA, "tariff \"%s\": no such "
			    "tariff", pp_q(m->tariff));
		if (rc != PP_OK)
			return rc;
	}
	/* One bus speaks one protocol: its line settings are one. */
	rc = pp_query_int(db, &other, "SELECT id FROM meters WHERE gateway_id "
	    "= ? AND meter <> ? AND (address IS NULL) = ?", "iti", gateway_id,
	    m->meter, (int64_t)dlt645);
	if (rc == PP_OK)
		return pp_fail(db, PP_EDATA, "gateway %s has %s meters: one "
		    "gateway's meters speak one protocol", m->gateway, dlt645 ?
		    "Modbus" : "DL/T 645");
	if (rc != PP_EDATA)
		return rc;
	if (dlt645)
		rc = pp_query_int(db, &other, "SELECT id FROM meters WHERE "
		    "gateway_id = ? AND address = ? AND meter <> ?", "itt",
		    gateway_id, address, m->meter);
	else
		rc = pp_query_int(db, &other, "SELECT id FROM meters WHERE "
		    "gateway_id = ? AND unit = ? AND meter <> ?", "iit",
		    gateway_id, m->unit, m->meter);
	if (rc == PP_OK)
		return dlt645 ? pp_fail(db, PP_EDATA, "address %s on gateway "
		    "%s is taken by another meter", address, m->gateway) :
		    pp_fail(db, PP_EDATA, "unit %lld on gateway %s is taken "
		    "by another meter", (long long)m->unit, m->gateway);
	if (rc != PP_EDATA)
		return rc;
	rc = pp_exec(db, "INSERT INTO meters(meter, gateway_id, unit, profile, "
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
	    "WHERE (gateway_id, unit, profile, building_id, floor, room, "
	    "tariff_id, price, billing, alarm1, alarm2, overload_w, address) "
	    "IS NOT (excluded.gateway_id, excluded.unit, excluded.profile, "
	    "excluded.building_id, excluded.floor, excluded.room, "
	    "excluded.tariff_id, excluded.price, excluded.billing, "
	    "excluded.alarm1, excluded.alarm2, excluded.overload_w, "
	    "excluded.address)",
	    "tiitittiitiiit", m->meter, gateway_id, m->unit, m->profile,
	    building_id, m->floor ? m->floor : "", m->room ? m->room : "",
	    tariff_id, m->price, m->billing, m->alarm1, m->alarm2,
	    m->overload_w, dlt645 ? address : "");
	if (rc == PP_OK)
		*changed = sqlite3_changes(db->sql) > 0;
	return rc;
}

static int
load_meters(struct site *s, yaml_node_t *list, const char *gateway,
    const char *building)
{
	static const char *const keys[] = { "meter", "unit", "address",
	    "profile", "floor", "room", "tariff", "price", "billing", "alarm1",
	    "alarm2", "overload_w", NULL };
	struct meter_def m;
	yaml_node_item_t *it;
	int rc, changed;

	if (list == NULL)
		return PP_OK;
	if (list->type != YAML_SEQUENCE_NODE)
		return bad(s, list, "meters", "expected a list");
	for (it = list->data.sequence.items.start;
	    it < list->data.sequence.items.top; it++) {
		yaml_node_t *n = node(s, *it);

		memset(&m, 0, sizeof(m));
		m.gateway = gateway;
		m.building = building;
		m.billing = "account";
		m.unit = 0;
		m.price = m.alarm1 = m.alarm2 = m.overload_w = -1;
		if ((rc = check_keys(s, n, "meter", keys)) != PP_OK ||
		    (rc = get_key(s, n, "meter", 1, &m.meter)) != PP_OK ||
		    (rc = get_int(s, n, "unit", 1, 247, &m.unit)) != PP_OK ||
		    (rc = get_text(s, n, "address", 0, 16, &m.address)) !=
		    PP_OK ||
		    (rc = get_key(s, n, "profile", 1, &m.profile)) != PP_OK ||
		    (rc = get_text(s, n, "floor", 0, PP_KEYMAX, &m.floor)) !=
		    PP_OK ||
		    (rc = get_text(s, n, "room", 0, PP_KEYMAX, &m.room)) !=
		    PP_OK ||
		    (rc = get_key(s, n, "tariff", 0, &m.tariff)) != PP_OK ||
		    (rc = get_price(s, n, "price", &m.price)) != PP_OK ||
		    (rc = get_text(s, n, "billing", 0, 16, &m.billing)) !=
		    PP_OK ||
		    (rc = get_money(s, n, "alarm1", &m.alarm1)) != PP_OK ||
		    (rc = get_money(s, n, "alarm2", &m.alarm2)) != PP_OK ||
		    (rc = get_int(s, n, "overload_w", 1, 1000000,
		    &m.overload_w)) != PP_OK)
			return rc;
		/* The same meter twice in one file is a typo, not an update. */
		if ((rc = pp_exec(s->db, "INSERT INTO listed_meters(meter) "
		    "VALUES (?)", "t", m.meter)) != PP_OK)
			return bad(s, get(s, n, "meter"), "meter", "%s is listed "
			    "twice", m.meter);
		if ((rc = meter_upsert(s->db, &m, &changed)) != PP_OK) {
			char why[PP_ERRMAX];

			snprintf(why, sizeof(why), "%s", pp_errmsg(s->db));
			return bad(s, n, m.meter, "%s", why);
		}
		s->st->meters++;
		s->st->changed += changed;
	}
	return PP_OK;
}

static int
load_gateways(struct site *s, yaml_node_t *list, int64_t building_id,
    const char *building)
{
	static const char *const keys[] = { "name", "address", "timeout_ms",
	    "retries", "meters", NULL };
	yaml_node_item_t *it;
	const char *name, *address;
	char err[PP_ERRMAX];
	struct pp_link_addr link;
	int64_t timeout_ms, retries;
	int rc;

	if (list == NULL)
		return PP_OK;
	if (list->type != YAML_SEQUENCE_NODE)
		return bad(s, list, "gateways", "expected a list");
	for (it = list->data.sequence.items.start;
	    it < list->data.sequence.items.top; it++) {
		yaml_node_t *g = node(s, *it);

		timeout_ms = 500;
		retries = 2;
		if ((rc = check_keys(s, g, "gateway", keys)) != PP_OK ||
		    (rc = get_key(s, g, "name", 1, &name)) != PP_OK ||
		    (rc = get_text(s, g, "address", 1, 256, &address)) !=
		    PP_OK ||
		    (rc = get_int(s, g, "timeout_ms", 10, 60000, &timeout_ms))
		    != PP_OK ||
		    (rc = get_int(s, g, "retries", 0, 10, &retries)) != PP_OK)
			return rc;
		if (pp_link_addr_parse(address, &link, err, sizeof(err)) !=
		    PP_OK)
			return bad(s, get(s, g, "address"), "address", "%s",
			    err);
		if ((rc = pp_exec(s->db, "INSERT INTO listed_gateways(name) "
		    "VALUES (?)", "t", name)) != PP_OK)
			return bad(s, get(s, g, "name"), "name", "gateway %s is "
			    "listed twice", name);
		if ((rc = pp_exec(s->db, "INSERT INTO gateways(name, "
		    "building_id, address, timeout_ms, retries) VALUES (?, ?, "
		    "?, ?, ?) ON CONFLICT(name) DO UPDATE SET building_id = "
		    "excluded.building_id, address = excluded.address, "
		    "timeout_ms = excluded.timeout_ms, retries = "
		    "excluded.retries WHERE (building_id, address, timeout_ms, "
		    "retries) IS NOT (excluded.building_id, excluded.address, "
		    "excluded.timeout_ms, excluded.retries)", "titii",
		    name, building_id, address, timeout_ms, retries)) !=
		    PP_OK)
			return rc;
		s->st->changed += sqlite3_changes(s->db->sql);
		s->st->gateways++;
		if ((rc = load_meters(s, get(s, g, "meters"), name, building))
		    != PP_OK)
			return rc;
	}
	return PP_OK;
}

static int
load_buildings(struct site *s, yaml_node_t *list)
{
	static const char *const keys[] = { "name", "gateways", NULL };
	yaml_node_item_t *it;
	const char *name;
	int64_t id;
	int rc;

	if (list == NULL)
		return PP_OK;
	if (list->type != YAML_SEQUENCE_NODE)
		return bad(s, list, "buildings", "expected a list");
	for (it = list->data.sequence.items.start;
	    it < list->data.sequence.items.top; it++) {
		yaml_node_t *b = node(s, *it);

		if ((rc = check_keys(s, b, "building", keys)) != PP_OK ||
		    (rc = get_text(s, b, "name", 1, PP_KEYMAX, &name)) != PP_OK)
			return rc;
		rc = pp_query_int(s->db, &id, "SELECT id FROM buildings WHERE "
		    "name = ?", "t", name);
		if (rc == PP_EDATA) {
			rc = pp_query_int(s->db, &id, "INSERT INTO buildings("
			    "name) VALUES (?) RETURNING id", "t", name);
			s->st->changed++;
		}
		if (rc != PP_OK)
			return rc;
		s->st->buildings++;
		if ((rc = load_gateways(s, get(s, b, "gateways"), id, name)) !=
		    PP_OK)
			return rc;
	}
	return PP_OK;
}

static int
load_document(struct site *s)
{
	static const char *const keys[] = { "site", "defaults", "operators",
	    "tariffs", "buildings", "messages", "holidays", NULL };
	yaml_node_t *root = yaml_document_get_root_node(&s->doc);
	const char *name = NULL;
	int rc;

	if (root == NULL)
		return pp_fail(s->db, PP_ECONFIG, "%s: empty site file",
		    s->path);
	if ((rc = check_keys(s, root, "the site file", keys)) != PP_OK ||
	    (rc = get_text(s, root, "site", 0, PP_NAMEMAX, &name)) != PP_OK)
		return rc;
	if (name && (rc = pp_exec(s->db, "INSERT INTO meta(key, value) VALUES "
	    "('site', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value "
	    "WHERE value IS NOT excluded.value", "t", name)) != PP_OK)
		return rc;
	s->st->changed += name ? sqlite3_changes(s->db->sql) : 0;
	if ((rc = pp_exec(s->db, "CREATE TEMP TABLE IF NOT EXISTS "
	    "listed_meters(meter TEXT PRIMARY KEY)", "")) != PP_OK ||
	    (rc = pp_exec(s->db, "DELETE FROM listed_meters", "")) != PP_OK ||
	    (rc = pp_exec(s->db, "CREATE TEMP TABLE IF NOT EXISTS "
	    "listed_gateways(name TEXT PRIMARY KEY)", "")) != PP_OK ||
	    (rc = pp_exec(s->db, "DELETE FROM listed_gateways", "")) != PP_OK)
		return rc;
	if ((rc = load_defaults(s, get(s, root, "defaults"))) != PP_OK ||
	    (rc = load_messages(s, get(s, root, "messages"))) != PP_OK ||
	    (rc = load_holidays(s, get(s, root, "holidays"))) != PP_OK ||
	    (rc = load_operators(s, get(s, root, "operators"))) != PP_OK ||
	    (rc = load_tariffs(s, get(s, root, "tariffs"))) != PP_OK ||
	    (rc = load_buildings(s, get(s, root, "buildings"))) != PP_OK)
		return rc;
	return PP_OK;
}

/*
 * The rows only site-load writes, in one canonical text (acct-open's
 * account counter, kept among the settings, is not one of them).  A change made
 * around the tools shows as a digest that no audit entry recorded.
 */
static const char site_rows_sql[] =
    "SELECT 'operator', login, role, source, '' FROM operators "
    "UNION ALL SELECT 'setting', key, value, '', '' FROM settings WHERE "
    "key <> 'next_account' "
    "UNION ALL SELECT 'tariff', t.name, v.effective, coalesce(v.price, ''), "
    "coalesce(v.tier_period, '') || '|' || v.spec FROM tariffs t JOIN "
    "tariff_versions v ON v.tariff_id = t.id "
    "UNION ALL SELECT 'window', w.version_id, w.seq, w.name, w.start_min || "
    "'-' || w.end_min || ':' || w.price FROM tariff_windows w "
    "UNION ALL SELECT 'step', s.version_id, s.seq, coalesce(s.upto_wh, ''), "
    "s.add_price FROM tariff_steps s "
    "ORDER BY 1, 2, 3";

int
pp_site_digest(pp_db *db, char out[65])
{
	sqlite3_stmt *st;
	char *text = NULL, *grown;
	size_t len = 0;
	int rc, i;

	if ((st = pp_stmt(db, site_rows_sql)) == NULL)
		return PP_EINTERNAL;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (i = 0; i < 5; i++) {
			const char *v = (const char *)sqlite3_column_text(st, i);
			size_t n = v ? strlen(v) : 0;

			if ((grown = realloc(text, len + n + 2)) == NULL) {
				sqlite3_reset(st);
				free(text);
				return pp_fail(db, PP_EINTERNAL, "out of memory");
			}
			text = grown;
			memcpy(text + len, v ? v : "", n);
			len += n;
			text[len++] = i == 4 ? '\n' : '\x1f';
			text[len] = '\0';
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		free(text);
		return pp_sqlfail(db, "site digest");
	}
	rc = pp_chain_hash("", text ? text : "", out);
	free(text);
	return rc == PP_OK ? PP_OK : pp_fail(db, rc, "site digest: hash failed");
}

static int
note_site_digest(pp_db *db)
{
	char digest[65];
	int rc;

	if ((rc = pp_site_digest(db, digest)) == PP_OK)
		pp_audit_note(db, PP_SITE_DIGEST_NOTE "%s", digest);
	return rc;
}

int
pp_site_load(pp_db *db, const char *path, struct pp_load_stats *st)
{
	struct site s;
	char err[PP_ERRMAX];
	int rc;

	memset(st, 0, sizeof(*st));
	memset(&s, 0, sizeof(s));
	s.db = db;
	s.path = path;
	s.st = st;
	if ((rc = pp_yaml_load(path, &s.doc, PP_ECONFIG, err, sizeof(err))) !=
	    PP_OK)
		return pp_fail(db, rc, "%s", err);
	if ((rc = pp_tx_begin(db)) == PP_OK) {
		if ((rc = load_document(&s)) == PP_OK &&
		    (rc = note_site_digest(db)) == PP_OK)
			rc = pp_tx_commit(db);
		else
			pp_tx_rollback(db);
	}
	yaml_document_delete(&s.doc);
	return rc;
}

int
pp_meter_import_row(pp_db *db, const pp_csv *row, int *changed)
{
	struct meter_def m;
	char err[PP_ERRMAX];
	const char *v;

	memset(&m, 0, sizeof(m));
	m.meter = pp_csv_get(row, "meter");
	m.gateway = pp_csv_get(row, "gateway");
	m.profile = pp_csv_get(row, "profile");
	m.building = pp_csv_get(row, "building");
	m.floor = pp_csv_get(row, "floor");
	m.room = pp_csv_get(row, "room");
	m.tariff = pp_csv_get(row, "tariff");
	m.billing = pp_csv_get(row, "billing");
	if (m.billing == NULL || *m.billing == '\0')
		m.billing = "account";
	m.address = pp_csv_get(row, "address");
	if (m.meter == NULL || m.gateway == NULL || m.profile == NULL)
		return pp_fail(db, PP_EDATA, "the columns meter, gateway and "
		    "profile are required");
	if ((v = pp_csv_get(row, "unit")) && *v &&
	    pp_int_parse(v, 1, 247, &m.unit, err, sizeof(err)) != PP_OK)
		return pp_fail(db, PP_EDATA, "unit %s", err);
	m.price = m.alarm1 = m.alarm2 = m.overload_w = -1;
	if ((v = pp_csv_get(row, "price")) && *v &&
	    pp_price_parse(v, &m.price, err, sizeof(err)) != PP_OK)
		return pp_fail(db, PP_EDATA, "%s", err);
	if ((v = pp_csv_get(row, "alarm1")) && *v &&
	    pp_money_parse(v, 0, -1, &m.alarm1, err, sizeof(err)) != PP_OK)
		return pp_fail(db, PP_EDATA, "alarm1: %s", err);
	if ((v = pp_csv_get(row, "alarm2")) && *v &&
	    pp_money_parse(v, 0, -1, &m.alarm2, err, sizeof(err)) != PP_OK)
		return pp_fail(db, PP_EDATA, "alarm2: %s", err);
	if ((v = pp_csv_get(row, "overload_w")) && *v &&
	    pp_int_parse(v, 1, 1000000, &m.overload_w, err, sizeof(err)) !=
	    PP_OK)
		return pp_fail(db, PP_EDATA, "overload_w %s", err);
	return meter_upsert(db, &m, changed);
}
