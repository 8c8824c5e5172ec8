#!/usr/bin/env bash
# The reset passes: a lockout until the reset ends when the reset time (moved to the next
# minute by a reload) passes. Skipped on Friday and Saturday in Chicago (no reset then).
# usage: reset.sh SRMD SRM SRM-SIM
set -u
SRMD=$1 SRM=$2 SIM=$3
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/srm-e2e-reset.XXXXXX)
. "$here/lib.sh"
trap cleanup EXIT

start_day

unlocked() { status_json | json "len([a for a in d['accounts'] if a['id']==$ACC2][0]['lockouts'])" | grep -qx 0; }

# 1. the reset passes: an until_reset lockout ends (reset moved to the next minute)
dow=$(TZ=America/Chicago date +%u)
if [ "$dow" -le 4 ] || [ "$dow" -eq 7 ]; then
	"$SRM" admin lockout set "$ACC2" --until-reset --reason "e2e" --socket "$SOCK" >/dev/null
	next=$(TZ=America/Chicago date -d '+1 min' +%H:%M)
	RESET_TIME=$next write_config
	if [ "$(TZ=America/Chicago date -d '+1 min' +%u)" = "$dow" ]; then
		"$SRM" admin config reload --socket "$SOCK" >/dev/null
		check "a lockout until the reset ends when the reset time passes" wait_for 75 unlocked
	fi
else
	echo "skip reset-passes (Friday/Saturday in Chicago: no reset today)"
fi

echo "reset: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
