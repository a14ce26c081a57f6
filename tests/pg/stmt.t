#!/bin/sh
# stmt.t: a query's rows on PostgreSQL come as they are stepped, never
# held whole (a million rows, the peak barely grows), another statement
# run among them leaves them readable, and a query failing midway fails
# after its rows (lib/engine-pg.c).  The unit test of tests/unit/stmt.c,
# given a cluster's URI (make check runs it on a file).
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

pg_start
unit=$PREPAY_BIN/../tests/unit/stmt
[ -x "$unit" ] || { echo "Bail out! no $unit: make all first"; exit 1; }
"$unit" "$PREPAY_DB"
