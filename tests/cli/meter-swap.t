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
last_wh=$(sql "SELECT energy_wh FROM meters WHERE meter = '$OLD1'")
last_e=$(sql "SELECT printf('%.2f', energy_wh / 1000.0) FROM meters WHERE meter = '$OLD1'")
# counts: the rows a refused swap must leave as they were.
counts() {
	sql "SELECT (SELECT count(*) FROM ledger) || '|' || (SELECT count(*) FROM readings) || '|' ||
	    (SELECT count(*) FROM commands) || '|' || (SELECT group_concat(a) FROM (SELECT coalesce(CAST(account_id AS TEXT), '-') AS a
	    FROM meters ORDER BY id) AS t)"
}
n0=$(counts)
exits 65 "a final reading below the last one stored is refused" \
    meter-swap -o csv --final 0.50 "$OLD1" "$NEW1"
is "$(cat "$T/err")" \
    "meter-swap: meter $OLD1: final reading 0.50 kWh is below the last reading stored, $last_e kWh; give --force and --reason to store it" \
    "one line naming both readings"
is "$(counts)" "$n0" "nothing was written"
exits 64 "--force without --reason is refused" \
    meter-swap -o csv --force --final 0.50 "$OLD1" "$NEW1"
like "$T/err" "^meter-swap: --force needs --reason" "saying a reason is needed"
exits 64 "--force with an empty --reason too" \
    meter-swap -o csv --force --reason "" --final 0.50 "$OLD1" "$NEW1"
is "$(counts)" "$n0" "nothing was written"

n_read=$(sql "SELECT count(*) FROM readings r JOIN meters m ON m.id = r.meter_id WHERE m.meter = '$OLD1'")
exits 0 "swap a live prepay-1p meter" meter-swap -o csv "$OLD1" "$NEW1"
is "$(head -n 1 "$T/out")" \
    "serial,time,account,old_meter,last_kwh,final_kwh,used_kwh,cost,moved,new_meter,buy_count,opening_kwh,old_wallet,remark" \
    "the swap's columns"
is "$(nrows "$T/out")" 1 "one row"
is "$(f 1 account old_meter last_kwh final_kwh new_meter)" "100001|$OLD1|$last_e|$old_e|$NEW1" \
    "the account, the old meter, its last stored and its final counter, the new meter"
$PY -c 'import sys; a, b, u = map(float, sys.argv[1:]); sys.exit(abs((b - a) - u) > 0.011)' \
    "$(f 1 last_kwh)" "$(f 1 final_kwh)" "$(f 1 used_kwh)"
ok $? "used_kwh is the final counter less the last ($(f 1 used_kwh))"
is "$(f 1 moved buy_count old_wallet remark)" "77.00|1|zeroed|swap $OLD1 -> $NEW1" \
    "77.00 moved (73.00 read, 4.00 still waiting) as the new meter's purchase 1; the old wallet zeroed"
like "$T/err" "^meter-swap: meter $OLD1: zeroed: its wallet taken to 0.00 by a recharge of -73.00$" \
    "stderr says what became of the old wallet"
serial=$(f 1 serial)
is "$(sql "SELECT serial FROM ledger WHERE kind = 'transfer' ORDER BY id LIMIT 1")" "$serial" \
    "the serial is the first transfer row's"
is "$(sql "SELECT group_concat(x, ' ') FROM (SELECT m.meter || ':' || l.amount || ':' ||
    coalesce(CAST(l.buy_count AS TEXT), '') AS x FROM ledger l JOIN meters m ON
    m.id = l.meter_id WHERE l.kind = 'transfer' ORDER BY l.id) AS t")" \
    "$OLD1:-7300:3 $OLD1:-400: $NEW1:7700:1" \
    "transfer rows: -73.00 off the old meter's wallet (its purchase 3), -4.00 that never reached it, 77.00 into the new"
is "$(sql "SELECT c.buy_count || '|' || c.amount || '|' || c.state || '|' || coalesce(c.verdict, '') FROM commands c
    JOIN meters m ON m.id = c.meter_id WHERE m.meter = '$OLD1' AND c.action = 'recharge' ORDER BY c.id")" \
    "1|2000|done|
2|300|done|
3|400|failed|cancelled
3|-7300|done|" "the landed recharge is done, the waiting one given up, the negative recharge done"
is "$(sql "SELECT remark FROM ledger WHERE kind = 'adjust' ORDER BY id DESC LIMIT 1")" \
    "recharge 4.00 of serial $(sql "SELECT l.serial FROM ledger l JOIN commands c ON c.ledger_id = l.id WHERE c.amount = 400")\
 cancelled, kept on the account: moved to meter $NEW1 by a swap" "an adjust row in the chain says why"
is "$(mb 1)" "0 3" "meter-sim: the old meter's wallet is 0.00, purchase 3"
is "$(sql "SELECT r.source || '|' || printf('%.2f', r.energy_wh / 1000.0) || '|' || r.balance
    FROM readings r JOIN meters m ON m.id = r.meter_id WHERE m.meter = '$OLD1' ORDER BY r.id DESC LIMIT 1")" \
    "manual|$old_e|7300" "the final reading is stored: the counter and the balance the meter showed"
is "$(sql "SELECT count(*) FROM readings r JOIN meters m ON m.id = r.meter_id WHERE m.meter = '$OLD1'")" \
    "$((n_read + 1))" "one more reading of the old meter"
is "$(sql "SELECT printf('%.2f', r.energy_wh / 1000.0) FROM readings r JOIN meters m ON m.id = r.meter_id
    WHERE m.meter = '$NEW1' ORDER BY r.id DESC LIMIT 1")" "$(f 1 opening_kwh)" \
    "the new meter's opening counter, read from it, is stored"
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
exits 0 "report verify after the swap" report verify
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
is "$(sql "SELECT CASE WHEN account_id IS NOT NULL THEN 1 ELSE 0 END FROM meters WHERE meter = '$OLD2'")" 1 "the old meter keeps its account"
last=$(sql "SELECT printf('%.2f', energy_wh / 1000.0) FROM meters WHERE meter = '$OLD2'")
n0=$(counts)
exits 65 "a display that reads 1234.5, below the last counter $last, is refused" \
    meter-swap -o csv --final 1234.5 --balance 50.00 "$OLD2" "$NEW2"
like "$T/err" "final reading 1234.50 kWh is below the last reading stored, $last kWh" "naming both"
is "$(counts)" "$n0" "nothing was written"
exits 0 "with --force and a reason it is stored" meter-swap -o csv --force \
    --reason "counter reset by the factory" --final 1234.5 --balance 50.00 --opening 0.25 "$OLD2" "$NEW2"
is "$(f 1 account old_meter last_kwh final_kwh used_kwh cost moved new_meter buy_count opening_kwh old_wallet)" \
    "100002|$OLD2|$last|1234.50|0.00|0.00|50.00|$NEW2|1|0.25|pending" \
    "the row: nothing counted from a backwards counter, 50.00 moved, the old wallet pending"
is "$(f 1 remark)" "swap $OLD2 -> $NEW2; forced: final 1234.50 kWh below the last $last kWh: counter reset by the factory" \
    "the remark keeps the reason"
is "$(sql "SELECT count(*) FROM ledger WHERE kind = 'transfer' AND remark = '$(f 1 remark)'")" 2 \
    "in the ledger rows too"
like "$T/err" "^meter-swap: meter $OLD2: pending: the recharge of -50.00 that empties its wallet did not land .*; it and a trip are pending for meter-read" \
    "stderr says the old wallet waits, with a trip"
is "$(sql "SELECT r.source || '|' || r.energy_wh || '|' || r.balance || '|' || coalesce(r.flag, '')
    FROM readings r JOIN meters m ON m.id = r.meter_id WHERE m.meter = '$OLD2' ORDER BY r.id DESC LIMIT 1")" \
    "manual|1234500|5000|backwards" "the final reading is kept, flagged backwards"
is "$(mb 4)" "10000 1" "the new meter's balance rose by 50.00"
exits 0 "report verify after a forced swap" report verify
stop_sim
start_sim site.yaml --credit 50 --state "$T/sim.state"
exits 0 "meter-read once the old meter answers" meter-read -o csv --meter "$OLD2"
exits 0 "meter-ctl read" meter-ctl read -o csv "$OLD2"
is "$(f 1 balance relay)" "0.00|tripped" "meter-sim: the old meter's wallet is 0.00 and it is tripped"
is "$(sql "SELECT group_concat(x, ' ') FROM (SELECT c.action || '=' || c.state AS x FROM commands c
    JOIN meters m ON m.id = c.meter_id WHERE m.meter = '$OLD2' AND c.reason = 'swap' OR
    (m.meter = '$OLD2' AND c.amount < 0) ORDER BY c.id) AS t")" \
    "recharge=done trip=done" "both commands done"

# --- an account-billed dds238-2 ------------------------------------------------------

exits 0 "meter-read" meter-read --meter "$OLD3"
old_e=$(f 1 energy_kwh)
exits 64 "--balance for a meter billed to the account" meter-swap --balance 1.00 "$OLD3" "$NEW3"
last_wh=$(sql "SELECT energy_wh FROM meters WHERE meter = '$OLD3'")
last_e=$(sql "SELECT printf('%.2f', energy_wh / 1000.0) FROM meters WHERE meter = '$OLD3'")
# An hour after the poll, the meter's display shows 12.34 kWh more.
t1=$(($(sql "SELECT reading_time FROM meters WHERE meter = '$OLD3'") + 3600))
final=$(awk -v w="$last_wh" 'BEGIN { printf "%.3f", (w + 12340) / 1000 }')
used0=$(sql "SELECT used_e7 FROM accounts WHERE account = '100003'")
exits 0 "swap a dds238-2 billed to the account, its final counter given" \
    env PREPAY_NOW="$t1" meter-swap -o csv --final "$final" "$OLD3" "$NEW3"
is "$(f 1 account old_meter last_kwh final_kwh used_kwh cost moved new_meter buy_count old_wallet)" \
    "100003|$OLD3|$last_e|$(awk -v w="$last_wh" 'BEGIN { printf "%.2f", (w + 12340) / 1000 }')|12.34|6.64|0.00|$NEW3||none" \
    "the row: 12.34 kWh since the last poll (差额电量), 6.64 at 0.5380, no wallet to move"
is "$(sql "SELECT (r.energy_wh - $last_wh) || '|' || r.cost_e7 FROM readings r JOIN meters m ON m.id = r.meter_id
    WHERE m.meter = '$OLD3' AND r.source = 'manual'")" "12340|66389200" \
    "the final reading is priced exactly: 12340 Wh x 0.5380 = 6.6389200"
is "$(($(sql "SELECT used_e7 FROM accounts WHERE account = '100003'") - used0))" 66389200 \
    "and charged to the account, as a poll charges"
is "$(sql "SELECT count(*) FROM ledger WHERE kind = 'transfer' AND amount = 0 AND meter_id IN
    (SELECT id FROM meters WHERE meter IN ('$OLD3', '$NEW3'))")" 2 "two transfer rows of 0.00"
is "$(sql "SELECT count(*) FROM commands c JOIN meters m ON m.id = c.meter_id WHERE m.meter IN ('$NEW3', '$OLD3')
    AND c.action <> 'trip'")" 0 "no command for either meter"
is "$(sql "SELECT a.account FROM accounts a JOIN meters m ON m.account_id = a.id WHERE m.meter = '$NEW3'")" \
    100003 "the account has the new meter"
exits 0 "report verify" report verify

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

# --- an old meter that refuses to be emptied is tripped ----------------------------

# The office's --balance says 140.00; the meter holds 132.00 and refuses
# a recharge of -140.00, so it is tripped instead.
exits 0 "swap a meter whose wallet will not go to 0.00" \
    meter-swap -o csv --balance 140.00 "$NEW1" "$FREE"
is "$(f 1 moved buy_count old_wallet)" "140.00|1|tripped" "140.00 moved; the old meter tripped"
like "$T/err" "^meter-swap: meter $NEW1: tripped: the recharge of -140.00 that empties its wallet did not land .*; the meter is tripped$" \
    "stderr says so"
exits 0 "meter-ctl read" meter-ctl read -o csv "$NEW1"
is "$(f 1 balance relay)" "132.00|tripped" "meter-sim: the wallet kept, the relay open"
is "$(mb 7)" "19000 1" "the new meter has 50.00 + 140.00, purchase 1"
exits 0 "report verify" report verify

stop_sim
unlike "$T/all.err" 'Sanitizer|runtime error' "no sanitizer reports from meter-sim"

done_testing
