/*
 * simnet.h: meter-sim's transport (simnet.c), what its servers share:
 * a server a gateway with its sockets or serial device and clients, the
 * bus's clock and chance, and the warnings.  The Modbus server
 * (simmodbus.c) and the DL/T 645 one (sim645.c) use it; it uses neither,
 * and serve.c starts them by their struct ppsim__proto.
 */
#ifndef PPSIM_SIMNET_H
#define PPSIM_SIMNET_H

#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include <modbus.h>

#include "dlt645.h"
#include "sim.h"

#define PPSIM_MAXCLIENTS	64	/* TCP connections a gateway takes */

struct ppsim__net;
struct ppsim__server;

/* A protocol's server, as serve.c starts one a gateway. */
struct ppsim__proto {
	/* Listen on the gateway's port, or open its device. */
	int	(*open)(struct ppsim__server *sv, char *err, size_t errlen);
	/* Serve until the net's stop. */
	void	(*serve_tcp)(struct ppsim__server *sv);
	void	(*serve_tty)(struct ppsim__server *sv);
	/* Free what open made beyond the transport's; NULL: nothing. */
	void	(*close)(struct ppsim__server *sv);
};

extern const struct ppsim__proto ppsim__modbus;	/* simmodbus.c */
extern const struct ppsim__proto ppsim__dlt645;	/* sim645.c */

struct ppsim__client {
	int		 fd;
	/* DL/T 645: the bytes of a frame so far, and when the last came. */
	uint8_t		 in[2 * PP_645_FRAMEMAX];
	size_t		 nin;
	int64_t		 last_ms;
};

struct ppsim__server {
	struct ppsim__net *net;
	size_t		 gw;
	struct ppsim__gateway g;
	const struct ppsim__proto *proto;
	int		 skipped;	/* a serial device that is not there */
	int		 open;		/* listening, or the device is open */
	modbus_t	*ctx;		/* Modbus only */
	modbus_mapping_t *map;
	int		 lfd;		/* TCP: the listening socket */
	int		 tty;		/* serial: the device */
	int		 sp[2];		/* Modbus: replies are built in sp[1] */
	struct ppsim__client client[PPSIM_MAXCLIENTS];
	int		 nclients;
	uint8_t		 in[600];	/* serial: bytes received */
	size_t		 nin;
	uint64_t	 rng;
	int		 serving;	/* its thread runs */
	pthread_t	 thread;
	int		 warned;
};

struct ppsim__net {
	const struct ppsim_opts *o;
	ppsim__model	*sim;
	struct ppsim__server *srv;
	size_t		 nsrv;
	int		 stop[2];	/* readable: every thread stops */
};

/*
 * Wait for bytes on a serial gateway's device, into sv->in: 1 when some
 * came (at *rx), 0 when none did or a gap of gap_ms cut a frame short,
 * -1 when the server must stop.
 */
int	 ppsim__net_tty_wait(struct ppsim__server *sv, int gap_ms,
	    struct timespec *rx);
void	 ppsim__net_warn(struct ppsim__net *n, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* A number in [0, 1), from the gateway's own generator (the seed's). */
double	 ppsim__net_chance(struct ppsim__server *sv);
/* Sleep until due (CLOCK_MONOTONIC) plus sec. */
void	 ppsim__net_sleep(const struct timespec *due, double sec);
/* Take a client on a TCP gateway's listening socket; drop one. */
void	 ppsim__net_accept(struct ppsim__server *sv);
void	 ppsim__net_drop(struct ppsim__server *sv, int fd);
/* Write all n bytes to fd, a socket (tcp) or a device; -1 broken. */
int	 ppsim__net_send(int fd, const uint8_t *b, size_t n, int tcp);
/* Close the clients, the listening socket and a device opened raw. */
void	 ppsim__net_close(struct ppsim__server *sv);

#endif /* PPSIM_SIMNET_H */
