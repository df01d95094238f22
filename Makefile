# pgpagebench: one binary, tests, demo and benchmarks. See README.md.
# Sources are picked up by folder, so a module adds files without editing this file.

PREFIX  ?= /usr/local
DESTDIR ?=
BUILD   ?= build
CC      ?= cc
VERSION := 0.1.0

# Read once per make process. `demo`, `check` and `perf` install the packages (deps) and only then start a
# second make, which reads these afresh: the first make on a fresh machine has no pkg-config yet.
PKG_OK     := $(shell pkg-config --exists libpq jansson zlib 2>/dev/null && echo yes)
PKG_CFLAGS := $(shell pkg-config --cflags libpq jansson zlib 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs libpq jansson zlib 2>/dev/null)
OPT        ?= -O2
CFLAGS     ?= $(OPT) -g
SAN        ?=
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wno-format-truncation -pthread \
              -I. -I$(BUILD) $(PKG_CFLAGS) -DPGPB_VERSION='"$(VERSION)"' $(SAN) $(CFLAGS)
LDLIBS     := -lpqtypes $(PKG_LIBS) -lplot -lm -pthread $(SAN)

MODULES  := common schema datagen bench resdir plots cmd
LIB_SRC  := $(foreach m,$(MODULES),$(wildcard $(m)/*.c))
LIB_OBJ  := $(patsubst %.c,$(BUILD)/%.o,$(LIB_SRC)) $(BUILD)/sqlfiles.o
SQL      := $(sort $(foreach m,$(MODULES),$(wildcard $(m)/*.sql $(m)/*.lua)))
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))

.PHONY: seed-article all deps check check-scale check-build check-sanitize check-tsan fuzz fuzz-build check-fresh demo perf install clean pkgconfig
all: $(BUILD)/pgpagebench

# deps: installs missing Debian packages as root, else prints the apt-get line and fails.
deps:
	@tools/deps.sh

# Every compile waits for this: without the -dev packages it stops with one line instead of a compiler error.
pkgconfig:
ifneq ($(PKG_OK),yes)
	@echo "make: error: pkg-config finds no libpq, jansson or zlib: run \`make deps\` (as root, or the apt-get line it prints)" >&2
	@exit 1
endif

$(BUILD)/%.o: %.c | pkgconfig
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# The SQL files (and wrk's Lua script, under its full name) are embedded at build time so the binary runs
# from anywhere.
$(BUILD)/sqlfiles.c: $(SQL) tools/embed-sql.awk
	@mkdir -p $(BUILD)
	awk -f tools/embed-sql.awk $(SQL) > $@.tmp && mv $@.tmp $@
$(BUILD)/sqlfiles.o: $(BUILD)/sqlfiles.c | pkgconfig
	$(CC) $(ALL_CFLAGS) -I. -c -o $@ $<

# Made anew each time: a member of a file that moved or went away must not linger in the archive.
$(BUILD)/libpgpb.a: $(filter-out $(BUILD)/cmd/main.o,$(LIB_OBJ))
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/pgpagebench: $(BUILD)/cmd/main.o $(BUILD)/libpgpb.a
	$(CC) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libpgpb.a | pkgconfig
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libpgpb.a $(shell pkg-config --libs cmocka) $(LDLIBS)

# demo, check and perf: deps first, then a second make that builds with the flags pkg-config gives now
# (safe under -j: nothing is compiled before deps has finished).
check: deps
	@$(MAKE) --no-print-directory check-build
	@PGPB_BIN=$(abspath $(BUILD)/pgpagebench) PGPB_BUILD=$(abspath $(BUILD)) tests/run.sh

check-build: $(BUILD)/pgpagebench $(UNIT_BIN)

check-sanitize:
	$(MAKE) BUILD=build-san OPT=-O1 SAN="-fsanitize=address,undefined,float-cast-overflow -fno-omit-frame-pointer -fno-sanitize-recover=all" check

# check-tsan: the driver built with ThreadSanitizer (gcc's, no extra package) runs the tests of the load
# models; any race report (kept in build-tsan/tsan/) fails it. TSAN_TESTS: the tests/run.sh patterns.
TSAN_TESTS ?= test_bench_recorder run_models run_windows run.sh
check-tsan: deps
	@$(MAKE) --no-print-directory BUILD=build-tsan OPT=-O1 SAN="-fsanitize=thread" check-build
	@tools/tsan.sh build-tsan $(TSAN_TESTS)

# fuzz: the file readers' libFuzzer targets (tests/fuzz/fuzz_*.c), FUZZ_SECONDS each under ASan+UBSan, with
# clang 14 (installed or asked for as deps does); not part of check. Seeds in tests/fuzz/<target>/, new
# inputs in build-fuzz/corpus/, crashes in build-fuzz/crashes/.
FUZZ_CC      ?= clang-14
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
fuzz:
	@PGPB_DEPS_EXTRA="clang-14 libclang-rt-14-dev" tools/deps.sh
	@$(MAKE) --no-print-directory BUILD=build-fuzz CC=$(FUZZ_CC) CFLAGS="-O1 -g -Wno-unknown-warning-option" SAN="$(FUZZ_SAN) -fsanitize=fuzzer-no-link" fuzz-build
	@tools/fuzz.sh build-fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-build: $(patsubst %,$(BUILD)/fuzz/%,$(FUZZ_TARGETS))

$(BUILD)/fuzz/%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.c tests/fuzz/fuzz.h $(BUILD)/libpgpb.a | pkgconfig
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/fuzz -fsanitize=fuzzer -o $@ $< tests/fuzz/fuzz.c $(BUILD)/libpgpb.a $(LDLIBS)

# seed-article: the seed article's three web stacks (Django, Flask, aiohttp) against a temporary PostgreSQL,
# each beside the database alone (examples/seed-article/run.sh; `make check` runs its --short version).
seed-article: deps
	@$(MAKE) --no-print-directory $(BUILD)/pgpagebench
	@PGPB_BIN=$(abspath $(BUILD)/pgpagebench) examples/seed-article/run.sh $(SEED_ARTICLE_ARGS)

demo: deps
	@$(MAKE) --no-print-directory $(BUILD)/pgpagebench
	$(BUILD)/pgpagebench demo

perf: deps
	@$(MAKE) --no-print-directory $(BUILD)/pgpagebench
	@tools/perf.sh $(abspath $(BUILD)/pgpagebench)

# check-scale: the heavy runs kept out of `make check` (tools/scale.sh): 10,000 clients on one driver process
# through PgBouncer, its memory and the open-file limits. A few minutes.
check-scale: deps
	@$(MAKE) --no-print-directory $(BUILD)/pgpagebench
	@tools/scale.sh $(abspath $(BUILD)/pgpagebench)

# check-fresh: a minbase Debian 12 root (debootstrap), git and make, then `make demo` and `make check` in it.
check-fresh:
	tools/fresh-debian.sh

install: $(BUILD)/pgpagebench
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/doc/pgpagebench
	install -m 755 $(BUILD)/pgpagebench $(DESTDIR)$(PREFIX)/bin/pgpagebench
	install -m 644 pgpagebench.1 $(DESTDIR)$(PREFIX)/share/man/man1/pgpagebench.1
	install -m 644 README.md docs/*.md $(DESTDIR)$(PREFIX)/share/doc/pgpagebench/

clean:
	rm -rf build build-san build-tsan build-fuzz

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
