#!/bin/sh
# failover.t: a primary with a synchronous standby (doc/postgresql.md,
# "Standby"), killed in the middle of a stream of sales.  The standby is
# promoted and the tools are pointed at it: every sale that exited 0 is
# there; every one that did not is run again with its --ref and lands
# exactly once; the balances are what the sales sum to; report verify
# passes.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

pg_start pg
pg_standby --sync standby
is "$(psql_q "SELECT application_name || ' ' || state || ' ' || sync_state
    FROM pg_stat_replication")" "standby streaming sync" \
    "the standby streams, and is the primary's synchronous standby"
is "$(psql_q 'SHOW synchronous_commit')" on \
    "a commit waits for the standby's disk (synchronous_commit on)"

export PREPAY_NOW="2026-11-20 10:00:00"
exits 0 "site-load" site-load "$FIXTURES/site.yaml"
exits 0 "acct-open A1" acct-open -a A1 -n 张三 0101070723
exits 0 "acct-open A2" acct-open -a A2 -n 李四 010107072A

# The sales: 3 cashiers of 20 each, "REF ACCOUNT AMOUNT" a line; the
# amounts differ in fen, so that a sale counted twice or lost shows in
# the sums.
plan() {
	awk 'BEGIN {
		for (c = 1; c <= 3; c++)
			for (i = 1; i <= 20; i++) {
				f = 100 * (i % 5 + 1) + 7 * c + i
				printf "c%d-%02d A%d %d.%02d\n", c, i, c % 2 + 1,
				    int(f / 100), f % 100
			}
	}'
}
# The balances they make: "A1|A2", as bal prints them.
sums() {
	awk '{ split($3, y, "."); s[$2] += y[1] * 100 + y[2] }
	END { printf "%d.%02d|%d.%02d\n", int(s["A1"] / 100), s["A1"] % 100,
	    int(s["A2"] / 100), s["A2"] % 100 }'
}

# cashier C: cashier C's sales one after another, each writing to the
# log when it starts and when it ends, with its exit code.  One line is
# one write to a file opened for appending: the cashiers' lines and the
# test's interleave whole, in the order they were written.  Each end is
# told on the FIFO "ends" too, which the test reads to wait for them (it
# holds the FIFO open both ways: the 63 lines fit its buffer, so no
# cashier waits for the test to read).
mkdir sales
mkfifo ends
exec 7<>ends
cashier() {
	plan | grep "^c$1-" | while read -r ref acct amt; do
		echo "start $ref" >>log
		sale -o csv --ref "$ref" "$acct" "$amt" </dev/null \
		    >"sales/$ref.out" 2>"sales/$ref.err"
		_rc=$?
		echo "end $ref $_rc" >>log
		echo "end $_rc" >&7
	done
	echo "done c$1" >>log
	echo done >&7
}
count() {	# PATTERN: the log's lines matching it
	grep -c "$1" log
}

: >log
cashier 1 &
c1=$!
cashier 2 &
c2=$!
cashier 3 &
c3=$!

# acked_10: read the cashiers' ends as they come, until 10 sales have
# exited 0 or the three cashiers are done.
acked_10() {
	_acked=0 _done=0
	while [ "$_acked" -lt 10 ] && [ "$_done" -lt 3 ] && read -r _e _rc <&7; do
		case $_e/$_rc in
		end/0) _acked=$((_acked + 1)) ;;
		done/) _done=$((_done + 1)) ;;
		esac
	done
}
# sale_waits: on the primary, a commit waits for the standby, and
# everything the primary has flushed, that commit too, has been sent.
sale_waits() {
	pg_wait "$PREPAY_DB" "EXISTS (SELECT 1 FROM pg_stat_activity
	    WHERE wait_event = 'SyncRep') AND (SELECT sent_lsn
	    FROM pg_stat_replication) >= pg_current_wal_flush_lsn()"
}

# Once 10 sales have exited 0, the standby stalls: its WAL receiver is
# stopped (SIGSTOP), as a standby that has not yet written what it was
# sent.  The next sale's commit, on the primary's disk and sent, waits
# for the standby's answer and so is not answered; the other cashiers
# wait for the writers' lock it holds.  The primary is killed then, with
# sales running.
acked_10
if [ "$(count ' 0$')" -lt 10 ]; then
	sed 's/^/# /' log sales/*.err | head -n 40
	echo "Bail out! the sales ended with fewer than 10 of them exiting 0"
	exit 1
fi
wr=$(psql_at "$STANDBY_DB" 'SELECT pid FROM pg_stat_wal_receiver')
# A stopped receiver would hold up the standby's shutdown at the exit.
trap 'kill -CONT "$wr" 2>/dev/null; pg_cleanup' EXIT
kill -STOP "$wr"
sale_waits
ok $? "with the standby stalled, a sale's commit waits for it, unanswered"
ppid=$(pg_pid "$PG_DIR")
kids=$(pgrep -P "$ppid" | tr '\n' ' ')
echo killing >>log
kill -9 "$ppid"
wait "$c1" "$c2" "$c3"

n0=$(count '^end .* 0$')
nfail=$(count '^end .* [1-9][0-9]*$')
# Running at the kill: started before it, ended after it (those blocked
# at the stalled standby could not end before).
inflight=$(awk '$1 == "killing" { k = 1 } $1 == "start" && !k { s[$2] = 1 }
    $1 == "end" && k && s[$2] { n++ } END { print n + 0 }' log)
ok $((n0 < 10)) "10 sales or more exited 0 before the primary died ($n0)"
ok $((inflight < 1)) "the primary was killed with sales running ($inflight)"
ok $((nfail < 1)) "sales failed once it was gone ($nfail)"
is "$(count '^end') $(count '^done')" "60 3" "every sale ran, and ended"

# Failover: no process of the old primary is left to answer (its
# backends, orphaned, end as they notice their postmaster is gone; its
# WAL sender too, which could otherwise still release the waiting
# commit).  Only then does the standby's receiver go on: it writes what
# it was sent, the unanswered commit too, and ends with the connection.
# Then the standby is promoted.
# shellcheck disable=SC2086 # the pids, split
await_exit $ppid $kids
ok $? "the old primary's processes are all gone"
# shellcheck disable=SC2086
for p in $ppid $kids; do
	alive "$p" && kill -9 "$p"
done
kill -CONT "$wr"
trap pg_cleanup EXIT
await_exit "$wr"
ok $? "the standby's receiver has ended with its primary"
run pg_promote "$STANDBY_DIR"
is "$rc|$(cat "$T/out")" "0|$STANDBY_DB" "the standby is promoted"
is "$(psql_at "$STANDBY_DB" 'SELECT pg_is_in_recovery()')" f \
    "... and is a primary"
PREPAY_DB=$STANDBY_DB
export PREPAY_DB

# Every sale that exited 0 is in the ledger: its commit was on the
# standby's disk before the primary answered it.
awk '$1 == "end" && $3 == 0 { print $2 }' log | sort >acked
exits 0 "report txns on the new primary" report txns --kind sale -o csv
col "$T/out" ref | tr ' ' '\n' | sed '/^$/d' | sort >before
is "$(comm -23 acked before | tr '\n' ' ')" "" \
    "every sale that exited 0 is there ($(wc -l <acked | tr -d ' '))"

# The others are run again with their refs: those whose commit reached
# the standby though its answer was lost print the sale they made, the
# others are made now.
awk '$1 == "end" && $3 != 0 { print $2 }' log | sort >failed
comm -12 failed before >lost
committed=$(wc -l <lost | tr -d ' ')
echo "# $n0 sales exited 0, $nfail did not ($inflight running at the kill);" \
    "$committed of these were committed, their answer lost"
ok $((committed < 1)) \
    "the sale that waited for the stalled standby is there, not having exited 0"
awk '$1 == "end" && $3 != 0 { print $3 }' log | sort | uniq -c |
    while read -r n code; do
	ref=$(awk -v c="$code" '$1 == "end" && $3 == c { print $2; exit }' log)
	echo "# $n exited $code, e.g. $ref: $(head -n 1 "sales/$ref.err")"
done
# A connection lost is 69, a connection refused 66: never an internal
# error, which would send the cashier to the logs, not to the retry.
is "$(awk '$1 == "end" && $3 != 0 && $3 != 66 && $3 != 69 { print $2 }' log |
    tr '\n' ' ')" "" "each failed sale exited 66 (refused) or 69 (lost)"
bad=""
while read -r ref; do
	grep -qv '^sale: ' "sales/$ref.err" && bad="$bad $ref"
done <failed
is "$bad" "" "each failed sale says why in its own lines, no server notice printed"
for ref in $bad; do
	sed "s/^/# $ref: /" "sales/$ref.err"
done
plan | awk 'NR == FNR { f[$1] = 1; next } f[$1]' failed - >retries
rows=$(psql_q "SELECT count(*) FROM ledger")
bad=""
while read -r ref acct amt; do
	sale -o csv --ref "$ref" "$acct" "$amt" >"sales/$ref.retry" \
	    2>"sales/$ref.retry.err" </dev/null || bad="$bad $ref"
done <retries
is "$bad" "" "each failed sale, run again with its ref, exits 0"
bad=""
while read -r ref; do
	[ "$(col "sales/$ref.retry" serial)" = "$(psql_q "SELECT serial
	    FROM ledger WHERE ref = '$ref'")" ] || bad="$bad $ref"
done <lost
is "$bad" "" "... those committed printing the sale they had made"
is "$(psql_q "SELECT count(*) FROM ledger")" \
    "$((rows + $(wc -l <failed) - committed))" \
    "... adding a row only for those not committed"
is "$(psql_q "SELECT ref || ' ' || count(*) FROM ledger WHERE ref IS NOT NULL
    GROUP BY ref HAVING count(*) <> 1")" "" "no ref is in the ledger twice"
exits 0 "report txns" report txns --kind sale -o csv
is "$(col "$T/out" ref | tr ' ' '\n' | sed '/^$/d' | sort | tr '\n' ' ')" \
    "$(plan | cut -d' ' -f1 | sort | tr '\n' ' ')" \
    "the ledger's sales are the 60 sales, each once"
is "$(bal A1 A2)" "$(plan | sums)" "the balances are what the 60 sales sum to"
exits 0 "report verify passes on the new primary" report verify -o csv

# The new primary waits for no standby: it has none.
is "$(psql_q 'SHOW synchronous_standby_names')" "" \
    "the promoted standby names no synchronous standby of its own"

done_testing
