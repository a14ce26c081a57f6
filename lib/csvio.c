/*
 * csvio.c: input lists in CSV (RFC 4180) or TSV, read with libcsv and
 * matched by column name, so that one tool's output is the next one's
 * input.
 */
#include <csv.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/*
 * Input is streamed: the parser gets a piece of at most PIECE bytes at a
 * time, and a record is kept only until the next one is asked for, so
 * memory follows the longest row, never the file.  A piece ends after
 * each '\n' or '\r', the only bytes that can end a record, so a piece
 * completes at most one record.
 */
#define PIECE	65536

/* One record: its fields one after another in buf, each ending in NUL. */
struct record {
	char	*buf;
	size_t	 len, cap;
	size_t	*off;		/* where each kept field starts in buf */
	size_t	 n, offcap;	/* fields kept */
	size_t	 nfields;	/* fields seen: a row's past the header's are
				 * only counted */
	long	 line;
	int	 bad;		/* a NUL byte inside */
};

struct pp_csv {
	FILE		*fp;
	char		 name[256];
	struct csv_parser parser;
	int		 tsv;
	int		 eof;
	char		 piece[PIECE];
	size_t		 piecelen;	/* a piece read but not yet fed */
	long		 lineno;	/* lines begun so far */
	int		 line_start;	/* the next piece begins a line */
	int		 in_record;
	long		 record_line;
	size_t		 record_bytes;	/* fed since the record began */
	struct record	 cur;		/* being parsed */
	struct record	 done;		/* parsed, not yet handed out */
	int		 ready;
	struct record	 row;		/* handed out by pp_csv_next */
	struct record	 header;
	int		 have_header;
	char		 err[PP_ERRMAX];
	int		 failed;
};

static void
record_free(struct record *r)
{
	free(r->buf);
	free(r->off);
	memset(r, 0, sizeof(*r));
}

static const char *
field(const struct record *r, size_t i)
{
	return r->buf + r->off[i];
}

static void
on_field(void *data, size_t len, void *arg)
{
	pp_csv *r = arg;
	struct record *rec = &r->cur;

	if (r->failed)
		return;
	if (memchr(data, '\0', len))
		rec->bad = 1;
	rec->nfields++;
	/* A row's fields past the header's make it bad whatever they hold. */
	if (r->have_header && rec->n >= r->header.n)
		return;
	if (!r->have_header && rec->n >= PP_CSV_COLMAX) {
		r->failed = 1;
		snprintf(r->err, sizeof(r->err), "%s: line 1: more than %d "
		    "columns", r->name, PP_CSV_COLMAX);
		return;
	}
	if (pp_grow(&rec->off, &rec->offcap, rec->n + 1,
	    sizeof(*rec->off)) != PP_OK ||
	    pp_grow(&rec->buf, &rec->cap, rec->len + len + 1, 1) != PP_OK) {
		r->failed = 1;
		snprintf(r->err, sizeof(r->err), "%s: out of memory",
		    r->name);
		return;
	}
	rec->off[rec->n++] = rec->len;
	if (len)
		memcpy(rec->buf + rec->len, data, len);
	rec->len += len;
	rec->buf[rec->len++] = '\0';
}

static void
on_record(int term, void *arg)
{
	pp_csv *r = arg;

	(void)term;
	if (r->failed)
		return;
	r->cur.line = r->record_line;
	record_free(&r->done);
	r->done = r->cur;
	r->ready = 1;
	memset(&r->cur, 0, sizeof(r->cur));
	r->in_record = 0;
	r->record_bytes = 0;
}

static int
is_blank_space(unsigned char c)
{
	return c == ' ';
}

/*
 * The next piece: up to PIECE bytes, ending after '\n' or '\r'; or the
 * one pp_csv_open peeked at.
 */
static size_t
read_piece(pp_csv *r)
{
	int c;

	if (r->piecelen > 0)
		return r->piecelen;
	/* One byte kept free for the LF of a CR LF. */
	while (r->piecelen < PIECE - 1 && (c = getc(r->fp)) != EOF) {
		r->piece[r->piecelen++] = (char)c;
		if (c == '\n')
			break;
		if (c == '\r') {
			/* CR LF is one line end; a lone CR is one too. */
			if ((c = getc(r->fp)) == '\n')
				r->piece[r->piecelen++] = (char)c;
			else if (c != EOF)
				ungetc(c, r->fp);
			break;
		}
	}
	return r->piecelen;
}

/* Feed pieces until a record is ready or the input ends. */
static int
fill(pp_csv *r)
{
	size_t len, i;

	while (!r->ready && !r->eof && !r->failed) {
		if ((len = read_piece(r)) == 0) {
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
		r->piecelen = 0;
		if (r->line_start)
			r->lineno++;
		/* libcsv ends a record at a lone CR as at LF: so do lines. */
		r->line_start = r->piece[len - 1] == '\n' ||
		    r->piece[len - 1] == '\r';
		/* A line of blanks makes no record: the parser skips it. */
		for (i = 0; !r->in_record && i < len; i++)
			if (r->piece[i] != ' ' && r->piece[i] != '\r' &&
			    r->piece[i] != '\n') {
				r->in_record = 1;
				r->record_line = r->lineno;
			}
		/* Refused before it is parsed, so it never takes memory. */
		if (r->in_record && (r->record_bytes += len) > PP_CSV_ROWMAX) {
			snprintf(r->err, sizeof(r->err), "%s: line %ld: a row "
			    "longer than %d bytes", r->name,
			    r->record_line, PP_CSV_ROWMAX);
			r->failed = 1;
			return PP_EDATA;
		}
		if (csv_parse(&r->parser, r->piece, len, on_field, on_record,
		    r) != len) {
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
	if (!r->ready)
		return 0;
	*out = r->done;
	memset(&r->done, 0, sizeof(r->done));
	r->ready = 0;
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
			snprintf(err, errlen, "%s: line 1: not UTF-8",
			    name);
			free(r);
			return PP_EDATA;
		}
	} else if (c != EOF)
		ungetc(c, fp);
	/* Peek at the header line to choose between CSV and TSV. */
	if (read_piece(r) == 0) {
		if (ferror(fp))
			snprintf(err, errlen, "%s: %s", name,
			    strerror(errno));
		else
			snprintf(err, errlen, "%s: empty input, no header",
			    name);
		free(r);
		return PP_EDATA;
	}
	r->tsv = memchr(r->piece, '\t', r->piecelen) != NULL;
	if (csv_init(&r->parser, r->tsv ? CSV_APPEND_NULL :
	    CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
		snprintf(err, errlen, "%s: out of memory", name);
		free(r);
		return PP_EINTERNAL;
	}
	csv_set_space_func(&r->parser, is_blank_space);
	if (r->tsv) {
		csv_set_delim(&r->parser, '\t');
		/* TSV has no quoting: a quote is an ordinary character. */
		csv_set_quote(&r->parser, '\0');
	}
	r->line_start = 1;
	if ((rc = take(r, &r->header)) != 1) {
		snprintf(err, errlen, "%s", rc == 0 ?
		    "empty input, no header" : r->err);
		pp_csv_close(r);
		return rc == 0 ? PP_EDATA : rc;
	}
	r->have_header = 1;
	for (i = 0; i < r->header.n; i++)
		for (j = 0; j < i; j++)
			if (field(&r->header, i)[0] &&
			    strcmp(field(&r->header, i),
			    field(&r->header, j)) == 0) {
				snprintf(err, errlen, "%s: line 1: column \"%s\" "
				    "appears twice", name,
				    pp_q(field(&r->header, i)));
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
	if (r->row.nfields > r->header.n) {
		snprintf(r->err, sizeof(r->err), "%s: line %ld: %zu fields, "
		    "but the header has %zu", r->name, r->row.line,
		    r->row.nfields, r->header.n);
		return PP_EDATA;
	}
	return 1;
}

const char *
pp__csv_get(const pp_csv *r, const char *column)
{
	size_t i;

	for (i = 0; i < r->header.n; i++)
		if (strcmp(field(&r->header, i), column) == 0)
			return i < r->row.n ? field(&r->row, i) : "";
	return NULL;
}

int
pp__csv_has(const pp_csv *r, const char *column)
{
	size_t i;

	for (i = 0; i < r->header.n; i++)
		if (strcmp(field(&r->header, i), column) == 0)
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
	return i < r->header.n ? field(&r->header, i) : NULL;
}

const char *
pp_csv_field(const pp_csv *r, size_t i)
{
	return i < r->row.n ? field(&r->row, i) : "";
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
	record_free(&r->done);
	record_free(&r->header);
	free(r);
}
