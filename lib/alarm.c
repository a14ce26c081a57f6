/*
 * alarm.c: alarms are rows with a life: raised, notified, cleared.  A
 * standing alarm is not raised again; the balance alarms of an account
 * escalate low1 -> low2 -> arrears, one standing at a time, so that each
 * level is told once; an alarm clears when its condition ends.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

const pp_column pp_alarm_columns[PP_ALARM_NCOLS] = {
	{ "time", PP_COL_TEXT }, { "level", PP_COL_INT },
	{ "alarm", PP_COL_TEXT }, { "meter", PP_COL_TEXT },
	{ "account", PP_COL_TEXT }, { "name", PP_COL_TEXT },
	{ "phone", PP_COL_TEXT }, { "room", PP_COL_TEXT },
	{ "balance", PP_COL_MONEY }, { "value", PP_COL_TEXT },
	{ "message", PP_COL_TEXT },
};

/*
 * The kinds, in enum pp_alarm_kind's order, their levels, their Chinese
 * names ({kind}) and the default notices, wholly Chinese: {value} is said
 * in Chinese too (an action, a flag, a wallet's mismatch).
 */
static const struct {
	const char	*kind;
	int		 level;
	const char	*zh;
	const char	*text;
} kinds[] = {
	{ "low1", 1, "余额偏低", "【{site}】{room}房电费余额{balance}元，"
	    "已低于{threshold}元，请及时购电。" },
	{ "low2", 2, "余额不足", "【{site}】{room}房电费余额仅{balance}元，"
	    "已低于{threshold}元，即将欠费停电，请尽快购电。" },
	{ "arrears", 3, "欠费", "【{site}】{room}房已欠费，余额{balance}元，"
	    "将按规定停电，请立即购电。" },
	{ "overload", 1, "超功率", "【{site}】{room}房（表{meter}）功率{value}"
	    "瓦，超过限定{threshold}瓦。" },
	{ "voltage", 1, "电压异常", "【{site}】表{meter}（{room}）电压{value}"
	    "伏，超出{threshold}伏。" },
	{ "lost", 2, "失联", "【{site}】表{meter}（{room}）失联。" },
	{ "gateway", 3, "网关失联", "【{site}】网关{value}失联。" },
	{ "mismatch", 2, "钱包不符", "【{site}】表{meter}（{room}）钱包与系统"
	    "记录不符：{value}，请核查。" },
	{ "counter", 1, "读数异常", "【{site}】表{meter}（{room}）读数异常："
	    "{value}。" },
	{ "command", 2, "命令失败", "【{site}】表{meter}的{value}命令多次未"
	    "成功。" },
	{ "watchdog", 3, "抄表中断", "【{site}】抄表中断：{value}，请检查抄表服务"
	    "和网关。" },
	{ "verify", 3, "校验失败", "【{site}】夜间账本与审计链校验未通过，请立即"
	    "核查。" },
	{ "unfunded", 1, "未购电", "【{site}】{room}房电费账户{account}已开户，"
	    "尚未购电，购电后即可合闸用电。" },
	{ "payment", 2, "支付异常", "【{site}】在线支付异常：{value}，请核查。" },
	{ "bind", 2, "绑定异常", "【{site}】住户绑定户号异常：{value}，请核查。" },
};

static int
kind_index(const char *kind)
{
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kinds[i].kind, kind) == 0)
			return (int)i;
	return -1;
}

const char *
pp__alarm_kind_name(enum pp_alarm_kind kind)
{
	return kinds[kind].kind;
}

int
pp_alarm_kind_check(const char *kind)
{
	return kind_index(kind) < 0 ? PP_EUSAGE : PP_OK;
}

/* The verdicts' reasons, in English and in Chinese. */
static const char *const why_text[][2] = {
	{ "the meter's wallet was never read", "表内钱包从未读取" },
	{ "the meter counts %lld purchases, the ledger %lld with %lld pending",
	  "表计购电次数为%lld，系统记录%lld次，其中%lld次待充值" },
	{ "purchase %lld was confirmed but the meter counts %lld",
	  "第%lld次购电已确认，但表计购电次数为%lld" },
	{ "the meter holds %s, more than the %s sold to it",
	  "表内余额%s元，多于售给该表的%s元" },
	{ "recharges of %s were cancelled, the last ordered by serial %s: "
	  "reverse them", "已取消的充值共%s元，最后一笔流水号%s，请冲正" },
};

const char *
pp__wallet_verdict(pp__st *st, int first, int zh, char *why,
    size_t len)
{
	int64_t balance = pp__col_int64(st, first);
	int64_t count = pp__col_int64(st, first + 1);
	int64_t sold = pp__col_int64(st, first + 2);
	int64_t allocated = pp__col_int64(st, first + 3);
	int64_t pending = pp__col_int64(st, first + 4);
	int64_t pending_amount = pp__col_int64(st, first + 5);
	int64_t done = pp__col_int64(st, first + 6);
	int64_t cancelled = pp__col_int64(st, first + 7);
	char x[PP_NUMBUF], y[PP_NUMBUF];

	why[0] = '\0';
	if (pp__col_null(st, first) ||
	    pp__col_null(st, first + 1)) {
		snprintf(why, len, "%s", why_text[0][zh != 0]);
		return "unread";
	}
	zh = zh != 0;
	if (count + pending != allocated)
		snprintf(why, len, why_text[1][zh], (long long)count,
		    (long long)allocated, (long long)pending);
	else if (count < done)
		snprintf(why, len, why_text[2][zh], (long long)done,
		    (long long)count);
	else if (balance > sold - pending_amount)
		snprintf(why, len, why_text[3][zh], pp_money_format(balance, x),
		    pp_money_format(sold - pending_amount, y));
	else if (cancelled != 0)
		snprintf(why, len, why_text[4][zh], pp_money_format(cancelled,
		    x), pp__col_str(st, first + 8));
	return why[0] ? "mismatch" : "ok";
}

/* What one alarm says, with the fields a template may use. */
struct facts {
	const char	*kind;
	int64_t		 meter_id, account_id, gateway_id;
	char		 meter[PP_KEYMAX], room[PP_KEYMAX], value[64];
	char		 said[256];	/* value in Chinese, when it differs */
	char		 threshold[PP_NUMBUF], balance[PP_NUMBUF];
	char		 account[PP_KEYMAX], name[PP_NAMEMAX];
};

static void
put(char *out, size_t len, size_t *at, const char *s, size_t n)
{
	if (*at + n + 1 > len)
		n = len - *at - 1;
	memcpy(out + *at, s, n);
	*at += n;
	out[*at] = '\0';
}

/* The notice: the site's template for the kind, else ours. */
static void
render(pp_db *db, const struct facts *f, char *out, size_t len)
{
	char key[32], tmpl[520], site[PP_NAMEMAX];
	const char *p, *close;
	size_t at = 0;
	int k = kind_index(f->kind);

	snprintf(key, sizeof(key), "msg_%s", f->kind);
	if (pp__setting(db, key, tmpl, sizeof(tmpl)) == NULL)
		snprintf(tmpl, sizeof(tmpl), "%s", kinds[k].text);
	pp_site_name(db, site, sizeof(site));
	out[0] = '\0';
	for (p = tmpl; *p; ) {
		const char *v = NULL;

		if (*p != '{' || (close = strchr(p, '}')) == NULL) {
			put(out, len, &at, p, 1);
			p++;
			continue;
		}
#define FIELD(name, text) \
	if ((size_t)(close - p - 1) == strlen(name) && \
	    strncmp(p + 1, name, strlen(name)) == 0) v = text
		FIELD("site", site);
		FIELD("room", f->room);
		FIELD("meter", f->meter);
		FIELD("account", f->account);
		FIELD("name", f->name);
		FIELD("balance", f->balance);
		FIELD("threshold", f->threshold);
		FIELD("value", f->said[0] ? f->said : f->value);
		FIELD("kind", kinds[k].zh);
#undef FIELD
		if (v == NULL) {
			put(out, len, &at, p, 1);
			p++;
			continue;
		}
		put(out, len, &at, v, strlen(v));
		p = close + 1;
	}
}

/* Make one condition's alarm stand or clear; *raised is the new row. */
static int
sync_alarm(pp_db *db, const struct facts *f, int holds, int64_t *raised)
{
	char message[PP_TEXTMAX];
	int64_t id;
	int rc;

	*raised = 0;
	rc = pp__query_int(db, &id, "SELECT id FROM alarms WHERE kind = ?1 AND "
	    "cleared IS NULL AND meter_id IS NOT DISTINCT FROM nullif(?2, 0) "
	    "AND account_id IS NOT DISTINCT FROM nullif(?3, 0) AND gateway_id "
	    "IS NOT DISTINCT FROM nullif(?4, 0)", "tiii", f->kind,
	    f->meter_id, f->account_id, f->gateway_id);
	if (rc != PP_OK && rc != PP_EDATA)
		return rc;
	if (rc == PP_OK && !holds)
		return pp__exec(db,
		    "UPDATE alarms SET cleared = ? WHERE id = ?",
		    "ii", pp_now(), id);
	if (rc == PP_OK || !holds)
		return PP_OK;
	render(db, f, message, sizeof(message));
	return pp__query_int(db, raised, "INSERT INTO alarms(kind, meter_id, "
	    "account_id, gateway_id, raised, level, value, message) VALUES (?, "
	    "nullif(?, 0), nullif(?, 0), nullif(?, 0), ?, ?, ?, ?) RETURNING id",
	    "tiiiiitt", f->kind, f->meter_id, f->account_id, f->gateway_id,
	    pp_now(), (int64_t)kinds[kind_index(f->kind)].level, f->value,
	    message);
}

struct raised {
	int64_t	*v;
	size_t	 n, cap;
};

static int
note(pp_db *db, struct raised *r, int64_t id)
{
	if (id == 0)
		return PP_OK;
	if (pp_grow(&r->v, &r->cap, r->n + 1, sizeof(*r->v)) != PP_OK)
		return pp__fail(db, PP_EINTERNAL, "out of memory");
	r->v[r->n++] = id;
	return PP_OK;
}

/*
 * The balance an account's alarms go by: a meter that keeps the wallet
 * knows it, once read; else the account's own (account_balances).  An
 * account that never had money (no ledger row ever credited it) and never
 * used any is unfunded, not in arrears: opened with nothing, its power
 * waits for the first purchase.
 */
static const char account_balance_sql[] =
    "SELECT a.account, a.name, CASE WHEN m.billing = 'meter' AND "
    "m.meter_balance IS NOT NULL THEN m.meter_balance ELSE (SELECT balance "
    "FROM account_balances WHERE account_id = a.id) END, m.id, m.meter, "
    "m.room, max(coalesce(m.alarm1, ?2), coalesce((SELECT n.below FROM "
    "notice_settings n WHERE n.account_id = a.id), -1)), "
    "coalesce(m.alarm2, ?3), "
    PP_UNFUNDED_SQL " FROM accounts a "
    "JOIN meters m ON m.account_id = a.id WHERE a.id = ?1 ORDER BY "
    "m.billing = 'meter' DESC, m.id LIMIT 1";

int
pp__meter_arrears(pp_db *db, int64_t meter_id, int *arrears,
    int64_t *balance, char account[PP_KEYMAX])
{
	pp__st *st;
	int64_t account_id;
	int rc;

	*arrears = 0;
	*balance = 0;
	account[0] = '\0';
	rc = pp__query_int(db, &account_id, "SELECT a.id FROM meters m JOIN "
	    "accounts a ON a.id = m.account_id WHERE m.id = ? AND a.state = "
	    "'open'", "i", meter_id);
	if (rc == PP_EDATA)
		return PP_OK;
	if (rc != PP_OK)
		return rc;
	if ((st = pp__stmt(db, account_balance_sql)) == NULL)
		return pp__errcode(db);
	pp__bind_int64(st, 1, account_id);
	pp__bind_int64(st, 2, -1);
	pp__bind_int64(st, 3, -1);
	if (pp__step(st) == PP__ROW) {
		pp__col_text(st, 0, account, PP_KEYMAX);
		*balance = pp__col_int64(st, 2);
		*arrears = *balance <= 0 && !pp__col_int(st, 8);
	}
	pp__reset(st);
	return PP_OK;
}

/*
 * One open account's balance alarms: one level standing, or unfunded
 * instead of arrears while it never had money.
 */
static int
account_alarms(pp_db *db, struct raised *r, int64_t account_id, int64_t a1,
    int64_t a2)
{
	static const char *const levels[] = { "low1", "low2", "arrears",
	    "unfunded" };
	struct facts f;
	pp__st *st;
	int64_t id, balance, alarm1, alarm2;
	int rc = PP_OK, level, k, unfunded;

	memset(&f, 0, sizeof(f));
	f.account_id = account_id;
	if ((st = pp__stmt(db, account_balance_sql)) == NULL)
		return pp__errcode(db);
	pp__bind_int64(st, 1, account_id);
	pp__bind_int64(st, 2, a1);
	pp__bind_int64(st, 3, a2);
	if (pp__step(st) != PP__ROW) {
		pp__reset(st);
		return PP_OK;
	}
	pp__col_text(st, 0, f.account, sizeof(f.account));
	pp__col_text(st, 1, f.name, sizeof(f.name));
	balance = pp__col_int64(st, 2);
	pp__col_text(st, 4, f.meter, sizeof(f.meter));
	pp__col_text(st, 5, f.room, sizeof(f.room));
	alarm1 = pp__col_int64(st, 6);
	alarm2 = pp__col_int64(st, 7);
	unfunded = pp__col_int(st, 8);
	pp__reset(st);
	level = balance <= 0 ? (unfunded ? 3 : 2) : alarm2 >= 0 &&
	    balance < alarm2 ? 1 : alarm1 >= 0 && balance < alarm1 ? 0 : -1;
	pp_money_format(balance, f.balance);
	for (k = 0; k < 4 && rc == PP_OK; k++) {
		f.kind = levels[k];
		pp_money_format(k == 0 ? alarm1 : k == 1 ? alarm2 : 0,
		    f.threshold);
		snprintf(f.value, sizeof(f.value), "%s", f.balance);
		if ((rc = sync_alarm(db, &f, k == level, &id)) == PP_OK)
			rc = note(db, r, id);
	}
	return rc;
}

/* The balance alarms of every open account. */
static int
scan_accounts(pp_db *db, struct raised *r)
{
	int64_t a1 = pp__setting_int(db, "alarm1", -1);
	int64_t a2 = pp__setting_int(db, "alarm2", -1);
	pp__st *st;
	int rc = PP_OK;

	if ((st = pp__stmt(db, "SELECT id FROM accounts WHERE state = 'open' "
	    "ORDER BY id")) == NULL)
		return pp__errcode(db);
	while (rc == PP_OK && pp__step(st) == PP__ROW)
		rc = account_alarms(db, r, pp__col_int64(st, 0), a1, a2);
	pp__reset(st);
	return rc;
}

/*
 * The conditions a scan found, each holding or not, all judged on one
 * view of the meters before any alarm is synced.
 */
struct conditions {
	struct facts	*all;
	int		*holds;
	size_t		 n, cap, hcap;
};

/* Room for k more; NULL when out of memory. */
static struct facts *
cond_room(struct conditions *c, size_t k)
{
	if (pp_grow(&c->all, &c->cap, c->n + k, sizeof(*c->all)) != PP_OK ||
	    pp_grow(&c->holds, &c->hcap, c->n + k, sizeof(*c->holds)) != PP_OK)
		return NULL;
	return &c->all[c->n];
}

/* Make every condition's alarm stand or clear, and free them. */
static int
cond_sync(pp_db *db, struct conditions *c, struct raised *r, int rc)
{
	int64_t id;
	size_t i;

	for (i = 0; i < c->n && rc == PP_OK; i++)
		if ((rc = sync_alarm(db, &c->all[i], c->holds[i], &id)) ==
		    PP_OK)
			rc = note(db, r, id);
	free(c->all);
	free(c->holds);
	memset(c, 0, sizeof(*c));
	return rc;
}

/* The six conditions of one row of scan_meters' query. */
static void
meter_conditions(pp__st *st, int lo, int hi, struct conditions *c)
{
	static const char *const kind[] = { "overload", "voltage", "lost",
	    "counter", "mismatch", "command" };
	int64_t volt = pp__col_int64(st, 5);
	int has_volt = !pp__col_null(st, 5);
	const char *flag = pp__col_str(st, 8);
	const char *cmd = pp__col_str(st, 10);
	char v[6][64], why[PP_ERRMAX], zh[256];
	const char *word;
	int h[6], k;

	snprintf(v[0], sizeof(v[0]), "%lld",
	    (long long)pp__col_int64(st, 4));
	h[0] = pp__col_int(st, 6);
	snprintf(v[1], sizeof(v[1]), "%lld.%lld", (long long)volt / 10,
	    (long long)(volt < 0 ? -volt : volt) % 10);
	h[1] = has_volt && (volt < lo * 10 || volt > hi * 10);
	v[2][0] = '\0';
	h[2] = pp__col_int(st, 7);
	snprintf(v[3], sizeof(v[3]), "%s", flag ? flag : "");
	h[3] = flag && *flag;
	/* The same verdict as report reconcile. */
	h[4] = pp__col_int(st, 9) && strcmp(pp__wallet_verdict(st, 11,
	    0, why, sizeof(why)), "mismatch") == 0;
	snprintf(v[4], sizeof(v[4]), "%.63s", why);
	pp__wallet_verdict(st, 11, 1, zh, sizeof(zh));
	snprintf(v[5], sizeof(v[5]), "%s", cmd ? cmd : "");
	h[5] = cmd && *cmd;
	for (k = 0; k < 6; k++) {
		struct facts *x = &c->all[c->n];

		memset(x, 0, sizeof(*x));
		x->kind = kind[k];
		x->meter_id = pp__col_int64(st, 0);
		pp__col_text(st, 1, x->meter, sizeof(x->meter));
		pp__col_text(st, 2, x->room, sizeof(x->room));
		snprintf(x->value, sizeof(x->value), "%s", v[k]);
		/* The notice says the flag, the action, the mismatch in Chinese. */
		if (k == 4)
			snprintf(x->said, sizeof(x->said), "%s", zh);
		else if ((k == 3 || k == 5) && (word = pp__word_zh(v[k])))
			snprintf(x->said, sizeof(x->said), "%s", word);
		if (k == 0)
			snprintf(x->threshold, sizeof(x->threshold), "%lld",
			    (long long)pp__col_int64(st, 3));
		else if (k == 1)
			snprintf(x->threshold, sizeof(x->threshold), "%d-%d",
			    lo, hi);
		c->holds[c->n++] = h[k];
	}
}

/* Conditions of a meter. */
static int
scan_meters(pp_db *db, struct raised *r)
{
	char band[32];
	int lo = 198, hi = 242, rc = PP_OK;
	int64_t tries = pp__setting_int(db, "command_alarm", 3);
	struct conditions c = { NULL, NULL, 0, 0, 0 };
	pp__st *st;

	if (pp__setting(db, "voltage_band", band, sizeof(band)))
		sscanf(band, "%d-%d", &lo, &hi);
	/* One row a meter holds every condition; kinds in columns 6..11. */
	if ((st = pp__stmt(db, "SELECT m.id, m.meter, m.room, "
	    "o.overload_w, coalesce(m.power_w, 0), "
	    PP__READING_FIRST("r.voltage_dv", "m.id", "r.voltage_dv IS NOT "
	    "NULL", "DESC") ", "
	    "m.power_w IS NOT NULL AND o.overload_w > 0 AND "
	    "m.power_w > o.overload_w, "
	    "m.state = 'lost', "
	    "coalesce(" PP__READING_FIRST(PP__READING_FLAG("r.status"),
	    "m.id", "TRUE", "DESC") ", ''), "
	    "m.billing = 'meter' AND m.account_id IS NOT NULL, "
	    "coalesce((SELECT action FROM commands c WHERE c.meter_id = m.id "
	    "AND c.state IN ('pending', 'sent') AND c.attempts >= ?1 ORDER BY "
	    "c.id LIMIT 1), ''), " PP_WALLET_FACTS_SQL " FROM meters m JOIN "
	    "meter_wallets w ON w.meter_id = m.id JOIN meter_overloads o ON "
	    "o.meter_id = m.id ORDER BY m.id")) == NULL)
		return PP_EINTERNAL;
	pp__bind_int64(st, 1, tries);
	while (pp__step(st) == PP__ROW) {
		if (cond_room(&c, 6) == NULL) {
			rc = pp__fail(db, PP_EINTERNAL, "out of memory");
			break;
		}
		meter_conditions(st, lo, hi, &c);
	}
	pp__reset(st);
	return cond_sync(db, &c, r, rc);
}

/* Gateways none of whose meters answer. */
static int
scan_gateways(pp_db *db, struct raised *r)
{
	struct conditions c = { NULL, NULL, 0, 0, 0 };
	struct facts *x;
	pp__st *st;
	int rc = PP_OK;

	if ((st = pp__stmt(db, "SELECT id, name, state = 'lost' FROM gateways "
	    "ORDER BY id")) == NULL)
		return pp__errcode(db);
	while (pp__step(st) == PP__ROW) {
		if ((x = cond_room(&c, 1)) == NULL) {
			rc = pp__fail(db, PP_EINTERNAL, "out of memory");
			break;
		}
		memset(x, 0, sizeof(*x));
		x->kind = "gateway";
		x->gateway_id = pp__col_int64(st, 0);
		pp__col_text(st, 1, x->value, sizeof(x->value));
		c.holds[c.n++] = pp__col_int(st, 2);
	}
	pp__reset(st);
	return cond_sync(db, &c, r, rc);
}

/*
 * The watchdog: the site's newest reading, or a gateway's last poll, is
 * older than twice poll_minutes; a stopped poller raises it, the next
 * poll clears it.  A site or gateway never polled has nothing to watch.
 */
static int
scan_watchdog(pp_db *db, struct raised *r)
{
	int64_t minutes = pp__setting_int(db, "poll_minutes", PP_POLL_MINUTES);
	struct conditions c = { NULL, NULL, 0, 0, 0 };
	struct facts *x;
	pp__st *st;
	int rc = PP_OK, site = 0;

	/*
	 * The site first (gateway 0), then each gateway, which is told only
	 * while the site's own alarm, that says it all, does not hold.
	 */
	/*
	 * A gateway is judged by what it brought, its meters' newest answer,
	 * not by whether it was asked: one that is polled and never answers,
	 * its power cut, is as stale as one no poll reaches.  last_seen, not
	 * the readings, so that the scan costs one row a meter however long
	 * the history (doc/design.md, "Tests and speed").
	 */
	if ((st = pp__stmt(db, "SELECT 0, '', (SELECT max(last_seen) FROM "
	    "meters) UNION ALL SELECT g.id, g.name, (SELECT max(m.last_seen) "
	    "FROM meters m WHERE m.gateway_id = g.id) FROM gateways g "
	    "ORDER BY 1")) == NULL)
		return PP_EINTERNAL;
	while (pp__step(st) == PP__ROW) {
		int64_t late = pp_now() - pp__col_int64(st, 2);
		int64_t age = late / 60;

		if ((x = cond_room(&c, 1)) == NULL) {
			rc = pp__fail(db, PP_EINTERNAL, "out of memory");
			break;
		}
		memset(x, 0, sizeof(*x));
		x->kind = "watchdog";
		x->gateway_id = pp__col_int64(st, 0);
		if (x->gateway_id == 0)
			snprintf(x->value, sizeof(x->value), "全站最新读数已是"
			    "%lld分钟前", (long long)age);
		else
			snprintf(x->value, sizeof(x->value), "网关%.20s已%lld"
			    "分钟无读数", pp__col_str(st, 1),
			    (long long)age);
		snprintf(x->threshold, sizeof(x->threshold), "%lld",
		    (long long)minutes * 2);
		c.holds[c.n] = !pp__col_null(st, 2) &&
		    late > minutes * 120 && !site;
		if (x->gateway_id == 0)
			site = c.holds[c.n];
		c.n++;
	}
	pp__reset(st);
	return cond_sync(db, &c, r, rc);
}

/* The night's report verify, as told: "fail" raises, "ok" clears. */
static int
scan_verify(pp_db *db, struct raised *r, const char *verdict)
{
	struct facts f;
	int64_t id;
	int rc;

	if (verdict == NULL)
		return PP_OK;
	memset(&f, 0, sizeof(f));
	f.kind = "verify";
	if ((rc = sync_alarm(db, &f, strcmp(verdict, "fail") == 0, &id)) !=
	    PP_OK)
		return rc;
	return note(db, r, id);
}

/* An alarm of the site's own, standing while holds, its value said so. */
static int
site_alarm(pp_db *db, struct raised *r, const char *kind, int holds,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int
site_alarm(pp_db *db, struct raised *r, const char *kind, int holds,
    const char *fmt, ...)
{
	struct facts f;
	va_list ap;
	int64_t id;
	int rc;

	memset(&f, 0, sizeof(f));
	f.kind = kind;
	va_start(ap, fmt);
	vsnprintf(f.value, sizeof(f.value), fmt, ap);
	va_end(ap);
	if ((rc = sync_alarm(db, &f, holds, &id)) != PP_OK)
		return rc;
	return note(db, r, id);
}

/*
 * Online payment (paynotify.c): notifications refused in the last 24
 * hours, or orders paid for a closed account that wait for a refund.
 */
static int
scan_payments(pp_db *db, struct raised *r)
{
	int64_t refused = 0, refunds = 0;
	int rc;

	if ((rc = pp__query_int(db, &refused, "SELECT count(*) FROM "
	    "pay_refusals WHERE time > ?", "i", pp_now() - 86400)) != PP_OK ||
	    (rc = pp__query_int(db, &refunds, "SELECT count(*) FROM orders "
	    "WHERE state = 'refund_due'", "")) != PP_OK)
		return rc;
	return site_alarm(db, r, "payment", refused > 0 || refunds > 0,
	    "24小时拒收通知%lld次，待退款%lld笔", (long long)refused,
	    (long long)refunds);
}

/*
 * Binding (websession.c): failed binds of the last 24 hours past
 * PP_BIND_ALARM_DAY, or an account locked out now by its failures.
 */
static int
scan_binds(pp_db *db, struct raised *r)
{
	int64_t failed = 0, locked = 0;
	int rc;

	if ((rc = pp__query_int(db, &failed, "SELECT count(*) FROM "
	    "bind_failures WHERE time > ?", "i", pp_now() - 86400)) != PP_OK ||
	    (rc = pp__query_int(db, &locked, "SELECT count(*) FROM (SELECT "
	    "account FROM bind_failures WHERE time > ? GROUP BY account "
	    "HAVING count(*) >= ?) AS t", "ii", pp_now() - PP_BIND_WINDOW,
	    (int64_t)PP_BIND_PER_ACCOUNT)) != PP_OK)
		return rc;
	return site_alarm(db, r, "bind", failed >= PP_BIND_ALARM_DAY ||
	    locked > 0, "24小时绑定失败%lld次，锁定户号%lld个", (long long)failed,
	    (long long)locked);
}

/* One row of alarm_rows' query. */
static void
alarm_row(pp__st *st, struct pp_alarm_row *row)
{
	char kind[16];

	memset(row, 0, sizeof(*row));
	row->time = pp__col_int64(st, 0);
	row->level = pp__col_int(st, 1);
	pp__col_text(st, 2, kind, sizeof(kind));
	row->kind = (enum pp_alarm_kind)kind_index(kind);
	pp__col_text(st, 3, row->meter, sizeof(row->meter));
	pp__col_text(st, 4, row->account, sizeof(row->account));
	pp__col_text(st, 5, row->name, sizeof(row->name));
	pp__col_text(st, 6, row->phone, sizeof(row->phone));
	pp__col_text(st, 7, row->room, sizeof(row->room));
	if ((row->has_balance = !pp__col_null(st, 8)))
		row->balance = pp__col_int64(st, 8);
	pp__col_text(st, 9, row->value, sizeof(row->value));
	pp__col_text(st, 10, row->message, sizeof(row->message));
}

void
pp_alarm_row_values(const struct pp_alarm_row *r, struct pp_alarm_text *text,
    const char *values[PP_ALARM_NCOLS])
{
	memset(text, 0, sizeof(*text));
	pp_time_format(r->time, text->time);
	snprintf(text->level, sizeof(text->level), "%d", r->level);
	if (r->has_balance)
		pp_money_format(r->balance, text->balance);
	{
		const char *const v[PP_ALARM_NCOLS] = { text->time,
		    text->level, pp__alarm_kind_name(r->kind), r->meter,
		    r->account, r->name, r->phone, r->room, text->balance,
		    r->value, r->message };

		memcpy(values, v, sizeof(v));
	}
}

/* The rows of an alarm: one per meter it concerns. */
static int
alarm_rows(pp_db *db, int64_t id, const char *kind, struct pp_alarm_row **rows,
    size_t *n, size_t *cap)
{
	pp__st *st;
	int rc;

	/* An account's alarm names each of its meters, so that a pipe to
	 * meter-ctl reaches them all. */
	if ((st = pp__stmt(db, "SELECT l.raised, l.level, l.kind, "
	    "coalesce(m.meter, ''), coalesce(a.account, ''), "
	    "coalesce(a.name, ''), coalesce(a.phone, ''), coalesce(m.room, ''), "
	    "CASE WHEN a.id IS NULL THEN NULL WHEN m.billing = 'meter' AND "
	    "m.meter_balance IS NOT NULL THEN m.meter_balance ELSE (SELECT "
	    "balance FROM account_balances WHERE account_id = a.id) END, "
	    "coalesce(l.value, ''), "
	    "coalesce(l.message, '') FROM alarms l LEFT JOIN accounts a ON "
	    "a.id = coalesce(l.account_id, (SELECT account_id FROM meters WHERE "
	    "id = l.meter_id)) LEFT JOIN meters m ON (l.meter_id IS NOT NULL "
	    "AND m.id = l.meter_id) OR (l.meter_id IS NULL AND l.account_id IS "
	    "NOT NULL AND m.account_id = l.account_id) WHERE l.id = ? AND "
	    "(?2 IS NULL OR l.kind = ?2) ORDER BY m.id")) == NULL)
		return PP_EINTERNAL;
	pp__bind_int64(st, 1, id);
	pp__bind_text(st, 2, kind);
	while ((rc = pp__step(st)) == PP__ROW) {
		struct pp_alarm_row *row;

		if (pp_grow(rows, cap, *n + 1, sizeof(**rows)) != PP_OK) {
			pp__reset(st);
			return pp__fail(db, PP_EINTERNAL, "out of memory");
		}
		row = &(*rows)[(*n)++];
		alarm_row(st, row);
	}
	pp__reset(st);
	return rc == PP__DONE ? PP_OK : pp__sqlfail(db, "alarms");
}

int
pp_alarm_scan(pp_db *db, const struct pp_scan_opts *o,
    struct pp_alarm_row **rows, size_t *n)
{
	struct raised r = { NULL, 0, 0 };
	pp__st *st;
	size_t cap = 0, i;
	int rc;

	*rows = NULL;
	*n = 0;
	if (o->kind && kind_index(o->kind) < 0)
		return pp__fail(db, PP_EUSAGE, "-k %s: no such alarm kind",
		    pp_q(o->kind));
	if (o->verify && strcmp(o->verify, "ok") != 0 && strcmp(o->verify,
	    "fail") != 0)
		return pp__fail(db, PP_EUSAGE, "--verify %s: use ok or fail",
		    pp_q(o->verify));
	if ((rc = pp__tx_begin(db)) != PP_OK)
		return rc;
	if ((rc = scan_accounts(db, &r)) == PP_OK &&
	    (rc = scan_meters(db, &r)) == PP_OK &&
	    (rc = scan_gateways(db, &r)) == PP_OK &&
	    (rc = scan_watchdog(db, &r)) == PP_OK &&
	    (rc = scan_payments(db, &r)) == PP_OK &&
	    (rc = scan_binds(db, &r)) == PP_OK)
		rc = scan_verify(db, &r, o->verify);
	if (rc != PP_OK) {
		pp__tx_rollback(db);
		free(r.v);
		return rc;
	}
	if (o->all) {
		r.n = 0;
		if ((st = pp__stmt(db, "SELECT id FROM alarms WHERE cleared IS "
		    "NULL ORDER BY id")) == NULL)
			rc = pp__errcode(db);
		while (rc == PP_OK && pp__step(st) == PP__ROW)
			rc = note(db, &r, pp__col_int64(st, 0));
		if (st)
			pp__reset(st);
	}
	for (i = 0; i < r.n && rc == PP_OK; i++)
		rc = alarm_rows(db, r.v[i], o->kind, rows, n, &cap);
	free(r.v);
	if (rc != PP_OK) {
		pp__tx_rollback(db);
		free(*rows);
		*rows = NULL;
		*n = 0;
		return rc;
	}
	return pp__tx_commit(db);
}
