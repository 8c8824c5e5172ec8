#!/usr/bin/env bash
# kill -9 with a position open and no stop on it: after the restart the position keeps its open
# time (the saved book comes back before the reconcile), so RULE-008's grace counts from the
# open, not from the restart, and still closes it.
# usage: grace-restart.sh SRMD SRM SRM-SIM
set -u
SRMD=$1 SRM=$2 SIM=$3
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/srm-e2e-grace-restart.XXXXXX)
. "$here/lib.sh"
trap cleanup EXIT

start_day

# 1. kill -9 with a position open and no stop on it: after the restart the position keeps its
#     open time (the saved book comes back before the reconcile), so RULE-008's grace counts
#     from the open, not from the restart, and still closes it
cat >>"$work/srm.yaml" <<CFG
  no_stop_loss_grace: {enabled: true, grace: 8s, action: close_position}
CFG
"$SRM" admin config reload --socket "$SOCK" >/dev/null
order "{\"accountId\":$ACC,\"contractId\":\"$ES\",\"type\":2,\"side\":0,\"size\":1}" >/dev/null
opened_of() { status_json | json "[p['opened'] for a in d['accounts'] if a['id']==$ACC for p in a['positions'] if p['contractId']=='$ES'][0]" 2>/dev/null; }
wait_for 5 opened_of >/dev/null
before=$(opened_of)
sleep 1 # the book is saved by the 100 ms cron
kill -9 "$SRMDPID"
wait "$SRMDPID" 2>/dev/null
start_srmd
check "after kill -9 an open position keeps its open time ($before)" is_eq "$before" opened_of
check "RULE-008's grace, counted from the open, still closes it (sim ground truth)" \
	wait_for 15 is_zero sim_pos "$ACC" "$ES"
check "the grace close is journaled with its outcome" wait_for 3 is_eq 1 sqlite3 "$DB" \
	"SELECT count(*)>0 FROM journal WHERE account_id=$ACC AND rule='RULE-008' AND action='close_contract' AND outcome='ok'"

echo "grace-restart: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
