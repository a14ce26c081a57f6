/*
 * lock.c: a named lock that one process holds at a time, on the engine
 * the database is on (doc/design.md, "Engines"): a flock on a file beside
 * a SQLite database, which serves the processes of one host; on
 * PostgreSQL an advisory lock, held by a connection of the lock's own, so
 * that a bus has one master whichever host its poller runs on.  A lock
 * dies with its process either way: the kernel drops a flock, the server
 * a session's advisory locks when its connection goes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "internal.h"

struct pp__lock {
	int	 fd;		/* the file's, or -1 */
	PGconn	*pg;		/* the server's, or NULL */
	char	 key[PP_KEYMAX + 32];	/* the lock's name on the server */
};

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
pp__lock_open(const char *dbpath, const char *name, const char *kind,
    struct pp__lock **lkp, char *err, size_t errlen)
{
	struct pp__lock *lk;
	char path[1200];

	*lkp = NULL;
	if ((lk = calloc(1, sizeof(*lk))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return PP_EINTERNAL;
	}
	lk->fd = -1;
	if (pp_db_is_uri(dbpath)) {
		lk->pg = PQconnectdb(dbpath);
		pp__pg_quiet(lk->pg);
		if (PQstatus(lk->pg) != CONNECTION_OK) {
			snprintf(err, errlen, "%s lock %s: %s", kind, name,
			    PQerrorMessage(lk->pg));
			err[strcspn(err, "\n")] = '\0';
			pp__lock_close(lk);
			return PP_ENOINPUT;
		}
		/* prepay's locks apart from any other program's. */
		snprintf(lk->key, sizeof(lk->key), "prepay %s %s", kind, name);
	} else {
		snprintf(path, sizeof(path), "%s.%s.%s", dbpath, name, kind);
		if ((lk->fd = pp__priv_lockfile(path)) == -1) {
			snprintf(err, errlen, "%s lock %s: %s", kind, path,
			    strerror(errno));
			pp__lock_close(lk);
			return PP_ENOINPUT;
		}
	}
	*lkp = lk;
	return PP_OK;
}

/* One try: 0 held, EWOULDBLOCK another has it, else why not. */
static int
try_once(struct pp__lock *lk)
{
	const char *v[1] = { lk->key };
	PGresult *res;
	int e;

	if (lk->pg == NULL)
		return flock(lk->fd, LOCK_EX | LOCK_NB) == -1 ? errno : 0;
	res = PQexecParams(lk->pg, "SELECT pg_try_advisory_lock(hashtextextended("
	    "$1, 0))", 1, NULL, v, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		e = EIO;
	else
		e = strcmp(PQgetvalue(res, 0, 0), "t") == 0 ? 0 : EWOULDBLOCK;
	PQclear(res);
	return e;
}

int
pp__lock_take(struct pp__lock *lk, int wait_ms)
{
	int64_t deadline = now_ms() + wait_ms;
	int e;

	while ((e = try_once(lk)) != 0) {
		if (e != EWOULDBLOCK && e != EINTR)
			return e;
		if (now_ms() >= deadline)
			return EWOULDBLOCK;
		usleep(20000);
	}
	return 0;
}

void
pp__lock_release(struct pp__lock *lk)
{
	const char *v[1] = { lk->key };

	if (lk->pg == NULL)
		flock(lk->fd, LOCK_UN);
	else
		PQclear(PQexecParams(lk->pg, "SELECT pg_advisory_unlock("
		    "hashtextextended($1, 0))", 1, NULL, v, NULL, NULL, 0));
}

int
pp__lock_held_elsewhere(struct pp__lock *lk)
{
	if (try_once(lk) != 0)
		return 1;
	pp__lock_release(lk);
	return 0;
}

void
pp__lock_close(struct pp__lock *lk)
{
	if (lk == NULL)
		return;
	if (lk->fd != -1)
		close(lk->fd);
	PQfinish(lk->pg);
	free(lk);
}
