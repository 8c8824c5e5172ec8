#!/usr/bin/env bash
# Exposure (RULE-001, RULE-011): an over-size position is reduced to the limit, an order that
# would breach is cancelled before it fills and a reducing one is left alone, a refused reload
# keeps the rules, a close filling in two parts is not repeated, two rules closing one contract
# send one close. Real srmd + srm-sim + srm; the simulator's ground truth and the journal.
# usage: exposure.sh SRMD SRM SRM-SIM
set -u
SRMD=$1 SRM=$2 SIM=$3
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/srm-e2e-exposure.XXXXXX)
. "$here/lib.sh"
trap cleanup EXIT

start_day

# 1. over-size: 6 MNQ with a limit of 4 -> reduced to 4 at the simulator, journaled
order "{\"accountId\":$ACC,\"contractId\":\"$MNQ\",\"type\":2,\"side\":0,\"size\":6}" >/dev/null
check "over-size position reduced to the limit (sim ground truth)" wait_for 5 is_eq 4 sim_pos "$ACC" "$MNQ"
check "the reduction is journaled with its outcome" wait_for 3 is_eq 1 sqlite3 "$DB" \
	"SELECT count(*)>0 FROM journal WHERE account_id=$ACC AND rule='RULE-001' AND action='partial_close' AND outcome='ok'"

srm_fills() { sqlite3 "$DB" "SELECT count(*) FROM fills WHERE account_id=$ACC AND srm=1"; }
trades_today() { status_json | json "[a for a in d['accounts'] if a['id']==$ACC][0]['tradesToday']"; }
check "SRM's reducing fill is stored as SRM's own (fills.srm=1)" wait_for 3 is_eq 1 srm_fills
check "it is not one of the trader's trades (tradesToday 1: the buy of 6)" is_eq 1 trades_today

# 2. a working order that would breach is cancelled before it fills
oid=$(order "{\"accountId\":$ACC,\"contractId\":\"$MNQ\",\"type\":1,\"side\":0,\"size\":1,\"limitPrice\":20000}")
check "an order that would breach is cancelled (sim: status Cancelled)" wait_for 5 is_eq 3 sim_order_status "$oid"
# a reducing order is left alone
rid=$(order "{\"accountId\":$ACC,\"contractId\":\"$MNQ\",\"type\":1,\"side\":1,\"size\":1,\"limitPrice\":22000}")
sleep 0.5
check "a reducing order is left working" is_eq 1 sim_order_status "$rid"
sim POST /sim/trader/cancel "{\"accountId\":$ACC,\"orderId\":$rid}" >/dev/null

# 3. a broken config on reload keeps the old rules
cp "$work/srm.yaml" "$work/good.yaml"
printf 'rules:\n  max_contracts: {enabled: true, limit: -3}\n  bogus_key: 1\n' >>"$work/srm.yaml"
check "reload of a broken config is refused" sh -c "! '$SRM' admin config reload --socket '$SOCK' 2>/dev/null"
oid=$(order "{\"accountId\":$ACC,\"contractId\":\"$MNQ\",\"type\":1,\"side\":0,\"size\":1,\"limitPrice\":20000}")
check "the old rules still hold after the refused reload" wait_for 5 is_eq 3 sim_order_status "$oid"
cp "$work/good.yaml" "$work/srm.yaml"

# flat again before the next story (sell the 4 left by the sections above)
order "{\"accountId\":$ACC,\"contractId\":\"$MNQ\",\"type\":2,\"side\":1,\"size\":4}" >/dev/null
wait_for 5 is_zero sim_pos "$ACC" "$MNQ"

# 4. SRM's reducing close fills in two parts, 0.6 s apart (srm-sim's partial_fills fault): the
#     position event between the parts still shows 5 over 4, but the rest is on its way, so
#     SRM asks for nothing more and the position ends at the limit, not under it
sim POST /sim/fault '{"kind":"partial_fills","count":1,"ms":600}' >/dev/null
j0=$(sqlite3 "$DB" "SELECT coalesce(max(id),0) FROM journal")
order "{\"accountId\":$ACC,\"contractId\":\"$MNQ\",\"type\":1,\"side\":0,\"size\":6,\"limitPrice\":21010}" >/dev/null
check "a close filling in two parts: the position ends at the limit (sim ground truth)" \
	wait_for 5 is_eq 4 sim_pos "$ACC" "$MNQ"
sleep 1.5
check "...and stays there: no second close was sent" is_eq 4 sim_pos "$ACC" "$MNQ"
check "one close journaled for it" is_eq 1 sqlite3 "$DB" \
	"SELECT count(*) FROM journal WHERE id>$j0 AND account_id=$ACC AND action IN ('partial_close','close_contract','close_all')"

# 5. two rules on one contract at once: 6 RTY is 2 over the contract limit (RULE-001 takes
#     2 off) and RTY is blocked (RULE-011 closes it): one request, the one that removes the
#     most (the whole position), so RTY ends flat (not 4, not flipped)
order "{\"accountId\":$ACC,\"contractId\":\"$MNQ\",\"type\":2,\"side\":1,\"size\":4}" >/dev/null
wait_for 5 is_zero sim_pos "$ACC" "$MNQ"
j0=$(sqlite3 "$DB" "SELECT coalesce(max(id),0) FROM journal")
order "{\"accountId\":$ACC,\"contractId\":\"$RTY\",\"type\":1,\"side\":0,\"size\":6,\"limitPrice\":2401}" >/dev/null
check "two rules closing one contract at once: it ends flat (sim ground truth)" \
	wait_for 5 is_zero sim_pos "$ACC" "$RTY"
sleep 1
check "...and not flipped" is_zero sim_pos "$ACC" "$RTY"
check "one close of the whole position is journaled, none of a part (journal)" is_eq "1|0" sqlite3 "$DB" \
	"SELECT (SELECT count(*) FROM journal WHERE id>$j0 AND rule='RULE-011' AND action='close_contract' AND outcome='ok'), (SELECT count(*) FROM journal WHERE id>$j0 AND action='partial_close' AND contract_id='$RTY')"

echo "exposure: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
