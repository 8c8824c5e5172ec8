#!/usr/bin/env bash
# A live day replays exactly (issue 10, SPEC §3): srmd --record writes every event its
# engine gets (the gateway's, the executor's answers, admin acts); `srm replay` of that file
# must decide the very actions srmd journaled, in the same order, with the same times.
# usage: record-replay.sh SRMD SRM SRM-SIM
set -u
SRMD=$1 SRM=$2 SIM=$3
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/srm-e2e-record.XXXXXX)
. "$here/lib.sh"
trap cleanup EXIT

day_env

start_sim
write_config
"$SRMD" --config "$work/srm.yaml" --record "$work/day.jsonl" >>"$work/srmd.log" 2>&1 &
SRMDPID=$!
pids+=($SRMDPID)
wait_for 15 guarding || { echo "srmd did not reach guarding"; tail -n 30 "$work/srmd.log"; exit 1; }
quote $MNQ 21000 21000.25
quote $ES 6000 6000.25
quote $RTY 2400 2400.1

# a day with every kind of input: size breaches, a refused close and its retries, a blocked
# symbol, a working order over the limit, admin acts, a daily loss lockout
order "{\"accountId\":$ACC,\"contractId\":\"$MNQ\",\"type\":2,\"side\":0,\"size\":6}" >/dev/null
wait_for 5 is_eq 4 sim_pos "$ACC" "$MNQ"
oid=$(order "{\"accountId\":$ACC,\"contractId\":\"$MNQ\",\"type\":1,\"side\":0,\"size\":1,\"limitPrice\":20000}")
wait_for 5 is_eq 3 sim_order_status "$oid"
sim POST /sim/fault '{"kind":"http","path":"/api/Position/partialCloseContract","status":500,"count":5}' >/dev/null
order "{\"accountId\":$ACC,\"contractId\":\"$MNQ\",\"type\":2,\"side\":0,\"size\":2}" >/dev/null
wait_for 10 is_eq 4 sim_pos "$ACC" "$MNQ"
order "{\"accountId\":$ACC,\"contractId\":\"$RTY\",\"type\":2,\"side\":0,\"size\":1}" >/dev/null
wait_for 5 is_zero sim_pos "$ACC" "$RTY"
"$SRM" admin lockout set "$ACC" --for 1h --reason "e2e record" --socket "$SOCK" >/dev/null
wait_for 5 is_zero sim_pos "$ACC" "$MNQ"
"$SRM" admin lockout clear "$ACC" --socket "$SOCK" >/dev/null
"$SRM" admin enforce "$ACC" RULE-001 --dry-run --socket "$SOCK" >/dev/null
order "{\"accountId\":$ACC2,\"contractId\":\"$ES\",\"type\":2,\"side\":0,\"size\":2}" >/dev/null
sleep 0.3
quote $ES 5988 5988.25
order "{\"accountId\":$ACC2,\"contractId\":\"$ES\",\"type\":2,\"side\":1,\"size\":2}" >/dev/null
locked() { status_json | json "len([a for a in d['accounts'] if a['id']==$ACC2][0]['lockouts'])>0" | grep -q True; }
wait_for 5 locked
oid=$(order "{\"accountId\":$ACC2,\"contractId\":\"$ES\",\"type\":1,\"side\":0,\"size\":1,\"limitPrice\":5900}")
wait_for 5 is_eq 3 sim_order_status "$oid"
"$SRM" admin reset "$ACC2" --socket "$SOCK" >/dev/null
# a reload mid-day tightens max_contracts from 4 to 2 while 3 are held: judged at once
order "{\"accountId\":$ACC,\"contractId\":\"$MNQ\",\"type\":2,\"side\":0,\"size\":3}" >/dev/null
wait_for 5 is_eq 3 sim_pos "$ACC" "$MNQ"
sed -i 's/max_contracts: {enabled: true, limit: 4,/max_contracts: {enabled: true, limit: 2,/' "$work/srm.yaml"
"$SRM" admin config reload --socket "$SOCK" >/dev/null
check "a reload that tightens a limit is enforced at once, not at the next event (sim ground truth)" \
	wait_for 5 is_eq 2 sim_pos "$ACC" "$MNQ"
sleep 1
check "srmd stops cleanly (exit 0)" stop_srmd

check "the recording has the gateway's events, the answers and the admin acts" python3 - "$work/day.jsonl" <<'PY'
import json, sys
kinds = {json.loads(l)["event"] for l in open(sys.argv[1])}
need = {"Recorded", "Config", "GatewayUserPosition", "GatewayUserOrder", "GatewayUserTrade", "GatewayQuote",
        "ActionResult", "AdminLockout", "AdminClear", "AdminEnforce", "AdminReset"}
missing = need - kinds
print("missing:", sorted(missing)) if missing else None
sys.exit(1 if missing else 0)
PY

check "the recording holds the config at start and at the reload, the API key redacted, \${NAME}s as srmd read them" python3 - "$work/day.jsonl" <<'PY'
import json, sys
c = [json.loads(l)["data"] for l in open(sys.argv[1]) if json.loads(l)["event"] == "Config"]
ok = len(c) == 2 and "limit: 4," in c[0]["yaml"] and "limit: 2," in c[1]["yaml"] \
    and not c[0]["judge"] and c[1]["judge"] and all("api_key: demo" not in x["yaml"] for x in c) \
    and all('reset_time: "17:00"' in x["yaml"] and "${RESET_TIME" not in x["yaml"] for x in c)
print(len(c), "Config lines") if not ok else None
sys.exit(0 if ok else 1)
PY
check "the recording is the owner's only (0600)" test "$(stat -c %a "$work/day.jsonl")" = 600
# the replaying shell's environment differs (a ${RESET_TIME} srmd read as 17:00): no matter
RESET_TIME=03:00 "$SRM" replay "$work/day.jsonl" >"$work/replayed.jsonl" 2>"$work/replay.err"
check "srm replay (no --config: the recorded ones) reads the whole recording (no bad line)" test $? -eq 0
sqlite3 -json "$DB" "SELECT ts_ms,account_id,rule,action,coalesce(contract_id,'') contract,coalesce(order_id,0) o,coalesce(size,0) size,reason FROM journal WHERE coalesce(outcome,'') <> 'noted' ORDER BY id" >"$work/journal.json"
check "replaying the recorded day decides exactly the actions srmd journaled" python3 - "$work/journal.json" "$work/replayed.jsonl" <<'PY'
import json, sys, datetime
def ms(iso):
    d = datetime.datetime.strptime(iso.replace("Z", "+0000"), "%Y-%m-%dT%H:%M:%S.%f%z" if "." in iso else "%Y-%m-%dT%H:%M:%S%z")
    return int(d.timestamp() * 1000 + 0.5)
j = [(r["ts_ms"], r["account_id"], r["rule"], r["action"], r["contract"], r["o"], r["size"], r["reason"])
     for r in json.load(open(sys.argv[1]))]
r = []
for line in open(sys.argv[2]):
    a = json.loads(line)
    r.append((ms(a["ts"]), a["accountId"], a["rule"], a["action"], a.get("contractId", ""),
              a.get("orderId", 0), a.get("size", 0), a["reason"]))
if j != r:
    for i in range(max(len(j), len(r))):
        x = j[i] if i < len(j) else None
        y = r[i] if i < len(r) else None
        if x != y:
            print("first difference at", i, "\n journal:", x, "\n replay: ", y)
            break
    print(len(j), "journaled,", len(r), "replayed")
    sys.exit(1)
print(len(j), "actions, the same")
PY
n=$(wc -l <"$work/replayed.jsonl")
check "...and the day had plenty to decide ($n actions)" test "$n" -ge 10
"$SRM" replay --config "$work/srm.yaml" "$work/day.jsonl" >"$work/replayed2.jsonl" 2>"$work/replay2.err"
check "with --config, that config judges the whole day (the recorded ones are said to be unused)" \
	grep -q '2 recorded configs (start, reloads) not used: --config judges the whole day' "$work/replay2.err"
check "...so the day decides differently (a limit of 2 from the start)" \
	sh -c "! cmp -s '$work/replayed.jsonl' '$work/replayed2.jsonl'"
grep -v '"event":"Config"' "$work/day.jsonl" >"$work/noconfig.jsonl"
"$SRM" replay "$work/noconfig.jsonl" >/dev/null 2>"$work/replay3.err"
check "a recording without a Config line and no --config: refused with the reason" \
	sh -c "test $? -eq 2 && grep -q 'no config to judge by' '$work/replay3.err'"
echo "record-replay: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
