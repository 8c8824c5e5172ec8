#!/usr/bin/env bash
# A long start-up judges risk first (issue 16): with 60 accounts the reconcile needs 181 REST
# calls, more than the 160 the budget gives it per 60 s. The account whose saved book has a
# position is searched first and judged as soon as its own searches are in, so a breach made
# while srmd was down is enforced in the first window (sim ground truth), not a minute later
# after the last account; srm status says how far the reconcile is. The searches wait until
# the user hub has confirmed its subscriptions, so what the close does is seen (no second
# close on a stale book).
# usage: startup-order.sh SRMD SRM SRM-SIM
set -u
SRMD=$1 SRM=$2 SIM=$3
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/srm-e2e-startorder.XXXXXX)
. "$here/lib.sh"
trap cleanup EXIT

day_env
start_sim --accounts 60
LAST=$(sed -n 's/^account \([0-9]*\) .*/\1/p' "$work/sim.out" | tail -n 1)
write_config
# first run: only the last account (its book is saved with 3 MNQ)
sed -i "s/^accounts: all/accounts: [$LAST]/" "$work/srm.yaml"
start_srmd || exit 1
quote $MNQ 21000 21000.25
order "{\"accountId\":$LAST,\"contractId\":\"$MNQ\",\"type\":2,\"side\":0,\"size\":3}" >/dev/null
wait_for 5 is_eq 3 sim_pos "$LAST" "$MNQ"
sleep 1
check "srmd stops cleanly (the book is saved)" stop_srmd
# while srmd is down the trader adds 3: 6, over the limit of 4
order "{\"accountId\":$LAST,\"contractId\":\"$MNQ\",\"type\":2,\"side\":0,\"size\":3}" >/dev/null
wait_for 5 is_eq 6 sim_pos "$LAST" "$MNQ"

sed -i "s/^accounts: \[$LAST\]/accounts: all/" "$work/srm.yaml"
# and the hub refuses the first positions and trades subscriptions: for a second srmd does
# not see positions change (its close's own result among them) and must not act again on
# the stale book
sim POST /sim/fault '{"kind":"hub_refuse","target":"SubscribePositions","count":60}' >/dev/null
sim POST /sim/fault '{"kind":"hub_refuse","target":"SubscribeTrades","count":60}' >/dev/null
t0=$(date +%s)
"$SRMD" --config "$work/srm.yaml" >>"$work/srmd.log" 2>&1 &
SRMDPID=$!
pids+=($SRMDPID)
check "the account with risk in its saved book is reconciled and judged first: 6 reduced to 4 (sim ground truth)" \
	wait_for 20 is_eq 4 sim_pos "$LAST" "$MNQ"
t1=$(date +%s)
progress() { "$SRM" status --socket "$SOCK" | head -1 | grep -q "NOT GUARDED: reconciling with the gateway (start-up): [0-9]* of 60 accounts reconciled"; }
check "...in $((t1 - t0)) s, while the other accounts still wait for the budget (srm status shows the progress; its reply of $("$SRM" status --socket "$SOCK" --json | wc -c) bytes is read whole)" \
	wait_for 5 progress
check "...and srmd is not yet guarding" \
	sh -c "'$SRM' status --socket '$SOCK' --json | grep -q '\"phase\": *\"reconciling\"'"
# the close was decided on a snapshot taken once the hub delivers: its result is seen, so
# the in-flight close is not asked again on a stale book (that closed 6 -> 2 before)
sleep 12
check "no second close on a stale book: still 4 after 12 s (sim ground truth)" is_eq 4 sim_pos "$LAST" "$MNQ"
closes=$(sim GET /sim/requests | json "len([r for r in d['requests'] if r.get('path')=='/api/Position/partialCloseContract'])")
check "...one partial close on the wire ($closes)" test "$closes" = 1
check "srmd stops cleanly mid-reconcile" stop_srmd

echo "startup-order: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
