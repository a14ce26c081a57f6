/*
 * webconf.c: the site file's web: section (prepay.yaml(5), prepay-web(1)):
 * where prepay-web listens, whose forwarded addresses it believes, how a
 * resident binds, how long a session lives, the public URL and the notice
 * command.  site-load checks it with the rest of the file and stores
 * nothing of it; prepay-web reads it when it starts (-c).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "web.h"

#define bad(y, n, key, ...) pp__yaml_bad((y), pp__yaml_line(n), (key), \
	__VA_ARGS__)

void
pp__web_conf_default(struct pp__web_conf *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->listen, sizeof(c->listen), "127.0.0.1:8080");
	c->session_days = 30;
}

/* trusted_proxies: a list of IPv4 or IPv6 addresses. */
static int
proxies(struct pp__yaml *y, const yaml_node_t *list, struct pp__web_conf *c)
{
	unsigned char buf[sizeof(struct in6_addr)];
	const char *s;
	yaml_node_t *item;
	size_t i;
	int rc;

	if (list == NULL)
		return PP_OK;
	if ((rc = pp__yaml_list(y, list, "trusted_proxies", "a list of "
	    "addresses")) != PP_OK)
		return rc;
	if (pp__yaml_count(list) > PP_WEB_PROXYMAX)
		return bad(y, list, "trusted_proxies", "at most %d addresses",
		    PP_WEB_PROXYMAX);
	for (i = 0; i < pp__yaml_count(list); i++) {
		item = pp__yaml_item(y, list, i);
		if ((s = pp__yaml_scalar(item)) == NULL ||
		    (inet_pton(AF_INET, s, buf) != 1 &&
		    inet_pton(AF_INET6, s, buf) != 1))
			return bad(y, item, "trusted_proxies", "\"%s\" is no "
			    "IPv4 or IPv6 address", s ? pp_q(s) : "");
		snprintf(c->trusted[c->ntrusted++], sizeof(c->trusted[0]), "%s",
		    s);
	}
	return PP_OK;
}

int
pp__web_conf_parse(struct pp__yaml *y, const yaml_node_t *map,
    struct pp__web_conf *c)
{
	static const char *const keys[] = { "listen", "trusted_proxies",
	    "bind_check", "session_days", "public_url", "notify", NULL };
	static const char *const checks[] = { "phone4", "code", NULL };
	const char *listen = NULL, *url = NULL, *notify = NULL;
	int64_t days = c->session_days;
	int rc, check = c->bind_code;

	if (map == NULL)
		return PP_OK;
	if ((rc = pp__yaml_keys(y, map, "web", keys)) != PP_OK ||
	    (rc = pp__yaml_text(y, map, "listen", 0, sizeof(c->listen),
	    &listen)) != PP_OK ||
	    (rc = proxies(y, pp__yaml_get(y, map, "trusted_proxies"), c)) !=
	    PP_OK ||
	    (pp__yaml_get(y, map, "bind_check") && (rc = pp__yaml_enum(y, map,
	    "bind_check", 16, checks, &check)) != PP_OK) ||
	    (rc = pp__yaml_int(y, map, "session_days", 1, 365, &days)) !=
	    PP_OK ||
	    (rc = pp__yaml_text(y, map, "public_url", 0,
	    sizeof(c->public_url), &url)) != PP_OK ||
	    (rc = pp__yaml_text(y, map, "notify", 0, sizeof(c->notify),
	    &notify)) != PP_OK)
		return rc;
	if (url && strncmp(url, "https://", 8) != 0 && strncmp(url,
	    "http://", 7) != 0)
		return bad(y, map, "public_url", "\"%s\" is no http:// or "
		    "https:// URL", pp_q(url));
	if (check == 1 && (notify == NULL || *notify == '\0'))
		return bad(y, map, "bind_check", "code needs a notify command "
		    "to send the codes");
	if (listen)
		snprintf(c->listen, sizeof(c->listen), "%s", listen);
	if (url) {
		snprintf(c->public_url, sizeof(c->public_url), "%s", url);
		c->secure = strncmp(url, "https://", 8) == 0;
	}
	if (notify)
		snprintf(c->notify, sizeof(c->notify), "%s", notify);
	c->bind_code = check == 1;
	c->session_days = (int)days;
	return PP_OK;
}

int
pp__web_conf_load(const char *path, struct pp__web_conf *c, char *err,
    size_t errlen)
{
	struct pp__yaml y;
	yaml_node_t *root;
	int rc;

	if ((rc = pp__yaml_open(&y, path, err, errlen)) == PP_OK) {
		root = pp__yaml_root(&y);
		if (root == NULL || root->type != YAML_MAPPING_NODE)
			rc = pp__yaml_bad(&y, 1, "web", "the file is no "
			    "mapping");
		else
			rc = pp__web_conf_parse(&y, pp__yaml_get(&y, root,
			    "web"), c);
	}
	pp__yaml_close(&y);
	return rc;
}
