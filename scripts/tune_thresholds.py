"""Choose the fallback thresholds on the development set only.

Parses every development message once, takes the model's intent and FAQ-topic confidences as they
are before any fallback, and replays FallbackClassifier and RetrievalConfidenceFallback for a grid of
thresholds. For each setting it reports in-domain accuracy, the share of in-domain messages given a
wrong intent (not a fallback), off-topic rejection and off-topic messages given a licensing answer.

    .venv/bin/python -m scripts.tune_thresholds          # never run it on the held-out set
"""

from __future__ import annotations

import asyncio
import itertools
from typing import List, Optional, Tuple

from scripts.nlu_eval import DEVELOPMENT, REJECTED, ROOT, is_licensing_answer

FALLBACK = "nlu_fallback"


def raw_prediction(parse: dict) -> Tuple[str, float, float, Optional[str], float, float]:
    """(intent, confidence, runner-up confidence, FAQ topic, its confidence, runner-up topic confidence)."""
    ranking = [r for r in parse.get("intent_ranking") or [] if r.get("name") != FALLBACK]
    intent, confidence = ranking[0]["name"], ranking[0]["confidence"]
    runner_up = ranking[1]["confidence"] if len(ranking) > 1 else 0.0
    selection = (parse.get("response_selector") or {}).get("faq") or {}
    topics = selection.get("ranking") or []
    topic = selection.get("response", {}).get("intent_response_key")
    topic_confidence = selection.get("response", {}).get("confidence", 0.0)
    topic_runner_up = topics[1]["confidence"] if len(topics) > 1 else 0.0
    return intent, confidence, runner_up, topic, topic_confidence, topic_runner_up


def label(prediction, threshold, ambiguity, topic_threshold, topic_ambiguity) -> str:
    intent, confidence, runner_up, topic, topic_confidence, topic_runner_up = prediction
    if confidence < 1.0 and (confidence < threshold or confidence - runner_up < ambiguity):
        return FALLBACK
    if intent != "faq":
        return intent
    if topic_confidence < 1.0 and (
        topic_confidence < topic_threshold or topic_confidence - topic_runner_up < topic_ambiguity
    ):
        return FALLBACK
    return topic


def main() -> None:
    from rasa.core.agent import Agent

    agent = Agent.load(str(ROOT / "models" / "assistant.tar.gz"))
    in_domain, off_topic = DEVELOPMENT.examples()

    async def parse_all(texts: List[str]):
        return [raw_prediction(await agent.parse_message(text)) for text in texts]

    predicted_in = asyncio.run(parse_all([t for t, _ in in_domain]))
    predicted_off = asyncio.run(parse_all(off_topic))
    gold = [g for _, g in in_domain]
    rows = []
    for setting in itertools.product(
        (0.3, 0.4, 0.5, 0.6), (0.0, 0.05, 0.1), (0.4, 0.5, 0.6), (0.0, 0.05, 0.1)
    ):
        labels_in = [label(p, *setting) for p in predicted_in]
        labels_off = [label(p, *setting) for p in predicted_off]
        accuracy = sum(g == p for g, p in zip(gold, labels_in)) / len(gold)
        wrong = sum(g != p and p not in REJECTED for g, p in zip(gold, labels_in)) / len(gold)
        rejected = sum(p in REJECTED for p in labels_off) / len(labels_off)
        licensing = sum(is_licensing_answer(p) for p in labels_off) / len(labels_off)
        rows.append((accuracy, wrong, rejected, licensing, setting))
    print(
        "accuracy  wrong  off-topic rejected  licensing answers  (threshold, ambiguity, topic threshold, "
        "topic ambiguity)"
    )
    for accuracy, wrong, rejected, licensing, setting in sorted(rows, reverse=True)[:25]:
        print(f"{accuracy:8.3f} {wrong:6.3f} {rejected:19.3f} {licensing:18.3f}  {setting}")
    print("with the intent thresholds of config.yml (0.5, 0.1), by topic threshold:")
    for accuracy, wrong, rejected, licensing, setting in sorted(rows, reverse=True):
        if setting[:2] == (0.5, 0.1) and setting[3] == 0.1:
            print(f"{accuracy:8.3f} {wrong:6.3f} {rejected:19.3f} {licensing:18.3f}  {setting}")


if __name__ == "__main__":
    main()
