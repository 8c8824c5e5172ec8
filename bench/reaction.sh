#!/usr/bin/env bash
# bench/reaction.sh: breach event -> enforcement request on the wire, measured by srm-sim's own
# clock (CLOCK_MONOTONIC): eventsSentNs of a trader order that a lockout forbids, and tsNs of
# the Order/cancel srmd sends for it. Prints p50/p90/p99/max over N orders.
# usage: bench/reaction.sh [BUILD_DIR] [N]
set -u
build=${1:-build}
n=${2:-500}
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/$build/src"
work=$(mktemp -d /tmp/srm-reaction.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT

"$bin/sim/srm-sim" --listen 127.0.0.1:0 --accounts 1 --quote-interval-ms 0 --no-rate-limit --quiet \
	>"$work/sim.out" 2>"$work/sim.log" &
for _ in $(seq 50); do grep -q '^listening on' "$work/sim.out" && break; sleep 0.1; done
port=$(head -n 1 "$work/sim.out" | sed 's/.*://')
acc=$(sed -n 's/^account \([0-9]*\) .*/\1/p' "$work/sim.out" | head -n 1)
hash=$(SRM_ADMIN_PASSWORD=bench "$bin/cli/srm" admin passwd 2>/dev/null)
cat >"$work/srm.yaml" <<CFG
gateway: {api_url: "http://127.0.0.1:$port", user_hub_url: "http://127.0.0.1:$port/hubs/user",
          market_hub_url: "http://127.0.0.1:$port/hubs/market", username: demo, api_key: demo}
daemon: {state_dir: "$work/state", socket: "$work/srm.sock", log_level: warn}
admin: {password_hash: "$hash"}
rules:
  max_contracts: {enabled: true, limit: 4}
  daily_realized_loss: {enabled: true, loss_limit: 500}
CFG
"$bin/daemon/srmd" --config "$work/srm.yaml" 2>"$work/srmd.log" &
for _ in $(seq 100); do
	"$bin/cli/srm" status --socket "$work/srm.sock" --json 2>/dev/null | grep -q '"phase":"guarding"' && break
	sleep 0.1
done
SRM_ADMIN_PASSWORD=bench "$bin/cli/srm" admin lockout set "$acc" --permanent --reason bench \
	--socket "$work/srm.sock" >/dev/null
curl -s -X POST "http://127.0.0.1:$port/sim/quote" -d '{"contractId":"CON.F.US.MNQ.Z26","bid":21000,"ask":21000.25}' >/dev/null

python3 - "$port" "$acc" "$n" <<'PY'
import json, sys, time, urllib.request
port, acc, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
base = f"http://127.0.0.1:{port}"
def post(path, body):
    req = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="POST")
    return json.load(urllib.request.urlopen(req, timeout=5))
sent = {}
for i in range(n):
    r = post("/sim/trader/order", {"accountId": acc, "contractId": "CON.F.US.MNQ.Z26", "type": 1,
                                   "side": 0, "size": 1, "limitPrice": 20000})
    sent[r["orderId"]] = r["eventsSentNs"]
    time.sleep(0.005)
time.sleep(0.5)
reqs = json.load(urllib.request.urlopen(base + "/sim/requests?since=0", timeout=5))
reqs = reqs["requests"] if isinstance(reqs, dict) else reqs
lat = []
for q in reqs:
    if q.get("path") == "/api/Order/cancel":
        oid = q.get("body", {}).get("orderId")
        if oid in sent:
            lat.append((q["tsNs"] - sent.pop(oid)) / 1000.0)
lat.sort()
if not lat:
    print("reaction: no cancels seen"); sys.exit(1)
pct = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))]
print(f"reaction (order event sent -> Order/cancel received, srm-sim clock): n={len(lat)} "
      f"missing={len(sent)} p50={pct(0.5):.0f}us p90={pct(0.9):.0f}us p99={pct(0.99):.0f}us max={lat[-1]:.0f}us")
PY
