#!/usr/bin/env bash
# The dashboard over TLS (dashboard.tls_cert/tls_key), the only way to listen off loopback:
# a throw-away CA and server certificate made here with openssl (no key is committed), srmd
# listening on 0.0.0.0 with them against the real srm-sim; curl and Python (ssl) with that CA
# for the page, the cookie (Secure), the API and the WebSocket (wss); plain http to the port
# gets nothing; without TLS the same address is refused at config load with FILE:LINE; then
# Debian's chromium (playwright-core, tls.js) trusting only that key reaches GUARDED over
# https + wss. Exit 77 (skipped) only when chromium or its npm package is absent and
# everything else passed.
# usage: tls.sh SRMD SRM SRM-SIM
set -u
SRMD=$1 SRM=$2 SIM=$3
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/srm-dash-tls.XXXXXX)
. "$here/../e2e/lib.sh"
trap cleanup EXIT
command -v openssl >/dev/null || { echo "skip: no openssl"; exit 77; }

export SRM_ADMIN_PASSWORD=correct-horse
HASH=$("$SRM" admin passwd 2>/dev/null)
SOCK="$work/srm.sock"
HOST=$(hostname)

# a CA and a server certificate for this host's name and 127.0.0.1, valid one day
pki="$work/pki"
mkdir -p "$pki"
{
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
		-subj /CN=srm-test-ca -keyout "$pki/ca.key" -out "$pki/ca.pem" &&
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=$HOST" \
		-keyout "$pki/dash.key" -out "$pki/dash.csr" &&
	printf 'subjectAltName=DNS:%s,DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' \
		"$HOST" >"$pki/ext" &&
	openssl x509 -req -in "$pki/dash.csr" -CA "$pki/ca.pem" -CAkey "$pki/ca.key" -CAcreateserial \
		-days 1 -extfile "$pki/ext" -out "$pki/dash.crt"
} >"$pki/log" 2>&1 || { echo "openssl failed:"; cat "$pki/log"; exit 1; }
chmod 600 "$pki/dash.key"

start_sim
write_config
cp "$work/srm.yaml" "$work/plain.yaml"
cat >>"$work/plain.yaml" <<CFG
dashboard:
  enabled: true
  listen: 0.0.0.0:0
CFG
"$SRM" admin config validate "$work/plain.yaml" >"$work/validate.out" 2>&1
rc=$?
check "off loopback without TLS: config validate refuses it (rc $rc) with FILE:LINE" bash -c "[ $rc != 0 ] &&
	grep -q '$work/plain.yaml:[0-9]*: dashboard.listen: 0.0.0.0 is not a loopback address' '$work/validate.out'"
"$SRMD" --config "$work/plain.yaml" >"$work/plain.log" 2>&1
rc=$?
check "...and srmd does not start (rc $rc: a config error)" bash -c "[ $rc = 2 ] &&
	grep -q 'plain.yaml:[0-9]*: dashboard.listen: 0.0.0.0 is not a loopback address' '$work/plain.log'"

cat >>"$work/srm.yaml" <<CFG
dashboard:
  enabled: true
  listen: 0.0.0.0:0
  tls_cert: $pki/dash.crt
  tls_key: $pki/dash.key
CFG
start_srmd || exit 1
URL=$("$SRM" dashboard --socket "$SOCK" --config "$work/srm.yaml")
DPORT=$(echo "$URL" | sed -n 's|^https://[^:/]*:\([0-9]*\)/.*|\1|p')
TOKEN=${URL##*token=}
check "srm dashboard prints https://$HOST:PORT/?token=<64 hex>" bash -c \
	"echo '$URL' | grep -Eq '^https://$HOST:[0-9]+/\?token=[0-9a-f]{64}$'"
# /proc/net/tcp: local address 00000000:PORT (hex) in state 0A (listening)
check "srmd listens on every address (0.0.0.0:$DPORT)" grep -Eqi \
	"^ *[0-9]+: 00000000:$(printf %04X "$DPORT") 00000000:0000 0A " /proc/net/tcp
BASE="https://$HOST:$DPORT"
tc() { curl -s -m 5 --cacert "$pki/ca.pem" --resolve "$HOST:$DPORT:127.0.0.1" "$@"; }
code() { tc -o /dev/null -w '%{http_code}' "$@"; }
check "https with the CA: no cookie is 401" is_eq 401 code "$BASE/api/status"
tc -D "$work/login.h" -o /dev/null "$URL"
check "the URL sets the cookie HttpOnly, SameSite=Strict and Secure" grep -qi \
	"^set-cookie: srm_dash=$TOKEN; Path=/; HttpOnly; SameSite=Strict; Secure" "$work/login.h"
CK="Cookie: srm_dash=$TOKEN"
tc -D "$work/page.h" -o "$work/page.html" -H "$CK" "$BASE/"
check "the page over https (200, the CSP)" bash -c "head -n1 '$work/page.h' | grep -q 200 &&
	grep -qi '^content-security-policy: default-src' '$work/page.h' && grep -q '<html' '$work/page.html'"
ids='sorted(a["id"] for a in d["accounts"])'
web=$(tc -H "$CK" "$BASE/api/status" | json "$ids" 2>/dev/null)
cli=$(status_json | json "$ids")
check "/api/status over https is srm status --json ($web)" test -n "$web" -a "$web" = "$cli"
check "the certificate is checked: without the CA curl refuses it" bash -c \
	"! curl -s -m 5 -o /dev/null --resolve '$HOST:$DPORT:127.0.0.1' '$BASE/'"
plain=$(curl -s -m 5 -o "$work/plain.body" -w '%{http_code}' "http://127.0.0.1:$DPORT/?token=$TOKEN")
check "plain http to the TLS port gets no answer (http $plain)" bash -c "[ '$plain' = 000 ] && ! grep -q html '$work/plain.body' 2>/dev/null"
plain=$(curl -s -m 5 -o /dev/null -w '%{http_code}' -H "$CK" "http://127.0.0.1:$DPORT/api/status")
check "...nor with the cookie (http $plain)" test "$plain" = 000

# the WebSocket over TLS (wss): the upgrade with the cookie, srmd's hello, then a live event
export WSS_READY="$work/wss.ready"
python3 - "$HOST" "$DPORT" "$TOKEN" "$pki/ca.pem" >"$work/wss.out" 2>&1 <<'PY' &
import base64, os, socket, ssl, sys, time
host, port, tok, ca = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
ctx = ssl.create_default_context(cafile=ca)
raw = socket.create_connection(("127.0.0.1", port), timeout=10)
s = ctx.wrap_socket(raw, server_hostname=host)
print("tls:", s.version())
s.sendall(("GET /ws HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: srm-events\r\n"
           "Origin: https://%s:%d\r\nCookie: srm_dash=%s\r\n\r\n"
           % (host, port, base64.b64encode(os.urandom(16)).decode(), host, port, tok)).encode())
buf = b""
while b"\r\n\r\n" not in buf:
    buf += s.recv(4096)
head, buf = buf.split(b"\r\n\r\n", 1)
print("upgraded:", head.split(b"\r\n")[0].split(b" ")[1] == b"101")
def frame():
    global buf
    while True:
        if len(buf) >= 2:
            n, off = buf[1] & 0x7f, 2
            if n == 126 and len(buf) >= 4: n, off = int.from_bytes(buf[2:4], "big"), 4
            if n != 127 and len(buf) >= off + n:
                msg, buf = buf[off:off + n], buf[off + n:]
                return msg.decode()
        buf += s.recv(4096)
print("hello:", '"event":"hello"' in frame())
open(os.environ["WSS_READY"], "w").close()
print("event:", frame()[:80])
PY
wss=$!
pids+=($wss)
wait_for 10 test -e "$WSS_READY"
"$SRM" admin lockout set "$ACC" --socket "$SOCK" --for 5m --reason "tls test" >/dev/null 2>&1
wait_for 10 grep -q '^event:' "$work/wss.out"
kill "$wss" 2>/dev/null
sed 's/^/     /' "$work/wss.out"
check "wss: a TLS 1.2+ session verified with the CA" grep -Eq '^tls: TLSv1\.[23]' "$work/wss.out"
check "wss: the upgrade with the cookie (101) and srmd's hello" bash -c \
	"grep -q 'upgraded: True' '$work/wss.out' && grep -q 'hello: True' '$work/wss.out'"
check "wss: an admin lockout arrives as an event" grep -q '^event: {"event":"' "$work/wss.out"

browser_rc=0
if [ ! -x /usr/bin/chromium ] || [ ! -d "$here/node_modules/playwright-core" ] || ! command -v node >/dev/null; then
	echo "skip browser part: /usr/bin/chromium or tests/browser/node_modules/playwright-core is absent (make deps)"
	browser_rc=77
else
	# chromium trusts exactly this server key (its SPKI hash), not every certificate
	SPKI=$(openssl x509 -in "$pki/dash.crt" -pubkey -noout | openssl pkey -pubin -outform der |
		openssl dgst -sha256 -binary | base64)
	DASH_URL="$URL" HOST="$HOST" SPKI="$SPKI" SHOTS="${SRM_ARTIFACTS:-$work}" \
		node "$here/tls.js" 2>&1 | sed 's/^/     /' | tee "$work/browser.out"
	check "chromium: the dashboard over https and wss" grep -q '^     browser: all passed' "$work/browser.out"
fi
check "srmd exits clean on SIGTERM with the TLS dashboard on" stop_srmd
check "the token is not in srmd's log" bash -c "! grep -q '$TOKEN' '$work/srmd.log'"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ] || exit 1
exit $browser_rc
