/*
 * ppsim.h: meter-sim's library, libppsim, what the tool sees: a whole
 * site's gateways and meters as a Modbus and DL/T 645-2007 peer.
 *
 * The model (sim.c) holds every meter of a site file; the servers put it
 * on the wire with bus timing and faults: simmodbus.c Modbus-TCP and
 * Modbus-RTU, sim645.c raw DL/T 645 frames, both over the sockets and
 * serial lines of simnet.c; serve.c starts a server a gateway.  The
 * process (signals, the pid file) is the tool's own.
 */
#ifndef PPSIM_H
#define PPSIM_H

#include <stddef.h>
#include <stdint.h>

/* What meter-sim(1) was asked for. */
struct ppsim_opts {
	const char	 *site;		/* the site file */
	long		  baud;		/* bus time per exchange; 0: none */
	double		  speed;	/* simulated seconds per second */
	double		  drop;		/* probability of a lost exchange */
	double		  crc;		/* of a reply with a bad CRC or CS */
	double		  exception;	/* of an error reply, not applied */
	double		  garbage;	/* of line noise before a 645 reply */
	double		  split;	/* of a 645 reply in pieces */
	long		  delay_ms;	/* added to every exchange */
	const char *const *dead;	/* "METER,..." lists */
	size_t		  ndead;
	const char *const *down;	/* "GATEWAY,..." lists */
	size_t		  ndown;
	const char *const *noblocks;	/* "METER,...": refuse data blocks */
	size_t		  nnoblocks;
	const char	 *log;		/* a line an exchange, or NULL */
	const char *const *tty;		/* "GATEWAY=DEVICE" */
	size_t		  ntty;
	const char	 *keys;		/* DL/T 645 key file, or NULL */
	const char	 *state;	/* state file, or NULL */
	uint64_t	  seed;
	int64_t		  credit;	/* a new wallet meter's balance, fen */
	/* What is served, one line a gateway, at start. */
	void		(*notice)(void *arg, const char *line);
	/* Something skipped or failing while running. */
	void		(*warn)(void *arg, const char *msg);
	void		 *arg;
};

/* A site being served. */
typedef struct ppsim ppsim;

/*
 * Load the site and serve it, a thread a gateway, until ppsim_stop.  The
 * threads inherit the caller's signal mask.  PP_ENOINPUT: no site file;
 * PP_ECONFIG: a bad site file, profile or key file; PP_EDATA: an unknown
 * meter or gateway in the options, or a bad state file; PP_EUSAGE: a bad
 * option value; PP_EUNREACH: a port or device that cannot be opened.
 */
int	 ppsim_start(const struct ppsim_opts *o, ppsim **sim, char *err,
	    size_t errlen);
/* Write every meter's state to the state file, if there is one. */
int	 ppsim_save(ppsim *sim, char *err, size_t errlen);
/*
 * Stop every server and free sim; with save, save the state first
 * (PP_EINTERNAL when that fails).
 */
int	 ppsim_stop(ppsim *sim, int save, char *err, size_t errlen);

#endif /* PPSIM_H */
