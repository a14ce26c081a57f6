/*
 * simnet.c: meter-sim's transport.  A server a gateway: its listening
 * socket and clients, or its serial device; the bus's clock and chance
 * (a generator a gateway, from the seed); the warnings.  The Modbus and
 * DL/T 645 servers use it, and it knows neither.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "codec.h"
#include "simnet.h"

void
ppsim__net_warn(struct ppsim__net *n, const char *fmt, ...)
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
ppsim__net_chance(struct ppsim__server *sv)
{
	sv->rng ^= sv->rng >> 12;
	sv->rng ^= sv->rng << 25;
	sv->rng ^= sv->rng >> 27;
	return (double)((sv->rng * 0x2545F4914F6CDD1DULL) >> 11) /
	    9007199254740992.0;
}

void
ppsim__net_sleep(const struct timespec *from, double sec)
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

int
ppsim__net_send(int fd, const uint8_t *b, size_t n, int tcp)
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

void
ppsim__net_drop(struct ppsim__server *sv, int fd)
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
ppsim__net_accept(struct ppsim__server *sv)
{
	int fd, one = 1;

	if ((fd = accept4(sv->lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) ==
	    -1)
		return;
	/* libmodbus waits on a socket with select(). */
	if (sv->nclients == PPSIM_MAXCLIENTS || fd >= FD_SETSIZE) {
		ppsim__net_warn(sv->net, "gateway %s: too many connections; "
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

int
ppsim__net_tty_wait(struct ppsim__server *sv, int gap_ms, struct timespec *rx)
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
	got = pp__link_read(sv->tty, sv->in + sv->nin, sizeof(sv->in) -
	    sv->nin, 0);
	if (got == -1) {
		/* A pty without its other end: wait for it. */
		if (!sv->warned++)
			ppsim__net_warn(sv->net, "gateway %s: %s: %s",
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

void
ppsim__net_close(struct ppsim__server *sv)
{
	int i;

	for (i = 0; i < sv->nclients; i++)
		close(sv->client[i].fd);
	sv->nclients = 0;
	if (sv->lfd != -1)
		close(sv->lfd);
	sv->lfd = -1;
	/* A Modbus server's device is libmodbus's to close. */
	if (sv->ctx == NULL && sv->tty != -1)
		close(sv->tty);
}
