# shellcheck shell=sh
# lib.sh: sourced by every tests/pg/*.t.  It sources tests/cli/lib.sh
# (ok, is, like, exits, run, done_testing; the test's own directory $T,
# where the test runs), and the clusters of tests/pg/cluster.sh.
# shellcheck source=../cli/lib.sh
. "$(dirname "$0")/../cli/lib.sh"
# Once: tests/cli/lib.sh has it already under PREPAY_TEST_PG.
# shellcheck source=cluster.sh
[ -n "${PG_CLUSTER:-}" ] || . "$top/tests/pg/cluster.sh"
