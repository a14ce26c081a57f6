#!/bin/sh
# audit.t: every committed change has its audit entry, written in the same
# transaction; a quote-filled argument is audited faithfully; no committed
# sale exits non-zero, under lock contention or kill -9.
. "$(dirname "$0")/lib.sh"

exits 0 "site-load" site-load "$FIXTURES/site.yaml"
exits 0 "open an account" acct-open -o csv -n 张三 0101070723
acct=$(f 1 account)

# The last audit entry's view of the ledger's end is the ledger's end.
audit_sees_end() {
	is "$(sql "SELECT CASE WHEN (SELECT ledger_head FROM audit ORDER BY id DESC LIMIT 1)
	    = (SELECT serial || ':' || hash FROM ledger ORDER BY id DESC LIMIT 1)
	    THEN 1 ELSE 0 END")" \
	    1 "$1: the last audit entry saw the ledger's last row"
}

# --- point 1: quotes ----------------------------------------------------

q="''''''''''''''''''''"
exits 0 "sale --remark of 20 quotes" sale -o csv --remark "$q" "$acct" 1
is "$(cat "$T/err")" "" "no sanitizer report, no message"
is "$(f 1 remark)" "$q" "the remark is the 20 quotes"
serial=$(f 1 serial)
is "$(sql "SELECT count(*) FROM audit WHERE tool = 'sale' AND exit = 0 AND
    summary LIKE '%$serial%'")" 1 "the sale has its audit entry"
args=$(sql "SELECT args FROM audit WHERE summary LIKE '%$serial%'")
# The entry reads back as the command line: sh splits it into the same words.
eval "set -- $args"
is "$#|$3|$4|$5|$6" "6|--remark|$q|$acct|1" "the audited arguments read back as the command line"
long=$(printf "%0.s'" $(seq 1 250))
exits 0 "sale --remark of 250 quotes and a space" sale -o csv --remark "$long x" "$acct" 1
is "$(cat "$T/err")" "" "no sanitizer report"
audit_sees_end "250 quotes"

# --- point 4: in the same transaction -----------------------------------

exits 0 "report verify" report verify -o csv
audit_sees_end "a plain sale"

# Writers racing for the lock with no busy timeout: a sale either commits
# with its audit entry and exits 0, or writes nothing and exits 75.
N=6
M=15
i=0
while [ $i -lt $N ]; do
	(
		j=0
		while [ $j -lt $M ]; do
			PREPAY_BUSY_TIMEOUT=0 sale -o csv --remark "race-$i-$j" \
			    "$acct" 0.01 >/dev/null 2>>"$T/race.err"
			echo "race-$i-$j $?"
			j=$((j + 1))
		done
	) >"$T/exits.$i" &
	i=$((i + 1))
done
wait
cat "$T/exits".* >"$T/race"
is "$(wc -l <"$T/race" | tr -d ' ')" $((N * M)) "every racing sale reported its exit"
awk '$2 != 0 && $2 != 75' "$T/race" >"$T/odd"
is "$(cat "$T/odd")" "" "racing sales exit 0 or 75, never 70"
sql "SELECT remark FROM ledger WHERE remark LIKE 'race-%' ORDER BY remark" >"$T/got"
awk '$2 == 0 { print $1 }' "$T/race" | sort >"$T/want"
sort "$T/got" >"$T/got.s"
cmp -s "$T/got.s" "$T/want"
ok $? "exactly the sales that exited 0 are in the ledger"
n0=$(wc -l <"$T/want" | tr -d ' ')
echo "# $n0 of $((N * M)) racing sales committed"
is "$(sql "SELECT count(*) FROM audit WHERE tool = 'sale' AND exit = 0 AND
    args LIKE '%race-%'")" "$n0" "each committed racing sale has one audit entry"
grep -v 'lock\|busy' "$T/race.err" >"$T/race.other"
is "$(cat "$T/race.other")" "" "the refused ones say the database is locked"
exits 0 "report verify after the race" report verify -o csv
audit_sees_end "the race"

# --- kill -9 anywhere ---------------------------------------------------

# Sales killed at random points of their run: each ledger row that survives
# has its audit entry, and verify passes every time.
k=0
while [ $k -lt 40 ]; do
	sale -o csv --remark "kill-$k" "$acct" 0.01 >/dev/null 2>&1 &
	pid=$!
	# A random point in the first 60 ms of its run, where a sale on
	# an idle machine opens, commits and ends.
	n=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
	sleep "0.$(printf '%03d' $((n % 60)))"
	kill -9 $pid 2>/dev/null
	wait $pid 2>/dev/null
	k=$((k + 1))
done
killed=$(sql "SELECT count(*) FROM ledger WHERE remark LIKE 'kill-%'")
echo "# $killed of 40 killed sales had committed"
is "$(sql "SELECT count(*) FROM audit WHERE tool = 'sale' AND exit = 0 AND
    args LIKE '%kill-%'")" "$killed" "every killed sale that committed has its audit entry"
exits 0 "report verify after the kills" report verify -o csv
audit_sees_end "the kills"

done_testing
