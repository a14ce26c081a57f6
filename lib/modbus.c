/*
 * modbus.c: the Modbus driver (RTU on a serial port, or TCP to a gateway),
 * built on libmodbus.  It reads a profile's values in the requests of its
 * plan (plan.c) and writes its commands; what a value means is the
 * profile's business.
 */
#include <errno.h>
#include <modbus.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "field.h"

/*
 * The plans of the bus's profiles, made once a bus poll, not a meter:
 * each profile's fast class and its every value (doc/design.md, "Value
 * classes").
 */
#define PLANS	16

struct link {
	modbus_t	*ctx;
	int		 connected;
	int		 nplans;
	struct {
		char		profile[PP_KEYMAX];
		uint64_t	mask;
		struct pp__plan	plan;
	}		 plans[PLANS];
};

static const struct pp__plan *
plan_of(struct pp__bus *bus, struct link *l, const struct pp__profile *p,
    uint64_t mask)
{
	struct pp__timing t;
	int i;

	for (i = 0; i < l->nplans && i < PLANS; i++)
		if (l->plans[i].mask == mask &&
		    strcmp(l->plans[i].profile, p->name) == 0)
			return &l->plans[i].plan;
	/* More profiles than slots on one bus: the oldest plan goes. */
	i = l->nplans++ % PLANS;
	snprintf(l->plans[i].profile, sizeof(l->plans[i].profile), "%s",
	    p->name);
	l->plans[i].mask = mask;
	pp__plan_timing(bus->gw.address, bus->gw.baud, bus->gw.turnaround_ms,
	    &t);
	pp__plan_make(p, mask, &t, &l->plans[i].plan);
	return &l->plans[i].plan;
}

static modbus_t *
new_context(const struct pp__gateway *gw, char *err, size_t errlen)
{
	struct pp__link_addr a;
	char why[PP_ERRMAX];
	modbus_t *ctx;

	if (pp__link_addr_parse(gw->address, &a, why, sizeof(why)) != PP_OK) {
		snprintf(err, errlen, "gateway %s: %s", gw->name, why);
		return NULL;
	}
	pp__link_addr_defaults(&a, 9600, 'N', 8, 1);
	ctx = a.tcp ? modbus_new_tcp_pi(a.host, a.port) :
	    modbus_new_rtu(a.device, (int)a.baud, a.parity, a.data, a.stop);
	if (ctx == NULL)
		snprintf(err, errlen, "gateway %s: %s", gw->name,
		    modbus_strerror(errno));
	return ctx;
}

static struct link *
link_of(struct pp__bus *bus, char *err, size_t errlen)
{
	struct link *l = bus->modbus;
	int ms = bus->gw.timeout_ms;

	if (l == NULL) {
		if ((l = calloc(1, sizeof(*l))) == NULL) {
			snprintf(err, errlen, "out of memory");
			return NULL;
		}
		if ((l->ctx = new_context(&bus->gw, err, errlen)) == NULL) {
			free(l);
			return NULL;
		}
		modbus_set_response_timeout(l->ctx, (uint32_t)(ms / 1000),
		    (uint32_t)(ms % 1000) * 1000);
		bus->modbus = l;
	}
	if (!l->connected) {
		if (modbus_connect(l->ctx) == -1) {
			bus->fault = PP_FAULT_DOWN;
			snprintf(err, errlen, "gateway %s: %s", bus->gw.name,
			    modbus_strerror(errno));
			return NULL;
		}
		l->connected = 1;
	}
	return l;
}

/* Sort an exchange's failure into timeout, error or a lost link. */
static int
failed(struct pp__bus *bus, struct link *l, const char *what, char *err,
    size_t errlen)
{
	int e = errno;

	snprintf(err, errlen, "%s: %s", what, modbus_strerror(e));
	if (e == EMBXGTAR || e == EMBXGPATH || e == ETIMEDOUT) {
		bus->fault = PP_FAULT_TIMEOUT;
		/* A late answer must not be taken for the next one. */
		modbus_flush(l->ctx);
		return PP_EUNREACH;
	}
	if (e >= EMBXILFUN && e <= EMBXMEMPAR) {
		bus->fault = PP_FAULT_ERROR;
		return PP_EDATA;
	}
	if (e == EMBBADCRC || e == EMBBADDATA || e == EMBBADEXC ||
	    e == EMBUNKEXC || e == EMBMDATA || e == EMBBADSLAVE) {
		/* Garbled on the wire: worth another try. */
		bus->fault = PP_FAULT_TIMEOUT;
		modbus_flush(l->ctx);
		return PP_EUNREACH;
	}
	/* The connection itself broke: reconnect on the next exchange. */
	modbus_close(l->ctx);
	l->connected = 0;
	bus->fault = PP_FAULT_TIMEOUT;
	return PP_EUNREACH;
}

static int
modbus_read(struct pp__bus *bus, const struct pp__station *at,
    const struct pp__profile *p, uint64_t mask, struct pp__values *out,
    char *err, size_t errlen)
{
	const struct pp__plan *plan;
	int64_t got[PP_MAXVALUES];
	uint16_t regs[125];
	struct link *l;
	int i, j, rc;

	bus->fault = PP_FAULT_NONE;
	if ((l = link_of(bus, err, errlen)) == NULL)
		return bus->fault == PP_FAULT_DOWN ? PP_EUNREACH :
		    PP_EINTERNAL;
	plan = plan_of(bus, l, p, mask);
	modbus_set_slave(l->ctx, at->unit);
	for (i = 0; i < plan->n; i++) {
		const struct pp__request *r = &plan->req[i];

		rc = r->fc == 4 ?
		    modbus_read_input_registers(l->ctx, r->address, r->count,
		    regs) :
		    modbus_read_registers(l->ctx, r->address, r->count, regs);
		if (rc != r->count) {
			char what[64];

			/* Which request, for a profile that reads too wide. */
			snprintf(what, sizeof(what), "read fc %d 0x%04X-0x%04X",
			    r->fc, r->address, r->address + r->count - 1);
			return failed(bus, l, what, err, errlen);
		}
		for (j = 0; j < p->nvalues; j++) {
			const struct pp__pvalue *v = &p->values[j];

			if (!(plan->carries[i] & (uint64_t)1 << j))
				continue;
			if (pp__regs_decode(p->high_first, v->type, v->words,
			    v->scale, pp__value_factor(v->name), regs +
			    (v->address - r->address), &got[j]) != PP_OK) {
				bus->fault = PP_FAULT_ERROR;
				snprintf(err, errlen, "%s: the meter sent a "
				    "value that is no number", v->name);
				return PP_EDATA;
			}
		}
	}
	/* In the profile's order, as the values are shown. */
	for (j = 0; j < p->nvalues; j++)
		if (mask & (uint64_t)1 << j)
			pp__values_set(out, p->values[j].name, got[j]);
	return PP_OK;
}

static int
modbus_write(struct pp__bus *bus, const struct pp__station *at,
    const struct pp__profile *p,
    const struct pp__pwrite *w, const struct pp__values *args, char *err,
    size_t errlen)
{
	uint16_t regs[PP_MAXFIELDS * 4];
	struct link *l;
	int i, n = 0, rc;

	bus->fault = PP_FAULT_NONE;
	for (i = 0; i < w->nfields; i++) {
		const struct pp__pfield *f = &w->fields[i];
		int64_t v, factor;

		if ((rc = pp__field_value(w, f, args, &v, &factor, err,
		    errlen)) != PP_OK)
			return rc;
		if (pp__regs_encode(p->high_first, f->type, f->words, f->scale,
		    factor, v, regs + n) != PP_OK) {
			snprintf(err, errlen, "%s: %s %lld does not fit the "
			    "meter's register", w->name, f->arg[0] ? f->arg :
			    "value", (long long)v);
			return PP_EDATA;
		}
		n += f->words;
	}
	if ((l = link_of(bus, err, errlen)) == NULL)
		return bus->fault == PP_FAULT_DOWN ? PP_EUNREACH :
		    PP_EINTERNAL;
	modbus_set_slave(l->ctx, at->unit);
	if (w->fc == 6)
		rc = modbus_write_register(l->ctx, w->address, regs[0]) == 1 ?
		    1 : -1;
	else
		rc = modbus_write_registers(l->ctx, w->address, n, regs) == n ?
		    1 : -1;
	if (rc != 1)
		return failed(bus, l, w->name, err, errlen);
	return PP_OK;
}

static void
modbus_close_link(struct pp__bus *bus)
{
	struct link *l = bus->modbus;

	if (l == NULL)
		return;
	if (l->connected)
		modbus_close(l->ctx);
	modbus_free(l->ctx);
	free(l);
	bus->modbus = NULL;
}

const struct pp__driver pp_modbus_driver = {
	"modbus", modbus_read, modbus_write, modbus_close_link, NULL
};
