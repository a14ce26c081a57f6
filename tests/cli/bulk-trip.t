#!/bin/sh
# bulk-trip.t: a supervisor's trip of a selection (--building, --floor,
# --all, a list on stdin) keeps the site's friendly hours and keep-power
# as the poller's arrears trips do: inside the hours each trip is
# deferred to their end, a meter on keep-power is refused, each row saying
# why; --force trips them all at once.  A meter named by itself is
# tripped at once, as before.  Against meter-sim, on the library's clock.
. "$(dirname "$0")/lib.sh"

need mbpoll

P=$(port_base)
cat >site.yaml <<EOF2
site: 批量
defaults: {price: 0.5380, no_trip: "20:00-08:00"}
buildings:
  - name: 1号楼
    gateways:
      - name: gw1
        address: tcp://127.0.0.1:$P
        timeout_ms: 300
        retries: 1
        meters:
          - {meter: "0101000001", unit: 1, floor: 1, room: "101", profile: dds238-2}
          - {meter: "0101000002", unit: 2, floor: 1, room: "102", profile: dds238-2}
          - {meter: "0101000003", unit: 3, floor: 2, room: "201", profile: dds238-2}
  - name: 2号楼
    gateways:
      - name: gw2
        address: tcp://127.0.0.1:$((P + 1))
        timeout_ms: 300
        retries: 1
        meters:
          - {meter: "0201000001", unit: 1, floor: 1, room: "101", profile: dds238-2}
EOF2
A=0101000001 B=0101000002 C=0101000003 D=0201000001

# 2026-03-10 22:00 in Shanghai: inside the friendly hours 20:00-08:00.
NIGHT=1773151200
# 2026-03-11 08:30: the first poll after their end; 10:00: the day.
MORNING=1773189000
DAY=1773194400
export PREPAY_NOW=$NIGHT
site-load site.yaml >/dev/null || echo "Bail out! site-load"
start_sim site.yaml --state "$T/sim.state"

# relays: each meter's relay as meter-ctl read finds it, "A B C D".
relays() {
	for _m in $A $B $C $D; do
		meter-ctl read -o csv "$_m" >"$T/state.csv" 2>/dev/null
		printf '%s ' "$(row "$T/state.csv" 1 relay)"
	done
}
# result METER: the result and message of METER's row in the last output.
result() {
	$PY -c 'import csv,sys
for r in csv.DictReader(open(sys.argv[1], encoding="utf-8")):
    if r["meter"] == sys.argv[2]:
        print(r["result"] + "|" + r["message"])' "$T/out" "$1"
}
DEFER="pending|deferred to 2026-03-11 08:00:00: the site's friendly hours"
KEEP="refused|keep-power is on; --force trips it anyway"

exits 0 "keep-power for B" meter-ctl keep $B

# --- inside the friendly hours ---------------------------------------------------
exits 75 "trip --building 1号楼 at 22:00" meter-ctl trip --building 1号楼 -o csv
is "$(result $A)" "$DEFER" "A: deferred to the end of the friendly hours"
is "$(result $B)" "$KEEP" "B: refused, on keep-power, saying why"
is "$(result $C)" "$DEFER" "C: deferred"
is "$(nrows "$T/out")" 3 "one row per meter of the building"
is "$(relays)" "closed closed closed closed " "no relay moved"
is "$(sql "SELECT group_concat(t, ' ') FROM (SELECT m.meter || ':' || c.state
    || ':' || c.not_before AS t FROM commands c JOIN meters m ON
    m.id = c.meter_id WHERE c.action = 'trip' ORDER BY c.id) AS x")" \
    "$A:pending:1773187200 $C:pending:1773187200" \
    "A and C wait for 08:00; nothing is queued for B"

exits 75 "trip --building 1号楼 --floor 2" meter-ctl trip --building 1号楼 --floor 2 -o csv
is "$(nrows "$T/out")|$(result $C)" "1|$DEFER" "a floor: deferred too"
exits 75 "trip --all" meter-ctl trip --all -o csv
is "$(result $D)|$(result $B)" "$DEFER|$KEEP" "--all: every meter, deferred or refused"
exits 75 "a list of rooms on stdin" sh -c "printf 'room\n2号楼/101\n' | meter-ctl trip - -o csv"
is "$(result $D)" "$DEFER" "a list without the alarm column: deferred too"
exits 1 "a list of B alone" sh -c "printf 'meter\n$B\n' | meter-ctl trip - -o csv"
is "$(result $B)" "$KEEP" "... and keep-power holds for it"

# A meter named by itself is the supervisor's own act: at once, as before.
exits 0 "trip A by its number at 22:00" meter-ctl trip $A -o csv
is "$(result $A)" "done|confirmed by read-back" "a named meter trips at once"
exits 1 "trip B by its number" meter-ctl trip $B -o csv
is "$(result $B)" "$KEEP" "a named meter on keep-power is still refused without --force"
is "$(relays)" "tripped closed closed closed " "A alone is tripped"
exits 0 "close A" meter-ctl close $A

# --force: every meter of the selection at once, keep-power released.
exits 0 "--force trip --building 1号楼 at 22:00" meter-ctl --force trip --building 1号楼 -o csv
is "$(col "$T/out" result)" "done done done" "all done at once"
is "$(relays)" "tripped tripped tripped closed " "the building is off, 2号楼 is not"
is "$(sql "SELECT keep FROM meters WHERE meter = '$B'")" off "B's keep-power was released"
is "$(sql "SELECT count(*) FROM commands WHERE action = 'trip' AND state = 'pending' AND meter_id IN (SELECT id FROM meters WHERE meter IN ('$A', '$C'))")" 0 \
    "the forced trips superseded the deferred ones"
exits 0 "close the building" meter-ctl close --building 1号楼
is "$(relays)" "closed closed closed closed " "all closed again"

# --- the deferred trips run at the first poll after 08:00 --------------------------
exits 75 "trip --building 2号楼 at 22:00" meter-ctl trip --building 2号楼 -o csv
is "$(result $D)" "$DEFER" "deferred"
PREPAY_NOW=$MORNING
exits 0 "the poll at 08:30" meter-read -g gw2
is "$(sql "SELECT state FROM commands WHERE action = 'trip' AND meter_id = (SELECT id FROM meters WHERE meter = '$D') ORDER BY id DESC LIMIT 1")" \
    done "the deferred trip ran at the first poll after the friendly hours"
is "$(relays)" "closed closed closed tripped " "D is tripped"
exits 0 "close D" meter-ctl close $D

# --- outside the friendly hours ------------------------------------------------------
PREPAY_NOW=$DAY
exits 0 "keep-power for B again" meter-ctl keep $B
exits 1 "trip --building 1号楼 at 10:00" meter-ctl trip --building 1号楼 -o csv
is "$(result $A)|$(result $C)" "done|confirmed by read-back|done|confirmed by read-back" \
    "by day the trips are done at once"
is "$(result $B)" "$KEEP" "B on keep-power is refused still (exit 1)"
is "$(relays)" "tripped closed tripped closed " "A and C tripped, B not"
exits 0 "close the building" meter-ctl close --building 1号楼
is "$(col "$T/out" result)" "done done done" "a close is never deferred"

stop_sim
done_testing
