/*
 * poll.c: polling.  One worker per bus, every bus at once: the worker
 * takes the bus's lock, runs the bus's due commands, reads its meters in
 * turn, and writes the readings, the meters' states and the daily roll-up
 * in one transaction.  A counter that runs backwards or jumps further than
 * the meter's load limit allows is stored flagged and never counts.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "field.h"
#include "store.h"

const pp_column pp_poll_columns[PP_POLL_NCOLS] = {
	{ "time", PP_COL_TEXT }, { "meter", PP_COL_TEXT },
	{ "gateway", PP_COL_TEXT }, { "state", PP_COL_TEXT },
	{ "energy_kwh", PP_COL_KWH }, { "power_w", PP_COL_INT },
	{ "voltage_v", PP_COL_KWH }, { "current_a", PP_COL_KWH },
	{ "balance", PP_COL_MONEY }, { "buy_count", PP_COL_INT },
	{ "relay", PP_COL_TEXT }, { "error", PP_COL_TEXT },
};

struct poller {
	const pp_db		*db;	/* whose invocation the workers audit */
	const char		*dbpath;
	const struct pp_poll_opts *o;
	struct bus_job		*jobs;
	int			 njobs, next, done;
	pthread_mutex_t		 lock;
};

/* "0101070722" is in list. */
static int
listed(const char *const *list, int n, const char *s)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(list[i], s) == 0)
			return 1;
	return 0;
}

/* Every gateway, building and meter asked for exists. */
static int
check_filters(pp_db *db, const struct pp_poll_opts *o)
{
	int64_t id;
	int i, rc;

	for (i = 0; i < o->ngateways; i++)
		if ((rc = pp__query_int(db, &id,
		    "SELECT id FROM gateways WHERE "
		    "name = ?", "t", o->gateways[i])) != PP_OK)
			return rc == PP_EDATA ? pp__fail(db, rc,
			    "gateway %s: no "
			    "such gateway", pp_q(o->gateways[i])) : rc;
	for (i = 0; i < o->nmeters; i++)
		if ((rc = pp__query_int(db, &id, "SELECT id FROM meters WHERE "
		    "meter = ?", "t", o->meters[i])) != PP_OK)
			return rc == PP_EDATA ? pp__fail(db, rc, "meter %s: no "
			    "such meter", pp_q(o->meters[i])) : rc;
	if (o->building && (rc = pp__query_int(db, &id, "SELECT id FROM "
	    "buildings WHERE name = ?", "t", o->building)) != PP_OK)
		return rc == PP_EDATA ? pp__fail(db, rc, "building %s: no such "
		    "building", pp_q(o->building)) : rc;
	return PP_OK;
}

/*
 * A new target at the end of the jobs, in a new job when its gateway is
 * not the last job's; NULL when out of memory.
 */
static struct target *
new_target(struct bus_job **jobs, int *njobs, int *cap, int64_t gateway_id)
{
	struct bus_job *j = *jobs, *grown;
	struct target *t;

	if (*njobs == 0 || j[*njobs - 1].gw.id != gateway_id) {
		if (*njobs == *cap) {
			*cap = *cap ? *cap * 2 : 16;
			if ((grown = realloc(j, (size_t)*cap * sizeof(*j))) ==
			    NULL)
				return NULL;
			*jobs = j = grown;
		}
		memset(&j[*njobs], 0, sizeof(j[0]));
		j[*njobs].gw.id = gateway_id;
		(*njobs)++;
	}
	j += *njobs - 1;
	if ((t = realloc(j->t, (size_t)(j->n + 1) * sizeof(*t))) == NULL)
		return NULL;
	j->t = t;
	t += j->n++;
	memset(t, 0, sizeof(*t));
	return t;
}

/* A target from a row of select_targets' query. */
static void
target_of_row(sqlite3_stmt *st, struct target *t)
{
	t->id = sqlite3_column_int64(st, 0);
	t->gateway_id = sqlite3_column_int64(st, 1);
	pp__col_text(st, 2, t->meter, sizeof(t->meter));
	pp__station_row(st, 2, 3, 12, &t->at);
	pp__col_text(st, 4, t->profile, sizeof(t->profile));
	t->has_energy = sqlite3_column_type(st, 5) != SQLITE_NULL;
	t->energy_wh = sqlite3_column_int64(st, 5);
	t->reading_time = sqlite3_column_int64(st, 6);
	t->overload_w = sqlite3_column_int64(st, 7);
	t->fails = sqlite3_column_int(st, 8);
	pp__col_text(st, 9, t->state, sizeof(t->state));
}

/* Each job's gateway and its failures in a row. */
static int
load_gateways(pp_db *db, struct bus_job *j, int njobs)
{
	int64_t fails;
	int i;

	for (i = 0; i < njobs; i++) {
		fails = 0;
		if (pp__gateway_get(db, j[i].gw.id, &j[i].gw) != PP_OK ||
		    pp__query_int(db, &fails,
		    "SELECT fails FROM gateways WHERE "
		    "id = ?", "i", j[i].gw.id) != PP_OK)
			return PP_EINTERNAL;
		j[i].gw_fails = (int)fails;
	}
	return PP_OK;
}

/* The chosen meters, grouped by gateway in site order. */
static int
select_targets(pp_db *db, const struct pp_poll_opts *o, struct bus_job **jobs,
    int *njobs)
{
	sqlite3_stmt *st;
	int rc, cap = 0;

	*jobs = NULL;
	*njobs = 0;
	if ((st = pp__stmt(db, "SELECT m.id, m.gateway_id, m.meter, "
	    "coalesce(m.unit, 0), m.profile, m.energy_wh, "
	    "coalesce(m.reading_time, 0), o.overload_w, m.fails, m.state, "
	    "g.name, coalesce(b.name, ''), coalesce(m.address, '') FROM meters "
	    "m JOIN meter_overloads o ON o.meter_id = m.id JOIN gateways g ON "
	    "g.id = m.gateway_id LEFT JOIN "
	    "buildings b ON b.id = m.building_id ORDER BY g.id, m.unit, "
	    "m.address")) == NULL)
		return PP_EINTERNAL;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *meter = (const char *)sqlite3_column_text(st, 2);
		const char *gw = (const char *)sqlite3_column_text(st, 10);
		const char *building = (const char *)sqlite3_column_text(st,
		    11);
		struct target *t;

		if ((o->gateways && !listed(o->gateways, o->ngateways, gw)) ||
		    (o->building && strcmp(o->building, building) != 0) ||
		    (o->meters && !listed(o->meters, o->nmeters, meter)))
			continue;
		if ((t = new_target(jobs, njobs, &cap, sqlite3_column_int64(st,
		    1))) == NULL) {
			sqlite3_reset(st);
			return pp__fail(db, PP_EINTERNAL, "out of memory");
		}
		target_of_row(st, t);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return pp__sqlfail(db, "meters");
	if ((rc = check_filters(db, o)) != PP_OK)
		return rc;
	return load_gateways(db, *jobs, *njobs);
}

struct profile_cache {
	struct pp__profile	p[8];
	int			n;
};

static const struct pp__profile *
profile_of(struct profile_cache *c, const char *name, char *err,
    size_t errlen)
{
	int i;

	for (i = 0; i < c->n; i++)
		if (strcmp(c->p[i].name, name) == 0)
			return &c->p[i];
	if (c->n == 8)
		c->n = 0;
	if (pp__profile_load(name, &c->p[c->n], err, errlen) != PP_OK)
		return NULL;
	return &c->p[c->n++];
}

static void
poll_bus(struct poller *pl, struct bus_job *j)
{
	struct profile_cache *cache;
	struct pp__cmd *due = NULL;
	struct pp__bus *bus = NULL;
	const struct pp__profile *p;
	pp_db *db = NULL;
	char msg[PP_ERRMAX];
	int i, ndue = 0, down = 0;

	if ((cache = calloc(1, sizeof(*cache))) == NULL) {
		j->rc = PP_EINTERNAL;
		snprintf(j->error, sizeof(j->error), "out of memory");
		return;
	}
	if ((j->rc = pp_db_open(&db, pl->dbpath, 0)) != PP_OK ||
	    (j->rc = pp__audit_inherit(db, pl->db)) != PP_OK) {
		snprintf(j->error, sizeof(j->error), "%s", pp_errmsg(db));
		goto out;
	}
	if (pp__bus_open(pl->dbpath, &j->gw, pl->o->wait_ms, &bus, msg,
	    sizeof(msg)) != PP_OK) {
		j->busy = 1;
		snprintf(j->error, sizeof(j->error), "%s", msg);
		goto out;
	}
	/* The bus's waiting commands go before its poll. */
	if (pp__commands_due(db, j->gw.id, &due, &ndue) == PP_OK)
		for (i = 0; i < ndue; i++)
			if ((p = profile_of(cache, due[i].profile, msg,
			    sizeof(msg))) != NULL)
				pp__command_run(db, bus, &due[i], p, msg,
				    sizeof(msg));
	for (i = 0; i < j->n; i++) {
		struct target *t = &j->t[i];

		t->time = pp_now();
		if (down) {
			t->rc = PP_EUNREACH;
			t->fault = PP_FAULT_DOWN;
			snprintf(t->error, sizeof(t->error), "%s", msg);
			continue;
		}
		if ((p = profile_of(cache, t->profile, t->error,
		    sizeof(t->error))) == NULL) {
			t->rc = PP_ECONFIG;
			t->fault = PP_FAULT_ERROR;
			continue;
		}
		t->rc = pp__bus_read(bus, &t->at, p, &t->values, t->error,
		    sizeof(t->error));
		t->fault = bus->fault;
		if (t->rc == PP_OK)
			t->error[0] = '\0';
		/* A gateway that refuses connections is down for them all. */
		if (t->fault == PP_FAULT_DOWN) {
			down = 1;
			snprintf(msg, sizeof(msg), "%s", t->error);
		}
	}
	pp__bus_close(bus);
	bus = NULL;
	if ((j->rc = pp__store_bus(db, j)) != PP_OK)
		snprintf(j->error, sizeof(j->error), "%s", pp_errmsg(db));
out:
	free(due);
	pp__bus_close(bus);
	pp_db_close(db);
	free(cache);
}

static void *
worker(void *arg)
{
	struct poller *pl = arg;
	int i;

	for (;;) {
		pthread_mutex_lock(&pl->lock);
		i = pl->next < pl->njobs ? pl->next++ : -1;
		pthread_mutex_unlock(&pl->lock);
		if (i < 0)
			return NULL;
		poll_bus(pl, &pl->jobs[i]);
		pthread_mutex_lock(&pl->lock);
		pl->done++;
		if (pl->o->progress)
			pl->o->progress(pl->o->arg, pl->done, pl->njobs);
		pthread_mutex_unlock(&pl->lock);
	}
}

static void
row_of(const struct bus_job *j, const struct target *t,
    struct pp_poll_row *r)
{
	memset(r, 0, sizeof(*r));
	r->time = t->time ? t->time : pp_now();
	snprintf(r->meter, sizeof(r->meter), "%s", t->meter);
	snprintf(r->gateway, sizeof(r->gateway), "%s", j->gw.name);
	r->state = j->busy ? PP_LINK_BUSY : pp__link_parse(t->state);
	if (t->rc == PP_OK)
		pp__meter_values_set(&r->values, &t->values);
	snprintf(r->error, sizeof(r->error), "%s", j->busy ? j->error :
	    t->error);
	r->ok = !j->busy && t->rc == PP_OK;
}

void
pp_poll_row_values(const struct pp_poll_row *r, struct pp_poll_text *text,
    const char *values[PP_POLL_NCOLS])
{
	size_t i;

	memset(text, 0, sizeof(*text));
	pp_time_format(r->time, text->col[0]);
	snprintf(text->col[1], sizeof(text->col[1]), "%s", r->meter);
	snprintf(text->col[2], sizeof(text->col[2]), "%s", r->gateway);
	snprintf(text->col[3], sizeof(text->col[3]), "%s",
	    pp__link_name(r->state));
	for (i = 4; i < PP_POLL_NCOLS - 1; i++)
		pp__meter_value_text(&r->values, pp_poll_columns[i].name,
		    text->col[i], sizeof(text->col[i]));
	snprintf(text->col[11], sizeof(text->col[11]), "%.71s", r->error);
	for (i = 0; i < PP_POLL_NCOLS; i++)
		values[i] = text->col[i];
}

/*
 * The first poll of the poll_minutes slot that now is in, the slots
 * counted from local midnight, has not started yet.
 */
int
pp_poll_due(pp_db *db, int *due, int64_t *slot)
{
	int64_t now = pp_now(), minutes, id;
	int rc;

	minutes = pp__setting_int(db, "poll_minutes", PP_POLL_MINUTES);
	if (minutes < 1 || minutes > 1440)
		minutes = PP_POLL_MINUTES;
	*slot = pp__day_at(now, 0, (int)(pp__clock_minutes(now) / minutes *
	    minutes));
	rc = pp__query_int(db, &id, "SELECT id FROM polls WHERE started >= ?1 "
	    "AND started <= ?2 LIMIT 1", "ii", *slot, now);
	if (rc != PP_OK && rc != PP_EDATA)
		return rc;
	*due = rc == PP_EDATA;
	return PP_OK;
}

/*
 * A poll of every meter is recorded as it starts, for pp_poll_due, at
 * once and on its own: the schedule's bookkeeping, like the run's own
 * audit record, not a change of the site's (its audit entry says what the
 * poll did).  A poll of some gateways or meters is not the schedule's.
 */
static int
poll_start(pp_db *db, const struct pp_poll_opts *o)
{
	if (o->ngateways != 0 || o->nmeters != 0 || o->building != NULL)
		return PP_OK;
	return pp__exec(db, "INSERT INTO polls(started) VALUES (?)", "i",
	    pp_now());
}

int
pp_poll(pp_db *db, const struct pp_poll_opts *o, struct pp_poll_row **rows,
    size_t *nrows)
{
	struct poller pl;
	pthread_t *threads = NULL;
	size_t total = 0, at = 0;
	int i, k, nthreads, rc;

	*rows = NULL;
	*nrows = 0;
	memset(&pl, 0, sizeof(pl));
	pl.db = db;
	pl.dbpath = db->path;
	pl.o = o;
	if ((rc = select_targets(db, o, &pl.jobs, &pl.njobs)) != PP_OK ||
	    (rc = poll_start(db, o)) != PP_OK)
		goto out;
	nthreads = o->jobs > 0 && o->jobs < pl.njobs ? o->jobs : pl.njobs;
	pthread_mutex_init(&pl.lock, NULL);
	if (nthreads > 0 && (threads = calloc((size_t)nthreads,
	    sizeof(*threads))) == NULL) {
		rc = pp__fail(db, PP_EINTERNAL, "out of memory");
		goto out;
	}
	for (i = 0; i < nthreads; i++)
		if (pthread_create(&threads[i], NULL, worker, &pl) != 0) {
			rc = pp__fail(db, PP_EINTERNAL,
			    "cannot start a worker");
			nthreads = i;
			break;
		}
	for (i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
	pthread_mutex_destroy(&pl.lock);
	if (rc != PP_OK)
		goto out;
	for (i = 0; i < pl.njobs; i++) {
		total += (size_t)pl.jobs[i].n;
		if (pl.jobs[i].rc != PP_OK && rc == PP_OK)
			rc = pp__fail(db, pl.jobs[i].rc, "gateway %s: %s",
			    pl.jobs[i].gw.name, pl.jobs[i].error);
	}
	if (total && (*rows = calloc(total, sizeof(**rows))) == NULL) {
		rc = pp__fail(db, PP_EINTERNAL, "out of memory");
		goto out;
	}
	for (i = 0; i < pl.njobs; i++)
		for (k = 0; k < pl.jobs[i].n; k++)
			row_of(&pl.jobs[i], &pl.jobs[i].t[k], &(*rows)[at++]);
	*nrows = at;
out:
	for (i = 0; i < pl.njobs; i++)
		free(pl.jobs[i].t);
	free(pl.jobs);
	free(threads);
	return rc;
}

int
pp_reading_import_row(pp_db *db, const pp_csv *row)
{
	struct pp__hand_reading h;
	int rc;

	if ((rc = pp__hand_reading(db, row, &h)) != PP_OK)
		return rc;
	return pp__reading_store(db, h.meter_id, h.time, h.energy_wh,
	    h.balance);
}
