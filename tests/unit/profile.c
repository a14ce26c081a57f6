/*
 * profile: the shipped register maps load, plan into few requests, and
 * the register codec round-trips every type in both word orders; the
 * dlt645 form loads, and names each mistake at its line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "dlt645.h"
#include "tap.h"

static void
check_profile(const char *name, int want_requests)
{
	struct pp__profile p;
	struct pp__timing t = { 9600, 1 };
	struct pp__plan plan;
	char err[PP_ERRMAX] = "", what[96];
	int rc;

	rc = pp__profile_load(name, &p, err, sizeof(err));
	snprintf(what, sizeof(what), "%s loads", name);
	is_int(rc, PP_OK, what);
	if (rc != PP_OK) {
		diag("%s", err);
		return;
	}
	/* A DL/T 645 profile reads a frame a data identifier instead. */
	if (want_requests > 0) {
		pp__plan_make(&p, pp__plan_all(&p), &t, &plan);
		snprintf(what, sizeof(what), "%s reads in %d requests at 9600 "
		    "baud", name, want_requests);
		is_int(plan.n, want_requests, what);
	}
	ok(pp__profile_value(&p, "energy_kwh") != NULL, "%s has energy_kwh",
	    name);
}

static void
roundtrip(enum pp__regtype type, int words, const char *scale_text,
    struct pp__scale scale, int64_t factor, int64_t value)
{
	uint16_t regs[4];
	int64_t back = 0;
	char what[96];
	int order;

	for (order = 0; order < 2; order++) {
		int rc = pp__regs_encode(order, type, words, scale, factor,
		    value, regs);

		snprintf(what, sizeof(what), "encode %lld as %s type %d, %s "
		    "first", (long long)value, scale_text, type, order ?
		    "high" : "low");
		is_int(rc, PP_OK, what);
		pp__regs_decode(order, type, words, scale, factor, regs, &back);
		snprintf(what, sizeof(what), "decode gives %lld back",
		    (long long)value);
		is_int(back, value, what);
	}
}

/* Write NAME.yaml into a scratch directory of profiles and load it. */
static int
load_text(const char *dir, const char *name, const char *yaml,
    struct pp__profile *p, char *err, size_t errlen)
{
	char path[512];
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "%s/%s.yaml", dir, name);
	if ((f = fopen(path, "w")) == NULL)
		return -1;
	fputs(yaml, f);
	fclose(f);
	setenv("PREPAY_PROFILES", dir, 1);
	rc = pp__profile_load(name, p, err, errlen);
	remove(path);
	return rc;
}

#define HEAD645 "profile: t\nprotocol: dlt645\n"

/* The dlt645 form: what it reads, and each mistake named at its line. */
static void
test_dlt645_form(void)
{
	static const struct {
		const char *yaml, *why, *name;
	} bad[] = {
		{ HEAD645 "values:\n  energy_kwh: {format: XXXXXX.XX}\n",
		    "di: missing", "a value without di" },
		{ HEAD645 "values:\n  energy_kwh: {di: 0001000G, format: "
		    "XXXXXX.XX}\n", "8 hex digits", "a di of no hex" },
		{ HEAD645 "values:\n  energy_kwh: {di: 00010000, format: "
		    "XXXXX.XX}\n", "format", "an odd number of digits" },
		{ HEAD645 "values:\n  relay: {di: 04000503, mask: 0x10, "
		    "format: XXXX}\n", "takes no format", "a mask with a "
		    "format" },
		{ HEAD645 "values:\n  energy_kwh: {di: 00010000, format: "
		    "XXXXXX.XX, invert: true}\n", "only a status bit",
		    "invert without mask" },
		{ HEAD645 "values:\n  energy_kwh: {di: 00010000, format: "
		    "XXXXXX.XX, signed: maybe}\n", "true or false",
		    "signed: maybe" },
		{ HEAD645 "values:\n  energy_kwh: {di: 00010000, format: "
		    "XXXXXX.XX, fc: 3}\n", "fc", "a Modbus key" },
		{ HEAD645 "word_order: high-first\nvalues:\n  energy_kwh: "
		    "{di: 00010000, format: XXXXXX.XX}\n", "word_order",
		    "word_order at the root" },
		{ HEAD645 "values:\n  relay: {di: 04000503, mask: 0x10}\n"
		    "writes:\n  trip: {relay: 0x2A}\n", "0x1A trip",
		    "an N1 the standard does not have" },
		{ HEAD645 "values:\n  relay: {di: 04000503, mask: 0x10}\n"
		    "writes:\n  trip: {relay: 0x1A, fields: [{di: 04000503, "
		    "format: XXXX, value: 1}]}\n", "one of them",
		    "relay and fields both" },
		{ HEAD645 "values:\n  price: {di: 04050101, format: "
		    "XXXX.XXXX}\nwrites:\n  price: {fields: [{di: 04050101, "
		    "format: XXXX.XXXX}]}\n", "arg or value",
		    "a field with neither arg nor value" },
		{ "profile: t\nprotocol: iec62056\nvalues: {}\n",
		    "modbus or dlt645", "an unknown protocol" },
	};
	char dir[] = "/tmp/prepay-profile.XXXXXX", err[PP_ERRMAX];
	struct pp__profile p;
	size_t i;

	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp");
		return;
	}
	is_int(load_text(dir, "t", HEAD645 "values:\n"
	    "  power_w: {di: 02030000, format: XX.XXXX, signed: true, "
	    "scale: 1000}\n"
	    "  energy_peak_kwh: {di: 0001FF00, offset: 8, format: "
	    "XXXXXX.XX}\n"
	    "  relay: {di: 04000503, mask: 0x0010, invert: true}\n"
	    "writes:\n  trip: {relay: 0x1A, confirm: {relay: 0}}\n",
	    &p, err, sizeof(err)), PP_OK, "a dlt645 profile loads");
	is_str(p.protocol, "dlt645", "its protocol is dlt645");
	is_int(p.nvalues, 3, "with its three values");
	ok(p.values[0].di == 0x02030000 && p.values[0].bytes == 3 &&
	    p.values[0].flags == PP_645_SIGNED && p.values[0].scale.num *
	    10 == p.values[0].scale.den, "power: 3 signed bytes of 0.0001 kW, "
	    "1/10 W");
	ok(p.values[1].di == 0x0001FF00 && p.values[1].offset == 8 &&
	    p.values[1].bytes == 4, "peak energy: 4 bytes at offset 8 of a "
	    "block read");
	ok(p.values[2].mask == 0x10 && p.values[2].invert &&
	    p.values[2].bytes == 2, "relay: bit 0x10 of a status word, "
	    "inverted");
	ok(p.nwrites == 1 && p.writes[0].relay == 0x1A &&
	    p.writes[0].nconfirm == 1, "trip is relay control 1A, confirmed");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = load_text(dir, "t", bad[i].yaml, &p, err, sizeof(err));

		ok(rc == PP_ECONFIG && strstr(err, bad[i].why) != NULL &&
		    strstr(err, "t.yaml:") != NULL, "refused: %s", bad[i].name);
		if (rc != PP_ECONFIG || strstr(err, bad[i].why) == NULL)
			diag("rc %d: %s", rc, err);
	}
	rmdir(dir);
}

int
main(void)
{
	struct pp__scale one = { 1, 1 }, cent = { 1, 100 }, tenth = { 1, 10 };
	uint16_t regs[2];
	int64_t v;
	char err[PP_ERRMAX];
	struct pp__profile p;

	setenv("PREPAY_PROFILES", getenv("PREPAY_PROFILES") ?
	    getenv("PREPAY_PROFILES") : "lib/profiles", 1);
	check_profile("sdm120", 4);
	check_profile("dds238-2", 1);
	check_profile("prepay-1p", 2);
	check_profile("dlt645-1p", 0);
	is_int(pp__profile_load("no-such", &p, err, sizeof(err)), PP_ECONFIG,
	    "an unknown profile is a config error");
	is_int(pp__profile_load("../etc", &p, err, sizeof(err)), PP_ECONFIG,
	    "a profile name cannot walk out of the directory");

	/* DDS238-2 energy: u32 x0.01 kWh, 123456 -> 1234.56 kWh = 1234560 Wh */
	regs[0] = 0x0001;
	regs[1] = 0xE240;
	pp__regs_decode(1, PP_REG_U32, 2, cent, 1000, regs, &v);
	is_int(v, 1234560, "u32 high-first 0x0001E240 x0.01 kWh is 1234560 Wh");
	pp__regs_decode(0, PP_REG_U32, 2, cent, 1000, regs, &v);
	is_int(v, (int64_t)0xE2400001 * 10, "the same words low-first");
	/* SDM120 voltage: f32 230.5 V = 0x43668000 -> 2305 dV */
	regs[0] = 0x4366;
	regs[1] = 0x8000;
	pp__regs_decode(1, PP_REG_F32, 2, one, 10, regs, &v);
	is_int(v, 2305, "f32 230.5 V is 2305 dV");
	roundtrip(PP_REG_U16, 1, "0.1", tenth, 10, 2305);
	roundtrip(PP_REG_S16, 1, "1", one, 1, -1500);
	roundtrip(PP_REG_U32, 2, "0.01", cent, 1000, 98765430);
	roundtrip(PP_REG_S32, 2, "0.01", cent, 100, -12345);
	roundtrip(PP_REG_F32, 2, "1", one, 1000, 1234500);
	roundtrip(PP_REG_BCD, 2, "0.01", cent, 1000, 12345670);
	is_int(pp__regs_encode(1, PP_REG_U16, 1, one, 1, 70000, regs), PP_EDATA,
	    "70000 does not fit u16");
	is_int(pp__regs_encode(1, PP_REG_U16, 1, one, 1, -1, regs), PP_EDATA,
	    "-1 does not fit u16");
	regs[0] = 0x12A4;
	is_int(pp__regs_decode(1, PP_REG_BCD, 1, one, 1, regs, &v), PP_EDATA,
	    "a BCD nibble above 9 is refused");
	test_dlt645_form();
	return done_testing();
}
