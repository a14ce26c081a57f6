/*
 * lock: a named lock (lock.c) is one process's at a time, on the engine
 * its database path names: a flock beside a SQLite file, or an advisory
 * lock on the PostgreSQL server of a URI (tests/pg/lock.t gives one).  It
 * is another's to take once let go, and once its holder is killed.
 *
 * usage: lock [DBPATH]	(default: a file in a temporary directory)
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"
#include "tap.h"

static struct pp__lock *
opened(const char *dbpath, const char *name)
{
	struct pp__lock *lk = NULL;
	char err[PP_ERRMAX];

	if (pp__lock_open(dbpath, name, "lock", &lk, err, sizeof(err)) !=
	    PP_OK)
		printf("# %s\n", err);
	return lk;
}

int
main(int argc, char **argv)
{
	char dir[] = "/tmp/prepay-lock.XXXXXX", path[64], buf[1];
	struct pp__lock *a, *b, *other;
	const char *dbpath = argv[1];
	int fds[2], status;
	pid_t child;

	if (argc < 2) {
		if (mkdtemp(dir) == NULL)
			return 1;
		snprintf(path, sizeof(path), "%s/prepay.db", dir);
		dbpath = path;
	}
	printf("# on %s\n", pp_db_is_uri(dbpath) ? "PostgreSQL" : "a file");
	a = opened(dbpath, "gw1");
	b = opened(dbpath, "gw1");
	other = opened(dbpath, "gw2");
	if (a == NULL || b == NULL || other == NULL) {
		printf("Bail out! the locks cannot be made\n");
		return 1;
	}
	is_int(pp__lock_take(a, 0), 0, "the first handle takes gw1");
	is_int(pp__lock_take(b, 0), EWOULDBLOCK,
	    "a second handle finds it held, at once");
	is_int(pp__lock_take(b, 100), EWOULDBLOCK,
	    "... and after waiting 100 ms");
	ok(pp__lock_held_elsewhere(b), "the second sees it held elsewhere");
	is_int(pp__lock_take(other, 0), 0, "gw2 is a lock of its own");
	pp__lock_release(a);
	ok(!pp__lock_held_elsewhere(b), "let go, it is free");
	is_int(pp__lock_take(b, 0), 0, "and the second takes it");
	pp__lock_release(b);
	pp__lock_release(other);

	/* Another process holds it, then dies without letting go. */
	if (pipe(fds) != 0 || (child = fork()) == -1)
		return 1;
	if (child == 0) {
		struct pp__lock *c = opened(dbpath, "gw1");

		buf[0] = c != NULL && pp__lock_take(c, 0) == 0 ? 'y' : 'n';
		if (write(fds[1], buf, 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(fds[1]);
	ok(read(fds[0], buf, 1) == 1 && buf[0] == 'y',
	    "another process takes gw1");
	is_int(pp__lock_take(a, 50), EWOULDBLOCK, "this one waits for it, "
	    "and gives up");
	kill(child, SIGKILL);
	waitpid(child, &status, 0);
	/* The server ends a dead client's session when it notices. */
	is_int(pp__lock_take(a, 10000), 0,
	    "killed, its lock is gone: this one takes it");
	pp__lock_close(a);
	pp__lock_close(b);
	pp__lock_close(other);
	if (argc < 2) {
		snprintf(path, sizeof(path), "%s/prepay.db.gw1.lock", dir);
		unlink(path);
		snprintf(path, sizeof(path), "%s/prepay.db.gw2.lock", dir);
		unlink(path);
		rmdir(dir);
	}
	return done_testing();
}
