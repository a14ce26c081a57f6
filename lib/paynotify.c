/*
 * paynotify.c: a payment platform's notification, checked, and its sale
 * posted exactly once (doc/design.md, "Money").  The notification is the
 * only thing that moves the money of an online payment: WeChat Pay API v3
 * (signed headers, a sealed resource) or Alipay (a signed form).  A
 * checked one pays its order by a sale with the platform's transaction
 * number as its ref, through the same calls as sale(1), in one
 * transaction with the order's update; the platform's retries, and
 * copies that arrive at once, find the order paid and post nothing more.
 * A refusal writes nothing to the ledger and is counted in pay_refusals.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "internal.h"

/* A notification's time may differ from ours by this much, seconds. */
#define PAY_SKEW	300

static const char *const code_names[] = { "paid", "duplicate", "config",
	"malformed", "stale", "unknown_serial", "bad_signature",
	"undecryptable", "merchant", "not_success", "unknown_order",
	"amount_differs", "order_state", "closed_account", "refused" };

const char *
pp_pay_code_name(enum pp_pay_code code)
{
	return code_names[code];
}

/* What a checked notification asks: pay this order by this transaction. */
struct settle {
	const char	*channel;
	char		 out_trade_no[PP_REFMAX];
	char		 txn[PP_REFMAX];
	int64_t		 amount;
	struct pp_pay_result *r;
	int		 refund_due;	/* the order was marked so */
	char		 account[PP_KEYMAX];	/* its account, closed */
	int		 sold;		/* a new sale was posted */
};

/* Refuse: r's code and reason, the error message "CODE: why"; rc. */
static int
refuse(pp_db *db, struct pp_pay_result *r, enum pp_pay_code code, int rc,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int
refuse(pp_db *db, struct pp_pay_result *r, enum pp_pay_code code, int rc,
    const char *fmt, ...)
{
	va_list ap;

	r->code = code;
	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
	va_end(ap);
	return pp__fail(db, rc, "%s: %s", code_names[code], r->reason);
}

/* An order that is not created: a copy, or one that cannot be paid. */
static int
settled_before(pp_db *db, struct settle *s, const struct pp__order_held *h,
    pp_entry *out)
{
	int rc;

	if (strcmp(h->txn, s->txn) != 0)
		return refuse(db, s->r, PP_PAY_ORDER_STATE, PP_ERULE, "order %s "
		    "is %s by transaction %s, not %s", s->out_trade_no,
		    h->state, *h->txn ? h->txn : "none", s->txn);
	if (strcmp(h->state, "paid") != 0)
		return refuse(db, s->r, PP_PAY_CLOSED_ACCOUNT, PP_ERULE,
		    "order %s: account %s is closed; the order is %s",
		    s->out_trade_no, h->account, h->state);
	if ((rc = pp__entry_load(db, h->ledger_id, out)) != PP_OK)
		return rc;
	out->replayed = 1;
	s->r->code = PP_PAY_DUPLICATE;
	snprintf(s->r->reason, sizeof(s->r->reason), "order %s was paid "
	    "already by transaction %s", s->out_trade_no, s->txn);
	return PP_OK;
}

/* The sale that pays the order, and the order paid by it. */
static int
sell(pp_db *db, struct settle *s, const struct pp__order_held *h,
    pp_entry *out)
{
	struct pp_money_req req;
	char remark[PP_REFMAX + 8];
	int rc;

	memset(&req, 0, sizeof(req));
	snprintf(remark, sizeof(remark), "order %s", s->out_trade_no);
	req.target = h->account;
	req.target_kind = PP_TARGET_ACCOUNT;
	req.amount = s->amount;
	req.method = s->channel;
	req.ref = s->txn;
	req.remark = remark;
	if ((rc = pp_sale(db, &req, out)) != PP_OK)
		return refuse(db, s->r, PP_PAY_REFUSED, rc, "order %s: %s",
		    s->out_trade_no, pp_errmsg(db));
	s->sold = !out->replayed;
	s->r->code = PP_PAY_PAID;
	snprintf(s->r->reason, sizeof(s->r->reason), "order %s paid by "
	    "transaction %s", s->out_trade_no, s->txn);
	return pp__order_paid(db, h->id, s->txn, out->id, pp_now());
}

static int
settle_run(pp_db *db, pp_entry *out, void *arg)
{
	struct settle *s = arg;
	char a[PP_NUMBUF], b[PP_NUMBUF];
	struct pp__order_held h;
	int rc;

	if ((rc = pp__order_hold(db, s->out_trade_no, &h)) == PP_EDATA ||
	    (rc == PP_OK && strcmp(h.channel, s->channel) != 0))
		return refuse(db, s->r, PP_PAY_UNKNOWN_ORDER, PP_EDATA, "order "
		    "%s: no such %s order", s->out_trade_no, s->channel);
	if (rc != PP_OK)
		return rc;
	if (h.amount != s->amount)
		return refuse(db, s->r, PP_PAY_AMOUNT, PP_EDATA, "order %s is "
		    "%s, the notification says %s", s->out_trade_no,
		    pp_money_format(h.amount, a), pp_money_format(s->amount, b));
	if (strcmp(h.state, "created") != 0)
		return settled_before(db, s, &h, out);
	if (!h.open) {
		/* Never a sale to a closed account: the platform refunds. */
		s->refund_due = 1;
		snprintf(s->account, sizeof(s->account), "%s", h.account);
		return pp__order_refund_due(db, h.id, s->txn, pp_now());
	}
	return sell(db, s, &h, out);
}

/* Count a refusal, in its own transaction: its code and reason only. */
static void
count_refusal(pp_db *db, const char *channel, const struct pp_pay_result *r,
    const char *no)
{
	char msg[PP_ERRMAX];

	snprintf(msg, sizeof(msg), "%s", pp_errmsg(db));
	if (pp__tx_begin(db) == PP_OK) {
		if (pp__exec(db, "INSERT INTO pay_refusals(time, channel, code, "
		    "out_trade_no, reason) VALUES (?, ?, ?, ?, ?)", "itttt",
		    pp_now(), channel, code_names[r->code], no && *no ? no :
		    NULL, r->reason) == PP_OK)
			pp__audit_note(db, "%s notification refused: %s",
			    channel, code_names[r->code]);
		if (pp__tx_commit(db) != PP_OK)
			pp__tx_rollback(db);
	}
	/* The refusal is the message, whatever the count did. */
	snprintf(db->err, sizeof(db->err), "%s", msg);
}

/*
 * Pay the order s names, as operator web:CHANNEL, then deliver the sale.
 * A refusal is counted; the code says what became of it.
 */
static int
settle(pp_db *db, struct settle *s)
{
	struct pp_pay_result *r = s->r;
	char login[PP_KEYMAX], msg[PP_ERRMAX];
	int rc, drc;

	snprintf(login, sizeof(login), "%s", db->login);
	snprintf(db->login, sizeof(db->login), "web:%s", s->channel);
	rc = pp_hall_post(db, settle_run, s, &r->entry);
	if (rc == PP_OK && s->refund_due)
		rc = refuse(db, r, PP_PAY_CLOSED_ACCOUNT, PP_ERULE, "order %s: "
		    "account %s is closed; the order is refund_due",
		    s->out_trade_no, s->account);
	if (rc != PP_OK && r->code != PP_PAY_PAID && r->code !=
	    PP_PAY_DUPLICATE)
		count_refusal(db, s->channel, r, s->out_trade_no);
	snprintf(db->login, sizeof(db->login), "%s", login);
	snprintf(msg, sizeof(msg), "%s", pp_errmsg(db));
	if (pp_order_get(db, s->out_trade_no, &r->order) != PP_OK)
		memset(&r->order, 0, sizeof(r->order));
	snprintf(db->err, sizeof(db->err), "%s", msg);
	if (rc == PP_OK && s->sold && (drc = pp_hall_deliver(db, &r->entry,
	    r->deliver, sizeof(r->deliver))) != PP_OK && r->deliver[0] ==
	    '\0')
		snprintf(r->deliver, sizeof(r->deliver), "%s", pp_errmsg(db));
	if (rc != PP_OK && r->code == PP_PAY_PAID)
		r->code = PP_PAY_REFUSED;
	return rc;
}

/* Refuse before any order is known: counted, nothing else written. */
static int
refuse_counted(pp_db *db, const char *channel, struct pp_pay_result *r,
    enum pp_pay_code code, int rc, const char *no, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

static int
refuse_counted(pp_db *db, const char *channel, struct pp_pay_result *r,
    enum pp_pay_code code, int rc, const char *no, const char *fmt, ...)
{
	char login[PP_KEYMAX];
	va_list ap;

	r->code = code;
	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
	va_end(ap);
	pp__fail(db, rc, "%s: %s", code_names[code], r->reason);
	snprintf(login, sizeof(login), "%s", db->login);
	snprintf(db->login, sizeof(db->login), "web:%s", channel);
	count_refusal(db, channel, r, no);
	snprintf(db->login, sizeof(db->login), "%s", login);
	return rc;
}

/* The length of a payments setting: an identifier or a file name. */
#define PP_PAYCONF	1024

/* A notification of channel begun: r and s cleared, the settings read. */
static int
pay_begin(pp_db *db, struct settle *s, struct pp_pay_result *r,
    const char *channel, const char *const keys[2],
    char conf[2][PP_PAYCONF])
{
	memset(r, 0, sizeof(*r));
	memset(s, 0, sizeof(*s));
	s->channel = channel;
	s->r = r;
	if (pp__setting(db, keys[0], conf[0], PP_PAYCONF) == NULL ||
	    pp__setting(db, keys[1], conf[1], PP_PAYCONF) == NULL)
		return refuse_counted(db, channel, r, PP_PAY_CONFIG,
		    PP_ECONFIG, NULL, "the site file's payments: has no %s",
		    channel);
	return PP_OK;
}

#define WREFUSE(code, rc, no, ...) \
	refuse_counted(db, "wechat", r, (code), (rc), (no), __VA_ARGS__)

/* The members of the decrypted transaction, into s; its mchid, appid. */
static int
wechat_transaction(pp_db *db, const char *plain, struct settle *s,
    const char *mchid, const char *appid)
{
	struct pp_pay_result *r = s->r;
	const char *no = NULL, *txn = NULL, *state = NULL, *m = NULL,
	    *a = NULL;
	json_t *root, *amount;
	json_int_t total = -1;
	int rc = PP_OK;

	if ((root = json_loads(plain, 0, NULL)) == NULL || json_unpack(root,
	    "{s:s, s:s, s:s, s:s, s:s, s:o}", "mchid", &m, "appid", &a,
	    "out_trade_no", &no, "transaction_id", &txn, "trade_state",
	    &state, "amount", &amount) != 0 || json_unpack(amount, "{s:I}",
	    "total", &total) != 0 || strlen(no) >= sizeof(s->out_trade_no) ||
	    strlen(txn) >= sizeof(s->txn) || *txn == '\0')
		rc = WREFUSE(PP_PAY_MALFORMED, PP_EDATA, NULL, "the transaction "
		    "lacks mchid, appid, out_trade_no, transaction_id, "
		    "trade_state or amount.total");
	else {
		snprintf(s->out_trade_no, sizeof(s->out_trade_no), "%s", no);
		snprintf(s->txn, sizeof(s->txn), "%s", txn);
		s->amount = total;
		if (strcmp(m, mchid) != 0 || strcmp(a, appid) != 0)
			rc = WREFUSE(PP_PAY_MERCHANT, PP_EDATA, no, "mchid %.32s "
			    "appid %.32s are not this site's", m, a);
		else if (strcmp(state, "SUCCESS") != 0)
			rc = WREFUSE(PP_PAY_NOT_SUCCESS, PP_EDATA, no, "order "
			    "%s: trade_state %.32s, not SUCCESS", no, state);
		else if (total <= 0)
			rc = WREFUSE(PP_PAY_MALFORMED, PP_EDATA, no, "order %s: "
			    "amount.total %lld is no amount", no,
			    (long long)total);
	}
	json_decref(root);
	return rc;
}

/* The body's resource, opened with the APIv3 key, into *plain. */
static int
wechat_open(pp_db *db, const struct pp_wechat_notice *n,
    struct pp_pay_result *r, char **plain)
{
	const char *alg = NULL, *ct = NULL, *nonce = NULL, *aad = "";
	char key[1024], err[PP_ERRMAX];
	json_t *root;
	int rc;

	*plain = NULL;
	root = json_loadb(n->body, n->len, 0, NULL);
	if (root == NULL || json_unpack(root, "{s:{s:s, s:s, s:s, s?s}}",
	    "resource", "algorithm", &alg, "ciphertext", &ct, "nonce", &nonce,
	    "associated_data", &aad) != 0 ||
	    strcmp(alg, "AEAD_AES_256_GCM") != 0 || strlen(nonce) != 12) {
		json_decref(root);
		return WREFUSE(PP_PAY_MALFORMED, PP_EDATA, NULL, "the body is "
		    "no JSON with a resource sealed by AEAD_AES_256_GCM");
	}
	if (pp__setting(db, "pay.wechat.apiv3_key_file", key, sizeof(key)) ==
	    NULL)
		rc = WREFUSE(PP_PAY_CONFIG, PP_ECONFIG, NULL, "the site file's "
		    "payments: has no wechat");
	else if ((rc = pp__pay_gcm_open(key, nonce, aad, ct, plain, err,
	    sizeof(err))) != PP_OK)
		rc = WREFUSE(rc == PP_EDATA ? PP_PAY_UNDECRYPTABLE :
		    PP_PAY_CONFIG, rc, NULL, "%s", err);
	json_decref(root);
	return rc;
}

/* Refuse a check: code, why and rc, for pp__wechat_check. */
#define CHECKED(c, r, ...) (*code = (c), snprintf(why, whylen, __VA_ARGS__), \
	(r))

int
pp__wechat_check(pp_db *db, const struct pp_wechat_notice *n,
    enum pp_pay_code *code, char *why, size_t whylen)
{
	char name[128], pem[1024], *msg, *end;
	long long ts;
	size_t len;
	int rc;

	if (!n->timestamp || !n->nonce || !n->signature || !n->serial ||
	    !*n->nonce || !*n->signature || strlen(n->nonce) > 64)
		return CHECKED(PP_PAY_MALFORMED, PP_EDATA, "a header of "
		    "Wechatpay-Timestamp, -Nonce, -Signature or -Serial is "
		    "missing");
	ts = strtoll(n->timestamp, &end, 10);
	if (*n->timestamp == '\0' || *end != '\0' || ts < 0)
		return CHECKED(PP_PAY_MALFORMED, PP_EDATA, "Wechatpay-"
		    "Timestamp \"%s\" is no time", pp_q(n->timestamp));
	if (ts < pp_now() - PAY_SKEW || ts > pp_now() + PAY_SKEW)
		return CHECKED(PP_PAY_STALE, PP_EDATA, "Wechatpay-Timestamp "
		    "%lld is more than 5 minutes from now", ts);
	if (strlen(n->serial) > 64 || snprintf(name, sizeof(name),
	    PP_PAY_PLATFORM_KEY "%s", n->serial) < 0 || pp__setting(db,
	    name, pem, sizeof(pem)) == NULL)
		return CHECKED(PP_PAY_UNKNOWN_SERIAL, PP_EDATA, "Wechatpay-"
		    "Serial \"%s\" names no platform key of the site",
		    pp_q(n->serial));
	len = strlen(n->timestamp) + strlen(n->nonce) + n->len + 3;
	if ((msg = malloc(len + 1)) == NULL)
		return CHECKED(PP_PAY_CONFIG, PP_EINTERNAL, "out of memory");
	snprintf(msg, len + 1, "%s\n%s\n", n->timestamp, n->nonce);
	memcpy(msg + strlen(msg), n->body, n->len);
	msg[len - 1] = '\n';
	rc = pp__pay_verify(pem, msg, len, n->signature, why, whylen);
	free(msg);
	*code = rc == PP_EDATA ? PP_PAY_BAD_SIGNATURE : PP_PAY_CONFIG;
	return rc;
}

/* The headers: fresh, signed by the platform key of their serial. */
static int
wechat_signed(pp_db *db, const struct pp_wechat_notice *n,
    struct pp_pay_result *r)
{
	enum pp_pay_code code;
	char why[PP_ERRMAX];
	int rc;

	if ((rc = pp__wechat_check(db, n, &code, why, sizeof(why))) == PP_OK)
		return PP_OK;
	if (rc == PP_EINTERNAL)
		return pp__fail(db, rc, "%s", why);
	return WREFUSE(code, rc, NULL, "%s", why);
}

int
pp_pay_wechat(pp_db *db, const struct pp_wechat_notice *n,
    struct pp_pay_result *r)
{
	static const char *const keys[2] = { "pay.wechat.mchid",
	    "pay.wechat.appid" };
	char conf[2][PP_PAYCONF], *plain;
	struct settle s;
	int rc;

	if ((rc = pay_begin(db, &s, r, "wechat", keys, conf)) != PP_OK)
		return rc;
	if ((rc = wechat_signed(db, n, r)) != PP_OK ||
	    (rc = wechat_open(db, n, r, &plain)) != PP_OK)
		return rc;
	rc = wechat_transaction(db, plain, &s, conf[0], conf[1]);
	free(plain);
	return rc == PP_OK ? settle(db, &s) : rc;
}

/* An Alipay form: its pairs, decoded, in the order of the body. */
#define FORM_MAX	64
struct form {
	char	*key[FORM_MAX], *value[FORM_MAX];
	size_t	 n;
	char	*buf;
};

/* %XX and + decoded in place; -1 when s is no form text. */
static int
form_decode(char *s)
{
	char *w = s, hex[3] = "";

	for (; *s; s++) {
		if (*s == '+')
			*w++ = ' ';
		else if (*s != '%')
			*w++ = *s;
		else {
			if (!isxdigit((unsigned char)s[1]) ||
			    !isxdigit((unsigned char)s[2]))
				return -1;
			memcpy(hex, s + 1, 2);
			*w++ = (char)strtol(hex, NULL, 16);
			s += 2;
		}
	}
	*w = '\0';
	return 0;
}

static int
form_parse(const char *body, size_t len, struct form *f)
{
	char *pair, *save = NULL, *eq;
	size_t i;

	memset(f, 0, sizeof(*f));
	if (memchr(body, '\0', len) || (f->buf = strndup(body, len)) == NULL)
		return -1;
	f->buf[strcspn(f->buf, "\r\n")] = '\0';
	for (pair = strtok_r(f->buf, "&", &save); pair;
	    pair = strtok_r(NULL, "&", &save)) {
		if ((eq = strchr(pair, '=')) == NULL || f->n == FORM_MAX)
			return -1;
		*eq = '\0';
		f->key[f->n] = pair;
		f->value[f->n] = eq + 1;
		if (form_decode(pair) || form_decode(eq + 1) || !*pair)
			return -1;
		for (i = 0; i < f->n; i++)
			if (strcmp(f->key[i], pair) == 0)
				return -1;
		f->n++;
	}
	return 0;
}

static const char *
form_get(const struct form *f, const char *key)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (strcmp(f->key[i], key) == 0)
			return f->value[i];
	return NULL;
}

struct kv {
	const char	*k, *v;
};

static int
by_key(const void *a, const void *b)
{
	return strcmp(((const struct kv *)a)->k, ((const struct kv *)b)->k);
}

char *
pp__alipay_content(char *const *key, char *const *value, size_t n,
    int no_type)
{
	struct kv pair[FORM_MAX];
	char *out, *w;
	size_t i, m = 0, len = 1;

	for (i = 0; i < n && m < FORM_MAX; i++)
		if (strcmp(key[i], "sign") && (!no_type || strcmp(key[i],
		    "sign_type")) && *value[i]) {
			pair[m].k = key[i];
			pair[m++].v = value[i];
			len += strlen(key[i]) + strlen(value[i]) + 2;
		}
	qsort(pair, m, sizeof(pair[0]), by_key);
	if ((out = w = malloc(len)) == NULL)
		return NULL;
	*w = '\0';
	for (i = 0; i < m; i++)
		w += sprintf(w, "%s%s=%s", i ? "&" : "", pair[i].k, pair[i].v);
	return out;
}

#define AREFUSE(code, rc, no, ...) \
	refuse_counted(db, "alipay", r, (code), (rc), (no), __VA_ARGS__)

/*
 * Alipay's notify_time, Beijing time (UTC+8), as Unix seconds; -1 when it
 * is no time.  Alipay retries a notification over some 25 hours.
 */
#define ALIPAY_RETRIES	(25 * 3600)

static int64_t
alipay_time(const char *s)
{
	struct tm tm;
	char tail;

	memset(&tm, 0, sizeof(tm));
	if (s == NULL || sscanf(s, "%4d-%2d-%2d %2d:%2d:%2d%c", &tm.tm_year,
	    &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec,
	    &tail) != 6 || strlen(s) != 19 || tm.tm_mon < 1 || tm.tm_mon > 12 ||
	    tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
	    tm.tm_min > 59 || tm.tm_sec > 60)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon--;
	return (int64_t)timegm(&tm) - 8 * 3600;
}

/* The form signed by Alipay's key; its app_id and status this site's. */
static int
alipay_checked(pp_db *db, const struct form *f, struct pp_pay_result *r,
    const char *app_id, const char *pem)
{
	const char *no = form_get(f, "out_trade_no"), *sign, *v;
	char err[PP_ERRMAX], *content;
	int64_t t;
	int rc;

	if ((sign = form_get(f, "sign")) == NULL || !form_get(f, "app_id") ||
	    !no || !form_get(f, "trade_no") || !form_get(f, "trade_status") ||
	    !form_get(f, "total_amount"))
		return AREFUSE(PP_PAY_MALFORMED, PP_EDATA, NULL, "the form "
		    "lacks sign, app_id, out_trade_no, trade_no, trade_status "
		    "or total_amount");
	if ((v = form_get(f, "sign_type")) && strcmp(v, "RSA2") != 0)
		return AREFUSE(PP_PAY_MALFORMED, PP_EDATA, NULL, "sign_type "
		    "\"%s\": only RSA2 is taken", pp_q(v));
	if ((content = pp__alipay_content(f->key, f->value, f->n, 1)) ==
	    NULL)
		return pp__fail(db, PP_EINTERNAL, "out of memory");
	rc = pp__pay_verify(pem, content, strlen(content), sign, err,
	    sizeof(err));
	free(content);
	if (rc != PP_OK)
		return AREFUSE(rc == PP_EDATA ? PP_PAY_BAD_SIGNATURE :
		    PP_PAY_CONFIG, rc, NULL, "%s", err);
	/* Signed, the time is Alipay's: a copy kept too long is stale. */
	if ((t = alipay_time(form_get(f, "notify_time"))) < 0)
		return AREFUSE(PP_PAY_MALFORMED, PP_EDATA, NULL, "notify_time "
		    "\"%s\" is no time", pp_q(form_get(f, "notify_time")));
	if (t < pp_now() - ALIPAY_RETRIES || t > pp_now() + PAY_SKEW)
		return AREFUSE(PP_PAY_STALE, PP_EDATA, no, "notify_time %s is "
		    "more than 25 hours before or 5 minutes after now",
		    form_get(f, "notify_time"));
	if (strcmp(form_get(f, "app_id"), app_id) != 0)
		return AREFUSE(PP_PAY_MERCHANT, PP_EDATA, no, "app_id %.32s is "
		    "not this site's", form_get(f, "app_id"));
	v = form_get(f, "trade_status");
	if (strcmp(v, "TRADE_SUCCESS") != 0 && strcmp(v, "TRADE_FINISHED"))
		return AREFUSE(PP_PAY_NOT_SUCCESS, PP_EDATA, no, "order %.64s: "
		    "trade_status %.32s, not TRADE_SUCCESS or TRADE_FINISHED",
		    no, v);
	return PP_OK;
}

/* The checked form's order paid by its trade_no. */
static int
alipay_settle(pp_db *db, const struct form *f, struct settle *s)
{
	const char *no = form_get(f, "out_trade_no"), *txn = form_get(f,
	    "trade_no"), *total = form_get(f, "total_amount");
	struct pp_pay_result *r = s->r;
	char err[PP_ERRMAX];

	if (no == NULL || txn == NULL || total == NULL)
		return PP_EINTERNAL;
	snprintf(s->out_trade_no, sizeof(s->out_trade_no), "%.64s", no);
	snprintf(s->txn, sizeof(s->txn), "%.63s", txn);
	if (strlen(no) >= sizeof(s->out_trade_no) || strlen(txn) >=
	    sizeof(s->txn) || !*txn || pp_money_parse(total, 0, -1,
	    &s->amount, err, sizeof(err)) != PP_OK || s->amount <= 0)
		return AREFUSE(PP_PAY_MALFORMED, PP_EDATA, NULL, "order %.64s: "
		    "trade_no or total_amount \"%s\" is none", no, pp_q(total));
	return settle(db, s);
}

int
pp_pay_alipay(pp_db *db, const char *body, size_t len,
    struct pp_pay_result *r)
{
	static const char *const keys[2] = { "pay.alipay.app_id",
	    "pay.alipay.public_key_file" };
	char conf[2][PP_PAYCONF];
	struct settle s;
	struct form f;
	int rc;

	if ((rc = pay_begin(db, &s, r, "alipay", keys, conf)) != PP_OK)
		return rc;
	if (form_parse(body, len, &f) != 0)
		rc = AREFUSE(PP_PAY_MALFORMED, PP_EDATA, NULL, "the body is no "
		    "form of key=value pairs, each key once");
	else if ((rc = alipay_checked(db, &f, r, conf[0], conf[1])) ==
	    PP_OK)
		rc = alipay_settle(db, &f, &s);
	free(f.buf);
	return rc;
}
