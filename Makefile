# kintsugi: the two commands a person needs are `make run` and `make test`.
# Everything builds with Meson + Ninja; this file only strings steps together.

BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
LISTEN     ?= 127.0.0.1:8080
DB         ?= var/kintsugi.db
FUZZ_SECONDS ?= 60

.PHONY: all build deps run test test-unit test-http test-asan test-valgrind test-browser \
	lint fuzz bench screenshots po clean

all: build

deps:
	./scripts/install-deps

$(BUILD)/build.ninja:
	meson setup $(BUILD) --buildtype=debugoptimized

build: $(BUILD)/build.ninja
	ninja -C $(BUILD)

run: deps build
	mkdir -p var
	./$(BUILD)/kintsugi serve --listen $(LISTEN) --db $(DB)

node_modules/.installed: package.json
	npm install --no-audit --no-fund
	mkdir -p node_modules && touch $@

# Everything: unit tests, catalogs, fuzz corpora, the HTTP suite; the same
# again under AddressSanitizer + UndefinedBehaviorSanitizer; the unit tests
# under valgrind.
test: deps build node_modules/.installed
	meson test -C $(BUILD) --print-errorlogs --num-processes 2
	$(MAKE) test-asan
	$(MAKE) test-valgrind

test-unit: build
	meson test -C $(BUILD) --print-errorlogs --suite unit --suite i18n --suite fuzz

test-http: build
	meson test -C $(BUILD) --print-errorlogs --suite http

$(ASAN_BUILD)/build.ninja:
	meson setup $(ASAN_BUILD) --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false

test-asan: $(ASAN_BUILD)/build.ninja
	ninja -C $(ASAN_BUILD)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		meson test -C $(ASAN_BUILD) --print-errorlogs --num-processes 2 \
		--suite unit --suite fuzz --suite http

test-valgrind: build
	meson test -C $(BUILD) --print-errorlogs --suite unit --suite fuzz --num-processes 2 \
		--timeout-multiplier 10 \
		--wrapper 'valgrind --quiet --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect --error-exitcode=1'

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)

# Benchmark (not a test): see bench/run and docs/performance.md.
bench: deps
	./bench/run
