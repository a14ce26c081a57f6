#!/bin/sh
# install.t: `make install PREFIX=...` gives tools that find their own
# profiles and examples, however the build and the install were ordered,
# a missing profile says how to fix it, and `make uninstall` takes every
# file away again.  The install is the suite's own build, into $T.
. "$(dirname "$0")/lib.sh"

case $PREPAY_BIN in
*/build-san/bin) build="B=build-san SAN=1" ;;
*)		 build="B=build" ;;
esac
P=$T/opt/prepay
# shellcheck disable=SC2086
make -s -C "$top" install $build PREFIX="$P" STATEDIR="$T/state" \
    PREPAY_GROUP="$(id -gn)" >"$T/make.out" 2>&1
ok $? "make install PREFIX=$P"
ok "$([ -x "$P/bin/sale" ] && [ -f "$P/share/prepay/profiles/dds238-2.yaml" ] &&
    echo 0 || echo 1)" "the tools and the profiles are in place"
for f in example-site.yaml campus-site.yaml demo receipt.tmpl prepay.crontab; do
	ok "$([ -f "$P/share/prepay/examples/$f" ] && echo 0 || echo 1)" \
	    "examples/$f installed"
done

# The installed tools, with no PREPAY_PROFILES, find the install's own.
(
	unset PREPAY_PROFILES
	cd "$T" && "$P/bin/site-load" -d "$T/i.db" \
	    "$P/share/prepay/examples/example-site.yaml"
) >"$T/out" 2>"$T/err"
ok $? "the installed site-load loads the installed example site"
like "$T/out" 'meters' "and says what it loaded"

# A profile that is not there: the message says how to fix it.
mv "$P/share/prepay/profiles" "$P/share/prepay/profiles.away"
(
	unset PREPAY_PROFILES
	"$P/bin/site-load" -d "$T/j.db" "$P/share/prepay/examples/example-site.yaml"
) >"$T/out" 2>"$T/err"
is "$?" 78 "a missing profile is exit 78"
like "$T/err" 'set PREPAY_PROFILES, or install the profiles' \
    "the message says how to fix it"
mv "$P/share/prepay/profiles.away" "$P/share/prepay/profiles"

# shellcheck disable=SC2086
make -s -C "$top" uninstall $build PREFIX="$P" >"$T/make.out" 2>&1
ok $? "make uninstall"
is "$(find "$P" -type f | wc -l)" 0 "no file of the install is left"

done_testing
