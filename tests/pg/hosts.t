#!/bin/sh
# hosts.t: pollers on several hosts over one PostgreSQL site (doc/design.md,
# "Engines"), two processes with different poller names standing for two
# hosts.  Each polls the gateways the site names for it and those it names
# for none; a gateway both poll is held by one master at a time, the
# advisory lock on the server taking the flock's place; and a sale or a
# command made on one host for a meter that another host polls is queued
# when the bus is busy, and that host's running poller sends it within its
# next turn on the bus.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

need mbpoll
pg_start
P=$(port_base)
N=12
{
	cat <<EOF
site: 多机
defaults:
  price: 1.0000
buildings:
  - name: A楼
    gateways:
      - name: gwa
        address: tcp://127.0.0.1:$P
        timeout_ms: 500
        poller: host-a
        meters:
          - {meter: "A1", unit: 1, floor: 1, room: "101", profile: dds238-2}
  - name: B楼
    gateways:
      - name: gwb
        address: tcp://127.0.0.1:$((P + 1))
        timeout_ms: 500
        poller: host-b
        meters:
          - {meter: "B1", unit: 1, floor: 1, room: "101", profile: dds238-2}
          - {meter: "B2", unit: 2, floor: 1, room: "102", profile: prepay-1p, billing: meter}
  - name: C楼
    gateways:
      - name: gwc
        address: tcp://127.0.0.1:$((P + 2))
        timeout_ms: 500
        baud: 9600
        meters:
EOF
	i=1
	while [ $i -le $N ]; do
		printf '          - {meter: "C%02d", unit: %d, floor: 1, room: "1%02d", profile: dds238-2}\n' $i $i $i
		i=$((i + 1))
	done
} >site.yaml
export PREPAY_NOW="2026-11-20 10:00:00"
exits 0 "site-load: gwa for host-a, gwb for host-b, gwc for any" site-load site.yaml
exits 0 "an account on B2, a meter's wallet polled by host-b" acct-open -n 乙 B2
start_sim site.yaml --state "$T/sim.state" --credit 50 --seed 5

# --- each host its gateways; the shared one by one master at a time -------
(meter-read --poller host-a -o csv >a.out 2>a.err; echo $? >a.rc) &
pa=$!
(meter-read --poller host-b -o csv >b.out 2>b.err; echo $? >b.rc) &
pb=$!
wait $pa $pb
is "$(cat a.rc) $(cat b.rc)" "0 0" "the two hosts' polls at once both exit 0"
is "$(cat a.err b.err)" "" "... saying nothing on stderr"
gateways() {	# FILE: the gateways it polled
	sed 1d "$1" | cut -d, -f3 | sort -u | tr '\n' ' '
}
is "$(gateways a.out)" "gwa gwc " "host-a polls gwa and gwc, not host-b's gwb"
is "$(gateways b.out)" "gwb gwc " "host-b polls gwb and gwc, not host-a's gwa"
is "$(grep -c ',gwc,' a.out) $(grep -c ',gwc,' b.out)" "$N $N" "each read every meter of gwc"
is "$( (sed 1d a.out; sed 1d b.out) | cut -d, -f4 | sort -u)" "ok" "every meter answered"
is "$(psql_q "SELECT count(*) FROM readings r JOIN meters m ON m.id = r.meter_id
    JOIN gateways g ON g.id = m.gateway_id WHERE g.name = 'gwc'")" $((2 * N)) \
    "gwc's meters have both hosts' readings"
# One master at a time on gwc: one host's readings of it all come before
# the other's.
$PY - a.out b.out <<'EOF'
import csv, sys
a, b = ([r["time"] for r in csv.DictReader(open(f, encoding="utf-8"))
         if r["gateway"] == "gwc"] for f in sys.argv[1:])
sys.exit(not (max(a) <= min(b) or max(b) <= min(a)))
EOF
ok $? "the two hosts did not share gwc's bus"
is "$(psql_q "SELECT string_agg(coalesce(poller, '-'), ' ' ORDER BY poller) FROM polls")" \
    "host-a host-b" "each host's poll is recorded as its own"

# --- a command across hosts --------------------------------------------------
# host-b polls on and on.  A session on the server holds gwb's bus, as
# host-b's poller does during its turn, so that the work of "host-a" (the
# cashier's sale, a supervisor's trip) finds the bus busy and is queued.
rm -f b.fifo
mkfifo b.fifo
meter-read --poller host-b --every 30 -o csv >b.fifo 2>b2.err &
poller=$!
sim_pids="$sim_pids $poller"
cat b.fifo >b2.out &
reader=$!

hold_bus gwb
exits 0 "a sale to B2 on host-a while gwb is busy" sale -o csv B2 5.00
like "$T/err" 'pending' "its recharge is left pending"
exits 75 "meter-ctl trip --wait 0 of B1 on host-a: the bus is busy" \
    meter-ctl trip --wait 0 -o csv B1
is "$(psql_q "SELECT string_agg(action || '=' || state, ' ' ORDER BY id) FROM commands")" \
    "recharge=pending trip=pending" "both commands wait in the queue"
release
# host-b's poller takes the bus back and sends them.
pg_wait "$PREPAY_DB" "(SELECT bool_and(state = 'done') FROM commands)"
is "$(psql_q "SELECT string_agg(action || '=' || state, ' ' ORDER BY id) FROM commands")" \
    "recharge=done trip=done" "host-b's poller sent both, once it had the bus"
kill -TERM $poller
wait $poller
is "$?" 0 "host-b's poller ends on SIGTERM, exit 0"
wait $reader
is "$(grep -c ',gwa,' b2.out)" 0 "it never touched host-a's gwa"
exits 0 "meter-ctl read B2" meter-ctl read -o csv B2
is "$(f 1 balance buy_count)" "55.00|1" "B2 took the recharge once: 55.00, purchase 1"
exits 0 "meter-ctl read B1" meter-ctl read -o csv B1
is "$(f 1 relay)" "tripped" "B1 is tripped"
exits 0 "report verify" report verify

# --- a poller that loses its server ---------------------------------------
# It ends, exit 69, for systemd to start it again (prepay-poller.service:
# Restart=on-failure), on whichever server the URI then finds.
rm -f b.fifo
mkfifo b.fifo
meter-read --poller host-b --every 1 -o csv >b.fifo 2>b3.err &
poller=$!
sim_pids="$sim_pids $poller"
exec 6<b.fifo
read -r _header <&6
read -r _first <&6
ok $? "host-b polls on and on: its first reading is out"
cat <&6 >/dev/null &
reader=$!
pg_restart "$PG_DIR"
ok $? "the server restarts under it"
await_exit $poller
ok $? "the poller ends once it finds its server gone"
wait $poller
is "$?" 69 "exit 69, the server unavailable"
sed 's/^/# /' b3.err
wait $reader
exec 6<&-
like b3.err '^meter-read: .*the database server was lost: ' \
    "saying the database server was lost"
# Only that: not the audit log's failure after it.  (libpq itself prints
# the server's FATAL when the server goes down just as a connection is
# made, before a notice processor can be set on it.)
is "$(grep -c '^meter-read: ' b3.err)" 1 "in one line of its own"
exits 0 "report verify, on the restarted server" report verify

done_testing
