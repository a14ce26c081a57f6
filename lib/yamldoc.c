/*
 * yamldoc.c: one context for reading a YAML file (the site file, a
 * profile): the document, the file's path and the error buffer, typed
 * getters, and the one error every reader gives, "file:line: key: why".
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int
pp__yaml_open(struct pp__yaml *y, const char *path, char *err, size_t errlen)
{
	yaml_parser_t parser;
	FILE *fp;
	int rc = PP_OK;

	memset(y, 0, sizeof(*y));
	y->path = path;
	y->err = err;
	y->errlen = errlen;
	if ((fp = pp_fopen_caller(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return PP_ENOINPUT;
	}
	if (!yaml_parser_initialize(&parser)) {
		fclose(fp);
		snprintf(err, errlen, "out of memory");
		return PP_EINTERNAL;
	}
	yaml_parser_set_input_file(&parser, fp);
	if (!yaml_parser_load(&parser, &y->doc)) {
		snprintf(err, errlen, "%s:%ld: %s%s%s", path,
		    (long)parser.problem_mark.line + 1,
		    parser.problem ? parser.problem : "malformed YAML",
		    parser.context ? " " : "",
		    parser.context ? parser.context : "");
		rc = PP_ECONFIG;
	} else
		y->loaded = 1;
	yaml_parser_delete(&parser);
	fclose(fp);
	return rc;
}

void
pp__yaml_close(struct pp__yaml *y)
{
	if (y->loaded)
		yaml_document_delete(&y->doc);
	y->loaded = 0;
}

yaml_node_t *
pp__yaml_root(struct pp__yaml *y)
{
	return yaml_document_get_root_node(&y->doc);
}

int
pp__yaml_bad(const struct pp__yaml *y, long line, const char *key,
    const char *fmt, ...)
{
	char why[PP_ERRMAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	snprintf(y->err, y->errlen, "%s:%ld: %s: %s", y->path, line, pp_q(key),
	    why);
	return PP_ECONFIG;
}

const char *
pp__yaml_scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ?
	    (const char *)n->data.scalar.value : NULL;
}

long
pp__yaml_line(const yaml_node_t *n)
{
	return n ? (long)n->start_mark.line + 1 : 0;
}

size_t
pp__yaml_count(const yaml_node_t *n)
{
	if (n && n->type == YAML_SEQUENCE_NODE)
		return (size_t)(n->data.sequence.items.top -
		    n->data.sequence.items.start);
	if (n && n->type == YAML_MAPPING_NODE)
		return (size_t)(n->data.mapping.pairs.top -
		    n->data.mapping.pairs.start);
	return 0;
}

yaml_node_t *
pp__yaml_item(struct pp__yaml *y, const yaml_node_t *list, size_t i)
{
	return yaml_document_get_node(&y->doc,
	    list->data.sequence.items.start[i]);
}

yaml_node_t *
pp__yaml_pair(struct pp__yaml *y, const yaml_node_t *map, size_t i,
    yaml_node_t **key)
{
	const yaml_node_pair_t *p = &map->data.mapping.pairs.start[i];

	*key = yaml_document_get_node(&y->doc, p->key);
	return yaml_document_get_node(&y->doc, p->value);
}

yaml_node_t *
pp__yaml_get(struct pp__yaml *y, const yaml_node_t *map, const char *key)
{
	yaml_node_t *k, *v;
	size_t i;

	if (map == NULL || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (i = 0; i < pp__yaml_count(map); i++) {
		v = pp__yaml_pair(y, map, i, &k);
		if (pp__yaml_scalar(k) && strcmp(pp__yaml_scalar(k), key) == 0)
			return v;
	}
	return NULL;
}

const char *
pp__yaml_str(struct pp__yaml *y, const yaml_node_t *map, const char *key)
{
	return pp__yaml_scalar(pp__yaml_get(y, map, key));
}

int
pp__yaml_list(struct pp__yaml *y, const yaml_node_t *n, const char *key,
    const char *why)
{
	if (n != NULL && n->type == YAML_SEQUENCE_NODE)
		return PP_OK;
	return pp__yaml_bad(y, pp__yaml_line(n), key, "%s", why);
}

/* "unknown key in WHAT; known: a, b, c" into why. */
static void
unknown(const char *what, const char *const *allowed, char *why,
    size_t whylen)
{
	size_t at;
	int i;

	at = (size_t)snprintf(why, whylen, "unknown key in %s; known: ", what);
	for (i = 0; allowed[i] && at < whylen; i++)
		at += (size_t)snprintf(why + at, whylen - at, "%s%s",
		    i ? ", " : "", allowed[i]);
}

int
pp__yaml_keys(struct pp__yaml *y, const yaml_node_t *map, const char *what,
    const char *const *allowed)
{
	yaml_node_t *k, *o;
	char why[PP_ERRMAX];
	const char *name;
	size_t i, j;
	int a;

	if (map == NULL || map->type != YAML_MAPPING_NODE)
		return pp__yaml_bad(y, pp__yaml_line(map), what, "expected a "
		    "mapping of key: value");
	for (i = 0; i < pp__yaml_count(map); i++) {
		(void)pp__yaml_pair(y, map, i, &k);
		name = pp__yaml_scalar(k);
		for (a = 0; allowed[a] && (name == NULL ||
		    strcmp(name, allowed[a])); a++)
			;
		if (name == NULL || allowed[a] == NULL) {
			unknown(what, allowed, why, sizeof(why));
			return pp__yaml_bad(y, pp__yaml_line(k), name ? name :
			    what, "%s", why);
		}
		for (j = 0; j < i; j++) {
			(void)pp__yaml_pair(y, map, j, &o);
			if (pp__yaml_scalar(o) &&
			    strcmp(pp__yaml_scalar(o), name) == 0)
				return pp__yaml_bad(y, pp__yaml_line(k), name,
				    "appears twice");
		}
	}
	return PP_OK;
}

/* The value of key, a scalar: NULL (PP_OK) when missing and optional. */
static int
scalar(struct pp__yaml *y, const yaml_node_t *map, const char *key,
    int required, const char **v, yaml_node_t **at)
{
	*at = pp__yaml_get(y, map, key);
	if (*at == NULL) {
		if (required)
			return pp__yaml_bad(y, pp__yaml_line(map), key,
			    "missing");
		return PP_OK;
	}
	if ((*v = pp__yaml_scalar(*at)) == NULL)
		return pp__yaml_bad(y, pp__yaml_line(*at), key, "expected a "
		    "single value");
	return PP_OK;
}

int
pp__yaml_text(struct pp__yaml *y, const yaml_node_t *map, const char *key,
    int required, size_t max, const char **v)
{
	char why[PP_ERRMAX];
	yaml_node_t *n;
	int rc;

	if ((rc = scalar(y, map, key, required, v, &n)) != PP_OK || n == NULL)
		return rc;
	if (pp__text_check(key, *v, max, why, sizeof(why)) != PP_OK)
		return pp__yaml_bad(y, pp__yaml_line(n), key, "%s", why);
	if (required && **v == '\0')
		return pp__yaml_bad(y, pp__yaml_line(n), key, "empty");
	return PP_OK;
}

int
pp__yaml_name(struct pp__yaml *y, const yaml_node_t *map, const char *key,
    int required, const char **v)
{
	char why[PP_ERRMAX];
	int rc;

	if ((rc = pp__yaml_text(y, map, key, required, PP_KEYMAX, v)) !=
	    PP_OK)
		return rc;
	if (*v && pp__key_check(key, *v, PP_KEYMAX, why, sizeof(why)) != PP_OK)
		return pp__yaml_bad(y, pp__yaml_line(pp__yaml_get(y, map, key)),
		    key, "%s", why);
	return PP_OK;
}

int
pp__yaml_enum(struct pp__yaml *y, const yaml_node_t *map, const char *key,
    size_t max, const char *const *names, int *i)
{
	char use[PP_ERRMAX];
	const char *v = NULL;
	size_t at = 0;
	int rc, n;

	if ((rc = pp__yaml_text(y, map, key, 1, max, &v)) != PP_OK)
		return rc;
	for (n = 0; names[n]; n++)
		if (strcmp(v, names[n]) == 0) {
			*i = n;
			return PP_OK;
		}
	/* "use a, b or c" */
	for (n = 0; names[n] && at < sizeof(use); n++)
		at += (size_t)snprintf(use + at, sizeof(use) - at, "%s%s",
		    n == 0 ? "" : names[n + 1] ? ", " : " or ", names[n]);
	return pp__yaml_bad(y, pp__yaml_line(pp__yaml_get(y, map, key)), key,
	    "\"%s\": use %s", pp_q(v), use);
}

/* A number that parse reads, else an integer in [min, max]. */
static int
number(struct pp__yaml *y, const yaml_node_t *map, const char *key,
    int (*parse)(const char *, int64_t *, char *, size_t), int64_t min,
    int64_t max, int64_t *v)
{
	char why[PP_ERRMAX];
	const char *s = NULL;
	yaml_node_t *n;
	int rc;

	if ((rc = scalar(y, map, key, 0, &s, &n)) != PP_OK || n == NULL)
		return rc;
	rc = parse ? parse(s, v, why, sizeof(why)) :
	    pp_int_parse(s, min, max, v, why, sizeof(why));
	if (rc != PP_OK)
		return pp__yaml_bad(y, pp__yaml_line(n), key, "%s", why);
	return PP_OK;
}

int
pp__yaml_number(struct pp__yaml *y, const yaml_node_t *map, const char *key,
    int (*parse)(const char *, int64_t *, char *, size_t), int64_t *v)
{
	return number(y, map, key, parse, 0, 0, v);
}

static int
parse_money(const char *s, int64_t *fen, char *err, size_t errlen)
{
	return pp_money_parse(s, 0, -1, fen, err, errlen);
}

int
pp__yaml_money(struct pp__yaml *y, const yaml_node_t *map, const char *key,
    int64_t *v)
{
	return number(y, map, key, parse_money, 0, 0, v);
}

int
pp__yaml_price(struct pp__yaml *y, const yaml_node_t *map, const char *key,
    int64_t *v)
{
	return number(y, map, key, pp_price_parse, 0, 0, v);
}

int
pp__yaml_int(struct pp__yaml *y, const yaml_node_t *map, const char *key,
    int64_t min, int64_t max, int64_t *v)
{
	return number(y, map, key, NULL, min, max, v);
}

int
pp__yaml_long(struct pp__yaml *y, const yaml_node_t *map, const char *key,
    int required, long min, long max, long *v)
{
	yaml_node_t *n = pp__yaml_get(y, map, key);
	const char *s = pp__yaml_scalar(n);
	char *end;

	if (n == NULL)
		return required ? pp__yaml_bad(y, pp__yaml_line(map), key,
		    "missing") : PP_OK;
	if (s == NULL || *s == '\0')
		return pp__yaml_bad(y, pp__yaml_line(n), key, "expected a "
		    "number");
	/* Decimal, or hex with 0x; a leading zero is no octal here. */
	errno = 0;
	*v = strtol(s, &end, strncmp(s, "0x", 2) == 0 ||
	    strncmp(s, "0X", 2) == 0 ? 16 : 10);
	if (*end || errno || *v < min || *v > max) {
		char why[96];

		snprintf(why, sizeof(why), "\"%s\": use a number in %ld..%ld",
		    pp_q(s), min, max);
		return pp__yaml_bad(y, pp__yaml_line(n), key, "%s", why);
	}
	return PP_OK;
}

int
pp__yaml_bool(struct pp__yaml *y, const yaml_node_t *map, const char *key,
    int *v)
{
	const char *s = pp__yaml_str(y, map, key);

	if (s && strcmp(s, "true") == 0)
		*v = 1;
	else if (s && strcmp(s, "false") == 0)
		*v = 0;
	else if (s)
		return pp__yaml_bad(y, pp__yaml_line(map), key, "use true or "
		    "false");
	return PP_OK;
}
