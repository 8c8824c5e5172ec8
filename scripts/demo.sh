#!/usr/bin/env bash
# make demo: srm-sim plays scenarios/demo-day.jsonl (a compressed trading day), srmd guards its
# two accounts with config/srm.demo.yaml, `srm monitor` shows the rules firing (and the
# dashboard, whose address with its token is printed above the monitor); at the end the
# journal says what was enforced and why, and which rules fired. No credentials needed;
# everything stops on exit. Usage: scripts/demo.sh [BUILD_DIR] (relative to the repo or absolute;
# default build). SRM_DEMO_SPEED (default 2): the day is timed for 2.
# tests/e2e/demo.sh runs it and checks the journal ($work/history.json) against the story.
set -u
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
case $build in
/*) bin="$build/src" ;;
*) bin="$root/$build/src" ;;
esac
speed=${SRM_DEMO_SPEED:-2}
work=$(mktemp -d /tmp/srm-demo.XXXXXX)
pids=()
# the rules the story below promises, in the order they first fire
promised="RULE-001 RULE-002 RULE-011 RULE-008 RULE-004 RULE-006 RULE-007 RULE-003"

cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	sleep 0.3
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== SRM demo: a scripted trading day against the local gateway simulator (x$speed speed)"
cat <<'STORY'
   The day (t = real seconds from the start at x2; scenarios/demo-day.jsonl has the details):
   account 1  t=4    a normal winning MNQ trade                 nothing fires
              t=10   buys 6 MNQ (limit 4)                       RULE-001 closes them
              t=14   buys 2 ES (limit 1 ES)                     RULE-002 closes 1
              t=21   buys RTY (a blocked symbol)                RULE-011 closes it, locks RTY out
              t=26   buys ES with a stop, pulls the stop        RULE-008 closes it at t=41 (15 s grace)
              t=50   buys ES, the market falls 29 ticks         RULE-004 closes it at -$362.50 (limit $300)
   account 2  t=58   five quick MES scalps (10 fills)           RULE-006 locks it out 20 s (9 fills/minute)
   account 1  t=71   two more losing ES trades: 3 in a row      RULE-007 locks it out 15 s, then unlocks
              t=99   revenge: ES + MNQ, sells the ES at a loss  RULE-003: day at -$629.50, limit $500:
                                                                MNQ closed, locked out until the reset
   Orders placed during a lockout are cancelled (the monitor shows "locked out by RULE-...").
STORY
[ "$speed" = 2 ] || echo "   (timed for x2: at x$speed the steps move but the grace and cooldowns, real time, do not)"
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
# the same day in a browser: the dashboard's address with its token (`srm dashboard`)
dash_url=$("$bin/cli/srm" dashboard --state-dir "$work/state" 2>/dev/null) ||
	dash_url="(not served: see $work/srmd.log)"
echo "== the dashboard, the same day in a browser (read-only; until the demo ends):"
echo "   $dash_url"
echo "== srm monitor (keys 1-5 switch views, q quits early)"
# the scenario's last step is at 218 s of scenario time; a few seconds more for its effects
secs=$((218 / speed + 6))
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
"$bin/cli/srm" history --limit 1000 --json >"$work/history.json"
# shellcheck disable=SC2086 # one argument per promised rule
python3 - "$work/history.json" $promised <<'PY'
import collections, json, sys
names = {"RULE-001": "max_contracts", "RULE-002": "max_contracts_per_instrument",
         "RULE-003": "daily_realized_loss", "RULE-004": "daily_unrealized_loss",
         "RULE-005": "max_unrealized_profit", "RULE-006": "trade_frequency_limit",
         "RULE-007": "cooldown_after_loss", "RULE-008": "no_stop_loss_grace",
         "RULE-009": "session_block_outside", "RULE-010": "auth_loss_guard",
         "RULE-011": "symbol_blocks", "RULE-012": "trade_management", "RULE-013": "max_loss_limit"}
try:
    rows = json.load(open(sys.argv[1]))
except (OSError, ValueError):
    rows = []
promised = sys.argv[2:]
acts = collections.defaultdict(collections.Counter)
order = []
for r in rows:
    rule = r.get("rule", "?")
    acts[rule][r.get("action", "?")] += 1
    if rule not in order:
        order.append(rule)
for rule in order:
    what = ", ".join(f"{a} {n}" for a, n in sorted(acts[rule].items()))
    print(f"  {rule:9} {names.get(rule, ''):29} fired: {what}")
missing = [r for r in promised if r not in acts]
if missing:
    print("  NOT fired, though the story promised it: " +
          ", ".join(f"{r} ({names.get(r, '?')})" for r in missing))
else:
    seen = [r for r in order if r in promised]
    if seen == promised:
        print(f"  all {len(promised)} rules the story promised fired, in its order")
    else:
        print("  all the promised rules fired, but out of the story's order: " + " ".join(seen))
PY
echo "(state and logs of this run: $work)"
trap - EXIT
cleanup
