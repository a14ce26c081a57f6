/*
 * serve.c: meter-sim's top.  A server a gateway of the site, each on a
 * thread of its own: the Modbus server (simmodbus.c) or the DL/T 645 one
 * (sim645.c), as the gateway's meters speak, over the transport of
 * simnet.c, all answering from the model of sim.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codec.h"
#include "ppsim.h"
#include "simnet.h"

struct ppsim {
	struct ppsim__net n;
};

static void *
server_main(void *arg)
{
	struct ppsim__server *sv = arg;

	if (sv->g.tcp)
		sv->proto->serve_tcp(sv);
	else
		sv->proto->serve_tty(sv);
	return NULL;
}

static int
open_server(struct ppsim__net *n, struct ppsim__server *sv, char *err,
    size_t errlen)
{
	struct ppsim__gateway *g = &sv->g;
	int rc;

	ppsim__model_gateway(n->sim, sv->gw, g);
	sv->rng = (n->o->seed + 1) * 0x9E3779B97F4A7C15ULL ^
	    ((uint64_t)sv->gw + 1) * 0xBF58476D1CE4E5B9ULL;
	if (sv->rng == 0)
		sv->rng = 1;
	if (g->down)
		return PP_OK;
	if (!g->tcp && !g->tty && access(g->device, F_OK) != 0) {
		ppsim__net_warn(n, "gateway %s: %s: %s; not served (use "
		    "--tty %s=DEVICE)", g->name, g->device, strerror(errno),
		    g->name);
		sv->skipped = 1;
		return PP_OK;
	}
	sv->proto = g->dlt645 ? &ppsim__dlt645 : &ppsim__modbus;
	if ((rc = sv->proto->open(sv, err, errlen)) == PP_OK)
		sv->open = 1;
	return rc;
}

static void
notice(struct ppsim__net *n, const struct ppsim__server *sv)
{
	const struct ppsim__gateway *g = &sv->g;
	char line[2048];
	const char *s = g->nmeters == 1 ? "" : "s";

	if (n->o->notice == NULL || sv->skipped)
		return;
	if (g->down)
		snprintf(line, sizeof(line), "%s %s %zu meter%s down", g->name,
		    g->address, g->nmeters, s);
	else if (g->tcp)
		snprintf(line, sizeof(line), "%s %s %zu meter%s %s",
		    g->name, g->address, g->nmeters, s, g->dlt645 ?
		    "dlt645-tcp" : "modbus-tcp");
	else
		snprintf(line, sizeof(line), "%s serial:%s %zu meter%s "
		    "%s %ld %d%c%d", g->name, g->device, g->nmeters, s,
		    g->dlt645 ? "dlt645" : "modbus-rtu", g->baud, g->data,
		    g->parity, g->stop);
	n->o->notice(n->o->arg, line);
}

/* Open every gateway's server, save the state once, and say what runs. */
static int
open_all(struct ppsim__net *n, char *err, size_t errlen)
{
	struct ppsim__server *sv;
	size_t i;
	int rc;

	n->nsrv = ppsim__model_ngateways(n->sim);
	if (pipe2(n->stop, O_CLOEXEC) == -1 ||
	    (n->srv = calloc(n->nsrv + 1, sizeof(*n->srv))) == NULL) {
		snprintf(err, errlen, "%s", strerror(errno));
		return PP_EINTERNAL;
	}
	for (i = 0; i < n->nsrv; i++) {
		sv = &n->srv[i];
		sv->net = n;
		sv->gw = i;
		sv->lfd = sv->tty = sv->sp[0] = sv->sp[1] = -1;
	}
	for (i = 0; i < n->nsrv; i++)
		if ((rc = open_server(n, &n->srv[i], err, errlen)) != PP_OK)
			return rc;
	/* The state file can be written, before anyone relies on it. */
	if (n->o->state && (rc = ppsim__model_save(n->sim, n->o->state, err,
	    errlen)) != PP_OK)
		return rc;
	for (i = 0; i < n->nsrv; i++)
		notice(n, &n->srv[i]);
	return PP_OK;
}

int
ppsim_start(const struct ppsim_opts *o, ppsim **simp, char *err,
    size_t errlen)
{
	struct ppsim__server *sv;
	ppsim *sim;
	size_t i;
	int rc;

	*simp = NULL;
	if ((sim = calloc(1, sizeof(*sim))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return PP_EINTERNAL;
	}
	sim->n.o = o;
	sim->n.stop[0] = sim->n.stop[1] = -1;
	if ((rc = ppsim__model_open(&sim->n.sim, o, err, errlen)) != PP_OK) {
		free(sim);
		return rc;
	}
	if ((rc = open_all(&sim->n, err, errlen)) != PP_OK)
		goto fail;
	for (i = 0; i < sim->n.nsrv; i++) {
		sv = &sim->n.srv[i];
		if (!sv->open)
			continue;
		if ((rc = pthread_create(&sv->thread, NULL, server_main, sv)) !=
		    0) {
			snprintf(err, errlen, "gateway %s: %s", sv->g.name,
			    strerror(rc));
			rc = PP_EINTERNAL;
			goto fail;
		}
		sv->serving = 1;
	}
	*simp = sim;
	return PP_OK;
fail:
	(void)ppsim_stop(sim, 0, NULL, 0);
	return rc;
}

int
ppsim_save(ppsim *sim, char *err, size_t errlen)
{
	if (sim->n.o->state == NULL)
		return PP_OK;
	return ppsim__model_save(sim->n.sim, sim->n.o->state, err, errlen);
}

int
ppsim_stop(ppsim *sim, int save, char *err, size_t errlen)
{
	struct ppsim__net *n = &sim->n;
	struct ppsim__server *sv;
	size_t i;
	int rc = PP_OK;

	while (n->stop[1] != -1 && write(n->stop[1], "x", 1) == -1 &&
	    errno == EINTR)
		;
	for (i = 0; i < n->nsrv; i++)
		if (n->srv[i].serving)
			pthread_join(n->srv[i].thread, NULL);
	if (save && ppsim_save(sim, err, errlen) != PP_OK)
		rc = PP_EINTERNAL;
	for (i = 0; n->srv && i < n->nsrv; i++) {
		sv = &n->srv[i];
		if (sv->proto && sv->proto->close)
			sv->proto->close(sv);
		ppsim__net_close(sv);
	}
	free(n->srv);
	for (i = 0; i < 2; i++)
		if (n->stop[i] != -1)
			close(n->stop[i]);
	ppsim__model_close(n->sim);
	free(sim);
	return rc;
}
