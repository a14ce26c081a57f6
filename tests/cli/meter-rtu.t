#!/bin/sh
# meter-read and meter-ctl over Modbus-RTU: meter-sim serves a serial
# gateway on one end of a socat pty pair, the tools talk to the other end.
. "$(dirname "$0")/lib.sh"

need mbpoll socat

P=$(port_base)

pty_pair "$T/a" "$T/b"

# The timeouts are for a loaded machine, not for a real bus: a sanitized
# meter-sim behind socat on a busy 2-core machine can be scheduled late by
# more than 300 ms, and a poll then lost a meter.  A meter that does not
# answer at all still times out (the dead meter below).
cat >site.yaml <<EOF
site: 串口
defaults:
  price: 0.5380
  overload_w: 100000
  lost_after: 2
buildings:
  - name: 1号楼
    gateways:
      - name: rtu1
        address: serial:$T/b?baud=9600&parity=E
        timeout_ms: 1500
        retries: 2
        meters:
          - {meter: "0101000001", unit: 1, floor: 1, room: "101", profile: sdm120}
          - {meter: "0101000002", unit: 2, floor: 1, room: "102", profile: dds238-2}
          - {meter: "0101000003", unit: 3, floor: 2, room: "201", profile: prepay-1p, billing: meter}
      - name: gw2
        address: tcp://127.0.0.1:$P
        timeout_ms: 1500
        meters:
          - {meter: "0102000001", unit: 1, floor: 3, room: "301", profile: dds238-2}
EOF
S1=0101000001 D1=0101000002 W1=0101000003 D2=0102000001

site-load site.yaml >/dev/null || echo "Bail out! site-load"
start_sim site.yaml --tty "rtu1=$T/a" --state "$T/sim.state" --credit 50
is "$(cat "$T/sim.out")" "rtu1 serial:$T/a 3 meters modbus-rtu 9600 8E1
gw2 tcp://127.0.0.1:$P 1 meter modbus-tcp" "meter-sim serves rtu1 on the pty"

# rtu UNIT ARGS...: mbpoll reads holding registers over RTU at the master's
# end; the values, one a line, in $T/mbv.
# A loaded machine may schedule meter-sim late: up to three tries of 2 s
# each, until an answer comes (a wrong answer still fails the test).
rtu() {
	_u=$1
	shift
	_try=0
	while [ $_try -lt 3 ]; do
		mbpoll -m rtu -b 9600 -P even -a "$_u" -0 -1 -o 2 "$@" "$T/b" \
		    >"$T/mb" 2>&1
		sed -n 's/^\[[0-9]*\]:[[:space:]]*\([-0-9.e+]*\).*/\1/p' "$T/mb" \
		    >"$T/mbv"
		[ -s "$T/mbv" ] && break
		_try=$((_try + 1))
	done
}
# --- the poll -----------------------------------------------------------------------

exits 0 "meter-read over RTU and TCP" meter-read
is "$(col "$T/out" meter)" "$S1 $D1 $W1 $D2" "one row per meter"
is "$(col "$T/out" gateway)" "rtu1 rtu1 rtu1 gw2" "with its gateway"
is "$(col "$T/out" state)" "ok ok ok ok" "every meter answers"
$PY - "$T/out" <<'EOF'
import csv, re, sys
bad = 0
for r in csv.DictReader(open(sys.argv[1], encoding="utf-8")):
    if not (re.fullmatch(r"\d+\.\d\d", r["energy_kwh"]) and 1000 <= float(r["energy_kwh"]) <= 5100
            and re.fullmatch(r"\d+\.\d", r["voltage_v"]) and 219 <= float(r["voltage_v"]) <= 236
            and re.fullmatch(r"\d+", r["power_w"]) and int(r["power_w"]) > 0):
        print("# bad row: %r" % r)
        bad += 1
sys.exit(bad)
EOF
ok $? "every row has energy, voltage and power"
is "$(f 3 balance buy_count relay)" "50.00|0|closed" "prepay-1p over RTU: wallet and relay"
is "$(f 2 relay)" "closed" "dds238-2 over RTU: relay"
is "$(sql "SELECT count(*) FROM readings WHERE flag IS NULL AND energy_wh > 0")" 4 \
    "a reading per meter is stored"
is "$(sql "SELECT group_concat(g, ' ') FROM (SELECT name || '=' || state AS g
    FROM gateways ORDER BY id) AS t")" "rtu1=ok gw2=ok" \
    "both gateways ok"

# mbpoll over RTU sees what meter-read stored: every value (--all-values),
# the voltage being of the slow class.
i=0
while [ $i -lt 6 ]; do
	run meter-read --all-values -g rtu1
	got=$(f 2 energy_kwh voltage_v)
	rtu 2 -r 0 -c 13
	want=$($PY -c 'import sys; hi, lo, vv = map(int, sys.argv[1:]); print("%.2f|%.1f" % ((hi * 65536 + lo) / 100, vv / 10))' \
	    "$(mbv 1)" "$(mbv 2)" "$(mbv 13)" 2>/dev/null)
	i=$((i + 1))
	[ "$got" = "$want" ] && break
done
polls=$((i + 2))	# the first poll, these, and the second below
is "$want" "$got" "mbpoll over RTU: the dds238-2's energy and voltage are what meter-read printed"

exits 0 "a second poll" meter-read -g rtu1
is "$(col "$T/out" state)" "ok ok ok" "ok again"
is "$(sql "SELECT group_concat(n, ' ') FROM (SELECT count(r.id) AS n FROM meters m
    LEFT JOIN readings r ON r.meter_id = m.id GROUP BY m.id ORDER BY m.id) AS t")" \
    "$polls $polls $polls 1" "each poll stored a reading per meter"

# --- trip and close over RTU ----------------------------------------------------------

exits 0 "meter-ctl trip a dds238-2 over RTU" meter-ctl trip "$D1"
is "$(f 1 meter action result message)" "$D1|trip|done|confirmed by read-back" "done"
exits 0 "meter-ctl read" meter-ctl read "$D1"
is "$(f 1 gateway state relay power_w)" "rtu1|ok|tripped|0" "it reads back tripped, no power"
rtu 2 -r 0x1A -c 1
is "$(mbv 1)" "0" "mbpoll over RTU: 0x001A is 0"
exits 0 "meter-read sees it" meter-read --meter "$D1"
is "$(f 1 relay power_w)" "tripped|0" "the poll shows it tripped"
is "$(sql "SELECT relay FROM meters WHERE meter = '$D1'")" "tripped" "and mirrors it"
exits 0 "meter-ctl close over RTU" meter-ctl close "$D1"
is "$(f 1 result)" "done" "done"
rtu 2 -r 0x1A -c 1
is "$(mbv 1)" "1" "mbpoll over RTU: 0x001A is 1"

exits 0 "trip a prepay-1p over RTU" meter-ctl trip "$W1"
is "$(f 1 result)" "done" "done"
exits 0 "read it" meter-ctl read "$W1"
is "$(f 1 relay status)" "tripped|0x0002" "tripped by a command"
exits 0 "close it" meter-ctl close "$W1"
exits 0 "read it" meter-ctl read "$W1"
is "$(f 1 relay status)" "closed|0x0000" "closed"
is "$(sql "SELECT group_concat(c, ' ') FROM (SELECT action || '=' || state AS c
    FROM commands ORDER BY id) AS t")" \
    "trip=done close=done trip=done close=done" "every command done"
exits 1 "sdm120 over RTU: no trip" meter-ctl trip "$S1"
is "$(f 1 result message)" "refused|profile sdm120 has no trip command" "refused"

# --- a recharge over RTU ------------------------------------------------------------

acct-open -n 串口户 "$W1" >/dev/null 2>&1
exits 0 "a sale to the prepay-1p meter over RTU" sale -o csv "$W1" 12.34
is "$(f 1 amount buy_count)" "12.34|1" "purchase 1"
exits 0 "read it" meter-ctl read "$W1"
is "$(f 1 buy_count)" "1" "the meter counted the purchase"
rtu 3 -r 11 -c 3
is "$(mbv 3)" "1" "mbpoll over RTU: purchase count 1 at 0x000D"
is "$(sql "SELECT state FROM commands WHERE action = 'recharge'")" "done" "the recharge is done"

# --- a dead meter on the serial bus stays silent ------------------------------------

stop_sim
start_sim site.yaml --tty "rtu1=$T/a" --state "$T/sim.state" --credit 50 --dead "$D1"
exits 69 "--strict with a dead meter over RTU" meter-read --strict -g rtu1
is "$(col "$T/out" state)" "ok timeout ok" "the dead meter times out, its neighbours answer"
like "$T/out" ",$D1,rtu1,timeout,.*timed out" "the error: the connection timed out"
exits 0 "again" meter-read -g rtu1
is "$(col "$T/out" state)" "ok lost ok" "lost after 2 polls"
is "$(sql "SELECT state FROM gateways WHERE name = 'rtu1'")" "ok" "the bus is ok"
stop_sim

unlike "$T/all.err" 'Sanitizer|runtime error' "no sanitizer reports from meter-sim"

done_testing
