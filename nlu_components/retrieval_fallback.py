"""Low-confidence check for retrieval sub-intents.

Rasa's FallbackClassifier only looks at the top-level intent: a message can be
confidently `faq` while the ResponseSelector barely prefers one FAQ topic over
another, and the bot would answer the wrong question. This component turns such
predictions into `nlu_fallback`, exactly as FallbackClassifier does for intents,
so that `Agent.parse_message` and the dialogue both see it.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier
from rasa.nlu.constants import (
    RESPONSE_SELECTOR_PREDICTION_KEY,
    RESPONSE_SELECTOR_PROPERTY_NAME,
    RESPONSE_SELECTOR_RANKING_KEY,
)
from rasa.nlu.selectors.response_selector import ResponseSelector
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
)
from rasa.shared.nlu.training_data.message import Message


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class RetrievalConfidenceFallback(GraphComponent):
    """Predicts `nlu_fallback` when the response selector is unsure."""

    @classmethod
    def required_components(cls) -> List[type]:
        return [ResponseSelector, FallbackClassifier]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"threshold": 0.6, "ambiguity_threshold": 0.1}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self.threshold = float(config["threshold"])
        self.ambiguity_threshold = float(config["ambiguity_threshold"])

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "RetrievalConfidenceFallback":
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            confidence = self._unsure_selection_confidence(message)
            if confidence is None:
                continue
            fallback = {
                INTENT_NAME_KEY: DEFAULT_NLU_FALLBACK_INTENT_NAME,
                PREDICTED_CONFIDENCE_KEY: self.threshold,
            }
            message.data[INTENT] = dict(fallback)
            message.data.setdefault(INTENT_RANKING_KEY, [])
            message.data[INTENT_RANKING_KEY].insert(0, dict(fallback))
        return messages

    def _unsure_selection_confidence(self, message: Message) -> Optional[float]:
        """The selector's confidence when it is too low or ambiguous, else None."""
        intent_name = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
        selection = (message.get(RESPONSE_SELECTOR_PROPERTY_NAME) or {}).get(intent_name)
        if not selection:
            return None  # not a retrieval intent (or already a fallback)
        confidence = selection[RESPONSE_SELECTOR_PREDICTION_KEY][PREDICTED_CONFIDENCE_KEY]
        ranking = selection.get(RESPONSE_SELECTOR_RANKING_KEY) or []
        runner_up = ranking[1][PREDICTED_CONFIDENCE_KEY] if len(ranking) > 1 else 0.0
        if confidence < self.threshold or confidence - runner_up < self.ambiguity_threshold:
            return confidence
        return None
