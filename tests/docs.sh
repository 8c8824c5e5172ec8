#!/usr/bin/env bash
# The README's commands, as written (issue 14): every `srm ...` / `srmd ...` command in its code
# blocks and inline code exists with the options it shows (each runs with --help appended:
# an unknown command or option is rc 2); and the first-run steps run as written against
# srm-sim in a private HOME: admin config validate, admin daemon start, status, replay.
# usage: docs.sh SRMD SRM SRM-SIM
set -u
SRMD=$1 SRM=$2 SIM=$3
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
work=$(mktemp -d /tmp/srm-docs.XXXXXX)
. "$here/e2e/lib.sh"
trap cleanup EXIT

# srm and srmd by their names, as the README writes them
mkdir -p "$work/bin"
ln -s "$(cd "$(dirname "$SRM")" && pwd)/$(basename "$SRM")" "$work/bin/srm"
ln -s "$(cd "$(dirname "$SRMD")" && pwd)/$(basename "$SRMD")" "$work/bin/srmd"
export PATH="$work/bin:$PATH"

# 1. every command the README shows exists, with its options
python3 - "$root/README.md" >"$work/cmds" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
cmds = []
for block in re.findall(r"```(?:sh|bash)?\n(.*?)```", text, re.S):
    for line in block.splitlines():
        line = line.split("#")[0].strip()
        if re.match(r"^(srm|srmd)\b", line):
            cmds.append(line)
for code in re.findall(r"`([^`\n]+)`", text):
    if re.match(r"^(srm|srmd) ", code):
        cmds.append(code)
seen = set()
for c in cmds:
    # a synopsis (alternatives, optional parts, "…") is not a command as written
    w = c.split()
    if any(t in c for t in ("[", "|", "…", "...", "FILE /", " / ")) or c in seen or \
            (len(w) > 1 and w[1].isupper()):
        continue
    seen.add(c)
    print(c)
PY
n=$(wc -l <"$work/cmds")
check "the README shows commands ($n)" test "$n" -ge 15
bad=()
while IFS= read -r c; do
	# shellcheck disable=SC2086
	eval "set -- $c"
	"$@" --help >/dev/null 2>"$work/err" || bad+=("$c ($(head -c 80 "$work/err"))")
done <"$work/cmds"
check "every README command exists with the options it shows (bad: ${bad[*]:-none})" test "${#bad[@]}" = 0

# 2. the first-run steps as written, against srm-sim, in a private home
KEY=doc-key-0001
start_sim --user you@example.com --key "$KEY"
export HOME="$work/home" XDG_CONFIG_HOME= XDG_RUNTIME_DIR="$work/run"
mkdir -p "$HOME" "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
unset SRM_SOCKET XDG_CONFIG_HOME
export PROJECTX_USERNAME=you@example.com PROJECTX_API_KEY=$KEY SRM_ADMIN_PASSWORD=correct-horse
URL="http://127.0.0.1:$PORT"
# (the one difference from the README: the simulator's URLs instead of TopstepX's)
srm admin init --api-url "$URL" --user-hub-url "$URL/hubs/user" --market-hub-url "$URL/hubs/market" \
	</dev/null >"$work/init.out" 2>&1
check "srm admin init (at the simulator) writes ~/.config/srm/srm.yaml" test -f "$HOME/.config/srm/srm.yaml"
srm admin check >"$work/check.out" 2>&1
rc=$?
check "srm admin check, as written (rc $rc)" sh -c "[ $rc = 0 ] && grep -Eq '^  login +ok' '$work/check.out'"
# step 4, each line as the README writes it
mapfile -t step4 < <(python3 - "$root/README.md" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
i = text.index("4. Start it:")
block = re.search(r"```sh\n(.*?)```", text[i:], re.S).group(1)
for line in block.splitlines():
    if line.split("#")[0].strip():
        print(line.split("#")[0].strip())
PY
)
check "step 4 of the README has its three commands" test "${#step4[@]}" = 3
for c in "${step4[@]}"; do
	eval "$c" >"$work/step.out" 2>&1
	rc=$?
	check "as written: $c (rc $rc)" test "$rc" = 0
done
check "...and srmd is guarding then" sh -c "srm status --json | grep -q '\"phase\":\"guarding\"'"
pids+=("$(cat "$XDG_RUNTIME_DIR/srm.sock.pid" 2>/dev/null || echo 0)")
# the replay examples: the first one runs from the source tree as written, without credentials
first_replay=$(grep -m1 '^srm replay --config config/srm.example.yaml' "$root/README.md")
(cd "$root" && env -u PROJECTX_USERNAME -u PROJECTX_API_KEY sh -c "$first_replay" >"$work/replay.out" 2>&1)
rc=$?
check "as written: $first_replay (rc $rc, no credentials)" sh -c "[ $rc = 0 ] && grep -q '\"rule\"' '$work/replay.out'"
srm admin daemon stop >/dev/null 2>&1

echo "docs: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
