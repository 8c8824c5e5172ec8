#!/usr/bin/env bash
# Blind with open risk (issue 13): the hubs are down (the simulator refuses them) while a
# position is open; after alerts.guard_after srmd polls positions and orders over REST, so a
# breach it cannot hear about is still enforced (sim ground truth), at a pace far inside the
# gateway's rate budget; when the hubs are back the polling stops.
# usage: blind.sh SRMD SRM SRM-SIM
set -u
SRMD=$1 SRM=$2 SIM=$3
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/srm-e2e-blind.XXXXXX)
. "$here/lib.sh"
trap cleanup EXIT

MNQ=CON.F.US.MNQ.Z26
export SRM_ADMIN_PASSWORD=correct-horse
HASH=$("$SRM" admin passwd 2>/dev/null)

start_sim
write_config
cat >>"$work/srm.yaml" <<'CFG'
  trade_management: {enabled: true, auto_stop: {enabled: true, stop_ticks: 20},
                     breakeven: {enabled: false}}
alerts:
  guard_after: 2s
CFG
start_srmd || exit 1
quote $MNQ 21000 21000.25
order "{\"accountId\":$ACC,\"contractId\":\"$MNQ\",\"type\":2,\"side\":0,\"size\":1}" >/dev/null
wait_for 5 is_eq 1 sim_pos "$ACC" "$MNQ"
searches() { sim GET /sim/requests | json "len([r for r in d['requests'] if r.get('path')=='/api/Position/searchOpen'])"; }
s0=$(searches)

# the hubs go down for 25 s; the trader adds 5 (6 over a limit of 4) where srmd cannot hear it
sim POST /sim/fault '{"kind":"refuse_hubs","ms":25000}' >/dev/null
check "srm status says NOT GUARDED while the hubs are down" \
	wait_for 5 sh -c "'$SRM' status --socket '$work/srm.sock' | head -1 | grep -q 'NOT GUARDED: .*hub'"
sleep 2.5
order "{\"accountId\":$ACC,\"contractId\":\"$MNQ\",\"type\":2,\"side\":0,\"size\":5}" >/dev/null
check "blind, srmd still reduces 6 to the limit of 4 from what REST shows (sim ground truth)" \
	wait_for 15 is_eq 4 sim_pos "$ACC" "$MNQ"
check "...and says it polls" grep -q 'polling positions and orders over REST' "$work/srmd.log"
# a position opened blind on the other account, without a stop: auto_stop gives it one
order "{\"accountId\":$ACC2,\"contractId\":\"$MNQ\",\"type\":2,\"side\":0,\"size\":1}" >/dev/null
stops2() { state | json "len([o for o in d['orders'] if o['accountId']==$ACC2 and o['type']==4 and o['side']==1 and o['status']==1])"; }
check "blind, a new position without a stop gets one (trade_management.auto_stop, sim ground truth)" \
	wait_for 15 is_eq 1 stops2
t_blind=$(date +%s)
sleep 6
s1=$(searches)
check "the polling is gentle: $((s1 - s0)) position searches in ~$(( $(date +%s) - t_blind + 9 )) s blind" \
	test $((s1 - s0)) -ge 2 -a $((s1 - s0)) -le 14
sim DELETE /sim/fault >/dev/null
isguarded() { status_json | json "d['daemon']['guarded']" | grep -q True; }
check "the hubs come back and srmd is guarded again" wait_for 40 isguarded
check "...and the polling stops" wait_for 5 grep -q 'the user hub is back: no more polling' "$work/srmd.log"
check "srmd stops cleanly" stop_srmd

echo "blind: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
