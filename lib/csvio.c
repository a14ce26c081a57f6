/*
 * csvio.c: input lists in CSV (RFC 4180) or TSV, read with libcsv and
 * matched by column name, so that one tool's output is the next one's
 * input.
 */
#include <csv.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "prepay.h"

struct record {
	char	**fields;
	size_t	  n, cap;
	long	  line;
	int	  bad;		/* a NUL byte inside */
};

struct pp_csv {
	FILE		*fp;
	char		 name[256];
	struct csv_parser parser;
	int		 tsv;
	int		 eof;
	char		*linebuf;
	size_t		 linecap;
	long		 lineno;	/* lines fed so far */
	int		 in_record;
	long		 record_line;
	struct record	 cur;		/* being parsed */
	struct record	*queue;		/* parsed, not yet handed out */
	size_t		 qhead, qlen, qcap;
	struct record	 row;		/* handed out by pp_csv_next */
	struct record	 header;
	char		 err[PP_ERRMAX];
	int		 failed;
};

static void
record_free(struct record *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		free(r->fields[i]);
	free(r->fields);
	memset(r, 0, sizeof(*r));
}

static void
on_field(void *data, size_t len, void *arg)
{
	pp_csv *r = arg;
	struct record *rec = &r->cur;
	char *f;

	if (r->failed)
		return;
	if (rec->n == rec->cap) {
		size_t cap = rec->cap ? rec->cap * 2 : 16;
		char **p = realloc(rec->fields, cap * sizeof(*p));

		if (p == NULL)
			goto nomem;
		rec->fields = p;
		rec->cap = cap;
	}
	if ((f = malloc(len + 1)) == NULL)
		goto nomem;
	if (len)
		memcpy(f, data, len);
	f[len] = '\0';
	if (memchr(f, '\0', len))
		rec->bad = 1;
	rec->fields[rec->n++] = f;
	return;
nomem:
	r->failed = 1;
	snprintf(r->err, sizeof(r->err), "%s: out of memory", r->name);
}

static void
on_record(int term, void *arg)
{
	pp_csv *r = arg;

	(void)term;
	if (r->failed)
		return;
	if (r->qhead + r->qlen == r->qcap) {
		if (r->qhead > 0) {
			memmove(r->queue, r->queue + r->qhead,
			    r->qlen * sizeof(*r->queue));
			r->qhead = 0;
		} else {
			size_t cap = r->qcap ? r->qcap * 2 : 16;
			struct record *q = realloc(r->queue, cap * sizeof(*q));

			if (q == NULL) {
				r->failed = 1;
				snprintf(r->err, sizeof(r->err),
				    "%s: out of memory", r->name);
				return;
			}
			r->queue = q;
			r->qcap = cap;
		}
	}
	r->cur.line = r->record_line;
	r->queue[r->qhead + r->qlen++] = r->cur;
	memset(&r->cur, 0, sizeof(r->cur));
	r->in_record = 0;
}

static int
is_blank_space(unsigned char c)
{
	return c == ' ';
}

/* Feed lines until a record is queued or the input ends. */
static int
fill(pp_csv *r)
{
	ssize_t len;

	while (r->qlen == 0 && !r->eof && !r->failed) {
		len = getline(&r->linebuf, &r->linecap, r->fp);
		if (len < 0) {
			if (ferror(r->fp)) {
				snprintf(r->err, sizeof(r->err), "%s: read error",
				    r->name);
				return PP_ENOINPUT;
			}
			r->eof = 1;
			if (csv_fini(&r->parser, on_field, on_record, r) != 0) {
				snprintf(r->err, sizeof(r->err),
				    "%s: line %ld: unterminated quoted field",
				    r->name, r->record_line);
				return PP_EDATA;
			}
			break;
		}
		r->lineno++;
		/* A line of blanks makes no record: the parser skips it. */
		if (!r->in_record &&
		    strspn(r->linebuf, " \r\n") != (size_t)len) {
			r->in_record = 1;
			r->record_line = r->lineno;
		}
		if (csv_parse(&r->parser, r->linebuf, (size_t)len, on_field,
		    on_record, r) != (size_t)len) {
			snprintf(r->err, sizeof(r->err), "%s: line %ld: %s",
			    r->name, r->lineno,
			    csv_error(&r->parser) == CSV_EPARSE ?
			    "malformed quoting" :
			    csv_strerror(csv_error(&r->parser)));
			r->failed = 1;
			return PP_EDATA;
		}
	}
	return r->failed ? PP_EDATA : PP_OK;
}

static int
take(pp_csv *r, struct record *out)
{
	int rc;

	if ((rc = fill(r)) != PP_OK)
		return rc;
	if (r->qlen == 0)
		return 0;
	*out = r->queue[r->qhead++];
	r->qlen--;
	if (out->bad) {
		snprintf(r->err, sizeof(r->err), "%s: line %ld: NUL byte in "
		    "the data", r->name, out->line);
		return PP_EDATA;
	}
	return 1;
}

int
pp_csv_open(pp_csv **rp, FILE *fp, const char *name, char *err,
    size_t errlen)
{
	pp_csv *r;
	int c, rc;
	size_t i, j;

	*rp = NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		snprintf(err, errlen, "%s: out of memory", name);
		return PP_EINTERNAL;
	}
	r->fp = fp;
	snprintf(r->name, sizeof(r->name), "%s", name);
	/* Excel writes a byte-order mark; it is not part of the header. */
	if ((c = getc(fp)) == 0xEF) {
		if (getc(fp) != 0xBB || getc(fp) != 0xBF) {
			snprintf(err, errlen, "%s: line 1: not UTF-8", name);
			free(r);
			return PP_EDATA;
		}
	} else if (c != EOF)
		ungetc(c, fp);
	/* Peek at the header line to choose between CSV and TSV. */
	if ((rc = (int)getline(&r->linebuf, &r->linecap, fp)) < 0) {
		if (ferror(fp))
			snprintf(err, errlen, "%s: %s", name, strerror(errno));
		else
			snprintf(err, errlen, "%s: empty input, no header",
			    name);
		free(r->linebuf);
		free(r);
		return PP_EDATA;
	}
	r->tsv = strchr(r->linebuf, '\t') != NULL;
	if (csv_init(&r->parser, r->tsv ? CSV_APPEND_NULL :
	    CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
		snprintf(err, errlen, "%s: out of memory", name);
		free(r->linebuf);
		free(r);
		return PP_EINTERNAL;
	}
	csv_set_space_func(&r->parser, is_blank_space);
	if (r->tsv) {
		csv_set_delim(&r->parser, '\t');
		/* TSV has no quoting: a quote is an ordinary character. */
		csv_set_quote(&r->parser, '\0');
	}
	r->lineno = 1;
	r->in_record = 1;
	r->record_line = 1;
	if (csv_parse(&r->parser, r->linebuf, (size_t)rc, on_field, on_record,
	    r) != (size_t)rc) {
		snprintf(err, errlen, "%s: line 1: malformed header", name);
		pp_csv_close(r);
		return PP_EDATA;
	}
	if ((rc = take(r, &r->header)) != 1) {
		snprintf(err, errlen, "%s", rc == 0 ?
		    "empty input, no header" : r->err);
		pp_csv_close(r);
		return rc == 0 ? PP_EDATA : rc;
	}
	for (i = 0; i < r->header.n; i++)
		for (j = 0; j < i; j++)
			if (r->header.fields[i][0] &&
			    strcmp(r->header.fields[i], r->header.fields[j]) ==
			    0) {
				snprintf(err, errlen, "%s: line 1: column \"%s\" "
				    "appears twice", name, r->header.fields[i]);
				pp_csv_close(r);
				return PP_EDATA;
			}
	*rp = r;
	return PP_OK;
}

int
pp_csv_next(pp_csv *r)
{
	int rc;

	record_free(&r->row);
	if ((rc = take(r, &r->row)) != 1)
		return rc;
	if (r->row.n > r->header.n) {
		snprintf(r->err, sizeof(r->err), "%s: line %ld: %zu fields, "
		    "but the header has %zu", r->name, r->row.line, r->row.n,
		    r->header.n);
		return PP_EDATA;
	}
	return 1;
}

const char *
pp_csv_get(const pp_csv *r, const char *column)
{
	size_t i;

	for (i = 0; i < r->header.n; i++)
		if (strcmp(r->header.fields[i], column) == 0)
			return i < r->row.n ? r->row.fields[i] : "";
	return NULL;
}

int
pp_csv_has(const pp_csv *r, const char *column)
{
	size_t i;

	for (i = 0; i < r->header.n; i++)
		if (strcmp(r->header.fields[i], column) == 0)
			return 1;
	return 0;
}

long
pp_csv_line(const pp_csv *r)
{
	return r->row.line;
}

int
pp_csv_is_tsv(const pp_csv *r)
{
	return r->tsv;
}

size_t
pp_csv_ncolumns(const pp_csv *r)
{
	return r->header.n;
}

const char *
pp_csv_column(const pp_csv *r, size_t i)
{
	return i < r->header.n ? r->header.fields[i] : NULL;
}

const char *
pp_csv_field(const pp_csv *r, size_t i)
{
	return i < r->row.n ? r->row.fields[i] : "";
}

const char *
pp_csv_error(const pp_csv *r)
{
	return r->err;
}

void
pp_csv_close(pp_csv *r)
{
	if (r == NULL)
		return;
	csv_free(&r->parser);
	record_free(&r->cur);
	record_free(&r->row);
	record_free(&r->header);
	while (r->qlen > 0) {
		record_free(&r->queue[r->qhead++]);
		r->qlen--;
	}
	free(r->queue);
	free(r->linebuf);
	free(r);
}
