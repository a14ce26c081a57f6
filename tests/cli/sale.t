#!/bin/sh
# sale: targets, amounts, rules, methods, --ref, batches and receipts.
. "$(dirname "$0")/lib.sh"

# The clock is fixed, so that "today" holds however long the run takes,
# across midnight too: 2026-03-10 12:00:00 in Shanghai.
export PREPAY_NOW=1773115200

today=20260310
login=$(id -un)

# The fixture (1号楼) plus a second building whose room 152102 is also a
# room of 1号楼.
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
          - {meter: "0201000003", unit: 3, floor: 1, room: "252102", profile: sdm120, tariff: dorm}
EOF
site-load extra.yaml >/dev/null || echo "Bail out! site-load extra.yaml"
{
	acct-open -n 张三 0101070723 &&		# 100001, 1号楼/152102
	acct-open -n 李四 010107072A &&		# 100002, 152201
	acct-open -a 152201 -n 王五 0201000002 &&	# 152201, 2号楼/252101
	acct-open -n 赵六 0201000001 &&		# 100003, 2号楼/152102
	acct-open -n 孙八 0201000003		# 100004, 2号楼/252102
} >/dev/null || echo "Bail out! acct-open"
acct-open -n 钱七 0101070722 >/dev/null 2>&1	# 100005, billed to the meter; its recharge pending

# --- targets ------------------------------------------------------------

exits 0 "sale by account number" sale -o csv 100001 30
is "$(head -n 1 "$T/out")" "serial,time,kind,account,name,meter,room,amount,method,balance,buy_count,ref,reverses,operator,remark" \
    "the entry columns"
is "$(nrows "$T/out")" 1 "one row"
is "$(f 1 serial kind account name meter room amount method balance buy_count operator)" \
    "${today}000007|sale|100001|张三|0101070723|152102|30.00|cash|30.00|1|$login" \
    "serial after the 6 open rows, kind, account, amount, cash, balance 30.00, count 1, operator"
exits 0 "sale by meter number" sale -o csv 0101070723 10.50
is "$(f 1 serial account amount balance buy_count)" "${today}000008|100001|10.50|40.50|2" "the next serial, balance 40.50"

n_tx=$(ledger)
exits 65 "an account number that is another account's room is ambiguous" sale -o csv 152201 5
like "$T/err" '^sale: .*152201.*ambiguous' "the message says it is ambiguous"
like "$T/err" 'account 152201.*王五' "the candidates: account 152201 (王五)"
like "$T/err" '100002.*李四' "the candidates: account 100002 (李四) by room"
exits 0 "--account forces the account number" sale -o csv --account 152201 5
is "$(f 1 account name balance)" "152201|王五|5.00" "the sale went to account 152201"
exits 0 "--room forces the room" sale -o csv --room 152201 5
is "$(f 1 account name room balance)" "100002|李四|152201|5.00" "the sale went to the room's account"

exits 65 "a room in two buildings is ambiguous" sale -o csv 152102 1
like "$T/err" '100001' "the candidates list 100001"
like "$T/err" '100003' "the candidates list 100003"
exits 0 "BUILDING/ROOM picks one building" sale -o csv 1号楼/152102 1
is "$(f 1 account balance)" "100001|41.50" "1号楼/152102 is account 100001"
exits 0 "BUILDING/ROOM in the other building" sale -o csv 2号楼/152102 2
is "$(f 1 account meter balance)" "100003|0201000001|2.00" "2号楼/152102 is account 100003"
exits 0 "--room BUILDING/ROOM" sale -o csv --room 2号楼/152102 2
is "$(f 1 account balance)" "100003|4.00" "balance 4.00"
exits 0 "--meter" sale -o csv --meter 0201000002 3
is "$(f 1 account balance)" "152201|8.00" "--meter 0201000002 is account 152201"

exits 65 "--meter with an account number" sale -o csv --meter 100001 1
exits 65 "--account with a meter number" sale -o csv --account 0101070723 1
exits 65 "--room with an account number" sale -o csv --room 100001 1
exits 65 "an unknown target" sale -o csv nosuch 1
like "$T/err" '^sale: .*nosuch' "the message names the target"
exits 65 "an unknown building" sale -o csv 9号楼/152102 1
exits 64 "two forced forms" sale -o csv --account --meter 100001 1
exits 64 "one operand too many" sale -o csv 100001 1 2
is "$(ledger)" $((n_tx + 6)) "only the six good sales were written"

# --- amounts ------------------------------------------------------------

n_tx=$(ledger)
for a in 12.345 1e3 1,000 '' abc 5000.01 0 0.00 +5 '1 0' '１２．３４５'; do
	exits 65 "amount \"$a\" is bad input" sale -o csv 100001 "$a"
done
exits 65 "amount -5 is bad input" sale -o csv 100001 -5
like "$T/err" '^sale: .*-5' "the message names the amount"
exits 65 "amount -5 after -- is bad input" sale -o csv -- 100001 -5
like "$T/err" '^sale: .*"-5"' "the message quotes the amount"
exits 65 "12.345 is bad input" sale -o csv 100001 12.345
is "$(cat "$T/err")" 'sale: amount "12.345": more than 2 decimals' "the message for 12.345"
is "$(ledger)" "$n_tx" "no bad amount wrote anything"
exits 0 "full-width digits and point" sale -o csv 100003 １２．３０
is "$(f 1 amount balance)" "12.30|16.30" "１２．３０ is 12.30"
exits 0 "an amount without decimals" sale -o csv 100003 7
is "$(f 1 amount balance)" "7.00|23.30" "7 is 7.00"
exits 0 "one decimal" sale -o csv 100003 0.7
is "$(f 1 amount balance)" "0.70|24.00" "0.7 is 0.70"

# --- methods ------------------------------------------------------------

for m in cash wechat alipay card bank transfer; do
	exits 0 "method $m" sale -o csv -m $m 100003 1
	is "$(f 1 method)" $m "the row has method $m"
done
is "$(bal 100003)" 30.00 "six sales of 1.00: balance 30.00"
exits 65 "an unknown method" sale -o csv -m bitcoin 100003 1
is "$(bal 100003)" 30.00 "the unknown method wrote nothing"

# --- idempotent --ref ---------------------------------------------------

exits 0 "a sale with --ref" sale -o csv -m wechat --ref wx-4200001 100003 8
ser=$(f 1 serial)
is "$(f 1 ref balance)" "wx-4200001|38.00" "the ref is shown; balance 38.00"
n_tx=$(ledger)
exits 0 "the same request again" sale -o csv -m wechat --ref wx-4200001 100003 8
is "$(f 1 serial ref amount balance)" "$ser|wx-4200001|8.00|38.00" "the replay prints the original serial"
is "$(ledger)|$(bal 100003)" "$n_tx|38.00" "the replay writes nothing"
exits 65 "the same ref with another amount" sale -o csv -m wechat --ref wx-4200001 100003 9
exits 65 "the same ref with another account" sale -o csv -m wechat --ref wx-4200001 100001 8
exits 65 "the same ref for a refund" refund -o csv -m wechat --ref wx-4200001 100003 8
is "$(ledger)|$(bal 100003 100001)" "$n_tx|38.00|41.50" "the conflicting refs write nothing"

# --- the meter's own wallet ---------------------------------------------

exits 0 "a sale to a meter billed as meter: recorded, the recharge left pending" sale -o csv 0101070722 20
like "$T/err" '^sale: .*0101070722.*pending' "sale says the recharge is pending"
is "$(f 1 kind account meter amount balance)" "sale|100005|0101070722|20.00|20.00" \
    "the row is printed with the new balance"
is "$(bal 100005)" 20.00 "the money is recorded: balance 20.00"
report txns --account 100005 --kind sale -o csv >tx.csv
is "$(row tx.csv -1 amount)" 20.00 "report txns has the sale"

# --- batch: the monthly subsidy -----------------------------------------

# Every open account but the meter-wallet one gets 30.
subsidy() {
	report balances --state open -o csv |
	    awk -F, 'NR == 1 { print "account,amount"; next }
		$4 != "0101070722" { print $1 ",30" }' >"$1"
}
subsidy sub.csv
is "$(nrows sub.csv)" 5 "the subsidy list has the 5 account-billed open accounts"
before=$(bal 100001 100002 152201 100003 100004)
is "$before" "41.50|5.00|8.00|38.00|0.00" "the balances before the subsidy"
exits 0 "the subsidy batch: report balances | awk | sale -" sh -c \
    'report balances --state open -o csv |
    awk -F, '\''NR == 1 { print "account,amount"; next } $4 != "0101070722" { print $1 ",30" }'\'' |
    sale -o csv -'
is "$(nrows "$T/out")" 5 "five sales printed"
is "$(row "$T/out" 1 kind amount)|$(row "$T/out" -1 kind amount)" "sale|30.00|sale|30.00" "each row is a sale of 30.00"
is "$(bal 100001 100002 152201 100003 100004)" "71.50|35.00|38.00|68.00|30.00" "every account got 30"

# --- max_balance --------------------------------------------------------

exits 0 "a sale up to max_balance exactly" sale -o csv 100002 1965
is "$(f 1 balance)" 2000.00 "balance 2000.00"
n_tx=$(ledger)
exits 1 "a sale above max_balance" sale -o csv 100002 0.01
like "$T/err" '^sale: .*2000\.01.*max_balance 2000\.00' "the message gives the balance and the limit"
is "$(ledger)|$(bal 100002)" "$n_tx|2000.00" "nothing written"

# --- batch: all or nothing against --each -------------------------------

subsidy sub2.csv
line=$(awk -F, '$1 == "100002" { print NR }' sub2.csv)
n_tx=$(ledger)
exits 65 "a subsidy with one row above max_balance: all or nothing" sale -o csv sub2.csv
like "$T/err" "^sale: line $line: .*max_balance" "the bad row is reported with its line number"
is "$(nrows "$T/out")" 0 "no sale printed"
is "$(ledger)|$(bal 100001 100002 152201 100003 100004)" "$n_tx|71.50|2000.00|38.00|68.00|30.00" "nothing written"
exits 65 "the same with --each --rejects" sh -c 'sale -o csv --each --rejects rj.csv - <sub2.csv'
is "$(nrows "$T/out")" 4 "four sales printed"
is "$(bal 100001 100002 152201 100003 100004)" "101.50|2000.00|68.00|98.00|60.00" "the four good rows are committed"
is "$(head -n 1 rj.csv)" "account,amount,error" "rejects: the input header plus error"
is "$(nrows rj.csv)" 1 "rejects: one row"
is "$(row rj.csv 1 account amount)" "100002|30" "rejects: the account above the limit"
like rj.csv 'max_balance' "rejects: the error gives the reason"

printf 'meter,amount,method,ref\n0101070723,1,alipay,b-1\n0201000001,2,,b-2\n' >bym.csv
exits 0 "a batch by meter, with methods and refs" sale -o csv -m card bym.csv
is "$(row "$T/out" 1 account method amount)|$(row "$T/out" 2 account method amount)" \
    "100001|alipay|1.00|100003|card|2.00" "the meter column; a row's method, else -m"
first=$(cut -d, -f1 "$T/out")
n_tx=$(ledger)
exits 0 "the batch with refs again" sale -o csv -m card bym.csv
is "$(cut -d, -f1 "$T/out")" "$first" "the rerun prints the original serials"
is "$(ledger)" "$n_tx" "the rerun sells nothing twice"
printf 'room\tamount\n1号楼/152102\t1\n2号楼/252101\t1\n' >byroom.tsv
exits 0 "a TSV batch by room" sale -o csv byroom.tsv
is "$(row "$T/out" 1 account)|$(row "$T/out" 2 account)" "100001|152201" "the room column"
printf 'account,amount\n100001,1\n100003,1.001\n100001,x\n' >badamt.csv
n_tx=$(ledger)
exits 65 "a batch with bad amounts" sale -o csv badamt.csv
like "$T/err" '^sale: line 3: amount "1\.001"' "line 3 is reported"
like "$T/err" '^sale: line 4: amount "x"' "line 4 is reported"
is "$(ledger)" "$n_tx" "nothing written"
printf 'account,amount\n100003,1000\n100003,1000\n' >twice.csv
before=$(bal 100003)
exits 65 "two rows that together pass max_balance" sale -o csv twice.csv
like "$T/err" '^sale: line 3: .*max_balance' "the second row is refused: the rows add up"
unlike "$T/err" 'line 2:' "the first row alone is fine"
is "$(bal 100003)" "$before" "nothing written"
exits 66 "a missing list" sale -o csv nosuch.csv
# A list without a method: cash, and sale says so; -m or a column is heard.
printf 'account,amount\n100001,1\n' >nomethod.csv
exits 0 "a list without a method" sale -o csv nomethod.csv
like "$T/err" '^sale: rows without a method were taken as cash' \
    "sale says the rows were taken as cash"
is "$(f 1 method)" cash "booked as cash"
exits 0 "the same list with -m transfer" sale -o csv -m transfer nomethod.csv
is "$(f 1 method)" transfer "booked as transfer"
is "$(wc -c <"$T/err" | tr -d ' ')" 0 "and nothing said"
printf 'account,amount,method\n100001,1,bank\n' >withmethod.csv
exits 0 "a list with a method column" sale -o csv withmethod.csv
is "$(f 1 method)" bank "booked as the column says"
is "$(wc -c <"$T/err" | tr -d ' ')" 0 "and nothing said"
# The amount forgotten at the window: a usage error that says so.
n=$(ledger)
exits 64 "an account and no amount" sale -o csv 100001
like "$T/err" '^sale: 100001: the amount is missing [(]sale TARGET AMOUNT[)]' \
    "the message says the amount is missing"
exits 64 "a room and no amount" sale -o csv 2号楼/152102
is "$(ledger)" "$n" "nothing written"
exits 64 "--ref with a list" sale -o csv --ref r bym.csv

# --- receipts -----------------------------------------------------------

exits 0 "--receipt -" sale --receipt - 100001 30
report txns --account 100001 -o csv >tx.csv
rs=$(row tx.csv -1 serial)
like "$T/out" "票据号.*$rs" "the receipt has 票据号 and the serial"
like "$T/out" '大写.*叁拾元整' "the receipt has 大写 叁拾元整"
like "$T/out" '30\.00' "the receipt has the amount"
like "$T/out" '售电' "the receipt says 售电"
like "$T/out" '张三' "the receipt has the name"
like "$T/out" '示例校区' "the receipt has the site name"
unlike "$T/out" '^serial,' "--receipt - prints the receipt instead of the rows"

exits 0 "--copies 3" sale --receipt - --copies 3 100001 1
is "$(tr -cd '\f' <"$T/out" | wc -c | tr -d ' ')" 2 "three copies: two form feeds"
report txns --account 100001 -o csv >tx.csv
rs=$(row tx.csv -1 serial)
is "$(grep -o "$rs" "$T/out" | wc -l | tr -d ' ')" 3 "the serial is on each copy"
is "$(grep -c '第一联' "$T/out")|$(grep -c '第二联' "$T/out")|$(grep -c '第三联' "$T/out")" "1|1|1" \
    "the labels 第一联, 第二联, 第三联"
is "$(awk 'BEGIN { RS = "\f" } { if (/第一联/) print NR ":1"; if (/第二联/) print NR ":2"; if (/第三联/) print NR ":3" }' "$T/out" | tr '\n' ' ')" \
    "1:1 2:2 3:3 " "each copy has its own label, in order"

cat >t.tmpl <<'EOF'
ID=@@UserID|SN=@@BillSN|ALL=@@AllMoney|N=@@LastTimes|BAL=@@Balance|NAME=@@UserName|T=@@SaleType|M=@@MeterID|R=@@RoomID|B=@@BuyType|S=@@SaleMoney|C=@@CreateName|RM=@@Remark
EOF
exits 0 "--template" sale --template t.tmpl --receipt - -m alipay --remark 备注X 100003 16.02
report txns --account 100003 -o csv >tx.csv
is "$(cat "$T/out")" "ID=100003|SN=$(row tx.csv -1 serial)|ALL=壹拾陆元零贰分|N=$(row tx.csv -1 buy_count)|BAL=$(row tx.csv -1 balance)|NAME=赵六|T=售电|M=0201000001|R=152102|B=支付宝|S=16.02|C=$login|RM=备注X" \
    "every placeholder is replaced"
is "$(row tx.csv -1 balance)" 116.02 "the balance is 116.02"
printf '@@AllMoney\n' >upper.tmpl
exits 0 "1409.50 in uppercase" sale --template upper.tmpl --receipt - --account 152201 1409.50
is "$(cat "$T/out")" "壹仟肆佰零玖元伍角" "1409.50 is 壹仟肆佰零玖元伍角"
exits 0 "--receipt FILE keeps the rows on stdout" sale -o csv --template t.tmpl --receipt rc.txt 100003 10
is "$(f 1 amount balance)" "10.00|126.02" "the row is printed"
like rc.txt "SN=$(f 1 serial)\\|ALL=壹拾元整" "and the receipt is in the file"
n_tx=$(ledger)
exits 66 "a missing template" sale --template nosuch.tmpl --receipt - 100003 1
exits 64 "--copies 10" sale --copies 10 --receipt - 100003 1
exits 64 "--copies 0" sale --copies 0 --receipt - 100003 1
is "$(ledger)" "$n_tx" "the bad receipt options wrote nothing"

# --- a closed account ---------------------------------------------------

exits 0 "close account 100004" acct-close -o csv 100004
n_tx=$(ledger)
exits 1 "a sale to a closed account" sale -o csv 100004 1
like "$T/err" '100004.*closed' "the message says the account is closed"
exits 65 "a sale to the meter of a closed account (no open account)" sale -o csv 0201000003 1
is "$(ledger)" "$n_tx" "nothing written"

exits 0 "report verify at the end" report verify -o csv
is "$($PY -c 'import csv,sys
r=list(csv.DictReader(open(sys.argv[1])))
print(len(r) > 0 and all(x["result"] == "ok" for x in r))' "$T/out")" True \
    "report verify: every check is ok"

done_testing
