"""Short answers to a yes/no question, in the forms customers in Australia and New Zealand type them.

The NLU labels a message on its own; whether "sweet as" is a yes depends on what was
asked. The conversation asks `yes_or_no` only when it has just asked a yes/no question.
"""

from __future__ import annotations

import re
from typing import List, Optional

_YES = {
    "yes",
    "yes please",
    "yes pls",
    "yes thanks",
    "yes thank you",
    "yep",
    "yup",
    "yeah",
    "yea",
    "ya",
    "yah",
    "yeh",
    "ye",
    "yas",
    "yess",
    "yesss",
    "y",
    "sure",
    "sure thing",
    "ok",
    "okay",
    "k",
    "kk",
    "okey",
    "okie",
    "oka",
    "okk",
    "righto",
    "right",
    "alright",
    "all right",
    "too right",
    "sweet",
    "sweet as",
    "spot on",
    "all good",
    "all correct",
    "correct",
    "that's right",
    "thats right",
    "that's correct",
    "thats correct",
    "nah yeah",
    "yeah yeah",
    "yep yep",
    "definitely",
    "absolutely",
    "of course",
    "please",
    "please do",
    "go ahead",
    "go for it",
    "do it",
    "sounds good",
    "good",
    "great",
    "perfect",
    "fine",
    "looks good",
    "looks right",
    "confirm",
    "confirmed",
    "affirmative",
    "you bet",
    "for sure",
    "why not",
    "ok sure",
    "ok then",
    "yes go ahead",
    "yep go ahead",
    "yeah go on",
    "go on",
    "yes that's right",
    "yep thats right",
    "aye",
    "ja",
    "si",
    "oui",
    "ka pai",
    "choice",
    "bang on",
    "yep please",
    "yes mate",
    "yep mate",
    "yeah mate",
    "yeah sure",
    "yeah ok",
    "yeah nah yeah",
    "i think so",
    "i guess",
    "indeed",
}
_NO = {
    "no",
    "no thanks",
    "no thank you",
    "no ty",
    "no thx",
    "nah",
    "nah thanks",
    "nope",
    "na",
    "nay",
    "n",
    "not now",
    "not yet",
    "not today",
    "not really",
    "no need",
    "no way",
    "never",
    "negative",
    "yeah nah",
    "nah nah",
    "no no",
    "nup",
    "nar",
    "no mate",
    "nah mate",
    "nah i'm good",
    "nah im good",
    "i'm good",
    "im good",
    "no i'm good",
    "no im good",
    "not right now",
    "maybe later",
    "later",
    "no it's fine",
    "no its fine",
    "not necessary",
    "no that's all",
    "no thats all",
    "that's all",
    "thats all",
    "nothing",
    "nothing else",
    "incorrect",
    "wrong",
    "that's wrong",
    "thats wrong",
    "not correct",
    "not quite",
    "no that's wrong",
    "don't",
    "dont",
    "i don't think so",
    "i dont think so",
    "rather not",
    "i'd rather not",
    "id rather not",
}
# Words that only soften an answer: "yep cheers", "ok ta", "nah thanks mate".
_SOFTENERS = {
    "thanks",
    "thank",
    "you",
    "ty",
    "thx",
    "cheers",
    "ta",
    "mate",
    "please",
    "pls",
    "then",
    "heaps",
    "bro",
    "chur",
    "lol",
    "haha",
    "hey",
    "oh",
    "um",
    "uh",
    "so",
    "well",
    "just",
}
_PUNCTUATION = re.compile(r"[^\w\s']+")


def _normalised(text: str) -> str:
    text = (text or "").lower().replace("\u2019", "'")
    text = _PUNCTUATION.sub(" ", text)
    return " ".join(text.split())


def yes_or_no(text: str) -> Optional[bool]:
    """True for a yes, False for a no, None when the text is not (only) a yes or a no."""
    phrase = _normalised(text)
    if not phrase or len(phrase) > 40:
        return None
    for candidate in (phrase, " ".join(w for w in phrase.split() if w not in _SOFTENERS)):
        # A repeated letter is emphasis: "yesss", "nooo", "yeppp".
        squeezed = re.sub(r"(\w)\1{2,}", r"\1", candidate)
        for form in (candidate, squeezed):
            if form in _NO:
                return False
            if form in _YES:
                return True
    return None


# Dismay or surprise before the real answer, not a no: "oh no", "uh oh", "oh dear".
_EXCLAMATIONS = tuple(
    phrase.split()
    for phrase in (
        "oh no",
        "oh noes",
        "uh oh",
        "oh dear",
        "oh god",
        "oh my god",
        "omg",
        "oh man",
        "oh crap",
        "damn",
        "dang",
        "bugger",
        "crikey",
        "yikes",
        "geez",
        "jeez",
    )
)


def opening_yes_or_no(text: str) -> Optional[bool]:
    """A reply that opens with a yes or a no and adds only words of its own ("yep thats right now",
    "nah not today thanks"): True or False, or None. "yes, but…" and "no, the email…" are None:
    a yes or no with a condition is not an answer on its own."""
    words = _normalised(text).split()
    if not words or any(word in ("but", "except", "although", "though", "however") for word in words):
        return None
    for exclamation in _EXCLAMATIONS:
        if words[: len(exclamation)] == exclamation and len(words) > len(exclamation):
            # "oh no. yeah go on then": dismay, then the answer (when what follows is one).
            after = _opening_answer(words[len(exclamation) :])
            if after is not None:
                return after
    return _opening_answer(words)


def _opening_answer(words: List[str]) -> Optional[bool]:
    whole = yes_or_no(" ".join(words))
    if whole is not None:
        return whole
    for length in (3, 2, 1):
        if len(words) > length:
            answer = yes_or_no(" ".join(words[:length]))
            if answer is not None:
                return answer
    return None


_THANKS = {
    "thanks",
    "thank",
    "thx",
    "thnx",
    "ty",
    "ta",
    "cheers",
    "chur",
    "tanks",
    "tq",
    "merci",
    "legend",
    "appreciated",
    "appreciate",
}
_THANKS_FILLERS = {
    "ok",
    "okay",
    "k",
    "kk",
    "righto",
    "sweet",
    "great",
    "awesome",
    "cool",
    "too",
    "easy",
    "good",
    "nice",
    "one",
    "you",
    "so",
    "much",
    "heaps",
    "mate",
    "very",
    "lots",
    "for",
    "that",
    "the",
    "help",
    "all",
    "perfect",
    "lovely",
    "brilliant",
    "bro",
    "again",
    "it",
    "a",
    "lot",
    "as",
    "many",
    "that's",
    "thats",
    "noted",
    "got",
    "alright",
    "mucho",
    "beauty",
    "bewdy",
    "ripper",
    "no",
    "worries",
    "bloody",
    "hell",
    "wow",
    "geez",
    "jeez",
    "strewth",
    "crikey",
    "oh",
    "ah",
    "right",
    "fair",
    "enough",
    "ka",
    "pai",
    "choice",
    "lol",
    "haha",
    "worth",
    "shot",
    "try",
    "love",
    "luv",
    "darl",
}


def is_thanks(text: str) -> bool:
    """ "ok ta", "too easy, cheers", "chur bro": thanks and nothing else."""
    words = _normalised(text).split()
    return (
        bool(words)
        and len(words) <= 8
        and any(w in _THANKS for w in words)
        and all(w in _THANKS or w in _THANKS_FILLERS for w in words)
    )


# Words that take up an offer; "ok", "righto" and "great" only acknowledge what was said.
_TAKES_IT_UP = {
    "yes",
    "yep",
    "yup",
    "yeah",
    "yea",
    "sure",
    "please",
    "pls",
    "go",
    "do",
    "definitely",
    "absolutely",
}


def acknowledges_with_thanks(text: str) -> bool:
    """ "ok ta", "righto cheers", "great thanks": thanks for what was said, not a yes to an offer.
    "yes thanks" and "sure, cheers" do take it up."""
    return is_thanks(text) and not set(_normalised(text).split()) & _TAKES_IT_UP


# "that's all", "that's it for now": the customer has nothing more to ask.
_CLOSINGS = (
    "that's all",
    "thats all",
    "that is all",
    "that's it",
    "thats it",
    "that's everything",
    "thats everything",
    "nothing else",
    "all done",
    "i'm done",
    "im done",
    "that'll do",
    "thatll do",
    "that will do",
    "all sorted",
    "nothing more",
)
_CLOSING_FILLERS = (
    _THANKS
    | _THANKS_FILLERS
    | {
        "yep",
        "yup",
        "yeah",
        "yes",
        "nah",
        "na",
        "now",
        "today",
        "from",
        "me",
        "i",
        "think",
        "guess",
        "then",
        "sorted",
        "champion",
        "cya",
        "bye",
    }
)


def is_closing(text: str) -> bool:
    """ "sweet as, that's all", "all good, that's it for now thanks": done, with nothing more to ask."""
    phrase = _normalised(text)
    closing = next((c for c in _CLOSINGS if re.search(rf"\b{re.escape(c)}\b", phrase)), None)
    if closing is None or len(phrase.split()) > 10:
        return False
    rest = re.sub(rf"\b{re.escape(closing)}\b", " ", phrase, count=1).split()
    return all(word in _CLOSING_FILLERS for word in rest)
