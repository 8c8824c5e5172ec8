#!/usr/bin/env bash
# Hostile local clients (issue 9, items 1-3): hang-ups during the auth refusal, password
# guessing across connections, half requests and connection floods. srmd must stay up, keep
# enforcing (simulator ground truth) and keep answering the trader's CLI.
# usage: ipc-hostile.sh SRMD SRM SRM-SIM
set -u
SRMD=$1 SRM=$2 SIM=$3
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/srm-e2e-ipc.XXXXXX)
. "$here/lib.sh"
trap cleanup EXIT

MNQ=CON.F.US.MNQ.Z26
export SRM_ADMIN_PASSWORD=correct-horse
HASH=$("$SRM" admin passwd 2>/dev/null)
SOCK="$work/srm.sock"
DB="$work/state/srm.db"
peer() { python3 "$here/ipcpeer.py" "$SOCK" "$@"; }

start_sim
write_config
start_srmd || exit 1
quote $MNQ 21000 21000.25

# 1. a wrong password, then a hang-up during the refusal delay (the delayed reply used to
#    write into the freed client: ASan's use-after-free, a libuv abort in a release build)
peer hangup-auth 20 >/dev/null
sleep 1.5
check "20 hang-ups during the auth refusal: srmd is alive" kill -0 "$SRMDPID"
check "...and answers" guarding
oid=$(order "{\"accountId\":$ACC,\"contractId\":\"$MNQ\",\"type\":1,\"side\":0,\"size\":5,\"limitPrice\":20000}")
check "...and enforces (an order over the limit is cancelled: sim ground truth)" \
	wait_for 5 is_eq 3 sim_order_status "$oid"

# 2. password guessing from new connections each time: the limiter is per uid, not per
#    connection (a fresh srmd: the hang-ups above count as failures too)
kill "$SRMDPID"; wait "$SRMDPID" 2>/dev/null
start_srmd || exit 1
peer guess 10 wrong >"$work/guess.out"
failed=$(grep -c auth_failed "$work/guess.out")
limited=$(grep -c rate_limited "$work/guess.out")
check "10 quick guesses: at most 7 hashed ($failed), the rest refused unhashed ($limited)" \
	sh -c "[ $failed -ge 5 ] && [ $failed -le 7 ] && [ $limited -ge 3 ]"
audits=$(sqlite3 "$DB" "SELECT count(*) FROM audit WHERE ok=0")
check "the audit has a row for the first failure, not one per guess (rows: $audits)" \
	test "$audits" -le 2
logged=$(grep -c 'wrong password' "$work/srmd.log")
check "the log is not flooded by guesses (lines: $logged)" test "$logged" -le 3
peer limit-then correct-horse >"$work/limited.out"
wait_s=$(sed -n 's/.*try again in \([0-9]*\) s.*/\1/p' "$work/limited.out")
check "the right password too is refused unhashed while limited, saying for how long ($(cat "$work/limited.out"))" \
	test -n "$wait_s"
sleep "${wait_s:-1}"; sleep 0.3
check "...and accepted once the spacing has passed" \
	sh -c "'$SRM' admin lockout clear $ACC2 --socket '$SOCK' >/dev/null"

# 3. half requests: each is closed 5 s after it began, and the trader's CLI gets in meanwhile
peer half 30 9 >"$work/half.out" &
halfpid=$!
sleep 0.5
check "with 30 half requests open, srm status still answers" guarding
wait "$halfpid"
check "the half requests are closed by srmd ($(head -1 "$work/half.out"))" grep -q 'closed 30 of 30' "$work/half.out"
first=$(sed -n 's/first_close_s //p' "$work/half.out")
check "...after the partial-request timeout, not before (first closed after ${first}s)" \
	python3 -c "import sys; sys.exit(0 if 4.5 <= $first <= 8.5 else 1)"

# 4. a flood of connections over every cap (idle ones, then the CLI): the oldest idle ones of
#    the flooding uid make room, a subscriber survives, the CLI still answers
peer subscribe 6 >"$work/sub.out" &
subpid=$!
sleep 0.3
peer hold 200 4 >"$work/hold.out" &
holdpid=$!
sleep 1
check "with 200 connections held, srm status still answers" guarding
wait "$holdpid"
wait "$subpid"
check "idle connections over the cap were closed to make room ($(head -1 "$work/hold.out"))" \
	python3 -c "import sys; k=int(open('$work/hold.out').read().split()[1]); sys.exit(0 if k >= 160 else 1)"
check "the subscriber older than the flood was kept" grep -q alive "$work/sub.out"

# 5. the CLI does not die of SIGPIPE when srmd hangs up on it: it says what happened (a
#    daemon that answers `auth` and hangs up before the command)
python3 - "$work/fake.sock" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(4)
c, _ = s.accept()
c.recv(65536)
c.sendall(b'{"id":1,"ok":true,"data":null}\n')
c.close()
PY
fakepid=$!
wait_for 10 test -S "$work/fake.sock"
"$SRM" admin lockout clear "$ACC" --socket "$work/fake.sock" >/dev/null 2>"$work/pipe.err"
rc=$?
check "srm admin against a daemon that hangs up: exit 1, not killed by SIGPIPE (rc $rc)" test "$rc" -eq 1
check "...and it says srmd closed the connection" grep -q 'closed the connection' "$work/pipe.err"
kill "$fakepid" 2>/dev/null

# 6. numbers from the command line are checked at the door: garbage is not "every account"
"$SRM" status --account abc --socket "$SOCK" >"$work/bad.out" 2>"$work/bad.err"
rc=$?
check "srm status --account abc: exit 2 with a message, nothing shown (rc $rc)" \
	sh -c "[ $rc -eq 2 ] && grep -q 'expected a whole number' '$work/bad.err' && [ ! -s '$work/bad.out' ]"
"$SRM" admin lockout set 12x --for 1h --socket "$SOCK" >/dev/null 2>"$work/bad.err"
rc=$?
check "srm admin lockout set 12x: exit 2 (not account 12, not every account)" \
	sh -c "[ $rc -eq 2 ] && grep -q 'ACCOUNT: expected a whole number' '$work/bad.err'"

check "srmd is alive at the end" kill -0 "$SRMDPID"
check "srmd stops cleanly on SIGTERM (exit 0: no leak, no sanitizer report)" stop_srmd
echo "ipc-hostile: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
