#!/usr/bin/env bash
# Reloads (issue 9, item 8): read off the loop, a hostile file refused quickly with the old
# rules kept, a config of several documents refused (not half read), SIGHUP and the CLI
# both, a client hanging up before its answer.
# usage: config-reload.sh SRMD SRM SRM-SIM
set -u
SRMD=$1 SRM=$2 SIM=$3
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/srm-e2e-reload.XXXXXX)
. "$here/lib.sh"
trap cleanup EXIT

MNQ=CON.F.US.MNQ.Z26
export SRM_ADMIN_PASSWORD=correct-horse
HASH=$("$SRM" admin passwd 2>/dev/null)
SOCK="$work/srm.sock"
peer() { python3 "$here/ipcpeer.py" "$SOCK" "$@"; }

start_sim
write_config
start_srmd || exit 1
quote $MNQ 21000 21000.25
cp "$work/srm.yaml" "$work/good.yaml"

# 1. two YAML documents: refused, the old rules stay
cp "$work/good.yaml" "$work/srm.yaml"
printf -- '---\nrules:\n  max_contracts: {enabled: false}\n' >>"$work/srm.yaml"
"$SRM" admin config reload --socket "$SOCK" >/dev/null 2>"$work/multi.err"
check "a config of two documents is refused" grep -q 'a second YAML document' "$work/multi.err"
oid=$(order "{\"accountId\":$ACC,\"contractId\":\"$MNQ\",\"type\":1,\"side\":0,\"size\":5,\"limitPrice\":20000}")
check "...and the old rules still hold (sim ground truth)" wait_for 5 is_eq 3 sim_order_status "$oid"

# 2. 120 KB of nesting: refused at once (libyaml took 14 s on it), the loop never waits
{ cat "$work/good.yaml"; printf 'x: '; head -c 120000 /dev/zero | tr '\0' '['; echo; } >"$work/srm.yaml"
"$SRM" admin config reload --socket "$SOCK" >/dev/null 2>"$work/deep.err" &
rl=$!
oid=$(order "{\"accountId\":$ACC,\"contractId\":\"$MNQ\",\"type\":1,\"side\":0,\"size\":5,\"limitPrice\":20000}")
check "while a hostile reload is being read, enforcement goes on (sim ground truth)" \
	wait_for 5 is_eq 3 sim_order_status "$oid"
wait "$rl"
check "the deeply nested file is refused, saying why" grep -q 'nested deeper than 32 levels' "$work/deep.err"

# 3. SIGHUP with a valid new config: the new limit applies
sed 's/limit: 4, count: net/limit: 2, count: net/' "$work/good.yaml" >"$work/srm.yaml"
kill -HUP "$SRMDPID"
check "SIGHUP reload is logged" wait_for 5 grep -q 'msg="reloaded"' "$work/srmd.log"
order "{\"accountId\":$ACC,\"contractId\":\"$MNQ\",\"type\":2,\"side\":0,\"size\":3}" >/dev/null
check "the reloaded limit (2) is enforced (sim ground truth)" wait_for 5 is_eq 2 sim_pos "$ACC" "$MNQ"
order "{\"accountId\":$ACC,\"contractId\":\"$MNQ\",\"type\":2,\"side\":1,\"size\":2}" >/dev/null
wait_for 5 is_zero sim_pos "$ACC" "$MNQ"

# 4. reloads from many clients at once, and one that hangs up before the answer
python3 - "$SOCK" >"$work/many.out" <<'PY'
import json, socket, sys
path = sys.argv[1]
def conn():
    s = socket.socket(socket.AF_UNIX); s.connect(path); return s
# authenticate each (admin), ask a reload; one hangs up right after asking
socks = []
for i in range(8):
    s = conn()
    s.sendall(b'{"id":1,"cmd":"auth","args":{"password":"correct-horse"}}\n')
    s.settimeout(30); assert b'"ok":true' in s.recv(4096)
    s.sendall(b'{"id":2,"cmd":"admin.config.reload"}\n')
    if i == 3:
        s.close()
    else:
        socks.append(s)
ok = 0
for s in socks:
    s.settimeout(30)
    if b'"id":2,"ok":true' in s.recv(4096):
        ok += 1
print("answered", ok)
PY
check "several reloads at once are all answered ($(cat "$work/many.out"))" grep -q 'answered 7' "$work/many.out"
check "...and one that hung up before its answer cost nothing" kill -0 "$SRMDPID"
check "...and srm status answers" guarding

cp "$work/good.yaml" "$work/srm.yaml"
check "srmd stops cleanly on SIGTERM (exit 0)" stop_srmd
echo "config-reload: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
