#!/usr/bin/env bash
# The shipped systemd units: systemd-analyze verify (the binary path pointed at this build),
# and the system unit's exposure at 2.0 or better (systemd-analyze security, offline).
# usage: units.sh SRMD DIST_DIR
set -u
SRMD=$(realpath "$1") DIST=$2
work=$(mktemp -d /tmp/srm-units.XXXXXX)
trap 'rm -rf "$work"' EXIT
pass=0 fail=0
check() { local d=$1; shift; if "$@"; then echo "ok   $d"; pass=$((pass+1)); else echo "FAIL $d"; fail=$((fail+1)); fi; }
for u in srmd.service srmd-user.service; do
	sed "s|/usr/local/bin/srmd|$SRMD|" "$DIST/$u" >"$work/$u"
done
if ! command -v systemd-analyze >/dev/null; then
	echo "units: systemd-analyze not installed"; exit 1
fi
check "srmd.service passes systemd-analyze verify" \
	sh -c "systemd-analyze verify --man=no '$work/srmd.service' 2>&1 | tee '$work/v1'; ! grep -qi 'error\|invalid\|unknown lvalue\|failed' '$work/v1'"
mkdir -m 0700 "$work/run"
check "srmd-user.service passes systemd-analyze verify (user)" \
	sh -c "XDG_RUNTIME_DIR='$work/run' systemd-analyze --user verify --man=no '$work/srmd-user.service' 2>&1 | tee '$work/v2'; ! grep -qi 'error\|invalid\|unknown lvalue\|failed' '$work/v2'"
score=$(systemd-analyze security --offline=true "$work/srmd.service" 2>/dev/null | sed -n 's/.*Overall exposure level for srmd.service: \([0-9.]*\).*/\1/p')
check "the system unit's exposure is 2.0 or better (systemd-analyze security: $score)" \
	python3 -c "import sys; sys.exit(0 if float('${score:-10}') <= 2.0 else 1)"
echo "units: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
