/*
 * sim.h: meter-sim, a whole site's gateways and meters as a Modbus peer.
 *
 * The model (sim.c) holds every meter of a site file: its load, its
 * counters, its relay and its wallet, shown and written through the
 * registers of its profile.  The servers (simnet.c) put the model on the
 * wire: Modbus-TCP on each tcp:// gateway's port, Modbus-RTU on each
 * serial: gateway's device, with bus timing and faults.
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
	double		  crc;		/* of a reply with a bad CRC (RTU) */
	double		  exception;	/* of a busy exception, not applied */
	long		  delay_ms;	/* added to every exchange */
	const char *const *dead;	/* "METER,..." lists */
	size_t		  ndead;
	const char *const *down;	/* "GATEWAY,..." lists */
	size_t		  ndown;
	const char *const *tty;		/* "GATEWAY=DEVICE" */
	size_t		  ntty;
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
 * PP_ECONFIG: a bad site file or profile; PP_EDATA: an unknown meter or
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
	int		 tcp;		/* else serial */
	const char	*host, *port;	/* tcp */
	const char	*device;	/* serial: the address's or --tty's */
	int		 tty;		/* the device came from --tty */
	long		 baud;		/* serial line settings */
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
/* Write the state of every meter to path, atomically. */
int	 pp_sim_save(pp_sim *s, const char *path, char *err, size_t errlen);

#endif /* PP_SIM_H */
