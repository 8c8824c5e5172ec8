#!/usr/bin/env bash
# SQLite fault injection in the real daemon (issue 9): srmd-fault (srmd with the fault VFS,
# armed by SIGUSR2 from a spec file) fails the Nth read/write/sync of its state file. srmd
# keeps enforcing (simulator ground truth), says so in its log, answers the CLI, writes again
# once the faults stop, and the file stays intact through a kill -9 with its lockouts.
# usage: store-faults.sh SRMD-FAULT SRM SRM-SIM
set -u
SRMD=$1 SRM=$2 SIM=$3
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/srm-e2e-vfs.XXXXXX)
. "$here/lib.sh"
trap cleanup EXIT

MNQ=CON.F.US.MNQ.Z26
export SRM_ADMIN_PASSWORD=correct-horse
HASH=$("$SRM" admin passwd 2>/dev/null)
SOCK="$work/srm.sock"
DB="$work/state/srm.db"
export SRM_FAULT_VFS_FILE="$work/fault.spec"
arm() {
	echo "$1" >"$SRM_FAULT_VFS_FILE"
	kill -USR2 "$SRMDPID"
	wait_for 3 grep -q "fault injection $2" "$work/srmd.log"
}
over_and_back() { # a 6-lot over the limit of 4: reduced to 4, then the trader sells them
	order "{\"accountId\":$ACC,\"contractId\":\"$MNQ\",\"type\":2,\"side\":0,\"size\":6}" >/dev/null
	wait_for 8 is_eq 4 sim_pos "$ACC" "$MNQ"
	local rc=$?
	order "{\"accountId\":$ACC,\"contractId\":\"$MNQ\",\"type\":2,\"side\":1,\"size\":4}" >/dev/null
	wait_for 5 is_zero sim_pos "$ACC" "$MNQ"
	return $rc
}

start_sim
write_config
start_srmd || exit 1
quote $MNQ 21000 21000.25
"$SRM" admin lockout set "$ACC2" --permanent --reason "e2e before the faults" --socket "$SOCK" >/dev/null

# 1. every write fails: enforcement goes on, the log says nothing was saved, the CLI answers
arm "write:1:-1" armed
check "every write failing: an over-size position is still reduced (sim ground truth)" over_and_back
check "...and the log says it enforced without saving" grep -q 'could not persist, enforcing anyway' "$work/srmd.log"
check "...and srm status answers" guarding
"$SRM" history --socket "$SOCK" >/dev/null 2>&1
check "...and srm history answers (reads still work)" test $? -eq 0

# 2. the faults stop: writing resumes
arm off off
j0=$(sqlite3 "$DB" "SELECT coalesce(max(id),0) FROM journal")
check "writes work again: the next reduction is enforced" over_and_back
check "...and journaled with its outcome" wait_for 5 is_eq 1 sqlite3 "$DB" \
	"SELECT count(*)>0 FROM journal WHERE id>$j0 AND account_id=$ACC AND action='partial_close' AND outcome='ok'"

# 3. every sync fails, then reads fail: enforcement and the CLI hold
arm "sync:1:-1" armed
check "every sync failing: still enforced" over_and_back
arm "read:1:20" armed
"$SRM" history --socket "$SOCK" >/dev/null 2>"$work/read.err"
check "failing reads: srm history answers or says why, srmd lives" kill -0 "$SRMDPID"
arm off off

# 4. the Nth write fails, for several N: never a crash, always enforced
for n in 1 2 3 5 8 13; do
	arm "write:$n:1" armed
	check "write $n failing once: enforced" over_and_back
	check "...srmd alive" kill -0 "$SRMDPID"
done
arm off off

# 5. kill -9: the file is intact and the lockout from before the faults is still there
kill -9 "$SRMDPID"; wait "$SRMDPID" 2>/dev/null
check "after kill -9 the state file passes integrity_check" is_eq ok sqlite3 "$DB" "PRAGMA integrity_check"
start_srmd || exit 1
check "...and the permanent lockout set before the faults is still there" \
	sh -c "'$SRM' lockouts --socket '$SOCK' | grep -q 'e2e before the faults'"
check "srmd stops cleanly on SIGTERM (exit 0)" stop_srmd
echo "store-faults: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
