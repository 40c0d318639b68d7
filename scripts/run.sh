#!/usr/bin/env bash
# Starts the action server, the outbox worker and the Rasa server (REST channel + token-protected
# HTTP API) in the foreground; Ctrl-C stops all three. Called by `make run`.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${RASA_PORT:=5005}" "${ACTION_PORT:=5055}"
token_file=var/rasa-token
if [ -z "${RASA_AUTH_TOKEN:-}" ]; then
  if [ ! -s "$token_file" ]; then
    umask 077
    .venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(32))' > "$token_file"
  fi
  RASA_AUTH_TOKEN=$(cat "$token_file")
  echo "run: Rasa HTTP API token is in $token_file (set RASA_AUTH_TOKEN to choose one)"
fi

pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

.venv/bin/python -m rasa_sdk --actions actions --port "$ACTION_PORT" &
pids+=($!)
# Delivers committed cases to the helpdesk webhook (CASE_WEBHOOK_URL), retrying with backoff.
.venv/bin/python -m renewals outbox-worker &
pids+=($!)
.venv/bin/rasa run --model models/assistant.tar.gz --port "$RASA_PORT" \
  --enable-api --auth-token "$RASA_AUTH_TOKEN" \
  --endpoints endpoints.yml --credentials credentials.yml &
pids+=($!)
echo "run: action server on :$ACTION_PORT, Rasa on :$RASA_PORT, outbox worker running (REST: POST http://localhost:$RASA_PORT/webhooks/rest/webhook). Ctrl-C stops all three."
wait -n "${pids[@]}"
