#!/usr/bin/env bash
# End-to-end: srmd whose state file cannot be written (a full disk). Real srmd, srm-sim and srm
# on loopback. While writes fail, enforcement goes on (simulator ground truth), the failure is
# logged, the CLI still answers; when space is back, the journal is written again, and after a
# kill -9 the file is intact and the lockout taken before is still there.
# Two ways to make writes fail, each a full run:
#   fsize  the daemon's soft file-size limit is cut to 1 KiB (prlimit): every write that would grow
#          a file fails with EFBIG; works everywhere, no privilege needed;
#   enospc the state directory is on a 2 MiB tmpfs filled to the last byte (a real ENOSPC);
#          only where this user may mount (root in CI), else skipped with a line that says so.
# usage: run-diskfull.sh SRMD SRM SRM-SIM
set -u
SRMD=$1 SRM=$2 SIM=$3
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/srm-diskfull.XXXXXX)
. "$here/lib.sh"
mnt=""
cleanup_all() {
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	[ -n "$mnt" ] && umount "$mnt" 2>/dev/null
	cleanup
}
trap cleanup_all EXIT

MNQ=CON.F.US.MNQ.Z26
export SRM_ADMIN_PASSWORD=correct-horse
HASH=$("$SRM" admin passwd 2>/dev/null)
SOCK="$work/srm.sock"

# srmd with its log through a pipe (a file-size limit must not cut the log we read)
start_srmd_piped() {
	"$SRMD" --config "$work/srm.yaml" > >(cat >>"$work/srmd.log") 2>&1 &
	SRMDPID=$!
	pids+=($SRMDPID)
	wait_for 15 guarding || { echo "srmd did not reach guarding"; tail -n 30 "$work/srmd.log"; return 1; }
}

journal_rows() { sqlite3 "$DB" "SELECT count(*) FROM journal WHERE account_id=$ACC AND rule='RULE-001' AND action='partial_close'"; }
oversize() { order "{\"accountId\":$ACC,\"contractId\":\"$MNQ\",\"type\":2,\"side\":0,\"size\":$1}" >/dev/null; }
locked() { status_json | json "len([a for a in d['accounts'] if a['id']==$ACC2][0]['lockouts'])" | grep -qx 1; }
rows_grew() { [ "$(journal_rows)" -gt "$rows" ]; }

run_mode() {
	local mode=$1 fill="" rows
	: >"$work/srmd.log"
	start_sim
	write_config
	start_srmd_piped || return 1
	quote $MNQ 21000 21000.25
	# an admin lockout on the other account, saved before the disk fills: it must survive
	"$SRM" admin lockout set "$ACC2" --for 4h --reason "desk: before the disk filled" \
		--socket "$SOCK" >/dev/null
	check "$mode: the lockout is set before the disk fills" wait_for 5 locked
	sleep 0.3
	rows=$(journal_rows)

	if [ "$mode" = fsize ]; then
		prlimit --pid "$SRMDPID" --fsize=1024: ||
			{ echo "fail $mode: prlimit"; fail=$((fail + 1)); return 1; }
	else
		fill="$mnt/filler"
		dd if=/dev/zero of="$fill" bs=64k 2>/dev/null # until ENOSPC
		dd if=/dev/zero of="$fill.2" bs=512 2>/dev/null
	fi

	# the trader goes over the limit while nothing can be saved
	oversize 5
	check "$mode: with writes failing the over-size position is still reduced (sim ground truth)" \
		wait_for 5 is_eq 4 sim_pos "$ACC" "$MNQ"
	check "$mode: the failed write is logged as an error, enforcement went on" wait_for 3 \
		grep -q 'level=error mod=store msg="could not persist, enforcing anyway"' "$work/srmd.log"
	check "$mode: the CLI still answers" guarding
	check "$mode: nothing was journaled while the disk was full" is_eq "$rows" journal_rows

	# space comes back: the next enforcement is journaled again
	if [ "$mode" = fsize ]; then
		prlimit --pid "$SRMDPID" --fsize=unlimited:
	else
		rm -f "$fill" "$fill.2"
	fi
	oversize 2
	check "$mode: space back: the next over-size is reduced" wait_for 5 is_eq 4 sim_pos "$ACC" "$MNQ"
	check "$mode: space back: it is journaled again" wait_for 5 rows_grew

	# kill -9 and restart: the file is intact and the lockout from before is still there
	kill -9 "$SRMDPID"
	wait "$SRMDPID" 2>/dev/null
	check "$mode: after kill -9 the state file passes an integrity check" is_eq ok \
		sqlite3 "$DB" "PRAGMA integrity_check"
	start_srmd_piped || return 1
	check "$mode: after the restart the lockout from before the full disk is still there" locked
	kill "$SRMDPID" "$SIMPID"
	wait "$SRMDPID" "$SIMPID" 2>/dev/null
}

DB="$work/state/srm.db"
run_mode fsize
rm -rf "$work/state"

mnt="$work/tmpfs"
mkdir -p "$mnt"
if mount -t tmpfs -o size=2m,mode=0700 tmpfs "$mnt" 2>/dev/null; then
	mkdir -p "$mnt/state"
	rm -rf "$work/state"
	ln -s "$mnt/state" "$work/state"
	run_mode enospc
else
	mnt=""
	echo "skip enospc (this user may not mount a tmpfs; the fsize run covered the failing writes)"
fi

echo "e2e-diskfull: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
