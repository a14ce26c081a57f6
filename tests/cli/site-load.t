#!/bin/sh
# site-load: loading the site file, idempotency, bad files, bulk meter import.
. "$(dirname "$0")/lib.sh"

# dump FILE: the database as SQL, without the audit log (every run,
# failed or not, appends to it).
dump() {
	db_dump | grep -v '^INSERT INTO audit' >"$1"
}

cp "$FIXTURES/site.yaml" site.yaml

# --- a good file --------------------------------------------------------

exits 0 "load the fixture" site-load site.yaml
like "$T/out" '^site\.yaml: 1 buildings, 2 gateways, 3 meters, 2 tariffs, 3 operators; [1-9][0-9]* changes$' \
    "first load: summary line with the counts and some changes"
is "$(wc -l <"$T/out" | tr -d ' ')" 1 "the summary is one line"
is "$(sql "SELECT meter || ':' || unit || ':' || room || ':' || billing FROM meters ORDER BY meter" | tr '\n' ' ')" \
    "0101070722:1:152101:meter 0101070723:2:152102:account 010107072A:1:152201:account " \
    "the three meters are stored with unit, room and billing"
is "$(sql "SELECT value FROM settings WHERE key = 'max_balance'")" 200000 \
    "max_balance 2000.00 is stored as 200000 fen"
is "$(sql "SELECT value FROM settings WHERE key = 'price'")" 5380 \
    "the default price 0.5380 is stored as 5380"

dump d1
exits 0 "load the same file again" site-load site.yaml
like "$T/out" '^site\.yaml: 1 buildings, 2 gateways, 3 meters, 2 tariffs, 3 operators; 0 changes$' \
    "second load: 0 changes"
dump d2
cmp -s d1 d2
ok $? "second load: the database dump is identical"

sed 's/room: "152201"/room: "152299"/' site.yaml >moved.yaml
exits 0 "load a file with one meter's room changed" site-load moved.yaml
like "$T/out" '^moved\.yaml: 1 buildings, 2 gateways, 3 meters, 2 tariffs, 3 operators; 1 changes$' \
    "a changed room is reported as 1 change"
is "$(sql "SELECT room FROM meters WHERE meter = '010107072A'")" 152299 \
    "the meter's room is updated"
exits 0 "load the original file back" site-load site.yaml
like "$T/out" '; 1 changes$' "changing the room back is 1 change"
dump d3
cmp -s d1 d3
ok $? "after loading the original back the dump equals the first load's"

# --- bad files: exit 78, file:line: key, nothing written -----------------

# bad NAME MESSAGE-REGEX SED-EXPR: the fixture with max_sale changed (a
# valid change that must be rolled back too) and SED-EXPR applied.
bad() {
	_bname=$1
	_bmsg=$2
	sed -e 's/max_sale: 5000.00/max_sale: 4000.00/' site.yaml >valid.yaml
	sed -e 's/max_sale: 5000.00/max_sale: 4000.00/' -e "$3" site.yaml >bad.yaml
	! cmp -s valid.yaml bad.yaml
	ok $? "$_bname: the test file really is changed"
	dump before
	exits 78 "$_bname" site-load bad.yaml
	like "$T/err" "^site-load: bad\\.yaml:$_bmsg" \
	    "$_bname: the message names file:line: key"
	is "$(wc -c <"$T/out" | tr -d ' ')" 0 "$_bname: no summary on stdout"
	dump after
	cmp -s before after
	ok $? "$_bname: nothing written"
}

bad "unknown key" '12: colour: .*unknown' 's/^  sms_to:.*/&\n  colour: red/'
bad "bad money alarm1: 12.345" '4: alarm1: .*12\.345' 's/^  alarm1: 20.00 /  alarm1: 12.345/'
bad "bad price 0.53801" '17: price: .*0\.53801' 's/dorm: {price: 0.5380}/dorm: {price: 0.53801}/'
bad "bad price abc" '17: price: .*abc' 's/dorm: {price: 0.5380}/dorm: {price: abc}/'
bad "a meter without a unit" '36: (0101070722: )?unit: ' 's/unit: 1, floor: 1, //'
bad "unit 300" '36: unit: .*300' 's/unit: 1, floor: 1,/unit: 300, floor: 1,/'
bad "a meter listed twice" '37: meter: .*0101070722' 's/"0101070723"/"0101070722"/'
bad "an unknown tariff on a meter" '36: (0101070722: )?tariff.*nosuch' \
    's/tariff: dorm, billing/tariff: nosuch, billing/'
bad "tou windows that leave a gap" '(19|2[0-2]): (zj-home|tou): .*22:00' \
    's/from: "22:00", to: "08:00"/from: "23:00", to: "08:00"/'
bad "tou windows that overlap" '(19|2[0-2]): (zj-home|tou): .*overlap' \
    's/from: "22:00", to: "08:00"/from: "21:00", to: "08:00"/'
bad "a tou window ending at 25:00" '20: to: .*25:00' \
    's/to: "22:00", price: 0.5680/to: "25:00", price: 0.5680/'
bad "a gateway port out of range" '32: address: .*99999' 's#tcp://127.0.0.1:1502#tcp://127.0.0.1:99999#'
bad "a gateway address without a scheme" '32: address: ' 's#tcp://127.0.0.1:1502#127.0.0.1:1502#'
bad "a serial address with a bad parity" '39: address: ' 's#parity=E#parity=X#'
bad "bad no_trip" '10: no_trip: .*25:00' 's/"20:00-08:00"/"25:00-08:00"/'
bad "malformed YAML" '[0-9]+: ' 's/^  alarm2: 5.00/  alarm2: [5.00/'
bad "an unknown role" '13: role: .*janitor' 's/role: cashier/role: janitor/'
bad "a repeated key" '6: alarm2: ' 's/^  alarm2: 5.00/&\n  alarm2: 6.00/'
bad "a unit taken twice on a gateway" '37: (0101070723: )?unit' 's/unit: 2, floor: 1/unit: 1, floor: 1/'
bad "tier steps that do not rise" '(19|2[0-7]): (zj-home|tiers|steps|upto): ' 's/upto: 4800/upto: 2000/'
bad "an unknown billing" '36: (0101070722: )?billing' 's/billing: meter}/billing: wallet}/'

: >empty.yaml
dump before
exits 78 "an empty file" site-load empty.yaml
like "$T/err" '^site-load: empty\.yaml' "empty file: the message names the file"
dump after
cmp -s before after
ok $? "empty file: nothing written"

exits 66 "a missing site file" site-load nosuch.yaml
like "$T/err" '^site-load: nosuch\.yaml' "missing file: the message names the file"

# The settings the bad files tried to change are as the good file left them.
is "$(sql "SELECT value FROM settings WHERE key = 'max_sale'")" 500000 \
    "max_sale is still 5000.00 after every bad file"

# --- bulk meter import --------------------------------------------------

cat >good.csv <<'EOF'
meter,gateway,unit,profile,floor,room,tariff,billing
0101070801,gw1,10,sdm120,3,153101,dorm,account
0101070802,gw1,11,prepay-1p,3,153102,,meter
0101070803,gw2,12,dds238-2,3,153103,zj-home,account
EOF
sed 's/^0101070802,gw1,11,/0101070802,gw1,300,/' good.csv >onebad.csv
meters0=$(sql 'SELECT count(*) FROM meters')
dump before
exits 65 "--meters: one bad row of 3" site-load --meters onebad.csv
like "$T/err" '^site-load: line 3: .*300' "--meters: the bad row is reported with its line number"
unlike "$T/err" 'line [24]:' "--meters: the good rows are not reported"
dump after
cmp -s before after
ok $? "--meters: all or nothing: nothing imported"
is "$(sql 'SELECT count(*) FROM meters')" "$meters0" "--meters: the meter count is unchanged"

cat >twobad.csv <<'EOF'
meter,gateway,unit,profile,room
0101070811,gw1,20,sdm120,154101
0101070812,gw9,21,sdm120,154102
0101070813,gw1,22,sdm120,154103
0101070814,gw1,abc,sdm120,154104
EOF
dump before
exits 65 "--meters: two bad rows of 4" site-load --meters twobad.csv
like "$T/err" '^site-load: line 3: .*gw9' "--meters: line 3 (unknown gateway) is reported"
like "$T/err" '^site-load: line 5: .*abc' "--meters: line 5 (bad unit) is reported"
dump after
cmp -s before after
ok $? "--meters: nothing imported from the list with two bad rows"

exits 65 "--meters --each --rejects: good rows in, bad rows out" \
    site-load --each --rejects r.csv --meters twobad.csv
is "$(sql "SELECT group_concat(meter || ':' || unit || ':' || room, ' ') FROM (SELECT * FROM meters WHERE meter LIKE '01010708%' ORDER BY meter) m")" \
    "0101070811:20:154101 0101070813:22:154103" "--each: the two good rows are imported"
is "$(head -n 1 r.csv)" "meter,gateway,unit,profile,room,error" "rejects: the input header plus error"
is "$(csv_rows r.csv)" 2 "rejects: two rows"
is "$(csv_field r.csv 1 meter),$(csv_field r.csv 1 gateway)" "0101070812,gw9" "rejects: row 1 is the unknown gateway"
like r.csv '^0101070812,.*gw9' "rejects: the error names the gateway"
is "$(csv_field r.csv 2 meter),$(csv_field r.csv 2 unit)" "0101070814,abc" "rejects: row 2 is the bad unit"
[ -n "$(csv_field r.csv 2 error)" ]
ok $? "rejects: the error column is filled"

exits 0 "--meters: a good list" site-load --meters good.csv
is "$(sql "SELECT group_concat(meter || ':' || unit || ':' || room || ':' || billing, ' ') FROM (SELECT * FROM meters WHERE meter IN ('0101070801', '0101070802', '0101070803') ORDER BY meter) m")" \
    "0101070801:10:153101:account 0101070802:11:153102:meter 0101070803:12:153103:account" \
    "--meters: the three meters are imported"

printf 'meter\tgateway\tunit\tprofile\troom\tinstalled_by\n0101070821\tgw2\t5\tdds238-2\t155101\t老陈\n' >in.tsv
exits 0 "--meters - reads TSV from stdin, unknown columns ignored" \
    sh -c 'site-load --meters - <in.tsv'
is "$(sql "SELECT unit || ':' || room FROM meters WHERE meter = '0101070821'")" "5:155101" \
    "--meters -: the TSV meter is imported"

exits 0 "an imported meter can be opened on an account" acct-open -o csv -n 测试 0101070801
is "$(csv_field "$T/out" 1 room)" 153101 "the account shows the imported meter's room"

exits 66 "--meters with a missing list" site-load --meters nosuch.csv

# --- options ------------------------------------------------------------

exits 0 "-h" site-load -h
is "$(head -n 1 "$T/out" | cut -c1-17)" "usage: site-load " "-h prints the usage on stdout"
like "$T/out" '--meters' "the usage shows --meters"
exits 64 "a bad option" site-load --bogus
exits 64 "no operand" site-load
exits 64 "--each without --meters" site-load --each site.yaml
exits 0 "-V" site-load -V
like "$T/out" '^site-load [0-9]+\.[0-9]+' "-V prints the name and version"

exits 0 "report verify at the end" report verify -o csv
is "$(python3 -c 'import csv,sys
r=list(csv.DictReader(open(sys.argv[1])))
print(len(r) > 0 and all(x["result"] == "ok" for x in r))' "$T/out")" True \
    "report verify: every check is ok"

done_testing
