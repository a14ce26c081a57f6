#!/bin/sh
# meter-read --every against meter-sim over Modbus-TCP: cycle after cycle
# on two buses, each written and printed as it completes; a sale and a
# command queued while it runs reach their meters; meter-ctl gets the bus;
# SIGTERM and SIGINT end it with the cycle written and exit 0; the options
# that make no sense with it; the site's poll_seconds, --every site and
# --due.  The clock is held (PREPAY_NOW), so the cycles do not wait for it;
# the test waits for what it needs to see, never for a time.
. "$(dirname "$0")/lib.sh"

P=$(port_base)

cat >site.yaml <<EOF
site: 连续
defaults:
  price: 0.5380
  overload_w: 1000000
buildings:
  - name: 1号楼
    gateways:
      - name: gw1
        address: tcp://127.0.0.1:$P
        timeout_ms: 300
        retries: 1
        meters:
          - {meter: "0101000001", unit: 1, floor: 1, room: "101", profile: sdm120}
          - {meter: "0101000002", unit: 2, floor: 1, room: "102", profile: dds238-2}
          - {meter: "0101000003", unit: 3, floor: 2, room: "201", profile: prepay-1p, billing: meter}
  - name: 2号楼
    gateways:
      - name: gw2
        address: tcp://127.0.0.1:$((P + 1))
        timeout_ms: 300
        retries: 1
        meters:
          - {meter: "0201000001", unit: 1, floor: 1, room: "101", profile: dds238-2}
          - {meter: "0201000002", unit: 2, floor: 1, room: "102", profile: prepay-1p, billing: meter}
EOF
D1=0101000002 W1=0101000003 W2=0201000002

site-load site.yaml >/dev/null || echo "Bail out! site-load"
start_sim site.yaml --state "$T/sim.state" --credit 50 --seed 3
acct-open -n 连续户 "$W1" >/dev/null 2>&1 || echo "Bail out! acct-open"
export PREPAY_NOW="2026-05-06 10:00:00"
# A test that ends early closes the FIFO, so that a poller waiting to
# print gets SIGPIPE, and cleanup's wait ends.
trap 'exec 6<&- 5>&-; cleanup' EXIT

# The poller prints into a FIFO that the test reads, a line at a time, as
# it needs them, each line appended to $T/poll.out as it is read.  A wait
# is a blocking read of the poller's next line, never a time.  As the
# poller waits when the FIFO is full, it makes cycles only as they are
# read, not while the test does other things: under the held clock a
# meter's readings of one second pile up less fast towards their 1024
# (migration 21).
start_poller() {
	rm -f "$T/poll.fifo"
	mkfifo "$T/poll.fifo"
	meter-read "$@" >"$T/poll.fifo" 2>"$T/poll.err" &
	poller=$!
	sim_pids="$sim_pids $poller"
	exec 6<"$T/poll.fifo" 5>"$T/poll.out"
}
# await_line PATTERN: read the poller's lines up to the next that matches
# PATTERN, a case pattern; false when its output ends first.
await_line() {
	while IFS= read -r _line <&6; do
		printf '%s\n' "$_line" >&5
		# shellcheck disable=SC2254
		case $_line in
		$1) return 0 ;;
		esac
	done
	return 1
}
# poll_until MAX PATTERN CMD...: true once CMD is, tried again after each
# line matching PATTERN that the poller prints, MAX of them at most: a
# bound in the poller's rows, not in time.  The rows the FIFO holds were
# printed before the wait, so MAX is well over the 64 KiB of them it holds.
poll_until() {
	_max=$1 _pat=$2
	shift 2
	until "$@"; do
		[ "$_max" -gt 0 ] && await_line "$_pat" || return 1
		_max=$((_max - 1))
	done
}
# drain_start, drain_stop: a reader in the background keeps the poller
# cycling freely while the test does something else; it stops at the end
# of the line it is reading once asked to, so no line is lost or cut.
drain_start() {
	rm -f "$T/drain.stop"
	while [ ! -e "$T/drain.stop" ] && IFS= read -r _l <&6; do
		printf '%s\n' "$_l" >&5
	done &
	drainer=$!
}
drain_stop() {
	: >"$T/drain.stop"
	wait "$drainer"
}
# rows_at_least N FILE: FILE holds N rows after its header.
rows_at_least() {
	[ "$(($(wc -l <"$2") - 1))" -ge "$1" ]
}
# sql_is QUERY WANT: the query gives WANT.
sql_is() {
	[ "$(sql "$1")" = "$2" ]
}
# stop_poller SIGNAL: the signal, and its exit code in $prc, once all that
# it printed is read.
stop_poller() {
	kill -"$1" "$poller"
	cat <&6 >&5
	wait "$poller"
	prc=$?
	exec 6<&- 5>&-
}

# --- what makes no sense with --every ---------------------------------------

for bad in "--due" "-j 2" "--strict" "--import" "--discover gw1" "--onsite" \
    "--each" "--rejects r.csv" "-g gw1 extra"; do
	# shellcheck disable=SC2086
	exits 64 "--every 5 $bad: refused" meter-read --every 5 $bad
	is "$(wc -l <"$T/err")" 1 "--every 5 $bad: one line"
done
like "$T/err" '^meter-read: --every: not with an operand: a continuous poll runs until stopped$' \
    "says what is refused and why"
exits 64 "--every 5 -o xlsx: refused" meter-read --every 5 -o xlsx
exits 64 "--every abc: refused" meter-read --every abc
exits 64 "--every 86401: refused" meter-read --every 86401
exits 64 "--every abc: refused before any database is opened" meter-read -d "$T/none.db" --every abc
like "$T/err" '^meter-read: --every ' "says --every"
exits 64 "--every -1: refused" meter-read --every -1
exits 78 "--every site when the site sets no poll_seconds" meter-read --every site
is "$(cat "$T/err")" "meter-read: --every site: the site sets no poll_seconds" "says so"
is "$(sql "SELECT count(*) FROM readings")" 0 "nothing was read"

# --- cycles, each written and printed as it completes ------------------------

start_poller --every 30 -o csv
# 15 rows, with two cycles of gw2 among them.
several_cycles() {
	rows_at_least 15 "$T/poll.out" && [ "$(grep -c ",gw2," "$T/poll.out")" -ge 4 ]
}
poll_until 1000 '*,gw?,*' several_cycles
ok $? "--every 30: several cycles of rows stream out while it runs"
is "$(head -1 "$T/poll.out")" "time,meter,gateway,state,energy_kwh,power_w,voltage_v,current_a,balance,buy_count,relay,error" \
    "one CSV header, as a one-shot poll's"
# Each bus's cycle is written as it completes: rows already printed are
# readings already stored, while it still runs.
n=$(($(wc -l <"$T/poll.out") - 1))
ok "$(($(sql "SELECT count(*) FROM readings") < n))" "the printed cycles are stored already ($n rows)"
is "$(sed 1d "$T/poll.out" | cut -d, -f4 | sort -u)" "ok" "every meter answers"
ok "$(($(grep -c ",gw2," "$T/poll.out") < 4))" "both buses cycle ($(grep -c ",gw2," "$T/poll.out") gw2 rows)"

# --- a sale while it runs: its recharge reaches the meter --------------------

# The rows are drained while another tool waits for the bus: a poller
# that waits to print a full FIFO may hold the bus meanwhile.
drain_start
exits 0 "a sale while the poller runs" sale -o csv "$W1" 5.00
drain_stop
unlike "$T/err" 'pending' "its recharge is not left pending"
poll_until 1000 "*,$W1,*" \
    sql_is "SELECT group_concat(state) FROM commands WHERE action = 'recharge'" "done"
ok $? "the recharge command is done"
drain_start
exits 0 "meter-ctl read while the poller runs gets the bus" meter-ctl read -o csv --wait 30 "$W1"
drain_stop
is "$(f 1 state balance buy_count)" "ok|55.00|1" "meter-sim's meter took the recharge: 55.00, purchase 1"

# A command that will not wait for the bus is queued while the bus is
# held, and the poller sends it between two meters once it has the bus
# again.  The test holds gw1's lock itself (hold_bus, taken between two of
# the poller's cycles, as another master would), so that meter-ctl is sure
# to find the bus taken.  The poller has to cycle meanwhile, or hold the
# lock while it waits to print: the rows are drained.
drain_start
hold_bus gw1
meter-ctl trip --wait 0 -o csv "$D1" >"$T/trip.out" 2>"$T/trip.err"
trc=$?
release
drain_stop
is "$trc" 75 "meter-ctl trip --wait 0 while the bus is held: exit 75"
is "$(row "$T/trip.out" 1 result)" "pending" "the trip is left pending"
trip="SELECT state FROM commands WHERE id = (SELECT max(id) FROM commands WHERE action = 'trip')"
poll_until 1000 "*,$D1,*" sql_is "$trip" "done"
ok $? "the poller sends the queued trip"
drain_start
exits 0 "meter-ctl read" meter-ctl read -o csv --wait 30 "$D1"
is "$(f 1 relay)" "tripped" "meter-sim's meter is tripped"
exits 0 "meter-ctl close gets the bus too" meter-ctl close -o csv --wait 30 "$D1"
drain_stop
is "$(f 1 result)" "done" "closed"

# A sale to a meter that does not answer leaves its recharge pending; once
# the meter answers again, the running poller sends it.
stop_sim
start_sim site.yaml --state "$T/sim.state" --credit 50 --seed 3 --dead "$W2"
acct-open -n 连续二 "$W2" >/dev/null 2>&1 || echo "# acct-open failed"
exits 0 "a sale to the dead meter while the poller runs" sale -o csv "$W2" 7.00
like "$T/err" 'is pending' "its recharge is pending"
stop_sim
start_sim site.yaml --state "$T/sim.state" --credit 50 --seed 3
recharge2="SELECT c.state FROM commands c JOIN meters m ON m.id = c.meter_id
    WHERE m.meter = '$W2' AND c.action = 'recharge'"
poll_until 1000 "*,$W2,*" sql_is "$recharge2" "done"
ok $? "the poller sends the pending recharge once the meter answers"
drain_start
exits 0 "meter-ctl read" meter-ctl read -o csv --wait 30 "$W2"
drain_stop
is "$(f 1 balance buy_count)" "57.00|1" "meter-sim's meter took it: 57.00, purchase 1"
# The cycles of the sim's downtime were written as such; then it answers.
# The FIFO may still hold rows of the downtime: rows are read until the
# last five answer, a thousand at most.
n=$(($(wc -l <"$T/poll.out") + 6))
answer_again() {
	rows_at_least "$n" "$T/poll.out" &&
	    [ "$(tail -n 5 "$T/poll.out" | cut -d, -f4 | sort -u)" = ok ]
}
poll_until 1000 '*,gw?,*' answer_again
is "$(tail -n 5 "$T/poll.out" | cut -d, -f4 | sort -u)" "ok" "the last cycles: every meter answers again"

# --- SIGTERM: the cycle on hand is written, exit 0 ---------------------------

stop_poller TERM
is "$prc" 0 "SIGTERM: exits 0"
is "$(wc -l <"$T/poll.err")" 0 "nothing on stderr"
sed 's/^/# stderr: /' "$T/poll.err" | head -n 5
is "$(grep -c ',ok,' "$T/poll.out")" "$(sql "SELECT count(*) FROM readings")" \
    "every row printed ok is a stored reading and back"
sql "SELECT summary FROM audit ORDER BY id DESC LIMIT 1" >"$T/audit"
like "$T/audit" '^[0-9]+ bus cycles, [0-9]+ meters polled, [0-9]+ missing$' \
    "the audit entry counts the cycles"
exits 0 "report status" report status -o csv
is "$(col "$T/out" age_s | tr ' ' '\n' | sort -u)" 0 \
    "every meter's reading age in seconds: 0 under the held clock"
PREPAY_NOW="2026-05-06 10:01:30" run report status -o csv
is "$(f 1 age_s age_min)" "90|1" "90 seconds on: age_s 90, age_min 1"
if on_pg; then
	tap_n=$((tap_n + 1))
	echo "ok $tap_n # SKIP on PostgreSQL the turnstile is an advisory lock on the server, no file: tests/pg/lock.t"
else
	[ -e "$PREPAY_DB.gw1.turn" ]
	ok $? "the bus's turnstile is a file next to its lock"
fi

# SIGINT as well; a table a cycle on a terminal's format.  A second of its
# own: a meter's readings of one second are at most 1024 (migration 21),
# and a held clock's cycles pile up in it.
export PREPAY_NOW="2026-05-06 10:05:00"
start_poller --every 0 -o table -g gw2
await_line "*$W2*"
stop_poller INT
is "$prc" 0 "SIGINT: exits 0"
like "$T/poll.out" '^ *time +meter +gateway' "-o table: a table a cycle"
unlike "$T/poll.out" 'gw1' "-g gw2: only that bus"

# --- poll_seconds: the site polls continuously, --due never does -------------

n=$(sql "SELECT count(*) FROM polls")
exits 0 "meter-read --due without poll_seconds" meter-read --due -o csv
is "$(sql "SELECT count(*) FROM polls")" $((n + 1)) "--due polls"
sed 's/^  overload_w: 1000000$/  overload_w: 1000000\n  poll_seconds: 20/' site.yaml >site2.yaml
exits 0 "site-load poll_seconds: 20" site-load site2.yaml
is "$(sql "SELECT value FROM settings WHERE key = 'poll_seconds'")" 20 "stored"
r=$(sql "SELECT count(*) FROM readings")
PREPAY_NOW="2026-05-06 12:00:00" run meter-read --due -o csv
is "$rc" 0 "meter-read --due: exits 0"
is "$(cat "$T/out")" "" "and polls nothing: the continuous service does"
is "$(sql "SELECT count(*) FROM readings")" "$r" "no reading"
export PREPAY_NOW="2026-05-06 10:10:00"
start_poller --every site -o csv
poll_until 1000 '*,gw?,*' rows_at_least 5 "$T/poll.out"
ok $? "--every site polls at the site's pace"
stop_poller TERM
is "$prc" 0 "and stops on SIGTERM"
for v in -1 86401 abc 1.5; do
	sed "s/^  overload_w: 1000000\$/  overload_w: 1000000\n  poll_seconds: $v/" site.yaml >bad.yaml
	exits 78 "site-load poll_seconds: $v: refused" site-load bad.yaml
	like "$T/err" 'poll_seconds' "says poll_seconds"
done
is "$(sql "SELECT value FROM settings WHERE key = 'poll_seconds'")" 20 "unchanged"
exits 0 "site-load without poll_seconds" site-load site.yaml
is "$(sql "SELECT count(*) FROM settings WHERE key = 'poll_seconds'")" 0 "the setting is gone"
PREPAY_NOW="2026-05-06 12:00:00" run meter-read --due -o csv
is "$(nrows "$T/out")" 5 "--due polls again"

stop_sim
unlike "$T/all.err" 'Sanitizer|runtime error' "no sanitizer reports from meter-sim"

done_testing
