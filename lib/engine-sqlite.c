/*
 * The SQLite engine (engine.h): SQLite's own calls, its result codes
 * sorted into the kinds the library tells apart.
 */
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>
#include <sqlite3.h>

#include "internal.h"

static int
kind(int rc)
{
	switch (rc) {
	case SQLITE_ROW:
		return PP__ROW;
	case SQLITE_DONE:
		return PP__DONE;
	case SQLITE_OK:
		return PP__OK;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return PP__EBUSY;
	case SQLITE_CONSTRAINT:
		return PP__ECONSTRAINT;
	case SQLITE_FULL:
		return PP__EFULL;
	case SQLITE_READONLY:
	case SQLITE_CANTOPEN:
	case SQLITE_PERM:
		return PP__EREADONLY;
	case SQLITE_NOTADB:
		return PP__ENOTADB;
	default:
		return PP__EFAIL;
	}
}

static int
lite_prepare(pp_db *db, const char *sql, pp__st *st)
{
	sqlite3_stmt *h = NULL;
	int rc;

	rc = sqlite3_prepare_v3(db->sql, sql, -1, SQLITE_PREPARE_PERSISTENT,
	    &h, NULL);
	if (rc != SQLITE_OK) {
		sqlite3_finalize(h);
		return kind(rc);
	}
	st->h = h;
	return PP__OK;
}

static void
lite_finalize(pp__st *st)
{
	sqlite3_finalize(st->h);
}

static int
lite_step(pp__st *st)
{
	return kind(sqlite3_step(st->h));
}

static void
lite_reset(pp__st *st)
{
	sqlite3_reset(st->h);
}

static void
lite_clear(pp__st *st)
{
	sqlite3_clear_bindings(st->h);
}

static int
lite_bind_int64(pp__st *st, int i, int64_t v)
{
	return kind(sqlite3_bind_int64(st->h, i, v));
}

static int
lite_bind_text(pp__st *st, int i, const char *s, int n, int copy)
{
	return kind(sqlite3_bind_text(st->h, i, s, n, copy ?
	    SQLITE_TRANSIENT : SQLITE_STATIC));
}

static int
lite_bind_null(pp__st *st, int i)
{
	return kind(sqlite3_bind_null(st->h, i));
}

static int64_t
lite_col_int64(pp__st *st, int i)
{
	return sqlite3_column_int64(st->h, i);
}

static const char *
lite_col_text(pp__st *st, int i)
{
	return (const char *)sqlite3_column_text(st->h, i);
}

static int
lite_col_null(pp__st *st, int i)
{
	return sqlite3_column_type(st->h, i) == SQLITE_NULL;
}

static int64_t
lite_changes(pp_db *db)
{
	return sqlite3_changes64(db->sql);
}

static int64_t
lite_total_changes(pp_db *db)
{
	return sqlite3_total_changes64(db->sql);
}

static int
lite_exec(pp_db *db, const char *script)
{
	return kind(sqlite3_exec(db->sql, script, NULL, NULL, NULL));
}

static int
lite_errkind(pp_db *db)
{
	return kind(sqlite3_errcode(db->sql));
}

static const char *
lite_errmsg(pp_db *db)
{
	return sqlite3_errmsg(db->sql);
}

static int
lite_in_tx(pp_db *db)
{
	return !sqlite3_get_autocommit(db->sql);
}

/*
 * The busy handler: a try every millisecond until timeout_ms have passed
 * since the wait began, on the monotonic clock.  sqlite3's own sleeps
 * longer the longer it has waited, up to 100 ms a try, so that under
 * several writers at once (prepay-web's threads) one waits long after the
 * lock was free: the p99 of tests/bench/web.
 */
static int
busy_wait(void *arg, int tries)
{
	pp_db *db = arg;
	struct timespec ts;
	int64_t now;

	if (db->timeout_ms <= 0)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	if (tries == 0)
		db->busy_since = now;
	else if (now - db->busy_since >= db->timeout_ms)
		return 0;
	sqlite3_sleep(1);
	return 1;
}

/*
 * Statement journals stay in memory: a list's row runs in its own
 * savepoint (lib/batch.c), whose journal of the pages the row changed was
 * otherwise a file written page by page, a dozen writes a reading
 * (doc/design.md, "The store").  A statement's journal holds the pages it
 * changed that the transaction found, few but for a migration's DROP of
 * an old table, which migration 21 makes without overwriting the freed
 * pages (secure_delete).  Once, and only before SQLite starts: if it has,
 * the journals keep the default.
 */
static pthread_once_t process_once = PTHREAD_ONCE_INIT;

static void
set_up_process(void)
{
	sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, -1);
	/* Nothing reads SQLite's memory counts: no lock for each malloc. */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int
pp__sqlite_open(pp_db *db, const char *path, int create)
{

	pthread_once(&process_once, set_up_process);
	/*
	 * A handle is one thread's at a time (prepay.h), so SQLite's own
	 * lock around each call of it is only cost: a tenth of a poll's
	 * storing (doc/design.md, "The store").
	 */
	if (sqlite3_open_v2(path, &db->sql, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0), NULL) !=
	    SQLITE_OK)
		return PP__EREADONLY;
	sqlite3_busy_handler(db->sql, busy_wait, db);
	sqlite3_extended_result_codes(db->sql, 0);
	/*
	 * Not mapped (mmap_size): each page a process maps is a page fault,
	 * dearer than SQLite's read into its cache (doc/design.md, "The
	 * store").
	 */
	return kind(sqlite3_exec(db->sql, "PRAGMA journal_mode = WAL;"
	    "PRAGMA foreign_keys = ON;"
	    "PRAGMA synchronous = FULL", NULL, NULL, NULL));
}

/* The one value of a pragma, as an integer. */
static int
pragma_int(pp_db *db, const char *sql, int64_t *v)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL)) !=
	    SQLITE_OK)
		return kind(rc);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? PP__OK : kind(sqlite3_errcode(db->sql));
}

static int
lite_data_version(pp_db *db, int64_t *v)
{
	return pragma_int(db, "PRAGMA data_version", v);
}

/* The busy handler waits for the lock (busy_wait). */
static int
lite_begin_write(pp_db *db)
{
	return kind(sqlite3_exec(db->sql, "BEGIN IMMEDIATE", NULL, NULL,
	    NULL));
}

static int
lite_cache(pp_db *db, int kib)
{
	char sql[64];

	snprintf(sql, sizeof(sql), "PRAGMA cache_size = -%d", kib);
	return kind(sqlite3_exec(db->sql, sql, NULL, NULL, NULL));
}

static int
lite_version(pp_db *db, int64_t *v)
{
	return pragma_int(db, "PRAGMA user_version", v);
}

static int
lite_set_version(pp_db *db, int v)
{
	char sql[64];

	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v);
	return kind(sqlite3_exec(db->sql, sql, NULL, NULL, NULL));
}

/* A writing transaction holds the only write lock already. */
static int
lite_lock_schema(pp_db *db)
{
	(void)db;
	return PP__OK;
}

static void
lite_close(pp_db *db)
{
	sqlite3_close(db->sql);
	db->sql = NULL;
}

const struct pp__engine pp__engine_sqlite = {
	.name = "sqlite",
	.begin_write = lite_begin_write,
	.begin_read = "BEGIN",
	.prepare = lite_prepare,
	.finalize = lite_finalize,
	.step = lite_step,
	.reset = lite_reset,
	.clear = lite_clear,
	.bind_int64 = lite_bind_int64,
	.bind_text = lite_bind_text,
	.bind_null = lite_bind_null,
	.col_int64 = lite_col_int64,
	.col_text = lite_col_text,
	.col_null = lite_col_null,
	.changes = lite_changes,
	.total_changes = lite_total_changes,
	.exec = lite_exec,
	.errkind = lite_errkind,
	.errmsg = lite_errmsg,
	.in_tx = lite_in_tx,
	.migrations = pp__sqlite_migrations,
	.nmigrations = &pp__sqlite_nmigrations,
	.version = lite_version,
	.set_version = lite_set_version,
	.lock_schema = lite_lock_schema,
	.data_version = lite_data_version,
	.cache = lite_cache,
	.close = lite_close,
	.columns_sql = "SELECT m.name, c.name, c.pk FROM sqlite_schema AS m "
	    "JOIN pragma_table_info(m.name) AS c WHERE m.type = 'table' AND "
	    "substr(m.name, 1, 7) <> 'sqlite_' ORDER BY m.name, c.cid",
	.references_sql = "SELECT m.name, f.\"table\" FROM sqlite_schema AS m "
	    "JOIN pragma_foreign_key_list(m.name) AS f WHERE m.type = 'table' "
	    "AND substr(m.name, 1, 7) <> 'sqlite_'",
	.hidden_column = "rowid",
	.copied_script = NULL,
	.months_sql = NULL,
};
