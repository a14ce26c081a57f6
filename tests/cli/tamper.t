#!/bin/sh
# tamper.t: money rows and audit entries changed with the sqlite3 shell,
# outside the tools.  The triggers refuse plain UPDATE and DELETE; with the
# triggers dropped, `report verify` exits 1 and names what was touched.
# On PostgreSQL the same edits are made with psql as the superuser, who
# gets past the append-only triggers by disabling them.
. "$(dirname "$0")/lib.sh"
# The library's clock, fixed: the rows are all of one morning.
export PREPAY_NOW="2026-11-20 10:00:00"

python3 >"$T/site.yaml" <<'EOF'
print("site: tamper\ndefaults:\n  price: 0.5380\n  max_balance: 2000.00\n"
      "  max_sale: 5000.00\nbuildings:\n  - name: B1\n    gateways:\n"
      "      - name: gw1\n        address: tcp://127.0.0.1:1501\n"
      "        meters:")
for i in range(1, 7):
    print('          - {meter: "M%04d", unit: %d, floor: 1, room: "R%04d", '
          'profile: sdm120, billing: account}' % (i, i, i))
EOF

site-load "$T/site.yaml" >/dev/null
acct-open -a X1 -n one --balance 5 M0001 >/dev/null
acct-open -a X2 -n two --balance 0 M0002 >/dev/null
acct-open -a X3 -n three M0003 >/dev/null
sale -o csv X1 10 >/dev/null
sale -o csv X2 20 >/dev/null
sale -o csv X3 30 >/dev/null
refund -o csv X1 2 >/dev/null
sale -o csv X1 7.50 >/dev/null
sale -o csv X2 1 >/dev/null

serial_of() {	# KIND ACCOUNT [N]: the serial of the account's N-th row of that kind
	sql "SELECT l.serial FROM ledger l JOIN accounts a ON a.id = l.account_id
	    WHERE l.kind = '$1' AND a.account = '$2' ORDER BY l.id
	    LIMIT 1 OFFSET ${3:-0}"
}
S=$(serial_of sale X2)		# the row we edit: 20.00 to X2
D=$(serial_of sale X3)		# the row we delete: 30.00 to X3
LAST=$(sql "SELECT serial FROM ledger ORDER BY id DESC LIMIT 1")
is "$(sql "SELECT count(*) FROM ledger")" 9 "9 ledger rows to tamper with"
exits 0 "untouched: report verify passes" report verify -o csv

# A clean copy, restored before each tampering: a file, or on PostgreSQL
# a database of the same server (lib.sh: db_save, db_restore).
restore() {
	db_restore good
}
db_save good
# shell SQL: run SQL in the sqlite3 shell (psql), stderr to $T/err, exit
# in $rc.
shell() {
	sql "$1" >"$T/out" 2>"$T/err"
	rc=$?
}
# untrigger NAME: the SQL that gets past the append-only trigger NAME (of
# the ledger or the audit): the sqlite3 shell drops it, a superuser of
# PostgreSQL disables it.  retrigger NAME: the SQL that puts it back as
# the schema has it.
untrigger() {
	if on_pg; then
		echo "ALTER TABLE ${1%%_no_*} DISABLE TRIGGER $1;"
	else
		echo "DROP TRIGGER $1;"
	fi
}
retrigger() {
	if on_pg; then
		echo "ALTER TABLE ${1%%_no_*} ENABLE ALWAYS TRIGGER $1;"
		return
	fi
	case $1 in
	ledger_*) _msg='the ledger is append-only' ;;
	*) _msg='the audit log is append-only' ;;
	esac
	case $1 in
	*_update) _ev=UPDATE ;;
	*) _ev=DELETE ;;
	esac
	echo "CREATE TRIGGER $1 BEFORE $_ev ON ${1%%_no_*}
	    BEGIN SELECT RAISE(ABORT, '$_msg'); END;"
}
# verify_fails NAME: report verify exits 1; its output is in $T/out.
verify_fails() {
	run report verify -o csv
	is "$rc" 1 "$1: report verify exits 1"
}

# --- the triggers in place --------------------------------------------------------

restore
shell "UPDATE ledger SET amount = amount + 100 WHERE serial = '$S'"
isnt0=$([ "$rc" != 0 ] && echo refused || echo "exit 0")
is "$isnt0" refused "triggers: the shell's UPDATE of a ledger row fails"
like "$T/err" 'append-only' "triggers: ... saying the ledger is append-only"
shell "DELETE FROM ledger WHERE serial = '$S'"
isnt0=$([ "$rc" != 0 ] && echo refused || echo "exit 0")
is "$isnt0" refused "triggers: the shell's DELETE of a ledger row fails"
shell "UPDATE audit SET login = 'mallory' WHERE tool = 'sale'"
isnt0=$([ "$rc" != 0 ] && echo refused || echo "exit 0")
is "$isnt0" refused "triggers: the shell's UPDATE of an audit entry fails"
shell "DELETE FROM audit WHERE tool = 'sale'"
isnt0=$([ "$rc" != 0 ] && echo refused || echo "exit 0")
is "$isnt0" refused "triggers: the shell's DELETE of an audit entry fails"
is "$(sql "SELECT amount FROM ledger WHERE serial = '$S'")" 2000 \
    "triggers: the row is unchanged"
exits 0 "triggers: report verify still passes" report verify -o csv

# --- an edited amount --------------------------------------------------------------

restore
shell "$(untrigger ledger_no_update)
    UPDATE ledger SET amount = amount + 100 WHERE serial = '$S'"
is "$rc" 0 "edit: trigger dropped and the amount of $S raised by 1.00"
verify_fails "edit"
like "$T/out" "^ledger-chain,fail,.*$S" "edit: the ledger-chain check names serial $S"
unlike "$T/out" "^ledger-chain,fail,.*serial ($(sql "SELECT group_concat(serial, '|')
    FROM ledger WHERE serial <> '$S'"))" "edit: ... and no other row"
like "$T/out" '^append-only,fail,.*ledger_no_update' \
    "edit: the append-only check flags the dropped trigger ledger_no_update"
like "$T/out" '^balances,fail,.*X2' "edit: the balances check names account X2"

# The same edit, with the trigger put back afterwards.
restore
shell "$(untrigger ledger_no_update)
    UPDATE ledger SET amount = amount + 100 WHERE serial = '$S';
    $(retrigger ledger_no_update)"
verify_fails "edit, trigger restored"
like "$T/out" "^ledger-chain,fail,.*$S" "edit, trigger restored: ledger-chain names $S"

# An edit that keeps the money right: the operator of a row.
restore
shell "$(untrigger ledger_no_update)
    UPDATE ledger SET operator = 'mallory' WHERE serial = '$D'"
verify_fails "operator edit"
like "$T/out" "^ledger-chain,fail,.*$D" "operator edit: ledger-chain names $D"

# An amount edit with the cached balance fixed up to match.
restore
shell "$(untrigger ledger_no_update)
    UPDATE ledger SET amount = amount + 100000 WHERE serial = '$S';
    UPDATE accounts SET money = money + 100000 WHERE account = 'X2'"
verify_fails "edit with balance fixed"
like "$T/out" "^ledger-chain,fail,.*$S" "edit with balance fixed: ledger-chain names $S"

# --- a deleted row -------------------------------------------------------------------

restore
shell "$(untrigger ledger_no_delete) DELETE FROM ledger WHERE serial = '$D'"
is "$rc" 0 "delete: trigger dropped and row $D deleted"
verify_fails "delete"
like "$T/out" '^ledger-chain,fail,.*missing' "delete: the ledger-chain check reports a missing row"
like "$T/out" '^serials,fail,.*gap' "delete: the serials check reports a gap"
like "$T/out" '^append-only,fail,.*ledger_no_delete' \
    "delete: the append-only check flags the dropped trigger ledger_no_delete"
like "$T/out" '^balances,fail,.*X3' "delete: the balances check names account X3"

# The newest row deleted: no row follows it, so the serial counter tells.
restore
shell "$(untrigger ledger_no_delete) DELETE FROM ledger WHERE serial = '$LAST'"
verify_fails "delete the newest row"
like "$T/out" '^serials,fail,' "delete the newest row: the serials check fails"

# The newest row deleted, and the serial counter and the cached balance put
# back as if it had never been: the audit log still records the sale.
restore
shell "$(untrigger ledger_no_delete)
    UPDATE accounts SET money = money - (SELECT amount FROM ledger WHERE serial = '$LAST')
     WHERE id = (SELECT account_id FROM ledger WHERE serial = '$LAST');
    DELETE FROM ledger WHERE serial = '$LAST';
    UPDATE serial_days SET last = last - 1 WHERE day = substr('$LAST', 1, 8);
    $(retrigger ledger_no_delete)"
verify_fails "newest row deleted and covered up"
like "$T/out" "$LAST" "newest row deleted and covered up: verify names $LAST"

# --- an edited audit entry ----------------------------------------------------------

A=$(sql "SELECT id FROM audit WHERE tool = 'sale' ORDER BY id LIMIT 1")
restore
shell "$(untrigger audit_no_update)
    UPDATE audit SET args = '-o csv X1 99' WHERE id = $A"
is "$rc" 0 "audit edit: trigger dropped and entry $A edited"
verify_fails "audit edit"
like "$T/out" "^audit-chain,fail,.*entry $A( |\$)" "audit edit: the audit-chain check names entry $A"
like "$T/out" '^append-only,fail,.*audit_no_update' \
    "audit edit: the append-only check flags the dropped trigger audit_no_update"

restore
shell "$(untrigger audit_no_delete) DELETE FROM audit WHERE id = $A"
verify_fails "audit delete"
like "$T/out" '^audit-chain,fail,.*missing' "audit delete: the audit-chain check reports it"

# --- accounts.money changed directly ---------------------------------------------

restore
shell "UPDATE accounts SET money = money + 50000 WHERE account = 'X3'"
is "$rc" 0 "balance edit: accounts.money of X3 raised (no trigger there)"
verify_fails "balance edit"
like "$T/out" '^balances,fail,.*account X3' "balance edit: the balances check names account X3"
unlike "$T/out" '^balances,fail,.*account X[12]' "balance edit: ... and no other account"
exits 0 "balance edit: report balances still runs" report balances -o csv

# --- a forged row ---------------------------------------------------------------------

# Next in the day's sequence, a copy of the newest row's hash, and the serial
# counter and the balance fixed up so that only the chain can tell.
F=$(sql "SELECT substr(serial, 1, 8) || printf('%06d', CAST(substr(serial, 9) AS INTEGER) + 1)
    FROM ledger ORDER BY id DESC LIMIT 1")
restore
shell "INSERT INTO ledger(serial, time, kind, account_id, meter_id, amount, method,
     operator, remark, balance, hash)
    SELECT '$F', l.time + 1, 'sale', a.id, l.meter_id, 88800, 'cash', l.operator, '',
     a.money + 88800, l.hash
    FROM ledger l, accounts a WHERE l.serial = '$LAST' AND a.account = 'X3';
    UPDATE accounts SET money = money + 88800 WHERE account = 'X3';
    UPDATE serial_days SET last = last + 1 WHERE day = substr('$F', 1, 8);"
is "$rc" 0 "forged row: $F inserted with the shell (no trigger stops INSERT)"
verify_fails "forged row"
like "$T/out" "^ledger-chain,fail,.*$F" "forged row: the ledger-chain check names $F"

# A forged row that skips the serial counter: the serials check tells too.
restore
shell "INSERT INTO ledger(serial, time, kind, account_id, meter_id, amount, method,
     operator, remark, balance, hash)
    SELECT '$F', l.time + 1, 'sale', l.account_id, l.meter_id, 100, 'cash', l.operator,
     '', l.balance + 100, l.hash FROM ledger l WHERE l.serial = '$LAST'"
verify_fails "forged row, counter untouched"
like "$T/out" "^ledger-chain,fail,.*$F" "forged row, counter untouched: ledger-chain names $F"
like "$T/out" '^serials,fail,' "forged row, counter untouched: the serials check fails"


# --- what a login with write access did around the tools (issue 9, point 3) ----

# Charged energy: two readings imported by hand on X4's meter, an hour
# apart, at noon of the next day, after the rows above; the clock stays on
# that day for the rest, so that no serial goes back.
restore
export PREPAY_NOW="2026-11-21 12:00:00"
acct-open -a X4 -n four --balance 50 M0004 >/dev/null
printf 'meter,time,energy_kwh\nM0004,2026-11-21 12:01:00,100\nM0004,2026-11-21 13:01:00,110.5\n' >hand.csv
PREPAY_NOW="2026-11-21 14:00:00" meter-read --import hand.csv >/dev/null ||
    echo "# meter-read --import failed"
is "$(sql "SELECT sum(cost_e7) FROM readings")" 56490000 "10.5 kWh charged at 0.5380: 5.649 yuan"
export PREPAY_NOW="2026-11-21 15:00:00"
exits 0 "charged: report verify passes" report verify -o csv
db_save good

restore
shell "UPDATE readings SET cost_e7 = 0; UPDATE daily SET cost_e7 = 0;
    UPDATE daily_parts SET cost_e7 = 0; UPDATE accounts SET used_e7 = 0"
verify_fails "every charge zeroed, consistently"
like "$T/out" '^charges,fail,"?meter M0004 on .*10500 Wh at 5380 cost 0' \
    "zeroed charges: the charges check names the meter, its energy and price"
restore
shell "UPDATE readings SET cost_e7 = 0; UPDATE daily SET cost_e7 = 0;
    UPDATE daily_parts SET cost_e7 = 0, price = 0; UPDATE accounts SET used_e7 = 0"
verify_fails "charges and prices zeroed"
like "$T/out" '^charges,fail,.*a price no tariff of the site asks' \
    "zeroed prices: a price the site does not ask"
restore
shell "UPDATE readings SET cost_e7 = 0; UPDATE daily SET cost_e7 = 0, energy_wh = 0;
    DELETE FROM daily_parts; UPDATE accounts SET used_e7 = 0"
verify_fails "the energy itself taken out of the roll-up"
like "$T/out" '^charges,fail,"?meter M0004: its counter went up 10500 Wh, the daily roll-up holds 0 Wh' \
    "the counters tell"

restore
shell "UPDATE operators SET role = 'admin' WHERE login = '$(id -un)';
    INSERT INTO operators(login, role, source, created) VALUES ('mallory', 'admin', 'site', 0)"
verify_fails "a login made admin with the shell"
like "$T/out" '^site,fail,.*changed outside the tools' "the site check tells"
restore
shell "UPDATE tariff_versions SET price = 1; UPDATE settings SET value = '1' WHERE key = 'price'"
verify_fails "the default price changed with the shell"
like "$T/out" '^site,fail,' "the site check tells"

# (On PostgreSQL a trigger is named with its table, "ledger_no_update on
# ledger".  There the no-op keeps the schema's function, made never to fire
# by its WHEN, and is enabled as the schema's is; the trigger added runs a
# function of the schema's, so that only the trigger tells.)
restore
if on_pg; then
	shell "CREATE OR REPLACE TRIGGER ledger_no_update BEFORE UPDATE ON ledger
	    FOR EACH ROW WHEN (false)
	    EXECUTE FUNCTION pp__refuse('the ledger is append-only');
	    ALTER TABLE ledger ENABLE ALWAYS TRIGGER ledger_no_update;"
else
	shell "$(untrigger ledger_no_update) CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger BEGIN SELECT 1; END;"
fi
verify_fails "a protective trigger replaced by a no-op of the same name"
like "$T/out" '^append-only,fail,"?trigger ledger_no_update( on ledger)? differs from the schema' \
    "the append-only check names it"
restore
if on_pg; then
	shell "CREATE TRIGGER ledger_zero AFTER INSERT ON ledger
	    FOR EACH ROW EXECUTE FUNCTION pp__identity_follow();"
else
	shell "CREATE TRIGGER ledger_zero AFTER INSERT ON ledger BEGIN SELECT 1; END;"
fi
verify_fails "a trigger added"
like "$T/out" '^append-only,fail,"?trigger ledger_zero( on ledger)? is not the schema' "named"

# The last audit entry deleted: the ledger's end is no longer seen.
restore
sale -o csv X1 1 >/dev/null
shell "$(untrigger audit_no_delete) DELETE FROM audit WHERE id = (SELECT max(id) FROM audit);
    $(retrigger audit_no_delete)"
verify_fails "the last audit entry deleted"
like "$T/out" '^ledger-end,fail,"?1 ledger rows up to serial' "ledger-end: a row no entry saw"

# Against an anchor: both chains' tails cut, caches fixed up.
restore
report verify -o csv >"$T/anchor.csv"
is "$(grep -c '^\(ledger\|audit\)-head,ok,[0-9]*:[0-9a-f]\{64\}$' "$T/anchor.csv")" 2 \
    "verify prints both chains' heads"
sale -o csv X2 3 >/dev/null
exits 0 "a sale later: verify --anchor passes" report verify -o csv --anchor "$T/anchor.csv"
like "$T/out" '^anchor,ok,' "the anchor check passes"
shell "$(untrigger ledger_no_delete) $(untrigger audit_no_delete)
    DELETE FROM ledger WHERE id >= (SELECT max(id) - 1 FROM ledger);
    DELETE FROM audit WHERE id >= (SELECT max(id) - 1 FROM audit);"
run report verify -o csv --anchor "$T/anchor.csv"
is "$rc" 1 "both tails cut: verify --anchor exits 1"
like "$T/out" '^anchor,fail,"?ledger row [0-9]+ of the anchor is gone' "the anchor names the ledger row"
like "$T/out" '^anchor,fail,"?audit entry [0-9]+ of the anchor is gone' "and the audit entry"
exits 66 "a missing anchor file" report verify --anchor "$T/none.csv"
printf 'nothing\n' >"$T/bad-anchor"
exits 65 "an anchor without heads" report verify --anchor "$T/bad-anchor"
is "$(wc -c <"$T/out" | tr -d ' ')" 0 "a bad anchor prints no rows: it is read first"
restore
db_drop
site-load "$T/site.yaml" >/dev/null
report verify -o tsv >"$T/empty-anchor.tsv"
is "$(grep -c '^ledger-head	ok	0:$' "$T/empty-anchor.tsv")" 1 "an empty ledger's head is 0:"
exits 0 "an empty ledger's anchor is taken" report verify -o csv --anchor "$T/empty-anchor.tsv"

# And the clean copy still verifies: nothing above leaked into it.
restore
exits 0 "restored: report verify passes" report verify -o csv

done_testing
