/*
 * sim.h: meter-sim's model of a site (sim.c), shared by the servers of
 * libppsim and seen by no tool.
 *
 * The model holds every meter of a site file: its load, its counters,
 * its relay and its wallet, shown and written through the registers or
 * data identifiers of its profile.
 */
#ifndef PPSIM_SIM_H
#define PPSIM_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "ppsim.h"

typedef struct ppsim__model ppsim__model;

/* A gateway as the site file gives it, with the options applied. */
struct ppsim__gateway {
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

/* ppsim__model_request's answer when no meter answers (none, or --dead). */
#define PPSIM_SILENT	(-1)

/* Load the site, its profiles and the state file, and apply o. */
int	 ppsim__model_open(ppsim__model **s, const struct ppsim_opts *o,
	    char *err, size_t errlen);
void	 ppsim__model_close(ppsim__model *s);
size_t	 ppsim__model_ngateways(const ppsim__model *s);
void	 ppsim__model_gateway(const ppsim__model *s, size_t i,
	    struct ppsim__gateway *g);
/* A live meter has this unit on gateway i. */
int	 ppsim__model_answers(const ppsim__model *s, size_t i, int unit);
/*
 * One Modbus request to unit on gateway i, at this moment: fc 3 and 4
 * read count registers from address into regs; fc 6 and 16 write data.
 * Returns 0, a Modbus exception code, or PPSIM_SILENT.  Unit 0 is a
 * broadcast: writes go to every live meter, and nothing answers.
 * Safe to call from one thread per gateway.
 */
int	 ppsim__model_request(ppsim__model *s, size_t i, int unit, int fc,
	    int address, int count, const uint16_t *data, uint16_t *regs);
/*
 * DL/T 645 (a gateway whose dlt645 is set).  Does a live meter answer
 * req, a request to one address or, with AA bytes, to the one live meter
 * they match?  Never for a broadcast, a reply, or a collision.
 */
struct pp__645_frame;
int	 ppsim__model_645_answers(const ppsim__model *s, size_t i,
	    const struct pp__645_frame *req);
/*
 * One DL/T 645 request on gateway i, at this moment: 0 and the reply in
 * rep, or PPSIM_SILENT: nobody answers (no such meter, a dead one,
 * several, a broadcast, which 0x08 sets every live meter's clock with).
 * refuse, when not 0, is an error byte to answer with instead, applying
 * nothing (the --exception fault).  Safe from one thread per gateway.
 */
int	 ppsim__model_645(ppsim__model *s, size_t i,
	    const struct pp__645_frame *req, int refuse,
	    struct pp__645_frame *rep);
/* Write the state of every meter to path, atomically. */
int	 ppsim__model_save(ppsim__model *s, const char *path, char *err,
	    size_t errlen);

#endif /* PPSIM_SIM_H */
