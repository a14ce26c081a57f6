/*
 * tap.h: a tiny header-only TAP producer for the unit tests, and their
 * scratch database's removal (remove_database).
 *
 *	ok(cond, "name %d", i);
 *	is_str(got, want, "name");
 *	is_int(got, want, "name");
 *	return done_testing();
 *
 * Each test prints "ok N - name" or "not ok N - name" with a diagnostic on
 * failure; done_testing() prints the plan "1..N" and returns the exit
 * status: 0 when everything passed, 1 otherwise.
 */
#ifndef PP_TAP_H
#define PP_TAP_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int tap_run_;
static int tap_failed_;

static void
tap_escape_(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (s == NULL) {
		fputs("(null)", stdout);
		return;
	}
	putchar('"');
	for (; *p; p++) {
		if (*p == '\n')
			fputs("\\n", stdout);
		else if (*p == '\r')
			fputs("\\r", stdout);
		else if (*p == '\t')
			fputs("\\t", stdout);
		else if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20 || *p == 0x7F)
			printf("\\x%02X", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

static int
tap_vok_(int pass, const char *fmt, va_list ap)
{
	tap_run_++;
	if (!pass)
		tap_failed_++;
	printf("%sok %d - ", pass ? "" : "not ", tap_run_);
	vprintf(fmt, ap);
	putchar('\n');
	fflush(stdout);
	return pass;
}

static int ok(int pass, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), unused));

static int
ok(int pass, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = tap_vok_(pass, fmt, ap);
	va_end(ap);
	return rc;
}

static int diag(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), unused));

static int
diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	return 0;
}

static int is_str(const char *got, const char *want, const char *name)
    __attribute__((unused));

static int
is_str(const char *got, const char *want, const char *name)
{
	int pass = (got == NULL && want == NULL) ||
	    (got != NULL && want != NULL && strcmp(got, want) == 0);

	ok(pass, "%s", name);
	if (!pass) {
		fputs("#   got:  ", stdout);
		tap_escape_(got);
		fputs("\n#   want: ", stdout);
		tap_escape_(want);
		putchar('\n');
		fflush(stdout);
	}
	return pass;
}

static int is_int(int64_t got, int64_t want, const char *name)
    __attribute__((unused));

static int
is_int(int64_t got, int64_t want, const char *name)
{
	int pass = got == want;

	ok(pass, "%s", name);
	if (!pass) {
		printf("#   got:  %" PRId64 "\n#   want: %" PRId64 "\n", got,
		    want);
		fflush(stdout);
	}
	return pass;
}

static int done_testing(void) __attribute__((unused));

static int
done_testing(void)
{
	printf("1..%d\n", tap_run_);
	if (tap_failed_)
		printf("# failed %d of %d\n", tap_failed_, tap_run_);
	fflush(stdout);
	return tap_failed_ ? 1 : 0;
}

static void remove_database(const char *, const char *)
    __attribute__((unused));

/* A test's scratch database at path, with SQLite's files beside it, and dir. */
static void
remove_database(const char *dir, const char *path)
{
	static const char *const beside[] = { "-wal", "-shm", "-journal" };
	char f[1100];
	size_t i;

	for (i = 0; i < sizeof(beside) / sizeof(beside[0]); i++) {
		snprintf(f, sizeof(f), "%s%s", path, beside[i]);
		unlink(f);
	}
	unlink(path);
	rmdir(dir);
}

#endif /* PP_TAP_H */
