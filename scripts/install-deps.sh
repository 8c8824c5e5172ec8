#!/usr/bin/env bash
# Install the Debian packages named as arguments that are missing (apt-get update first),
# and Node + npm for the interop and browser tests; does nothing when everything is already there.
set -euo pipefail

missing=()
for p in "$@"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	missing+=(nodejs npm)
fi

# npm packages of the SignalR interop test (tests/interop), from its lock file.
npm_deps() {
	local dir
	dir="$(cd "$(dirname "$0")/.." && pwd)/tests/interop"
	if [ -f "$dir/package-lock.json" ] && [ ! -d "$dir/node_modules/@microsoft/signalr" ] &&
		command -v npm >/dev/null 2>&1; then
		echo "installing npm packages of tests/interop (npm ci)"
		npm ci --prefix "$dir" --no-audit --no-fund || echo "warning: npm ci failed; the interop test will be skipped" >&2
	fi
	# playwright-core of the dashboard's browser test (tests/browser): it drives Debian's
	# chromium; no browser is downloaded
	dir="$(cd "$(dirname "$0")/.." && pwd)/tests/browser"
	if [ -f "$dir/package-lock.json" ] && [ ! -d "$dir/node_modules/playwright-core" ] &&
		command -v npm >/dev/null 2>&1; then
		echo "installing npm packages of tests/browser (npm ci)"
		PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix "$dir" --no-audit --no-fund ||
			echo "warning: npm ci failed; the browser test will be skipped" >&2
	fi
}

if [ ${#missing[@]} -eq 0 ]; then
	npm_deps
	exit 0
fi

echo "installing missing packages: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		sudo="sudo"
	else
		echo "error: need root (or sudo) to install: ${missing[*]}" >&2
		exit 1
	fi
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
npm_deps
