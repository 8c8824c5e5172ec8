#!/usr/bin/env bash
# Enforcement never gives up (issue 9, item 6): while a breach holds, a refused request is
# tried again on the engine's timer (250 ms doubling to 5 s) whatever the account does, and
# an answer that did not cure the breach is followed by a new judgement at once. Bound
# checked here: the breach is gone within 8 s of the gateway accepting requests again
# (5 s backoff cap + the request's round trip + this script's polling).
# usage: gateway-storm.sh SRMD SRM SRM-SIM
set -u
SRMD=$1 SRM=$2 SIM=$3
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/srm-e2e-storm.XXXXXX)
. "$here/lib.sh"
trap cleanup EXIT

MNQ=CON.F.US.MNQ.Z26
export SRM_ADMIN_PASSWORD=correct-horse
HASH=$("$SRM" admin passwd 2>/dev/null)
DB="$work/state/srm.db"

start_sim
write_config
start_srmd || exit 1
quote $MNQ 21000 21000.25

# 1. 429 on every REST path for 6 s, while the trader goes over the limit: the hub still
#    shows the breach, every close is refused; after the storm SRM reduces it by itself
sim POST /sim/fault '{"kind":"http","path":"/api/*","status":429,"count":-1}' >/dev/null
order "{\"accountId\":$ACC,\"contractId\":\"$MNQ\",\"type\":2,\"side\":0,\"size\":6}" >/dev/null
sleep 6
check "during a 6 s 429 storm the position is still over the limit (sim ground truth)" is_eq 6 sim_pos "$ACC" "$MNQ"
refused() { sqlite3 "$DB" "SELECT count(*) FROM journal WHERE account_id=$ACC AND action='partial_close' AND outcome LIKE 'failed%'"; }
n=$(refused)
check "the refused close was tried again during the storm ($n journal rows)" test "$n" -ge 2
sim DELETE /sim/fault >/dev/null
check "after the storm, with no event from the trader, it is reduced to the limit within 8 s" \
	wait_for 8 is_eq 4 sim_pos "$ACC" "$MNQ"
order "{\"accountId\":$ACC,\"contractId\":\"$MNQ\",\"type\":2,\"side\":1,\"size\":4}" >/dev/null
wait_for 5 is_zero sim_pos "$ACC" "$MNQ"

# 2. five 503s on the close endpoint (the REST client's own retries run out first)
sim POST /sim/fault '{"kind":"http","path":"/api/Position/partialCloseContract","status":503,"count":5}' >/dev/null
order "{\"accountId\":$ACC,\"contractId\":\"$MNQ\",\"type\":2,\"side\":0,\"size\":6}" >/dev/null
check "five 503s on the close endpoint: reduced to the limit within 8 s anyway" \
	wait_for 8 is_eq 4 sim_pos "$ACC" "$MNQ"
order "{\"accountId\":$ACC,\"contractId\":\"$MNQ\",\"type\":2,\"side\":1,\"size\":4}" >/dev/null
wait_for 5 is_zero sim_pos "$ACC" "$MNQ"

# 3. a close on the wire when the trader flattens and buys 6 again: the same request is not
#    sent twice, but when the first answer comes the new breach is judged at once (it used
#    to wait 10 s for the closes in flight to lapse)
sim POST /sim/fault '{"kind":"latency","path":"/api/Position/partialCloseContract","ms":1500,"count":1}' >/dev/null
order "{\"accountId\":$ACC,\"contractId\":\"$MNQ\",\"type\":2,\"side\":0,\"size\":6}" >/dev/null
sleep 0.2
sim POST /sim/trader/close "{\"accountId\":$ACC,\"contractId\":\"$MNQ\"}" >/dev/null
sleep 0.3
order "{\"accountId\":$ACC,\"contractId\":\"$MNQ\",\"type\":2,\"side\":0,\"size\":6}" >/dev/null
check "the new 6-lot is reduced soon after the first close's answer (within 5 s, not 10)" \
	wait_for 5 is_eq 4 sim_pos "$ACC" "$MNQ"
sleep 1
check "...and only once (still 4, sim ground truth)" is_eq 4 sim_pos "$ACC" "$MNQ"

check "srmd stops cleanly on SIGTERM (exit 0)" stop_srmd
echo "gateway-storm: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
