/*
 * report.h: a report as data, for the files that hold reports.  Each
 * report is a descriptor: its name and abilities (what a tool sees), its
 * columns with their types, and either one query with the options it
 * binds, or a step of its own that computes the rows.  One runner
 * (report.c) opens the output, steps the rows and shows every cell by
 * its column's type, in every format.
 */
#ifndef PP_REPORT_H
#define PP_REPORT_H

#include "internal.h"

/* The most columns a report has, and parameters its query binds. */
#define PP__REPORT_MAXCOLS	16
#define PP__REPORT_MAXBINDS	8

/*
 * What a query binds to ?1, ?2, ... in order: an option of struct
 * pp_report_opts, or what the report's check step derived from them.
 * The text ones come first.
 */
enum pp__bind {
	PP__BIND_END,		/* ends the list */
	PP__BIND_BY, PP__BIND_KIND, PP__BIND_ACCOUNT, PP__BIND_METER,
	PP__BIND_LOGIN, PP__BIND_STATE, PP__BIND_BUILDING, PP__BIND_FLOOR,
	PP__BIND_ROOM,
	PP__BIND_PATTERN,	/* a strftime pattern */
	PP__BIND_FIND,		/* --find's LIKE pattern */
	PP__BIND_DAY_LO,	/* the first day [from, to) touches */
	PP__BIND_DAY_HI,	/* its last day */
	PP__BIND_FROM, PP__BIND_TO, PP__BIND_BY_OPERATOR, PP__BIND_BY_METHOD,
	PP__BIND_OPEN_ONLY,
	PP__BIND_ID,		/* the operand's id */
	PP__BIND_ALARM1,	/* the site's alarm thresholds */
	PP__BIND_ALARM2,
	PP__BIND_COUNT
};

struct pp__run;

struct pp_report {
	struct pp_report_info	 info;
	/* A column without a name is named by --by. */
	const pp_column		*cols;
	size_t			 ncols;
	/* Columns (bit i: column i) the query gives in 1e-7 yuan. */
	unsigned		 e7;
	/*
	 * With --chart: a bar per run of rows with one column 0, its length
	 * the sum of this column.
	 */
	int			 chart_value;
	/*
	 * The query: its columns are the report's, in order, and may go on
	 * with more for the row step.
	 */
	const char		*sql;
	enum pp__bind		 binds[PP__REPORT_MAXBINDS];
	const char		*what;	/* a query error names it, or "report" */
	/* Checks and derived operands, before the output opens. */
	int			(*check)(struct pp__run *);
	/*
	 * Completes a row of the query; 0 leaves the row out, and a
	 * negative -rc fails the report with rc (pp_errmsg says why).
	 */
	int			(*row)(struct pp__run *, pp__st *,
				    pp_cell *);
	/*
	 * A computed report's rows instead of the query's.  It opens the
	 * output itself (pp__report_open), once the checks that come before
	 * any row are done: a refused report prints not even a header.
	 */
	int			(*rows)(struct pp__run *);
};

/* One run of a report: the runner's state, which the steps share. */
struct pp__run {
	pp_db			*db;
	const struct pp_report	*rep;	/* check may choose a variant */
	struct pp_report_opts	 opts;	/* check may fill in defaults */
	pp_out			*out;
	pp_out			**outp;
	enum pp_format		 fmt;
	FILE			*fp;
	const char		*xlsx_path;
	int			 bom;
	unsigned		 hide;	/* columns (bit i) left out */
	enum pp_color		 color;	/* of the row, set by the row step */
	/* What check derives for the query and the row step. */
	int64_t			 id, alarm1, alarm2;
	int			 want;		/* a state asked for, or -1 */
	const char		*pattern;
	char			 lo[PP_TIMEBUF], hi[PP_TIMEBUF];
	char			 note[PP_ERRMAX];	/* a row's own text */
	char			 find[2 * PP_NAMEMAX + 3];	/* --find */
	/* The bar being summed: its label and total. */
	char			 label[PP_TIMEBUF];
	int64_t			 sum;
	int			 bar, some;
	int64_t			 tolerance_wh;	/* onsite */
};

/* The reports, each in the file of its kind. */
extern const struct pp_report pp__report_sales, pp__report_txns,
    pp__report_accounts, pp__report_balances, pp__report_audit,
    pp__report_verify, pp__report_status, pp__report_energy,
    pp__report_readings, pp__report_usage, pp__report_alarms,
    pp__report_lost, pp__report_reconcile, pp__report_bill,
    pp__report_energy_per, pp__report_counters, pp__report_operators,
    pp__report_onsite, pp__report_orders, pp__report_bindings,
    pp__report_plans, pp__report_energy_month;

/*
 * The energy report's columns, by day or by month (energy.c), and what
 * the two share: the cost in 1e-7 yuan, the energy charted, the days of
 * the period and the place bound to ?1..?5.
 */
#define PP__ENERGY_NCOLS	6
extern const pp_column pp__energy_cols[PP__ENERGY_NCOLS];
#define PP__ENERGY_REPORT \
	.cols = pp__energy_cols, .ncols = PP__ENERGY_NCOLS, .e7 = 1u << 5, \
	.chart_value = 4, .binds = { PP__BIND_DAY_LO, PP__BIND_DAY_HI, \
	PP__BIND_BUILDING, PP__BIND_FLOOR, PP__BIND_ROOM }, .what = "daily"

/* Open the output with the report's columns. */
int	 pp__report_open(struct pp__run *run);
/* Open the output, and prepare the query with the report's operands. */
int	 pp__report_start(struct pp__run *run, pp__st **st);
/* Write a row of cells, one per column of the report, and chart it. */
int	 pp__report_emit(struct pp__run *run, const pp_cell *cells);
/* Step st, a query whose columns are the report's, writing its rows. */
int	 pp__report_step(struct pp__run *run, pp__st *st,
	    const char *what);

/* PP_EUSAGE unless --from and --to are both given, in order. */
int	 pp__report_need_times(struct pp__run *run);
/* The id of the METER operand into run->id, or an error naming it. */
int	 pp__report_meter_id(struct pp__run *run);

/*
 * The places a report keeps, --building, --floor and --room, bound to
 * the parameters numbered B, F and R, of meters m and buildings b.
 */
#define PP__PLACE_SQL(B, F, R) \
	"(?" B " IS NULL OR b.name = ?" B ") AND (?" F " IS NULL OR " \
	"m.floor = ?" F ") AND (?" R " IS NULL OR m.room = ?" R ")"

#define PP__NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* Cells by value. */
#define PP__TEXT(str)	((pp_cell){ .set = 1, .s = (str) })
#define PP__INT(v)	((pp_cell){ .set = 1, .i = (v) })

#endif /* PP_REPORT_H */
