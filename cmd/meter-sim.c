/*
 * meter-sim: simulate a site's gateways and meters as a real Modbus and
 * DL/T 645 peer, over TCP and serial lines, for tests, demos and training.
 */
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "sim.h"

static const char usage[] =
    "usage: meter-sim [-h] [-V] [--baud N] [--speed X] [--drop P] [--crc P]\n"
    "                 [--exception P] [--garbage P] [--split P] [--delay MS]\n"
    "                 [--dead METER,...] [--down GATEWAY,...]\n"
    "                 [--tty GATEWAY=DEVICE]... [--keys FILE] [--state FILE]\n"
    "                 [--ready FILE] [--seed N] [--credit AMOUNT] SITE.yaml\n";

static void
notice(void *arg, const char *line)
{
	(void)arg;
	printf("%s\n", line);
	fflush(stdout);
}

static void
warning(void *arg, const char *msg)
{
	tool_warn(arg, "%s", msg);
}

/* A number in [min, max], or exit 64. */
static double
real(struct tool *t, const char *opt, const char *s, double min, double max)
{
	char *end;
	double v;

	v = strtod(s, &end);
	if (*s == '\0' || *end != '\0' || !isfinite(v) || v < min || v > max) {
		tool_warn(t, "%s %s: use a number from %g to %g", opt, pp_q(s),
		    min, max);
		exit(PP_EUSAGE);
	}
	return v;
}

int
main(int argc, char **argv)
{
	enum { OPT_BAUD = OPT_FIRST_TOOL, OPT_SPEED, OPT_DROP, OPT_CRC,
	    OPT_EXCEPTION, OPT_GARBAGE, OPT_SPLIT, OPT_DELAY, OPT_DEAD,
	    OPT_DOWN, OPT_TTY, OPT_KEYS, OPT_STATE, OPT_READY, OPT_SEED,
	    OPT_CREDIT };
	static const struct option longopts[] = {
		{ "baud", required_argument, NULL, OPT_BAUD },
		{ "speed", required_argument, NULL, OPT_SPEED },
		{ "drop", required_argument, NULL, OPT_DROP },
		{ "crc", required_argument, NULL, OPT_CRC },
		{ "exception", required_argument, NULL, OPT_EXCEPTION },
		{ "garbage", required_argument, NULL, OPT_GARBAGE },
		{ "split", required_argument, NULL, OPT_SPLIT },
		{ "delay", required_argument, NULL, OPT_DELAY },
		{ "dead", required_argument, NULL, OPT_DEAD },
		{ "down", required_argument, NULL, OPT_DOWN },
		{ "tty", required_argument, NULL, OPT_TTY },
		{ "keys", required_argument, NULL, OPT_KEYS },
		{ "state", required_argument, NULL, OPT_STATE },
		{ "ready", required_argument, NULL, OPT_READY },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "credit", required_argument, NULL, OPT_CREDIT },
		{ NULL, 0, NULL, 0 }
	};
	/* Static: still reachable when an option error exits. */
	static const char **dead, **down, **tty;
	struct pp_sim_opts o;
	struct tool t;
	char err[PP_ERRMAX];
	int ch, rc;

	tool_init(&t, "meter-sim", usage, argc, argv);
	memset(&o, 0, sizeof(o));
	o.speed = 1;
	o.seed = 1;
	o.notice = notice;
	o.warn = warning;
	o.arg = &t;
	/* Each list option appears at most argc times. */
	dead = calloc((size_t)argc, sizeof(*dead));
	down = calloc((size_t)argc, sizeof(*down));
	tty = calloc((size_t)argc, sizeof(*tty));
	if (dead == NULL || down == NULL || tty == NULL)
		tool_die(&t, PP_EINTERNAL, "out of memory");
	while ((ch = getopt_long(argc, argv, ":hV", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_BAUD:
			o.baud = tool_int(&t, "--baud", optarg, 50, 4000000);
			break;
		case OPT_SPEED:
			o.speed = real(&t, "--speed", optarg, 1e-3, 1e6);
			break;
		case OPT_DROP:
			o.drop = real(&t, "--drop", optarg, 0, 1);
			break;
		case OPT_CRC:
			o.crc = real(&t, "--crc", optarg, 0, 1);
			break;
		case OPT_EXCEPTION:
			o.exception = real(&t, "--exception", optarg, 0, 1);
			break;
		case OPT_GARBAGE:
			o.garbage = real(&t, "--garbage", optarg, 0, 1);
			break;
		case OPT_SPLIT:
			o.split = real(&t, "--split", optarg, 0, 1);
			break;
		case OPT_DELAY:
			o.delay_ms = tool_int(&t, "--delay", optarg, 0, 600000);
			break;
		case OPT_DEAD:
			dead[o.ndead++] = optarg;
			break;
		case OPT_DOWN:
			down[o.ndown++] = optarg;
			break;
		case OPT_TTY:
			tty[o.ntty++] = optarg;
			break;
		case OPT_KEYS:
			o.keys = optarg;
			break;
		case OPT_STATE:
			o.state = optarg;
			break;
		case OPT_READY:
			o.ready = optarg;
			break;
		case OPT_SEED:
			o.seed = (uint64_t)tool_int(&t, "--seed", optarg, 0,
			    2147483647);
			break;
		case OPT_CREDIT:
			o.credit = tool_amount(&t, optarg);
			break;
		default:
			if (!tool_option(&t, ch, optarg))
				tool_usage(&t);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 1)
		tool_usage(&t);
	o.site = argv[0];
	o.dead = dead;
	o.down = down;
	o.tty = tty;
	/* A client that goes away is not a reason to die. */
	signal(SIGPIPE, SIG_IGN);
	rc = pp_sim_run(&o, err, sizeof(err));
	free(dead);
	free(down);
	free(tty);
	if (rc != PP_OK)
		tool_die(&t, rc, "%s", err);
	tool_exit(&t, PP_OK);
}
