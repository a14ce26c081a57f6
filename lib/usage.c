/*
 * usage.c: the usage report, one meter's load profile by hour or day,
 * shared out from its readings the way the daily roll-up charged them.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report.h"

/* The most hours or days one usage report shows. */
#define USAGE_MAX	100000

/* The bucket holding t, or -1. */
static long
bucket_of(const struct pp__bucket *b, long n, int64_t t)
{
	long lo = 0, hi = n - 1, mid;

	if (n == 0 || t < b[0].start || t >= b[n - 1].end)
		return -1;
	while (lo < hi) {
		mid = (lo + hi + 1) / 2;
		if (b[mid].start <= t)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

/*
 * Share wh used over [from, to] out to the buckets by time, as the daily
 * roll-up does (pp__apportion): an hour's pieces add up to its day's.
 * Only what falls between the first bucket's start and the last one's
 * end counts, so that a caller may narrow those two to the very second.
 */
static void
share_out(struct pp__bucket *b, long n, enum pp__unit unit, int64_t from,
    int64_t to, int64_t wh)
{
	int64_t at, end, lo, hi;
	long k;

	if (to <= from)
		from = to;
	for (at = from; ; at = end) {
		end = pp__unit_next(at, unit);
		lo = at > b[0].start ? at : b[0].start;
		hi = end < b[n - 1].end ? end : b[n - 1].end;
		if (lo < hi && (k = bucket_of(b, n, lo)) >= 0) {
			b[k].wh += pp__apportion(wh, from, to, hi) -
			    pp__apportion(wh, from, to, lo);
			if ((hi < to ? hi : to) > lo)
				b[k].covered += (hi < to ? hi : to) - lo;
		}
		if (end >= to)
			return;
	}
}

static const pp_column usage_cols[] = {
	{ NULL, PP_COL_TEXT }, { "energy_kwh", PP_COL_KWH },
	{ "power_w", PP_COL_INT },
};

static int
usage_check(struct pp__run *run)
{
	const char *by = run->opts.by;
	int rc;

	if (by == NULL || (strcmp(by, "hour") && strcmp(by, "day")))
		return pp__fail(run->db, PP_EUSAGE, "usage needs --by hour or "
		    "--by day");
	if ((rc = pp__report_meter_id(run)) != PP_OK ||
	    (rc = pp__report_need_times(run)) != PP_OK)
		return rc;
	return PP_OK;
}

int
pp__usage_buckets(pp_db *db, int64_t from, int64_t to, enum pp__unit unit,
    struct pp__bucket **bp, long *np)
{
	struct pp__bucket *b = NULL;
	size_t cap = 0;
	long n = 0;
	int64_t t;

	for (t = pp__unit_start(from, unit); t < to; t = pp__unit_next(t,
	    unit)) {
		if (n == USAGE_MAX) {
			free(b);
			return pp__fail(db, PP_EUSAGE, "more than %d hours or "
			    "days: narrow --from and --to", USAGE_MAX);
		}
		if (pp_grow(&b, &cap, (size_t)n + 1, sizeof(*b)) != PP_OK) {
			free(b);
			return pp__fail(db, PP_EINTERNAL, "out of memory");
		}
		b[n].start = t;
		b[n].end = pp__unit_next(t, unit);
		b[n].wh = b[n].covered = 0;
		n++;
	}
	*bp = b;
	*np = n;
	return PP_OK;
}

/*
 * Consecutive good readings, from the last one before the first bucket
 * to the first one after the last: what poll.c charged.
 */
int
pp__usage_share(pp_db *db, int64_t meter_id, enum pp__unit unit,
    struct pp__bucket *b, long n)
{
	pp__st *st;
	int64_t t, prev_t = 0, prev_e = 0, e;
	int rc, have = 0;

	if (n == 0)
		return PP_OK;
	if ((st = pp__stmt(db,
	    "SELECT time, energy_wh FROM readings WHERE "
	    "meter_id = ?1 AND flag IS NULL AND energy_wh IS NOT NULL AND "
	    "time >= coalesce(" PP__READING_FIRST("r.time", "?1",
	    PP__READING_GOOD " AND r.time < ?2", "DESC") ", ?2) "
	    "AND time <= coalesce(" PP__READING_FIRST("r.time", "?1",
	    PP__READING_GOOD " AND r.time >= ?3", "") ", ?3) ORDER BY time, "
	    "id")) == NULL)
		return PP_EINTERNAL;
	pp__bind_int64(st, 1, meter_id);
	pp__bind_int64(st, 2, b[0].start);
	pp__bind_int64(st, 3, b[n - 1].end);
	while ((rc = pp__step(st)) == PP__ROW) {
		t = pp__col_int64(st, 0);
		e = pp__col_int64(st, 1);
		if (have && e >= prev_e)
			share_out(b, n, unit, prev_t, t, e - prev_e);
		if (!have || e >= prev_e) {
			prev_t = t;
			prev_e = e;
		}
		have = 1;
	}
	pp__reset(st);
	return rc == PP__DONE ? PP_OK : pp__sqlfail(db, "readings");
}

/*
 * A bucket no reading spans shows nothing, for nothing is known of it;
 * its bar still has what the bucket holds.
 */
static int
usage_emit(struct pp__run *run, enum pp__unit unit, const struct pp__bucket *b)
{
	char label[PP_TIMEBUF];
	pp_cell c[3];

	if (unit == PP_HOUR)
		pp__hour_format(b->start, label);
	else
		pp__day_format(b->start, label);
	memset(c, 0, sizeof(c));
	c[0] = PP__TEXT(label);
	c[1] = (pp_cell){ .set = b->covered != 0, .i = b->wh };
	if (b->covered)
		c[2] = PP__INT((b->wh * 3600 + b->covered / 2) / b->covered);
	return pp__report_emit(run, c);
}

static int
usage_rows(struct pp__run *run)
{
	struct pp__bucket *b = NULL;
	long n = 0, k;
	enum pp__unit unit = strcmp(run->opts.by, "hour") == 0 ? PP_HOUR :
	    PP_DAY;
	int rc;

	if ((rc = pp__usage_buckets(run->db, run->opts.from, run->opts.to,
	    unit, &b, &n)) == PP_OK &&
	    (rc = pp__usage_share(run->db, run->id, unit, b, n)) == PP_OK &&
	    (rc = pp__report_open(run)) == PP_OK)
		for (k = 0; k < n && rc == PP_OK; k++)
			rc = usage_emit(run, unit, &b[k]);
	free(b);
	return rc;
}

const struct pp_report pp__report_usage = {
	.info = { "usage", "METER --from T --to T --by hour|day [--chart]",
	    PP_OPERAND_METER, 1 },
	.cols = usage_cols,
	.ncols = PP__NELEM(usage_cols),
	.chart_value = 1,
	.check = usage_check,
	.rows = usage_rows,
};
