/*
 * dlt645: the DL/T 645-2007 frame codec against the standard's worked
 * example, round-trips of every control code, preambles, noise, split and
 * truncated frames, broken frames, and the address, DI, BCD, time,
 * password and error text helpers.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dlt645.h"
#include "tap.h"

/* The standard's example: read DI 04000402 of meter 002241020208. */
static const uint8_t example[] = {
	0xFE, 0xFE, 0xFE, 0xFE, 0x68, 0x08, 0x02, 0x02, 0x41, 0x22, 0x00, 0x68,
	0x11, 0x04, 0x35, 0x37, 0x33, 0x37, 0x2A, 0x16
};

static uint8_t meter[6];		/* 002241020208 */
static const uint8_t pw[4] = { 0x02, 0x56, 0x34, 0x12 };
static const uint8_t op[4] = { 0x78, 0x56, 0x34, 0x12 };

static int
same_frame(const struct pp__645_frame *a, const struct pp__645_frame *b)
{
	return memcmp(a->addr, b->addr, 6) == 0 && a->control == b->control &&
	    a->len == b->len && memcmp(a->data, b->data, a->len) == 0;
}

/* Encode with 0-4 FE, check the wire's +0x33, decode, compare. */
static void
roundtrip(const struct pp__645_frame *f, const char *name)
{
	uint8_t wire[PP_645_FRAMEMAX];
	struct pp__645_frame back;
	char err[PP_ERRMAX];
	size_t n, used, i;
	int pre, good = 1, rc;

	for (pre = 0; pre <= PP_645_PREAMBLE; pre++) {
		rc = pp__645_encode(f, pre, wire, sizeof(wire), &n);
		if (rc != PP_OK || n != (size_t)pre + 12 + f->len) {
			diag("%s: encode %d, %zu bytes", name, rc, n);
			good = 0;
			continue;
		}
		for (i = 0; i < f->len; i++)
			if (wire[pre + 10 + i] != (uint8_t)(f->data[i] + 0x33))
				good = 0;
		memset(&back, 0xEE, sizeof(back));
		rc = pp__645_decode(wire, n, &back, &used, err, sizeof(err));
		if (rc != PP_OK || used != n || !same_frame(f, &back)) {
			diag("%s, %d FE: decode %d (%s), used %zu of %zu", name,
			    pre, rc, rc == PP_OK ? "" : err, used, n);
			good = 0;
		}
	}
	ok(good, "%s (%s) round-trips with 0-4 FE", name,
	    pp__645_control_text(f->control));
}

/* A reply from the meter: control, and data as the meter means it. */
static void
reply(struct pp__645_frame *r, const uint8_t addr[6], uint8_t control,
    const uint8_t *data, size_t n)
{
	memset(r, 0, sizeof(*r));
	memcpy(r->addr, addr, 6);
	r->control = control;
	r->len = (uint8_t)n;
	if (n)
		memcpy(r->data, data, n);
}

static void
test_example(void)
{
	struct pp__645_frame f, d;
	uint8_t di[4], wire[PP_645_FRAMEMAX];
	char err[PP_ERRMAX], a[PP_645_ADDRBUF], t[PP_645_DIBUF];
	size_t n = 0, used = 0;
	static const uint8_t wire_addr[6] = { 0x08, 0x02, 0x02, 0x41, 0x22,
		0x00 };
	static const uint8_t wire_di[4] = { 0x02, 0x04, 0x00, 0x04 };

	is_int(pp__645_addr_parse("002241020208", meter, err, sizeof(err)),
	    PP_OK, "meter number 002241020208 parses");
	ok(memcmp(meter, wire_addr, 6) == 0, "it is 08 02 02 41 22 00 on the "
	    "wire");
	is_int(pp__645_di_parse("04000402", di, err, sizeof(err)), PP_OK,
	    "DI 04000402 parses");
	ok(memcmp(di, wire_di, 4) == 0, "it is 02 04 00 04 on the wire");
	pp__645_build_read(&f, meter, di);
	is_int(pp__645_encode(&f, 4, wire, sizeof(wire), &n), PP_OK,
	    "the example encodes");
	is_int((int64_t)n, (int64_t)sizeof(example), "in 20 bytes");
	ok(n == sizeof(example) && memcmp(wire, example, n) == 0,
	    "exactly the standard's bytes");
	is_int(wire[18], 0x2A, "CS is 2A");
	is_int(pp__645_decode(example, sizeof(example), &d, &used, err,
	    sizeof(err)), PP_OK, "the example decodes");
	is_int((int64_t)used, 20, "all 20 bytes used");
	ok(same_frame(&f, &d), "into the frame it was made from");
	is_str(pp__645_addr_format(d.addr, a), "002241020208",
	    "the address reads 002241020208");
	is_int(d.control, 0x11, "control 11");
	is_int(d.len, 4, "L 4");
	is_str(pp__645_di_format(d.data, t), "04000402", "DI 04000402");
	is_int(pp__645_di_get(d.data), 0x04000402, "DI as a number");
}

static void
test_controls(void)
{
	struct pp__645_frame req, rep;
	struct pp__645_time tm = { 2024, 5, 6, 7, 8, 9 };
	uint8_t di[4], data[16], mdata[3] = { 0xAB, 0xCD, 0xEF };
	char err[PP_ERRMAX], name[64];
	static const uint8_t energy[8] = { 0x00, 0x00, 0x01, 0x00, 0x78, 0x56,
		0x34, 0x12 };
	static const uint8_t n1s[5] = { PP_645_TRIP, PP_645_CLOSE_ALLOW,
		PP_645_CLOSE, PP_645_KEEP, PP_645_KEEP_OFF };
	static const uint8_t timebytes[6] = { 0x09, 0x08, 0x07, 0x06, 0x05,
		0x24 };
	const uint8_t *p;
	size_t n;
	int64_t wh;
	int more, eb, i, rc;

	/* 0x11 read and its replies. */
	pp__645_di_put(0x00010000, di);
	pp__645_build_read(&req, meter, di);
	roundtrip(&req, "read 00010000");
	reply(&rep, meter, 0x91, energy, sizeof(energy));
	roundtrip(&rep, "read reply with energy");
	is_int(pp__645_reply_check(&req, &rep, &more, &eb, err, sizeof(err)),
	    PP_OK, "0x91 answers the read");
	is_int(more, 0, "without follow-up frames");
	p = pp__645_reply_data(&rep, &n);
	is_int((int64_t)n, 4, "4 bytes of data past the DI");
	pp__645_value_get(p, 4, 0, (struct pp__scale){ 1, 100 }, 1000, &wh);
	is_int(wh, 123456780, "78 56 34 12 is 123456.78 kWh, 123456780 Wh");
	reply(&rep, meter, 0xB1, energy, sizeof(energy));
	roundtrip(&rep, "read reply B1");
	is_int(pp__645_reply_check(&req, &rep, &more, &eb, err, sizeof(err)),
	    PP_OK, "0xB1 answers the read");
	is_int(more, 1, "with follow-up frames");
	for (i = 0; i < 8; i++) {
		uint8_t e = (uint8_t)(1 << i);

		reply(&rep, meter, 0xD1, &e, 1);
		snprintf(name, sizeof(name), "read error reply, bit %d", i);
		roundtrip(&rep, name);
		rc = pp__645_reply_check(&req, &rep, &more, &eb, err,
		    sizeof(err));
		ok(rc == PP_EDATA && eb == e && strstr(err,
		    pp__645_error_text(e)) != NULL, "0xD1 bit %d is a meter "
		    "error: %s", i, err);
	}

	/* 0x12 follow-up read, and its reply with the sequence number. */
	pp__645_build_read_more(&req, meter, di, 1);
	roundtrip(&req, "follow-up read 1");
	memcpy(data, di, 4);
	memcpy(data + 4, mdata, 3);
	data[7] = 1;
	reply(&rep, meter, 0x92, data, 8);
	roundtrip(&rep, "follow-up reply 92");
	is_int(pp__645_reply_check(&req, &rep, &more, &eb, err, sizeof(err)),
	    PP_OK, "0x92 answers the follow-up read");
	p = pp__645_reply_data(&rep, &n);
	ok(n == 3 && memcmp(p, mdata, 3) == 0, "its data lies between the DI "
	    "and the sequence number");
	data[7] = 2;
	reply(&rep, meter, 0xB2, data, 8);
	is_int(pp__645_reply_check(&req, &rep, &more, &eb, err, sizeof(err)),
	    PP_EDATA, "a follow-up frame of the wrong number is refused");

	/* 0x13 read address, to the wildcard. */
	pp__645_build_read_addr(&req);
	ok(memcmp(req.addr, pp_645_addr_wild, 6) == 0 && req.len == 0,
	    "read address goes to AA x 6 without data");
	roundtrip(&req, "read address");
	reply(&rep, meter, 0x93, meter, 6);
	roundtrip(&rep, "read address reply");
	is_int(pp__645_reply_check(&req, &rep, &more, &eb, err, sizeof(err)),
	    PP_OK, "0x93 from a real address answers the wildcard");

	/* 0x14 write: DI, password, operator code, data. */
	pp__645_di_put(0x04001001, di);
	pp__645_value_put(2000, 4, 0, (struct pp__scale){ 1, 100 }, 100, data);
	is_int(pp__645_build_write(&req, meter, di, pw, op, data, 4), PP_OK,
	    "a write of alarm amount 1 builds");
	ok(req.len == 16 && memcmp(req.data, di, 4) == 0 &&
	    memcmp(req.data + 4, pw, 4) == 0 && memcmp(req.data + 8, op, 4) ==
	    0 && req.data[12] == 0x00 && req.data[13] == 0x20 &&
	    req.data[14] == 0 && req.data[15] == 0,
	    "DI, PA P0 P1 P2, C0..C3, then 20.00 yuan as 00 20 00 00");
	roundtrip(&req, "write");
	reply(&rep, meter, 0x94, NULL, 0);
	roundtrip(&rep, "write reply");
	is_int(pp__645_reply_check(&req, &rep, &more, &eb, err, sizeof(err)),
	    PP_OK, "0x94 confirms the write");
	data[0] = PP_645_ERR_PASSWORD;
	reply(&rep, meter, 0xD4, data, 1);
	roundtrip(&rep, "write error reply");
	is_int(pp__645_reply_check(&req, &rep, &more, &eb, err, sizeof(err)),
	    PP_EDATA, "0xD4 refuses the write");
	is_str(err, "meter error 04: password error or no authority",
	    "with the password error's text");
	is_int(eb, 4, "and the error byte");

	/* 0x08 broadcast time. */
	is_int(pp__645_build_time(&req, &tm), PP_OK, "broadcast time builds");
	ok(pp__645_addr_is_broadcast(req.addr) && req.control == 0x08 &&
	    req.len == 6 && memcmp(req.data, timebytes, 6) == 0,
	    "to 99 x 6, ssmmhhDDMMYY 09 08 07 06 05 24");
	roundtrip(&req, "broadcast time");
	reply(&rep, meter, 0x88, NULL, 0);
	is_int(pp__645_reply_check(&req, &rep, &more, &eb, err, sizeof(err)),
	    PP_EDATA, "a broadcast takes no reply");

	/* 0x1C relay control, every N1. */
	for (i = 0; i < 5; i++) {
		rc = pp__645_build_relay(&req, meter, pw, op, n1s[i], 0, &tm);
		ok(rc == PP_OK && req.len == 16 && req.data[8] == n1s[i] &&
		    req.data[9] == 0 && memcmp(req.data, pw, 4) == 0 &&
		    memcmp(req.data + 4, op, 4) == 0 &&
		    memcmp(req.data + 10, timebytes, 6) == 0,
		    "relay %02X (%s): password, operator, N1, N2, N3..N8",
		    n1s[i], pp__645_relay_text(n1s[i]));
		snprintf(name, sizeof(name), "relay %02X", n1s[i]);
		roundtrip(&req, name);
	}
	reply(&rep, meter, 0x9C, NULL, 0);
	roundtrip(&rep, "relay reply");
	is_int(pp__645_reply_check(&req, &rep, &more, &eb, err, sizeof(err)),
	    PP_OK, "0x9C confirms the relay control");
	data[0] = PP_645_ERR_PASSWORD | PP_645_ERR_OTHER;
	reply(&rep, meter, 0xDC, data, 1);
	roundtrip(&rep, "relay error reply");
	is_int(pp__645_reply_check(&req, &rep, &more, &eb, err, sizeof(err)),
	    PP_EDATA, "0xDC refuses the relay control");
	is_str(err, "meter error 05: other error; password error or no "
	    "authority", "with both bits' texts");
	is_int(pp__645_build_relay(&req, meter, pw, op, 0x2C, 0, &tm),
	    PP_EDATA, "an unknown N1 is refused");
	tm.month = 13;
	is_int(pp__645_build_relay(&req, meter, pw, op, PP_645_TRIP, 0, &tm),
	    PP_EDATA, "a validity time of month 13 is refused");
}

static void
test_replies(void)
{
	struct pp__645_frame req, rep;
	uint8_t di[4], other[6], data[8];
	char err[PP_ERRMAX];
	int more, eb;

	pp__645_di_put(0x02010100, di);
	pp__645_build_read(&req, meter, di);
	memcpy(other, meter, 6);
	other[0] = 0x09;
	memcpy(data, di, 4);
	data[4] = 0x05;
	data[5] = 0x23;
	reply(&rep, other, 0x91, data, 6);
	is_int(pp__645_reply_check(&req, &rep, &more, &eb, err, sizeof(err)),
	    PP_EDATA, "a reply from another address is refused");
	ok(strstr(err, "002241020209") != NULL, "naming it: %s", err);
	reply(&rep, meter, 0x11, data, 6);
	is_int(pp__645_reply_check(&req, &rep, &more, &eb, err, sizeof(err)),
	    PP_EDATA, "our own request echoed is no reply");
	reply(&rep, meter, 0x94, NULL, 0);
	is_int(pp__645_reply_check(&req, &rep, &more, &eb, err, sizeof(err)),
	    PP_EDATA, "a write reply does not answer a read");
	data[0] = 0x01;
	reply(&rep, meter, 0x91, data, 6);
	is_int(pp__645_reply_check(&req, &rep, &more, &eb, err, sizeof(err)),
	    PP_EDATA, "a reply for another DI is refused");
	reply(&rep, meter, 0x91, data, 3);
	is_int(pp__645_reply_check(&req, &rep, &more, &eb, err, sizeof(err)),
	    PP_EDATA, "a read reply shorter than a DI is refused");
	reply(&rep, meter, 0xD1, NULL, 0);
	is_int(pp__645_reply_check(&req, &rep, &more, &eb, err, sizeof(err)),
	    PP_EDATA, "an error reply without its byte is still an error");
	is_int(eb, -1, "with no error byte");
	/* Abbreviated addressing: the low bytes given, AA above. */
	pp__645_addr_parse("AAAA41020208", req.addr, err, sizeof(err));
	memcpy(data, di, 4);
	reply(&rep, meter, 0x91, data, 6);
	is_int(pp__645_reply_check(&req, &rep, &more, &eb, err, sizeof(err)),
	    PP_OK, "a read to AAAA41020208 is answered by 002241020208");
}

/* The reader's loop over buf: frames found, the last return. */
static int
read_all(const uint8_t *buf, size_t n, struct pp__645_frame *out, int max,
    int *nframes, int *nbad)
{
	size_t off = 0, used;
	int rc;

	*nframes = *nbad = 0;
	for (;;) {
		struct pp__645_frame f;

		rc = pp__645_decode(buf + off, n - off, &f, &used, NULL, 0);
		if (rc == PP_645_MORE)
			return rc;
		if (used == 0 || used > n - off)
			return PP_EINTERNAL;
		off += used;
		if (rc == PP_OK && *nframes < max)
			out[(*nframes)++] = f;
		else if (rc == PP_EDATA)
			(*nbad)++;
	}
}

static void
test_stream(void)
{
	struct pp__645_frame f, d, got[4];
	uint8_t buf[600], wire[PP_645_FRAMEMAX], big[PP_645_FRAMEMAX];
	char err[PP_ERRMAX];
	size_t n, k, used, bign;
	int rc, bad, nf, nb, i;
	static const uint8_t noise[] = { 0x00, 0x16, 0xFF, 0xFE, 0x13, 0x33 };
	static const uint8_t noise68[] = { 0x68, 0x11, 0x68, 0x22, 0x68 };

	memcpy(buf, noise, sizeof(noise));
	memcpy(buf + sizeof(noise), example, sizeof(example));
	n = sizeof(noise) + sizeof(example);
	rc = pp__645_decode(buf, n, &d, &used, err, sizeof(err));
	ok(rc == PP_OK && used == n, "noise before the frame is skipped");
	memcpy(buf, noise68, sizeof(noise68));
	memcpy(buf + sizeof(noise68), example, sizeof(example));
	n = sizeof(noise68) + sizeof(example);
	rc = read_all(buf, n, got, 4, &nf, &nb);
	ok(rc == PP_645_MORE && nf == 1 && nb == 3 &&
	    same_frame(&got[0], &d), "68s in the noise are false starts; the "
	    "reader finds the frame after them");

	/* Every truncation of the example, FE and all, is incomplete. */
	bad = 0;
	for (k = 0; k < sizeof(example); k++) {
		used = 999;
		rc = pp__645_decode(example, k, &d, &used, err, sizeof(err));
		if (rc != PP_645_MORE || used > k || used > 4)
			bad++;
	}
	ok(bad == 0, "each of the example's 20 prefixes is incomplete");

	/* The longest frame: 200 bytes of data, cut at every length. */
	memset(&f, 0, sizeof(f));
	memcpy(f.addr, meter, 6);
	f.control = 0x91;
	f.len = PP_645_DATAMAX;
	for (i = 0; i < PP_645_DATAMAX; i++)
		f.data[i] = (uint8_t)(i * 7 + 0x35);
	roundtrip(&f, "a frame of 200 data bytes");
	pp__645_encode(&f, 2, big, sizeof(big), &bign);
	bad = 0;
	for (k = 0; k < bign; k++)
		if (pp__645_decode(big, k, &d, &used, err, sizeof(err)) !=
		    PP_645_MORE)
			bad++;
	ok(bad == 0, "each of its %zu prefixes is incomplete", bign);

	/* Two frames back to back, fed in byte by byte. */
	memcpy(buf, example, sizeof(example));
	memcpy(buf + sizeof(example), big, bign);
	n = sizeof(example) + bign;
	{
		size_t have = 0, off = 0;
		int frames = 0, errors = 0;

		while (have < n) {
			have++;
			rc = pp__645_decode(buf + off, have - off, &d, &used,
			    err, sizeof(err));
			if (rc == PP_OK) {
				frames++;
				off += used;
			} else if (rc == PP_EDATA)
				errors++;
		}
		ok(frames == 2 && errors == 0 && off == n, "two frames split "
		    "into single bytes come out whole");
	}

	/* Broken frames. */
	memcpy(wire, example, sizeof(example));
	wire[18] = 0x2B;
	rc = pp__645_decode(wire, sizeof(example), &d, &used, err,
	    sizeof(err));
	is_int(rc, PP_EDATA, "a bad checksum is refused");
	ok(strstr(err, "checksum") != NULL && used == 5, "saying so, and "
	    "dropping through the 68: %s", err);
	memcpy(wire, example, sizeof(example));
	wire[19] = 0x17;
	is_int(pp__645_decode(wire, sizeof(example), &d, &used, err,
	    sizeof(err)), PP_EDATA, "a wrong end byte is refused");
	ok(strstr(err, "not 16") != NULL, "saying so: %s", err);
	memcpy(wire, example, sizeof(example));
	wire[11] = 0x69;
	is_int(pp__645_decode(wire, sizeof(example), &d, &used, err,
	    sizeof(err)), PP_EDATA, "no second 68 is refused");
	bad = 0;
	for (i = PP_645_DATAMAX + 1; i <= 255; i++) {
		memcpy(wire, example, sizeof(example));
		wire[13] = (uint8_t)i;
		if (pp__645_decode(wire, sizeof(example), &d, &used, err,
		    sizeof(err)) != PP_EDATA || used != 5)
			bad++;
	}
	ok(bad == 0, "L of 201-255, past the frame's data, is refused at once");
	memcpy(wire, example, sizeof(example));
	wire[13] = 0x05;
	is_int(pp__645_decode(wire, sizeof(example), &d, &used, err,
	    sizeof(err)), PP_645_MORE, "L past the bytes received is "
	    "incomplete");
	is_int(pp__645_decode(wire, 0, &d, &used, err, sizeof(err)),
	    PP_645_MORE, "nothing at all is incomplete");
	is_int(pp__645_decode(noise, sizeof(noise), &d, &used, err,
	    sizeof(err)), PP_645_MORE, "noise alone is incomplete");
	is_int((int64_t)used, (int64_t)sizeof(noise), "and may all be dropped");

	/* Encoding refuses what no frame can be. */
	is_int(pp__645_encode(&f, 5, big, sizeof(big), &n), PP_EUSAGE,
	    "5 FE is too many");
	is_int(pp__645_encode(&f, 0, big, 211, &n), PP_EINTERNAL,
	    "a buffer one byte short is refused");
	f.len = 201;
	is_int(pp__645_encode(&f, 0, big, sizeof(big), &n), PP_EDATA,
	    "L 201 is refused");
	is_int(pp__645_build_write(&f, meter, meter, pw, op, big, 189),
	    PP_EDATA, "a write of 189 bytes is past 200");
	is_int(pp__645_build_write(&f, meter, meter, pw, op, big, 188),
	    PP_OK, "188 bytes fit exactly");
	is_int(f.len, 200, "in L 200");

	/* Random noise: the reader's loop ends, every frame re-encodes. */
	{
		uint32_t x = 12345;
		int trial, broken = 0;

		for (trial = 0; trial < 3000; trial++) {
			size_t len = (size_t)(trial % 300);

			for (k = 0; k < len; k++) {
				x = x * 1103515245u + 12345u;
				buf[k] = (uint8_t)(x >> 16);
				/* Plenty of 68s and real frames. */
				if ((x >> 8) % 11 == 0)
					buf[k] = 0x68;
			}
			if (trial % 3 == 0 && len > 40)
				memcpy(buf + len / 2, example,
				    sizeof(example));
			if (read_all(buf, len, got, 4, &nf, &nb) !=
			    PP_645_MORE)
				broken++;
			for (i = 0; i < nf; i++) {
				rc = pp__645_encode(&got[i], 0, wire,
				    sizeof(wire), &n);
				if (rc != PP_OK || pp__645_decode(wire, n, &d,
				    &used, NULL, 0) != PP_OK ||
				    !same_frame(&d, &got[i]))
					broken++;
			}
		}
		ok(broken == 0, "3000 runs of noise: the reader always ends, "
		    "every frame found re-encodes");
	}
}

static void
test_addresses(void)
{
	uint8_t a[6], di[4];
	char err[PP_ERRMAX], t[PP_645_ADDRBUF];
	static const char *const bad[] = { "", "0022410202081",
		"0022410202A8", "00224102020X", "41AAAAAAAAAA", "AA", "AA2241",
		"A02241020208", " 02241020208", "-1" };
	size_t i;
	int nbad = 0;

	pp__645_addr_parse("2241020208", a, err, sizeof(err));
	ok(memcmp(a, meter, 6) == 0, "2241020208 is padded to 002241020208");
	is_int(pp__645_addr_parse("AAAAAAAAAAAA", a, err, sizeof(err)), PP_OK,
	    "AAAAAAAAAAAA parses");
	ok(memcmp(a, pp_645_addr_wild, 6) == 0, "into the wildcard");
	is_int(pp__645_addr_parse("aaaa41020208", a, err, sizeof(err)), PP_OK,
	    "aaaa41020208 parses");
	is_str(pp__645_addr_format(a, t), "AAAA41020208",
	    "the high bytes left open");
	ok(pp__645_addr_match(a, meter), "and it matches 002241020208");
	is_int(pp__645_addr_parse("999999999999", a, err, sizeof(err)), PP_OK,
	    "999999999999 parses");
	ok(pp__645_addr_is_broadcast(a), "and is the broadcast address");
	ok(!pp__645_addr_is_broadcast(meter), "a meter's is not");
	ok(!pp__645_addr_match(pp_645_addr_wild, pp_645_addr_wild),
	    "no reply comes from the wildcard");
	ok(!pp__645_addr_match(pp_645_addr_wild, pp_645_addr_broadcast),
	    "nor from the broadcast address");
	ok(pp__645_addr_match(pp_645_addr_wild, meter), "any meter answers the "
	    "wildcard");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (pp__645_addr_parse(bad[i], a, err, sizeof(err)) !=
		    PP_EDATA) {
			diag("address %s parsed", bad[i]);
			nbad++;
		}
	ok(nbad == 0, "%zu bad addresses are refused", i);
	is_int(pp__645_addr_parse(NULL, a, err, sizeof(err)), PP_EDATA,
	    "no address is refused");

	is_int(pp__645_di_parse("0280000b", di, err, sizeof(err)), PP_OK,
	    "a DI is hex: 0280000b");
	is_int(pp__645_di_get(di), 0x0280000B, "0x0280000B");
	is_str(pp__645_di_format(di, t), "0280000B", "formatted upper case");
	is_int(pp__645_di_parse("0400040", di, err, sizeof(err)), PP_EDATA,
	    "7 digits are refused");
	is_int(pp__645_di_parse("0400040G", di, err, sizeof(err)), PP_EDATA,
	    "a G is refused");
	is_int(pp__645_di_parse("040004021", di, err, sizeof(err)), PP_EDATA,
	    "9 digits are refused");
	pp__645_di_put(0x04000503, di);
	ok(di[0] == 0x03 && di[1] == 0x05 && di[2] == 0x00 && di[3] == 0x04,
	    "status word 3's DI goes 03 05 00 04");
}

static void
test_bcd(void)
{
	static const struct pp__scale one = { 1, 1 }, cent = { 1, 100 },
	    tenth = { 1, 10 }, milli = { 1, 1000 }, e4 = { 1, 10000 };
	uint8_t b[8];
	int64_t v;
	int nb;
	struct pp__scale s;

	b[0] = 0x78; b[1] = 0x56; b[2] = 0x34; b[3] = 0x12;
	is_int(pp__645_bcd_get(b, 4, 0, &v), PP_OK, "78 56 34 12 is BCD");
	is_int(v, 12345678, "12345678");
	b[0] = 0x7A;
	is_int(pp__645_bcd_get(b, 4, 0, &v), PP_EDATA,
	    "a low nibble of A is refused");
	b[0] = 0xB8;
	is_int(pp__645_bcd_get(b, 4, 0, &v), PP_EDATA,
	    "a high nibble of B is refused");
	b[0] = 0xFF; b[1] = 0xFF;
	is_int(pp__645_bcd_get(b, 2, 0, &v), PP_EDATA, "FF FF is refused");
	/* Current XXX.XXX A, signed: 00 50 81 is -15.000 A. */
	b[0] = 0x00; b[1] = 0x50; b[2] = 0x81;
	is_int(pp__645_value_get(b, 3, PP_645_SIGNED, milli, 1000, &v), PP_OK,
	    "a signed current decodes");
	is_int(v, -15000, "00 50 81 is -15.000 A, -15000 mA");
	is_int(pp__645_value_get(b, 3, 0, milli, 1000, &v), PP_OK,
	    "unsigned, 81 is two digits");
	is_int(v, 815000, "815.000 A");
	b[2] = 0xA1;
	is_int(pp__645_bcd_get(b, 3, 0, &v), PP_EDATA,
	    "A1 on top is no unsigned BCD");
	is_int(pp__645_bcd_get(b, 3, PP_645_SIGNED, &v), PP_OK,
	    "but a sign and 21");
	is_int(v, -215000, "-215000");
	/* Power XX.XXXX kW, signed, into W. */
	b[0] = 0x56; b[1] = 0x34; b[2] = 0x12;
	pp__645_value_get(b, 3, PP_645_SIGNED, e4, 1000, &v);
	is_int(v, 12346, "56 34 12 is 12.3456 kW, 12346 W rounded");
	/* Voltage XXX.X V into dV, power factor X.XXX. */
	b[0] = 0x05; b[1] = 0x23;
	pp__645_value_get(b, 2, 0, tenth, 10, &v);
	is_int(v, 2305, "05 23 is 230.5 V, 2305 dV");
	b[0] = 0x50; b[1] = 0x89;
	pp__645_value_get(b, 2, PP_645_SIGNED, milli, 1000, &v);
	is_int(v, -950, "50 89 is a power factor of -0.950");

	is_int(pp__645_bcd_put(12345678, 4, 0, b), PP_OK, "12345678 encodes");
	ok(b[0] == 0x78 && b[1] == 0x56 && b[2] == 0x34 && b[3] == 0x12,
	    "as 78 56 34 12");
	is_int(pp__645_bcd_put(100000000, 4, 0, b), PP_EDATA,
	    "100000000 does not fit 4 bytes");
	is_int(pp__645_bcd_put(-1, 4, 0, b), PP_EDATA,
	    "-1 does not fit unsigned");
	is_int(pp__645_bcd_put(-15000, 3, PP_645_SIGNED, b), PP_OK,
	    "-15000 encodes signed");
	ok(b[0] == 0x00 && b[1] == 0x50 && b[2] == 0x81, "as 00 50 81");
	is_int(pp__645_bcd_put(800000, 3, PP_645_SIGNED, b), PP_EDATA,
	    "800000 leaves no room for the sign");
	is_int(pp__645_bcd_put(799999, 3, PP_645_SIGNED, b), PP_OK,
	    "799999 does");
	is_int(pp__645_bcd_put(INT64_MIN, 8, PP_645_SIGNED, b), PP_EDATA,
	    "INT64_MIN is refused");
	is_int(pp__645_bcd_put(1, 9, 0, b), PP_EDATA, "9 bytes are refused");
	memset(b, 0x99, 8);
	is_int(pp__645_bcd_get(b, 8, 0, &v), PP_OK, "16 nines decode");
	is_int(v, 9999999999999999LL, "9999999999999999");
	is_int(pp__645_value_get(b, 8, 0, cent, 10000, &v), PP_OK,
	    "times 100 still fits");
	is_int(pp__645_value_get(b, 8, 0, one, 10000000, &v), PP_EDATA,
	    "times 10^7 is past int64, refused");

	is_int(pp__645_value_put(123456780, 4, 0, cent, 1000, b), PP_OK,
	    "123456780 Wh encodes as XXXXXX.XX kWh");
	ok(b[0] == 0x78 && b[1] == 0x56 && b[2] == 0x34 && b[3] == 0x12,
	    "as 78 56 34 12");
	pp__645_value_put(1235, 4, 0, cent, 1000, b);
	ok(b[0] == 0x24 && b[1] == 0x01, "1235 Wh rounds to 1.24 kWh");
	pp__645_value_put(5380, 4, 0, e4, 10000, b);
	ok(b[0] == 0x80 && b[1] == 0x53 && b[2] == 0 && b[3] == 0,
	    "a price of 0.5380 yuan as XXXX.XXXX: 80 53 00 00");

	ok(pp__645_format_parse("XXXXXX.XX", &nb, &s) == PP_OK && nb == 4 &&
	    s.num == 1 && s.den == 100, "XXXXXX.XX is 4 bytes of 0.01");
	ok(pp__645_format_parse("XX.XXXX", &nb, &s) == PP_OK && nb == 3 &&
	    s.den == 10000, "XX.XXXX is 3 bytes of 0.0001");
	ok(pp__645_format_parse("NNNN", &nb, &s) == PP_OK && nb == 2 &&
	    s.den == 1, "NNNN is 2 bytes of 1");
	ok(pp__645_format_parse("XXX", &nb, &s) == PP_ECONFIG &&
	    pp__645_format_parse("YYMMDD", &nb, &s) == PP_ECONFIG &&
	    pp__645_format_parse("", &nb, &s) == PP_ECONFIG &&
	    pp__645_format_parse("XX..XX", &nb, &s) == PP_ECONFIG &&
	    pp__645_format_parse("XXXX.", &nb, &s) == PP_ECONFIG &&
	    pp__645_format_parse("XXXXXXXXXXXXXXXXXX", &nb, &s) == PP_ECONFIG,
	    "odd digits, letters, two points, a bare point, 18 digits are "
	    "refused");

	b[0] = 0x10; b[1] = 0x00;
	is_int((int64_t)pp__645_bin_get(b, 2), 0x0010,
	    "status word 10 00 is 0x0010");
}

static void
test_times(void)
{
	struct pp__645_time t = { 2000, 2, 29, 23, 59, 59 }, back;
	uint8_t b[6];
	static const uint8_t want[6] = { 0x59, 0x59, 0x23, 0x29, 0x02, 0x00 };

	is_int(pp__645_time_put(&t, b), PP_OK, "2000-02-29 23:59:59 encodes");
	ok(memcmp(b, want, 6) == 0, "as 59 59 23 29 02 00");
	ok(pp__645_time_get(b, &back) == PP_OK && memcmp(&t, &back,
	    sizeof(t)) == 0, "and decodes back");
	t.year = 2001;
	is_int(pp__645_time_put(&t, b), PP_EDATA, "2001-02-29 is refused");
	t = (struct pp__645_time){ 2099, 12, 31, 0, 0, 0 };
	is_int(pp__645_time_put(&t, b), PP_OK, "2099-12-31 encodes");
	t.year = 2100;
	is_int(pp__645_time_put(&t, b), PP_EDATA, "2100 does not fit YY");
	b[3] = 0x3A;
	is_int(pp__645_time_get(b, &back), PP_EDATA,
	    "a non-BCD day is refused");
	b[3] = 0x31;
	b[4] = 0x04;
	is_int(pp__645_time_get(b, &back), PP_EDATA, "April 31 is refused");
	setenv("TZ", "Asia/Shanghai", 1);
	tzset();
	is_int(pp__645_time_local(1714950489, &t), PP_OK,
	    "Unix time 1714950489 is a local time");
	ok(t.year == 2024 && t.month == 5 && t.day == 6 && t.hour == 7 &&
	    t.min == 8 && t.sec == 9, "2024-05-06 07:08:09 in Shanghai");
	is_int(pp__645_time_local(0, &t), PP_EDATA, "1970 does not fit YY");
}

static void
test_keys(void)
{
	uint8_t b[4];
	char err[PP_ERRMAX];

	is_int(pp__645_password_parse("02123456", b, err, sizeof(err)), PP_OK,
	    "password 02123456 parses");
	ok(memcmp(b, pw, 4) == 0, "as PA P0 P1 P2: 02 56 34 12");
	is_int(pp__645_password_parse("98000000", b, err, sizeof(err)),
	    PP_ECONFIG, "level 98 is refused");
	ok(strstr(err, "ESAM") != NULL && strstr(err, "utility") != NULL,
	    "saying it needs the utility's ESAM: %s", err);
	is_int(pp__645_password_parse("99000000", b, err, sizeof(err)),
	    PP_ECONFIG, "so is level 99");
	is_int(pp__645_password_parse("04000000", b, err, sizeof(err)), PP_OK,
	    "password: level 04 is plain too");
	is_int(pp__645_password_parse("03123456", b, err, sizeof(err)),
	    PP_EDATA,
	    "password: level 03 is refused");
	ok(strstr(err, "02 or 04") != NULL, "password: the refusal names 02 "
	    "and 04");
	is_int(pp__645_password_parse("0212345", b, err, sizeof(err)), PP_EDATA,
	    "7 digits are refused");
	is_int(pp__645_password_parse(NULL, b, err, sizeof(err)), PP_EDATA,
	    "no password is refused");
	is_int(pp__645_operator_parse("12345678", b, err, sizeof(err)), PP_OK,
	    "operator code 12345678 parses");
	ok(memcmp(b, op, 4) == 0, "as C0..C3: 78 56 34 12");
	is_int(pp__645_operator_parse("1234567Z", b, err, sizeof(err)),
	    PP_EDATA, "a Z is refused");
}

static void
test_texts(void)
{
	static const char *const want[8] = {
		"other error",
		"no data requested or data not found",
		"password error or no authority",
		"the communication rate cannot be changed",
		"annual time zone count exceeded",
		"daily time period count exceeded",
		"rate count exceeded",
		"reserved error bit 7",
	};
	char buf[PP_ERRMAX], small[12], name[64];
	const char *all;
	int i, every = 1;

	for (i = 0; i < 8; i++) {
		snprintf(name, sizeof(name), "error bit %d: %s", i, want[i]);
		is_str(pp__645_error_text((uint8_t)(1 << i)), want[i], name);
	}
	is_str(pp__645_error_text(0x06), "no data requested or data not found; "
	    "password error or no authority", "bits 1 and 2 in one message");
	is_str(pp__645_error_text(0), "an error reply with no error bit set",
	    "no bit set");
	all = pp__645_error_text(0xFF);
	for (i = 0; i < 8; i++)
		if (strstr(all, want[i]) == NULL)
			every = 0;
	ok(every, "all eight bits fit in one message");
	is_str(pp__645_error_format(0x04, buf, sizeof(buf)),
	    "password error or no authority", "pp__645_error_format");
	pp__645_error_format(0xFF, small, sizeof(small));
	ok(strlen(small) < sizeof(small), "a small buffer is cut, not "
	    "overrun");

	is_str(pp__645_control_text(0x11), "read", "control 11: read");
	is_str(pp__645_control_text(0x91), "read reply", "91: read reply");
	is_str(pp__645_control_text(0xB1), "read reply with follow-up frames",
	    "B1");
	is_str(pp__645_control_text(0xD1), "read error reply", "D1");
	is_str(pp__645_control_text(0xDC), "relay control error reply", "DC");
	is_str(pp__645_control_text(0x08), "broadcast time", "08");
	is_str(pp__645_control_text(0x93), "read address reply", "93");
	is_str(pp__645_control_text(0x94), "write reply", "94");
	is_str(pp__645_control_text(0x12), "follow-up read", "12");
	is_str(pp__645_control_text(0x15), "unknown control code", "15");
	is_str(pp__645_relay_text(PP_645_TRIP), "trip", "1A: trip");
	is_str(pp__645_relay_text(PP_645_CLOSE_ALLOW), "close allowed",
	    "1B: close allowed");
	is_str(pp__645_relay_text(PP_645_CLOSE), "direct close",
	    "1C: direct close");
	is_str(pp__645_relay_text(PP_645_KEEP), "keep power", "3A: keep power");
	is_str(pp__645_relay_text(PP_645_KEEP_OFF), "keep power released",
	    "3B: keep power released");
	ok(pp__645_relay_text(0x2A) == NULL, "2A is no relay code here");
}

/* The data blocks: their table, and the item each identifier is. */
static void
test_blocks(void)
{
	const struct pp__645_block *b;

	ok((b = pp__645_block_find(0x0001FF00)) != NULL, "0001FF00 is a block");
	is_int(b->count * b->bytes, 20, "forward energy: 5 items of 4 bytes");
	is_int(pp__645_block_item(b, 0x00010000), 0, "00010000 is its total");
	is_int(pp__645_block_item(b, 0x00010400), 4, "00010400 its rate 4");
	is_int(pp__645_block_item(b, 0x00010500), -1, "rate 5 is past it");
	is_int(pp__645_block_item(b, 0x00020000), -1, "reverse energy is not");
	is_int(pp__645_block_item(b, 0x00010001), -1,
	    "nor last settlement's total (DI0 01)");
	ok((b = pp__645_block_find(0x0201FF00)) != NULL, "0201FF00 is a block");
	is_int(pp__645_block_item(b, 0x02010100), 0,
	    "phase A voltage (DI1 01) is its first item");
	is_int(pp__645_block_item(b, 0x02010300), 2, "phase C the third");
	is_int(pp__645_block_item(b, 0x02010000), -1, "DI1 00 none");
	ok(pp__645_block_find(0x00010000) == NULL, "a single DI is no block");
	ok(pp__645_block_find(0x0001FF01) == NULL,
	    "a block the table lacks is none");
}

int
main(void)
{
	test_example();
	test_controls();
	test_replies();
	test_stream();
	test_addresses();
	test_bcd();
	test_times();
	test_keys();
	test_texts();
	test_blocks();
	return done_testing();
}
