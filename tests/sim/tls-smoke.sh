#!/usr/bin/env bash
# TLS smoke test of srm-sim: https over HTTP/1.1 and HTTP/2 (ALPN) with a throw-away
# self-signed certificate; a clean exit on SIGTERM. Usage: tls-smoke.sh PATH/TO/srm-sim
set -uo pipefail
sim=$1
command -v openssl >/dev/null && command -v curl >/dev/null || { echo "SKIP: openssl/curl"; exit 77; }
tmp=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/key.pem" -out "$tmp/cert.pem" -days 1 \
	-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null || exit 1
"$sim" --listen 127.0.0.1:0 --quiet --quote-interval-ms 0 --tls-cert "$tmp/cert.pem" \
	--tls-key "$tmp/key.pem" >"$tmp/out" &
pid=$!
for _ in $(seq 50); do grep -q listening "$tmp/out" && break; sleep 0.1; done
port=$(head -1 "$tmp/out" | sed 's/.*://')
fail=0
for v in --http1.1 --http2; do
	tok=$(curl -sS $v --cacert "$tmp/cert.pem" -X POST "https://127.0.0.1:$port/api/Auth/loginKey" \
		-H 'Content-Type: application/json' -d '{"userName":"demo","apiKey":"demo"}' |
		sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
	[ -n "$tok" ] || { echo "FAIL: login over https $v"; fail=1; continue; }
	body=$(curl -sS $v --cacert "$tmp/cert.pem" -X POST "https://127.0.0.1:$port/api/Account/search" \
		-H "Authorization: Bearer $tok" -d '{"onlyActiveAccounts":true}')
	case $body in *'"success":true'*) ;; *) echo "FAIL: Account/search $v: $body"; fail=1;; esac
	state=$(curl -sS $v --cacert "$tmp/cert.pem" "https://127.0.0.1:$port/sim/state")
	case $state in *'"contracts":['*) ;; *) echo "FAIL: /sim/state $v"; fail=1;; esac
done
kill -TERM "$pid"
wait "$pid"
rc=$?
[ "$rc" -eq 0 ] || { echo "FAIL: exit status $rc"; fail=1; }
[ "$fail" -eq 0 ] && echo "tls-smoke: OK"
exit $fail
