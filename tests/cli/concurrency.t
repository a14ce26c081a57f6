#!/bin/sh
# concurrency.t: 4 sale processes at once against one database.  None fails
# with "database is locked", every sale lands once, balances add up, and the
# serials stay gap-free and strictly increasing.  The same --ref sold by all
# 4 at once lands once, and all 4 print its one serial.
. "$(dirname "$0")/lib.sh"

# The clock is fixed, so that "today" holds however long the run takes,
# across midnight too: 2026-03-10 12:00:00 in Shanghai.
export PREPAY_NOW=1773115200

NA=40		# accounts
P=4		# processes

python3 - "$NA" >"$T/site.yaml" <<'EOF'
import sys
n = int(sys.argv[1])
print("site: concurrency\ndefaults:\n  price: 0.5380\n  max_balance: 2000.00\n"
      "  max_sale: 5000.00\nbuildings:\n  - name: B1\n    gateways:\n"
      "      - name: gw1\n        address: tcp://127.0.0.1:1501\n"
      "        meters:")
for i in range(1, n + 3):	# two spare meters
    print('          - {meter: "M%04d", unit: %d, floor: 1, room: "R%04d", '
          'profile: sdm120, billing: account}' % (i, i, i))
EOF

python3 - "$NA" >"$T/open.csv" <<'EOF'
import sys
print("account,name,phone,meter,balance")
for i in range(1, int(sys.argv[1]) + 1):
    print("A%04d,name%d,138%08d,M%04d,0" % (i, i, i, i))
EOF

site-load "$T/site.yaml" >/dev/null
exits 0 "open $NA accounts" acct-open "$T/open.csv"

accts=$(awk -F, 'NR > 1 { print $1 }' "$T/open.csv")

# serials_ok NAME: in row order, each day's sequence numbers are 1..n and the
# serials strictly increase.
serials_ok() {
	is "$(sql "SELECT count(*) FROM (SELECT CAST(substr(serial, 9) AS INTEGER) AS seq,
	    row_number() OVER (PARTITION BY substr(serial, 1, 8) ORDER BY id) AS r
	    FROM ledger) AS t WHERE seq <> r")" 0 "$1: each day's sequence numbers are 1..n in row order"
	is "$(sql "SELECT count(*) FROM (SELECT serial, lag(serial) OVER (ORDER BY id) AS p
	    FROM ledger) AS t WHERE p IS NOT NULL AND serial <= p")" 0 "$1: serials strictly increase"
	today=20260310
	is "$(sql "SELECT CASE WHEN coalesce(max(CAST(substr(serial, 9) AS INTEGER)), 0)
	    = count(*) THEN 1 ELSE 0 END FROM ledger WHERE substr(serial, 1, 8) = '$today'")" 1 \
	    "$1: today's serials are ${today}000001..N with N the row count"
	run report verify -o csv
	is "$rc" 0 "$1: report verify passes"
	[ "$rc" != 0 ] && grep -v ',ok,' "$T/out" "$T/err" | sed 's/^/# verify: /' | head -n 20
}

# clean NAME PREFIX: no worker printed "database is locked" or exited non-zero.
clean() {
	is "$(cat "$T/$2".*.fail 2>/dev/null | wc -l | tr -d ' ')" 0 "$1: every process exited 0"
	cat "$T/$2".*.fail 2>/dev/null | head -n 5 | sed 's/^/# /'
	if cat "$T/$2".*.err 2>/dev/null | grep -qi 'locked\|busy'; then
		ok 1 "$1: nobody printed \"database is locked\""
		cat "$T/$2".*.err | grep -i 'locked\|busy' | sort | uniq -c | head -n 5 | sed 's/^/# /'
	else
		ok 0 "$1: nobody printed \"database is locked\""
	fi
}

# --- 4 loops of single sales --------------------------------------------------

loop_sales() {	# WORKER: 1.00 to every account, one sale process each
	for a in $accts; do
		sale -o csv --account "$a" 1.00 >>"$T/loop.$1.out" 2>>"$T/loop.$1.err" ||
		    echo "sale --account $a 1.00: exit $?" >>"$T/loop.$1.fail"
	done
}

# A reader alongside: report verify sees one consistent snapshot each time.
verifier() {
	n=0
	while [ ! -e "$T/stop" ]; do
		report verify -o csv >"$T/verify.tmp" 2>>"$T/verify.err" ||
		    { echo "report verify: exit $?"; grep -v ',ok,' "$T/verify.tmp"; } \
		    >>"$T/verify.fail"
		n=$((n + 1))
	done
	echo "$n" >"$T/verify.n"
}

before=$(sql "SELECT count(*) FROM ledger")
verifier &
vpid=$!
pids=
w=1
while [ "$w" -le "$P" ]; do
	loop_sales "$w" &
	pids="$pids $!"
	w=$((w + 1))
done
# shellcheck disable=SC2086
wait $pids
touch "$T/stop"
wait "$vpid"
clean "loops" loop
echo "# report verify ran $(cat "$T/verify.n") times during the sales"
is "$(cat "$T/verify.fail" 2>/dev/null | wc -l | tr -d ' ')" 0 \
    "loops: report verify, run alongside, always passed"
sed 's/^/# /' "$T/verify.fail" 2>/dev/null | head -n 10
made=$((P * NA))
is "$(sql "SELECT count(*) FROM ledger WHERE kind = 'sale'")" "$made" "loops: $made sale rows"
is "$(sql "SELECT count(*) FROM ledger")" "$((before + made))" "loops: no other rows"
# Every sale printed its row; the printed serials are distinct and all in
# the ledger.
cat "$T"/loop.*.out | grep -v '^serial,' | cut -d, -f1 | sort >"$T/printed"
is "$(sort -u "$T/printed" | wc -l | tr -d ' ')" "$made" "loops: $made distinct serials printed"
sql "SELECT serial FROM ledger WHERE kind = 'sale'" | sort >"$T/stored"
if cmp -s "$T/printed" "$T/stored"; then
	ok 0 "loops: the printed serials are the ledger's"
else
	ok 1 "loops: the printed serials are the ledger's"
fi
is "$(sql "SELECT count(*) FROM accounts WHERE money <> $P * 100")" 0 \
    "loops: every account holds $P.00"
report balances -o csv >"$T/bal.csv"
is "$(awk -F, 'NR > 1 && $NF != "'"$P"'.00"' "$T/bal.csv" | wc -l | tr -d ' ')" 0 \
    "loops: report balances shows $P.00 for every account"
serials_ok "loops"

# --- 4 --each batches at once ---------------------------------------------------

R=5	# rows per account in each batch
{
	echo "account,amount"
	i=0
	while [ "$i" -lt "$R" ]; do
		for a in $accts; do echo "$a,1.00"; done
		i=$((i + 1))
	done
} >"$T/batch.csv"

w=1
while [ "$w" -le "$P" ]; do
	(sale -o csv --each --rejects "$T/rej.$w.csv" "$T/batch.csv" \
	    >"$T/each.$w.out" 2>"$T/each.$w.err" ||
	    echo "sale --each batch.csv: exit $?" >"$T/each.$w.fail") &
	w=$((w + 1))
done
wait
clean "--each batches" each
made2=$((P * R * NA))
is "$(sql "SELECT count(*) FROM ledger WHERE kind = 'sale'")" "$((made + made2))" \
    "--each batches: $made2 more sale rows"
is "$(cat "$T"/rej.*.csv 2>/dev/null | wc -l | tr -d ' ')" "$P" "--each batches: no rejected rows"
is "$(cat "$T"/rej.*.csv 2>/dev/null | sort -u | LC_ALL=C tr -c '[:print:]\n' '?')" "account,amount,error" \
    "--each batches: each --rejects file is just the header account,amount,error"
is "$(cat "$T"/each.*.out | grep -v '^serial,' | cut -d, -f1 | sort -u | wc -l | tr -d ' ')" \
    "$made2" "--each batches: $made2 distinct serials printed"
is "$(sql "SELECT count(*) FROM accounts WHERE money <> $P * 100 + $P * $R * 100")" 0 \
    "--each batches: every account holds $((P + P * R)).00"
serials_ok "--each batches"

# --- 4 all-or-nothing batches at once -------------------------------------------

w=1
while [ "$w" -le "$P" ]; do
	(sale -o csv "$T/batch.csv" >"$T/all.$w.out" 2>"$T/all.$w.err" ||
	    echo "sale batch.csv: exit $?" >"$T/all.$w.fail") &
	w=$((w + 1))
done
wait
clean "whole batches" all
is "$(sql "SELECT count(*) FROM ledger WHERE kind = 'sale'")" "$((made + 2 * made2))" \
    "whole batches: $made2 more sale rows"
# Each batch is one transaction: its serials are consecutive.
w=0
while [ "$w" -lt "$P" ]; do
	w=$((w + 1))
	grep -v '^serial,' "$T/all.$w.out" | cut -d, -f1 | sort >"$T/s.$w"
	is "$(awk '{ n = substr($0, 9) + 0 } NR == 1 { first = n }
	    END { printf "%d/%d", n - first + 1, NR }' "$T/s.$w")" "$((R * NA))/$((R * NA))" \
	    "whole batch $w: $((R * NA)) consecutive serials"
done
is "$(sql "SELECT count(*) FROM accounts WHERE money <> 2 * ($P * 100 + $P * $R * 100) - $P * 100")" 0 \
    "whole batches: every account holds $((P + 2 * P * R)).00"
serials_ok "whole batches"

# --- the same refs sold by all 4 at once -----------------------------------------

NR=20
ref_sales() {	# WORKER: ref cc-i sells 1.00 to the i-th account
	i=0
	for a in $accts; do
		i=$((i + 1))
		[ "$i" -gt "$NR" ] && break
		sale -o csv --ref "cc-$i" --account "$a" 1.00 >"$T/ref.$1.tmp" 2>>"$T/ref.$1.err"
		st=$?
		[ "$st" = 0 ] || echo "sale --ref cc-$i --account $a 1.00: exit $st" >>"$T/ref.$1.fail"
		# ref,serial as this process saw it
		printf 'cc-%s,%s\n' "$i" "$(awk -F, 'NR == 2 { print $1 }' "$T/ref.$1.tmp")" \
		    >>"$T/ref.$1.seen"
	done
}
w=1
while [ "$w" -le "$P" ]; do
	ref_sales "$w" &
	w=$((w + 1))
done
wait
clean "same refs" ref
is "$(sql "SELECT count(*) FROM ledger WHERE ref LIKE 'cc-%'")" "$NR" \
    "same refs: each of the $NR refs landed once"
is "$(sql "SELECT count(*) FROM (SELECT ref FROM ledger WHERE ref LIKE 'cc-%'
    GROUP BY ref HAVING count(*) > 1) AS t")" 0 "same refs: no ref twice"
is "$(cat "$T"/ref.*.seen | sort -u | wc -l | tr -d ' ')" "$NR" \
    "same refs: all $P processes printed the same serial for each ref"
sql "SELECT ref || ',' || serial FROM ledger WHERE ref LIKE 'cc-%'" | sort >"$T/ref.ledger"
sort -u "$T"/ref.*.seen >"$T/ref.printed"
if cmp -s "$T/ref.ledger" "$T/ref.printed"; then
	ok 0 "same refs: the printed serial is the ledger's"
else
	ok 1 "same refs: the printed serial is the ledger's"
	diff "$T/ref.ledger" "$T/ref.printed" | head -n 10 | sed 's/^/# /'
fi
is "$(sql "SELECT count(*) FROM accounts a WHERE money <> 2 * ($P * 100 + $P * $R * 100) - $P * 100
    + CASE WHEN CAST(substr(account, 2) AS INTEGER) <= $NR THEN 100 ELSE 0 END")" 0 \
    "same refs: each ref's account got 1.00 once"
serials_ok "same refs"

# --- one new account opened by all 4 at once ----------------------------------------

sp1=$(printf 'M%04d' $((NA + 1)))
sp2=$(printf 'M%04d' $((NA + 2)))
w=1
while [ "$w" -le "$P" ]; do
	(acct-open -o csv -a NEW1 -n "new $w" --balance 3 "$sp1" >"$T/new.$w.out" \
	    2>"$T/new.$w.err"; echo $? >"$T/new.$w.rc") &
	w=$((w + 1))
done
wait
is "$(cat "$T"/new.*.rc | grep -cx 0)" 1 "same account: exactly one acct-open exits 0"
is "$(cat "$T"/new.*.rc | grep -vx 0 | grep -cvx '1\|65')" 0 \
    "same account: the others are refused (1 or 65), not locked or broken"
cat "$T"/new.*.rc | tr '\n' ' ' | sed 's/^/# exits: /; s/$/\n/'
if cat "$T"/new.*.err | grep -qi 'locked'; then
	ok 1 "same account: nobody printed \"database is locked\""
else
	ok 0 "same account: nobody printed \"database is locked\""
fi
is "$(sql "SELECT count(*) FROM accounts WHERE account = 'NEW1'")/$(sql "SELECT count(*)
    FROM ledger l JOIN accounts a ON a.id = l.account_id WHERE a.account = 'NEW1'")" \
    "1/1" "same account: one account, one open row"

# The same, with one --ref: all 4 exit 0 and print the one serial.
w=1
while [ "$w" -le "$P" ]; do
	(acct-open -o csv -a NEW2 -n "new two" --balance 3 --ref open-new2 "$sp2" \
	    >"$T/new2.$w.out" 2>"$T/new2.$w.err"; echo $? >"$T/new2.$w.rc") &
	w=$((w + 1))
done
wait
is "$(cat "$T"/new2.*.rc | grep -cx 0)" "$P" "same account and ref: all $P acct-open exit 0"
is "$(for f in "$T"/new2.*.out; do csv_field "$f" 1 serial; done | sort -u |
    wc -l | tr -d ' ')" 1 "same account and ref: all print the same serial"
is "$(sql "SELECT count(*) FROM ledger WHERE ref = 'open-new2'")" 1 \
    "same account and ref: one open row"
serials_ok "new accounts"

# --- a lock held past the timeout ----------------------------------------------------

# Another writer holds the write lock until released (lib.sh).
rows=$(sql "SELECT count(*) FROM ledger")
hold_db
PREPAY_BUSY_TIMEOUT=1 run sale -o csv --account A0001 1.00
is "$rc" 75 "lock held: sale with PREPAY_BUSY_TIMEOUT=1 exits 75"
[ "$rc" != 75 ] && sed 's/^/# stderr: /' "$T/err" | head -n 3
release
is "$(sql "SELECT count(*) FROM ledger")" "$rows" "lock held: nothing was written"
# The sale starts behind the lock; the holder lets go once the sale has
# had a moment to meet it (it passes however long that moment is).
hold_db
(sale -o csv --account A0001 1.00 >"$T/out" 2>"$T/err"; echo $? >"$T/rc") &
waiter=$!
sleep 1
release
wait "$waiter"
is "$(cat "$T/rc")" 0 "lock held: sale with the default timeout waits and exits 0"
is "$(sql "SELECT count(*) FROM ledger")" "$((rows + 1))" "lock held: the sale landed once"
exits 0 "at the end: report verify passes" report verify -o csv

done_testing
