#!/usr/bin/env bash
# Starts the action server, the outbox worker, the daily jobs, the Rasa server (REST and web chat channels +
# token-protected HTTP API) and the customer web chat service in the foreground; Ctrl-C stops
# them all. Called by `make run`.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${RASA_PORT:=5005}" "${ACTION_PORT:=5055}" "${WEB_PORT:=8080}"
# Health checks of the two background processes (GET /health on loopback).
: "${OUTBOX_WORKER_HEALTH_PORT:=5058}" "${DAILY_JOBS_HEALTH_PORT:=5059}"
export OUTBOX_WORKER_HEALTH_PORT DAILY_JOBS_HEALTH_PORT
# The web chat page's origin: the only one Rasa's web chat socket accepts (docs/channels.md).
: "${WEB_ORIGIN:=http://localhost:$WEB_PORT}"
export WEB_PORT WEB_ORIGIN
# Shared secrets from the environment, or generated under var/ (scripts/secrets.sh).
source scripts/secrets.sh
echo "run: Rasa HTTP API token in var/rasa-token, REST channel token in var/rest-channel-token (or set them)"

pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

.venv/bin/python -m action_server --port "$ACTION_PORT" &
pids+=($!)
# Delivers committed cases to the helpdesk webhook (CASE_WEBHOOK_URL), notices to resellers' Slack
# channels (SLACK_BOT_TOKEN) and people's messages into customers' chats (through Rasa's API), retrying
# with backoff. Slack itself is on with SLACK_BOT_TOKEN + SLACK_SIGNING_SECRET.
RASA_URL="${RASA_URL:-http://localhost:$RASA_PORT}" .venv/bin/python -m renewals outbox-worker --poll-interval 2 &
pids+=($!)
# Daily jobs, with no cron: renewal notices (30 days ahead, or lapsed; .eml files under var/outbox/ unless
# SMTP_URL is set, docs/notices.md), resellers' weekly Slack digests, and retention (resolved cases after
# two years, transcripts idle past TRACKER_RETENTION_DAYS, default 90); at start, then once a day, claimed
# in the database so each runs once however many processes run them.
.venv/bin/python -m renewals daily-jobs &
pids+=($!)
# Rasa with its HTTP API; the token comes from RASA_AUTH_TOKEN, never the command line (scripts/rasa_run.py).
# Loopback only (RASA_HOST): browsers and Slack reach its two public paths through the web service.
.venv/bin/python -m scripts.rasa_run --model models/assistant.tar.gz --interface "${RASA_HOST:-127.0.0.1}" \
  --port "$RASA_PORT" --endpoints endpoints.yml --credentials credentials.yml &
pids+=($!)
# Customer web chat page (python -m web, see web/app.py); reads Rasa's HTTP API with the token.
.venv/bin/python -m web &
pids+=($!)
echo "run: customer web chat on $WEB_ORIGIN/"
echo "run: health of the outbox worker on :$OUTBOX_WORKER_HEALTH_PORT/health, of the daily jobs on :$DAILY_JOBS_HEALTH_PORT/health"
echo "run: action server on :$ACTION_PORT, Rasa on :$RASA_PORT, outbox worker running (REST: POST http://localhost:$RASA_PORT/webhooks/rest/webhook). Ctrl-C stops them all."
wait -n "${pids[@]}"
