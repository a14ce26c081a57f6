/*
 * pay-order: the orders of online payment.  Make one at the office, ask
 * its platform for a payment, show one, replay a platform's notification
 * by hand from the files it came in (the same library calls that
 * prepay-web makes), or refund through the platform an order paid for a
 * closed account.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common.h"

static const char usage[] =
    "usage: pay-order [-d FILE] [-o FMT] [--request] ACCOUNT AMOUNT "
    "wechat|alipay\n"
    "       pay-order [-d FILE] [-o FMT] --request OUT_TRADE_NO\n"
    "       pay-order [-d FILE] [-o FMT] --show OUT_TRADE_NO\n"
    "       pay-order [-d FILE] [-o FMT] --wechat HEADERS BODY\n"
    "       pay-order [-d FILE] [-o FMT] --alipay BODY\n"
    "       pay-order [-d FILE] [-o FMT] --refund OUT_TRADE_NO "
    "[--reason TEXT]\n";

/* The whole of a file, as it is: a notification's raw body. */
static char *
slurp(struct tool *t, const char *path, size_t *len)
{
	char *buf = NULL, *grown;
	size_t cap = 0, n;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL)
		tool_die(t, PP_ENOINPUT, "%s: %s", path, strerror(errno));
	*len = 0;
	do {
		if (*len + 4096 + 1 > cap) {
			cap = cap ? 2 * cap : 8192;
			if (cap > 1 << 24 || (grown = realloc(buf, cap)) ==
			    NULL)
				tool_die(t, PP_EDATA, "%s: too long", path);
			buf = grown;
		}
		n = fread(buf + *len, 1, 4096, f);
		*len += n;
	} while (n > 0);
	if (ferror(f))
		tool_die(t, PP_ENOINPUT, "%s: %s", path, strerror(errno));
	fclose(f);
	buf[*len] = '\0';
	return buf;
}

/*
 * The Wechatpay- headers of a file of "Name: value" lines, as an HTTP
 * server logs them or curl -D writes them; the names in any case.
 */
static void
wechat_headers(struct tool *t, char *text, struct pp_wechat_notice *n)
{
	static const char *const names[] = { "Wechatpay-Timestamp",
	    "Wechatpay-Nonce", "Wechatpay-Signature", "Wechatpay-Serial" };
	const char **slot[] = { &n->timestamp, &n->nonce, &n->signature,
	    &n->serial };
	char *line, *save = NULL, *colon, *v, *e;
	size_t i;

	for (line = strtok_r(text, "\n", &save); line;
	    line = strtok_r(NULL, "\n", &save)) {
		if ((colon = strchr(line, ':')) == NULL)
			continue;
		*colon = '\0';
		for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
			;
		for (e = v + strlen(v); e > v && (e[-1] == '\r' ||
		    e[-1] == ' ' || e[-1] == '\t'); e--)
			;
		*e = '\0';
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strcasecmp(line, names[i]) == 0) {
				if (*slot[i])
					tool_die(t, PP_EDATA, "header %s is "
					    "given twice", names[i]);
				*slot[i] = v;
			}
	}
}

static void
print_order(struct tool *t, const struct pp_order *o)
{
	struct pp_order_text text;
	const char *v[PP_ORDER_NCOLS];
	pp_out *out;

	out = tool_out(t, pp_order_columns, PP_ORDER_NCOLS);
	pp_order_values(o, &text, v);
	tool_row(t, out, v);
	tool_out_close(t, out);
}

/* A notification replayed from its files: its order, or why not. */
static noreturn void
notify(struct tool *t, int wechat, char **argv)
{
	struct pp_wechat_notice n;
	struct pp_pay_result r;
	char *headers = NULL, *body;
	size_t len, hlen;
	int rc;

	t->audit = 1;
	tool_open(t, PP_ACT_SALE, 0);
	memset(&n, 0, sizeof(n));
	if (wechat) {
		headers = slurp(t, argv[0], &hlen);
		wechat_headers(t, headers, &n);
		n.body = body = slurp(t, argv[1], &n.len);
		rc = pp_pay_wechat(t->db, &n, &r);
	} else {
		body = slurp(t, argv[0], &len);
		rc = pp_pay_alipay(t->db, body, len, &r);
	}
	free(headers);
	free(body);
	if (rc != PP_OK)
		tool_die(t, rc, "%s", pp_errmsg(t->db));
	snprintf(t->summary, sizeof(t->summary), "%s: %.400s",
	    pp_pay_code_name(r.code), r.reason);
	if (r.code == PP_PAY_DUPLICATE)
		tool_warn(t, "%s", r.reason);
	if (r.deliver[0])
		tool_warn(t, "%s", r.deliver);
	print_order(t, &r.order);
	tool_exit(t, PP_OK);
}

/* Ask the order's platform for a payment; the order with its address. */
static noreturn void
request(struct tool *t, const char *no)
{
	struct pp_pay_request r;
	int rc;

	if ((rc = pp_order_request(t->db, no, NULL, &r)) != PP_OK)
		tool_die(t, rc, "%s", pp_errmsg(t->db));
	snprintf(t->summary, sizeof(t->summary), "order %s asked of %s", no,
	    r.order.channel);
	print_order(t, &r.order);
	tool_exit(t, PP_OK);
}

/* Refund through the platform an order paid for a closed account. */
static noreturn void
refund(struct tool *t, const char *no, const char *reason)
{
	struct pp_order_refund r;
	int rc;

	t->audit = 1;
	tool_open(t, PP_ACT_REFUND, 0);
	if ((rc = pp_order_refund(t->db, no, reason, &r)) != PP_OK)
		tool_die(t, rc, "%s", pp_errmsg(t->db));
	snprintf(t->summary, sizeof(t->summary), "order %s %s: refund %s", no,
	    r.done ? "refunded" : "refund processing", r.order.refund_id);
	if (!r.done)
		tool_warn(t, "order %s: refund %s is processing at %s; ask again "
		    "later", no, r.order.refund_id, r.order.channel);
	print_order(t, &r.order);
	tool_exit(t, PP_OK);
}

int
main(int argc, char **argv)
{
	enum { OPT_REQUEST = OPT_FIRST_TOOL, OPT_SHOW, OPT_WECHAT,
		OPT_ALIPAY, OPT_REFUND, OPT_REASON };
	static const struct option longopts[] = {
		COMMON_LONG,
		{ "request", no_argument, NULL, OPT_REQUEST },
		{ "show", no_argument, NULL, OPT_SHOW },
		{ "wechat", no_argument, NULL, OPT_WECHAT },
		{ "alipay", no_argument, NULL, OPT_ALIPAY },
		{ "refund", no_argument, NULL, OPT_REFUND },
		{ "reason", required_argument, NULL, OPT_REASON },
		{ NULL, 0, NULL, 0 }
	};
	struct pp_order o;
	struct tool t;
	const char *reason = NULL;
	int ch, ask = 0, show = 0, wechat = 0, alipay = 0, back = 0, rc;

	tool_init(&t, "pay-order", usage, argc, argv);
	while ((ch = getopt_long(argc, argv, COMMON_SHORT, longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case OPT_REQUEST:
			ask = 1;
			break;
		case OPT_SHOW:
			show = 1;
			break;
		case OPT_WECHAT:
			wechat = 1;
			break;
		case OPT_ALIPAY:
			alipay = 1;
			break;
		case OPT_REFUND:
			back = 1;
			break;
		case OPT_REASON:
			reason = optarg;
			break;
		default:
			if (!tool_option(&t, ch, optarg))
				tool_usage(&t);
		}
	}
	argc -= optind;
	argv += optind;
	if (ask + show + wechat + alipay + back > 1 || (wechat && argc != 2) ||
	    (alipay && argc != 1) || (ask && argc != 1 && argc != 3) ||
	    (back && argc != 1) || (reason && !back))
		tool_usage(&t);
	if (back)
		refund(&t, argv[0], reason);
	if (wechat || alipay)
		notify(&t, wechat, argv);
	if (show) {
		if (argc != 1)
			tool_usage(&t);
		tool_open(&t, PP_ACT_REPORT, 0);
		if ((rc = pp_order_get(t.db, argv[0], &o)) != PP_OK)
			tool_die(&t, rc, "%s", pp_errmsg(t.db));
		print_order(&t, &o);
		tool_exit(&t, PP_OK);
	}
	if (argc != 3 && !ask)
		tool_usage(&t);
	t.audit = 1;
	tool_open(&t, PP_ACT_SALE, 0);
	if (ask && argc == 1)
		request(&t, argv[0]);
	if ((rc = pp_order_make(t.db, argv[0], argv[2], tool_amount(&t,
	    argv[1]), &o)) != PP_OK)
		tool_die(&t, rc, "%s", pp_errmsg(t.db));
	snprintf(t.summary, sizeof(t.summary), "order %s", o.out_trade_no);
	if (ask)
		request(&t, o.out_trade_no);
	print_order(&t, &o);
	tool_exit(&t, PP_OK);
}
