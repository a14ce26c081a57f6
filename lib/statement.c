/*
 * statement.c: the daily statement check (对账): a platform's statement of
 * a day, read in its own published format, against the ledger and the
 * orders (doc/design.md, "Money").  Payments the platform took and the
 * ledger lacks are posted as sales, by their transaction id, through the
 * same path as sale(1), so a second post is a harmless replay.
 */
#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define ERR(code, ...)	pp__fail(db, code, __VA_ARGS__)

/* A day's statement is small; anything past this is not one. */
#define STMT_MAX	(64L * 1024 * 1024)

const pp_column pp_stmt_columns[PP_STMT_NCOLS] = {
	{ "diff", PP_COL_TEXT }, { "method", PP_COL_TEXT },
	{ "time", PP_COL_TIME }, { "ref", PP_COL_TEXT },
	{ "out_trade_no", PP_COL_TEXT }, { "account", PP_COL_TEXT },
	{ "statement_amount", PP_COL_MONEY }, { "ledger_amount", PP_COL_MONEY },
	{ "serial", PP_COL_TEXT }, { "note", PP_COL_TEXT },
};

/* One trade row: a payment, or a refund of one. */
struct trade {
	int	 refund;
	int64_t	 time;
	char	 txn[PP_REFMAX];	/* the platform's payment id */
	char	 refund_id[PP_REFMAX];
	char	 out_trade_no[PP_REFMAX];
	int64_t	 amount;		/* fen, > 0 */
};

struct stmt {
	const char	*name;
	enum pp_channel	 channel;
	struct trade	*t;
	size_t		 n, cap;
	long		 summary_count;	/* trades the summary counts, or -1 */
	long		 summary_refunds;	/* Alipay's refunds, or -1 */
};

/* The column names of each platform's statement, in the order tried. */
struct names {
	const char	*time[4], *txn[4], *out_trade_no[4], *amount[4],
			*refund_id[4], *refund_amount[4], *kind[4];
};

static const struct names wechat_names = {
	{ "交易时间" }, { "微信订单号" }, { "商户订单号" },
	{ "订单金额", "总金额", "应结订单金额" },
	{ "微信退款单号" }, { "退款金额", "申请退款金额" }, { "交易状态" },
};

static const struct names alipay_names = {
	{ "完成时间", "创建时间" }, { "支付宝交易号" }, { "商户订单号" },
	{ "订单金额（元）", "订单金额(元)", "订单金额" },
	{ "退款批次号/请求号", "退款请求号" },
	{ "订单金额（元）", "订单金额(元)", "订单金额" }, { "业务类型" },
};

/* "#交易合计：3笔，..." and "#退款合计：0笔，..." count Alipay's rows. */
static void
alipay_comment(struct stmt *s, const char *line, size_t len)
{
	static const char *const tags[] = { "#交易合计：", "#退款合计：",
	    "#交易合计:", "#退款合计:" };
	size_t i, tl;

	for (i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
		tl = strlen(tags[i]);
		if (len > tl && memcmp(line, tags[i], tl) == 0) {
			if (i % 2 == 0)
				s->summary_count = strtol(line + tl, NULL, 10);
			else
				s->summary_refunds = strtol(line + tl, NULL,
				    10);
		}
	}
}

/*
 * Alipay's GBK as UTF-8, through iconv(3), in place of *text (freed on
 * failure).  GB18030 is the superset of GBK that iconv knows by name.
 */
static int
from_gbk(pp_db *db, const struct stmt *s, char **text, size_t *len)
{
	char *utf, *in = *text, *o;
	size_t il = *len, ol = *len * 2 + 1, r;
	iconv_t cd;

	/* 2 bytes of GBK are 3 of UTF-8; 4 of GB18030 are 4. */
	if ((cd = iconv_open("UTF-8", "GB18030")) == (iconv_t)-1 ||
	    (utf = malloc(ol)) == NULL) {
		if (cd != (iconv_t)-1)
			iconv_close(cd);
		free(*text);
		return ERR(PP_EINTERNAL, "%s: iconv: %s", s->name,
		    strerror(errno));
	}
	o = utf;
	r = iconv(cd, &in, &il, &o, &ol);
	iconv_close(cd);
	if (r == (size_t)-1) {
		r = (size_t)(in - *text) + 1;
		free(*text);
		free(utf);
		return ERR(PP_EDATA, "%s: byte %zu: not GBK text", s->name, r);
	}
	free(*text);
	*text = utf;
	*len = (size_t)(o - utf);
	return PP_OK;
}

/*
 * The file whole, as UTF-8 CSV: converted from GBK for Alipay, the BOM,
 * the tabs either platform pads fields with and the comment lines taken
 * out (blank lines in their place); Alipay's summary comes from its
 * comment lines.
 */
static int
slurp(pp_db *db, FILE *fp, struct stmt *s, char **out, size_t *outlen)
{
	char *raw = NULL, *o, *p, *q, *end;
	size_t n = 0, cap = 0, r;
	int rc;

	for (;;) {
		if (pp_grow(&raw, &cap, n + 65536, 1) != PP_OK)
			goto nomem;
		r = fread(raw + n, 1, 65536, fp);
		n += r;
		if (r == 0)
			break;
		if ((long)n > STMT_MAX) {
			free(raw);
			return ERR(PP_EDATA, "%s: more than %ld MiB: not a "
			    "day's statement", s->name, STMT_MAX >> 20);
		}
	}
	if (ferror(fp)) {
		free(raw);
		return ERR(PP_ENOINPUT, "%s: %s", s->name, strerror(errno));
	}
	if (s->channel == PP_CHANNEL_ALIPAY && (rc = from_gbk(db, s, &raw,
	    &n)) != PP_OK)
		return rc;
	/* Filter in place: the result is never longer. */
	p = raw, o = raw, end = raw + n;
	if (n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	while (p < end) {
		if ((q = memchr(p, '\n', (size_t)(end - p))) == NULL)
			q = end;
		else
			q++;
		if (*p == '#') {
			if (s->channel == PP_CHANNEL_ALIPAY)
				alipay_comment(s, p, (size_t)(q - p));
			/* Blank, so that the lines keep their numbers. */
			if (q[-1] == '\n')
				*o++ = '\n';
		} else
			for (; p < q; p++)
				if (*p != '\t')
					*o++ = *p;
		p = q;
	}
	*out = raw;
	*outlen = (size_t)(o - raw);
	return PP_OK;
nomem:
	free(raw);
	return ERR(PP_EINTERNAL, "%s: out of memory", s->name);
}

/* A field by the first of its names the header has, without the '`'. */
static const char *
get(const pp_csv *c, const char *const *names, size_t nn)
{
	const char *v;
	size_t i;

	for (i = 0; i < nn && names[i]; i++)
		if ((v = pp__csv_get(c, names[i])) != NULL)
			return *v == '`' ? v + 1 : v;
	return NULL;
}
#define GET(c, f)	get(c, f, sizeof(f) / sizeof(f[0]))

static int
bad_row(pp_db *db, const struct stmt *s, const pp_csv *c, const char *what,
    const char *v)
{
	return ERR(PP_EDATA, "%s: line %ld: %s \"%s\"", s->name,
	    pp_csv_line(c), what, pp_q(v ? v : ""));
}

/*
 * An amount in yuan, more than 0; Alipay writes a refund's negative, and
 * it is taken as the refund's size.
 */
static int
row_amount(pp_db *db, const struct stmt *s, const pp_csv *c, const char *v,
    int refund, int64_t *fen)
{
	char err[PP_ERRMAX];

	if (v && refund && s->channel == PP_CHANNEL_ALIPAY && *v == '-')
		v++;
	if (v == NULL || pp_money_parse(v, 0, -1, fen, err, sizeof(err)) !=
	    PP_OK || *fen <= 0)
		return bad_row(db, s, c, "bad amount", v);
	return PP_OK;
}

static int
copy_id(pp_db *db, const struct stmt *s, const pp_csv *c, const char *what,
    const char *v, char *buf, size_t size)
{
	if (v == NULL || *v == '\0' || strlen(v) >= size)
		return bad_row(db, s, c, what, v);
	memcpy(buf, v, strlen(v) + 1);
	return PP_OK;
}

/* Is the row a payment (0), a refund (1) or neither (-1)? */
static int
row_kind(const struct stmt *s, const char *v, int *kind)
{
	if (v == NULL)
		return PP_EDATA;
	if (s->channel == PP_CHANNEL_WECHAT)
		*kind = strcmp(v, "SUCCESS") == 0 ? 0 : strcmp(v, "REFUND") ==
		    0 ? 1 : strcmp(v, "REVOKED") == 0 ? -1 : -2;
	else
		*kind = strcmp(v, "交易") == 0 ? 0 : strcmp(v, "退款") == 0 ?
		    1 : -2;
	return *kind == -2 ? PP_EDATA : PP_OK;
}

static int
trade_row(pp_db *db, struct stmt *s, const pp_csv *c, const struct names *nm)
{
	char err[PP_ERRMAX];
	struct trade *t;
	const char *v;
	int kind, rc;

	if (row_kind(s, (v = GET(c, nm->kind)), &kind) != PP_OK)
		return bad_row(db, s, c, s->channel == PP_CHANNEL_WECHAT ?
		    "交易状态 neither SUCCESS, REFUND nor REVOKED" :
		    "业务类型 neither 交易 nor 退款", v);
	if (kind < 0)
		return PP_OK;
	if (pp_grow(&s->t, &s->cap, s->n + 1, sizeof(*s->t)) != PP_OK)
		return ERR(PP_EINTERNAL, "%s: out of memory", s->name);
	t = &s->t[s->n];
	memset(t, 0, sizeof(*t));
	t->refund = kind;
	v = GET(c, nm->time);
	if (v == NULL || pp_time_parse(v, &t->time, err, sizeof(err)) != PP_OK)
		return bad_row(db, s, c, "bad time", v);
	if ((rc = copy_id(db, s, c, "bad transaction id", GET(c, nm->txn),
	    t->txn, sizeof(t->txn))) != PP_OK ||
	    (rc = row_amount(db, s, c, kind ? GET(c, nm->refund_amount) :
	    GET(c, nm->amount), kind, &t->amount)) != PP_OK)
		return rc;
	if (kind && (rc = copy_id(db, s, c, "bad refund id",
	    GET(c, nm->refund_id), t->refund_id, sizeof(t->refund_id))) !=
	    PP_OK)
		return rc;
	if ((v = GET(c, nm->out_trade_no)) && strlen(v) < sizeof(t->out_trade_no))
		memcpy(t->out_trade_no, v, strlen(v) + 1);
	if (!kind && t->out_trade_no[0] == '\0')
		return bad_row(db, s, c, "bad 商户订单号", v);
	s->n++;
	return PP_OK;
}

/* The header has every column the platform's format names. */
static int
check_header(pp_db *db, const struct stmt *s, const pp_csv *c,
    const struct names *nm)
{
	const char *const *need[] = { nm->time, nm->txn, nm->out_trade_no,
	    nm->amount, nm->refund_id, nm->refund_amount, nm->kind };
	size_t i;

	for (i = 0; i < sizeof(need) / sizeof(need[0]); i++)
		if (get(c, need[i], 4) == NULL)
			return ERR(PP_EDATA, "%s: not %s: no column %s",
			    s->name, s->channel == PP_CHANNEL_WECHAT ?
			    "a WeChat Pay trade bill" :
			    "an Alipay business detail statement", need[i][0]);
	return PP_OK;
}

/* The trade rows, then WeChat's summary block: 总交易单数,... */
static int
read_rows(pp_db *db, struct stmt *s, pp_csv *c)
{
	const struct names *nm = s->channel == PP_CHANNEL_WECHAT ?
	    &wechat_names : &alipay_names;
	const char *first;
	long rows = 0;
	int rc, summary = 0;

	if ((rc = check_header(db, s, c, nm)) != PP_OK)
		return rc;
	while ((rc = pp_csv_next(c)) == 1) {
		first = pp_csv_field(c, 0);
		first += *first == '`';
		if (summary == 2)
			return bad_row(db, s, c, "a row after the summary",
			    first);
		if (summary == 1) {
			s->summary_count = strtol(first, NULL, 10);
			summary = 2;
		} else if (s->channel == PP_CHANNEL_WECHAT &&
		    strcmp(first, "总交易单数") == 0)
			summary = 1;
		else if ((rc = trade_row(db, s, c, nm)) != PP_OK)
			return rc;
		else
			rows++;
	}
	if (rc != 0)
		return ERR(rc, "%s", pp_csv_error(c));
	if (s->channel == PP_CHANNEL_WECHAT && s->summary_count != rows)
		return ERR(PP_EDATA, "%s: %s", s->name, summary != 2 ?
		    "no summary (总交易单数): the bill is cut short" :
		    "the summary's 总交易单数 is not the number of trades");
	if (s->channel == PP_CHANNEL_ALIPAY && (s->summary_count < 0 ||
	    s->summary_refunds < 0))
		return ERR(PP_EDATA, "%s: no summary (#交易合计, #退款合计): "
		    "the statement is cut short", s->name);
	if (s->channel == PP_CHANNEL_ALIPAY && s->summary_count +
	    s->summary_refunds != rows)
		return ERR(PP_EDATA, "%s: the summary's 交易合计 and 退款合计 "
		    "are not the number of trades", s->name);
	return PP_OK;
}

static int
trade_cmp(const void *a, const void *b)
{
	const struct trade *x = a, *y = b;

	if (x->refund != y->refund)
		return x->refund - y->refund;
	return strcmp(x->refund ? x->refund_id : x->txn,
	    y->refund ? y->refund_id : y->txn);
}

/* The statement's trade of that id, payment (refund 0) or refund. */
static const struct trade *
find(const struct stmt *s, int refund, const char *id)
{
	struct trade key;

	memset(&key, 0, sizeof(key));
	key.refund = refund;
	if (s->n == 0 || strlen(id) >= sizeof(key.txn))
		return NULL;
	strcpy(refund ? key.refund_id : key.txn, id);
	return bsearch(&key, s->t, s->n, sizeof(*s->t), trade_cmp);
}

static int
load(pp_db *db, const struct pp_stmt_req *req, struct stmt *s)
{
	char *text = NULL;
	size_t len = 0, i;
	pp_csv *c;
	FILE *fp;
	char err[PP_ERRMAX];
	int rc;

	if ((rc = slurp(db, req->fp, s, &text, &len)) != PP_OK)
		return rc;
	if (len == 0 || (fp = fmemopen(text, len, "r")) == NULL) {
		free(text);
		return ERR(PP_EDATA, "%s: empty", s->name);
	}
	rc = pp_csv_open(&c, fp, s->name, err, sizeof(err));
	if (rc != PP_OK)
		rc = strncmp(err, s->name, strlen(s->name)) == 0 ?
		    ERR(rc, "%s", err) : ERR(rc, "%s: %s", s->name, err);
	else {
		rc = read_rows(db, s, c);
		pp_csv_close(c);
	}
	fclose(fp);
	free(text);
	if (rc != PP_OK)
		return rc;
	if (s->n > 0)
		qsort(s->t, s->n, sizeof(*s->t), trade_cmp);
	for (i = 1; i < s->n; i++)
		if (trade_cmp(&s->t[i - 1], &s->t[i]) == 0)
			return ERR(PP_EDATA, "%s: %s \"%s\" appears twice", s->name,
			    s->t[i].refund ? "refund" : "transaction",
			    pp_q(s->t[i].refund ? s->t[i].refund_id :
			    s->t[i].txn));
	return PP_OK;
}

/* ---- the comparison ---- */

static const char *
method_of(enum pp_channel ch)
{
	return ch == PP_CHANNEL_WECHAT ? "wechat" : "alipay";
}

static struct pp_stmt_diff *
add_diff(pp_db *db, struct pp_stmt_result *res, const char *diff,
    enum pp_channel ch, const struct trade *t)
{
	struct pp_stmt_diff *d;

	if (pp_grow(&res->diffs, &res->capdiffs, res->ndiffs + 1,
	    sizeof(*res->diffs)) != PP_OK) {
		ERR(PP_EINTERNAL, "out of memory");
		return NULL;
	}
	d = &res->diffs[res->ndiffs++];
	memset(d, 0, sizeof(*d));
	snprintf(d->diff, sizeof(d->diff), "%s", diff);
	snprintf(d->method, sizeof(d->method), "%s", method_of(ch));
	d->statement_amount = d->ledger_amount = PP_NO_AMOUNT;
	if (t) {
		d->time = t->time;
		snprintf(d->ref, sizeof(d->ref), "%s", t->refund ?
		    t->refund_id : t->txn);
		snprintf(d->out_trade_no, sizeof(d->out_trade_no), "%s",
		    t->out_trade_no);
		d->statement_amount = t->amount;
	}
	return d;
}

/* The ledger's row of a ref: its kind, amount, serial and account. */
struct booked {
	int	found;
	char	kind[16], serial[PP_KEYMAX], account[PP_KEYMAX];
	int64_t	amount;
};

static int
booked(pp_db *db, const char *ref, struct booked *b)
{
	pp__st *st;
	int rc;

	memset(b, 0, sizeof(*b));
	if ((st = pp__stmt(db, "SELECT l.kind, l.serial, a.account, l.amount "
	    "FROM ledger l JOIN accounts a ON a.id = l.account_id "
	    "WHERE l.ref = ?")) == NULL)
		return pp__errcode(db);
	pp__bind_copy(st, 1, ref);
	if ((rc = pp__step(st)) == PP__ROW) {
		b->found = 1;
		pp__col_text(st, 0, b->kind, sizeof(b->kind));
		pp__col_text(st, 1, b->serial, sizeof(b->serial));
		pp__col_text(st, 2, b->account, sizeof(b->account));
		b->amount = pp__col_int64(st, 3);
	}
	pp__reset(st);
	return rc == PP__ROW || rc == PP__DONE ? PP_OK :
	    pp__sqlfail(db, "ledger");
}

/*
 * The order a payment names (pp__order_hold), and whether there is one.
 */
struct order {
	int			found;
	struct pp__order_held	h;
};

static int
order_of(pp_db *db, const char *out_trade_no, struct order *o)
{
	int rc;

	rc = pp__order_hold(db, out_trade_no, &o->h);
	o->found = rc == PP_OK;
	return rc == PP_EDATA ? PP_OK : rc;
}

/* What the statement's posting of a payment needs in its transaction. */
struct post {
	struct pp_money_req	 req;
	const struct trade	*t;
	int64_t			 order_id;
	char			 remark[PP_TEXTMAX];
};

/* The sale, and its order marked paid, in one transaction. */
static int
post_run(pp_db *db, pp_entry *e, void *arg)
{
	struct post *p = arg;
	int rc;

	if ((rc = pp_sale(db, &p->req, e)) != PP_OK)
		return rc;
	return pp__order_paid(db, p->order_id, p->t->txn, e->id, p->t->time);
}

/* A closed account's payment: its order waits for a platform refund. */
static int
refund_due(pp_db *db, const struct order *o, const struct trade *t)
{
	int rc;

	if ((rc = pp__tx_begin(db)) != PP_OK)
		return rc;
	if ((rc = pp__order_refund_due(db, o->h.id, t->txn, t->time)) !=
	    PP_OK) {
		pp__tx_rollback(db);
		return rc;
	}
	pp__audit_note(db, "order %s refund_due: account %s is closed",
	    t->out_trade_no, o->h.account);
	return pp__tx_commit(db);
}

static int
post(pp_db *db, const struct pp_stmt_req *req, const struct trade *t,
    const struct order *o, struct pp_stmt_result *res, struct pp_stmt_diff *d)
{
	struct post p;
	pp_entry e;
	char msg[PP_ERRMAX], day[PP_TIMEBUF];
	int rc;

	memset(&p, 0, sizeof(p));
	p.t = t;
	p.order_id = o->h.id;
	p.req.target = o->h.account;
	p.req.target_kind = PP_TARGET_ACCOUNT;
	p.req.amount = t->amount;
	p.req.method = method_of(req->channel);
	p.req.ref = t->txn;
	snprintf(p.remark, sizeof(p.remark), "statement %s order %s",
	    pp__day_format(res->day, day), t->out_trade_no);
	p.req.remark = p.remark;
	if ((rc = pp_hall_post(db, post_run, &p, &e)) != PP_OK) {
		snprintf(d->note, sizeof(d->note), "not posted: %s",
		    pp_errmsg(db));
		return rc == PP_EINTERNAL ? rc : PP_OK;
	}
	snprintf(d->diff, sizeof(d->diff), "posted");
	snprintf(d->serial, sizeof(d->serial), "%s", e.serial);
	d->ledger_amount = e.amount;
	/* A notification posted it since it was looked up: a replay. */
	if (e.replayed) {
		snprintf(d->note, sizeof(d->note), "posted meanwhile, by its "
		    "notification");
		return PP_OK;
	}
	res->posted++;
	rc = pp_hall_deliver(db, &e, msg, sizeof(msg));
	snprintf(d->note, sizeof(d->note), "posted as a sale%s%.200s",
	    e.pending || rc != PP_OK ? "; the recharge waits: " : "",
	    e.pending || rc != PP_OK ? msg : "");
	return PP_OK;
}

/* A payment the ledger lacks: post it, or say why it cannot be. */
static int
unbooked(pp_db *db, const struct pp_stmt_req *req, const struct trade *t,
    struct pp_stmt_result *res)
{
	struct pp_stmt_diff *d;
	struct order o;
	char a[PP_NUMBUF];
	int rc;

	if ((rc = order_of(db, t->out_trade_no, &o)) != PP_OK)
		return rc;
	/* Given back through the platform (pay-order --refund): unbooked. */
	if (o.found && strcmp(o.h.state, "refunded") == 0 && o.h.amount ==
	    t->amount && strcmp(o.h.channel, method_of(req->channel)) == 0) {
		res->agreed++;
		return PP_OK;
	}
	if ((d = add_diff(db, res, "missing", req->channel, t)) == NULL)
		return PP_EINTERNAL;
	if (!o.found || strcmp(o.h.channel, method_of(req->channel)) != 0) {
		snprintf(d->diff, sizeof(d->diff), "unknown_order");
		snprintf(d->note, sizeof(d->note), "no %s order %s: refund it "
		    "through the platform", method_of(req->channel),
		    t->out_trade_no);
		return PP_OK;
	}
	snprintf(d->account, sizeof(d->account), "%s", o.h.account);
	if (o.h.amount != t->amount) {
		snprintf(d->diff, sizeof(d->diff), "amount");
		snprintf(d->note, sizeof(d->note), "the order is for %s: not "
		    "posted", pp_money_format(o.h.amount, a));
		return PP_OK;
	}
	/* Never a sale to a closed account (doc/design.md, "Money"). */
	if (!o.h.open) {
		snprintf(d->diff, sizeof(d->diff), "closed_account");
		snprintf(d->note, sizeof(d->note), "the account is closed: "
		    "refund it through the platform");
		return req->apply && strcmp(o.h.state, "created") == 0 ?
		    refund_due(db, &o, t) : PP_OK;
	}
	if (strcmp(o.h.state, "created") != 0) {
		snprintf(d->diff, sizeof(d->diff), "order_%s", o.h.state);
		snprintf(d->note, sizeof(d->note), "the order is %s without "
		    "a sale: not posted", o.h.state);
		return PP_OK;
	}
	snprintf(d->note, sizeof(d->note), "paid, not in the ledger");
	return req->apply ? post(db, req, t, &o, res, d) : PP_OK;
}

/* A payment of the statement: booked as it says, or a difference. */
static int
check_payment(pp_db *db, const struct pp_stmt_req *req, const struct trade *t,
    struct pp_stmt_result *res)
{
	struct pp_stmt_diff *d;
	struct booked b;
	struct order o;
	int rc, other;

	if ((rc = booked(db, t->txn, &b)) != PP_OK)
		return rc;
	if (!b.found)
		return unbooked(db, req, t, res);
	if ((rc = order_of(db, t->out_trade_no, &o)) != PP_OK)
		return rc;
	/* The order names the account the money is for. */
	other = o.found && strcmp(o.h.account, b.account) != 0;
	if (strcmp(b.kind, "sale") == 0 && b.amount == t->amount && !other) {
		res->agreed++;
		return PP_OK;
	}
	if ((d = add_diff(db, res, other && b.amount == t->amount ? "account" :
	    "amount", req->channel, t)) == NULL)
		return PP_EINTERNAL;
	snprintf(d->account, sizeof(d->account), "%s", b.account);
	snprintf(d->serial, sizeof(d->serial), "%s", b.serial);
	d->ledger_amount = b.amount;
	if (strcmp(b.kind, "sale") != 0)
		snprintf(d->note, sizeof(d->note), "the ledger has it as a %s",
		    b.kind);
	else if (other)
		snprintf(d->note, sizeof(d->note), "the ledger's sale went to "
		    "account %s, the order is for %s", b.account, o.h.account);
	else
		snprintf(d->note, sizeof(d->note), "the ledger's sale differs");
	return PP_OK;
}

/*
 * A refund of the statement: the platform gave money back.  The ledger
 * agrees when it has a refund by that refund id of that amount; or it is
 * the refund of an order paid for a closed account, whose money never
 * entered the ledger, by pay-order --refund: refunded by that id.
 */
static int
check_refund(pp_db *db, const struct pp_stmt_req *req, const struct trade *t,
    struct pp_stmt_result *res)
{
	struct pp_stmt_diff *d;
	struct booked b, paid;
	int64_t order;
	int rc;

	if ((rc = booked(db, t->refund_id, &b)) != PP_OK ||
	    (rc = booked(db, t->txn, &paid)) != PP_OK)
		return rc;
	if (b.found && strcmp(b.kind, "refund") == 0 && b.amount == -t->amount) {
		res->agreed++;
		return PP_OK;
	}
	if (!b.found && (rc = pp__query_int(db, &order, "SELECT id FROM orders "
	    "WHERE refund_id = ? AND state = 'refunded' AND amount = ? AND "
	    "channel = ? AND transaction_id = ?", "titt", t->refund_id,
	    t->amount, method_of(req->channel), t->txn)) != PP_EDATA) {
		if (rc == PP_OK)
			res->agreed++;
		return rc;
	}
	if ((d = add_diff(db, res, b.found ? "amount" : "refund", req->channel,
	    t)) == NULL)
		return PP_EINTERNAL;
	snprintf(d->account, sizeof(d->account), "%s", b.found ? b.account :
	    paid.account);
	if (b.found) {
		snprintf(d->serial, sizeof(d->serial), "%s", b.serial);
		d->ledger_amount = b.amount;
		snprintf(d->note, sizeof(d->note), "the ledger's %s by this "
		    "refund id differs", b.kind);
	} else
		snprintf(d->note, sizeof(d->note), "refunded by the platform "
		    "for transaction %s%s%s; no refund in the ledger", t->txn,
		    paid.found ? ", sale " : "", paid.serial);
	return PP_OK;
}

/*
 * The ledger's sales of the channel on the day that the statement lacks.
 * A sale made from an order counts on the day the platform took the
 * money, which is the order's paid time.  (The ledger's refunds are the
 * office's booking of the platform's, on a later day: the statement's
 * refunds find them by their refund id.)
 */
static int
check_ledger(pp_db *db, const struct pp_stmt_req *req, const struct stmt *s,
    struct pp_stmt_result *res)
{
	pp__st *st;
	struct pp_stmt_diff *d;
	struct trade t;
	int rc;

	if ((st = pp__stmt(db, "SELECT coalesce(o.paid, l.time), "
	    "coalesce(l.ref, ''), coalesce(o.out_trade_no, ''), a.account, "
	    "l.amount, l.serial FROM ledger l JOIN accounts a ON "
	    "a.id = l.account_id LEFT JOIN orders o ON o.ledger_id = l.id "
	    "WHERE l.method = ? AND l.kind = 'sale' AND "
	    "coalesce(o.paid, l.time) >= ? AND coalesce(o.paid, l.time) < ? "
	    "AND NOT EXISTS (SELECT 1 FROM ledger r WHERE r.reverses = l.id) "
	    "ORDER BY l.id")) == NULL)
		return PP_EINTERNAL;
	pp__bind_text(st, 1, method_of(req->channel));
	pp__bind_int64(st, 2, res->day);
	pp__bind_int64(st, 3, pp__day_at(res->day, 1, 0));
	while ((rc = pp__step(st)) == PP__ROW) {
		memset(&t, 0, sizeof(t));
		t.time = pp__col_int64(st, 0);
		pp__col_text(st, 1, t.txn, sizeof(t.txn));
		if (find(s, 0, t.txn))
			continue;
		pp__col_text(st, 2, t.out_trade_no, sizeof(t.out_trade_no));
		if ((d = add_diff(db, res, "not_in_statement", req->channel,
		    &t)) == NULL)
			break;
		d->statement_amount = PP_NO_AMOUNT;
		pp__col_text(st, 3, d->account, sizeof(d->account));
		d->ledger_amount = pp__col_int64(st, 4);
		pp__col_text(st, 5, d->serial, sizeof(d->serial));
		snprintf(d->note, sizeof(d->note), "the ledger's sale is not in "
		    "the statement");
	}
	pp__reset(st);
	if (rc == PP__ROW)
		return PP_EINTERNAL;
	return rc == PP__DONE ? PP_OK : pp__sqlfail(db, "ledger");
}

/* The statement's day: given, or that of its first trade. */
static int
statement_day(pp_db *db, const struct pp_stmt_req *req, const struct stmt *s,
    int64_t *day)
{
	int64_t first = INT64_MAX;
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!s->t[i].refund && s->t[i].time < first)
			first = s->t[i].time;
	if (req->day >= 0)
		first = req->day;
	if (first == INT64_MAX)
		return ERR(PP_EDATA, "%s: no payments to tell the day by: give "
		    "--date", s->name);
	*day = pp__day_at(first, 0, 0);
	return PP_OK;
}

int
pp_statement_check(pp_db *db, const struct pp_stmt_req *req,
    struct pp_stmt_result *res)
{
	struct stmt s;
	size_t i;
	int rc;

	memset(res, 0, sizeof(*res));
	memset(&s, 0, sizeof(s));
	s.name = req->name;
	s.channel = req->channel;
	s.summary_count = s.summary_refunds = -1;
	if ((rc = load(db, req, &s)) != PP_OK ||
	    (rc = statement_day(db, req, &s, &res->day)) != PP_OK) {
		free(s.t);
		return rc;
	}
	for (i = 0; i < s.n && rc == PP_OK; i++) {
		if (s.t[i].refund)
			res->refunds++;
		else
			res->payments++;
		rc = s.t[i].refund ? check_refund(db, req, &s.t[i], res) :
		    check_payment(db, req, &s.t[i], res);
	}
	if (rc == PP_OK)
		rc = check_ledger(db, req, &s, res);
	free(s.t);
	if (rc != PP_OK)
		pp_stmt_free(res);
	return rc;
}

void
pp_stmt_free(struct pp_stmt_result *res)
{
	free(res->diffs);
	res->diffs = NULL;
	res->ndiffs = res->capdiffs = 0;
}

void
pp_stmt_values(const struct pp_stmt_diff *d, struct pp_stmt_text *text,
    const char *v[PP_STMT_NCOLS])
{
	pp_cell c[PP_STMT_NCOLS];
	int i;

	memset(c, 0, sizeof(c));
	c[0].s = d->diff;
	c[1].s = d->method;
	c[2].set = d->time != 0, c[2].i = d->time;
	c[3].s = d->ref;
	c[4].s = d->out_trade_no;
	c[5].s = d->account;
	c[6].set = d->statement_amount != PP_NO_AMOUNT;
	c[6].i = d->statement_amount;
	c[7].set = d->ledger_amount != PP_NO_AMOUNT;
	c[7].i = d->ledger_amount;
	c[8].s = d->serial;
	c[9].s = d->note;
	for (i = 0; i < PP_STMT_NCOLS; i++) {
		if (c[i].s)
			c[i].set = 1;
		v[i] = pp__cell_format(pp_stmt_columns[i].type, &c[i],
		    text->cell[i]);
	}
}
