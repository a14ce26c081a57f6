/*
 * yamldoc.c: the few things the site loader and the profile loader need
 * from a libyaml document.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"

int
pp_yaml_load(const char *path, yaml_document_t *doc, int badcode, char *err,
    size_t errlen)
{
	yaml_parser_t parser;
	FILE *fp;
	int rc = PP_OK;

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
	if (!yaml_parser_load(&parser, doc)) {
		snprintf(err, errlen, "%s:%ld: %s%s%s", path,
		    (long)parser.problem_mark.line + 1,
		    parser.problem ? parser.problem : "malformed YAML",
		    parser.context ? " " : "",
		    parser.context ? parser.context : "");
		rc = badcode;
	}
	yaml_parser_delete(&parser);
	fclose(fp);
	return rc;
}

yaml_node_t *
pp_yaml_node(yaml_document_t *doc, int i)
{
	return yaml_document_get_node(doc, i);
}

const char *
pp_yaml_scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ?
	    (const char *)n->data.scalar.value : NULL;
}

long
pp_yaml_line(const yaml_node_t *n)
{
	return n ? (long)n->start_mark.line + 1 : 0;
}

yaml_node_t *
pp_yaml_get(yaml_document_t *doc, yaml_node_t *map, const char *key)
{
	yaml_node_pair_t *p;

	if (map == NULL || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (p = map->data.mapping.pairs.start;
	    p < map->data.mapping.pairs.top; p++) {
		const char *k = pp_yaml_scalar(pp_yaml_node(doc, p->key));

		if (k && strcmp(k, key) == 0)
			return pp_yaml_node(doc, p->value);
	}
	return NULL;
}

int
pp_yaml_check_keys(yaml_document_t *doc, yaml_node_t *map, const char *what,
    const char *const *allowed, yaml_node_t **where, char *why,
    size_t whylen)
{
	yaml_node_pair_t *p, *q;
	size_t at = 0;
	int i;

	*where = map;
	if (map == NULL || map->type != YAML_MAPPING_NODE) {
		snprintf(why, whylen, "expected a mapping of key: value");
		return PP_ECONFIG;
	}
	for (p = map->data.mapping.pairs.start;
	    p < map->data.mapping.pairs.top; p++) {
		const char *k = pp_yaml_scalar(pp_yaml_node(doc, p->key));

		*where = pp_yaml_node(doc, p->key);
		for (i = 0; allowed[i] && (k == NULL || strcmp(k, allowed[i]));
		    i++)
			;
		if (k == NULL || allowed[i] == NULL) {
			at = (size_t)snprintf(why, whylen, "unknown key in %s; "
			    "known: ", what);
			for (i = 0; allowed[i] && at < whylen; i++)
				at += (size_t)snprintf(why + at, whylen - at,
				    "%s%s", i ? ", " : "", allowed[i]);
			return PP_ECONFIG;
		}
		for (q = map->data.mapping.pairs.start; q < p; q++) {
			const char *o = pp_yaml_scalar(pp_yaml_node(doc,
			    q->key));

			if (o && strcmp(o, k) == 0) {
				snprintf(why, whylen, "appears twice");
				return PP_ECONFIG;
			}
		}
	}
	return PP_OK;
}
