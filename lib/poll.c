/*
 * poll.c: polling.  One worker per bus, every bus at once: the worker
 * takes the bus's lock, runs the bus's due commands, reads its meters in
 * turn, and writes the readings, the meters' states and the daily roll-up
 * in one transaction.  A counter that runs backwards or jumps further than
 * the meter's load limit allows is stored flagged and never counts.
 */
#include <poll.h>
#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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
	int			 started;	/* the workers ran */
	pthread_mutex_t		 lock;
	/* Continuous (pp_poll_every): */
	int			 every;		/* s between cycles; -1: once */
	int			 stop_fd;	/* readable: stop */
	int			 failed;	/* a bus failed: all stop */
	long			 cycles;	/* buses' cycles emitted */
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

const char *
pp_poller_default(char buf[PP_KEYMAX])
{
	if (gethostname(buf, PP_KEYMAX) != 0 || buf[0] == '\0')
		snprintf(buf, PP_KEYMAX, "localhost");
	buf[PP_KEYMAX - 1] = '\0';
	return buf;
}

static const char *
poller_of(const struct pp_poll_opts *o, char buf[PP_KEYMAX])
{
	return o->poller ? o->poller : pp_poller_default(buf);
}

/*
 * Every gateway, building and meter asked for exists, each gateway is the
 * poller's, and the poller has some gateway when the site names pollers.
 */
static int
check_filters(pp_db *db, const struct pp_poll_opts *o)
{
	char buf[PP_KEYMAX], err[PP_ERRMAX];
	const char *poller = poller_of(o, buf);
	int64_t id, mine, named;
	int i, rc;

	if (pp__key_check("--poller", poller, PP_KEYMAX, err, sizeof(err)) !=
	    PP_OK)
		return pp__fail(db, PP_EUSAGE, "%s", err);
	for (i = 0; i < o->ngateways; i++) {
		if ((rc = pp__query_int(db, &id,
		    "SELECT id FROM gateways WHERE "
		    "name = ?", "t", o->gateways[i])) != PP_OK)
			return rc == PP_EDATA ? pp__fail(db, rc,
			    "gateway %s: no "
			    "such gateway", pp_q(o->gateways[i])) : rc;
		if ((rc = pp__query_int(db, &mine, "SELECT count(*) FROM "
		    "gateways WHERE id = ? AND (poller IS NULL OR poller = ?)",
		    "it", id, poller)) != PP_OK)
			return rc;
		if (!mine)
			return pp__fail(db, PP_EDATA, "gateway %s: polled by "
			    "another host (its poller:), not %s; give "
			    "--poller", pp_q(o->gateways[i]), pp_q(poller));
	}
	if ((rc = pp__query_int(db, &mine, "SELECT count(*) FROM gateways "
	    "WHERE poller IS NULL OR poller = ?", "t", poller)) != PP_OK ||
	    (rc = pp__query_int(db, &named, "SELECT count(*) FROM gateways "
	    "WHERE poller IS NOT NULL", "")) != PP_OK)
		return rc;
	if (mine == 0 && named > 0)
		return pp__fail(db, PP_EDATA, "poller %s: the site names no "
		    "gateway for it (poller:); give --poller", pp_q(poller));
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
target_of_row(pp__st *st, struct target *t)
{
	t->id = pp__col_int64(st, 0);
	t->gateway_id = pp__col_int64(st, 1);
	pp__col_text(st, 2, t->meter, sizeof(t->meter));
	pp__station_row(st, 2, 3, 12, &t->at);
	pp__col_text(st, 4, t->profile, sizeof(t->profile));
	t->has_energy = !pp__col_null(st, 5);
	t->energy_wh = pp__col_int64(st, 5);
	t->reading_time = pp__col_int64(st, 6);
	t->overload_w = pp__col_int64(st, 7);
	t->fails = pp__col_int(st, 8);
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
	char buf[PP_KEYMAX];
	const char *poller = poller_of(o, buf);
	pp__st *st;
	int rc, cap = 0;

	*jobs = NULL;
	*njobs = 0;
	if ((st = pp__stmt(db, "SELECT m.id, m.gateway_id, m.meter, "
	    "coalesce(m.unit, 0), m.profile, m.energy_wh, "
	    "coalesce(m.reading_time, 0), o.overload_w, m.fails, m.state, "
	    "g.name, coalesce(b.name, ''), coalesce(m.address, ''), g.poller "
	    "FROM meters "
	    "m JOIN meter_overloads o ON o.meter_id = m.id JOIN gateways g ON "
	    "g.id = m.gateway_id LEFT JOIN "
	    "buildings b ON b.id = m.building_id ORDER BY g.id, m.unit NULLS "
	    "FIRST, m.address NULLS FIRST")) == NULL)
		return PP_EINTERNAL;
	while ((rc = pp__step(st)) == PP__ROW) {
		const char *meter = pp__col_str(st, 2);
		const char *gw = pp__col_str(st, 10);
		const char *building = pp__col_str(st,
		    11);
		struct target *t;

		if ((!pp__col_null(st, 13) && strcmp(pp__col_str(st, 13),
		    poller) != 0) ||
		    (o->gateways && !listed(o->gateways, o->ngateways, gw)) ||
		    (o->building && strcmp(o->building, building) != 0) ||
		    (o->meters && !listed(o->meters, o->nmeters, meter)))
			continue;
		if ((t = new_target(jobs, njobs, &cap, pp__col_int64(st,
		    1))) == NULL) {
			pp__reset(st);
			return pp__fail(db, PP_EINTERNAL, "out of memory");
		}
		target_of_row(st, t);
	}
	pp__reset(st);
	if (rc != PP__DONE)
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

/* What a bus's worker keeps from one cycle to the next. */
struct bus_ctx {
	pp_db			*db;
	struct profile_cache	*cache;
	struct pp__bus		*bus;
	int64_t			 version;	/* the data version seen */
	int64_t			*tried;		/* commands run this cycle */
	size_t			 ntried, cap;
};

/* What between_meters decided. */
enum { GO, STOP, CUT };

/* The worker's own connection, audited as the poll's invocation. */
static int
ctx_open(struct poller *pl, struct bus_job *j, struct bus_ctx *c)
{
	memset(c, 0, sizeof(*c));
	c->version = -1;
	if ((c->cache = calloc(1, sizeof(*c->cache))) == NULL) {
		j->rc = PP_EINTERNAL;
		snprintf(j->error, sizeof(j->error), "out of memory");
		return j->rc;
	}
	if ((j->rc = pp_db_open(&c->db, pl->dbpath, 0)) != PP_OK ||
	    (j->rc = pp__audit_inherit(c->db, pl->db)) != PP_OK)
		snprintf(j->error, sizeof(j->error), "%s", pp_errmsg(c->db));
	return j->rc;
}

static void
ctx_close(struct bus_ctx *c)
{
	pp__bus_close(c->bus);
	pp_db_close(c->db);
	free(c->cache);
	free(c->tried);
}

/* The bus's due commands not yet tried this cycle, run in turn. */
static void
run_commands(struct bus_job *j, struct bus_ctx *c)
{
	const struct pp__profile *p;
	struct pp__cmd *due = NULL;
	char msg[PP_ERRMAX];
	size_t k;
	int i, ndue = 0;

	if (pp__commands_due(c->db, j->gw.id, &due, &ndue) != PP_OK)
		return;
	for (i = 0; i < ndue; i++) {
		for (k = 0; k < c->ntried && c->tried[k] != due[i].id; k++)
			;
		if (k < c->ntried || pp_grow(&c->tried, &c->cap, c->ntried + 1,
		    sizeof(*c->tried)) != PP_OK)
			continue;
		c->tried[c->ntried++] = due[i].id;
		if ((p = profile_of(c->cache, due[i].profile, msg,
		    sizeof(msg))) != NULL)
			pp__command_run(c->db, c->bus, &due[i], p, msg,
			    sizeof(msg));
	}
	free(due);
}

/* Another connection wrote since we last looked (a sale, a close). */
static int
others_wrote(struct bus_ctx *c)
{
	int64_t v;

	if (pp__data_version(c->db, &v) != PP_OK || v == c->version)
		return 0;
	c->version = v;
	return 1;
}

/* SIGTERM came (the stop descriptor reads), or another bus failed. */
static int
stopping(struct poller *pl)
{
	struct pollfd pfd = { pl->stop_fd, POLLIN, 0 };
	int failed;

	pthread_mutex_lock(&pl->lock);
	failed = pl->failed;
	pthread_mutex_unlock(&pl->lock);
	return failed || (pl->stop_fd >= 0 && poll(&pfd, 1, 0) > 0);
}

/*
 * Between two meters of a continuous poll: stop when asked; run what a
 * sale or a close queued meanwhile; and let go of the bus when another
 * process waits for it at the turnstile, taking it back after.
 */
static int
between_meters(struct poller *pl, struct bus_job *j, struct bus_ctx *c)
{
	char msg[PP_ERRMAX];

	if (stopping(pl))
		return STOP;
	/* Who waits at the turnstile runs its own command. */
	if (pp__bus_wanted(c->bus)) {
		pp__bus_close(c->bus);
		c->bus = NULL;
		if (pp__bus_open(pl->dbpath, &j->gw, pl->o->wait_ms, &c->bus,
		    msg, sizeof(msg)) != PP_OK)
			return CUT;
	}
	if (others_wrote(c))
		run_commands(j, c);
	return GO;
}

/* Read one meter; *down and msg carry a gateway refusing connections. */
static void
read_target(struct bus_ctx *c, struct target *t, int all_values, int *down,
    char *msg, size_t msglen)
{
	const struct pp__profile *p;

	t->time = pp_now();
	if (*down) {
		t->rc = PP_EUNREACH;
		t->fault = PP_FAULT_DOWN;
		snprintf(t->error, sizeof(t->error), "%s", msg);
		return;
	}
	if ((p = profile_of(c->cache, t->profile, t->error,
	    sizeof(t->error))) == NULL) {
		t->rc = PP_ECONFIG;
		t->fault = PP_FAULT_ERROR;
		return;
	}
	t->rc = pp__meter_read(c->db, c->bus, t->id, &t->at, p, all_values,
	    &t->values, t->error, sizeof(t->error));
	t->fault = c->bus->fault;
	if (t->rc == PP_OK)
		t->error[0] = '\0';
	/* A gateway that refuses connections is down for them all. */
	if (t->fault == PP_FAULT_DOWN) {
		*down = 1;
		snprintf(msg, msglen, "%s", t->error);
	}
}

/*
 * One cycle of a bus: take its lock, run its waiting commands, read its
 * meters in turn, let go of the bus and write what it learned.  A
 * continuous poll stopped or cut off between meters writes the meters
 * read so far (j->n becomes their number).
 */
static void
bus_cycle(struct poller *pl, struct bus_job *j, struct bus_ctx *c)
{
	char msg[PP_ERRMAX];
	int i, down = 0;

	j->busy = 0;
	c->ntried = 0;
	if (pp__bus_open(pl->dbpath, &j->gw, pl->o->wait_ms, &c->bus, msg,
	    sizeof(msg)) != PP_OK) {
		j->busy = 1;
		snprintf(j->error, sizeof(j->error), "%s", msg);
		return;
	}
	/* The bus's waiting commands go before its poll. */
	run_commands(j, c);
	for (i = 0; i < j->n; i++) {
		if (pl->every >= 0 && between_meters(pl, j, c) != GO)
			break;
		read_target(c, &j->t[i], pl->o->all_values, &down, msg,
		    sizeof(msg));
	}
	j->n = i;
	pp__bus_close(c->bus);
	c->bus = NULL;
	if ((j->rc = pp__store_bus(c->db, j)) != PP_OK)
		snprintf(j->error, sizeof(j->error), "%s", pp_errmsg(c->db));
}

static void
poll_bus(struct poller *pl, struct bus_job *j)
{
	struct bus_ctx c;

	if (ctx_open(pl, j, &c) == PP_OK)
		bus_cycle(pl, j, &c);
	ctx_close(&c);
}

/*
 * The bus's meters afresh for the next cycle, chosen as at the start
 * (select_targets): their counters, states and failures as stored.
 */
static int
refresh(struct poller *pl, struct bus_job *j, struct bus_ctx *c)
{
	struct bus_job *jobs;
	int i, n, rc;

	free(j->t);
	j->t = NULL;
	j->n = 0;
	if ((rc = select_targets(c->db, pl->o, &jobs, &n)) != PP_OK)
		snprintf(j->error, sizeof(j->error), "%s", pp_errmsg(c->db));
	for (i = 0; i < n; i++) {
		if (rc == PP_OK && jobs[i].gw.id == j->gw.id) {
			j->gw = jobs[i].gw;
			j->gw_fails = jobs[i].gw_fails;
			j->t = jobs[i].t;
			j->n = jobs[i].n;
			continue;
		}
		free(jobs[i].t);
	}
	free(jobs);
	return j->rc = rc;
}

static void	row_of(const struct bus_job *, const struct target *,
		    struct pp_poll_row *);

/* The bus's cycle, as poll rows, to the caller; one call at a time. */
static void
emit(struct poller *pl, const struct bus_job *j)
{
	struct pp_poll_row *rows;
	int k;

	if (j->n == 0 || (rows = calloc((size_t)j->n, sizeof(*rows))) ==
	    NULL)
		return;
	for (k = 0; k < j->n; k++)
		row_of(j, &j->t[k], &rows[k]);
	pthread_mutex_lock(&pl->lock);
	pl->cycles++;
	pl->o->cycle(pl->o->arg, rows, (size_t)j->n);
	pthread_mutex_unlock(&pl->lock);
	free(rows);
}

/*
 * Until a stop, or deadline on the monotonic clock: 1 when stopped.  A
 * clock held still (pp__clock_fixed) does not make the cycles wait.
 */
static int
idle_until(struct poller *pl, int64_t deadline)
{
	struct pollfd pfd = { pl->stop_fd, POLLIN, 0 };
	int64_t left;

	while (!stopping(pl)) {
		if (pp__clock_fixed() || (left = pp__link_now_ms() - deadline) >= 0)
			return 0;
		/* A second at most: another bus's failure stops us too. */
		poll(&pfd, 1, left < -1000 ? 1000 : (int)-left);
	}
	return 1;
}

/* A bus polled cycle after cycle, at most one cycle every pl->every s. */
static void
poll_bus_every(struct poller *pl, struct bus_job *j)
{
	struct bus_ctx c;
	int64_t start;

	if (ctx_open(pl, j, &c) == PP_OK)
		for (;;) {
			start = pp__link_now_ms();
			if (refresh(pl, j, &c) == PP_OK)
				bus_cycle(pl, j, &c);
			if (j->rc != PP_OK)
				break;
			emit(pl, j);
			if (idle_until(pl, start + (int64_t)pl->every * 1000))
				break;
		}
	ctx_close(&c);
	pthread_mutex_lock(&pl->lock);
	pl->failed |= j->rc != PP_OK;
	pthread_mutex_unlock(&pl->lock);
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
		if (pl->every >= 0)
			poll_bus_every(pl, &pl->jobs[i]);
		else
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
 * counted from local midnight, has not started yet; never, when the site
 * polls continuously.
 */
int
pp_poll_due(pp_db *db, const char *poller, int *due, int64_t *slot)
{
	char buf[PP_KEYMAX];
	int64_t now = pp_now(), minutes, id;
	int rc;

	/* A site polled continuously (poll_seconds) has no slots to poll. */
	*slot = now;
	*due = 0;
	if (pp_poll_seconds(db) > 0)
		return PP_OK;
	minutes = pp__setting_int(db, "poll_minutes", PP_POLL_MINUTES);
	if (minutes < 1 || minutes > 1440)
		minutes = PP_POLL_MINUTES;
	*slot = pp__day_at(now, 0, (int)(pp__clock_minutes(now) / minutes *
	    minutes));
	/* This poller's, or one from before pollers were recorded. */
	rc = pp__query_int(db, &id, "SELECT id FROM polls WHERE started >= ?1 "
	    "AND started <= ?2 AND (poller IS NULL OR poller = ?3) LIMIT 1",
	    "iit", *slot, now, poller ? poller : pp_poller_default(buf));
	if (rc != PP_OK && rc != PP_EDATA)
		return rc;
	*due = rc == PP_EDATA;
	return PP_OK;
}

int64_t
pp_poll_seconds(pp_db *db)
{
	return pp__setting_int(db, "poll_seconds", 0);
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
	char buf[PP_KEYMAX];

	if (o->ngateways != 0 || o->nmeters != 0 || o->building != NULL)
		return PP_OK;
	return pp__exec(db, "INSERT INTO polls(started, poller) VALUES (?, ?)",
	    "it", pp_now(), poller_of(o, buf));
}

/*
 * Select the meters and run the workers over their buses, nthreads of
 * them (0: one a bus), until they end; the first bus's failure.
 */
static int
run_workers(pp_db *db, struct poller *pl, int nthreads)
{
	pthread_t *threads = NULL;
	int i, rc;

	pl->db = db;
	pl->dbpath = db->path;
	if ((rc = select_targets(db, pl->o, &pl->jobs, &pl->njobs)) != PP_OK ||
	    (pl->every < 0 && (rc = poll_start(db, pl->o)) != PP_OK))
		return rc;
	pl->started = 1;
	if (nthreads <= 0 || nthreads > pl->njobs)
		nthreads = pl->njobs;
	if (nthreads > 0 && (threads = calloc((size_t)nthreads,
	    sizeof(*threads))) == NULL)
		return pp__fail(db, PP_EINTERNAL, "out of memory");
	pthread_mutex_init(&pl->lock, NULL);
	for (i = 0; i < nthreads; i++)
		if (pthread_create(&threads[i], NULL, worker, pl) != 0) {
			rc = pp__fail(db, PP_EINTERNAL,
			    "cannot start a worker");
			nthreads = i;
			/* Those started stop after their cycle. */
			pthread_mutex_lock(&pl->lock);
			pl->failed = 1;
			pthread_mutex_unlock(&pl->lock);
			break;
		}
	for (i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
	pthread_mutex_destroy(&pl->lock);
	free(threads);
	for (i = 0; i < pl->njobs && rc == PP_OK; i++)
		if (pl->jobs[i].rc != PP_OK)
			rc = pp__fail(db, pl->jobs[i].rc, "gateway %s: %s",
			    pl->jobs[i].gw.name, pl->jobs[i].error);
	return rc;
}

static void
free_jobs(struct poller *pl)
{
	int i;

	for (i = 0; i < pl->njobs; i++)
		free(pl->jobs[i].t);
	free(pl->jobs);
}

int
pp_poll(pp_db *db, const struct pp_poll_opts *o, struct pp_poll_row **rows,
    size_t *nrows)
{
	struct poller pl;
	size_t total = 0, at = 0;
	int i, k, rc;

	*rows = NULL;
	*nrows = 0;
	memset(&pl, 0, sizeof(pl));
	pl.o = o;
	pl.every = -1;
	pl.stop_fd = -1;
	rc = run_workers(db, &pl, o->jobs);
	/*
	 * Each bus stored on its own: those that did are committed, and
	 * their rows are given even when another bus failed.
	 */
	for (i = 0; pl.started && i < pl.njobs; i++)
		if (pl.jobs[i].rc == PP_OK)
			total += (size_t)pl.jobs[i].n;
	if (total && (*rows = calloc(total, sizeof(**rows))) == NULL) {
		free_jobs(&pl);
		return pp__fail(db, PP_EINTERNAL, "out of memory");
	}
	for (i = 0; i < pl.njobs && total; i++)
		for (k = 0; pl.jobs[i].rc == PP_OK && k < pl.jobs[i].n; k++)
			row_of(&pl.jobs[i], &pl.jobs[i].t[k], &(*rows)[at++]);
	*nrows = at;
	free_jobs(&pl);
	return rc;
}

int
pp_poll_every(pp_db *db, const struct pp_poll_opts *o, int every,
    int stop_fd, long *cycles)
{
	struct poller pl;
	int rc;

	memset(&pl, 0, sizeof(pl));
	pl.o = o;
	pl.every = every;
	pl.stop_fd = stop_fd;
	rc = run_workers(db, &pl, 0);
	*cycles = pl.cycles;
	free_jobs(&pl);
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
