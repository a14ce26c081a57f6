#!/bin/sh
# pay-request: a payment asked of the platform for an order (pay-order
# --request), over HTTP to the fake platform (payplatform.py serve): the
# merchant's signature checked by the platform, the platform's answer by
# us; then the platform's checkout pays, and its notification, caught by
# a small receiver, is taken by pay-order's replay as a real sale.
. "$(dirname "$0")/lib.sh"
need openssl curl

# 2026-03-10 12:00:00 in Shanghai; the fake platform's clock too.
export PREPAY_NOW=1773115200
FAKE=$top/tests/cli/payplatform.py

pay_keys conf
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
    -out conf/rogue.key 2>/dev/null
chmod 640 conf/*.key

# The merchant's server, as far as a notification goes: each request's
# headers and body kept in rx/N.headers, rx/N.body; the first --refuse N
# and those under /lost/ answered 500, the others 200 "success".
mkdir rx
cat >receiver.py <<'PY'
import http.server, os, sys, threading
a = sys.argv
ready, refuse = a[a.index("--ready") + 1], int(a[a.index("--refuse") + 1])
lock, count = threading.Lock(), [0]
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        with lock:
            count[0] += 1
            n = count[0]
        with open("rx/%d.headers" % n, "w") as f:
            f.write("POST %s\n" % self.path)
            for k, v in self.headers.items():
                f.write("%s: %s\n" % (k, v))
        with open("rx/%d.body" % n, "wb") as f:
            f.write(body)
        bad = n <= refuse or self.path.startswith("/lost/")
        out = b"FAIL" if bad else b"success"
        self.send_response(500 if bad else 200)
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
with open(ready, "w") as f:
    f.write("%d %d\n" % (os.getpid(), s.server_address[1]))
s.serve_forever()
PY
start_server rx $PY receiver.py --refuse 1
start_platform fake --retries 2 --retry-wait 0

# site PORT [MERCHANT-KEY [APP-KEY [MERCHANT-SERIAL]]]: the site file
# with the platforms at 127.0.0.1:PORT, on stdout; notify_base $NOTIFY,
# or the receiver.
site() {
	cat "$FIXTURES/site.yaml"
	pay_yaml "${NOTIFY:-http://127.0.0.1:$rx_port}" "http://127.0.0.1:$1" \
	    "http://127.0.0.1:$1/gateway.do" "${2:-wechat-merchant.key}" \
	    "${3:-alipay-app.key}" "${4-5157F09EFDC096DE15EBE81A47057A7232F1B8E1}"
}
site "$fake_port" >conf/site.yaml
exits 0 "the site with merchant_serial loads" site-load conf/site.yaml
is "$(sql "SELECT value FROM settings WHERE key = 'pay.wechat.merchant_serial'")" \
    5157F09EFDC096DE15EBE81A47057A7232F1B8E1 "merchant_serial is kept among the settings"
{
	acct-open -n 张三 0101070723 &&		# 100001
	acct-open -n 李四 010107072A		# 100002
} >/dev/null || echo "Bail out! acct-open"

# log: the fake platform's log, one JSON object a line, in $T/log.
log() {
	curl -sf "http://127.0.0.1:$fake_port/log" |
	    $PY -c 'import json, sys
for e in json.load(sys.stdin): print(json.dumps(e, ensure_ascii=False, sort_keys=True))' >"$T/log"
}

# --- asking the platform --------------------------------------------------

exits 0 "pay-order --request: an order made and asked of WeChat Pay" \
    pay-order -o csv --request 100001 50.00 wechat
is "$(head -n 1 "$T/out")" \
    "out_trade_no,account,channel,amount,state,created,paid,transaction_id,serial,requested,pay_url,refund_id,refunded,refunded_by" \
    "the order columns end with requested and pay_url"
nowx=$(sed -n 2p "$T/out" | cut -d, -f1)
like "$T/out" "^$nowx,100001,wechat,50\\.00,created,2026-03-10 12:00:00,,,,2026-03-10 12:00:00,http://127\\.0\\.0\\.1:$fake_port/checkout/wechat/$nowx,,,\$" \
    "the order is created, asked now, with the fake's checkout address"
is "$(sql "SELECT state || ' ' || requested || ' ' || pay_url FROM orders WHERE out_trade_no = '$nowx'")" \
    "created 1773115200 http://127.0.0.1:$fake_port/checkout/wechat/$nowx" "the answer is kept on the order"
log
like "$T/log" "^\\{\"amount\": 5000, \"client\": \"127\\.0\\.0\\.1\", \"notify_url\": \"http://127\\.0\\.0\\.1:$rx_port/pay/wechat/notify\", \"order\": \"$nowx\", \"request\": \"wechat\"\\}\$" \
    "the platform took the merchant's signature: the order, 5000 fen, the notify_url"
is "$(sql "SELECT count(*) FROM audit WHERE summary LIKE '%order $nowx asked of wechat%'")" 1 \
    "the asking is audited"
is "$(sql "SELECT count(*) FROM ledger WHERE kind = 'sale'")" 0 "asking moves no money"

exits 0 "an order asked of Alipay" pay-order -o csv --request 100001 0.01 alipay
noali=$(sed -n 2p "$T/out" | cut -d, -f1)
like "$T/out" "^$noali,100001,alipay,0\\.01,created,.*,http://127\\.0\\.0\\.1:$fake_port/checkout/alipay/$noali,,,\$" \
    "its qr_code is the fake's checkout address"
log
like "$T/log" "\"amount\": 1, \"notify_url\": \"http://127\\.0\\.0\\.1:$rx_port/pay/alipay/notify\", \"order\": \"$noali\", \"request\": \"alipay\"" \
    "Alipay took the RSA2 sign: one fen, the notify_url"

exits 0 "an order asked again" pay-order -o csv --request "$nowx"
like "$T/out" "^$nowx,100001,wechat,50\\.00,created,.*/checkout/wechat/$nowx,,,\$" "the same order, asked again"
exits 0 "show gives the address again" pay-order -o csv --show "$nowx"
like "$T/out" "/checkout/wechat/$nowx,,,\$" "as --show"
exits 0 "report orders has it" report orders -o csv
like "$T/out" "^$noali,.*/checkout/alipay/$noali,,,\$" "and report orders"

# --- refusals: the order stays created, to be asked again ----------------

# refused NAME CODE MESSAGE ARGS...: pay-order --request ARGS fails with
# CODE and one line of MESSAGE; the order made stays created, unasked.
refused() {
	_name=$1 _code=$2 _msg=$3
	shift 3
	exits "$_code" "$_name" pay-order -o csv --request "$@"
	like "$T/err" "^pay-order: order [0-9a-f]{32}: $_msg\$" "$_name: the message says why"
	is "$(wc -l <"$T/err" | tr -d ' ')" 1 "$_name: one line"
	_no=$(sed -n 's/^pay-order: order \([0-9a-f]*\): .*/\1/p' "$T/err")
	is "$(sql "SELECT state || ',' || coalesce(CAST(requested AS TEXT), '') || ',' || coalesce(pay_url, '') FROM orders WHERE out_trade_no = '$_no'")" \
	    "created,," "$_name: the order stays created, unasked"
}

site "$fake_port" alipay-app.key >conf/wrongkey.yaml
exits 0 "a site whose WeChat merchant key is not the merchant's" site-load conf/wrongkey.yaml
refused "a wrong merchant key: WeChat refuses" 1 \
    "wechat refused the order: HTTP 401 SIGN_ERROR: 签名错误" 100001 10 wechat
nore=$_no
exits 0 "the right key back" site-load conf/site.yaml
exits 0 "the refused order asked again" pay-order -o csv --request "$nore"
like "$T/out" "^$nore,100001,wechat,10\\.00,created,.*/checkout/wechat/$nore,,,\$" "now it has its address"

site "$fake_port" "" wechat-merchant.key >conf/wrongkey.yaml
site-load conf/wrongkey.yaml >/dev/null
refused "a wrong app key: Alipay refuses" 1 \
    "alipay refused the order: HTTP 200 isv.invalid-signature: Invalid Arguments 验签出错" 100001 10 alipay

site "$fake_port" "" "" "" >conf/noserial.yaml
site-load conf/noserial.yaml >/dev/null
refused "no merchant_serial" 78 "the site file's payments: wechat has no merchant_serial" 100001 10 wechat

# The platform's answer signed by a key that is not the site's.
start_server rogue $PY "$FAKE" serve --wechat-sign conf/rogue.key \
    --apiv3 conf/wechat-apiv3.key --merchant-pub conf/merchant-pub.pem \
    --alipay-sign conf/rogue.key --alipay-app-pub conf/app-pub.pem
site "$rogue_port" >conf/rogue.yaml
site-load conf/rogue.yaml >/dev/null
refused "a WeChat answer signed by an unknown key" 65 \
    "wechat: the answer is refused: bad_signature: the signature does not verify" 100001 10 wechat
refused "an Alipay answer signed by an unknown key" 65 \
    "alipay: the answer is refused: the signature does not verify" 100001 10 alipay
kill "$rogue_pid"
wait "$rogue_job"
refused "the platform down" 69 \
    "http://127\\.0\\.0\\.1:$rogue_port/v3/pay/transactions/h5: the platform is unreachable: .*" \
    100001 10 wechat
start_platform bare --unsigned
site "$bare_port" >conf/bare.yaml
site-load conf/bare.yaml >/dev/null
refused "an unsigned WeChat answer" 65 \
    "wechat: the answer is refused: malformed: a header of Wechatpay-Timestamp, -Nonce, -Signature or -Serial is missing" \
    100001 10 wechat
refused "an unsigned Alipay answer" 65 \
    "alipay: the answer is refused: it is not signed" 100001 10 alipay
exits 0 "the site's platform back" site-load conf/site.yaml

exits 0 "an order of account 100002" pay-order -o csv 100002 20.00 wechat
nocl=$(sed -n 2p "$T/out" | cut -d, -f1)
acct-close 100002 >/dev/null
exits 1 "a closed account's order is not asked" pay-order --request "$nocl"
like "$T/err" "^pay-order: order $nocl: account 100002 is closed\$" "saying so"
exits 65 "an order that is not there" pay-order --request 0123456789abcdef0123456789abcdef
like "$T/err" "no such order\$" "saying so"
exits 64 "--request with two operands" pay-order --request 100001 10

# --- the checkout pays: the notification, delivered ----------------------

exits 0 "the WeChat checkout page" curl -sf "http://127.0.0.1:$fake_port/checkout/wechat/$nowx"
like "$T/out" '¥50\.00' "it shows the amount"
like "$T/out" '<button type="submit" id="pay">确认支付</button>' "and the 确认支付 button"
exits 0 "pay at the checkout" curl -sf -X POST "http://127.0.0.1:$fake_port/checkout/wechat/$nowx"
like "$T/out" '支付成功' "the platform says 支付成功"
log
like "$T/log" "\"accepted\": false, \"answer\": \"FAIL\", \"attempt\": 1, \"channel\": \"wechat\", \"copy\": 1, \"order\": \"$nowx\", \"status\": 500" \
    "the first delivery was refused (500)"
like "$T/log" "\"accepted\": true, \"answer\": \"success\", \"attempt\": 2, \"channel\": \"wechat\", \"copy\": 1, \"order\": \"$nowx\", \"status\": 200" \
    "and sent again, accepted"
like rx/2.headers "^POST /pay/wechat/notify\$" "it went to the order's notify_url"
exits 0 "the delivered notification is taken" pay-order -o csv --wechat rx/2.headers rx/2.body
like "$T/out" "^$nowx,100001,wechat,50\\.00,paid,.*,4200[0-9]+,20260310[0-9]{6}," "the order is paid by a sale"
is "$(sql "SELECT kind || ' ' || amount || ' ' || method FROM ledger WHERE kind = 'sale'")" "sale 5000 wechat" "a real sale of 50.00 by wechat"
exits 0 "the first, refused copy is the same payment" pay-order --wechat rx/1.headers rx/1.body
like "$T/err" "was paid already" "a duplicate"
is "$(sql "SELECT count(*) FROM ledger WHERE kind = 'sale'")" 1 "no second sale"
exits 1 "a paid order is not asked again" pay-order --request "$nowx"
like "$T/err" "^pay-order: order $nowx is paid: only a created order is asked of the platform\$" "saying so"

exits 0 "pay the Alipay order, three copies at once" \
    curl -sf -X POST "http://127.0.0.1:$fake_port/checkout/alipay/$noali?copies=3"
log
is "$(grep -c "\"accepted\": true, .*\"channel\": \"alipay\", .*\"order\": \"$noali\"" "$T/log")" 3 \
    "three copies delivered and answered"
for n in 3 4 5; do
	pay-order --alipay rx/$n.body >/dev/null 2>&1
done
is "$(sql "SELECT count(*) || ' ' || sum(amount) FROM ledger WHERE method = 'alipay'")" "1 1" \
    "the three copies make one sale of one fen"
is "$(sql "SELECT state FROM orders WHERE out_trade_no = '$noali'")" paid "the Alipay order is paid"

exits 0 "a page that is no order" sh -c "curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$fake_port/checkout/wechat/nothere"
is "$(cat "$T/out")" 404 "is 404"

# --- the statement (对账) recovers a notification that never got through --

NOTIFY=http://127.0.0.1:$rx_port/lost site "$fake_port" >conf/lost.yaml
site-load conf/lost.yaml >/dev/null
exits 0 "an order whose notifications will be refused" pay-order -o csv --request 100001 30.00 wechat
nolost=$(sed -n 2p "$T/out" | cut -d, -f1)
exits 0 "pay it" sh -c "curl -s -w ' %{http_code}' -X POST http://127.0.0.1:$fake_port/checkout/wechat/$nolost"
like "$T/out" '<h1>通知未被接受</h1>' "the platform says its notification was not taken"
like "$T/out" '^ 502$' "with 502"
log
is "$(grep -c "\"order\": \"$nolost\", \"status\": 500" "$T/log")" 3 "sent three times (--retries 2), refused each time"
is "$(sql "SELECT state FROM orders WHERE out_trade_no = '$nolost'")" created "the order is not paid"
exits 0 "the day's WeChat bill" curl -sf -o wechat.csv "http://127.0.0.1:$fake_port/bill?date=2026-03-10&channel=wechat"
exits 1 "pay-statement finds the payment missing, and posts it" pay-statement -o csv --apply --wechat wechat.csv
is "$(f 1 diff out_trade_no account statement_amount ledger_amount)" "posted|$nolost|100001|30.00|30.00" \
    "the lost payment is posted to the order's account"
is "$(nrows "$T/out")" 1 "the notified payment agrees"
is "$(sql "SELECT state FROM orders WHERE out_trade_no = '$nolost'")" paid "the order is paid"
exits 0 "the bill again: all agrees" pay-statement -o csv --wechat wechat.csv
exits 0 "the day's Alipay statement" curl -sf -o alipay.csv "http://127.0.0.1:$fake_port/bill?date=2026-03-10&channel=alipay"
exits 0 "it agrees with the ledger" pay-statement -o csv --alipay alipay.csv

# No secret is in the database or the audit.
db_dump >dump.sql
unlike dump.sql 'PRIVATE KEY|-----BEGIN|signature=' "no key or signature is in the database"

done_testing
