#!/bin/sh
# fuzz: every libFuzzer target of tests/fuzz/ for a few seconds each
# ($PREPAY_FUZZ_SECONDS, default 5), seeded with a copy of its corpus in
# tests/fuzz/corpus/, when $PREPAY_FUZZDIR holds the binaries that `make
# fuzz` builds; a target that is not built is skipped.  A crash, a leak,
# a broken promise or an input that takes 10 s fails.
. "$(dirname "$0")/lib.sh"

secs=${PREPAY_FUZZ_SECONDS:-5}
# The targets' own files go under $T, removed with it.
TMPDIR=$T
export TMPDIR
for src in "$top"/tests/fuzz/*.c; do
	name=$(basename "$src" .c)
	bin=${PREPAY_FUZZDIR:-}/$name
	if [ -z "${PREPAY_FUZZDIR:-}" ] || [ ! -x "$bin" ]; then
		tap_n=$((tap_n + 1))
		echo "ok $tap_n # skip $name: no fuzzer built"
		continue
	fi
	mkdir "$T/$name"
	cp "$top/tests/fuzz/corpus/$name"/* "$T/$name/"
	run "$bin" -max_total_time="$secs" -seed=1 -timeout=10 \
	    -artifact_prefix="$T/$name-" "$T/$name"
	ok "$rc" "$name: $secs s of libFuzzer find nothing"
	if [ "$rc" -ne 0 ]; then
		grep -E 'ERROR|SUMMARY|#[0-9]+ .* in |Test unit' "$T/err" |
		    head -n 30 | sed 's/^/# /'
	fi
	grep -E '^#[0-9]+[[:space:]]+DONE' "$T/err" | sed 's/^/# /'
done
done_testing
