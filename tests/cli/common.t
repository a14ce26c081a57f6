#!/bin/sh
# What every tool shares: -h, -V, bad options, the database, the lock,
# output formats and the audit log.
. "$(dirname "$0")/lib.sh"

login=$(id -un)
# On PostgreSQL (PREPAY_TEST_PG) the sections about the database's file
# run on files, and those after them on the cluster's database.
pg_db=
on_pg && pg_db=$PREPAY_DB
version=$(sed -n 's/^#define PP_VERSION "\(.*\)"$/\1/p' "$top/lib/prepay.h")
tools="site-load acct-open acct-close sale refund reverse report"

# --- -h, -V, bad options ------------------------------------------------

for tool in $tools; do
	exits 0 "$tool -h" "$tool" -h
	is "$(head -n 1 "$T/out" | cut -d' ' -f1-2)" "usage: $tool" "$tool -h: the usage starts with 'usage: $tool'"
	exits 64 "$tool with a bad option" "$tool" --no-such-option
	like "$T/err" "^$tool: .*no-such-option" "$tool: the message names the bad option"
	exits 64 "$tool with a bad short option" "$tool" -Z
	exits 0 "$tool -V" "$tool" -V
	is "$(cat "$T/out")" "$tool $version" "$tool -V prints '$tool $version'"
done
[ -n "$version" ]
ok $? "the version was found in lib/prepay.h"
for tool in acct-open acct-close sale refund reverse report; do
	exits 64 "$tool -o pdf" "$tool" -o pdf x
done
exits 64 "sale -o xlsx: only report writes xlsx" sale -o xlsx 100001 1

# --- a missing database -------------------------------------------------

export PREPAY_DB="$T/none.db"
printf 'meter,gateway,unit,profile\nM1,gw1,9,sdm120\n' >m.csv
exits 66 "acct-open: a missing database" acct-open -n 张三 0101070723
exits 66 "acct-close: a missing database" acct-close 100001
exits 66 "sale: a missing database" sale 100001 1
exits 66 "refund: a missing database" refund 100001 1
exits 66 "reverse: a missing database" reverse 20260101000001
exits 66 "report: a missing database" report balances
exits 66 "site-load --meters: a missing database" site-load --meters m.csv
[ ! -e "$T/none.db" ]
ok $? "none of them created the database"
exits 66 "sale -d with a missing database" sale -d "$T/none2.db" 100001 1
[ ! -e "$T/none2.db" ]
ok $? "sale -d did not create it"
exits 0 "site-load creates the database" site-load "$FIXTURES/site.yaml"
[ -s "$T/none.db" ]
ok $? "the database file exists"

# --- PREPAY_DB, -d and ./prepay.db --------------------------------------

export PREPAY_DB="$T/a.db"
exits 0 "site-load into \$PREPAY_DB" site-load "$FIXTURES/site.yaml"
exits 0 "site-load -d b.db" site-load -d "$T/b.db" "$FIXTURES/site.yaml"
exits 0 "acct-open -d b.db wins over \$PREPAY_DB" acct-open -d "$T/b.db" -o csv -n 乙 0101070723
exits 0 "acct-open with \$PREPAY_DB" acct-open -o csv -n 甲 0101070723
report -d "$T/b.db" accounts -o csv >b.csv
report accounts -o csv >a.csv
is "$(row b.csv 1 name)|$(nrows b.csv)" "乙|1" "b.db has the account opened with -d"
is "$(row a.csv 1 name)|$(nrows a.csv)" "甲|1" "a.db has the account opened with \$PREPAY_DB"
mkdir here
exits 0 "without -d or \$PREPAY_DB: ./prepay.db" \
    sh -c 'cd here && env -u PREPAY_DB site-load "$FIXTURES/site.yaml"'
[ -s here/prepay.db ]
ok $? "./prepay.db was created in the working directory"
exits 0 "an empty \$PREPAY_DB also means ./prepay.db" \
    sh -c 'cd here && PREPAY_DB= acct-open -o csv -n 丙 0101070723'
is "$(report -d here/prepay.db accounts -o csv | sed -n 2p | cut -d, -f2)" 丙 "the account is in ./prepay.db"

# --- a PostgreSQL URI that reaches no server ---------------------------
# (tests/pg/ runs the tools on a server: make check-pg.)  libpq's own
# failure, in one line, naming the URI without its password.
exits 66 "report: a URI whose socket is not there" \
    report -d "postgresql:///prepay?host=$T/nosocket" operators
is "$(wc -l <"$T/err")" 1 "... one line"
like "$T/err" "^report: postgresql:///prepay\?host=$T/nosocket: .*No such file" \
    "... naming the URI and why"
exits 66 "sale: a URI with a password" sale -d \
    "postgres://cashier:s3cret@localhost:1/prepay?connect_timeout=2" 100001 1
like "$T/err" "^sale: postgres://cashier:\*\*\*@localhost:1/prepay" \
    "... named without its password"
grep -q s3cret "$T/err"
ok $((! $?)) "... which is nowhere in the message"

# --- on the test's engine ----------------------------------------------
# From here on, the cluster's database, as a.db is: the site and 甲's
# account 100001.
if [ -n "$pg_db" ]; then
	export PREPAY_DB="$pg_db"
	{ site-load "$FIXTURES/site.yaml" && acct-open -o csv -n 甲 0101070723; } \
	    >/dev/null || echo "Bail out! the site on PostgreSQL"
fi

# --- output formats -----------------------------------------------------

exits 0 "sale to a file defaults to CSV" sale 100001 1
is "$(head -n 1 "$T/out")" "serial,time,kind,account,name,meter,room,amount,method,balance,buy_count,ref,reverses,operator,remark" \
    "CSV when stdout is not a terminal"
exits 0 "sale -o tsv" sale -o tsv 100001 1
is "$(head -n 1 "$T/out" | cut -f1,10)" "$(printf 'serial\tbalance')" "TSV: serial and balance are fields 1 and 10"
is "$(sed -n 2p "$T/out" | cut -f10)" 2.00 "TSV: the balance"
exits 0 "sale -o table" sale -o table 100001 1
like "$T/out" '^serial +time +kind +account' "table: the header"
like "$T/out" '^-+  -+' "table: the rule"
like "$T/out" ' 3\.00' "table: the balance"
exits 0 "acct-open --bom" acct-open --bom -o csv -n 丁 010107072A
is "$(head -c 3 "$T/out" | od -An -tx1 | tr -d ' ')" efbbbf "acct-open --bom starts with EF BB BF"
exits 0 "sale --bom" sale --bom -o csv 100002 1
is "$(head -c 3 "$T/out" | od -An -tx1 | tr -d ' ')" efbbbf "sale --bom starts with EF BB BF"

# --- a lock held by another writer --------------------------------------

report txns -o csv >before.csv
hold_db
PREPAY_BUSY_TIMEOUT=1
export PREPAY_BUSY_TIMEOUT
exits 75 "sale while another writer holds the lock" sale -o csv 100001 5
unset PREPAY_BUSY_TIMEOUT
like "$T/err" '^sale: .*lock' "the message says locked"
is "$(wc -c <"$T/out" | tr -d ' ')" 0 "no row printed"
release
report txns -o csv >after.csv
cmp -s before.csv after.csv
ok $? "nothing was written"
exits 0 "the same sale once the lock is gone" sale -o csv 100001 5
is "$(row "$T/out" 1 balance)" 8.00 "the balance is 8.00"
last=$(row before.csv -1 serial)
is "$(row "$T/out" 1 serial)" "$(printf '%s%06d' "$(echo "$last" | cut -c1-8)" $(( $(echo "$last" | cut -c9-14 | sed 's/^0*//') + 1 )))" \
    "its serial follows the last one: no gap"

# --- the audit log ------------------------------------------------------

report audit -o csv >a0.csv
n0=$(nrows a0.csv)
sale -o csv 100001 2 >/dev/null
refund -o csv 100001 1 >/dev/null
report txns -o csv >tx.csv
reverse -o csv "$(row tx.csv -1 serial)" >/dev/null
acct-open -o csv -n 戊 0101070722 >/dev/null 2>&1
acct-close -o csv 100002 >/dev/null
sale -o csv 100002 1 >/dev/null 2>&1
site-load "$FIXTURES/site.yaml" >/dev/null
report balances -o csv >/dev/null
report verify -o csv >/dev/null
report audit -o csv >a1.csv
is "$(nrows a1.csv)" $((n0 + 7)) "seven writing runs, seven audit entries; report adds none"
$PY -c 'import csv,sys
rows = list(csv.DictReader(open("a1.csv", encoding="utf-8")))[int(sys.argv[1]):]
for r in rows:
    print("%s|%s|%s|%s" % (r["operator"], r["tool"], r["args"], r["exit"]))' "$n0" >entries.txt
serial=$(row tx.csv -1 serial)
cat >want.txt <<EOF
$login|sale|-o csv 100001 2|0
$login|refund|-o csv 100001 1|0
$login|reverse|-o csv $serial|0
$login|acct-open|-o csv -n 戊 0101070722|0
$login|acct-close|-o csv 100002|0
$login|sale|-o csv 100002 1|1
$login|site-load|$FIXTURES/site.yaml|0
EOF
is "$(cat entries.txt)" "$(cat want.txt)" "each entry has the login, the tool, its arguments and its exit code"
like a1.csv "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2},$login,sale,-o csv 100001 2,0,.*$(row tx.csv -2 serial)" \
    "the sale's entry has the time and a summary with its serial"

exits 0 "report verify at the end" report verify -o csv
is "$($PY -c 'import csv,sys
r=list(csv.DictReader(open(sys.argv[1])))
print(len(r) > 0 and all(x["result"] == "ok" for x in r))' "$T/out")" True \
    "report verify: every check is ok"

done_testing
