/*
 * tariffspec.h: a tariff as the site file gives it: a flat price or
 * time-of-use windows, and tier steps.  The site's parse checks it
 * (siteparse.c) and the tariffs price with it (tariff.c), so it stands
 * below both, apart from the rest of the site model (siteparse.h).
 */
#ifndef PP_TARIFFSPEC_H
#define PP_TARIFFSPEC_H

#include <stdint.h>

/* A tariff as the site file gives it (tariff.c prices with it). */
#define PP_TARIFF_MAXWIN	12
#define PP_TARIFF_MAXSTEP	12

struct pp__tariff_spec {
	int64_t	price;			/* flat price, -1: none */
	int	nwin;
	struct {
		char	name[32];
		int	from, to;	/* minutes of the day */
		int64_t	price;
	} win[PP_TARIFF_MAXWIN];
	char	period[8];		/* "year", "month" or "" */
	int	nstep;
	struct {
		int64_t	upto_wh;	/* -1: no upper bound */
		int64_t	add;
	} step[PP_TARIFF_MAXSTEP];
};

#endif /* PP_TARIFFSPEC_H */
