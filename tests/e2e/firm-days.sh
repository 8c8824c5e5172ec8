#!/usr/bin/env bash
# Two days against a simulator that plays the firm (issue 12, srm-sim --firm-mll): the firm's
# floor trails the end-of-day balance, and so does SRM's (RULE-013); on day 2 the trader's
# losses approach the floor: SRM flattens and locks with the buffer intact and the firm never
# liquidates. The same losses with srmd stopped end in the firm's liquidation. Day 1 also
# reaches the consistency cap (RULE-015: half of the 3,000 target): SRM closes the position.
# usage: firm-days.sh SRMD SRM SRM-SIM
set -u
SRMD=$1 SRM=$2 SIM=$3
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/srm-e2e-firmdays.XXXXXX)
. "$here/lib.sh"
trap cleanup EXIT

NQ=CON.F.US.ENQ.Z26
export SRM_ADMIN_PASSWORD=correct-horse
HASH=$("$SRM" admin passwd 2>/dev/null)
SOCK="$work/srm.sock"

start_sim --firm-mll 2000
write_config
cat >>"$work/srm.yaml" <<'CFG'
  max_loss_limit: {enabled: true, max_loss: 2000, trailing: end_of_day, starting_balance: 50000,
                   lock_at_start: true, buffer: 100, lockout: until_reset}
  consistency: {enabled: true, max_day_share: 0.5, profit_target: 3000}
CFG
start_srmd || exit 1
firm() { state | json "[a['firm']['$2'] for a in d['accounts'] if a['id']==$1][0]"; }
bal() { state | json "[a['balance'] for a in d['accounts'] if a['id']==$1][0]"; }
can_trade() { state | json "[a['canTrade'] for a in d['accounts'] if a['id']==$1][0]"; }
rounded() { python3 -c "print(round($("$@"), 2))"; }
srm_floor() { status_json | json "[r['floor'] for a in d['accounts'] if a['id']==$ACC for r in a['rules'] if 'floor' in r][0]"; }

# day 1: a winning NQ trade (NQ is $20 a point): about +1,000
quote $NQ 21000 21000.25
order "{\"accountId\":$ACC,\"contractId\":\"$NQ\",\"type\":2,\"side\":0,\"size\":1}" >/dev/null
wait_for 10 is_eq 1 sim_pos "$ACC" "$NQ"
quote $NQ 21050.25 21050.5
order "{\"accountId\":$ACC,\"contractId\":\"$NQ\",\"type\":2,\"side\":1,\"size\":1}" >/dev/null
wait_for 10 is_zero sim_pos "$ACC" "$NQ"
day_share() { status_json | json "[r.get('day_share') for a in d['accounts'] if a['id']==$ACC for r in a['rules'] if r['id']=='RULE-015'][0]"; }
check "srm status --json: the day is all of the cycle's profit so far (day_share 1)" wait_for 5 is_eq 1 day_share
check "...and srm status says so" sh -c "'$SRM' status --socket '$SOCK' | grep -q '(100% of the cycle)'"
# consistency: today may make 0.5 x 3,000 = 1,500; +1,000 closed, +800 open reaches it
order "{\"accountId\":$ACC,\"contractId\":\"$NQ\",\"type\":2,\"side\":0,\"size\":1}" >/dev/null
wait_for 10 is_eq 1 sim_pos "$ACC" "$NQ"
quote $NQ 21090.5 21090.75
check "the day's profit reaches the consistency cap: SRM closes the position (sim ground truth)" \
	wait_for 10 is_zero sim_pos "$ACC" "$NQ"
check "...and locks the account out for the day (RULE-015)" \
	sh -c "'$SRM' lockouts --socket '$SOCK' | grep -q 'RULE-015'"
b1=$(bal "$ACC")
# the day ends for both: the firm's, and srmd's reset (an admin reset runs the same trail)
sim POST /sim/firm/day-end '{}' >"$work/dayend.json"
"$SRM" admin reset "$ACC" --socket "$SOCK" >/dev/null
want=$(python3 -c "print(round(min($b1 - 2000, 50000), 2))")
check "day 1 closed at $b1: the firm's floor trailed to $want" is_eq "$want" rounded firm "$ACC" floor
check "...and SRM's floor is the same ($(srm_floor))" wait_for 5 is_eq "$want" rounded srm_floor

# day 2: long 1 NQ, the market falls toward the floor (equity reaches floor + buffer first)
quote $NQ 21000 21000.25
order "{\"accountId\":$ACC,\"contractId\":\"$NQ\",\"type\":2,\"side\":0,\"size\":1}" >/dev/null
wait_for 10 is_eq 1 sim_pos "$ACC" "$NQ"
# equity = balance + 20 x (bid - avg); one step into the buffer, well above the floor
px=$(python3 -c "b=$(bal "$ACC"); f=$want; print(round((21000.25 + (f + 60 - b) / 20) * 4) / 4)")
quote $NQ "$px" "$(python3 -c "print($px + 0.25)")"
check "equity inside the buffer: SRM closes the position (sim ground truth)" wait_for 10 is_zero sim_pos "$ACC" "$NQ"
check "...the firm never liquidated (its floor $(firm "$ACC" floor), balance $(bal "$ACC"))" \
	is_eq False firm "$ACC" liquidated
check "...the account can still trade at the firm" is_eq True can_trade "$ACC"
check "...and SRM locked it out until the reset (RULE-013)" \
	sh -c "'$SRM' lockouts --socket '$SOCK' | grep -q 'RULE-013'"

# the same losses without SRM: the firm liquidates
stop_srmd
quote $NQ 21000 21000.25
order "{\"accountId\":$ACC,\"contractId\":\"$NQ\",\"type\":2,\"side\":0,\"size\":1}" >/dev/null
wait_for 10 is_eq 1 sim_pos "$ACC" "$NQ"
quote $NQ 20800 20800.25
check "without SRM the firm liquidates" wait_for 5 is_eq True firm "$ACC" liquidated
check "...the position is closed" is_zero sim_pos "$ACC" "$NQ"
check "...and the account can no longer trade" is_eq False can_trade "$ACC"
sim POST /sim/trader/order "{\"accountId\":$ACC,\"contractId\":\"$NQ\",\"type\":2,\"side\":0,\"size\":1}" >"$work/refused.json"
check "...an order is refused ($(head -c 100 "$work/refused.json"))" is_eq True json "d['orderId'] is None and d['errorCode'] != 0" <"$work/refused.json"

echo "firm-days: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
