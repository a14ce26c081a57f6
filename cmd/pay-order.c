/*
 * pay-order: the orders of online payment.  Make one at the office, show
 * one, or replay a platform's notification by hand from the files it
 * came in: the same library calls that prepay-web makes.
 */
#include <string.h>

#include "common.h"

static const char usage[] =
    "usage: pay-order [-d FILE] [-o FMT] ACCOUNT AMOUNT wechat|alipay\n"
    "       pay-order [-d FILE] [-o FMT] --show OUT_TRADE_NO\n";

static void
print_order(struct tool *t, const struct pp_order *o)
{
	struct pp_order_text text;
	const char *v[PP_ORDER_NCOLS];
	pp_out *out;

	out = tool_out(t, pp_order_columns, PP_ORDER_NCOLS);
	pp_order_values(o, &text, v);
	tool_row(t, out, v);
	tool_out_close(t, out);
}

int
main(int argc, char **argv)
{
	enum { OPT_SHOW = OPT_FIRST_TOOL };
	static const struct option longopts[] = {
		COMMON_LONG,
		{ "show", no_argument, NULL, OPT_SHOW },
		{ NULL, 0, NULL, 0 }
	};
	struct pp_order o;
	struct tool t;
	int ch, show = 0, rc;

	tool_init(&t, "pay-order", usage, argc, argv);
	while ((ch = getopt_long(argc, argv, COMMON_SHORT, longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case OPT_SHOW:
			show = 1;
			break;
		default:
			if (!tool_option(&t, ch, optarg))
				tool_usage(&t);
		}
	}
	argc -= optind;
	argv += optind;
	if (show) {
		if (argc != 1)
			tool_usage(&t);
		tool_open(&t, PP_ACT_REPORT, 0);
		if ((rc = pp_order_get(t.db, argv[0], &o)) != PP_OK)
			tool_die(&t, rc, "%s", pp_errmsg(t.db));
		print_order(&t, &o);
		tool_exit(&t, PP_OK);
	}
	if (argc != 3)
		tool_usage(&t);
	t.audit = 1;
	tool_open(&t, PP_ACT_SALE, 0);
	if ((rc = pp_order_make(t.db, argv[0], argv[2], tool_amount(&t,
	    argv[1]), &o)) != PP_OK)
		tool_die(&t, rc, "%s", pp_errmsg(t.db));
	snprintf(t.summary, sizeof(t.summary), "order %s", o.out_trade_no);
	print_order(&t, &o);
	tool_exit(&t, PP_OK);
}
