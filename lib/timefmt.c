/*
 * timefmt.c: times are stored as Unix seconds (UTC) and shown and entered
 * in local time.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "prepay.h"

int64_t
pp_now(void)
{
	return (int64_t)time(NULL);
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

int
pp_time_parse(const char *s, int64_t *t, char *err, size_t errlen)
{
	int y = 0, mo = 1, d = 1, h = 0, mi = 0, sec = 0, n = 0;
	size_t len = s ? strlen(s) : 0;
	struct tm tm;
	time_t tt;

	/* The forms differ by length; %n makes sure nothing trails. */
	if (len == 4)
		sscanf(s, "%4d%n", &y, &n);
	else if (len == 7)
		sscanf(s, "%4d-%2d%n", &y, &mo, &n);
	else if (len == 10)
		sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n);
	else if (len == 16)
		sscanf(s, "%4d-%2d-%2d %2d:%2d%n", &y, &mo, &d, &h, &mi, &n);
	else if (len == 19)
		sscanf(s, "%4d-%2d-%2d %2d:%2d:%2d%n", &y, &mo, &d, &h, &mi,
		    &sec, &n);
	if (n == 0 || (size_t)n != len || strspn(s, "0123456789-: ") != len) {
		snprintf(err, errlen, "time \"%s\": use YYYY, YYYY-MM, "
		    "YYYY-MM-DD or YYYY-MM-DD HH:MM[:SS]", s ? s : "");
		return PP_EDATA;
	}
	if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 ||
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

static char *
format_local(int64_t t, const char *fmt, char buf[PP_TIMEBUF])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (localtime_r(&tt, &tm) == NULL ||
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
pp_day_format(int64_t t, char buf[PP_TIMEBUF])
{
	return format_local(t, "%Y-%m-%d", buf);
}
