/*
 * common.h: what every tool shares: the common options, opening the
 * database as the operator, output, input lists and the audit entry.
 */
#ifndef PP_COMMON_H
#define PP_COMMON_H

#include <getopt.h>
#include <stdnoreturn.h>

#include "prepay.h"

/* Long options without a short form start here. */
enum { OPT_BOM = 256, OPT_LANG, OPT_EACH, OPT_REJECTS, OPT_RECEIPT, OPT_TEMPLATE,
	OPT_COPIES, OPT_FIRST_TOOL };

/* The leading colon tells a missing value from an unknown option. */
#define COMMON_SHORT	":d:hO:o:V"
#define COMMON_LONG \
	{ "bom", no_argument, NULL, OPT_BOM }, \
	{ "lang", required_argument, NULL, OPT_LANG }
/* Tools that read input lists. */
#define BATCH_LONG \
	{ "each", no_argument, NULL, OPT_EACH }, \
	{ "rejects", required_argument, NULL, OPT_REJECTS }
/* Tools that print receipts. */
#define RECEIPT_LONG \
	{ "receipt", required_argument, NULL, OPT_RECEIPT }, \
	{ "template", required_argument, NULL, OPT_TEMPLATE }, \
	{ "copies", required_argument, NULL, OPT_COPIES }

struct tool {
	const char	*name;
	const char	*usage;		/* the man page's SYNOPSIS */
	int		 argc;		/* the whole command line, audited */
	char		**argv;
	const char	*dbpath;
	enum pp_format	 fmt;
	const char	*xlsx_path;
	int		 bom;
	enum pp_lang	 lang;		/* the locale's, or --lang */
	int		 audit;		/* the tool writes: audit its run */
	int		 each;		/* --each */
	const char	*rejects;	/* --rejects */
	const char	*receipt_arg, *template_arg, *copies_arg;
	pp_db		*db;
	char		 summary[512];
	/* Receipts instead of rows (sale, refund, reverse, acct-close). */
	const char	*receipt_path;
	char		*template;
	int		 copies;
	FILE		*receipt_fp;
	/* Rows printed for a money entry. */
	void		(*print)(struct tool *, pp_out *, const pp_entry *);
	const pp_column	*columns;
	size_t		 ncolumns;
	long		 pending;	/* recharges left pending */
	long		 replayed;	/* --ref seen before */
	int		 batch;		/* a list: sum notices up, once */
	int		 checked_first;	/* its rows refuse before writing */
};

void	 tool_init(struct tool *t, const char *name, const char *usage,
	    int argc, char **argv);
/* Handle an option every tool has; 0 when ch is not one of them. */
int	 tool_option(struct tool *t, int ch, const char *arg);
noreturn void tool_usage(struct tool *t);
void	 tool_warn(struct tool *t, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Print why and exit with code, auditing first when the tool writes. */
noreturn void tool_die(struct tool *t, int code, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
noreturn void tool_exit(struct tool *t, int code);
/* Open the database and check that the operator may do action, or exit. */
void	 tool_open(struct tool *t, enum pp_action action, int create);
/* Parse an amount in yuan for this site, or exit 65. */
int64_t	 tool_amount(struct tool *t, const char *s);
int	 tool_int(struct tool *t, const char *what, const char *s, int min,
	    int max);
pp_out	*tool_out(struct tool *t, const pp_column *cols, size_t ncols);
/* Write one row, or exit. */
void	 tool_row(struct tool *t, pp_out *o, const char *const *values);
void	 tool_out_close(struct tool *t, pp_out *o);
/* Open what --receipt, --template and --copies asked for, or exit. */
void	 tool_receipts(struct tool *t);
/* Print the entries of a run as rows or receipts. */
void	 tool_emit(struct tool *t, pp_out *o, const pp_entry *e);
/*
 * Run an input list (FILE or - for stdin) through apply, which fills
 * *entry for each good row.  Prints the rows of the accepted entries and
 * returns the exit code.
 */
int	 tool_batch(struct tool *t, const char *path,
	    int (*apply)(pp_db *, const pp_csv *, pp_entry *, void *),
	    void *arg);
/* One request in one transaction, printed; returns the exit code. */
int	 tool_single(struct tool *t,
	    int (*run)(pp_db *, pp_entry *, void *), void *arg);
/* Print an entry already posted; returns the exit code. */
int	 tool_posted(struct tool *t, const pp_entry *e);
/* The tool writes money entries and prints them as the entry columns. */
void	 tool_entries(struct tool *t);

/* Print an entry as one row of the entry columns. */
void	 print_entry(struct tool *t, pp_out *o, const pp_entry *e);
/* The whole of sale(1) and refund(1), which differ only in the request. */
int	 money_main(int argc, char **argv, const char *name,
	    const char *usage, enum pp_action action,
	    int (*request)(pp_db *, const struct pp_money_req *, pp_entry *));

/*
 * Tell a script the tool serves: write what (NULL: the process ID) and a
 * newline into path, a FIFO or a file.  PP_OK, or err says why.
 */
int	 tool_ready(const char *path, const char *what, char *err,
	    size_t errlen);

#endif /* PP_COMMON_H */
