# Sourced by run.sh, shell.sh and test.sh: every shared secret of the embedded profile comes from the
# environment, or else from a file under var/ generated on first use (mode 600, never in git, never on a
# command line). Production sets them in the environment.
#   RASA_AUTH_TOKEN       Rasa's HTTP API (var/rasa-token)
#   REST_CHANNEL_TOKEN    the REST channel's bearer token (var/rest-channel-token)
#   ACTION_SERVER_TOKEN   Rasa -> action server (var/action-server-token)
#   CHAT_SESSION_SECRET   signs the web chat's session tokens (var/chat-session-secret)
#   NOTICE_LINK_SECRET    signs the "Check my renewal" links of renewal notices (var/notice-link-secret)
mkdir -p var
_secret() {  # _secret VARIABLE FILE
  local name=$1 file=$2
  if [ -z "${!name:-}" ]; then
    if [ ! -s "$file" ]; then
      (umask 077 && .venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(32))' > "$file")
    fi
    printf -v "$name" '%s' "$(cat "$file")"
  fi
  export "${name?}"
}
_secret RASA_AUTH_TOKEN var/rasa-token
_secret REST_CHANNEL_TOKEN var/rest-channel-token
_secret ACTION_SERVER_TOKEN var/action-server-token
_secret CHAT_SESSION_SECRET var/chat-session-secret
_secret NOTICE_LINK_SECRET var/notice-link-secret
unset -f _secret
