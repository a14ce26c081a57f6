/*
 * meter-swap: replace a meter.  The old meter's final reading and
 * balance move to the new one.
 */
#include <string.h>

#include "common.h"

static const char usage[] =
    "usage: meter-swap [-d FILE] [-o FMT] [--lang zh|en]\n"
    "                  [--balance AMOUNT] [--final KWH]\n"
    "                  [--wait S] OLD NEW\n";

int
main(int argc, char **argv)
{
	enum { OPT_BALANCE = OPT_FIRST_TOOL, OPT_FINAL, OPT_WAIT };
	static const struct option longopts[] = {
		COMMON_LONG,
		{ "balance", required_argument, NULL, OPT_BALANCE },
		{ "final", required_argument, NULL, OPT_FINAL },
		{ "wait", required_argument, NULL, OPT_WAIT },
		{ NULL, 0, NULL, 0 }
	};
	struct pp_swap_req req;
	struct tool t;
	pp_entry out[2];
	char err[PP_ERRMAX], amount[PP_NUMBUF];
	int ch, n, i, rc;
	pp_out *o;

	tool_init(&t, "meter-swap", usage, argc, argv);
	memset(&req, 0, sizeof(req));
	req.final_wh = req.balance = -1;
	req.wait_ms = 30000;
	while ((ch = getopt_long(argc, argv, COMMON_SHORT, longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case OPT_BALANCE:
			req.balance = tool_amount(&t, optarg);
			break;
		case OPT_FINAL:
			if (pp_energy_parse(optarg, &req.final_wh, err,
			    sizeof(err)) != PP_OK)
				tool_die(&t, PP_EDATA, "--final %s", err);
			break;
		case OPT_WAIT:
			req.wait_ms = tool_int(&t, "--wait", optarg, 0, 3600) *
			    1000;
			break;
		default:
			if (!tool_option(&t, ch, optarg))
				tool_usage(&t);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 2)
		tool_usage(&t);
	req.old_meter = argv[0];
	req.new_meter = argv[1];
	tool_entries(&t);
	tool_open(&t, PP_ACT_METER_SWAP, 0);
	if ((rc = pp_meter_swap(t.db, &req, out, &n)) != PP_OK)
		tool_die(&t, rc, "%s", pp_errmsg(t.db));
	snprintf(t.summary, sizeof(t.summary), "swap %s -> %s, balance %s",
	    req.old_meter, req.new_meter, n ? pp_money_format(out[1].amount,
	    amount) : "0.00");
	o = tool_out(&t, t.columns, t.ncolumns);
	for (i = 0; i < n; i++)
		tool_emit(&t, o, &out[i]);
	tool_out_close(&t, o);
	/* The transfer is recorded; a pending recharge is only warned of. */
	tool_exit(&t, PP_OK);
}
