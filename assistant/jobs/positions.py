"""Positions: where each person in the corpus stands on a question, in their own words.

One row per speaker (see `speakers`): their strongest one to three passages on the
question, cited verbatim through the shared citation check, and a one-line summary.
The summary is the speaker's most representative sentence (verbatim, cited). Offline
the stance is "unlabeled" (shown as "side not determined"): embeddings measure topic, not
agreement, and the offline side method is right on only 51% of the labelled stance set
(eval/stance.jsonl), so a label would be a guess. With a language model the stance comes
from the model's reading of each of the row's quotes (assistant/stance.py). Speakers whose
best passage is not similar enough to the question are left out rather than padded with
weak passages.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from assistant.citations import make_citation
from assistant.compose.extractive import MIN_QUOTE_WORDS, VIEW_QUOTE_WORDS, Encode, best_quotes
from assistant.jobs import llm_common, stance
from assistant.models import Citation, PairStance, Passage, Position, Positions, Stance, voiced_by
from assistant.retrieval import grounding
from assistant.retrieval.hybrid import Hit, plan_search, voices_beside
from assistant.retrieval.speakers import Speaker, cached_encoder, speaker_hits, speakers

if TYPE_CHECKING:
    from assistant.jobs.context import JobContext

# A speaker counts as having said something relevant when one of their passages is at least as
# similar to the question as the corpus's off-topic floor (`grounding.topic_floor`: its own off-topic
# probes' mean + 3 sd; 0.36 on the seed corpus, 0.38 on corpus-general). A person the question names
# is heard from `grounding.NAMED_SD` sd (a lower bar: the question is about them). Further
# passages must also be within EVIDENCE_MARGIN of the speaker's best one, so a row is not padded with weak quotes.
EVIDENCE_MARGIN = 0.15
MAX_EVIDENCE = 3
CANDIDATES_PER_SPEAKER = 8
STANCE_ORDER = {"support": 0, "oppose": 1, "mixed": 2, "unclear": 3, "unlabeled": 4}
OFFLINE_NOTICE = (
    "Extractive positions: verbatim quotes, side not determined (no language model configured). "
    "A language model labels each author's stance (the built-in one, ASSISTANT_LLM=local, is a weak judge of it)."
)


@dataclass
class Row:
    """A speaker with their evidence, before it becomes a Position."""

    speaker: Speaker
    hits: list[Hit]
    citations: list[Citation] = field(default_factory=list)

    @property
    def relevance(self) -> float:
        return max(h.dense for h in self.hits)


def evidence(hits: list[Hit], floor: float) -> list[Hit]:
    """The speaker's candidate evidence, or none when nothing reaches `floor`."""
    best = max((h.dense for h in hits), default=0.0)
    if best < floor:
        return []
    return [h for h in hits if h.dense >= best - EVIDENCE_MARGIN]


# "How do the authors differ on whether ...", "Do Ashford and Kroenig agree about ...",
# "Where does Beebe stand on ...": the scaffolding of a comparison question names the job,
# not the topic, and dilutes the similarity of every passage to the topic.
_SCAFFOLD = re.compile(
    r"^\s*(?:(?:how|where|what|why|in what ways?)\s+)?(?:do|does|did|would|will)\s+(?:\S+\s+){1,6}?"
    r"(?:differ|disagree|agree|stand|think|feel|argue|say|view|see)\s+(?:on|about|over|regarding|with)?\s*"
    r"(?:whether|if|the question of)?\s*",
    re.IGNORECASE,
)


def topic(text: str) -> str:
    """The question without comparison scaffolding (unchanged when little would be left)."""
    stripped = _SCAFFOLD.sub("", text, count=1).strip()
    return stripped if len(stripped.split()) >= 2 else text


def gather(assistant: JobContext, question: str) -> tuple[str, list[Row], np.ndarray]:
    """The rows with relevant evidence, strongest speaker first (named authors only, if any)."""
    plan = assistant.plan(question)
    plan.text = topic(plan.text)
    retriever = assistant.retriever
    vector = retriever.encode_query(plan.text)
    # The whole question first goes through the answer's grounding check, so a question
    # the corpus does not address gets no rows at all rather than the least-bad quotes.
    if not assistant.is_grounded(plan_search(retriever, plan, 5, kinds=("body",), vector=vector), plan):
        return plan.text, [], vector
    # The people named (co-authors too, and the other side of a comparison naming only one), heard
    # in their quoted words as well.
    named = plan.authors + voices_beside(retriever, plan)
    pool = speakers(retriever, quoted=named)
    if plan.authors:
        pool = [s for s in pool if voiced_by(s.author, named)]
    rows = []
    floor = grounding.topic_floor(retriever, named=bool(plan.authors))
    for speaker in pool:
        kinds = ("body", "quote") if speaker.author in named else ("body",)
        hits = evidence(speaker_hits(retriever, speaker, plan.text, vector, CANDIDATES_PER_SPEAKER, kinds), floor)
        if hits:
            rows.append(Row(speaker, hits))
    rows.sort(key=lambda r: r.relevance, reverse=True)
    return plan.text, rows, vector


def strongest(
    hits: list[Hit], vector: np.ndarray, encode: Encode, min_words: int = MIN_QUOTE_WORDS
) -> list[tuple[Passage, str]]:
    """The 1-3 strongest passages, each with its sentence closest to the question.

    Strength is the passage's similarity plus its best sentence's: a passage vector
    averages all its sentences, so a passage with one sentence squarely on the question
    ("Russia is already the second-most sanctioned country") can rank below a vaguer one.
    """
    passages = [h.passage for h in hits]
    quotes = best_quotes(passages, vector, encode, min_words=min_words)
    scores = [h.dense + float(s) for h, s in zip(hits, encode(quotes) @ vector, strict=True)] if quotes else []
    ranked = sorted(zip(passages, quotes, scores, strict=True), key=lambda t: -t[2])
    return [(p, q) for p, q, _ in ranked[:MAX_EVIDENCE]]


def cite_rows(
    rows: list[Row], vector: np.ndarray, encode: Encode, texts: dict[str, str], min_words: int = MIN_QUOTE_WORDS
) -> None:
    """Number every row's citations in one sequence (rows are shown together)."""
    n = 0
    for row in rows:
        for passage, quote in strongest(row.hits, vector, encode, min_words):
            citation = make_citation(n + 1, quote, passage, texts.get(passage.article_id, ""))
            if citation:
                row.citations.append(citation)
                n += 1


def representative(citations: list[Citation], vector: np.ndarray, encode: Encode) -> Citation:
    """The quote closest to both the question and the speaker's other quotes on it."""
    if len(citations) == 1:
        return citations[0]
    vectors = encode([c.quote for c in citations])
    centroid = vectors.mean(axis=0)
    scores = vectors @ vector + vectors @ centroid
    return citations[int(np.argmax(scores))]


def speaker_view(assistant: JobContext, speaker: Speaker, text: str, vector: np.ndarray) -> Citation | None:
    """The speaker's most representative quote on `text`, as their positions row would show it."""
    encode = cached_encoder(assistant.embedder)
    hits = speaker_hits(assistant.retriever, speaker, text, vector, CANDIDATES_PER_SPEAKER)
    row = Row(speaker, evidence(hits, grounding.topic_floor(assistant.retriever)))
    if not row.hits:
        return None
    cite_rows([row], vector, encode, assistant.article_texts(), VIEW_QUOTE_WORDS)
    return representative(row.citations, vector, encode) if row.citations else None


def extractive_positions(assistant: JobContext, question: str) -> Positions:
    _, rows, vector = gather(assistant, question)
    encode = cached_encoder(assistant.embedder)
    cite_rows(rows, vector, encode, assistant.article_texts())
    positions = []
    for row in rows:
        if not row.citations:
            continue
        best = representative(row.citations, vector, encode)
        positions.append(
            Position(
                author=row.speaker.label,
                stance="unlabeled",
                summary=f"\u201c{best.quote}\u201d [{best.n}]",
                citations=row.citations,
            )
        )
    return Positions(question=question, positions=positions, notices=[OFFLINE_NOTICE])


def order(positions: Sequence[Position]) -> list[Position]:
    """For, against, mixed, unclear (stable: within a stance, the most relevant first)."""
    return sorted(positions, key=lambda p: STANCE_ORDER[p.stance])


# -- rendering ------------------------------------------------------------------------------
def _evidence_cells(position: Position) -> list[str]:
    return [f"[{c.n}] \u201c{c.quote}\u201d" for c in position.citations]


def to_markdown(result: Positions) -> str:
    """A Markdown table: author | stance | position | evidence."""
    if not result.positions:
        return f"No author in the corpus says anything relevant to: {result.question}"
    lines = ["| Author | Stance | Position | Evidence |", "|---|---|---|---|"]
    for p in result.positions:
        cells = [p.author, p.stance_label, p.summary, "<br>".join(_evidence_cells(p))]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


PLAIN_WIDTHS = (22, 10, 40, 60)


def to_text(result: Positions) -> str:
    """The same table in plain text, cells wrapped to fixed widths."""
    if not result.positions:
        return f"No author in the corpus says anything relevant to: {result.question}"
    header = ["author", "stance", "position", "evidence"]
    rows = [_plain_row([[h] for h in header]), _rule()]
    for p in result.positions:
        cells = [p.author, p.stance_label, p.summary, "\n".join(_evidence_cells(p))]
        rows.append(_plain_row([_wrap(c, w) for c, w in zip(cells, PLAIN_WIDTHS, strict=True)]))
        rows.append(_rule())
    return "\n".join(rows)


def _wrap(text: str, width: int) -> list[str]:
    return [line for part in text.split("\n") for line in (textwrap.wrap(part, width) or [""])]


def _plain_row(columns: list[list[str]]) -> str:
    height = max(len(c) for c in columns)
    lines = []
    for i in range(height):
        cells = [(c[i] if i < len(c) else "").ljust(w) for c, w in zip(columns, PLAIN_WIDTHS, strict=True)]
        lines.append(" | ".join(cells).rstrip())
    return "\n".join(lines)


def _rule() -> str:
    return "-+-".join("-" * w for w in PLAIN_WIDTHS)


def run(assistant: JobContext, question: str) -> Positions:
    """Positions for `question`: by the language model when configured, else extractive."""
    if llm_common.enabled(assistant):
        return order_result(llm_common.with_fallback(
            lambda: llm_positions(assistant, question), lambda: extractive_positions(assistant, question)
        ))
    return order_result(extractive_positions(assistant, question))


# -- with a language model ------------------------------------------------------------------
LLM_NOTICE = "Stances read by the language model from each author's own quotes, shown verbatim and cited."


def row_stance(labels: list[PairStance]) -> Stance:
    """An author's stance from the stance of each of their quotes: one side, both, or none."""
    sides = set(labels) - {"neither"}
    if not sides:
        return "unclear"
    return "mixed" if len(sides) > 1 else sides.pop()


# Quotes of a row the model reads, most relevant first, until one shows a side: two questions a quote
# take about 2.5 s on the 2-core machine, and a six-author table must come within 30 s (issue 13).
STANCE_QUOTES = 2


def llm_positions(assistant: JobContext, question: str) -> Positions:
    """The extractive rows, each labelled by the model's stance on the row's quotes.

    The model sees one quote at a time, under its author's name, so a label rests only on
    that author's own verbatim words (the citations, checked as offline). It reads the row's
    quotes in order and stops at the first that shows a side (at most STANCE_QUOTES).
    """
    result = extractive_positions(assistant, question)
    result.mode, result.notices = "llm", [LLM_NOTICE, *stance.notices(assistant.settings)]
    for position in result.positions:
        labels: list[PairStance] = []
        for citation in position.citations[:STANCE_QUOTES]:
            quote = citation.passage.model_copy(update={"text": citation.quote})
            labels += stance.judge(assistant.chat, question, [quote])
            if labels[-1] != "neither":
                break
        position.stance = row_stance(labels)
    return result


def order_result(result: Positions) -> Positions:
    result.positions = order(result.positions)
    return result
