"""Renewal notices as rules: who is due one, what the record says about it, what it says, and its link."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone
from html.parser import HTMLParser

import pytest

from renewals.clock import SYDNEY
from renewals.notice_links import (
    LinkSecretMissing,
    LinkState,
    check,
    issue,
    link_secret_from_env,
    link_url,
)
from renewals.notices import (
    CHECKLIST_LINES,
    DeliveryState,
    NoticeKind,
    NoticeRecord,
    Renewer,
    StandingKind,
    notice_due,
    notice_email,
    notice_standing,
    reseller_notice_text,
)
from tests.support.renewals_data import DEMO_TODAY, make_licence

TODAY = DEMO_TODAY  # 28 November 2026
NOON_SYDNEY = datetime.combine(TODAY, time(12), SYDNEY).astimezone(timezone.utc)
RESELLER = Renewer("Harbour Systems Pty Ltd", "renewals@harboursys.example", "+61 3 9555 0202")
LINK = "https://renewals.example/#renewal=17.1796000000.abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ"
PRODUCT = "Worry-Free Business Security Standard"
SECRET = b"s" * 32


def expiring_in(days: int, **changes):
    return make_licence(expiry_date=TODAY + timedelta(days=days), **changes)


def record(term_expiry: date, kind: str = NoticeKind.EXPIRING, **changes) -> NoticeRecord:
    values = dict(
        id=1,
        kind=kind,
        term_expiry=term_expiry,
        recipient="jack.williams@quokkatravel.com.au",
        queued_at=NOON_SYDNEY,
        link_expires_at=NOON_SYDNEY + timedelta(days=14),
        link_opened_at=None,
        delivered_at=None,
        gave_up_at=None,
        last_error=None,
        attempts=0,
    )
    values.update(changes)
    return NoticeRecord(**values)


# --- who is due a notice ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "days_left, due",
    [
        (31, None),
        (30, NoticeKind.EXPIRING),
        (29, NoticeKind.EXPIRING),
        (1, NoticeKind.EXPIRING),
        (0, NoticeKind.EXPIRING),
        (-1, NoticeKind.LAPSED),
        (-29, NoticeKind.LAPSED),
        (-800, NoticeKind.LAPSED),
    ],
)
def test_given_a_licence_expiring_in_so_many_days_the_notice_due_is(days_left, due):
    assert notice_due(expiring_in(days_left), TODAY, noticed_this_term=False) == due


@pytest.mark.parametrize("days_left", [30, 0, -1])
def test_given_a_licence_whose_notice_was_sent_before_the_import_no_notice_is_due(days_left):
    licence = expiring_in(days_left, renewal_notice_sent_on=TODAY - timedelta(days=3))

    assert notice_due(licence, TODAY, noticed_this_term=False) is None


@pytest.mark.parametrize("days_left", [30, 0, -1])
def test_given_a_licence_already_noticed_this_term_no_notice_is_due(days_left):
    assert notice_due(expiring_in(days_left), TODAY, noticed_this_term=True) is None


# --- what the record says --------------------------------------------------------------------


def test_given_a_delivered_notice_the_standing_is_sent_on_its_day_to_its_recipient():
    licence = expiring_in(20)
    delivered = NOON_SYDNEY + timedelta(minutes=5)

    standing = notice_standing(licence, [record(licence.expiry_date, delivered_at=delivered)], TODAY)

    assert standing.kind is StandingKind.SENT
    assert standing.on == TODAY
    assert standing.recipient == "jack.williams@quokkatravel.com.au"
    assert standing.resent_today is False


def test_given_a_notice_the_mail_server_refused_the_standing_is_failed_on_the_day_it_gave_up():
    licence = expiring_in(20)
    refused = record(
        licence.expiry_date, gave_up_at=NOON_SYDNEY + timedelta(days=1), last_error="SMTP 550: refused"
    )

    standing = notice_standing(licence, [refused], TODAY + timedelta(days=1))

    assert refused.state is DeliveryState.FAILED
    assert (standing.kind, standing.on) == (StandingKind.FAILED, TODAY + timedelta(days=1))
    assert standing.recipient == "jack.williams@quokkatravel.com.au"


def test_given_a_refused_resend_after_a_delivered_notice_the_standing_is_the_failure():
    licence = expiring_in(20)
    sent = record(licence.expiry_date, id=1, delivered_at=NOON_SYDNEY)
    resent = record(
        licence.expiry_date,
        id=2,
        kind=NoticeKind.RESENT,
        queued_at=NOON_SYDNEY + timedelta(days=1),
        gave_up_at=NOON_SYDNEY + timedelta(days=1),
    )

    standing = notice_standing(licence, [resent, sent], TODAY + timedelta(days=1))

    assert standing.kind is StandingKind.FAILED
    assert standing.resent_today is True


def test_given_a_queued_resend_after_a_delivered_notice_the_standing_is_still_sent():
    licence = expiring_in(20)
    two_days_ago = NOON_SYDNEY - timedelta(days=2)
    sent = record(licence.expiry_date, id=1, queued_at=two_days_ago, delivered_at=two_days_ago)
    resent = record(licence.expiry_date, id=2, kind=NoticeKind.RESENT, queued_at=NOON_SYDNEY)

    standing = notice_standing(licence, [resent, sent], TODAY)

    assert (standing.kind, standing.on, standing.resent_today) == (
        StandingKind.SENT,
        TODAY - timedelta(days=2),
        True,
    )


def test_given_a_notice_not_delivered_yet_the_standing_is_queued_since_its_day():
    licence = expiring_in(-3)
    queued = record(licence.expiry_date, kind=NoticeKind.LAPSED, attempts=2, last_error="SMTP 451: refused")

    standing = notice_standing(licence, [queued], TODAY)

    assert queued.state is DeliveryState.QUEUED
    assert (standing.kind, standing.on) == (StandingKind.QUEUED, TODAY)


def test_given_a_notice_sent_before_the_import_the_standing_is_imported_with_its_date_only():
    licence = expiring_in(12, renewal_notice_sent_on=date(2026, 11, 12))

    standing = notice_standing(licence, [], TODAY)

    assert (standing.kind, standing.on, standing.recipient) == (
        StandingKind.IMPORTED,
        date(2026, 11, 12),
        None,
    )


def test_given_a_licence_with_more_than_30_days_left_no_notice_is_due_until_30_days_before_expiry():
    licence = make_licence(expiry_date=date(2027, 3, 3))

    standing = notice_standing(licence, [], TODAY)

    assert (standing.kind, standing.on) == (StandingKind.NOT_DUE, date(2027, 2, 1))


@pytest.mark.parametrize("days_left", [30, 0, -5])
def test_given_a_licence_due_a_notice_that_was_not_queued_yet_the_standing_is_due_today(days_left):
    standing = notice_standing(expiring_in(days_left), [], TODAY)

    assert (standing.kind, standing.on) == (StandingKind.DUE, TODAY)


def test_given_a_notice_of_the_previous_term_only_the_standing_is_about_the_current_term():
    licence = make_licence(expiry_date=date(2027, 10, 29))  # renewed: the old term ended 29 October 2026
    old = record(date(2026, 10, 29), kind=NoticeKind.LAPSED, delivered_at=NOON_SYDNEY)

    standing = notice_standing(licence, [old], TODAY)

    assert (standing.kind, standing.on) == (StandingKind.NOT_DUE, date(2027, 9, 29))


def test_given_an_instant_early_in_the_morning_in_sydney_the_standing_gives_the_sydney_date():
    # 08:00 on 29 November in Sydney is still 28 November in UTC.
    licence = expiring_in(20, address="231 Queen Street, Sydney NSW 2000")
    early = datetime(2026, 11, 29, 8, 0, tzinfo=SYDNEY).astimezone(timezone.utc)
    resent = record(
        licence.expiry_date,
        kind=NoticeKind.RESENT,
        queued_at=early,
        delivered_at=early + timedelta(minutes=1),
    )

    standing = notice_standing(licence, [resent], date(2026, 11, 29))

    assert (standing.kind, standing.on, standing.resent_today) == (
        StandingKind.SENT,
        date(2026, 11, 29),
        True,
    )


# --- what the notice says --------------------------------------------------------------------


class _TextOf(HTMLParser):
    """The text of an HTML document, and its links."""

    def __init__(self):
        super().__init__()
        self.text, self.links, self.items = [], [], []
        self._in_item = False

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.links.append(dict(attrs)["href"])
        self._in_item = tag == "li"

    def handle_endtag(self, tag):
        self._in_item = False

    def handle_data(self, data):
        self.text.append(data)
        if self._in_item:
            self.items.append(data)


def parsed(html: str) -> _TextOf:
    parser = _TextOf()
    parser.feed(html)
    return parser


def test_given_a_licence_expiring_in_29_days_the_email_gives_the_date_the_stakes_and_what_to_send():
    licence = expiring_in(29)  # 27 December 2026

    email = notice_email(licence, PRODUCT, NoticeKind.EXPIRING, TODAY, RESELLER, LINK)

    assert email.subject == f"Your {PRODUCT} maintenance expires on 27 December 2026"
    assert email.text.startswith("Dear Test Contact,\n\n")
    assert (
        f"The maintenance of your {PRODUCT} licence for Quokka Travel expires on 27 December 2026, "
        "in 29 days." in email.text
    )
    assert "stops receiving automatic updates" in email.text
    assert "Trend Micro Technical Support is no longer available" in email.text
    assert "maintenance has to be continuous" in email.text
    assert (
        "To renew, contact Harbour Systems Pty Ltd (renewals@harboursys.example, +61 3 9555 0202) "
        "with these details:" in email.text
    )
    listed = [line[2:] for line in email.text.splitlines() if line.startswith("- ")]
    assert listed == list(CHECKLIST_LINES)
    assert listed == [
        "Company name",
        "Company address",
        "Telephone number",
        "Contact name",
        "Contact email address",
        "Product name, including the platform",
        "Number of users",
        "Licence expiry date",
    ]
    assert "Your Activation Code starts WS-ZHQ7." in email.text
    assert "WS-ZHQ7-9WPK9" not in email.text  # never the whole code
    assert f"\n{LINK}\n" in email.text
    assert "lapsed" not in email.text


def test_given_a_licence_that_expires_today_or_tomorrow_the_email_says_so():
    today = notice_email(expiring_in(0), PRODUCT, NoticeKind.EXPIRING, TODAY, RESELLER, LINK)
    tomorrow = notice_email(expiring_in(1), PRODUCT, NoticeKind.EXPIRING, TODAY, RESELLER, LINK)

    assert "expires on 28 November 2026, today." in today.text
    assert "expires on 29 November 2026, tomorrow." in tomorrow.text


def test_given_a_licence_that_lapsed_29_days_ago_the_email_explains_the_gap_and_offers_a_quote():
    licence = expiring_in(-29)  # 30 October 2026

    email = notice_email(licence, PRODUCT, NoticeKind.LAPSED, TODAY, RESELLER, LINK)

    assert email.subject == f"Your {PRODUCT} maintenance lapsed on 30 October 2026"
    assert f"The maintenance of your {PRODUCT} licence for Quokka Travel lapsed on 30 October 2026." in (
        email.text
    )
    assert "no automatic updates" in email.text
    assert "Trend Micro Technical Support is not available" in email.text
    assert "renewing now pays for the time since it lapsed" in email.text
    assert "the exact figure for your licence" in email.text
    assert [line[2:] for line in email.text.splitlines() if line.startswith("- ")] == list(CHECKLIST_LINES)
    assert LINK in email.text


def test_given_a_resend_the_email_repeats_the_notice_the_licence_status_calls_for():
    expiring = notice_email(expiring_in(10), PRODUCT, NoticeKind.RESENT, TODAY, RESELLER, LINK)
    lapsed = notice_email(expiring_in(-10), PRODUCT, NoticeKind.RESENT, TODAY, RESELLER, LINK)

    assert expiring.subject == f"Your {PRODUCT} maintenance expires on 8 December 2026"
    assert lapsed.subject == f"Your {PRODUCT} maintenance lapsed on 18 November 2026"


def test_given_no_reseller_the_email_sends_the_customer_to_technical_support():
    email = notice_email(
        expiring_in(0, reseller_id=None),
        PRODUCT,
        NoticeKind.EXPIRING,
        TODAY,
        Renewer("Trend Micro Technical Support"),
        LINK,
    )

    assert "To renew, contact Trend Micro Technical Support with these details:" in email.text
    assert "()" not in email.text


def test_the_html_email_says_what_the_text_says():
    licence = expiring_in(29)

    email = notice_email(licence, PRODUCT, NoticeKind.EXPIRING, TODAY, RESELLER, LINK)
    html = parsed(email.html)

    assert email.html.startswith('<!DOCTYPE html><html lang="en">')
    text = " ".join(html.text)
    assert f"<title>{email.subject}</title>" in email.html
    assert "expires on 27 December 2026, in 29 days." in text
    assert "stops receiving automatic updates" in text
    assert "Harbour Systems Pty Ltd (renewals@harboursys.example, +61 3 9555 0202)" in text
    assert html.items == list(CHECKLIST_LINES)
    assert html.links == [LINK]
    assert "The link works for 14 days." in text


def test_the_html_email_escapes_a_company_name_with_markup():
    licence = expiring_in(29, company="<b>Smith & Sons</b>", contact_name="Jo <i>O'Neil</i>")
    link = 'https://renewals.example/#renewal=1.2.x"><script>alert(1)</script>'

    email = notice_email(licence, PRODUCT, NoticeKind.EXPIRING, TODAY, RESELLER, link)
    html = parsed(email.html)

    assert "<b>" not in email.html and "<i>" not in email.html and "<script>" not in email.html
    assert "&lt;b&gt;Smith &amp; Sons&lt;/b&gt;" in email.html
    assert "licence for <b>Smith & Sons</b> expires on 27 December 2026" in " ".join(html.text)
    assert "Dear Jo <i>O'Neil</i>," in html.text
    assert html.links == [link]
    # The plain text is not HTML: it keeps the name as it is.
    assert "licence for <b>Smith & Sons</b> expires" in email.text


def test_the_reseller_is_told_which_customer_was_sent_which_notice_without_contact_details():
    licence = expiring_in(29)

    expiring = reseller_notice_text(licence, PRODUCT, NoticeKind.EXPIRING, TODAY)
    lapsed = reseller_notice_text(expiring_in(-29), PRODUCT, NoticeKind.LAPSED, TODAY)
    resent = reseller_notice_text(licence, PRODUCT, NoticeKind.RESENT, TODAY)

    assert expiring == (
        f"Renewal notice: Quokka Travel's {PRODUCT} (50 users, Activation Code WS-ZHQ7…) expires on "
        "27 December 2026; the customer was sent the renewal notice."
    )
    assert lapsed.endswith("lapsed on 30 October 2026; the customer was sent the lapsed-maintenance notice.")
    assert resent.endswith("the customer was sent the renewal notice again, at their request.")
    for text in (expiring, lapsed, resent):
        assert licence.contact_email not in text and licence.contact_name not in text
        assert licence.phone not in text


# --- the "Check my renewal" link ---------------------------------------------------------------


def test_given_a_link_issued_for_a_notice_the_token_gives_that_notice_until_it_expires():
    expires = NOON_SYDNEY + timedelta(days=14)
    token = issue(SECRET, 4711, expires)

    result = check(SECRET, token, NOON_SYDNEY)

    assert re.fullmatch(r"4711\.\d+\.[A-Za-z0-9_-]{43}", token)
    assert (result.state, result.notice_id, result.expired_at) == (LinkState.VALID, 4711, expires)
    assert check(SECRET, f"  {token}\n", NOON_SYDNEY).state is LinkState.VALID
    assert check(SECRET, token, expires - timedelta(seconds=1)).state is LinkState.VALID


def test_given_a_link_past_its_expiry_it_is_refused_as_expired_but_still_names_its_notice():
    expires = NOON_SYDNEY + timedelta(days=14)
    token = issue(SECRET, 4711, expires)

    at_expiry = check(SECRET, token, expires)
    later = check(SECRET, token, expires + timedelta(days=30))

    assert (at_expiry.state, at_expiry.notice_id) == (LinkState.EXPIRED, 4711)
    assert (later.state, later.notice_id, later.expired_at) == (LinkState.EXPIRED, 4711, expires)


def _flip_last_character(token: str) -> str:
    return token[:-1] + ("A" if token[-1] != "A" else "B")


def test_given_a_tampered_token_it_is_refused_as_invalid():
    expires = NOON_SYDNEY + timedelta(days=14)
    notice_id, stamp, signature = issue(SECRET, 4711, expires).split(".")

    tampered = [
        f"{notice_id}.{stamp}.{_flip_last_character(signature)}",  # the signature
        f"4712.{stamp}.{signature}",  # another notice
        f"{notice_id}.{int(stamp) + 86_400 * 365}.{signature}",  # a longer life
    ]

    for token in tampered:
        result = check(SECRET, token, NOON_SYDNEY)
        assert (result.state, result.notice_id) == (LinkState.INVALID, None), token


def test_given_a_token_signed_with_another_secret_it_is_refused_as_invalid():
    token = issue(b"t" * 32, 4711, NOON_SYDNEY + timedelta(days=14))

    assert check(SECRET, token, NOON_SYDNEY).state is LinkState.INVALID


@pytest.mark.parametrize(
    "garbage",
    [None, "", "renewal", "4711", "4711.1796000000", "0.1796000000." + "A" * 43, "4711.1796.abc", "x.y.z"],
)
def test_given_garbage_instead_of_a_token_it_is_refused_as_invalid(garbage):
    result = check(SECRET, garbage, NOON_SYDNEY)

    assert (result.state, result.notice_id) == (LinkState.INVALID, None)


def test_the_link_carries_the_token_in_its_fragment():
    assert link_url("https://renewals.example/", "1.2.abc") == "https://renewals.example/#renewal=1.2.abc"


def test_a_short_or_missing_link_secret_is_refused():
    with pytest.raises(LinkSecretMissing):
        link_secret_from_env({})
    with pytest.raises(LinkSecretMissing):
        link_secret_from_env({"NOTICE_LINK_SECRET": "x" * 31})

    assert link_secret_from_env({"NOTICE_LINK_SECRET": "x" * 32}) == b"x" * 32
