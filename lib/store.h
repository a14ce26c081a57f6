/*
 * store.h: what poll.c hands the readings store (store.c): the meters a
 * bus polled, each with what its counter check needs and what it read.
 */
#ifndef PP_STORE_H
#define PP_STORE_H

#include "field.h"

/* A meter to poll, with what its counter check needs. */
struct target {
	int64_t		id, gateway_id, energy_wh, reading_time, overload_w;
	int		fails, has_energy;
	struct pp__station at;
	char		meter[PP_KEYMAX], profile[PP_KEYMAX], state[16];
	/* the outcome */
	int64_t		time;
	int		rc;
	enum pp__fault	fault;
	struct pp__values values;
	char		error[PP_ERRMAX];
};

struct bus_job {
	struct pp__gateway gw;
	int		 gw_fails;	/* polls in a row none answered */
	struct target	*t;
	int		 n;
	int		 busy;		/* the lock was not to be had */
	char		 error[PP_ERRMAX];
	int		 rc;		/* a database failure */
};

/* Everything a bus learned, in one transaction. */
int	pp__store_bus(pp_db *, struct bus_job *);

#endif
