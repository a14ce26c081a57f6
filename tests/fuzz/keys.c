/*
 * keys: the DL/T 645 key file (meter|gateway NAME PASSWORD [OPERATOR]),
 * written mode 0600 as the poller keeps it and loaded by path.  A file
 * that loads answers every lookup, a meter's own line first, with a
 * password or a reason.  See fuzz.h.
 */
#include "internal.h"
#include "fuzz.h"

static void
lookup(const struct pp_keys *k, const char *gateway, const char *meter)
{
	uint8_t pw[4], op[4];
	char err[PP_ERRMAX];
	int rc;

	err[0] = '\0';
	rc = pp__keys_find(k, gateway, meter, pw, op, err, sizeof(err));
	check(rc == PP_OK || (rc == PP_ECONFIG && err[0] != '\0'));
	check((rc == PP_OK) <= pp__keys_listed(k, gateway, meter));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pp_keys *k;
	char err[PP_ERRMAX], *s, *w, *save = NULL;
	const char *path;
	int rc;

	path = fuzz_file("prepay.db.keys", data, size, 0600);
	err[0] = '\0';
	if ((rc = pp__keys_load(path, &k, err, sizeof(err))) != PP_OK) {
		check(k == NULL && err[0] != '\0' && rc == PP_ECONFIG);
		return 0;
	}
	lookup(k, "gw1", "0101070722");
	lookup(k, "", "");
	/* Each word of the file as a meter's and a gateway's name. */
	s = fuzz_string(data, size);
	for (w = strtok_r(s, " \t\r\n", &save); w;
	    w = strtok_r(NULL, " \t\r\n", &save)) {
		lookup(k, w, w);
		lookup(k, "gw1", w);
	}
	free(s);
	pp__keys_free(k);
	return 0;
}
