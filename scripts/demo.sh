#!/usr/bin/env bash
# make demo: srm-sim plays scenarios/demo-day.jsonl (a compressed trading day), srmd guards its
# accounts with config/srm.demo.yaml, `srm monitor` shows the rules firing; at the end the
# journal says what was enforced and why. No credentials needed; everything stops on exit.
set -u
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/$build/src"
speed=${SRM_DEMO_SPEED:-2}
work=$(mktemp -d /tmp/srm-demo.XXXXXX)
pids=()

cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	sleep 0.3
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== SRM demo: a scripted trading day against the local gateway simulator (x$speed speed)"
"$bin/sim/srm-sim" --listen 127.0.0.1:0 --accounts 2 --quote-interval-ms 0 \
	--scenario "$root/scenarios/demo-day.jsonl" --speed "$speed" >"$work/sim.out" 2>"$work/sim.log" &
pids+=($!)
for _ in $(seq 50); do grep -q '^listening on' "$work/sim.out" && break; sleep 0.1; done
SRM_SIM_PORT=$(head -n 1 "$work/sim.out" | sed 's/.*://')
[ -n "$SRM_SIM_PORT" ] || { echo "srm-sim did not start"; cat "$work/sim.log"; exit 1; }
export SRM_SIM_PORT SRM_DEMO_DIR="$work"
SRM_DEMO_HASH=$(SRM_ADMIN_PASSWORD=demo "$bin/cli/srm" admin passwd 2>/dev/null)
export SRM_DEMO_HASH
export SRM_SOCKET="$work/srm.sock"

"$bin/daemon/srmd" --config "$root/config/srm.demo.yaml" 2>"$work/srmd.log" &
pids+=($!)
for _ in $(seq 100); do
	"$bin/cli/srm" status --json 2>/dev/null | grep -q '"phase":"guarding"' && break
	sleep 0.1
done
echo "== srmd is guarding accounts $(sed -n 's/^account \([0-9]*\) .*/\1/p' "$work/sim.out" | tr '\n' ' ')"
echo "== srm monitor (keys 1-5 switch views, q quits early)"
secs=$((225 / speed + 3))
# in the foreground, so that on a terminal it owns the keyboard (q quits early)
"$bin/cli/srm" monitor --for "$secs"
echo
echo "== what SRM enforced, and why (srm history)"
"$bin/cli/srm" history --limit 200
echo
echo "== lockouts now (srm lockouts)"
"$bin/cli/srm" lockouts
echo
echo "== by rule"
"$bin/cli/srm" history --limit 1000 --json | python3 -c '
import json, sys, collections
rows = json.load(sys.stdin)
c = collections.Counter((r.get("rule", "?"), r.get("action", "?")) for r in rows)
for (rule, action), n in sorted(c.items()):
    print(f"  {rule:9} {action:15} {n}")
'
echo "(state and logs of this run: $work)"
trap - EXIT
cleanup
