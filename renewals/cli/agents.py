"""`python -m renewals agents ...`: support agents' console accounts and API tokens."""

from __future__ import annotations

import getpass
import sys
from typing import Optional

from renewals.agents import AgentAccounts, AgentError, normalise_username
from renewals.clock import SystemClock
from renewals.storage.db import schema_is_current


def register_cli(commands) -> None:
    """Adds the `agents` command group to the renewals CLI's subparsers."""
    group = commands.add_parser(
        "agents", help="support agents' console accounts and API tokens"
    ).add_subparsers(required=True, metavar="ACTION")
    command = group.add_parser("add", help="create an agent account (password from a prompt or stdin)")
    command.add_argument("username")
    command.add_argument("--name", required=True, help="the name shown to colleagues")
    command.add_argument(
        "--password-stdin", action="store_true", help="read the password from the first line of stdin"
    )
    command.set_defaults(command=_cli_add)
    command = group.add_parser("password", help="set a new password (signs the agent out everywhere)")
    command.add_argument("username")
    command.add_argument("--password-stdin", action="store_true")
    command.set_defaults(command=_cli_password)
    command = group.add_parser("disable", help="stop an agent signing in; ends their sessions and tokens")
    command.add_argument("username")
    command.set_defaults(command=_cli_disable)
    command = group.add_parser("token", help="print a new API token for the agent (shown once)")
    command.add_argument("username")
    command.set_defaults(command=_cli_token)
    command = group.add_parser("revoke-tokens", help="revoke every API token of the agent")
    command.add_argument("username")
    command.set_defaults(command=_cli_revoke)
    command = group.add_parser("list", help="list agent accounts")
    command.set_defaults(command=_cli_list)


def _accounts(engine) -> Optional[AgentAccounts]:
    if not schema_is_current(engine):
        print(
            "The database schema is not up to date: run `python -m renewals migrate` first.", file=sys.stderr
        )
        return None
    # Sessions and tokens follow the real clock even when RENEWALS_TODAY pins the date.
    return AgentAccounts(engine, SystemClock())


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Repeat it: ") != first:
        raise AgentError("the passwords differ")
    return first


def _cli_run(engine, work) -> int:
    accounts = _accounts(engine)
    if accounts is None:
        return 1
    try:
        print(work(accounts))
    except AgentError as error:
        print(f"Not done: {error}.", file=sys.stderr)
        return 1
    return 0


def _cli_add(engine, args) -> int:
    def work(accounts):
        agent = accounts.add(args.username, args.name, _read_password(args.password_stdin))
        return f"Agent {agent.username} ({agent.display_name}) can now sign in to the console."

    return _cli_run(engine, work)


def _cli_password(engine, args) -> int:
    def work(accounts):
        accounts.set_password(args.username, _read_password(args.password_stdin))
        return f"Password changed; {normalise_username(args.username)} is signed out everywhere."

    return _cli_run(engine, work)


def _cli_disable(engine, args) -> int:
    def work(accounts):
        accounts.disable(args.username)
        return f"Agent {normalise_username(args.username)} is disabled."

    return _cli_run(engine, work)


def _cli_token(engine, args) -> int:
    return _cli_run(engine, lambda accounts: accounts.issue_api_token(args.username))


def _cli_revoke(engine, args) -> int:
    return _cli_run(engine, lambda accounts: f"Revoked {accounts.revoke_api_tokens(args.username)} token(s).")


def _cli_list(engine, args) -> int:
    def work(accounts):
        rows = accounts.list()
        if not rows:
            return 'No agent accounts yet: `python -m renewals agents add USERNAME --name "…"`.'
        return "\n".join(
            f"{a.username}\t{a.display_name}{'  (disabled)' if a.disabled else ''}" for a in rows
        )

    return _cli_run(engine, work)
