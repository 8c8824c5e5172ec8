#!/usr/bin/env bash
# Secrets (issue 9, item 5): the API key and the admin password never show in any output,
# whatever the YAML spelling; no core file can hold them; the password does not linger in
# srmd's memory after `auth`.
# usage: secrets.sh SRMD SRM SRM-SIM
set -u
SRMD=$1 SRM=$2 SIM=$3
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/srm-e2e-secrets.XXXXXX)
. "$here/lib.sh"
trap cleanup EXIT

KEY=K3Y-s3cr3t-0042-zq
PW=pw-UNIQUE-7781-xk
HASH=$(SRM_ADMIN_PASSWORD=$PW "$SRM" admin passwd 2>/dev/null)
admin() { SRM_ADMIN_PASSWORD=$PW "$SRM" admin "$@"; } # srmd's environment never has it
SOCK="$work/srm.sock"

start_sim --key "$KEY"
write_config
# valid YAML spellings the old text match missed: a quoted key, a space before the colon
sed -i "s|  api_key: demo|  \"api_key\" : $KEY|" "$work/srm.yaml"
grep -q "\"api_key\" : $KEY" "$work/srm.yaml" || { echo "config not rewritten"; exit 1; }
start_srmd || exit 1

check "srmd logged in with the key (it is in use)" guarding
admin config show --socket "$SOCK" >"$work/show.out" 2>&1
check "config show prints the file" grep -q 'max_contracts' "$work/show.out"
check "config show never prints the API key (\"api_key\" : spelling)" sh -c "! grep -q '$KEY' '$work/show.out'"
check "...and says where it was" grep -q '"api_key" : "\*\*\*"' "$work/show.out"
"$SRM" status --socket "$SOCK" --json >"$work/status.out" 2>&1
"$SRM" logs -n 2000 --socket "$SOCK" --json >"$work/logs.out" 2>&1
check "status, logs and srmd's log hold neither the key nor the password" \
	sh -c "! grep -q -e '$KEY' -e '$PW' '$work/status.out' '$work/logs.out' '$work/srmd.log'"
check "srmd may write no core file (RLIMIT_CORE 0)" \
	grep -Eq '^Max core file size +0 +0 ' "/proc/$SRMDPID/limits"

# the password is wiped once checked: a core image taken by root (gcore) does not hold it
if nm -D "$SRMD" 2>/dev/null | grep -q __asan_init || nm "$SRMD" 2>/dev/null | grep -q __asan_init; then
	echo "skip memory image check (sanitizer build: its shadow memory is too large to dump)"
elif ! command -v gcore >/dev/null; then
	echo "skip memory image check (no gcore)"
else
	admin lockout set "$ACC" --for 1m --socket "$SOCK" >/dev/null
	admin lockout clear "$ACC" --socket "$SOCK" >/dev/null
	gcore -o "$work/core" "$SRMDPID" >/dev/null 2>&1
	core=$(ls "$work"/core.* 2>/dev/null | head -1)
	check "a memory image of srmd was taken" test -s "$core"
	check "the admin password is not in srmd's memory after auth" sh -c "! grep -aq '$PW' '$core'"
	rm -f "$work"/core.*
fi

# a fake srmd listening in a directory anyone may write (the old /tmp fallback): the CLI
# refuses it before sending anything, the password least of all
mkdir -p "$work/pub" && chmod 1777 "$work/pub"
python3 - "$work/pub/srm.sock" "$work/phished" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(4); s.settimeout(8)
got = b""
try:
    c, _ = s.accept(); c.settimeout(2)
    try:
        while True:
            b = c.recv(4096)
            if not b: break
            got += b
    except OSError:
        pass
except OSError:
    pass
open(sys.argv[2], "wb").write(got)
PY
phish=$!
wait_for 10 test -S "$work/pub/srm.sock" # listening (a sleep was too short on a busy machine)
admin lockout clear "$ACC" --socket "$work/pub/srm.sock" >/dev/null 2>"$work/phish.err"
rc=$?
kill "$phish" 2>/dev/null; wait "$phish" 2>/dev/null
check "the CLI refuses a socket in a directory others may write (rc $rc)" \
	sh -c "[ $rc -ne 0 ] && grep -q 'writable by other users' '$work/phish.err'"
check "...and the fake daemon received nothing, no password" \
	sh -c "[ ! -s '$work/phished' ] && ! grep -q '$PW' '$work/phished' 2>/dev/null"

check "srmd stops cleanly on SIGTERM (exit 0)" stop_srmd
echo "secrets: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
