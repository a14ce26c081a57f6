/*
 * report.c: the table of reports, in report(1)'s order, as the tools find
 * them by name and list them.  Each descriptor lives with its queries
 * (reports.c, energy.c, usage.c, bill.c, verify.c) and runs through
 * reportrun.c.
 */
#include <string.h>

#include "report.h"

/* In report(1)'s order. */
static const struct pp_report *const reports[] = {
	&pp__report_sales, &pp__report_txns, &pp__report_accounts,
	&pp__report_balances, &pp__report_audit, &pp__report_operators,
	&pp__report_orders, &pp__report_verify,
	&pp__report_status, &pp__report_energy, &pp__report_counters,
	&pp__report_readings,
	&pp__report_usage, &pp__report_alarms, &pp__report_lost,
	&pp__report_reconcile, &pp__report_bill, &pp__report_onsite,
	&pp__report_bindings, &pp__report_plans,
};
#define NREPORTS	PP__NELEM(reports)

const pp_report *
pp_report_find(const char *name)
{
	size_t i;

	for (i = 0; i < NREPORTS; i++)
		if (strcmp(name, reports[i]->info.name) == 0)
			return reports[i];
	return NULL;
}

const pp_report *
pp_report_next(const pp_report *prev)
{
	size_t i;

	if (prev == NULL)
		return reports[0];
	for (i = 0; i + 1 < NREPORTS; i++)
		if (reports[i] == prev)
			return reports[i + 1];
	return NULL;
}

const struct pp_report_info *
pp_report_info(const pp_report *rep)
{
	return &rep->info;
}
