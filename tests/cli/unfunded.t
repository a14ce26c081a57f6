#!/bin/sh
# An account opened with a zero balance is unopened power, not debt: the
# scan tells the resident once that the account is open and waits for a
# first purchase; no arrears alarm, notice or trip until it has had money.
. "$(dirname "$0")/lib.sh"

# 2026-03-10 12:00:00 in Shanghai, outside the friendly hours.
export PREPAY_NOW=1773115200

load_site
cat >notify.sh <<'SH'
#!/bin/sh
printf '%s|%s|%s|%s\n' "$PREPAY_TO" "$PREPAY_ALARM" "$PREPAY_ACCOUNT" \
    "$PREPAY_TEXT" >>"$CALLS"
SH
chmod +x notify.sh
CALLS=$T/calls
export CALLS
: >"$CALLS"

OPENED="【示例校区】152201房电费账户100001已开户，尚未购电，购电后即可合闸用电。"

exits 0 "acct-open with no balance" acct-open -n 李四 -p 13911112222 010107072A
is "$(f 1 balance)" "0.00" "the account holds 0.00"
exits 0 "the first scan" alarm-scan --notify "$T/notify.sh"
is "$(f 1 level alarm account balance)" "1|unfunded|100001|0.00" \
    "one alarm: unfunded, level 1, not arrears"
is "$(cat "$CALLS")" "resident|unfunded|100001|$OPENED
manager|unfunded|100001|$OPENED" "the resident hears the account is open; the office has a copy"
if grep -q "欠费" "$CALLS"; then ok 1 "no 已欠费 notice"; else ok 0 "no 已欠费 notice"; fi

exits 0 "the next scan" alarm-scan --notify "$T/notify.sh"
is "$(nrows "$T/out")|$(wc -l <"$CALLS" | tr -d ' ')" "0|2" "sends nothing again"
exits 0 "report status --state unfunded" report status --state unfunded -o csv
is "$(col "$T/out" meter)|$(col "$T/out" state)" "010107072A|unfunded" \
    "the board shows it unfunded, not arrears"
exits 0 "the standing arrears alarms" alarm-scan --all -k arrears
is "$(nrows "$T/out")" 0 "none: the account is not in arrears"
printf 'meter,alarm\n010107072A,arrears\n' >trip.csv
exits 1 "an arrears trip of it" meter-ctl trip - <trip.csv
is "$(f 1 result)" "refused" "is refused: it is not an arrears trip"
is "$(sql "SELECT count(*) FROM commands")" 0 "and no trip is queued"

# The first purchase: unfunded clears, the usual alarms take over.
exits 0 "the first sale" sale 100001 10
exits 0 "the scan after it" alarm-scan --notify "$T/notify.sh"
is "$(f 1 alarm)" "low1" "10.00 is below alarm1"
is "$(sql "SELECT count(*) FROM alarms WHERE kind = 'unfunded' AND cleared IS NULL")" 0 \
    "unfunded has cleared"
# 20 kWh at 0.6000 by noon the next day spends it: now it is debt.
export PREPAY_NOW=$((PREPAY_NOW + 86400))
printf 'meter,time,energy_kwh\n010107072A,2026-03-10 13:00:00,100\n010107072A,2026-03-11 11:00:00,120\n' >in.csv
meter-read --import in.csv >/dev/null || echo "Bail out! import"
exits 0 "the scan after the usage" alarm-scan --notify "$T/notify.sh"
is "$(f 1 alarm balance)" "arrears|-2.00" "an account that had money and spent it is in arrears"
is "$(grep -c "^resident|arrears|100001|.*已欠费" "$CALLS")" 1 "and the resident hears 已欠费"
exits 0 "the arrears trip now" alarm-scan --all -k arrears

# An account that had money and gave it back is not unfunded either.
exits 0 "another account, opened with nothing" acct-open -n 王五 -p 13922223333 0101070723
exits 0 "a sale" sale 100002 5
exits 0 "refunded" refund 100002 5
exits 0 "scan" alarm-scan -k unfunded --all
is "$(nrows "$T/out")" 0 "100002 has had money: not unfunded"
exits 0 "scan" alarm-scan -k arrears --all
is "$(col "$T/out" account)" "100001 100002" "100002 at 0.00 after a refund is in arrears"

exits 0 "report verify" report verify -o csv
done_testing
