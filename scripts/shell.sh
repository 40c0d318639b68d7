#!/usr/bin/env bash
# Chat in the terminal. `rasa shell` starts a server of its own, so this uses its
# own ports (5006 and 5056 unless set) and works beside a running `make run`.
set -euo pipefail
cd "$(dirname "$0")/.."
shell_port=${SHELL_RASA_PORT:-5006}
actions_port=${SHELL_ACTION_PORT:-5056}
export ACTION_SERVER_URL="http://127.0.0.1:$actions_port/webhook"
source scripts/secrets.sh
.venv/bin/python -m action_server --port "$actions_port" >var/shell-action-server.log 2>&1 &
actions_pid=$!
trap 'kill $actions_pid 2>/dev/null || true' EXIT
.venv/bin/rasa shell --model models/assistant.tar.gz --endpoints endpoints.yml --port "$shell_port"
