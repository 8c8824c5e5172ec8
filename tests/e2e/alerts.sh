#!/usr/bin/env bash
# Alerts (issue 13): a local sink receives the webhook (JSON, HMAC-signed), ntfy (title,
# priority, token) and the command channel (JSON on stdin); enforcement is not delayed by a
# channel that fails (retried, then delivered); a storm is coalesced by the rate limit; the
# heartbeat arrives at its interval and stops when srmd is stopped; a gateway outage longer
# than guard_after raises guard_degraded, and its end guard_restored.
# usage: alerts.sh SRMD SRM SRM-SIM
set -u
SRMD=$1 SRM=$2 SIM=$3
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/srm-e2e-alerts.XXXXXX)
. "$here/lib.sh"
trap cleanup EXIT

MNQ=CON.F.US.MNQ.Z26
export SRM_ADMIN_PASSWORD=correct-horse
HASH=$("$SRM" admin passwd 2>/dev/null)
SOCK="$work/srm.sock"
SECRET=whs3cr3t-77
export SRM_NTFY_TOKEN=tk-ntfy-41

python3 "$here/sink.py" "$work" >"$work/sink.port" 2>"$work/sink.err" &
pids+=($!)
wait_for 5 test -s "$work/sink.port" || { echo "sink did not start"; exit 1; }
SINK=$(head -n 1 "$work/sink.port")
cat >"$work/cmd.sh" <<'CMD'
#!/bin/sh
cat >>"$(dirname "$0")/cmd.out"
echo >>"$(dirname "$0")/cmd.out"
CMD
chmod +x "$work/cmd.sh"

start_sim
write_config
cat >>"$work/srm.yaml" <<CFG
alerts:
  webhook: {url: "http://127.0.0.1:$SINK/hook", secret: "$SECRET"}
  ntfy: {url: "http://127.0.0.1:$SINK", topic: srm-e2e, token: "\${SRM_NTFY_TOKEN}"}
  command: ["$work/cmd.sh"]
  per_minute: 6
  guard_after: 2s
  heartbeat: {url: "http://127.0.0.1:$SINK/beat", every: 1s}
CFG
sed -i 's|  max_contracts: {enabled: true, limit: 4, count: net, action: reduce_to_limit, lockout: none}|  max_contracts: {enabled: true, limit: 4, count: net, action: reduce_to_limit, lockout: none, warn_at: [0.5]}|' "$work/srm.yaml"
start_srmd || exit 1
quote $MNQ 21000 21000.25

reqs() { python3 -c "
import json,sys
n=0
for l in open('$work/requests.jsonl'):
    r=json.loads(l)
    if $1: n+=1
print(n)" 2>/dev/null || echo 0; }
hook_event() { reqs "r['path']=='/hook' and json.loads(r['body'])['event']=='$1'"; }
has_hook() { [ "$(hook_event "$1")" -ge 1 ]; }

check "daemon_started reaches the webhook" wait_for 10 has_hook daemon_started
sig_ok() { python3 - "$work/requests.jsonl" "$SECRET" <<'PY'
import hashlib, hmac, json, sys
ok = bad = 0
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r["path"] != "/hook":
        continue
    want = "sha256=" + hmac.new(sys.argv[2].encode(), r["body"].encode(), hashlib.sha256).hexdigest()
    if r["headers"].get("X-SRM-Signature") == want:
        ok += 1
    else:
        bad += 1
sys.exit(0 if ok > 0 and bad == 0 else 1)
PY
}
check "...signed: X-SRM-Signature is the HMAC-SHA256 of the body with the secret" sig_ok
ntfy_ok() { [ "$(reqs "r['path']=='/srm-e2e' and r['headers'].get('Authorization')=='Bearer tk-ntfy-41' and r['headers'].get('Title','').startswith('SRM daemon_started')")" -ge 1 ]; }
check "ntfy: POST to the topic with a title and the token" ntfy_ok
check "command: the alert as JSON on its stdin" wait_for 5 grep -q '"event":"daemon_started"' "$work/cmd.out"
check "the secrets are not in srmd's log" sh -c "! grep -q -e '$SECRET' -e 'tk-ntfy-41' '$work/srmd.log'"

# a breach: enforced and lockout events; while the webhook fails, enforcement is not delayed
touch "$work/fail"
t0=$(date +%s%N)
order "{\"accountId\":$ACC,\"contractId\":\"$MNQ\",\"type\":2,\"side\":0,\"size\":6}" >/dev/null
check "with the webhook failing, SRM still reduces 6 to 4 at once (sim ground truth)" wait_for 5 is_eq 4 sim_pos "$ACC" "$MNQ"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check "...within 2 s of the order ($ms ms)" test "$ms" -lt 2000
sleep 2
rm -f "$work/fail"
check "the failed webhook is retried: the enforcement alert arrives once it answers" wait_for 15 has_hook enforced
fivehundred() { [ "$(reqs "r['path']=='/hook'")" -gt "$(hook_event daemon_started)" ]; }
check "...after failing attempts (retried, not lost)" fivehundred

# a storm of warn alerts (50% of the contract limit, again and again): coalesced
for i in 1 2 3 4 5 6 7 8; do
	order "{\"accountId\":$ACC2,\"contractId\":\"$MNQ\",\"type\":2,\"side\":0,\"size\":2}" >/dev/null
	wait_for 5 is_eq 2 sim_pos "$ACC2" "$MNQ"
	order "{\"accountId\":$ACC2,\"contractId\":\"$MNQ\",\"type\":2,\"side\":1,\"size\":2}" >/dev/null
	wait_for 5 is_zero sim_pos "$ACC2" "$MNQ"
done
coalesced() { status_json | json "d['daemon']['alerts']['coalesced']"; }
some_coalesced() { [ "$(coalesced)" -gt 0 ]; }
check "a storm over per_minute is held back and counted ($(coalesced) coalesced)" some_coalesced
per_min() { reqs "r['path']=='/hook' and time.time()-r['t'] < 60" 2>/dev/null; }
hooks=$(python3 -c "
import json,time
ts=[json.loads(l)['t'] for l in open('$work/requests.jsonl') if json.loads(l)['path']=='/hook']
print(max(sum(1 for u in ts if t-60 < u <= t) for t in ts))")
check "...no minute carries more than per_minute webhooks plus the critical ones ($hooks)" test "$hooks" -le 9

# the heartbeat: every second while guarded; none while srmd is stopped
beats() { reqs "r['path']=='/beat'"; }
b0=$(beats); sleep 3; b1=$(beats)
check "heartbeats arrive every second ($b0 -> $b1 in 3 s)" test $((b1 - b0)) -ge 2
kill -STOP "$SRMDPID"
b2=$(beats); sleep 3; b3=$(beats)
kill -CONT "$SRMDPID"
check "...and stop while srmd is stopped ($b2 -> $b3): the dead man's switch fires" test "$b3" -eq "$b2"

# an outage longer than guard_after: guard_degraded, /fail pings, then guard_restored
kill -9 "$SIMPID"
wait "$SIMPID" 2>/dev/null
check "the gateway gone longer than guard_after: guard_degraded" wait_for 10 has_hook guard_degraded
check "...and the heartbeat says /fail" wait_for 5 sh -c "[ \"\$(python3 -c \"import json; print(sum(1 for l in open('$work/requests.jsonl') if json.loads(l)['path']=='/beat/fail'))\")\" -ge 1 ]"
"$SIM" --listen "127.0.0.1:$PORT" --accounts 2 --seed 7 --quote-interval-ms 0 >"$work/sim2.out" 2>"$work/sim2.err" &
pids+=($!)
check "the gateway back: guard_restored" wait_for 30 has_hook guard_restored

stop_srmd
rc=$?
check "srmd exits cleanly (rc $rc; under ASan: nothing leaked)" test "$rc" -eq 0
check "daemon_stopping reaches the webhook before srmd exits" has_hook daemon_stopping

echo "alerts: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
