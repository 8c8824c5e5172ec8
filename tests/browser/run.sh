#!/usr/bin/env bash
# The dashboard (issue 15) against the real srm-sim and srmd on loopback: first over plain
# HTTP (curl, python): the token, the cookie, 401/403 without them, the CSP, caps on requests
# and connections, a WebSocket client that never reads, srmd enforcing meanwhile; then in
# Debian's chromium driven by playwright-core (dashboard.js). Exit 77 (skipped) only when
# chromium or tests/browser/node_modules is absent and everything else passed.
# usage: run.sh SRMD SRM SRM-SIM
set -u
SRMD=$1 SRM=$2 SIM=$3
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/srm-browser.XXXXXX)
. "$here/../e2e/lib.sh"
trap cleanup EXIT
export -f json

export SRM_ADMIN_PASSWORD=correct-horse
HASH=$("$SRM" admin passwd 2>/dev/null)
SOCK="$work/srm.sock"
MNQ=CON.F.US.MNQ.Z26

start_sim
write_config
cat >>"$work/srm.yaml" <<CFG
  max_loss_limit: {max_loss: 2000, trailing: end_of_day, starting_balance: 50000}
dashboard:
  enabled: true
  listen: 127.0.0.1:0
  max_clients: 12
CFG
now_ms() { date +%s%3N; }
start1_ms=$(now_ms)
start_srmd || exit 1
quote $MNQ 21000 21000.25

URL=$("$SRM" dashboard --socket "$SOCK" --config "$work/srm.yaml")
BASE=${URL%%/\?token=*}
TOKEN=${URL##*token=}
check "srm dashboard prints http://127.0.0.1:PORT/?token=<64 hex>" \
	bash -c "echo '$URL' | grep -Eq '^http://127\.0\.0\.1:[0-9]+/\?token=[0-9a-f]{64}$'"
check "the token file is 0600" bash -c "[ \"\$(stat -c %a '$work/state/dashboard.url')\" = 600 ]"

# srm dashboard --open: $BROWSER (a list, tried in turn), else xdg-open; the URL is its one
# argument, printed once on stdout, in no message and no log
mkdir -p "$work/bin"
cat >"$work/bin/record-browser" <<SH
#!/bin/sh
printf '%s\n' "\$#" "\$@" >"$work/opened.\$\$"
mv "$work/opened.\$\$" "$work/opened"
SH
cp "$work/bin/record-browser" "$work/bin/xdg-open"
chmod +x "$work/bin/record-browser" "$work/bin/xdg-open"
opened_url() { [ -f "$work/opened" ] && [ "$(sed -n 1p "$work/opened")" = 1 ] && sed -n 2p "$work/opened"; }
BROWSER="$work/no-such-browser:$work/bin/record-browser" "$SRM" dashboard --open --socket "$SOCK" \
	--config "$work/srm.yaml" >"$work/open.out" 2>"$work/open.err"
rc=$?
check "srm dashboard --open runs \$BROWSER's first program that works (rc $rc)" test "$rc" = 0
check "...with the URL and its token as its one argument" is_eq "$URL" opened_url
check "...prints the URL once on stdout" bash -c "[ \"\$(cat '$work/open.out')\" = '$URL' ]"
check "...and says nothing on stderr" test ! -s "$work/open.err"
rm -f "$work/opened"
env -u BROWSER PATH="$work/bin:$PATH" "$SRM" dashboard --open --socket "$SOCK" \
	--config "$work/srm.yaml" >/dev/null 2>"$work/open.err"
check "without \$BROWSER it runs xdg-open with the URL" is_eq "$URL" opened_url
BROWSER=false "$SRM" dashboard --open --socket "$SOCK" --config "$work/srm.yaml" >/dev/null 2>"$work/open.err"
rc=$?
check "a browser that fails: exit 1 (rc $rc), said without the token" bash -c \
	"[ $rc = 1 ] && grep -q 'open the address above yourself' '$work/open.err' && ! grep -q '$TOKEN' '$work/open.err'"
check "the token is not in srmd's log" bash -c "! grep -q '$TOKEN' '$work/srmd.log'"

code() { curl -s -o /dev/null -w '%{http_code}' -m 5 "$@"; }
check "no cookie: / is 401" is_eq 401 code "$BASE/"
check "no cookie: /api/status is 401" is_eq 401 code "$BASE/api/status"
check "no cookie: /app.js is 401" is_eq 401 code "$BASE/app.js"
check "a wrong cookie is 403" is_eq 403 code -H "Cookie: srm_dash=$(printf '%064d' 0)" "$BASE/api/status"
check "a wrong token is 403" is_eq 403 code "$BASE/?token=abc"
check "the 401 serves nothing of the page" bash -c "! curl -s '$BASE/' | grep -q '<html'"
curl -s -D "$work/login.h" -o /dev/null "$URL"
check "the URL sets an HttpOnly SameSite=Strict cookie and redirects to /" sh -c \
	"grep -qi '^set-cookie: srm_dash=$TOKEN; Path=/; HttpOnly; SameSite=Strict' '$work/login.h' &&
	 grep -qi '^location: /' '$work/login.h' && head -n1 '$work/login.h' | grep -q 303"
CK="Cookie: srm_dash=$TOKEN"
curl -s -D "$work/page.h" -o "$work/page.html" -H "$CK" "$BASE/"
check "the page has a strict CSP (no inline script, no other origin)" grep -qi \
	"^content-security-policy: default-src 'none'; script-src 'self'; style-src 'self'" "$work/page.h"
check "the 401 has the CSP too" bash -c "curl -s -D - -o /dev/null '$BASE/' | grep -qi '^content-security-policy:'"
check "the page has no inline script" bash -c "! grep -Eq '<script>|<script [^>]*>[^<]' '$work/page.html'"
check "/api/status is srm status --json" bash -c "
	curl -s -H '$CK' '$BASE/api/status' | json 'sorted(a[\"id\"] for a in d[\"accounts\"])' >'$work/a.txt'
	'$SRM' status --socket '$SOCK' --json | json 'sorted(a[\"id\"] for a in d[\"accounts\"])' >'$work/b.txt'
	cmp -s '$work/a.txt' '$work/b.txt' && [ -s '$work/a.txt' ]"
check "/api/rules and /api/lockouts answer as srm rules/lockouts --json" bash -c "
	[ \"\$(curl -s -H '$CK' '$BASE/api/rules' | json 'len(d)')\" = \"\$('$SRM' rules --socket '$SOCK' --json | json 'len(d)')\" ] &&
	[ \"\$(curl -s -H '$CK' '$BASE/api/lockouts')\" = \"\$('$SRM' lockouts --socket '$SOCK' --json)\" ]"
check "a bad argument is srmd's refusal (400), not a crash" is_eq 400 code -H "$CK" "$BASE/api/history?since=yesterday-ish"
check "POST is refused (405: read-only)" is_eq 405 code -X POST -d x -H "$CK" "$BASE/api/status"
check "an unknown path is 404" is_eq 404 code -H "$CK" "$BASE/etc/passwd"
check "no output has the API key" bash -c "! curl -s -H '$CK' '$BASE/api/status' | grep -q '\"demo\"' &&
	! grep -q 'api_key' '$work/page.html'"

# hostile clients: oversized and malformed requests, many connections, a WebSocket that never reads
python3 - "$BASE" "$TOKEN" >"$work/hostile.out" 2>&1 <<'PY'
import base64, os, socket, sys, time, urllib.request
base, tok = sys.argv[1], sys.argv[2]
host, port = base.split('//')[1].split(':'); port = int(port)
def status(path):
    r = urllib.request.urlopen(urllib.request.Request(base + path, headers={'Cookie': 'srm_dash=' + tok}), timeout=5)
    return r.status
s = socket.create_connection((host, port)); s.settimeout(3)
s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 64000 + b"\r\n\r\n")
try: got = s.recv(64)
except Exception: got = b''
print("oversized:", b'200' not in got.split(b'\r\n')[0])
s = socket.create_connection((host, port)); s.settimeout(3); s.sendall(b"\x00\xff garbage\r\n\r\n")
try: got = s.recv(64)
except Exception: got = b''
print("malformed:", b'200' not in got.split(b'\r\n')[0])
# more malformed requests, with the right cookie (a 200 would mean one was served), and GETs
# that announce a body (answered as GETs: no body is ever read); then srmd must still answer
ck = b"Cookie: srm_dash=" + tok.encode() + b"\r\n"
bad = [b"GET /api/status?x=" + b"a" * 8000 + b" HTTP/1.1\r\nHost: x\r\n" + ck + b"\r\n",
       b"GET /api/status HTTP/1.1\r\nHost: x\r\n" + ck + b"X-A: " + b"b" * 3000 + b"\r\nX-B: " + b"c" * 3000 + b"\r\n\r\n",
       b"GET /api/status HTTP/1.1\r\nHost: x\r\n" + ck * 200 + b"\r\n",
       b"\r\n" * 3000, b"GET\x00/ HTTP/1.1\r\n\r\n", b"GET / HTTP/1.1\r\n" + b"X: y\r\n" * 2000 + b"\r\n"]
body = [b"GET /api/status HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n" + ck + b"\r\nabc",
        b"GET /api/status HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n" + ck + b"\r\nzz\r\n\r\n"]
def served(b):
    c = socket.create_connection((host, port)); c.settimeout(2)
    try:
        c.sendall(b); return c.recv(64).startswith(b"HTTP/1.1 200")
    except Exception:
        return False
    finally:
        c.close()
n = sum(served(b) for b in bad)
for b in body: served(b)
print("battery: %d of %d served" % (n, len(bad)))
print("battery survived:", status('/api/status') == 200)
socks = [socket.create_connection((host, port)) for _ in range(60)]
time.sleep(0.5)
alive = 0
for c in socks:
    c.settimeout(0.1)
    try: alive += c.recv(1) != b''
    except socket.timeout: alive += 1
    except Exception: pass
print("capped:", alive <= 12, alive)
for c in socks: c.close()
time.sleep(0.3)
# a WebSocket that never reads, its socket buffer small
w = socket.socket(); w.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096); w.connect((host, port))
key = base64.b64encode(os.urandom(16)).decode()
w.sendall(("GET /ws HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: srm-events\r\n"
           "Cookie: srm_dash=%s\r\n\r\n" % (host, port, key, tok)).encode())
time.sleep(0.3)
print("ws upgraded:", b'101' in w.recv(200))
t = time.time(); ok = status('/api/status'); ms = (time.time() - t) * 1000
print("served meanwhile:", ok == 200, "%.1fms" % ms)
with open(os.environ.get('WS_FD_FILE', '/dev/null'), 'w') as f: f.write('open')
time.sleep(float(os.environ.get('HOLD', '0')))
PY
cat "$work/hostile.out" | sed 's/^/     /'
check "an oversized request is not served" grep -q "oversized: True" "$work/hostile.out"
check "a malformed request is not served" grep -q "malformed: True" "$work/hostile.out"
check "a long URI, long or 2,000 headers, blank lines, a NUL: not served even with the cookie" \
	grep -q "battery: 0 of" "$work/hostile.out"
check "...and srmd answers after them (and after GETs announcing huge or chunked bodies)" \
	grep -q "battery survived: True" "$work/hostile.out"
check "connections are capped at max_clients (12)" grep -q "capped: True" "$work/hostile.out"
check "the WebSocket upgrade with the cookie works" grep -q "ws upgraded: True" "$work/hostile.out"
check "the API answers while clients misbehave" grep -q "served meanwhile: True" "$work/hostile.out"

# a stuck WebSocket reader while events flow: srmd enforces (the simulator's ground truth)
python3 - "$BASE" "$TOKEN" <<'PY' &
import base64, os, socket, sys, time
base, tok = sys.argv[1], sys.argv[2]
host, port = base.split('//')[1].split(':'); port = int(port)
w = socket.socket(); w.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048); w.connect((host, port))
w.sendall(("GET /ws HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: srm-events\r\n"
           "Cookie: srm_dash=%s\r\n\r\n" % (host, port, base64.b64encode(os.urandom(16)).decode(), tok)).encode())
time.sleep(20)
PY
stuck=$!
pids+=($stuck)
sleep 0.5
reduced=0
trades_ms=$(now_ms)
for i in 1 2 3 4 5 6; do
	order "{\"accountId\":$ACC2,\"contractId\":\"$MNQ\",\"type\":2,\"side\":0,\"size\":6}" >/dev/null
	wait_for 10 is_eq 4 sim_pos "$ACC2" "$MNQ" && reduced=$((reduced + 1))
	order "{\"accountId\":$ACC2,\"contractId\":\"$MNQ\",\"type\":2,\"side\":1,\"size\":4}" >/dev/null
	wait_for 10 is_zero sim_pos "$ACC2" "$MNQ" # each round trip loses the spread: the chart below
done
check "with a stuck WebSocket client, every buy of 6 was reduced to 4 at the simulator ($reduced/6)" \
	test "$reduced" = 6
"$SRM" history --socket "$SOCK" --json --limit 3 >"$work/h3.json"
enforced() { "$SRM" history --socket "$SOCK" --json --limit 100 | json 'len([h for h in d if h.get("action") == "partial_close"])'; }
check "with a WebSocket client that never reads, srmd still enforces max_contracts (sim: 4)" \
	test "$(enforced)" -ge 6
kill "$stuck" 2>/dev/null

# latency of the JSON endpoints (local, measured)
lat=$(for i in $(seq 20); do curl -s -o /dev/null -w '%{time_total}\n' -H "$CK" "$BASE/api/status"; done |
	sort -n | awk '{a[NR]=$1} END {printf "%.2f ms median, %.2f ms max", a[int(NR/2)+1]*1000, a[NR]*1000}')
size=$(curl -s -H "$CK" "$BASE/" | wc -c; curl -s -H "$CK" "$BASE/app.js" | wc -c; curl -s -H "$CK" "$BASE/app.css" | wc -c)
echo "     /api/status: $lat; page bytes (html js css): $(echo $size)"

# the day's P&L series survives a restart: the points before it come from the state file
realized2() { status_json | json "[round(a['realizedPnl'] - a['fees'], 2) for a in d['accounts'] if a['id'] == $ACC2][0]"; }
pnl_pts() { curl -s -m 5 -H "$CK" "$BASE/api/pnl" | json "[a['points'] for a in d['accounts'] if a['accountId'] == $ACC2][0]"; }
last_pnl() { curl -s -m 5 -H "$CK" "$BASE/api/pnl" | json "round([a['points'] for a in d['accounts'] if a['accountId'] == $ACC2][0][-1][1], 2)"; }
want=$(realized2)
check "account 2 lost money on the round trips (realized $want)" python3 -c "import sys; sys.exit(not $want < 0)"
check "the series has sampled it (every 5 s)" wait_for 12 is_eq "$want" last_pnl
pnl_pts >"$work/pnl-before.json"
check "srmd stops clean (SIGTERM) to restart" stop_srmd
check "the token file is gone after srmd stopped" test ! -e "$work/state/dashboard.url"
rows=$(sqlite3 "$work/state/srm.db" "select count(*) from pnl_points where account_id=$ACC2")
check "the state file has the day's points of account 2 ($rows rows)" test "$rows" -ge 2
restart_ms=$(now_ms)
start_srmd || exit 1
URL2=$("$SRM" dashboard --socket "$SOCK" --config "$work/srm.yaml")
check "a restart makes a new token" test "${URL2##*token=}" != "$TOKEN" -a -n "$URL2"
URL=$URL2 BASE=${URL2%%/\?token=*}
check "...and the old one is refused (403)" is_eq 403 code -H "$CK" "$BASE/api/status"
TOKEN=${URL2##*token=}
CK="Cookie: srm_dash=$TOKEN"
wait_for 10 pnl_pts
pnl_pts >"$work/pnl-after.json"
python3 - "$work/pnl-before.json" "$work/pnl-after.json" "$start1_ms" "$trades_ms" "$restart_ms" "$want" \
	>"$work/pnl.out" <<'PY'
import ast, sys
before, after = ast.literal_eval(open(sys.argv[1]).read()), ast.literal_eval(open(sys.argv[2]).read())
start1, trades, restart, want = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6])
earlier = [p for p in after if p[0] < restart]
print("points before the restart: %d served before it, %d after it (of %d)" % (len(before), len(earlier), len(after)))
print("first at start +%d ms, the trades began at +%d ms" % (earlier[0][0] - start1, trades - start1) if earlier else "none")
print("morning:", bool(earlier) and start1 <= earlier[0][0] < trades and earlier[0][1] == 0)
print("last:", bool(earlier) and round(earlier[-1][1], 2) == want)
print("subset:", all(any(q[0] == p[0] and q[1] == p[1] for q in before) for p in earlier[:-1]))
PY
sed 's/^/     /' "$work/pnl.out"
check "after a restart the series still has the day's first point (before the trades, P&L 0)" \
	grep -q "morning: True" "$work/pnl.out"
check "...and the last one before the stop (realized $want)" grep -q "last: True" "$work/pnl.out"
check "...each a point the dashboard had served before the restart" grep -q "subset: True" "$work/pnl.out"
PNL_BEFORE=$(python3 -c "import ast,sys; print(len([p for p in ast.literal_eval(open(sys.argv[1]).read()) if p[0] < $restart_ms]))" "$work/pnl-after.json")

# the browser
browser_rc=0
if [ ! -x /usr/bin/chromium ] || [ ! -d "$here/node_modules/playwright-core" ] || ! command -v node >/dev/null; then
	echo "skip browser part: /usr/bin/chromium or tests/browser/node_modules/playwright-core is absent (make deps)"
	browser_rc=77
else
	mkdir -p "$work/shots"
	ART=${SRM_ARTIFACTS:-$work/browser-artifacts}
	mkdir -p "$ART"
	DASH_URL="$URL" SRM="$SRM" SOCK="$SOCK" ACC="$ACC" ACC2="$ACC2" SRMDPID="$SRMDPID" SHOTS="$ART" \
		SIM_URL="http://127.0.0.1:$PORT" PNL_BEFORE="$PNL_BEFORE" node "$here/dashboard.js" 2>&1 | sed 's/^/     /' | tee "$work/browser.out"
	check "the browser test passed (screenshots in $ART)" grep -q '^     browser: all passed' "$work/browser.out"
fi
# srmd was stopped by the browser test (NOT GUARDED); else stop it here: a clean exit either way
if kill -0 "$SRMDPID" 2>/dev/null; then
	check "srmd exits clean on SIGTERM with the dashboard on" stop_srmd
else
	wait "$SRMDPID"; rc=$?
	check "srmd exited clean on SIGTERM with the dashboard on (rc $rc)" test "$rc" = 0
fi
check "the token file is gone after srmd stopped" test ! -e "$work/state/dashboard.url"
check "no token is in the state file (journal, audit, notes)" bash -c \
	"! sqlite3 '$work/state/srm.db' .dump | grep -q -e '${TOKEN:0:16}' -e 'token='"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ] || exit 1
exit $browser_rc
