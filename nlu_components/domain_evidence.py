"""Off-topic questions never get licensing answers.

DIET sees "how much does it cost to spay a puppy" as a price question and "when is
the egg expired" as an expiry question: the words it knows are licensing words. An
FAQ answer, a quote or a look-up needs evidence that the message is about licensing.
A message predicted as one of those intents becomes `out_of_scope` when the
evidence against licensing outweighs the evidence for it (the overruled prediction
is kept in the parse data, under `overruled_by_evidence`):
- for: a domain entity (Activation Code, product, brand, user count, term), a case
  reference ("RN-2026-004502") or a licensing word (licence, maintenance, reseller, Trend Micro, ...), 2
  each; a word
  licensing questions are asked with (renew, expire, remind, price, code..., and the
  two countries served: "nz", "aussie"), 1 each;
- against: a word only the off-topic training examples use ("puppy", "passport",
  "eggs"), 2 each; a word no training example uses ("assiduous"), 0.75 each.
A message with something against it and a score of 0 or less has no licensing
evidence. Words are compared by a light stem ("eggs" is "egg", "spayed" is "spay"),
and typos of known words are known. The weights were chosen on the development sets:
"how much does it cost to renew a passport" (1 + 1 - 2) and "what does assiduous
mean" (-0.75) are off-topic; "we never got any reminder about renewing, bit rude"
(2 - 0.75) and "crap thats next week, renew it pls" (1 - 0.75) are not.
Short follow-ups made only of known words ("how much?", "and for 2 years") keep
their intent: the conversation's own question is their evidence.

And an off-topic prediction for a message with strong licensing evidence (4 or more, e.g. "renew" and
"Trend Micro") and nothing against it becomes the licensing intent ranked next, if that one has at least
0.2: "how to renew my trend micro? where I go?".

A question predicted as `inform` (a bare answer) is held to the same rule: "you know if rain in Melbourne
tomorrow?" carries a date, but it asks about the weather.

The other way round, a message with an Activation Code in it, however mangled
("AO-R63A-E6L9E-XEMED-E7937-9G2KP-JR5Q"), is about a licence: predicted as
`out_of_scope` or unsure, it becomes `inform`, the bare answer the look-up reads.
"""

from __future__ import annotations

import json
import re
from difflib import get_close_matches
from typing import Any, Dict, List, Set, Text, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_TYPE,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu_components.phrase_matcher import set_decided_intent
from renewals.case_references import find_case_reference
from renewals.codes import find_activation_code, looks_like_code_attempt

VOCABULARY_FILE = "vocabulary.json"
OUT_OF_SCOPE = "out_of_scope"
INFORM = "inform"
# The parse-data key that records a licensing prediction the guard overruled.
OVERRULED = "overruled_by_evidence"
# Intents whose answer states licensing facts or acts on a licence.
LICENSING_INTENTS = frozenset(
    {
        "faq",
        "check_license_expiry",
        "lapse_charge_quote",
        "adjust_quote",
        "renewal_request",
        "ask_list_prices",
        "ask_reseller",
        "ask_case_status",
    }
)
# An off-topic prediction is taken back for a licensing intent ranked next (at least MIN_RUNNER_UP) when
# the message has this much evidence for licensing and none against it.
STRONG_EVIDENCE = 4.0
MIN_RUNNER_UP = 0.2
# Not platforms: "the activation code for Windows 10" is about Windows.
EVIDENCE_ENTITIES = frozenset({"activation_code", "product", "product_brand", "user_count", "term_years"})
# Words that mean licensing wherever they appear (typos are matched too). Not "renew", "renewal",
# "expire", "cost" or "activation": people renew passports, ask what a flight costs and activate
# Xbox games.
LICENSING_WORDS = re.compile(
    r"^(licen[cs]\w*|maint[ae]n\w*|reseller\w*|trend|micro|certificate\w*|cert|"
    r"subscription\w*|worry\w*|wfbs|apex|scanmail|imsva|portalprotect|gst)$"
)
# Words licensing questions are asked with, though they are not licensing words on their own.
QUESTION_WORDS = re.compile(
    r"^(renew\w*|renw\w*|expir\w*|remind\w*|notic\w*|notif\w*|quot\w*|pric\w*|cost\w*|pay\w*|invoice\w*|"
    r"lapse\w*|support|updat\w*|seats?|users?|codes?|activat\w*|products?|periods?|terms?|years?|yrs?|brand|"
    r"console|internet|online|offline|nz|au|aus|aussie\w*|australia\w*|zealand\w*|kiwis?)$"
)
# The same words as people mistype them ("licnese", "maintainance", "reseler").
LICENSING_SPELLINGS = (
    "licence",
    "license",
    "licensing",
    "maintenance",
    "reseller",
    "certificate",
    "subscription",
)
_WORD = re.compile(r"^[a-z][a-z'-]{2,}$")
# The assistant serves both countries: "does all this apply in nz" asks about the rules it just gave.
COUNTRY_CODES = frozenset({"nz", "au"})


def _words(message: Message) -> List[str]:
    tokens = message.get(TOKENS_NAMES[TEXT]) or []
    words = [(token.lemma or token.text).lower().replace("\u2019", "'") for token in tokens]
    return [word for word in words if _WORD.match(word) or word in COUNTRY_CODES]


def _plain_words(text: str) -> List[str]:
    words = re.findall(r"[a-z][a-z'-]*", text.lower().replace("\u2019", "'"))
    return [word for word in words if _WORD.match(word) or word in COUNTRY_CODES]


# "what does ka pai mean", "wot's ROI stand for": asks what a word means; only a licensing word makes it
# a licensing question ("what does lapsed mean").
DEFINITION_QUESTION = re.compile(
    r"^\W*(what|wat|wot)\s*(does|do|is|'s|s)\s+(?P<subject>.+?)\s+(mean|means|stand\s+for)\W*$",
    re.IGNORECASE,
)


def _stem(word: str) -> str:
    """A light stem, enough to meet plurals and tenses: "eggs" "egg", "spayed" "spay", "renewing" "renew"."""
    for suffix in ("'s", "ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class DomainEvidenceGuard(GraphComponent):
    """Turns a licensing prediction without licensing evidence into `out_of_scope`."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # Typos are matched only in words of at least `typo_min_length` letters: short words
        # are too close to each other ("egg" and "eg").
        return {"typo_cutoff": 0.84, "typo_min_length": 5}

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        vocabulary: Set[str],
        off_topic_vocabulary: Set[str],
    ) -> None:
        self.typo_cutoff = float(config["typo_cutoff"])
        self.typo_min_length = int(config["typo_min_length"])
        self._model_storage = model_storage
        self._resource = resource
        self.vocabulary = vocabulary | {_stem(word) for word in vocabulary}
        self.off_topic_vocabulary = {_stem(word) for word in off_topic_vocabulary} - self.vocabulary
        self._by_initial: Dict[str, List[str]] = {}
        for word in sorted(vocabulary):
            self._by_initial.setdefault(word[0], []).append(word)

    @classmethod
    def create(
        cls, config, model_storage, resource, execution_context: ExecutionContext
    ) -> "DomainEvidenceGuard":
        return cls(config, model_storage, resource, set(), set())

    @classmethod
    def load(cls, config, model_storage, resource, execution_context: ExecutionContext, **kwargs: Any):
        try:
            with model_storage.read_from(resource) as directory:
                stored = json.loads((directory / VOCABULARY_FILE).read_text(encoding="utf-8"))
        except ValueError:  # nothing was persisted (no training data)
            stored = {"in_domain": [], "off_topic": []}
        return cls(config, model_storage, resource, set(stored["in_domain"]), set(stored["off_topic"]))

    def train(self, training_data: TrainingData) -> Resource:
        in_domain: Set[str] = set()
        off_topic: Set[str] = set()
        for example in training_data.intent_examples:
            (off_topic if example.get(INTENT) == OUT_OF_SCOPE else in_domain).update(_words(example))
        stored = {"in_domain": sorted(in_domain), "off_topic": sorted(off_topic - in_domain)}
        with self._model_storage.write_to(self._resource) as directory:
            (directory / VOCABULARY_FILE).write_text(json.dumps(stored), encoding="utf-8")
        return self._resource

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
            # A bare answer is no question: "you know if rain in Melbourne tomorrow?" is not a date given.
            asks_instead = intent == INFORM and (message.get(TEXT) or "").rstrip().endswith("?")
            if intent in LICENSING_INTENTS or asks_instead:
                score, against = self.evidence(message)
                if score <= 0 and against:
                    # Kept for the conversation, which may supply the evidence this one message lacks.
                    confidence = (message.get(INTENT) or {}).get(PREDICTED_CONFIDENCE_KEY, 0.0)
                    message.set(
                        OVERRULED,
                        {INTENT_NAME_KEY: intent, PREDICTED_CONFIDENCE_KEY: confidence, "evidence": score},
                        add_to_output=True,
                    )
                    set_decided_intent(message, OUT_OF_SCOPE)
            elif intent == OUT_OF_SCOPE and self._has_a_code(message):
                set_decided_intent(message, INFORM)
            elif intent == OUT_OF_SCOPE:
                runner_up = self._licensing_runner_up(message)
                score, against = self.evidence(message)
                if runner_up and score >= STRONG_EVIDENCE and not against:
                    # "how to renew my trend micro? where I go?": licensing words and nothing else.
                    set_decided_intent(message, runner_up)
        return messages

    @staticmethod
    def _licensing_runner_up(message: Message) -> str:
        ranking = message.get(INTENT_RANKING_KEY) or []
        for ranked in ranking[1:3]:
            name = ranked.get(INTENT_NAME_KEY)
            if name in LICENSING_INTENTS and ranked.get(PREDICTED_CONFIDENCE_KEY, 0.0) >= MIN_RUNNER_UP:
                return name
        return ""

    @staticmethod
    def _has_a_code(message: Message) -> bool:
        text = message.get(TEXT) or ""
        return bool(find_activation_code(text) or looks_like_code_attempt(text))

    def evidence(self, message: Message) -> Tuple[float, bool]:
        """(licensing evidence for minus against, whether anything spoke against; see the module's
        docstring)."""
        entities = [
            e for e in message.get(ENTITIES) or [] if e.get(ENTITY_ATTRIBUTE_TYPE) in EVIDENCE_ENTITIES
        ]
        score, against = 2.0 * len(entities), False
        if find_case_reference(message.get(TEXT) or ""):
            score += 2.0
        for word in _words(message):
            weight = self._weight(word)
            score += weight
            against = against or weight < 0
        definition = DEFINITION_QUESTION.match(message.get(TEXT) or "")
        if definition and sum(self._weight(word) for word in _plain_words(definition.group("subject"))) <= 0:
            # "what does ka pai mean": a question about a word, and the word is not about licensing.
            against = True
            score = min(score, 0.0)
        return score, against

    def _weight(self, word: str) -> float:
        """What one word says for licensing (positive) or against it (negative)."""
        if self._licensing_word(word):
            return 2.0
        if QUESTION_WORDS.match(word):
            return 1.0
        if _stem(word) in self.off_topic_vocabulary:
            return -2.0
        if not self._known(word):
            return -0.75
        return 0.0

    def _licensing_word(self, word: str) -> bool:
        if LICENSING_WORDS.match(word):
            return True
        return len(word) >= self.typo_min_length and bool(
            get_close_matches(word, LICENSING_SPELLINGS, n=1, cutoff=self.typo_cutoff)
        )

    def _known(self, word: str) -> bool:
        if word in self.vocabulary or _stem(word) in self.vocabulary or not self.vocabulary:
            return True
        if len(word) < self.typo_min_length:
            return False
        candidates = self._by_initial.get(word[0], [])
        return bool(get_close_matches(word, candidates, n=1, cutoff=self.typo_cutoff))
