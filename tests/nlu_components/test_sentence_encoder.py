"""The NumPy all-MiniLM-L6-v2 encoder gives the reference implementation's embeddings, and refuses tampered files.

data/minilm_reference.json was produced once, outside the project, by Hugging Face transformers'
own BertModel and BertTokenizer on the same three files (its "produced_by" says which versions).
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from nlu_components.sentence_encoder import (
    FILE_SHA256,
    SentenceEncoder,
    SentenceModelMissing,
    basic_words,
    model_dir,
)
from nlu_components.tokenizer import ValuePlaceholderTokenizer
from nlu_components.sentence_featurizer import SentenceEncoderFeaturizer
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

REFERENCE = json.loads((Path(__file__).parent / "data" / "minilm_reference.json").read_text())["sentences"]


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    return SentenceEncoder.load()


@pytest.mark.parametrize("sentence", REFERENCE, ids=[s["text"] for s in REFERENCE])
def test_the_word_pieces_are_berts(encoder: SentenceEncoder, sentence: dict) -> None:
    inverse = {index: piece for piece, index in encoder.wordpiece.vocabulary.items()}
    pieces = [inverse[i] for word in basic_words(sentence["text"]) for i in encoder.wordpiece.pieces(word)]
    assert pieces == sentence["word_pieces"]


@pytest.mark.parametrize("sentence", REFERENCE, ids=[s["text"] for s in REFERENCE])
def test_each_embedding_is_the_reference_implementations(encoder: SentenceEncoder, sentence: dict) -> None:
    assert np.abs(encoder.encode(sentence["text"]) - np.array(sentence["embedding"])).max() < 1e-5


def test_a_batch_of_different_lengths_gives_the_same_embeddings_as_one_at_a_time(encoder: SentenceEncoder) -> None:
    texts = [s["text"] for s in REFERENCE]
    batched = encoder.encode_batch([text.split() for text in texts], batch_size=4)
    for text, (sentence, _) in zip(texts, batched):
        assert np.abs(sentence - encoder.encode(text)).max() < 1e-5


def test_paraphrases_are_closer_than_unrelated_questions(encoder: SentenceEncoder) -> None:
    expiry = encoder.encode("when does my licence expire")
    assert expiry @ encoder.encode("what date does our maintenance run out") > expiry @ encoder.encode("how do i bake a cake") + 0.3


def test_a_file_that_does_not_match_its_checksum_is_refused(tmp_path: Path) -> None:
    for name in FILE_SHA256:
        shutil.copy(model_dir() / name, tmp_path / name)
    with open(tmp_path / "vocab.txt", "a") as vocabulary:
        vocabulary.write("injected\n")
    with pytest.raises(SentenceModelMissing, match="vocab.txt has SHA-256"):
        SentenceEncoder(tmp_path)


def test_a_missing_model_says_how_to_get_it(tmp_path: Path) -> None:
    with pytest.raises(SentenceModelMissing, match="make setup"):
        SentenceEncoder(tmp_path)


def test_the_featurizer_gives_one_vector_per_token_and_reads_a_code_as_the_word_code(encoder: SentenceEncoder) -> None:
    tokenizer = ValuePlaceholderTokenizer(ValuePlaceholderTokenizer.get_default_config())
    featurizer = SentenceEncoderFeaturizer("sentence", SentenceEncoderFeaturizer.get_default_config(), encoder)
    with_code = Message(data={TEXT: "check WA-2ZDQ-12345-67890-ABCDE-FGHIJ-BKM22 please"})
    with_word = Message(data={TEXT: "check code please"})
    training = TrainingData([with_code, with_word])
    tokenizer.process_training_data(training)
    featurizer.process_training_data(training)
    sequence, sentence = with_code.get_dense_features(TEXT)
    assert sequence.features.shape == (len(with_code.get(TOKENS_NAMES[TEXT])), 384) == (3, 384)
    assert sentence.features.shape == (1, 384)
    assert np.allclose(sentence.features, with_word.get_dense_features(TEXT)[1].features)
