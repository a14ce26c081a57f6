/*
 * siteparse.c: the site file (prepay.yaml(5)) read into a checked
 * struct pp__site, the one model that site-load stores (site.c) and
 * meter-sim serves.  What can be told from the file alone is checked
 * here; what needs the database (a unit already taken, a profile's
 * protocol) is checked where the model is used.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "siteparse.h"
#include "web.h"

/*
 * A tariff as the site file gives it is whole: a price or windows that
 * cover the day once, tier steps that rise (tariff.c stores it).
 */
int
pp__tariff_check(const struct pp__tariff_spec *t, char *err, size_t errlen)
{
	unsigned char covered[1440];
	int i, j, m;

	if (t->price < 0 && t->nwin == 0) {
		snprintf(err, errlen, "a tariff needs price or tou");
		return PP_ECONFIG;
	}
	if (t->price >= 0 && t->nwin > 0) {
		snprintf(err, errlen, "give price or tou, not both");
		return PP_ECONFIG;
	}
	memset(covered, 0, sizeof(covered));
	for (i = 0; i < t->nwin; i++) {
		for (j = 0; j < i; j++)
			if (strcmp(t->win[i].name, t->win[j].name) == 0 &&
			    t->win[i].price != t->win[j].price) {
				snprintf(err, errlen, "window %s appears twice "
				    "with different prices", t->win[i].name);
				return PP_ECONFIG;
			}
		if (t->win[i].from == t->win[i].to) {
			snprintf(err, errlen, "window %s is empty",
			    t->win[i].name);
			return PP_ECONFIG;
		}
		/* A window may cross midnight: 22:00-08:00. */
		for (m = t->win[i].from; m != t->win[i].to; m = (m + 1) % 1440) {
			if (covered[m]) {
				snprintf(err, errlen, "window %s overlaps "
				    "another at %02d:%02d", t->win[i].name,
				    m / 60, m % 60);
				return PP_ECONFIG;
			}
			covered[m] = 1;
			if (m == 1439 && t->win[i].to == 1440)
				break;
		}
	}
	for (m = 0; t->nwin > 0 && m < 1440; m++)
		if (!covered[m]) {
			snprintf(err, errlen, "the tou windows leave %02d:%02d "
			    "uncovered; they must cover the whole day", m / 60,
			    m % 60);
			return PP_ECONFIG;
		}
	if (t->nstep > 0 && t->period[0] == '\0') {
		snprintf(err, errlen, "tiers need a period: year or month");
		return PP_ECONFIG;
	}
	for (i = 0; i < t->nstep; i++) {
		if (t->step[i].upto_wh < 0 && i != t->nstep - 1) {
			snprintf(err, errlen, "only the last tier step may go "
			    "without upto");
			return PP_ECONFIG;
		}
		if (i > 0 && t->step[i].upto_wh >= 0 &&
		    t->step[i].upto_wh <= t->step[i - 1].upto_wh) {
			snprintf(err, errlen, "tier steps must rise: upto "
			    "%lld kWh after %lld kWh",
			    (long long)t->step[i].upto_wh / 1000,
			    (long long)t->step[i - 1].upto_wh / 1000);
			return PP_ECONFIG;
		}
	}
	if (t->nstep > 0 && t->step[t->nstep - 1].upto_wh >= 0) {
		snprintf(err, errlen, "the last tier step must have no upto");
		return PP_ECONFIG;
	}
	return PP_OK;
}

/* Names seen so far, to find one listed twice in a site of thousands. */
struct seen {
	const char	**slot;		/* open addressing; NULL: free */
	size_t		  cap, n;
};

/* A site being read. */
struct parse {
	struct pp__yaml	*y;
	struct pp__site	*s;
	size_t		 caphol, capop, captar, capb, capg, capm;
	struct seen	 logins, gateways, meters;
};

static size_t
slot_of(const struct seen *h, const char *name)
{
	uint64_t x = 0xCBF29CE484222325ULL;	/* FNV-1a */

	while (*name)
		x = (x ^ (unsigned char)*name++) * 0x100000001B3ULL;
	return (size_t)x & (h->cap - 1);
}

/* 1 when name was seen already, else 0 and it is; -1: out of memory. */
static int
seen(struct seen *h, const char *name)
{
	const char **old = h->slot;
	size_t i, k, oldcap = h->cap;

	if (2 * (h->n + 1) > h->cap) {
		h->cap = h->cap ? 2 * h->cap : 64;
		if ((h->slot = calloc(h->cap, sizeof(*h->slot))) == NULL) {
			h->slot = old;
			h->cap = oldcap;
			return -1;
		}
		for (k = 0; k < oldcap; k++) {
			if (old[k] == NULL)
				continue;
			for (i = slot_of(h, old[k]); h->slot[i];
			    i = (i + 1) & (h->cap - 1))
				;
			h->slot[i] = old[k];
		}
		free(old);
	}
	for (i = slot_of(h, name); h->slot[i]; i = (i + 1) & (h->cap - 1))
		if (strcmp(h->slot[i], name) == 0)
			return 1;
	h->slot[i] = name;
	h->n++;
	return 0;
}

static int
nomem(struct parse *p)
{
	snprintf(p->y->err, p->y->errlen, "out of memory");
	return PP_EINTERNAL;
}

#define bad(p, n, key, ...) \
	pp__yaml_bad((p)->y, pp__yaml_line(n), (key), __VA_ARGS__)
#define get(p, map, key)	pp__yaml_get((p)->y, (map), (key))

static int
check_window_text(const char *s)
{
	char a[6], b[6];
	int x, y;

	if (strlen(s) != 11 || s[5] != '-')
		return PP_EDATA;
	memcpy(a, s, 5), a[5] = '\0';
	memcpy(b, s + 6, 5), b[5] = '\0';
	return pp__clock_parse(a, &x) == PP_OK && pp__clock_parse(b, &y) ==
	    PP_OK && x != y ? PP_OK : PP_EDATA;
}

/* The numbers of defaults:, each -1 when not given. */
static int
parse_default_numbers(struct parse *p, const yaml_node_t *d)
{
	struct pp__site_defaults *df = &p->s->defaults;
	int rc;

	if ((rc = pp__yaml_money(p->y, d, "alarm1", &df->alarm1)) != PP_OK ||
	    (rc = pp__yaml_money(p->y, d, "alarm2", &df->alarm2)) != PP_OK ||
	    (rc = pp__yaml_money(p->y, d, "max_balance", &df->max_balance)) !=
	    PP_OK ||
	    (rc = pp__yaml_money(p->y, d, "max_sale", &df->max_sale)) !=
	    PP_OK ||
	    (rc = pp__yaml_price(p->y, d, "price", &df->price)) != PP_OK ||
	    (rc = pp__yaml_int(p->y, d, "overload_w", 1, 1000000,
	    &df->overload_w)) != PP_OK ||
	    (rc = pp__yaml_int(p->y, d, "poll_minutes", 1, 1440,
	    &df->poll_minutes)) != PP_OK ||
	    (rc = pp__yaml_int(p->y, d, "poll_seconds", 0, 86400,
	    &df->poll_seconds)) != PP_OK ||
	    (rc = pp__yaml_int(p->y, d, "lost_after", 1, 100,
	    &df->lost_after)) != PP_OK ||
	    (rc = pp__yaml_int(p->y, d, "command_alarm", 1, 1000,
	    &df->command_alarm)) != PP_OK ||
	    (rc = pp__yaml_int(p->y, d, "slow_every", 1, 10000,
	    &df->slow_every)) != PP_OK)
		return rc;
	return PP_OK;
}

static int
parse_defaults(struct parse *p, const yaml_node_t *d)
{
	static const char *const keys[] = { "price", "alarm1", "alarm2",
	    "overload_w", "max_balance", "max_sale", "poll_minutes", "no_trip",
	    "sms_to", "lost_after", "voltage_band", "command_alarm",
	    "poll_seconds", "slow_every", NULL };
	struct pp__site_defaults *df = &p->s->defaults;
	int rc, lo, hi, n = 0;

	if (d == NULL)
		return PP_OK;
	if ((rc = pp__yaml_keys(p->y, d, "defaults", keys)) != PP_OK ||
	    (rc = parse_default_numbers(p, d)) != PP_OK ||
	    (rc = pp__yaml_text(p->y, d, "voltage_band", 0, 32,
	    &df->voltage_band)) != PP_OK)
		return rc;
	if (df->voltage_band && (sscanf(df->voltage_band, "%d-%d%n", &lo, &hi,
	    &n) != 2 || (size_t)n != strlen(df->voltage_band) || lo < 1 ||
	    hi <= lo || hi > 1000))
		return bad(p, get(p, d, "voltage_band"), "voltage_band",
		    "\"%s\": use LOW-HIGH in volts, e.g. 198-242",
		    pp_q(df->voltage_band));
	if ((rc = pp__yaml_text(p->y, d, "no_trip", 0, 32, &df->no_trip)) !=
	    PP_OK)
		return rc;
	if (df->no_trip && *df->no_trip &&
	    check_window_text(df->no_trip) != PP_OK)
		return bad(p, get(p, d, "no_trip"), "no_trip", "\"%s\": use "
		    "HH:MM-HH:MM, e.g. 20:00-08:00", pp_q(df->no_trip));
	return pp__yaml_text(p->y, d, "sms_to", 0, PP_KEYMAX, &df->sms_to);
}

/* The notices' texts, one template per alarm kind. */
static int
parse_messages(struct parse *p, const yaml_node_t *map)
{
	static const char *const kinds[] = { PP_SITE_MESSAGES, NULL };
	yaml_node_t *k;
	const char *kind;
	size_t i;
	int rc, j;

	if (map == NULL)
		return PP_OK;
	if ((rc = pp__yaml_keys(p->y, map, "messages", kinds)) != PP_OK)
		return rc;
	for (i = 0; i < pp__yaml_count(map); i++) {
		(void)pp__yaml_pair(p->y, map, i, &k);
		kind = pp__yaml_scalar(k);
		for (j = 0; strcmp(kinds[j], kind); j++)
			;
		if ((rc = pp__yaml_text(p->y, map, kind, 1, 512,
		    &p->s->defaults.msg[j])) != PP_OK)
			return rc;
	}
	return PP_OK;
}

/* The holidays, YYYY-MM-DD: the file's list replaces the stored one. */
static int
parse_holidays(struct parse *p, const yaml_node_t *list)
{
	struct pp__site *s = p->s;
	char err[PP_ERRMAX];
	yaml_node_t *n;
	const char *day;
	int64_t t;
	size_t i;

	if (list == NULL)
		return PP_OK;
	if (list->type != YAML_SEQUENCE_NODE)
		return bad(p, list, "holidays", "expected a list of dates");
	s->has_holidays = 1;
	for (i = 0; i < pp__yaml_count(list); i++) {
		n = pp__yaml_item(p->y, list, i);
		if ((day = pp__yaml_scalar(n)) == NULL || strlen(day) != 10 ||
		    pp_time_parse(day, &t, err, sizeof(err)) != PP_OK)
			return bad(p, n, "holidays", "\"%s\": use YYYY-MM-DD",
			    pp_q(day));
		if (pp_grow(&s->holidays, &p->caphol, s->nholidays + 1,
		    sizeof(*s->holidays)) != PP_OK)
			return nomem(p);
		s->holidays[s->nholidays++] = day;
	}
	return PP_OK;
}

static int
parse_operators(struct parse *p, const yaml_node_t *list)
{
	static const char *const keys[] = { "login", "role", "name", NULL };
	/* As pp__role_parse takes them, the highest first. */
	static const char *const roles[] = { "admin", "supervisor", "cashier",
	    "poller", "auditor", NULL };
	struct pp__site *s = p->s;
	struct pp__site_operator *op;
	yaml_node_t *n;
	size_t i;
	int rc, role;

	if (list == NULL)
		return PP_OK;
	if (list->type != YAML_SEQUENCE_NODE)
		return bad(p, list, "operators", "expected a list");
	s->has_operators = 1;
	for (i = 0; i < pp__yaml_count(list); i++) {
		n = pp__yaml_item(p->y, list, i);
		if (pp_grow(&s->operators, &p->capop, s->noperators + 1,
		    sizeof(*s->operators)) != PP_OK)
			return nomem(p);
		op = &s->operators[s->noperators];
		memset(op, 0, sizeof(*op));
		if ((rc = pp__yaml_keys(p->y, n, "operator", keys)) != PP_OK ||
		    (rc = pp__yaml_name(p->y, n, "login", 1, &op->login)) !=
		    PP_OK ||
		    (rc = pp__yaml_enum(p->y, n, "role", 32, roles, &role)) !=
		    PP_OK ||
		    (rc = pp__yaml_text(p->y, n, "name", 0, PP_NAMEMAX,
		    &op->name)) != PP_OK)
			return rc;
		op->role = roles[role];
		if ((rc = seen(&p->logins, op->login)) == -1)
			return nomem(p);
		if (rc)
			return bad(p, n, "login", "%s is listed twice",
			    op->login);
		s->noperators++;
	}
	return PP_OK;
}

static int
parse_tou(struct parse *p, const yaml_node_t *list, struct pp__tariff_spec *t)
{
	static const char *const keys[] = { "name", "from", "to", "price",
	    NULL };
	const char *name, *from, *to;
	yaml_node_t *w;
	size_t i;
	int rc;

	if (list->type != YAML_SEQUENCE_NODE)
		return bad(p, list, "tou", "expected a list of windows");
	for (i = 0; i < pp__yaml_count(list); i++) {
		w = pp__yaml_item(p->y, list, i);
		if (t->nwin == PP_TARIFF_MAXWIN)
			return bad(p, w, "tou", "more than %d windows",
			    PP_TARIFF_MAXWIN);
		t->win[t->nwin].price = -1;
		if ((rc = pp__yaml_keys(p->y, w, "tou window", keys)) !=
		    PP_OK ||
		    (rc = pp__yaml_name(p->y, w, "name", 1, &name)) != PP_OK ||
		    (rc = pp__yaml_text(p->y, w, "from", 1, 8, &from)) !=
		    PP_OK ||
		    (rc = pp__yaml_text(p->y, w, "to", 1, 8, &to)) != PP_OK ||
		    (rc = pp__yaml_price(p->y, w, "price",
		    &t->win[t->nwin].price)) != PP_OK)
			return rc;
		if (t->win[t->nwin].price < 0)
			return bad(p, w, "price", "missing");
		if (strlen(name) >= sizeof(t->win[0].name))
			return bad(p, w, "name", "too long");
		snprintf(t->win[t->nwin].name, sizeof(t->win[0].name), "%s",
		    name);
		if (pp__clock_parse(from, &t->win[t->nwin].from) != PP_OK ||
		    t->win[t->nwin].from == 1440)
			return bad(p, get(p, w, "from"), "from", "\"%s\": use "
			    "HH:MM", pp_q(from));
		if (pp__clock_parse(to, &t->win[t->nwin].to) != PP_OK)
			return bad(p, get(p, w, "to"), "to", "\"%s\": use "
			    "HH:MM", pp_q(to));
		if (t->win[t->nwin].to == 0)
			t->win[t->nwin].to = 1440;
		t->nwin++;
	}
	return PP_OK;
}

static int
parse_tiers(struct parse *p, const yaml_node_t *tiers,
    struct pp__tariff_spec *t)
{
	static const char *const keys[] = { "period", "steps", NULL };
	static const char *const step_keys[] = { "upto", "add", NULL };
	static const char *const periods[] = { "year", "month", NULL };
	yaml_node_t *steps, *st;
	const char *upto;
	char err[PP_ERRMAX];
	size_t i;
	int rc, period;

	if ((rc = pp__yaml_keys(p->y, tiers, "tiers", keys)) != PP_OK ||
	    (rc = pp__yaml_enum(p->y, tiers, "period", 8, periods, &period)) !=
	    PP_OK)
		return rc;
	snprintf(t->period, sizeof(t->period), "%s", periods[period]);
	if ((steps = get(p, tiers, "steps")) == NULL ||
	    steps->type != YAML_SEQUENCE_NODE)
		return bad(p, steps ? steps : tiers, "steps", "expected a list "
		    "of {upto: KWH, add: PRICE}");
	for (i = 0; i < pp__yaml_count(steps); i++) {
		st = pp__yaml_item(p->y, steps, i);
		if (t->nstep == PP_TARIFF_MAXSTEP)
			return bad(p, st, "steps", "more than %d steps",
			    PP_TARIFF_MAXSTEP);
		t->step[t->nstep].upto_wh = -1;
		t->step[t->nstep].add = -1;
		upto = NULL;
		if ((rc = pp__yaml_keys(p->y, st, "tier step", step_keys)) !=
		    PP_OK ||
		    (rc = pp__yaml_text(p->y, st, "upto", 0, 32, &upto)) !=
		    PP_OK ||
		    (rc = pp__yaml_price(p->y, st, "add",
		    &t->step[t->nstep].add)) != PP_OK)
			return rc;
		if (t->step[t->nstep].add < 0)
			return bad(p, st, "add", "missing");
		if (upto && pp_energy_parse(upto, &t->step[t->nstep].upto_wh,
		    err, sizeof(err)) != PP_OK)
			return bad(p, get(p, st, "upto"), "upto", "%s", err);
		t->nstep++;
	}
	return PP_OK;
}

static int
parse_tariff(struct parse *p, const char *name, const yaml_node_t *def,
    struct pp__tariff_spec *t)
{
	static const char *const keys[] = { "price", "tou", "tiers", NULL };
	char err[PP_ERRMAX];
	yaml_node_t *n;
	int rc;

	memset(t, 0, sizeof(*t));
	t->price = -1;
	if ((rc = pp__yaml_keys(p->y, def, name, keys)) != PP_OK ||
	    (rc = pp__yaml_price(p->y, def, "price", &t->price)) != PP_OK)
		return rc;
	if ((n = get(p, def, "tou")) && (rc = parse_tou(p, n, t)) != PP_OK)
		return rc;
	if ((n = get(p, def, "tiers")) && (rc = parse_tiers(p, n, t)) !=
	    PP_OK)
		return rc;
	if (pp__tariff_check(t, err, sizeof(err)) != PP_OK)
		return bad(p, def, name, "%s", err);
	return PP_OK;
}

static int
parse_tariffs(struct parse *p, const yaml_node_t *map)
{
	struct pp__site *s = p->s;
	struct pp__site_tariff *t;
	yaml_node_t *k, *def;
	char err[PP_ERRMAX];
	const char *name;
	size_t i;
	int rc;

	if (map == NULL)
		return PP_OK;
	if (map->type != YAML_MAPPING_NODE)
		return bad(p, map, "tariffs", "expected a mapping of name: "
		    "tariff");
	for (i = 0; i < pp__yaml_count(map); i++) {
		def = pp__yaml_pair(p->y, map, i, &k);
		name = pp__yaml_scalar(k);
		if (name == NULL || pp__key_check("tariff", name, PP_KEYMAX,
		    err,
		    sizeof(err)) != PP_OK)
			return bad(p, k, "tariffs", "%s",
			    name ? err : "a tariff name must be text");
		if (pp_grow(&s->tariffs, &p->captar, s->ntariffs + 1,
		    sizeof(*s->tariffs)) != PP_OK)
			return nomem(p);
		t = &s->tariffs[s->ntariffs];
		t->name = name;
		if ((rc = parse_tariff(p, name, def, &t->spec)) != PP_OK)
			return rc;
		s->ntariffs++;
	}
	return PP_OK;
}

/* The line of key's value in map, 0 when it is not there. */
static long
line_of(struct parse *p, const yaml_node_t *map, const char *key)
{
	return pp__yaml_line(get(p, map, key));
}

static int
parse_meter_keys(struct parse *p, const yaml_node_t *n,
    struct pp__site_meter *m)
{
	static const char *const keys[] = { "meter", "unit", "address",
	    "profile", "floor", "room", "tariff", "price", "billing", "alarm1",
	    "alarm2", "overload_w", NULL };
	int rc;

	if ((rc = pp__yaml_keys(p->y, n, "meter", keys)) != PP_OK ||
	    (rc = pp__yaml_name(p->y, n, "meter", 1, &m->meter)) != PP_OK ||
	    (rc = pp__yaml_int(p->y, n, "unit", 1, 247, &m->unit)) != PP_OK ||
	    (rc = pp__yaml_text(p->y, n, "address", 0, 16, &m->address)) !=
	    PP_OK ||
	    (rc = pp__yaml_name(p->y, n, "profile", 1, &m->profile)) != PP_OK ||
	    (rc = pp__yaml_text(p->y, n, "floor", 0, PP_KEYMAX, &m->floor)) !=
	    PP_OK ||
	    (rc = pp__yaml_text(p->y, n, "room", 0, PP_KEYMAX, &m->room)) !=
	    PP_OK ||
	    (rc = pp__yaml_name(p->y, n, "tariff", 0, &m->tariff)) != PP_OK ||
	    (rc = pp__yaml_price(p->y, n, "price", &m->price)) != PP_OK ||
	    (rc = pp__yaml_text(p->y, n, "billing", 0, 16, &m->billing)) !=
	    PP_OK ||
	    (rc = pp__yaml_money(p->y, n, "alarm1", &m->alarm1)) != PP_OK ||
	    (rc = pp__yaml_money(p->y, n, "alarm2", &m->alarm2)) != PP_OK ||
	    (rc = pp__yaml_int(p->y, n, "overload_w", 1, 1000000,
	    &m->overload_w)) != PP_OK)
		return rc;
	return PP_OK;
}

static int
parse_meters(struct parse *p, const yaml_node_t *list,
    struct pp__site_gateway *g, const char *building)
{
	struct pp__site *s = p->s;
	struct pp__site_meter *m;
	yaml_node_t *n;
	size_t i;
	int rc;

	g->first = s->nmeters;
	if (list == NULL)
		return PP_OK;
	if (list->type != YAML_SEQUENCE_NODE)
		return bad(p, list, "meters", "expected a list");
	for (i = 0; i < pp__yaml_count(list); i++) {
		n = pp__yaml_item(p->y, list, i);
		if (pp_grow(&s->meters, &p->capm, s->nmeters + 1,
		    sizeof(*s->meters)) != PP_OK)
			return nomem(p);
		m = &s->meters[s->nmeters];
		memset(m, 0, sizeof(*m));
		m->gateway = g->name;
		m->building = building;
		m->billing = "account";
		m->price = m->alarm1 = m->alarm2 = m->overload_w = -1;
		if ((rc = parse_meter_keys(p, n, m)) != PP_OK)
			return rc;
		/* The same meter twice in one file is a typo, not an update. */
		if ((rc = seen(&p->meters, m->meter)) == -1)
			return nomem(p);
		if (rc)
			return bad(p, get(p, n, "meter"), "meter", "%s is "
			    "listed twice", m->meter);
		m->line = pp__yaml_line(n);
		m->meter_line = line_of(p, n, "meter");
		m->profile_line = line_of(p, n, "profile");
		m->unit_line = line_of(p, n, "unit");
		m->address_line = line_of(p, n, "address");
		s->nmeters++;
		g->nmeters++;
	}
	return PP_OK;
}

static int
parse_gateway(struct parse *p, const yaml_node_t *n,
    struct pp__site_gateway *g)
{
	static const char *const keys[] = { "name", "address", "timeout_ms",
	    "retries", "baud", "turnaround_ms", "poller", "meters", NULL };
	char err[PP_ERRMAX];
	int rc;

	memset(g, 0, sizeof(*g));
	g->timeout_ms = 500;
	g->retries = 2;
	g->turnaround_ms = 1;
	g->line = pp__yaml_line(n);
	if ((rc = pp__yaml_keys(p->y, n, "gateway", keys)) != PP_OK ||
	    (rc = pp__yaml_name(p->y, n, "name", 1, &g->name)) != PP_OK ||
	    (rc = pp__yaml_text(p->y, n, "address", 1, 256, &g->address)) !=
	    PP_OK ||
	    (rc = pp__yaml_name(p->y, n, "poller", 0, &g->poller)) != PP_OK ||
	    (rc = pp__yaml_int(p->y, n, "timeout_ms", 10, 60000,
	    &g->timeout_ms)) != PP_OK ||
	    (rc = pp__yaml_int(p->y, n, "retries", 0, 10, &g->retries)) !=
	    PP_OK ||
	    (rc = pp__yaml_int(p->y, n, "baud", 300, 921600, &g->baud)) !=
	    PP_OK ||
	    (rc = pp__yaml_int(p->y, n, "turnaround_ms", 0, 1000,
	    &g->turnaround_ms)) != PP_OK)
		return rc;
	if (pp__link_addr_parse(g->address, &g->link, err, sizeof(err)) !=
	    PP_OK)
		return bad(p, get(p, n, "address"), "address", "%s", err);
	/* The line's own settings are the address's (link.c). */
	if (g->baud && !g->link.tcp)
		return bad(p, get(p, n, "baud"), "baud", "a serial gateway's "
		    "baud is in its address (serial:/dev/X?baud=N)");
	if ((rc = seen(&p->gateways, g->name)) == -1)
		return nomem(p);
	if (rc)
		return bad(p, get(p, n, "name"), "name", "gateway %s is listed "
		    "twice", g->name);
	return PP_OK;
}

static int
parse_gateways(struct parse *p, const yaml_node_t *list,
    struct pp__site_building *b)
{
	struct pp__site *s = p->s;
	struct pp__site_gateway *g;
	yaml_node_t *n;
	size_t i;
	int rc;

	b->first = s->ngateways;
	if (list == NULL)
		return PP_OK;
	if (list->type != YAML_SEQUENCE_NODE)
		return bad(p, list, "gateways", "expected a list");
	for (i = 0; i < pp__yaml_count(list); i++) {
		n = pp__yaml_item(p->y, list, i);
		if (pp_grow(&s->gateways, &p->capg, s->ngateways + 1,
		    sizeof(*s->gateways)) != PP_OK)
			return nomem(p);
		g = &s->gateways[s->ngateways];
		if ((rc = parse_gateway(p, n, g)) != PP_OK ||
		    (rc = parse_meters(p, get(p, n, "meters"), g, b->name)) !=
		    PP_OK)
			return rc;
		s->ngateways++;
		b->ngateways++;
	}
	return PP_OK;
}

static int
parse_buildings(struct parse *p, const yaml_node_t *list)
{
	static const char *const keys[] = { "name", "gateways", NULL };
	struct pp__site *s = p->s;
	struct pp__site_building *b;
	yaml_node_t *n;
	size_t i;
	int rc;

	if (list == NULL)
		return PP_OK;
	if (list->type != YAML_SEQUENCE_NODE)
		return bad(p, list, "buildings", "expected a list");
	for (i = 0; i < pp__yaml_count(list); i++) {
		n = pp__yaml_item(p->y, list, i);
		if (pp_grow(&s->buildings, &p->capb, s->nbuildings + 1,
		    sizeof(*s->buildings)) != PP_OK)
			return nomem(p);
		b = &s->buildings[s->nbuildings];
		memset(b, 0, sizeof(*b));
		if ((rc = pp__yaml_keys(p->y, n, "building", keys)) != PP_OK ||
		    (rc = pp__yaml_text(p->y, n, "name", 1, PP_KEYMAX,
		    &b->name)) != PP_OK ||
		    (rc = parse_gateways(p, get(p, n, "gateways"), b)) != PP_OK)
			return rc;
		s->nbuildings++;
	}
	return PP_OK;
}

static int
parse_document(struct parse *p)
{
	static const char *const keys[] = { "site", "defaults", "operators",
	    "tariffs", "buildings", "messages", "holidays", "payments", "web",
	    NULL };
	yaml_node_t *root = pp__yaml_root(p->y);
	struct pp__web_conf web;
	int rc;

	if (root == NULL) {
		snprintf(p->y->err, p->y->errlen, "%s: empty site file",
		    p->y->path);
		return PP_ECONFIG;
	}
	if ((rc = pp__yaml_keys(p->y, root, "the site file", keys)) != PP_OK ||
	    (rc = pp__yaml_text(p->y, root, "site", 0, PP_NAMEMAX,
	    &p->s->name)) != PP_OK ||
	    (rc = parse_defaults(p, get(p, root, "defaults"))) != PP_OK ||
	    (rc = parse_messages(p, get(p, root, "messages"))) != PP_OK ||
	    (rc = parse_holidays(p, get(p, root, "holidays"))) != PP_OK ||
	    (rc = parse_operators(p, get(p, root, "operators"))) != PP_OK ||
	    (rc = parse_tariffs(p, get(p, root, "tariffs"))) != PP_OK ||
	    (rc = parse_buildings(p, get(p, root, "buildings"))) != PP_OK ||
	    (rc = pp__site_payments(p->y, get(p, root, "payments"), p->s)) !=
	    PP_OK)
		return rc;
	/* web: is prepay-web's, read when it starts: checked, not kept. */
	pp__web_conf_default(&web);
	return pp__web_conf_parse(p->y, get(p, root, "web"), &web);
}

int
pp__site_parse(const char *path, struct pp__site **sitep, char *err,
    size_t errlen)
{
	struct pp__site_defaults *df;
	struct parse p;
	int rc;

	memset(&p, 0, sizeof(p));
	if ((*sitep = p.s = calloc(1, sizeof(*p.s))) == NULL ||
	    (p.s->priv = p.y = calloc(1, sizeof(*p.y))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return PP_EINTERNAL;
	}
	p.s->path = path;
	df = &p.s->defaults;
	df->price = df->alarm1 = df->alarm2 = df->max_balance = -1;
	df->max_sale = df->overload_w = df->poll_minutes = -1;
	df->lost_after = df->command_alarm = df->poll_seconds = -1;
	df->slow_every = -1;
	if ((rc = pp__yaml_open(p.y, path, err, errlen)) == PP_OK)
		rc = parse_document(&p);
	free(p.logins.slot);
	free(p.gateways.slot);
	free(p.meters.slot);
	return rc;
}

void
pp__site_free(struct pp__site *s)
{
	if (s == NULL)
		return;
	if (s->priv)
		pp__yaml_close(s->priv);
	free(s->priv);
	free(s->holidays);
	free(s->operators);
	free(s->tariffs);
	free(s->buildings);
	free(s->gateways);
	free(s->meters);
	pp__site_payments_free(&s->payments);
	free(s);
}

const struct pp__site_tariff *
pp__site_tariff(const struct pp__site *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->ntariffs; i++)
		if (strcmp(s->tariffs[i].name, name) == 0)
			return &s->tariffs[i];
	return NULL;
}

int
pp__site_error(const struct pp__site *s, long line, const char *key, char *err,
    size_t errlen, const char *fmt, ...)
{
	struct pp__yaml y;
	char why[PP_ERRMAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	memset(&y, 0, sizeof(y));
	y.path = s->path;
	y.err = err;
	y.errlen = errlen;
	return pp__yaml_bad(&y, line, key, "%s", why);
}
