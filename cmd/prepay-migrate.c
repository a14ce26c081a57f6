/*
 * prepay-migrate: a whole site copied into an empty database, from a
 * SQLite file to a PostgreSQL server or back.
 */
#include <stdio.h>
#include <stdlib.h>

#include "common.h"

static const char usage[] =
    "usage: prepay-migrate [-o FMT] [--bom] [--lang zh|en] SOURCE TARGET\n";

static const pp_column columns[] = {
	{ "table", PP_COL_TEXT },
	{ "rows", PP_COL_INT },
};

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		COMMON_LONG,
		{ NULL, 0, NULL, 0 }
	};
	struct pp_site_table *tables;
	struct tool t;
	pp_db *src = NULL;
	pp_out *o;
	size_t ntables, i;
	int64_t rows = 0;
	char count[PP_NUMBUF];
	const char *row[2];
	int ch, rc;

	tool_init(&t, "prepay-migrate", usage, argc, argv);
	while ((ch = getopt_long(argc, argv, ":ho:V", longopts, NULL)) != -1)
		if (!tool_option(&t, ch, optarg))
			tool_usage(&t);
	argc -= optind;
	argv += optind;
	if (argc != 2 || *argv[0] == '\0' || *argv[1] == '\0')
		tool_usage(&t);
	/* The source is read only; it must be a site already. */
	if ((rc = pp_db_open(&src, argv[0], 0)) != PP_OK) {
		tool_warn(&t, "%s", pp_errmsg(src));
		pp_db_close(src);
		exit(rc);
	}
	/* The target's entry says the copy, and who made it. */
	t.dbpath = argv[1];
	t.audit = 1;
	if ((rc = pp_db_open(&t.db, t.dbpath, PP_DB_CREATE)) != PP_OK ||
	    (rc = pp_audit_begin(t.db, t.name, t.argc - 1, t.argv + 1)) !=
	    PP_OK) {
		tool_warn(&t, "%s", pp_errmsg(t.db));
		pp_db_close(src);
		pp_db_close(t.db);
		exit(rc);
	}
	rc = pp_site_copy(src, t.db, &tables, &ntables);
	pp_db_close(src);
	if (rc != PP_OK) {
		/* Nothing was copied: no entry in a database still empty. */
		tool_warn(&t, "%s", pp_errmsg(t.db));
		t.audit = 0;
		tool_exit(&t, rc);
	}
	o = tool_out(&t, columns, sizeof(columns) / sizeof(columns[0]));
	for (i = 0; i < ntables; i++) {
		snprintf(count, sizeof(count), "%lld",
		    (long long)tables[i].rows);
		row[0] = tables[i].name;
		row[1] = count;
		if (o)
			pp_out_row(o, row);
		rows += tables[i].rows;
	}
	tool_out_close(&t, o);
	free(tables);
	snprintf(t.summary, sizeof(t.summary), "copied %zu tables, %lld rows",
	    ntables, (long long)rows);
	tool_exit(&t, PP_OK);
}
