#!/bin/sh
# readme.t: the README's tour, run line by line as it is written, so that
# the two cannot drift.  Each "    $ " line is a command ("    > " lines
# continue it, as the shell shows them); the indented lines after it are
# what it must print, each a line of its output.  A background command
# that names `--ready FILE` is waited for on FILE made a FIFO, as a reader
# waits until meter-sim has started before the next line.
. "$(dirname "$0")/lib.sh"

# Daytime, outside the campus's friendly hours, so the arrears trip runs.
export PREPAY_NOW=1795572000	# 2026-11-25 10:00 Asia/Shanghai
# The tour runs in the source tree; here, a copy of its layout whose
# build/bin is the suite's tools.
mkdir -p tree/build
ln -s "$top/scripts" tree/scripts
ln -s "$PREPAY_BIN" tree/build/bin
cd tree || exit 1
# The suite has built the tools already.
make() {
	:
}

# The tour's blocks: one record per command, "cmd" and "want" lines.
awk '
/^## A five-minute tour/	{ tour = 1; next }
/^## /				{ tour = 0 }
!tour				{ next }
/^    \$ /	{ n++; print "cmd " n " " substr($0, 7); incmd = 1; next }
/^    > /	{ if (incmd) print "cont " n " " substr($0, 7); next }
/^    /		{ if (n && incmd) print "want " n " " substr($0, 5); next }
		{ incmd = 0 }
' "$top/README.md" >"$T/tour"
ncmd=$(awk '$1 == "cmd"' "$T/tour" | wc -l)
[ "$ncmd" -gt 40 ] || { echo "Bail out! the README tour has $ncmd commands"; exit 1; }

# One script: each command in a group with its output kept, its status
# recorded; a --ready background command is waited for.
awk -v T="$T" '
function flush() {
	if (cmd == "")
		return
	if (cmd ~ /&$/ && match(cmd, /--ready [^ ]+/)) {
		ready = substr(cmd, RSTART + 8, RLENGTH - 8)
		sub(/&$/, "", cmd)
		printf "rm -f %s; mkfifo %s; exec 8<>%s\n", ready, ready, ready
		printf "{ %s; echo \"exit $?\" 1<>%s; } &\n", cmd, ready
		printf "read -r _ready <&8; exec 8<&-; rm -f %s\n", ready
		printf "echo \"$_ready\" >%s\n", ready
		printf "case $_ready in exit*) echo 1 >%s/rc.%d;; *) echo 0 >%s/rc.%d;; esac\n", T, n, T, n
	} else {
		printf "{\n%s\n} >%s/out.%d 2>%s/err.%d\n", cmd, T, n, T, n
		printf "echo $? >%s/rc.%d\n", T, n
	}
	cmd = ""
}
$1 == "cmd"	{ flush(); n = $2; cmd = substr($0, length($1 " " $2 " ") + 1); next }
$1 == "cont"	{ cmd = cmd "\n" substr($0, length($1 " " $2 " ") + 1); next }
END		{ flush() }
' "$T/tour" >"$T/tour.sh"

. "$T/tour.sh"

# Whatever the tour did, meter-sim is stopped at the end.
case ${_ready:-exit} in
exit*)	;;
*)	sim_pids="$sim_pids $_ready" ;;
esac

awk '$1 == "cmd"' "$T/tour" | while read -r _ n text; do
	rc=$(cat "$T/rc.$n" 2>/dev/null || echo missing)
	[ "$rc" = 0 ] || sed 's/^/# /' "$T/err.$n" 2>/dev/null
	want_ok=0
	awk -v n="$n" '$1 == "want" && $2 == n' "$T/tour" |
	    while read -r _ _ line; do
		grep -qxF -- "$line" "$T/out.$n" 2>/dev/null && continue
		printf '# want: %s\n' "$line"
		echo miss
	done >"$T/miss.$n"
	grep -q miss "$T/miss.$n" && { grep '^#' "$T/miss.$n";
	    sed 's/^/# got:  /' "$T/out.$n"; want_ok=1; }
	[ "$rc" = 0 ] && [ $want_ok = 0 ]
	ok $? "tour $n: $(printf '%s' "$text" | tr -d '\\\\')"
done >"$T/tap"
cat "$T/tap"
tap_n=$(grep -c '^\(not \)\?ok ' "$T/tap")
tap_failed=$(grep -c '^not ok ' "$T/tap")

# The tour leaves a ledger that verifies, and meter-sim was stopped by it.
run report verify
is "$rc" 0 "the tour's database passes report verify"
done_testing
