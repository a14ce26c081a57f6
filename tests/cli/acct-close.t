#!/bin/sh
# acct-close: the payout, the refusals, the history, the freed meters.
. "$(dirname "$0")/lib.sh"

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
          - {meter: "0201000002", unit: 2, floor: 1, room: "252102", profile: sdm120, tariff: dorm}
EOF
site-load extra.yaml >/dev/null || echo "Bail out! site-load extra.yaml"
{
	acct-open -n 张三 --balance 50 0101070723 &&		# 100001
	acct-open -n 李四 010107072A &&			# 100002
	acct-open -n 王五 --balance 8 0201000001 0201000002	# 100003, two meters
} >/dev/null || echo "Bail out! acct-open"

# --- closing ------------------------------------------------------------

exits 0 "a sale of 25.50" sale -o csv 100001 25.50
exits 0 "close the account" acct-close -o csv 100001
closed_row=$(sed -n 2p "$T/out")
is "$(nrows "$T/out")" 1 "one row"
is "$(f 1 kind account name meter room amount method balance operator)" \
    "close|100001|张三|0101070723|152102|-75.50|cash|0.00|$login" \
    "a close row paying out 75.50 in cash, balance 0.00, with the meter it had"
close1=$(f 1 serial)
report balances --state closed -o csv >bc.csv
is "$(nrows bc.csv)|$(row bc.csv 1 account balance)" "1|100001|0.00" "report balances --state closed: 0.00"
report accounts --state closed -o csv >acc.csv
is "$(nrows acc.csv)" 1 "report accounts --state closed: one account"
is "$(row acc.csv 1 account state meter balance)" "100001|closed|0101070723|0.00" \
    "the closed account with the meter it had"
[ -n "$(row acc.csv 1 closed)" ]
ok $? "the closing time is set"
report balances --state open -o csv >bo.csv
is "$(cut -d, -f1 bo.csv | sed 1d | sort | tr '\n' ' ')" "100002 100003 " \
    "report balances --state open no longer lists it"

# --- refusals -----------------------------------------------------------

n_tx=$(ledger)
exits 1 "a closed account takes no sale" sale -o csv 100001 1
like "$T/err" '100001.*closed' "sale: the message says closed"
exits 1 "a closed account takes no refund" refund -o csv 100001 1
exits 1 "closing twice" acct-close -o csv 100001
like "$T/err" '^acct-close: .*100001.*already closed' "the message says already closed"
exits 65 "an unknown account" acct-close -o csv 999999
exits 65 "an unknown method" acct-close -o csv -m bitcoin 100002
exits 64 "no operand" acct-close -o csv
exits 64 "two operands" acct-close -o csv 100002 100003
is "$(ledger)" "$n_tx" "the refusals wrote nothing"
is "$(report accounts --state open -o csv | sed 1d | cut -d, -f1 | sort | tr '\n' ' ')" "100002 100003 " \
    "100002 and 100003 are still open"

# --- the history --------------------------------------------------------

report txns --account 100001 -o csv >h.csv
is "$(nrows h.csv)" 3 "report txns --account: the closed account's three rows"
is "$(row h.csv 1 kind amount)|$(row h.csv 2 kind amount)|$(row h.csv 3 kind amount serial)" \
    "open|50.00|sale|25.50|close|-75.50|$close1" "open 50.00, sale 25.50, close -75.50"
is "$(row h.csv 3 meter room)" "0101070723|152102" \
    "the close row in the history still names the account's meter and room"
is "$(sed -n 4p h.csv)" "$closed_row" "the history shows the close row as acct-close printed it"
report txns --meter 0101070723 -o csv >hm.csv
is "$(nrows hm.csv)" 3 "report txns --meter finds the closed account's rows"
report txns --kind close -o csv >hk.csv
is "$(nrows hk.csv)|$(row hk.csv 1 serial)" "1|$close1" "report txns --kind close"

# --- the freed meter ----------------------------------------------------

exits 0 "the freed meter opens on a new account" acct-open -o csv -n 新人 0101070723
is "$(f 1 account meter balance)" "100004|0101070723|0.00" "account 100004 has the meter"
exits 0 "a sale by the meter now goes to the new account" sale -o csv 0101070723 5
is "$(f 1 account balance)" "100004|5.00" "balance 5.00 on 100004"

# --- a zero balance, several meters, --ref, methods ---------------------

exits 0 "close an account with a zero balance" acct-close -o csv 100002
is "$(f 1 kind amount balance)" "close|0.00|0.00" "the close row is 0.00"

exits 0 "close with --ref and -m bank" acct-close -o csv --ref close-3 -m bank --remark 毕业 100003
orig=$(sed -n 2p "$T/out")
ser3=$(f 1 serial)
is "$(f 1 amount method ref remark meter room)" "-8.00|bank|close-3|毕业|0201000001;0201000002|252101;252102" \
    "both meters and rooms, bank, the ref and remark"
n_tx=$(ledger)
exits 0 "the same close again with the same ref" acct-close -o csv --ref close-3 -m bank --remark 毕业 100003
is "$(f 1 serial)" "$ser3" "the replay prints the original serial"
is "$(sed -n 2p "$T/out")" "$orig" "the replay prints the original row unchanged"
is "$(ledger)" "$n_tx" "the replay writes nothing"
exits 65 "the ref used for another account" acct-close -o csv --ref close-3 100004
is "$(ledger)|$(bal 100004)" "$n_tx|5.00" "nothing written"
exits 0 "both freed meters can be opened again" acct-open -o csv -n 再来 0201000001 0201000002

# --- receipts -----------------------------------------------------------

exits 0 "close with --receipt -" acct-close --receipt - 100004
report txns --account 100004 -o csv >tx.csv
like "$T/out" "票据号.*$(row tx.csv -1 serial)" "the receipt has the serial"
like "$T/out" '销户' "the receipt says 销户"
like "$T/out" '伍元整' "the receipt has 伍元整"
unlike "$T/out" '^serial,' "no rows on stdout"

exits 0 "report verify at the end" report verify -o csv
is "$($PY -c 'import csv,sys
r=list(csv.DictReader(open(sys.argv[1])))
print(len(r) > 0 and all(x["result"] == "ok" for x in r))' "$T/out")" True \
    "report verify: every check is ok"

done_testing
