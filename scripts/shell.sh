#!/usr/bin/env bash
# Chat in the terminal: the action server runs in the background while `rasa shell` has the terminal.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/python -m rasa_sdk --actions actions --port "${ACTION_PORT:-5055}" >var/action-server.log 2>&1 &
actions_pid=$!
trap 'kill $actions_pid 2>/dev/null || true' EXIT
.venv/bin/rasa shell --model models/assistant.tar.gz --endpoints endpoints.yml
