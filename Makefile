# pgpagebench: one binary, tests, demo and benchmarks. See README.md.
# Sources are picked up by folder, so a module adds files without editing this file.

PREFIX  ?= /usr/local
DESTDIR ?=
BUILD   ?= build
CC      ?= cc
VERSION := 0.1.0

PKG_CFLAGS := $(shell pkg-config --cflags libpq jansson 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs libpq jansson 2>/dev/null)
OPT        ?= -O2
CFLAGS     ?= $(OPT) -g
SAN        ?=
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wno-format-truncation -pthread \
              -I. -I$(BUILD) $(PKG_CFLAGS) -DPGPB_VERSION='"$(VERSION)"' $(SAN) $(CFLAGS)
LDLIBS     := -lpqtypes $(PKG_LIBS) -lplot -lm -pthread $(SAN)

MODULES  := common schema datagen bench plots
LIB_SRC  := $(foreach m,$(MODULES),$(wildcard $(m)/*.c))
LIB_OBJ  := $(patsubst %.c,$(BUILD)/%.o,$(LIB_SRC)) $(BUILD)/sqlfiles.o
SQL      := $(sort $(foreach m,$(MODULES),$(wildcard $(m)/*.sql)))
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))

.PHONY: all deps check check-unit check-integration check-sanitize demo perf install clean
all: $(BUILD)/pgpagebench

# deps: installs missing Debian packages as root, else prints the apt-get line and fails.
deps:
	@tools/deps.sh

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# The SQL files are embedded at build time so the binary runs from anywhere.
$(BUILD)/sqlfiles.c: $(SQL) tools/embed-sql.awk
	@mkdir -p $(BUILD)
	awk -f tools/embed-sql.awk $(SQL) > $@.tmp && mv $@.tmp $@
$(BUILD)/sqlfiles.o: $(BUILD)/sqlfiles.c
	$(CC) $(ALL_CFLAGS) -I. -c -o $@ $<

$(BUILD)/libpgpb.a: $(filter-out $(BUILD)/common/main.o,$(LIB_OBJ))
	ar rcs $@ $^

$(BUILD)/pgpagebench: $(BUILD)/common/main.o $(BUILD)/libpgpb.a
	$(CC) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libpgpb.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libpgpb.a $(shell pkg-config --libs cmocka) $(LDLIBS)

check: deps $(BUILD)/pgpagebench $(UNIT_BIN)
	@PGPB_BIN=$(abspath $(BUILD)/pgpagebench) PGPB_BUILD=$(abspath $(BUILD)) tests/run.sh

check-sanitize:
	$(MAKE) BUILD=build-san OPT=-O1 SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" check

demo: deps $(BUILD)/pgpagebench
	$(BUILD)/pgpagebench demo

perf: deps $(BUILD)/pgpagebench
	@tools/perf.sh $(abspath $(BUILD)/pgpagebench)

install: $(BUILD)/pgpagebench
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/doc/pgpagebench
	install -m 755 $(BUILD)/pgpagebench $(DESTDIR)$(PREFIX)/bin/pgpagebench
	install -m 644 pgpagebench.1 $(DESTDIR)$(PREFIX)/share/man/man1/pgpagebench.1
	install -m 644 README.md docs/*.md $(DESTDIR)$(PREFIX)/share/doc/pgpagebench/

clean:
	rm -rf build build-san

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
