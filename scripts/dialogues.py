"""Whole test conversations over REST, checked on the text the customer reads.

Two sets, written by people who never saw the training data (tests/dialogues/README.md):
- development (tests/dialogues/dev/): run by `make test`, where one failing conversation
  fails the build; its failures are read and fixed;
- held-out (tests/dialogues/heldout/): scored by `make bench` only, never tuned on.

A conversation is a list of turns: the customer's message, regexes the reply must contain
(`expect`) and must not contain (`reject`), matched case-insensitively against all of the
turn's bubbles and button titles. Every turn also fails on silence or on the assistant's
"didn't understand" replies.

    python -m scripts.dialogues dev|heldout      # against fresh live servers, prints failures
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, List, Sequence, Tuple

import yaml

ROOT = Path(__file__).resolve().parents[1]
SETS = {"dev": ROOT / "tests" / "dialogues" / "dev", "heldout": ROOT / "tests" / "dialogues" / "heldout"}

# What the customer must never read in answer to a message a writer expected to be understood.
NOT_UNDERSTOOD = (r"not sure I understood", r"lost track", r"what would you like me to do with that")


@dataclass(frozen=True)
class Turn:
    user: str
    expect: Tuple[str, ...] = ()
    reject: Tuple[str, ...] = ()


@dataclass(frozen=True)
class Dialogue:
    id: str
    source: str
    covers: Tuple[str, ...]
    turns: Tuple[Turn, ...]


@dataclass
class TurnFailure:
    index: int
    user: str
    reply: str
    problems: List[str]


@dataclass
class Outcome:
    dialogue: Dialogue
    failures: List[TurnFailure] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures

    def report(self) -> str:
        lines = [f"{self.dialogue.id} ({self.dialogue.source})"]
        for failure in self.failures:
            lines.append(f"  turn {failure.index + 1}: {failure.user!r}")
            lines += [f"    {problem}" for problem in failure.problems]
            lines += [f"    | {line}" for line in failure.reply.splitlines() or ["(no reply)"]]
        return "\n".join(lines)


def load_set(name: str) -> List[Dialogue]:
    dialogues = []
    for path in sorted(SETS[name].glob("*.yml")):
        for raw in yaml.safe_load(path.read_text(encoding="utf-8"))["conversations"]:
            turns = tuple(
                Turn(str(t["user"]), tuple(t.get("expect") or ()), tuple(t.get("reject") or ()))
                for t in raw["turns"]
            )
            dialogues.append(Dialogue(raw["id"], path.name, tuple(raw.get("covers") or ()), turns))
    return dialogues


def reply_text(replies: Sequence[dict]) -> str:
    """What the customer reads: every bubble, then its buttons as [title]."""
    parts = []
    for reply in replies:
        if reply.get("text"):
            parts.append(reply["text"])
        parts += [f"[{button.get('title', '')}]" for button in reply.get("buttons") or []]
    return "\n".join(parts)


def check(turn: Turn, text: str) -> List[str]:
    problems = []
    if not text.strip():
        problems.append("no reply")
    problems += [f"missing /{pattern}/" for pattern in turn.expect if not re.search(pattern, text, re.I)]
    problems += [f"unwanted /{pattern}/" for pattern in turn.reject if re.search(pattern, text, re.I)]
    problems += [f"not understood (/{p}/)" for p in NOT_UNDERSTOOD if re.search(p, text, re.I)]
    return problems


def run(dialogue: Dialogue, send: Callable[[str, str], List[dict]]) -> Outcome:
    """Plays every turn, even after a failure, so a report shows the whole conversation."""
    sender = f"dialogue-{uuid.uuid4().hex}"
    outcome = Outcome(dialogue)
    for index, turn in enumerate(dialogue.turns):
        text = reply_text(send(sender, turn.user))
        problems = check(turn, text)
        if problems:
            outcome.failures.append(TurnFailure(index, turn.user, text, problems))
    return outcome


def run_set(name: str, send: Callable[[str, str], List[dict]]) -> List[Outcome]:
    return [run(dialogue, send) for dialogue in load_set(name)]


if __name__ == "__main__":
    import argparse
    import tempfile

    from scripts.live_assistant import running_assistant

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("set", choices=sorted(SETS))
    parser.add_argument("--only", help="run only conversations whose id contains this")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir, running_assistant(Path(workdir)) as assistant:
        dialogues = [d for d in load_set(args.set) if not args.only or args.only in d.id]
        outcomes = [run(d, assistant.send) for d in dialogues]
    failed = [o for o in outcomes if not o.passed]
    for outcome in failed:
        print(outcome.report(), end="\n\n")
    print(f"{args.set}: {len(outcomes) - len(failed)} of {len(outcomes)} conversations passed")
