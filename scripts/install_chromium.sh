#!/usr/bin/env bash
# Installs Debian's chromium for the dashboard's headless-browser test (tests/python/test_dashboard.py)
# when /usr/bin/chromium is missing. CI runs as root; elsewhere it uses sudo if it can, and otherwise
# says what to run and exits 0 (the test then skips outside CI and fails inside it).
set -euo pipefail

if [[ -x /usr/bin/chromium ]]; then
    echo "chromium: $(/usr/bin/chromium --version 2>/dev/null || echo present) at /usr/bin/chromium"
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "chromium is missing and this machine has no apt-get: install chromium yourself" >&2
    exit 0
fi

if [[ "$(id -u)" -eq 0 ]]; then
    runner=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    runner=(sudo -n)
else
    echo "chromium is missing; as root run: apt-get update && apt-get install -y --no-install-recommends chromium" >&2
    exit 0
fi

echo "installing Debian's chromium (apt-get) for the dashboard browser test"
export DEBIAN_FRONTEND=noninteractive
"${runner[@]}" apt-get update -qq
"${runner[@]}" apt-get install -y -qq --no-install-recommends chromium
/usr/bin/chromium --version
