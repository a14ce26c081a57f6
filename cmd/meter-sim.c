/*
 * meter-sim: simulate a site's gateways and meters as a real Modbus and
 * DL/T 645 peer, over TCP and serial lines, for tests, demos and training.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "ppsim.h"

#define SAVE_EVERY	3	/* seconds between saves of the state */

static const char usage[] =
    "usage: meter-sim [-h] [-V] [--baud N] [--speed X] [--drop P] [--crc P]\n"
    "                 [--exception P] [--garbage P] [--split P] [--delay MS]\n"
    "                 [--dead METER,...] [--down GATEWAY,...]\n"
    "                 [--no-blocks METER,...] [--tty GATEWAY=DEVICE]...\n"
    "                 [--keys FILE] [--state FILE] [--log FILE] [--ready FILE]\n"
    "                 [--seed N] [--credit AMOUNT] SITE.yaml\n";

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

enum { OPT_BAUD = OPT_FIRST_TOOL, OPT_SPEED, OPT_DROP, OPT_CRC,
    OPT_EXCEPTION, OPT_GARBAGE, OPT_SPLIT, OPT_DELAY, OPT_DEAD, OPT_DOWN,
    OPT_TTY, OPT_KEYS, OPT_STATE, OPT_READY, OPT_SEED, OPT_CREDIT,
    OPT_NO_BLOCKS, OPT_LOG };

/* The options that take a fraction: 1 when ch is one. */
static int
chance(struct tool *t, struct ppsim_opts *o, int ch, const char *arg)
{
	static const struct {
		int		 ch;
		const char	*opt;
		size_t		 at;
	} fraction[] = {
		{ OPT_DROP, "--drop", offsetof(struct ppsim_opts, drop) },
		{ OPT_CRC, "--crc", offsetof(struct ppsim_opts, crc) },
		{ OPT_EXCEPTION, "--exception",
		    offsetof(struct ppsim_opts, exception) },
		{ OPT_GARBAGE, "--garbage",
		    offsetof(struct ppsim_opts, garbage) },
		{ OPT_SPLIT, "--split", offsetof(struct ppsim_opts, split) },
	};
	size_t i;

	for (i = 0; i < sizeof(fraction) / sizeof(fraction[0]); i++)
		if (fraction[i].ch == ch) {
			*(double *)(void *)((char *)o + fraction[i].at) =
			    real(t, fraction[i].opt, arg, 0, 1);
			return 1;
		}
	return 0;
}

/* The options that name many things; each appears at most argc times. */
struct lists {
	const char	**dead, **down, **noblocks, **tty;
};

static void
options(struct tool *t, int argc, char **argv, struct ppsim_opts *o,
    struct lists *l, const char **ready)
{
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
		{ "no-blocks", required_argument, NULL, OPT_NO_BLOCKS },
		{ "tty", required_argument, NULL, OPT_TTY },
		{ "keys", required_argument, NULL, OPT_KEYS },
		{ "state", required_argument, NULL, OPT_STATE },
		{ "log", required_argument, NULL, OPT_LOG },
		{ "ready", required_argument, NULL, OPT_READY },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "credit", required_argument, NULL, OPT_CREDIT },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	while ((ch = getopt_long(argc, argv, ":hV", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_BAUD:
			o->baud = tool_int(t, "--baud", optarg, 50, 4000000);
			break;
		case OPT_SPEED:
			o->speed = real(t, "--speed", optarg, 1e-3, 1e6);
			break;
		case OPT_DELAY:
			o->delay_ms = tool_int(t, "--delay", optarg, 0, 600000);
			break;
		case OPT_DEAD:
			l->dead[o->ndead++] = optarg;
			break;
		case OPT_DOWN:
			l->down[o->ndown++] = optarg;
			break;
		case OPT_NO_BLOCKS:
			l->noblocks[o->nnoblocks++] = optarg;
			break;
		case OPT_TTY:
			l->tty[o->ntty++] = optarg;
			break;
		case OPT_KEYS:
			o->keys = optarg;
			break;
		case OPT_STATE:
			o->state = optarg;
			break;
		case OPT_LOG:
			o->log = optarg;
			break;
		case OPT_READY:
			*ready = optarg;
			break;
		case OPT_SEED:
			o->seed = (uint64_t)tool_int(t, "--seed", optarg, 0,
			    2147483647);
			break;
		case OPT_CREDIT:
			o->credit = tool_amount(t, optarg);
			break;
		default:
			if (!chance(t, o, ch, optarg) &&
			    !tool_option(t, ch, optarg))
				tool_usage(t);
		}
	}
}

/* Serve until SIGINT or SIGTERM, saving the state every few seconds. */
static int
run(struct tool *t, ppsim *sim, const sigset_t *sigs, const char *ready,
    char *err, size_t errlen)
{
	const struct timespec every = { SAVE_EVERY, 0 };
	char why[PP_ERRMAX];
	struct stat sb;
	int sig, rc;

	if (ready && (rc = tool_ready(ready, NULL, err, errlen)) != PP_OK) {
		(void)ppsim_stop(sim, 0, NULL, 0);
		return rc;
	}
	for (;;) {
		sig = sigtimedwait(sigs, NULL, &every);
		if (sig == SIGINT || sig == SIGTERM)
			break;
		if (sig == -1 && errno == EAGAIN &&
		    ppsim_save(sim, why, sizeof(why)) != PP_OK)
			tool_warn(t, "--state %s", why);
	}
	rc = ppsim_stop(sim, 1, err, errlen);
	/* The file it wrote; a FIFO is the script's own. */
	if (ready && stat(ready, &sb) == 0 && S_ISREG(sb.st_mode))
		unlink(ready);
	return rc;
}

/*
 * The process is the tool's: the servers' threads inherit a mask that
 * blocks SIGINT and SIGTERM, and only this thread takes them.
 */
static int
serve(struct tool *t, const struct ppsim_opts *o, const char *ready,
    char *err, size_t errlen)
{
	const struct timespec none = { 0, 0 };
	sigset_t sigs, old;
	ppsim *sim;
	int rc;

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, &old);
	if ((rc = ppsim_start(o, &sim, err, errlen)) == PP_OK)
		rc = run(t, sim, &sigs, ready, err, errlen);
	/* A second signal during the shutdown must not kill us now. */
	while (sigtimedwait(&sigs, NULL, &none) > 0)
		;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

int
main(int argc, char **argv)
{
	/* Static: still reachable when an option error exits. */
	static struct lists l;
	struct ppsim_opts o;
	struct tool t;
	const char *ready = NULL;
	char err[PP_ERRMAX];
	int rc;

	tool_init(&t, "meter-sim", usage, argc, argv);
	memset(&o, 0, sizeof(o));
	o.speed = 1;
	o.seed = 1;
	o.notice = notice;
	o.warn = warning;
	o.arg = &t;
	l.dead = calloc((size_t)argc, sizeof(*l.dead));
	l.down = calloc((size_t)argc, sizeof(*l.down));
	l.noblocks = calloc((size_t)argc, sizeof(*l.noblocks));
	l.tty = calloc((size_t)argc, sizeof(*l.tty));
	if (l.dead == NULL || l.down == NULL || l.noblocks == NULL ||
	    l.tty == NULL)
		tool_die(&t, PP_EINTERNAL, "out of memory");
	options(&t, argc, argv, &o, &l, &ready);
	argc -= optind;
	argv += optind;
	if (argc != 1)
		tool_usage(&t);
	o.site = argv[0];
	o.dead = l.dead;
	o.down = l.down;
	o.noblocks = l.noblocks;
	o.tty = l.tty;
	/* A client that goes away is not a reason to die. */
	signal(SIGPIPE, SIG_IGN);
	rc = serve(&t, &o, ready, err, sizeof(err));
	free(l.dead);
	free(l.down);
	free(l.noblocks);
	free(l.tty);
	if (rc != PP_OK)
		tool_die(&t, rc, "%s", err);
	tool_exit(&t, PP_OK);
}
