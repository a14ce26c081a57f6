#!/bin/sh
# The PostgreSQL schema (lib/pg/*.sql): loaded into a throwaway cluster,
# it has SQLite's tables, views and columns; its SQLite functions give
# what sqlite3 gives, in two zones across their changes; the ledger and
# the audit log refuse UPDATE and DELETE to their owner and to every role,
# and a cashier may still sell; loading the files again is refused with
# nothing changed; months of readings are partitions made on demand, and
# one can be detached while the daily roll-ups stay.  No wall clock: every
# time is fixed.
if [ -r "$(dirname "$0")/lib.sh" ]; then
	# shellcheck source=lib.sh
	. "$(dirname "$0")/lib.sh"
else
	# shellcheck source=../cli/lib.sh
	. "$(dirname "$0")/../cli/lib.sh"
fi
need sqlite3 psql

PGSQL=$top/lib/pg

# A cluster: scripts/pg-cluster's (tests/pg/lib.sh) when there is one,
# else one of our own, as an unprivileged user (initdb refuses root), on
# a socket in $T, always stopped and removed at the exit.
if command -v pg_start >/dev/null 2>&1 && [ -x "$top/scripts/pg-cluster" ]; then
	pg_start pg
else
	own_bindir() {
		for _d in $(pg_config --bindir 2>/dev/null) /usr/lib/postgresql/*/bin; do
			[ -x "$_d/initdb" ] && { echo "$_d"; return; }
		done
		echo "Bail out! no initdb: install postgresql"
		exit 1
	}
	PGBIN=$(own_bindir)
	PG_DIR=$T/pg
	pguser=$(id -un)
	as_pg() { (cd / && "$@"); }
	if [ "$(id -u)" -eq 0 ]; then
		pguser=postgres
		id -u postgres >/dev/null 2>&1 ||
		    { echo "Bail out! as root, the user postgres runs the server"; exit 1; }
		as_pg() { (cd / && runuser -u postgres -- "$@"); }
		chmod o+x "$T"
	fi
	mkdir "$PG_DIR"
	[ "$(id -u)" -ne 0 ] || chown postgres: "$PG_DIR"
	own_stop() {
		as_pg "$PGBIN/pg_ctl" stop -D "$PG_DIR/data" -m immediate -w \
		    >/dev/null 2>&1
		cleanup
	}
	trap own_stop EXIT
	trap 'exit 129' HUP
	trap 'exit 130' INT
	trap 'exit 143' TERM
	as_pg "$PGBIN/initdb" -D "$PG_DIR/data" -U "$(id -un)" \
	    --auth-local=trust -E UTF8 --locale=C.UTF-8 --no-sync \
	    >"$T/initdb.log" 2>&1 ||
	    { sed 's/^/# /' "$T/initdb.log"; echo "Bail out! initdb"; exit 1; }
	as_pg "$PGBIN/pg_ctl" start -D "$PG_DIR/data" -w -s -l "$PG_DIR/log" \
	    -o "-c listen_addresses='' -k $PG_DIR -c fsync=off" >/dev/null ||
	    { sed 's/^/# /' "$PG_DIR/log"; echo "Bail out! pg_ctl start"; exit 1; }
	psql -XAtq -h "$PG_DIR" -d postgres -c 'CREATE DATABASE prepay' ||
	    { echo "Bail out! createdb"; exit 1; }
	PREPAY_DB="postgresql:///prepay?host=$PG_DIR"
fi
unset PGHOST PGUSER PGDATABASE PGOPTIONS
PGURI=$PREPAY_DB

# q SQL...: psql on the cluster, each SQL in turn, unaligned, '|' between
# columns; the first error ends it.
q() {
	_n=$#
	for _s; do
		set -- "$@" -c "$_s"
	done
	shift "$_n"
	psql -XAtq -v ON_ERROR_STOP=1 -d "$PGURI" "$@"
}

# ---- the schema, file by file, each in one transaction ----

for f in "$PGSQL"/[0-9]*.sql; do
	run psql -Xq -v ON_ERROR_STOP=1 -1 -d "$PGURI" -f "$f"
	is "$rc" 0 "$(basename "$f") loads in one transaction"
	[ "$rc" -eq 0 ] || sed 's/^/# /' "$T/err"
done
nfiles=$(ls "$PGSQL"/[0-9]*.sql | wc -l | tr -d ' ')
is "$(q 'SELECT version FROM pp_schema')" "$nfiles" \
    "pp_schema holds the version of the last file ($nfiles)"

# ---- the same tables, views and columns as SQLite's ----

# SQLite's schema, made by the tools themselves: its migrations 1 to 27,
# which lib/pg's files mirror (002 is SQLite's 25, 004 its 26, 005 its
# 27).  A new
# SQLite migration fails this until lib/pg has its own.
PREPAY_DB=$T/ref.db site-load "$FIXTURES/site.yaml" >/dev/null 2>"$T/err"
ok $? "site-load makes SQLite's schema to compare with"
is "$(sqlite3 "$T/ref.db" 'PRAGMA user_version')" 27 \
    "...at version 27, which lib/pg mirrors"

sqlite3 "$T/ref.db" "SELECT name FROM sqlite_master WHERE type IN
    ('table', 'view') AND name NOT LIKE 'sqlite_%' ORDER BY name" >"$T/lite.names"
q "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid =
    c.relnamespace WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p',
    'v') AND NOT c.relispartition AND c.relname <> 'pp_schema'
    ORDER BY c.relname COLLATE \"C\"" >"$T/pg.names"
is "$(tr '\n' ' ' <"$T/pg.names")" "$(tr '\n' ' ' <"$T/lite.names")" \
    "the same tables and views ($(wc -l <"$T/lite.names" | tr -d ' '))"

: >"$T/cols.diff"
while read -r t; do
	lite=$(sqlite3 "$T/ref.db" "SELECT group_concat(name, ',') FROM
	    (SELECT name FROM pragma_table_info('$t') ORDER BY cid)")
	pg=$(q "SELECT string_agg(column_name, ',' ORDER BY ordinal_position)
	    FROM information_schema.columns WHERE table_schema = 'public'
	    AND table_name = '$t'")
	# The one column SQLite hides: account_meters' rowid, which the
	# library orders by.
	[ "$t" = account_meters ] && lite="$lite,rowid"
	[ "$lite" = "$pg" ] ||
	    printf '%s\n  sqlite: %s\n  pg:     %s\n' "$t" "$lite" "$pg" >>"$T/cols.diff"
done <"$T/lite.names"
[ ! -s "$T/cols.diff" ]
ok $? "every table and view has SQLite's columns in SQLite's order"
sed 's/^/# /' "$T/cols.diff"

sqlite3 "$T/ref.db" "SELECT name FROM sqlite_master WHERE type = 'index'
    AND sql IS NOT NULL ORDER BY name" >"$T/lite.idx"
: >"$T/idx.missing"
while read -r i; do
	[ "$(q "SELECT count(*) FROM pg_indexes WHERE schemaname = 'public'
	    AND indexname = '$i'")" = 1 ] || echo "$i" >>"$T/idx.missing"
done <"$T/lite.idx"
[ ! -s "$T/idx.missing" ]
ok $? "every index SQLite names is there by its name"
sed 's/^/# missing: /' "$T/idx.missing"

sqlite3 "$T/ref.db" "SELECT name FROM sqlite_master WHERE type = 'trigger'
    ORDER BY name" >"$T/lite.trg"
: >"$T/trg.missing"
while read -r g; do
	[ "$(q "SELECT count(*) FROM pg_trigger WHERE tgname = '$g'")" = 1 ] ||
	    echo "$g" >>"$T/trg.missing"
done <"$T/lite.trg"
[ ! -s "$T/trg.missing" ]
ok $? "every trigger SQLite names is there by its name"
sed 's/^/# missing: /' "$T/trg.missing"

is "$(q "SELECT string_agg(data_type, ',' ORDER BY ordinal_position)
    FROM information_schema.columns WHERE table_name = 'ledger'")" \
    "bigint,text,bigint,text,bigint,bigint,bigint,text,text,bigint,text,text,bigint,bigint,text" \
    "INTEGER is bigint and TEXT is text (the ledger)"
is "$(q "SELECT string_agg(c.relname || ':' || pg_get_expr(c.relpartbound,
    c.oid), ' ' ORDER BY c.relname) FROM pg_class c WHERE c.relispartition
    AND c.relname LIKE '%_default'")" \
    "reading_extras_default:DEFAULT reading_rows_default:DEFAULT" \
    "reading_rows and reading_extras are partitioned, with a DEFAULT partition"

# ---- the SQLite functions against sqlite3 ----

# One expression a line, the same text for both engines: a string given
# alone to date() or "time"() is CAST to TEXT (PostgreSQL reads
# date('...') as a cast), a real is CAST AS DOUBLE PRECISION (a decimal
# literal is numeric there), and "time" is quoted (a keyword there).
cat >"$T/exprs" <<'EOF'
strftime('%Y-%m-%d %H:%M:%S', 1700000000, 'unixepoch')
strftime('%Y-%m-%d %H:%M:%S', 1700000000, 'unixepoch', 'localtime')
strftime('%Y-%m-%d', 1700000000, 'unixepoch', 'localtime')
strftime('%Y-%m', 1700000000, 'unixepoch', 'localtime')
strftime('%Y', 1700000000, 'unixepoch', 'localtime')
strftime('%H', 1700000000, 'unixepoch', 'localtime')
strftime('%s', 1700000000, 'unixepoch')
strftime('%s', '2024-03-10 02:30:00')
strftime('%w %j %W', '2024-01-01')
strftime('%w %j %W', '2023-01-01')
strftime('%w %j %W', '2024-12-31 23:59:59')
strftime('%j', '2023-12-31')
strftime('%W', '2021-01-03')
strftime('%f', '2024-01-01 00:00:01.5')
strftime('%f', '2024-01-01 00:00:59.9999')
strftime('%J', '2024-01-01 01:02:03.456')
strftime('%J', '2024-01-01')
strftime('%%', '2024-01-01')
strftime('a%%b%dc', '2024-01-02')
strftime('%e', '2024-01-01')
strftime('%', '2024-01-01')
strftime('', '2024-01-01')
strftime(NULL, 0, 'unixepoch')
strftime('%Y', NULL)
strftime('%Y-%m-%d', -1, 'unixepoch')
strftime('%Y-%m-%d %H:%M:%S', -86401, 'unixepoch', 'localtime')
strftime('%Y-%m-%d %H:%M:%S', CAST(1700000000 AS BIGINT) * 4, 'unixepoch', 'localtime')
strftime('%Y-%m-%d', 2460000.5)
strftime('%Y-%m-%d', 1700000000, 'localtime', 'unixepoch')
strftime('%Y-%m-%d', 1700000000)
strftime('%Y-%m-%d', '1700000000', 'unixepoch')
strftime('%Y-%m-%d', CAST(1700000000.7 AS DOUBLE PRECISION), 'unixepoch')
strftime('%Y-%m-%d %H:%M:%S', '2024-01-31', '+1 month')
strftime('%Y-%m-%d %H:%M:%S', '2024-01-31', '-1 month')
strftime('%Y-%m-%d %H:%M:%S', '2024-02-29', '+1 year')
strftime('%Y-%m-%d %H:%M:%S', '2024-02-29', '-4 years')
strftime('%Y-%m-%d %H:%M:%S', '2024-03-31', '-13 months')
strftime('%Y-%m-%d %H:%M:%S', '2024-01-01', '+1 day')
strftime('%Y-%m-%d %H:%M:%S', '2024-01-01', '-1 days')
strftime('%Y-%m-%d %H:%M:%S', '2024-01-01', '+36 hours')
strftime('%Y-%m-%d %H:%M:%S', '2024-01-01', '-90 minutes')
strftime('%Y-%m-%d %H:%M:%S', '2024-01-01', '+3661 seconds')
strftime('%Y-%m-%d %H:%M:%S', '2024-01-01', '+1.5 seconds')
strftime('%Y-%m-%d %H:%M:%S', '2024-01-01', '+1 DAYS')
strftime('%Y-%m-%d %H:%M:%S', '2024-01-01', '+1day')
strftime('%Y-%m-%d %H:%M:%S', '2024-01-01', '+1 fortnight')
strftime('%Y-%m-%d %H:%M:%S', '2024-05-15 13:14:15', 'start of day')
strftime('%Y-%m-%d %H:%M:%S', '2024-05-15 13:14:15', 'start of month')
strftime('%Y-%m-%d %H:%M:%S', '2024-05-15 13:14:15', 'start of year')
strftime('%Y-%m-%d', '2024-05-15', 'weekday 0')
strftime('%Y-%m-%d', '2024-05-15', 'weekday 3')
strftime('%Y-%m-%d', '2024-05-15', 'weekday 6')
strftime('%Y-%m-%d', '2024-05-15', 'weekday 7')
strftime('%Y-%m-%d', '2024-05-15', 'start of month', '+1 month', '-1 day')
strftime('%Y-%m-%d %H:%M:%S', '2024-05-15 13:14', 'utc')
strftime('%Y-%m-%d %H:%M:%S', '2024-05-15 13:14', 'utc', 'utc')
strftime('%Y-%m-%d %H:%M:%S', '2024-05-15 13:14', 'localtime')
strftime('%Y-%m-%d %H:%M:%S', '2024-05-15 13:14', 'localtime', 'localtime')
strftime('%Y-%m-%d %H:%M:%S', '2024-05-15 13:14', 'utc', 'localtime')
strftime('%Y-%m-%d %H:%M:%S', '2024-05-15 13:14Z', 'utc')
strftime('%Y-%m-%d %H:%M:%S', '2024-05-15 13:14 +05:30')
strftime('%Y-%m-%d %H:%M:%S', '2024-05-15T13:14:15.25-04:00')
strftime('%Y-%m-%d %H:%M:%S', '12:34')
strftime('%Y-%m-%d %H:%M:%S', '2023-13-01')
strftime('%Y-%m-%d %H:%M:%S', ' 2024-01-01')
strftime('%Y-%m-%d %H:%M:%S', 'junk')
strftime('%Y-%m-%d', '2024-01-01', NULL)
date(1700000000, 'unixepoch', 'localtime')
date(1700000000, 'unixepoch')
date('2024-01-01', '+1 day')
date(NULL, 'unixepoch')
date(253402300799, 'unixepoch')
date(253402300800, 'unixepoch')
datetime(1700000000, 'unixepoch', 'localtime')
datetime(1700000000, 'unixepoch')
datetime(CAST('2024-01-01 10:00:00.9' AS TEXT))
datetime('2024-01-31', '+1 month')
datetime(1710054000, 'unixepoch', 'localtime')
datetime('2024-03-10 02:30:00', 'utc')
datetime('2024-11-03 01:30:00', 'utc')
datetime('2024-11-03 00:59:59', 'utc')
datetime('2024-03-10 01:59:59', 'utc')
"time"(3600, 'unixepoch')
"time"(CAST('12:00:00.9999' AS TEXT))
"time"(1700000000, 'unixepoch', 'localtime')
"time"(-1, 'unixepoch')
unixepoch('2024-01-01', '+1 day', 'utc')
unixepoch('2024-01-01', 'utc')
unixepoch('2024-03-10', 'utc')
unixepoch('2024-03-11', 'utc')
unixepoch('2024-11-03', '+1 day', 'utc')
unixepoch('2024-01-01 00:00:00.9')
unixepoch(CAST(1700000000.5 AS DOUBLE PRECISION), 'unixepoch')
unixepoch(CAST('2024-06-01' AS TEXT))
unixepoch(NULL)
printf('%.6f', julianday('2024-01-01'))
printf('%.6f', julianday('2000-01-01 12:00:00.0006'))
printf('%.6f', julianday(1700000000, 'unixepoch', 'localtime'))
printf('%d', 42)
printf('%d', -42)
printf('%d', 9223372036854775807)
printf('%d', CAST('12abc' AS TEXT))
printf('%d', CAST('abc' AS TEXT))
printf('%d', CAST(3.99 AS DOUBLE PRECISION))
printf('%d', CAST(-3.99 AS DOUBLE PRECISION))
printf('%d', NULL)
printf('%d')
printf('%5d|%-5d|%05d|%+d|% d', 42, 42, 42, 42, 42)
printf('%06d', 1234)
printf('%06d', -1234)
printf('%06d', 1234567)
printf('%.3d', 7)
printf('%,d', 1234567)
printf('%,d', -1234567)
printf('%x|%X|%#x|%o|%#o', 255, 255, 255, 8, 8)
printf('%x', -1)
printf('%u', -1)
printf('%.2f', CAST(2.675 AS DOUBLE PRECISION))
printf('%.2f', CAST(1.005 AS DOUBLE PRECISION))
printf('%.2f', CAST(0.125 AS DOUBLE PRECISION))
printf('%.0f', CAST(2.5 AS DOUBLE PRECISION))
printf('%.0f', CAST(-2.5 AS DOUBLE PRECISION))
printf('%f', CAST(3.14159265 AS DOUBLE PRECISION))
printf('%.2f', 1234)
printf('%10.3f|%-10.1f|', CAST(-2.5 AS DOUBLE PRECISION), CAST(2.25 AS DOUBLE PRECISION))
printf('%010.3f', CAST(-2.5 AS DOUBLE PRECISION))
printf('%.2f', NULL)
printf('%e|%E|%.2e', CAST(12345.678 AS DOUBLE PRECISION), CAST(0.000123 AS DOUBLE PRECISION), CAST(-1 AS DOUBLE PRECISION))
printf('%g|%g|%g|%G', CAST(0.0001 AS DOUBLE PRECISION), CAST(1e20 AS DOUBLE PRECISION), CAST(100000 AS DOUBLE PRECISION), CAST(1e-10 AS DOUBLE PRECISION))
printf('%s', 'abc')
printf('%s', 12)
printf('%s', -12)
printf('%s', CAST(0.1 AS DOUBLE PRECISION))
printf('%s', CAST(100 AS DOUBLE PRECISION))
printf('%s', CAST(1e20 AS DOUBLE PRECISION))
printf('%s', CAST(1.0 AS DOUBLE PRECISION) / 3)
printf('%s|', NULL)
printf('[%5s][%-5s][%.2s]', 'ab', 'ab', 'abcdef')
printf('[%5s][%!5s][%.3s][%!.3s]', '中', '中', '中文字', '中文字')
printf('%s and %s', 'a')
printf('%c%c', 'hello', 'world')
printf('%q|%Q|%Q', 'it''s', 'x', NULL)
printf('%w', 'a"b')
printf('100%%')
printf('%d%%', 50)
printf('ab%yc', 1)
printf('%')
printf('%5.1s|%*d|%-*d|%.*f', CAST('abc' AS TEXT), 5, 1, 4, 2, 2, CAST(3.14159 AS DOUBLE PRECISION))
printf('%lld %ld', 5, 6)
printf('day %s: %d serials handed out, %d in the ledger (highest %06d): a gap', CAST('20240101' AS TEXT), 3, 2, 2)
printf('%d Wh at %s', 12345, datetime(1700000000, 'unixepoch', 'localtime'))
printf(NULL)
(SELECT group_concat(x) FROM (SELECT 'a' AS x UNION ALL SELECT 'b' UNION ALL SELECT 'c') AS t)
(SELECT group_concat(x, ';') FROM (SELECT 'a' AS x UNION ALL SELECT NULL UNION ALL SELECT 'c') AS t)
(SELECT group_concat(x, '') FROM (SELECT 'a' AS x UNION ALL SELECT 'b') AS t)
(SELECT group_concat(x) FROM (SELECT 1 AS x UNION ALL SELECT 2 UNION ALL SELECT 3) AS t)
(SELECT group_concat(x) FROM (SELECT CAST(1.5 AS DOUBLE PRECISION) AS x UNION ALL SELECT CAST(2 AS DOUBLE PRECISION)) AS t)
(SELECT group_concat(x, y) FROM (SELECT 1 AS x, '+' AS y UNION ALL SELECT 2, '*' UNION ALL SELECT NULL, '/' UNION ALL SELECT 3, NULL UNION ALL SELECT 4, '#') AS t)
(SELECT group_concat(x) FROM (SELECT NULL AS x) AS t)
(SELECT group_concat(x) FROM (SELECT '' AS x UNION ALL SELECT '') AS t)
(SELECT count(*) FROM (SELECT group_concat(x) AS g FROM (SELECT 'a' AS x WHERE 1 = 0) AS t) AS u WHERE g IS NULL)
max(1, 2)
max(3, 1, 2)
max(1, NULL)
max(NULL, 1, 2)
min(3, 1, 2)
min(-1, -2)
min(1, NULL)
min('b', 'a')
max('a', 'B')
max(1, 2) + min(5, 6)
(SELECT max(x) FROM (SELECT 1 AS x UNION ALL SELECT 3 UNION ALL SELECT NULL) AS t)
(SELECT min(x) FROM (SELECT 1 AS x UNION ALL SELECT 3 UNION ALL SELECT NULL) AS t)
(SELECT max(x, 2) FROM (SELECT 1 AS x UNION ALL SELECT 3) AS t ORDER BY 1 LIMIT 1)
(SELECT sum(x > 1) FROM (SELECT 1 AS x UNION ALL SELECT 2 UNION ALL SELECT 3) AS t)
(SELECT sum(x = 'sale') FROM (SELECT 'sale' AS x UNION ALL SELECT 'refund' UNION ALL SELECT 'sale') AS t)
(SELECT sum(x > 1) FROM (SELECT CAST(NULL AS BIGINT) AS x) AS t)
(SELECT sum(x) FROM (SELECT 2 AS x UNION ALL SELECT 3) AS t)
(SELECT printf('%.1f', total(x)) FROM (SELECT 1 AS x UNION ALL SELECT 2) AS t)
(SELECT printf('%.1f', total(x)) FROM (SELECT 1 AS x WHERE 1 = 0) AS t)
iif(1 = 1, 'yes', 'no')
iif(1 = 2, 'yes', 'no')
iif(2, 'a', 'b')
iif(0, 'a', 'b')
iif(NULL, 1, 2)
ifnull(NULL, 3)
ifnull(2, 3)
ifnull(NULL, NULL)
instr('abcabc', 'c')
instr('abc', 'x')
instr('abc', '')
instr('中文字', '字')
instr(NULL, 'a')
substr('hello', 2, 3)
substr('hello', 0, 2)
substr(CAST('hello' AS TEXT), CAST(2 AS BIGINT), CAST(-1 AS BIGINT))
substr(CAST('hello' AS TEXT), CAST(-2 AS BIGINT), CAST(-2 AS BIGINT))
substr(CAST('hello' AS TEXT), CAST(0 AS BIGINT), CAST(-1 AS BIGINT))
substr('hello', 1, instr('hello', ':') - 1)
substr('20240101000123:abc', 1, instr('20240101000123:abc', ':') - 1)
substr('hello', 10)
substr('中文字符', 2, 2)
substr(CAST('hello' AS TEXT), CAST(-3 AS BIGINT))
substr('2024-05-15', 1, 7)
typeof(1)
typeof('a')
typeof(CAST(1.5 AS DOUBLE PRECISION))
typeof(NULL)
length('中文')
length(12345)
length(-1)
coalesce(nullif(0, 0), 7)
CAST('42' AS BIGINT) + 1
7 / 2
-7 / 2
EOF

# Every hour across the zones' changes (New York: 2024-03-10 and
# 2024-11-03; Shanghai has none since 1991), both ways.
for day0 in 1710028800 1730592000 1709251200; do
	k=0
	while [ $k -lt 48 ]; do
		t=$((day0 + k * 1800))
		echo "datetime($t, 'unixepoch', 'localtime')"
		echo "strftime('%Y-%m-%d %H', $t, 'unixepoch', 'localtime')"
		echo "unixepoch(datetime($t, 'unixepoch', 'localtime'), 'utc')"
		echo "unixepoch(date($t, 'unixepoch', 'localtime'), '+1 day', 'utc')"
		k=$((k + 1))
	done
done >>"$T/exprs"
nexpr=$(wc -l <"$T/exprs" | tr -d ' ')

awk '{ printf "SELECT %d, %s;\n", NR, $0 }' "$T/exprs" >"$T/exprs.sql"
for zone in Asia/Shanghai America/New_York; do
	TZ=$zone sqlite3 -batch :memory: <"$T/exprs.sql" >"$T/lite.out" 2>"$T/lite.err"
	{ echo "SET TimeZone = '$zone';"; cat "$T/exprs.sql"; } |
	    psql -XAtq -F '|' -d "$PGURI" >"$T/pg.out" 2>"$T/pg.err"
	is "$(wc -l <"$T/lite.out" | tr -d ' ')" "$nexpr" \
	    "sqlite3 evaluates all $nexpr expressions in $zone"
	diff "$T/lite.out" "$T/pg.out" >"$T/fn.diff"
	ok $? "the SQLite functions on PostgreSQL give sqlite3's $nexpr results in $zone"
	awk -F'|' 'NR == FNR { e[NR] = $0; next }
	    /^[<>]/ { split(substr($0, 3), a, "|"); print "# " $1 " " e[a[1]] " => " substr($0, 3) }' \
	    "$T/exprs" "$T/fn.diff" | head -n 20
	sed 's/^/# pg: /' "$T/pg.err" | head -n 5
done

# What PostgreSQL's functions take less of than SQLite's: a modifier the
# library and its tests do not use is refused by name, never guessed;
# an impossible date, or a year outside 1 to 9999, is NULL (SQLite writes
# the first back as given and counts years from -4713).
for m in "'auto'" "'julianday'" "'start of week'" "'+01:30'" "'+1.5 months'"; do
	run q "SELECT strftime('%Y-%m-%d', 1700000000, $m)"
	like "$T/err" "the date modifier \".*\" is not one prepay uses on PostgreSQL" \
	    "the modifier $m is refused, saying so"
done
is "$(q "SELECT coalesce(date(CAST('2023-02-31' AS TEXT)), 'NULL') || ' ' ||
    coalesce(datetime(CAST('2024-01-01 24:00' AS TEXT)), 'NULL') || ' ' ||
    coalesce(date(-62167219200, 'unixepoch'), 'NULL') || ' ' ||
    coalesce(date('9999-12-31', '+1 day'), 'NULL')")" "NULL NULL NULL NULL" \
    "31 February, the hour 24, the year 0 and the year 10000 are NULL"

# ---- the ledger and the audit log are append-only ----

q "INSERT INTO accounts(account, name, state, opened) VALUES ('A1', 'one', 'open', 1700000000)" \
  "INSERT INTO buildings(name) VALUES ('B1')" \
  "INSERT INTO meters(meter, profile, billing, account_id) VALUES ('M1', 'sdm120', 'account', 1)" \
  "INSERT INTO ledger(id, serial, time, kind, account_id, amount, method, operator, balance, hash)
   VALUES (1, '20231115000001', 1700000000, 'open', 1, 1000, 'cash', 'zhang', 1000, 'h1')" \
  "INSERT INTO audit(id, time, login, tool, args, exit, summary, hash)
   VALUES (1, 1700000000, 'zhang', 'acct-open', '', 0, '', 'a1')"
ok $? "a ledger row and an audit entry are written"

# As the owner: a role of no privilege that owns both tables.
q "DO \$\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'prepay_t_owner') THEN
    CREATE ROLE prepay_t_owner; END IF; END \$\$" \
  "ALTER TABLE ledger OWNER TO prepay_t_owner" \
  "ALTER TABLE audit OWNER TO prepay_t_owner"
for stmt in "UPDATE ledger SET amount = 2000" "DELETE FROM ledger"; do
	run q "SET ROLE prepay_t_owner" "$stmt"
	like "$T/err" "the ledger is append-only" "the owner: $stmt is refused"
done
for stmt in "UPDATE audit SET exit = 1" "DELETE FROM audit" "TRUNCATE audit"; do
	run q "SET ROLE prepay_t_owner" "$stmt"
	like "$T/err" "the audit log is append-only" "the owner: $stmt is refused"
done
run q "UPDATE ledger SET remark = 'x' WHERE id = 1"
like "$T/err" "the ledger is append-only" "a superuser's UPDATE of the ledger is refused"
run q "TRUNCATE ledger, commands, orders"
like "$T/err" "the ledger is append-only" "...and its TRUNCATE"
run q "SET session_replication_role = replica" "DELETE FROM ledger"
like "$T/err" "the ledger is append-only" "...also as a replica (ENABLE ALWAYS)"
q "ALTER TABLE ledger OWNER TO CURRENT_USER" "ALTER TABLE audit OWNER TO CURRENT_USER"
is "$(q 'SELECT count(*) FROM ledger')|$(q 'SELECT amount FROM ledger')" "1|1000" \
    "the ledger row is as written"

# Each role by a login of its own (SET ROLE to it: its rights only).
for r in auditor poller cashier supervisor admin web; do
	q "DO \$\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'prepay_t_$r') THEN
	    CREATE ROLE prepay_t_$r LOGIN IN ROLE prepay_$r; END IF; END \$\$"
done
for r in cashier supervisor admin poller auditor web; do
	run q "SET ROLE prepay_t_$r" "UPDATE ledger SET amount = 0 WHERE id = 1"
	like "$T/err" "permission denied for table ledger" "$r: UPDATE ledger is denied"
	run q "SET ROLE prepay_t_$r" "DELETE FROM audit"
	like "$T/err" "permission denied for table audit" "$r: DELETE FROM audit is denied"
done
run q "SET ROLE prepay_t_cashier" "TRUNCATE ledger"
like "$T/err" "permission denied for table ledger" "cashier: TRUNCATE ledger is denied"
is "$(q "SELECT count(*) FROM information_schema.role_table_grants
    WHERE table_name IN ('ledger', 'audit') AND privilege_type IN
    ('UPDATE', 'DELETE', 'TRUNCATE') AND grantee NOT IN (SELECT tableowner
    FROM pg_tables WHERE tablename IN ('ledger', 'audit'))")" 0 \
    "no role but the owner holds UPDATE, DELETE or TRUNCATE on ledger or audit"

# A cashier's sale, as lib/ledger.c and lib/audit.c write it.
run q "SET ROLE prepay_t_cashier" \
  "INSERT INTO serial_days(day, last) VALUES ('20231115', 1) ON CONFLICT(day)
   DO UPDATE SET last = serial_days.last + 1 RETURNING last" \
  "UPDATE accounts SET money = money + 500 WHERE id = 1" \
  "INSERT INTO ledger(id, serial, time, kind, account_id, meter_id, amount,
   method, ref, reverses, operator, remark, buy_count, balance, hash)
   VALUES (2, '20231115000002', 1700000100, 'sale', 1, nullif(1, 0), 500,
   'cash', NULL, nullif(0, 0), 'zhang', '', nullif(0, 0), 1500, 'h2')" \
  "UPDATE meters SET buy_count = max(buy_count, coalesce(meter_count, 0)) + 1
   WHERE id = 1 RETURNING buy_count" \
  "INSERT INTO commands(meter_id, action, amount, buy_count, ledger_id, state,
   operator, created, updated) VALUES (1, 'recharge', 500, 1, 2, 'pending',
   'zhang', 1700000100, 1700000100)" \
  "INSERT INTO settings(key, value) VALUES ('next_account', '2') ON CONFLICT(key)
   DO UPDATE SET value = excluded.value" \
  "INSERT INTO audit(id, time, login, tool, args, exit, summary, ledger_head, hash)
   VALUES (2, 1700000100, 'zhang', 'sale', 'A1 5', 0, '', '20231115000002:h2', 'a2')"
is "$rc" 0 "a cashier sells: serial, account, ledger, meter, command, counter, audit"
sed 's/^/# /' "$T/err"
is "$(q 'SELECT count(*) FROM ledger')|$(q 'SELECT money FROM accounts')" "2|500" \
    "...and the sale is there"
q "INSERT INTO ledger(serial, time, kind, account_id, amount, method, operator,
   balance, hash) VALUES ('20231115000003', 1700000200, 'adjust', 1, 0, 'cash',
   'x', 1500, 'h3')"
is "$(q "SELECT id FROM ledger WHERE serial = '20231115000003'")" 3 \
    "a ledger row without an id takes the next after the ids given"
run q "SET ROLE prepay_t_cashier" "UPDATE meters SET price = 1 WHERE id = 1"
like "$T/err" "permission denied for table meters" "a cashier may not change a meter's price"
run q "SET ROLE prepay_t_cashier" "INSERT INTO settings(key, value) VALUES ('price', '1')"
like "$T/err" "row-level security" "a cashier may not set the site's price"
run q "SET ROLE prepay_t_auditor" "INSERT INTO ledger(serial, time, kind, account_id,
   amount, method, operator, balance, hash) VALUES ('x', 1, 'sale', 1, 1, 'cash',
   'x', 1, 'h')"
like "$T/err" "permission denied for table ledger" "an auditor may not post to the ledger"
run q "SET ROLE prepay_t_admin" "INSERT INTO settings(key, value) VALUES ('price', '5380')" \
  "UPDATE meters SET price = 5380 WHERE id = 1"
is "$rc" 0 "the admin sets the site's price and a meter's"
run q "SET ROLE prepay_t_auditor" "SELECT count(*) FROM readings" \
  "SELECT count(*) FROM meter_wallets"
is "$rc" 0 "an auditor reads the views"

# ---- loading again is refused, and changes nothing ----

before="$(q "SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid =
    p.pronamespace WHERE n.nspname = 'public'")|$(q 'SELECT count(*) FROM ledger')"
for f in "$PGSQL"/[0-9]*.sql; do
	run psql -Xq -v ON_ERROR_STOP=1 -1 -d "$PGURI" -f "$f"
	[ "$rc" -ne 0 ] && grep -q 'prepay: the schema is at\|prepay: the schema is already' "$T/err"
	ok $? "$(basename "$f") again is refused"
done
is "$(q 'SELECT version FROM pp_schema')" "$nfiles" "...the version stays $nfiles"
is "$(q "SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid =
    p.pronamespace WHERE n.nspname = 'public'")|$(q 'SELECT count(*) FROM ledger')" \
    "$before" "...and nothing changed"

# ---- the readings view and its triggers, as SQLite's ----

# The same changes through the view in both engines, then both views.
cat >"$T/view.sql" <<'EOF'
INSERT INTO readings(meter_id, time, source, energy_wh, power_w, relay, flag, cost_e7, balance) VALUES (1, 1700000000, 'poll', 100, 5, 'closed', NULL, 0, 12);
INSERT INTO readings(meter_id, time, source, energy_wh, relay, flag, cost_e7) VALUES (1, 1700000000, 'manual', 101, 'tripped', 'jump', 7);
INSERT INTO readings(meter_id, time, source, energy_wh, flag) VALUES (1, 1700001800, 'poll', 150, 'backwards');
INSERT INTO readings(id, meter_id, time, source, energy_wh, pf_milli) VALUES (CAST(1700003600 AS BIGINT) * 1024 + 5, 1, 1700003600, 'poll', 160, 990);
UPDATE readings SET energy_wh = 151, balance = 9 WHERE time = 1700001800;
UPDATE readings SET time = 1700005400 WHERE energy_wh = 101;
DELETE FROM readings WHERE energy_wh = 160;
EOF
cat >"$T/view.q" <<'EOF'
SELECT id, meter_id, time, source, energy_wh, power_w, voltage_dv, current_ma, pf_milli, freq_chz, balance, buy_count, relay, flag, cost_e7, energy_peak_wh, energy_valley_wh, account_id FROM readings ORDER BY id;
SELECT meter_id, time, seq, status FROM reading_recent ORDER BY 1, 2, 3;
SELECT meter_id, time, seq, balance FROM reading_extras ORDER BY 1, 2, 3;
SELECT newest_reading FROM meters WHERE id = 1;
EOF
sqlite3 "$T/ref.db" .schema | sqlite3 "$T/view.db" &&
sqlite3 "$T/view.db" "INSERT INTO accounts(id, account, name, state, opened) VALUES (1, 'A1', 'one', 'open', 1700000000);
    INSERT INTO meters(id, meter, profile, billing, account_id) VALUES (1, 'M1', 'sdm120', 'account', 1);" &&
sqlite3 "$T/view.db" <"$T/view.sql" && sqlite3 "$T/view.db" <"$T/view.q" >"$T/view.lite"
ok $? "sqlite3 changes readings through its view"
psql -Xq -v ON_ERROR_STOP=1 -1 -d "$PGURI" -f "$T/view.sql" 2>"$T/err" &&
    psql -XAtq -F '|' -d "$PGURI" -f "$T/view.q" >"$T/view.pg"
ok $? "PostgreSQL changes readings through its view"
sed 's/^/# /' "$T/err"
diff "$T/view.lite" "$T/view.pg" >"$T/view.diff"
ok $? "the view's INSTEAD OF triggers leave what SQLite's leave"
sed 's/^/# /' "$T/view.diff"

# ---- months of readings ----

# Fixed times in UTC: 2011-01-15, 2011-02-10, 2011-05-20.
jan=1295049600 feb=1297296000 may=1305849600
is "$(q "SELECT string_agg(p, ' ' ORDER BY p) FROM prepay_partitions($jan, 2) p")" \
    "reading_extras_2011_01 reading_extras_2011_02 reading_rows_2011_01 reading_rows_2011_02" \
    "prepay_partitions makes a month's partitions of both tables"
is "$(q "SELECT pg_get_expr(relpartbound, oid) FROM pg_class WHERE relname = 'reading_rows_2011_02'")" \
    "FOR VALUES FROM ('1296518400') TO ('1298937600')" \
    "...from the month's first second in UTC to the next month's"
is "$(q "SELECT count(*) FROM prepay_partitions($jan, 2)")" 0 \
    "...and again makes nothing"
q "INSERT INTO reading_rows VALUES (1, $feb, 0, 1000, NULL, NULL, NULL, 0, NULL, 1)" \
  "INSERT INTO reading_rows VALUES (1, $may, 0, 2000, NULL, NULL, NULL, 0, NULL, 1)" \
  "INSERT INTO reading_extras(meter_id, time, seq, balance) VALUES (1, $feb, 0, 5)" \
  "INSERT INTO daily(meter_id, day, energy_wh, cost_e7, last_time, last_wh)
   VALUES (1, '2011-02-10', 10, 5380, $feb, 1000)"
is "$(q "SELECT tableoid::regclass FROM reading_rows WHERE time = $feb")" \
    reading_rows_2011_02 "a reading lands in its month's partition"
is "$(q "SELECT tableoid::regclass FROM reading_rows WHERE time = $may")" \
    reading_rows_default "...one of a month without a partition in the DEFAULT one"
is "$(q "SELECT string_agg(p, ' ' ORDER BY p) FROM prepay_partitions($may, 1) p")" \
    "reading_extras_2011_05 reading_rows_2011_05" "its month's partition made later"
is "$(q "SELECT tableoid::regclass FROM reading_rows WHERE time = $may")" \
    reading_rows_2011_05 "...takes it out of the DEFAULT partition"
q "ALTER TABLE reading_rows DETACH PARTITION reading_rows_2011_02" \
  "ALTER TABLE reading_extras DETACH PARTITION reading_extras_2011_02"
ok $? "February is detached from both tables"
is "$(q "SELECT count(*) FROM readings WHERE time = $feb")|$(q "SELECT count(*) FROM reading_rows_2011_02")" \
    "0|1" "...its reading is out of readings and kept in the detached table"
is "$(q "SELECT energy_wh || ' ' || last_wh FROM daily WHERE day = '2011-02-10'")" \
    "10 1000" "...and its day's roll-up stays"
is "$(q "SELECT count(*) FROM prepay_partitions($feb, 1)")" 0 \
    "a detached month is not made again"
run q "SET ROLE prepay_t_poller" "SELECT count(*) FROM prepay_partitions($may, 2)"
is "$rc|$(cat "$T/out")" "0|2" "a poller may add months"
run q "SET ROLE prepay_t_cashier" "SELECT count(*) FROM prepay_partitions($may, 3)"
like "$T/err" "permission denied for function prepay_partitions" "...a cashier may not"

done_testing
