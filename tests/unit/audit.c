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

	join_is(5, plain, "sale -m cash A001 12.30", "plain words as they are");
	join_is(2, quotes, "--remark ''\\'''\\'''\\'''\\'''",
	    "each quote as '\\''");
	/* The fuzzer found these read back as a comment, a home, a glob. */
	join_is(6, shell, "'#x' '~root' '(a)' '[ab]' '{a,b}' ''",
	    "comments, tildes, subshells, globs and braces quoted");
	join_is(1, lines, "'a b c'", "newline and tab: one line");
	return done_testing();
}
