/*
 * time: the local calendar, and the one function that shares energy out
 * over time (pp__apportion), checked for its properties over many random
 * intervals and cuts, in Shanghai's zone and in one with daylight saving.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "tap.h"

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

/* xorshift64*: the same numbers on every run. */
static int64_t
rnd(int64_t lo, int64_t hi)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return lo + (int64_t)((rng * 2685821657736338717ULL) %
	    (uint64_t)(hi - lo + 1));
}

/* |piece - total * len / span| < 1, in integers. */
static int
near_true_share(int64_t piece, int64_t total, int64_t len, int64_t span)
{
	__int128 d = (__int128)piece * span - (__int128)total * len;

	return d > -(__int128)span && d < (__int128)span;
}

/* Cut [from, to) at every unit boundary; check the pieces. */
static int
cut_by(int64_t total, int64_t from, int64_t to, enum pp__unit unit,
    int64_t *sum)
{
	int64_t a, b, piece;
	int good = 1;

	*sum = 0;
	for (a = from; a < to; a = b) {
		b = pp__unit_next(a, unit);
		if (b > to)
			b = to;
		piece = pp__apportion(total, from, to, b) -
		    pp__apportion(total, from, to, a);
		if (!near_true_share(piece, total, b - a, to - from) ||
		    (total >= 0 && piece < 0))
			good = 0;
		*sum += piece;
	}
	return good;
}

/* The hours of each day add up to that day's piece. */
static int
hours_make_days(int64_t total, int64_t from, int64_t to)
{
	int64_t day, next, h, hn, hours;

	for (day = from; day < to; day = next) {
		next = pp__unit_next(day, PP_DAY);
		if (next > to)
			next = to;
		hours = 0;
		for (h = day; h < next; h = hn) {
			hn = pp__unit_next(h, PP_HOUR);
			if (hn > next)
				hn = next;
			hours += pp__apportion(total, from, to, hn) -
			    pp__apportion(total, from, to, h);
		}
		if (hours != pp__apportion(total, from, to, next) -
		    pp__apportion(total, from, to, day))
			return 0;
	}
	return 1;
}

static void
apportion_properties(const char *zone)
{
	int i, sums = 1, near = 1, nested = 1;
	int64_t from, to, total, sum;

	for (i = 0; i < 2000; i++) {
		from = rnd(1700000000, 1800000000);
		to = from + rnd(1, 10 * 86400);
		total = i % 10 == 0 ? rnd(-1000000, 1000000) :
		    rnd(0, INT64_C(1000000000000));
		if (!cut_by(total, from, to, i % 2 ? PP_DAY : PP_HOUR, &sum))
			near = 0;
		if (sum != total)
			sums = 0;
		if (i < 300 && !hours_make_days(total, from, to))
			nested = 0;
	}
	ok(sums, "%s: the pieces of 2000 intervals add up to their totals",
	    zone);
	ok(near, "%s: each piece is within 1 Wh of its true share, and none "
	    "of a positive total is negative", zone);
	ok(nested, "%s: each day's hours add up to the day's piece", zone);
}

static void
calendar(const char *zone, int dst)
{
	int64_t t, s, n, longest = 0, shortest = INT64_MAX;
	int i, good = 1;

	for (i = 0; i < 800; i++) {
		t = INT64_C(1700000000) + (int64_t)i * 43201;
		s = pp__unit_start(t, PP_DAY);
		n = pp__unit_next(t, PP_DAY);
		if (!(s <= t && t < n && pp__unit_start(s, PP_DAY) == s &&
		    pp__unit_start(n - 1, PP_DAY) == s &&
		    pp__clock_minutes(s) == 0))
			good = 0;
		if (n - s > longest)
			longest = n - s;
		if (n - s < shortest)
			shortest = n - s;
		if (!(pp__unit_start(t, PP_MONTH) <= s &&
		    pp__unit_next(t, PP_MONTH) >= n &&
		    pp__unit_start(t, PP_YEAR) <= pp__unit_start(t, PP_MONTH)))
			good = 0;
	}
	ok(good, "%s: a time lies in its day, month and year, which start "
	    "at local midnight", zone);
	if (dst)
		ok(shortest == 23 * 3600 && longest == 25 * 3600,
		    "%s: days of 23 and 25 hours at the changes", zone);
	else
		ok(shortest == 86400 && longest == 86400,
		    "%s: every day is 24 hours", zone);
}

/*
 * pp_time_format, which keeps the last few quarters of an hour it turned
 * into local time, against localtime() itself: times at random around a
 * year's changes of offset, each followed by one in the quarter of the
 * one before (as a report's rows alternate), in zone.
 */
static void
format_matches(const char *zone)
{
	char got[PP_TIMEBUF], want[PP_TIMEBUF];
	int64_t t[3], base = INT64_C(1767196800), last = base;
	time_t tt;
	struct tm tm;
	int i, k, bad = 0;

	setenv("TZ", zone, 1);
	tzset();
	for (i = 0; i < 20000 && !bad; i++) {
		/* A time, one near it, and the last round's first again. */
		t[0] = base + rnd(-86400, 366 * 86400);
		t[1] = t[0] + rnd(-899, 899);
		t[2] = last;
		last = t[0];
		for (k = 0; k < 3 && !bad; k++) {
			pp_time_format(t[k], got);
			tt = (time_t)t[k];
			localtime_r(&tt, &tm);
			strftime(want, sizeof(want), "%Y-%m-%d %H:%M:%S", &tm);
			if (strcmp(got, want) != 0) {
				diag("%s: %lld is %s, not %s", zone,
				    (long long)t[k], want, got);
				bad = 1;
			}
		}
	}
	ok(!bad, "%s: times as localtime() gives them", zone);
}

int
main(void)
{
	int64_t t = INT64_C(1767196800);	/* 2026-01-01 00:00 Shanghai */

	setenv("TZ", "Asia/Shanghai", 1);
	tzset();
	is_int(pp__unit_next(t + 5, PP_DAY) - t, 86400, "the next midnight");
	is_int(pp__day_at(t + 3600, 1, 1500) - t, 86400 + 1500 * 60,
	    "midnight a day on, plus minutes past a day");
	is_int(pp__clock_minutes(t + 22 * 3600 + 5 * 60), 22 * 60 + 5,
	    "the wall clock in minutes");
	is_int(pp__apportion(100, t, t, t), 0,
	    "an interval of no length: nothing before its instant");
	is_int(pp__apportion(100, t, t, t + 1), 100,
	    "and all of it in the piece that starts there");
	is_int(pp__apportion(10, 0, 4, 1) + (pp__apportion(10, 0, 4, 2) -
	    pp__apportion(10, 0, 4, 1)), 5, "10 over four: 2 then 3");
	is_int(pp__unit_start(t + 29 * 60 + 59, PP_HALFHOUR) - t, 0,
	    "00:29:59 is in the half hour from 00:00");
	is_int(pp__unit_start(t + 30 * 60, PP_HALFHOUR) - t, 1800,
	    "00:30:00 starts the next");
	is_int(pp__unit_next(t + 23 * 3600 + 45 * 60, PP_HALFHOUR) - t, 86400,
	    "the last half hour of a day ends at midnight");
	calendar("Asia/Shanghai", 0);
	apportion_properties("Asia/Shanghai");
	setenv("TZ", "America/New_York", 1);
	tzset();
	calendar("America/New_York", 1);
	apportion_properties("America/New_York");
	format_matches("America/New_York");
	format_matches("Australia/Lord_Howe");
	format_matches("Asia/Kathmandu");
	format_matches("Asia/Shanghai");
	return done_testing();
}
