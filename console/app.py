"""The support agents' console (aiohttp sub-application) and its JSON API.

Mounted at /agent by the web service (`mount_console`). Pages need a signed-in
agent (cookie session); every POST from a page carries the session's CSRF token.
The JSON API under /agent/api/ takes `Authorization: Bearer <token>` instead
(tokens from `python -m renewals agents token USERNAME`; see docs/agent-api.md).
Anything without a valid session or token is refused with 401, a wrong CSRF
token or foreign Origin with 403. Rasa's server token never leaves the server.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, Optional, Tuple
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import aiohttp
from aiohttp import web

from console import views
from console.rasa import RasaClient, RasaUnavailable, last_customer_message, transcript
from console.views import REASON_LABELS, ROUTED_LABELS, STATUS_LABELS
from renewals.agents import Agent, AgentAccounts, TooManyAttempts
from renewals.canned_replies import InvalidCannedReply, fill
from renewals.cases import (
    CaseError,
    CaseNotFound,
    CaseStatus,
    NoConversation,
    TransitionNotAllowed,
    assigned_agent,
    checklist_document,
    waiting_since,
)
from renewals.clock import SYDNEY, Clock, SystemClock
from renewals.delivery.rasa_conversations import RasaApiConfig, RasaConversationSender
from renewals.formatting import format_money
from renewals.notices import NoticeRecord
from renewals.on_file import prefilled
from renewals.parsing import parse_date
from renewals.quotes import QuoteError
from renewals.response_times import DEFAULT_TARGET, first_response, target_from_env
from renewals.storage.db import make_engine
from renewals.storage.tracker_store import CustomerMessage, TrackerStore
from web.client_address import client_address

log = logging.getLogger(__name__)

PREFIX = "/agent"
STATIC_DIR = Path(__file__).resolve().parent / "static"
SESSION_COOKIE = "agent_session"
LOGIN_CSRF_COOKIE = "agent_login_csrf"
MAX_TEXT = 4000
DEFAULT_CLOSING = (
    "Thanks for your patience. I'm handing you back to the assistant now; "
    "ask it anything about your licence or renewal."
)
CSP = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


@dataclass
class Console:
    renewals: Any  # renewals.service.Renewals
    accounts: AgentAccounts
    rasa: RasaClient  # reads conversations
    conversations: RasaConversationSender  # delivers agents' messages into them (through the outbox)
    secure_cookies: bool
    tracker: Optional[TrackerStore] = None  # Rasa's tracker store, for the dashboard's counts
    time_zone: ZoneInfo = SYDNEY  # CONSOLE_TIME_ZONE: times on pages before the browser puts them in its own
    first_response_target: timedelta = DEFAULT_TARGET  # CONSOLE_FIRST_RESPONSE_MINUTES


CONSOLE_KEY = web.AppKey("console", Console)
AGENT_KEY = "console.agent"
SESSION_KEY = "console.session"


def _console(request: web.Request) -> Console:
    return request.app[CONSOLE_KEY]


async def _db(work: Callable[[], Any]) -> Any:
    return await asyncio.to_thread(work)


# --- authentication middleware -------------------------------------------------------------


def _refuse_json(status: int, error: str) -> web.Response:
    return web.json_response({"error": error}, status=status, headers={"Cache-Control": "no-store"})


def _same_origin(request: web.Request) -> bool:
    origin = request.headers.get("Origin")
    if origin is None:  # older browsers; the SameSite=Strict cookie still keeps other sites out
        return True
    return origin == f"{request.scheme}://{request.host}"


def guarded(handler: Callable[[web.Request], Awaitable[web.StreamResponse]]):
    """Wraps a console handler: authentication, CSRF and security headers.

    Routes are added to the hosting application directly (no sub-application: with the
    pinned aiohttp and yarl, sub-application routing fails on Host headers with a port).
    """

    async def handle(request: web.Request) -> web.StreamResponse:
        try:
            response = await _authorised(request, handler)
        except web.HTTPException as exception:
            _secure(exception)
            raise
        return _secure(response)

    return handle


async def _authorised(request: web.Request, handler) -> web.StreamResponse:
    console = _console(request)
    relative = request.path[len(PREFIX) :] if request.path.startswith(PREFIX) else request.path
    if relative == "/login":
        return await handler(request)
    if relative.startswith("/api/"):
        header = request.headers.get("Authorization", "")
        token = header[7:].strip() if header.lower().startswith("bearer ") else None
        agent = await _db(lambda: console.accounts.agent_for_api_token(token)) if token else None
        if agent is None:
            response = _refuse_json(401, "unauthorized")
            response.headers["WWW-Authenticate"] = 'Bearer realm="agent-api"'
            return response
        request[AGENT_KEY] = agent
        return await handler(request)
    session_token = request.cookies.get(SESSION_COOKIE)
    # The pages' background refreshes (*.json, the event stream) are not the agent's activity: they keep no
    # session alive.
    by_agent = not relative.endswith((".json", EVENTS_SUFFIX))
    session = await _db(lambda: console.accounts.session(session_token, by_agent)) if session_token else None
    if session is None:
        if request.method == "GET" and not relative.endswith(".json"):
            return web.Response(status=401, text=views.signed_out_page(), content_type="text/html")
        return _refuse_json(401, "unauthorized")
    if request.method not in ("GET", "HEAD"):
        form = await _form(request)
        sent = request.headers.get("X-CSRF-Token") or form.get("csrf_token") or ""
        if not _same_origin(request) or not _same_secret(str(sent), session.csrf_token):
            return _refuse_json(403, "csrf_token_invalid")
    request[AGENT_KEY] = session.agent
    request[SESSION_KEY] = session
    return await handler(request)


def _secure(response: web.StreamResponse) -> web.StreamResponse:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Not "no-referrer": under it browsers send `Origin: null` with the pages' own form POSTs, which
    # _same_origin must refuse; "same-origin" still sends nothing to other sites.
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Cache-Control"] = "no-store"
    return response


# --- sign-in -------------------------------------------------------------------------------


async def login_page(request: web.Request) -> web.Response:
    token = secrets.token_urlsafe(32)
    response = web.Response(
        text=views.login_page(token, request.query.get("error")), content_type="text/html"
    )
    _set_cookie(request, response, LOGIN_CSRF_COOKIE, token, max_age=3600)
    return response


def _same_secret(sent: str, expected: str) -> bool:
    """Constant-time comparison that also takes non-ASCII input (hmac refuses non-ASCII str)."""
    return hmac.compare_digest(
        sent.encode("utf-8", "surrogateescape"), expected.encode("utf-8", "surrogateescape")
    )


async def _form(request: web.Request):
    """The posted form; a body that isn't one (invalid UTF-8, say) is a 400, never a 500."""
    try:
        return await request.post()
    except ValueError:  # UnicodeDecodeError included
        raise web.HTTPBadRequest(
            text='{"error": "body_must_be_a_form"}', content_type="application/json"
        ) from None


async def login(request: web.Request) -> web.StreamResponse:
    console = _console(request)
    form = await _form(request)
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not _same_origin(request) or not cookie or not _same_secret(str(form.get("csrf_token", "")), cookie):
        return _refuse_json(403, "csrf_token_invalid")
    username, password = str(form.get("username", ""))[:100], str(form.get("password", ""))[:1024]
    try:
        agent = await _db(lambda: console.accounts.authenticate(username, password, client_address(request)))
    except TooManyAttempts:
        return web.Response(
            status=429,
            text=views.login_page(cookie, "locked"),
            content_type="text/html",
            headers={"Retry-After": "900"},
        )
    if agent is None:
        return web.Response(status=401, text=views.login_page(cookie, "wrong"), content_type="text/html")
    token, _ = await _db(lambda: console.accounts.start_session(agent))
    response = web.HTTPSeeOther(f"{PREFIX}/")
    _set_cookie(request, response, SESSION_COOKIE, token, max_age=None)
    response.del_cookie(LOGIN_CSRF_COOKIE, path=PREFIX)
    log.info("console: %s signed in", agent.username)
    raise response


async def logout(request: web.Request) -> web.StreamResponse:
    console = _console(request)
    token = request.cookies.get(SESSION_COOKIE)
    await _db(lambda: console.accounts.end_session(token))
    response = web.HTTPSeeOther(f"{PREFIX}/login")
    response.del_cookie(SESSION_COOKIE, path=PREFIX)
    raise response


def _set_cookie(
    request: web.Request, response: web.StreamResponse, name: str, value: str, max_age: Optional[int]
) -> None:
    secure = _console(request).secure_cookies or request.secure
    response.set_cookie(
        name, value, path=PREFIX, httponly=True, samesite="Strict", secure=secure, max_age=max_age
    )


# --- pages -----------------------------------------------------------------------------------


def _agent(request: web.Request) -> Agent:
    return request[AGENT_KEY]


def _csrf(request: web.Request) -> str:
    return request[SESSION_KEY].csrf_token


async def home(request: web.Request) -> web.Response:
    figures = await _dashboard(request)
    return web.Response(
        text=views.dashboard_page(_agent(request), _csrf(request), figures), content_type="text/html"
    )


async def queue_page(request: web.Request) -> web.Response:
    console = _console(request)
    resellers = await _db(console.renewals.resellers)
    filters = _filters(request)
    cases = await _queue(request)
    return web.Response(
        text=views.queue_page(_agent(request), _csrf(request), cases, filters, resellers),
        content_type="text/html",
    )


async def queue_json(request: web.Request) -> web.Response:
    return web.json_response({"cases": await _queue(request)})


async def case_page(request: web.Request) -> web.Response:
    detail = await _case_detail(request, request.match_info["reference"])
    saved = await _db(_console(request).renewals.canned_replies)
    values = _placeholder_values(detail, _agent(request))
    detail["saved_replies"] = [{"title": reply.title, "text": fill(reply.body, values)} for reply in saved]
    return web.Response(
        text=views.case_page(_agent(request), _csrf(request), detail, _console(request).time_zone),
        content_type="text/html",
    )


def _placeholder_values(detail: Dict[str, Any], agent: Agent) -> Dict[str, Optional[str]]:
    """What a saved reply's placeholders read for this case (renewals.canned_replies)."""
    checklist, licence = detail["checklist"], detail.get("licence") or {}
    contact = (checklist.get("contact_name") or "").split()
    reseller = (detail.get("reseller") or {}).get("name") or licence.get("reseller")
    return {
        "customer_name": contact[0] if contact else None,
        "company": checklist.get("company_name") or licence.get("company"),
        "case_reference": detail["reference"],
        "agent_name": agent.display_name,
        "reseller": reseller,
    }


async def report_typing(request: web.Request) -> web.Response:
    """The agent is typing a reply on the case page: the customer's chat shows it (renewals.typing)."""
    service = _console(request).renewals
    case = await _db(lambda: service.case(request.match_info["reference"]))
    if case is None or not case.conversation_id:
        return _refuse_json(404, "not_found")
    name = _agent(request).display_name
    await _db(lambda: service.report_typing(case.conversation_id, agent_name=name))
    return web.json_response({"reported": True})


async def replies_page(request: web.Request) -> web.Response:
    saved = await _db(_console(request).renewals.canned_replies)
    return web.Response(
        text=views.replies_page(_agent(request), _csrf(request), saved, saved_now=request.query.get("saved")),
        content_type="text/html",
    )


async def save_reply(request: web.Request) -> web.StreamResponse:
    form = await _form(request)
    raw_id = str(form.get("reply_id", "")).strip()
    reply_id = int(raw_id) if raw_id.isdigit() else None
    title, body = str(form.get("title", "")), str(form.get("body", ""))
    service = _console(request).renewals
    try:
        await _db(lambda: service.save_canned_reply(reply_id, title, body, _agent(request).username))
    except InvalidCannedReply as error:
        saved = await _db(service.canned_replies)
        draft = {"reply_id": reply_id, "title": title, "body": body, "error": str(error)}
        page = views.replies_page(_agent(request), _csrf(request), saved, draft=draft)
        return web.Response(status=400, text=page, content_type="text/html")
    raise web.HTTPSeeOther(f"{PREFIX}/replies?{urlencode({'saved': ' '.join(title.split())})}")


async def delete_reply(request: web.Request) -> web.StreamResponse:
    raw_id = request.match_info["reply_id"]
    if raw_id.isdigit():
        await _db(lambda: _console(request).renewals.delete_canned_reply(int(raw_id)))
    raise web.HTTPSeeOther(f"{PREFIX}/replies")


async def case_json(request: web.Request) -> web.Response:
    return web.json_response(await _case_detail(request, request.match_info["reference"]))


EVENTS_SUFFIX = "/events"
STREAM_CHECK_SECONDS = 1.5  # how often the stream looks for a change
STREAM_KEEP_ALIVE_SECONDS = 15  # a comment line, so proxies keep the connection open
STREAM_MAX_SECONDS = 600  # then the browser's EventSource reconnects, and the session is checked anew


async def case_events(request: web.Request) -> web.StreamResponse:
    """The case page's live updates as server-sent events: the live.json document, sent whenever it changes
    (the page falls back to polling live.json where EventSource fails)."""
    reference = request.match_info["reference"]
    first = await _case_detail(request, reference)  # a 404 before the stream starts
    stream = web.StreamResponse(
        headers={
            "Content-Type": "text/event-stream",
            "Cache-Control": "no-store",
            "X-Accel-Buffering": "no",  # nginx: pass each event on at once
        }
    )
    _secure(stream)
    await stream.prepare(request)
    console, token = _console(request), request.cookies.get(SESSION_COOKIE)
    loop = asyncio.get_running_loop()
    started = last_sent = loop.time()
    sent = None
    detail: Optional[Dict[str, Any]] = first
    try:
        while loop.time() - started < STREAM_MAX_SECONDS:
            if detail is not None:
                document = json.dumps(detail, sort_keys=True, default=str)
                if document != sent:
                    await stream.write(f"data: {document}\n\n".encode("utf-8"))
                    sent, last_sent = document, loop.time()
            if loop.time() - last_sent >= STREAM_KEEP_ALIVE_SECONDS:
                await stream.write(b": keep-alive\n\n")
                last_sent = loop.time()
            await asyncio.sleep(STREAM_CHECK_SECONDS)
            if await _db(lambda: console.accounts.session(token, False)) is None:
                break  # signed out or timed out meanwhile
            try:
                detail = await _case_detail(request, reference)
            except web.HTTPNotFound:
                break  # the case was deleted (e.g. forget-customer)
    except (ConnectionResetError, asyncio.CancelledError):
        pass  # the page went away
    return stream


def _action_page(action: str) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def handle(request: web.Request) -> web.StreamResponse:
        reference = request.match_info["reference"]
        form = await _form(request)
        error, notice = await _perform(request, action, reference, str(form.get("text", "")))
        query = (
            f"?{urlencode({'error': error})}"
            if error
            else (f"?{urlencode({'notice': notice})}" if notice else "")
        )
        raise web.HTTPSeeOther(f"{PREFIX}/cases/{reference}{query}")

    return handle


# --- JSON API ----------------------------------------------------------------------------------


async def api_cases(request: web.Request) -> web.Response:
    return web.json_response({"cases": await _queue(request)})


async def api_case(request: web.Request) -> web.Response:
    return web.json_response(await _case_detail(request, request.match_info["reference"]))


async def api_dashboard(request: web.Request) -> web.Response:
    return web.json_response(await _dashboard(request))


def _action_api(action: str) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def handle(request: web.Request) -> web.StreamResponse:
        reference = request.match_info["reference"]
        body: Dict[str, Any] = {}
        if request.can_read_body:
            try:
                body = await request.json()
            except ValueError:
                return _refuse_json(400, "body_must_be_json")
            if not isinstance(body, dict):
                return _refuse_json(400, "body_must_be_an_object")
        error, notice = await _perform(request, action, reference, str(body.get("text") or ""))
        if error:
            status = {"not_found": 404, "text_required": 400, "text_too_long": 400}.get(error, 409)
            return _refuse_json(status, error)
        detail = await _case_detail(request, reference, with_transcript=False)
        if notice:
            detail["notice"] = {"code": notice, "text": views.notice_text(notice, detail)}
        return web.json_response(detail)

    return handle


# --- the work behind pages and API ---------------------------------------------------------------


def _filters(request: web.Request) -> Dict[str, str]:
    return {
        name: request.query.get(name, "").strip()[:50]
        for name in ("status", "region", "reseller", "assigned")
    }


def _assigned_as_asked(case, assigned: str, username: str) -> bool:
    """The queue's assignment filter: "mine", "unassigned" (nobody has it in progress), else all."""
    if assigned == "mine":
        return assigned_agent(case) == username
    if assigned == "unassigned":
        return assigned_agent(case) is None
    return True


async def _queue(request: web.Request) -> list:
    console = _console(request)
    filters = _filters(request)
    statuses = [filters["status"]] if filters["status"] in {s.value for s in CaseStatus} else None
    if filters["status"] in ("", "active"):
        statuses = [s.value for s in CaseStatus if s is not CaseStatus.RESOLVED]
    rows = await _db(
        lambda: console.renewals.console_cases(
            statuses, filters["region"] or None, filters["reseller"] or None
        )
    )
    username = _agent(request).username
    rows = [
        (case, region) for case, region in rows if _assigned_as_asked(case, filters["assigned"], username)
    ]
    now = console.renewals.clock.now()
    names = await _db(lambda: _reseller_names(console.renewals))
    last = await _db(lambda: _last_customer_messages(console, [case.conversation_id for case, _ in rows]))
    return [_case_summary(console, case, region, now, names, last) for case, region in rows]


QUEUE_PREVIEW_LENGTH = 80


def _last_customer_messages(console: Console, conversations) -> Dict[str, CustomerMessage]:
    if console.tracker is None:
        return {}
    try:
        return console.tracker.last_customer_messages(c for c in conversations if c)
    except Exception as error:  # the preview is optional: the queue works without the tracker store
        log.warning("console: the tracker store could not be read for the queue (%s)", type(error).__name__)
        return {}


def _preview(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUEUE_PREVIEW_LENGTH else text[: QUEUE_PREVIEW_LENGTH - 1].rstrip() + "…"


def _reseller_names(service) -> Dict[str, str]:
    return {reseller.reseller_id: reseller.name for reseller in service.resellers()}


def notice_view(record: NoticeRecord) -> Dict[str, Any]:
    """A renewal notice in the licence's history: when, what, to whom, and how its delivery went."""
    return {
        "kind": record.kind,  # expiring, lapsed or resent
        "queued_at": record.queued_at.isoformat(),
        "recipient": record.recipient,
        "state": record.state.value,  # queued, sent or failed
        "sent_at": record.delivered_at.isoformat() if record.delivered_at else None,
        "failed_at": record.gave_up_at.isoformat() if record.gave_up_at else None,
        "error": record.last_error,
        "attempts": record.attempts,
        "link_opened_at": record.link_opened_at.isoformat() if record.link_opened_at else None,
    }


def _case_summary(
    console: Console,
    case,
    region,
    now: datetime,
    reseller_names: Dict[str, str],
    last_messages: Dict[str, CustomerMessage],
) -> Dict[str, Any]:
    waiting = waiting_since(case)
    due = first_response(case, region, console.first_response_target)
    last = last_messages.get(case.conversation_id or "")
    routed_to = reseller_names.get(case.routed_to) or ROUTED_LABELS.get(case.routed_to, case.routed_to)
    return {
        "reference": case.reference,
        "reason": case.reason,
        "status": case.status.value,
        "region": region,
        "routed_to": case.routed_to,
        "channel": case.channel,
        "linked_to": case.linked_to,
        "company_name": case.checklist.company_name,
        "assigned_to": assigned_agent(case),
        "waiting": waiting is not None,
        "waiting_seconds": max(0, int((now - waiting).total_seconds())) if waiting else None,
        "first_response": (
            {
                "due_at": due.due_at.isoformat(),
                "due_in_seconds": int((due.due_at - now).total_seconds()),  # below 0 once overdue
                "overdue": due.overdue(now),
            }
            if due
            else None
        ),
        "last_message": {"text": _preview(last.text), "at": last.at.isoformat()} if last else None,
        "created_at": case.created_at.isoformat(),
        "updated_at": case.updated_at.isoformat(),
        # What agents read: the values above stay as they are, for programs.
        "labels": {
            "status": STATUS_LABELS.get(case.status.value, case.status.value),
            "reason": REASON_LABELS.get(case.reason, case.reason),
            "routed_to": routed_to,
        },
    }


async def _case_detail(request: web.Request, reference: str, with_transcript: bool = True) -> Dict[str, Any]:
    console = _console(request)
    service = console.renewals
    case = await _db(lambda: service.case(reference))
    if case is None:
        raise (web.HTTPNotFound(text='{"error": "not_found"}', content_type="application/json"))

    tracker, transcript_error = None, None
    if with_transcript and case.conversation_id:
        try:
            tracker = await console.rasa.tracker(case.conversation_id)
        except RasaUnavailable:
            transcript_error = "The conversation could not be read from the assistant just now."
    asked = _quote_asked_for(tracker, case.licence_code)

    def licence_context():
        licence = service.licence_by_code(case.licence_code)
        if licence is None:
            return None, None, None, {}
        status = service.status(licence)
        renewal_date = (
            parse_date(asked["renewal_date"], service.today(licence)) if "renewal_date" in asked else None
        )
        try:
            quote = service.quote(
                licence, renewal_date=renewal_date, years=asked.get("years", 1), users=asked.get("users")
            )
            quote_view = {
                "users": quote.users,
                "years": quote.years,
                "renewal_date": quote.renewal_date.isoformat(),
                "lapsed_days": quote.lapsed_days,
                "lapse_charge": format_money(quote.lapse_charge, quote.currency),
                "renewal_charge": format_money(quote.renewal_charge, quote.currency),
                "gst": format_money(quote.gst, quote.currency),
                "total": format_money(quote.total, quote.currency),
                "new_expiry": quote.term_end.isoformat(),
                "currency": quote.currency,
            }
        except QuoteError as error:
            quote_view = {"error": str(error)}
        reseller = service.reseller_name(licence.reseller_id) if licence.reseller_id else None
        licence_view = {
            "activation_code": licence.activation_code,
            "company": licence.company,
            "region": licence.region,
            "product_code": licence.product_code,
            "platform": licence.platform,
            "users": licence.users,
            "expiry_date": licence.expiry_date.isoformat(),
            "reseller_id": licence.reseller_id,
            "reseller": reseller,
            "notices": [notice_view(record) for record in service.notice_history(licence)],
        }
        status_view = {
            "kind": status.kind.value,
            "days_until_expiry": status.days_until_expiry,
            "days_since_expiry": status.days_since_expiry,
        }
        return (
            licence_view,
            status_view,
            quote_view,
            checklist_document(prefilled(licence, asked.get("users"))),
        )

    licence, status, quote, on_file = await _db(licence_context)
    checklist = checklist_document(case.checklist)
    # A detail the chat did not give is shown from the licence on file, marked as such.
    from_file = sorted(name for name, value in checklist.items() if value in (None, "") and on_file.get(name))
    checklist.update({name: on_file[name] for name in from_file})
    region = licence["region"] if licence else None
    names = await _db(lambda: _reseller_names(service))
    if tracker is not None:
        # The conversation was read from Rasa already: its last customer message is in it.
        message = last_customer_message(tracker.get("events") or [])
        last = {case.conversation_id: message} if message and case.conversation_id else {}
    else:
        last = await _db(lambda: _last_customer_messages(console, [case.conversation_id]))
    detail = _case_summary(console, case, region, service.clock.now(), names, last)
    detail.update(
        {
            "conversation_id": case.conversation_id,
            "checklist": checklist,
            "checklist_from_licence": from_file,
            "licence": licence,
            "licence_status": status,
            "quote": quote,
            "history": [
                {
                    "at": e.at.isoformat(),
                    "kind": e.kind,
                    "actor": e.actor,
                    "status": e.status.value if e.status else None,
                    "note": e.note,
                }
                for e in case.history
            ],
            "can_hand_to_reseller": case.reseller_id is not None,
            "linked_from": await _db(lambda: service.cases_linked_to(case.reference)),
            "reseller": await _db(lambda: _reseller_view(service, case.reseller_id)),
        }
    )
    if case.conversation_id:
        detail["customer_typing"] = (await _db(lambda: service.typing(case.conversation_id))).customer
    if with_transcript:
        detail["transcript"], detail["transcript_error"] = [], transcript_error
        if tracker is not None:
            detail["transcript"] = transcript(tracker.get("events") or [])
            detail["paused"] = bool(tracker.get("paused"))
    if request.query.get("error"):
        detail["error"] = request.query["error"][:50]
    elif request.query.get("notice") in views.NOTICES:
        detail["notice"] = {
            "code": request.query["notice"],
            "text": views.notice_text(request.query["notice"], detail),
        }
    return detail


def _quote_asked_for(tracker: Optional[Dict[str, Any]], licence_code: Optional[str]) -> Dict[str, Any]:
    """The term, user count and renewal date (as typed) the customer last asked a quote for, for this
    licence (the conversation's slots); nothing when they asked for none."""
    slots = (tracker or {}).get("slots") or {}
    if not licence_code or slots.get("quoted_code") != licence_code:
        return {}
    asked: Dict[str, Any] = {}
    for slot, keyword in (("term_years", "years"), ("user_count", "users")):
        value = slots.get(slot)
        if (
            isinstance(value, (int, float))
            and not isinstance(value, bool)
            and value == int(value)
            and value > 0
        ):
            asked[keyword] = int(value)
    if slots.get("renewal_date"):
        asked["renewal_date"] = str(slots["renewal_date"])  # as the customer wrote it, read per licence
    return asked


def _reseller_view(service, reseller_id: Optional[str]) -> Optional[Dict[str, Any]]:
    """How to reach the case's reseller: a business contact, shown to agents only."""
    reseller = service.reseller(reseller_id) if reseller_id else None
    if reseller is None:
        return None
    return {
        "id": reseller.reseller_id,
        "name": reseller.name,
        "email": reseller.email,
        "phone": reseller.phone,
        "slack_channel": bool(reseller.slack_channel_id),
    }


async def _perform(
    request: web.Request, action: str, reference: str, text: str
) -> Tuple[Optional[str], Optional[str]]:
    """Do one agent action: (error code, notice code); the error is None when it was done.

    A reply or a closing message is recorded with its case first, then delivered
    into the chat at once; when the chat can't be reached it stays queued and the
    outbox worker delivers it later (notice "queued").
    """
    console = _console(request)
    service = console.renewals
    agent = _agent(request)
    text = text.strip()
    if len(text) > MAX_TEXT:
        return "text_too_long", None
    notice = None
    try:
        case = await _db(lambda: service.case(reference))
        if case is None:
            return "not_found", None
        if action == "take":
            await _db(lambda: service.take_case(reference, agent.username, agent.display_name))
            notice = await _deliver(console, reference)  # "… has joined the chat", at once
        elif action == "note":
            if not text:
                return "text_required", None
            await _db(lambda: service.add_note(reference, agent.username, text))
        elif action == "reply":
            if not text:
                return "text_required", None
            await _db(lambda: service.record_reply(reference, agent.username, text, agent.display_name))
            notice = await _deliver(console, reference)
        elif action == "hand":
            handed = await _db(lambda: service.hand_to_reseller(reference, agent.username, text or None))
            notice = "reseller_slack" if handed.notified_in_slack else "reseller_not_notified"
            await _deliver(console, reference)  # the customer is told who takes it over, at once
        elif action == "resolve":
            await _db(
                lambda: service.resolve_case(
                    reference, agent.username, text or None, agent.display_name, text or DEFAULT_CLOSING
                )
            )
            notice = await _deliver(console, reference)
        else:
            return "unknown_action", None
    except CaseNotFound:
        return "not_found", None
    except NoConversation:
        return "no_conversation", None
    except TransitionNotAllowed:
        return ("case_resolved" if case.status is CaseStatus.RESOLVED else "not_allowed_in_this_status"), None
    except (CaseError, ValueError):
        return "invalid", None
    log.info("console: %s did %s on %s", agent.username, action, reference)
    return None, notice


async def _deliver(console: Console, reference: str) -> Optional[str]:
    """Send the case's queued chat messages now; "queued" when some must wait for the outbox worker."""
    try:
        waiting = await _db(
            lambda: console.renewals.deliver_conversation_messages(console.conversations, reference)
        )
    except Exception as error:  # recorded and queued either way: the worker delivers it
        log.warning(
            "console: immediate delivery failed (%s); the outbox worker will retry", type(error).__name__
        )
        return "queued"
    return "queued" if waiting else None


async def _dashboard(request: web.Request) -> Dict[str, Any]:
    console = _console(request)
    figures = await _db(console.renewals.dashboard)
    conversations = await _db(lambda: conversations_today(console.tracker, figures["start_of_day"]))
    handed = figures.pop("handed_off_conversations_today")
    if conversations is not None:
        figures["conversations_today"] = len(conversations | set(handed))
        figures["answered_by_bot_today"] = len(conversations - set(handed))
    else:
        figures["conversations_today"] = None
        figures["answered_by_bot_today"] = None
    return figures


def conversations_today(tracker: Optional[TrackerStore], start_of_day_iso: str) -> Optional[set]:
    """Conversations with a customer message since the start of today; None if unknown."""
    if tracker is None:
        return None
    try:
        return tracker.customers_since(datetime.fromisoformat(start_of_day_iso))
    except Exception as error:  # the tracker store is optional for the dashboard
        log.warning("console: could not count today's conversations: %s", error.__class__.__name__)
        return None


# --- application -----------------------------------------------------------------------------


def create_console_app(
    renewals,
    rasa_url: str,
    rasa_token: str,
    clock: Optional[Clock] = None,
    *,
    secure_cookies: Optional[bool] = None,
    tracker_db_url: Optional[str] = None,
) -> web.Application:
    """A stand-alone application serving the console under /agent (see `mount_console` to add it to another).

    `clock` times sessions and sign-in limits (default: the real clock, even when
    RENEWALS_TODAY pins the renewals date). Cookies are Secure when `secure_cookies`
    (default: CONSOLE_SECURE_COOKIES=1) or when the request came over https.
    """
    app = web.Application()
    mount_console(
        app,
        renewals,
        rasa_url,
        rasa_token,
        clock,
        secure_cookies=secure_cookies,
        tracker_db_url=tracker_db_url,
    )
    return app


def _zone_from_env(name: str, default: ZoneInfo) -> ZoneInfo:
    value = os.environ.get(name, "").strip()
    return ZoneInfo(value) if value else default


def mount_console(
    app: web.Application,
    renewals,
    rasa_url: str,
    rasa_token: str,
    clock: Optional[Clock] = None,
    *,
    secure_cookies: Optional[bool] = None,
    tracker_db_url: Optional[str] = None,
) -> web.Application:
    """Add the console's routes under /agent to `app` (e.g. the customer web service)."""
    if secure_cookies is None:
        secure_cookies = os.environ.get("CONSOLE_SECURE_COOKIES", "") in ("1", "true", "yes")
    if tracker_db_url is None and os.environ.get("TRACKER_DB"):
        tracker_db_url = f"sqlite:///{os.environ['TRACKER_DB']}"
    console = Console(
        renewals,
        AgentAccounts(renewals.engine, clock or SystemClock()),
        RasaClient(rasa_url, rasa_token),
        RasaConversationSender(RasaApiConfig(rasa_url.rstrip("/"), rasa_token)),
        bool(secure_cookies),
        TrackerStore(make_engine(tracker_db_url)) if tracker_db_url else None,
        _zone_from_env("CONSOLE_TIME_ZONE", SYDNEY),
        target_from_env(),
    )
    app[CONSOLE_KEY] = console

    async def rasa_session(app: web.Application):
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15)) as session:
            console.rasa.session = session
            yield
            console.rasa.session = None

    async def to_console(_: web.Request):
        raise web.HTTPFound(f"{PREFIX}/")

    app.cleanup_ctx.append(rasa_session)
    if console.tracker is not None:

        async def close_tracker(app: web.Application) -> None:
            console.tracker.close()

        app.on_cleanup.append(close_tracker)
    r = app.router

    def get(path, handler):
        r.add_get(PREFIX + path, guarded(handler), allow_head=False)

    def post(path, handler):
        r.add_post(PREFIX + path, guarded(handler))

    r.add_get(PREFIX, to_console, allow_head=False)
    get("/login", login_page)
    post("/login", login)
    post("/logout", logout)
    get("/", home)
    get("/cases", queue_page)
    get("/queue.json", queue_json)
    get("/dashboard.json", api_dashboard)
    get("/cases/{reference}", case_page)
    get("/cases/{reference}/live.json", case_json)
    get("/cases/{reference}" + EVENTS_SUFFIX, case_events)
    get("/replies", replies_page)
    post("/replies", save_reply)
    post("/replies/{reply_id}/delete", delete_reply)
    post("/cases/{reference}/typing", report_typing)
    get("/api/cases", api_cases)
    get("/api/dashboard", api_dashboard)
    get("/api/cases/{reference}", api_case)
    for action, api_name in (
        ("take", "take"),
        ("reply", "reply"),
        ("note", "note"),
        ("hand", "hand-to-reseller"),
        ("resolve", "resolve"),
    ):
        post(f"/cases/{{reference}}/{action}", _action_page(action))
        post(f"/api/cases/{{reference}}/{api_name}", _action_api(action))
    r.add_static(PREFIX + "/static/", STATIC_DIR)
    return app
