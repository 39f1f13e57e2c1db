"""Answers without a language model: the best sentences of the best passages, verbatim.

The quote of each citation is the passage sentence (or two) closest in meaning to
the question, found by embedding the candidate sentences in one small batch.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

from assistant.citations import make_citation, paragraph_numbers, quotable_runs
from assistant.models import Answer, Article, Citation, Passage
from assistant.retrieval.hybrid import Hit
from assistant.retrieval.lexical import tokenize
from assistant.retrieval.speakers import Speaker, is_shared_text, speaker_of, unknown_label

NOT_ADDRESSED = (
    "The corpus does not address this question: no passage in the indexed articles "
    "is relevant enough to answer it."
)
EXTRACTIVE_NOTICE = "Extractive answer: verbatim passages, no language model configured."
MIN_QUOTE_WORDS = 12
# An answer's quote grows from the best sentence, one better neighbour at a time (its paragraph
# first), until it has this many words: one sentence often carries the topic and the next the
# point ("I have heard it asserted ... / Nothing can be more fallacious"). Measured on both
# corpora's sets (make eval's "gold spans quoted in answers"): 12 words 0.67 (seed) / 0.40
# (general); one neighbour up to 40 words 0.81 / 0.57; grown to 50 words 0.81 / 0.62. Grown to the
# whole paragraph, up to 150 words (a passage's size), every one of nine sets rises or holds
# (2026-12-06: general 0.619 -> 0.667, its check set 0.548 -> 0.746, conventions-1/2/3 0.647 ->
# 0.706, 0.824 -> 0.853, 0.656 -> 0.688, seed dev 0.806 -> 0.833, check sets 0.688 -> 0.750,
# 0.469 -> 0.562, 0.875 -> 0.906; at 80 words about half of that): the reader sees the paragraph
# that answers, with the sentences that give its point. Grown on into the passage's next paragraph
# on the question's topic once its own is used up (`_grown_span`), all 16 sets of the twelve
# corpora rise or hold, 0.690 -> 0.779 over their 291 answerable questions (2026-12-06;
# conventions-7 0.618 -> 0.824, seed dev 0.833 -> 0.917), at 420 quoted words an answer against 319.
ANSWER_QUOTE_WORDS = 150
# A quote goes on into a paragraph whose best sentence scores at least this share of its own best
# (`_grown_span`): over the same sets, all paragraphs 0.788, this bar 0.779, 0.3 of it 0.783; at
# 0.3 an instruction paragraph the injection detector missed (eval/injection, energy-truce.txt,
# 0.335 against a best of 0.786) was quoted, at 0.5 none of the four is.
NEXT_PARAGRAPH_SHARE = 0.5
# A person's lead line ("Who says what") is their view in brief: its quote grows to 50 words.
VIEW_QUOTE_WORDS = 50
# A quote stays quote-sized: no longer than a passage.
QUOTE_MAX_WORDS = 150
# A question's own words in a sentence count beside its meaning (cosine + this x the share of
# the question's stemmed words it holds): MiniLM alone picks "The moment he explains his terms
# ... Cato dies." for "How many of Cato's letters had been printed?" over "Four letters have
# already appeared under the specious name of Cato."
QUOTE_LEXICAL = 0.8
RELEVANCE_MARGIN = 0.2  # cosine similarity below the best passage that still earns a citation

Encode = Callable[[list[str]], np.ndarray]


def best_quotes(
    passages: list[Passage], query_vector: np.ndarray, encode: Encode, question: str = "",
    min_words: int = MIN_QUOTE_WORDS,
) -> list[str]:
    """For each passage, its sentence closest to the query, grown by its better neighbour (then
    the better neighbour of that span) while shorter than `min_words`, its paragraph first; never
    a sentence flagged as addressed to an AI assistant, nor across one (`quotable_runs`). With the
    `question`'s text, its words in a sentence count too (QUOTE_LEXICAL)."""
    per_passage = [quotable_runs(p) or [[(0, len(p.text))]] for p in passages]
    flat = [p.text[a:b] for p, runs in zip(passages, per_passage) for run in runs for a, b in run]
    if not flat:
        return []
    scores = encode(flat) @ query_vector
    terms = set(tokenize([question])[0]) if question else set()
    if terms:
        scores = scores + QUOTE_LEXICAL * np.array([len(terms & set(words)) / len(terms) for words in tokenize(flat)])
    quotes, offset = [], 0
    for passage, runs in zip(passages, per_passage):
        scored = []
        for run in runs:
            scored.append((run, scores[offset : offset + len(run)]))
            offset += len(run)
        run, local = max(scored, key=lambda pair: pair[1].max())  # the run holding the best sentence
        quotes.append(_grown_span(passage.text, run, local, min_words))
    return quotes


def _grown_span(text: str, run: list[tuple[int, int]], scores: np.ndarray, min_words: int) -> str:
    """The best-scoring sentence of `run` (spans of consecutive sentences of `text`), extended to
    the better of its two neighbours until `min_words` (a neighbour that would take the quote past
    QUOTE_MAX_WORDS is passed over); the quote is `text`'s own characters, spaces included.

    A neighbour in a paragraph the quote already reaches comes before one in the next paragraph:
    the quote reads as the paragraph that answers, and goes on into the next one only when that
    paragraph is used up (a passage's point is often the paragraph after the one naming its topic,
    or after a heading) and only into a paragraph on the question's topic (NEXT_PARAGRAPH_SHARE): a
    paragraph of other matter, such as an instruction to AI assistants that detection missed,
    stops the quote."""
    def words(j: int) -> int:
        return len(text[run[j][0] : run[j][1]].split())

    paragraph = paragraph_numbers(text, run)
    best_in: dict[int, float] = {}
    for j, number in enumerate(paragraph):
        best_in[number] = max(best_in.get(number, float(scores[j])), float(scores[j]))
    first = last = int(np.argmax(scores))
    bar = NEXT_PARAGRAPH_SHARE * float(scores[first])
    count = words(first)
    while count < min_words:
        reached = {paragraph[first], paragraph[last]}
        steps = [j for j in (first - 1, last + 1) if 0 <= j < len(run) and count + words(j) <= QUOTE_MAX_WORDS
                 and (paragraph[j] in reached or best_in[paragraph[j]] >= bar)]
        if not steps:
            break
        step = max(steps, key=lambda j: (paragraph[j] in reached, scores[j]))
        first, last = min(first, step), max(last, step)
        count += words(step)
    return text[run[first][0] : run[last][1]]


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
    question: str,
    query_vector: np.ndarray,
    encode: Encode,
    article_texts: dict[str, str],
) -> list[Citation]:
    """Verified citations, numbered from 1, one per hit (failing quotes are dropped)."""
    passages = [h.passage for h in hits]
    citations: list[Citation] = []
    quotes = best_quotes(passages, query_vector, encode, question, ANSWER_QUOTE_WORDS)
    for passage, quote in zip(passages, quotes):
        text = article_texts.get(passage.article_id, "")
        citation = make_citation(len(citations) + 1, quote, passage, text)
        if citation is None:  # a joined two-sentence quote may fail: fall back to the passage
            citation = make_citation(len(citations) + 1, passage.text, passage, text)
        if citation:
            citations.append(citation)
    return citations


# A question opening with an auxiliary ("Would ...", "Should ...", "Is ...") asks yes or no:
# its answer is each person's view, not the passages most similar to its wording.
_YES_NO = re.compile(
    r"^\W*(would|should|will|is|are|was|were|do|does|did|can|could|has|have|had|may|might|must|shall)\b",
    re.IGNORECASE,
)
View = Callable[[Speaker], Citation | None]


def asks_for_views(question: str, compare: bool) -> bool:
    """A yes/no or comparison question: each person's line is their most representative quote."""
    return compare or _YES_NO.match(question) is not None


def voice_of(passage: Passage, articles: dict[str, Article]) -> str:
    """Whose words: the person, or the unsigned article's "Unknown author (outlet)"."""
    if passage.author:
        return passage.author
    article = articles.get(passage.article_id)
    return unknown_label(article) if article else f"Unknown author ({passage.outlet or 'unknown outlet'})"


def who_says_what(
    citations: list[Citation], articles: dict[str, Article], view: View | None
) -> tuple[list[tuple[str, Citation]], list[Citation]]:
    """One lead citation per voice (in ranking order), and the evidence not already in a lead.

    The lead is the voice's most representative quote on the question when `view` gives one
    (it may come from a passage the answer's search did not rank), else their best-ranked quote.
    All citations are renumbered in the order they are shown: leads, then evidence.
    """
    first: dict[str, Citation] = {}
    for c in citations:
        first.setdefault(voice_of(c.passage, articles), c)
    leads = []
    for voice, best in first.items():
        speaker = speaker_of(best.passage, articles)
        leads.append((voice, (view(speaker) if view and speaker else None) or best))
    shown = {(c.passage.id, c.quote) for _, c in leads}
    rest = [c for c in citations if (c.passage.id, c.quote) not in shown]
    numbered = [c.model_copy(update={"n": n}) for n, c in enumerate([c for _, c in leads] + rest, 1)]
    return [(voice, c) for (voice, _), c in zip(leads, numbered, strict=False)], numbered[len(leads):]


def _one_line(quote: str) -> str:
    """A quote that spans paragraphs, on one line: a line break would end the list item or the
    blockquote that holds it (the words stay verbatim up to whitespace, which `quote_in` ignores)."""
    return " ".join(quote.split())


def render(leads: list[tuple[str, Citation]], evidence: list[Citation], articles: dict[str, Article]) -> str:
    """Markdown: who says what (one line per person, their own words), then the further evidence."""
    blocks = ["Who says what, in their own words:"]
    blocks.append("\n".join(
        f"- **{voice}**: \u201c{_one_line(c.quote)}\u201d [{c.n}]" for voice, c in leads
    ))
    by_voice: dict[str, list[Citation]] = {}
    for c in evidence:
        by_voice.setdefault(voice_of(c.passage, articles), []).append(c)
    if by_voice:
        blocks.append("Evidence:")
    for voice, group in by_voice.items():
        lines = [f"**{voice}**, {passage_label(group[0].passage)}:"]
        lines += [f"> \u201c{_one_line(c.quote)}\u201d [{c.n}]" for c in group]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def compose(
    question: str,
    hits: list[Hit],
    grounded: bool,
    query_vector: np.ndarray,
    encode: Encode,
    articles: dict[str, Article],
    view: View | None = None,
) -> Answer:
    """The extractive answer; `view` gives a person's representative quote (yes/no, comparisons)."""
    # A dek or standfirst is the publication's, not a speaker's: it is not a voice of the answer.
    hits = [h for h in hits if not is_shared_text(h.passage, articles)]
    if not grounded or not hits:
        return Answer(question=question, answer=NOT_ADDRESSED, grounded=False, notices=[EXTRACTIVE_NOTICE])
    texts = {a.id: a.text for a in articles.values()}
    citations = cite_passages(close_to_best(hits), question, query_vector, encode, texts)
    if not citations:
        return Answer(question=question, answer=NOT_ADDRESSED, grounded=False, notices=[EXTRACTIVE_NOTICE])
    leads, evidence = who_says_what(citations, articles, view)
    return Answer(
        question=question,
        answer=render(leads, evidence, articles),
        citations=[c for _, c in leads] + evidence,
        grounded=True,
        mode="extractive",
        notices=[EXTRACTIVE_NOTICE],
    )
