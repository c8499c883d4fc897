# o2o -- build, run and test. See README.md.
#   make run        install missing packages, build, load demo data once, serve on 127.0.0.1:8080
#   make test       build with sanitizers and run every suite on SQLite and PostgreSQL, and the fuzzers
#   make fuzz       run the libFuzzer targets for FUZZ_SECONDS each (default 60)
#   make bench      run the benchmarks in bench/
#   make check      style checks (banned functions, layering)

CC      ?= cc
VERSION := 0.1.0
PKGS    := libh2o-evloop jansson sqlite3 libsodium libcrypto libqrencode zlib liblzma xlsxwriter
# headers only: libpq, libcurl and librsvg (charts in e-mail) are loaded when first
# used (dlopen), which keeps every command's start fast (they bring some thirty
# libraries each)
LAZY    := libpq libcurl librsvg-2.0
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wpointer-arith -Wformat=2 -Wvla -Wimplicit-fallthrough -fno-common
DEFS    := -std=c11 -D_GNU_SOURCE -DH2O_USE_LIBUV=0 -DO2O_VERSION='"$(VERSION)"'
LIBS    := $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lh2o-evloop -ljansson -lsqlite3 -lsodium -lcrypto -lqrencode -lz -llzma -lxlsxwriter) \
           -ldl -lpthread -lm

ifeq ($(SAN),1)
BUILD   := build-san
OPT     := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -DO2O_STRICT
else
BUILD   := build
OPT     := -O2 -g -fstack-protector-strong -D_FORTIFY_SOURCE=2
endif

CFLAGS  += $(DEFS) $(OPT) $(WARN) -Isrc -I$(BUILD)/gen $(shell pkg-config --cflags $(PKGS) $(LAZY) 2>/dev/null)
LDFLAGS += $(OPT)

# every folder of src/ (src/ranks orders them; make check enforces it)
LIB_SRC := $(filter-out src/app/main.c,$(wildcard src/*/*.c))
LIB_OBJ := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(LIB_SRC)) $(BUILD)/obj/gen/migrations.o $(BUILD)/obj/gen/assets.o \
           $(BUILD)/obj/gen/webfiles.o
ASSETS  := $(sort $(wildcard web/*.js))
# the console and the member's pages, and what they take from npm (make run fetches it)
WEB     := $(sort $(wildcard web/console/* web/m/*))
WEB_NPM := /console/uplot.js=node_modules/uplot/dist/uPlot.iife.min.js \
           /console/uplot.css=node_modules/uplot/dist/uPlot.min.css
MIGS    := $(sort $(wildcard src/db/migrations/*.sql))
TESTS   := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/*/test_*.c))

FUZZ_CC := clang
FUZZ_CORE := src/core/buf.c src/core/mem.c src/core/err.c src/core/util.c
FUZZ_SRC_http := src/http/parse.c src/http/router.c src/http/schema.c src/http/addr.c src/core/netaddr.c $(FUZZ_CORE)
FUZZ_SRC_inbound := src/core/mailparse.c src/notify/callbacks.c src/notify/wechat_xml.c $(FUZZ_CORE)
FUZZERS := build-fuzz/fuzz_http build-fuzz/fuzz_inbound

.PHONY: all run test test-unit test-e2e bench check clean deps fuzz fuzzers
all: $(BUILD)/o2o

$(BUILD)/gen/migrations.c: $(MIGS) scripts/embed-migrations.sh
	@mkdir -p $(dir $@)
	sh scripts/embed-migrations.sh $@ $(MIGS)

$(BUILD)/gen/assets.c: $(ASSETS) scripts/embed-assets.sh
	@mkdir -p $(dir $@)
	sh scripts/embed-assets.sh $@ $(ASSETS)

$(BUILD)/gen/webfiles.c: $(WEB) $(foreach p,$(WEB_NPM),$(lastword $(subst =, ,$(p)))) scripts/embed-web.sh
	@mkdir -p $(dir $@)
	@sh scripts/embed-web.sh $@ $(foreach f,$(WEB),$(patsubst web/%,/%,$(f))=$(f)) $(WEB_NPM)

$(BUILD)/obj/gen/%.o: $(BUILD)/gen/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/obj/gen/assets.o: $(BUILD)/gen/assets.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/obj/gen/migrations.o: $(BUILD)/gen/migrations.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	@echo "  CC  $<"
	@$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

# made anew: ar would keep the objects of files that moved or went
$(BUILD)/libo2o.a: $(LIB_OBJ)
	@rm -f $@
	@ar rcs $@ $^

$(BUILD)/o2o: $(BUILD)/obj/app/main.o $(BUILD)/libo2o.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)
	@[ "$(BUILD)" = build ] && ln -sf $(BUILD)/o2o o2o || true

$(BUILD)/tests/%: tests/unit/%.c tests/unit/testutil.h tests/unit/fixture.h $(BUILD)/libo2o.a
	@mkdir -p $(dir $@)
	@echo "  TEST $@"
	@$(CC) $(CFLAGS) -Itests/unit -o $@ $< $(BUILD)/libo2o.a $(LIBS) -lcmocka

# libFuzzer targets (clang; ASan and UBSan), over what parses outside input
.SECONDEXPANSION:
build-fuzz/fuzz_%: tests/fuzz/fuzz_%.c $$(FUZZ_SRC_$$*)
	@mkdir -p $(dir $@)
	@echo "  FUZZ $@"
	@$(FUZZ_CC) $(DEFS) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -Isrc \
	    $(shell pkg-config --cflags jansson libh2o-evloop 2>/dev/null) -o $@ $< $(FUZZ_SRC_$*) -ljansson -lsodium -lm -lpthread

fuzzers: $(FUZZERS)

# the wall-clock shift the clock runs of the suite preload (scripts/clocks.sh)
build-san/libclockshift.so: tests/clock/clockshift.c
	@mkdir -p $(dir $@)
	$(CC) -shared -fPIC -O2 -Wall -Wextra -Werror -o $@ $< -ldl

fuzz: fuzzers
	@sh scripts/fuzz.sh

deps:
	@sh scripts/deps.sh build

run: deps
	@$(MAKE) --no-print-directory all
	@sh scripts/run.sh

test:
	@sh scripts/deps.sh test
	@$(MAKE) --no-print-directory SAN=1 all tests
	@$(MAKE) --no-print-directory fuzzers build-san/libclockshift.so
	@sh scripts/test.sh

tests: $(TESTS)

bench:
	@sh scripts/deps.sh bench
	@$(MAKE) --no-print-directory all
	@sh bench/run.sh
	@sh bench/orders.sh
	@sh bench/mine.sh
	@sh bench/recommend.sh
	@sh bench/funnel.sh
	@sh bench/events.sh
	@sh bench/declare.sh
	@sh bench/reports.sh
	@sh bench/console.sh
	@sh bench/desk.sh

check:
	@sh scripts/checksrc.sh

clean:
	rm -rf build build-san build-fuzz o2o

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
