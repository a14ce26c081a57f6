/*
 * date: the times of --from and --to (YYYY, YYYY-MM, YYYY-MM-DD,
 * YYYY-MM-DD HH:MM[:SS]) and the clock of the friendly hours and the
 * tariff windows (HH:MM).  A parsed time, shown and parsed again, shows
 * the same; a clock is a minute of the day, 24:00 at most.  Local time is
 * Shanghai's, as in the tests.  See fuzz.h.
 */
#include <time.h>

#include "internal.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, err[PP_ERRMAX], shown[PP_TIMEBUF], again[PP_TIMEBUF];
	char day[PP_TIMEBUF];
	int64_t t, t2;
	int minutes;

	if (getenv("TZ") == NULL) {
		setenv("TZ", "Asia/Shanghai", 1);
		tzset();
	}
	/* Nothing longer than a full time is ever accepted. */
	if (size > 64)
		return 0;
	s = fuzz_string(data, size);
	if (pp_time_parse(s, &t, err, sizeof(err)) == PP_OK) {
		check(strlen(s) >= 4 && strlen(s) <= 19);
		pp_time_format(t, shown);
		check(strncmp(shown, s, 4) == 0 || s[0] == '0');
		check(pp_time_parse(shown, &t2, err, sizeof(err)) == PP_OK);
		check(strcmp(pp_time_format(t2, again), shown) == 0);
		pp__day_format(t, day);
		check(strncmp(day, shown, 10) == 0);
		/* The day, parsed, is that day's midnight, before t. */
		check(pp_time_parse(day, &t2, err, sizeof(err)) == PP_OK &&
		    t2 <= t && t - t2 < 25 * 3600);
	} else
		check(err[0] != '\0');
	if (pp__clock_parse(s, &minutes) == PP_OK)
		check(minutes >= 0 && minutes <= 1440 && strlen(s) == 5);
	free(s);
	return 0;
}
