#!/bin/sh
# acct-close on an account whose meter keeps its own wallet: the meter says
# what is left, that is the refund, and it leaves the meter.
. "$(dirname "$0")/lib.sh"

port=$(($(port_base) + 7))
cat >site.yaml <<EOF2
site: close-wallet
defaults: {overload_w: 1000000}
tariffs:
  flat: {price: 0.5380}
buildings:
  - name: B
    gateways:
      - name: g1
        address: tcp://127.0.0.1:$port
        timeout_ms: 300
        retries: 1
        meters:
          - {meter: "W1", unit: 1, profile: prepay-1p, tariff: flat, billing: meter}
          - {meter: "W2", unit: 2, profile: prepay-1p, tariff: flat, billing: meter}
EOF2
site-load site.yaml >/dev/null || echo "Bail out! site-load"
start_sim site.yaml --speed 600

# meter_balance METER: the balance its wallet shows now.
meter_balance() {
	meter-ctl read -o csv "$1" >"$T/read.csv" && row "$T/read.csv" 1 balance
}

exits 0 "open on W1" acct-open -o csv -a A1 -n 甲 W1
exits 0 "sell 50.00 to W1: the meter is recharged at once" sale -o csv A1 50
sleep 1
held=$(meter_balance W1)
exits 0 "close A1" acct-close -o csv A1
refund=$(f 1 amount)
after=$(meter_balance W1)
# The meter spends between our read and the close: the refund is what it
# held when acct-close read it, at most the 50.00 sold, and it is gone from
# the meter.
[ "$(echo "$refund < 0 && -($refund) <= 50 && -($refund) <= $held" | bc)" = 1 ]
ok $? "the refund $refund is what the meter held (<= $held)"
[ "$(echo "$after <= 0.05" | bc)" = 1 ]
ok $? "the meter is emptied (it shows $after)"
is "$(sql "SELECT state FROM commands WHERE action = 'recharge' AND amount < 0")" \
    done "the negative recharge is done"
is "$(bal A1)" none "A1 is no longer among the open balances"
exits 0 "report verify after the close" report verify -o csv

# A meter that does not answer: --balance says what it holds.
exits 0 "open on W2" acct-open -o csv -a A2 -n 乙 W2
exits 0 "sell 20.00 to W2" sale -o csv A2 20
stop_sim
start_sim site.yaml --dead W2
exits 69 "close A2 with its meter dead and no --balance" acct-close A2
like "$T/err" 'give what it holds with --balance' "... and says to give --balance"
is "$(sql "SELECT state FROM accounts WHERE account = 'A2'")" open "A2 is still open"
exits 0 "close A2 with --balance 12.00: recorded, the emptying waits" \
    acct-close -o csv --balance 12.00 A2
is "$(f 1 amount)" -12.00 "the refund is the 12.00 given"
is "$(sql "SELECT state FROM accounts WHERE account = 'A2'")" closed "A2 is closed"
is "$(sql "SELECT count(*) FROM commands WHERE state = 'pending' AND amount = -1200")" \
    1 "the -12.00 recharge waits for the meter"
exits 0 "report verify at the end" report verify -o csv

done_testing
