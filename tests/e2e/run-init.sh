#!/usr/bin/env bash
# End-to-end first run: the real `srm admin init` and `srm admin check` against the real srm-sim:
# the file written (0600, dry run, no key inside, valid), the checks, a wrong key, a dead gateway;
# `srmd --check` itself (what both run), beside a running srmd.
# usage: run-init.sh SRMD SRM SRM-SIM
set -u
SRMD=$1 SRM=$2 SIM=$3
export SRMD  # srm runs `srmd --check`
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/srm-init.XXXXXX)
. "$here/lib.sh"
trap cleanup EXIT

KEY='k3y-Sup3r-s3cret-0042'
start_sim --user trader@example.com --key "$KEY"
URL="http://127.0.0.1:$PORT"
urls=(--api-url "$URL" --user-hub-url "$URL/hubs/user" --market-hub-url "$URL/hubs/market")

# a private home: nothing of the real user's is read or written
export HOME="$work/home" XDG_CONFIG_HOME="$work/xdg" XDG_RUNTIME_DIR="$work"
unset SRM_SOCKET
mkdir -p "$HOME"
export PROJECTX_USERNAME=trader@example.com PROJECTX_API_KEY="$KEY" SRM_ADMIN_PASSWORD=correct-horse
CFG="$XDG_CONFIG_HOME/srm/srm.yaml"

# 1. init, non-interactive (environment, stdin not a terminal), default path
"$SRM" admin init "${urls[@]}" </dev/null >"$work/init.out" 2>"$work/init.err"
rc=$?
check "init exits 0" [ "$rc" = 0 ]
check "init wrote \$XDG_CONFIG_HOME/srm/srm.yaml" [ -f "$CFG" ]
check "the config is mode 0600" is_eq 600 stat -c %a "$CFG"
check "the config says dry_run: true" grep -Eq '^  dry_run: true' "$CFG"
check "the credentials are \${ENV} references" sh -c \
	"grep -q 'username: \${PROJECTX_USERNAME}' '$CFG' && grep -q 'api_key: \${PROJECTX_API_KEY}' '$CFG'"
check "the API key is not in the file" sh -c "! grep -qF '$KEY' '$CFG'"
check "the API key is not printed" sh -c "! grep -qF '$KEY' '$work/init.out' '$work/init.err'"
check "the admin password is not in the file" sh -c "! grep -qF correct-horse '$CFG'"
check "a yescrypt hash is in the file" grep -Eq '^  password_hash: "\$y\$' "$CFG"
check "accounts: all" grep -q '^accounts: all' "$CFG"
check "every rule block is in the file" is_eq 12 grep -Ec \
	'^  (max_contracts|max_contracts_per_instrument|daily_realized_loss|daily_unrealized_loss|max_unrealized_profit|trade_frequency_limit|cooldown_after_loss|no_stop_loss_grace|session_block_outside|auth_loss_guard|symbol_blocks|trade_management):$' "$CFG"
check "init lists both accounts" sh -c "grep -q '$ACC' '$work/init.out' && grep -q '$ACC2' '$work/init.out'"
check "init tells what to do next" sh -c "grep -q 'srm admin daemon start --config $CFG' '$work/init.out' && grep -q 'dry_run: false' '$work/init.out'"
"$SRM" admin config validate "$CFG" >"$work/validate.out" 2>&1
check "srm admin config validate accepts it" grep -q '^OK: .*dry run' "$work/validate.out"
check "no temporary file is left behind" is_eq 1 sh -c "ls -A '$XDG_CONFIG_HOME/srm' | wc -l"

# 2. init again: the file is kept
sum=$(md5sum <"$CFG")
"$SRM" admin init "${urls[@]}" </dev/null >/dev/null 2>"$work/again.err"
rc=$?
check "a second init refuses to overwrite" sh -c "[ $rc != 0 ] && grep -q 'already exists' '$work/again.err'"
check "the existing file is unchanged" is_eq "$sum" sh -c "md5sum <'$CFG'"

# 3. check against the live simulator
"$SRM" admin check --config "$CFG" >"$work/check.out" 2>&1
rc=$?
check "check exits 0" [ "$rc" = 0 ]
check "check reports the login with a timing" grep -Eq '^  login +ok +[0-9.]+ ms' "$work/check.out"
check "check reports both hubs connected" sh -c \
	"grep -Eq '^  user hub +ok +[0-9.]+ ms' '$work/check.out' && grep -Eq '^  market hub +ok +[0-9.]+ ms' '$work/check.out'"
check "check reports both guarded accounts" sh -c \
	"grep -Eq '^  account $ACC +ok' '$work/check.out' && grep -Eq '^  account $ACC2 +ok' '$work/check.out'"
check "check reports the store and the daemon" sh -c \
	"grep -Eq '^  store +ok' '$work/check.out' && grep -q 'srmd is not running' '$work/check.out'"
check "check never prints the key" sh -c "! grep -qF '$KEY' '$work/check.out'"
"$SRM" admin check >"$work/check2.out" 2>&1
rc=$?
check "check finds the default config" sh -c "[ $rc = 0 ] && grep -q '^srm admin check: $CFG' '$work/check2.out'"

# srmd --check itself: the human report and --json
"$SRMD" --check --config "$CFG" >"$work/sc.out" 2>&1
rc=$?
check "srmd --check exits 0 and reports every step" sh -c "[ $rc = 0 ] && grep -q '^srmd --check: $CFG' '$work/sc.out' \
	&& grep -Eq '^  login +ok +[0-9.]+ ms' '$work/sc.out' && grep -Eq '^  market hub +ok' '$work/sc.out' \
	&& grep -q '^all checks passed' '$work/sc.out'"
"$SRMD" --check --json --config "$CFG" >"$work/sc.json" 2>"$work/sc.err"
check "srmd --check --json: ok, both accounts guarded" is_eq "True [$ACC, $ACC2]" \
	sh -c "python3 -c \"import json; d=json.load(open('$work/sc.json')); print(d['ok'], sorted(a['id'] for a in d['accounts'] if a['guarded']))\""
check "...and no log lines on stderr" test ! -s "$work/sc.err"
"$SRMD" --json --config "$CFG" >/dev/null 2>"$work/sc-usage.err"
rc=$?
check "srmd --json without --check is a usage error (rc $rc)" sh -c "[ $rc = 2 ] && grep -q 'go with --check' '$work/sc-usage.err'"
# beside a running srmd on the same state: the check passes, says srmd runs, and leaves its lock
"$SRMD" --config "$CFG" >>"$work/srmd.log" 2>&1 &
SRMDPID=$!
pids+=($SRMDPID)
check "srmd guards with the config init wrote" wait_for 15 guarding
"$SRM" admin check --config "$CFG" >"$work/check-run.out" 2>&1
rc=$?
check "check beside a running srmd exits 0 and sees it" sh -c \
	"[ $rc = 0 ] && grep -Eq '^  daemon +ok .*srmd is running' '$work/check-run.out'"
check "...and srmd still holds its state lock and guards" sh -c \
	"[ \"\$(cat '$HOME/.local/state/srm/srmd.lock')\" = $SRMDPID ] && $(declare -f guarding json); SRM='$SRM' work='$work' guarding"
kill -TERM "$SRMDPID"
wait "$SRMDPID" 2>/dev/null
SRMD=/nonexistent/srmd "$SRM" admin check --config "$CFG" >"$work/nosrmd.out" 2>&1
rc=$?
check "check without an srmd to run: rc 1, says so (rc $rc)" sh -c \
	"[ $rc = 1 ] && grep -q 'cannot run /nonexistent/srmd' '$work/nosrmd.out'"

# a shell without the credentials (the trader's second terminal): the CLI still reads the
# config for the socket, validate warns, check says which login line failed
sed "s|^daemon:\$|daemon:\\n  socket: $work/elsewhere.sock|" "$CFG" >"$work/nocreds.yaml"
env -u PROJECTX_USERNAME -u PROJECTX_API_KEY "$SRM" admin config validate "$work/nocreds.yaml" \
	>"$work/nc-validate.out" 2>"$work/nc-validate.err"
rc=$?
check "without the credentials, config validate passes (rc $rc)" [ "$rc" = 0 ]
check "...and warns that srmd will need \${PROJECTX_API_KEY}" grep -q \
	'^warning: .*nocreds.yaml:[0-9]*: gateway.api_key: ${PROJECTX_API_KEY} is not set here (srmd will need it)' \
	"$work/nc-validate.err"
env -u PROJECTX_USERNAME -u PROJECTX_API_KEY "$SRM" status --config "$work/nocreds.yaml" \
	>"$work/nc-status.out" 2>&1
check "without the credentials, srm status looks for srmd at the config's socket" \
	grep -q "no socket at $work/elsewhere.sock" "$work/nc-status.out"
env -u PROJECTX_USERNAME -u PROJECTX_API_KEY "$SRM" admin check --config "$work/nocreds.yaml" \
	>"$work/nc-check.out" 2>&1
check "without the credentials, admin check fails the login line and names the variables" sh -c \
	"grep -Eq '^  login +FAIL' '$work/nc-check.out' && grep -q 'PROJECTX_USERNAME} is not set here' '$work/nc-check.out'"

# 4. a wrong key: clear message, nothing written
PROJECTX_API_KEY=wrong-key "$SRM" admin init --config "$work/other/srm.yaml" "${urls[@]}" \
	</dev/null >"$work/bad.out" 2>"$work/bad.err"
rc=$?
check "a wrong key: init exits non-zero" [ "$rc" != 0 ]
check "a wrong key: the message says the login failed" grep -q 'login failed' "$work/bad.err"
check "a wrong key: nothing is written" sh -c "[ ! -e '$work/other/srm.yaml' ] && [ ! -e '$work/other' ]"

# --system: the system service's config (state in /var/lib/srm, socket in /run/srm) and its
# environment file with the credentials, mode 0600
mkdir -p "$work/etc"
"$SRM" admin init --system --config "$work/etc/srm.yaml" "${urls[@]}" </dev/null >"$work/sys.out" 2>"$work/sys.err"
check "init --system writes the service's config" grep -q '^  state_dir: /var/lib/srm' "$work/etc/srm.yaml"
check "...with the socket in /run/srm" grep -q '^  socket: /run/srm/srm.sock' "$work/etc/srm.yaml"
check "...and srm.env with the credentials, mode 0600" \
	sh -c "[ \"\$(stat -c %a '$work/etc/srm.env')\" = 600 ] && grep -q '^PROJECTX_API_KEY=' '$work/etc/srm.env'"
check "...and the config still takes the key from the environment only" \
	sh -c "grep -q 'api_key: \${PROJECTX_API_KEY}' '$work/etc/srm.yaml' && ! grep -q \"\$PROJECTX_API_KEY\" '$work/etc/srm.yaml'"

# 5. the gateway is gone: check names the failed step
kill -9 "$SIMPID"
wait "$SIMPID" 2>/dev/null
"$SRM" admin check --config "$CFG" >"$work/dead.out" 2>&1
rc=$?
check "check with the gateway down exits 1" [ "$rc" = 1 ]
check "check names the failed login" sh -c \
	"grep -Eq '^  login +FAIL' '$work/dead.out' && grep -q 'check FAILED: login' '$work/dead.out'"
check "init with the gateway down writes nothing" sh -c \
	"! '$SRM' admin init --config '$work/dead.yaml' ${urls[*]} </dev/null >/dev/null 2>&1 && [ ! -e '$work/dead.yaml' ]"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
