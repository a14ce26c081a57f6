/*
 * meter-ctl: remote control of meters: trip, close, keep-power, prepaid
 * mode, price, thresholds, clock; and read one meter's whole state.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

static const char usage[] =
    "usage: meter-ctl [-d FILE] [-o FMT] [--force] [--reason TEXT] [--wait S]\n"
    "                 ACTION [ARG] METER ... | - | --building B [--floor F] |"
    " --all\n"
    "       ACTION is trip, close, keep, unkeep, prepay, manual, time, read,\n"
    "       price [PRICE], or settings [--alarm1 A] [--alarm2 A]"
    " [--overload W]\n";

static const pp_column result_columns[] = {
	{ "meter", PP_COL_TEXT }, { "action", PP_COL_TEXT },
	{ "result", PP_COL_TEXT }, { "message", PP_COL_TEXT },
};

struct target {
	char	meter[PP_KEYMAX];
	int	arrears;	/* the row says it is an arrears trip */
};

struct targets {
	struct target	*v;
	size_t		 n, cap;
};

static void
add(struct tool *t, struct targets *ts, const char *meter, int arrears)
{
	if (pp_grow(&ts->v, &ts->cap, ts->n + 1, sizeof(*ts->v)) != PP_OK)
		tool_die(t, PP_EINTERNAL, "out of memory");
	snprintf(ts->v[ts->n].meter, sizeof(ts->v[0].meter), "%s", meter);
	ts->v[ts->n++].arrears = arrears;
}

static void
add_all(struct tool *t, struct targets *ts, const char *by,
    const char *value, const char *floor, int arrears)
{
	char (*list)[PP_KEYMAX];
	int n, i, rc;

	if ((rc = pp_meters_of(t->db, by, value, floor, &list, &n)) != PP_OK)
		tool_die(t, rc, "%s", pp_errmsg(t->db));
	for (i = 0; i < n; i++)
		add(t, ts, list[i], arrears);
	free(list);
}

/* The targets of a list: a meter, account or room column per row. */
static void
read_list(struct tool *t, struct targets *ts)
{
	static const char *const columns[] = { "meter", "account", "room" };
	char err[PP_ERRMAX];
	const char *v, *alarm;
	pp_csv *in;
	size_t i;
	int rc;

	if ((rc = pp_csv_open(&in, stdin, "stdin", err, sizeof(err))) !=
	    PP_OK)
		tool_die(t, rc, "%s", err);
	while ((rc = pp_csv_next(in)) == 1) {
		alarm = pp_csv_get(in, "alarm");
		for (i = 0; i < 3; i++)
			if ((v = pp_csv_get(in, columns[i])) && *v)
				break;
		if (i == 3)
			tool_die(t, PP_EDATA, "line %ld: no meter, account or "
			    "room", pp_csv_line(in));
		add_all(t, ts, columns[i], v, NULL, alarm &&
		    strcmp(alarm, "arrears") == 0);
	}
	if (rc != 0)
		tool_die(t, rc, "%s", pp_csv_error(in));
	pp_csv_close(in);
}

int
main(int argc, char **argv)
{
	enum { OPT_FORCE = OPT_FIRST_TOOL, OPT_REASON, OPT_WAIT, OPT_BUILDING,
	    OPT_FLOOR, OPT_ALL, OPT_ALARM1, OPT_ALARM2, OPT_OVERLOAD };
	static const struct option longopts[] = {
		COMMON_LONG,
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "reason", required_argument, NULL, OPT_REASON },
		{ "wait", required_argument, NULL, OPT_WAIT },
		{ "building", required_argument, NULL, OPT_BUILDING },
		{ "floor", required_argument, NULL, OPT_FLOOR },
		{ "all", no_argument, NULL, OPT_ALL },
		{ "alarm1", required_argument, NULL, OPT_ALARM1 },
		{ "alarm2", required_argument, NULL, OPT_ALARM2 },
		{ "overload", required_argument, NULL, OPT_OVERLOAD },
		{ NULL, 0, NULL, 0 }
	};
	struct pp_ctl_req req;
	struct pp_ctl_result res;
	struct targets ts = { NULL, 0, 0 };
	size_t i;
	struct tool t;
	const char *building = NULL, *floor = NULL, *v[PP_STATE_NCOLS];
	char state[PP_STATE_NCOLS][PP_NUMBUF * 2], err[PP_ERRMAX];
	long done = 0, pending = 0, refused = 0, unreachable = 0, busy = 0;
	long no_key = 0, bad_key = 0;
	int ch, all = 0, j, k, rc, reading, arrears_only = 1;
	pp_out *out;

	tool_init(&t, "meter-ctl", usage, argc, argv);
	memset(&req, 0, sizeof(req));
	req.price = req.alarm1 = req.alarm2 = req.overload_w = -1;
	req.wait_ms = 30000;
	while ((ch = getopt_long(argc, argv, COMMON_SHORT, longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case OPT_FORCE:
			req.flags |= PP_CTL_FORCE;
			break;
		case OPT_REASON:
			req.reason = optarg;
			break;
		case OPT_WAIT:
			req.wait_ms = tool_int(&t, "--wait", optarg, 0, 3600) *
			    1000;
			break;
		case OPT_BUILDING:
			building = optarg;
			break;
		case OPT_FLOOR:
			floor = optarg;
			break;
		case OPT_ALL:
			all = 1;
			break;
		case OPT_ALARM1:
		case OPT_ALARM2:
			if (pp_money_parse(optarg, 0, -1, ch == OPT_ALARM1 ?
			    &req.alarm1 : &req.alarm2, err, sizeof(err)) !=
			    PP_OK)
				tool_die(&t, PP_EUSAGE, "--alarm%d %s",
				    ch == OPT_ALARM1 ? 1 : 2, err);
			break;
		case OPT_OVERLOAD:
			req.overload_w = tool_int(&t, "--overload", optarg, 1,
			    1000000);
			break;
		default:
			if (!tool_option(&t, ch, optarg))
				tool_usage(&t);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		tool_usage(&t);
	req.action = argv[0];
	argc--, argv++;
	/* A price is written with its decimal point; a meter never is. */
	if (strcmp(req.action, "price") == 0 && argc > 0 &&
	    strchr(argv[0], '.') != NULL) {
		if (pp_price_parse(argv[0], &req.price, err, sizeof(err)) !=
		    PP_OK)
			tool_die(&t, PP_EDATA, "%s", err);
		argc--, argv++;
	}
	if ((argc > 0) + (building != NULL) + all != 1 || (floor &&
	    building == NULL))
		tool_usage(&t);
	reading = strcmp(req.action, "read") == 0;
	if (!reading && pp_action_check(req.action) != PP_OK)
		tool_die(&t, PP_EUSAGE, "%s: no such action",
		    pp_q(req.action));
	t.audit = !reading;
	tool_open(&t, PP_NEED_ANY, 0);
	if (building)
		add_all(&t, &ts, "building", building, floor, 0);
	else if (all)
		add_all(&t, &ts, "all", NULL, NULL, 0);
	else if (argc == 1 && strcmp(argv[0], "-") == 0)
		read_list(&t, &ts);
	else
		for (j = 0; j < argc; j++)
			add_all(&t, &ts, "meter", argv[j], NULL, 0);
	for (i = 0; i < ts.n; i++)
		arrears_only &= ts.v[i].arrears;
	if (!reading && (rc = pp_ctl_permit(t.db, req.action, arrears_only)) !=
	    PP_OK)
		tool_die(&t, rc, "%s", pp_errmsg(t.db));
	out = reading ? tool_out(&t, pp_state_columns, PP_STATE_NCOLS) :
	    tool_out(&t, result_columns, 4);
	for (i = 0; i < ts.n; i++) {
		if (reading) {
			rc = pp_meter_state(t.db, ts.v[i].meter, req.wait_ms,
			    state);
			if (rc != PP_OK && rc != PP_EUNREACH && rc != PP_EDATA &&
			    rc != PP_EBUSY)
				tool_die(&t, rc, "%s", pp_errmsg(t.db));
			if (rc != PP_OK) {
				tool_warn(&t, "%s", pp_errmsg(t.db));
				busy += rc == PP_EBUSY;
				unreachable += rc != PP_EBUSY;
			}
			for (k = 0; k < PP_STATE_NCOLS; k++)
				v[k] = state[k];
		} else {
			req.meter = ts.v[i].meter;
			req.flags = (req.flags & ~PP_CTL_ARREARS) |
			    (ts.v[i].arrears ? PP_CTL_ARREARS : 0);
			if ((rc = pp_meter_ctl(t.db, &req, &res)) != PP_OK)
				tool_die(&t, rc, "%s", pp_errmsg(t.db));
			done += strcmp(res.result, "done") == 0;
			pending += strcmp(res.result, "pending") == 0;
			refused += strcmp(res.result, "refused") == 0 ||
			    strcmp(res.result, "failed") == 0;
			no_key += res.code == PP_ECONFIG;
			bad_key += res.code == PP_EPERM;
			v[0] = res.meter;
			v[1] = res.action;
			v[2] = res.result;
			v[3] = res.message;
		}
		if (pp_out_row(out, v) != PP_OK)
			tool_die(&t, PP_EDATA, "%s", pp_out_error(out));
	}
	tool_out_close(&t, out);
	free(ts.v);
	snprintf(t.summary, sizeof(t.summary), "%s: %zu meters, %ld done, %ld "
	    "pending, %ld refused or failed", req.action, ts.n, done, pending,
	    refused);
	if (reading)
		tool_exit(&t, unreachable ? PP_EUNREACH : busy ? PP_EBUSY :
		    PP_OK);
	tool_exit(&t, pending ? PP_EBUSY : no_key ? PP_ECONFIG : bad_key ?
	    PP_EPERM : refused ? PP_ERULE : PP_OK);
}
