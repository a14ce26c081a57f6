/*
 * webpage.c: the resident's pages (doc/design.md, "Residents"): mobile
 * first, in Chinese, every value escaped (html.c), the charts inline SVG
 * drawn here (chart.c), nothing inline that a Content-Security-Policy of
 * default-src 'self' would stop.  Every page of an account asks first
 * whether the session bound it; one not bound, or not there, gets the
 * same 403.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "html.h"
#include "web.h"

#define HTML_TYPE	"text/html; charset=utf-8"
#define DAYS		30	/* the bars of the account page */
#define LEDGER_ROWS	200	/* the newest rows the purchases show */

struct page {
	const struct pp__web_req *req;
	struct pp__web_resp	 *resp;
	struct pp__html		  h;
	struct pp__resident	  r;	/* the account's pages: the account */
};

/*
 * The version of the stylesheet and the script, FNV-1a of both: the
 * server lets a browser keep them for a year, so a page links them by
 * what they hold, and a new build's are fetched anew.
 */
static const char *
static_version(char v[17])
{
	static const char *const texts[] = { pp__web_css, pp__web_js };
	uint64_t h = 0xcbf29ce484222325ULL;
	const char *s;
	size_t i;

	for (i = 0; i < 2; i++)
		for (s = texts[i]; *s != '\0'; s++)
			h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	snprintf(v, 17, "%016llx", (unsigned long long)h);
	return v;
}

static void
head(struct page *p, const char *title, const char *back)
{
	char v[17];

	pp__html_fmt(&p->h, "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\""
	    "width=device-width, initial-scale=1\">\n<title>%s</title>\n"
	    "<link rel=\"stylesheet\" href=\"/static/app.css?v=%S\">\n"
	    "<script src=\"/static/app.js?v=%S\" defer></script>\n</head>\n"
	    "<body>\n<header><h1><a href=\"%s\">%s</a></h1></header>\n"
	    "<main>\n", title, static_version(v), v, back, title);
}

/* Hand the page to the server: status and body. */
static int
finish(struct page *p, int status)
{
	pp__html_raw(&p->h, "</main>\n</body>\n</html>\n");
	if (p->h.oom) {
		pp__html_free(&p->h);
		return pp__fail(p->req->db, PP_EINTERNAL, "out of memory");
	}
	p->resp->status = status;
	p->resp->type = HTML_TYPE;
	p->resp->body = p->h.s;
	p->resp->len = p->h.len;
	memset(&p->h, 0, sizeof(p->h));
	return PP_OK;
}

static int
refuse(struct page *p, int status, const char *title, const char *text)
{
	pp__html_free(&p->h);
	head(p, title, "/");
	pp__html_fmt(&p->h, "<div class=\"card\"><h2>%s</h2><p>%s</p>"
	    "<p><a class=\"btn\" href=\"/bind\">绑定账户</a> "
	    "<a class=\"btn\" href=\"/\">我的账户</a></p></div>\n", title, text);
	return finish(p, status);
}

static int
forbidden(struct page *p)
{
	return refuse(p, 403, "无权查看", "此账户未由本机绑定。请先用账户号和"
	    "校验码绑定。");
}

static int
not_found(struct page *p)
{
	return refuse(p, 404, "页面不存在", "没有这个页面。");
}

static int
redirect(struct page *p, const char *to)
{
	snprintf(p->resp->location, sizeof(p->resp->location), "%s", to);
	head(p, "正在跳转", to);
	pp__html_fmt(&p->h, "<p><a href=\"%s\">继续</a></p>\n", to);
	return finish(p, 303);
}

/* ---- what several pages show ------------------------------------------- */

static const char *
relay_text(const char *relay)
{
	if (strcmp(relay, "closed") == 0)
		return "通电";
	if (strcmp(relay, "tripped") == 0)
		return "已断电";
	return "未知";
}

static const char *
relay_class(const char *relay)
{
	return strcmp(relay, "tripped") == 0 ? "off" : strcmp(relay,
	    "closed") == 0 ? "on" : "mute";
}

/* The account's power as one word: off when any meter is off. */
static const char *
power_of(const struct pp__resident *r)
{
	size_t i;
	int on = 0;

	for (i = 0; i < r->nmeters; i++) {
		if (strcmp(r->meters[i].relay, "tripped") == 0)
			return "tripped";
		on += strcmp(r->meters[i].relay, "closed") == 0;
	}
	return on ? "closed" : "";
}

static void
nav(struct page *p)
{
	const char *a = p->r.account;

	pp__html_fmt(&p->h, "<nav><a href=\"/a/%s\">账户</a>"
	    "<a href=\"/a/%s/purchases\">购电记录</a>"
	    "<a href=\"/a/%s/pay\">充值</a>"
	    "<a href=\"/a/%s/notice\">余额提醒</a>"
	    "<a href=\"/\">全部账户</a></nav>\n", a, a, a, a);
}

/* The balance, as of the reading it follows. */
static void
balance_card(struct page *p)
{
	char money[PP_NUMBUF], t[PP_TIMEBUF];
	const struct pp__resident *r = &p->r;

	pp__html_fmt(&p->h, "<section class=\"card\"><h2>%s（%s）</h2>\n"
	    "<div class=\"mute\">账户余额</div>\n<div id=\"balance\" "
	    "class=\"balance%S\">￥%s</div>\n", r->name, r->account,
	    r->balance < 0 ? " neg" : "", pp_money_format(r->balance, money));
	if (r->as_of)
		pp__html_fmt(&p->h, "<div class=\"mute\">截至 <span id=\""
		    "asof\">%s</span> 的读数</div>\n", pp_time_format(r->as_of,
		    t));
	else
		pp__html_raw(&p->h, "<div class=\"mute\">尚无读数</div>\n");
	if (!r->open)
		pp__html_raw(&p->h, "<p class=\"off\">此账户已销户</p>\n");
	pp__html_fmt(&p->h, "<p>用电状态：<strong id=\"power\" class=\"%S\">"
	    "%s</strong></p></section>\n", relay_class(power_of(r)),
	    relay_text(power_of(r)));
}

static void
meters_card(struct page *p)
{
	char kwh[PP_NUMBUF], t[PP_TIMEBUF], money[PP_NUMBUF];
	const struct pp__res_meter *m;
	size_t i;

	pp__html_raw(&p->h, "<section class=\"card\"><h2>电表与房间</h2>\n"
	    "<table id=\"meters\"><tr><th>表号</th><th>房间</th><th>状态</th>"
	    "<th class=\"num\">读数 kWh</th></tr>\n");
	for (i = 0; i < p->r.nmeters; i++) {
		m = &p->r.meters[i];
		pp__html_fmt(&p->h, "<tr><td>%s</td><td>%s</td><td class=\"%S "
		    "relay\">%s</td><td class=\"num\">%s</td></tr>\n", m->meter,
		    m->room, relay_class(m->relay), relay_text(m->relay),
		    m->reading_time ? pp__energy_format(m->energy_wh, kwh) :
		    "—");
		if (m->reading_time)
			pp__html_fmt(&p->h, "<tr><td colspan=\"4\" class=\""
			    "mute\">读数时间 %s%S%s</td></tr>\n",
			    pp_time_format(m->reading_time, t), m->wallet &&
			    m->has_balance ? "，表内余额 ￥" : "", m->wallet &&
			    m->has_balance ? pp_money_format(m->meter_balance,
			    money) : "");
	}
	pp__html_raw(&p->h, "</table></section>\n");
}

/* ---- the account's pages ------------------------------------------------ */

/* A point's labels from its bucket: by day or by half hour. */
static void
point_of(struct pp__chart_point *pt, const struct pp__bucket *b, int by_day,
    const char *account)
{
	char day[PP_TIMEBUF], kwh[PP_NUMBUF];
	time_t tt = (time_t)b->start;
	struct tm tm;

	memset(pt, 0, sizeof(*pt));
	pt->known = b->covered != 0;
	pt->wh = b->wh;
	localtime_r(&tt, &tm);
	pp__day_format(b->start, day);
	pp__energy_format(b->wh, kwh);
	if (by_day) {
		snprintf(pt->label, sizeof(pt->label), "%02d-%02d",
		    tm.tm_mon + 1, tm.tm_mday);
		snprintf(pt->href, sizeof(pt->href), "/a/%s/day/%s", account,
		    day);
	} else
		snprintf(pt->label, sizeof(pt->label), "%02d:%02d",
		    tm.tm_hour, tm.tm_min);
	if (!pt->known)
		snprintf(pt->title, sizeof(pt->title), "%s 无读数", by_day ?
		    day : pt->label);
	else if (by_day)
		snprintf(pt->title, sizeof(pt->title), "%s %s kWh", day, kwh);
	else
		snprintf(pt->title, sizeof(pt->title), "%s %s kWh，平均 %lld W",
		    pt->label, kwh, (long long)((b->wh * 3600 + b->covered /
		    2) / b->covered));
}

/* The buckets of [from, to) by unit as chart points; free *pts. */
static int
points(struct page *p, int64_t from, int64_t to, enum pp__unit unit,
    struct pp__chart_point **pts, size_t *n, int64_t *total)
{
	struct pp__bucket *b;
	long nb, k;
	int rc;

	if ((rc = pp__resident_use(p->req->db, p->r.id, from, to, unit, &b,
	    &nb)) != PP_OK)
		return rc;
	if ((*pts = calloc((size_t)nb + 1, sizeof(**pts))) == NULL) {
		free(b);
		return pp__fail(p->req->db, PP_EINTERNAL, "out of memory");
	}
	*total = 0;
	for (k = 0; k < nb; k++) {
		point_of(&(*pts)[k], &b[k], unit == PP_DAY, p->r.account);
		*total += b[k].wh;
	}
	*n = (size_t)nb;
	free(b);
	return PP_OK;
}

static int
page_account(struct page *p)
{
	struct pp__chart_point *pts;
	char kwh[PP_NUMBUF];
	int64_t today = pp__unit_start(pp_now(), PP_DAY), total;
	size_t n;
	int rc;

	head(p, "我的用电", "/");
	nav(p);
	balance_card(p);
	meters_card(p);
	if ((rc = points(p, pp__day_at(today, -(DAYS - 1), 0),
	    pp__unit_next(today, PP_DAY), PP_DAY, &pts, &n, &total)) != PP_OK)
		return rc;
	pp__html_fmt(&p->h, "<section class=\"card\"><h2>近%d天每日用电</h2>\n"
	    "<p class=\"mute\">合计 %s kWh；点柱子看当天的半小时曲线。</p>\n",
	    DAYS, pp__energy_format(total, kwh));
	pp__chart_bars(&p->h, pts, n);
	pp__html_raw(&p->h, "</section>\n");
	free(pts);
	return finish(p, 200);
}

/* YYYY-MM-DD, a real day: its local midnight. */
static int
day_parse(const char *s, int64_t *t)
{
	char err[PP_ERRMAX], back[PP_TIMEBUF];
	size_t i;

	if (strlen(s) != 10)
		return PP_EDATA;
	for (i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? s[i] != '-' : s[i] < '0' || s[i] > '9')
			return PP_EDATA;
	if (pp_time_parse(s, t, err, sizeof(err)) != PP_OK)
		return PP_EDATA;
	/* 2026-02-30 is no day, whatever mktime makes of it. */
	return strcmp(pp__day_format(*t, back), s) == 0 ? PP_OK : PP_EDATA;
}

/*
 * Night standby: the average power of the known half hours from 00:00 to
 * 06:00 (a half hour's Wh twice over is its watts).
 */
static void
standby(struct page *p, const struct pp__chart_point *pts, size_t n)
{
	int64_t wh = 0;
	size_t i, known = 0;

	for (i = 0; i < n && i < 12; i++)
		if (pts[i].known) {
			wh += pts[i].wh;
			known++;
		}
	if (known == 0)
		return;
	pp__html_fmt(&p->h, "<p>凌晨 0–6 点平均功率（待机）：<strong id=\""
	    "standby\">%D W</strong></p>\n", (wh * 2 + (int64_t)known / 2) /
	    (int64_t)known);
}

static int
page_day(struct page *p, const char *day)
{
	struct pp__chart_point *pts;
	char kwh[PP_NUMBUF], prev[PP_TIMEBUF], next[PP_TIMEBUF];
	int64_t t, total;
	size_t n;
	int rc;

	if (day_parse(day, &t) != PP_OK)
		return not_found(p);
	if ((rc = points(p, t, pp__unit_next(t, PP_DAY), PP_HALFHOUR, &pts,
	    &n, &total)) != PP_OK)
		return rc;
	pp__day_format(pp__day_at(t, -1, 0), prev);
	pp__day_format(pp__unit_next(t, PP_DAY), next);
	head(p, "当日用电曲线", "/");
	nav(p);
	pp__html_fmt(&p->h, "<section class=\"card\"><h2>%s（%s）%s 用电</h2>\n"
	    "<p>全天 <strong id=\"daytotal\">%s kWh</strong>，每半小时一点；"
	    "没有读数的时段留空。</p>\n", p->r.name, p->r.account, day,
	    pp__energy_format(total, kwh));
	standby(p, pts, n);
	pp__chart_curve(&p->h, pts, n);
	pp__html_fmt(&p->h, "<p><a class=\"btn\" href=\"/a/%s/day/%s\">前一天"
	    "</a> <a class=\"btn\" href=\"/a/%s/day/%s\">后一天</a></p>"
	    "</section>\n", p->r.account, prev, p->r.account, next);
	free(pts);
	return finish(p, 200);
}

static int
page_purchases(struct page *p)
{
	char money[PP_NUMBUF], bal[PP_NUMBUF], t[PP_TIMEBUF];
	int64_t *ids;
	pp_entry e;
	size_t n, i;
	int rc;

	if ((rc = pp__resident_ledger(p->req->db, p->r.id, LEDGER_ROWS, &ids,
	    &n)) != PP_OK)
		return rc;
	head(p, "购电记录", "/");
	nav(p);
	pp__html_fmt(&p->h, "<section class=\"card\"><h2>%s（%s）</h2>\n"
	    "<table id=\"ledger\"><tr><th>时间</th><th>类型</th><th>方式</th>"
	    "<th class=\"num\">金额</th><th class=\"num\">余额</th>"
	    "<th>票据</th></tr>\n", p->r.name, p->r.account);
	for (i = 0; i < n && rc == PP_OK; i++) {
		if ((rc = pp__entry_load(p->req->db, ids[i], &e)) != PP_OK)
			break;
		pp__html_fmt(&p->h, "<tr><td>%s</td><td>%s</td><td>%s</td>"
		    "<td class=\"num\">%s</td><td class=\"num\">%s</td><td>"
		    "<a href=\"/a/%s/receipt/%s\">%s</a></td></tr>\n",
		    pp_time_format(e.time, t), pp__kind_label(e.kind),
		    pp__method_label(e.method), pp_money_format(e.amount,
		    money), pp_money_format(e.balance, bal), p->r.account,
		    e.serial, e.serial);
	}
	free(ids);
	if (rc != PP_OK)
		return rc;
	if (n == 0)
		pp__html_raw(&p->h, "<tr><td colspan=\"6\">尚无记录</td></tr>\n");
	pp__html_raw(&p->h, "</table></section>\n");
	return finish(p, 200);
}

/* The receipt's fields, as the printed one has them (receipt.c). */
static void
receipt_fields(struct page *p, const pp_entry *e, const char *upper)
{
	char money[PP_NUMBUF], bal[PP_NUMBUF], t[PP_TIMEBUF], count[32];
	int64_t shown;

	/* A reversal keeps its sign; the type says which way others go. */
	shown = strcmp(e->kind, "reverse") == 0 || e->amount >= 0 ?
	    e->amount : -e->amount;
	snprintf(count, sizeof(count), "%lld", (long long)e->buy_count);
	pp__html_fmt(&p->h, "<dl>\n<dt>票据号</dt><dd id=\"serial\">%s</dd>\n"
	    "<dt>时间</dt><dd>%s</dd>\n<dt>用户编号</dt><dd>%s</dd>\n"
	    "<dt>用户名</dt><dd>%s</dd>\n<dt>表号</dt><dd>%s</dd>\n"
	    "<dt>房间</dt><dd>%s</dd>\n<dt>类型</dt><dd>%s</dd>\n"
	    "<dt>付款方式</dt><dd>%s</dd>\n<dt>购电次数</dt><dd>%s</dd>\n"
	    "<dt>金额</dt><dd id=\"amount\">￥%s</dd>\n"
	    "<dt>大写</dt><dd id=\"upper\" class=\"upper\">%s</dd>\n"
	    "<dt>余额</dt><dd>￥%s</dd>\n<dt>收款员</dt><dd>%s</dd>\n"
	    "<dt>备注</dt><dd>%s</dd>\n</dl>\n", e->serial,
	    pp_time_format(e->time, t), e->account, e->name, e->meter, e->room,
	    pp__kind_label(e->kind), pp__method_label(e->method),
	    e->buy_count ? count : "—", pp_money_format(shown, money), upper,
	    pp_money_format(e->balance, bal), e->operator_name[0] ?
	    e->operator_name : e->operator, e->remark);
}

static int
page_receipt(struct page *p, const char *serial)
{
	char site[PP_NAMEMAX], upper[256];
	int64_t shown;
	pp_entry e;
	int rc;

	/* Only a serial of this account: another's is no page at all. */
	if (strlen(serial) >= PP_KEYMAX)
		return not_found(p);
	if ((rc = pp__resident_receipt(p->req->db, p->r.id, serial, &e)) ==
	    PP_EDATA)
		return not_found(p);
	if (rc != PP_OK)
		return rc;
	shown = e.amount < 0 && strcmp(e.kind, "reverse") != 0 ? -e.amount :
	    e.amount;
	if (pp__rmb_upper(shown, upper, sizeof(upper)) != PP_OK)
		upper[0] = '\0';
	head(p, "电子票据", "/");
	nav(p);
	pp__html_fmt(&p->h, "<section class=\"card receipt\">\n<h2>%s<br>"
	    "预付电费收款票据</h2>\n", pp_site_name(p->req->db, site,
	    sizeof(site)));
	receipt_fields(p, &e, upper);
	pp__html_raw(&p->h, "<p class=\"mute\">本票据由系统生成，与收费处"
	    "打印的票据具有同等效力。</p>\n<p class=\"noprint\"><button "
	    "id=\"print\" type=\"button\">打印票据</button></p>\n</section>\n");
	return finish(p, 200);
}

/* The channels the site's payments: configure. */
static size_t
channels(pp_db *db, const char *ch[2])
{
	char buf[PP_KEYMAX];
	size_t n = 0;

	if (pp__setting(db, "pay.wechat.mchid", buf, sizeof(buf)) != NULL)
		ch[n++] = "wechat";
	if (pp__setting(db, "pay.alipay.app_id", buf, sizeof(buf)) != NULL)
		ch[n++] = "alipay";
	return n;
}

static int
page_pay(struct page *p)
{
	const char *ch[2];
	size_t n, i;

	head(p, "充值", "/");
	nav(p);
	balance_card(p);
	n = channels(p->req->db, ch);
	if (!p->r.open || n == 0) {
		pp__html_fmt(&p->h, "<section class=\"card\"><p>%s</p>"
		    "</section>\n", !p->r.open ? "此账户已销户，不能充值。" :
		    "本站未开通在线缴费，请到收费处办理。");
		return finish(p, 200);
	}
	pp__html_fmt(&p->h, "<section class=\"card\"><h2>在线充值</h2>\n"
	    "<form id=\"pay\" data-account=\"%s\">\n<label for=\"amount\">"
	    "金额（元）</label>\n<input id=\"amount\" name=\"amount\" type="
	    "\"text\" inputmode=\"decimal\" autocomplete=\"off\" required "
	    "placeholder=\"例如 50.00\">\n<label>支付方式</label>\n",
	    p->r.account);
	for (i = 0; i < n; i++)
		pp__html_fmt(&p->h, "<label><input type=\"radio\" name=\""
		    "channel\" value=\"%s\"%S> %s</label>\n", ch[i], i == 0 ?
		    " checked" : "", pp__method_label(ch[i]));
	pp__html_raw(&p->h, "<div id=\"msg\" class=\"msg\"></div>\n<button "
	    "type=\"submit\">去支付</button>\n</form>\n<p class=\"mute\">"
	    "支付成功后，余额在收到支付平台的通知时到账。</p></section>\n");
	return finish(p, 200);
}

static const char *
order_state(const char *state)
{
	static const struct { const char *state, *label; } s[] = {
		{ "created", "待支付" }, { "paid", "已支付" },
		{ "refund_due", "待退款" }, { "closed", "已关闭" },
	};
	size_t i;

	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		if (strcmp(state, s[i].state) == 0)
			return s[i].label;
	return state;
}

static int
page_order(struct page *p, const char *no)
{
	char money[PP_NUMBUF], t[PP_TIMEBUF];
	struct pp_order o;
	int rc;

	if (strlen(no) >= PP_TRADE_NOMAX)
		return not_found(p);
	if ((rc = pp_order_get(p->req->db, no, &o)) == PP_EDATA ||
	    (rc == PP_OK && strcmp(o.account, p->r.account) != 0))
		return not_found(p);
	if (rc != PP_OK)
		return rc;
	head(p, "订单", "/");
	nav(p);
	pp__html_fmt(&p->h, "<section class=\"card\"><h2>订单 %s</h2>\n"
	    "<div id=\"order\" data-trade=\"%s\" data-state=\"%s\">\n<p>状态："
	    "<strong id=\"state\">%s</strong></p>\n<p>金额：￥%s，%s</p>\n"
	    "<p class=\"mute\">下单时间 %s</p>\n", o.out_trade_no,
	    o.out_trade_no, o.state, order_state(o.state),
	    pp_money_format(o.amount, money), pp__method_label(o.channel),
	    pp_time_format(o.created, t));
	if (o.serial[0])
		pp__html_fmt(&p->h, "<p><a class=\"btn\" href=\"/a/%s/receipt/"
		    "%s\">查看电子票据</a></p>\n", p->r.account, o.serial);
	else if (strcmp(o.state, "created") == 0)
		pp__html_raw(&p->h, "<p class=\"mute\">等待支付平台的通知，"
		    "本页会自动刷新。</p>\n");
	pp__html_raw(&p->h, "</div></section>\n");
	return finish(p, 200);
}

static int
page_notice(struct page *p)
{
	head(p, "余额提醒", "/");
	nav(p);
	balance_card(p);
	pp__html_fmt(&p->h, "<section class=\"card\"><h2>低余额提醒</h2>\n"
	    "<p id=\"now\" class=\"mute\"></p>\n<form id=\"notice\" "
	    "data-account=\"%s\">\n<label><input type=\"checkbox\" name=\"on\"> "
	    "余额低于下面的金额时，通过预留手机提醒我</label>\n<label for=\""
	    "below\">提醒金额（元）</label>\n<input id=\"below\" name=\"below\" "
	    "type=\"text\" inputmode=\"decimal\" placeholder=\"例如 20.00\">\n"
	    "<div id=\"msg\" class=\"msg\"></div>\n<button type=\"submit\">保存"
	    "</button>\n</form></section>\n", p->r.account);
	return finish(p, 200);
}

/*
 * /a/ACCOUNT and what is under it: the account bound by this session, or
 * the one 403 whether it is another's or none at all.
 */
static int
account_pages(struct page *p, const char *path)
{
	char account[PP_KEYMAX];
	const char *slash = strchr(path, '/'), *rest;
	size_t len = slash ? (size_t)(slash - path) : strlen(path);
	int rc;

	if (len == 0 || len >= sizeof(account) || p->req->session == 0)
		return forbidden(p);
	memcpy(account, path, len);
	account[len] = '\0';
	if ((rc = pp__web_bound(p->req->db, p->req->session, account)) < 0)
		return -rc;
	if (rc == 0)
		return forbidden(p);
	if ((rc = pp__resident_get(p->req->db, account, &p->r)) == PP_EDATA)
		return forbidden(p);
	if (rc != PP_OK)
		return rc;
	rest = slash ? slash + 1 : "";
	if (*rest == '\0')
		return page_account(p);
	if (strncmp(rest, "day/", 4) == 0)
		return page_day(p, rest + 4);
	if (strcmp(rest, "purchases") == 0)
		return page_purchases(p);
	if (strncmp(rest, "receipt/", 8) == 0)
		return page_receipt(p, rest + 8);
	if (strcmp(rest, "pay") == 0)
		return page_pay(p);
	if (strncmp(rest, "order/", 6) == 0)
		return page_order(p, rest + 6);
	if (strcmp(rest, "notice") == 0)
		return page_notice(p);
	return not_found(p);
}

/* ---- the pages of the session ------------------------------------------- */

static int
page_home(struct page *p)
{
	char (*list)[PP_KEYMAX] = NULL, money[PP_NUMBUF];
	struct pp__resident r;
	size_t n = 0, i;
	int rc;

	if (p->req->session != 0 && (rc = pp__web_accounts(p->req->db,
	    p->req->session, &list, &n)) != PP_OK)
		return rc;
	if (n == 0) {
		free(list);
		return redirect(p, "/bind");
	}
	head(p, "我的账户", "/");
	pp__html_raw(&p->h, "<section class=\"card\"><table id=\"accounts\">"
	    "<tr><th>账户</th><th>户名</th><th class=\"num\">余额</th>"
	    "<th>用电</th></tr>\n");
	for (i = 0, rc = PP_OK; i < n && rc == PP_OK; i++) {
		if ((rc = pp__resident_get(p->req->db, list[i], &r)) != PP_OK)
			break;
		pp__html_fmt(&p->h, "<tr><td><a href=\"/a/%s\">%s</a></td>"
		    "<td>%s</td><td class=\"num\">￥%s</td><td class=\"%S\">"
		    "%s</td></tr>\n", r.account, r.account, r.name,
		    pp_money_format(r.balance, money), relay_class(power_of(&r)),
		    relay_text(power_of(&r)));
	}
	free(list);
	if (rc != PP_OK)
		return rc;
	pp__html_raw(&p->h, "</table></section>\n<p><a class=\"btn\" href=\""
	    "/bind\">绑定其他账户</a></p>\n<p><button id=\"logout\" class=\""
	    "plain\" type=\"button\">退出登录</button></p>\n");
	return finish(p, 200);
}

static int
page_bind(struct page *p)
{
	int code = p->req->conf != NULL && p->req->conf->bind_code;

	head(p, "绑定电费账户", "/");
	pp__html_fmt(&p->h, "<section class=\"card\"><h2>绑定账户</h2>\n"
	    "<p class=\"mute\">账户号见收费处开户时给您的票据。%s</p>\n"
	    "<form id=\"bind\">\n<label for=\"account\">账户号</label>\n"
	    "<input id=\"account\" name=\"account\" type=\"text\" "
	    "autocomplete=\"off\" required>\n<label for=\"check\">%s</label>\n",
	    code ? "验证码会发到开户时预留的手机。" : "校验码是开户时预留手机号"
	    "的后四位。", code ? "短信验证码" : "手机号后四位");
	if (code)
		pp__html_raw(&p->h, "<div class=\"row\"><input id=\"check\" "
		    "name=\"check\" type=\"tel\" inputmode=\"numeric\" "
		    "maxlength=\"6\" autocomplete=\"one-time-code\" required>"
		    "<button id=\"getcode\" class=\"plain\" type=\"button\">"
		    "获取验证码</button></div>\n");
	else
		pp__html_raw(&p->h, "<input id=\"check\" name=\"check\" type="
		    "\"tel\" inputmode=\"numeric\" maxlength=\"4\" "
		    "autocomplete=\"off\" required>\n");
	pp__html_raw(&p->h, "<div id=\"msg\" class=\"msg\"></div>\n<button "
	    "type=\"submit\">绑定</button>\n</form></section>\n");
	return finish(p, 200);
}

static int
page_static(struct page *p, const char *type, const char *text)
{
	size_t len = strlen(text);

	if ((p->resp->body = malloc(len + 1)) == NULL)
		return pp__fail(p->req->db, PP_EINTERNAL, "out of memory");
	memcpy(p->resp->body, text, len + 1);
	p->resp->len = len;
	p->resp->type = type;
	p->resp->status = 200;
	return PP_OK;
}

static int
route(struct page *p)
{
	const char *path = p->req->path;

	if (strcmp(p->req->method, "GET") != 0 &&
	    strcmp(p->req->method, "HEAD") != 0)
		return refuse(p, 405, "不支持的请求", "此页面只能查看。");
	if (strcmp(path, "/static/app.css") == 0)
		return page_static(p, "text/css; charset=utf-8", pp__web_css);
	if (strcmp(path, "/static/app.js") == 0)
		return page_static(p, "text/javascript; charset=utf-8",
		    pp__web_js);
	if (strcmp(path, "/") == 0)
		return page_home(p);
	if (strcmp(path, "/bind") == 0)
		return page_bind(p);
	if (strncmp(path, "/a/", 3) == 0)
		return account_pages(p, path + 3);
	return not_found(p);
}

int
pp__web_page(const struct pp__web_req *req, struct pp__web_resp *resp)
{
	struct page p;
	int rc;

	memset(&p, 0, sizeof(p));
	p.req = req;
	p.resp = resp;
	/* A page that failed half way is dropped; finish() took a whole one. */
	if ((rc = route(&p)) != PP_OK)
		pp__html_free(&p.h);
	return rc;
}
