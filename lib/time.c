/*
 * time.c: all of prepay's time.  Times are stored as Unix seconds (UTC)
 * and shown and entered in local time; the calendar (days, hours, tier
 * periods) is the local one, and daylight saving is mktime's to resolve.
 * Energy used over an interval is shared out over its days, hours or
 * tariff windows by one function, pp__apportion, so that every table and
 * report that splits it agrees to the watt-hour (doc/design.md, "Time").
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"

/*
 * Without TZ, the C library's mktime looks at /etc/localtime again each
 * call (a stat, three a stored reading, the better part of a poll's
 * system time): naming the same file in TZ makes it read once.  The zone
 * a process started with is the one it keeps, a poller too until it is
 * restarted.  pp_db_open calls it, from a poll's workers too (poll.c):
 * once per process, since setenv races every other thread's getenv.
 */
static void
zone_set(void)
{
	if (getenv("TZ") == NULL)
		setenv("TZ", ":/etc/localtime", 0);
	tzset();
}

void
pp__zone_once(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, zone_set);
}

/*
 * The test suite's clock, as git's fixes its own: PREPAY_NOW holds Unix
 * seconds or a local time.  Only a trusted caller's (root, the service
 * group; privilege.c), because the tools run setgid: a caller outside the
 * group must not date the ledger.
 */
static int
now_override(int64_t *t, char *err, size_t errlen)
{
	const char *s;
	char *end;
	long long v;

	if ((s = pp__priv_getenv("PREPAY_NOW")) == NULL || *s == '\0')
		return 0;
	if (*s >= '0' && *s <= '9' && strchr(s, '-') == NULL) {
		errno = 0;
		v = strtoll(s, &end, 10);
		if (errno == 0 && *end == '\0' && v <= INT64_C(253402300799)) {
			*t = v;
			return 1;
		}
	} else if (pp_time_parse(s, t, err, errlen) == PP_OK)
		return 1;
	snprintf(err, errlen, "PREPAY_NOW \"%.40s\": use Unix seconds or "
	    "YYYY-MM-DD HH:MM:SS", s);
	return -1;
}

int64_t
pp_now(void)
{
	char err[128];
	int64_t t;

	/* A malformed value was refused by pp_now_check already. */
	if (now_override(&t, err, sizeof(err)) == 1)
		return t;
	return (int64_t)time(NULL);
}

/*
 * The clock stands still at PREPAY_NOW: what waits for it to move (a
 * continuous poll's pause between cycles) does not wait.
 */
int
pp__clock_fixed(void)
{
	char err[128];
	int64_t t;

	return now_override(&t, err, sizeof(err)) == 1;
}

int
pp_now_check(char *err, size_t errlen)
{
	int64_t t;

	return now_override(&t, err, errlen) < 0 ? PP_EUSAGE : PP_OK;
}

static int
days_in_month(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return days[m - 1];
}

/* s matches pattern, where '9' stands for any digit. */
static int
shaped(const char *s, const char *pattern)
{
	for (; *pattern; s++, pattern++)
		if (*pattern == '9' ? (*s < '0' || *s > '9') : *s != *pattern)
			return 0;
	return *s == '\0';
}

int
pp_time_parse(const char *s, int64_t *t, char *err, size_t errlen)
{
	static const char *const forms[] = { "9999", "9999-99", "9999-99-99",
	    "9999-99-99 99:99", "9999-99-99 99:99:99" };
	int y, mo = 1, d = 1, h = 0, mi = 0, sec = 0;
	size_t i, len = s ? strlen(s) : 0;
	struct tm tm;
	time_t tt;

	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++)
		if (s && shaped(s, forms[i]))
			break;
	if (i == sizeof(forms) / sizeof(forms[0])) {
		snprintf(err, errlen, "time \"%s\": use YYYY, YYYY-MM, "
		    "YYYY-MM-DD or YYYY-MM-DD HH:MM[:SS]", pp_q(s));
		return PP_EDATA;
	}
	/* The shape is checked: every field is digits at a fixed place. */
	y = atoi(s);
	if (len >= 7)
		mo = atoi(s + 5);
	if (len >= 10)
		d = atoi(s + 8);
	if (len >= 16) {
		h = atoi(s + 11);
		mi = atoi(s + 14);
	}
	if (len == 19)
		sec = atoi(s + 17);
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 ||
	    d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 59) {
		snprintf(err, errlen, "time \"%s\": no such date or time", s);
		return PP_EDATA;
	}
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	tm.tm_isdst = -1;
	if ((tt = mktime(&tm)) == (time_t)-1) {
		snprintf(err, errlen, "time \"%s\": out of range", s);
		return PP_EDATA;
	}
	*t = (int64_t)tt;
	return PP_OK;
}

/*
 * The local time of t, from one of the last few quarters of an hour this
 * thread asked for: every zone's offset, and each change of it, falls on
 * a quarter (but in the zones' first years, of odd offsets), so within one
 * only the minutes and seconds differ.  A report's rows share a few times
 * (each row of report counters two), and localtime() was a tenth of it.
 */
#define QUARTERS	4

static int
local_tm(int64_t t, struct tm *tm)
{
	static __thread struct {
		int		set;
		int64_t		q;
		struct tm	start;
	} memo[QUARTERS];
	static __thread int next;
	static __thread char zone[64];
	const char *tz = getenv("TZ");
	int64_t q = t >= 0 ? t / 900 : -((899 - t) / 900);
	time_t tt;
	int i;

	/* Quarters of another zone's are no use. */
	if (strncmp(zone, tz ? tz : "", sizeof(zone)) != 0) {
		memset(memo, 0, sizeof(memo));
		snprintf(zone, sizeof(zone), "%s", tz ? tz : "");
	}
	for (i = 0; i < QUARTERS && !(memo[i].set && memo[i].q == q); i++)
		;
	if (i == QUARTERS) {
		i = next;
		next = (next + 1) % QUARTERS;
		tt = (time_t)(q * 900);
		memo[i].set = 0;
		if (localtime_r(&tt, &memo[i].start) == NULL)
			return -1;
		if (memo[i].start.tm_sec != 0 || memo[i].start.tm_min % 15) {
			tt = (time_t)t;
			return localtime_r(&tt, tm) == NULL ? -1 : 0;
		}
		memo[i].set = 1;
		memo[i].q = q;
	}
	*tm = memo[i].start;
	tm->tm_min += (int)((t - q * 900) / 60);
	tm->tm_sec = (int)((t - q * 900) % 60);
	return 0;
}

static char *
format_local(int64_t t, const char *fmt, char buf[PP_TIMEBUF])
{
	struct tm tm;

	if (local_tm(t, &tm) == -1 ||
	    strftime(buf, PP_TIMEBUF, fmt, &tm) == 0)
		snprintf(buf, PP_TIMEBUF, "@%lld", (long long)t);
	return buf;
}

char *
pp_time_format(int64_t t, char buf[PP_TIMEBUF])
{
	return format_local(t, "%Y-%m-%d %H:%M:%S", buf);
}

char *
pp__day_format(int64_t t, char buf[PP_TIMEBUF])
{
	return format_local(t, "%Y-%m-%d", buf);
}

char *
pp__hour_format(int64_t t, char buf[PP_TIMEBUF])
{
	return format_local(t, "%Y-%m-%d %H:00", buf);
}

/*
 * The local calendar.  Each is mktime over the broken-down local time, so
 * a day is 23 or 25 hours across a daylight-saving change where the zone
 * has one.
 */
static int64_t
local_set(int64_t t, enum pp__unit unit, int ahead)
{
	time_t tt = (time_t)t;
	struct tm tm;
	int half;

	localtime_r(&tt, &tm);
	half = unit == PP_HALFHOUR && tm.tm_min >= 30;
	tm.tm_min = half ? 30 : 0;
	tm.tm_sec = 0;
	switch (unit) {
	case PP_YEAR:
		tm.tm_mon = 0;
		/* FALLTHROUGH */
	case PP_MONTH:
		tm.tm_mday = 1;
		/* FALLTHROUGH */
	case PP_DAY:
		tm.tm_hour = 0;
		/* FALLTHROUGH */
	case PP_HOUR:
	case PP_HALFHOUR:
		break;
	}
	if (ahead)
		switch (unit) {
		case PP_YEAR:	tm.tm_year++; break;
		case PP_MONTH:	tm.tm_mon++; break;
		case PP_DAY:	tm.tm_mday++; break;
		case PP_HOUR:	tm.tm_hour++; break;
		case PP_HALFHOUR: tm.tm_min += 30; break;
		}
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm);
}

int64_t
pp__unit_start(int64_t t, enum pp__unit unit)
{
	return local_set(t, unit, 0);
}

int64_t
pp__unit_next(int64_t t, enum pp__unit unit)
{
	return local_set(t, unit, 1);
}

int64_t
pp__day_at(int64_t t, int days, int minutes)
{
	time_t tt = (time_t)t;
	struct tm tm;

	localtime_r(&tt, &tm);
	tm.tm_mday += days;
	tm.tm_hour = 0;
	tm.tm_min = minutes;
	tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm);
}

int
pp__local_tm(int64_t t, struct tm *tm)
{
	time_t tt = (time_t)t;

	return localtime_r(&tt, tm) == NULL ? PP_EDATA : PP_OK;
}

int
pp__clock_minutes(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	localtime_r(&tt, &tm);
	return tm.tm_hour * 60 + tm.tm_min;
}

/* floor(a * b / c) for c > 0, exact: the product is taken in 128 bits. */
static int64_t
muldiv_floor(int64_t a, int64_t b, int64_t c)
{
	__int128 p = (__int128)a * b, q = p / c;

	if (p % c != 0 && p < 0)
		q--;
	return (int64_t)q;
}

/*
 * How much of total, used evenly over [from, to], was used by time at:
 * floor(total * (at - from) / (to - from)), 0 before from and all of it
 * from to on.  A piece [a, b) is pp__apportion(b) - pp__apportion(a).
 * Because the rounding is of the running sum, never of each piece, the
 * pieces of any cut add up to total exactly, each is within one unit of
 * its true share, and an hour's pieces add up to their day's piece.  An
 * interval of no length puts all of total in the piece that starts at
 * its instant.
 */
int64_t
pp__apportion(int64_t total, int64_t from, int64_t to, int64_t at)
{
	if (at <= from)
		return 0;
	if (at >= to)
		return total;
	return muldiv_floor(total, at - from, to - from);
}

/* "HH:MM", 00:00 to 24:00, in minutes since midnight. */
int
pp__clock_parse(const char *s, int *minutes)
{
	int h, m, n = 0;

	if (strlen(s) != 5 || sscanf(s, "%2d:%2d%n", &h, &m, &n) != 2 ||
	    n != 5 || s[2] != ':' || m > 59 || h > 24 || (h == 24 && m > 0) ||
	    h < 0 || m < 0)
		return PP_EDATA;
	*minutes = h * 60 + m;
	return PP_OK;
}
