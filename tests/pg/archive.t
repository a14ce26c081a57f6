#!/bin/sh
# archive.t: months of readings archived on a server (lib/pg/005): the
# oldest month's partitions detached by prepay_archive(), what verify
# needs of them kept in reading_archive, so that report verify passes and
# the roll-ups' reports are what they were; refused for a month that is
# not the oldest, not over, or archived already, and for a cashier; a
# forged archive row is seen; the site copies into SQLite with it.  And a
# poll makes its month's partition itself (pp__readings_months).
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

need mbpoll
pg_start
P=$(port_base)
cat >site.yaml <<EOF2
site: 归档
defaults:
  price: 1.0000
buildings:
  - name: B1
    gateways:
      - name: gw1
        address: tcp://127.0.0.1:$P
        timeout_ms: 500
        meters:
          - {meter: "0101000001", unit: 1, floor: 1, room: "101", profile: dds238-2}
          - {meter: "0101000002", unit: 2, floor: 1, room: "102", profile: dds238-2}
EOF2
export PREPAY_NOW="2026-09-01 08:00:00"
exits 0 "site-load" site-load site.yaml
exits 0 "acct-open 甲" acct-open -n 甲 --balance 500 0101000001
exits 0 "acct-open 乙" acct-open -n 乙 --balance 500 0101000002
# A reading a day of each meter from 1 September to 20 November: the
# store folds them into reading_rows as they come, and keeps the last few
# in reading_recent.
$PY - >readings.csv <<'EOF'
import datetime
d = datetime.date(2026, 9, 1)
print("meter,time,energy_kwh")
k = 0
while d <= datetime.date(2026, 11, 20):
    print("0101000001,%s 12:00,%d.%d" % (d, 100 + k, k % 10))
    print("0101000002,%s 13:00,%d" % (d, 200 + 2 * k))
    d += datetime.timedelta(days=1)
    k += 1
EOF
PREPAY_NOW="2026-11-21 08:00:00" exits 0 "three months of readings" \
    meter-read --import readings.csv
export PREPAY_NOW="2026-11-21 09:00:00"
is "$(psql_q "SELECT string_agg(p, ' ' ORDER BY p) FROM prepay_partitions(
    extract(epoch FROM timestamptz '2026-09-01 00:00 UTC')::bigint, 3) p")" \
    "reading_extras_2026_09 reading_extras_2026_10 reading_extras_2026_11 reading_rows_2026_09 reading_rows_2026_10 reading_rows_2026_11" \
    "the admin makes the months' partitions, the readings moving into them"
is "$(psql_q "SELECT count(*) FROM reading_rows_default")" 0 "the DEFAULT partition is empty"
exits 0 "report verify" report verify
reports() {
	report energy --from 2026-09-01 --to 2026-11-21 --by month -o csv
	report energy --from 2026-09-01 --to 2026-11-21 --per room -o csv
	report counters --from 2026-10-01 --to 2026-11-20 -o csv
	report balances -o csv
	report bill 100001 --month 2026-10 -o csv
}
reports >before.out 2>&1
unlike before.out '^report:' "the reports run"
like before.out '^2026-09,' "... the energy report has September, to be archived"
september=$(psql_q "SELECT count(*) || ' ' || sum(cost_e7) FROM reading_rows_2026_09")

# --- refused, nothing done ------------------------------------------------
archive() {	# MONTH: prepay_archive(MONTH) as the test's superuser
	run psql_q "SELECT string_agg(t, ' ') FROM prepay_archive('$1') t"
}
archive 2026-10
like "$T/err" 'an older month is still attached: archive the oldest first' \
    "October before September: refused"
archive 2999-01
like "$T/err" 'is not over yet' "a month to come: refused"
archive 2026-13
like "$T/err" 'a month as YYYY-MM' "a month that is none: refused"
run psql_q "SET ROLE prepay_cashier" "SELECT prepay_archive('2026-09')"
like "$T/err" 'permission denied for function prepay_archive' "a cashier may not archive"
is "$(psql_q "SELECT count(*) FROM reading_archive")|$(psql_q "SELECT count(*) FROM reading_rows_2026_09")" \
    "0|$(echo "$september" | cut -d' ' -f1)" "nothing archived, September's readings in place"

# --- September archived ---------------------------------------------------
archive 2026-09
is "$rc|$(cat "$T/out")" "0|reading_rows_2026_09 reading_extras_2026_09" \
    "prepay_archive('2026-09') detaches September's partitions"
is "$(psql_q "SELECT count(*) FROM readings WHERE time < extract(epoch FROM timestamptz '2026-10-01 00:00 UTC')")" 0 \
    "September's readings are out of the readings"
is "$(psql_q "SELECT count(*) || ' ' || sum(cost_e7) FROM reading_rows_2026_09")" "$september" \
    "... and kept whole in the detached table, to dump"
is "$(psql_q "SELECT sum(readings) || ' ' || sum(cost_e7) FROM reading_archive WHERE month = '2026-09'")" \
    "$september" "reading_archive counts them and their cost"
exits 0 "report verify passes after the archive" report verify -o csv
like "$T/out" '^charges,ok,' "the charges still equal the readings, archived ones by their count"
reports >after.out 2>&1
is "$(cat after.out)" "$(cat before.out)" \
    "the roll-ups' reports (energy, counters, balances, a bill) are what they were"
archive 2026-09
like "$T/err" 'has no partition attached' "September again: refused"

# An archive row changed around the tools is seen.
psql_q "UPDATE reading_archive SET cost_e7 = cost_e7 + 10000000 WHERE meter_id = 1"
exits 1 "report verify after reading_archive was changed" report verify -o csv
like "$T/out" '^charges,fail,' "the charges fail"
psql_q "UPDATE reading_archive SET cost_e7 = cost_e7 - 10000000 WHERE meter_id = 1"
psql_q "UPDATE reading_archive SET first_wh = first_wh - 1000 WHERE meter_id = 2"
exits 1 "report verify after an archived counter was changed" report verify -o csv
like "$T/out" "^charges,fail,\"?meter 0101000002: its counter went up" "the counter check fails"
psql_q "UPDATE reading_archive SET first_wh = first_wh + 1000 WHERE meter_id = 2"
exits 0 "report verify once put back" report verify

# --- the archived site copied into SQLite -------------------------------------
exits 0 "prepay-migrate the archived site into a file" prepay-migrate -o csv "$PREPAY_DB" "$T/copy.db"
unlike "$T/out" 'reading_rows_2026' "the detached months are the archive's, not copied"
PREPAY_DB=$T/copy.db exits 0 "report verify on the copy" report verify
PREPAY_DB=$T/copy.db reports >copy.out 2>&1
is "$(cat copy.out)" "$(cat before.out)" "the copy's reports are the site's"

# --- a poll makes its month's partition ------------------------------------
start_sim site.yaml --seed 3
is "$(psql_q "SELECT to_regclass('reading_rows_2027_04') IS NULL")" t \
    "April 2027 has no partition yet"
PREPAY_NOW="2027-04-02 10:00:00" exits 0 "a poll in April 2027" meter-read -o csv
is "$(psql_q "SELECT to_regclass('reading_rows_2027_04') IS NOT NULL AND to_regclass('reading_rows_2027_05') IS NOT NULL")" t \
    "it made April's partition and May's"
stop_sim

done_testing
