#!/bin/sh
# meter-sim as a DL/T 645-2007 peer: a transparent TCP converter and a
# serial bus on a socat pty pair, checked with tests/cli/dlt645.py, a
# master of its own written from the standard; beside a Modbus gateway.
. "$(dirname "$0")/lib.sh"

need socat

P=$(port_base)
P1=$P
P2=$((P + 1))
M="$PY $top/tests/cli/dlt645.py"

pty_pair "$T/a" "$T/b"

cat >site.yaml <<EOF
site: 规约
defaults:
  price: 0.5380
buildings:
  - name: 1号楼
    gateways:
      - name: gw645
        address: tcp://127.0.0.1:$P1
        meters:
          - {meter: "002241020208", room: "101", profile: dlt645-1p}
          - {meter: "0301", room: "102", profile: dlt645-1p}
          - {meter: "TX-9", address: "123456789012", profile: dlt645-1p}
          - {meter: "000000000404", profile: dlt645-1p}
          - {meter: "000000000505", profile: dlt645-1p}
      - name: ser645
        address: serial:/dev/ttyNONE645
        meters:
          - {meter: "110000000001", profile: dlt645-1p}
      - name: mb
        address: tcp://127.0.0.1:$P2
        meters:
          - {meter: "0101000001", unit: 1, profile: sdm120}
EOF
EX=002241020208 A=000000000301 X=123456789012 E=000000000404 D=000000000505
S=110000000001

# 0301 and TX-9 have passwords of their own, 0404 wants ESAM; the example
# meter has no line and takes any plain password.
cat >keys <<EOF
meter 0301 02123456
meter TX-9 04654321 00000001
meter 000000000404 98000000
EOF
chmod 600 keys

# tcp ARGS... / ser ARGS...: one exchange with dlt645.py, output in
# $T/out, its -v trace and messages in $T/err, the exit code in $rc.
tcp() {
	run $M --tcp "127.0.0.1:$P1" "$@"
}
ser() {
	run $M --tty "$T/b" --baud 2400 "$@"
}
# wire: what came back in the last -v trace, the pieces joined.
wire() {
	sed -n 's/^< //p' "$T/err" | tr '\n' ' ' | sed 's/ $//'
}

# --- the site file -------------------------------------------------------------

bad_site() {
	sed "$1" site.yaml >bad.yaml
	exits 78 "$2" meter-sim bad.yaml
	like "$T/err" "$3" "$2: the message"
}
bad_site '/"0101000001"/a\          - {meter: "000000000777", profile: dlt645-1p}' \
    "a dlt645 meter among modbus ones" \
    '^meter-sim: bad\.yaml:[0-9]+: profile: gateway mb mixes modbus and dlt645 meters$'
bad_site 's/{meter: "0301", /{meter: "0301", unit: 2, /' "a unit on a dlt645 meter" \
    '^meter-sim: bad\.yaml:[0-9]+: unit: a DL/T 645 meter answers on its address, not a unit$'
bad_site 's/address: "123456789012"/address: "000000000301"/' "two meters on one address" \
    '^meter-sim: bad\.yaml:[0-9]+: address: address 000000000301 is already meter 0301 on gateway gw645$'
bad_site 's/address: "123456789012"/address: "1234567890123"/' "an address of 13 digits" \
    'bad\.yaml:[0-9]+: address: "1234567890123": use 1 to 12 decimal digits$'
bad_site 's/address: "123456789012", //' "a meter number that is no address" \
    'bad\.yaml:[0-9]+: meter: TX-9 is no DL/T 645 address'
bad_site 's/unit: 1, //' "a modbus meter still needs its unit" \
    'bad\.yaml:[0-9]+: unit: missing$'
chmod 644 keys
exits 78 "a key file others may read" meter-sim --keys keys site.yaml
like "$T/err" 'key file keys is mode 0644: refused' "the message says why"
chmod 600 keys

# --- serving -------------------------------------------------------------------

# Simulated time barely moves: what is read is what the state file keeps.
start_sim site.yaml --tty "ser645=$T/a" --keys keys --dead "$D" --speed 0.001 \
    --state "$T/sim.state" --seed 3
is "$(cat "$T/sim.out")" "gw645 tcp://127.0.0.1:$P1 5 meters dlt645-tcp
ser645 serial:$T/a 1 meter dlt645 2400 8E1
mb tcp://127.0.0.1:$P2 1 meter modbus-tcp" \
    "the notice: dlt645 over tcp, over the pty at 2400 8E1, and modbus"

# The standard's worked example: read DI 04000402 of meter 002241020208.
tcp -v "$EX" read 04000402
is "$(sed -n 's/^> //p' "$T/err")" \
    "FE FE FE FE 68 08 02 02 41 22 00 68 11 04 35 37 33 37 2A 16" \
    "the worked example's request, byte for byte"
is "$(wire)" "FE FE FE FE 68 08 02 02 41 22 00 68 D1 01 35 46 16" \
    "its reply: 4 FE, the meter's address, D1, L 1, error 02 (+33), CS, 16"
is "$rc" 1 "an error reply: the profile has no meter-number DI"
like "$T/err" 'error 02: no data requested or data not found$' "no data, says the master"

tcp -v "$EX" read 00010000
like "$T/out" '^[0-9]{8}$' "energy: 4 BCD bytes"
echo "$(wire)" >"$T/shape"
like "$T/shape" '^FE FE FE FE 68 08 02 02 41 22 00 68 91 08 33 33 34 33( [0-9A-F]{2}){4} [0-9A-F]{2} 16$' \
    "the reply: 91, L 8, DI 00010000 (+33) and 4 data bytes"

tcp "$EX" read 00010000 --format XXXXXX.XX
is "$rc" 0 "read the example meter's energy"
kwh=$(cat "$T/out")
like "$T/out" '^[0-9]+\.[0-9]{2}$' "XXXXXX.XX: $kwh kWh"
$PY -c 'import sys; sys.exit(not 1000 <= float(sys.argv[1]) <= 5000)' "$kwh"
ok $? "1000 to 5000 kWh, as the model starts"
tcp "$EX" read 00010200 --format XXXXXX.XX
peak=$(cat "$T/out")
tcp "$EX" read 00010400 --format XXXXXX.XX
valley=$(cat "$T/out")
$PY -c 'import sys; t, p, v = map(float, sys.argv[1:]); sys.exit(not abs(p + v - t) <= 0.02)' \
    "$kwh" "$peak" "$valley"
ok $? "peak $peak + valley $valley = total $kwh"
tcp "$EX" read 02010100 --format XXX.X
like "$T/out" '^2(19|2[0-9]|3[0-6])\.[0-9]$' "voltage XXX.X: $(cat "$T/out") V"
tcp "$EX" read 02030000 --format XX.XXXX --signed
like "$T/out" '^0\.[0-9]{4}$|^[1-9]\.[0-9]{4}$' "power XX.XXXX kW: $(cat "$T/out")"
tcp AAAAAAAA0301 read 02010100 --format XXX.X
is "$rc" 0 "AA wildcard bytes: the one meter they match answers"

# --- relay control (0x1C) and status word 3 --------------------------------------

tcp "$A" read 04000503
is "$(cat "$T/out")" "0000" "status word 3: relay closed, no command, no keep"
tcp "$A" relay 1A --password 02123456
is "$rc|$(cat "$T/out")" "0|ok" "trip with the meter's password"
tcp "$A" read 04000503
is "$(cat "$T/out")" "0050" "status word 3: relay open (0010), by command (0040)"
tcp "$A" read 02030000 --format XX.XXXX --signed
is "$(cat "$T/out")" "0.0000" "no power while open"
tcp "$A" relay 1C --password 02123456
is "$rc" 0 "direct close"
tcp "$A" read 04000503
is "$(cat "$T/out")" "0000" "closed again"
tcp "$A" relay 3A --password 02123456
tcp "$A" read 04000503
is "$(cat "$T/out")" "1000" "keep-power on: bit 1000"
tcp "$A" relay 1A --password 02123456
is "$rc" 0 "a trip under keep-power is accepted"
tcp "$A" read 04000503
is "$(cat "$T/out")" "1000" "and the relay stays closed"
tcp "$A" relay 3B --password 02123456
tcp "$A" read 04000503
is "$(cat "$T/out")" "0000" "keep-power off"
tcp "$A" relay 1B --password 02123456
is "$rc" 1 "close-allowed: the profile has no such command"
like "$T/err" 'error 01: other error$' "an other error"

tcp "$A" relay 1A --password 02999999
is "$rc" 1 "a wrong password"
like "$T/err" 'error 04: password error or no authority$' "the password bit"
tcp "$X" relay 1A --password 04654321
is "$rc" 0 "TX-9 at its address: its own level-04 password"
tcp "$X" relay 1C --password 04654321
tcp "$EX" relay 1A --password 04000000
is "$rc" 0 "a meter with no line in the key file takes any level-04 password"
tcp "$EX" relay 1C --password 03000000
is "$rc" 1 "but not a level-03 one"
like "$T/err" 'error 04: ' "a password error"
tcp "$EX" relay 1C --password 02000000
tcp "$E" relay 1A --password 98000000
is "$rc" 1 "a meter whose key wants ESAM"
like "$T/err" 'error 04: ' "refuses every relay control"
tcp "$E" write 04050101 00006000 --password 02000000
like "$T/err" 'error 04: ' "and every write"
tcp "$A" relay 1A --password 02123456 --valid -600
is "$rc" 1 "a relay control already past its validity time"
like "$T/err" 'error 01: other error$' "is refused"
tcp "$A" read 04000503
is "$(cat "$T/out")" "0000" "and not applied"

# --- writes (0x14) and reads of DIs --------------------------------------------

tcp "$A" write 04050101 00006000 --password 02123456
is "$rc|$(cat "$T/out")" "0|ok" "write the price of rate 1: 0.6000"
tcp "$A" read 04050101 --format XXXX.XXXX
is "$(cat "$T/out")" "0.6000" "it reads back"
tcp "$A" write 04001001 00003000 --password 02123456
tcp "$A" read 04001001 --format XXXXXX.XX
is "$(cat "$T/out")" "30.00" "alarm 1, one field of the settings command"
tcp "$A" write 04050101 0060 --password 02123456
is "$rc" 1 "a value of the wrong length"
like "$T/err" 'error 01: ' "is an other error"
tcp "$A" write 04009999 00000001 --password 02123456
is "$rc" 1 "a write to a DI the profile has no write for"
like "$T/err" 'error 02: no data requested' "no data"
tcp "$A" write 04050101 00007000 --password 02123457
like "$T/err" 'error 04: ' "a write with a wrong password"
tcp "$A" read 04050101 --format XXXX.XXXX
is "$(cat "$T/out")" "0.6000" "changes nothing"

# --- who is there, broadcasts, dead meters, bad frames ---------------------------

ser addr
is "$rc|$(cat "$T/out")" "0|$S" "0x13 on the serial bus: its one meter answers"
tcp --timeout 0.5 addr
is "$rc" 2 "0x13 with four live meters on the bus: their replies collide, none"
tcp --timeout 0.5 999999999999 read 00010000
is "$rc|$(cat "$T/out")" "0|sent" "nothing answers the broadcast address"
tcp --timeout 0.5 "$D" read 00010000
is "$rc" 2 "a --dead meter is silent"
tcp --timeout 0.5 999999999998 read 00010000
is "$rc" 2 "so is an address with no meter"
tcp --timeout 0.5 --corrupt "$EX" read 00010000
is "$rc" 2 "a request with a bad checksum is ignored"
tcp --pieces 3 "$EX" read 00010000
is "$rc" 0 "a request in three TCP segments is put together"

# A broadcast time sync of 2030: the relay control's validity is now past.
tcp --timeout 0.5 time 300101000000
is "$rc" 0 "0x08: broadcast time"
tcp "$A" relay 1A --password 02123456
is "$rc" 1 "after a sync to 2030 a control valid for 10 minutes is past"
tcp --timeout 0.5 time
tcp "$A" relay 1A --password 02123456
is "$rc" 0 "synced back to now, it is valid"
tcp "$A" relay 1C --password 02123456

# --- the serial bus ----------------------------------------------------------

ser "$S" read 00010000 --format XXXXXX.XX
like "$T/out" '^[0-9]+\.[0-9]{2}$' "energy over the pty at 2400 8E1"
ser "$S" relay 1A --password 02000000
ser "$S" read 04000503
is "$(cat "$T/out")" "0050" "trip over the pty"
ser "$S" relay 1C --password 02000000

if command -v mbpoll >/dev/null 2>&1; then
	mbpoll_tcp "$P2" 1 -t 3:float -B -r 0 -c 1
	like "$T/mbv" '^2[23][0-9]' "the modbus gateway beside them still answers"
fi

stop_sim
is "$(sed -n "s/^$EX energy=\([0-9]*\) .*/\1/p" "$T/sim.state" |
    $PY -c 'import sys; print("%.2f" % (int(sys.stdin.read()) // 10 / 100))')" "$kwh" \
    "the energy read is the model's, in whole 0.01 kWh"
like "$T/sim.state" "^0301 .* relay=1 keep=0 .*price=6000 alarm1=3000 " \
    "the state file keeps the relay, the keep, the price and alarm 1"
like "$T/sim.state" "^0301 .* status=0 " "no trip latched"

# --- faults --------------------------------------------------------------------

start_sim site.yaml --tty "ser645=$T/a" --keys keys --state "$T/sim.state" \
    --garbage 1 --split 1 --seed 5
tcp -v "$EX" read 00010000 --format XXXXXX.XX
is "$rc" 0 "--garbage 1 --split 1: the master still reads over TCP"
is "$(($(grep -c '^< ' "$T/err") >= 2))" 1 "the reply came in pieces"
$PY -c 'import sys; b = sys.argv[1].split(); sys.exit(not b.index("68") > 4)' "$(wire)"
ok $? "after noise before its FE FE FE FE"
ser "$S" read 00010000 --format XXXXXX.XX
is "$rc" 0 "and over the pty"
tcp "$A" read 04050101 --format XXXX.XXXX
is "$(cat "$T/out")" "0.6000" "the price came back from the state file"
stop_sim

start_sim site.yaml --tty "ser645=$T/a" --state "$T/sim.state" --crc 1
tcp --timeout 1 "$EX" read 00010000
is "$rc" 3 "--crc 1: every reply has a bad checksum"
like "$T/err" 'bad checksum' "the master rejects it"
ser --timeout 1 "$S" read 00010000
is "$rc" 3 "on the pty too"
stop_sim

start_sim site.yaml --tty "ser645=$T/a" --state "$T/sim.state" --exception 1
tcp "$A" relay 1A --password 02123456
is "$rc" 1 "--exception 1: an error reply"
like "$T/err" 'error 01: other error$' "an other error"
stop_sim
like "$T/sim.state" "^0301 .* relay=1 " "and the trip was not applied"

start_sim site.yaml --tty "ser645=$T/a" --drop 1 --delay 100 --baud 2400
tcp --timeout 1 "$EX" read 00010000
is "$rc" 2 "--drop 1: no reply"
stop_sim

start_sim site.yaml --tty "ser645=$T/a" --down gw645 --delay 100 --baud 2400
ser "$S" read 00010000 --format XXXXXX.XX
is "$rc" 0 "--delay and --baud on the pty"
tcp --timeout 0.5 "$EX" read 00010000
is "$rc" 4 "a --down gateway refuses the connection"
stop_sim

unlike "$T/all.err" 'Sanitizer|runtime error' "no sanitizer reports from meter-sim"

done_testing
