/*
 * keys.c: the passwords and operator codes that DL/T 645 meters want for
 * a write or a relay control.  They are secrets that open every meter of
 * a site, so they live in a file of their own, never in the database, its
 * backups or an audit row.  The file is the service group's, mode 0640:
 * every tool reads it through its setgid group (prepay(7)), and no
 * operator can read it directly.  A line is
 *
 *	meter|gateway NAME PASSWORD [OPERATOR]
 *
 * and "gateway *" holds for every gateway.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "dlt645.h"

#ifndef PP_STATEDIR
#define PP_STATEDIR "/var/lib/prepay"
#endif

struct key {
	int	meter;			/* else a gateway, or "*" */
	char	name[PP_KEYMAX];
	uint8_t	pw[4], op[4];
	char	esam[PP_ERRMAX];	/* why a level 98/99 can't be sent */
};

struct pp_keys {
	char		 path[1024];
	struct key	*v;
	size_t		 n, cap;
};

char *
pp__keys_path(const char *dbpath, char *buf, size_t len)
{
	const char *env = pp__priv_getenv("PREPAY_KEYS");

	if (env && *env)
		snprintf(buf, len, "%s", env);
	else if (pp_db_is_uri(dbpath))
		/* A server's site: each poller host keeps its own file. */
		snprintf(buf, len, "%s/prepay.keys", PP_STATEDIR);
	else
		snprintf(buf, len, "%s.keys", dbpath);
	return buf;
}

void
pp__keys_free(struct pp_keys *k)
{
	if (k == NULL)
		return;
	/* Secrets do not linger in freed memory. */
	if (k->v)
		memset(k->v, 0, k->cap * sizeof(k->v[0]));
	free(k->v);
	free(k);
}

static int
line_fail(struct pp_keys *k, long line, char *err, size_t errlen,
    const char *why)
{
	snprintf(err, errlen, "%s:%ld: %s", k->path, line, why);
	return PP_ECONFIG;
}

/* One line's words into k; the caller has cut off the comment. */
static int
parse_line(struct pp_keys *k, long line, char *s, char *err, size_t errlen)
{
	char *w[5], *save = NULL, why[PP_ERRMAX];
	struct key key;
	size_t i, n = 0;
	int rc;

	for (w[n] = strtok_r(s, " \t\r", &save); w[n] && n < 4;
	    w[++n] = strtok_r(NULL, " \t\r", &save))
		;
	if (n == 0)
		return PP_OK;
	if (n < 3 || n > 4 || (n == 4 && w[4] != NULL))
		return line_fail(k, line, err, errlen, "use meter|gateway NAME "
		    "PASSWORD [OPERATOR]");
	memset(&key, 0, sizeof(key));
	if (strcmp(w[0], "meter") == 0)
		key.meter = 1;
	else if (strcmp(w[0], "gateway") != 0)
		return line_fail(k, line, err, errlen, "the first word is meter "
		    "or gateway");
	if (strlen(w[1]) >= sizeof(key.name) || (key.meter &&
	    strcmp(w[1], "*") == 0))
		return line_fail(k, line, err, errlen, "no such meter name");
	snprintf(key.name, sizeof(key.name), "%s", w[1]);
	rc = pp__645_password_parse(w[2], key.pw, why, sizeof(why));
	if (rc == PP_ECONFIG)
		snprintf(key.esam, sizeof(key.esam), "%s", why);
	else if (rc != PP_OK)
		return line_fail(k, line, err, errlen, why);
	if (n == 4 && pp__645_operator_parse(w[3], key.op, why, sizeof(why)) !=
	    PP_OK)
		return line_fail(k, line, err, errlen, why);
	for (i = 0; i < k->n; i++)
		if (k->v[i].meter == key.meter &&
		    strcmp(k->v[i].name, key.name) == 0) {
			snprintf(why, sizeof(why), "%s %s is listed twice",
			    w[0], pp_q(key.name));
			return line_fail(k, line, err, errlen, why);
		}
	if (k->n == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 16;
		struct key *v = calloc(cap, sizeof(*v));

		if (v == NULL) {
			snprintf(err, errlen, "out of memory");
			return PP_EINTERNAL;
		}
		if (k->n)
			memcpy(v, k->v, k->n * sizeof(*v));
		if (k->v)
			memset(k->v, 0, k->cap * sizeof(k->v[0]));
		free(k->v);
		k->v = v;
		k->cap = cap;
	}
	k->v[k->n++] = key;
	memset(&key, 0, sizeof(key));
	return PP_OK;
}

int
pp__keys_load(const char *path, struct pp_keys **keysp, char *err,
    size_t errlen)
{
	struct pp_keys *k;
	struct stat st;
	char buf[1024], why[PP_ERRMAX], *hash;
	long line = 0;
	FILE *f;
	int fd, rc = PP_OK;

	*keysp = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		/*
		 * Nobody else could send the command either: a missing or
		 * unreadable key file is the site's to mend, and says so.
		 */
		snprintf(err, errlen, "key file %s: %s%s", path,
		    strerror(errno), errno == EACCES ? ": it must be of the "
		    "tools' group, mode 0640 (prepay(7))" : "");
		return PP_ECONFIG;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "key file %s: not a regular file", path);
		close(fd);
		return PP_ECONFIG;
	}
	if ((rc = pp__priv_check_secret(path, &st, why, sizeof(why))) !=
	    PP_OK) {
		snprintf(err, errlen, "key file %s", why);
		close(fd);
		return rc;
	}
	if ((f = fdopen(fd, "r")) == NULL || (k = calloc(1, sizeof(*k))) ==
	    NULL) {
		if (f)
			fclose(f);
		else
			close(fd);
		snprintf(err, errlen, "out of memory");
		return PP_EINTERNAL;
	}
	snprintf(k->path, sizeof(k->path), "%s", path);
	while (rc == PP_OK && fgets(buf, sizeof(buf), f) != NULL) {
		line++;
		if (strchr(buf, '\n') == NULL && !feof(f))
			rc = line_fail(k, line, err, errlen, "line too long");
		else {
			if ((hash = strchr(buf, '#')) != NULL)
				*hash = '\0';
			buf[strcspn(buf, "\n")] = '\0';
			rc = parse_line(k, line, buf, err, errlen);
		}
	}
	if (rc == PP_OK && ferror(f)) {
		snprintf(err, errlen, "key file %s: %s", path, strerror(errno));
		rc = PP_ECONFIG;
	}
	memset(buf, 0, sizeof(buf));
	fclose(f);
	if (rc != PP_OK) {
		pp__keys_free(k);
		return rc;
	}
	*keysp = k;
	return PP_OK;
}

static const struct key *
find(const struct pp_keys *k, int meter, const char *name)
{
	size_t i;

	for (i = 0; name && i < k->n; i++)
		if (k->v[i].meter == meter && strcmp(k->v[i].name, name) == 0)
			return &k->v[i];
	return NULL;
}

int
pp__keys_find(const struct pp_keys *k, const char *gateway, const char *meter,
    uint8_t pw[4], uint8_t op[4], char *err, size_t errlen)
{
	const struct key *key;

	if ((key = find(k, 1, meter)) == NULL &&
	    (key = find(k, 0, gateway)) == NULL &&
	    (key = find(k, 0, "*")) == NULL) {
		snprintf(err, errlen, "key file %s has no password for meter "
		    "%s or gateway %s", k->path, meter, gateway);
		return PP_ECONFIG;
	}
	if (key->esam[0]) {
		snprintf(err, errlen, "meter %s: %s", meter, key->esam);
		return PP_ECONFIG;
	}
	memcpy(pw, key->pw, 4);
	memcpy(op, key->op, 4);
	return PP_OK;
}

int
pp__keys_listed(const struct pp_keys *k, const char *gateway,
    const char *meter)
{
	return find(k, 1, meter) != NULL || find(k, 0, gateway) != NULL ||
	    find(k, 0, "*") != NULL;
}
