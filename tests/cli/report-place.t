#!/bin/sh
# The office's reports by place: energy per building, floor or room with
# subtotals (energy --per), every meter's counters over a period
# (counters, a swapped meter included), and open accounts found by name,
# phone or room (accounts --find).  Readings are imported at fixed times
# on the library's clock, so every figure is known by hand.
. "$(dirname "$0")/lib.sh"

# 2026-02-01 00:00 in Shanghai: the site is loaded and the accounts open.
export PREPAY_NOW=1769875200
cat >site.yaml <<'EOF2'
site: place
defaults: {price: 0.5383, alarm1: 1.00, alarm2: 0.50, overload_w: 1000000}
buildings:
  - name: 东楼
    gateways:
      - name: ge
        address: tcp://127.0.0.1:1
        meters:
          - {meter: "E101A", unit: 1, floor: 1, room: "101", profile: dds238-2}
          - {meter: "E101B", unit: 2, floor: 1, room: "101", profile: dds238-2}
          - {meter: "E102", unit: 3, floor: 1, room: "102", profile: dds238-2}
          - {meter: "E103", unit: 4, floor: 1, room: "103", profile: dds238-2}
          - {meter: "E201", unit: 5, floor: 2, room: "201", profile: dds238-2}
  - name: W
    gateways:
      - name: gw
        address: tcp://127.0.0.1:2
        meters:
          - {meter: "W101", unit: 1, floor: 1, room: "101", profile: dds238-2}
          - {meter: "W102", unit: 2, floor: 1, room: "101", profile: dds238-2}
          - {meter: "W103", unit: 3, floor: 1, room: "103", profile: dds238-2}
EOF2
site-load site.yaml >/dev/null || echo "Bail out! site-load"
{
	acct-open -a 5001 -n 张敏 -p 13900001234 E101A E101B &&
	acct-open -a 5002 -n "Li Lei" -p 13900005678 E102 &&
	acct-open -a 5003 -n "100%电" -p 13700000001 E103 &&
	acct-open -a 5004 -n "A_B" -p 13700000002 E201 &&
	acct-open -a 5005 -n "Wang Fang" -p 13600009999 W101 &&
	acct-open -a 5006 -n "zhang wei" -p 13600001111 W103 &&
	acct-close 5006
} >/dev/null 2>&1 || echo "Bail out! accounts"

# 2026-02-12 00:00: the readings of the 10th and the 11th, then W101 is
# swapped for W102 with its final reading 3.00 kWh.
export PREPAY_NOW=1770825600
cat >r1.csv <<'EOF2'
meter,time,energy_kwh
E101A,2026-02-10 00:00,1000
E101A,2026-02-11 00:00,1001
E101B,2026-02-10 00:00,2000
E101B,2026-02-11 00:00,2001
E102,2026-02-10 00:00,100
E102,2026-02-11 00:00,101
E103,2026-02-10 00:00,50
E103,2026-02-11 00:00,51
E201,2026-02-10 00:00,10
E201,2026-02-11 00:00,13
W101,2026-02-10 00:00,0
W101,2026-02-11 00:00,2.5
EOF2
meter-read --import r1.csv >/dev/null || echo "Bail out! meter-read --import r1"
meter-swap --final 3.00 W101 W102 >/dev/null || echo "Bail out! meter-swap"

# 2026-03-01 00:00: the new meter's readings, and E201's, later on.
export PREPAY_NOW=1772294400
cat >r2.csv <<'EOF2'
meter,time,energy_kwh
W102,2026-02-15 00:00,0.5
W102,2026-02-20 00:00,1.5
E201,2026-02-20 00:00,14
EOF2
meter-read --import r2.csv >/dev/null || echo "Bail out! meter-read --import r2"

# --- energy --per: by place with subtotals --------------------------------
# The 10th alone, at 0.5383 yuan/kWh, each room rounded once:
#   东楼 1/101: E101A + E101B, 2 kWh = 1.0766 -> 1.08
#   东楼 1/102: 1 kWh = 0.5383 -> 0.54;  1/103: 0.54
#   东楼 floor 1: 1.08 + 0.54 + 0.54 = 2.16 (4 kWh once would be 2.15)
#   东楼 2/201: 3 kWh = 1.6149 -> 1.61;  东楼: 3.77
#   W 1/101: W101, 2.5 kWh = 1.34575 -> 1.35;  in all 5.12
D1=2026-02-10
D2=2026-02-11

exits 0 "energy --per room" report energy --from $D1 --to $D2 --per room -o csv
cp "$T/out" room.csv
is "$(head -n 1 room.csv)" "row,building,floor,room,meters,energy_kwh,cost" \
    "the columns of energy --per"
is "$($PY -c 'import csv,sys
for r in csv.DictReader(open(sys.argv[1], encoding="utf-8")):
    print("%s %s/%s/%s %s %s %s" % (r["row"], r["building"], r["floor"],
        r["room"], r["meters"], r["energy_kwh"], r["cost"]))' room.csv | tr '\n' ';')" \
    "item 东楼/1/101 2 2.00 1.08;item 东楼/1/102 1 1.00 0.54;item 东楼/1/103 1 1.00 0.54;subtotal 东楼/1/ 4 4.00 2.16;item 东楼/2/201 1 3.00 1.61;subtotal 东楼/2/ 1 3.00 1.61;subtotal 东楼// 5 7.00 3.77;item W/1/101 1 2.50 1.35;subtotal W/1/ 1 2.50 1.35;subtotal W// 1 2.50 1.35;total // 6 9.50 5.12;" \
    "per room: the rooms, each floor's and each building's subtotal, the total"

# Every subtotal and the total is the sum of the room rows it closes.
cat >sums.py <<'EOF2'
import csv, sys
from decimal import Decimal
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
items = [r for r in rows if r["row"] == "item"]
bad = []
for r in rows:
    if r["row"] == "item":
        continue
    inside = [i for i in items if all(r[k] in ("", i[k]) for k in
        ("building", "floor", "room"))]
    for c in ("meters", "energy_kwh", "cost"):
        s = sum(Decimal(i[c]) for i in inside)
        if s != Decimal(r[c]):
            bad.append("%s %s/%s %s: %s, rows %s" % (r["row"],
                r["building"], r["floor"], c, r[c], s))
print("; ".join(bad) or "ok")
EOF2
is "$($PY sums.py room.csv)" ok "per room: each subtotal is its rooms summed, in meters, energy and cost"

exits 0 "energy --per floor" report energy --from $D1 --to $D2 --per floor -o csv
cp "$T/out" floor.csv
is "$(col floor.csv row)|$(col floor.csv floor)|$(col floor.csv cost)" \
    "item item subtotal item subtotal total|1 2  1  |2.16 1.61 3.77 1.35 1.35 5.12" \
    "per floor: each building's floors, then its subtotal; the total last"
is "$($PY sums.py floor.csv)" ok "per floor: each subtotal is its floors summed"

# The floors' and buildings' figures are the room rows of the energy
# report by month summed here: the rooms of each are added up in the test.
exits 0 "energy --by month, per room" report energy --from $D1 --to $D2 --by month -o csv
cp "$T/out" month.csv
cat >against.py <<'EOF2'
import csv, sys
from decimal import Decimal
rooms = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
per = list(csv.DictReader(open(sys.argv[2], encoding="utf-8")))
bad = []
for r in per:
    inside = [i for i in rooms if all(r[k] in ("", i[k]) for k in
        ("building", "floor", "room"))]
    for c in ("energy_kwh", "cost"):
        s = sum(Decimal(i[c]) for i in inside)
        if s != Decimal(r[c]):
            bad.append("%s %s/%s %s: %s, rooms %s" % (r["row"],
                r["building"], r["floor"], c, r[c], s))
print("; ".join(bad) or "ok (%d rows)" % len(per))
EOF2
is "$($PY against.py month.csv floor.csv)" "ok (6 rows)" \
    "per floor: every floor, building and the total are the month's room rows summed"

exits 0 "energy --per building" report energy --from $D1 --to $D2 --per building -o csv
is "$(col "$T/out" row)|$(col "$T/out" building)|$(col "$T/out" energy_kwh)|$(col "$T/out" cost)" \
    "item item total|东楼 W |7.00 2.50 9.50|3.77 1.35 5.12" \
    "per building: a row each (no subtotals: they are the items), and the total"
is "$($PY against.py month.csv "$T/out")" "ok (3 rows)" "per building: the month's room rows summed"

exits 0 "energy --per floor --building 东楼 --floor 1" \
    report energy --from $D1 --to $D2 --per floor --building 东楼 --floor 1 -o csv
is "$(col "$T/out" row)|$(col "$T/out" cost)" "item subtotal total|2.16 2.16 2.16" \
    "a building and a floor chosen: the subtotal and total are theirs"
exits 0 "energy --per room, a week with no roll-up" \
    report energy --from 2026-01-01 --to 2026-01-08 --per room -o csv
is "$(nrows "$T/out")|$(f 1 row energy_kwh cost meters)" "1|total|0.00|0.00|0" \
    "no energy: the total row alone, at zero"
exits 0 "energy --per room -o table" report energy --from $D1 --to $D2 --per room -o table
like "$T/out" "total" "the table shows the total row"

exits 64 "energy --per street" report energy --from $D1 --to $D2 --per street
is "$(cat "$T/err")" "report: --per street: use building, floor or room" \
    "--per names the places it takes"
exits 64 "energy --per with --by" report energy --from $D1 --to $D2 --per floor --by month
like "$T/err" "leave out --by" "--per and --by are one or the other"
exits 64 "energy --per with --chart" report energy --from $D1 --to $D2 --per floor --chart
exits 64 "energy --per without --to" report energy --from $D1 --per floor
is "$(wc -c <"$T/out")" 0 "a refused report prints not even a header"

# --- accounts --find: open accounts by name, phone, room -------------------
find() {
	report accounts --find "$@" -o csv >"$T/out" 2>"$T/err"
	rc=$?
	col "$T/out" account
}
is "$(find 张敏)" 5001 "a Chinese name"
is "$(find 敏)" 5001 "a part of a Chinese name"
is "$(find 5678)" 5002 "the tail of a phone number"
is "$(find 201)" 5004 "a room (东楼 201)"
is "$(find 101)" "5001 5005" "a room number in two buildings; the closed account's W103 is not in it"
is "$(find "LI LEI")" 5002 "Latin letters in any case"
is "$(find 100%)" 5003 "a % is a percent sign, not any text"
is "$(find %)" 5003 "a lone % finds only a name that has one"
is "$(find A_B)" 5004 "an _ is an underscore ..."
is "$(find _)" 5004 "... not any one character"
is "$(find zhang)" "" "a closed account is not found ..."
is "$(report accounts --find zhang --state closed -o csv | cut -d, -f1 | tail -n +2)" 5006 \
    "... unless --state closed"
is "$(find 13900001234)|$(f 1 name phone meter room)" "5001|张敏|13900001234|E101A;E101B|101" \
    "a whole phone number; the row is the accounts report's"
is "$(find nobody)|$(head -n 1 "$T/out")" "|account,name,phone,state,meter,room,opened,closed,balance" \
    "nothing found: the header alone"
is "$(report balances --find 'wang f' -o csv | cut -d, -f1 | tail -n +2)" 5005 \
    "balances --find too"
exits 64 "accounts --find ''" report accounts --find ''
is "$(cat "$T/err")" "report: --find: give the text to find" "an empty --find says so"

# --- counters: every meter's counters over a period ------------------------
C1="2026-02-10 12:00"
C2="2026-02-20 12:00"
exits 0 "counters" report counters --from "$C1" --to "$C2" -o csv
cp "$T/out" counters.csv
is "$(head -n 1 counters.csv)" \
    "meter,building,floor,room,start_time,start_kwh,end_time,end_kwh,energy_kwh,message" \
    "the columns of counters"
is "$(col counters.csv meter)" "E101A E101B E102 E103 E201 W101 W102 W103" \
    "every meter, by building, floor and room"
is "$(row counters.csv 1 start_time start_kwh end_time end_kwh energy_kwh message)" \
    "2026-02-10 00:00:00|1000.00|2026-02-11 00:00:00|1001.00|1.00|" \
    "start: the reading at or before --from; end: the last at or before --to"
is "$(row counters.csv 5 start_kwh end_time end_kwh energy_kwh)" \
    "10.00|2026-02-20 00:00:00|14.00|4.00" "E201: 10 to 14 kWh"
is "$(row counters.csv 6 start_kwh end_time end_kwh energy_kwh message)" \
    "0.00|2026-02-12 00:00:00|3.00|3.00|swapped for W102 at 2026-02-12 00:00:00: ends at its final reading" \
    "the old meter of a swap: its own row, to the swap's final reading"
is "$(row counters.csv 7 start_time start_kwh end_kwh energy_kwh message)" \
    "2026-02-15 00:00:00|0.50|1.50|1.00|starts at its first reading, 2026-02-15 00:00:00, after --from; put in for W101 at 2026-02-12 00:00:00" \
    "the new meter: its own row from its first reading, said to start late"
is "$(row counters.csv 8 start_kwh end_kwh energy_kwh message)" "|||no reading at or before --to" \
    "a meter never read: no figures, and why"
# The differences are the energy the roll-up charged for the whole days
# inside the period: E201's 11th to 20th is 1 kWh, as energy says.
exits 0 "energy of E201's room over the days after its start" \
    report energy --from 2026-02-11 --to 2026-02-21 --room 201 --by month -o csv
is "$(f 1 energy_kwh)" 1.00 "E201's 1 kWh after the 11th is the roll-up's"

exits 0 "counters --building 东楼 --floor 1" \
    report counters --from "$C1" --to "$C2" --building 东楼 --floor 1 -o csv
is "$(col "$T/out" meter)" "E101A E101B E102 E103" "one building's floor"
exits 0 "counters --room 101" report counters --from "$C1" --to "$C2" --room 101 -o csv
is "$(col "$T/out" meter)" "E101A E101B W101 W102" "one room number, in both buildings"
exits 0 "counters: --to at a reading" report counters --from "$C1" --to "2026-02-11 00:00" --room 201 -o csv
is "$(f 1 end_kwh energy_kwh)" "13.00|3.00" "--to takes a reading at its very second"

# A reading that went backwards is flagged on import, and left out, saying so.
printf 'meter,time,energy_kwh\nE103,2026-02-20 00:00,40\n' >back.csv
meter-read --import back.csv >/dev/null 2>&1
exits 0 "counters after a backwards reading" report counters --from "$C1" --to "$C2" --room 103 --building 东楼 -o csv
is "$(f 1 end_kwh energy_kwh message)" "51.00|1.00|1 flagged reading left out" \
    "a flagged reading is left out, and counted"
# Had it not been flagged (written around the tools), no difference is made up.
sql "UPDATE readings SET flag = NULL WHERE flag = 'backwards'"
exits 0 "counters, a counter gone back" report counters --from "$C1" --to "$C2" --room 103 --building 东楼 -o csv
is "$(f 1 end_kwh energy_kwh message)" \
    "40.00||the counter went back from 50.00 to 40.00: replaced without meter-swap?" \
    "a counter that went back shows no difference, and says why"

exits 64 "counters without --to" report counters --from "$C1"
exits 64 "counters --from after --to" report counters --from "$C2" --to "$C1"

done_testing
