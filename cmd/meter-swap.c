/*
 * meter-swap: replace a meter (换表).  The old meter's final reading is
 * charged, its balance moves to the new one, and its own wallet is
 * emptied or the meter tripped.
 */
#include <string.h>

#include "common.h"

static const char usage[] =
    "usage: meter-swap [-d FILE] [-o FMT] [--lang zh|en]\n"
    "                  [--balance AMOUNT] [--final KWH] [--force]\n"
    "                  [--opening KWH] [--reason TEXT] [--wait S] OLD NEW\n";

static int64_t
energy(struct tool *t, const char *opt, const char *arg)
{
	char err[PP_ERRMAX];
	int64_t wh;

	if (pp_energy_parse(arg, &wh, err, sizeof(err)) != PP_OK)
		tool_die(t, PP_EDATA, "%s %s", opt, err);
	return wh;
}

int
main(int argc, char **argv)
{
	enum { OPT_BALANCE = OPT_FIRST_TOOL, OPT_FINAL, OPT_FORCE,
		OPT_OPENING, OPT_REASON, OPT_WAIT };
	static const struct option longopts[] = {
		COMMON_LONG,
		{ "balance", required_argument, NULL, OPT_BALANCE },
		{ "final", required_argument, NULL, OPT_FINAL },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "opening", required_argument, NULL, OPT_OPENING },
		{ "reason", required_argument, NULL, OPT_REASON },
		{ "wait", required_argument, NULL, OPT_WAIT },
		{ NULL, 0, NULL, 0 }
	};
	struct pp_swap_req req;
	struct pp_swap_result res;
	struct pp_swap_text text;
	const char *v[PP_SWAP_NCOLS];
	struct tool t;
	char amount[PP_NUMBUF];
	int ch, rc;
	pp_out *o;

	tool_init(&t, "meter-swap", usage, argc, argv);
	memset(&req, 0, sizeof(req));
	req.final_wh = req.balance = req.opening_wh = -1;
	req.wait_ms = 30000;
	while ((ch = getopt_long(argc, argv, COMMON_SHORT, longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case OPT_BALANCE:
			req.balance = tool_amount(&t, optarg);
			break;
		case OPT_FINAL:
			req.final_wh = energy(&t, "--final", optarg);
			break;
		case OPT_FORCE:
			req.force = 1;
			break;
		case OPT_OPENING:
			req.opening_wh = energy(&t, "--opening", optarg);
			break;
		case OPT_REASON:
			req.reason = optarg;
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
	tool_open(&t, PP_ACT_METER_SWAP, 0);
	if ((rc = pp_meter_swap(t.db, &req, &res)) != PP_OK)
		tool_die(&t, rc, "%s", pp_errmsg(t.db));
	snprintf(t.summary, sizeof(t.summary), "swap %s -> %s, moved %s, "
	    "old wallet %s", req.old_meter, req.new_meter,
	    pp_money_format(res.moved, amount),
	    pp_swap_wallet_name(res.old_wallet));
	/* The transfer is recorded; what is pending is only warned of. */
	if (res.new_pending)
		tool_warn(&t, "meter %s: recharge %s (purchase %lld) is "
		    "pending; meter-read sends it", res.new_meter,
		    amount, (long long)res.new_buy_count);
	if (res.old_wallet > PP_SWAP_NONE)
		tool_warn(&t, "meter %s: %s: %s", res.old_meter,
		    pp_swap_wallet_name(res.old_wallet), res.message);
	o = tool_out(&t, pp_swap_columns, PP_SWAP_NCOLS);
	pp_swap_values(&res, &text, v);
	tool_row(&t, o, v);
	tool_out_close(&t, o);
	tool_exit(&t, PP_OK);
}
