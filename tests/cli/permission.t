#!/bin/sh
# permission.t: roles come from the real uid's login and the site file, never
# from the environment.  Needs root (to create logins and switch to them);
# prints skips otherwise.
. "$(dirname "$0")/lib.sh"

PLAN=41

if [ "$(id -u)" != 0 ]; then
	while [ "$tap_n" -lt "$PLAN" ]; do
		tap_n=$((tap_n + 1))
		echo "ok $tap_n # skip not root"
	done
	done_testing
	exit
fi

CASHIER=pp_cashier_t
SUPER=pp_super_t
NOBODY=pp_nobody_t
POLLER=pp_poller_t
for login in "$CASHIER" "$SUPER" "$NOBODY" "$POLLER"; do
	id -u "$login" >/dev/null 2>&1 || useradd -M -N -r "$login" ||
	    echo "# could not create login $login"
done

# site OPERATORS...: a site file listing the given {login: L, role: R} lines.
site() {
	{
		printf 'site: permission\ndefaults:\n  price: 0.5380\n'
		printf '  max_balance: 2000.00\n  max_sale: 5000.00\noperators:\n'
		for op in "$@"; do printf '  - %s\n' "$op"; done
		printf 'buildings:\n  - name: B1\n    gateways:\n'
		printf '      - name: gw1\n        address: tcp://127.0.0.1:1501\n'
		printf '        meters:\n'
		# M0001 can be tripped: a poller's arrears trips go to it.
		for i in 1 2 3 4; do
			printf '          - {meter: "M%04d", unit: %d, floor: 1, room: "R%04d", profile: %s, billing: account}\n' \
			    "$i" "$i" "$i" "$([ $i = 1 ] && echo dds238-2 || echo sdm120)"
		done
	}
}
site "{login: $CASHIER, role: cashier}" "{login: $SUPER, role: supervisor}" \
    "{login: $POLLER, role: poller}" >"$T/site.yaml"
site "{login: $SUPER, role: supervisor}" >"$T/site2.yaml"

open_up() {	# everyone may write the database (the test is about roles)
	chmod 777 "$T"
	chmod 666 "$PREPAY_DB" "$PREPAY_DB-wal" "$PREPAY_DB-shm" 2>/dev/null
}

# 1-4: root creates the database, so root is its admin.
exits 0 "root loads the site and becomes admin" site-load "$T/site.yaml"
is "$(sql "SELECT role FROM operators WHERE login = 'root'")" admin "root is admin"
exits 0 "root opens an account" acct-open -o csv -a P1 -n one --balance 10 M0001
# On PostgreSQL the server lets each login in, in the group role of the
# role the site file gives it; the login the site does not name, as an
# auditor (a role the server knows, as one the site file dropped keeps
# until the server's admin drops it too): the tools' roles decide then.
login_role "$CASHIER" cashier
login_role "$SUPER" supervisor
login_role "$POLLER" poller
login_role "$NOBODY" auditor
open_up
exits 0 "a first open by root" report verify -o csv
open_up

# 5-10: the cashier.
as_exits 0 "cashier: sale" "$CASHIER" sale -o csv P1 5
SALE=$(awk -F, 'NR == 2 { print $1 }' "$T/out")
as_exits 0 "cashier: report" "$CASHIER" report balances -o csv
as_exits 77 "cashier: reverse" "$CASHIER" reverse -o csv "$SALE"
like "$T/err" "$CASHIER" "cashier: the refusal names the login"
as_exits 77 "cashier: site-load" "$CASHIER" site-load "$T/site.yaml"
as_exits 77 "cashier: USER=root LOGNAME=root reverse" "$CASHIER" USER=root \
    LOGNAME=root reverse -o csv "$SALE"

# 11-13: the sale is the cashier's, in the ledger and in the audit log.
run report txns -o csv --kind sale
is "$(awk -F, -v s="$SALE" '$1 == s' "$T/out" | wc -l | tr -d ' ')" 1 \
    "report txns lists the cashier's sale"
is "$(csv_field "$T/out" 1 operator)" "$CASHIER" "report txns: operator = $CASHIER"
run report audit -o csv --login "$CASHIER"
like "$T/out" ",sale,.*$SALE" "report audit: the sale's entry is under $CASHIER"

# 14-16: the supervisor.
as_exits 0 "supervisor: reverse" "$SUPER" reverse -o csv "$SALE"
is "$(sql "SELECT operator FROM ledger WHERE kind = 'reverse'")" "$SUPER" \
    "the reversal's operator is $SUPER"
as_exits 77 "supervisor: site-load" "$SUPER" site-load "$T/site.yaml"

# 17-24: a login that is not an operator, with and without a forged environment.
rows=$(sql "SELECT count(*) FROM ledger")
as_exits 77 "nobody: sale" "$NOBODY" sale -o csv P1 1
like "$T/err" "$NOBODY" "nobody: the refusal names the login"
as_exits 77 "nobody: report" "$NOBODY" report balances -o csv
as_exits 77 "nobody: USER=root LOGNAME=root SUDO_USER=root HOME=/root sale" \
    "$NOBODY" USER=root LOGNAME=root SUDO_USER=root HOME=/root sale -o csv P1 1
as_exits 77 "nobody: USER=root LOGNAME=root report" "$NOBODY" USER=root \
    LOGNAME=root report balances -o csv
as_exits 77 "nobody: USER=$CASHIER LOGNAME=$CASHIER sale" "$NOBODY" \
    USER=$CASHIER LOGNAME=$CASHIER sale -o csv P1 1
as_exits 77 "nobody: USER=root LOGNAME=root site-load" "$NOBODY" USER=root \
    LOGNAME=root site-load "$T/site.yaml"
is "$(sql "SELECT count(*) FROM ledger")" "$rows" "the refused runs wrote no money"

# 25-33: the poller trips for arrears only, and only where the database
# agrees (issue 9, point 7): P1 holds money, M0002 is on no account.
printf 'alarm,meter\narrears,M0001\n' >"$T/forged.csv"
as_exits 1 "poller: a forged arrears row for P1" "$POLLER" meter-ctl trip -o csv - <"$T/forged.csv"
like "$T/out" '^M0001,trip,refused,not an arrears trip: account P1 holds' \
    "poller: refused, naming the balance"
printf 'alarm,meter\narrears,M0002\n' >"$T/forged2.csv"
as_exits 1 "poller: an arrears row for a meter on no account" "$POLLER" meter-ctl trip -o csv - <"$T/forged2.csv"
as_exits 77 "poller: a trip not for arrears" "$POLLER" meter-ctl trip -o csv M0001
as_exits 77 "poller: close" "$POLLER" meter-ctl close -o csv M0001
as_exits 1 "poller: an arrears trip forced through keep-power" "$POLLER" meter-ctl trip --force -o csv - <"$T/forged.csv"
is "$(sql "SELECT count(*) FROM commands WHERE action IN ('trip', 'unkeep')")" 0 \
    "nothing was queued for any of them"
exits 0 "root: a refund leaves P1 at 0.00" refund -o csv P1 "$(bal P1)"
as_exits 75 "poller: now P1 is in arrears: the trip is queued (no gateway answers)" \
    "$POLLER" meter-ctl trip -o csv - <"$T/forged.csv"
open_up

# 34-41: a login removed from the site file loses its role on the next load.
exits 0 "root loads the site without $CASHIER" site-load "$T/site2.yaml"
open_up
is "$(sql "SELECT count(*) FROM operators WHERE login = '$CASHIER'")" 0 \
    "$CASHIER is no longer an operator"
as_exits 77 "removed cashier: sale" "$CASHIER" sale -o csv P1 1
as_exits 77 "removed cashier: report" "$CASHIER" report balances -o csv
as_exits 0 "supervisor still: sale" "$SUPER" sale -o csv P1 1
is "$(sql "SELECT role FROM operators WHERE login = 'root'")" admin \
    "root, the creator, is still admin"
exits 0 "root still loads the site" site-load "$T/site2.yaml"
exits 0 "report verify passes" report verify -o csv

[ "$tap_n" = "$PLAN" ] || echo "# PLAN is $PLAN but $tap_n tests ran"
done_testing
