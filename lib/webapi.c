/*
 * webapi.c: prepay-web's JSON API and the platforms' notifications
 * (prepay-web(1)).  Every path under /api/ but binding asks for the
 * session; everything of an account asks pp__web_bound() first, and an
 * account the session has not bound is 403, as one that does not exist
 * is, with the same body.  The notifications are the platforms': the
 * WeChat Pay and Alipay checks are paynotify.c's; this file answers them
 * in each platform's terms.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "web.h"

static const char json_ctype[] = "application/json; charset=utf-8";

/* The one body of everything a session may not see. */
#define NOT_YOURS	"no such account or order for this session"

/* The answer: obj, compact JSON, stolen. */
static int
answer(struct pp__web_resp *resp, int status, json_t *obj)
{
	char *s;

	if (obj == NULL || (s = json_dumps(obj, JSON_COMPACT |
	    JSON_PRESERVE_ORDER)) == NULL) {
		json_decref(obj);
		return PP_EINTERNAL;
	}
	json_decref(obj);
	resp->status = status;
	resp->type = json_ctype;
	free(resp->body);
	/* A line, for a person at a terminal too. */
	if (asprintf(&resp->body, "%s\n", s) < 0) {
		resp->body = NULL;
		free(s);
		return PP_EINTERNAL;
	}
	free(s);
	resp->len = strlen(resp->body);
	return PP_OK;
}

/* A refusal: {"code": code, "message": msg}, msg also logged. */
static int
refuse(struct pp__web_resp *resp, int status, const char *code,
    const char *msg)
{
	snprintf(resp->log, sizeof(resp->log), "%.*s",
	    (int)sizeof(resp->log) - 1, msg);
	return answer(resp, status, json_pack("{s:s, s:s}", "code", code,
	    "message", msg));
}

#define BAD(resp, msg)		refuse((resp), 400, "FAIL", (msg))
#define FORBIDDEN(resp)	refuse((resp), 403, "FORBIDDEN", NOT_YOURS)

/* Over the limits on binding: 429, after Retry-After. */
static int
too_many(const struct pp__web_req *req, struct pp__web_resp *resp)
{
	int rc;

	rc = refuse(resp, 429, "TOO_MANY", "too many failed tries: wait and "
	    "try again");
	snprintf(resp->log, sizeof(resp->log), "%s", pp_errmsg(req->db));
	return rc;
}

/* The request's body as a JSON object, or a 400 already answered. */
static json_t *
body_object(const struct pp__web_req *req, struct pp__web_resp *resp)
{
	json_error_t e;
	json_t *root;
	char msg[PP_ERRMAX];

	root = json_loadb(req->body, req->len, JSON_REJECT_DUPLICATES, &e);
	if (root == NULL || !json_is_object(root)) {
		snprintf(msg, sizeof(msg), "the body is no JSON object%s%s",
		    root ? "" : ": ", root ? "" : e.text);
		json_decref(root);
		BAD(resp, msg);
		return NULL;
	}
	return root;
}

/* A member that must be a string of at most max-1 bytes, or NULL. */
static const char *
member(json_t *obj, const char *key, size_t max)
{
	json_t *v = json_object_get(obj, key);

	if (!json_is_string(v) || json_string_length(v) >= max ||
	    strlen(json_string_value(v)) != json_string_length(v))
		return NULL;
	return json_string_value(v);
}

/* "12.30" and its fen. */
static int
set_money(json_t *obj, const char *key, int64_t fen)
{
	char buf[PP_NUMBUF], k[64];

	snprintf(k, sizeof(k), "%s_fen", key);
	return json_object_set_new(obj, key, json_string(pp_money_format(fen,
	    buf))) || json_object_set_new(obj, k, json_integer(fen));
}

static json_t *
time_json(int64_t t)
{
	char buf[PP_TIMEBUF];

	return t ? json_string(pp_time_format(t, buf)) : json_null();
}

/* The meters of an account: number, address, room, building, relay. */
static int
meters_json(pp_db *db, int64_t account_id, json_t *list, int64_t *asof)
{
	pp__st *st;
	json_t *m;
	int rc;

	if ((st = pp__stmt(db, "SELECT m.meter, coalesce(m.address, "
	    "CAST(m.unit AS TEXT), ''), coalesce(b.name, ''), m.floor, m.room, "
	    "coalesce(m.relay, ''), coalesce(m.reading_time, 0), m.billing, "
	    "m.meter_balance FROM meters m LEFT JOIN buildings b ON b.id = "
	    "m.building_id WHERE m.account_id = ? ORDER BY m.meter")) == NULL)
		return PP_EINTERNAL;
	pp__bind_int64(st, 1, account_id);
	while ((rc = pp__step(st)) == PP__ROW) {
		const char *relay = pp__col_str(st, 5);
		int64_t t = pp__col_int64(st, 6);

		m = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s?, s:o, s:s}",
		    "meter", pp__col_str(st, 0),
		    "address", pp__col_str(st, 1),
		    "building", pp__col_str(st, 2),
		    "floor", pp__col_str(st, 3),
		    "room", pp__col_str(st, 4),
		    "relay", *relay ? relay : NULL,
		    "read", time_json(t),
		    "billing", pp__col_str(st, 7));
		if (m && !pp__col_null(st, 8))
			set_money(m, "meter_balance", pp__col_int64(st,
			    8));
		if (m == NULL || json_array_append_new(list, m) != 0) {
			pp__reset(st);
			return pp__fail(db, PP_EINTERNAL, "out of memory");
		}
		if (t > *asof)
			*asof = t;
	}
	pp__reset(st);
	return rc == PP__DONE ? PP_OK : pp__sqlfail(db, "meters");
}

/*
 * An account's summary: name, balance as of its meters' last reading,
 * whether the power is on (every meter's relay closed), the meters.
 */
static int
summary(pp_db *db, const char *account, json_t **out)
{
	struct pp__account a;
	json_t *obj, *meters;
	int64_t asof = 0, below;
	size_t i;
	int rc, on = 1, known = 0;

	*out = NULL;
	if ((rc = pp__account_get(db, account, &a)) != PP_OK ||
	    (rc = pp__web_notice_get(db, account, &below)) != PP_OK)
		return rc;
	if ((meters = json_array()) == NULL ||
	    (rc = meters_json(db, a.id, meters, &asof)) != PP_OK) {
		json_decref(meters);
		return rc ? rc : PP_EINTERNAL;
	}
	for (i = 0; i < json_array_size(meters); i++) {
		json_t *r = json_object_get(json_array_get(meters, i), "relay");

		if (json_is_string(r)) {
			known = 1;
			on &= strcmp(json_string_value(r), "closed") == 0;
		}
	}
	obj = json_pack("{s:s, s:s, s:s}", "account", a.account, "name",
	    a.name, "state", a.open ? "open" : "closed");
	if (obj == NULL || set_money(obj, "balance", a.balance) ||
	    json_object_set_new(obj, "as_of", time_json(asof)) ||
	    json_object_set_new(obj, "power", known ? json_string(on ? "on" :
	    "off") : json_null()) ||
	    json_object_set_new(obj, "meters", meters) ||
	    json_object_set_new(obj, "notice_below", below > 0 ?
	    json_string(pp_money_format(below, (char[PP_NUMBUF]){0})) :
	    json_null())) {
		json_decref(obj);
		return pp__fail(db, PP_EINTERNAL, "out of memory");
	}
	*out = obj;
	return PP_OK;
}

/* The session's, or a 401 answered. */
static int
need_session(const struct pp__web_req *req, struct pp__web_resp *resp)
{
	if (req->session)
		return 1;
	refuse(resp, 401, "UNAUTHORIZED", "no session: bind an account first");
	return 0;
}

/* Bound by the session: 1; 0 with the 403 answered; -code on error. */
static int
need_bound(const struct pp__web_req *req, struct pp__web_resp *resp,
    const char *account)
{
	int b = pp__web_bound(req->db, req->session, account);

	if (b == 0)
		FORBIDDEN(resp);
	return b;
}

/* POST /api/bind {"account", "check"} */
static int
api_bind(const struct pp__web_req *req, struct pp__web_resp *resp)
{
	struct pp__web_bind_req b;
	char token[PP_WEB_TOKEN];
	int64_t session = req->session;
	json_t *root, *sum;
	int rc;

	if ((root = body_object(req, resp)) == NULL)
		return PP_OK;
	b.account = member(root, "account", 256);
	b.check = member(root, "check", 64);
	b.client = req->client;
	if (b.account == NULL || b.check == NULL) {
		json_decref(root);
		return BAD(resp, "give \"account\" and \"check\" as strings");
	}
	rc = pp__web_bind(req->db, req->conf, &b, &session, token,
	    &resp->retry_after);
	if (rc == PP_EBUSY && resp->retry_after)
		rc = too_many(req, resp);
	else if (rc == PP_EPERM) {
		rc = refuse(resp, 403, "FORBIDDEN", "the account number or the "
		    "check is wrong");
		snprintf(resp->log, sizeof(resp->log), "%s",
		    pp_errmsg(req->db));
	} else if (rc == PP_OK && (rc = summary(req->db, b.account, &sum)) ==
	    PP_OK) {
		if (token[0])
			pp__web_cookie(req->conf, token, resp->cookie,
			    sizeof(resp->cookie));
		rc = answer(resp, 200, sum);
	}
	json_decref(root);
	return rc;
}

/* POST /api/bind/code {"account"} */
static int
api_bind_code(const struct pp__web_req *req, struct pp__web_resp *resp)
{
	const char *account;
	json_t *root;
	int rc;

	if ((root = body_object(req, resp)) == NULL)
		return PP_OK;
	if ((account = member(root, "account", 256)) == NULL) {
		json_decref(root);
		return BAD(resp, "give \"account\" as a string");
	}
	rc = pp__web_bind_code(req->db, req->conf, account, req->client,
	    &resp->retry_after);
	json_decref(root);
	if (rc == PP_EBUSY && resp->retry_after)
		return too_many(req, resp);
	if (rc == PP_ECONFIG)
		return refuse(resp, 404, "FAIL", pp_errmsg(req->db));
	if (rc == PP_EUNREACH)
		return refuse(resp, 502, "FAIL", "the code could not be sent");
	if (rc != PP_OK)
		return rc;
	return answer(resp, 202, json_pack("{s:s, s:s}", "code", "SENT",
	    "message", "a code goes to the phone on file, if the account has "
	    "one; it holds 10 minutes"));
}

/* POST /api/logout */
static int
api_logout(const struct pp__web_req *req, struct pp__web_resp *resp)
{
	int rc;

	if (!need_session(req, resp))
		return PP_OK;
	if ((rc = pp__web_session_end(req->db, req->session)) != PP_OK)
		return rc;
	pp__web_cookie(req->conf, NULL, resp->cookie, sizeof(resp->cookie));
	resp->status = 204;
	return PP_OK;
}

/* GET /api/accounts: the session's accounts with their balances. */
static int
api_accounts(const struct pp__web_req *req, struct pp__web_resp *resp)
{
	char (*list)[PP_KEYMAX];
	json_t *arr, *sum;
	size_t n, i;
	int rc;

	if (!need_session(req, resp))
		return PP_OK;
	if ((rc = pp__web_accounts(req->db, req->session, &list, &n)) !=
	    PP_OK)
		return rc;
	if ((arr = json_array()) == NULL)
		rc = PP_EINTERNAL;
	for (i = 0; i < n && rc == PP_OK; i++)
		if ((rc = summary(req->db, list[i], &sum)) == PP_OK &&
		    json_array_append_new(arr, sum) != 0)
			rc = PP_EINTERNAL;
	free(list);
	if (rc != PP_OK) {
		json_decref(arr);
		return rc;
	}
	return answer(resp, 200, json_pack("{s:o}", "accounts", arr));
}

/* GET /api/accounts/ACCOUNT */
static int
api_account(const struct pp__web_req *req, struct pp__web_resp *resp,
    const char *account)
{
	json_t *sum;
	int b, rc;

	if (!need_session(req, resp))
		return PP_OK;
	if ((b = need_bound(req, resp, account)) <= 0)
		return -b;
	if ((rc = summary(req->db, account, &sum)) != PP_OK)
		return rc;
	return answer(resp, 200, sum);
}

/* The notice threshold as the API shows it. */
static int
notice_answer(const struct pp__web_req *req, struct pp__web_resp *resp,
    const char *account)
{
	char buf[PP_NUMBUF];
	int64_t below;
	int rc;

	if ((rc = pp__web_notice_get(req->db, account, &below)) != PP_OK)
		return rc;
	return answer(resp, 200, json_pack("{s:s, s:s?}", "account", account,
	    "below", below > 0 ? pp_money_format(below, buf) : NULL));
}

/* GET or PUT /api/accounts/ACCOUNT/notice {"below": "20.00"} */
static int
api_notice(const struct pp__web_req *req, struct pp__web_resp *resp,
    const char *account)
{
	char err[PP_ERRMAX], msg[PP_ERRMAX + 16];
	const char *below;
	int64_t binding, fen = 0;
	json_t *root;
	int rc;

	if (!need_session(req, resp))
		return PP_OK;
	if ((rc = pp__web_binding(req->db, req->session, account, &binding))
	    != PP_OK)
		return rc;
	if (binding == 0)
		return FORBIDDEN(resp);
	if (strcmp(req->method, "GET") == 0)
		return notice_answer(req, resp, account);
	if ((root = body_object(req, resp)) == NULL)
		return PP_OK;
	below = member(root, "below", 32);
	if (below && *below && strcmp(below, "0") != 0 &&
	    pp_money_parse(below, 0, 100000000, &fen, err, sizeof(err)) !=
	    PP_OK) {
		snprintf(msg, sizeof(msg), "below: %s", err);
		json_decref(root);
		return BAD(resp, msg);
	}
	json_decref(root);
	if (below == NULL)
		return BAD(resp, "give \"below\" as a string: \"20.00\", or "
		    "\"\" for none");
	if ((rc = pp__web_notice_set(req->db, account, fen, binding)) != PP_OK)
		return rc;
	return notice_answer(req, resp, account);
}

/* The order as the API shows it. */
static json_t *
order_json(const struct pp_order *o)
{
	char amount[PP_NUMBUF], created[PP_TIMEBUF], paid[PP_TIMEBUF];

	return json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s?, s:s?, "
	    "s:s?}",
	    "out_trade_no", o->out_trade_no,
	    "amount_fen", (json_int_t)o->amount,
	    "amount", pp_money_format(o->amount, amount), "state", o->state,
	    "channel", o->channel, "account", o->account, "created",
	    pp_time_format(o->created, created), "paid", o->paid ?
	    pp_time_format(o->paid, paid) : NULL, "serial", o->serial[0] ?
	    o->serial : NULL, "pay_url", o->pay_url[0] ? o->pay_url : NULL);
}

/*
 * The platform's payment for a new order: where the resident goes to pay
 * (payrequest.c).  The order is made whatever the platform says, so a
 * platform that fails or refuses leaves it created, without a pay_url
 * and with the reason in pay_error, to be asked again; the log has it.
 */
static int
order_payment(const struct pp__web_req *req, struct pp__web_resp *resp,
    const struct pp_order *o, json_t **out)
{
	struct pp_pay_request pr;

	if (pp_order_request(req->db, o->out_trade_no, req->client, &pr) ==
	    PP_OK) {
		*out = order_json(&pr.order);
		return *out ? PP_OK : PP_EINTERNAL;
	}
	snprintf(resp->log, sizeof(resp->log), "%s", pp_errmsg(req->db));
	if ((*out = order_json(o)) == NULL ||
	    json_object_set_new(*out, "pay_error",
	    json_string(pp_errmsg(req->db))))
		return PP_EINTERNAL;
	return PP_OK;
}

/* POST /api/orders {"account", "amount", "channel"} */
static int
api_order_make(const struct pp__web_req *req, struct pp__web_resp *resp)
{
	const char *account, *amount, *channel;
	char err[PP_ERRMAX] = "", msg[PP_ERRMAX + 16];
	struct pp_order o;
	int64_t fen;
	json_t *root, *out;
	int b, rc;

	if (!need_session(req, resp) || (root = body_object(req, resp)) ==
	    NULL)
		return PP_OK;
	account = member(root, "account", PP_KEYMAX);
	amount = member(root, "amount", 32);
	channel = member(root, "channel", 16);
	rc = PP_OK;
	if (account == NULL || amount == NULL || channel == NULL)
		rc = BAD(resp, "give \"account\", \"amount\" and "
		    "\"channel\" as strings");
	else if (pp_money_parse(amount, 0, -1, &fen, err, sizeof(err)) !=
	    PP_OK || fen <= 0) {
		snprintf(msg, sizeof(msg), "amount: %s", *err ? err :
		    "not above 0.00");
		rc = BAD(resp, msg);
	} else if ((b = need_bound(req, resp, account)) <= 0)
		rc = -b;
	else if ((rc = pp_order_make(req->db, account, channel, fen, &o)) ==
	    PP_EDATA || rc == PP_ERULE)
		rc = BAD(resp, pp_errmsg(req->db));
	else if (rc == PP_ECONFIG)
		rc = refuse(resp, 400, "FAIL", pp_errmsg(req->db));
	else if (rc == PP_OK) {
		out = NULL;
		if (order_payment(req, resp, &o, &out) != PP_OK) {
			json_decref(out);
			rc = PP_EINTERNAL;
		} else
			rc = answer(resp, 201, out);
	}
	json_decref(root);
	return rc;
}

/* GET /api/orders/OUT_TRADE_NO */
static int
api_order(const struct pp__web_req *req, struct pp__web_resp *resp,
    const char *no)
{
	struct pp_order o;
	int b, rc;

	if (!need_session(req, resp))
		return PP_OK;
	if ((rc = pp_order_get(req->db, no, &o)) == PP_EDATA)
		return FORBIDDEN(resp);
	if (rc != PP_OK)
		return rc;
	if ((b = need_bound(req, resp, o.account)) <= 0)
		return -b;
	return answer(resp, 200, order_json(&o));
}

/* The status of a refused notification: the notice's fault or the order's. */
static int
pay_status(int rc, enum pp_pay_code code)
{
	if (rc == PP_OK)
		return 0;
	switch (code) {
	case PP_PAY_UNKNOWN_ORDER:
		return 404;
	case PP_PAY_AMOUNT:
		return 422;
	case PP_PAY_ORDER_STATE:
	case PP_PAY_CLOSED_ACCOUNT:
	case PP_PAY_REFUSED:
		return rc == PP_ERULE || rc == PP_EDATA ? 409 : 500;
	case PP_PAY_CONFIG:
		return 500;
	default:
		return rc == PP_EDATA ? 400 : 500;
	}
}

/* POST /pay/wechat/notify: 204, or 4xx/5xx {"code":"FAIL"} to retry. */
static int
pay_wechat(const struct pp__web_req *req, struct pp__web_resp *resp)
{
	struct pp_wechat_notice n;
	struct pp_pay_result *r;
	int rc, status;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return PP_EINTERNAL;
	n.timestamp = req->header(req, "Wechatpay-Timestamp");
	n.nonce = req->header(req, "Wechatpay-Nonce");
	n.signature = req->header(req, "Wechatpay-Signature");
	n.serial = req->header(req, "Wechatpay-Serial");
	n.body = req->body;
	n.len = req->len;
	rc = pp_pay_wechat(req->db, &n, r);
	if ((status = pay_status(rc, r->code)) == 0) {
		resp->status = 204;
		rc = PP_OK;
	} else {
		rc = refuse(resp, status, "FAIL", status == 500 ? "internal "
		    "error" : pp_errmsg(req->db));
		snprintf(resp->log, sizeof(resp->log), "wechat: %s",
		    pp_errmsg(req->db));
	}
	free(r);
	return rc;
}

/* POST /pay/alipay/notify: "success", or 4xx/5xx "fail" to retry. */
static int
pay_alipay(const struct pp__web_req *req, struct pp__web_resp *resp)
{
	struct pp_pay_result *r;
	int rc, status;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return PP_EINTERNAL;
	rc = pp_pay_alipay(req->db, req->body, req->len, r);
	status = pay_status(rc, r->code);
	if (status)
		snprintf(resp->log, sizeof(resp->log), "alipay: %s",
		    pp_errmsg(req->db));
	free(r);
	resp->status = status ? status : 200;
	resp->type = "text/plain; charset=utf-8";
	if ((resp->body = strdup(status ? "fail" : "success")) == NULL)
		return PP_EINTERNAL;
	resp->len = strlen(resp->body);
	return PP_OK;
}

/* The rest of path after prefix, one segment, or NULL. */
static const char *
segment(const char *path, const char *prefix, const char *suffix)
{
	size_t n = strlen(prefix), m = strlen(suffix), len;
	const char *rest;

	if (strncmp(path, prefix, n) != 0)
		return NULL;
	rest = path + n;
	len = strlen(rest);
	if (len <= m || strcmp(rest + len - m, suffix) != 0 ||
	    memchr(rest, '/', len - m) || len - m >= PP_KEYMAX + 32)
		return NULL;
	return rest;
}

/* The account or order named in the path, copied out of it. */
static int
named(const char *path, const char *prefix, const char *suffix,
    char out[PP_KEYMAX + 32])
{
	const char *s = segment(path, prefix, suffix);

	if (s == NULL)
		return 0;
	snprintf(out, PP_KEYMAX + 32, "%.*s", (int)(strlen(s) -
	    strlen(suffix)), s);
	return 1;
}

static int
is(const struct pp__web_req *req, const char *method)
{
	return strcmp(req->method, method) == 0;
}

int
pp__web_api(const struct pp__web_req *req, struct pp__web_resp *resp)
{
	char name[PP_KEYMAX + 32];
	const char *p = req->path;
	int get = is(req, "GET"), post = is(req, "POST");

	if (post && strcmp(p, "/pay/wechat/notify") == 0)
		return pay_wechat(req, resp);
	if (post && strcmp(p, "/pay/alipay/notify") == 0)
		return pay_alipay(req, resp);
	if (post && strcmp(p, "/api/bind") == 0)
		return api_bind(req, resp);
	if (post && strcmp(p, "/api/bind/code") == 0)
		return api_bind_code(req, resp);
	if (post && strcmp(p, "/api/logout") == 0)
		return api_logout(req, resp);
	if (get && strcmp(p, "/api/accounts") == 0)
		return api_accounts(req, resp);
	if (post && strcmp(p, "/api/orders") == 0)
		return api_order_make(req, resp);
	if (get && named(p, "/api/accounts/", "", name))
		return api_account(req, resp, name);
	if ((get || is(req, "PUT")) && named(p, "/api/accounts/", "/notice",
	    name))
		return api_notice(req, resp, name);
	if (get && named(p, "/api/orders/", "", name))
		return api_order(req, resp, name);
	return refuse(resp, 404, "FAIL", "no such API");
}
