/*
 * site-load: load or update the site from its YAML file, or import meters
 * in bulk from CSV.
 */
#include <string.h>

#include "common.h"

static const char usage[] =
    "usage: site-load [-d FILE] FILE.yaml\n"
    "       site-load [-d FILE] [--each] [--rejects FILE] --meters FILE.csv|-\n";

static int
meter_row(pp_db *db, const pp_csv *row, pp_entry *e, void *arg)
{
	long *changed = arg;
	int rc, one;

	(void)e;
	if ((rc = pp_meter_import_row(db, row, &one)) == PP_OK)
		*changed += one;
	return rc;
}

int
main(int argc, char **argv)
{
	enum { OPT_METERS = OPT_FIRST_TOOL };
	static const struct option longopts[] = {
		COMMON_LONG,
		BATCH_LONG,
		{ "meters", no_argument, NULL, OPT_METERS },
		{ NULL, 0, NULL, 0 }
	};
	struct pp_load_stats st;
	struct tool t;
	long changed = 0;
	int ch, meters = 0, rc;

	tool_init(&t, "site-load", usage, argc, argv);
	while ((ch = getopt_long(argc, argv, COMMON_SHORT, longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case OPT_METERS:
			meters = 1;
			break;
		default:
			if (!tool_option(&t, ch, optarg))
				tool_usage(&t);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 1 || (!meters && (t.each || t.rejects)))
		tool_usage(&t);
	t.audit = 1;
	if (meters) {
		tool_open(&t, PP_ACT_SITE_LOAD, 0);
		rc = tool_batch(&t, argv[0], meter_row, &changed);
		if (rc == PP_OK || t.each)
			printf("%s: %ld meters changed\n", argv[0], changed);
		tool_exit(&t, rc);
	}
	tool_open(&t, PP_ACT_SITE_LOAD, 1);
	if ((rc = pp_site_load(t.db, argv[0], &st)) != PP_OK)
		tool_die(&t, rc, "%s", pp_errmsg(t.db));
	snprintf(t.summary, sizeof(t.summary), "%s: %ld buildings, %ld "
	    "gateways, %ld meters, %ld tariffs, %ld operators; %ld changes",
	    argv[0], st.buildings, st.gateways, st.meters, st.tariffs,
	    st.operators, st.changed);
	printf("%s\n", t.summary);
	tool_exit(&t, PP_OK);
}
