/*
 * backup.c: online backups and their restore.  A backup is SQLite's
 * backup API run over the live database in one read transaction, so the
 * poller and the cashiers go on writing (WAL) while it is taken; it is
 * checked, then renamed into place, and backups older than the days kept
 * are removed.  A restore takes a backup only when it passes the integrity
 * check and every check of report verify, and copies it over the live
 * database with the same API, under the database's write lock.
 */
#include <sys/stat.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

/* prepay-YYYYMMDD-HHMMSS.db: the local time the backup was taken. */
#define NAME_PREFIX	"prepay-"
#define NAME_SUFFIX	".db"
#define NAME_LEN	(sizeof(NAME_PREFIX) - 1 + 15 + sizeof(NAME_SUFFIX) - 1)

/* Copy the whole of from into to, in one step. */
static int
copy_db(pp_db *db, sqlite3 *to, sqlite3 *from, const char *what)
{
	sqlite3_backup *b;
	int rc;

	if ((b = sqlite3_backup_init(to, "main", from, "main")) == NULL)
		return pp__fail(db, PP_EINTERNAL, "%s: %s", what,
		    sqlite3_errmsg(to));
	rc = sqlite3_backup_step(b, -1);
	sqlite3_backup_finish(b);
	if (rc == SQLITE_DONE)
		return PP_OK;
	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		return pp__fail(db, PP_EBUSY, "%s: the database is locked",
		    what);
	return pp__fail(db, PP_EINTERNAL, "%s: %s", what, sqlite3_errstr(rc));
}

/* PRAGMA integrity_check says ok. */
static int
intact(pp_db *db, sqlite3 *sql, const char *path)
{
	sqlite3_stmt *st;
	char first[128] = "";
	int rc;

	if (sqlite3_prepare_v2(sql, "PRAGMA integrity_check", -1, &st, NULL) !=
	    SQLITE_OK)
		return pp__fail(db, PP_EDATA, "%s: not a prepay database: %s",
		    path, sqlite3_errmsg(sql));
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		snprintf(first, sizeof(first), "%s", (const char *)
		    sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return pp__fail(db, PP_EDATA, "%s: not a prepay database: %s",
		    path, sqlite3_errmsg(sql));
	if (strcmp(first, "ok") != 0)
		return pp__fail(db, PP_EDATA, "%s: fails the integrity check: "
		    "%s", path, first);
	return PP_OK;
}

/* The time in a backup's name, or -1 when the name is not a backup's. */
static int64_t
name_time(const char *name)
{
	struct tm tm;
	const char *p;

	if (strlen(name) != NAME_LEN || strncmp(name, NAME_PREFIX,
	    sizeof(NAME_PREFIX) - 1) != 0 || strcmp(name + NAME_LEN -
	    (sizeof(NAME_SUFFIX) - 1), NAME_SUFFIX) != 0)
		return -1;
	memset(&tm, 0, sizeof(tm));
	p = strptime(name + sizeof(NAME_PREFIX) - 1, "%Y%m%d-%H%M%S", &tm);
	if (p == NULL || strcmp(p, NAME_SUFFIX) != 0)
		return -1;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm);
}

/* Remove the backups in dir taken before cutoff, except keep. */
static int
prune(pp_db *db, const char *dir, int64_t cutoff, const char *keep,
    int *removed)
{
	char path[PATH_MAX];
	struct dirent *de;
	int64_t t;
	DIR *d;
	int rc = PP_OK;

	if ((d = opendir(dir)) == NULL)
		return pp__fail(db, PP_ENOINPUT, "%s: %s", dir,
		    strerror(errno));
	while ((de = readdir(d)) != NULL && rc == PP_OK) {
		if ((t = name_time(de->d_name)) < 0 || t >= cutoff ||
		    strcmp(de->d_name, keep) == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (unlink(path) == -1)
			rc = pp__fail(db, PP_EINTERNAL, "%s: %s", path,
			    strerror(errno));
		else
			(*removed)++;
	}
	closedir(d);
	return rc;
}

/* Open a copy: a new file of mode 0660, or one to read. */
static int
open_file(pp_db *db, const char *path, int create, sqlite3 **sql)
{
	char err[PP_ERRMAX];
	struct stat sb;
	int rc;

	if (create && (rc = pp__priv_create(path, err, sizeof(err))) != PP_OK)
		return pp__set_error(db, rc, err);
	/*
	 * SQLite says "unable to open database file" whatever the cause.
	 * stat, not access, which asks for the real group, not the tools'.
	 */
	if (!create && stat(path, &sb) == -1)
		return pp__fail(db, PP_ENOINPUT, "%s: %s", path,
		    strerror(errno));
	if (sqlite3_open_v2(path, sql, create ? SQLITE_OPEN_READWRITE :
	    SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		rc = pp__fail(db, create ? PP_EINTERNAL : PP_ENOINPUT, "%s: %s",
		    path, *sql ? sqlite3_errmsg(*sql) : "cannot open");
		sqlite3_close(*sql);
		*sql = NULL;
		return rc;
	}
	sqlite3_busy_timeout(*sql, db->timeout_ms);
	return PP_OK;
}

/*
 * A backup is a copy of the SQLite file; a database on a PostgreSQL
 * server has the server's own (doc/design.md, "Engines").
 */
static int
file_only(pp_db *db)
{
	if (!pp_db_is_uri(db->path))
		return PP_OK;
	return pp__fail(db, PP_EUSAGE, "%s is on a PostgreSQL server: back "
	    "it up with the server's tools (pg_dump, or pg_basebackup and "
	    "a standby)", db->shown);
}

int
pp_backup(pp_db *db, const char *dir, int keep_days, struct pp_backup *b)
{
	char tmp[PATH_MAX], name[NAME_LEN + 1], stamp[16];
	struct stat sb;
	sqlite3 *to = NULL;
	struct tm tm;
	int64_t now = pp_now();
	int rc;

	memset(b, 0, sizeof(*b));
	if ((rc = file_only(db)) != PP_OK)
		return rc;
	if (*dir == '\0')
		return pp__fail(db, PP_EUSAGE, "the backup directory is empty: "
		    "name one");
	if (stat(dir, &sb) == -1)
		return pp__fail(db, PP_ENOINPUT, "%s: %s", dir,
		    strerror(errno));
	if (!S_ISDIR(sb.st_mode))
		return pp__fail(db, PP_ENOINPUT, "%s: not a directory", dir);
	if (pp__local_tm(now, &tm) != PP_OK ||
	    strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm) == 0)
		return pp__fail(db, PP_EINTERNAL, "the time is out of range");
	snprintf(name, sizeof(name), NAME_PREFIX "%s" NAME_SUFFIX, stamp);
	snprintf(b->path, sizeof(b->path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name);
	if (stat(b->path, &sb) == 0)
		return pp__fail(db, PP_EDATA, "%s: a backup of this second is "
		    "there already", b->path);
	unlink(tmp);
	if ((rc = open_file(db, tmp, 1, &to)) == PP_OK &&
	    (rc = copy_db(db, to, db->sql, tmp)) == PP_OK &&
	    (rc = intact(db, to, tmp)) == PP_OK && sqlite3_exec(to,
	    "PRAGMA journal_mode = DELETE", NULL, NULL, NULL) != SQLITE_OK)
		rc = pp__fail(db, PP_EINTERNAL, "%s: %s", tmp,
		    sqlite3_errmsg(to));
	sqlite3_close(to);
	if (rc == PP_OK && rename(tmp, b->path) == -1)
		rc = pp__fail(db, PP_EINTERNAL, "%s: %s", b->path,
		    strerror(errno));
	if (rc != PP_OK) {
		unlink(tmp);
		b->path[0] = '\0';
		return rc;
	}
	if (stat(b->path, &sb) == 0)
		b->bytes = (int64_t)sb.st_size;
	b->time = now;
	if (keep_days > 0)
		rc = prune(db, dir, pp__day_at(now, -keep_days, 0), name,
		    &b->removed);
	return rc;
}

/* report verify, its rows thrown away: PP_OK when every check passes. */
static int
verified(pp_db *db, pp_db *copy, const char *file)
{
	struct pp_report_opts o;
	pp_out *out = NULL;
	char err[PP_ERRMAX];
	FILE *fp;
	int rc;

	if ((fp = fopen("/dev/null", "w")) == NULL)
		return pp__fail(db, PP_EINTERNAL, "/dev/null: %s",
		    strerror(errno));
	memset(&o, 0, sizeof(o));
	o.from = INT64_MIN;
	o.to = INT64_MAX;
	rc = pp_report_run(copy, pp_report_find("verify"), &o, &out,
	    PP_FMT_CSV, fp, NULL, 0);
	if (out)
		pp_out_close(out, err, sizeof(err));
	fclose(fp);
	if (rc != PP_OK)
		return pp__fail(db, rc == PP_ERULE ? PP_EDATA : rc, "%s: refused, "
		    "as report verify fails on it: %s", file, pp_errmsg(copy));
	return PP_OK;
}

/*
 * The backup, copied to tmp beside the database and opened there as a
 * prepay database (an older one migrates there, never in the backup
 * itself), as *copy, once it passes every check.
 */
static int
checked_copy(pp_db *db, const char *file, const char *tmp, pp_db **copy)
{
	sqlite3 *from = NULL, *to = NULL;
	int rc;

	unlink(tmp);
	if ((rc = open_file(db, file, 0, &from)) == PP_OK &&
	    (rc = intact(db, from, file)) == PP_OK &&
	    (rc = open_file(db, tmp, 1, &to)) == PP_OK)
		rc = copy_db(db, to, from, file);
	sqlite3_close(from);
	sqlite3_close(to);
	if (rc == PP_OK && (rc = pp_db_open(copy, tmp, 0)) != PP_OK)
		rc = pp__fail(db, rc == PP_EINTERNAL ? PP_EDATA : rc, "%s: %s",
		    file, pp_errmsg(*copy));
	if (rc == PP_OK)
		rc = verified(db, *copy, file);
	return rc;
}

/* The checked backup replaces the live database's content. */
int
pp_backup_restore(pp_db *db, const char *file)
{
	char tmp[PATH_MAX];
	pp_db *copy = NULL;
	int rc;

	if ((rc = file_only(db)) != PP_OK)
		return rc;
	snprintf(tmp, sizeof(tmp), "%s.restore", db->path);
	if ((rc = checked_copy(db, file, tmp, &copy)) == PP_OK)
		rc = copy_db(db, db->sql, copy->sql, db->path);
	pp_db_close(copy);
	unlink(tmp);
	return rc;
}

/*
 * A database lost with its disk: there is nothing to copy into and no
 * operator to ask, so the backup says who may restore it, an admin of its
 * own, and the checked copy is renamed into the database's place.  With
 * the database there, *lost is 0 and nothing is done: pp_backup_restore
 * is the way.
 */
int
pp_backup_restore_lost(const char *path, const char *file, int *lost,
    char *err, size_t errlen)
{
	char tmp[PATH_MAX];
	struct stat sb;
	pp_db *db = NULL, *copy = NULL;
	int rc;

	/* A server's database is never a lost file (pp_backup_restore). */
	*lost = !pp_db_is_uri(path) && stat(path, &sb) == -1 && errno ==
	    ENOENT;
	if (!*lost)
		return PP_OK;
	/* A handle on nothing, that carries the errors. */
	pp_db_open(&db, path, 0);
	if (db == NULL)
		return PP_EINTERNAL;
	snprintf(tmp, sizeof(tmp), "%s.restore", path);
	if ((rc = checked_copy(db, file, tmp, &copy)) == PP_OK &&
	    (rc = pp_operator_may(copy, PP_ACT_RESTORE, NULL, 0)) != PP_OK)
		rc = pp__fail(db, rc, "%s: %s", file, pp_errmsg(copy));
	pp_db_close(copy);
	if (rc == PP_OK && rename(tmp, path) == -1)
		rc = pp__fail(db, PP_EINTERNAL, "%s: %s", path,
		    strerror(errno));
	unlink(tmp);
	snprintf(err, errlen, "%s", pp_errmsg(db));
	pp_db_close(db);
	return rc;
}
