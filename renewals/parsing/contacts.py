"""E-mail addresses and phone numbers in free text."""

from __future__ import annotations

import re
from typing import Any, List, Optional

from renewals.codes import find_activation_code_span
from renewals.parsing.common import Span, usable_text
from renewals.regions import REGIONS

# --------------------------------------------------------------------------
# E-mail addresses and phone numbers
# --------------------------------------------------------------------------

_EMAIL_RE = re.compile(
    r"(?<![\w.%+'-])"
    r"(?P<local>[A-Za-z0-9!#$%&'*+=?^_`{|}~-]{1,64}(?:\.[A-Za-z0-9!#$%&'*+=?^_`{|}~-]{1,64}){0,8})"
    r"@(?P<domain>(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,8}[A-Za-z]{2,24})"
    r"(?![\w-]|\.[A-Za-z0-9])"
)


def find_email_spans(text: Any) -> List[Span]:
    """Every e-mail address in `text` as Span(start, end, address).

    The address keeps the customer's local part and lower-cases the domain.
    """
    text = usable_text(text)
    if text is None or "@" not in text:
        return []
    spans = []
    try:
        for match in _EMAIL_RE.finditer(text):
            if len(match["local"]) > 64:
                continue
            value = f"{match['local']}@{match['domain'].lower()}"
            spans.append(Span(match.start(), match.end(), value))
    except Exception:  # pragma: no cover - defensive
        return []
    return spans


def find_email(text: Any) -> Optional[str]:
    """The first e-mail address in `text`, else None."""
    spans = find_email_spans(text)
    return spans[0].value if spans else None


def _mask_activation_codes(text: str) -> str:
    """`text` with every Activation Code blanked out (same length)."""
    masked = text
    offset = 0
    while True:
        span = find_activation_code_span(masked[offset:])
        if span is None:
            return masked
        start, end = offset + span[0], offset + span[1]
        masked = masked[:start] + " " * (end - start) + masked[end:]
        offset = end


# A group of digits, maybe "(02)" or "+61"; groups chain through short runs
# of spaces, hyphens or dots ("0412 345 678", "(02) 9555-0101", "+64 21 ...").
_PHONE_GROUP_RE = re.compile(r"(?<![\w/@])(?:\+[ \t]?|\(0\)[ \t]?|\([ \t]?)?[0-9]{1,12}\)?(?![\w/@])")
_PHONE_GAP_RE = re.compile(r"[ \t.\-]{0,3}")
_PHONE_MAX_GROUPS = 7
_PHONE_MAX_ATTEMPTS = 100


def _phone_chains(text: str) -> List[List["re.Match[str]"]]:
    """Runs of digit groups that could make up one or more phone numbers."""
    chains: List[List["re.Match[str]"]] = []
    for group in _PHONE_GROUP_RE.finditer(text):
        if chains and _PHONE_GAP_RE.fullmatch(text, chains[-1][-1].end(), group.start()):
            if "+" not in group.group():  # a "+" only starts a number
                chains[-1].append(group)
                continue
        chains.append([group])
    return chains


def find_phone_spans(text: Any, default_region: str = "AU") -> List[Span]:
    """Every valid phone number in `text` as Span(start, end, E.164 string).

    National numbers are read in `default_region` ("AU" or "NZ"); one that is
    not valid there is tried in the other ANZ region ("0412 345 678" read as
    NZ is not valid, so it is taken as AU).  Numbers written with a country
    code ("+64 21 123 4567", "61 412 345 678") are accepted whatever the
    region.  A number must start with "+", "(", "0", "1" (13/1300/1800) or a
    61/64 country code, and is validated with `phonenumbers`; a number run
    into other digits ("0412 345 678 2 years") is still found.  Digits inside
    an Activation Code, a date such as "1/3/2027" or a word are never taken
    for a phone number.
    """
    text = usable_text(text)
    if text is None or sum(ch.isdigit() for ch in text) < 6:
        return []
    try:
        import phonenumbers
        from phonenumbers import PhoneNumberFormat

        masked = _mask_activation_codes(text)
        region = (default_region or "AU").upper()
        regions = [region] + [r for r in REGIONS if r != region]
        spans: List[Span] = []
        attempts = 0
        for chain in _phone_chains(masked):
            first = 0
            while first < len(chain) and attempts < _PHONE_MAX_ATTEMPTS:
                found = None
                last_limit = min(len(chain), first + _PHONE_MAX_GROUPS)
                for last in range(last_limit, first, -1):  # longest first
                    start, end = chain[first].start(), chain[last - 1].end()
                    candidate = masked[start:end]
                    digits = sum(ch.isdigit() for ch in candidate)
                    stripped = candidate.lstrip("( \t")
                    if not 6 <= digits <= 15 or stripped[:1] not in ("+", "0", "1", "6"):
                        continue
                    if stripped[0] == "6" and stripped[:2] not in ("61", "64"):
                        continue
                    attempts += 1
                    number = None
                    for current in regions:
                        parsed = phonenumbers.parse(candidate, current)
                        if phonenumbers.is_valid_number(parsed):
                            number = parsed
                            break
                        if candidate.startswith("+"):
                            break
                    if number is not None:
                        value = phonenumbers.format_number(number, PhoneNumberFormat.E164)
                        found = (Span(start, end, value), last)
                        break
                if found is None:
                    first += 1
                else:
                    spans.append(found[0])
                    first = found[1]
        return spans
    except Exception:  # pragma: no cover - defensive: phonenumbers on odd input
        return []


def find_phone(text: Any, default_region: str = "AU") -> Optional[str]:
    """The first valid phone number in `text` in E.164 form, else None.

    "0412 345 678" -> "+61412345678", "(02) 9555 0101" -> "+61295550101",
    "+64 21 123 4567" -> "+64211234567", and with default_region="NZ"
    "021 123 4567" -> "+64211234567".  See `find_phone_spans`.
    """
    spans = find_phone_spans(text, default_region)
    return spans[0].value if spans else None


# --------------------------------------------------------------------------
