/*
 * output.c: every tool's rows go out through here, as CSV (RFC 4180
 * quoting, LF line ends), TSV (no quoting), an aligned table, or an xlsx
 * workbook with numeric cells for numbers and dates for times, or as a
 * list, one "name: value" a line, for a row too wide for a terminal.  A
 * row may come as text or as cells given by value, which are shown by
 * their column's type.  A table may color its rows when it goes to a
 * terminal, and may end with a bar chart.  The heads are the machine
 * names of prepay-columns(5), or their Chinese names (lang.c).
 */
#include <sys/stat.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "internal.h"

struct pp_out {
	enum pp_format	 fmt;
	FILE		*fp;
	pp_column	*cols;
	size_t		 ncols;
	char		**cells;	/* table and xlsx: every row, buffered */
	size_t		 nrows, cap;
	const char	**values;	/* a row of cells, as text */
	char		(*text)[PP_CELLBUF];	/* what values point into */
	char		*xlsx_path;
	char		*sheet;		/* xlsx: the sheet's name, or NULL */
	enum pp_lang	 lang;
	char		 err[PP_ERRMAX];
	int		 header_done;
	int		 bom;
	int		 color;		/* a table to a terminal */
	unsigned char	*colors;	/* each buffered row's, or 0 */
	struct bar	*bars;		/* the chart under a table */
	size_t		 nbars, barcap;
};

struct bar {
	char	*label, *text;
	int64_t	 value;
};

static void	out_free(pp_out *);

int
pp_format_parse(const char *s, enum pp_format *fmt)
{
	static const struct { const char *name; enum pp_format fmt; } f[] = {
		{ "csv", PP_FMT_CSV }, { "tsv", PP_FMT_TSV },
		{ "table", PP_FMT_TABLE }, { "xlsx", PP_FMT_XLSX },
		{ "list", PP_FMT_LIST },
	};
	size_t i;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (strcmp(s, f[i].name) == 0) {
			*fmt = f[i].fmt;
			return PP_OK;
		}
	return PP_EUSAGE;
}

int
pp_out_open(pp_out **op, enum pp_format fmt, FILE *fp, const char *xlsx_path,
    int bom, const pp_column *cols, size_t ncols, char *err, size_t errlen)
{
	pp_out *o;

	*op = NULL;
	if (fmt == PP_FMT_AUTO)
		fmt = isatty(fileno(fp)) ? PP_FMT_TABLE : PP_FMT_CSV;
	if (fmt == PP_FMT_XLSX && (xlsx_path == NULL || *xlsx_path == '\0')) {
		snprintf(err, errlen, "xlsx output needs a file: -O FILE");
		return PP_EUSAGE;
	}
	if ((o = calloc(1, sizeof(*o))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return PP_EINTERNAL;
	}
	if ((o->cols = calloc(ncols, sizeof(*cols))) == NULL ||
	    (o->values = calloc(ncols, sizeof(*o->values))) == NULL ||
	    (o->text = calloc(ncols, sizeof(*o->text))) == NULL ||
	    (fmt == PP_FMT_XLSX && (o->xlsx_path = strdup(xlsx_path)) ==
	    NULL)) {
		out_free(o);
		snprintf(err, errlen, "out of memory");
		return PP_EINTERNAL;
	}
	/* The names are copied too: a caller's header may go first. */
	for (o->ncols = 0; o->ncols < ncols; o->ncols++) {
		o->cols[o->ncols].type = cols[o->ncols].type;
		if ((o->cols[o->ncols].name = strdup(cols[o->ncols].name)) ==
		    NULL) {
			out_free(o);
			snprintf(err, errlen, "out of memory");
			return PP_EINTERNAL;
		}
	}
	o->fmt = fmt;
	o->fp = fp;
	o->bom = bom;
	/* Color only for a person at a terminal who has not said no. */
	o->color = fmt == PP_FMT_TABLE && isatty(fileno(fp)) &&
	    (getenv("NO_COLOR") == NULL || *getenv("NO_COLOR") == '\0');
	*op = o;
	return PP_OK;
}

static void
csv_value(FILE *fp, const char *v)
{
	size_t len = strlen(v);

	if (strpbrk(v, ",\"\r\n") == NULL && (len == 0 ||
	    (v[0] != ' ' && v[len - 1] != ' '))) {
		fputs(v, fp);
		return;
	}
	putc('"', fp);
	for (; *v; v++) {
		if (*v == '"')
			putc('"', fp);
		putc(*v, fp);
	}
	putc('"', fp);
}

static int
stream_row(pp_out *o, const char *const *values)
{
	size_t i;

	for (i = 0; i < o->ncols; i++) {
		const char *v = values[i] ? values[i] : "";

		if (o->fmt == PP_FMT_TSV && strpbrk(v, "\t\r\n")) {
			snprintf(o->err, sizeof(o->err), "%s \"%s\": a tab "
			    "or newline cannot go into TSV; use -o csv",
			    o->cols[i].name, pp_q(v));
			return PP_EDATA;
		}
	}
	for (i = 0; i < o->ncols; i++) {
		const char *v = values[i] ? values[i] : "";

		if (i)
			putc(o->fmt == PP_FMT_TSV ? '\t' : ',', o->fp);
		if (o->fmt == PP_FMT_TSV)
			fputs(v, o->fp);
		else
			csv_value(o->fp, v);
	}
	putc('\n', o->fp);
	return ferror(o->fp) ? PP_EINTERNAL : PP_OK;
}

/*
 * A table goes to a terminal: a control character or a byte of invalid
 * UTF-8 in a value (an audited argument, say) is shown escaped, never
 * sent.  xlsx keeps the value as it is.
 */
static char *
cell_copy(pp_out *o, const char *value)
{
	size_t size = strlen(value) * 4 + 4;
	char *cell;

	if (o->fmt != PP_FMT_TABLE)
		return strdup(value);
	if ((cell = malloc(size)) != NULL)
		pp_oneline(cell, size, value);
	return cell;
}

static int
buffer_row(pp_out *o, const char *const *values)
{
	size_t i;

	if (o->nrows == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 64;
		char **p = realloc(o->cells, cap * o->ncols * sizeof(*p));
		unsigned char *c;

		if (p == NULL)
			goto nomem;
		o->cells = p;
		if ((c = realloc(o->colors, cap)) == NULL)
			goto nomem;
		memset(c + o->cap, 0, cap - o->cap);
		o->colors = c;
		o->cap = cap;
	}
	for (i = 0; i < o->ncols; i++) {
		char **cell = &o->cells[o->nrows * o->ncols + i];

		if ((*cell = cell_copy(o, values[i] ? values[i] : "")) ==
		    NULL) {
			while (i-- > 0)
				free(o->cells[o->nrows * o->ncols + i]);
			goto nomem;
		}
	}
	o->nrows++;
	return PP_OK;
nomem:
	snprintf(o->err, sizeof(o->err), "out of memory");
	return PP_EINTERNAL;
}

/*
 * Rows appended to a file that already has some, as cron's `>> poll.csv`
 * or systemd's StandardOutput=append: do, continue it: no second header.
 */
static int
continues_file(FILE *fp)
{
	struct stat sb;
	int fd = fileno(fp), fl;

	return fd >= 0 && (fl = fcntl(fd, F_GETFL)) != -1 &&
	    (fl & O_APPEND) && fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    sb.st_size > 0;
}

void
pp_out_lang(pp_out *o, enum pp_lang lang)
{
	o->lang = lang;
}

void
pp_out_sheet(pp_out *o, const char *name, const char *zh)
{
	const char *use = zh && pp__lang_zh(o->lang, o->fmt) ? zh : name;

	free(o->sheet);
	o->sheet = use ? strdup(use) : NULL;
}

/* Column i's head: its machine name, or its Chinese one. */
static const char *
head(const pp_out *o, size_t i)
{
	const char *zh;

	if (pp__lang_zh(o->lang, o->fmt) &&
	    (zh = pp_column_zh(o->cols[i].name)) != NULL)
		return zh;
	return o->cols[i].name;
}

static int
write_header(pp_out *o)
{
	const char **names;
	size_t i;
	int rc;

	if (continues_file(o->fp)) {
		o->header_done = 1;
		return PP_OK;
	}
	if ((names = calloc(o->ncols, sizeof(*names))) == NULL)
		return PP_EINTERNAL;
	for (i = 0; i < o->ncols; i++)
		names[i] = head(o, i);
	if (o->bom)
		fputs("\xEF\xBB\xBF", o->fp);
	o->header_done = 1;
	rc = stream_row(o, names);
	free(names);
	return rc;
}

/*
 * A record as a list: one "name: value" a line, the values aligned in
 * terminal cells, a blank line before every record but the first.  A
 * value is shown as a table shows it: on one line, escaped.
 */
static int
list_row(pp_out *o, const char *const *values)
{
	size_t i, w, width = 0, size;
	char *line;

	for (i = 0; i < o->ncols; i++)
		if ((w = pp__text_width(head(o, i))) > width)
			width = w;
	if (o->nrows++ > 0)
		putc('\n', o->fp);
	for (i = 0; i < o->ncols; i++) {
		const char *v = values[i] ? values[i] : "";

		fprintf(o->fp, "%s:", head(o, i));
		if (*v) {
			for (w = pp__text_width(head(o, i)); w < width + 1; w++)
				putc(' ', o->fp);
			size = strlen(v) * 4 + 4;
			if ((line = malloc(size)) == NULL) {
				snprintf(o->err, sizeof(o->err),
				    "out of memory");
				return PP_EINTERNAL;
			}
			fputs(pp_oneline(line, size, v), o->fp);
			free(line);
		}
		putc('\n', o->fp);
	}
	return ferror(o->fp) ? PP_EINTERNAL : PP_OK;
}

int
pp_out_row(pp_out *o, const char *const *values)
{
	return pp__out_row_color(o, values, PP_COLOR_NONE);
}

int
pp__out_row_color(pp_out *o, const char *const *values, enum pp_color color)
{
	int rc;

	if (o->fmt == PP_FMT_LIST)
		return list_row(o, values);
	if (o->fmt == PP_FMT_TABLE || o->fmt == PP_FMT_XLSX) {
		if ((rc = buffer_row(o, values)) == PP_OK)
			o->colors[o->nrows - 1] = o->color ?
			    (unsigned char)color : 0;
		return rc;
	}
	if (!o->header_done && (rc = write_header(o)) != PP_OK)
		return rc;
	if ((rc = stream_row(o, values)) == PP_OK)
		o->nrows++;
	return rc;
}

const char *
pp__cell_format(enum pp_coltype type, const pp_cell *c, char buf[PP_CELLBUF])
{
	if (!c->set)
		return "";
	if (c->s != NULL)
		return c->s;
	switch (type) {
	case PP_COL_TEXT:
		return "";
	case PP_COL_INT:
		snprintf(buf, PP_CELLBUF, "%lld", (long long)c->i);
		return buf;
	case PP_COL_MONEY:
		return pp_money_format(c->i, buf);
	case PP_COL_KWH:
		return pp__energy_format(c->i, buf);
	case PP_COL_PRICE:
		return pp__price_format(c->i, buf);
	case PP_COL_TIME:
		return pp_time_format(c->i, buf);
	case PP_COL_VOLT:
		return pp__scaled_format(c->i, 1, buf);
	case PP_COL_AMP:
		return pp__scaled_format(c->i, 3, buf);
	}
	return "";
}

int
pp__out_cells(pp_out *o, const pp_cell *cells, enum pp_color color)
{
	size_t i;

	for (i = 0; i < o->ncols; i++)
		o->values[i] = pp__cell_format(o->cols[i].type, &cells[i],
		    o->text[i]);
	return pp__out_row_color(o, o->values, color);
}

/* A time is text to a reader and to a spreadsheet. */
static int
is_number(enum pp_coltype t)
{
	return t != PP_COL_TEXT && t != PP_COL_TIME;
}

static int
write_table(pp_out *o)
{
	size_t *width, r, i, w, spaces;

	if ((width = calloc(o->ncols, sizeof(*width))) == NULL)
		return PP_EINTERNAL;
	for (i = 0; i < o->ncols; i++)
		width[i] = pp__text_width(head(o, i));
	for (r = 0; r < o->nrows; r++)
		for (i = 0; i < o->ncols; i++) {
			w = pp__text_width(o->cells[r * o->ncols + i]);
			if (w > width[i])
				width[i] = w;
		}
	for (r = 0; r <= o->nrows + 1; r++) {
		int color = r >= 2 ? o->colors[r - 2] : 0;

		/* Spaces are held back until text follows: no trailing blanks. */
		spaces = 0;
		if (color)
			fprintf(o->fp, "\033[%dm", color);
		for (i = 0; i < o->ncols; i++) {
			const char *v;
			size_t gap;

			if (i > 0)
				spaces += 2;
			if (r == 1) {
				for (; spaces > 0; spaces--)
					putc(' ', o->fp);
				for (w = 0; w < width[i]; w++)
					putc('-', o->fp);
				continue;
			}
			v = r == 0 ? head(o, i) :
			    o->cells[(r - 2) * o->ncols + i];
			gap = width[i] - pp__text_width(v);
			if (is_number(o->cols[i].type))
				spaces += gap;
			if (*v) {
				for (; spaces > 0; spaces--)
					putc(' ', o->fp);
				fputs(v, o->fp);
			}
			if (!is_number(o->cols[i].type))
				spaces += gap;
		}
		if (color)
			fputs("\033[0m", o->fp);
		putc('\n', o->fp);
	}
	free(width);
	return ferror(o->fp) ? PP_EINTERNAL : PP_OK;
}

int
pp__out_bar(pp_out *o, const char *label, int64_t value, const char *text)
{
	struct bar *b;

	if (o->fmt != PP_FMT_TABLE)
		return PP_OK;
	if (pp_grow(&o->bars, &o->barcap, o->nbars + 1, sizeof(*o->bars)) !=
	    PP_OK)
		goto nomem;
	b = &o->bars[o->nbars];
	b->value = value;
	if ((b->label = strdup(label ? label : "")) == NULL)
		goto nomem;
	if ((b->text = strdup(text ? text : "")) == NULL) {
		free(b->label);
		goto nomem;
	}
	o->nbars++;
	return PP_OK;
nomem:
	snprintf(o->err, sizeof(o->err), "out of memory");
	return PP_EINTERNAL;
}

/* The widest bar, in terminal cells. */
#define CHART_WIDTH	40

/*
 * The bars under the table: each label, then a bar scaled to the largest
 * value (in eighths of a cell), then its text.  A negative value's bar is
 * shaded instead of solid.
 */
static int
write_chart(pp_out *o)
{
	static const char *const eighths[] = { "", "\u258F", "\u258E",
	    "\u258D", "\u258C", "\u258B", "\u258A", "\u2589" };
	size_t i, w, lw = 0, cells, k;
	int64_t max = 0, a;

	for (i = 0; i < o->nbars; i++) {
		a = o->bars[i].value < 0 ? -o->bars[i].value : o->bars[i].value;
		if (a > max)
			max = a;
		if ((w = pp__text_width(o->bars[i].label)) > lw)
			lw = w;
	}
	putc('\n', o->fp);
	for (i = 0; i < o->nbars; i++) {
		const struct bar *b = &o->bars[i];
		long double units;

		a = b->value < 0 ? -b->value : b->value;
		/* Eighths of a cell; anything above zero shows a sliver. */
		units = max ? (long double)a * CHART_WIDTH * 8 / max : 0;
		k = (size_t)(units + 0.5L);
		if (a > 0 && k == 0)
			k = 1;
		if (b->value < 0)
			k = (k + 7) / 8 * 8;
		fputs(b->label, o->fp);
		if (*b->text == '\0' && k == 0) {
			putc('\n', o->fp);
			continue;
		}
		for (w = pp__text_width(b->label); w < lw + 2; w++)
			putc(' ', o->fp);
		for (cells = 0; cells < k / 8; cells++)
			fputs(b->value < 0 ? "\u2592" : "\u2588", o->fp);
		if (k % 8) {
			fputs(eighths[k % 8], o->fp);
			cells++;
		}
		if (*b->text) {
			for (; cells < CHART_WIDTH + 1; cells++)
				putc(' ', o->fp);
			fputs(b->text, o->fp);
		}
		putc('\n', o->fp);
	}
	return ferror(o->fp) ? PP_EINTERNAL : PP_OK;
}

/* The widest an xlsx column grows, in characters. */
#define XLSX_MAXWIDTH	60

/* The formats of an xlsx workbook: by column type, and the heads' bold. */
struct xlsx_formats {
	lxw_format	*bold, *type[PP_COL_AMP + 1];
};

static void
xlsx_formats(lxw_workbook *wb, struct xlsx_formats *f)
{
	static const struct { enum pp_coltype t; const char *num; } n[] = {
		{ PP_COL_INT, "0" }, { PP_COL_MONEY, "0.00" },
		{ PP_COL_KWH, "0.00" }, { PP_COL_PRICE, "0.0000" },
		{ PP_COL_TIME, "yyyy-mm-dd hh:mm" }, { PP_COL_VOLT, "0.0" },
		{ PP_COL_AMP, "0.000" },
	};
	size_t i;

	memset(f, 0, sizeof(*f));
	f->bold = workbook_add_format(wb);
	format_set_bold(f->bold);
	for (i = 0; i < sizeof(n) / sizeof(n[0]); i++) {
		f->type[n[i].t] = workbook_add_format(wb);
		format_set_num_format(f->type[n[i].t], n[i].num);
	}
}

/* A time cell, "YYYY-MM-DD HH:MM:SS" (or without the seconds), as a date. */
static int
xlsx_date(const char *v, lxw_datetime *dt)
{
	int n = 0;

	memset(dt, 0, sizeof(*dt));
	if (sscanf(v, "%4d-%2d-%2d %2d:%2d%n", &dt->year, &dt->month,
	    &dt->day, &dt->hour, &dt->min, &n) != 5 || n != 16)
		return 0;
	if (v[n] == ':') {
		int sec, k = 0;

		if (sscanf(v + n + 1, "%2d%n", &sec, &k) != 1 || k != 2 ||
		    v[n + 3] != '\0')
			return 0;
		dt->sec = sec;
	} else if (v[n] != '\0')
		return 0;
	return 1;
}

/*
 * One cell: a number as a number, a time as a date, else text.  Returns
 * its width in characters as the sheet shows it.
 */
static size_t
xlsx_cell(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, enum pp_coltype t,
    const char *v, const struct xlsx_formats *f)
{
	lxw_datetime dt;
	char *end;
	double d;

	if (is_number(t) && *v) {
		/* The text was formatted exactly from integers. */
		d = strtod(v, &end);
		if (*end == '\0') {
			worksheet_write_number(ws, r, c, d, f->type[t]);
			return strlen(v);
		}
	}
	if (t == PP_COL_TIME && xlsx_date(v, &dt)) {
		worksheet_write_datetime(ws, r, c, &dt, f->type[t]);
		return strlen("yyyy-mm-dd hh:mm");
	}
	worksheet_write_string(ws, r, c, v, NULL);
	return pp__text_width(v);
}

/*
 * The workbook: one sheet, named for the report, its head row bold,
 * frozen and filtered, each column as wide as its widest cell (a CJK
 * character counts 2).
 */
static int
write_xlsx(pp_out *o)
{
	struct xlsx_formats f;
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_error e;
	size_t r, i, *width;

	if ((width = calloc(o->ncols, sizeof(*width))) == NULL)
		return PP_EINTERNAL;
	/* The operator's file is made with the operator's own group. */
	pp__priv_caller();
	if ((wb = workbook_new(o->xlsx_path)) == NULL) {
		pp__priv_service();
		free(width);
		snprintf(o->err, sizeof(o->err), "%s: cannot create",
		    o->xlsx_path);
		return PP_ENOINPUT;
	}
	if (o->sheet == NULL || workbook_validate_sheet_name(wb, o->sheet) !=
	    LXW_NO_ERROR || (ws = workbook_add_worksheet(wb, o->sheet)) ==
	    NULL)
		ws = workbook_add_worksheet(wb, NULL);
	xlsx_formats(wb, &f);
	for (i = 0; i < o->ncols; i++) {
		worksheet_write_string(ws, 0, (lxw_col_t)i, head(o, i), f.bold);
		width[i] = pp__text_width(head(o, i));
	}
	for (r = 0; r < o->nrows; r++)
		for (i = 0; i < o->ncols; i++) {
			size_t w = xlsx_cell(ws, (lxw_row_t)r + 1,
			    (lxw_col_t)i, o->cols[i].type,
			    o->cells[r * o->ncols + i], &f);

			if (w > width[i])
				width[i] = w;
		}
	for (i = 0; i < o->ncols; i++)
		worksheet_set_column(ws, (lxw_col_t)i, (lxw_col_t)i,
		    (double)(width[i] + 2 < XLSX_MAXWIDTH ? width[i] + 2 :
		    XLSX_MAXWIDTH), NULL);
	free(width);
	worksheet_freeze_panes(ws, 1, 0);
	if (o->ncols > 0)
		worksheet_autofilter(ws, 0, 0, (lxw_row_t)o->nrows,
		    (lxw_col_t)(o->ncols - 1));
	e = workbook_close(wb);
	pp__priv_service();
	if (e != LXW_NO_ERROR) {
		snprintf(o->err, sizeof(o->err), "%s: %s", o->xlsx_path,
		    lxw_strerror(e));
		return PP_ENOINPUT;
	}
	return PP_OK;
}

/* Free o and all it holds, written or not. */
static void
out_free(pp_out *o)
{
	size_t i;

	for (i = 0; i < o->nrows * o->ncols && o->cells; i++)
		free(o->cells[i]);
	free(o->cells);
	free(o->colors);
	free(o->values);
	free(o->text);
	for (i = 0; i < o->nbars; i++) {
		free(o->bars[i].label);
		free(o->bars[i].text);
	}
	free(o->bars);
	for (i = 0; i < o->ncols; i++)
		free((char *)o->cols[i].name);
	free(o->cols);
	free(o->xlsx_path);
	free(o->sheet);
	free(o);
}

int
pp_out_close(pp_out *o, char *err, size_t errlen)
{
	int rc = PP_OK;

	if (o == NULL)
		return PP_OK;
	if (o->fmt == PP_FMT_TABLE) {
		rc = write_table(o);
		if (rc == PP_OK && o->nbars)
			rc = write_chart(o);
	} else if (o->fmt == PP_FMT_XLSX)
		rc = write_xlsx(o);
	else if (!o->header_done && o->fmt != PP_FMT_LIST)
		/* No rows: the header still tells the next tool the columns. */
		rc = write_header(o);
	if (fflush(o->fp) != 0 && rc == PP_OK) {
		snprintf(o->err, sizeof(o->err), "write error");
		rc = PP_EINTERNAL;
	}
	if (rc != PP_OK && err)
		snprintf(err, errlen, "%s", o->err);
	out_free(o);
	return rc;
}

const char *
pp_out_error(const pp_out *o)
{
	return o->err;
}

size_t
pp__out_rows(const pp_out *o)
{
	return o->nrows;
}
