#!/usr/bin/env python3
"""Build the out_of_scope training data and the held-out off-topic test set.

Reads data/sources/clinc_oos_train.txt (CLINC150 train split, `text<TAB>intent`,
'#' header lines) and data/sources/near_domain_negatives.txt (hand-written, one
example per line), and writes:

  data/nlu/out_of_scope.yml       hand-written negatives + ~450 CLINC lines (training)
  tests/nlu/heldout_offtopic.yml  ~300 other CLINC lines (held-out test only)
  tests/nlu/dev_offtopic.yml      ~300 more CLINC lines (development: tuning thresholds)

Deterministic: a fixed seed, sorted inputs, stdlib only. Re-run after editing either
source file:  python3 scripts/sample_clinc.py

CLINC lines are skipped when they are in-domain or too close to our own intents
(licence, renewal, subscription, activation, maintenance, warranty, asking for a
human...), and when their text (case-insensitive) is already a training example in
another data/nlu/*.yml file. The two samples never share a text. Expiry questions
about other things (credit cards, food) are kept on purpose: they are exactly the
off-topic messages a licensing bot must learn to refuse.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLINC = ROOT / "data" / "sources" / "clinc_oos_train.txt"
NEGATIVES = ROOT / "data" / "sources" / "near_domain_negatives.txt"
NLU_DIR = ROOT / "data" / "nlu"
OUT_TRAIN = NLU_DIR / "out_of_scope.yml"
OUT_HELDOUT = ROOT / "tests" / "nlu" / "heldout_offtopic.yml"
OUT_DEV = ROOT / "tests" / "nlu" / "dev_offtopic.yml"

SEED = "clinc-oos-2024"
N_TRAIN = 450
N_HELDOUT = 300
N_DEV = 300

# In-domain for a licensing bot, or close enough to one of our intents to blur it:
# car "maintenance", "talk to someone about my account" vs human_handoff.
# "expir" is deliberately NOT here: "when does my card expire" is off-topic and
# teaches check_license_expiry to need a licence/maintenance/code context.
SKIP = re.compile(
    r"licen[cs]|renew|subscri|activat|maint[ae]n|warrant|reseller|"
    r"trend ?micro|anti-?virus|malware|\bhuman|representative|customer service|"
    r"\bbot\b|robot|talk to someone|speak to someone",
    re.IGNORECASE,
)


def norm(text: str) -> str:
    return " ".join(text.lower().split())


def read_clinc() -> dict[str, list[str]]:
    by_intent: dict[str, list[str]] = {}
    for line in CLINC.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        text, intent = line.rsplit("\t", 1)
        if re.search(r"[][{}()]", text):
            continue  # Rasa would read brackets as entity markup
        if text.count('"') % 2:
            text = text.replace('"', "")  # a few CLINC lines have a stray quote
        by_intent.setdefault(intent.strip(), []).append(" ".join(text.split()))
    return by_intent


def read_negatives() -> list[str]:
    lines = NEGATIVES.read_text(encoding="utf-8").splitlines()
    return [" ".join(line.split()) for line in lines if line.strip() and not line.lstrip().startswith("#")]


def other_training_texts() -> set[str]:
    """Example texts of every other NLU file (a plain line scan: stdlib only)."""
    seen = set()
    for path in sorted(NLU_DIR.glob("*.yml")):
        if path == OUT_TRAIN:
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            match = re.match(r"^\s{4,}- (.+)$", line)
            if match:
                seen.add(norm(match.group(1)))
    return seen


def sample(pools: dict[str, list[str]], order: list[str], n: int) -> list[str]:
    """Round-robin over intents, one line per intent per round, until n lines."""
    out: list[str] = []
    while len(out) < n and any(pools[i] for i in order):
        for intent in order:
            if pools[intent] and len(out) < n:
                out.append(pools[intent].pop(0))
    return out


def write_nlu(path: Path, header: list[str], examples: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"# {h}" if h else "#" for h in header]
    lines += ['version: "3.1"', "", "nlu:", "- intent: out_of_scope", "  examples: |"]
    lines += [f"    - {text}" for text in examples]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    negatives = read_negatives()
    taken = other_training_texts()
    unique_negatives = []
    for text in negatives:
        if norm(text) not in taken:
            taken.add(norm(text))
            unique_negatives.append(text)

    by_intent = read_clinc()
    rng = random.Random(SEED)
    pools: dict[str, list[str]] = {}
    skipped = 0
    for intent in sorted(by_intent):
        pool = []
        for text in sorted(set(by_intent[intent])):
            if SKIP.search(text) or norm(text) in taken:
                skipped += 1
                continue
            taken.add(norm(text))  # also drops texts repeated under two CLINC intents
            pool.append(text)
        rng.shuffle(pool)
        pools[intent] = pool
    order = sorted(pools)
    rng.shuffle(order)

    train = sample(pools, order, N_TRAIN)
    heldout = sample(pools, order, N_HELDOUT)
    dev = sample(pools, order, N_DEV)  # drawn last, so the two samples above stay as they were
    assert not {norm(t) for t in train} & {norm(t) for t in heldout}
    assert not {norm(t) for t in dev} & ({norm(t) for t in train} | {norm(t) for t in heldout})

    write_nlu(
        OUT_TRAIN,
        [
            "GENERATED by scripts/sample_clinc.py - do not edit by hand.",
            "Edit data/sources/near_domain_negatives.txt and re-run the script.",
            f"First {len(unique_negatives)} examples: hand-written near-domain negatives;",
            f"then {len(train)} lines sampled from CLINC150 train (Larson et al. 2019,",
            "github.com/clinc/oos-eval, CC BY 3.0), seed " + repr(SEED) + ".",
        ],
        unique_negatives + train,
    )
    write_nlu(
        OUT_HELDOUT,
        [
            "GENERATED by scripts/sample_clinc.py - evaluation only, never train on this.",
            f"{len(heldout)} CLINC150 train lines (CC BY 3.0), disjoint from data/nlu/out_of_scope.yml.",
        ],
        heldout,
    )
    write_nlu(
        OUT_DEV,
        [
            "GENERATED by scripts/sample_clinc.py - development set: tune thresholds on it, never train on "
            "it.",
            f"{len(dev)} CLINC150 train lines (CC BY 3.0), disjoint from the training and held-out samples.",
        ],
        dev,
    )
    print(
        f"negatives={len(unique_negatives)} clinc_train={len(train)} "
        f"heldout={len(heldout)} dev={len(dev)} skipped={skipped} intents={len(order)}"
    )


if __name__ == "__main__":
    main()
