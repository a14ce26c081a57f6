/*
 * dlt645bus.c: the DL/T 645-2007 driver.  It puts the frames of dlt645.c
 * on a serial port (2400 baud 8E1 unless the gateway says otherwise) or
 * on a TCP connection to a transparent converter, one request at a time,
 * and turns a profile's data identifiers into our values.  Writes and
 * relay controls carry the password and operator code of the key file.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "field.h"
#include "dlt645.h"

/* The standard lets a meter take 500 ms to start its reply... */
#define REPLY_DELAY_MAX_MS	500
/* ...and 500 ms between two of its bytes. */
#define BYTE_GAP_MAX_MS		500
/* A relay control is valid this long: a frame stuck in a converter's
 * buffer must not trip a meter an hour later. */
#define RELAY_VALID_S		600
/* Follow-up frames of one read, past which a meter is babbling. */
#define MAX_FOLLOW_UPS		8

struct conn {
	int			 fd;	/* -1: not open */
	struct pp__link_addr	 addr;
	struct pp_keys		*keys;
};

static struct conn *
conn_of(struct pp__bus *bus, char *err, size_t errlen)
{
	struct conn *c = bus->dlt645;
	char why[PP_ERRMAX];

	if (c == NULL) {
		if ((c = calloc(1, sizeof(*c))) == NULL) {
			snprintf(err, errlen, "out of memory");
			return NULL;
		}
		c->fd = -1;
		if (pp__link_addr_parse(bus->gw.address, &c->addr, why,
		    sizeof(why)) != PP_OK) {
			snprintf(err, errlen, "gateway %s: %s", bus->gw.name,
			    why);
			free(c);
			return NULL;
		}
		pp__link_addr_defaults(&c->addr, 2400, 'E', 8, 1);
		bus->dlt645 = c;
	}
	if (c->fd == -1) {
		c->fd = c->addr.tcp ? pp__link_tcp_open(&c->addr,
		    bus->gw.timeout_ms, why, sizeof(why)) :
		    pp__link_serial_open(&c->addr, why, sizeof(why));
		if (c->fd == -1) {
			bus->fault = PP_FAULT_DOWN;
			snprintf(err, errlen, "gateway %s: %s", bus->gw.name,
			    why);
			return NULL;
		}
	}
	return c;
}

static void
hang_up(struct conn *c)
{
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
}

/* No answer, or none that makes sense: worth another try. */
static int
no_answer(struct pp__bus *bus, const char *fmt, const char *why, char *err,
    size_t errlen)
{
	bus->fault = PP_FAULT_TIMEOUT;
	snprintf(err, errlen, fmt, why);
	return PP_EUNREACH;
}

/*
 * Send req and wait for the reply that answers it.  Bytes of no frame,
 * frames with a bad checksum and frames that answer something else are
 * passed over while the time lasts; the first such problem is what a
 * timeout reports.  PP_EDATA: the meter answered with an error reply,
 * *errbyte its error byte.
 */
/* A reply as it comes in: the bytes so far, the first problem seen. */
struct reply_in {
	uint8_t	 buf[4 * PP_645_FRAMEMAX];
	size_t	 have;
	char	 why[PP_ERRMAX];
};

/*
 * Decode what has come: PP_OK with req's reply in rep, PP_EDATA for an
 * error reply (the meter refused; *errbyte), PP_645_MORE to read on.  The
 * first problem is the one to tell: after a bad frame, its inner 68s look
 * like more bad frames.
 */
static int
take_frames(struct pp__bus *bus, struct reply_in *r,
    const struct pp__645_frame *req, struct pp__645_frame *rep, int *more,
    int *errbyte, char *err, size_t errlen)
{
	char what[PP_ERRMAX];
	size_t used;
	int rc;

	while (r->have > 0) {
		rc = pp__645_decode(r->buf, r->have, rep, &used, what,
		    sizeof(what));
		if (used > 0) {
			memmove(r->buf, r->buf + used, r->have - used);
			r->have -= used;
		}
		if (rc == PP_645_MORE)
			break;
		if (rc != PP_OK) {
			if (r->why[0] == '\0')
				snprintf(r->why, sizeof(r->why), ": garbled "
				    "reply: %.300s", what);
			continue;
		}
		/* A converter may echo what we sent: pass it. */
		if (!(rep->control & PP_645_C_REPLY))
			continue;
		rc = pp__645_reply_check(req, rep, more, errbyte, what,
		    sizeof(what));
		if (rc == PP_OK)
			return PP_OK;
		if (*errbyte >= 0) {
			bus->fault = PP_FAULT_ERROR;
			snprintf(err, errlen, "%s", what);
			return PP_EDATA;
		}
		if (r->why[0] == '\0')
			snprintf(r->why, sizeof(r->why), ": %.300s", what);
	}
	if (r->have == sizeof(r->buf))
		r->have = 0;
	return PP_645_MORE;
}

/* Read until req's reply has come, or the time for it is up. */
static int
await_reply(struct pp__bus *bus, struct conn *c,
    const struct pp__645_frame *req, struct pp__645_frame *rep, int *more,
    int *errbyte, int wait_ms, char *err, size_t errlen)
{
	struct reply_in r;
	char what[PP_ERRMAX];
	int64_t now, deadline, last_byte;
	int rc, started = 0;
	ssize_t got;

	r.have = 0;
	r.why[0] = '\0';
	last_byte = pp__link_now_ms();
	deadline = last_byte + wait_ms;
	for (;;) {
		now = pp__link_now_ms();
		if (r.have > 0 && now - last_byte >= BYTE_GAP_MAX_MS)
			return no_answer(bus, "the reply stopped halfway: %s",
			    "no byte for 500 ms", err, errlen);
		if (now >= deadline)
			return no_answer(bus, "no answer%s", r.why[0] ?
			    r.why : " in time", err, errlen);
		got = pp__link_read(c->fd, r.buf + r.have, sizeof(r.buf) -
		    r.have, (int)(r.have > 0 && last_byte + BYTE_GAP_MAX_MS <
		    deadline ? last_byte + BYTE_GAP_MAX_MS - now :
		    deadline - now));
		if (got < 0) {
			snprintf(what, sizeof(what), "%s", strerror(errno));
			hang_up(c);
			return no_answer(bus, "receive: %s", what, err,
			    errlen);
		}
		if (got == 0)
			continue;
		last_byte = pp__link_now_ms();
		/*
		 * Once the meter speaks, the longest frame's bytes take their
		 * time on the line (a converter's too), 11 bits a byte.
		 */
		if (!started) {
			started = 1;
			deadline = last_byte + BYTE_GAP_MAX_MS +
			    (int64_t)PP_645_FRAMEMAX * 11 * 1000 /
			    (c->addr.baud ? c->addr.baud : 2400);
		}
		r.have += (size_t)got;
		if ((rc = take_frames(bus, &r, req, rep, more, errbyte, err,
		    errlen)) != PP_645_MORE)
			return rc;
	}
}

static int
exchange(struct pp__bus *bus, const struct pp__645_frame *req,
    struct pp__645_frame *rep, int *more, int *errbyte, char *err,
    size_t errlen)
{
	uint8_t out[PP_645_FRAMEMAX];
	char what[PP_ERRMAX];
	struct conn *c;
	size_t n;
	int wait_ms;

	bus->fault = PP_FAULT_NONE;
	*errbyte = -1;
	if ((c = conn_of(bus, err, errlen)) == NULL)
		return bus->fault == PP_FAULT_DOWN ? PP_EUNREACH :
		    PP_ECONFIG;
	if (pp__645_encode(req, PP_645_PREAMBLE, out, sizeof(out), &n) !=
	    PP_OK) {
		snprintf(err, errlen, "%s: the frame does not encode",
		    pp__645_control_text(req->control));
		return PP_EINTERNAL;
	}
	/* A late answer to the last request is not this one's. */
	pp__link_drain(c->fd);
	wait_ms = bus->gw.timeout_ms > REPLY_DELAY_MAX_MS ?
	    bus->gw.timeout_ms : REPLY_DELAY_MAX_MS;
	if (pp__link_write(c->fd, out, n, wait_ms) == -1) {
		snprintf(what, sizeof(what), "%s", strerror(errno));
		hang_up(c);
		return no_answer(bus, "send: %s", what, err, errlen);
	}
	if (pp__645_addr_is_broadcast(req->addr))
		return PP_OK;
	return await_reply(bus, c, req, rep, more, errbyte, wait_ms, err,
	    errlen);
}

/*
 * An error reply as the operator must read it: PP_EPERM for a password
 * the meter refused (keys_path: where it came from), else PP_EDATA.
 */
static int
refused(const struct pp__station *at, const char *what, int errbyte,
    const char *keys_path, char *err, size_t errlen)
{
	if ((errbyte & PP_645_ERR_PASSWORD) && keys_path) {
		snprintf(err, errlen, "meter %s refused %s: password error or "
		    "no authority; check its password and operator code in "
		    "%s", at->meter, what, keys_path);
		return PP_EPERM;
	}
	snprintf(err, errlen, "meter %s refused %s: %s", at->meter, what,
	    pp__645_error_text((uint8_t)errbyte));
	return PP_EDATA;
}

static int
station_address(const struct pp__station *at, uint8_t addr[6], char *err,
    size_t errlen)
{
	if (at->address[0] == '\0' || pp__645_addr_parse(at->address, addr,
	    NULL, 0) != PP_OK) {
		snprintf(err, errlen, "meter %s has no DL/T 645 address: load "
		    "the site file again", at->meter);
		return PP_ECONFIG;
	}
	return PP_OK;
}

/*
 * The whole data of a read of di, follow-up frames and all.  An error
 * reply is PP_EDATA with *errbyte its error byte (else -1), except that
 * "no data" is PP_OK with *nodata set: a meter of another make may lack
 * a value.
 */
static int
read_di(struct pp__bus *bus, const struct pp__station *at,
    const uint8_t addr[6], uint32_t di, uint8_t *data, size_t *n, int *nodata,
    int *errbyte, char *err, size_t errlen)
{
	struct pp__645_frame req, rep;
	uint8_t dib[4];
	const uint8_t *part;
	size_t len;
	int more, seq, rc;
	char text[PP_645_DIBUF], what[64];

	*n = 0;
	*nodata = 0;
	pp__645_di_put(di, dib);
	pp__645_build_read(&req, addr, dib);
	for (seq = 0; seq <= MAX_FOLLOW_UPS; seq++) {
		if (seq > 0)
			pp__645_build_read_more(&req, addr, dib, (uint8_t)seq);
		rc = exchange(bus, &req, &rep, &more, errbyte, err, errlen);
		if (rc == PP_EDATA) {
			if (*errbyte == PP_645_ERR_NODATA) {
				*nodata = 1;
				return PP_OK;
			}
			snprintf(what, sizeof(what), "a read of %s",
			    pp__645_di_format(dib, text));
			return refused(at, what, *errbyte, NULL, err, errlen);
		}
		if (rc != PP_OK)
			return rc;
		part = pp__645_reply_data(&rep, &len);
		/* A follow-up frame ends with its sequence number. */
		if (seq > 0 && len > 0)
			len--;
		if (*n + len > PP_645_DATAMAX * (MAX_FOLLOW_UPS + 1))
			break;
		memcpy(data + *n, part, len);
		*n += len;
		if (!more)
			return PP_OK;
	}
	bus->fault = PP_FAULT_ERROR;
	snprintf(err, errlen, "meter %s: too many follow-up frames for %08lX",
	    at->meter, (unsigned long)di);
	return PP_EDATA;
}

static int
value_of(const struct pp__pvalue *v, const uint8_t *data, size_t n,
    int64_t *x)
{
	if ((size_t)(v->offset + v->bytes) > n)
		return PP_EDATA;
	if (v->mask) {
		*x = (pp__645_bin_get(data + v->offset, v->bytes) & v->mask) !=
		    0;
		*x ^= v->invert;
		return PP_OK;
	}
	return pp__645_value_get(data + v->offset, v->bytes, v->flags,
	    v->scale, pp__value_factor(v->name), x);
}

/* The item of block b that value v is, or -1: v is read on its own. */
static int
item_of(const struct pp__645_block *b, const struct pp__pvalue *v)
{
	if (b == NULL || v->mask || v->offset + v->bytes > b->bytes)
		return -1;
	return pp__645_block_item(b, v->di);
}

/*
 * Take value j of p from data[0..n), the data of its DI; done[] says it
 * is read.  PP_EDATA for no number of the profile's format.
 */
static int
take_value(struct pp__bus *bus, const struct pp__station *at,
    const struct pp__profile *p, int j, const uint8_t *data, size_t n,
    struct pp__values *out, int *done, char *err, size_t errlen)
{
	const struct pp__pvalue *v = &p->values[j];
	int64_t x;

	done[j] = 1;
	if (value_of(v, data, n, &x) != PP_OK) {
		bus->fault = PP_FAULT_ERROR;
		snprintf(err, errlen, "meter %s: %s in %08lX is no number of "
		    "the profile's format", at->meter, v->name,
		    (unsigned long)v->di);
		return PP_EDATA;
	}
	pp__values_set(out, v->name, x);
	return PP_OK;
}

/* The identifiers still to read that block b would carry, distinct. */
static int
block_worth(const struct pp__profile *p, const struct pp__645_block *b,
    const int *done)
{
	uint32_t seen = 0;
	int i, item, n = 0;

	for (i = 0; i < p->nvalues; i++)
		if (!done[i] && (item = item_of(b, &p->values[i])) >= 0 &&
		    !(seen & 1u << item)) {
			seen |= 1u << item;
			n++;
		}
	return n;
}

/*
 * Read p's block k in one exchange, when it carries two identifiers or
 * more still to read, and take their values.  A meter that answers it
 * with an error reply is read by single identifiers instead, and
 * bus->refused says so, for the caller to remember (readclass.c).  An
 * item past a short reply (fewer rates) is read on its own.
 */
static int
read_block(struct pp__bus *bus, const struct pp__station *at,
    const struct pp__profile *p, const uint8_t addr[6], int k,
    struct pp__values *out, int *done, char *err, size_t errlen)
{
	const struct pp__645_block *b = pp__645_block_find(p->blocks[k]);
	uint8_t data[PP_645_DATAMAX * (MAX_FOLLOW_UPS + 1)];
	size_t n, at_item;
	int i, item, nodata, errbyte, rc;

	if (b == NULL || (at->noblocks & 1u << k) || block_worth(p, b,
	    done) < 2)
		return PP_OK;
	rc = read_di(bus, at, addr, b->di, data, &n, &nodata, &errbyte, err,
	    errlen);
	if ((rc == PP_EDATA && errbyte >= 0) || (rc == PP_OK && nodata)) {
		bus->refused |= 1u << k;
		bus->fault = PP_FAULT_NONE;
		return PP_OK;
	}
	if (rc != PP_OK)
		return rc;
	for (i = 0; i < p->nvalues; i++) {
		if (done[i] || (item = item_of(b, &p->values[i])) < 0)
			continue;
		at_item = (size_t)item * (size_t)b->bytes;
		if (at_item + (size_t)b->bytes > n)
			continue;
		if ((rc = take_value(bus, at, p, i, data + at_item,
		    (size_t)b->bytes, out, done, err, errlen)) != PP_OK)
			return rc;
	}
	return PP_OK;
}

/*
 * The values of mask: the profile's blocks first, then one read for each
 * data identifier left, whatever values share it (doc/design.md, "Data
 * blocks").
 */
static int
dlt645_read(struct pp__bus *bus, const struct pp__station *at,
    const struct pp__profile *p, uint64_t mask, struct pp__values *out,
    char *err, size_t errlen)
{
	uint8_t addr[6], data[PP_645_DATAMAX * (MAX_FOLLOW_UPS + 1)];
	size_t n;
	int i, j, k, rc, nodata, errbyte, done[PP_MAXVALUES] = { 0 };

	bus->fault = PP_FAULT_NONE;
	if ((rc = station_address(at, addr, err, errlen)) != PP_OK)
		return rc;
	for (i = 0; i < p->nvalues; i++)
		done[i] = i >= 64 || !(mask & (uint64_t)1 << i);
	for (k = 0; k < p->nblocks; k++)
		if ((rc = read_block(bus, at, p, addr, k, out, done, err,
		    errlen)) != PP_OK)
			return rc;
	for (i = 0; i < p->nvalues; i++) {
		if (done[i])
			continue;
		if ((rc = read_di(bus, at, addr, p->values[i].di, data, &n,
		    &nodata, &errbyte, err, errlen)) != PP_OK)
			return rc;
		for (j = i; j < p->nvalues; j++) {
			if (done[j] || p->values[j].di != p->values[i].di)
				continue;
			done[j] = 1;
			if (!nodata && (rc = take_value(bus, at, p, j, data, n,
			    out, done, err, errlen)) != PP_OK)
				return rc;
		}
	}
	return PP_OK;
}

/* The key file, read once a bus; its problems are the site's to fix. */
static int
keys_for(struct pp__bus *bus, const struct pp__station *at, uint8_t pw[4],
    uint8_t op[4], char *path, size_t pathlen, char *err, size_t errlen)
{
	struct conn *c = bus->dlt645;
	int rc;

	pp__keys_path(bus->dbpath, path, pathlen);
	if (c->keys == NULL && (rc = pp__keys_load(path, &c->keys, err,
	    errlen)) != PP_OK)
		return rc;
	return pp__keys_find(c->keys, bus->gw.name, at->meter, pw, op, err,
	    errlen);
}

static int
dlt645_write(struct pp__bus *bus, const struct pp__station *at,
    const struct pp__profile *p, const struct pp__pwrite *w,
    const struct pp__values *args, char *err, size_t errlen)
{
	struct pp__645_frame req, rep;
	struct pp__645_time until;
	uint8_t addr[6], pw[4], op[4], di[4], data[8];
	char path[1100], what[64];
	int i, rc, more, errbyte;

	(void)p;
	bus->fault = PP_FAULT_NONE;
	if ((rc = station_address(at, addr, err, errlen)) != PP_OK)
		return rc;
	if (conn_of(bus, err, errlen) == NULL)
		return bus->fault == PP_FAULT_DOWN ? PP_EUNREACH : PP_ECONFIG;
	/* Time needs no password: every meter of the bus takes it. */
	if (w->broadcast) {
		int64_t clock;

		if (!pp__values_get(args, "clock", &clock)) {
			snprintf(err, errlen, "%s needs clock", w->name);
			return PP_EUSAGE;
		}
		if (pp__645_time_local(clock, &until) != PP_OK ||
		    pp__645_build_time(&req, &until) != PP_OK) {
			snprintf(err, errlen, "%s: the clock is past what "
			    "DL/T 645 can say", w->name);
			return PP_EINTERNAL;
		}
		return exchange(bus, &req, &rep, &more, &errbyte, err, errlen);
	}
	if ((rc = keys_for(bus, at, pw, op, path, sizeof(path), err,
	    errlen)) != PP_OK) {
		bus->fault = PP_FAULT_ERROR;
		return rc;
	}
	if (w->relay) {
		if (pp__645_time_local(pp_now() + RELAY_VALID_S, &until) !=
		    PP_OK || pp__645_build_relay(&req, addr, pw, op,
		    (uint8_t)w->relay, 0, &until) != PP_OK) {
			snprintf(err, errlen, "%s: the clock is past what "
			    "DL/T 645 can say", w->name);
			return PP_EINTERNAL;
		}
		rc = exchange(bus, &req, &rep, &more, &errbyte, err, errlen);
		if (rc == PP_EDATA)
			return refused(at, w->name, errbyte, path, err, errlen);
		return rc;
	}
	for (i = 0; i < w->nfields; i++) {
		const struct pp__pfield *f = &w->fields[i];
		int64_t v, factor;

		if ((rc = pp__field_value(w, f, args, &v, &factor, err,
		    errlen)) != PP_OK)
			return rc;
		if (pp__645_value_put(v, f->bytes, f->flags, f->scale, factor,
		    data) != PP_OK) {
			snprintf(err, errlen, "%s: %s %lld does not fit the "
			    "meter's format", w->name, f->arg[0] ? f->arg :
			    "value", (long long)v);
			return PP_EDATA;
		}
		pp__645_di_put(f->di, di);
		if (pp__645_build_write(&req, addr, di, pw, op, data,
		    (size_t)f->bytes) != PP_OK) {
			snprintf(err, errlen, "%s: the frame is too long",
			    w->name);
			return PP_EINTERNAL;
		}
		rc = exchange(bus, &req, &rep, &more, &errbyte, err, errlen);
		if (rc == PP_EDATA) {
			snprintf(what, sizeof(what), "%s (%08lX)", w->name,
			    (unsigned long)f->di);
			return refused(at, what, errbyte, path, err, errlen);
		}
		if (rc != PP_OK)
			return rc;
	}
	return PP_OK;
}

static int
dlt645_discover(struct pp__bus *bus, char address[16], char *err,
    size_t errlen)
{
	struct pp__645_frame req, rep;
	int more, errbyte, rc;

	pp__645_build_read_addr(&req);
	rc = exchange(bus, &req, &rep, &more, &errbyte, err, errlen);
	if (rc == PP_EUNREACH && bus->fault == PP_FAULT_TIMEOUT)
		snprintf(err, errlen, "no meter answered, or more than one at "
		    "once: a bus tells its address with one meter attached");
	if (rc != PP_OK)
		return rc;
	pp__645_addr_format(rep.addr, address);
	return PP_OK;
}

static void
dlt645_close(struct pp__bus *bus)
{
	struct conn *c = bus->dlt645;

	if (c == NULL)
		return;
	hang_up(c);
	pp__keys_free(c->keys);
	free(c);
	bus->dlt645 = NULL;
}

const struct pp__driver pp_dlt645_driver = {
	"dlt645", dlt645_read, dlt645_write, dlt645_close, dlt645_discover
};
