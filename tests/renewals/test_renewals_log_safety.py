"""What reaches a log line: never an email address or a phone number, never a raw newline."""

import logging
import warnings

import pytest

from renewals.log_safety import install, redact


@pytest.mark.parametrize(
    "text, safe",
    [
        ("contact jo@acme.com.au please", "contact [email] please"),
        ("call 0412 987 654 or +61 2 9555 0101", "call [number] or [number]"),
        ("(02) 9555-0101", "([number]"),  # the bracket before the digits stays; the number does not
        ("case RN-2026-000123 opened", "case RN-2026-000123 opened"),
        ("/inform0412 987 654", "/inform[number]"),  # glued to a word
        ("hello\nERROR forged line", "hello\\nERROR forged line"),
        ("tab\there\r", "tab\there\\r"),  # a tab can't start a line
        ("took 1234 ms for 20 users", "took 1234 ms for 20 users"),
    ],
)
def test_redact(text, safe):
    assert redact(text) == safe


def test_once_installed_every_log_record_and_warning_is_redacted(caplog, capsys):
    previous, previous_format = logging.getLogRecordFactory(), warnings.formatwarning
    try:
        install()
        with caplog.at_level(logging.INFO):
            logging.getLogger("some.library").info("user said %s", "my email is jo@acme.com.au\nforged")
        assert caplog.records[-1].getMessage() == "user said my email is [email]\\nforged"
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            formatted = warnings.formatwarning(
                "Failed to parse /inform{0412 987 654}", UserWarning, "x.py", 1
            )
        assert "0412" not in formatted and formatted.endswith("\n")
    finally:
        logging.setLogRecordFactory(previous)
        warnings.formatwarning = previous_format
