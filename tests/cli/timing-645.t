#!/bin/sh
# DL/T 645 timing: a meter may take up to 500 ms to answer and leave up to
# 500 ms between two bytes of its reply.  meter-sim answers late; a meter
# of a few lines of python breaks off its reply in the middle.
. "$(dirname "$0")/lib.sh"

P=$(port_base)

# A profile of one value, so that the python meter answers one DI.
mkdir profiles
cp "$PREPAY_PROFILES"/*.yaml profiles/
cat >profiles/one-645.yaml <<'EOF'
profile: one-645
protocol: dlt645
values:
  energy_kwh: {di: 00010000, format: XXXXXX.XX}
EOF
PREPAY_PROFILES=$T/profiles
export PREPAY_PROFILES

cat >site.yaml <<EOF
site: 时序
buildings:
  - name: 1号楼
    gateways:
      - name: late
        address: tcp://127.0.0.1:$P
        timeout_ms: 100
        retries: 0
        meters:
          - {meter: "000000000001", room: "101", profile: dlt645-1p}
      - name: slow
        address: tcp://127.0.0.1:$((P + 1))
        timeout_ms: 100
        retries: 0
        meters:
          - {meter: "000000000002", room: "102", profile: one-645}
EOF
site-load site.yaml >/dev/null || echo "Bail out! site-load"

# --- the reply delay ------------------------------------------------------

start_sim site.yaml --delay 430
exits 0 "a meter 450 ms late, on a gateway of timeout_ms 100" \
    meter-read -o csv -g late
is "$(f 1 state)" ok "is waited for: the standard allows 500 ms"
stop_sim

start_sim site.yaml --delay 1200
exits 0 "a meter 1.2 s late" meter-read -o csv -g late
is "$(f 1 state)" timeout "times out"
like "$T/out" "no answer in time" "saying so"
stop_sim

# --- the byte gap ---------------------------------------------------------

# slow_meter GAP: one meter on port P+1 that sends the first 10 bytes of
# its reply, waits GAP seconds, then sends the rest.
slow_meter() {
	$PY - "$((P + 1))" "$1" <<'EOF' &
import socket, sys, time
port, gap = int(sys.argv[1]), float(sys.argv[2])
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", port))
srv.listen(1)
open("slow.ready", "w").close()
conn, _ = srv.accept()
buf = b""
while True:
    b = conn.recv(256)
    if not b:
        break
    buf += b
    i = buf.find(b"\x68")
    if i < 0 or len(buf) < i + 10 or len(buf) < i + 12 + buf[i + 9]:
        continue
    frame, buf = buf[i:i + 12 + buf[i + 9]], b""
    addr = frame[1:7]
    di = bytes((x - 0x33) & 0xFF for x in frame[10:14])
    # 1234.56 kWh, XXXXXX.XX lowest byte first
    data = di + bytes([0x56, 0x34, 0x12, 0x00])
    body = bytes([0x68]) + addr + bytes([0x68, 0x91, len(data)]) + \
        bytes((x + 0x33) & 0xFF for x in data)
    reply = b"\xfe" * 4 + body + bytes([sum(body) & 0xFF, 0x16])
    conn.sendall(reply[:10])
    time.sleep(gap)
    conn.sendall(reply[10:])
EOF
	sim_pids="$sim_pids $!"
	_i=0
	while [ ! -e slow.ready ] && [ $_i -lt 50 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	rm -f slow.ready
}

slow_meter 0.3
exits 0 "a reply with a 300 ms gap in it" meter-read -o csv -g slow
is "$(f 1 state energy_kwh)" "ok|1234.56" "is read whole"

slow_meter 0.8
exits 0 "a reply with an 800 ms gap in it" meter-read -o csv -g slow
is "$(f 1 state)" timeout "times out"
like "$T/out" "stopped halfway" "saying the reply stopped halfway"

done_testing
