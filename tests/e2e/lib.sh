# lib.sh: helpers for the end-to-end tests: real srm-sim, real srmd, real srm, on loopback.
# Every wait is bounded; every process is killed on exit.

pass=0
fail=0
pids=()

cleanup() {
	# only the test's own shell cleans up: a forked child that is signalled before it execs
	# (srmd started with & and stopped at once) would run this EXIT trap too
	[ "$BASHPID" = "$$" ] || return 0
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	[ -n "${KEEP:-}" ] || rm -rf "$work"
}

check() {
	local desc=$1
	shift
	if "$@"; then
		echo "ok   $desc"
		pass=$((pass + 1))
	else
		echo "FAIL $desc"
		fail=$((fail + 1))
		[ -f "$work/srmd.log" ] && tail -n 15 "$work/srmd.log" | sed 's/^/     srmd: /'
	fi
}

# json EXPR: evaluate a Python expression on the JSON read from stdin (bound to d).
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

# wait_for SECONDS CMD...: poll every 0.1 s until CMD succeeds.
wait_for() {
	local t=$1
	shift
	local n=$((t * 10)) i
	for ((i = 0; i < n; i++)); do
		if "$@" >/dev/null 2>&1; then return 0; fi
		sleep 0.1
	done
	return 1
}

start_sim() {
	"$SIM" --listen 127.0.0.1:0 --accounts 2 --seed 7 --quote-interval-ms 0 "$@" >"$work/sim.out" 2>"$work/sim.err" &
	pids+=($!)
	SIMPID=$!
	wait_for 10 grep -q '^listening on' "$work/sim.out" || { echo "srm-sim did not start"; cat "$work/sim.err"; exit 1; }
	PORT=$(head -n 1 "$work/sim.out" | sed 's/.*://')
	ACC=$(sed -n 's/^account \([0-9]*\) .*/\1/p' "$work/sim.out" | head -n 1)
	ACC2=$(sed -n 's/^account \([0-9]*\) .*/\1/p' "$work/sim.out" | sed -n 2p)
}

sim() { curl -s -m 5 -X "$1" "http://127.0.0.1:$PORT$2" ${3:+-d "$3"}; }
state() { sim GET /sim/state; }

write_config() {
	cat >"$work/srm.yaml" <<CFG
gateway:
  api_url: http://127.0.0.1:$PORT
  user_hub_url: http://127.0.0.1:$PORT/hubs/user
  market_hub_url: http://127.0.0.1:$PORT/hubs/market
  username: demo
  api_key: demo
accounts: all
daemon:
  state_dir: $work/state
  socket: $work/srm.sock
  log_level: info
  timezone: America/Chicago
  reset_time: "${RESET_TIME:-17:00}"
admin:
  password_hash: "$HASH"
rules:
  max_contracts: {enabled: true, limit: 4, count: net, action: reduce_to_limit, lockout: none}
  daily_realized_loss: {enabled: true, loss_limit: 500, lockout: until_reset}
  symbol_blocks: {enabled: true, symbols: [RTY], close_existing: true}
CFG
}

start_srmd() {
	"$SRMD" --config "$work/srm.yaml" >>"$work/srmd.log" 2>&1 &
	SRMDPID=$!
	pids+=($SRMDPID)
	wait_for 15 guarding || { echo "srmd did not reach guarding"; tail -n 30 "$work/srmd.log"; return 1; }
}

guarding() { "$SRM" status --socket "$work/srm.sock" --json 2>/dev/null | json "d['daemon']['phase']" | grep -q guarding; }

status_json() { "$SRM" status --socket "$work/srm.sock" --json; }

# position size of account $1 in contract $2 at the simulator (0 when none)
sim_pos() { state | json "sum(p['size'] for p in d['positions'] if p['accountId']==$1 and p['contractId']=='$2')"; }
# status of order $1 at the simulator
sim_order_status() { state | json "[o['status'] for o in d['orders'] if o['id']==$1][0]"; }

quote() { sim POST /sim/quote "{\"contractId\":\"$1\",\"bid\":$2,\"ask\":$3}" >/dev/null; }
order() { sim POST /sim/trader/order "$1" | json "d['orderId']"; }

is_zero() { [ "$("$@")" = "0" ]; }
is_eq() { local want=$1; shift; [ "$("$@")" = "$want" ]; }

# stop_srmd: SIGTERM, then srmd's exit status (0: clean; under ASan a leak or a report fails it)
stop_srmd() {
	kill -TERM "$SRMDPID" 2>/dev/null
	wait "$SRMDPID"
}

# start_day: srm-sim, the base config (write_config) and srmd guarding it, the admin password
# set, a quote on MNQ, ES and RTY: the common start of the rooms split from run-e2e.sh.
# day_env: the contracts' ids, the admin password and its hash, the socket and state file.
day_env() {
	ES=CON.F.US.EP.Z26 MNQ=CON.F.US.MNQ.Z26 RTY=CON.F.US.RTY.Z26
	export SRM_ADMIN_PASSWORD=correct-horse
	HASH=$("$SRM" admin passwd 2>/dev/null)
	SOCK="$work/srm.sock"
	DB="$work/state/srm.db"
}

start_day() {
	day_env
	start_sim
	write_config
	start_srmd || exit 1
	quote $MNQ 21000 21000.25
	quote $ES 6000 6000.25
	quote $RTY 2400 2400.1
}
