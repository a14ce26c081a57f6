#!/bin/sh
# payments: the site file's payments: section (prepay.yaml(5)); orders;
# WeChat Pay and Alipay notifications checked and posted exactly once.
. "$(dirname "$0")/lib.sh"
need openssl

# 2026-03-10 12:00:00 in Shanghai, whatever the hour of the run.
export PREPAY_NOW=1773115200

# The merchant's keys and the platforms', made now, beside the site file
# in conf/: the site file names them relative to itself.
mkdir conf
openssl rand -out conf/wechat-apiv3.key 32 2>/dev/null
for k in wechat-platform wechat-merchant alipay-platform alipay-app; do
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
	    -out conf/$k.key 2>/dev/null
done
openssl pkey -in conf/wechat-platform.key -pubout -out conf/wechat-pub.pem
openssl pkey -in conf/alipay-platform.key -pubout -out conf/alipay-pub.pem
cp conf/wechat-merchant.key conf/wechat-merchant.pem
cp conf/alipay-app.key conf/alipay-app.pem
chmod 640 conf/wechat-apiv3.key conf/wechat-merchant.pem conf/alipay-app.pem
SERIAL=PUB_KEY_ID_0114232134912410000000000000

{
	cat "$FIXTURES/site.yaml"
	cat <<YAML
payments:
  notify_base: https://pay.example.edu.cn
  wechat:
    mchid: "1900000109"
    appid: wxd678efh567hg6787
    apiv3_key_file: wechat-apiv3.key
    platform_keys:
      - {serial: "$SERIAL", file: wechat-pub.pem}
    merchant_key_file: wechat-merchant.pem
    api_base: https://api.mch.weixin.qq.com
  alipay:
    app_id: "2021000000000000"
    public_key_file: alipay-pub.pem
    private_key_file: alipay-app.pem
    gateway: https://openapi.alipay.com/gateway.do
YAML
} >conf/site.yaml

# --- payments: in the site file -----------------------------------------

mkdir elsewhere
(cd elsewhere && site-load ../conf/site.yaml >"$T/out" 2>"$T/err")
is $? 0 "site-load takes the payments section, run from another folder"
is "$(sql "SELECT key || '=' || value FROM settings WHERE key LIKE 'pay.%' ORDER BY key" | tr '\n' ' ')" \
    "pay.alipay.app_id=2021000000000000 pay.alipay.gateway=https://openapi.alipay.com/gateway.do pay.alipay.private_key_file=$T/conf/alipay-app.pem pay.alipay.public_key_file=$T/conf/alipay-pub.pem pay.notify_base=https://pay.example.edu.cn pay.wechat.api_base=https://api.mch.weixin.qq.com pay.wechat.apiv3_key_file=$T/conf/wechat-apiv3.key pay.wechat.appid=wxd678efh567hg6787 pay.wechat.mchid=1900000109 pay.wechat.merchant_key_file=$T/conf/wechat-merchant.pem pay.wechat.platform_key.$SERIAL=$T/conf/wechat-pub.pem " \
    "the identifiers and the key files, by names relative to the site file made absolute, are stored"

# No secret enters the database: neither the APIv3 key nor a private key.
apiv3=$(xxd -p -c 64 conf/wechat-apiv3.key)
sqlite3 "$PREPAY_DB" .dump | xxd -p | tr -d '\n' >dump.hex
if grep -q "$apiv3" dump.hex; then ok 1 "the APIv3 key is not in the database"
else ok 0 "the APIv3 key is not in the database"; fi
sqlite3 "$PREPAY_DB" .dump >dump.sql
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
	sqlite3 "$PREPAY_DB" "SELECT * FROM settings ORDER BY key" >before
	exits 78 "$1" site-load conf/bad.yaml
	like "$T/err" "^site-load: conf/bad\\.yaml:[0-9]+: $2" "$1: the message says where and why"
	is "$(wc -l <"$T/err" | tr -d ' ')" 1 "$1: one line"
	sqlite3 "$PREPAY_DB" "SELECT * FROM settings ORDER BY key" >after
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
is "$(head -n 1 "$T/out")" "out_trade_no,account,channel,amount,state,created,paid,transaction_id,serial" \
    "the order columns"
like "$T/out" '^[0-9a-f]{32},100001,wechat,50\.00,created,2026-03-10 12:00:00,,,$' \
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
exits 0 "close account 100002" acct-close 100002
rorder "a closed account" 1 'account 100002 is closed$' 100002 10 wechat
exits 64 "too few operands" pay-order 100001 10

done_testing
