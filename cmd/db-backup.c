/*
 * db-backup: an online backup of the database into a directory, keeping
 * so many days of them; or the database restored from one.
 */
#include <stdlib.h>
#include <string.h>

#include "common.h"

static const char usage[] =
    "usage: db-backup [-d FILE] [--keep DAYS] DIR\n"
    "       db-backup [-d FILE] --restore BACKUP\n";

int
main(int argc, char **argv)
{
	enum { OPT_KEEP = OPT_FIRST_TOOL, OPT_RESTORE };
	static const struct option longopts[] = {
		{ "keep", required_argument, NULL, OPT_KEEP },
		{ "restore", required_argument, NULL, OPT_RESTORE },
		{ NULL, 0, NULL, 0 }
	};
	struct pp_backup b;
	struct tool t;
	const char *restore = NULL;
	char err[PP_ERRMAX];
	int ch, rc, keep = 14, kept = 0, lost;

	tool_init(&t, "db-backup", usage, argc, argv);
	while ((ch = getopt_long(argc, argv, ":d:hV", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_KEEP:
			keep = tool_int(&t, "--keep", optarg, 0, 36500);
			kept = 1;
			break;
		case OPT_RESTORE:
			restore = optarg;
			break;
		default:
			if (!tool_option(&t, ch, optarg))
				tool_usage(&t);
		}
	}
	argc -= optind;
	argv += optind;
	if (restore ? argc != 0 || kept || *restore == '\0' : argc != 1)
		tool_usage(&t);
	t.audit = 1;
	if (restore) {
		if ((rc = pp_backup_restore_lost(t.dbpath, restore, &lost, err,
		    sizeof(err))) != PP_OK) {
			tool_warn(&t, "%s", err);
			exit(rc);
		}
		/* Restored in its place, the database records it too. */
		tool_open(&t, PP_ACT_RESTORE, 0);
		if (!lost && (rc = pp_backup_restore(t.db, restore)) != PP_OK)
			tool_die(&t, rc, "%s", pp_errmsg(t.db));
		snprintf(t.summary, sizeof(t.summary), "restored from %.400s",
		    restore);
		printf("%s\n", t.summary);
		tool_exit(&t, PP_OK);
	}
	tool_open(&t, PP_ACT_BACKUP, 0);
	if ((rc = pp_backup(t.db, argv[0], keep, &b)) != PP_OK)
		tool_die(&t, rc, "%s", pp_errmsg(t.db));
	snprintf(t.summary, sizeof(t.summary), "backup %.400s, %lld bytes; %d "
	    "older removed", b.path, (long long)b.bytes, b.removed);
	/* Made: said before the audit entry, which may wait for the lock. */
	printf("%s\n", b.path);
	fflush(stdout);
	tool_exit(&t, PP_OK);
}
