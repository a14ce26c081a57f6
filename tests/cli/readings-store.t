#!/bin/sh
# readings-store.t: the readings store (migration 21; doc/design.md, "The
# store").  A database of schema 19 migrates with every value and its
# reports unchanged; a reading or a charge changed around the tools, through
# the view or in the rows, is seen by report verify; what a meter did not
# give is not stored; a poll and an import of the same counters store the
# same rows.
. "$(dirname "$0")/lib.sh"
export PREPAY_NOW="2026-11-21 10:00:00"

# --- a database of schema 19, migrated ----------------------------------------

# Made by the tools at 0ccdb57 (see the fixture's head), with the reports
# those tools gave of it.
# The test's own database (on PostgreSQL a server's) is kept for later:
# the site of schema 19 is a file anyway.
own_db=$PREPAY_DB
sqlite3 old.db <"$FIXTURES/readings-v19.sql"
export PREPAY_DB="$T/old.db"
is "$(sql 'PRAGMA user_version')" 19 "a database of schema 19"
cols="meter_id, time, source, energy_wh, power_w, voltage_dv, current_ma,
    pf_milli, freq_chz, balance, buy_count, relay, flag, cost_e7,
    energy_peak_wh, energy_valley_wh, account_id"
sql "SELECT $cols FROM readings ORDER BY id" >readings.before
sql "SELECT * FROM daily ORDER BY meter_id, day" >daily.before
sql "SELECT * FROM daily_parts ORDER BY meter_id, day, window, tier" >parts.before
is "$(wc -l <readings.before)" 13 "13 readings: polled with every value, by hand, flagged"

exits 0 "report verify upgrades it and passes" report verify -o csv
like "$T/out" '^schema,ok,' "the migrated schema is the migrations' own"
[ "$(sql 'PRAGMA user_version')" -gt 19 ]
ok $? "now of a later schema, the store's"
sql "SELECT $cols FROM readings ORDER BY id" >readings.after
is "$(cat readings.after)" "$(cat readings.before)" "every reading kept, every value, in order"
is "$(sql "SELECT meter_id, day, energy_wh, cost_e7 FROM daily ORDER BY meter_id,
    day")" "$(cat daily.before)" "the daily roll-up kept"
is "$(sql "SELECT count(*) FROM daily WHERE last_time IS NULL")" 0 \
    "each day given its counter at its end (migration 25)"
is "$(sql "SELECT * FROM daily_parts ORDER BY meter_id, day, window, tier")" \
    "$(cat parts.before)" "its window and tier parts kept"
is "$(sql "SELECT group_concat(id - time * 1024, ',') FROM readings WHERE flag =
    'backwards' AND meter_id = 3")" "0,1" \
    "two hand readings in one second: places 0 and 1 of that second"
{
	for m in 0101000001 0101000002 0101000003; do
		report readings $m -o csv
	done
	report energy --from 2026-11-20 --to 2026-11-22 -o csv
	report counters --from 2026-11-20 --to 2026-11-22 -o csv
	report status -o csv
} >reports.after
is "$(cat reports.after)" "$(grep -v '^#' "$FIXTURES/readings-v19.csv")" \
    "the reports say what the tools of schema 19 said"

# On PostgreSQL the rest runs on the server: the migrated site copied
# there whole (prepay-migrate), and the databases after it made there.
if (PREPAY_DB=$own_db; on_pg); then
	_to=$(PREPAY_DB=$own_db; db_new migrated)
	prepay-migrate "$PREPAY_DB" "$_to" >/dev/null ||
	    echo "Bail out! prepay-migrate of the migrated site failed"
	export PREPAY_DB="$_to"
fi

# --- the layout -----------------------------------------------------------------

if on_pg; then
	for _ in 1 2 3 4; do
		tap_n=$((tap_n + 1))
		echo "ok $tap_n # SKIP SQLite's schema table and its storage; PostgreSQL's tables are checked by tests/pg/schema.t"
	done
else
is "$(sql "SELECT count(*) FROM sqlite_schema WHERE name = 'readings' AND
    type = 'view'")" 1 "readings is a view"
is "$(sql "SELECT count(*) FROM sqlite_schema WHERE tbl_name IN ('reading_rows',
    'reading_extras') AND sql LIKE '%WITHOUT ROWID'")" 2 "its tables have no rowid"
is "$(sql "SELECT group_concat(name, ' ') FROM sqlite_schema WHERE type =
    'index' AND tbl_name = 'reading_rows' AND sql IS NOT NULL")" \
    "reading_rows_flagged" "one index besides the key: the few flagged readings"
is "$(sql "SELECT count(*) FROM reading_rows r WHERE typeof(r.meter_id) ||
    typeof(r.time) || typeof(r.seq) || typeof(r.status) || typeof(r.cost_e7)
    <> 'integer' || 'integer' || 'integer' || 'integer' || 'integer'")" 0 \
    "integers only"
fi
is "$(sql "SELECT count(*) FROM reading_extras")" 9 \
    "extras for the 9 polls, whose meters gave pf and frequency"
is "$(sql "SELECT count(*) FROM readings r LEFT JOIN reading_extras x ON
    x.meter_id = r.meter_id AND x.time = r.time AND x.seq = r.id - r.time * 1024
    WHERE r.source = 'manual' AND x.time IS NOT NULL")" 0 \
    "none for the hand readings, which gave none"
is "$(sql "SELECT count(*) FROM reading_rows WHERE cost_e7 = 0 AND
    account_id IS NOT NULL")" 0 "an account only on a charged reading"

# --- changed around the tools ------------------------------------------------

# The store's two tables (migration 22): the folded rows and the newest.
both="(SELECT * FROM reading_rows UNION ALL SELECT * FROM reading_recent) b"

db_save good
restore() {
	db_restore good
}
verify_fails() {	# WHAT
	exits 1 "$1: report verify exits 1" report verify -o csv
}

sql "UPDATE readings SET cost_e7 = 0 WHERE meter_id = 3; UPDATE daily SET cost_e7 = 0
    WHERE meter_id = 3; UPDATE daily_parts SET cost_e7 = 0 WHERE meter_id = 3;
    UPDATE accounts SET used_e7 = (SELECT coalesce(sum(cost_e7), 0) FROM readings r
    WHERE r.account_id = accounts.id)"
is "$(sql "SELECT sum(cost_e7) FROM $both WHERE meter_id = 3")" 0 \
    "an UPDATE of the view writes the rows"
verify_fails "meter 3's charges zeroed through the view, consistently"
like "$T/out" '^charges,fail,"?meter 0101000003 on ' "the charges check names the meter"

restore
sql "UPDATE reading_rows SET cost_e7 = 0 WHERE meter_id = 1; UPDATE daily SET cost_e7 = 0
    WHERE meter_id = 1; UPDATE daily_parts SET cost_e7 = 0 WHERE meter_id = 1;
    UPDATE accounts SET used_e7 = (SELECT coalesce(sum(cost_e7), 0) FROM readings r
    WHERE r.account_id = accounts.id)"
verify_fails "meter 1's charges zeroed in the rows"
like "$T/out" '^charges,fail,"?meter 0101000001 on ' "the charges check names it"

restore
sql "UPDATE readings SET account_id = 2 WHERE meter_id = 1 AND cost_e7 <> 0;
    UPDATE accounts SET used_e7 = (SELECT coalesce(sum(cost_e7), 0) FROM readings r
    WHERE r.account_id = accounts.id)"
verify_fails "meter 1's charges moved to an account that never held it"
like "$T/out" '^charges,fail,"?account A2: cached charges ' "the account they were moved to tells"

restore
sql "UPDATE reading_rows SET energy_wh = energy_wh + 5000 WHERE meter_id = 2 AND
    time = (SELECT max(time) FROM reading_rows WHERE meter_id = 2)"
verify_fails "a counter raised in the rows"
like "$T/out" '^charges,fail,"?meter 0101000002: its counter went up ' \
    "the counter against the roll-up tells"

restore
sql "DELETE FROM readings WHERE meter_id = 3 AND cost_e7 <> 0"
is "$(sql "SELECT count(*) FROM $both WHERE meter_id = 3 AND cost_e7 <> 0")" 0 \
    "a DELETE from the view deletes the rows"
verify_fails "charged readings deleted"

restore
sql "UPDATE readings SET time = time + 60 WHERE meter_id = 3 AND flag = 'jump'"
is "$(sql "SELECT id - time * 1024, energy_wh FROM readings WHERE meter_id = 3 AND
    flag = 'jump'")" "0|999999000" "a reading moved in time through the view takes its new second's place"

restore
sql "INSERT INTO readings(meter_id, time, source, energy_wh, cost_e7, account_id)
    VALUES (1, 1795230000, 'manual', 4660000, 50000000, 1)"
is "$(sql "SELECT source || '|' || energy_wh || '|' || cost_e7 FROM readings WHERE
    time = 1795230000")" "manual|4660000|50000000" "an INSERT into the view is stored"
verify_fails "a charged reading inserted"

# --- a poll and an import store the same rows ---------------------------------

P=$(port_base)
store_site "$(db_new polled)" "$(db_new imported)"
export PREPAY_DB="$(db_of polled)"
start_sim site.yaml --state "$T/sim.state" --seed 5 --speed 36000
# Over the morning's change of window, then across midnight, every value
# read (a poll of the fast class alone gives no pf or frequency).
for t in "2026-11-20 07:30:00" "2026-11-20 09:00:00" "2026-11-21 01:00:00"; do
	PREPAY_NOW="$t" meter-read --all-values -o csv >/dev/null || echo "# meter-read at $t failed"
done
stop_sim
is "$(sql "SELECT count(*) FROM readings WHERE flag IS NULL")" 6 "6 readings polled"
sql -csv "SELECT m.meter, datetime(r.time, 'unixepoch', 'localtime'),
    printf('%d.%03d', r.energy_wh / 1000, r.energy_wh % 1000) FROM readings r
    JOIN meters m ON m.id = r.meter_id ORDER BY r.id" >import.csv
sed -i '1i meter,time,energy_kwh' import.csv
PREPAY_DB=$(db_of imported) exits 0 "the same counters imported" meter-read --import import.csv
same="meter_id, time, energy_wh, cost_e7, account_id, status >> 3"
is "$(PREPAY_DB=$(db_of imported) sql "SELECT $same FROM $both ORDER BY 1, 2")" \
    "$(sql "SELECT $same FROM $both ORDER BY 1, 2")" \
    "the same rows: counter, charge, account, flag"
is "$(sql "SELECT CASE WHEN count(*) > 0 THEN 1 ELSE 0 END FROM $both WHERE cost_e7 <> 0")" 1 "some of them charged"
is "$(PREPAY_DB=$(db_of imported) sql "SELECT * FROM daily_parts ORDER BY 1, 2, 3, 4")" \
    "$(sql "SELECT * FROM daily_parts ORDER BY 1, 2, 3, 4")" \
    "the same daily parts, by window and day"
is "$(PREPAY_DB=$(db_of imported) sql "SELECT count(*) FROM reading_extras")" 0 \
    "the imported readings have no extras"
is "$(sql "SELECT count(*) FROM reading_extras")" 6 "the polled ones, pf and frequency"
exits 0 "report verify passes on the polled store" report verify -o csv
PREPAY_DB=$(db_of imported) exits 0 "and on the imported one" report verify -o csv

# --- a list's bad rows, refused before they write -----------------------------

# An import takes no savepoint a row (lib/batch.c): a row is refused before
# its first write.  Good readings of a meter around bad ones, the last
# across days and two windows (priced day by day before any is written):
# as one list nothing is written, and with --each the good ones are.
export PREPAY_NOW="2026-11-24 10:00:00"
snap() {
	sql "SELECT * FROM daily ORDER BY 1, 2; SELECT * FROM daily_parts ORDER BY
	    1, 2, 3, 4; SELECT * FROM monthly ORDER BY 1, 2; SELECT id, money,
	    used_e7 FROM accounts ORDER BY id; SELECT id, energy_wh, reading_time
	    FROM meters ORDER BY id; SELECT count(*) FROM readings"
}
snap >snap.before
n=$(sql "SELECT count(*) FROM readings")
e=$(sql "SELECT energy_wh FROM meters WHERE meter = '0101000001'")
kwh() {
	printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000))
}
cat >mixed.csv <<EOF
meter,time,energy_kwh
0101000001,2026-11-21 02:00:00,$(kwh $((e + 400)))
0101000001,2026-11-21 03:00:00,$(kwh $((e + 900)))
0101000001,2026-11-21 02:30:00,$(kwh $((e + 1300)))
0109999999,2026-11-21 03:00:00,1.000
0101000001,2026-11-23 09:00:00,$(kwh $((e + 30900)))
EOF
exits 65 "a list of good and bad rows" meter-read --import mixed.csv
like "$T/err" "0101000001 was read later already" "the reading older than the one before it refused"
like "$T/err" "0109999999: no such meter" "the unknown meter refused"
is "$(snap)" "$(cat snap.before)" "nothing written: roll-ups, charges, counters, readings"
exits 65 "with --each" meter-read --each --import mixed.csv
is "$(sql "SELECT count(*) FROM readings")/$(sql "SELECT energy_wh FROM meters
    WHERE meter = '0101000001'")" "$((n + 3))/$((e + 30900))" "the three good rows stored"
is "$(sql "SELECT count(*) FROM daily d JOIN meters m ON m.id = d.meter_id WHERE
    m.meter = '0101000001' AND d.day BETWEEN '2026-11-21' AND '2026-11-23'")" 3 \
    "the last one rolled up into each of its three days"
is "$(sql "SELECT sum(p.energy_wh) || ' ' || sum(p.cost_e7) FROM daily_parts p
    JOIN meters m ON m.id = p.meter_id WHERE m.meter = '0101000001' AND p.day >=
    '2026-11-21'")" "$(sql "SELECT sum(d.energy_wh) || ' ' || sum(d.cost_e7) FROM
    daily d JOIN meters m ON m.id = d.meter_id WHERE m.meter = '0101000001' AND
    d.day >= '2026-11-21'")" "and priced in parts that add up to the days"
exits 0 "report verify passes" report verify -o csv

# --- a reading's place in its second (migration 24) ---------------------------

# Each meter's newest reading's time is kept; a later reading is the first
# of its second, an equal one is placed after those of that second in
# either table, also when the newest is not known.
is "$(sql "SELECT count(*) FROM meters m WHERE newest_reading IS DISTINCT FROM (SELECT
    max(time) FROM readings r WHERE r.meter_id = m.id)")" 0 \
    "each meter's newest reading's time is kept"
export PREPAY_NOW="2026-11-25 10:00:00"
e=$(sql "SELECT energy_wh FROM meters WHERE meter = '0101000001'")
printf 'meter,time,energy_kwh\n0101000001,2026-11-25 08:00:00,%s\n' "$(kwh "$e")" >same.csv
exits 0 "a reading" meter-read --import same.csv
# Folded by hand, as the store folds, so that its second is in reading_rows.
sql "INSERT INTO reading_rows SELECT * FROM reading_recent ORDER BY 1, 2, 3;
    DELETE FROM reading_recent"
exits 0 "the same reading again, its second folded" meter-read --import same.csv
sql "UPDATE meters SET newest_reading = NULL WHERE meter = '0101000001'"
exits 0 "and again, the newest not known" meter-read --import same.csv
is "$(sql "SELECT group_concat(r.id - r.time * 1024, ',') FROM readings r JOIN meters m
    ON m.id = r.meter_id WHERE m.meter = '0101000001' AND r.time = unixepoch(
    '2026-11-25 08:00:00', 'utc')")" "0,1,2" "places 0, 1 and 2 of that second"
is "$(sql "SELECT CASE WHEN newest_reading = unixepoch('2026-11-25 08:00:00', 'utc')
    THEN 1 ELSE 0 END FROM meters WHERE meter = '0101000001'")" 1 "the newest is known again"
sql "INSERT INTO readings(meter_id, time, source, energy_wh, cost_e7) SELECT id,
    unixepoch('2026-11-25 09:00:00', 'utc'), 'manual', $e, 0 FROM meters WHERE
    meter = '0101000001'"
is "$(sql "SELECT CASE WHEN newest_reading = unixepoch('2026-11-25 09:00:00', 'utc')
    THEN 1 ELSE 0 END FROM meters WHERE meter = '0101000001'")" 1 "a reading inserted into the view is the newest"

# --- each day's counter at its end (migration 25) ------------------------------

# The store keeps on a day's row of the daily roll-up the meter's last good
# reading by the day's end, the next midnight included; report counters
# reads a period's ends at midnights from them.  Meter 1 last read at 09:00
# on the 25th; now at 10:00, then the same counter at 12:00 (no energy, no
# charge), one gone back at 13:00 (flagged), and one at midnight.
m1="(SELECT id FROM meters WHERE meter = '0101000001')"
kept() {	# DAY
	sql "SELECT datetime(last_time, 'unixepoch', 'localtime') || ' ' || last_wh
	    FROM daily WHERE meter_id = $m1 AND day = '$1'"
}
e=$(sql "SELECT energy_wh FROM meters WHERE meter = '0101000001'")
export PREPAY_NOW="2026-11-26 10:00:00"
cat >ends.csv <<EOF
meter,time,energy_kwh
0101000001,2026-11-25 10:00:00,$(kwh $((e + 500)))
0101000001,2026-11-25 12:00:00,$(kwh $((e + 500)))
0101000001,2026-11-25 13:00:00,$(kwh $((e + 100)))
EOF
exits 0 "a reading, the same counter later, one gone back" meter-read --each --import ends.csv
is "$(kept 2026-11-25)" "2026-11-25 12:00:00 $((e + 500))" \
    "the day keeps its last good reading: the same counter later, not the flagged one"
printf 'meter,time,energy_kwh\n0101000001,2026-11-26 00:00:00,%s\n' \
    "$(kwh $((e + 800)))" >midnight.csv
exits 0 "a reading at midnight" meter-read --import midnight.csv
is "$(kept 2026-11-25)" "2026-11-26 00:00:00 $((e + 800))" "it ends the day before"
is "$(kept 2026-11-26)" "" "and is not the next day's"
exits 0 "report verify passes" report verify -o csv

# The migration finds what the store kept.
sql "SELECT meter_id, day, last_time, last_wh FROM daily ORDER BY 1, 2" >kept.store
is "$(kept 2026-11-22)" "" \
    "a day without a reading, inside a longer interval, keeps none: the readings are searched"
if on_pg; then
	for _ in 1 2 3; do
		tap_n=$((tap_n + 1))
		echo "ok $tap_n # SKIP SQLite's migration 25; PostgreSQL's schema had the days' counters from its first version"
	done
else
unmigrate 24
exits 0 "migration 25 again" report verify -o csv
like "$T/out" '^schema,ok,' "the schema is the migrations' own"
is "$(sql "SELECT meter_id, day, last_time, last_wh FROM daily ORDER BY 1, 2")" \
    "$(cat kept.store)" "the migration's backfill keeps what the store kept"
fi

# report counters at midnights reads the days' rows: the same as from the
# readings themselves.
counters() {
	for p in "2026-11-20 2026-11-21" "2026-11-21 2026-11-25" \
	    "2026-11-25 2026-11-26" "2026-11-20 2026-11-26"; do
		set -- $p
		report counters --from $1 --to $2 -o csv
	done
}
counters >counters.kept
grep -q '^0101000001,.*,2026-11-26 00:00:00,' counters.kept
ok $? "the midnight's reading ends a period at that midnight"
sql "UPDATE daily SET last_time = NULL, last_wh = NULL"
is "$(counters)" "$(cat counters.kept)" "report counters: the days' rows and the readings agree"
exits 0 "report verify passes with none kept" report verify -o csv

# Changed around the tools, the kept counter is seen.
sql "UPDATE daily SET last_time = unixepoch('2026-11-26 00:00:00', 'utc'), last_wh =
    1 WHERE meter_id = $m1 AND day = '2026-11-25'"
verify_fails "a day's counter at its end forged"
like "$T/out" "^charges,fail,\"meter 0101000001 on 2026-11-25: the daily roll-up keeps 1 Wh at 2026-11-26 00:00:00 as its counter at the day's end, its last good reading by then is $((e + 800)) Wh at 2026-11-26 00:00:00" \
    "the day and both counters told"

# More than verify lists: 60 more days of meter 2, each a reading at
# noon, their kept counters forged.  The check lists 50 and counts the
# rest without writing them out (lib/verify.c, problems).
m2="(SELECT id FROM meters WHERE meter = '0101000002')"
e2=$(sql "SELECT energy_wh FROM meters WHERE meter = '0101000002'")
printf 'meter,time,energy_kwh\n' >days.csv
d=0
while [ $d -lt 60 ]; do
	printf '0101000002,%s 12:00:00,%s\n' "$(sql "SELECT date('2026-11-27', '+$d days')")" \
	    "$(kwh $((e2 + 1000 * (d + 1))))" >>days.csv
	d=$((d + 1))
done
export PREPAY_NOW="2027-01-26 10:00:00"
exits 0 "60 days of readings" meter-read --import days.csv
sql "UPDATE daily SET last_wh = last_wh + 1 WHERE meter_id = $m2 AND day >= '2026-11-27'"
verify_fails "61 days' counters forged"
is "$(grep -c '^charges,fail,"meter 0101000002 on 20' "$T/out")" 49 \
    "50 listed: meter 1's day and 49 of meter 2's"
like "$T/out" '^charges,fail,11 more problems not listed$' "the other 11 counted"

done_testing
