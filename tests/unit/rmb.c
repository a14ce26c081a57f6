/*
 * rmb.c: the amount in RMB uppercase (doc/design.md, "Money"), in its one canonical
 * form: one 零 for a run of zeros between non-zero digits of the yuan part,
 * across 万 and 亿 too; 拾 is always 壹拾; no 整 after 角; a zero 角 before
 * a non-zero 分 is 零; an amount under 1 yuan has no 元.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "tap.h"

static void
upper_is(int64_t fen, const char *want)
{
	char buf[256], name[256];
	int rc;

	memset(buf, 'X', sizeof(buf));
	rc = pp__rmb_upper(fen, buf, sizeof(buf));
	snprintf(name, sizeof(name), "%" PRId64 " fen is %s", fen, want);
	if (rc != PP_OK) {
		ok(0, "%s", name);
		diag("rc %d", rc);
		return;
	}
	is_str(buf, want, name);
}

static void
test_examples(void)
{
	/* doc/design.md, "Money". */
	upper_is(140950, "壹仟肆佰零玖元伍角");
	upper_is(600714, "陆仟零柒元壹角肆分");
	upper_is(1640902, "壹万陆仟肆佰零玖元零贰分");
	upper_is(1000, "壹拾元整");
	upper_is(0, "零元整");
	upper_is(INT64_C(10000000100), "壹亿零壹元整");
}

static void
test_zeros(void)
{
	upper_is(1002000, "壹万零贰拾元整");
	upper_is(10300400, "壹拾万零叁仟零肆元整");
	upper_is(100456700, "壹佰万零肆仟伍佰陆拾柒元整");
	upper_is(INT64_C(12005030600), "壹亿贰仟零伍万零叁佰零陆元整");
	upper_is(101, "壹元零壹分");
	upper_is(110, "壹元壹角");
	upper_is(32504, "叁佰贰拾伍元零肆分");
	upper_is(50, "伍角");
	upper_is(5, "伍分");
	upper_is(100000000, "壹佰万元整");
	upper_is(INT64_C(10000000000), "壹亿元整");
	upper_is(INT64_C(100000000000000), "壹万亿元整");
	upper_is(10700053, "壹拾万零柒仟元伍角叁分");

	/* More of the same rules. */
	upper_is(100, "壹元整");
	upper_is(1100, "壹拾壹元整");
	upper_is(2000, "贰拾元整");
	upper_is(11000, "壹佰壹拾元整");
	upper_is(10100, "壹佰零壹元整");
	upper_is(100100, "壹仟零壹元整");
	upper_is(1000100, "壹万零壹元整");
	upper_is(2000000, "贰万元整");
	upper_is(10001000, "壹拾万零壹拾元整");
	upper_is(10500000, "壹拾万零伍仟元整");
	upper_is(101000000, "壹佰零壹万元整");
	upper_is(1010000000, "壹仟零壹拾万元整");
	upper_is(1010000100, "壹仟零壹拾万零壹元整");
	upper_is(101010100, "壹佰零壹万零壹佰零壹元整");
	upper_is(INT64_C(20000000000), "贰亿元整");
	upper_is(INT64_C(10001000000), "壹亿零壹万元整");
	upper_is(INT64_C(100000000000000) + 100, "壹万亿零壹元整");
	upper_is(INT64_C(100010000000000), "壹万零壹亿元整");
	upper_is(INT64_C(200005000000000), "贰万亿零伍仟万元整");
	upper_is(INT64_C(123456789012345),
	    "壹万贰仟叁佰肆拾伍亿陆仟柒佰捌拾玖万零壹佰贰拾叁元肆角伍分");
	upper_is(100010, "壹仟元壹角");
	upper_is(10, "壹角");
	upper_is(11, "壹角壹分");
	upper_is(1, "壹分");
	upper_is(1001, "壹拾元零壹分");
	upper_is(INT64_C(10000000001), "壹亿元零壹分");
	upper_is(99999, "玖佰玖拾玖元玖角玖分");
	upper_is(1000000, "壹万元整");
}

static void
test_negative(void)
{
	upper_is(-140950, "负壹仟肆佰零玖元伍角");
	upper_is(-1000, "负壹拾元整");
	upper_is(-5, "负伍分");
	upper_is(-101, "负壹元零壹分");
}

static void
test_buffer(void)
{
	char buf[64];
	size_t need = strlen("壹拾元整") + 1;
	int rc;

	memset(buf, 'X', sizeof(buf));
	rc = pp__rmb_upper(1000, buf, need);
	ok(rc == PP_OK && strcmp(buf, "壹拾元整") == 0,
	    "a buffer of exactly the size needed is enough");
	ok(buf[need] == 'X', "nothing written past it");

	memset(buf, 'X', sizeof(buf));
	rc = pp__rmb_upper(1000, buf, need - 1);
	ok(rc != PP_OK, "one byte short: non-zero (%d)", rc);
	ok(memchr(buf, '\0', need - 1) != NULL,
	    "one byte short: the buffer is still a string");
	ok(buf[need - 1] == 'X', "one byte short: nothing written past it");

	memset(buf, 'X', sizeof(buf));
	rc = pp__rmb_upper(140950, buf, 4);
	ok(rc != PP_OK, "a 4-byte buffer: non-zero");
	ok(buf[4] == 'X', "a 4-byte buffer: nothing written past it");

	memset(buf, 'X', sizeof(buf));
	rc = pp__rmb_upper(0, buf, 1);
	ok(rc != PP_OK && buf[0] == '\0' && buf[1] == 'X',
	    "a 1-byte buffer: non-zero and empty");

	buf[0] = 'X';
	rc = pp__rmb_upper(0, buf, 0);
	ok(rc != PP_OK && buf[0] == 'X', "a 0-byte buffer: non-zero, "
	    "untouched");

	memset(buf, 'X', sizeof(buf));
	rc = pp__rmb_upper(-1000, buf, need);
	ok(rc != PP_OK, "负 needs room too");
}

/*
 * The shape of any canonical result: a digit 壹..玖 is followed by a unit,
 * 零 by a digit 壹..玖 (or 元 in 零元整), and it ends in 整, 角 or 分.
 */
static int
wellformed(const char *s)
{
	static const char *const digits[] = { "壹", "贰", "叁", "肆", "伍",
	    "陆", "柒", "捌", "玖" };
	static const char *const units[] = { "拾", "佰", "仟", "万", "亿",
	    "元", "角", "分" };
	size_t len = strlen(s);
	int prev = 0;	/* 1: a digit, 2: 零 */

	if (strncmp(s, "负", 3) == 0)
		s += 3, len -= 3;
	if (len < 3 || (strcmp(s + len - 3, "整") != 0 &&
	    strcmp(s + len - 3, "角") != 0 && strcmp(s + len - 3, "分") != 0))
		return 0;
	for (; *s; s += 3) {
		int kind = 0;
		size_t i;

		for (i = 0; i < 9; i++)
			if (strncmp(s, digits[i], 3) == 0)
				kind = 1;
		if (strncmp(s, "零", 3) == 0)
			kind = 2;
		for (i = 0; i < 8; i++)
			if (strncmp(s, units[i], 3) == 0)
				kind = 3;
		if (strncmp(s, "整", 3) == 0)
			kind = 4;
		if (kind == 0 || (prev == 1 && kind != 3) ||
		    (prev == 2 && kind != 1 && strncmp(s, "元", 3) != 0) ||
		    (kind == 3 && prev != 1 && prev != 3 &&
		    !(prev == 2 && strncmp(s, "元", 3) == 0)))
			return 0;
		prev = kind;
	}
	return 1;
}

static void
test_shape(void)
{
	uint64_t x = 2463534242u;
	char buf[512];
	int i, bad = 0, rc;

	for (i = 0; i < 100000; i++) {
		int64_t v;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		/* Every magnitude below 10^18 fen (10^16 yuan). */
		v = (int64_t)(x % INT64_C(1000000000000000000) >> (i % 60));
		if (i & 1)
			v = -v;
		rc = pp__rmb_upper(v, buf, sizeof(buf));
		if (rc != PP_OK || !wellformed(buf)) {
			if (bad++ < 5)
				diag("%" PRId64 ": rc %d, \"%s\"", v, rc, buf);
		}
	}
	ok(bad == 0, "100000 generated amounts are well formed (%d not)", bad);
}

static void
test_huge(void)
{
	char buf[512], small[512];
	int rc, rc2;

	/* int64 fen reaches 9.2e16 yuan: refused, or well formed. */
	rc = pp__rmb_upper(INT64_MAX, buf, sizeof(buf));
	if (!ok(rc != PP_OK || wellformed(buf), "INT64_MAX is refused or "
	    "well formed"))
		diag("got \"%s\"", buf);
	rc = pp__rmb_upper(INT64_MIN, buf, sizeof(buf));
	ok(rc != PP_OK || strncmp(buf, "负", strlen("负")) == 0,
	    "INT64_MIN is negative");
	/* 10^16 yuan must not read as 10^8 yuan. */
	rc = pp__rmb_upper(INT64_C(1000000000000000000), buf, sizeof(buf));
	rc2 = pp__rmb_upper(INT64_C(10000000000), small, sizeof(small));
	if (!ok(rc != PP_OK || strcmp(buf, small) != 0,
	    "10^16 yuan is refused or differs from 10^8 yuan"))
		diag("both are \"%s\" (rc %d, %d)", buf, rc, rc2);
	rc = pp__rmb_upper(INT64_C(9000000000000000000), buf, sizeof(buf));
	rc2 = pp__rmb_upper(INT64_C(90000000000), small, sizeof(small));
	if (!ok(rc != PP_OK || strcmp(buf, small) != 0,
	    "9*10^16 yuan is refused or differs from 9*10^8 yuan"))
		diag("both are \"%s\" (rc %d, %d)", buf, rc, rc2);
}

int
main(void)
{
	test_examples();
	test_zeros();
	test_negative();
	test_buffer();
	test_shape();
	test_huge();
	return done_testing();
}
