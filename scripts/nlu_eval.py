"""NLU evaluation: the trained model against a TF-IDF nearest-neighbour baseline.

Two evaluation sets, neither ever used for training:
- development (tests/nlu/dev*.yml): its mistakes are read and thresholds and training
  data are improved against it;
- held-out test (tests/nlu/heldout/*.yml and tests/nlu/heldout_*.yml): written
  independently from docs/intents.md and docs/faq-source.txt only, and only scored,
  never tuned on. `make bench` reports both.

A prediction is the intent, or `faq/<topic>` for the FAQ retrieval intent (the
topic picked by the response selector). An off-topic message counts as rejected
when it comes out as `out_of_scope` or `nlu_fallback`.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, List, Sequence, Tuple

from rasa.shared.nlu.training_data.loading import load_data

ROOT = Path(__file__).resolve().parents[1]
TRAINING_DIR = ROOT / "data" / "nlu"
EVALUATION_DIR = ROOT / "tests" / "nlu"
REJECTED = {"out_of_scope", "nlu_fallback"}
# Predictions whose answer states licensing facts or acts on a licence: an off-topic message must never get
# one.
LICENSING_ANSWERS = (
    "faq/",
    "check_license_expiry",
    "lapse_charge_quote",
    "adjust_quote",
    "renewal_request",
    "ask_list_prices",
    "ask_reseller",
    "ask_case_status",
)
SHORT_WORDS = 3


@dataclass(frozen=True)
class EvaluationSet:
    name: str
    in_domain: Tuple[Path, ...]
    off_topic: Tuple[Path, ...]

    def examples(self) -> Tuple[List[Tuple[str, str]], List[str]]:
        in_domain = [pair for path in self.in_domain for pair in labelled_examples(path)]
        off_topic = [text for path in self.off_topic for text, _ in labelled_examples(path)]
        return in_domain, off_topic


DEVELOPMENT = EvaluationSet(
    "development",
    (EVALUATION_DIR / "dev.yml", EVALUATION_DIR / "dev_form_and_resellers.yml"),
    (EVALUATION_DIR / "dev_near_domain.yml", EVALUATION_DIR / "dev_offtopic.yml"),
)
HELD_OUT_TEST = EvaluationSet(
    "held-out test",
    tuple(sorted((EVALUATION_DIR / "heldout").glob("*.yml"))),
    (EVALUATION_DIR / "heldout_near_domain.yml", EVALUATION_DIR / "heldout_offtopic.yml"),
)
SETS = {"dev": DEVELOPMENT, "test": HELD_OUT_TEST}


def labelled_examples(path: Path) -> List[Tuple[str, str]]:
    data = load_data(str(path))
    return [(example.get("text"), example.get_full_intent()) for example in data.intent_examples]


def label_of(parse: dict) -> str:
    intent = (parse.get("intent") or {}).get("name")
    if intent == "faq":
        return parse["response_selector"]["faq"]["response"]["intent_response_key"]
    return intent


@dataclass
class Scores:
    accuracy: float
    macro_f1: float
    rejection_rate: float
    wrong: List[Tuple[str, str, str]]
    in_domain_count: int
    off_topic_count: int
    licensing_answer_rate: float = 0.0  # off-topic messages given a licensing answer


def score(
    gold_in: Sequence[str], predicted_in: Sequence[str], predicted_off: Sequence[str], text_in: Sequence[str]
) -> Scores:
    labels = sorted(set(gold_in))
    f1s = []
    for label in labels:
        tp = sum(g == label and p == label for g, p in zip(gold_in, predicted_in))
        fp = sum(g != label and p == label for g, p in zip(gold_in, predicted_in))
        fn = sum(g == label and p != label for g, p in zip(gold_in, predicted_in))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1s.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    correct = sum(g == p for g, p in zip(gold_in, predicted_in))
    return Scores(
        accuracy=correct / len(gold_in),
        macro_f1=sum(f1s) / len(f1s),
        rejection_rate=sum(p in REJECTED for p in predicted_off) / len(predicted_off),
        wrong=[(t, g, p) for t, g, p in zip(text_in, gold_in, predicted_in) if g != p],
        in_domain_count=len(gold_in),
        off_topic_count=len(predicted_off),
        licensing_answer_rate=sum(is_licensing_answer(p) for p in predicted_off) / len(predicted_off),
    )


def is_licensing_answer(label: str) -> bool:
    return label.startswith(LICENSING_ANSWERS)


def training_examples() -> List[Tuple[str, str]]:
    """Every in-domain training example with its label."""
    return [
        pair
        for path in sorted(TRAINING_DIR.glob("*.yml"))
        for pair in labelled_examples(path)
        if pair[1] != "out_of_scope"
    ]


@dataclass
class TrainingSetScores:
    accuracy: float
    short_accuracy: float  # messages of SHORT_WORDS words or fewer
    count: int
    short_count: int
    wrong: List[Tuple[str, str, str]]


def evaluate_model(
    model_path: Path, *evaluation_sets: EvaluationSet, training_set: bool = False
) -> List[Tuple[Scores, List[float]]]:
    """For each set: scores of the trained model and its per-message parse latencies (ms).
    With `training_set`, the last item is the TrainingSetScores of every in-domain training example."""
    from rasa.core.agent import Agent

    agent = Agent.load(str(model_path))

    async def parse_all(texts: Iterable[str]) -> Tuple[List[str], List[float]]:
        labels, latencies = [], []
        for text in texts:
            started = time.perf_counter()
            parse = await agent.parse_message(text)
            latencies.append((time.perf_counter() - started) * 1000)
            labels.append(label_of(parse))
        return labels, latencies

    async def evaluate(evaluation_set: EvaluationSet) -> Tuple[Scores, List[float]]:
        in_domain, off_topic = evaluation_set.examples()
        predicted_in, latency_in = await parse_all(text for text, _ in in_domain)
        predicted_off, latency_off = await parse_all(off_topic)
        scores = score([g for _, g in in_domain], predicted_in, predicted_off, [t for t, _ in in_domain])
        return scores, latency_in + latency_off

    async def evaluate_training_set() -> Tuple[TrainingSetScores, List[float]]:
        examples = training_examples()
        predicted, latencies = await parse_all(text for text, _ in examples)
        wrong = [(t, g, p) for (t, g), p in zip(examples, predicted) if g != p]
        short = [(t, g) for t, g in examples if len(t.split()) <= SHORT_WORDS]
        short_wrong = [w for w in wrong if len(w[0].split()) <= SHORT_WORDS]
        return TrainingSetScores(
            accuracy=1 - len(wrong) / len(examples),
            short_accuracy=1 - len(short_wrong) / len(short),
            count=len(examples),
            short_count=len(short),
            wrong=wrong,
        ), latencies

    async def run() -> list:
        await agent.parse_message("warm up")
        results = [await evaluate(evaluation_set) for evaluation_set in evaluation_sets]
        if training_set:
            results.append(await evaluate_training_set())
        return results

    return asyncio.run(run())


def evaluate_tfidf_baseline(evaluation_set: EvaluationSet, ngram_range: Tuple[int, int] = (1, 1)) -> Scores:
    """TF-IDF cosine nearest neighbour over exactly the model's training examples."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.neighbors import NearestNeighbors

    training = [pair for path in sorted(TRAINING_DIR.glob("*.yml")) for pair in labelled_examples(path)]
    vectorizer = TfidfVectorizer(lowercase=True, ngram_range=ngram_range, sublinear_tf=True)
    matrix = vectorizer.fit_transform([text for text, _ in training])
    neighbours = NearestNeighbors(n_neighbors=1, metric="cosine").fit(matrix)
    in_domain, off_topic = evaluation_set.examples()

    def predict(texts: Sequence[str]) -> List[str]:
        _, index = neighbours.kneighbors(vectorizer.transform(texts))
        return [training[i][1] for i in index[:, 0]]

    texts_in = [t for t, _ in in_domain]
    return score([g for _, g in in_domain], predict(texts_in), predict(off_topic), texts_in)


def percentile(values: Sequence[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", nargs="?", type=Path, default=ROOT / "models" / "assistant.tar.gz")
    parser.add_argument(
        "--set",
        choices=sorted(SETS),
        default="dev",
        help="evaluation set (default dev: the held-out test set is for `make bench`)",
    )
    args = parser.parse_args()
    evaluation_set = SETS[args.set]
    [(model_scores, latencies)] = evaluate_model(args.model, evaluation_set)
    print(
        f"{evaluation_set.name}: model    acc={model_scores.accuracy:.3f} f1={model_scores.macro_f1:.3f} "
        f"oos={model_scores.rejection_rate:.3f}"
    )
    for ngrams in ((1, 1), (1, 2)):
        baseline = evaluate_tfidf_baseline(evaluation_set, ngrams)
        print(
            f"baseline {ngrams} acc={baseline.accuracy:.3f} f1={baseline.macro_f1:.3f} "
            f"oos={baseline.rejection_rate:.3f}"
        )
    print(f"latency p50={statistics.median(latencies):.1f}ms p95={percentile(latencies, 95):.1f}ms")
    for text, gold, predicted in model_scores.wrong:
        print(f"  WRONG {gold:35} -> {predicted:35} {text}")
