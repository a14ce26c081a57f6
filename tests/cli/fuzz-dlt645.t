#!/bin/sh
# fuzz-dlt645: the DL/T 645 frame parser under libFuzzer for a fixed
# budget, when $PREPAY_FUZZ names the fuzz binary (tests/fuzz/dlt645.c
# built with clang -fsanitize=fuzzer); skipped otherwise.
. "$(dirname "$0")/lib.sh"

if [ -z "${PREPAY_FUZZ:-}" ] || [ ! -f "$PREPAY_FUZZ" ] ||
    [ ! -x "$PREPAY_FUZZ" ]; then
	echo "ok 1 # skip no fuzzer"
	echo "1..1"
	exit 0
fi

# A seed: the standard's worked example, read DI 04000402.
mkdir "$T/corpus"
printf '\376\376\376\376\150\010\002\002\101\042\000\150\021\004\065\067\063\067\052\026' \
    >"$T/corpus/example"
run "$PREPAY_FUZZ" -max_total_time=20 -seed=1 -timeout=10 \
    -artifact_prefix="$T/" "$T/corpus"
ok "$rc" "the frame parser survives 20 s of libFuzzer"
if [ "$rc" -ne 0 ]; then
	tail -n 40 "$T/err" | sed 's/^/# /'
fi
done_testing
