#!/bin/sh
# acct-open: the single form, --add-meter, batches, idempotent --ref.
. "$(dirname "$0")/lib.sh"

# The clock is fixed, so that "today" holds however long the run takes,
# across midnight too: 2026-03-10 12:00:00 in Shanghai.
export PREPAY_NOW=1773115200

# A site with 20 meters on one gateway: M01..M19 billed to the account,
# M20 with its own wallet.  M18's room's name holds M19's.
{
	cat <<'EOF'
site: 测试校区
defaults:
  max_balance: 2000.00
  max_sale: 5000.00
tariffs:
  dorm: {price: 0.5380}
buildings:
  - name: 2号楼
    gateways:
      - name: g1
        address: tcp://127.0.0.1:1502
        meters:
EOF
	i=1
	while [ $i -le 20 ]; do
		billing=account profile=sdm120
		[ $i -eq 20 ] && billing=meter profile=prepay-1p
		room=$(printf R%02d $i)
		[ $i -eq 18 ] && room=R171
		[ $i -eq 19 ] && room=R17
		printf '          - {meter: "M%02d", unit: %d, floor: 1, room: "%s", profile: %s, tariff: dorm, billing: %s}\n' \
		    $i $i "$room" $profile $billing
		i=$((i + 1))
	done
} >site.yaml
site-load site.yaml >/dev/null || echo "Bail out! site-load failed"

# A quick python for parsing CSV (the pyenv shim, when there is one, is slow).
today=20260310
accounts() { report accounts -o csv >acc.csv && nrows acc.csv; }

# --- single form --------------------------------------------------------

exits 0 "open an account with a generated number" acct-open -o csv -n 张三 M01
is "$(head -n 1 "$T/out")" "account,name,phone,meter,room,balance,serial,time,ref" "the output header"
is "$(nrows "$T/out")" 1 "one row"
is "$(f 1 account)" 100001 "the first generated account number is 100001"
is "$(f 1 name meter room balance)" "张三|M01|R01|0.00" "name, meter, room, balance 0.00"
is "$(f 1 serial)" "${today}000001" "the open row has the first serial of the day"

exits 0 "open a second account" acct-open -o csv -n 李四 M02
is "$(f 1 account)" 100002 "the next generated number is 100002"
is "$(f 1 serial)" "${today}000002" "the next serial"

exits 0 "-a, -p, --balance and two meters" acct-open -o csv -a X-9 -n 王五 -p '+86 138-0000' --balance 12.50 M03 M04
is "$(f 1 account phone meter room balance)" \
    "X-9|+86 138-0000|M03;M04|R03;R04|12.50" "the given number, phone, both meters, balance 12.50"
s3=$(f 1 serial)
report txns --account X-9 -o csv >tx.csv
is "$(nrows tx.csv)" 1 "report txns: one row for X-9"
is "$(row tx.csv 1 kind amount method balance serial)" \
    "open|12.50|transfer|12.50|$s3" "an open row of 12.50, method transfer, with the printed serial"
report txns --account 100001 -o csv >tx.csv
is "$(row tx.csv 1 kind amount)" "open|0.00" "without --balance the open row is 0.00"

exits 0 "-m card for the opening balance" acct-open -o csv -n 孙 -m card --balance 1 M05
report txns --account "$(f 1 account)" -o csv >tx.csv
is "$(row tx.csv 1 method)" card "the open row has method card"

# --- refusals -----------------------------------------------------------

n_acc=$(accounts)
n_tx=$(ledger)
exits 1 "a meter already on an open account" acct-open -o csv -n 重复 M01
like "$T/err" '^acct-open: .*M01.*100001' "the message names the meter and its account"
exits 1 "one of two meters already taken" acct-open -o csv -n 重复 M06 M02
exits 65 "an unknown meter" acct-open -o csv -n 重复 M99
like "$T/err" 'M99' "the message names the unknown meter"
exits 65 "an account number that exists" acct-open -o csv -a X-9 -n 重复 M06
exits 65 "an empty name" acct-open -o csv -n '' M06
exits 65 "a bad phone" acct-open -o csv -n 重复 -p abc M06
exits 65 "a bad account number" acct-open -o csv -a 'a b' -n 重复 M06
exits 65 "an opening balance with 3 decimals" acct-open -o csv -n 重复 --balance 12.345 M06
exits 65 "an opening balance with a minus sign" acct-open -o csv -n 重复 --balance=-5 M06
exits 65 "an unknown method" acct-open -o csv -n 重复 -m bogus --balance 1 M06
exits 64 "-n without a meter" acct-open -o csv -n 重复
exits 66 "no -n: the operand is a list, and M06 is no file" acct-open -o csv M06
is "$(accounts)" "$n_acc" "no account was opened by the refusals"
is "$(ledger)" "$n_tx" "no ledger row was written by the refusals"

# --- --add-meter --------------------------------------------------------

exits 0 "--add-meter" acct-open -o csv --add-meter X-9 M06
is "$(f 1 account meter room balance)" "X-9|M03;M04;M06|R03;R04;R06|12.50" \
    "--add-meter shows the account with its three meters"
is "$(ledger)" "$n_tx" "--add-meter writes no ledger row"
exits 1 "--add-meter with a meter that is taken" acct-open -o csv --add-meter X-9 M01
exits 65 "--add-meter to an unknown account" acct-open -o csv --add-meter NOPE M07
exits 65 "--add-meter with an unknown meter" acct-open -o csv --add-meter X-9 M99
exits 0 "close account 100002" acct-close -o csv 100002
exits 1 "--add-meter to a closed account" acct-open -o csv --add-meter 100002 M07
like "$T/err" '100002.*closed' "the message says the account is closed"
exits 0 "the closed account's meter is free again" acct-open -o csv -n 周 M02

# --- idempotent --ref ---------------------------------------------------

exits 0 "open with --ref" acct-open -o csv -n 赵 --ref REF-1 --balance 5 M07
acc=$(f 1 account)
ser=$(f 1 serial)
is "$(f 1 ref)" REF-1 "the ref is shown"
n_acc=$(accounts)
n_tx=$(ledger)
exits 0 "the same request again" acct-open -o csv -n 赵 --ref REF-1 --balance 5 M07
is "$(f 1 account serial balance)" "$acc|$ser|5.00" "the replay prints the original account and serial"
is "$(accounts)|$(ledger)" "$n_acc|$n_tx" "the replay writes nothing"
exits 65 "the same ref with another balance" acct-open -o csv -n 赵 --ref REF-1 --balance 6 M07
exits 65 "the same ref with another account number" acct-open -o csv -a Z-1 -n 赵 --ref REF-1 --balance 5 M07
is "$(accounts)|$(ledger)" "$n_acc|$n_tx" "the conflicting refs write nothing"

# --- the meter's own wallet ---------------------------------------------

exits 0 "an opening balance for a meter-wallet meter: recorded, its recharge pending" \
    acct-open -o csv -n 钱 --balance 20 M20
like "$T/err" 'pending' "acct-open says the recharge is pending"
is "$(f 1 meter balance)" "M20|20.00" "the account is opened all the same"
report balances -o csv >bal.csv
$PY -c 'import csv,sys
r=[x for x in csv.DictReader(open("bal.csv")) if x["meter"] == "M20"]
print(r[0]["balance"] if r else "none")' >b.txt
is "$(cat b.txt)" 20.00 "report balances shows 20.00 for it"

# --- batch: CSV file and TSV on stdin -----------------------------------

cat >good.csv <<'EOF'
account,name,phone,meter,balance,ref,notes
,甲,13900000001,M08;M09,1.00,,ignored
B-2,乙,,M10,2,,
,丙,,M11,,,
EOF
n_acc=$(accounts)
exits 0 "batch from a CSV file" acct-open -o csv good.csv
is "$(nrows "$T/out")" 3 "three accounts printed"
is "$(f 1 name meter room balance phone)" "甲|M08;M09|R08;R09|1.00|13900000001" \
    "row 1: two meters from one field"
is "$(f 2 account balance)" "B-2|2.00" "row 2: the given account number"
is "$(f 3 balance)" "0.00" "row 3: an empty balance is 0.00"
is "$(accounts)" $((n_acc + 3)) "three accounts opened"

printf 'name\tmeter\tbalance\n丁\tM12;M13\t3\n戊\tM01\t\n己\tM98\t\n庚\tM14\t1.234\n' >list.tsv
n_acc=$(accounts)
n_tx=$(ledger)
exits 65 "batch TSV on stdin with three bad rows: all or nothing" sh -c 'acct-open -o csv - <list.tsv'
like "$T/err" '^acct-open: line 3: .*M01' "line 3 (meter taken) is reported"
like "$T/err" '^acct-open: line 4: .*M98' "line 4 (unknown meter) is reported"
like "$T/err" '^acct-open: line 5: .*1\.234' "line 5 (bad balance) is reported"
unlike "$T/err" 'line 2:' "the good line 2 is not reported"
is "$(nrows "$T/out")" 0 "no account printed"
is "$(accounts)|$(ledger)" "$n_acc|$n_tx" "nothing written"

exits 65 "the same list with --each --rejects" sh -c 'acct-open -o csv --each --rejects rj.tsv - <list.tsv'
is "$(nrows "$T/out")" 1 "one account printed"
is "$(f 1 name meter balance)" "丁|M12;M13|3.00" "the good row is opened"
is "$(accounts)" $((n_acc + 1)) "one account opened"
is "$(head -n 1 rj.tsv)" "$(printf 'name\tmeter\tbalance\terror')" "rejects: TSV with the input header plus error"
is "$(sed -n '2,$p' rj.tsv | cut -f1,2 | tr '\t\n' ': ')" "戊:M01 己:M98 庚:M14 " "rejects: the three bad rows"
is "$(sed -n '2,$p' rj.tsv | awk -F'\t' '$4 != ""' | wc -l | tr -d ' ')" 3 "rejects: each has an error"

printf 'name,meter,balance,ref\n壬,M15,4.50,batch-1\n癸,M16,0,batch-2\n' >refs.csv
exits 0 "a batch with refs" acct-open -o csv refs.csv
first=$(cut -d, -f1,7 "$T/out")
n_acc=$(accounts)
n_tx=$(ledger)
exits 0 "the batch with refs run again" acct-open -o csv refs.csv
is "$(cut -d, -f1,7 "$T/out")" "$first" "the rerun prints the same accounts and serials"
is "$(accounts)|$(ledger)" "$n_acc|$n_tx" "the rerun opens nothing twice"

printf 'name,meter\n子,M17\n丑,M17\n' >dup.csv
n_acc=$(accounts)
exits 65 "one meter on two rows of a list" acct-open -o csv dup.csv
like "$T/err" '^acct-open: line 3: .*M17' "the second row is refused"
unlike "$T/err" 'line 2:' "the first row is fine"
is "$(accounts)" "$n_acc" "nothing written"
exits 66 "a missing list" acct-open -o csv nosuch.csv
exits 64 "--rejects without --each" acct-open -o csv --rejects r.csv good.csv

exits 0 "two meters, one's room a part of the other's name" acct-open -o csv -a X-17 -n 赵六 M18 M19
is "$(f 1 meter room)" "M18;M19|R171;R17" "both rooms named"
report txns --account X-17 -o csv >tx.csv
is "$(row tx.csv 1 meter room)" "M18;M19|R171;R17" "and in report txns"

exits 0 "report verify at the end" report verify -o csv
is "$($PY -c 'import csv,sys
r=list(csv.DictReader(open(sys.argv[1])))
print(len(r) > 0 and all(x["result"] == "ok" for x in r))' "$T/out")" True \
    "report verify: every check is ok"

done_testing
