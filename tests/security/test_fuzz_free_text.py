"""Property-based fuzzing: whatever a customer types, no free-text function of the domain raises, and
every body or socket event a client can send gets a 4xx or an answer, never a crash.

The parsers of renewals/parsing.py have their own fuzz test (tests/renewals/test_parsing.py); these
are the rest: the checklist's validators, product matching, codes, case references, yes/no readers,
the reseller's commands, and the REST channel's body parser.
"""

from __future__ import annotations

import json
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from channels.authenticated_rest import _parse
from renewals import answers, checklist, codes, reseller_access
from renewals.case_references import find_case_reference, find_case_reference_span
from renewals.clock import FixedClock
from renewals.importers import DEMO_DIR
from renewals.pricelist import load_price_list
from renewals.regions import region_named

PRICE_LIST = load_price_list(DEMO_DIR / "pricing.yml")
CLOCK = FixedClock(date(2026, 11, 28))
# Text as customers type it, and worse: any Unicode, control characters, long runs.
TYPED = st.text(max_size=400) | st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=2000)

FREE_TEXT_FUNCTIONS = {
    "validate_company_name": checklist.validate_company_name,
    "validate_contact_name": checklist.validate_contact_name,
    "validate_address": checklist.validate_address,
    "validate_email": checklist.validate_email,
    "validate_phone": checklist.validate_phone,
    "validate_user_count": checklist.validate_user_count,
    "validate_expiry": lambda text: checklist.validate_expiry(text, CLOCK),
    "match_product": lambda text: checklist.match_product(text, PRICE_LIST),
    "rank_products": lambda text: checklist.rank_products(text, PRICE_LIST),
    "item_named": checklist.item_named,
    # As the form uses it: the value for the item the text names.
    "stated_value": lambda text: (
        checklist.item_named(text) and checklist.stated_value(text, checklist.item_named(text))
    ),
    "find_activation_code": codes.find_activation_code,
    "normalise_activation_code": codes.normalise_activation_code,
    "looks_like_code_attempt": codes.looks_like_code_attempt,
    "find_case_reference": find_case_reference,
    "find_case_reference_span": find_case_reference_span,
    "yes_or_no": answers.yes_or_no,
    "opening_yes_or_no": answers.opening_yes_or_no,
    "is_thanks": answers.is_thanks,
    "region_named": region_named,
    "parse_expiry_request": reseller_access.parse_expiry_request,
    "parse_case_status": reseller_access.parse_case_status,
}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TYPED)
def test_no_free_text_function_raises_on_anything_typed(text):
    for name, function in FREE_TEXT_FUNCTIONS.items():
        try:
            function(text)
        except Exception as error:  # pragma: no cover - the failure report
            raise AssertionError(f"{name} raised {type(error).__name__} on {text!r}") from error


@settings(max_examples=150, deadline=None)
@given(TYPED)
def test_a_validator_either_accepts_a_value_or_gives_a_reason(text):
    for validate in (
        checklist.validate_company_name,
        checklist.validate_contact_name,
        checklist.validate_address,
        checklist.validate_email,
        checklist.validate_phone,
        checklist.validate_user_count,
    ):
        result = validate(text)
        assert (result.value is not None) == result.ok and (result.reason is None) == result.ok
        assert result.reason is None or (isinstance(result.reason, str) and result.reason.strip())


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
REST_BODIES = (
    st.binary(max_size=300)
    | JSON_VALUES.map(lambda value: json.dumps(value).encode())
    | st.fixed_dictionaries({"sender": JSON_VALUES, "message": JSON_VALUES}).map(
        lambda body: json.dumps(body).encode()
    )
)


@settings(max_examples=300, deadline=None)
@given(REST_BODIES)
def test_the_rest_body_parser_gives_a_message_or_an_error_code_for_any_bytes(raw):
    body, error = _parse(raw)
    if error is None:
        assert isinstance(body["sender"], str) and body["sender"] and isinstance(body["message"], str)
    else:
        assert body == {} and error in {
            "body_must_be_utf8",
            "body_must_be_json",
            "body_must_be_an_object",
            "sender_required",
            "message_must_be_text",
        }


CORRECTIONS = st.tuples(
    st.sampled_from(
        [
            "change the phone to ",
            "the company name is ",
            "email: ",
            "users should be ",
            "address = ",
            "the contact is actually ",
            "product -> ",
            "expiry date is wrong",
        ]
    ),
    TYPED,
).map("".join)


@settings(max_examples=200, deadline=None)
@given(CORRECTIONS)
def test_a_correction_gives_a_value_for_the_item_it_names_or_none(text):
    item = checklist.item_named(text)
    if item is not None:
        value = checklist.stated_value(text, item)
        assert value is None or (isinstance(value, str) and value == value.strip() and value)
