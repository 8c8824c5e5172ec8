#!/usr/bin/env bash
# A resync after a hub drop asks only what can have changed (issue 16): an account with a
# position or a working order gets the full look (positions, orders, fills); an account flat
# with nothing working can only have changed through an order placed while the hub was gone,
# so it is asked one Order/search since then, and the full look only when that shows one.
# The trader who opened 6 (over 4) on a flat account during the drop is still reduced (sim
# ground truth), and the resync costs 1 + 3 + 29 + 3 calls instead of 1 + 3 x 30.
# usage: resync.sh SRMD SRM SRM-SIM
set -u
SRMD=$1 SRM=$2 SIM=$3
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/srm-e2e-resync.XXXXXX)
. "$here/lib.sh"
trap cleanup EXIT

day_env
start_sim --accounts 30
T=$(sed -n 's/^account \([0-9]*\) .*/\1/p' "$work/sim.out" | sed -n 20p)
write_config
start_srmd || exit 1
isguarded() { status_json | json "d['daemon']['guarded']" | grep -q True; }
notguarded() { status_json | json "d['daemon']['guarded']" | grep -q False; }
check "guarding 30 accounts" wait_for 15 isguarded
quote $MNQ 21000 21000.25
order "{\"accountId\":$ACC,\"contractId\":\"$MNQ\",\"type\":2,\"side\":0,\"size\":1}" >/dev/null
wait_for 5 is_eq 1 sim_pos "$ACC" "$MNQ"
sleep 0.5
s0=$(sim GET /sim/requests | json "max([r['seq'] for r in d['requests']] or [0])")

# the hubs are down for 3 s; the trader opens 6 on a flat account meanwhile
sim POST /sim/fault '{"kind":"refuse_hubs","ms":3000}' >/dev/null
wait_for 5 notguarded
order "{\"accountId\":$T,\"contractId\":\"$MNQ\",\"type\":2,\"side\":0,\"size\":6}" >/dev/null
check "the hubs come back and srmd is guarded again" wait_for 30 isguarded
check "the flat account that traded during the drop: 6 reduced to 4 (sim ground truth)" \
	wait_for 10 is_eq 4 sim_pos "$T" "$MNQ"
count() { sim GET /sim/requests | json "len([r for r in d['requests'] if r['seq'] > $s0 and r.get('path') == '$1' and ('${2:-}' == '' or r['body'].get('accountId') == int('0${2:-}'))])"; }
n_os=$(count /api/Order/search) n_ps=$(count /api/Position/searchOpen) n_oo=$(count /api/Order/searchOpen) n_ts=$(count /api/Trade/search)
check "Order/search since the drop for every account without risk (29: $n_os)" test "$n_os" = 29
check "the full look only for the account with a position and the one that traded (2 each of positions, orders, fills: $n_ps, $n_oo, $n_ts)" \
	test "$n_ps" = 2 -a "$n_oo" = 2 -a "$n_ts" = 2
check "...one of them the account that traded" test "$(count /api/Position/searchOpen "$T")" = 1
check "the journal says why that account was looked at in full" \
	sh -c "'$SRM' history --socket '$SOCK' --json | grep -q 'placed while disconnected: looked at in full'"
check "srmd stops cleanly" stop_srmd

echo "resync: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
