#!/usr/bin/env bash
# bench.sh: `make bench`: every benchmark one after the other (bench-engine, bench/reaction.sh,
# bench/footprint.sh, bench/ingest.sh), each one's own output as it runs, then one table.
# Benchmarks print numbers; nothing here asserts a time. A benchmark that fails is a row
# saying so (and the exit status is 1), the others still run.
# usage: scripts/bench.sh BUILD_DIR
#   BENCH_ENGINE_EVENTS=2000000  BENCH_REACTION_N=200  BENCH_REACTION_LOADS=0,1000,10000
#   BENCH_FOOTPRINT="1 10 100"   (1000 takes ~19 min: the gateway's rate budget)
#   BENCH_INGEST_N=1000000  BENCH_INGEST_ROUNDS=3
set -u
cd "$(dirname "$0")/.."
build=${1:-build}
work=$(mktemp -d /tmp/srm-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
rc=0
start=$(date -u +%Y-%m-%dT%H:%MZ)

run() { # NAME COMMAND...: run, show, keep the output and the exit status
	local name=$1
	shift
	echo "== $name: $*"
	"$@" 2>&1 | tee "$work/$name.out"
	local st=${PIPESTATUS[0]}
	echo "$st" >"$work/$name.rc"
	[ "$st" -eq 0 ] || rc=1
	echo
}

run engine "$build/bench/bench-engine" "${BENCH_ENGINE_EVENTS:-2000000}"
run reaction bench/reaction.sh "$build" "${BENCH_REACTION_N:-200}" "${BENCH_REACTION_LOADS:-0,1000,10000}"
run footprint bench/footprint.sh "$build" "${BENCH_FOOTPRINT:-1 10 100}"
run ingest bench/ingest.sh "$build" "${BENCH_INGEST_N:-1000000}" "${BENCH_INGEST_ROUNDS:-3}"

python3 - "$work" "$start" "$(nproc)" "$(uptime | sed 's/.*load average: //')" <<'PY'
import os, re, sys
work, start, cpus, load = sys.argv[1:5]
def out(name):
    p = os.path.join(work, name + ".out")
    return open(p, errors="replace").read() if os.path.exists(p) else ""
def failed(name):
    p = os.path.join(work, name + ".rc")
    return not os.path.exists(p) or open(p).read().strip() != "0"
def bench_lines(text, what):
    for line in text.splitlines():
        if line.startswith("BENCH " + what + " "):
            yield dict(kv.split("=", 1) for kv in line.split()[2:] if "=" in kv)
rows = []  # (benchmark, figure, value)
e = out("engine")
m1, m2 = re.search(r"events/s: (\d+)", e), re.search(r"ns/event: ([\d.]+)", e)
if m1:
    rows.append(("engine", "events/s (one core, all rules)",
                 f"{int(m1.group(1)):,} ({m2.group(1) if m2 else '?'} ns/event)"))
r = out("reaction")
for d in bench_lines(r, "reaction"):
    if "path" in d:
        rows.append(("reaction", f"{d['path']} @ {int(d['load']):,} q/s",
                     f"p50 {d['p50_us']} / p99 {d['p99_us']} / max {d['max_us']} us"
                     + ("" if d["path"] == "floor" else
                        f"  ({d['p50_x_floor']}x / {d['p99_x_floor']}x floor)")
                     + (f"  missing {d['missing']}" if d.get("missing", "0") != "0" else "")))
    elif "srmd_cpu_pct" in d:
        rows.append(("reaction", f"srmd CPU @ {int(d['load']):,} q/s",
                     f"{d['srmd_cpu_pct']}% of a core"
                     + (f", {d['us_per_quote']} us/quote" if "us_per_quote" in d else "")))
for d in bench_lines(out("footprint"), "footprint"):
    rows.append(("footprint", f"{d['accounts']} accounts at guarding",
                 f"RSS {int(d['rss_kib']) / 1024:.1f} MiB, start-up {d['startup_ms']} ms, "
                 f"{d['rest_calls']} REST calls, hub {d['hub_accounts']}/{d['accounts']}"))
for line in out("ingest").splitlines():
    m = re.match(r"^(\S.*?)\s+(\d+)\s+([\d.]+)\s+(\d+)\s+([\d.]+)x\s", line)
    if m:
        rows.append(("ingest", m.group(1), f"{int(m.group(4)):,} msgs/s ({m.group(5)}x official)"))
    m = re.match(r"^(parse|decode)\S*.*?([\d.]+) ns/record", line)
    if m:
        rows.append(("ingest", "bench-decode " + m.group(1), f"{m.group(2)} ns/record"))
for name in ("engine", "reaction", "footprint", "ingest"):
    if failed(name):
        rows.append((name, "FAILED", "see its output above"))
    elif not any(b == name for b, _, _ in rows):
        rows.append((name, "(no figures parsed)", "see its output above"))
print(f"== make bench: started {start}, {cpus} CPUs, load average at the end {load}")
w1 = max(len(b) for b, _, _ in rows)
w2 = max(len(f) for _, f, _ in rows)
print(f"{'benchmark':<{w1}}  {'figure':<{w2}}  value")
for b, f, v in rows:
    print(f"{b:<{w1}}  {f:<{w2}}  {v}")
PY
exit $rc
