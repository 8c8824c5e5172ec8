#!/usr/bin/env bash
# bench/ingest.sh: hub ingest throughput and CPU, our client against the official one, over
# ws:// and wss://. Starts two srm-sim (plain, and TLS with a throwaway CA and certificate made
# here with the openssl CLI), then, interleaved, bench-ingest (src/gateway/hub.h on libuv,
# every record decoded by src/wire into a struct srm_event and checked) and bench/ingest.js
# (@microsoft/signalr from tests/interop/node_modules, handlers receiving the parsed objects).
# Each run: POST /sim/bench/flood for N/2 GatewayQuote records (market hub) and N/2
# GatewayUserOrder records (user hub), timed from the flood request to the last event
# handled; CPU is the client process's user + system time over the same span. Prints one
# table: the median of ROUNDS runs per client and transport, the ratio to the official
# client on the same transport, and CPU per record.
# Needs `make` (build) and `make test` (npm ci) first.
# usage: bench/ingest.sh [BUILD_DIR] [N] [ROUNDS]
set -u
build=${1:-build}
n=${2:-1000000}
rounds=${3:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
sim="$root/$build/src/sim/srm-sim"
ours="$root/$build/bench/bench-ingest"
mods="$root/tests/interop/node_modules"
contract=CON.F.US.EP.Z26

for f in "$sim" "$ours"; do
	[ -x "$f" ] || { echo "ingest.sh: $f missing (build first: make)" >&2; exit 1; }
done
for c in node python3 openssl; do
	command -v "$c" >/dev/null 2>&1 || { echo "ingest.sh: $c not installed" >&2; exit 1; }
done
[ -d "$mods/@microsoft/signalr" ] ||
	{ echo "ingest.sh: $mods missing (make test, or npm ci --prefix tests/interop)" >&2; exit 1; }
case "$n$rounds" in
'' | *[!0-9]*) echo "usage: bench/ingest.sh [BUILD_DIR] [N] [ROUNDS]" >&2; exit 2 ;;
esac
nq=$((n / 2))
no=$((n - nq))

work=$(mktemp -d /tmp/srm-ingest.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT

# A throwaway CA and a server certificate for 127.0.0.1 (the TLS flood).
(
	cd "$work" &&
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key \
		-out ca.pem -days 1 -subj /CN=srm-bench-ca &&
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout srv.key \
		-out srv.csr -subj /CN=localhost &&
	printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >ext.cnf &&
	openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out srv.pem \
		-days 1 -extfile ext.cnf
) >"$work/openssl.log" 2>&1 || { echo "ingest.sh: openssl failed" >&2; cat "$work/openssl.log" >&2; exit 1; }

# start_sim NAME [srm-sim options]: sets port_NAME and acc_NAME
start_sim() {
	local name=$1 port acc
	shift
	"$sim" --listen 127.0.0.1:0 --no-rate-limit --quote-interval-ms 0 --quiet "$@" \
		>"$work/sim-$name.out" 2>"$work/sim-$name.log" &
	for _ in $(seq 50); do grep -q '^account ' "$work/sim-$name.out" && break; sleep 0.1; done
	port=$(head -n 1 "$work/sim-$name.out" | sed -n 's/^listening on .*://p')
	acc=$(sed -n 's/^account \([0-9]*\) .*/\1/p' "$work/sim-$name.out" | head -n 1)
	if [ -z "$port" ] || [ -z "$acc" ]; then
		echo "ingest.sh: srm-sim ($name) did not start" >&2
		cat "$work/sim-$name.log" >&2
		exit 1
	fi
	eval "port_$name=$port acc_$name=$acc"
}
start_sim ws
start_sim wss --tls-cert "$work/srv.pem" --tls-key "$work/srv.key"

echo "ingest: $nq GatewayQuote + $no GatewayUserOrder records per run, $rounds rounds," \
	"srm-sim on ports $port_ws (ws) and $port_wss (wss), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$rounds"); do
	"$ours" "$port_ws" "$acc_ws" "$contract" "$nq" "$no" >>"$work/ws-ours.jsonl" ||
		{ echo "ingest.sh: bench-ingest failed (ws, round $r)" >&2; exit 1; }
	NODE_PATH="$mods" node "$root/bench/ingest.js" "$port_ws" "$acc_ws" "$contract" "$nq" "$no" \
		>>"$work/ws-node.jsonl" || { echo "ingest.sh: ingest.js failed (ws, round $r)" >&2; exit 1; }
	"$ours" "$port_wss" "$acc_wss" "$contract" "$nq" "$no" "$work/ca.pem" >>"$work/wss-ours.jsonl" ||
		{ echo "ingest.sh: bench-ingest failed (wss, round $r)" >&2; exit 1; }
	NODE_EXTRA_CA_CERTS="$work/ca.pem" NODE_PATH="$mods" node "$root/bench/ingest.js" \
		"$port_wss" "$acc_wss" "$contract" "$nq" "$no" tls >>"$work/wss-node.jsonl" ||
		{ echo "ingest.sh: ingest.js failed (wss, round $r)" >&2; exit 1; }
done

python3 - "$work" <<'PY'
import json, os, statistics, sys
work = sys.argv[1]
print("%-5s %-20s %10s %9s %12s %7s %12s   %s" % ("", "client", "records", "seconds", "records/s",
      "ratio", "CPU ns/rec", "runs (s)"))
for tr in ("ws", "wss"):
    rows = []
    for who in ("node", "ours"):
        runs = [json.loads(l) for l in open(os.path.join(work, "%s-%s.jsonl" % (tr, who))) if l.strip()]
        recs = runs[0]["quotes"] + runs[0]["orders"]
        secs = statistics.median(r["seconds"] for r in runs)
        cpu = statistics.median(r["cpu_seconds"] for r in runs)
        rows.append((runs[0]["client"], recs, secs, recs / secs, cpu * 1e9 / recs,
                     " ".join("%.3f" % r["seconds"] for r in runs)))
    base = rows[0][3]
    for c, m, s, rate, ns, runs in rows:
        print("%-5s %-20s %10d %9.3f %12.0f %6.2fx %12.0f   %s" % (tr, c, m, s, rate, rate / base, ns, runs))
PY
