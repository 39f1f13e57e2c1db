"""Answers without a language model: the best sentences of the best passages, verbatim.

The quote of each citation is the passage sentence (or two) closest in meaning to
the question, found by embedding the candidate sentences in one small batch.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .citations import make_citation, sentences
from .models import Answer, Citation, Passage
from .retrieval import Hit

NOT_ADDRESSED = (
    "The corpus does not address this question: no passage in the indexed articles "
    "is relevant enough to answer it."
)
EXTRACTIVE_NOTICE = "Extractive answer: verbatim passages, no language model configured."
MIN_QUOTE_WORDS = 12
RELEVANCE_MARGIN = 0.2  # cosine similarity below the best passage that still earns a citation

Encode = Callable[[list[str]], np.ndarray]


def best_quotes(passages: list[Passage], query_vector: np.ndarray, encode: Encode) -> list[str]:
    """For each passage, its sentence most similar to the query (two when the best is short)."""
    per_passage = [sentences(p.text) or [p.text] for p in passages]
    flat = [s for group in per_passage for s in group]
    if not flat:
        return []
    scores = encode(flat) @ query_vector
    quotes, offset = [], 0
    for group in per_passage:
        local = scores[offset : offset + len(group)]
        offset += len(group)
        best = int(np.argmax(local))
        quote = group[best]
        if len(quote.split()) < MIN_QUOTE_WORDS and len(group) > 1:
            neighbour = best + 1 if best + 1 < len(group) else best - 1
            first, last = sorted((best, neighbour))
            quote = _span(group, first, last)
        quotes.append(quote)
    return quotes


def _span(group: list[str], first: int, last: int) -> str:
    # Consecutive sentences are separated by one space in the passage in nearly all
    # cases; the citation check still verifies the joined quote against the article.
    return " ".join(group[first : last + 1])


def close_to_best(hits: list[Hit], margin: float = RELEVANCE_MARGIN) -> list[Hit]:
    """The hits whose similarity is within `margin` of the best one: a clearly weaker
    passage padded into an answer reads as evidence it is not."""
    best = max((h.dense for h in hits), default=0.0)
    return [h for h in hits if h.dense >= best - margin]


def passage_label(p: Passage) -> str:
    title = f"*{p.title}*" if p.title else "*untitled*"
    where = ", ".join(x for x in (p.outlet, p.date) if x)
    return f"{title} ({where})" if where else title


def cite_passages(
    hits: list[Hit],
    query_vector: np.ndarray,
    encode: Encode,
    article_texts: dict[str, str],
) -> list[Citation]:
    """Verified citations, numbered from 1, one per hit (failing quotes are dropped)."""
    passages = [h.passage for h in hits]
    citations: list[Citation] = []
    for passage, quote in zip(passages, best_quotes(passages, query_vector, encode)):
        text = article_texts.get(passage.article_id, "")
        citation = make_citation(len(citations) + 1, quote, passage, text)
        if citation is None:  # a joined two-sentence quote may fail: fall back to the passage
            citation = make_citation(len(citations) + 1, passage.text, passage, text)
        if citation:
            citations.append(citation)
    return citations


def render(citations: list[Citation], compare: bool) -> str:
    """Markdown grouped by speaker: who argues what, each quote with its [n]."""
    by_author: dict[str, list[Citation]] = {}
    for c in citations:
        voice = c.passage.author or f"Unknown author ({c.passage.outlet or 'unknown outlet'})"
        by_author.setdefault(voice, []).append(c)
    lead = (
        "Where the authors stand, in their own words:"
        if compare and len(by_author) > 1
        else "What the corpus says, in the authors' own words:"
    )
    blocks = [lead]
    for author, group in by_author.items():
        lines = [f"**{author}**, {passage_label(group[0].passage)}:"]
        lines += [f"> \u201c{c.quote}\u201d [{c.n}]" for c in group]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def compose(
    question: str,
    hits: list[Hit],
    grounded: bool,
    compare: bool,
    query_vector: np.ndarray,
    encode: Encode,
    article_texts: dict[str, str],
) -> Answer:
    if not grounded or not hits:
        return Answer(question=question, answer=NOT_ADDRESSED, grounded=False, notices=[EXTRACTIVE_NOTICE])
    citations = cite_passages(close_to_best(hits), query_vector, encode, article_texts)
    if not citations:
        return Answer(question=question, answer=NOT_ADDRESSED, grounded=False, notices=[EXTRACTIVE_NOTICE])
    return Answer(
        question=question,
        answer=render(citations, compare),
        citations=citations,
        grounded=True,
        mode="extractive",
        notices=[EXTRACTIVE_NOTICE],
    )
