#!/usr/bin/env bash
# bench/footprint.sh: srmd's resident memory guarding N accounts, and its start-up time to
# "guarding" (login + reconcile round-trips on loopback included).
# usage: bench/footprint.sh [BUILD_DIR] [N]
set -u
build=${1:-build}
n=${2:-100}
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/$build/src"
work=$(mktemp -d /tmp/srm-footprint.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
"$bin/sim/srm-sim" --listen 127.0.0.1:0 --accounts "$n" --no-rate-limit --quiet >"$work/sim.out" 2>/dev/null &
for _ in $(seq 50); do grep -q '^listening on' "$work/sim.out" && break; sleep 0.1; done
port=$(head -n 1 "$work/sim.out" | sed 's/.*://')
cat >"$work/srm.yaml" <<CFG
gateway: {api_url: "http://127.0.0.1:$port", user_hub_url: "http://127.0.0.1:$port/hubs/user",
          market_hub_url: "http://127.0.0.1:$port/hubs/market", username: demo, api_key: demo}
daemon: {state_dir: "$work/state", socket: "$work/srm.sock", log_level: info}
rules:
  max_contracts: {enabled: true, limit: 4}
  daily_realized_loss: {enabled: true, loss_limit: 500}
  daily_unrealized_loss: {enabled: true, loss_limit: 300}
  trade_frequency_limit: {enabled: true}
  cooldown_after_loss: {enabled: true}
  no_stop_loss_grace: {enabled: true}
  auth_loss_guard: {enabled: true}
  symbol_blocks: {enabled: true, symbols: [RTY]}
CFG
"$bin/daemon/srmd" --config "$work/srm.yaml" 2>"$work/srmd.log" &
pid=$!
for _ in $(seq 200); do grep -q 'msg="guarding" accounts' "$work/srmd.log" && break; sleep 0.05; done
sleep 1
rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
start=$(sed -n 's/.*msg="guarding" accounts=\([0-9]*\) startup_ms=\([0-9]*\).*/accounts=\1 startup_ms=\2/p' "$work/srmd.log")
echo "footprint: srmd guarding $n accounts: VmRSS ${rss} KiB ($((rss / 1024)) MiB); $start"
