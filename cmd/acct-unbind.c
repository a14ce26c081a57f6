/*
 * acct-unbind: revoke residents' bindings of accounts (prepay-web(1)):
 * every binding of an account, or the bindings named by their ids.
 */
#include <stdlib.h>
#include <string.h>

#include "common.h"

static const char usage[] =
    "usage: acct-unbind [-d FILE] ACCOUNT\n"
    "       acct-unbind [-d FILE] -b ID ...\n";

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ NULL, 0, NULL, 0 }
	};
	struct tool t;
	int64_t *ids = NULL;
	long removed;
	int ch, by_id = 0, i, rc;

	tool_init(&t, "acct-unbind", usage, argc, argv);
	while ((ch = getopt_long(argc, argv, ":bd:hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'b':
			by_id = 1;
			break;
		default:
			if (!tool_option(&t, ch, optarg))
				tool_usage(&t);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1 || (!by_id && argc != 1))
		tool_usage(&t);
	if (by_id && (ids = calloc((size_t)argc, sizeof(*ids))) == NULL)
		tool_die(&t, PP_EINTERNAL, "out of memory");
	for (i = 0; by_id && i < argc; i++)
		ids[i] = tool_int(&t, "-b", argv[i], 1, INT32_MAX);
	t.audit = 1;
	tool_open(&t, PP_ACT_ACCT_CLOSE, 0);
	rc = pp_unbind(t.db, by_id ? NULL : argv[0], ids, by_id ?
	    (size_t)argc : 0, &removed);
	free(ids);
	if (rc != PP_OK)
		tool_die(&t, rc, "%s", pp_errmsg(t.db));
	snprintf(t.summary, sizeof(t.summary), "%ld bindings revoked",
	    removed);
	printf("%ld bindings revoked\n", removed);
	tool_exit(&t, PP_OK);
}
