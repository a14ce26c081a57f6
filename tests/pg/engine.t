#!/bin/sh
# engine.t: the tools on PostgreSQL through a URI (doc/design.md,
# "Engines"): the first tool to open an empty database makes the schema,
# by PostgreSQL's own history, once even when several open it at once;
# the login that made it is its first admin; a URI that reaches no
# database is a one-line error, exit 66, that names it without its
# password.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

pg_start
nfiles=$(ls "$top"/lib/pg/*.sql | wc -l)

# Four tools open the empty database at once: one makes the schema, the
# others wait for it and find it made.
for i in 1 2 3 4; do
	report operators -o csv >"ops.$i" 2>"ops.$i.err" &
done
fails=0
for i in 1 2 3 4; do
	wait %$i 2>/dev/null
done
for i in 1 2 3 4; do
	[ -s "ops.$i" ] && [ ! -s "ops.$i.err" ] || { fails=$((fails + 1)); sed 's/^/# /' "ops.$i.err"; }
done
is "$fails" 0 "four tools open an empty database at once: each reports"
is "$(psql_q 'SELECT version FROM pp_schema')" "$nfiles" \
    "the schema is at the end of PostgreSQL's own history ($nfiles files)"
is "$(psql_q "SELECT login || ' ' || role || ' ' || source FROM operators")" \
    "$(id -un) admin creator" "made once: the login that made it is its one admin"
is "$(sed -n 2p ops.1)" "$(id -un),,admin,creator" "report operators says so"

# A URI that reaches no database, or as a role that may not log in.
run report operators -d "${PREPAY_DB%%\?*}nosuch?${PREPAY_DB#*\?}"
is "$rc" 66 "a database that does not exist: exit 66"
is "$(wc -l <"$T/err")" 1 "... in one line"
like "$T/err" 'nosuch.*does not exist' "... that names it"
run report operators -d "postgresql://someone:s3cret@/prepay?host=$PG_DIR"
is "$rc" 66 "a role that may not log in: exit 66"
grep -q s3cret "$T/err"
ok $((! $?)) "... its password not shown"
like "$T/err" 'postgresql://someone:\*\*\*@' "... the URI named without it"

# A cashier's day on the server: the site, an account, sales.
export PREPAY_NOW="2026-11-20 10:00:00"
exits 0 "site-load" site-load "$FIXTURES/site.yaml"
exits 0 "acct-open" acct-open -n 张三 -p 13800000000 -o csv 0101070723
is "$(col "$T/out" account)" 100001 "the first account"
exits 0 "a sale" sale -o csv 100001 50
is "$(col "$T/out" serial)|$(col "$T/out" balance)" "20261120000002|50.00" \
    "its serial follows the opening's, its balance 50.00"
exits 0 "report balances" report balances -o csv
is "$(col "$T/out" balance)" 50.00 "the balance, from the ledger"

# Cashiers at once: 4 processes of 10 sales each, on their own
# connections.  The writers' lock gives one serial each, without a gap or
# a double, one chain, and every yuan on the account.
for c in 1 2 3 4; do
	(for i in 1 2 3 4 5 6 7 8 9 10; do
		sale -o csv --ref "c$c-$i" 100001 1 >/dev/null 2>>"sales.$c.err" ||
		    echo "sale c$c-$i failed" >>"sales.$c.err"
	done) &
done
wait
is "$(cat sales.*.err)" "" "40 sales from 4 connections at once: each exits 0"
is "$(psql_q "SELECT count(*), count(DISTINCT serial), min(serial), max(serial)
    FROM ledger WHERE kind = 'sale'")" \
    "41|41|20261120000002|20261120000042" "41 sales, serials 2 to 42: no gap, no double"
is "$(psql_q "SELECT count(*) FROM ledger l JOIN ledger p ON p.id = l.id - 1
    WHERE l.id > 1")" 41 "each row follows the one before it: one chain"
exits 0 "report balances" report balances -o csv
is "$(col "$T/out" balance)" 90.00 "50 + 40 yuan on the account"
exits 0 "a sale again with its ref (a retry)" sale -o csv --ref c1-1 100001 1
is "$(col "$T/out" serial)|$(psql_q "SELECT count(*) FROM ledger")" \
    "$(psql_q "SELECT serial FROM ledger WHERE ref = 'c1-1'")|42" \
    "lands once: the row it made, nothing new"
exits 65 "the ref again for another amount" sale -o csv --ref c1-1 100001 2
like "$T/err" 'ref "c1-1" was already used by serial' "... is refused, saying so"

# One ref from 6 connections at once (a cashier's double click, a script
# retried while the first still runs): one sale, which each prints.
for i in 1 2 3 4 5 6; do
	(sale -o csv --ref same-ref 100001 3 >"same.$i" 2>"same.$i.err"
	    echo $? >"same.$i.rc") &
done
wait
is "$(cat same.*.rc | tr '\n' ' ')" "0 0 0 0 0 0 " \
    "the same ref from 6 connections at once: each exits 0"
is "$(grep -l 'already recorded as serial' same.*.err | wc -l | tr -d ' ')" 5 \
    "... five of them saying the ref was recorded already"
is "$(psql_q "SELECT count(*) FROM ledger WHERE ref = 'same-ref'")" 1 "... one sale in the ledger"
is "$(for i in 1 2 3 4 5 6; do col "same.$i" serial; done | sort -u)" \
    "$(psql_q "SELECT serial FROM ledger WHERE ref = 'same-ref'")" "... the serial each printed"

# report verify on the server: its schema checked against the migrations
# run in a database of their own, made and dropped.
exits 0 "report verify passes" report verify -o csv
like "$T/out" '^schema,ok,' "the schema is the migrations' own"
like "$T/out" '^append-only,ok,' "the ledger and audit refuse edits"
is "$(psql_q "SELECT count(*) FROM pg_database WHERE datname LIKE 'prepay_verify_%'")" 0 \
    "the reference database is gone"
psql_q "ALTER TABLE ledger DISABLE TRIGGER ledger_no_update" \
    "CREATE FUNCTION public.sneak() RETURNS trigger LANGUAGE plpgsql AS
    'BEGIN NEW.amount = NEW.amount + 1; RETURN NEW; END'" \
    "CREATE TRIGGER sneak BEFORE INSERT ON ledger FOR EACH ROW EXECUTE FUNCTION sneak()"
exits 1 "report verify after triggers were changed around the tools" \
    report verify -o csv
like "$T/out" '^append-only,fail,"?trigger ledger_no_update on ledger differs' \
    "a disabled append-only trigger is seen"
like "$T/out" '^append-only,fail,"?trigger sneak on ledger is not the schema.s: added' \
    "an added trigger is seen"
like "$T/out" '^schema,fail,"?function sneak\(\) is not the schema.s: added' \
    "and its function"
psql_q "DROP TRIGGER sneak ON ledger" "DROP FUNCTION sneak()" \
    "ALTER TABLE ledger ENABLE ALWAYS TRIGGER ledger_no_update"
exits 0 "report verify once they are put back" report verify -o csv

# A backup is the server's: db-backup copies SQLite files only.
mkdir bk
exits 64 "db-backup of a database on a server" db-backup bk
like "$T/err" "is on a PostgreSQL server: back it up with the server's tools" \
    "... says to use the server's tools"
is "$(ls bk)" "" "... and writes nothing"
exits 64 "db-backup --restore onto a server" db-backup --restore bk/none.db
like "$T/err" "is on a PostgreSQL server" "... refused the same way"

# --- meters on the server: a poll of meter-sim; and the same readings
# imported into PostgreSQL and into SQLite give the same reports ---------
psql_q "CREATE DATABASE polled" "CREATE DATABASE field"
POLLED=$(echo "$PREPAY_DB" | sed 's|/prepay?|/polled?|')
FIELD=$(echo "$PREPAY_DB" | sed 's|/prepay?|/field?|')
P=$(port_base)
cat >field.yaml <<EOF2
site: 田野
defaults:
  price: 0.5380
  overload_w: 1000000
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
        timeout_ms: 300
        meters:
          - {meter: "0101000001", unit: 1, floor: 1, room: "101", profile: sdm120, tariff: tou}
          - {meter: "0101000002", unit: 2, floor: 1, room: "102", profile: dds238-2}
EOF2
for db in "$POLLED" "$FIELD" "$T/field.db"; do
	PREPAY_DB=$db site-load field.yaml >/dev/null &&
	    PREPAY_DB=$db acct-open -n 甲 0101000001 >/dev/null &&
	    PREPAY_DB=$db sale 100001 100 >/dev/null ||
	    echo "# the site on $db failed"
done
start_sim field.yaml --seed 7 --speed 600
for t in 10:30 11:00; do
	PREPAY_DB=$POLLED PREPAY_NOW="2026-11-20 $t:00" exits 0 \
	    "a poll on the server at $t" meter-read -o csv
	is "$(col "$T/out" state)" "ok ok" "both meters answered"
done
polled=$(col "$T/out" energy_kwh)
is "$(PREPAY_DB=$POLLED report readings 0101000001 -o csv | sed -n 3p |
    cut -d, -f3)" "${polled%% *}" "the stored reading is the one read"
PREPAY_DB=$POLLED PREPAY_NOW="2026-11-20 11:00:00" exits 0 "report status" \
    report status -o csv
is "$(col "$T/out" state)" "open unopened" "the polled account's state"
stop_sim

printf 'meter,time,energy_kwh\n' >hand.csv
for h in 11 12 13 21 22 23; do
	printf '0101000001,2026-11-20 %s:00,%s\n0101000002,2026-11-20 %s:00,%s\n' \
	    $h "$((4000 + h)).5" $h "$((5000 + 2 * h)).25" >>hand.csv
done
printf '0101000001,2026-11-21 07:00,4030\n0101000001,2026-11-21 06:00,4029\n' >>hand.csv
for db in "$FIELD" "$T/field.db"; do
	PREPAY_DB=$db PREPAY_NOW="2026-11-21 08:00:00" meter-read --each \
	    --import hand.csv >/dev/null 2>&1
done
same() {	# REPORT ARGS...: on both engines
	PREPAY_DB=$FIELD PREPAY_NOW="2026-11-21 08:00:00" report "$@" -o csv \
	    >pg.out 2>&1
	PREPAY_DB=$T/field.db PREPAY_NOW="2026-11-21 08:00:00" report "$@" -o csv \
	    >lite.out 2>&1
	is "$(cat pg.out)" "$(cat lite.out)" "report $*: the same on both engines"
}
same balances
same energy --from 2026-11-20 --to 2026-11-22
same energy --from 2026-11-20 --to 2026-11-22 --per room
same counters --from 2026-11-20 --to 2026-11-21
same readings 0101000002 --from 2026-11-20 --to 2026-11-22
same usage 0101000002 --from 2026-11-20 --to 2026-11-22 --by hour
same sales --by day
same txns

# A write the store sends without waiting for it (lib/engine-pg.c, its
# pipeline) fails: a charged reading's day parts, refused by a trigger.
# The import fails on that reading's line, with the same message as on
# SQLite, the writes sent after it are not made, and nothing is written.
psql_at "$FIELD" "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS \$\$BEGIN RAISE EXCEPTION 'refused by the test'; END\$\$" \
    "CREATE TRIGGER refuse BEFORE INSERT ON daily_parts FOR EACH ROW EXECUTE FUNCTION refuse()"
sqlite3 field.db "CREATE TRIGGER refuse BEFORE INSERT ON daily_parts BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
printf 'meter,time,energy_kwh\n0101000002,2026-11-21 07:30,5100\n0101000001,2026-11-21 07:30,4031\n0101000002,2026-11-21 07:45,5101\n' >refused.csv
for db in "$FIELD" "$T/field.db"; do
	PREPAY_DB=$db PREPAY_NOW="2026-11-21 08:00:00" report readings 0101000002 -o csv >"before.${db##*/}"
	PREPAY_DB=$db PREPAY_NOW="2026-11-21 08:00:00" meter-read --import refused.csv \
	    >/dev/null 2>"refused.${db##*/}"
	echo $? >>"refused.${db##*/}"
	PREPAY_DB=$db PREPAY_NOW="2026-11-21 08:00:00" report readings 0101000002 -o csv >"after.${db##*/}"
done
lite=refused.field.db pg=refused.${FIELD##*/}
is "$(cat "$pg")" "$(cat "$lite")" "a write sent without waiting fails: the same message and exit as on SQLite"
like "$pg" "line 3:.*refused by the test" "... on the failing reading's line"
unlike "$pg" "line [24]:" "... not on the lines around it"
is "$(cat after."${FIELD##*/}")" "$(cat before."${FIELD##*/}")" "nothing written on the server"
is "$(cat after.field.db)" "$(cat before.field.db)" "nor in the file"

done_testing
