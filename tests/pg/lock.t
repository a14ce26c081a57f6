#!/bin/sh
# lock.t: a bus's lock on PostgreSQL is an advisory lock on the server
# (lib/lock.c), one process's at a time across connections, as the flock
# is on one host; freed when its holder is killed.  The unit test of
# tests/unit/lock.c, given a cluster's URI (make check runs it on a file).
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

pg_start
unit=$PREPAY_BIN/../tests/unit/lock
[ -x "$unit" ] || { echo "Bail out! no $unit: make all first"; exit 1; }
"$unit" "$PREPAY_DB"
