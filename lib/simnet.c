/*
 * simnet.c: meter-sim's servers.  One thread a gateway puts the model of
 * sim.c on the wire with libmodbus: Modbus-TCP on a tcp:// gateway's
 * port, where any number of clients are served one exchange at a time,
 * and Modbus-RTU on a serial: gateway's device, where every unit of the
 * bus is ours.  Each exchange takes its bus time and may meet a fault.
 * A gateway of DL/T 645 meters is set up here and served by sim645.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "simnet.h"

#define SAVE_EVERY	3	/* seconds between saves of the state */
#define BYTE_WAIT_MS	100	/* the longest pause inside an RTU frame */
#define QUIET_MS	20	/* the silence that ends a bad RTU frame */

void
pp_simnet_warn(struct net *n, const char *fmt, ...)
{
	char msg[PP_ERRMAX];
	va_list ap;

	if (n->o->warn == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	n->o->warn(n->o->arg, msg);
}

double
pp_simnet_chance(struct server *sv)
{
	sv->rng ^= sv->rng >> 12;
	sv->rng ^= sv->rng << 25;
	sv->rng ^= sv->rng >> 27;
	return (double)((sv->rng * 0x2545F4914F6CDD1DULL) >> 11) /
	    9007199254740992.0;
}

void
pp_simnet_sleep(const struct timespec *from, double sec)
{
	struct timespec due = *from;
	long long ns = (long long)(sec * 1e9);

	due.tv_sec += (time_t)(ns / 1000000000);
	due.tv_nsec += (long)(ns % 1000000000);
	if (due.tv_nsec >= 1000000000) {
		due.tv_sec++;
		due.tv_nsec -= 1000000000;
	}
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &due, NULL) ==
	    EINTR)
		;
}

/* The Modbus CRC-16 of an RTU frame. */
static uint16_t
crc16(const uint8_t *p, size_t n)
{
	uint16_t crc = 0xFFFF;
	int i;

	while (n--) {
		crc ^= *p++;
		for (i = 0; i < 8; i++)
			crc = crc & 1 ? (crc >> 1) ^ 0xA001 : crc >> 1;
	}
	return crc;
}

static int
send_all(int fd, const uint8_t *b, size_t n, int tcp)
{
	struct pollfd pfd;
	ssize_t w;

	while (n > 0) {
		w = tcp ? send(fd, b, n, MSG_NOSIGNAL) : write(fd, b, n);
		if (w > 0) {
			b += w;
			n -= (size_t)w;
			continue;
		}
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			pfd.fd = fd;
			pfd.events = POLLOUT;
			if (poll(&pfd, 1, 1000) > 0)
				continue;
		}
		return -1;
	}
	return 0;
}

/*
 * The bus time of an exchange of a request and a reply of these RTU
 * sizes: 11 bits a character, a 3.5-character gap before each frame and
 * a turnaround of 1 ms; plus --delay.
 */
static double
bus_time(const struct pp_sim_opts *o, int request, int reply)
{
	double t = (double)o->delay_ms / 1000;

	if (o->baud > 0)
		t += ((double)(request + reply) * 11 + 2 * 3.5 * 11) /
		    (double)o->baud + 0.001;
	return t;
}

/*
 * Answer one request of len bytes: a whole ADU, the MBAP header or the
 * unit first, and on RTU the CRC last.  It arrived at rx; the answer goes
 * to fd.  Returns -1 when fd failed.
 */
static int
exchange(struct server *sv, const uint8_t *req, int len, int fd,
    const struct timespec *rx)
{
	const struct pp_sim_opts *o = sv->net->o;
	const int tcp = sv->g.tcp, off = modbus_get_header_length(sv->ctx);
	const int pdu = len - off - (tcp ? 0 : 2);
	const uint8_t *p = req + off;
	uint8_t rsp[MODBUS_MAX_ADU_LENGTH + 16];
	uint16_t data[125], regs[125];
	int unit = req[off - 1], fc, address = 0, count = 0, rc = 0, i;
	int lost = 0, nrsp;
	ssize_t got;

	if (pdu < 1)
		return 0;
	fc = p[0];
	if (fc == 3 || fc == 4 || fc == 6 || fc == 16) {
		if (pdu < 5)
			return 0;
		address = p[1] << 8 | p[2];
		count = p[3] << 8 | p[4];
	}
	if (fc == 6) {
		data[0] = (uint16_t)count;
		count = 1;
	} else if (fc == 16) {
		if (count < 1 || count > 123 || pdu < 6 || p[5] != 2 * count ||
		    pdu < 6 + p[5])
			rc = MODBUS_EXCEPTION_ILLEGAL_DATA_VALUE;
		else
			for (i = 0; i < count; i++)
				data[i] = (uint16_t)(p[6 + 2 * i] << 8 |
				    p[7 + 2 * i]);
	}
	if (!pp_sim_answers(sv->net->sim, sv->gw, unit)) {
		/* An RTU broadcast, or nobody there. */
		if (!tcp) {
			if (unit == 0 && rc == 0)
				(void)pp_sim_request(sv->net->sim, sv->gw, 0,
				    fc, address, count, data, regs);
			return 0;
		}
		rc = MODBUS_EXCEPTION_GATEWAY_TARGET;
	} else {
		/* Half of the drops lose the request, half the reply. */
		if (o->drop > 0 && pp_simnet_chance(sv) < o->drop) {
			if (pp_simnet_chance(sv) < 0.5)
				return 0;
			lost = 1;
		}
		if (rc == 0 && o->exception > 0 &&
		    pp_simnet_chance(sv) < o->exception)
			rc = MODBUS_EXCEPTION_SLAVE_OR_SERVER_BUSY;
		if (rc == 0)
			rc = pp_sim_request(sv->net->sim, sv->gw, unit, fc,
			    address, count, data, regs);
		if (rc == PP_SIM_SILENT) {
			if (!tcp)
				return 0;
			rc = MODBUS_EXCEPTION_GATEWAY_TARGET;
		}
	}

	/* libmodbus builds the reply into sp[1]; take it from sp[0]. */
	if (!tcp)
		modbus_set_slave(sv->ctx, unit);
	modbus_set_socket(sv->ctx, sv->sp[1]);
	if (rc == 0) {
		if (fc == 4) {
			sv->map->start_input_registers = address;
			sv->map->nb_input_registers = count;
			memcpy(sv->map->tab_input_registers, regs,
			    sizeof(regs[0]) * (size_t)count);
		} else {
			sv->map->start_registers = address;
			sv->map->nb_registers = count;
			if (fc == 3)
				memcpy(sv->map->tab_registers, regs,
				    sizeof(regs[0]) * (size_t)count);
		}
		modbus_reply(sv->ctx, req, len, sv->map);
	} else
		modbus_reply_exception(sv->ctx, req, (unsigned int)rc);
	nrsp = 0;
	while ((size_t)nrsp < sizeof(rsp) && (got = recv(sv->sp[0], rsp + nrsp,
	    sizeof(rsp) - (size_t)nrsp, MSG_DONTWAIT)) > 0)
		nrsp += (int)got;

	/* Each exchange takes its time on the bus; TCP as if it were RTU. */
	pp_simnet_sleep(rx, bus_time(o, tcp ? pdu + 3 : len,
	    nrsp == 0 ? 0 : tcp ? nrsp - off + 3 : nrsp));
	if (lost || nrsp == 0)
		return 0;
	if (!tcp && o->crc > 0 && pp_simnet_chance(sv) < o->crc)
		rsp[nrsp - 1] ^= 0x5A;
	return send_all(fd, rsp, (size_t)nrsp, tcp);
}

/* ---- Modbus-TCP -------------------------------------------------------- */

void
pp_simnet_drop(struct server *sv, int fd)
{
	int i;

	for (i = 0; i < sv->nclients; i++)
		if (sv->client[i].fd == fd) {
			close(fd);
			if (i != --sv->nclients)
				sv->client[i] = sv->client[sv->nclients];
			return;
		}
}

void
pp_simnet_accept(struct server *sv)
{
	int fd, one = 1;

	if ((fd = accept4(sv->lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) ==
	    -1)
		return;
	/* libmodbus waits on a socket with select(). */
	if (sv->nclients == MAXCLIENTS || fd >= FD_SETSIZE) {
		pp_simnet_warn(sv->net, "gateway %s: too many connections; "
		    "one refused", sv->g.name);
		close(fd);
		return;
	}
	/* Each write a segment of its own: --split makes pieces. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	sv->client[sv->nclients].fd = fd;
	sv->client[sv->nclients].nin = 0;
	sv->nclients++;
}

static void
serve_tcp(struct server *sv)
{
	struct pollfd pfd[2 + MAXCLIENTS];
	uint8_t req[MODBUS_TCP_MAX_ADU_LENGTH];
	struct timespec rx;
	int i, n, len;

	for (;;) {
		pfd[0].fd = sv->net->stop[0];
		pfd[1].fd = sv->lfd;
		for (i = 0; i < sv->nclients; i++)
			pfd[2 + i].fd = sv->client[i].fd;
		n = 2 + sv->nclients;
		for (i = 0; i < n; i++) {
			pfd[i].events = POLLIN;
			pfd[i].revents = 0;
		}
		if (poll(pfd, (nfds_t)n, -1) == -1) {
			if (errno != EINTR)
				return;
			continue;
		}
		if (pfd[0].revents)
			return;
		/* One request of each ready client, in turn: one bus. */
		for (i = 2; i < n; i++) {
			if (pfd[i].revents == 0)
				continue;
			modbus_set_socket(sv->ctx, pfd[i].fd);
			len = modbus_receive(sv->ctx, req);
			clock_gettime(CLOCK_MONOTONIC, &rx);
			if (len <= 0 ||
			    exchange(sv, req, len, pfd[i].fd, &rx) == -1)
				pp_simnet_drop(sv, pfd[i].fd);
		}
		if (pfd[1].revents & POLLIN)
			pp_simnet_accept(sv);
	}
}

/* ---- Modbus-RTU -------------------------------------------------------- */

/*
 * The length of the RTU request that starts the buffer: 0 while more
 * bytes are needed to tell, -1 for a function we cannot frame.  libmodbus
 * reads only its own unit's requests, and a bus here has many units.
 */
static int
rtu_length(const uint8_t *b, size_t n)
{
	if (n < 2)
		return 0;
	switch (b[1]) {
	case 1: case 2: case 3: case 4: case 5: case 6: case 8:
		return 8;
	case 7: case 11: case 12: case 17:
		return 4;
	case 15: case 16:
		return n < 7 ? 0 : 9 + b[6];
	case 22:
		return 10;
	case 23:
		return n < 11 ? 0 : 13 + b[10];
	default:
		return -1;
	}
}

/* A whole good frame at the start of the input: its length, 0, or -1. */
static int
rtu_frame(struct server *sv)
{
	int need = rtu_length(sv->in, sv->nin);
	uint16_t crc;

	if (need < 0)
		return -1;
	if (need == 0 || sv->nin < (size_t)need)
		return sv->nin == sizeof(sv->in) ? -1 : 0;
	crc = crc16(sv->in, (size_t)need - 2);
	if (sv->in[need - 2] != (crc & 0xFF) || sv->in[need - 1] != crc >> 8)
		return -1;
	return need;
}

/* After garbage, wait for the line to fall silent, as a slave does. */
static void
rtu_quiet(struct server *sv)
{
	struct pollfd pfd;
	uint8_t junk[256];
	int i;

	sv->nin = 0;
	pfd.fd = sv->tty;
	pfd.events = POLLIN;
	for (i = 0; i < 100 && poll(&pfd, 1, QUIET_MS) > 0; i++)
		if (read(sv->tty, junk, sizeof(junk)) <= 0)
			break;
}

int
pp_simnet_tty_wait(struct server *sv, int gap_ms, struct timespec *rx)
{
	struct pollfd pfd[2];
	ssize_t got;
	int rc;

	pfd[0].fd = sv->net->stop[0];
	pfd[1].fd = sv->tty;
	pfd[0].events = pfd[1].events = POLLIN;
	pfd[0].revents = pfd[1].revents = 0;
	rc = poll(pfd, 2, sv->nin ? gap_ms : -1);
	if (rc == -1)
		return errno == EINTR ? 0 : -1;
	if (pfd[0].revents)
		return -1;
	/* A frame cut short, or one too long to be any: start again. */
	if (rc == 0 || sv->nin == sizeof(sv->in)) {
		sv->nin = 0;
		return 0;
	}
	got = pp_link_read(sv->tty, sv->in + sv->nin, sizeof(sv->in) -
	    sv->nin, 0);
	if (got == -1) {
		/* A pty without its other end: wait for it. */
		if (!sv->warned++)
			pp_simnet_warn(sv->net, "gateway %s: %s: %s",
			    sv->g.name, sv->g.device, strerror(errno));
		return poll(pfd, 1, 200) > 0 ? -1 : 0;
	}
	if (got == 0)
		return 0;
	sv->warned = 0;
	sv->nin += (size_t)got;
	clock_gettime(CLOCK_MONOTONIC, rx);
	return 1;
}

static void
serve_rtu(struct server *sv)
{
	struct timespec rx;
	size_t len;
	int rc;

	while ((rc = pp_simnet_tty_wait(sv, BYTE_WAIT_MS, &rx)) >= 0) {
		if (rc == 0)
			continue;
		while ((rc = rtu_frame(sv)) > 0) {
			len = (size_t)rc;
			exchange(sv, sv->in, rc, sv->tty, &rx);
			memmove(sv->in, sv->in + len, sv->nin - len);
			sv->nin -= len;
		}
		if (rc < 0)
			rtu_quiet(sv);
	}
}

static void *
server_main(void *arg)
{
	struct server *sv = arg;

	if (sv->g.dlt645)
		pp_simnet_645_serve(sv);
	else if (sv->g.tcp)
		serve_tcp(sv);
	else
		serve_rtu(sv);
	return NULL;
}

/* ---- setting up and tearing down ------------------------------------- */

static int
open_server(struct net *n, struct server *sv, char *err, size_t errlen)
{
	struct pp_sim_gateway *g = &sv->g;
	int flags, rc;

	pp_sim_gateway(n->sim, sv->gw, g);
	sv->rng = (n->o->seed + 1) * 0x9E3779B97F4A7C15ULL ^
	    ((uint64_t)sv->gw + 1) * 0xBF58476D1CE4E5B9ULL;
	if (sv->rng == 0)
		sv->rng = 1;
	if (g->down)
		return PP_OK;
	if (!g->tcp && !g->tty && access(g->device, F_OK) != 0) {
		pp_simnet_warn(n, "gateway %s: %s: %s; not served (use "
		    "--tty %s=DEVICE)", g->name, g->device, strerror(errno),
		    g->name);
		sv->skipped = 1;
		return PP_OK;
	}
	if (g->dlt645) {
		if ((rc = pp_simnet_645_open(sv, err, errlen)) == PP_OK)
			sv->open = 1;
		return rc;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv->sp) == -1 ||
	    (sv->map = modbus_mapping_new(0, 0, 125, 125)) == NULL) {
		snprintf(err, errlen, "gateway %s: %s", g->name,
		    strerror(errno));
		return PP_EINTERNAL;
	}
	if (g->tcp) {
		if ((sv->ctx = modbus_new_tcp_pi(g->host[0] ? g->host : NULL,
		    g->port)) == NULL ||
		    (sv->lfd = modbus_tcp_pi_listen(sv->ctx, 16)) == -1) {
			snprintf(err, errlen, "gateway %s: listen on %s: %s",
			    g->name, g->address, modbus_strerror(errno));
			return PP_EUNREACH;
		}
		if ((flags = fcntl(sv->lfd, F_GETFL)) != -1)
			fcntl(sv->lfd, F_SETFL, flags | O_NONBLOCK);
		fcntl(sv->lfd, F_SETFD, FD_CLOEXEC);
	} else {
		if ((sv->ctx = modbus_new_rtu(g->device, (int)g->baud,
		    g->parity, g->data, g->stop)) == NULL ||
		    modbus_connect(sv->ctx) == -1) {
			snprintf(err, errlen, "gateway %s: %s: %s", g->name,
			    g->device, modbus_strerror(errno));
			return PP_EUNREACH;
		}
		sv->tty = modbus_get_socket(sv->ctx);
	}
	sv->open = 1;
	return PP_OK;
}

static void
close_server(struct server *sv)
{
	int i;

	for (i = 0; i < sv->nclients; i++)
		close(sv->client[i].fd);
	sv->nclients = 0;
	if (sv->lfd != -1)
		close(sv->lfd);
	if (sv->ctx) {
		if (sv->tty != -1) {
			modbus_set_socket(sv->ctx, sv->tty);
			modbus_close(sv->ctx);
		}
		modbus_free(sv->ctx);
	} else if (sv->tty != -1)
		close(sv->tty);
	if (sv->map)
		modbus_mapping_free(sv->map);
	for (i = 0; i < 2; i++)
		if (sv->sp[i] != -1)
			close(sv->sp[i]);
}

static void
notice(struct net *n, const struct server *sv)
{
	const struct pp_sim_gateway *g = &sv->g;
	char line[2048];
	const char *s = g->nmeters == 1 ? "" : "s";

	if (n->o->notice == NULL || sv->skipped)
		return;
	if (g->down)
		snprintf(line, sizeof(line), "%s %s %zu meter%s down", g->name,
		    g->address, g->nmeters, s);
	else if (g->tcp)
		snprintf(line, sizeof(line), "%s %s %zu meter%s %s",
		    g->name, g->address, g->nmeters, s, g->dlt645 ?
		    "dlt645-tcp" : "modbus-tcp");
	else
		snprintf(line, sizeof(line), "%s serial:%s %zu meter%s "
		    "%s %ld %d%c%d", g->name, g->device, g->nmeters, s,
		    g->dlt645 ? "dlt645" : "modbus-rtu", g->baud, g->data,
		    g->parity, g->stop);
	n->o->notice(n->o->arg, line);
}

/*
 * "Ready": the process ID, once every gateway listens.  A regular file is
 * written whole under another name and renamed, so a reader never sees
 * half of it; a FIFO is written straight, so that a script can block on
 * reading it instead of polling for a file.
 */
static int
write_ready(const char *path, char *err, size_t errlen)
{
	char tmp[1100], line[32];
	struct stat sb;
	FILE *fp;
	int bad, fd, n;

	if (stat(path, &sb) == 0 && S_ISFIFO(sb.st_mode)) {
		n = snprintf(line, sizeof(line), "%ld\n", (long)getpid());
		if ((fd = open(path, O_WRONLY)) == -1 ||
		    write(fd, line, (size_t)n) != n) {
			snprintf(err, errlen, "--ready %s: %s", path,
			    strerror(errno));
			if (fd != -1)
				close(fd);
			return PP_ENOINPUT;
		}
		close(fd);
		return PP_OK;
	}
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp) ||
	    (fp = fopen(tmp, "w")) == NULL) {
		snprintf(err, errlen, "--ready %s: %s", path, strerror(errno));
		return PP_ENOINPUT;
	}
	bad = fprintf(fp, "%ld\n", (long)getpid()) < 0;
	if (fclose(fp) != 0 || bad || rename(tmp, path) != 0) {
		snprintf(err, errlen, "--ready %s: %s", path, strerror(errno));
		unlink(tmp);
		return PP_ENOINPUT;
	}
	return PP_OK;
}

int
pp_sim_run(const struct pp_sim_opts *o, char *err, size_t errlen)
{
	const struct timespec every = { SAVE_EVERY, 0 }, none = { 0, 0 };
	struct stat sb;
	char why[PP_ERRMAX];
	struct net n;
	struct server *sv;
	sigset_t sigs, old;
	size_t i;
	int rc, sig, ready = 0;

	memset(&n, 0, sizeof(n));
	n.o = o;
	n.stop[0] = n.stop[1] = -1;
	if ((rc = pp_sim_open(&n.sim, o, err, errlen)) != PP_OK)
		return rc;
	/* The threads inherit the mask; only this one takes the signals. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, &old);
	n.nsrv = pp_sim_ngateways(n.sim);
	if (pipe2(n.stop, O_CLOEXEC) == -1 ||
	    (n.srv = calloc(n.nsrv + 1, sizeof(*n.srv))) == NULL) {
		snprintf(err, errlen, "%s", strerror(errno));
		rc = PP_EINTERNAL;
		goto out;
	}
	for (i = 0; i < n.nsrv; i++) {
		sv = &n.srv[i];
		sv->net = &n;
		sv->gw = i;
		sv->lfd = sv->tty = sv->sp[0] = sv->sp[1] = -1;
	}
	for (i = 0; i < n.nsrv; i++)
		if ((rc = open_server(&n, &n.srv[i], err, errlen)) != PP_OK)
			goto out;
	/* The state file can be written, before anyone relies on it. */
	if (o->state && (rc = pp_sim_save(n.sim, o->state, err, errlen)) !=
	    PP_OK)
		goto out;
	for (i = 0; i < n.nsrv; i++)
		notice(&n, &n.srv[i]);
	for (i = 0; i < n.nsrv; i++) {
		sv = &n.srv[i];
		if (!sv->open)
			continue;
		if ((rc = pthread_create(&sv->thread, NULL, server_main, sv)) !=
		    0) {
			snprintf(err, errlen, "gateway %s: %s", sv->g.name,
			    strerror(rc));
			rc = PP_EINTERNAL;
			goto out;
		}
		sv->serving = 1;
	}
	if (o->ready && (rc = write_ready(o->ready, err, errlen)) != PP_OK)
		goto out;
	ready = o->ready != NULL;
	for (;;) {
		sig = sigtimedwait(&sigs, NULL, &every);
		if (sig == SIGINT || sig == SIGTERM)
			break;
		if (sig == -1 && errno == EAGAIN && o->state &&
		    pp_sim_save(n.sim, o->state, why, sizeof(why)) != PP_OK)
			pp_simnet_warn(&n, "--state %s", why);
	}
	rc = PP_OK;
out:
	while (n.stop[1] != -1 && write(n.stop[1], "x", 1) == -1 &&
	    errno == EINTR)
		;
	for (i = 0; i < n.nsrv; i++)
		if (n.srv[i].serving)
			pthread_join(n.srv[i].thread, NULL);
	if (rc == PP_OK && o->state &&
	    (rc = pp_sim_save(n.sim, o->state, err, errlen)) != PP_OK)
		rc = PP_EINTERNAL;
	for (i = 0; n.srv && i < n.nsrv; i++)
		close_server(&n.srv[i]);
	free(n.srv);
	/* The file it wrote; a FIFO is the script's own. */
	if (ready && stat(o->ready, &sb) == 0 && S_ISREG(sb.st_mode))
		unlink(o->ready);
	for (i = 0; i < 2; i++)
		if (n.stop[i] != -1)
			close(n.stop[i]);
	pp_sim_close(n.sim);
	/* A second signal during the shutdown must not kill us now. */
	while (sigtimedwait(&sigs, NULL, &none) > 0)
		;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}
