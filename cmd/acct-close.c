/*
 * acct-close: close an account (销户): refund its balance and free its
 * meters.
 */
#include <string.h>

#include "common.h"

static const char usage[] =
    "usage: acct-close [-d FILE] [-o FMT] [--lang zh|en]\n"
    "                  [-m METHOD] [--ref REF] [--remark TEXT]\n"
    "                  [--receipt FILE|-] [--template FILE] [--copies N]\n"
    "                  [--balance AMOUNT] ACCOUNT\n";

int
main(int argc, char **argv)
{
	enum { OPT_REF = OPT_FIRST_TOOL, OPT_REMARK, OPT_BALANCE };
	static const struct option longopts[] = {
		COMMON_LONG,
		RECEIPT_LONG,
		{ "balance", required_argument, NULL, OPT_BALANCE },
		{ "ref", required_argument, NULL, OPT_REF },
		{ "remark", required_argument, NULL, OPT_REMARK },
		{ NULL, 0, NULL, 0 }
	};
	struct tool t;
	struct pp_close_req c;
	pp_entry e;
	int ch, rc;

	tool_init(&t, "acct-close", usage, argc, argv);
	memset(&c, 0, sizeof(c));
	c.method = "cash";
	c.meter_balance = PP_NO_WALLET;
	while ((ch = getopt_long(argc, argv, COMMON_SHORT "m:", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'm':
			c.method = optarg;
			break;
		case OPT_REF:
			c.ref = optarg;
			break;
		case OPT_REMARK:
			c.remark = optarg;
			break;
		case OPT_BALANCE:
			c.meter_balance = tool_amount(&t, optarg);
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
	c.account = argv[0];
	tool_receipts(&t);
	tool_entries(&t);
	tool_open(&t, PP_ACT_ACCT_CLOSE, 0);
	if ((rc = pp_hall_close(t.db, &c, &e)) != PP_OK)
		tool_die(&t, rc, "%s", pp_errmsg(t.db));
	tool_exit(&t, tool_posted(&t, &e));
}
