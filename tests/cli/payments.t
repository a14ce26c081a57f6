#!/bin/sh
# payments: the site file's payments: section (prepay.yaml(5)); orders;
# WeChat Pay and Alipay notifications checked and posted exactly once.
. "$(dirname "$0")/lib.sh"
need openssl

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

done_testing
