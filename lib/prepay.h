/*
 * prepay.h: the public API of libprepay.
 *
 * Every function that can fail returns one of the PP_* status codes below,
 * which are also the tools' exit codes, and leaves a one-line reason that
 * the caller can print: pp_errmsg() for calls that take a database, or the
 * err buffer for the parsers that do not.  The library never prints and
 * never exits.
 */
#ifndef PREPAY_H
#define PREPAY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define PP_VERSION "0.1.0"

/* Status codes, equal to the exit codes of doc/design.md, "Conventions". */
enum {
	PP_OK = 0,
	PP_ERULE = 1,		/* refused by a business rule */
	PP_EUSAGE = 64,
	PP_EDATA = 65,		/* bad input, unknown account, meter or serial */
	PP_ENOINPUT = 66,	/* missing database or input file */
	PP_EUNREACH = 69,
	PP_EINTERNAL = 70,
	PP_EBUSY = 75,		/* locked past the timeout, or command pending */
	PP_EPERM = 77,
	PP_ECONFIG = 78		/* bad site file or profile */
};

#define PP_ERRMAX	512

/* Field limits, in bytes; longer input is refused, never cut. */
#define PP_KEYMAX	33	/* account, meter, room, building, serial */
#define PP_NAMEMAX	97	/* a person's name: 32 CJK characters */
#define PP_REFMAX	65
#define PP_TEXTMAX	257	/* remark, reason */
#define PP_LISTMAX	1024	/* "meter;meter;..." */

/* ---- money.c: fen, prices, energy, RMB uppercase ---------------------- */

#define PP_NUMBUF	32

enum { PP_MONEY_SIGNED = 1 };

/*
 * Parse an amount in yuan ("12", "12.3", "12.30", full-width digits and
 * the full-width point accepted) into fen.  Amounts above max are refused;
 * max < 0 means no limit beyond int64.  A minus sign is accepted only with
 * PP_MONEY_SIGNED.
 */
int	 pp_money_parse(const char *s, int flags, int64_t max, int64_t *fen,
	    char *err, size_t errlen);
/* Exactly two decimals: "-12.30". */
char	*pp_money_format(int64_t fen, char buf[PP_NUMBUF]);
/* Prices are integers of 0.0001 yuan/kWh: "0.5380" is 5380. */
int	 pp_price_parse(const char *s, int64_t *price, char *err, size_t errlen);
/* Energy is integer Wh; kWh are entered with at most 3 decimals. */
int	 pp_energy_parse(const char *s, int64_t *wh, char *err, size_t errlen);
/* A plain whole number, optionally signed, within [min, max]. */
int	 pp_int_parse(const char *s, int64_t min, int64_t max, int64_t *v,
	    char *err, size_t errlen);

/* ---- time.c ----------------------------------------------------------- */

#define PP_TIMEBUF	32

/*
 * Parse local time in one of YYYY, YYYY-MM, YYYY-MM-DD,
 * YYYY-MM-DD HH:MM or YYYY-MM-DD HH:MM:SS into Unix seconds.
 */
int	 pp_time_parse(const char *s, int64_t *t, char *err, size_t errlen);
/* Local "YYYY-MM-DD HH:MM:SS". */
char	*pp_time_format(int64_t t, char buf[PP_TIMEBUF]);
/*
 * Now, in Unix seconds: the one clock of the library.  PREPAY_NOW (Unix
 * seconds or local YYYY-MM-DD HH:MM:SS) fixes it, for tests only; it is
 * read with secure_getenv, so setgid callers outside the group cannot.
 */
int64_t	 pp_now(void);
/* PP_OK unless PREPAY_NOW is set and malformed (PP_EUSAGE, err says). */
int	 pp_now_check(char *err, size_t errlen);

/* ---- grow.c ----------------------------------------------------------- */

/*
 * Make *array (of elem-sized items, *cap of them) hold at least need
 * items, doubling.  PP_OK, or PP_EINTERNAL with *array unchanged.
 */
int	 pp_grow(void *array, size_t *cap, size_t need, size_t elem);

/* ---- privilege.c: the tools run setgid to the service group ----------- */

/*
 * Call once, first thing in main(): a setgid run keeps only harmless
 * variables, and those that choose files (PREPAY_PROFILES, PREPAY_KEYS)
 * only for root and the group's members.  See prepay(7).
 */
int	 pp_privilege_init(char *err, size_t errlen);
/*
 * Open a file the operator named (an input list, a receipt, --rejects)
 * with the caller's own group, never the service group's; path NULL: an
 * anonymous temporary file, tmpfile(3).
 */
FILE	*pp_fopen_caller(const char *path, const char *mode);

/* ---- text.c ----------------------------------------------------------- */


/*
 * The same in one of PP_QRING buffers of the calling thread's own, in
 * turn, for a message's arguments: at most PP_QRING of them in one call.
 */
#define PP_QRING	8
const char *pp_q(const char *s);
/*
 * A whole message made one safe line: every control character and
 * invalid byte escaped as by pp__quote (quotes left alone), cut only
 * where buf ends.  Returns buf.
 */
const char *pp_oneline(char *buf, size_t size, const char *s);

/* ---- csvio.c: CSV/TSV input lists, matched by column name ------------- */

typedef struct pp_csv pp_csv;

/*
 * Input is read a row at a time.  A row (or the header) longer than
 * PP_CSV_ROWMAX bytes, or a header of more than PP_CSV_COLMAX columns,
 * is bad data.
 */
#define PP_CSV_ROWMAX	(1024 * 1024)
#define PP_CSV_COLMAX	1024

/* Reads the header at once; a tab in the header line means TSV. */
int	 pp_csv_open(pp_csv **r, FILE *fp, const char *name, char *err,
	    size_t errlen);
/* 1: a row is ready; 0: end of input; otherwise a PP_* error. */
int	 pp_csv_next(pp_csv *r);
long	 pp_csv_line(const pp_csv *r);
int	 pp_csv_is_tsv(const pp_csv *r);
size_t	 pp_csv_ncolumns(const pp_csv *r);
const char *pp_csv_column(const pp_csv *r, size_t i);
const char *pp_csv_field(const pp_csv *r, size_t i);
const char *pp_csv_error(const pp_csv *r);
void	 pp_csv_close(pp_csv *r);

/* ---- output.c: csv, tsv, table and xlsx writers ----------------------- */

enum pp_format { PP_FMT_AUTO, PP_FMT_CSV, PP_FMT_TSV, PP_FMT_TABLE,
	PP_FMT_XLSX, PP_FMT_LIST };
/*
 * What a column holds, and so how a cell given by value is shown.  Numbers
 * align right and become numeric xlsx cells; a time is text there.
 */
enum pp_coltype {
	PP_COL_TEXT,
	PP_COL_INT,
	PP_COL_MONEY,	/* fen, "12.30" */
	PP_COL_KWH,	/* Wh, as kWh with 2 decimals */
	PP_COL_PRICE,	/* 0.0001 yuan/kWh, "0.5380" */
	PP_COL_TIME,	/* Unix seconds, local "YYYY-MM-DD HH:MM:SS" */
	PP_COL_VOLT,	/* 0.1 V, "220.1" */
	PP_COL_AMP	/* mA, "5.123" */
};

typedef struct pp_column {
	const char	*name;
	enum pp_coltype	 type;
} pp_column;

/*
 * One cell given by value: text, shown as it is, or else an integer in
 * its column's unit.  A cell not set is empty (a NULL of the database).
 */
typedef struct pp_cell {
	int		 set;
	int64_t		 i;
	const char	*s;
} pp_cell;

/* Room for any cell formatted by value (PP_NUMBUF, PP_TIMEBUF). */
#define PP_CELLBUF	32

typedef struct pp_out pp_out;

int	 pp_format_parse(const char *s, enum pp_format *fmt);
/*
 * Write rows to fp, or with PP_FMT_XLSX to the file xlsx_path.  PP_FMT_AUTO
 * is table when fp is a terminal and csv otherwise.  The columns are copied.
 */
int	 pp_out_open(pp_out **o, enum pp_format fmt, FILE *fp,
	    const char *xlsx_path, int bom, const pp_column *cols, size_t ncols,
	    char *err, size_t errlen);
/* values[ncols]; NULL prints as empty. */
int	 pp_out_row(pp_out *o, const char *const *values);
/*
 * Color and charts in table output.  A row's color shows only when the
 * table goes to a terminal and NO_COLOR is unset; the bars follow the
 * table, and other formats leave them out.
 */
enum pp_color { PP_COLOR_NONE = 0, PP_COLOR_DIM = 2, PP_COLOR_RED = 31,
	PP_COLOR_YELLOW = 33, PP_COLOR_MAGENTA = 35, PP_COLOR_CYAN = 36 };
/*
 * The language of the column heads (lang.c): English, the machine names;
 * Chinese where a person reads (table, list, xlsx) as a Chinese locale
 * asks; Chinese everywhere, CSV and TSV too, as --lang zh asks.
 */
enum pp_lang { PP_LANG_EN, PP_LANG_ZH_SCREEN, PP_LANG_ZH };
/* Before the first row: the heads' language. */
void	 pp_out_lang(pp_out *o, enum pp_lang lang);
/* Before the close: the xlsx sheet's name, and its Chinese one or NULL. */
void	 pp_out_sheet(pp_out *o, const char *name, const char *zh);
/* A column's or a report's Chinese name, or NULL when it has none. */
const char *pp_column_zh(const char *name);
const char *pp_report_zh(const char *name);
/* The language a locale asks for, from $LC_ALL, $LC_MESSAGES and $LANG. */
enum pp_lang pp_lang_locale(const char *lc_all, const char *lc_messages,
	    const char *lang);
/* --lang: "zh" or "en"; PP_EUSAGE for anything else. */
int	 pp_lang_parse(const char *s, enum pp_lang *lang);
/* Flushes what is buffered (table, xlsx) and frees o. */
int	 pp_out_close(pp_out *o, char *err, size_t errlen);
const char *pp_out_error(const pp_out *o);

/* ---- db.c ------------------------------------------------------------- */

typedef struct pp_db pp_db;

enum { PP_DB_CREATE = 1 };

/*
 * Open the database, creating it with PP_DB_CREATE, and migrate its schema.
 * path is a SQLite file, or a PostgreSQL database's URI (postgresql://...
 * or postgres://..., which must exist; PP_DB_CREATE makes its schema).
 * *db is set even on failure (except for lack of memory) so that
 * pp_errmsg() can tell why; close it with pp_db_close().  A handle is
 * used by one thread at a time: each thread opens its own.
 */
int	 pp_db_open(pp_db **db, const char *path, int flags);
/* Is path a PostgreSQL URI rather than a file? */
int	 pp_db_is_uri(const char *path);
void	 pp_db_close(pp_db *db);
/*
 * 1 when db's PostgreSQL server connection is gone (the server stopped,
 * restarted or failed over), seen between statements without a round
 * trip; never for a file.  A long-lived caller closes db and opens the
 * database again; nothing more can be written through it.
 */
int	 pp_db_lost(pp_db *db);
const char *pp_errmsg(const pp_db *db);
/* How long a writer waits for the lock, in milliseconds. */
void	 pp_db_set_timeout(pp_db *db, int ms);
/* The site's name from the site file ("" before the first load). */
const char *pp_site_name(pp_db *db, char *buf, size_t len);

/* ---- operator.c ------------------------------------------------------- */

enum pp_role { PP_ROLE_NONE, PP_ROLE_AUDITOR, PP_ROLE_POLLER,
	PP_ROLE_CASHIER, PP_ROLE_SUPERVISOR, PP_ROLE_ADMIN };
/*
 * What an entry point asks of the operator; the roles each needs are
 * doc/design.md, "Privilege".
 */
enum pp_action {
	PP_ACT_REPORT,		/* report: any operator */
	PP_ACT_METER_READ,	/* poll, import readings, discover */
	PP_ACT_ALARM_SCAN,
	PP_ACT_SALE, PP_ACT_REFUND, PP_ACT_ACCT_OPEN, PP_ACT_ACCT_CLOSE,
	PP_ACT_REVERSE, PP_ACT_METER_SWAP,
	PP_ACT_SITE_LOAD,
	PP_ACT_METER_CTL,	/* run meter-ctl at all; read needs no more */
	PP_ACT_BACKUP, PP_ACT_RESTORE,
	PP_ACT_MIGRATE,		/* copy the site into another database */
	/*
	 * Send the command named to a list of meters; flags has
	 * PP_CTL_ARREARS when every target says it is an arrears trip.
	 */
	PP_ACT_CONTROL,
	/* Send it to one meter; flags as in pp_ctl_req. */
	PP_ACT_CONTROL_METER
};

/*
 * Resolve the operator from the real uid's login, once, and check that
 * its role allows action (command and flags for the controls, else NULL
 * and 0).  PP_EPERM, with the message set, when the login is no
 * operator or its role does not allow it.
 */
int	 pp_operator_may(pp_db *db, enum pp_action action,
	    const char *command, int flags);

/* ---- backup.c: online backups and their restore ----------------------- */

struct pp_backup {
	char	 path[1024];	/* DIR/prepay-YYYYMMDD-HHMMSS.db */
	int64_t	 time, bytes;
	int	 removed;	/* older backups removed */
};
/*
 * Back the live database up into dir, safely while others write, check
 * the copy's integrity, and remove the backups in dir taken more than
 * keep_days days before today (0: keep every one).
 */
int	 pp_backup(pp_db *db, const char *dir, int keep_days,
	    struct pp_backup *b);
/*
 * Replace the live database's content by the backup file's, when it
 * passes the integrity check and every check of report verify; the
 * caller's audit entry then goes into the restored database.
 */
int	 pp_backup_restore(pp_db *db, const char *file);
int	 pp_backup_restore_lost(const char *path, const char *file,
	    int *lost, char *err, size_t errlen);

/* ---- sitecopy.c: a site copied into another database ------------------ */

struct pp_site_table {
	char	 name[PP_KEYMAX];
	int64_t	 rows;
};
/*
 * Copy the whole site of src, one state of it however others write, into
 * dst, an empty database of either engine, in one transaction (its
 * commit appends dst's audit entry, when pp_audit_begin was called on
 * dst).  The login must be an admin of src, and of the copy as dst knows
 * it.  *tables (free it) lists the tables copied, in the order copied.
 * PP_EDATA when dst has rows or the two schemas differ; the message is
 * dst's, and names the source's failures as such.
 */
int	 pp_site_copy(pp_db *src, pp_db *dst, struct pp_site_table **tables,
	    size_t *ntables);

/* ---- audit.c ---------------------------------------------------------- */

/*
 * From now on, every transaction on db that changes something appends
 * its audit entry (this tool, these arguments, exit 0 and a summary of
 * the change) inside itself, just before it commits.
 */
int	 pp_audit_begin(pp_db *db, const char *tool, int argc,
	    char *const *argv);
/* The number of entries this handle's transactions have appended. */
int	 pp_audit_wrote(const pp_db *db);
/*
 * Append an entry, in its own transaction, for a run that changed
 * nothing: a refusal and its exit code, say.
 */
int	 pp_audit_record(pp_db *db, int exitcode, const char *summary);

/* ---- site.c: the YAML site file and bulk meter import ------------------ */

struct pp_load_stats {
	long	buildings, gateways, meters, tariffs, operators, settings;
	long	changed;	/* rows inserted or changed */
};

/* Validate the whole file first; on any error nothing is written. */
int	 pp_site_load(pp_db *db, const char *path, struct pp_load_stats *st);
/* One row of a meters CSV (see site-load(1)); inside a transaction. */
int	 pp_meter_import_row(pp_db *db, const pp_csv *row, int *changed);

/* ---- batch.c: input lists, all-or-nothing or row by row --------------- */

struct pp_batch_spec {
	int	  each;		/* commit row by row */
	/* Do one row's work; the batch runs it inside a savepoint. */
	int	(*apply)(pp_db *db, const pp_csv *row, void *arg);
	/* The row's work stands (--each: committed; else: pending commit). */
	void	(*accepted)(void *arg);
	/* The row was refused; msg is the reason. */
	void	(*rejected)(void *arg, const pp_csv *row, int code,
		    const char *msg);
	/*
	 * apply refuses a row only before its first write, and fails after
	 * it only as the database does (which stops the batch), so the row
	 * needs no savepoint of its own.
	 */
	int	  checked_first;
};

struct pp_batch_result {
	long	rows, accepted, rejected;
	int	committed;	/* the accepted rows are in the database */
	int	broken;		/* the input could not be read to its end */
};

/*
 * Run every row of in.  Without each, one transaction holds all rows and
 * is committed only when no row failed.  Returns PP_OK, PP_EDATA when rows
 * were rejected, or the error that stopped the batch.
 */
int	 pp_batch_run(pp_db *db, pp_csv *in, const struct pp_batch_spec *spec,
	    void *arg, struct pp_batch_result *res);

/* ---- account.c and ledger.c: accounts and money ------------------------ */

enum pp_target { PP_TARGET_ANY, PP_TARGET_ACCOUNT, PP_TARGET_METER,
	PP_TARGET_ROOM };

/* One money row as it is printed and put on a receipt. */
typedef struct pp_entry {
	int64_t	id;
	char	serial[PP_KEYMAX];
	int64_t	time;
	char	kind[16];
	char	account[PP_KEYMAX];
	char	name[PP_NAMEMAX];
	char	phone[PP_KEYMAX];
	char	meter[PP_LISTMAX];	/* the wallet meter, or all meters */
	char	room[PP_LISTMAX];
	int64_t	amount;			/* signed fen */
	char	method[16];
	char	ref[PP_REFMAX];
	char	operator[PP_KEYMAX];
	char	operator_name[PP_NAMEMAX];	/* its display name, or "" */
	char	remark[PP_TEXTMAX];
	char	reverses[PP_KEYMAX];	/* the serial this row reverses */
	int64_t	balance;		/* after this row */
	int64_t	buy_count;		/* purchase count, 0 when none */
	int	pending;		/* a recharge command waits */
	int64_t	command_id;		/* that command */
	int	replayed;		/* --ref seen before: original result */
	/*
	 * After delivery (pp_hall_deliver): how many meters tripped for
	 * arrears this sale closed, and those whose close still waits.
	 */
	int	closed;
	char	closing[PP_LISTMAX];
} pp_entry;

struct pp_open_req {
	const char	*account;	/* NULL: generate */
	const char	*name;
	const char	*phone;
	const char	*meters;	/* "m1;m2" */
	int64_t		 balance;	/* opening balance, fen */
	const char	*method;
	const char	*ref;
	const char	*remark;
};

struct pp_money_req {
	const char	*target;
	enum pp_target	 target_kind;
	int64_t		 amount;	/* fen, > 0 */
	const char	*method;
	const char	*ref;
	const char	*remark;
};

/*
 * These work inside the caller's transaction (pp__tx_begin) and either do
 * all of their work or none of it.
 */
int	 pp_account_open(pp_db *db, const struct pp_open_req *req,
	    pp_entry *out);
int	 pp_account_add_meter(pp_db *db, const char *account,
	    const char *meter, pp_entry *out);
/*
 * meter_balance: what the account's own-wallet meter holds (read, or
 * given), which is the refund, taken off the meter as a negative
 * recharge; PP_NO_WALLET for an account whose meters keep no wallet.
 */
#define PP_NO_WALLET	INT64_MIN
int	 pp_sale(pp_db *db, const struct pp_money_req *req, pp_entry *out);
int	 pp_refund(pp_db *db, const struct pp_money_req *req, pp_entry *out);
int	 pp_reverse(pp_db *db, const char *serial, const char *reason,
	    pp_entry *out);

/* ---- order.c, paynotify.c: online payment ------------------------------ */

/*
 * An order of an online payment (doc/design.md, "Money"): made when a
 * resident asks to pay, paid only by the platform's verified notice.
 */
#define PP_TRADE_NOMAX	33	/* out_trade_no: 32 hex digits */
#define PP_URLMAX	1024	/* the address a resident opens to pay */
struct pp_order {
	char	out_trade_no[PP_TRADE_NOMAX];
	char	account[PP_KEYMAX];
	char	channel[8];		/* wechat, alipay */
	int64_t	amount;			/* fen */
	char	state[12];	/* created paid refund_due refunded closed */
	int64_t	created, paid;		/* paid: 0 when not */
	char	transaction_id[PP_REFMAX];	/* "" when none */
	char	serial[PP_KEYMAX];	/* its sale's, "" when none */
	int64_t	requested;		/* asked of the platform, 0: not */
	char	pay_url[PP_URLMAX];	/* the platform's answer, "" */
	char	refund_id[PP_REFMAX];	/* the platform's refund, "" */
	int64_t	refunded;		/* refunded through it, 0: not */
	char	refunded_by[PP_KEYMAX];	/* the operator, "" */
};

#define PP_ORDER_NCOLS	14
extern const pp_column pp_order_columns[PP_ORDER_NCOLS];
struct pp_order_text {
	char	cell[PP_ORDER_NCOLS][PP_CELLBUF];
};
void	 pp_order_values(const struct pp_order *o, struct pp_order_text *t,
	    const char *values[PP_ORDER_NCOLS]);

/*
 * Make an order, in its own transaction: the account open, the channel
 * one the site's payments: configure, the amount within max_sale and
 * max_balance; out_trade_no from the system's random source.
 */
int	 pp_order_make(pp_db *db, const char *account, const char *channel,
	    int64_t amount, struct pp_order *out);
/* An order by its out_trade_no: PP_EDATA when there is none. */
int	 pp_order_get(pp_db *db, const char *out_trade_no,
	    struct pp_order *out);

/*
 * What became of a platform's notification (paynotify.c): paid, a copy
 * of one that paid already, or why it was refused.  Every refusal writes
 * nothing to the ledger and is counted in pay_refusals; a closed
 * account's order is marked refund_due.
 */
enum pp_pay_code { PP_PAY_PAID, PP_PAY_DUPLICATE, PP_PAY_CONFIG,
	PP_PAY_MALFORMED, PP_PAY_STALE, PP_PAY_UNKNOWN_SERIAL,
	PP_PAY_BAD_SIGNATURE, PP_PAY_UNDECRYPTABLE, PP_PAY_MERCHANT,
	PP_PAY_NOT_SUCCESS, PP_PAY_UNKNOWN_ORDER, PP_PAY_AMOUNT,
	PP_PAY_ORDER_STATE, PP_PAY_CLOSED_ACCOUNT, PP_PAY_REFUSED };
/* The code as one word: paid, duplicate, bad_signature, ... */
const char *pp_pay_code_name(enum pp_pay_code code);

struct pp_pay_result {
	enum pp_pay_code code;
	char		 reason[PP_ERRMAX];	/* one line, no secret */
	struct pp_order	 order;		/* when it names a known order */
	pp_entry	 entry;		/* the sale, paid or duplicate */
	char		 deliver[PP_ERRMAX];	/* what the recharge did */
};

/* A WeChat Pay API v3 notification: its headers' values, its raw body. */
struct pp_wechat_notice {
	const char	*timestamp, *nonce, *signature, *serial;
	const char	*body;
	size_t		 len;
};

/*
 * Check a notification and post its sale, once, as operator web:wechat
 * or web:alipay.  PP_OK: paid, or a duplicate of one that paid; on a
 * refusal PP_EDATA (the notice is wrong), PP_ERULE (the order cannot be
 * paid: a closed account, a paid or closed order, a sale refused),
 * PP_ECONFIG (the site's payments: or a key file), with r->code and
 * r->reason, also as the error message, "CODE: why".
 */
int	 pp_pay_wechat(pp_db *db, const struct pp_wechat_notice *n,
	    struct pp_pay_result *r);
/* An Alipay notification, its form-encoded body. */
int	 pp_pay_alipay(pp_db *db, const char *body, size_t len,
	    struct pp_pay_result *r);

/* ---- payrequest.c: a payment asked of the platform -------------------- */

struct pp_pay_request {
	struct pp_order	order;		/* the order, its pay_url kept */
	char	pay_url[PP_URLMAX];	/* WeChat's h5_url, Alipay's qr_code */
	char	prepay_id[PP_REFMAX];	/* WeChat's, "" when none */
};

/*
 * Ask the order's platform for a payment (doc/design.md, "Residents"):
 * WeChat Pay API v3 H5 or Alipay's precreate, signed with the merchant's
 * key, over HTTPS (libcurl: 5 s to connect, 15 s in all).  The answer
 * must be signed by the platform's key; its address is kept on the order.
 * The order must be created and its account open.  client_addr: the
 * resident's address, NULL for this machine's.  PP_EUNREACH: the platform
 * did not answer; PP_ERULE: it refused (its code and message said);
 * PP_EDATA: its answer is unsigned, wrongly signed or malformed;
 * PP_ECONFIG: the site's payments:.  The order stays created, to be asked
 * again.
 */
int	 pp_order_request(pp_db *db, const char *out_trade_no,
	    const char *client_addr, struct pp_pay_request *out);

/*
 * Refund through its platform an order paid for a closed account
 * (refund_due; doc/design.md, "Money"): WeChat Pay API v3's domestic
 * refund or Alipay's alipay.trade.refund, of the whole amount, signed as
 * pp_order_request's are, its number "R" and the out_trade_no so that
 * asking again is the same refund.  Done: the order is refunded, with the
 * refund's id, the time and the operator, audited; on its way (WeChat's
 * PROCESSING): it stays refund_due with the refund's id, done = 0, and is
 * asked again later.  reason: to the platform, NULL for the default.
 * Errors as pp_order_request's, nothing written; PP_ERULE too for an order
 * that is not refund_due.  The money never entered the ledger, and
 * nothing leaves it.
 */
struct pp_order_refund {
	struct pp_order	order;		/* as it is now */
	int		done;		/* 0: the platform is processing it */
};
int	 pp_order_refund(pp_db *db, const char *out_trade_no,
	    const char *reason, struct pp_order_refund *out);

/* ---- serial.c: the receipt number ------------------------------------ */

/* PP_OK when s is a receipt number: YYYYMMDD and a 6-digit sequence. */
int	 pp_serial_check(const char *s);

/* ---- batch.c: what a row of a list asks for ---------------------------- */

/*
 * A row of a sale or refund list: the first of its account, meter and
 * room columns that has a value, its amount, and its method, ref and
 * remark over those of dflt.  PP_EDATA, with the message set, for a bad
 * row.  req points into the row.
 */
int	 pp_money_row(pp_db *db, const pp_csv *row,
	    const struct pp_money_req *dflt, struct pp_money_req *req);
/* A row of acct-open's list: name and meter required. */
int	 pp_open_row(pp_db *db, const pp_csv *row,
	    const struct pp_open_req *dflt, struct pp_open_req *req);
/* A row of reverse's list: reverse its serial. */
int	 pp_reverse_row(pp_db *db, const pp_csv *row, const char *reason,
	    pp_entry *out);
/*
 * A row of meter-ctl's list: the first of its meter, account and room
 * columns that has a value (*by is that column), and whether its alarm
 * column says arrears.  PP_EDATA when it names none.
 */
int	 pp_ctl_row(const pp_csv *row, const char **by, const char **value,
	    int *arrears);

/* ---- hall.c: a cashier's money operation end to end -------------------- */

/* One request in its own transaction: all of its work or none. */
int	 pp_hall_post(pp_db *db, int (*run)(pp_db *, pp_entry *, void *),
	    void *arg, pp_entry *out);
/*
 * After an entry is committed: send its recharge to the meter's own
 * wallet now (e->pending is cleared when the meter confirmed it), and,
 * when a sale leaves nothing pending, the commands due on the account's
 * meters, so that paying up arrears closes the meters they cut off,
 * before the receipt: e->closed counts the meters closed, e->closing
 * lists those whose close is still pending ("m1;m2").  PP_OK; PP_EBUSY when the recharge stays pending; another code when the
 * meter refused it.  msg says what happened.
 */
int	 pp_hall_deliver(pp_db *db, pp_entry *e, char *msg,
	    size_t msglen);

struct pp_close_req {
	const char	*account, *method, *ref, *remark;
	int64_t		 meter_balance;	/* PP_NO_WALLET: read the meter */
};

/*
 * Close an account: read what its own-wallet meter holds, unless given,
 * and post the close (pp__account_close) in its own transaction.
 */
int	 pp_hall_close(pp_db *db, const struct pp_close_req *req,
	    pp_entry *out);

/* ---- statement.c: the daily statement check (对账) ---------------------- */

enum pp_channel { PP_CHANNEL_WECHAT, PP_CHANNEL_ALIPAY };

struct pp_stmt_req {
	enum pp_channel	 channel;
	FILE		*fp;	/* the statement as the platform gave it */
	const char	*name;	/* its file name, for messages */
	int64_t		 day;	/* any time of the day; -1: the statement's */
	int		 apply;	/* post the payments missing from the ledger */
};

/* A difference between the statement and the books. */
struct pp_stmt_diff {
	char	diff[24];	/* missing, posted, unknown_order, ... */
	char	method[16];	/* wechat or alipay */
	int64_t	time;		/* the platform's, else the ledger's */
	char	ref[PP_REFMAX];	/* the platform's transaction or refund id */
	char	out_trade_no[PP_REFMAX];
	char	account[PP_KEYMAX];
	int64_t	statement_amount;	/* fen; PP_NO_AMOUNT when none */
	int64_t	ledger_amount;
	char	serial[PP_KEYMAX];
	char	note[PP_TEXTMAX];
};
#define PP_NO_AMOUNT	INT64_MIN

struct pp_stmt_result {
	int64_t			 day;		/* local midnight checked */
	long			 payments, refunds;	/* rows of the statement */
	long			 agreed, posted;
	struct pp_stmt_diff	*diffs;
	size_t			 ndiffs, capdiffs;
};

#define PP_STMT_NCOLS	10
extern const pp_column pp_stmt_columns[PP_STMT_NCOLS];
struct pp_stmt_text {
	char	cell[PP_STMT_NCOLS][PP_CELLBUF];
};
void	 pp_stmt_values(const struct pp_stmt_diff *d, struct pp_stmt_text *text,
	    const char *values[PP_STMT_NCOLS]);

/*
 * Read a day's statement whole, and only then compare it with the ledger
 * and the orders; with apply, post each payment missing from the ledger
 * as a sale to its order's account, each in its own transaction, as sale
 * does.  PP_OK, with res->diffs listing what disagrees (free it with
 * pp_stmt_free); PP_EDATA, with nothing written, for a statement that is
 * not one.
 */
int	 pp_statement_check(pp_db *db, const struct pp_stmt_req *req,
	    struct pp_stmt_result *res);
void	 pp_stmt_free(struct pp_stmt_result *res);

/* ---- command.c: remote commands to meters ------------------------------ */

/*
 * PP_CTL_BULK: the meter is one of a selection (a building, every meter,
 * a list), not named by itself: a trip then waits for the end of the
 * friendly hours, as an arrears trip does, unless PP_CTL_FORCE.
 */
enum { PP_CTL_FORCE = 1, PP_CTL_ARREARS = 2, PP_CTL_BULK = 4 };

struct pp_ctl_req {
	const char	*action;	/* trip, close, keep, ... */
	const char	*meter;
	int		 flags;
	int64_t		 price;		/* -1: the meter's tariff */
	int64_t		 alarm1, alarm2, overload_w;	/* -1: configured */
	const char	*reason;
	int		 wait_ms;	/* for the bus lock */
};

/* What became of a command meter-ctl sent. */
enum pp_ctl_outcome { PP_CTL_DONE, PP_CTL_PENDING, PP_CTL_REFUSED,
	PP_CTL_FAILED };

/* One row of meter-ctl's output. */
struct pp_ctl_result {
	char	meter[PP_KEYMAX];
	char	action[16];
	enum pp_ctl_outcome result;
	char	message[PP_ERRMAX];
	/*
	 * Why it failed, when the site must act: PP_EPERM, the meter
	 * refused the password; PP_ECONFIG, the key file has none for it.
	 */
	int	code;
};

#define PP_CTL_NCOLS	4
extern const pp_column pp_ctl_columns[PP_CTL_NCOLS];
/* Text for each column of a result; values[] points into r. */
void	 pp_ctl_result_values(const struct pp_ctl_result *r,
	    const char *values[PP_CTL_NCOLS]);

/*
 * Queue a command for a meter and try it at once.  The result says what
 * became of it; the return is PP_OK unless the database failed.
 */
int	 pp_meter_ctl(pp_db *db, const struct pp_ctl_req *req,
	    struct pp_ctl_result *out);
/* PP_OK for an action meter-ctl sends (not read). */
int	 pp_action_check(const char *action);

/*
 * The meter numbers a target names: by "meter", "account" (its meters),
 * "room" (ROOM or BUILDING/ROOM), "building" (with floor, or NULL), or
 * "all".  *list is malloc'd.
 */
int	 pp_meters_of(pp_db *db, const char *by, const char *value,
	    const char *floor, char (**list)[PP_KEYMAX], int *n);



/*
 * Ask a DL/T 645 bus who is there (0x13 to AAAAAAAAAAAA): the one meter
 * attached answers with its address, as when a bus is commissioned.  The
 * row is gateway, address and the site's meter of that address (empty
 * when none).  PP_EUNREACH when nobody answers or several do at once;
 * PP_EDATA for no such gateway or a Modbus one.
 */
#define PP_DISCOVER_NCOLS	3
extern const pp_column pp_discover_columns[PP_DISCOVER_NCOLS];
int	 pp_meter_discover(pp_db *db, const char *gateway, int wait_ms,
	    char text[PP_DISCOVER_NCOLS][PP_NUMBUF * 2]);

/* How a meter last answered. */
enum pp_link { PP_LINK_NONE, PP_LINK_UNKNOWN, PP_LINK_OK, PP_LINK_BUSY,
	PP_LINK_TIMEOUT, PP_LINK_ERROR, PP_LINK_LOST };

enum pp_relay { PP_RELAY_TRIPPED, PP_RELAY_CLOSED };
enum pp_meter_mode { PP_MODE_MANUAL, PP_MODE_PREPAY };

/* The values a meter shows; has says which it gave (1 << PP_MV_...). */
enum pp_mv { PP_MV_ENERGY, PP_MV_IMPORT, PP_MV_PEAK, PP_MV_VALLEY,
	PP_MV_POWER, PP_MV_VOLTAGE, PP_MV_CURRENT, PP_MV_PF, PP_MV_FREQ,
	PP_MV_BALANCE, PP_MV_BUY_COUNT, PP_MV_RELAY, PP_MV_KEEP, PP_MV_MODE,
	PP_MV_STATUS, PP_MV_PRICE, PP_MV_ALARM1, PP_MV_ALARM2,
	PP_MV_OVERLOAD, PP_MV_CLOCK, PP_MV_COUNT };

struct pp_meter_values {
	unsigned	 has;
	int64_t		 energy_wh, import_wh, peak_wh, valley_wh;
	int64_t		 power_w;
	/* In the units of the value's factor (profile.c): 0.1 V, ... */
	int64_t		 voltage, current, pf, freq;
	int64_t		 balance;		/* fen */
	int64_t		 buy_count;
	enum pp_relay	 relay;
	int		 keep;			/* keep-power is on */
	enum pp_meter_mode mode;
	int64_t		 status;		/* the status word */
	int64_t		 price;			/* 0.0001 yuan/kWh */
	int64_t		 alarm1, alarm2;	/* fen */
	int64_t		 overload_w;
	int64_t		 clock;			/* the meter's, Unix seconds */
};

/* Every value a meter shows, read now: meter-ctl read. */
#define PP_STATE_NCOLS	25
extern const pp_column pp_state_columns[PP_STATE_NCOLS];

struct pp_meter_state {
	int64_t		 time;			/* 0: not read */
	char		 meter[PP_KEYMAX];
	char		 gateway[PP_KEYMAX];
	enum pp_link	 state;
	struct pp_meter_values values;
	char		 message[PP_ERRMAX];
};

/* Text for each column of a state; values[] points into text. */
struct pp_state_text {
	char	col[PP_STATE_NCOLS][PP_NUMBUF * 2];
};
int	 pp_meter_state(pp_db *db, const char *meter, int wait_ms,
	    struct pp_meter_state *out);
void	 pp_meter_state_values(const struct pp_meter_state *s,
	    struct pp_state_text *text, const char *values[PP_STATE_NCOLS]);

/* ---- poll.c: polling the buses ----------------------------------------- */

struct pp_poll_row;

struct pp_poll_opts {
	/*
	 * The host polling: its gateways are those the site names it for
	 * (prepay.yaml(5) poller:) and those it names no poller for.  NULL:
	 * this host's name (pp_poller_default).
	 */
	const char	*poller;
	const char *const *gateways;	/* NULL: every gateway */
	int		 ngateways;
	const char	*building;	/* NULL: every building */
	const char *const *meters;	/* NULL: every meter */
	int		 nmeters;
	int		 jobs;		/* buses at once; 0: all */
	int		 wait_ms;	/* for each bus's lock */
	int		 all_values;	/* every value, not the fast class */
	/* Called as buses finish, one call at a time. */
	void		(*progress)(void *arg, int done, int total);
	void		*arg;
	/* pp_poll_every: a bus's cycle, as it is written; one at a time. */
	void		(*cycle)(void *arg, const struct pp_poll_row *rows,
			    size_t nrows);
};

#define PP_POLL_NCOLS	12
extern const pp_column pp_poll_columns[PP_POLL_NCOLS];

/* One meter's line of meter-read. */
struct pp_poll_row {
	int64_t		 time;
	char		 meter[PP_KEYMAX];
	char		 gateway[PP_KEYMAX];
	enum pp_link	 state;
	/* energy, power, voltage, current, balance, buy count, relay */
	struct pp_meter_values values;
	char		 error[PP_ERRMAX];
	int		 ok;			/* the meter answered */
};

/* Text for each column of a poll row; values[] points into text. */
struct pp_poll_text {
	char	col[PP_POLL_NCOLS][72];
};
void	 pp_poll_row_values(const struct pp_poll_row *r,
	    struct pp_poll_text *text, const char *values[PP_POLL_NCOLS]);

/*
 * Poll the chosen meters: each bus in its own worker, its due commands
 * first, then its meters in turn; its readings, states and the daily
 * roll-up in one transaction.  rows are malloc'd, in site order.  When
 * a bus could not store its poll, the error is returned, and rows still
 * holds the other buses' rows, which are committed.
 */
int	 pp_poll(pp_db *db, const struct pp_poll_opts *o,
	    struct pp_poll_row **rows, size_t *nrows);
/*
 * Poll continuously: a worker for each bus polls it cycle after cycle,
 * starting a cycle at most every `every' seconds (not waiting when
 * PREPAY_NOW holds the clock), and hands each cycle's rows to o->cycle
 * as it is written.  Between meters it runs the bus's commands queued
 * meanwhile and lets go of the bus for a process waiting at its
 * turnstile; between cycles it does not hold the bus.  Once stop_fd is
 * readable (a signalfd, a self-pipe), each worker writes what it read in
 * its cycle and ends.  *cycles: the buses' cycles written.
 */
int	 pp_poll_every(pp_db *db, const struct pp_poll_opts *o, int every,
	    int stop_fd, long *cycles);
/* The site's poll_seconds: a continuous poll's pace; 0: none. */
int64_t	 pp_poll_seconds(pp_db *db);
/* The poll interval when the site sets no poll_minutes. */
#define PP_POLL_MINUTES	30
/*
 * *due: no poll of every meter has started yet in the current slot of
 * poll_minutes, slots counted from local midnight; *slot is its start.
 */
int	 pp_poll_due(pp_db *db, const char *poller, int *due, int64_t *slot);
/* This host's name, the poller a poll is by default. */
const char *pp_poller_default(char buf[PP_KEYMAX]);
/*
 * One manual reading (meter, time, energy_kwh[, balance]).  It refuses a
 * row before it writes (a batch's checked_first), as the next does.
 */
int	 pp_reading_import_row(pp_db *db, const pp_csv *row);
/*
 * onsite.c: one on-site reading of the same columns, kept apart: it
 * counts nothing, and report onsite compares it with the poll's record.
 */
int	 pp_onsite_import_row(pp_db *db, const pp_csv *row);

/* ---- alarm.c and notify.c: alarms and their notices --------------------- */

#define PP_ALARM_NCOLS	11
extern const pp_column pp_alarm_columns[PP_ALARM_NCOLS];

enum pp_alarm_kind { PP_ALARM_LOW1, PP_ALARM_LOW2, PP_ALARM_ARREARS,
	PP_ALARM_OVERLOAD, PP_ALARM_VOLTAGE, PP_ALARM_LOST, PP_ALARM_GATEWAY,
	PP_ALARM_MISMATCH, PP_ALARM_COUNTER, PP_ALARM_COMMAND,
	PP_ALARM_WATCHDOG, PP_ALARM_VERIFY, PP_ALARM_UNFUNDED,
	PP_ALARM_PAYMENT, PP_ALARM_BIND };

struct pp_alarm_row {
	int64_t		 time;			/* raised */
	int		 level;
	enum pp_alarm_kind kind;
	char		 meter[PP_KEYMAX];	/* "" for an account's or */
	char		 account[PP_KEYMAX];	/* a gateway's alarm */
	char		 name[PP_TEXTMAX];
	char		 phone[PP_TEXTMAX];
	char		 room[PP_TEXTMAX];
	int		 has_balance;
	int64_t		 balance;		/* fen */
	char		 value[PP_TEXTMAX];
	char		 message[PP_TEXTMAX];
};

/* Text for each column of an alarm row; values[] points into text or r. */
struct pp_alarm_text {
	char	time[PP_TIMEBUF], level[PP_NUMBUF], balance[PP_NUMBUF];
};
void	 pp_alarm_row_values(const struct pp_alarm_row *r,
	    struct pp_alarm_text *text, const char *values[PP_ALARM_NCOLS]);

struct pp_scan_opts {
	int		 all;		/* every standing alarm, not the new */
	const char	*kind;		/* only this kind, or NULL */
	/* The night's report verify: "fail" raises, "ok" clears; or NULL. */
	const char	*verify;
};

/*
 * Evaluate every meter, account and gateway in one transaction: raise
 * what is new, escalate the balance alarms, clear what has ended.  rows
 * are the new alarms (with all, the standing ones), a row per meter.
 */
int	 pp_alarm_scan(pp_db *db, const struct pp_scan_opts *o,
	    struct pp_alarm_row **rows, size_t *n);
/* PP_OK for a kind alarm-scan knows (low1, arrears, lost, ...). */
int	 pp_alarm_kind_check(const char *kind);

struct pp_notify_result {
	long	sent, failed;
};

/*
 * Run command once per notice still owed (the resident's, for the
 * balance alarms, and the manager's copy to sms_to), with the notice in
 * PREPAY_* variables; a notice that succeeds is never sent again.
 */
int	 pp_alarm_notify(pp_db *db, const char *command,
	    struct pp_notify_result *r);

/* ---- swap.c: replacing a meter ------------------------------------------ */

struct pp_swap_req {
	const char	*old_meter, *new_meter;
	int64_t		 final_wh;	/* -1: read the old meter */
	int64_t		 balance;	/* -1: read the old meter's wallet */
	int64_t		 opening_wh;	/* -1: read the new meter */
	int		 force;		/* a final reading below the last */
	const char	*reason;	/* NULL; required with force */
	int		 wait_ms;
};

/* What became of the old meter's own wallet. */
enum pp_swap_wallet {
	PP_SWAP_NONE,		/* billed to the account: no wallet */
	PP_SWAP_EMPTY,		/* it held 0.00: nothing to take off */
	PP_SWAP_ZEROED,		/* a negative recharge took it to 0.00 */
	PP_SWAP_TRIPPED,	/* that did not land: the meter is tripped */
	PP_SWAP_PENDING,	/* neither answered: both wait for meter-read */
	PP_SWAP_LIVE		/* neither can be done: a wallet still live */
};

/* One swap, as meter-swap prints it. */
struct pp_swap_result {
	char		 serial[PP_KEYMAX];	/* the first transfer row */
	int64_t		 time;
	char		 account[PP_KEYMAX];
	char		 old_meter[PP_KEYMAX], new_meter[PP_KEYMAX];
	int64_t		 last_wh;	/* INT64_MIN: never read */
	int64_t		 final_wh;
	int64_t		 used_wh;	/* counted since the last reading */
	int64_t		 cost_e7;	/* its price, charged to the account */
	int64_t		 moved;		/* fen into the new meter */
	int64_t		 opening_wh;	/* INT64_MIN: unknown */
	int64_t		 new_buy_count;	/* the new meter's recharge, or 0 */
	int		 new_pending;	/* that recharge waits */
	enum pp_swap_wallet old_wallet;
	char		 remark[PP_TEXTMAX];
	char		 message[PP_ERRMAX];	/* the wallet's story in words */
};

/*
 * Take the old meter's final reading (read now, or given) and charge its
 * last interval as a poll does; refuse a final reading below the last
 * stored one (PP_EDATA) unless req->force, with a reason.  Store the new
 * meter's opening reading, move the account and the balance to the new
 * meter with transfer rows, in one transaction; then send the new
 * meter's recharge and zero the old meter's wallet with a negative
 * recharge, or trip it when that does not land.
 */
int	 pp_meter_swap(pp_db *db, const struct pp_swap_req *req,
	    struct pp_swap_result *out);
#define PP_SWAP_NCOLS	14
extern const pp_column pp_swap_columns[PP_SWAP_NCOLS];
struct pp_swap_text {
	char	cell[PP_SWAP_NCOLS][PP_CELLBUF];
};
void	 pp_swap_values(const struct pp_swap_result *r,
	    struct pp_swap_text *text, const char *values[PP_SWAP_NCOLS]);
const char *pp_swap_wallet_name(enum pp_swap_wallet w);

/* ---- receipt.c -------------------------------------------------------- */

/*
 * Render a receipt from a template with @@ placeholders (NULL: the built-in
 * Chinese 预付电费收款票据), in `copies` labelled copies separated by form
 * feeds.  The result is malloc'd.
 */
int	 pp_receipt_render(const pp_entry *e, const char *site,
	    const char *tmpl, int copies, char **out, char *err,
	    size_t errlen);
/* Read a whole template file. */
int	 pp_receipt_load(const char *path, char **tmpl, char *err,
	    size_t errlen);

/* ---- report.c: the reports, as a table -------------------------------- */

/* The columns of a money row, as sale, refund, reverse and report print. */
#define PP_ENTRY_NCOLS	15
extern const pp_column pp_entry_columns[PP_ENTRY_NCOLS];

/* Text for each entry column; values[] points into text or into e. */
struct pp_entry_text {
	char	cell[PP_ENTRY_NCOLS][PP_CELLBUF];
};
void	 pp_entry_values(const pp_entry *e, struct pp_entry_text *text,
	    const char *values[PP_ENTRY_NCOLS]);

struct pp_report_opts {
	int64_t		 from, to;	/* INT64_MIN / INT64_MAX: open */
	const char	*by;		/* day, month, year; hour */
	const char	*per;		/* energy: building, floor, room */
	int		 by_operator, by_method;
	const char	*kind, *account, *meter, *login, *state;
	const char	*find;		/* accounts, balances: text to find */
	/* The operational reports. */
	const char	*building, *floor, *room;
	const char	*subject;	/* the operand: METER or ACCOUNT */
	const char	*month;		/* bill: YYYY-MM */
	int		 chart;		/* bars under the table */
	int		 open_only;	/* alarms: the standing ones */
	int		 gateways;	/* lost: gateways, not meters */
	const char	*anchor;	/* verify: an earlier run's heads */
	const char	*tolerance;	/* onsite: KWH, NULL: the default */
	enum pp_lang	 lang;		/* the heads' and the sheet's */
};

/* What a report takes after its name. */
enum pp_operand { PP_OPERAND_NONE, PP_OPERAND_METER, PP_OPERAND_ACCOUNT };

/* One report: its name, columns, query and abilities. */
typedef struct pp_report pp_report;

/* What a tool knows of a report. */
struct pp_report_info {
	const char	*name;
	const char	*synopsis;	/* its operand and options, report(1)'s */
	enum pp_operand	 operand;	/* given as opts->subject */
	int		 chart;		/* --chart draws bars under its table */
};

/* The report of that name (sales, txns, ...), or NULL. */
const pp_report *pp_report_find(const char *name);
/* The reports in report(1)'s order: the first after NULL; NULL at the end. */
const pp_report *pp_report_next(const pp_report *prev);
const struct pp_report_info *pp_report_info(const pp_report *rep);
/*
 * Run a report: it opens *o with its columns in the format asked for and
 * writes its rows.  The caller closes *o, when set, also after an error.
 * verify gives PP_ERULE when any invariant of doc/design.md, "Money"
 * fails; its rows end with the heads of both chains, and opts->anchor,
 * when set, is the output of an earlier run whose heads must still be
 * there unchanged.
 */
int	 pp_report_run(pp_db *db, const pp_report *rep,
	    const struct pp_report_opts *opts, pp_out **o, enum pp_format fmt,
	    FILE *fp, const char *xlsx_path, int bom);

/* ---- web.c, websession.c: prepay-web ----------------------------------- */

/* The server: started, it serves on its own threads until stopped. */
typedef struct pp_web pp_web;

struct pp_web_opts {
	const char	*dbpath;
	const char	*listen;	/* ADDR:PORT, [ADDR6]:PORT; NULL: */
					/* the config's, else 127.0.0.1:8080 */
	const char	*config;	/* a site file with web:, or NULL */
	int		 argc;		/* the invocation, audited */
	char *const	*argv;
	/* One line per refusal or failure, for the journal; no secret. */
	void		(*log)(void *arg, const char *line);
	void		*arg;
};

/*
 * Read the config, open the database, listen and serve.  PP_OK with *w
 * running; else err says why (PP_ECONFIG, PP_ENOINPUT, PP_EUNREACH for an
 * address that cannot be had).
 */
int	 pp_web_start(const struct pp_web_opts *o, pp_web **w, char *err,
	    size_t errlen);
/* The address it listens on, as ADDR:PORT ([ADDR6]:PORT). */
const char *pp_web_address(const pp_web *w);
/*
 * Stop accepting, let the requests in flight finish (10 s at most),
 * close the database handles and free w.
 */
void	 pp_web_stop(pp_web *w);

/*
 * Revoke bindings: all of an account's (account not NULL), and those of
 * the ids given, in one transaction; *removed counts them.  PP_EDATA,
 * nothing written, for an unknown account or binding.
 */
int	 pp_unbind(pp_db *db, const char *account, const int64_t *ids,
	    size_t nids, long *removed);

#endif /* PREPAY_H */
