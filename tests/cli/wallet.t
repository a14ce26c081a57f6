#!/bin/sh
# wallet.t: the recharge state machine of a meter's own wallet (issue 9,
# point 2).  A recharge the meter refuses is sent again after its purchase
# count is read back; after three refusals it ends cancelled, its money
# kept on the account in a ledger row of its own, and the later purchases
# no longer wait for it.  A refund never takes more than the meter holds.
. "$(dirname "$0")/lib.sh"

P=$(port_base)
cat >site.yaml <<EOF
site: 钱包
defaults:
  price: 0.5380
  max_balance: 5000.00
buildings:
  - name: 1号楼
    gateways:
      - name: gw1
        address: tcp://127.0.0.1:$P
        timeout_ms: 200
        retries: 1
        meters:
          - {meter: "0101000001", unit: 1, floor: 1, room: "101", profile: prepay-1p, billing: meter}
EOF
W=0101000001

site-load site.yaml >/dev/null || echo "Bail out! site-load"
start_sim site.yaml --credit 0 --state "$T/sim.state"
acct-open -a A -n 王五 "$W" >/dev/null 2>&1
exits 0 "a sale of 10.00 lands at once" sale -o csv A 10
is "$(sql "SELECT state FROM commands ORDER BY id DESC LIMIT 1")" done "recharge 1 done"
exits 0 "meter-ctl read" meter-ctl read -o csv "$W"
is "$(f 1 balance buy_count)" "10.00|1" "the meter holds 10.00 after purchase 1"

# --- a refund the meter refuses: the wallet was spent meanwhile ----------------

# The meter spent 7.40 since it was last read: it holds 2.60 while the
# mirror still shows 10.00.  The state file stands in for the evening's use.
stop_sim
sed "s/^$W \(.*\)balance=[0-9-]*/$W \1balance=260/" "$T/sim.state" >"$T/sim.new"
mv "$T/sim.new" "$T/sim.state"
start_sim site.yaml --state "$T/sim.state"
exits 0 "a refund of 5.00 the meter cannot give: recorded, pending" refund -o csv A 5
R=$(f 1 serial)
is "$(sql "SELECT state || '|' || attempts || '|' || coalesce(verdict, '-') FROM commands WHERE action = 'recharge' ORDER BY id DESC LIMIT 1")" \
    "pending|1|-" "refused once: its count read back, pending, to be sent again"
is "$(sql "SELECT meter_balance FROM meters WHERE meter = '$W'")" 260 \
    "the read-back mirrored what the meter holds: 2.60"
exits 0 "a sale of 10.00 behind it" sale -o csv A 10
S3=$(f 1 serial)
meter-read >/dev/null 2>&1
is "$(sql "SELECT state || '|' || attempts FROM commands WHERE action = 'recharge' AND amount = -500")" \
    "pending|2" "a poll: refused again, still pending"
meter-read >/dev/null 2>&1
is "$(sql "SELECT state || '|' || verdict FROM commands WHERE action = 'recharge' AND amount = -500")" \
    "failed|cancelled" "the third refusal: the verdict, cancelled"
is "$(sql "SELECT kind || '|' || amount || '|' || buy_count FROM ledger ORDER BY id DESC LIMIT 1")" \
    "adjust|0|2" "a ledger row says so: adjust 0.00 of purchase 2"
is "$(sql "SELECT CASE WHEN remark LIKE '%$R%' THEN 1 ELSE 0 END FROM ledger ORDER BY id DESC LIMIT 1")" 1 \
    "the row names the refund's serial"
is "$(sql "SELECT buy_count FROM commands WHERE action = 'recharge' AND ledger_id = (SELECT id FROM ledger WHERE serial = '$S3')")" \
    2 "the later purchase takes count 2: it no longer waits for a count that never lands"
exits 0 "report verify after the verdict" report verify -o csv
exits 0 "the next poll delivers the later purchase" meter-read
is "$(sql "SELECT state FROM commands WHERE ledger_id = (SELECT id FROM ledger WHERE serial = '$S3')")" done \
    "the 10.00 landed"
exits 0 "meter-ctl read" meter-ctl read -o csv "$W"
is "$(f 1 balance buy_count)" "12.60|2" "the meter holds 12.60 after 2 purchases: the refund never left it"

exits 0 "report reconcile" report reconcile -o csv
is "$(f 1 meter result)" "$W|mismatch" "reconcile names the meter"
like "$T/out" "recharges of -5\.00 were cancelled, the last ordered by serial $R: reverse them" \
    "and says what to do"
exits 0 "alarm-scan" alarm-scan -o csv
like "$T/out" ",mismatch,$W,A," "a mismatch alarm names the meter and the account"

# --- refunds are bounded by the wallet -----------------------------------------

exits 1 "a refund of 12.61: more than the meter's 12.60" refund -o csv A 12.61
like "$T/err" "more than meter $W holds \(12\.60\)" "the message names the meter and what it holds"

# --- the cancelled refund is undone by reversing it ----------------------------

exits 0 "reverse the cancelled refund" reverse -o csv "$R"
is "$(sql "SELECT count(*) FROM commands WHERE action = 'recharge' AND ledger_id = (SELECT id FROM ledger WHERE reverses = (SELECT id FROM ledger WHERE serial = '$R'))")" 0 \
    "the reversal sends nothing to the meter, which never gave the money"
exits 0 "report reconcile after the reversal" report reconcile -o csv
is "$(f 1 result)" ok "the wallet and the ledger agree again"
exits 0 "a refund of 2.00 lands" refund -o csv A 2
exits 0 "meter-ctl read" meter-ctl read -o csv "$W"
is "$(f 1 balance buy_count)" "10.60|3" "the meter holds 10.60 after purchase 3"
exits 0 "report verify" report verify -o csv

# --- a purchase an older prepay left failed, with no verdict ------------------

stop_sim
exits 0 "a sale of 1.00 to the unreachable meter: recorded, pending" sale -o csv A 1
S5=$(f 1 serial)
# As prepay before the verdicts left a refused recharge: failed, and the
# purchases behind it waiting for ever.
sql "UPDATE commands SET state = 'failed', last_error = 'recharge: Illegal data value' WHERE ledger_id = (SELECT id FROM ledger WHERE serial = '$S5')"
exits 0 "a sale of 2.00 behind it" sale -o csv A 2
S6=$(f 1 serial)
start_sim site.yaml --state "$T/sim.state"
meter-read >/dev/null 2>&1
is "$(sql "SELECT state || '|' || verdict FROM commands WHERE ledger_id = (SELECT id FROM ledger WHERE serial = '$S5')")" \
    "failed|cancelled" "the next poll gives the stuck purchase its verdict"
exits 0 "and the one after delivers the purchase behind it" meter-read
is "$(sql "SELECT state FROM commands WHERE ledger_id = (SELECT id FROM ledger WHERE serial = '$S6')")" done \
    "the 2.00 landed"
exits 0 "meter-ctl read" meter-ctl read -o csv "$W"
is "$(f 1 balance)" "12.60" "the meter holds 12.60: the 2.00, not the stuck 1.00"
exits 0 "report verify" report verify -o csv

# --- a pending recharge raised outside the tools ------------------------------

stop_sim
exits 0 "a sale to the unreachable meter: recorded, pending" sale -o csv A 3
db_save good
sql "UPDATE commands SET amount = amount + 1003959 WHERE action = 'recharge' AND state = 'pending'"
run report verify -o csv
is "$rc" 1 "a raised recharge: verify exits 1"
like "$T/out" '^commands,fail,"?recharge [0-9]+ to meter 0101000001 is 10042\.59, its ledger row [0-9]+ 3\.00' \
    "verify names the recharge, its amount and its ledger row"
db_restore good
sql "UPDATE commands SET state = 'failed', verdict = 'cancelled' WHERE action = 'recharge' AND state = 'pending'"
run report verify -o csv
is "$rc" 1 "a verdict forged outside the tools: verify exits 1"
like "$T/out" '^commands,fail,.*cancelled without its ledger row' "verify names it"

done_testing
