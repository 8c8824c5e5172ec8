#!/usr/bin/env bash
# bench/ingest.sh: hub ingest throughput, our client against the official one. Starts srm-sim,
# then, one after the other against it, bench-ingest (src/gateway/hub.h on libuv, every record
# decoded by src/wire/ into a struct srm_event) and bench/ingest.js (@microsoft/signalr, from
# tests/interop/node_modules, handlers receiving the parsed objects). Each run: POST
# /sim/bench/flood for N/2 GatewayQuote records (market hub) and N/2 GatewayUserOrder records
# (user hub), timed from the flood request to the last event handled. Prints the median of
# ROUNDS runs per client and the ratio. Also, as ceilings (not clients): bench-ingest-lws, a bare
# libwebsockets client on the same loop setup that only counts records (the transport alone),
# and bench-decode, the JSON layer alone in memory (bench/decode.c).
# Needs `make` (build) and `make test` (npm ci) first.
# usage: bench/ingest.sh [BUILD_DIR] [N] [ROUNDS]
set -u
build=${1:-build}
n=${2:-1000000}
rounds=${3:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
sim="$root/$build/src/sim/srm-sim"
ours="$root/$build/bench/bench-ingest"
lws="$root/$build/bench/bench-ingest-lws"
decode="$root/$build/bench/bench-decode"
mods="$root/tests/interop/node_modules"
contract=CON.F.US.EP.Z26

for f in "$sim" "$ours" "$lws" "$decode"; do
	[ -x "$f" ] || { echo "ingest.sh: $f missing (build first: make)" >&2; exit 1; }
done
command -v node >/dev/null 2>&1 || { echo "ingest.sh: node not installed" >&2; exit 1; }
[ -d "$mods/@microsoft/signalr" ] ||
	{ echo "ingest.sh: $mods missing (make test, or npm ci --prefix tests/interop)" >&2; exit 1; }
command -v python3 >/dev/null 2>&1 || { echo "ingest.sh: python3 not installed" >&2; exit 1; }
case "$n$rounds" in
'' | *[!0-9]*) echo "usage: bench/ingest.sh [BUILD_DIR] [N] [ROUNDS]" >&2; exit 2 ;;
esac
nq=$((n / 2))
no=$((n - nq))

work=$(mktemp -d /tmp/srm-ingest.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
"$sim" --listen 127.0.0.1:0 --no-rate-limit --quote-interval-ms 0 --quiet \
	>"$work/sim.out" 2>"$work/sim.log" &
for _ in $(seq 50); do grep -q '^account ' "$work/sim.out" && break; sleep 0.1; done
port=$(head -n 1 "$work/sim.out" | sed -n 's/^listening on .*://p')
acc=$(sed -n 's/^account \([0-9]*\) .*/\1/p' "$work/sim.out" | head -n 1)
if [ -z "$port" ] || [ -z "$acc" ]; then
	echo "ingest.sh: srm-sim did not start" >&2
	cat "$work/sim.log" >&2
	exit 1
fi

echo "ingest: $nq GatewayQuote + $no GatewayUserOrder records per run, $rounds rounds," \
	"srm-sim on port $port"
for r in $(seq "$rounds"); do
	"$lws" "$port" "$acc" "$contract" "$nq" "$no" >>"$work/lws.jsonl" ||
		{ echo "ingest.sh: bench-ingest-lws failed (round $r)" >&2; exit 1; }
	"$ours" "$port" "$acc" "$contract" "$nq" "$no" >>"$work/ours.jsonl" ||
		{ echo "ingest.sh: bench-ingest failed (round $r)" >&2; exit 1; }
	NODE_PATH="$mods" node "$root/bench/ingest.js" "$port" "$acc" "$contract" "$nq" "$no" \
		>>"$work/node.jsonl" || { echo "ingest.sh: ingest.js failed (round $r)" >&2; exit 1; }
done

python3 - "$work/ours.jsonl" "$work/node.jsonl" "$work/lws.jsonl" <<'PY'
import json, statistics, sys
rows = []
for path in sys.argv[1:]:
    runs = [json.loads(l) for l in open(path) if l.strip()]
    secs = statistics.median(r["seconds"] for r in runs)
    msgs = runs[0]["quotes"] + runs[0]["orders"]
    rows.append((runs[0]["client"], msgs, secs, msgs / secs,
                 " ".join("%.3f" % r["seconds"] for r in runs)))
base = rows[1][3]  # the official client
print("%-24s %10s %9s %12s %7s   %s" % ("client", "messages", "seconds", "msgs/s", "ratio",
                                        "runs (s)"))
for c, m, s, rate, runs in rows:
    print("%-24s %10d %9.3f %12.0f %6.2fx   %s" % (c, m, s, rate, rate / base, runs))
print("(the last row is a ceiling, not a client: libwebsockets alone, only counting records)")
print("target 5x the official client: %.0f msgs/s" % (5 * base))
PY
echo
"$decode" "$n"
