#!/bin/sh
# pay-statement: the daily statement check (对账) of WeChat Pay's trade bill
# and Alipay's business detail statement against the ledger and the orders.
. "$(dirname "$0")/lib.sh"
need iconv sqlite3

# The check runs the next day at noon; the statements are of 2026-03-09.
export PREPAY_NOW="2026-03-10 12:00:00"
day_start=1772985600	# 2026-03-09 00:00:00 in Shanghai

# examples.yaml's campus: four meters billed to their accounts, which a
# sale does not call.
# Its poller is a login of the test's own, for the roles below.
POLLER=pp_stmt_poller_t
sed "s/login: prepay, role: poller/login: $POLLER, role: poller/" \
    "$FIXTURES/examples.yaml" >site.yaml
site-load site.yaml >/dev/null || echo "Bail out! site-load"
{
	acct-open -n 张三 0101070723 &&		# 100001
	acct-open -n 李四 0101070724 &&		# 100002
	acct-open -n 王五 0101070801 &&		# 100003, closed below
	acct-open -n 赵六 0101070802		# 100004
} >/dev/null || echo "Bail out! acct-open"
PREPAY_NOW="2026-03-09 08:00:00" acct-close 100003 >/dev/null ||
    echo "Bail out! acct-close"

# The sales the notifications made yesterday, by the tools.
PREPAY_NOW="2026-03-09 09:10:00" sale -m wechat --ref 4200000001 100001 30 >/dev/null
PREPAY_NOW="2026-03-09 10:00:00" sale -m wechat --ref 4200000003 100002 10 >/dev/null
PREPAY_NOW="2026-03-09 16:00:00" sale -m wechat --ref 4200000008 100004 7 >/dev/null
PREPAY_NOW="2026-03-08 16:00:00" sale -m wechat --ref 4200000009 100004 6 >/dev/null
PREPAY_NOW="2026-03-09 17:00:00" sale -m wechat --ref 4200000010 100004 4 >/dev/null
reversed=$(report txns -o csv --kind sale | awk -F, '/4200000010/ { print $1 }')
PREPAY_NOW="2026-03-09 17:05:00" reverse "$reversed" >/dev/null
PREPAY_NOW="2026-03-09 18:00:00" refund -m wechat --ref 50300000001 --account 100001 5 >/dev/null
PREPAY_NOW="2026-03-09 11:00:00" sale -m alipay --ref 2026030922001400001 100004 40 >/dev/null
PREPAY_NOW="2026-03-09 12:00:00" sale -m cash 100004 1 >/dev/null
PREPAY_NOW="2026-03-09 15:00:00" sale -m wechat --ref 4200000012 100004 9 >/dev/null

# The orders: no tool makes them yet (prepay-web will), so sqlite3 does,
# as the schema of the orders table has them.
order() {	# OUT_TRADE_NO ACCOUNT CHANNEL FEN STATE
	sql "INSERT INTO orders(out_trade_no, account_id, channel, amount, state, created)
	    SELECT '$1', id, '$3', $4, '$5', $day_start + 3600 FROM accounts WHERE account = '$2'"
}
order W1 100001 wechat 3000 paid
order W2 100001 wechat 2000 created
order W3 100002 wechat 1500 created
order W5 100003 wechat 800 created
order W6 100002 wechat 1100 created
order W7 100002 alipay 1200 created
order W12 100002 wechat 900 created
order A1 100002 alipay 2500 created
order A2 100004 alipay 4000 paid
sql "UPDATE orders SET transaction_id = '4200000001', paid = $day_start + 33000,
    ledger_id = (SELECT id FROM ledger WHERE ref = '4200000001') WHERE out_trade_no = 'W1'"

# --- WeChat Pay's trade bill ----------------------------------------------

# wx TIME TXN OUT_TRADE_NO STATE AMOUNT [REFUND_ID REFUND_AMOUNT]: a row,
# every field prefixed with a backquote, as the platform writes them.
wx() {
	printf '`%s,`wxd678efh567hg6787,`1900000109,`0,`,`%s,`%s,`oUpF8uMuAJO_M2pxb1Q9zNjWeS6o,`JSAPI,`%s,`OTHERS,`CNY,`%s,`0.00,`%s,`%s,`%s,`0.00,`%s,`%s,`电费充值,`,`0.00000,`0.60%%,`%s,`%s,`\r\n' \
	    "$1" "$2" "$3" "$4" "$5" "${6:-0}" "${6:+R$3}" "${7:-0.00}" \
	    "${6:+ORIGINAL}" "${6:+SUCCESS}" "$5" "${7:-0.00}"
}
wx_bill() {	# ROWS... from stdin, then the summary block
	printf '交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注\r\n'
	cat rows
	printf '总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额\r\n'
	printf '`%s,`0.00,`0.00,`0.00,`0.00000,`0.00,`0.00\r\n' "$(wc -l <rows)"
}
{
	wx "2026-03-09 09:09:58" 4200000001 W1 SUCCESS 30.00	# agrees
	wx "2026-03-09 09:30:00" 4200000002 W2 SUCCESS 20.00	# missing
	wx "2026-03-09 09:59:00" 4200000003 W3 SUCCESS 15.00	# ledger 10.00
	wx "2026-03-09 10:30:00" 4200000004 W404 SUCCESS 5.00	# no order
	wx "2026-03-09 11:30:00" 4200000005 W5 SUCCESS 8.00	# closed account
	wx "2026-03-09 12:30:00" 4200000006 W6 SUCCESS 12.00	# order 11.00
	wx "2026-03-09 13:30:00" 4200000007 W7 SUCCESS 12.00	# an Alipay order
	wx "2026-03-09 14:00:00" 4200000011 W11 REVOKED 9.00	# revoked: no payment
	wx "2026-03-09 14:59:00" 4200000012 W12 SUCCESS 9.00	# sold to another
	wx "2026-03-09 09:09:58" 4200000001 W1 REFUND 30.00 50300000001 5.00	# agrees
	wx "2026-03-09 09:09:58" 4200000001 W1 REFUND 30.00 50300000002 3.00	# not booked
} >rows
wx_bill >wechat.csv

n_ledger=$(ledger)
exits 1 "the WeChat bill disagrees" pay-statement -o csv --wechat wechat.csv
is "$(head -n 1 "$T/out")" "diff,method,time,ref,out_trade_no,account,statement_amount,ledger_amount,serial,note" \
    "the columns"
is "$(nrows "$T/out")" 9 "one row a difference"
is "$(f 1 diff method time ref out_trade_no account statement_amount ledger_amount)" \
    "missing|wechat|2026-03-09 09:30:00|4200000002|W2|100001|20.00|" \
    "paid but not in the ledger: its order's account"
is "$(f 2 diff ref account statement_amount ledger_amount note)" \
    "amount|4200000003|100002|15.00|10.00|the ledger's sale differs" \
    "an amount that differs from the ledger's sale"
is "$(f 3 diff ref out_trade_no account statement_amount)" \
    "unknown_order|4200000004|W404||5.00" "a payment of no order"
is "$(f 4 diff ref out_trade_no account statement_amount)" \
    "closed_account|4200000005|W5|100003|8.00" "a payment to a closed account"
is "$(f 5 diff ref account statement_amount note)" \
    "amount|4200000006|100002|12.00|the order is for 11.00: not posted" \
    "a payment that differs from its order"
is "$(f 6 diff ref out_trade_no)" "unknown_order|4200000007|W7" \
    "an Alipay order paid by WeChat is no WeChat order"
is "$(f 7 diff ref out_trade_no account statement_amount ledger_amount note)" \
    "account|4200000012|W12|100004|9.00|9.00|the ledger's sale went to account 100004, the order is for 100002" \
    "a sale by the transaction id to another account than its order's"
is "$(f 8 diff ref account statement_amount ledger_amount)" \
    "refund|50300000002|100001|3.00|" "a refund the ledger lacks"
like "$T/out" '^refund,.*4200000001' "the refund names the transaction it refunds"
is "$(f 9 diff time ref account statement_amount ledger_amount)" \
    "not_in_statement|2026-03-09 16:00:00|4200000008|100004||7.00" \
    "the ledger's sale the bill lacks; the day before, a reversed one and Alipay's are not"
like "$T/err" '^pay-statement: wechat 2026-03-09: 8 payments, 2 refunds: 2 agree, 9 differ, 0 posted$' \
    "a summary on stderr"
is "$(ledger)" "$n_ledger" "without --apply nothing is posted"

exits 1 "--apply" pay-statement -o csv --apply --wechat wechat.csv
is "$(f 1 diff ref account statement_amount ledger_amount note)" \
    "posted|4200000002|100001|20.00|20.00|posted as a sale" "the missing payment is posted"
posted=$(f 1 serial)
is "$(report txns -o csv | grep -c "^$posted,.*,sale,100001,.*,20.00,wechat,.*,4200000002,")" 1 \
    "a wechat sale of 20.00 to 100001 with the transaction id as its ref"
is "$(sql "SELECT state, paid - $day_start, transaction_id, CASE WHEN ledger_id = (SELECT id FROM ledger WHERE ref = '4200000002') THEN 1 ELSE 0 END FROM orders WHERE out_trade_no = 'W2'")" \
    "paid|34200|4200000002|1" "its order is paid at the platform's time"
is "$(sql "SELECT state FROM orders WHERE out_trade_no = 'W5'")" "refund_due" \
    "the closed account's order waits for a refund"
is "$(sql "SELECT count(*) FROM ledger l JOIN accounts a ON a.id = l.account_id WHERE a.account = '100003' AND l.kind = 'sale'")" 0 \
    "never a sale to the closed account"
is "$(col "$T/out" diff)" "posted amount unknown_order closed_account amount unknown_order account refund not_in_statement" \
    "the other differences stay"
is "$(ledger)" "$((n_ledger + 1))" "one row more"
report audit -o csv >audit.csv
like audit.csv '^2026-03-10 12:00:00,[^,]*,pay-statement,-o csv --apply --wechat wechat.csv,0,sale [0-9]+ account 100001 amount 20.00$' \
    "the sale's audit entry names pay-statement"
like audit.csv '^2026-03-10 12:00:00,[^,]*,pay-statement,-o csv --apply --wechat wechat.csv,0,order W5 refund_due: account 100003 is closed' \
    "so does the order marked for a refund"

exits 1 "--apply again" pay-statement -o csv --apply --wechat wechat.csv
is "$(ledger)" "$((n_ledger + 1))" "a second --apply posts nothing"
is "$(col "$T/out" diff)" "amount unknown_order closed_account amount unknown_order account refund not_in_statement" \
    "the posted payment now agrees"
exits 0 "the books still verify" report verify -o csv

# --- Alipay's business detail statement, in GBK -------------------------

cat >alipay.utf8 <<'EOF'
#支付宝业务明细查询
#账号：[20880000000000000156]
#起始日期：[2026年03月09日 00:00:00]   终止日期：[2026年03月10日 00:00:00]
#-----------------------------------------业务明细列表----------------------------------------
支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,对方账户,订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,商家优惠（元）,券核销金额（元）,券名称,商家红包消费金额（元）,卡消费金额（元）,退款批次号/请求号,服务费（元）,分润（元）,备注
2026030922001400001	,A2	,交易	,电费充值	,2026-03-09 10:59:50	,2026-03-09 10:59:58	,	,	,	,	,lis***@example.com	,40.00	,40.00	,0.00	,0.00	,0.00	,0.00	,0.00	,	,0.00	,0.00	,	,-0.24	,0.00	,
2026030922001400002	,A1	,交易	,电费充值	,2026-03-09 13:00:01	,2026-03-09 13:00:09	,	,	,	,	,wan***@example.com	,25.00	,25.00	,0.00	,0.00	,0.00	,0.00	,0.00	,	,0.00	,0.00	,	,-0.15	,0.00	,
2026030922001400001	,A2	,退款	,电费充值	,2026-03-09 10:59:50	,2026-03-09 19:00:00	,	,	,	,	,lis***@example.com	,-5.00	,-5.00	,0.00	,0.00	,0.00	,0.00	,0.00	,	,0.00	,0.00	,RQ2026030900001	,0.03	,0.00	,
#-----------------------------------------业务明细列表结束------------------------------------
#交易合计：2笔，商家实收共：65.00元，商家优惠共：0.00元
#退款合计：1笔，商家实收退款共：-5.00元，商家优惠退款共：0.00元
#导出时间：[2026年03月10日 09:10:11]
EOF
iconv -f UTF-8 -t GBK alipay.utf8 >alipay.csv
ok "$(grep -c '支付宝' alipay.csv)" "the Alipay statement is GBK, not UTF-8"

n_ledger=$(ledger)
exits 1 "the Alipay statement disagrees" pay-statement -o csv --alipay alipay.csv
is "$(nrows "$T/out")" 2 "two differences"
is "$(f 1 diff method time ref out_trade_no account statement_amount)" \
    "missing|alipay|2026-03-09 13:00:09|2026030922001400002|A1|100002|25.00" \
    "the payment the ledger lacks, at its completion time"
is "$(f 2 diff ref account statement_amount note)" \
    "refund|RQ2026030900001|100004|5.00|refunded by the platform for transaction 2026030922001400001, sale $(report txns -o csv | awk -F, '/2026030922001400001/ { print $1 }'); no refund in the ledger" \
    "the refund, by its request id, of a booked sale"
exits 1 "--apply" pay-statement -o csv --apply --alipay alipay.csv
is "$(f 1 diff account ledger_amount)" "posted|100002|25.00" "posted to the order's account"
is "$(ledger)" "$((n_ledger + 1))" "one sale"
PREPAY_NOW="2026-03-10 12:05:00" refund -m alipay --ref RQ2026030900001 --account 100004 5 >/dev/null
exits 0 "once the office books the refund, all agrees" pay-statement -o csv --apply --alipay alipay.csv
is "$(cat "$T/out")" "" "nothing printed when all agrees"
is "$(ledger)" "$((n_ledger + 2))" "--apply again posted nothing"
exits 0 "the books still verify" report verify -o csv
# The next day's statement, without trades: the sale --apply posted counts
# on the day Alipay took the money, and the refund the office booked today
# is not a sale.
sed -e '/^20260309/d' -e 's/合计：[0-9]*笔/合计：0笔/' alipay.utf8 |
    iconv -f UTF-8 -t GBK >alipay-0310.csv
exits 0 "the next day agrees" pay-statement -o csv --date 2026-03-10 --alipay alipay-0310.csv
is "$(cat "$T/out" "$T/err")" "" "silent"

# --- a day without payments needs its date --------------------------------

: >rows
wx_bill >empty.csv
exits 65 "a bill without payments cannot tell its day" pay-statement -o csv --wechat empty.csv
is "$(cat "$T/err")" "pay-statement: empty.csv: no payments to tell the day by: give --date" \
    "the message says to give --date"
exits 1 "--date: every wechat sale of that day is missing from it" \
    pay-statement -o csv --date 2026-03-09 --wechat empty.csv
is "$(col "$T/out" diff)" "not_in_statement not_in_statement not_in_statement not_in_statement not_in_statement" \
    "five: the sales of 4200000001, 4200000003, 4200000008 and 4200000012, and the sale --apply posted; not the refund the office booked"
is "$(col "$T/out" ref)" "4200000001 4200000003 4200000008 4200000012 4200000002" "by their refs, in the ledger's order"
is "$(f 5 time account ledger_amount)" "2026-03-09 09:30:00|100001|20.00" \
    "the posted sale counts on the day the platform took the money"
is "$(f 1 time out_trade_no)" "2026-03-09 09:10:00|W1" "a sale with an order names it"
exits 0 "--date the day before: the ledger's sale of 4200000009 ... is on no other day" \
    pay-statement -o csv --date 2026-03-07 --wechat empty.csv

# --- bad statements: one line, exit 65, nothing written -------------------

n_ledger=$(ledger)
bad() {	# NAME FILE PATTERN [--alipay]
	exits 65 "$1" pay-statement -o csv --apply ${4:---wechat} "$2"
	is "$(wc -l <"$T/err")" 1 "$1: one line"
	like "$T/err" "^pay-statement: $3" "$1: the message"
}
head -n 5 wechat.csv >cut.csv
bad "a bill cut short" cut.csv "cut.csv: no summary \(总交易单数\): the bill is cut short"
sed 's/^`11,/`10,/' wechat.csv >count.csv
bad "a summary that counts otherwise" count.csv "count.csv: the summary's 总交易单数 is not the number of trades"
sed '3s/`20.00,/`20.0x,/g' wechat.csv >amount.csv
bad "a bad amount" amount.csv 'amount.csv: line 3: bad amount "20.0x"'
sed '3s/`20.00,/`-20.00,/g' wechat.csv >negative.csv
bad "a negative payment" negative.csv 'negative.csv: line 3: bad amount "-20.00"'
sed '/^20260309.*,交易/s/,40.00\t/,-40.00\t/' alipay.utf8 | iconv -f UTF-8 -t GBK >alipay-negative.csv
bad "a negative Alipay payment" alipay-negative.csv 'alipay-negative.csv: line 6: bad amount "-40.00"' --alipay
sed '3s/4200000002/4200000001/' wechat.csv >twice.csv
bad "a transaction twice" twice.csv 'twice.csv: transaction "4200000001" appears twice'
sed '3s/SUCCESS/PAID/' wechat.csv >state.csv
bad "an unknown state" state.csv 'state.csv: line 3: 交易状态 neither SUCCESS, REFUND nor REVOKED "PAID"'
sed '3s/2026-03-09 09:30:00/2026-03-09 25:30:00/' wechat.csv >time.csv
bad "a bad time" time.csv 'time.csv: line 3: bad time "2026-03-09 25:30:00"'
: >nothing.csv
bad "an empty file" nothing.csv "nothing.csv: empty"
grep '^#' alipay.utf8 | iconv -f UTF-8 -t GBK >comments.csv
bad "an Alipay statement of comments only" comments.csv "comments.csv: empty input, no header" --alipay
bad "Alipay's statement as WeChat's" alipay.csv "alipay.csv: not a WeChat Pay trade bill: no column 交易时间"
bad "WeChat's bill as Alipay's" wechat.csv "wechat.csv: byte 37: not GBK text" --alipay
bad "an Alipay statement in UTF-8" alipay.utf8 "alipay.utf8: byte 28: not GBK text" --alipay
sed '/#交易合计/d' alipay.utf8 | iconv -f UTF-8 -t GBK >nosum.csv
bad "an Alipay statement without its summary" nosum.csv "nosum.csv: no summary \(#交易合计, #退款合计\): the statement is cut short" --alipay
sed 's/#交易合计：2笔/#交易合计：3笔/' alipay.utf8 | iconv -f UTF-8 -t GBK >sum3.csv
bad "an Alipay summary that counts otherwise" sum3.csv "sum3.csv: the summary's 交易合计 and 退款合计 are not the number of trades" --alipay
printf '\377\377' | cat alipay.csv - >notgbk.csv
bad "bytes that are not GBK" notgbk.csv "notgbk.csv: byte [0-9]+: not GBK text" --alipay
is "$(ledger)" "$n_ledger" "no bad statement posted anything"
is "$(sql "SELECT count(*) FROM orders WHERE state = 'created'")" 4 "nor changed an order"

exits 66 "a statement that is not there" pay-statement --wechat missing.csv
like "$T/err" "^pay-statement: missing.csv: No such file" "the message"
exits 64 "both platforms at once" pay-statement --wechat wechat.csv --alipay alipay.csv
exits 64 "no statement" pay-statement
exits 64 "a bad --date" pay-statement --date 2026-3-9 --wechat wechat.csv
like "$T/err" '^pay-statement: --date 2026-3-9: use YYYY-MM-DD' "the message"
exits 1 "the statement on stdin" sh -c 'pay-statement -o csv --wechat - <wechat.csv'

# --- the roles: any operator checks, a cashier applies -------------------

if [ "$(id -u)" != 0 ]; then
	for i in 1 2 3 4; do
		ok 0 "# skip not root: a poller's check"
	done
	done_testing
	exit
fi
id -u "$POLLER" >/dev/null 2>&1 || useradd -M -N -r "$POLLER" ||
    echo "# could not create login $POLLER"
chmod 777 "$T"
chmod 666 "$PREPAY_DB" "$PREPAY_DB-wal" "$PREPAY_DB-shm" wechat.csv 2>/dev/null
login_role "$POLLER" poller
as_exits 1 "a poller checks" "$POLLER" PREPAY_NOW=1773115200 \
    pay-statement -o csv --wechat wechat.csv
is "$(col "$T/out" diff)" "amount unknown_order closed_account amount unknown_order account refund not_in_statement" \
    "... and sees the differences"
as_exits 77 "... but may not post them" "$POLLER" PREPAY_NOW=1773115200 \
    pay-statement -o csv --apply --wechat wechat.csv
like "$T/err" "^pay-statement: .*cashier" "the message names the role"

done_testing
