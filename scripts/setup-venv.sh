#!/usr/bin/env bash
# Creates .venv with Python 3.10 (recreating it if it holds another version) and
# installs the pinned requirements; `pip check` must stay clean.
set -euo pipefail
cd "$(dirname "$0")/.."
python=$(scripts/find-python310.sh)
if [ -x .venv/bin/python ] && ! .venv/bin/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))'; then
  echo "setup: .venv is not Python 3.10, recreating it"
  rm -rf .venv
fi
[ -x .venv/bin/python ] || "$python" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade "pip==26.3"
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
.venv/bin/python -m pip check
