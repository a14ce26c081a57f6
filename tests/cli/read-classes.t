#!/bin/sh
# Value classes and DL/T 645 data blocks: a poll reads the fast class,
# every slow_every-th poll of a meter reads everything; a DL/T 645 meter is
# asked its profile's blocks, and one that refuses them (meter-sim
# --no-blocks) is read by single identifiers and remembered so for 30 days
# or until its profile changes.  meter-sim's --log tells what was asked.
. "$(dirname "$0")/lib.sh"

P=$(port_base)
export PREPAY_NOW=1767225600	# 2026-01-01 08:00 in Shanghai

# The shipped profiles, and a second name for dlt645-1p: a meter changed
# to it is another meter type as far as its refusals go.
mkdir profiles
cp "$PREPAY_PROFILES"/*.yaml profiles/
sed 's/^profile: dlt645-1p$/profile: dlt645-1p-b/' profiles/dlt645-1p.yaml \
    >profiles/dlt645-1p-b.yaml
PREPAY_PROFILES=$T/profiles
export PREPAY_PROFILES

A=330100000001 B=330100000002 W=0101000001 M=0101000002

site() {
	cat <<EOF
site: 分类
operators:
  - {login: pp_super_t, role: supervisor}
defaults:
  price: 0.5380
  overload_w: 100000
  slow_every: $1
buildings:
  - name: 1号楼
    gateways:
      - name: d1
        address: tcp://127.0.0.1:$P
        timeout_ms: 500
        meters:
          - {meter: "$A", floor: 1, room: "101", profile: dlt645-1p}
          - {meter: "$B", floor: 1, room: "102", profile: $2}
      - name: mb
        address: tcp://127.0.0.1:$((P + 1))
        timeout_ms: 500
        meters:
          - {meter: "$W", unit: 1, floor: 2, room: "201", profile: prepay-1p, billing: meter}
          - {meter: "$M", unit: 2, floor: 2, room: "202", profile: sdm120}
EOF
}

# --- slow_every in the site file ----------------------------------------------

for bad in 0 10001 often 2.5; do
	site "$bad" dlt645-1p >bad.yaml
	exits 78 "slow_every: $bad is refused" site-load bad.yaml
	like err "slow_every" "... the message names slow_every"
	[ -e prepay.db ] && is "$(sql "SELECT count(*) FROM meters")" 0 "... and nothing is written"
done
# --- the profile's class and blocks --------------------------------------------

# profile_bad NAME MESSAGE SED: dlt645-1p changed by SED, as profile bad-1p,
# is refused by site-load (exit 78) with MESSAGE.
profile_bad() {
	sed -e 's/^profile: dlt645-1p$/profile: bad-1p/' -e "$3" profiles/dlt645-1p.yaml \
	    >profiles/bad-1p.yaml
	site 3 bad-1p >bad.yaml
	exits 78 "$1" site-load bad.yaml
	like err "$2" "... $2"
	rm profiles/bad-1p.yaml
}
profile_bad "a class other than fast or slow" "class: use fast or slow" \
    's/class: slow}/class: sometimes}/'
profile_bad "a block the standard does not define" "0001FF01 is no data block" \
    's/^blocks: .*/blocks: [0001FF01]/'
profile_bad "a block that is no identifier" "is no data block" \
    's/^blocks: .*/blocks: [energy]/'
profile_bad "blocks that are no list" "blocks: expected a list" \
    's/^blocks: .*/blocks: 0001FF00/'
profile_bad "blocks in a Modbus profile" "blocks" \
    's/^protocol: dlt645$/protocol: modbus\nword_order: high-first/'

site 3 dlt645-1p >site.yaml
exits 0 "slow_every: 3 loads" site-load site.yaml
is "$(sql "SELECT value FROM settings WHERE key = 'slow_every'")" 3 "the setting is stored"

run meter-sim --no-blocks "$W" site.yaml
is "$rc" 65 "meter-sim --no-blocks refuses a Modbus meter (exit 65)"
like err "no-blocks $W: not a DL/T 645 meter" "... saying so"
run meter-sim --no-blocks 999 site.yaml
like err "no-blocks 999: no such meter" "... and a meter not in the site"
start_sim site.yaml --log "$T/sim.log" --no-blocks "$B"

# asked METER: what meter-sim was asked of a meter since the log was
# emptied, a line each, as "read 0001FF00" or "fc 3 0x0000 18".
asked() {
	grep " $1 " "$T/sim.log" | cut -d' ' -f3- | sort | tr '\n' ',' | sed 's/,$//'
}
# sorted LIST: a comma list as asked() gives it.
sorted() {
	echo "$1" | tr ',' '\n' | sort | tr '\n' ',' | sed 's/,$//'
}
# poll [OPTION...]: one poll of every meter, after emptying the log.
poll() {
	: >"$T/sim.log"
	exits 0 "poll $*" meter-read -o csv "$@"
}
# voltage METER: the voltage of the meter's last reading, or NULL.
voltage() {
	sql "SELECT coalesce(CAST(r.voltage_dv AS TEXT), 'NULL') FROM readings r JOIN meters m ON m.id = r.meter_id
	    WHERE m.meter = '$1' ORDER BY r.id DESC LIMIT 1"
}
fast_polls() {
	sql "SELECT fast_polls FROM meter_classes c JOIN meters m ON m.id = c.meter_id WHERE m.meter = '$1'"
}

SINGLE_ENERGY="read 00010000,read 00010100,read 00010200,read 00010300,read 00010400"
SLOW="read 00900201,read 02010100,read 02020100,read 02060000,read 02800002,read 03330201,read 04001001,read 04001002,read 04001004,read 04050101"

# --- poll 1: a meter's first poll reads everything ---------------------------

poll
is "$(col out state)" "ok ok ok ok" "every meter answers"
is "$(asked "$A")" "$(sorted "read 00000000,read 0001FF00,read 02030000,read 00900200,read 04000503,$SLOW")" \
    "meter A: the energy block 0001FF00 instead of five identifiers, and every slow value"
like sim.log "^d1 $B read 0001FF00 error 02\$" "meter B refuses the block (--no-blocks)"
is "$(grep -c " $B read 000100\|$B read 0001[0-9]" sim.log)" 5 "... and is read its five energies singly in the same poll"
is "$(f 2 state)|$(test -n "$(f 2 energy_kwh)" && echo has-energy)" "ok|has-energy" "... its reading is whole"
is "$(sql "SELECT m.meter || ' ' || b.di || ' ' || b.profile || ' ' || b.since FROM meter_blocks b JOIN meters m ON m.id = b.meter_id")" \
    "$B 0001FF00 dlt645-1p $PREPAY_NOW" "the refusal is remembered, for B alone"
is "$(f 1 energy_kwh)" "$(sql "SELECT printf('%.2f', energy_wh / 1000.0) FROM meters WHERE meter = '$A'")" \
    "the block's total is the energy stored"
is "$(sql "SELECT count(*) FROM readings WHERE voltage_dv IS NOT NULL")" 4 "every first reading has its voltage"
like sim.log "^mb $W fc 3 0x0020 " "the prepay-1p meter is asked its thresholds and price (0x0020...)"
like sim.log "^mb $M fc 4 0x0000 " "the sdm120 is asked its voltage (0x0000...)"
is "$(fast_polls "$A") $(fast_polls "$W")" "0 0" "a poll of everything counts 0 fast polls"

# --- polls 2 and 3: the fast class -------------------------------------------

poll
is "$(asked "$A")" "$(sorted "read 00000000,read 0001FF00,read 00900200,read 02030000,read 04000503")" \
    "poll 2, meter A: five exchanges, the fast class with the block"
is "$(asked "$B")" "$(sorted "read 00000000,read 00900200,$SINGLE_ENERGY,read 02030000,read 04000503")" \
    "poll 2, meter B: its block is not asked again, the energies go singly"
unlike sim.log "^mb $W fc 3 0x0020 " "poll 2: no prepay-1p threshold or price"
unlike sim.log "^mb $M fc 4 0x0000 " "poll 2: no sdm120 voltage"
like sim.log "^mb $M fc 4 0x0156 " "poll 2: the sdm120's energy is read"
is "$(voltage "$A")|$(voltage "$W")|$(voltage "$M")" "NULL|NULL|NULL" "a fast reading stores no voltage"
is "$(f 1 voltage_v)|$(test -n "$(f 1 balance)" && echo balance)|$(f 1 relay)" "|balance|closed" \
    "meter-read prints the fast values alone"
is "$(fast_polls "$A") $(fast_polls "$B") $(fast_polls "$W") $(fast_polls "$M")" "1 1 1 1" "each meter counts its fast poll"

poll
is "$(fast_polls "$A")" 2 "poll 3 is fast too"
unlike sim.log "read 02010100" "poll 3 asks no voltage"

# --- poll 4: after slow_every - 1 fast polls, everything ----------------------

poll
like sim.log "^d1 $A read 02010100\$" "poll 4 reads meter A's voltage"
like sim.log "^mb $W fc 3 0x0020 " "poll 4 reads the prepay-1p's thresholds"
is "$(fast_polls "$A")" 0 "... and the count starts again"
[ "$(voltage "$A")" != NULL ]; ok $? "poll 4's reading has the voltage"

# --- a meter polled alone counts alone ----------------------------------------

poll --meter "$A"
poll --meter "$A"
is "$(fast_polls "$A") $(fast_polls "$B")" "2 0" "meter A alone counts two fast polls"
poll --meter "$A"
like sim.log "^d1 $A read 02010100\$" "its third poll reads everything"

# --- --all-values --------------------------------------------------------------

poll --meter "$B"
is "$(fast_polls "$B")" 1 "meter B: one fast poll"
poll --all-values --meter "$B"
like sim.log "^d1 $B read 02010100\$" "--all-values reads the slow class now"
is "$(fast_polls "$B")" 0 "... and counts as a poll of everything"
[ "$(voltage "$B")" != NULL ]; ok $? "... whose reading has the voltage"
exits 64 "--all-values takes no --import" meter-read --all-values --import readings.csv

# --- meter-ctl read reads everything -----------------------------------------

: >"$T/sim.log"
exits 0 "meter-ctl read" meter-ctl -o csv read "$A"
test -n "$(f 1 voltage_v)"; ok $? "meter-ctl read shows the voltage"
like sim.log "^d1 $A read 04050101\$" "... and asked the price"
like sim.log "^d1 $A read 0001FF00\$" "... the energies in their block"
: >"$T/sim.log"
exits 0 "meter-ctl read of the meter that refused the block" meter-ctl -o csv read "$B"
unlike sim.log "0001FF00" "... is not asked it again"
is "$(grep -c " $B read 000100\|$B read 0001[0-9]" sim.log)" 5 "... but its five energies singly"
test -n "$(f 1 energy_kwh)"; ok $? "... and shows its energy"

# --- the refusal is forgotten after 30 days ----------------------------------

PREPAY_NOW=$((PREPAY_NOW + 29 * 86400)) poll --meter "$B"
unlike sim.log "0001FF00" "29 days on, B is not asked the block"
PREPAY_NOW=$((PREPAY_NOW + 31 * 86400)) poll --meter "$B"
like sim.log "^d1 $B read 0001FF00 error 02\$" "31 days on, B is asked the block again"
is "$(sql "SELECT since FROM meter_blocks")" $((PREPAY_NOW + 31 * 86400)) "... and its new refusal is remembered from then"

# --- or when the meter's profile changes -------------------------------------

site 3 dlt645-1p-b >site.yaml
exits 0 "meter B is now a dlt645-1p-b" site-load site.yaml
PREPAY_NOW=$((PREPAY_NOW + 32 * 86400)) poll --meter "$B"
like sim.log "^d1 $B read 0001FF00 error 02\$" "the replaced meter is asked the block at once"
is "$(sql "SELECT profile FROM meter_blocks")" dlt645-1p-b "the refusal is kept under the new profile"

stop_sim
done_testing
