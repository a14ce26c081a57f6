#!/bin/sh
# meter-ctl against meter-sim over Modbus-TCP: trip and close confirmed by
# read-back, keep-power, price, settings, time, read, the kinds of targets,
# refusals, deferral of an arrears trip in friendly hours, and a command
# left pending on a down gateway that the next poll runs.
. "$(dirname "$0")/lib.sh"

need mbpoll

P=$(port_base)
P1=$P
P2=$((P + 1))

# site NO_TRIP: the site file, with the friendly hours NO_TRIP.
site() {
	cat <<EOF
site: 控制
defaults:
  price: 0.5380
  alarm1: 20.00
  alarm2: 5.00
  overload_w: 2200
  no_trip: "$1"
tariffs:
  dorm: {price: 0.5680}
buildings:
  - name: 1号楼
    gateways:
      - name: gw1
        address: tcp://127.0.0.1:$P1
        timeout_ms: 200
        retries: 1
        meters:
          - {meter: "0101000001", unit: 1, floor: 1, room: "101", profile: dds238-2}
          - {meter: "0101000002", unit: 2, floor: 1, room: "102", profile: prepay-1p, billing: meter, tariff: dorm, alarm1: 30.00}
          - {meter: "0101000003", unit: 3, floor: 2, room: "201", profile: sdm120}
          - {meter: "0101000004", unit: 4, floor: 2, room: "202", profile: prepay-1p, billing: meter}
          - {meter: "0101000005", unit: 5, floor: 2, room: "203", profile: dds238-2}
  - name: 2号楼
    gateways:
      - name: gw2
        address: tcp://127.0.0.1:$P2
        timeout_ms: 200
        retries: 1
        meters:
          - {meter: "0201000001", unit: 1, floor: 1, room: "101", profile: dds238-2}
          - {meter: "0201000002", unit: 2, floor: 1, room: "102", profile: prepay-1p, billing: meter}
EOF
}
D1=0101000001 W1=0101000002 S1=0101000003 W2=0101000004 D2=0101000005
D3=0201000001 W3=0201000002

# Friendly hours that do not hold now (a window ending 2 hours ago): no
# trip is deferred until the window is moved over now below.
far=$($PY -c 'import datetime as d; n = d.datetime.now(); print((n + d.timedelta(hours=-4)).strftime("%H:%M") + "-" + (n + d.timedelta(hours=-2)).strftime("%H:%M"))')
site "$far" >site.yaml
site-load site.yaml >/dev/null || echo "Bail out! site-load"
start_sim site.yaml --state "$T/sim.state" --credit 50
acct-open -n 双表 "$D1" "$D2" >/dev/null || echo "Bail out! acct-open"	# 100001
# Money once, given back: at 0.00 it is in arrears (opened with nothing
# and never paid, it would be unfunded; see alarm-scan(1)).
{ sale 100001 5 && refund 100001 5; } >/dev/null || echo "Bail out! sale and refund"

# mbw PORT UNIT ADDRESS VALUE...: an FC 16 write by hand; prints "ok",
# "exception N" or "timeout".
mbw() {
	$PY - "$@" <<'EOF'
import socket, struct, sys
port, unit, addr = (int(a, 0) for a in sys.argv[1:4])
vals = [int(a, 0) & 0xFFFF for a in sys.argv[4:]]
pdu = struct.pack(">BHHB", 16, addr, len(vals), 2 * len(vals))
pdu += b"".join(struct.pack(">H", x) for x in vals)
s = socket.create_connection(("127.0.0.1", port), timeout=1)
s.sendall(struct.pack(">HHHB", 1, 0, len(pdu) + 1, unit) + pdu)
try:
    r = s.recv(260)
    print("exception %d" % r[8] if r[7] & 0x80 else "ok")
except socket.timeout:
    print("timeout")
EOF
}

# state METER COLUMN...: columns of `meter-ctl read METER`.
state() {
	_m=$1
	shift
	meter-ctl read "$_m" >"$T/state.csv" 2>"$T/state.err"
	row "$T/state.csv" 1 "$@"
}

# --- read -------------------------------------------------------------------------

exits 0 "meter-ctl read" meter-ctl read "$W1"
is "$(head -n 1 "$T/out")" \
    "time,meter,gateway,state,energy_kwh,import_kwh,energy_peak_kwh,energy_valley_kwh,power_w,voltage_v,current_a,pf,freq_hz,balance,buy_count,relay,keep,mode,status,price,alarm1,alarm2,overload_w,clock,error" \
    "the 25 columns of read"
is "$(f 1 meter gateway state balance buy_count relay keep mode status price alarm1 alarm2 overload_w error)" \
    "$W1|gw1|ok|50.00|0|closed|off|prepay|0x0000|0.5680|30.00|5.00|2200|" \
    "prepay-1p: the whole state; price from its tariff, alarm1 its own"
$PY -c 'import sys; e, p, v = map(float, sys.argv[1:]); sys.exit(abs(p + v - e) > 0.015)' \
    "$(f 1 energy_kwh)" "$(f 1 energy_peak_kwh)" "$(f 1 energy_valley_kwh)"
ok $? "prepay-1p: peak + valley = energy ($(f 1 energy_kwh energy_peak_kwh energy_valley_kwh))"
exits 0 "read three meters" meter-ctl read "$D1" "$S1" "$D3"
is "$(col "$T/out" meter)" "$D1 $S1 $D3" "one row per meter"
is "$(f 1 relay keep balance price import_kwh)" "closed||||" "dds238-2: a relay, nothing else of those"
is "$(f 2 relay import_kwh)" "|$(f 2 energy_kwh)" "sdm120: no relay; import = total"
is "$(col "$T/out" state)" "ok ok ok" "every meter ok"
exits 0 "read -o tsv" meter-ctl read -o tsv "$D1"
is "$(head -n 1 "$T/out" | tr '\t' '\n' | wc -l | tr -d ' ')" 25 "25 TSV columns"

# --- trip and close on a dds238-2 ---------------------------------------------------

exits 0 "trip a dds238-2" meter-ctl trip "$D1"
is "$(head -n 1 "$T/out")" "meter,action,result,message" "the result columns"
is "$(f 1 meter action result message)" "$D1|trip|done|confirmed by read-back" "done, confirmed by read-back"
is "$(state "$D1" relay power_w)" "tripped|0" "meter-ctl read: tripped, no power"
mbpoll_tcp "$P1" 1 -r 0x1A -c 1
is "$(mbv 1)" "0" "mbpoll: 0x001A reads 0"
is "$(sql "SELECT action || '|' || state || '|' || attempts FROM commands ORDER BY id DESC LIMIT 1")" \
    "trip|done|1" "the command row: done after 1 attempt"
is "$(sql "SELECT relay FROM meters WHERE meter = '$D1'")" "tripped" "the meter's relay is mirrored"
exits 0 "close it" meter-ctl close "$D1"
is "$(f 1 result message)" "done|confirmed by read-back" "done"
is "$(state "$D1" relay)" "closed" "meter-ctl read: closed"
mbpoll_tcp "$P1" 1 -r 0x1A -c 1
is "$(mbv 1)" "1" "mbpoll: 0x001A reads 1"

exits 1 "sdm120: trip" meter-ctl trip "$S1"
is "$(f 1 result message)" "refused|profile sdm120 has no trip command" "refused: no relay"
exits 1 "dds238-2: price" meter-ctl price 0.6000 "$D1"
is "$(f 1 result message)" "refused|profile dds238-2 has no price command" "refused"

# --- keep-power -------------------------------------------------------------------

exits 0 "keep a prepay-1p" meter-ctl keep "$W1"
is "$(f 1 result)" "done" "done"
is "$(state "$W1" keep status)" "on|0x0040" "the meter shows keep-power on"
exits 1 "trip a kept meter" meter-ctl trip "$W1"
is "$(f 1 result message)" "refused|keep-power is on; --force trips it anyway" "refused"
is "$(state "$W1" relay)" "closed" "the relay stays closed"
n_cmd=$(sql "SELECT count(*) FROM commands")
exits 0 "--force trips it" meter-ctl --force trip "$W1"
is "$(f 1 result)" "done" "done"
is "$(state "$W1" relay keep)" "tripped|off" "tripped, and keep-power is off"
is "$(sql "SELECT keep FROM meters WHERE meter = '$W1'")" "off" "keep is off at the master station"
is "$(sql "SELECT group_concat(c, ' ') FROM (SELECT action || '=' || state AS c
    FROM commands WHERE id > $n_cmd ORDER BY id) AS t")" \
    "unkeep=done trip=done" "an unkeep went ahead of the trip"
exits 0 "close it" meter-ctl close "$W1"

exits 0 "keep a dds238-2" meter-ctl keep "$D2"
is "$(f 1 result message)" "done|keep-power on (kept by the master station; the meter has none)" \
    "kept by the master station"
is "$(sql "SELECT keep FROM meters WHERE meter = '$D2'")" "on" "marked at once"
exits 1 "trip the kept dds238-2" meter-ctl trip "$D2"
is "$(f 1 result)" "refused" "refused"
is "$(state "$D2" relay)" "closed" "the relay stays closed"
exits 0 "unkeep it" meter-ctl unkeep "$D2"
is "$(f 1 result message)" "done|keep-power off (kept by the master station; the meter has none)" "off"
exits 0 "now trip goes through" meter-ctl trip "$D2"
is "$(state "$D2" relay)" "tripped" "tripped"
exits 0 "close it" meter-ctl close "$D2"

# --- price, settings, mode, time ---------------------------------------------------

exits 0 "price 0.6000" meter-ctl price 0.6000 "$W1"
is "$(f 1 action result message)" "price|done|confirmed by read-back" "done"
is "$(state "$W1" price)" "0.6000" "the meter charges 0.6000"
mbpoll_tcp "$P1" 2 -r 0x20 -c 2
is "$(( $(mbv 1) * 65536 + $(mbv 2) ))" 6000 "mbpoll: 0x0020 holds 6000 (x 0.0001)"
exits 0 "price without a price" meter-ctl price "$W1" "$W2"
is "$(col "$T/out" result)" "done done" "done"
is "$(state "$W1" price)" "0.5680" "the tariff's price"
is "$(state "$W2" price)" "0.5380" "without a tariff, the site's default"
exits 65 "a price that does not parse" meter-ctl price 0.12345 "$W1"

exits 0 "settings given" meter-ctl settings --alarm1 25 --alarm2 8.50 --overload 3000 "$W1"
is "$(f 1 action result)" "settings|done" "done"
is "$(state "$W1" alarm1 alarm2 overload_w)" "25.00|8.50|3000" "the meter reads them back"
mbpoll_tcp "$P1" 2 -r 0x22 -c 5
is "$(mbv 2),$(mbv 4),$(mbv 5)" "2500,850,3000" "mbpoll: 0x0022..0x0026"
exits 0 "settings from the site file" meter-ctl settings "$W1" "$W2"
is "$(state "$W1" alarm1 alarm2 overload_w)" "30.00|5.00|2200" "the meter's own alarm1, the defaults"
is "$(state "$W2" alarm1 alarm2 overload_w)" "20.00|5.00|2200" "the site's defaults"
exits 64 "--overload out of range" meter-ctl settings --overload 0 "$W1"
exits 1 "sdm120: settings" meter-ctl settings "$S1"
is "$(f 1 result)" "refused" "refused"

exits 0 "manual mode" meter-ctl manual "$W1"
is "$(state "$W1" mode)" "manual" "manual"
exits 0 "prepay mode" meter-ctl prepay "$W1"
is "$(state "$W1" mode)" "prepay" "prepay"

is "$(mbw "$P1" 2 0x27 0x5F5E 0x1000)" ok "the meter's clock is set to 2020 by hand"
is "$(state "$W1" clock | cut -c1-4)" "2020" "the clock reads 2020"
exits 0 "time" meter-ctl time "$W1"
is "$(f 1 action result)" "time|done" "done"
$PY - "$(state "$W1" clock)" <<'EOF'
import sys, time
t = time.mktime(time.strptime(sys.argv[1], "%Y-%m-%d %H:%M:%S"))
sys.exit(abs(t - time.time()) > 5)
EOF
ok $? "the meter's clock is now ($(state "$W1" clock))"

# --- targets ----------------------------------------------------------------------

printf 'meter,account,room\n%s,,\n,100001,\n,,2号楼/101\n%s,100001,\n' "$W2" "$W1" >list.csv
exits 0 "trip a list from -" sh -c 'meter-ctl trip - <list.csv'
is "$(col "$T/out" meter)" "$W2 $D1 $D2 $D3 $W1" \
    "a meter, an account's meters, a BUILDING/ROOM, and the meter column first"
is "$(col "$T/out" result)" "done done done done done" "all done"
is "$(state "$D3" relay)" "tripped" "the room's meter is tripped"
printf 'account\t名\n100001\tx\n' >list.tsv
exits 0 "close a TSV list" sh -c 'meter-ctl close - <list.tsv'
is "$(col "$T/out" meter)" "$D1 $D2" "the account's meters"
exits 65 "a list row that names nothing" sh -c 'printf "meter,room\n,\n" | meter-ctl trip -'
exits 65 "a list with an unknown room" sh -c 'printf "room\n9号楼/999\n" | meter-ctl trip -'
n_cmd=$(sql "SELECT count(*) FROM commands")
exits 65 "an unknown meter among known ones" meter-ctl close "$W2" 0999999999
is "$(sql "SELECT count(*) FROM commands")" "$n_cmd" "nothing is done"

exits 1 "trip --building 1号楼 --floor 2" meter-ctl trip --building 1号楼 --floor 2
is "$(col "$T/out" meter)" "$S1 $W2 $D2" "the meters of floor 2"
is "$(col "$T/out" result)" "refused done done" "the sdm120 refuses; exit 1"
exits 1 "close --all" meter-ctl close --all
is "$(col "$T/out" meter)" "$D1 $W1 $S1 $W2 $D2 $D3 $W3" "every meter of the site"
is "$(col "$T/out" result)" "done done refused done done done done" "all closed but the sdm120"
exits 0 "read --building 2号楼" meter-ctl read --building 2号楼
is "$(col "$T/out" relay)" "closed closed" "gw2's meters are closed"
exits 65 "a floor without meters" meter-ctl trip --building 1号楼 --floor 9

exits 64 "an unknown action" meter-ctl bogus "$D1"
exits 64 "no targets" meter-ctl trip
exits 64 "two kinds of targets" meter-ctl trip --all "$D1"
exits 64 "--floor without --building" meter-ctl trip --floor 1 "$D1"
exits 64 "no action" meter-ctl

# --- friendly hours ---------------------------------------------------------------

# A window from an hour ago to an hour ahead, across midnight if need be.
win=$($PY -c 'import datetime as d; n = d.datetime.now(); print((n - d.timedelta(hours=1)).strftime("%H:%M") + "-" + (n + d.timedelta(hours=1)).strftime("%H:%M"))')
site "$win" >site.yaml
site-load site.yaml >/dev/null || echo "Bail out! site-load with no_trip"
end=${win#*-}
until=$($PY - "$end" <<'EOF'
import datetime as d, sys
h, m = map(int, sys.argv[1].split(":"))
n = d.datetime.now()
t = n.replace(hour=h, minute=m, second=0, microsecond=0)
if t <= n:
    t += d.timedelta(days=1)
print(int(t.timestamp()), t.strftime("%Y-%m-%d %H:%M:%S"))
EOF
)
printf 'meter,alarm\n%s,arrears\n' "$D1" >arrears.csv
printf 'meter,alarm\n%s,arrears\n' "$W2" >credit.csv
exits 1 "an arrears trip of a meter on no account" sh -c 'meter-ctl trip - <credit.csv'
is "$(f 1 result message)" "refused|not an arrears trip: the meter is on no open account" \
    "refused: the database says no arrears"
exits 75 "an arrears trip inside no_trip $win" sh -c 'meter-ctl trip - <arrears.csv'
is "$(f 1 meter action result)" "$D1|trip|pending" "pending"
is "$(f 1 message)" "deferred to ${until#* }: the site's friendly hours" "deferred to the window's end"
is "$(sql "SELECT state || '|' || not_before FROM commands ORDER BY id DESC LIMIT 1")" \
    "pending|${until%% *}" "the command waits with not_before at the window's end"
is "$(state "$D1" relay)" "closed" "the relay stays closed"
exits 0 "a poll" meter-read -g gw1
is "$(sql "SELECT state FROM commands ORDER BY id DESC LIMIT 1")" "pending" \
    "the poll does not run it before its time"
is "$(state "$D1" relay)" "closed" "still closed"
cmd=$(sql "SELECT max(id) FROM commands")
# The window's end, come early: the next poll runs the trip.
sql "UPDATE commands SET not_before = CAST(strftime('%s', 'now') AS BIGINT) - 1 WHERE id = $cmd"
exits 0 "a poll after the window's end" meter-read -g gw1
is "$(sql "SELECT state FROM commands WHERE id = $cmd")" "done" "runs the deferred trip: done"
is "$(state "$D1" relay)" "tripped" "the meter is tripped"
exits 0 "close it" meter-ctl close "$D1"

exits 75 "another arrears trip" sh -c 'meter-ctl trip - <arrears.csv'
cmd=$(sql "SELECT max(id) FROM commands")
exits 0 "a trip on the command line" meter-ctl trip "$D1"
is "$(f 1 result)" "done" "is done at once"
is "$(sql "SELECT state || '|' || last_error FROM commands WHERE id = $cmd")" \
    "failed|superseded by command $(sql "SELECT max(id) FROM commands")" \
    "and supersedes the deferred one"
printf 'meter,alarm\n%s,\n' "$D1" >other.csv
exits 0 "a list whose alarm column is not arrears" sh -c 'meter-ctl close - <other.csv'
is "$(f 1 result)" "done" "is done at once"
is "$(state "$D1" relay)" "closed" "closed"

# A supervisor's list is a selection: inside the hours it waits too
# (bulk-trip.t), unless --force.
printf 'meter\n%s\n' "$D2" >plain.csv
exits 75 "a trip from a list without the alarm column" sh -c 'meter-ctl trip - <plain.csv'
is "$(f 1 meter result)" "$D2|pending" "is deferred as a selection"
exits 0 "the same list with --force" sh -c 'meter-ctl --force trip - <plain.csv'
is "$(f 1 meter result)" "$D2|done" "is done at once"
is "$(state "$D2" relay)" "tripped" "tripped"
exits 0 "close D2" meter-ctl close "$D2"

# Both on account 100001, which holds nothing: in arrears.
printf 'meter,alarm\n%s,arrears\n%s,arrears\n' "$D2" "$D1" >arrears2.csv
exits 75 "arrears trips of two meters" sh -c 'meter-ctl trip - <arrears2.csv'
is "$(col "$T/out" result)" "pending pending" "both deferred"
cmd=$(sql "SELECT max(id) FROM commands")
exits 0 "keep one of them" meter-ctl keep "$D1"
is "$(sql "SELECT state || '|' || last_error FROM commands WHERE id = $cmd")" \
    "failed|cancelled: keep-power is on" "keep-power cancels its waiting trip"
is "$(sql "SELECT state FROM commands WHERE id = $((cmd - 1))")" "pending" "the other still waits"
exits 0 "unkeep it" meter-ctl unkeep "$D1"
exits 0 "a close supersedes the other" meter-ctl close "$D2"
is "$(sql "SELECT count(*) FROM commands WHERE state IN ('pending', 'sent')")" 0 "nothing waits"

# --- a down gateway: pending, then the next poll runs it ---------------------------

stop_sim
start_sim site.yaml --state "$T/sim.state" --credit 50 --down gw2
exits 75 "trip on a down gateway" meter-ctl trip "$D3"
is "$(f 1 meter action result)" "$D3|trip|pending" "pending"
like "$T/out" "Connection refused" "the message says why"
is "$(sql "SELECT state FROM commands ORDER BY id DESC LIMIT 1")" "pending" "the command is pending"
cmd=$(sql "SELECT max(id) FROM commands")
exits 69 "read on a down gateway" meter-ctl read "$D3"
is "$(f 1 state)" "timeout" "the read times out"
stop_sim
start_sim site.yaml --state "$T/sim.state" --credit 50
is "$(state "$D3" relay)" "closed" "with gw2 back, the relay is still closed"
exits 0 "the next poll" meter-read
is "$(sql "SELECT state FROM commands WHERE id = $cmd")" "done" "ran the pending command: done"
is "$(state "$D3" relay)" "tripped" "the meter is tripped"
mbpoll_tcp "$P2" 1 -r 0x1A -c 1
is "$(mbv 1)" "0" "mbpoll: 0x001A reads 0"
is "$(f 6 meter relay)" "$D3|tripped" "the poll's own row shows it tripped"
is "$(sql "SELECT count(*) FROM commands WHERE state IN ('pending', 'sent')")" 0 "nothing waits"

stop_sim
unlike "$T/all.err" 'Sanitizer|runtime error' "no sanitizer reports from meter-sim"

done_testing
