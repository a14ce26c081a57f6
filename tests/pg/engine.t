#!/bin/sh
# engine.t: the tools on PostgreSQL through a URI (doc/design.md,
# "Engines"): the first tool to open an empty database makes the schema,
# by PostgreSQL's own history, once even when several open it at once;
# the login that made it is its first admin; a URI that reaches no
# database is a one-line error, exit 66, that names it without its
# password.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

pg_start
nfiles=$(ls "$top"/lib/pg/*.sql | wc -l)

# Four tools open the empty database at once: one makes the schema, the
# others wait for it and find it made.
for i in 1 2 3 4; do
	report operators -o csv >"ops.$i" 2>"ops.$i.err" &
done
fails=0
for i in 1 2 3 4; do
	wait %$i 2>/dev/null
done
for i in 1 2 3 4; do
	[ -s "ops.$i" ] && [ ! -s "ops.$i.err" ] || { fails=$((fails + 1)); sed 's/^/# /' "ops.$i.err"; }
done
is "$fails" 0 "four tools open an empty database at once: each reports"
is "$(psql_q 'SELECT version FROM pp_schema')" "$nfiles" \
    "the schema is at the end of PostgreSQL's own history ($nfiles files)"
is "$(psql_q "SELECT login || ' ' || role || ' ' || source FROM operators")" \
    "$(id -un) admin creator" "made once: the login that made it is its one admin"
is "$(sed -n 2p ops.1)" "$(id -un),,admin,creator" "report operators says so"

# A URI that reaches no database, or as a role that may not log in.
run report operators -d "${PREPAY_DB%%\?*}nosuch?${PREPAY_DB#*\?}"
is "$rc" 66 "a database that does not exist: exit 66"
is "$(wc -l <"$T/err")" 1 "... in one line"
like "$T/err" 'nosuch.*does not exist' "... that names it"
run report operators -d "postgresql://someone:s3cret@/prepay?host=$PG_DIR"
is "$rc" 66 "a role that may not log in: exit 66"
grep -q s3cret "$T/err"
ok $((! $?)) "... its password not shown"
like "$T/err" 'postgresql://someone:\*\*\*@' "... the URI named without it"

done_testing
