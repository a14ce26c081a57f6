#!/bin/sh
# On-site readings (机电不符): a handheld list imported with
# meter-read --import --onsite is kept apart from the readings that count,
# and report onsite lists every meter whose display differs from the
# poll's record beyond the tolerance, with the energy and the money.
. "$(dirname "$0")/lib.sh"

P=$(port_base)
export PREPAY_NOW='2026-11-20 10:00:00'

cat >site.yaml <<EOF
site: 机电不符
defaults:
  price: 0.5380
  overload_w: 100000
tariffs:
  tou:
    tou:
      - {name: peak, from: "07:00", to: "23:00", price: 0.6000}
      - {name: valley, from: "23:00", to: "07:00", price: 0.3000}
buildings:
  - name: 1号楼
    gateways:
      - name: gw1
        address: tcp://127.0.0.1:$P
        timeout_ms: 300
        meters:
          - {meter: "0101000001", unit: 1, floor: 1, room: "101", profile: dds238-2}
          - {meter: "0101000002", unit: 2, floor: 1, room: "102", profile: dds238-2}
          - {meter: "0101000003", unit: 3, floor: 1, room: "103", profile: dds238-2, tariff: tou}
          - {meter: "0101000004", unit: 4, floor: 1, room: "104", profile: dds238-2}
  - name: 2号楼
    gateways:
      - name: gw2
        address: tcp://127.0.0.1:$((P + 1))
        timeout_ms: 300
        meters:
          - {meter: "0201000001", unit: 1, floor: 1, room: "101", profile: dds238-2}
          - {meter: "0201000002", unit: 2, floor: 1, room: "102", profile: dds238-2}
EOF
M1=0101000001 M2=0101000002 M3=0101000003 M4=0101000004 N1=0201000001 N2=0201000002

site-load site.yaml >/dev/null || echo "Bail out! site-load"
start_sim site.yaml
{
	acct-open -n 张三 --balance 100 "$M1" &&
	acct-open -n 李四 --balance 100 "$M2" &&
	acct-open -n 王五 --balance 100 "$M3"
} >/dev/null 2>&1 || echo "Bail out! acct-open"
exits 0 "the poll at 10:00" meter-read -o csv
stop_sim
export PREPAY_NOW='2026-11-20 18:00:00'

# wh METER: the counter the poll stored.
wh() {
	sql "SELECT energy_wh FROM meters WHERE meter = '$1'"
}
# kwh METER DELTA_WH: what a handheld reader saw, DELTA_WH off the
# record, to the Wh; kwh2: the same as a report shows it, to 0.01 kWh.
kwh() {
	awk -v w="$(wh "$1")" -v d="$2" 'BEGIN { printf "%.3f", (w + d) / 1000 }'
}
kwh2() {
	awk -v w="$(wh "$1")" -v d="$2" \
	    'BEGIN { t = int((w + d + 5) / 10); printf "%d.%02d", int(t / 100), t % 100 }'
}
for m in $M1 $M2 $M3 $M4 $N1 $N2; do
	[ -n "$(wh "$m")" ] || echo "Bail out! $m was not polled"
done

# At 10:20 the meter reader goes round.  M1 shows 12.30 kWh more than the
# record, M3 (on the time-of-use tariff) 40.00 kWh less; M2, M4 and N1
# are within the default tolerance; N2's reading is of 09:50, before any
# poll, and is not compared.
cat >hand.csv <<EOF
meter,time,energy_kwh
$M1,2026-11-20 10:20,$(kwh $M1 12300)
$M2,2026-11-20 10:21,$(kwh $M2 400)
$M3,2026-11-20 10:22,$(kwh $M3 -40000)
$M4,2026-11-20 10:23,$(kwh $M4 0)
$N1,2026-11-20 10:30,$(kwh $N1 -990)
$N2,2026-11-20 09:50,$(kwh $N2 50000)
EOF

# --- bad lists are refused, and nothing is written ----------------------------

n_read=$(sql "SELECT count(*) FROM readings")
bad() {
	_name=$1
	shift
	{ echo meter,time,energy_kwh; printf '%s\n' "$@"; } >bad.csv
	exits 65 "$_name" meter-read --onsite --import bad.csv
}
bad "an energy that does not parse" "$M1,2026-11-20 10:20,12.3x"
like "$T/err" '^meter-read: line 2: .*12\.3x' "one line naming the row and the value"
bad "an unknown meter" "$M1,2026-11-20 10:20,100" "0999999999,2026-11-20 10:20,100"
like "$T/err" '^meter-read: line 3: meter "?0999999999"?: no such meter' "names the meter"
bad "a time in the future" "$M1,2026-11-21 10:20,100"
like "$T/err" '^meter-read: line 2: time 2026-11-21 10:20 is in the future' "says so"
bad "a negative energy" "$M1,2026-11-20 10:20,-5"
like "$T/err" '^meter-read: line 2: ' "a line for it"
bad "the same reading twice" "$M1,2026-11-20 10:20,100" "$M1,2026-11-20 10:20,101"
like "$T/err" "^meter-read: line 3: meter $M1: an on-site reading at 2026-11-20 10:20 is already imported" \
    "the second is refused"
printf 'meter,energy_kwh\n%s,100\n' "$M1" >bad.csv
exits 65 "no time column" meter-read --onsite --import bad.csv
like "$T/err" "the columns meter, time and energy_kwh are required" "says which columns"
is "$(sql "SELECT count(*) FROM onsite_readings")" 0 "no on-site reading was written"
is "$(sql "SELECT count(*) FROM readings")" "$n_read" "nor any reading"
exits 64 "--onsite without --import" meter-read --onsite
exits 64 "--onsite with a poll's option" meter-read --onsite --import -b 1号楼 hand.csv

# --- the import ----------------------------------------------------------------

bal0=$(bal 100001 100002 100003)
exits 0 "the handheld list imports as on-site readings" \
    meter-read --onsite --import hand.csv
is "$(cat "$T/out")" "hand.csv: 6 on-site readings imported" "and says how many"
is "$(sql "SELECT count(*) FROM onsite_readings")" 6 "six on-site readings"
is "$(sql "SELECT count(*) FROM readings")" "$n_read" "no reading that counts was added"
is "$(bal 100001 100002 100003)" "$bal0" "nothing was charged"
is "$(report readings "$M1" -o csv | nrows /dev/stdin)" 1 "report readings shows the poll alone"

# --- the report ----------------------------------------------------------------

exits 0 "report onsite" report onsite -o csv
is "$(head -n 1 "$T/out")" \
    "time,meter,building,room,account,name,onsite_kwh,polled,polled_kwh,diff_kwh,price,diff_cost" "its columns"
is "$(nrows "$T/out")" 2 "two meters beyond the default tolerance of 1.00 kWh"
is "$(f 1 time meter building room account name onsite_kwh polled polled_kwh)" \
    "2026-11-20 10:20:00|$M1|1号楼|101|100001|张三|$(kwh2 $M1 12300)|2026-11-20 10:00:00|$(kwh2 $M1 0)" \
    "$M1: its on-site and its polled reading"
is "$(f 1 diff_kwh price diff_cost)" "12.30|0.5380|6.62" "12.30 kWh more than the record, 6.62 at 0.5380"
is "$(f 2 meter diff_kwh price diff_cost)" "$M3|-40.00|0.6000|-24.00" \
    "$M3: 40.00 kWh less, -24.00 at its tariff's 10:22 price"
exits 0 "a tolerance of 0.40 kWh" report onsite -o csv --tolerance 0.40
is "$(col "$T/out" meter)" "$M1 $M3 $N1" "also lists the meter 0.99 kWh off, not the one 0.40 off"
is "$(f 3 diff_kwh diff_cost)" "-0.99|-0.53" "with its energy and money"
exits 0 "--building" report onsite -o csv --tolerance 0.40 --building 2号楼
is "$(col "$T/out" meter)" "$N1" "the building's meters alone"
exits 0 "--from and --to take the on-site time" report onsite -o csv \
    --from '2026-11-20 10:21' --to '2026-11-20 11:00'
is "$(col "$T/out" meter)" "$M3" "the readings in the range"
exits 64 "a bad --tolerance" report onsite --tolerance abc
like "$T/err" "^report: --tolerance " "says so"

# A poll after the visit: the on-site reading is still compared with the
# poll before it, nothing in between is guessed.
start_sim site.yaml
exits 0 "a later poll" env PREPAY_NOW='2026-11-20 11:00:00' meter-read -o csv --meter "$M1"
stop_sim
exits 0 "report onsite" report onsite -o csv
is "$(f 1 meter polled diff_kwh)" "$M1|2026-11-20 10:00:00|12.30" \
    "still against the 10:00 poll"

exits 0 "report verify" report verify
unlike "$T/all.err" 'Sanitizer|runtime error' "no sanitizer reports from meter-sim"

done_testing
