/*
 * reverse: correct a mistaken sale, refund, opening or closing (冲正).
 */
#include <string.h>

#include "common.h"

static const char usage[] =
    "usage: reverse [-d FILE] [-o FMT] [--lang zh|en]\n"
    "               [--reason TEXT] [--receipt FILE|-]\n"
    "               [--template FILE] [--copies N] SERIAL\n"
    "       reverse [-d FILE] [-o FMT] [--each] [--rejects FILE] [--reason TEXT]\n"
    "               FILE|-\n";

struct reverse_args {
	const char *serial, *reason;
};

static int
reverse_one(pp_db *db, pp_entry *e, void *arg)
{
	struct reverse_args *r = arg;

	return pp_reverse(db, r->serial, r->reason, e);
}

static int
reverse_row(pp_db *db, const pp_csv *row, pp_entry *e, void *arg)
{
	struct reverse_args *r = arg;

	return pp_reverse_row(db, row, r->reason, e);
}

int
main(int argc, char **argv)
{
	enum { OPT_REASON = OPT_FIRST_TOOL };
	static const struct option longopts[] = {
		COMMON_LONG,
		BATCH_LONG,
		RECEIPT_LONG,
		{ "reason", required_argument, NULL, OPT_REASON },
		{ NULL, 0, NULL, 0 }
	};
	struct tool t;
	struct reverse_args r;
	int ch;

	tool_init(&t, "reverse", usage, argc, argv);
	memset(&r, 0, sizeof(r));
	while ((ch = getopt_long(argc, argv, COMMON_SHORT, longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case OPT_REASON:
			r.reason = optarg;
			break;
		default:
			if (!tool_option(&t, ch, optarg))
				tool_usage(&t);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 1)
		tool_usage(&t);
	tool_receipts(&t);
	tool_entries(&t);
	tool_open(&t, PP_ACT_REVERSE, 0);
	if (pp_serial_check(argv[0]) != PP_OK)
		tool_exit(&t, tool_batch(&t, argv[0], reverse_row, &r));
	r.serial = argv[0];
	tool_exit(&t, tool_single(&t, reverse_one, &r));
}
