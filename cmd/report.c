/*
 * report: the reports and queries, and verify, the ledger's check.  The
 * reports, their operands and what they can do come from the library's
 * table of reports.
 */
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "common.h"

enum { OPT_BY = OPT_FIRST_TOOL, OPT_BY_OPERATOR, OPT_BY_METHOD, OPT_FROM,
	OPT_TO, OPT_KIND, OPT_ACCOUNT, OPT_METER, OPT_OPERATOR, OPT_STATE,
	OPT_LOGIN, OPT_BUILDING, OPT_FLOOR, OPT_ROOM, OPT_CHART, OPT_OPEN,
	OPT_GATEWAYS, OPT_MONTH, OPT_ANCHOR, OPT_PER, OPT_FIND,
	OPT_TOLERANCE };

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
	{ "per", required_argument, NULL, OPT_PER },
	{ "find", required_argument, NULL, OPT_FIND },
	{ "tolerance", required_argument, NULL, OPT_TOLERANCE },
	{ NULL, 0, NULL, 0 }
};

/* The text of usage and messages, built up. */
static void
add(char *buf, size_t size, const char *fmt, ...)
{
	size_t len = strlen(buf);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf + len, size - len, fmt, ap);
	va_end(ap);
}

/* The usage line's indent, and the column a line stays within. */
#define INDENT	14
#define WIDTH	80

/*
 * report(1)'s SYNOPSIS: a line per report, each wrapped before a "[" to
 * stay within WIDTH columns.
 */
static void
usage_make(char *buf, size_t size)
{
	const struct pp_report_info *info;
	const pp_report *rep;
	const char *p, *end;
	size_t col, n;

	add(buf, size, "usage: report [-d FILE] [-o csv|tsv|table|list|xlsx] "
	    "[-O FILE]\n%*s[--bom] [--lang zh|en] NAME [options]\n", INDENT, "");
	for (rep = pp_report_next(NULL); rep; rep = pp_report_next(rep)) {
		info = pp_report_info(rep);
		add(buf, size, "%*sreport %s", INDENT - 7, "", info->name);
		col = INDENT + strlen(info->name);
		for (p = info->synopsis; *p != '\0'; p = *end ? end + 1 : end) {
			if ((end = strstr(p, " [")) == NULL)
				end = p + strlen(p);
			n = (size_t)(end - p);
			if (col + 1 + n > WIDTH) {
				add(buf, size, "\n%*s", INDENT, "");
				col = INDENT;
			} else {
				add(buf, size, " ");
				col++;
			}
			add(buf, size, "%.*s", (int)n, p);
			col += n;
		}
		add(buf, size, "\n");
	}
}

/* The names of the reports (with chart, those that chart): "a, b or c". */
static const char *
names(char *buf, size_t size, int chart, const char *last)
{
	const char *name[64];
	const pp_report *rep;
	size_t n = 0, i;

	for (rep = pp_report_next(NULL); rep && n < 64; rep =
	    pp_report_next(rep))
		if (!chart || pp_report_info(rep)->chart)
			name[n++] = pp_report_info(rep)->name;
	buf[0] = '\0';
	for (i = 0; i < n; i++)
		add(buf, size, "%s%s", i == 0 ? "" : i + 1 == n ? last : ", ",
		    name[i]);
	return buf;
}

static void
option(struct tool *t, struct pp_report_opts *r, int ch)
{
	/* The options that keep their value, and the switches. */
	const struct {
		int		 ch;
		const char	**value;
		int		*on;
	} opt[] = {
		{ OPT_BY, &r->by, NULL }, { OPT_KIND, &r->kind, NULL },
		{ OPT_ACCOUNT, &r->account, NULL }, { OPT_METER, &r->meter, NULL },
		{ OPT_OPERATOR, &r->login, NULL }, { OPT_LOGIN, &r->login, NULL },
		{ OPT_STATE, &r->state, NULL },
		{ OPT_BUILDING, &r->building, NULL },
		{ OPT_FLOOR, &r->floor, NULL }, { OPT_ROOM, &r->room, NULL },
		{ OPT_MONTH, &r->month, NULL }, { OPT_ANCHOR, &r->anchor, NULL },
		{ OPT_PER, &r->per, NULL }, { OPT_FIND, &r->find, NULL },
		{ OPT_TOLERANCE, &r->tolerance, NULL },
		{ OPT_BY_OPERATOR, NULL, &r->by_operator },
		{ OPT_BY_METHOD, NULL, &r->by_method },
		{ OPT_CHART, NULL, &r->chart }, { OPT_OPEN, NULL, &r->open_only },
		{ OPT_GATEWAYS, NULL, &r->gateways },
	};
	char err[PP_ERRMAX];
	size_t i;

	for (i = 0; i < sizeof(opt) / sizeof(opt[0]); i++)
		if (opt[i].ch == ch) {
			if (opt[i].value)
				*opt[i].value = optarg;
			else
				*opt[i].on = 1;
			return;
		}
	if (ch == OPT_FROM || ch == OPT_TO) {
		if (pp_time_parse(optarg, ch == OPT_FROM ? &r->from : &r->to,
		    err, sizeof(err)) != PP_OK)
			tool_die(t, PP_EUSAGE, "--%s %s", ch == OPT_FROM ?
			    "from" : "to", err);
	} else if (!tool_option(t, ch, optarg))
		tool_usage(t);
}

/* The report, with its operand from the arguments left; or exit. */
static const pp_report *
choose(struct tool *t, const char *name, int argc, char **argv,
    struct pp_report_opts *r)
{
	const pp_report *rep = pp_report_find(name);
	const struct pp_report_info *info = rep ? pp_report_info(rep) : NULL;
	char list[1024];

	if (info && info->operand != PP_OPERAND_NONE && argc == 1)
		r->subject = argv[0], argc--;
	if (argc != 0)
		tool_usage(t);
	if (rep == NULL)
		tool_die(t, PP_EUSAGE, "%s: no such report; try %s", pp_q(name),
		    names(list, sizeof(list), 0, " or "));
	if (info->operand != PP_OPERAND_NONE && r->subject == NULL)
		tool_die(t, PP_EUSAGE, "report %s needs %s", name,
		    info->operand == PP_OPERAND_ACCOUNT ? "an ACCOUNT" :
		    "a METER");
	/* A chart is drawn under a table: it makes table the default. */
	if (r->chart) {
		if (!info->chart)
			tool_die(t, PP_EUSAGE, "--chart: only %s draw one",
			    names(list, sizeof(list), 1, " and "));
		if (t->fmt == PP_FMT_AUTO)
			t->fmt = PP_FMT_TABLE;
		else if (t->fmt != PP_FMT_TABLE)
			tool_die(t, PP_EUSAGE, "--chart draws under a table; "
			    "leave out -o or use -o table");
	}
	return rep;
}

int
main(int argc, char **argv)
{
	static char usage[4096];
	struct pp_report_opts r;
	const pp_report *rep;
	const char *name = NULL;
	struct tool t;
	pp_out *o = NULL;
	int ch, rc;

	usage_make(usage, sizeof(usage));
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
	}
	while ((ch = getopt_long(argc, argv, COMMON_SHORT, longopts, NULL)) !=
	    -1)
		option(&t, &r, ch);
	argc -= optind;
	argv += optind;
	if (name == NULL && argc >= 1)
		name = argv[0], argc--, argv++;
	if (name == NULL)
		tool_usage(&t);
	rep = choose(&t, name, argc, argv, &r);
	r.lang = t.lang;
	tool_open(&t, PP_ACT_REPORT, 0);
	rc = pp_report_run(t.db, rep, &r, &o, t.fmt, stdout, t.xlsx_path,
	    t.bom);
	if (o)
		tool_out_close(&t, o);
	if (rc != PP_OK)
		tool_die(&t, rc, "%s", pp_errmsg(t.db));
	tool_exit(&t, PP_OK);
}
