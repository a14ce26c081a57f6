#!/bin/sh
# meter-read against meter-sim over Modbus-TCP: a site of all three
# profiles on two gateways; the rows, the readings, the daily roll-up,
# mbpoll cross-checks, filters, --strict, dead meters, a down gateway, a
# gateway with nothing listening, manual imports with a backwards counter.
. "$(dirname "$0")/lib.sh"

need mbpoll

P=$(port_base)
P1=$P
P2=$((P + 1))
P3=$((P + 2))	# nothing listens here

# overload_w is high so that the fast-forwarded sim (--speed 600) is never
# taken for a jump: 1000000 W allows 417 Wh a second, the sim's loads at most
# 1700 W * 600 / 3600 = 283 Wh.
cat >site.yaml <<EOF
site: 读表
defaults:
  price: 0.5380
  overload_w: 1000000
  lost_after: 2
buildings:
  - name: 1号楼
    gateways:
      - name: gw1
        address: tcp://127.0.0.1:$P1
        timeout_ms: 200
        retries: 1
        meters:
          - {meter: "0101000001", unit: 1, floor: 1, room: "101", profile: sdm120}
          - {meter: "0101000002", unit: 2, floor: 1, room: "102", profile: dds238-2}
          - {meter: "0101000003", unit: 3, floor: 2, room: "201", profile: prepay-1p, billing: meter}
  - name: 2号楼
    gateways:
      - name: gw2
        address: tcp://127.0.0.1:$P2
        timeout_ms: 200
        retries: 1
        meters:
          - {meter: "0201000001", unit: 1, floor: 1, room: "101", profile: dds238-2}
          - {meter: "0201000002", unit: 2, floor: 1, room: "102", profile: prepay-1p, billing: meter}
          - {meter: "0201000003", unit: 3, floor: 1, room: "103", profile: sdm120}
EOF
S1=0101000001 D1=0101000002 W1=0101000003
D2=0201000001 W2=0201000002 S2=0201000003

site-load site.yaml >/dev/null || echo "Bail out! site-load"
start_sim site.yaml --state "$T/sim.state" --credit 50 --seed 11

# readings METER: the number of readings stored for METER.
readings() {
	sql "SELECT count(*) FROM readings r JOIN meters m ON m.id = r.meter_id
	    WHERE m.meter = '$1'"
}
all_meters="$S1 $D1 $W1 $D2 $W2 $S2"

# --- a poll of every meter ------------------------------------------------------

exits 0 "meter-read polls the site" meter-read
is "$(head -n 1 "$T/out")" \
    "time,meter,gateway,state,energy_kwh,power_w,voltage_v,current_a,balance,buy_count,relay,error" \
    "the CSV header"
is "$(nrows "$T/out")" 6 "one row per meter"
is "$(col "$T/out" meter)" "$all_meters" "in the order of the gateways and units"
is "$(col "$T/out" gateway)" "gw1 gw1 gw1 gw2 gw2 gw2" "each meter's gateway"
is "$(col "$T/out" state)" "ok ok ok ok ok ok" "every meter is ok"
$PY - "$T/out" <<'EOF'
import csv, re, sys
bad = []
for r in csv.DictReader(open(sys.argv[1], encoding="utf-8")):
    if not re.fullmatch(r"\d+\.\d\d", r["energy_kwh"]) or \
       not 1000 <= float(r["energy_kwh"]) <= 5100:
        bad.append((r["meter"], "energy_kwh", r["energy_kwh"]))
    if not re.fullmatch(r"\d+\.\d", r["voltage_v"]) or \
       not 219 <= float(r["voltage_v"]) <= 236:
        bad.append((r["meter"], "voltage_v", r["voltage_v"]))
    if not re.fullmatch(r"\d+", r["power_w"]) or not 20 <= int(r["power_w"]) <= 2000:
        bad.append((r["meter"], "power_w", r["power_w"]))
    if not re.fullmatch(r"\d+\.\d\d\d", r["current_a"]):
        bad.append((r["meter"], "current_a", r["current_a"]))
    if r["error"]:
        bad.append((r["meter"], "error", r["error"]))
for b in bad:
    print("# bad: %s %s=%r" % b)
sys.exit(1 if bad else 0)
EOF
ok $? "every row has energy (2 decimals), voltage (1), power and current (3)"
is "$(f 3 balance buy_count relay)" "50.00|0|closed" "prepay-1p: balance, purchase count, relay"
is "$(f 2 balance buy_count relay)" "||closed" "dds238-2: a relay and no wallet"
is "$(f 1 balance buy_count relay)" "||" "sdm120: no relay, no wallet"
cp "$T/out" "$T/poll1.csv"

is "$(sql "SELECT group_concat(n, ' ') FROM (SELECT count(r.id) AS n FROM meters m
    LEFT JOIN readings r ON r.meter_id = m.id GROUP BY m.id ORDER BY m.id) AS t")" \
    "1 1 1 1 1 1" "the readings table has one row per meter"
is "$(sql "SELECT count(*) FROM readings WHERE source = 'poll' AND flag IS NULL
    AND energy_wh > 0 AND voltage_dv > 0 AND power_w > 0")" 6 \
    "each reading holds energy, voltage and power, unflagged"
# The stored reading is what was printed.
sql -csv "SELECT m.meter, r.energy_wh, r.voltage_dv, r.power_w FROM readings r
    JOIN meters m ON m.id = r.meter_id" >"$T/stored.csv"
$PY - "$T/out" "$T/stored.csv" <<'EOF'
import csv, sys
stored = {m: (int(e), int(v), int(p)) for m, e, v, p in
          csv.reader(open(sys.argv[2], encoding="utf-8"))}
bad = 0
for r in csv.DictReader(open(sys.argv[1], encoding="utf-8")):
    e, v, p = stored[r["meter"]]
    got = "%.2f|%.1f|%d" % (e / 1000, v / 10, p)
    want = "%s|%s|%s" % (r["energy_kwh"], r["voltage_v"], r["power_w"])
    if got != want:
        print("# %s: stored %s, printed %s" % (r["meter"], got, want))
        bad += 1
sys.exit(bad)
EOF
ok $? "the stored readings are those printed"
is "$(sql "SELECT group_concat(state, ' ') FROM (SELECT state FROM meters ORDER BY id) AS t")" \
    "ok ok ok ok ok ok" "the meters table: every meter ok"
is "$(sql "SELECT group_concat(g, ' ') FROM (SELECT name || '=' || state AS g
    FROM gateways ORDER BY id) AS t")" "gw1=ok gw2=ok" \
    "the gateways table: both ok"
is "$(sql "SELECT meter_balance || '|' || meter_count || '|' || relay || '|' || mode
    FROM meters WHERE meter = '$W1'")" "5000|0|closed|prepay" \
    "the poll mirrors the prepay-1p meter's wallet and switches"
is "$(sql "SELECT count(*) FROM daily")" 0 "a first reading only sets the counter: no daily rows"

# --- mbpoll sees what meter-read stores ------------------------------------------

# Every value (--all-values: voltage is of the slow class).  A dds238-2
# (unit 2 of gw1): energy u32 x 0.01 kWh at 0x0000, voltage u16 x 0.1 V at
# 0x000C, read in one request right after meter-read.  The voltage
# varies each simulated second, so a pair that straddles a second is tried
# again.
i=0
while [ $i -lt 6 ]; do
	run meter-read --all-values --meter "$D1"
	got=$(f 1 energy_kwh voltage_v)
	mbpoll_tcp "$P1" 2 -r 0 -c 13
	want=$($PY -c 'import sys; hi, lo, vv = map(int, sys.argv[1:]); print("%.2f|%.1f" % ((hi * 65536 + lo) / 100, vv / 10))' \
	    "$(mbv 1)" "$(mbv 2)" "$(mbv 13)" 2>/dev/null)
	[ "$got" = "$want" ] && break
	i=$((i + 1))
done
is "$want" "$got" "mbpoll: dds238-2 0x0000 (u32 x 0.01) and 0x000C (u16 x 0.1) are what meter-read printed"
is "$(sql "SELECT printf('%.2f|%.1f', r.energy_wh / 1000.0, r.voltage_dv / 10.0) FROM readings r
    JOIN meters m ON m.id = r.meter_id WHERE m.meter = '$D1' ORDER BY r.id DESC LIMIT 1")" "$got" \
    "... and what it stored"
# prepay-1p (unit 3): balance s32 x 0.01 at 0x000B, purchase count at 0x000D.
run meter-read --all-values --meter "$W1"
mbpoll_tcp "$P1" 3 -r 11 -c 4
is "$(( $(mbv 1) * 65536 + $(mbv 2) )).$(mbv 3).$(mbv 4)" "5000.0.1" \
    "mbpoll: prepay-1p balance 5000 fen, count 0, relay 1"
is "$(f 1 balance buy_count relay)" "50.00|0|closed" "... as meter-read printed"

# --- filters -----------------------------------------------------------------------

exits 0 "--meter twice" meter-read --meter "$D1" --meter "$W2"
is "$(col "$T/out" meter)" "$D1 $W2" "--meter: just those meters"
exits 0 "-g gw2" meter-read -g gw2
is "$(col "$T/out" meter)" "$D2 $W2 $S2" "-g: the meters of gw2"
exits 0 "-g twice" meter-read -g gw2 -g gw1
is "$(nrows "$T/out")" 6 "-g gw2 -g gw1: both gateways"
exits 0 "-b 1号楼" meter-read -b 1号楼
is "$(col "$T/out" meter)" "$S1 $D1 $W1" "-b: the meters of the building"
exits 0 "-b and -g that share no meter" meter-read -b 1号楼 -g gw2
is "$(cat "$T/out")" "time,meter,gateway,state,energy_kwh,power_w,voltage_v,current_a,balance,buy_count,relay,error" \
    "... print the header alone"
exits 0 "-b with --meter" meter-read -b 2号楼 --meter "$S2"
is "$(col "$T/out" meter)" "$S2" "... select the meter in both"
n_read=$(sql "SELECT count(*) FROM readings")
exits 65 "an unknown gateway" meter-read -g gw9
like "$T/err" 'gw9' "the message names it"
exits 65 "an unknown meter" meter-read --meter 0999999999
like "$T/err" '0999999999' "the message names it"
exits 65 "an unknown building" meter-read -b 9号楼
exits 65 "an unknown meter among known ones" meter-read --meter "$D1" --meter nosuch
is "$(sql "SELECT count(*) FROM readings")" "$n_read" "a bad filter polls nothing"
exits 0 "-j 1: one bus at a time" meter-read -j 1
is "$(col "$T/out" state)" "ok ok ok ok ok ok" "every meter polled"
exits 64 "-j 0" meter-read -j 0
exits 64 "--wait 3601" meter-read --wait 3601
exits 64 "an operand" meter-read "$D1"
exits 64 "-b with --import" meter-read -b 1号楼 --import "$T/none.csv"

# --- output formats ------------------------------------------------------------------

exits 0 "-o tsv" meter-read -o tsv -g gw1
is "$(head -n 1 "$T/out")" "$(printf 'time\tmeter\tgateway\tstate\tenergy_kwh\tpower_w\tvoltage_v\tcurrent_a\tbalance\tbuy_count\trelay\terror')" \
    "the TSV header"
is "$(awk -F'\t' 'NR > 1 { print $2 "," $4 }' "$T/out" | tr '\n' ' ')" "$S1,ok $D1,ok $W1,ok " \
    "the TSV rows"
exits 0 "-o csv" meter-read -o csv -g gw1
is "$(head -n 1 "$T/out")" "time,meter,gateway,state,energy_kwh,power_w,voltage_v,current_a,balance,buy_count,relay,error" \
    "the CSV header"

# --- the daily roll-up after simulated time has passed ---------------------------

run meter-read
cp "$T/out" "$T/before.csv"
stop_sim
start_sim site.yaml --state "$T/sim.state" --credit 50 --seed 11 --speed 600
sleep 2
exits 0 "a poll after the sim ran fast" meter-read
is "$(col "$T/out" state)" "ok ok ok ok ok ok" "every meter ok"
is "$(sql "SELECT count(*) FROM readings WHERE flag IS NOT NULL")" 0 "no reading is flagged"
# Each meter's daily energy is what its counter rose by since its first
# reading.
sql -csv "SELECT m.meter,
      (SELECT energy_wh FROM readings WHERE meter_id = m.id ORDER BY id DESC LIMIT 1) -
      (SELECT energy_wh FROM readings WHERE meter_id = m.id ORDER BY id LIMIT 1),
      (SELECT coalesce(sum(energy_wh), 0) FROM daily WHERE meter_id = m.id)
    FROM meters m ORDER BY m.id" >"$T/rose.csv"
$PY - "$T/rose.csv" <<'EOF'
import csv, sys
bad = 0
for meter, rose, daily in csv.reader(open(sys.argv[1], encoding="utf-8")):
    rose, daily = int(rose), int(daily)
    if rose != daily or rose < 0:
        print("# %s: the counter rose %s Wh, daily has %s" % (meter, rose, daily))
        bad += 1
sys.exit(bad)
EOF
ok $? "daily holds each meter's counter increase"
is "$(sql "SELECT CASE WHEN count(*) > 0 AND sum(energy_wh) > 0 THEN 1 ELSE 0 END FROM daily")" 1 "energy was rolled into daily"
# Today is the day of the poll, by the tool's own clock: a run may cross
# midnight.
today=$(f 1 time | cut -c 1-10)
is "$(sql "SELECT count(*) FROM daily WHERE day = '$today'")" \
    "$(sql "SELECT count(DISTINCT meter_id) FROM daily")" "today's row for each meter that used energy"
is "$(sql "SELECT energy_wh FROM meters WHERE meter = '$S1'")" \
    "$(sql "SELECT r.energy_wh FROM readings r JOIN meters m ON m.id = r.meter_id
        WHERE m.meter = '$S1' ORDER BY r.id DESC LIMIT 1")" "the meter keeps its last good counter"
stop_sim

# --- a dead meter: timeout, then lost; the others stay ok --------------------------

start_sim site.yaml --state "$T/sim.state" --credit 50 --seed 11 --dead "$D2"
n_d2=$(readings "$D2")
n_s2=$(readings "$S2")
exits 69 "--strict with a dead meter" meter-read --strict
is "$(col "$T/out" state)" "ok ok ok timeout ok ok" "the dead meter times out, the rest are ok"
is "$(f 4 energy_kwh voltage_v power_w)" "||" "the dead meter's row has no values"
like "$T/out" "^[^,]*,$D2,gw2,timeout,.*Target device failed to respond" \
    "its error says why"
like "$T/err" '^meter-read: 1 of 6 meters did not answer$' "stderr counts the missing meters"
is "$(sql "SELECT state || '|' || fails FROM meters WHERE meter = '$D2'")" "timeout|1" \
    "stored: timeout, 1 failure"
exits 0 "without --strict the poll exits 0" meter-read
is "$(f 4 state)" "lost" "after lost_after (2) failed polls the meter is lost"
is "$(col "$T/out" state)" "ok ok ok lost ok ok" "the others stay ok"
is "$(sql "SELECT state || '|' || fails FROM meters WHERE meter = '$D2'")" "lost|2" \
    "stored: lost, 2 failures"
is "$(sql "SELECT CASE WHEN state_since IS NOT NULL AND
    state_since <= CAST(strftime('%s','now') AS BIGINT) THEN 1 ELSE 0 END
    FROM meters WHERE meter = '$D2'")" 1 "lost since a time"
is "$(readings "$D2")" "$n_d2" "no reading is stored for the dead meter"
is "$(readings "$S2")" "$((n_s2 + 2))" "its neighbour on gw2 is stored each poll"
is "$(sql "SELECT state FROM gateways WHERE name = 'gw2'")" "ok" \
    "a gateway with one answering meter stays ok"
exits 69 "--strict with a lost meter" meter-read --strict --meter "$D2"
exits 0 "--strict when every polled meter answers" meter-read --strict -g gw1
stop_sim

start_sim site.yaml --state "$T/sim.state" --credit 50 --seed 11
exits 0 "the meter back" meter-read --meter "$D2"
is "$(f 1 state)" "ok" "a lost meter that answers is ok again"
is "$(sql "SELECT state || '|' || fails FROM meters WHERE meter = '$D2'")" "ok|0" \
    "stored: ok, no failures"
stop_sim

# --- a down gateway -----------------------------------------------------------------

# gw_readings GATEWAY: how many readings the gateway's meters have.
gw_readings() {
	sql "SELECT count(*) FROM readings r JOIN meters m ON m.id = r.meter_id
	    JOIN gateways g ON g.id = m.gateway_id WHERE g.name = '$1'"
}

start_sim site.yaml --state "$T/sim.state" --credit 50 --seed 11 --down gw2
n_gw1=$(gw_readings gw1)
n_gw2=$(gw_readings gw2)
exits 0 "a poll with gw2 down completes" meter-read
is "$(col "$T/out" state)" "ok ok ok timeout timeout timeout" "gw2's meters time out"
is "$(f 5 error)" "gateway gw2: Connection refused" "the error names the gateway"
is "$(sql "SELECT group_concat(g, ' ') FROM (SELECT name || '=' || state AS g
    FROM gateways ORDER BY id) AS t")" "gw1=ok gw2=timeout" \
    "gw2 is timeout in the gateways table after one poll, gw1 ok"
is "$(gw_readings gw1)" "$((n_gw1 + 3))" \
    "gw1's meters are stored"
is "$(gw_readings gw2)" "$n_gw2" \
    "nothing is stored for gw2's meters"
exits 0 "again" meter-read
is "$(col "$T/out" state)" "ok ok ok lost lost lost" "gw2's meters are lost after 2 polls"
is "$(sql "SELECT group_concat(g, ' ') FROM (SELECT name || '=' || state AS g
    FROM gateways ORDER BY id) AS t")" "gw1=ok gw2=lost" \
    "gw2 is lost in the gateways table after lost_after (2) polls"
is "$(sql "SELECT CASE WHEN state_since IS NOT NULL THEN 1 ELSE 0 END FROM gateways WHERE name = 'gw2'")" 1 "lost since a time"
exits 69 "--strict with gw2 down" meter-read --strict
stop_sim

start_sim site.yaml --state "$T/sim.state" --credit 50 --seed 11
exits 0 "gw2 back" meter-read -g gw2
is "$(col "$T/out" state)" "ok ok ok" "gw2's meters answer again"
is "$(sql "SELECT state FROM gateways WHERE name = 'gw2'")" "ok" "gw2 is ok again"

# --- a bus that cannot store its poll ---------------------------------------------

# Each bus stores its poll in its own transaction: when gw2's is refused (a
# trigger here), gw1's is committed all the same and its rows are printed,
# and the poll fails naming gw2.
if on_pg; then
	sql "CREATE FUNCTION refuse_gw2() RETURNS trigger LANGUAGE plpgsql AS
	    \$\$ BEGIN RAISE EXCEPTION 'gw2 refused'; END \$\$;
	    CREATE TRIGGER refuse_gw2 BEFORE UPDATE OF fails ON gateways
	    FOR EACH ROW WHEN (old.name = 'gw2') EXECUTE FUNCTION refuse_gw2()"
else
	sql "CREATE TRIGGER refuse_gw2 BEFORE UPDATE OF fails ON gateways WHEN
	    old.name = 'gw2' BEGIN SELECT RAISE(ABORT, 'gw2 refused'); END"
fi
n_gw1=$(gw_readings gw1)
n_gw2=$(gw_readings gw2)
exits 70 "a poll where gw2 cannot store fails" meter-read -o csv
is "$(col "$T/out" meter)" "$S1 $D1 $W1" "gw1's rows are printed"
like "$T/err" "gateway gw2: .*gw2 refused" "the failure names gw2"
is "$(gw_readings gw1)" "$((n_gw1 + 3))" \
    "gw1's readings are stored"
is "$(gw_readings gw2)" "$n_gw2" \
    "gw2's are not"
if on_pg; then
	sql "DROP TRIGGER refuse_gw2 ON gateways; DROP FUNCTION refuse_gw2()"
else
	sql "DROP TRIGGER refuse_gw2"
fi

# --- a gateway address with nothing listening ------------------------------------

cat >extra.yaml <<EOF
buildings:
  - name: 3号楼
    gateways:
      - name: gw3
        address: tcp://127.0.0.1:$P3
        timeout_ms: 200
        retries: 1
        meters:
          - {meter: "0301000001", unit: 1, room: "101", profile: dds238-2}
          - {meter: "0301000002", unit: 2, room: "102", profile: prepay-1p, billing: meter}
EOF
site-load extra.yaml >/dev/null || echo "Bail out! site-load extra.yaml"
n_gw1=$(sql "SELECT count(*) FROM readings")
exits 0 "a poll with nothing listening at gw3 completes" meter-read
is "$(nrows "$T/out")" 8 "8 rows"
is "$(col "$T/out" state)" "ok ok ok ok ok ok timeout timeout" "gw3's meters time out, the rest are ok"
like "$T/out" ',0301000001,gw3,timeout,.*gateway gw3: Connection refused' "the error names gw3"
is "$(sql "SELECT state FROM gateways WHERE name = 'gw3'")" "timeout" "gw3 times out"
is "$(sql "SELECT count(*) FROM readings")" "$((n_gw1 + 6))" "the other gateways' meters are stored"
exits 0 "again" meter-read
is "$(col "$T/out" state)" "ok ok ok ok ok ok lost lost" "gw3's meters are lost after 2 polls"
is "$(sql "SELECT group_concat(g, ' ') FROM (SELECT name || '=' || state AS g
    FROM gateways ORDER BY id) AS t")" "gw1=ok gw2=ok gw3=lost" \
    "the gateways table"

# --- manual readings --------------------------------------------------------------

now=$(date '+%Y-%m-%d %H:%M:%S')
e_s1=$(sql "SELECT energy_wh FROM meters WHERE meter = '$S1'")
e_d1=$(sql "SELECT energy_wh FROM meters WHERE meter = '$D1'")
daily_s1=$(sql "SELECT coalesce(sum(d.energy_wh), 0) FROM daily d JOIN meters m ON m.id = d.meter_id WHERE m.meter = '$S1'")
daily_d1=$(sql "SELECT coalesce(sum(d.energy_wh), 0) FROM daily d JOIN meters m ON m.id = d.meter_id WHERE m.meter = '$D1'")
fwd=$($PY -c 'import sys; print("%.3f" % ((int(sys.argv[1]) + 50) / 1000))' "$e_s1")
back=$($PY -c 'import sys; print("%.3f" % ((int(sys.argv[1]) - 5000) / 1000))' "$e_d1")
n_read=$(sql "SELECT count(*) FROM readings")
printf 'meter,time,energy_kwh\n%s,%s,%s\n%s,%s,%s\nnosuch,%s,1.000\n' \
    "$S1" "$now" "$fwd" "$D1" "$now" "$back" "$now" >bad.csv
exits 65 "an import with an unknown meter" meter-read --import bad.csv
like "$T/err" 'line 4: .*nosuch' "the bad row is reported with its line"
is "$(sql "SELECT count(*) FROM readings")" "$n_read" "all or nothing: nothing imported"
printf 'meter,time,energy_kwh\n%s,%s,%s\n%s,%s,%s\n' \
    "$S1" "$now" "$fwd" "$D1" "$now" "$back" >hand.csv
exits 0 "--import of manual readings" meter-read --import hand.csv
is "$(cat "$T/out")" "hand.csv: 2 readings imported" "it says how many"
is "$(sql "SELECT r.source || '|' || r.energy_wh || '|' || coalesce(r.flag, '') FROM readings r
    JOIN meters m ON m.id = r.meter_id WHERE m.meter = '$S1' ORDER BY r.id DESC LIMIT 1")" \
    "manual|$((e_s1 + 50))|" "the forward counter is stored as a manual reading"
is "$(sql "SELECT coalesce(sum(d.energy_wh), 0) FROM daily d JOIN meters m ON m.id = d.meter_id WHERE m.meter = '$S1'")" \
    "$((daily_s1 + 50))" "... and its 50 Wh are rolled up"
is "$(sql "SELECT r.source || '|' || r.energy_wh || '|' || coalesce(r.flag, '') FROM readings r
    JOIN meters m ON m.id = r.meter_id WHERE m.meter = '$D1' ORDER BY r.id DESC LIMIT 1")" \
    "manual|$((e_d1 - 5000))|backwards" "the backwards counter is stored flagged 'backwards'"
is "$(sql "SELECT coalesce(sum(d.energy_wh), 0) FROM daily d JOIN meters m ON m.id = d.meter_id WHERE m.meter = '$D1'")" \
    "$daily_d1" "... and not rolled up"
is "$(sql "SELECT energy_wh FROM meters WHERE meter = '$D1'")" "$e_d1" \
    "... and the meter keeps its last good counter"
is "$(sql "SELECT state FROM meters WHERE meter = '$D1'")" "ok" "an import does not change the state"
exits 0 "a poll after the backwards reading" meter-read --meter "$D1"
is "$(sql "SELECT coalesce(flag, '') FROM readings r JOIN meters m ON m.id = r.meter_id
    WHERE m.meter = '$D1' ORDER BY r.id DESC LIMIT 1")" "" \
    "is compared with the last good counter, and not flagged"
printf 'meter\ttime\tenergy_kwh\tbalance\n%s\t%s\t%s\t%s\n' "$W1" "$now" \
    "$($PY -c 'import sys; print("%.2f" % (int(sys.argv[1]) / 1000))' \
    "$(sql "SELECT energy_wh FROM meters WHERE meter = '$W1'")")" "-3.20" >hand.tsv
exits 0 "a TSV import with a negative balance, from stdin" sh -c 'meter-read --import - <hand.tsv'
is "$(sql "SELECT balance FROM readings r JOIN meters m ON m.id = r.meter_id
    WHERE m.meter = '$W1' ORDER BY r.id DESC LIMIT 1")" "-320" "the balance is stored in fen"
printf 'meter,time,energy_kwh\n%s,%s,%s\n' "$S1" "2020-01-01 00:00" "1.000" >old.csv
exits 65 "a reading older than the last one" meter-read --import old.csv
like "$T/err" "line 2: meter $S1 was read later already" "the message says so"

stop_sim
unlike "$T/all.err" 'Sanitizer|runtime error' "no sanitizer reports from meter-sim"

done_testing
