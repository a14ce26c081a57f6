/*
 * The PostgreSQL engine (engine.h), on libpq (doc/design.md, "Engines").
 * The library's queries are SQLite's dialect where it is standard; this
 * engine changes only what no function can stand in for: the parameters
 * (?, ?N become $N) and SQLite's index hints (INDEXED BY x, NOT INDEXED),
 * which it drops.
 * The functions SQLite has and PostgreSQL lacks (strftime, printf, scalar
 * min and max, ...) are the PostgreSQL schema's own (lib/pg/).
 *
 * A statement is prepared on the server once per handle, and run at its
 * first step.  A query's rows then come one at a time as the steps ask
 * for them (libpq's single-row mode), so that a query of millions of rows
 * (verify's, a report's) is never held whole; until another statement
 * needs the connection, which first reads the rest in (settle).  Any
 * other statement's whole result comes back at its first step, but for
 * the writes the store sends together (step_later): their results are
 * read once something else needs the connection (pipeline_end).
 */
#include <ctype.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "internal.h"

/*
 * PostgreSQL's own limit: its protocol counts parameters in 16 bits.  A
 * statement's parameters are allocated for its number of them (a site's
 * copy binds a few thousand at a time, sitecopy.c).
 */
#define PG_MAXPARAMS	65535

/*
 * A statement the server could not type without its parameters' types
 * ($1 IS NULL OR x = $1) is prepared once for each set of them it is run
 * with (typed_name), up to this many.
 */
#define PG_TYPINGS	4

/* The most writes sent before their results are read (pg_step_later). */
#define PG_PIPELINE_MAX	256

struct pg_stmt {
	char		 name[24];	/* "": prepared only when typed */
	char		*sql;		/* PostgreSQL's text */
	int		 nparams;
	char		*kind;		/* each 'i', 't' or 'n' bound */
	struct {
		char	*kinds;
		char	 name[24];
	}		 typed[PG_TYPINGS];
	int		 ntyped;
	const char	**value;
	char		**copy;		/* owned text */
	char		(*num)[24];	/* integers as text */
	PGresult	*res;
	int		 row, nrows;
	int		 query;		/* a SELECT: its rows may stream */
	int		 streaming;	/* more rows to come from the server */
	int		 in_tx;		/* began in a transaction */
	PGresult	*rest;		/* the rows read in by settle */
	PGresult	*failure;	/* met by settle after them */
	int		 oom;		/* settle ran out of memory */
	int		 ran;		/* stepped since its reset */
};

/* A failure's kind from its SQLSTATE (PostgreSQL's appendix A). */
static int
state_kind(const char *state)
{
	if (state == NULL)
		return PP__EFAIL;
	/* Lock not available, deadlock, serialization, lock timeout. */
	if (strcmp(state, "55P03") == 0 || strcmp(state, "40P01") == 0 ||
	    strcmp(state, "40001") == 0 || strcmp(state, "57014") == 0)
		return PP__EBUSY;
	/* Integrity constraints; a trigger's RAISE EXCEPTION (P0001). */
	if (strncmp(state, "23", 2) == 0 || strcmp(state, "P0001") == 0)
		return PP__ECONSTRAINT;
	if (strcmp(state, "53100") == 0)
		return PP__EFULL;
	/* Connection exceptions; the server shutting down or starting. */
	if (strncmp(state, "08", 2) == 0 || strncmp(state, "57P0", 4) == 0)
		return PP__ELOST;
	/*
	 * Insufficient privilege: the role's grants (lib/pg/003-roles.sql)
	 * do not allow it, whatever the site file says of its login.
	 */
	if (strcmp(state, "42501") == 0)
		return PP__EPERM;
	/* Read-only transaction, no database, a refused login. */
	if (strcmp(state, "25006") == 0 || strcmp(state, "3D000") == 0 ||
	    strncmp(state, "28", 2) == 0)
		return PP__EREADONLY;
	return PP__EFAIL;
}

/* The handle's last failure, kept from res (which is not freed here). */
static int
failed(pp_db *db, const PGresult *res)
{
	const char *msg = NULL;

	db->pg_kind = state_kind(res ? PQresultErrorField(res,
	    PG_DIAG_SQLSTATE) : NULL);
	/*
	 * A server gone (killed, shut down, failed over): libpq marks the
	 * connection bad, with or without a SQLSTATE of class 08 or 57P0x.
	 */
	if (PQstatus(db->pg) == CONNECTION_BAD)
		db->pg_kind = PP__ELOST;
	if (res)
		msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	if (msg == NULL)
		msg = PQerrorMessage(db->pg);
	snprintf(db->pg_err, sizeof(db->pg_err), "%s", msg);
	/* libpq's own messages end in a newline. */
	db->pg_err[strcspn(db->pg_err, "\n")] = '\0';
	return db->pg_kind;
}

/* Is sql[i] the start of word w, standing alone? */
static int
word_at(const char *sql, size_t i, const char *w)
{
	size_t n = strlen(w);

	return strncasecmp(sql + i, w, n) == 0 && (i == 0 ||
	    !(sql[i - 1] == '_' || isalnum((unsigned char)sql[i - 1]))) &&
	    !(sql[i + n] == '_' || isalnum((unsigned char)sql[i + n]));
}

/*
 * sql in PostgreSQL's terms: ? and ?N become $N (the first ? is $1, a
 * bare ? after ?N is $N+1, as SQLite numbers them), and "INDEXED BY
 * name" and "NOT INDEXED" go; nothing inside quotes is touched.  NULL:
 * out of memory.  The number of parameters in *nparams.
 */
static char *
translate(const char *sql, int *nparams)
{
	size_t i, n = strlen(sql), o = 0;
	char *out, quote = 0;
	int next = 1, most = 0, k;

	/* Each ? may grow to $NN: at most three bytes for one. */
	if ((out = malloc(3 * n + 1)) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		char c = sql[i];

		if (quote) {
			out[o++] = c;
			if (c == quote)
				quote = 0;
			continue;
		}
		if (c == '\'' || c == '"') {
			quote = c;
			out[o++] = c;
			continue;
		}
		if (c == '?') {
			if (isdigit((unsigned char)sql[i + 1])) {
				k = (int)strtol(sql + i + 1, NULL, 10);
				while (isdigit((unsigned char)sql[i + 1]))
					i++;
			} else
				k = next;
			next = k + 1;
			most = k > most ? k : most;
			o += (size_t)sprintf(out + o, "$%d", k);
			continue;
		}
		if (word_at(sql, i, "NOT") && word_at(sql, i + 4, "INDEXED") &&
		    !word_at(sql, i + 12, "BY")) {
			/* NOT INDEXED: skip the two words. */
			i += 11;
			continue;
		}
		if (word_at(sql, i, "INDEXED") && word_at(sql, i + 8, "BY")) {
			/* INDEXED BY name: skip the three words. */
			for (i += 10; sql[i] == ' '; i++)
				;
			while (sql[i] == '_' || isalnum((unsigned char)sql[i]))
				i++;
			i--;
			continue;
		}
		out[o++] = c;
	}
	out[o] = '\0';
	*nparams = most;
	return out;
}

/* The results left of the connection's last run, thrown away. */
static void
drain(pp_db *db)
{
	PGresult *res;

	while ((res = PQgetResult(db->pg)) != NULL)
		PQclear(res);
}

/* s's stream is over: the connection is free for another statement. */
static void
stream_end(pp_db *db, struct pg_stmt *s)
{
	if (!s->streaming)
		return;
	drain(db);
	s->streaming = 0;
	db->pg_stream = NULL;
}

static void
clear_result(pp_db *db, struct pg_stmt *s)
{
	stream_end(db, s);
	PQclear(s->res);
	PQclear(s->rest);
	PQclear(s->failure);
	s->res = s->rest = s->failure = NULL;
	s->row = -1;
	s->nrows = 0;
	s->ran = s->oom = 0;
}

/*
 * The rows of res appended to s's rest, which is made for them; -1: out
 * of memory.
 */
static int
keep_rows(struct pg_stmt *s, const PGresult *res)
{
	int r, i, row;

	if (s->rest == NULL &&
	    (s->rest = PQcopyResult(res, PG_COPYRES_ATTRS)) == NULL)
		return -1;
	row = PQntuples(s->rest);
	for (r = 0; r < PQntuples(res); r++, row++)
		for (i = 0; i < PQnfields(res); i++)
			if (!PQsetvalue(s->rest, row, i,
			    PQgetisnull(res, r, i) ? NULL :
			    PQgetvalue(res, r, i), PQgetisnull(res, r, i) ?
			    -1 : PQgetlength(res, r, i)))
				return -1;
	return 0;
}

/*
 * The streaming query's rows still to come, read into one result (rest)
 * that its later steps walk, so that another statement can have the
 * connection.  Its row now stays where it is: its columns' text may be
 * in use.  A failure on the way (the server's, the connection's, memory)
 * is kept for the step that would have met it.
 */
static void
settle(pp_db *db)
{
	struct pg_stmt *s = db->pg_stream;
	PGresult *res;
	ExecStatusType status;

	if (s == NULL)
		return;
	while ((res = PQgetResult(db->pg)) != NULL) {
		status = PQresultStatus(res);
		if (status != PGRES_SINGLE_TUPLE &&
		    status != PGRES_TUPLES_OK) {
			s->failure = res;
			break;
		}
		if (keep_rows(s, res) == -1) {
			PQclear(res);
			s->failure = PQmakeEmptyPGresult(NULL,
			    PGRES_FATAL_ERROR);
			s->oom = 1;
			break;
		}
		PQclear(res);
		if (status == PGRES_TUPLES_OK)
			break;
	}
	stream_end(db, s);
}

/*
 * The writes sent without waiting (pg_step_later), their results read:
 * the first failure of them, the rest of them refused by the server once
 * one failed (their transaction fails whole).  The connection leaves
 * pipeline mode.
 */
static int
pipeline_end(pp_db *db)
{
	PGresult *res;
	ExecStatusType status;
	int kind = PP__OK, nulls = 0;

	if (db->pg_queued == 0)
		return PP__OK;
	if (!PQpipelineSync(db->pg))
		kind = failed(db, NULL);
	/* Each write's results end in a NULL; the sync's does not. */
	for (;;) {
		if ((res = PQgetResult(db->pg)) == NULL) {
			if (++nulls > db->pg_queued)
				break;
			continue;
		}
		status = PQresultStatus(res);
		if (status == PGRES_PIPELINE_SYNC) {
			PQclear(res);
			break;
		}
		if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
			if (*PQcmdTuples(res) != '\0') {
				db->pg_changes = strtoll(PQcmdTuples(res),
				    NULL, 10);
				db->pg_total_changes += db->pg_changes;
			}
		} else if (status != PGRES_PIPELINE_ABORTED && kind == PP__OK)
			kind = failed(db, res);
		PQclear(res);
	}
	db->pg_queued = 0;
	(void)PQexitPipelineMode(db->pg);
	return kind;
}

/*
 * The connection free for a statement: a stream's rows read in, the
 * writes sent read back.  A failure of those writes not yet told.
 */
static int
idle(pp_db *db)
{
	int kind;

	settle(db);
	kind = pipeline_end(db);
	if (kind == PP__OK)
		kind = db->pg_held;
	db->pg_held = PP__OK;
	return kind;
}

/*
 * Where a failure cannot be told (changes), it is held for the next
 * statement.
 */
static void
hold_failure(pp_db *db)
{
	int kind = pipeline_end(db);

	if (db->pg_held == PP__OK)
		db->pg_held = kind;
}

/*
 * PQprepare, which in a transaction is tried in a savepoint: a failed
 * prepare would end the transaction it is in.
 */
static PGresult *
prepare_safely(pp_db *db, const char *name, const char *sql, int n,
    const Oid *types)
{
	int in_tx = PQtransactionStatus(db->pg) == PQTRANS_INTRANS;
	PGresult *res;

	if (in_tx)
		PQclear(PQexec(db->pg, "SAVEPOINT pp_prepare"));
	res = PQprepare(db->pg, name, sql, n, types);
	if (in_tx)
		PQclear(PQexec(db->pg, PQresultStatus(res) == PGRES_COMMAND_OK ?
		    "RELEASE pp_prepare" : "ROLLBACK TO pp_prepare; RELEASE "
		    "pp_prepare"));
	return res;
}

/*
 * Did res fail over a parameter's type: one the server could not settle
 * (42P08, 42P18), or settled so that an operator or a function does not
 * fit (42883, 42804, 42725)?
 */
static int
type_trouble(const PGresult *res)
{
	static const char *const states[] = { "42P08", "42P18", "42883",
	    "42804", "42725" };
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	size_t i;

	for (i = 0; state && i < sizeof(states) / sizeof(states[0]); i++)
		if (strcmp(state, states[i]) == 0)
			return 1;
	return 0;
}

/* A statement's own memory, and the statement. */
static void
stmt_free(struct pg_stmt *s)
{
	int k;

	for (k = 0; k < s->ntyped; k++)
		free(s->typed[k].kinds);
	free(s->kind);
	free(s->value);
	free(s->copy);
	free(s->num);
	free(s->sql);
	free(s);
}

/* Room for s's parameters, each bound NULL. */
static int
params_alloc(struct pg_stmt *s)
{
	size_t n = s->nparams > 0 ? (size_t)s->nparams : 1;

	if ((s->kind = malloc(n)) == NULL ||
	    (s->value = calloc(n, sizeof(*s->value))) == NULL ||
	    (s->copy = calloc(n, sizeof(*s->copy))) == NULL ||
	    (s->num = calloc(n, sizeof(*s->num))) == NULL)
		return -1;
	memset(s->kind, 'n', n);
	return 0;
}

static int
pg_prepare(pp_db *db, const char *sql, pp__st *st)
{
	struct pg_stmt *s;
	PGresult *res;
	char *text;
	int kind = PP__OK;

	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (text = translate(sql, &s->nparams)) == NULL) {
		free(s);
		snprintf(db->pg_err, sizeof(db->pg_err), "out of memory");
		return db->pg_kind = PP__EFAIL;
	}
	s->sql = text;
	if (s->nparams > PG_MAXPARAMS) {
		stmt_free(s);
		snprintf(db->pg_err, sizeof(db->pg_err), "a query of more "
		    "than %d parameters", PG_MAXPARAMS);
		return db->pg_kind = PP__EFAIL;
	}
	if (params_alloc(s) == -1) {
		stmt_free(s);
		snprintf(db->pg_err, sizeof(db->pg_err), "out of memory");
		return db->pg_kind = PP__EFAIL;
	}
	s->query = word_at(text + strspn(text, " \t\n("), 0, "SELECT") ||
	    word_at(text + strspn(text, " \t\n("), 0, "WITH");
	snprintf(s->name, sizeof(s->name), "pp%ld", ++db->pg_statements);
	/*
	 * A failure of the writes sent is theirs, told by the statement
	 * that needs an answer: this one is prepared when it runs, which
	 * tells it then.
	 */
	if ((db->pg_held = idle(db)) != PP__OK) {
		s->name[0] = '\0';
		s->row = -1;
		st->h = s;
		return PP__OK;
	}
	res = prepare_safely(db, s->name, text, 0, NULL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		/*
		 * A parameter whose type the server could not settle, or
		 * settled so that an operator or a function does not fit:
		 * typed when it runs, by what it is bound to (typed_name).
		 */
		if (type_trouble(res))
			s->name[0] = '\0';
		else
			kind = failed(db, res);
	}
	PQclear(res);
	if (kind != PP__OK) {
		stmt_free(s);
		return kind;
	}
	s->row = -1;
	st->h = s;
	return PP__OK;
}

/*
 * The name s runs under with its parameters as bound now, if it is
 * prepared for them already: its own, or that of their types; else "".
 */
static const char *
prepared_name(const struct pg_stmt *s)
{
	int k;

	if (s->name[0])
		return s->name;
	for (k = 0; k < s->ntyped; k++)
		if (memcmp(s->typed[k].kinds, s->kind, (size_t)s->nparams) == 0)
			return s->typed[k].name;
	return "";
}

/*
 * The name of s prepared for the types of its parameters as bound now;
 * NULL with db's failure set.
 */
static const char *
typed_name(pp_db *db, struct pg_stmt *s)
{
	Oid *types;
	PGresult *res;
	const char *known;
	int i, k, attempt;

	if (*(known = prepared_name(s)) != '\0')
		return known;
	if (s->ntyped == PG_TYPINGS) {
		snprintf(db->pg_err, sizeof(db->pg_err), "a statement run with "
		    "more than %d sets of parameter types", PG_TYPINGS);
		db->pg_kind = PP__EFAIL;
		return NULL;
	}
	k = s->ntyped;
	if ((types = calloc((size_t)s->nparams + 1, sizeof(*types))) == NULL ||
	    (s->typed[k].kinds = malloc((size_t)s->nparams + 1)) == NULL) {
		free(types);
		snprintf(db->pg_err, sizeof(db->pg_err), "out of memory");
		db->pg_kind = PP__EFAIL;
		return NULL;
	}
	/*
	 * Integers int8 and text text; a NULL is left to the server (its
	 * place in the query types it), or, if that does not settle it,
	 * text.  A query whose NULL needs another type says so with a CAST.
	 */
	for (attempt = 0; attempt < 2; attempt++) {
		for (i = 0; i < s->nparams; i++)
			types[i] = s->kind[i] == 'i' ? 20 : s->kind[i] == 't' ||
			    attempt ? 25 : 0;
		snprintf(s->typed[k].name, sizeof(s->typed[k].name), "pp%ld",
		    ++db->pg_statements);
		res = prepare_safely(db, s->typed[k].name, s->sql,
		    s->nparams, types);
		if (PQresultStatus(res) == PGRES_COMMAND_OK)
			break;
		if (attempt == 1 || !type_trouble(res)) {
			failed(db, res);
			PQclear(res);
			free(types);
			free(s->typed[k].kinds);
			s->typed[k].kinds = NULL;
			return NULL;
		}
		PQclear(res);
	}
	PQclear(res);
	free(types);
	memcpy(s->typed[k].kinds, s->kind, (size_t)s->nparams);
	s->ntyped++;
	return s->typed[k].name;
}

static void
unbind(struct pg_stmt *s)
{
	int i;

	for (i = 0; i < s->nparams; i++) {
		free(s->copy[i]);
		s->copy[i] = NULL;
		s->value[i] = NULL;
		s->kind[i] = 'n';
	}
}

static void
pg_finalize(pp__st *st)
{
	struct pg_stmt *s = st->h;

	if (s == NULL)
		return;
	clear_result(st->db, s);
	unbind(s);
	/*
	 * The server's prepared statements go with the connection: the
	 * cache finalizes only as the handle closes (db.c), and the
	 * statements made at run time are a few a table (sitecopy.c).
	 */
	stmt_free(s);
	st->h = NULL;
}

/*
 * The end of s's run at a failure: res's (NULL: the connection's), or
 * memory's.  Its kind; a step again gives PP__DONE, not a rerun.
 */
static int
run_failed(pp_db *db, struct pg_stmt *s, PGresult *res)
{
	int kind;

	if (s->oom) {
		snprintf(db->pg_err, sizeof(db->pg_err), "out of memory");
		kind = db->pg_kind = PP__EFAIL;
	} else
		kind = failed(db, res);
	PQclear(res);
	clear_result(db, s);
	s->ran = 1;
	return kind;
}

/*
 * s's next rows, once its row is the last of those it has: the rows
 * settle read in, the failure it met, else the server's next.
 */
static int
next_rows(pp_db *db, struct pg_stmt *s)
{
	PGresult *res;
	ExecStatusType status;

	s->row = s->nrows;
	if (s->rest != NULL) {
		PQclear(s->res);
		s->res = s->rest;
		s->rest = NULL;
		s->nrows = PQntuples(s->res);
		s->row = 0;
		if (s->nrows > 0)
			return PP__ROW;
	}
	if (s->failure != NULL) {
		res = s->failure;
		s->failure = NULL;
		return run_failed(db, s, res);
	}
	if (!s->streaming)
		return PP__DONE;
	res = PQgetResult(db->pg);
	status = PQresultStatus(res);
	if (res == NULL || (status != PGRES_SINGLE_TUPLE &&
	    status != PGRES_TUPLES_OK))
		return run_failed(db, s, res);
	PQclear(s->res);
	s->res = res;
	s->nrows = PQntuples(res);
	s->row = 0;
	if (status == PGRES_TUPLES_OK)
		stream_end(db, s);
	if (s->nrows > 0)
		return PP__ROW;
	return PP__DONE;
}

/*
 * s's first step: a query is sent, its rows to come one by one; any
 * other statement's whole result comes back.
 */
static int
run(pp_db *db, struct pg_stmt *s)
{
	const char *name;
	ExecStatusType status;
	int kind;

	if ((kind = idle(db)) != PP__OK)
		return kind;
	if ((name = typed_name(db, s)) == NULL)
		return db->pg_kind;
	s->ran = 1;
	if (s->query) {
		s->in_tx = PQtransactionStatus(db->pg) != PQTRANS_IDLE;
		if (!PQsendQueryPrepared(db->pg, name, s->nparams, s->value,
		    NULL, NULL, 0))
			return run_failed(db, s, NULL);
		/* Refused, the rows come whole: the same steps walk them. */
		(void)PQsetSingleRowMode(db->pg);
		s->streaming = 1;
		db->pg_stream = s;
		return next_rows(db, s);
	}
	s->res = PQexecPrepared(db->pg, name, s->nparams, s->value, NULL,
	    NULL, 0);
	status = PQresultStatus(s->res);
	if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
		PGresult *res = s->res;

		s->res = NULL;
		return run_failed(db, s, res);
	}
	s->nrows = status == PGRES_TUPLES_OK ? PQntuples(s->res) : 0;
	/*
	 * As SQLite counts changes: an INSERT, UPDATE or DELETE, with
	 * RETURNING or not, sets them; a SELECT or a BEGIN leaves them.
	 */
	if (*PQcmdTuples(s->res) != '\0' &&
	    strncmp(PQcmdStatus(s->res), "SELECT", 6) != 0) {
		db->pg_changes = strtoll(PQcmdTuples(s->res), NULL, 10);
		db->pg_total_changes += db->pg_changes;
	}
	s->row = 0;
	return s->nrows > 0 ? PP__ROW : PP__DONE;
}

static int
pg_step(pp__st *st)
{
	struct pg_stmt *s = st->h;

	if (!s->ran)
		return run(st->db, s);
	if (++s->row < s->nrows)
		return PP__ROW;
	return next_rows(st->db, s);
}

/*
 * A write sent, its result left for pipeline_end: the store's writes of
 * a reading are one round trip, not one each (doc/design.md, "Engines").
 * Only a write whose parameters' types are known (typed_name prepares
 * at the server, which the pipeline does not allow), in a transaction.
 */
static int
pg_step_later(pp__st *st)
{
	struct pg_stmt *s = st->h;
	pp_db *db = st->db;
	const char *name = prepared_name(s);
	int k;

	if (s->query || !name[0])
		return pg_step(st);
	/* Their results are few bytes, but never more than the sockets hold. */
	if (db->pg_queued == PG_PIPELINE_MAX)
		hold_failure(db);
	if (db->pg_queued == 0) {
		settle(db);
		if (!PQenterPipelineMode(db->pg))
			return pg_step(st);
	}
	if (!PQsendQueryPrepared(db->pg, name, s->nparams, s->value, NULL,
	    NULL, 0)) {
		/* The connection's failure, unless one sent before failed. */
		if ((k = pipeline_end(db)) == PP__OK)
			k = failed(db, NULL);
		return k;
	}
	db->pg_queued++;
	s->ran = 1;
	s->nrows = 0;
	s->row = 0;
	return PP__DONE;
}

static int
pg_flush(pp_db *db)
{
	return idle(db);
}

static void
pg_reset(pp__st *st)
{
	clear_result(st->db, st->h);
}

static void
pg_clear(pp__st *st)
{
	unbind(st->h);
}

static int
pg_bind_int64(pp__st *st, int i, int64_t v)
{
	struct pg_stmt *s = st->h;

	if (i < 1 || i > s->nparams)
		return PP__EFAIL;
	free(s->copy[i - 1]);
	s->copy[i - 1] = NULL;
	snprintf(s->num[i - 1], sizeof(s->num[i - 1]), "%lld", (long long)v);
	s->value[i - 1] = s->num[i - 1];
	s->kind[i - 1] = 'i';
	return PP__OK;
}

static int
pg_bind_text(pp__st *st, int i, const char *text, int n, int copy)
{
	struct pg_stmt *s = st->h;
	char *fixed;

	if (i < 1 || i > s->nparams)
		return PP__EFAIL;
	free(s->copy[i - 1]);
	s->copy[i - 1] = NULL;
	if (copy || n >= 0) {
		if ((s->copy[i - 1] = n >= 0 ? strndup(text, (size_t)n) :
		    strdup(text)) == NULL)
			return PP__EFAIL;
		text = s->copy[i - 1];
	}
	/*
	 * The server takes valid UTF-8 only, and refuses a statement given
	 * anything else.  What the tools store is checked (pp__text_check),
	 * so such a value is one looked up, a target from a hostile list:
	 * bound with U+FFFD for its bad bytes it finds nothing, as on
	 * SQLite, where no stored value has them.
	 */
	if (pp__utf8_fix(text, &fixed) != PP_OK)
		return PP__EFAIL;
	if (fixed != NULL) {
		free(s->copy[i - 1]);
		s->copy[i - 1] = fixed;
		text = fixed;
	}
	s->value[i - 1] = text;
	s->kind[i - 1] = 't';
	return PP__OK;
}

static int
pg_bind_null(pp__st *st, int i)
{
	struct pg_stmt *s = st->h;

	if (i < 1 || i > s->nparams)
		return PP__EFAIL;
	free(s->copy[i - 1]);
	s->copy[i - 1] = NULL;
	s->value[i - 1] = NULL;
	s->kind[i - 1] = 'n';
	return PP__OK;
}

static const char *
cell(pp__st *st, int i)
{
	struct pg_stmt *s = st->h;

	if (s->res == NULL || s->row < 0 || s->row >= s->nrows ||
	    i < 0 || i >= PQnfields(s->res) || PQgetisnull(s->res, s->row, i))
		return NULL;
	return PQgetvalue(s->res, s->row, i);
}

/*
 * An integer as SQLite gives one: a boolean is 1 or 0, a numeric (a sum
 * of bigints) its integer part, text its leading number.
 */
static int64_t
pg_col_int64(pp__st *st, int i)
{
	const char *v = cell(st, i);

	if (v == NULL)
		return 0;
	if (v[0] == 't' && v[1] == '\0')
		return 1;
	return strtoll(v, NULL, 10);
}

static const char *
pg_col_text(pp__st *st, int i)
{
	return cell(st, i);
}

static int
pg_col_null(pp__st *st, int i)
{
	struct pg_stmt *s = st->h;

	return s->res == NULL || s->row < 0 || s->row >= s->nrows ||
	    i >= PQnfields(s->res) || PQgetisnull(s->res, s->row, i);
}

static int64_t
pg_changes(pp_db *db)
{
	hold_failure(db);
	return db->pg_changes;
}

static int64_t
pg_total_changes(pp_db *db)
{
	hold_failure(db);
	return db->pg_total_changes;
}

static int
pg_exec(pp_db *db, const char *script)
{
	PGresult *res;
	ExecStatusType status;
	int kind = PP__OK;

	/*
	 * A failure of the writes sent is their transaction's: it is told,
	 * and the transaction is not committed, but its ROLLBACK runs.
	 */
	if ((kind = idle(db)) != PP__OK && strcmp(script, "ROLLBACK") != 0)
		return kind;
	res = PQexec(db->pg, script);
	status = PQresultStatus(res);

	if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
		kind = failed(db, res);
	PQclear(res);
	return kind;
}

static int
pg_errkind(pp_db *db)
{
	return db->pg_kind;
}

static const char *
pg_errmsg(pp_db *db)
{
	return db->pg_err;
}

static int
pg_in_tx(pp_db *db)
{
	/*
	 * A query's rows to come leave the connection ACTIVE; writes are
	 * sent without waiting only in a transaction.
	 */
	if (db->pg_stream != NULL)
		return db->pg_stream->in_tx;
	if (db->pg_queued > 0)
		return 1;
	return PQtransactionStatus(db->pg) != PQTRANS_IDLE;
}

/*
 * One writer at a time, across hosts, as on SQLite: every writing
 * transaction appends to the audit log's chain, and a sale to the
 * ledger's and its day's serials, so each takes the writers' lock first
 * (an advisory lock of the transaction), waiting up to the handle's
 * timeout (lock_timeout: 55P03, busy).  Gap-free serials, one chain
 * without a fork and unique refs follow (doc/design.md, "Engines").
 */
static int
pg_begin_write(pp_db *db)
{
	char sql[160];

	snprintf(sql, sizeof(sql), "BEGIN; SET LOCAL lock_timeout = %d; "
	    "SELECT pg_advisory_xact_lock(7703, 0)", db->timeout_ms > 0 ?
	    db->timeout_ms : 1);
	return pg_exec(db, sql);
}

/* The one value of a query without parameters, as an integer. */
static int
query_int(pp_db *db, const char *sql, int64_t *v)
{
	PGresult *res;
	int kind = PP__OK;

	if ((kind = idle(db)) != PP__OK)
		return kind;
	res = PQexec(db->pg, sql);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
		kind = failed(db, res);
	else
		*v = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return kind;
}

/*
 * The next transaction id the server will give: it moves when any
 * transaction that wrote began, ours too, which only makes the poller
 * look for commands once more.
 */
static int
pg_data_version(pp_db *db, int64_t *v)
{
	return query_int(db, "SELECT pg_snapshot_xmax(pg_current_snapshot())"
	    "::text", v);
}

/* The server keeps its own pages: nothing to set. */
static int
pg_cache(pp_db *db, int kib)
{
	(void)db;
	(void)kib;
	return PP__OK;
}

/* One row of pp_schema, made by the first migration (lib/pg/). */
static int
pg_version(pp_db *db, int64_t *v)
{
	int kind;

	if ((kind = query_int(db, "SELECT CASE WHEN to_regclass('pp_schema') "
	    "IS NULL THEN 0 ELSE -1 END", v)) != PP__OK || *v != -1)
		return kind;
	return query_int(db, "SELECT version FROM pp_schema", v);
}

static int
pg_set_version(pp_db *db, int v)
{
	char sql[64];

	snprintf(sql, sizeof(sql), "UPDATE pp_schema SET version = %d", v);
	return pg_exec(db, sql);
}

/* Until the migrating transaction ends: one process migrates. */
static int
pg_lock_schema(pp_db *db)
{
	return pg_exec(db, "SELECT pg_advisory_xact_lock(7703, 1)");
}

/*
 * A server that stopped closed its end: reading what is there lets libpq
 * see so without a round trip.  A backend's last words (its FATAL) come
 * before the end, and one read may take only them: read while there is
 * something to.  A host that vanished still looks connected until a
 * statement times out.
 */
static int
pg_lost(pp_db *db)
{
	struct pollfd p;

	p.fd = PQsocket(db->pg);
	p.events = POLLIN;
	if (db->pg_stream == NULL && db->pg_queued == 0)
		while (PQstatus(db->pg) == CONNECTION_OK && p.fd >= 0 &&
		    poll(&p, 1, 0) == 1 && PQconsumeInput(db->pg))
			;
	return PQstatus(db->pg) != CONNECTION_OK;
}

static void
pg_close(pp_db *db)
{
	PQfinish(db->pg);
	db->pg = NULL;
}

/*
 * The process's zone by name, for the session's TimeZone, which the
 * schema's strftime(..., 'localtime') reads: TZ when it names one, else
 * the system's (/etc/timezone, or the link /etc/localtime).
 */
static void
zone_name(char *buf, size_t size)
{
	const char *tz = getenv("TZ");
	char link[PATH_MAX];
	const char *p;
	ssize_t n;
	FILE *fp;

	buf[0] = '\0';
	if (tz && *tz && *tz != ':') {
		snprintf(buf, size, "%s", tz);
		return;
	}
	if ((n = readlink("/etc/localtime", link, sizeof(link) - 1)) > 0) {
		link[n] = '\0';
		if ((p = strstr(link, "zoneinfo/")) != NULL) {
			snprintf(buf, size, "%s", p + 9);
			return;
		}
	}
	if ((fp = fopen("/etc/timezone", "r")) != NULL) {
		if (fgets(buf, (int)size, fp) == NULL)
			buf[0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		fclose(fp);
	}
	if (buf[0] == '\0')
		snprintf(buf, size, "UTC");
}

/* A host libpq reaches by a Unix socket: a directory, or an abstract name. */
static int
is_socket(const char *host)
{
	return host[0] == '/' || host[0] == '@';
}

/* keyword's value in opts, else in defs (either may be NULL); NULL: none. */
static const char *
option(const PQconninfoOption *opts, const PQconninfoOption *defs,
    const char *keyword)
{
	const PQconninfoOption *o;

	for (o = opts; o && o->keyword; o++)
		if (strcmp(o->keyword, keyword) == 0 && o->val)
			return o->val;
	for (o = defs; o && o->keyword; o++)
		if (strcmp(o->keyword, keyword) == 0 && o->val)
			return o->val;
	return NULL;
}

/*
 * Would the connection go over TCP without insisting on TLS?  Asked
 * before connecting: once connected in clear it is too late, since a
 * password may have gone to whoever answered, which may ask for it in
 * clear.  What the URI gives, else the environment's (PGHOST,
 * PGHOSTADDR, PGSSLMODE: PQconndefaults); a service file's settings are
 * not seen, so a service over TCP needs sslmode in the URI.  An empty
 * host in a list of hosts is the default socket.
 */
static int
tcp_without_tls(const char *uri)
{
	PQconninfoOption *opts, *defs;
	const char *host, *addr, *mode, *h;
	size_t n;
	int tcp = 0, strict;

	/* A URI libpq cannot read: PQconnectdb says why. */
	if ((opts = PQconninfoParse(uri, NULL)) == NULL)
		return 0;
	defs = PQconndefaults();
	host = option(opts, defs, "host");
	addr = option(opts, defs, "hostaddr");
	mode = option(opts, defs, "sslmode");
	for (h = host; h && *h && !tcp; h += n + (h[n] == ',')) {
		n = strcspn(h, ",");
		tcp = n > 0 && !is_socket(h);
	}
	/* A hostaddr is always reached over TCP. */
	if (addr && addr[strspn(addr, ",")] != '\0')
		tcp = 1;
	strict = mode && (strcmp(mode, "require") == 0 ||
	    strcmp(mode, "verify-ca") == 0 || strcmp(mode, "verify-full") == 0);
	PQconninfoFree(opts);
	PQconninfoFree(defs);
	return tcp && !strict;
}

static void
drop_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/*
 * libpq prints the server's notices and warnings on stderr by itself (a
 * FATAL as the server goes down, say): the library prints nothing, and
 * what went wrong reaches the tool as the failure's one line.
 */
void
pp__pg_quiet(struct pg_conn *pg)
{
	if (pg)
		PQsetNoticeProcessor(pg, drop_notice, NULL);
}

int
pp__pg_open(pp_db *db, const char *uri)
{
	static const char plain[] = "the connection over TCP would not be "
	    "encrypted: give sslmode=verify-full (or require) in the URI, and "
	    "TLS on the server";
	char zone[128];
	const char *values[2] = { zone, NULL };
	PGresult *res;
	int kind;

	const char *host;

	/*
	 * Over TCP the ledger goes over a network: encrypted, or not at all
	 * (doc/design.md, "Engines"), and refused before a byte goes out.
	 */
	if (tcp_without_tls(uri)) {
		snprintf(db->pg_err, sizeof(db->pg_err), "%s", plain);
		return db->pg_kind = PP__EREADONLY;
	}
	db->pg = PQconnectdb(uri);
	pp__pg_quiet(db->pg);
	if (PQstatus(db->pg) != CONNECTION_OK) {
		failed(db, NULL);
		return db->pg_kind = PP__EREADONLY;
	}
	/* Said again of the connection made, whatever led libpq to it. */
	host = PQhost(db->pg);
	if (host && !is_socket(host) && !PQsslInUse(db->pg)) {
		snprintf(db->pg_err, sizeof(db->pg_err), "%s", plain);
		return db->pg_kind = PP__EREADONLY;
	}
	/* Errors in the messages the tools print, not the server's notices. */
	zone_name(zone, sizeof(zone));
	res = PQexecParams(db->pg, "SELECT set_config('TimeZone', $1, false), "
	    "set_config('client_min_messages', 'warning', false), "
	    "session_user", 1, NULL, values, NULL, NULL, 0);
	kind = PQresultStatus(res) == PGRES_TUPLES_OK ? PP__OK :
	    failed(db, res);
	/*
	 * The operator is the role the server authenticated: on a socket,
	 * by peer authentication, the Unix login; over TCP, the role that
	 * gave its password or certificate.
	 */
	if (kind == PP__OK && strlen(PQgetvalue(res, 0, 2)) < sizeof(db->login))
		snprintf(db->login, sizeof(db->login), "%s", PQgetvalue(res, 0,
		    2));
	else if (kind == PP__OK) {
		snprintf(db->pg_err, sizeof(db->pg_err), "role name too long");
		kind = db->pg_kind = PP__EREADONLY;
	}
	PQclear(res);
	return kind;
}

const struct pp__engine pp__engine_pg = {
	.name = "postgresql",
	.begin_write = pg_begin_write,
	.begin_read = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
	.prepare = pg_prepare,
	.finalize = pg_finalize,
	.step = pg_step,
	.step_later = pg_step_later,
	.flush = pg_flush,
	.reset = pg_reset,
	.clear = pg_clear,
	.bind_int64 = pg_bind_int64,
	.bind_text = pg_bind_text,
	.bind_null = pg_bind_null,
	.col_int64 = pg_col_int64,
	.col_text = pg_col_text,
	.col_null = pg_col_null,
	.changes = pg_changes,
	.total_changes = pg_total_changes,
	.exec = pg_exec,
	.errkind = pg_errkind,
	.errmsg = pg_errmsg,
	.in_tx = pg_in_tx,
	.migrations = pp__pg_migrations,
	.nmigrations = &pp__pg_nmigrations,
	.version = pg_version,
	.set_version = pg_set_version,
	.lock_schema = pg_lock_schema,
	.data_version = pg_data_version,
	.cache = pg_cache,
	.lost = pg_lost,
	.close = pg_close,
	/*
	 * The schema's tables: partitions and pp_schema are the engine's,
	 * and a month's partition detached by prepay_archive() is the
	 * archive's, not the site's (lib/pg/005).
	 */
	.columns_sql = "SELECT c.relname, a.attname, coalesce(array_position("
	    "k.indkey::int2[], a.attnum), 0) FROM pg_class c JOIN pg_namespace "
	    "n ON n.oid = c.relnamespace JOIN pg_attribute a ON a.attrelid = "
	    "c.oid AND a.attnum > 0 AND NOT a.attisdropped LEFT JOIN pg_index "
	    "k ON k.indrelid = c.oid AND k.indisprimary WHERE n.nspname = "
	    "current_schema() AND c.relkind IN ('r', 'p') AND NOT "
	    "c.relispartition AND c.relname <> 'pp_schema' AND c.relname !~ "
	    "'^reading_(rows|extras)_[0-9]{4}_[0-9]{2}$' ORDER BY "
	    "c.relname, a.attnum",
	.references_sql = "SELECT c.relname, r.relname FROM pg_constraint f "
	    "JOIN pg_class c ON c.oid = f.conrelid JOIN pg_class r ON r.oid = "
	    "f.confrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE "
	    "f.contype = 'f' AND n.nspname = current_schema() AND NOT "
	    "c.relispartition",
	.hidden_column = NULL,
	/*
	 * Ids were given: each identity moves past its table's highest.
	 * The readings went into the DEFAULT partitions: their months get
	 * partitions of their own, which takes them out (002-tables.sql).
	 */
	.copied_script = "SELECT prepay_sync_identities(); "
	    "SELECT count(*) FROM (SELECT min(lo) AS lo, max(hi) AS hi FROM "
	    "(SELECT min(time) AS lo, max(time) AS hi FROM reading_rows_default "
	    "UNION ALL SELECT min(time), max(time) FROM reading_extras_default) "
	    "AS d) AS r, LATERAL (SELECT date_trunc('month', to_timestamp(r.lo) "
	    "AT TIME ZONE 'UTC') AS m0, date_trunc('month', to_timestamp(r.hi) "
	    "AT TIME ZONE 'UTC') AS m1) AS m, LATERAL prepay_partitions(r.lo, "
	    "((extract(year FROM m.m1) - extract(year FROM m.m0)) * 12 + "
	    "extract(month FROM m.m1) - extract(month FROM m.m0) + 1)::int) "
	    "WHERE r.lo IS NOT NULL",
	.months_sql = "SELECT count(*) FROM prepay_partitions(?1, 2)",
};
