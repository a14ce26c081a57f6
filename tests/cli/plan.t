#!/bin/sh
# plan.t: the Modbus read plans of prepay-profile(5)'s cost model, seen
# through report plans: the shipped profiles at 9600 baud, prepay-1p read
# around its reserved registers, max_gap as a cap, a slow turnaround that
# makes reading through pay; polls against meter-sim, which refuses reads
# across reserved registers as a meter does; the site's bad baud and
# turnaround_ms, and a profile whose value lies in its unreadable range.
. "$(dirname "$0")/lib.sh"

need mbpoll

P=$(port_base)

# The tools' profiles: the shipped ones and two of our own.  capped is
# the dds238-2 with a cap of 4 registers read through; loose is the
# prepay-1p of one who does not know its reserved registers.
mkdir profiles simprofiles
cp "$top"/lib/profiles/*.yaml profiles/
sed -e 's/^profile: dds238-2$/profile: capped/' \
    -e 's/^word_order: high-first$/&\nmax_gap: 4/' \
    "$top/lib/profiles/dds238-2.yaml" >profiles/capped.yaml
sed -e 's/^profile: prepay-1p$/profile: loose/' \
    -e '/^unreadable:$/,/^  - {fc: 3, from: 0x0012/d' \
    "$top/lib/profiles/prepay-1p.yaml" >profiles/loose.yaml
# meter-sim's: the meter behind loose is a prepay-1p, reserved registers
# and all.
cp profiles/*.yaml simprofiles/
sed 's/^profile: prepay-1p$/profile: loose/' \
    "$top/lib/profiles/prepay-1p.yaml" >simprofiles/loose.yaml
PREPAY_PROFILES=$T/profiles

cat >site.yaml <<EOF
site: plans
defaults:
  price: 0.5380
  overload_w: 1000000
buildings:
  - name: B1
    gateways:
      - name: gw1
        address: tcp://127.0.0.1:$P
        timeout_ms: 500
        retries: 0
        meters:
          - {meter: "0101000001", unit: 1, room: "101", profile: sdm120}
          - {meter: "0101000002", unit: 2, room: "102", profile: prepay-1p, billing: meter}
          - {meter: "0101000003", unit: 3, room: "103", profile: dds238-2}
          - {meter: "0101000004", unit: 4, room: "104", profile: capped}
      - name: gw2
        address: tcp://127.0.0.1:$((P + 1))
        baud: 9600
        turnaround_ms: 20
        timeout_ms: 500
        retries: 0
        meters:
          - {meter: "0102000001", unit: 1, room: "201", profile: sdm120}
          - {meter: "0102000002", unit: 2, room: "202", profile: prepay-1p, billing: meter}
          - {meter: "0102000003", unit: 3, room: "203", profile: loose, billing: meter}
      - name: gw3
        address: tcp://127.0.0.1:$((P + 2))
        baud: 2400
        timeout_ms: 500
        retries: 0
        meters:
          - {meter: "0103000001", unit: 1, room: "301", profile: sdm120}
      - name: gw4
        address: tcp://127.0.0.1:$((P + 3))
        timeout_ms: 500
        retries: 0
        meters:
          - {meter: "002241020208", room: "401", profile: dlt645-1p}
EOF

exits 0 "site-load takes baud and turnaround_ms" site-load site.yaml
is "$(sql "SELECT name || ':' || baud || ':' || turnaround_ms FROM gateways ORDER BY name" | tr '\n' ' ')" \
    "gw1:0:1 gw2:9600:20 gw3:2400:1 gw4:0:1 " \
    "the gateways keep their baud (0: the default) and turnaround (default 1 ms)"

exits 0 "report plans" report plans -o csv
is "$(head -n 1 "$T/out")" "gateway,profile,class,fc,register,registers,values,bus_ms" \
    "report plans: the columns"

# plan GATEWAY PROFILE [CLASS]: the plan's rows (of every value, or of
# CLASS) as "register×registers" and its summed bus time, from the last
# report plans.
plan() {
	$PY - "$T/out" "$1" "$2" "${3:-all}" <<'EOF'
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8"))
        if r["gateway"] == sys.argv[2] and r["profile"] == sys.argv[3] and
        r["class"] == sys.argv[4]]
us = sum(round(float(r["bus_ms"]) * 1000) for r in rows)
print(" ".join("%sx%s" % (r["register"], r["registers"]) for r in rows),
      "= %.3f ms" % (us / 1000))
EOF
}

# --- the shipped profiles at 9600 baud, 1 ms ------------------------------------

is "$(plan gw1 sdm120)" "0x0000x14 0x001Ex2 0x0046x4 0x0156x2 = 146.083 ms" \
    "sdm120 at 9600 baud: 0x00-0x0D, 0x1E, 0x46-0x49, 0x156 in 146.083 ms (222.0 ms with max_gap 80)"
like "$T/out" '^gw1,sdm120,all,4,0x0046,4,freq_hz import_kwh,33\.083$' \
    "a request's row: fc, register, registers, the values it carries, its bus time"
is "$(plan gw1 prepay-1p)" "0x0000x18 0x0020x9 = 109.709 ms" \
    "prepay-1p: two reads around its reserved 0x0012-0x001F"
is "$(plan gw1 dds238-2)" "0x0000x27 = 85.792 ms" \
    "dds238-2: its gaps of 10 and 8 registers are cheaper read through"
is "$(plan gw1 capped)" "0x0000x2 0x000Cx6 0x001Ax1 = 92.375 ms" \
    "max_gap 4 caps the read-through: three reads, each value's own"
is "$(plan gw1 sdm120 fast)" "0x000Cx2 0x0048x2 0x0156x2 = 85.500 ms" \
    "the sdm120's fast class, which most polls read: power, import and energy, three reads"
is "$(plan gw1 dds238-2 fast)" "0x0000x2 0x000Ex1 0x001Ax1 = 80.916 ms" \
    "dds238-2's: three short reads beat reading 27 registers through"
is "$(grep -c '^gw1,prepay-1p,fast,' "$T/out")" 1 "prepay-1p's fast class is one read"

# --- other timing, other plans ----------------------------------------------------

is "$(plan gw2 sdm120)" "0x0000x32 0x0046x4 0x0156x2 = 215.833 ms" \
    "a 20 ms turnaround: reading 0x0E-0x1D through pays, the sdm120 takes 3 reads"
is "$(plan gw2 loose)" "0x0000x41 = 136.875 ms" \
    "a 20 ms turnaround: a profile without the reserved range reads across it"
is "$(plan gw2 prepay-1p)" "0x0000x18 0x0020x9 = 147.709 ms" \
    "... and prepay-1p, which lists it, never does"
is "$(plan gw3 sdm120)" "0x0000x14 0x001Ex2 0x0046x4 0x0156x2 = 572.333 ms" \
    "2400 baud: the same reads, four times the bus time"
unlike "$T/out" '^gw4,' "a DL/T 645 gateway, read a data identifier a frame, has no plan"

# A serial gateway's baud is its address's: its plan is made for 19200.
sed -e "s|tcp://127.0.0.1:$((P + 2))\$|\"serial:/dev/null?baud=19200\"|" \
    -e '/^        baud: 2400$/d' site.yaml >serial.yaml
exits 0 "site-load: gw3 on a serial port at 19200 baud" site-load serial.yaml
run report plans -o csv
is "$(plan gw3 sdm120)" "0x0000x14 0x001Ex2 0x0046x4 0x0156x2 = 75.042 ms" \
    "a serial gateway's plan is made for its address's baud"
exits 0 "site-load: back to the site" site-load site.yaml

# --- polls against meter-sim at the same timing ---------------------------------

run report plans -o csv
cp "$T/out" plans.csv
PREPAY_PROFILES=$T/simprofiles start_sim site.yaml --seed 3 --credit 50 --log "$T/sim.log"
exits 0 "meter-read polls" meter-read -o csv
like "$T/err" '^meter-read: 1 of 9 meters did not answer$' "meter-read: one meter fails"
is "$(col "$T/out" state)" "ok ok ok ok ok ok error ok ok" \
    "every meter but the one of the loose profile reads ok"
is "$(f 2 meter balance)" "0101000002|50.00" \
    "prepay-1p's two reads around the reserved registers give its balance"
like "$T/out" '^[^,]*,0102000003,gw2,error,.*read fc 3 0x0000-0x0028: Illegal data address$' \
    "a read across the reserved registers gets the meter's exception, named with the read"
# The second poll reads the fast class: what the sdm120 on gw1 is asked is
# its fast plan, request for request.
cp "$T/out" poll1.csv
: >"$T/sim.log"
meter-read -o csv >/dev/null 2>&1
is "$(grep '^gw1 0101000001 ' "$T/sim.log" | cut -d' ' -f4- | tr '\n' ' ')" \
    "$(awk -F, '$1 == "gw1" && $2 == "sdm120" && $3 == "fast" { printf "%s %s %s ", $4, $5, $6 }' plans.csv)" \
    "the second poll asks the sdm120 its fast plan"
cp poll1.csv "$T/out"

# The meter itself, asked by another master.
mbpoll_tcp "$P" 2 -r 0x11 -c 2
like "$T/mb" 'Illegal data address' "meter-sim: a read touching 0x0012 gets exception 02"
mbpoll_tcp "$P" 2 -r 0x1F -c 1
like "$T/mb" 'Illegal data address' "meter-sim: ... and one of 0x001F alone"
mbpoll_tcp "$P" 2 -r 0x20 -c 2
is "$(wc -l <"$T/mbv" | tr -d ' ')" 2 "meter-sim: 0x0020, just past the range, reads"
mbpoll_tcp "$P" 3 -r 0 -c 30
is "$(wc -l <"$T/mbv" | tr -d ' ')" 30 \
    "meter-sim: another profile's registers 0x0012-0x001F read as before"
stop_sim

# --- bad keys: one line, exit 78, nothing written ---------------------------------

# bad NAME MESSAGE-REGEX SED-EXPR: site.yaml with SED-EXPR applied is
# refused with MESSAGE, and the database is as it was.
bad() {
	sed -e "$3" site.yaml >bad.yaml
	! cmp -s site.yaml bad.yaml
	ok $? "$1: the test file really is changed"
	db_dump | grep -v '^INSERT INTO audit' >before
	exits 78 "$1" site-load bad.yaml
	like "$T/err" "^site-load: bad\\.yaml:$2" "$1: the message names file:line: key"
	is "$(wc -l <"$T/err" | tr -d ' ')" 1 "$1: one line"
	db_dump | grep -v '^INSERT INTO audit' >after
	cmp -s before after
	ok $? "$1: nothing written"
}

bad "baud: 0" '[0-9]+: baud: .*300\.\.921600' 's/baud: 9600/baud: 0/'
bad "baud: -9600" '[0-9]+: baud: ' 's/baud: 9600/baud: -9600/'
bad "baud: fast" '[0-9]+: baud: ' 's/baud: 9600/baud: fast/'
bad "baud: 1000000" '[0-9]+: baud: .*921600' 's/baud: 9600/baud: 1000000/'
bad "baud: empty" '[0-9]+: baud: ' 's/baud: 9600/baud: ""/'
bad "turnaround_ms: -1" '[0-9]+: turnaround_ms: .*-1' 's/turnaround_ms: 20/turnaround_ms: -1/'
bad "turnaround_ms: 1.5" '[0-9]+: turnaround_ms: ' 's/turnaround_ms: 20/turnaround_ms: 1.5/'
bad "turnaround_ms: 5000" '[0-9]+: turnaround_ms: .*1000' 's/turnaround_ms: 20/turnaround_ms: 5000/'
bad "turnaround_ms twice" '[0-9]+: turnaround_ms' 's/turnaround_ms: 20/&\n        turnaround_ms: 30/'
bad "baud on a serial gateway" '[0-9]+: baud: .*serial.*address' \
    "s|tcp://127.0.0.1:$((P + 1))|serial:/dev/null?baud=9600|"

# A profile whose value lies in registers it calls unreadable.
sed 's/from: 0x0012/from: 0x0011/' "$top/lib/profiles/prepay-1p.yaml" |
    sed 's/^profile: prepay-1p$/profile: overlap/' >profiles/overlap.yaml
sed 's/profile: loose/profile: overlap/' site.yaml >overlap.yaml
exits 78 "site-load: a profile with a value in its unreadable range" site-load overlap.yaml
like "$T/err" 'overlap\.yaml:[0-9]+: unreadable: value status lies in registers the meter refuses to read' \
    "the profile's error names the value"
sed 's/fc: 3, from: 0x0012, to: 0x001F/fc: 3, from: 0x0020, to: 0x001F/' \
    "$top/lib/profiles/prepay-1p.yaml" |
    sed 's/^profile: prepay-1p$/profile: overlap/' >profiles/overlap.yaml
exits 78 "site-load: an unreadable range that ends before it starts" site-load overlap.yaml
like "$T/err" 'overlap\.yaml:[0-9]+: to: .*32\.\.65535' "to must not come before from"

done_testing
