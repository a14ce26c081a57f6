/*
 * sim.h: meter-sim, a whole site's gateways and meters as a Modbus and
 * DL/T 645-2007 peer.
 *
 * The model (sim.c) holds every meter of a site file: its load, its
 * counters, its relay and its wallet, shown and written through the
 * registers or data identifiers of its profile.  The servers put the
 * model on the wire, with bus timing and faults: simnet.c Modbus-TCP on
 * each tcp:// gateway's port and Modbus-RTU on each serial: gateway's
 * device; sim645.c raw DL/T 645 frames on either, for a gateway whose
 * meters speak DL/T 645.
 */
#ifndef PP_SIM_H
#define PP_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "prepay.h"

/* What meter-sim(1) was asked for. */
struct pp_sim_opts {
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
	const char *const *tty;		/* "GATEWAY=DEVICE" */
	size_t		  ntty;
	const char	 *keys;		/* DL/T 645 key file, or NULL */
	const char	 *state;	/* state file, or NULL */
	const char	 *ready;	/* pid file once listening, or NULL */
	uint64_t	  seed;
	int64_t		  credit;	/* a new wallet meter's balance, fen */
	/* What is served, one line a gateway, at start. */
	void		(*notice)(void *arg, const char *line);
	/* Something skipped or failing while running. */
	void		(*warn)(void *arg, const char *msg);
	void		 *arg;
};

/*
 * Serve the site until SIGINT or SIGTERM, then save the state and return
 * PP_OK.  While it runs it blocks SIGINT and SIGTERM in the calling
 * thread and waits for them itself.  PP_ENOINPUT: no site file;
 * PP_ECONFIG: a bad site file, profile or key file; PP_EDATA: an unknown
 * meter or
 * gateway in the options, or a bad state file; PP_EUSAGE: a bad option
 * value; PP_EUNREACH: a port or device that cannot be opened.
 */
int	 pp_sim_run(const struct pp_sim_opts *o, char *err, size_t errlen);

/* ---- the model (sim.c) ------------------------------------------------ */

typedef struct pp_sim pp_sim;

/* A gateway as the site file gives it, with the options applied. */
struct pp_sim_gateway {
	const char	*name;
	const char	*address;	/* as in the site file */
	int		 dlt645;	/* its meters speak DL/T 645 */
	int		 tcp;		/* else serial */
	const char	*host, *port;	/* tcp */
	const char	*device;	/* serial: the address's or --tty's */
	int		 tty;		/* the device came from --tty */
	long		 baud;		/* serial line settings, defaults */
	char		 parity;	/* 'N', 'E' or 'O' */
	int		 data, stop;
	int		 down;		/* --down */
	size_t		 nmeters;
};

/* pp_sim_request's answer when no meter answers (none, or --dead). */
#define PP_SIM_SILENT	(-1)

/* Load the site, its profiles and the state file, and apply o. */
int	 pp_sim_open(pp_sim **s, const struct pp_sim_opts *o, char *err,
	    size_t errlen);
void	 pp_sim_close(pp_sim *s);
size_t	 pp_sim_ngateways(const pp_sim *s);
void	 pp_sim_gateway(const pp_sim *s, size_t i, struct pp_sim_gateway *g);
/* A live meter has this unit on gateway i. */
int	 pp_sim_answers(const pp_sim *s, size_t i, int unit);
/*
 * One Modbus request to unit on gateway i, at this moment: fc 3 and 4
 * read count registers from address into regs; fc 6 and 16 write data.
 * Returns 0, a Modbus exception code, or PP_SIM_SILENT.  Unit 0 is a
 * broadcast: writes go to every live meter, and nothing answers.
 * Safe to call from one thread per gateway.
 */
int	 pp_sim_request(pp_sim *s, size_t i, int unit, int fc, int address,
	    int count, const uint16_t *data, uint16_t *regs);
/*
 * DL/T 645 (a gateway whose dlt645 is set).  Does a live meter answer
 * req, a request to one address or, with AA bytes, to the one live meter
 * they match?  Never for a broadcast, a reply, or a collision.
 */
struct pp_645_frame;
int	 pp_sim_645_answers(const pp_sim *s, size_t i,
	    const struct pp_645_frame *req);
/*
 * One DL/T 645 request on gateway i, at this moment: 0 and the reply in
 * rep, or PP_SIM_SILENT: nobody answers (no such meter, a dead one,
 * several, a broadcast, which 0x08 sets every live meter's clock with).
 * refuse, when not 0, is an error byte to answer with instead, applying
 * nothing (the --exception fault).  Safe from one thread per gateway.
 */
int	 pp_sim_645(pp_sim *s, size_t i, const struct pp_645_frame *req,
	    int refuse, struct pp_645_frame *rep);
/* Write the state of every meter to path, atomically. */
int	 pp_sim_save(pp_sim *s, const char *path, char *err, size_t errlen);

#endif /* PP_SIM_H */
