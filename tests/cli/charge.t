#!/bin/sh
# Charging account wallets: readings become charges under the tariff, in
# the same transaction, and the balance follows.  Manual readings make the
# intervals exact; each amount is worked by hand.  The clock is fixed
# (PREPAY_NOW), so that no hour or midnight changes what is charged.
. "$(dirname "$0")/lib.sh"

# 2026-03-10 12:00:00 in Shanghai.
now=1773115200
export PREPAY_NOW=$now

cat >site.yaml <<'EOF2'
site: charge
defaults: {price: 0.5000, overload_w: 1000000}
tariffs:
  flat: {price: 0.5380}
  zj:
    tou:
      - {name: peak, from: "08:00", to: "22:00", price: 0.5680}
      - {name: valley, from: "22:00", to: "08:00", price: 0.2880}
    tiers:
      period: year
      steps:
        - {upto: 2760, add: 0.0000}
        - {upto: 4800, add: 0.0500}
        - {add: 0.3000}
buildings:
  - name: B
    gateways:
      - name: g
        address: tcp://127.0.0.1:1
        meters:
          - {meter: "F1", unit: 1, profile: dds238-2, tariff: flat}
          - {meter: "Z1", unit: 2, profile: dds238-2, tariff: zj}
          - {meter: "P1", unit: 3, profile: dds238-2, tariff: flat, price: 0.6000}
          - {meter: "D1", unit: 4, profile: dds238-2}
          - {meter: "W1", unit: 5, profile: prepay-1p, tariff: flat, billing: meter}
EOF2
site-load site.yaml >/dev/null || echo "Bail out! site-load"
for a in F Z P D W; do
	acct-open -a $a -n "$a" "${a}1" >/dev/null
	sale $a 100 >/dev/null 2>&1
done
# The readings below are yesterday's: the accounts must have held the
# meters then, so their attachment is moved back three days.
sql "UPDATE account_meters SET attached = attached - 259200;
    UPDATE accounts SET opened = opened - 259200" ||
    echo "Bail out! backdating"
y=2026-03-09

# imports TEXT: readings by hand, as from a handheld reader.
imports() {
	printf 'meter,time,energy_kwh\n%s\n' "$1" >in.csv
	meter-read --import in.csv >/dev/null
}

# Flat: 1000 kWh, then 1010 kWh two hours later: 10 kWh x 0.5380 = 5.38.
imports "F1,$y 00:00,1000
F1,$y 02:00,1010"
is "$(bal F)" 94.62 "flat: 10 kWh at 0.5380 costs 5.38 (100.00 -> 94.62)"

# A meter's own price overrides its tariff: 10 kWh x 0.6000 = 6.00.
imports "P1,$y 00:00,500
P1,$y 02:00,510"
is "$(bal P)" 94.00 "a meter's own price: 10 kWh at 0.6000 costs 6.00"

# No tariff, no price: the site's default, 10 kWh x 0.5000 = 5.00.
imports "D1,$y 00:00,10
D1,$y 05:00,20"
is "$(bal D)" 95.00 "the default price: 10 kWh at 0.5000 costs 5.00"

# Time-of-use split at 22:00: 21:00 to 23:00, 2 kWh shared by time:
# 1 kWh peak 0.568 + 1 kWh valley 0.288 = 0.856; the balance shows 99.14.
imports "Z1,$y 21:00,3000
Z1,$y 23:00,3002"
is "$(bal Z)" 99.14 "time of use: 1 kWh peak + 1 kWh valley = 0.856"
is "$(sql "SELECT group_concat(\"window\" || ':' || energy_wh || ':' || cost_e7, ' ')
    FROM (SELECT * FROM daily_parts WHERE meter_id = (SELECT id FROM meters
    WHERE meter = 'Z1') ORDER BY \"window\") AS p")" \
    "peak:1000:5680000 valley:1000:2880000" "the day's parts by window"

# A meter billed to its own wallet is not charged by the master station.
imports "W1,$y 00:00,100
W1,$y 02:00,110"
is "$(sql "SELECT used_e7 FROM accounts WHERE account = 'W'")" 0 \
    "an own-wallet meter's account is not charged"

# The money and the energy agree everywhere.
is "$(sql "SELECT sum(cost_e7) FROM daily")" \
    "$(sql "SELECT sum(used_e7) FROM accounts")" \
    "the daily roll-up holds exactly what the accounts were charged"
is "$(sql "SELECT sum(cost_e7) FROM readings")" \
    "$(sql "SELECT sum(used_e7) FROM accounts")" \
    "... and so do the readings"
exits 0 "report verify" report verify -o csv

# A meter with peak and valley counters, billed to its account: the split
# by window follows the meter's own counters over each poll.
port=$(($(port_base) + 11))
cat >rates.yaml <<EOF2
buildings:
  - name: R
    gateways:
      - name: gr
        address: tcp://127.0.0.1:$port
        meters:
          - {meter: "T1", unit: 1, profile: prepay-1p, tariff: zj, billing: account}
EOF2
site-load rates.yaml >/dev/null || echo "Bail out! site-load rates.yaml"
acct-open -a T -n T T1 >/dev/null
sale T 100 >/dev/null
# The simulator starts at 20:30, so that its peak and valley counters
# both count around 22:00; each poll is an hour after the last, as the
# simulator runs an hour a second, so that the evening load is no jump,
# and the polls are on one day whatever the hour.
PREPAY_NOW=$((now + 8 * 3600 + 1800))
start_sim site.yaml --speed 3600
start_sim rates.yaml --speed 3600 --credit 50
for i in 1 2 3; do
	PREPAY_NOW=$((now + i * 3600)) meter-read --meter T1 >/dev/null
	sleep 1
done
PREPAY_NOW=$now
id=$(sql "SELECT id FROM meters WHERE meter = 'T1'")
# The counters' growth between the first and the last reading.
grew() {
	sql "SELECT max($1) - min($1) FROM readings WHERE meter_id = $id"
}
parts() {
	sql "SELECT coalesce(sum(energy_wh), 0) FROM daily_parts
	    WHERE meter_id = $id AND \"window\" = '$1'"
}
total=$(grew energy_wh)
peak=$(grew energy_peak_wh)
valley=$(grew energy_valley_wh)
[ "$total" -gt 0 ] 2>/dev/null
ok $? "the meter used energy over the polls ($total Wh)"
is "$(sql "SELECT count(*) FROM readings WHERE meter_id = $id AND flag IS NOT NULL")" 0 \
    "no reading was flagged"
is "$(sql "SELECT count(DISTINCT day) FROM daily WHERE meter_id = $id")" 1 \
    "the polls were on one day"
# The counters round to 10 Wh each: a count or two either way.
d=$(($(parts peak) - peak))
[ "${d#-}" -le 20 ]
ok $? "the peak energy charged is what the meter's peak counter counted ($(parts peak) ~ $peak Wh)"
d=$(($(parts valley) - valley))
[ "${d#-}" -le 20 ]
ok $? "... and the valley energy its valley counter ($(parts valley) ~ $valley Wh)"
is "$(sql "SELECT sum(cost_e7) FROM daily_parts WHERE meter_id = $id")" \
    "$(sql "SELECT used_e7 FROM accounts WHERE account = 'T'")" \
    "the account was charged what the parts cost"
exits 0 "report verify at the end" report verify -o csv

# A charge edited behind the tools' back is found.
sql "UPDATE accounts SET used_e7 = used_e7 - 10000000 WHERE account = 'F'"
exits 1 "report verify after an account's charges were cut by 1.00" \
    report verify -o csv
like "$T/out" '^charges,fail,"account F: cached charges' "... and it names the account"
done_testing
