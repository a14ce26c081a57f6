/*
 * reportrun.c: the one runner every report goes through.  A report is a
 * descriptor (report.h); the runner checks its options, opens the output
 * with its columns, steps its query or its own rows, shows every cell by
 * its column's type and draws the chart.  The descriptors (reports.c,
 * usage.c, bill.c, verify.c) use its steps; the table of them (report.c)
 * stands above them all.
 */
#include <stdlib.h>
#include <string.h>

#include "report.h"

int
pp__report_need_times(struct pp__run *run)
{
	const struct pp_report_opts *r = &run->opts;
	const char *name = run->rep->info.name;

	if (r->from == INT64_MIN || r->to == INT64_MAX)
		return pp__fail(run->db, PP_EUSAGE, "%s needs --from and --to",
		    name);
	if (r->from >= r->to)
		return pp__fail(run->db, PP_EUSAGE,
		    "%s: --from must come before "
		    "--to", name);
	return PP_OK;
}

int
pp__report_meter_id(struct pp__run *run)
{
	const char *meter = run->opts.subject;
	int rc;

	if (meter == NULL)
		return pp__fail(run->db, PP_EUSAGE, "which meter? give METER");
	rc = pp__query_int(run->db, &run->id, "SELECT id FROM meters WHERE "
	    "meter = ?", "t", meter);
	if (rc == PP_EDATA)
		return pp__fail(run->db, PP_EDATA, "meter %s: no such meter",
		    pp_q(meter));
	return rc;
}

int
pp__report_open(struct pp__run *run)
{
	const struct pp_report *rep = run->rep;
	pp_column cols[PP__REPORT_MAXCOLS];
	char err[PP_ERRMAX];
	size_t i, n = 0;
	int rc;

	for (i = 0; i < rep->ncols; i++) {
		if (run->hide & (1u << i))
			continue;
		cols[n] = rep->cols[i];
		if (cols[n].name == NULL)
			cols[n].name = run->opts.by;
		n++;
	}
	if ((rc = pp_out_open(run->outp, run->fmt, run->fp, run->xlsx_path,
	    run->bom, cols, n, err, sizeof(err))) != PP_OK)
		return pp__fail(run->db, rc, "%s", err);
	pp_out_lang(*run->outp, run->opts.lang);
	pp_out_sheet(*run->outp, rep->info.name, pp_report_zh(rep->info.name));
	run->out = *run->outp;
	return PP_OK;
}

/* The report's operands, to ?1, ?2, ... of st. */
static void
bind(const struct pp__run *run, pp__st *st)
{
	const struct pp_report_opts *r = &run->opts;
	const char *text[PP__BIND_COUNT] = {
		[PP__BIND_BY] = r->by, [PP__BIND_KIND] = r->kind,
		[PP__BIND_ACCOUNT] = r->account, [PP__BIND_METER] = r->meter,
		[PP__BIND_LOGIN] = r->login, [PP__BIND_STATE] = r->state,
		[PP__BIND_BUILDING] = r->building, [PP__BIND_FLOOR] = r->floor,
		[PP__BIND_ROOM] = r->room, [PP__BIND_PATTERN] = run->pattern,
		[PP__BIND_FIND] = run->opts.find ? run->find : NULL,
		[PP__BIND_DAY_LO] = run->lo, [PP__BIND_DAY_HI] = run->hi,
	};
	const int64_t number[PP__BIND_COUNT] = {
		[PP__BIND_FROM] = r->from, [PP__BIND_TO] = r->to,
		[PP__BIND_BY_OPERATOR] = r->by_operator,
		[PP__BIND_BY_METHOD] = r->by_method,
		[PP__BIND_OPEN_ONLY] = r->open_only, [PP__BIND_ID] = run->id,
		[PP__BIND_ALARM1] = run->alarm1, [PP__BIND_ALARM2] = run->alarm2,
	};
	const enum pp__bind *b = run->rep->binds;
	int i;

	for (i = 0; i < PP__REPORT_MAXBINDS && b[i] != PP__BIND_END; i++)
		if (b[i] < PP__BIND_FROM)
			pp__bind_text(st, i + 1, text[b[i]]);
		else
			pp__bind_int64(st, i + 1, number[b[i]]);
}

/* The bar summed so far, under the table. */
static int
chart_flush(struct pp__run *run)
{
	pp_cell total = { .set = run->some, .i = run->sum };
	char text[PP_CELLBUF];
	int rc;

	if (!run->bar)
		return PP_OK;
	run->bar = run->some = 0;
	rc = pp__out_bar(run->out, run->label, run->sum, pp__cell_format(
	    run->rep->cols[run->rep->chart_value].type, &total, text));
	run->sum = 0;
	return rc;
}

/* One bar per run of rows with one label: the period, every place. */
static int
chart_add(struct pp__run *run, const pp_cell *cells)
{
	const pp_cell *v = &cells[run->rep->chart_value];
	const char *label = cells[0].set && cells[0].s ? cells[0].s : "";
	int rc;

	if (run->bar && strcmp(run->label, label) != 0 &&
	    (rc = chart_flush(run)) != PP_OK)
		return rc;
	snprintf(run->label, sizeof(run->label), "%s", label);
	run->bar = 1;
	/* An empty cell may still hold what its bar shows (usage). */
	run->sum += v->i;
	run->some |= v->set;
	return PP_OK;
}

int
pp__report_emit(struct pp__run *run, const pp_cell *cells)
{
	pp_cell shown[PP__REPORT_MAXCOLS];
	size_t i, n = 0;
	int rc = PP_OK;

	for (i = 0; i < run->rep->ncols; i++)
		if (!(run->hide & (1u << i)))
			shown[n++] = cells[i];
	if (run->opts.chart && run->rep->info.chart)
		rc = chart_add(run, cells);
	if (rc == PP_OK)
		rc = pp__out_cells(run->out, shown, run->color);
	if (rc != PP_OK)
		return pp__fail(run->db, rc, "%s", pp_out_error(run->out));
	return PP_OK;
}

/* A row of the query as cells: NULL is empty, 1e-7 yuan become fen. */
static void
cells_of(const struct pp__run *run, pp__st *st, pp_cell *cells)
{
	const struct pp_report *rep = run->rep;
	int i;

	for (i = 0; i < (int)rep->ncols; i++) {
		memset(&cells[i], 0, sizeof(cells[i]));
		if (pp__col_null(st, i))
			continue;
		cells[i].set = 1;
		if (rep->cols[i].type == PP_COL_TEXT)
			cells[i].s = pp__col_str(st, i);
		else if (rep->e7 & (1u << i))
			cells[i].i = pp__fen_round(pp__col_int64(st, i));
		else
			cells[i].i = pp__col_int64(st, i);
	}
}

int
pp__report_step(struct pp__run *run, pp__st *st, const char *what)
{
	pp_cell cells[PP__REPORT_MAXCOLS];
	int rc, orc = PP_OK, keep;

	while ((rc = pp__step(st)) == PP__ROW) {
		cells_of(run, st, cells);
		run->color = PP_COLOR_NONE;
		keep = run->rep->row ? run->rep->row(run, st, cells) : 1;
		if (keep < 0) {
			orc = -keep;
			break;
		}
		if (keep == 0)
			continue;
		if ((orc = pp__report_emit(run, cells)) != PP_OK)
			break;
	}
	pp__reset(st);
	if (orc != PP_OK)
		return orc;
	return rc == PP__DONE ? PP_OK : pp__sqlfail(run->db, what);
}

int
pp__report_start(struct pp__run *run, pp__st **st)
{
	int rc;

	if ((rc = pp__report_open(run)) != PP_OK)
		return rc;
	if ((*st = pp__stmt(run->db, run->rep->sql)) == NULL)
		return pp__errcode(run->db);
	bind(run, *st);
	return PP_OK;
}

/* A report of one query: its rows as they come. */
static int
query_rows(struct pp__run *run)
{
	pp__st *st;
	int rc;

	if ((rc = pp__report_start(run, &st)) != PP_OK)
		return rc;
	return pp__report_step(run, st, run->rep->what ? run->rep->what :
	    "report");
}

static int
report_run(pp_db *db, const pp_report *rep,
    const struct pp_report_opts *opts, pp_out **o, enum pp_format fmt,
    FILE *fp, const char *xlsx_path, int bom)
{
	struct pp__run run;
	int rc;

	memset(&run, 0, sizeof(run));
	run.db = db;
	run.rep = rep;
	run.opts = *opts;
	run.outp = o;
	run.fmt = fmt;
	run.fp = fp;
	run.xlsx_path = xlsx_path;
	run.bom = bom;
	*o = NULL;
	if (rep->check && (rc = rep->check(&run)) != PP_OK)
		return rc;
	if ((rc = run.rep->rows ? run.rep->rows(&run) : query_rows(&run)) !=
	    PP_OK)
		return rc;
	if ((rc = chart_flush(&run)) != PP_OK)
		return pp__fail(db, rc, "%s", pp_out_error(run.out));
	return PP_OK;
}

/* A report runs with a reader's page cache, the handle's again after. */
int
pp_report_run(pp_db *db, const pp_report *rep,
    const struct pp_report_opts *opts, pp_out **o, enum pp_format fmt,
    FILE *fp, const char *xlsx_path, int bom)
{
	int rc, cache;

	*o = NULL;
	if ((rc = pp__db_cache(db, PP__REPORT_CACHE_KIB)) != PP_OK)
		return rc;
	rc = report_run(db, rep, opts, o, fmt, fp, xlsx_path, bom);
	if ((cache = pp__db_cache(db, PP__CACHE_KIB)) != PP_OK && rc == PP_OK)
		rc = cache;
	return rc;
}
