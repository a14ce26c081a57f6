#!/bin/sh
# pollers.t: a site polled from several hosts (prepay.yaml(5) poller:;
# meter-read --poller).  Each host polls the gateways named for it and
# those named for none; asking for another's gateway, or polling as a host
# the site has no gateway for, is an error that says so; each host's --due
# schedule is its own.  The hosts are one machine here, told apart by
# --poller: the database is shared all the same.
. "$(dirname "$0")/lib.sh"
export PREPAY_NOW="2026-11-20 10:00:00"

P=$(port_base)
host=$(hostname)
site() {	# POLLER-OF-GW3 (none: no poller line)
	cat >site.yaml <<EOF2
site: 多机
defaults:
  price: 0.5380
  overload_w: 1000000
buildings:
  - name: B1
    gateways:
      - name: gw1
        address: tcp://127.0.0.1:$P
        timeout_ms: 200
        poller: north
        meters:
          - {meter: "0101000001", unit: 1, profile: sdm120}
      - name: gw2
        address: tcp://127.0.0.1:$((P + 1))
        timeout_ms: 200
        poller: south
        meters:
          - {meter: "0101000002", unit: 1, profile: sdm120}
      - name: gw3
        address: tcp://127.0.0.1:$((P + 2))
        timeout_ms: 200
$([ "$1" = none ] || echo "        poller: $1")
        meters:
          - {meter: "0101000003", unit: 1, profile: sdm120}
EOF2
}
site none
exits 0 "a site whose gateways name their pollers" site-load site.yaml
is "$(sql "SELECT name || '=' || coalesce(poller, '-') FROM gateways ORDER BY name" |
    tr '\n' ' ')" "gw1=north gw2=south gw3=- " "each gateway's poller stored, gw3's none"
start_sim site.yaml

meters() {
	col "$T/out" meter | tr '\n' ' '
}
exits 0 "meter-read --poller north" meter-read --poller north -o csv
is "$(meters)" "0101000001 0101000003 " "north polls gw1, and gw3, which names no poller"
exits 0 "meter-read --poller south" meter-read --poller south -o csv
is "$(meters)" "0101000002 0101000003 " "south polls gw2 and gw3"
is "$(sql "SELECT count(*) FROM readings")" 4 "four readings stored"

exits 65 "north asks for south's gateway" meter-read --poller north -g gw2 -o csv
is "$(cat "$T/err")" "meter-read: gateway gw2: polled by another host (its poller:), not north; give --poller" \
    "... which names the gateway and the poller"
exits 0 "-g of its own gateway" meter-read --poller north -g gw1 -o csv
is "$(meters)" "0101000001 " "... polls that one"

# By default, the poller is the host's name.
exits 0 "as this host, whose name no gateway gives" meter-read -o csv
is "$(meters)" "0101000003 " "this host ($host) polls only the gateway named for none"
site "$host"
exits 0 "gw3 named for this host" site-load site.yaml
exits 0 "meter-read without --poller" meter-read -o csv
is "$(meters)" "0101000003 " "this host polls gw3 by its name"
exits 65 "a host the site has no gateway for" meter-read --poller west -o csv
is "$(cat "$T/err")" "meter-read: poller west: the site names no gateway for it (poller:); give --poller" \
    "... says so, in one line"
is "$(sql "SELECT count(*) FROM readings")" 7 "nothing stored by the refused polls"
exits 64 "a poller name that is no name" meter-read --poller "a b" -o csv
like "$T/err" "^meter-read: --poller \"a b\": use letters" "... says what a name is"

# --due: each poller's schedule is its own.  The polls above were of all
# their poller's meters: recorded, and by now the next slot has come.
is "$(sql "SELECT group_concat(poller, ' ') FROM (SELECT poller FROM polls ORDER BY
    id) p")" "north south $host $host" "each recorded poll of all its meters names its poller"
export PREPAY_NOW="2026-11-20 11:00:00"
exits 0 "north's poll is due" meter-read --poller north --due -o csv
is "$(meters)" "0101000001 " "north polled, gw3 being this host's now"
exits 0 "north again in the same slot" meter-read --poller north --due -o csv
is "$(wc -l <"$T/out")" 0 "not due: nothing polled"
exits 0 "south is still due" meter-read --poller south --due -o csv
is "$(meters)" "0101000002 " "south polled"
exits 0 "this host is due too" meter-read --due -o csv
is "$(meters)" "0101000003 " "this host polled gw3"
stop_sim

# A gateway's poller changed and removed by site-load.
site south
exits 0 "gw3 moved to south" site-load site.yaml
is "$(sql "SELECT poller FROM gateways WHERE name = 'gw3'")" south "gw3 is south's"
site none
exits 0 "gw3's poller removed" site-load site.yaml
is "$(sql "SELECT coalesce(poller, '-') FROM gateways WHERE name = 'gw3'")" - \
    "gw3 is any host's again"
sed -i 's/poller: north/poller: "no rth"/' site.yaml
exits 78 "a poller that is no name" site-load site.yaml
like "$T/err" 'poller' "... is refused, naming the key"

done_testing
