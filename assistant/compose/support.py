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
Text flagged at index time as addressed to a model is never support. A sentence with no
citation, or pointing to a web address (an answer about the articles never
needs one: the references name the sources), is never supported.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

import numpy as np

from assistant.citations import quotable_sentences
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
# A URL, or a bare lower-case domain name ("portal.example", "site.co.uk/page"); a capital after
# the dot is a missing space between sentences, not a domain.
_WEB_ADDRESS = re.compile(r"\bhttps?://|\bwww\.|\b[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}/\S"
                          r"|(?-i:\b(?:[a-z0-9-]+\.)+[a-z]{2,24}\b)", re.IGNORECASE)


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
        # Flagged spans (text addressed to a model) are never support, whatever they say.
        self.groups = [quotable_sentences(p) for p in passages]
        flat = [s for g in self.groups for s in g]
        texts = flat + ([question] if question else [])
        vectors = encode(texts) if texts else np.zeros((0, 0))
        self.question = vectors[len(flat)] if question else None
        bounds = np.cumsum([0] + [len(g) for g in self.groups])
        self.vectors = [vectors[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]

    def reason(self, sentence: str, numbers: list[int], quote_verified: bool = False) -> str:
        """Why `sentence` (plain) citing passages `numbers` is not supported; "" when it is."""
        return self.cite(sentence, numbers, set(numbers) if quote_verified else set())[1]

    def cite(self, sentence: str, numbers: list[int], quoted: Collection[int] = (),
             candidates: Sequence[int] = ()) -> tuple[list[int], str]:
        """The passages that back `sentence` (plain), and why it is not supported ("" when it is).

        Backed are its own citations `numbers` that hold its verified quotes (`quoted`) or score
        at least PASSAGE_MIN. With none, the best of `candidates` that does: a small model cites
        the wrong number, or numbers its points "[1] ... [2] ..." like a list, so the passage
        shown is the one measured to back the sentence, not the one the model named.
        """
        if not numbers and not candidates:
            return [], NO_CITATION
        if _WEB_ADDRESS.search(sentence):
            return [], WEB_ADDRESS
        vector = self.encode([sentence])[0]
        backed = [n for n in numbers if n in quoted or self._passage(vector, [n]) >= PASSAGE_MIN]
        if not backed:
            scored = [(n in quoted, self._passage(vector, [n]), n) for n in candidates]
            best = max(scored, default=None)
            backed = [best[2]] if best and (best[0] or best[1] >= PASSAGE_MIN) else []
        on_question = self.question is None or float(self.question @ vector) >= QUESTION_MIN
        if backed and on_question:
            return backed, ""
        if not on_question:
            return [], OFF_QUESTION
        return [], NOT_BACKED if numbers else NO_CITATION

    def score(self, sentence: str, numbers: list[int]) -> Score:
        """`sentence` (plain, without markers) citing passages `numbers`."""
        vector = self.encode([sentence])[0]
        question = None if self.question is None else float(self.question @ vector)
        return Score(self._passage(vector, numbers), question)

    def _passage(self, vector: np.ndarray, numbers: list[int]) -> float:
        cited = [self.vectors[n - 1] for n in numbers if 1 <= n <= len(self.vectors) and len(self.vectors[n - 1])]
        return max((float(np.max(v @ vector)) for v in cited), default=0.0)
