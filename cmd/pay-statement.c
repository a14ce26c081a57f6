/*
 * pay-statement: check a payment platform's daily statement against the
 * books (对账).
 */
#include <errno.h>
#include <string.h>

#include "common.h"

static const char usage[] =
    "usage: pay-statement [-d FILE] [-o FMT] [--lang zh|en] [--apply]\n"
    "            [--date YYYY-MM-DD] --wechat FILE | --alipay FILE\n";

int
main(int argc, char **argv)
{
	enum { OPT_APPLY = OPT_FIRST_TOOL, OPT_DATE, OPT_WECHAT, OPT_ALIPAY };
	static const struct option longopts[] = {
		COMMON_LONG,
		{ "apply", no_argument, NULL, OPT_APPLY },
		{ "date", required_argument, NULL, OPT_DATE },
		{ "wechat", required_argument, NULL, OPT_WECHAT },
		{ "alipay", required_argument, NULL, OPT_ALIPAY },
		{ NULL, 0, NULL, 0 }
	};
	struct tool t;
	struct pp_stmt_req req;
	struct pp_stmt_result res;
	struct pp_stmt_text text;
	const char *v[PP_STMT_NCOLS], *path = NULL;
	char err[PP_ERRMAX], day[PP_TIMEBUF];
	size_t i;
	pp_out *o;
	int ch, rc;

	tool_init(&t, "pay-statement", usage, argc, argv);
	memset(&req, 0, sizeof(req));
	req.day = -1;
	while ((ch = getopt_long(argc, argv, COMMON_SHORT, longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case OPT_APPLY:
			req.apply = 1;
			break;
		case OPT_DATE:
			if (strlen(optarg) != 10 || pp_time_parse(optarg,
			    &req.day, err, sizeof(err)) != PP_OK)
				tool_die(&t, PP_EUSAGE, "--date %s: use "
				    "YYYY-MM-DD", pp_q(optarg));
			break;
		case OPT_WECHAT:
		case OPT_ALIPAY:
			if (path)
				tool_die(&t, PP_EUSAGE, "give one of --wechat "
				    "and --alipay");
			path = optarg;
			req.channel = ch == OPT_WECHAT ? PP_CHANNEL_WECHAT :
			    PP_CHANNEL_ALIPAY;
			break;
		default:
			if (!tool_option(&t, ch, optarg))
				tool_usage(&t);
		}
	}
	if (optind != argc || path == NULL)
		tool_usage(&t);
	req.name = path;
	if (strcmp(path, "-") == 0)
		req.fp = stdin;
	else if ((req.fp = pp_fopen_caller(path, "r")) == NULL)
		tool_die(&t, PP_ENOINPUT, "%s: %s", path, strerror(errno));
	/* Only --apply writes, and it writes sales. */
	t.audit = req.apply;
	tool_open(&t, req.apply ? PP_ACT_SALE : PP_ACT_REPORT, 0);
	rc = pp_statement_check(t.db, &req, &res);
	if (req.fp != stdin)
		fclose(req.fp);
	if (rc != PP_OK)
		tool_die(&t, rc, "%s", pp_errmsg(t.db));
	if (res.ndiffs > 0) {
		o = tool_out(&t, pp_stmt_columns, PP_STMT_NCOLS);
		for (i = 0; i < res.ndiffs; i++) {
			pp_stmt_values(&res.diffs[i], &text, v);
			tool_row(&t, o, v);
		}
		tool_out_close(&t, o);
	}
	pp_time_format(res.day, day)[10] = '\0';	/* its date */
	snprintf(t.summary, sizeof(t.summary), "%s %s: %ld payments, %ld "
	    "refunds: %ld agree, %zu differ, %ld posted",
	    req.channel == PP_CHANNEL_WECHAT ? "wechat" : "alipay",
	    day, res.payments, res.refunds,
	    res.agreed, res.ndiffs, res.posted);
	if (res.ndiffs > 0)
		tool_warn(&t, "%s", t.summary);
	rc = res.ndiffs > 0 ? PP_ERULE : PP_OK;
	pp_stmt_free(&res);
	tool_exit(&t, rc);
}
