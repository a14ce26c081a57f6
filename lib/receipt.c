/*
 * receipt.c: receipts from templates with @@ placeholders, as the suites
 * this replaces print them, with RMB uppercase and labelled copies.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const char default_template[] =
    "              @@Site\n"
    "                预付电费收款票据\n"
    "--------------------------------------------\n"
    "票据号: @@BillSN\n"
    "时间:   @@CreateTime\n"
    "用户编号: @@UserID    用户名: @@UserName\n"
    "表号: @@MeterID\n"
    "房间: @@RoomID\n"
    "类型: @@SaleType      付款方式: @@BuyType\n"
    "购电次数: @@LastTimes\n"
    "金额: ￥@@SaleMoney\n"
    "大写: @@AllMoney\n"
    "余额: ￥@@Balance\n"
    "收款员: @@CreateName\n"
    "备注: @@Remark\n"
    "--------------------------------------------\n";

const char *
pp__kind_label(const char *kind)
{
	static const struct { const char *kind, *label; } k[] = {
		{ "sale", "售电" }, { "refund", "退电" }, { "reverse", "冲正" },
		{ "open", "开户" }, { "close", "销户" }, { "transfer", "转移" },
		{ "adjust", "调整" },
	};
	size_t i;

	for (i = 0; i < sizeof(k) / sizeof(k[0]); i++)
		if (strcmp(kind, k[i].kind) == 0)
			return k[i].label;
	return kind;
}

struct buf {
	char	*s;
	size_t	 len, cap;
};

static int
put(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->len + n + 1) * 2;
		char *p = realloc(b->s, cap);

		if (p == NULL)
			return -1;
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
	return 0;
}

static int
render_one(struct buf *b, const pp_entry *e, const char *site,
    const char *tmpl)
{
	char time[PP_TIMEBUF], money[PP_NUMBUF], balance[PP_NUMBUF];
	char upper[256], count[32];
	int64_t shown;
	const char *p, *at;
	size_t i, n;

	/* A reversal keeps its sign; the type says which way other rows go. */
	shown = strcmp(e->kind, "reverse") == 0 || e->amount >= 0 ?
	    e->amount : -e->amount;
	pp_money_format(shown, money);
	pp_money_format(e->balance, balance);
	if (pp__rmb_upper(shown, upper, sizeof(upper)) != PP_OK)
		upper[0] = '\0';
	snprintf(count, sizeof(count), "%lld", (long long)e->buy_count);
	pp_time_format(e->time, time);
	{
		const struct { const char *name, *value; } v[] = {
			{ "UserID", e->account }, { "UserName", e->name },
			{ "CreateTime", time }, { "BillSN", e->serial },
			{ "SaleType", pp__kind_label(e->kind) },
			{ "MeterID", e->meter }, { "RoomID", e->room },
			{ "LastTimes", count },
			{ "BuyType", pp__method_label(e->method) },
			{ "SaleMoney", money }, { "AllMoney", upper },
			{ "CreateName", e->operator_name[0] ?
			    e->operator_name : e->operator },
			{ "CreateLogin", e->operator }, { "Remark", e->remark },
			{ "Balance", balance }, { "Site", site ? site : "" },
			{ "Power", e->closing[0] ? "待合闸" : e->closed ?
			    "已合闸" : "" },
		};

		for (p = tmpl; (at = strstr(p, "@@")) != NULL; ) {
			if (put(b, p, (size_t)(at - p)) != 0)
				return -1;
			p = at + 2;
			n = strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "abcdefghijklmnopqrstuvwxyz");
			for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
				if (strlen(v[i].name) == n &&
				    strncmp(p, v[i].name, n) == 0)
					break;
			if (i == sizeof(v) / sizeof(v[0])) {
				/* Not ours: keep it as written. */
				if (put(b, "@@", 2) != 0)
					return -1;
				continue;
			}
			if (put(b, v[i].value, strlen(v[i].value)) != 0)
				return -1;
			p += n;
		}
		return put(b, p, strlen(p));
	}
}

int
pp_receipt_render(const pp_entry *e, const char *site, const char *tmpl,
    int copies, char **out, char *err, size_t errlen)
{
	static const char *const labels[] = { "第一联 存根", "第二联 客户",
	    "第三联 记账" };
	struct buf b = { NULL, 0, 0 };
	char label[64];
	int i;

	if (copies < 1 || copies > 9) {
		snprintf(err, errlen, "copies %d: use 1..9", copies);
		return PP_EUSAGE;
	}
	if (tmpl == NULL)
		tmpl = default_template;
	for (i = 0; i < copies; i++) {
		if (i > 0 && put(&b, "\f", 1) != 0)
			goto nomem;
		if (copies > 1) {
			if (i < 3)
				snprintf(label, sizeof(label), "[%s]\n",
				    labels[i]);
			else
				snprintf(label, sizeof(label), "[第%d联]\n",
				    i + 1);
			if (put(&b, label, strlen(label)) != 0)
				goto nomem;
		}
		if (render_one(&b, e, site, tmpl) != 0)
			goto nomem;
	}
	if (b.s == NULL && put(&b, "", 0) != 0)
		goto nomem;
	*out = b.s;
	return PP_OK;
nomem:
	free(b.s);
	snprintf(err, errlen, "out of memory");
	return PP_EINTERNAL;
}

int
pp_receipt_load(const char *path, char **tmpl, char *err, size_t errlen)
{
	struct buf b = { NULL, 0, 0 };
	char chunk[4096];
	size_t n;
	FILE *fp;

	if ((fp = pp_fopen_caller(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return PP_ENOINPUT;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		if (b.len + n > 1 << 20 || put(&b, chunk, n) != 0) {
			fclose(fp);
			free(b.s);
			snprintf(err, errlen, "%s: too large for a template",
			    path);
			return PP_EDATA;
		}
	fclose(fp);
	if (b.s == NULL || memchr(b.s, '\0', b.len)) {
		free(b.s);
		snprintf(err, errlen, "%s: empty or not text", path);
		return PP_EDATA;
	}
	*tmpl = b.s;
	return PP_OK;
}
