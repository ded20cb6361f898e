# kintsugi: the two commands a person needs are `make run` and `make test`.
# Everything builds with Meson + Ninja; this file only strings steps together.

BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
LISTEN     ?= 127.0.0.1:8080
DB         ?= var/kintsugi.db
FUZZ_SECONDS ?= 60
RELEASE_BUILD ?= build-release
SOAK_SECONDS ?= 1800

.PHONY: all build deps docs release run test test-unit test-http test-http-pg test-asan test-valgrind test-valgrind-core test-browser \
	lint fuzz bench bench-scale soak screenshots lighthouse po clean language-eval coach-eval

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

# Everything: unit tests, catalogs, fuzz corpora, the HTTP suite on both
# backends; static analysis (a finding fails the run); the tests again under
# AddressSanitizer + UndefinedBehaviorSanitizer and under valgrind; the
# browser tests.  scripts/pg-test gives the first run a throwaway PostgreSQL
# cluster (KINTSUGI_PG_URL): the unit test store-pg and the HTTP suite with
# every server on PostgreSQL (http-pg).  The HTTP suite on SQLite runs once,
# under the sanitizers (test-asan): the same tests as `make test-http`, with
# every memory error and undefined behaviour fatal, so a second run of it
# on the plain build would find nothing more and cost three minutes (the two
# checks a sanitizer build skips, of process.test.mjs, run natively in http-pg).
# Their servers are kintsugi-test (Argon2id at its lowest cost, README
# "Tests"): with the real cost an HTTP run took 7.5 minutes, now 3.2.
# The two HTTP runs go side by side (-j2: two build folders, each server on
# a free port and a database of its own): each leaves a core idle for part
# of its run (timers, clients waiting on answers), and together they take
# under 6 minutes on a 2-core machine.  --output-sync prints each run's
# output whole when it ends.
# The valgrind run and the browser tests go side by side too: the browser
# suite walks one page at a time in one test file at a time, and waits on
# the browser's loads, frames and timers between its steps, which the
# valgrind run (unit tests two at a time, then two HTTP test files with
# their servers under valgrind, one core each) fills.
test: deps build node_modules/.installed
	./scripts/pg-test run meson test -C $(BUILD) --print-errorlogs --num-processes 2 --no-suite http --no-suite http-pg
	$(MAKE) release
	$(MAKE) lint
	$(MAKE) -j2 --output-sync=target test-http-pg test-asan
	$(MAKE) -j2 --output-sync=target test-valgrind-core test-browser

test-unit: build
	./scripts/pg-test run meson test -C $(BUILD) --print-errorlogs --suite unit --suite i18n --suite fuzz

test-http: build
	meson test -C $(BUILD) --print-errorlogs --suite http

# The HTTP suite with every server on PostgreSQL (a throwaway cluster).
test-http-pg: build
	./scripts/pg-test run meson test -C $(BUILD) --print-errorlogs --suite http-pg

# The release build (-O3, what `make bench` and `make soak` run) compiles
# cleanly too: it warns about things the debug build's optimiser does not see.
$(RELEASE_BUILD)/build.ninja:
	meson setup $(RELEASE_BUILD) --buildtype=release

release: $(RELEASE_BUILD)/build.ninja
	ninja -C $(RELEASE_BUILD)

$(ASAN_BUILD)/build.ninja:
	meson setup $(ASAN_BUILD) --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false

test-asan: $(ASAN_BUILD)/build.ninja
	ninja -C $(ASAN_BUILD)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		meson test -C $(ASAN_BUILD) --print-errorlogs --num-processes 2 \
		--suite unit --suite fuzz --suite http

# The unit tests and fuzz corpora under valgrind; then HTTP tests with every
# server they start under valgrind (tests/meson.build, scripts/valgrind-http),
# where a leak or a memory error fails the test that stops that server.
# test-valgrind-core (in `make test`): every route as every role, and the
# journal, statement and step-2 flows, about 3 minutes.  test-valgrind: the
# whole HTTP suite, about 11 minutes; run it
# before a release and after touching memory handling.
VALGRIND_UNIT = meson test -C $(BUILD) --print-errorlogs --suite unit --suite fuzz --num-processes 2 \
	--timeout-multiplier 10 \
	--wrapper 'valgrind --quiet --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect --error-exitcode=1'

test-valgrind-core: build
	$(VALGRIND_UNIT)
	meson test -C $(BUILD) --print-errorlogs --suite valgrind-http-core

test-valgrind: build
	$(VALGRIND_UNIT)
	meson test -C $(BUILD) --print-errorlogs --suite valgrind-http

# Real-browser tests: Debian's chromium driven by playwright-core, axe-core;
# journeys in en/es/ru at 360 and 1280 px with JavaScript on and off, every
# page's accessibility, keyboard and quick exit (tests/browser/).  The server
# is kintsugi-test, as in the HTTP suite (Argon2id at its lowest cost).
test-browser: build node_modules/.installed
	KINTSUGI_BIN=$(BUILD)/kintsugi-test node --test --test-concurrency=1 --test-reporter=spec tests/browser/

# PNGs of the main pages in en/es/ru into docs/screenshots/ (not a test).
screenshots: build node_modules/.installed
	KINTSUGI_BIN=$(BUILD)/kintsugi node tests/browser/screenshots.mjs

# Lighthouse scores of the main pages (not part of `make test`): installs
# its own pinned copy under tests/browser/lighthouse/; see docs/performance.md.
lighthouse: build
	cd tests/browser/lighthouse && npm ci --no-audit --no-fund
	KINTSUGI_BIN=$(BUILD)/kintsugi node tests/browser/lighthouse/run.mjs

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)

# Fuzzing (issue 4): every libFuzzer target in fuzz/ for FUZZ_SECONDS each,
# seeded with its corpus and dictionary, under ASan+UBSan.  New inputs and
# any crash go to a fresh temporary folder (printed first); copy the inputs
# worth keeping into fuzz/corpus/<target>/, where they replay as tests.
# Every library is built with libFuzzer's coverage (fuzzer-no-link), so that
# the fuzzer sees the edges of the code under test, not only of its harness.
# (-Wno-include-next-absolute-path: src/limits.h's #include_next <limits.h>,
# which clang flags when kreq.c finds it beside itself.)
$(FUZZ_BUILD)/build.ninja:
	CC=clang meson setup $(FUZZ_BUILD) -Dfuzzing=true -Db_sanitize=address,undefined \
		-Db_lundef=false \
		-Dc_args='-fsanitize=fuzzer-no-link -Wno-include-next-absolute-path'

fuzz: $(FUZZ_BUILD)/build.ninja
	ninja -C $(FUZZ_BUILD)
	@out=$$(mktemp -d /tmp/kintsugi-fuzz-XXXXXX); echo "new inputs and crashes go to $$out"; \
	for bin in $(FUZZ_BUILD)/fuzz/fuzz-*; do \
		[ -f "$$bin" ] && [ -x "$$bin" ] || continue; \
		name=$${bin##*/fuzz-}; dict=; \
		[ -f fuzz/$$name.dict ] && dict=-dict=fuzz/$$name.dict; \
		mkdir -p "$$out/$$name"; \
		echo "== fuzz-$$name for $(FUZZ_SECONDS) s"; \
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		"$$bin" -max_total_time=$(FUZZ_SECONDS) -timeout=60 -print_final_stats=1 \
			-artifact_prefix="$$out/$$name/" $$dict "$$out/$$name" fuzz/corpus/$$name \
			2> "$$out/$$name.log" || { tail -n 60 "$$out/$$name.log"; exit 1; }; \
		grep -E '^stat::(number_of_executed_units|new_units_added)' "$$out/$$name.log"; \
	done

# Static analysis (issue 4): cppcheck and clang-tidy (.clang-tidy) over the
# C files of src/ as $(BUILD) compiles them.  The unit tests (test-*.c) are
# left out: they poke at the code in ways the checkers rightly dislike in
# product code (strcpy into fixtures, system(), NULL sentinels).  A finding
# that is not a bug gets an inline suppression with its reason beside it
# (cppcheck-suppress / NOLINT), never a blanket one here.
LINT_DB = $(BUILD)/lint/compile_commands.json

lint: build
	mkdir -p $(BUILD)/lint
	python3 -c 'import json,sys; db=json.load(open(sys.argv[1])); \
		keep=[e for e in db if e["file"].startswith("../src/") and e["file"].endswith(".c") \
		and not e["file"].rsplit("/",1)[-1].startswith("test-")]; \
		[e.update(directory=sys.argv[3]) for e in keep]; \
		json.dump(keep, open(sys.argv[2], "w"), indent=1)' \
		$(BUILD)/compile_commands.json $(LINT_DB) $(CURDIR)/$(BUILD)
	cppcheck --enable=warning,performance,portability --error-exitcode=1 --inline-suppr \
		--library=gnu --library=sqlite3 --library=.cppcheck-jansson.cfg \
		--suppress=missingIncludeSystem -q -j2 \
		--project=$(LINT_DB)
	run-clang-tidy -quiet -p $(BUILD)/lint -j2 '$(CURDIR)/src/.*\.c$$'
	./scripts/check-raw-fds

# Benchmarks (not tests), on a release build in $(RELEASE_BUILD): reads
# (bench/run: a journal page against nginx), then writes (bench/write: journal
# entries at 1, 4 and 32 connections; any answer but 201 fails it), then the
# statement check over a 2,000-character statement (bench/language.c).  See
# docs/performance.md and docs/language.md.
# docs/api.md's rows of the routes made from the registry of item kinds
docs: build
	./scripts/update-api-rows

bench: deps
	./bench/run $(RELEASE_BUILD)
	./bench/write $(RELEASE_BUILD)
	ninja -C $(RELEASE_BUILD) bench/language
	./$(RELEASE_BUILD)/bench/language .

# The scale benchmark (not a test, not in `make test`): 1, 100 and 10,000
# synthetic couples, each with a year of daily check-ins and 300 journal
# entries, built once into var/bench-scale/ by bench/scale-gen (through the
# real core: real ciphertext), then wrk on the journal page, the check-ins,
# home, a write mix and journal POSTs, on SQLite and then on PostgreSQL (a
# throwaway durable cluster, filled from the SQLite file by `kintsugi copy`);
# prints req/s, p99, RSS and CPU per request per size and backend
# (bench/scale, docs/performance.md).  BENCH_SCALE_SIZES="1 100" for a
# shorter run; BENCH_SCALE_FLAGS=--sqlite or --pg for one backend, or
# BENCH_SCALE_FLAGS="--db URL" for a database server of your own.
bench-scale: deps
	./bench/scale $(BENCH_SCALE_FLAGS) $(RELEASE_BUILD)

# The statement check against the labelled set of tests/language/:
# precision and recall per language and per kind (docs/language.md);
# LANGUAGE_EVAL_FLAGS=--explain lists every sentence it gets wrong.
language-eval: build
	./$(BUILD)/src/core/lang-eval $(LANGUAGE_EVAL_FLAGS) .

# The message coach against the labelled set of tests/coach/: precision and
# recall per pattern and language (docs/coach.md); COACH_EVAL_FLAGS=--explain
# lists every sentence it gets wrong.
coach-eval: build
	./$(BUILD)/src/core/coach-eval $(COACH_EVAL_FLAGS) .

# Soak run (not part of `make test`): a release server under mixed load from
# 20 couples for SOAK_SECONDS (default 30 minutes; SOAK_SECONDS=120 for a
# quick look), one line a minute; fails on any error, or when RSS or open
# descriptors grow more than 10% after the warm-up (tests/soak/soak.mjs).
soak: deps release
	SOAK_SECONDS=$(SOAK_SECONDS) KINTSUGI_BIN=$(RELEASE_BUILD)/kintsugi node tests/soak/soak.mjs
