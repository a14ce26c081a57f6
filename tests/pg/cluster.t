#!/bin/sh
# pg-cluster: a throwaway cluster reached by its URI, peer-authenticated as
# the invoking login, on its own socket and never on TCP; a streaming
# standby beside it on the same port number; stopped, nothing is left.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

login=$(id -un)
port=${PGPORT:-5432}

pg_start pg
want="postgresql:///prepay?host=$T/pg"
[ "$port" = 5432 ] || want="$want&port=$port"
is "$PREPAY_DB" "$want" "start prints the URI of the socket in DIR"
is "$(psql_q 'SELECT current_database()')" prepay "the URI reaches the database prepay"
is "$(psql_q 'SELECT pg_get_userbyid(datdba) FROM pg_database
    WHERE datname = current_database()')" "$login" \
    "prepay is owned by the invoking login"

# Peer authentication: the login is the role, and no other role can be
# claimed over the socket, even one that exists.
is "$(psql_q 'SELECT current_user')" "$login" "connected as the login ($login)"
is "$(psql_q "SELECT rolsuper FROM pg_roles WHERE rolname = current_user")" t \
    "the login's role is a superuser"
is "$(psql_q "SELECT count(*) FROM pg_hba_file_rules
    WHERE type = 'local' AND auth_method <> 'peer'")" 0 \
    "every local line of pg_hba.conf is peer"
psql_q 'CREATE ROLE prepay_other LOGIN'
run psql_at "$PREPAY_DB&user=prepay_other" 'SELECT 1'
is "$rc" 2 "another role is refused on the socket"
like "$T/err" 'Peer authentication failed for user "prepay_other"' \
    "...by peer authentication"

# A socket in DIR only.
is "$(psql_q 'SHOW listen_addresses')" "" "listen_addresses is empty"
is "$(psql_q 'SHOW unix_socket_directories')" "$T/pg" "the socket is in DIR"
[ -S "$T/pg/.s.PGSQL.$port" ]
ok $? "DIR/.s.PGSQL.$port is a socket"
pid=$(pg_pid "$T/pg")
if command -v ss >/dev/null 2>&1; then
	ss -Hltnp >"$T/tcp"
	unlike "$T/tcp" "pid=$pid," "the postmaster listens on no TCP port"
else
	ok 0 "# SKIP no ss"
fi
is "$(psql_q 'SHOW fsync')" on "fsync stays on"
is "$(psql_q 'SHOW wal_level')" replica "wal_level is replica"

exits 1 "start refuses a DIR that is not empty" "$PG_CLUSTER" start "$T/pg"
like "$T/err" "pg-cluster: $T/pg: not empty" "...and says so"
is "$(wc -l <"$T/err")" 1 "...in one line"
mkdir "$T/mine"
: >"$T/mine/keep"
exits 1 "stop refuses a DIR that start did not make" "$PG_CLUSTER" stop "$T/mine"
[ -e "$T/mine/keep" ]
ok $? "...and removes nothing"

# A standby, on the same port number in its own directory.
pg_standby standby
is "$STANDBY_DB" "postgresql:///prepay?host=$T/standby${want#*/pg}" \
    "standby prints its URI"
is "$(psql_at "$STANDBY_DB" 'SELECT pg_is_in_recovery()')" t \
    "the standby is in recovery"
is "$(psql_at "$STANDBY_DB" 'SELECT current_user')" "$login" \
    "the standby peer-authenticates the login too"
is "$(psql_q "SELECT state FROM pg_stat_replication")" streaming \
    "the primary streams to it"
psql_q 'CREATE TABLE t (x int)' 'INSERT INTO t VALUES (42)'
pg_wait_replay "$PREPAY_DB" "$STANDBY_DB"
ok $? "the standby replays the primary's commits"
is "$(psql_at "$STANDBY_DB" 'SELECT x FROM t')" 42 \
    "a row committed on the primary is read on the standby"
run psql_at "$STANDBY_DB" 'INSERT INTO t VALUES (1)'
like "$T/err" 'read-only transaction' "the standby refuses writes"

# Stopped, each cluster leaves no process and no directory: neither the
# postmasters nor the children they had (taken now, since a child whose
# postmaster died would belong to init).
spid=$(pg_pid "$T/standby")
procs="$pid $spid $(pgrep -P "$pid,$spid" | tr '\n' ' ')"
n=$(echo "$procs" | wc -w)
[ "$n" -ge 8 ]
ok $? "the servers run with their children ($n processes)"
pg_stop "$T/standby"
is "$rc" 0 "stop the standby"
pg_stop "$T/pg"
is "$rc" 0 "stop the primary"
for d in pg standby; do
	[ ! -e "$T/$d" ]
	ok $? "$d: the directory is gone"
done
left=""
for p in $procs; do
	alive "$p" && left="$left $p"
done
is "$left" "" "the postmasters and their children are gone"
is "$(pgrep -f "$T/" | tr '\n' ' ')" "" "no process names the clusters' directories"
pg_stop "$T/pg"
is "$rc" 0 "stopping a stopped cluster is fine"

done_testing
