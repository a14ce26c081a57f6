#!/bin/sh
# meter-read, meter-ctl and meter-swap with DL/T 645-2007 meters: one
# gateway on a transparent TCP port, one on a socat pty pair at 2400 8E1,
# beside a Modbus gateway in the same site.  tests/cli/dlt645.py, a master
# of its own, checks what the tools say against the meters.
. "$(dirname "$0")/lib.sh"

need socat

P=$(port_base)
pty_pair "$T/a" "$T/b"

cat >site.yaml <<EOF
site: 国网表
operators:
  - {login: pp_super_t, role: supervisor}
defaults:
  price: 0.5380
  overload_w: 100000
  alarm1: 20.00
  alarm2: 5.00
buildings:
  - name: 1号楼
    gateways:
      - name: mb
        address: tcp://127.0.0.1:$P
        timeout_ms: 300
        meters:
          - {meter: "0101000001", unit: 1, floor: 1, room: "101", profile: sdm120}
          - {meter: "0101000002", unit: 2, floor: 1, room: "102", profile: prepay-1p, billing: meter}
      - name: d1
        address: tcp://127.0.0.1:$((P + 1))
        timeout_ms: 300
        retries: 1
        meters:
          - {meter: "002241020208", floor: 2, room: "201", profile: dlt645-1p}
          - {meter: "002241020209", floor: 2, room: "202", profile: dlt645-1p}
          - {meter: "D-203", address: "203", floor: 2, room: "203", profile: dlt645-1p}
          - {meter: "002241020299", floor: 2, room: "299", profile: dlt645-1p}
      - name: d2
        address: serial:$T/b
        timeout_ms: 600
        retries: 1
        meters:
          - {meter: "0103000001", floor: 3, room: "301", profile: dlt645-1p}
          - {meter: "0103000002", floor: 3, room: "302", profile: dlt645-1p}
EOF
M1=0101000001 W1=0101000002 A=002241020208 B=002241020209 C=D-203
SPARE=002241020299 S1=0103000001 S2=0103000002

exits 0 "a site of Modbus and DL/T 645 gateways loads" site-load site.yaml
is "$(sql "SELECT meter || ':' || coalesce(CAST(unit AS TEXT), '-') || ':' ||
    coalesce(address, '-') FROM meters ORDER BY id" | tr '\n' ' ')" \
    "$M1:1:- $W1:2:- $A:-:$A $B:-:$B $C:-:000000000203 $SPARE:-:$SPARE $S1:-:000103000001 $S2:-:000103000002 " \
    "a DL/T 645 meter answers on its address: the meter number, or address"

# meters_now: the meters, one line.
meters_now() {
	sql "SELECT count(*), group_concat(m) FROM (SELECT meter ||
	    coalesce(CAST(unit AS TEXT), '') || coalesce(address, '') ||
	    profile AS m FROM meters ORDER BY id) AS t"
}
# site_bad NAME MESSAGE SED: site.yaml changed by SED is refused, exit 78,
# with MESSAGE, and nothing is written.
site_bad() {
	sed -e "$3" site.yaml >bad.yaml
	! cmp -s site.yaml bad.yaml
	ok $? "$1: the test file really is changed"
	before=$(meters_now)
	exits 78 "$1" site-load bad.yaml
	like "$T/err" "$2" "$1: says so"
	is "$(meters_now)" \
	    "$before" "$1: nothing written"
}
site_bad "a unit on a DL/T 645 meter" "bad.yaml:24: 002241020209: unit: a DL/T 645 meter answers on its address" \
    's/{meter: "002241020209", floor: 2/{meter: "002241020209", unit: 3, floor: 2/'
site_bad "an address on a Modbus meter" "0101000001: address: a Modbus meter answers on its unit" \
    's/{meter: "0101000001", unit: 1,/{meter: "0101000001", unit: 1, address: "5",/'
site_bad "a DL/T 645 meter number of letters, no address" 'meter "D-204": a DL/T 645 meter.s address is 1..12 digits; give it as address' \
    's/{meter: "D-203", address: "203",/{meter: "D-204",/'
site_bad "an address of 13 digits" 'address "1234567890123"' \
    's/address: "203"/address: "1234567890123"/'
site_bad "the broadcast address" "999999999999 is the broadcast address" \
    's/address: "203"/address: "999999999999"/'
site_bad "two meters on one address" "address 002241020209 on gateway d1 is taken" \
    's/address: "203"/address: "2241020209"/'
site_bad "a Modbus meter on a DL/T 645 gateway" "gateway d1 has DL/T 645 meters: one gateway's meters speak one protocol" \
    's/{meter: "002241020299", floor: 2, room: "299", profile: dlt645-1p}/{meter: "0101000009", unit: 9, room: "299", profile: sdm120}/'
site_bad "billing meter on dlt645-1p" "profile dlt645-1p takes no recharge" \
    's/room: "201", profile: dlt645-1p}/room: "201", profile: dlt645-1p, billing: meter}/'

# The meters' passwords, as the site's key file has them.
printf '%s\n' "# the campus's DL/T 645 meters" \
    "gateway *   02123456 00000001" \
    "meter $B    04654321 00000002" >sim.keys
chmod 600 sim.keys
cp sim.keys prepay.db.keys
chmod 600 prepay.db.keys
# Beside a SQLite database the tools find it by the database's name; a
# server's site keeps it on each polling host (the state directory's
# prepay.keys), here named by PREPAY_KEYS.
on_pg && export PREPAY_KEYS="$T/prepay.db.keys"

start_sim site.yaml --tty "d2=$T/a" --keys "$T/sim.keys" --credit 30
like "$T/sim.out" "^d2 .*dlt645" "meter-sim serves d2 as a DL/T 645 bus"

# m645 ADDRESS ARGS...: dlt645.py on the TCP gateway d1.
m645() {
	$PY "$top/tests/cli/dlt645.py" --tcp "127.0.0.1:$((P + 1))" "$@" \
	    >"$T/py" 2>&1
}

# --- the poll -------------------------------------------------------------

exits 0 "meter-read over Modbus, DL/T 645 on TCP and on a pty" meter-read -o csv
is "$(col "$T/out" meter)" "$M1 $W1 $C $A $B $SPARE $S1 $S2" \
    "one row per meter, by gateway and address"
is "$(col "$T/out" state)" "ok ok ok ok ok ok ok ok" "every meter answers"
is "$(col "$T/out" relay)" " closed closed closed closed closed closed closed" \
    "the relay from status word 3 (an sdm120 has none)"
$PY - "$T/out" <<'EOF' >check.txt
import csv, re, sys
bad = []
for r in csv.DictReader(open(sys.argv[1], encoding="utf-8")):
    if not re.fullmatch(r"\d+\.\d\d", r["energy_kwh"]) or not 1000 <= float(r["energy_kwh"]) <= 5100:
        bad.append(r["meter"] + " energy " + r["energy_kwh"])
    if not re.fullmatch(r"2[23]\d\.\d", r["voltage_v"]):
        bad.append(r["meter"] + " voltage " + r["voltage_v"])
print(" ".join(bad) or "ok")
EOF
is "$(cat check.txt)" "ok" "energy is 0.01 kWh BCD of 1000-5100 kWh, voltage 0.1 V"

# The counter as meter-read stored it and as another master reads it.
e_db=$(sql "SELECT energy_wh FROM meters WHERE meter = '$A'")
m645 "$A" read 00010000
e_py=$(tail -n 1 "$T/py")
$PY - "$e_db" "$e_py" <<'EOF' >check.txt
import sys
wh = int(sys.argv[1])
kwh = int(sys.argv[2].split()[-1]) * 10
print("ok" if 0 <= kwh - wh <= 100 else "meter-read %d Wh, dlt645.py %d Wh" % (wh, kwh))
EOF
is "$(cat check.txt)" "ok" "meter-read's counter is the one the meter shows to dlt645.py"

exits 0 "meter-read -m reads one DL/T 645 meter on the pty" meter-read -o csv --meter "$S1"
is "$(f 1 meter state)" "$S1|ok" "at 2400 8E1 by default"

# --- relay control --------------------------------------------------------

exits 0 "meter-ctl trip a DL/T 645 meter" meter-ctl -o csv trip "$A"
is "$(f 1 result)" done "the trip is done"
like "$T/out" "confirmed by read-back" "and confirmed by a read-back"
m645 "$A" read 04000503
$PY - "$(tail -n 1 "$T/py")" <<'EOF' >check.txt
import sys
print("open" if int(sys.argv[1].split()[-1], 16) & 0x10 else "closed")
EOF
is "$(cat check.txt)" open "status word 3 shows the relay open to dlt645.py"
exits 0 "meter-ctl read" meter-ctl -o csv read "$A"
is "$(f 1 relay)" tripped "meter-ctl read shows it tripped"
exits 0 "meter-ctl close" meter-ctl -o csv close "$A"
is "$(f 1 result)" done "the close is done"
is "$(sql "SELECT relay FROM meters WHERE meter = '$A'")" closed "the mirror says closed"

exits 0 "keep-power on a DL/T 645 meter" meter-ctl -o csv keep "$A"
is "$(sql "SELECT keep FROM meters WHERE meter = '$A'")" on "keep is on"
exits 0 "keep-power released" meter-ctl -o csv unkeep "$A"
is "$(sql "SELECT keep FROM meters WHERE meter = '$A'")" off "keep is off"

exits 0 "a meter's own password (level 04) from its line" meter-ctl -o csv trip "$B"
is "$(f 1 result)" done "the trip of $B is done"
exits 0 "and the close" meter-ctl -o csv close "$B"

exits 0 "trip on the pty bus" meter-ctl -o csv trip "$S1"
is "$(f 1 result)" done "done over the serial line"
exits 0 "close on the pty bus" meter-ctl -o csv close "$S1"

# --- parameters -----------------------------------------------------------

exits 0 "a price on every rate" meter-ctl -o csv price 0.6123 "$A"
is "$(f 1 result)" done "the price is done"
m645 "$A" read 04050101
is "$(tail -n 1 "$T/py")" "00006123" "dlt645.py reads rate 1's price as 0000.6123"
m645 "$A" read 04050104
is "$(tail -n 1 "$T/py")" "00006123" "and rate 4's (valley) the same"
exits 0 "alarm amounts" meter-ctl -o csv settings --alarm1 30 --alarm2 8.5 "$A"
is "$(f 1 result)" done "the settings are done"
exits 0 "meter-ctl read" meter-ctl -o csv read "$A"
is "$(f 1 alarm1 alarm2 price)" "30.00|8.50|0.6123" "read back as written"

exits 1 "a command the profile lacks is refused" meter-ctl -o csv prepay "$A"
like "$T/out" "has no prepay command" "saying the profile has none"

# --- passwords and the key file -------------------------------------------

printf 'gateway * 02999999\n' >wrong.keys
chmod 600 wrong.keys
exits 77 "a password the meter refuses exits 77" \
    env PREPAY_KEYS=$T/wrong.keys meter-ctl -o csv trip "$A"
is "$(f 1 result)" failed "the command failed"
like "$T/out" "refused trip: password error or no authority" \
    "with the meter's error, in words"
like "$T/out" "wrong.keys" "naming the key file to check"
exits 0 "meter-ctl read" meter-ctl -o csv read "$A"
is "$(f 1 relay)" closed "the relay never moved"

printf 'meter 009999999999 02123456\n' >other.keys
chmod 600 other.keys
exits 78 "no password for the meter exits 78" \
    env PREPAY_KEYS=$T/other.keys meter-ctl -o csv trip "$A"
like "$T/out" "has no password for meter $A or gateway d1" "saying which"

cp sim.keys open.keys
chmod 644 open.keys
exits 78 "a key file others can read exits 78" \
    env PREPAY_KEYS=$T/open.keys meter-ctl -o csv trip "$A"
like "$T/out" "mode 0644: refused" "saying why"

exits 78 "no key file exits 78" \
    env PREPAY_KEYS=$T/none.keys meter-ctl -o csv trip "$A"
like "$T/out" "none.keys: No such file" "naming it"
is "$(sql "SELECT state || '|' || CASE WHEN last_error LIKE '%none.keys: No such file%'
    THEN 1 ELSE 0 END FROM commands ORDER BY id DESC LIMIT 1")" \
    "failed|1" "a renamed key file fails the command, not pending: its last error names the file"

printf 'gateway * 02123456\nmeter %s 98000000\n' "$C" >esam.keys
chmod 600 esam.keys
exits 78 "an ESAM meter (level 98) exits 78" \
    env PREPAY_KEYS=$T/esam.keys meter-ctl -o csv trip "$C"
like "$T/out" "ESAM identity authentication" "saying it needs the utility's ESAM"
is "$(sql "SELECT count(*) FROM commands WHERE meter_id = (SELECT id FROM meters WHERE meter = '$C') AND state = 'failed' AND attempts = 1")" 1 \
    "the command failed on its first attempt"
# The simulated meter takes the gateway's plain password: a frame sent
# would have tripped it.
exits 0 "meter-ctl read" meter-ctl -o csv read "$C"
is "$(f 1 relay)" closed "no frame was sent: the meter is still closed"

printf 'gateway * 03123456\n' >level.keys
chmod 600 level.keys
exits 78 "a level prepay does not send is refused" \
    env PREPAY_KEYS=$T/level.keys meter-ctl -o csv trip "$A"
like "$T/out" "level.keys:1: password level 03" "at its line"

printf 'gateway * 02123456\ngateway * 04123456\n' >twice.keys
chmod 600 twice.keys
exits 78 "a key file that names a gateway twice is refused" \
    env PREPAY_KEYS=$T/twice.keys meter-ctl -o csv trip "$A"
like "$T/out" "twice.keys:2: gateway \\* is listed twice" "at the second line"

# A key file this login cannot read (the tools not installed setgid to
# its group, prepay(7)) fails the command at once, exit 78, saying so:
# no other login would send it either.
if [ "$(id -u)" = 0 ]; then
	id -u pp_super_t >/dev/null 2>&1 || useradd -M -N -r pp_super_t ||
	    echo "# could not create login pp_super_t"
	login_role pp_super_t supervisor
	chmod 777 "$T"
	chmod 666 "$PREPAY_DB" "$PREPAY_DB-wal" "$PREPAY_DB-shm" "$T"/*.lock \
	    2>/dev/null
	run runuser -u pp_super_t -- env PREPAY_DB="$PREPAY_DB" \
	    PREPAY_PROFILES="$PREPAY_PROFILES" "$PREPAY_BIN/meter-ctl" -o csv \
	    trip "$A"
	is "$rc" 78 "a supervisor who cannot read the key file: 78"
	like "$T/out" "prepay.db.keys: Permission denied: it must be of the tools' group" \
	    "naming the key file and the fix"
	is "$(sql "SELECT state || '|' || CASE WHEN last_error LIKE
	    '%prepay.db.keys: Permission denied%' THEN 1 ELSE 0 END FROM commands
	    WHERE action = 'trip' ORDER BY id DESC LIMIT 1")" \
	    "failed|1" "the command failed, not left pending; its last error says why"
	exits 0 "meter-ctl read" meter-ctl -o csv read "$A"
	is "$(f 1 relay)" closed "the relay never moved"
else
	for i in 1 2 3 4 5; do
		tap_n=$((tap_n + 1))
		echo "ok $tap_n # skip not root"
	done
fi

exits 0 "keys are not needed for reads" env PREPAY_KEYS="$T/none.keys" \
    meter-read -o csv --meter "$A"
is "$(f 1 state)" ok "the read is ok"

# The database's bytes: the file, or the server's dump of it.
if on_pg; then
	pg_dump -d "$PREPAY_DB" >db.bytes 2>/dev/null
else
	cp prepay.db db.bytes
fi
ok "$( [ -s db.bytes ]; echo $?)" "the database's bytes, to search"
unlike db.bytes "02123456" "the database holds no password"

# --- the mixed site at work -----------------------------------------------

exits 0 "an account on a DL/T 645 meter" acct-open -o csv -n 国网 --balance 100 "$A"
acct=$(f 1 account)
exits 0 "an account on the Modbus wallet meter" acct-open -o csv -n 钱包 --balance 10 "$W1"
exits 0 "its recharge lands beside the DL/T 645 traffic" meter-read -o csv --meter "$W1"
is "$(f 1 buy_count)" 1 "purchase 1 on the Modbus meter"

exits 0 "swap the DL/T 645 meter for the spare" meter-swap -o csv "$A" "$SPARE"
is "$(sql "SELECT m.meter FROM meters m JOIN accounts a ON a.id = m.account_id WHERE a.account = '$acct'")" \
    "$SPARE" "the account is on the spare"

# --- a sale that pays up arrears closes the meter before its receipt -------

# relay645 METER: the relay as status word 3 shows it to dlt645.py.
relay645() {
	m645 "$1" read 04000503
	$PY -c 'import sys; print("open" if int(sys.argv[1].split()[-1], 16) & 0x10 else "closed")' \
	    "$(tail -n 1 "$T/py")"
}
# arrears_trip: the poller's arrears pipeline, as the shipped units run it.
arrears_trip() {
	run sh -c 'alarm-scan -k arrears | meter-ctl -o csv trip -'
}
printf '%s\n' '@@BillSN @@SaleType @@SaleMoney' '送电: @@Power' >power.tmpl
# Arrears, not an account opened with nothing (unfunded, never tripped):
# money paid in, then taken back to 0.00.
exits 0 "an account of 5.00 on a DL/T 645 meter" acct-open -o csv -n 欠费 --balance 5 "$B"
debtor=$(f 1 account)
exits 0 "refunded back to 0.00" refund -o csv "$debtor" 5
arrears_trip
is "$rc|$(f 1 meter result)" "0|$B|done" "the arrears pipeline trips it"
is "$(relay645 "$B")" open "dlt645.py reads its relay open"
exits 0 "the cashier's sale pays up the arrears" \
    sale -o csv --receipt r1.txt --template power.tmpl "$debtor" 20
is "$(sql "SELECT c.state FROM commands c JOIN meters m ON m.id = c.meter_id
    WHERE m.meter = '$B' AND c.action = 'close' AND c.reason = 'paid'")" done "its close after payment is done"
is "$(relay645 "$B")" closed "dlt645.py reads the relay closed in meter-sim"
is "$(sed -n 2p r1.txt)" "送电: 已合闸" \
    "the receipt, rendered after the close, says the power is back"
unlike "$T/err" "open-pending" "no warning"

# Arrears again, and the meter dead when the money comes.
exits 0 "the scan clears the arrears alarm" alarm-scan -o csv
exits 0 "a refund back to 0.00" refund -o csv "$debtor" 20
arrears_trip
is "$rc|$(f 1 result)" "0|done" "tripped for arrears again"
stop_sim
start_sim site.yaml --tty "d2=$T/a" --keys "$T/sim.keys" --dead "$B"
exits 0 "a sale while the meter is dead: recorded, exit 0" \
    sale -o csv --receipt r2.txt --template power.tmpl "$debtor" 15
is "$(sed -n 1p r2.txt | cut -d' ' -f2-)" "售电 15.00" "the receipt is printed all the same"
is "$(sed -n 2p r2.txt)" "送电: 待合闸" "saying the power waits"
like "$T/err" "^sale: meter $B: still open-pending: tripped for arrears" \
    "the warning says the meter is still open-pending"
is "$(sql "SELECT c.state FROM commands c JOIN meters m ON m.id = c.meter_id
    WHERE m.meter = '$B' AND c.action = 'close' ORDER BY c.id DESC LIMIT 1")" pending "its close waits"
stop_sim
start_sim site.yaml --tty "d2=$T/a" --keys "$T/sim.keys"
exits 0 "meter-read sends the close once the meter answers" meter-read -o csv -g d1
is "$(relay645 "$B")" closed "and the relay is closed"
exits 0 "report verify" report verify

# --- the clock ------------------------------------------------------------

# Give two meters of d1 a clock an hour fast, in meter-sim's state file.
stop_sim
start_sim site.yaml --tty "d2=$T/a" --keys "$T/sim.keys" --state "$T/sim.state"
stop_sim
sed -i '/^00224102020[89] /s/clock_off=[-0-9]*/clock_off=3600/' sim.state
is "$(grep -c 'clock_off=3600' sim.state)" 2 "two clocks are an hour fast"
start_sim site.yaml --tty "d2=$T/a" --keys "$T/sim.keys" --state "$T/sim.state"
exits 0 "meter-ctl time: the time broadcast on a DL/T 645 bus" \
    meter-ctl -o csv time "$A"
is "$(f 1 result)" done "is done: no meter answers a broadcast"
stop_sim
$PY - sim.state "$A" "$B" <<'EOF' >check.txt
import sys
off = {}
for line in open(sys.argv[1]):
    w = line.split()
    if w and not w[0].startswith("#"):
        off[w[0]] = int(dict(x.split("=") for x in w[1:])["clock_off"])
print(" ".join(str(abs(off[m]) <= 5) for m in sys.argv[2:]))
EOF
is "$(cat check.txt)" "True True" \
    "both meters of the bus have the time again, not an hour fast"

# --- faults of the line ---------------------------------------------------

start_sim site.yaml --tty "d2=$T/a" --keys "$T/sim.keys" --garbage 0.5 --split 0.5 --seed 7
exits 0 "meter-read through line noise and split replies" meter-read -o csv -b 1号楼
is "$(col "$T/out" state)" "ok ok ok ok ok ok ok ok" "every meter still answers"

stop_sim
start_sim site.yaml --tty "d2=$T/a" --keys "$T/sim.keys" --crc 1
exits 0 "meter-read when every reply has a bad checksum" meter-read -o csv -g d1
is "$(col "$T/out" state)" "timeout timeout timeout timeout" "no DL/T 645 meter is taken as read"
like "$T/out" "garbled reply: frame: bad checksum" "the error says the checksum was bad"

stop_sim
start_sim site.yaml --tty "d2=$T/a" --keys "$T/sim.keys" --exception 1
exits 0 "meter-read when the meters answer with error replies" meter-read -o csv -g d1
is "$(col "$T/out" state)" "error error error error" "every meter is in error"
like "$T/out" "refused a read of [0-9A-F]{8}: other error" "with the meter's error in words"

stop_sim
start_sim site.yaml --tty "d2=$T/a" --keys "$T/sim.keys" --dead "$B"
exits 0 "a dead DL/T 645 meter" meter-read -o csv -g d1
is "$(col "$T/out" state | sed 's/lost/timeout/')" "ok ok timeout ok" \
    "times out alone (or is lost, after the faults above)"

# --- who is on the bus ----------------------------------------------------

stop_sim
start_sim site.yaml --tty "d2=$T/a" --keys "$T/sim.keys" --dead "$S2"
exits 0 "meter-read --discover: the one meter live on the pty bus" \
    meter-read -o csv --discover d2
is "$(f 1 gateway address meter)" "d2|000103000001|$S1" \
    "tells its address, and the site's meter of that address"
exits 69 "four meters answering at once" meter-read -o csv --discover d1
like "$T/err" "more than one at once" "say that one meter must be attached"
exits 65 "a Modbus gateway" meter-read --discover mb
like "$T/err" "gateway mb is a Modbus bus" "is refused, saying why"
exits 65 "an unknown gateway" meter-read --discover nowhere
exits 64 "--discover with -g" meter-read --discover d2 -g d2

done_testing
