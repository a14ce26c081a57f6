#!/bin/sh
# poll-due.t: meter-read --due polls only when no poll of every meter has
# started in the current poll_minutes slot, the slots counted from local
# midnight (15: :00 :15 :30 :45; 30 when the site sets none); otherwise it
# exits 0 at once and writes nothing.  And CSV appended to a file that has
# rows already gets no second header.
. "$(dirname "$0")/lib.sh"

P=$(port_base)
site() {
	cat >site.yaml <<EOF
site: 定时
defaults:
  price: 0.5380
$1
buildings:
  - name: 1号楼
    gateways:
      - name: gw1
        address: tcp://127.0.0.1:$P
        timeout_ms: 300
        retries: 1
        meters:
          - {meter: "0101000001", unit: 1, floor: 1, room: "101", profile: sdm120}
          - {meter: "0101000002", unit: 2, floor: 1, room: "102", profile: dds238-2}
EOF
	site-load site.yaml >/dev/null || echo "Bail out! site-load"
}
site "  poll_minutes: 15"
start_sim site.yaml --seed 3

polls() { sql "SELECT count(*) FROM polls"; }
audits() { sql "SELECT count(*) FROM audit"; }

# due AT WANT NAME: meter-read --due at local time AT polls (1) or not (0).
due() {
	_before=$(polls)
	_audit=$(audits)
	PREPAY_NOW="$1" run meter-read --due -o csv
	is "$rc" 0 "$3: exit 0"
	is "$(($(polls) - _before))" "$2" "$3: $([ "$2" = 1 ] &&
	    echo polled || echo not polled)"
	if [ "$2" = 0 ]; then
		is "$(wc -c <"$T/out")$(wc -c <"$T/err")" 00 \
		    "$3: says nothing"
		is "$(audits)" "$_audit" "$3: writes no audit entry"
	else
		is "$(nrows "$T/out")" 2 "$3: both meters' rows"
	fi
}

# --- 15 minutes: slots at :00 :15 :30 :45 -----------------------------------
due "2026-03-02 10:02:00" 1 "15 min, 10:02, the first poll"
due "2026-03-02 10:07:00" 0 "15 min, 10:07, same slot"
due "2026-03-02 10:14:59" 0 "15 min, 10:14:59, same slot"
due "2026-03-02 10:15:00" 1 "15 min, 10:15, a new slot"
due "2026-03-02 10:29:00" 0 "15 min, 10:29"
due "2026-03-02 10:47:00" 1 "15 min, 10:47, a poll missed at :30 is made"
# across midnight: 23:45 is the day's last slot, 00:00 the next day's first
due "2026-03-02 23:50:00" 1 "15 min, 23:50"
due "2026-03-02 23:59:59" 0 "15 min, 23:59:59, same slot"
due "2026-03-03 00:00:00" 1 "15 min, 00:00 the next day, a new slot"
due "2026-03-03 00:10:00" 0 "15 min, 00:10"

# A poll of some meters is not the poll of all.
PREPAY_NOW="2026-03-03 00:31:00" meter-read -g gw1 >/dev/null 2>&1
due "2026-03-03 00:32:00" 1 "after a poll of one gateway, the full poll is due"

# --- 30 minutes, from the site file, without touching the schedule --------
site "  poll_minutes: 30"
due "2026-03-03 00:40:00" 0 "30 min, 00:40, the 00:30 slot was polled"
due "2026-03-03 01:00:00" 1 "30 min, 01:00"
due "2026-03-03 01:15:00" 0 "30 min, 01:15, no slot at :15"
due "2026-03-03 01:29:59" 0 "30 min, 01:29:59"
due "2026-03-03 01:30:00" 1 "30 min, 01:30"
due "2026-03-03 23:58:00" 1 "30 min, 23:58"
due "2026-03-04 00:05:00" 1 "30 min, 00:05 next day, across midnight"
due "2026-03-04 00:25:00" 0 "30 min, 00:25"

# A site that sets none polls every 30 minutes.
sql "DELETE FROM settings WHERE key = 'poll_minutes'"
due "2026-03-04 00:29:00" 0 "no poll_minutes, 00:29: 30 minutes"
due "2026-03-04 00:30:00" 1 "no poll_minutes, 00:30"

# --due polls only all meters.
exits 64 "--due with -g is a usage error" meter-read --due -g gw1
exits 64 "--due with --import is a usage error" meter-read --due --import -

# --- CSV appended to a file: one header ------------------------------------
rm -f poll.csv
PREPAY_NOW="2026-03-04 01:00:00" meter-read -o csv >>poll.csv 2>/dev/null
PREPAY_NOW="2026-03-04 01:30:00" meter-read -o csv >>poll.csv 2>/dev/null
is "$(grep -c '^time,meter,' poll.csv)" 1 "two runs >> poll.csv: one header"
is "$(nrows poll.csv)" 4 "and both runs' rows"
PREPAY_NOW="2026-03-04 02:00:00" meter-read -o tsv >>poll.tsv 2>/dev/null
PREPAY_NOW="2026-03-04 02:30:00" meter-read -o tsv >>poll.tsv 2>/dev/null
is "$(grep -c '^time	meter' poll.tsv)" 1 "the same for TSV"
# A file written afresh (>) keeps its header, even when it had rows.
PREPAY_NOW="2026-03-04 03:00:00" meter-read -o csv >poll.csv 2>/dev/null
is "$(head -n 1 poll.csv | cut -d, -f1,2)" "time,meter" \
    "> poll.csv: the header"
# An empty file appended to gets the header.
: >empty.csv
PREPAY_NOW="2026-03-04 03:30:00" meter-read -o csv >>empty.csv 2>/dev/null
is "$(head -n 1 empty.csv | cut -d, -f1,2)" "time,meter" \
    ">> an empty file: the header"

stop_sim
done_testing
