/*
 * paysite.c: the payments: section of the site file (prepay.yaml(5)).
 * It names the merchant's identifiers and the key files; a relative
 * name is relative to the site file.  Each file is checked here, when
 * the file is read: the secrets (the WeChat Pay APIv3 key, the private
 * keys) must be mode 0640 or stricter, as the meters' key file must be,
 * and every key must be one.  The contents are never kept: the model
 * holds the absolute names only, and no message quotes a secret.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "internal.h"
#include "siteparse.h"

/* What a key file must hold. */
enum keykind { APIV3, PUBLIC, PRIVATE };

#define bad(y, n, key, ...) pp__yaml_bad((y), pp__yaml_line(n), (key), \
	__VA_ARGS__)

/*
 * name made absolute against the site file's folder, kept in pay: the
 * tools that use it later may run from anywhere.
 */
static int
absolute(struct pp__site_payments *pay, const char *site, const char *name,
    const char **out)
{
	const char *slash = strrchr(site, '/');
	char *dir, *real = NULL, *s = NULL;

	if (name[0] == '/')
		s = strdup(name);
	else if ((dir = slash ? strndup(site, slash == site ? 1 :
	    (size_t)(slash - site)) : strdup(".")) != NULL) {
		if ((real = realpath(dir, NULL)) != NULL &&
		    asprintf(&s, "%s%s%s", real, strcmp(real, "/") ? "/" : "",
		    name) < 0)
			s = NULL;
		free(real);
		free(dir);
	}
	if (s == NULL)
		return PP_EINTERNAL;
	if (pp_grow(&pay->owned, &pay->capowned, pay->nowned + 1,
	    sizeof(*pay->owned)) != PP_OK) {
		free(s);
		return PP_EINTERNAL;
	}
	pay->owned[pay->nowned++] = s;
	*out = s;
	return PP_OK;
}

/* The key in the open file fd is one of kind; why says what is wrong. */
static int
key_parses(int fd, enum keykind kind, char *why, size_t whylen)
{
	unsigned char buf[33];
	EVP_PKEY *pk;
	ssize_t n;
	FILE *f;

	if (kind == APIV3) {
		n = read(fd, buf, sizeof(buf));
		OPENSSL_cleanse(buf, sizeof(buf));
		if (n != 32) {
			snprintf(why, whylen, "an APIv3 key is 32 bytes, "
			    "this file is not");
			return PP_ECONFIG;
		}
		return PP_OK;
	}
	if ((f = fdopen(dup(fd), "r")) == NULL) {
		snprintf(why, whylen, "%s", strerror(errno));
		return PP_EINTERNAL;
	}
	pk = kind == PUBLIC ? PEM_read_PUBKEY(f, NULL, NULL, NULL) :
	    PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (pk == NULL || EVP_PKEY_base_id(pk) != EVP_PKEY_RSA) {
		EVP_PKEY_free(pk);
		snprintf(why, whylen, "not a PEM RSA %s key", kind == PUBLIC ?
		    "public" : "private");
		return PP_ECONFIG;
	}
	EVP_PKEY_free(pk);
	return PP_OK;
}

/* The file at key: named, absolute, readable, safe and of kind. */
static int
key_file(struct pp__yaml *y, struct pp__site_payments *pay,
    const yaml_node_t *map, const char *key, enum keykind kind,
    const char **out)
{
	char why[PP_ERRMAX];
	const char *name = NULL;
	struct stat st;
	int fd, rc;

	if ((rc = pp__yaml_text(y, map, key, 1, 1024, &name)) != PP_OK)
		return rc;
	if (absolute(pay, y->path, name, out) != PP_OK) {
		snprintf(y->err, y->errlen, "out of memory");
		return PP_EINTERNAL;
	}
	if ((fd = open(*out, O_RDONLY | O_CLOEXEC)) == -1)
		return bad(y, pp__yaml_get(y, map, key), key, "%s: %s", *out,
		    strerror(errno));
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode))
		rc = bad(y, pp__yaml_get(y, map, key), key, "%s: not a "
		    "regular file", *out);
	else if (kind != PUBLIC && pp__priv_check_secret(*out, &st, why,
	    sizeof(why)) != PP_OK)
		rc = bad(y, pp__yaml_get(y, map, key), key, "%s", why);
	else if ((rc = key_parses(fd, kind, why, sizeof(why))) != PP_OK)
		rc = bad(y, pp__yaml_get(y, map, key), key, "%s: %s", *out,
		    why);
	close(fd);
	return rc;
}

/* A certificate's serial at key, as a header may carry it: NULL, or bad. */
static int
serial_bad(struct pp__yaml *y, const yaml_node_t *n, const char *key,
    const char *serial)
{
	if (serial == NULL || strspn(serial, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789_-") == strlen(serial))
		return PP_OK;
	return bad(y, n, key, "\"%s\": letters, digits, _ and - only",
	    pp_q(serial));
}

/* platform_keys: a list of {serial, file}, each serial once. */
static int
platform_keys(struct pp__yaml *y, struct pp__site_payments *pay,
    const yaml_node_t *list)
{
	static const char *const keys[] = { "serial", "file", NULL };
	struct pp__site_paykey *k;
	yaml_node_t *n;
	size_t i, j;
	int rc;

	if (list == NULL || pp__yaml_count(list) == 0 ||
	    list->type != YAML_SEQUENCE_NODE)
		return bad(y, list, "platform_keys", "expected a list of "
		    "{serial, file}, at least one");
	for (i = 0; i < pp__yaml_count(list); i++) {
		n = pp__yaml_item(y, list, i);
		if (pp_grow(&pay->keys, &pay->capkeys, pay->nkeys + 1,
		    sizeof(*pay->keys)) != PP_OK) {
			snprintf(y->err, y->errlen, "out of memory");
			return PP_EINTERNAL;
		}
		k = &pay->keys[pay->nkeys];
		memset(k, 0, sizeof(*k));
		if ((rc = pp__yaml_keys(y, n, "platform key", keys)) !=
		    PP_OK ||
		    (rc = pp__yaml_text(y, n, "serial", 1, 65, &k->serial)) !=
		    PP_OK ||
		    (rc = key_file(y, pay, n, "file", PUBLIC, &k->file)) !=
		    PP_OK)
			return rc;
		if ((rc = serial_bad(y, n, "serial", k->serial)) != PP_OK)
			return rc;
		for (j = 0; j < pay->nkeys; j++)
			if (strcmp(pay->keys[j].serial, k->serial) == 0)
				return bad(y, n, "serial", "%s is listed twice",
				    k->serial);
		pay->nkeys++;
	}
	return PP_OK;
}

static int
wechat(struct pp__yaml *y, struct pp__site_payments *pay,
    const yaml_node_t *map)
{
	static const char *const keys[] = { "mchid", "appid",
	    "apiv3_key_file", "platform_keys", "merchant_key_file",
	    "api_base", "merchant_serial", NULL };
	int rc;

	if (map == NULL)
		return PP_OK;
	pay->has_wechat = 1;
	if ((rc = pp__yaml_keys(y, map, "wechat", keys)) != PP_OK ||
	    (rc = pp__yaml_text(y, map, "mchid", 1, 33, &pay->mchid)) != PP_OK ||
	    (rc = pp__yaml_text(y, map, "appid", 1, 33, &pay->appid)) != PP_OK ||
	    (rc = key_file(y, pay, map, "apiv3_key_file", APIV3,
	    &pay->apiv3_key_file)) != PP_OK ||
	    (rc = platform_keys(y, pay, pp__yaml_get(y, map,
	    "platform_keys"))) != PP_OK ||
	    (rc = key_file(y, pay, map, "merchant_key_file", PRIVATE,
	    &pay->merchant_key_file)) != PP_OK ||
	    (rc = pp__yaml_text(y, map, "api_base", 1, 256,
	    &pay->api_base)) != PP_OK ||
	    (rc = pp__yaml_text(y, map, "merchant_serial", 0, 65,
	    &pay->merchant_serial)) != PP_OK)
		return rc;
	return serial_bad(y, pp__yaml_get(y, map, "merchant_serial"),
	    "merchant_serial", pay->merchant_serial);
}

static int
alipay(struct pp__yaml *y, struct pp__site_payments *pay,
    const yaml_node_t *map)
{
	static const char *const keys[] = { "app_id", "public_key_file",
	    "private_key_file", "gateway", NULL };
	int rc;

	if (map == NULL)
		return PP_OK;
	pay->has_alipay = 1;
	if ((rc = pp__yaml_keys(y, map, "alipay", keys)) != PP_OK ||
	    (rc = pp__yaml_text(y, map, "app_id", 1, 33, &pay->app_id)) !=
	    PP_OK ||
	    (rc = key_file(y, pay, map, "public_key_file", PUBLIC,
	    &pay->public_key_file)) != PP_OK ||
	    (rc = key_file(y, pay, map, "private_key_file", PRIVATE,
	    &pay->private_key_file)) != PP_OK ||
	    (rc = pp__yaml_text(y, map, "gateway", 1, 256, &pay->gateway)) !=
	    PP_OK)
		return rc;
	return PP_OK;
}

int
pp__site_payments(struct pp__yaml *y, const yaml_node_t *map,
    struct pp__site *site)
{
	static const char *const keys[] = { "notify_base", "wechat", "alipay",
	    NULL };
	struct pp__site_payments *pay = &site->payments;
	int rc;

	if (map == NULL)
		return PP_OK;
	pay->has = 1;
	if ((rc = pp__yaml_keys(y, map, "payments", keys)) != PP_OK ||
	    (rc = pp__yaml_text(y, map, "notify_base", 1, 256,
	    &pay->notify_base)) != PP_OK ||
	    (rc = wechat(y, pay, pp__yaml_get(y, map, "wechat"))) != PP_OK ||
	    (rc = alipay(y, pay, pp__yaml_get(y, map, "alipay"))) != PP_OK)
		return rc;
	if (!pay->has_wechat && !pay->has_alipay)
		return bad(y, map, "payments", "give wechat, alipay or both");
	return PP_OK;
}

void
pp__site_payments_free(struct pp__site_payments *pay)
{
	size_t i;

	for (i = 0; i < pay->nowned; i++)
		free(pay->owned[i]);
	free(pay->owned);
	free(pay->keys);
}
