/*
 * sim645.h: meter-sim's DL/T 645 server (sim645.c), raw frames on a
 * serial device or a transparent TCP converter's port.
 */
#ifndef PPSIM_SIM645_H
#define PPSIM_SIM645_H

#include <stddef.h>

struct ppsim__server;

/* Listen or open the device. */
int	 ppsim__dlt645_open(struct ppsim__server *sv, char *err,
	    size_t errlen);
/* Serve until the net's stop. */
void	 ppsim__dlt645_serve(struct ppsim__server *sv);

#endif /* PPSIM_SIM645_H */
