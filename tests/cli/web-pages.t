#!/bin/sh
# The resident's pages in a real browser: prepay-web over HTTP on a real
# database with a month of readings, headless Chromium driven through
# chromedriver's WebDriver API (webdriver.py); curl for the refusals, the
# escaping and the headers.  A resident binds, sees the balance as report
# accounts has it, 30 daily bars, a day's 48 half hours with the night
# standby, the purchases and a receipt's uppercase amount, paying at the
# fake platform's checkout (payplatform.py serve), the power off
# after a trip; another's account is the same 403 as none at all.
. "$(dirname "$0")/lib.sh"

# No skip: the browser is part of what is tested.
for prog in chromium chromedriver curl openssl; do
	command -v "$prog" >/dev/null 2>&1 ||
	    { echo "Bail out! $prog is not installed"; exit 1; }
done

WD="$PY $top/tests/cli/webdriver.py"
base=$(port_base)
simport=$((base + 1))
cdport=$((base + 2))
cd_pid=""
drain_pid=""
S=""
# The browser's session first, which ends Chromium, then what we started.
stop_all() {
	[ -n "$S" ] && $WD "$D" "$S" quit 2>/dev/null
	for p in $cd_pid $drain_pid; do
		kill "$p" 2>/dev/null
	done
	cleanup
}
trap stop_all EXIT

# The month: history from 02-08 00:00, the pages seen on 03-10 at 12:30,
# when the fake platform's Alipay notification is fresh.
day0=1770480000		# 2026-02-08 00:00 Shanghai
now=$((day0 + 30 * 86400 + 12 * 3600 + 1800))
export PREPAY_NOW=$((day0 - 86400))

# The site takes Alipay, at the fake platform; the keys made now.
webport=$((base + 3))
fake_port=$((base + 4))
pay_keys conf

cat >conf/site.yaml <<EOF2
site: 八里台校区
defaults: {price: 0.5000, alarm1: 20.00, alarm2: 5.00, overload_w: 10000}
buildings:
  - name: 1号楼
    gateways:
      - name: g1
        address: tcp://127.0.0.1:$simport
        meters:
          - {meter: "A1", unit: 1, floor: 1, room: "101", profile: dds238-2, billing: account}
          - {meter: "B1", unit: 2, floor: 2, room: "202", profile: dds238-2, billing: account}
          - {meter: "E1", unit: 3, floor: 3, room: "303", profile: dds238-2, billing: account}
payments:
  notify_base: http://127.0.0.1:$webport
  alipay:
    app_id: "2021000000000000"
    public_key_file: alipay-pub.pem
    private_key_file: alipay-app.pem
    gateway: http://127.0.0.1:$fake_port/gateway.do
EOF2
site-load conf/site.yaml >/dev/null || echo "Bail out! site-load"
acct-open -a A-101 -n 王芳 -p 13912345678 A1 >/dev/null ||
    echo "Bail out! acct-open A"
acct-open -a B-202 -n '<script>alert(1)</script>' -p 13800001234 B1 \
    >/dev/null || echo "Bail out! acct-open B"
sale A-101 300 >/dev/null || echo "Bail out! sale A"
sale B-202 100 -o csv >sale.b || echo "Bail out! sale B"
# E1 ran before E-404 moved in at noon on 02-28: the tenant before's.
PREPAY_NOW=$((day0 + 20 * 86400 + 43200)) acct-open -a E-404 -n 赵六 \
    -p 13700004321 E1 >/dev/null || echo "Bail out! acct-open E"

# A1 read every half hour: 100 W at night (00:00-06:00), 400 W by day,
# 1200 W in the evening (18:00-24:00): 12.60 kWh a day.  B1 twice a day.
# E1 200 W all along.
$PY - "$day0" "$((now - 1800))" >readings.csv <<'EOF2'
import sys, time
day0, end = int(sys.argv[1]), int(sys.argv[2])
print("meter,time,energy_kwh")
def watts(t):
    h = (t - day0) % 86400 / 3600
    return 100 if h < 6 else 400 if h < 18 else 1200
wh = 1000000
t = day0
while t <= end:
    print("A1,%s,%.3f" % (time.strftime("%Y-%m-%d %H:%M", time.localtime(t)), wh / 1000))
    if (t - day0) % 43200 == 0:
        print("B1,%s,%.3f" % (time.strftime("%Y-%m-%d %H:%M", time.localtime(t)), (2000000 + (t - day0) // 3600 * 300) / 1000))
    print("E1,%s,%.3f" % (time.strftime("%Y-%m-%d %H:%M", time.localtime(t)), (500000 + (t - day0) // 1800 * 100) / 1000))
    wh += watts(t) // 2
    t += 1800
EOF2
export PREPAY_NOW=$now
meter-read --import readings.csv >/dev/null ||
    echo "Bail out! meter-read --import: $(cat "$T/err" 2>/dev/null)"
# The meters now: on from where the readings left them, polled live.
last_a=$(tail -n 1 readings.csv | cut -d, -f3)
printf 'A1 energy=%s\nB1 energy=%s\nE1 energy=%s\n' \
    "$($PY -c "print(round($(grep '^A1' readings.csv | tail -n 1 | cut -d, -f3) * 1000) + 200)")" \
    "$($PY -c "print(round($(grep '^B1' readings.csv | tail -n 1 | cut -d, -f3) * 1000) + 3000)")" \
    "$($PY -c "print(round($(grep '^E1' readings.csv | tail -n 1 | cut -d, -f3) * 1000) + 100)")" \
    >sim.state
start_sim conf/site.yaml --state sim.state
exits 0 "the meters polled now" meter-read
sale A-101 50 -o csv >sale.csv || echo "Bail out! sale A 50"
serial=$(row sale.csv 1 serial)

# The platform's clock is the pages' own: its notifications are fresh.
start_platform fake --port "$fake_port" --retries 2 --retry-wait 0
start_web -l 127.0.0.1:$webport -c conf/site.yaml
W=$URL

# chromedriver: it says on its stdout when it listens.
rm -f "$T/cd.fifo"
mkfifo "$T/cd.fifo"
chromedriver --port="$cdport" >"$T/cd.fifo" 2>"$T/cd.err" &
cd_pid=$!
exec 7<"$T/cd.fifo"
while IFS= read -r line <&7; do
	case $line in
	*"started successfully"*) break ;;
	esac
done
cat <&7 >/dev/null &
drain_pid=$!
exec 7<&-
D=http://127.0.0.1:$cdport
$WD "$D" new "$T/session" 2>"$T/wd.err" ||
    { echo "Bail out! no browser session: $(cat "$T/wd.err")"; exit 1; }
S=$(cat "$T/session")
wd() {
	$WD "$D" "$S" "$@" 2>>"$T/wd.err"
}

# PREPAY_SHOTS=DIR keeps the screenshots there, to look at.
keep_shots() {
	[ -n "${PREPAY_SHOTS:-}" ] && cp "$T"/*.png "$PREPAY_SHOTS"/ 2>/dev/null
	return 0
}

# png FILE: the width and height of a PNG, from its IHDR.
png() {
	$PY -c 'import struct, sys
d = open(sys.argv[1], "rb").read()
assert d[:8] == b"\x89PNG\r\n\x1a\n" and d[12:16] == b"IHDR"
print("%dx%d" % struct.unpack(">II", d[16:24]))' "$1" 2>/dev/null || echo "no PNG"
}

# --- binding in the browser ----------------------------------------------

wd go "$W/"
is "$(wd url)" "$W/bind" "/ without a session goes to /bind"
wd shot bind.png
is "$(png bind.png)" "390x844" "the bind page's screenshot: a phone's 390x844 PNG"
like_text() {	# CSS PATTERN NAME: the element's text matches
	wd text "$1" >"$T/text"
	like "$T/text" "$2" "$3"
}
like_text "form#bind" "手机号后四位" "the bind form asks for the phone's last four digits"
is "$(wd count '#getcode')" 0 "no code button: the site binds by phone"
wd fill '#account' A-101
wd fill '#check' 0000
wd click 'form#bind button[type=submit]'
is "$(wd waittext '#msg')" "账户号或校验码不正确" "a wrong check: the form says so"
is "$(wd url)" "$W/bind" "... and stays"
wd fill '#check' 5678
wd click 'form#bind button[type=submit]'
wd wait '#balance'
is "$(wd url)" "$W/a/A-101" "bound: on to the account's page"

# --- the balance ----------------------------------------------------------

report accounts -o csv >acc.csv
$PY -c 'import csv,sys
for r in csv.DictReader(open(sys.argv[1], encoding="utf-8")):
    if r["account"] == "A-101": print(r["balance"])' acc.csv >want
is "$(wd text '#balance')" "￥$(cat want)" "the balance is report accounts' ($(cat want))"
report readings A1 -o csv >rd.csv
is "$(wd text '#asof')" "$(row rd.csv -1 time)" "as of the last reading, the poll's"
is "$(wd text '#power')" "通电" "the power is on"
like_text '#meters' "A1.*101.*通电" "the meter, its room and its switch"
wd shot balance.png
is "$(png balance.png)" "390x844" "the balance page's screenshot"

# --- the chart ------------------------------------------------------------

is "$(wd count 'svg.bars rect.bar')" 30 "the chart has 30 bars"
is "$(wd count 'svg.bars rect.gap')" 0 "... and no gap: every day has readings"
is "$(wd count 'svg.bars a[href="/a/A-101/day/2026-02-22"]')" 1 "each bar links to its day"
wd shot chart.png 'svg.bars'
case $(png chart.png) in
3[0-9][0-9]x[1-2][0-9][0-9]) ok 0 "the chart's screenshot: a PNG of the chart" ;;
*) ok 1 "the chart's screenshot: a PNG of the chart ($(png chart.png))" ;;
esac
report usage A1 --from 2026-02-22 --to 2026-02-23 --by day -o csv >u.csv
is "$(wd prop 'svg.bars a[href$="/2026-02-22"] title' textContent)" \
    "2026-02-22 $(row u.csv 1 energy_kwh) kWh" "the bar's day is report usage's"

# --- a day's curve --------------------------------------------------------

wd click 'svg.bars a[href$="/day/2026-02-22"] rect'
wd wait 'svg.curve'
is "$(wd url)" "$W/a/A-101/day/2026-02-22" "the bar leads to its day"
is "$(wd count 'svg.curve circle.pt')" 48 "the curve has 48 points"
is "$(wd count 'svg.curve polyline')" 1 "one unbroken line"
is "$(wd text '#daytotal')" "12.60 kWh" "the day's total, as the bar"
is "$(wd text '#standby')" "100 W" "the night standby shows: 100 W from 00:00 to 06:00"
report usage A1 --from "2026-02-22 02:00" --to "2026-02-22 03:00" --by hour -o csv >u.csv
is "$(wd prop 'svg.curve circle.pt:nth-of-type(5) title' textContent)" \
    "02:00 0.05 kWh，平均 100 W" "a night half hour: half of report usage's hour ($(row u.csv 1 energy_kwh))"
wd shot day.png
is "$(png day.png)" "390x844" "the day page's screenshot"
wd go "$W/a/A-101/day/2026-03-10"
is "$(wd count 'svg.curve circle.pt')" 25 "today: 25 half hours read by 12:30, the rest empty, not zero"
wd go "$W/a/A-101/day/2026-02-01"
is "$(wd count 'svg.curve circle.pt')|$(wd count 'svg.curve polyline')" "0|0" \
    "a day before any reading: no point, no line"

# --- purchases and the receipt ----------------------------------------------

wd go "$W/a/A-101/purchases"
is "$(wd count '#ledger tr')" 4 "the purchases: the open, two sales and the head"
wd click "#ledger a[href=\"/a/A-101/receipt/$serial\"]"
wd wait '#upper'
is "$(wd text '#upper')" "伍拾元整" "the receipt's uppercase amount: 50.00 is 伍拾元整"
is "$(wd text '#amount')|$(wd text '#serial')" "￥50.00|$serial" "its amount and serial"
like_text 'section.receipt' "八里台校区" "the site's name heads it"
wd shot receipt.png
is "$(png receipt.png)" "390x844" "the receipt's screenshot"

# --- another's account --------------------------------------------------------

wd go "$W/a/B-202"
like_text 'main' "无权查看" "B's account is not A's to see"
wd go "$W/a/B-202/day/2026-02-22"
like_text 'main' "无权查看" "... nor its days"

# --- the power off after a trip ------------------------------------------------

exits 0 "meter-ctl trip A1" meter-ctl trip A1
report status -o csv >st.csv
relay=$($PY -c 'import csv,sys
for r in csv.DictReader(open(sys.argv[1], encoding="utf-8")):
    if r["meter"] == "A1": print(r["relay"])' st.csv)
is "$relay" "tripped" "the meter's relay is open"
wd go "$W/a/A-101"
is "$(wd text '#power')" "已断电" "the page says the power is off"
like_text '#meters' "A1.*已断电" "... at the meter"
wd go "$W/"
like_text '#accounts' "A-101.*已断电" "and in the list of accounts"

# --- paying ------------------------------------------------------------------

wd go "$W/a/A-101/pay"
is "$(wd count 'input[name=channel]')|$(wd prop 'input[name=channel]' value)" \
    "1|alipay" "the pay page offers the site's one channel, Alipay"
wd fill '#amount' 30.00
wd click 'form#pay button[type=submit]'
like_url() { wd url >"$T/url"; like "$T/url" "$1" "$2"; }
wd wait 'button#pay'
like_url "^http://127\\.0\\.0\\.1:$fake_port/checkout/alipay/[0-9a-f]{32}\$" \
    "the order made and asked of Alipay: on to the platform's checkout"
order=$(wd url | sed 's|.*/||')
like_text 'body' "30\\.00" "which asks for 30.00"
wd shot checkout.png
is "$(png checkout.png)" "390x844" "the checkout's screenshot"
is "$(sql "SELECT amount || ' ' || state || ' ' || CASE WHEN requested IS NOT NULL THEN 1 ELSE 0 END FROM orders WHERE out_trade_no = '$order'")" \
    "3000 created 1" "the order's row: 30.00 yuan, created, asked of the platform"
wd go "$W/a/A-101/order/$order"
is "$(wd text '#state')" "待支付" "its page: it waits for the platform"
# The resident pays in Alipay's app: the platform's checkout, and its
# signed notification to prepay-web.
curl -s -X POST "http://127.0.0.1:$fake_port/checkout/alipay/$order" >paid.html
like paid.html "支付成功" "the platform's notification is taken"
wd wait '#order a[href*="/receipt/"]'
is "$(wd text '#state')" "已支付" "the order's page sees it paid, by its own refresh"
wd click '#order a[href*="/receipt/"]'
wd wait '#upper'
is "$(wd text '#upper')" "叁拾元整" "its receipt: 叁拾元整"
like_text 'section.receipt' "支付宝" "... paid by Alipay"
wd go "$W/a/A-101"
report accounts -o csv >acc.csv
$PY -c 'import csv,sys
for r in csv.DictReader(open(sys.argv[1], encoding="utf-8")):
    if r["account"] == "A-101": print(r["balance"])' acc.csv >want
is "$(wd text '#balance')" "￥$(cat want)" "the balance has it, as report accounts does ($(cat want))"

# --- the low-balance notice ---------------------------------------------------

wd go "$W/a/A-101/notice"
is "$(wd waittext '#now')" "未设置提醒" "no notice set"
wd click 'input[name=on]'
wd fill '#below' 20.00
wd click 'form#notice button[type=submit]'
is "$(wd waittext '#msg')" "已保存" "the notice saved"
is "$(sql "SELECT below FROM notice_settings n JOIN accounts a ON a.id = n.account_id WHERE a.account = 'A-101'")" \
    2000 "below 20.00 yuan, stored"
wd go "$W/a/A-101/notice"
is "$(wd waittext '#now')" "余额低于 20.00 元时提醒" "the page shows it again"

# --- curl: refusals, escaping, headers ------------------------------------------

code() {	# URL [CURL ARGS]: the status and the body in $T/body
	_u=$1
	shift
	curl -s -o "$T/body" -w '%{http_code}' "$@" "$_u"
}
is "$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "$W/")" \
    "303 $W/bind" "no session: / is a 303 to /bind"
is "$(code "$W/api/bind" -c jar.b -H 'Content-Type: application/json' \
    -d '{"account": "B-202", "check": "1234"}')" 200 "B binds B-202"
is "$(code "$W/a/B-202" -b jar.b)" 200 "B sees B-202"
like "$T/body" "&lt;script&gt;alert\\(1\\)&lt;/script&gt;（B-202）" "the name is shown escaped"
unlike "$T/body" "<script>alert" "... never as markup"
unlike "$T/body" "<script>[^<]|<script>$| style=|onclick=|javascript:" \
    "no inline script or style for the Content-Security-Policy to stop"
exits 0 "reverse B's sale" reverse --reason 错收 "$(row sale.b 1 serial)" -o csv
rev=$(f 1 serial)
is "$(code "$W/a/B-202/purchases" -b jar.b)" 200 "B's purchases"
like "$T/body" "<td>冲正</td><td>[^<]*</td><td class=\"num\">-100\\.00</td>" "the reversal is there, -100.00"
like "$T/body" "href=\"/a/B-202/receipt/$rev\"" "... with its receipt"
is "$(code "$W/a/B-202/receipt/$rev" -b jar.b)" 200 "the reversal's receipt"
like "$T/body" 'id="upper" class="upper">负壹佰元整<' "its uppercase amount keeps the sign: 负壹佰元整"
like "$T/body" '<dd>错收</dd>' "... and the reason"
is "$(code "$W/a/A-101" -b jar.b)" 403 "A's account is 403 for B"
cp "$T/body" forbidden.a
is "$(code "$W/a/NOPE" -b jar.b)" 403 "an account that is not there: 403 too"
cmp -s forbidden.a "$T/body"
ok $? "... the same page: nothing learned of which accounts exist"
is "$(code "$W/a/A-101/receipt/$serial" -b jar.b)" 403 "A's receipt is 403 for B"
is "$(code "$W/a/B-202/receipt/$serial" -b jar.b)" 404 "... and no receipt of B's under B's account"
is "$(code "$W/a/A-101")" 403 "no session: 403"
is "$(code "$W/a/$(printf 'x%.0s' $(seq 40))" -b jar.b)" 403 "a too long account: 403"
for bad in 2026-02-30 2026-3-01 x 2026-03-01x ""; do
	is "$(code "$W/a/B-202/day/$bad" -b jar.b)" 404 "day \"$bad\": 404"
done
is "$(code "$W/a/B-202/order/$order" -b jar.b)" 404 "A's order under B's account: 404"
is "$(code "$W/a/B-202/nothing" -b jar.b)" 404 "an unknown page of an account: 404"
is "$(code "$W/nothing" -b jar.b)" 404 "an unknown path: 404"
is "$(code "$W/bind" -X POST -d x)" 405 "a page is only read"
# A tenant who moved in at noon sees nothing of the one before.
is "$(code "$W/api/bind" -c jar.e -H 'Content-Type: application/json' \
    -d '{"account": "E-404", "check": "4321"}')" 200 "E binds E-404"
code "$W/a/E-404" -b jar.e >/dev/null
is "$(grep -c '<rect class="bar"' "$T/body")|$(grep -c '<rect class="gap"' "$T/body")" \
    "11|19" "E-404: a bar from the day it moved in, 02-28, gaps before"
like "$T/body" "<title>2026-02-28 2\\.40 kWh</title>" \
    "the day it moved in: 200 W from noon, 2.40 kWh, not the morning's"
code "$W/a/E-404/day/2026-02-28" -b jar.e >/dev/null
is "$(grep -c '<circle class="pt"' "$T/body")" 24 "its curve that day: the 24 half hours from noon"
like "$T/body" 'id="daytotal">2\.40 kWh<' "... 2.40 kWh in all"
code "$W/a/E-404/day/2026-02-27" -b jar.e >/dev/null
is "$(grep -c '<circle class="pt"' "$T/body")" 0 "the day before: nothing of the tenant before"
curl -s -D hdr -o app.css "$W/static/app.css"
like hdr "^Cache-Control: public, max-age=31536000, immutable" "the stylesheet is kept a year"
like hdr "^Content-Type: text/css" "... as CSS"
curl -s -D hdr -o app.js "$W/static/app.js"
like hdr "^Content-Type: text/javascript" "the script, as JavaScript"
like "$T/body" "href=\"/static/app.css\\?v=[0-9a-f]{16}\"" "pages link them by a version of their content"
curl -s -D hdr -o /dev/null -b jar.b "$W/a/B-202"
like hdr "^Cache-Control: no-store" "an account's page is not kept"

# SIGTERM: prepay-web ends gracefully, and the sanitizers had nothing to say.
stop_web
is "$web_exit" 0 "prepay-web ends at SIGTERM, exit 0"

# A site that binds by one-time codes: the form asks for one and has the
# button that sends it.
printf 'web:\n  bind_check: code\n  notify: /bin/true\n' >conf/code.yaml
start_web -l 127.0.0.1:0 -c conf/code.yaml
is "$(code "$URL/bind")" 200 "the bind page of a site of codes"
like "$T/body" '<button id="getcode"' "it has the button that sends a code"
like "$T/body" '短信验证码' "... and asks for the code, not the phone"
unlike "$T/body" '手机号后四位' "... nowhere for the phone's digits"
stop_web
is "$web_exit" 0 "that prepay-web ends too"
unlike "$T/web.err" "Sanitizer|runtime error|LeakSanitizer" "prepay-web: no sanitizer report"

keep_shots
done_testing
