/*
 * profile: the shipped register maps load, merge into few requests, and
 * the register codec round-trips every type in both word orders.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "tap.h"

static void
check_profile(const char *name, int want_requests)
{
	struct pp_profile p;
	struct pp_request req[PP_MAXREQS];
	char err[PP_ERRMAX] = "", what[96];
	int rc, n;

	rc = pp_profile_load(name, &p, err, sizeof(err));
	snprintf(what, sizeof(what), "%s loads", name);
	is_int(rc, PP_OK, what);
	if (rc != PP_OK) {
		diag("%s", err);
		return;
	}
	n = pp_profile_requests(&p, req);
	snprintf(what, sizeof(what), "%s reads in %d requests", name,
	    want_requests);
	is_int(n, want_requests, what);
	ok(pp_profile_value(&p, "energy_kwh") != NULL, "%s has energy_kwh",
	    name);
}

static void
roundtrip(enum pp_regtype type, int words, const char *scale_text,
    struct pp_scale scale, int64_t factor, int64_t value)
{
	uint16_t regs[4];
	int64_t back = 0;
	char what[96];
	int order;

	for (order = 0; order < 2; order++) {
		int rc = pp_regs_encode(order, type, words, scale, factor,
		    value, regs);

		snprintf(what, sizeof(what), "encode %lld as %s type %d, %s "
		    "first", (long long)value, scale_text, type, order ?
		    "high" : "low");
		is_int(rc, PP_OK, what);
		pp_regs_decode(order, type, words, scale, factor, regs, &back);
		snprintf(what, sizeof(what), "decode gives %lld back",
		    (long long)value);
		is_int(back, value, what);
	}
}

int
main(void)
{
	struct pp_scale one = { 1, 1 }, cent = { 1, 100 }, tenth = { 1, 10 };
	uint16_t regs[2];
	int64_t v;
	char err[PP_ERRMAX];
	struct pp_profile p;

	setenv("PREPAY_PROFILES", getenv("PREPAY_PROFILES") ?
	    getenv("PREPAY_PROFILES") : "lib/profiles", 1);
	check_profile("sdm120", 2);
	check_profile("dds238-2", 1);
	check_profile("prepay-1p", 1);
	is_int(pp_profile_load("no-such", &p, err, sizeof(err)), PP_ECONFIG,
	    "an unknown profile is a config error");
	is_int(pp_profile_load("../etc", &p, err, sizeof(err)), PP_ECONFIG,
	    "a profile name cannot walk out of the directory");

	/* DDS238-2 energy: u32 x0.01 kWh, 123456 -> 1234.56 kWh = 1234560 Wh */
	regs[0] = 0x0001;
	regs[1] = 0xE240;
	pp_regs_decode(1, PP_REG_U32, 2, cent, 1000, regs, &v);
	is_int(v, 1234560, "u32 high-first 0x0001E240 x0.01 kWh is 1234560 Wh");
	pp_regs_decode(0, PP_REG_U32, 2, cent, 1000, regs, &v);
	is_int(v, (int64_t)0xE2400001 * 10, "the same words low-first");
	/* SDM120 voltage: f32 230.5 V = 0x43668000 -> 2305 dV */
	regs[0] = 0x4366;
	regs[1] = 0x8000;
	pp_regs_decode(1, PP_REG_F32, 2, one, 10, regs, &v);
	is_int(v, 2305, "f32 230.5 V is 2305 dV");
	roundtrip(PP_REG_U16, 1, "0.1", tenth, 10, 2305);
	roundtrip(PP_REG_S16, 1, "1", one, 1, -1500);
	roundtrip(PP_REG_U32, 2, "0.01", cent, 1000, 98765430);
	roundtrip(PP_REG_S32, 2, "0.01", cent, 100, -12345);
	roundtrip(PP_REG_F32, 2, "1", one, 1000, 1234500);
	roundtrip(PP_REG_BCD, 2, "0.01", cent, 1000, 12345670);
	is_int(pp_regs_encode(1, PP_REG_U16, 1, one, 1, 70000, regs), PP_EDATA,
	    "70000 does not fit u16");
	is_int(pp_regs_encode(1, PP_REG_U16, 1, one, 1, -1, regs), PP_EDATA,
	    "-1 does not fit u16");
	regs[0] = 0x12A4;
	is_int(pp_regs_decode(1, PP_REG_BCD, 1, one, 1, regs, &v), PP_EDATA,
	    "a BCD nibble above 9 is refused");
	return done_testing();
}
