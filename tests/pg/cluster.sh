# shellcheck shell=sh
# cluster.sh: throwaway PostgreSQL clusters in a test's directory $T, made
# by scripts/pg-cluster, and psql on them.  Sourced after tests/cli/lib.sh
# (which defines $T, $top and cleanup): by tests/pg/lib.sh, and by
# tests/cli/lib.sh itself when PREPAY_TEST_PG asks the CLI suite to run on
# a server.  Every cluster a test starts is stopped and removed when the
# test exits, however it exits, so that a failing test leaves no server
# behind.

PG_CLUSTER=$top/scripts/pg-cluster

# The URIs name their socket; the caller's environment must not name
# another server, role or database to psql or to the tools.  PGPORT
# stays: pg-cluster takes the clusters' port from it.
unset PGHOST PGHOSTADDR PGUSER PGDATABASE PGSERVICE PGOPTIONS \
    PGTARGETSESSIONATTRS

# The clusters this test started, newest first, so that a standby stops
# before its primary.
pg_dirs=""

# The clusters stopped, newest first, each once.  tests/cli/lib.sh's
# cleanup calls it before rm -rf $T, so that a test that sets an EXIT
# trap of its own around cleanup stops them too.
pg_stop_all() {
	for _d in $pg_dirs; do
		"$PG_CLUSTER" stop "$_d" 2>>"$T/pg-cluster.err" ||
		    echo "# could not stop the cluster in $_d" >&2
	done
	pg_dirs=""
}
pg_cleanup() {
	cleanup
}
trap pg_cleanup EXIT
# A shell killed by a signal runs no EXIT trap: exit instead.
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# pg_bail WHAT DIR: the end of a test whose cluster would not come up,
# with pg-cluster's messages and the server's log.
pg_bail() {
	sed 's/^/# /' "$T/pg-cluster.err"
	for _l in "$2"/log/*.log; do
		[ -s "$_l" ] || continue
		echo "# $_l:"
		tail -n 20 "$_l" | sed 's/^/# | /'
	done
	echo "Bail out! $1: $(tail -n 1 "$T/pg-cluster.err")"
	exit 1
}

# pg_start [--tcp] [NAME]: a new cluster in $T/NAME (default pg),
# started.  Exports PREPAY_DB, its URI (the socket's), and sets PG_DIR,
# its directory.  With --tcp it also listens on 127.0.0.1 with TLS
# (scripts/pg-cluster): sets PG_TCP_PORT, its port, and PG_CA, the file
# of the CA that signed its certificate.
# shellcheck disable=SC2034 # for the test
pg_start() {
	command -v psql >/dev/null 2>&1 ||
	    { echo "Bail out! no psql: install postgresql"; exit 1; }
	_tcp=""
	if [ "${1:-}" = --tcp ]; then
		_tcp=--tcp
		shift
	fi
	PG_DIR=$T/${1:-pg}
	# Listed before it starts, so that even half a cluster is removed.
	pg_dirs="$PG_DIR $pg_dirs"
	# shellcheck disable=SC2086 # $_tcp: no option, or one word
	PREPAY_DB=$("$PG_CLUSTER" start $_tcp "$PG_DIR" \
	    2>>"$T/pg-cluster.err") ||
	    pg_bail "pg-cluster start failed" "$PG_DIR"
	export PREPAY_DB
	if [ -n "$_tcp" ]; then
		PG_TCP_PORT=$(cat "$PG_DIR/tcp-port")
		PG_CA=$PG_DIR/ca.crt
	fi
}

# pg_standby [--sync] [NAME]: a streaming standby of the cluster in
# $PG_DIR, in $T/NAME (default standby), started; with --sync, the
# primary's synchronous standby (each commit there waits until the standby
# has it on disk).  Sets STANDBY_DB, its URI, and STANDBY_DIR.
# shellcheck disable=SC2034 # for the test
pg_standby() {
	_sync=
	if [ "${1:-}" = --sync ]; then
		_sync=--sync
		shift
	fi
	STANDBY_DIR=$T/${1:-standby}
	pg_dirs="$STANDBY_DIR $pg_dirs"
	STANDBY_DB=$("$PG_CLUSTER" standby ${_sync:+"$_sync"} "$PG_DIR" \
	    "$STANDBY_DIR" 2>>"$T/pg-cluster.err") ||
	    pg_bail "pg-cluster standby failed" "$STANDBY_DIR"
}

# pg_promote DIR: the standby in DIR made a primary (pg-cluster promote);
# its URI on stdout, pg-cluster's exit code.
pg_promote() {
	"$PG_CLUSTER" promote "$1" 2>>"$T/pg-cluster.err"
}

# pg_stop DIR: stop the cluster in DIR now and remove DIR (the exit
# would); the exit code in $rc.
pg_stop() {
	"$PG_CLUSTER" stop "$1" 2>>"$T/pg-cluster.err"
	# shellcheck disable=SC2034 # for the test
	rc=$?
}

# psql_at URI SQL...: each SQL, one psql -c each, on URI; unaligned
# rows, no headers, no psqlrc; the first error ends it (exit 1, or 2
# when it could not connect).
psql_at() {
	_uri=$1
	shift
	_n=$#
	for _sql; do
		set -- "$@" -c "$_sql"
	done
	shift "$_n"
	psql -XAtq -v ON_ERROR_STOP=1 -d "$_uri" "$@"
}

# psql_q SQL...: psql_at on $PREPAY_DB.
psql_q() {
	psql_at "$PREPAY_DB" "$@"
}

# pg_wait_replay PRIMARY_URI STANDBY_URI: return once the standby has
# replayed everything the primary had flushed when it was called, i.e.
# every transaction committed before.  Its bound is the standby's
# statement_timeout (60 s), not a guess at how long replay takes.
pg_wait_replay() {
	_lsn=$(psql_at "$1" 'SELECT pg_current_wal_flush_lsn()') || return 1
	pg_wait "$2" "pg_last_wal_replay_lsn() >= '$_lsn'::pg_lsn"
}

# pg_wait URI CONDITION: return once the SQL condition holds on the
# server, which the server itself watches for; false if it did not within
# 120 s, the statement's timeout.
pg_wait() {
	psql_at "$1" "SET statement_timeout = '120s'" "DO \$\$
BEGIN
	WHILE NOT ($2) LOOP
		PERFORM pg_sleep(0.01);
	END LOOP;
END \$\$" >/dev/null
}

# pg_restart DIR: the cluster in DIR restarted (pg-cluster restart), its
# pg_hba.conf and settings read anew before this returns.
pg_restart() {
	"$PG_CLUSTER" restart "$1" >/dev/null 2>>"$T/pg-cluster.err"
}

# await_exit PID...: return once each has ended (a zombie has), however
# it is related to this shell: the kernel says so through a pidfd; false
# if one runs on past 120 s.
await_exit() {
	$PY - "$@" <<'PYEOF'
import os, select, sys, time
end = time.monotonic() + 120
for pid in map(int, sys.argv[1:]):
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        continue
    p = select.poll()
    p.register(fd, select.POLLIN)
    if not p.poll(max(0, end - time.monotonic()) * 1000):
        sys.exit(1)
    os.close(fd)
PYEOF
}

# pg_pid DIR: the postmaster's pid of the running cluster in DIR.
pg_pid() {
	sed -n 1p "$1/data/postmaster.pid"
}

# alive PID: the process exists and is not a zombie (one that has ended
# and that init has not yet reaped).
alive() {
	[ -r "/proc/$1/stat" ] || return 1
	# The state is the field after the command's name in parentheses.
	_st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
	[ -n "$_st" ] && [ "$_st" != Z ]
}
