#!/bin/sh
# Holidays are friendly all day: an arrears trip waits for the next
# working day (and then for the end of the no_trip window, if any).
. "$(dirname "$0")/lib.sh"

# The clock is fixed, so that "today" holds however long the run takes,
# across midnight too: 2026-03-10 12:00:00 in Shanghai.
export PREPAY_NOW=1773115200

port=$(($(port_base) + 21))
today=2026-03-10
yesterday=2026-03-09
tomorrow=2026-03-11

# site HOLIDAYS [NO_TRIP]: an empty no_trip clears a stored window.
site() {
	cat >site.yaml <<EOF2
site: holidays
defaults: {alarm1: 20.00, alarm2: 5.00, price: 0.5380, no_trip: "${2:-}"}
holidays: [$1]
buildings:
  - name: B
    gateways:
      - name: g
        address: tcp://127.0.0.1:$port
        meters:
          - {meter: "H1", unit: 1, profile: dds238-2}
EOF2
}

site "\"$today\""
exits 0 "load a site with today as a holiday" site-load site.yaml
is "$(sql "SELECT group_concat(day) FROM holidays")" "$today" "the holiday is stored"
exits 0 "load it again" site-load site.yaml
like "$T/out" '; 0 changes$' "... which changes nothing"
start_sim site.yaml
acct-open -n 甲 H1 >/dev/null
# Money once, given back: at 0.00 it is in arrears (opened with nothing
# and never paid, it would be unfunded; see alarm-scan(1)).
{ sale 100001 5 && refund 100001 5; } >/dev/null || echo "Bail out! sale and refund"

# trip_arrears: the arrears pipeline's input for H1.
trip_arrears() {
	printf 'meter,alarm\nH1,arrears\n' | meter-ctl trip -o csv -
}

run trip_arrears
is "$rc" 75 "on a holiday the arrears trip waits (exit 75)"
is "$(f 1 result)" pending "... its result is pending"
is "$(sql "SELECT not_before FROM commands WHERE action = 'trip'")" \
    "$(date -d "$tomorrow 00:00" +%s)" "... until tomorrow begins"
meter-ctl read -o csv H1 >read.csv
is "$(row read.csv 1 relay)" closed "the meter keeps its power"

# A holiday followed by a no_trip window: the trip waits for both.
site "\"$today\"" "20:00-08:00"
site-load site.yaml >/dev/null
run trip_arrears
is "$(sql "SELECT not_before FROM commands WHERE action = 'trip' AND state = 'pending'")" \
    "$(date -d "$tomorrow 08:00" +%s)" "with no_trip 20:00-08:00, until 08:00 tomorrow"

# The holiday was yesterday: today is a working day.
site "\"$yesterday\""
exits 0 "move the holiday to yesterday" site-load site.yaml
is "$(sql "SELECT group_concat(day) FROM holidays")" "$yesterday" \
    "the file's list replaces the stored one"
run trip_arrears
is "$rc,$(f 1 result)" "0,done" "on a working day the arrears trip is done"
meter-ctl read -o csv H1 >read.csv
is "$(row read.csv 1 relay)" tripped "... and the meter is tripped"

site "\"2026-13-01\""
exits 78 "a date that is no date" site-load site.yaml
like "$T/err" 'site.yaml:[0-9]+: holidays: "2026-13-01": use YYYY-MM-DD' \
    "... names the file, the line and the key"
exits 0 "report verify" report verify -o csv
done_testing
