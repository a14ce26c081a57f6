/*
 * money: amounts, prices, energy and whole numbers as an operator types
 * them, full-width digits and all.  What parses must format and parse
 * back to the same integer, and every amount must have its RMB uppercase
 * (or be too large for the units, past 万亿).  See fuzz.h.
 */
#include <inttypes.h>

#include "internal.h"
#include "fuzz.h"

/* Formatted and parsed again, an amount is the same fen. */
static void
amount(int64_t fen)
{
	char buf[PP_NUMBUF], err[PP_ERRMAX], upper[256];
	uint64_t yuan;
	int64_t again;
	int rc;

	pp_money_format(fen, buf);
	check(pp_money_parse(buf, PP_MONEY_SIGNED, -1, &again, err,
	    sizeof(err)) == PP_OK && again == fen);
	/* The receipt's buffer holds the longest uppercase there is. */
	rc = pp__rmb_upper(fen, upper, sizeof(upper));
	yuan = (fen < 0 ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen) / 100;
	check(rc == PP_OK ? upper[0] != '\0' : rc == PP_EDATA &&
	    yuan >= UINT64_C(10000000000000000));
	/* Too small a buffer is an error, never an overflow. */
	(void)pp__rmb_upper(fen, upper, 8);
	check(memchr(upper, '\0', 8) != NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size), buf[PP_NUMBUF], err[PP_ERRMAX];
	int64_t fen, signed_fen, max, v;

	if (pp_money_parse(s, 0, -1, &fen, err, sizeof(err)) == PP_OK) {
		check(fen >= 0);
		amount(fen);
	} else
		check(err[0] != '\0');
	if (pp_money_parse(s, PP_MONEY_SIGNED, -1, &signed_fen, err,
	    sizeof(err)) == PP_OK) {
		amount(signed_fen);
		/* The limit holds on either side of zero. */
		max = signed_fen < 0 ? -signed_fen : signed_fen;
		check(pp_money_parse(s, PP_MONEY_SIGNED, max, &v, err,
		    sizeof(err)) == PP_OK && v == signed_fen);
		if (max > 0)
			check(pp_money_parse(s, PP_MONEY_SIGNED, max - 1, &v,
			    err, sizeof(err)) == PP_EDATA);
	}
	if (pp_price_parse(s, &v, err, sizeof(err)) == PP_OK) {
		check(v >= 0 && v <= 10000000);
		check(pp_price_parse(pp__price_format(v, buf), &fen, err,
		    sizeof(err)) == PP_OK && fen == v);
	}
	if (pp_energy_parse(s, &v, err, sizeof(err)) == PP_OK) {
		check(v >= 0);
		(void)pp__energy_format(v, buf);
	}
	if (pp_int_parse(s, -1000, 1000, &v, err, sizeof(err)) == PP_OK)
		check(v >= -1000 && v <= 1000);
	free(s);
	return 0;
}
