#!/bin/sh
# reverse: undoing sales, refunds, opens and closes; the refusals; lists.
. "$(dirname "$0")/lib.sh"

state() {
	report accounts -o csv >acc.csv
	$PY -c 'import csv,sys
b={r["account"]: r["state"] + ":" + r["meter"] for r in csv.DictReader(open("acc.csv", encoding="utf-8"))}
print(b.get(sys.argv[1], "none"))' "$1"
}
verify_ok() {
	exits 0 "report verify $1" report verify -o csv
	is "$($PY -c 'import csv,sys
r=list(csv.DictReader(open(sys.argv[1])))
print(len(r) > 0 and all(x["result"] == "ok" for x in r))' "$T/out")" True \
	    "report verify $1: every check is ok"
}
login=$(id -un)

load_site
cat >extra.yaml <<'EOF'
buildings:
  - name: 2号楼
    gateways:
      - name: gw3
        address: tcp://127.0.0.1:1503
        meters:
          - {meter: "0201000001", unit: 1, floor: 1, room: "252101", profile: sdm120, tariff: dorm}
EOF
site-load extra.yaml >/dev/null || echo "Bail out! site-load extra.yaml"
{
	acct-open -n 张三 --balance 100 0101070723 &&	# 100001
	acct-open -n 李四 --balance 12.50 010107072A &&	# 100002
	acct-open -n 孙八 0201000001			# 100003
} >/dev/null || echo "Bail out! acct-open"
acct-open -n 钱七 0101070722 >/dev/null 2>&1		# 100004, the meter's wallet

# --- a sale -------------------------------------------------------------

exits 0 "a sale of 50" sale -o csv 100001 50
s1=$(f 1 serial)
is "$(f 1 balance)" 150.00 "balance 150.00"
exits 0 "reverse it" reverse -o csv --reason oops "$s1"
r1=$(f 1 serial)
is "$(f 1 kind account amount method balance reverses remark operator)" \
    "reverse|100001|-50.00|cash|100.00|$s1|oops|$login" \
    "a reverse row: -50.00, the sale's method, the balance back to 100.00, reverses, the reason"
is "$r1" "$(printf '%s%06d' "$(echo "$s1" | cut -c1-8)" $(( $(echo "$s1" | cut -c9-14 | sed 's/^0*//') + 1 )))" \
    "the reversal has the next serial"
is "$(bal 100001)" 100.00 "report balances: 100.00"

n_tx=$(ledger)
exits 1 "reverse the same sale twice" reverse -o csv "$s1"
like "$T/err" "^reverse: .*$s1.*already reversed.*$r1" "the message names the reversal"
exits 1 "reverse a reversal" reverse -o csv "$r1"
like "$T/err" "^reverse: .*$r1.*reversal" "the message says it is a reversal"
exits 65 "an unknown serial" reverse -o csv 20000101999999
like "$T/err" '20000101999999' "the message names the serial"
exits 66 "an operand that is not a serial is a list, and it is missing" reverse -o csv 123
exits 64 "no operand" reverse -o csv
is "$(ledger)|$(bal 100001)" "$n_tx|100.00" "the refusals wrote nothing"

exits 0 "a wechat sale" sale -o csv -m wechat 100001 20
exits 0 "reverse the wechat sale" reverse -o csv "$(f 1 serial)"
is "$(f 1 amount method balance)" "-20.00|wechat|100.00" "the reversal keeps the method"

# --- a refund -----------------------------------------------------------

exits 0 "a refund of 30" refund -o csv 100001 30
exits 0 "reverse the refund" reverse -o csv "$(f 1 serial)"
is "$(f 1 kind amount balance)" "reverse|30.00|100.00" "the money goes back: +30.00, balance 100.00"

# --- an opening balance -------------------------------------------------

report txns --account 100002 --kind open -o csv >tx.csv
exits 0 "reverse an open row" reverse -o csv "$(row tx.csv 1 serial)"
is "$(f 1 amount balance)" "-12.50|0.00" "the opening balance is taken off"
is "$(state 100002)" "open:010107072A" "the account stays open"

# --- a close ------------------------------------------------------------

exits 0 "a sale of 40" sale -o csv 100002 40
sale40=$(f 1 serial)
exits 0 "close the account" acct-close -o csv 100002
close=$(f 1 serial)
is "$(f 1 amount)" -40.00 "the close pays out 40.00"
is "$(state 100002)" "closed:010107072A" "the account is closed"
n_tx=$(ledger)
exits 1 "reverse a sale of a closed account" reverse -o csv "$sale40"
like "$T/err" '100002.*closed' "the message says closed"
is "$(ledger)" "$n_tx" "nothing written"
exits 0 "reverse the close" reverse -o csv --reason "closed by mistake" "$close"
is "$(f 1 kind amount balance reverses)" "reverse|40.00|40.00|$close" "the payout is put back"
is "$(state 100002)" "open:010107072A" "the account is open again, with its meter"
is "$(bal 100002)" 40.00 "report balances: 40.00"
exits 0 "the reopened account takes money" sale -o csv 010107072A 1
is "$(f 1 account balance)" "100002|41.00" "balance 41.00"

exits 0 "close account 100003" acct-close -o csv 100003
close3=$(f 1 serial)
exits 0 "open its meter on a new account" acct-open -o csv -n 新人 0201000001
n_tx=$(ledger)
exits 1 "reverse a close whose meter has moved on" reverse -o csv "$close3"
like "$T/err" '0201000001' "the message names the meter"
is "$(ledger)|$(state 100003)" "$n_tx|closed:0201000001" "nothing written; still closed"

# --- the meter's own wallet ---------------------------------------------

sale -o csv 0101070722 50 >sold.csv 2>/dev/null
exits 0 "reverse a sale to a meter's own wallet: recorded, the command pending" \
    reverse -o csv "$(row sold.csv 1 serial)"
like "$T/err" '^reverse: .*0101070722.*pending' "reverse says the command is pending"
is "$(f 1 amount balance)" "-50.00|0.00" "the reversal is recorded"
is "$(bal 100004)" 0.00 "report balances: 0.00"

# --- receipts -----------------------------------------------------------

exits 0 "a sale of 10" sale -o csv 100001 10
exits 0 "reverse with --receipt -" reverse --receipt - --reason 录错 "$(f 1 serial)"
report txns --account 100001 -o csv >tx.csv
like "$T/out" "票据号.*$(row tx.csv -1 serial)" "the receipt has the reversal's serial"
like "$T/out" '冲正' "the receipt says 冲正"
like "$T/out" '壹拾元整' "the receipt has 壹拾元整"
like "$T/out" '录错' "the receipt has the reason"
unlike "$T/out" '^serial,' "no rows on stdout"

verify_ok "on the main database"

# --- lists, in a database of their own ----------------------------------

export PREPAY_DB="$(db_new list)"
load_site
acct-open -n 甲 0101070723 >/dev/null && acct-open -n 乙 010107072A >/dev/null
sale 100001 1 >/dev/null && sale 100001 2 >/dev/null && sale 100002 3 >/dev/null &&
    refund 100002 1 >/dev/null || echo "Bail out! the list database"
exits 0 "report txns --kind sale --operator LOGIN | reverse -" \
    sh -c "report txns --kind sale --operator $login -o csv | reverse -o csv --reason batch -"
is "$(nrows "$T/out")" 3 "three reversals printed"
is "$(row "$T/out" 1 amount remark)|$(row "$T/out" 2 amount)|$(row "$T/out" 3 amount)" \
    "-1.00|batch|-2.00|-3.00" "each sale is reversed"
is "$(bal 100001 100002)" "0.00|-1.00" "the sales are undone; the refund stays (2.00 - 3.00)"
n_tx=$(ledger)
exits 65 "every row of the login again: all or nothing" \
    sh -c "report txns --operator $login -o csv | reverse -o csv -"
like "$T/err" '^reverse: line 4: .*already reversed' "line 4, a reversed sale, is reported"
like "$T/err" '^reverse: line 8: .*reversal' "line 8, a reversal, is reported"
is "$(ledger)" "$n_tx" "nothing written"
report txns --operator "$login" -o csv >all.csv
exits 65 "the same with --each --rejects" reverse -o csv --each --rejects rj.csv all.csv
is "$(nrows "$T/out")" 3 "the two opens and the refund are reversed"
is "$(row "$T/out" 3 amount balance)" "1.00|0.00" "the refund's reversal puts 1.00 back"
is "$(nrows rj.csv)" 6 "rejects: the three sales and three reversals"
is "$(head -n 1 rj.csv)" "serial,time,kind,account,name,meter,room,amount,method,balance,buy_count,ref,reverses,operator,remark,error" \
    "rejects: the input header plus error"
is "$(row rj.csv 1 kind)|$(row rj.csv 4 kind)" "sale|reverse" "rejects: sales first, then reversals"
printf 'account\n100001\n' >noserial.csv
exits 65 "a list without a serial column" reverse -o csv noserial.csv
verify_ok "on the list database"

done_testing
