#!/bin/sh
# watchdog.t: a stopped poller is visible.  report status shows each
# meter's reading age; alarm-scan raises the watchdog alarm when the
# site's newest reading is older than twice poll_minutes, or no meter of a
# gateway has answered in that time (not polled, or polled and silent),
# tells sms_to, and clears it when the polls come back.
. "$(dirname "$0")/lib.sh"

P=$(port_base)
cat >site.yaml <<EOF
site: 看门狗
defaults:
  price: 0.5380
  poll_minutes: 15
  sms_to: "13900000009"
buildings:
  - name: 1号楼
    gateways:
      - name: gw1
        address: tcp://127.0.0.1:$P
        timeout_ms: 300
        retries: 1
        meters:
          - {meter: "0101000001", unit: 1, floor: 1, room: "101", profile: sdm120}
  - name: 2号楼
    gateways:
      - name: gw2
        address: tcp://127.0.0.1:$((P + 1))
        timeout_ms: 300
        retries: 1
        meters:
          - {meter: "0201000001", unit: 1, floor: 1, room: "101", profile: dds238-2}
EOF
site-load site.yaml >/dev/null || echo "Bail out! site-load"
start_sim site.yaml --seed 5

notify='printf "%s|%s|%s|%s\n" "$PREPAY_TO" "$PREPAY_PHONE" "$PREPAY_ALARM" "$PREPAY_TEXT" >>notices'
at() { PREPAY_NOW="2026-03-02 $1:00"; export PREPAY_NOW; }
scan() { run alarm-scan -k watchdog --notify "$notify" -o csv; }
standing() {
	report alarms --open -o csv >"$T/al.csv" 2>/dev/null
	$PY -c 'import csv,sys
print(" ".join(r["value"] for r in csv.DictReader(open(sys.argv[1], encoding="utf-8")) if r["alarm"] == "watchdog"))' "$T/al.csv"
}

# A site never polled has nothing to watch.
at 09:00
scan
is "$rc.$(nrows "$T/out")" "0.0" "never polled: no watchdog"

at 10:00
meter-read >/dev/null 2>&1
at 10:20
exits 0 "report status" report status -o csv
is "$(f 1 meter age_min)" "0101000001|20" "status: the reading age, 20 minutes"
is "$(f 2 meter age_min)" "0201000001|20" "status: each meter's"
is "$(f 1 age_s)" 1200 "status: the reading age in seconds, 1200"
at 10:30
scan
is "$(nrows "$T/out")" 0 "30 minutes (2 x 15) is not yet late"

# --- the poller stops ------------------------------------------------------
at 10:31
scan
is "$rc" 0 "10:31: alarm-scan exit 0"
is "$(nrows "$T/out")" 1 "the site's watchdog is raised, once"
is "$(f 1 alarm level)" "watchdog|3" "kind watchdog, level 3"
is "$(f 1 value)" "全站最新读数已是31分钟前" "its value says how old the newest reading is"
msg=$(f 1 message)
is "$msg" "【看门狗】抄表中断：全站最新读数已是31分钟前，请检查抄表服务和网关。" \
    "the notice, wholly Chinese"
is "$(printf '%s' "$msg" | tr -d -c 'A-Za-z' | wc -c)" 0 "not one Latin letter"
is "$(cat notices)" "manager|13900000009|watchdog|$msg" \
    "the notice went to sms_to"
at 11:00
scan
is "$(nrows "$T/out")" 0 "a standing watchdog is not raised again"
is "$(wc -l <notices)" 1 "nor told again"

# --- the polls come back -----------------------------------------------------
at 11:05
meter-read >/dev/null 2>&1
scan
is "$(standing)" "" "a poll clears it"
at 11:10
exits 0 "report status after the poll" report status -o csv
is "$(f 1 age_min)" 5 "the reading age is 5 minutes again"

# --- one gateway is no longer polled -----------------------------------------
for m in 11:20 11:35 11:50; do
	at $m
	meter-read -g gw1 >/dev/null 2>&1
done
at 11:35
scan
is "$(standing)" "" "11:35: gw2 last polled 30 minutes ago, not late"
at 11:50
scan
is "$(standing)" "网关gw2已45分钟无读数" \
    "11:50: gw2 not polled for 45 minutes: its watchdog, not the site's"
like notices "^manager\|13900000009\|watchdog\|【看门狗】抄表中断：网关gw2已45分钟" \
    "and sms_to is told"
at 11:55
meter-read >/dev/null 2>&1
scan
is "$(standing)" "" "a poll of every gateway clears it"
report alarms -o csv >"$T/all.csv"
is "$(col "$T/all.csv" alarm | tr ' ' '\n' | grep -c watchdog)" 2 \
    "the history keeps both watchdog alarms"

# --- a bus that stays locked: its gateway is not polled ---------------------------
hold_bus gw2
for m in 12:10 12:25 12:40; do
	at $m
	meter-read --wait 0 >/dev/null 2>&1
done
release
scan
is "$(standing)" "网关gw2已45分钟无读数" \
    "gw2's bus held by another process for 45 minutes: its watchdog"
at 12:45
meter-read >/dev/null 2>&1
scan
is "$(standing)" "" "the bus free again, the next poll clears it"

# --- a gateway down: polled every time, and silent ----------------------------
stop_sim
start_sim site.yaml --seed 5 --down gw2
for m in 13:00 13:15 13:30 13:45; do
	at $m
	meter-read >/dev/null 2>&1
done
scan
is "$(standing)" "网关gw2已60分钟无读数" \
    "gw2 down, polled and silent for an hour: its watchdog, the site's none"
stop_sim
start_sim site.yaml --seed 5
at 14:00
meter-read >/dev/null 2>&1
scan
is "$(standing)" "" "gw2 mended, the poll it answers clears it"

# --- the nightly verify's verdict ------------------------------------------------
exits 64 "--verify takes ok or fail" alarm-scan --verify maybe
like "$T/err" '^alarm-scan: --verify maybe: use ok or fail$' "and says so"
at 14:10
run alarm-scan -k verify --verify fail --notify "$notify" -o csv
is "$rc.$(f 1 alarm level)" "0.verify|3" "--verify fail raises the verify alarm"
like notices "^manager\|13900000009\|verify\|【看门狗】夜间账本与审计链校验未通过，请立即核查。\$" \
    "and tells sms_to, in Chinese"
run alarm-scan -k verify --verify fail -o csv
is "$(nrows "$T/out")" 0 "a second failure: the alarm stands, not raised again"
run alarm-scan -k verify --verify ok -o csv
is "$(sql "SELECT count(*) FROM alarms WHERE kind = 'verify' AND cleared IS NULL")" 0 \
    "--verify ok clears it"
run alarm-scan -k verify -o csv
is "$(sql "SELECT count(*) FROM alarms WHERE kind = 'verify'")" 1 \
    "a scan without --verify leaves it be"

stop_sim
done_testing
