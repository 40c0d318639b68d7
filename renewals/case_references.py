"""Case references, RN-2026-000123: written, and found in what people type.

Kept apart from renewals.cases because the NLU tokenizer reads references too
(nlu_components/tokenizer.py): the Makefile retrains the model when this changes.
"""

from __future__ import annotations

import re
from typing import Optional

REFERENCE_PREFIX = "RN"


def format_reference(year: int, number: int) -> str:
    return f"{REFERENCE_PREFIX}-{year}-{number:06d}"


# As people type a reference: any case, hyphens, spaces or nothing between the parts,
# the number with or without its leading zeros ("rn 2026 123" is RN-2026-000123).
_REFERENCE_RE = re.compile(
    rf"(?<![A-Za-z0-9]){REFERENCE_PREFIX}[\s\-\u2010-\u2015]?(\d{{4}})[\s\-\u2010-\u2015]?(\d{{1,9}})(?![A-Za-z0-9])",
    re.IGNORECASE,
)


def find_case_reference_span(text: str) -> Optional[tuple[int, int, str]]:
    """(start, end, canonical reference) of the first case reference in `text`, or None."""
    match = _REFERENCE_RE.search(text or "")
    if not match:
        return None
    return match.start(), match.end(), format_reference(int(match.group(1)), int(match.group(2)))


def find_case_reference(text: str) -> Optional[str]:
    """The first case reference in `text` in canonical form ("RN-2026-000123"), or None."""
    span = find_case_reference_span(text)
    return span[2] if span else None
