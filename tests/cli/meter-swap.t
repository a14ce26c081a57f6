#!/bin/sh
# meter-swap against meter-sim: a live prepay-1p meter swapped for a new one
# (final reading, transfer rows, the balance as a recharge of the new
# meter, the account moved), a dead one with --final and --balance, an
# account-billed dds238-2, and the refusals.
. "$(dirname "$0")/lib.sh"

need mbpoll

P=$(port_base)

cat >site.yaml <<EOF
site: 换表
defaults:
  price: 0.5380
  overload_w: 100000
buildings:
  - name: 1号楼
    gateways:
      - name: gw1
        address: tcp://127.0.0.1:$P
        timeout_ms: 200
        retries: 1
        meters:
          - {meter: "0101000001", unit: 1, floor: 1, room: "101", profile: prepay-1p, billing: meter}
          - {meter: "0101000002", unit: 2, floor: 1, room: "101", profile: prepay-1p, billing: meter}
          - {meter: "0101000003", unit: 3, floor: 1, room: "102", profile: prepay-1p, billing: meter}
          - {meter: "0101000004", unit: 4, floor: 1, room: "102", profile: prepay-1p, billing: meter}
          - {meter: "0101000005", unit: 5, floor: 2, room: "201", profile: dds238-2, billing: account}
          - {meter: "0101000006", unit: 6, floor: 2, room: "201", profile: dds238-2, billing: account}
          - {meter: "0101000007", unit: 7, floor: 2, room: "202", profile: prepay-1p, billing: meter}
EOF
OLD1=0101000001 NEW1=0101000002 OLD2=0101000003 NEW2=0101000004
OLD3=0101000005 NEW3=0101000006 FREE=0101000007

site-load site.yaml >/dev/null || echo "Bail out! site-load"
start_sim site.yaml --credit 50 --state "$T/sim.state"

# mb UNIT: mbpoll reads balance (s32 fen) and purchase count; "BALANCE COUNT".
mb() {
	mbpoll_tcp "$P" "$1" -r 11 -c 3
	tr '\n' ' ' <"$T/mbv" | awk '{ print $1 * 65536 + $2, $3 }'
}
# trip METER: a meter tripped by command uses no energy, so its wallet
# stays as it is.
trip() {
	meter-ctl trip "$@" >/dev/null 2>&1 || echo "Bail out! meter-ctl trip $*"
}

trip "$OLD1" "$NEW1" "$OLD2" "$NEW2" "$FREE"
{
	acct-open -n 张三 "$OLD1" &&		# 100001
	acct-open -n 李四 "$OLD2" &&		# 100002
	acct-open -n 王五 --balance 30 "$OLD3"	# 100003
} >/dev/null 2>&1 || echo "Bail out! acct-open"
sale "$OLD1" 20.00 >/dev/null 2>&1 || echo "Bail out! sale"
meter-read >/dev/null 2>&1

# --- a live old meter ------------------------------------------------------------

is "$(mb 1)" "7000 1" "the old meter holds 50.00 + 20.00, purchase 1"

# Two sales while the old meter is dead: their recharges wait.  The first
# then lands without the master station knowing (its answer lost).
stop_sim
start_sim site.yaml --credit 50 --state "$T/sim.state" --dead "$OLD1"
exits 0 "a sale while the old meter is dead: recorded, pending" sale -o csv "$OLD1" 3.00
is "$(f 1 buy_count)" 2 "purchase 2 waits"
exits 0 "another" sale -o csv "$OLD1" 4.00
is "$(f 1 buy_count)" 3 "purchase 3 waits"
stop_sim
start_sim site.yaml --credit 50 --state "$T/sim.state"
mbpoll -m tcp -p "$P" -a 1 -0 -1 -o 0.5 -r 0x200 127.0.0.1 0 300 2 >"$T/mb" 2>&1
is "$(mb 1)" "7300 2" "purchase 2 landed: the old meter holds 73.00, purchase 2"
is "$(mb 2)" "5000 0" "the new meter holds 50.00, purchase 0"
old_e=$(meter-ctl read "$OLD1" | row /dev/stdin 1 energy_kwh)
n_read=$(sql "SELECT count(*) FROM readings r JOIN meters m ON m.id = r.meter_id WHERE m.meter = '$OLD1'")
exits 0 "swap a live prepay-1p meter" meter-swap -o csv "$OLD1" "$NEW1"
is "$(head -n 1 "$T/out")" \
    "serial,time,kind,account,name,meter,room,amount,method,balance,buy_count,ref,reverses,operator,remark" \
    "the entry columns"
is "$(nrows "$T/out")" 2 "two rows"
is "$(f 1 kind account meter amount method buy_count remark)" \
    "transfer|100001|$OLD1|-77.00|transfer||swap $OLD1 -> $NEW1" \
    "out of the old meter: -77.00, the balance read (73.00) and the recharge still waiting (4.00)"
is "$(f 2 kind account meter amount method buy_count remark)" \
    "transfer|100001|$NEW1|77.00|transfer|1|swap $OLD1 -> $NEW1" "into the new meter: 77.00, its purchase 1"
is "$(sql "SELECT count(*) || '|' || sum(amount) FROM ledger WHERE kind = 'transfer'")" "2|0" \
    "two transfer rows in the ledger, summing to 0"
is "$(sql "SELECT c.buy_count || '|' || c.state || CASE c.state WHEN 'failed' THEN '|' || c.last_error
    ELSE '' END FROM commands c JOIN meters m ON m.id = c.meter_id
    WHERE m.meter = '$OLD1' AND c.action = 'recharge' ORDER BY c.id")" \
    "1|done
2|done
3|failed|moved to meter $NEW1" "the landed recharge is done, the waiting one moved"
is "$(sql "SELECT r.source || '|' || printf('%.2f', r.energy_wh / 1000.0) || '|' || r.balance
    FROM readings r JOIN meters m ON m.id = r.meter_id WHERE m.meter = '$OLD1' ORDER BY r.id DESC LIMIT 1")" \
    "manual|$old_e|7300" "the final reading is stored: the counter and the balance the meter showed"
is "$(sql "SELECT count(*) FROM readings r JOIN meters m ON m.id = r.meter_id WHERE m.meter = '$OLD1'")" \
    "$((n_read + 1))" "one more reading of the old meter"
is "$(sql "SELECT c.amount || '|' || c.buy_count || '|' || c.state FROM commands c
    JOIN meters m ON m.id = c.meter_id WHERE m.meter = '$NEW1' AND c.action = 'recharge'")" \
    "7700|1|done" "the new meter got a recharge of 77.00, done"
is "$(mb 2)" "12700 1" "the new meter's balance rose by 77.00, purchase 1"
exits 0 "meter-ctl read" meter-ctl read "$NEW1"
is "$(f 1 balance buy_count)" "127.00|1" "meter-ctl read agrees"
is "$(sql "SELECT a.account FROM accounts a JOIN meters m ON m.account_id = a.id WHERE m.meter = '$NEW1'")" \
    100001 "the account now has the new meter"
is "$(sql "SELECT count(*) FROM meters WHERE meter = '$OLD1' AND account_id IS NULL")" 1 \
    "the old meter belongs to no account"
is "$(sql "SELECT count(*) FROM account_meters am JOIN meters m ON m.id = am.meter_id
    WHERE m.meter = '$OLD1' AND am.detached IS NOT NULL")" 1 "it is detached in the history"
report balances -o csv >bal.csv
is "$(row bal.csv 1 account meter balance)" "100001|$NEW1|27.00" \
    "report balances lists the new meter; the account keeps its 27.00"
exits 0 "a sale to the account after the swap" sale -o csv 100001 5.00
is "$(f 1 meter buy_count)" "$NEW1|2" "goes to the new meter, purchase 2"
is "$(mb 2)" "13200 2" "the new meter has it"
exits 0 "the old meter can be opened again" acct-open -o csv -n 赵六 "$OLD1"
is "$(f 1 account meter)" "100004|$OLD1" "a new account on it"

# --- a dead old meter ----------------------------------------------------------------

stop_sim
start_sim site.yaml --credit 50 --state "$T/sim.state" --dead "$OLD2"
n_tx=$(sql "SELECT count(*) FROM ledger")
exits 69 "swap a dead meter without --final" meter-swap -o csv "$OLD2" "$NEW2"
like "$T/err" 'does not answer.*--final.*--balance' "the message asks for --final and --balance"
exits 69 "with --final but without --balance" meter-swap -o csv --final 1234.5 "$OLD2" "$NEW2"
is "$(sql "SELECT count(*) FROM ledger")" "$n_tx" "nothing was written"
is "$(sql "SELECT account_id IS NOT NULL FROM meters WHERE meter = '$OLD2'")" 1 "the old meter keeps its account"
last=$(sql "SELECT coalesce(energy_wh, -1) FROM meters WHERE meter = '$OLD2'")
exits 0 "swap it with --final 1234.5 --balance 12.30" meter-swap -o csv --final 1234.5 --balance 12.30 "$OLD2" "$NEW2"
is "$(f 1 account meter amount)" "100002|$OLD2|-12.30" "out of the old meter: -12.30"
is "$(f 2 account meter amount buy_count)" "100002|$NEW2|12.30|1" "into the new one: 12.30, purchase 1"
if [ "$last" -gt 1234500 ]; then flag=backwards; else flag=; fi
is "$(sql "SELECT r.source || '|' || r.energy_wh || '|' || r.balance || '|' || coalesce(r.flag, '')
    FROM readings r JOIN meters m ON m.id = r.meter_id WHERE m.meter = '$OLD2' ORDER BY r.id DESC LIMIT 1")" \
    "manual|1234500|1230|$flag" "the final reading is the one given${flag:+ (flagged: below the last counter $last)}"
is "$(mb 4)" "6230 1" "the new meter's balance rose by 12.30"
is "$(sql "SELECT a.account FROM accounts a JOIN meters m ON m.account_id = a.id WHERE m.meter = '$NEW2'")" \
    100002 "the account has the new meter"

# --- an account-billed dds238-2 ------------------------------------------------------

exits 0 "meter-read" meter-read --meter "$OLD3"
old_e=$(f 1 energy_kwh)
exits 64 "--balance for a meter billed to the account" meter-swap --balance 1.00 "$OLD3" "$NEW3"
exits 0 "swap a dds238-2 billed to the account" meter-swap -o csv "$OLD3" "$NEW3"
is "$(f 1 kind meter amount buy_count)" "transfer|$OLD3|0.00|" "out: 0.00"
is "$(f 2 kind meter amount buy_count)" "transfer|$NEW3|0.00|" "in: 0.00, no purchase"
$PY -c 'import sys; sys.exit(abs(float(sys.argv[1]) - float(sys.argv[2])) > 0.02)' \
    "$(sql "SELECT r.energy_wh / 1000.0 FROM readings r JOIN meters m ON m.id = r.meter_id
        WHERE m.meter = '$OLD3' AND r.source = 'manual'")" "$old_e"
ok $? "the final reading is the counter read from the meter ($old_e)"
is "$(sql "SELECT count(*) FROM commands c JOIN meters m ON m.id = c.meter_id WHERE m.meter = '$NEW3'")" 0 \
    "no command for the new meter"
is "$(bal 100003)" "30.00" "the account keeps its wallet"
is "$(sql "SELECT a.account FROM accounts a JOIN meters m ON m.account_id = a.id WHERE m.meter = '$NEW3'")" \
    100003 "the account has the new meter"

# --- refusals --------------------------------------------------------------------------

n_tx=$(sql "SELECT count(*) FROM ledger")
exits 1 "an old meter on no account" meter-swap "$FREE" "$OLD3"
like "$T/err" "meter $FREE is on no open account" "the message says so"
exits 1 "a new meter that already belongs to an account" meter-swap "$NEW1" "$NEW2"
like "$T/err" "meter $NEW2 already belongs to an account" "the message says so"
exits 65 "an unknown old meter" meter-swap 0999999999 "$FREE"
exits 65 "an unknown new meter" meter-swap "$NEW1" 0999999999
exits 65 "the same meter twice" meter-swap "$NEW1" "$NEW1"
exits 65 "a --balance that does not parse" meter-swap --final 1 --balance 1.234 "$NEW1" "$FREE"
exits 64 "one operand" meter-swap "$NEW1"
is "$(sql "SELECT count(*) FROM ledger")" "$n_tx" "nothing was written"
is "$(sql "SELECT a.account FROM accounts a JOIN meters m ON m.account_id = a.id WHERE m.meter = '$NEW1'")" \
    100001 "the accounts are as they were"

stop_sim
unlike "$T/all.err" 'Sanitizer|runtime error' "no sanitizer reports from meter-sim"

done_testing
