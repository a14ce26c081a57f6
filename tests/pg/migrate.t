#!/bin/sh
# migrate.t: prepay-migrate(1) moves a site whole between the engines
# (doc/design.md, "Engines"): a SQLite site with money, readings over
# three months and its chains goes into an empty PostgreSQL database, and
# back into a new SQLite file; report verify passes on each, the reports
# agree, the readings find their months' partitions, ids and serials go on
# where the site left them, and the copy is audited by who made it.  A
# target with rows, a schema that differs, a login that is no admin and a
# copy killed halfway each leave the target as it was.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

pg_start
SITE=$T/site.db
P=$(port_base)
cat >site.yaml <<EOF2
site: 迁移
defaults:
  price: 0.5380
tariffs:
  tou:
    tou:
      - {name: peak, from: "08:00", to: "22:00", price: 0.6000}
      - {name: valley, from: "22:00", to: "08:00", price: 0.3000}
buildings:
  - name: B1
    gateways:
      - name: gw1
        address: tcp://127.0.0.1:$P
        meters:
          - {meter: "0101000001", unit: 1, floor: 1, room: "101", profile: sdm120, tariff: tou}
          - {meter: "0101000002", unit: 2, floor: 1, room: "102", profile: dds238-2}
          - {meter: "0101000003", unit: 3, floor: 1, room: "103", profile: dds238-2}
EOF2

# --- a site on SQLite: accounts, money, and readings of three months ----
lite() {
	PREPAY_DB=$SITE "$@"
}
export PREPAY_NOW="2026-09-01 09:00:00"
lite exits 0 "site-load into SQLite" site-load site.yaml
lite exits 0 "acct-open 甲" acct-open -n 甲 0101000001
lite exits 0 "acct-open 乙" acct-open -n 乙 0101000002
lite exits 0 "acct-open 丙" acct-open -n 丙 0101000003
lite exits 0 "a sale to 甲" sale --ref s1 100001 200
lite exits 0 "a sale to 乙" sale --ref s2 100002 80
lite exits 0 "a sale to 丙" sale -o csv 100003 30
lite exits 0 "the sale to 丙 reversed" reverse "$(col "$T/out" serial)"
lite exits 0 "a refund from 乙" refund 100002 20
printf 'meter,time,energy_kwh\n' >readings.csv
for d in 2026-09-10 2026-09-30 2026-10-15 2026-10-31 2026-11-02; do
	for h in 07 12 23; do
		k=$(( $(echo "$d" | tr -d -) % 1000 ))
		printf '0101000001,%s %s:00,%s.%s\n0101000002,%s %s:00,%s.25\n' \
		    "$d" $h "$((1000 + k))" "$h" "$d" $h "$((2000 + k))" >>readings.csv
	done
done
PREPAY_NOW="2026-11-03 08:00:00" lite exits 0 "readings of three months" \
    meter-read --import readings.csv
PREPAY_NOW="2026-11-03 09:00:00" lite exits 0 "甲's account closed" \
    acct-close 100003
PREPAY_NOW="2026-11-03 10:00:00" lite exits 0 "report verify on SQLite" \
    report verify -o csv
lite_rows() {	# TABLE
	sqlite3 "$SITE" "SELECT count(*) FROM $1"
}

# --- into PostgreSQL ----------------------------------------------------
export PREPAY_NOW="2026-11-03 11:00:00"
exits 0 "prepay-migrate SITE.db URI" prepay-migrate -o csv "$SITE" "$PREPAY_DB"
is "$(sed -n 1p "$T/out")" "table,rows" "it lists the tables copied"
for t in ledger audit accounts meters reading_rows daily; do
	is "$(grep "^$t," "$T/out" | cut -d, -f2)" "$(lite_rows $t)" \
	    "$t: every row, as many as SQLite has"
done
for t in ledger accounts meters reading_rows daily; do
	is "$(psql_q "SELECT count(*) FROM $t")" "$(lite_rows $t)" \
	    "$t: on the server too"
done
is "$(awk -F, 'NR > 1 && $1 == "accounts" { a = NR } NR > 1 && $1 == "ledger" { l = NR }
    END { print (a < l) }' "$T/out")" 1 "accounts are copied before the ledger that refers to them"
exits 0 "report verify on PostgreSQL" report verify -o csv
like "$T/out" '^ledger-chain,ok,' "the ledger's chain holds"
like "$T/out" '^audit-chain,ok,' "the audit's chain holds, with the copy's entry"
is "$(psql_q "SELECT tool || ' ' || login || ' ' || exit FROM audit ORDER BY id DESC LIMIT 1")" \
    "prepay-migrate $(id -un) 0" "the copy's audit entry: the tool, who, exit 0"
is "$(psql_q "SELECT count(*) FROM audit")" "$(( $(lite_rows audit) + 1 ))" \
    "the copy adds its one entry to the log"
is "$(psql_q "SELECT count(*) FROM reading_rows_default")" 0 \
    "no reading is left in the DEFAULT partition"
is "$(psql_q "SELECT count(*) FROM reading_rows_2026_09") $(psql_q "SELECT count(*) FROM reading_rows_2026_10")" \
    "$(sqlite3 "$SITE" "SELECT count(*) FROM reading_rows WHERE time < unixepoch('2026-10-01')") $(sqlite3 "$SITE" "SELECT count(*) FROM reading_rows WHERE time >= unixepoch('2026-10-01') AND time < unixepoch('2026-11-01')")" \
    "September's and October's readings are in their months' partitions"

same() {	# REPORT ARGS...: on both engines
	report "$@" -o csv >pg.out 2>&1
	lite report "$@" -o csv >lite.out 2>&1
	is "$(cat pg.out)" "$(cat lite.out)" "report $*: the same on both"
}
same balances
same txns
same accounts
same energy --from 2026-09-01 --to 2026-11-03
same counters --from 2026-09-10 --to 2026-11-02
same readings 0101000002 --from 2026-09-01 --to 2026-11-03
same sales --by day
same status

# The site goes on where it left off: the next ids and serials follow.
exits 0 "acct-open on the server" acct-open -o csv -n 丁 0101000003
is "$(col "$T/out" account)" 100004 "the next account number follows SQLite's"
exits 0 "a sale on the server" sale -o csv --ref s3 100004 10
lite_last=$(sqlite3 "$SITE" "SELECT max(serial) FROM ledger WHERE serial LIKE '20261103%'")
is "$(col "$T/out" serial)" "$((lite_last + 2))" \
    "its serial follows the day's last on SQLite (the opening took one)"
exits 0 "a sale's ref from SQLite is known" sale -o csv --ref s1 100001 200
is "$(psql_q "SELECT count(*) FROM ledger WHERE ref = 's1'")" 1 "... and lands once"
exits 0 "report verify after more work" report verify

# --- refused: the target has rows; nothing changes -----------------------
before="$(psql_q "SELECT count(*) FROM ledger")|$(psql_q "SELECT count(*) FROM audit")"
exits 65 "prepay-migrate into a database with rows" prepay-migrate "$SITE" "$PREPAY_DB"
is "$(wc -l <"$T/err")" 1 "... in one line"
like "$T/err" 'is not empty: table .* has rows' "... saying the target is not empty"
is "$(psql_q "SELECT count(*) FROM ledger")|$(psql_q "SELECT count(*) FROM audit")" \
    "$before" "... and nothing is written, not even an audit entry"
exits 66 "a source that does not exist" prepay-migrate "$T/none.db" "$T/x.db"
ok "$( [ ! -e "$T/x.db" ]; echo $?)" "... creates no target"
exits 64 "one argument" prepay-migrate "$SITE"

# --- the way back: PostgreSQL into a new SQLite file ---------------------
BACK=$T/back.db
exits 0 "prepay-migrate URI BACK.db" prepay-migrate -o csv "$PREPAY_DB" "$BACK"
is "$(grep '^ledger,' "$T/out" | cut -d, -f2)" "$(psql_q "SELECT count(*) FROM ledger")" \
    "every ledger row comes back"
PREPAY_DB=$BACK exits 0 "report verify on the file" report verify -o csv
like "$T/out" '^audit-chain,ok,' "the audit's chain holds, with both copies' entries"
for r in balances txns accounts "energy --from 2026-09-01 --to 2026-11-04"; do
	# shellcheck disable=SC2086 # the report's words
	report $r -o csv >pg.out 2>&1
	# shellcheck disable=SC2086
	PREPAY_DB=$BACK report $r -o csv >back.out 2>&1
	is "$(cat back.out)" "$(cat pg.out)" "report $r: the file as the server"
done
is "$(sqlite3 "$BACK" "SELECT group_concat(rowid) FROM account_meters")" \
    "$(psql_q "SELECT string_agg(rowid::text, ',' ORDER BY rowid) FROM account_meters")" \
    "account_meters keep their order (SQLite's rowid)"

# --- a login that is no admin of the source may not copy it --------------
psql_q "CREATE DATABASE other"
OTHER=$(echo "$PREPAY_DB" | sed 's|/prepay?|/other?|')
sqlite3 "$SITE" "UPDATE operators SET role = 'cashier' WHERE login = '$(id -un)'"
exits 77 "a cashier copies the site" prepay-migrate "$SITE" "$OTHER"
like "$T/err" 'this needs the admin role' "... refused: it needs the admin role"
is "$(PREPAY_DB=$OTHER psql_q "SELECT count(*) FROM audit")" 0 \
    "... and nothing is copied"
sqlite3 "$SITE" "UPDATE operators SET role = 'admin' WHERE login = '$(id -un)'"

# --- killed halfway: the target stays empty; run again, it copies -------
# A session holds the target's meters table: the copy waits on it inside
# its transaction, is killed there, and leaves nothing.
psql_q "CREATE DATABASE killed"
KILLED=$(echo "$PREPAY_DB" | sed 's|/prepay?|/killed?|')
PREPAY_DB=$KILLED report operators >/dev/null 2>&1	# the schema, made
# The session says it holds the lock on a FIFO, which the test reads.
mkfifo hold locked
(echo "BEGIN; LOCK TABLE meters IN ACCESS EXCLUSIVE MODE;"
    echo "\\! echo locked >$T/locked"
    cat hold) | psql -X -q -t -A -d "$KILLED" >lock.out 2>&1 &
holder=$!
exec 8>hold
read -r _ <locked
PREPAY_BUSY_TIMEOUT=600 prepay-migrate "$SITE" "$KILLED" >/dev/null 2>kill.err &
copier=$!
pg_wait "$PREPAY_DB" "EXISTS (SELECT FROM pg_locks WHERE NOT granted)"
is "$(psql_q "SELECT count(*) FROM pg_locks WHERE NOT granted")" 1 \
    "the copy waits for the meters table, its rows begun"
kill -9 $copier
wait $copier 2>/dev/null
echo "ROLLBACK;" >&8
exec 8>&-
wait $holder
is "$(PREPAY_DB=$KILLED psql_q "SELECT (SELECT count(*) FROM operators WHERE source <> 'creator') + (SELECT count(*) FROM buildings) + (SELECT count(*) FROM audit)")" \
    0 "killed with -9: nothing of it is in the target"
exits 0 "run again, it copies" prepay-migrate "$SITE" "$KILLED"
PREPAY_DB=$KILLED exits 0 "report verify on that copy" report verify

done_testing
