"""`make bench`: accuracy and speed numbers, written to docs/BENCHMARKS.md.

Measures on this machine, with nothing else running:
- whole conversations over REST: the held-out and development conversation sets (tests/dialogues/);
- NLU accuracy, macro-F1 and off-topic rejection on the held-out test set (targets)
  and on the development set, against TF-IDF baselines; accuracy on the training set itself;
- `rasa train` from scratch (empty cache, new output directory);
- NLU parse latency, and REST turn latency of a look-up and a quote;
- quotes per second of the domain function alone.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Callable, List, Tuple

from scripts import dialogues
from scripts.live_assistant import ROOT, running_assistant
from scripts.nlu_eval import (
    DEVELOPMENT,
    HELD_OUT_TEST,
    REJECTED,
    SHORT_WORDS,
    evaluate_model,
    evaluate_tfidf_baseline,
    percentile,
)

OUT = ROOT / "docs" / "BENCHMARKS.md"
MODEL = ROOT / "models" / "assistant.tar.gz"
REST_TURNS = 60


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    import rasa

    return (
        f"{cpu}, {os.cpu_count()} cores, {memory_kb / 1024 / 1024:.0f} GiB RAM; {platform.platform()}; "
        f"Python {platform.python_version()}, Rasa {rasa.__version__}"
    )


def training_time_s() -> float:
    with tempfile.TemporaryDirectory() as work:
        env = {**os.environ, "RASA_CACHE_DIRECTORY": str(Path(work) / "cache")}
        started = time.perf_counter()
        subprocess.run(
            [str(ROOT / ".venv" / "bin" / "rasa"), "train", "--out", str(Path(work) / "models"), "--quiet"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        return time.perf_counter() - started


def timed_turns(turn: Callable[[str], None], count: int) -> List[float]:
    latencies = []
    for _ in range(count):
        sender = f"bench-{uuid.uuid4().hex}"
        started = time.perf_counter()
        turn(sender)
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def conversation_outcomes() -> dict:
    """Both conversation sets against one fresh pair of servers."""
    with tempfile.TemporaryDirectory() as work, running_assistant(Path(work)) as assistant:
        return {name: dialogues.run_set(name, assistant.send) for name in ("heldout", "dev")}


def rest_latencies() -> Tuple[List[float], List[float], List[float]]:
    lookup = "when does WS-2ZDQ-YG9N8-TZCHQ-444XL-FXQN5-BKM22 expire?"
    quote = "how much to renew WS-ZHQ7-9WPK9-UPNRR-JJJW3-LXPH8-S7UHD?"
    with tempfile.TemporaryDirectory() as work, running_assistant(Path(work)) as assistant:
        assert "2 January 2028" in assistant.say("bench-warm-up", lookup)
        assert "AUD 2,294.05" in assistant.say("bench-warm-up-2", quote)
        lookups = timed_turns(lambda sender: assistant.send(sender, lookup), REST_TURNS)
        quotes = timed_turns(lambda sender: assistant.send(sender, quote), REST_TURNS)
        submits = []
        for _ in range(REST_TURNS // 3):
            sender = f"bench-{uuid.uuid4().hex}"
            assert "on file" in assistant.say(sender, "I want to renew WS-ZHQ7-9WPK9-UPNRR-JJJW3-LXPH8-S7UHD")
            started = time.perf_counter()
            reply = assistant.say(sender, "Confirm, those details are correct")
            submits.append((time.perf_counter() - started) * 1000)
            assert "RN-" in reply
    return lookups, quotes, submits


def quotes_per_second() -> float:
    from renewals.importers import DEMO_DIR
    from renewals.licences import Licence
    from renewals.pricelist import load_price_list
    from renewals.quotes import quote_renewal

    price_list = load_price_list(DEMO_DIR / "pricing.yml")
    licence = Licence(
        activation_code="WS-ZHQ7-9WPK9-UPNRR-JJJW3-LXPH8-S7UHD",
        company="Bench",
        address="1 Bench St",
        region="AU",
        contact_name="-",
        contact_email="-",
        phone="-",
        product_code="WFBS-STD",
        platform="Windows",
        users=50,
        start_date=date(2023, 10, 31),
        expiry_date=date(2026, 10, 29),
        reseller_id=None,
        internet_facing=True,
        renewal_notice_sent_on=None,
    )
    today, count, deadline = date(2026, 11, 28), 0, time.perf_counter() + 3
    started = time.perf_counter()
    while time.perf_counter() < deadline:
        for years in (1, 2, 3):
            quote_renewal(licence, price_list, today=today, years=years, users=40)
        count += 3
    return count / (time.perf_counter() - started)


def row(metric: str, value: str, target: str, met) -> str:
    verdict = "" if met is None else ("yes" if met else "**no**")
    return f"| {metric} | {value} | {target} | {verdict} |"


def main() -> None:
    if not MODEL.exists():
        sys.exit("models/assistant.tar.gz is missing: run `make train` (make bench does it for you)")
    print("bench: conversations", flush=True)
    outcomes = conversation_outcomes()
    print("bench: NLU evaluation", flush=True)
    (scores, latencies), (dev_scores, _), (training, _) = evaluate_model(
        MODEL, HELD_OUT_TEST, DEVELOPMENT, training_set=True
    )
    unigram = evaluate_tfidf_baseline(HELD_OUT_TEST, ngram_range=(1, 1))
    bigram = evaluate_tfidf_baseline(HELD_OUT_TEST, ngram_range=(1, 2))
    dev_unigram = evaluate_tfidf_baseline(DEVELOPMENT, ngram_range=(1, 1))
    # A fallback asks "did you mean"; a wrong intent answers the wrong question.
    confidently_wrong = sum(predicted not in REJECTED for _, _, predicted in scores.wrong)
    wrong_rate = confidently_wrong / scores.in_domain_count
    print("bench: training from scratch", flush=True)
    train_s = training_time_s()
    print("bench: REST turns", flush=True)
    lookups, quotes, submits = rest_latencies()
    print("bench: domain quotes", flush=True)
    qps = quotes_per_second()

    def passed(name: str) -> Tuple[int, int]:
        return sum(o.passed for o in outcomes[name]), len(outcomes[name])

    held_ok, held_n = passed("heldout")
    dev_ok, dev_n = passed("dev")
    p95 = percentile(latencies, 95)
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`python -m scripts.bench`) on "
        f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC.",
        "",
        f"Machine: {machine()}.",
        "",
        "## Whole conversations",
        "",
        f"Conversation sets (`tests/dialogues/`, see its README): {held_n} held-out and {dev_n} development "
        "conversations written by seven writers who never saw the training data, each turn checked on the "
        "text "
        "the customer reads. Run over REST against live servers (embedded SQLite profile, demo data, "
        "today 2026-11-28). The held-out set is only scored here, never tuned on; the development set runs "
        "in "
        "`make test`.",
        "",
        "| metric | value | target | met |",
        "|---|---|---|---|",
        row(
            "held-out conversations completed",
            f"{held_ok / held_n:.1%} ({held_ok} of {held_n})",
            ">= 97 %",
            held_ok / held_n >= 0.97,
        ),
        row(
            "development conversations completed",
            f"{dev_ok / dev_n:.1%} ({dev_ok} of {dev_n})",
            "100 % (`make test`)",
            dev_ok == dev_n,
        ),
        "",
        "## NLU",
        "",
        f"Held-out test set (the targets): {scores.in_domain_count} in-domain messages in "
        "`tests/nlu/heldout/` "
        "(three files, each by writers with a different customer voice, written from "
        "`docs/intents.md` and `docs/faq-source.txt` only, never used for training or tuning) and "
        f"{scores.off_topic_count} off-topic messages (`tests/nlu/heldout_near_domain.yml`, and "
        "`tests/nlu/heldout_offtopic.yml`, a CLINC150 sample not used for training). "
        f"Development set: {dev_scores.in_domain_count} in-domain messages (`tests/nlu/dev*.yml`) and "
        f"{dev_scores.off_topic_count} off-topic "
        "(`tests/nlu/dev_near_domain.yml`, `tests/nlu/dev_offtopic.yml`); never trained on, but its mistakes "
        "are read and thresholds and training data are improved against it, so its numbers are optimistic. "
        "A FAQ prediction counts as right only when the response selector picks the right topic; "
        "an off-topic message counts as rejected when it comes out as `out_of_scope` or `nlu_fallback`, and "
        "as "
        "given a licensing answer when it comes out as a FAQ topic, a look-up, a quote or another licensing "
        "task. "
        "The baseline is TF-IDF cosine 1-nearest-neighbour over exactly the model's training examples.",
        "",
        "| metric | value | target | met |",
        "|---|---|---|---|",
        row(
            "training set: in-domain examples classified as their label",
            f"{training.accuracy:.2%} ({training.count - len(training.wrong)} of {training.count})",
            ">= 99.5 %",
            training.accuracy >= 0.995,
        ),
        row(
            f"training set: examples of {SHORT_WORDS} words or fewer",
            f"{training.short_accuracy:.2%} of {training.short_count}",
            "100 %",
            training.short_accuracy == 1.0,
        ),
        row("held-out intent accuracy (model)", f"{scores.accuracy:.1%}", ">= 96 %", scores.accuracy >= 0.96),
        row("held-out macro-F1 (model)", f"{scores.macro_f1:.3f}", "", None),
        row(
            "held-out: in-domain messages given a wrong intent, not a fallback (model)",
            f"{wrong_rate:.1%} ({confidently_wrong} of {scores.in_domain_count})",
            "<= 1.5 %",
            wrong_rate <= 0.015,
        ),
        row(
            "held-out off-topic rejected (model)",
            f"{scores.rejection_rate:.1%}",
            ">= 97 %",
            scores.rejection_rate >= 0.97,
        ),
        row(
            "held-out off-topic given a licensing answer (model)",
            f"{scores.licensing_answer_rate:.1%}",
            "<= 1 %",
            scores.licensing_answer_rate <= 0.01,
        ),
        row(
            "held-out baseline: TF-IDF unigram 1-NN accuracy / macro-F1 / rejected",
            f"{unigram.accuracy:.1%} / {unigram.macro_f1:.3f} / {unigram.rejection_rate:.1%}",
            "",
            None,
        ),
        row(
            "held-out baseline: TF-IDF uni+bigram 1-NN accuracy / macro-F1 / rejected",
            f"{bigram.accuracy:.1%} / {bigram.macro_f1:.3f} / {bigram.rejection_rate:.1%}",
            "",
            None,
        ),
        row(
            "development set: model accuracy / macro-F1 / rejected / licensing answer to off-topic",
            f"{dev_scores.accuracy:.1%} / {dev_scores.macro_f1:.3f} / {dev_scores.rejection_rate:.1%} / "
            f"{dev_scores.licensing_answer_rate:.1%}",
            "",
            None,
        ),
        row(
            "development set: TF-IDF unigram 1-NN accuracy / rejected",
            f"{dev_unigram.accuracy:.1%} / {dev_unigram.rejection_rate:.1%}",
            "",
            None,
        ),
        row("`rasa train` from scratch", f"{train_s:.0f} s", "<= 300 s", train_s <= 300),
        row(
            "NLU parse latency p50 / p95",
            f"{statistics.median(latencies):.1f} / {p95:.1f} ms",
            "p95 <= 50 ms",
            p95 <= 50,
        ),
        row(
            "REST look-up turn p50 / p95",
            f"{statistics.median(lookups):.0f} / {percentile(lookups, 95):.0f} ms",
            "",
            None,
        ),
        row(
            "REST quote turn p50 / p95",
            f"{statistics.median(quotes):.0f} / {percentile(quotes, 95):.0f} ms",
            "",
            None,
        ),
        row(
            "REST renewal submit turn (opens the case) p50 / p95",
            f"{statistics.median(submits):.0f} / {percentile(submits, 95):.0f} ms",
            "",
            None,
        ),
        row("quotes per second, domain function alone", f"{qps:,.0f}", "", None),
        "",
        f"Parse latency over {len(latencies)} held-out test messages (`Agent.parse_message`, in process); "
        f"REST turns: {REST_TURNS} look-ups and {REST_TURNS} quotes, each in a new conversation, and "
        f"{REST_TURNS // 3} renewal submissions (pre-filled checklist, then Confirm); action server and "
        "Rasa server on this machine with the embedded SQLite profile.",
        "",
    ]
    # Held-out results are counted, never shown: a failure read is a failure tuned for.
    held_out_failed = sum(1 for o in outcomes["heldout"] if not o.passed)
    lines += [
        f"Failed held-out conversations: {held_out_failed} of {len(outcomes['heldout'])} (which ones is not "
        "written down, so that nobody tunes on them).",
        "",
    ]
    failed = [o for o in outcomes["dev"] if not o.passed]
    lines += [f"Failed development conversations ({len(failed)} of {len(outcomes['dev'])}):", ""]
    lines += ["```", *(o.report() for o in failed), "```", ""] if failed else ["- none", ""]
    lines += [
        f"Training examples not classified as their label ({len(training.wrong)} of {training.count}):",
        "",
    ]
    lines += [
        f"- `{gold}` predicted as `{predicted}`: {text}" for text, gold, predicted in training.wrong
    ] or ["- none"]
    lines += [
        "",
        f"Misclassified held-out test messages: {len(scores.wrong)} of {scores.in_domain_count} (not listed, "
        "for the same reason).",
    ]
    lines += [
        "",
        f"Misclassified development messages ({len(dev_scores.wrong)} of {dev_scores.in_domain_count}):",
        "",
    ]
    lines += [
        f"- `{gold}` predicted as `{predicted}`: {text}" for text, gold, predicted in dev_scores.wrong
    ] or ["- none"]
    OUT.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
