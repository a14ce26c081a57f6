/*
 * sim645.c: meter-sim's DL/T 645 servers.  A gateway whose meters speak
 * DL/T 645-2007 is a bus of raw frames: on a serial device (often one end
 * of a pty pair), or on a TCP port, as a transparent TCP-to-RS485
 * converter passes them: no header, and in whatever pieces TCP makes.
 * The model (sim.c) answers each request; here the answer takes its time
 * on the bus and meets its faults: lost, refused, a bad checksum, line
 * noise before it, or written in pieces.
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "simnet.h"

#define REPLY_DELAY	0.020	/* s; the standard allows 20 to 500 ms */
#define BYTE_GAP_MS	500	/* the longest pause inside a frame */
#define NOISE_MAX	8	/* bytes of line noise before a reply */
#define PIECE_GAP_MIN	0.050	/* s between the pieces of a split reply, */
#define PIECE_GAP_MAX	0.300	/* kept below the byte gap */

/*
 * The time from a request's end to its reply: the meter's delay, --delay,
 * and with --baud both frames at 11 bits a byte (8 data, parity, start
 * and stop), as on RTU.
 */
static double
bus_time(const struct ppsim_opts *o, size_t request, size_t reply)
{
	double t = REPLY_DELAY + (double)o->delay_ms / 1000;

	if (o->baud > 0)
		t += (double)(request + reply) * 11 / (double)o->baud;
	return t;
}

/* The reply as it goes on the line: noise, 4 FE, the frame; its bytes. */
static size_t
wire(struct ppsim__server *sv, const struct pp__645_frame *rep, uint8_t *out,
    size_t cap)
{
	const struct ppsim_opts *o = sv->net->o;
	size_t k = 0, n = 0;
	int noise = 0;
	uint8_t b;

	if (o->garbage > 0 && ppsim__net_chance(sv) < o->garbage)
		noise = 1 + (int)(ppsim__net_chance(sv) * NOISE_MAX);
	while (noise-- > 0) {
		/* Noise, not a frame's start: a 68 would be both. */
		do
			b = (uint8_t)(ppsim__net_chance(sv) * 256);
		while (b == 0x68);
		out[k++] = b;
	}
	if (pp__645_encode(rep, PP_645_PREAMBLE, out + k, cap - k, &n) !=
	    PP_OK)
		return 0;
	k += n;
	/* The checksum is the byte before the closing 16. */
	if (o->crc > 0 && ppsim__net_chance(sv) < o->crc)
		out[k - 2] ^= 0x5A;
	return k;
}

/* Write the reply, in 2 or 3 pieces with gaps for --split; -1 broken. */
static int
put(struct ppsim__server *sv, int fd, const uint8_t *b, size_t n)
{
	const struct ppsim_opts *o = sv->net->o;
	struct timespec now;
	size_t pieces = 1, len;

	if (o->split > 0 && ppsim__net_chance(sv) < o->split)
		pieces = ppsim__net_chance(sv) < 0.5 ? 2 : 3;
	while (pieces > 1) {
		/* At least a byte in this piece and in each one left. */
		len = 1 + (size_t)(ppsim__net_chance(sv) *
		    (double)(n - pieces));
		if (pp__link_write(fd, b, len, 1000) == -1)
			return -1;
		b += len;
		n -= len;
		pieces--;
		clock_gettime(CLOCK_MONOTONIC, &now);
		ppsim__net_sleep(&now, PIECE_GAP_MIN + ppsim__net_chance(sv) *
		    (PIECE_GAP_MAX - PIECE_GAP_MIN));
	}
	return pp__link_write(fd, b, n, 1000);
}

/*
 * Answer one request of reqlen bytes on the line, which ended at rx; the
 * answer goes to fd.  Returns -1 when fd failed.
 */
static int
exchange(struct ppsim__server *sv, const struct pp__645_frame *req,
    size_t reqlen, int fd, const struct timespec *rx)
{
	const struct ppsim_opts *o = sv->net->o;
	ppsim__model *sim = sv->net->sim;
	struct pp__645_frame rep;
	uint8_t out[NOISE_MAX + PP_645_FRAMEMAX];
	int lost = 0, refuse = 0;
	size_t n;

	if (!ppsim__model_645_answers(sim, sv->gw, req)) {
		/* Nobody answers; a broadcast time sync still counts. */
		(void)ppsim__model_645(sim, sv->gw, req, 0, &rep);
		return 0;
	}
	/* Half of the drops lose the request, half the reply. */
	if (o->drop > 0 && ppsim__net_chance(sv) < o->drop) {
		if (ppsim__net_chance(sv) < 0.5)
			return 0;
		lost = 1;
	}
	if (o->exception > 0 && ppsim__net_chance(sv) < o->exception)
		refuse = PP_645_ERR_OTHER;
	if (ppsim__model_645(sim, sv->gw, req, refuse, &rep) == PPSIM_SILENT)
		return 0;
	n = wire(sv, &rep, out, sizeof(out));
	ppsim__net_sleep(rx, bus_time(o, reqlen, n));
	if (lost || n == 0)
		return 0;
	return put(sv, fd, out, n);
}

/*
 * Answer every whole frame in buf[0..*n), and keep what may start the
 * next one.  A frame with a bad checksum is dropped unanswered, as a
 * meter does.  Returns -1 when fd failed.
 */
static int
frames(struct ppsim__server *sv, uint8_t *buf, size_t *n, int fd,
    const struct timespec *rx)
{
	struct pp__645_frame req;
	size_t used;
	int rc;

	for (;;) {
		rc = pp__645_decode(buf, *n, &req, &used, NULL, 0);
		memmove(buf, buf + used, *n - used);
		*n -= used;
		if (rc == PP_645_MORE)
			return 0;
		if (rc == PP_OK && exchange(sv, &req, used, fd, rx) == -1)
			return -1;
	}
}

/* ---- a serial device -------------------------------------------------- */

static void
serve_tty(struct ppsim__server *sv)
{
	struct timespec rx;
	int rc;

	while ((rc = ppsim__net_tty_wait(sv, BYTE_GAP_MS, &rx)) >= 0)
		if (rc > 0)
			(void)frames(sv, sv->in, &sv->nin, sv->tty, &rx);
}

/* ---- a transparent TCP converter ------------------------------------- */

static void
serve_tcp(struct ppsim__server *sv)
{
	struct pollfd pfd[2 + PPSIM_MAXCLIENTS];
	struct ppsim__client *c;
	struct timespec rx;
	ssize_t got;
	int64_t now;
	int i, n, wait;

	for (;;) {
		pfd[0].fd = sv->net->stop[0];
		pfd[1].fd = sv->lfd;
		wait = -1;
		for (i = 0; i < sv->nclients; i++) {
			pfd[2 + i].fd = sv->client[i].fd;
			if (sv->client[i].nin > 0)
				wait = BYTE_GAP_MS;
		}
		n = 2 + sv->nclients;
		for (i = 0; i < n; i++) {
			pfd[i].events = POLLIN;
			pfd[i].revents = 0;
		}
		if (poll(pfd, (nfds_t)n, wait) == -1) {
			if (errno != EINTR)
				return;
			continue;
		}
		if (pfd[0].revents)
			return;
		now = pp__link_now_ms();
		/*
		 * One bus: the clients in turn.  From the last, so that a
		 * client dropped (the last moved into its place) is not
		 * mistaken for one still to serve.
		 */
		for (i = n - 1; i >= 2; i--) {
			c = &sv->client[i - 2];
			if (pfd[i].revents == 0) {
				if (c->nin > 0 && now - c->last_ms >=
				    BYTE_GAP_MS)
					c->nin = 0;	/* a frame cut short */
				continue;
			}
			got = pp__link_read(c->fd, c->in + c->nin,
			    sizeof(c->in) - c->nin, 0);
			if (got == 0)
				continue;
			clock_gettime(CLOCK_MONOTONIC, &rx);
			if (got > 0) {
				c->nin += (size_t)got;
				c->last_ms = now;
			}
			if (got == -1 ||
			    frames(sv, c->in, &c->nin, c->fd, &rx) == -1)
				ppsim__net_drop(sv, c->fd);
		}
		if (pfd[1].revents & POLLIN)
			ppsim__net_accept(sv);
	}
}

/* ---- setting up ------------------------------------------------------- */

static int
listen_on(struct ppsim__server *sv, char *err, size_t errlen)
{
	const struct ppsim__gateway *g = &sv->g;
	struct addrinfo hints, *res, *ai;
	int rc, one = 1, e = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	if ((rc = getaddrinfo(g->host, g->port, &hints, &res)) != 0) {
		snprintf(err, errlen, "gateway %s: listen on %s: %s", g->name,
		    g->address, gai_strerror(rc));
		return PP_EUNREACH;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		sv->lfd = socket(ai->ai_family, ai->ai_socktype |
		    SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
		if (sv->lfd == -1) {
			e = errno;
			continue;
		}
		/* A restart must not wait for the last run's TIME_WAIT. */
		setsockopt(sv->lfd, SOL_SOCKET, SO_REUSEADDR, &one,
		    sizeof(one));
		if (bind(sv->lfd, ai->ai_addr, ai->ai_addrlen) == 0 &&
		    listen(sv->lfd, 16) == 0)
			break;
		e = errno;
		close(sv->lfd);
		sv->lfd = -1;
	}
	freeaddrinfo(res);
	if (sv->lfd == -1) {
		snprintf(err, errlen, "gateway %s: listen on %s: %s", g->name,
		    g->address, strerror(e));
		return PP_EUNREACH;
	}
	return PP_OK;
}

static int
open_645(struct ppsim__server *sv, char *err, size_t errlen)
{
	const struct ppsim__gateway *g = &sv->g;
	struct pp__link_addr a;
	char why[PP_ERRMAX];

	if (g->tcp)
		return listen_on(sv, err, errlen);
	memset(&a, 0, sizeof(a));
	if (strlen(g->device) >= sizeof(a.device)) {
		snprintf(err, errlen, "gateway %s: %s: name too long", g->name,
		    g->device);
		return PP_EUNREACH;
	}
	snprintf(a.device, sizeof(a.device), "%s", g->device);
	a.baud = g->baud;
	a.parity = g->parity;
	a.data = g->data;
	a.stop = g->stop;
	if ((sv->tty = pp__link_serial_open(&a, why, sizeof(why))) == -1) {
		snprintf(err, errlen, "gateway %s: %s", g->name, why);
		return PP_EUNREACH;
	}
	return PP_OK;
}

const struct ppsim__proto ppsim__dlt645 = {
	open_645, serve_tcp, serve_tty, NULL
};
