#!/bin/sh
# web.t: prepay-web finds its PostgreSQL site again after a failover,
# without a restart (lib/web.c, thread_db).  Each of its threads holds a
# connection; one whose server is gone is opened anew at the thread's next
# request.  Its URI names the primary and the standby, as
# doc/postgresql.md ("Failing over") advises, so that libpq keeps the one
# that takes writes.  While no server takes writes the answer is 503,
# which residents' pages and the payment platforms retry; once the standby
# is promoted, the same process serves again.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

need curl
pg_start
pg_standby
export PREPAY_NOW="2026-11-20 10:00:00"
exits 0 "site-load" site-load "$FIXTURES/site.yaml"
exits 0 "acct-open 100001" acct-open -n 张三 -p 13912345678 0101070723
BOTH="postgresql:///prepay?host=$PG_DIR,$STANDBY_DIR&target_session_attrs=read-write"

# burst N: N requests at once for the bound account's summary, so that
# every thread of the web's pool takes some; their statuses, counted, as
# "COUNT STATUS" lines.
burst() {
	_pids=""
	for _i in $(seq "$1"); do
		curl -s -o "$T/burst.$_i" -w '%{http_code}\n' -b "$T/jar" \
		    "$URL/api/accounts" >"$T/code.$_i" &
		_pids="$_pids $!"
	done
	# shellcheck disable=SC2086 # the pids, split
	wait $_pids
	for _i in $(seq "$1"); do
		cat "$T/code.$_i"
	done | sort | uniq -c | awk '{ printf "%s %s;", $1, $2 }'
}

start_web -d "$BOTH" -l 127.0.0.1:0
pid0=$web_pid
api jar POST /api/bind '{"account":"100001","check":"5678"}'
is "$code" 200 "the resident binds 100001, on the primary"
is "$(burst 32)" "32 200;" "32 requests at once: every thread serves the account"
pg_wait_replay "$PREPAY_DB" "$STANDBY_DB"
ok $? "the standby has the resident's session"

# The primary dies; its orphaned backends end as they notice, closing
# the web's connections (await_exit, as tests/pg/failover.t does).
ppid=$(pg_pid "$PG_DIR")
kids=$(pgrep -P "$ppid" | tr '\n' ' ')
kill -9 "$ppid"
# shellcheck disable=SC2086 # the pids, split
await_exit $ppid $kids
ok $? "the primary is killed, and its processes are gone"
is "$(burst 32)" "32 503;" \
    "with no server taking writes, every request is 503, none 500"
is "$(cat "$T/burst.1")" \
    '{"code":"FAIL","message":"the database cannot be opened"}' \
    "saying the database cannot be opened"

run pg_promote "$STANDBY_DIR"
is "$rc" 0 "the standby is promoted"
is "$(burst 32)" "32 200;" \
    "then every request is served again, by the new primary"
is "$web_pid" "$pid0" "by the same prepay-web, never restarted"
like "$T/burst.1" '^\{"accounts":\[\{"account":"100001","name":"张三",' \
    "the resident's session and account, as the standby had them"
like "$T/web.err" 'the database server was lost: connecting again' \
    "the web's log says it connected again"
api jar POST /api/logout
is "$code" 204 "a write on the new primary: the resident logs out"
stop_web
is "$web_exit" 0 "prepay-web stops cleanly"
done_testing
