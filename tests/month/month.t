#!/bin/sh
# month.t: an energy office's working month, in minutes.  A 500-meter
# campus is installed by `make install` as a real site installs it (setgid
# tools, a service group and login), meter-sim plays its
# gateways and meters, and the library's clock (PREPAY_NOW) walks through
# November 2026 day by day.  Each day the cashiers sell (some forget the
# amount, some mistype the account, WeChat retries a payment), the shipped
# units' commands poll on poll_minutes and scan the alarms with their
# notices and arrears trips, paying customers get their power back, and
# each night the shipped verify and backup run.  On the way: a meter swap
# with a bad final reading refused and a good one done, a handheld import
# with one 机电不符 meter, a gateway down for a day (the watchdog alarm,
# and its recovery), and the database lost on day 20 and restored from
# the night's backup.  At the end `report verify` passes against the
# anchor, every yuan paid is on an account or a meter, and the month's
# figures are printed.  Needs root (logins, a group, setgid).
#
# usage: prove -e '' tests/month/month.t   (`make check-month`)
. "$(dirname "$0")/../cli/lib.sh"

PLAN=40
[ "$(id -u)" = 0 ] || { echo "1..0 # SKIP needs root: logins, a group, setgid"; exit 0; }
command -v useradd >/dev/null 2>&1 || { echo "1..0 # SKIP no useradd"; exit 0; }

# The installed tools are the plain build's: a setgid process refuses
# ASan's leak checker (privilege.t says why).
[ -x "$top/build/bin/sale" ] || { echo "Bail out! build the tools first"; exit 1; }
G=pp_month_g
ZHANG=pp_m_zhang WANG=pp_m_wang LI=pp_m_li POLLER=pp_m_poll
# The service login is of the group, as the units' Group= makes it.  The
# operators are too, here alone: the library's clock (PREPAY_NOW) is
# honoured only for the group's members (prepay(7)), and the month is
# walked on it.  privilege.t tests the operators as the outsiders they are.
getent group "$G" >/dev/null || groupadd -r "$G" ||
    echo "Bail out! could not create the group $G"
for login in "$ZHANG" "$WANG" "$LI" "$POLLER"; do
	id -u "$login" >/dev/null 2>&1 || useradd -M -N -r "$login" ||
	    echo "Bail out! could not create login $login"
	usermod -a -G "$G" "$login"
done
chmod 711 "$T"
P=$T/prefix
STATE=$T/state
LOG=$T/log

# --- install, as a site installs it ---------------------------------------

run make -s -C "$top" install B=build PREFIX="$P" STATEDIR="$STATE" \
    LOGDIR="$LOG" PREPAY_GROUP="$G" PREPAY_USER="$POLLER"
is "$rc" 0 "make install into $P, setgid $G, the service login $POLLER"
[ "$rc" = 0 ] || { sed 's/^/# /' "$T/err" | tail -n 5; exit 1; }
# What the crontab tells the administrator to do once, as root.
sed -n 's/^#   \(install -d .*\)/\1/p' "$P/share/prepay/examples/prepay.crontab" \
    >"$T/setup"
is "$(wc -l <"$T/setup")" 2 "the crontab says which directories to make"
sh -e "$T/setup"
ok $? "and they are made as it says"
BIN=$P/bin
AS_BIN=$BIN	# as runs the installed tools
EX=$P/share/prepay/examples
PATH=$BIN:$PATH
export PREPAY_DB=$STATE/prepay.db
unset PREPAY_PROFILES

# The month: November 2026, Shanghai time.  day_at DAY HH:MM: the moment.
month0=1793462400	# 2026-11-01 00:00 Asia/Shanghai
day_at() {
	_h=${2%:*}
	_m=${2#*:}
	echo $((month0 + ($1 - 1) * 86400 + ${_h#0} * 3600 + ${_m#0} * 60))
}
export PREPAY_NOW
PREPAY_NOW=$(day_at 1 07:00)

# --- the campus: the shipped one, on this test's ports, with 12 more meters
# on b4gw4 to make 500, and this test's logins as its operators -----------

port=$(port_base)
awk -v base="$port" -v zhang="$ZHANG" -v wang="$WANG" -v li="$LI" \
    -v poller="$POLLER" '
/^operators:/ {
	print
	printf "  - {login: %s, role: cashier, name: 张敏}\n", zhang
	printf "  - {login: %s, role: cashier, name: 王芳}\n", wang
	printf "  - {login: %s, role: supervisor, name: 李强}\n", li
	printf "  - {login: %s, role: poller}\n", poller
	skip = 1
	next
}
skip && /^  - \{login/	{ next }
			{ skip = 0 }
/tcp:\/\/127\.0\.0\.1:165/ {
	n = substr($0, index($0, ":165") + 4, 2) + 0
	sub(/:165[0-9][0-9]/, ":" (base + n))
}
			{ print }
/"2041600030"/ {
	for (i = 31; i <= 42; i++)
		printf "          - {meter: \"20416000%02d\", unit: %d, floor: 9, room: \"409%02d\", profile: dds238-2, tariff: dorm}\n", i, i, i - 30
}' "$EX/campus-site.yaml" >campus.yaml
run site-load campus.yaml
is "$rc" 0 "site-load the campus"
like "$T/out" '5 buildings, 17 gateways, 500 meters' "500 meters on 17 gateways"

printf 'gateway sgcc1 02123456 00000001\n' >"$PREPAY_DB.keys"
chgrp "$G" "$PREPAY_DB.keys" && chmod 640 "$PREPAY_DB.keys"

# meter-sim plays every gateway and meter, its state kept across restarts.
# Its load runs on its own clock, 120 times the real one: faster, and a
# busy machine's ten seconds between two polls half an hour apart would
# count more than the meters' load limit allows, and be flagged (poll.c).
SIMARGS="--state $T/sim.state --keys $PREPAY_DB.keys --speed 120"
# shellcheck disable=SC2086
start_sim campus.yaml $SIMARGS

# --- the accounts: every meter but two spare ones, opened by a cashier from
# a list; most with 50.00, every 10th with 1.00 that runs out in days, and
# every 25th with nothing paid yet ----------------------------------------

SPARE="2010100003 2020500003"
report status -o csv | awk -F, -v spare="$SPARE" '
BEGIN	{ n = split(spare, s, " "); for (i = 1; i <= n; i++) free[s[i]] = 1
	  print "account,name,phone,meter,balance,ref" }
NR > 1 && !($1 in free) {
	k++
	bal = k % 25 == 0 ? "0" : k % 10 == 0 ? "1.00" : "50.00"
	printf "2026%04d,住户%03d,1380000%04d,%s,%s,open-%04d\n", k, k, k, $1, bal, k
}' >accounts.csv
as "$ZHANG" acct-open accounts.csv
is "$rc" 0 "a cashier opens 498 accounts from a list"
is "$(($(wc -l <"$T/out") - 1))" 498 "498 accounts opened"

# --- cron: the poller's crontab as make install shipped it ---------------
#
# cron_window FROM TO: every entry of the crontab whose time
# matches a minute from FROM to TO (seconds), run as cron runs it: by the
# poller login, with /bin/sh, cron's own PATH, the crontab's variables and
# the library's clock at that minute.  The crontab is the installed one; only
# its notice command is this test's, a GSM modem that writes a file.
sed "s|^PREPAY_NOTIFY=.*|PREPAY_NOTIFY=$T/sms|" "$EX/prepay.crontab" >crontab
awk '!/^#/ && NF > 5 && ($3 != "*" || $4 != "*" || $5 != "*")' crontab |
    grep -q . && echo "Bail out! an entry keeps days: cron_window knows minutes and hours"
mkdir -m 1777 "$T/u"
SMSLOG=$T/u/sms.log
cat >"$T/sms" <<SMS
#!/bin/sh
# The GSM modem: one line per SMS, number, alarm and text.
printf '%s\t%s\t%s\n' "\$PREPAY_PHONE" "\$PREPAY_ALARM" "\$PREPAY_TEXT" >>"$SMSLOG"
SMS
chmod 755 "$T/sms"
: >"$SMSLOG"
chmod 666 "$SMSLOG"
cronenv=$(grep -E '^[A-Z_]+=' crontab | tr '\n' ' ')
cron_window() {
	awk -v from="$1" -v to="$2" '
	function field(spec, v, lo,    n, i, a, step, r) {
		n = split(spec, a, ",")
		for (i = 1; i <= n; i++) {
			step = 1
			if (a[i] ~ /\//) { step = substr(a[i], index(a[i], "/") + 1); sub(/\/.*/, "", a[i]) }
			if (a[i] == "*") { if ((v - lo) % step == 0) return 1; continue }
			if (a[i] ~ /-/) { split(a[i], r, "-"); if (v >= r[1] && v <= r[2] && (v - r[1]) % step == 0) return 1; continue }
			if (a[i] + 0 == v) return 1
		}
		return 0
	}
	/^[ \t]*(#|$)/ || /^[A-Z_]+=/	{ next }
	{
		for (t = from; t <= to; t += 60) {
			# Shanghai has no daylight time: local = UTC + 8 h.
			s = t + 8 * 3600
			m = int(s / 60) % 60
			h = int(s / 3600) % 24
			if (field($1, m, 0) && field($2, h, 0)) {
				cmd = $0
				for (i = 1; i <= 5; i++)
					sub(/^[ \t]*[^ \t]+[ \t]+/, "", cmd)
				print t "\t" cmd
			}
		}
	}' crontab | sort -n -s -k1,1 >"$T/firings"
	while IFS='	' read -r t cmd; do
		firings=$((firings + 1))
		# shellcheck disable=SC2086
		runuser -u "$POLLER" -- env -i HOME=/ LOGNAME="$POLLER" \
		    SHELL=/bin/sh PATH=/usr/bin:/bin TZ=Asia/Shanghai \
		    $cronenv PREPAY_NOW="$t" /bin/sh -c "$cmd" \
		    </dev/null >>"$LOG/cron.mail" 2>&1
		# 75: an arrears trip deferred to the friendly hours' end.
		case $? in
		0)	;;
		75)	echo "$t" >>"$T/deferred" ;;
		*)	echo "$t exit $?: $cmd" >>"$LOG/cron.failed" ;;
		esac
	done <"$T/firings"
}
firings=0

# --- the cashiers' day ----------------------------------------------------
#
# counter DAY: from 09:30, a minute a customer.  Zhang sells to twenty
# accounts drawn for the day, by cash or WeChat; Wang's customers forget
# the amount, mistype the account, and WeChat sends one payment twice.
# Every customer whose power was cut pays and gets it back at once.
sales=0 forgot=0 typos=0 retries=0 restores=0 restore_bad=0
counter() {
	_d=$1
	PREPAY_NOW=$(day_at "$_d" 09:30)
	awk -v d="$_d" 'BEGIN { srand(d); for (i = 1; i <= 20; i++)
	    printf "2026%04d %d %s\n", 1 + int(rand() * 498),
	    10 + 10 * int(rand() * 10), rand() < 0.4 ? "wechat" : "cash" }' |
	while read -r acct amount method; do
		PREPAY_NOW=$((PREPAY_NOW + 60))
		if [ "$method" = wechat ]; then
			as "$ZHANG" sale -m wechat --ref "wx-$_d-$acct" "$acct" "$amount"
		else
			as "$ZHANG" sale "$acct" "$amount"
		fi
		[ "$rc" = 0 ] && echo sale >>"$T/tally" ||
		    echo "sale $acct $amount: exit $rc: $(cat "$T/err")" >>"$T/unexpected"
	done
	PREPAY_NOW=$(day_at "$_d" 10:00)
	as "$WANG" sale "2026$(printf %04d $((_d * 7)))"
	if [ "$rc" = 64 ] && grep -q 'amount is missing' "$T/err"; then
		echo forgot >>"$T/tally"
		as "$WANG" sale "2026$(printf %04d $((_d * 7)))" 30
		[ "$rc" = 0 ] && echo sale >>"$T/tally"
	else
		echo "forgotten amount: exit $rc: $(cat "$T/err")" >>"$T/unexpected"
	fi
	as "$WANG" sale "2026$(printf %04d $((_d * 7)))9" 20
	if [ "$rc" = 65 ] && grep -q 'no such account' "$T/err"; then
		echo typo >>"$T/tally"
	else
		echo "typo: exit $rc: $(cat "$T/err")" >>"$T/unexpected"
	fi
	for _try in 1 2; do
		as "$WANG" sale -m wechat --ref "wx-retry-$_d" "2026$(printf %04d $((_d * 11)))" 40
		[ "$rc" = 0 ] || echo "wechat retry: exit $rc" >>"$T/unexpected"
		sed -n 2p "$T/out" | cut -d, -f1
	done >"$T/retry"
	if [ "$(sort -u "$T/retry" | wc -l)" = 1 ]; then
		echo sale >>"$T/tally"
		echo retry >>"$T/tally"
	else
		echo "wechat retry of day $_d recorded twice" >>"$T/unexpected"
	fi
	# Whoever is cut off for arrears comes to the window and pays.
	PREPAY_NOW=$(day_at "$_d" 11:00)
	report status -o csv | awk -F, 'NR > 1 && $4 != "" && $10 == "tripped" &&
	    $6 == "arrears" { print $1, $4 }' | head -n 5 |
	while read -r meter acct; do
		PREPAY_NOW=$((PREPAY_NOW + 60))
		as "$ZHANG" sale "$acct" 50
		[ "$rc" = 0 ] && echo sale >>"$T/tally"
		if meter-ctl read -o csv "$meter" | awk -F, 'NR == 2 { exit $16 != "closed" }'; then
			echo restore >>"$T/tally"
		else
			echo "restore of $meter failed" >>"$T/unexpected"
		fi
	done
}

# --- the field's days -------------------------------------------------------

# swap_day: the supervisor replaces 2010100002, a meter that keeps its own
# wallet, by the spare 2010100003.  A final reading typed from the wrong
# meter, below the last one read, is refused and nothing is written; the
# swap done with the meter's own reading moves the balance and empties the
# old meter's wallet.
swap_day() {
	PREPAY_NOW=$(day_at "$1" 14:00)
	report txns -o csv >"$T/before.csv"
	as "$LI" meter-swap --final 1.00 2010100002 2010100003
	is "$rc" 65 "day $1: a swap with a final reading below the last is refused"
	like "$T/err" 'below the last reading' "and says so in one line"
	report txns -o csv >"$T/after.csv"
	cmp -s "$T/before.csv" "$T/after.csv"
	ok $? "and writes nothing"
	as "$LI" meter-swap -o csv 2010100002 2010100003
	is "$rc" 0 "day $1: the swap done with the meter's own final reading"
	awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i }
	    NR == 2 { print $c["old_meter"], $c["new_meter"], $c["old_wallet"] }' \
	    "$T/out" >"$T/swap"
	is "$(cat "$T/swap")" "2010100002 2010100003 zeroed" \
	    "one row: the old meter's wallet zeroed, the new one in its place"
	echo swap >>"$T/tally"
}

# handheld_day: the meter readers' round after the morning poll: twenty
# meters of 2号楼 read off their displays, which agree with the record but
# for 2020500007's, 12.30 kWh ahead (机电不符); report onsite lists it
# alone, for the office to settle.
handheld_day() {
	PREPAY_NOW=$(day_at "$1" 10:30)
	awk -F, -v t="$(printf '2026-11-%02d 10:30' "$1")" '
	    BEGIN { print "meter,time,energy_kwh" }
	    $2 ~ /^20205000[0-2][0-9]$/ && $4 == "ok" { last[$2] = $5 }
	    END { for (m in last) if (n++ < 20)
		printf "%s,%s,%.2f\n", m, t, last[m] + (m == "2020500007" ? 12.30 : 0) }' \
	    "$LOG/poll.csv" >handheld.csv
	as "$LI" meter-read --onsite --import handheld.csv
	is "$rc" 0 "day $1: a supervisor imports the handheld round"
	run report onsite -o csv
	awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i }
	    NR > 1 { print $c["meter"], $c["diff_kwh"] }' "$T/out" >"$T/onsite"
	is "$(cat "$T/onsite")" "2020500007 12.30" \
	    "report onsite lists the one meter whose display disagrees, by 12.30 kWh"
	echo handheld >>"$T/tally"
}

# gateway_down_day DAY: b2gw1 lost its power in the night and stays down
# all day: the polls ask it and nothing answers, the watchdog tells the
# office; mended DAY + 1, the first poll it answers clears it.
gateway_down_day() {
	report alarms --open -o csv >"$T/al.csv"
	grep -q ',watchdog,.*网关b2gw1已[0-9]*分钟无读数' "$T/al.csv"
	ok $? "day $1: the watchdog names the silent gateway b2gw1"
	grep -q "	watchdog	.*网关b2gw1已[0-9]*分钟无读数" "$SMSLOG"
	ok $? "and the office's phone got it, in Chinese"
}
gateway_mended_day() {
	report alarms --open -o csv >"$T/al.csv"
	grep -q ',watchdog,' "$T/al.csv"
	is $? 1 "day $1: b2gw1 mended, the watchdog is cleared by the poll"
}

# restore_day DAY: at 07:00 the disk under the database fails; the admin
# restores the night's backup (db-backup(1)) and the day goes on.  The
# backup came after the night's verify, so last night's anchor still
# holds: nothing was cut from the chains.
restore_day() {
	PREPAY_NOW=$(day_at "$1" 07:00)
	report txns -o csv >"$T/txns-before.csv"
	backup=$(ls "$STATE"/backup/prepay-*.db | tail -n 1)
	rm -f "$PREPAY_DB" "$PREPAY_DB-wal" "$PREPAY_DB-shm"
	run db-backup --restore "$backup"
	is "$rc" 0 "day $1: the admin restores the night's backup"
	[ "$rc" = 0 ] || sed 's/^/# /' "$T/err"
	report txns -o csv >"$T/txns-after.csv"
	cmp -s "$T/txns-before.csv" "$T/txns-after.csv"
	ok $? "every row of the ledger is back"
	run report verify --anchor "$STATE/anchor.tsv"
	is "$rc" 0 "and it verifies against last night's anchor"
	echo restore-db >>"$T/tally"
}

# faster_day DAY: the office polls every 15 minutes from now on, as State
# Grid's collection does: one line of the site file, loaded again; the
# crontab stays as it is.
faster_day() {
	PREPAY_NOW=$(day_at "$1" 12:00)
	sed 's/^  poll_minutes: 30$/  poll_minutes: 15/' campus.yaml >campus15.yaml
	run site-load campus15.yaml
	like "$T/out" '; 1 changes$' "day $1: poll_minutes 15 is one change of the site"
}

# --- the month -------------------------------------------------------------

DAYS=${MONTH_DAYS:-30}
: >"$T/tally"
: >"$T/unexpected"
d=1
while [ "$d" -le "$DAYS" ]; do
	# The night: the crontab from 02:15 to 02:45, its nightly verify
	# and backup among the polls.  (The other hours' firings are left
	# out, to walk the month in minutes.)
	[ "$d" -gt 1 ] && cron_window "$(day_at "$d" 02:15)" "$(day_at "$d" 02:45)"
	[ "$d" = 20 ] && restore_day "$d"
	case $d in
	12)	# A gateway's power supply fails in the night; a day later it
		# is mended.
		stop_sim
		# shellcheck disable=SC2086
		start_sim campus.yaml $SIMARGS --down b2gw1 ;;
	13)	stop_sim
		# shellcheck disable=SC2086
		start_sim campus.yaml $SIMARGS ;;
	esac
	# The morning: the poll on poll_minutes, the alarms after each poll.
	cron_window "$(day_at "$d" 08:30)" "$(day_at "$d" 08:55)"
	case $d in
	12)	gateway_down_day "$d" ;;
	13)	gateway_mended_day "$d" ;;
	esac
	counter "$d"
	case $d in
	5)	swap_day "$d" ;;
	10)	handheld_day "$d" ;;
	24)	faster_day "$d" ;;
	esac
	d=$((d + 1))
done

# --- the month's end -------------------------------------------------------

PREPAY_NOW=$(day_at "$DAYS" 18:00)
is "$(cat "$T/unexpected")" "" "every cashier's step went as the office expects"
[ -s "$LOG/cron.failed" ] && sed 's/^/# /' "$LOG/cron.failed" | head
ok "$([ -s "$LOG/cron.failed" ] && echo 1 || echo 0)" \
    "every crontab entry that fired succeeded"
run report verify --anchor "$STATE/anchor.tsv"
is "$rc" 0 "report verify passes at the month's end, against the night's anchor"
# The nightly verify ran each night and moved its anchor on; it never
# failed, so no verify alarm was ever raised.
is "$(grep -c '^ledger-head' "$STATE/anchor.tsv" 2>/dev/null)" 1 \
    "the nightly verify keeps its anchor"
is "$(sql "SELECT count(*) FROM alarms WHERE kind = 'verify'")" 0 \
    "and never failed"
# The timer fired every 5 minutes; meter-read --due polled on the slots of
# poll_minutes alone: at 02:15, 02:30 and 08:30 on 30 minutes, and at
# 02:15, 02:30, 02:45, 08:30 and 08:45 on 15, from day 25.
want=1
d=2
while [ "$d" -le "$DAYS" ]; do
	want=$((want + (d <= 24 ? 3 : 5)))
	d=$((d + 1))
done
polls=$(awk -F, 'NR > 1 && $1 != "time" { print $1 }' "$LOG/poll.csv" | sort -u | wc -l)
is "$polls" "$want" "$want polls, on poll_minutes, of $firings firings"
# A cron line's status is its last command's: a poll that failed says so
# only in poll.log, and the days it polled say which one is missing.
if [ "$polls" != "$want" ]; then
	sed 's/^/# poll.log: /' "$LOG/poll.log" | sort -u | head -20
	awk -F, 'NR > 1 && $1 != "time" { print $1 }' "$LOG/poll.csv" |
	    sort -u | cut -c1-10 | uniq -c | awk '{ print "# " $2 ": " $1 }'
fi
is "$(grep -c '^time,' "$LOG/poll.csv")" 1 "poll.csv has one header"
# The poll's only complaint is the meters of the down bus: a poll that
# could not store a bus (or failed whole) says so here.
grep -Ev '^meter-read: [0-9]+ of [0-9]+ meters did not answer$' "$LOG/poll.log" \
    >"$T/poll.odd"
unlike "$T/poll.odd" '.' "poll.log says nothing but which meters did not answer"

# Every yuan paid is on an account or in a meter: each account's bill for
# the month adds up to its balance (billed to the account), or its
# payments all reached its meters' own wallets (reconcile), and the bills'
# payments are the ledger's.
report txns -o csv >txns.csv
report balances -o csv >balances.csv
report reconcile -o csv >reconcile.csv
awk -F, 'NR > 1 { print $1 }' balances.csv | while read -r acct; do
	report bill "$acct" --month 2026-11 -o csv | sed "s/^/$acct,/"
done >bills.csv
$PY - txns.csv balances.csv reconcile.csv bills.csv >"$T/money" <<'PYEOF2'
import csv, sys
from decimal import Decimal as D
rows = lambda f: list(csv.DictReader(open(f, encoding="utf-8")))
txns = rows(sys.argv[1])
paid = sum(D(r["amount"]) for r in txns)
# A meter's account is the one its ledger rows name: a meter swapped out
# is on none now, but what it was sold and spent is still that account's.
owner = {r["meter"]: r["account"] for r in txns if r["meter"]}
balance = {r["account"]: D(r["balance"]) for r in rows(sys.argv[2])}
sold, bad = {}, []
for r in rows(sys.argv[3]):
    acct = owner.get(r["meter"], r["account"])
    sold[acct] = sold.get(acct, D(0)) + D(r["sold"])
    if r["result"] != "ok":
        bad.append("meter %s: %s" % (r["meter"], r["result"]))
bill = {}
with open(sys.argv[4], encoding="utf-8") as f:
    for line in csv.reader(f):
        if line[1] in ("item", ""):
            continue
        b = bill.setdefault(line[0], {})
        b[line[1]] = line
payments = charges = onacc = inmeters = D(0)
for acct, b in bill.items():
    p = D(b["payments"][9] or 0)
    c = D(b["charges"][10] or 0) if "charges" in b else D(0)
    payments += p
    if acct in sold:
        inmeters += sold[acct]
        if sold[acct] != p:
            bad.append("account %s: paid %s, its meters were sold %s" % (acct, p, sold[acct]))
    else:
        charges += c
        onacc += balance[acct]
        if D(b["closing"][11]) != balance[acct]:
            bad.append("account %s: bill closes at %s, balance %s" % (acct, b["closing"][11], balance[acct]))
if payments != paid:
    bad.append("the bills' payments %s, the ledger's %s" % (payments, paid))
if onacc + charges + inmeters != paid:
    bad.append("paid %s, accounted for %s" % (paid, onacc + charges + inmeters))
print("paid %s yuan: %s on the accounts, %s charged for their energy, %s sold to meters' own wallets" % (paid, onacc, charges, inmeters))
for b in bad[:10]:
    print(b)
PYEOF2
is "$(sed 1d "$T/money")" "" "every yuan paid is on an account or in a meter"
echo "# $(head -n 1 "$T/money")"

stop_sim
tally() {
	grep -cx "$1" "$T/tally"
}
echo "# the month: $DAYS days, $firings crontab firings, $polls polls," \
    "$(tally sale) sales ($(tally forgot) forgotten amounts," \
    "$(tally typo) typos, $(tally retry) WeChat retries)," \
    "$(wc -l <"$SMSLOG") notices," \
    "$(sql "SELECT count(*) FROM commands WHERE action = 'trip' AND reason = 'arrears' AND state = 'done'") arrears trips," \
    "$(tally restore) restores"
report alarms -o csv | awk -F, 'NR > 1 { n[$3]++ } END { s = "# alarms:"; for (k in n) s = s " " k " " n[k]; print s }'
cp -r "$LOG" /tmp/monthlog 2>/dev/null; cp txns.csv reconcile.csv bills.csv balances.csv /tmp/monthlog/ 2>/dev/null
done_testing
