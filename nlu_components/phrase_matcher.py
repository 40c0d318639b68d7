"""Training phrases are recognised exactly, as Dialogflow does.

DIET spreads its confidence over intents that share words ("yup" / "spot on" /
"that's right" between `affirm` and `confirm_details`), so a phrase the model was
trained on can still come out as `nlu_fallback`. This component remembers every
training example by its normalised tokens and, when a message matches one, sets
that example's label with confidence 1.0 (for the FAQ, the topic in the response
selector's prediction too). A normalised text with two labels in the training
data is left to the model. Entities are untouched.

Normalised tokens: the tokenizer's lemmas (so a code, an email or a number is its
placeholder), lower case, without apostrophes.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import (
    RESPONSE_SELECTOR_PREDICTION_KEY,
    RESPONSE_SELECTOR_PROPERTY_NAME,
    RESPONSE_SELECTOR_RESPONSES_KEY,
    RESPONSE_SELECTOR_UTTER_ACTION_KEY,
    TOKENS_NAMES,
)
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    INTENT_RESPONSE_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

PHRASES_FILE = "phrases.json"
AMBIGUOUS = ""


def phrase_key(message: Message) -> Optional[str]:
    tokens = message.get(TOKENS_NAMES[TEXT]) or []
    words = [(token.lemma or token.text).lower().replace("'", "").replace("\u2019", "") for token in tokens]
    words = [word for word in words if word]
    return " ".join(words) or None


def set_decided_intent(message: Message, intent: str) -> None:
    """Makes `intent` the prediction with confidence 1.0. The other intents keep their place in the
    ranking with confidence 0: the decision is made, so FallbackClassifier sees no ambiguity."""
    chosen = {INTENT_NAME_KEY: intent, PREDICTED_CONFIDENCE_KEY: 1.0}
    others = [
        {**ranked, PREDICTED_CONFIDENCE_KEY: 0.0}
        for ranked in message.get(INTENT_RANKING_KEY) or []
        if ranked.get(INTENT_NAME_KEY) != intent
    ]
    message.set(INTENT, dict(chosen), add_to_output=True)
    message.set(INTENT_RANKING_KEY, [chosen] + others, add_to_output=True)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class TrainingPhraseMatcher(GraphComponent):
    """Sets the label of a training example that the message matches exactly."""

    def __init__(
        self,
        model_storage: ModelStorage,
        resource: Resource,
        phrases: Dict[str, str],
        responses: Dict[str, Any],
    ) -> None:
        self._model_storage = model_storage
        self._resource = resource
        self.phrases = phrases
        self.responses = responses  # the FAQ answers, as the response selector reports them

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "TrainingPhraseMatcher":
        return cls(model_storage, resource, {}, {})

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "TrainingPhraseMatcher":
        try:
            with model_storage.read_from(resource) as directory:
                stored = json.loads((directory / PHRASES_FILE).read_text(encoding="utf-8"))
        except ValueError:  # nothing was persisted (no training data)
            stored = {"phrases": {}, "responses": {}}
        return cls(model_storage, resource, stored["phrases"], stored["responses"])

    def train(self, training_data: TrainingData) -> Resource:
        labels: Dict[str, str] = {}
        for example in training_data.intent_examples:
            key = phrase_key(example)
            if key is None:
                continue
            label = example.get_full_intent()
            labels[key] = label if labels.get(key, label) == label else AMBIGUOUS
        self.phrases = {key: label for key, label in labels.items() if label != AMBIGUOUS}
        self.responses = {
            f"utter_{label}": training_data.responses.get(f"utter_{label}")
            for label in set(self.phrases.values())
            if "/" in label
        }
        stored = {"phrases": self.phrases, "responses": self.responses}
        with self._model_storage.write_to(self._resource) as directory:
            (directory / PHRASES_FILE).write_text(json.dumps(stored, sort_keys=True), encoding="utf-8")
        return self._resource

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            label = self.phrases.get(phrase_key(message) or "")
            if label:
                self._set_label(message, label)
        return messages

    def _set_label(self, message: Message, label: str) -> None:
        intent, _, topic = label.partition("/")
        set_decided_intent(message, intent)
        if not topic:
            return
        selection = (message.get(RESPONSE_SELECTOR_PROPERTY_NAME) or {}).get(intent)
        if selection:
            prediction = selection[RESPONSE_SELECTOR_PREDICTION_KEY]
            prediction[INTENT_RESPONSE_KEY] = label
            prediction[RESPONSE_SELECTOR_UTTER_ACTION_KEY] = f"utter_{label}"
            prediction[RESPONSE_SELECTOR_RESPONSES_KEY] = self.responses.get(f"utter_{label}")
            prediction[PREDICTED_CONFIDENCE_KEY] = 1.0
