#!/usr/bin/env bash
# Prints the path of a Python 3.10 interpreter (Rasa 3.6 refuses 3.11+):
# PATH first, then pyenv's versions. Exits 1 with advice when there is none.
set -euo pipefail
candidates=()
command -v python3.10 >/dev/null 2>&1 && candidates+=("$(command -v python3.10)")
for dir in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.10.* /root/.pyenv/versions/3.10.*; do
  [ -x "$dir/bin/python3.10" ] && candidates+=("$dir/bin/python3.10")
done
for python in "${candidates[@]}"; do
  if "$python" -c 'import sys, venv; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; then
    echo "$python"
    exit 0
  fi
done
cat >&2 <<'MSG'
No Python 3.10 interpreter found (Rasa Open Source 3.6 needs Python 3.10; 3.11+ is refused).
Install one, then run make again, for example:
  pyenv install 3.10        (then it is found under ~/.pyenv/versions)
  apt-get install python3.10 python3.10-venv
MSG
exit 1
