/*
 * acct-close: close an account (销户): refund its balance and free its
 * meters.
 */
#include <string.h>

#include "common.h"

static const char usage[] =
    "usage: acct-close [-d FILE] [-o FMT] [-m METHOD] [--ref REF] [--remark TEXT]\n"
    "                  [--receipt FILE|-] [--template FILE] [--copies N]\n"
    "                  [--balance AMOUNT] ACCOUNT\n";

struct close_args {
	const char *account, *method, *ref, *remark;
	int64_t meter_balance;
};

static int
close_one(pp_db *db, pp_entry *e, void *arg)
{
	struct close_args *c = arg;

	return pp_account_close(db, c->account, c->method, c->ref, c->remark,
	    c->meter_balance, e);
}

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
	struct close_args c;
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
	t.audit = 1;
	t.print = print_entry;
	t.columns = pp_entry_columns;
	t.ncolumns = PP_ENTRY_NCOLS;
	tool_open(&t, PP_NEED_CASHIER, 0);
	/* A meter that keeps the wallet says what is left to refund. */
	if (c.meter_balance == PP_NO_WALLET && (rc = pp_account_wallet_read(t.db,
	    c.account, 30000, &c.meter_balance)) != PP_OK)
		tool_die(&t, rc, "%s", pp_errmsg(t.db));
	tool_exit(&t, tool_single(&t, close_one, &c));
}
