/*
 * db.c: opening the database on its engine (engine.h: SQLite for a file,
 * PostgreSQL for a URI), migrating its schema, transactions and the small
 * helpers every other file uses to talk to it.
 */
#include <errno.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"


int
pp__fail(pp_db *db, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(db->err, sizeof(db->err), fmt, ap);
	va_end(ap);
	db->code = code;
	return code;
}

int
pp__sqlfail(pp_db *db, const char *what)
{
	int kind = db->engine->errkind(db);

	if (kind == PP__EBUSY)
		return pp__fail(db, PP_EBUSY,
		    "%s: the database stayed locked for %d s", what,
		    db->timeout_ms / 1000);
	if (kind == PP__EFULL)
		return pp__fail(db, PP_EINTERNAL, "%s: the disk is full", what);
	/*
	 * Whether a COMMIT under way landed is the server's to say: a sale
	 * run again with its ref lands once (doc/postgresql.md, "Standby").
	 */
	if (kind == PP__ELOST)
		return pp__fail(db, PP_EUNREACH, "%s: the database server "
		    "was lost: %s", what, db->engine->errmsg(db));
	if (kind == PP__EREADONLY)
		return pp__fail(db, PP_ENOINPUT, "%s: %s", what,
		    db->engine->errmsg(db));
	/* On a server, the role's grants are the operator's role too. */
	if (kind == PP__EPERM)
		return pp__fail(db, PP_EPERM, "%s: %s", what,
		    db->engine->errmsg(db));
	return pp__fail(db, PP_EINTERNAL, "%s: %s", what,
	    db->engine->errmsg(db));
}

int
pp__errcode(const pp_db *db)
{
	return db->code != PP_OK ? db->code : PP_EINTERNAL;
}

int
pp__set_error(pp_db *db, int code, const char *msg)
{
	return pp__fail(db, code, "%s", msg);
}

const char *
pp_errmsg(const pp_db *db)
{
	return db ? db->err : "out of memory";
}

void
pp_db_set_timeout(pp_db *db, int ms)
{
	db->timeout_ms = ms;
}

/*
 * Is the cached statement free to lend again?  Not while its user steps
 * it (busy), nor when it was lent and never stepped since: its user may
 * be binding it still.  Its run count grows at a run's first step.
 */
static int
stmt_free(const struct pp__stmt_slot *slot)
{
	return !pp__busy(slot->stmt) && slot->stmt->runs != slot->lent_run;
}

static pp__st *
stmt_lend(struct pp__stmt_slot *slot)
{
	pp__reset(slot->stmt);
	slot->stmt->e->clear(slot->stmt);
	slot->lent_run = slot->stmt->runs;
	return slot->stmt;
}

/*
 * The statement for sql, prepared once per handle and kept.  The cache is
 * safe by construction: it never evicts (the program has a fixed set of
 * statements), and it never resets a statement its user may still hold.
 * A caller that runs the same query inside its own loop over it gets a
 * second statement.  Only a statement lent several times over and never
 * stepped, which its user dropped, is taken back.
 */
pp__st *
pp__stmt(pp_db *db, const char *sql)
{
	struct pp__stmt_slot *slot, *idle = NULL;
	size_t i, copies = 0;

	for (i = 0; i < db->ncache; i++) {
		slot = &db->cache[i];
		if (slot->sql != sql)
			continue;
		if (stmt_free(slot))
			return stmt_lend(slot);
		copies++;
		if (idle == NULL && !pp__busy(slot->stmt))
			idle = slot;
	}
	if (idle && copies >= PP_STMT_COPIES)
		return stmt_lend(idle);
	if (pp_grow(&db->cache, &db->capcache, db->ncache + 1,
	    sizeof(*db->cache)) != PP_OK) {
		pp__fail(db, PP_EINTERNAL, "out of memory");
		return NULL;
	}
	slot = &db->cache[db->ncache];
	if ((slot->stmt = calloc(1, sizeof(*slot->stmt))) == NULL) {
		pp__fail(db, PP_EINTERNAL, "out of memory");
		return NULL;
	}
	slot->stmt->e = db->engine;
	slot->stmt->db = db;
	if (db->engine->prepare(db, sql, slot->stmt) != PP__OK) {
		pp__sqlfail(db, "prepare");
		free(slot->stmt);
		return NULL;
	}
	slot->sql = sql;
	db->ncache++;
	return stmt_lend(slot);
}

pp__st *
pp__prepare(pp_db *db, const char *sql)
{
	pp__st *st;

	if ((st = calloc(1, sizeof(*st))) == NULL) {
		pp__fail(db, PP_EINTERNAL, "out of memory");
		return NULL;
	}
	st->e = db->engine;
	st->db = db;
	if (db->engine->prepare(db, sql, st) != PP__OK) {
		pp__sqlfail(db, "prepare");
		free(st);
		return NULL;
	}
	return st;
}

void
pp__finalize(pp__st *st)
{
	if (st == NULL)
		return;
	st->e->finalize(st);
	free(st);
}

int
pp__bindv(pp__st *st, const char *types, va_list ap)
{
	int i, rc = PP__OK;
	const char *s;

	for (i = 1; *types && rc == PP__OK; types++, i++) {
		switch (*types) {
		case 'i':
			rc = pp__bind_int64(st, i, va_arg(ap, int64_t));
			break;
		case 't':
			s = va_arg(ap, const char *);
			rc = s ? pp__bind_copy(st, i, s)
			    : pp__bind_null(st, i);
			break;
		case 'n':
			rc = pp__bind_null(st, i);
			break;
		default:
			return PP__EFAIL;
		}
	}
	return rc;
}

/* The cached statement for sql with its parameters bound, or NULL. */
static pp__st *
bound(pp_db *db, const char *sql, const char *types, va_list ap)
{
	pp__st *st;

	if ((st = pp__stmt(db, sql)) == NULL)
		return NULL;
	if (pp__bindv(st, types, ap) != PP__OK) {
		pp__sqlfail(db, "bind");
		return NULL;
	}
	return st;
}

int64_t
pp__changes(pp_db *db)
{
	return db->engine->changes(db);
}

int64_t
pp__total_changes(pp_db *db)
{
	return db->engine->total_changes(db);
}

int
pp__data_version(pp_db *db, int64_t *v)
{
	if (db->engine->data_version(db, v) != PP__OK)
		return pp__sqlfail(db, "data version");
	return PP_OK;
}

/* pp__exec, or pp__exec_later when later. */
static int
exec_bound(pp_db *db, int later, const char *sql, const char *types,
    va_list ap)
{
	pp__st *st;
	int rc;

	if ((st = bound(db, sql, types, ap)) == NULL)
		return pp__errcode(db);
	rc = later && db->in_tx ? pp__step_later(st) : pp__step(st);
	pp__reset(st);
	if (rc != PP__DONE && rc != PP__ROW)
		return pp__sqlfail(db, "write");
	return PP_OK;
}

int
pp__exec(pp_db *db, const char *sql, const char *types, ...)
{
	va_list ap;
	int rc;

	va_start(ap, types);
	rc = exec_bound(db, 0, sql, types, ap);
	va_end(ap);
	return rc;
}

int
pp__exec_later(pp_db *db, const char *sql, const char *types, ...)
{
	va_list ap;
	int rc;

	va_start(ap, types);
	rc = exec_bound(db, 1, sql, types, ap);
	va_end(ap);
	return rc;
}

int
pp__flush(pp_db *db)
{
	if (db->engine->flush != NULL && db->engine->flush(db) != PP__OK)
		return pp__sqlfail(db, "write");
	return PP_OK;
}

int
pp__query_int(pp_db *db, int64_t *v, const char *sql, const char *types, ...)
{
	pp__st *st;
	va_list ap;
	int rc;

	va_start(ap, types);
	st = bound(db, sql, types, ap);
	va_end(ap);
	if (st == NULL)
		return pp__errcode(db);
	rc = pp__step(st);
	if (rc == PP__ROW)
		*v = pp__col_int64(st, 0);
	pp__reset(st);
	if (rc == PP__ROW)
		return PP_OK;
	if (rc == PP__DONE)
		return PP_EDATA;
	return pp__sqlfail(db, "query");
}

void
pp__col_text(pp__st *st, int col, char *buf, size_t size)
{
	const char *s = pp__col_str(st, col);

	snprintf(buf, size, "%s", s ? s : "");
}

static int
exec_script(pp_db *db, const char *sql, const char *what)
{
	if (db->engine->exec(db, sql) != PP__OK)
		return pp__sqlfail(db, what);
	return PP_OK;
}

int
pp__readings_months(pp_db *db)
{
	const char *sql = db->engine->months_sql;
	int64_t now = pp_now(), month;
	time_t t = (time_t)now;
	struct tm tm;
	pp__st *st;
	int step, rc;

	if (sql == NULL || db->engine->in_tx(db) || gmtime_r(&t, &tm) == NULL)
		return PP_OK;
	month = (int64_t)tm.tm_year * 12 + tm.tm_mon;
	if (month == db->months_made)
		return PP_OK;
	/*
	 * As a writer: every writer takes the writers' lock first, so none
	 * is halfway through a transaction that would touch the readings
	 * after the table's lock for the new partition was asked for, and
	 * wait behind it while holding what it waits for.
	 */
	if ((rc = pp__tx_begin(db)) != PP_OK)
		return rc;
	if ((st = pp__stmt(db, sql)) == NULL) {
		pp__tx_rollback(db);
		return pp__errcode(db);
	}
	pp__bind_int64(st, 1, now);
	step = pp__step(st);
	pp__reset(st);
	if (step != PP__ROW) {
		rc = pp__sqlfail(db, "the readings' months");
		pp__tx_rollback(db);
		return rc;
	}
	if ((rc = pp__tx_commit(db)) != PP_OK)
		return rc;
	db->months_made = month;
	return PP_OK;
}

int
pp__script(pp_db *db, const char *sql, const char *what)
{
	return exec_script(db, sql, what);
}

int
pp__db_cache(pp_db *db, int kib)
{
	if (db->engine->cache(db, kib) != PP__OK)
		return pp__sqlfail(db, "cache size");
	return PP_OK;
}

int
pp_db_lost(pp_db *db)
{
	return db->engine->lost != NULL && db->engine->lost(db);
}

/*
 * A statement without rows run from the handle's cache: a list's rows
 * each take a savepoint, not worth parsing again for each.
 */
static int
step_kept(pp_db *db, const char *sql, const char *what)
{
	pp__st *st;
	int rc;

	if ((st = pp__stmt(db, sql)) == NULL)
		return pp__errcode(db);
	rc = pp__step(st);
	pp__reset(st);
	return rc == PP__DONE ? PP_OK : pp__sqlfail(db, what);
}

int
pp__tx_begin(pp_db *db)
{
	int rc;

	if (db->engine->begin_write(db) != PP__OK) {
		rc = pp__sqlfail(db, "begin");
		/* Begun but not locked (PostgreSQL): nothing to keep. */
		if (db->engine->in_tx(db))
			db->engine->exec(db, "ROLLBACK");
		return rc;
	}
	db->in_tx = 1;
	db->changes_at_begin = db->engine->total_changes(db);
	memset(&db->tally, 0, sizeof(db->tally));
	return PP_OK;
}

int
pp__tx_commit(pp_db *db)
{
	int rc;

	if (db->precommit && db->engine->total_changes(db) !=
	    db->changes_at_begin && (rc = db->precommit(db)) != PP_OK) {
		pp__tx_rollback(db);
		return rc;
	}
	if ((rc = exec_script(db, "COMMIT", "commit")) != PP_OK) {
		pp__tx_rollback(db);
		return rc;
	}
	db->in_tx = 0;
	pp__tx_forget(db);
	return PP_OK;
}

int
pp__tx_read(pp_db *db)
{
	return exec_script(db, db->engine->begin_read, "begin");
}

void
pp__tx_read_end(pp_db *db)
{
	db->engine->exec(db, "COMMIT");
}

void
pp__tx_rollback(pp_db *db)
{
	if (db->engine->in_tx(db))
		db->engine->exec(db, "ROLLBACK");
	db->in_tx = 0;
	pp__tx_forget(db);
}

void
pp__tx_forget(pp_db *db)
{
	if (db->txfree != NULL)
		db->txfree(db->txdata);
	db->txdata = NULL;
	db->txfree = NULL;
}

int
pp__savepoint(pp_db *db)
{
	return step_kept(db, "SAVEPOINT pp_row", "savepoint");
}

int
pp__release(pp_db *db)
{
	return step_kept(db, "RELEASE pp_row", "release");
}

void
pp__rollback_to(pp_db *db)
{
	if (step_kept(db, "ROLLBACK TO pp_row", "rollback") == PP_OK)
		step_kept(db, "RELEASE pp_row", "release");
}

/* The engine's schema history run up to its end (engine.h). */
static int
migrate(pp_db *db)
{
	const struct pp__engine *e = db->engine;
	int64_t version;
	int rc, v;

	if (e->version(db, &version) != PP__OK)
		return pp__sqlfail(db, "schema version");
	if (version == *e->nmigrations)
		return PP_OK;
	if (version > *e->nmigrations)
		return pp__fail(db, PP_EINTERNAL,
		    "%s: schema version %lld is newer than this prepay (%d)",
		    db->shown, (long long)version, *e->nmigrations);
	if ((rc = pp__tx_begin(db)) != PP_OK)
		return rc;
	/* Another process may have migrated while we waited for the lock. */
	if (e->lock_schema(db) != PP__OK || e->version(db, &version) !=
	    PP__OK) {
		rc = pp__sqlfail(db, "schema version");
		goto fail;
	}
	for (v = (int)version; v < *e->nmigrations; v++) {
		if ((rc = exec_script(db, e->migrations[v], "migrate")) !=
		    PP_OK)
			goto fail;
		if (e->set_version(db, v + 1) != PP__OK) {
			rc = pp__sqlfail(db, "migrate");
			goto fail;
		}
	}
	/* The login that creates the database is its first admin. */
	if (version == 0 && (rc = pp__exec(db, "INSERT INTO operators(login, "
	    "role, source, created) VALUES (?, 'admin', 'creator', ?)", "ti",
	    db->login, pp_now())) != PP_OK)
		goto fail;
	return pp__tx_commit(db);
fail:
	pp__tx_rollback(db);
	return rc;
}

static int
sqlite_open(pp_db *db, const char *path, int create)
{
	int rc;

	if ((rc = pp__sqlite_open(db, path, create)) == PP__OK)
		return PP_OK;
	if (db->sql == NULL)
		return pp__fail(db, PP_ENOINPUT, "%s: cannot open", path);
	if (rc == PP__ENOTADB)
		rc = pp__fail(db, PP_ENOINPUT, "%s: not a prepay database",
		    path);
	else if (rc == PP__EREADONLY)
		rc = pp__fail(db, PP_ENOINPUT, "%s: %s", path,
		    db->engine->errmsg(db));
	else
		rc = pp__sqlfail(db, "pragmas");
	db->engine->close(db);
	return rc;
}

/*
 * A database of the migrations alone, in memory, to compare a site's
 * schema with (verify.c).
 */
int
pp__schema_reference(pp_db **refp)
{
	pp_db *ref;
	int v, rc;

	if ((*refp = ref = calloc(1, sizeof(*ref))) == NULL)
		return PP_EINTERNAL;
	ref->engine = &pp__engine_sqlite;
	snprintf(ref->path, sizeof(ref->path), ":memory:");
	if ((rc = sqlite_open(ref, ref->path, 1)) != PP_OK)
		return rc;
	for (v = 0; v < pp__sqlite_nmigrations; v++)
		if ((rc = exec_script(ref, pp__sqlite_migrations[v],
		    "reference")) != PP_OK)
			return rc;
	return PP_OK;
}

int
pp_db_is_uri(const char *path)
{
	return strncmp(path, "postgresql://", 13) == 0 ||
	    strncmp(path, "postgres://", 11) == 0;
}

/* The value of the hex digit c, or -1. */
static int
hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The bytes from..to copied to o; where o ends. */
static char *
put_span(char *o, const char *from, const char *to)
{
	memcpy(o, from, (size_t)(to - from));
	return o + (to - from);
}

/* Is the URI parameter's name, k[0..n), key once its %XX are decoded? */
static int
param_is(const char *k, size_t n, const char *key)
{
	size_t i;
	int c, hi, lo;

	for (i = 0; i < n; i++, key++) {
		c = (unsigned char)k[i];
		if (c == '%' && i + 2 < n && (hi = hex_digit(k[i + 1])) >= 0 &&
		    (lo = hex_digit(k[i + 2])) >= 0) {
			c = hi * 16 + lo;
			i += 2;
		}
		if (*key == '\0' || c != (unsigned char)*key)
			return 0;
	}
	return *key == '\0';
}

/*
 * s with the secrets of a postgresql:// (or postgres://) URI in it shown
 * as ***: the password of user:password@host, and the parameters
 * password= and sslpassword= (the client key's), which libpq takes too.
 * This is what messages and the audit log show of a URI, so that a
 * password given on the command line is never kept (doc/postgresql.md:
 * better a passfile).  The URI may start inside s (-dURI) and runs to its
 * end; the user's part ends at the first @ or /, as libpq reads it.
 * NULL: out of memory.
 */
char *
pp__uri_masked(const char *s)
{
	const char *uri, *auth, *p, *q, *e;
	char *out, *o;

	uri = strstr(s, "postgresql://");
	if (uri == NULL)
		uri = strstr(s, "postgres://");
	/* At most 3 bytes more for each secret, and they are apart. */
	if ((o = out = malloc(strlen(s) * 2 + 8)) == NULL)
		return NULL;
	if (uri == NULL) {
		strcpy(out, s);
		return out;
	}
	auth = strstr(uri, "://") + 3;
	p = auth + strcspn(auth, "@/");
	if (*p == '@' && (q = memchr(auth, ':', (size_t)(p - auth))) != NULL)
		o = stpcpy(put_span(o, s, q + 1), "***");
	else
		o = put_span(o, s, p);
	/* The parameters, after the first ?, one between each &. */
	q = p + strcspn(p, "?");
	o = put_span(o, p, q);
	while (*q) {
		*o++ = *q++;		/* ? or & */
		e = q + strcspn(q, "&");
		p = memchr(q, '=', (size_t)(e - q));
		if (p && (param_is(q, (size_t)(p - q), "password") ||
		    param_is(q, (size_t)(p - q), "sslpassword")))
			o = stpcpy(put_span(o, q, p + 1), "***");
		else
			o = put_span(o, q, e);
		q = e;
	}
	*o = '\0';
	return out;
}

/*
 * A database on a PostgreSQL server (engine-pg.c): it exists (made by
 * its administrator, doc/design.md "Engines"); the first tool to open it
 * makes the schema.
 */
static int
pg_open(pp_db *db, const char *uri)
{
	char *shown;
	int rc;

	db->engine = &pp__engine_pg;
	if ((shown = pp__uri_masked(uri)) == NULL)
		return pp__fail(db, PP_EINTERNAL, "out of memory");
	snprintf(db->shown, sizeof(db->shown), "%s", shown);
	free(shown);
	pp__zone_once();
	if ((rc = pp__pg_open(db, uri)) != PP__OK)
		return pp__fail(db, rc == PP__EFAIL ? PP_EINTERNAL :
		    PP_ENOINPUT, "%s: %s", db->shown, db->engine->errmsg(db));
	return migrate(db);
}

int
pp_db_open(pp_db **dbp, const char *path, int flags)
{
	struct passwd pwd, *pw;
	struct stat sb;
	char pwbuf[4096];
	pp_db *db;
	int rc, exists = 1;

	if ((*dbp = db = calloc(1, sizeof(*db))) == NULL)
		return PP_EINTERNAL;
	snprintf(db->path, sizeof(db->path), "%s", path);
	snprintf(db->shown, sizeof(db->shown), "%s", path);
	db->timeout_ms = 10000;
	db->engine = &pp__engine_sqlite;
	/*
	 * The operator is the real uid's login; no variable can change it.
	 * The _r form: a poll's workers open the database at once (poll.c),
	 * and getpwuid's one static entry torn by another thread once named
	 * a login "too long".
	 */
	if (getpwuid_r(getuid(), &pwd, pwbuf, sizeof(pwbuf), &pw) != 0 ||
	    pw == NULL)
		return pp__fail(db, PP_EPERM, "uid %ld has no login name",
		    (long)getuid());
	if (strlen(pw->pw_name) >= sizeof(db->login))
		return pp__fail(db, PP_EPERM, "login name too long");
	snprintf(db->login, sizeof(db->login), "%s", pw->pw_name);
	if (pp_db_is_uri(path))
		return pg_open(db, path);
	if (stat(path, &sb) == -1) {
		if (errno != ENOENT || !(flags & PP_DB_CREATE))
			return pp__fail(db, PP_ENOINPUT, "%s: %s%s", path,
			    strerror(errno), errno == ENOENT ?
			    " (site-load creates it)" : "");
		exists = 0;
	} else if (!S_ISREG(sb.st_mode))
		return pp__fail(db, PP_ENOINPUT, "%s: not a database file",
		    path);
	/* A setgid tool opens only the service group's database. */
	if ((rc = pp__priv_check_db(path, exists, db->err,
	    sizeof(db->err))) != PP_OK ||
	    (!exists && (rc = pp__priv_create(path, db->err,
	    sizeof(db->err))) != PP_OK))
		return rc;
	pp__zone_once();
	if ((rc = sqlite_open(db, path, flags & PP_DB_CREATE)) != PP_OK ||
	    (rc = pp__db_cache(db, PP__CACHE_KIB)) != PP_OK)
		return rc;
	if ((rc = pp__query_int(db, &(int64_t){0}, "PRAGMA schema_version",
	    "")) == PP_OK)
		rc = migrate(db);
	if (rc != PP_OK && db->engine->errkind(db) == PP__ENOTADB)
		rc = pp__fail(db, PP_ENOINPUT, "%s: not a prepay database",
		    path);
	return rc;
}

void
pp_db_close(pp_db *db)
{
	size_t i;

	if (db == NULL)
		return;
	for (i = 0; i < db->ncache; i++) {
		db->engine->finalize(db->cache[i].stmt);
		free(db->cache[i].stmt);
	}
	free(db->cache);
	if (db->sql || db->pg) {
		if (db->in_tx)
			pp__tx_rollback(db);
		db->engine->close(db);
	}
	pp__tx_forget(db);
	free(db->audit_tool);
	free(db->audit_args);
	free(db);
}

const char *
pp__setting(pp_db *db, const char *key, char *buf, size_t len)
{
	pp__st *st;

	if ((st = pp__stmt(db, "SELECT value FROM settings WHERE key = ?"))
	    == NULL)
		return NULL;
	pp__bind_text(st, 1, key);
	if (pp__step(st) != PP__ROW) {
		pp__reset(st);
		return NULL;
	}
	pp__col_text(st, 0, buf, len);
	pp__reset(st);
	return buf;
}

int64_t
pp__setting_int(pp_db *db, const char *key, int64_t dflt)
{
	char buf[64], *end;
	long long v;

	if (pp__setting(db, key, buf, sizeof(buf)) == NULL)
		return dflt;
	v = strtoll(buf, &end, 10);
	return *end == '\0' && end != buf ? v : dflt;
}

const char *
pp_site_name(pp_db *db, char *buf, size_t len)
{
	pp__st *st;

	buf[0] = '\0';
	if ((st = pp__stmt(db, "SELECT value FROM meta WHERE key = 'site'")) ==
	    NULL)
		return buf;
	if (pp__step(st) == PP__ROW)
		pp__col_text(st, 0, buf, len);
	pp__reset(st);
	return buf;
}
