"""A second, linear opinion beside DIET, averaged with it: steadier intents and FAQ topics.

DIET's predictions move with every retraining: adding six examples for one phrase flipped five unrelated
development conversations. A logistic regression on the same sparse features (the featurizers' sentence
vectors, L2-normalised) is deterministic and trains in seconds; averaging its probabilities with DIET's
(`diet_weight` for DIET, the rest for the regression) keeps what both agree on and softens what only a
lucky or unlucky DIET run believes. The FAQ topic (the response selector's pick) is averaged the same way
with a regression over the FAQ examples.

It runs after DIET and the response selector and before the evidence guard, the phrase matcher and the
fallback thresholds, which see the averaged confidences.
"""

from __future__ import annotations

import pickle
from typing import Any, Dict, List, Optional, Text, Tuple

import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import (
    RESPONSE_SELECTOR_PREDICTION_KEY,
    RESPONSE_SELECTOR_PROPERTY_NAME,
    RESPONSE_SELECTOR_RANKING_KEY,
    RESPONSE_SELECTOR_RESPONSES_KEY,
    RESPONSE_SELECTOR_UTTER_ACTION_KEY,
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
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import normalize

MODELS_FILE = "linear_models.pkl"
RETRIEVAL_INTENT = "faq"
FULL_RETRIEVAL_INTENT_NAME = "full_retrieval_intent_name"
RANKING_LENGTH = 10


def sentence_vector(message: Message) -> Optional[scipy.sparse.csr_matrix]:
    """The message's sparse sentence features (all featurizers'), or the sum of its token features."""
    sequence, sentence = message.get_sparse_features(TEXT)
    if sentence is not None:
        return scipy.sparse.csr_matrix(sentence.features)
    if sequence is not None:
        return scipy.sparse.csr_matrix(sequence.features.sum(axis=0))
    return None


def _fit(vectors: List[scipy.sparse.csr_matrix], labels: List[str], c: float) -> Optional[LogisticRegression]:
    if len(set(labels)) < 2:
        return None
    model = LogisticRegression(C=c, max_iter=3000)
    model.fit(normalize(scipy.sparse.vstack(vectors)), labels)
    return model


def _probabilities(model: Optional[LogisticRegression], vector) -> Dict[str, float]:
    if model is None or vector is None:
        return {}
    probabilities = model.predict_proba(normalize(vector))[0]
    return {str(label): float(p) for label, p in zip(model.classes_, probabilities)}


def averaged(
    first: Dict[str, float], second: Dict[str, float], first_weight: float
) -> List[Tuple[str, float]]:
    """Both opinions averaged, best first; a label one opinion lacks counts 0 there."""
    if not second:
        return sorted(first.items(), key=lambda item: -item[1])
    if not first:
        return sorted(second.items(), key=lambda item: -item[1])
    names = set(first) | set(second)
    mixed = {n: first_weight * first.get(n, 0.0) + (1 - first_weight) * second.get(n, 0.0) for n in names}
    return sorted(mixed.items(), key=lambda item: (-item[1], item[0]))


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class LinearEnsemble(GraphComponent):
    """Averages DIET's intent and the response selector's FAQ topic with logistic regressions."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"diet_weight": 0.5, "C": 10.0}

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        models: Dict[str, Any],
    ) -> None:
        self.diet_weight = float(config["diet_weight"])
        self.c = float(config["C"])
        self._model_storage = model_storage
        self._resource = resource
        self.intents: Optional[LogisticRegression] = models.get("intents")
        self.topics: Optional[LogisticRegression] = models.get("topics")
        self.responses: Dict[str, Any] = models.get("responses") or {}

    @classmethod
    def create(cls, config, model_storage, resource, execution_context: ExecutionContext) -> "LinearEnsemble":
        return cls(config, model_storage, resource, {})

    @classmethod
    def load(cls, config, model_storage, resource, execution_context: ExecutionContext, **kwargs: Any):
        try:
            with model_storage.read_from(resource) as directory:
                # Our own file, written by train() below into this model's storage.
                models = pickle.loads((directory / MODELS_FILE).read_bytes())
        except ValueError:  # nothing was persisted (no training data)
            models = {}
        return cls(config, model_storage, resource, models)

    def train(self, training_data: TrainingData) -> Resource:
        intent_vectors, intent_labels, topic_vectors, topic_labels = [], [], [], []
        for example in training_data.intent_examples:
            vector = sentence_vector(example)
            if vector is None:
                continue
            intent_vectors.append(vector)
            intent_labels.append(example.get(INTENT))
            if example.get(INTENT) == RETRIEVAL_INTENT:
                topic_vectors.append(vector)
                topic_labels.append(example.get_full_intent())
        self.intents = _fit(intent_vectors, intent_labels, self.c)
        self.topics = _fit(topic_vectors, topic_labels, self.c)
        self.responses = {
            f"utter_{label}": training_data.responses.get(f"utter_{label}") for label in set(topic_labels)
        }
        models = {"intents": self.intents, "topics": self.topics, "responses": self.responses}
        with self._model_storage.write_to(self._resource) as directory:
            (directory / MODELS_FILE).write_bytes(pickle.dumps(models))
        return self._resource

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            vector = sentence_vector(message)
            self._average_intent(message, _probabilities(self.intents, vector))
            self._average_topic(message, _probabilities(self.topics, vector))
        return messages

    def _average_intent(self, message: Message, linear: Dict[str, float]) -> None:
        diet = {
            r[INTENT_NAME_KEY]: float(r[PREDICTED_CONFIDENCE_KEY])
            for r in message.get(INTENT_RANKING_KEY) or []
        }
        if not linear or not diet:
            return
        ranking = averaged(diet, linear, self.diet_weight)[:RANKING_LENGTH]
        best, confidence = ranking[0]
        intent: Dict[str, Any] = {INTENT_NAME_KEY: best, PREDICTED_CONFIDENCE_KEY: confidence}
        previous = message.get(INTENT) or {}
        if best == RETRIEVAL_INTENT and previous.get(FULL_RETRIEVAL_INTENT_NAME):
            intent[FULL_RETRIEVAL_INTENT_NAME] = previous[FULL_RETRIEVAL_INTENT_NAME]
        message.set(INTENT, intent, add_to_output=True)
        message.set(
            INTENT_RANKING_KEY,
            [{INTENT_NAME_KEY: n, PREDICTED_CONFIDENCE_KEY: p} for n, p in ranking],
            add_to_output=True,
        )

    def _average_topic(self, message: Message, linear: Dict[str, float]) -> None:
        selection = (message.get(RESPONSE_SELECTOR_PROPERTY_NAME) or {}).get(RETRIEVAL_INTENT)
        if not selection or not linear:
            return
        selector = {
            r[INTENT_RESPONSE_KEY]: float(r[PREDICTED_CONFIDENCE_KEY])
            for r in selection.get(RESPONSE_SELECTOR_RANKING_KEY) or []
        }
        ranking = averaged(selector, linear, self.diet_weight)[:RANKING_LENGTH]
        topic, confidence = ranking[0]
        selection[RESPONSE_SELECTOR_RANKING_KEY] = [
            {INTENT_RESPONSE_KEY: t, PREDICTED_CONFIDENCE_KEY: p} for t, p in ranking
        ]
        prediction = selection[RESPONSE_SELECTOR_PREDICTION_KEY]
        prediction[PREDICTED_CONFIDENCE_KEY] = confidence
        if prediction.get(INTENT_RESPONSE_KEY) != topic:
            prediction[INTENT_RESPONSE_KEY] = topic
            prediction[RESPONSE_SELECTOR_UTTER_ACTION_KEY] = f"utter_{topic}"
            prediction[RESPONSE_SELECTOR_RESPONSES_KEY] = self.responses.get(f"utter_{topic}")
        intent = message.get(INTENT) or {}
        if intent.get(INTENT_NAME_KEY) == RETRIEVAL_INTENT:
            message.set(INTENT, {**intent, FULL_RETRIEVAL_INTENT_NAME: topic}, add_to_output=True)
