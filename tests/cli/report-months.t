#!/bin/sh
# report-months.t: the monthly roll-up (migration 23; doc/design.md, "The
# store").  The store keeps each meter's month, the sum of its days and how
# many they are, with the days; energy --per and --by month read whole
# months from it and the days of the months a period cuts from the daily
# roll-up (the days in the period, or the month less the days out of it),
# and say the same as the days alone, to the Wh and the 1e-7 yuan; a
# migrated database builds it from its days; report verify sees a month
# that is not its days.
. "$(dirname "$0")/lib.sh"

# 2025-12-01 00:00 in Shanghai: the site is loaded and the accounts open.
export PREPAY_NOW=1764518400
cat >site.yaml <<'EOF2'
site: months
defaults: {price: 0.5383, alarm1: 1.00, alarm2: 0.50, overload_w: 1000000}
buildings:
  - name: A
    gateways:
      - name: ga
        address: tcp://127.0.0.1:1
        meters:
          - {meter: "A101", unit: 1, floor: 1, room: "101", profile: dds238-2}
          - {meter: "A102", unit: 2, floor: 1, room: "102", profile: dds238-2}
          - {meter: "A201", unit: 3, floor: 2, room: "201", profile: dds238-2}
  - name: B
    gateways:
      - name: gb
        address: tcp://127.0.0.1:2
        meters:
          - {meter: "B101", unit: 1, floor: 1, room: "101", profile: dds238-2}
EOF2
site-load site.yaml >/dev/null || echo "Bail out! site-load"
{
	acct-open -a 7001 -n one A101 &&
	acct-open -a 7002 -n two A102 &&
	acct-open -a 7003 -n three B101
} >/dev/null 2>&1 || echo "Bail out! accounts"

# 2026-04-12 00:00: a reading of each meter every day at 12:00 from
# 2025-12-20 to 2026-04-10, so that each interval is shared between two
# days, and two months at a month's end; A201 (no account) costs nothing;
# B101 is read to 2026-01-04 only.
export PREPAY_NOW=1775923200
$PY - >r.csv <<'PYEOF'
import datetime
print("meter,time,energy_kwh")
wh = {"A101": 1000000, "A102": 2000000, "A201": 500000, "B101": 0}
d, n = datetime.date(2025, 12, 20), 0
while d <= datetime.date(2026, 4, 10):
    for k, m in enumerate(sorted(wh)):
        if m == "B101" and d > datetime.date(2026, 1, 4):
            continue
        wh[m] += 1000 + (n * 7 + k * 311) % 2345
        print("%s,%s 12:00,%d.%03d" % (m, d, wh[m] // 1000, wh[m] % 1000))
    d += datetime.timedelta(days=1)
    n += 1
PYEOF
meter-read --import r.csv >/dev/null || echo "Bail out! meter-read --import"

# --- the roll-up the store keeps -------------------------------------------------
is "$(sql "SELECT count(*) FROM monthly")" 17 \
    "a row a meter a month it has days in: 5 months of 3 meters, 2 of B101"
is "$(sql "SELECT count(*) FROM (SELECT substr(day, 1, 7) AS month, meter_id, count(*) AS n,
    sum(energy_wh) AS wh, sum(cost_e7) AS e7 FROM daily GROUP BY 1, 2 EXCEPT
    SELECT month, meter_id, days, energy_wh, cost_e7 FROM monthly) x")" 0 \
    "each month is its days in the daily roll-up: how many, their energy and their cost"
is "$(sql "SELECT days FROM monthly JOIN meters m ON m.id = meter_id WHERE m.meter = 'A101'
    ORDER BY month" | tr '\n' ' ')" "12 31 28 31 10 " \
    "A101's days: 20-31 December, every day of January to March, 1-10 April"
is "$(sql "SELECT count(*) FROM monthly WHERE cost_e7 <> energy_wh * 5383")" 5 \
    "priced as its days are: A201's months cost nothing"
exits 0 "report verify passes" report verify -o csv

# --- energy --per and --by month from the months and the days -------------------
# What the days alone say, for the days lo..hi: each room's meters,
# energy and cost summed and rounded once (energy.c).
# With "month", each month's rooms, as energy --by month shows them.
# The days' sums come from sql (either engine), as CSV on stdin.
cat >days.py <<'PYEOF'
import csv, sys
by = len(sys.argv) > 1
for p, b, f, r, n, wh, e7 in csv.reader(sys.stdin):
    wh, e7 = int(wh), int(e7)
    tens = (wh + 5) // 10
    fen = (e7 + 50000) // 100000
    print("%s,%s,%s,%s,%s%d.%02d,%d.%02d" % (p if by else "item", b, f, r,
          "" if by else "%s," % n, tens // 100, tens % 100, fen // 100, fen % 100))
PYEOF
# days LO HI [month]: what the days LO..HI say, as days.py prints them.
days() {
	sql -csv "SELECT CASE WHEN '${3-}' = 'month' THEN substr(d.day, 1, 7)
	    ELSE '' END AS p, b.name, m.floor, m.room, count(DISTINCT m.id),
	    sum(d.energy_wh), sum(d.cost_e7) FROM daily d JOIN meters m ON
	    m.id = d.meter_id JOIN buildings b ON b.id = m.building_id WHERE
	    d.day >= '$1' AND d.day <= '$2' GROUP BY p, b.id, m.floor, m.room
	    ORDER BY p, b.id, m.floor, m.room" | $PY days.py ${3:+"$3"}
}
# per FROM TO LO HI NAME: energy --per room and --by month from FROM to
# TO say what the days LO..HI say.
per() {
	report energy --from "$1" --to "$2" --per room -o csv >"$T/out" 2>"$T/err"
	rc=$?
	is "$rc|$(grep '^item,' "$T/out")" "0|$(days "$3" "$4")" \
	    "per room: $5"
	report energy --from "$1" --to "$2" --by month -o csv >"$T/out" 2>"$T/err"
	rc=$?
	is "$rc|$(tail -n +2 "$T/out")" "0|$(days "$3" "$4" month)" \
	    "by month: $5"
}
per 2026-01 2026-04 2026-01-01 2026-03-31 "three whole months: the monthly roll-up's"
per 2025-12-28 2026-03-10 2025-12-28 2026-03-09 \
    "a period that starts late in a month and ends early in one: their days in it"
per 2025-12-03 2026-03-29 2025-12-03 2026-03-28 \
    "one that starts early and ends late: those months less their days out of it"
per 2026-02-03 2026-02-26 2026-02-03 2026-02-25 \
    "within one month, most of it: the month less the days before and after"
per 2026-02-10 2026-02-14 2026-02-10 2026-02-13 "within one month, a few days: those days"
per "2026-01-01" "2026-02-05 13:00" 2026-01-01 2026-02-05 \
    "a whole month and the days of the next, to an hour of its last"
per 2025-11-01 2026-06-01 2025-11-01 2026-05-31 \
    "months before the first reading and after the last"
per 2026-01-05 2026-03-01 2026-01-05 2026-02-28 \
    "January less B101's only days in it: no row for its room, as with the days alone"
is "$(grep -c ',B,' "$T/out")" 0 "B's room is not in it"
exits 0 "energy --per building, a year" report energy --from 2025-06 --to 2026-06 --per building -o csv
is "$(grep '^total,' "$T/out")" "total,,,,4,$(days 2025-06-01 2026-05-31 |
    $PY -c 'import csv, sys
rows = list(csv.reader(sys.stdin))
print("%.2f,%.2f" % (sum(float(r[5]) for r in rows), sum(float(r[6]) for r in rows)))')" \
    "a year per building: its total is the rooms of the days alone summed"

# --- a database before the monthly roll-up ----------------------------------------
# Taken back to the schema before migration 23, without the table (and
# without what migrations 24 to 27 added): the migration builds it from
# the daily roll-up.  SQLite's: PostgreSQL's schema had the monthly
# roll-up from its first version (lib/pg/002-tables.sql).
if on_pg; then
	for _ in 1 2 3; do
		tap_n=$((tap_n + 1))
		echo "ok $tap_n # SKIP SQLite's migration 23; PostgreSQL's schema has had the monthly roll-up from its first version"
	done
else
sql "SELECT * FROM monthly ORDER BY month, meter_id" >monthly.before
v=$(sql "PRAGMA user_version")
unmigrate 22
exits 0 "report verify migrates it" report verify -o csv
is "$(sql "PRAGMA user_version")" "$v" "the schema is the migrations' again"
is "$(sql "SELECT * FROM monthly ORDER BY month, meter_id")" "$(cat monthly.before)" \
    "the migration built the monthly roll-up the store had kept"
fi

# --- report verify sees a month that is not its days ----------------------------
# tampered: a copy of the database, to edit around the tools; its
# PREPAY_DB in $tdb.
tampered() {
	db_save tampered
	tdb=$(db_of tampered)
}
for change in "energy_wh = energy_wh + 1" "cost_e7 = cost_e7 - 10" "days = days + 1"; do
	tampered
	(PREPAY_DB=$tdb; sql "UPDATE monthly SET $change WHERE month = '2026-02' AND
	    meter_id = (SELECT id FROM meters WHERE meter = 'A102')")
	exits 1 "verify: monthly $change" env PREPAY_DB="$tdb" report verify -o csv
	like "$T/out" '^charges,fail,"meter A102 in 2026-02: the monthly roll-up holds' \
	    "verify names the meter and the month ($change)"
done
tampered
(PREPAY_DB=$tdb; sql "DELETE FROM monthly WHERE month = '2026-03' AND
    meter_id = (SELECT id FROM meters WHERE meter = 'A201')")
exits 1 "verify: a month taken out" env PREPAY_DB="$tdb" report verify -o csv
like "$T/out" "meter A201 in 2026-03: the monthly roll-up holds 0 days, 0 Wh costing 0" \
    "a month taken out is a month of no days"

done_testing
