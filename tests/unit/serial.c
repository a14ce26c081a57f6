/*
 * serial.c: receipt serials (doc/design.md, "Money"): YYYYMMDD of the local day plus
 * a 6-digit sequence, assigned inside the writing transaction, gap-free and
 * strictly increasing, through a real SQLite database.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "tap.h"

static char dir[] = "/tmp/pp-serial-XXXXXX";
static char path[256];

/* Unix seconds of a UTC wall time. */
static int64_t
utc(int y, int mo, int d, int h, int mi, int s)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	return (int64_t)timegm(&tm);
}

static int
all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return s[n] == '\0';
}

/* One serial in its own transaction, committed or rolled back. */
static int
one(pp_db *db, int64_t t, int commit, char serial[PP_KEYMAX])
{
	int rc;

	strcpy(serial, "?");
	if ((rc = pp__tx_begin(db)) != PP_OK) {
		diag("begin: %s", pp_errmsg(db));
		return rc;
	}
	if ((rc = pp__serial_next(db, t, serial)) != PP_OK) {
		diag("serial: %s", pp_errmsg(db));
		pp__tx_rollback(db);
		return rc;
	}
	if (!commit) {
		pp__tx_rollback(db);
		return PP_OK;
	}
	if ((rc = pp__tx_commit(db)) != PP_OK)
		diag("commit: %s", pp_errmsg(db));
	return rc;
}

static void
serial_is(pp_db *db, int64_t t, int commit, const char *want,
    const char *name)
{
	char serial[PP_KEYMAX];
	int rc = one(db, t, commit, serial);

	if (rc != PP_OK) {
		ok(0, "%s", name);
		diag("rc %d", rc);
		return;
	}
	is_str(serial, want, name);
}

static void
cleanup(void)
{
	remove_database(dir, path);
}

int
main(void)
{
	pp_db *db = NULL;
	char s1[PP_KEYMAX], s2[PP_KEYMAX], s3[PP_KEYMAX], prev[PP_KEYMAX];
	char want[PP_KEYMAX], day[PP_TIMEBUF];
	/* 2024-03-05 00:30 in Shanghai is still 2024-03-04 in UTC. */
	int64_t t1 = utc(2024, 3, 4, 16, 30, 0);
	int64_t t1_end = utc(2024, 3, 5, 15, 59, 59);	/* 03-05 23:59:59 */
	int64_t t2 = utc(2024, 3, 5, 16, 0, 0);		/* 03-06 00:00:00 */
	int64_t t3 = utc(2024, 3, 7, 1, 0, 0);		/* 03-07 09:00:00 */
	int64_t t4 = utc(2024, 3, 8, 1, 0, 0);		/* 03-08 09:00:00 */
	int i, rc, bad;

	setenv("TZ", "Asia/Shanghai", 1);
	tzset();
	is_str(pp__day_format(t1, day), "2024-03-05", "TZ is Asia/Shanghai");

	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp");
		return done_testing();
	}
	snprintf(path, sizeof(path), "%s/prepay.db", dir);
	rc = pp_db_open(&db, path, PP_DB_CREATE);
	if (!ok(rc == PP_OK, "open a new database")) {
		diag("rc %d: %s", rc, db ? pp_errmsg(db) : "");
		pp_db_close(db);
		cleanup();
		return done_testing();
	}

	/* Format: YYYYMMDD of the local day, then 6 digits from 000001. */
	rc = one(db, t1, 1, s1);
	ok(rc == PP_OK && strlen(s1) == 14 && all_digits(s1, 14),
	    "a serial is 14 digits (%s)", s1);
	is_str(s1, "20240305000001", "the local day, and the sequence starts "
	    "at 000001");
	serial_is(db, t1 + 60, 1, "20240305000002", "then 000002");
	serial_is(db, t1 + 120, 1, "20240305000003", "then 000003");

	/* Several in one transaction. */
	rc = pp__tx_begin(db);
	rc |= pp__serial_next(db, t1 + 180, s1);
	rc |= pp__serial_next(db, t1 + 181, s2);
	rc |= pp__serial_next(db, t1 + 182, s3);
	rc |= pp__tx_commit(db);
	ok(rc == PP_OK && strcmp(s1, "20240305000004") == 0 &&
	    strcmp(s2, "20240305000005") == 0 &&
	    strcmp(s3, "20240305000006") == 0,
	    "three in one transaction: %s %s %s", s1, s2, s3);

	/* A rolled-back transaction consumes nothing. */
	serial_is(db, t1 + 240, 0, "20240305000007",
	    "a rolled-back transaction saw 000007");
	serial_is(db, t1 + 300, 1, "20240305000007",
	    "000007 again after the rollback: no gap");
	rc = pp__tx_begin(db);
	rc |= pp__serial_next(db, t1 + 360, s1);
	rc |= pp__serial_next(db, t1 + 361, s2);
	pp__tx_rollback(db);
	ok(rc == PP_OK && strcmp(s2, "20240305000009") == 0,
	    "two in a rolled-back transaction (%s, %s)", s1, s2);
	serial_is(db, t1 + 420, 1, "20240305000008",
	    "000008 after rolling back two");

	/* The last second of the local day, then a new day from 000001. */
	serial_is(db, t1_end, 1, "20240305000009", "23:59:59 local is the "
	    "same day");
	serial_is(db, t2, 1, "20240306000001", "00:00:00 local starts a new "
	    "day at 000001");
	serial_is(db, t2 + 1, 1, "20240306000002", "then 000002");

	/* The clock set back a day: serials still sort after the last one. */
	strcpy(prev, "20240306000002");
	for (i = 0; i < 3; i++) {
		rc = one(db, i == 0 ? t1 : t1 - 86400 * 400, 1, s1);
		ok(rc == PP_OK && strlen(s1) == 14 && all_digits(s1, 14) &&
		    strcmp(s1, prev) > 0, "clock set back (%d): %s sorts after "
		    "%s", i, s1, prev);
		strcpy(prev, s1);
	}
	serial_is(db, t2 + 2, 1, "20240306000006", "back on time: the "
	    "sequence goes on with no gap");

	/* 1000 allocations are strictly increasing and contiguous. */
	bad = 0;
	strcpy(prev, "");
	for (i = 0; i < 1000; i++) {
		if (i % 100 == 0 && pp__tx_begin(db) != PP_OK)
			bad++;
		if (pp__serial_next(db, t3 + i, s1) != PP_OK)
			bad++;
		snprintf(want, sizeof(want), "20240307%06d", i + 1);
		if (strcmp(s1, want) != 0 || strcmp(s1, prev) <= 0) {
			if (bad++ < 3)
				diag("allocation %d: %s, want %s", i, s1, want);
		}
		strcpy(prev, s1);
		if (i % 100 == 99 && pp__tx_commit(db) != PP_OK)
			bad++;
	}
	ok(bad == 0, "1000 allocations are 20240307000001..001000 in order");
	serial_is(db, t3 + 5000, 1, "20240307001001", "and the next is 001001");

	pp_db_close(db);

	/* Another connection sees the committed sequence. */
	db = NULL;
	rc = pp_db_open(&db, path, 0);
	ok(rc == PP_OK, "reopen");
	if (rc == PP_OK) {
		serial_is(db, t3 + 6000, 1, "20240307001002",
		    "the sequence survives reopening");

		/* 6 digits: the day's 999999th serial is its last. */
		rc = pp__tx_begin(db);
		rc |= pp__exec(db, "INSERT INTO serial_days(day, last) "
		    "VALUES ('20240308', 999998)", "");
		rc |= pp__tx_commit(db);
		ok(rc == PP_OK, "set 20240308 to 999998");
		serial_is(db, t4, 1, "20240308999999",
		    "999999 is still a serial");
		diag("a \"no serials left\" message is expected next");
		rc = one(db, t4 + 1, 1, s1);
		ok(rc != PP_OK, "no 1000000th serial in a day (rc %d)", rc);
	}
	pp_db_close(db);
	cleanup();
	return done_testing();
}
