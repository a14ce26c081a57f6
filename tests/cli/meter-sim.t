#!/bin/sh
# meter-sim: a real Modbus peer, cross-checked with mbpoll over Modbus-TCP
# and over Modbus-RTU on a socat pty pair.
. "$(dirname "$0")/lib.sh"

for c in mbpoll socat; do
	if ! command -v $c >/dev/null 2>&1; then
		echo "1..0 # SKIP $c is not installed"
		exit 0
	fi
done

# Everything started here is stopped on the way out, then lib.sh's.
pids=
stop_own() {
	for p in $pids; do
		kill "$p" 2>/dev/null
	done
	cleanup
}
trap stop_own EXIT
trap 'exit 1' INT TERM

# Ports of our own: blocks of 5 from the pid.
# Below the ephemeral range (32768 on), where client sockets sit.
base=$((20000 + ($$ % 2400) * 5))
P1=$base
P2=$((base + 1))
P3=$((base + 2))

cat >site.yaml <<EOF
site: 测试
defaults:
  price: 0.5380
  alarm1: 20.00
  alarm2: 5.00
  overload_w: 2200
buildings:
  - name: 1号楼
    gateways:
      - name: gw1
        address: tcp://127.0.0.1:$P1
        timeout_ms: 300
        meters:
          - {meter: "0101070722", unit: 1, room: "101", profile: prepay-1p, billing: meter}
          - {meter: "0101070723", unit: 2, room: "102", profile: sdm120}
          - {meter: "0101070724", unit: 3, room: "103", profile: dds238-2}
          - {meter: "0101070725", unit: 4, room: "104", profile: dds238-2}
      - name: gw2
        address: serial:/dev/ttyNONE9?baud=9600&parity=E
        meters:
          - {meter: "010107072A", unit: 1, profile: dds238-2}
          - {meter: "010107072B", unit: 2, profile: prepay-1p}
          - {meter: "010107072C", unit: 3, profile: sdm120}
      - name: gw3
        address: tcp://127.0.0.1:$P2
        meters:
          - {meter: "0101070730", unit: 1, profile: sdm120}
EOF

# start NAME ARGS...: meter-sim in the background, waiting for --ready;
# its pid in $sim.
start() {
	_n=$1
	shift
	rm -f "$T/ready"
	# The wallets start at 50.00 here, as a factory credit would.
	meter-sim --ready "$T/ready" --credit 50.00 "$@" >"$T/$_n.out" \
	    2>"$T/$_n.err" &
	sim=$!
	pids="$pids $sim"
	_i=0
	while [ ! -s "$T/ready" ] && kill -0 "$sim" 2>/dev/null &&
	    [ $_i -lt 200 ]; do
		sleep 0.02
		_i=$((_i + 1))
	done
	[ -s "$T/ready" ]
}

# stop SIGNAL: stop $sim, its exit code in $rc.
stop() {
	kill -"$1" "$sim"
	wait "$sim"
	rc=$?
}

# tcp UNIT ARGS...: mbpoll over Modbus-TCP at gw1, holding registers,
# addresses from 0; the values alone, one a line, in $T/out.
tcp() {
	_u=$1
	shift
	mbpoll -m tcp -p "$P1" -a "$_u" -0 -1 -o 0.5 "$@" 127.0.0.1 >"$T/mb" 2>&1
	rc=$?
	sed -n 's/^\[[0-9]*\]:[[:space:]]*\([-0-9.e+]*\).*/\1/p' "$T/mb" >"$T/out"
}

# tcpw UNIT ADDRESS VALUE...: mbpoll writes holding registers at gw1.
tcpw() {
	_u=$1
	_r=$2
	shift 2
	mbpoll -m tcp -p "$P1" -a "$_u" -0 -1 -o 0.5 -r "$_r" 127.0.0.1 "$@" \
	    >"$T/mb" 2>&1
	rc=$?
}

# rtu UNIT ARGS...: mbpoll reads over Modbus-RTU on the pty pair.
rtu() {
	_u=$1
	shift
	mbpoll -m rtu -b 9600 -P even -a "$_u" -0 -1 -o 0.3 "$@" "$T/b" \
	    >"$T/mb" 2>&1
	rc=$?
	sed -n 's/^\[[0-9]*\]:[[:space:]]*\([-0-9.e+]*\).*/\1/p' "$T/mb" >"$T/out"
}

# rtuw UNIT ADDRESS VALUE...: mbpoll writes over Modbus-RTU.
rtuw() {
	_u=$1
	_r=$2
	shift 2
	mbpoll -m rtu -b 9600 -P even -a "$_u" -0 -1 -o 0.3 -r "$_r" "$T/b" "$@" \
	    >"$T/mb" 2>&1
	rc=$?
}

# v N: the Nth value read (from 1).
v() {
	sed -n "${1}p" "$T/out"
}

# within LOW HIGH VALUE: LOW <= VALUE <= HIGH, numerically.
within() {
	$PY -c 'import sys; lo, hi, v = map(float, sys.argv[1:]); sys.exit(not lo <= v <= hi)' "$@" 2>/dev/null
}

# mbw PORT UNIT FC ADDRESS VALUE...: a write over Modbus-TCP, by hand,
# since mbpoll writes one register with FC 06 only.  Prints "ok",
# "exception N" or "timeout", a line for each of $MBW_TRIES sends.
mbw() {
	$PY - "$@" <<'EOF'
import os, socket, struct, sys
port, unit, fc, addr = (int(a, 0) for a in sys.argv[1:5])
vals = [int(a, 0) & 0xFFFF for a in sys.argv[5:]]
if fc == 16:
    pdu = struct.pack(">BHHB", 16, addr, len(vals), 2 * len(vals))
    pdu += b"".join(struct.pack(">H", x) for x in vals)
else:
    pdu = struct.pack(">BHH", fc, addr, vals[0])
s = socket.create_connection(("127.0.0.1", port),
    timeout=float(os.environ.get("MBW_WAIT", "1")))
for tid in range(int(os.environ.get("MBW_TRIES", "1"))):
    s.sendall(struct.pack(">HHHB", tid, 0, len(pdu) + 1, unit) + pdu)
    try:
        r = s.recv(260)
    except socket.timeout:
        print("timeout")
        continue
    if len(r) < 9:
        print("closed")
    elif r[7] & 0x80:
        print("exception %d" % r[8])
    else:
        print("ok")
EOF
}

# --- usage, and bad sites --------------------------------------------------

exits 0 "meter-sim -h" meter-sim -h
is "$(head -n 1 "$T/out" | cut -d' ' -f1-2)" "usage: meter-sim" "-h prints the usage"
if command -v mandoc >/dev/null 2>&1; then
	synopsis=$(mandoc -Tascii "$top/man/meter-sim.1" |
	    $PY -c 'import re, sys; sys.stdout.write(re.sub(".\b", "", sys.stdin.read()))' |
	    sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' | sed '1d;$d' | tr -s ' \t\n' '   ' | sed 's/^ //')
	is "$(sed 's/^usage: //' "$T/out" | tr -s ' \t\n' '   ')" "$synopsis" \
	    "the usage is the man page's SYNOPSIS"
fi
exits 0 "meter-sim -V" meter-sim -V
like "$T/out" '^meter-sim [0-9]' "-V prints the version"
exits 64 "an unknown option" meter-sim --bogus site.yaml
exits 64 "no site file" meter-sim
exits 64 "--drop above 1" meter-sim --drop 1.5 site.yaml
exits 66 "a missing site file" meter-sim "$T/none.yaml"
printf 'buildings:\n  - name: x\n    gateways: [\n' >bad.yaml
exits 78 "a malformed site file" meter-sim bad.yaml
like "$T/err" '^meter-sim: bad\.yaml:[0-9]+: ' "the message names file:line"
sed 's/profile: sdm120}/profile: nosuch}/' site.yaml >badprof.yaml
exits 78 "an unknown profile" meter-sim badprof.yaml
like "$T/err" '^meter-sim: badprof\.yaml:1[0-9]: profile: ' "the message names the line of the meter"
sed 's/unit: 4,/unit: 3,/' site.yaml >dup.yaml
exits 78 "two meters on one unit" meter-sim dup.yaml
exits 65 "--dead names no meter of the site" meter-sim --dead 0101070722,nosuch site.yaml
exits 65 "--down names no gateway of the site" meter-sim --down gw9 site.yaml
exits 64 "--tty on a TCP gateway" meter-sim --tty gw1=/dev/null site.yaml

# --- the site on TCP and on a pty pair --------------------------------------

socat pty,raw,echo=0,link="$T/a" pty,raw,echo=0,link="$T/b" 2>/dev/null &
pids="$pids $!"
i=0
while { [ ! -e "$T/a" ] || [ ! -e "$T/b" ]; } && [ $i -lt 100 ]; do
	sleep 0.02
	i=$((i + 1))
done

if ! start main --dead 0101070725,010107072C --down gw3 --tty "gw2=$T/a" \
    --state "$T/state" --seed 7 site.yaml; then
	echo "Bail out! meter-sim did not start"
	sed 's/^/# /' "$T/main.err"
	exit 1
fi
ok 0 "meter-sim writes --ready once it listens"
is "$(cat "$T/ready")" "$sim" "the ready file holds its pid"
is "$(cat "$T/main.out")" "gw1 tcp://127.0.0.1:$P1 4 meters modbus-tcp
gw2 serial:$T/a 3 meters modbus-rtu 9600 8E1
gw3 tcp://127.0.0.1:$P2 1 meter down" "it prints what it serves"

# prepay-1p: energy, peak, valley, V, I, P, pf, f, balance, count, relay,
# keep, mode, status
tcp 1 -r 0 -c 18
is "$rc" 0 "prepay-1p: mbpoll reads 18 registers"
e=$(( $(v 1) * 65536 + $(v 2) ))
pk=$(( $(v 3) * 65536 + $(v 4) ))
vl=$(( $(v 5) * 65536 + $(v 6) ))
within 100000 500000 "$e"
ok $? "prepay-1p: energy $e (0.01 kWh) is 1000-5000 kWh"
is "$((pk + vl - e <= 1 && e - pk - vl <= 1))" 1 "prepay-1p: peak + valley = total"
within 2190 2370 "$(v 7)"
ok $? "prepay-1p: voltage $(v 7) (0.1 V) is about 220-235 V"
within 900 990 "$(v 10)"
ok $? "prepay-1p: power factor $(v 10) is 0.90-0.99"
within 4995 5005 "$(v 11)"
ok $? "prepay-1p: frequency $(v 11) is 49.95-50.05 Hz"
within 20 2000 "$(v 9)"
ok $? "prepay-1p: power $(v 9) W is a household's"
$PY -c 'import sys; v, i, p, pf = map(float, sys.argv[1:]); a = p / (v / 10 * pf / 1000); sys.exit(abs(a - i / 100) > 0.011 + a * 0.01)' \
    "$(v 7)" "$(v 8)" "$(v 9)" "$(v 10)"
ok $? "prepay-1p: current = P / (V pf)"
is "$(v 12),$(v 13),$(v 14),$(v 15),$(v 16),$(v 17),$(v 18)" "0,5000,0,1,0,1,0" \
    "prepay-1p: balance 50.00, count 0, relay on, keep off, prepaid, status 0"
tcp 1 -r 32 -c 7
is "$(v 1),$(v 2),$(v 3),$(v 4),$(v 5),$(v 6),$(v 7)" "0,5380,0,2000,0,500,2200" \
    "prepay-1p: price 0.5380, alarms 20.00 and 5.00, overload 2200 W"
tcp 1 -r 39 -c 2
clock=$(( $(v 1) * 65536 + $(v 2) ))
now=$(date +%s)
is "$((clock >= now - 5 && clock <= now + 5))" 1 "prepay-1p: the clock is now"

# sdm120: input registers, floats, high word first
tcp 2 -t 3:float -B -r 0 -c 1
within 219 237 "$(v 1)"
ok $? "sdm120: voltage $(v 1) V as a float in input registers"
tcp 2 -t 3:float -B -r 0x48 -c 1
imp=$(v 1)
tcp 2 -t 3:float -B -r 0x156 -c 1
within 1000 5000 "$(v 1)"
ok $? "sdm120: total energy $(v 1) kWh"
is "$imp" "$(v 1)" "sdm120: import energy equals total"
tcp 2 -t 4 -r 0 -c 2
is "$(v 1),$(v 2)" "0,0" "sdm120: holding registers it does not name read as 0"

# dds238-2: holding registers, the relay at 0x001A
tcp 3 -r 0 -c 27
within 100000 500000 "$(( $(v 1) * 65536 + $(v 2) ))"
ok $? "dds238-2: energy"
within 2190 2370 "$(v 13)"
ok $? "dds238-2: voltage $(v 13) at 0x000C"
is "$(v 27)" 1 "dds238-2: the relay is on"
is "$(mbw "$P1" 3 16 0x1A 0)" ok "dds238-2: FC 16 to 0x001A: trip"
tcp 3 -r 0x1A -c 1
is "$(v 1)" 0 "dds238-2: the relay reads back 0"
tcp 3 -r 0x0E -c 1
is "$(v 1)" 0 "dds238-2: no power while tripped"
tcpw 3 0x1A 1
like "$T/mb" 'Illegal function' "dds238-2: mbpoll's FC 06 write is an illegal function"
is "$(mbw "$P1" 3 6 0x1A 1)" "exception 1" "dds238-2: FC 06: exception 1"
tcp 3 -r 0x1A -c 1
is "$(v 1)" 0 "dds238-2: the FC 06 write did nothing"
is "$(mbw "$P1" 3 16 0x1A 7)" "exception 3" "dds238-2: a relay value of 7: exception 3"
is "$(mbw "$P1" 3 16 0x30 1)" "exception 2" "dds238-2: a write to no command's address: exception 2"
is "$(mbw "$P1" 3 16 0x1A 1)" ok "dds238-2: FC 16 close"
tcp 3 -r 0x1A -c 1
is "$(v 1)" 1 "dds238-2: the relay reads back 1"
is "$(mbw "$P1" 2 16 0 1)" "exception 1" "sdm120: no writes at all: exception 1"

# prepay-1p: the wallet and its purchase count
tcpw 1 0x200 0 10000 1
is "$rc" 0 "prepay-1p: recharge 100.00 with count 1 (mbpoll FC 16)"
tcp 1 -r 11 -c 3
is "$(v 1),$(v 2),$(v 3)" "0,15000,1" "prepay-1p: balance 150.00, count 1"
tcpw 1 0x200 0 10000 1
like "$T/mb" 'Illegal data value' "prepay-1p: the same count again: exception 3"
tcpw 1 0x200 0 10000 3
like "$T/mb" 'Illegal data value' "prepay-1p: count + 2: exception 3"
is "$(mbw "$P1" 1 16 0x200 0xFFFF 0x0000 2)" "exception 3" \
    "prepay-1p: a refund above the balance: exception 3"
tcp 1 -r 11 -c 3
is "$(v 1),$(v 2),$(v 3)" "0,15000,1" "prepay-1p: refused recharges change nothing"
is "$(mbw "$P1" 1 16 0x200 0xFFFF 0xD8F0 2)" ok "prepay-1p: refund 100.00 with count 2"
tcp 1 -r 11 -c 7
is "$(v 1),$(v 2),$(v 3),$(v 4),$(v 7)" "0,5000,2,1,0" "prepay-1p: balance 50.00, count 2"

# keep-power, trip and close
is "$(mbw "$P1" 1 6 0x100 0)" "exception 1" "prepay-1p: FC 06 is an illegal function"
is "$(mbw "$P1" 1 16 0x101 1)" ok "prepay-1p: keep"
is "$(mbw "$P1" 1 16 0x100 0)" ok "prepay-1p: trip under keep is taken..."
tcp 1 -r 14 -c 4
is "$(v 1),$(v 2),$(v 4)" "1,1,64" "... and ignored: relay on, keep on, status 0x0040"
is "$(mbw "$P1" 1 16 0x101 0)" ok "prepay-1p: unkeep"
mbw "$P1" 1 16 0x100 0 >/dev/null
tcp 1 -r 14 -c 4
is "$(v 1),$(v 2),$(v 4)" "0,0,2" "prepay-1p: trip: relay off, status 0x0002 (tripped by command)"
mbw "$P1" 1 16 0x100 1 >/dev/null
tcp 1 -r 14 -c 4
is "$(v 1),$(v 4)" "1,0" "prepay-1p: close: relay on, status 0"

# price, settings, clock
is "$(mbw "$P1" 1 16 0x20 0 6000)" ok "prepay-1p: price 0.6000"
is "$(mbw "$P1" 1 16 0x22 0 3000 0 1000 1500)" ok "prepay-1p: settings 30.00, 10.00, 1500 W"
is "$(mbw "$P1" 1 16 0x27 0x5F5E 0x1000)" ok "prepay-1p: set the clock"
tcp 1 -r 32 -c 9
is "$(v 2),$(v 4),$(v 6),$(v 7),$(v 8)" "6000,3000,1000,1500,24414" \
    "prepay-1p: price, alarms and overload read back"
is "$(($(v 9) >= 4096 && $(v 9) <= 4099))" 1 "prepay-1p: the clock reads back, and runs"

# The wallet trips the meter at zero, and a recharge closes it again.
is "$(mbw "$P1" 1 16 0x200 0xFFFF 0xEC78 3)" ok "prepay-1p: refund the whole 50.00"
tcp 1 -r 11 -c 7
is "$(v 2),$(v 4),$(v 7)" "0,0,45" \
    "prepay-1p: balance 0: relay off, status 0x002D (wallet, alarms, arrears)"
is "$(mbw "$P1" 1 16 0x200 0 2000 4)" ok "prepay-1p: recharge 20.00"
tcp 1 -r 11 -c 7
is "$(v 2),$(v 4),$(v 7)" "2000,1,4" "prepay-1p: the meter closes itself; status 0x0004 (alarm 1 at 30.00)"
mbw "$P1" 1 16 0x102 0 >/dev/null
mbw "$P1" 1 16 0x200 0xFFFF 0xF830 5 >/dev/null
tcp 1 -r 11 -c 7
is "$(v 2),$(v 4),$(v 6)" "0,1,0" "prepay-1p: in manual mode zero does not trip"
mbw "$P1" 1 16 0x102 1 >/dev/null
tcp 1 -r 14 -c 1
is "$(v 1)" 0 "prepay-1p: back in prepaid mode, it trips"
mbw "$P1" 1 16 0x200 0 5000 6 >/dev/null

# Reads Modbus refuses.
is "$($PY - "$P1" <<'EOF'
import socket, struct, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1)
for unit, addr, n in ((1, 0, 126), (1, 0xFFF0, 0x20), (1, 0, 0)):
    s.sendall(struct.pack(">HHHBBHH", 1, 0, 6, unit, 3, addr, n))
    r = s.recv(260)
    print("%02x.%d" % (r[7], r[8]), end=" ")
EOF
)" "83.3 83.2 83.3 " "126 registers: exception 3; past 65535: exception 2; none: 3"

# Dead, missing and down.
tcp 4 -r 0 -c 2
like "$T/mb" 'Target device failed to respond' "a --dead meter on TCP: exception 0x0B"
tcp 9 -r 0 -c 2
like "$T/mb" 'Target device failed to respond' "no meter at the unit: exception 0x0B"
mbpoll -m tcp -p "$P2" -a 1 -0 -1 -o 0.5 -r 0 127.0.0.1 >"$T/mb" 2>&1
like "$T/mb" 'Connection refused' "a --down gateway refuses connections"

# Ports and devices that cannot be had.
exits 69 "a port in use" meter-sim --tty "gw2=$T/a" site.yaml
like "$T/err" "^meter-sim: gateway gw1: listen on tcp://127.0.0.1:$P1: " \
    "the message names the gateway and its address"
sed "s/:$P1/:$P3/" site.yaml >other.yaml
exits 69 "a --tty device that is not there" meter-sim --tty "gw2=$T/none" other.yaml

# Garbage does no harm.
$PY - "$P1" <<'EOF'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1)
s.sendall(b"\x00\x01\x00\x00\x00\x02\x01" + bytes(range(200)))
s.close()
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1)
s.sendall(b"GET / HTTP/1.0\r\n\r\n")
s.close()
EOF
printf '\001\003\000\000\000\001\000\000garbage' >"$T/b"
tcp 3 -r 0x1A -c 1
is "$rc,$(v 1)" "0,1" "after garbage on TCP, meter-sim still answers"

# Modbus-RTU on the pty pair.
rtu 1 -r 0x1A -c 1
is "$rc,$(v 1)" "0,1" "RTU: dds238-2 at unit 1: the relay"
rtu 2 -r 11 -c 4
is "$rc,$(v 1),$(v 2),$(v 3),$(v 4)" "0,0,5000,0,1" "RTU: prepay-1p at unit 2: balance, count, relay"
rtuw 2 0x200 0 700 1
is "$rc" 0 "RTU: recharge 7.00 with count 1"
rtuw 2 0x200 0 700 1
like "$T/mb" 'Illegal data value' "RTU: the same count again: exception 3"
rtu 2 -r 11 -c 3
is "$(v 2),$(v 3)" "5700,1" "RTU: balance 57.00, count 1"
rtu 3 -t 3:float -B -r 0 -c 1
like "$T/mb" 'timed out' "RTU: a --dead meter stays silent"
rtu 9 -r 0 -c 1
like "$T/mb" 'timed out' "RTU: a unit without a meter stays silent"
rtu 1 -r 0x1A -c 1
is "$rc,$(v 1)" "0,1" "RTU: the bus still answers after silence"
rtuw 1 0x1A 0
like "$T/mb" 'Illegal function' "RTU: dds238-2 refuses FC 06"

# --state and SIGTERM
tcp 1 -r 11 -c 3
before="$(v 2),$(v 3)"
stop TERM
is "$rc" 0 "SIGTERM: exit 0"
like "$T/state" '^0101070722 energy=[0-9]+ .*balance=5000 .*buy_count=6 ' "the state file holds the wallet"
[ ! -e "$T/ready" ]
ok $? "the ready file is removed on exit"

# At an hour a second, energy moves; the state keeps it across a restart.
start fast --state "$T/state" --speed 3600 --tty "gw2=$T/a" site.yaml
ok $? "restart with --state and --speed 3600"
tcp 1 -r 11 -c 3
within 4800 "${before%,*}" "$(v 2)"
ok $? "the balance came back from the state (${before%,*} -> $(v 2))"
is "$(v 3)" "${before#*,}" "the purchase count came back from the state"
tcp 3 -r 0 -c 2
e0=$(( $(v 1) * 65536 + $(v 2) ))
sleep 1.5
tcp 3 -r 0 -c 2
e1=$(( $(v 1) * 65536 + $(v 2) ))
is "$((e1 > e0))" 1 "energy grows with simulated time ($e0 -> $e1)"
stop INT
is "$rc" 0 "SIGINT: exit 0"
start again --state "$T/state" --tty "gw2=$T/a" site.yaml
tcp 3 -r 0 -c 2
e2=$(( $(v 1) * 65536 + $(v 2) ))
is "$((e2 >= e1))" 1 "the energy counter is kept across the restart ($e1 -> $e2)"
stop TERM

# --- timing and faults ----------------------------------------------------------

# How long an exchange takes at --baud is measured by tests/bench/timing.
start baud --baud 9600 site.yaml
tcp 3 -r 0 -c 125
is "$(wc -l <"$T/out" | tr -d ' ')" 125 "--baud 9600: a 125-register read is served"

# Four clients at once on one gateway are all served.
i=0
clients=
while [ $i -lt 4 ]; do
	mbpoll -m tcp -p "$P1" -a 3 -0 -1 -o 3 -r 0 -c 125 127.0.0.1 \
	    >"$T/c$i" 2>&1 &
	clients="$clients $!"
	i=$((i + 1))
done
for p in $clients; do
	wait "$p"
done
is "$(cat "$T"/c? | grep -c '^\[124\]')" 4 "four clients at once are all served"
stop TERM

start busy --exception 1 --state "$T/s2" site.yaml
tcp 1 -r 0 -c 2
like "$T/mb" 'busy' "--exception 1: every reply is exception 6"
is "$(mbw "$P1" 1 16 0x200 0 100 1)" "exception 6" "--exception 1: a recharge is refused as busy..."
stop TERM
like "$T/s2" '^0101070722 .*balance=5000 .*buy_count=0 ' "... and not applied"

# Lost replies: the recharge is applied once, however often it is sent.
start drop --drop 1 --seed 3 --state "$T/s2" site.yaml
MBW_TRIES=8 MBW_WAIT=0.1 mbw "$P1" 1 16 0x200 0 100 1 >"$T/drops"
stop TERM
is "$(sort -u "$T/drops")" "timeout" "--drop 1: nothing answers 8 sends"
like "$T/s2" '^0101070722 .*balance=5100 .*buy_count=1 ' \
    "--drop 1: a lost reply still applied the recharge, exactly once"

start crc --crc 1 --tty "gw2=$T/a" site.yaml
rtu 1 -r 0x1A -c 1
like "$T/mb" 'CRC|Invalid' "--crc 1: RTU replies have a bad CRC"
stop TERM

# Whatever it was fed, no meter-sim tripped a sanitizer.
cat "$T"/*.err >"$T/all.err"
unlike "$T/all.err" 'Sanitizer|runtime error' "no sanitizer reports"

done_testing
