#!/usr/bin/env bash
# bench/reaction.sh: breach event -> enforcement request on the wire, on the four real breach
# paths, at 0, 1,000 and 10,000 background quotes/s, beside the loopback floor measured in the
# same run (a WebSocket ping on srmd's user-hub connection, answered by its pong). Every time is
# srm-sim's own CLOCK_MONOTONIC: eventsSentNs of the trader's action (its hub records written)
# to tsNs of srmd's request (received), and a ping's write to its pong's arrival.
# Prints p50/p99/max per path and load, absolute and as a ratio to the floor of that load, and
# one "BENCH ..." line per figure (make bench collects them). bench/reaction.py does the work.
# usage: bench/reaction.sh [BUILD_DIR] [N per path and load] [LOADS, e.g. 0,1000,10000]
# SRMD=path runs another srmd binary (e.g. an older build) against this srm-sim and driver.
set -u
build=${1:-build}
n=${2:-200}
loads=${3:-0,1000,10000}
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/$build/src"
case "$n" in '' | *[!0-9]*) echo "usage: bench/reaction.sh [BUILD_DIR] [N] [LOADS]" >&2; exit 2 ;; esac
srmd=${SRMD:-$bin/daemon/srmd}
for f in "$bin/sim/srm-sim" "$srmd" "$bin/cli/srm"; do
	[ -x "$f" ] || { echo "reaction.sh: $f missing (build first: make)" >&2; exit 1; }
done
work=$(mktemp -d /tmp/srm-reaction.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT

# 5 accounts: A fills over max_contracts, B breaks the daily loss, C orders a blocked symbol,
# D is locked out, E holds one lot in each background contract (so srmd subscribes to them).
"$bin/sim/srm-sim" --listen 127.0.0.1:0 --accounts 5 --quote-interval-ms 0 --no-rate-limit \
	--quiet >"$work/sim.out" 2>"$work/sim.log" &
simpid=$!
for _ in $(seq 50); do grep -q '^account 10005' "$work/sim.out" && break; sleep 0.1; done
port=$(head -n 1 "$work/sim.out" | sed -n 's/^listening on .*://p')
[ -n "$port" ] || { echo "reaction.sh: srm-sim did not start" >&2; cat "$work/sim.log" >&2; exit 1; }
hash=$(SRM_ADMIN_PASSWORD=bench "$bin/cli/srm" admin passwd 2>/dev/null)
off='daily_realized_loss: {enabled: false}'
cat >"$work/srm.yaml" <<CFG
gateway: {api_url: "http://127.0.0.1:$port", user_hub_url: "http://127.0.0.1:$port/hubs/user",
          market_hub_url: "http://127.0.0.1:$port/hubs/market", username: demo, api_key: demo}
daemon: {state_dir: "$work/state", socket: "$work/srm.sock", log_level: warn}
admin: {password_hash: "$hash"}
rules:
  max_contracts: {enabled: true, limit: 4, action: reduce_to_limit}
  daily_realized_loss: {enabled: true, loss_limit: 10}
  daily_unrealized_loss: {enabled: true, loss_limit: 100000, scope: position}
  symbol_blocks: {enabled: true, symbols: [RTY], close_existing: true}
overrides:
  "10001": {rules: {$off}}
  "10003": {rules: {$off}}
  "10004": {rules: {$off}}
  "10005": {rules: {$off, max_contracts: {limit: 100}}}
CFG
"$srmd" --config "$work/srm.yaml" 2>"$work/srmd.log" &
srmdpid=$!
for _ in $(seq 300); do
	"$bin/cli/srm" status --socket "$work/srm.sock" --json 2>/dev/null | grep -q '"phase":"guarding"' && break
	sleep 0.1
done
SRM_ADMIN_PASSWORD=bench "$bin/cli/srm" admin lockout set 10004 --permanent --reason bench \
	--socket "$work/srm.sock" >/dev/null || { echo "reaction.sh: lockout not set" >&2; exit 1; }
python3 "$root/bench/reaction.py" "$port" "$work/srm.sock" "$n" "$loads" "$srmdpid" "$simpid"
rc=$?
grep -q 'level=error' "$work/srmd.log" && { echo "reaction.sh: srmd logged errors:" >&2; grep 'level=error' "$work/srmd.log" | head -5 >&2; }
exit $rc
