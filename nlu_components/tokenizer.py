"""Whitespace tokens whose lemmas stand in for values.

An Activation Code, a case reference, an e-mail address, a phone number, a date or a bare number
carries no meaning in its characters: "wa-zpdn-qfefg-…" should look to the
classifier like every other code, not like a bag of random character n-grams.
The featurizers read token lemmas, so each value becomes one token (a code typed
with spaces is one value, as is "0412 345 678") with a placeholder lemma
(`__code__`, `__case__`, `__email__`, …), while its text and offsets stay as typed.
"""

from __future__ import annotations

from typing import List, Sequence, Text, Tuple

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from renewals.case_references import find_case_reference_span
from renewals.codes import find_activation_code_span
from renewals.parsing import find_date_expressions, find_email_spans, find_phone_spans

PLACEHOLDER_CODE = "__code__"
PLACEHOLDER_EMAIL = "__email__"
PLACEHOLDER_PHONE = "__phone__"
PLACEHOLDER_DATE = "__date__"
PLACEHOLDER_NUMBER = "__number__"
PLACEHOLDER_CASE = "__case__"  # a support case reference, RN-2026-000123


def value_spans(text: str) -> List[Tuple[int, int, str]]:
    """(start, end, placeholder) of every value in `text`, codes first."""
    spans: List[Tuple[int, int, str]] = []
    code = find_activation_code_span(text)
    if code:
        spans.append((code[0], code[1], PLACEHOLDER_CODE))
    case = find_case_reference_span(text)
    if case and not (code and case[0] < code[1] and case[1] > code[0]):
        spans.append((case[0], case[1], PLACEHOLDER_CASE))
    spans += [(s.start, s.end, PLACEHOLDER_EMAIL) for s in find_email_spans(text)]
    spans += [(s.start, s.end, PLACEHOLDER_PHONE) for s in find_phone_spans(text)]
    spans += [(s.start, s.end, PLACEHOLDER_DATE) for s in find_date_expressions(text)]
    return spans


def _span_of(token: Token, spans: Sequence[Tuple[int, int, str]]):
    for span in spans:
        if token.start < span[1] and token.end > span[0]:
            return span
    return None


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=False)
class ValuePlaceholderTokenizer(WhitespaceTokenizer):
    """WhitespaceTokenizer that gives value tokens a placeholder lemma."""

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        tokens = super().tokenize(message, attribute)
        if attribute != TEXT or not tokens:
            return tokens
        text = message.get(TEXT) or ""
        spans = value_spans(text)
        merged: List[Token] = []
        previous_span = None
        for token in tokens:
            span = _span_of(token, spans)
            if span is None:
                if token.text.replace(",", "").isdigit():
                    token.lemma = PLACEHOLDER_NUMBER
                merged.append(token)
            elif span is not previous_span:
                start, end = min(token.start, span[0]), max(token.end, span[1])
                merged.append(Token(text[start:end], start, end, lemma=span[2]))
            previous_span = span
        return merged
