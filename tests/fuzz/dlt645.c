/*
 * dlt645: a libFuzzer target for the DL/T 645 frame parser.  The input is
 * what came off the bus; it is read as a reader would, frame after frame,
 * dropping what each call says is done.  Every frame found must be the
 * bytes it came from, encode to them again and decode back the same; the
 * reply checks and the data helpers run over it.  Any broken promise
 * aborts.  The first bytes, as text, also go through the text parsers.
 * See fuzz.h for how to build and run it.
 */
#include "dlt645.h"
#include "fuzz.h"

static int
same_frame(const struct pp__645_frame *a, const struct pp__645_frame *b)
{
	return memcmp(a->addr, b->addr, 6) == 0 && a->control == b->control &&
	    a->len == b->len && memcmp(a->data, b->data, a->len) == 0;
}

/* A frame found at data[start..start + n): every promise about it. */
static void
frame(const struct pp__645_frame *f, const uint8_t *raw, size_t n,
    const struct pp__645_frame *prev)
{
	uint8_t wire[PP_645_FRAMEMAX];
	struct pp__645_frame g;
	struct pp__645_time tm;
	char err[PP_ERRMAX], a[PP_645_ADDRBUF];
	const uint8_t *p;
	size_t m, used, k;
	int64_t v;
	int more, eb, i;

	check(f->len <= PP_645_DATAMAX && n == 12 + (size_t)f->len);
	check(raw[0] == 0x68 && raw[7] == 0x68 && raw[n - 1] == 0x16);
	check(pp__645_encode(f, (int)(n % 5), wire, sizeof(wire), &m) ==
	    PP_OK && m == n + n % 5);
	check(memcmp(wire + n % 5, raw, n) == 0);
	check(pp__645_decode(wire, m, &g, &used, err, sizeof(err)) == PP_OK);
	check(used == m && same_frame(f, &g));
	/* Cut short, it is incomplete; the cut bytes are never read. */
	for (k = 0; k < m; k += 1 + k / 8) {
		check(pp__645_decode(wire, k, &g, &used, NULL, 0) ==
		    PP_645_MORE);
		check(used <= k);
	}

	pp__645_addr_format(f->addr, a);
	check(strlen(a) == 12);
	(void)pp__645_control_text(f->control);
	(void)pp__645_relay_text(f->len > 8 ? f->data[8] : 0);
	check(pp__645_error_text(f->len ? f->data[0] : 0)[0] != '\0');
	p = pp__645_reply_data(f, &m);
	check(m <= f->len && p >= f->data && p + m <= f->data + f->len);
	for (i = 1; i <= 8 && (size_t)i <= f->len; i++) {
		(void)pp__645_bcd_get(f->data, i, 0, &v);
		(void)pp__645_bcd_get(f->data, i, PP_645_SIGNED, &v);
		(void)pp__645_value_get(f->data, i, PP_645_SIGNED,
		    (struct pp__scale){ 1, 100 }, 1000, &v);
		(void)pp__645_bin_get(f->data, i);
	}
	if (f->len >= 6 && pp__645_time_get(f->data, &tm) == PP_OK) {
		check(pp__645_time_put(&tm, wire) == PP_OK);
		check(memcmp(wire, f->data, 6) == 0);
	}
	more = eb = 0;
	(void)pp__645_reply_check(prev, f, &more, &eb, err, sizeof(err));
	(void)pp__645_reply_check(f, f, NULL, NULL, NULL, 0);
	check(more == 0 || more == 1);
	check(eb >= -1 && eb <= 255);
}

/* The first bytes as text through the parsers that take text. */
static void
texts(const uint8_t *data, size_t size)
{
	char s[24], a[PP_645_ADDRBUF], d[PP_645_DIBUF], err[PP_ERRMAX];
	uint8_t b[6], c[6];
	size_t n = size < sizeof(s) - 1 ? size : sizeof(s) - 1;
	struct pp__scale sc;
	int nb;

	memcpy(s, data, n);
	s[n] = '\0';
	if (pp__645_addr_parse(s, b, err, sizeof(err)) == PP_OK) {
		check(pp__645_addr_parse(pp__645_addr_format(b, a), c, err,
		    sizeof(err)) == PP_OK);
		check(memcmp(b, c, 6) == 0);
	}
	if (pp__645_di_parse(s, b, err, sizeof(err)) == PP_OK) {
		check(pp__645_di_parse(pp__645_di_format(b, d), c, err,
		    sizeof(err)) == PP_OK);
		check(memcmp(b, c, 4) == 0);
	}
	(void)pp__645_password_parse(s, b, err, sizeof(err));
	(void)pp__645_operator_parse(s, b, NULL, 0);
	if (pp__645_format_parse(s, &nb, &sc) == PP_OK)
		check(nb >= 1 && nb <= 8 && sc.den >= 1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pp__645_frame f, prev;
	char err[PP_ERRMAX];
	size_t off = 0, used;
	int rc;

	texts(data, size);
	pp__645_build_read_addr(&prev);
	while (off <= size) {
		used = (size_t)-1;
		rc = pp__645_decode(data + off, size - off, &f, &used,
		    size % 2 ? NULL : err, sizeof(err));
		check(used <= size - off);
		if (rc == PP_645_MORE)
			break;
		check(rc == PP_OK || rc == PP_EDATA);
		check(used >= 1);
		check(data[off + used - 1] == (rc == PP_OK ? 0x16 : 0x68));
		if (rc == PP_OK) {
			frame(&f, data + off + used - 12 - f.len, 12 + f.len,
			    &prev);
			prev = f;
		}
		off += used;
	}
	return 0;
}
