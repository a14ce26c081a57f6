/*
 * meter-read: poll the meters, store their readings and states, and run
 * each bus's waiting commands; or import readings taken by hand; or ask
 * a DL/T 645 bus the address of the meter on it.
 */
#include <sys/signalfd.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

static const char usage[] =
    "usage: meter-read [-d FILE] [-o FMT] [--lang zh|en] [--poller NAME]\n"
    "                  [-b BUILDING] [-g GATEWAY] ...\n"
    "                  [-j JOBS] [--meter METER] ... [--all-values] [--strict]\n"
    "                  [--wait S]\n"
    "       meter-read [-d FILE] [-o FMT] [--poller NAME] [-j JOBS] [--all-values]\n"
    "                  [--strict] [--wait S] --due\n"
    "       meter-read [-d FILE] [-o FMT] [--lang zh|en] [--poller NAME]\n"
    "                  [-b BUILDING] [-g GATEWAY] ... [--meter METER] ...\n"
    "                  [--all-values] [--wait S] --every SECONDS|site\n"
    "       meter-read [-d FILE] [--each] [--rejects FILE] [--onsite]\n"
    "                  --import FILE|-\n"
    "       meter-read [-d FILE] [-o FMT] [--wait S] --discover GATEWAY\n";

static void
progress(void *arg, int done, int total)
{
	struct tool *t = arg;

	fprintf(stderr, "\r%s: %d of %d buses polled", t->name, done, total);
	if (done == total)
		fputc('\n', stderr);
}

/* An import's rows: to store (counted), or on-site ones. */
struct import {
	int	(*store)(pp_db *, const pp_csv *);
	long	  n;
};

static int
import_row(pp_db *db, const pp_csv *row, pp_entry *e, void *arg)
{
	struct import *imp = arg;
	int rc;

	(void)e;
	if ((rc = imp->store(db, row)) == PP_OK)
		imp->n++;
	return rc;
}

/* A list given as repeated options. */
static const char **
push(struct tool *t, const char **list, int *n, const char *item)
{
	if ((list = realloc(list, (size_t)(*n + 1) * sizeof(*list))) == NULL)
		tool_die(t, PP_EINTERNAL, "out of memory");
	list[(*n)++] = item;
	return list;
}

/* What meter-read was asked. */
struct read {
	struct pp_poll_opts o;
	const char	**gateways, **meters;
	const char	*discover;
	const char	*every;		/* --every: SECONDS or "site" */
	int		 strict, import, onsite, due;
};

static void
read_options(struct tool *t, struct read *r, int argc, char **argv)
{
	enum { OPT_METER = OPT_FIRST_TOOL, OPT_STRICT, OPT_WAIT, OPT_IMPORT,
		OPT_DISCOVER, OPT_ONSITE, OPT_DUE, OPT_EVERY, OPT_ALL_VALUES,
		OPT_POLLER };
	static const struct option longopts[] = {
		COMMON_LONG,
		BATCH_LONG,
		{ "poller", required_argument, NULL, OPT_POLLER },
		{ "meter", required_argument, NULL, OPT_METER },
		{ "all-values", no_argument, NULL, OPT_ALL_VALUES },
		{ "strict", no_argument, NULL, OPT_STRICT },
		{ "wait", required_argument, NULL, OPT_WAIT },
		{ "import", no_argument, NULL, OPT_IMPORT },
		{ "discover", required_argument, NULL, OPT_DISCOVER },
		{ "onsite", no_argument, NULL, OPT_ONSITE },
		{ "due", no_argument, NULL, OPT_DUE },
		{ "every", required_argument, NULL, OPT_EVERY },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	while ((ch = getopt_long(argc, argv, COMMON_SHORT "b:g:j:", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'b':
			r->o.building = optarg;
			break;
		case 'g':
			r->gateways = push(t, r->gateways, &r->o.ngateways,
			    optarg);
			break;
		case 'j':
			r->o.jobs = tool_int(t, "-j", optarg, 1, 1024);
			break;
		case OPT_POLLER:
			r->o.poller = optarg;
			break;
		case OPT_METER:
			r->meters = push(t, r->meters, &r->o.nmeters, optarg);
			break;
		case OPT_ALL_VALUES:
			r->o.all_values = 1;
			break;
		case OPT_STRICT:
			r->strict = 1;
			break;
		case OPT_WAIT:
			r->o.wait_ms = tool_int(t, "--wait", optarg, 0, 3600) *
			    1000;
			break;
		case OPT_IMPORT:
			r->import = 1;
			break;
		case OPT_DISCOVER:
			r->discover = optarg;
			break;
		case OPT_ONSITE:
			r->onsite = 1;
			break;
		case OPT_DUE:
			r->due = 1;
			break;
		case OPT_EVERY:
			r->every = optarg;
			break;
		default:
			if (!tool_option(t, ch, optarg))
				tool_usage(t);
		}
	}
}

/* The poll's lists go with the poll alone. */
static noreturn void
usage_free(struct tool *t, struct read *r)
{
	free(r->gateways);
	free(r->meters);
	tool_usage(t);
}

/* --discover: the address of the one meter on a DL/T 645 bus. */
static noreturn void
discover(struct tool *t, struct read *r, int argc)
{
	char found[PP_DISCOVER_NCOLS][PP_NUMBUF * 2];
	const char *v[PP_DISCOVER_NCOLS];
	pp_out *out;
	size_t k;
	int rc;

	if (argc != 0 || r->import || r->o.jobs || r->strict || t->each ||
	    t->rejects)
		tool_usage(t);
	tool_open(t, PP_ACT_METER_READ, 0);
	if ((rc = pp_meter_discover(t->db, r->discover, r->o.wait_ms,
	    found)) != PP_OK)
		tool_die(t, rc, "%s", pp_errmsg(t->db));
	out = tool_out(t, pp_discover_columns, PP_DISCOVER_NCOLS);
	for (k = 0; k < PP_DISCOVER_NCOLS; k++)
		v[k] = found[k];
	tool_row(t, out, v);
	tool_out_close(t, out);
	tool_exit(t, PP_OK);
}

/* --import: readings taken by hand, that count or (--onsite) to compare. */
static noreturn void
import(struct tool *t, int argc, char **argv, int onsite)
{
	struct import imp = { onsite ? pp_onsite_import_row :
	    pp_reading_import_row, 0 };
	int rc;

	if (argc != 1)
		tool_usage(t);
	tool_open(t, PP_ACT_METER_READ, 0);
	t->checked_first = 1;
	rc = tool_batch(t, argv[0], import_row, &imp);
	snprintf(t->summary, sizeof(t->summary), "%s: %ld %sreadings "
	    "imported", argv[0], imp.n, onsite ? "on-site " : "");
	if (rc == PP_OK || t->each)
		printf("%s\n", t->summary);
	tool_exit(t, rc);
}

/* --due: a poll that is not due yet exits at once and writes nothing. */
static void
not_due(struct tool *t, struct read *r)
{
	int64_t slot;
	int due, rc;

	if ((rc = pp_poll_due(t->db, r->o.poller, &due, &slot)) != PP_OK)
		tool_die(t, rc, "%s", pp_errmsg(t->db));
	if (due)
		return;
	free(r->gateways);
	free(r->meters);
	t->audit = 0;
	tool_exit(t, PP_OK);
}

static noreturn void
poll_meters(struct tool *t, struct read *r)
{
	struct pp_poll_row *rows;
	struct pp_poll_text text;
	const char *v[PP_POLL_NCOLS];
	size_t n, i, missing = 0;
	pp_out *out;
	int rc;

	r->o.gateways = r->gateways;
	r->o.meters = r->meters;
	if (isatty(STDERR_FILENO)) {
		r->o.progress = progress;
		r->o.arg = t;
	}
	tool_open(t, PP_ACT_METER_READ, 0);
	if (r->due)
		not_due(t, r);
	rc = pp_poll(t->db, &r->o, &rows, &n);
	free(r->gateways);
	free(r->meters);
	/* The buses that stored, even when another could not. */
	if (rc != PP_OK && n == 0)
		tool_die(t, rc, "%s", pp_errmsg(t->db));
	out = tool_out(t, pp_poll_columns, PP_POLL_NCOLS);
	for (i = 0; i < n; i++) {
		pp_poll_row_values(&rows[i], &text, v);
		missing += !rows[i].ok;
		tool_row(t, out, v);
	}
	tool_out_close(t, out);
	free(rows);
	if (rc != PP_OK)
		tool_die(t, rc, "%s", pp_errmsg(t->db));
	snprintf(t->summary, sizeof(t->summary), "%zu meters polled, %zu "
	    "missing", n, missing);
	if (missing)
		tool_warn(t, "%zu of %zu meters did not answer", missing, n);
	tool_exit(t, r->strict && missing ? PP_EUNREACH : PP_OK);
}

/* --every: the options a continuous poll has no use for are refused. */
static void
every_check(struct tool *t, struct read *r, int argc)
{
	const char *bad = r->due ? "--due" : r->o.jobs ? "-j" : r->strict ?
	    "--strict" : r->import ? "--import" : r->discover ? "--discover" :
	    r->onsite ? "--onsite" : t->each ? "--each" : t->rejects ?
	    "--rejects" : argc ? "an operand" :
	    NULL;

	if (bad == NULL)
		return;
	tool_warn(t, "--every: not with %s: a continuous poll runs until "
	    "stopped", bad);
	exit(PP_EUSAGE);
}

/* A cycle's rows as they come: a table a cycle, or one CSV stream. */
struct stream {
	struct tool	*t;
	pp_out		*out;	/* kept open: CSV and TSV */
	size_t		 n, missing;
};

static void
cycle_rows(void *arg, const struct pp_poll_row *rows, size_t n)
{
	struct stream *s = arg;
	struct pp_poll_text text;
	const char *v[PP_POLL_NCOLS];
	pp_out *out = s->out;
	size_t i;

	if (out == NULL)
		out = tool_out(s->t, pp_poll_columns, PP_POLL_NCOLS);
	for (i = 0; i < n; i++) {
		pp_poll_row_values(&rows[i], &text, v);
		s->missing += !rows[i].ok;
		tool_row(s->t, out, v);
	}
	s->n += n;
	if (out != s->out)
		tool_out_close(s->t, out);
	fflush(stdout);
}

/* The site's poll_seconds, for --every site. */
static int
site_seconds(struct tool *t)
{
	int64_t v;

	if ((v = pp_poll_seconds(t->db)) <= 0)
		tool_die(t, PP_ECONFIG, "--every site: the site sets no "
		    "poll_seconds");
	return (int)v;
}

/*
 * --every: poll until SIGTERM or SIGINT, which a signalfd tells the
 * workers (blocked here, before they start, so no handler runs).
 */
static noreturn void
poll_every(struct tool *t, struct read *r)
{
	struct stream s = { t, NULL, 0, 0 };
	sigset_t stop;
	long cycles = 0;
	int fd, rc, every;

	every = strcmp(r->every, "site") == 0 ? -1 : tool_int(t, "--every",
	    r->every, 0, 86400);
	r->o.gateways = r->gateways;
	r->o.meters = r->meters;
	r->o.cycle = cycle_rows;
	r->o.arg = &s;
	tool_open(t, PP_ACT_METER_READ, 0);
	if (every < 0)
		every = site_seconds(t);
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	if (sigprocmask(SIG_BLOCK, &stop, NULL) == -1 ||
	    (fd = signalfd(-1, &stop, SFD_CLOEXEC)) == -1)
		tool_die(t, PP_EINTERNAL, "signalfd: %s", strerror(errno));
	if (t->fmt == PP_FMT_CSV || t->fmt == PP_FMT_TSV ||
	    (t->fmt == PP_FMT_AUTO && !isatty(STDOUT_FILENO)))
		s.out = tool_out(t, pp_poll_columns, PP_POLL_NCOLS);
	rc = pp_poll_every(t->db, &r->o, every, fd, &cycles);
	close(fd);
	free(r->gateways);
	free(r->meters);
	tool_out_close(t, s.out);
	if (rc != PP_OK)
		tool_die(t, rc, "%s", pp_errmsg(t->db));
	snprintf(t->summary, sizeof(t->summary), "%ld bus cycles, %zu "
	    "meters polled, %zu missing", cycles, s.n, s.missing);
	tool_exit(t, PP_OK);
}

int
main(int argc, char **argv)
{
	struct tool t;
	struct read r;

	tool_init(&t, "meter-read", usage, argc, argv);
	memset(&r, 0, sizeof(r));
	r.o.wait_ms = 60000;
	read_options(&t, &r, argc, argv);
	argc -= optind;
	argv += optind;
	if (r.every) {
		every_check(&t, &r, argc);
		t.audit = 1;
		poll_every(&t, &r);
	}
	if ((r.discover || r.import || r.due) && (r.gateways || r.meters ||
	    r.o.building))
		usage_free(&t, &r);
	if (r.due && (r.discover || r.import))
		usage_free(&t, &r);
	if (r.o.all_values && (r.discover || r.import))
		usage_free(&t, &r);
	if (r.discover)
		discover(&t, &r, argc);
	t.audit = 1;
	if (r.onsite && !r.import)
		usage_free(&t, &r);
	if (r.import)
		import(&t, argc, argv, r.onsite);
	if (argc != 0 || t.each || t.rejects)
		usage_free(&t, &r);
	poll_meters(&t, &r);
}
