/*
 * profile: a meter's register map (prepay-profile(5)), Modbus or DL/T
 * 645, loaded as the file fuzz.yaml of a profile directory of its own.
 * A profile that loads finds each of its values and writes by name, and
 * its Modbus values plan into readable requests that cover every register
 * they read.  See fuzz.h.
 */
#include "internal.h"
#include "fuzz.h"

static void
covered(const struct pp__profile *p)
{
	struct pp__timing t = { 9600, 1 };
	struct pp__plan plan;
	const struct pp__request *req = plan.req;
	const struct pp__pvalue *v;
	int i, j, n;

	pp__plan_make(p, pp__plan_all(p), &t, &plan);
	n = plan.n;
	check(n <= PP_MAXREQS);
	for (j = 0; j < n; j++) {
		check(req[j].count >= 1 && req[j].count <= 125);
		check(pp__profile_readable(p, req[j].fc, req[j].address,
		    req[j].count));
	}
	/* Each value in the one request that carries it. */
	for (i = 0; i < p->nvalues; i++) {
		v = &p->values[i];
		for (j = 0; j < n; j++)
			if (plan.carries[j] & (uint64_t)1 << i)
				break;
		check(j < n && req[j].fc == v->fc && req[j].address <=
		    v->address && v->address + v->words <= req[j].address +
		    req[j].count);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pp__profile *p;
	char err[PP_ERRMAX];
	int i;

	fuzz_file("fuzz.yaml", data, size, 0600);
	setenv("PREPAY_PROFILES", fuzz_dir(), 1);
	if ((p = malloc(sizeof(*p))) == NULL)
		abort();
	err[0] = '\0';
	if (pp__profile_load("fuzz", p, err, sizeof(err)) != PP_OK) {
		check(err[0] != '\0');
		free(p);
		return 0;
	}
	check(strcmp(p->protocol, "modbus") == 0 ||
	    strcmp(p->protocol, "dlt645") == 0);
	for (i = 0; i < p->nvalues; i++) {
		check(pp__profile_value(p, p->values[i].name) != NULL);
		check(p->values[i].scale.num > 0 && p->values[i].scale.den > 0);
	}
	for (i = 0; i < p->nwrites; i++)
		check(pp__profile_write(p, p->writes[i].name) != NULL);
	if (strcmp(p->protocol, "modbus") == 0)
		covered(p);
	free(p);
	return 0;
}
