#!/bin/sh
# One master per bus: two meter-read processes and a sale to a meter wallet
# on the same gateway at once all finish, the sale's recharge lands once,
# each poll stores its readings, nothing is "database is locked"; and a
# tool that will not wait for the busy bus says so.
. "$(dirname "$0")/lib.sh"

P=$(port_base)
N=30

# At 9600 baud a prepay-1p read takes 0.12 s and a dds238-2 read 0.09 s of
# bus time: a poll of the 30 meters holds the bus for about 2.6 s.
{
	cat <<EOF
site: 总线
defaults:
  price: 0.5380
buildings:
  - name: 1号楼
    gateways:
      - name: gw1
        address: tcp://127.0.0.1:$P
        timeout_ms: 500
        retries: 1
        meters:
          - {meter: "0101000001", unit: 1, floor: 1, room: "101", profile: prepay-1p, billing: meter}
EOF
	i=2
	while [ $i -le $N ]; do
		printf '          - {meter: "01010000%02d", unit: %d, floor: 1, room: "1%02d", profile: dds238-2}\n' $i $i $i
		i=$((i + 1))
	done
} >site.yaml
W=0101000001
D=0101000007

site-load site.yaml >/dev/null || echo "Bail out! site-load"
start_sim site.yaml --baud 9600 --credit 50
acct-open -n 总线户 "$W" >/dev/null 2>&1 || echo "Bail out! acct-open"
is "$(sql "SELECT count(*) FROM commands")" 0 "no command yet"

# --- two polls and a sale at once -------------------------------------------------

# While another process holds the bus (hold_bus: flock(1) on its lock
# file, or an advisory lock on PostgreSQL, as the tools take it), those that will not wait are turned away, and the three
# below queue behind it.
hold_bus gw1
(meter-read >"$T/r1.out" 2>"$T/r1.err"; echo $? >"$T/r1.rc") &
p1=$!
(meter-read >"$T/r2.out" 2>"$T/r2.err"; echo $? >"$T/r2.rc") &
p2=$!
(sale -o csv "$W" 5.00 >"$T/s.out" 2>"$T/s.err"; echo $? >"$T/s.rc") &
p3=$!
exits 0 "meter-read --wait 0 while another process holds the bus" meter-read --wait 0
cp "$T/err" "$T/busy.err"
is "$(nrows "$T/out")" $N "a row per meter"
is "$(col "$T/out" state | tr ' ' '\n' | sort -u)" "busy" "every meter is busy"
is "$(f 1 error)" "gateway gw1 is busy: another process holds its bus" "the error says why"
is "$(f 1 energy_kwh)" "" "no values"
exits 69 "--strict: a busy bus is a missing meter" meter-read --wait 0 --strict
cat "$T/err" >>"$T/busy.err"
exits 75 "meter-ctl read --wait 0 of a busy bus" meter-ctl read --wait 0 "$W"
is "$(f 1 state)" "busy" "read: busy"
cat "$T/err" >>"$T/busy.err"
exits 75 "meter-ctl trip --wait 0 of a busy bus" meter-ctl trip --wait 0 "$D"
is "$(f 1 result message)" "pending|gateway gw1 is busy: another process holds its bus" \
    "the trip is left pending"
cat "$T/err" >>"$T/busy.err"

release
wait $p1 $p2 $p3
is "$(cat "$T/r1.rc") $(cat "$T/r2.rc") $(cat "$T/s.rc")" "0 0 0" \
    "both polls and the sale exit 0"
cat "$T/r1.err" "$T/r2.err" "$T/s.err" | sed 's/^/# stderr: /'
cat "$T"/*.err >"$T/all.err"
unlike "$T/all.err" 'locked' "no \"database is locked\" anywhere"
unlike "$T/all.err" 'Sanitizer|runtime error' "no sanitizer reports"

is "$(nrows "$T/r1.out")|$(nrows "$T/r2.out")" "$N|$N" "each poll printed a row per meter"
is "$(col "$T/r1.out" state | tr ' ' '\n' | sort -u)|$(col "$T/r2.out" state | tr ' ' '\n' | sort -u)" \
    "ok|ok" "every meter answered both polls"
is "$(sql "SELECT count(*) FROM (SELECT meter_id FROM readings GROUP BY meter_id
    HAVING count(*) = 2) AS t")" $N "the readings table has exactly 2 rows for each meter"
is "$(sql "SELECT count(*) FROM readings")" $((2 * N)) "and no more: the busy polls stored nothing"
# One master at a time: one poll's readings all come before the other's.
$PY - "$T/r1.out" "$T/r2.out" <<'EOF'
import csv, sys
a, b = ([r["time"] for r in csv.DictReader(open(f, encoding="utf-8"))] for f in sys.argv[1:])
sys.exit(not (max(a) <= min(b) or max(b) <= min(a)))
EOF
ok $? "the two polls did not share the bus ($(row "$T/r1.out" 1 time)..$(row "$T/r1.out" -1 time), $(row "$T/r2.out" 1 time)..$(row "$T/r2.out" -1 time))"

is "$(row "$T/s.out" 1 kind amount buy_count)" "sale|5.00|1" "the sale: purchase 1"
unlike "$T/s.err" 'pending' "its recharge was not left pending"
is "$(sql "SELECT count(*) || '|' || group_concat(state) || '|' || sum(amount) FROM commands WHERE action = 'recharge'")" \
    "1|done|500" "one recharge command, done"
exits 0 "meter-ctl read" meter-ctl read "$W"
is "$(f 1 balance buy_count)" "55.00|1" "the meter took the recharge once: 55.00, purchase 1"
is "$(f 1 buy_count)" "$(sql "SELECT count(*) FROM ledger WHERE kind = 'sale'")" \
    "the meter's count is the ledger's number of sales"

is "$(sql "SELECT state FROM commands WHERE action = 'trip'")" "done" \
    "the pending trip was run by the poll that took the bus next"
exits 0 "meter-ctl read" meter-ctl read "$D"
is "$(f 1 relay)" "tripped" "the meter is tripped"
exits 0 "close it" meter-ctl close "$D"
if on_pg; then
	tap_n=$((tap_n + 1))
	echo "ok $tap_n # SKIP on PostgreSQL the bus lock is an advisory lock on the server, no file: tests/pg/lock.t"
else
	[ -e "$PREPAY_DB.gw1.lock" ]
	ok $? "the bus lock is a file next to the database"
fi

# --- a poll waits for the bus as long as --wait says -----------------------------

# How long it waited is measured by tests/bench/buslock, not here.
hold_bus gw1
exits 0 "meter-read --wait 1 behind a bus that stays held" meter-read --wait 1
is "$(col "$T/out" state | tr ' ' '\n' | sort -u)" "busy" "gives up: busy"
(meter-read --wait 30 >"$T/r3.out" 2>"$T/r3.err"; echo $? >"$T/r3.rc") &
p1=$!
release
wait $p1
is "$(cat "$T/r3.rc")" 0 "meter-read --wait 30 behind it exits 0"
is "$(col "$T/r3.out" state | tr ' ' '\n' | sort -u)" "ok" "waits its turn: ok"

done_testing
