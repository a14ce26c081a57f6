#!/bin/sh
# payments: the site file's payments: section (prepay.yaml(5)); orders;
# WeChat Pay and Alipay notifications checked and posted exactly once.
. "$(dirname "$0")/lib.sh"
need openssl

# 2026-03-10 12:00:00 in Shanghai, whatever the hour of the run.
export PREPAY_NOW=1773115200

# The merchant's keys and the platforms', made now, beside the site file
# in conf/: the site file names them relative to itself.
pay_site conf

# --- payments: in the site file -----------------------------------------

mkdir elsewhere
(cd elsewhere && site-load ../conf/site.yaml >"$T/out" 2>"$T/err")
is $? 0 "site-load takes the payments section, run from another folder"
is "$(sql "SELECT key || '=' || value FROM settings WHERE key LIKE 'pay.%' ORDER BY key" | tr '\n' ' ')" \
    "pay.alipay.app_id=2021000000000000 pay.alipay.gateway=https://openapi.alipay.com/gateway.do pay.alipay.private_key_file=$T/conf/alipay-app.pem pay.alipay.public_key_file=$T/conf/alipay-pub.pem pay.notify_base=https://pay.example.edu.cn pay.wechat.api_base=https://api.mch.weixin.qq.com pay.wechat.apiv3_key_file=$T/conf/wechat-apiv3.key pay.wechat.appid=wxd678efh567hg6787 pay.wechat.mchid=1900000109 pay.wechat.merchant_key_file=$T/conf/wechat-merchant.pem pay.wechat.platform_key.$SERIAL=$T/conf/wechat-pub.pem " \
    "the identifiers and the key files, by names relative to the site file made absolute, are stored"

# No secret enters the database: neither the APIv3 key nor a private key.
apiv3=$(xxd -p -c 64 conf/wechat-apiv3.key)
db_dump | xxd -p | tr -d '\n' >dump.hex
if grep -q "$apiv3" dump.hex; then ok 1 "the APIv3 key is not in the database"
else ok 0 "the APIv3 key is not in the database"; fi
db_dump >dump.sql
unlike dump.sql 'PRIVATE KEY|-----BEGIN' "no PEM key is in the database"

exits 0 "load the same file again" site-load conf/site.yaml
like "$T/out" '; 0 changes$' "the payments section again is 0 changes"

# A second platform key, then the list without the first: it replaces.
sed "s|      - {serial: \"$SERIAL\", file: wechat-pub.pem}|      - {serial: NEWSERIAL, file: $T/conf/alipay-pub.pem}|" \
    conf/site.yaml >conf/rotated.yaml
exits 0 "a rotated platform key list loads" site-load conf/rotated.yaml
is "$(sql "SELECT key || '=' || value FROM settings WHERE key LIKE 'pay.wechat.platform_key.%'")" \
    "pay.wechat.platform_key.NEWSERIAL=$T/conf/alipay-pub.pem" \
    "the list replaces the stored keys; an absolute file name is kept as it is"
exits 0 "the first list back" site-load conf/site.yaml

# bad NAME MESSAGE-REGEX: conf/bad.yaml is refused with exit 78, saying
# file:line: key: why, naming no secret, and nothing changes.
bad() {
	sql "SELECT * FROM settings ORDER BY key" >before
	exits 78 "$1" site-load conf/bad.yaml
	like "$T/err" "^site-load: conf/bad\\.yaml:[0-9]+: $2" "$1: the message says where and why"
	is "$(wc -l <"$T/err" | tr -d ' ')" 1 "$1: one line"
	sql "SELECT * FROM settings ORDER BY key" >after
	cmp -s before after
	ok $? "$1: nothing is written"
}

chmod 644 conf/wechat-apiv3.key
cp conf/site.yaml conf/bad.yaml
bad "an APIv3 key file others can read" "apiv3_key_file: .*wechat-apiv3\\.key is mode 0644: refused.*chmod 640"
chmod 640 conf/wechat-apiv3.key
unlike "$T/err" "$apiv3" "the message does not quote the key"

chmod 604 conf/alipay-app.pem
bad "an Alipay private key file others can read" "private_key_file: .*alipay-app\\.pem is mode 0604: refused"
chmod 660 conf/alipay-app.pem
bad "a private key file its group can write" "private_key_file: .*is mode 0660: refused"
chmod 600 conf/alipay-app.pem
exits 0 "mode 0600 is stricter than 0640, and taken" site-load conf/site.yaml
chmod 640 conf/alipay-app.pem

chmod 644 conf/wechat-merchant.pem
bad "a merchant key file others can read" "merchant_key_file: .*is mode 0644: refused"
chmod 640 conf/wechat-merchant.pem

head -c 31 conf/wechat-apiv3.key >conf/short.key
chmod 640 conf/short.key
sed 's|apiv3_key_file: wechat-apiv3.key|apiv3_key_file: short.key|' conf/site.yaml >conf/bad.yaml
bad "an APIv3 key of 31 bytes" "apiv3_key_file: .*short\\.key: an APIv3 key is 32 bytes, this file is not"

sed 's|apiv3_key_file: wechat-apiv3.key|apiv3_key_file: missing.key|' conf/site.yaml >conf/bad.yaml
bad "a key file that is not there" "apiv3_key_file: .*conf/missing\\.key: No such file"

sed 's|file: wechat-pub.pem|file: wechat-apiv3.key|' conf/site.yaml >conf/bad.yaml
bad "a platform key that is no PEM public key" "file: .*wechat-apiv3\\.key: not a PEM RSA public key"

install -m 640 conf/alipay-pub.pem conf/pub640.pem
sed 's|private_key_file: alipay-app.pem|private_key_file: pub640.pem|' conf/site.yaml >conf/bad.yaml
bad "a public key given as the private one" "private_key_file: .*pub640\\.pem: not a PEM RSA private key"

sed '/mchid:/d' conf/site.yaml >conf/bad.yaml
bad "wechat without mchid" "mchid"

sed 's|    platform_keys:|    platform_keys: []\n    old_keys:|' conf/site.yaml >conf/bad.yaml
bad "an unknown key in wechat" "(old_keys|platform_keys)"

awk -v s="$SERIAL" '{ print } /- \{serial:/ { print "      - {serial: \"" s "\", file: alipay-pub.pem}" }' \
    conf/site.yaml >conf/bad.yaml
bad "a serial listed twice" "serial: $SERIAL is listed twice"

sed '/^  wechat:/,$d' conf/site.yaml >conf/bad.yaml
bad "payments with neither platform" "payments: give wechat, alipay or both"

# --- orders ---------------------------------------------------------------

exits 0 "the payments section back" site-load conf/site.yaml
{
	acct-open -n 张三 0101070723 &&		# 100001
	acct-open -n 李四 010107072A		# 100002
} >/dev/null || echo "Bail out! acct-open"

exits 0 "an order of 50.00 by WeChat Pay" pay-order -o csv 100001 50.00 wechat
is "$(head -n 1 "$T/out")" "out_trade_no,account,channel,amount,state,created,paid,transaction_id,serial,requested,pay_url,refund_id,refunded,refunded_by" \
    "the order columns"
like "$T/out" '^[0-9a-f]{32},100001,wechat,50\.00,created,2026-03-10 12:00:00,,,,,,,,$' \
    "the order: 32 hex digits, the account, the channel, the amount, created now, unpaid"
no1=$(sed -n 2p "$T/out" | cut -d, -f1)
is "$(sql "SELECT account_id || ' ' || channel || ' ' || amount || ' ' || state || ' ' || created FROM orders WHERE out_trade_no = '$no1'")" \
    "1 wechat 5000 created 1773115200" "the row holds the amount in fen"
is "$(sql "SELECT count(*) FROM ledger WHERE kind = 'sale'")" 0 "an order moves no money"
is "$(sql "SELECT count(*) FROM audit WHERE tool = 'pay-order' AND summary LIKE '%order $no1%'")" 1 \
    "the order is audited"

exits 0 "a second order" pay-order -o csv 100001 50.00 wechat
no2=$(sed -n 2p "$T/out" | cut -d, -f1)
[ "$no1" != "$no2" ] && [ ${#no2} -eq 32 ]
ok $? "each order has its own out_trade_no"
exits 0 "an order by Alipay" pay-order -o csv 100002 0.01 alipay
like "$T/out" '^[0-9a-f]{32},100002,alipay,0\.01,created,' "an Alipay order of one fen"
noali=$(sed -n 2p "$T/out" | cut -d, -f1)

exits 0 "show an order" pay-order -o csv --show "$no1"
like "$T/out" "^$no1,100001,wechat,50\\.00,created," "shown by its out_trade_no"
exits 65 "show an order that is not there" pay-order --show 0123456789abcdef0123456789abcdef
like "$T/err" '^pay-order: order 0123456789abcdef0123456789abcdef: no such order$' "saying so"

# rorder NAME CODE MESSAGE ARGS...: refused, and no order is made.
rorder() {
	_name=$1 _code=$2 _msg=$3
	shift 3
	_n=$(sql "SELECT count(*) FROM orders")
	exits "$_code" "$_name" pay-order "$@"
	like "$T/err" "^pay-order: $_msg" "$_name: the message says why"
	is "$(sql "SELECT count(*) FROM orders")" "$_n" "$_name: no order is made"
}
rorder "an unknown account" 65 'account 999999: no such account$' 999999 10 wechat
rorder "an unknown channel" 65 'channel "unionpay": use wechat or alipay$' 100001 10 unionpay
rorder "a zero amount" 65 'amount must be more than 0\.00$' 100001 0 wechat
rorder "a negative amount" 65 '' 100001 -5 wechat
rorder "an amount that is no amount" 65 '' 100001 12.345 wechat
rorder "above max_sale" 65 'amount 5000\.01: above the site.s max_sale of 5000\.00$' 100001 5000.01 wechat
rorder "above max_balance" 1 'account 100001: the balance would be 2000\.01, above max_balance 2000\.00$' 100001 2000.01 wechat
exits 0 "a WeChat order of account 100002, to be closed" pay-order -o csv 100002 20.00 wechat
nocl=$(sed -n 2p "$T/out" | cut -d, -f1)
exits 0 "a WeChat order for the amount check" pay-order -o csv 100001 12.34 wechat
no3=$(sed -n 2p "$T/out" | cut -d, -f1)
exits 0 "close account 100002" acct-close 100002
rorder "a closed account" 1 'account 100002 is closed$' 100002 10 wechat
exits 64 "too few operands" pay-order 100001 10

# --- WeChat Pay notifications ---------------------------------------------

# wx and ali (lib.sh): the fake platform's notifications.
# state: what a refusal must leave as it was.
state() {
	sql "SELECT * FROM ledger ORDER BY 1"
	sql "SELECT * FROM orders ORDER BY 1"
	sql "SELECT * FROM accounts ORDER BY 1"
}

wx n1 --order "$no1" --txn 4200000001202603100000000001 --total 5000
exits 0 "a good notification pays the order" pay-order -o csv --wechat n1.headers n1.body
like "$T/out" "^$no1,100001,wechat,50\\.00,paid,2026-03-10 12:00:00,2026-03-10 12:00:00,4200000001202603100000000001,20260310[0-9]{6},,,,,$" \
    "the order is paid, with the transaction and the sale's serial"
is "$(sql "SELECT kind || ' ' || amount || ' ' || method || ' ' || ref || ' ' || operator FROM ledger WHERE kind = 'sale'")" \
    "sale 5000 wechat 4200000001202603100000000001 web:wechat" \
    "one sale of 50.00, method wechat, ref the transaction_id, operator web:wechat"
is "$(bal 100001)" 50.00 "the account's balance is 50.00"
is "$(sql "SELECT count(*) FROM audit WHERE login = 'web:wechat' AND tool = 'pay-order' AND summary LIKE '%sale%'")" 1 \
    "the audit records the sale with operator web:wechat"

exits 0 "the same notification again" pay-order -o csv --wechat n1.headers n1.body
like "$T/err" "^pay-order: order $no1 was paid already by transaction 4200000001202603100000000001$" \
    "a retry is answered as paid, and says so"
like "$T/out" "^$no1,100001,wechat,50\\.00,paid," "the order is shown paid"
is "$(sql "SELECT count(*) FROM ledger WHERE kind = 'sale'")" 1 "a retry makes no second sale"

# 50 copies at once make one sale.
wx n2 --order "$no2" --txn 4200000001202603100000000002 --total 5000
# at_once PREFIX ARGS...: 50 pay-order ARGS at the same time, their
# output in PREFIX$i.out and .err; bad is how many did not exit 0.
at_once() {
	_p=$1
	shift
	_i=0 _pids=
	while [ $_i -lt 50 ]; do
		pay-order "$@" >"$_p$_i.out" 2>"$_p$_i.err" &
		_pids="$_pids $!"
		_i=$((_i + 1))
	done
	bad=0
	for _pid in $_pids; do
		wait "$_pid" || bad=$((bad + 1))
	done
}
at_once c --wechat n2.headers n2.body
is "$bad" 0 "50 concurrent copies: every one exits 0"
is "$(sql "SELECT count(*) FROM ledger WHERE ref = '4200000001202603100000000002'")" 1 \
    "50 concurrent copies: one sale"
is "$(cat c*.err | grep -c 'was paid already')" 49 "49 copies say the order was paid already"
is "$(bal 100001)" 100.00 "the balance is 100.00"
is "$(sql "SELECT state FROM orders WHERE out_trade_no = '$no2'")" paid "the order is paid"

# refused NAME CODE EXIT PATTERN ARGS...: pay-order refuses, says
# "CODE: why", changes no money, order or account, and counts it.
refused() {
	_name=$1 _code=$2 _exit=$3 _pat=$4
	shift 4
	state >before.txt
	_n=$(sql "SELECT count(*) FROM pay_refusals WHERE code = '$_code'")
	exits "$_exit" "$_name" pay-order "$@"
	like "$T/err" "^pay-order: $_code: $_pat" "$_name: the message gives the code and why"
	is "$(wc -l <"$T/err" | tr -d ' ')" 1 "$_name: one line"
	state >after.txt
	cmp -s before.txt after.txt
	ok $? "$_name: nothing is written to the ledger, the orders or the accounts"
	is "$(sql "SELECT count(*) FROM pay_refusals WHERE code = '$_code'")" $((_n + 1)) \
	    "$_name: it is counted"
	if grep -q "$apiv3" "$T/err" || grep -q 'PRIVATE' "$T/err"; then
		ok 1 "$_name: no secret in the message"
	else
		ok 0 "$_name: no secret in the message"
	fi
}

wx n3 --order "$no3" --txn 4200000001202603100000000003 --total 1234 --tamper
refused "a body changed after signing" bad_signature 65 'the signature does not verify$' \
    --wechat n3.headers n3.body
$PY "$top/tests/cli/payplatform.py" wechat n3 --sign conf/alipay-platform.key \
    --apiv3 conf/wechat-apiv3.key --time "$PREPAY_NOW" --order "$no3" \
    --txn 4200000001202603100000000003 --total 1234
refused "a notification signed by another key" bad_signature 65 'the signature does not verify$' \
    --wechat n3.headers n3.body
wx n3 --order "$no3" --txn 4200000001202603100000000003 --total 1234 --serial NO_SUCH_SERIAL
refused "an unknown serial" unknown_serial 65 'Wechatpay-Serial "NO_SUCH_SERIAL" names no platform key of the site$' \
    --wechat n3.headers n3.body
wx n3 --order "$no3" --txn 4200000001202603100000000003 --total 1234 --time $((PREPAY_NOW - 301))
refused "a notification 301 seconds old" stale 65 'Wechatpay-Timestamp [0-9]+ is more than 5 minutes from now$' \
    --wechat n3.headers n3.body
wx n3 --order "$no3" --txn 4200000001202603100000000003 --total 1234 --time $((PREPAY_NOW + 301))
refused "a notification from 301 seconds ahead" stale 65 'Wechatpay-Timestamp [0-9]+ is more than 5 minutes from now$' \
    --wechat n3.headers n3.body
wx n3 --order "$no3" --txn 4200000001202603100000000003 --total 1233
refused "an amount that differs by one fen" amount_differs 65 "order $no3 is 12\\.34, the notification says 12\\.33$" \
    --wechat n3.headers n3.body
wx n3 --order 0123456789abcdef0123456789abcdef --txn 4200000001202603100000000003 --total 1234
refused "an unknown out_trade_no" unknown_order 65 'order 0123456789abcdef0123456789abcdef: no such wechat order$' \
    --wechat n3.headers n3.body
wx n3 --order "$noali" --txn 4200000001202603100000000003 --total 1
refused "an Alipay order named by WeChat Pay" unknown_order 65 "order $noali: no such wechat order$" \
    --wechat n3.headers n3.body
wx n3 --order "$no3" --txn 4200000001202603100000000003 --total 1234 --mchid 1900000999
refused "another merchant's notification" merchant 65 'mchid 1900000999 appid wxd678efh567hg6787 are not this site.s$' \
    --wechat n3.headers n3.body
wx n3 --order "$no3" --txn 4200000001202603100000000003 --total 1234 --appid wx0000000000000000
refused "another application's notification" merchant 65 'mchid 1900000109 appid wx0000000000000000 are not this site.s$' \
    --wechat n3.headers n3.body
wx n3 --order "$no3" --txn 4200000001202603100000000003 --total 1234 --state NOTPAY
refused "a trade_state that is not SUCCESS" not_success 65 "order $no3: trade_state NOTPAY, not SUCCESS$" \
    --wechat n3.headers n3.body
openssl rand -out other.key 32 2>/dev/null
$PY "$top/tests/cli/payplatform.py" wechat n3 --sign conf/wechat-platform.key \
    --apiv3 other.key --time "$PREPAY_NOW" --order "$no3" \
    --txn 4200000001202603100000000003 --total 1234
refused "a resource sealed with another APIv3 key" undecryptable 65 'resource: it does not open with the APIv3 key$' \
    --wechat n3.headers n3.body
wx n3 --order "$no3" --txn 4200000001202603100000000003 --total 1234
grep -v Signature n3.headers >n3.nosig
refused "no Wechatpay-Signature header" malformed 65 'a header of Wechatpay-Timestamp, -Nonce, -Signature or -Serial is missing$' \
    --wechat n3.nosig n3.body
is "$(sql "SELECT state FROM orders WHERE out_trade_no = '$no3'")" created "after every refusal the order is still created"

# A closed account: never a sale; the order is marked for a refund.
wx n4 --order "$nocl" --txn 4200000001202603100000000004 --total 2000
exits 1 "a notification for a closed account" pay-order --wechat n4.headers n4.body
like "$T/err" "^pay-order: closed_account: order $nocl: account 100002 is closed; the order is refund_due$" \
    "it says so"
is "$(sql "SELECT state || ' ' || transaction_id || ' ' || coalesce(CAST(ledger_id AS TEXT), 'none') FROM orders WHERE out_trade_no = '$nocl'")" \
    "refund_due 4200000001202603100000000004 none" "the order is refund_due, with the transaction, and no sale"
is "$(sql "SELECT count(*) FROM ledger WHERE ref = '4200000001202603100000000004'")" 0 "nothing is sold"
is "$(sql "SELECT count(*) FROM pay_refusals WHERE code = 'closed_account'")" 1 "it is counted"
exits 1 "the same notification again" pay-order --wechat n4.headers n4.body
is "$(sql "SELECT count(*) FROM ledger WHERE ref = '4200000001202603100000000004'")" 0 "still nothing is sold"

wx n6 --order "$no1" --txn 4200000001202603100000000099 --total 5000
refused "a paid order named by another transaction" order_state 1 "order $no1 is paid by transaction 4200000001202603100000000001, not 4200000001202603100000000099$" \
    --wechat n6.headers n6.body

# The exact edge of freshness: 300 seconds is taken (a copy of n1).
wx n5 --order "$no1" --txn 4200000001202603100000000001 --total 5000 --time $((PREPAY_NOW - 300))
exits 0 "a notification exactly 5 minutes old is taken" pay-order --wechat n5.headers n5.body

# The key file made readable by others since site-load: refused at use.
wx n3 --order "$no3" --txn 4200000001202603100000000003 --total 1234
chmod 644 conf/wechat-apiv3.key
refused "an APIv3 key file made readable by others" config 78 'APIv3 key file .*/conf/wechat-apiv3.key is mode 0644: refused, as others could read or change its secrets; chmod 640 ' \
    --wechat n3.headers n3.body
chmod 640 conf/wechat-apiv3.key
exits 0 "mended, the same notification pays" pay-order -o csv --wechat n3.headers n3.body
like "$T/out" "^$no3,100001,wechat,12\\.34,paid," "the order is paid"

# --- Alipay notifications --------------------------------------------------

exits 0 "an Alipay order of 30.00" pay-order -o csv 100001 30.00 alipay
noa1=$(sed -n 2p "$T/out" | cut -d, -f1)
before=$(bal 100001)

ali a1 --order "$noa1" --trade-no 2026031022001400000000000001 --amount 30.00
exits 0 "a good Alipay notification pays the order" pay-order -o csv --alipay a1.body
like "$T/out" "^$noa1,100001,alipay,30\\.00,paid,2026-03-10 12:00:00,2026-03-10 12:00:00,2026031022001400000000000001,20260310[0-9]{6},,,,,$" \
    "the order is paid, with the trade_no and the sale's serial"
is "$(sql "SELECT amount || ' ' || method || ' ' || operator FROM ledger WHERE ref = '2026031022001400000000000001'")" \
    "3000 alipay web:alipay" "one sale of 30.00, method alipay, ref the trade_no, operator web:alipay"
is "$(bal 100001)" "$(echo "$before + 30" | bc | sed 's/^\./0./')" "the balance rose by 30.00"
exits 0 "the same Alipay notification again" pay-order --alipay a1.body
like "$T/err" "^pay-order: order $noa1 was paid already by transaction 2026031022001400000000000001$" "a retry says so"
is "$(sql "SELECT count(*) FROM ledger WHERE ref = '2026031022001400000000000001'")" 1 "and makes no second sale"

exits 0 "another Alipay order" pay-order -o csv 100001 8.00 alipay
noa2=$(sed -n 2p "$T/out" | cut -d, -f1)
ali a2 --order "$noa2" --trade-no 2026031022001400000000000002 --amount 8.00 --status TRADE_FINISHED
at_once d --alipay a2.body
is "$bad" 0 "50 concurrent Alipay copies: every one exits 0"
is "$(sql "SELECT count(*) FROM ledger WHERE ref = '2026031022001400000000000002'")" 1 \
    "50 concurrent Alipay copies: one sale (TRADE_FINISHED is taken)"

exits 0 "a third Alipay order" pay-order -o csv 100001 9.99 alipay
noa3=$(sed -n 2p "$T/out" | cut -d, -f1)
ali a3 --order "$noa3" --trade-no 2026031022001400000000000003 --amount 9.99 --tamper
refused "an Alipay form changed after signing" bad_signature 65 'the signature does not verify$' --alipay a3.body
$PY "$top/tests/cli/payplatform.py" alipay a3 --sign conf/wechat-platform.key \
    --order "$noa3" --trade-no 2026031022001400000000000003 --amount 9.99
refused "an Alipay form signed by another key" bad_signature 65 'the signature does not verify$' --alipay a3.body
ali a3 --order "$noa3" --trade-no 2026031022001400000000000003 --amount 9.98
refused "an Alipay amount that differs" amount_differs 65 "order $noa3 is 9\\.99, the notification says 9\\.98$" --alipay a3.body
ali a3 --order "$noa3" --trade-no 2026031022001400000000000003 --amount 9.99 --app-id 2021000000000999
refused "another application's Alipay form" merchant 65 "app_id 2021000000000999 is not this site.s$" --alipay a3.body
ali a3 --order "$noa3" --trade-no 2026031022001400000000000003 --amount 9.99 --status WAIT_BUYER_PAY
refused "a trade_status not paid" not_success 65 "order $noa3: trade_status WAIT_BUYER_PAY, not TRADE_SUCCESS or TRADE_FINISHED$" --alipay a3.body
ali a3 --order fedcba9876543210fedcba9876543210 --trade-no 2026031022001400000000000003 --amount 9.99
refused "an unknown Alipay out_trade_no" unknown_order 65 'order fedcba9876543210fedcba9876543210: no such alipay order$' --alipay a3.body
ali a3 --order "$noa3" --trade-no 2026031022001400000000000003 --amount 9.999
refused "a total_amount that is no amount" malformed 65 "order $noa3: trade_no or total_amount \"9\\.999\" is none$" --alipay a3.body
printf 'app_id=1&app_id=2' >a3.dup
refused "a form with a key twice" malformed 65 'the body is no form of key=value pairs, each key once$' --alipay a3.dup
sed 's/&sign=[^&]*//' a1.body >a3.nosign
refused "a form without sign" malformed 65 'the form lacks sign,' --alipay a3.nosign
ali a4 --order "$noali" --trade-no 2026031022001400000000000004 --amount 0.01
exits 1 "an Alipay notification for a closed account" pay-order --alipay a4.body
like "$T/err" "^pay-order: closed_account: order $noali: account 100002 is closed; the order is refund_due$" "it says so"
is "$(sql "SELECT state || ' ' || transaction_id FROM orders WHERE out_trade_no = '$noali'")" \
    "refund_due 2026031022001400000000000004" "the order is refund_due"
is "$(sql "SELECT count(*) FROM ledger WHERE ref = '2026031022001400000000000004'")" 0 "nothing is sold"
is "$(sql "SELECT count(*) FROM ledger WHERE kind = 'sale' AND account_id = 2")" 0 "account 100002 has no sale at all"

is "$(sql "SELECT channel || ' ' || code || ' ' || count(*) FROM pay_refusals GROUP BY channel, code ORDER BY channel, code" | tr '\n' ' ')" \
    "alipay amount_differs 1 alipay bad_signature 2 alipay closed_account 1 alipay malformed 3 alipay merchant 1 alipay not_success 1 alipay unknown_order 1 wechat amount_differs 1 wechat bad_signature 2 wechat closed_account 2 wechat config 1 wechat malformed 1 wechat merchant 2 wechat not_success 1 wechat order_state 1 wechat stale 2 wechat undecryptable 1 wechat unknown_order 2 wechat unknown_serial 1 " \
    "every refusal is counted by channel and code"
# report orders lists them; the refunds due by --state.
exits 0 "report orders --state refund_due" report orders --state refund_due -o csv
is "$(cut -d, -f1,2,3,4,5,8,9 "$T/out" | tr '\n' ' ')" \
    "out_trade_no,account,channel,amount,state,transaction_id,serial $noali,100002,alipay,0.01,refund_due,2026031022001400000000000004, $nocl,100002,wechat,20.00,refund_due,4200000001202603100000000004, " \
    "the two orders of the closed account, to refund, with no sale"
exits 0 "report orders" report orders -o csv
is "$(($(wc -l <"$T/out") - 1))" "$(sql "SELECT count(*) FROM orders")" "every order, one row each"
is "$(sed -n 2p "$T/out" | cut -d, -f1,5,7)" "$no1,paid,2026-03-10 12:00:00" "in the order made, with the time paid"
exits 64 "report orders --state of no order" report orders --state lost
like "$T/err" '^report: --state lost: use created, paid, refund_due, refunded or closed$' "saying which"

# The alarm scan counts them: a payment alarm for the manager.
exits 0 "alarm-scan" alarm-scan -o csv -k payment
like "$T/out" '^[^,]+,2,payment,,,,,,,24小时拒收通知27次，待退款2笔,【示例校区】在线支付异常：24小时拒收通知27次，待退款2笔，请核查。$' \
    "a payment alarm of level 2 with the refusals of 24 hours and the refunds due"
PREPAY_NOW=$((PREPAY_NOW + 86401)) alarm-scan -o csv -k payment >/dev/null
is "$(sql "SELECT count(*) FROM alarms WHERE kind = 'payment' AND cleared IS NULL")" 1 \
    "a day later the refunds due keep it standing"
sql "UPDATE orders SET state = 'closed' WHERE state = 'refund_due'"
PREPAY_NOW=$((PREPAY_NOW + 86401)) alarm-scan -o csv -k payment >/dev/null
is "$(sql "SELECT count(*) FROM alarms WHERE kind = 'payment' AND cleared IS NULL")" 0 \
    "with no refusal in 24 hours and no refund due it clears"

db_dump >dump.sql
unlike dump.sql 'PRIVATE KEY|-----BEGIN' "still no key in the database"
db_dump | xxd -p | tr -d '\n' >dump.hex
if grep -q "$apiv3" dump.hex; then ok 1 "still no APIv3 key in the database"
else ok 0 "still no APIv3 key in the database"; fi

done_testing
