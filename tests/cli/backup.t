#!/bin/sh
# backup.t: db-backup takes an online backup while another writer holds
# the database, keeps --keep DAYS of them, and db-backup --restore puts a
# backup back: refused unless the login is an admin and the backup passes
# its integrity and chain checks; the restored database passes report
# verify, has the sales before the backup and not the one after, and its
# audit log records the restore.
if [ -n "${PREPAY_TEST_PG:-}" ]; then
	# Before lib.sh, which would start a cluster for nothing.
	echo "1..0 # SKIP db-backup copies a SQLite file and refuses a PostgreSQL URI (tests/pg/engine.t checks the refusal; a server's backup is pg_dump's)"
	exit 0
fi
. "$(dirname "$0")/lib.sh"

export PREPAY_NOW="2026-03-10 12:00:00"
load_site
acct-open -n 张三 0101070723 >/dev/null && acct-open -n 李四 010107072A \
    >/dev/null || echo "Bail out! acct-open"
mkdir bk

sale -o csv 100001 30 >before.csv || echo "Bail out! sale"
before=$(row before.csv 1 serial)

# --- a backup while another writer holds the write lock -----------------------
# db-backup prints the backup's path once it is made, then waits for the
# lock only to write its audit entry: the holder lets go once it is read.
hold_db
mkfifo made
PREPAY_NOW="2026-03-10 12:05:00" db-backup bk >made 2>"$T/err" &
job=$!
read -r path <made
release
wait "$job"
is "$?" 0 "a backup while another writer holds the database (exit 0)"
is "$path" "bk/prepay-20260310-120500.db" \
    "it is made, and its path, named by its time, printed"
backup=bk/prepay-20260310-120500.db
is "$(sqlite3 "$backup" 'PRAGMA integrity_check')" ok "the backup is intact"
is "$(sqlite3 "$backup" "SELECT count(*) FROM ledger WHERE serial = '$before'")" 1 \
    "and holds the sale made before it"
is "$(cat "$T/err")" "" "and says nothing on stderr: its audit entry waited"
PREPAY_NOW="2026-03-10 12:05:00" exits 65 \
    "a second backup in the same second is refused" db-backup bk

# --- a sale after the backup, then the restore --------------------------------
export PREPAY_NOW="2026-03-10 12:10:00"
sale -o csv 100002 20 >after.csv || echo "Bail out! sale"
after=$(row after.csv 1 serial)
is "$(sql "SELECT count(*) FROM ledger WHERE serial = '$after'")" 1 \
    "the sale after the backup is in the live database"

# Refused: not an admin (a copy where the login is a cashier).
cp "$PREPAY_DB" cashier.db
sqlite3 cashier.db "UPDATE operators SET role = 'cashier'"
exits 77 "a cashier may not restore" db-backup -d cashier.db --restore "$backup"
like "$T/err" "db-backup: login .* is a cashier; this needs the admin role" \
    "and is told which role it needs"

# Refused: a file that is no database, and a backup whose ledger was edited.
echo "not a database" >junk.db
exits 65 "a file that is no database is refused" db-backup --restore junk.db
like "$T/err" "^db-backup: junk.db: not a prepay database" "and says so"
cp "$backup" edited.db
sqlite3 edited.db "DROP TRIGGER ledger_no_update;
    UPDATE ledger SET amount = amount + 100 WHERE serial = '$before'"
exits 65 "a backup that fails report verify is refused" \
    db-backup --restore edited.db
like "$T/err" "^db-backup: edited.db: refused, as report verify fails on it" \
    "and says why"
exits 66 "a backup that is not there" db-backup --restore nothere.db
like "$T/err" "^db-backup: nothere.db: No such file or directory$" "says so"
is "$(sql "SELECT count(*) FROM ledger WHERE serial = '$after'")" 1 \
    "a refused restore changes nothing"

# The documented restore (db-backup(1), EXAMPLES).
exits 0 "db-backup --restore" db-backup --restore "$backup"
is "$(cat "$T/out")" "restored from $backup" "it says what it restored"
exits 0 "the restored database passes report verify" report verify -o csv
is "$(sql "SELECT count(*) FROM ledger WHERE serial = '$before'")" 1 \
    "the sale before the backup is there"
is "$(sql "SELECT count(*) FROM ledger WHERE serial = '$after'")" 0 \
    "the sale after the backup is gone"
is "$(bal 100001 100002)" "30.00|0.00" "the balances are the backup's"
report audit -o csv >audit.csv
is "$(row audit.csv -1 tool args)" "db-backup|--restore $backup" \
    "the restore is the audit log's last entry"
sale -o csv 100002 20 >again.csv
is "$?" 0 "the restored database takes a new sale"
exits 0 "and still passes report verify" report verify -o csv

# --- the database lost with its disk --------------------------------------------
# No operator to ask: the backup's own admin restores it in its place,
# once it passes the checks; a refused one leaves no database behind.
exits 65 "the database lost: an edited backup is refused" \
    db-backup -d lost.db --restore edited.db
is "$(ls lost.db* 2>/dev/null)" "" "and no database is left behind"
exits 0 "the database lost: its admin restores the backup in its place" \
    db-backup -d lost.db --restore "$backup"
is "$(cat "$T/out")" "restored from $backup" "it says what it restored"
exits 0 "the restored database passes report verify" \
    report -d lost.db verify -o csv
is "$(sqlite3 lost.db "SELECT count(*) FROM ledger WHERE serial = '$before'")" 1 \
    "the sale before the backup is there"
report -d lost.db audit -o csv >audit.csv
is "$(row audit.csv -1 tool args)" "db-backup|-d lost.db --restore $backup" \
    "the restore is its audit log's last entry"
is "$(stat -c %a lost.db)" 660 "the database has the tools' mode"

# --- --keep DAYS -------------------------------------------------------------
rm -f bk/*
for day in 2026-02-20 2026-03-01 2026-03-03 2026-03-04 2026-03-09; do
	PREPAY_NOW="$day 02:30:00" db-backup --keep 0 bk >/dev/null ||
	    echo "# db-backup at $day failed"
done
touch bk/notes.txt bk/prepay-latest.db
PREPAY_NOW="2026-03-10 02:30:00" exits 0 "a backup keeping 7 days" \
    db-backup --keep 7 bk
is "$(cd bk && ls | tr '\n' ' ')" "notes.txt prepay-20260303-023000.db prepay-20260304-023000.db prepay-20260309-023000.db prepay-20260310-023000.db prepay-latest.db " \
    "the backups from before 3 March are removed, other files are not"
report audit -o csv >audit.csv
like audit.csv "backup bk/prepay-20260310-023000.db, [0-9]+ bytes; 2 older removed" \
    "the audit entry says what was kept and removed"

# --- bad input ----------------------------------------------------------------
exits 64 "no directory" db-backup
exits 64 "two directories" db-backup bk bk
exits 64 "--restore with a directory" db-backup --restore "$backup" bk
exits 64 "--restore with --keep" db-backup --keep 3 --restore "$backup"
exits 64 "--keep negative" db-backup --keep -1 bk
exits 64 "--keep not a number" db-backup --keep x bk
exits 64 "an empty directory name" db-backup ""
like "$T/err" "^db-backup: the backup directory is empty: name one$" "says so"
exits 66 "a directory that is not there" db-backup nothere
like "$T/err" "^db-backup: nothere: No such file or directory" "says so"
is "$(ls | grep -c '\.restore')" 0 "no temporary file is left behind"

done_testing
