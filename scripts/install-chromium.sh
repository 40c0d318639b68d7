#!/usr/bin/env bash
# Installs Debian's chromium for the web chat's browser tests (tests/web), once; `make test` calls
# it when /usr/bin/chromium is missing. Needs root (CI runs as root) or sudo. Playwright drives
# this browser: its own browser downloads are never used.
set -euo pipefail
[ -x /usr/bin/chromium ] && exit 0
if [ "$(id -u)" -eq 0 ]; then sudo=(); elif command -v sudo >/dev/null; then sudo=(sudo); else
  echo "install-chromium: run as root, or: apt-get install chromium" >&2
  exit 1
fi
"${sudo[@]}" apt-get update
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y chromium
