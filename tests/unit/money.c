/*
 * money.c: amounts in fen, prices, energy and whole numbers (doc/design.md, "Conventions").
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "tap.h"

#define NOLIMIT	((int64_t)-1)

static void
money_ok(const char *s, int flags, int64_t max, int64_t want)
{
	char err[PP_ERRMAX] = "", name[256];
	int64_t fen = -77777;
	int rc;

	rc = pp_money_parse(s, flags, max, &fen, err, sizeof(err));
	snprintf(name, sizeof(name), "money \"%s\"%s max %" PRId64 " is %"
	    PRId64 " fen", s, flags & PP_MONEY_SIGNED ? " signed" : "", max,
	    want);
	if (!ok(rc == PP_OK && fen == want, "%s", name))
		diag("rc %d, fen %" PRId64 ", err \"%s\"", rc, fen, err);
}

/* want_msg: a substring the message must hold, or NULL. */
static void
money_bad(const char *s, int flags, int64_t max, const char *want_msg)
{
	char err[PP_ERRMAX] = "", name[256];
	int64_t fen = 0;
	int rc;

	rc = pp_money_parse(s, flags, max, &fen, err, sizeof(err));
	snprintf(name, sizeof(name), "money \"%s\"%s max %" PRId64
	    " is refused", s, flags & PP_MONEY_SIGNED ? " signed" : "", max);
	if (!ok(rc == PP_EDATA && err[0] != '\0' &&
	    (want_msg == NULL || strstr(err, want_msg) != NULL), "%s", name))
		diag("rc %d, fen %" PRId64 ", err \"%s\", want message with "
		    "\"%s\"", rc, fen, err, want_msg ? want_msg : "");
}

static void
format_is(int64_t fen, const char *want)
{
	char buf[PP_NUMBUF], name[128];

	snprintf(name, sizeof(name), "money format %" PRId64 " is %s", fen,
	    want);
	is_str(pp_money_format(fen, buf), want, name);
}

/* format, then parse back: the same fen, and exactly 2 decimals. */
static int
roundtrip(int64_t fen, int quiet)
{
	char buf[PP_NUMBUF], err[PP_ERRMAX] = "";
	const char *dot;
	int64_t back = 0;
	int rc, good;

	pp_money_format(fen, buf);
	dot = strchr(buf, '.');
	rc = pp_money_parse(buf, PP_MONEY_SIGNED, NOLIMIT, &back, err,
	    sizeof(err));
	good = rc == PP_OK && back == fen && dot != NULL && dot != buf &&
	    strlen(dot) == 3 && (fen < 0) == (buf[0] == '-');
	if (!good || !quiet) {
		if (!ok(good, "money round trip %" PRId64 " via \"%s\"", fen,
		    buf))
			diag("rc %d, back %" PRId64 ", err \"%s\"", rc, back,
			    err);
	}
	return good;
}

static void
price_ok(const char *s, int64_t want)
{
	char err[PP_ERRMAX] = "";
	int64_t v = -1;
	int rc = pp_price_parse(s, &v, err, sizeof(err));

	if (!ok(rc == PP_OK && v == want, "price \"%s\" is %" PRId64, s, want))
		diag("rc %d, v %" PRId64 ", err \"%s\"", rc, v, err);
}

static void
price_bad(const char *s)
{
	char err[PP_ERRMAX] = "";
	int64_t v = 0;
	int rc = pp_price_parse(s, &v, err, sizeof(err));

	if (!ok(rc == PP_EDATA && err[0], "price \"%s\" is refused", s))
		diag("rc %d, v %" PRId64 ", err \"%s\"", rc, v, err);
}

static void
energy_ok(const char *s, int64_t want)
{
	char err[PP_ERRMAX] = "";
	int64_t v = -1;
	int rc = pp_energy_parse(s, &v, err, sizeof(err));

	if (!ok(rc == PP_OK && v == want, "energy \"%s\" is %" PRId64 " Wh", s,
	    want))
		diag("rc %d, v %" PRId64 ", err \"%s\"", rc, v, err);
}

static void
energy_bad(const char *s)
{
	char err[PP_ERRMAX] = "";
	int64_t v = 0;
	int rc = pp_energy_parse(s, &v, err, sizeof(err));

	if (!ok(rc == PP_EDATA && err[0], "energy \"%s\" is refused", s))
		diag("rc %d, v %" PRId64 ", err \"%s\"", rc, v, err);
}

static void
energy_format_is(int64_t wh, const char *want)
{
	char buf[PP_NUMBUF], name[128];

	snprintf(name, sizeof(name), "energy format %" PRId64 " Wh is %s", wh,
	    want);
	is_str(pp__energy_format(wh, buf), want, name);
}

static void
int_ok(const char *s, int64_t min, int64_t max, int64_t want)
{
	char err[PP_ERRMAX] = "";
	int64_t v = -12345;
	int rc = pp_int_parse(s, min, max, &v, err, sizeof(err));

	if (!ok(rc == PP_OK && v == want, "int \"%s\" in %" PRId64 "..%" PRId64
	    " is %" PRId64, s, min, max, want))
		diag("rc %d, v %" PRId64 ", err \"%s\"", rc, v, err);
}

static void
int_bad(const char *s, int64_t min, int64_t max)
{
	char err[PP_ERRMAX] = "";
	int64_t v = 0;
	int rc = pp_int_parse(s, min, max, &v, err, sizeof(err));

	if (!ok(rc == PP_EDATA && err[0], "int \"%s\" in %" PRId64 "..%" PRId64
	    " is refused", s, min, max))
		diag("rc %d, v %" PRId64 ", err \"%s\"", rc, v, err);
}

static void
test_money_parse(void)
{
	/* Accepted forms. */
	money_ok("0", 0, NOLIMIT, 0);
	money_ok("12", 0, NOLIMIT, 1200);
	money_ok("12.3", 0, NOLIMIT, 1230);
	money_ok("12.30", 0, NOLIMIT, 1230);
	money_ok("0.5", 0, NOLIMIT, 50);
	money_ok("0.05", 0, NOLIMIT, 5);
	money_ok("0.00", 0, NOLIMIT, 0);
	money_ok("1409.50", 0, NOLIMIT, 140950);
	money_ok("1234567.89", 0, NOLIMIT, 123456789);
	/* Full-width digits and the full-width point. */
	money_ok("１２．３０", 0, NOLIMIT, 1230);
	money_ok("１２", 0, NOLIMIT, 1200);
	money_ok("０．０５", 0, NOLIMIT, 5);
	money_ok("1２.３0", 0, NOLIMIT, 1230);
	money_ok("12．5", 0, NOLIMIT, 1250);
	/* Spaces around the number are tolerated. */
	money_ok(" 12.30", 0, NOLIMIT, 1230);
	money_ok("12.30 ", 0, NOLIMIT, 1230);
	money_ok("  7  ", 0, NOLIMIT, 700);
	money_ok("\t7\t", 0, NOLIMIT, 700);

	/* Empty. */
	money_bad("", 0, NOLIMIT, NULL);
	money_bad("   ", 0, NOLIMIT, NULL);
	money_bad("", PP_MONEY_SIGNED, NOLIMIT, NULL);
	/* A minus sign only with PP_MONEY_SIGNED. */
	money_bad("-5", 0, NOLIMIT, "minus");
	money_bad("-0.05", 0, NOLIMIT, NULL);
	money_bad("－５", 0, NOLIMIT, NULL);
	money_ok("-5", PP_MONEY_SIGNED, NOLIMIT, -500);
	money_ok("-0.05", PP_MONEY_SIGNED, NOLIMIT, -5);
	money_ok("-12.3", PP_MONEY_SIGNED, NOLIMIT, -1230);
	money_ok("－１２．３０", PP_MONEY_SIGNED, NOLIMIT, -1230);
	money_ok(" -12.30 ", PP_MONEY_SIGNED, NOLIMIT, -1230);
	money_ok("12", PP_MONEY_SIGNED, NOLIMIT, 1200);
	money_bad("-", PP_MONEY_SIGNED, NOLIMIT, NULL);
	money_bad("--5", PP_MONEY_SIGNED, NOLIMIT, NULL);
	money_bad("5-", PP_MONEY_SIGNED, NOLIMIT, NULL);
	money_bad("1-2", PP_MONEY_SIGNED, NOLIMIT, NULL);
	money_bad("- 5", PP_MONEY_SIGNED, NOLIMIT, NULL);
	/* A plus sign is refused. */
	money_bad("+5", 0, NOLIMIT, NULL);
	money_bad("+5", PP_MONEY_SIGNED, NOLIMIT, NULL);
	money_bad("＋５", 0, NOLIMIT, NULL);
	/* More than 2 decimals, in the message form of doc/design.md, "Conventions". */
	money_bad("12.345", 0, NOLIMIT, "\"12.345\": more than 2 decimals");
	money_bad("0.001", 0, NOLIMIT, "more than 2 decimals");
	money_bad("12.300", 0, NOLIMIT, "more than 2 decimals");
	money_bad("１２．３４５", 0, NOLIMIT, "more than 2 decimals");
	money_bad("-1.234", PP_MONEY_SIGNED, NOLIMIT, "more than 2 decimals");
	/* Exponents. */
	money_bad("1e3", 0, NOLIMIT, NULL);
	money_bad("1E3", 0, NOLIMIT, NULL);
	money_bad("1.5e2", 0, NOLIMIT, NULL);
	money_bad("1e-2", PP_MONEY_SIGNED, NOLIMIT, NULL);
	/* Spaces inside. */
	money_bad("1 2", 0, NOLIMIT, NULL);
	money_bad("12 .30", 0, NOLIMIT, NULL);
	money_bad("12. 30", 0, NOLIMIT, NULL);
	money_bad("1\t2", 0, NOLIMIT, NULL);
	money_bad("1　2", 0, NOLIMIT, NULL);	/* ideographic space */
	/* Thousands separators, ASCII and full-width. */
	money_bad("1,000", 0, NOLIMIT, NULL);
	money_bad("1,000.00", 0, NOLIMIT, NULL);
	money_bad("１，０００", 0, NOLIMIT, NULL);
	money_bad("1'000", 0, NOLIMIT, NULL);
	money_bad("1_000", 0, NOLIMIT, NULL);
	/* Half a number. */
	money_bad("12.", 0, NOLIMIT, NULL);
	money_bad(".5", 0, NOLIMIT, NULL);
	money_bad("．５", 0, NOLIMIT, NULL);
	money_bad(".", 0, NOLIMIT, NULL);
	money_bad("-.5", PP_MONEY_SIGNED, NOLIMIT, NULL);
	money_bad("1.2.3", 0, NOLIMIT, NULL);
	/* Not a number at all. */
	money_bad("abc", 0, NOLIMIT, NULL);
	money_bad("12abc", 0, NOLIMIT, NULL);
	money_bad("¥12", 0, NOLIMIT, NULL);
	money_bad("12元", 0, NOLIMIT, NULL);
	money_bad("0x10", 0, NOLIMIT, NULL);
	money_bad("\xFF", 0, NOLIMIT, NULL);
	money_bad("1\xE4\xB8", 0, NOLIMIT, NULL);	/* cut UTF-8 */

	/* Above a maximum; exactly at it is fine. */
	money_ok("1000", 0, 100000, 100000);
	money_ok("1000.00", 0, 100000, 100000);
	money_ok("999.99", 0, 100000, 99999);
	money_bad("1000.01", 0, 100000, NULL);
	money_bad("1001", 0, 100000, NULL);
	money_bad("１００１", 0, 100000, NULL);
	money_ok("0", 0, 0, 0);
	money_bad("0.01", 0, 0, NULL);
	money_ok("-1000", PP_MONEY_SIGNED, 100000, -100000);
	money_bad("1000.01", PP_MONEY_SIGNED, 100000, NULL);

	/* Overflow: never wraps around. */
	money_bad("99999999999999999999", 0, NOLIMIT, NULL);
	money_bad("999999999999999999999999999999.99", 0, NOLIMIT, NULL);
	money_bad("92233720368547758.08", 0, NOLIMIT, NULL); /* INT64_MAX+1 */
	money_bad("92233720368547759", 0, NOLIMIT, NULL);
	money_bad("-99999999999999999999", PP_MONEY_SIGNED, NOLIMIT, NULL);
	money_bad("99999999999999999999", 0, 100000, NULL);
	/* Large but inside int64. */
	money_ok("90000000000000000", 0, NOLIMIT, INT64_C(9000000000000000000));
	money_ok("92233720368547749.99", 0, NOLIMIT,
	    INT64_C(9223372036854774999));
	/* INT64_MAX fen itself: "no limit beyond int64". */
	money_ok("92233720368547758.07", 0, NOLIMIT, INT64_MAX);
	money_ok("-92233720368547758.07", PP_MONEY_SIGNED, NOLIMIT, -INT64_MAX);
}

static void
test_money_format(void)
{
	static const int64_t some[] = {
		0, 1, 5, 9, 10, 11, 50, 99, 100, 101, 105, 110, 999, 1000,
		1230, 9999, 10000, 99999, 140950, 123456789, 1000000000,
		INT64_C(100000000000000), INT64_C(1000000000000000000),
		INT64_C(9000000000000000000), INT64_C(9223372036854774999),
		INT64_MAX,
	};
	uint64_t x = 88172645463325252u;
	size_t i;
	int bad = 0, n = 0;

	format_is(0, "0.00");
	format_is(1, "0.01");
	format_is(5, "0.05");
	format_is(99, "0.99");
	format_is(100, "1.00");
	format_is(1230, "12.30");
	format_is(140950, "1409.50");
	format_is(123456789, "1234567.89");
	format_is(-5, "-0.05");
	format_is(-100, "-1.00");
	format_is(-1230, "-12.30");
	format_is(INT64_MAX, "92233720368547758.07");
	format_is(INT64_MIN, "-92233720368547758.08");
	format_is(-INT64_MAX, "-92233720368547758.07");

	for (i = 0; i < sizeof(some) / sizeof(some[0]); i++) {
		roundtrip(some[i], 0);
		roundtrip(-some[i], 0);
	}
	/* Every value up to 100 yuan, then pseudo-random ones of all sizes. */
	for (i = 0; i <= 10000; i++, n += 2) {
		bad += !roundtrip((int64_t)i, 1);
		bad += !roundtrip(-(int64_t)i, 1);
	}
	for (i = 0; i < 20000; i++, n++) {
		int64_t v;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		/* Spread over magnitudes, up to 9e18. */
		v = (int64_t)(x % 9000000000000000000u >> (i % 60));
		if (i & 1)
			v = -v;
		bad += !roundtrip(v, 1);
	}
	ok(bad == 0, "%d generated values round-trip (%d failed)", n, bad);
}

static void
test_price(void)
{
	char buf[PP_NUMBUF];
	static const int64_t rt[] = { 0, 1, 9, 10, 5380, 10000, 12345,
	    9999999, 10000000 };
	size_t i;

	price_ok("0.5380", 5380);
	price_ok("0.538", 5380);
	price_ok("0.5", 5000);
	price_ok("1", 10000);
	price_ok("0.0001", 1);
	price_ok("０．５３８０", 5380);
	price_ok(" 0.6 ", 6000);
	price_ok("1000", 10000000);		/* the limit itself */
	price_bad("0.53801");
	price_bad("-0.5");
	price_bad("1000.0001");
	price_bad("");
	price_bad("1e-1");
	price_bad(".5");
	price_bad("0.");
	price_bad("0,5");
	price_bad("+0.5");
	price_bad("abc");
	price_bad("99999999999999999999");

	is_str(pp__price_format(5380, buf), "0.5380", "price format 5380");
	is_str(pp__price_format(0, buf), "0.0000", "price format 0");
	is_str(pp__price_format(1, buf), "0.0001", "price format 1");
	is_str(pp__price_format(10000, buf), "1.0000", "price format 10000");
	is_str(pp__price_format(12345678, buf), "1234.5678",
	    "price format 12345678");
	is_str(pp__price_format(-5380, buf), "-0.5380", "price format -5380");
	for (i = 0; i < sizeof(rt) / sizeof(rt[0]); i++) {
		char err[PP_ERRMAX] = "";
		int64_t back = -1;
		int rc;

		pp__price_format(rt[i], buf);
		rc = pp_price_parse(buf, &back, err, sizeof(err));
		ok(rc == PP_OK && back == rt[i] && strlen(strchr(buf, '.')) == 5,
		    "price round trip %" PRId64 " via \"%s\"", rt[i], buf);
	}
}

static void
test_energy(void)
{
	energy_ok("12.345", 12345);
	energy_ok("12", 12000);
	energy_ok("12.3", 12300);
	energy_ok("12.34", 12340);
	energy_ok("0.001", 1);
	energy_ok("0", 0);
	energy_ok("１２．５", 12500);
	energy_ok(" 3.5 ", 3500);
	energy_ok("123456789.123", INT64_C(123456789123));
	energy_bad("12.3456");
	energy_bad("-1");
	energy_bad("");
	energy_bad("1e3");
	energy_bad("1,000");
	energy_bad("12.");
	energy_bad(".5");
	energy_bad("+1");
	energy_bad("1 2");
	energy_bad("kwh");
	energy_bad("99999999999999999999");

	energy_format_is(12345, "12.35");
	energy_format_is(12344, "12.34");
	energy_format_is(-5, "-0.01");
	energy_format_is(-4, "0.00");
	energy_format_is(-15, "-0.02");
	energy_format_is(-14, "-0.01");
	energy_format_is(-12345, "-12.35");
	energy_format_is(-12344, "-12.34");
	energy_format_is(0, "0.00");
	energy_format_is(4, "0.00");
	energy_format_is(5, "0.01");
	energy_format_is(10, "0.01");
	energy_format_is(15, "0.02");
	energy_format_is(1000, "1.00");
	energy_format_is(12000, "12.00");
	energy_format_is(999994, "999.99");
	energy_format_is(999995, "1000.00");
	energy_format_is(INT64_MAX, "9223372036854775.81");
	energy_format_is(INT64_MIN, "-9223372036854775.81");
}

static void
test_int(void)
{
	int_ok("5", 0, 10, 5);
	int_ok("0", 0, 10, 0);
	int_ok("10", 0, 10, 10);
	int_ok(" 7 ", 0, 10, 7);
	int_ok("３", 0, 10, 3);
	int_ok("007", 0, 10, 7);
	int_bad("11", 0, 10);
	int_bad("-1", 0, 10);
	int_bad("0", 1, 10);
	int_ok("-10", -10, 10, -10);
	int_ok("-3", -10, 10, -3);
	int_ok("10", -10, 10, 10);
	int_bad("-11", -10, 10);
	int_bad("11", -10, 10);
	int_bad("1.5", 0, 10);
	int_bad("1.0", 0, 10);
	int_bad("1.", 0, 10);
	int_bad("", 0, 10);
	int_bad("1e1", 0, 100);
	int_bad("+3", 0, 10);
	int_bad("1,0", 0, 100);
	int_bad("1 0", 0, 100);
	int_bad("x", 0, 10);
	int_bad("99999999999999999999", 0, INT64_MAX);
	int_bad("-99999999999999999999", INT64_MIN, INT64_MAX);
	int_ok("1000000000000", 0, INT64_MAX, INT64_C(1000000000000));
	int_ok("-1000000000000", INT64_MIN, 0, INT64_C(-1000000000000));
	int_ok("9223372036854775807", 0, INT64_MAX, INT64_MAX);
	int_ok("-9223372036854775807", INT64_MIN, INT64_MAX, -INT64_MAX);
}

int
main(void)
{
	test_money_parse();
	test_money_format();
	test_price();
	test_energy();
	test_int();
	return done_testing();
}
