#!/bin/sh
# examples.t: every command of every man page's EXAMPLES, taken from the
# pages themselves (so that they cannot drift from the tools), run against
# meter-sim on the site of tests/fixtures/examples.yaml, with accounts
# opened and sales made.  One TAP test per example: its exit, and the
# output the page shows.  What cannot run here is listed below as a skip,
# with the reason.
. "$(dirname "$0")/lib.sh"

need mbpoll socat sqlite3 xxd

# The site's copies: files beside the test's database, or on PostgreSQL
# (PREPAY_TEST_PG) databases of its cluster, each made from another as
# its template.  The DL/T 645 key file is beside a SQLite database; a
# server's site keeps it on the polling host, here named by PREPAY_KEYS.
DB0=$PREPAY_DB
if on_pg; then
	export PREPAY_KEYS="$T/prepay.db.keys"
	KEYS=$PREPAY_KEYS
else
	KEYS=$PREPAY_DB.keys
fi
# pg_admin SQL...: psql on the cluster's maintenance database.
pg_admin() {
	_maint=$(printf '%s\n' "$DB0" |
	    sed 's|^\(postgres[a-z]*://[^/?]*/\)[^?]*|\1postgres|')
	for _sql; do
		psql -XAtq -v ON_ERROR_STOP=1 -d "$_maint" -c "$_sql" >/dev/null ||
		    return 1
	done
}
# db_at NAME: where the copy NAME is: its file, or its database's URI.
db_at() {
	if on_pg; then
		printf '%s\n' "$DB0" |
		    sed "s|^\(postgres[a-z]*://[^/?]*/\)[^?]*|\1$1|"
	else
		echo "$T/$1.db"
	fi
}
# db_save NAME: the test's database kept as the copy NAME.
db_save() {
	if on_pg; then
		pg_admin "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)" \
		    "CREATE DATABASE \"$1\" TEMPLATE prepay"
	else
		cp "$PREPAY_DB" "$T/$1.db"
	fi
}
# db_copy FROM TO: the copy TO made anew from the copy FROM, or empty
# when FROM is none; db_copy FROM prepay: the test's database.
db_copy() {
	if on_pg; then
		_tpl=
		[ "$1" != none ] && _tpl=" TEMPLATE \"$1\""
		pg_admin "DROP DATABASE IF EXISTS \"$2\" WITH (FORCE)" \
		    "CREATE DATABASE \"$2\"$_tpl"
	else
		_to=$T/$2.db
		[ "$2" = prepay ] && _to=$PREPAY_DB
		rm -f "$_to" "$_to-wal" "$_to-shm" "$_to-journal"
		[ "$1" = none ] || cp "$T/$1.db" "$_to"
	fi
}

login=$(id -un)
P=$(port_base)
W=$T/w		# where the examples run: their site.yaml, CSVs, ...
mkdir -p "$W" "$T/ex" "$T/stub"

# --- the examples, from the pages ------------------------------------------------

# Each literal block of EXAMPLES (or .Dl line) is cut into examples: a "$ "
# or "# " line and its continuations (a trailing \, |, && or an open
# quote) is a command, the lines after it the output the page shows; a
# block without a prompt is a file's text (a crontab, YAML).  Written to
# $T/ex: index (id, page, n, block, kind), id.cmd, id.want.
awk -v dir="$T/ex" '
function unesc(s) {
	gsub(/\\\(aq/, "'\''", s); gsub(/\\\(dq/, "\"", s); gsub(/\\&/, "", s)
	gsub(/\\-/, "-", s); gsub(/\\e/, "\\", s)
	return s
}
function open(s,   i, c, q, n) {
	n = length(s)
	for (i = 1; i <= n; i++) {
		c = substr(s, i, 1)
		if (q == "'\''") { if (c == "'\''") q = ""; continue }
		if (c == "\\") { i++; continue }
		if (q == "\"") { if (c == "\"") q = ""; continue }
		if (c == "'\''" || c == "\"") q = c
	}
	return q != "" || s ~ /(\\|\||&&)[ \t]*$/
}
function flush(   f) {
	if (kind == "")
		return
	f = sprintf("%s/%03d", dir, ++id)
	printf "%03d\t%s\t%d\t%d\t%s\n", id, page, ++n[page], blk, kind \
	    >>(dir "/index")
	printf "%s\n", cmd >(f ".cmd")
	printf "%s", want >(f ".want")
	close(f ".cmd")
	close(f ".want")
	kind = cmd = want = ""
}
FNR == 1 { flush(); page = FILENAME; sub(/.*\//, "", page); ex = lit = 0 }
/^\.Sh / { flush(); ex = ($0 ~ /^\.Sh EXAMPLES/); next }
!ex { next }
/^\.Bd -literal/ { lit = 1; blk++; next }
/^\.Ed/ { flush(); lit = 0; next }
/^\.Dl / {
	flush(); blk++; cmd = unesc(substr($0, 5)); kind = "text"
	if (sub(/^\$ /, "", cmd))
		kind = "cmd"
	flush(); next
}
!lit { next }
{
	line = unesc($0)
	if (kind != "text" && kind != "" && more) {
		cmd = cmd "\n" line
	} else if (line ~ /^[$#] / && line !~ /^# \//) {
		# ("# /path" opens the text of a file, not a root command.)
		flush()
		kind = (line ~ /^\$/) ? "cmd" : "root"
		cmd = substr(line, 3)
	} else if (kind != "text" && kind != "") {
		want = want line "\n"
	} else {
		kind = "text"
		cmd = (cmd == "") ? line : cmd "\n" line
	}
	more = open(cmd)
}
END { flush() }' "$top"/man/*.[1578]
[ -s "$T/ex/index" ] || { echo "Bail out! no EXAMPLES found in man/"; exit 1; }

# --- what cannot run here -----------------------------------------------------------

# page:n	the start of the command, to catch a table that is out of date	why
# (A text block, a crontab line or a root command that is not listed here
# is a failure: each needs a reason.)
cat >"$T/skips" <<'EOF'
alarm-scan.1:3	PATH=	crontab lines
alarm-scan.1:4	0 9 * * *	a crontab line
alarm-scan.1:5	apt-get install	installs a package (root)
alarm-scan.1:6	cp scripts/	installs a script (root)
alarm-scan.1:7	PREPAY_PHONE=	sends an SMS through a GSM modem
alarm-scan.1:8	alarm-scan --notify notify-gammu	sends SMS through a GSM modem
alarm-scan.1:9	PREPAY_SMS_URL=	crontab lines, and a real SMS gateway
meter-read.1:3	*/5 * * * *	a crontab line
pay-order.1:1	pay-order -o list	needs the payments: section and its keys: tests/cli/payments.t makes orders
pay-order.1:2	pay-order --show	an order of another site: tests/cli/payments.t shows orders
pay-order.1:3	pay-order --wechat	a notification signed by a platform: tests/cli/payments.t replays them
pay-order.1:4	pay-order -o list --request	asks a payment platform: tests/cli/pay-request.t asks the fake one
pay-order.1:5	sqlite3	the refusals of another site: tests/cli/payments.t counts them
pay-order.1:7	pay-order --refund	refunds through a payment platform: tests/cli/pay-refund.t refunds through the fake one
pay-statement.1:7	MAILTO=	crontab lines, and mail
prepay-web.1:1	prepay-web -d	a server that runs until SIGTERM: tests/cli/web.t starts and stops it
prepay-web.1:2	curl -c jar	needs prepay-web serving residents: tests/cli/web.t binds the same way
prepay-web.1:3	curl -b jar -d	needs prepay-web serving residents: tests/cli/web.t orders the same way
prepay-web.1:4	curl -b jar http	an order of another site: tests/cli/web.t shows orders
prepay-web.1:5	curl -b jar http	needs prepay-web serving residents: tests/cli/web.t asks for another's account
prepay-web.1:7	server {	an nginx configuration
meter-read.1:4	systemctl	systemd
prepay-profile.5:8	chgrp prepay	root, and the group prepay
prepay-profile.5:9	chmod 640	root: the key file of the installed database
prepay-migrate.1:3	systemctl	systemd, and a PostgreSQL server: tests/pg/migrate.t copies a site onto one
prepay-migrate.1:4	createdb	a PostgreSQL server: tests/pg/migrate.t copies a site onto one
prepay-migrate.1:5	prepay-migrate /var	a PostgreSQL server: tests/pg/migrate.t copies a site onto one
prepay-migrate.1:6	report -d postgresql	a PostgreSQL server: tests/pg/migrate.t verifies the copy there
prepay-migrate.1:7	prepay-migrate postgresql	a PostgreSQL server: tests/pg/migrate.t copies a site back from one
prepay.7:1	make install	installs the tools (root)
prepay.7:2	install -m 0640	installs the key file (root)
prepay.7:16	report txns --operator zhang	one login writes every row here, the supervisor's reversal and the closes among them; report.1:6 runs the same pipeline on a cashier's rows
prepay.7:20	*/5 * * * *	a crontab line
prepay.7:24	*/5 * * * *	a crontab line, and SMS through a GSM modem
prepay.7:31	PREPAY_DB=	crontab lines, and mail
report.1:20	PREPAY_DB=	crontab lines, and mail
EOF
if on_pg; then
	cat >>"$T/skips" <<'EOF'
db-backup.1:1	db-backup --keep	copies a SQLite file, and refuses a PostgreSQL URI: tests/pg/engine.t checks the refusal
db-backup.1:2	db-backup --restore	restores a SQLite file, and refuses a PostgreSQL URI: tests/pg/engine.t checks the refusal
prepay.7:32	sqlite3	SQLite's online backup of its file: a server's backup is pg_dump's
EOF
fi

# --- the names of the pages, mapped onto the fixture --------------------------------

# page (or *)	the page's text	the test's.  Applied in order, as plain
# strings, to each command and to the output the page shows.  Where the
# fixture can take a page's own name, it does (tests/fixtures/examples.yaml).
cat >"$T/subst" <<EOF
# Free ports, the test's database and directories.
*	127.0.0.1:1502	127.0.0.1:$P
*	-p 1502	-p $P
*	/var/lib/prepay/prepay.db	$PREPAY_DB
site-load.1	cd /etc/prepay	cd $W
prepay.7	.backup /backup/	.backup $W/
db-backup.1	/var/lib/prepay/backup	$W/backup
prepay-migrate.1	prepay.db copy.db	$PREPAY_DB $W/copy.db
prepay-migrate.1	-d copy.db	-d $W/copy.db
prepay-profile.5	\$HOME/profiles	$T/profiles
meter-sim.1	/tmp/a	$T/a
meter-sim.1	/tmp/b	$T/b
meter-sim.1	/tmp/c	$T/c
meter-sim.1	/tmp/d	$T/d
meter-sim.1	127.0.0.1:1645	127.0.0.1:$((P + 3))
# One login, the one that runs the test, writes every row.
*	--operator zhang	--operator $login
# meter-sim says it is ready on a FIFO, as start_sim waits for it; a
# person at the terminal waits by eye.
*	/tmp/sim.pid	$T/sim.ready
prepay.7	--ready sim.pid	--ready $T/sim.ready
meter-sim.1	meter-sim --tty	meter-sim --ready $T/sim.ready --tty
meter-sim.1	meter-sim --garbage	meter-sim --ready $T/sim.ready --garbage
# meter-read(1)'s gw3 has meters with a clock; the fixture's gw3 is
# site-load(1)'s, of sdm120s, and gw6 has a prepay-1p.
meter-read.1	-g gw3	-g gw6
# prepay(7)'s story starts from an empty database: the sale to the wrong
# account is not the 42nd of the day there.
prepay.7	20261120000042	\$wrong
EOF
# On PostgreSQL the key file is the one PREPAY_KEYS names, not one beside
# the database: that rule goes first.
if on_pg; then
	{
		printf '*\t/var/lib/prepay/prepay.db.keys\t%s\n' "$KEYS"
		cat "$T/subst"
	} >"$T/subst.pg" && mv "$T/subst.pg" "$T/subst"
fi

# --- the stubs: a receipt printer and mail -----------------------------------------

printf '#!/bin/sh\ncat >>"%s/lp.out"\n' "$T" >"$T/stub/lp"
printf '#!/bin/sh\ncat >>"%s/mail.out"\n' "$T" >"$T/stub/mail"
chmod +x "$T/stub/lp" "$T/stub/mail"
PATH=$T/stub:$PATH

# --- the site, the accounts, the sales ------------------------------------------------

sed -e "s/:1502\$/:$P/" -e "s/:1503\$/:$((P + 1))/" -e "s/:1504\$/:$((P + 2))/" \
    -e "s/:1645\$/:$((P + 3))/" "$FIXTURES/examples.yaml" >"$W/site.yaml"
# meter-sim(1)'s DL/T 645 site, for its last two blocks: its gw8 on the
# port of the fixture's sgcc1, which is not served then; gw9's own device
# is never there.
sed -e "s/:1645\$/:$((P + 3))/" -e "s|serial:/tmp/pty/c\$|serial:$T/no-such/c|" \
    "$FIXTURES/examples-645.yaml" >"$T/site-645.yaml"
cd "$W" || exit 1

# The clock is fixed (PREPAY_NOW), from day to day of the story below,
# and at 2026-11-20 10:00, outside the friendly hours, for the examples.
export PREPAY_NOW
printf 'meter 002241020208 02123456\n' >"$T/sim.keys"
chmod 600 "$T/sim.keys"
sim() {
	start_sim site.yaml --state "$T/sim.state" --seed 7 --keys "$T/sim.keys"
}

# base NAME: the site, as of 2026-11-20 10:00, in $T/NAME.db and
# $T/NAME.state; "open" and "closed" differ in 100245.
base() {
	cp "$T/sim.keys" "$KEYS"
	PREPAY_NOW='2026-10-01 09:00:00'
	db_drop
	rm -f "$T/sim.state"
	site-load site.yaml >/dev/null || echo "Bail out! site-load"
	db_save site
	sim
	{
		acct-open -n 张三 --balance 200 0101070723 &&		# 100001
		acct-open -n 李四 --balance 50 010107072A &&		# 100002
		acct-open -n 赵六 0101070722 &&				# 100003
		acct-open -n 钱七 --balance 40 0101070731		# 100004
	} >/dev/null || echo "Bail out! accounts"

	# October on 0101070723, hour by hour from the 20th to the 22nd: 0.4 kWh
	# an hour by day, 0.1 by night.
	PREPAY_NOW='2026-11-01 00:00:00'
	$PY - >oct.csv <<'EOF'
import datetime
t = datetime.datetime(2026, 10, 1, 9)
e = 1000.0
print("meter,time,energy_kwh")
print("0101070723,%s,%.3f" % (t.strftime("%Y-%m-%d %H:%M"), e))
t = datetime.datetime(2026, 10, 20)
while t <= datetime.datetime(2026, 10, 22):
    print("0101070723,%s,%.3f" % (t.strftime("%Y-%m-%d %H:%M"), e))
    e += 0.4 if 8 <= t.hour < 22 else 0.1
    t += datetime.timedelta(hours=1)
print("0101070723,2026-10-31 23:00,%.3f" % (e + 20))
EOF
	meter-read --import oct.csv >/dev/null || echo "Bail out! October's readings"

	# The 18th: 100245 opened, 5 sales, and in base "closed" 100245 closed,
	# the 7th row.
	PREPAY_NOW='2026-11-18 10:00:00'
	{
		acct-open -a 100245 -n 王五 0101070732 &&
		for _ in 1 2 3 4 5; do sale 100002 1; done &&
		if [ "$1" = closed ]; then acct-close 100245; fi
	} >/dev/null || echo "Bail out! the 18th"
	# The 19th: a poll of every meter but the account-billed ones of gw1, so
	# that the balances stay as sold (gw2 is a serial port that is not
	# there); 0101070732 is lost after 3 polls that it does not answer.
	PREPAY_NOW='2026-11-19 09:00:00'
	for g in gw2 gw3 gw6 sgcc1; do meter-read -g $g >/dev/null 2>&1; done
	meter-read --meter 0101070722 --meter 0101070731 >/dev/null
	stop_sim
	start_sim site.yaml --state "$T/sim.state" --seed 7 --keys "$T/sim.keys" \
	    --dead 0101070732
	for _ in 1 2 3; do meter-read --meter 0101070732 >/dev/null 2>&1; done
	stop_sim
	sim
	# The 20th: 41 sales, cash and WeChat, then the 42nd, cash; 100001 at 30.00.
	PREPAY_NOW='2026-11-20 09:00:00'
	{
		for _ in $(seq 1 20); do
			sale 100002 1 && sale -m wechat 100002 1.50
		done &&
		sale -m wechat --ref wx-0920 100002 2.50 &&
		sale 100001 1
	} >/dev/null || echo "Bail out! the 20th"
	b=$(bal 100001)
	case $b in
	-*)	sale 100001 "$($PY -c "print('%.2f' % (30 - $b))")" ;;
	*)	refund 100001 "$($PY -c "print('%.2f' % ($b - 30))")" ;;
	esac >/dev/null || echo "Bail out! 100001 at 30.00"
	stop_sim
	db_save "$1"
	cp "$T/sim.state" "$T/$1.state"
}
base closed
base open
is "$(bal 100001 100002 100004 100245)" "30.00|107.50|40.00|0.00" "the prepared balances"
export PREPAY_NOW='2026-11-20 10:00:00'

# --- the runs ---------------------------------------------------------------------------

# The pages whose blocks tell one story run on one database from their
# first block on; in the others each block starts afresh from the
# prepared site.
narrative=" prepay.7 "

# fresh DB: the database and the simulator as prepared; the work
# directory holds only the site file.
fresh() {
	[ -n "${sim_job:-}" ] && stop_sim
	sim_job=
	cd "$W" || exit 1
	find . -mindepth 1 -delete
	cp "$T/site.yaml.orig" site.yaml
	export PREPAY_DB="$DB0"
	db_copy "${1%.db}" prepay
	rm -f "$KEYS"
	cp "$T/sim.keys" "$KEYS"
	cp "$T/${2:-open}.state" "$T/sim.state"
	rm -f "$T/lp.out" "$T/mail.out"
	PREPAY_NOW='2026-11-20 10:00:00'
}
cp "$W/site.yaml" "$T/site.yaml.orig"

# owe: 100245 owes 20 kWh at 0.6200, 12.40 (over 21 hours, which is no
# jump).
owe() {
	printf 'meter,time,energy_kwh\n0101070732,2026-11-19 12:00,3000\n0101070732,2026-11-20 09:00,3020\n' \
	    >"$T/owe.csv"
	meter-read --import "$T/owe.csv" >/dev/null ||
	    echo "# could not make 100245 owe"
}

# old_db: the database of the old system that acct-open(1) and prepay(7)
# migrate from.
old_db() {
	sqlite3 old.db "CREATE TABLE users (userno, username, tel, meterno,
	    money); INSERT INTO users VALUES ('100245', '王五', '13700000001',
	    '0101070724', 50.00), ('100002', '李四', '', '010107072A', 12.50);"
}

# bldg_csv: the installers' lists of prepay(7), one a building, each
# with its header.
bldg_csv() {
	for _m in 0101070801,gw1,7,sdm120,4,152401 0102010001,gw3,1,sdm120,1,252101; do
		printf 'meter,gateway,unit,profile,floor,room,tariff,billing\n%s,dorm,account\n' \
		    "$_m" >"bldg-${_m%%,*}.csv"
	done
}

# no_208: the site without meter 002241020208 (its gateway's list empty),
# for meter-read(1) to find it.
no_208() {
	awk '/"002241020208"/ { next } { l[NR] = $0 }
	    END { for (i = 1; i <= NR; i++) if (i in l) print l[i] (l[i] ~ /meters:$/ &&
	    !((i + 1) in l) ? " []" : "") }' site.yaml >"$T/no-208.yaml"
}

# prepare PAGE:N: the database, the files and the simulator that the
# block starting at example N of PAGE acts on.
prepare() {
	_sim=yes
	case $1 in
	acct-open.1:[12])
		fresh site.db ;;
	acct-open.1:4)
		fresh site.db
		old_db ;;
	acct-close.1:2|prepay-columns.5:2)
		fresh open.db
		owe ;;
	report.1:10)
		# 100003 had money and gave it back: at 0.00 it is in arrears,
		# no longer unfunded.
		fresh open.db
		sim
		{ sale 100003 5 && refund 100003 5; } >/dev/null ||
		    echo "# could not give 100003 money"
		return ;;
	meter-ctl.1:10|meter-ctl.1:11)
		# 100245 owes; 100003, opened with nothing, is unfunded, and
		# not tripped.
		fresh open.db
		owe ;;
	acct-close.1:5|reverse.1:4)
		fresh closed.db closed ;;
	meter-ctl.1:15)
		fresh open.db
		printf 'meter 002241020208 02000000\n' >"$KEYS" ;;
	meter-read.1:1)
		# The meter is not in the site yet: it is what the page finds.
		fresh none
		no_208
		site-load "$T/no-208.yaml" >/dev/null ;;
	report.1:26)
		# The meter readers' round at 09:30 on the 20th: 0101070731
		# shows 12.30 kWh more than the poll of the 19th, 0101070722
		# what it stored.
		fresh open.db
		sql "SELECT 'meter,time,energy_kwh' UNION ALL
		    SELECT * FROM (SELECT meter || ',2026-11-20 09:30,' ||
		    printf('%.3f', (energy_wh + CASE meter WHEN '0101070731'
		    THEN 12300 ELSE 0 END) / 1000.0) FROM meters WHERE meter IN
		    ('0101070722', '0101070731') ORDER BY meter) AS t" >handheld.csv ;;
	meter-swap.1:[345])
		# Dead meters: the simulator is not started.
		fresh open.db
		_sim=no ;;
	meter-swap.1:6)
		# The old meter's wallet holds 23.50.
		fresh open.db
		sim
		sale 100003 23.50 >/dev/null
		return ;;
	meter-sim.1:1|meter-sim.1:5|meter-sim.1:8)
		fresh open.db
		_sim=no ;;
	meter-sim.1:11|meter-sim.1:16)
		# The page's DL/T 645 site, served by the page's own meter-sim
		# (seed 1, as on the page).  The reply the page shows,
		# 002241020208 at 004628.51 kWh, is 4 Wh short of 004628.52:
		# over a minute of any load of 10:00 (230 W at most).
		fresh none
		cp "$T/site-645.yaml" site.yaml
		_sim=no ;;
	meter-swap.1:1)
		fresh open.db
		printf 'meter,gateway,unit,profile,floor,room,tariff,billing\n0101070799,gw1,4,prepay-1p,1,152104,dorm,meter\n' \
		    >new-meter.csv ;;
	prepay-profile.5:2)
		fresh open.db
		cp -R "$PREPAY_PROFILES" "$T/profiles" ;;
	prepay.7:*)
		fresh none
		bldg_csv
		old_db ;;
	prepay.yaml.5:4)
		fresh open.db
		# The page's site, with a valley that ends at 07:00.
		sed 's/to: "08:00", price: 0.2880/to: "07:00", price: 0.2880/' \
		    "$T/page-site.yaml" >site.yaml
		_sim=no ;;
	prepay-profile.5:7)
		# The page's key file, for the database and the simulator.
		fresh open.db
		cp "$f.cmd" "$KEYS"
		chmod 600 "$KEYS"
		start_sim site.yaml --state "$T/sim.state" --seed 7 \
		    --keys "$KEYS"
		return ;;
	db-backup.1:1)
		fresh open.db
		mkdir "$W/backup" ;;
	refund.1:2)
		fresh open.db
		sale 100001 20 >/dev/null ;;
	refund.1:3)
		fresh open.db
		printf 'account,amount,student\n100002,10.00,2026001\n100001,5.50,2026002\n' \
		    >overpaid.csv ;;
	sale.1:5)
		fresh open.db
		printf 'meter,amount,method\n0101070723,20,cash\n010107072A,35.50,wechat\n' \
		    >payments.csv ;;
	pay-statement.1:*)
		# Yesterday's statements, as the platforms give them, and the
		# orders prepay-web made (inserted here: no tool makes them).
		fresh open.db
		sql "INSERT INTO orders(out_trade_no, account_id,
		    channel, amount, created) SELECT o, id, c, a, 1795050000 FROM
		    (SELECT 'W202611190001' o, '100002' n, 'wechat' c, 2000 a
		    UNION ALL SELECT 'A202611190003', '100001', 'alipay', 3000)
		    AS t JOIN accounts ON account = n"
		{
			printf '交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注\r\n'
			for r in '2026-11-19 09:12:03,4200001119202611190912035678,W202611190001,20.00' \
			    '2026-11-19 20:41:55,4200001119202611192041559012,W202611190002,10.00'; do
				echo "$r" | { IFS=, read -r _t _x _o _a
				printf '`%s,`wxd678efh567hg6787,`1900000109,`0,`,`%s,`%s,`oUpF8uMuAJO_M2pxb1Q9zNjWeS6o,`JSAPI,`SUCCESS,`OTHERS,`CNY,`%s,`0.00,`0,`0,`0.00,`0.00,`,`,`电费,`,`0.00000,`0.60%%,`%s,`0.00,`\r\n' \
				    "$_t" "$_x" "$_o" "$_a" "$_a"; }
			done
			printf '总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额\r\n`2,`30.00,`0.00,`0.00,`0.00000,`30.00,`0.00\r\n'
		} >wx-20261119.csv
		printf '%s\n' '#支付宝业务明细查询' '#账号：[20880000000000000156]' \
		    '支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,对方账户,订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,商家优惠（元）,券核销金额（元）,券名称,商家红包消费金额（元）,卡消费金额（元）,退款批次号/请求号,服务费（元）,分润（元）,备注' \
		    '2026111922001400001234567890	,A202611190003	,交易	,电费	,2026-11-19 12:30:01	,2026-11-19 12:30:08	,	,	,	,	,zha***@example.com	,30.00	,30.00	,0.00	,0.00	,0.00	,0.00	,0.00	,	,0.00	,0.00	,	,-0.18	,0.00	,' \
		    '#交易合计：1笔，商家实收共：30.00元，商家优惠共：0.00元' \
		    '#退款合计：0笔，商家实收退款共：0.00元，商家优惠退款共：0.00元' |
		    iconv -f UTF-8 -t GBK >20880000000000000156_20261119_业务明细.csv ;;
	site-load.1:1)
		fresh none
		_sim=no ;;
	acct-unbind.1:*)
		# Two residents' bindings of 100001, as prepay-web makes them.
		fresh open.db
		_sim=no
		# (the times are Shanghai's: UTC less 8 hours)
		sql "CREATE TEMP TABLE b AS SELECT 1 id,
		    '203.0.113.7' client, CAST(strftime('%s',
		    '2026-11-18 20:15:03') AS BIGINT) - 28800 c,
		    CAST(strftime('%s', '2026-11-20 07:41:10') AS BIGINT) - 28800 s
		    UNION ALL SELECT 2, '198.51.100.23',
		    CAST(strftime('%s', '2026-11-19 12:02:44') AS BIGINT) - 28800,
		    CAST(strftime('%s', '2026-11-19 12:02:44') AS BIGINT) - 28800;
		    INSERT INTO web_sessions(id, hash, created, seen, expires)
		    SELECT id, printf('%064d', id), c, s, s + 2592000 FROM b;
		    INSERT INTO web_bindings(id, session_id, account_id, created,
		    client, seen) SELECT b.id, b.id, a.id, c, client, s FROM b
		    JOIN accounts a ON a.account = '100001'" ||
		    echo "# could not bind 100001" ;;
	*)
		fresh open.db ;;
	esac
	if [ $_sim = yes ]; then
		sim
	fi
}

# before PAGE:N: a step between two examples of one block.
before() {
	case $1 in
	prepay.7:14)
		# The wrong account's sale: the 100.00 sold to 100001 ($wrong in
		# the substitutions).
		# shellcheck disable=SC2034
		wrong=$(report txns --kind sale --account 100001 -o csv |
		    awk -F, '$8 == "100.00" { print $1 }') ;;
	prepay.7:28)
		stop_sim
		sim_job= ;;
	esac
}

# The exit a page shows, where it is not 0.
cat >"$T/exits" <<'EOF'
acct-close.1:2	1
pay-statement.1:1	1
pay-statement.1:4	1
prepay.7:18	65
prepay.yaml.5:4	78
EOF
# The examples whose output the page shows with other numbers (serials,
# counts of another site): the digits are not compared.
shape=" sale.1:3 site-load.1:3 site-load.1:4 prepay.7:4 "

# norm FILE: the text with runs of white space made one space, and the
# digits masked when the example is in $shape.
norm() {
	tr -s ' \t\n' '   ' <"$1" | sed -e 's/^ //' -e 's/ $//' |
	    if [ "$masked" = yes ]; then sed 's/[0-9][0-9]*/N/g'; else cat; fi
}

# subst PAGE FILE: the page's names mapped onto the fixture, in place.
subst() {
	$PY - "$T/subst" "$1" "$2" <<'EOF'
import sys
rules = [l.rstrip("\n").split("\t") for l in open(sys.argv[1], encoding="utf-8")
    if l.strip() and not l.startswith("#")]
text = open(sys.argv[3], encoding="utf-8").read()
for page, old, new in rules:
    if page in ("*", sys.argv[2]):
        text = text.replace(old, new)
open(sys.argv[3], "w", encoding="utf-8").write(text)
EOF
}

# What an example's output must hold beyond its exit and the output its
# page shows: "has ERE", a line matches; "count ERE N", N lines match.
# \t in an ERE is a tab; @login@ the login that runs the test.
cat >"$T/checks" <<'EOF'
acct-close.1:3	has	,close,100245,.*,0\.00,cash,0\.00,
acct-close.1:4	has	,close,100002,.*,152201,-107\.50,bank,0\.00,.*move-2026-100002
acct-close.1:5	has	^100245 .* closed 
acct-open.1:2	has	^152201,李雷,,010107072A,152201,86\.40,
acct-open.1:3	has	^100001,.*,0101070723;0101070724,
acct-open.1:6	has	,张伟,,0101070801,
acct-open.1:6	has	,刘洋,13600000001,0101070802,
alarm-scan.1:1	has	^time +level +alarm +meter
alarm-scan.1:1	has	 unfunded +0101070722 +100003 
alarm-scan.1:2	has	,0101070732,gw1,ok,
meter-ctl.1:1	has	^0101070731,trip,done,
meter-ctl.1:1	has	^0101070732,trip,done,
meter-ctl.1:2	has	^0101070731,close,done,
meter-ctl.1:2	has	^0101070732,close,done,
meter-ctl.1:4	has	^meter\taction\tresult\tmessage$
meter-ctl.1:4	count	\tdone\t	0
meter-ctl.1:5	has	^0101070722,keep,done,
meter-ctl.1:6	has	^0101070722,unkeep,done,
meter-ctl.1:8	has	,0101070732,gw1,ok,
meter-ctl.1:10	has	^0101070732,trip,done,
meter-ctl.1:10	count	^0101070722,	0
meter-ctl.1:11	has	^0101070732,trip,done,
meter-ctl.1:12	has	^0103010001,settings,done,
meter-ctl.1:16	has	^0101070731,trip,done,
meter-ctl.1:16	has	^0101070732,trip,done,
meter-ctl.1:17	has	^0101070731,close,done,
meter-read.1:2	count	 gw1 +ok 	8
meter-read.1:2	count	 gw2 +timeout 	2
meter-read.1:6	count	\tok\t	0
meter-read.1:6	has	\t010107072A\tgw2\ttimeout\t
meter-read.1:7	has	 010107072A +gw2 +lost 
meter-read.1:8	has	^0103010001,time,done,
meter-sim.1:2	has	^\[11\]:
meter-sim.1:3	has	^\[0\]:[[:space:]]+2[0-9][0-9]\.
meter-sim.1:7	has	^\[26\]:[[:space:]]+1
meter-swap.1:2	has	,100003,0101070722,[0-9.]+,[0-9.]+,[0-9.]+,[0-9.]+,0\.00,0101070799,,[0-9.]*,empty,swap 0101070722 -> 0101070799$
meter-swap.1:3	has	,0101070722,[0-9.]+,4321\.09,[0-9.]+,[0-9.]+,23\.50,0101070799,1,,pending,
meter-swap.1:4	has	,0101070722,[0-9.]+,12\.30,0\.00,0\.00,23\.50,0101070799,1,,pending,"swap 0101070722 -> 0101070799; forced: final 12\.30 kWh below the last [0-9.]+ kWh: display replaced, counter reset"$
meter-swap.1:5	has	,100002,010107072A,[0-9.]*,4833\.07,[0-9.]+,[0-9.]+,0\.00,010107072B,,,none,
prepay-columns.5:2	has	^-12\.40\t100245\t152302$
prepay-columns.5:3	count	,sale,.*,30\.00,transfer,.*,subsidy-2026-12-	5
prepay-profile.5:3	has	 0101070731 +gw1 +ok 
prepay-profile.5:5	has	^\[11\]:
prepay.7:7	has	^3$
prepay.7:10	has	,sale,[0-9]+,.*,0101070722,152101,30\.00,wechat,.*,4200001234202611201234567890,
prepay.7:12	has	,close,100245,王五,.*,-50\.00,bank,0\.00,
prepay.7:13	has	^day,operator,method,sales,
prepay.7:13	has	,@login@,wechat,1,30\.00,
prepay.7:25	has	^0101070731,trip,done,
prepay.7:25	has	^0101070732,trip,done,
prepay.7:27	has	,0101070722,[0-9.]*,4321\.09,[0-9.]+,[0-9.]+,23\.50,0101070799,1,
prepay.7:30	has	 0101070722 +gw1 +ok 
prepay.yaml.5:7	has	 2 operators; 1 changes$
refund.1:1	has	金额: ￥20\.00
refund.1:2	has	,refund,100001,.*,-45\.50,wechat,4\.50,,wxrefund-50000123,
refund.1:4	has	^0\.00$
report.1:1	has	^day,operator,method,sales,
report.1:1	has	,@login@,wechat,21,32\.50,
report.1:3	count	^2026[0-9]+ .* 100001 	3
report.1:6	count	,reverse,	43
report.1:7	has	^100003\t152101\t0\.00$
report.1:7	has	^100245\t152302\t0\.00$
report.1:8	has	^32\.50$
report.1:10	count	,1号楼,	10
report.1:11	has	^0101070722 +1号楼 +152101 +100003 +赵六 +arrears 
report.1:12	has	,0101070732,gw1,ok,
report.1:15	has	^2026-10-20 +1号楼 +1 +152102 +6\.60 
report.1:16	has	^closing .* 183\.98$
report.1:17	has	^2026-10-20 08:00:00 +manual +1000\.80 
report.1:18	has	^2026-10-20 08:00 +0\.40 +400
report.1:21	has	^item +1号楼 +1 +1 +33\.30 +16\.02$
report.1:21	has	^subtotal +1号楼 +1 +33\.30 +16\.02$
report.1:21	has	^total +1 +33\.30 +16\.02$
report.1:22	has	^0101070723 +1号楼 +1 +152102 .* 1000\.00 .* 1033\.30 +33\.30 
report.1:22	has	^0101070722 +1号楼 +1 +152101 +no reading at or before --to$
report.1:23	has	^100003 +赵六 
report.1:24	has	^100245 +王五 
report.1:25	has	^zhang +张敏 +cashier +site$
report.1:26	has	^handheld.csv: 2 on-site readings imported$
report.1:27	has	^2026-11-20 09:30:00 +0101070731 +1号楼 .* 12\.30 +0\.[0-9]{4} +[0-9]+\.[0-9]{2} *$
report.1:27	count	0101070722	0
report.1:28	count	^gw1,sdm120,	7
report.1:28	has	^gw1,sdm120,fast,4,0x0156,2,energy_kwh,28\.500$
reverse.1:1	has	,reverse,100001,.*,-1\.00,cash,29\.00,,,20261120000042,
reverse.1:2	count	,reverse,.*,till 3 keyed in test sales$	42
reverse.1:5	has	,reverse,100245,.*,20261118000007,.*closed the wrong account
sale.1:2	has	,sale,[0-9]+,.*,0101070722,152101,30\.00,wechat,.*,4200001234202611201234567890,
sale.1:4	count	,sale,.*,30\.00,transfer,.*,subsidy-2026-12-	5
sale.1:7	has	余额 80\.00
site-load.1:6	has	^meters-bldg2\.csv: [0-9]+ meters changed$
site-load.1:8	has	^install\.tsv: 1 meters changed$
EOF

# checks PAGE:N: the lines of $T/checks for the example; prints what is
# wrong.
checks() {
	awk -F'\t' -v k="$1" '$1 == k' "$T/checks" |
	    sed "s/@login@/$login/g" |
	while IFS='	' read -r _k _what _re _n; do
		_re=$(printf '%s\n' "$_re" | sed 's/\\t/	/g')
		_got=$(grep -Ec -- "$_re" "$T/out")
		case $_what in
		has)	[ "$_got" -gt 0 ] || echo "no line matches: $_re" ;;
		count)	[ "$_got" = "$_n" ] ||
			    echo "$_got lines match $_re, not $_n" ;;
		esac
	done
}

# check PAGE:N: what the files an example writes must hold; prints what
# is wrong.
check() {
	checks "$1"
	case $1 in
	acct-close.1:1|sale.1:1|prepay.7:9)
		grep -q 预付电费收款票据 "$T/lp.out" 2>/dev/null ||
		    echo "no receipt went to lp" ;;
	alarm-scan.1:10)
		grep -q '^manager 13800000000: 【示例校区】152101房电费账户100003已开户，尚未购电' "$T/mail.out" 2>/dev/null ||
		    echo "no notice went to mail" ;;
	prepay-columns.5:1)
		[ "$(head -c 3 zhang-1120.csv | od -An -tx1 | tr -d ' ')" = efbbbf ] ||
		    echo "zhang-1120.csv has no BOM"
		[ "$(grep -c ',sale,' zhang-1120.csv)" = 42 ] ||
		    echo "not the 42 sales of the day" ;;
	prepay.7:19|report.1:2|report.1:14)
		_x=${cmd#*-O }
		[ "$(head -c 2 "${_x%% *}")" = PK ] || echo "${_x%% *} is no workbook" ;;
	refund.1:3)
		[ "$(grep -c ',refund,' refunded.csv)" = 2 ] ||
		    echo "refunded.csv has not the 2 refunds" ;;
	prepay.7:32)
		ls "$W"/prepay-*.db >/dev/null 2>&1 || echo "no backup" ;;
	sale.1:5)
		[ "$(grep -c ',sale,' sold.csv)" = 2 ] || echo "sold.csv has not the 2 sales" ;;
	meter-sim.1:11)
		{ [ -c "$T/c" ] && [ -c "$T/d" ]; } || echo "no pty pair at $T/c and $T/d" ;;
	meter-sim.1:14)
		grep -qx "gw9 serial:$T/c 1 meter dlt645 2400 8E1" "$T/sim.out" ||
		    echo "meter-sim does not serve gw9 on $T/c" ;;
	meter-sim.1:16)
		grep -qx "gw8 tcp://127.0.0.1:$((P + 3)) 1 meter dlt645-tcp" "$T/sim.out" ||
		    echo "meter-sim does not serve gw8 on port $((P + 3))" ;;
	meter-sim.1:17)
		# Meter 0301's reply to the read of DI 00010000, whole, after
		# at most 8 bytes of line noise: 002687.80 kWh, b3 ba 59 33,
		# at the seed and the clock fixed (8 Wh short of 002687.81,
		# over two minutes of any load of 10:00, 230 W at most).
		tr -d ' \n' <"$T/out" |
		    grep -Eqx '([0-9a-f]{2}){0,8}fefefefe6801030000000068910833333433b3ba59333316' ||
		    echo "not meter 0301's reply, whole" ;;
	esac
}

# run_bg CMD: an example that ends in &, started.  meter-sim told to say
# when it is ready (on $T/sim.ready, by the substitutions) is started by
# start_sim, with the example's other arguments, and waited for.
run_bg() {
	case $1 in
	"meter-sim "*"--ready $T/sim.ready "*)
		eval "set -- ${1%&}"
		shift
		_args=
		while [ $# -gt 1 ]; do
			case $1 in
			--ready) shift ;;
			*) _args="$_args $1" ;;
			esac
			shift
		done
		# shellcheck disable=SC2086
		start_sim "$1" $_args
		rc=0 ;;
	*)
		# exec: $! is the command's own pid, for the cleanup to kill.
		# socat's ptys are there once it says so (start_socat), which
		# it does with -d -d, as the page gives it; any other command
		# is waited for by the page's own next line.
		: >"$T/out"
		: >"$T/err"
		rc=0
		case $1 in
		"socat -d -d "*)
			start_socat "$T/err" eval "exec ${1%&}" ;;
		*)	eval "exec ${1%&}" >"$T/out" 2>"$T/err" &
			sim_pids="$sim_pids $!" ;;
		esac
		for _l in $(echo "$1" | grep -o 'link=[^ ,]*' | sed 's/^link=//'); do
			[ -e "$_l" ] || rc=1
		done ;;
	esac
}

page_site=$(awk -F'\t' '$2 == "prepay.yaml.5" && $3 == 1 { print $1 }' "$T/ex/index")
cp "$T/ex/$page_site.cmd" "$T/page-site.yaml"

# skipped KEY FIRST: when the example is in the skip list, its TAP line.
skipped() {
	_skip=$(awk -F'\t' -v k="$1" '$1 == k' "$T/skips")
	[ -n "$_skip" ] || return 1
	case $2 in
	"$(echo "$_skip" | cut -f2)"*)
		ok 0 "$1 # SKIP $(echo "$_skip" | cut -f3)" ;;
	*)
		ok 1 "$1: the skip list is out of date"
		printf '# the page: %s\n# the list: %s\n' "$2" \
		    "$(echo "$_skip" | cut -f2)" ;;
	esac
}

# file_text KEY FILE FIRST: a block of a file's text, checked by the tool that
# reads such a file.
file_text() {
	case $1 in
	prepay.yaml.5:1)
		# "site-load accepts this file as it stands"
		db_copy none page
		run env PREPAY_DB="$(db_at page)" site-load "$T/page-site.yaml"
		is "$rc" 0 "$1: site-load accepts the page's site file" ;;
	prepay.yaml.5:*|alarm-scan.1:11|prepay-web.1:6)
		# A part of a site file: loaded into the prepared site.
		db_copy open page
		cp "$2" "$T/part.yaml"
		run env PREPAY_DB="$(db_at page)" site-load "$T/part.yaml"
		is "$rc" 0 "$1: site-load takes the page's part of a site file" ;;
	prepay-profile.5:1|prepay-profile.5:6)
		# A profile, in a directory of profiles, for a meter of a site.
		rm -rf "$T/profiles"
		cp -R "$PREPAY_PROFILES" "$T/profiles"
		_name=$(basename "$3" .yaml)
		cp "$2" "$T/profiles/$_name.yaml"
		# (a DL/T 645 meter answers on its address, without a unit)
		_unit=", unit: 1"
		grep -q '^protocol: dlt645' "$2" && _unit=
		printf 'buildings:\n  - name: P\n    gateways:\n      - name: gp\n        address: tcp://127.0.0.1:%s\n        meters:\n          - {meter: "000000000099"%s, profile: %s}\n' \
		    "$((P + 9))" "$_unit" "$_name" >"$T/part.yaml"
		db_copy open page
		run env PREPAY_DB="$(db_at page)" PREPAY_PROFILES="$T/profiles" \
		    site-load "$T/part.yaml"
		is "$rc" 0 "$1: a site takes the page's profile $_name"
		[ "$rc" = 0 ] || sed 's/^/# /' "$T/err" ;;
	prepay-profile.5:7)
		# The key file (prepare put it in place): a trip with the
		# password it gives.
		run meter-ctl trip 002241020208
		like "$T/out" '^002241020208,trip,done,' "$1: a trip with the page's key file" ;;
	*)
		ok 1 "$1: a file's text that is neither checked nor skipped"
		printf '# %s\n' "$3" ;;
	esac
}

# same_output KEY FILE: the output is what the page shows (FILE), on
# stdout, stderr or both.
same_output() {
	masked=no
	case $shape in *" $1 "*) masked=yes ;; esac
	_w=$(norm "$2")
	cat "$T/out" "$T/err" >"$T/both"
	[ "$(norm "$T/out")" = "$_w" ] || [ "$(norm "$T/err")" = "$_w" ] ||
	    [ "$(norm "$T/both")" = "$_w" ]
}

# example KEY F FIRST: one command of a page ($F.cmd, the output it shows
# in $F.want), run, and its TAP line.  $rc holds the last example's exit,
# for a page's "echo $?".
example() {
	subst "${1%:*}" "$2.cmd"
	subst "${1%:*}" "$2.want"
	cmd=$(cat "$2.cmd")
	# A file the page shows with cat or head, and that is not there, is
	# the page's own fixture.
	case $cmd in
	"cat "*|"head -"*)
		_file=${cmd##* }
		[ -e "$_file" ] || cp "$2.want" "$_file" ;;
	esac
	_want=$(awk -F'\t' -v k="$1" '$1 == k { print $2 }' "$T/exits")
	case $cmd in
	"export "*|"cd "*)
		: >"$T/out"
		: >"$T/err"
		eval "$cmd"
		rc=$? ;;
	*"&")
		run_bg "$cmd" ;;
	*)
		( (exit $rc); eval "$cmd" ) >"$T/out" 2>"$T/err"
		rc=$? ;;
	esac
	[ -n "${EXAMPLES_DUMP:-}" ] && cat "$T/out" "$T/err" >"$EXAMPLES_DUMP/$1"
	_bad=
	[ "$rc" = "${_want:-0}" ] || _bad="exit $rc, not ${_want:-0}"
	if [ -z "$_bad" ] && [ -s "$2.want" ] && ! same_output "$1" "$2.want"; then
		_bad="not the output the page shows"
	fi
	[ -n "$_bad" ] || _bad=$(check "$1")
	if [ -z "$_bad" ]; then
		ok 0 "$1: $3"
		return
	fi
	ok 1 "$1: $3"
	echo "# $_bad"
	sed 's/^/# cmd:  /' "$2.cmd"
	sed 's/^/# want: /' "$2.want"
	sed 's/^/# out:  /' "$T/out" | head -n 20
	sed 's/^/# err:  /' "$T/err" | head -n 20
}

last_page='' last_blk='' rc=0
while IFS='	' read -r id page n blk kind; do
	key=$page:$n
	f=$T/ex/$id
	# (dash's echo, in ok, takes backslashes for escapes)
	first=$(head -n 1 "$f.cmd" | sed 's/\\/\\\\/g')
	case $narrative in
	*" $page "*) [ "$page" != "$last_page" ] && prepare "$key" ;;
	*) [ "$blk" != "$last_blk" ] && prepare "$key" ;;
	esac
	last_page=$page last_blk=$blk
	before "$key"
	if skipped "$key" "$first"; then
		continue
	fi
	case $kind in
	text)	file_text "$key" "$f.cmd" "$first" ;;
	cmd)	example "$key" "$f" "$first" ;;
	*)	ok 1 "$key: a $kind command that neither runs nor is skipped"
		printf '# %s\n' "$first" ;;
	esac
done <"$T/ex/index"
[ -n "${sim_job:-}" ] && stop_sim
cd "$T" || exit 1
unlike "$T/all.err" 'Sanitizer|runtime error' "no sanitizer reports from meter-sim"

done_testing
