/*
 * meter-read: poll the meters, store their readings and states, and run
 * each bus's waiting commands; or import readings taken by hand; or ask
 * a DL/T 645 bus the address of the meter on it.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

static const char usage[] =
    "usage: meter-read [-d FILE] [-o FMT] [-b BUILDING] [-g GATEWAY] ...\n"
    "                  [-j JOBS] [--meter METER] ... [--strict] [--wait S]\n"
    "       meter-read [-d FILE] [--each] [--rejects FILE] --import FILE|-\n"
    "       meter-read [-d FILE] [-o FMT] [--wait S] --discover GATEWAY\n";

static void
progress(void *arg, int done, int total)
{
	struct tool *t = arg;

	fprintf(stderr, "\r%s: %d of %d buses polled", t->name, done, total);
	if (done == total)
		fputc('\n', stderr);
}

static int
import_row(pp_db *db, const pp_csv *row, pp_entry *e, void *arg)
{
	long *imported = arg;
	int rc;

	(void)e;
	if ((rc = pp_reading_import_row(db, row)) == PP_OK)
		(*imported)++;
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

int
main(int argc, char **argv)
{
	enum { OPT_METER = OPT_FIRST_TOOL, OPT_STRICT, OPT_WAIT, OPT_IMPORT,
		OPT_DISCOVER };
	static const struct option longopts[] = {
		COMMON_LONG,
		BATCH_LONG,
		{ "meter", required_argument, NULL, OPT_METER },
		{ "strict", no_argument, NULL, OPT_STRICT },
		{ "wait", required_argument, NULL, OPT_WAIT },
		{ "import", no_argument, NULL, OPT_IMPORT },
		{ "discover", required_argument, NULL, OPT_DISCOVER },
		{ NULL, 0, NULL, 0 }
	};
	struct pp_poll_opts o;
	struct pp_poll_row *rows;
	const char **gateways = NULL, **meters = NULL, *v[PP_POLL_NCOLS];
	const char *discover = NULL;
	char found[PP_DISCOVER_NCOLS][PP_NUMBUF * 2];
	struct tool t;
	size_t n, i, k, missing = 0;
	long imported = 0;
	pp_out *out;
	int ch, strict = 0, import = 0, rc;

	tool_init(&t, "meter-read", usage, argc, argv);
	memset(&o, 0, sizeof(o));
	o.wait_ms = 60000;
	while ((ch = getopt_long(argc, argv, COMMON_SHORT "b:g:j:", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'b':
			o.building = optarg;
			break;
		case 'g':
			gateways = push(&t, gateways, &o.ngateways, optarg);
			break;
		case 'j':
			o.jobs = tool_int(&t, "-j", optarg, 1, 1024);
			break;
		case OPT_METER:
			meters = push(&t, meters, &o.nmeters, optarg);
			break;
		case OPT_STRICT:
			strict = 1;
			break;
		case OPT_WAIT:
			o.wait_ms = tool_int(&t, "--wait", optarg, 0, 3600) *
			    1000;
			break;
		case OPT_IMPORT:
			import = 1;
			break;
		case OPT_DISCOVER:
			discover = optarg;
			break;
		default:
			if (!tool_option(&t, ch, optarg))
				tool_usage(&t);
		}
	}
	argc -= optind;
	argv += optind;
	/* The poll's lists go with the poll alone. */
	if ((discover || import) && (gateways || meters || o.building)) {
		free(gateways);
		free(meters);
		tool_usage(&t);
	}
	if (discover) {
		if (argc != 0 || import || o.jobs || strict || t.each ||
		    t.rejects)
			tool_usage(&t);
		tool_open(&t, PP_NEED_POLLER, 0);
		if ((rc = pp_meter_discover(t.db, discover, o.wait_ms, found)) !=
		    PP_OK)
			tool_die(&t, rc, "%s", pp_errmsg(t.db));
		out = tool_out(&t, pp_discover_columns, PP_DISCOVER_NCOLS);
		for (k = 0; k < PP_DISCOVER_NCOLS; k++)
			v[k] = found[k];
		if (pp_out_row(out, v) != PP_OK)
			tool_die(&t, PP_EDATA, "%s", pp_out_error(out));
		tool_out_close(&t, out);
		tool_exit(&t, PP_OK);
	}
	t.audit = 1;
	if (import) {
		if (argc != 1)
			tool_usage(&t);
		tool_open(&t, PP_NEED_POLLER, 0);
		rc = tool_batch(&t, argv[0], import_row, &imported);
		snprintf(t.summary, sizeof(t.summary), "%s: %ld readings "
		    "imported", argv[0], imported);
		if (rc == PP_OK || t.each)
			printf("%s\n", t.summary);
		tool_exit(&t, rc);
	}
	if (argc != 0 || t.each || t.rejects) {
		free(gateways);
		free(meters);
		tool_usage(&t);
	}
	o.gateways = gateways;
	o.meters = meters;
	if (isatty(STDERR_FILENO)) {
		o.progress = progress;
		o.arg = &t;
	}
	tool_open(&t, PP_NEED_POLLER, 0);
	rc = pp_poll(t.db, &o, &rows, &n);
	free(gateways);
	free(meters);
	if (rc != PP_OK)
		tool_die(&t, rc, "%s", pp_errmsg(t.db));
	out = tool_out(&t, pp_poll_columns, PP_POLL_NCOLS);
	for (i = 0; i < n; i++) {
		for (k = 0; k < PP_POLL_NCOLS; k++)
			v[k] = rows[i].text[k];
		missing += !rows[i].ok;
		if (pp_out_row(out, v) != PP_OK)
			tool_die(&t, PP_EDATA, "%s", pp_out_error(out));
	}
	tool_out_close(&t, out);
	free(rows);
	snprintf(t.summary, sizeof(t.summary), "%zu meters polled, %zu "
	    "missing", n, missing);
	if (missing)
		tool_warn(&t, "%zu of %zu meters did not answer", missing, n);
	tool_exit(&t, strict && missing ? PP_EUNREACH : PP_OK);
}
