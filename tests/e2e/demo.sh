#!/usr/bin/env bash
# The demo (`make demo`, scripts/demo.sh) does what its story says: played at speed 2 with
# stdout not a terminal (the monitor then prints its events), every rule the story promises
# fires, on the account it names, first in the story's order, and is shown by the monitor;
# the cooldowns end by themselves, the daily loss lockout holds until the reset, no other rule
# fires, and the demo's summary says all promised rules fired. The journal is the one the demo
# saves ($work/history.json, `srm history --json` before srmd stops).
# usage: demo.sh SRM SRMD SRM-SIM (any order; the demo runs the binaries of their build dir)
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
SRM='' SRMD='' SIM=''
for a in "$@"; do
	case $(basename "$a") in
	srm) SRM=$a ;;
	srmd) SRMD=$a ;;
	srm-sim) SIM=$a ;;
	esac
done
if [ -z "$SRM" ] || [ -z "$SRMD" ] || [ -z "$SIM" ]; then
	echo "usage: $0 SRM SRMD SRM-SIM"
	exit 2
fi
build=$(cd "$(dirname "$SRM")/../.." && pwd)
work=$(mktemp -d /tmp/srm-e2e-demo.XXXXXX)
. "$here/lib.sh"
demo_work=
trap 'cleanup; [ -n "${KEEP:-}" ] || [ -z "$demo_work" ] || rm -rf "$demo_work"' EXIT

speed=2
budget=150
# rule, the account it fires on (1 or 2: the simulator's first or second account), its name
story="RULE-001 1 max_contracts
RULE-002 1 max_contracts_per_instrument
RULE-011 1 symbol_blocks
RULE-008 1 no_stop_loss_grace
RULE-004 1 daily_unrealized_loss
RULE-006 2 trade_frequency_limit
RULE-007 1 cooldown_after_loss
RULE-003 1 daily_realized_loss"

check "the demo runs the binaries given ($build/src/...)" \
	test "$build/src/daemon/srmd" -ef "$SRMD" -a "$build/src/sim/srm-sim" -ef "$SIM"

# while the day plays: the dashboard address the demo prints answers, with its token
dash_probe() {
	local url i
	for i in $(seq 300); do
		url=$(grep -A1 '^== the dashboard' "$work/demo.out" 2>/dev/null | sed -n 's/^   \(http.*\)$/\1/p')
		[ -n "$url" ] && break
		sleep 0.1
	done
	[ -n "$url" ] || return
	curl -s -m 5 -c "$work/dash.jar" -o /dev/null "$url" &&
		curl -s -m 5 -b "$work/dash.jar" "${url%%/\?token=*}/api/status" >"$work/dash.json"
}
dash_probe &
probe=$!
start=$(date +%s)
SRM_DEMO_SPEED=$speed timeout $((budget + 30)) "$root/scripts/demo.sh" "$build" </dev/null >"$work/demo.out" 2>&1
rc=$?
wait "$probe"
took=$(($(date +%s) - start))
demo_work=$(sed -n 's/^(state and logs of this run: \(.*\))$/\1/p' "$work/demo.out")
check "the demo exits 0 (rc $rc)" test "$rc" -eq 0
check "...within ${budget} s at speed $speed (took $took s)" test "$took" -le "$budget"
check "...and saves its journal" test -s "${demo_work:-/nonexistent}/history.json"
hist=${demo_work:-/nonexistent}/history.json
ACC1=$(sed -n 's/^account \([0-9]*\) .*/\1/p' "${demo_work:-/nonexistent}/sim.out" 2>/dev/null | sed -n 1p)
ACC2=$(sed -n 's/^account \([0-9]*\) .*/\1/p' "${demo_work:-/nonexistent}/sim.out" 2>/dev/null | sed -n 2p)
# the monitor's lines: between its heading and the history's
sed -n '/^== srm monitor/,/^== what SRM enforced/p' "$work/demo.out" >"$work/monitor.out"

# jq_hist EXPR: a Python expression on the journal's rows (bound to rows)
jq_hist() { python3 -c "import json,sys; rows=json.load(open(sys.argv[1])); print($1)" "$hist" 2>/dev/null; }
fired_on() { # RULE ACCOUNT
	[ "$(jq_hist "sum(1 for r in rows if r.get('rule')=='$1' and r.get('accountId')==$2)")" -ge 1 ] 2>/dev/null
}
shown() { grep -Eq "^[0-9:]{8} $2 $1 " "$work/monitor.out"; }
has_action() { # RULE ACTION
	[ "$(jq_hist "sum(1 for r in rows if r.get('rule')=='$1' and r.get('action')=='$2')")" -ge 1 ] 2>/dev/null
}
lockout_orders_cancelled() { has_action RULE-006 cancel_order && has_action RULE-007 cancel_order && has_action RULE-003 cancel_order; }
none_not_fired() { ! grep -q "NOT fired" "$work/demo.out"; }

while read -r rule n name; do
	acc=$ACC1
	[ "$n" = 2 ] && acc=$ACC2
	check "$rule ($name) fired on account $n ($acc)" fired_on "$rule" "${acc:-0}"
	check "...and the monitor showed it" shown "$rule" "${acc:-0}"
done <<<"$story"

want=$(echo "$story" | awk '{print $1}' | tr '\n' ' ' | sed 's/ $//')
got=$(jq_hist "' '.join(dict.fromkeys(r.get('rule') for r in rows))")
check "the rules first fired in the story's order (got: ${got:-none})" test "$got" = "$want"
check "RULE-006's cooldown ended by itself (unlock)" has_action RULE-006 unlock
check "RULE-007's cooldown ended by itself (unlock)" has_action RULE-007 unlock
check "RULE-003 locked account 1 out..." has_action RULE-003 lockout
check "...and that lockout holds until the reset (srm lockouts)" \
	grep -Eq "^${ACC1:-0} +RULE-003 .* reset " "$work/demo.out"
check "orders placed during the lockouts were cancelled (RULE-006, 007, 003)" \
	lockout_orders_cancelled
check "the demo's summary says every promised rule fired, in order" \
	grep -q "all 8 rules the story promised fired, in its order" "$work/demo.out"
check "...and names none as not fired" none_not_fired

check "the demo prints the dashboard's address with its token, above the monitor" bash -c \
	"grep -A1 '^== the dashboard' '$work/demo.out' | grep -Eq '^   http://127\.0\.0\.1:[0-9]+/\?token=[0-9a-f]{64}$' &&
	 [ \$(grep -n '^== the dashboard' '$work/demo.out' | cut -d: -f1) -lt \$(grep -n '^== srm monitor' '$work/demo.out' | cut -d: -f1) ]"
served=$(json 'len(d["accounts"])' <"$work/dash.json" 2>/dev/null)
check "...which served both accounts while the day played (${served:-nothing})" test "$served" = 2

if [ "$fail" -gt 0 ]; then
	echo "     the demo's output (last 40 lines):"
	tail -n 40 "$work/demo.out" | sed 's/^/     /'
	[ -n "$demo_work" ] && tail -n 15 "$demo_work/srmd.log" 2>/dev/null | sed 's/^/     srmd: /'
fi
echo "demo: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
