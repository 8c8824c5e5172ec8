#!/usr/bin/env bash
# The end of a trading day (issue 13, end_of_day): at the daily reset every guarded account's
# summary reaches the webhook (the day's realized P&L, fees, net, trades, what was enforced by
# which rule, with the numbers in "values"), and `srm report --day` of that day still says it.
# The reset is set to the next minute (reset_time has minute resolution): up to a minute.
# usage: eod.sh SRMD SRM SRM-SIM
set -u
SRMD=$1 SRM=$2 SIM=$3
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/srm-e2e-eod.XXXXXX)
. "$here/lib.sh"
trap cleanup EXIT

MNQ=CON.F.US.MNQ.Z26
export SRM_ADMIN_PASSWORD=correct-horse
HASH=$("$SRM" admin passwd 2>/dev/null)
SOCK="$work/srm.sock"

python3 "$here/sink.py" "$work" >"$work/sink.port" 2>"$work/sink.err" &
pids+=($!)
wait_for 5 test -s "$work/sink.port" || { echo "sink did not start"; exit 1; }
SINK=$(head -n 1 "$work/sink.port")

# resets happen Sunday to Thursday (the CME week): on a Friday or Saturday there is none
# the reset at the next minute, with at least 20 s to trade before it
s=$(date +%S); s=${s#0}
[ "$s" -gt 40 ] && sleep $((61 - s))
# the reset's time, its date (the trading day it ends is that date's) and weekday, in one look
read -r RESET_TIME day wday < <(TZ=America/Chicago date -d '+1 minute' '+%H:%M %F %u')
case $wday in 5 | 6) echo "skip: no daily reset on a Friday or Saturday (CT)"; exit 77 ;; esac
export RESET_TIME
start_sim
write_config
cat >>"$work/srm.yaml" <<CFG
alerts:
  webhook: {url: "http://127.0.0.1:$SINK/hook"}
  events: [end_of_day]
CFG
start_srmd || exit 1
quote $MNQ 21000 21000.25
# a day: 6 lots over a limit of 4 (RULE-001 reduces), then out at a small loss
order "{\"accountId\":$ACC,\"contractId\":\"$MNQ\",\"type\":2,\"side\":0,\"size\":6}" >/dev/null
wait_for 5 is_eq 4 sim_pos "$ACC" "$MNQ"
quote $MNQ 20990 20990.25
order "{\"accountId\":$ACC,\"contractId\":\"$MNQ\",\"type\":2,\"side\":1,\"size\":4}" >/dev/null
wait_for 5 is_zero sim_pos "$ACC" "$MNQ"
before=$(status_json | json "[(a['realizedPnl'], a['fees'], a['tradesToday']) for a in d['accounts'] if a['id']==$ACC][0]")

eod() { python3 - "$work/requests.jsonl" "$1" <<'PY'
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r.get("path") == "/hook":
        b = json.loads(r["body"])
        if b.get("event") == "end_of_day" and b.get("account") == int(sys.argv[2]):
            print(json.dumps(b)); sys.exit(0)
sys.exit(1)
PY
}
check "at the reset ($RESET_TIME CT) an end_of_day alert per account reaches the webhook" \
	wait_for 75 sh -c "$(declare -f eod); work='$work'; eod $ACC && eod $ACC2"
eod "$ACC" >"$work/eod.json" 2>/dev/null
reason=$(json "d['reason']" <"$work/eod.json")
check "...saying the day's P&L, trades and what was enforced by which rule ($reason)" \
	grep -Eq '^day ended: realized -[0-9.]+, fees [0-9.]+, net -[0-9.]+, [0-9]+ trades, 1 enforcement \(RULE-001 x1\)' <<<"$reason"
got=$(json "(d['values']['realizedPnl'], d['values']['fees'], d['values']['trades'])" <"$work/eod.json")
check "...with the numbers in values, as srm status had them before the reset ($got = $before)" \
	test "$got" = "$before"
check "...and an account that did nothing says so" sh -c \
	"$(declare -f eod); work='$work'; eod $ACC2 | grep -q 'realized 0.00, fees 0.00, net 0.00, 0 trades, 0 enforcements'"
"$SRM" report --day "$day" --json --socket "$SOCK" >"$work/report.json" 2>&1
rep=$(json "[(a['realizedPnl'], a['fees'], a['trades']) for a in d['accounts'] if a['id']==$ACC and a['recorded'] and a['enforced']==1][0]" <"$work/report.json" 2>&1)
check "srm report --day $day after the reset: the ended day from the state file ($rep = $before)" \
	test "$rep" = "$before"
check "srmd stops cleanly" stop_srmd

echo "eod: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
