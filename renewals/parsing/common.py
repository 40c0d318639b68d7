"""What every parser shares: the length guard, spans, overlaps, and a customer's lead-in."""

from __future__ import annotations

import re
from typing import Any, List, NamedTuple, Optional, Sequence, Tuple

#: Longer inputs are not parsed at all (functions return None / []).
MAX_INPUT_LENGTH = 2000
#: Largest term, in years, that `parse_years` accepts.
MAX_YEARS = 99
#: Largest number read as a user count in a message: a longer run of digits is a phone number or a
#: reference. Not the licensing limit, which is `renewals.checklist.MAX_USER_COUNT` and gets its own answer.
MAX_COUNT_READ = 1_000_000


class Span(NamedTuple):
    """A value found in a text, with its character offsets."""

    start: int
    end: int
    value: Any


def usable_text(text: Any) -> Optional[str]:
    """`text` if it is a string worth parsing, else None."""
    if not isinstance(text, str) or not text or len(text) > MAX_INPUT_LENGTH:
        return None
    return text


def without_overlaps(spans: List[Span]) -> List[Span]:
    """Spans in text order, keeping the longest where two overlap."""
    ordered = sorted(spans, key=lambda s: (-(s.end - s.start), s.start))
    kept: List[Span] = []
    for span in ordered:
        if all(span.end <= other.start or span.start >= other.end for other in kept):
            kept.append(span)
    return sorted(kept, key=lambda s: s.start)


_LEAD_IN_RE = re.compile(
    r"^\s*(?:(?:sure|ok(?:ay)?|yes|yep|yeah)[,!.]?\s+)?"
    r"(?:(?:it'?s|it is|that'?s|that is|we'?re|we are|i'?m|i am|this is|"
    r"(?:the |our |my )?(?:company(?: name)?|business(?: name)?|address|contact(?: name| person)?|name)"
    r"(?: is|'s|:|\s*-)?)\s+)",
    re.IGNORECASE,
)


def strip_lead_in(text: Any) -> Optional[str]:
    """The answer part of a reply like "it's Acme Pty Ltd" or "the address is 5 George St": "Acme Pty Ltd"."""
    usable = usable_text(text)
    if usable is None:
        return None
    stripped = _LEAD_IN_RE.sub("", usable, count=1).strip()
    return stripped or usable.strip()


# What joins a value to the rest of a reply: "Sam Patel, and the email is sam@…", "Kim - ph 0412 …".
_JOINER = (
    r"(?:[\s,;:&/+-]|\b(?:and|plus|also|then|the|my|our|his|her|their|is|are|it'?s|on|at|e-?mail(?:\s+address)?"
    r"|address|phone(?:\s+number)?|number|mobile|mob|ph|tel|contact)\b)+"
)
_TRAILING_JOINER_RE = re.compile(_JOINER + "$", re.IGNORECASE)
_LEADING_JOINER_RE = re.compile("^" + _JOINER, re.IGNORECASE)


def text_beside(text: Any, spans: Sequence[Tuple[int, int]]) -> Optional[str]:
    """The reply without the values at `spans` and the words joining them to it: "Sam Patel" of
    "Sam Patel, and the email is sam.patel@waratahcivil.com.au"; None when nothing else is left."""
    if not isinstance(text, str):
        return None
    parts, start = [], 0
    for begin, end in sorted(spans):
        parts.append(text[start:begin])
        start = max(start, end)
    parts.append(text[start:])
    pieces = [_LEADING_JOINER_RE.sub("", _TRAILING_JOINER_RE.sub("", part)) for part in parts]
    kept = " ".join(piece.strip() for piece in pieces if piece.strip())
    return kept or None
