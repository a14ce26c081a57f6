#!/bin/sh
# refund: targets, amounts, the refundable balance, --ref, batches, receipts.
. "$(dirname "$0")/lib.sh"

# The clock is fixed, so that "today" holds however long the run takes,
# across midnight too: 2026-03-10 12:00:00 in Shanghai.
export PREPAY_NOW=1773115200

today=20260310
login=$(id -un)

load_site
cat >extra.yaml <<'EOF'
buildings:
  - name: 2号楼
    gateways:
      - name: gw3
        address: tcp://127.0.0.1:1503
        meters:
          - {meter: "0201000001", unit: 1, floor: 1, room: "152102", profile: sdm120, tariff: dorm}
          - {meter: "0201000002", unit: 2, floor: 1, room: "252101", profile: sdm120, tariff: dorm}
EOF
site-load extra.yaml >/dev/null || echo "Bail out! site-load extra.yaml"
{
	acct-open -n 张三 --balance 100 0101070723 &&		# 100001, 1号楼/152102
	acct-open -n 李四 --balance 200 010107072A &&		# 100002, 152201
	acct-open -a 152201 -n 王五 --balance 300 0201000002 &&	# 152201, 2号楼/252101
	acct-open -n 赵六 --balance 400 0201000001		# 100003, 2号楼/152102
} >/dev/null || echo "Bail out! acct-open"
acct-open -n 钱七 0101070722 >/dev/null 2>&1		# 100004, the meter's wallet

# --- success and targets ------------------------------------------------

exits 64 "refund: an account and no amount" refund -o csv 100001
like "$T/err" '^refund: 100001: the amount is missing' "the message says so"
exits 0 "refund by account" refund -o csv 100001 30
is "$(nrows "$T/out")" 1 "one row"
is "$(f 1 serial kind account name meter room amount method balance operator)" \
    "${today}000006|refund|100001|张三|0101070723|152102|-30.00|cash|70.00|$login" \
    "a refund row: negative amount, cash, balance 70.00"
exits 0 "refund by meter" refund -o csv 0101070723 0.50
is "$(f 1 account amount balance)" "100001|-0.50|69.50" "balance 69.50"
exits 0 "refund by BUILDING/ROOM" refund -o csv 2号楼/152102 1
is "$(f 1 account amount balance)" "100003|-1.00|399.00" "2号楼/152102 is 100003"
exits 0 "refund by --room" refund -o csv --room 152201 2
is "$(f 1 account balance)" "100002|198.00" "--room 152201 is 100002"
exits 0 "refund by --account" refund -o csv --account 152201 3
is "$(f 1 account balance)" "152201|297.00" "--account 152201 is 152201"
exits 0 "refund by --meter" refund -o csv --meter 0201000002 4
is "$(f 1 account balance)" "152201|293.00" "--meter 0201000002 is 152201"
exits 0 "full-width amount" refund -o csv 100003 １．２０
is "$(f 1 amount balance)" "-1.20|397.80" "１．２０ is 1.20"

n_tx=$(ledger)
exits 65 "an ambiguous target" refund -o csv 152201 1
like "$T/err" '100002' "the candidates list 100002"
like "$T/err" '152201.*王五' "the candidates list 152201 王五"
exits 65 "a room in two buildings" refund -o csv 152102 1
exits 65 "an unknown target" refund -o csv 999999 1
exits 65 "--meter with an account number" refund -o csv --meter 100001 1
for a in 12.345 1e3 1,000 '' abc 5000.01 0 '1 0'; do
	exits 65 "amount \"$a\" is bad input" refund -o csv 100001 "$a"
done
exits 65 "amount -5 is bad input" refund -o csv 100001 -5
exits 65 "amount -5 after -- is bad input" refund -o csv -- 100001 -5
exits 65 "an unknown method" refund -o csv -m bitcoin 100001 1
is "$(ledger)|$(bal 100001 100002 152201 100003)" "$n_tx|69.50|198.00|293.00|397.80" \
    "the refusals wrote nothing"

for m in wechat alipay card bank transfer cash; do
	exits 0 "method $m" refund -o csv -m $m 100003 1
	is "$(f 1 method)" $m "the row has method $m"
done
is "$(bal 100003)" 391.80 "six refunds of 1.00"

# --- the refundable balance ---------------------------------------------

n_tx=$(ledger)
exits 1 "a refund above the balance" refund -o csv 100001 69.51
like "$T/err" '^refund: .*69\.51.*refundable balance 69\.50' "the message gives the refundable balance"
is "$(ledger)|$(bal 100001)" "$n_tx|69.50" "nothing written"
exits 0 "a refund of the whole balance" refund -o csv 100001 69.50
is "$(f 1 balance)" 0.00 "balance 0.00"
exits 1 "a refund from a zero balance" refund -o csv 100001 0.01
exits 0 "a sale after that" sale -o csv 100001 10
exits 0 "refund it" refund -o csv 100001 10
is "$(f 1 balance)" 0.00 "balance 0.00 again"

# --- idempotent --ref ---------------------------------------------------

exits 0 "a refund with --ref" refund -o csv -m wechat --ref wxr-1 100002 8
ser=$(f 1 serial)
is "$(f 1 ref balance)" "wxr-1|190.00" "the ref is shown"
n_tx=$(ledger)
exits 0 "the same refund again" refund -o csv -m wechat --ref wxr-1 100002 8
is "$(f 1 serial amount balance)" "$ser|-8.00|190.00" "the replay prints the original row"
is "$(ledger)|$(bal 100002)" "$n_tx|190.00" "the replay writes nothing"
exits 65 "the same ref with another amount" refund -o csv -m wechat --ref wxr-1 100002 9
exits 65 "the same ref with another account" refund -o csv -m wechat --ref wxr-1 100003 8
exits 65 "the same ref for a sale" sale -o csv -m wechat --ref wxr-1 100002 8
is "$(ledger)|$(bal 100002)" "$n_tx|190.00" "the conflicts wrote nothing"

# --- the meter's own wallet ---------------------------------------------

sale 0101070722 50 >/dev/null 2>&1
exits 0 "a refund from a meter's own wallet: recorded, the recharge left pending" refund -o csv 0101070722 20
like "$T/err" '^refund: .*0101070722.*pending' "refund says the command is pending"
is "$(f 1 kind amount balance)" "refund|-20.00|30.00" "the row is printed"
is "$(bal 100004)" 30.00 "the refund is recorded: balance 30.00"

# --- batches ------------------------------------------------------------

printf 'account,amount,method\n100002,10,bank\n152201,20,\n100003,1000,\n' >list.csv
n_tx=$(ledger)
exits 65 "a list with one row above the refundable balance: all or nothing" refund -o csv -m card list.csv
like "$T/err" '^refund: line 4: .*refundable' "line 4 is reported"
is "$(ledger)|$(bal 100002 152201 100003)" "$n_tx|190.00|293.00|391.80" "nothing written"
exits 65 "the list with --each --rejects" refund -o csv -m card --each --rejects rj.csv list.csv
is "$(nrows "$T/out")" 2 "two refunds printed"
is "$(row "$T/out" 1 account amount method)|$(row "$T/out" 2 account amount method)" \
    "100002|-10.00|bank|152201|-20.00|card" "the two good rows, with their methods"
is "$(bal 100002 152201 100003)" "180.00|273.00|391.80" "the good rows are committed"
is "$(head -n 1 rj.csv)" "account,amount,method,error" "rejects: header plus error"
is "$(nrows rj.csv)|$(row rj.csv 1 account amount)" "1|100003|1000" "rejects: the row above the balance"
printf 'meter\tamount\n0101070723\t0\n' >zero.tsv
exits 65 "a TSV list with a zero amount" sh -c 'refund -o csv - <zero.tsv'
like "$T/err" '^refund: line 2: ' "line 2 is reported"

# --- receipts -----------------------------------------------------------

exits 0 "--receipt -" refund --receipt - 100002 10
report txns --account 100002 -o csv >tx.csv
like "$T/out" "票据号.*$(row tx.csv -1 serial)" "the receipt has the serial"
like "$T/out" '退电' "the receipt says 退电"
like "$T/out" '大写.*壹拾元整' "the receipt has 壹拾元整"
exits 0 "--copies 3" refund --receipt - --copies 3 100002 1
is "$(tr -cd '\f' <"$T/out" | wc -c | tr -d ' ')" 2 "three copies: two form feeds"
is "$(grep -c '第一联' "$T/out")|$(grep -c '第二联' "$T/out")|$(grep -c '第三联' "$T/out")" "1|1|1" \
    "the labels 第一联, 第二联, 第三联"
printf '@@SaleType @@SaleMoney @@AllMoney @@Balance @@BuyType\n' >t.tmpl
exits 0 "--template" refund --template t.tmpl --receipt - -m bank 100002 6.07
is "$(cat "$T/out")" "退电 6.07 陆元零柒分 162.93 银行" "the template's placeholders"

# --- a closed account ---------------------------------------------------

exits 0 "close account 100003" acct-close -o csv 100003
n_tx=$(ledger)
exits 1 "a refund on a closed account" refund -o csv --account 100003 1
like "$T/err" '100003.*closed' "the message says closed"
is "$(ledger)" "$n_tx" "nothing written"

exits 0 "report verify at the end" report verify -o csv
is "$($PY -c 'import csv,sys
r=list(csv.DictReader(open(sys.argv[1])))
print(len(r) > 0 and all(x["result"] == "ok" for x in r))' "$T/out")" True \
    "report verify: every check is ok"

done_testing
