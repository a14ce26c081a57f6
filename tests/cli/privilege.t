#!/bin/sh
# privilege.t: the privilege model of prepay(7) end to end.  `make install`
# as root makes the tools setgid to a service group; the database, its
# -wal/-shm, the bus locks and the key file are the group's, and operator
# logins are not in it.  So a cashier sells through the tools, and its sale
# closes an arrears-tripped DL/T 645 meter at once, but the same login can
# neither open the database nor read the key file, nor point the tools at
# files of its own.  Needs root (logins, a group, setgid); skips otherwise.
. "$(dirname "$0")/lib.sh"

PLAN=51

skip_all() {
	while [ "$tap_n" -lt "$PLAN" ]; do
		tap_n=$((tap_n + 1))
		echo "ok $tap_n # skip $1"
	done
	done_testing
	exit
}
# Its database is a file of its own, guarded by the group: on a server
# the roles guard the database instead.
if on_pg; then
	echo "1..0 # SKIP the tools' group guards a SQLite file and the files beside it; on PostgreSQL the server's roles guard the database (tests/pg/schema.t; permission.t runs the tools as logins of each role)"
	exit 0
fi
[ "$(id -u)" = 0 ] || skip_all "not root"
command -v groupadd >/dev/null 2>&1 || skip_all "no groupadd"

# The installed tools are the build's of $PREPAY_BIN (B/bin in the tree).
case $PREPAY_BIN in
"$top"/*/bin) B=${PREPAY_BIN#"$top"/}; B=${B%/bin} ;;
*) skip_all "PREPAY_BIN is not a build of this tree" ;;
esac
# ASan's LeakSanitizer stops the world with ptrace, which a setgid process
# refuses: the installed tools are the plain build's (make check made both).
case $B in
*san*) [ -x "$top/build/bin/sale" ] && B=build ;;
esac

G=pp_grp_t
ADMIN=pp_admin_t CASHIER=pp_cashier_t SUPER=pp_super_t POLLER=pp_poller_t
for login in "$ADMIN" "$CASHIER" "$SUPER" "$POLLER"; do
	id -u "$login" >/dev/null 2>&1 || useradd -M -N -r "$login" ||
	    echo "# could not create login $login"
done

# The logins reach $T but not the database's directory; $T/u is theirs.
chmod 711 "$T"
mkdir -m 1777 "$T/u"

# --- make install ---------------------------------------------------------

run make -s -C "$top" install B="$B" PREFIX="$T/prefix" \
    STATEDIR="$T/state" PREPAY_GROUP="$G"
is "$rc" 0 "make install as root into a prefix"
[ "$rc" = 0 ] || sed 's/^/# /' "$T/err" | tail -n 5
getent group "$G" >/dev/null
ok $? "make install created the group $G"
for login in "$ADMIN" "$CASHIER" "$SUPER" "$POLLER"; do
	id -Gn "$login" | tr ' ' '\n' | grep -qx "$G" &&
	    echo "Bail out! $login is in $G"
done
BIN=$T/prefix/bin
is "$(stat -c '%A %G' "$BIN/sale") $(stat -c '%A %G' "$BIN/meter-ctl")" \
    "-rwxr-sr-x $G -rwxr-sr-x $G" "the tools are setgid $G"
is "$(stat -c '%A' "$BIN/meter-sim")" "-rwxr-xr-x" \
    "meter-sim, which opens no database, is not"
is "$(stat -c '%A %G' "$T/state")" "drwxrws--- $G" \
    "the database's directory: setgid $G, mode 2770"

DB=$T/state/prepay.db
PREPAY_DB=$DB
AS_BIN=$BIN	# as and as_exits run the installed tools

# modes FILE...: owner, group and mode of each.
modes() {
	stat -c '%U %G %a' "$@" | tr '\n' ' ' | sed 's/ $//'
}

# --- the site, loaded by root and then by the admin login ------------------

P=$(port_base)
cat >site.yaml <<EOF
site: 权限
defaults:
  price: 0.5380
  overload_w: 100000
  alarm1: 20.00
  alarm2: 5.00
  sms_to: "13800000000"
operators:
  - {login: $ADMIN, role: admin}
  - {login: $CASHIER, role: cashier}
  - {login: $SUPER, role: supervisor}
  - {login: $POLLER, role: poller}
buildings:
  - name: 1号楼
    gateways:
      - name: d1
        address: tcp://127.0.0.1:$P
        timeout_ms: 300
        retries: 1
        meters:
          - {meter: "002241020208", floor: 2, room: "201", profile: dlt645-1p}
EOF
chmod 644 site.yaml
A=002241020208

run sh -c "umask 077; exec '$BIN/site-load' -d '$DB' site.yaml"
is "$rc" 0 "root (trusted) creates the database through the setgid site-load"
is "$(modes "$DB")" "root $G 660" "the database is 0660 of $G, whatever the umask"
as_exits 0 "the admin login, not in the group, loads the site" "$ADMIN" \
    site-load site.yaml

printf 'gateway * 02123456 00000001\n' >sim.keys
chmod 600 sim.keys
cp sim.keys "$DB.keys"
chgrp "$G" "$DB.keys"
chmod 640 "$DB.keys"
start_sim site.yaml --keys "$T/sim.keys"

# --- a cashier's sale closes an arrears-tripped DL/T 645 meter at once -----

as_exits 0 "the cashier opens an account of 0.00" "$CASHIER" acct-open -o csv \
    -n 王五 --balance 0 "$A"
ACCT=$(f 1 account)
# Money once, given back: at 0.00 the account is in arrears (opened with
# nothing and never paid, it would be unfunded; see alarm-scan(1)).
as_exits 0 "the cashier sells 5.00" "$CASHIER" sale -o csv "$ACCT" 5
as_exits 0 "and refunds it" "$CASHIER" refund -o csv "$ACCT" 5

# The notice command tells its groups and what it was given.
cat >notify.sh <<EOF
#!/bin/sh
{ id -G; echo "FOO=\${FOO-unset} \${PREPAY_SMS_URL-unset}"; } >>"$T/u/notify.out"
EOF
chmod 755 notify.sh
run runuser -u "$POLLER" -- env PREPAY_DB="$DB" FOO=bar PREPAY_SMS_URL=url sh -c \
    "'$BIN/alarm-scan' --notify '$T/notify.sh' -k arrears |
    '$BIN/meter-ctl' -o csv trip -"
is "$rc|$(f 1 result)" "0|done" "the poller's arrears pipeline trips the meter"
is "$(sql "SELECT reason || '=' || state FROM commands WHERE action = 'trip'")" \
    "arrears=done" "an arrears trip"
gid=$(getent group "$G" | cut -d: -f3)
is "$(head -n 1 "$T/u/notify.out" 2>/dev/null)" "$(id -G "$POLLER")" \
    "the notice command runs with the poller's own groups"
if head -n 1 "$T/u/notify.out" 2>/dev/null | tr ' ' '\n' | grep -qx "$gid"
then ok 1 "not with $G ($gid)"; else ok 0 "not with $G ($gid)"; fi
is "$(sed -n 2p "$T/u/notify.out" 2>/dev/null)" "FOO=unset url" \
    "with the caller's PREPAY_* variables, and without its others"

as_exits 0 "the cashier sells" "$CASHIER" sale -o csv "$ACCT" 10
is "$(sql "SELECT reason || '=' || state FROM commands WHERE action = 'close'")" \
    "paid=done" "its sale closed the meter at once, reading the key file through the group"
is "$(sql "SELECT relay FROM meters WHERE meter = '$A'")" closed \
    "the meter is closed"

# --- a supervisor's trip runs at once ----------------------------------------

as_exits 0 "the supervisor trips the meter" "$SUPER" meter-ctl -o csv trip "$A"
is "$(f 1 result)" done "the trip runs at once"
as_exits 0 "and closes it" "$SUPER" meter-ctl -o csv close "$A"

# --- the same logins cannot go around the tools ------------------------------

run runuser -u "$CASHIER" -- sqlite3 "$DB" 'select count(*) from ledger'
is "$rc" 1 "sqlite3 on the database as the cashier fails"
like "$T/err" "unable to open database|[Pp]ermission denied" \
    "refused by the kernel"
run runuser -u "$CASHIER" -- cat "$DB.keys"
like "$T/err" "Permission denied" "the cashier cannot read the key file"
run runuser -u "$CASHIER" -- cat "$DB"
like "$T/err" "Permission denied" "nor copy the database"

# A database of the cashier's own, by -d and by PREPAY_DB.
runuser -u "$CASHIER" -- sqlite3 "$T/u/own.db" 'create table x(a)'
as_exits 77 "-d a database not of $G" "$CASHIER" report balances -o csv \
    -d "$T/u/own.db"
like "$T/err" "own.db: not a database of group $G" "saying why"
as_exits 77 "PREPAY_DB naming it" "$CASHIER" PREPAY_DB="$T/u/own.db" report \
    balances -o csv
as_exits 77 "nor may it create one" "$CASHIER" PREPAY_DB="$T/u/new.db" \
    site-load site.yaml
[ ! -e "$T/u/new.db" ]
ok $? "no new.db was made"

# Key files and profiles of the caller's own are ignored.
printf 'gateway * 02999999\n' >"$T/u/wrong.keys"
chown "$SUPER" "$T/u/wrong.keys"
chmod 600 "$T/u/wrong.keys"
as_exits 0 "PREPAY_KEYS of a wrong password, as the supervisor" "$SUPER" \
    PREPAY_KEYS="$T/u/wrong.keys" meter-ctl -o csv trip "$A"
is "$(f 1 result)" done "is ignored: the group's key file was used"
mkdir -m 755 "$T/u/profiles"
as_exits 0 "PREPAY_PROFILES of an empty directory" "$SUPER" \
    PREPAY_PROFILES="$T/u/profiles" meter-ctl -o csv close "$A"
is "$(f 1 result)" done "is ignored too"
run env PREPAY_PROFILES="$T/u/profiles" "$BIN/meter-ctl" -o csv close "$A"
cat "$T/out" "$T/err" >"$T/both"
like "$T/both" "u/profiles/dlt645-1p\.yaml" \
    "while root's PREPAY_PROFILES is honoured: no profile there"

# --- a second login's -wal and -shm, and the poller's lock ----------------

# A sale killed while it waits for its list leaves its -wal and -shm.
mkfifo "$T/u/list"
chmod 666 "$T/u/list"
setpriv --reuid="$CASHIER" --regid="$(id -g "$CASHIER")" --init-groups \
    env PREPAY_DB="$DB" "$BIN/sale" "$T/u/list" >/dev/null 2>&1 &
sale_pid=$!
# Opening the list for writing returns once the sale opened it to read,
# with the database open: then the sale dies there, holding the writer.
# (timeout only bounds a sale that never gets there.)
timeout 60 sh -c 'exec 3>"$1"; kill -9 "$2"' sh "$T/u/list" "$sale_pid"
wait "$sale_pid" 2>/dev/null
is "$(modes "$DB-wal" "$DB-shm")" "$CASHIER $G 660 $CASHIER $G 660" \
    "the cashier's stray -wal and -shm are 0660 of $G"
as_exits 0 "the admin login still uses the database" "$ADMIN" report \
    balances -o csv
is "$(f 1 balance)" "10.00" "and sees the balance"

rm -f "$DB".*.lock
as_exits 0 "the poller polls" "$POLLER" meter-read -o csv
is "$(modes "$DB.d1.lock")" "$POLLER $G 660" "its lock file is 0660 of $G"
as_exits 0 "the supervisor's meter-ctl read takes the poller's lock" "$SUPER" \
    meter-ctl -o csv read "$A"
is "$(f 1 relay)" closed "and reads the meter"

# --- a key file of the wrong mode or group is refused ----------------------

chmod 644 "$DB.keys"
as_exits 78 "a key file others can read" "$SUPER" meter-ctl -o csv trip "$A"
like "$T/out" "mode 0644: refused" "is refused, saying why"
chmod 640 "$DB.keys"
chgrp root "$DB.keys"
as_exits 78 "a key file of another group" "$SUPER" meter-ctl -o csv trip "$A"
like "$T/out" "prepay.db.keys: Permission denied: it must be of the tools' group" \
    "cannot be read, and says what it must be"
run "$BIN/meter-ctl" -o csv trip "$A"
is "$rc" 78 "root, who reads it, refuses it too (exit 78)"
like "$T/out" "prepay.db.keys is not of group $G: refused" "saying why"
chgrp "$G" "$DB.keys"
mv "$DB.keys" "$DB.keys.old"
as_exits 78 "a renamed key file" "$SUPER" meter-ctl -o csv trip "$A"
is "$(sql "SELECT state || '|' || (last_error LIKE '%prepay.db.keys: No such file%') FROM commands ORDER BY id DESC LIMIT 1")" \
    "failed|1" "fails the command, its last error naming the file"

stop_sim
[ "$tap_n" = "$PLAN" ] || echo "# PLAN is $PLAN but $tap_n tests ran"
done_testing
