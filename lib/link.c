/*
 * link.c: the byte link to a gateway, for the drivers that frame their
 * own bytes (DL/T 645) and for meter-sim: a gateway's address, a serial
 * port set up with termios, a TCP connection to a transparent converter,
 * and reads that keep to a deadline and a byte gap.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

static int
fail(char *err, size_t errlen, const char *a, const char *why)
{
	snprintf(err, errlen, "\"%s\": %s", pp_q(a), why);
	return PP_EDATA;
}

/* The option value at q up to & or the end, as a long within [min, max]. */
static int
option_long(const char *q, long min, long max, long *v)
{
	char *end;

	errno = 0;
	*v = strtol(q, &end, 10);
	return end != q && (*end == '\0' || *end == '&') && errno == 0 &&
	    *v >= min && *v <= max ? 0 : -1;
}

int
pp__link_addr_parse(const char *a, struct pp__link_addr *out, char *err,
    size_t errlen)
{
	static const char serial_why[] = "serial options are baud=300..921600, "
	    "parity=N|E|O, data=7|8 and stop=1|2";
	const char *host, *colon, *q;
	long v;
	size_t n;

	memset(out, 0, sizeof(*out));
	if (strncmp(a, "tcp://", 6) == 0) {
		host = a + 6;
		if ((colon = strrchr(host, ':')) == NULL || colon == host ||
		    option_long(colon + 1, 1, 65535, &v) != 0 ||
		    strchr(colon + 1, '&') != NULL)
			return fail(err, errlen, a, "use tcp://HOST:PORT with a "
			    "port of 1..65535");
		n = (size_t)(colon - host);
		if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
			host++;
			n -= 2;
		}
		if (n == 0 || n >= sizeof(out->host))
			return fail(err, errlen, a, "the host is empty or too "
			    "long");
		memcpy(out->host, host, n);
		snprintf(out->port, sizeof(out->port), "%ld", v);
		out->tcp = 1;
		return PP_OK;
	}
	if (strncmp(a, "serial:/", 8) != 0)
		return fail(err, errlen, a, "use tcp://HOST:PORT or "
		    "serial:/dev/ttyX?baud=9600&parity=E");
	n = strcspn(a + 7, "?");
	if (n >= sizeof(out->device))
		return fail(err, errlen, a, "the device name is too long");
	memcpy(out->device, a + 7, n);
	if ((q = strchr(a, '?')) == NULL)
		return PP_OK;
	for (q++; *q; q += strcspn(q, "&"), q += *q == '&') {
		if (strncmp(q, "baud=", 5) == 0) {
			if (option_long(q + 5, 300, 921600, &v) != 0)
				return fail(err, errlen, a, serial_why);
			out->baud = v;
		} else if (strncmp(q, "parity=", 7) == 0) {
			if (q[7] == '\0' || strchr("NEO", q[7]) == NULL ||
			    (q[8] && q[8] != '&'))
				return fail(err, errlen, a, serial_why);
			out->parity = q[7];
		} else if (strncmp(q, "data=", 5) == 0) {
			if (option_long(q + 5, 7, 8, &v) != 0)
				return fail(err, errlen, a, serial_why);
			out->data = (int)v;
		} else if (strncmp(q, "stop=", 5) == 0) {
			if (option_long(q + 5, 1, 2, &v) != 0)
				return fail(err, errlen, a, serial_why);
			out->stop = (int)v;
		} else
			return fail(err, errlen, a, serial_why);
	}
	return PP_OK;
}

void
pp__link_addr_defaults(struct pp__link_addr *a, long baud, char parity,
    int data, int stop)
{
	if (a->baud == 0)
		a->baud = baud;
	if (a->parity == 0)
		a->parity = parity;
	if (a->data == 0)
		a->data = data;
	if (a->stop == 0)
		a->stop = stop;
}

static speed_t
speed_of(long baud)
{
	static const struct {
		long	baud;
		speed_t	speed;
	} speeds[] = {
		{ 300, B300 }, { 600, B600 }, { 1200, B1200 },
		{ 2400, B2400 }, { 4800, B4800 }, { 9600, B9600 },
		{ 19200, B19200 }, { 38400, B38400 }, { 57600, B57600 },
		{ 115200, B115200 }, { 230400, B230400 }, { 460800, B460800 },
		{ 921600, B921600 },
	};
	size_t i;

	for (i = 0; i < sizeof(speeds) / sizeof(speeds[0]); i++)
		if (speeds[i].baud == baud)
			return speeds[i].speed;
	return B0;
}

/*
 * A pty has no parity and drops PARENB; when that was all a tcsetattr
 * would change (one end of a socat pty pair, opened a second time),
 * glibc reports EINVAL.  The line is then as asked in every other way.
 */
static int
only_parity_dropped(int fd, const struct termios *want)
{
	const tcflag_t parity = PARENB | PARODD;
	struct termios got;

	if (errno != EINVAL || tcgetattr(fd, &got) == -1)
		return 0;
	return (got.c_cflag & ~parity) == (want->c_cflag & ~parity) &&
	    got.c_iflag == want->c_iflag && got.c_oflag == want->c_oflag &&
	    got.c_lflag == want->c_lflag &&
	    cfgetispeed(&got) == cfgetispeed(want) &&
	    cfgetospeed(&got) == cfgetospeed(want);
}

int
pp__link_serial_open(const struct pp__link_addr *a, char *err, size_t errlen)
{
	struct termios tio;
	speed_t speed = speed_of(a->baud);
	int fd;

	if (speed == B0) {
		snprintf(err, errlen, "%s: %ld baud is not a standard rate",
		    a->device, a->baud);
		return -1;
	}
	if ((fd = open(a->device, O_RDWR | O_NOCTTY | O_NONBLOCK |
	    O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "%s: %s", a->device, strerror(errno));
		return -1;
	}
	if (tcgetattr(fd, &tio) == -1) {
		snprintf(err, errlen, "%s: not a serial port: %s", a->device,
		    strerror(errno));
		close(fd);
		return -1;
	}
	cfmakeraw(&tio);
	tio.c_cflag &= ~(CSIZE | PARENB | PARODD | CSTOPB | CRTSCTS);
	tio.c_cflag |= CLOCAL | CREAD | (a->data == 7 ? CS7 : CS8);
	if (a->parity == 'E')
		tio.c_cflag |= PARENB;
	else if (a->parity == 'O')
		tio.c_cflag |= PARENB | PARODD;
	if (a->stop == 2)
		tio.c_cflag |= CSTOPB;
	tio.c_cc[VMIN] = 0;
	tio.c_cc[VTIME] = 0;
	cfsetispeed(&tio, speed);
	cfsetospeed(&tio, speed);
	if (tcsetattr(fd, TCSANOW, &tio) == -1 &&
	    !only_parity_dropped(fd, &tio)) {
		snprintf(err, errlen, "%s: %s", a->device, strerror(errno));
		close(fd);
		return -1;
	}
	tcflush(fd, TCIOFLUSH);
	return fd;
}

/* A non-blocking connect that gives up after ms. */
int
pp__link_tcp_open(const struct pp__link_addr *a, int ms, char *err,
    size_t errlen)
{
	struct addrinfo hints, *res, *ai;
	struct pollfd pfd;
	socklen_t len;
	int fd = -1, rc, soerr;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(a->host, a->port, &hints, &res)) != 0) {
		snprintf(err, errlen, "%s: %s", a->host, gai_strerror(rc));
		return -1;
	}
	snprintf(err, errlen, "%s:%s: no address", a->host, a->port);
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, ai->ai_protocol);
		if (fd == -1)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		if (errno == EINPROGRESS) {
			pfd.fd = fd;
			pfd.events = POLLOUT;
			soerr = ETIMEDOUT;
			len = sizeof(soerr);
			if (poll(&pfd, 1, ms) == 1)
				getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr,
				    &len);
			if (soerr == 0)
				break;
			errno = soerr;
		}
		snprintf(err, errlen, "%s:%s: %s", a->host, a->port,
		    strerror(errno));
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

int64_t
pp__link_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
pp__link_write(int fd, const uint8_t *b, size_t n, int ms)
{
	int64_t deadline = pp__link_now_ms() + ms;
	struct pollfd pfd;
	ssize_t w;

	while (n > 0) {
		w = write(fd, b, n);
		if (w > 0) {
			b += w;
			n -= (size_t)w;
			continue;
		}
		if (w == -1 && errno != EAGAIN && errno != EINTR)
			return -1;
		pfd.fd = fd;
		pfd.events = POLLOUT;
		if (pp__link_now_ms() >= deadline ||
		    poll(&pfd, 1, (int)(deadline - pp__link_now_ms())) == -1) {
			errno = ETIMEDOUT;
			return -1;
		}
	}
	return 0;
}

ssize_t
pp__link_read(int fd, uint8_t *b, size_t cap, int ms)
{
	struct pollfd pfd;
	ssize_t r;
	int rc;

	pfd.fd = fd;
	pfd.events = POLLIN;
	do
		rc = poll(&pfd, 1, ms < 0 ? 0 : ms);
	while (rc == -1 && errno == EINTR);
	if (rc == -1)
		return -1;
	if (rc == 0)
		return 0;
	do
		r = read(fd, b, cap);
	while (r == -1 && errno == EINTR);
	if (r == 0) {
		/* The peer hung up: no more bytes will ever come. */
		errno = ECONNRESET;
		return -1;
	}
	if (r == -1 && errno == EAGAIN)
		return 0;
	return r;
}

void
pp__link_drain(int fd)
{
	uint8_t junk[256];

	while (pp__link_read(fd, junk, sizeof(junk), 0) > 0)
		;
}
