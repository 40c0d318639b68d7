"""HTML for the console's pages. Every value is escaped; scripts and styles come from /agent/static only."""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Any, Dict, Iterable, List, Optional, Sequence
from zoneinfo import ZoneInfo

from renewals.canned_replies import MAX_BODY, MAX_TITLE, PLACEHOLDERS
from renewals.checklist import display_phone

PREFIX = "/agent"
STATUSES = [
    ("active", "Not resolved"),
    ("open", "Open"),
    ("in_progress", "In progress"),
    ("handed_to_reseller", "Handed to reseller"),
    ("resolved", "Resolved"),
    ("all", "All"),
]
STATUS_LABELS = dict(STATUSES)
REASON_LABELS = {
    "renewal": "Renewal",
    "human_handoff": "Asked for a person",
    "contact_change": "Change of registered contact",
}
ROUTED_LABELS = {"technical-support": "Technical Support"}
HISTORY_LABELS = {
    "status": "status",
    "handoff_requested": "queued the chat for a person",
    "taken": "took the case",
    "reply": "replied to the customer",
    "note": "added a note",
    "handed_to_reseller": "handed it to the reseller",
    "resolved": "resolved it",
    "answer_by_email": "noted the customer's email address for the replies",
}
REGION_OPTIONS = [("", "Any"), ("AU", "Australia"), ("NZ", "New Zealand"), ("unknown", "Unknown")]
ERRORS = {
    "wrong": "Wrong username or password.",
    "locked": "Too many failed sign-ins: try again in 15 minutes.",
    "text_required": "Write something first.",
    "text_too_long": "That is too long (4,000 characters at most).",
    "case_resolved": "The case is resolved.",
    "not_allowed_in_this_status": "That can't be done in the case's current status.",
    "no_conversation": "This case has no chat to reply in.",
    "invalid": "That could not be done.",
}


NOTICES = ("queued", "reseller_slack", "reseller_not_notified")


CUSTOMER_TOLD = (
    "A customer waiting in the chat has been told who will contact them, and is back with the assistant."
)


def notice_text(code: str, d: Dict[str, Any]) -> str:
    """What an action's outcome means for the agent (codes in NOTICES); `d` is the case detail."""
    reseller = d.get("reseller") or {}
    name = reseller.get("name") or "the reseller"
    if code == "queued":
        return (
            "Saved in the case history. The customer's chat could not be reached just now; the message "
            "will be delivered as soon as it answers again."
        )
    if code == "reseller_slack":
        return f"Handed to {name}: a notice is on its way to their Slack channel. {CUSTOMER_TOLD}"
    phone = display_phone(reseller["phone"]) if reseller.get("phone") else "them"
    return (
        f"Handed to {name}, but nothing was sent to them: they have no Slack channel linked here. "
        f"Email them at {reseller.get('email') or 'their address'} or call {phone}. {CUSTOMER_TOLD}"
    )


def e(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def layout(title: str, body: str, agent=None, csrf: Optional[str] = None, page: str = "") -> str:
    nav = ""
    if agent is not None:
        nav = (
            f'<nav><a href="{PREFIX}/">Dashboard</a> <a href="{PREFIX}/cases">Cases</a> '
            f'<a href="{PREFIX}/replies">Saved replies</a>'
            f'<span class="who">{e(agent.display_name)}</span>'
            f'<form method="post" action="{PREFIX}/logout" class="inline">'
            f'<input type="hidden" name="csrf_token" value="{e(csrf)}"><button>Sign out</button></form></nav>'
        )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{e(title)} · Agent console</title>"
        f'<link rel="stylesheet" href="{PREFIX}/static/console.css">'
        f'<script src="{PREFIX}/static/console.js" defer></script></head>'
        f'<body data-page="{e(page)}"><header><strong>Renewals '
        f"support</strong>{nav}</header><main>{body}</main></body></html>"
    )


def signed_out_page() -> str:
    return layout("Sign in needed", f'<p>You are not signed in. <a href="{PREFIX}/login">Sign in</a></p>')


def login_page(csrf: str, error: Optional[str]) -> str:
    message = f'<p class="error" role="alert">{e(ERRORS.get(error, ""))}</p>' if error in ERRORS else ""
    return layout(
        "Sign in",
        (
            f"<h1>Sign in</h1>{message}"
            f'<form method="post" action="{PREFIX}/login" class="login">'
            f'<input type="hidden" name="csrf_token" value="{e(csrf)}">'
            '<label>Username <input name="username" autocomplete="username" required></label>'
            '<label>Password <input type="password" name="password" autocomplete="current-password" '
            "required></label>"
            '<button type="submit">Sign in</button></form>'
        ),
    )


def bar_chart(title: str, data: Dict[str, int], chart_id: str) -> str:
    """A horizontal bar chart as inline SVG."""
    if not data:
        return (
            f'<figure id="{e(chart_id)}"><figcaption>{e(title)}</figcaption>'
            '<p class="muted">None.</p></figure>'
        )
    top = max(data.values()) or 1
    row, width = 26, 260
    # Room for the longest label: about 7 px a character at the labels' 12 px.
    bar_x = max(150, 7 * max(len(label) for label in data) + 12)
    bars = []
    for i, (label, value) in enumerate(data.items()):
        y = i * row
        length = max(2, int(width * value / top))
        bars.append(
            f'<text x="0" y="{y + 17}" class="label">{e(label)}</text>'
            f'<rect x="{bar_x}" y="{y + 4}" width="{length}" height="18" class="bar"><title>{e(label)}: '
            f"{value}</title></rect>"
            f'<text x="{bar_x + 5 + length}" y="{y + 17}" class="value">{value}</text>'
        )
    height, total = row * len(data), bar_x + width + 50
    return (
        f'<figure id="{e(chart_id)}"><figcaption>{e(title)}</figcaption>'
        f'<svg role="img" aria-label="{e(title)}" width="{total}" height="{height}" '
        f'viewBox="0 0 {total} {height}">' + "".join(bars) + "</svg></figure>"
    )


def when(iso: Optional[str], zone: ZoneInfo) -> str:
    """An instant as agents read it: in the console's time zone on the server, and console.js puts it
    in the agent's own (the browser's) from the machine-readable datetime."""
    if not iso:
        return ""
    local = datetime.fromisoformat(iso).astimezone(zone)
    text = f"{local:%a} {local.day} {local:%b %Y}, {local.hour % 12 or 12}:{local:%M} {local:%p}".replace(
        "AM", "am"
    ).replace("PM", "pm")
    return f'<time datetime="{e(iso)}">{e(text)} {e(local.tzname())}</time>'


def _minutes(seconds: Optional[int]) -> str:
    """A duration as agents read it: "4 min", "1 h 5 min", "2 d 3 h" (console.js writes the same)."""
    if seconds is None:
        return ""
    minutes = abs(seconds) // 60
    if minutes >= 24 * 60:
        return f"{minutes // (24 * 60)} d {minutes // 60 % 24} h"
    return f"{minutes // 60} h {minutes % 60} min" if minutes >= 60 else f"{minutes} min"


ASSIGNED_OPTIONS = [("", "Anyone"), ("mine", "Mine"), ("unassigned", "Unassigned")]


def dashboard_page(agent, csrf: str, f: Dict[str, Any]) -> str:
    by_status = {STATUS_LABELS.get(k, k): v for k, v in f["open_by_status"].items()}
    waiting = f["waiting_chats"]
    waiting_rows = (
        "".join(
            f'<li><a href="{PREFIX}/cases/{e(w["reference"])}">{e(w["reference"])}</a> waiting '
            f'<span class="waiting" data-waited="{w["waiting_seconds"]}">'
            f"{_minutes(w['waiting_seconds'])}</span></li>"
            for w in waiting
        )
        or '<li class="muted">Nobody is waiting.</li>'
    )
    today = {"Handed to a person": f["handed_off_today"]}
    if f.get("answered_by_bot_today") is not None:
        today["Answered by the assistant"] = f["answered_by_bot_today"]
    expiring = f["expiring_licences"]
    ratings = f["chat_ratings"]
    rated = {"Solved": ratings["solved"], "Not solved": ratings["not_solved"]}
    body = (
        "<h1>Dashboard</h1>"
        '<section class="cards"><div class="card" id="waiting-count"><span '
        f'class="big">{len(waiting)}</span> live chats waiting</div>'
        f'<div class="card"><span class="big">{expiring["count"]}</span> licences expiring in the next '
        f"{expiring['days']} days</div></section>"
        f'<section><h2>Chats waiting for a person</h2><ul id="waiting-list">{waiting_rows}</ul></section>'
        '<section class="charts">'
        + bar_chart("Open cases by status", by_status, "chart-status")
        + bar_chart("Open cases by region", f["open_by_region"], "chart-region")
        + bar_chart(
            f"Licences expiring in the next {expiring['days']} days, by region",
            expiring["by_region"],
            "chart-expiring",
        )
        + bar_chart("Today's conversations", today, "chart-today")
        + bar_chart(
            f'"Did this solve your problem?" in the last {ratings["days"]} days', rated, "chart-ratings"
        )
        + "</section>"
    )
    return layout("Dashboard", body, agent, csrf, page="dashboard")


CHECKLIST_LABELS = {
    "company_name": "company",
    "address": "address",
    "phone": "phone",
    "contact_name": "contact",
    "contact_email": "email",
    "product_code": "product",
    "platform": "platform",
    "user_count": "users",
    "licence_expiry": "licence expiry",
}


def replies_page(agent, csrf: str, saved, saved_now: Optional[str] = None, draft=None) -> str:
    """The team's saved replies: each one editable and deletable, and a form for a new one. `draft`: what
    the agent sent and why it was refused ({"reply_id", "title", "body", "error"}), shown again to mend."""
    placeholders = ", ".join(f"<code>{{{name}}}</code>" for name in PLACEHOLDERS)
    hidden = f'<input type="hidden" name="csrf_token" value="{e(csrf)}">'
    draft = draft or {}

    def editor(reply_id: Optional[int], title: str, body: str, heading: str) -> str:
        refused = draft.get("error") if draft.get("reply_id") == reply_id else None
        if refused:
            title, body = draft["title"], draft["body"]
        key = reply_id if reply_id is not None else "new"
        error = f'<p class="error" role="alert">{e(refused)}</p>' if refused else ""
        delete = (
            f'<form method="post" action="{PREFIX}/replies/{reply_id}/delete" class="inline">{hidden}'
            f'<button type="submit">Delete “{e(title)}”</button></form>'
            if reply_id is not None
            else ""
        )
        return (
            f'<section class="saved-reply" id="reply-{key}"><h2>{e(heading)}</h2>{error}'
            f'<form method="post" action="{PREFIX}/replies" class="action">{hidden}'
            f'<input type="hidden" name="reply_id" value="{"" if reply_id is None else reply_id}">'
            f'<label for="title-{key}">Title</label>'
            f'<input id="title-{key}" name="title" maxlength="{MAX_TITLE}" value="{e(title)}" required>'
            f'<label for="body-{key}">Text</label>'
            f'<textarea id="body-{key}" name="body" maxlength="{MAX_BODY}" required>{e(body)}</textarea>'
            f'<button type="submit">{"Save changes" if reply_id is not None else "Add saved reply"}</button>'
            f"</form>{delete}</section>"
        )

    notice = f'<p class="notice" role="status">Saved “{e(saved_now)}”.</p>' if saved_now else ""
    body = (
        f"<h1>Saved replies</h1>{notice}"
        f"<p>Shared by the whole team. On a case page, pick one to fill the reply box; these placeholders "
        f"are filled from the case: {placeholders}.</p>"
        + "".join(editor(r.reply_id, r.title, r.body, r.title) for r in saved)
        + editor(None, "", "", "New saved reply")
    )
    return layout("Saved replies", body, agent, csrf, page="replies")


def _options(options: Iterable[tuple], selected: str) -> str:
    return "".join(
        f'<option value="{e(value)}"{" selected" if value == selected else ""}>{e(label)}</option>'
        for value, label in options
    )


def queue_page(agent, csrf: str, cases: List[Dict[str, Any]], filters: Dict[str, str], resellers) -> str:
    reseller_options = [("", "Any reseller"), ("technical-support", "Technical Support")] + [
        (r.reseller_id, r.name) for r in resellers
    ]
    status_options = _options(STATUSES, filters["status"] or "active")
    form = (
        f'<form method="get" action="{PREFIX}/cases" class="filters" id="filters">'
        f'<label>Status <select name="status">{status_options}</select></label>'
        f'<label>Region <select name="region">{_options(REGION_OPTIONS, filters["region"])}</select></label>'
        f'<label>Reseller <select name="reseller">{_options(reseller_options, filters["reseller"])}</select>'
        "</label>"
        f'<label>Assigned <select name="assigned">{_options(ASSIGNED_OPTIONS, filters["assigned"])}</select>'
        "</label>"
        "<button>Filter</button></form>"
    )
    headings = "".join(f'<th scope="col">{e(h)}</th>' for h in QUEUE_COLUMNS)
    table = (
        f'<table id="queue"><thead><tr>{headings}</tr></thead>'
        f'<tbody id="queue-body">{"".join(queue_row(c) for c in cases)}</tbody></table>'
        '<p class="muted" id="queue-updated">Updates every few seconds.</p>'
    )
    return layout("Cases", f"<h1>Cases</h1>{form}{table}", agent, csrf, page="queue")


QUEUE_COLUMNS = (
    "Case", "Waiting", "First reply", "Company", "Region", "Reason", "Last customer message", "Status",
    "Agent", "Routed to", "Channel",
)  # fmt: skip


def first_reply_html(due: Optional[Dict[str, Any]]) -> str:
    """The first-response target: "in 12 min", or "overdue 3 min" highlighted (console.js counts it down)."""
    if not due:
        return ""
    seconds = due["due_in_seconds"]
    text = f"overdue {_minutes(seconds)}" if due["overdue"] else f"in {_minutes(seconds)}"
    css = "due overdue" if due["overdue"] else "due"
    return f'<span class="{css}" data-due-in="{seconds}">{e(text)}</span>'


def queue_row(c: Dict[str, Any]) -> str:
    waiting = (
        f'<span class="waiting" data-waited="{c["waiting_seconds"]}">{_minutes(c["waiting_seconds"])}</span>'
        if c["waiting"]
        else ""
    )
    row_class = ' class="waiting-row"' if c["waiting"] else ""
    last = c["last_message"]
    cells = [
        f'<a href="{PREFIX}/cases/{e(c["reference"])}">{e(c["reference"])}</a>',
        waiting,
        first_reply_html(c["first_response"]),
        e(c["company_name"]),
        e(c["region"] or "unknown"),
        e(c["labels"]["reason"]),
        f'<span class="preview">{e(last["text"])}</span>' if last else "",
        e(c["labels"]["status"]),
        e(c["assigned_to"]),
        e(c["labels"]["routed_to"]),
        e(c["channel"]),
    ]
    return (
        f'<tr data-reference="{e(c["reference"])}"{row_class}>'
        + "".join(f"<td>{x}</td>" for x in cells)
        + "</tr>"
    )


def _dl(items: Dict[str, Any]) -> str:
    return (
        "<dl>"
        + "".join(f"<dt>{e(k)}</dt><dd>{e(v if v not in (None, '') else '—')}</dd>" for k, v in items.items())
        + "</dl>"
    )


def transcript_html(lines: List[Dict[str, Any]]) -> str:
    out = []
    for line in lines:
        who = line["from"]
        label = {"customer": "Customer", "assistant": "Assistant", "system": ""}.get(
            who, f"{who[6:]} (agent)"
        )
        css = "agent" if who.startswith("agent:") else who
        paused = " (while paused)" if line.get("while_paused") else ""
        out.append(
            f'<li class="msg {e(css)}"><span class="from">{e(label)}{paused}</span> <span '
            f'class="text">{e(line["text"])}</span></li>'
        )
    return "".join(out) or '<li class="muted">No messages.</li>'


NOTICE_KINDS = {"expiring": "Expiry notice", "lapsed": "Lapsed notice", "resent": "Re-sent on request"}


def notices_html(notices: List[Dict[str, Any]], zone: ZoneInfo) -> str:
    """The licence's renewal notices, newest first: sent, failed, re-sent, link opened."""
    if not notices:
        return '<h3>Renewal notices</h3><p class="muted">No renewal notice sent from here yet.</p>'
    rows = []
    for notice in notices:
        if notice["state"] == "sent":
            outcome = f"sent {when(notice['sent_at'], zone)}"
        elif notice["state"] == "failed":
            outcome = f"<strong>failed</strong>: {e(notice['error'])}, the address may be out of date"
        else:
            tried = (
                f", {notice['attempts']} attempt(s), last: {e(notice['error'])}" if notice["attempts"] else ""
            )
            outcome = f"queued{tried}"
        opened = notice.get("link_opened_at")
        link = f"link opened {when(opened, zone)}" if opened else "link not opened"
        kind = NOTICE_KINDS.get(notice["kind"], notice["kind"])
        rows.append(
            f"<tr><td>{when(notice['queued_at'], zone)}</td><td>{e(kind)}</td>"
            f"<td>{e(notice['recipient'] or '(forgotten)')}</td><td>{outcome}</td><td>{link}</td></tr>"
        )
    return (
        '<h3>Renewal notices</h3><table class="notices"><thead><tr><th scope="col">Queued</th>'
        '<th scope="col">Notice</th><th scope="col">To</th><th scope="col">Delivery</th>'
        '<th scope="col">Link</th></tr></thead><tbody>' + "".join(rows) + "</tbody></table>"
    )


SHORTCUTS = {"reply": "r", "note": "n"}  # console.js: r and n focus these, j opens the next waiting case


def _linked_case_html(reference: Optional[str], linked_from: Sequence[str] = ()) -> str:
    def link(ref: str) -> str:
        return f'<a href="{PREFIX}/cases/{e(ref)}">{e(ref)}</a>'

    html = (
        f'<p id="linked-case">Asked for during the renewal in case {link(reference)}, which stays open.</p>'
        if reference
        else ""
    )
    if linked_from:
        cases = ", ".join(link(ref) for ref in linked_from)
        html += f'<p id="linked-from">The customer asked for a person during this renewal: {cases}.</p>'
    return html


def case_page(agent, csrf: str, d: Dict[str, Any], zone: ZoneInfo) -> str:
    ref = d["reference"]
    error = (
        f'<p class="error" role="alert">{e(ERRORS.get(d.get("error"), "That could not be done."))}</p>'
        if d.get("error")
        else ""
    )
    if d.get("notice"):
        error = f'<p class="notice" role="status">{e(d["notice"]["text"])}</p>'

    checklist = d["checklist"]
    licence, status, quote = d.get("licence"), d.get("licence_status"), d.get("quote")
    licence_html = '<p class="muted">No licence known for this case.</p>'
    if licence:
        licence_html = _dl(
            {
                "Activation Code": licence["activation_code"],
                "Company": licence["company"],
                "Region": licence["region"],
                "Product": f"{licence['product_code']} ({licence['platform']})",
                "Users": licence["users"],
                "Expires": licence["expiry_date"],
                "Status": status["kind"].replace("_", " ") if status else None,
                "Reseller": licence["reseller"] or licence["reseller_id"],
            }
        )
        licence_html += notices_html(licence.get("notices") or [], zone)
        if quote and "error" in quote:
            licence_html += f'<p class="muted">No quote: {e(quote["error"])}</p>'
        elif quote:
            years = "1 year" if quote["years"] == 1 else f"{quote['years']} years"
            licence_html += f"<h3>Renewal quote ({years}, renewing {e(quote['renewal_date'])})</h3>" + _dl(
                {
                    "Users": quote["users"],
                    "Lapsed days": quote["lapsed_days"],
                    "Lapse charge": quote["lapse_charge"],
                    "Renewal": quote["renewal_charge"],
                    "GST": quote["gst"],
                    "Total": quote["total"],
                    "New expiry": quote["new_expiry"],
                }
            )
    history = "".join(
        f"<li>{when(h['at'], zone)} <strong>{e(h['actor'])}</strong> "
        f"{e(HISTORY_LABELS.get(h['kind'], h['kind']))}"
        f"{' → ' + e(STATUS_LABELS.get(h['status'], h['status'])) if h['status'] else ''}"
        f"{': ' + e(h['note']) if h['note'] else ''}</li>"
        for h in d["history"]
    )

    saved = d.get("saved_replies") or []
    picker = (
        '<label for="saved-reply">Saved reply</label> <select id="saved-reply" data-fills="text-reply">'
        '<option value="">Choose one to fill the reply box…</option>'
        + "".join(
            f'<option value="{i}" data-text="{e(reply["text"])}">{e(reply["title"])}</option>'
            for i, reply in enumerate(saved)
        )
        + f'</select> <a href="{PREFIX}/replies">Manage</a>'
        if saved
        else f'<p class="muted">No saved replies yet: <a href="{PREFIX}/replies">add some</a>.</p>'
    )

    def action(name: str, label: str, field: Optional[str] = None, disabled: bool = False) -> str:
        keys = SHORTCUTS.get(name)
        hint, shortcut = (f" <kbd>{keys}</kbd>", f' aria-keyshortcuts="{keys}"') if keys else ("", "")
        area = (
            (f'<div class="saved-replies">{picker}</div>' if name == "reply" and not disabled else "")
            + f'<label for="text-{name}">{e(field)}{hint}</label>'
            f'<textarea id="text-{name}" name="text" maxlength="4000"{shortcut}></textarea>'
            if field
            else ""
        )
        return (
            f'<form method="post" action="{PREFIX}/cases/{e(ref)}/{name}" class="action" id="form-{name}">'
            f'<input type="hidden" name="csrf_token" value="{e(csrf)}">{area}'
            f'<button type="submit"{" disabled" if disabled else ""}>{e(label)}</button></form>'
        )

    resolved = d["status"] == "resolved"
    mine = d["status"] == "in_progress" and d.get("assigned_to") == agent.username
    actions = (
        action("take", "Taken by you" if mine else "Take the case", disabled=resolved or mine)
        + action(
            "reply",
            "Send to customer",
            "Reply to the customer (sent live into their chat)",
            disabled=resolved,
        )
        + action("note", "Add internal note", "Internal note (never shown to the customer)")
        + action(
            "hand",
            "Hand to reseller",
            "Note for the reseller (optional)",
            disabled=resolved or not d["can_hand_to_reseller"],
        )
        + action(
            "resolve",
            "Resolve and give back to the assistant",
            "Closing message to the customer (optional)",
            disabled=resolved,
        )
    )
    transcript_error = f'<p class="error">{e(d["transcript_error"])}</p>' if d.get("transcript_error") else ""
    labels = d["labels"]
    body = (
        f"<h1>Case {e(ref)}</h1>{error}"
        f'<p id="case-status" data-reference="{e(ref)}">Status: <strong>{e(labels["status"])}</strong> · '
        f"{e(labels['reason'])}"
        f" · routed to {e(labels['routed_to'])} · channel {e(d['channel'])}"
        f"{' · agent ' + e(d['assigned_to']) if d['assigned_to'] else ''}"
        f"{' · first reply ' + first_reply_html(d['first_response']) if d['first_response'] else ''}</p>"
        f"{_linked_case_html(d.get('linked_to'), d.get('linked_from') or ())}"
        '<p class="muted" id="shortcuts">Keys: <kbd>r</kbd> reply, <kbd>n</kbd> note, '
        "<kbd>j</kbd> next waiting case, <kbd>Ctrl</kbd>+<kbd>Enter</kbd> sends, "
        "<kbd>Esc</kbd> leaves the box.</p>"
        '<p id="shortcut-status" role="status" class="muted"></p>'
        '<div class="columns"><section class="conversation"><h2>Conversation</h2>'
        f"{transcript_error}<ol "
        'id="transcript" tabindex="0" aria-label="Conversation transcript">'
        f"{transcript_html(d.get('transcript') or [])}</ol>"
        f'<p id="customer-typing" class="muted" role="status"{"" if d.get("customer_typing") else " hidden"}>'
        "The customer is typing…</p>"
        f"{actions}</section>"
        '<section class="context"><h2>Checklist</h2>'
        + (
            '<p class="muted" id="from-licence">Details the chat did not give are shown from the licence on '
            "file: " + ", ".join(e(CHECKLIST_LABELS.get(n, n)) for n in d["checklist_from_licence"]) + ".</p>"
            if d.get("checklist_from_licence")
            else ""
        )
        + _dl(
            {
                "Company": checklist["company_name"],
                "Address": checklist["address"],
                "Phone": display_phone(checklist["phone"]) if checklist["phone"] else None,
                "Contact": checklist["contact_name"],
                "Email": checklist["contact_email"],
                "Product": checklist["product_code"],
                "Platform": checklist["platform"],
                "Users": checklist["user_count"],
                "Licence expiry": checklist["licence_expiry"],
            }
        )
        + f'<h2>Licence</h2>{licence_html}<h2>History</h2><ol id="history">{history}</ol></section></div>'
    )
    return layout(f"Case {ref}", body, agent, csrf, page="case")
