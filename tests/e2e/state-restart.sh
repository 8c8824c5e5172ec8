#!/usr/bin/env bash
# A second instance, the state file, and restarts (issue 9, items 7 and 10, and the socket
# and state directory of items 4 and 9): one srmd per state directory; a state that would
# silently start from nothing is refused; "guarding" means reconciled; a kill -9 leaves no
# journal row pending; restart loops spare the gateway.
# usage: state-restart.sh SRMD SRM SRM-SIM
set -u
SRMD=$1 SRM=$2 SIM=$3
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/srm-e2e-state.XXXXXX)
. "$here/lib.sh"
trap cleanup EXIT

start_day

# 1. a second srmd on the same state directory exits at once, naming the first
sed "s|socket: .*|socket: $work/second.sock|" "$work/srm.yaml" >"$work/second.yaml"
timeout 10 "$SRMD" --config "$work/second.yaml" >"$work/second.out" 2>&1
rc=$?
check "a second srmd on the same state exits non-zero at once (rc $rc)" test "$rc" -ne 0 -a "$rc" -ne 124
check "...saying which process holds it" grep -q "in use by another srmd (pid $SRMDPID)" "$work/second.out"
order "{\"accountId\":$ACC,\"contractId\":\"$MNQ\",\"type\":2,\"side\":0,\"size\":6}" >/dev/null
check "one guard enforces: 6 over a limit of 4 ends at 4, not 2 (sim ground truth)" \
	wait_for 5 is_eq 4 sim_pos "$ACC" "$MNQ"
sleep 1
check "...and stays at 4" is_eq 4 sim_pos "$ACC" "$MNQ"
order "{\"accountId\":$ACC,\"contractId\":\"$MNQ\",\"type\":2,\"side\":1,\"size\":4}" >/dev/null
wait_for 5 is_zero sim_pos "$ACC" "$MNQ"

# 2. kill -9 while a close is on the wire: its journal row is settled at the restart
sim POST /sim/fault '{"kind":"latency","path":"/api/Position/closeContract","ms":3000,"count":1}' >/dev/null
"$SRM" admin lockout set "$ACC2" --permanent --reason "e2e permanent" --socket "$SOCK" >/dev/null
order "{\"accountId\":$ACC2,\"contractId\":\"$ES\",\"type\":2,\"side\":0,\"size\":1}" >/dev/null
pending() { sqlite3 "$DB" "SELECT count(*) FROM journal WHERE account_id=$ACC2 AND action='close_contract' AND outcome IS NULL"; }
wait_for 5 is_eq 1 pending
kill -9 "$SRMDPID"; wait "$SRMDPID" 2>/dev/null
check "a close was on the wire at the kill -9 (journal row without an answer)" is_eq 1 pending
start_srmd || exit 1
settled() { sqlite3 "$DB" "SELECT outcome FROM journal WHERE account_id=$ACC2 AND action='close_contract' ORDER BY id LIMIT 1"; }
check "after the restart no journal row is pending" is_eq 0 sqlite3 "$DB" "SELECT count(*) FROM journal WHERE outcome IS NULL"
check "the row says the answer was lost, and what the reconcile showed ($(settled))" \
	sh -c "sqlite3 '$DB' \"SELECT outcome FROM journal WHERE account_id=$ACC2 AND action='close_contract' ORDER BY id LIMIT 1\" | grep -q 'unknown: srmd restarted before the answer; after the restart $ES is'"
check "the permanent lockout is still there" sh -c "'$SRM' lockouts --socket '$SOCK' | grep -q 'e2e permanent'"
wait_for 10 is_zero sim_pos "$ACC2" "$ES"

# 3. a failed reconcile at start-up: not guarded, says why, asks again; guarding once it works
stop_srmd
sim POST /sim/fault '{"kind":"http","path":"/api/Trade/search","status":500,"count":-1}' >/dev/null
"$SRMD" --config "$work/srm.yaml" >>"$work/srmd.log" 2>&1 &
SRMDPID=$!; pids+=($SRMDPID)
notguarded() { status_json | json "d['daemon']['guarded']==False and 'not reconciled' in d['daemon']['notGuarded'] and d['daemon']['phase']=='reconciling'" | grep -q True; }
check "while a reconcile search fails: phase reconciling, NOT GUARDED with the reason" wait_for 15 notguarded
check "srm status says NOT GUARDED in words" sh -c "'$SRM' status --socket '$SOCK' | head -1 | grep -q 'NOT GUARDED: not reconciled: /api/Trade/search'"
sim DELETE /sim/fault >/dev/null
check "once the gateway answers, the reconcile is asked again and srmd is guarding" wait_for 20 guarding
isguarded() { status_json | json "d['daemon']['guarded']" | grep -q True; }
check "...and guarded" wait_for 5 isguarded

# 4. the login backoff of a run that could not log in goes on across a kill -9
sim POST /sim/fault '{"kind":"reject_auth","count":1000000}' >/dev/null
stop_srmd
"$SRMD" --config "$work/srm.yaml" >>"$work/srmd.log" 2>&1 &
SRMDPID=$!; pids+=($SRMDPID)
third_try() { status_json 2>/dev/null | json "d['daemon'].get('lastError','')" | grep -q 'attempt 3, next in'; }
wait_for 15 third_try
sleep 0.5
kill -9 "$SRMDPID"; wait "$SRMDPID" 2>/dev/null
logins0=$(sim GET /sim/requests | json "len([r for r in d['requests'] if r.get('path')=='/api/Auth/loginKey'])")
"$SRMD" --config "$work/srm.yaml" >>"$work/srmd.log" 2>&1 &
SRMDPID=$!; pids+=($SRMDPID)
sleep 1
logins1=$(sim GET /sim/requests | json "len([r for r in d['requests'] if r.get('path')=='/api/Auth/loginKey'])")
check "after a kill -9 the new run waits out the last run's login backoff (no login within 1 s: $logins0 -> $logins1)" \
	test "$logins1" -eq "$logins0"
check "...and says so" grep -q 'waiting out its backoff' "$work/srmd.log"
sim DELETE /sim/fault >/dev/null
check "it logs in when the backoff is over" wait_for 20 guarding

# 8. the state is judged at once at start-up: a day's loss under the limit; srmd stopped and
#    the limit lowered under it; at the restart the account is locked out at once, with no
#    new fill (it showed "trading allowed" until the next one)
signed_pos() { state | json "sum((p['size'] if p['type']==1 else -p['size']) for p in d['positions'] if p['accountId']==$ACC and p['contractId']=='$MNQ')"; }
have=$(signed_pos)
if [ "$have" != "0" ]; then
	side=1; [ "$have" -lt 0 ] && side=0
	order "{\"accountId\":$ACC,\"contractId\":\"$MNQ\",\"type\":2,\"side\":$side,\"size\":${have#-}}" >/dev/null
	wait_for 10 is_zero sim_pos "$ACC" "$MNQ"
fi
loss0=$(status_json | json "[a['realizedPnl'] for a in d['accounts'] if a['id']==$ACC][0]")
order "{\"accountId\":$ACC,\"contractId\":\"$MNQ\",\"type\":2,\"side\":0,\"size\":1}" >/dev/null
wait_for 10 is_eq 1 sim_pos "$ACC" "$MNQ"
quote $MNQ 20850 20850.25
order "{\"accountId\":$ACC,\"contractId\":\"$MNQ\",\"type\":2,\"side\":1,\"size\":1}" >/dev/null
wait_for 10 is_zero sim_pos "$ACC" "$MNQ"
quote $MNQ 21000 21000.25
day_loss() { status_json | json "[a['realizedPnl'] for a in d['accounts'] if a['id']==$ACC][0]"; }
loss_in() { day_loss | python3 -c "import sys; v=float(sys.stdin.read()) - ($loss0); sys.exit(0 if $1 <= -v <= $2 else 1)"; }
check "a loss of about 300 more today, under the limit of 500 (day: $(day_loss))" wait_for 10 loss_in 290 320
r003() { sqlite3 "$DB" "SELECT count(*) FROM lockouts WHERE account_id=$ACC AND rule=2"; }
check "...so no RULE-003 lockout yet" is_zero r003
stop_srmd
sed -i 's/loss_limit: 500/loss_limit: 200/' "$work/srm.yaml"
start_srmd || exit 1
check "restarted with the limit at 200: RULE-003 locks the account out at once, with no new fill" \
	wait_for 5 is_eq 1 r003
check "...and srm status says LOCKED OUT" \
	sh -c "'$SRM' status --socket '$SOCK' | grep -A1 'account $ACC' | grep -q 'LOCKED OUT'"
sed -i 's/loss_limit: 200/loss_limit: 500/' "$work/srm.yaml"

# 5. a restart loop: past 5 starts within 30 s, start-up waits before logging in
gone=0
for i in 1 2 3 4 5; do
	stop_srmd
	[ -e "$SOCK" ] || gone=$((gone + 1))
	"$SRMD" --config "$work/srm.yaml" >>"$work/srmd.log" 2>&1 &
	SRMDPID=$!; pids+=($SRMDPID)
	wait_for 5 test -S "$SOCK"
done
check "every stop, even one asked for while starting up, removes the socket ($gone of 5)" test "$gone" -eq 5
check "a restart loop waits before logging in, to spare the rate budget" \
	wait_for 5 grep -q 'started [0-9]* times within 30 s: waiting' "$work/srmd.log"
check "...and srm status says why it is not guarded" \
	sh -c "'$SRM' status --socket '$SOCK' | head -1 | grep -q 'NOT GUARDED: waiting'"
check "...and it guards after the wait" wait_for 20 guarding
stop_srmd

# 6. state files that would silently start from nothing are refused
cp "$DB" "$work/good.db"
: >"$DB"
rm -f "$DB-wal" "$DB-shm"
timeout 10 "$SRMD" --config "$work/srm.yaml" >"$work/empty.out" 2>&1
rc=$?
check "a 0-byte state file is refused (rc $rc)" test "$rc" -eq 2
check "...saying it would forget every lockout and how to begin anew" grep -q 'is empty (0 bytes).*--new-state' "$work/empty.out"
rm -f "$DB"
timeout 10 "$SRMD" --config "$work/srm.yaml" >"$work/missing.out" 2>&1
rc=$?
check "a missing state file where srmd ran before is refused (rc $rc)" test "$rc" -eq 2
check "...saying so" grep -q 'is missing, but srmd has run with this state directory before' "$work/missing.out"
: >"$DB"
"$SRMD" --config "$work/srm.yaml" --new-state >>"$work/srmd.log" 2>&1 &
SRMDPID=$!; pids+=($SRMDPID)
check "--new-state begins anew" wait_for 15 guarding
check "...keeping the empty file aside" sh -c "ls '$work/state' | grep -q 'srm.db.bad-'"
stop_srmd

# 7. a socket path that is not a socket is never removed; a shared socket directory is refused
echo "precious" >"$work/notasocket"
timeout 10 "$SRMD" --config "$work/srm.yaml" --socket "$work/notasocket" >"$work/nas.out" 2>&1
check "--socket at a regular file: refused, and the file is intact" \
	sh -c "grep -q 'is not a socket' '$work/nas.out' && grep -q precious '$work/notasocket'"
mkdir -p "$work/shared" && chmod 1777 "$work/shared"
timeout 10 "$SRMD" --config "$work/srm.yaml" --socket "$work/shared/srm.sock" >"$work/shared.out" 2>&1
check "a socket in a directory others may write is refused" grep -q 'writable by group or others' "$work/shared.out"
chmod 0770 "$work/state"
timeout 10 "$SRMD" --config "$work/srm.yaml" >"$work/gw.out" 2>&1
check "a state directory others may write is refused" grep -q 'state_dir .* is writable by group or others' "$work/gw.out"
chmod 0700 "$work/state"

echo "state-restart: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
