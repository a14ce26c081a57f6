#!/bin/sh
# readings-fold.t: the newest readings and their fold (migration 22;
# doc/design.md, "The store").  A poll's readings go into the small table
# reading_recent; once it holds more than 8 readings a meter, the storing
# transaction folds it into reading_rows.  The view readings and every
# report say the same before and after a fold; a reading changed around
# the tools is seen by report verify in either table; an import folds as a
# poll does; a kill -9 in an import that folds leaves all or nothing.
. "$(dirname "$0")/lib.sh"
# The reports' clock; each poll holds its own.
export PREPAY_NOW="2026-11-20 16:00:00"

P=$(port_base)
# The databases are files, or on PostgreSQL databases of the test's server.
store_site "$(db_new polled)" "$(db_new imported)"
export PREPAY_DB="$(db_of polled)"
recent() { sql "SELECT count(*) FROM reading_recent"; }
folded() { sql "SELECT count(*) FROM reading_rows"; }
cols="meter_id, id, time, source, energy_wh, power_w, voltage_dv, current_ma,
    pf_milli, freq_chz, balance, buy_count, relay, flag, cost_e7, account_id"
# The reports of the meters' readings.
reports() {
	for m in 0101000001 0101000002; do
		report readings "$m" -o csv
		report usage "$m" --from 2026-11-20 --to 2026-11-21 --by hour -o csv
	done
	report energy --from 2026-11-20 --to 2026-11-21 -o csv
	report counters --from "2026-11-20 08:00" --to "2026-11-20 16:00" -o csv
	report counters --from "2026-11-20 10:00" --to "2026-11-20 12:00" -o csv
	report bill A1 --month 2026-11 -o csv
	report status -o csv
	report alarms -o csv
}

# --- eight polls: 16 readings, all in the small table -----------------------

if on_pg; then
	tap_n=$((tap_n + 1))
	echo "ok $tap_n # SKIP WITHOUT ROWID is SQLite's storage; PostgreSQL's reading_recent is keyed as SQLite's (lib/pg/002-tables.sql)"
else
	is "$(sql "SELECT count(*) FROM sqlite_schema WHERE name = 'reading_recent' AND
	    sql LIKE '%WITHOUT ROWID'")" 1 "the small table has no rowid"
fi
start_sim site.yaml --state "$T/sim.state" --seed 5 --speed 36000
for h in 07 08 09 10 11 12 13 14; do
	PREPAY_NOW="2026-11-20 $h:30:00" meter-read --all-values -o csv >/dev/null ||
	    echo "# meter-read at $h:30 failed"
done
is "$(recent)/$(folded)" "16/0" "8 polls of 2 meters: 16 readings, none folded yet"
is "$(sql "SELECT CASE WHEN count(*) > 0 THEN 1 ELSE 0 END FROM readings WHERE flag IS NULL AND cost_e7 > 0")" 1 \
    "some of them charged"
sql "SELECT $cols FROM readings ORDER BY meter_id, id" >view.before
exits 0 "report verify passes on the small table" report verify -o csv
db_save hot

# --- the ninth poll folds ----------------------------------------------------

PREPAY_NOW="2026-11-20 15:30:00" meter-read --all-values -o csv >/dev/null ||
    echo "# meter-read at 15:30 failed"
stop_sim
is "$(folded)/$(recent)" "17/1" \
    "the 17th reading folded all 17 into reading_rows; the 18th is new"
is "$(sql "SELECT count(*) FROM reading_rows r JOIN reading_recent h ON
    h.meter_id = r.meter_id AND h.time = r.time AND h.seq = r.seq")" 0 \
    "no reading in both tables"
sql "SELECT $cols FROM readings WHERE time < unixepoch('2026-11-20 15:00:00', 'utc') ORDER BY meter_id, id" >view.after
is "$(cat view.after)" "$(cat view.before)" "the view: the same 16 readings, every value"
reports >reports.after
# The same readings unfolded, all in the small table, say the same.
db_save unfolded
PREPAY_DB=$(db_of unfolded) sql "INSERT INTO reading_recent SELECT * FROM reading_rows;
    DELETE FROM reading_rows"
PREPAY_DB=$(db_of unfolded) reports >reports.before
is "$(cat reports.after)" "$(cat reports.before)" \
    "readings, usage, energy, counters, bill, status, alarms: folded or not, the same"
exits 0 "report verify passes after the fold" report verify -o csv
is "$(report counters --from "2026-11-20 08:00" --to "2026-11-20 16:00" -o csv |
    awk -F, 'NR > 1 { print $7 }')" "2026-11-20 15:30:00
2026-11-20 15:30:00" "counters end at the newest readings, in both tables"

# --- changed around the tools, in either table ----------------------------------

db_save good
restore() {
	db_restore good
}
sql "UPDATE reading_rows SET cost_e7 = cost_e7 + 10000000 WHERE meter_id = 1 AND
    time = (SELECT max(time) FROM reading_rows WHERE meter_id = 1 AND cost_e7 > 0)"
exits 1 "a folded reading's charge raised: report verify exits 1" report verify -o csv
like "$T/out" '^charges,fail,' "the charges check tells"

restore
sql "UPDATE reading_recent SET cost_e7 = cost_e7 + 10000000 WHERE meter_id = 2"
exits 1 "a newest reading's charge raised: report verify exits 1" report verify -o csv
like "$T/out" '^charges,fail,' "the charges check tells"

restore
sql "UPDATE reading_recent SET energy_wh = energy_wh + 5000 WHERE meter_id = 2"
exits 1 "a newest reading's counter raised: report verify exits 1" report verify -o csv
like "$T/out" '^charges,fail,"?meter 0101000002: its counter went up ' \
    "the counter against the roll-up tells"

restore
PREPAY_DB=$(db_of hot) sql "UPDATE readings SET cost_e7 = 0 WHERE meter_id = 1"
is "$(PREPAY_DB=$(db_of hot) sql "SELECT sum(cost_e7) FROM reading_recent WHERE
    meter_id = 1")" "0" "an UPDATE of the view writes the small table's rows"
PREPAY_DB=$(db_of hot) exits 1 "unfolded charges zeroed through the view: report verify exits 1" \
    report verify -o csv

restore
sql "DELETE FROM readings WHERE meter_id = 1 AND cost_e7 > 0 AND time < unixepoch('2026-11-20 10:00:00', 'utc')"
is "$(sql "SELECT count(*) FROM reading_rows WHERE meter_id = 1 AND cost_e7 > 0 AND
    time < unixepoch('2026-11-20 10:00:00', 'utc')")" 0 \
    "a DELETE from the view deletes folded rows"
exits 1 "folded charged readings deleted: report verify exits 1" report verify -o csv
restore

# --- an import folds as a poll does ---------------------------------------------

sql -csv "SELECT m.meter, datetime(r.time, 'unixepoch', 'localtime'),
    printf('%d.%03d', r.energy_wh / 1000, r.energy_wh % 1000) FROM readings r
    JOIN meters m ON m.id = r.meter_id ORDER BY r.time, r.meter_id" >import.csv
sed -i '1i meter,time,energy_kwh' import.csv
PREPAY_DB=$(db_of imported) exits 0 "the same 18 counters imported, in one transaction" \
    meter-read --import import.csv
is "$(PREPAY_DB=$(db_of imported) folded)/$(PREPAY_DB=$(db_of imported) recent)" "17/1" \
    "the import folded at its 17th reading, as the polls did"
same="meter_id, time, energy_wh, cost_e7, account_id"
is "$(PREPAY_DB=$(db_of imported) sql "SELECT $same FROM readings ORDER BY 1, 2")" \
    "$(sql "SELECT $same FROM readings ORDER BY 1, 2")" \
    "the same readings: counter, charge, account"
is "$(PREPAY_DB=$(db_of imported) report energy --from 2026-11-20 --to 2026-11-21 -o csv)" \
    "$(report energy --from 2026-11-20 --to 2026-11-21 -o csv)" "the same energy report"
PREPAY_DB=$(db_of imported) exits 0 "report verify passes on the imported store" \
    report verify -o csv

# --- kill -9 in an import that folds: all or nothing --------------------------

# 600 meters, 9 readings each: the 4801st folds the 4800 before it.
N=600
python3 - "$N" >big.yaml <<'EOF'
import sys
n = int(sys.argv[1])
print("site: big\ndefaults:\n  price: 0.5380\n  overload_w: 1000000\n"
      "buildings:\n  - name: B1\n    gateways:")
for m in range(n):
    if m % 200 == 0:
        print("      - name: gw%d\n        address: tcp://127.0.0.1:%d\n"
              "        meters:" % (m // 200, 1500 + m // 200))
    print('          - {meter: "M%06d", unit: %d, floor: 1, room: "R%d", '
          'profile: sdm120}' % (m, m % 200 + 1, m))
EOF
python3 - "$N" >big.csv <<'EOF'
import sys
n = int(sys.argv[1])
print("meter,time,energy_kwh")
for k in range(9):
    for m in range(n):
        print("M%06d,2026-11-20 %02d:00:00,%d.%03d" % (m, 8 + k, 100 + m, 100 * k))
EOF
export PREPAY_DB="$(db_new big)"
PREPAY_NOW="2026-11-20 07:00:00" site-load big.yaml >/dev/null
db_save big0
run meter-read --import big.csv
is "$rc" 0 "an uninterrupted import of $((N * 9)) readings"
is "$(folded)/$(recent)" "4801/599" "it folded once, at its 4801st reading"
sql "SELECT $cols FROM readings ORDER BY meter_id, id" >big.whole
# One kill early in the import, before its fold, and one late, after it,
# each placed on the import's progress, not on a clock: the import reads
# the list from a FIFO (-), which the test writes the header and the first
# K readings into, then 256 KiB of blank lines (which make no records).
# Once that is written, the import has read all of it but what the FIFO
# and stdio's buffer can hold (64 + 4 KiB): it has stored its Kth reading
# and reads on.  It cannot commit before the end of its input, so the
# kill -9 then finds it running, inside its transaction: nothing stays.
awk 'BEGIN { for (i = 0; i < 256; i++) printf "%1023s\n", "" }' >pad.csv
rm -f import.fifo
mkfifo import.fifo
for range in "1 4800" "4801 $((N * 9))"; do
	k=$(awk -v lo="${range% *}" -v hi="${range#* }" \
	    -v seed="$(od -An -N4 -tu4 /dev/urandom)" \
	    'BEGIN { srand(seed); print lo + int(rand() * (hi - lo + 1)) }')
	db_restore big0
	meter-read --import - <import.fifo >/dev/null 2>&1 &
	pid=$!
	exec 9>import.fifo
	head -n $((k + 1)) big.csv >&9
	cat pad.csv >&9
	kill -9 "$pid" 2>/dev/null
	{ wait "$pid"; } 2>/dev/null
	st=$?
	exec 9>&-
	n=$(sql "SELECT count(*) FROM readings")
	case $st/$n/$(folded)/$(recent) in
	137/0/0/0) ok 0 "kill after reading $k, before the commit: $n readings, all or none" ;;
	*) ok 1 "kill after reading $k: exit $st, $n readings, $(folded) folded, $(recent) not: all or none" ;;
	esac
	exits 0 "kill after reading $k: report verify passes" report verify -o csv
	if [ "$n" = 0 ]; then
		exits 0 "kill after reading $k: the import again" meter-read --import big.csv
	else
		ok 0 "kill after reading $k: the import had committed # SKIP run again"
	fi
	is "$(sql "SELECT $cols FROM readings ORDER BY meter_id, id")" "$(cat big.whole)" \
	    "kill after reading $k: then every reading, as uninterrupted"
done

done_testing
