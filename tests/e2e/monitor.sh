#!/usr/bin/env bash
# The monitor (issue 14) in a real terminal: tmux at 80x24 and 200x50 (capture-pane): the
# guard's line on top, the key help at the bottom, an account lockout with its countdown, a
# symbol lockout shown as one, the rules in their own units, and no stale frames left in the
# scrollback (the alternate screen); q quits.
# usage: monitor.sh SRMD SRM SRM-SIM
set -u
SRMD=$1 SRM=$2 SIM=$3
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/srm-e2e-monitor.XXXXXX)
. "$here/lib.sh"
TMUX_SOCK="$work/tmux.sock"
tmx() { tmux -S "$TMUX_SOCK" "$@"; }
trap 'tmx kill-server 2>/dev/null; cleanup' EXIT

RTY=CON.F.US.RTY.Z26
export SRM_ADMIN_PASSWORD=correct-horse
HASH=$("$SRM" admin passwd 2>/dev/null)
SOCK="$work/srm.sock"

MNQ=CON.F.US.MNQ.Z26
start_sim
write_config
printf '  no_stop_loss_grace: {enabled: true, grace: 10m}\ndisplay: {timezone: Asia/Tokyo}\n' >>"$work/srm.yaml"
start_srmd || exit 1
quote $RTY 2300 2300.1
quote $MNQ 21000 21000.25
# a symbol lockout on ACC (RTY is blocked), an account lockout of 30 minutes on ACC2
order "{\"accountId\":$ACC,\"contractId\":\"$RTY\",\"type\":2,\"side\":0,\"size\":1}" >/dev/null
wait_for 10 sh -c "'$SRM' lockouts --socket '$SOCK' | grep -q RTY"
"$SRM" admin lockout set "$ACC2" --for 30m --reason "cooling off" --socket "$SOCK" >/dev/null
# a position without a stop: RULE-008 closes it when its 10 minutes of grace end
order "{\"accountId\":$ACC,\"contractId\":\"$MNQ\",\"type\":2,\"side\":0,\"size\":1}" >/dev/null
wait_for 10 is_eq 1 sim_pos "$ACC" "$MNQ"

tmx new-session -d -s mon -x 80 -y 24 "TERM=xterm-256color '$SRM' monitor --socket '$SOCK' --config '$work/srm.yaml'"
sleep 2
cap() { tmx capture-pane -p -t mon; }
cap >"$work/80.txt"
check "80x24: the first line is the guard's state" sh -c "head -n 1 '$work/80.txt' | grep -q '^GUARDED since'"
tokyo=$(TZ=Asia/Tokyo date -d 'TZ="America/Chicago" 17:00' +%H:%M:%S) # 08:00 or 07:00 (DST)
check "80x24: times in the trader's zone (display.timezone Asia/Tokyo: $tokyo) and the exchange's" \
	sh -c "head -n 1 '$work/80.txt' | grep -q 'next reset $tokyo (17:00:00 exchange) (in '"
check "80x24: the key help is on the last line" sh -c "sed -n 24p '$work/80.txt' | grep -q '1 overview 2 positions'"
check "80x24: the locked account says LOCKED OUT with a countdown" \
	grep -Eq "account locked for (29|30):[0-9][0-9] ENGINE: cooling off" "$work/80.txt"
check "80x24: a symbol lockout is a symbol lockout, not the whole account" \
	sh -c "grep -q 'trading (symbols locked)' '$work/80.txt' && grep -q 'RTY locked until' '$work/80.txt'"
check "80x24: rules in their own units (counts as counts)" grep -Eq 'RULE-001 +max_contracts +ok +[0-9]+ of 4 contracts' "$work/80.txt"
check "80x24: no line is wider than the window" sh -c "! awk 'length > 80' '$work/80.txt' | grep -q ."
tmx resize-window -t mon -x 200 -y 50
sleep 2
cap >"$work/200.txt"
check "200x50: redrawn for the new size (key help on line 50)" sh -c "sed -n 50p '$work/200.txt' | grep -q '1 overview'"
check "200x50: the journal from the state file is shown" grep -q 'journal (newest last' "$work/200.txt"
check "200x50: ...with the lockouts in it" grep -q 'RULE-011 lockout' "$work/200.txt"
hist=$(tmx capture-pane -p -t mon -S -1000 | wc -l)
check "no stale frames in the scrollback (alternate screen: $hist lines)" test "$hist" -le 50
tmx send-keys -t mon 2
sleep 1
cap >"$work/v2.txt"
check "key 2: the positions view (accounts and lockouts, no rule lines)" \
	sh -c "grep -q 'LOCKED OUT' '$work/v2.txt' && ! grep -q 'RULE-001 ' '$work/v2.txt'"
check "a position without a stop says when RULE-008 closes it" \
	grep -Eq 'MNQ +\+1 @ .*no stop - closes in (9|10):[0-9][0-9]' "$work/v2.txt"
tmx send-keys -t mon q
sleep 1
check "q quits" sh -c "! tmux -S '$TMUX_SOCK' has-session -t mon 2>/dev/null"

echo "monitor: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
