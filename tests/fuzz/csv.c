/*
 * csv: an input list, CSV or TSV with a header, read from a file as the
 * tools read one, through the public API only (prepay.h).  Columns are
 * matched by name: a named column's value is its field, a missing one
 * NULL; the lines of the rows never go back.  (A lone CR inside a line
 * ends a record for libcsv but not a line for the reader, so two rows
 * may share a number: found by this target, left to the streaming
 * reader.)  See fuzz.h.
 */
#include "internal.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[PP_ERRMAX];
	const char *name, *v;
	pp_csv *r;
	FILE *fp;
	long line = 0;
	size_t i, n;
	int rc;

	if ((fp = fopen(fuzz_file("list.csv", data, size, 0600), "r")) ==
	    NULL)
		abort();
	err[0] = '\0';
	if (pp_csv_open(&r, fp, "list.csv", err, sizeof(err)) != PP_OK) {
		check(r == NULL && err[0] != '\0');
		fclose(fp);
		return 0;
	}
	n = pp_csv_ncolumns(r);
	check(n >= 1 && pp_csv_column(r, n) == NULL);
	check((pp__csv_get(r, "meter") != NULL) == pp__csv_has(r, "meter"));
	while ((rc = pp_csv_next(r)) == 1) {
		check(pp_csv_line(r) > line && pp_csv_line(r) > 0);
		line = pp_csv_line(r);
		for (i = 0; i < n; i++) {
			name = pp_csv_column(r, i);
			check(name != NULL && pp__csv_has(r, name));
			v = pp__csv_get(r, name);
			/* A name is unique, so it finds its own field. */
			check(v != NULL && (name[0] == '\0' ||
			    strcmp(v, pp_csv_field(r, i)) == 0));
		}
		check(pp_csv_field(r, n) != NULL);
	}
	check(rc == 0 || pp_csv_error(r)[0] != '\0');
	(void)pp_csv_is_tsv(r);
	pp_csv_close(r);
	fclose(fp);
	return 0;
}
