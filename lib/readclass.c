/*
 * readclass.c: what a poll reads of a meter (doc/design.md, "Value
 * classes" and "Data blocks").  Every poll reads the fast class of the
 * meter's profile; one poll in slow_every, counted per meter, reads every
 * value.  A DL/T 645 meter that answered one of its profile's data blocks
 * with an error reply is not asked that block again for 30 days, or
 * until the meter's profile changes: a meter put in its place is tried.
 */
#include <string.h>

#include "internal.h"
#include "field.h"
#include "dlt645.h"

#define SLOW_EVERY	10		/* the site's default slow_every */
#define SLOW_EVERY_MAX	10000
#define BLOCK_MEMORY_S	(30 * 86400)	/* how long a refusal is kept */

/* A block's DI as it is stored: "0001FF00". */
static char *
di_text(uint32_t di, char buf[PP_645_DIBUF])
{
	uint8_t b[4];

	pp__645_di_put(di, b);
	return pp__645_di_format(b, buf);
}

/* The blocks of p this meter refused lately, as bits of p->blocks. */
static int
noblocks_of(pp_db *db, int64_t meter_id, const struct pp__profile *p,
    uint32_t *bits)
{
	pp__st *st;
	char got[PP_645_DIBUF], want[PP_645_DIBUF];
	int k, rc;

	*bits = 0;
	if (p->nblocks == 0)
		return PP_OK;
	if ((st = pp__stmt(db, "SELECT di FROM meter_blocks WHERE meter_id = ? "
	    "AND profile = ? AND since > ?")) == NULL)
		return pp__errcode(db);
	pp__bind_int64(st, 1, meter_id);
	pp__bind_copy(st, 2, p->name);
	pp__bind_int64(st, 3, pp_now() - BLOCK_MEMORY_S);
	while ((rc = pp__step(st)) == PP__ROW) {
		pp__col_text(st, 0, got, sizeof(got));
		for (k = 0; k < p->nblocks; k++)
			if (strcmp(di_text(p->blocks[k], want), got) == 0)
				*bits |= 1u << k;
	}
	pp__reset(st);
	return rc == PP__DONE ? PP_OK : pp__sqlfail(db, "meter_blocks");
}

/* Remember the blocks of p the meter refused now (bits of p->blocks). */
static int
remember_refusals(pp_db *db, int64_t meter_id, const struct pp__profile *p,
    uint32_t bits)
{
	char di[PP_645_DIBUF];
	int k, rc;

	for (k = 0; k < p->nblocks; k++) {
		if (!(bits & 1u << k))
			continue;
		if ((rc = pp__exec(db, "INSERT INTO meter_blocks(meter_id, di, "
		    "profile, since) VALUES (?, ?, ?, ?) ON CONFLICT(meter_id, "
		    "di) DO UPDATE SET profile = excluded.profile, since = "
		    "excluded.since", "itti", meter_id, di_text(p->blocks[k],
		    di), p->name, pp_now())) != PP_OK)
			return rc;
	}
	return PP_OK;
}

/*
 * The meter's polls since the last that read everything; -1 for a meter
 * never polled here, whose first poll reads everything.
 */
static int
fast_polls_of(pp_db *db, int64_t meter_id, int64_t *n)
{
	int rc;

	rc = pp__query_int(db, n, "SELECT fast_polls FROM meter_classes WHERE "
	    "meter_id = ?", "i", meter_id);
	if (rc == PP_EDATA) {
		*n = -1;
		return PP_OK;
	}
	return rc;
}

/*
 * Read mask of the meter, not asking the blocks it refused lately, and
 * keeping a new refusal.
 */
static int
read_refusing(pp_db *db, struct pp__bus *bus, int64_t meter_id,
    const struct pp__station *at, const struct pp__profile *p, uint64_t mask,
    struct pp__values *out, char *err, size_t errlen)
{
	struct pp__station st = *at;
	int rc;

	if ((rc = noblocks_of(db, meter_id, p, &st.noblocks)) != PP_OK) {
		snprintf(err, errlen, "%s", pp_errmsg(db));
		return rc;
	}
	rc = pp__bus_read(bus, &st, p, mask, out, err, errlen);
	if ((bus->refused & ~st.noblocks) && remember_refusals(db, meter_id,
	    p, bus->refused & ~st.noblocks) != PP_OK && rc == PP_OK) {
		snprintf(err, errlen, "%s", pp_errmsg(db));
		return PP_EINTERNAL;
	}
	return rc;
}

int
pp__meter_read(pp_db *db, struct pp__bus *bus, int64_t meter_id,
    const struct pp__station *at, const struct pp__profile *p, int all,
    struct pp__values *out, char *err, size_t errlen)
{
	int64_t every, fast;
	int rc;

	every = pp__setting_int(db, "slow_every", SLOW_EVERY);
	if (every < 1 || every > SLOW_EVERY_MAX)
		every = SLOW_EVERY;
	if ((rc = fast_polls_of(db, meter_id, &fast)) != PP_OK) {
		snprintf(err, errlen, "%s", pp_errmsg(db));
		return rc;
	}
	/* After every - 1 polls of the fast class, one of everything. */
	if (fast < 0 || fast >= every - 1)
		all = 1;
	rc = read_refusing(db, bus, meter_id, at, p,
	    pp__profile_class_mask(p, all), out, err, errlen);
	if (rc == PP_OK) {
		out->counted = 1;
		out->fast_polls = all ? 0 : fast + 1;
	}
	return rc;
}

int
pp__meter_read_all(pp_db *db, struct pp__bus *bus, int64_t meter_id,
    const struct pp__station *at, const struct pp__profile *p,
    struct pp__values *out, char *err, size_t errlen)
{
	return read_refusing(db, bus, meter_id, at, p, pp__plan_all(p), out,
	    err, errlen);
}

int
pp__meter_classes_store(pp_db *db, int64_t meter_id,
    const struct pp__values *v)
{
	if (!v->counted)
		return PP_OK;
	return pp__exec(db, "INSERT INTO meter_classes(meter_id, fast_polls) "
	    "VALUES (?1, ?2) ON CONFLICT(meter_id) DO UPDATE SET fast_polls = "
	    "?2", "ii", meter_id, v->fast_polls);
}
