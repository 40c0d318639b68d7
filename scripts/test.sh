#!/usr/bin/env bash
# Every test: data validation, pytest (domain, NLU components, actions, live
# servers), then Rasa's conversation tests. Called by `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/secrets.sh  # endpoints.yml names ACTION_SERVER_TOKEN; live servers get their own
echo "== rasa data validate (warnings fail)"
scripts/validate.sh
echo "== pytest"
.venv/bin/python -m pytest -q tests
echo "== rasa test: conversation stories (any prediction error fails)"
.venv/bin/rasa test core --model models/assistant.tar.gz --stories tests/conversations \
  --e2e --fail-on-prediction-errors --out results/conversations --quiet
stories=$(cat tests/conversations/test_*.yml | grep -c '^  - story:')
echo "conversation stories: $stories passed, 0 failed"
