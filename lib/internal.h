/*
 * internal.h: what the files of libprepay share and the tools never see.
 */
#ifndef PP_INTERNAL_H
#define PP_INTERNAL_H

#include <sqlite3.h>

#include "engine.h"
#include <stdarg.h>
#include <stdint.h>
#include <sys/types.h>
#include <yaml.h>

#include "prepay.h"
#include "codec.h"
#include "tariffspec.h"

/*
 * A prepared statement of the cache (db.c): the static string it was
 * prepared from, and its run count when pp__stmt() last lent it out.
 */
/* Statements of one query lent out before an idle one is taken back. */
#define PP_STMT_COPIES	4

struct pp__stmt_slot {
	const char	*sql;
	pp__st	*stmt;
	int		 lent_run;
};

struct pp_db {
	const struct pp__engine *engine;	/* engine.h; db.c chooses */
	sqlite3		*sql;		/* the SQLite engine's */
	/* The PostgreSQL engine's (engine-pg.c): its connection, last failure. */
	struct pg_conn	*pg;
	int		 pg_kind;
	char		 pg_err[PP_ERRMAX];
	int64_t		 pg_changes, pg_total_changes;
	long		 pg_statements;
	struct pg_stmt	*pg_stream;	/* the query whose rows are coming */
	int		 pg_queued;	/* writes sent, their results not read */
	int		 pg_held;	/* a failure of theirs, not yet told */
	char		 path[1024];
	char		 shown[1024];	/* path as messages name it */
	char		 err[PP_ERRMAX];
	int		 code;		/* the failure err tells */
	int		 timeout_ms;
	int64_t		 busy_since;	/* ms, monotonic: this wait's start */
	int		 in_tx;
	char		 login[PP_KEYMAX];
	enum pp_role	 role;
	struct pp__stmt_slot *cache;	/* grows; never evicts */
	size_t		 ncache, capcache;
	/*
	 * Facts one writer keeps for the length of a transaction (store.c's
	 * tariffs for a poll), freed by txfree when it commits, rolls back
	 * or the handle closes: never stale across transactions.
	 */
	void		*txdata;
	void		(*txfree)(void *);
	/* Profiles already found good in this process. */
	char		 profiles_ok[16][PP_KEYMAX];
	char		 profiles_protocol[16][16];
	int		 profiles_recharge[16];
	int		 nprofiles_ok;
	/*
	 * Called inside every transaction that changed something, just
	 * before its COMMIT (audit.c appends the audit entry there, so a
	 * change and its entry commit or vanish together).
	 */
	int		(*precommit)(pp_db *);
	int64_t		 changes_at_begin;
	/* The invocation each audit entry records (audit.c). */
	char		*audit_tool, *audit_args;
	int		 audited;	/* entries written by this handle */
	int64_t		 months_made;	/* pp__readings_months: year * 12 + month */
	struct pp__audit_tally {
		long	 entries;	/* ledger rows in this transaction */
		int64_t	 amount;
		char	 first[PP_KEYMAX], last[PP_KEYMAX];
		char	 one[160];	/* the only row, in words */
		char	 note[256];	/* what else the transaction did */
	}		 tally;
};

/*
 * privilege.c.  Elevated: running setgid to the service group.  Trusted:
 * root or the group's members (and everyone when not elevated).
 */
struct stat;
int	 pp__priv_elevated(void);
int	 pp__priv_trusted(void);
/* getenv for a variable that chooses a file: NULL when not trusted. */
const char *pp__priv_getenv(const char *name);
/* The effective group: the caller's own, then the service group again. */
void	 pp__priv_caller(void);
void	 pp__priv_service(void);
/* In a child before exec: give up the group for good; -1 on failure. */
int	 pp__priv_drop(void);
/* May the caller use the database at path (exists: it is there)? */
int	 pp__priv_check_db(const char *path, int exists, char *err,
	    size_t errlen);
/* A secret file: no access for others, no writes by the group. */
int	 pp__priv_check_secret(const char *path, const struct stat *sb,
	    char *err, size_t errlen);
/* Create a new database file 0660, whatever the umask. */
int	 pp__priv_create(const char *path, char *err, size_t errlen);
/* Open (creating 0660) a lock file that any login of the group takes. */
int	 pp__priv_lockfile(const char *path);

/* Set the error text and its code, and return the code. */
int	 pp__fail(pp_db *db, int code, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/*
 * The engine's last failure, as what: busy becomes PP_EBUSY, not
 * writable PP_ENOINPUT, a server lost PP_EUNREACH, the rest PP_EINTERNAL.
 */
int	 pp__sqlfail(pp_db *db, const char *what);
/*
 * The code of the failure the text tells: what a caller returns when a
 * call that set them gave no statement (pp__stmt, pp__prepare's NULL).
 */
int	 pp__errcode(const pp_db *db);

/*
 * A prepared statement for a static SQL string, reset and with its
 * bindings cleared.  NULL on failure, with the error set.
 */
pp__st *pp__stmt(pp_db *db, const char *sql);
/* The rows the last change changed; every row changed since the open. */
int64_t	 pp__changes(pp_db *db);
int64_t	 pp__total_changes(pp_db *db);
/* A number that moves when another connection commits (engine.h). */
int	 pp__data_version(pp_db *db, int64_t *v);
/*
 * db->sql opened on path for the SQLite engine (engine-sqlite.c):
 * PP__OK, or PP__EREADONLY when it could not be opened (db->sql says why
 * if set), or the pragmas' failure.
 */
int	 pp__sqlite_open(pp_db *db, const char *path, int create);
/*
 * lock.c: a named lock one process holds at a time: a flock on the file
 * dbpath.name.kind beside a SQLite database, or an advisory lock on the
 * PostgreSQL server dbpath names, on a connection of its own.  take waits
 * up to wait_ms: 0 held, EWOULDBLOCK another holds it, else an errno.
 */
struct pp__lock;
int	 pp__lock_open(const char *dbpath, const char *name, const char *kind,
	    struct pp__lock **lk, char *err, size_t errlen);
int	 pp__lock_take(struct pp__lock *lk, int wait_ms);
void	 pp__lock_release(struct pp__lock *lk);
/* Does another process hold it now? */
int	 pp__lock_held_elsewhere(struct pp__lock *lk);
void	 pp__lock_close(struct pp__lock *lk);

/* db->pg connected to uri (engine-pg.c): PP__OK, or the failure's kind. */
int	 pp__pg_open(pp_db *db, const char *uri);
/*
 * The readings' partitions of this month and the next made, where the
 * engine has them, once a month a handle lives and never inside a
 * transaction (making one locks the table a moment): a poller's month
 * finds its partition, not the DEFAULT one.
 */
int	 pp__readings_months(pp_db *db);
/* A connection that prints none of the server's notices (engine-pg.c). */
void	 pp__pg_quiet(struct pg_conn *pg);
/*
 * Statements made at run time, without parameters, run once and not
 * kept (pp__stmt keeps a static string's statement by its address).
 */
int	 pp__script(pp_db *db, const char *sql, const char *what);
/*
 * A statement made at run time that its caller runs many times, not
 * kept by the handle: pp__finalize it.  NULL on failure, the error set.
 */
pp__st	*pp__prepare(pp_db *db, const char *sql);
void	 pp__finalize(pp__st *st);
/* Run a statement that returns no rows, binding "i" int64, "t" text. */
int	 pp__exec(pp_db *db, const char *sql, const char *types, ...);
/*
 * The same for a write whose failure fails the whole transaction it is
 * in: the engine may send it with the next ones and tell its failure
 * later (engine.h, step_later), at the latest at pp__flush or at the
 * next statement that reads.  Outside a transaction, pp__exec.
 */
int	 pp__exec_later(pp_db *db, const char *sql, const char *types, ...);
int	 pp__flush(pp_db *db);
/* The first column of the first row as int64; PP_EDATA when no row. */
int	 pp__query_int(pp_db *db, int64_t *v, const char *sql,
	    const char *types, ...);
/* Bind "i" int64, "t" text (NULL binds NULL), "n" NULL. */
int	 pp__bindv(pp__st *st, const char *types, va_list ap);

int	 pp__savepoint(pp_db *db);
int	 pp__release(pp_db *db);
void	 pp__rollback_to(pp_db *db);

/* Copy at most size-1 bytes of a column into buf, "" for NULL. */
void	 pp__col_text(pp__st *st, int col, char *buf, size_t size);

/* SHA-256 of prev (hex or "") followed by text, as 64 hex digits. */
int	 pp__chain_hash(const char *prev, const char *text, char out[65]);
/* SHA-256 of text alone, as 64 hex digits. */
int	 pp__sha256_hex(const char *text, char out[65]);

/* v / 10^decimals with exactly that many decimals (money.c). */
char	*pp__scaled_format(int64_t v, int decimals, char buf[PP_NUMBUF]);

/*
 * paycrypto.c.  Base64 into a malloc'd buffer (PP_EDATA: it is none).
 * A SHA256withRSA signature, base64, of msg checked with the PEM public
 * key in the file pem: PP_EDATA when it does not verify, PP_ECONFIG when
 * the key cannot be read.  WeChat Pay's AEAD_AES_256_GCM resource opened
 * with the APIv3 key of keyfile (a secret, mode 0640 or stricter) into a
 * malloc'd text: PP_EDATA when it does not open.
 */
int	 pp__base64_decode(const char *s, size_t len, unsigned char **out,
	    size_t *outlen);
int	 pp__pay_verify(const char *pem, const void *msg, size_t len,
	    const char *sig64, char *err, size_t errlen);
int	 pp__pay_gcm_open(const char *keyfile, const char *nonce,
	    const char *aad, const char *cipher64, char **plain, char *err,
	    size_t errlen);
/*
 * msg signed SHA256withRSA by the PEM private key of keyfile (a secret,
 * mode 0640 or stricter), base64 into the malloc'd *sig64.
 */
int	 pp__pay_sign(const char *keyfile, const void *msg, size_t len,
	    char **sig64, char *err, size_t errlen);

/*
 * order.c: an order paid by a transaction and its sale, or marked
 * refund_due (its account closed), at time; only a created one.
 */
int	 pp__order_paid(pp_db *db, int64_t id, const char *txn,
	    int64_t ledger_id, int64_t time);
int	 pp__order_refund_due(pp_db *db, int64_t id, const char *txn,
	    int64_t time);
/*
 * An order as paying it needs it, with whether its account is open:
 * PP_EDATA, no message, when there is none.
 */
struct pp__order_held {
	int64_t	id, amount, ledger_id;
	char	channel[8], state[12], txn[PP_REFMAX], account[PP_KEYMAX];
	int	open;
};
int	 pp__order_hold(pp_db *db, const char *out_trade_no,
	    struct pp__order_held *h);

/*
 * paynotify.c: WeChat Pay's signed headers over a body, a notification's
 * or an answer's: fresh, of a serial the site knows, the signature right.
 * PP_OK, or the code (malformed, stale, unknown_serial, bad_signature,
 * config) and why.  Alipay's signed text: the pairs but sign (and, with
 * no_type, sign_type) and those of an empty value, sorted by key, as
 * key=value joined by &; malloc'd.
 */
int	 pp__wechat_check(pp_db *db, const struct pp_wechat_notice *n,
	    enum pp_pay_code *code, char *why, size_t whylen);
char	*pp__alipay_content(char *const *key, char *const *value, size_t n,
	    int no_type);

/* Money priced in 1e-7 yuan, in fen, rounded once (money.c). */
int64_t	 pp__fen_round(int64_t e7);

/* The next serial for the day of t, inside the writing transaction. */
int	 pp__serial_next(pp_db *db, int64_t t, char serial[PP_KEYMAX]);

/* The text an audit entry's hash covers (audit.c); malloc'd. */
int	 pp__audit_text(int64_t id, int64_t time, const char *login,
	    const char *tool, const char *args, int64_t exitcode,
	    const char *summary, const char *ledger_head, char **out);

/*
 * A new in-memory database holding the schema every migration builds:
 * what verify holds the real schema against.
 */
int	 pp__schema_reference(pp_db **ref);

/*
 * SHA-256 of what only site-load may change: the operators, the tariffs
 * and the settings.  site-load records it in its audit entry.
 */
int	 pp__site_digest(pp_db *db, char out[65]);

/*
 * Whether the account holding meter is in arrears as alarm-scan sees it:
 * its balance, or its meter wallet's, at or below zero.  *balance is that
 * balance; 0 with *arrears 0 when the meter is on no open account.
 */
int	 pp__meter_arrears(pp_db *db, int64_t meter_id, int *arrears,
	    int64_t *balance, char account[PP_KEYMAX]);

/*
 * Texts that verify.c reads back out of rows the hash chains cover: the
 * note of site-load's digest in its audit summary, and the remark of the
 * ledger row that records a cancelled recharge (its ordering serial).
 */
#define PP_SITE_DIGEST_NOTE	"site-digest "
/* The setting that names a WeChat Pay platform key's file, by serial. */
#define PP_PAY_PLATFORM_KEY	"pay.wechat.platform_key."
#define PP_CANCELLED_REMARK	"recharge %s of serial %s cancelled, kept on " \
	"the account: %.120s"
#define PP_CANCELLED_LIKE(serial) "'% of serial ' || " serial " || " \
	"' cancelled,%'"

/* onsite.c: a reading of a handheld list, checked (balance INT64_MIN: none). */
struct pp__hand_reading {
	int64_t	meter_id, time, energy_wh, balance;
};
int	 pp__hand_reading(pp_db *db, const pp_csv *row,
	    struct pp__hand_reading *h);

/* Count a ledger row into the transaction's audit summary. */
void	 pp__audit_count(pp_db *db, const char *kind, const char *serial,
	    const char *account, int64_t amount);
/* Add a phrase to the transaction's audit summary. */
void	 pp__audit_note(pp_db *db, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Audit what db does as another handle's invocation does (threads). */
int	 pp__audit_inherit(pp_db *db, const pp_db *from);

/* argv joined as sh(1) would quote it, for the audit log; malloc'd. */
int	 pp__audit_join(int argc, char *const *argv, char **out);
/* s with a database URI's password as *** (db.c); malloc'd, NULL: OOM. */
char	*pp__uri_masked(const char *s);

/* The method, ref and remark of a money request, checked (ledger.c). */
int	 pp__check_payment(pp_db *db, const char *method, const char *ref,
	    const char *remark);

/* One money row to append (ledger.c). */
struct pp__post {
	const char	*kind;
	int64_t		 account_id;
	int64_t		 meter_id;	/* 0: none */
	int64_t		 amount;	/* signed fen */
	const char	*method;
	const char	*ref;		/* NULL: none */
	int64_t		 reverses;	/* 0: none */
	const char	*remark;
	int64_t		 buy_count;	/* 0: none */
};

/* The fields of a ledger row that its hash covers, as stored. */
struct pp__ledger_row {
	int64_t		 id, time, account_id, meter_id, amount, reverses;
	int64_t		 buy_count, balance;
	const char	*serial, *kind, *method, *ref, *operator, *remark;
};

int	 pp__ledger_text(const struct pp__ledger_row *r, char **out);
/* Append a row and update the account's cached money; sets *id. */
int	 pp__ledger_post(pp_db *db, const struct pp__post *p, int64_t *id);
/*
 * The meters (and rooms) an account had at time t, joined with ';'.  In
 * the order they were first attached, a meter attached again (or a room
 * of two meters) listed once.  PP__ACCOUNT_LIST(col, account, t) is the
 * list of meters' col (m.meter, m.room) as SQL, of the SQL expressions
 * account and t, so that a query of many ledger rows (report txns) lists
 * each row's meters itself, not a statement a row.
 */
#define PP__ACCOUNT_LIST(col, account, t) \
	"(SELECT group_concat(v, ';') FROM (SELECT " col " AS v FROM " \
	"account_meters am JOIN meters m ON m.id = am.meter_id WHERE " \
	"am.account_id = " account " AND am.attached <= " t " AND " \
	"(am.detached IS NULL OR am.detached >= " t ") AND " col " <> '' " \
	"GROUP BY " col " ORDER BY min(am.rowid)) AS t)"
int	 pp__account_meters(pp_db *db, int64_t account_id, int64_t t,
	    char meters[PP_LISTMAX], char rooms[PP_LISTMAX]);
/*
 * A ledger row as an entry: PP__ENTRY_SQL with a WHERE of the caller's
 * gives its columns (and its meters, on the account's wallet),
 * pp__entry_row fills the entry from them, pp__entry_load for one row.
 */
#define PP__ENTRY_SQL \
	"SELECT l.id, l.serial, l.time, l.kind, a.account, a.name, a.phone, " \
	"m.meter, m.room, l.amount, l.method, l.ref, l.operator, l.remark, " \
	"r.serial, l.balance, coalesce(l.buy_count, 0), " \
	"coalesce((SELECT c.id FROM commands c WHERE c.ledger_id = l.id AND " \
	"c.state IN ('pending','sent')), 0), coalesce((SELECT o.name FROM " \
	"operators o WHERE o.login = l.operator), ''), CASE WHEN l.meter_id " \
	"IS NULL THEN " PP__ACCOUNT_LIST("m.meter", "l.account_id", "l.time") \
	" END, CASE WHEN l.meter_id IS NULL THEN " PP__ACCOUNT_LIST("m.room", \
	"l.account_id", "l.time") " END FROM ledger l JOIN " \
	"accounts a ON a.id = l.account_id LEFT JOIN meters m ON m.id = " \
	"l.meter_id LEFT JOIN ledger r ON r.id = l.reverses"
void	 pp__entry_row(pp__st *st, pp_entry *out);
int	 pp__entry_load(pp_db *db, int64_t ledger_id, pp_entry *out);
/*
 * Post money.  With a wallet meter, the row takes that meter's next
 * purchase count and a recharge command is queued for it.
 */
int	 pp__post_money(pp_db *db, struct pp__post *p, int64_t wallet,
	    int64_t *id);

/* account.c */
struct pp__account {
	int64_t	id;
	char	account[PP_KEYMAX];
	char	name[PP_NAMEMAX];
	int	open;
	int64_t	money, used_e7;
	int64_t	balance;	/* fen, from the account_balances view */
};

int	 pp__account_get(pp_db *db, const char *account, struct pp__account *a);
int	 pp__account_get_id(pp_db *db, int64_t id, struct pp__account *a);
/*
 * Resolve a sale's target to an account and the meter it names (0 when
 * the target names the account itself).
 */
int	 pp__target_resolve(pp_db *db, const char *target, enum pp_target kind,
	    struct pp__account *a, int64_t *meter_id);
/* The meter whose wallet takes the money: 0 for the account's wallet. */
int	 pp__wallet_of(pp_db *db, const struct pp__account *a, int64_t meter_id,
	    int64_t *wallet);

/* ---- site.c: the parsed site (siteparse.h) stored ---------------------- */

struct pp__site;
/*
 * Write a parsed site into the database, an idempotent upsert, inside
 * the caller's transaction.  A meter the database refuses is named with
 * its file and line.
 */
int	 pp__site_store(pp_db *db, const struct pp__site *site,
	    struct pp_load_stats *st);

/*
 * tariff.c (struct pp__tariff_spec, a tariff as the site file gives it, is
 * in tariffspec.h, and checked by siteparse.c)
 */
/* A tariff in force from its effective time on. */
struct pp__tariff_version {
	int64_t			effective;
	struct pp__tariff_spec	spec;
};

#define PP_MAXPARTS	64

/* What an interval of energy cost, piece by piece. */
struct pp__charge {
	int64_t	wh, cost_e7;		/* 1e-7 yuan: Wh times price units */
	int	nparts;
	struct {
		char	window[32];	/* "" for a flat price */
		int	tier;		/* 0 without tiers */
		int64_t	wh, price, cost_e7;
	} part[PP_MAXPARTS];
};

/*
 * Price wh used over [from, to] under versions (sorted by effective).
 * used_before is what the account used in the tier period holding from.
 * The energy is shared out over version, window and period boundaries in
 * proportion to time, and split at tier thresholds by the running total.
 */
int	 pp__tariff_price(const struct pp__tariff_version *v, int nv,
	    int64_t from, int64_t to, int64_t wh, int64_t used_before,
	    struct pp__charge *out);
/*
 * The versions that price a meter: its own price, else its tariff's
 * versions, else the site's default price.  *n is 0 when none does.
 */
int	 pp__tariff_of_meter(pp_db *db, int64_t meter_id,
	    struct pp__tariff_version **v, int *n);
int	 pp__tariff_load(pp_db *db, int64_t own, int64_t tariff,
	    struct pp__tariff_version **v, int *n);
/*
 * Price energy the meter counted per rate: wh[i] under the window named
 * window[i] of the version in force at t, with tiers by the running total.
 * Energy of no matching window, and what the rates leave of total, is
 * shared by time over [from, to].  PP_EDATA when the rates do not fit.
 */
int	 pp__tariff_price_rates(const struct pp__tariff_version *v, int nv,
	    int64_t from, int64_t to, int64_t total, const char *const *window,
	    const int64_t *wh, int nrates, int64_t used_before,
	    struct pp__charge *out);
/* Start of the tier period (local year or month) holding t. */
int64_t	 pp__period_start(const char *period, int64_t t);
/* Store a new version when the spec differs from the latest one. */
int	 pp__tariff_store(pp_db *db, const char *name,
	    const struct pp__tariff_spec *t, int *changed);

/* ---- time.c: the local calendar and sharing energy out over time ----- */
/*
 * Once, before any thread: the local zone read once, not again by each
 * mktime (see time.c).
 */
void	 pp__zone_once(void);

enum pp__unit { PP_HALFHOUR, PP_HOUR, PP_DAY, PP_MONTH, PP_YEAR };

/*
 * The local half hour, hour, day, month or year holding t: its start, the
 * next's.
 */
int64_t	 pp__unit_start(int64_t t, enum pp__unit unit);
int64_t	 pp__unit_next(int64_t t, enum pp__unit unit);
/* Local midnight of t's day plus days, plus minutes (may run past a day). */
int64_t	 pp__day_at(int64_t t, int days, int minutes);
/* Local "YYYY-MM-DD HH:00", the hour t falls in. */
char	*pp__hour_format(int64_t t, char buf[PP_TIMEBUF]);
/* Minutes of the day from "HH:MM" (24:00 allowed as the day's end). */
int	 pp__clock_parse(const char *s, int *minutes);
/* The local wall clock of t in minutes since midnight, 0 to 1439. */
int	 pp__clock_minutes(int64_t t);
/* 1: PREPAY_NOW holds the clock still (the test suite's). */
int	 pp__clock_fixed(void);
/* Of total used evenly over [from, to], how much by at (time.c). */
int64_t	 pp__apportion(int64_t total, int64_t from, int64_t to, int64_t at);

/*
 * usage.c: a meter's energy shared out from its readings over buckets of
 * local time the way the daily roll-up charged it (doc/design.md,
 * "Residents"): wh, and the seconds of the bucket that readings span
 * (covered 0: nothing is known of it).  pp__usage_buckets makes every
 * bucket [from, to) touches; pp__usage_share adds one meter's energy to
 * them, so that several meters' add up.
 */
struct pp__bucket {
	int64_t	start, end, wh, covered;
};
int	 pp__usage_buckets(pp_db *db, int64_t from, int64_t to,
	    enum pp__unit unit, struct pp__bucket **bp, long *np);
int	 pp__usage_share(pp_db *db, int64_t meter_id, enum pp__unit unit,
	    struct pp__bucket *b, long n);

/* ---- yamldoc.c: reading YAML documents --------------------------------- */

/* A YAML file being read: its document, its path, where errors go. */
struct pp__yaml {
	yaml_document_t	 doc;
	const char	*path;
	char		*err;
	size_t		 errlen;
	int		 loaded;
};

/*
 * Load a whole file.  PP_ENOINPUT: it cannot be read; PP_ECONFIG: it is
 * no YAML (the error names file:line).  Close it even then.
 */
int	 pp__yaml_open(struct pp__yaml *y, const char *path, char *err,
	    size_t errlen);
void	 pp__yaml_close(struct pp__yaml *y);
yaml_node_t *pp__yaml_root(struct pp__yaml *y);
/* The one error of every reader: "file:line: key: why"; PP_ECONFIG. */
int	 pp__yaml_bad(const struct pp__yaml *y, long line, const char *key,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* The line of a node, from 1; 0 for none. */
long	 pp__yaml_line(const yaml_node_t *n);
/* The text of a scalar node, or NULL. */
const char *pp__yaml_scalar(const yaml_node_t *n);
/* Items of a sequence, pairs of a mapping; 0 for anything else. */
size_t	 pp__yaml_count(const yaml_node_t *n);
yaml_node_t *pp__yaml_item(struct pp__yaml *y, const yaml_node_t *list,
	    size_t i);
/* The value of a mapping's pair i, and its key in *key. */
yaml_node_t *pp__yaml_pair(struct pp__yaml *y, const yaml_node_t *map,
	    size_t i, yaml_node_t **key);
/* The value of key in a mapping, or NULL; its text, or NULL. */
yaml_node_t *pp__yaml_get(struct pp__yaml *y, const yaml_node_t *map,
	    const char *key);
const char *pp__yaml_str(struct pp__yaml *y, const yaml_node_t *map,
	    const char *key);
/* n is a sequence, or the error says why at key. */
int	 pp__yaml_list(struct pp__yaml *y, const yaml_node_t *n,
	    const char *key, const char *why);
/*
 * map is a mapping whose every key is one of allowed (NULL-terminated)
 * and appears once.
 */
int	 pp__yaml_keys(struct pp__yaml *y, const yaml_node_t *map,
	    const char *what, const char *const *allowed);
/*
 * Typed getters of a mapping's key: a missing optional key leaves *v as
 * it was; a missing required one is an error, as is a value that is not
 * a single one or does not parse.
 */
/* Text of at most max - 1 bytes; a required one is not empty. */
int	 pp__yaml_text(struct pp__yaml *y, const yaml_node_t *map,
	    const char *key, int required, size_t max, const char **v);
/* A name, as meters, gateways and logins are (pp__key_check). */
int	 pp__yaml_name(struct pp__yaml *y, const yaml_node_t *map,
	    const char *key, int required, const char **v);
/* One of names (NULL-terminated), required, as text of max: its index. */
int	 pp__yaml_enum(struct pp__yaml *y, const yaml_node_t *map,
	    const char *key, size_t max, const char *const *names, int *i);
/* A value that parse reads (its error follows the key). */
int	 pp__yaml_number(struct pp__yaml *y, const yaml_node_t *map,
	    const char *key, int (*parse)(const char *, int64_t *, char *,
	    size_t), int64_t *v);
/* An amount of money in fen; a price in 0.0001 yuan/kWh. */
int	 pp__yaml_money(struct pp__yaml *y, const yaml_node_t *map,
	    const char *key, int64_t *v);
int	 pp__yaml_price(struct pp__yaml *y, const yaml_node_t *map,
	    const char *key, int64_t *v);
/* An integer in [min, max], decimal. */
int	 pp__yaml_int(struct pp__yaml *y, const yaml_node_t *map,
	    const char *key, int64_t min, int64_t max, int64_t *v);
/* An integer in [min, max], decimal or 0x hex (profiles). */
int	 pp__yaml_long(struct pp__yaml *y, const yaml_node_t *map,
	    const char *key, int required, long min, long max, long *v);
/* true or false; the error names the mapping's line. */
int	 pp__yaml_bool(struct pp__yaml *y, const yaml_node_t *map,
	    const char *key, int *v);

/* alarm.c: an own-wallet meter against the ledger (reconcile, mismatch). */
/*
 * The facts, as 9 columns of the meter_wallets view w (db.c, migration
 * 10): the meter's balance and count as read, the money sold to it, the
 * purchase count allocated, the recharges and money still pending, the
 * last confirmed count, and the cancelled recharges not yet reversed.
 */
#define PP_WALLET_FACTS_SQL \
	"w.balance, w.count, w.sold, w.allocated, w.pending, " \
	"w.pending_amount, w.confirmed, w.cancelled_amount, w.cancelled_serial"

/*
 * The readings store's two tables (db.c, migrations 21 and 22; doc/design.md,
 * "The store"): what picks a meter's newest or oldest reading by key reads
 * them, not the view readings, whose UNION ALL SQLite neither searches by a
 * correlated meter nor stops at the first row in time.
 * PP__READINGS_FIRST(meter, cond, dir) is a FROM source r of the first row
 * of each table, by (time, seq) in direction dir ("DESC" or ""), of the
 * meter's readings where cond holds (cond on the tables' columns, the
 * alias r); PP__READING_FIRST(expr, meter, cond, dir) the expr of the first
 * of both, NULL when none.
 */
#define PP__READINGS_FIRST(meter, cond, dir) \
	"(SELECT * FROM (SELECT * FROM reading_rows r WHERE r.meter_id = " \
	meter " AND " cond " ORDER BY r.time " dir ", r.seq " dir " LIMIT 1) " \
	"AS a UNION ALL SELECT * FROM (SELECT * FROM reading_recent r WHERE " \
	"r.meter_id = " meter " AND " cond " ORDER BY r.time " dir ", r.seq " \
	dir " LIMIT 1) AS b)"
#define PP__READING_FIRST(expr, meter, cond, dir) \
	"(SELECT " expr " FROM " PP__READINGS_FIRST(meter, cond, dir) " r " \
	"ORDER BY r.time " dir ", r.seq " dir " LIMIT 1)"
/* A good reading, of the tables' columns: not flagged, with a counter. */
#define PP__READING_GOOD	"r.status < 8 AND r.energy_wh IS NOT NULL"
/* The view's flag of the tables' status s. */
#define PP__READING_FLAG(s) \
	"CASE " s " >> 3 WHEN 0 THEN NULL WHEN 1 THEN 'backwards' WHEN 2 " \
	"THEN 'jump' ELSE 'other' END"

/*
 * Whether the account a (the SQL alias) never had money, no ledger row
 * having ever credited it, and never used any: opened with nothing, it is
 * unfunded, not in arrears (alarm-scan(1), report status).
 */
#define PP_UNFUNDED_SQL \
	"(a.used_e7 = 0 AND NOT EXISTS (SELECT 1 FROM ledger l WHERE " \
	"l.account_id = a.id AND l.amount > 0))"

/*
 * "ok", "unread" or "mismatch" for the facts at column first of st, and
 * why in English, or with zh in Chinese (a notice's).  A cancelled
 * recharge whose sale or refund is not reversed yet is a mismatch: the
 * ledger credits money the meter never took or gave.
 */
const char *pp__wallet_verdict(pp__st *st, int first, int zh,
	    char *why, size_t len);

/*
 * The library's own use of what the tools' header declares beside it:
 * these are called inside libprepay (and by the unit tests), never by a
 * tool, so they are not in prepay.h.
 */

/* ---- money.c, the part no tool calls ------------------------------------ */

char	*pp__price_format(int64_t price, char buf[PP_NUMBUF]);
/* kWh with 2 decimals, rounded half away from zero. */
char	*pp__energy_format(int64_t wh, char buf[PP_NUMBUF]);
/* The amount in RMB uppercase after the PBOC rules: 壹拾元整. */
int	 pp__rmb_upper(int64_t fen, char *buf, size_t len);

/* ---- time.c, the part no tool calls ------------------------------------- */

/* Local "YYYY-MM-DD", "YYYY-MM" or "YYYY" for grouping. */
char	*pp__day_format(int64_t t, char buf[PP_TIMEBUF]);

/* ---- text.c, the part no tool calls ------------------------------------- */

/* Columns that s takes on a terminal: CJK and full-width count 2. */
size_t	 pp__text_width(const char *s);
/* Whether output in fmt shows the Chinese column heads (lang.c). */
int	 pp__lang_zh(enum pp_lang lang, enum pp_format fmt);
/* A command's action or a reading's flag in Chinese, or NULL. */
const char *pp__word_zh(const char *word);
/*
 * s as valid UTF-8, each byte that is not part of a valid sequence made
 * U+FFFD: a new string in *out, the caller's to free; NULL there when s
 * is valid already.
 */
int	 pp__utf8_fix(const char *s, char **out);
/* Valid UTF-8 without control characters, at most max-1 bytes. */
int	 pp__text_check(const char *what, const char *s, size_t max, char *err,
	    size_t errlen);
/* An identifier: letters, digits, '-', '_' and '.', at most max-1 bytes. */
int	 pp__key_check(const char *what, const char *s, size_t max, char *err,
	    size_t errlen);
/*
 * An untrusted value made safe to put in a message: control characters
 * (C0, DEL, C1, and the invisible format and bidirectional ones) and
 * invalid UTF-8 escaped as \n, \t, \r, \x1b, \xff, \u202e; '"' and '\'
 * escaped as \" and \\, so the quotes around it are the caller's; and cut
 * past PP_QUOTEW columns (or what buf holds) after a whole character,
 * with an ellipsis (U+2026) for the rest.  Valid text, CJK included, is kept
 * as it is.  NULL renders as "".  Returns buf.
 */
#define PP_QUOTEW	48
#define PP_QUOTEBUF	256	/* holds any PP_QUOTEW columns */
const char *pp__quote(char *buf, size_t size, const char *s);

/* ---- csvio.c, the part no tool calls ------------------------------------ */

/* The row's value of a column, or NULL when the header lacks the column. */
const char *pp__csv_get(const pp_csv *r, const char *column);
int	 pp__csv_has(const pp_csv *r, const char *column);

/* ---- output.c, the part no tool calls ----------------------------------- */

/* The text of a cell in a column of that type: buf, c->s or "". */
const char *pp__cell_format(enum pp_coltype type, const pp_cell *c,
	    char buf[PP_CELLBUF]);
int	 pp__out_row_color(pp_out *o, const char *const *values,
	    enum pp_color color);
/* cells[ncols], each shown by its column's type. */
int	 pp__out_cells(pp_out *o, const pp_cell *cells, enum pp_color color);
/* One bar: its label, its length, and the text after it. */
int	 pp__out_bar(pp_out *o, const char *label, int64_t value,
	    const char *text);
size_t	 pp__out_rows(const pp_out *o);

/* ---- db.c, the part no tool calls --------------------------------------- */

/* Set the error text for a caller's own check; returns code. */
int	 pp__set_error(pp_db *db, int code, const char *msg);
/*
 * The pages a handle keeps (KiB): a writer's, so that a poll's or an
 * import's pages are written once at commit; a report's, which reads most
 * pages once, so that it reuses a few buffers instead of touching fresh
 * memory for each page (doc/design.md, "The database").
 */
#define PP__CACHE_KIB		65536
#define PP__REPORT_CACHE_KIB	2048
int	 pp__db_cache(pp_db *db, int kib);
/*
 * Writers: the write lock at once (BEGIN IMMEDIATE on SQLite).  Busy past
 * the timeout is PP_EBUSY.
 */
int	 pp__tx_begin(pp_db *db);
/* A reading transaction: one state of the database throughout. */
int	 pp__tx_read(pp_db *db);
void	 pp__tx_read_end(pp_db *db);
/* Free the transaction's facts (db->txdata), if any. */
void	 pp__tx_forget(pp_db *db);
int	 pp__tx_commit(pp_db *db);
void	 pp__tx_rollback(pp_db *db);
/* A site setting from the defaults, as text (NULL when unset). */
const char *pp__setting(pp_db *db, const char *key, char *buf, size_t len);
int64_t	 pp__setting_int(pp_db *db, const char *key, int64_t dflt);

/* ---- operator.c, the part no tool calls --------------------------------- */

const char *pp__operator_login(const pp_db *db);
enum pp_role pp__operator_role(const pp_db *db);
const char *pp__role_name(enum pp_role role);
int	 pp__role_parse(const char *s, enum pp_role *role);

/* ---- account.c, the part no tool calls ---------------------------------- */

int	 pp__account_close(pp_db *db, const char *account, const char *method,
	    const char *ref, const char *remark, int64_t meter_balance,
	    pp_entry *out);
/* "cash", "wechat", ... */
int	 pp__method_check(const char *method, char *err, size_t errlen);
const char *pp__method_label(const char *method);	/* 现金, 微信, ... */
const char *pp__kind_label(const char *kind);	/* 售电, 退电, ... (receipt.c) */

/* ---- command.c, the part no tool calls ---------------------------------- */

/* "done", "pending", "refused", "failed". */
const char *pp__ctl_outcome_name(enum pp_ctl_outcome outcome);
/*
 * Send a queued command now (a sale's recharge): PP_OK when the meter
 * confirmed it, PP_EBUSY when it stays pending, PP_EDATA when the meter
 * refused it (PP_EPERM: its password; PP_ECONFIG: no key for it).  msg
 * says what happened.
 */
int	 pp__command_send(pp_db *db, int64_t command_id, int wait_ms,
	    char *msg, size_t msglen);
/*
 * The balance the account's own-wallet meter holds, read now; PP_OK with
 * *balance PP_NO_WALLET when its meters keep no wallet.
 */
int	 pp__account_wallet_read(pp_db *db, const char *account, int wait_ms,
	    int64_t *balance);
/* Send the commands due on an account's meters now, as far as they go. */
int	 pp__commands_send_account(pp_db *db, const char *account,
	    int wait_ms);
/* "" (none yet), "unknown", "ok", "busy", "timeout", "error", "lost". */
const char *pp__link_name(enum pp_link link);
enum pp_link pp__link_parse(const char *s);

/* ---- notify.c, the part no tool calls ----------------------------------- */

/*
 * Run the notice command once for one resident's notice of kind (a
 * binding's one-time code, say): PP_OK when it exited 0, else
 * PP_EUNREACH with err saying why.
 */
int	 pp__notify_send(const char *command, const char *kind,
	    const char *account, const char *phone, const char *text,
	    char *err, size_t errlen);

/*
 * prepay-web's limits on failed binds (websession.c), which the bind
 * alarm (alarm.c) also reads: so many failures in the window lock an
 * account, or a client, out until the oldest leaves it; so many in a day
 * raise the alarm.
 */
#define PP_BIND_WINDOW		(15 * 60)
#define PP_BIND_PER_ACCOUNT	5
#define PP_BIND_PER_CLIENT	20
#define PP_BIND_ALARM_DAY	20

/* ---- alarm.c, the part no tool calls ------------------------------------ */

/* "low1", "low2", "arrears", ... */
const char *pp__alarm_kind_name(enum pp_alarm_kind kind);

#endif /* PP_INTERNAL_H */
