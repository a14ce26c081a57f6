/*
 * The engine seam's calls (engine.h): each is its statement's engine's,
 * with the cache's bookkeeping of runs (db.c, pp__stmt).
 */
#include <stddef.h>

#include "engine.h"

int
pp__step(pp__st *st)
{
	int rc;

	if (!st->stepped) {
		st->stepped = 1;
		st->runs++;
	}
	/* Past its last row, or failed, a run is over but for its reset. */
	if ((rc = st->e->step(st)) != PP__ROW)
		st->stepped = 2;
	return rc;
}

int
pp__step_later(pp__st *st)
{
	int rc;

	if (st->e->step_later == NULL)
		return pp__step(st);
	st->stepped = 1;
	st->runs++;
	rc = st->e->step_later(st);
	st->stepped = 2;
	return rc;
}

int
pp__busy(const pp__st *st)
{
	return st->stepped == 1;
}

void
pp__reset(pp__st *st)
{
	st->e->reset(st);
	st->stepped = 0;
}

int
pp__bind_int64(pp__st *st, int i, int64_t v)
{
	return st->e->bind_int64(st, i, v);
}

int
pp__bind_text(pp__st *st, int i, const char *s)
{
	return s ? st->e->bind_text(st, i, s, -1, 0) : st->e->bind_null(st, i);
}

int
pp__bind_copy(pp__st *st, int i, const char *s)
{
	return s ? st->e->bind_text(st, i, s, -1, 1) : st->e->bind_null(st, i);
}

int
pp__bind_slice(pp__st *st, int i, const char *s, int n)
{
	return st->e->bind_text(st, i, s, n, 1);
}

int
pp__bind_null(pp__st *st, int i)
{
	return st->e->bind_null(st, i);
}

int64_t
pp__col_int64(pp__st *st, int i)
{
	return st->e->col_int64(st, i);
}

int
pp__col_int(pp__st *st, int i)
{
	return (int)st->e->col_int64(st, i);
}

const char *
pp__col_str(pp__st *st, int i)
{
	return st->e->col_text(st, i);
}

int
pp__col_null(pp__st *st, int i)
{
	return st->e->col_null(st, i);
}
