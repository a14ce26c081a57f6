/*
 * simnet.h: what meter-sim's servers share, and nothing else sees:
 * simnet.c sets every gateway up and serves the Modbus ones, sim645.c
 * serves the DL/T 645 ones.
 */
#ifndef PP_SIMNET_H
#define PP_SIMNET_H

#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include <modbus.h>

#include "dlt645.h"
#include "internal.h"
#include "sim.h"

#define MAXCLIENTS	64	/* TCP connections a gateway takes */

struct net;

struct client {
	int		 fd;
	/* DL/T 645: the bytes of a frame so far, and when the last came. */
	uint8_t		 in[2 * PP_645_FRAMEMAX];
	size_t		 nin;
	int64_t		 last_ms;
};

struct server {
	struct net	*net;
	size_t		 gw;
	struct pp_sim_gateway g;
	int		 skipped;	/* a serial device that is not there */
	int		 open;		/* listening, or the device is open */
	modbus_t	*ctx;		/* Modbus only */
	modbus_mapping_t *map;
	int		 lfd;		/* TCP: the listening socket */
	int		 tty;		/* serial: the device */
	int		 sp[2];		/* Modbus: replies are built in sp[1] */
	struct client	 client[MAXCLIENTS];
	int		 nclients;
	uint8_t		 in[600];	/* serial: bytes received */
	size_t		 nin;
	uint64_t	 rng;
	int		 serving;	/* its thread runs */
	pthread_t	 thread;
	int		 warned;
};

struct net {
	const struct pp_sim_opts *o;
	pp_sim		*sim;
	struct server	*srv;
	size_t		 nsrv;
	int		 stop[2];	/* readable: every thread stops */
};

/* simnet.c */
/*
 * Wait for bytes on a serial gateway's device, into sv->in: 1 when some
 * came (at *rx), 0 when none did or a gap of gap_ms cut a frame short,
 * -1 when the server must stop.
 */
int	 pp_simnet_tty_wait(struct server *sv, int gap_ms,
	    struct timespec *rx);
void	 pp_simnet_warn(struct net *n, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* A number in [0, 1), from the gateway's own generator (the seed's). */
double	 pp_simnet_chance(struct server *sv);
/* Sleep until due (CLOCK_MONOTONIC) plus sec. */
void	 pp_simnet_sleep(const struct timespec *due, double sec);
void	 pp_simnet_accept(struct server *sv);
void	 pp_simnet_drop(struct server *sv, int fd);

/* sim645.c: listen or open the device; serve until net->stop. */
int	 pp_simnet_645_open(struct server *sv, char *err, size_t errlen);
void	 pp_simnet_645_serve(struct server *sv);

#endif /* PP_SIMNET_H */
