"""Stance accuracy on the labelled set eval/stance.jsonl: `python -m assistant.evaluation.stance`.

Prints the accuracy of the language model (when one is configured), of the offline side
method of debate prep (counter.py's contrast, polarity and rebuttal scores), and of always
answering the most frequent label, the floor any method must beat, each with its seconds per
pair; then the same for the held-out set eval/stance_heldout.jsonl when it exists (claims never
used to design the prompt: the check that a figure is not fitted to the labelled set's claims).
"""

from __future__ import annotations

import collections
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from assistant.citations import sentences
from assistant.compose.llm import ChatModel
from assistant.compose.local_model import display_name
from assistant.jobs import stance
from assistant.jobs.counter import _REBUTTAL_START, Sentence, polarity, score
from assistant.models import PairStance, Passage, StanceExample
from assistant.retrieval.query import negate
from assistant.retrieval.speakers import Speaker
from assistant.settings import PROJECT_ROOT, Settings
from index.embeddings import Embedder, load_embedder

STANCE_SET = PROJECT_ROOT / "eval" / "stance.jsonl"
HELDOUT_SET = PROJECT_ROOT / "eval" / "stance_heldout.jsonl"
LABELS = stance.LABELS
Method = Callable[[str, list[StanceExample]], list[PairStance]]


def load_set(path: Path = STANCE_SET) -> list[StanceExample]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [StanceExample.model_validate_json(line) for line in lines if line.strip()]


def as_passage(item: StanceExample, n: int) -> Passage:
    """The labelled span as a passage of its speaker (what the model is shown)."""
    author = None if item.speaker == "unknown" else item.speaker
    return Passage(id=f"stance-{n}", article_id=item.file, author=author, text=item.passage, start=0,
                   end=len(item.passage))


def by_claim(items: list[StanceExample]) -> dict[str, list[StanceExample]]:
    groups: dict[str, list[StanceExample]] = collections.defaultdict(list)
    for item in items:
        groups[item.claim].append(item)
    return groups


def accuracy(method: Method, items: list[StanceExample]) -> float:
    right = 0
    for claim, group in by_claim(items).items():
        right += sum(p == item.label for p, item in zip(method(claim, group), group, strict=True))
    return right / len(items)


def majority_method(items: list[StanceExample]) -> Method:
    top = collections.Counter(i.label for i in items).most_common(1)[0][0]
    return lambda claim, group: [top] * len(group)


def model_method(chat: ChatModel) -> Method:
    return lambda claim, group: stance.judge(chat, claim, [as_passage(item, n) for n, item in enumerate(group)])


def offline_method(embedder: Embedder) -> Method:
    """Debate prep's offline side: a span scoring above the claim's average against it is
    "oppose", else "support" (the method has no "neither")."""

    def method(claim: str, group: list[StanceExample]) -> list[PairStance]:
        claim_vector, negation_vector = embedder.encode([claim, negate(claim)])
        vectors = embedder.encode([item.passage for item in group])
        found = []
        for item, vector in zip(group, vectors, strict=True):
            parts = sentences(item.passage)
            relevance = float(vector @ claim_vector)
            rebutted = any(_REBUTTAL_START.match(p) for p in parts[1:])
            speaker = Speaker(item.speaker, item.speaker, item.speaker, None)
            passage = as_passage(item, 0)
            contrast = float(vector @ negation_vector) - relevance
            found.append(Sentence(passage, speaker, item.passage, relevance, contrast,
                                  polarity(item.passage) != polarity(claim), rebutted))
        score(found)
        mean = float(np.mean([s.against for s in found]))
        return ["oppose" if s.against > mean else "support" for s in found]

    return method


def report(path: Path, methods: list[tuple[str, Callable[[list[StanceExample]], Method]]]) -> None:
    """Each method's accuracy on the set at `path`, and its seconds per pair."""
    items = load_set(path)
    print(f"stance accuracy on {path.relative_to(PROJECT_ROOT)} ({len(items)} pairs, {len(by_claim(items))} claims)")
    for name, make in methods:
        start = time.monotonic()
        right = accuracy(make(items), items)
        print(f"  {name:<40} {right:.3f}  ({(time.monotonic() - start) / len(items):.2f} s a pair)")


def main() -> int:
    settings = Settings()
    embedder = load_embedder(settings.embed_model)
    methods: list[tuple[str, Callable[[list[StanceExample]], Method]]] = [
        ("majority label (floor)", majority_method),
        ("offline (counter.py scores)", lambda items: offline_method(embedder)),
    ]
    if settings.llm_enabled:
        chat = ChatModel(settings)
        methods.insert(0, (f"language model ({display_name(settings)})", lambda items: model_method(chat)))
    for path in (STANCE_SET, HELDOUT_SET):
        if path.is_file():
            report(path, methods)
    return 0


if __name__ == "__main__":
    sys.exit(main())
