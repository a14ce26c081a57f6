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

static const char *const need_names[] = {
	[PP_NEED_ANY] = "an operator",
	[PP_NEED_POLLER] = "the poller role",
	[PP_NEED_CASHIER] = "the cashier role",
	[PP_NEED_SUPERVISOR] = "the supervisor role",
	[PP_NEED_ADMIN] = "the admin role",
};

const char *
pp_role_name(enum pp_role role)
{
	return role_names[role];
}

int
pp_role_parse(const char *s, enum pp_role *role)
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
allowed(enum pp_role role, enum pp_need need)
{
	switch (need) {
	case PP_NEED_ANY:
		return role != PP_ROLE_NONE;
	case PP_NEED_POLLER:
		return role == PP_ROLE_POLLER || role == PP_ROLE_SUPERVISOR ||
		    role == PP_ROLE_ADMIN;
	case PP_NEED_CASHIER:
		return role >= PP_ROLE_CASHIER;
	case PP_NEED_SUPERVISOR:
		return role >= PP_ROLE_SUPERVISOR;
	case PP_NEED_ADMIN:
		return role == PP_ROLE_ADMIN;
	}
	return 0;
}

int
pp_operator_check(pp_db *db, enum pp_need need)
{
	sqlite3_stmt *st;
	char role[32];
	int rc;

	if ((st = pp_stmt(db, "SELECT role FROM operators WHERE login = ?"))
	    == NULL)
		return PP_EINTERNAL;
	sqlite3_bind_text(st, 1, db->login, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		pp_col_text(st, 0, role, sizeof(role));
		sqlite3_reset(st);
		if (pp_role_parse(role, &db->role) != PP_OK)
			db->role = PP_ROLE_NONE;
	} else {
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			return pp_sqlfail(db, "operators");
		return pp_fail(db, PP_EPERM, "login %s is not an operator of "
		    "this site", db->login);
	}
	if (!allowed(db->role, need))
		return pp_fail(db, PP_EPERM, "login %s is a%s %s; this needs %s",
		    db->login, db->role == PP_ROLE_ADMIN ||
		    db->role == PP_ROLE_AUDITOR ? "n" : "",
		    role_names[db->role], need_names[need]);
	return PP_OK;
}

const char *
pp_operator_login(const pp_db *db)
{
	return db->login;
}

enum pp_role
pp_operator_role(const pp_db *db)
{
	return db->role;
}
