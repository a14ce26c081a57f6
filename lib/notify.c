/*
 * notify.c: notices of alarms.  The site's own command sends each notice
 * (an SMS modem's gammu-smsd-inject, an HTTP gateway through curl, ...);
 * prepay gives it the notice in PREPAY_* variables and keeps, per alarm,
 * whether the resident's notice and the manager's copy went out, so a
 * failed one is tried again on the next scan and a sent one never is.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

/* A notice command that takes longer than this has failed. */
#define NOTIFY_SECONDS	60

struct notice {
	int64_t	id;
	int	resident;		/* the resident's notice is owed */
	int	manager;		/* the manager's copy is owed */
	char	kind[16], level[8], message[PP_TEXTMAX], value[64];
	char	phone[PP_KEYMAX], account[PP_KEYMAX], name[PP_NAMEMAX];
	char	meter[PP_KEYMAX], room[PP_KEYMAX], balance[PP_NUMBUF];
};

/* Run command with the notice; 0 when it exited 0 in time. */
static int
run(const char *command, const struct notice *n, const char *to,
    const char *phone, char *err, size_t errlen)
{
	struct timespec tick = { 0, 20000000 };
	int status, waited;
	pid_t pid, done;

	if ((pid = fork()) == -1) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		/* The site's command runs as the caller, not the group. */
		if (pp__priv_drop() == -1)
			_exit(126);
		/* Our standard output is the alarms' rows, for a pipe. */
		dup2(STDERR_FILENO, STDOUT_FILENO);
		setenv("PREPAY_TO", to, 1);
		setenv("PREPAY_PHONE", phone, 1);
		setenv("PREPAY_TEXT", n->message, 1);
		setenv("PREPAY_ALARM", n->kind, 1);
		setenv("PREPAY_LEVEL", n->level, 1);
		setenv("PREPAY_METER", n->meter, 1);
		setenv("PREPAY_ACCOUNT", n->account, 1);
		setenv("PREPAY_NAME", n->name, 1);
		setenv("PREPAY_ROOM", n->room, 1);
		setenv("PREPAY_BALANCE", n->balance, 1);
		setenv("PREPAY_VALUE", n->value, 1);
		execl("/bin/sh", "sh", "-c", command, (char *)NULL);
		_exit(127);
	}
	for (waited = 0; (done = waitpid(pid, &status, WNOHANG)) == 0;
	    waited++) {
		if (waited >= NOTIFY_SECONDS * 50) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			snprintf(err, errlen, "timed out after %d s",
			    NOTIFY_SECONDS);
			return -1;
		}
		nanosleep(&tick, NULL);
	}
	if (done == -1) {
		snprintf(err, errlen, "wait: %s", strerror(errno));
		return -1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		snprintf(err, errlen, "the notice command exited %d",
		    WEXITSTATUS(status));
	else
		snprintf(err, errlen, "the notice command was killed by signal "
		    "%d", WTERMSIG(status));
	return -1;
}

int
pp__notify_send(const char *command, const char *kind, const char *account,
    const char *phone, const char *text, char *err, size_t errlen)
{
	struct notice n;
	int rc;

	memset(&n, 0, sizeof(n));
	snprintf(n.kind, sizeof(n.kind), "%s", kind);
	snprintf(n.account, sizeof(n.account), "%s", account);
	snprintf(n.phone, sizeof(n.phone), "%s", phone);
	snprintf(n.message, sizeof(n.message), "%s", text);
	rc = run(command, &n, "resident", n.phone, err, errlen) == 0 ? PP_OK :
	    PP_EUNREACH;
	explicit_bzero(n.message, sizeof(n.message));
	return rc;
}

static int
record(pp_db *db, int64_t id, const char *column, const char *error)
{
	int rc;

	if ((rc = pp__tx_begin(db)) != PP_OK)
		return rc;
	if (error)
		rc = pp__exec(db, "UPDATE alarms SET attempts = attempts + 1, "
		    "last_error = ? WHERE id = ?", "ti", error, id);
	else if (strcmp(column, "resident") == 0)
		rc = pp__exec(db, "UPDATE alarms SET resident_sent = ?, "
		    "notified = coalesce(notified, ?) WHERE id = ?", "iii",
		    pp_now(), pp_now(), id);
	else
		rc = pp__exec(db, "UPDATE alarms SET manager_sent = ?, "
		    "notified = coalesce(notified, ?) WHERE id = ?", "iii",
		    pp_now(), pp_now(), id);
	if (rc != PP_OK) {
		pp__tx_rollback(db);
		return rc;
	}
	return pp__tx_commit(db);
}

int
pp_alarm_notify(pp_db *db, const char *command, struct pp_notify_result *r)
{
	struct notice *list = NULL, *n;
	char manager[PP_KEYMAX] = "", err[PP_ERRMAX];
	pp__st *st;
	size_t count = 0, cap = 0, i;
	int rc = PP_OK, has_manager;

	memset(r, 0, sizeof(*r));
	has_manager = pp__setting(db, "sms_to", manager, sizeof(manager)) &&
	    *manager;
	/* The residents hear of their balance; the manager of everything. */
	if ((st = pp__stmt(db, "SELECT l.id, l.kind IN ('low1', 'low2', "
	    "'arrears', 'unfunded') AND coalesce(a.phone, '') <> '' AND l.resident_sent IS "
	    "NULL, ?1 <> 0 AND l.manager_sent IS NULL, l.kind, l.level, "
	    "coalesce(l.message, ''), coalesce(l.value, ''), "
	    "coalesce(a.phone, ''), coalesce(a.account, ''), "
	    "coalesce(a.name, ''), coalesce(m.meter, ''), coalesce(m.room, ''), "
	    "CASE WHEN a.id IS NULL THEN NULL WHEN m.billing = 'meter' AND "
	    "m.meter_balance IS NOT NULL THEN m.meter_balance ELSE (SELECT "
	    "balance FROM account_balances WHERE account_id = a.id) END FROM "
	    "alarms l LEFT JOIN accounts "
	    "a ON a.id = coalesce(l.account_id, (SELECT account_id FROM meters "
	    "WHERE id = l.meter_id)) LEFT JOIN meters m ON m.id = "
	    "coalesce(l.meter_id, (SELECT id FROM meters WHERE account_id = "
	    "l.account_id ORDER BY billing = 'meter' DESC, id LIMIT 1)) "
	    "WHERE l.cleared IS NULL ORDER BY l.id")) == NULL)
		return PP_EINTERNAL;
	pp__bind_int64(st, 1, has_manager);
	while (pp__step(st) == PP__ROW) {
		if (!pp__col_int(st, 1) && !pp__col_int(st, 2))
			continue;
		if (pp_grow(&list, &cap, count + 1, sizeof(*list)) != PP_OK) {
			pp__reset(st);
			free(list);
			return pp__fail(db, PP_EINTERNAL, "out of memory");
		}
		n = &list[count++];
		memset(n, 0, sizeof(*n));
		n->id = pp__col_int64(st, 0);
		n->resident = pp__col_int(st, 1);
		n->manager = pp__col_int(st, 2);
		pp__col_text(st, 3, n->kind, sizeof(n->kind));
		pp__col_text(st, 4, n->level, sizeof(n->level));
		pp__col_text(st, 5, n->message, sizeof(n->message));
		pp__col_text(st, 6, n->value, sizeof(n->value));
		pp__col_text(st, 7, n->phone, sizeof(n->phone));
		pp__col_text(st, 8, n->account, sizeof(n->account));
		pp__col_text(st, 9, n->name, sizeof(n->name));
		pp__col_text(st, 10, n->meter, sizeof(n->meter));
		pp__col_text(st, 11, n->room, sizeof(n->room));
		if (!pp__col_null(st, 12))
			pp_money_format(pp__col_int64(st, 12),
			    n->balance);
	}
	pp__reset(st);
	for (i = 0; i < count && rc == PP_OK; i++) {
		n = &list[i];
		if (n->resident) {
			int failed = run(command, n, "resident", n->phone, err,
			    sizeof(err));

			r->sent += !failed;
			r->failed += failed != 0;
			rc = record(db, n->id, "resident", failed ? err : NULL);
		}
		if (rc == PP_OK && n->manager) {
			int failed = run(command, n, "manager", manager, err,
			    sizeof(err));

			r->sent += !failed;
			r->failed += failed != 0;
			rc = record(db, n->id, "manager", failed ? err : NULL);
		}
	}
	free(list);
	return rc;
}
