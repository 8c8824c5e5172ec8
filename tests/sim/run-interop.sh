#!/usr/bin/env bash
# Run the SignalR interop test (tests/interop) against srm-sim; exit 77 (skip) when node or
# its node_modules are missing. Usage: run-interop.sh PATH/TO/srm-sim
set -uo pipefail
dir=$(cd "$(dirname "$0")/../interop" && pwd)
if ! command -v node >/dev/null 2>&1; then
	echo "SKIP: node not installed"
	exit 77
fi
if [ ! -d "$dir/node_modules/@microsoft/signalr" ]; then
	echo "SKIP: $dir/node_modules missing (run: npm ci --prefix $dir)"
	exit 77
fi
exec node "$dir/interop.js" "$1"
