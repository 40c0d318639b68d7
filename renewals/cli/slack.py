"""`python -m renewals slack ...`: link Slack users and workspaces to resellers, and set their channel.

    python -m renewals slack link --reseller R-AU-001 --user U01SCIT01
    python -m renewals slack link --reseller R-AU-001 --team T01SCIT --channel C01RENEW01
    python -m renewals slack unlink --user U01SCIT01
    python -m renewals slack unlink --team T01SCIT
    python -m renewals slack unlink --channel-of R-AU-001
    python -m renewals slack links [--reseller R-AU-001]

A user link lets that Slack user act for the reseller; a team link lets every
member of that Slack workspace do so. A Slack id belongs to one reseller at
a time: linking one that belongs to another reseller is refused until it is
unlinked (or pass --move). The channel is where the reseller's case notices
are posted.
"""

from __future__ import annotations

import sys
from typing import Optional

from renewals.resellers import TEAM, USER, InvalidSlackId, SlackLink, slack_id
from renewals.storage.db import schema_is_current
from renewals.storage.unit_of_work import UnitOfWork


def register_cli(commands) -> None:
    """Adds the `slack` command group to the renewals CLI's subparsers."""
    group = commands.add_parser(
        "slack", help="link Slack users and workspaces to resellers (the Slack assistant for resellers)"
    ).add_subparsers(required=True, metavar="ACTION")

    command = group.add_parser(
        "link", help="link a Slack user and/or workspace to a reseller, or set its channel"
    )
    command.add_argument("--reseller", required=True, metavar="RESELLER_ID")
    command.add_argument(
        "--user", metavar="USER_ID", help="a Slack user id (U...): this user acts for the reseller"
    )
    command.add_argument(
        "--team", metavar="TEAM_ID", help="a Slack workspace id (T...): all its members act for it"
    )
    command.add_argument(
        "--channel", metavar="CHANNEL_ID", help="a Slack channel id (C...) for the case notices"
    )
    command.add_argument("--move", action="store_true", help="take over an id linked to another reseller")
    command.set_defaults(command=_link)

    command = group.add_parser(
        "unlink", help="remove a Slack user's or workspace's link, or a reseller's channel"
    )
    which = command.add_mutually_exclusive_group(required=True)
    which.add_argument("--user", metavar="USER_ID")
    which.add_argument("--team", metavar="TEAM_ID")
    which.add_argument(
        "--channel-of", metavar="RESELLER_ID", help="stop posting this reseller's case notices"
    )
    command.set_defaults(command=_unlink)

    command = group.add_parser("links", help="list the Slack links and channels")
    command.add_argument("--reseller", metavar="RESELLER_ID")
    command.set_defaults(command=_links)


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return 1


def _ids(args, *kinds: str) -> Optional[dict[str, str]]:
    """The Slack ids given, by kind (a kind not given is left out); None, said why, if one is malformed."""
    values: dict[str, str] = {}
    for kind in kinds:
        raw = getattr(args, kind, None)
        if raw is None:
            continue
        try:
            values[kind] = slack_id(kind, raw)
        except InvalidSlackId as error:
            print(f"--{kind}: {error}.", file=sys.stderr)
            return None
    return values


def _schema_ready(engine) -> bool:
    if schema_is_current(engine):
        return True
    print("The database schema is not up to date: run `python -m renewals migrate` first.", file=sys.stderr)
    return False


def _link(engine, args) -> int:
    ids = _ids(args, USER, TEAM, "channel")
    if ids is None:
        return 1
    if not ids:
        return _fail("Give --user, --team or --channel (or several).")
    if not _schema_ready(engine):
        return 1
    messages = []
    with UnitOfWork(engine) as uow:
        reseller = uow.resellers.get(args.reseller.strip())
        if reseller is None:
            return _fail(f"No reseller {args.reseller.strip()}.")
        existing = {kind: uow.slack_links.get(kind, ids[kind]) for kind in (USER, TEAM) if kind in ids}
        for kind, link in existing.items():
            if link is not None and link.reseller_id != reseller.reseller_id and not args.move:
                return _fail(
                    f"Slack {kind} {ids[kind]} is linked to {link.reseller_id}: unlink it first, or pass "
                    "--move."
                )
        for kind, link in existing.items():
            if link is not None and link.reseller_id == reseller.reseller_id:
                messages.append(f"Slack {kind} {ids[kind]} was already linked to {reseller.reseller_id}.")
                continue
            uow.slack_links.save(SlackLink(kind=kind, slack_id=ids[kind], reseller_id=reseller.reseller_id))
            moved = f" (moved from {link.reseller_id})" if link is not None else ""
            messages.append(
                f"Linked Slack {kind} {ids[kind]} to {reseller.reseller_id} {reseller.name}{moved}."
            )
        if "channel" in ids:
            uow.resellers.set_slack_channel(reseller.reseller_id, ids["channel"])
            messages.append(f"Case notices for {reseller.reseller_id} go to Slack channel {ids['channel']}.")
    print("\n".join(messages))
    return 0


def _unlink(engine, args) -> int:
    if not _schema_ready(engine):
        return 1
    if args.channel_of:
        with UnitOfWork(engine) as uow:
            if not uow.resellers.set_slack_channel(args.channel_of.strip(), None):
                return _fail(f"No reseller {args.channel_of.strip()}.")
        print(f"Case notices for {args.channel_of.strip()} are no longer posted to Slack.")
        return 0
    ids = _ids(args, USER, TEAM)
    if ids is None:
        return 1
    kind = USER if USER in ids else TEAM
    if kind not in ids:
        return _fail("Give --user or --team.")
    with UnitOfWork(engine) as uow:
        existing = uow.slack_links.get(kind, ids[kind])
        if existing is None:
            return _fail(f"Slack {kind} {ids[kind]} is not linked to any reseller.")
        uow.slack_links.delete(kind, ids[kind])
    print(f"Unlinked Slack {kind} {ids[kind]} from {existing.reseller_id}.")
    return 0


def _links(engine, args) -> int:
    if not _schema_ready(engine):
        return 1
    reseller_id = args.reseller.strip() if args.reseller else None
    with UnitOfWork(engine) as uow:
        resellers = [r for r in uow.resellers.list() if reseller_id in (None, r.reseller_id)]
        links = uow.slack_links.list(reseller_id)
    if not resellers:
        return _fail(f"No reseller {reseller_id}." if reseller_id else "No resellers yet.")
    rows = []
    for reseller in resellers:
        own = [link for link in links if link.reseller_id == reseller.reseller_id]
        teams = ", ".join(link.slack_id for link in own if link.kind == TEAM) or "-"
        users = ", ".join(link.slack_id for link in own if link.kind == USER) or "-"
        rows.append((reseller.reseller_id, reseller.name, teams, users, reseller.slack_channel_id or "-"))
    headers = ("Reseller", "Name", "Workspaces", "Users", "Notice channel")
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows)]
    for row in (headers, *rows):
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip())
    return 0
