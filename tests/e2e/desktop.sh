#!/usr/bin/env bash
# Desktop notifications (issue 13, alerts.desktop) on a real D-Bus: a private dbus-daemon
# (its socket in the work dir) and notify-peer, a notification server that owns
# org.freedesktop.Notifications and prints each Notify as a JSON line. An enforcement in the
# simulator gives a Notify (app SRM, summary = the title, body = the reason, urgency 2); with
# no one owning the name the alert is retried, then journaled as undelivered, while srmd
# keeps enforcing; a bus that goes away is noticed, a socket in its place that never answers
# holds nothing up (10 s deadline, enforcement goes on), and a bus that comes back is
# reconnected to; with no session bus at all srmd says so once and runs as always.
# usage: desktop.sh SRMD SRM SRM-SIM NOTIFY-PEER
set -u
SRMD=$1 SRM=$2 SIM=$3 PEER=$4
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/srm-e2e-desktop.XXXXXX)
. "$here/lib.sh"
trap cleanup EXIT

command -v dbus-daemon >/dev/null || { echo "skip: no dbus-daemon (apt-get install dbus-daemon)"; exit 77; }
MNQ=CON.F.US.MNQ.Z26
KEY=desk-key-5a7c91
export SRM_ADMIN_PASSWORD=correct-horse
HASH=$("$SRM" admin passwd 2>/dev/null)
BUS=unix:path=$work/bus

# a session bus of our own: no service files, so nothing is activated in the peer's place
cat >"$work/bus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>$BUS</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
CONF
start_bus() {
	rm -f "$work/bus" "$work/bus.addr"
	dbus-daemon --config-file="$work/bus.conf" --print-address=1 --nofork >"$work/bus.addr" 2>"$work/bus.err" &
	BUSPID=$!
	pids+=($BUSPID)
	wait_for 5 test -s "$work/bus.addr" || { echo "dbus-daemon did not start"; cat "$work/bus.err"; exit 1; }
}
readies() { [ "$(grep -c '"ready"' "$work/notes.jsonl")" -ge "$1" ]; }
start_peer() {
	local n=$(($(grep -c '"ready"' "$work/notes.jsonl") + 1))
	DBUS_SESSION_BUS_ADDRESS=$BUS "$PEER" "$@" >>"$work/notes.jsonl" 2>"$work/peer.err" &
	PEERPID=$!
	pids+=($PEERPID)
	# it says ready once it owns the name
	wait_for 5 readies "$n" || { echo "notify-peer did not start"; cat "$work/peer.err"; exit 1; }
}
# the notifications whose summary starts with $1: a JSON list
notes() { python3 - "$work/notes.jsonl" "$1" <<'PY'
import json, sys
out = []
for l in open(sys.argv[1]):
    n = json.loads(l)
    if n.get("summary", "").startswith(sys.argv[2]):
        out.append(n)
print(json.dumps(out))
PY
}
has_note() { [ "$(notes "$1" | json "len(d)")" -ge "${2:-1}" ]; }
# the reason of the command channel's alerts of event $1 (the same alert, as JSON)
reasons() { python3 - "$work/cmd.out" "$1" <<'PY'
import json, sys
for l in open(sys.argv[1]):
    l = l.strip()
    if l and json.loads(l)["event"] == sys.argv[2]:
        print(json.loads(l)["reason"])
PY
}
undelivered() { "$SRM" history --socket "$work/srm.sock" --json --limit 200 2>/dev/null |
	json "sum(1 for r in d if r.get('action') == 'alert_undelivered' and 'by desktop' in r.get('reason', ''))"; }
has_undelivered() { [ "$(undelivered)" -ge 1 ]; }
# buy $2 on account $1 and wait until SRM has brought it back to the limit of 4
breach() {
	order "{\"accountId\":$1,\"contractId\":\"$MNQ\",\"type\":2,\"side\":0,\"size\":$2}" >/dev/null
	wait_for 5 is_eq 4 sim_pos "$1" "$MNQ"
}

cat >"$work/cmd.sh" <<'CMD'
#!/bin/sh
cat >>"$(dirname "$0")/cmd.out"
echo >>"$(dirname "$0")/cmd.out"
CMD
chmod +x "$work/cmd.sh"
touch "$work/cmd.out" "$work/notes.jsonl"
start_sim --user demo --key "$KEY"
write_config
sed -i "s/api_key: demo/api_key: $KEY/" "$work/srm.yaml"
cat >>"$work/srm.yaml" <<CFG
alerts:
  desktop: true
  command: ["$work/cmd.sh"]
CFG
quote $MNQ 21000 21000.25

# 1. no session bus (a server, WSL 2): one log line, srmd guards as always
mkdir -m 700 "$work/rt-nobus"
(unset DBUS_SESSION_BUS_ADDRESS; XDG_RUNTIME_DIR=$work/rt-nobus exec "$SRMD" --config "$work/srm.yaml") \
	>>"$work/srmd.log" 2>&1 &
SRMDPID=$!
pids+=($SRMDPID)
check "no session bus: srmd reaches guarding" wait_for 15 guarding
check "...and still enforces: 6 lots over a limit of 4 are reduced to 4 (sim ground truth)" breach "$ACC2" 6
check "...the other channels still get the alerts (command: enforced)" wait_for 5 grep -q '"event":"enforced"' "$work/cmd.out"
skipped=$(grep -c 'desktop notifications skipped' "$work/srmd.log")
check "...one log line says why desktop notifications are skipped ($skipped)" test "$skipped" -eq 1
check "...naming what is missing" grep -q 'why="no session bus' "$work/srmd.log"
check "...and no desktop delivery is tried" sh -c "! grep -q 'channel=desktop' '$work/srmd.log'"
check "...and sd-bus is not even loaded (libsystemd only when there is a bus)" sh -c "! grep -q libsystemd /proc/$SRMDPID/maps"
stop_srmd
rc=$?
check "...srmd stops cleanly (rc $rc)" test "$rc" -eq 0

# 2. a session bus with a notification server: a Notify per alert, as documented
start_bus
start_peer
: >"$work/cmd.out"
export DBUS_SESSION_BUS_ADDRESS=$BUS
start_srmd || exit 1
check "daemon_started: a notification" wait_for 10 has_note 'SRM daemon_started'
check "...sent through libsystemd's sd-bus, loaded now" grep -q libsystemd "/proc/$SRMDPID/maps"
note_ok() { notes "$1" | json "$2" | grep -qx True; }
check "...from app SRM, summary 'SRM daemon_started', the reason as body, urgency normal (1)" note_ok \
	'SRM daemon_started' "d[0]['app_name'] == 'SRM' and d[0]['summary'] == 'SRM daemon_started' and d[0]['body'].startswith('srmd started and guards') and d[0]['urgency'] == 1"
check "a breach (6 lots, limit 4) is reduced to 4 (sim ground truth)" breach "$ACC" 6
ENF="SRM enforced: account $ACC RULE-001"
check "...and gives a notification '$ENF'" wait_for 10 has_note "$ENF"
want=$(reasons enforced | head -n 1)
body=$(notes "$ENF" | json "d[0]['body']")
check "...its body is the alert's reason, as the command channel got it ($body)" test -n "$want" -a "$body" = "$want"
check "...urgency critical (2), app SRM, default expiry" note_ok "$ENF" \
	"d[0]['urgency'] == 2 and d[0]['app_name'] == 'SRM' and d[0]['expire_timeout'] == -1"
check "no notification carries the API key" sh -c "! grep -q '$KEY' '$work/notes.jsonl'"

# 3. no one owns org.freedesktop.Notifications: retried, then journaled; enforcing goes on
kill -TERM "$PEERPID"
wait "$PEERPID" 2>/dev/null
n0=$(wc -l <"$work/notes.jsonl")
order "{\"accountId\":$ACC,\"contractId\":\"$MNQ\",\"type\":2,\"side\":0,\"size\":3}" >/dev/null
check "notification server gone: srmd still reduces 7 to 4 (sim ground truth)" wait_for 5 is_eq 4 sim_pos "$ACC" "$MNQ"
check "...the Notify fails as the bus says (ServiceUnknown) and is retried" wait_for 5 grep -Eq \
	'channel=desktop event=enforced try=1 why="(Notify|GetCapabilities): org.freedesktop.DBus.Error.ServiceUnknown' "$work/srmd.log"
check "...after 5 tries it is journaled as undelivered (srm history)" wait_for 25 has_undelivered
check "...srmd guards throughout" guarding
n1=$(wc -l <"$work/notes.jsonl")
check "...and nothing was shown meanwhile ($n0 -> $n1 lines)" test "$n0" -eq "$n1"

# 4. the bus goes away; a socket in its place that never answers; then a bus again
kill -TERM "$BUSPID"
wait "$BUSPID" 2>/dev/null
check "the bus gone: srmd notices the connection closed" wait_for 5 grep -q 'session bus connection closed' "$work/srmd.log"
rm -f "$work/bus"
python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1]); s.listen(8)
conns = []
while True:
    conns.append(s.accept()[0])      # never a word back: sd-bus waits for its AUTH reply
    print("accepted", flush=True)
' "$work/bus" >"$work/hang.out" 2>&1 &
HANGPID=$!
pids+=($HANGPID)
wait_for 5 test -S "$work/bus"
order "{\"accountId\":$ACC,\"contractId\":\"$MNQ\",\"type\":2,\"side\":0,\"size\":1}" >/dev/null
check "a bus that never answers: srmd reduces 5 to 4 (sim ground truth)" wait_for 5 is_eq 4 sim_pos "$ACC" "$MNQ"
check "...its alert is on the silent socket" wait_for 5 grep -q accepted "$work/hang.out"
t0=$(date +%s%N)
order "{\"accountId\":$ACC,\"contractId\":\"$MNQ\",\"type\":2,\"side\":0,\"size\":2}" >/dev/null
wait_for 5 is_eq 4 sim_pos "$ACC" "$MNQ"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check "...while it waits, the next breach (6) is reduced to 4 at once: the loop is not held ($ms ms)" \
	test "$ms" -lt 2000
check "...and the wait ends at the 10 s deadline" wait_for 15 grep -q 'why="no answer from the notification service in time"' "$work/srmd.log"
kill -9 "$HANGPID"
wait "$HANGPID" 2>/dev/null
start_bus
start_peer --markup
check "...then both alerts reach the new bus's notification server (reconnected, with backoff)" \
	wait_for 20 has_note "$ENF" 3
check "...which was asked again what it takes (body markup this time)" grep -q 'go to the session bus.* markup=1' "$work/srmd.log"

stop_srmd
rc=$?
check "srmd exits cleanly (rc $rc; under ASan: nothing leaked)" test "$rc" -eq 0
check "daemon_stopping is shown before srmd exits, urgency critical (2)" note_ok 'SRM daemon_stopping' \
	"len(d) == 1 and d[0]['urgency'] == 2"

echo "desktop: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
