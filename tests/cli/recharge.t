#!/bin/sh
# Recharges of a meter's own wallet land exactly once: 200 sales to a
# prepay-1p meter behind a gateway that loses 30% of its exchanges end with
# the meter's purchase count and balance equal to the ledger's.  Refunds and
# reversals are negative recharges under the same count.
. "$(dirname "$0")/lib.sh"

need mbpoll

P=$(port_base)
N=200

cat >site.yaml <<EOF
site: 钱包
defaults:
  price: 0.5380
  max_balance: 5000.00
buildings:
  - name: 1号楼
    gateways:
      - name: gw1
        address: tcp://127.0.0.1:$P
        timeout_ms: 50
        retries: 2
        meters:
          - {meter: "0101000001", unit: 1, floor: 1, room: "101", profile: prepay-1p, billing: meter}
          - {meter: "0101000002", unit: 2, floor: 1, room: "102", profile: sdm120, billing: account}
EOF
W=0101000001

site-load site.yaml >/dev/null || echo "Bail out! site-load"
start_sim site.yaml --drop 0.3 --seed 5 --credit 50 --state "$T/sim.state"

# waiting: the commands not yet done.
waiting() {
	sql "SELECT count(*) FROM commands WHERE state IN ('pending', 'sent')"
}

# drain: meter-read until no command waits, at most 60 polls; the polls in
# $polls.  A poll sends the meter's recharges in order until one is lost
# past its retries, about 6 a poll at this loss, so 200 take some 30 polls,
# more or fewer as the seed's draws fall (every exchange of a poll takes
# one, the poll's reads too).  A failed recharge is final and the later
# ones wait for it, so more polls cannot help then; nor after 5 polls in a
# row that sent nothing.
drain() {
	polls=0
	_idle=0
	_left=$(waiting)
	while [ "$_left" != 0 ] && [ $polls -lt 60 ] && [ $_idle -lt 5 ] &&
	    [ "$(sql "SELECT count(*) FROM commands WHERE action = 'recharge' AND state = 'failed'")" = 0 ]; do
		meter-read >"$T/poll.out" 2>>"$T/poll.err"
		echo "$?" >>"$T/poll.rc"
		polls=$((polls + 1))
		_was=$_left
		_left=$(waiting)
		if [ "$_left" = "$_was" ]; then
			_idle=$((_idle + 1))
		else
			_idle=0
		fi
	done
}

# mstate COLUMN...: meter-ctl read of the wallet meter, tried until it
# answers (the gateway loses exchanges).
mstate() {
	_i=0
	while [ $_i -lt 10 ]; do
		meter-ctl read "$W" >"$T/state.csv" 2>"$T/state.err" && break
		_i=$((_i + 1))
	done
	row "$T/state.csv" 1 "$@"
}

# A meter tripped by command uses no energy, so its wallet moves only by
# recharges.
meter-ctl trip "$W" >/dev/null 2>&1
drain
is "$(mstate state relay)" "ok|tripped" "the meter is tripped by command, so it uses nothing"
is "$(sql "SELECT state FROM commands WHERE action = 'trip'")" "done" "the trip is done"

start=$(mstate balance)
count0=$(mstate buy_count)
is "$start|$count0" "50.00|0" "the meter starts with 50.00 and purchase count 0"

acct-open -n 王五 "$W" >/dev/null 2>&1
is "$(sql "SELECT a.account FROM accounts a JOIN meters m ON m.account_id = a.id WHERE m.meter = '$W'")" \
    100001 "an account on the meter"

# --- 200 sales of 1.00 --------------------------------------------------------------

i=0
: >"$T/sale.rc"
while [ $i -lt $N ]; do
	sale -o csv "$W" 1.00 >>"$T/sale.out" 2>>"$T/sale.err"
	echo "$?" >>"$T/sale.rc"
	i=$((i + 1))
done
# A recorded sale exits 0, its recharge done at once or pending.
n0=$(grep -c '^0$' "$T/sale.rc")
is "$n0" $N "every sale exits 0: recorded"
grep -v '^0$' "$T/sale.rc" | sort | uniq -c | sed 's/^/# other exits: /'
npending=$(grep -c 'is pending' "$T/sale.err")
echo "# $npending of $N recharges left pending at first"
is "$((npending > 0))" 1 "the flaky gateway left some recharges pending, each saying so"
is "$(sql "SELECT count(*) || '|' || sum(amount) FROM ledger l JOIN meters m ON m.id = l.meter_id
    WHERE m.meter = '$W' AND l.kind = 'sale'")" "$N|$((N * 100))" "the money of every sale is recorded"
is "$(sql "SELECT count(*) FROM commands WHERE action = 'recharge'")" $N "a recharge command per sale"
is "$(sql "SELECT count(DISTINCT buy_count) || '|' || min(buy_count) || '|' || max(buy_count)
    FROM ledger WHERE kind = 'sale'")" "$N|1|$N" "the sales carry purchase counts 1..$N"

drain
is "$(waiting)" 0 "meter-read sent every waiting recharge ($polls polls)"
is "$(sort -u "$T/poll.rc" | tr '\n' ' ')" "0 " "every poll exited 0"
is "$(sql "SELECT count(*) FROM commands WHERE action = 'recharge' AND state IN ('pending', 'sent')")" 0 \
    "no recharge is pending or sent"
is "$(sql "SELECT count(*) FROM commands WHERE action = 'recharge' AND state = 'failed'")" 0 \
    "no recharge failed"
sql "SELECT '# failed: purchase ' || buy_count || ', ' || attempts || ' attempts: ' || last_error
    FROM commands WHERE action = 'recharge' AND state = 'failed'"
is "$(sql "SELECT count(*) FROM commands c JOIN ledger l ON l.id = c.ledger_id
    WHERE c.action = 'recharge' AND c.state = 'done' AND c.amount = l.amount
    AND c.buy_count = l.buy_count")" $N "each done recharge has its sale's amount and count"

ledger_n=$(sql "SELECT count(*) FROM ledger l JOIN meters m ON m.id = l.meter_id
    WHERE m.meter = '$W' AND l.kind = 'sale'")
is "$(mstate buy_count)" "$ledger_n" "the meter's purchase count is the ledger's count of sales ($ledger_n)"
is "$(mstate buy_count)" "$N" "... which is $N"
want=$($PY -c 'import sys; print("%.2f" % (float(sys.argv[1]) + int(sys.argv[2])))' "$start" $N)
is "$(mstate balance)" "$want" "the meter's balance is the start + $N.00"
is "$(sql "SELECT meter_balance || '|' || meter_count FROM meters WHERE meter = '$W'")" \
    "$($PY -c 'import sys; print(round(float(sys.argv[1]) * 100))' "$want")|$N" \
    "the master station's mirror agrees"
is "$(bal 100001)" "$N.00" "the account's ledger balance is $N.00"
stop_sim
like "$T/sim.state" "^$W .*balance=$((5000 + N * 100)) .*buy_count=$N " \
    "the sim's own state: balance and count, applied once each"

# --- refunds and reversals, on a steady line ------------------------------------------

start_sim site.yaml --seed 5 --state "$T/sim.state"
mb() {
	mbpoll_tcp "$P" 1 -r 11 -c 3
	tr '\n' ' ' <"$T/mbv"
}
b0=$((5000 + N * 100))
is "$(mb)" "0 $b0 $N " "mbpoll: balance (fen) and purchase count at 0x000B"

exits 0 "a refund from the meter's wallet" refund -o csv "$W" 5.00
is "$(f 1 kind amount buy_count)" "refund|-5.00|$((N + 1))" "a negative amount with the next purchase count"
is "$(sql "SELECT action || '|' || amount || '|' || buy_count || '|' || state FROM commands ORDER BY id DESC LIMIT 1")" \
    "recharge|-500|$((N + 1))|done" "a negative recharge, done"
is "$(mb)" "0 $((b0 - 500)) $((N + 1)) " "the meter: 5.00 less, count $((N + 1))"

last_sale=$(sql "SELECT serial FROM ledger WHERE kind = 'sale' ORDER BY id DESC LIMIT 1")
exits 0 "reverse a sale" reverse -o csv "$last_sale"
is "$(f 1 kind amount buy_count reverses)" "reverse|-1.00|$((N + 2))|$last_sale" \
    "a negative amount with the next purchase count"
is "$(sql "SELECT action || '|' || amount || '|' || buy_count || '|' || state FROM commands ORDER BY id DESC LIMIT 1")" \
    "recharge|-100|$((N + 2))|done" "a negative recharge, done"
is "$(mb)" "0 $((b0 - 600)) $((N + 2)) " "the meter: 1.00 less, count $((N + 2))"

refund_serial=$(sql "SELECT serial FROM ledger WHERE kind = 'refund'")
exits 0 "reverse the refund" reverse -o csv "$refund_serial"
is "$(f 1 amount buy_count)" "5.00|$((N + 3))" "the money goes back in, with the next count"
is "$(mb)" "0 $((b0 - 100)) $((N + 3)) " "the meter: 5.00 more, count $((N + 3))"

exits 1 "a refund larger than the account holds" refund -o csv "$W" 1000.00
is "$(mb)" "0 $((b0 - 100)) $((N + 3)) " "the meter is untouched"

is "$(mstate buy_count)" "$(sql "SELECT max(l.buy_count) FROM ledger l JOIN meters m ON m.id = l.meter_id
    WHERE m.meter = '$W'")" "meter-ctl read: the count is the ledger's last"
is "$(sql "SELECT count(*) FROM ledger l JOIN meters m ON m.id = l.meter_id
    WHERE m.meter = '$W' AND l.buy_count IS NOT NULL")" "$((N + 3))" \
    "one ledger row per purchase count"
is "$(bal 100001)" "$((N - 1)).00" "the account: $N - 5 - 1 + 5"
is "$(waiting)" 0 "nothing waits"

# --- a sale while the meter cannot be reached ---------------------------------------

stop_sim
start_sim site.yaml --seed 5 --state "$T/sim.state" --dead "$W"
exits 0 "a sale to a dead meter: recorded, pending" sale -o csv "$W" 2.00
like "$T/err" "recharge 2.00 \\(purchase $((N + 4))\\) is pending" "says the recharge is pending, with its count"
is "$(f 1 amount buy_count)" "2.00|$((N + 4))" "the money is recorded"
is "$(waiting)" 1 "its recharge waits"
exits 0 "a refund to the dead meter: recorded, pending" refund -o csv "$W" 1.00
is "$(waiting)" 2 "both wait"
stop_sim
start_sim site.yaml --seed 5 --state "$T/sim.state"
exits 0 "the next poll" meter-read
is "$(waiting)" 0 "sends both"
is "$(f 1 balance buy_count)" "$($PY -c 'import sys; print("%.2f" % (int(sys.argv[1]) / 100))' $b0)|$((N + 5))" \
    "the poll shows the meter with both applied, in order"
stop_sim

unlike "$T/all.err" 'Sanitizer|runtime error' "no sanitizer reports from meter-sim"

done_testing
