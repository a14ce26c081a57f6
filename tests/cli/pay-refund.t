#!/bin/sh
# pay-refund: an order paid for a closed account is refunded through its
# platform (pay-order --refund).  The orders are asked of the fake platform
# (payplatform.py serve), paid at its checkout, and their notifications go
# to prepay-web, which refuses a sale to the closed account and marks them
# refund_due; then WeChat Pay's domestic refund and Alipay's
# alipay.trade.refund give the money back, signed by the merchant and
# checked by us, and the orders are refunded; the ledger never sees them.
. "$(dirname "$0")/lib.sh"
need openssl curl

# 2026-03-10 12:00:00 in Shanghai; the fake platform's clock too.
export PREPAY_NOW=1773115200
DAY2=$((PREPAY_NOW + 86401))

pay_keys conf
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
    -out conf/rogue.key 2>/dev/null
chmod 640 conf/*.key
start_platform fake
start_platform slow --refund-status PROCESSING
# prepay-web's own port, which the site's notify_base names.
W=$(port_base)
POLLER=pp_refund_poller_t
AUDITOR=pp_refund_auditor_t

# site PORT [MERCHANT-KEY [APP-KEY]]: the site file with the platforms at
# 127.0.0.1:PORT and notify_base prepay-web, on stdout.
site() {
	sed -e "s/login: prepay, role: poller}/login: $POLLER, role: poller}\\
  - {login: $AUDITOR, role: auditor}/" "$FIXTURES/site.yaml"
	pay_yaml "http://127.0.0.1:$W" "http://127.0.0.1:$1" \
	    "http://127.0.0.1:$1/gateway.do" "${2:-wechat-merchant.pem}" \
	    "${3:-alipay-app.pem}" 5157F09EFDC096DE15EBE81A47057A7232F1B8E1
}
site "$fake_port" >conf/site.yaml
exits 0 "the site with the platforms at the fake" site-load conf/site.yaml
{
	acct-open -n 张三 0101070723 &&		# 100001
	acct-open -n 李四 010107072A		# 100002, closed below
} >/dev/null || echo "Bail out! acct-open"
start_web -l "127.0.0.1:$W" -c conf/site.yaml

# log: the fake platform NAME's log (fake by default), one JSON object a
# line, in $T/log.
log() {
	curl -sf "http://127.0.0.1:$(eval echo "\$${1:-fake}_port")/log" |
	    $PY -c 'import json, sys
for e in json.load(sys.stdin): print(json.dumps(e, ensure_ascii=False, sort_keys=True))' >"$T/log"
}
# order ACCOUNT AMOUNT CHANNEL: an order asked of the platform; its
# out_trade_no in $no.
order() {
	pay-order -o csv --request "$@" >/dev/null 2>&1 ||
	    echo "# pay-order --request $*: $(cat "$T/err")"
	no=$(sql "SELECT out_trade_no FROM orders ORDER BY id DESC LIMIT 1")
}
# pay PORT CHANNEL NO: the resident pays at the platform's checkout; its
# notification goes to prepay-web.
pay() {
	curl -s -o "$T/page" -X POST "http://127.0.0.1:$1/checkout/$2/$3"
}
# state NO: the order's state, refund_id, refunded and refunded_by.
state() {
	sql "SELECT state || ',' || coalesce(refund_id, '') || ',' ||
	    coalesce(CAST(refunded AS TEXT), '') || ',' || coalesce(refunded_by, '')
	    FROM orders WHERE out_trade_no = '$1'"
}
# snap, then unchanged NAME: no order and no ledger row changed between
# them (the audit keeps the refused invocation, with its exit code).
snap() {
	{ sql "SELECT * FROM orders ORDER BY 1"
	  sql "SELECT * FROM ledger ORDER BY 1"; } >"$T/snap"
}
unchanged() {
	{ sql "SELECT * FROM orders ORDER BY 1"
	  sql "SELECT * FROM ledger ORDER BY 1"; } >"$T/snap2"
	exits 0 "$1: nothing is written" cmp "$T/snap" "$T/snap2"
}

# --- paid for a closed account: refund_due ---------------------------------

order 100002 50.00 wechat
nowx=$no
order 100002 30.00 alipay
noali=$no
order 100001 20.00 wechat
nopaid=$no
order 100001 5.00 wechat
nocreated=$no
# One asked of the platform that finishes its refunds later.
site "$slow_port" >conf/slow.yaml
site-load conf/slow.yaml >/dev/null
order 100002 20.00 wechat
noslow=$no
site-load conf/site.yaml >/dev/null
pay "$fake_port" wechat "$nopaid"
is "$(sql "SELECT state FROM orders WHERE out_trade_no = '$nopaid'")" paid \
    "张三's order is paid by its notification"
exits 0 "李四's account is closed before he pays" acct-close 100002
pay "$fake_port" wechat "$nowx"
like "$T/page" '通知未被接受' "the platform says prepay-web refused the WeChat notification"
pay "$fake_port" alipay "$noali"
like "$T/page" '通知未被接受' "and the Alipay one"
pay "$slow_port" wechat "$noslow"
is "$(state "$nowx")" "refund_due,,," "the WeChat order is refund_due"
is "$(state "$noali")" "refund_due,,," "the Alipay order is refund_due"
is "$(sql "SELECT count(*) FROM ledger WHERE account_id = 2 AND kind = 'sale'")" 0 \
    "nothing is sold to the closed account"
exits 0 "report orders --state refund_due" report orders -o csv --state refund_due
is "$(cut -d, -f1,5 "$T/out" | tail -n +2 | tr '\n' ' ')" \
    "$nowx,refund_due $noali,refund_due $noslow,refund_due " "lists the three"
PREPAY_NOW=$DAY2 alarm-scan -o csv -k payment >/dev/null
is "$(sql "SELECT value FROM alarms WHERE kind = 'payment' AND cleared IS NULL")" \
    "24小时拒收通知0次，待退款3笔" "a day later the payment alarm still counts the three refunds due"
is "$(sql "SELECT count(*) FROM alarms WHERE kind = 'payment' AND cleared IS NULL")" 1 \
    "the alarm stands"
ledger_before=$(sql "SELECT count(*) || ' ' || coalesce(sum(amount), 0) FROM ledger")
# bills: the day's statements of both platforms, as pay-statement reads them.
bills() {
	curl -sf -o wechat.csv "http://127.0.0.1:$fake_port/bill?date=2026-03-10&channel=wechat"
	curl -sf -o alipay.csv "http://127.0.0.1:$fake_port/bill?date=2026-03-10&channel=alipay"
	curl -sf -o slow.csv "http://127.0.0.1:$slow_port/bill?date=2026-03-10&channel=wechat"
}
bills
exits 1 "the day's WeChat statement: the closed account's payment differs" \
    pay-statement -o csv --wechat wechat.csv
is "$(f 1 diff out_trade_no account)" "closed_account|$nowx|100002" "to be refunded through the platform"
is "$(nrows "$T/out")" 1 "and only it: the paid order agrees"
exits 1 "so does the Alipay one" pay-statement -o csv --alipay alipay.csv
is "$(f 1 diff out_trade_no)" "closed_account|$noali" "its closed account's payment"

# --- refusals: nothing written, the order stays refund_due ---------------

# refused NAME CODE MESSAGE ARGS...: pay-order --refund ARGS fails with
# CODE and one line of MESSAGE, and writes nothing.
refused() {
	_rn=$1 _rc=$2 _rm=$3
	shift 3
	snap
	exits "$_rc" "$_rn" pay-order -o csv --refund "$@"
	like "$T/err" "^pay-order: $_rm\$" "$_rn: the message says why"
	is "$(wc -l <"$T/err" | tr -d ' ')" 1 "$_rn: one line"
	unchanged "$_rn"
	is "$(sql "SELECT exit FROM audit ORDER BY id DESC LIMIT 1")" "$_rc" \
	    "$_rn: the audit keeps the refusal"
}
refused "a created order" 1 "order $nocreated is created: only a refund_due order is refunded through the platform" "$nocreated"
refused "a paid order: its sale is refunded at the counter" 1 \
    "order $nopaid is paid: only a refund_due order is refunded through the platform; its sale is refunded at the counter \\(refund\\(1\\)\\)" "$nopaid"
refused "an unknown order" 65 "order 0123456789abcdef0123456789abcdef: no such order" 0123456789abcdef0123456789abcdef
refused "a reason with a control character" 65 "--reason: control character inside" "$nowx" --reason "$(printf 'a\tb')"
exits 64 "--reason without --refund" pay-order --reason x --show "$nowx"
exits 64 "--refund without an order" pay-order --refund
exits 64 "--refund with two" pay-order --refund "$nowx" "$noali"

site "$fake_port" alipay-app.pem >conf/wrongkey.yaml
site-load conf/wrongkey.yaml >/dev/null
refused "a wrong merchant key: WeChat refuses" 1 \
    "order $nowx: wechat refused the refund: HTTP 401 SIGN_ERROR: 签名错误" "$nowx"
site "$fake_port" "" wechat-merchant.pem >conf/wrongkey.yaml
site-load conf/wrongkey.yaml >/dev/null
refused "a wrong app key: Alipay refuses" 1 \
    "order $noali: alipay refused the refund: HTTP 200 isv.invalid-signature: Invalid Arguments 验签出错" "$noali"
site 9 >conf/down.yaml
site-load conf/down.yaml >/dev/null
refused "the platform down" 69 \
    "order $nowx: http://127\\.0\\.0\\.1:9/v3/refund/domestic/refunds: the platform is unreachable: .*" "$nowx"
exits 0 "the site's platform back" site-load conf/site.yaml
log
unlike "$T/log" '"refund": "(wechat|alipay)", "refund_id"|"again"' "the platform made no refund for any of them"

if [ "$(id -u)" = 0 ]; then
	for u in "$POLLER" "$AUDITOR"; do
		id -u "$u" >/dev/null 2>&1 || useradd -M -N -r "$u" ||
		    echo "# could not create login $u"
	done
	chmod 777 "$T"
	chmod 666 "$PREPAY_DB" "$PREPAY_DB-wal" "$PREPAY_DB-shm" 2>/dev/null
	login_role "$POLLER" poller
	login_role "$AUDITOR" auditor
	snap
	as_exits 77 "a poller may not refund" "$POLLER" PREPAY_NOW=$PREPAY_NOW \
	    pay-order --refund "$nowx"
	like "$T/err" "^pay-order: login $POLLER is a poller; this needs the cashier role\$" \
	    "the message names the role"
	as_exits 77 "nor an auditor" "$AUDITOR" PREPAY_NOW=$PREPAY_NOW \
	    pay-order --refund "$nowx"
	like "$T/err" "^pay-order: login $AUDITOR is an auditor; this needs the cashier role\$" \
	    "the message names the role"
	unchanged "the poller's and the auditor's refunds"
else
	for i in 1 2 3 4 5; do
		ok 0 "# skip not root: a poller's and an auditor's refunds"
	done
fi

# --- WeChat Pay: refunded, asked twice -----------------------------------------

# The platform's answer signed by a key that is not the site's: WeChat
# refunded, but we do not take its word; asked again, it is the same refund.
cp conf/wechat-pub.pem conf/wechat-pub.good
openssl pkey -in conf/rogue.key -pubout -out conf/wechat-pub.pem
refused "a WeChat answer signed by another key" 65 \
    "order $nowx: wechat: the answer is refused: bad_signature: the signature does not verify" \
    "$nowx" --reason "户号 100002 已销户"
cp conf/wechat-pub.good conf/wechat-pub.pem
exits 0 "pay-order --refund: the WeChat order, asked again" \
    pay-order -o csv --refund "$nowx" --reason "户号 100002 已销户"
is "$(head -n 1 "$T/out")" \
    "out_trade_no,account,channel,amount,state,created,paid,transaction_id,serial,requested,pay_url,refund_id,refunded,refunded_by" \
    "the order columns end with refund_id, refunded and refunded_by"
login=$(id -un)
like "$T/out" "^$nowx,100002,wechat,50\\.00,refunded,2026-03-10 12:00:00,2026-03-10 12:00:00,4200[0-9]+,,2026-03-10 12:00:00,http://[^,]*,50300[0-9]{14},2026-03-10 12:00:00,$login\$" \
    "refunded now by this login, with WeChat's refund_id, and no sale"
refid=$(sql "SELECT refund_id FROM orders WHERE out_trade_no = '$nowx'")
log
is "$(grep -c "\"order\": \"$nowx\", .*\"refund\": \"wechat\", \"refund_id\": \"$refid\", \"refund_no\": \"R$nowx\", \"status\": \"SUCCESS\"" "$T/log")" 2 \
    "WeChat was asked twice, with the merchant's signature"
like "$T/log" "^\\{\"again\": false, \"amount\": 5000, \"order\": \"$nowx\", \"reason\": \"户号 100002 已销户\", \"refund\": \"wechat\", \"refund_id\": \"$refid\"" \
    "the whole 5000 fen, the reason, R and the out_trade_no"
is "$(grep -c "\"again\": false, .*\"order\": \"$nowx\", .*\"refund\": \"wechat\", \"refund_id\"" "$T/log")" 1 \
    "and made one refund"
is "$(sql "SELECT count(*) FROM audit WHERE tool = 'pay-order' AND summary LIKE '%order $nowx refunded through wechat: refund $refid%' AND args LIKE '%--refund%'")" 1 \
    "the refund is audited, in the transaction that marked it"
exits 1 "a refunded order is not refunded again" pay-order --refund "$nowx"
like "$T/err" "^pay-order: order $nowx is refunded: only a refund_due order is refunded through the platform\$" \
    "saying so"

# --- Alipay: refunded, asked twice ---------------------------------------------

cp conf/alipay-pub.pem conf/alipay-pub.good
openssl pkey -in conf/rogue.key -pubout -out conf/alipay-pub.pem
refused "an Alipay answer signed by another key" 65 \
    "order $noali: alipay: the answer is refused: the signature does not verify" "$noali"
cp conf/alipay-pub.good conf/alipay-pub.pem
exits 0 "pay-order --refund: the Alipay order, asked again" pay-order -o csv --refund "$noali"
like "$T/out" "^$noali,100002,alipay,30\\.00,refunded,.*,R$noali,2026-03-10 12:00:00,$login\$" \
    "refunded, its refund id the out_request_no, as Alipay's statement names it"
log
like "$T/log" "^\\{\"again\": false, \"amount\": 3000, \"order\": \"$noali\", \"reason\": \"户号已销户，退回支付款\", \"refund\": \"alipay\", \"refund_no\": \"R$noali\", \"status\": \"SUCCESS\"\\}\$" \
    "Alipay took the RSA2 sign: 30.00, out_request_no R and the out_trade_no, the default reason"
like "$T/log" "^\\{\"again\": true, \"amount\": 3000, \"order\": \"$noali\", .*\"refund_no\": \"R$noali\"" \
    "asked again, the same refund (fund_change N, refunded in all 30.00)"
is "$(grep -c "\"order\": \"$noali\", .*\"refund\": \"alipay\"" "$T/log")" 2 "Alipay was asked twice"

# --- PROCESSING, then finished ---------------------------------------------------

exits 0 "the site at the platform that finishes refunds later" site-load conf/slow.yaml
snap
exits 0 "pay-order --refund: WeChat is processing it" pay-order -o csv --refund "$noslow"
like "$T/err" "^pay-order: order $noslow: refund 50300[0-9]{14} is processing at wechat; ask again later\$" \
    "a warning says so"
slowid=$(sql "SELECT refund_id FROM orders WHERE out_trade_no = '$noslow'")
is "$(state "$noslow")" "refund_due,$slowid,," "the order stays refund_due, with the refund's id noted"
like "$T/out" "^$noslow,100002,wechat,20\\.00,refund_due,.*,$slowid,,\$" "as pay-order shows it"
is "$(sql "SELECT count(*) FROM audit WHERE summary LIKE '%order $noslow: refund $slowid processing at wechat%'")" 1 \
    "audited"
PREPAY_NOW=$DAY2 alarm-scan -o csv -k payment >/dev/null
is "$(sql "SELECT count(*) FROM alarms WHERE kind = 'payment' AND cleared IS NULL")" 1 \
    "the payment alarm stands while it is on its way"
exits 0 "asked again later: finished" pay-order -o csv --refund "$noslow"
is "$(state "$noslow")" "refunded,$slowid,1773115200,$login" "refunded, by the same refund"
log slow
is "$(grep -c "\"refund\": \"wechat\", \"refund_id\": \"$slowid\"" "$T/log")" 2 "asked twice"
is "$(grep -c "\"again\": false, .*\"refund_id\": \"$slowid\"" "$T/log")" 1 "one refund"
exits 0 "the site's platform back" site-load conf/site.yaml

# --- what is left -----------------------------------------------------------------

bills
exits 0 "the day's WeChat statement agrees: the payment given back, the refund the order's" \
    pay-statement -o csv --wechat wechat.csv
is "$(cat "$T/out" "$T/err")" "" "no difference"
exits 0 "the Alipay statement agrees" pay-statement -o csv --alipay alipay.csv
is "$(cat "$T/out" "$T/err")" "" "no difference"
exits 1 "the other platform's: its refund agrees" pay-statement -o csv --wechat slow.csv
is "$(f 1 diff out_trade_no)" "not_in_statement|$nopaid" \
    "only 张三's sale, paid at the first platform, differs"
sed "s/\`$refid,/\`4200999999999,/" wechat.csv >other.csv
exits 1 "a refund the office did not ask differs" pay-statement -o csv --wechat other.csv
is "$(f 1 diff)" refund "as a refund the ledger lacks"

is "$(sql "SELECT count(*) || ' ' || coalesce(sum(amount), 0) FROM ledger")" "$ledger_before" \
    "the ledger is untouched: the money never entered it"
exits 0 "report orders --state refunded" report orders -o csv --state refunded
is "$(cut -d, -f1,5,12 "$T/out" | tail -n +2 | tr '\n' ' ')" \
    "$nowx,refunded,$refid $noali,refunded,R$noali $noslow,refunded,$slowid " \
    "lists the three, with their refund ids"
exits 0 "report orders --state refund_due: none left" report orders -o csv --state refund_due
is "$(nrows "$T/out")" 0 "no refund is due"
exits 0 "in Chinese" report orders --lang zh -o csv --state refunded
like "$T/out" "^商户订单号,.*,平台退款单号,退款时间,退款操作员\$" "the columns' Chinese names"
PREPAY_NOW=$DAY2 alarm-scan -o csv -k payment >/dev/null
is "$(sql "SELECT count(*) FROM alarms WHERE kind = 'payment' AND cleared IS NULL")" 0 \
    "the payment alarm clears: no refusal in 24 hours, no refund due"
exits 0 "report verify passes, the rebuilt orders table the schema's own" report verify
db_dump >dump.sql
unlike dump.sql 'PRIVATE KEY|-----BEGIN|signature=' "no key or signature is in the database"


# --- a database of the schema before (17): its orders kept -------------------

# Made by the tools of schema 17 (prepay at 2bb886e): orders created, paid
# and refund_due, dumped.
sqlite3 old.db <"$FIXTURES/orders-v17.sql"
is "$(sqlite3 old.db 'PRAGMA user_version')" 17 "a database of schema 17"
exits 0 "report orders upgrades it" report -d old.db orders -o csv
is "$(cut -d, -f1,2,4,5,8,9 "$T/out" | tail -n +2 | tr '\n' ' ')" \
    "71ad162a40f164ae3ec8b9368d78ea78,100001,50.00,created,, f32e0ad5b628c2d488747a89adc76a9c,100001,20.00,paid,4200000001202603100000000001,20260310000003 17dcf18fb46ba40b3077b6d17d6a6446,100002,30.00,refund_due,4200000001202603100000000002, " \
    "every order kept, in its state, with its sale"
is "$(sqlite3 old.db "SELECT count(*) FROM sqlite_master WHERE name LIKE 'orders%'")" 1 \
    "one orders table, no other left behind"
exits 0 "report verify: the rebuilt table is the schema's own" report -d old.db verify

done_testing
