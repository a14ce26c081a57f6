#!/bin/sh
# report: every report in csv, tsv and table; time filters; xlsx; --bom.
. "$(dirname "$0")/lib.sh"

# The clock is fixed, so that "today" holds however long the run takes,
# across midnight too: 2026-03-10 12:00:00 in Shanghai.
export PREPAY_NOW=1773115200

login=$(id -un)

# --- the data: two phases two seconds apart ------------------------------

load_site
{
	acct-open -n 张三 --balance 10 0101070723 &&	# 100001, open 10.00 transfer
	acct-open -n 李四 010107072A &&			# 100002, open 0.00 transfer
	sale 100001 30 &&
	sale -m wechat 100001 20.50 >wx.csv &&
	sale -m alipay 100002 12.30 &&
	refund 100001 5.25 &&
	reverse "$(sed -n 2p wx.csv | cut -d, -f1)" &&
	acct-close 100002
} >/dev/null || echo "Bail out! phase 1"
wx=$(sed -n 2p wx.csv | cut -d, -f1)
report txns -o csv >p1.csv
t1=$(row p1.csv -1 time)
first=$(row p1.csv 1 time)
PREPAY_NOW=$((PREPAY_NOW + 2))
acct-open -n 王五 0101070722 >/dev/null 2>&1	# 100003, meter wallet: 75
sale -m card 100001 1 >/dev/null || echo "Bail out! phase 2"
report txns -o csv >all.csv
t2=$(row all.csv 9 time)	# the first row of phase 2
year=2026
month=2026-03
day=2026-03-10

# --- sales --------------------------------------------------------------

exits 0 "sales --by day --to phase 2" report sales --by day --to "$t2" -o csv
is "$(head -n 1 "$T/out")" "day,sales,sales_amount,refunds,refunds_amount,reversals,reversals_amount,opens,opens_amount,closes,closes_amount,net" \
    "the sales columns"
is "$(nrows "$T/out")" 1 "one day"
is "$(row "$T/out" 1 day sales sales_amount refunds refunds_amount reversals reversals_amount opens opens_amount closes closes_amount net)" \
    "$day|3|62.80|1|-5.25|1|-20.50|2|10.00|1|-12.30|34.75" "phase 1: the counts and sums, net 34.75"
exits 0 "sales --by day" report sales --by day -o csv
is "$(row "$T/out" 1 sales sales_amount opens opens_amount net)" "4|63.80|3|10.00|35.75" "all of it: net 35.75"
exits 0 "sales --by month" report sales --by month -o csv
is "$(head -n 1 "$T/out" | cut -d, -f1)|$(row "$T/out" 1 month net)" "month|$month|35.75" "by month"
exits 0 "sales --by year" report sales --by year -o csv
is "$(head -n 1 "$T/out" | cut -d, -f1)|$(row "$T/out" 1 year net)" "year|$year|35.75" "by year"
exits 0 "sales --by-operator" report sales --by day --by-operator -o csv
is "$(head -n 1 "$T/out" | cut -d, -f1-3)|$(row "$T/out" 1 operator net)" "day,operator,sales|$login|35.75" \
    "an operator column"
exits 0 "sales --by-method" report sales --by month --by-method --to "$t2" -o csv
is "$(head -n 1 "$T/out" | cut -d, -f1-3)" "month,method,sales" "a method column"
$PY -c 'import csv,sys
for r in sorted(csv.DictReader(open(sys.argv[1])), key=lambda r: r["method"]):
    print(r["method"], *(r[c] for c in ("sales","sales_amount","refunds_amount","reversals_amount","opens","opens_amount","closes_amount","net")))' "$T/out" >m.txt
is "$(tr '\n' ';' <m.txt)" "alipay 1 12.30 0.00 0.00 0 0.00 0.00 12.30;cash 1 30.00 -5.25 0.00 0 0.00 -12.30 12.45;transfer 0 0.00 0.00 0.00 2 10.00 0.00 10.00;wechat 1 20.50 0.00 -20.50 0 0.00 0.00 0.00;" \
    "per method: the reversal counts under the method of the sale"
exits 0 "sales --by-operator --by-method" report sales --by year --by-operator --by-method -o csv
is "$(head -n 1 "$T/out" | cut -d, -f1-3)|$(nrows "$T/out")" "year,operator,method|5" "both columns; 5 methods"
exits 0 "sales --from phase 2" report sales --by day --from "$t2" -o csv
is "$(row "$T/out" 1 sales sales_amount opens net)" "1|1.00|1|1.00" "only phase 2"
exits 64 "sales --by week" report sales --by week -o csv

# --- txns ---------------------------------------------------------------

exits 0 "txns" report txns -o csv
is "$(head -n 1 "$T/out")" "serial,time,kind,account,name,meter,room,amount,method,balance,buy_count,ref,reverses,operator,remark" \
    "the entry columns"
is "$(col "$T/out" kind)" "open open sale sale sale refund reverse close open sale" "every row, in order"
is "$(col "$T/out" amount)" "10.00 0.00 30.00 20.50 12.30 -5.25 -20.50 -12.30 0.00 1.00" "their amounts"
exits 0 "txns --kind sale" report txns --kind sale -o csv
is "$(col "$T/out" amount)" "30.00 20.50 12.30 1.00" "the four sales"
exits 0 "txns --kind refund" report txns --kind refund -o csv
is "$(row "$T/out" 1 amount account)|$(nrows "$T/out")" "-5.25|100001|1" "the refund"
exits 0 "txns --kind reverse" report txns --kind reverse -o csv
is "$(row "$T/out" 1 amount reverses method)" "-20.50|$wx|wechat" "the reversal names the wechat sale"
exits 0 "txns --kind close" report txns --kind close -o csv
is "$(row "$T/out" 1 account amount)|$(nrows "$T/out")" "100002|-12.30|1" "the close"
exits 0 "txns --account" report txns --account 100002 -o csv
is "$(col "$T/out" kind)" "open sale close" "account 100002's rows"
exits 0 "txns --meter" report txns --meter 010107072A -o csv
is "$(col "$T/out" serial)" "$(grep ',100002,' all.csv | cut -d, -f1 | tr '\n' ' ' | sed 's/ $//')" \
    "meter 010107072A: the rows of its account"
exits 0 "txns --operator LOGIN" report txns --operator "$login" -o csv
is "$(nrows "$T/out")" 10 "all ten rows are the login's"
exits 0 "txns --operator nobody" report txns --operator nobody-here -o csv
is "$(nrows "$T/out")" 0 "no rows for another login"
exits 0 "txns --kind sale --account 100001 --operator LOGIN" report txns --kind sale --account 100001 --operator "$login" -o csv
is "$(col "$T/out" amount)" "30.00 20.50 1.00" "the filters combine"

# --- time filters -------------------------------------------------------

txns_n() { report txns "$@" -o csv >tf.csv && nrows tf.csv; }
next_year=$((year + 1))
next_month=2026-04
tomorrow=$(date -d "$day +1 day" +%Y-%m-%d)
e_first=$(date -d "$first" +%s)
minute=$(date -d "@$e_first" '+%Y-%m-%d %H:%M')
next_minute=$(date -d "@$(( (e_first / 60 + 1) * 60 ))" '+%Y-%m-%d %H:%M')
is "$(txns_n --from "$year")|$(txns_n --to "$year")|$(txns_n --from "$next_year")|$(txns_n --to "$next_year")" \
    "10|0|0|10" "YYYY: --from includes, --to excludes"
is "$(txns_n --from "$month")|$(txns_n --to "$month")|$(txns_n --from "$next_month")|$(txns_n --to "$next_month")" \
    "10|0|0|10" "YYYY-MM"
is "$(txns_n --from "$day")|$(txns_n --to "$day")|$(txns_n --from "$tomorrow")|$(txns_n --to "$tomorrow")" \
    "10|0|0|10" "YYYY-MM-DD"
is "$(txns_n --from "$minute")|$(txns_n --to "$minute")" "10|0" \
    "YYYY-MM-DD HH:MM: the first row's minute is in --from and not before --to"
[ "$(txns_n --to "$next_minute")" -ge 1 ]
ok $? "YYYY-MM-DD HH:MM: --to the next minute takes the first row"
is "$(txns_n --from "$t2")|$(txns_n --to "$t2")" "2|8" "YYYY-MM-DD HH:MM:SS: phase 2 from t2, phase 1 before it"
is "$(txns_n --from "$t1" --to "$t2")" "$(awk -F, -v t="$t1" '$2 == t' p1.csv | wc -l | tr -d ' ')" \
    "--from and --to together: the rows of t1's second"

exits 0 "accounts --from phase 2" report accounts --from "$t2" -o csv
is "$(col "$T/out" account)" 100003 "only the account opened in phase 2"
exits 0 "audit --from phase 2" report audit --from "$t2" -o csv
is "$(col "$T/out" tool)" "acct-open sale" "only phase 2's runs"
for bad in 2026-13 2026-02-30 yesterday 2026-11-21T05:00 '2026-11-21 24:00' 20261121 '2026- 1' ''; do
	exits 64 "--from \"$bad\" is a bad time" report txns --from "$bad" -o csv
done
exits 64 "--to with a bad time" report sales --by day --to 2026-1 -o csv

# --- accounts, balances, audit, verify ----------------------------------

exits 0 "accounts" report accounts -o csv
is "$(head -n 1 "$T/out")" "account,name,phone,state,meter,room,opened,closed,balance" "the accounts columns"
is "$(col "$T/out" account)|$(col "$T/out" state)" "100001 100002 100003|open closed open" "three accounts"
exits 0 "accounts --state open" report accounts --state open -o csv
is "$(col "$T/out" account)" "100001 100003" "the open ones"
exits 0 "accounts --state closed" report accounts --state closed -o csv
is "$(row "$T/out" 1 account meter balance)|$(nrows "$T/out")" "100002|010107072A|0.00|1" "the closed one"
exits 64 "accounts --state bogus" report accounts --state bogus -o csv
exits 0 "balances" report balances -o csv
is "$(head -n 1 "$T/out")" "account,name,phone,meter,room,balance" "the balances columns"
is "$(row "$T/out" 1 account name balance)" "100001|张三|35.75" "张三: 10 + 30 + 20.50 + 1 - 5.25 - 20.50 = 35.75"
exits 0 "balances --state closed" report balances --state closed -o csv
is "$(row "$T/out" 1 account balance)|$(nrows "$T/out")" "100002|0.00|1" "the closed account"
exits 0 "audit" report audit -o csv
is "$(head -n 1 "$T/out")" "time,operator,tool,args,exit,summary" "the audit columns"
is "$(col "$T/out" tool)" "site-load acct-open acct-open sale sale sale refund reverse acct-close acct-open sale" \
    "one entry per writing run, and none for report"
exits 0 "audit --login LOGIN" report audit --login "$login" -o csv
is "$(nrows "$T/out")" 11 "all entries are the login's"
exits 0 "audit --login nobody" report audit --login nobody-here -o csv
is "$(nrows "$T/out")" 0 "none for another login"
exits 0 "verify" report verify -o csv
is "$(head -n 1 "$T/out")" "check,result,message" "the verify columns"
is "$(col "$T/out" result | tr ' ' '\n' | sort -u | tr '\n' ' ')" "ok " "every check is ok"
[ "$(nrows "$T/out")" -ge 5 ]
ok $? "verify runs several checks"

exits 64 "an unknown report" report nosuch -o csv
like "$T/err" '^report: .*nosuch' "the message names it"
exits 64 "no report" report -o csv
exits 64 "an extra operand" report balances extra -o csv

# --- tsv and table ------------------------------------------------------

# same_as_csv TSVFILE CSVFILE: the TSV holds the same rows as the CSV.
same_as_csv() {
	$PY -c 'import csv,sys
t=[l.rstrip("\n").split("\t") for l in open(sys.argv[1], encoding="utf-8")]
c=list(csv.reader(open(sys.argv[2], newline="", encoding="utf-8")))
print(t == c and len(c) > 1)' "$1" "$2"
}
# table_ok TABLE CSV: the table has the CSV's header and values, every
# column starting at the same display column on every line (wide
# characters counting 2), and the columns kept apart by blanks.
table_ok() {
	$PY -c 'import csv,sys,unicodedata
def cells(line):
    out = []
    for ch in line:
        out.append(ch)
        if unicodedata.east_asian_width(ch) in "WF":
            out.append(None)
    return out
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
if lines and lines[-1] == "":
    lines.pop()
rows = list(csv.reader(open(sys.argv[2], newline="", encoding="utf-8")))
dash = lines[1]
spans, i = [], 0
while i < len(dash):
    if dash[i] == "-":
        j = i
        while j < len(dash) and dash[j] == "-":
            j += 1
        spans.append((i, j))
        i = j
    else:
        i += 1
bad = []
if len(spans) != len(rows[0]):
    bad.append("%d dash groups for %d columns" % (len(spans), len(rows[0])))
if len(lines) != len(rows) + 1:
    bad.append("%d lines for %d rows" % (len(lines), len(rows)))
for n, (line, want) in enumerate(zip([lines[0]] + lines[2:], rows)):
    c = cells(line)
    c += [" "] * (spans[-1][1] - len(c))
    got = []
    for k, (a, b) in enumerate(spans):
        if c[a] is None:
            bad.append("line %d: a wide character straddles column %d" % (n, k))
        if k and any(x != " " for x in c[spans[k - 1][1]:a]):
            bad.append("line %d: no blank before column %d" % (n, k))
        end = spans[k + 1][0] if k + 1 < len(spans) else len(c)
        got.append("".join(x for x in c[a:end] if x is not None).strip())
    if got != want:
        bad.append("line %d: %r != %r" % (n, got, want))
print("ok" if not bad else "; ".join(bad[:3]))' "$1" "$2"
}

for r in "sales --by day" "sales --by month --by-operator --by-method" "txns" "txns --kind sale" \
    "accounts" "balances" "audit" "verify"; do
	# shellcheck disable=SC2086
	report $r -o csv >r.csv
	# shellcheck disable=SC2086
	exits 0 "$r -o tsv" report $r -o tsv
	is "$(same_as_csv "$T/out" r.csv)" True "$r: the TSV has the CSV's rows"
	# shellcheck disable=SC2086
	exits 0 "$r -o table" report $r -o table
	is "$(table_ok "$T/out" r.csv)" ok "$r: the table has the CSV's values, aligned"
done

report balances -o table >bt.txt
like bt.txt '张三' "the balances table has 张三"
is "$($PY -c 'import sys,unicodedata
w = {sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in l.rstrip("\n"))
     for l in open(sys.argv[1], encoding="utf-8")}
print(len(w))' bt.txt)" 1 "every line of the balances table has the same display width"

# --- --bom --------------------------------------------------------------

report balances --bom -o csv >bom.csv
is "$(head -c 3 bom.csv | od -An -tx1 | tr -d ' ')" efbbbf "--bom: the CSV starts with EF BB BF"
is "$(tail -c +4 bom.csv | head -n 1)" "account,name,phone,meter,room,balance" "--bom: then the header"
report balances -o csv >nobom.csv
is "$(head -c 3 nobom.csv)" acc "without --bom no BOM"
report txns --bom -o tsv >bom.tsv
is "$(head -c 3 bom.tsv | od -An -tx1 | tr -d ' ')" efbbbf "--bom with TSV"

# --- xlsx ---------------------------------------------------------------

XPY=
for p in python3 /usr/bin/python3; do
	if "$p" -c 'import openpyxl' 2>/dev/null; then
		XPY=$p
		break
	fi
done
# xlsx_check XLSX CSV: the sheet has the CSV's cells, amounts and counts
# as numbers, times as dates, the other columns as text.
xlsx_check() {
	"$XPY" -c 'import csv,datetime,sys,re,openpyxl
ws = openpyxl.load_workbook(sys.argv[1]).active
got = [list(r) for r in ws.iter_rows(values_only=True)]
want = list(csv.reader(open(sys.argv[2], newline="", encoding="utf-8")))
numeric = set(sys.argv[3].split(","))
bad = []
if len(got) != len(want):
    bad.append("%d rows, want %d" % (len(got), len(want)))
for i, (g, w) in enumerate(zip(got, want)):
    g = g + [None] * (len(w) - len(g))
    for j, (gv, wv) in enumerate(zip(g, w)):
        name = want[0][j]
        if i and name in numeric and wv != "":
            if isinstance(gv, bool) or not isinstance(gv, (int, float)) or abs(gv - float(wv)) > 1e-9:
                bad.append("%s row %d: %r is not the number %s" % (name, i, gv, wv))
        elif isinstance(gv, datetime.datetime):
            if gv.strftime("%Y-%m-%d %H:%M:%S") != wv:
                bad.append("%s row %d: the date %s != %r" % (name, i, gv, wv))
        elif (gv if gv is not None else "") != wv:
            bad.append("%s row %d: %r != %r" % (name, i, gv, wv))
print("ok" if not bad else "; ".join(bad[:3]))' "$@"
}
if [ -n "$XPY" ]; then
	report sales --by day -o csv >s.csv
	exits 0 "sales --by day -o xlsx -O s.xlsx" report sales --by day -o xlsx -O s.xlsx
	is "$(wc -c <"$T/out" | tr -d ' ')" 0 "nothing on stdout"
	is "$(xlsx_check s.xlsx s.csv sales,sales_amount,refunds,refunds_amount,reversals,reversals_amount,opens,opens_amount,closes,closes_amount,net)" \
	    ok "s.xlsx: the counts and amounts are numeric cells with the CSV's values"
	is "$("$XPY" -c 'import openpyxl
ws = openpyxl.load_workbook("s.xlsx").active
print(ws["C2"].value, ws["C2"].data_type, ws["L2"].value)')" "63.8 n 35.75" "s.xlsx: sales_amount 63.8 and net 35.75 are numbers"
	report txns -o csv >t.csv
	exits 0 "txns -o xlsx" report txns -o xlsx -O t.xlsx
	is "$(xlsx_check t.xlsx t.csv amount,balance,buy_count)" ok \
	    "t.xlsx: amounts numeric; serials, accounts and meters kept as text"
else
	for _ in 1 2 3 4 5 6; do
		tap_n=$((tap_n + 1))
		echo "ok $tap_n # skip openpyxl is not installed"
	done
fi
exits 64 "-o xlsx without -O" report sales --by day -o xlsx
exits 64 "an unknown format" report sales --by day -o pdf

exits 0 "report verify at the end" report verify -o csv
is "$(col "$T/out" result | tr ' ' '\n' | sort -u | tr '\n' ' ')" "ok " "report verify: every check is ok"

done_testing
