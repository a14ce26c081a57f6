/*
 * opens: a poll's workers open the database at once, one connection each
 * (poll.c).  Every open must name the same operator and succeed: the
 * login comes from the password file by the _r call, and the zone is set
 * once (db.c, time.c).  getpwuid's one static entry, torn by another
 * thread, once failed a month's poll with "login name too long".  A
 * thread of the program's own that calls getpwuid all the while (as a
 * program linking the library may) widens that window from rare to sure:
 * it asks alternately for our uid and for one no line has, so that the
 * C library parses every line of the password file into its one entry.
 */
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "tap.h"

enum { WORKERS = 8, OPENS = 60 };

struct worker {
	pthread_t	 thread;
	const char	*path;
	const char	*login;
	int		 failed;
	char		 why[256];
};

static volatile int opening = 1;

static void *
neighbour(void *arg)
{
	unsigned long *calls = arg;

	while (opening) {
		(void)getpwuid(*calls % 2 ? getuid() : (uid_t)2147483600);
		++*calls;
	}
	return NULL;
}

static void *
opener(void *arg)
{
	struct worker *w = arg;
	pp_db *db;
	int i;

	for (i = 0; i < OPENS && !w->failed; i++) {
		if (pp_db_open(&db, w->path, 0) != PP_OK) {
			snprintf(w->why, sizeof(w->why), "open %d: %s", i,
			    pp_errmsg(db));
			w->failed = 1;
		} else if (strcmp(db->login, w->login) != 0) {
			snprintf(w->why, sizeof(w->why), "open %d: operator "
			    "%s, not %s", i, db->login, w->login);
			w->failed = 1;
		}
		pp_db_close(db);
	}
	return NULL;
}

int
main(void)
{
	char dir[] = "/tmp/pp-opens-XXXXXX", path[1024], buf[4096];
	struct worker w[WORKERS];
	struct passwd pwd, *pw;
	pthread_t other;
	unsigned long calls = 0;
	pp_db *db;
	int i, started = 0, failed = 0;

	if (mkdtemp(dir) == NULL ||
	    getpwuid_r(getuid(), &pwd, buf, sizeof(buf), &pw) != 0 ||
	    pw == NULL) {
		printf("Bail out! no temporary directory or no login\n");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/site.db", dir);
	ok(pp_db_open(&db, path, PP_DB_CREATE) == PP_OK, "make a database");
	pp_db_close(db);

	if (pthread_create(&other, NULL, neighbour, &calls) != 0) {
		printf("Bail out! no thread\n");
		return 1;
	}
	for (i = 0; i < WORKERS; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].path = path;
		w[i].login = pw->pw_name;
		if (pthread_create(&w[i].thread, NULL, opener, &w[i]) == 0)
			started++;
		else
			break;
	}
	is_int(started, WORKERS, "8 workers started");
	for (i = 0; i < started; i++) {
		pthread_join(w[i].thread, NULL);
		if (w[i].failed) {
			printf("# worker %d: %s\n", i, w[i].why);
			failed++;
		}
	}
	opening = 0;
	pthread_join(other, NULL);
	printf("# getpwuid called %lu times meanwhile\n", calls);
	ok(failed == 0, "8 workers, 60 opens each at once: every one "
	    "succeeds and names %s", pw->pw_name);

	remove_database(dir, path);
	return done_testing();
}
