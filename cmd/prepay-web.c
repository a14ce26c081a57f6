/*
 * prepay-web: the residents' server (prepay-web(1)): binding, balances,
 * orders and the payment platforms' notifications, over HTTP behind a
 * TLS proxy, until SIGTERM.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "common.h"

static const char usage[] =
    "usage: prepay-web [-d FILE] [-l ADDR:PORT] [-c SITE-OR-CONFIG]\n"
    "                  [--ready FILE]\n";

/* The journal's line: the tool's name, then the line. */
static void
log_line(void *arg, const char *line)
{
	struct tool *t = arg;

	tool_warn(t, "%s", line);
}

int
main(int argc, char **argv)
{
	enum { OPT_READY = OPT_FIRST_TOOL };
	static const struct option longopts[] = {
		{ "ready", required_argument, NULL, OPT_READY },
		{ NULL, 0, NULL, 0 }
	};
	struct pp_web_opts o;
	const char *ready = NULL;
	char err[PP_ERRMAX];
	struct tool t;
	sigset_t sigs;
	pp_web *w;
	int ch, rc, sig;

	tool_init(&t, "prepay-web", usage, argc, argv);
	memset(&o, 0, sizeof(o));
	while ((ch = getopt_long(argc, argv, ":d:hl:c:V", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'l':
			o.listen = optarg;
			break;
		case 'c':
			o.config = optarg;
			break;
		case OPT_READY:
			ready = optarg;
			break;
		default:
			if (!tool_option(&t, ch, optarg))
				tool_usage(&t);
		}
	}
	if (optind != argc)
		tool_usage(&t);
	o.dbpath = t.dbpath;
	o.argc = argc - 1;
	o.argv = argv + 1;
	o.log = log_line;
	o.arg = &t;
	/* Only this thread takes the signals; the server's inherit the mask. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((rc = pp_web_start(&o, &w, err, sizeof(err))) != PP_OK) {
		tool_warn(&t, "%s", err);
		return rc;
	}
	tool_warn(&t, "listening on %s", pp_web_address(w));
	if (ready && (rc = tool_ready(ready, pp_web_address(w), err,
	    sizeof(err))) != PP_OK) {
		tool_warn(&t, "%s", err);
		pp_web_stop(w);
		return rc;
	}
	do
		sig = sigwaitinfo(&sigs, NULL);
	while (sig != SIGINT && sig != SIGTERM);
	tool_warn(&t, "stopping on signal %d", sig);
	pp_web_stop(w);
	return PP_OK;
}
