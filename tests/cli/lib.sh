# lib.sh: sourced by every tests/cli/*.t.  Each test gets its own temporary
# directory and database, and prints TAP.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
: "${PREPAY_BIN:=$top/build/bin}"
PATH=$PREPAY_BIN:$PATH
FIXTURES=$top/tests/fixtures
: "${PREPAY_PROFILES:=$top/lib/profiles}"
export PATH FIXTURES PREPAY_PROFILES
export TZ=Asia/Shanghai
# The column heads are the machine names whatever the caller's locale:
# a Chinese one would head tables in Chinese (see output.t).
unset LC_ALL LC_MESSAGES
export LANG=C.UTF-8
unset PREPAY_BUSY_TIMEOUT

T=$(mktemp -d "${TMPDIR:-/tmp}/prepay-test.XXXXXX")
sim_pids=""
cleanup() {
	for p in $sim_pids; do
		kill "$p" 2>/dev/null
	done
	wait 2>/dev/null
	# The test's PostgreSQL clusters (tests/pg/cluster.sh), stopped
	# before their directories go, whatever EXIT trap a test set.
	if command -v pg_stop_all >/dev/null 2>&1; then
		pg_stop_all
	fi
	rm -rf "$T"
}
trap cleanup EXIT
export PREPAY_DB="$T/prepay.db"
cd "$T" || exit 1

tap_n=0
tap_failed=0

# ok STATUS NAME: a passing test when STATUS is 0.
ok() {
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n - $2"
	else
		echo "not ok $tap_n - $2"
		tap_failed=$((tap_failed + 1))
	fi
}

# run CMD...: stdout to $T/out, stderr to $T/err, the exit code in $rc.
run() {
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
}

# is GOT WANT NAME
is() {
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		printf '# got:  %s\n# want: %s\n' "$1" "$2"
	fi
}

# exits CODE NAME CMD...: run CMD and check its exit code.
exits() {
	_want=$1
	_name=$2
	shift 2
	run "$@"
	is "$rc" "$_want" "$_name (exit $_want)"
	if [ "$rc" != "$_want" ]; then
		sed 's/^/# stderr: /' "$T/err"
	fi
}

# like FILE PATTERN NAME: FILE has a line matching the extended regex.
like() {
	if grep -Eq -- "$2" "$1"; then
		ok 0 "$3"
	else
		ok 1 "$3"
		printf '# no line matches: %s\n' "$2"
		sed 's/^/# | /' "$1" | head -n 20
	fi
}

# unlike FILE PATTERN NAME
unlike() {
	if grep -Eq -- "$2" "$1"; then
		ok 1 "$3"
		grep -E -- "$2" "$1" | sed 's/^/# matched: /' | head -n 5
	else
		ok 0 "$3"
	fi
}

# The system python3 starts much faster than a version manager's shim.
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3

# row FILE N COLUMN...: the fields of data row N (-1: the last) joined by '|',
# parsed by python3's csv module so that quoting is handled right.
row() {
	$PY -c 'import csv,sys
rows=list(csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8")))
print("|".join(rows[int(sys.argv[2]) - (int(sys.argv[2]) > 0)][c] for c in sys.argv[3:]))' "$@"
}

# f N COLUMN...: row N of the last command's output.
f() {
	row "$T/out" "$@"
}

# nrows FILE: the number of data rows.
nrows() {
	$PY -c 'import csv,sys
print(len(list(csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8")))))' "$1"
}

# col FILE COLUMN: one column of every data row, joined by ' '.
col() {
	$PY -c 'import csv,sys
print(" ".join(r[sys.argv[2]] for r in csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8"))))' "$@"
}

# csv_field FILE ROW COLUMN: one field (row 1 is the first data row).
csv_field() {
	row "$@"
}

# csv_rows FILE: the number of data rows.
csv_rows() {
	nrows "$1"
}

# bal ACCOUNT...: the accounts' balances from report balances, joined by '|'.
bal() {
	report balances -o csv >"$T/bal.csv"
	$PY -c 'import csv,sys
b={r["account"]: r["balance"] for r in csv.DictReader(open(sys.argv[1], encoding="utf-8"))}
print("|".join(b.get(a, "none") for a in sys.argv[2:]))' "$T/bal.csv" "$@"
}

# ledger: the number of ledger rows.
ledger() {
	report txns -o csv >"$T/tx.csv" && nrows "$T/tx.csv"
}

# on_pg: the test's database is on PostgreSQL (PREPAY_DB is its URI).
on_pg() {
	case $PREPAY_DB in
	postgresql://* | postgres://*) return 0 ;;
	esac
	return 1
}

# db_drop: the test's database is no more, on either engine: its files
# removed, or on PostgreSQL dropped (its sessions ended) and made anew,
# empty, as pg-cluster made it, for a tool to make its schema in.
db_drop() {
	if on_pg; then
		# The database's name, and the server's maintenance
		# database by the same URI.
		_name=$(printf '%s\n' "$PREPAY_DB" |
		    sed 's|^postgres[a-z]*://[^/?]*/\([^?]*\).*|\1|')
		_maint=$(printf '%s\n' "$PREPAY_DB" |
		    sed 's|^\(postgres[a-z]*://[^/?]*/\)[^?]*|\1postgres|')
		psql -XAtq -v ON_ERROR_STOP=1 -d "$_maint" \
		    -c "DROP DATABASE IF EXISTS \"$_name\" WITH (FORCE)" \
		    -c "CREATE DATABASE \"$_name\"" >/dev/null
	else
		rm -f "$PREPAY_DB" "$PREPAY_DB-wal" "$PREPAY_DB-shm" \
		    "$PREPAY_DB-journal"
	fi
}

# sql [-csv] SQL: on the test's database, printed as the sqlite3 shell
# prints (fields joined by |, or CSV; no headers), on either engine.
sql() {
	case $PREPAY_DB in
	postgresql://* | postgres://*)
		_fmt=
		if [ "$1" = -csv ]; then
			_fmt=--csv
			shift
		fi
		psql -XAtq -v ON_ERROR_STOP=1 $_fmt -d "$PREPAY_DB" -c "$1"
		;;
	*)
		sqlite3 "$PREPAY_DB" "$@"
		;;
	esac
}

# unmigrate V: a SQLite site's schema taken back to version V, the
# migrations after it undone (lib/schema-sqlite.c), as a site of that
# version had it; the next tool migrates it again.  A migration a test
# goes back over and that has no undo here bails out: its undo is added
# here, once, for every test.
unmigrate() {
	_v=$(sql 'PRAGMA user_version')
	_undo=""
	while [ "$_v" -gt "$1" ]; do
		case $_v in
		27) _undo="$_undo DROP TABLE reading_archive;" ;;
		26) _undo="$_undo ALTER TABLE gateways DROP COLUMN poller;
		    ALTER TABLE polls DROP COLUMN poller;" ;;
		25) _undo="$_undo ALTER TABLE daily DROP COLUMN last_time;
		    ALTER TABLE daily DROP COLUMN last_wh;" ;;
		24) _undo="$_undo DROP TRIGGER reading_recent_newest;
		    ALTER TABLE meters DROP COLUMN newest_reading;" ;;
		23) _undo="$_undo DROP TABLE monthly;" ;;
		*)  echo "Bail out! unmigrate: no undo of migration $_v here"
		    exit 1 ;;
		esac
		_v=$((_v - 1))
	done
	sql "$_undo PRAGMA user_version = $1"
}

# db_of NAME: where a copy of the test's database named NAME is, as a
# PREPAY_DB: the file $T/NAME.db, or on PostgreSQL the database NAME of
# the same server.
db_of() {
	if on_pg; then
		printf '%s\n' "$PREPAY_DB" | sed "s|^\([a-z]*://[^/]*/\)[^?]*|\1$1|"
	else
		printf '%s\n' "$T/$1.db"
	fi
}
# pg_admin SQL...: each SQL on the server's database postgres, as the
# superuser the test runs as (databases made and dropped).
pg_admin() {
	for _sql; do
		psql -XAtq -v ON_ERROR_STOP=1 -d "$(db_of postgres)" \
		    -c "SET client_min_messages = warning" -c "$_sql" || return
	done
}
# db_new NAME: db_of NAME, for site-load to make: on PostgreSQL an empty
# database made now.
db_new() {
	on_pg && pg_admin "CREATE DATABASE $1"
	db_of "$1"
}
# db_save NAME: a copy of the test's database as it is now, named NAME
# (made again if there was one); on PostgreSQL a database with the
# site's as its template.  db_restore NAME: the test's database is that
# copy again.  No tool may be using the database meanwhile.  (A template
# copies what is in a database, not the database's own grants: those of
# lib/pg/003-roles.sql are given again.)
db_save() {
	if on_pg; then
		pg_admin "DROP DATABASE IF EXISTS $1 WITH (FORCE)" \
		    "CREATE DATABASE $1 TEMPLATE $(db_name)"
		pg_connect "$1"
	else
		rm -f "$T/$1.db"
		sqlite3 "$PREPAY_DB" ".backup '$T/$1.db'"
	fi
}
db_restore() {
	if on_pg; then
		pg_admin "DROP DATABASE $(db_name) WITH (FORCE)" \
		    "CREATE DATABASE $(db_name) TEMPLATE $1"
		pg_connect "$(db_name)"
	else
		rm -f "$PREPAY_DB" "$PREPAY_DB-wal" "$PREPAY_DB-shm"
		cp "$T/$1.db" "$PREPAY_DB"
	fi
}
pg_connect() {
	pg_admin "REVOKE CONNECT ON DATABASE $1 FROM PUBLIC" \
	    "GRANT CONNECT ON DATABASE $1 TO prepay_auditor, prepay_poller,
	    prepay_cashier, prepay_supervisor, prepay_admin, prepay_web"
}
# db_dump: the test's database as SQL, to compare before and after or to
# search: sqlite3's .dump, or on PostgreSQL pg_dump's with its rows as
# INSERT INTO TABLE VALUES lines as SQLite's (no schema name), the lines
# sorted (an UPDATE moves a row in PostgreSQL's heap, rewriting the same
# values), without the sequences' positions (a rolled back INSERT still
# takes its number) and the random key of pg_dump's \restrict.
db_dump() {
	if on_pg; then
		pg_dump --inserts --no-owner --no-privileges -d "$PREPAY_DB" |
		    sed 's/^INSERT INTO public\./INSERT INTO /' |
		    grep -v -e 'pg_catalog\.setval' -e '^\\\(un\)*restrict ' |
		    LC_ALL=C sort
	else
		sqlite3 "$PREPAY_DB" .dump
	fi
}
# db_name: the name of the test's database on its server.
db_name() {
	printf '%s\n' "$PREPAY_DB" | sed 's|^[a-z]*://[^/]*/\([^?]*\).*|\1|'
}

# load_site: prepay.yaml(5)'s example site, loaded.
load_site() {
	site-load "$FIXTURES/site.yaml" >/dev/null
}

# pay_yaml NOTIFY_BASE API_BASE GATEWAY MERCHANT_KEY APP_KEY [SERIAL]:
# a site file's payments: section (prepay.yaml(5)), the other keys named
# as the payment tests make them, beside the site file; $SERIAL the
# platform key's serial.
pay_yaml() {
	cat <<YAML
payments:
  notify_base: $1
  wechat:
    mchid: "1900000109"
    appid: wxd678efh567hg6787
    apiv3_key_file: wechat-apiv3.key
    platform_keys:
      - {serial: "$SERIAL", file: wechat-pub.pem}
    merchant_key_file: $4
    ${6:+merchant_serial: $6}
    api_base: $2
  alipay:
    app_id: "2021000000000000"
    public_key_file: alipay-pub.pem
    private_key_file: $5
    gateway: $3
YAML
}

# need PROGRAM...: skip the whole test when one of them is not installed.
need() {
	for _prog in "$@"; do
		if ! command -v "$_prog" >/dev/null 2>&1; then
			echo "1..0 # SKIP $_prog is not installed"
			exit 0
		fi
	done
}

# port_base: a block of 100 TCP ports of this test's own, below the
# kernel's ephemeral range (32768 on), where a client socket may sit.
port_base() {
	# From the block the pid picks, the first whose first 50 ports no
	# one holds: suites run side by side (prove -j) would clash otherwise.
	$PY -c 'import socket, sys
start = int(sys.argv[1]) % 120
for k in range(120):
    base = 20000 + ((start + k) % 120) * 100
    held = []
    try:
        for p in range(base, base + 50):
            s = socket.socket()
            held.append(s)
            s.bind(("127.0.0.1", p))
        print(base)
        break
    except OSError:
        pass
    finally:
        for s in held:
            s.close()' "$$"
}

# store_site DB...: site.yaml, two meters billed to accounts on one gateway
# at port $P (an sdm120 on a tariff of peak and valley windows, a dds238-2
# at the site's price), loaded into each DB with accounts A1 and A2 opened
# at 2026-11-20 07:00 (readings-store.t, readings-fold.t).
store_site() {
	cat >site.yaml <<EOF
site: store
defaults:
  price: 0.5380
  overload_w: 1000000
tariffs:
  home:
    tou:
      - {name: peak, from: "08:00", to: "22:00", price: 0.6000}
      - {name: valley, from: "22:00", to: "08:00", price: 0.3000}
buildings:
  - name: B1
    gateways:
      - name: gw1
        address: tcp://127.0.0.1:$P
        timeout_ms: 300
        retries: 1
        meters:
          - {meter: "0101000001", unit: 1, floor: 1, room: "101", profile: sdm120, billing: account, tariff: home}
          - {meter: "0101000002", unit: 2, floor: 1, room: "102", profile: dds238-2, billing: account}
EOF
	for d; do
		PREPAY_DB="$d" PREPAY_NOW="2026-11-20 07:00:00" site-load site.yaml >/dev/null
		PREPAY_DB="$d" PREPAY_NOW="2026-11-20 07:00:00" acct-open -a A1 -n one \
		    --balance 100 0101000001 >/dev/null
		PREPAY_DB="$d" PREPAY_NOW="2026-11-20 07:00:00" acct-open -a A2 -n two \
		    --balance 100 0101000002 >/dev/null
	done
}

# delay LO HI: a random delay in [LO, HI) seconds, for a kill.
delay() {
	awk -v lo="$1" -v hi="$2" -v seed="$(od -An -N4 -tu4 /dev/urandom)" \
	    'BEGIN { srand(seed); printf "%.3f\n", lo + rand() * (hi - lo) }'
}

# start_sim SITE [ARGS...]: meter-sim in the background, waited for on a
# FIFO: meter-sim writes its pid into it once it listens, or the shell
# that ran it writes "exit N" when it died first.  A blocking read, not a
# poll, however loaded the machine.
start_sim() {
	_site=$1
	shift
	rm -f "$T/sim.ready"
	mkfifo "$T/sim.ready"
	# Open both ways, so that no writer blocks for want of a reader.
	exec 8<>"$T/sim.ready"
	{
		meter-sim --ready "$T/sim.ready" "$@" "$_site" >"$T/sim.out" \
		    2>"$T/sim.err"
		echo "exit $?" 1<>"$T/sim.ready"
	} &
	sim_job=$!
	read -r _ready <&8
	exec 8<&-
	case $_ready in
	exit*)	echo "Bail out! meter-sim died ($_ready): $(cat "$T/sim.err")"
		exit 1 ;;
	esac
	sim_pid=$_ready
	sim_pids="$sim_pids $sim_pid"
}

# pty_pair A B: two linked ptys, like a serial cable, from socat.
pty_pair() {
	start_socat "$T/socat.err" socat -d -d pty,raw,echo=0,link="$1" \
	    pty,raw,echo=0,link="$2"
	[ -e "$1" ] && [ -e "$2" ] ||
	    { echo "Bail out! socat made no ptys"; exit 1; }
}

# start_socat ERRFILE COMMAND...: run a socat command given -d -d in the
# background and return once it has made its ptys and their links, which
# it tells by its "starting data transfer loop" notice, or has ended.  Its
# stderr is read through a FIFO, then kept in ERRFILE.
start_socat() {
	_err=$1
	shift
	rm -f "$T/socat.fifo"
	mkfifo "$T/socat.fifo"
	"$@" >/dev/null 2>"$T/socat.fifo" &
	sim_pids="$sim_pids $!"
	exec 7<"$T/socat.fifo"
	while IFS= read -r _line <&7; do
		printf '%s\n' "$_line" >>"$_err"
		case $_line in
		*"starting data transfer loop"*) break ;;
		esac
	done
	cat <&7 >>"$_err" &
	exec 7<&-
}

# stop_sim: SIGTERM, and wait until it has saved its state; what it said
# on stderr is kept in $T/all.err, for the sanitizers' reports.
stop_sim() {
	kill "$sim_pid" 2>/dev/null
	wait "$sim_job" 2>/dev/null
	cat "$T/sim.err" >>"$T/all.err" 2>/dev/null
}

# mbpoll_tcp PORT UNIT ARGS...: one mbpoll read of a simulated meter, as
# another Modbus master would; the values, one a line, in $T/mbv.
mbpoll_tcp() {
	_p=$1
	_u=$2
	shift 2
	mbpoll -m tcp -p "$_p" -a "$_u" -0 -1 -o 0.5 "$@" 127.0.0.1 >"$T/mb" 2>&1
	sed -n 's/^\[[0-9]*\]:[[:space:]]*\([-0-9.e+]*\).*/\1/p' "$T/mb" >"$T/mbv"
}

# mbv N: the Nth value of the last mbpoll read.
mbv() {
	sed -n "${1}p" "$T/mbv"
}

# A lock holder and the test meet at two FIFOs: the holder writes to
# held once it holds the lock, and holds it until release writes to
# release.  Blocking reads, not polls.
handshake() {
	rm -f "$T/held" "$T/release"
	mkfifo "$T/held" "$T/release"
}

# hold_db: another writer holds the database's write lock, until release:
# SQLite's, or on PostgreSQL the writers' advisory lock that every
# writing transaction takes first (lib/engine-pg.c, pg_begin_write).
hold_db() {
	handshake
	if on_pg; then
		{
			echo "BEGIN;"
			echo "SELECT pg_advisory_xact_lock(7703, 0);"
			printf '\\! echo held >%s\n' "$T/held"
			read -r _ <"$T/release"
			echo "COMMIT;"
		} | psql -XAtq -v ON_ERROR_STOP=1 -d "$PREPAY_DB" >/dev/null &
	else
		{
			echo "BEGIN IMMEDIATE;"
			echo ".system echo held >$T/held"
			read -r _ <"$T/release"
			echo "COMMIT;"
		} | sqlite3 "$PREPAY_DB" >/dev/null 2>&1 &
	fi
	holder=$!
	read -r _ <"$T/held"
}

# hold_lock KIND NAME: another process holds the tools' lock KIND of NAME
# (lib/lock.c: a flock on the file $PREPAY_DB.NAME.KIND beside a SQLite
# database; on PostgreSQL the advisory lock of "prepay KIND NAME", held
# by a psql session of its own), until release.  Killed instead, it lets
# go as well: the kernel drops the flock, the server the session's lock.
hold_lock() {
	handshake
	if on_pg; then
		{
			echo "SELECT pg_advisory_lock(hashtextextended('prepay $1 $2', 0));"
			printf '\\! echo held >%s\n' "$T/held"
			read -r _ <"$T/release"
			echo "SELECT pg_advisory_unlock(hashtextextended('prepay $1 $2', 0));"
		} | psql -XAtq -v ON_ERROR_STOP=1 -d "$PREPAY_DB" >/dev/null &
	else
		flock "$PREPAY_DB.$2.$1" sh -c 'echo held >"$1/held"
			read -r _ <"$1/release"' sh "$T" &
	fi
	holder=$!
	read -r _ <"$T/held"
}

# hold_bus GATEWAY: another process holds the gateway's bus lock, until
# release.
hold_bus() {
	hold_lock lock "$1"
}

# release: the holder lets go, and is gone.
release() {
	echo go >"$T/release"
	wait "$holder"
	rm -f "$T/held" "$T/release"
}

# login_role LOGIN ROLE: the engine lets LOGIN in, as an operator of
# ROLE (cashier, poller, supervisor, admin, auditor) whom the site file
# names.  On SQLite the operators: list is all; on PostgreSQL the server
# must know the login too, as the site's admin makes it: a LOGIN role of
# its name in the group role prepay_ROLE (lib/pg/003-roles.sql).
login_role() {
	on_pg || return 0
	sql "DO \$\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE
	    rolname = '$1') THEN CREATE ROLE \"$1\" LOGIN; END IF; END \$\$;
	    GRANT prepay_$2 TO \"$1\"" >/dev/null
}

# as LOGIN [VAR=VALUE...] TOOL ARGS...: a tool of $AS_BIN (else
# $PREPAY_BIN) run by another login, on $PREPAY_DB; see run.
as() {
	_login=$1
	shift
	_env=
	while :; do
		case $1 in
		*=*) _env="$_env $1"; shift ;;
		*) break ;;
		esac
	done
	_tool=$1
	shift
	# shellcheck disable=SC2086
	run runuser -u "$_login" -- env PREPAY_DB="$PREPAY_DB" $_env \
	    "${AS_BIN:-$PREPAY_BIN}/$_tool" "$@"
}
# as_exits CODE NAME LOGIN ...: `as` and check the exit code.
as_exits() {
	_want=$1
	_name=$2
	shift 2
	as "$@"
	is "$rc" "$_want" "$_name (exit $_want)"
	[ "$rc" != "$_want" ] && sed 's/^/# stderr: /' "$T/err" | head -n 5
}

# PREPAY_TEST_PG (make check-pg-cli): the test's database is on a
# throwaway PostgreSQL cluster of its own, reached by its URI
# (tests/pg/cluster.sh); the other databases a test names by their files
# stay SQLite's.
if [ -n "${PREPAY_TEST_PG:-}" ]; then
	# shellcheck source=../pg/cluster.sh
	. "$top/tests/pg/cluster.sh"
	pg_start
fi

done_testing() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}

# latin_notices FILE: the notices in FILE (one a line, as a notice command
# wrote $PREPAY_TEXT) that say a word in ASCII letters besides the site's
# names: its site, meters, accounts, rooms and gateways.  A line with a
# {placeholder} left in is a site's own template and is skipped.
latin_notices() {
	# The names one a line, read by sql on either engine.
	sql "SELECT meter FROM meters UNION ALL SELECT room FROM meters
	    UNION ALL SELECT account FROM accounts UNION ALL SELECT name
	    FROM gateways UNION ALL SELECT value FROM meta WHERE
	    key = 'site'" >"$T/latin.names"
	$PY - "$T/latin.names" "$1" <<'PYEOF'
import re, sys
names = set(l.rstrip("\n") for l in open(sys.argv[1], encoding="utf-8"))
names.discard("")
names = sorted(names, key=len, reverse=True)
for line in open(sys.argv[2], encoding="utf-8"):
    text = line.rstrip("\n")
    if "{" in text:
        continue
    rest = text
    for n in names:
        rest = re.sub(r"(?<![A-Za-z0-9])" + re.escape(n) + r"(?![A-Za-z0-9])", "", rest)
    if re.search(r"[A-Za-z]", rest):
        print(text)
PYEOF
}

# start_web [ARGS...]: prepay-web in the background on a port of its own
# choosing, waited for on a FIFO as start_sim waits: prepay-web writes its
# address into it once it listens, or the shell that ran it "exit N".
# Sets URL (http://ADDRESS) and web_pid; its stderr goes to $T/web.err.
# The FIFO stays open on fd 9 until stop_web reads the exit from it.
start_web() {
	rm -f "$T/web.ready"
	mkfifo "$T/web.ready"
	exec 9<>"$T/web.ready"
	{
		# The pid is written before prepay-web is even exec'd.
		sh -c 'echo $$ >"$1"; shift; exec "$@"' sh "$T/web.pid" \
		    prepay-web --ready "$T/web.ready" "$@" 2>>"$T/web.err"
		echo "exit $?" 1<>"$T/web.ready"
	} &
	read -r _addr <&9
	case $_addr in
	exit*)	echo "Bail out! prepay-web died ($_addr): $(tail -n 3 "$T/web.err")"
		exit 1 ;;
	esac
	web_pid=$(cat "$T/web.pid")
	sim_pids="$sim_pids $web_pid"
	URL=http://$_addr
}

# stop_web [SIGNAL]: stop prepay-web (TERM) and wait; its exit in web_exit.
stop_web() {
	kill -"${1:-TERM}" "$web_pid"
	read -r _line <&9
	exec 9<&-
	web_exit=${_line#exit }
}

# api JAR METHOD PATH [BODY [CURL-ARGS...]]: a request to prepay-web at
# $URL with the cookies of the file $T/JAR (made when missing); the status
# in $code, the body in $T/body, the headers in $T/hdr.
api() {
	_jar=$1 _m=$2 _p=$3
	shift 3
	[ -e "$T/$_jar" ] || : >"$T/$_jar"
	_body=${1-}
	[ $# -gt 0 ] && shift
	code=$(curl -s -o "$T/body" -D "$T/hdr" -w '%{http_code}' \
	    -b "$T/$_jar" -c "$T/$_jar" -X "$_m" \
	    -H 'Content-Type: application/json' \
	    ${_body:+--data-binary "$_body"} "$@" "$URL$_p")
}
# body: the last body; header NAME: the last value of a header.
body() {
	cat "$T/body"
}
header() {
	tr -d '\r' <"$T/hdr" | sed -n "s/^$1: //Ip" | tail -n 1
}

# start_server NAME COMMAND...: a server in the background, waited for on a
# FIFO it writes "PID PORT" to once it listens (or "exit N" when it died
# first); NAME_pid, NAME_port and NAME_job (its shell, to wait for) are
# set.  A blocking read, not a poll.
start_server() {
	_name=$1
	shift
	rm -f "$T/$_name.ready"
	mkfifo "$T/$_name.ready"
	exec 8<>"$T/$_name.ready"
	{
		"$@" --ready "$T/$_name.ready" >"$T/$_name.out" 2>"$T/$_name.err"
		echo "exit $?" 1<>"$T/$_name.ready"
	} &
	_job=$!
	read -r _pid _port <&8
	exec 8<&-
	case $_pid in
	exit)	echo "Bail out! $_name died: $(cat "$T/$_name.err")"; exit 1 ;;
	esac
	sim_pids="$sim_pids $_pid"
	eval "${_name}_pid=$_pid ${_name}_port=$_port ${_name}_job=$_job"
}

# start_platform NAME ARGS...: the fake platform (payplatform.py serve),
# with pay_keys' keys in conf/.
start_platform() {
	_n=$1
	shift
	start_server "$_n" $PY "$top/tests/cli/payplatform.py" serve \
	    --wechat-sign conf/wechat-platform.key \
	    --apiv3 conf/wechat-apiv3.key --merchant-pub conf/merchant-pub.pem \
	    --alipay-sign conf/alipay-platform.key \
	    --alipay-app-pub conf/app-pub.pem "$@"
}

# pay_keys DIR: the platforms' keys and the merchant's, made now by
# openssl in DIR, with their public halves (the fake platform checks the
# merchant's signatures with merchant-pub.pem and app-pub.pem); SERIAL,
# the platform key's serial.
pay_keys() {
	mkdir -p "$1"
	openssl rand -out "$1/wechat-apiv3.key" 32 2>/dev/null
	for _k in wechat-platform wechat-merchant alipay-platform alipay-app; do
		openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
		    -out "$1/$_k.key" 2>/dev/null
	done
	openssl pkey -in "$1/wechat-platform.key" -pubout -out "$1/wechat-pub.pem"
	openssl pkey -in "$1/alipay-platform.key" -pubout -out "$1/alipay-pub.pem"
	openssl pkey -in "$1/wechat-merchant.key" -pubout \
	    -out "$1/merchant-pub.pem"
	openssl pkey -in "$1/alipay-app.key" -pubout -out "$1/app-pub.pem"
	cp "$1/wechat-merchant.key" "$1/wechat-merchant.pem"
	cp "$1/alipay-app.key" "$1/alipay-app.pem"
	chmod 640 "$1/wechat-apiv3.key" "$1/wechat-merchant.pem" \
	    "$1/alipay-app.pem"
	SERIAL=PUB_KEY_ID_0114232134912410000000000000
}

# pay_site DIR: pay_keys, and DIR/site.yaml, the fixture's site with a
# payments: section naming them relative to itself.
pay_site() {
	pay_keys "$1"
	{
		cat "$FIXTURES/site.yaml"
		pay_yaml https://pay.example.edu.cn \
		    https://api.mch.weixin.qq.com \
		    https://openapi.alipay.com/gateway.do wechat-merchant.pem \
		    alipay-app.pem
	} >"$1/site.yaml"
}

# wx OUT ARGS...: the fake platform's WeChat Pay notification, OUT.headers
# and OUT.body, signed and sealed with pay_site's keys in conf/ at the
# fixed time; ali OUT ARGS...: its Alipay notification, OUT.body.
wx() {
	_o=$1
	shift
	$PY "$top/tests/cli/payplatform.py" wechat "$_o" \
	    --sign conf/wechat-platform.key --apiv3 conf/wechat-apiv3.key \
	    --time "$PREPAY_NOW" "$@"
}
ali() {
	_o=$1
	shift
	$PY "$top/tests/cli/payplatform.py" alipay "$_o" \
	    --sign conf/alipay-platform.key "$@"
}
