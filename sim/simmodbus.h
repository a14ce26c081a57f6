/*
 * simmodbus.h: meter-sim's Modbus server (simmodbus.c), Modbus-TCP on a
 * tcp:// gateway's port and Modbus-RTU on a serial: gateway's device.
 */
#ifndef PPSIM_SIMMODBUS_H
#define PPSIM_SIMMODBUS_H

#include <stddef.h>

struct ppsim__server;

/* Listen or open the device, with libmodbus. */
int	 ppsim__modbus_open(struct ppsim__server *sv, char *err,
	    size_t errlen);
/* Serve until the net's stop. */
void	 ppsim__modbus_serve(struct ppsim__server *sv);
/* Free what ppsim__modbus_open made. */
void	 ppsim__modbus_close(struct ppsim__server *sv);

#endif /* PPSIM_SIMMODBUS_H */
