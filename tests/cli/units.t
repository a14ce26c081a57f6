#!/bin/sh
# units.t: the shipped schedule as an administrator installs it.  make
# install into a PREFIX of the test's own gives the systemd units, the
# crontab, the logrotate file and nightly-verify with the install's paths;
# systemd-analyze verify and logrotate -d accept them; and the commands
# they hold, taken from the installed files so that the two cannot drift,
# run against a real database and meter-sim: the poll on poll_minutes with
# one CSV header, the alarm scan with its notices and arrears trips, the
# nightly verify that keeps its anchor and alerts sms_to on a failure, and
# the nightly backup.  The default install's units are checked too.
. "$(dirname "$0")/lib.sh"

need sqlite3 curl
case $PREPAY_BIN in
*/build-san/bin) build="B=build-san SAN=1" ;;
*)		 build="B=build" ;;
esac
P=$T/opt/prepay S=$T/state L=$T/log
U=$P/lib/systemd/system X=$P/share/prepay/examples
me=$(id -un) grp=$(id -gn)
mkdir -p "$S" "$L"
# shellcheck disable=SC2086
make -s -C "$top" install $build PREFIX="$P" STATEDIR="$S" LOGDIR="$L" \
    PREPAY_USER="$me" PREPAY_GROUP="$grp" >"$T/make.out" 2>&1
ok $? "make install PREFIX=$P STATEDIR=$S LOGDIR=$L"
for f in "$U/prepay-poll.service" "$U/prepay-poll.timer" \
    "$U/prepay-verify.service" "$U/prepay-verify.timer" \
    "$U/prepay-backup.service" "$U/prepay-backup.timer" \
    "$U/prepay-web.service" "$U/prepay-poller.service" "$X/prepay.crontab" "$X/prepay.logrotate" "$P/libexec/prepay/nightly-verify"
do
	ok "$([ -f "$f" ] && echo 0 || echo 1)" "installed: ${f#"$P"/}"
done
unlike "$U/prepay-poll.service" '@[A-Z_]+@' "no @NAME@ is left in the units"
unlike "$X/prepay.crontab" '@[A-Z_]+@' "nor in the crontab"
like "$U/prepay-poll.service" "^User=$me\$" "User= the service login"
like "$U/prepay-poll.service" "^Group=$grp\$" "Group= the service group"
like "$U/prepay-poll.service" "^ExecStart=$P/bin/meter-read --due" \
    "the install's own BINDIR"
unlike "$U/prepay-poll.service" "^StateDirectory=" \
    "a STATEDIR outside /var/lib: no StateDirectory="

# --- systemd-analyze verify ----------------------------------------------------------
# analyze DIR MANDIR NAME: systemd-analyze verify on the units in DIR, the
# man pages of their Documentation= found in MANDIR.
analyze() {
	if ! command -v systemd-analyze >/dev/null 2>&1; then
		ok 0 "# skip systemd-analyze is not installed"
		ok 0 "# skip systemd-analyze is not installed"
		return
	fi
	(cd "$1" && MANPATH=$2 systemd-analyze verify prepay-*.service \
	    prepay-*.timer) >"$T/sa.out" 2>&1
	ok $? "systemd-analyze verify: $3"
	is "$(cat "$T/sa.out")" "" "without a warning"
}
analyze "$U" "$P/share/man" "the installed units"

# --- logrotate -d ----------------------------------------------------------------------
if command -v logrotate >/dev/null 2>&1; then
	: >"$L/poll.csv"
	echo x >"$L/poll.log"
	logrotate -d -s "$T/lr.status" "$X/prepay.logrotate" >"$T/lr.out" 2>&1
	ok $? "logrotate -d: the installed logrotate file"
	like "$T/lr.out" "rotating pattern: $L/\*\.csv $L/\*\.log" \
	    "it rotates the logs of LOGDIR"
	unlike "$T/lr.out" "error" "without an error"
	rm -f "$L/poll.csv" "$L/poll.log"
else
	ok 0 "# skip logrotate is not installed"
	ok 0 "# skip logrotate is not installed"
	ok 0 "# skip logrotate is not installed"
fi

# --- the site ----------------------------------------------------------------------------
# key FILE KEY: the value of the unit's KEY= lines ($$ is a literal $).
key() {
	sed -n "s/^$2=//p" "$1" | sed 's/\$\$/$/g'
}
# The units' environment: their Environment= lines; the notice command
# is the site's own, as /etc/default/prepay would set it.
eval "$(key "$U/prepay-poll.service" Environment | sed 's/^/export /')"
is "$PREPAY_DB" "$S/prepay.db" "the units' database is STATEDIR's"
export PREPAY_NOTIFY="printf '%s|%s|%s|%s\n' \"\$PREPAY_TO\" \"\$PREPAY_PHONE\" \"\$PREPAY_ALARM\" \"\$PREPAY_TEXT\" >>$T/notices"
: >"$T/notices"

PORT=$(port_base)
cat >site.yaml <<EOF
site: 值守
defaults:
  price: 1.0000
  poll_minutes: 15
  sms_to: "13900000001"
buildings:
  - name: 1号楼
    gateways:
      - name: gw1
        address: tcp://127.0.0.1:$PORT
        timeout_ms: 300
        retries: 1
        meters:
          - {meter: "0101000001", unit: 1, floor: 1, room: "101", profile: dds238-2, billing: account}
          - {meter: "0101000002", unit: 2, floor: 1, room: "102", profile: dds238-2, billing: account}
EOF
export PREPAY_NOW="2026-03-02 09:00:00"
"$P/bin/site-load" site.yaml >/dev/null &&
    "$P/bin/acct-open" -n 张三 --balance 100 0101000001 >/dev/null &&
    "$P/bin/acct-open" -n 李四 -p 13700000002 --balance 5 0101000002 >/dev/null ||
    echo "Bail out! the site"
start_sim site.yaml --seed 9 --state "$T/sim.state"

# service UNIT: run the ExecStart= lines of the installed UNIT in order,
# as systemd does, stopping at the first that fails, their output
# appended to StandardOutput=append:'s file; the exit in $rc.
service() {
	_out=$(key "$U/$1" StandardOutput | sed -n 's/^append://p')
	: "${_out:=/dev/null}"
	key "$U/$1" ExecStart >"$T/exec"
	rc=0
	while IFS= read -r _cmd; do
		sh -c "$_cmd" >>"$_out" 2>"$T/service.err" </dev/null || {
			rc=$?
			sed "s/^/# $1: /" "$T/service.err"
			break
		}
	done <"$T/exec"
}

# --- the poll service: on poll_minutes, then the alarms ----------------------------
is "$(key "$U/prepay-poll.timer" OnCalendar)" "*:0/5" "the timer fires every 5 minutes"
is "$(key "$U/prepay-poll.service" ExecStart | wc -l)" \
    "2" "the poll service: the poll, then the alarm scan"
polls() { sql "SELECT count(*) FROM polls"; }
for t in 10:00 10:05 10:10 10:15 10:20; do
	PREPAY_NOW="2026-03-02 $t:00" service prepay-poll.service
	is "$rc" 0 "poll service at $t: exit 0"
done
is "$(polls)" 2 "5 runs, every 5 minutes, on poll_minutes 15: 2 polls (10:00, 10:15)"
is "$(grep -c '^time,meter,' "$L/poll.csv")" 1 "poll.csv has one header"
is "$(nrows "$L/poll.csv")" 4 "and both polls' rows"

# 李四's 5.00 is paid back: at 0.00 he is in arrears, and the next run's
# scan trips his meter and tells him.
PREPAY_NOW="2026-03-02 10:25:00" "$P/bin/refund" 100002 5 >/dev/null ||
    echo "# refund failed"
PREPAY_NOW="2026-03-02 10:30:00" service prepay-poll.service
is "$rc" 0 "poll service at 10:30: exit 0"
like "$L/trips.csv" "^0101000002,trip,done" "the scan tripped the meter in arrears (trips.csv)"
like "$T/notices" "^resident\|13700000002\|arrears\|" "and told the resident"
like "$T/notices" "^manager\|13900000001\|arrears\|" "and sms_to"

# The poller stops: the next run of the scan alone raises the watchdog.
PREPAY_NOW="2026-03-02 11:05:00" sh -c "$(sed -n 2p "$T/exec")" \
    >/dev/null 2>&1
like "$T/notices" "^manager\|13900000001\|watchdog\|【值守】抄表中断" \
    "35 minutes without a poll: the watchdog notice to sms_to"

# --- the continuous poller: at poll_seconds, until SIGTERM -------------------------
is "$(key "$U/prepay-poller.service" Type)|$(key "$U/prepay-poller.service" Restart)" \
    "exec|on-failure" "the poller: Type=exec, Restart=on-failure"
like "$U/prepay-poller.service" "^User=$me\$" "the poller: the service login"
is "$(key "$U/prepay-poller.service" ExecStart)" "$P/bin/meter-read --every site -o csv" \
    "the poller: meter-read --every site"
is "$(key "$U/prepay-poller.service" StandardOutput)" \
    "$(key "$U/prepay-poll.service" StandardOutput)" "the poller: the same poll.csv"
sed 's/^  poll_minutes: 15$/  poll_minutes: 15\n  poll_seconds: 30/' site.yaml >site2.yaml
PREPAY_NOW="2026-03-02 10:40:00" "$P/bin/site-load" site2.yaml >/dev/null ||
    echo "# site-load failed"
n=$(nrows "$L/poll.csv")
PREPAY_NOW="2026-03-02 10:45:00" service prepay-poll.service
is "$rc.$(nrows "$L/poll.csv")" "0.$n" "poll_seconds set: the timer's --due polls nothing"
# As systemd runs it: stdout appended to poll.csv, stopped by SIGTERM.
# Its rows are waited for as they land in poll.csv: tail -f follows the
# file (by inotify) into a FIFO, and the test reads tail's lines, each a
# blocking read.  The shell that runs the poller (which writes its pid
# before it execs it) ends tail once the poller has ended, so that the
# reads end then too.
rm -f "$T/poll.tail"
mkfifo "$T/poll.tail"
tail -n +$(($(wc -l <"$L/poll.csv") + 1)) -f "$L/poll.csv" >"$T/poll.tail" &
tailer=$!
exec 6<"$T/poll.tail"
{
	PREPAY_NOW="2026-03-02 10:46:00" sh -c "echo \$\$ >'$T/poller.pid'
	    exec $(key "$U/prepay-poller.service" ExecStart)" \
	    >>"$L/poll.csv" 2>"$T/poller.err" </dev/null
	echo "$?" >"$T/poller.rc"
	kill "$tailer" 2>/dev/null
} &
poller_job=$!
got=0
while [ $got -lt 4 ] && IFS= read -r line <&6; do
	case $line in
	time,meter,*) ;;
	*) got=$((got + 1)) ;;
	esac
done
kill -TERM "$(cat "$T/poller.pid")" 2>/dev/null
wait "$poller_job"
wait "$tailer" 2>/dev/null
exec 6<&-
is "$got rows, exit $(cat "$T/poller.rc")" "4 rows, exit 0" \
    "the poller polls into poll.csv and exits 0 on SIGTERM"
is "$(grep -c '^time,meter,' "$L/poll.csv")" 1 "poll.csv still has one header"
"$P/bin/site-load" site.yaml >/dev/null || echo "# site-load failed"

# --- the verify service: the anchor, and the alert --------------------------------
is "$(key "$U/prepay-verify.timer" OnCalendar)" "*-*-* 02:15:00" "verify nightly at 02:15"
PREPAY_NOW="2026-03-03 02:15:00" service prepay-verify.service
is "$rc" 0 "the first night: verify passes"
like "$S/anchor.tsv" "^ledger-head	ok" "and makes the anchor"
cp "$S/anchor.tsv" "$T/anchor.1"
PREPAY_NOW="2026-03-03 09:00:00" "$P/bin/sale" 100001 10 >/dev/null
PREPAY_NOW="2026-03-04 02:15:00" service prepay-verify.service
is "$rc" 0 "the second night: verify passes against the anchor"
ok "$(cmp -s "$S/anchor.tsv" "$T/anchor.1" && echo 1 || echo 0)" \
    "and moves the anchor on to the new heads"
cp "$S/anchor.tsv" "$T/anchor.2"
sql "DROP TRIGGER ledger_no_update;
    UPDATE ledger SET amount = amount + 100 WHERE id = (SELECT max(id) FROM ledger)"
: >"$T/notices"
PREPAY_NOW="2026-03-05 02:15:00" service prepay-verify.service
is "$rc" 1 "a tampered ledger: the verify service fails"
ok "$(cmp -s "$S/anchor.tsv" "$T/anchor.2" && echo 0 || echo 1)" \
    "the anchor is kept"
like "$S/verify.tsv" "^ledger-chain	fail" "the night's rows are kept for the admin"
like "$T/notices" "^manager\|13900000001\|verify\|【值守】夜间账本与审计链校验未通过" \
    "sms_to is told"
is "$(sql "SELECT count(*) FROM alarms WHERE kind = 'verify' AND cleared IS NULL")" 1 \
    "the verify alarm stands"

# --- the backup service --------------------------------------------------------------
is "$(key "$U/prepay-backup.timer" OnCalendar)" "*-*-* 02:45:00" "backup nightly at 02:45"
mkdir "$S/backup"
PREPAY_NOW="2026-03-05 02:45:00" service prepay-backup.service
is "$rc" 0 "the backup service"
ok "$([ -f "$S/backup/prepay-20260305-024500.db" ] && echo 0 || echo 1)" \
    "makes the night's backup"

# --- the crontab: the same jobs, with cron's bare environment ----------------------
# cron: each job of the crontab at TIME, run as cron does, with only the
# crontab's own variables, HOME and SHELL (Debian's cron: PATH=/usr/bin:/bin
# unless the crontab sets it).
cronjob() {
	_n=$1
	shift
	grep -v '^#' "$X/prepay.crontab" | grep -E '^[0-9*]' | sed -n "${_n}p" |
	    cut -d' ' -f6- >"$T/job"
	env -i HOME="$T" SHELL=/bin/sh PATH=/usr/bin:/bin TZ="$TZ" \
	    PREPAY_NOW="$1" PREPAY_PROFILES="$PREPAY_PROFILES" \
	    $(grep -E '^[A-Z_]+=' "$X/prepay.crontab" | grep -v NOTIFY) \
	    PREPAY_NOTIFY="$PREPAY_NOTIFY" ASAN_OPTIONS="${ASAN_OPTIONS:-}" \
	    /bin/sh -c "$(cat "$T/job")" >"$T/cron.out" 2>&1
	rc=$?
	[ "$rc" = 0 ] || sed "s/^/# cron: /" "$T/cron.out"
}
like "$X/prepay.crontab" "^PATH=$P/bin:/usr/bin:/bin\$" "the crontab sets PATH to BINDIR"
like "$X/prepay.crontab" "^\*/5 \* \* \* \* meter-read --due" "polls every 5 minutes, when due"
rm -f "$L/poll.csv"
sql "UPDATE alarms SET cleared = 1 WHERE cleared IS NULL"
for t in 12:00 12:05 12:15; do
	cronjob 1 "2026-03-05 $t:00"
	is "$rc" 0 "cron's poll job at $t: exit 0"
done
is "$(grep -c '^time,meter,' "$L/poll.csv")" 1 "cron: poll.csv has one header"
is "$(nrows "$L/poll.csv")" 4 "cron: 2 polls on poll_minutes 15, both meters"
cronjob 3 "2026-03-06 02:45:00"
is "$rc" 0 "cron's backup job"
ok "$([ -f "$S/backup/prepay-20260306-024500.db" ] && echo 0 || echo 1)" \
    "makes its backup"
cronjob 2 "2026-03-06 02:15:00"
is "$rc" 1 "cron's verify job: the ledger is still tampered, exit 1"
like "$T/cron.out" "nightly-verify: report verify failed" "and says so, for cron's mail"

stop_sim

# --- the web service -------------------------------------------------------------------
# Its ExecStart= as systemd expands it, with the unit's Environment= and a
# PREPAY_WEB_LISTEN and PREPAY_SITE of /etc/default/prepay's: it serves
# the residents' pages and stops on SIGTERM with exit 0.
is "$(key "$U/prepay-web.service" User)" "$me" "prepay-web.service: the service login"
like "$U/prepay-web.service" "^ReadWritePaths=$S\$" "it writes only in STATEDIR"
unlike "$U/prepay-web.service" "^ExecStart=.*@" "its ExecStart= has the install's paths"
W=$(($(port_base) + 50))
web_cmd=$(key "$U/prepay-web.service" ExecStart |
    sed -e "s|\${PREPAY_WEB_LISTEN}|127.0.0.1:$W|" -e "s|\${PREPAY_SITE}|site.yaml|")
# start_web's prepay-web is the installed one, from the unit's command.
path=$PATH PATH=$P/bin:$PATH
# shellcheck disable=SC2046
start_web $(echo "$web_cmd" | cut -d' ' -f2-)
PATH=$path
is "$URL" "http://127.0.0.1:$W" "the installed prepay-web listens where the unit says"
code=$(curl -s -o "$T/page" -w '%{http_code}' "$URL/bind")
is "$code" 200 "and serves the bind page"
stop_web
is "$web_exit" 0 "SIGTERM: exit 0, as systemctl stop sends it"

# --- the default install: systemd's own directories ---------------------------
# shellcheck disable=SC2086
make -s -C "$top" install $build DESTDIR="$T/dest" PREPAY_GROUP="$grp" \
    >"$T/make.out" 2>&1
ok $? "make install DESTDIR=$T/dest, the default paths"
D=$T/dest/usr/local/lib/systemd/system
like "$D/prepay-poll.service" "^StateDirectory=prepay\$" "StateDirectory=prepay"
like "$D/prepay-poll.service" "^LogsDirectory=prepay\$" "LogsDirectory=prepay"
like "$D/prepay-backup.service" "^StateDirectory=prepay prepay/backup\$" \
    "the backup's directory, too"
like "$D/prepay-poll.service" "^Environment=PREPAY_DB=/var/lib/prepay/prepay.db\$" \
    "the database in /var/lib/prepay"
like "$D/prepay-poll.service" "^StandardOutput=append:/var/log/prepay/poll.csv\$" \
    "the log in /var/log/prepay"
like "$T/dest/usr/local/share/prepay/examples/prepay.crontab" \
    "^PATH=/usr/local/bin:/usr/bin:/bin\$" "the crontab's PATH"
# Verified as installed, but with the tools where this test put them.
mkdir "$T/sd"
for f in "$D"/prepay-*; do
	sed "s|/usr/local/|$T/dest/usr/local/|g" "$f" >"$T/sd/${f##*/}"
done
analyze "$T/sd" "$T/dest/usr/local/share/man" "the default units"

# shellcheck disable=SC2086
make -s -C "$top" uninstall $build PREFIX="$P" >"$T/make.out" 2>&1
ok $? "make uninstall"
is "$(find "$P" -type f | wc -l)" 0 "no file of the install is left, units included"

done_testing
