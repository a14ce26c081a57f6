/*
 * dlt645.c: the DL/T 645-2007 frame codec (see dlt645.h): frames on and
 * off the wire, addresses, data identifiers, BCD values and times, the
 * request builders and the checks of a reply.  No I/O here: the parser
 * takes whatever bytes came and says what they are.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "dlt645.h"

const uint8_t pp_645_addr_wild[6] = { 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA };
const uint8_t pp_645_addr_broadcast[6] = { 0x99, 0x99, 0x99, 0x99, 0x99,
	0x99 };

/* Set err (which may be NULL) and return code. */
static int
fail(char *err, size_t errlen, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
fail(char *err, size_t errlen, int code, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return code;
}

static int
is_bcd(uint8_t b)
{
	return (b >> 4) <= 9 && (b & 0x0F) <= 9;
}

static uint8_t
to_bcd(int v)
{
	return (uint8_t)(((v / 10) << 4) | (v % 10));
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * Exactly 2 * n hex digits, most significant first, into out[0..n)
 * lowest byte first.  0 on success.
 */
static int
hex_parse(const char *s, uint8_t *out, size_t n)
{
	size_t i;
	int hi, lo;

	if (s == NULL || strlen(s) != 2 * n)
		return -1;
	for (i = 0; i < n; i++) {
		hi = hexval((unsigned char)s[2 * i]);
		lo = hexval((unsigned char)s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[n - 1 - i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/* ---- frames --------------------------------------------------------- */

int
pp__645_encode(const struct pp__645_frame *f, int preamble, uint8_t *out,
    size_t cap, size_t *n)
{
	size_t i, k = 0, start;
	uint8_t cs = 0;

	*n = 0;
	if (preamble < 0 || preamble > PP_645_PREAMBLE)
		return PP_EUSAGE;
	if (f->len > PP_645_DATAMAX)
		return PP_EDATA;
	if (cap < (size_t)preamble + 12 + f->len)
		return PP_EINTERNAL;
	for (i = 0; i < (size_t)preamble; i++)
		out[k++] = 0xFE;
	start = k;
	out[k++] = 0x68;
	for (i = 0; i < 6; i++)
		out[k++] = f->addr[i];
	out[k++] = 0x68;
	out[k++] = f->control;
	out[k++] = f->len;
	for (i = 0; i < f->len; i++)
		out[k++] = (uint8_t)(f->data[i] + 0x33);
	for (i = start; i < k; i++)
		cs += out[i];
	out[k++] = cs;
	out[k++] = 0x16;
	*n = k;
	return PP_OK;
}

int
pp__645_decode(const uint8_t *buf, size_t n, struct pp__645_frame *f,
    size_t *used, char *err, size_t errlen)
{
	size_t s, i, len;
	uint8_t cs = 0;

	for (s = 0; s < n && buf[s] != 0x68; s++)
		;
	/* What lies before the first 68 is no frame's, FE or noise. */
	*used = s;
	if (n - s < 8)
		return PP_645_MORE;
	if (buf[s + 7] != 0x68) {
		*used = s + 1;
		return fail(err, errlen, PP_EDATA, "frame: no second 68 after "
		    "the address (%02X)", buf[s + 7]);
	}
	if (n - s < 10)
		return PP_645_MORE;
	len = buf[s + 9];
	if (len > PP_645_DATAMAX) {
		*used = s + 1;
		return fail(err, errlen, PP_EDATA, "frame: length %zu is past "
		    "%d", len, PP_645_DATAMAX);
	}
	if (n - s < 12 + len)
		return PP_645_MORE;
	for (i = s; i < s + 10 + len; i++)
		cs += buf[i];
	if (buf[s + 10 + len] != cs) {
		*used = s + 1;
		return fail(err, errlen, PP_EDATA, "frame: bad checksum %02X, "
		    "the bytes sum to %02X", buf[s + 10 + len], cs);
	}
	if (buf[s + 11 + len] != 0x16) {
		*used = s + 1;
		return fail(err, errlen, PP_EDATA, "frame: ends in %02X, "
		    "not 16", buf[s + 11 + len]);
	}
	memcpy(f->addr, buf + s + 1, 6);
	f->control = buf[s + 8];
	f->len = (uint8_t)len;
	for (i = 0; i < len; i++)
		f->data[i] = (uint8_t)(buf[s + 10 + i] - 0x33);
	*used = s + 12 + len;
	return PP_OK;
}

/* ---- data blocks ---------------------------------------------------- */

/*
 * The blocks of DL/T 645-2007, appendix A, that a poll has use for:
 * energies XXXXXX.XX (total and rates 1-4), the variables by phase.
 */
static const struct pp__645_block blocks[] = {
	{ 0x0000FF00, 0, 5, 4, "combined active energy, total and rates" },
	{ 0x0001FF00, 0, 5, 4, "forward active energy, total and rates" },
	{ 0x0002FF00, 0, 5, 4, "reverse active energy, total and rates" },
	{ 0x0201FF00, 1, 3, 2, "voltage, phases A-C (XXX.X)" },
	{ 0x0202FF00, 1, 3, 3, "current, phases A-C (XXX.XXX)" },
	{ 0x0203FF00, 0, 4, 3, "active power, total and phases A-C" },
	{ 0x0204FF00, 0, 4, 3, "reactive power, total and phases A-C" },
	{ 0x0205FF00, 0, 4, 3, "apparent power, total and phases A-C" },
	{ 0x0206FF00, 0, 4, 2, "power factor, total and phases A-C" },
};

const struct pp__645_block *
pp__645_block_find(uint32_t di)
{
	size_t i;

	for (i = 0; i < sizeof(blocks) / sizeof(blocks[0]); i++)
		if (blocks[i].di == di)
			return &blocks[i];
	return NULL;
}

int
pp__645_block_item(const struct pp__645_block *b, uint32_t di)
{
	int di1 = (int)(di >> 8 & 0xFF);

	if ((di & 0xFFFF00FFu) != (b->di & 0xFFFF00FFu) || di1 < b->first ||
	    di1 >= b->first + b->count)
		return -1;
	return di1 - b->first;
}

/* ---- addresses ------------------------------------------------------ */

int
pp__645_addr_parse(const char *text, uint8_t addr[6], char *err,
    size_t errlen)
{
	char full[PP_645_ADDRBUF];
	size_t len, i;
	int wild = 1;

	if (text == NULL || (len = strlen(text)) == 0)
		return fail(err, errlen, PP_EDATA, "meter address: empty");
	if (len > 12)
		return fail(err, errlen, PP_EDATA, "meter address %.40s: more "
		    "than 12 digits", text);
	if (strspn(text, "0123456789") == len) {
		/* Short numbers are padded with 0 in front. */
		memset(full, '0', 12 - len);
		memcpy(full + 12 - len, text, len + 1);
	} else if (len == 12)
		memcpy(full, text, 13);
	else
		return fail(err, errlen, PP_EDATA, "meter address %s: use the "
		    "12 digits on the meter, or AA for a wildcard byte", text);
	for (i = 0; i < 6; i++) {
		char hi = full[2 * i], lo = full[2 * i + 1];

		if (wild && (hi == 'A' || hi == 'a') && (lo == 'A' ||
		    lo == 'a')) {
			addr[5 - i] = 0xAA;
			continue;
		}
		wild = 0;
		if (!isdigit((unsigned char)hi) || !isdigit((unsigned char)lo))
			return fail(err, errlen, PP_EDATA, "meter address %s: "
			    "use 12 digits, AA only for the leading bytes left "
			    "open", text);
		addr[5 - i] = (uint8_t)((hi - '0') << 4 | (lo - '0'));
	}
	return PP_OK;
}

char *
pp__645_addr_format(const uint8_t addr[6], char buf[PP_645_ADDRBUF])
{
	int i;

	for (i = 0; i < 6; i++)
		snprintf(buf + 2 * i, 3, "%02X", addr[5 - i]);
	return buf;
}

int
pp__645_addr_is_broadcast(const uint8_t addr[6])
{
	return memcmp(addr, pp_645_addr_broadcast, 6) == 0;
}

int
pp__645_addr_match(const uint8_t asked[6], const uint8_t got[6])
{
	int i;

	if (pp__645_addr_is_broadcast(got))
		return 0;
	for (i = 0; i < 6; i++) {
		if (!is_bcd(got[i]))
			return 0;
		if (asked[i] != 0xAA && asked[i] != got[i])
			return 0;
	}
	return 1;
}

/* ---- data identifiers ----------------------------------------------- */

int
pp__645_di_parse(const char *text, uint8_t di[4], char *err, size_t errlen)
{
	if (hex_parse(text, di, 4) != 0)
		return fail(err, errlen, PP_EDATA, "data identifier %.40s: use "
		    "8 hex digits, DI3 first, as 04000402", text ? text : "");
	return PP_OK;
}

char *
pp__645_di_format(const uint8_t di[4], char buf[PP_645_DIBUF])
{
	snprintf(buf, PP_645_DIBUF, "%02X%02X%02X%02X", di[3], di[2], di[1],
	    di[0]);
	return buf;
}

uint32_t
pp__645_di_get(const uint8_t di[4])
{
	return (uint32_t)di[0] | (uint32_t)di[1] << 8 | (uint32_t)di[2] << 16 |
	    (uint32_t)di[3] << 24;
}

void
pp__645_di_put(uint32_t v, uint8_t di[4])
{
	di[0] = (uint8_t)v;
	di[1] = (uint8_t)(v >> 8);
	di[2] = (uint8_t)(v >> 16);
	di[3] = (uint8_t)(v >> 24);
}

/* ---- BCD values ----------------------------------------------------- */

int
pp__645_bcd_get(const uint8_t *p, int nbytes, int flags, int64_t *raw)
{
	int64_t v = 0;
	int i, neg = 0;

	if (nbytes < 1 || nbytes > 8)
		return PP_EDATA;
	for (i = nbytes - 1; i >= 0; i--) {
		uint8_t b = p[i];

		if (i == nbytes - 1 && (flags & PP_645_SIGNED)) {
			neg = b & 0x80;
			b &= 0x7F;
		}
		if (!is_bcd(b))
			return PP_EDATA;
		v = v * 100 + (b >> 4) * 10 + (b & 0x0F);
	}
	*raw = neg ? -v : v;
	return PP_OK;
}

int
pp__645_bcd_put(int64_t raw, int nbytes, int flags, uint8_t *p)
{
	uint8_t tmp[8];
	int64_t v;
	int i;

	if (nbytes < 1 || nbytes > 8 || raw == INT64_MIN)
		return PP_EDATA;
	if (raw < 0 && !(flags & PP_645_SIGNED))
		return PP_EDATA;
	v = raw < 0 ? -raw : raw;
	for (i = 0; i < nbytes; i++) {
		tmp[i] = to_bcd((int)(v % 100));
		v /= 100;
	}
	if (v != 0)
		return PP_EDATA;
	if (flags & PP_645_SIGNED) {
		/* The top bit is the sign's: the top digit is 7 at most. */
		if (tmp[nbytes - 1] & 0x80)
			return PP_EDATA;
		if (raw < 0)
			tmp[nbytes - 1] |= 0x80;
	}
	memcpy(p, tmp, (size_t)nbytes);
	return PP_OK;
}

/* n / d rounded half away from zero; d > 0. */
static int64_t
div_round(int64_t n, int64_t d)
{
	int64_t q = n / d, r = n % d;

	if (r < 0)
		r = -r;
	if (r >= d - r)
		q += n < 0 ? -1 : 1;
	return q;
}

/* *out = a * b, or -1 past int64. */
static int
mul(int64_t a, int64_t b, int64_t *out)
{
	if (a != 0 && b != 0) {
		int64_t aa = a < 0 ? -a : a, ab = b < 0 ? -b : b;

		if (a == INT64_MIN || b == INT64_MIN || aa > INT64_MAX / ab)
			return -1;
	}
	*out = a * b;
	return 0;
}

static int64_t
gcd(int64_t a, int64_t b)
{
	while (b != 0) {
		int64_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/* num * factor / den in lowest terms, as *m / *d; -1 past int64. */
static int
ratio(struct pp__scale scale, int64_t factor, int64_t *m, int64_t *d)
{
	int64_t g1, g2;

	if (scale.num <= 0 || scale.den <= 0 || factor <= 0)
		return -1;
	g1 = gcd(scale.num, scale.den);
	g2 = gcd(factor, scale.den / g1);
	*d = scale.den / g1 / g2;
	return mul(scale.num / g1, factor / g2, m);
}

int
pp__645_value_get(const uint8_t *p, int nbytes, int flags,
    struct pp__scale scale, int64_t factor, int64_t *out)
{
	int64_t raw, m, d, x;

	if (ratio(scale, factor, &m, &d) != 0)
		return PP_EDATA;
	if (pp__645_bcd_get(p, nbytes, flags, &raw) != PP_OK)
		return PP_EDATA;
	if (mul(raw, m, &x) != 0)
		return PP_EDATA;
	*out = div_round(x, d);
	return PP_OK;
}

int
pp__645_value_put(int64_t value, int nbytes, int flags,
    struct pp__scale scale, int64_t factor, uint8_t *p)
{
	int64_t m, d, x;

	if (ratio(scale, factor, &m, &d) != 0 || mul(value, d, &x) != 0)
		return PP_EDATA;
	return pp__645_bcd_put(div_round(x, m), nbytes, flags, p);
}

int
pp__645_format_parse(const char *fmt, int *nbytes, struct pp__scale *scale)
{
	int digits = 0, decimals = 0, point = 0, i;
	const char *s;

	if (fmt == NULL)
		return PP_ECONFIG;
	for (s = fmt; *s; s++) {
		if (*s == 'X' || *s == 'N') {
			digits++;
			if (point)
				decimals++;
		} else if (*s == '.' && !point)
			point = 1;
		else
			return PP_ECONFIG;
	}
	if (digits == 0 || digits % 2 != 0 || digits > 16 ||
	    (point && decimals == 0) || (point && decimals == digits))
		return PP_ECONFIG;
	*nbytes = digits / 2;
	scale->num = 1;
	scale->den = 1;
	for (i = 0; i < decimals; i++)
		scale->den *= 10;
	return PP_OK;
}

uint64_t
pp__645_bin_get(const uint8_t *p, int nbytes)
{
	uint64_t v = 0;
	int i;

	if (nbytes > 8)
		nbytes = 8;
	for (i = nbytes - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* ---- times ---------------------------------------------------------- */

static int
time_ok(const struct pp__645_time *t)
{
	static const int mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30,
		31, 30, 31 };
	int leap;

	if (t->year < 2000 || t->year > 2099 || t->month < 1 ||
	    t->month > 12 || t->day < 1 || t->hour < 0 || t->hour > 23 ||
	    t->min < 0 || t->min > 59 || t->sec < 0 || t->sec > 59)
		return 0;
	leap = t->year % 4 == 0 && (t->year % 100 != 0 || t->year % 400 == 0);
	if (t->day > mdays[t->month - 1])
		return 0;
	return t->month != 2 || t->day <= 28 || leap;
}

int
pp__645_time_local(int64_t t, struct pp__645_time *out)
{
	struct tm tm;

	if (pp__local_tm(t, &tm) != PP_OK)
		return PP_EDATA;
	out->year = tm.tm_year + 1900;
	out->month = tm.tm_mon + 1;
	out->day = tm.tm_mday;
	out->hour = tm.tm_hour;
	out->min = tm.tm_min;
	/* A leap second is shown as the second before it. */
	out->sec = tm.tm_sec > 59 ? 59 : tm.tm_sec;
	return time_ok(out) ? PP_OK : PP_EDATA;
}

int
pp__645_time_put(const struct pp__645_time *t, uint8_t out[6])
{
	if (!time_ok(t))
		return PP_EDATA;
	out[0] = to_bcd(t->sec);
	out[1] = to_bcd(t->min);
	out[2] = to_bcd(t->hour);
	out[3] = to_bcd(t->day);
	out[4] = to_bcd(t->month);
	out[5] = to_bcd(t->year - 2000);
	return PP_OK;
}

int
pp__645_time_get(const uint8_t in[6], struct pp__645_time *t)
{
	int i, v[6];

	for (i = 0; i < 6; i++) {
		if (!is_bcd(in[i]))
			return PP_EDATA;
		v[i] = (in[i] >> 4) * 10 + (in[i] & 0x0F);
	}
	t->sec = v[0];
	t->min = v[1];
	t->hour = v[2];
	t->day = v[3];
	t->month = v[4];
	t->year = 2000 + v[5];
	return time_ok(t) ? PP_OK : PP_EDATA;
}

/* ---- passwords and operator codes ----------------------------------- */

int
pp__645_password_parse(const char *text, uint8_t pw[4], char *err,
    size_t errlen)
{
	uint8_t b[4];

	/* b[3] is PA, b[2..0] are P2 P1 P0. */
	if (hex_parse(text, b, 4) != 0)
		return fail(err, errlen, PP_EDATA, "password: use 8 hex "
		    "digits, the level then the password, as 02123456");
	if (b[3] == 0x98 || b[3] == 0x99)
		return fail(err, errlen, PP_ECONFIG, "password level %02X "
		    "needs ESAM identity authentication through the utility's "
		    "encryption machine, which prepay cannot do: such a meter "
		    "is out of reach without the utility's keys", b[3]);
	if (b[3] != 0x02 && b[3] != 0x04)
		return fail(err, errlen, PP_EDATA, "password level %02X: "
		    "prepay sends plain passwords, of level 02 or 04", b[3]);
	pw[0] = b[3];
	pw[1] = b[0];
	pw[2] = b[1];
	pw[3] = b[2];
	return PP_OK;
}

int
pp__645_operator_parse(const char *text, uint8_t op[4], char *err,
    size_t errlen)
{
	if (hex_parse(text, op, 4) != 0)
		return fail(err, errlen, PP_EDATA, "operator code: use 8 hex "
		    "digits, as 00000000");
	return PP_OK;
}

/* ---- request builders ----------------------------------------------- */

static void
start(struct pp__645_frame *f, const uint8_t addr[6], uint8_t control)
{
	memset(f, 0, sizeof(*f));
	memcpy(f->addr, addr, 6);
	f->control = control;
}

void
pp__645_build_read(struct pp__645_frame *f, const uint8_t addr[6],
    const uint8_t di[4])
{
	start(f, addr, PP_645_READ);
	memcpy(f->data, di, 4);
	f->len = 4;
}

void
pp__645_build_read_more(struct pp__645_frame *f, const uint8_t addr[6],
    const uint8_t di[4], uint8_t seq)
{
	start(f, addr, PP_645_READ_MORE);
	memcpy(f->data, di, 4);
	f->data[4] = seq;
	f->len = 5;
}

void
pp__645_build_read_addr(struct pp__645_frame *f)
{
	start(f, pp_645_addr_wild, PP_645_READ_ADDR);
}

int
pp__645_build_write(struct pp__645_frame *f, const uint8_t addr[6],
    const uint8_t di[4], const uint8_t pw[4], const uint8_t op[4],
    const uint8_t *data, size_t n)
{
	if (n > PP_645_DATAMAX - 12)
		return PP_EDATA;
	start(f, addr, PP_645_WRITE);
	memcpy(f->data, di, 4);
	memcpy(f->data + 4, pw, 4);
	memcpy(f->data + 8, op, 4);
	if (n > 0)
		memcpy(f->data + 12, data, n);
	f->len = (uint8_t)(12 + n);
	return PP_OK;
}

int
pp__645_build_time(struct pp__645_frame *f, const struct pp__645_time *tm)
{
	start(f, pp_645_addr_broadcast, PP_645_TIME);
	if (pp__645_time_put(tm, f->data) != PP_OK)
		return PP_EDATA;
	f->len = 6;
	return PP_OK;
}

int
pp__645_build_relay(struct pp__645_frame *f, const uint8_t addr[6],
    const uint8_t pw[4], const uint8_t op[4], uint8_t n1, uint8_t n2,
    const struct pp__645_time *until)
{
	if (pp__645_relay_text(n1) == NULL)
		return PP_EDATA;
	start(f, addr, PP_645_RELAY);
	memcpy(f->data, pw, 4);
	memcpy(f->data + 4, op, 4);
	f->data[8] = n1;
	f->data[9] = n2;
	if (pp__645_time_put(until, f->data + 10) != PP_OK)
		return PP_EDATA;
	f->len = 16;
	return PP_OK;
}

/* ---- replies -------------------------------------------------------- */

int
pp__645_reply_check(const struct pp__645_frame *req,
    const struct pp__645_frame *rep, int *more, int *errbyte, char *err,
    size_t errlen)
{
	uint8_t code = req->control & PP_645_C_CODE;
	char want[PP_645_ADDRBUF], got[PP_645_ADDRBUF];

	if (more != NULL)
		*more = 0;
	if (errbyte != NULL)
		*errbyte = -1;
	if (code == PP_645_TIME || pp__645_addr_is_broadcast(req->addr))
		return fail(err, errlen, PP_EDATA, "a broadcast gets no reply");
	if (!(rep->control & PP_645_C_REPLY))
		return fail(err, errlen, PP_EDATA, "a request (control %02X) "
		    "where the meter's reply was due: does the bus echo?",
		    rep->control);
	if ((rep->control & PP_645_C_CODE) != code)
		return fail(err, errlen, PP_EDATA, "a reply of control %02X to "
		    "a %s", rep->control, pp__645_control_text(req->control));
	if (!pp__645_addr_match(req->addr, rep->addr))
		return fail(err, errlen, PP_EDATA, "a reply from address %s "
		    "to a %s of %s", pp__645_addr_format(rep->addr, got),
		    pp__645_control_text(req->control),
		    pp__645_addr_format(req->addr, want));
	if (rep->control & PP_645_C_ERROR) {
		if (rep->len == 0)
			return fail(err, errlen, PP_EDATA, "meter error reply "
			    "to a %s, without an error byte",
			    pp__645_control_text(req->control));
		if (errbyte != NULL)
			*errbyte = rep->data[0];
		return fail(err, errlen, PP_EDATA, "meter error %02X: %s",
		    rep->data[0], pp__645_error_text(rep->data[0]));
	}
	switch (code) {
	case PP_645_READ:
	case PP_645_READ_MORE:
		if (req->len < (code == PP_645_READ ? 4 : 5))
			return fail(err, errlen, PP_EDATA, "a %s of %u bytes, "
			    "too short", pp__645_control_text(req->control),
			    req->len);
		if (rep->len < (code == PP_645_READ ? 4 : 5))
			return fail(err, errlen, PP_EDATA, "a %s of %u bytes, "
			    "too short", pp__645_control_text(rep->control),
			    rep->len);
		if (memcmp(rep->data, req->data, 4) != 0) {
			char a[PP_645_DIBUF], b[PP_645_DIBUF];

			return fail(err, errlen, PP_EDATA, "a reply for %s "
			    "to a read of %s", pp__645_di_format(rep->data, a),
			    pp__645_di_format(req->data, b));
		}
		if (code == PP_645_READ_MORE &&
		    rep->data[rep->len - 1] != req->data[4])
			return fail(err, errlen, PP_EDATA, "follow-up frame %u "
			    "where %u was asked", rep->data[rep->len - 1],
			    req->data[4]);
		if (more != NULL)
			*more = (rep->control & PP_645_C_MORE) != 0;
		break;
	case PP_645_READ_ADDR:
		if (rep->len != 6 || memcmp(rep->data, rep->addr, 6) != 0)
			return fail(err, errlen, PP_EDATA, "a read address "
			    "reply that does not give its address");
		break;
	default:
		break;
	}
	return PP_OK;
}

const uint8_t *
pp__645_reply_data(const struct pp__645_frame *rep, size_t *n)
{
	size_t skip = 0, tail = 0;

	switch (rep->control & ~PP_645_C_MORE) {
	case PP_645_C_REPLY | PP_645_READ:
		skip = 4;
		break;
	case PP_645_C_REPLY | PP_645_READ_MORE:
		skip = 4;
		tail = 1;
		break;
	}
	*n = rep->len >= skip + tail ? rep->len - skip - tail : 0;
	return rep->data + (*n ? skip : 0);
}

/* ---- texts ---------------------------------------------------------- */

char *
pp__645_error_format(uint8_t e, char *buf, size_t len)
{
	static const char *const bit[8] = {
		"other error",
		"no data requested or data not found",
		"password error or no authority",
		"the communication rate cannot be changed",
		"annual time zone count exceeded",
		"daily time period count exceeded",
		"rate count exceeded",
		"reserved error bit 7",
	};
	size_t k = 0;
	int i, w;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	if (e == 0) {
		snprintf(buf, len, "an error reply with no error bit set");
		return buf;
	}
	for (i = 0; i < 8; i++) {
		if (!(e & (1 << i)))
			continue;
		w = snprintf(buf + k, len - k, "%s%s", k ? "; " : "", bit[i]);
		if (w < 0 || (size_t)w >= len - k)
			break;
		k += (size_t)w;
	}
	return buf;
}

const char *
pp__645_error_text(uint8_t e)
{
	static _Thread_local char buf[320];

	return pp__645_error_format(e, buf, sizeof(buf));
}

const char *
pp__645_control_text(uint8_t c)
{
	static const struct {
		uint8_t		 code;
		const char	*text[4];	/* request, reply, more, err */
	} names[] = {
		{ PP_645_TIME, { "broadcast time", "broadcast time reply",
		    "broadcast time reply", "broadcast time error reply" } },
		{ PP_645_READ, { "read", "read reply",
		    "read reply with follow-up frames", "read error reply" } },
		{ PP_645_READ_MORE, { "follow-up read", "follow-up read reply",
		    "follow-up read reply with more frames",
		    "follow-up read error reply" } },
		{ PP_645_READ_ADDR, { "read address", "read address reply",
		    "read address reply", "read address error reply" } },
		{ PP_645_WRITE, { "write", "write reply", "write reply",
		    "write error reply" } },
		{ PP_645_RELAY, { "relay control", "relay control reply",
		    "relay control reply", "relay control error reply" } },
	};
	size_t i;
	int form;

	if (!(c & PP_645_C_REPLY))
		form = (c & (PP_645_C_ERROR | PP_645_C_MORE)) ? -1 : 0;
	else if (c & PP_645_C_ERROR)
		form = (c & PP_645_C_MORE) ? -1 : 3;
	else
		form = (c & PP_645_C_MORE) ? 2 : 1;
	for (i = 0; form >= 0 && i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].code == (c & PP_645_C_CODE))
			return names[i].text[form];
	return "unknown control code";
}

const char *
pp__645_relay_text(uint8_t n1)
{
	switch (n1) {
	case PP_645_TRIP:
		return "trip";
	case PP_645_CLOSE_ALLOW:
		return "close allowed";
	case PP_645_CLOSE:
		return "direct close";
	case PP_645_KEEP:
		return "keep power";
	case PP_645_KEEP_OFF:
		return "keep power released";
	}
	return NULL;
}
