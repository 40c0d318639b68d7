"""Linking Slack users and workspaces to resellers: the demo import, the admin command and the migration."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import select, text

from renewals.cli.main import main
from renewals.importers import ImportRejected, import_resellers
from renewals.resellers import TEAM, USER, SlackLink
from renewals.service import Renewals
from renewals.storage.db import _alembic_config, make_engine, migrate, slack_links
from renewals.storage.unit_of_work import UnitOfWork


@pytest.fixture
def cli(demo_url, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", demo_url)

    def run(*args):
        status = main(["slack", *args])
        out, err = capsys.readouterr()
        return status, out + err

    return run


def reseller_of(engine, clock, user, team):
    reseller = Renewals(engine, clock).reseller_for_slack(user, team)
    return reseller.reseller_id if reseller else None


def test_the_demo_import_links_each_resellers_workspace_and_user_and_sets_its_channel(demo_engine):
    with UnitOfWork(demo_engine) as uow:
        links = uow.slack_links.list("R-AU-001")
        reseller = uow.resellers.get("R-AU-001")
    assert links == [SlackLink(TEAM, "T01SCIT", "R-AU-001"), SlackLink(USER, "U01SCIT01", "R-AU-001")]
    assert reseller.slack_channel_id == "C01RENEW01"


def test_a_resellers_file_with_a_bad_or_repeated_slack_id_is_refused_whole(demo_engine, tmp_path):
    path = tmp_path / "resellers.csv"
    path.write_text(
        "reseller_id,name,region,email,phone,slack_team_id,slack_user_id,slack_channel_id\n"
        "R-AU-009,New Partner,AU,a@new.example,+61 2 9555 0909,T09NEW,not-a-user,C09NEW\n"
        "R-AU-010,Other Partner,AU,b@other.example,+61 2 9555 1010,T09NEW,,#general\n"
    )
    with UnitOfWork(demo_engine) as uow, pytest.raises(ImportRejected) as rejected:
        import_resellers(uow, path)
    problems = [str(p) for p in rejected.value.problems]
    assert "line 2: slack_user_id: must be a Slack user id" in problems
    assert "line 3: slack_team_id: same as line 2" in problems
    assert "line 3: slack_channel_id: must be a Slack channel id" in problems
    assert not any("not-a-user" in p or "#general" in p for p in problems)


def test_linking_and_unlinking_a_user(cli, demo_engine, clock):
    assert reseller_of(demo_engine, clock, "U07NEWBIE", "T09OTHER") is None

    status, out = cli("link", "--reseller", "R-NZ-001", "--user", "u07newbie")
    assert status == 0 and "Linked Slack user U07NEWBIE to R-NZ-001 Kiwi Secure Ltd." in out
    assert reseller_of(demo_engine, clock, "U07NEWBIE", "T09OTHER") == "R-NZ-001"

    status, out = cli("unlink", "--user", "U07NEWBIE")
    assert status == 0 and "Unlinked Slack user U07NEWBIE from R-NZ-001." in out
    assert reseller_of(demo_engine, clock, "U07NEWBIE", "T09OTHER") is None
    assert cli("unlink", "--user", "U07NEWBIE")[0] == 1


def test_a_workspace_link_covers_every_member(cli, demo_engine, clock):
    assert cli("link", "--reseller", "R-NZ-002", "--team", "T77TASMAN")[0] == 0
    assert reseller_of(demo_engine, clock, "U12ANYONE", "T77TASMAN") == "R-NZ-002"
    assert cli("unlink", "--team", "T77TASMAN")[0] == 0
    assert reseller_of(demo_engine, clock, "U12ANYONE", "T77TASMAN") is None


def test_an_id_linked_to_another_reseller_is_only_moved_on_purpose(cli, demo_engine, clock):
    status, out = cli("link", "--reseller", "R-AU-002", "--user", "U01SCIT01", "--team", "T55FRESH")
    assert status == 1 and "Slack user U01SCIT01 is linked to R-AU-001" in out
    assert reseller_of(demo_engine, clock, "U01SCIT01", None) == "R-AU-001"
    assert (
        reseller_of(demo_engine, clock, "U99X", "T55FRESH") is None
    )  # nothing of the refused command was saved

    status, out = cli("link", "--reseller", "R-AU-002", "--user", "U01SCIT01", "--move")
    assert status == 0 and "(moved from R-AU-001)" in out
    assert (
        reseller_of(demo_engine, clock, "U01SCIT01", "T01SCIT") == "R-AU-002"
    )  # the user link beats the workspace's


def test_the_notice_channel_is_set_and_cleared(cli, demo_engine):
    assert cli("link", "--reseller", "R-AU-003", "--channel", "C99NOTICES")[0] == 0
    with UnitOfWork(demo_engine) as uow:
        assert uow.resellers.get("R-AU-003").slack_channel_id == "C99NOTICES"
    assert cli("unlink", "--channel-of", "R-AU-003")[0] == 0
    with UnitOfWork(demo_engine) as uow:
        assert uow.resellers.get("R-AU-003").slack_channel_id is None


@pytest.mark.parametrize(
    "args, message",
    [
        (("link", "--reseller", "R-AU-001"), "Give --user, --team or --channel"),
        (("link", "--reseller", "R-XX-999", "--user", "U123"), "No reseller R-XX-999."),
        (
            ("link", "--reseller", "R-AU-001", "--user", "T01SCIT"),
            "--user: a Slack user id is letters and digits starting with U or W.",
        ),
        (("link", "--reseller", "R-AU-001", "--channel", "#renewals"), "--channel: a Slack channel id"),
    ],
)
def test_mistakes_are_explained_and_change_nothing(cli, args, message):
    status, out = cli(*args)
    assert status == 1 and message in out


def test_the_links_are_listed(cli):
    status, out = cli("links", "--reseller", "R-AU-001")
    assert status == 0
    header, row = out.strip().splitlines()
    assert header.split() == ["Reseller", "Name", "Workspaces", "Users", "Notice", "channel"]
    assert row.split() == [
        "R-AU-001",
        "Southern",
        "Cross",
        "IT",
        "Solutions",
        "T01SCIT",
        "U01SCIT01",
        "C01RENEW01",
    ]


def test_migration_0003_moves_the_old_reseller_columns_into_links(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.begin() as connection:
        config = _alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "0002")
        connection.execute(
            text(
                "INSERT INTO resellers (reseller_id, name, region, email, phone, slack_team_id, "
                "slack_user_id, slack_channel_id) "
                "VALUES ('R-AU-001', 'Southern Cross', 'AU', 'a@b.example', '1', 'T01SCIT', 'U01SCIT01', "
                "'C01RENEW01'),"
                " ('R-AU-002', 'Harbour', 'AU', 'c@d.example', '2', 'T01SCIT', NULL, NULL)"
            )
        )
    migrate(engine)
    with engine.connect() as connection:
        rows = connection.execute(
            select(slack_links.c.kind, slack_links.c.slack_id, slack_links.c.reseller_id).order_by(
                slack_links.c.id
            )
        ).all()
        columns = [row[1] for row in connection.execute(text("PRAGMA table_info(resellers)"))]
    assert [tuple(row) for row in rows] == [
        ("team", "T01SCIT", "R-AU-001"),
        ("user", "U01SCIT01", "R-AU-001"),
    ]
    assert "slack_team_id" not in columns and "slack_channel_id" in columns
    engine.dispose()
