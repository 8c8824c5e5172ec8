#!/usr/bin/env bash
# lint.sh: clang-tidy (.clang-tidy) and cppcheck over src/, from a Meson build's compile database.
#
# Usage: scripts/lint.sh BUILD_DIR
#   BUILD_DIR       a configured Meson build (best with CC=clang: the flags are clang's)
#   JOBS=2          parallel clang-tidy processes (cppcheck -j too)
#   LINT_REPORT=F   also write every finding to F, grouped by check and file
# Exits 0 when both tools are clean, 1 on any finding, 2 when it cannot run.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD

if [ $# -ne 1 ]; then
	echo "usage: scripts/lint.sh BUILD_DIR" >&2
	exit 2
fi
build=$(cd "$1" 2>/dev/null && pwd) || { echo "lint: no build directory $1" >&2; exit 2; }
db=$build/compile_commands.json
if [ ! -f "$db" ]; then
	echo "lint: $db not found (CC=clang meson setup $1 first)" >&2
	exit 2
fi
jobs=${JOBS:-2}
tidy=$(command -v clang-tidy-14 || command -v clang-tidy) ||
	{ echo "lint: clang-tidy not found (apt-get install clang-tidy)" >&2; exit 2; }
cppcheck=$(command -v cppcheck) ||
	{ echo "lint: cppcheck not found (apt-get install cppcheck)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The translation units under src/, once each (a file built into two targets is linted once).
python3 - "$db" "$root/src/" > "$work/files" <<'EOF'
import json, os, sys
seen = set()
for e in json.load(open(sys.argv[1])):
    f = os.path.normpath(os.path.join(e["directory"], e["file"]))
    if f.startswith(sys.argv[2]) and f not in seen:
        seen.add(f)
        print(f)
EOF
nfiles=$(wc -l < "$work/files")
if [ "$nfiles" -eq 0 ]; then
	echo "lint: no file under src/ in $db" >&2
	exit 2
fi

# clang-tidy: one process per file, JOBS at a time, each writing its own log.
t0=$(date +%s)
mkdir "$work/tidy"
xargs -P "$jobs" -I{} sh -c \
	'"$0" -p "$1" --quiet --extra-arg=-Wno-unknown-warning-option "$2" \
		> "$3/$(printf %s "$2" | tr / _).log" 2>&1' \
	"$tidy" "$build" {} "$work/tidy" < "$work/files"
t1=$(date +%s)

# cppcheck: the same files with their own flags (--project), --file-filter keeps to src/.
"$cppcheck" --project="$db" --file-filter="$root/src/*" -j "$jobs" -q \
	--enable=warning,portability,performance --inline-suppr --error-exitcode=1 \
	--library=posix --library=scripts/cppcheck-srm.cfg \
	--suppressions-list=scripts/cppcheck-suppressions.txt \
	--template='{file}:{line}:{column}: {severity}: {message} [{id}]' \
	--output-file="$work/cppcheck.log" > /dev/null 2> "$work/cppcheck.err"
cpp_rc=$?
t2=$(date +%s)

# Findings: "path:line:col: severity: message [check]", paths made relative, each once
# (a finding in a header is reported by every file that includes it).
python3 - "$root" "$build" "$work" "$cpp_rc" "${LINT_REPORT:-}" "$((t1 - t0))" \
	"$((t2 - t1))" "$nfiles" <<'EOF'
import collections, glob, os, re, sys
root, build, work, cpp_rc, report, t_tidy, t_cpp, nfiles = sys.argv[1:9]
pat = re.compile(r'^(.+?):(\d+):(\d+): (warning|error|style|performance|portability|'
                 r'information): (.*) \[([A-Za-z0-9_.,-]+)\]$')
def rel(p, base):
    # clang-tidy names files as the compile command did (relative to the build directory)
    return os.path.relpath(os.path.normpath(os.path.join(base, p)), root)
finds = {"clang-tidy": set(), "cppcheck": set()}
broken = []
for log in sorted(glob.glob(os.path.join(work, "tidy", "*.log"))):
    for line in open(log, errors="replace"):
        line = line.rstrip("\n")
        m = pat.match(line)
        if m:
            finds["clang-tidy"].add((m[6], rel(m[1], build), int(m[2]), int(m[3]), m[5]))
        elif line.startswith("Error while processing") or "error: unable to" in line:
            broken.append(line)
for line in open(os.path.join(work, "cppcheck.log"), errors="replace"):
    m = pat.match(line.rstrip("\n"))
    if m:
        finds["cppcheck"].add((m[6], rel(m[1], root), int(m[2]), int(m[3]),
                               m[4] + ": " + m[5]))
err = open(os.path.join(work, "cppcheck.err"), errors="replace").read().strip()
if cpp_rc not in ("0", "1") or (cpp_rc == "1" and not finds["cppcheck"]):
    broken.append("cppcheck exited %s: %s" % (cpp_rc, err[:500]))

out = []
for tool, fs in finds.items():
    out.append("== %s: %d finding%s" % (tool, len(fs), "" if len(fs) == 1 else "s"))
    by = collections.defaultdict(lambda: collections.defaultdict(list))
    for chk, f, ln, col, msg in fs:
        by[chk][f].append((ln, col, msg))
    for chk in sorted(by, key=lambda c: (-sum(map(len, by[c].values())), c)):
        out.append("-- %s (%d)" % (chk, sum(map(len, by[chk].values()))))
        for f in sorted(by[chk]):
            out.append("   " + f)
            for ln, col, msg in sorted(by[chk][f]):
                out.append("     %d:%d: %s" % (ln, col, msg))
    out.append("")
if broken:
    out.append("== could not lint")
    out += ["   " + b for b in broken]
if report:
    with open(report, "w") as fh:
        fh.write("\n".join(out) + "\n")

# The summary: counts per check, then the verdict.
print("lint: %s files under src/; clang-tidy %ss, cppcheck %ss" % (nfiles, t_tidy, t_cpp))
for tool, fs in finds.items():
    c = collections.Counter(x[0] for x in fs)
    print("  %-10s %4d  %s" % (tool, len(fs),
          ", ".join("%s %d" % kv for kv in sorted(c.items(), key=lambda kv: (-kv[1], kv[0])))))
for b in broken[:5]:
    print("  " + b)
total = sum(map(len, finds.values()))
if total == 0 and not broken:
    print("lint: clean")
    sys.exit(0)
if not report:
    print("\n".join(out))
else:
    print("lint: %d finding%s, listed in %s" % (total, "" if total == 1 else "s", report))
sys.exit(1)
EOF
