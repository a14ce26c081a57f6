#!/bin/sh
# identity.t: who the operator is on PostgreSQL over TCP (doc/postgresql.md,
# "Identity and pg_hba.conf").  The role that gave its password inside
# TLS is the operator, not the Unix login that ran the tool, in the ledger
# and the audit log; a cashier's role sells with prepay_cashier's grants
# only, and cannot UPDATE or DELETE a ledger row nor UPDATE the audit log,
# even from psql; a role the site file calls more than its grants allow
# is stopped by the server (exit 77).  A URI that would go over TCP in
# clear is refused before connecting, even where the server would take
# it, and writes nothing; a URI's password is in no message and not in
# the audit log.  A client certificate, instead of a password, makes its
# role the operator the same way.  (On the socket, peer authentication
# makes the Unix login the operator: engine.t.)
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

pg_start --tcp
login=$(id -un)
export PREPAY_NOW="2026-11-20 10:00:00"

# The site, made over the socket by the login (its first admin); cash1
# is a cashier of the site, and cash2 is called an admin by the site
# file though its role has a cashier's grants only.
cat >site.yaml <<EOF
site: 身份
defaults:
  price: 0.5380
operators:
  - {login: cash1, role: cashier, name: 出纳一}
  - {login: cash2, role: admin}
  - {login: poll1, role: poller}
buildings:
  - name: B1
    gateways:
      - name: gw1
        address: tcp://127.0.0.1:1
        meters:
          - {meter: "0101000001", unit: 1, floor: 1, room: "101", profile: sdm120, billing: account}
EOF
exits 0 "site-load over the socket" site-load site.yaml
exits 0 "acct-open over the socket" acct-open -n 甲 0101000001
[ "$login" != cash1 ]
ok $? "the Unix login ($login) is not the role cash1"

# One LOGIN role per operator, a member of its prepay_* group role only.
psql_q "CREATE ROLE cash1 LOGIN PASSWORD 'c4sh-one' IN ROLE prepay_cashier" \
    "CREATE ROLE cash2 LOGIN PASSWORD 'c4sh-two' IN ROLE prepay_cashier"
is "$(psql_q "SELECT string_agg(g.rolname, ',') || '|' || bool_or(u.rolsuper)
    FROM pg_roles u JOIN pg_auth_members m ON m.member = u.oid
    JOIN pg_roles g ON g.oid = m.roleid WHERE u.rolname = 'cash1'")" \
    "prepay_cashier|false" "cash1 is in prepay_cashier only, no superuser"

# The password from a passfile, never on the command line: what a tool
# is given there would be in ps(1), and the URI in the audit log.
printf 'localhost:%s:prepay:cash1:c4sh-one\nlocalhost:%s:prepay:cash2:c4sh-two\n' \
    "$PG_TCP_PORT" "$PG_TCP_PORT" >pgpass
chmod 600 pgpass
# libpq reads it only when a server asks for a password: the socket's
# peer authentication, which asks for none, is as before.
export PGPASSFILE="$T/pgpass"
tcp="postgresql://cash1@localhost:$PG_TCP_PORT/prepay?sslmode=verify-full&sslrootcert=$PG_CA"
tcp2="postgresql://cash2@localhost:$PG_TCP_PORT/prepay?sslmode=verify-full&sslrootcert=$PG_CA"
is "$(psql -XAtq -d "$tcp" -c "SELECT session_user || '|' ||
    ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")" "cash1|true" \
    "cash1 over TCP: in by its password, inside TLS, the server's name verified"

# A sale over TCP as cash1: the operator is the role.
exits 0 "sale over TCP as cash1" sale -d "$tcp" -o csv 100001 20
is "$(f 1 operator)" cash1 "the receipt's operator is cash1"
is "$(psql_q "SELECT operator FROM ledger WHERE kind = 'sale'")" cash1 \
    "the ledger row names cash1, not $login"
is "$(psql_q "SELECT login || '|' || tool || '|' || exit FROM audit
    ORDER BY id DESC LIMIT 1")" "cash1|sale|0" "the audit entry names cash1"
exits 0 "report over TCP as cash1" report -d "$tcp" txns -o csv
is "$(col "$T/out" operator)" "$login cash1" "report txns: the opening by $login, the sale by cash1"
exits 77 "reverse as cash1, a cashier" reverse -d "$tcp" \
    "$(psql_q "SELECT serial FROM ledger WHERE kind = 'sale'")"
like "$T/err" "login cash1 is a cashier; this needs the supervisor role" "...names the role"

# The site file's role is not the server's: cash2, "admin" there, has a
# cashier's grants, and the server refuses what they do not cover.
nledger=$(psql_q "SELECT count(*) FROM ledger")
last=$(psql_q "SELECT max(id) FROM audit")
exits 77 "site-load as cash2, an admin by the site file only" \
    site-load -d "$tcp2" site.yaml
like "$T/err" "^site-load: .*permission denied for table" "...refused by the server's grants"
is "$(wc -l <"$T/err")" 1 "...in one line"
is "$(psql_q "SELECT count(*) FROM audit WHERE id > $last")|$(psql_q "SELECT login ||
    '|' || tool || '|' || exit FROM audit ORDER BY id DESC LIMIT 1")" \
    "1|cash2|site-load|77" "...the refusal is in the audit log, by cash2"
is "$(psql_q "SELECT count(*) FROM ledger")" "$nledger" "...and nothing else is written"

# A URI's password is kept out of the messages and of the audit log.
exits 0 "sale with the password in the URI" sale -o csv \
    -d "postgresql://cash1:c4sh-one@localhost:$PG_TCP_PORT/prepay?sslmode=verify-full&sslrootcert=$PG_CA" \
    100001 1
exits 0 "sale with password= in the URI" sale -o csv \
    -d "$tcp&password=c4sh-one" 100001 1
is "$(psql_q "SELECT count(*) FROM audit WHERE args LIKE '%c4sh%'")" 0 \
    "the audit log has neither password"
is "$(psql_q "SELECT count(*) FROM audit WHERE login = 'cash1'
    AND (args LIKE '%cash1:***@%' OR args LIKE '%&password=***%')")" 2 \
    "...it has the URIs with *** for them"
exits 66 "a wrong password" sale -d "$tcp&password=not-it" -o csv 100001 1
like "$T/err" '^sale: postgresql://cash1@.*&password=\*\*\*: .*password authentication failed for user "cash1"' \
    "...refused by the server, the URI named with ***"
grep -q not-it "$T/err"
ok $((! $?)) "...and not the password"
nledger=$(psql_q "SELECT count(*) FROM ledger")
naudit=$(psql_q "SELECT count(*) FROM audit")

# --- TCP in clear ---------------------------------------------------------
# The server's pg_hba.conf rejects it; the tools refuse it themselves,
# before connecting, even where the server would take it.  Here it would:
# a plain scram line before the reject, and each connection logged.
hba=$PG_DIR/data/pg_hba.conf
cp "$hba" hba.tls
# Written through the file, which stays the server's (as root, a new file
# would be root's and unreadable to it).
{
	grep -v 'reject$' hba.tls
	printf 'host\tall\tall\t127.0.0.1/32\tscram-sha-256\n'
} >hba.plain
cat hba.plain >"$hba"
psql_q "ALTER SYSTEM SET log_connections = on" >/dev/null
# A reload is taken in the server's own time; a restart is over when
# pg_ctl returns, the files read anew.
pg_restart "$PG_DIR"
received() {	# the TCP connections the server has received
	grep -c 'connection received: host=127.0.0.1' "$PG_DIR/log/postgresql.log"
}
plain="postgresql://cash1@localhost:$PG_TCP_PORT/prepay?sslmode=disable"
seen=$(received)
psql -XAtq -d "$plain" -c "SELECT session_user || '|' || ssl FROM
    pg_stat_ssl WHERE pid = pg_backend_pid()" >plain.out 2>&1
is "$(cat plain.out)" "cash1|false" "the server now takes cash1 over TCP in clear (psql)"
[ "$(received)" -gt "$seen" ]
ok $? "...and logs the connections it receives"
seen=$(received)
for mode in "sslmode=disable" "sslmode=allow" "sslmode=prefer" ""; do
	uri="postgresql://cash1@localhost:$PG_TCP_PORT/prepay${mode:+?$mode}"
	exits 66 "sale over TCP with ${mode:-no sslmode (prefer)}" \
	    sale -d "$uri" -o csv 100001 5
	is "$(cat "$T/err")" "sale: $uri: the connection over TCP would not be encrypted: give sslmode=verify-full (or require) in the URI, and TLS on the server" \
	    "...refused in one line that says why"
done
is "$(received)" "$seen" "...each before connecting: the server received nothing"
exits 66 "PGSSLMODE=disable is refused too" \
    env PGSSLMODE=disable report -d "postgresql://cash1@localhost:$PG_TCP_PORT/prepay" operators
exits 0 "PGSSLMODE=verify-full in the environment is enough" \
    env PGSSLMODE=verify-full PGSSLROOTCERT="$PG_CA" report -d "postgresql://cash1@localhost:$PG_TCP_PORT/prepay" operators
is "$(psql_q "SELECT count(*) FROM ledger")|$(psql_q "SELECT count(*) FROM audit")" \
    "$nledger|$naudit" "nothing was written"
cat hba.tls >"$hba"
pg_restart "$PG_DIR"
run psql -XAtq -d "$plain" -c 'SELECT 1'
like "$T/err" 'pg_hba.conf rejects connection .*no encryption' \
    "put back: the server rejects plain TCP itself"

# --- the grants: a cashier's role, from psql ------------------------------
# cash1 connects with psql as it would with the tools, and tries to edit
# the ledger and the audit log by hand.
ledger_sum="SELECT md5(string_agg(id || hash || amount || operator, ',' ORDER BY id)) FROM ledger"
audit_sum="SELECT md5(string_agg(id || hash || args, ',' ORDER BY id)) FROM audit"
before="$(psql_q "$ledger_sum")|$(psql_q "$audit_sum")"
cash1_sql() {	# SQL: psql as cash1 over TCP, its error in $T/err
	run psql -XAtq -v ON_ERROR_STOP=1 -d "$tcp" -c "$1"
}
for sql in "UPDATE ledger SET amount = amount + 100 WHERE kind = 'sale'" \
    "DELETE FROM ledger WHERE kind = 'sale'" "TRUNCATE ledger"; do
	cash1_sql "$sql"
	is "$rc" 1 "cash1 from psql: ${sql%% WHERE*}: refused"
	like "$T/err" 'permission denied for table ledger' "...permission denied"
done
for sql in "UPDATE audit SET args = '' WHERE login = 'cash1'" \
    "DELETE FROM audit WHERE login = 'cash1'"; do
	cash1_sql "$sql"
	is "$rc" 1 "cash1 from psql: ${sql%% WHERE*}: refused"
	like "$T/err" 'permission denied for table audit' "...permission denied"
done
cash1_sql "SET ROLE prepay_admin"
like "$T/err" 'permission denied to set role "prepay_admin"' \
    "cash1 cannot take a role it is not a member of"
cash1_sql "UPDATE operators SET role = 'admin' WHERE login = 'cash1'"
like "$T/err" 'permission denied for table operators' \
    "cash1 cannot make itself an admin of the site"
is "$(psql_q "$ledger_sum")|$(psql_q "$audit_sum")" "$before" \
    "the ledger and the audit log are as they were"

# --- a certificate instead of a password ----------------------------------
# poll1's key and certificate (CN=poll1), signed by the cluster's CA, which
# the server trusts for clients; pg_hba.conf lets poll1 in by it alone.
openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
    -subj /CN=poll1 -keyout poll1.key -out poll1.csr >openssl.log 2>&1 &&
    openssl x509 -req -in poll1.csr -CA "$PG_CA" -CAkey "$PG_DIR/ca.key" \
    -set_serial 0x51 -days 2 -out poll1.crt >>openssl.log 2>&1
ok $? "poll1's certificate, from the cluster's CA"
chmod 600 poll1.key
psql_q "CREATE ROLE poll1 LOGIN IN ROLE prepay_poller"
{
	printf 'hostssl\tall\tpoll1\t127.0.0.1/32\tcert clientcert=verify-full\n'
	cat hba.tls
} >"$hba"
pg_restart "$PG_DIR"
cert="postgresql://poll1@localhost:$PG_TCP_PORT/prepay?sslmode=verify-full&sslrootcert=$PG_CA&sslcert=$T/poll1.crt&sslkey=$T/poll1.key"
exits 0 "report as poll1, by its certificate" report -d "$cert" operators -o csv
exits 77 "sale as poll1, a poller" sale -d "$cert" -o csv 100001 1
like "$T/err" "login poll1 is a poller; this needs the cashier role" \
    "...refused: the operator is the certificate's role"
is "$(psql_q "SELECT login || '|' || tool || '|' || exit FROM audit
    ORDER BY id DESC LIMIT 1")" "poll1|sale|77" "...and audited as poll1"
exits 66 "poll1 without its certificate" report operators -o csv \
    -d "postgresql://poll1@localhost:$PG_TCP_PORT/prepay?sslmode=verify-full&sslrootcert=$PG_CA"
like "$T/err" 'connection requires a valid client certificate' "...is refused by the server"
cat hba.tls >"$hba"
pg_restart "$PG_DIR"

exits 0 "report verify" report verify -o csv
like "$T/out" '^ledger-chain,ok,' "the ledger's chain holds"
like "$T/out" '^audit-chain,ok,' "the audit log's chain holds"

done_testing
