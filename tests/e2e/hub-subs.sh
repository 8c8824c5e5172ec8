#!/usr/bin/env bash
# A hub that is up but refuses subscriptions is a blind spot, not a guard (issue 16's
# fail-open): the simulator's hubs accept the connection and refuse every Subscribe*; srmd
# says NOT GUARDED with the refusal, polls over REST so a breach it cannot hear about is still
# enforced (sim ground truth), asks again with backoff, and is guarded once the server confirms.
# usage: hub-subs.sh SRMD SRM SRM-SIM
set -u
SRMD=$1 SRM=$2 SIM=$3
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/srm-e2e-hubsubs.XXXXXX)
. "$here/lib.sh"
trap cleanup EXIT

MNQ=CON.F.US.MNQ.Z26
export SRM_ADMIN_PASSWORD=correct-horse
HASH=$("$SRM" admin passwd 2>/dev/null)

start_sim
write_config
cat >>"$work/srm.yaml" <<'CFG'
alerts:
  guard_after: 2s
CFG
start_srmd || exit 1
isguarded() { status_json | json "d['daemon']['guarded']" | grep -q True; }
check "guarded at the start: every subscription confirmed" wait_for 10 isguarded
quote $MNQ 21000 21000.25
order "{\"accountId\":$ACC,\"contractId\":\"$MNQ\",\"type\":2,\"side\":0,\"size\":1}" >/dev/null
wait_for 5 is_eq 1 sim_pos "$ACC" "$MNQ"

# the hubs drop and come back at once, but refuse every subscription
sim POST /sim/fault '{"kind":"hub_refuse","target":"Subscribe*","count":-1}' >/dev/null
sim POST /sim/fault '{"kind":"drop_hubs"}' >/dev/null
refused() { "$SRM" status --socket "$work/srm.sock" | head -1 | grep -q 'NOT GUARDED: user hub: .* subscriptions refused, asking again (Subscribe'; }
check "srm status: NOT GUARDED, the user hub refuses subscriptions (the reason names one)" \
	wait_for 10 refused
hubup() { status_json | json "(d['daemon']['gateway']['userHub'], d['daemon']['gateway']['userHubSubscriptions']['failed'])" | grep -q "('connected', 7)"; }
check "...though the hub itself is connected (all 7 subscriptions refused, in --json)" hubup
sleep 2.5
order "{\"accountId\":$ACC,\"contractId\":\"$MNQ\",\"type\":2,\"side\":0,\"size\":5}" >/dev/null
check "blind behind a refusing hub, srmd still reduces 6 to the limit of 4 from REST (sim ground truth)" \
	wait_for 15 is_eq 4 sim_pos "$ACC" "$MNQ"
check "...and says it polls" grep -q 'refuses subscriptions with open risk: polling' "$work/srmd.log"
check "srmd asks again with backoff (several refusals of one subscription, one warning each)" \
	sh -c "test \$(grep -c 'subscription refused; asking again' '$work/srmd.log') -le 12"
sim DELETE /sim/fault >/dev/null
check "the refusals end: confirmed, guarded again" wait_for 40 isguarded
check "...and the polling stops" wait_for 5 grep -q 'the user hub is back: no more polling' "$work/srmd.log"

# a hub that never answers its subscriptions (each one times out, is asked again, times out)
# is blind the whole time: srmd keeps polling between the retries
backs=$(grep -c 'the user hub is back: no more polling' "$work/srmd.log")
sim POST /sim/fault '{"kind":"hub_silent","target":"Subscribe*","count":-1}' >/dev/null
sim POST /sim/fault '{"kind":"drop_hubs"}' >/dev/null
timedout() { "$SRM" status --socket "$work/srm.sock" | head -1 | grep -q 'NOT GUARDED: user hub: .* subscriptions refused, asking again (.*no completion within'; }
check "subscriptions never answered: NOT GUARDED once they time out (the reason says so)" wait_for 20 timedout
sleep 4
order "{\"accountId\":$ACC,\"contractId\":\"$MNQ\",\"type\":2,\"side\":0,\"size\":2}" >/dev/null
check "while they are asked again and time out again, a breach is still reduced from REST (sim ground truth)" \
	wait_for 20 is_eq 4 sim_pos "$ACC" "$MNQ"
check "...and srmd never said the hub was back meanwhile" \
	test "$(grep -c 'the user hub is back: no more polling' "$work/srmd.log")" = "$backs"
sim DELETE /sim/fault >/dev/null
check "answered again: guarded" wait_for 60 isguarded
check "srmd stops cleanly" stop_srmd

echo "hub-subs: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
