/*
 * lang.c: the Chinese names of the output columns and of the reports, as
 * the offices call them (售电, 退电, 冲正, 余额, 表号, 户号 ...), and which
 * of them a run shows.  A column has one machine name (prepay-columns(5))
 * in every tool, so it has one Chinese name here, for every tool and
 * report; a name missing here shows as the machine name.
 */
#include <string.h>

#include "internal.h"

struct word {
	const char	*name, *zh;
};

/*
 * A column is one line, in the order of the names, for the reader; a
 * column that is not here shows its machine name.
 */
static const struct word columns[] = {
	{ "account", "户号" },
	{ "action", "操作" },
	{ "address", "地址" },
	{ "age_min", "未抄时长(分)" },
	{ "age_s", "未抄时长(秒)" },
	{ "alarm", "告警" },
	{ "alarm1", "一级告警额" },
	{ "alarm2", "二级告警额" },
	{ "amount", "金额" },
	{ "args", "参数" },
	{ "balance", "余额" },
	{ "billing", "计费方式" },
	{ "building", "楼栋" },
	{ "buy_count", "购电次数" },
	{ "channel", "支付渠道" },
	{ "check", "检查项" },
	{ "cleared", "解除时间" },
	{ "clock", "表时钟" },
	{ "closed", "销户时间" },
	{ "closes", "销户笔数" },
	{ "closes_amount", "销户金额" },
	{ "cost", "电费" },
	{ "created", "下单时间" },
	{ "current_a", "电流(A)" },
	{ "day", "日期" },
	{ "diff", "差异" },
	{ "diff_cost", "差额金额" },
	{ "diff_kwh", "表计差额(kWh)" },
	{ "end_kwh", "止码(kWh)" },
	{ "end_time", "截止时间" },
	{ "energy_kwh", "电量(kWh)" },
	{ "energy_peak_kwh", "峰电量(kWh)" },
	{ "energy_valley_kwh", "谷电量(kWh)" },
	{ "error", "错误" },
	{ "exit", "退出码" },
	{ "final_kwh", "旧表止码(kWh)" },
	{ "flag", "异常标记" },
	{ "floor", "楼层" },
	{ "freq_hz", "频率(Hz)" },
	{ "gateway", "网关" },
	{ "hour", "小时" },
	{ "import_kwh", "正向有功(kWh)" },
	{ "item", "项目" },
	{ "keep", "保电" },
	{ "kind", "类型" },
	{ "last_kwh", "上次读数(kWh)" },
	{ "ledger_amount", "账面金额" },
	{ "ledger_count", "账面购电次数" },
	{ "level", "级别" },
	{ "login", "登录名" },
	{ "lost", "失联数" },
	{ "message", "通知内容" },
	{ "meter", "表号" },
	{ "meters", "表数" },
	{ "method", "付款方式" },
	{ "mode", "费控模式" },
	{ "month", "月份" },
	{ "moved", "转移金额" },
	{ "name", "户名" },
	{ "net", "净额" },
	{ "new_meter", "新表号" },
	{ "note", "说明" },
	{ "notified", "通知时间" },
	{ "old_meter", "旧表号" },
	{ "old_wallet", "旧表钱包" },
	{ "onsite_kwh", "现场读数(kWh)" },
	{ "opened", "开户时间" },
	{ "opening_kwh", "新表起码(kWh)" },
	{ "opens", "开户笔数" },
	{ "opens_amount", "开户金额" },
	{ "operator", "操作员" },
	{ "out_trade_no", "商户订单号" },
	{ "overload_w", "功率限值(W)" },
	{ "paid", "支付时间" },
	{ "pay_url", "支付链接" },
	{ "pending", "待充值笔数" },
	{ "pending_amount", "待充值金额" },
	{ "pf", "功率因数" },
	{ "phone", "电话" },
	{ "polled", "抄表时间" },
	{ "polled_kwh", "系统读数(kWh)" },
	{ "power_w", "功率(W)" },
	{ "price", "单价" },
	{ "profile", "表型" },
	{ "ref", "外部单号" },
	{ "refunds", "退电笔数" },
	{ "refunds_amount", "退电金额" },
	{ "refund_id", "平台退款单号" },
	{ "refunded", "退款时间" },
	{ "refunded_by", "退款操作员" },
	{ "relay", "通断" },
	{ "remark", "备注" },
	{ "requested", "下单时间" },
	{ "result", "结果" },
	{ "reversals", "冲正笔数" },
	{ "reversals_amount", "冲正金额" },
	{ "reverses", "被冲正流水号" },
	{ "role", "角色" },
	{ "room", "房间" },
	{ "row", "行类型" },
	{ "sales", "售电笔数" },
	{ "sales_amount", "售电金额" },
	{ "serial", "流水号" },
	{ "since", "失联时间" },
	{ "sold", "累计售电" },
	{ "source", "来源" },
	{ "start_kwh", "起码(kWh)" },
	{ "start_time", "起始时间" },
	{ "state", "状态" },
	{ "statement_amount", "对账单金额" },
	{ "status", "状态字" },
	{ "summary", "摘要" },
	{ "tariff", "电价方案" },
	{ "tier", "阶梯" },
	{ "time", "时间" },
	{ "tool", "工具" },
	{ "transaction_id", "支付平台单号" },
	{ "unit", "站号" },
	{ "used_kwh", "差额电量(kWh)" },
	{ "value", "告警值" },
	{ "voltage_v", "电压(V)" },
	{ "window", "时段" },
	{ "year", "年份" },
	/* prepay-web's bindings (report bindings). */
	{ "binding", "绑定编号" },
	{ "bound", "绑定时间" },
	{ "client", "客户端地址" },
	{ "expires", "会话到期" },
	{ "last_seen", "最近访问" },
	/* The Modbus read requests of a poll (report plans). */
	{ "bus_ms", "总线时间(ms)" },
	{ "class", "读取类别" },
	{ "fc", "功能码" },
	{ "register", "起始寄存器" },
	{ "registers", "寄存器数" },
	{ "values", "数据项" },
};

/* A report is one line; its xlsx sheet is named so. */
static const struct word reports[] = {
	{ "accounts", "账户" },
	{ "alarms", "告警" },
	{ "audit", "操作日志" },
	{ "balances", "余额" },
	{ "bill", "账单" },
	{ "counters", "表码" },
	{ "energy", "用电量" },
	{ "lost", "失联" },
	{ "onsite", "机电不符" },
	{ "operators", "操作员" },
	{ "readings", "抄表记录" },
	{ "reconcile", "对账" },
	{ "sales", "售电汇总" },
	{ "status", "表计状态" },
	{ "txns", "交易明细" },
	{ "usage", "用电曲线" },
	{ "verify", "校验" },
	{ "bindings", "账户绑定" },
	{ "plans", "抄读计划" },
};

/*
 * The words a notice says in Chinese: a command's action (meter-ctl(1))
 * and a reading's flag.
 */
static const struct word words[] = {
	{ "backwards", "读数倒走" },
	{ "close", "合闸" },
	{ "jump", "读数跳变" },
	{ "keep", "保电" },
	{ "manual", "设为远程控制" },
	{ "prepay", "设为本地预付费" },
	{ "price", "设置电价" },
	{ "recharge", "充值" },
	{ "settings", "设置参数" },
	{ "time", "校时" },
	{ "trip", "拉闸" },
	{ "unkeep", "解除保电" },
};

static const char *
lookup(const struct word *table, size_t n, const char *name)
{
	size_t i;

	for (i = 0; name && i < n; i++)
		if (strcmp(table[i].name, name) == 0)
			return table[i].zh;
	return NULL;
}

const char *
pp_column_zh(const char *name)
{
	return lookup(columns, sizeof(columns) / sizeof(columns[0]), name);
}

const char *
pp_report_zh(const char *name)
{
	return lookup(reports, sizeof(reports) / sizeof(reports[0]), name);
}

const char *
pp__word_zh(const char *word)
{
	return lookup(words, sizeof(words) / sizeof(words[0]), word);
}

/* The first of LC_ALL, LC_MESSAGES and LANG that is set says. */
enum pp_lang
pp_lang_locale(const char *lc_all, const char *lc_messages,
    const char *lang)
{
	const char *v = lc_all && *lc_all ? lc_all : lc_messages &&
	    *lc_messages ? lc_messages : lang;

	return v && strncmp(v, "zh", 2) == 0 ? PP_LANG_ZH_SCREEN : PP_LANG_EN;
}

int
pp_lang_parse(const char *s, enum pp_lang *lang)
{
	if (strcmp(s, "zh") == 0)
		*lang = PP_LANG_ZH;
	else if (strcmp(s, "en") == 0)
		*lang = PP_LANG_EN;
	else
		return PP_EUSAGE;
	return PP_OK;
}

int
pp__lang_zh(enum pp_lang lang, enum pp_format fmt)
{
	if (lang == PP_LANG_ZH)
		return 1;
	return lang == PP_LANG_ZH_SCREEN && fmt != PP_FMT_CSV &&
	    fmt != PP_FMT_TSV;
}
