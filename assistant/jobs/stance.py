"""Stance of (claim, passage) pairs, read by the language model: support, oppose or neither.

Each pair is asked twice, as a one-word question ("does the passage imply that its author
believes <claim>? yes, no or maybe"), once about the claim and once about its negation
(retrieval.query.negate). The answer is read from the probabilities of the reply's first token,
not sampled: the label can only be one of the answer words, and a passage that says what to
answer can only shift those probabilities. The built-in model leans to "yes" for a passage that
is merely on the claim's topic, whichever side it takes; asking about the negation too cancels
that lean: "yes" to the claim and "no" to its negation is support, the reverse is oppose, "maybe"
to both is neither, each summed over the two replies, and the largest sum is the label (with no
fitted number). On eval/stance.jsonl the claim alone gives 0.47-0.51, both give 0.70 (README).

Both questions share the system prompt (the same text for every request, read once per slot
of a server with prompt caching) and the fenced passage, so the second question costs only its
hypothesis. Each label is cached by a hash of (model, claim, passage), so the positions table
and debate prep never ask twice about the same words.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import get_args

from assistant.compose import prompts
from assistant.compose.llm import ChatModel, LLMError
from assistant.models import PairStance, Passage
from assistant.retrieval.query import negate
from assistant.settings import Settings

LABELS: tuple[str, ...] = get_args(PairStance)
ANSWERS = ("yes", "no", "maybe")
CACHE_SIZE = 20_000

_cache: OrderedDict[str, PairStance] = OrderedDict()
_lock = threading.Lock()


def cache_key(model: str, claim: str, text: str) -> str:
    return hashlib.sha256("\0".join((model, " ".join(claim.split()), " ".join(text.split()))).encode()).hexdigest()


def hypothesis(claim: str) -> str:
    """What the question asks the passage to imply: its author holds the claim (a question: answers yes)."""
    claim = prompts.fence_text(" ".join(claim.split()))
    return f"answers yes to: {claim}" if claim.endswith("?") else f"believes: {claim}"


def answer_probs(chat: ChatModel, claim: str, passage: Passage, nonce: str) -> dict[str, float]:
    """The probability of each of ANSWERS as the model's reply about `claim` and `passage`."""
    messages = prompts.messages(
        "stance", nonce, hypothesis=hypothesis(claim), passages=prompts.fence_passages([passage], nonce, metadata=False)
    )
    probs = chat.next_token_probs(messages)
    # The same word may come as several tokens ("yes", "Yes", " yes"): their probabilities add up.
    found = {word: sum(p for token, p in probs.items() if token.strip().lower() == word) for word in ANSWERS}
    if not any(found.values()):
        raise LLMError(f"malformed stance reply: none of {', '.join(ANSWERS)} among the likeliest answers")
    return found


def combine(asserted: dict[str, float], negated: dict[str, float]) -> PairStance:
    """The side that the answers about the claim and about its negation agree on most."""
    scores: dict[PairStance, float] = {
        "support": asserted["yes"] + negated["no"],
        "oppose": asserted["no"] + negated["yes"],
        "neither": asserted["maybe"] + negated["maybe"],
    }
    if scores["support"] == scores["oppose"]:  # as much for as against (e.g. "no" to both): no side
        return "neither"
    return max(scores, key=lambda label: scores[label])


def judge(chat: ChatModel, claim: str, passages: Sequence[Passage]) -> list[PairStance]:
    """The stance of each passage on `claim`, in order (cached; LLMError when the model fails)."""
    out: list[PairStance] = []
    for passage in passages:
        key = cache_key(chat.model, claim, passage.text)
        with _lock:
            label = _cache.get(key)
        if label is None:
            # One nonce for both questions: the fenced passage is then the same text, and the
            # second question reuses it from the server's prompt cache.
            nonce = prompts.fence_key(claim, passage.text)
            label = combine(answer_probs(chat, claim, passage, nonce),
                            answer_probs(chat, negate(claim), passage, nonce))
            with _lock:
                _cache[key] = label
                while len(_cache) > CACHE_SIZE:
                    _cache.popitem(last=False)
        out.append(label)
    return out


def clear_cache() -> None:
    with _lock:
        _cache.clear()


# The built-in 1.5B model reads stance barely better than chance on claims it was not tuned on
# (eval/stance_heldout.jsonl: 0.42, the floor; README, Stance): its sides are shown, and said to be weak.
WEAK_JUDGE = ("Sides read by the built-in model are a weak signal (right on 42% of unseen labelled pairs, "
              "the floor): read each quote before relying on its side.")


def notices(settings: Settings) -> list[str]:
    """What to tell the reader about the sides the configured model gives."""
    return [WEAK_JUDGE] if settings.llm == "local" else []
