/*
 * meter-ctl: remote control of meters: trip, close, keep-power, prepaid
 * mode, price, thresholds, clock; and read one meter's whole state.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

static const char usage[] =
    "usage: meter-ctl [-d FILE] [-o FMT] [--lang zh|en]\n"
    "                 [--force] [--reason TEXT] [--wait S]\n"
    "                 ACTION [ARG] METER ... | - | --building B [--floor F] |"
    " --all\n"
    "       ACTION is trip, close, keep, unkeep, prepay, manual, time, read,\n"
    "       price [PRICE], or settings [--alarm1 A] [--alarm2 A]"
    " [--overload W]\n";

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
	char err[PP_ERRMAX];
	const char *by, *value;
	pp_csv *in;
	int rc, arrears;

	if ((rc = pp_csv_open(&in, stdin, "stdin", err, sizeof(err))) !=
	    PP_OK)
		tool_die(t, rc, "%s", err);
	while ((rc = pp_csv_next(in)) == 1) {
		if (pp_ctl_row(in, &by, &value, &arrears) != PP_OK)
			tool_die(t, PP_EDATA, "line %ld: no meter, account or "
			    "room", pp_csv_line(in));
		add_all(t, ts, by, value, NULL, arrears);
	}
	if (rc != 0)
		tool_die(t, rc, "%s", pp_csv_error(in));
	pp_csv_close(in);
}

/* What meter-ctl was asked: the request and how its targets are named. */
struct ctl {
	struct pp_ctl_req req;
	const char	*building, *floor;
	int		 all, reading;
	int		 argc;		/* the meters named, or "-" */
	char		**argv;
};

/* Tallies of a run, for the summary and the exit code. */
struct tally {
	long	done, pending, refused, unreachable, busy, no_key, bad_key;
};

static void
ctl_options(struct tool *t, struct ctl *c, int argc, char **argv)
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
	char err[PP_ERRMAX];
	int ch;

	while ((ch = getopt_long(argc, argv, COMMON_SHORT, longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case OPT_FORCE:
			c->req.flags |= PP_CTL_FORCE;
			break;
		case OPT_REASON:
			c->req.reason = optarg;
			break;
		case OPT_WAIT:
			c->req.wait_ms = tool_int(t, "--wait", optarg, 0,
			    3600) * 1000;
			break;
		case OPT_BUILDING:
			c->building = optarg;
			break;
		case OPT_FLOOR:
			c->floor = optarg;
			break;
		case OPT_ALL:
			c->all = 1;
			break;
		case OPT_ALARM1:
		case OPT_ALARM2:
			if (pp_money_parse(optarg, 0, -1, ch == OPT_ALARM1 ?
			    &c->req.alarm1 : &c->req.alarm2, err,
			    sizeof(err)) != PP_OK)
				tool_die(t, PP_EUSAGE, "--alarm%d %s",
				    ch == OPT_ALARM1 ? 1 : 2, err);
			break;
		case OPT_OVERLOAD:
			c->req.overload_w = tool_int(t, "--overload", optarg, 1,
			    1000000);
			break;
		default:
			if (!tool_option(t, ch, optarg))
				tool_usage(t);
		}
	}
}

/* The action, its price, and the targets' operands. */
static void
ctl_operands(struct tool *t, struct ctl *c, int argc, char **argv)
{
	char err[PP_ERRMAX];

	if (argc < 1)
		tool_usage(t);
	c->req.action = argv[0];
	argc--, argv++;
	/* A price is written with its decimal point; a meter never is. */
	if (strcmp(c->req.action, "price") == 0 && argc > 0 &&
	    strchr(argv[0], '.') != NULL) {
		if (pp_price_parse(argv[0], &c->req.price, err, sizeof(err)) !=
		    PP_OK)
			tool_die(t, PP_EDATA, "%s", err);
		argc--, argv++;
	}
	if ((argc > 0) + (c->building != NULL) + c->all != 1 || (c->floor &&
	    c->building == NULL))
		tool_usage(t);
	c->reading = strcmp(c->req.action, "read") == 0;
	if (!c->reading && pp_action_check(c->req.action) != PP_OK)
		tool_die(t, PP_EUSAGE, "%s: no such action",
		    pp_q(c->req.action));
	c->argc = argc;
	c->argv = argv;
}

/*
 * The targets; those of a selection, not named one by one, are a bulk
 * command (PP_CTL_BULK).
 */
static void
ctl_targets(struct tool *t, struct ctl *c, struct targets *ts)
{
	int j;

	if (c->building || c->all || (c->argc == 1 && strcmp(c->argv[0], "-")
	    == 0))
		c->req.flags |= PP_CTL_BULK;
	if (c->building)
		add_all(t, ts, "building", c->building, c->floor, 0);
	else if (c->all)
		add_all(t, ts, "all", NULL, NULL, 0);
	else if (c->argc == 1 && strcmp(c->argv[0], "-") == 0)
		read_list(t, ts);
	else
		for (j = 0; j < c->argc; j++)
			add_all(t, ts, "meter", c->argv[j], NULL, 0);
}

/* meter-ctl read: one meter's whole state, read now. */
static void
read_state(struct tool *t, const struct ctl *c, const char *meter,
    struct tally *n, pp_out *out)
{
	struct pp_meter_state st;
	struct pp_state_text text;
	const char *v[PP_STATE_NCOLS];
	int rc;

	rc = pp_meter_state(t->db, meter, c->req.wait_ms, &st);
	if (rc != PP_OK && rc != PP_EUNREACH && rc != PP_EDATA &&
	    rc != PP_EBUSY)
		tool_die(t, rc, "%s", pp_errmsg(t->db));
	if (rc != PP_OK) {
		tool_warn(t, "%s", pp_errmsg(t->db));
		n->busy += rc == PP_EBUSY;
		n->unreachable += rc != PP_EBUSY;
	}
	pp_meter_state_values(&st, &text, v);
	tool_row(t, out, v);
}

/* Send the command to one meter and print what became of it. */
static void
send_command(struct tool *t, struct ctl *c, const struct target *to,
    struct tally *n, pp_out *out)
{
	struct pp_ctl_result res;
	const char *v[PP_CTL_NCOLS];
	int rc;

	c->req.meter = to->meter;
	c->req.flags = (c->req.flags & ~PP_CTL_ARREARS) |
	    (to->arrears ? PP_CTL_ARREARS : 0);
	if ((rc = pp_meter_ctl(t->db, &c->req, &res)) != PP_OK)
		tool_die(t, rc, "%s", pp_errmsg(t->db));
	n->done += res.result == PP_CTL_DONE;
	n->pending += res.result == PP_CTL_PENDING;
	n->refused += res.result == PP_CTL_REFUSED ||
	    res.result == PP_CTL_FAILED;
	n->no_key += res.code == PP_ECONFIG;
	n->bad_key += res.code == PP_EPERM;
	pp_ctl_result_values(&res, v);
	tool_row(t, out, v);
}

/* Each target in turn; returns the exit code. */
static int
ctl_run(struct tool *t, struct ctl *c, const struct targets *ts)
{
	struct tally n;
	pp_out *out;
	size_t i;

	memset(&n, 0, sizeof(n));
	/* One meter's whole state is too wide for a terminal's row. */
	if (c->reading && ts->n == 1 && t->fmt == PP_FMT_AUTO &&
	    isatty(STDOUT_FILENO))
		t->fmt = PP_FMT_LIST;
	out = c->reading ? tool_out(t, pp_state_columns, PP_STATE_NCOLS) :
	    tool_out(t, pp_ctl_columns, PP_CTL_NCOLS);
	for (i = 0; i < ts->n; i++)
		if (c->reading)
			read_state(t, c, ts->v[i].meter, &n, out);
		else
			send_command(t, c, &ts->v[i], &n, out);
	tool_out_close(t, out);
	snprintf(t->summary, sizeof(t->summary), "%s: %zu meters, %ld done, "
	    "%ld pending, %ld refused or failed", c->req.action, ts->n, n.done,
	    n.pending, n.refused);
	if (c->reading)
		return n.unreachable ? PP_EUNREACH : n.busy ? PP_EBUSY : PP_OK;
	return n.pending ? PP_EBUSY : n.no_key ? PP_ECONFIG : n.bad_key ?
	    PP_EPERM : n.refused ? PP_ERULE : PP_OK;
}

int
main(int argc, char **argv)
{
	struct targets ts = { NULL, 0, 0 };
	struct tool t;
	struct ctl c;
	size_t i;
	int rc, arrears_only = 1;

	tool_init(&t, "meter-ctl", usage, argc, argv);
	memset(&c, 0, sizeof(c));
	c.req.price = c.req.alarm1 = c.req.alarm2 = c.req.overload_w = -1;
	c.req.wait_ms = 30000;
	ctl_options(&t, &c, argc, argv);
	ctl_operands(&t, &c, argc - optind, argv + optind);
	t.audit = !c.reading;
	tool_open(&t, PP_ACT_METER_CTL, 0);
	ctl_targets(&t, &c, &ts);
	for (i = 0; i < ts.n; i++)
		arrears_only &= ts.v[i].arrears;
	if (!c.reading && (rc = pp_operator_may(t.db, PP_ACT_CONTROL,
	    c.req.action, arrears_only ? PP_CTL_ARREARS : 0)) != PP_OK)
		tool_die(&t, rc, "%s", pp_errmsg(t.db));
	rc = ctl_run(&t, &c, &ts);
	free(ts.v);
	tool_exit(&t, rc);
}
