/*
 * alarm-scan: raise, escalate and clear alarms, send their notices, and
 * print the new alarms for the next tool in a pipe.
 */
#include <stdlib.h>
#include <string.h>

#include "common.h"

static const char usage[] =
    "usage: alarm-scan [-d FILE] [-o FMT] [--lang zh|en]\n"
    "                  [--all] [-k KIND] [--notify COMMAND] [--verify ok|fail]\n";

int
main(int argc, char **argv)
{
	enum { OPT_ALL = OPT_FIRST_TOOL, OPT_NOTIFY, OPT_VERIFY };
	static const struct option longopts[] = {
		COMMON_LONG,
		{ "all", no_argument, NULL, OPT_ALL },
		{ "notify", required_argument, NULL, OPT_NOTIFY },
		{ "verify", required_argument, NULL, OPT_VERIFY },
		{ NULL, 0, NULL, 0 }
	};
	struct pp_scan_opts o;
	struct pp_notify_result nr = { 0, 0 };
	struct pp_alarm_row *rows;
	struct pp_alarm_text text;
	struct tool t;
	const char *notify = NULL, *v[PP_ALARM_NCOLS];
	size_t n, i;
	pp_out *out;
	int ch, rc;

	tool_init(&t, "alarm-scan", usage, argc, argv);
	memset(&o, 0, sizeof(o));
	while ((ch = getopt_long(argc, argv, COMMON_SHORT "k:", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'k':
			o.kind = optarg;
			break;
		case OPT_ALL:
			o.all = 1;
			break;
		case OPT_NOTIFY:
			notify = optarg;
			break;
		case OPT_VERIFY:
			o.verify = optarg;
			break;
		default:
			if (!tool_option(&t, ch, optarg))
				tool_usage(&t);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 0 || (notify && *notify == '\0'))
		tool_usage(&t);
	if (o.kind && pp_alarm_kind_check(o.kind) != PP_OK)
		tool_die(&t, PP_EUSAGE, "-k %s: no such alarm kind",
		    pp_q(o.kind));
	if (o.verify && strcmp(o.verify, "ok") != 0 &&
	    strcmp(o.verify, "fail") != 0)
		tool_die(&t, PP_EUSAGE, "--verify %s: use ok or fail",
		    pp_q(o.verify));
	t.audit = 1;
	tool_open(&t, PP_ACT_ALARM_SCAN, 0);
	if ((rc = pp_alarm_scan(t.db, &o, &rows, &n)) != PP_OK)
		tool_die(&t, rc, "%s", pp_errmsg(t.db));
	if (notify && (rc = pp_alarm_notify(t.db, notify, &nr)) != PP_OK)
		tool_die(&t, rc, "%s", pp_errmsg(t.db));
	out = tool_out(&t, pp_alarm_columns, PP_ALARM_NCOLS);
	for (i = 0; i < n; i++) {
		pp_alarm_row_values(&rows[i], &text, v);
		tool_row(&t, out, v);
	}
	tool_out_close(&t, out);
	free(rows);
	snprintf(t.summary, sizeof(t.summary), "%zu alarm rows%s; %ld notices "
	    "sent, %ld failed", n, o.all ? " standing" : " new", nr.sent,
	    nr.failed);
	if (nr.failed)
		tool_warn(&t, "%ld notices failed; the next scan tries them "
		    "again", nr.failed);
	tool_exit(&t, nr.failed ? PP_EBUSY : PP_OK);
}
