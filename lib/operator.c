/*
 * operator.c: who runs the tool, and what that login may do.
 */
#include <string.h>

#include "internal.h"

static const char *const role_names[] = {
	[PP_ROLE_NONE] = "none",
	[PP_ROLE_AUDITOR] = "auditor",
	[PP_ROLE_POLLER] = "poller",
	[PP_ROLE_CASHIER] = "cashier",
	[PP_ROLE_SUPERVISOR] = "supervisor",
	[PP_ROLE_ADMIN] = "admin",
};

/* What an entry point needs of the role. */
enum need { NEED_ANY, NEED_POLLER, NEED_CASHIER, NEED_SUPERVISOR, NEED_ADMIN };

static const char *const need_names[] = {
	[NEED_ANY] = "an operator",
	[NEED_POLLER] = "the poller role",
	[NEED_CASHIER] = "the cashier role",
	[NEED_SUPERVISOR] = "the supervisor role",
	[NEED_ADMIN] = "the admin role",
};

/* doc/design.md, "Privilege": the role each tool needs. */
static const enum need action_needs[] = {
	[PP_ACT_REPORT] = NEED_ANY,
	[PP_ACT_METER_READ] = NEED_POLLER,
	[PP_ACT_ALARM_SCAN] = NEED_POLLER,
	[PP_ACT_SALE] = NEED_CASHIER,
	[PP_ACT_REFUND] = NEED_CASHIER,
	[PP_ACT_ACCT_OPEN] = NEED_CASHIER,
	[PP_ACT_ACCT_CLOSE] = NEED_CASHIER,
	[PP_ACT_REVERSE] = NEED_SUPERVISOR,
	[PP_ACT_METER_SWAP] = NEED_SUPERVISOR,
	[PP_ACT_SITE_LOAD] = NEED_ADMIN,
	[PP_ACT_METER_CTL] = NEED_ANY,
	[PP_ACT_BACKUP] = NEED_POLLER,
	[PP_ACT_RESTORE] = NEED_ADMIN,
	[PP_ACT_MIGRATE] = NEED_ADMIN,
};

const char *
pp__role_name(enum pp_role role)
{
	return role_names[role];
}

int
pp__role_parse(const char *s, enum pp_role *role)
{
	int i;

	for (i = PP_ROLE_AUDITOR; i <= PP_ROLE_ADMIN; i++)
		if (strcmp(s, role_names[i]) == 0) {
			*role = (enum pp_role)i;
			return PP_OK;
		}
	return PP_EDATA;
}

static int
allowed(enum pp_role role, enum need need)
{
	switch (need) {
	case NEED_ANY:
		return role != PP_ROLE_NONE;
	case NEED_POLLER:
		return role == PP_ROLE_POLLER || role == PP_ROLE_SUPERVISOR ||
		    role == PP_ROLE_ADMIN;
	case NEED_CASHIER:
		return role >= PP_ROLE_CASHIER;
	case NEED_SUPERVISOR:
		return role >= PP_ROLE_SUPERVISOR;
	case NEED_ADMIN:
		return role == PP_ROLE_ADMIN;
	}
	return 0;
}

/* The login's role, looked up once. */
static int
resolve(pp_db *db)
{
	pp__st *st;
	char role[32];
	int rc;

	if (db->role != PP_ROLE_NONE)
		return PP_OK;
	if ((st = pp__stmt(db, "SELECT role FROM operators WHERE login = ?"))
	    == NULL)
		return pp__errcode(db);
	pp__bind_text(st, 1, db->login);
	rc = pp__step(st);
	if (rc == PP__ROW) {
		pp__col_text(st, 0, role, sizeof(role));
		pp__reset(st);
		if (pp__role_parse(role, &db->role) != PP_OK)
			db->role = PP_ROLE_NONE;
		return PP_OK;
	}
	pp__reset(st);
	if (rc != PP__DONE)
		return pp__sqlfail(db, "operators");
	return pp__fail(db, PP_EPERM, "login %s is not an operator of this "
	    "site", db->login);
}

/*
 * The poller may cut off arrears; every other command is a
 * supervisor's (doc/design.md, "Privilege").  For the list, the rows must
 * all say arrears; for each meter, the trip must be one (pp_meter_ctl
 * then checks the balance) and never force keep-power.
 */
static int
may_control(pp_db *db, enum pp_action action, const char *command,
    int flags)
{
	enum pp_role role = db->role;
	int trip = strcmp(command, "trip") == 0;

	if (role >= PP_ROLE_SUPERVISOR)
		return PP_OK;
	if (action == PP_ACT_CONTROL_METER) {
		if (trip && (flags & PP_CTL_ARREARS) && !(flags & PP_CTL_FORCE))
			return PP_OK;
		return pp__fail(db, PP_EPERM, "login %s may trip meters in "
		    "arrears only", db->login);
	}
	if (role == PP_ROLE_POLLER && trip && (flags & PP_CTL_ARREARS))
		return PP_OK;
	return pp__fail(db, PP_EPERM, "login %s is a%s %s; meter-ctl %s needs "
	    "the supervisor role%s", db->login, role == PP_ROLE_AUDITOR ?
	    "n" : "", pp__role_name(role), command, trip ?
	    " (a poller trips arrears rows only)" : "");
}

int
pp_operator_may(pp_db *db, enum pp_action action, const char *command,
    int flags)
{
	enum need need;
	int rc;

	if ((rc = resolve(db)) != PP_OK)
		return rc;
	if (action == PP_ACT_CONTROL || action == PP_ACT_CONTROL_METER)
		return may_control(db, action, command, flags);
	need = action_needs[action];
	if (!allowed(db->role, need))
		return pp__fail(db, PP_EPERM, "login %s is a%s %s; this needs "
		    "%s", db->login, db->role == PP_ROLE_ADMIN ||
		    db->role == PP_ROLE_AUDITOR ? "n" : "",
		    role_names[db->role], need_names[need]);
	return PP_OK;
}

const char *
pp__operator_login(const pp_db *db)
{
	return db->login;
}

enum pp_role
pp__operator_role(const pp_db *db)
{
	return db->role;
}
