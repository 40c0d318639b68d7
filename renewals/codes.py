"""Activation Codes: `XX-XXXX-XXXXX-XXXXX-XXXXX-XXXXX-XXXXX` (37 characters).

Customers type them in any case, with hyphens, spaces or no separators at all;
everything here works on the canonical upper-case hyphenated form.
"""

from __future__ import annotations

import re
from typing import Optional

GROUP_LENGTHS = (2, 4, 5, 5, 5, 5, 5)
CODE_LENGTH = sum(GROUP_LENGTHS) + len(GROUP_LENGTHS) - 1  # 37

_SEP = r"[\s\-\u2010-\u2015]?"  # hyphen, space or dash look-alikes pasted from e-mail
_CODE_RE = re.compile(
    r"(?<![A-Za-z0-9])" + _SEP.join(f"([A-Za-z0-9]{{{n}}})" for n in GROUP_LENGTHS) + r"(?![A-Za-z0-9])"
)
# Something the customer probably meant as a code: a run of at least three
# letter/digit groups joined by hyphens, or a long unbroken alphanumeric run.
_ATTEMPT_RE = re.compile(
    r"(?<![A-Za-z0-9])(?:[A-Za-z0-9]{2,6}-){2,}[A-Za-z0-9]{1,6}(?![A-Za-z0-9])"
    r"|(?<![A-Za-z0-9])(?=[A-Za-z0-9]*\d)(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{20,}(?![A-Za-z0-9])"
)


def find_activation_code(text: str) -> Optional[str]:
    """The first well-formed Activation Code in `text`, canonicalised, or None."""
    match = _CODE_RE.search(text or "")
    if not match:
        return None
    return "-".join(group.upper() for group in match.groups())


def find_activation_code_span(text: str) -> Optional[tuple[int, int, str]]:
    """(start, end, canonical code) of the first well-formed code in `text`."""
    match = _CODE_RE.search(text or "")
    if not match:
        return None
    return match.start(), match.end(), "-".join(g.upper() for g in match.groups())


def normalise_activation_code(raw: str) -> Optional[str]:
    """Canonical form of `raw` if the whole of it is one code, else None."""
    text = (raw or "").strip()
    span = find_activation_code_span(text)
    if span is None or span[0] != 0 or span[1] != len(text):
        return None
    return span[2]


def looks_like_code_attempt(text: str) -> bool:
    """True when `text` holds something code-like that is not a valid code."""
    if find_activation_code(text):
        return False
    return bool(_ATTEMPT_RE.search(text or ""))
