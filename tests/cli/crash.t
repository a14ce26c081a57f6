#!/bin/sh
# crash.t: kill -9 in the middle of a 5000-row acct-open batch.  An
# all-or-nothing batch leaves nothing or everything; an --each batch leaves
# a prefix of whole rows; `report verify` passes after every kill, and the
# same batch then runs to the end.
. "$(dirname "$0")/lib.sh"

N=5000

# A site of N meters in one building, 247 units per gateway (21 gateways).
python3 - "$N" >"$T/site.yaml" <<'EOF'
import sys
n = int(sys.argv[1])
print("site: crash\ndefaults:\n  price: 0.5380\n  max_balance: 2000.00\n"
      "  max_sale: 5000.00\nbuildings:\n  - name: B1\n    gateways:")
m = g = 0
while m < n:
    g += 1
    print("      - name: gw%d\n        address: tcp://127.0.0.1:%d\n"
          "        meters:" % (g, 1500 + g))
    for unit in range(1, 248):
        if m >= n:
            break
        m += 1
        print('          - {meter: "M%06d", unit: %d, floor: 1, '
              'room: "R%06d", profile: sdm120, billing: account}'
              % (m, unit, m))
EOF

# The batch.  Each row carries a ref, so that running it again after a run
# that did commit is answered from the ledger (exit 0) instead of refused.
python3 - "$N" >"$T/open.csv" <<'EOF'
import sys
print("account,name,phone,meter,balance,ref")
for i in range(1, int(sys.argv[1]) + 1):
    print("A%06d,name%d,138%08d,M%06d,10.00,crash-%d" % (i, i, i, i, i))
EOF

fresh() {
	db_drop
	site-load "$T/site.yaml" >/dev/null
}

accounts() { sql "SELECT count(*) FROM accounts"; }
opens() { sql "SELECT count(*) FROM ledger WHERE kind = 'open'"; }
ledger_rows() { sql "SELECT count(*) FROM ledger"; }


# verify_ok NAME: report verify exits 0.
verify_ok() {
	run report verify -o csv
	is "$rc" 0 "$1"
	if [ "$rc" != 0 ]; then
		sed 's/^/# verify: /' "$T/out" "$T/err" | grep -v ',ok,' | head -n 20
	fi
}

# --- the uninterrupted batch, timed ------------------------------------------

fresh
start=$(date +%s.%N)
run acct-open "$T/open.csv"
end=$(date +%s.%N)
is "$rc" 0 "uninterrupted 5000-row batch exits 0"
took=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')
echo "# $N rows in $took s"
is "$(accounts)" "$N" "uninterrupted batch: $N accounts"
is "$(opens)" "$N" "uninterrupted batch: $N open ledger rows"
verify_ok "uninterrupted batch: verify passes"

# --- all-or-nothing, killed three times -------------------------------------

# Three different delays, one from each third of 0.05..0.5 s; then one
# more near the end of the batch (0.8..1.1 times the time it took above),
# where the kill may land in the commit itself.
late=$(awk -v t="$took" 'BEGIN { printf "%.2f %.2f", 0.8 * t, 1.1 * t }')
for range in "0.05 0.20" "0.20 0.35" "0.35 0.50" "$late"; do
	# shellcheck disable=SC2086
	d=$(delay $range)
	fresh
	acct-open "$T/open.csv" >/dev/null 2>"$T/bg.err" &
	pid=$!
	sleep "$d"
	kill -9 "$pid" 2>/dev/null
	{ wait "$pid"; } 2>/dev/null
	st=$?
	if [ "$st" = 137 ]; then
		echo "# killed after $d s"
	else
		echo "# the batch ended (exit $st) before the kill at $d s"
	fi
	n=$(accounts)
	case $n in
	0 | "$N") ok 0 "kill at $d s: $n accounts (0 or $N)" ;;
	*) ok 1 "kill at $d s: $n accounts (0 or $N)" ;;
	esac
	is "$(ledger_rows)" "$n" "kill at $d s: ledger rows match the accounts"
	verify_ok "kill at $d s: verify passes"
	run acct-open "$T/open.csv"
	is "$rc" 0 "kill at $d s: the same batch again exits 0"
	[ "$rc" != 0 ] && sed 's/^/# stderr: /' "$T/err" | head -n 5
	is "$(accounts)" "$N" "kill at $d s: then $N accounts"
	is "$(opens)" "$N" "kill at $d s: then $N open ledger rows"
	verify_ok "kill at $d s: then verify passes"
done

# --- --each, killed mid-way ---------------------------------------------------

fresh
acct-open --each --rejects "$T/rejects.csv" "$T/open.csv" >/dev/null \
    2>"$T/bg.err" &
pid=$!
# Wait until some rows are in, so that the kill lands mid-way.
i=0
while [ "$i" -lt 400 ] && [ "$(ledger_rows 2>/dev/null || echo 0)" -lt 200 ]; do
	sleep 0.02
	i=$((i + 1))
done
d=$(delay 0.05 0.5)
sleep "$d"
kill -9 "$pid" 2>/dev/null
{ wait "$pid"; } 2>/dev/null
st=$?
is "$st" 137 "--each: the batch was killed mid-way"
n=$(accounts)
echo "# --each: killed $d s after 200 rows, $n accounts in"
if [ "$n" -gt 0 ] && [ "$n" -lt "$N" ]; then
	ok 0 "--each: some but not all rows committed ($n)"
else
	ok 1 "--each: some but not all rows committed ($n)"
fi
is "$(opens)" "$n" "--each: accounts == open ledger rows"
is "$(ledger_rows)" "$n" "--each: no other ledger rows"
verify_ok "--each: verify passes (serials gap-free, chains hold)"
# The rows that went in are a prefix of the file: A000001..A00000n.
is "$(sql "SELECT count(*) FROM accounts WHERE CAST(substr(account, 2) AS INTEGER) > $n")" 0 \
    "--each: the committed rows are the first $n of the file"
is "$(sql "SELECT count(*) FROM (SELECT id, CAST(substr(serial, 9) AS INTEGER) AS seq,
    row_number() OVER (PARTITION BY substr(serial, 1, 8) ORDER BY id) AS r
    FROM ledger) AS t WHERE seq <> r")" 0 "--each: serial sequence numbers are 1..n per day"
is "$(sql "SELECT count(*) FROM accounts a WHERE money <> 1000 OR
    (SELECT count(*) FROM ledger l WHERE l.account_id = a.id) <> 1")" 0 \
    "--each: every committed account has its one open row of 10.00"
run acct-open --each --rejects "$T/rejects2.csv" "$T/open.csv"
is "$rc" 0 "--each: the same batch again exits 0"
[ "$rc" != 0 ] && sed 's/^/# stderr: /' "$T/err" | head -n 5
is "$(accounts)" "$N" "--each: then $N accounts"
is "$(opens)" "$N" "--each: then $N open ledger rows"
verify_ok "--each: then verify passes"

# --- a 5000-row sale batch (the monthly subsidy), killed -------------------------

awk -F, 'NR == 1 { print "account,amount,ref"; next }
    { print $1 ",30.00,sub-" NR - 1 }' "$T/open.csv" >"$T/subsidy.csv"
d=$(delay 0.05 "$took")
sale "$T/subsidy.csv" >/dev/null 2>"$T/bg.err" &
pid=$!
sleep "$d"
kill -9 "$pid" 2>/dev/null
{ wait "$pid"; } 2>/dev/null
st=$?
[ "$st" = 137 ] && echo "# sale batch killed after $d s" ||
    echo "# the sale batch ended (exit $st) before the kill at $d s"
n=$(sql "SELECT count(*) FROM ledger WHERE kind = 'sale'")
case $n in
0 | "$N") ok 0 "sale batch killed at $d s: $n sale rows (0 or $N)" ;;
*) ok 1 "sale batch killed at $d s: $n sale rows (0 or $N)" ;;
esac
verify_ok "sale batch killed: verify passes"
run sale "$T/subsidy.csv"
is "$rc" 0 "sale batch killed: the same batch again exits 0"
[ "$rc" != 0 ] && sed 's/^/# stderr: /' "$T/err" | head -n 5
is "$(sql "SELECT count(*) FROM ledger WHERE kind = 'sale'")" "$N" \
    "sale batch killed: then $N sale rows"
is "$(sql "SELECT count(*) FROM accounts WHERE money <> 4000")" 0 \
    "sale batch killed: then every account holds 40.00"
verify_ok "sale batch killed: then verify passes"

done_testing
