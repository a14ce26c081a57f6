/*
 * report: the reports and queries, and verify, the ledger's check.
 */
#include <stdint.h>
#include <string.h>

#include "common.h"

static const char usage[] =
    "usage: report [-d FILE] [-o csv|tsv|table|xlsx] [-O FILE] [--bom] NAME [options]\n"
    "       report sales --by day|month|year [--by-operator] [--by-method] [--from T]\n"
    "              [--to T] [--chart]\n"
    "       report txns [--kind K] [--account A] [--meter M] [--operator LOGIN]\n"
    "              [--from T] [--to T]\n"
    "       report accounts [--state open|closed] [--from T] [--to T]\n"
    "       report balances [--state open|closed]\n"
    "       report audit [--from T] [--to T] [--login LOGIN]\n"
    "       report verify [--anchor FILE]\n"
    "       report status [--building B] [--floor F] [--state S]\n"
    "       report energy --from T --to T [--by day|month] [--building B] [--floor F]\n"
    "              [--room R] [--chart]\n"
    "       report readings METER [--from T] [--to T]\n"
    "       report usage METER --from T --to T --by hour|day [--chart]\n"
    "       report alarms [--open] [--kind K] [--from T] [--to T]\n"
    "       report lost [--gateways]\n"
    "       report reconcile\n"
    "       report bill ACCOUNT --month YYYY-MM\n";

int
main(int argc, char **argv)
{
	enum { OPT_BY = OPT_FIRST_TOOL, OPT_BY_OPERATOR, OPT_BY_METHOD,
	    OPT_FROM, OPT_TO, OPT_KIND, OPT_ACCOUNT, OPT_METER, OPT_OPERATOR,
	    OPT_STATE, OPT_LOGIN, OPT_BUILDING, OPT_FLOOR, OPT_ROOM, OPT_CHART,
	    OPT_OPEN, OPT_GATEWAYS, OPT_MONTH, OPT_ANCHOR };
	static const struct option longopts[] = {
		COMMON_LONG,
		{ "by", required_argument, NULL, OPT_BY },
		{ "by-operator", no_argument, NULL, OPT_BY_OPERATOR },
		{ "by-method", no_argument, NULL, OPT_BY_METHOD },
		{ "from", required_argument, NULL, OPT_FROM },
		{ "to", required_argument, NULL, OPT_TO },
		{ "kind", required_argument, NULL, OPT_KIND },
		{ "account", required_argument, NULL, OPT_ACCOUNT },
		{ "meter", required_argument, NULL, OPT_METER },
		{ "operator", required_argument, NULL, OPT_OPERATOR },
		{ "state", required_argument, NULL, OPT_STATE },
		{ "login", required_argument, NULL, OPT_LOGIN },
		{ "building", required_argument, NULL, OPT_BUILDING },
		{ "floor", required_argument, NULL, OPT_FLOOR },
		{ "room", required_argument, NULL, OPT_ROOM },
		{ "chart", no_argument, NULL, OPT_CHART },
		{ "open", no_argument, NULL, OPT_OPEN },
		{ "gateways", no_argument, NULL, OPT_GATEWAYS },
		{ "month", required_argument, NULL, OPT_MONTH },
		{ "anchor", required_argument, NULL, OPT_ANCHOR },
		{ NULL, 0, NULL, 0 }
	};
	struct pp_report_opts r;
	struct tool t;
	pp_report_fn fn;
	pp_out *o = NULL;
	char err[PP_ERRMAX];
	const char *name;
	int ch, rc;

	tool_init(&t, "report", usage, argc, argv);
	memset(&r, 0, sizeof(r));
	r.from = INT64_MIN;
	r.to = INT64_MAX;
	/* The report's name comes first; its options follow it. */
	if (argc > 1 && argv[1][0] != '-') {
		name = argv[1];
		argv[1] = argv[0];
		argv++;
		argc--;
	} else
		name = NULL;
	while ((ch = getopt_long(argc, argv, COMMON_SHORT, longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case OPT_BY:
			r.by = optarg;
			break;
		case OPT_BY_OPERATOR:
			r.by_operator = 1;
			break;
		case OPT_BY_METHOD:
			r.by_method = 1;
			break;
		case OPT_FROM:
		case OPT_TO:
			if (pp_time_parse(optarg, ch == OPT_FROM ? &r.from :
			    &r.to, err, sizeof(err)) != PP_OK)
				tool_die(&t, PP_EUSAGE, "--%s %s", ch ==
				    OPT_FROM ? "from" : "to", err);
			break;
		case OPT_KIND:
			r.kind = optarg;
			break;
		case OPT_ACCOUNT:
			r.account = optarg;
			break;
		case OPT_METER:
			r.meter = optarg;
			break;
		case OPT_OPERATOR:
		case OPT_LOGIN:
			r.login = optarg;
			break;
		case OPT_STATE:
			r.state = optarg;
			break;
		case OPT_BUILDING:
			r.building = optarg;
			break;
		case OPT_FLOOR:
			r.floor = optarg;
			break;
		case OPT_ROOM:
			r.room = optarg;
			break;
		case OPT_CHART:
			r.chart = 1;
			break;
		case OPT_OPEN:
			r.open_only = 1;
			break;
		case OPT_GATEWAYS:
			r.gateways = 1;
			break;
		case OPT_MONTH:
			r.month = optarg;
			break;
		case OPT_ANCHOR:
			r.anchor = optarg;
			break;
		default:
			if (!tool_option(&t, ch, optarg))
				tool_usage(&t);
		}
	}
	argc -= optind;
	argv += optind;
	if (name == NULL && argc >= 1)
		name = argv[0], argc--, argv++;
	if (name == NULL)
		tool_usage(&t);
	/* readings and usage take a METER, bill an ACCOUNT. */
	if (pp_report_find(name) && pp_report_operand(name) && argc == 1)
		r.subject = argv[0], argc--;
	if (argc != 0)
		tool_usage(&t);
	if ((fn = pp_report_find(name)) == NULL)
		tool_die(&t, PP_EUSAGE, "%s: no such report; try sales, txns, "
		    "accounts, balances, audit, verify, status, energy, "
		    "readings, usage, alarms, lost, reconcile or bill",
		    pp_q(name));
	if (pp_report_operand(name) && r.subject == NULL)
		tool_die(&t, PP_EUSAGE, "report %s needs %s", name,
		    strcmp(name, "bill") == 0 ? "an ACCOUNT" : "a METER");
	/* A chart is drawn under a table: it makes table the default. */
	if (r.chart) {
		if (strcmp(name, "sales") && strcmp(name, "energy") &&
		    strcmp(name, "usage"))
			tool_die(&t, PP_EUSAGE, "--chart: only sales, energy "
			    "and usage draw one");
		if (t.fmt == PP_FMT_AUTO)
			t.fmt = PP_FMT_TABLE;
		else if (t.fmt != PP_FMT_TABLE)
			tool_die(&t, PP_EUSAGE, "--chart draws under a table; "
			    "leave out -o or use -o table");
	}
	tool_open(&t, PP_ACT_REPORT, 0);
	rc = fn(t.db, &r, &o, t.fmt, stdout, t.xlsx_path, t.bom);
	if (o)
		tool_out_close(&t, o);
	if (rc != PP_OK)
		tool_die(&t, rc, "%s", pp_errmsg(t.db));
	tool_exit(&t, PP_OK);
}
