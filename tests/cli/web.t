#!/bin/sh
# web: prepay-web over real HTTP (curl): sessions and bindings, two
# residents kept apart, the limits, the one-time code, the JSON API, the
# platforms' notifications, and the office's side (report bindings,
# acct-unbind, the bind alarm).
. "$(dirname "$0")/lib.sh"
need openssl curl sha256sum

# 2026-03-10 12:00:00 in Shanghai, whatever the hour of the run.
NOW0=1773115200
export PREPAY_NOW=$NOW0

# The platforms' keys and the merchant's, and the site with payments:
# (lib.sh), and web: behind a proxy on this machine.
pay_site conf
cat >>conf/site.yaml <<YAML
web:
  trusted_proxies: [127.0.0.1]
  session_days: 30
YAML
exits 0 "site-load takes the web: section" site-load conf/site.yaml
is "$(sql "SELECT count(*) FROM settings WHERE key LIKE 'web%'")" 0 \
    "web: is checked, not stored: prepay-web reads it when it starts"
sed 's/  session_days: 30/  session_days: 0/' conf/site.yaml >conf/bad.yaml
exits 78 "a session_days of 0 is refused" site-load conf/bad.yaml
like "$T/err" 'session_days' "saying which key"
sed 's/  trusted_proxies: \[127.0.0.1\]/  trusted_proxies: [gateway.lan]/' \
    conf/site.yaml >conf/bad.yaml
exits 78 "a trusted proxy that is no address is refused" site-load conf/bad.yaml
like "$T/err" 'trusted_proxies: "gateway.lan" is no IPv4 or IPv6 address' "saying why"
printf 'web:\n  bind_check: code\n' >conf/bad.yaml
exits 78 "codes without a notice command are refused" prepay-web -c conf/bad.yaml
like "$T/err" 'bind_check: code needs a notify command' "saying why"

{
	acct-open -n 张三 -p 13912345678 0101070723 &&		# 100001
	acct-open -n 李四 -p "138 0000 1111" 010107072A &&	# 100002
	acct-open -n 王五 0101070722 &&				# 100003: no phone
	acct-close --balance 0 100003 &&
	acct-open -n 赵六 -p 13700002222 0101070722		# 100004: to close
} >/dev/null || echo "Bail out! acct-open"
exits 0 "an order of 100004 made before it closes" pay-order -o csv 100004 20.00 wechat
nocl=$(sed -n 2p "$T/out" | cut -d, -f1)
exits 0 "close 100004" acct-close --balance 0 100004

touch "$T/a" "$T/b" "$T/c" "$T/x"

# --- the server ------------------------------------------------------------

exits 0 "prepay-web -h" prepay-web -h
like "$T/out" '^usage: prepay-web \[-d FILE\] \[-l ADDR:PORT\] \[-c SITE-OR-CONFIG\]' "the usage"
exits 64 "a bad option" prepay-web --no-such-option
exits 64 "an operand" prepay-web extra
exits 64 "a listen address that is none" prepay-web -l localhost
like "$T/err" '^prepay-web: listen "localhost": give ADDR:PORT or \[ADDR6\]:PORT$' "saying so"
exits 66 "a missing database" prepay-web -d "$T/none.db" -l 127.0.0.1:0
[ ! -e "$T/none.db" ]
ok $? "is not created"
exits 66 "a missing config" prepay-web -c conf/none.yaml -l 127.0.0.1:0

start_web -l 127.0.0.1:0 -c conf/site.yaml
exits 69 "an address in use" prepay-web -l "${URL#http://}"
like "$T/err" "^prepay-web: listen ${URL#http://}: Address already in use\$" "saying so"
case $URL in http://127.0.0.1:[0-9]*) ok 0 "--ready gives the address it listens on: $URL" ;;
*) ok 1 "--ready gives the address it listens on: $URL" ;; esac

api x GET /api/accounts
is "$code" 401 "no session: GET /api/accounts is 401"
like "$T/body" '^\{"code":"UNAUTHORIZED","message":"no session' "with a JSON reason"
is "$(header X-Content-Type-Options)|$(header X-Frame-Options)|$(header Cache-Control)" \
    "nosniff|DENY|no-store" "the security headers and no-store are on every answer"
like "$T/hdr" "^Content-Security-Policy: default-src 'self'" "and a Content-Security-Policy"

# --- binding ---------------------------------------------------------------

api a POST /api/bind '{"account":"100001","check":"5678"}'
is "$code" 200 "resident A binds 100001 by the last four digits of its phone"
like "$T/body" '^\{"account":"100001","name":"张三","state":"open","balance":"0\.00","balance_fen":0,' \
    "and gets the account's summary"
like "$T/body" '"meters":\[\{"meter":"0101070723","address":"2","building":"1号楼","floor":"1","room":"152102",' \
    "with its meters and rooms"
cookie=$(header Set-Cookie)
like "$T/hdr" '^Set-Cookie: pp_session=[0-9a-f]{64}; HttpOnly; SameSite=Lax; Path=/; Max-Age=2592000' \
    "the cookie: 64 hex digits, HttpOnly, SameSite=Lax, Path=/, 30 days"
case $cookie in *Secure*) ok 1 "no Secure flag without an https public_url" ;;
*) ok 0 "no Secure flag without an https public_url" ;; esac
token=$(printf '%s' "$cookie" | sed 's/^pp_session=\([0-9a-f]*\);.*/\1/')
is "$(sql "SELECT count(*) FROM web_sessions WHERE hash = '$token'")" 0 \
    "the database does not keep the token"
is "$(sql "SELECT count(*) FROM web_sessions WHERE hash = '$(printf '%s' "$token" | sha256sum | cut -c1-64)'")" 1 \
    "only its SHA-256"
is "$(sql "SELECT expires - created FROM web_sessions")" 2592000 "which expires in 30 days"
is "$(sql "SELECT count(*) FROM audit WHERE tool = 'prepay-web' AND login = 'web' AND summary = 'account 100001 bound by binding 1 from 127.0.0.1'")" \
    1 "the binding is audited, by the web"

api b POST /api/bind '{"account":"100002","check":"1111"}'
is "$code" 200 "resident B binds 100002 (the phone's last four digits, spaces aside)"

api a GET /api/accounts/100002
is "$code" 403 "A cannot see B's account"
cp "$T/body" forbidden.json
like forbidden.json '^\{"code":"FORBIDDEN","message":"' "403 with a JSON reason"
api a GET /api/accounts/999999
is "$code" 403 "an account that does not exist is 403 too"
cmp -s "$T/body" forbidden.json
ok $? "with the same body: nothing is learned"
api b GET /api/accounts/100001
is "$code" 403 "B cannot see A's account"
cmp -s "$T/body" forbidden.json
ok $? "the same body again"
api a GET /api/accounts/100001
is "$code" 200 "A sees its own account"
api a GET /api/accounts
is "$code|$(body | grep -o '"account":"[0-9]*"' | tr '\n' ' ')" '200|"account":"100001" ' \
    "GET /api/accounts lists A's accounts only"

# A wrong check, an unknown account, an account without a phone, a closed
# one: the same 403, and nothing else.
api x POST /api/bind '{"account":"100002","check":"1112"}'
is "$code" 403 "a wrong check is 403"
cp "$T/body" refused.json
is "$(header Set-Cookie)" "" "and sets no cookie"
for a in '"999999","check":"1111"' '"100003","check":"0000"' '"100004","check":"2222"'; do
	api x POST /api/bind "{\"account\":$a}"
	is "$code" 403 "bind $a is 403"
	cmp -s "$T/body" refused.json
	ok $? "bind $a: the same body as a wrong check"
done
is "$(sql "SELECT count(*) FROM bind_failures")" 4 "the four failures are stored"
is "$(sql "SELECT group_concat(account || '@' || client, ' ') FROM bind_failures")" \
    "100002@127.0.0.1 999999@127.0.0.1 100003@127.0.0.1 100004@127.0.0.1" \
    "with the account as typed and the client"
like "$T/web.err" '^prepay-web: 127\.0\.0\.1 POST /api/bind: 403: account "100002" from 127\.0\.0\.1: bind refused$' \
    "each is logged, one line"
unlike "$T/web.err" '1112|5678' "the log never shows a check"
unlike "$T/web.err" "$token" "nor a session"

# Bad requests.
api x POST /api/bind 'not json'
is "$code" 400 "a body that is no JSON is 400"
like "$T/body" '^\{"code":"FAIL","message":"the body is no JSON object' "with FAIL and one line"
api x POST /api/bind '{"account":100001,"check":"5678"}'
is "$code" 400 "an account given as a number is 400"
api x POST /api/bind '{"account":"100001"}'
is "$code" 400 "a missing check is 400"
api x POST /api/bind/code '{"account":"100001"}'
is "$code" 404 "a code is not sent where the site binds by phone"

# --- the limits ------------------------------------------------------------

# Per account: 100002 has failed once; four more, from four clients
# that the trusted proxy (127.0.0.1) names.
for i in 1 2 3 4; do
	api x POST /api/bind '{"account":"100002","check":"0000"}' \
	    -H "X-Forwarded-For: 203.0.113.9, 192.0.2.$i"
	[ "$code" = 403 ] || echo "# try $i: $code"
done
is "$(sql "SELECT group_concat(client, ' ') FROM bind_failures WHERE account = '100002' AND client <> '127.0.0.1'")" \
    "192.0.2.1 192.0.2.2 192.0.2.3 192.0.2.4" \
    "the client is the trusted proxy's last forwarded address"
api c POST /api/bind '{"account":"100002","check":"1111"}' -H 'X-Forwarded-For: 192.0.2.50'
is "$code" 429 "a sixth try within 15 minutes is 429, even with the right check"
is "$(header Retry-After)" 900 "Retry-After: when the oldest failure leaves the window"
like "$T/body" '^\{"code":"TOO_MANY",' "with a JSON reason"
api a POST /api/bind '{"account":"100001","check":"5678"}' -H 'X-Forwarded-For: 192.0.2.50'
is "$code" 200 "another account is not limited by it"

# Per client: 20 failures from one address, on as many accounts.
i=0
while [ $i -lt 20 ]; do
	api x POST /api/bind "{\"account\":\"9000$i\",\"check\":\"0000\"}" \
	    -H 'X-Real-IP: 198.51.100.7'
	i=$((i + 1))
done
is "$(sql "SELECT count(*) FROM bind_failures WHERE client = '198.51.100.7'")" 20 \
    "X-Real-IP names the client when X-Forwarded-For does not"
api c POST /api/bind '{"account":"100001","check":"5678"}' -H 'X-Real-IP: 198.51.100.7'
is "$code" 429 "the client's 21st try is 429, even with the right check"
api c POST /api/bind '{"account":"100001","check":"5678"}' -H 'X-Real-IP: 198.51.100.8'
is "$code" 200 "another client is not limited"
rm -f "$T/c"
touch "$T/c"

exits 0 "alarm-scan" alarm-scan -o csv -k bind
like "$T/out" '24小时绑定失败28次，锁定户号1个' "the bind alarm counts the failures and the account locked out"
like "$T/out" ',bind,' "of kind bind"

# --- notice settings ----------------------------------------------------------

api a GET /api/accounts/100001/notice
is "$code|$(body)" '200|{"account":"100001","below":null}' "no threshold of its own at first"
api a PUT /api/accounts/100001/notice '{"below":"abc"}'
is "$code" 400 "a threshold that is no amount is 400"
api b PUT /api/accounts/100001/notice '{"below":"5.00"}'
is "$code" 403 "B cannot set A's threshold"
cmp -s "$T/body" forbidden.json
ok $? "the same 403 body"
api a PUT /api/accounts/100001/notice '{"below":"100.00"}'
is "$code|$(body)" '200|{"account":"100001","below":"100.00"}' "A sets 100.00"
is "$(sql "SELECT n.below || ' ' || CASE WHEN n.binding_id = b.id THEN 1 ELSE 0 END FROM notice_settings n JOIN web_bindings b ON b.account_id = n.account_id WHERE b.client = '192.0.2.50'")" \
    "10000 1" "stored in fen, with the binding that set it (A's, bound again from 192.0.2.50)"
is "$(sql "SELECT count(*) FROM audit WHERE tool = 'prepay-web' AND login = 'web' AND summary LIKE '%account 100001: low-balance notice below 100.00, set by binding%'")" \
    1 "audited as the web's change"

# --- orders -------------------------------------------------------------------

api a POST /api/orders '{"account":"100001","amount":"50.00","channel":"wechat"}'
is "$code" 201 "A orders 50.00 by WeChat Pay"
like "$T/body" '^\{"out_trade_no":"[0-9a-f]{32}","amount_fen":5000,"amount":"50\.00","state":"created","channel":"wechat","account":"100001","created":"2026-03-10 12:00:00",' \
    "the order: out_trade_no, amount_fen, state created"
like "$T/body" '"pay_url":null' "pay_url is null until the platform is asked"
no1=$(body | sed 's/.*"out_trade_no":"\([0-9a-f]*\)".*/\1/')
api b GET "/api/orders/$no1"
is "$code" 403 "B cannot see A's order"
cmp -s "$T/body" forbidden.json
ok $? "the same 403 body"
api b GET /api/orders/0123456789abcdef0123456789abcdef
is "$code" 403 "an order that does not exist is 403 too"
cmp -s "$T/body" forbidden.json
ok $? "the same body"
api a GET "/api/orders/$no1"
is "$code" 200 "A sees its order"
like "$T/body" "\"out_trade_no\":\"$no1\".*\"state\":\"created\"" "created"
api b POST /api/orders '{"account":"100001","amount":"50.00","channel":"wechat"}'
is "$code" 403 "B cannot order for A's account"
cmp -s "$T/body" forbidden.json
ok $? "the same 403 body"

n=$(sql "SELECT count(*) FROM orders")
for bad in '{"account":"100001","amount":50,"channel":"wechat"}' \
    '{"account":"100001","amount":"-5","channel":"wechat"}' \
    '{"account":"100001","amount":"12.345","channel":"wechat"}' \
    '{"account":"100001","amount":"0","channel":"wechat"}' \
    '{"account":"100001","amount":"99999999999","channel":"wechat"}' \
    '{"account":"100001","amount":"50.00","channel":"unionpay"}' \
    '{"account":"100001","amount":"50.00"}' \
    '[1,2]' '{"account":"100001","amount":"50.00","channel":"wechat"'; do
	api a POST /api/orders "$bad"
	is "$code" 400 "order $bad: 400"
	like "$T/body" '^\{"code":"FAIL","message":"([^"\\]|\\.)+"\}$' "order $bad: FAIL and one line"
done
is "$(sql "SELECT count(*) FROM orders")" "$n" "no bad order is made"

# --- WeChat Pay notifications -----------------------------------------------

# The fake platform's notifications: wx and ali (lib.sh).  notify OUT:
# POST OUT.body with OUT.headers' Wechatpay- headers (OUT.h for curl).
notify() {
	grep '^Wechatpay-' "$1.headers" | tr -d '\r' >"$1.h"
	code=$(curl -s -o "$T/body" -w '%{http_code}' -H @"$1.h" \
	    -H 'Content-Type: application/json' --data-binary @"$1.body" \
	    "$URL/pay/wechat/notify")
}
state() {
	sql "SELECT * FROM ledger ORDER BY 1"
	sql "SELECT * FROM orders ORDER BY 1"
	sql "SELECT * FROM accounts ORDER BY 1"
}

wx n1 --order "$no1" --txn 4200000001202603100000000001 --total 5000
notify n1
is "$code" 204 "a good notification: 204"
is "$(sql "SELECT kind || ' ' || amount || ' ' || method || ' ' || operator FROM ledger WHERE ref = '4200000001202603100000000001'")" \
    "sale 5000 wechat web:wechat" "the sale, by operator web:wechat"
exits 0 "report txns" report txns -o csv --account 100001
like "$T/out" ',sale,100001,.*,50\.00,wechat,.*,4200000001202603100000000001,,web:wechat,' \
    "report txns lists it"
api a GET "/api/orders/$no1"
like "$T/body" '"state":"paid",.*"serial":"20260310[0-9]{6}"' "the order is paid, with its sale's serial"
notify n1
is "$code" 204 "the same notification again: 204"
is "$(sql "SELECT count(*) FROM ledger WHERE ref = '4200000001202603100000000001'")" 1 "and no second sale"

# 50 copies at once.
api a POST /api/orders '{"account":"100001","amount":"30.00","channel":"wechat"}'
no2=$(body | sed 's/.*"out_trade_no":"\([0-9a-f]*\)".*/\1/')
wx n2 --order "$no2" --txn 4200000001202603100000000002 --total 3000
grep '^Wechatpay-' n2.headers | tr -d '\r' >n2.h
i=0 pids=
while [ $i -lt 50 ]; do
	curl -s -o /dev/null -w '%{http_code}\n' -H @n2.h \
	    --data-binary @n2.body "$URL/pay/wechat/notify" >"copy$i" &
	pids="$pids $!"
	i=$((i + 1))
done
for p in $pids; do
	wait "$p"
done
is "$(cat copy* | sort | uniq -c | sed 's/^ *//')" "50 204" "50 concurrent copies: every one 204"
is "$(sql "SELECT count(*) FROM ledger WHERE ref = '4200000001202603100000000002'")" 1 \
    "50 concurrent copies: exactly one sale"
is "$(bal 100001)" 80.00 "the balance is 80.00"

# refused NAME STATUS CODE OUT: the notification OUT is refused with
# STATUS and {"code":"FAIL"}, nothing is written, and it is counted.
refused() {
	state >before.txt
	_n=$(sql "SELECT count(*) FROM pay_refusals WHERE code = '$3'")
	notify "$4"
	is "$code" "$2" "$1: $2"
	like "$T/body" "^\\{\"code\":\"FAIL\",\"message\":\"$3: " "$1: FAIL, and why"
	state >after.txt
	cmp -s before.txt after.txt
	ok $? "$1: nothing is written to the ledger, the orders or the accounts"
	is "$(sql "SELECT count(*) FROM pay_refusals WHERE code = '$3'")" $((_n + 1)) \
	    "$1: counted"
}
api a POST /api/orders '{"account":"100001","amount":"12.34","channel":"wechat"}'
no3=$(body | sed 's/.*"out_trade_no":"\([0-9a-f]*\)".*/\1/')
wx n3 --order "$no3" --txn 4200000001202603100000000003 --total 1234 --tamper
refused "a body changed after signing" 400 bad_signature n3
wx n3 --order "$no3" --txn 4200000001202603100000000003 --total 1234 --serial NOPE
refused "an unknown serial" 400 unknown_serial n3
wx n3 --order "$no3" --txn 4200000001202603100000000003 --total 1234 --time $((PREPAY_NOW - 301))
refused "a stale notification" 400 stale n3
wx n3 --order "$no3" --txn 4200000001202603100000000003 --total 1233
refused "an amount that differs" 422 amount_differs n3
wx n3 --order 0123456789abcdef0123456789abcdef --txn 4200000001202603100000000003 --total 1234
refused "an unknown out_trade_no" 404 unknown_order n3
wx n3 --order "$no3" --txn 4200000001202603100000000003 --total 1234 --mchid 1900000999
refused "another merchant's" 400 merchant n3
wx n4 --order "$nocl" --txn 4200000001202603100000000004 --total 2000
notify n4
is "$code" 409 "a closed account's order: 409"
like "$T/body" '^\{"code":"FAIL","message":"closed_account: ' "closed_account, and why"
is "$(sql "SELECT state FROM orders WHERE out_trade_no = '$nocl'")" refund_due "the order is refund_due"
is "$(sql "SELECT count(*) FROM ledger WHERE ref = '4200000001202603100000000004'")" 0 "no sale to a closed account"
like "$T/web.err" '^prepay-web: 127\.0\.0\.1 POST /pay/wechat/notify: 422: wechat: amount_differs: ' \
    "each refusal is logged"

# --- Alipay ---------------------------------------------------------------------

alinotify() {
	code=$(curl -s -o "$T/body" -w '%{http_code}' --data-binary @"$1.body" \
	    -H 'Content-Type: application/x-www-form-urlencoded' \
	    "$URL/pay/alipay/notify")
}
api a POST /api/orders '{"account":"100001","amount":"8.00","channel":"alipay"}'
is "$code" 201 "an Alipay order"
noa=$(body | sed 's/.*"out_trade_no":"\([0-9a-f]*\)".*/\1/')
ali a1 --order "$noa" --trade-no 2026031022001400000000000001 --amount 8.00
alinotify a1
is "$code|$(body)" "200|success" "a good Alipay notification: 200 success"
is "$(sql "SELECT amount || ' ' || method || ' ' || operator FROM ledger WHERE ref = '2026031022001400000000000001'")" \
    "800 alipay web:alipay" "the sale, by operator web:alipay"
alinotify a1
is "$code|$(body)" "200|success" "the same again: success"
is "$(sql "SELECT count(*) FROM ledger WHERE ref = '2026031022001400000000000001'")" 1 "one sale"
ali a2 --order "$noa" --trade-no 2026031022001400000000000001 --amount 8.00 --tamper
n=$(ledger)
alinotify a2
is "$code|$(body)" "400|fail" "a tampered Alipay form: 400 fail"
is "$(ledger)" "$n" "nothing is written"

# --- limits of the server ----------------------------------------------------------

head -c 70000 /dev/zero | tr '\0' x >big.body
code=$(curl -s -o "$T/body" -w '%{http_code}' --data-binary @big.body "$URL/api/bind")
is "$code" 413 "a body over 64 KiB is 413"
code=$(curl -s -o "$T/body" -w '%{http_code}' -H 'Transfer-Encoding: chunked' \
    --data-binary @big.body "$URL/api/bind")
is "$code" 413 "a chunked body over 64 KiB is 413 too"
api a GET /api/nothing
is "$code" 404 "an unknown API is 404"
api a GET /nothing
is "$code" 404 "a path outside the API goes to the pages"

# --- the office: report bindings, acct-unbind ---------------------------------------

api c POST /api/bind '{"account":"100002","check":"1111"}' -H 'X-Forwarded-For: 192.0.2.77'
is "$code" 429 "100002 is still locked out"
exits 0 "report bindings" report bindings -o csv
is "$(head -n 1 "$T/out")" "binding,account,client,bound,last_seen,expires" "its columns"
is "$(tail -n +2 "$T/out" | cut -d, -f2,3,4 | tr '\n' ' ')" \
    "100001,192.0.2.50,2026-03-10 12:00:00 100002,127.0.0.1,2026-03-10 12:00:00 100001,198.51.100.8,2026-03-10 12:00:00 " \
    "a row per binding: account, client (the last bind's), bound"
like "$T/out" ',2026-04-09 12:00:00$' "with the session's expiry"
exits 0 "report bindings --account 100002" report bindings -o csv --account 100002
is "$(($(wc -l <"$T/out") - 1))" 1 "one binding of 100002"
bid=$(sed -n 2p "$T/out" | cut -d, -f1)

api b GET /api/accounts/100002
is "$code" 200 "B sees 100002"
exits 0 "acct-unbind 100002" acct-unbind 100002
like "$T/out" '^1 bindings revoked$' "says how many"
api b GET /api/accounts/100002
is "$code" 403 "B's binding is revoked at once"
is "$(sql "SELECT count(*) FROM audit WHERE tool = 'acct-unbind' AND summary LIKE '%account 100002: 1 bindings revoked%'")" \
    1 "acct-unbind is audited"
exits 65 "acct-unbind of an unknown account" acct-unbind 999999
like "$T/err" '^acct-unbind: no account "999999"$' "says so"
exits 65 "acct-unbind -b of an unknown binding" acct-unbind -b "$bid"
like "$T/err" "^acct-unbind: no binding $bid\$" "says so"
exits 64 "acct-unbind without an operand" acct-unbind
aid=$(sql "SELECT id FROM web_bindings WHERE client = '192.0.2.50'")
exits 0 "acct-unbind -b" acct-unbind -b "$aid"
is "$(sql "SELECT count(*) FROM web_bindings WHERE id = $aid")" 0 "the binding is gone"

# --- the resident's threshold in alarm-scan --------------------------------------------

exits 0 "alarm-scan" alarm-scan -o csv -k low1
like "$T/out" ",low1,0101070723,100001,.*,88\\.00,.*已低于100\\.00元" \
    "88.00 is above the site's alarm1 of 20.00 but below A's own 100.00: low1"
api a GET /api/accounts/100001/notice
is "$code" 403 "A's binding revoked, A's threshold is out of reach"
api a POST /api/bind '{"account":"100001","check":"5678"}'
is "$code" 200 "A binds again with the check"
api a PUT /api/accounts/100001/notice '{"below":""}'
is "$code|$(body)" '200|{"account":"100001","below":null}' "\"\" turns the resident's threshold off"
is "$(sql "SELECT count(*) FROM notice_settings")" 0 "and removes it"
stop_web
is "$web_exit" 0 "SIGTERM: prepay-web exits 0"
like "$T/web.err" '^prepay-web: stopping on signal 15$' "saying so"

# --- time: sessions slide and expire; the limits pass; Alipay's stale ------------------

PREPAY_NOW=$((NOW0 + 20 * 86400)) start_web -l 127.0.0.1:0 -c conf/site.yaml
api a GET /api/accounts
is "$code" 200 "20 days on, A's session stands"
like "$T/hdr" '^Set-Cookie: pp_session=[0-9a-f]{64}; HttpOnly; SameSite=Lax; Path=/; Max-Age=2592000' \
    "and the cookie is sent again"
is "$(sql "SELECT max(expires) FROM web_sessions") " "$((NOW0 + 50 * 86400)) " \
    "its expiry slid to 30 days from now"
api c POST /api/bind '{"account":"100002","check":"1111"}'
is "$code" 200 "past the window, 100002 binds again"
stop_web
is "$web_exit" 0 "stopped, prepay-web exits 0"

PREPAY_NOW=$((NOW0 + 45 * 86400)) start_web -l 127.0.0.1:0 -c conf/site.yaml
api a GET /api/accounts
is "$code" 200 "45 days on, the slid session stands"
ali a3 --order "$noa" --trade-no 2026031022001400000000000009 --amount 8.00
state >before.txt
alinotify a3
is "$code|$(body)" "400|fail" "an Alipay notification 45 days old: 400 fail"
is "$(sql "SELECT code FROM pay_refusals ORDER BY id DESC LIMIT 1")" stale "counted as stale"
state >after.txt
cmp -s before.txt after.txt
ok $? "nothing is written"
stop_web
is "$web_exit" 0 "stopped, prepay-web exits 0"

PREPAY_NOW=$((NOW0 + 81 * 86400)) start_web -l 127.0.0.1:0 -c conf/site.yaml
api a GET /api/accounts
is "$code" 401 "31 days after its last use, the session has expired"
api a GET /api/accounts/100001
is "$code" 401 "and nothing of the account is answered"
is "$(sql "SELECT count(*) FROM web_sessions WHERE id IN (SELECT session_id FROM web_bindings WHERE client = '127.0.0.1' AND account_id = 1)")" 0 \
    "the expired session is purged"
stop_web
is "$web_exit" 0 "stopped, prepay-web exits 0"

# --- one-time codes -----------------------------------------------------------------

# 100 days on: every session and failure of the start is long past.
export PREPAY_NOW=$((NOW0 + 100 * 86400))
cat >conf/code.yaml <<YAML
web:
  bind_check: code
  notify: 'printf "%s|%s|%s\\n" "\$PREPAY_ALARM" "\$PREPAY_PHONE" "\$PREPAY_TEXT" >>$T/codes.txt'
  public_url: https://pay.example.edu.cn
YAML
: >codes.txt
start_web -l 127.0.0.1:0 -c conf/code.yaml
rm -f "$T/a"
touch "$T/a"
api a POST /api/bind/code '{"account":"100001"}'
is "$code" 202 "a code is sent"
like codes.txt '^bind_code\|13912345678\|.*绑定验证码：[0-9]{6}，10 分钟内有效' \
    "by the notice command, to the phone on file"
pin=$(sed -n 's/.*验证码：\([0-9]\{6\}\)，.*/\1/p' codes.txt)
cp "$T/body" sent.json
api x POST /api/bind/code '{"account":"999999"}'
is "$code" 202 "a code for an account that does not exist: 202 too"
cmp -s "$T/body" sent.json
ok $? "with the same body"
is "$(wc -l <codes.txt | tr -d ' ')" 1 "but nothing is sent"
is "$(sql "SELECT count(*) FROM bind_codes WHERE hash = '$pin'")" 0 "the code is kept hashed"
api a POST /api/bind '{"account":"100001","check":"5678"}'
is "$code" 403 "where the site asks for codes, the phone's digits do not bind"
api a POST /api/bind "{\"account\":\"100001\",\"check\":\"$pin\"}"
is "$code" 200 "the code binds"
like "$T/hdr" '^Set-Cookie: pp_session=[0-9a-f]{64}; HttpOnly; SameSite=Lax; Path=/; Max-Age=2592000; Secure' \
    "with a Secure cookie, the public URL being https"
api x POST /api/bind "{\"account\":\"100001\",\"check\":\"$pin\"}"
is "$code" 403 "a code binds once"
api a POST /api/logout
is "$code" 204 "logout"
like "$T/hdr" '^Set-Cookie: pp_session=; .*Max-Age=0' "ends the cookie"
api a GET /api/accounts
is "$code" 401 "and the session"
stop_web
is "$web_exit" 0 "stopped, prepay-web exits 0"

# A code 10 minutes old is dead.
start_web -l 127.0.0.1:0 -c conf/code.yaml
api x POST /api/bind/code '{"account":"100002"}'
pin=$(sed -n 's/^bind_code|138 0000 1111|.*验证码：\([0-9]\{6\}\)，.*/\1/p' codes.txt)
stop_web
is "$web_exit" 0 "stopped, prepay-web exits 0"
PREPAY_NOW=$((PREPAY_NOW + 600)) start_web -l 127.0.0.1:0 -c conf/code.yaml
api x POST /api/bind "{\"account\":\"100002\",\"check\":\"$pin\"}"
is "$code" 403 "a code 10 minutes old does not bind"
stop_web
is "$web_exit" 0 "stopped, prepay-web exits 0"

# --- IPv6 ---------------------------------------------------------------------------

start_web -l '[::1]:0' -c conf/site.yaml
case $URL in http://\[::1\]:[0-9]*) ok 0 "listens on [::1]" ;; *) ok 1 "listens on [::1]: $URL" ;; esac
code=$(curl -s -g -o "$T/body" -w '%{http_code}' -X POST \
    -H 'X-Forwarded-For: 192.0.2.99' \
    --data-binary '{"account":"100001","check":"0000"}' "$URL/api/bind")
is "$code" 403 "a bind over IPv6"
is "$(sql "SELECT client FROM bind_failures ORDER BY id DESC LIMIT 1")" "::1" \
    "a peer that is no trusted proxy is the client, whatever it forwards"
stop_web
is "$web_exit" 0 "stopped, prepay-web exits 0"

exits 0 "report verify" report verify -o csv
done_testing
