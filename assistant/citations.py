"""The shared citation check: every quote shown to a user is verbatim from its article.

Every composer (extractive, language model, positions, summaries, counterpoints)
builds its citations through `make_citation` / `verify_citations`, so a quote
that is not in the article's cleaned text never reaches a user, and none overlaps
a span flagged at index time as addressed to an AI assistant (index/injection.py).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from assistant.models import Citation, Passage

log = logging.getLogger(__name__)

_TRANSLATE = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
        "\u2013": "-", "\u2014": "-", "\u2012": "-", "\u2212": "-", "\u2010": "-", "\u2011": "-",
        "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2026": "...",
    }
)
_SPACE = re.compile(r"\s+")
_DASH_SPACING = re.compile(r"\s*-\s*")


def normalize(text: str) -> str:
    """Compare text the way the eval does: ASCII quotes/dashes, collapsed space, lower case.

    Spaces around dashes are dropped too, so "A — B" and "A—B" compare equal.
    """
    text = text.translate(_TRANSLATE)
    text = _DASH_SPACING.sub("-", text)
    return _SPACE.sub(" ", text).strip().lower()


def quote_in(quote: str, text: str) -> bool:
    """True when `quote` occurs verbatim in `text`, up to whitespace and typography."""
    needle = normalize(quote.strip().strip("\"'\u201c\u201d\u2018\u2019"))
    return bool(needle) and needle in normalize(text)


_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'\u201d\u2019)]?\s+(?=[\"'\u201c\u2018(]?[A-Z0-9])")
# A period after these does not end a sentence ("the U.S. Army", "Daniel R. DePetris").
ABBREVIATION = re.compile(
    r"(?:\b(?:[A-Z]\.)+|\b(?:Mr|Mrs|Ms|Dr|St|Gen|Sen|Rep|Gov|Lt|Col|Jr|Sr|No|vs|Prof|Amb|Adm|Sgt|Capt)\.)$"
)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of `text` (a quote-sized passage).

    A regex with an abbreviation guard, not nltk's punkt: punkt (as bundled with
    llama-index) cuts "the U.S. Army" after "U.S.", which breaks quotes. Passages
    are already sentence-split by the llama-index splitter at index time; this
    only cuts a passage into quotable sentences.
    """
    spans, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        if ABBREVIATION.search(text[max(start, match.start() - 12) : match.start()]):
            continue
        end = match.start() + len(match.group(0).rstrip())
        spans.append((start, end))
        start = match.end()
    spans.append((start, len(text.rstrip())))
    return [(a, b) for a, b in spans if b > a]


def sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in sentence_spans(text)]


WITHHELD = "[withheld: text addressed to an AI assistant]"


def withhold(passage: Passage, marker: str = WITHHELD) -> str:
    """The passage's text with each flagged span replaced by `marker` (the rest kept as is)."""
    text, out, at = passage.text, [], 0
    for flag in sorted(passage.flags, key=lambda f: f.start):
        start, end = max(flag.start - passage.start, at), min(flag.end - passage.start, len(text))
        if end > start:
            out += [text[at:start], marker]
            at = end
    return "".join(out) + text[at:]


def quotable_sentences(passage: Passage) -> list[str]:
    """The passage's sentences that overlap no flagged span: the only ones a composer may quote."""
    return [passage.text[a:b] for run in quotable_runs(passage) for a, b in run]


def quotable_runs(passage: Passage) -> list[list[tuple[int, int]]]:
    """Spans of the quotable sentences, in runs of consecutive ones: a quote of several sentences is
    the passage's own text from the first to the last of one run, never across a flagged sentence
    (paragraph breaks inside a run are kept in the text; see `paragraph_numbers`)."""
    runs: list[list[tuple[int, int]]] = [[]]
    for a, b in sentence_spans(passage.text):
        if passage.flagged(a, b):
            runs.append([])
            continue
        runs[-1].append((a, b))
    return [run for run in runs if run]


def paragraph_numbers(text: str, run: list[tuple[int, int]]) -> list[int]:
    """For each sentence span of `run`, the number of the paragraph of `text` it is in (counted
    from 0 at the run's first sentence): a line break between two sentences starts a new one."""
    numbers = [0] * len(run)
    for j in range(1, len(run)):
        numbers[j] = numbers[j - 1] + ("\n" in text[run[j - 1][1] : run[j][0]])
    return numbers


def make_citation(n: int, quote: str, passage: Passage, article_text: str) -> Citation | None:
    """A citation, or None (logged) when the quote is not verbatim in the article."""
    if not quote_in(quote, passage.text) or not quote_in(quote, article_text):
        log.warning("dropped citation [%d]: quote not found in %s: %r", n, passage.article_id, quote)
        return None
    # A quote found only across a flagged span would repeat the injected words to the user.
    if passage.flags and not quote_in(quote, withhold(passage, "\0")):
        log.warning("dropped citation [%d]: quote overlaps text flagged in %s", n, passage.article_id)
        return None
    return Citation(n=n, quote=quote.strip(), passage=passage)


def verify_citations(
    citations: Iterable[Citation], article_texts: dict[str, str]
) -> tuple[list[Citation], list[Citation]]:
    """Split citations into (kept, dropped) by checking each quote against its article."""
    kept, dropped = [], []
    for citation in citations:
        text = article_texts.get(citation.passage.article_id, "")
        ok = quote_in(citation.quote, citation.passage.text) and quote_in(citation.quote, text)
        (kept if ok else dropped).append(citation)
        if not ok:
            log.warning("dropped citation [%d]: quote not in its article", citation.n)
    return kept, dropped
