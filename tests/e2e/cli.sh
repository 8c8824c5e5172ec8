#!/usr/bin/env bash
# The CLI's manners, for every command the binary lists (`srm help`, `srm admin --help`): --help
# exits 0 on stdout; an unknown option or an unexpected argument exits 2 with "srm CMD: ..."
# and a hint on stderr; --json parses and its times are ISO-8601; ids are validated; -n 0 is
# zero; admin output is for a human; history --csv; srm report; admin daemon start waits until
# srmd guards (or says what it waits for). Against the real srmd and srm-sim.
# usage: cli.sh SRMD SRM SRM-SIM
set -u
SRMD=$1 SRM=$2 SIM=$3
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/srm-e2e-cli.XXXXXX)
. "$here/lib.sh"
trap cleanup EXIT

MNQ=CON.F.US.MNQ.Z26
export SRM_ADMIN_PASSWORD=correct-horse
HASH=$("$SRM" admin passwd 2>/dev/null)
SOCK="$work/srm.sock"
unset SRM_SOCKET

# 1. every command and subcommand the binary lists
mapfile -t cmds < <("$SRM" help | sed -n 's/^  \([a-z]*\) .*/\1/p')
mapfile -t admins < <("$SRM" admin --help | sed -n 's/^  srm admin \([a-z]*\)\( [a-z]*\)\{0,1\} .*/\1\2/p' |
	sed 's/ *$//')
check "srm help lists the commands (${#cmds[@]})" test "${#cmds[@]}" -ge 10
check "srm admin --help lists its commands (${#admins[@]})" test "${#admins[@]}" -ge 14
bad_help=() bad_opt=() bad_arg=()
for c in "${cmds[@]}" "${admins[@]/#/admin }"; do
	# shellcheck disable=SC2086
	set -- $c
	[ "$1" = help ] || [ "$1" = version ] && continue
	"$SRM" "$@" --help >"$work/h.out" 2>"$work/h.err"
	rc=$?
	{ [ "$rc" = 0 ] && grep -q "^usage: srm $c" "$work/h.out" && [ ! -s "$work/h.err" ]; } || bad_help+=("$c")
	"$SRM" "$@" --no-such-option >"$work/o.out" 2>"$work/o.err"
	rc=$?
	{ [ "$rc" = 2 ] && grep -q "^srm $c: unknown option --no-such-option" "$work/o.err" &&
		grep -q "^try 'srm $c --help'" "$work/o.err" && [ ! -s "$work/o.out" ]; } || bad_opt+=("$c:$rc")
	# one argument too many (past what the synopsis allows)
	n=$(sed -n "1s/^usage: srm $c//p" "$work/h.out" | tr ' ' '\n' | grep -c '^[A-Z[]')
	extra=(); for ((k = 0; k <= n; k++)); do extra+=(1); done
	"$SRM" "$@" "${extra[@]}" x-extra >"$work/a.out" 2>"$work/a.err"
	rc=$?
	want="unexpected argument"
	[ "$c" = admin ] && want="unknown command '1'" # its first argument is a command
	{ [ "$rc" = 2 ] && grep -q "^srm $c: $want" "$work/a.err"; } || bad_arg+=("$c:$rc")
done
# the man pages say every command and option the binary has
man1="$here/../../man/srm.1" man8="$here/../../man/srmd.8"
undoc=()
for c in "${cmds[@]}" "${admins[@]/#/admin }"; do
	# shellcheck disable=SC2086
	set -- $c
	[ "$1" = help ] && continue
	grep -q "^\.B[IR]* \"*$c\b" "$man1" || undoc+=("$c")
	for o in $("$SRM" "$@" --help 2>/dev/null | grep -o -- '--[a-z][a-z-]*' | sort -u); do
		grep -qF -- "$(printf '%s' "$o" | sed 's/-/\\-/g')" "$man1" || undoc+=("$c:$o")
	done
done
for o in $("$SRMD" --help 2>&1 | grep -o -- '--[a-z][a-z-]*' | sort -u); do
	grep -qF -- "$(printf '%s' "$o" | sed 's/-/\\-/g')" "$man8" || undoc+=("srmd:$o")
done
check "srm.1 and srmd.8 document every command and option the binaries have (missing: ${undoc[*]:-none})" \
	test "${#undoc[@]}" = 0
check "every command's --help: rc 0, usage on stdout, nothing on stderr (bad: ${bad_help[*]:-none})" \
	test "${#bad_help[@]}" = 0
check "every command refuses an unknown option: rc 2, 'srm CMD: unknown option', a hint (bad: ${bad_opt[*]:-none})" \
	test "${#bad_opt[@]}" = 0
check "every command refuses an unexpected argument: rc 2 with a message (bad: ${bad_arg[*]:-none})" \
	test "${#bad_arg[@]}" = 0
"$SRM" no-such-command >"$work/u.out" 2>"$work/u.err"
rc=$?
check "an unknown command: rc 2 and a message" sh -c "[ $rc = 2 ] && grep -q \"unknown command 'no-such-command'\" '$work/u.err'"
"$SRM" help status >"$work/hs.out" 2>&1
check "srm help status is srm status --help" grep -q '^usage: srm status' "$work/hs.out"
"$SRM" status --account=abc >"$work/id.out" 2>&1
rc=$?
check "--account=abc is refused (rc $rc), not every account shown" sh -c \
	"[ $rc = 2 ] && grep -q 'expected a whole number' '$work/id.out'"
# the default config, the same for every command and admin init: a relative
# XDG_CONFIG_HOME is ignored (XDG Base Directory), ~/.config is used
mkdir -p "$work/h/.config/srm" "$work/rel/srm"
printf 'daemon:\n  socket: %s\n' "$work/h.sock" >"$work/h/.config/srm/srm.yaml"
printf 'daemon:\n  socket: /nowhere.sock\n' >"$work/rel/srm/srm.yaml"
srm_abs="$(cd "$(dirname "$SRM")" && pwd)/$(basename "$SRM")"
(cd "$work" && XDG_CONFIG_HOME=rel HOME="$work/h" "$srm_abs" status >"$work/xdg.out" 2>&1)
check "a relative XDG_CONFIG_HOME is ignored: ~/.config/srm/srm.yaml names the socket" \
	grep -q "no socket at $work/h.sock" "$work/xdg.out"
"$SRM" admin lockout set 10001 >"$work/how.out" 2>&1
rc=$?
check "lockout set without how long: rc 2 before any password or socket" sh -c \
	"[ $rc = 2 ] && grep -q 'give one of --for' '$work/how.out'"

# shell completion (bash; zsh's is checked for syntax when zsh is here): it asks the binary
comp() {
	PATH="$(cd "$(dirname "$SRM")" && pwd):$PATH" bash -c \
		'. "$0"; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _srm; printf "%s\n" "${COMPREPLY[@]}"' \
		"$here/../../dist/completions/srm.bash" srm "$@"
}
has() { local want=$1; shift; comp "$@" | grep -qx -- "$want"; }
check "bash completion: the commands" sh -c "$(declare -f comp has); SRM='$SRM' here='$here'; has status '' && has report re"
check "bash completion: admin's commands and subcommands" sh -c \
	"$(declare -f comp has); SRM='$SRM' here='$here'; has lockout admin '' && has set admin lockout '' && has validate admin config va"
check "bash completion: a command's options" sh -c \
	"$(declare -f comp has); SRM='$SRM' here='$here'; has --csv history --c && has --until-reset admin lockout set 1 --u"
if command -v zsh >/dev/null; then
	check "zsh completion parses" zsh -n "$here/../../dist/completions/_srm"
fi

# 2. admin daemon start: waits until srmd guards
start_sim
write_config
"$SRMD" --version >/dev/null 2>&1 || true
SRMD="$SRMD" "$SRM" admin daemon start --config "$work/srm.yaml" --socket "$SOCK" >"$work/start.out" 2>&1
rc=$?
check "admin daemon start returns when srmd guards (rc $rc)" sh -c \
	"[ $rc = 0 ] && grep -q 'is guarding 2 accounts' '$work/start.out'"
check "...and it is guarding then" guarding
SRMDPID=$(cat "$SOCK.pid" 2>/dev/null || echo 0)
pids+=($SRMDPID)
quote $MNQ 21000 21000.25

# 3. --json: parses, times ISO-8601 (no epoch numbers), for each read command
order "{\"accountId\":$ACC,\"contractId\":\"$MNQ\",\"type\":2,\"side\":0,\"size\":6}" >/dev/null
wait_for 5 is_eq 4 sim_pos "$ACC" "$MNQ"
"$SRM" rules --account "$ACC" --socket "$SOCK" >"$work/rules.out" 2>&1
check "srm rules: counts as counts, money as money" sh -c \
	"grep -Eq 'RULE-001 +max_contracts +yes +ok +contracts 4/4 \(100%\)' '$work/rules.out' && grep -Eq 'RULE-003 .*daily loss -?[0-9]+\.[0-9]{2}/-500\.00' '$work/rules.out'"
"$SRM" admin lockout set "$ACC2" --for 2h --reason "cooling off" --socket "$SOCK" >"$work/lock.out" 2>&1
check "admin lockout set speaks to a human ($(head -c 120 "$work/lock.out"))" sh -c \
	"grep -q '^account $ACC2: locked out until 20[0-9-]*T[0-9:.]*Z ([A-Z]*: .*cooling off)' '$work/lock.out' && ! grep -q '{' '$work/lock.out'"
"$SRM" admin lockout set "$ACC2" --for 2h --json --socket "$SOCK" >"$work/lockj.out" 2>&1
check "...and JSON with --json" sh -c "python3 -c 'import json,sys; json.load(open(sys.argv[1]))' '$work/lockj.out'"
isotimes() {
	python3 - "$1" <<'PY'
import json, re, sys
d = json.load(open(sys.argv[1]))
iso = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)$')
bad = []
def walk(x, path):
    if isinstance(x, dict):
        for k, v in x.items():
            p = path + '.' + k
            if k in ('ts', 'since', 'until', 'guardSince', 'from', 'to', 'at', 'nextReset', 'dayStart'):
                if not (isinstance(v, str) and (iso.match(v) or v in ('reset', 'permanent', 'today'))):
                    bad.append('%s=%r' % (p, v))
            elif isinstance(v, (int, float)) and not isinstance(v, bool) and v > 1e12:
                bad.append('%s=%r (epoch?)' % (p, v))
            walk(v, p)
    elif isinstance(x, list):
        for i, v in enumerate(x):
            walk(v, '%s[%d]' % (path, i))
walk(d, '')
print(' '.join(bad[:5]))
sys.exit(1 if bad else 0)
PY
}
bad_json=()
for c in status lockouts rules history logs report; do
	"$SRM" $c --json --socket "$SOCK" >"$work/$c.json" 2>"$work/$c.err" || bad_json+=("$c:rc")
	isotimes "$work/$c.json" >"$work/$c.why" 2>&1 || bad_json+=("$c:$(cat "$work/$c.why")")
done
check "--json parses and every time is ISO-8601 (bad: ${bad_json[*]:-none})" test "${#bad_json[@]}" = 0
lk_until() { json "[r['until'] for r in d if r.get('action')=='lockout'][-1]" <"$work/history.json"; }
check "history --json: a lockout's end is an ISO time, not epoch ms ($(lk_until))" sh -c \
	"echo '$(lk_until)' | grep -Eq '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T'"

# 4. numbers: 0 is zero, an unknown account is said
"$SRM" logs -n 0 --json --socket "$SOCK" >"$work/n0.json"
check "logs -n 0 gives no line" is_eq "[]" cat "$work/n0.json"
"$SRM" history --limit=0 --json --socket "$SOCK" >"$work/l0.json"
check "history --limit=0 gives no row" is_eq "[]" cat "$work/l0.json"
"$SRM" status --account 999999 --socket "$SOCK" >"$work/unk.out" 2>&1
rc=$?
check "an account srmd does not guard: rc 1 and says so" sh -c \
	"[ $rc = 1 ] && grep -q 'account 999999 is not guarded' '$work/unk.out'"

# 5. history --csv and report
"$SRM" history --csv --socket "$SOCK" >"$work/h.csv"
rows=$(python3 -c "import csv,sys; r=list(csv.reader(open(sys.argv[1]))); print(len(r)-1 if r and r[0][0]=='ts' else -1)" "$work/h.csv")
nj=$(json "len(d)" <"$work/history.json")
check "history --csv: a header and a row per journal row ($rows, json $nj)" sh -c "[ $rows -ge 1 ] && [ $rows -ge $nj ]"
"$SRM" report --socket "$SOCK" >"$work/report.out" 2>&1
check "srm report: today's P&L and trades per account" sh -c \
	"grep -q '^trading day today, so far' '$work/report.out' && grep -Eq '^  realized [-+][0-9.]+  fees [0-9.]+  net [-+][0-9.]+  trades [0-9]+' '$work/report.out'"
check "...and what was enforced, with the rule and why" sh -c \
	"grep -Eq '^  enforced [0-9]+ times?:' '$work/report.out' && grep -q 'RULE-001.*partial_close' '$work/report.out'"
"$SRM" report --day 2026-13-01 --socket "$SOCK" >"$work/rbad.out" 2>&1
rc=$?
check "report --day with a bad date: rc 2 and says the format" sh -c "[ $rc = 2 ] && grep -q 'YYYY-MM-DD' '$work/rbad.out'"
"$SRM" report --day 2020-01-02 --json --socket "$SOCK" >"$work/rold.json" 2>&1
check "report of a day srmd did not run: says nothing was recorded" is_eq "[False, False]" \
	json "[a['recorded'] for a in d['accounts']]" <"$work/rold.json"

# 6. stop, and a start that cannot guard says what it waits for
"$SRM" admin lockout clear "$ACC2" --socket "$SOCK" >"$work/clear.out" 2>&1
check "admin lockout clear says trading is allowed again" grep -q "^account $ACC2: lockouts cleared; trading is allowed" "$work/clear.out"
"$SRM" admin daemon stop --socket "$SOCK" >"$work/stop.out" 2>&1
check "admin daemon stop" grep -q 'srmd stopped' "$work/stop.out"
sim POST /sim/fault '{"kind":"reject_auth","count":1000000}' >/dev/null
SRMD="$SRMD" "$SRM" admin daemon start --config "$work/srm.yaml" --socket "$SOCK" --wait 3 >"$work/start2.out" 2>&1
rc=$?
check "a start that cannot log in: rc 1, saying what srmd waits for" sh -c \
	"[ $rc = 1 ] && grep -q 'but not guarding after 3 s: ' '$work/start2.out'"
pids+=("$(cat "$SOCK.pid" 2>/dev/null || echo 0)")
"$SRM" admin daemon stop --socket "$SOCK" >/dev/null 2>&1
sed -i 's/^rules:/rules:\n  max_contracts: {limit: -4}/' "$work/srm.yaml"
SRMD="$SRMD" "$SRM" admin daemon start --config "$work/srm.yaml" --socket "$SOCK" >"$work/start3.out" 2>&1
rc=$?
check "a start with a bad config: rc 1 at once, with srmd's words" sh -c \
	"[ $rc = 1 ] && grep -q 'did not come up' '$work/start3.out' && grep -q 'srm.yaml:[0-9]*:' '$work/start3.out'"

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
