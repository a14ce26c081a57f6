#!/bin/sh
# The operator's screen: Chinese column heads by the locale or --lang
# (CSV and TSV keep the machine names unless --lang zh), -o list in every
# tool and by default for one meter's state on a terminal, and xlsx with
# dates, a named sheet, a frozen and filtered head row and fitted widths.
. "$(dirname "$0")/lib.sh"

# 2026-03-10 12:00:00 in Shanghai.
export PREPAY_NOW=1773115200
unset LC_ALL LC_MESSAGES
export LANG=C.UTF-8
login=$(id -un)

P=$(port_base)
cat >site.yaml <<EOF
site: 屏幕
defaults:
  price: 0.5380
  alarm1: 20.00
  alarm2: 5.00
buildings:
  - name: 1号楼
    gateways:
      - name: gw1
        address: tcp://127.0.0.1:$P
        timeout_ms: 300
        retries: 1
        meters:
          - {meter: "0101000001", unit: 1, floor: 1, room: "101", profile: dds238-2}
          - {meter: "0101000002", unit: 2, floor: 1, room: "102", profile: dds238-2}
          - {meter: "0101000003", unit: 3, floor: 1, room: "103", profile: dds238-2}
EOF
site-load site.yaml >/dev/null || echo "Bail out! site-load"
acct-open -n 张三 --balance 10 0101000001 >/dev/null || echo "Bail out! acct-open"
acct-open -n 李四 0101000002 >/dev/null || echo "Bail out! acct-open"
sale -m wechat 100001 30 >/dev/null || echo "Bail out! sale"

ZH_TXNS="流水号 时间 类型 户号 户名 表号 房间 金额 付款方式 余额 购电次数 外部单号 被冲正流水号 操作员 备注"
EN_TXNS="serial,time,kind,account,name,meter,room,amount,method,balance,buy_count,ref,reverses,operator,remark"
# heads: the first line of the last output, its words one space apart.
heads() {
	head -n 1 "$T/out" | tr -s ' ' ' '
}

# --- Chinese heads --------------------------------------------------------

exits 0 "LANG=zh_CN.UTF-8 report txns -o table" env LANG=zh_CN.UTF-8 report txns -o table
is "$(heads)" "$ZH_TXNS" "a Chinese locale: Chinese heads in a table"
is "$(sed -n 3p "$T/out" | tr -s ' ' ' ')" "20260310000001 2026-03-10 12:00:00 open 100001 张三 0101000001 101 10.00 transfer 10.00 $login" \
    "the rows are the same"
exits 0 "LANG=zh_CN.UTF-8 report txns -o csv" env LANG=zh_CN.UTF-8 report txns -o csv
is "$(head -n 1 "$T/out")" "$EN_TXNS" "CSV keeps the machine names"
exits 0 "LANG=zh_CN.UTF-8 -o tsv" env LANG=zh_CN.UTF-8 report txns -o tsv
is "$(head -n 1 "$T/out" | tr '\t' ',')" "$EN_TXNS" "and so does TSV"
exits 0 "--lang zh -o csv" report txns --lang zh -o csv
is "$(head -n 1 "$T/out" | tr ',' ' ')" "$ZH_TXNS" "--lang zh: Chinese in CSV too"
exits 0 "--lang en in a Chinese locale" env LANG=zh_CN.UTF-8 report txns --lang en -o table
is "$(heads | tr ' ' ',')" "$EN_TXNS" "--lang en: the machine names in a table"
exits 0 "LC_ALL=C over LANG=zh_CN" env LC_ALL=C LANG=zh_CN.UTF-8 report txns -o table
is "$(heads | tr ' ' ',')" "$EN_TXNS" "LC_ALL comes first"
exits 0 "LC_MESSAGES=zh_CN over LANG=C" env LC_MESSAGES=zh_CN.UTF-8 report txns -o table
is "$(heads)" "$ZH_TXNS" "then LC_MESSAGES"
exits 64 "--lang fr" report txns --lang fr
is "$(cat "$T/err")" 'report: --lang fr: use zh or en' "says which languages"
exits 64 "--lang without a value" report txns --lang

# Every tool that prints rows.
exits 0 "sale --lang zh -o table" sale --lang zh -o table 100001 1
is "$(heads)" "$ZH_TXNS" "sale"
exits 0 "acct-open in a Chinese locale" env LANG=zh_CN.UTF-8 acct-open -o table -n 王五 --balance 1 0101000003
is "$(heads)" "户号 户名 电话 表号 房间 余额 流水号 时间 外部单号" "acct-open"
exits 0 "alarm-scan in a Chinese locale" env LANG=zh_CN.UTF-8 alarm-scan -o table --all
is "$(heads)" "时间 级别 告警 表号 户号 户名 电话 房间 余额 告警值 通知内容" "alarm-scan"
exits 0 "report status --lang zh" report status --lang zh -o tsv
is "$(head -n 1 "$T/out" | tr '\t' ' ')" "表号 楼栋 房间 户号 户名 状态 余额 功率(W) 一级告警额 通断 保电 时间 未抄时长(分) 未抄时长(秒)" "report status"
exits 0 "report sales --by day --lang zh" report sales --by day --lang zh -o csv
is "$(head -n 1 "$T/out" | cut -d, -f1-5)" "日期,售电笔数,售电金额,退电笔数,退电金额" "--by names its column too"

# Every column of every report has its Chinese name.
for r in "sales --by month" txns accounts balances audit verify status alarms \
    reconcile "lost --gateways" lost "readings 0101000001" \
    "bill 100001 --month 2026-03" "energy --from 2026-03-01 --to 2026-03-11" \
    "usage 0101000001 --from 2026-03-01 --to 2026-03-11 --by day" \
    "energy --per floor --from 2026-03-01 --to 2026-03-11" \
    "counters --from 2026-03-01 --to 2026-03-11" operators onsite \
    bindings plans; do
	# shellcheck disable=SC2086
	report $r --lang zh -o csv >zh.csv 2>zh.err
	is "$(head -n 1 zh.csv | tr ',' '\n' | grep -c '^[a-z0-9_]*$')" 0 \
	    "report $r: every column has a Chinese name"
done

# prepay-columns(5) gives each column the Chinese name that lib/lang.c does.
is "$($PY - "$top/lib/lang.c" "$top/man/prepay-columns.5" <<'PYEOF'
import re, sys
src = open(sys.argv[1], encoding="utf-8").read()
src = src[src.index("columns[] = {"):src.index("reports[] = {")]
lib = dict(re.findall(r'\{ "([a-z0-9_]+)", "([^"]+)" \}', src))
man = {}
for line in open(sys.argv[2], encoding="utf-8"):
    m = re.match(r"\.It Cm (.*) Pq (.*)$", line.rstrip("\n"))
    if m:
        man.update(zip((n.strip() for n in m.group(1).split(",")),
                       (z.strip() for z in m.group(2).split(","))))
bad = ["%s: %s in the page, %s in lang.c" % (n, man.get(n), lib.get(n))
       for n in sorted(set(lib) | set(man)) if man.get(n) != lib.get(n)]
print("; ".join(bad) or "ok")
PYEOF
)" ok "prepay-columns(5) and lang.c give every column the same Chinese name"

# --- -o list --------------------------------------------------------------

exits 0 "report txns -o list" report txns --kind open -o list
is "$(sed -n '1,15p;16p;17,18p;31p' "$T/out")" "serial:    20260310000001
time:      2026-03-10 12:00:00
kind:      open
account:   100001
name:      张三
meter:     0101000001
room:      101
amount:    10.00
method:    transfer
balance:   10.00
buy_count:
ref:
reverses:
operator:  $login
remark:

serial:    20260310000002
time:      2026-03-10 12:00:00
remark:" "one name: value a line, a blank line between records, the values aligned"
exits 0 "--lang zh -o list" report balances --lang zh -o list
is "$(head -n 6 "$T/out")" "户号: 100001
户名: 张三
电话:
表号: 0101000001
房间: 101
余额: 41.00" "two cells a Chinese character: one space after the colon aligns them"
exits 0 "txns --lang zh -o list" report txns --kind open --lang zh -o list
is "$(sed -n 1,2p "$T/out")" "流水号:       20260310000001
时间:         2026-03-10 12:00:00" "the values start where 被冲正流水号 (12 cells wide) leaves room"
exits 0 "sale -o list" sale -o list 100001 1
is "$(grep -c ':' "$T/out")" 15 "sale: fifteen lines"
exits 0 "alarm-scan -o list" alarm-scan -o list --all
like "$T/out" '^message: +【屏幕】' "alarm-scan too"
exits 0 "no rows in a list" report txns --kind refund -o list
is "$(wc -c <"$T/out" | tr -d ' ')" 0 "prints nothing"
exits 64 "-o pdf" sale -o pdf 100001 1
is "$(cat "$T/err")" 'sale: -o pdf: use csv, tsv, table or list' "names list"

# meter-ctl read: a single meter on a terminal is a list.
start_sim site.yaml --state "$T/sim.state"
script -qec "meter-ctl read 0101000001" /dev/null >tty.out 2>&1
is "$?" 0 "meter-ctl read one meter on a terminal (exit 0)"
tr -d '\r' <tty.out >tty.txt
like tty.txt '^meter: +0101000001$' "a list: the meter"
like tty.txt '^relay: +closed$' "the relay"
is "$(grep -c '^[a-z_0-9]*:' tty.txt)" 25 "all 25 columns, one a line"
script -qec "env LANG=zh_CN.UTF-8 meter-ctl read 0101000001" /dev/null >tty.out 2>&1
tr -d '\r' <tty.out >tty.txt
like tty.txt '^表号: +0101000001$' "in Chinese under a Chinese locale"
script -qec "meter-ctl read 0101000001 0101000002" /dev/null >tty.out 2>&1
tr -d '\r' <tty.out >tty.txt
like tty.txt '^time +meter +' "two meters on a terminal: a table"
script -qec "meter-ctl read -o table 0101000001" /dev/null >tty.out 2>&1
tr -d '\r' <tty.out >tty.txt
like tty.txt '^time +meter +' "-o table still makes a table"
exits 0 "meter-ctl read to a pipe" meter-ctl read 0101000001
is "$(head -n 1 "$T/out" | cut -d, -f1-2)" "time,meter" "a pipe gets CSV"
exits 0 "meter-ctl read -o list" meter-ctl read -o list 0101000001
like "$T/out" '^meter: +0101000001$' "-o list asked for"

# --- xlsx -----------------------------------------------------------------

# xlsx FILE: the facts of the sheet, one a line.
xlsx() {
	$PY - "$1" <<'PYEOF'
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
ws = wb.active
print(wb.sheetnames)
print(ws["A1"].value, ws["B1"].value)
b2 = ws["B2"]
print(type(b2.value).__name__, b2.value, b2.number_format)
print(ws.freeze_panes, ws.auto_filter.ref)
# Excel keeps a width with its padding, 0.71 of a character.
print(*(int(ws.column_dimensions[c].width) for c in "BEM"))
PYEOF
}
exits 0 "report txns -o xlsx" report txns -o xlsx -O t.xlsx
is "$(xlsx t.xlsx)" "['txns']
serial time
datetime 2026-03-10 12:00:00 yyyy-mm-dd hh:mm
A2 A1:O7
18 6 10" "a date in B2, the sheet txns, the head frozen and filtered, widths fitted"
exits 0 "report txns --lang zh -o xlsx" report txns --lang zh -o xlsx -O z.xlsx
is "$(xlsx z.xlsx)" "['交易明细']
流水号 时间
datetime 2026-03-10 12:00:00 yyyy-mm-dd hh:mm
A2 A1:O7
18 6 14" "in Chinese: the sheet 交易明细, and 被冲正流水号 counts 12 wide"
exits 0 "LANG=zh_CN xlsx" env LANG=zh_CN.UTF-8 report balances -o xlsx -O b.xlsx
is "$($PY -c 'import openpyxl; wb = openpyxl.load_workbook("b.xlsx"); print(wb.sheetnames, wb.active["F1"].value)')" \
    "['余额'] 余额" "a Chinese locale names the sheet in Chinese"

exits 0 "report verify" report verify -o csv
done_testing
