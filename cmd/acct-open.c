/*
 * acct-open: open accounts, one at a time or from a list, and add meters
 * to open accounts.
 */
#include <string.h>

#include "common.h"

static const char usage[] =
    "usage: acct-open [-d FILE] [-o FMT] [--lang zh|en]\n"
    "                 [--bom] [-a ACCOUNT] -n NAME [-p PHONE]\n"
    "                 [--balance AMOUNT] [-m METHOD] [--ref REF] [--remark TEXT]\n"
    "                 METER ...\n"
    "       acct-open [-d FILE] [-o FMT] --add-meter ACCOUNT METER\n"
    "       acct-open [-d FILE] [-o FMT] [--each] [--rejects FILE] [-m METHOD] FILE|-\n";

static const pp_column columns[] = {
	{ "account", PP_COL_TEXT }, { "name", PP_COL_TEXT },
	{ "phone", PP_COL_TEXT }, { "meter", PP_COL_TEXT },
	{ "room", PP_COL_TEXT }, { "balance", PP_COL_MONEY },
	{ "serial", PP_COL_TEXT }, { "time", PP_COL_TEXT },
	{ "ref", PP_COL_TEXT },
};

static void
print_account(struct tool *t, pp_out *o, const pp_entry *e)
{
	char balance[PP_NUMBUF], time[PP_TIMEBUF];
	const char *v[] = { e->account, e->name, e->phone, e->meter, e->room,
	    pp_money_format(e->balance, balance), e->serial,
	    pp_time_format(e->time, time), e->ref };

	tool_row(t, o, v);
}

struct open_args {
	struct pp_open_req	 req;
	const char		*add_account, *add_meter;
};

static int
open_one(pp_db *db, pp_entry *e, void *arg)
{
	struct open_args *a = arg;

	if (a->add_account)
		return pp_account_add_meter(db, a->add_account, a->add_meter, e);
	return pp_account_open(db, &a->req, e);
}

static int
open_row(pp_db *db, const pp_csv *row, pp_entry *e, void *arg)
{
	struct open_args *a = arg;
	struct pp_open_req req;
	int rc;

	if ((rc = pp_open_row(db, row, &a->req, &req)) != PP_OK)
		return rc;
	return pp_account_open(db, &req, e);
}

/* The options; --balance is parsed once the form is known. */
static void
open_options(struct tool *t, struct open_args *a, const char **balance,
    int *add, int argc, char **argv)
{
	enum { OPT_BALANCE = OPT_FIRST_TOOL, OPT_REF, OPT_REMARK,
	    OPT_ADD_METER };
	static const struct option longopts[] = {
		COMMON_LONG,
		BATCH_LONG,
		{ "balance", required_argument, NULL, OPT_BALANCE },
		{ "ref", required_argument, NULL, OPT_REF },
		{ "remark", required_argument, NULL, OPT_REMARK },
		{ "add-meter", no_argument, NULL, OPT_ADD_METER },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	while ((ch = getopt_long(argc, argv, COMMON_SHORT "a:m:n:p:", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'a':
			a->req.account = optarg;
			break;
		case 'm':
			a->req.method = optarg;
			break;
		case 'n':
			a->req.name = optarg;
			break;
		case 'p':
			a->req.phone = optarg;
			break;
		case OPT_BALANCE:
			*balance = optarg;
			break;
		case OPT_REF:
			a->req.ref = optarg;
			break;
		case OPT_REMARK:
			a->req.remark = optarg;
			break;
		case OPT_ADD_METER:
			*add = 1;
			break;
		default:
			if (!tool_option(t, ch, optarg))
				tool_usage(t);
		}
	}
}

/* The operands METER ... as one "m1;m2" list. */
static void
join_meters(struct tool *t, int argc, char **argv, char meters[PP_LISTMAX])
{
	size_t at = 0;
	int i;

	for (i = 0; i < argc; i++) {
		if (strlen(argv[i]) + at + 2 > PP_LISTMAX)
			tool_die(t, PP_EDATA, "too many meters");
		at += (size_t)snprintf(meters + at, PP_LISTMAX - at, "%s%s",
		    i ? ";" : "", argv[i]);
	}
}

int
main(int argc, char **argv)
{
	struct tool t;
	struct open_args a;
	const char *balance = NULL;
	char meters[PP_LISTMAX];
	int add = 0;

	tool_init(&t, "acct-open", usage, argc, argv);
	memset(&a, 0, sizeof(a));
	a.req.method = "transfer";
	open_options(&t, &a, &balance, &add, argc, argv);
	argc -= optind;
	argv += optind;
	t.audit = 1;
	t.print = print_account;
	t.columns = columns;
	t.ncolumns = sizeof(columns) / sizeof(columns[0]);
	if (add) {
		if (argc != 2 || a.req.name || balance)
			tool_usage(&t);
		a.add_account = argv[0];
		a.add_meter = argv[1];
	} else if (a.req.name == NULL) {
		/* No name: the operand is a list of accounts to open. */
		if (argc != 1 || a.req.account || a.req.phone || balance ||
		    a.req.ref)
			tool_usage(&t);
		tool_open(&t, PP_ACT_ACCT_OPEN, 0);
		tool_exit(&t, tool_batch(&t, argv[0], open_row, &a));
	} else {
		if (argc < 1)
			tool_usage(&t);
		join_meters(&t, argc, argv, meters);
		a.req.meters = meters;
		if (balance)
			a.req.balance = tool_amount(&t, balance);
	}
	tool_open(&t, PP_ACT_ACCT_OPEN, 0);
	tool_exit(&t, tool_single(&t, open_one, &a));
}
