#!/usr/bin/env bash
# make fuzz: every libFuzzer target for FUZZ_TIME seconds (default 60), clang with ASan and
# UBSan. New inputs go to a scratch corpus under /tmp (the checked-in corpus is only read);
# a crash leaves its reproducer in the current directory (crash-*) and fails the run.
# usage: scripts/fuzz.sh [BUILD_DIR]   (FUZZ_TIME=600 make fuzz for a long run)
set -uo pipefail
build=${1:-build-fuzz}
time=${FUZZ_TIME:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
if [ ! -f "$build/build.ninja" ]; then
	CC=clang CXX=clang++ meson setup "$build" -Dfuzz=true >/dev/null || exit 1
fi
ninja -C "$build" >/dev/null || exit 1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
declare -A corpus=([fuzz_wire]=wire [fuzz_ipc]=ipc [fuzz_config]=../../config [fuzz_frame]=frame
	[fuzz_token]=token [fuzz_ipc_cmds]=ipc_cmds [fuzz_hubrec]=hubrec)
declare -A maxlen=([fuzz_ipc]=70000 [fuzz_ipc_cmds]=4096)
status=0
for t in fuzz_wire fuzz_ipc fuzz_config fuzz_frame fuzz_token fuzz_ipc_cmds fuzz_hubrec; do
	scratch=/tmp/srm-fuzz-corpus/$t
	mkdir -p "$scratch"
	args=(-max_total_time="$time" -print_final_stats=1)
	[ -n "${maxlen[$t]:-}" ] && args+=(-max_len="${maxlen[$t]}")
	echo "== $t (${time}s)"
	if ! "$build/tests/$t" "${args[@]}" "$scratch" "$root/tests/fuzz/corpus/${corpus[$t]}" 2>"/tmp/srm-fuzz-$t.log"; then
		echo "FAIL $t: see /tmp/srm-fuzz-$t.log"; tail -n 30 "/tmp/srm-fuzz-$t.log"; status=1
	else
		grep -E '^stat::number_of_executed_units|^#[0-9]+.*DONE' "/tmp/srm-fuzz-$t.log" | tail -n 1
	fi
done
exit $status
