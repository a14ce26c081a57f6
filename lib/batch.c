/*
 * batch.c: input lists.  By default a whole list is one transaction that
 * commits only when every row is good, yet every row is still tried so that
 * all the bad ones are reported at once.  With each, every row commits on
 * its own.
 */
#include <string.h>

#include "internal.h"

/*
 * One row in its own savepoint, so a failed row leaves nothing behind for
 * the rows after it; none is needed when the row is its own transaction,
 * or refuses before it writes.  A savepoint costs: each page a row first
 * changes is copied to its journal (doc/design.md, "The store").
 */
static int
apply_row(pp_db *db, pp_csv *in, const struct pp_batch_spec *spec, void *arg)
{
	int rc;

	if (spec->each || spec->checked_first)
		return spec->apply(db, in, arg);
	if ((rc = pp__savepoint(db)) != PP_OK)
		return rc;
	if ((rc = spec->apply(db, in, arg)) != PP_OK) {
		pp__rollback_to(db);
		return rc;
	}
	return pp__release(db);
}

int
pp_batch_run(pp_db *db, pp_csv *in, const struct pp_batch_spec *spec,
    void *arg, struct pp_batch_result *res)
{
	int rc, stop = PP_OK;

	memset(res, 0, sizeof(*res));
	if (!spec->each && (rc = pp__tx_begin(db)) != PP_OK)
		return rc;
	for (;;) {
		if ((rc = pp_csv_next(in)) == 0)
			break;
		if (rc != 1) {
			/* The input itself is broken: nothing more can be read. */
			stop = pp__fail(db, rc, "%s", pp_csv_error(in));
			res->broken = 1;
			break;
		}
		res->rows++;
		if (spec->each && (rc = pp__tx_begin(db)) == PP_OK) {
			if ((rc = apply_row(db, in, spec, arg)) == PP_OK)
				rc = pp__tx_commit(db);
			else
				pp__tx_rollback(db);
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
		if ((rc = pp__tx_commit(db)) != PP_OK)
			return rc;
		res->committed = 1;
	} else
		pp__tx_rollback(db);
	if (stop != PP_OK)
		return stop;
	return res->rejected ? PP_EDATA : PP_OK;
}

/*
 * What a row of a list asks for, read by column name (prepay-columns(5)
 * and doc/design.md, "Conventions"): the tools' lists share these rules.
 */

/* The first of columns that the row gives a value; -1 when none does. */
static int
first_given(const pp_csv *row, const char *const *columns, int n,
    const char **value)
{
	int i;

	for (i = 0; i < n; i++)
		if ((*value = pp__csv_get(row, columns[i])) && **value)
			return i;
	return -1;
}

/* A column's value over a default when the row leaves it empty. */
static void
optional(const pp_csv *row, const char *column, const char **v)
{
	const char *s;

	if ((s = pp__csv_get(row, column)) && *s)
		*v = s;
}

int
pp_money_row(pp_db *db, const pp_csv *row, const struct pp_money_req *dflt,
    struct pp_money_req *req)
{
	static const char *const columns[] = { "account", "meter", "room" };
	static const enum pp_target kinds[] = { PP_TARGET_ACCOUNT,
	    PP_TARGET_METER, PP_TARGET_ROOM };
	char err[PP_ERRMAX];
	const char *v;
	int i;

	*req = *dflt;
	req->target = NULL;
	if ((i = first_given(row, columns, 3, &req->target)) < 0) {
		req->target = NULL;
		return pp__fail(db, PP_EDATA, "%s",
		    pp__csv_has(row, "account") ||
		    pp__csv_has(row, "meter") || pp__csv_has(row, "room") ?
		    "no account, meter or room given" :
		    "the list has no account, meter or room column");
	}
	req->target_kind = kinds[i];
	if ((v = pp__csv_get(row, "amount")) == NULL)
		return pp__fail(db, PP_EDATA, "no amount column");
	if (pp_money_parse(v, 0, -1, &req->amount, err, sizeof(err)) != PP_OK)
		return pp__fail(db, PP_EDATA, "%s", err);
	optional(row, "method", &req->method);
	optional(row, "ref", &req->ref);
	optional(row, "remark", &req->remark);
	return PP_OK;
}

int
pp_open_row(pp_db *db, const pp_csv *row, const struct pp_open_req *dflt,
    struct pp_open_req *req)
{
	char err[PP_ERRMAX];
	const char *v;

	*req = *dflt;
	req->account = pp__csv_get(row, "account");
	req->name = pp__csv_get(row, "name");
	req->phone = pp__csv_get(row, "phone");
	req->meters = pp__csv_get(row, "meter");
	req->ref = pp__csv_get(row, "ref");
	optional(row, "method", &req->method);
	optional(row, "remark", &req->remark);
	if (req->name == NULL || req->meters == NULL)
		return pp__fail(db, PP_EDATA, "the columns name and meter are "
		    "required");
	req->balance = 0;
	if ((v = pp__csv_get(row, "balance")) && *v &&
	    pp_money_parse(v, 0, -1, &req->balance, err, sizeof(err)) != PP_OK)
		return pp__fail(db, PP_EDATA, "%s", err);
	return PP_OK;
}

int
pp_reverse_row(pp_db *db, const pp_csv *row, const char *reason,
    pp_entry *out)
{
	const char *serial = pp__csv_get(row, "serial");

	if (serial == NULL || *serial == '\0')
		return pp__fail(db, PP_EDATA, "no serial");
	return pp_reverse(db, serial, reason, out);
}

int
pp_ctl_row(const pp_csv *row, const char **by, const char **value,
    int *arrears)
{
	static const char *const columns[] = { "meter", "account", "room" };
	const char *alarm = pp__csv_get(row, "alarm");
	int i;

	if ((i = first_given(row, columns, 3, value)) < 0)
		return PP_EDATA;
	*by = columns[i];
	/* A row of alarm-scan's says whether it is an arrears trip. */
	*arrears = alarm && strcmp(alarm, "arrears") == 0;
	return PP_OK;
}
