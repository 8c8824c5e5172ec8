#!/usr/bin/env bash
# `meson install` puts in place what the README says it does (issue 14): the programs, the man
# pages, the units (system and user), the completions, the profiles and the example config.
# usage: install.sh BUILD_DIR
set -u
build=$1
dest=$(mktemp -d /tmp/srm-install.XXXXXX)
trap 'rm -rf "$dest"' EXIT
meson install -C "$build" --destdir "$dest" --no-rebuild >"$dest.log" 2>&1 || { cat "$dest.log"; rm -f "$dest.log"; exit 1; }
rm -f "$dest.log"
pass=0 fail=0
for f in bin/srm bin/srmd bin/srm-sim share/man/man1/srm.1 share/man/man8/srmd.8 \
	lib/systemd/system/srmd.service lib/systemd/user/srmd.service \
	share/bash-completion/completions/srm share/zsh/site-functions/_srm \
	share/srm/profiles/topstep-50k-combine.yaml share/doc/srm/srm.example.yaml; do
	if [ -n "$(find "$dest" -path "*/$f" -type f | head -n 1)" ]; then
		echo "ok   installed: $f"; pass=$((pass + 1))
	else
		echo "FAIL not installed: $f"; fail=$((fail + 1))
	fi
done
echo "install: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
