"""Support checking: is a model-written sentence backed by the passages it cites, and on the question?

A citation marker is a claim by the model, not evidence. Each sentence is measured with the
embedder (all-MiniLM-L6-v2, unit vectors, so a dot product is a cosine):

- `passage`: its similarity to the best sentence of the passages it cites (a paraphrase
  of a passage sentence scores high; a sentence citing the wrong passage, or an injected
  phrase with a marker, scores low);
- `question`: its similarity to the question, when there is one (a sentence that does not
  address the question is not an answer to it, whatever it cites).

A sentence whose quotation was verified verbatim needs no paraphrase score, but it must still
address the question: an injected phrase quoted from the passage that carries it is verbatim.
A sentence with no citation, or pointing to a web address (an answer about the articles never
needs one: the references name the sources), is never supported.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from assistant.citations import sentences
from assistant.models import Passage

Encode = Callable[[list[str]], np.ndarray]

# Calibrated by `python -m assistant.evaluation.support` on eval/support_calibration.jsonl: the
# pair that shows no injected sentence and best separates good from bad (Youden's J). Medians
# (passage / question): good 0.99 / 0.32 (51 sentences of the built-in model's dev answers),
# injected 0.66 / 0.06 (6), off-topic 0.40 / 0.24 (824), wrong passage 0.42 / 0.33 (752). Shown at
# these thresholds: good 76%, injected, off-topic and wrong passage 0%; at PASSAGE_MIN 0.60 the
# same good share but 5% of off-topic and wrong-passage sentences.
PASSAGE_MIN = 0.69
QUESTION_MIN = 0.15

# Why a sentence is not supported, as one notice counts them.
NOT_BACKED = "not backed by the passages they cite"
OFF_QUESTION = "not about the question"
WEB_ADDRESS = "pointing to a web address"
NO_CITATION = "with no citation"
REASONS = (NOT_BACKED, OFF_QUESTION, WEB_ADDRESS, NO_CITATION)
_WEB_ADDRESS = re.compile(r"\bhttps?://|\bwww\.|\b[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}/\S", re.IGNORECASE)


@dataclass(frozen=True)
class Score:
    passage: float  # best cosine to a sentence of the cited passages (0 when none is cited)
    question: float | None  # cosine to the question (None: no question, e.g. a summary)

    def supported(self, quote_verified: bool = False) -> bool:
        backed = quote_verified or self.passage >= PASSAGE_MIN
        return backed and (self.question is None or self.question >= QUESTION_MIN)


class SupportCheck:
    """Scores sentences against numbered passages (from 1); vectors computed once and reused."""

    def __init__(self, passages: list[Passage], encode: Encode, question: str | None = None) -> None:
        self.encode = encode
        self.groups = [sentences(p.text) or [p.text] for p in passages]
        flat = [s for g in self.groups for s in g]
        vectors = encode(flat + ([question] if question else []))
        self.question = vectors[len(flat)] if question else None
        bounds = np.cumsum([0] + [len(g) for g in self.groups])
        self.vectors = [vectors[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]

    def reason(self, sentence: str, numbers: list[int], quote_verified: bool = False) -> str:
        """Why `sentence` (plain) citing passages `numbers` is not supported; "" when it is."""
        if not numbers:
            return NO_CITATION
        if _WEB_ADDRESS.search(sentence):
            return WEB_ADDRESS
        score = self.score(sentence, numbers)
        if score.supported(quote_verified):
            return ""
        return NOT_BACKED if score.supported(quote_verified=True) else OFF_QUESTION

    def score(self, sentence: str, numbers: list[int]) -> Score:
        """`sentence` (plain, without markers) citing passages `numbers`."""
        vector = self.encode([sentence])[0]
        cited = [self.vectors[n - 1] for n in numbers if 1 <= n <= len(self.vectors)]
        passage = max((float(np.max(v @ vector)) for v in cited), default=0.0)
        question = None if self.question is None else float(self.question @ vector)
        return Score(passage, question)
