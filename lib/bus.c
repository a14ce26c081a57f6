/*
 * bus.c: one master per bus.  A process that talks to a gateway first
 * takes the gateway's lock (lock.c); then the driver of each meter's
 * protocol does the exchanges.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "field.h"

static const struct pp__driver *const drivers[] = { &pp_modbus_driver,
	&pp_dlt645_driver };

void
pp__station_row(pp__st *st, int meter_col, int unit_col,
    int address_col, struct pp__station *s)
{
	memset(s, 0, sizeof(*s));
	pp__col_text(st, meter_col, s->meter, sizeof(s->meter));
	s->unit = pp__col_int(st, unit_col);
	pp__col_text(st, address_col, s->address, sizeof(s->address));
}

const struct pp__driver *
pp__driver_for(const struct pp__profile *p)
{
	size_t i;

	for (i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++)
		if (strcmp(p->protocol, drivers[i]->protocol) == 0)
			return drivers[i];
	return NULL;
}

/*
 * The bus is taken at a turnstile: a process that wants it holds the
 * gateway's turnstile lock while it waits for the bus's lock, which tells
 * a continuous poller, that looks between meters, to let go of the bus
 * (pp__bus_wanted).  The turnstile is let go once the bus is held.  Each
 * is a lock of the database's engine (lock.c): a file beside a SQLite
 * database, an advisory lock on a PostgreSQL server, so that one master
 * holds a bus across hosts.
 */
int
pp__bus_open(const char *dbpath, const struct pp__gateway *gw, int wait_ms,
    struct pp__bus **busp, char *err, size_t errlen)
{
	struct pp__lock *lock, *turn;
	struct pp__bus *bus;
	int64_t deadline = pp__link_now_ms() + wait_ms;
	char ignored[PP_ERRMAX];
	int rc, e;

	*busp = NULL;
	if ((rc = pp__lock_open(dbpath, gw->name, "lock", &lock, err,
	    errlen)) != PP_OK)
		return rc;
	/*
	 * Half-duplex: whoever holds the lock is the bus's only master.  The
	 * turnstile only hastens the bus's release: without it (a file this
	 * login may not open) the lock is taken all the same.
	 */
	if (pp__lock_open(dbpath, gw->name, "turn", &turn, ignored,
	    sizeof(ignored)) != PP_OK || (e = pp__lock_take(turn, wait_ms)) ==
	    0)
		e = pp__lock_take(lock, (int)(deadline - pp__link_now_ms()));
	if (turn != NULL)
		pp__lock_release(turn);
	if (e != 0) {
		if (e == EWOULDBLOCK)
			snprintf(err, errlen, "gateway %s is busy: another "
			    "process holds its bus", gw->name);
		else
			snprintf(err, errlen, "gateway %s: lock: %s", gw->name,
			    strerror(e));
		pp__lock_close(lock);
		pp__lock_close(turn);
		return e == EWOULDBLOCK ? PP_EBUSY : PP_EINTERNAL;
	}
	if ((bus = calloc(1, sizeof(*bus))) == NULL) {
		pp__lock_close(lock);
		pp__lock_close(turn);
		snprintf(err, errlen, "out of memory");
		return PP_EINTERNAL;
	}
	bus->gw = *gw;
	bus->lock = lock;
	bus->turn = turn;
	snprintf(bus->dbpath, sizeof(bus->dbpath), "%s", dbpath);
	*busp = bus;
	return PP_OK;
}

int
pp__bus_wanted(struct pp__bus *bus)
{
	return bus->turn != NULL && pp__lock_held_elsewhere(bus->turn);
}

void
pp__bus_close(struct pp__bus *bus)
{
	size_t i;

	if (bus == NULL)
		return;
	for (i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++)
		drivers[i]->close(bus);
	pp__lock_close(bus->lock);
	pp__lock_close(bus->turn);
	free(bus);
}

int
pp__bus_read(struct pp__bus *bus, const struct pp__station *at,
    const struct pp__profile *p, uint64_t mask, struct pp__values *out,
    char *err, size_t errlen)
{
	const struct pp__driver *d = pp__driver_for(p);
	int rc = PP_EUNREACH, attempt;

	if (d == NULL) {
		snprintf(err, errlen, "profile %s: no driver for %s", p->name,
		    p->protocol);
		return PP_ECONFIG;
	}
	bus->refused = 0;
	for (attempt = 0; attempt <= bus->gw.retries; attempt++) {
		memset(out, 0, sizeof(*out));
		rc = d->read(bus, at, p, mask, out, err, errlen);
		bus->exchanges++;
		/*
		 * A gateway that refuses the connection will not answer now,
		 * and a site's mistake is not mended by asking again.
		 */
		if (rc == PP_OK || bus->fault == PP_FAULT_DOWN ||
		    rc == PP_ECONFIG || rc == PP_EPERM)
			break;
	}
	return rc;
}

int
pp__bus_discover(struct pp__bus *bus, const char *protocol, char address[16],
    char *err, size_t errlen)
{
	size_t i;
	int rc = PP_EUNREACH, attempt;

	for (i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++)
		if (strcmp(drivers[i]->protocol, protocol) == 0)
			break;
	if (i == sizeof(drivers) / sizeof(drivers[0]) ||
	    drivers[i]->discover == NULL) {
		snprintf(err, errlen, "%s meters do not tell their address",
		    protocol);
		return PP_EDATA;
	}
	for (attempt = 0; attempt <= bus->gw.retries; attempt++) {
		rc = drivers[i]->discover(bus, address, err, errlen);
		bus->exchanges++;
		if (rc == PP_OK || bus->fault == PP_FAULT_DOWN)
			break;
	}
	return rc;
}

/* Every confirm value of w holds in after. */
static int
confirmed(const struct pp__pwrite *w, const struct pp__values *args,
    const struct pp__values *after, char *err, size_t errlen)
{
	int64_t want, got = 0;
	int i;

	for (i = 0; i < w->nconfirm; i++) {
		const struct pp__confirm *c = &w->confirm[i];

		want = c->equals;
		if (c->arg[0] && !pp__values_get(args, c->arg, &want))
			continue;
		if (!pp__values_get(after, c->value, &got) || got != want) {
			snprintf(err, errlen, "%s not confirmed: %s reads %lld, "
			    "not %lld", w->name, c->value, (long long)got,
			    (long long)want);
			return 0;
		}
	}
	return 1;
}

int
pp__bus_write(struct pp__bus *bus, const struct pp__station *at,
    const struct pp__profile *p, const struct pp__pwrite *w,
    const struct pp__values *args, struct pp__values *after, char *err,
    size_t errlen)
{
	const struct pp__driver *d = pp__driver_for(p);
	int rc = PP_EUNREACH, attempt, uncertain = 0;

	if (d == NULL) {
		snprintf(err, errlen, "profile %s: no driver for %s", p->name,
		    p->protocol);
		return PP_ECONFIG;
	}
	for (attempt = 0; attempt <= bus->gw.retries; attempt++) {
		rc = d->write(bus, at, p, w, args, err, errlen);
		bus->exchanges++;
		if (bus->fault == PP_FAULT_DOWN)
			return rc;
		/* A key the site lacks is final, whatever came before. */
		if (rc == PP_ECONFIG || rc == PP_EUSAGE || rc == PP_EINTERNAL ||
		    rc == PP_EBUSY)
			return rc;
		/* A refusal is final, unless an earlier try may have landed. */
		if ((rc == PP_EDATA || rc == PP_EPERM) && !uncertain)
			return rc;
		/*
		 * The read-back decides: a write whose answer was lost may
		 * well have been applied, and then a resend would be refused.
		 */
		if (pp__bus_read(bus, at, p, pp__plan_all(p), after, err,
		    errlen) == PP_OK) {
			if (confirmed(w, args, after, err, errlen))
				return PP_OK;
			if (rc == PP_OK || rc == PP_EDATA || rc == PP_EPERM)
				return rc == PP_EPERM ? rc : PP_EDATA;
		}
		uncertain = 1;
	}
	/*
	 * Every refusal returned above; what is left is writes that got
	 * no answer, whatever the last read-back said: the command waits.
	 */
	bus->fault = PP_FAULT_TIMEOUT;
	return PP_EUNREACH;
}

int
pp__gateway_get(pp_db *db, int64_t id, struct pp__gateway *gw)
{
	pp__st *st;
	int rc;

	memset(gw, 0, sizeof(*gw));
	if ((st = pp__stmt(db, "SELECT id, name, address, timeout_ms, retries, "
	    "baud, turnaround_ms FROM gateways WHERE id = ?")) == NULL)
		return pp__errcode(db);
	pp__bind_int64(st, 1, id);
	if ((rc = pp__step(st)) == PP__ROW) {
		gw->id = pp__col_int64(st, 0);
		pp__col_text(st, 1, gw->name, sizeof(gw->name));
		pp__col_text(st, 2, gw->address, sizeof(gw->address));
		gw->timeout_ms = pp__col_int(st, 3);
		gw->retries = pp__col_int(st, 4);
		gw->baud = pp__col_int(st, 5);
		gw->turnaround_ms = pp__col_int(st, 6);
	}
	pp__reset(st);
	if (rc == PP__ROW)
		return PP_OK;
	return rc == PP__DONE ? pp__fail(db, PP_EDATA, "no such gateway") :
	    pp__sqlfail(db, "gateways");
}
