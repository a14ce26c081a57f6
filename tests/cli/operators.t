#!/bin/sh
# operators.t: operators' display names from the site file, loaded
# idempotently, listed by report operators and printed on receipts instead
# of the login, which the ledger and the audit keep.  The cashier's own
# sale needs root (to make the login and switch to it); it is skipped
# otherwise.
. "$(dirname "$0")/lib.sh"

export PREPAY_NOW=1773115200
me=$(id -un)
CASHIER=pp_zhang_t

# site OPERATOR...: a site file with those operators' lines.
site() {
	{
		printf 'site: 示例校区\ndefaults: {price: 0.5380, max_balance: 2000.00}\n'
		printf 'operators:\n'
		for op in "$@"; do printf '  - %s\n' "$op"; done
		printf 'buildings:\n  - name: B1\n    gateways:\n'
		printf '      - name: g1\n        address: tcp://127.0.0.1:1\n'
		printf '        meters:\n'
		printf '          - {meter: "M1", unit: 1, floor: 1, room: "101", profile: dds238-2}\n'
	}
}
site "{login: $me, role: admin, name: 王主任}" \
    "{login: $CASHIER, role: cashier, name: 张敏}" \
    "{login: li, role: supervisor, name: \"Li Qiang\"}" \
    "{login: prepay, role: poller}" >site.yaml

exits 0 "site-load with the operators' names" site-load site.yaml
exits 0 "report operators" report operators -o csv
is "$(head -n 1 "$T/out")" "login,name,role,source" "the columns of report operators"
is "$(grep -v "^$me," "$T/out" | tr '\n' ';')" \
    "login,name,role,source;li,Li Qiang,supervisor,site;$CASHIER,张敏,cashier,site;prepay,,poller,site;" \
    "every login with its name, role and source, sorted by login"
is "$(grep "^$me," "$T/out")" "$me,王主任,admin,creator" \
    "the creator is named too, and stays admin"
exits 0 "the same file again" site-load site.yaml
like "$T/out" "4 operators; 0 changes$" "loading it again changes nothing"

# A name changed, and one taken out: each is one change.
site "{login: $me, role: admin, name: 王主任}" \
    "{login: $CASHIER, role: cashier, name: 张敏}" \
    "{login: li, role: supervisor, name: 李强}" \
    "{login: prepay, role: poller}" >renamed.yaml
exits 0 "a name changed" site-load renamed.yaml
like "$T/out" "4 operators; 1 changes$" "a renamed operator is one change"
site "{login: $me, role: admin}" \
    "{login: $CASHIER, role: cashier, name: 张敏}" \
    "{login: li, role: supervisor, name: 李强}" \
    "{login: prepay, role: poller}" >unnamed.yaml
exits 0 "a name taken out" site-load unnamed.yaml
like "$T/out" "4 operators; 1 changes$" "an operator left without a name is one change"
is "$(report operators -o csv | grep "^$me," )" "$me,,admin,creator" "the creator's name is gone, its role stays"
site-load renamed.yaml >/dev/null
site "{login: $CASHIER, role: cashier, name: 张敏}" \
    "{login: li, role: supervisor, name: 李强}" \
    "{login: prepay, role: poller}" >nocreator.yaml
exits 0 "the creator left out of the file" site-load nocreator.yaml
like "$T/out" "3 operators; 1 changes$" "... is one change"
is "$(report operators -o csv | grep "^$me," )" "$me,,admin,creator" \
    "the creator left out stays admin, without its name"
site-load unnamed.yaml >/dev/null

# Bad names: the whole file is refused (exit 78), nothing written.
long=$(printf '张%.0s' $(seq 33))
site "{login: $me, role: admin}" "{login: $CASHIER, role: cashier, name: $long}" >long.yaml
exits 78 "a name of 33 CJK characters" site-load long.yaml
like "$T/err" "name" "the error names the key"
site "{login: $me, role: admin}" "{login: $CASHIER, role: cashier, name: [a, b]}" >list.yaml
exits 78 "a name that is a list" site-load list.yaml
site "{login: $me, role: admin}" "{login: $CASHIER, role: cashier, nmae: 张敏}" >typo.yaml
exits 78 "a misspelt key" site-load typo.yaml
is "$(report operators -o csv | grep "^$CASHIER,")" "$CASHIER,张敏,cashier,site" \
    "after the refused files the names are as the last good load left them"

# The creator's own sale: no name now, so the receipt shows the login.
exits 0 "acct-open" acct-open -a 100001 -n 王芳 --balance 0 M1
printf '收款员 @@CreateName 登录 @@CreateLogin\n' >mine.tmpl
exits 0 "a sale by the creator, unnamed" sale --template mine.tmpl --receipt r0.txt 100001 10
is "$(cat r0.txt)" "收款员 $me 登录 $me" "an operator without a name is shown by its login"
site-load renamed.yaml >/dev/null
exits 0 "a sale by the creator, named 王主任" sale --receipt r1.txt 100001 10
like r1.txt "^收款员: 王主任$" "the built-in receipt shows the operator's name, not the login"
unlike r1.txt "$me" "... and not the login"
exits 0 "the shipped template" sale --template "$top/scripts/receipt.tmpl" --receipt r2.txt 100001 10
like r2.txt "^收款员 王主任$" "scripts/receipt.tmpl shows the name too"

# The names are site rows: the ledger check finds the site as loaded.
exits 0 "report verify" report verify -o csv
is "$(grep -c ',fail,' "$T/out")" 0 "verify passes, the operators' names among the site's rows"
sql "UPDATE operators SET name = '李四' WHERE login = '$CASHIER'"
exits 1 "report verify after a name changed around the tools" report verify -o csv
like "$T/out" "^site,fail," "verify finds the site rows changed around site-load"
site-load renamed.yaml >/dev/null
exits 0 "site-load puts it right" report verify -o csv

if [ "$(id -u)" != 0 ]; then
	for i in 1 2 3 4 5; do
		ok 0 "# skip not root: a cashier's own sale"
	done
	done_testing
	exit
fi
id -u "$CASHIER" >/dev/null 2>&1 || useradd -M -N -r "$CASHIER" ||
    echo "# could not create login $CASHIER"
chmod 777 "$T"
chmod 666 "$PREPAY_DB" "$PREPAY_DB-wal" "$PREPAY_DB-shm" 2>/dev/null
login_role "$CASHIER" cashier
as_exits 0 "the cashier sells, with a receipt" "$CASHIER" PREPAY_NOW=$PREPAY_NOW \
    sale -o csv --receipt - 100001 20
like "$T/out" "^收款员: 张敏$" "the cashier's receipt shows 张敏"
unlike "$T/out" "$CASHIER" "... not the login $CASHIER"
exits 0 "report txns" report txns -o csv
is "$(f -1 operator)" "$CASHIER" "the ledger keeps the login"
is "$(report audit -o csv | grep -c "^[^,]*,$CASHIER,sale,")" 1 "the audit keeps the login"

done_testing
