/*
 * stmt: the statement cache (db.c) never resets or evicts a statement its
 * user still holds, and does not grow without bound.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "internal.h"
#include "tap.h"

static const char three[] = "SELECT column1 FROM (VALUES (1), (2), (3))";
static const char echo[] = "SELECT ?";
static const char dropped[] = "SELECT 42";

static int
step_int(pp__st *st)
{
	return pp__step(st) == PP__ROW ? pp__col_int(st, 0) : -1;
}

static void
nested_same_query(pp_db *db)
{
	pp__st *outer, *inner;
	int sum = 0;

	outer = pp__stmt(db, three);
	ok(step_int(outer) == 1, "the outer loop reads its first row");
	inner = pp__stmt(db, three);
	ok(inner != NULL && inner != outer,
	    "the same query inside the loop gets a statement of its own");
	while (pp__step(inner) == PP__ROW)
		sum += pp__col_int(inner, 0);
	pp__reset(inner);
	ok(sum == 6, "the inner statement reads all three rows");
	ok(step_int(outer) == 2 && step_int(outer) == 3,
	    "the outer loop goes on where it was");
	pp__reset(outer);
}

static void
bound_not_stepped(pp_db *db)
{
	pp__st *a, *b;

	a = pp__stmt(db, echo);
	pp__bind_int64(a, 1, 7);
	b = pp__stmt(db, echo);
	pp__bind_int64(b, 1, 8);
	ok(a != b, "a statement lent and not yet stepped is not lent again");
	ok(step_int(a) == 7, "its binding is still there");
	ok(step_int(b) == 8, "the second has its own");
	pp__reset(a);
	pp__reset(b);
}

static void
no_eviction(pp_db *db)
{
	static char sql[100][32];
	pp__st *held, *st;
	int i, fine = 1;

	held = pp__stmt(db, three);
	ok(step_int(held) == 1, "a statement held while 100 others come");
	for (i = 0; i < 100; i++) {
		snprintf(sql[i], sizeof(sql[i]), "SELECT %d", i);
		if ((st = pp__stmt(db, sql[i])) == NULL || step_int(st) != i)
			fine = 0;
		if (st)
			pp__reset(st);
	}
	ok(fine, "100 other queries run");
	ok(step_int(held) == 2 && step_int(held) == 3,
	    "the held statement was not evicted");
	pp__reset(held);
}

static void
bounded(pp_db *db)
{
	size_t before;
	int i;

	before = db->ncache;
	for (i = 0; i < 1000; i++) {
		pp__st *st = pp__stmt(db, three);

		while (pp__step(st) == PP__ROW)
			;
		if (i % 2)
			pp__reset(st);	/* run to the end, or reset */
	}
	is_int((long long)db->ncache, (long long)before,
	    "a query run 1000 times reuses its statement");
	for (i = 0; i < 50; i++)
		(void)pp__stmt(db, dropped);	/* lent and dropped unstepped */
	ok(db->ncache - before <= PP_STMT_COPIES + 1,
	    "statements lent and dropped unstepped are taken back");
}

int
main(void)
{
	char dir[] = "/tmp/pp-stmt-XXXXXX", path[64];
	pp_db *db = NULL;

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/t.db", dir);
	ok(pp_db_open(&db, path, PP_DB_CREATE) == PP_OK, "open a database");
	nested_same_query(db);
	bound_not_stepped(db);
	no_eviction(db);
	bounded(db);
	pp_db_close(db);
	unlink(path);
	rmdir(dir);
	return done_testing();
}
