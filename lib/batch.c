/*
 * batch.c: input lists.  By default a whole list is one transaction that
 * commits only when every row is good, yet every row is still tried so that
 * all the bad ones are reported at once.  With each, every row commits on
 * its own.
 */
#include <string.h>

#include "internal.h"

/* One row in its own savepoint, so a failed row leaves nothing behind. */
static int
apply_row(pp_db *db, pp_csv *in, const struct pp_batch_spec *spec, void *arg)
{
	int rc;

	if ((rc = pp_savepoint(db)) != PP_OK)
		return rc;
	if ((rc = spec->apply(db, in, arg)) != PP_OK) {
		pp_rollback_to(db);
		return rc;
	}
	return pp_release(db);
}

int
pp_batch_run(pp_db *db, pp_csv *in, const struct pp_batch_spec *spec,
    void *arg, struct pp_batch_result *res)
{
	int rc, stop = PP_OK;

	memset(res, 0, sizeof(*res));
	if (!spec->each && (rc = pp_tx_begin(db)) != PP_OK)
		return rc;
	for (;;) {
		if ((rc = pp_csv_next(in)) == 0)
			break;
		if (rc != 1) {
			/* The input itself is broken: nothing more can be read. */
			stop = pp_fail(db, rc, "%s", pp_csv_error(in));
			res->broken = 1;
			break;
		}
		res->rows++;
		if (spec->each && (rc = pp_tx_begin(db)) == PP_OK) {
			if ((rc = apply_row(db, in, spec, arg)) == PP_OK)
				rc = pp_tx_commit(db);
			else
				pp_tx_rollback(db);
		} else if (!spec->each)
			rc = apply_row(db, in, spec, arg);
		if (rc != PP_OK) {
			spec->rejected(arg, in, rc, pp_errmsg(db));
			res->rejected++;
			/* Only a locked or broken database stops the list. */
			if (rc == PP_EBUSY || rc == PP_EINTERNAL) {
				stop = rc;
				break;
			}
			continue;
		}
		res->accepted++;
		spec->accepted(arg);
	}
	if (spec->each) {
		res->committed = 1;
	} else if (stop == PP_OK && res->rejected == 0) {
		if ((rc = pp_tx_commit(db)) != PP_OK)
			return rc;
		res->committed = 1;
	} else
		pp_tx_rollback(db);
	if (stop != PP_OK)
		return stop;
	return res->rejected ? PP_EDATA : PP_OK;
}
