/*
 * payrequest.c: a payment asked of the platform for an order
 * (doc/design.md, "Residents"), over HTTPS with libcurl.  WeChat Pay API
 * v3's H5 payment, signed WECHATPAY2-SHA256-RSA2048 with the merchant's
 * key, answers the h5_url the resident opens; Alipay's precreate, signed
 * RSA2 with the application's key, answers a qr_code address.  Either
 * answer is taken only signed by the platform's key, checked as its
 * notifications are (paynotify.c).  Nothing moves money here: the
 * order keeps the address, and only the platform's notification pays it.
 * No message quotes a key or a signature.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>
#include <openssl/rand.h>

#include "internal.h"

#define ERR(code, ...)	pp__fail(db, code, __VA_ARGS__)

/* An answer: at most this long, within these seconds. */
#define ANSWER_MAX	(1 << 20)
#define CONNECT_S	5L
#define WHOLE_S		15L

/* The length of a payments setting: an identifier, a file, an address. */
#define CONF_MAX	1024

/* What the platform answered: its status, headers and body. */
struct answer {
	long	 status;
	char	*body;
	size_t	 len;
	char	 ts[32], nonce[80], sig[1024], serial[80];
	int	 toolong;	/* the body passed ANSWER_MAX */
};

/*
 * One request: the order, the payer's address, the notify_base and the
 * channel's settings: WeChat's mchid, appid, merchant key, serial and
 * api_base; Alipay's app_id, public key, private key, -, gateway.
 */
struct ask {
	struct pp_order	 o;
	const char	*client;
	char		 notify[CONF_MAX];
	char		 conf[5][CONF_MAX];
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static int curl_ready;

static void
curl_start(void)
{
	curl_ready = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
}

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct answer *a = arg;
	char *grown;

	n *= size;
	if ((a->toolong = a->len + n > ANSWER_MAX) ||
	    (grown = realloc(a->body, a->len + n + 1)) == NULL)
		return 0;
	a->body = grown;
	memcpy(a->body + a->len, p, n);
	a->len += n;
	a->body[a->len] = '\0';
	return n;
}

/* The Wechatpay- headers of the answer, each as it came. */
static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	static const struct { const char *name; size_t off, len; } h[] = {
		{ "Wechatpay-Timestamp:", offsetof(struct answer, ts), 32 },
		{ "Wechatpay-Nonce:", offsetof(struct answer, nonce), 80 },
		{ "Wechatpay-Signature:", offsetof(struct answer, sig), 1024 },
		{ "Wechatpay-Serial:", offsetof(struct answer, serial), 80 },
	};
	struct answer *a = arg;
	size_t i, k, len = size * n;
	const char *v, *e;

	for (i = 0; i < sizeof(h) / sizeof(h[0]); i++) {
		k = strlen(h[i].name);
		if (len <= k || strncasecmp(p, h[i].name, k) != 0)
			continue;
		for (v = p + k; v < p + len && (*v == ' ' || *v == '\t'); v++)
			;
		for (e = p + len; e > v && isspace((unsigned char)e[-1]); e--)
			;
		snprintf((char *)a + h[i].off, h[i].len, "%.*s", (int)(e - v),
		    v);
	}
	return len;
}

/* POST body to url with headers; PP_EUNREACH when no answer came. */
static int
post(pp_db *db, const char *url, struct curl_slist *hdrs, const char *body,
    struct answer *a)
{
	char why[CURL_ERROR_SIZE] = "";
	CURLcode cc;
	CURL *c;

	memset(a, 0, sizeof(*a));
	if (pthread_once(&curl_once, curl_start) != 0 || !curl_ready ||
	    (c = curl_easy_init()) == NULL)
		return ERR(PP_EINTERNAL, "libcurl does not start");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, CONNECT_S);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, WHOLE_S);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "prepay");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, a);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, a);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, why);
	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a->status);
	curl_easy_cleanup(c);
	if (cc != CURLE_OK && a->toolong)
		return ERR(PP_EDATA, "%s: the answer is longer than 1 MiB",
		    url);
	if (cc != CURLE_OK)
		return ERR(PP_EUNREACH, "%s: the platform is unreachable: %s",
		    url, *why ? why : curl_easy_strerror(cc));
	if (a->body == NULL && (a->body = strdup("")) == NULL)
		return ERR(PP_EINTERNAL, "out of memory");
	return PP_OK;
}

/* s as a header may carry it: printable, at most 120 bytes, "?" else. */
static const char *
shown(const char *s, char buf[128])
{
	size_t i;

	for (i = 0; s && s[i] && i < 120; i++)
		buf[i] = (unsigned char)s[i] < ' ' || s[i] == 0x7f ? '?' :
		    s[i];
	buf[i] = '\0';
	return buf;
}

/* A refusal of what (order, refund): the platform's code and message. */
static int
refused(pp_db *db, const char *channel, const char *what, long status,
    const char *code, const char *msg)
{
	char c[128], m[128];

	return ERR(PP_ERULE, "%s refused the %s: HTTP %ld %s: %s",
	    channel, what, status, shown(code ? code : "", c),
	    shown(msg ? msg : "no message", m));
}

/* 32 hex digits from the system's random source. */
static int
nonce_make(pp_db *db, char out[33])
{
	unsigned char r[16];
	int i;

	if (RAND_bytes(r, sizeof(r)) != 1)
		return ERR(PP_EINTERNAL, "the random source failed");
	for (i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02X", r[i]);
	return PP_OK;
}

/* The path of url, after its scheme and host: what WeChat Pay signs. */
static const char *
url_path(const char *url)
{
	const char *p = strstr(url, "://");

	p = p ? strchr(p + 3, '/') : NULL;
	return p ? p : "/";
}

/* base without a trailing slash, then tail, into out. */
static int
join(pp_db *db, char *out, size_t len, const char *base, const char *tail)
{
	size_t n = strlen(base);

	while (n > 0 && base[n - 1] == '/')
		n--;
	if ((size_t)snprintf(out, len, "%.*s%s", (int)n, base, tail) >= len)
		return ERR(PP_ECONFIG, "%s: the address is too long", base);
	return PP_OK;
}

/* The JSON text of j, compact, malloc'd; j is let go.  NULL: no memory. */
static char *
json_text(json_t *j)
{
	char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;

	json_decref(j);
	return s;
}

/* WeChat Pay's H5 order: the JSON the platform is sent, malloc'd. */
static char *
wechat_body(const struct ask *k, const char *notify)
{
	char desc[64];

	snprintf(desc, sizeof(desc), "电费 %s", k->o.account);
	return json_text(json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:I, s:s}, "
	    "s:{s:s, s:{s:s}}}", "appid", k->conf[1], "mchid", k->conf[0],
	    "description", desc, "out_trade_no", k->o.out_trade_no,
	    "notify_url", notify, "amount", "total", (json_int_t)k->o.amount,
	    "currency", "CNY", "scene_info", "payer_client_ip", k->client,
	    "h5_info", "type", "Wap"));
}

/* The Authorization header of a WeChat Pay request of body to url. */
static int
wechat_auth(pp_db *db, const struct ask *k, const char *url,
    const char *body, char *out, size_t outlen)
{
	char nonce[33], ts[24], err[PP_ERRMAX], *msg, *sig;
	int rc;

	if ((rc = nonce_make(db, nonce)) != PP_OK)
		return rc;
	snprintf(ts, sizeof(ts), "%lld", (long long)pp_now());
	if (asprintf(&msg, "POST\n%s\n%s\n%s\n%s\n", url_path(url), ts, nonce,
	    body) < 0)
		return ERR(PP_EINTERNAL, "out of memory");
	rc = pp__pay_sign(k->conf[2], msg, strlen(msg), &sig, err,
	    sizeof(err));
	free(msg);
	if (rc != PP_OK)
		return ERR(rc, "wechat: %s", err);
	if ((size_t)snprintf(out, outlen, "Authorization: WECHATPAY2-SHA256-"
	    "RSA2048 mchid=\"%s\",nonce_str=\"%s\",signature=\"%s\","
	    "timestamp=\"%s\",serial_no=\"%s\"", k->conf[0], nonce, sig, ts,
	    k->conf[3]) >= outlen)
		rc = ERR(PP_ECONFIG, "wechat: mchid or merchant_serial is too "
		    "long");
	free(sig);
	return rc;
}

/*
 * A WeChat Pay answer to what (order, refund): refused, or signed by the
 * platform; its JSON into *j, NULL but on PP_OK.
 */
static int
wechat_signed(pp_db *db, const char *what, const struct answer *a,
    json_t **j)
{
	struct pp_wechat_notice n = { a->ts, a->nonce, a->sig, a->serial,
	    a->body, a->len };
	const char *code = NULL, *msg = NULL;
	enum pp_pay_code pc;
	char why[PP_ERRMAX];
	int rc = PP_OK;

	*j = json_loadb(a->body, a->len, 0, NULL);
	if (a->status < 200 || a->status > 299) {
		json_unpack(*j, "{s?s, s?s}", "code", &code, "message", &msg);
		rc = refused(db, "wechat", what, a->status, code, msg);
	} else if ((rc = pp__wechat_check(db, &n, &pc, why, sizeof(why))) !=
	    PP_OK)
		rc = ERR(rc, "wechat: the answer is refused: %s: %s",
		    pp_pay_code_name(pc), why);
	else if (*j == NULL)
		rc = ERR(PP_EDATA, "wechat: the answer is no JSON");
	if (rc != PP_OK) {
		json_decref(*j);
		*j = NULL;
	}
	return rc;
}

/*
 * body (malloc'd, freed here; NULL: out of memory) POSTed signed to
 * api_base's path; the signed answer's JSON into *j.
 */
static int
wechat_call(pp_db *db, const struct ask *k, const char *what,
    const char *path, char *body, json_t **j)
{
	char url[CONF_MAX + 64], auth[2048];
	struct curl_slist *h = NULL;
	struct answer a;
	int rc;

	*j = NULL;
	memset(&a, 0, sizeof(a));
	if (body == NULL)
		return ERR(PP_EINTERNAL, "out of memory");
	if ((rc = join(db, url, sizeof(url), k->conf[4], path)) == PP_OK &&
	    (rc = wechat_auth(db, k, url, body, auth, sizeof(auth))) ==
	    PP_OK) {
		h = curl_slist_append(h, auth);
		h = curl_slist_append(h, "Content-Type: application/json");
		h = curl_slist_append(h, "Accept: application/json");
		if ((rc = post(db, url, h, body, &a)) == PP_OK)
			rc = wechat_signed(db, what, &a, j);
		curl_slist_free_all(h);
	}
	free(a.body);
	free(body);
	return rc;
}

static int
wechat_request(pp_db *db, struct ask *k, struct pp_pay_request *out)
{
	char notify[CONF_MAX + 32];
	const char *url, *id;
	json_t *j;
	int rc;

	if ((rc = join(db, notify, sizeof(notify), k->notify,
	    "/pay/wechat/notify")) != PP_OK ||
	    (rc = wechat_call(db, k, "order", "/v3/pay/transactions/h5",
	    wechat_body(k, notify), &j)) != PP_OK)
		return rc;
	if (json_unpack(j, "{s:s}", "h5_url", &url) != 0 || *url == '\0' ||
	    strlen(url) >= sizeof(out->pay_url))
		rc = ERR(PP_EDATA, "wechat: the answer has no h5_url");
	else {
		snprintf(out->pay_url, sizeof(out->pay_url), "%s", url);
		if ((id = strstr(url, "prepay_id=")) != NULL)
			snprintf(out->prepay_id, sizeof(out->prepay_id),
			    "%.*s", (int)strcspn(id + 10, "&#"), id + 10);
	}
	json_decref(j);
	return rc;
}

/* t as Beijing time, yyyy-MM-dd HH:mm:ss, whatever the zone. */
static void
beijing(int64_t t, char out[20])
{
	time_t b = (time_t)(t + 8 * 3600);
	struct tm tm;

	gmtime_r(&b, &tm);
	strftime(out, 20, "%Y-%m-%d %H:%M:%S", &tm);
}

/* key=v, v percent-encoded for a form, appended to *w; & but first. */
static void
form_put(char **w, int first, const char *key, const char *v)
{
	char *e = curl_easy_escape(NULL, v, 0);

	*w += sprintf(*w, "%s%s=%s", first ? "" : "&", key, e ? e : "");
	curl_free(e);
}

/*
 * An Alipay call of method with biz_content biz, as a form: the common
 * parameters, notify_url when given, and sign, RSA2 over the others
 * sorted; malloc'd into *form.
 */
static int
alipay_form(pp_db *db, const struct ask *k, const char *method,
    const char *biz, const char *notify, char **form)
{
	char ts[20], err[PP_ERRMAX], *content = NULL, *sig = NULL, *w;
	char *key[] = { "app_id", "method", "format", "charset", "sign_type",
	    "timestamp", "version", "notify_url", "biz_content", "sign" };
	const char *val[10];
	size_t i, n = 0, len = 1;
	int rc;

	*form = NULL;
	beijing(pp_now(), ts);
	val[0] = k->conf[0], val[1] = method, val[2] = "JSON";
	val[3] = "utf-8", val[4] = "RSA2", val[5] = ts, val[6] = "1.0";
	val[7] = notify ? notify : "", val[8] = biz, val[9] = "";
	if ((content = pp__alipay_content(key, (char *const *)val, 10, 0)) ==
	    NULL)
		rc = ERR(PP_EINTERNAL, "out of memory");
	else if ((rc = pp__pay_sign(k->conf[2], content, strlen(content),
	    &sig, err, sizeof(err))) != PP_OK)
		rc = ERR(rc, "alipay: %s", err);
	else {
		val[9] = sig;
		for (i = 0; i < 10; i++)
			len += strlen(key[i]) + 3 * strlen(val[i]) + 2;
		if ((*form = w = malloc(len)) == NULL)
			rc = ERR(PP_EINTERNAL, "out of memory");
		for (i = 0; w && i < 10; i++)
			if (*val[i])
				form_put(&w, n++ == 0, key[i], val[i]);
	}
	free(sig);
	free(content);
	return rc;
}

/*
 * The raw text of the object member name of the JSON text s, as Alipay
 * signs it: from its { to the matching }, strings skipped; NULL if none.
 */
static const char *
member_text(const char *s, const char *name, size_t *len)
{
	char key[80];
	const char *p, *q;
	int depth = 0, str = 0;

	snprintf(key, sizeof(key), "\"%s\"", name);
	if ((p = strstr(s, key)) == NULL)
		return NULL;
	for (p += strlen(key); isspace((unsigned char)*p); p++)
		;
	if (*p++ != ':')
		return NULL;
	while (isspace((unsigned char)*p))
		p++;
	if (*p != '{')
		return NULL;
	for (q = p; *q; q++) {
		if (str) {
			if (*q == '\\' && q[1])
				q++;
			else if (*q == '"')
				str = 0;
		} else if (*q == '"')
			str = 1;
		else if (*q == '{')
			depth++;
		else if (*q == '}' && --depth == 0) {
			*len = (size_t)(q - p + 1);
			return p;
		}
	}
	return NULL;
}

/*
 * An Alipay answer of alipay.trade.NAME, to what (order, refund): refused,
 * or signed by Alipay; its JSON into *j and its response into *r,
 * NULL but on PP_OK.
 */
static int
alipay_signed(pp_db *db, const struct ask *k, const struct answer *a,
    const char *name, const char *what, json_t **j, json_t **r)
{
	const char *code = NULL, *msg = NULL, *sub = NULL, *smsg = NULL,
	    *sign = NULL, *raw;
	char err[PP_ERRMAX], text[256], member[64], *m;
	size_t len = 0;
	int rc;

	snprintf(member, sizeof(member), "alipay_trade_%s_response", name);
	*j = json_loadb(a->body, a->len, 0, NULL);
	if ((*r = json_object_get(*j, member)) == NULL)
		*r = json_object_get(*j, "error_response");
	json_unpack(*j, "{s?s}", "sign", &sign);
	if (a->status != 200 || *r == NULL || json_unpack(*r, "{s:s, s?s, "
	    "s?s, s?s}", "code", &code, "msg", &msg, "sub_code", &sub,
	    "sub_msg", &smsg) != 0)
		rc = ERR(PP_EDATA, "alipay: the answer (HTTP %ld) is no %s "
		    "response", a->status, name);
	else if (strcmp(code, "10000") != 0) {
		snprintf(text, sizeof(text), "%s %s", msg ? msg : "",
		    smsg ? smsg : "");
		rc = refused(db, "alipay", what, a->status, sub ? sub : code,
		    text);
	} else if (sign == NULL || (raw = member_text(a->body, member,
	    &len)) == NULL)
		rc = ERR(PP_EDATA, "alipay: the answer is refused: it is not "
		    "signed");
	else if ((m = strndup(raw, len)) == NULL)
		rc = ERR(PP_EINTERNAL, "out of memory");
	else {
		rc = pp__pay_verify(k->conf[1], m, len, sign, err, sizeof(err));
		free(m);
		if (rc != PP_OK)
			rc = ERR(rc, "alipay: the answer is refused: %s", err);
	}
	if (rc != PP_OK) {
		json_decref(*j);
		*j = *r = NULL;
	}
	return rc;
}

/*
 * alipay.trade.NAME with biz_content biz (malloc'd, freed here; NULL:
 * out of memory), through the gateway; the signed answer as
 * alipay_signed gives it.
 */
static int
alipay_call(pp_db *db, const struct ask *k, const char *name, char *biz,
    const char *notify, const char *what, json_t **j, json_t **r)
{
	struct curl_slist *h = NULL;
	struct answer a;
	char method[64], *form = NULL;
	int rc;

	*j = *r = NULL;
	memset(&a, 0, sizeof(a));
	snprintf(method, sizeof(method), "alipay.trade.%s", name);
	if (biz == NULL)
		rc = ERR(PP_EINTERNAL, "out of memory");
	else if ((rc = alipay_form(db, k, method, biz, notify, &form)) ==
	    PP_OK) {
		h = curl_slist_append(h, "Content-Type: application/x-www-"
		    "form-urlencoded;charset=utf-8");
		if ((rc = post(db, k->conf[4], h, form, &a)) == PP_OK)
			rc = alipay_signed(db, k, &a, name, what, j, r);
		curl_slist_free_all(h);
	}
	free(a.body);
	free(form);
	free(biz);
	return rc;
}

/* Alipay's precreate: signed by Alipay with the qr_code. */
static int
alipay_request(pp_db *db, struct ask *k, struct pp_pay_request *out)
{
	char amount[PP_NUMBUF], subject[64], notify[CONF_MAX + 32];
	const char *url = NULL, *no = NULL;
	json_t *j, *r;
	int rc;

	if ((rc = join(db, notify, sizeof(notify), k->notify,
	    "/pay/alipay/notify")) != PP_OK)
		return rc;
	snprintf(subject, sizeof(subject), "电费 %s", k->o.account);
	if ((rc = alipay_call(db, k, "precreate", json_text(json_pack(
	    "{s:s, s:s, s:s}", "out_trade_no", k->o.out_trade_no,
	    "total_amount", pp_money_format(k->o.amount, amount), "subject",
	    subject)), notify, "order", &j, &r)) != PP_OK)
		return rc;
	json_unpack(r, "{s?s, s?s}", "qr_code", &url, "out_trade_no", &no);
	if (url == NULL || *url == '\0' || strlen(url) >= sizeof(out->pay_url)
	    || no == NULL || strcmp(no, k->o.out_trade_no) != 0)
		rc = ERR(PP_EDATA, "alipay: the answer has no qr_code for "
		    "order %s", k->o.out_trade_no);
	else
		snprintf(out->pay_url, sizeof(out->pay_url), "%s", url);
	json_decref(j);
	return rc;
}

/* The settings of k's order's channel, into k. */
static int
ask_conf(pp_db *db, struct ask *k)
{
	static const char *const keys[2][5] = {
		{ "pay.wechat.mchid", "pay.wechat.appid",
		    "pay.wechat.merchant_key_file",
		    "pay.wechat.merchant_serial", "pay.wechat.api_base" },
		{ "pay.alipay.app_id", "pay.alipay.public_key_file",
		    "pay.alipay.private_key_file", NULL,
		    "pay.alipay.gateway" },
	};
	int i, c = strcmp(k->o.channel, "alipay") == 0;

	for (i = 0; i < 5; i++)
		if (keys[c][i] && (pp__setting(db, keys[c][i], k->conf[i],
		    CONF_MAX) == NULL || k->conf[i][0] == '\0'))
			return ERR(PP_ECONFIG, "order %s: the site file's "
			    "payments: %s has no %s", k->o.out_trade_no,
			    k->o.channel, strrchr(keys[c][i], '.') + 1);
	return PP_OK;
}

/* The order, askable, and its channel's settings, into k. */
static int
ask_begin(pp_db *db, const char *no, struct ask *k)
{
	struct pp__account acct;
	int rc;

	if ((rc = pp_order_get(db, no, &k->o)) != PP_OK)
		return rc;
	if (strcmp(k->o.state, "created") != 0)
		return ERR(PP_ERULE, "order %s is %s: only a created order is "
		    "asked of the platform", no, k->o.state);
	if ((rc = pp__account_get(db, k->o.account, &acct)) != PP_OK)
		return rc;
	if (!acct.open)
		return ERR(PP_ERULE, "order %s: account %s is closed", no,
		    acct.account);
	if (pp__setting(db, "pay.notify_base", k->notify, CONF_MAX) == NULL)
		return ERR(PP_ECONFIG, "order %s: the site file's payments: "
		    "has no notify_base", no);
	return ask_conf(db, k);
}

int
pp_order_request(pp_db *db, const char *out_trade_no,
    const char *client_addr, struct pp_pay_request *out)
{
	char msg[PP_ERRMAX];
	struct ask k;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&k, 0, sizeof(k));
	k.client = client_addr && *client_addr ? client_addr : "127.0.0.1";
	if ((rc = ask_begin(db, out_trade_no, &k)) != PP_OK)
		return rc;
	rc = strcmp(k.o.channel, "wechat") == 0 ?
	    wechat_request(db, &k, out) : alipay_request(db, &k, out);
	if (rc != PP_OK) {
		out->order = k.o;
		snprintf(msg, sizeof(msg), "%s", pp_errmsg(db));
		return ERR(rc, "order %s: %s", out_trade_no, msg);
	}
	if ((rc = pp__tx_begin(db)) != PP_OK)
		return rc;
	if ((rc = pp__exec(db, "UPDATE orders SET requested = ?, pay_url = ? "
	    "WHERE out_trade_no = ?", "itt", pp_now(), out->pay_url,
	    out_trade_no)) != PP_OK) {
		pp__tx_rollback(db);
		return rc;
	}
	pp__audit_note(db, "order %s asked of %s", out_trade_no, k.o.channel);
	if ((rc = pp__tx_commit(db)) != PP_OK)
		return rc;
	return pp_order_get(db, out_trade_no, &out->order);
}

/* ---- the refund of an order paid for a closed account ----------------- */

/* The default reason given to the platform, and the longest one taken. */
#define REFUND_REASON	"户号已销户，退回支付款"
#define REASON_MAX	241

/* What the platform said of a refund: its id, and whether it is done. */
struct refund {
	char	no[PP_TRADE_NOMAX + 1];	/* ours: "R" and the out_trade_no */
	char	id[PP_REFMAX];		/* WeChat's refund_id; Alipay: no */
	int	done;
};

/* WeChat Pay's refund: SUCCESS is done, PROCESSING on its way. */
static int
wechat_refund(pp_db *db, const struct ask *k, const char *reason,
    struct refund *f)
{
	const char *id = NULL, *status = NULL, *no = NULL;
	json_int_t amount = -1;
	char b[128];
	json_t *j;
	int rc;

	if ((rc = wechat_call(db, k, "refund", "/v3/refund/domestic/refunds",
	    json_text(json_pack("{s:s, s:s, s:s, s:{s:I, s:I, s:s}}",
	    "out_trade_no", k->o.out_trade_no, "out_refund_no", f->no,
	    "reason", reason, "amount", "refund", (json_int_t)k->o.amount,
	    "total", (json_int_t)k->o.amount, "currency", "CNY")), &j)) !=
	    PP_OK)
		return rc;
	json_unpack(j, "{s?s, s?s, s?s, s?{s?I}}", "refund_id", &id,
	    "out_refund_no", &no, "status", &status, "amount", "refund",
	    &amount);
	if (id == NULL || *id == '\0' || strlen(id) >= sizeof(f->id) ||
	    status == NULL || no == NULL || strcmp(no, f->no) != 0 ||
	    amount != k->o.amount)
		rc = ERR(PP_EDATA, "wechat: the answer is no refund %s of the "
		    "order's amount", f->no);
	else if (strcmp(status, "SUCCESS") == 0 ||
	    strcmp(status, "PROCESSING") == 0) {
		snprintf(f->id, sizeof(f->id), "%s", id);
		f->done = strcmp(status, "SUCCESS") == 0;
	} else
		rc = ERR(PP_ERULE, "wechat: refund %s is %s: see to it on the "
		    "merchant platform", f->no, shown(status, b));
	json_decref(j);
	return rc;
}

/*
 * Alipay's refund: done when the trade's refunded total (refund_fee) is
 * the order's amount, whether this request moved the money (fund_change
 * Y) or the same out_request_no did before (N).
 */
static int
alipay_refund(pp_db *db, const struct ask *k, const char *reason,
    struct refund *f)
{
	const char *no = NULL, *fee = NULL;
	char amount[PP_NUMBUF], err[PP_ERRMAX];
	int64_t fen = -1;
	json_t *j, *r;
	int rc;

	if ((rc = alipay_call(db, k, "refund", json_text(json_pack(
	    "{s:s, s:s, s:s, s:s}", "out_trade_no", k->o.out_trade_no,
	    "refund_amount", pp_money_format(k->o.amount, amount),
	    "out_request_no", f->no, "refund_reason", reason)), NULL,
	    "refund", &j, &r)) != PP_OK)
		return rc;
	json_unpack(r, "{s?s, s?s}", "out_trade_no", &no, "refund_fee", &fee);
	if (no == NULL || strcmp(no, k->o.out_trade_no) != 0 || fee == NULL ||
	    pp_money_parse(fee, 0, k->o.amount, &fen, err, sizeof(err)) !=
	    PP_OK)
		rc = ERR(PP_EDATA, "alipay: the answer is no refund of order "
		    "%s", k->o.out_trade_no);
	else {
		snprintf(f->id, sizeof(f->id), "%s", f->no);
		f->done = fen == k->o.amount;
	}
	json_decref(j);
	return rc;
}

/*
 * The platform's answer kept, with its audit note, in one transaction:
 * refunded by this operator now, or the refund's id while it is on its
 * way.  The money never entered the ledger, so nothing leaves it.
 */
static int
refund_keep(pp_db *db, const struct pp_order *o, const struct refund *f)
{
	int rc;

	if ((rc = pp__tx_begin(db)) != PP_OK)
		return rc;
	if (f->done)
		rc = pp__exec(db, "UPDATE orders SET state = 'refunded', "
		    "refund_id = ?, refunded = ?, refunded_by = ? WHERE "
		    "out_trade_no = ? AND state = 'refund_due'", "titt", f->id,
		    pp_now(), pp__operator_login(db), o->out_trade_no);
	else
		rc = pp__exec(db, "UPDATE orders SET refund_id = ? WHERE "
		    "out_trade_no = ? AND state = 'refund_due'", "tt", f->id,
		    o->out_trade_no);
	if (rc == PP_OK && pp__changes(db) != 1)
		rc = ERR(PP_ERULE, "order %s was refunded meanwhile",
		    o->out_trade_no);
	if (rc != PP_OK) {
		pp__tx_rollback(db);
		return rc;
	}
	if (f->done)
		pp__audit_note(db, "order %s refunded through %s: refund %s",
		    o->out_trade_no, o->channel, f->id);
	else
		pp__audit_note(db, "order %s: refund %s processing at %s",
		    o->out_trade_no, f->id, o->channel);
	return pp__tx_commit(db);
}

int
pp_order_refund(pp_db *db, const char *out_trade_no, const char *reason,
    struct pp_order_refund *out)
{
	char msg[PP_ERRMAX];
	struct refund f;
	struct ask k;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&k, 0, sizeof(k));
	memset(&f, 0, sizeof(f));
	if (reason == NULL || *reason == '\0')
		reason = REFUND_REASON;
	else if (pp__text_check("--reason", reason, REASON_MAX, msg,
	    sizeof(msg)) != PP_OK)
		return ERR(PP_EDATA, "%s", msg);
	if ((rc = pp_order_get(db, out_trade_no, &k.o)) != PP_OK)
		return rc;
	out->order = k.o;
	if (strcmp(k.o.state, "refund_due") != 0)
		return ERR(PP_ERULE, "order %s is %s: only a refund_due order is "
		    "refunded through the platform%s", out_trade_no, k.o.state,
		    strcmp(k.o.state, "paid") == 0 ? "; its sale is refunded "
		    "at the counter (refund(1))" : "");
	if ((rc = ask_conf(db, &k)) != PP_OK)
		return rc;
	snprintf(f.no, sizeof(f.no), "R%s", k.o.out_trade_no);
	rc = strcmp(k.o.channel, "wechat") == 0 ?
	    wechat_refund(db, &k, reason, &f) :
	    alipay_refund(db, &k, reason, &f);
	if (rc != PP_OK) {
		snprintf(msg, sizeof(msg), "%s", pp_errmsg(db));
		return ERR(rc, "order %s: %s", out_trade_no, msg);
	}
	if ((rc = refund_keep(db, &k.o, &f)) != PP_OK)
		return rc;
	out->done = f.done;
	return pp_order_get(db, out_trade_no, &out->order);
}
