#!/usr/bin/env bash
# bench/footprint.sh: srmd's resident memory and start-up time at "guarding" (login, account
# list, and the reconcile of every account done), for each account count given. srmd keeps to
# the gateway's rate budget as it would against the real one (srm-sim itself does not limit:
# --no-rate-limit), so start-up past ~50 accounts is what that budget imposes; the wait for
# "guarding" is bounded by that formula (docs/PERFORMANCE.md) plus a margin, never less.
# Also counts what srmd asked of the gateway: REST calls, and the accounts the user hub was
# asked to send (SubscribeOrders).
# Prints one line and one "BENCH ..." line per count.
# usage: bench/footprint.sh [BUILD_DIR] [COUNTS, e.g. "1 10 100" (default) or "1000"]
# SRMD=path runs another srmd binary (e.g. an older build).
set -u
build=${1:-build}
counts=${2:-1 10 100}
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/$build/src"
srmd=${SRMD:-$bin/daemon/srmd}
for f in "$bin/sim/srm-sim" "$srmd"; do
	[ -x "$f" ] || { echo "footprint.sh: $f missing (build first: make)" >&2; exit 1; }
done
rc=0
for n in $counts; do
	case "$n" in '' | *[!0-9]*) echo "footprint.sh: bad count $n" >&2; exit 2 ;; esac
	work=$(mktemp -d /tmp/srm-footprint.XXXXXX)
	"$bin/sim/srm-sim" --listen 127.0.0.1:0 --accounts "$n" --no-rate-limit --quiet \
		>"$work/sim.out" 2>"$work/sim.log" &
	simpid=$!
	for _ in $(seq 100); do grep -q '^listening on' "$work/sim.out" && break; sleep 0.1; done
	port=$(head -n 1 "$work/sim.out" | sed -n 's/^listening on .*://p')
	if [ -z "$port" ]; then
		echo "footprint.sh: srm-sim did not start with $n accounts" >&2
		cat "$work/sim.log" >&2
		kill "$simpid" 2>/dev/null
		rc=1
		continue
	fi
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
	"$srmd" --config "$work/srm.yaml" 2>"$work/srmd.log" &
	pid=$!
	# 1 + 3n reconcile searches at 160 per 60 s (the budget's reconcile share): the bound
	limit_s=$(( (3 * n + 1) / 160 * 60 + 120 ))
	deadline=$(( $(date +%s) + limit_s ))
	until grep -qs 'msg="guarding" accounts' "$work/srmd.log"; do
		if [ "$(date +%s)" -ge "$deadline" ] || ! kill -0 "$pid" 2>/dev/null; then
			break
		fi
		sleep 0.05
	done
	if ! grep -qs 'msg="guarding" accounts' "$work/srmd.log"; then
		echo "footprint: srmd did not reach guarding with $n accounts within ${limit_s} s" >&2
		tail -n 5 "$work/srmd.log" >&2
		rc=1
	else
		sleep 1 # what the first cron turns add (the books saved)
		rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
		hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
		ms=$(sed -n 's/.*msg="guarding" accounts=[0-9]* startup_ms=\([0-9]*\).*/\1/p' "$work/srmd.log" | head -n 1)
		calls=$(python3 - "$port" <<'PY'
import json, sys, urllib.request
base = f"http://127.0.0.1:{sys.argv[1]}"
seq, rest, subs = 0, 0, set()
while True:
    r = json.load(urllib.request.urlopen(f"{base}/sim/requests?since={seq}", timeout=10))
    for q in r["requests"]:
        if q.get("kind") == "rest":
            rest += 1
        elif q.get("target") == "SubscribeOrders" and q.get("status") == 200:
            subs.add(json.dumps(q.get("arguments")))
    seq = r["lastSeq"]
    if not r.get("more"):
        break
print(rest, len(subs))
PY
)
		set -- $calls
		echo "footprint: srmd guarding $n accounts: VmRSS ${rss} KiB ($((rss / 1024)) MiB," \
			"peak $((hwm / 1024)) MiB); start-up ${ms} ms; $1 REST calls; user hub asked for" \
			"$2 of $n accounts"
		echo "BENCH footprint accounts=$n rss_kib=$rss hwm_kib=$hwm startup_ms=$ms rest_calls=$1 hub_accounts=$2"
		[ "$2" -eq "$n" ] || { echo "footprint: the user hub was not asked for every account" >&2; rc=1; }
	fi
	kill "$pid" "$simpid" 2>/dev/null
	wait "$pid" "$simpid" 2>/dev/null
	[ -n "${KEEP:-}" ] || rm -rf "$work"
done
exit $rc
