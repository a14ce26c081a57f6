/*
 * simmodbus.c: meter-sim's Modbus server.  One thread a gateway puts the
 * model of sim.c on the wire with libmodbus: Modbus-TCP on a tcp://
 * gateway's port, where any number of clients are served one exchange at
 * a time, and Modbus-RTU on a serial: gateway's device, where every unit
 * of the bus is ours.  Each exchange takes its bus time and may meet a
 * fault.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "simnet.h"

#define BYTE_WAIT_MS	100	/* the longest pause inside an RTU frame */
#define QUIET_MS	20	/* the silence that ends a bad RTU frame */

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

/*
 * The bus time of an exchange of a request and a reply of these RTU
 * sizes: 11 bits a character, a 3.5-character gap before each frame and
 * a turnaround of 1 ms; plus --delay.
 */
static double
bus_time(const struct ppsim_opts *o, int request, int reply)
{
	double t = (double)o->delay_ms / 1000;

	if (o->baud > 0)
		t += ((double)(request + reply) * 11 + 2 * 3.5 * 11) /
		    (double)o->baud + 0.001;
	return t;
}

/*
 * The reply to req, rc's exception or else the registers read: libmodbus
 * builds it into sp[1], and it is taken from sp[0] into rsp.  Its length.
 */
static int
reply(struct ppsim__server *sv, const uint8_t *req, int len, int unit, int rc,
    int fc, int address, int count, const uint16_t *regs, uint8_t *rsp,
    size_t cap)
{
	ssize_t got;
	int nrsp;

	if (!sv->g.tcp)
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
	while ((size_t)nrsp < cap && (got = recv(sv->sp[0], rsp + nrsp,
	    cap - (size_t)nrsp, MSG_DONTWAIT)) > 0)
		nrsp += (int)got;
	return nrsp;
}

/*
 * Answer one request of len bytes: a whole ADU, the MBAP header or the
 * unit first, and on RTU the CRC last.  It arrived at rx; the answer goes
 * to fd.  Returns -1 when fd failed.
 */
static int
exchange(struct ppsim__server *sv, const uint8_t *req, int len, int fd,
    const struct timespec *rx)
{
	const struct ppsim_opts *o = sv->net->o;
	const int tcp = sv->g.tcp, off = modbus_get_header_length(sv->ctx);
	const int pdu = len - off - (tcp ? 0 : 2);
	const uint8_t *p = req + off;
	uint8_t rsp[MODBUS_MAX_ADU_LENGTH + 16];
	uint16_t data[125], regs[125];
	int unit = req[off - 1], fc, address = 0, count = 0, rc = 0, i;
	int lost = 0, nrsp;

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
	if (!ppsim__model_answers(sv->net->sim, sv->gw, unit)) {
		/* An RTU broadcast, or nobody there. */
		if (!tcp) {
			if (unit == 0 && rc == 0)
				(void)ppsim__model_request(sv->net->sim,
				    sv->gw, 0, fc, address, count, data, regs);
			return 0;
		}
		rc = MODBUS_EXCEPTION_GATEWAY_TARGET;
	} else {
		/* Half of the drops lose the request, half the reply. */
		if (o->drop > 0 && ppsim__net_chance(sv) < o->drop) {
			if (ppsim__net_chance(sv) < 0.5)
				return 0;
			lost = 1;
		}
		if (rc == 0 && o->exception > 0 &&
		    ppsim__net_chance(sv) < o->exception)
			rc = MODBUS_EXCEPTION_SLAVE_OR_SERVER_BUSY;
		if (rc == 0)
			rc = ppsim__model_request(sv->net->sim, sv->gw, unit,
			    fc, address, count, data, regs);
		if (rc == PPSIM_SILENT) {
			if (!tcp)
				return 0;
			rc = MODBUS_EXCEPTION_GATEWAY_TARGET;
		}
	}

	nrsp = reply(sv, req, len, unit, rc, fc, address, count, regs, rsp,
	    sizeof(rsp));

	/* Each exchange takes its time on the bus; TCP as if it were RTU. */
	ppsim__net_sleep(rx, bus_time(o, tcp ? pdu + 3 : len,
	    nrsp == 0 ? 0 : tcp ? nrsp - off + 3 : nrsp));
	if (lost || nrsp == 0)
		return 0;
	if (!tcp && o->crc > 0 && ppsim__net_chance(sv) < o->crc)
		rsp[nrsp - 1] ^= 0x5A;
	return ppsim__net_send(fd, rsp, (size_t)nrsp, tcp);
}

/* ---- Modbus-TCP -------------------------------------------------------- */

static void
serve_tcp(struct ppsim__server *sv)
{
	struct pollfd pfd[2 + PPSIM_MAXCLIENTS];
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
				ppsim__net_drop(sv, pfd[i].fd);
		}
		if (pfd[1].revents & POLLIN)
			ppsim__net_accept(sv);
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
rtu_frame(struct ppsim__server *sv)
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
rtu_quiet(struct ppsim__server *sv)
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

static void
serve_rtu(struct ppsim__server *sv)
{
	struct timespec rx;
	size_t len;
	int rc;

	while ((rc = ppsim__net_tty_wait(sv, BYTE_WAIT_MS, &rx)) >= 0) {
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


/* ---- setting up and tearing down ------------------------------------- */

static int
open_modbus(struct ppsim__server *sv, char *err, size_t errlen)
{
	const struct ppsim__gateway *g = &sv->g;
	int flags;

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
	return PP_OK;
}

static void
close_modbus(struct ppsim__server *sv)
{
	int i;

	if (sv->ctx) {
		if (sv->tty != -1) {
			modbus_set_socket(sv->ctx, sv->tty);
			modbus_close(sv->ctx);
		}
		modbus_free(sv->ctx);
		sv->ctx = NULL;
		sv->tty = -1;
	}
	if (sv->map)
		modbus_mapping_free(sv->map);
	sv->map = NULL;
	for (i = 0; i < 2; i++)
		if (sv->sp[i] != -1)
			close(sv->sp[i]);
}

const struct ppsim__proto ppsim__modbus = {
	open_modbus, serve_tcp, serve_rtu, close_modbus
};
