# The two commands of the README: `make demo` and `make test`. Both install what is missing
# (Debian packages via apt-get, npm packages via npm ci), build, and run.

BUILD ?= build
MESON_OPTS ?=
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

# Debian 12 packages the project needs to build and test.
DEB_PACKAGES = meson ninja-build pkg-config gcc clang python3 tzdata openssl curl make \
  libuv1-dev libcjson-dev libyaml-dev libsqlite3-dev sqlite3 \
  libcurl4-openssl-dev libssl-dev libwebsockets-dev libwebsockets-evlib-uv libcmocka-dev \
  libwslay-dev libsimdjson-dev g++ libcrypt-dev libclang-rt-14-dev libncurses-dev valgrind tmux util-linux mount gdb clang-tidy cppcheck systemd chromium \
  libsystemd-dev dbus-daemon dbus-bin

.PHONY: all deps build test demo clean fuzz chaos lint soak bench

all: build

deps:
	@./scripts/install-deps.sh $(DEB_PACKAGES)

$(BUILD)/build.ninja:
	meson setup $(BUILD) $(MESON_OPTS)

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD) -j $(JOBS)

test: build
	@./scripts/run-tests.sh $(BUILD)

demo: build
	@./scripts/demo.sh $(BUILD)

# Long runs (their short versions are in `make test`).
CHAOS_SEEDS ?= 1-20
CHAOS_DURATION ?= 300
chaos: build
	@./tests/chaos/run-chaos.sh $(BUILD)/src/daemon/srmd $(BUILD)/src/cli/srm $(BUILD)/src/sim/srm-sim \
		--long --seeds "$(CHAOS_SEEDS)" --duration $(CHAOS_DURATION)

# The differential test (tests/model/, `meson test model` runs 10,000 days) over many more
# generated days; the first disagreement of each class is shown minimized, with its rerun line.
SOAK_DAYS ?= 1000000
SOAK_SEED ?= 1
soak: build
	@start=$$(date +%s); \
	$(BUILD)/tests/model/test_model --days $(SOAK_DAYS) --seed $(SOAK_SEED); rc=$$?; \
	echo "soak: $(SOAK_DAYS) days from seed $(SOAK_SEED) in $$(( $$(date +%s) - start )) s (exit $$rc)"; \
	exit $$rc

# Every benchmark (engine, reaction, footprint, ingest) and one table of their figures at the
# end (scripts/bench.sh; its knobs: BENCH_REACTION_N, BENCH_FOOTPRINT="1 10 100 1000", ...).
# Benchmarks print numbers; no test asserts a time. docs/PERFORMANCE.md says what bounds each.
bench: build
	@./scripts/bench.sh $(BUILD)

fuzz: deps
	@./scripts/fuzz.sh build-fuzz

lint: deps
	@if [ ! -f build-lint/build.ninja ]; then CC=clang CXX=clang++ meson setup build-lint >/dev/null; fi
	@./scripts/lint.sh build-lint

clean:
	rm -rf build build-*
