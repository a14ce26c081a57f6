/*
 * common.c: the one place for what every tool does alike.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common.h"

void
tool_init(struct tool *t, const char *name, const char *usage, int argc,
    char **argv)
{
	char err[PP_ERRMAX];

	memset(t, 0, sizeof(*t));
	t->name = name;
	t->usage = usage;
	t->argc = argc;
	t->argv = argv;
	t->fmt = PP_FMT_AUTO;
	t->lang = pp_lang_locale(getenv("LC_ALL"), getenv("LC_MESSAGES"),
	    getenv("LANG"));
	t->copies = 1;
	/* Our own messages name the whole option. */
	opterr = 0;
	/* Setgid: the environment is the caller's; see prepay(7). */
	if (pp_privilege_init(err, sizeof(err)) != PP_OK) {
		tool_warn(t, "%s", err);
		exit(PP_EINTERNAL);
	}
	if ((t->dbpath = getenv("PREPAY_DB")) == NULL || *t->dbpath == '\0')
		t->dbpath = "prepay.db";
	if (pp_now_check(err, sizeof(err)) != PP_OK)
		tool_die(t, PP_EUSAGE, "%s", err);
}

/*
 * The one place a message is written: whatever a value slipped into it,
 * it goes out as exactly one line of valid UTF-8 with no control
 * character, and no longer than MSGMAX.
 */
#define MSGMAX	1024

static void
vwarn(struct tool *t, const char *fmt, va_list ap)
{
	char msg[MSGMAX], line[MSGMAX];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	fprintf(stderr, "%s: %s\n", t->name, pp_oneline(line, sizeof(line),
	    msg));
}

void
tool_warn(struct tool *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(t, fmt, ap);
	va_end(ap);
}

noreturn void
tool_exit(struct tool *t, int code)
{
	/*
	 * Each change appended its entry inside its own transaction.  A run
	 * that changed nothing leaves a record of its own; that record is
	 * not a change, so failing to write it never changes the exit code
	 * (a lock that refused the run would refuse it too).  A failed run
	 * whose server is lost, which its message said, says no more.
	 */
	if (t->db && t->audit && pp_audit_wrote(t->db) == 0 &&
	    code != PP_EBUSY && pp_audit_record(t->db, code, t->summary) !=
	    PP_OK && (code == PP_OK || !pp_db_lost(t->db)))
		tool_warn(t, "audit log: %s", pp_errmsg(t->db));
	pp_db_close(t->db);
	if (t->receipt_fp && t->receipt_fp != stdout)
		fclose(t->receipt_fp);
	free(t->template);
	if (fflush(stdout) != 0 && code == PP_OK) {
		fprintf(stderr, "%s: stdout: %s\n", t->name, strerror(errno));
		code = PP_EINTERNAL;
	}
	exit(code);
}

noreturn void
tool_die(struct tool *t, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(t, fmt, ap);
	va_end(ap);
	if (t->summary[0] == '\0') {
		va_start(ap, fmt);
		vsnprintf(t->summary, sizeof(t->summary), fmt, ap);
		va_end(ap);
	}
	tool_exit(t, code);
}

noreturn void
tool_usage(struct tool *t)
{
	fprintf(stderr, "%s", t->usage);
	exit(PP_EUSAGE);
}

int
tool_option(struct tool *t, int ch, const char *arg)
{
	switch (ch) {
	case 'd':
		t->dbpath = arg;
		return 1;
	case 'h':
		printf("%s", t->usage);
		exit(PP_OK);
	case 'O':
		t->xlsx_path = arg;
		return 1;
	case 'o':
		if (pp_format_parse(arg, &t->fmt) != PP_OK ||
		    (t->fmt == PP_FMT_XLSX && strcmp(t->name, "report") != 0)) {
			tool_warn(t, "-o %s: use csv, tsv, table or list%s",
			    pp_q(arg), strcmp(t->name, "report") == 0 ?
			    " or xlsx" : "");
			exit(PP_EUSAGE);
		}
		return 1;
	case 'V':
		printf("%s %s\n", t->name, PP_VERSION);
		exit(PP_OK);
	case OPT_BOM:
		t->bom = 1;
		return 1;
	case OPT_LANG:
		if (pp_lang_parse(arg, &t->lang) != PP_OK) {
			tool_warn(t, "--lang %s: use zh or en", pp_q(arg));
			exit(PP_EUSAGE);
		}
		return 1;
	case OPT_EACH:
		t->each = 1;
		return 1;
	case OPT_REJECTS:
		t->rejects = arg;
		return 1;
	case OPT_RECEIPT:
		t->receipt_arg = arg;
		return 1;
	case OPT_TEMPLATE:
		t->template_arg = arg;
		return 1;
	case OPT_COPIES:
		t->copies_arg = arg;
		return 1;
	case '?':
		if (optopt >= '0' && optopt <= '9')
			tool_warn(t, "%s: negative numbers are not allowed",
			    pp_q(t->argv[optind - 1]));
		else if (optopt)
			tool_warn(t, "-%c: unknown option", optopt);
		else
			tool_warn(t, "%s: unknown option",
			    pp_q(t->argv[optind - 1]));
		exit(optopt >= '0' && optopt <= '9' ? PP_EDATA : PP_EUSAGE);
	case ':':
		tool_warn(t, "%s: needs a value", pp_q(t->argv[optind - 1]));
		exit(PP_EUSAGE);
	}
	return 0;
}

void
tool_open(struct tool *t, enum pp_action action, int create)
{
	const char *wait = getenv("PREPAY_BUSY_TIMEOUT");
	int rc;

	if (t->fmt == PP_FMT_XLSX && t->xlsx_path == NULL) {
		tool_warn(t, "-o xlsx needs -O FILE");
		exit(PP_EUSAGE);
	}
	rc = pp_db_open(&t->db, t->dbpath, create ? PP_DB_CREATE : 0);
	if (t->db && wait && *wait)
		pp_db_set_timeout(t->db, tool_int(t, "PREPAY_BUSY_TIMEOUT",
		    wait, 0, 3600) * 1000);
	if (rc != PP_OK) {
		tool_warn(t, "%s", pp_errmsg(t->db));
		pp_db_close(t->db);
		exit(rc);
	}
	if ((rc = pp_audit_begin(t->db, t->name, t->argc - 1, t->argv + 1))
	    != PP_OK || (rc = pp_operator_may(t->db, action, NULL, 0)) !=
	    PP_OK)
		tool_die(t, rc, "%s", pp_errmsg(t->db));
}

int64_t
tool_amount(struct tool *t, const char *s)
{
	char err[PP_ERRMAX];
	int64_t fen;

	if (pp_money_parse(s, 0, -1, &fen, err, sizeof(err)) != PP_OK)
		tool_die(t, PP_EDATA, "%s", err);
	return fen;
}

int
tool_int(struct tool *t, const char *what, const char *s, int min, int max)
{
	char err[PP_ERRMAX];
	int64_t v;

	if (pp_int_parse(s, min, max, &v, err, sizeof(err)) != PP_OK) {
		tool_warn(t, "%s %s", what, err);
		exit(PP_EUSAGE);
	}
	return (int)v;
}

pp_out *
tool_out(struct tool *t, const pp_column *cols, size_t ncols)
{
	char err[PP_ERRMAX];
	pp_out *o;
	int rc;

	/* Receipts on stdout take the place of the rows. */
	if (t->receipt_fp == stdout)
		return NULL;
	if ((rc = pp_out_open(&o, t->fmt, stdout, t->xlsx_path, t->bom, cols,
	    ncols, err, sizeof(err))) != PP_OK)
		tool_die(t, rc, "%s", err);
	pp_out_lang(o, t->lang);
	return o;
}

void
tool_row(struct tool *t, pp_out *o, const char *const *values)
{
	if (pp_out_row(o, values) != PP_OK)
		tool_die(t, PP_EDATA, "%s", pp_out_error(o));
}

void
tool_out_close(struct tool *t, pp_out *o)
{
	char err[PP_ERRMAX];
	int rc;

	if (o && (rc = pp_out_close(o, err, sizeof(err))) != PP_OK)
		tool_die(t, rc, "output: %s", err);
}

void
tool_receipts(struct tool *t)
{
	char err[PP_ERRMAX];
	int rc;

	if (t->copies_arg)
		t->copies = tool_int(t, "--copies", t->copies_arg, 1, 9);
	if (t->template_arg && (rc = pp_receipt_load(t->template_arg,
	    &t->template, err, sizeof(err))) != PP_OK) {
		tool_warn(t, "--template %s", err);
		exit(rc);
	}
	if (t->receipt_arg == NULL)
		return;
	if (strcmp(t->receipt_arg, "-") == 0)
		t->receipt_fp = stdout;
	else if ((t->receipt_fp = pp_fopen_caller(t->receipt_arg, "w")) ==
	    NULL) {
		tool_warn(t, "--receipt %s: %s", t->receipt_arg,
		    strerror(errno));
		exit(PP_ENOINPUT);
	}
}

/* A receipt for the entry, to --receipt; 1 when it takes the row's place. */
static int
print_receipt(struct tool *t, const pp_entry *e)
{
	static int receipts;
	char err[PP_ERRMAX], site[PP_NAMEMAX], *text;

	if (t->receipt_fp == NULL)
		return 0;
	if (pp_receipt_render(e, pp_site_name(t->db, site, sizeof(site)),
	    t->template, t->copies, &text, err, sizeof(err)) != PP_OK)
		tool_die(t, PP_EINTERNAL, "receipt: %s", err);
	fprintf(t->receipt_fp, "%s%s", receipts++ ? "\f" : "", text);
	free(text);
	return t->receipt_fp == stdout;
}

void
tool_emit(struct tool *t, pp_out *o, const pp_entry *entry)
{
	char msg[PP_ERRMAX], amount[PP_NUMBUF];
	pp_entry copy = *entry, *e = &copy;
	int rc;

	if ((rc = pp_hall_deliver(t->db, e, msg, sizeof(msg))) != PP_OK &&
	    rc != PP_EBUSY)
		tool_warn(t, "meter %s: the recharge failed: %s", e->meter,
		    msg);
	/* A replay answers as the first time did, and exits 0. */
	t->pending += e->pending && !e->replayed;
	t->replayed += e->replayed;
	if (e->pending && !t->batch)
		tool_warn(t, "meter %s: recharge %s (purchase %lld) is pending "
		    "(%s); meter-read sends it", e->meter,
		    pp_money_format(e->amount, amount),
		    (long long)e->buy_count, msg);
	if (e->closing[0])
		tool_warn(t, "meter %s: still open-pending: tripped for arrears, "
		    "its close did not go through yet; meter-read sends it",
		    e->closing);
	if (e->replayed && !t->batch)
		tool_warn(t, "ref %s: already recorded as serial %s", e->ref,
		    e->serial);
	if (!print_receipt(t, e))
		t->print(t, o, e);
}

/* State of one batch run, handed to the library's callbacks. */
struct batch {
	struct tool	*t;
	int		(*apply)(pp_db *, const pp_csv *, pp_entry *, void *);
	void		*arg;
	pp_entry	 current;
	/*
	 * The accepted entries wait for the commit in a temporary file, not
	 * in memory, which would grow with the list.
	 */
	FILE		*done;
	size_t		 ndone;
	pp_out		*rejects;
	int		 nomem;
	int		 spill;		/* the temporary file failed */
};

static int
batch_apply(pp_db *db, const pp_csv *row, void *arg)
{
	struct batch *b = arg;

	memset(&b->current, 0, sizeof(b->current));
	return b->apply(db, row, &b->current, b->arg);
}

static void
batch_accepted(void *arg)
{
	struct batch *b = arg;

	if (b->done == NULL)
		return;
	if (fwrite(&b->current, sizeof(b->current), 1, b->done) != 1)
		b->spill = 1;
	b->ndone++;
}

static void
batch_rejected(void *arg, const pp_csv *row, int code, const char *msg)
{
	struct batch *b = arg;
	const char **values;
	size_t i, n = pp_csv_ncolumns(row);

	(void)code;
	tool_warn(b->t, "line %ld: %s", pp_csv_line(row), msg);
	if (b->rejects == NULL)
		return;
	if ((values = calloc(n + 1, sizeof(*values))) == NULL) {
		b->nomem = 1;
		return;
	}
	for (i = 0; i < n; i++)
		values[i] = pp_csv_field(row, i);
	values[n] = msg;
	if (pp_out_row(b->rejects, values) != PP_OK)
		tool_warn(b->t, "--rejects: %s", pp_out_error(b->rejects));
	free(values);
}

static pp_out *
open_rejects(struct tool *t, const char *path, const pp_csv *in, FILE **fp)
{
	pp_column *cols;
	char err[PP_ERRMAX];
	size_t i, n = pp_csv_ncolumns(in);
	pp_out *o;

	if ((*fp = pp_fopen_caller(path, "w")) == NULL)
		tool_die(t, PP_ENOINPUT, "--rejects %s: %s", path,
		    strerror(errno));
	if ((cols = calloc(n + 1, sizeof(*cols))) == NULL)
		tool_die(t, PP_EINTERNAL, "out of memory");
	for (i = 0; i < n; i++)
		cols[i] = (pp_column){ pp_csv_column(in, i), PP_COL_TEXT };
	cols[n] = (pp_column){ "error", PP_COL_TEXT };
	if (pp_out_open(&o, pp_csv_is_tsv(in) ? PP_FMT_TSV : PP_FMT_CSV, *fp,
	    NULL, 0, cols, n + 1, err, sizeof(err)) != PP_OK)
		tool_die(t, PP_EINTERNAL, "--rejects: %s", err);
	free(cols);
	return o;
}

/* The list FILE, or - for stdin, and its header. */
static pp_csv *
batch_input(struct tool *t, const char *path, FILE **in)
{
	char err[PP_ERRMAX];
	pp_csv *csv;
	int rc;

	if (strcmp(path, "-") == 0)
		*in = stdin;
	else if ((*in = pp_fopen_caller(path, "r")) == NULL)
		tool_die(t, PP_ENOINPUT, "%s: %s", path, strerror(errno));
	if ((rc = pp_csv_open(&csv, *in, strcmp(path, "-") ? path : "stdin",
	    err, sizeof(err))) != PP_OK)
		tool_die(t, rc, "%s", err);
	return csv;
}

/* The rejects written, the accepted entries ready to be read back. */
static void
batch_settle(struct tool *t, struct batch *b, FILE *rejects_fp)
{
	char err[PP_ERRMAX];
	int closed;

	closed = pp_out_close(b->rejects, err, sizeof(err));
	if (rejects_fp && fclose(rejects_fp) != 0)
		closed = PP_EINTERNAL;
	if (closed != PP_OK)
		tool_warn(t, "--rejects %s: write error", t->rejects);
	if (b->nomem)
		tool_die(t, PP_EINTERNAL, "out of memory");
	if (b->done && (b->spill || fflush(b->done) != 0 ||
	    fseek(b->done, 0, SEEK_SET) != 0))
		tool_die(t, PP_EINTERNAL, "temporary file: %s",
		    strerror(errno));
}

/* Print the committed entries; returns their sum. */
static int64_t
batch_print(struct tool *t, struct batch *b, int committed)
{
	int64_t sum = 0;
	pp_entry e;
	pp_out *o;
	size_t i;

	o = tool_out(t, t->columns, t->ncolumns);
	for (i = 0; i < b->ndone && committed; i++) {
		if (fread(&e, sizeof(e), 1, b->done) != 1)
			tool_die(t, PP_EINTERNAL, "temporary file: %s",
			    ferror(b->done) ? strerror(errno) : "cut short");
		tool_emit(t, o, &e);
		sum += e.amount;
	}
	tool_out_close(t, o);
	fclose(b->done);
	return sum;
}

/* The summary for the audit entry, and the warnings of a run. */
static void
batch_summary(struct tool *t, const char *path,
    const struct pp_batch_result *res, int64_t sum, int rc)
{
	char total[PP_NUMBUF];

	snprintf(t->summary, sizeof(t->summary), "%s: %ld rows, %ld %s, %ld "
	    "rejected, amount %s", path, res->rows, res->accepted,
	    res->committed ? "written" : "not written (all or nothing)",
	    res->rejected, pp_money_format(sum, total));
	if (!res->committed && res->rejected)
		tool_warn(t, "%ld of %ld rows rejected; nothing was written",
		    res->rejected, res->rows);
	else if (res->rejected)
		tool_warn(t, "%ld of %ld rows rejected%s%s", res->rejected,
		    res->rows, t->rejects ? "; see " : "", t->rejects ?
		    t->rejects : "");
	if (t->replayed)
		tool_warn(t, "%ld rows were already recorded under their ref",
		    t->replayed);
	if (rc == PP_OK && t->pending)
		tool_warn(t, "%ld meter recharges are pending; meter-read "
		    "sends them", t->pending);
}

int
tool_batch(struct tool *t, const char *path,
    int (*apply)(pp_db *, const pp_csv *, pp_entry *, void *), void *arg)
{
	struct pp_batch_spec spec = { t->each, batch_apply, batch_accepted,
	    batch_rejected, t->checked_first };
	struct pp_batch_result res;
	struct batch b;
	FILE *in, *rejects_fp = NULL;
	pp_csv *csv;
	int64_t sum = 0;
	int rc;

	if (t->rejects && !t->each)
		tool_die(t, PP_EUSAGE, "--rejects goes with --each; without "
		    "it a bad row means nothing is written");
	csv = batch_input(t, path, &in);
	memset(&b, 0, sizeof(b));
	t->batch = 1;
	b.t = t;
	b.apply = apply;
	b.arg = arg;
	if (t->rejects)
		b.rejects = open_rejects(t, t->rejects, csv, &rejects_fp);
	if (t->print && (b.done = pp_fopen_caller(NULL, "w+")) == NULL)
		tool_die(t, PP_EINTERNAL, "temporary file: %s",
		    strerror(errno));
	rc = pp_batch_run(t->db, csv, &spec, &b, &res);
	pp_csv_close(csv);
	if (in != stdin)
		fclose(in);
	batch_settle(t, &b, rejects_fp);
	if (res.broken || (rc != PP_OK && rc != PP_EDATA))
		tool_warn(t, "%s", pp_errmsg(t->db));
	if (t->print)
		sum = batch_print(t, &b, res.committed);
	batch_summary(t, path, &res, sum, rc);
	/* Recorded is done: a script must not retry a committed sale. */
	return rc;
}

int
tool_single(struct tool *t, int (*run)(pp_db *, pp_entry *, void *),
    void *arg)
{
	pp_entry e;
	int rc;

	if ((rc = pp_hall_post(t->db, run, arg, &e)) != PP_OK)
		tool_die(t, rc, "%s", pp_errmsg(t->db));
	return tool_posted(t, &e);
}

int
tool_posted(struct tool *t, const pp_entry *e)
{
	char amount[PP_NUMBUF];
	pp_out *o;

	snprintf(t->summary, sizeof(t->summary), "%s %s account %s amount %s%s",
	    e->kind, e->serial, e->account, pp_money_format(e->amount, amount),
	    e->replayed ? " (replayed)" : "");
	o = tool_out(t, t->columns, t->ncolumns);
	tool_emit(t, o, e);
	tool_out_close(t, o);
	/*
	 * The money is recorded, with its audit entry: exit 0 even when the
	 * meter's recharge waits for meter-read (the warning says so), so
	 * that no script retries a committed sale (doc/design.md, "Money").
	 */
	return PP_OK;
}

void
tool_entries(struct tool *t)
{
	t->audit = 1;
	t->print = print_entry;
	t->columns = pp_entry_columns;
	t->ncolumns = PP_ENTRY_NCOLS;
}

void
print_entry(struct tool *t, pp_out *o, const pp_entry *e)
{
	struct pp_entry_text text;
	const char *v[PP_ENTRY_NCOLS];

	pp_entry_values(e, &text, v);
	tool_row(t, o, v);
}

struct money_args {
	int		(*request)(pp_db *, const struct pp_money_req *,
			    pp_entry *);
	struct pp_money_req req;
	int		 method_given;	/* -m */
	int		 defaulted;	/* a row took the default method */
};

static int
money_single(pp_db *db, pp_entry *e, void *arg)
{
	struct money_args *m = arg;

	return m->request(db, &m->req, e);
}

static int
money_row(pp_db *db, const pp_csv *row, pp_entry *e, void *arg)
{
	struct money_args *m = arg;
	struct pp_money_req req;
	int rc;

	if ((rc = pp_money_row(db, row, &m->req, &req)) != PP_OK)
		return rc;
	if (req.method == m->req.method)
		m->defaulted = 1;
	return m->request(db, &req, e);
}

/* The options of sale and refund; the operands are left in argv. */
static void
money_options(struct tool *t, struct money_args *m, int argc, char **argv)
{
	enum { OPT_REF = OPT_FIRST_TOOL, OPT_REMARK, OPT_ACCOUNT, OPT_METER,
	    OPT_ROOM };
	static const struct option longopts[] = {
		COMMON_LONG,
		BATCH_LONG,
		RECEIPT_LONG,
		{ "ref", required_argument, NULL, OPT_REF },
		{ "remark", required_argument, NULL, OPT_REMARK },
		{ "account", no_argument, NULL, OPT_ACCOUNT },
		{ "meter", no_argument, NULL, OPT_METER },
		{ "room", no_argument, NULL, OPT_ROOM },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	while ((ch = getopt_long(argc, argv, COMMON_SHORT "m:", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'm':
			m->req.method = optarg;
			m->method_given = 1;
			break;
		case OPT_REF:
			m->req.ref = optarg;
			break;
		case OPT_REMARK:
			m->req.remark = optarg;
			break;
		case OPT_ACCOUNT:
		case OPT_METER:
		case OPT_ROOM:
			if (m->req.target_kind != PP_TARGET_ANY)
				tool_die(t, PP_EUSAGE, "give one of --account, "
				    "--meter and --room");
			m->req.target_kind = ch == OPT_ACCOUNT ?
			    PP_TARGET_ACCOUNT : ch == OPT_METER ?
			    PP_TARGET_METER : PP_TARGET_ROOM;
			break;
		default:
			if (!tool_option(t, ch, optarg))
				tool_usage(t);
		}
	}
}

/* A name that says it is a list: NAME.csv or NAME.tsv. */
static int
list_named(const char *name)
{
	size_t n = strlen(name);

	return n > 4 && (strcasecmp(name + n - 4, ".csv") == 0 ||
	    strcasecmp(name + n - 4, ".tsv") == 0);
}

int
money_main(int argc, char **argv, const char *name, const char *usage,
    enum pp_action action,
    int (*request)(pp_db *, const struct pp_money_req *, pp_entry *))
{
	struct tool t;
	struct money_args m;
	int rc;

	tool_init(&t, name, usage, argc, argv);
	memset(&m, 0, sizeof(m));
	m.request = request;
	m.req.method = "cash";
	money_options(&t, &m, argc, argv);
	argc -= optind;
	argv += optind;
	if (argc < 1 || argc > 2)
		tool_usage(&t);
	if (argc == 1 && (m.req.ref || m.req.target_kind != PP_TARGET_ANY))
		tool_die(&t, PP_EUSAGE, "a list carries its own ref and target "
		    "columns");
	/*
	 * One operand that names no file, and no .csv or .tsv one either, is
	 * a target whose amount was left out (the cashier's slip), not a
	 * list that went missing.
	 */
	if (argc == 1 && strcmp(argv[0], "-") != 0 && !list_named(argv[0]) &&
	    access(argv[0], F_OK) == -1 && errno == ENOENT)
		tool_die(&t, PP_EUSAGE, "%s: the amount is missing (%s TARGET "
		    "AMOUNT), and no list file has that name", pp_q(argv[0]),
		    name);
	tool_receipts(&t);
	tool_entries(&t);
	if (argc == 2) {
		m.req.target = argv[0];
		m.req.amount = tool_amount(&t, argv[1]);
	}
	tool_open(&t, action, 0);
	if (argc == 1) {
		rc = tool_batch(&t, argv[0], money_row, &m);
		if (m.defaulted && !m.method_given && (rc == PP_OK || t.each))
			tool_warn(&t, "rows without a method were taken as %s "
			    "(give -m or a method column)", m.req.method);
		tool_exit(&t, rc);
	}
	tool_exit(&t, tool_single(&t, money_single, &m));
}

/*
 * "Ready": the line, or the process ID for NULL, once the tool serves.  A
 * regular file is written whole under another name and renamed, so a
 * reader never sees half of it; a FIFO is written straight, so that a
 * script can block on reading it instead of polling for a file.
 */
int
tool_ready(const char *path, const char *what, char *err, size_t errlen)
{
	char tmp[1100], line[256];
	struct stat sb;
	FILE *fp;
	int bad, fd, n;

	if (stat(path, &sb) == 0 && S_ISFIFO(sb.st_mode)) {
		if (what)
			n = snprintf(line, sizeof(line), "%.250s\n", what);
		else
			n = snprintf(line, sizeof(line), "%ld\n", (long)getpid());
		if ((fd = open(path, O_WRONLY)) == -1 ||
		    write(fd, line, (size_t)n) != n) {
			snprintf(err, errlen, "--ready %s: %s", path,
			    strerror(errno));
			if (fd != -1)
				close(fd);
			return PP_ENOINPUT;
		}
		close(fd);
		return PP_OK;
	}
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp) ||
	    (fp = fopen(tmp, "w")) == NULL) {
		snprintf(err, errlen, "--ready %s: %s", path, strerror(errno));
		return PP_ENOINPUT;
	}
	bad = (what ? fprintf(fp, "%s\n", what) : fprintf(fp, "%ld\n",
	    (long)getpid())) < 0;
	if (fclose(fp) != 0 || bad || rename(tmp, path) != 0) {
		snprintf(err, errlen, "--ready %s: %s", path, strerror(errno));
		unlink(tmp);
		return PP_ENOINPUT;
	}
	return PP_OK;
}
