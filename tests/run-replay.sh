#!/usr/bin/env bash
# Run every tests/replay/NAME.jsonl through the real `srm replay` and compare with NAME.expected.
# NAME.yaml is the config when present, else tests/replay/srm.yaml; NAME.args adds arguments
# (e.g. --until TIME); NAME.rc is the expected exit code (default 0).
set -uo pipefail

srm=$1
dir=$2
fail=0
count=0
for events in "$dir"/*.jsonl; do
	name=$(basename "$events" .jsonl)
	cfg="$dir/$name.yaml"
	[ -f "$cfg" ] || cfg="$dir/srm.yaml"
	args=()
	[ -f "$dir/$name.args" ] && read -r -a args < "$dir/$name.args"
	want_rc=0
	[ -f "$dir/$name.rc" ] && want_rc=$(cat "$dir/$name.rc")
	out=$(mktemp)
	err=$(mktemp)
	"$srm" replay --config "$cfg" "${args[@]}" "$events" > "$out" 2> "$err"
	rc=$?
	count=$((count + 1))
	if [ "$rc" -ne "$want_rc" ]; then
		echo "FAIL $name: exit code $rc, expected $want_rc"; cat "$err"; fail=$((fail + 1))
	elif ! diff -u "$dir/$name.expected" "$out"; then
		echo "FAIL $name: output differs (above)"; fail=$((fail + 1))
	elif [ -f "$dir/$name.stderr" ] && ! diff -u "$dir/$name.stderr" <(sed "s|$dir/||" "$err"); then
		echo "FAIL $name: stderr differs (above)"; fail=$((fail + 1))
	else
		echo "ok   $name"
	fi
	rm -f "$out" "$err"
done
echo "replay: $count files, $fail failed"
[ "$count" -gt 0 ] && [ "$fail" -eq 0 ]
