# prepay: see README.md.  A plain Makefile: `make`, `make check`, `make demo`,
# `make install PREFIX=... DESTDIR=...`, `make clean`.

PREFIX	?= /usr/local
BINDIR	 = $(PREFIX)/bin
MANDIR	 = $(PREFIX)/share/man
DATADIR	 = $(PREFIX)/share/prepay
# The tools that open the database run setgid to this group (prepay(7)),
# and the database lives in STATEDIR, a directory of the group.
PREPAY_GROUP ?= prepay
STATEDIR ?= /var/lib/prepay
# The units and the crontab run the jobs as this login, of that group,
# and log into LOGDIR.  The units go where systemd looks for a PREFIX's
# (/usr/local/lib/systemd/system); the crontab and the logrotate file are
# examples under DATADIR, for the administrator to put into /etc.
PREPAY_USER ?= prepay
LOGDIR	?= /var/log/prepay
UNITDIR	 = $(PREFIX)/lib/systemd/system
LIBEXECDIR = $(PREFIX)/libexec/prepay
SYSTEMD_UNITS = prepay-poll.service prepay-poll.timer prepay-verify.service \
	   prepay-verify.timer prepay-backup.service prepay-backup.timer \
	   prepay-web.service prepay-poller.service
# The templates get the install's own paths.  StateDirectory= and
# LogsDirectory= name directories under /var/lib and /var/log; for a
# STATEDIR or LOGDIR elsewhere the line and its mode go, and the
# directory is the administrator's to make.
SUBST	 = sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@DATADIR@|$(DATADIR)|g' \
	   -e 's|@LIBEXECDIR@|$(LIBEXECDIR)|g' -e 's|@STATEDIR@|$(STATEDIR)|g' \
	   -e 's|@LOGDIR@|$(LOGDIR)|g' -e 's|@USER@|$(PREPAY_USER)|g' \
	   -e 's|@GROUP@|$(PREPAY_GROUP)|g' \
	   -e 's|@STATEDIR_NAME@|$(STATEDIR:/var/lib/%=%)|g' \
	   -e 's|@LOGDIR_NAME@|$(LOGDIR:/var/log/%=%)|g' \
	   -e '/^StateDirectory=\//{N;d;}' -e '/^LogsDirectory=\//{N;d;}'

# B is the build directory; `make check` also builds one with sanitizers.
B	?= build
SAN	?=

PKGS	 = sqlite3 libpq libmodbus yaml-0.1 libcrypto xlsxwriter jansson libmicrohttpd libcurl
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

CFLAGS	?= -O2 -g
ALL_CFLAGS = -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE \
	     -DPP_DATADIR='"$(DATADIR)"' -DPP_STATEDIR='"$(STATEDIR)"' \
	     $(PKG_CFLAGS) $(CFLAGS)
LDLIBS	 = $(PKG_LIBS) -lcsv -lm -lpthread
ifneq ($(SAN),)
ALL_CFLAGS += -fsanitize=address,undefined -fno-sanitize-recover=all \
	      -fno-omit-frame-pointer
LDFLAGS += -fsanitize=address,undefined
endif

TOOLS	 = site-load acct-open acct-close sale refund reverse report meter-read meter-ctl meter-swap meter-sim alarm-scan db-backup pay-order pay-statement acct-unbind prepay-migrate
# Servers: not setgid (a unit runs them with the group).
DAEMONS	 = prepay-web
LIBSRC	 = $(wildcard lib/*.c)
# The PostgreSQL engine's schema history is lib/pg/*.sql, made a C file.
PGSQL	 = $(sort $(wildcard lib/pg/*.sql))
LIBOBJ	 = $(LIBSRC:%.c=$(B)/%.o) $(B)/lib/pgschema.o
# Every object of the library depends on every header of it: a list kept by
# hand missed store.h and the reports' header for some files.
LIBHDR	 = $(wildcard lib/*.h)
# The simulator is a library of its own, linked into meter-sim alone.
SIMSRC	 = $(wildcard sim/*.c)
SIMOBJ	 = $(SIMSRC:%.c=$(B)/%.o)
SIMHDR	 = $(wildcard sim/*.h)
UNITSRC	 = $(wildcard tests/unit/*.c)
UNITS	 = $(UNITSRC:%.c=$(B)/%)
BINS	 = $(TOOLS:%=$(B)/bin/%) $(DAEMONS:%=$(B)/bin/%)
MAN1	 = $(TOOLS:%=man/%.1) $(DAEMONS:%=man/%.1)
MAN57	 = man/prepay.yaml.5 man/prepay-columns.5 man/prepay-profile.5 \
	   man/prepay.7

.PHONY: all check check-hours check-month check-pg check-pg-engine check-pg-cli test \
	demo deps install \
	uninstall clean \
	lint fuzz fuzzers layers

all: $(BINS) $(UNITS) $(B)/share/prepay/profiles

# The tools find their profiles in share/prepay/profiles beside their own
# bin (prepay-profile(5)), so the built ones need no PREPAY_PROFILES either.
$(B)/share/prepay/profiles:
	@mkdir -p $(@D)
	ln -sfn $(CURDIR)/lib/profiles $@

$(B)/lib/%.o: lib/%.c $(LIBHDR)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/lib/pgschema.c: $(PGSQL) scripts/sql2c
	@mkdir -p $(@D)
	scripts/sql2c $(PGSQL) >$@.tmp && mv $@.tmp $@

$(B)/lib/pgschema.o: $(B)/lib/pgschema.c
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The unit test of the charts uses the resident's pages' headers.
$(B)/tests/unit/chart: lib/html.h lib/web.h

# Made anew, so that a file moved or deleted leaves no object behind.
$(B)/libprepay.a: $(LIBOBJ)
	rm -f $@
	$(AR) rcs $@ $(LIBOBJ)

$(B)/sim/%.o: sim/%.c $(SIMHDR) $(LIBHDR)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Ilib -c -o $@ $<

$(B)/libppsim.a: $(SIMOBJ)
	rm -f $@
	$(AR) rcs $@ $(SIMOBJ)

$(B)/cmd/%.o: cmd/%.c cmd/common.h lib/prepay.h sim/ppsim.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Ilib -Isim -c -o $@ $<

$(B)/bin/%: $(B)/cmd/%.o $(B)/cmd/common.o $(B)/libprepay.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(B)/cmd/common.o $(B)/libprepay.a $(LDLIBS)

$(B)/bin/meter-sim: $(B)/cmd/meter-sim.o $(B)/cmd/common.o $(B)/libppsim.a \
	    $(B)/libprepay.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(B)/cmd/common.o $(B)/libppsim.a \
	    $(B)/libprepay.a $(LDLIBS)

$(B)/tests/unit/%: tests/unit/%.c tests/unit/tap.h lib/dlt645.h $(B)/libprepay.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Ilib $(LDFLAGS) -o $@ $< $(B)/libprepay.a $(LDLIBS)

# Every parser that an operator or a file reaches has a libFuzzer target,
# tests/fuzz/NAME.c.  They link against the library built with clang for
# fuzzing in a directory of its own, B=build-fuzz FUZZ=1, by the rules
# above; `make fuzz` builds them all, or says why not.
FUZZCC	?= clang
FUZZB	 = build-fuzz
FUZZSRC	 = $(wildcard tests/fuzz/*.c)
FUZZERS	 = $(FUZZSRC:%.c=$(B)/%)
# FUZZ=1: clang's libFuzzer, ASan and UBSan.  clang finds the schema's
# migrations, one string of several statements each, "suspicious".
ifneq ($(FUZZ),)
ALL_CFLAGS += -fsanitize=fuzzer-no-link,address,undefined \
	      -fno-sanitize-recover=all -fno-omit-frame-pointer \
	      -Wno-string-concatenation
LDFLAGS += -fsanitize=fuzzer,address,undefined
endif

$(B)/tests/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz.h lib/dlt645.h \
	    $(B)/libprepay.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Ilib $(LDFLAGS) -o $@ $< $(B)/libprepay.a $(LDLIBS)

fuzzers: $(FUZZERS)

fuzz:
	@if command -v $(FUZZCC) >/dev/null 2>&1; then \
	    $(MAKE) B=$(FUZZB) FUZZ=1 CC=$(FUZZCC) CFLAGS='-g -O1' fuzzers; \
	else echo "no $(FUZZCC): fuzzing skipped"; fi

deps:
	scripts/install-deps

# The suite runs once on the sanitized build (ASan, UBSan), which is the
# stricter of the two, after both builds are made.
check: deps
	$(MAKE) all
	$(MAKE) B=build-san SAN=1 all
	$(MAKE) fuzz
	$(MAKE) lint
	$(MAKE) layers
	PREPAY_FUZZDIR=$(CURDIR)/$(FUZZB)/tests/fuzz \
	PREPAY_BIN=$(CURDIR)/build-san/bin PREPAY_PROFILES=$(CURDIR)/lib/profiles \
	    ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	    prove -e '' $(UNITSRC:%.c=build-san/%) tests/cli/*.t

# The time-sensitive suites at three Shanghai hours (faketime) and under a
# CPU load; run after `make check`, which builds both.
check-hours:
	tests/hours

# An office's month on a 500-meter campus, from `make install` and the
# shipped schedules (tests/month/month.t); run after `make check`, as root.
check-month:
	PREPAY_BIN=$(CURDIR)/build/bin PREPAY_PROFILES=$(CURDIR)/lib/profiles \
	    prove -v -e '' tests/month/month.t

# The PostgreSQL suite: each tests/pg/*.t starts its own throwaway
# clusters (scripts/pg-cluster) on sockets in its own directory, and
# stops and removes them however it ends; then the whole CLI suite with
# each test's database on a cluster of its own (PREPAY_TEST_PG,
# tests/cli/lib.sh), the same tests through the URI.
check-pg: all check-pg-engine check-pg-cli

check-pg-engine:
	PREPAY_BIN=$(CURDIR)/$(B)/bin PREPAY_PROFILES=$(CURDIR)/lib/profiles \
	    prove -e '' tests/pg/*.t

check-pg-cli: all
	PREPAY_TEST_PG=1 PREPAY_BIN=$(CURDIR)/$(B)/bin \
	    PREPAY_PROFILES=$(CURDIR)/lib/profiles prove -e '' tests/cli/*.t

test: all
	PREPAY_BIN=$(CURDIR)/$(B)/bin PREPAY_PROFILES=$(CURDIR)/lib/profiles \
	    prove -e '' $(UNITS) tests/cli/*.t

# Each file of the library uses only the layers below it, and no two files
# use each other: checked on the objects' symbols (doc/design.md, "Layers").
layers: all
	scripts/layers $(B)

lint:
	@for m in $(MAN1) $(MAN57); do \
	    out=$$(mandoc -Tlint -Wwarning $$m 2>&1); \
	    if [ -n "$$out" ]; then echo "$$out"; exit 1; fi; \
	done; echo "mandoc -Tlint: clean"

demo: deps
	$(MAKE) all
	scripts/demo $(CURDIR)/$(B)/bin

install: $(BINS)
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7 \
	    $(DESTDIR)$(DATADIR)/examples $(DESTDIR)$(DATADIR)/profiles \
	    $(DESTDIR)$(UNITDIR) $(DESTDIR)$(LIBEXECDIR)
	for b in $(BINS); do \
	    install -m 0755 $$b $(DESTDIR)$(BINDIR)/ || exit 1; \
	done
	cp $(MAN1) $(DESTDIR)$(MANDIR)/man1/
	cp man/*.5 $(DESTDIR)$(MANDIR)/man5/
	cp man/*.7 $(DESTDIR)$(MANDIR)/man7/
	cp scripts/example-site.yaml scripts/campus-site.yaml scripts/demo \
	    scripts/receipt.tmpl scripts/notify-gammu scripts/notify-http \
	    tests/cli/payplatform.py \
	    $(DESTDIR)$(DATADIR)/examples/
	for u in $(SYSTEMD_UNITS); do \
	    $(SUBST) scripts/$$u.in >$(DESTDIR)$(UNITDIR)/$$u || exit 1; \
	done
	$(SUBST) scripts/prepay.crontab.in \
	    >$(DESTDIR)$(DATADIR)/examples/prepay.crontab
	$(SUBST) scripts/prepay.logrotate.in \
	    >$(DESTDIR)$(DATADIR)/examples/prepay.logrotate
	$(SUBST) scripts/nightly-verify.in >$(DESTDIR)$(LIBEXECDIR)/nightly-verify
	chmod 0755 $(DESTDIR)$(LIBEXECDIR)/nightly-verify
	cp lib/profiles/*.yaml $(DESTDIR)$(DATADIR)/profiles/
	@if [ "$$(id -u)" = 0 ]; then \
	    getent group $(PREPAY_GROUP) >/dev/null || \
		groupadd --system $(PREPAY_GROUP) || exit 1; \
	    for t in $(filter-out meter-sim,$(TOOLS)); do \
		chgrp $(PREPAY_GROUP) $(DESTDIR)$(BINDIR)/$$t && \
		chmod 2755 $(DESTDIR)$(BINDIR)/$$t || exit 1; \
	    done; \
	    install -d -m 2770 -g $(PREPAY_GROUP) $(DESTDIR)$(STATEDIR) || \
		exit 1; \
	    echo "the tools are setgid $(PREPAY_GROUP);" \
		"the database goes in $(STATEDIR): see prepay(7)"; \
	else \
	    echo "not root: the tools are installed without setgid" \
		"$(PREPAY_GROUP), so the roles are not enforced: see prepay(7)"; \
	fi

uninstall:
	rm -f $(TOOLS:%=$(DESTDIR)$(BINDIR)/%) \
	    $(DAEMONS:%=$(DESTDIR)$(BINDIR)/%) \
	    $(TOOLS:%=$(DESTDIR)$(MANDIR)/man1/%.1) \
	    $(DAEMONS:%=$(DESTDIR)$(MANDIR)/man1/%.1) \
	    $(DESTDIR)$(MANDIR)/man5/prepay.yaml.5 \
	    $(DESTDIR)$(MANDIR)/man5/prepay-columns.5 \
	    $(DESTDIR)$(MANDIR)/man5/prepay-profile.5 \
	    $(DESTDIR)$(MANDIR)/man7/prepay.7 \
	    $(SYSTEMD_UNITS:%=$(DESTDIR)$(UNITDIR)/%)
	rm -rf $(DESTDIR)$(DATADIR) $(DESTDIR)$(LIBEXECDIR)

clean:
	rm -rf build build-san build-fuzz

.SECONDARY:
