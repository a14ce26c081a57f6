#!/bin/sh
# pg-cluster: a throwaway cluster reached by its URI, peer-authenticated as
# the invoking login, on its own socket and never on TCP; a streaming
# standby beside it on the same port number; stopped, nothing is left.
# With --tcp, also on 127.0.0.1 on a free port, TLS with a password only,
# its certificate checked by the CA it leaves in its directory.
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

# --tcp: the socket as before, on the TCP port's number; 127.0.0.1 with
# TLS, a role in by its password, plain TCP refused by the server.
pg_start --tcp tls
case $PG_TCP_PORT in
'' | *[!0-9]*) ok 1 "start --tcp leaves its port in DIR/tcp-port" ;;
*) ok 0 "start --tcp leaves its port in DIR/tcp-port ($PG_TCP_PORT)" ;;
esac
is "$PREPAY_DB" "postgresql:///prepay?host=$T/tls&port=$PG_TCP_PORT" \
    "...and prints the URI of its socket, which has the same number"
is "$(psql_q 'SELECT current_user')" "$login" "the socket still peer-authenticates the login"
is "$(psql_q 'SHOW listen_addresses' 'SHOW ssl')" "127.0.0.1
on" "it listens on 127.0.0.1, with TLS"
pid=$(pg_pid "$T/tls")
if command -v ss >/dev/null 2>&1; then
	is "$(ss -Hltnp | grep "pid=$pid," | awk '{ print $4 }')" \
	    "127.0.0.1:$PG_TCP_PORT" "the postmaster listens on that port only"
else
	ok 0 "# SKIP no ss"
fi
is "$(psql_q "SELECT type, database[1], user_name[1], address, auth_method
    FROM pg_hba_file_rules ORDER BY line_number")" \
    "local|all|all||peer
hostssl|all|all|127.0.0.1|scram-sha-256
host|all|all|127.0.0.1|reject" "pg_hba.conf: peer, TLS with a password, plain TCP rejected"
psql_q "CREATE ROLE tcp_role LOGIN PASSWORD 'tcp secret'"
tcp_uri() {	# SSLMODE: tcp_role's URI over TCP
	echo "postgresql://tcp_role@localhost:$PG_TCP_PORT/prepay?sslmode=$1&sslrootcert=$PG_CA"
}
is "$(PGPASSWORD='tcp secret' psql -XAtq -d "$(tcp_uri verify-full)" \
    -c 'SELECT session_user, ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')" \
    "tcp_role|t" "verify-full against DIR/ca.crt: in as the role, over TLS"
run env PGPASSWORD='not it' psql -XAtq -d "$(tcp_uri verify-full)" -c 'SELECT 1'
like "$T/err" 'password authentication failed for user "tcp_role"' \
    "a wrong password is refused"
run env PGPASSWORD='tcp secret' psql -XAtq -d "$(tcp_uri disable)" -c 'SELECT 1'
like "$T/err" 'pg_hba.conf rejects connection .*no encryption' \
    "plain TCP is refused by the server"
pg_stop "$T/tls"
is "$rc" 0 "stop the TCP cluster"
[ ! -e "$T/tls" ]
ok $? "tls: the directory is gone"
alive "$pid"
ok $((! $?)) "...and its postmaster"

# A synchronous standby, known to its primary by its application_name,
# promoted: it takes writes, and waits for no standby of its own.
pg_start pg2
pg_standby --sync sync2
is "$(psql_q "SELECT application_name || ' ' || sync_state
    FROM pg_stat_replication")" "sync2 sync" "standby --sync: a synchronous standby"
is "$(psql_q 'SHOW synchronous_standby_names')" '"sync2"' \
    "...named by the primary's synchronous_standby_names"
run pg_promote "$STANDBY_DIR"
is "$rc|$(cat "$T/out")" "0|$STANDBY_DB" "promote prints its URI"
is "$(psql_at "$STANDBY_DB" 'SELECT pg_is_in_recovery()' \
    'SHOW synchronous_standby_names' | tr '\n' '|')" "f||" \
    "the promoted standby is out of recovery, and waits for no standby"
run psql_at "$STANDBY_DB" 'CREATE TABLE p (x int)' 'INSERT INTO p VALUES (1)'
is "$rc" 0 "...and takes writes"

done_testing
