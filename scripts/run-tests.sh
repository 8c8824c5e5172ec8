#!/usr/bin/env bash
# Run every test of a build directory with meson and end with "N passed, N failed".
set -uo pipefail

build=${1:-build}
extra=${SRM_TEST_ARGS:-}
# shellcheck disable=SC2086
meson test -C "$build" --print-errorlogs --num-processes 2 $extra
rc=$?

log="$build/meson-logs/testlog.json"
passed=0
failed=0
if [ -f "$log" ]; then
	passed=$(grep -c '"result": "OK"' "$log" || true)
	skipped=$(grep -c '"result": "SKIP"' "$log" || true)
	total=$(grep -c '"name"' "$log" || true)
	failed=$((total - passed - skipped))
fi
echo "$passed passed, $failed failed"
if [ "$rc" -ne 0 ] || [ "$failed" -ne 0 ]; then
	exit 1
fi
exit 0
