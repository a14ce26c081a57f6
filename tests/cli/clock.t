#!/bin/sh
# A clock stepped back (an NTP step) breaks no invariant: the charges, the
# readings' order, the serials across midnight, a swap's final reading.
# PREPAY_NOW sets each tool's clock.
. "$(dirname "$0")/lib.sh"

need mbpoll

P=$(port_base)
cat >site.yaml <<EOF
site: clock
defaults: {price: 0.5000, overload_w: 1000000}
buildings:
  - name: B
    gateways:
      - name: g
        address: tcp://127.0.0.1:$P
        timeout_ms: 500
        retries: 2
        meters:
          - {meter: "S1", unit: 1, profile: sdm120}
          - {meter: "S2", unit: 2, profile: sdm120}
          - {meter: "S3", unit: 3, profile: sdm120}
          - {meter: "S4", unit: 4, profile: sdm120}
EOF
site-load site.yaml >/dev/null || echo "Bail out! site-load"
# 2026-03-10 12:00:00 in Shanghai.
now=1773115200
at() {
	_t=$1
	shift
	PREPAY_NOW=$_t "$@"
}
for a in 1 2 3; do
	at $now acct-open -a A$a -n "A$a" S$a >/dev/null &&
	    at $now sale A$a 100 >/dev/null || echo "Bail out! acct-open A$a"
done
# The simulator's clock too, so that its load is the same at any hour.
export PREPAY_NOW=$now
start_sim site.yaml --speed 3600
unset PREPAY_NOW

# poll N TIME: one poll of meter S$N at TIME; the energy in $T/out.
poll() {
	at "$2" meter-read -o csv --meter "S$1" >"$T/out" 2>"$T/err" ||
	    sed 's/^/# meter-read: /' "$T/err"
}
# The counter moved on: the simulator runs an hour a second.
moved() {
	_e=$(sql "SELECT energy_wh FROM meters WHERE meter = 'S$1'")
	_i=0
	while [ $_i -lt 200 ]; do
		mbpoll_tcp "$P" "$1" -t 3:float -B -r 342 -c 1
		_n=$(mbv 1 | awk '{ printf "%d", $1 * 1000 }')
		[ -n "$_n" ] && [ "$_n" -gt $((${_e:-0} + 200)) ] && return
		sleep 0.1
		_i=$((_i + 1))
	done
}

# --- a close stamped a second before the last poll (issue 9, point 8) ----
poll 1 $((now + 60))
moved 1
poll 1 $((now + 120))
used=$(sql "SELECT used_e7 FROM accounts WHERE account = 'A1'")
[ "$used" -gt 0 ] 2>/dev/null
ok $? "the second poll charged A1 ($used e-7 yuan)"
exits 0 "acct-close with the clock a second behind the poll" \
    at $((now + 119)) acct-close -o csv A1
exits 0 "report verify passes" report verify -o csv
unlike "$T/out" '^charges,fail' "... the charges too"

# --- a second poll stepped back -----------------------------------------
poll 2 $((now + 60))
moved 2
poll 2 $((now + 120))
used=$(sql "SELECT used_e7 FROM accounts WHERE account = 'A2'")
moved 2
poll 2 $((now + 119))
is "$(sql "SELECT time - $now, flag, cost_e7 FROM readings
    WHERE meter_id = (SELECT id FROM meters WHERE meter = 'S2')
    ORDER BY id DESC LIMIT 1")" "120|jump|0" \
    "a poll behind the last reading is stamped at its time: an empty interval, flagged, not charged"
is "$(sql "SELECT used_e7 FROM accounts WHERE account = 'A2'")" "$used" \
    "... and the account paid nothing for it"
moved 2
poll 2 $((now + 180))
is "$(sql "SELECT count(*) FROM readings r WHERE meter_id = (SELECT id FROM
    meters WHERE meter = 'S2') AND time < (SELECT max(time) FROM readings
    WHERE meter_id = r.meter_id AND id < r.id)")" 0 \
    "the meter's readings never go back in time"
is "$(sql "SELECT sum(cost_e7) FROM readings WHERE meter_id = (SELECT id FROM
    meters WHERE meter = 'S2')")" \
    "$(sql "SELECT used_e7 FROM accounts WHERE account = 'A2'")" \
    "the next poll charged the whole interval, once"
exits 0 "report verify passes" report verify -o csv

# --- a swap's final reading with the clock behind the last poll ---------
poll 3 $((now + 120))
moved 3
exits 0 "meter-swap with the clock a second behind the last poll" \
    at $((now + 119)) meter-swap -o csv S3 S4
exits 0 "report verify passes" report verify -o csv

# --- serials across midnight, stepped back ------------------------------
# 2026-03-11 00:00:01, then 23:59:59 the day before.
mid=1773158400
exits 0 "a sale a second after midnight" at $((mid + 1)) sale -o csv A2 1
s1=$(f 1 serial)
exits 0 "a sale with the clock stepped back before midnight" \
    at $((mid - 1)) sale -o csv A2 1
s2=$(f 1 serial)
is "$s1 $s2" "20260311000001 20260311000002" \
    "the serials stay on the later day: strictly increasing, gap-free"
exits 0 "report verify passes" report verify -o csv
unlike "$T/out" '^serials,fail' "... the serials too"

stop_sim
unlike "$T/all.err" 'Sanitizer|runtime error' "no sanitizer reports from meter-sim"
done_testing
