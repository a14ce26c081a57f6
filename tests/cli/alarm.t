#!/bin/sh
# alarm-scan against meter-sim: a balance runs down through low1, low2 and
# arrears with one notice a level to the resident and one copy to the
# manager; the trip pipeline; a sale clears the alarm and closes the relay;
# a failed notice is retried and a sent one never repeated; keep-power and
# friendly hours; the meter alarms (overload, voltage, lost, gateway,
# command, counter, mismatch) raised and cleared; the site's templates;
# usage and roles.
. "$(dirname "$0")/lib.sh"

P=$(port_base)
P1=$P
P2=$((P + 1))
P3=$((P + 2))
CASHIER=pp_cashier_t
POLLER=pp_poller_t

# site [NO_TRIP [BAND [MESSAGES [O1]]]]: the site file.  A1 and A2 are one
# account's meters, billed to the account; W1 keeps its own wallet; O1
# takes the keys O1, such as an overload_w; L1 is to die, and gw3 to go
# down.
site() {
	cat <<EOF
site: 告警测试
defaults:
  price: 1.0000
  alarm1: 20.00
  alarm2: 5.00
  sms_to: "13800000000"
  lost_after: 2
  no_trip: "${1:-}"
  voltage_band: "${2:-198-242}"
messages:
  lost: "{site}：表{meter}（{room}）失联，{kind}"
${3:-}
operators:
  - {login: $CASHIER, role: cashier}
  - {login: $POLLER, role: poller}
buildings:
  - name: 1号楼
    gateways:
      - name: gw1
        address: tcp://127.0.0.1:$P1
        timeout_ms: 200
        retries: 0
        meters:
          - {meter: "A1", unit: 1, floor: 1, room: "101", profile: dds238-2}
          - {meter: "A2", unit: 2, floor: 1, room: "101b", profile: dds238-2}
      - name: gw2
        address: tcp://127.0.0.1:$P2
        timeout_ms: 200
        retries: 0
        meters:
          - {meter: "W1", unit: 1, floor: 1, room: "102", profile: prepay-1p, billing: meter}
          - {meter: "O1", unit: 2, floor: 1, room: "103", profile: dds238-2${4:-}}
          - {meter: "L1", unit: 3, floor: 1, room: "104", profile: dds238-2}
  - name: 2号楼
    gateways:
      - name: gw3
        address: tcp://127.0.0.1:$P3
        timeout_ms: 200
        retries: 0
        meters:
          - {meter: "G1", unit: 1, floor: 1, room: "201", profile: sdm120}
EOF
}

# The notice command records each call, one line each, in $CALLS, and
# the other variables in $CALLS.env.
cat >notify.sh <<'EOF'
#!/bin/sh
printf '%s|%s|%s|%s|%s|%s|%s\n' "$PREPAY_TO" "$PREPAY_PHONE" "$PREPAY_ALARM" \
    "$PREPAY_LEVEL" "$PREPAY_ACCOUNT" "$PREPAY_METER" "$PREPAY_TEXT" >>"$CALLS"
printf '%s|%s|%s|%s|%s|%s|%s\n' "$PREPAY_TO" "$PREPAY_ALARM" "$PREPAY_ACCOUNT" \
    "$PREPAY_NAME" "$PREPAY_ROOM" "$PREPAY_BALANCE" "$PREPAY_VALUE" >>"$CALLS.env"
EOF
chmod +x notify.sh
CALLS=$T/calls
export CALLS
: >"$CALLS"
NOTIFY=$T/notify.sh

# calls PATTERN: how many recorded calls match the extended regex.
calls() {
	grep -Ec -- "$1" "$CALLS"
}
# standing KIND [ACCOUNT|METER|GATEWAY]: standing alarms of a kind.
standing() {
	sql "SELECT count(*) FROM alarms l LEFT JOIN accounts a ON a.id =
	    l.account_id LEFT JOIN meters m ON m.id = l.meter_id LEFT JOIN
	    gateways g ON g.id = l.gateway_id WHERE l.cleared IS NULL AND
	    l.kind = '$1' AND ('${2:-}' = '' OR '${2:-}' IN (a.account,
	    m.meter, g.name))"
}
# import METER KWH: a reading by hand, now; the charge follows it.
import() {
	printf 'meter,time,energy_kwh\n%s,%s,%s\n' "$1" "$(date '+%Y-%m-%d %H:%M:%S')" \
	    "$2" >in.csv
	meter-read --import in.csv >/dev/null 2>>"$T/all.err"
}
# poll: gw2 and gw3; gw1's meters are read by hand only.
poll() {
	meter-read -g gw2 -g gw3 >"$T/poll.csv" 2>>"$T/all.err"
}
# relay METER: the relay as the meter shows it.
relay() {
	meter-ctl read "$1" >"$T/state.csv" 2>>"$T/all.err"
	row "$T/state.csv" 1 relay
}
# pipeline [ALARM-SCAN ARGS...]: the trip pipeline; the scan's rows in
# scan.csv, its exit in $rc1, meter-ctl's rows in $T/out and exit in $rc.
pipeline() {
	{ alarm-scan "$@" 2>"$T/err1"; echo $? >"$T/rc1"; } | tee scan.csv |
	    meter-ctl trip - >"$T/out" 2>"$T/err"
	rc=$?
	rc1=$(cat "$T/rc1")
}

site >site.yaml
site-load site.yaml >/dev/null || echo "Bail out! site-load"
start_sim site.yaml --state "$T/sim.state"
acct-open -a A -n 张三 -p 13911111111 --balance 30 A1 A2 >/dev/null ||
    echo "Bail out! acct-open A"
acct-open -a W -n 李四 -p 13922222222 --balance 50 W1 >/dev/null ||
    echo "Bail out! acct-open W"
import A1 1000
poll

# --- usage --------------------------------------------------------------------------

exits 0 "alarm-scan -h" alarm-scan -h
is "$(head -n 1 "$T/out" | cut -d' ' -f1-2)" "usage: alarm-scan" "-h prints the usage"
if command -v mandoc >/dev/null 2>&1; then
	synopsis=$(mandoc -Tascii "$top/man/alarm-scan.1" |
	    $PY -c 'import re, sys; sys.stdout.write(re.sub(".\b", "", sys.stdin.read()))' |
	    sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' | sed '1d;$d' | tr -s ' \t\n' '   ' | sed 's/^ //;s/ $//')
	is "$(sed 's/^usage: //' "$T/out" | tr -s ' \t\n' '   ' | sed 's/ $//')" "$synopsis" \
	    "the usage is the man page's SYNOPSIS"
fi
exits 64 "-k with an unknown kind" alarm-scan -k bogus
like "$T/err" "bogus" "the message names the kind"
exits 64 "an operand" alarm-scan extra
exits 64 "an empty --notify" alarm-scan --notify ''

# --- nothing to say -----------------------------------------------------------------

exits 0 "a first scan" alarm-scan --notify "$NOTIFY"
is "$(head -n 1 "$T/out")" "time,level,alarm,meter,account,name,phone,room,balance,value,message" \
    "the columns"
is "$(nrows "$T/out")" 0 "no alarm: 30.00 and 50.00 are above alarm1"
is "$(calls .)" 0 "no notice"

# --- low1 -> low2 -> arrears, one notice a level -------------------------------------

refund A 15 >/dev/null
exits 0 "balance 15.00: a scan" alarm-scan --notify "$NOTIFY"
is "$(nrows "$T/out")" 2 "low1: one row per meter of the account"
is "$(f 1 level alarm meter account name phone room balance value)" \
    "1|low1|A1|A|张三|13911111111|101|15.00|15.00" "the first row: level 1, low1, A1"
is "$(f 2 alarm meter room)" "low1|A2|101b" "the second row: A2"
is "$(f 1 message)" "【告警测试】101房电费余额15.00元，已低于20.00元，请及时购电。" \
    "the Chinese default names the room, the balance and the threshold"
is "$(calls '^resident\|13911111111\|low1\|1\|A\|')" 1 "one notice to the resident"
is "$(calls '^manager\|13800000000\|low1\|1\|A\|')" 1 "one copy to the manager (sms_to)"
is "$(calls .)" 2 "two calls in all"
like "$CALLS" '\|【告警测试】101房电费余额15.00元，已低于20.00元，请及时购电。$' "PREPAY_TEXT is the message"
is "$(grep -c '^resident|low1|A|张三|101|15.00|15.00$' "$CALLS.env")|$(grep -c '^manager|low1|A|张三|101|15.00|15.00$' "$CALLS.env")" \
    "1|1" "PREPAY_NAME, PREPAY_ROOM, PREPAY_BALANCE, PREPAY_VALUE"
exits 0 "the same scan again" alarm-scan --notify "$NOTIFY"
is "$(nrows "$T/out")" 0 "a standing alarm is not raised again"
is "$(calls .)" 2 "no notice again"
is "$(sql "SELECT count(*) FROM alarms WHERE kind = 'low1' AND resident_sent IS NOT NULL AND manager_sent IS NOT NULL AND notified IS NOT NULL")" \
    1 "alarms: the notices are recorded as sent"

refund A 12 >/dev/null
exits 0 "balance 3.00: a scan" alarm-scan --notify "$NOTIFY"
is "$(nrows "$T/out")" 2 "low2: two rows"
is "$(f 1 level alarm balance)" "2|low2|3.00" "level 2, low2"
is "$(f 1 message)" "【告警测试】101房电费余额仅3.00元，已低于5.00元，即将欠费停电，请尽快购电。" \
    "the low2 default"
is "$(standing low1 A)|$(standing low2 A)" "0|1" "low1 cleared as low2 stands: one level at a time"
is "$(sql "SELECT CASE WHEN cleared IS NOT NULL THEN 1 ELSE 0 END FROM alarms WHERE kind = 'low1'")" 1 "low1 has its clearing time"
is "$(calls '^resident\|13911111111\|low2\|2\|A\|')|$(calls '^manager\|13800000000\|low2\|2\|')" "1|1" \
    "low2: one notice, one copy"
exits 0 "again" alarm-scan --notify "$NOTIFY"
is "$(nrows "$T/out")|$(calls .)" "0|4" "nothing new"

# 5 kWh at 1.0000 yuan/kWh, read by hand: 3.00 - 5.00 = -2.00.
import A1 1005
is "$(bal A)" "-2.00" "the reading charged 5.00: the balance is -2.00"
pipeline --notify "$NOTIFY" -k arrears
is "$rc1" 0 "the pipeline's alarm-scan exits 0"
is "$(nrows scan.csv)" 2 "arrears: a row per meter of the account"
is "$(row scan.csv 1 level alarm meter balance value)" "3|arrears|A1|-2.00|-2.00" "level 3, arrears, -2.00"
is "$(row scan.csv 2 alarm meter)" "arrears|A2" "and A2"
is "$(row scan.csv 1 message)" "【告警测试】101房已欠费，余额-2.00元，将按规定停电，请立即购电。" \
    "the arrears default"
is "$rc" 0 "meter-ctl trip - exits 0"
is "$(col "$T/out" meter)|$(col "$T/out" result)" "A1 A2|done done" "both meters tripped, confirmed"
is "$(relay A1)|$(relay A2)" "tripped|tripped" "meter-ctl read: both relays tripped"
is "$(sql "SELECT group_concat(reason || '=' || state, ' ') FROM commands WHERE action = 'trip'")" \
    "arrears=done arrears=done" "the trips are arrears trips"
is "$(standing low2 A)|$(standing arrears A)" "0|1" "arrears replaces low2"
is "$(calls '^resident\|13911111111\|arrears\|3\|A\|')|$(calls '^manager\|13800000000\|arrears\|3\|')" "1|1" \
    "arrears: one notice, one copy"
for i in 1 2; do
	alarm-scan --notify "$NOTIFY" >"$T/out" 2>"$T/err"
done
is "$(nrows "$T/out")|$(calls .)" "0|6" "two more scans: nothing new, still 6 calls"
is "$(calls '^resident\|')|$(calls '^manager\|')" "3|3" "three levels, each told once to each"
exits 0 "--all lists the standing alarm" alarm-scan --all
is "$(col "$T/out" alarm)" "arrears arrears" "--all: the arrears rows"
exits 0 "-k low1 --all" alarm-scan -k low1 --all
is "$(nrows "$T/out")" 0 "no low1 stands"
pipeline -k arrears
is "$(nrows scan.csv)|$(nrows "$T/out")|$rc" "0|0|0" "the pipeline again: nothing new, nothing tripped"

# --- a sale pays up ------------------------------------------------------------------

exits 0 "sale 100" sale A 100
is "$(f 1 balance)" "98.00" "the balance is 98.00"
is "$(sql "SELECT group_concat(m.meter || '=' || c.state, ' ') FROM commands c JOIN meters m ON m.id = c.meter_id WHERE c.action = 'close' AND c.reason = 'paid'")" \
    "A1=done A2=done" "the sale closed the meters tripped for arrears"
is "$(relay A1)|$(relay A2)" "closed|closed" "meter-ctl read: both relays closed"
exits 0 "a scan after the sale" alarm-scan --notify "$NOTIFY"
is "$(nrows "$T/out")|$(calls .)" "0|6" "nothing new, no notice"
exits 0 "--all" alarm-scan --all
is "$(nrows "$T/out")" 0 "--all no longer lists it"
is "$(standing arrears A)" 0 "the arrears alarm is cleared"
is "$(sql "SELECT count(*) FROM alarms WHERE kind = 'arrears' AND cleared >= raised")" 1 \
    "alarms.cleared holds its time"

# A list that claims arrears for an account in credit trips nothing: the
# database, not the list, says what is in arrears (issue 9, point 7).
printf 'alarm,meter\narrears,A1\n' | meter-ctl trip -o csv - >"$T/out" 2>"$T/err"
is "$?" 1 "a forged arrears row: meter-ctl trip - exits 1"
is "$(f 1 meter result message)" "A1|refused|not an arrears trip: account A holds 98.00" \
    "refused, naming the balance"
is "$(relay A1)" closed "the relay stays closed"
is "$(sql "SELECT count(*) FROM commands WHERE action = 'trip' AND state IN ('pending', 'sent')")" 0 \
    "no trip is queued"

# --- a failed notice is owed, retried, and sent once -------------------------------

refund A 85 >/dev/null
exits 75 "a notice command that fails" alarm-scan --notify "echo tried >>$T/tries; exit 1"
is "$(nrows "$T/out")|$(f 1 alarm balance)" "2|low1|13.00" "the new low1 is printed all the same"
like "$T/err" "failed" "a warning says the notices failed"
is "$(wc -l <"$T/tries" | tr -d ' ')" 2 "tried for the resident and the manager"
is "$(sql "SELECT CASE WHEN resident_sent IS NULL AND manager_sent IS NULL THEN 1 ELSE 0 END, attempts, last_error FROM alarms WHERE cleared IS NULL AND kind = 'low1'")" \
    "1|2|the notice command exited 1" "alarms: both owed, 2 attempts, the error"
exits 0 "the next scan with a working command" alarm-scan --notify "$NOTIFY"
is "$(nrows "$T/out")" 0 "the alarm is not new"
is "$(calls '^resident\|13911111111\|low1\|1\|A\|.*13\.00')|$(calls '^manager\|13800000000\|low1\|1\|A\|.*13\.00')" "1|1" \
    "the owed notice and copy are sent"
exits 0 "a further scan" alarm-scan --notify "$NOTIFY"
is "$(calls '\|low1\|1\|A\|.*13\.00')" 2 "and never again"
exits 0 "a failing command now" alarm-scan --notify "echo tried >>$T/tries; exit 1"
is "$(wc -l <"$T/tries" | tr -d ' ')" 2 "is not even run: nothing is owed"
is "$(sql "SELECT CASE WHEN resident_sent IS NOT NULL AND manager_sent IS NOT NULL THEN 1 ELSE 0 END FROM alarms WHERE cleared IS NULL AND kind = 'low1'")" \
    1 "alarms: both sent"

# --- keep-power refuses the arrears trip ----------------------------------------------

exits 0 "keep-power on A1 and A2" meter-ctl keep A1 A2
import A1 1018
is "$(bal A)" "0.00" "13 kWh more: the balance is 0.00"
pipeline --notify "$NOTIFY" -k arrears
is "$(nrows scan.csv)|$(row scan.csv 1 alarm balance)" "2|arrears|0.00" "0.00 is arrears"
is "$rc" 1 "meter-ctl trip - exits 1"
is "$(col "$T/out" result)" "refused refused" "both trips refused"
is "$(f 1 message)" "keep-power is on; --force trips it anyway" "keep-power is on"
is "$(relay A1)|$(relay A2)" "closed|closed" "the relays stay closed"
exits 0 "unkeep" meter-ctl unkeep A1 A2

# --- friendly hours defer the arrears trip --------------------------------------------

win=$($PY -c 'import datetime as d; n = d.datetime.now(); print((n - d.timedelta(hours=1)).strftime("%H:%M") + "-" + (n + d.timedelta(hours=1)).strftime("%H:%M"))')
site "$win" >site.yaml
site-load site.yaml >/dev/null || echo "Bail out! site-load no_trip"
pipeline --all -k arrears
is "$rc1|$(nrows scan.csv)" "0|2" "--all -k arrears: the standing arrears rows"
is "$rc" 75 "meter-ctl trip - exits 75: deferred"
is "$(col "$T/out" result)" "pending pending" "both trips pending"
like "$T/out" "deferred to .* ${win#*-}:00: the site's friendly hours" "deferred to the end of $win"
is "$(relay A1)|$(relay A2)" "closed|closed" "the relays stay closed for now"
is "$(sql "SELECT count(*) FROM commands WHERE action = 'trip' AND reason = 'arrears' AND state = 'pending' AND not_before > CAST(strftime('%s', 'now') AS BIGINT)")" \
    2 "the trips wait in the queue"
exits 0 "sale 50 pays up" sale A 50
is "$(sql "SELECT group_concat(state || ':' || last_error, ' ') FROM commands WHERE action = 'trip' AND reason = 'arrears' AND not_before > 0")" \
    "failed:cancelled: the account paid failed:cancelled: the account paid" "the waiting trips are cancelled"
exits 0 "scan" alarm-scan --notify "$NOTIFY"
is "$(standing arrears A)" 0 "the arrears alarm clears"
is "$(relay A1)|$(relay A2)" "closed|closed" "the relays were never tripped"
site >site.yaml
site-load site.yaml >/dev/null || echo "Bail out! site-load"

# --- the site's templates -------------------------------------------------------------

site "" "" "  low1: \"{site}|{room}|{meter}|{account}|{name}|{balance}|{threshold}|{value}|{kind}|{nope}\"" >site.yaml
exits 0 "site-load with a low1 template" site-load site.yaml
refund A 35 >/dev/null
exits 0 "balance 15.00: scan" alarm-scan --notify "$NOTIFY"
is "$(f 1 message)" "告警测试|101|A1|A|张三|15.00|20.00|15.00|余额偏低|{nope}" \
    "the template, every placeholder filled, an unknown one left as is"
is "$(calls '^resident\|13911111111\|low1\|1\|A\|A1\|告警测试\|101\|A1\|A\|张三\|15.00\|')" 1 \
    "the resident's notice is the template"
sale A 100 >/dev/null
exits 0 "scan" alarm-scan

# --- the scripts, with stand-ins for gammu-smsd-inject and curl --------------------------

mkdir fake
cat >fake/gammu-smsd-inject <<'EOF'
#!/bin/sh
for a; do printf '[%s]' "$a"; done >>"$T/gammu.log"
echo >>"$T/gammu.log"
echo "Written message with ID 42"
EOF
cat >fake/curl <<'EOF'
#!/bin/sh
for a; do printf '[%s]' "$a"; done >>"$T/curl.log"
printf ' stdin=[%s]\n' "$(cat)" >>"$T/curl.log"
echo '{"status":"ok"}'
EOF
chmod +x fake/*
export T
refund A 100 >/dev/null
exits 0 "balance 15.00: notify-gammu" env PATH="$T/fake:$PATH" alarm-scan --notify "$top/scripts/notify-gammu"
is "$(head -n 1 "$T/out")" "time,level,alarm,meter,account,name,phone,room,balance,value,message" \
    "notify-gammu prints nothing"
is "$(cat "$T/gammu.log")" "[TEXT][13911111111][-unicode][-text][告警测试|101|A1|A|张三|15.00|20.00|15.00|余额偏低|{nope}]
[TEXT][13800000000][-unicode][-text][告警测试|101|A1|A|张三|15.00|20.00|15.00|余额偏低|{nope}]" \
    "gammu-smsd-inject TEXT PHONE -unicode -text TEXT, for the resident and the manager"
refund A 11 >/dev/null
exits 0 "balance 4.00: notify-http" env PATH="$T/fake:$PATH" PREPAY_SMS_URL=http://sms.invalid/send \
    PREPAY_SMS_KEY=s3cret alarm-scan --notify "$top/scripts/notify-http"
is "$(head -n 1 "$T/out")" "time,level,alarm,meter,account,name,phone,room,balance,value,message" \
    "notify-http prints nothing"
is "$(sed -n 1p "$T/curl.log")" "[-fsS][--max-time][20][--data-urlencode][key@-][--data-urlencode][phone=13911111111][--data-urlencode][text=【告警测试】101房电费余额仅4.00元，已低于5.00元，即将欠费停电，请尽快购电。][http://sms.invalid/send] stdin=[s3cret]" \
    "curl -fsS --max-time 20 --data-urlencode ..., the key on its standard input"
like "$T/curl.log" '\[phone=13800000000\]' "and the manager's copy"
sale A 100 >/dev/null
alarm-scan >/dev/null
refund A 100 >/dev/null
exits 75 "notify-http without PREPAY_SMS_URL fails" env PATH="$T/fake:$PATH" alarm-scan --notify "$top/scripts/notify-http"
like "$T/err" "PREPAY_SMS_URL must be set" "it says why"
exits 0 "the owed notices go out through another command" alarm-scan --notify "$NOTIFY"
is "$(calls '^resident\|13911111111\|low2\|2\|A\|.*仅4.00元')|$(calls '^manager\|13800000000\|low2\|2\|A\|.*仅4.00元')" "1|1" \
    "one notice, one copy"
sale A 111 >/dev/null

# --- an own wallet: the meter's balance; mismatch -------------------------------------

refund W 40 >/dev/null
# A recharge of 5.00 that reaches the meter past the ledger: count 3 after 2.
$PY - "$P2" <<'EOF'
import socket, struct, sys
pdu = struct.pack(">BHHBiH", 16, 0x0200, 3, 6, 500, 3)
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1)
s.sendall(struct.pack(">HHHB", 1, 0, len(pdu) + 1, 1) + pdu)
s.recv(260)
EOF
poll
wallet=$(sql "SELECT printf('%.2f', meter_balance / 100.0) FROM meters WHERE meter = 'W1'")
exits 0 "W1's wallet at $wallet, the ledger's at 10.00: scan" \
    alarm-scan --notify "$NOTIFY; echo 'Written message with ID 1'"
is "$(head -n 1 "$T/out")" "time,level,alarm,meter,account,name,phone,room,balance,value,message" \
    "the notice command's output does not mix with the rows"
sed -n '/^time,level,/,$p' "$T/out" >scan.csv
is "$(row scan.csv 1 alarm meter account balance)" "low1|W1|W|$wallet" \
    "low1 for the own-wallet account, with the meter's own balance"
is "$(row scan.csv 2 level alarm meter value)" "2|mismatch|W1|the meter counts 3 purchases, the ledger 2 with 0 pending" \
    "mismatch: the meter counts 3 purchases, the ledger 2 (as report reconcile says)"
is "$(calls '^resident\|13922222222\|low1\|1\|W\|W1\|')" 1 "W's resident is told"
is "$(grep '^resident|low1|W|' "$CALLS.env" | cut -d'|' -f6)" "$wallet" \
    "PREPAY_BALANCE is the balance of the row and of the text"
is "$(calls '^manager\|13800000000\|mismatch\|2\|W\|W1\|')" 1 "the manager hears of the mismatch"

# --- overload, voltage ------------------------------------------------------------------

site "" "" "" ", overload_w: 1" >site.yaml
site-load site.yaml >/dev/null || echo "Bail out! site-load overload_w"
poll
exits 0 "O1's overload_w is 1: scan" alarm-scan -k overload --notify "$NOTIFY"
is "$(col "$T/out" alarm)|$(col "$T/out" meter)|$(col "$T/out" level)" "overload|O1|1" "O1 draws more than overload_w 1"
is "$(col "$T/out" value)" "$(sql "SELECT power_w FROM meters WHERE meter = 'O1'")" "the value is the power in W"
is "$(calls '^manager\|13800000000\|overload\|1\|\|O1\|')" 1 "the manager is told"
is "$(calls '^resident\|[^|]*\|overload')" 0 "no resident for a meter alarm"
exits 0 "trip O1" meter-ctl trip O1
poll
exits 0 "scan" alarm-scan --all -k overload
is "$(nrows "$T/out")|$(standing overload O1)" "0|0" "no power, no overload: cleared"

# Every meter runs at 221 to 234 V: a band of 1-2 V leaves them all out.
# The voltage is of the slow class: the last reading that has one.
volts=$(sql "SELECT printf('%.1f', voltage_dv / 10.0) FROM readings WHERE meter_id = (SELECT id FROM meters WHERE meter = 'W1') AND voltage_dv IS NOT NULL ORDER BY time DESC, id DESC LIMIT 1")
is "$(sql "SELECT CASE WHEN voltage_dv IS NULL THEN 1 ELSE 0 END FROM readings WHERE meter_id = (SELECT id FROM meters WHERE meter = 'W1') ORDER BY time DESC, id DESC LIMIT 1")" 1 \
    "W1's last reading is of the fast class: no voltage"
site "" "1-2" >site.yaml
site-load site.yaml >/dev/null || echo "Bail out! site-load voltage_band"
exits 0 "voltage_band 1-2: scan" alarm-scan -k voltage
is "$(col "$T/out" meter)" "W1 O1 L1 G1" "the polled meters are outside 1-2 V"
is "$(f 1 level alarm meter account value)" "1|voltage|W1|W|$volts" "level 1, the voltage as the value"
is "$(f 1 message)" "【告警测试】表W1（102）电压${volts}伏，超出1-2伏。" "the voltage default"
is "$(standing voltage A1)" 0 "A1, read by hand, has no voltage"
site >site.yaml
site-load site.yaml >/dev/null || echo "Bail out! site-load"
exits 0 "voltage_band 198-242: scan" alarm-scan
is "$(standing voltage)" 0 "221 to 234 V is inside 198-242: cleared"

# --- lost, gateway, command ---------------------------------------------------------

stop_sim
cat "$T/sim.err" >>"$T/all.err"
start_sim site.yaml --state "$T/sim.state" --dead L1 --down gw3
exits 75 "a trip for dead L1 stays pending" meter-ctl trip L1
poll
exits 0 "after one failed poll" alarm-scan -k lost
is "$(standing lost)|$(standing gateway)" "0|0" "not lost yet (lost_after 2)"
poll
exits 0 "after two" alarm-scan --notify "$NOTIFY"
is "$(standing lost L1)|$(standing lost G1)" "1|1" "L1 and G1 are lost"
is "$(standing gateway gw3)|$(standing gateway gw2)" "1|0" "gw3 is lost, gw2 is not"
is "$(standing command L1)" 1 "the trip that failed 3 times raises command"
is "$(sql "SELECT message FROM alarms WHERE kind = 'lost' AND cleared IS NULL AND meter_id = (SELECT id FROM meters WHERE meter = 'L1')")" \
    "告警测试：表L1（104）失联，失联" "lost: the site's template"
is "$(sql "SELECT level || '|' || value || '|' || message FROM alarms WHERE kind = 'gateway' AND cleared IS NULL")" \
    "3|gw3|【告警测试】网关gw3失联。" "gateway: level 3, the name, the default"
is "$(sql "SELECT level || '|' || value || '|' || message FROM alarms WHERE kind = 'command' AND cleared IS NULL")" \
    "2|trip|【告警测试】表L1的拉闸命令多次未成功。" "command: level 2, the action"
is "$(calls '^manager\|13800000000\|gateway\|3\|\|\|')" 1 "the manager hears of the gateway"
is "$(calls '^manager\|13800000000\|lost\|2\|')" 2 "and of both lost meters"
stop_sim
cat "$T/sim.err" >>"$T/all.err"
start_sim site.yaml --state "$T/sim.state"
poll
exits 0 "everyone answers again: scan" alarm-scan --all
is "$(standing lost)|$(standing gateway)|$(standing command)" "0|0|0" "lost, gateway and command clear"

# --- counter ------------------------------------------------------------------------

import A1 1010
exits 0 "a reading that goes backwards: scan" alarm-scan -k counter
is "$(f 1 level alarm meter value)" "1|counter|A1|backwards" "counter: the flag is the value"
is "$(bal A)" "115.00" "a backwards reading charges nothing"
import A1 1018
exits 0 "a good reading: scan" alarm-scan --all -k counter
is "$(nrows "$T/out")|$(standing counter A1)" "0|0" "counter clears"

# --- roles --------------------------------------------------------------------------

if [ "$(id -u)" = 0 ]; then
	for login in "$CASHIER" "$POLLER"; do
		id -u "$login" >/dev/null 2>&1 || useradd -M -N -r "$login" ||
		    echo "# could not create login $login"
	done
	login_role "$CASHIER" cashier
	login_role "$POLLER" poller
	chmod 777 "$T"
	chmod 666 "$PREPAY_DB" "$PREPAY_DB-wal" "$PREPAY_DB-shm" "$CALLS" "$T"/*.lock 2>/dev/null
	run runuser -u "$CASHIER" -- env PREPAY_DB="$PREPAY_DB" "$PREPAY_BIN/alarm-scan"
	is "$rc" 77 "a cashier gets 77"
	like "$T/err" "$CASHIER" "the refusal names the login"
	run runuser -u "$POLLER" -- env PREPAY_DB="$PREPAY_DB" CALLS="$CALLS" \
	    "$PREPAY_BIN/alarm-scan" --all --notify "$NOTIFY"
	is "$rc" 0 "the poller scans"
else
	for i in 1 2 3; do
		tap_n=$((tap_n + 1))
		echo "ok $tap_n # skip not root"
	done
fi

# --- every notice wholly Chinese ------------------------------------------

# What the notice command was given, and every alarm's text kept.
cut -d '|' -f 7- "$CALLS" >notices.txt
sql "SELECT message FROM alarms" >>notices.txt
is "$(sql "SELECT group_concat(kind, ' ') FROM (SELECT DISTINCT kind FROM
    alarms ORDER BY kind) AS k")" \
    "arrears command counter gateway lost low1 low2 mismatch overload voltage" \
    "the run raised every kind of alarm a meter or an account has"
is "$(latin_notices notices.txt)" "" \
    "no notice says a word in ASCII letters besides a meter, account, room or gateway"
printf '【告警测试】表A1的recharge命令多次未成功。\n' >latin.txt
is "$(latin_notices latin.txt)" "【告警测试】表A1的recharge命令多次未成功。" \
    "and the check finds an English action name"

exits 0 "report verify" report verify -o csv
done_testing
