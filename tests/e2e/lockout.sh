#!/usr/bin/env bash
# Lockouts (RULE-003): a daily loss flattens and locks out until the reset, the next order is
# cancelled, the lockout survives kill -9; the admin password (wrong: refused; right: clears;
# both audited), admin enforce; hostile IPC clients next to the CLI; a lockout whose flatten the
# gateway refuses is retried on the engine's timer until the position is closed.
# usage: lockout.sh SRMD SRM SRM-SIM
set -u
SRMD=$1 SRM=$2 SIM=$3
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/srm-e2e-lockout.XXXXXX)
. "$here/lib.sh"
trap cleanup EXIT

start_day

# 1. daily loss: flatten + lockout, the next order cancelled, status shows the lockout
order "{\"accountId\":$ACC2,\"contractId\":\"$ES\",\"type\":2,\"side\":0,\"size\":2}" >/dev/null
sleep 0.3
quote $ES 5988 5988.25
order "{\"accountId\":$ACC2,\"contractId\":\"$ES\",\"type\":2,\"side\":1,\"size\":2}" >/dev/null
locked() { status_json | json "[a for a in d['accounts'] if a['id']==$ACC2][0]['lockouts'][0]['until']" | grep -q reset; }
check "daily loss -> lockout until the reset (srm status --json)" wait_for 5 locked
oid=$(order "{\"accountId\":$ACC2,\"contractId\":\"$ES\",\"type\":1,\"side\":0,\"size\":1,\"limitPrice\":5900}")
check "the locked-out trader's next order is cancelled" wait_for 5 is_eq 3 sim_order_status "$oid"
check "srm lockouts names the rule" sh -c "'$SRM' lockouts --socket '$SOCK' | grep -q RULE-003"

# 2. kill -9 right after the lockout: restart, the lockout is still there and enforced
kill -9 "$SRMDPID"
wait "$SRMDPID" 2>/dev/null
start_srmd
check "after kill -9 and restart the lockout is still there" locked
oid=$(order "{\"accountId\":$ACC2,\"contractId\":\"$ES\",\"type\":1,\"side\":0,\"size\":1,\"limitPrice\":5900}")
check "after restart the lockout is still enforced" wait_for 5 is_eq 3 sim_order_status "$oid"

# 3. admin: a wrong password is refused, the right one clears the lockout; both audited
check "a wrong admin password is refused" sh -c "! SRM_ADMIN_PASSWORD=wrong '$SRM' admin lockout clear $ACC2 --socket '$SOCK' 2>/dev/null"
check "the right password clears the lockout" "$SRM" admin lockout clear "$ACC2" --socket "$SOCK"
unlocked() { status_json | json "len([a for a in d['accounts'] if a['id']==$ACC2][0]['lockouts'])" | grep -qx 0; }
check "status shows trading allowed again" unlocked
check "both attempts are in the audit table" is_eq "1|1" sqlite3 "$DB" \
	"SELECT (SELECT count(*)>0 FROM audit WHERE ok=0), (SELECT count(*)>0 FROM audit WHERE ok=1 AND what LIKE 'lockout clear%')"

check "admin enforce runs one rule on demand (within limits: nothing to do)" sh -c \
	"'$SRM' admin enforce $ACC RULE-001 --dry-run --socket '$SOCK' | grep -q 'nothing to enforce'"

# 4. hostile IPC clients do not disturb others
python3 - "$SOCK" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(b"garbage\n{\"id\":1}\n{\"id\":\"x\",\"cmd\":5}\n" + b"A" * 200000 + b"\n\xff\xfe\n")
time.sleep(2)
PY
hostile=$!
slow=$(python3 -c "import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect('$SOCK'); s.sendall(b'{\"id\":1,\"cmd\":\"subscribe\"}\n'); import time; time.sleep(0.1); print('ok')")
check "a status request still answers next to a hostile client" guarding
wait "$hostile" 2>/dev/null
check "srmd is still alive after hostile input" kill -0 "$SRMDPID"

# 5. a lockout's flatten fails (the gateway refuses every close): the lockout stays, the close
#     is retried on the engine's timer (backoff to 5 s) while the gateway refuses, and once
#     closes work again the position is closed without any event from the trader
write_config # the base rules again (no grace rule)
"$SRM" admin config reload --socket "$SOCK" >/dev/null
order "{\"accountId\":$ACC,\"contractId\":\"$MNQ\",\"type\":2,\"side\":0,\"size\":1}" >/dev/null
wait_for 5 is_eq 1 sim_pos "$ACC" "$MNQ"
sim POST /sim/fault '{"kind":"http","path":"/api/Position/closeContract","status":500,"count":-1}' >/dev/null
"$SRM" admin lockout set "$ACC" --for 1h --reason "e2e flatten" --socket "$SOCK" >/dev/null
check "a lockout's close refused by the gateway is journaled as failed" wait_for 15 is_eq 1 \
	sqlite3 "$DB" "SELECT count(*)>0 FROM journal WHERE account_id=$ACC AND action='close_contract' AND outcome LIKE 'failed%' AND reason LIKE '%e2e flatten%'"
check "the position is still open (sim ground truth)" is_eq 1 sim_pos "$ACC" "$MNQ"
retried() { sqlite3 "$DB" "SELECT count(*)>=2 FROM journal WHERE account_id=$ACC AND action='close_contract' AND outcome LIKE 'failed%' AND reason LIKE '%e2e flatten%'"; }
check "while the gateway refuses, the close is tried again with no event from the trader" \
	wait_for 10 is_eq 1 retried
sim DELETE /sim/fault >/dev/null
check "once the gateway takes closes, the retry closes it, still with no event (sim ground truth)" \
	wait_for 10 is_zero sim_pos "$ACC" "$MNQ"
check "that close is journaled as the lockout's, with its outcome" wait_for 3 is_eq 1 sqlite3 "$DB" \
	"SELECT count(*)>0 FROM journal WHERE account_id=$ACC AND rule='ENGINE' AND action='close_contract' AND outcome='ok' AND reason LIKE '%e2e flatten%'"
"$SRM" admin lockout clear "$ACC" --socket "$SOCK" >/dev/null

echo "lockout: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
