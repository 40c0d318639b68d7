"""The renewal-notice use cases on a real database with the demo data, the clock at 28 November 2026:
the daily job queues each due notice exactly once, whoever runs it and however often, and a re-send,
the link and the resellers' Slack messages do what the customer and the reseller were promised."""

from __future__ import annotations

import json
import re
import shutil
import threading
from collections import Counter
from dataclasses import replace
from datetime import date, datetime, time, timezone

import pytest
from sqlalchemy import func, select

from renewals.clock import SYDNEY, FixedClock
from renewals.notice_links import LinkState
from renewals.notice_service import (
    NoticeRun,
    NoticeSettings,
    open_link,
    resend_notice,
    send_renewal_notices,
    send_reseller_digests,
    standing,
)
from renewals.notices import LINK_LIFETIME, NoticeKind, StandingKind
from renewals.outbox import NOTICE_EMAIL_TOPIC, NOTICE_SLACK_TOPIC
from renewals.storage.db import licences, make_engine, outbox, renewal_notices
from renewals.storage.unit_of_work import UnitOfWork
from tests.support.clocks import ManualClock
from tests.support.notices import (
    DEMO_LICENCES,
    EXPIRING_COMPANIES,
    LAPSED_COMPANIES,
    NOTICED_BEFORE_IMPORT,
)

SETTINGS = NoticeSettings(link_secret=b"k" * 32, web_origin="https://renewals.example")
SLACK = replace(SETTINGS, slack=True)

JACARANDA = "WA-DWLU-9TTDV-R9VHU-VU9H3-2LGXL-ANGGL"  # expires 27 December 2026 (29 days), R-AU-001
NULLARBOR = "SM-KYVR-4K5AD-GN4K2-5F3K3-DVKZC-4Y2JY"  # expires today, no reseller
OPAL = "IM-8K78-W4GJT-JD873-4EDRQ-QMKB9-4LV93"  # lapsed yesterday, R-AU-003
HUNTER_VALLEY = "PP-G9UA-792M3-GDSPF-83P5W-Y58NR-KWS7W"  # expires 29 December 2026 (31 days)
IRONBARK = "WS-QAV5-EQ9YB-Y8GHH-RCF75-R2H4C-E9H5K"  # its notice was sent before the import
IMSVA = "InterScan Messaging Security Virtual Appliance"  # Opal's product


@pytest.fixture
def database(tmp_path, demo_sqlite_template):
    path = tmp_path / "renewals.db"
    shutil.copyfile(demo_sqlite_template, path)
    return path


@pytest.fixture
def engine(database):
    engine = make_engine(f"sqlite:///{database}")
    yield engine
    engine.dispose()


@pytest.fixture
def clock():
    return ManualClock()  # noon in Sydney on 28 November 2026


def licence(engine, code):
    with UnitOfWork(engine) as uow:
        return uow.licences.get(code)


def messages(engine, topic=NOTICE_EMAIL_TOPIC) -> list[dict]:
    with engine.connect() as connection:
        rows = connection.execute(select(outbox).where(outbox.c.topic == topic).order_by(outbox.c.id))
        return [{**row._mapping, "document": json.loads(row.payload)} for row in rows]


def notices(engine) -> list[dict]:
    with engine.connect() as connection:
        rows = connection.execute(select(renewal_notices).order_by(renewal_notices.c.id))
        return [dict(row._mapping) for row in rows]


def company_of(engine, notice: dict) -> str:
    with engine.connect() as connection:
        return connection.execute(
            select(licences.c.company).where(licences.c.id == notice["licence_id"])
        ).scalar_one()


def token_in(text: str) -> str:
    return re.search(r"#renewal=([0-9]+\.[0-9]+\.[A-Za-z0-9_-]{43})", text).group(1)


# --- the daily job -----------------------------------------------------------------------------


def test_on_28_november_the_job_queues_two_expiry_and_twelve_lapsed_notices(engine, clock):
    run = send_renewal_notices(engine, clock, SETTINGS)

    assert run == NoticeRun(expiring=2, lapsed=12, slack=0)
    emails = messages(engine)
    rows = notices(engine)
    assert len(emails) == len(rows) == 14
    by_company = {company_of(engine, notice): notice for notice in rows}
    assert set(by_company) == EXPIRING_COMPANIES | LAPSED_COMPANIES
    assert not set(by_company) & NOTICED_BEFORE_IMPORT
    assert {c for c, n in by_company.items() if n["kind"] == NoticeKind.EXPIRING} == EXPIRING_COMPANIES
    assert {c for c, n in by_company.items() if n["kind"] == NoticeKind.LAPSED} == LAPSED_COMPANIES
    for company, notice in by_company.items():
        demo = DEMO_LICENCES[company]
        assert notice["recipient"] == demo["contact_email"]
        assert notice["term_expiry"] == date.fromisoformat(demo["expiry_date"])
        assert notice["queued_at"] == clock.now()
        assert notice["link_expires_at"] == clock.now() + LINK_LIFETIME
        assert notice["link_opened_at"] is None
    # Each email goes to its notice's recipient and says what the notice is about.
    by_id = {notice["id"]: notice for notice in rows}
    for email in emails:
        notice, document = by_id[email["notice_id"]], email["document"]
        assert email["dedupe_key"] == f"notice.email:{notice['id']}"
        assert document["to"] == notice["recipient"]
        assert set(document) == {"to", "subject", "text", "html"}
        assert token_in(document["text"]).startswith(f"{notice['id']}.")
        assert token_in(document["html"]) == token_in(document["text"])


def test_the_notices_name_the_product_the_renewer_and_the_expiry(engine, clock):
    send_renewal_notices(engine, clock, SETTINGS)

    documents = {email["document"]["to"]: email["document"] for email in messages(engine)}
    jacaranda = documents[DEMO_LICENCES["Jacaranda Schools Trust"]["contact_email"]]
    nullarbor = documents[DEMO_LICENCES["Nullarbor Mining Services"]["contact_email"]]
    opal = documents[DEMO_LICENCES["Opal Financial Planning"]["contact_email"]]

    assert jacaranda["subject"] == (
        "Your Worry-Free Business Security Advanced maintenance expires on 27 December 2026"
    )
    assert jacaranda["text"].startswith("Dear Grace Chen,\n")
    assert "expires on 27 December 2026, in 29 days." in jacaranda["text"]
    assert (
        "To renew, contact Southern Cross IT Solutions (orders@southerncross-it.example, +61 2 9555 0101)"
        in jacaranda["text"]
    )
    assert "https://renewals.example/#renewal=" in jacaranda["text"]
    assert (
        nullarbor["subject"] == "Your ScanMail for Microsoft Exchange maintenance expires on 28 November 2026"
    )
    assert "expires on 28 November 2026, today." in nullarbor["text"]
    assert "To renew, contact Trend Micro Technical Support with these details:" in nullarbor["text"]
    assert "lapsed on 27 November 2026" in opal["subject"]
    assert "Outback Networks (sales@outbacknet.example, +61 8 9555 0303)" in opal["text"]


def test_a_second_run_the_same_day_queues_nothing(engine, clock):
    send_renewal_notices(engine, clock, SETTINGS)
    clock.advance(hours=5)

    again = send_renewal_notices(engine, clock, SETTINGS)

    assert again == NoticeRun()
    assert len(messages(engine)) == len(notices(engine)) == 14


def test_the_next_day_only_the_licences_newly_in_the_window_get_a_notice(engine, clock):
    send_renewal_notices(engine, clock, SETTINGS)
    clock.advance(days=1)  # 29 November: Hunter Valley has 30 days left; Mallee lapsed, noticed in October

    run = send_renewal_notices(engine, clock, SETTINGS)

    assert run == NoticeRun(expiring=1, lapsed=0)
    [newest] = notices(engine)[14:]
    assert company_of(engine, newest) == "Hunter Valley Engineering"
    assert newest["kind"] == NoticeKind.EXPIRING


def test_two_runs_at_once_queue_each_notice_once(database, clock):
    engines = [make_engine(f"sqlite:///{database}") for _ in range(2)]
    start = threading.Barrier(len(engines))
    runs, errors = [], []

    def run(engine):
        try:
            start.wait(timeout=5)
            runs.append(send_renewal_notices(engine, clock, SETTINGS))
        except Exception as error:  # surfaced below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(engine,)) for engine in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    try:
        assert errors == []
        assert len(runs) == 2
        assert sum(r.expiring for r in runs) == 2 and sum(r.lapsed for r in runs) == 12
        rows = notices(engines[0])
        emails = messages(engines[0])
        assert len(rows) == len(emails) == 14
        assert Counter(row["licence_id"] for row in rows).most_common(1)[0][1] == 1
        assert Counter(email["notice_id"] for email in emails).most_common(1)[0][1] == 1
        assert len({email["document"]["to"] for email in emails}) == 14
    finally:
        for engine in engines:
            engine.dispose()


@pytest.mark.parametrize("demo_engine", ["postgresql"], indirect=True)
def test_four_runs_at_once_on_postgresql_queue_each_notice_once(demo_engine, clock):
    # Here the runs really do find a key free at the same time: the unique key decides, in a savepoint.
    start = threading.Barrier(4)
    runs, errors = [], []

    def run():
        try:
            start.wait(timeout=5)
            runs.append(send_renewal_notices(demo_engine, clock, SLACK))
        except Exception as error:  # surfaced below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == [] and len(runs) == 4
    assert (sum(r.expiring for r in runs), sum(r.lapsed for r in runs), sum(r.slack for r in runs)) == (
        2,
        12,
        12,
    )
    rows, emails = notices(demo_engine), messages(demo_engine)
    assert len(rows) == len(emails) == 14
    assert len({row["licence_id"] for row in rows}) == 14
    assert sorted(e["notice_id"] for e in emails) == sorted(row["id"] for row in rows)
    assert len(messages(demo_engine, NOTICE_SLACK_TOPIC)) == 12


def test_given_a_licence_renewed_for_a_new_term_it_gets_the_notice_of_the_new_term(engine, clock):
    send_renewal_notices(engine, clock, SETTINGS)
    renewed = replace(licence(engine, JACARANDA), expiry_date=date(2027, 12, 27))
    with UnitOfWork(engine) as uow:
        uow.licences.save(renewed)

    assert send_renewal_notices(engine, clock, SETTINGS).expiring == 0  # 394 days to go
    assert standing(engine, clock, renewed).kind is StandingKind.NOT_DUE
    assert standing(engine, clock, renewed).on == date(2027, 11, 27)

    clock.advance(days=364)  # 27 November 2027: 30 days to go
    send_renewal_notices(engine, clock, SETTINGS)

    with UnitOfWork(engine) as uow:
        records = uow.notices.for_licence(JACARANDA)
    assert [(r.kind, r.term_expiry) for r in records] == [
        (NoticeKind.EXPIRING, date(2027, 12, 27)),
        (NoticeKind.EXPIRING, date(2026, 12, 27)),
    ]
    [new_email] = [e for e in messages(engine) if e["notice_id"] == records[0].id]
    assert "expires on 27 December 2027, in 30 days." in new_email["document"]["text"]


def test_given_a_licence_lapsed_without_a_notice_and_renewed_late_the_new_term_gets_its_own(engine, clock):
    send_renewal_notices(engine, clock, SETTINGS)
    with UnitOfWork(engine) as uow:
        uow.licences.save(replace(uow.licences.get(OPAL), expiry_date=date(2026, 12, 20)))

    run = send_renewal_notices(engine, clock, SETTINGS)

    assert run == NoticeRun(expiring=1)
    with UnitOfWork(engine) as uow:
        assert [(r.kind, r.term_expiry) for r in uow.notices.for_licence(OPAL)] == [
            (NoticeKind.EXPIRING, date(2026, 12, 20)),
            (NoticeKind.LAPSED, date(2026, 11, 27)),
        ]


def test_a_licence_with_31_days_left_or_noticed_before_the_import_gets_none(engine, clock):
    send_renewal_notices(engine, clock, SETTINGS)

    hunter, ironbark = licence(engine, HUNTER_VALLEY), licence(engine, IRONBARK)

    assert (standing(engine, clock, hunter).kind, standing(engine, clock, hunter).on) == (
        StandingKind.NOT_DUE,
        date(2026, 11, 29),
    )
    assert (standing(engine, clock, ironbark).kind, standing(engine, clock, ironbark).on) == (
        StandingKind.IMPORTED,
        date(2026, 11, 28),
    )


def test_before_the_job_runs_a_due_licence_stands_due_and_after_it_queued(engine, clock):
    jacaranda = licence(engine, JACARANDA)
    assert standing(engine, clock, jacaranda).kind is StandingKind.DUE

    send_renewal_notices(engine, clock, SETTINGS)

    queued = standing(engine, clock, jacaranda)
    assert (queued.kind, queued.on, queued.recipient) == (
        StandingKind.QUEUED,
        date(2026, 11, 28),
        "grace.chen@jacarandaschoolstr.com.au",
    )


def test_the_time_zone_of_the_licence_decides_its_day(engine):
    # 23:30 on 27 November in Sydney is already 28 November in New Zealand (01:30), where Opal has
    # not lapsed yet but Rimu (expired 23 November) has.
    clock = FixedClock.at(datetime(2026, 11, 27, 23, 30, tzinfo=SYDNEY))

    send_renewal_notices(engine, clock, SETTINGS)

    kinds = {company_of(engine, n): n["kind"] for n in notices(engine)}
    assert kinds["Opal Financial Planning"] == NoticeKind.EXPIRING  # Gold Coast: still 27 November
    assert kinds["Rimu Timber Co"] == NoticeKind.LAPSED
    assert kinds["Bellbird Pharmacy"] == NoticeKind.LAPSED  # NZ, expired 28 November 2025


# --- a re-send on request ------------------------------------------------------------------------


def test_a_resend_goes_to_the_registered_address_once_a_day(engine, clock):
    send_renewal_notices(engine, clock, SETTINGS)
    jacaranda = licence(engine, JACARANDA)

    first = resend_notice(engine, clock, SETTINGS, jacaranda)
    clock.advance(hours=2)
    second = resend_notice(engine, clock, SETTINGS, jacaranda)

    assert (first.sent, first.recipient) == (True, "grace.chen@jacarandaschoolstr.com.au")
    assert (second.sent, second.recipient) == (False, "grace.chen@jacarandaschoolstr.com.au")
    resent = [n for n in notices(engine) if n["kind"] == NoticeKind.RESENT]
    assert len(resent) == 1
    assert resent[0]["recipient"] == "grace.chen@jacarandaschoolstr.com.au"
    assert resent[0]["dedupe_key"].startswith("resent:") and resent[0]["dedupe_key"].endswith(":2026-11-28")
    [email] = [e for e in messages(engine) if e["notice_id"] == resent[0]["id"]]
    assert email["document"]["to"] == "grace.chen@jacarandaschoolstr.com.au"
    assert email["document"]["subject"] == (
        "Your Worry-Free Business Security Advanced maintenance expires on 27 December 2026"
    )
    assert standing(engine, clock, jacaranda).resent_today is True

    clock.advance(days=1)
    assert standing(engine, clock, jacaranda).resent_today is False
    assert resend_notice(engine, clock, SETTINGS, jacaranda).sent is True
    assert len([n for n in notices(engine) if n["kind"] == NoticeKind.RESENT]) == 2


def test_a_resend_of_a_lapsed_licence_repeats_the_lapsed_notice(engine, clock):
    resent = resend_notice(engine, clock, SETTINGS, licence(engine, OPAL))

    assert resent.sent
    [email] = messages(engine)
    assert email["document"]["subject"] == f"Your {IMSVA} maintenance lapsed on 27 November 2026"
    assert "renewing now pays for the time since it lapsed" in email["document"]["text"]


def test_two_resend_requests_at_once_send_one(database, clock):
    engines = [make_engine(f"sqlite:///{database}") for _ in range(3)]
    jacaranda = licence(engines[0], JACARANDA)
    start = threading.Barrier(len(engines))
    results = []

    def request(engine):
        start.wait(timeout=5)
        results.append(resend_notice(engine, clock, SETTINGS, jacaranda).sent)

    threads = [threading.Thread(target=request, args=(engine,)) for engine in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    try:
        assert sorted(results) == [False, False, True]
        assert len(messages(engines[0])) == 1
    finally:
        for engine in engines:
            engine.dispose()


# --- the "Check my renewal" link ----------------------------------------------------------------------


def jacaranda_token(engine) -> tuple[int, str]:
    with UnitOfWork(engine) as uow:
        [record] = uow.notices.for_licence(JACARANDA)
    [email] = [e for e in messages(engine) if e["notice_id"] == record.id]
    return record.id, token_in(email["document"]["text"])


def test_opening_a_notice_link_names_the_licence_and_records_the_first_opening(engine, clock):
    send_renewal_notices(engine, clock, SETTINGS)
    notice_id, token = jacaranda_token(engine)
    clock.advance(days=3)
    opened_at = clock.now()

    opening = open_link(engine, clock, SETTINGS, token)
    clock.advance(days=1)
    again = open_link(engine, clock, SETTINGS, token)

    assert opening.state is LinkState.VALID
    assert opening.licence == licence(engine, JACARANDA)
    assert again.state is LinkState.VALID and again.licence.activation_code == JACARANDA
    with UnitOfWork(engine) as uow:
        [record] = uow.notices.for_licence(JACARANDA)
    assert record.id == notice_id
    assert record.link_opened_at == opened_at  # the first opening, not the second
    others = [n for n in notices(engine) if n["id"] != notice_id]
    assert all(n["link_opened_at"] is None for n in others)


def test_an_expired_link_names_no_licence_and_records_nothing(engine, clock):
    send_renewal_notices(engine, clock, SETTINGS)
    _, token = jacaranda_token(engine)
    clock.advance(days=14)

    opening = open_link(engine, clock, SETTINGS, token)

    assert (opening.state, opening.licence) == (LinkState.EXPIRED, None)
    assert all(n["link_opened_at"] is None for n in notices(engine))


def test_a_forged_link_names_no_licence(engine, clock):
    send_renewal_notices(engine, clock, SETTINGS)
    _, token = jacaranda_token(engine)
    other_secret = replace(SETTINGS, link_secret=b"z" * 32)

    assert open_link(engine, clock, other_secret, token) == open_link(engine, clock, SETTINGS, "1.2.3")
    assert open_link(engine, clock, other_secret, token).state is LinkState.INVALID
    assert open_link(engine, clock, SETTINGS, None).licence is None
    assert all(n["link_opened_at"] is None for n in notices(engine))


# --- the resellers, in Slack ------------------------------------------------------------------------


def test_with_slack_each_notice_to_a_customer_of_a_reseller_with_a_channel_tells_the_reseller(engine, clock):
    with UnitOfWork(engine) as uow:
        uow.resellers.set_slack_channel("R-AU-003", None)  # Outback Networks: Opal, Redgum

    run = send_renewal_notices(engine, clock, SLACK)

    slack = messages(engine, NOTICE_SLACK_TOPIC)
    assert run == NoticeRun(expiring=2, lapsed=12, slack=10)
    assert len(slack) == 10
    by_notice = {n["id"]: n for n in notices(engine)}
    told = Counter()
    for message in slack:
        notice = by_notice[message["notice_id"]]
        company = company_of(engine, notice)
        demo = DEMO_LICENCES[company]
        told[company] += 1
        assert message["document"]["reseller_id"] == demo["reseller_id"]
        assert message["document"]["text"].startswith(f"Renewal notice: {company}'s ")
        assert demo["contact_email"] not in message["document"]["text"]
        assert demo["contact_name"] not in message["document"]["text"]
    assert set(told.values()) == {1}
    assert set(told) == {
        "Jacaranda Schools Trust",
        "Platypus Software",
        "Quokka Travel",
        "Saltbush Veterinary Clinic",
        "Wattle Community Health",
        "Aoraki Engineering",
        "Bellbird Pharmacy",
        "Fiordland Tours",
        "Rimu Timber Co",
        "Tui Accounting Services",
    }
    # And a second run tells nobody twice.
    assert send_renewal_notices(engine, clock, SLACK) == NoticeRun()
    assert len(messages(engine, NOTICE_SLACK_TOPIC)) == 10


def test_without_slack_no_reseller_message_is_queued(engine, clock):
    send_renewal_notices(engine, clock, SETTINGS)

    assert send_reseller_digests(engine, clock, SETTINGS) == 0
    assert messages(engine, NOTICE_SLACK_TOPIC) == []


def test_each_reseller_with_a_channel_gets_one_digest_a_week(engine, clock):
    with UnitOfWork(engine) as uow:
        uow.resellers.set_slack_channel("R-NZ-002", None)

    first = send_reseller_digests(engine, clock, SLACK)  # Saturday 28 November 2026: ISO week 48
    clock.advance(days=1)  # Sunday: still week 48
    same_week = send_reseller_digests(engine, clock, SLACK)
    clock.advance(days=1)  # Monday 30 November: week 49
    next_week = send_reseller_digests(engine, clock, SLACK)
    again = send_reseller_digests(engine, clock, SLACK)

    assert (first, same_week, next_week, again) == (4, 0, 4, 0)
    digests = messages(engine, NOTICE_SLACK_TOPIC)
    assert Counter(d["document"]["reseller_id"] for d in digests) == {
        "R-AU-001": 2,
        "R-AU-002": 2,
        "R-AU-003": 2,
        "R-NZ-001": 2,
    }
    assert sorted(d["dedupe_key"] for d in digests if d["document"]["reseller_id"] == "R-AU-001") == [
        "notice.slack:digest:R-AU-001:2026-W48",
        "notice.slack:digest:R-AU-001:2026-W49",
    ]
    assert all(d["notice_id"] is None for d in digests)
    [southern_cross] = [
        d["document"]["text"]
        for d in digests
        if d["document"]["reseller_id"] == "R-AU-001" and d["dedupe_key"].endswith("W48")
    ]
    assert southern_cross.startswith("Weekly renewals digest. Southern Cross IT Solutions: ")
    assert "Jacaranda Schools Trust" in southern_cross and "Platypus Software" in southern_cross
    assert "Quokka Travel" not in southern_cross  # Harbour Systems' customer
    assert "grace.chen@" not in southern_cross


def test_the_digest_week_is_the_resellers_own(engine):
    # 23:30 on Sunday 29 November in Sydney is Monday 30 November (week 49) in New Zealand.
    clock = ManualClock(datetime.combine(date(2026, 11, 29), time(23, 30), SYDNEY).astimezone(timezone.utc))

    send_reseller_digests(engine, clock, SLACK)

    keys = sorted(d["dedupe_key"] for d in messages(engine, NOTICE_SLACK_TOPIC))
    assert keys == [
        "notice.slack:digest:R-AU-001:2026-W48",
        "notice.slack:digest:R-AU-002:2026-W48",
        "notice.slack:digest:R-AU-003:2026-W48",
        "notice.slack:digest:R-NZ-001:2026-W49",
        "notice.slack:digest:R-NZ-002:2026-W49",
    ]


def test_no_notice_row_is_left_without_its_email(engine, clock):
    send_renewal_notices(engine, clock, SLACK)
    resend_notice(engine, clock, SLACK, licence(engine, NULLARBOR))

    with engine.connect() as connection:
        orphans = connection.execute(
            select(func.count())
            .select_from(renewal_notices)
            .where(
                ~select(outbox.c.id)
                .where(outbox.c.notice_id == renewal_notices.c.id, outbox.c.topic == NOTICE_EMAIL_TOPIC)
                .exists()
            )
        ).scalar_one()
    assert orphans == 0
    assert len(notices(engine)) == 15
