#!/bin/sh
# views.t: the values SQL and C both need are views made by a migration
# (doc/design.md, "The database"): an account's balance, a meter's overload
# limit, an own-wallet meter's facts.  The tools read them, and a view
# redefined with the sqlite3 shell is named by `report verify`.
. "$(dirname "$0")/lib.sh"

load_site
acct-open -a V1 -n one --balance 5 010107072A >/dev/null
sale -o csv V1 10.01 >/dev/null

is "$(sql "SELECT balance FROM account_balances b JOIN accounts a ON
    a.id = b.account_id WHERE a.account = 'V1'")" 1501 \
    "account_balances: 15.01 in fen"
sql "UPDATE accounts SET used_e7 = 150000 WHERE account = 'V1'"
is "$(bal V1)" 14.99 "1.5 fen of use rounds to 2: report balances reads the view"
is "$(sql "SELECT b.balance FROM account_balances b JOIN accounts a ON
    a.id = b.account_id WHERE a.account = 'V1'")" 1499 "the view agrees"
sql "UPDATE accounts SET used_e7 = 0 WHERE account = 'V1'"
is "$(sql "SELECT o.overload_w FROM meter_overloads o JOIN meters m ON
    m.id = o.meter_id WHERE m.meter = '010107072A'")" 2200 \
    "meter_overloads: the site's default where the meter has none"
is "$(sql "SELECT w.allocated FROM meter_wallets w JOIN meters m ON
    m.id = w.meter_id WHERE m.meter = '0101070722'")" 0 \
    "meter_wallets: an own-wallet meter with no purchase yet"
exits 0 "untouched: report verify passes" report verify -o csv

sql "DROP VIEW account_balances; CREATE VIEW account_balances AS SELECT
    id AS account_id, money + 100000 AS balance FROM accounts"
is "$(bal V1)" 1015.01 "a forged view shows a forged balance"
run report verify -o csv
is "$rc" 1 "report verify exits 1"
like "$T/out" 'view account_balances differs from the schema' \
    "and names the forged view"

done_testing
