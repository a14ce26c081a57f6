/*
 * audit: the arguments as the audit entry shows them, quoted so that a
 * shell reads back what was run (pp__audit_join).
 */
#include <stdlib.h>

#include "internal.h"
#include "tap.h"

static void
join_is(int argc, char *const *argv, const char *want, const char *name)
{
	char *got = NULL;

	ok(pp__audit_join(argc, argv, &got) == PP_OK, "%s: joined", name);
	is_str(got, want, name);
	free(got);
}

int
main(void)
{
	char *plain[] = { "sale", "-m", "cash", "A001", "12.30" };
	char *quotes[] = { "--remark", "''''" };
	char *shell[] = { "#x", "~root", "(a)", "[ab]", "{a,b}", "" };
	char *lines[] = { "a\nb\tc" };
	char *uri[] = { "-d", "postgresql://cash1:s3cret@db.example/prepay" };
	char *glued[] = { "-dpostgres://u:pw@h/p" };
	char *params[] = { "postgresql://u@h/p?sslmode=require&password=pw"
	    "&pass%77ord=pw&sslpassword=key&passwordx=1" };
	char *nopw[] = { "-d", "postgresql://u@h:5432/p?host=/run/x&port=5433" };
	char *userat[] = { "postgresql://u:p@h/p?application_name=a@b" };
	char *empty[] = { "postgresql://u:@h/p?password=" };

	join_is(5, plain, "sale -m cash A001 12.30", "plain words as they are");
	join_is(2, quotes, "--remark ''\\'''\\'''\\'''\\'''",
	    "each quote as '\\''");
	/* The fuzzer found these read back as a comment, a home, a glob. */
	join_is(6, shell, "'#x' '~root' '(a)' '[ab]' '{a,b}' ''",
	    "comments, tildes, subshells, globs and braces quoted");
	join_is(1, lines, "'a b c'", "newline and tab: one line");
	/* Every operator reads the log: no database password in it. */
	join_is(2, uri, "-d 'postgresql://cash1:***@db.example/prepay'",
	    "a URI's password as ***");
	join_is(1, glued, "'-dpostgres://u:***@h/p'", "...glued to its option");
	join_is(1, params, "'postgresql://u@h/p?sslmode=require&password=***"
	    "&pass%77ord=***&sslpassword=***&passwordx=1'",
	    "...and the parameters password and sslpassword, however spelt");
	join_is(2, nopw, "-d 'postgresql://u@h:5432/p?host=/run/x&port=5433'",
	    "a URI without a password as it is");
	join_is(1, userat, "'postgresql://u:***@h/p?application_name=a@b'",
	    "the user's part ends at the first @");
	join_is(1, empty, "'postgresql://u:***@h/p?password=***'",
	    "an empty password masked too");
	return done_testing();
}
