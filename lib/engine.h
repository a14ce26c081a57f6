/*
 * The engine seam (doc/design.md, "Engines"): a prepared statement of
 * either database engine behind one set of calls, shaped as SQLite's, so
 * that the library's queries are written once.  An engine is a table of
 * its operations; engine-sqlite.c and engine-pg.c each give one, and only
 * db.c chooses.  Nothing above db.c names an engine.
 */
#ifndef PP_ENGINE_H
#define PP_ENGINE_H

#include <stdint.h>

typedef struct pp_db pp_db;
typedef struct pp__st pp__st;

/*
 * What a call gives: PP__OK, or for a step PP__ROW or PP__DONE; else the
 * kind of failure, of those the library tells apart.
 */
enum pp__step {
	PP__OK = 0,
	PP__ROW,		/* a row is ready */
	PP__DONE,		/* no more rows */
	PP__EBUSY,		/* another writer held the lock too long */
	PP__ECONSTRAINT,	/* a constraint or a trigger refused it */
	PP__EFULL,		/* the disk is full */
	PP__EREADONLY,		/* not writable, not found, no permission */
	PP__EPERM,		/* the server's grants refused the role it */
	PP__ENOTADB,		/* not a database of the engine */
	PP__ELOST,		/* the server's connection broke */
	PP__EFAIL		/* anything else: the message says */
};

struct pp__engine {
	const char	*name;
	/*
	 * A writing transaction, which takes the write lock at once (so
	 * that it never fails for it halfway), waiting up to db's timeout;
	 * a reading one, which sees one state of the database throughout.
	 */
	int	 (*begin_write)(pp_db *db);
	const char	*begin_read;
	/* A statement of db for sql into st->h. */
	int	 (*prepare)(pp_db *db, const char *sql, pp__st *st);
	void	 (*finalize)(pp__st *st);
	int	 (*step)(pp__st *st);
	/*
	 * A statement without rows whose caller needs only its success,
	 * in a transaction: run when the engine likes, before any other
	 * statement of db needs an answer, or at flush, which gives the
	 * first failure of them (PostgreSQL's pipeline: a round trip for
	 * many writes).  NULL: the engine steps it now.
	 */
	int	 (*step_later)(pp__st *st);
	int	 (*flush)(pp_db *db);
	void	 (*reset)(pp__st *st);
	void	 (*clear)(pp__st *st);
	/*
	 * Parameters from 1; text of n bytes (-1: to its NUL), kept until
	 * the step unless copied.
	 */
	int	 (*bind_int64)(pp__st *st, int i, int64_t v);
	int	 (*bind_text)(pp__st *st, int i, const char *s, int n, int copy);
	int	 (*bind_null)(pp__st *st, int i);
	/* Columns from 0, of the row the last step gave. */
	int64_t	 (*col_int64)(pp__st *st, int i);
	const char *(*col_text)(pp__st *st, int i);	/* NULL: NULL */
	int	 (*col_null)(pp__st *st, int i);
	/* The rows the last INSERT, UPDATE or DELETE of db changed. */
	int64_t	 (*changes)(pp_db *db);
	/* Every row any statement of db changed since it opened. */
	int64_t	 (*total_changes)(pp_db *db);
	/* Statements without parameters, one after another. */
	int	 (*exec)(pp_db *db, const char *script);
	/* The last failure of db: its kind (enum pp__step) and message. */
	int	 (*errkind)(pp_db *db);
	const char *(*errmsg)(pp_db *db);
	int	 (*in_tx)(pp_db *db);
	/*
	 * The engine's schema history (schema-sqlite.c, lib/pg/), the
	 * version a database is at, set in the migrating transaction, and
	 * the lock that makes one process migrate at a time, taken in it.
	 */
	const char *const *migrations;
	const int	*nmigrations;
	int	 (*version)(pp_db *db, int64_t *v);
	int	 (*set_version)(pp_db *db, int v);
	int	 (*lock_schema)(pp_db *db);
	/*
	 * A number that changes when another connection has committed a
	 * change (it may change for db's own too), to notice a sale's
	 * command between meters.
	 */
	int	 (*data_version)(pp_db *db, int64_t *v);
	/* The pages db keeps in memory, as kib kilobytes (0: the engine's). */
	int	 (*cache)(pp_db *db, int kib);
	/*
	 * Between statements: is db's connection gone (its server stopped,
	 * restarted or failed over), so that a long-lived caller opens it
	 * anew?  NULL where a database cannot be lost (a file).
	 */
	int	 (*lost)(pp_db *db);
	void	 (*close)(pp_db *db);
	/*
	 * A site's copy into another database (sitecopy.c).  columns_sql
	 * lists the site's tables, without the engine's own: a row (table,
	 * column, its place in the primary key from 1, else 0) for each
	 * column, in the table's order; references_sql a row (table, the
	 * table it references) for each foreign key.  hidden_column is the
	 * column every table of the engine has unlisted (SQLite's rowid),
	 * or NULL.  copied_script runs in the copy's transaction once every
	 * row is in, with its keys as given: what the engine keeps beside
	 * the rows catches up (PostgreSQL's identities and partitions).
	 */
	const char	*columns_sql;
	const char	*references_sql;
	const char	*hidden_column;
	const char	*copied_script;
	/*
	 * The readings' partitions made for the month of ?1 (Unix seconds)
	 * and the next, where the engine partitions them by month; NULL
	 * where it does not (db.c, pp__readings_months).
	 */
	const char	*months_sql;
};

/*
 * A statement: its engine's handle, and what the statement cache (db.c)
 * asks of it: where it is in its run (0 not stepped since its reset, 1
 * giving rows, 2 at its end or failed), and how many runs it has begun.
 */
struct pp__st {
	const struct pp__engine *e;
	pp_db		*db;
	void		*h;
	int		 stepped;
	int64_t		 runs;
};

extern const struct pp__engine pp__engine_sqlite;
extern const struct pp__engine pp__engine_pg;
extern const char *const pp__sqlite_migrations[];
extern const int pp__sqlite_nmigrations;
extern const char *const pp__pg_migrations[];
extern const int pp__pg_nmigrations;

int	 pp__step(pp__st *st);
/* step_later (engine.h), else a step. */
int	 pp__step_later(pp__st *st);
/* Has it given a row and not yet its end or its reset? */
int	 pp__busy(const pp__st *st);
void	 pp__reset(pp__st *st);
int	 pp__bind_int64(pp__st *st, int i, int64_t v);
/* s must last until the statement is stepped; see pp__bind_copy. */
int	 pp__bind_text(pp__st *st, int i, const char *s);
int	 pp__bind_copy(pp__st *st, int i, const char *s);
/* The first n bytes of s, copied. */
int	 pp__bind_slice(pp__st *st, int i, const char *s, int n);
int	 pp__bind_null(pp__st *st, int i);
int64_t	 pp__col_int64(pp__st *st, int i);
int	 pp__col_int(pp__st *st, int i);
const char *pp__col_str(pp__st *st, int i);
int	 pp__col_null(pp__st *st, int i);

#endif
