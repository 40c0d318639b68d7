"""Whitespace tokens whose lemmas stand in for values.

An Activation Code, a case reference, an e-mail address, a phone number, a date or a bare number
carries no meaning in its characters: "wa-zpdn-qfefg-…" should look to the
classifier like every other code, not like a bag of random character n-grams.
The featurizers read token lemmas, so each value becomes one token (a code typed
with spaces is one value, as is "0412 345 678") with a placeholder lemma
(`__code__`, `__case__`, `__email__`, …), while its text and offsets stay as typed.

A message of several sentences that asks a licensing question is classified by its question: the
context around it ("I work on the front desk at the library and Darren left for the city.") carries no
intent, and its words would pull the classifier to off-topic. Sentences with a value in them (an
Activation Code, a date) stay; a question with no licensing word keeps the whole message ("My licence
lapsed. What now?"). See `focused_spans`.
"""

from __future__ import annotations

import re
from typing import List, Optional, Sequence, Text, Tuple

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu_components.domain_evidence import LICENSING_WORDS, QUESTION_WORDS
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


# A sentence ends at ., ! or ? (any run of them) before a space, or at a line break.
_SENTENCE_END = re.compile(r"[.!?]+(?=\s)|\n+")


def _sentences(text: str) -> List[Tuple[int, int]]:
    spans, start = [], 0
    for end in _SENTENCE_END.finditer(text):
        if text[start : end.end()].strip():
            spans.append((start, end.end()))
        start = end.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


def _asks_about_licensing(sentence: str) -> bool:
    words = re.findall(r"[a-z]+", sentence.lower())
    return any(LICENSING_WORDS.match(word) or QUESTION_WORDS.match(word) for word in words)


def focused_spans(text: str, values: Sequence[Tuple[int, int, str]]) -> Optional[List[Tuple[int, int]]]:
    """The sentences of `text` to classify it by: its licensing questions and the sentences holding a
    value; None to classify the whole of it (one sentence, or no question about licensing)."""
    sentences = _sentences(text)
    if len(sentences) < 2:
        return None
    questions = {span for span in sentences if text[span[0] : span[1]].rstrip().endswith("?")}
    asked = {span for span in questions if _asks_about_licensing(text[span[0] : span[1]])}
    if not asked:
        return None
    with_values = {span for span in sentences if any(v[0] < span[1] and v[1] > span[0] for v in values)}
    kept = [span for span in sentences if span in asked or (span in with_values and span not in questions)]
    return kept if len(kept) < len(sentences) else None


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
        focus = focused_spans(text, spans)
        if focus is not None:
            tokens = [t for t in tokens if any(start <= t.start < end for start, end in focus)] or tokens
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
