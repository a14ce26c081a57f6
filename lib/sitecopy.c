/*
 * sitecopy.c: a whole site copied into an empty database, of either
 * engine (prepay-migrate(1); doc/design.md, "Engines").
 *
 * The copy is generic over the schema: each engine lists its tables, their
 * columns and keys, and their foreign keys (engine.h), and the two lists
 * must name the same tables.  Rows go as text, which both engines read
 * back into their columns' types exactly (integers and text are all a
 * site holds), in the order of the foreign keys, each table by its primary
 * key, so a row referring to another of its table (a reversal to its
 * sale) comes after it.  The ids go as they are: the ledger's and the
 * audit's chains hash them, and the rows that refer to them keep pointing
 * at the same rows.
 *
 * The source is read in one read transaction, one state of a live site
 * however its pollers write meanwhile; the target is written in one
 * transaction, whole or not at all, and its commit appends the copy's
 * audit entry, which extends the copied chain.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Rows read from the source at a time, by key: a result set's size. */
#define COPY_PAGE	5000

struct copy_table {
	char	 name[PP_KEYMAX];
	char	**cols;		/* the columns copied */
	int	 ncols;
	int	*key;		/* the primary key's columns, in key order */
	int	 nkey;
	char	**refs;		/* the tables it references */
	int	 nrefs;
	int	 in_target;
	int	 placed;	/* taken into the copy's order */
};

struct copy_schema {
	struct copy_table *t;
	size_t		 n, cap;
};

static void
schema_free(struct copy_schema *s)
{
	size_t i;
	int j;

	for (i = 0; i < s->n; i++) {
		for (j = 0; j < s->t[i].ncols; j++)
			free(s->t[i].cols[j]);
		for (j = 0; j < s->t[i].nrefs; j++)
			free(s->t[i].refs[j]);
		free(s->t[i].cols);
		free(s->t[i].key);
		free(s->t[i].refs);
	}
	free(s->t);
	memset(s, 0, sizeof(*s));
}

static struct copy_table *
table_find(struct copy_schema *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->t[i].name, name) == 0)
			return &s->t[i];
	return NULL;
}

static int
column_find(const struct copy_table *t, const char *name)
{
	int i;

	for (i = 0; i < t->ncols; i++)
		if (strcmp(t->cols[i], name) == 0)
			return i;
	return -1;
}

/*
 * Names go into the SQL quoted, and only names of the plain kind the
 * schema uses: a catalog's odd name stops the copy instead.
 */
static int
plain_name(const char *s)
{
	if (*s == '\0' || strlen(s) >= PP_KEYMAX)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		    *s == '_'))
			return 0;
	return 1;
}

static int
add_string(pp_db *db, char ***v, int *n, const char *s)
{
	size_t cap = (size_t)*n;
	char *copy;

	if ((copy = strdup(s)) == NULL || pp_grow(v, &cap, cap + 1,
	    sizeof(**v)) != PP_OK) {
		free(copy);
		return pp__fail(db, PP_EINTERNAL, "out of memory");
	}
	(*v)[(*n)++] = copy;
	return PP_OK;
}

/* A column, and its place in the primary key (from 1; 0 none). */
static int
add_column(pp_db *db, struct copy_schema *s, const char *table,
    const char *col, int64_t keypos)
{
	struct copy_table *t;
	size_t cap;

	if (!plain_name(table) || !plain_name(col))
		return pp__fail(db, PP_EDATA, "%s: a table or column named "
		    "\"%.64s.%.64s\" is not prepay's", db->shown, table, col);
	if ((t = table_find(s, table)) == NULL) {
		if (pp_grow(&s->t, &s->cap, s->n + 1, sizeof(*s->t)) != PP_OK)
			return pp__fail(db, PP_EINTERNAL, "out of memory");
		t = &s->t[s->n++];
		memset(t, 0, sizeof(*t));
		snprintf(t->name, sizeof(t->name), "%s", table);
	}
	if (add_string(db, &t->cols, &t->ncols, col) != PP_OK)
		return PP_EINTERNAL;
	if (keypos > 0) {
		cap = (size_t)t->nkey;
		if (keypos > 64 || pp_grow(&t->key, &cap, (size_t)keypos,
		    sizeof(*t->key)) != PP_OK)
			return pp__fail(db, PP_EINTERNAL, "out of memory");
		while (t->nkey < keypos)
			t->key[t->nkey++] = -1;
		t->key[keypos - 1] = t->ncols - 1;
	}
	return PP_OK;
}

/* db's tables, their columns, keys and references, from its engine. */
static int
schema_read(pp_db *db, struct copy_schema *s)
{
	struct copy_table *t;
	pp__st *st;
	const char *a, *b;
	int rc = PP_OK, step;
	size_t i;
	int j;

	memset(s, 0, sizeof(*s));
	if ((st = pp__prepare(db, db->engine->columns_sql)) == NULL)
		return pp__errcode(db);
	while (rc == PP_OK && (step = pp__step(st)) == PP__ROW) {
		a = pp__col_str(st, 0);
		b = pp__col_str(st, 1);
		rc = add_column(db, s, a, b, pp__col_int64(st, 2));
	}
	if (rc == PP_OK && step != PP__DONE)
		rc = pp__sqlfail(db, "the schema's columns");
	pp__finalize(st);
	if (rc != PP_OK)
		return rc;
	for (i = 0; i < s->n; i++)
		for (j = 0; j < s->t[i].nkey; j++)
			if (s->t[i].key[j] < 0)
				return pp__fail(db, PP_EINTERNAL, "%s: the "
				    "primary key of %s has a gap", db->shown,
				    s->t[i].name);
	if ((st = pp__prepare(db, db->engine->references_sql)) == NULL)
		return pp__errcode(db);
	while (rc == PP_OK && (step = pp__step(st)) == PP__ROW) {
		a = pp__col_str(st, 0);
		b = pp__col_str(st, 1);
		/* A reference to its own table is kept by the key's order. */
		if ((t = table_find(s, a)) != NULL && strcmp(a, b) != 0)
			rc = add_string(db, &t->refs, &t->nrefs, b);
	}
	if (rc == PP_OK && step != PP__DONE)
		rc = pp__sqlfail(db, "the schema's foreign keys");
	pp__finalize(st);
	return rc;
}

/*
 * The source's tables and columns must all have their place in the
 * target's: the columns copied are the source's, and a column the target
 * keeps unlisted (the hidden one) is copied into it by name, as one the
 * source keeps unlisted is read from it.
 */
static int
schema_match(pp_db *src, pp_db *dst, struct copy_schema *from,
    struct copy_schema *to)
{
	const char *hidden_src = src->engine->hidden_column;
	const char *hidden_dst = dst->engine->hidden_column;
	struct copy_table *f, *t;
	size_t i;
	int j;

	for (i = 0; i < from->n; i++) {
		f = &from->t[i];
		if ((t = table_find(to, f->name)) == NULL)
			return pp__fail(dst, PP_EDATA, "%s has no table %s, "
			    "which %s has: not the same schema", dst->shown,
			    f->name, src->shown);
		t->in_target = 1;
		for (j = 0; j < f->ncols; j++)
			if (column_find(t, f->cols[j]) < 0 && !(hidden_dst &&
			    strcmp(f->cols[j], hidden_dst) == 0))
				return pp__fail(dst, PP_EDATA, "%s has no "
				    "column %s.%s, which %s has: not the same "
				    "schema", dst->shown, f->name, f->cols[j],
				    src->shown);
		for (j = 0; j < t->ncols; j++)
			if (column_find(f, t->cols[j]) < 0) {
				if (!(hidden_src && strcmp(t->cols[j],
				    hidden_src) == 0))
					return pp__fail(dst, PP_EDATA, "%s has "
					    "no column %s.%s, which %s has: "
					    "not the same schema", src->shown,
					    f->name, t->cols[j], dst->shown);
				if (add_string(dst, &f->cols, &f->ncols,
				    t->cols[j]) != PP_OK)
					return PP_EINTERNAL;
			}
	}
	for (i = 0; i < to->n; i++)
		if (!to->t[i].in_target)
			return pp__fail(dst, PP_EDATA, "%s has no table %s, "
			    "which %s has: not the same schema", src->shown,
			    to->t[i].name, dst->shown);
	return PP_OK;
}

/*
 * The tables in an order where each comes after those it references
 * (the target's foreign keys are checked as each row goes in).
 */
static int
schema_order(pp_db *dst, struct copy_schema *s, struct copy_table ***order)
{
	struct copy_table *t;
	size_t placed = 0, i;
	int j, ready, progress;

	if ((*order = calloc(s->n ? s->n : 1, sizeof(**order))) == NULL)
		return pp__fail(dst, PP_EINTERNAL, "out of memory");
	do {
		progress = 0;
		for (i = 0; i < s->n; i++) {
			if (s->t[i].placed)
				continue;
			ready = 1;
			for (j = 0; j < s->t[i].nrefs && ready; j++)
				ready = (t = table_find(s, s->t[i].refs[j])) ==
				    NULL || t->placed;
			if (ready) {
				s->t[i].placed = 1;
				(*order)[placed++] = &s->t[i];
				progress = 1;
			}
		}
	} while (progress);
	if (placed != s->n)
		return pp__fail(dst, PP_EINTERNAL, "the tables' foreign keys "
		    "make a circle: no order to copy them in");
	return PP_OK;
}

/* Appends to a growing SQL text; 0 when out of memory. */
struct sqlbuf {
	char	*s;
	size_t	 len, cap;
	int	 nomem;
};

static void
sql_add(struct sqlbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
sql_add(struct sqlbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->nomem)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || pp_grow(&b->s, &b->cap, b->len + (size_t)n + 1, 1) !=
	    PP_OK) {
		b->nomem = 1;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

static void
sql_columns(struct sqlbuf *b, const struct copy_table *t)
{
	int j;

	for (j = 0; j < t->ncols; j++)
		sql_add(b, "%s\"%s\"", j ? ", " : "", t->cols[j]);
}

/*
 * A page of the source's rows: those past the last page's key, by key
 * (first: from the start).  A table without a primary key is read in one.
 */
static char *
select_sql(const struct copy_table *t, int first)
{
	struct sqlbuf b = { 0 };
	int j;

	sql_add(&b, "SELECT ");
	sql_columns(&b, t);
	sql_add(&b, " FROM \"%s\"", t->name);
	if (t->nkey > 0) {
		if (!first) {
			sql_add(&b, " WHERE (");
			for (j = 0; j < t->nkey; j++)
				sql_add(&b, "%s\"%s\"", j ? ", " : "",
				    t->cols[t->key[j]]);
			sql_add(&b, ") > (");
			for (j = 0; j < t->nkey; j++)
				sql_add(&b, "%s?%d", j ? ", " : "", j + 1);
			sql_add(&b, ")");
		}
		sql_add(&b, " ORDER BY ");
		for (j = 0; j < t->nkey; j++)
			sql_add(&b, "%s\"%s\"", j ? ", " : "",
			    t->cols[t->key[j]]);
		sql_add(&b, " LIMIT %d", COPY_PAGE);
	}
	if (b.nomem) {
		free(b.s);
		return NULL;
	}
	return b.s;
}

/* An INSERT of rows rows of t's columns. */
static char *
insert_sql(const struct copy_table *t, int rows)
{
	struct sqlbuf b = { 0 };
	int j, r;

	sql_add(&b, "INSERT INTO \"%s\" (", t->name);
	sql_columns(&b, t);
	sql_add(&b, ") VALUES ");
	for (r = 0; r < rows; r++) {
		sql_add(&b, "%s(", r ? ", " : "");
		for (j = 0; j < t->ncols; j++)
			sql_add(&b, "%s?%d", j ? ", " : "", r * t->ncols + j + 1);
		sql_add(&b, ")");
	}
	if (b.nomem) {
		free(b.s);
		return NULL;
	}
	return b.s;
}

/*
 * Rows go into the target a batch at a time, one INSERT of many rows: a
 * server's round trip is the cost of a row otherwise.  A batch binds at
 * most COPY_PARAMS values, under both engines' limits.
 */
#define COPY_BATCH	256
#define COPY_PARAMS	16000

struct batch {
	pp_db		*dst;
	const struct copy_table *t;
	pp__st		*many, *one;	/* INSERTs of a batch, of a row */
	char		**value;	/* a batch of rows' values; NULL: NULL */
	int		 size, rows;
};

static int
batch_open(pp_db *dst, const struct copy_table *t, struct batch *b)
{
	char *sql;

	memset(b, 0, sizeof(*b));
	b->dst = dst;
	b->t = t;
	b->size = COPY_PARAMS / t->ncols;
	if (b->size > COPY_BATCH)
		b->size = COPY_BATCH;
	if (b->size < 1)
		b->size = 1;
	if ((b->value = calloc((size_t)b->size * (size_t)t->ncols,
	    sizeof(*b->value))) == NULL)
		return pp__fail(dst, PP_EINTERNAL, "out of memory");
	if ((sql = insert_sql(t, 1)) == NULL)
		return pp__fail(dst, PP_EINTERNAL, "out of memory");
	b->one = pp__prepare(dst, sql);
	free(sql);
	if (b->one == NULL)
		return pp__errcode(dst);
	if ((sql = insert_sql(t, b->size)) == NULL)
		return pp__fail(dst, PP_EINTERNAL, "out of memory");
	b->many = pp__prepare(dst, sql);
	free(sql);
	return b->many ? PP_OK : PP_EINTERNAL;
}

/* The rows held, inserted: as one batch when it is full, else one by one. */
static int
batch_flush(struct batch *b)
{
	int n = b->t->ncols, r, j, rc = PP_OK;
	pp__st *st = b->rows == b->size ? b->many : b->one;

	for (r = 0; r < b->rows && rc == PP_OK; r += st == b->many ? b->size :
	    1) {
		for (j = 0; j < (st == b->many ? b->size * n : n); j++)
			if (b->value[r * n + j] == NULL)
				pp__bind_null(st, j + 1);
			else
				pp__bind_text(st, j + 1, b->value[r * n + j]);
		if (pp__step(st) != PP__DONE)
			rc = pp__sqlfail(b->dst, b->t->name);
		pp__reset(st);
	}
	for (j = 0; j < b->rows * n; j++) {
		free(b->value[j]);
		b->value[j] = NULL;
	}
	b->rows = 0;
	return rc;
}

/* A row of the source's statement rd, held, the batch flushed when full. */
static int
batch_add(struct batch *b, pp__st *rd)
{
	const char *v;
	int n = b->t->ncols, j;

	for (j = 0; j < n; j++)
		if (!pp__col_null(rd, j) && (v = pp__col_str(rd, j)) != NULL &&
		    (b->value[b->rows * n + j] = strdup(v)) == NULL)
			return pp__fail(b->dst, PP_EINTERNAL, "out of memory");
	if (++b->rows == b->size)
		return batch_flush(b);
	return PP_OK;
}

static void
batch_close(struct batch *b)
{
	int j;

	if (b->value)
		for (j = 0; j < b->size * b->t->ncols; j++)
			free(b->value[j]);
	free(b->value);
	pp__finalize(b->many);
	pp__finalize(b->one);
}

/* One table's rows, page by page; *rows counts them. */
static int
copy_rows(pp_db *src, pp_db *dst, const struct copy_table *t, int64_t *rows)
{
	pp__st *first = NULL, *next = NULL, *rd;
	struct batch b;
	char *sql, *lastkey[64] = { NULL };
	int rc, step, j, got;

	*rows = 0;
	if ((rc = batch_open(dst, t, &b)) != PP_OK)
		goto out;
	if ((sql = select_sql(t, 1)) == NULL) {
		rc = pp__fail(dst, PP_EINTERNAL, "out of memory");
		goto out;
	}
	first = pp__prepare(src, sql);
	free(sql);
	if (first == NULL)
		goto srcfail;
	rd = first;
	for (;;) {
		got = 0;
		while ((step = pp__step(rd)) == PP__ROW) {
			got++;
			if ((rc = batch_add(&b, rd)) != PP_OK)
				goto out;
			(*rows)++;
			if (got == COPY_PAGE)
				for (j = 0; j < t->nkey; j++) {
					free(lastkey[j]);
					if ((lastkey[j] = strdup(pp__col_str(rd,
					    t->key[j]))) == NULL) {
						rc = pp__fail(dst,
						    PP_EINTERNAL,
						    "out of memory");
						goto out;
					}
				}
		}
		if (step != PP__DONE)
			goto srcfail;
		pp__reset(rd);
		if (t->nkey == 0 || got < COPY_PAGE)
			break;
		if (next == NULL) {
			if ((sql = select_sql(t, 0)) == NULL) {
				rc = pp__fail(dst, PP_EINTERNAL,
				    "out of memory");
				goto out;
			}
			next = pp__prepare(src, sql);
			free(sql);
			if (next == NULL)
				goto srcfail;
		}
		rd = next;
		for (j = 0; j < t->nkey; j++)
			pp__bind_text(rd, j + 1, lastkey[j]);
	}
	rc = batch_flush(&b);
	goto out;
srcfail:
	rc = pp__sqlfail(src, t->name);
	pp__fail(dst, rc, "%s: %s", src->shown, pp_errmsg(src));
out:
	for (j = 0; j < 64; j++)
		free(lastkey[j]);
	pp__finalize(first);
	pp__finalize(next);
	batch_close(&b);
	return rc;
}

/*
 * Has the target a row in any table?  A new database has one already:
 * the login that made it, its first admin (db.c), whom the copy replaces
 * by the site's operators.
 */
static int
target_empty(pp_db *dst, struct copy_table **order, size_t n)
{
	struct sqlbuf b = { 0 };
	pp__st *st;
	size_t i;
	int step;

	for (i = 0; i < n; i++) {
		b.len = 0;
		sql_add(&b, "SELECT 1 FROM \"%s\"%s LIMIT 1", order[i]->name,
		    strcmp(order[i]->name, "operators") == 0 ?
		    " WHERE source <> 'creator'" : "");
		if (b.nomem) {
			free(b.s);
			return pp__fail(dst, PP_EINTERNAL, "out of memory");
		}
		if ((st = pp__prepare(dst, b.s)) == NULL) {
			free(b.s);
			return pp__errcode(dst);
		}
		step = pp__step(st);
		pp__finalize(st);
		if (step == PP__ROW) {
			free(b.s);
			return pp__fail(dst, PP_EDATA, "%s is not empty: "
			    "table %s has rows; prepay-migrate copies a site "
			    "into an empty database only", dst->shown,
			    order[i]->name);
		}
		if (step != PP__DONE) {
			free(b.s);
			return pp__sqlfail(dst, order[i]->name);
		}
	}
	free(b.s);
	return PP_OK;
}

int
pp_site_copy(pp_db *src, pp_db *dst, struct pp_site_table **tables,
    size_t *ntables)
{
	struct copy_schema from, to;
	struct copy_table **order = NULL, *f;
	size_t i;
	int rc;

	*tables = NULL;
	*ntables = 0;
	if ((rc = pp_operator_may(src, PP_ACT_MIGRATE, NULL, 0)) != PP_OK)
		return pp__fail(dst, rc, "%s: %s", src->shown, pp_errmsg(src));
	if ((rc = pp__tx_read(src)) != PP_OK)
		return pp__fail(dst, rc, "%s: %s", src->shown, pp_errmsg(src));
	memset(&to, 0, sizeof(to));
	if ((rc = schema_read(src, &from)) != PP_OK) {
		pp__fail(dst, rc, "%s: %s", src->shown, pp_errmsg(src));
		goto out;
	}
	if ((rc = schema_read(dst, &to)) != PP_OK ||
	    (rc = schema_match(src, dst, &from, &to)) != PP_OK ||
	    (rc = schema_order(dst, &from, &order)) != PP_OK)
		goto out;
	if ((*tables = calloc(from.n ? from.n : 1, sizeof(**tables))) ==
	    NULL) {
		rc = pp__fail(dst, PP_EINTERNAL, "out of memory");
		goto out;
	}
	if ((rc = pp__tx_begin(dst)) != PP_OK)
		goto out;
	if ((rc = target_empty(dst, order, from.n)) != PP_OK ||
	    (rc = pp__exec(dst, "DELETE FROM operators WHERE source = "
	    "'creator'", "")) != PP_OK)
		goto rollback;
	for (i = 0; i < from.n; i++) {
		f = order[i];
		snprintf((*tables)[i].name, sizeof((*tables)[i].name), "%s",
		    f->name);
		if ((rc = copy_rows(src, dst, f, &(*tables)[i].rows)) != PP_OK)
			goto rollback;
		*ntables = i + 1;
	}
	if (dst->engine->copied_script && (rc = pp__script(dst,
	    dst->engine->copied_script, "after the copy")) != PP_OK)
		goto rollback;
	/*
	 * The copier must be an operator of the copied site as the target
	 * knows its login (on a server over TCP, the role): an admin, or
	 * nobody could run the site there.
	 */
	dst->role = PP_ROLE_NONE;
	if ((rc = pp_operator_may(dst, PP_ACT_MIGRATE, NULL, 0)) != PP_OK) {
		pp__fail(dst, rc, "%s: %s: the copy would have no admin "
		    "as whom it is made", dst->shown, pp_errmsg(dst));
		goto rollback;
	}
	pp__audit_note(dst, "site copied from %s", src->shown);
	if ((rc = pp__tx_commit(dst)) != PP_OK)
		goto out;
	goto out;
rollback:
	pp__tx_rollback(dst);
out:
	pp__tx_read_end(src);
	if (rc != PP_OK) {
		free(*tables);
		*tables = NULL;
		*ntables = 0;
	}
	free(order);
	schema_free(&from);
	schema_free(&to);
	return rc;
}
