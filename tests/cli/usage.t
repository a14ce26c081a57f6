#!/bin/sh
# Every tool's -h is its man page's SYNOPSIS, token for token, and exits 0.
. "$(dirname "$0")/lib.sh"

need mandoc

for c in "$top"/cmd/*.c; do
	tool=$(basename "$c" .c)
	[ -f "$top/man/$tool.1" ] || continue
	synopsis=$(mandoc -Tascii "$top/man/$tool.1" |
	    $PY -c 'import re, sys; sys.stdout.write(re.sub(".\b", "", sys.stdin.read()))' |
	    sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' | sed '1d;$d' |
	    tr -s ' \t\n' '   ' | sed 's/^ //; s/ $//')
	exits 0 "$tool -h" "$tool" -h
	is "$(sed 's/^usage: //' "$T/out" | tr -s ' \t\n' '   ' |
	    sed 's/^ //; s/ $//')" "$synopsis" "$tool: the usage is the SYNOPSIS"
done

done_testing
