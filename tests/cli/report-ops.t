#!/bin/sh
# The operational reports: status, energy, readings, usage, alarms, lost,
# reconcile, bill, and the charts of sales, energy and usage.  The data are
# manual readings in last month, so that every interval and every charge is
# known exactly; each number is worked by hand below.
. "$(dirname "$0")/lib.sh"

# The clock is fixed, so that "today" holds however long the run takes,
# across midnight too: 2026-03-10 12:00:00 in Shanghai.
export PREPAY_NOW=1773115200

cat >site.yaml <<'EOF2'
site: ops
defaults: {price: 0.5000, alarm1: 20.00, alarm2: 5.00, overload_w: 1000000}
tariffs:
  flat: {price: 0.5380}
  zj:
    tou:
      - {name: peak, from: "08:00", to: "22:00", price: 0.5680}
      - {name: valley, from: "22:00", to: "08:00", price: 0.2880}
    tiers:
      period: year
      steps:
        - {upto: 2760, add: 0.0000}
        - {upto: 4800, add: 0.0500}
        - {add: 0.3000}
buildings:
  - name: A
    gateways:
      - name: ga
        address: tcp://127.0.0.1:1
        meters:
          - {meter: "A101", unit: 1, floor: 1, room: "101", profile: dds238-2, tariff: flat}
          - {meter: "A102", unit: 2, floor: 1, room: "102", profile: dds238-2, tariff: zj}
          - {meter: "A201", unit: 3, floor: 2, room: "201", profile: dds238-2, tariff: flat, alarm1: 50.00}
          - {meter: "A202", unit: 4, floor: 2, room: "202", profile: dds238-2, tariff: flat}
  - name: B
    gateways:
      - name: gb
        address: tcp://127.0.0.1:2
        meters:
          - {meter: "B101", unit: 1, floor: 1, room: "101", profile: dds238-2, tariff: flat}
          - {meter: "B102", unit: 2, floor: 1, room: "102", profile: prepay-1p, tariff: flat, billing: meter}
          - {meter: "B103", unit: 3, floor: 1, room: "103", profile: dds238-2, tariff: flat}
EOF2
site-load site.yaml >/dev/null || echo "Bail out! site-load"
for m in A101 A102 A201 A202 B101 B102; do
	acct-open -a "X$m" -n "户$m" "$m" >/dev/null || echo "Bail out! acct-open $m"
done
# The gateways are not there: B102's recharge stays pending (exit 75).
sale XB102 100 >/dev/null 2>&1
# Last month's readings below are charged to the accounts that held the
# meters then: their attachment is moved back two months.
sql "UPDATE account_meters SET attached = attached - 5184000;
    UPDATE accounts SET opened = opened - 5184000" ||
    echo "Bail out! backdating"

# Last month (P) holds the readings; this month (N) the sales.
P=2026-02
N=2026-03
base=$(date -d "$P-12 00:00" +%s)
{
	echo meter,time,energy_kwh
	# A101, flat 0.5380: 12 kWh on the 10th by noon, then 24 kWh over
	# the next 24 hours, half on the 10th and half on the 11th.
	echo "A101,$P-10 00:00,100"
	echo "A101,$P-10 12:00,112"
	echo "A101,$P-11 12:00,136"
	# A102, Zhejiang time of use with yearly tiers, all on the 10th.
	echo "A102,$P-10 00:00,10000"
	echo "A102,$P-10 08:00,10100"
	echo "A102,$P-10 20:00,12600"
	echo "A102,$P-10 23:00,12900"
	# A202, flat: hourly, 0.2 kWh an hour of standby until 06:00, then
	# 1 kWh an hour, on the 12th.
	echo "A202,$P-12 00:00,500"
	e=500000
	for h in $(seq 1 24); do
		if [ "$h" -le 6 ]; then e=$((e + 200)); else e=$((e + 1000)); fi
		printf 'A202,%s,%d.%03d\n' "$(date -d "@$((base + h * 3600))" \
		    '+%Y-%m-%d %H:%M')" $((e / 1000)) $((e % 1000))
	done
} >readings.csv
meter-read --import readings.csv >/dev/null || echo "Bail out! meter-read --import"

# The charges, by hand (1e-7 yuan exact, rounded once to the fen):
#   A101 on the 10th: 12 + 12 = 24 kWh x 0.5380 = 12.912 -> 12.91
#   A101 on the 11th: 12 kWh x 0.5380 = 6.456 -> 6.46; in all 19.368 -> 19.37
#   A102 00-08: 100 kWh valley, tier 1: x 0.2880 = 28.80
#   A102 08-20: 2500 kWh peak, tier 1 (2600 used): x 0.5680 = 1420.00
#   A102 20-23: 300 kWh shared by time: 200 peak, 100 valley.  The peak
#        part crosses 2760 kWh: 160 at 0.5680 = 90.88 and 40 at
#        0.5680 + 0.0500 = 0.6180: 24.72; the valley part is all tier 2:
#        100 x (0.2880 + 0.0500) = 33.80
#   A102: peak tier 1 2660 kWh 1510.88, peak tier 2 40 kWh 24.72, valley
#        tier 1 100 kWh 28.80, valley tier 2 100 kWh 33.80: 2900 kWh, 1598.20
#   A202 on the 12th: 6 x 0.2 + 18 x 1 = 19.2 kWh x 0.5380 = 10.3296 -> 10.33

# --- the balances, set by selling and refunding ---------------------------
{
	sale XA101 100 &&		# 100 - 19.37 = 80.63: open
	sale XA102 1000 &&		# 1000 - 1598.20 = -598.20: arrears
	sale XA201 40 &&		# 40 < its own alarm1 50: low1
	sale XA202 20 &&		# 20 - 10.33 = 9.67, then
	refund XA202 6 &&		# 3.67 < alarm2 5: low2
	sale XB101 30			# 30.00: open, until it is lost
} >/dev/null || echo "Bail out! sales"
is "$(bal XA101 XA102 XA201 XA202 XB101)" "80.63|-598.20|40.00|3.67|30.00" \
    "the balances: 80.63, -598.20, 40.00, 3.67, 30.00"

# --- energy ---------------------------------------------------------------

exits 0 "energy --by day" report energy --from "$P" --to "$N" -o csv
is "$(head -n 1 "$T/out")" "day,building,floor,room,energy_kwh,cost" "the energy columns"
$PY -c 'import csv,sys
for r in csv.DictReader(open(sys.argv[1], encoding="utf-8")):
    print(r["day"][8:], r["building"], r["floor"], r["room"], r["energy_kwh"], r["cost"])' "$T/out" >e.txt
is "$(tr '\n' ';' <e.txt)" "10 A 1 101 24.00 12.91;10 A 1 102 2900.00 1598.20;11 A 1 101 12.00 6.46;12 A 2 202 19.20 10.33;" \
    "per room per day: the imported deltas, shared over midnight by time, and their costs"
exits 0 "energy --by month" report energy --from "$P" --to "$N" --by month -o csv
is "$(head -n 1 "$T/out" | cut -d, -f1)|$(col "$T/out" room)|$(col "$T/out" energy_kwh)|$(col "$T/out" cost)" \
    "month|101 102 202|36.00 2900.00 19.20|19.37 1598.20 10.33" \
    "by month: 101 is 24 + 12 kWh, its cost rounded once (19.368 -> 19.37)"
is "$(row "$T/out" 1 month)" "$P" "the month is $P"
exits 0 "energy --building A --floor 2" report energy --from "$P" --to "$N" --building A --floor 2 -o csv
is "$(col "$T/out" room)|$(col "$T/out" energy_kwh)" "202|19.20" "one floor"
exits 0 "energy --room 101" report energy --from "$P" --to "$N" --room 101 -o csv
is "$(col "$T/out" building)|$(col "$T/out" energy_kwh)" "A A|24.00 12.00" "one room number (B's 101 used nothing)"
exits 0 "energy --building B" report energy --from "$P" --to "$N" --building B -o csv
is "$(nrows "$T/out")" 0 "building B used nothing"
exits 0 "energy: one day" report energy --from "$P-11" --to "$P-12" -o csv
is "$(col "$T/out" energy_kwh)" "12.00" "--from the 11th --to the 12th: the 11th alone"
exits 0 "energy: from noon to noon" report energy --from "$P-10 12:00" --to "$P-11 12:00" -o csv
is "$(col "$T/out" day | tr ' ' '\n' | cut -c9- | tr '\n' ' ')" "10 10 11 " \
    "times inside a day take the whole day from the roll-up"
is "$(sql "SELECT sum(energy_wh) FROM daily")" 2955200 \
    "the daily roll-up holds every delta: 36000 + 2900000 + 19200 Wh"
exits 64 "energy without --to" report energy --from "$P" -o csv
exits 64 "energy --by year" report energy --from "$P" --to "$N" --by year -o csv
exits 64 "energy --by hour" report energy --from "$P" --to "$N" --by hour -o csv

exits 0 "energy --chart" report energy --from "$P" --to "$N" --chart
like "$T/out" "^$P-10 +█{40} 2924\\.00\$" "the chart: the 10th's bar is the widest, 24 + 2900 kWh"
like "$T/out" "^$P-12 +[▏▎▍▌▋▊▉█]+ +19\\.20\$" "the 12th has a sliver of a bar"
exits 64 "energy --chart -o csv" report energy --from "$P" --to "$N" --chart -o csv
exits 64 "--chart on a report without one" report status --chart

XPY=
for p in python3 /usr/bin/python3; do
	if "$p" -c 'import openpyxl' 2>/dev/null; then
		XPY=$p
		break
	fi
done
if [ -n "$XPY" ]; then
	exits 0 "energy -o xlsx" report energy --from "$P" --to "$N" -o xlsx -O e.xlsx
	is "$("$XPY" -c 'import openpyxl
ws = openpyxl.load_workbook("e.xlsx").active
rows = list(ws.iter_rows(values_only=True))
print(rows[0])
num = lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)
for r in rows[1:]:
    print(r[3], num(r[4]) and num(r[5]), "%g %g" % (r[4], r[5]))')" \
	    "('day', 'building', 'floor', 'room', 'energy_kwh', 'cost')
101 True 24 12.91
102 True 2900 1598.2
101 True 12 6.46
202 True 19.2 10.33" "e.xlsx: kWh and cost are numeric cells with the right values"
else
	for _ in 1 2; do
		tap_n=$((tap_n + 1))
		echo "ok $tap_n # skip openpyxl is not installed"
	done
fi

# --- readings and usage -------------------------------------------------

exits 0 "readings A101" report readings A101 -o csv
is "$(head -n 1 "$T/out")" "time,source,energy_kwh,power_w,voltage_v,current_a,balance,buy_count,relay,flag,cost" \
    "the readings columns"
is "$(col "$T/out" energy_kwh)|$(col "$T/out" cost)|$(col "$T/out" source)" \
    "100.00 112.00 136.00|0.00 6.46 12.91|manual manual manual" \
    "each reading with what its interval cost: 12 kWh 6.456, 24 kWh 12.912"
exits 0 "readings --from --to" report readings A101 --from "$P-10 06:00" --to "$P-11 12:00" -o csv
is "$(col "$T/out" time)" "$P-10 12:00:00" "--to is exclusive"
exits 65 "readings of an unknown meter" report readings NOPE -o csv
like "$T/err" "NOPE" "the message names it"
exits 64 "readings without a meter" report readings -o csv

exits 0 "usage --by hour" report usage A202 --from "$P-12" --to "$P-13" --by hour -o csv
is "$(head -n 1 "$T/out")" "hour,energy_kwh,power_w" "the usage columns"
is "$(nrows "$T/out")|$(row "$T/out" 1 hour energy_kwh power_w)|$(row "$T/out" 7 hour energy_kwh power_w)" \
    "24|$P-12 00:00|0.20|200|$P-12 06:00|1.00|1000" "24 hours: 200 W of standby at night, 1000 W by day"
is "$(col "$T/out" energy_kwh | tr ' ' '\n' | sort | uniq -c | awk '{print $1 "x" $2}' | tr '\n' ' ')" \
    "6x0.20 18x1.00 " "six hours of 0.2 kWh, eighteen of 1 kWh"
exits 0 "usage --by day" report usage A202 --from "$P-12" --to "$P-13" --by day -o csv
is "$(row "$T/out" 1 day energy_kwh power_w)" "$P-12|19.20|800" \
    "the day: 19.20 kWh, as the energy report has it; 800 W on average"
exits 0 "usage A101 --by day" report usage A101 --from "$P-09" --to "$P-13" --by day -o csv
is "$(col "$T/out" energy_kwh | sed 's/^ //; s/ $//')" "24.00 12.00" \
    "A101: the deltas shared by time as the roll-up did; unknown days are empty"
is "$(nrows "$T/out")" 4 "every day of the range has a row"
exits 0 "usage A101 --by hour across midnight" report usage A101 --from "$P-10 23:00" --to "$P-11 01:00" --by hour -o csv
is "$(col "$T/out" energy_kwh)" "1.00 1.00" "24 kWh over 24 hours: 1 kWh an hour"
exits 0 "usage --chart" report usage A202 --from "$P-12" --to "$P-13" --by hour --chart
like "$T/out" "^$P-12 00:00 +█{8} +0\\.20\$" "the chart: standby hours have a fifth of the bar"
like "$T/out" "^$P-12 12:00 +█{40} 1\\.00\$" "... and the day hours the widest"
is "$(grep -c '█' "$T/out")" 24 "one bar per hour"
exits 64 "usage without --by" report usage A202 --from "$P-12" --to "$P-13" -o csv
exits 64 "usage --by month" report usage A202 --from "$P-12" --to "$P-13" --by month -o csv
exits 64 "usage without --from" report usage A202 --to "$P-13" --by day -o csv
exits 65 "usage of an unknown meter" report usage NOPE --from "$P-12" --to "$P-13" --by day -o csv

# --- bill -----------------------------------------------------------------

exits 0 "bill XA102 --month P" report bill XA102 --month "$P" -o csv
is "$(head -n 1 "$T/out")" "item,time,serial,kind,window,tier,energy_kwh,price,amount,cost,balance" \
    "the bill columns"
$PY -c 'import csv,sys
for r in csv.DictReader(open(sys.argv[1], encoding="utf-8")):
    print(" ".join(r[c] or "-" for c in ("item","kind","window","tier","energy_kwh","price","amount","cost","balance")))' "$T/out" >b.txt
is "$(tr '\n' ';' <b.txt)" "opening - - - - - - - 0.00;payments - - - - - 0.00 - -;energy - peak 1 2660.00 0.5680 - 1510.88 -;energy - peak 2 40.00 0.6180 - 24.72 -;energy - valley 1 100.00 0.2880 - 28.80 -;energy - valley 2 100.00 0.3380 - 33.80 -;charges - - - 2900.00 - - 1598.20 -;closing - - - - - - - -1598.20;" \
    "last month: each window and tier, worked above; 0.00 + 0.00 - 1598.20 = -1598.20"
is "$(row "$T/out" 1 time)|$(row "$T/out" -1 time)" "$P-01 00:00:00|$N-01 00:00:00" "from the month's start to the next"
exits 0 "bill XA102 --month N" report bill XA102 --month "$N" -o csv
$PY -c 'import csv,sys
for r in csv.DictReader(open(sys.argv[1], encoding="utf-8")):
    print(" ".join(r[c] or "-" for c in ("item","kind","amount","cost","balance")))' "$T/out" >b.txt
is "$(tr '\n' ';' <b.txt)" "opening - - - -1598.20;payment open 0.00 - -;payment sale 1000.00 - -;payments - 1000.00 - -;charges - - 0.00 -;closing - - - -598.20;" \
    "this month: -1598.20 + 1000.00 - 0.00 = -598.20"
is "$(row "$T/out" -1 balance)" "$(bal XA102)" "the closing balance is the balance now"
exits 0 "bill XA202 --month N" report bill XA202 --month "$N" -o csv
is "$(row "$T/out" 1 balance)|$(row "$T/out" -2 cost)|$(row "$T/out" -3 amount)|$(row "$T/out" -1 balance)" \
    "-10.33|0.00|14.00|3.67" "XA202: -10.33 + (20.00 - 6.00) = 3.67"
exits 0 "bill XA101 --month P" report bill XA101 --month "$P" -o csv
is "$(grep '^energy' "$T/out" | cut -d, -f5-10)|$(row "$T/out" -2 energy_kwh cost)" \
    ",,36.00,0.5380,,19.37|36.00|19.37" "a flat tariff: one part, 36 kWh at 0.5380"
exits 0 "bill of the own-wallet account" report bill XB102 --month "$N" -o csv
is "$(row "$T/out" -1 balance)" "100.00" "the money paid in"
exits 65 "bill of an unknown account" report bill NOPE --month "$N" -o csv
like "$T/err" "NOPE" "the message names it"
for bad in 2026-13 2026-1 2026 2026-10-01 '' x; do
	exits 64 "bill --month \"$bad\"" report bill XA102 --month "$bad" -o csv
done
exits 64 "bill without --month" report bill XA102 -o csv
exits 64 "bill without an account" report bill --month "$N" -o csv

# --- status ---------------------------------------------------------------

sql "UPDATE meters SET state = 'lost', state_since = unixepoch('$P-20 08:00:00', 'utc'),
    last_seen = unixepoch('$P-20 07:30:00', 'utc') WHERE meter = 'B101';
    UPDATE gateways SET state = 'lost', state_since = unixepoch('$P-20 08:00:00', 'utc')
    WHERE name = 'gb';
    UPDATE meters SET power_w = 150, relay = 'closed', keep = 'on' WHERE meter = 'A101';"
exits 0 "status" report status -o csv
is "$(head -n 1 "$T/out")" "meter,building,room,account,name,state,balance,power_w,alarm1,relay,keep,time,age_min,age_s" \
    "the status columns"
is "$(col "$T/out" meter)" "A101 A102 A201 A202 B101 B102 B103" "one row per meter"
is "$(col "$T/out" state)" "open arrears low1 low2 lost open unopened" \
    "the states: open, arrears, low1 by its own alarm1, low2, lost wins, own wallet, unopened"
is "$(col "$T/out" balance | sed 's/ *$//')" "80.63 -598.20 40.00 3.67 30.00 100.00" \
    "the balances (none for the unopened meter)"
is "$(col "$T/out" alarm1)" "20.00 20.00 50.00 20.00 20.00 20.00 20.00" "alarm1: its own, else the site's"
is "$(row "$T/out" 1 power_w relay keep)" "150|closed|on" "power, relay and keep as last seen"
is "$(row "$T/out" 5 time)" "$P-20 07:30:00" "the time it was last seen"
exits 0 "status --state low2" report status --state low2 -o csv
is "$(col "$T/out" meter)" "A202" "--state keeps one state"
exits 0 "status --building B" report status --building B -o csv
is "$(col "$T/out" meter)" "B101 B102 B103" "--building"
exits 0 "status --building A --floor 2" report status --building A --floor 2 -o csv
is "$(col "$T/out" meter)" "A201 A202" "--floor"
exits 64 "status --state bogus" report status --state bogus -o csv

# The own wallet's balance is what the meter holds, once it was read.
sql "UPDATE meters SET meter_balance = 400, meter_count = 0 WHERE meter = 'B102'"
exits 0 "status --state low2 with the meter's wallet" report status --state low2 -o csv
is "$(col "$T/out" meter)|$(row "$T/out" 2 balance)" "A202 B102|4.00" "B102 shows the 4.00 its meter holds: low2"

# Colour: each state its own on a terminal, none in a pipe or in CSV.
# on_tty CMD...: run CMD on a pseudo-terminal, its output to stdout.
on_tty() {
	$PY -c 'import os, pty, sys
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
out = b""
while True:
    try:
        d = os.read(fd, 65536)
    except OSError:
        break
    if not d:
        break
    out += d
os.waitpid(pid, 0)
sys.stdout.buffer.write(out.replace(b"\r\n", b"\n"))' "$@"
}
on_tty report status >tty.txt
esc=$(printf '\033')
for s in "31 B101" "35 A102" "33 A202" "36 A201" "2 B103"; do
	set -- $s
	like tty.txt "^${esc}\\[$1m$2 " "on a terminal, $2 is in colour $1"
done
like tty.txt "^A101 " "an open meter is not coloured"
like tty.txt "${esc}\\[0m\$" "the colour ends with its line"
on_tty report status -o csv >ttycsv.txt
unlike ttycsv.txt "$esc" "no colour in CSV, even on a terminal"
report status -o table >pipe.txt
unlike pipe.txt "$esc" "no colour in a table to a pipe"
NO_COLOR=1 on_tty report status >nocolor.txt
unlike nocolor.txt "$esc" "no colour with NO_COLOR"

# --- lost -----------------------------------------------------------------

exits 0 "lost" report lost -o csv
is "$(head -n 1 "$T/out")" "meter,gateway,building,floor,room,account,name,since,time" "the lost columns"
is "$(row "$T/out" 1 meter gateway building room account since time)|$(nrows "$T/out")" \
    "B101|gb|B|101|XB101|$P-20 08:00:00|$P-20 07:30:00|1" "the lost meter, since when, last seen"
exits 0 "lost --gateways" report lost --gateways -o csv
is "$(head -n 1 "$T/out")" "gateway,building,address,since,meters,lost,time" "the lost gateway columns"
is "$(row "$T/out" 1 gateway building since meters lost time)|$(nrows "$T/out")" \
    "gb|B|$P-20 08:00:00|3|1|$P-20 07:30:00|1" "the lost gateway: 3 meters, 1 lost"

# --- reconcile --------------------------------------------------------------

sql "UPDATE meters SET meter_balance = NULL, meter_count = NULL WHERE meter = 'B102'"
exits 0 "reconcile" report reconcile -o csv
is "$(head -n 1 "$T/out")" "meter,account,name,room,balance,buy_count,sold,ledger_count,pending,pending_amount,result,message" \
    "the reconcile columns"
is "$(row "$T/out" 1 meter account sold ledger_count pending pending_amount result)|$(nrows "$T/out")" \
    "B102|XB102|100.00|1|1|100.00|unread|1" "only the own-wallet meter; never read"
# rec BALANCE COUNT STATE: the meter's mirror and the recharge's state.
rec() {
	sql "UPDATE meters SET meter_balance = $1, meter_count = $2 WHERE meter = 'B102';
	    UPDATE commands SET state = '$3' WHERE action = 'recharge'"
	report reconcile -o csv >rec.csv
	row rec.csv 1 balance buy_count pending result
}
is "$(rec 0 0 pending)" "0.00|0|1|ok" "read before the recharge went: 0 + 1 pending = 1 purchase"
is "$(rec 9000 1 done)" "90.00|1|0|ok" "the recharge went, and 10.00 was spent"
is "$(rec 15000 1 done)" "150.00|1|0|mismatch" "the meter holds more than was sold to it"
is "$(rec 9000 2 done)" "90.00|2|0|mismatch" "the meter counts a purchase the ledger never made"
is "$(rec 9000 0 failed)" "90.00|0|0|mismatch" "a lost recharge: sold, but the meter never counted it"
like rec.csv "counts 0 purchases, the ledger 1" "the message says why"
sql "UPDATE meters SET meter_balance = 9000, meter_count = 1 WHERE meter = 'B102';
    UPDATE commands SET state = 'done' WHERE action = 'recharge'"

# --- alarms ---------------------------------------------------------------

t0=$(date -d "$P-15 09:00" +%s)
aid=$(sql "SELECT id FROM accounts WHERE account = 'XA102'")
mid=$(sql "SELECT id FROM meters WHERE meter = 'B101'")
gid=$(sql "SELECT id FROM gateways WHERE name = 'gb'")
sql "INSERT INTO alarms(kind, account_id, raised, level, value, message, notified,
    resident_sent) VALUES ('arrears', $aid, $t0, 3, '-598.20', '欠费', $((t0 + 60)), $((t0 + 60)));
    INSERT INTO alarms(kind, meter_id, raised, cleared, level, value, message)
    VALUES ('lost', $mid, $((t0 + 3600)), $((t0 + 7200)), 2, '', 'lost');
    INSERT INTO alarms(kind, gateway_id, raised, level, message)
    VALUES ('gateway', $gid, $((86400 + t0)), 2, 'gb down')"
exits 0 "alarms" report alarms -o csv
is "$(head -n 1 "$T/out")" "time,level,alarm,meter,gateway,account,name,room,value,message,cleared,notified" \
    "the alarms columns"
is "$(col "$T/out" alarm)|$(col "$T/out" level)" "arrears lost gateway|3 2 2" "every alarm, oldest first"
is "$(row "$T/out" 1 time meter gateway account name room value notified cleared)" \
    "$P-15 09:00:00|A102|ga|XA102|户A102|102|-598.20|$P-15 09:01:00|" \
    "an account's alarm names its meter; notified, not cleared"
is "$(row "$T/out" 2 meter account cleared)" "B101|XB101|$P-15 11:00:00" "a meter's alarm, cleared"
is "$(row "$T/out" 3 meter gateway)" "|gb" "a gateway's alarm"
exits 0 "alarms --open" report alarms --open -o csv
is "$(col "$T/out" alarm)" "arrears gateway" "--open: the standing ones"
exits 0 "alarms --kind lost" report alarms --kind lost -o csv
is "$(col "$T/out" meter)" "B101" "--kind"
exits 0 "alarms --from --to" report alarms --from "$P-15 10:00" --to "$P-16" -o csv
is "$(col "$T/out" alarm)" "lost" "--from and --to select by the time raised"
exits 0 "alarms --open --kind arrears, piped" report alarms --open --kind arrears -o tsv
is "$(cut -f4 "$T/out" | tr '\n' ' ')" "meter A102 " "the meter column feeds meter-ctl"

# status judges the balances as alarm-scan does.
report status -o csv >st.csv
alarm-scan -o csv >/dev/null 2>&1
report alarms --open -o csv >al.csv
# judged FILE COLUMN: the meters with a balance state or alarm, as meter:state.
judged() {
	$PY -c 'import csv,sys
print(" ".join(sorted(r["meter"] + ":" + r[sys.argv[2]] for r in csv.DictReader(open(sys.argv[1], encoding="utf-8"))
    if r[sys.argv[2]] in ("low1", "low2", "arrears"))))' "$1" "$2"
}
is "$(judged al.csv alarm)|$(judged st.csv state)" \
    "A102:arrears A201:low1 A202:low2|A102:arrears A201:low1 A202:low2" \
    "the balance alarms alarm-scan raises are the states of status: A102:arrears A201:low1 A202:low2"

# --- sales --chart ------------------------------------------------------

exits 0 "sales --chart" report sales --by day --chart
like "$T/out" "^2026-03-10 +█{40} 1284\\.00\$" \
    "one bar per day of the net: 100 + 100 + 1000 + 40 + 20 - 6 + 30 + 100"
exits 0 "sales --chart -o table" report sales --by month --chart -o table
like "$T/out" "^$N +█{40} 1284\\.00\$" "by month"

# --- tsv and table keep the rows -------------------------------------------

for r in "status" "energy --from $P --to $N" "readings A101" "usage A202 --from $P-12 --to $P-13 --by hour" \
    "alarms" "lost" "lost --gateways" "reconcile" "bill XA102 --month $P"; do
	# shellcheck disable=SC2086
	report $r -o csv >r.csv
	# shellcheck disable=SC2086
	report $r -o tsv >r.tsv
	is "$($PY -c 'import csv,sys
t=[l.rstrip("\n").split("\t") for l in open(sys.argv[1], encoding="utf-8")]
c=list(csv.reader(open(sys.argv[2], newline="", encoding="utf-8")))
print(t == c and len(c) > 1)' r.tsv r.csv)" True "$r: the TSV has the CSV's rows"
	# shellcheck disable=SC2086
	report $r -o table >r.txt
	is "$(($(wc -l <r.txt) - 1))" "$(wc -l <r.csv | tr -d ' ')" "$r: the table has a line per row, and the rule"
done

exits 0 "report verify" report verify -o csv
is "$(col "$T/out" result | tr ' ' '\n' | sort -u | tr '\n' ' ')" "ok " "report verify: every check is ok"
done_testing
