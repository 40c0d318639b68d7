"""Run the renewals database: migrate it, import resellers, price lists and licences,
deliver support cases, and delete customers' personal data.

DATABASE_URL selects the database (default: the SQLite file var/renewals.db);
CASE_WEBHOOK_URL and CASE_WEBHOOK_SECRET configure case delivery to a helpdesk,
SLACK_BOT_TOKEN (and SLACK_API_URL) case notices in resellers' Slack channels.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from datetime import datetime, timedelta
from pathlib import Path
from typing import Optional, Sequence

from renewals import log_safety
from renewals.cli.agents import register_cli as register_agent_commands
from renewals.cli.slack import register_cli as register_slack_commands
from renewals.clock import SystemClock, clock_from_env
from renewals.delivery.email import SMTP_URL_VARIABLE, EmailConfigError, EmailSender, email_config_from_env
from renewals.delivery.rasa_conversations import TOKEN_VARIABLE as RASA_TOKEN_VARIABLE
from renewals.delivery.rasa_conversations import (
    RasaApiConfigError,
    RasaConversationSender,
    rasa_api_config_from_env,
)
from renewals.delivery.slack_notices import TOKEN_VARIABLE as SLACK_TOKEN_VARIABLE
from renewals.delivery.slack_notices import (
    DatabaseDirectory,
    SlackConfigError,
    SlackSender,
    slack_config_from_env,
)
from renewals.delivery.webhook import URL_VARIABLE, WebhookConfigError, WebhookSender, webhook_config_from_env
from renewals.delivery.worker import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_LEASE,
    DeliveryWorker,
    Sender,
    SendersByTopic,
    run_worker,
)
from renewals.importers import (
    DEMO_DIR,
    ImportRejected,
    import_licences,
    import_price_list,
    import_resellers,
    load_demo,
)
from renewals.jobs.daily import DEFAULT_CHECK_INTERVAL, DailyJob, run_daily, run_due_jobs
from renewals.jobs.health import RoundHealth, serve_health
from renewals.notice_links import LinkSecretMissing
from renewals.notice_service import NoticeSettings, send_renewal_notices, send_reseller_digests
from renewals.privacy import (
    DEFAULT_RESOLVED_RETENTION,
    forget_customer,
    purge_idle_conversations,
    purge_resolved_cases,
    tracker_retention_days,
)
from renewals.storage.db import database_url_from_env, make_engine, migrate, schema_is_current
from renewals.storage.unit_of_work import UnitOfWork

OUTBOX_HEALTH_PORT_VARIABLE = "OUTBOX_WORKER_HEALTH_PORT"
DAILY_JOBS_HEALTH_PORT_VARIABLE = "DAILY_JOBS_HEALTH_PORT"


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = _parser().parse_args(argv)
    log_safety.install()
    engine = make_engine(database_url_from_env())
    try:
        return args.command(engine, args)
    except ImportRejected as rejected:
        for problem in rejected.problems:
            print(f"{rejected.source.name}: {problem}", file=sys.stderr)
        print(
            f"{rejected.source.name}: nothing imported ({len(rejected.problems)} problem(s)).",
            file=sys.stderr,
        )
        return 1
    except (
        WebhookConfigError,
        SlackConfigError,
        RasaApiConfigError,
        EmailConfigError,
        LinkSecretMissing,
    ) as error:
        print(f"Delivery is misconfigured: {error}.", file=sys.stderr)
        return 1
    finally:
        engine.dispose()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m renewals", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    command = commands.add_parser("migrate", help="create or upgrade the database schema")
    command.set_defaults(command=_migrate)

    for name, run, what in (
        ("import-resellers", _import_resellers, "resellers CSV"),
        ("import-price-list", _import_price_list, "price list YAML"),
        ("import-licences", _import_licences, "licences CSV"),
    ):
        command = commands.add_parser(name, help=f"check and import a {what} (all rows or none)")
        command.add_argument("file", type=Path)
        command.set_defaults(command=run)

    command = commands.add_parser("load-demo", help="migrate and load the demo data into an empty database")
    command.add_argument("directory", type=Path, nargs="?", default=DEMO_DIR)
    command.set_defaults(command=_load_demo)

    command = commands.add_parser(
        "outbox-worker",
        help="deliver queued cases to the webhook and resellers' Slack channels, and agents' messages "
        "into customers' chats, until stopped",
    )
    command.add_argument("--once", action="store_true", help="deliver the messages due now, then exit")
    command.add_argument("--poll-interval", type=float, default=5.0, metavar="SECONDS")
    _health_port_argument(command, OUTBOX_HEALTH_PORT_VARIABLE)
    command.set_defaults(command=_outbox_worker)

    cases = commands.add_parser("cases", help="look at support cases and their delivery").add_subparsers(
        required=True, metavar="ACTION"
    )
    command = cases.add_parser(
        "undelivered", help="list outbox messages not delivered yet (no personal data)"
    )
    command.set_defaults(command=_cases_undelivered)
    command = cases.add_parser("show", help="show one case and its history")
    command.add_argument("reference")
    command.add_argument("--with-contact", action="store_true", help="also print the contact details")
    command.set_defaults(command=_cases_show)

    command = commands.add_parser(
        "forget-customer", help="delete every case (and chat history) of a contact email address"
    )
    command.add_argument("--email", required=True)
    command.add_argument("--tracker-db", metavar="URL", help="the chat tracker store's database URL")
    command.set_defaults(command=_forget_customer)

    command = commands.add_parser(
        "purge-conversations",
        help="delete chat transcripts idle longer than TRACKER_RETENTION_DAYS (default 90) from the tracker "
        "store",
    )
    command.add_argument(
        "--tracker-db",
        metavar="URL",
        help="the chat tracker store's database URL (default: sqlite:///$TRACKER_DB)",
    )
    command.add_argument(
        "--older-than-days", type=int, metavar="DAYS", help="overrides TRACKER_RETENTION_DAYS"
    )
    command.set_defaults(command=_purge_conversations)

    command = commands.add_parser("purge-cases", help="delete resolved cases older than the retention period")
    command.add_argument(
        "--older-than-days", type=int, default=DEFAULT_RESOLVED_RETENTION.days, metavar="DAYS"
    )
    command.set_defaults(command=_purge_cases)

    command = commands.add_parser(
        "send-renewal-notices",
        help="queue the renewal notice of every licence due one today (30 days ahead, or lapsed), once per "
        "licence term",
    )
    command.set_defaults(command=_send_renewal_notices)
    command = commands.add_parser(
        "send-reseller-digests",
        help="queue this week's Slack digest of expiring and lapsed customers for every reseller with a "
        "Slack channel, once a week",
    )
    command.set_defaults(command=_send_reseller_digests)

    command = commands.add_parser(
        "daily-jobs",
        help="renewal notices, resellers' weekly digests, and the purge of resolved cases and idle chat "
        "transcripts past retention, once a day (at start, then daily)",
    )
    command.add_argument(
        "--tracker-db",
        metavar="URL",
        help="the chat tracker store's database URL (default: sqlite:///$TRACKER_DB)",
    )
    command.add_argument("--once", action="store_true", help="run the jobs due today, then exit")
    command.add_argument(
        "--check-interval",
        type=float,
        default=DEFAULT_CHECK_INTERVAL.total_seconds(),
        metavar="SECONDS",
        help="how often to check for a job due",
    )
    _health_port_argument(command, DAILY_JOBS_HEALTH_PORT_VARIABLE)
    command.set_defaults(command=_daily_jobs)

    register_slack_commands(commands)
    register_agent_commands(commands)
    return parser


def _migrate(engine, args) -> int:
    migrate(engine)
    print("Database schema is up to date.")
    return 0


def _import_resellers(engine, args) -> int:
    return _import(engine, args.file, lambda uow: f"Imported {import_resellers(uow, args.file)} resellers.")


def _import_licences(engine, args) -> int:
    return _import(engine, args.file, lambda uow: f"Imported {import_licences(uow, args.file)} licences.")


def _import_price_list(engine, args) -> int:
    def run(uow) -> str:
        result = import_price_list(uow, args.file)
        if result.replaced:
            return f"Imported price list version {result.version}; it is now the active price list."
        return f"Price list unchanged: version {result.version} is still active."

    return _import(engine, args.file, run)


def _import(engine, file: Path, run) -> int:
    if not file.is_file():
        print(f"{file}: no such file.", file=sys.stderr)
        return 1
    if not schema_is_current(engine):
        print(
            "The database schema is not up to date: run `python -m renewals migrate` first.", file=sys.stderr
        )
        return 1
    with UnitOfWork(engine) as uow:
        message = run(uow)
    print(message)
    return 0


def _load_demo(engine, args) -> int:
    result = load_demo(engine, args.directory)
    if result.loaded:
        print(f"Loaded the demo data from {args.directory}: {result.licence_count} licences.")
    else:
        print(f"The database already has {result.licence_count} licences; demo data not loaded.")
    return 0


def _schema_ready(engine) -> bool:
    if schema_is_current(engine):
        return True
    print("The database schema is not up to date: run `python -m renewals migrate` first.", file=sys.stderr)
    return False


def _outbox_worker(engine, args) -> int:
    config = webhook_config_from_env()
    slack_config = slack_config_from_env()
    rasa_config = rasa_api_config_from_env()
    email_config = email_config_from_env()
    if not _schema_ready(engine):
        return 1
    stop = threading.Event()
    if not args.once:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
    clock = SystemClock()  # delivery timing follows the real clock even when RENEWALS_TODAY pins the date
    # Renewal notice emails always have somewhere to go: SMTP_URL, else .eml files under var/outbox/.
    senders: list[Sender] = [EmailSender(email_config)]
    unconfigured = [
        f"{URL_VARIABLE} is not set: cases stay in the local database" if config is None else "",
        f"{SLACK_TOKEN_VARIABLE} is not set: no Slack messages to resellers" if slack_config is None else "",
        f"{RASA_TOKEN_VARIABLE} is not set: agents' messages wait in the outbox"
        if rasa_config is None
        else "",
        f"{SMTP_URL_VARIABLE} is not set: renewal notices are written to {email_config.outbox_dir}"
        if email_config.smtp is None
        else "",
    ]
    if any(unconfigured):
        print("; ".join(line for line in unconfigured if line) + ".", file=sys.stderr)
    if config is not None:
        senders.append(WebhookSender(config))
    if slack_config is not None:
        senders.append(SlackSender(slack_config, DatabaseDirectory(engine)))
    if rasa_config is not None:
        senders.append(RasaConversationSender(rasa_config))
    sender = SendersByTopic(senders)
    # A lease outlasts a whole batch of slow requests, so no other worker takes a message mid-batch.
    lease = max(DEFAULT_LEASE, timedelta(seconds=DEFAULT_BATCH_SIZE * sender.timeout + 60))
    worker = DeliveryWorker(engine, sender, clock, lease=lease)
    if args.once:
        report = worker.deliver_due()
        print(f"Delivered {report.delivered} message(s); {report.failed} failed and will be retried.")
        return 0
    # A round lasts at most a lease: no round for longer than that and a poll means the loop is stuck.
    health = RoundHealth(clock, stale_after=lease + timedelta(seconds=args.poll_interval))
    _serve_health(health, args.health_port)
    run_worker(engine, sender, worker.clock, args.poll_interval, stop, worker=worker, health=health)
    return 0


def _health_port_argument(command: argparse.ArgumentParser, variable: str) -> None:
    raw = os.environ.get(variable, "").strip()
    command.add_argument(
        "--health-port",
        type=int,
        default=int(raw) if raw.isdigit() else None,
        metavar="PORT",
        help=f"answer GET /health on 127.0.0.1:PORT (default: ${variable}, else none)",
    )


def _serve_health(health: RoundHealth, port: Optional[int]) -> None:
    if port is not None:
        serve_health(health, port)


def _cases_undelivered(engine, args) -> int:
    if not _schema_ready(engine):
        return 1
    with UnitOfWork(engine) as uow:
        messages = uow.outbox.undelivered()
    if not messages:
        print("Every outbox message has been delivered.")
        return 0
    rows = [
        (
            message.case_reference or "-",
            message.topic,
            str(message.attempts),
            _when(message.next_attempt_at) if message.next_attempt_at else "now",
            "yes" if message.flagged else "",
            message.last_error or "",
        )
        for message in messages
    ]
    _print_table(("Reference", "Topic", "Attempts", "Next attempt (UTC)", "Flagged", "Last error"), rows)
    print(f"{len(messages)} undelivered message(s).")
    return 0


def _cases_show(engine, args) -> int:
    if not _schema_ready(engine):
        return 1
    reference = args.reference.strip().upper()
    with UnitOfWork(engine) as uow:
        case = uow.cases.get(reference)
        messages = uow.outbox.for_case(reference) if case else []
    if case is None:
        print(f"No case {reference}.", file=sys.stderr)
        return 1
    checklist = case.checklist
    lines = [
        ("Reference", case.reference),
        ("Status", case.status.value),
        ("Reason", case.reason),
        ("Routed to", case.routed_to),
        ("Channel", case.channel or "-"),
        ("Opened", _when(case.created_at)),
        ("Company", checklist.company_name or "-"),
        ("Product", " / ".join(p for p in (checklist.product_code, checklist.platform) if p) or "-"),
        ("Users", str(checklist.user_count or "-")),
        ("Licence expiry", checklist.licence_expiry.isoformat() if checklist.licence_expiry else "-"),
        ("Licence known", "yes" if case.licence_code else "no"),
    ]
    if args.with_contact:
        lines += [
            ("Contact", checklist.contact_name or "-"),
            ("Email", checklist.contact_email or "-"),
            ("Phone", checklist.phone or "-"),
            ("Address", checklist.address or "-"),
        ]
    for label, value in lines:
        print(f"{label + ':':<16}{value}")
    if not args.with_contact:
        print("(Contact details hidden; add --with-contact to show them.)")
    print("History:")
    for event in case.history:
        what = event.status.value if event.status is not None else event.kind
        print(f"  {_when(event.at)}  {what:<20} by {event.actor}" + (f": {event.note}" if event.note else ""))
    for message in messages:
        state = f"delivered {_when(message.delivered_at)}" if message.delivered_at else "not delivered yet"
        print(f"Delivery {message.topic}: {state} ({message.attempts} attempt(s))")
    return 0


def _forget_customer(engine, args) -> int:
    if "@" not in args.email:
        print("--email must be an email address.", file=sys.stderr)
        return 1
    if not _schema_ready(engine):
        return 1
    tracker = make_engine(args.tracker_db) if args.tracker_db else None
    try:
        report = forget_customer(engine, args.email, tracker)
    finally:
        if tracker is not None:
            tracker.dispose()
    print(
        f"Deleted {report.cases} case(s), {report.case_events} case history entries "
        f"and {report.outbox_messages} outbox message(s)."
    )
    if tracker is not None:
        print(
            f"Deleted {report.tracker_events} tracker event(s) from {report.conversations} conversation(s)."
        )
    else:
        print("Tracker store not given (--tracker-db): chat transcripts were not deleted.")
    if report.notices:
        print(f"Cleared the address from {report.notices} renewal notice record(s).")
    if report.licences_listing_address:
        print(
            f"{report.licences_listing_address} imported licence record(s) still list this address: "
            "correct them in the licensing system and re-import the licences."
        )
    return 0


def _purge_cases(engine, args) -> int:
    if args.older_than_days < 1:
        print("--older-than-days must be at least 1.", file=sys.stderr)
        return 1
    if not _schema_ready(engine):
        return 1
    print(_purge_cases_now(engine, args.older_than_days))
    return 0


def _purge_conversations(engine, args) -> int:
    days = args.older_than_days if args.older_than_days is not None else tracker_retention_days()
    if days < 1:
        print("The retention must be at least 1 day.", file=sys.stderr)
        return 1
    url = _tracker_url(args)
    if url is None:
        print("Give the tracker store with --tracker-db URL (or set TRACKER_DB).", file=sys.stderr)
        return 1
    print(_purge_conversations_now(url, days))
    return 0


def _tracker_url(args) -> Optional[str]:
    return args.tracker_db or (
        f"sqlite:///{os.environ['TRACKER_DB']}" if os.environ.get("TRACKER_DB") else None
    )


def _purge_conversations_now(tracker_url: str, days: int) -> str:
    tracker = make_engine(tracker_url)
    try:
        conversations, events = purge_idle_conversations(tracker, SystemClock(), timedelta(days=days))
    finally:
        tracker.dispose()
    return f"Deleted {conversations} conversation(s) idle for more than {days} days ({events} event(s))."


def _purge_cases_now(engine, days: int) -> str:
    report = purge_resolved_cases(engine, SystemClock(), timedelta(days=days))
    return (
        f"Deleted {report.cases} resolved case(s), {report.case_events} case history entries "
        f"and {report.outbox_messages} outbox message(s)."
    )


def _send_renewal_notices(engine, args) -> int:
    if not _schema_ready(engine):
        return 1
    print(_renewal_notices_now(engine))
    return 0


def _send_reseller_digests(engine, args) -> int:
    if not _schema_ready(engine):
        return 1
    print(_reseller_digests_now(engine))
    return 0


def _renewal_notices_now(engine) -> str:
    # Which notices are due follows RENEWALS_TODAY, like everything the customer sees.
    return send_renewal_notices(engine, clock_from_env(), NoticeSettings.from_env()).summary()


def _reseller_digests_now(engine) -> str:
    settings = NoticeSettings.from_env()
    if not settings.slack:
        return f"{SLACK_TOKEN_VARIABLE} is not set: no digests to send."
    return f"{send_reseller_digests(engine, clock_from_env(), settings)} reseller digest(s) queued."


def _daily_jobs(engine, args) -> int:
    if not _schema_ready(engine):
        return 1
    NoticeSettings.from_env()  # NOTICE_LINK_SECRET is needed: fail at start, not at the first notice
    jobs = [
        DailyJob("renewal-notices", lambda: _renewal_notices_now(engine)),
        DailyJob("reseller-digests", lambda: _reseller_digests_now(engine)),
        DailyJob("purge-cases", lambda: _purge_cases_now(engine, DEFAULT_RESOLVED_RETENTION.days)),
    ]
    tracker_url = _tracker_url(args)
    if tracker_url is None:
        print(
            "No tracker store given (--tracker-db URL or TRACKER_DB): chat transcripts are not purged.",
            file=sys.stderr,
        )
    else:
        days = tracker_retention_days()
        jobs.append(DailyJob("purge-conversations", lambda: _purge_conversations_now(tracker_url, days)))
    clock = SystemClock()
    if args.once:
        for name, summary in run_due_jobs(engine, jobs, clock):
            print(f"{name}: {summary}")
        return 0
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    interval = timedelta(seconds=args.check_interval)
    # Rounds are short (a few deletes); a check missed for longer than two intervals means the loop is stuck.
    health = RoundHealth(clock, stale_after=2 * interval + timedelta(minutes=1))
    _serve_health(health, args.health_port)
    run_daily(engine, jobs, clock, stop, interval, health)
    return 0


def _when(moment: Optional[datetime]) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment else "-"


def _print_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows)]
    for row in (headers, *rows):
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip())
