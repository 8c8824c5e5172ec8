#!/usr/bin/env bash
# The firm's floor (issue 12): an account picks a profile by its name glob; srm status shows
# the trailing floor and the distance to it; losses near the floor are flattened with the
# buffer intact (the simulator's balance never reaches the floor); the floor survives a
# restart; a looser override of a profiled account is refused at load.
# usage: firm-floor.sh SRMD SRM SRM-SIM
set -u
SRMD=$1 SRM=$2 SIM=$3
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/srm-e2e-floor.XXXXXX)
. "$here/lib.sh"
trap cleanup EXIT

NQ=CON.F.US.ENQ.Z26
day_env

start_sim
write_config
# the simulator's accounts are named PRAC-V2-SIM-<id>: the glob picks them
mkdir -p "$work/profiles"
cat >"$work/profiles/e2e-50k.yaml" <<'PROF'
profile: e2e-50k
rules:
  max_loss_limit: {max_loss: 2000, trailing: end_of_day, starting_balance: 50000,
                   lock_at_start: true, buffer: 100, lockout: until_reset}
  max_contracts: {limit: 5, count: gross, action: reduce_to_limit}
PROF
sed -i "s|^daemon:|daemon:\n  profile_dir: $work/profiles|" "$work/srm.yaml"
cat >>"$work/srm.yaml" <<CFG
profiles:
  - {profile: e2e-50k, accounts: ["PRAC-V2-SIM-*"]}
CFG
start_srmd || exit 1
quote $NQ 21000 21000.25

floor_line() { "$SRM" status --socket "$SOCK" | grep -A6 "account $ACC" | grep -o 'floor [0-9,.]* (distance [0-9,.-]*)'; }
check "srm status shows the floor and the distance to it ($(floor_line))" \
	sh -c "'$SRM' status --socket '$SOCK' | grep -A6 'account $ACC' | grep -q 'floor 48,000.00 (distance 2,000.00)'"
"$SRM" admin config show --effective "$ACC" --socket "$SOCK" >"$work/eff.out" 2>&1
check "config show --effective: the profile's values, and where each comes from" \
	grep -q 'max_loss: 2000.00  # profile e2e-50k' "$work/eff.out"

# NQ is 20 per point: long 1 at 21000.25, then the market falls to 20905/20905.25: open
# -1,902.50, equity 48,097.50, inside the buffer (floor 48,000 + 100): flattened at once
order "{\"accountId\":$ACC,\"contractId\":\"$NQ\",\"type\":2,\"side\":0,\"size\":1}" >/dev/null
wait_for 10 is_eq 1 sim_pos "$ACC" "$NQ"
quote $NQ 20905 20905.25
check "equity within the buffer of the floor: the position is closed (sim ground truth)" \
	wait_for 10 is_zero sim_pos "$ACC" "$NQ"
bal() { state | json "[a['balance'] for a in d['accounts'] if a['id']==$ACC][0]"; }
check "the simulator's balance stays above the floor ($(bal) > 48000): the buffer is intact" \
	python3 -c "import sys; sys.exit(0 if $(bal) > 48000 else 1)"
r013() { sqlite3 "$DB" "SELECT count(*) FROM lockouts WHERE account_id=$ACC AND rule=12"; }
check "RULE-013 locked the account out until the reset" wait_for 5 is_eq 1 r013
check "...journaled with its numbers" \
	sh -c "sqlite3 '$DB' \"SELECT reason FROM journal WHERE rule='RULE-013' AND action='lockout'\" | grep -q 'reached the floor 48000.00 + buffer 100.00'"

# the floor is kept across a restart (the state file's rule memory)
stop_srmd
check "the floor is in the state file" \
	sh -c "sqlite3 '$DB' \"SELECT count(*) FROM rule_memory WHERE account_id=$ACC AND rule='max_loss_limit'\" | grep -qx 1"
start_srmd || exit 1
"$SRM" status --socket "$SOCK" >"$work/status2.out" 2>&1
check "after a restart srm status shows the same floor" \
	sh -c "grep -A6 'account $ACC' '$work/status2.out' | grep -q 'floor 48,000.00'"
stop_srmd

# an override looser than the profile, for an account it names by id: refused at load
cat >>"$work/srm.yaml" <<CFG
  - {profile: e2e-50k, accounts: [$ACC2]}
overrides:
  "$ACC2":
    rules:
      max_contracts: {limit: 9}
CFG
"$SRM" admin config validate "$work/srm.yaml" >"$work/validate.out" 2>&1
rc=$?
check "a looser override of a profiled account is refused at load (rc $rc)" test "$rc" -eq 1
check "...saying which key, both values and why" \
	grep -q "overrides.$ACC2.rules.max_contracts.limit: 9 is looser than profile e2e-50k's 5 (a firm rule" "$work/validate.out"

echo "firm-floor: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
