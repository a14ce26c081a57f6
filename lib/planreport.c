/*
 * planreport.c: report plans, the read requests a poll sends to each
 * Modbus meter, per gateway and profile in use, as plan.c chooses them
 * from the gateway's bus timing (doc/design.md, "Request plans"): the
 * plan of every value, and the fast class's that most polls send
 * (doc/design.md, "Value classes").
 */
#include <string.h>

#include "report.h"

enum { PLAN_GATEWAY, PLAN_PROFILE, PLAN_CLASS, PLAN_FC, PLAN_REGISTER,
	PLAN_REGISTERS, PLAN_VALUES, PLAN_BUS_MS, PLAN_NCOLS };

static const pp_column plan_cols[PLAN_NCOLS] = {
	{ "gateway", PP_COL_TEXT }, { "profile", PP_COL_TEXT },
	{ "class", PP_COL_TEXT }, { "fc", PP_COL_INT }, { "register", PP_COL_TEXT },
	{ "registers", PP_COL_INT }, { "values", PP_COL_TEXT },
	/* Thousandths, as milliamperes are: microseconds as "55.000" ms. */
	{ "bus_ms", PP_COL_AMP },
};

/* The names of the values a request carries, one space between. */
static void
carried(const struct pp__profile *p, uint64_t carries, char *buf, size_t len)
{
	size_t at = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < p->nvalues && at < len; i++)
		if (carries & (uint64_t)1 << i)
			at += (size_t)snprintf(buf + at, len - at, "%s%s",
			    at ? " " : "", p->values[i].name);
}

/* The rows of one gateway's plan for one profile, of the values of mask. */
static int
plan_emit(struct pp__run *run, const char *gateway,
    const struct pp__profile *p, const char *class, uint64_t mask,
    const struct pp__timing *t)
{
	struct pp__plan plan;
	char address[8], values[PP_MAXVALUES * PP_NAMELEN];
	pp_cell c[PLAN_NCOLS];
	int i, rc;

	pp__plan_make(p, mask, t, &plan);
	for (i = 0; i < plan.n; i++) {
		snprintf(address, sizeof(address), "0x%04X",
		    plan.req[i].address);
		carried(p, plan.carries[i], values, sizeof(values));
		c[PLAN_GATEWAY] = PP__TEXT(gateway);
		c[PLAN_PROFILE] = PP__TEXT(p->name);
		c[PLAN_CLASS] = PP__TEXT(class);
		c[PLAN_FC] = PP__INT(plan.req[i].fc);
		c[PLAN_REGISTER] = PP__TEXT(address);
		c[PLAN_REGISTERS] = PP__INT(plan.req[i].count);
		c[PLAN_VALUES] = PP__TEXT(values);
		c[PLAN_BUS_MS] = PP__INT(pp__plan_request_us(t,
		    plan.req[i].count));
		if ((rc = pp__report_emit(run, c)) != PP_OK)
			return rc;
	}
	return PP_OK;
}

static int
plan_rows(struct pp__run *run)
{
	struct pp__profile p;
	struct pp__timing t;
	char err[PP_ERRMAX];
	pp__st *st;
	int rc, orc = PP_OK;

	if ((rc = pp__report_start(run, &st)) != PP_OK)
		return rc;
	while (orc == PP_OK && (rc = pp__step(st)) == PP__ROW) {
		const char *gw = pp__col_str(st, 0);
		const char *profile = pp__col_str(st, 4);

		if ((orc = pp__profile_load(profile, &p, err, sizeof(err))) !=
		    PP_OK) {
			orc = pp__fail(run->db, orc, "%s", err);
			break;
		}
		/* A DL/T 645 meter reads an identifier a frame: no plan. */
		if (strcmp(p.protocol, "modbus") != 0)
			continue;
		pp__plan_timing(pp__col_str(st, 1),
		    pp__col_int(st, 2), pp__col_int(st, 3), &t);
		/* Every value; the fast class, when it is fewer. */
		orc = plan_emit(run, gw, &p, "all", pp__plan_all(&p), &t);
		if (orc == PP_OK && pp__profile_class_mask(&p, 0) !=
		    pp__plan_all(&p))
			orc = plan_emit(run, gw, &p, "fast",
			    pp__profile_class_mask(&p, 0), &t);
	}
	pp__reset(st);
	if (orc != PP_OK)
		return orc;
	return rc == PP__DONE ? PP_OK : pp__sqlfail(run->db, "plans");
}

const struct pp_report pp__report_plans = {
	.info = { "plans", "", PP_OPERAND_NONE, 0 },
	.cols = plan_cols,
	.ncols = PLAN_NCOLS,
	.sql = "SELECT DISTINCT g.name, g.address, g.baud, g.turnaround_ms, "
	    "m.profile FROM meters m JOIN gateways g ON g.id = m.gateway_id "
	    "ORDER BY g.name, m.profile",
	.rows = plan_rows,
	.what = "plans",
};
