/*
 * command.c: remote commands are rows that go pending -> sent -> done, or
 * failed, and only a read-back makes one done.  A recharge carries the
 * meter's next purchase count, which the meter accepts once: it is sent
 * only while the meter's own count shows it has not landed, so it lands
 * exactly once however often replies are lost.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "field.h"

#define ERR(code, ...)	pp__fail(db, code, __VA_ARGS__)
/* Attempts before a command other than a recharge is given up. */
#define MAX_ATTEMPTS	10
/* Refusals of a recharge before its verdict (a busy meter may take it). */
#define RECHARGE_TRIES	3

const pp_column pp_state_columns[PP_STATE_NCOLS] = {
	{ "time", PP_COL_TEXT }, { "meter", PP_COL_TEXT },
	{ "gateway", PP_COL_TEXT }, { "state", PP_COL_TEXT },
	{ "energy_kwh", PP_COL_KWH }, { "import_kwh", PP_COL_KWH },
	{ "energy_peak_kwh", PP_COL_KWH }, { "energy_valley_kwh", PP_COL_KWH },
	{ "power_w", PP_COL_INT }, { "voltage_v", PP_COL_KWH },
	{ "current_a", PP_COL_KWH }, { "pf", PP_COL_KWH },
	{ "freq_hz", PP_COL_KWH }, { "balance", PP_COL_MONEY },
	{ "buy_count", PP_COL_INT }, { "relay", PP_COL_TEXT },
	{ "keep", PP_COL_TEXT }, { "mode", PP_COL_TEXT },
	{ "status", PP_COL_TEXT }, { "price", PP_COL_PRICE },
	{ "alarm1", PP_COL_MONEY }, { "alarm2", PP_COL_MONEY },
	{ "overload_w", PP_COL_INT }, { "clock", PP_COL_TEXT },
	{ "error", PP_COL_TEXT },
};

static const char *const actions[] = { "trip", "close", "keep", "unkeep",
	"prepay", "manual", "price", "settings", "time", NULL };

int
pp_action_check(const char *action)
{
	int i;

	for (i = 0; actions[i]; i++)
		if (strcmp(actions[i], action) == 0)
			return PP_OK;
	return PP_EUSAGE;
}

#define CMD_COLS "c.id, c.meter_id, m.gateway_id, coalesce(c.amount, 0), " \
	"coalesce(c.buy_count, 0), coalesce(m.unit, 0), c.attempts, m.meter, " \
	"m.profile, c.action, coalesce(c.value, ''), coalesce(m.address, '')"

static void
cmd_row(pp__st *st, struct pp__cmd *c)
{
	memset(c, 0, sizeof(*c));
	c->id = pp__col_int64(st, 0);
	c->meter_id = pp__col_int64(st, 1);
	c->gateway_id = pp__col_int64(st, 2);
	c->amount = pp__col_int64(st, 3);
	c->buy_count = pp__col_int64(st, 4);
	pp__station_row(st, 7, 5, 11, &c->at);
	c->attempts = pp__col_int(st, 6);
	pp__col_text(st, 7, c->meter, sizeof(c->meter));
	pp__col_text(st, 8, c->profile, sizeof(c->profile));
	pp__col_text(st, 9, c->action, sizeof(c->action));
	pp__col_text(st, 10, c->value, sizeof(c->value));
}

int
pp__commands_due(pp_db *db, int64_t gateway_id, struct pp__cmd **list, int *n)
{
	pp__st *st;
	size_t cap = 0;
	int rc;

	*list = NULL;
	*n = 0;
	if ((st = pp__stmt(db, "SELECT " CMD_COLS
	    " FROM commands c JOIN meters "
	    "m ON m.id = c.meter_id WHERE m.gateway_id = ? AND c.state IN "
	    "('pending', 'sent') AND coalesce(c.not_before, 0) <= ? "
	    "ORDER BY c.meter_id, c.id")) == NULL)
		return PP_EINTERNAL;
	pp__bind_int64(st, 1, gateway_id);
	pp__bind_int64(st, 2, pp_now());
	while ((rc = pp__step(st)) == PP__ROW) {
		if (pp_grow(list, &cap, (size_t)*n + 1, sizeof(**list)) !=
		    PP_OK) {
			pp__reset(st);
			return ERR(PP_EINTERNAL, "out of memory");
		}
		cmd_row(st, &(*list)[(*n)++]);
	}
	pp__reset(st);
	return rc == PP__DONE ? PP_OK : pp__sqlfail(db, "commands");
}

/* Record a command's new state in a transaction of its own. */
static int
record(pp_db *db, int64_t id, const char *state, int tried, const char *error)
{
	int rc;

	if ((rc = pp__tx_begin(db)) != PP_OK)
		return rc;
	if ((rc = pp__exec(db, "UPDATE commands SET state = ?, attempts = "
	    "attempts + ?, last_error = ?, updated = ? WHERE id = ?", "titii",
	    state, (int64_t)tried, error, pp_now(), id)) != PP_OK) {
		pp__tx_rollback(db);
		return rc;
	}
	return pp__tx_commit(db);
}

int
pp__meter_mirror(pp_db *db, int64_t meter_id, const struct pp__values *v)
{
	int64_t relay = -1, keep = -1, mode = -1, balance = 0, count = 0;
	int has_balance, has_count, rc;

	pp__values_get(v, "relay", &relay);
	pp__values_get(v, "keep", &keep);
	pp__values_get(v, "mode", &mode);
	has_balance = pp__values_get(v, "balance", &balance);
	has_count = pp__values_get(v, "buy_count", &count);
	if ((rc = pp__meter_classes_store(db, meter_id, v)) != PP_OK)
		return rc;
	return pp__exec(db, "UPDATE meters SET relay = CASE ?2 WHEN -1 THEN "
	    "relay WHEN 0 THEN 'tripped' ELSE 'closed' END, keep = CASE ?3 "
	    "WHEN -1 THEN keep WHEN 0 THEN 'off' ELSE 'on' END, mode = CASE ?4 "
	    "WHEN -1 THEN mode WHEN 0 THEN 'manual' ELSE 'prepay' END, "
	    "meter_balance = CASE ?5 WHEN 1 THEN ?6 ELSE meter_balance END, "
	    "meter_count = CASE ?7 WHEN 1 THEN ?8 ELSE meter_count END "
	    "WHERE id = ?1", "iiiiiiii", meter_id, relay, keep, mode,
	    (int64_t)has_balance, balance, (int64_t)has_count, count);
}

/* The mirror in a transaction of its own, after a command. */
static int
mirror(pp_db *db, int64_t meter_id, const struct pp__values *v)
{
	int rc;

	if ((rc = pp__tx_begin(db)) != PP_OK)
		return rc;
	if ((rc = pp__meter_mirror(db, meter_id, v)) != PP_OK) {
		pp__tx_rollback(db);
		return rc;
	}
	return pp__tx_commit(db);
}

/* A command's arguments from its row: "price=5380;alarm1=2000". */
static void
command_args(const struct pp__cmd *c, struct pp__values *args)
{
	char copy[sizeof(c->value)], *item, *next, *eq;

	memset(args, 0, sizeof(*args));
	snprintf(copy, sizeof(copy), "%s", c->value);
	for (item = copy; item && *item; item = next) {
		if ((next = strchr(item, ';')) != NULL)
			*next++ = '\0';
		if ((eq = strchr(item, '=')) != NULL) {
			*eq = '\0';
			pp__values_set(args, item, strtoll(eq + 1, NULL, 10));
		}
	}
	if (strcmp(c->action, "recharge") == 0) {
		pp__values_set(args, "amount", c->amount);
		pp__values_set(args, "buy_count", c->buy_count);
	} else if (strcmp(c->action, "time") == 0)
		pp__values_set(args, "clock", pp_now());
}

/*
 * The verdict on a recharge the meter refused for good, in one
 * transaction: the command is cancelled; its money stays on the account,
 * which a ledger row of its own (adjust, 0.00, the purchase count) says
 * inside the hash chain; the later purchases of the meter each take the
 * count before theirs, so that none waits for this one.
 */
static int	load_command(pp_db *, int64_t, struct pp__cmd *);

/* cancel_in_tx's answer when another process settled the command. */
#define SETTLED	(-3)

static int
cancel_in_tx(pp_db *db, const struct pp__cmd *c, const char *why)
{
	struct pp__post post;
	pp__st *st;
	char serial[PP_KEYMAX] = "", yuan[PP_NUMBUF], remark[PP_TEXTMAX];
	int64_t account_id = 0, ordered_count = 0, id;
	int rc;

	if ((st = pp__stmt(db, "SELECT l.account_id, l.buy_count, l.serial "
	    "FROM commands c JOIN ledger l ON l.id = c.ledger_id WHERE c.id = ? "
	    "AND c.verdict IS NULL AND c.state <> 'done'")) == NULL)
		return pp__errcode(db);
	pp__bind_int64(st, 1, c->id);
	if (pp__step(st) == PP__ROW) {
		account_id = pp__col_int64(st, 0);
		ordered_count = pp__col_int64(st, 1);
		pp__col_text(st, 2, serial, sizeof(serial));
	}
	pp__reset(st);
	if (account_id == 0)
		return SETTLED;
	snprintf(remark, sizeof(remark), PP_CANCELLED_REMARK,
	    pp_money_format(c->amount, yuan), serial, why);
	memset(&post, 0, sizeof(post));
	post.kind = "adjust";
	post.account_id = account_id;
	post.meter_id = c->meter_id;
	post.method = "transfer";
	post.remark = remark;
	post.buy_count = ordered_count;
	if ((rc = pp__exec(db,
	    "UPDATE commands SET state = 'failed', verdict = "
	    "'cancelled', last_error = ?, updated = ? WHERE id = ?", "tii",
	    remark, pp_now(), c->id)) != PP_OK ||
	    /* Two steps, so that no two rows hold one count meanwhile. */
	    (rc = pp__exec(db, "UPDATE commands SET buy_count = 1 - buy_count "
	    "WHERE meter_id = ? AND action = 'recharge' AND verdict IS NULL AND "
	    "buy_count > ?", "ii", c->meter_id, c->buy_count)) != PP_OK ||
	    (rc = pp__exec(db,
	    "UPDATE commands SET buy_count = -buy_count WHERE "
	    "meter_id = ? AND action = 'recharge' AND buy_count < 0", "i",
	    c->meter_id)) != PP_OK ||
	    (rc = pp__exec(db, "UPDATE meters SET buy_count = buy_count - 1 "
	    "WHERE id = ?", "i", c->meter_id)) != PP_OK)
		return rc;
	return pp__ledger_post(db, &post, &id);
}

static int
cancel_recharge(pp_db *db, const struct pp__cmd *c, const char *why)
{
	int rc;

	if ((rc = pp__tx_begin(db)) != PP_OK)
		return rc;
	if ((rc = cancel_in_tx(db, c, why)) == SETTLED) {
		/* Settled by another process meanwhile. */
		pp__tx_rollback(db);
		return PP_OK;
	}
	if (rc != PP_OK) {
		pp__tx_rollback(db);
		return rc;
	}
	return pp__tx_commit(db);
}

int
pp__recharge_cancel(pp_db *db, int64_t id, const char *why)
{
	struct pp__cmd c;
	int rc;

	if ((rc = load_command(db, id, &c)) != PP_OK)
		return rc;
	rc = cancel_in_tx(db, &c, why);
	return rc == SETTLED ? PP_OK : rc;
}

/*
 * A purchase that an older prepay marked failed with no verdict, which the
 * meter's count shows never landed: it gets its verdict now, so that the
 * purchases behind it stop waiting (they go out on the next exchange).
 */
static int
settle_failed(pp_db *db, int64_t meter_id, int64_t buy_count)
{
	struct pp__cmd stuck;
	int64_t id;
	int rc;

	rc = pp__query_int(db, &id,
	    "SELECT id FROM commands WHERE meter_id = ? "
	    "AND action = 'recharge' AND buy_count = ? AND state = 'failed' "
	    "AND verdict IS NULL", "ii", meter_id, buy_count);
	if (rc == PP_EDATA)
		return PP_OK;
	if (rc != PP_OK || (rc = load_command(db, id, &stuck)) != PP_OK)
		return rc;
	return cancel_recharge(db, &stuck, "it had failed with no verdict");
}

/*
 * The meter answered a recharge with a refusal.  Its own count says
 * whether the purchase landed after all; if not, it is sent again, until
 * the meter has refused it RECHARGE_TRIES times: then the verdict.
 */
static int
recharge_refused(pp_db *db, struct pp__bus *bus, const struct pp__cmd *c,
    const struct pp__profile *p, char *msg, size_t msglen)
{
	struct pp__values now;
	char why[PP_ERRMAX], reread[PP_ERRMAX];
	int64_t count;
	int rc;

	snprintf(why, sizeof(why), "%s", msg);
	if (pp__meter_read_all(db, bus, c->meter_id, &c->at, p, &now, reread,
	    sizeof(reread)) != PP_OK || !pp__values_get(&now, "buy_count", &count)) {
		snprintf(msg, msglen, "%s; its purchase count unread, it is "
		    "sent again", why);
		record(db, c->id, "pending", 0, msg);
		return PP_EBUSY;
	}
	mirror(db, c->meter_id, &now);
	if (count >= c->buy_count) {
		snprintf(msg, msglen, "purchase %lld had landed",
		    (long long)c->buy_count);
		return record(db, c->id, "done", 0, NULL) == PP_OK ? PP_OK :
		    PP_EINTERNAL;
	}
	if (c->attempts + 1 < RECHARGE_TRIES) {
		snprintf(msg, msglen, "%s; sent again on the next exchange",
		    why);
		record(db, c->id, "pending", 0, msg);
		return PP_EBUSY;
	}
	if ((rc = cancel_recharge(db, c, why)) != PP_OK)
		return rc;
	snprintf(msg, msglen, "cancelled after %d refusals, the money kept on "
	    "the account: %s", RECHARGE_TRIES, why);
	return PP_EDATA;
}

/* recharge_landed's answer when the recharge is still to be sent. */
#define SEND	(-2)

/*
 * The meter's own count tells whether this recharge landed (PP_OK), is
 * still to be sent (SEND), or waits for an earlier one (PP_EBUSY).
 */
static int
recharge_landed(pp_db *db, struct pp__bus *bus, const struct pp__cmd *c,
    const struct pp__profile *p, char *msg, size_t msglen)
{
	struct pp__values now;
	int64_t count;
	int rc;

	if ((rc = pp__meter_read_all(db, bus, c->meter_id, &c->at, p, &now,
	    msg, msglen)) != PP_OK) {
		record(db, c->id, "pending", 1, msg);
		return PP_EBUSY;
	}
	mirror(db, c->meter_id, &now);
	if (!pp__values_get(&now, "buy_count", &count)) {
		snprintf(msg, msglen, "profile %s reads no buy_count", p->name);
		record(db, c->id, "failed", 0, msg);
		return PP_EDATA;
	}
	if (count >= c->buy_count) {
		snprintf(msg, msglen, "purchase %lld had landed",
		    (long long)c->buy_count);
		return record(db, c->id, "done", 0, NULL) == PP_OK ? PP_OK :
		    PP_EINTERNAL;
	}
	if (count < c->buy_count - 1) {
		if ((rc = settle_failed(db, c->meter_id, count + 1)) != PP_OK)
			return rc;
		snprintf(msg, msglen, "waits for purchase %lld: the meter shows "
		    "%lld", (long long)count + 1, (long long)count);
		record(db, c->id, "pending", 0, msg);
		return PP_EBUSY;
	}
	return SEND;
}

int
pp__command_run(pp_db *db, struct pp__bus *bus, const struct pp__cmd *c,
    const struct pp__profile *p, char *msg, size_t msglen)
{
	const struct pp__pwrite *w = pp__profile_write(p, c->action);
	struct pp__values args, now;
	int rc;

	if (w == NULL) {
		snprintf(msg, msglen, "profile %s has no %s command", p->name,
		    c->action);
		record(db, c->id, "failed", 0, msg);
		return PP_EDATA;
	}
	command_args(c, &args);
	if (strcmp(c->action, "trip") == 0) {
		int64_t kept = 0;

		/* Keep-power may have come on since the trip was queued. */
		if (pp__query_int(db, &kept, "SELECT keep = 'on' FROM meters "
		    "WHERE id = ?", "i", c->meter_id) == PP_OK && kept) {
			snprintf(msg, msglen, "keep-power is on");
			record(db, c->id, "failed", 0, msg);
			return PP_EDATA;
		}
	}
	if (strcmp(c->action, "recharge") == 0 && (rc = recharge_landed(db,
	    bus, c, p, msg, msglen)) != SEND)
		return rc;
	if ((rc = record(db, c->id, "sent", 1, NULL)) != PP_OK)
		return rc;
	rc = pp__bus_write(bus, &c->at, p, w, &args, &now, msg, msglen);
	if (rc == PP_OK) {
		mirror(db, c->meter_id, &now);
		snprintf(msg, msglen, "confirmed by read-back");
		return record(db, c->id, "done", 0, NULL) == PP_OK ? PP_OK :
		    PP_EINTERNAL;
	}
	if (rc == PP_EUNREACH) {
		if (strcmp(c->action, "recharge") != 0 &&
		    c->attempts + 1 >= MAX_ATTEMPTS) {
			record(db, c->id, "failed", 0, msg);
			return PP_EDATA;
		}
		record(db, c->id, "pending", 0, msg);
		return PP_EBUSY;
	}
	if (strcmp(c->action, "recharge") == 0 && rc == PP_EDATA)
		return recharge_refused(db, bus, c, p, msg, msglen);
	record(db, c->id, "failed", 0, msg);
	return rc == PP_EPERM || rc == PP_ECONFIG ? rc : PP_EDATA;
}

static int
load_command(pp_db *db, int64_t id, struct pp__cmd *c)
{
	pp__st *st;
	int rc;

	if ((st = pp__stmt(db, "SELECT " CMD_COLS
	    " FROM commands c JOIN meters "
	    "m ON m.id = c.meter_id WHERE c.id = ?")) == NULL)
		return pp__errcode(db);
	pp__bind_int64(st, 1, id);
	if ((rc = pp__step(st)) == PP__ROW)
		cmd_row(st, c);
	pp__reset(st);
	if (rc == PP__ROW)
		return PP_OK;
	return rc == PP__DONE ? ERR(PP_EDATA, "no command %lld",
	    (long long)id) : pp__sqlfail(db, "commands");
}

/* Open the bus of a gateway, for one process's quick business. */
static int
open_bus(pp_db *db, int64_t gateway_id, int wait_ms, struct pp__bus **bus,
    char *msg, size_t msglen)
{
	struct pp__gateway gw;
	int rc;

	if ((rc = pp__gateway_get(db, gateway_id, &gw)) != PP_OK) {
		snprintf(msg, msglen, "%s", pp_errmsg(db));
		return rc;
	}
	return pp__bus_open(db->path, &gw, wait_ms, bus, msg, msglen);
}

int
pp__command_send(pp_db *db, int64_t id, int wait_ms, char *msg, size_t msglen)
{
	struct pp__profile p;
	struct pp__bus *bus;
	struct pp__cmd c;
	int rc;

	if ((rc = load_command(db, id, &c)) != PP_OK) {
		snprintf(msg, msglen, "%s", pp_errmsg(db));
		return rc;
	}
	if (pp__profile_load(c.profile, &p, msg, msglen) != PP_OK)
		return PP_ECONFIG;
	if ((rc = open_bus(db, c.gateway_id, wait_ms, &bus, msg, msglen)) !=
	    PP_OK)
		return rc == PP_EBUSY ? PP_EBUSY : rc;
	rc = pp__command_run(db, bus, &c, &p, msg, msglen);
	pp__bus_close(bus);
	return rc;
}

struct meter_info {
	int64_t	id, gateway_id, price, alarm1, alarm2, overload_w;
	struct pp__station at;
	char	profile[PP_KEYMAX], keep[8];
};

static int
meter_info(pp_db *db, const char *meter, struct meter_info *m)
{
	pp__st *st;
	int rc;

	memset(m, 0, sizeof(*m));
	/* A meter's own values, else the site's defaults. */
	if ((st = pp__stmt(db, "SELECT m.id, coalesce(m.gateway_id, 0), "
	    "m.profile, coalesce(m.keep, 'off'), coalesce(m.price, (SELECT "
	    "v.price FROM tariff_versions v WHERE v.tariff_id = m.tariff_id "
	    "ORDER BY v.effective DESC LIMIT 1), (SELECT CAST(value AS BIGINT) "
	    "FROM settings WHERE key = 'price'), -1), coalesce(m.alarm1, "
	    "(SELECT CAST(value AS BIGINT) FROM settings WHERE key = "
	    "'alarm1'), 0), coalesce(m.alarm2, (SELECT CAST(value AS BIGINT) "
	    "FROM settings WHERE key = 'alarm2'), 0), (SELECT overload_w FROM "
	    "meter_overloads WHERE meter_id = m.id), coalesce(m.unit, 0), "
	    "m.meter, "
	    "coalesce(m.address, '') FROM meters m WHERE m.meter = ?")) ==
	    NULL)
		return PP_EINTERNAL;
	pp__bind_copy(st, 1, meter);
	if ((rc = pp__step(st)) == PP__ROW) {
		m->id = pp__col_int64(st, 0);
		m->gateway_id = pp__col_int64(st, 1);
		pp__col_text(st, 2, m->profile, sizeof(m->profile));
		pp__col_text(st, 3, m->keep, sizeof(m->keep));
		m->price = pp__col_int64(st, 4);
		m->alarm1 = pp__col_int64(st, 5);
		m->alarm2 = pp__col_int64(st, 6);
		m->overload_w = pp__col_int64(st, 7);
		pp__station_row(st, 9, 8, 10, &m->at);
	}
	pp__reset(st);
	if (rc == PP__ROW)
		return PP_OK;
	return rc == PP__DONE ? ERR(PP_EDATA, "meter %s: no such meter",
	    pp_q(meter)) : pp__sqlfail(db, "meters");
}

/*
 * When the site's friendly hours (no_trip, "20:00-08:00", and the
 * holidays, all day) hold at now, the time they end; else 0.
 */
static int64_t
friendly_until(pp_db *db, int64_t now)
{
	char window[32] = "", from[6], to[6], day[PP_TIMEBUF];
	int start = 0, end = 0, minute, has_window = 0, i;
	int64_t t = now, holiday;

	if (pp__setting(db, "no_trip", window, sizeof(window)) &&
	    strlen(window) == 11) {
		memcpy(from, window, 5), from[5] = '\0';
		memcpy(to, window + 6, 5), to[5] = '\0';
		has_window = pp__clock_parse(from, &start) == PP_OK &&
		    pp__clock_parse(to, &end) == PP_OK;
	}
	/* Step over holidays and windows until neither holds. */
	for (i = 0; i < 400; i++) {
		pp__day_format(t, day);
		if (pp__query_int(db, &holiday, "SELECT 1 FROM holidays WHERE "
		    "day = ?", "t", day) == PP_OK) {
			t = pp__unit_next(t, PP_DAY);
			continue;
		}
		if (!has_window)
			break;
		minute = pp__clock_minutes(t);
		if (start < end ? (minute < start || minute >= end) :
		    (minute < start && minute >= end))
			break;
		t = pp__day_at(t, 0, minute + (end - minute + 1440) % 1440);
	}
	return t == now ? 0 : t;
}

static int
queue(pp_db *db, int64_t meter_id, const char *action, const char *value,
    const char *reason, int64_t not_before, int64_t *id)
{
	int rc;

	if ((rc = pp__tx_begin(db)) != PP_OK)
		return rc;
	rc = pp__query_int(db, id, "INSERT INTO commands(meter_id, action, "
	    "value, state, reason, operator, created, updated, not_before) "
	    "VALUES (?, ?, nullif(?, ''), 'pending', ?, ?, ?, ?, nullif(?, 0)) "
	    "RETURNING id", "ittttiii", meter_id, action, value,
	    reason ? reason : "", db->login, pp_now(), pp_now(), not_before);
	/* A newer word on the same switch replaces one not yet sent. */
	if (rc == PP_OK)
		rc = pp__exec(db, "UPDATE commands SET state = 'failed', "
		    "last_error = 'superseded by command ' || ?1, updated = ?2 "
		    "WHERE meter_id = ?3 AND id < ?1 AND state IN ('pending', "
		    "'sent') AND action <> 'recharge' AND (action = ?4 OR "
		    "(action IN ('trip', 'close') AND ?4 IN ('trip', 'close')) OR "
		    "(action IN ('keep', 'unkeep') AND ?4 IN ('keep', 'unkeep')) "
		    "OR (action IN ('prepay', 'manual') AND ?4 IN ('prepay', "
		    "'manual')))", "iiit", *id, pp_now(), meter_id, action);
	if (rc != PP_OK) {
		pp__tx_rollback(db);
		return rc;
	}
	return pp__tx_commit(db);
}

static const char *const outcome_names[] = {
	[PP_CTL_DONE] = "done",
	[PP_CTL_PENDING] = "pending",
	[PP_CTL_REFUSED] = "refused",
	[PP_CTL_FAILED] = "failed",
};

const char *
pp__ctl_outcome_name(enum pp_ctl_outcome outcome)
{
	return outcome_names[outcome];
}

const pp_column pp_ctl_columns[PP_CTL_NCOLS] = {
	{ "meter", PP_COL_TEXT }, { "action", PP_COL_TEXT },
	{ "result", PP_COL_TEXT }, { "message", PP_COL_TEXT },
};

void
pp_ctl_result_values(const struct pp_ctl_result *r,
    const char *values[PP_CTL_NCOLS])
{
	values[0] = r->meter;
	values[1] = r->action;
	values[2] = pp__ctl_outcome_name(r->result);
	values[3] = r->message;
}

/*
 * The helpers of pp_meter_ctl return PP_OK to go on, a PP_* error when
 * the database failed, or DECIDED when out holds the answer.
 */
#define DECIDED	(-1)

static int
outcome(struct pp_ctl_result *out, enum pp_ctl_outcome r, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

static int
outcome(struct pp_ctl_result *out, enum pp_ctl_outcome r, const char *fmt,
    ...)
{
	va_list ap;

	out->result = r;
	va_start(ap, fmt);
	vsnprintf(out->message, sizeof(out->message), fmt, ap);
	va_end(ap);
	return DECIDED;
}

/* The master station's own keep-power flag. */
static int
set_keep(pp_db *db, int64_t meter_id, int on)
{
	int rc;

	if ((rc = pp__tx_begin(db)) != PP_OK)
		return rc;
	if ((rc = pp__exec(db, "UPDATE meters SET keep = ? WHERE id = ?", "ti",
	    on ? "on" : "off", meter_id)) != PP_OK ||
	    (on && (rc = pp__exec(db, "UPDATE commands SET state = 'failed', "
	    "last_error = 'cancelled: keep-power is on', updated = ? WHERE "
	    "meter_id = ? AND action = 'trip' AND state IN ('pending', "
	    "'sent')", "ii", pp_now(), meter_id)) != PP_OK)) {
		pp__tx_rollback(db);
		return rc;
	}
	return pp__tx_commit(db);
}

/*
 * May the command go to this meter at all: a known action, the login's
 * role, a known meter, and for an arrears trip the database's word that
 * the account is in arrears.  An arrears trip, and a trip of a selection
 * not forced, waits for the end of the friendly hours.
 */
static int
ctl_admit(pp_db *db, const struct pp_ctl_req *req, struct meter_info *m,
    int64_t *not_before, struct pp_ctl_result *out)
{
	int64_t balance;
	char account[PP_KEYMAX], yuan[PP_NUMBUF];
	int rc, arrears;

	if (pp_action_check(req->action) != PP_OK)
		return outcome(out, PP_CTL_REFUSED, "no such action");
	if (pp_operator_may(db, PP_ACT_CONTROL_METER, req->action,
	    req->flags) != PP_OK)
		return outcome(out, PP_CTL_REFUSED, "%s", pp_errmsg(db));
	if ((rc = meter_info(db, req->meter, m)) != PP_OK)
		return rc != PP_EDATA ? rc : outcome(out, PP_CTL_REFUSED, "%s",
		    pp_errmsg(db));
	if (strcmp(req->action, "trip") != 0)
		return PP_OK;
	if (!(req->flags & PP_CTL_ARREARS)) {
		if ((req->flags & PP_CTL_BULK) && !(req->flags & PP_CTL_FORCE))
			*not_before = friendly_until(db, pp_now());
		return PP_OK;
	}
	/* An arrears trip is the database's word, not the list's. */
	if ((rc = pp__meter_arrears(db, m->id, &arrears, &balance, account)) !=
	    PP_OK)
		return rc;
	if (!arrears && account[0] == '\0')
		return outcome(out, PP_CTL_REFUSED, "not an arrears trip: the "
		    "meter is on no open account");
	if (!arrears)
		return outcome(out, PP_CTL_REFUSED, "not an arrears trip: "
		    "account %s holds %s", account, pp_money_format(balance,
		    yuan));
	*not_before = friendly_until(db, pp_now());
	return PP_OK;
}

/*
 * Keep-power is the master station's word, and the meter's: keep and
 * unkeep set it (done here when the meter has no such command); a
 * forced trip clears it first.
 */
static int
ctl_keep_power(pp_db *db, const struct pp_ctl_req *req,
    const struct meter_info *m, const struct pp__profile *p,
    struct pp_ctl_result *out)
{
	int64_t id;
	int rc, on = req->action[0] == 'k';

	if (strcmp(req->action, "keep") == 0 ||
	    strcmp(req->action, "unkeep") == 0) {
		if ((rc = set_keep(db, m->id, on)) != PP_OK)
			return rc;
		if (pp__profile_write(p, req->action) == NULL)
			return outcome(out, PP_CTL_DONE, "keep-power %s (kept by "
			    "the master station; the meter has none)", on ?
			    "on" : "off");
	} else if (strcmp(req->action, "trip") == 0 &&
	    strcmp(m->keep, "on") == 0) {
		if (!(req->flags & PP_CTL_FORCE))
			return outcome(out, PP_CTL_REFUSED, "keep-power is on; "
			    "--force trips it anyway");
		if ((rc = set_keep(db, m->id, 0)) != PP_OK)
			return rc;
		if (pp__profile_write(p, "unkeep") && (rc = queue(db, m->id,
		    "unkeep", "", "forced trip", 0, &id)) != PP_OK)
			return rc;
	}
	return PP_OK;
}

/* Queue the command with its value: the price, or the thresholds. */
static int
ctl_queue(pp_db *db, const struct pp_ctl_req *req, const struct meter_info *m,
    int64_t not_before, int64_t *id, struct pp_ctl_result *out)
{
	char value[128] = "";

	if (strcmp(req->action, "price") == 0) {
		if (req->price < 0 && m->price < 0)
			return outcome(out, PP_CTL_REFUSED, "the meter has no "
			    "price, tariff or default price");
		snprintf(value, sizeof(value), "price=%lld", (long long)
		    (req->price >= 0 ? req->price : m->price));
	} else if (strcmp(req->action, "settings") == 0)
		snprintf(value, sizeof(value), "alarm1=%lld;alarm2=%lld;"
		    "overload_w=%lld", (long long)(req->alarm1 >= 0 ?
		    req->alarm1 : m->alarm1), (long long)(req->alarm2 >= 0 ?
		    req->alarm2 : m->alarm2), (long long)(req->overload_w >= 0 ?
		    req->overload_w : m->overload_w));
	/* An arrears trip says so: a sale that pays up closes the meter. */
	return queue(db, m->id, req->action, value, req->reason ?
	    req->reason : (req->flags & PP_CTL_ARREARS) &&
	    strcmp(req->action, "trip") == 0 ? "arrears" : NULL, not_before,
	    id);
}

/*
 * The command was not due when the bus was ours: a continuous poll may
 * have run it meanwhile (it runs what is queued between meters).
 */
static void
ran_meanwhile(pp_db *db, int64_t id, struct pp_ctl_result *out)
{
	pp__st *st;
	char state[16] = "", error[PP_ERRMAX] = "";

	if ((st = pp__stmt(db, "SELECT state, coalesce(last_error, '') FROM "
	    "commands WHERE id = ?")) != NULL) {
		pp__bind_int64(st, 1, id);
		if (pp__step(st) == PP__ROW) {
			pp__col_text(st, 0, state, sizeof(state));
			pp__col_text(st, 1, error, sizeof(error));
		}
		pp__reset(st);
	}
	if (strcmp(state, "done") == 0)
		outcome(out, PP_CTL_DONE, "done by meter-read's poll");
	else if (strcmp(state, "failed") == 0)
		outcome(out, PP_CTL_FAILED, "%s", error);
	else
		outcome(out, PP_CTL_PENDING, "not due yet");
}

/* Run the meter's due commands now: an unkeep for a forced trip first. */
static int
ctl_run_now(pp_db *db, const struct pp_ctl_req *req, const struct meter_info *m,
    const struct pp__profile *p, int64_t id, struct pp_ctl_result *out)
{
	struct pp__cmd *due = NULL;
	struct pp__bus *bus;
	char msg[PP_ERRMAX];
	int i, n = 0, rc, decided = 0;

	if ((rc = open_bus(db, m->gateway_id, req->wait_ms, &bus, msg,
	    sizeof(msg))) != PP_OK) {
		if (rc != PP_EBUSY)
			return rc;
		outcome(out, PP_CTL_PENDING, "%s", msg);
		return PP_OK;
	}
	rc = pp__commands_due(db, m->gateway_id, &due, &n);
	for (i = 0; rc == PP_OK && i < n; i++) {
		if (due[i].meter_id != m->id)
			continue;
		rc = pp__command_run(db, bus, &due[i], p, msg, sizeof(msg));
		if (due[i].id == id) {
			outcome(out, rc == PP_OK ? PP_CTL_DONE : rc == PP_EBUSY ?
			    PP_CTL_PENDING : PP_CTL_FAILED, "%s", msg);
			out->code = rc == PP_EPERM || rc == PP_ECONFIG ? rc : 0;
			decided = 1;
		}
		rc = rc == PP_EINTERNAL ? rc : PP_OK;
	}
	free(due);
	pp__bus_close(bus);
	if (!decided)
		ran_meanwhile(db, id, out);
	return rc == PP_EINTERNAL ? pp__fail(db, rc, "%s", msg) : PP_OK;
}

int
pp_meter_ctl(pp_db *db, const struct pp_ctl_req *req,
    struct pp_ctl_result *out)
{
	struct meter_info m;
	struct pp__profile p;
	char msg[PP_ERRMAX], t[PP_TIMEBUF];
	int64_t id, not_before = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	snprintf(out->meter, sizeof(out->meter), "%s", req->meter);
	snprintf(out->action, sizeof(out->action), "%s", req->action);
	if ((rc = ctl_admit(db, req, &m, &not_before, out)) != PP_OK)
		return rc == DECIDED ? PP_OK : rc;
	if (pp__profile_load(m.profile, &p, msg, sizeof(msg)) != PP_OK) {
		outcome(out, PP_CTL_FAILED, "%s", msg);
		return PP_OK;
	}
	if ((rc = ctl_keep_power(db, req, &m, &p, out)) != PP_OK)
		return rc == DECIDED ? PP_OK : rc;
	if (pp__profile_write(&p, req->action) == NULL) {
		outcome(out, PP_CTL_REFUSED, "profile %s has no %s command",
		    p.name, req->action);
		return PP_OK;
	}
	if ((rc = ctl_queue(db, req, &m, not_before, &id, out)) != PP_OK)
		return rc == DECIDED ? PP_OK : rc;
	if (not_before)
		outcome(out, PP_CTL_PENDING, "deferred to %s: the site's "
		    "friendly hours", pp_time_format(not_before, t));
	else if (m.gateway_id == 0)
		outcome(out, PP_CTL_PENDING, "the meter has no gateway");
	else
		return ctl_run_now(db, req, &m, &p, id, out);
	return PP_OK;
}

int
pp_meter_state(pp_db *db, const char *meter, int wait_ms,
    struct pp_meter_state *out)
{
	struct meter_info m;
	struct pp__profile p;
	struct pp__values v;
	struct pp__gateway gw;
	struct pp__bus *bus;
	enum pp__fault fault;
	char msg[PP_ERRMAX];
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = meter_info(db, meter, &m)) != PP_OK)
		return rc;
	out->time = pp_now();
	snprintf(out->meter, sizeof(out->meter), "%s", meter);
	if (pp__profile_load(m.profile, &p, msg, sizeof(msg)) != PP_OK)
		return pp__fail(db, PP_ECONFIG, "%s", msg);
	if ((rc = pp__gateway_get(db, m.gateway_id, &gw)) != PP_OK)
		return rc;
	snprintf(out->gateway, sizeof(out->gateway), "%s", gw.name);
	if ((rc = pp__bus_open(db->path, &gw, wait_ms, &bus, msg,
	    sizeof(msg))) != PP_OK) {
		out->state = rc == PP_EBUSY ? PP_LINK_BUSY : PP_LINK_ERROR;
		snprintf(out->message, sizeof(out->message), "%s", msg);
		return pp__fail(db, rc, "%s", msg);
	}
	rc = pp__meter_read_all(db, bus, m.id, &m.at, &p, &v, msg,
	    sizeof(msg));
	fault = bus->fault;
	pp__bus_close(bus);
	if (rc != PP_OK) {
		out->state = fault == PP_FAULT_ERROR ? PP_LINK_ERROR :
		    PP_LINK_TIMEOUT;
		snprintf(out->message, sizeof(out->message), "%s", msg);
		return pp__fail(db, rc, "meter %s: %s", meter, msg);
	}
	out->state = PP_LINK_OK;
	pp__meter_values_set(&out->values, &v);
	return PP_OK;
}

void
pp_meter_state_values(const struct pp_meter_state *s,
    struct pp_state_text *text, const char *values[PP_STATE_NCOLS])
{
	size_t i, last = PP_STATE_NCOLS - 1;

	memset(text, 0, sizeof(*text));
	if (s->time)
		pp_time_format(s->time, text->col[0]);
	snprintf(text->col[1], sizeof(text->col[1]), "%s", s->meter);
	snprintf(text->col[2], sizeof(text->col[2]), "%s", s->gateway);
	snprintf(text->col[3], sizeof(text->col[3]), "%s",
	    pp__link_name(s->state));
	for (i = 4; i < last; i++)
		pp__meter_value_text(&s->values, pp_state_columns[i].name,
		    text->col[i], sizeof(text->col[i]));
	snprintf(text->col[last], sizeof(text->col[last]), "%.63s",
	    s->message);
	for (i = 0; i < PP_STATE_NCOLS; i++)
		values[i] = text->col[i];
}

const pp_column pp_discover_columns[PP_DISCOVER_NCOLS] = {
	{ "gateway", PP_COL_TEXT }, { "address", PP_COL_TEXT },
	{ "meter", PP_COL_TEXT },
};

int
pp_meter_discover(pp_db *db, const char *gateway, int wait_ms,
    char text[PP_DISCOVER_NCOLS][PP_NUMBUF * 2])
{
	struct pp__gateway gw;
	struct pp__bus *bus;
	pp__st *st;
	char msg[PP_ERRMAX], address[16];
	int64_t id, modbus;
	int rc;

	memset(text, 0, sizeof(char[PP_DISCOVER_NCOLS][PP_NUMBUF * 2]));
	rc = pp__query_int(db, &id, "SELECT id FROM gateways WHERE name = ?",
	    "t", gateway);
	if (rc == PP_EDATA)
		return ERR(PP_EDATA, "gateway %s: no such gateway",
		    pp_q(gateway));
	if (rc != PP_OK ||
	    (rc = pp__query_int(db, &modbus, "SELECT count(*) FROM meters "
	    "WHERE gateway_id = ? AND address IS NULL", "i", id)) != PP_OK ||
	    (rc = pp__gateway_get(db, id, &gw)) != PP_OK)
		return rc;
	/* Modbus has no such request; a scan of 247 units is not one. */
	if (modbus)
		return ERR(PP_EDATA, "gateway %s is a Modbus bus: only DL/T "
		    "645 meters tell their address", gateway);
	snprintf(text[0], sizeof(text[0]), "%s", gw.name);
	if ((rc = pp__bus_open(db->path, &gw, wait_ms, &bus, msg,
	    sizeof(msg))) != PP_OK)
		return ERR(rc, "%s", msg);
	rc = pp__bus_discover(bus, "dlt645", address, msg, sizeof(msg));
	pp__bus_close(bus);
	if (rc != PP_OK)
		return ERR(rc, "gateway %s: %s", gateway, msg);
	snprintf(text[1], sizeof(text[1]), "%s", address);
	if ((st = pp__stmt(db, "SELECT meter FROM meters WHERE gateway_id = ? "
	    "AND address = ?")) == NULL)
		return pp__errcode(db);
	pp__bind_int64(st, 1, id);
	pp__bind_copy(st, 2, address);
	if ((rc = pp__step(st)) == PP__ROW)
		pp__col_text(st, 0, text[2], sizeof(text[2]));
	pp__reset(st);
	return rc == PP__ROW || rc == PP__DONE ? PP_OK :
	    pp__sqlfail(db, "meters");
}

int
pp_meters_of(pp_db *db, const char *by, const char *value, const char *floor,
    char (**list)[PP_KEYMAX], int *n)
{
	static const struct {
		const char *by, *sql;
	} q[] = {
		{ "meter", "SELECT meter FROM meters WHERE meter = ?1" },
		{ "account", "SELECT m.meter FROM meters m JOIN accounts a ON "
		    "a.id = m.account_id WHERE a.account = ?1 ORDER BY m.id" },
		{ "room", "SELECT m.meter FROM meters m LEFT JOIN buildings b ON "
		    "b.id = m.building_id WHERE m.room = ?2 AND (?3 IS NULL OR "
		    "b.name = ?3) ORDER BY m.id" },
		{ "building", "SELECT m.meter FROM meters m JOIN buildings b ON "
		    "b.id = m.building_id WHERE b.name = ?1 AND (?4 IS NULL OR "
		    "m.floor = ?4) ORDER BY m.gateway_id NULLS FIRST, m.unit "
		    "NULLS FIRST, m.address NULLS FIRST" },
		{ "all", "SELECT meter FROM meters ORDER BY gateway_id NULLS "
		    "FIRST, unit NULLS FIRST, address NULLS FIRST" },
	};
	const char *slash = value ? strchr(value, '/') : NULL;
	pp__st *st;
	size_t i, cap = 0;
	int rc;

	*list = NULL;
	*n = 0;
	for (i = 0; i < sizeof(q) / sizeof(q[0]) && strcmp(q[i].by, by); i++)
		;
	if (i == sizeof(q) / sizeof(q[0]))
		return ERR(PP_EUSAGE, "%s: not a target column", pp_q(by));
	if ((st = pp__stmt(db, q[i].sql)) == NULL)
		return pp__errcode(db);
	pp__bind_copy(st, 1, value);
	pp__bind_copy(st, 2, slash ? slash + 1 : value);
	if (slash)
		pp__bind_slice(st, 3, value, (int)(slash - value));
	pp__bind_copy(st, 4, floor);
	while ((rc = pp__step(st)) == PP__ROW) {
		if (pp_grow(list, &cap, (size_t)*n + 1, sizeof(**list)) !=
		    PP_OK) {
			pp__reset(st);
			return ERR(PP_EINTERNAL, "out of memory");
		}
		pp__col_text(st, 0, (*list)[(*n)++], PP_KEYMAX);
	}
	pp__reset(st);
	if (rc != PP__DONE)
		return pp__sqlfail(db, "meters");
	if (*n == 0)
		return strcmp(by, "meter") == 0 ? ERR(PP_EDATA, "meter %s: no "
		    "such meter", pp_q(value)) : ERR(PP_EDATA, "%s %s: no "
		    "meters there", by, pp_q(value));
	return PP_OK;
}

int
pp__account_wallet_read(pp_db *db, const char *account, int wait_ms,
    int64_t *balance)
{
	struct pp__account a;
	struct meter_info m;
	struct pp__profile p;
	struct pp__gateway gw;
	struct pp__values v;
	struct pp__bus *bus;
	char msg[PP_ERRMAX], meter[PP_KEYMAX];
	int64_t wallet;
	int rc;

	*balance = PP_NO_WALLET;
	if ((rc = pp__account_get(db, account, &a)) != PP_OK)
		return rc == PP_EDATA ? ERR(PP_EDATA, "account %s: no such "
		    "account", pp_q(account)) : rc;
	if (!a.open || (rc = pp__wallet_of(db, &a, 0, &wallet)) != PP_OK ||
	    wallet == 0)
		return PP_OK;
	if ((rc = pp__query_int(db, &wallet, "SELECT id FROM meters WHERE "
	    "id = ?", "i", wallet)) != PP_OK)
		return rc;
	{
		pp__st *st = pp__stmt(db,
		    "SELECT meter FROM meters WHERE "
		    "id = ?");

		if (st == NULL)
			return PP_EINTERNAL;
		pp__bind_int64(st, 1, wallet);
		meter[0] = '\0';
		if (pp__step(st) == PP__ROW)
			pp__col_text(st, 0, meter, sizeof(meter));
		pp__reset(st);
	}
	if ((rc = meter_info(db, meter, &m)) != PP_OK)
		return rc;
	if (pp__profile_load(m.profile, &p, msg, sizeof(msg)) != PP_OK)
		return ERR(PP_ECONFIG, "%s", msg);
	if ((rc = pp__gateway_get(db, m.gateway_id, &gw)) != PP_OK)
		return rc;
	if ((rc = pp__bus_open(db->path, &gw, wait_ms, &bus, msg,
	    sizeof(msg))) != PP_OK)
		return ERR(rc, "meter %s: %s", meter, msg);
	rc = pp__meter_read_all(db, bus, m.id, &m.at, &p, &v, msg,
	    sizeof(msg));
	pp__bus_close(bus);
	if (rc != PP_OK)
		return ERR(PP_EUNREACH, "meter %s does not answer (%s); give "
		    "what it holds with --balance", meter, msg);
	if (!pp__values_get(&v, "balance", balance))
		return ERR(PP_EDATA, "meter %s shows no balance", meter);
	return PP_OK;
}

int
pp__commands_send_account(pp_db *db, const char *account, int wait_ms)
{
	struct pp__profile p;
	struct pp__cmd *due;
	struct pp__bus *bus;
	pp__st *st;
	char msg[PP_ERRMAX];
	int64_t gw[16];
	int ngw = 0, n, i, k, rc;

	/* The gateways of the account's meters that have commands due. */
	if ((st = pp__stmt(db,
	    "SELECT DISTINCT m.gateway_id FROM meters m JOIN "
	    "accounts a ON a.id = m.account_id JOIN commands c ON c.meter_id = "
	    "m.id WHERE a.account = ? AND c.state IN ('pending', 'sent') AND "
	    "coalesce(c.not_before, 0) <= ? AND m.gateway_id IS NOT NULL")) ==
	    NULL)
		return PP_EINTERNAL;
	pp__bind_copy(st, 1, account);
	pp__bind_int64(st, 2, pp_now());
	while (pp__step(st) == PP__ROW && ngw < 16)
		gw[ngw++] = pp__col_int64(st, 0);
	pp__reset(st);
	for (k = 0; k < ngw; k++) {
		if (open_bus(db, gw[k], wait_ms, &bus, msg, sizeof(msg)) !=
		    PP_OK)
			continue;
		if ((rc = pp__commands_due(db, gw[k], &due, &n)) == PP_OK)
			for (i = 0; i < n; i++) {
				int64_t mine = 0;

				if (pp__query_int(db, &mine,
				    "SELECT 1 FROM meters "
				    "m JOIN accounts a ON a.id = m.account_id "
				    "WHERE m.id = ? AND a.account = ?", "it",
				    due[i].meter_id, account) != PP_OK ||
				    pp__profile_load(due[i].profile, &p, msg,
				    sizeof(msg)) != PP_OK)
					continue;
				pp__command_run(db, bus, &due[i], &p, msg,
				    sizeof(msg));
			}
		free(due);
		pp__bus_close(bus);
	}
	return PP_OK;
}
