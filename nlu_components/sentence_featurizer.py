"""Dense features from a pretrained sentence encoder: prior knowledge of English for DIET.

Our own data teaches the sparse featurizers only the words its writers used; all-MiniLM-L6-v2
(`nlu_components.sentence_encoder`) was trained on a billion sentence pairs, so "how long till its
sorted" lands near "how long does a renewal take" although they share no word. The encoder reads
the message as the tokenizer split it, with each value (code, e-mail, phone, date, case reference)
replaced by a plain word, so that a code's characters don't become word pieces of noise.
The decision to keep it, with its numbers, is in docs/nlu-design.md.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text, Type

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu_components.sentence_encoder import SentenceEncoder
from nlu_components.tokenizer import (
    PLACEHOLDER_CASE,
    PLACEHOLDER_CODE,
    PLACEHOLDER_DATE,
    PLACEHOLDER_EMAIL,
    PLACEHOLDER_PHONE,
)

WORD_FOR_VALUE = {
    PLACEHOLDER_CODE: "code",
    PLACEHOLDER_CASE: "reference",
    PLACEHOLDER_EMAIL: "email",
    PLACEHOLDER_PHONE: "phone",
    PLACEHOLDER_DATE: "date",
}


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SentenceEncoderFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds the sentence embedding (sentence feature) and each token's contextual vector (sequence feature)."""

    @classmethod
    def required_components(cls) -> List[Type]:
        return [Tokenizer]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return DenseFeaturizer.get_default_config()

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        pass

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "SentenceEncoderFeaturizer":
        return cls(execution_context.node_name, config, SentenceEncoder.load())

    def __init__(self, name: Text, config: Dict[Text, Any], encoder: Optional[SentenceEncoder]) -> None:
        super().__init__(name, config)
        self.encoder = encoder

    def _featurize(self, messages: List[Message]) -> None:
        tokenized = [(message, message.get(TOKENS_NAMES[TEXT])) for message in messages]
        tokenized = [(message, tokens) for message, tokens in tokenized if message.get(TEXT) and tokens]
        encoded = self.encoder.encode_batch([[WORD_FOR_VALUE.get(token.lemma, token.text) for token in tokens]
                                             for _, tokens in tokenized])
        for (message, _), (sentence, _) in zip(tokenized, encoded):
            # Sentence features only: without transformer layers DIET classifies from the sentence
            # features, and 384 more numbers per token made each training epoch several times slower.
            self.add_features_to_message(sequence=None, sentence=sentence[np.newaxis, :], attribute=TEXT, message=message)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._featurize(training_data.training_examples)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        self._featurize(messages)
        return messages
