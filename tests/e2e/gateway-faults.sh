#!/usr/bin/env bash
# The gateway misbehaves: a hub drop (the reconcile finds what was missed), hostile hub records,
# a 500/429 storm on the close endpoint, a login refused at start-up (retried), and a reconcile
# answer older than the hub's news (it must not undo it).
# usage: gateway-faults.sh SRMD SRM SRM-SIM
set -u
SRMD=$1 SRM=$2 SIM=$3
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/srm-e2e-gateway-faults.XXXXXX)
. "$here/lib.sh"
trap cleanup EXIT

start_day

# a position at the limit of 4 (the stories below push it over)
order "{\"accountId\":$ACC,\"contractId\":\"$MNQ\",\"type\":2,\"side\":0,\"size\":4}" >/dev/null
wait_for 5 is_eq 4 sim_pos "$ACC" "$MNQ"

# 1. hub drop while a position is open: events missed meanwhile are found by the reconcile
sim POST /sim/fault '{"kind":"drop_hubs"}' >/dev/null
order "{\"accountId\":$ACC,\"contractId\":\"$MNQ\",\"type\":2,\"side\":0,\"size\":2}" >/dev/null
check "after a hub drop, reconnect + reconcile still enforce the limit" wait_for 20 is_eq 4 sim_pos "$ACC" "$MNQ"

# 2. hostile records from the gateway: counted and skipped, the connection and the rules hold
sim POST /sim/fault '{"kind":"garbage_hubs"}' >/dev/null
sleep 0.5
check "malformed gateway records are logged, not fatal" sh -c "kill -0 $SRMDPID && grep -q 'malformed message dropped' '$work/srmd.log'"
oid=$(order "{\"accountId\":$ACC,\"contractId\":\"$MNQ\",\"type\":1,\"side\":0,\"size\":1,\"limitPrice\":20000}")
check "after hostile records the hub still delivers and the rules still act" wait_for 5 is_eq 3 sim_order_status "$oid"

# 3. a 5xx and 429 storm during the flatten: the position still ends flat at the limit
sim POST /sim/fault '{"kind":"http","path":"/api/Position/partialCloseContract","status":500,"count":2}' >/dev/null
sim POST /sim/fault '{"kind":"http","path":"/api/Position/partialCloseContract","status":429,"count":1}' >/dev/null
order "{\"accountId\":$ACC,\"contractId\":\"$MNQ\",\"type\":2,\"side\":0,\"size\":3}" >/dev/null
check "a 500/429 storm on the close endpoint: still reduced to the limit" wait_for 20 is_eq 4 sim_pos "$ACC" "$MNQ"
sim DELETE /sim/fault >/dev/null

# 4. the gateway refuses the login at start-up: srmd retries with backoff until it gets in
kill "$SRMDPID"
wait "$SRMDPID" 2>/dev/null
check "SIGTERM: srmd stops cleanly" sh -c "grep -q 'msg=\"stopped\"' '$work/srmd.log'"
sim POST /sim/fault '{"kind":"reject_auth","count":2}' >/dev/null
start_srmd >/dev/null
check "a refused login at start-up is retried until srmd is guarding" guarding
check "the refused logins are logged" sh -c "grep -q 'cannot log in to the gateway; will retry' '$work/srmd.log'"

# 5. a reconcile answer older than the hub's news does not undo it: the hubs drop, the trader
#     buys 2 unseen (6 over 4), the reconcile's positions snapshot is taken then (6) but its
#     answer held back 2.5 s; meanwhile the trader sells the 2 again (the hub says 4). The
#     late snapshot must not make SRM reduce a position that is already at the limit.
seq0=$(sim GET /sim/requests | json "d['lastSeq']")
j0=$(sqlite3 "$DB" "SELECT coalesce(max(id),0) FROM journal")
# count 4: another searchOpen (a guard check of another account) may come first
sim POST /sim/fault '{"kind":"latency","path":"/api/Position/searchOpen","ms":2500,"count":4}' >/dev/null
sim POST /sim/fault '{"kind":"drop_hubs"}' >/dev/null
order "{\"accountId\":$ACC,\"contractId\":\"$MNQ\",\"type\":2,\"side\":0,\"size\":2}" >/dev/null
snapshot_taken() { sim GET "/sim/requests?since=$seq0" | json "[r for r in d['requests'] if r.get('path')=='/api/Position/searchOpen']" | grep -q "$ACC"; }
wait_for 15 snapshot_taken
order "{\"accountId\":$ACC,\"contractId\":\"$MNQ\",\"type\":2,\"side\":1,\"size\":2}" >/dev/null
sleep 4
check "a late reconcile snapshot does not undo newer hub news (sim still at the limit)" \
	is_eq 4 sim_pos "$ACC" "$MNQ"
check "no reduction journaled for the stale snapshot" is_eq 0 sqlite3 "$DB" \
	"SELECT count(*) FROM journal WHERE id>$j0 AND account_id=$ACC AND action IN ('partial_close','close_contract','close_all')"
check "the skipped snapshot row is noted" sh -c "grep -q 'the hub.s news is newer than the snapshot' '$work/srmd.log'"

echo "gateway-faults: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
