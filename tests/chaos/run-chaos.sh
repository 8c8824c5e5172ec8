#!/usr/bin/env bash
# The chaos day (issue 9): real srm-sim + real srmd + real srm under random faults; the
# invariants are checked from the simulator's ground truth and the state file afterwards.
# usage: run-chaos.sh SRMD SRM SRM-SIM [--short | --long] [--seed N | --seeds "1 2 3"] [--duration S] [-v]
#   env: CHAOS_SEED, CHAOS_SEEDS, CHAOS_DURATION; KEEP=1 keeps the work dir (KEEP=0: never)
# The last line is `chaos: N passed, N failed`; the exit status is 0 only when none failed.
set -u
if [ $# -lt 3 ]; then
	echo "usage: $0 SRMD SRM SRM-SIM [--short|--long] [--seed N|--seeds LIST] [--duration S] [-v]" >&2
	echo "chaos: 0 passed, 1 failed"
	exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
srmd=$1 srm=$2 sim=$3
shift 3
exec python3 "$here/chaos.py" --srmd "$srmd" --srm "$srm" --sim "$sim" "$@"
