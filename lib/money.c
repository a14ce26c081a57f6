/*
 * money.c: amounts in fen, prices in 0.0001 yuan/kWh, energy in Wh, and
 * the amount in RMB uppercase, all in integers.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

#define ERR(...)	(snprintf(err, errlen, __VA_ARGS__), PP_EDATA)

/*
 * Fold one character of s into ASCII: full-width digits, the full-width
 * point, minus and plus become their ASCII forms.  Returns the byte count
 * consumed, and the folded character in *c (0x80 for anything else that is
 * not ASCII).
 */
static int
fold(const unsigned char *s, int *c)
{
	if (s[0] < 0x80) {
		*c = s[0];
		return 1;
	}
	/* U+FF0B..U+FF19 is EF BC 8B..99: ＋ ， － ． ／ ０..９ */
	if (s[0] == 0xEF && s[1] == 0xBC && s[2] >= 0x8B && s[2] <= 0x99) {
		*c = '+' + (s[2] - 0x8B);
		return 3;
	}
	/* U+3000, the ideographic space */
	if (s[0] == 0xE3 && s[1] == 0x80 && s[2] == 0x80) {
		*c = ' ';
		return 3;
	}
	*c = 0x80;
	return s[1] == '\0' ? 1 : (s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : 2);
}

/* Nothing but spaces and tabs from s to the end. */
static int
only_space(const unsigned char *s)
{
	int c;

	while (*s && (fold(s, &c), c == ' ' || c == '\t'))
		s += fold(s, &c);
	return *s == '\0';
}

/* Why the character c, at s, cannot stand inside a number. */
static const char *
misplaced(int c, const unsigned char *s)
{
	if (c == '.')
		return "two decimal points";
	if (c == ' ' || c == '\t')
		return "space inside the number";
	if (c == 'e' || c == 'E')
		return "exponents are not allowed";
	if (c == ',' || c == '\'' || c == '_' ||
	    (s[0] == 0xEF && s[1] == 0xBC && s[2] == 0x8C))
		return "no thousands separators";
	if (c == '-' || c == '+')
		return "sign inside the number";
	return "not a number";
}

/* A decimal as it is read, digit by digit. */
struct decimal {
	int64_t	whole, frac;
	int	digits, fdigits, point;
};

/* What taking one more character into a decimal came to. */
enum took { TOOK, NOT_MINE, TOO_LARGE, TOO_PRECISE, POINT_FIRST };

/* Take the character c into d, if it is a digit or the first point. */
static enum took
take(struct decimal *d, int c, int decimals)
{
	if (c == '.' && !d->point) {
		d->point = 1;
		return d->digits ? TOOK : POINT_FIRST;
	}
	if (c < '0' || c > '9')
		return NOT_MINE;
	if (d->point) {
		if (++d->fdigits > decimals)
			return TOO_PRECISE;
		d->frac = d->frac * 10 + (c - '0');
		return TOOK;
	}
	if (d->whole > (INT64_MAX - (c - '0')) / 10)
		return TOO_LARGE;
	d->whole = d->whole * 10 + (c - '0');
	d->digits++;
	return TOOK;
}

/*
 * Parse a decimal with at most `decimals` places into an integer scaled by
 * 10^decimals.  what names the value in messages.
 */
static int
parse_decimal(const char *what, const char *in, int decimals, int signed_ok,
    int64_t max, int64_t *out, char *err, size_t errlen)
{
	const unsigned char *s = (const unsigned char *)in;
	struct decimal d = { 0, 0, 0, 0, 0 };
	int64_t scale = 1;
	int c, n, neg = 0, i;

	for (i = 0; i < decimals; i++)
		scale *= 10;
	if (s == NULL)
		return ERR("%s: missing", what);
	while (*s && (n = fold(s, &c), c == ' ' || c == '\t'))
		s += n;
	if (*s == '\0')
		return ERR("%s: empty", what);
	n = fold(s, &c);
	if (c == '-' || c == '+') {
		if (c == '-' && !signed_ok)
			return ERR("%s \"%s\": no minus sign allowed", what,
			    pp_q(in));
		if (c == '+')
			return ERR("%s \"%s\": no plus sign allowed", what,
			    pp_q(in));
		neg = 1;
		s += n;
	}
	for (; *s; s += n) {
		n = fold(s, &c);
		switch (take(&d, c, decimals)) {
		case TOOK:
			continue;
		case TOO_PRECISE:
			return ERR("%s \"%s\": more than %d decimal%s", what,
			    pp_q(in), decimals, decimals == 1 ? "" : "s");
		case TOO_LARGE:
			return ERR("%s \"%s\": too large", what, pp_q(in));
		case POINT_FIRST:
			return ERR("%s \"%s\": no digit before the decimal "
			    "point", what, pp_q(in));
		case NOT_MINE:
			break;
		}
		if ((c == ' ' || c == '\t') && only_space(s))
			break;
		return ERR("%s \"%s\": %s", what, pp_q(in), misplaced(c, s));
	}
	if (d.digits == 0)
		return ERR("%s \"%s\": no digits", what, pp_q(in));
	if (d.point && d.fdigits == 0)
		return ERR("%s \"%s\": no digit after the decimal point", what,
		    pp_q(in));
	for (i = d.fdigits; i < decimals; i++)
		d.frac *= 10;
	if (d.whole > INT64_MAX / scale || d.whole * scale > INT64_MAX - d.frac)
		return ERR("%s \"%s\": too large", what, pp_q(in));
	*out = d.whole * scale + d.frac;
	if (max >= 0 && *out > max)
		return ERR("%s \"%s\": above the limit", what, pp_q(in));
	if (neg)
		*out = -*out;
	return PP_OK;
}

int
pp_money_parse(const char *s, int flags, int64_t max, int64_t *fen,
    char *err, size_t errlen)
{
	int rc;

	rc = parse_decimal("amount", s, 2, flags & PP_MONEY_SIGNED, -1, fen,
	    err, errlen);
	if (rc != PP_OK)
		return rc;
	if (max >= 0 && (*fen > max || -*fen > max)) {
		char lim[PP_NUMBUF];

		return ERR("amount \"%s\": above the limit of %s", pp_q(s),
		    pp_money_format(max, lim));
	}
	return PP_OK;
}

char *
pp__scaled_format(int64_t v, int decimals, char buf[PP_NUMBUF])
{
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	uint64_t scale = 1;
	int i;

	for (i = 0; i < decimals; i++)
		scale *= 10;
	snprintf(buf, PP_NUMBUF, "%s%" PRIu64 ".%0*" PRIu64, v < 0 ? "-" : "",
	    u / scale, decimals, u % scale);
	return buf;
}

char *
pp_money_format(int64_t fen, char buf[PP_NUMBUF])
{
	return pp__scaled_format(fen, 2, buf);
}

int
pp_price_parse(const char *s, int64_t *price, char *err, size_t errlen)
{
	/* 1000 yuan/kWh is far beyond any real tariff and catches typos. */
	return parse_decimal("price", s, 4, 0, 10000000, price, err, errlen);
}

char *
pp__price_format(int64_t price, char buf[PP_NUMBUF])
{
	return pp__scaled_format(price, 4, buf);
}

int
pp_energy_parse(const char *s, int64_t *wh, char *err, size_t errlen)
{
	return parse_decimal("energy", s, 3, 0, -1, wh, err, errlen);
}

char *
pp__energy_format(int64_t wh, char buf[PP_NUMBUF])
{
	int64_t tens = wh / 10, rest = wh % 10;

	/* Wh to kWh with two decimals is tens of Wh, rounded half away. */
	if (rest >= 5)
		tens++;
	else if (rest <= -5)
		tens--;
	return pp__scaled_format(tens, 2, buf);
}

int
pp_int_parse(const char *s, int64_t min, int64_t max, int64_t *v,
    char *err, size_t errlen)
{
	int64_t x;
	int rc;

	rc = parse_decimal("number", s, 0, min < 0, -1, &x, err, errlen);
	if (rc != PP_OK)
		return rc;
	if (x < min || x > max)
		return ERR("\"%s\": out of range %" PRId64 "..%" PRId64,
		    pp_q(s), min, max);
	*v = x;
	return PP_OK;
}

/*
 * RMB uppercase, one canonical form of the PBOC rules: a run of zeros
 * between two non-zero digits of the yuan part is one 零, across 万 and 亿
 * too; 拾 is always 壹拾; 角 ends without 整; a zero 角 before a 分 is 零.
 */
static const char *const digit_cn[] = {
	"零", "壹", "贰", "叁", "肆", "伍", "陆", "柒", "捌", "玖"
};
static const char *const place_cn[] = { "", "拾", "佰", "仟" };

static int
append(char *buf, size_t len, size_t *at, const char *s)
{
	size_t n = strlen(s);

	if (*at + n + 1 > len)
		return -1;
	memcpy(buf + *at, s, n + 1);
	*at += n;
	return 0;
}

int
pp__rmb_upper(int64_t fen, char *buf, size_t len)
{
	uint64_t u = fen < 0 ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;
	uint64_t yuan = u / 100;
	int jiao = (int)(u / 10 % 10), cents = (int)(u % 10);
	int digits[20], n = 0, p, zero_pending = 0, group_nonzero = 0, fail = 0;
	size_t at = 0;

	if (len == 0)
		return PP_EINTERNAL;
	buf[0] = '\0';
	if (fen < 0)
		fail |= append(buf, len, &at, "负");
	for (; yuan > 0; yuan /= 10)
		digits[n++] = (int)(yuan % 10);
	/* Past 万亿 the units run out; no real amount gets there. */
	if (n > 16)
		return PP_EDATA;
	for (p = n - 1; p >= 0; p--) {
		int d = digits[p];

		if (d == 0)
			zero_pending = 1;
		else {
			if (zero_pending)
				fail |= append(buf, len, &at, "零");
			zero_pending = 0;
			group_nonzero = 1;
			fail |= append(buf, len, &at, digit_cn[d]);
			fail |= append(buf, len, &at, place_cn[p % 4]);
		}
		if (p % 4 == 0 && p > 0) {
			/*
			 * 万 at 10^4 and 10^12 when its group has a digit;
			 * 亿 at 10^8 always, as in 壹万亿, since int64 fen
			 * never reaches 10^16 yuan.
			 */
			if (p % 8 == 4 && group_nonzero)
				fail |= append(buf, len, &at, "万");
			else if (p == 8)
				fail |= append(buf, len, &at, "亿");
			group_nonzero = 0;
		}
	}
	if (n > 0)
		fail |= append(buf, len, &at, "元");
	if (jiao == 0 && cents == 0) {
		if (n == 0)
			fail |= append(buf, len, &at, "零元");
		fail |= append(buf, len, &at, "整");
	} else {
		if (jiao > 0) {
			fail |= append(buf, len, &at, digit_cn[jiao]);
			fail |= append(buf, len, &at, "角");
		} else if (n > 0)
			fail |= append(buf, len, &at, "零");
		if (cents > 0) {
			fail |= append(buf, len, &at, digit_cn[cents]);
			fail |= append(buf, len, &at, "分");
		}
	}
	return fail ? PP_EINTERNAL : PP_OK;
}

/*
 * Money priced in 1e-7 yuan, in fen: 1 fen is 100000 units, rounded half
 * up, as usage, never negative, needs (the account_balances view of db.c
 * rounds the same way; doc/design.md, "Money").
 */
int64_t
pp__fen_round(int64_t e7)
{
	return (e7 + 50000) / 100000;
}
