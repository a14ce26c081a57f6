/*
 * profile.c: meter register maps, read from lib/profiles/NAME.yaml (see
 * prepay-profile(5)), and the register codec; plan.c chooses the reads.
 * No register address appears in C.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "dlt645.h"

#ifndef PP_DATADIR
#define PP_DATADIR "/usr/local/share/prepay"
#endif

/* The value names we know, and our integer units per natural unit. */
static const struct {
	const char	*name;
	int64_t		 factor;
} known_values[] = {
	{ "energy_kwh", 1000 }, { "import_kwh", 1000 },
	{ "combined_kwh", 1000 },
	{ "energy_sharp_kwh", 1000 }, { "energy_peak_kwh", 1000 },
	{ "energy_flat_kwh", 1000 }, { "energy_valley_kwh", 1000 },
	{ "power_w", 1 }, { "voltage_v", 10 }, { "current_a", 1000 },
	{ "pf", 1000 }, { "freq_hz", 100 }, { "balance", 100 },
	{ "overdraft", 100 }, { "buy_count", 1 }, { "relay", 1 },
	{ "keep", 1 }, { "mode", 1 }, { "status", 1 }, { "price", 10000 },
	{ "alarm1", 100 }, { "alarm2", 100 }, { "hoard", 100 },
	{ "overload_w", 1 }, { "clock", 1 },
	/* command arguments */
	{ "amount", 100 },
};

int64_t
pp__value_factor(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(known_values) / sizeof(known_values[0]); i++)
		if (strcmp(name, known_values[i].name) == 0)
			return known_values[i].factor;
	return 0;
}

static char installed[900];
static pthread_once_t installed_once = PTHREAD_ONCE_INIT;

/*
 * PREFIX/share/prepay/profiles beside PREFIX/bin/TOOL, when it is there:
 * an install of another PREFIX finds its own profiles, and root chose
 * where the program is, not its caller.
 */
static void
find_installed(void)
{
	char exe[800], *slash;
	struct stat sb;
	ssize_t n;
	int i;

	if ((n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) <= 0)
		return;
	exe[n] = '\0';
	for (i = 0; i < 2; i++)
		if ((slash = strrchr(exe, '/')) != NULL)
			*slash = '\0';
	snprintf(installed, sizeof(installed), "%s/share/prepay/profiles",
	    exe);
	if (stat(installed, &sb) == -1 || !S_ISDIR(sb.st_mode))
		installed[0] = '\0';
}

const char *
pp__profile_dir(void)
{
	const char *dir = pp__priv_getenv("PREPAY_PROFILES");

	if (dir && *dir)
		return dir;
	pthread_once(&installed_once, find_installed);
	return installed[0] ? installed : PP_DATADIR "/profiles";
}

static int
type_parse(const char *s, enum pp__regtype *t, int *words)
{
	static const struct {
		const char *name;
		enum pp__regtype type;
		int words;
	} types[] = {
		{ "u16", PP_REG_U16, 1 }, { "s16", PP_REG_S16, 1 },
		{ "u32", PP_REG_U32, 2 }, { "s32", PP_REG_S32, 2 },
		{ "f32", PP_REG_F32, 2 }, { "bcd", PP_REG_BCD, 1 },
	};
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(s, types[i].name) == 0) {
			*t = types[i].type;
			*words = types[i].words;
			return PP_OK;
		}
	return PP_ECONFIG;
}

/* "0.01" as 1/100, "10" as 10/1: exact, so integers stay integers. */
static int
scale_parse(const char *s, struct pp__scale *sc)
{
	char err[PP_ERRMAX];
	int64_t v;
	const char *point = strchr(s, '.');
	int decimals = point ? (int)strlen(point + 1) : 0, i;

	if (decimals > 9 || pp_int_parse(point ? "0" : s, 0, INT64_MAX, &v, err,
	    sizeof(err)) != PP_OK)
		return PP_ECONFIG;
	sc->den = 1;
	for (i = 0; i < decimals; i++)
		sc->den *= 10;
	if (point) {
		char digits[32];

		if ((size_t)(point - s) + (size_t)decimals >= sizeof(digits))
			return PP_ECONFIG;
		memcpy(digits, s, (size_t)(point - s));
		memcpy(digits + (point - s), point + 1, (size_t)decimals + 1);
		if (pp_int_parse(digits, 1, INT64_MAX, &v, err, sizeof(err)) !=
		    PP_OK)
			return PP_ECONFIG;
	}
	if (v == 0)
		return PP_ECONFIG;
	sc->num = v;
	return PP_OK;
}

/* The one error of every YAML reader (yamldoc.c), at a node's line. */
#define bad(l, n, key, ...) \
	pp__yaml_bad((l), pp__yaml_line(n), (key), __VA_ARGS__)

/* type, words and scale of a value or a field. */
static int
register_shape(struct pp__yaml *l, yaml_node_t *map, enum pp__regtype *type,
    int *words, struct pp__scale *scale)
{
	const char *t = pp__yaml_str(l, map, "type");
	const char *sc = pp__yaml_str(l, map, "scale");
	long w = 0;
	int rc;

	if (t == NULL || type_parse(t, type, words) != PP_OK)
		return bad(l, map, "type", "use u16, s16, u32, s32, f32 or bcd");
	if ((rc = pp__yaml_long(l, map, "words", 0, 1, 4, &w)) != PP_OK)
		return rc;
	if (w) {
		if (*type != PP_REG_BCD)
			return bad(l, map, "words", "only bcd takes words");
		*words = (int)w;
	}
	scale->num = scale->den = 1;
	if (sc && scale_parse(sc, scale) != PP_OK)
		return bad(l, map, "scale", "use a positive decimal such as "
		    "0.01");
	return PP_OK;
}

/* name: {fc, address, type, words, scale} of a Modbus register value. */
static int
value_modbus(struct pp__yaml *l, yaml_node_t *def, const char *name,
    struct pp__pvalue *v)
{
	static const char *const allowed[] = { "fc", "address", "type",
	    "words", "scale", "class", NULL };
	long fc, address;
	int rc;

	if ((rc = pp__yaml_keys(l, def, name, allowed)) != PP_OK ||
	    (rc = pp__yaml_long(l, def, "fc", 1, 3, 4, &fc)) != PP_OK ||
	    (rc = pp__yaml_long(l, def, "address", 1, 0, 65535, &address)) !=
	    PP_OK ||
	    (rc = register_shape(l, def, &v->type, &v->words, &v->scale)) !=
	    PP_OK)
		return rc;
	v->fc = (int)fc;
	v->address = (int)address;
	if (v->address + v->words > 65536)
		return bad(l, def, name, "runs past register 65535");
	return PP_OK;
}

/*
 * format, signed and scale of a DL/T 645 value or field: the format as
 * the standard writes it ("XXXXXX.XX") gives the bytes and the decimal
 * point, and scale turns the meter's unit into ours (kW to W: 1000).
 */
static int
bcd_shape(struct pp__yaml *l, yaml_node_t *map, const char *name, int *bytes,
    int *flags, struct pp__scale *scale)
{
	const char *fmt = pp__yaml_str(l, map, "format");
	const char *sc = pp__yaml_str(l, map, "scale");
	struct pp__scale extra = { 1, 1 };
	int sg = 0, rc;

	if (pp__645_format_parse(fmt, bytes, scale) != PP_OK)
		return bad(l, map, name, "format: use the standard's form, "
		    "such as XXXXXX.XX");
	if (sc && scale_parse(sc, &extra) != PP_OK)
		return bad(l, map, "scale", "use a positive decimal such as "
		    "1000");
	scale->num *= extra.num;
	scale->den *= extra.den;
	if ((rc = pp__yaml_bool(l, map, "signed", &sg)) != PP_OK)
		return rc;
	*flags = sg ? PP_645_SIGNED : 0;
	return PP_OK;
}

static int
di_of(struct pp__yaml *l, yaml_node_t *map, const char *name, uint32_t *di)
{
	const char *t = pp__yaml_str(l, map, "di");
	uint8_t b[4];

	if (t == NULL)
		return bad(l, map, name, "di: missing");
	if (pp__645_di_parse(t, b, NULL, 0) != PP_OK)
		return bad(l, map, "di", "use 8 hex digits, DI3 first, such "
		    "as 00010000");
	*di = pp__645_di_get(b);
	return PP_OK;
}

/*
 * name: {di, format, signed, scale, offset} of a DL/T 645 BCD value, or
 * name: {di, mask, invert} of a bit in a status word.
 */
static int
value_645(struct pp__yaml *l, yaml_node_t *def, const char *name,
    struct pp__pvalue *v)
{
	static const char *const allowed[] = { "di", "offset", "format",
	    "signed", "scale", "mask", "invert", "class", NULL };
	long offset = 0, mask = 0;
	int rc;

	if ((rc = pp__yaml_keys(l, def, name, allowed)) != PP_OK ||
	    (rc = di_of(l, def, name, &v->di)) != PP_OK ||
	    (rc = pp__yaml_long(l, def, "offset", 0, 0, PP_645_DATAMAX - 5,
	    &offset)) != PP_OK ||
	    (rc = pp__yaml_long(l, def, "mask", 0, 1, 0xFFFF, &mask)) != PP_OK)
		return rc;
	if (mask) {
		if (pp__yaml_get(l, def, "format") ||
		    pp__yaml_get(l, def, "signed") ||
		    pp__yaml_get(l, def, "scale"))
			return bad(l, def, name, "a status bit (mask) takes no "
			    "format, signed or scale");
		v->bytes = 2;
		v->mask = (uint32_t)mask;
		v->scale.num = v->scale.den = 1;
		if ((rc = pp__yaml_bool(l, def, "invert", &v->invert)) != PP_OK)
			return rc;
	} else if (pp__yaml_get(l, def, "invert"))
		return bad(l, def, "invert", "only a status bit (mask) is "
		    "inverted");
	else if ((rc = bcd_shape(l, def, name, &v->bytes, &v->flags,
	    &v->scale)) != PP_OK)
		return rc;
	v->offset = (int)offset;
	if (v->offset + v->bytes > PP_645_DATAMAX - 4)
		return bad(l, def, "offset", "runs past a frame's data");
	return PP_OK;
}

/* class: fast (the default: every poll) or slow (every Nth). */
static int
class_of(struct pp__yaml *l, yaml_node_t *def, struct pp__pvalue *v)
{
	const char *c = pp__yaml_str(l, def, "class");

	if (c == NULL || strcmp(c, "fast") == 0)
		return PP_OK;
	if (strcmp(c, "slow") != 0)
		return bad(l, def, "class", "use fast or slow");
	v->slow = 1;
	return PP_OK;
}

/* The values a profile reads, in its protocol's form. */
static int
load_values(struct pp__yaml *l, yaml_node_t *map, struct pp__profile *p)
{
	int dlt645 = strcmp(p->protocol, "dlt645") == 0;
	yaml_node_t *k, *def;
	const char *name;
	size_t i;
	int rc;

	if (map == NULL || map->type != YAML_MAPPING_NODE)
		return bad(l, map, "values", dlt645 ? "expected a mapping of "
		    "name: {di, format}" : "expected a mapping of name: {fc, "
		    "address, type, scale}");
	for (i = 0; i < pp__yaml_count(map); i++) {
		struct pp__pvalue *v = &p->values[p->nvalues];

		def = pp__yaml_pair(l, map, i, &k);
		name = pp__yaml_scalar(k);
		if (name == NULL || pp__value_factor(name) == 0 ||
		    strcmp(name, "amount") == 0)
			return bad(l, k, name ?
			    name : "values", "not a value name prepay knows; "
			    "see prepay-profile(5)");
		if (p->nvalues == PP_MAXVALUES)
			return bad(l, def, name, "too many values");
		memset(v, 0, sizeof(*v));
		if ((rc = dlt645 ? value_645(l, def, name, v) :
		    value_modbus(l, def, name, v)) != PP_OK ||
		    (rc = class_of(l, def, v)) != PP_OK)
			return rc;
		snprintf(v->name, sizeof(v->name), "%s", name);
		p->nvalues++;
	}
	return PP_OK;
}

/*
 * A write's fields: Modbus [{type, words, scale, arg | value}, ...] in
 * its registers, or DL/T 645 [{di, format, signed, scale, arg | value},
 * ...], one 0x14 write of its own DI each.
 */
static int
load_fields(struct pp__yaml *l, yaml_node_t *list, struct pp__pwrite *w,
    int dlt645)
{
	static const char *const allowed[] = { "type", "words", "scale", "arg",
	    "value", NULL };
	static const char *const allowed_645[] = { "di", "format", "signed",
	    "scale", "arg", "value", NULL };
	const char *arg;
	size_t i;
	long value = 0;
	int rc;

	if (list == NULL || list->type != YAML_SEQUENCE_NODE)
		return bad(l, list, w->name, "fields: expected a list");
	for (i = 0; i < pp__yaml_count(list); i++) {
		yaml_node_t *def = pp__yaml_item(l, list, i);
		struct pp__pfield *f = &w->fields[w->nfields];

		if (w->nfields == PP_MAXFIELDS)
			return bad(l, def, w->name, "too many fields");
		memset(f, 0, sizeof(*f));
		if ((rc = pp__yaml_keys(l, def, "field", dlt645 ? allowed_645 :
		    allowed)) != PP_OK)
			return rc;
		if (dlt645 && ((rc = di_of(l, def, w->name, &f->di)) != PP_OK ||
		    (rc = bcd_shape(l, def, w->name, &f->bytes, &f->flags,
		    &f->scale)) != PP_OK))
			return rc;
		if (!dlt645 && (rc = register_shape(l, def, &f->type, &f->words,
		    &f->scale)) != PP_OK)
			return rc;
		if ((rc = pp__yaml_long(l, def, "value", 0, -2147483647L,
		    2147483647L,
		    &value)) != PP_OK)
			return rc;
		if ((arg = pp__yaml_str(l, def, "arg")) != NULL) {
			if (pp__value_factor(arg) == 0)
				return bad(l, def, "arg", "not an argument "
				    "prepay knows");
			snprintf(f->arg, sizeof(f->arg), "%s", arg);
		} else if (pp__yaml_get(l, def, "value") == NULL)
			return bad(l, def, w->name, "a field needs arg or "
			    "value");
		f->value = value;
		w->nfields++;
	}
	return PP_OK;
}

static int
load_confirm(struct pp__yaml *l, yaml_node_t *map, struct pp__profile *p,
    struct pp__pwrite *w)
{
	yaml_node_t *k;
	char *end;
	size_t j;
	int i, known;

	if (map == NULL)
		return PP_OK;
	if (map->type != YAML_MAPPING_NODE)
		return bad(l, map, "confirm", "expected value: constant or "
		    "value: argument");
	for (j = 0; j < pp__yaml_count(map); j++) {
		const char *want = pp__yaml_scalar(pp__yaml_pair(l, map, j,
		    &k));
		const char *name = pp__yaml_scalar(k);
		struct pp__confirm *c = &w->confirm[w->nconfirm];

		if (name == NULL || want == NULL ||
		    pp__profile_value(p, name) == NULL)
			return bad(l, map, "confirm", "names a value the profile "
			    "does not read");
		if (w->nconfirm == PP_MAXFIELDS)
			return bad(l, map, "confirm", "too many values");
		snprintf(c->value, sizeof(c->value), "%s", name);
		c->equals = strtol(want, &end, 10);
		if (*end != '\0' || end == want) {
			for (i = known = 0; i < w->nfields; i++)
				known |= strcmp(w->fields[i].arg, want) == 0;
			if (!known)
				return bad(l, map, "confirm", "neither a number "
				    "nor an argument of the write");
			snprintf(c->arg, sizeof(c->arg), "%s", want);
		}
		w->nconfirm++;
	}
	return PP_OK;
}

/* A DL/T 645 command: a relay control, fields, or the broadcast time. */
static int
write_645(struct pp__yaml *l, yaml_node_t *def, struct pp__profile *p,
    struct pp__pwrite *w)
{
	static const char *const allowed[] = { "relay", "fields",
	    "broadcast", "confirm", NULL };
	const char *v;
	long relay = 0;
	int rc;

	if ((rc = pp__yaml_keys(l, def, w->name, allowed)) != PP_OK ||
	    (rc = pp__yaml_long(l, def, "relay", 0, 1, 255, &relay)) != PP_OK)
		return rc;
	if (relay && pp__645_relay_text((uint8_t)relay) == NULL)
		return bad(l, def, "relay", "use 0x1A trip, 0x1B close allowed, "
		    "0x1C close, 0x3A keep or 0x3B keep released");
	/* The clock is the one thing every meter takes at once. */
	if ((v = pp__yaml_str(l, def, "broadcast")) != NULL) {
		if (strcmp(w->name, "time") || strcmp(v, "true"))
			return bad(l, def, "broadcast", "only time takes "
			    "broadcast: true");
		w->broadcast = 1;
	}
	if ((relay != 0) + w->broadcast + (pp__yaml_get(l, def, "fields") !=
	    NULL) != 1)
		return bad(l, def, w->name, "a DL/T 645 command is relay, "
		    "fields or broadcast, one of them");
	if (!relay && !w->broadcast && (rc = load_fields(l, pp__yaml_get(l, def,
	    "fields"), w, 1)) != PP_OK)
		return rc;
	if ((rc = load_confirm(l, pp__yaml_get(l, def, "confirm"), p, w)) !=
	    PP_OK)
		return rc;
	w->relay = (int)relay;
	return PP_OK;
}

/* A Modbus command: registers from address, written with fc 6 or 16. */
static int
write_modbus(struct pp__yaml *l, yaml_node_t *def, struct pp__profile *p,
    struct pp__pwrite *w)
{
	static const char *const allowed[] = { "fc", "address", "fields",
	    "confirm", NULL };
	long fc, address;
	int rc, i, words;

	if ((rc = pp__yaml_keys(l, def, w->name, allowed)) != PP_OK ||
	    (rc = pp__yaml_long(l, def, "fc", 1, 6, 16, &fc)) != PP_OK ||
	    (rc = pp__yaml_long(l, def, "address", 1, 0, 65535, &address)) !=
	    PP_OK ||
	    (rc = load_fields(l, pp__yaml_get(l, def, "fields"), w, 0)) !=
	    PP_OK ||
	    (rc = load_confirm(l, pp__yaml_get(l, def, "confirm"), p, w)) !=
	    PP_OK)
		return rc;
	if (fc != 6 && fc != 16)
		return bad(l, def, "fc", "a write is fc 6 or fc 16");
	for (i = words = 0; i < w->nfields; i++)
		words += w->fields[i].words;
	if (fc == 6 && words != 1)
		return bad(l, def, "fc", "fc 6 writes one register");
	w->fc = (int)fc;
	w->address = (int)address;
	return PP_OK;
}

static int
load_writes(struct pp__yaml *l, yaml_node_t *map, struct pp__profile *p)
{
	static const char *const commands[] = { "trip", "close", "keep",
	    "unkeep", "prepay", "manual", "price", "settings", "recharge",
	    "time", NULL };
	int dlt645 = strcmp(p->protocol, "dlt645") == 0;
	yaml_node_t *k, *def;
	const char *name;
	struct pp__pwrite *w;
	size_t j;
	int rc, i;

	if (map == NULL)
		return PP_OK;
	if (map->type != YAML_MAPPING_NODE)
		return bad(l, map, "writes", "expected a mapping of command: "
		    "{fc, address, fields}");
	for (j = 0; j < pp__yaml_count(map); j++) {
		def = pp__yaml_pair(l, map, j, &k);
		name = pp__yaml_scalar(k);
		w = &p->writes[p->nwrites];
		for (i = 0; commands[i] && name && strcmp(name, commands[i]);
		    i++)
			;
		if (name == NULL || commands[i] == NULL)
			return bad(l, k, name ? name : "writes", "not a "
			    "command; use trip, close, keep, unkeep, prepay, "
			    "manual, price, settings, recharge or time");
		if (p->nwrites == PP_MAXWRITES)
			return bad(l, def, name, "too many writes");
		memset(w, 0, sizeof(*w));
		snprintf(w->name, sizeof(w->name), "%s", name);
		if ((rc = dlt645 ? write_645(l, def, p, w) :
		    write_modbus(l, def, p, w)) != PP_OK)
			return rc;
		p->nwrites++;
	}
	return PP_OK;
}

/*
 * blocks: [0001FF00, ...]: the standard's data blocks the meter type
 * answers, each of them one the standard defines (dlt645.c).
 */
static int
load_blocks(struct pp__yaml *l, yaml_node_t *list, struct pp__profile *p)
{
	yaml_node_t *item;
	const char *t;
	uint8_t b[4];
	size_t i;
	int rc;

	if (list == NULL)
		return PP_OK;
	if ((rc = pp__yaml_list(l, list, "blocks", "expected a list of data "
	    "identifiers such as 0001FF00")) != PP_OK)
		return rc;
	for (i = 0; i < pp__yaml_count(list); i++) {
		item = pp__yaml_item(l, list, i);
		t = pp__yaml_scalar(item);
		if (p->nblocks == PP_MAXBLOCKS)
			return bad(l, item, "blocks", "too many blocks");
		if (t == NULL || pp__645_di_parse(t, b, NULL, 0) != PP_OK ||
		    pp__645_block_find(pp__645_di_get(b)) == NULL)
			return bad(l, item, "blocks", "%s is no data block of "
			    "DL/T 645-2007 prepay knows, such as 0001FF00",
			    t ? t : "the item");
		p->blocks[p->nblocks++] = pp__645_di_get(b);
	}
	return PP_OK;
}

uint64_t
pp__profile_class_mask(const struct pp__profile *p, int all)
{
	uint64_t mask = 0;
	int i;

	for (i = 0; i < p->nvalues && i < 64; i++)
		if (all || !p->values[i].slow)
			mask |= (uint64_t)1 << i;
	return mask;
}

/*
 * unreadable: [{fc, from, to}, ...]: registers the meter refuses to read
 * across (exception 02), which no request may touch and no value may lie
 * in (doc/design.md, "Request plans").
 */
static int
load_unreadable(struct pp__yaml *l, yaml_node_t *list, struct pp__profile *p)
{
	static const char *const allowed[] = { "fc", "from", "to", NULL };
	long fc, from, to;
	size_t i;
	int j, rc;

	if (list == NULL)
		return PP_OK;
	if ((rc = pp__yaml_list(l, list, "unreadable", "expected a list of "
	    "{fc, from, to}")) != PP_OK)
		return rc;
	for (i = 0; i < pp__yaml_count(list); i++) {
		yaml_node_t *def = pp__yaml_item(l, list, i);
		struct pp__unread *u = &p->unread[p->nunread];

		if (p->nunread == PP_MAXUNREAD)
			return bad(l, def, "unreadable", "too many ranges");
		if ((rc = pp__yaml_keys(l, def, "unreadable", allowed)) !=
		    PP_OK ||
		    (rc = pp__yaml_long(l, def, "fc", 1, 3, 4, &fc)) != PP_OK ||
		    (rc = pp__yaml_long(l, def, "from", 1, 0, 65535, &from)) !=
		    PP_OK ||
		    (rc = pp__yaml_long(l, def, "to", 1, from, 65535, &to)) !=
		    PP_OK)
			return rc;
		u->fc = (int)fc;
		u->from = (int)from;
		u->to = (int)to;
		p->nunread++;
	}
	for (j = 0; j < p->nvalues; j++)
		if (!pp__profile_readable(p, p->values[j].fc,
		    p->values[j].address, p->values[j].words))
			return bad(l, list, "unreadable", "value %s lies in "
			    "registers the meter refuses to read",
			    p->values[j].name);
	return PP_OK;
}

int
pp__profile_load(const char *name, struct pp__profile *p, char *err,
    size_t errlen)
{
	static const char *const allowed[] = { "profile", "protocol",
	    "word_order", "max_gap", "unreadable", "values", "writes", NULL };
	static const char *const allowed_645[] = { "profile", "protocol",
	    "blocks", "values", "writes", NULL };
	struct pp__yaml l;
	yaml_node_t *root;
	char path[1024];
	const char *v;
	long gap = -1;
	int rc;

	memset(p, 0, sizeof(*p));
	if (pp__key_check("profile", name, PP_KEYMAX, err, errlen) != PP_OK)
		return PP_ECONFIG;
	snprintf(path, sizeof(path), "%s/%s.yaml", pp__profile_dir(), name);
	if ((rc = pp__yaml_open(&l, path, err, errlen)) != PP_OK) {
		pp__yaml_close(&l);
		if (rc == PP_ENOINPUT) {
			snprintf(err, errlen, "profile %s: no %s (set "
			    "PREPAY_PROFILES, or install the profiles in "
			    "share/prepay/profiles beside the tools' bin)",
			    name, path);
			rc = PP_ECONFIG;
		}
		return rc;
	}
	root = pp__yaml_root(&l);
	if (root == NULL || root->type != YAML_MAPPING_NODE) {
		rc = pp__yaml_keys(&l, root, "the profile", allowed);
		goto out;
	}
	v = pp__yaml_str(&l, root, "protocol");
	if (v == NULL || (strcmp(v, "modbus") && strcmp(v, "dlt645"))) {
		rc = bad(&l, root, "protocol", "use modbus or dlt645");
		goto out;
	}
	snprintf(p->protocol, sizeof(p->protocol), "%s", v);
	if ((rc = pp__yaml_keys(&l, root, "the profile",
	    strcmp(v, "dlt645") == 0 ? allowed_645 : allowed)) != PP_OK)
		goto out;
	if ((v = pp__yaml_str(&l, root, "profile")) == NULL ||
	    strcmp(v, name) != 0) {
		rc = bad(&l, root, "profile", "must name the file's profile");
		goto out;
	}
	snprintf(p->name, sizeof(p->name), "%s", name);
	if (strcmp(p->protocol, "dlt645") == 0) {
		if ((rc = load_values(&l, pp__yaml_get(&l, root,
		    "values"), p)) == PP_OK && (rc = load_blocks(&l,
		    pp__yaml_get(&l, root, "blocks"), p)) == PP_OK)
			rc = load_writes(&l, pp__yaml_get(&l, root,
			    "writes"), p);
		goto out;
	}
	v = pp__yaml_str(&l, root, "word_order");
	if (v == NULL || (strcmp(v, "high-first") && strcmp(v, "low-first"))) {
		rc = bad(&l, root, "word_order", "use high-first or low-first");
		goto out;
	}
	p->high_first = strcmp(v, "high-first") == 0;
	/* A cap only: absent, the cost model alone decides (plan.c). */
	if ((rc = pp__yaml_long(&l, root, "max_gap", 0, 0, 123, &gap)) != PP_OK)
		goto out;
	p->max_gap = (int)gap;
	if ((rc = load_values(&l, pp__yaml_get(&l, root, "values"), p)) !=
	    PP_OK || (rc = load_unreadable(&l, pp__yaml_get(&l, root,
	    "unreadable"), p)) != PP_OK)
		goto out;
	rc = load_writes(&l, pp__yaml_get(&l, root, "writes"), p);
out:
	pp__yaml_close(&l);
	return rc;
}

const struct pp__pvalue *
pp__profile_value(const struct pp__profile *p, const char *name)
{
	int i;

	for (i = 0; i < p->nvalues; i++)
		if (strcmp(p->values[i].name, name) == 0)
			return &p->values[i];
	return NULL;
}

const struct pp__pwrite *
pp__profile_write(const struct pp__profile *p, const char *command)
{
	int i;

	for (i = 0; i < p->nwrites; i++)
		if (strcmp(p->writes[i].name, command) == 0)
			return &p->writes[i];
	return NULL;
}

int
pp__profile_readable(const struct pp__profile *p, int fc, int address,
    int count)
{
	int i;

	for (i = 0; i < p->nunread; i++)
		if (p->unread[i].fc == fc && p->unread[i].from < address +
		    count && address <= p->unread[i].to)
			return 0;
	return 1;
}

/* The register words of a 32-bit value in the profile's word order. */
static uint32_t
join32(int high_first, const uint16_t *r)
{
	return high_first ? ((uint32_t)r[0] << 16 | r[1]) :
	    ((uint32_t)r[1] << 16 | r[0]);
}

static void
split32(int high_first, uint32_t v, uint16_t *r)
{
	r[high_first ? 0 : 1] = (uint16_t)(v >> 16);
	r[high_first ? 1 : 0] = (uint16_t)(v & 0xFFFF);
}

/* q rounded half away from zero. */
static int64_t
div_round(int64_t n, int64_t d)
{
	int64_t q = n / d, r = n % d;

	if (2 * (r < 0 ? -r : r) >= d)
		q += (n < 0) ? -1 : 1;
	return q;
}

int
pp__regs_decode(int high_first, enum pp__regtype type, int words,
    struct pp__scale scale, int64_t factor, const uint16_t *regs,
    int64_t *out)
{
	int64_t raw = 0;
	int i;

	switch (type) {
	case PP_REG_U16:
		raw = regs[0];
		break;
	case PP_REG_S16:
		raw = (int16_t)regs[0];
		break;
	case PP_REG_U32:
		raw = join32(high_first, regs);
		break;
	case PP_REG_S32:
		raw = (int32_t)join32(high_first, regs);
		break;
	case PP_REG_BCD:
		/* Most significant word first, four digits a word. */
		for (i = 0; i < words; i++) {
			int d;

			for (d = 12; d >= 0; d -= 4) {
				int digit = (regs[i] >> d) & 0xF;

				if (digit > 9)
					return PP_EDATA;
				raw = raw * 10 + digit;
			}
		}
		break;
	case PP_REG_F32: {
		uint32_t bits = join32(high_first, regs);
		float f;
		double x;

		/* The meter's own float, turned into our integers at once. */
		memcpy(&f, &bits, sizeof(f));
		if (!isfinite(f))
			return PP_EDATA;
		x = (double)f * (double)scale.num * (double)factor /
		    (double)scale.den;
		if (fabs(x) > 9e15)
			return PP_EDATA;
		*out = (int64_t)llround(x);
		return PP_OK;
	}
	}
	*out = div_round(raw * scale.num * factor, scale.den);
	return PP_OK;
}

int
pp__regs_encode(int high_first, enum pp__regtype type, int words,
    struct pp__scale scale, int64_t factor, int64_t value, uint16_t *regs)
{
	int64_t raw;
	int i;

	if (type == PP_REG_F32) {
		float f = (float)((double)value * (double)scale.den /
		    ((double)scale.num * (double)factor));
		uint32_t bits;

		memcpy(&bits, &f, sizeof(bits));
		split32(high_first, bits, regs);
		return PP_OK;
	}
	raw = div_round(value * scale.den, scale.num * factor);
	switch (type) {
	case PP_REG_U16:
		if (raw < 0 || raw > 0xFFFF)
			return PP_EDATA;
		regs[0] = (uint16_t)raw;
		break;
	case PP_REG_S16:
		if (raw < INT16_MIN || raw > INT16_MAX)
			return PP_EDATA;
		regs[0] = (uint16_t)(int16_t)raw;
		break;
	case PP_REG_U32:
		if (raw < 0 || raw > (int64_t)UINT32_MAX)
			return PP_EDATA;
		split32(high_first, (uint32_t)raw, regs);
		break;
	case PP_REG_S32:
		if (raw < INT32_MIN || raw > INT32_MAX)
			return PP_EDATA;
		split32(high_first, (uint32_t)(int32_t)raw, regs);
		break;
	case PP_REG_BCD:
		if (raw < 0)
			return PP_EDATA;
		for (i = words - 1; i >= 0; i--) {
			int d;

			regs[i] = 0;
			for (d = 0; d <= 12; d += 4) {
				regs[i] |= (uint16_t)((raw % 10) << d);
				raw /= 10;
			}
		}
		if (raw != 0)
			return PP_EDATA;
		break;
	case PP_REG_F32:
		break;
	}
	return PP_OK;
}

void
pp__value_format(const char *name, int64_t v, char *buf, size_t len)
{
	char num[PP_NUMBUF], t[PP_TIMEBUF];
	int64_t factor = pp__value_factor(name), a = v < 0 ? -v : v;
	int decimals = 0;

	if (strcmp(name, "relay") == 0)
		snprintf(buf, len, "%s", v ? "closed" : "tripped");
	else if (strcmp(name, "keep") == 0)
		snprintf(buf, len, "%s", v ? "on" : "off");
	else if (strcmp(name, "mode") == 0)
		snprintf(buf, len, "%s", v ? "prepay" : "manual");
	else if (strcmp(name, "status") == 0)
		snprintf(buf, len, "0x%04llx", (long long)v);
	else if (strcmp(name, "clock") == 0)
		snprintf(buf, len, "%s", pp_time_format(v, t));
	else if (factor == 1000 && strstr(name, "_kwh"))
		snprintf(buf, len, "%s", pp__energy_format(v, num));
	else {
		for (; factor > 1; factor /= 10)
			decimals++;
		if (decimals == 0)
			snprintf(buf, len, "%lld", (long long)v);
		else {
			int64_t scale = 1;
			int i;

			for (i = 0; i < decimals; i++)
				scale *= 10;
			/* scale + rest has the leading zeros after its 1. */
			snprintf(num, sizeof(num), "%lld",
			    (long long)(scale + a % scale));
			snprintf(buf, len, "%s%lld.%s", v < 0 ? "-" : "",
			    (long long)(a / scale), num + 1);
		}
	}
}
