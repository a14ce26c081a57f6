#!/bin/sh
# web-pay: a resident pays end to end.  prepay-web makes the order and asks
# the fake platform (payplatform.py serve) for the payment over HTTP, signed
# with the merchant's key; the resident pays at the platform's checkout; the
# platform's signed notification comes back to prepay-web, which posts the
# one sale as web:wechat or web:alipay.  Also: 50 copies of a notification
# from the platform at once, prepay-web killed by SIGKILL amid 50 more,
# and a platform that is down.
. "$(dirname "$0")/lib.sh"
need openssl curl sqlite3

# 2026-03-10 12:00:00 in Shanghai, the fake platform's clock too.
export PREPAY_NOW=1773115200

pay_keys conf
start_platform fake --retries 3 --retry-wait 0
# prepay-web's own port, which the site's notify_base names.
W=$(port_base)
{
	cat "$FIXTURES/site.yaml"
	pay_yaml "http://127.0.0.1:$W" "http://127.0.0.1:$fake_port" \
	    "http://127.0.0.1:$fake_port/gateway.do" wechat-merchant.pem \
	    alipay-app.pem 5157F09EFDC096DE15EBE81A47057A7232F1B8E1
} >conf/site.yaml
exits 0 "the site with the platforms at the fake" site-load conf/site.yaml
{
	acct-open -n 张三 -p 13912345678 0101070723 &&		# 100001
	acct-open -n 李四 -p 13800001111 010107072A		# 100002
} >/dev/null || echo "Bail out! acct-open"
start_web -l "127.0.0.1:$W" -c conf/site.yaml

# balance JAR ACCOUNT: the account's balance as prepay-web answers it.
balance() {
	api "$1" GET "/api/accounts/$2"
	$PY -c 'import json, sys; print(json.load(sys.stdin)["balance"])' \
	    <"$T/body"
}
# field NAME: a member of the last JSON body.
field() {
	$PY -c 'import json, sys; v = json.load(sys.stdin).get(sys.argv[1])
print("" if v is None else v)' "$1" <"$T/body"
}

api a POST /api/bind '{"account":"100001","check":"5678"}'
is "$code" 200 "张三 binds 100001 with his phone's last four digits"
is "$(balance a 100001)" "0.00" "his balance: 0.00"

# --- WeChat Pay -------------------------------------------------------------

api a POST /api/orders '{"account":"100001","amount":"50.00","channel":"wechat"}'
is "$code" 201 "he asks to pay 50.00 by WeChat: the order is made"
no=$(field out_trade_no)
like "$T/body" '"state": *"created"' "created"
is "$(field pay_url)" "http://127.0.0.1:$fake_port/checkout/wechat/$no" \
    "and prepay-web asked the platform: its pay_url is the platform's checkout"
is "$(field amount_fen)" 5000 "for 5000 fen"
is "$(sql "SELECT count(*) FROM ledger WHERE kind = 'sale'")" 0 \
    "nothing is sold yet"
curl -s -o "$T/page" "$(field pay_url)"
like "$T/page" '确认支付' "the platform's checkout page asks to confirm"
like "$T/page" '50\.00' "the amount"

curl -s -o "$T/page" -X POST "http://127.0.0.1:$fake_port/checkout/wechat/$no"
like "$T/page" '支付成功' "he pays at the platform: its notification was taken"
api a GET "/api/orders/$no"
like "$T/body" '"state": *"paid"' "the order is paid"
serial=$(field serial)
like "$T/body" '"serial": *"20260310[0-9]{6}"' "with its sale's serial"
is "$(balance a 100001)" "50.00" "his balance: 50.00"
report txns -o csv >"$T/txns"
like "$T/txns" "^$serial,.*,sale,100001,.*50\\.00,wechat,.*web:wechat" \
    "report txns: the sale by wechat, operator web:wechat"
is "$(sql "SELECT ref FROM ledger WHERE serial = '$serial'")" \
    "$(sql "SELECT transaction_id FROM orders WHERE out_trade_no = '$no'")" \
    "its ref is the platform's transaction id"

# --- Alipay --------------------------------------------------------------------

api b POST /api/bind '{"account":"100002","check":"1111"}'
is "$code" 200 "李四 binds 100002"
api b POST /api/orders '{"account":"100002","amount":"20.50","channel":"alipay"}'
is "$code" 201 "he asks to pay 20.50 by Alipay"
noa=$(field out_trade_no)
is "$(field pay_url)" "http://127.0.0.1:$fake_port/checkout/alipay/$noa" \
    "the pay_url is Alipay's checkout"
api a GET "/api/orders/$noa"
is "$code" 403 "张三 cannot see 李四's order"
curl -s -o "$T/page" -X POST "http://127.0.0.1:$fake_port/checkout/alipay/$noa"
like "$T/page" '支付成功' "he pays: Alipay's notification was taken"
api b GET "/api/orders/$noa"
like "$T/body" '"state": *"paid"' "the order is paid"
is "$(balance b 100002)" "20.50" "his balance: 20.50"
report txns -o csv >"$T/txns"
like "$T/txns" ",sale,100002,.*20\\.50,alipay,.*web:alipay" \
    "report txns: the sale by alipay, operator web:alipay"

# --- 50 copies of one notification at once ------------------------------------

api a POST /api/orders '{"account":"100001","amount":"10.00","channel":"wechat"}'
no50=$(field out_trade_no)
curl -s -o "$T/page" -X POST \
    "http://127.0.0.1:$fake_port/checkout/wechat/$no50?copies=50"
like "$T/page" '支付成功' "the platform sends 50 copies of the notification at once"
curl -s "http://127.0.0.1:$fake_port/log" >"$T/log"
is "$($PY -c 'import json, sys
d = [e for e in json.load(sys.stdin) if e.get("order") == sys.argv[1]
     and "status" in e]
print(len(d), len([e for e in d if e["status"] == 204]))' "$no50" <"$T/log")" \
    "50 50" "prepay-web answered all 50 with 204"
is "$(sql "SELECT count(*) FROM ledger l JOIN orders o ON o.ledger_id = l.id
    WHERE o.out_trade_no = '$no50'")" 1 "one sale for the order"
is "$(sql "SELECT count(*) FROM ledger WHERE kind = 'sale' AND account_id =
    (SELECT id FROM accounts WHERE account = '100001')")" 2 \
    "张三 has two sales in all"
is "$(balance a 100001)" "60.00" "his balance: 60.00"

# --- kill -9 in the middle of 50 copies -------------------------------------------
# prepay-web dies by SIGKILL while 50 copies of one notification arrive:
# whatever had committed stays, nothing is half written, and the
# platform's next retry, to the restarted server, makes the sale once.

api a POST /api/orders '{"account":"100001","amount":"7.00","channel":"wechat"}'
no9=$(field out_trade_no)
wx k9 --order "$no9" --txn 4200000009202603100000000009 --total 700
grep '^Wechatpay-' k9.headers | tr -d '\r' >k9.h
i=0 copies=""
while [ $i -lt 50 ]; do
	curl -s -o /dev/null -H @k9.h -H 'Content-Type: application/json' \
	    --data-binary @k9.body "$URL/pay/wechat/notify" &
	copies="$copies $!"
	i=$((i + 1))
done
stop_web KILL
# shellcheck disable=SC2086
wait $copies
is "$web_exit" 137 "prepay-web killed by SIGKILL amid the copies"
if on_pg; then
	tap_n=$((tap_n + 1))
	echo "ok $tap_n # SKIP integrity_check reads a SQLite file; a server keeps its own storage whole when a client is killed (the next test: the sale and its order, together or neither)"
else
	is "$(sqlite3 "$PREPAY_DB" 'PRAGMA integrity_check')" ok "the database is whole"
fi
is "$(sql "SELECT count(*) FROM ledger WHERE ref = '4200000009202603100000000009'")" \
    "$(sql "SELECT count(*) FROM orders WHERE out_trade_no = '$no9' AND state = 'paid'")" \
    "a sale made before the kill has its order paid with it, or neither is"
start_web -l "127.0.0.1:$W" -c conf/site.yaml
code=$(curl -s -o "$T/body" -w '%{http_code}' -H @k9.h \
    -H 'Content-Type: application/json' --data-binary @k9.body \
    "$URL/pay/wechat/notify")
is "$code" 204 "the platform's retry to the restarted prepay-web: 204"
is "$(sql "SELECT count(*) FROM ledger WHERE ref = '4200000009202603100000000009'")" 1 \
    "one sale"
api a GET "/api/orders/$no9"
like "$T/body" '"state": *"paid"' "the order is paid"
is "$(balance a 100001)" "67.00" "his balance: 67.00"

# --- the platform down -----------------------------------------------------------

kill "$fake_pid"
wait "$fake_job" 2>/dev/null
api a POST /api/orders '{"account":"100001","amount":"5.00","channel":"wechat"}'
is "$code" 201 "the platform down: the order is still made"
is "$(field pay_url)" "" "without a pay_url"
like "$T/body" '"pay_error": *".*the platform is unreachable' \
    "and pay_error says why"
like "$T/web.err" "POST /api/orders: 201: order [0-9a-f]{32}: .*unreachable" \
    "prepay-web logs it"
is "$(sql "SELECT count(*) FROM ledger WHERE kind = 'sale'")" 4 \
    "and nothing is sold"

exits 0 "report verify passes" report verify
stop_web
is "$web_exit" 0 "prepay-web stops on SIGTERM with exit 0"
done_testing
