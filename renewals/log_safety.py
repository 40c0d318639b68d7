"""Every log line of every process, made safe: no email address or phone number, no raw control character.

Code never logs personal data on purpose (see docs/privacy.md), but libraries log
what they are given: Rasa, for one, writes a message that starts with "/" into a
warning verbatim. `install()` makes every log record's message, and every
warning, pass through `redact` first:

* an email address becomes "[email]";
* a run of 8 or more digits (spaces, dots, dashes and brackets allowed between
  them, an optional leading "+") becomes "[number]": phone numbers in any format.
  Case references ("RN-2026-000123") are left alone;
* a newline, carriage return or other control character is written escaped
  ("\\n"), so text a customer typed can never start a forged log line.
"""

from __future__ import annotations

import logging
import re
import warnings

_EMAIL = re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)+")
_NUMBER = re.compile(r"(?<![\d-])\+?\d(?:[\s().-]*\d){7,}")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1a\x1c-\x1f\x7f]")  # \x1b is left for colour codes


def redact(text: str) -> str:
    text = _EMAIL.sub("[email]", text)
    text = _NUMBER.sub("[number]", text)
    return _CONTROL.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), text)


class _SafeLogRecord(logging.LogRecord):
    def getMessage(self) -> str:  # noqa: N802 (logging's name)
        return redact(super().getMessage())


def install() -> None:
    """Redact every log record and warning of this process from now on (idempotent)."""
    logging.setLogRecordFactory(_SafeLogRecord)
    if not getattr(warnings.formatwarning, "_redacting", False):
        original = warnings.formatwarning

        def formatwarning(message, category, filename, lineno, line=None):
            # The trailing newline is the formatter's own; only the message's are escaped.
            return redact(original(message, category, filename, lineno, line).rstrip("\n")) + "\n"

        setattr(formatwarning, "_redacting", True)  # noqa: B010 (a mark on a function, for install's check)
        warnings.formatwarning = formatwarning
