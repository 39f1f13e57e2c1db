"""Debate prep: evidence cards for and against a claim, each a verbatim, fully cited passage.

Offline method (no language model), and why it works as far as it does:
1. Retrieve for the claim *and* for its negation ("X would reward Y" / "X would not
   reward Y", see `negate`). Passages that rebut a claim often share more with its
   denial than with the claim, so the union finds evidence the claim alone would miss.
2. Score every relevant sentence of those passages (cos(s, claim) at least the corpus's off-topic
   floor, `grounding`: the bound answers use, measured on the corpus at hand):
   - contrast, cos(s, negation) - cos(s, claim): claim and negation differ only in the
     negation, so their difference is the "denial" direction in embedding space; a
     sentence leaning towards the denial gets a positive contrast;
   - polarity: a denial word ("not", "cannot", "unlikely", "daunting") where the claim
     has none, or the reverse: the surface sign of a contradiction;
   - rebuttal: the sentence is followed by one opening "But"/"However"/"Yet": the
     concession-rebuttal move, the most explicit way an author answers a claim.
3. Aggregate per speaker (their "lean"): opinion writers argue one line throughout a
   piece, so an author's many relevant sentences average out the noise of single ones
   ("prefer authors whose passages stand against it").
A passage's score against the claim is its best sentence's relevance plus these signals;
counterpoints are the best passages, at most two per speaker while other voices have any
(`pick`); supporting cards are the most relevant remaining passages that do not stand against it.

Limits, measured: sentence embeddings mostly encode topic, so (1) and (2) are weak signals
and (3) only mildly helps; on the labelled stance set (eval/stance.jsonl, `python -m
assistant.evaluation.stance`) the side these scores give is right for 51% of the pairs, below the
53% of always answering the commonest label. So offline no side is asserted: the relevant
cards are returned as "side not determined", grouped by author (`undetermined`), and the
scores are kept only as that measured baseline. With a language model each candidate's
side is read by the model (assistant/stance.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from assistant.citations import make_citation, quotable_sentences, quote_in
from assistant.compose.enforce import QUOTE
from assistant.compose.extractive import Encode
from assistant.compose.support import SupportCheck
from assistant.jobs import llm_common, stance
from assistant.jobs.standalone import context_need
from assistant.models import Counterpoints, EvidenceCard, Passage
from assistant.retrieval import grounding
from assistant.retrieval.query import negate
from assistant.retrieval.speakers import cached_encoder, cite_for, speaker_of, speakers

if TYPE_CHECKING:
    from assistant.jobs.context import JobContext
    from assistant.retrieval.speakers import Speaker

CANDIDATES = 24  # passages retrieved for the claim, and again for its negation
MAX_COUNTERPOINTS = 6
MAX_SUPPORTING = 4
PER_SPEAKER = 2
OFFLINE_NOTICE = (
    "Side not determined: without a language model the side of a card cannot be read reliably "
    "(the offline method is right on 49% of the labelled stance set), so the relevant cards are "
    "grouped by author. A language model sorts them into counterpoints and supporting evidence "
    "(the built-in one, ASSISTANT_LLM=local, is a weak judge of sides)."
)

# -- scoring -----------------------------------------------------------------------------------
# Words that deny, doubt or limit what they are said of. A sentence on the claim's topic whose
# polarity differs from the claim's (it has such a word and the claim has none, or the reverse)
# is the classic surface sign of a contradiction (de Marneffe et al., "Finding Contradictions
# in Text", 2008: polarity features). Only denial words count: contrastive connectives are
# too common in argument to mean anything alone, and are read as a rebuttal below.
_POLARITY = re.compile(
    r"\b(not|no|never|nor|neither|none|cannot|\w+n[\'\u2019]t|impossible|unlikely|unrealistic|doubt\w*|dubious|"
    r"fail\w*|wrong|mistake\w*|daunting|stalemate|futile)\b",
    re.IGNORECASE,
)
# "Any peace treaty will necessarily reward Russia in some sense. But that is the nature of
# war": a sentence close to the claim followed by one opening with a contrastive connective
# is the concession-rebuttal move, the most explicit way an author answers a claim.
_REBUTTAL_START = re.compile(
    r"^[\"'\u201c\u2018(]*(but|however|yet|still|nevertheless|nonetheless|that said|even so|then again)\b",
    re.IGNORECASE,
)
POLARITY_WEIGHT = 1.0  # in standard deviations of relevance
REBUTTAL_WEIGHT = 2.5  # above a denial word plus a standard deviation of contrast: the most explicit signal
LEAN_WEIGHT = 0.5


def polarity(text: str) -> bool:
    return _POLARITY.search(text) is not None


@dataclass
class Sentence:
    passage: Passage
    speaker: Speaker
    text: str
    relevance: float  # cos(sentence, claim)
    contrast: float  # cos(sentence, negation) - cos(sentence, claim)
    flipped: bool  # polarity differs from the claim's
    rebutted: bool = False  # the next sentence answers it ("But ...")
    against: float = 0.0  # how strongly it stands against the claim (set by `score`)


def candidates(assistant: JobContext, claim: str, negation: str) -> list[Sentence]:
    """Relevant sentences of the passages found for the claim or for its negation."""
    retriever = assistant.retriever
    snap = retriever.snapshot()
    encode = cached_encoder(assistant.embedder)
    claim_vector, negation_vector = encode([claim, negation])
    passages: dict[str, Passage] = {}
    for text, vector in ((claim, claim_vector), (negation, negation_vector)):
        for hit in retriever.search(text, CANDIDATES, vector=vector, kinds=("body",)):
            passages.setdefault(hit.passage.id, hit.passage)
    labels = {s.key: s for s in speakers(retriever)}
    claim_polarity = polarity(claim)
    floor = grounding.topic_floor(retriever)
    found = []
    for passage in passages.values():
        speaker = speaker_of(passage, snap.articles)
        parts = quotable_sentences(passage)
        if speaker is None or not parts:
            continue
        vectors = encode(parts)
        relevance = vectors @ claim_vector
        contrast = vectors @ negation_vector - relevance
        for i, (text, r, x) in enumerate(zip(parts, relevance, contrast, strict=True)):
            if r >= floor:
                flipped = polarity(text) != claim_polarity
                rebutted = i + 1 < len(parts) and _REBUTTAL_START.match(parts[i + 1]) is not None
                found.append(Sentence(passage, labels.get(speaker.key, speaker), text, float(r), float(x), flipped,
                                      rebutted))
    return found


def _standard(values: np.ndarray) -> np.ndarray:
    return (values - values.mean()) / (values.std() or 1.0)


def score(found: list[Sentence]) -> dict[str, float]:
    """Set each sentence's score against the claim; return each speaker's lean against it."""
    if not found:
        return {}
    relevance = _standard(np.array([s.relevance for s in found]))
    contrast = _standard(np.array([s.contrast for s in found]))
    # A conceded-then-rebutted sentence restates the claim, so its own polarity and contrast
    # say "for"; the rebuttal that follows is what counts.
    signal = np.array([
        REBUTTAL_WEIGHT if s.rebutted else x + POLARITY_WEIGHT * s.flipped for s, x in zip(found, contrast, strict=True)
    ])
    # The lean averages the signals only, weighted by relevance: an author whose sentences
    # closest to the claim carry no sign of denial is restating it, i.e. leans *for* it.
    keys = sorted({s.speaker.key for s in found})
    lean_raw = np.array([
        np.average([g for s, g in zip(found, signal, strict=True) if s.speaker.key == k],
                   weights=[s.relevance for s in found if s.speaker.key == k])
        for k in keys
    ])
    lean = dict(zip(keys, _standard(lean_raw) if len(keys) > 1 else np.zeros(1), strict=True))
    for s, r, g in zip(found, relevance, signal, strict=True):
        s.against = float(r + g + LEAN_WEIGHT * lean[s.speaker.key])
    return lean


def best_per_passage(found: list[Sentence], key: Callable[[Sentence], float]) -> list[Sentence]:
    """Each passage once, represented by its sentence ranking highest by `key`, best first."""
    best: dict[str, Sentence] = {}
    for s in sorted(found, key=key, reverse=True):
        best.setdefault(s.passage.id, s)
    return list(best.values())


def pick(ranked: list[Sentence], limit: int, taken: set[str]) -> list[Sentence]:
    """Best first, at most PER_SPEAKER cards per speaker, none already used; when the other voices
    have nothing more to give, the rest of the `limit` goes to the best remaining passages (one
    writer answering a claim at length is still the evidence against it)."""
    out: list[Sentence] = []
    per: dict[str, int] = {}
    for capped in (True, False):
        for c in ranked:
            if len(out) == limit:
                return out
            if c.passage.id in taken or (capped and per.get(c.speaker.key, 0) >= PER_SPEAKER):
                continue
            out.append(c)
            per[c.speaker.key] = per.get(c.speaker.key, 0) + 1
            taken.add(c.passage.id)
    return out


# -- cards -------------------------------------------------------------------------------------
def card(assistant: JobContext, c: Sentence, tag: str, answers: str | None) -> EvidenceCard | None:
    """An evidence card; None when the card text fails the shared citation check."""
    texts = assistant.article_texts()
    if make_citation(1, c.passage.text, c.passage, texts.get(c.passage.article_id, "")) is None:
        return None
    cite = cite_for(c.passage, assistant.retriever.snapshot().articles, c.speaker.label)
    return EvidenceCard(tag=tag, cite=cite, text=c.passage.text, passage=c.passage, answers=answers)


TAG_CONTEXT_WEIGHT = 0.45  # per unit of `context_need`: a leaning sentence must be clearly closer to win


def extractive_tag(passage: Passage, claim_vector: np.ndarray, encode: Encode) -> str:
    """Offline, the tag is the passage's sentence that best states its point on the claim.

    Its point: closest to the claim and to the passage's own centroid (what the passage
    keeps saying), preferring a sentence that stands alone (verbatim, one line).
    """
    parts = quotable_sentences(passage) or [passage.text]
    vectors = encode(parts)
    centroid = vectors.mean(axis=0)
    centroid = centroid / max(float(np.linalg.norm(centroid)), 1e-12)
    need = np.array([context_need(p) for p in parts])
    best = int(np.argmax(vectors @ claim_vector + vectors @ centroid - TAG_CONTEXT_WEIGHT * need))
    return " ".join(parts[best].split())


def by_speaker(chosen: list[Sentence]) -> list[Sentence]:
    """Grouped by speaker, speakers in the order of their first (most relevant) card."""
    first = {}
    for i, c in enumerate(chosen):
        first.setdefault(c.speaker.key, i)
    return sorted(chosen, key=lambda c: first[c.speaker.key])


def extractive_counter(assistant: JobContext, claim: str) -> Counterpoints:
    """The most relevant passages, side not determined (see the module docstring), by author."""
    text = assistant.plan(claim).text
    found = candidates(assistant, text, negate(text))
    chosen = pick(best_per_passage(found, lambda s: s.relevance), MAX_COUNTERPOINTS + MAX_SUPPORTING, set())
    encode = cached_encoder(assistant.embedder)
    claim_vector = encode([text])[0]

    def tag(s: Sentence) -> str:
        return extractive_tag(s.passage, claim_vector, encode)

    return Counterpoints(
        claim=claim,
        undetermined=[x for c in by_speaker(chosen) if (x := card(assistant, c, tag(c), None))],
        notices=[OFFLINE_NOTICE],
    )


# -- the debate brief --------------------------------------------------------------------------
def cite_parts(card: EvidenceCard) -> list[str]:
    """As debaters cite: name, credential in a few words, outlet, date, title (then the link)."""
    c = card.cite
    title = f"\u201c{c.title}\u201d" if c.title else "untitled"
    return [x for x in (c.author, c.credentials, c.outlet, c.date, title, c.url) if x]


def cite_line(card: EvidenceCard) -> str:
    return ", ".join(cite_parts(card))


def quoted(text: str) -> str:
    """The card text as one Markdown blockquote, every paragraph of the passage inside it."""
    return "\n".join(f"> {line}".rstrip() for line in text.strip().splitlines())


def brief(result: Counterpoints) -> str:
    """A Markdown debate brief: the claim (the heading every card answers), then the counterpoint and
    supporting cards (offline: one section of cards whose side was not determined, by author)."""
    lines = ["# Debate brief", "", f"**Claim:** {result.claim}", ""]
    sections = [("Counterpoints", result.counterpoints), ("Supporting evidence", result.supporting)]
    if result.undetermined:
        sections = [("Side not determined (by author)", result.undetermined)]
    for heading, cards in sections:
        lines += [f"## {heading}", ""]
        if not cards:
            lines += ["_No evidence found in the corpus._", ""]
        for i, c in enumerate(cards, 1):
            lines += [f"### {i}. {c.tag}", "", f"*{cite_line(c)}*", "", quoted(c.text), ""]
    return "\n".join(lines).rstrip() + "\n"


def run(assistant: JobContext, claim: str) -> Counterpoints:
    """Evidence cards for and against `claim`: classified by the language model when configured."""
    if llm_common.enabled(assistant):
        return llm_common.with_fallback(
            lambda: llm_counter(assistant, claim), lambda: extractive_counter(assistant, claim)
        )
    return extractive_counter(assistant, claim)


# -- with a language model -----------------------------------------------------------------------
LLM_POOL = 12  # candidate passages the model classifies
MAX_TAG_WORDS = 25
LLM_NOTICE = "Sides and tags by the language model; card text and cites taken verbatim from the articles."


def llm_counter(assistant: JobContext, claim: str) -> Counterpoints:
    """The model classifies the candidates for/against and writes the tags; we build the cards.

    Card text and cite come from the passage and its article, never from the model, so a
    card cannot be misattributed; a tag that quotes words its passage does not contain is
    replaced by the passage's own sentence.
    """
    text = assistant.plan(claim).text
    found = candidates(assistant, text, negate(text))
    # The most relevant passages, at most two per speaker, so every voice gets classified.
    pool = pick(best_per_passage(found, lambda s: s.relevance), LLM_POOL, set())
    if not pool:
        return Counterpoints(claim=claim, mode="llm", notices=["No passage in the corpus is relevant to this claim."])
    # The model reads each candidate's own words on the claim: its sentence closest to the claim
    # (with the "But ..." that answers it, when there is one), as the author wrote it.
    sides = stance.judge(assistant.chat, claim, [s.passage.model_copy(update={"text": stance_span(s)}) for s in pool])
    taken: set[str] = set()
    against = pick([s for s, side in zip(pool, sides, strict=True) if side == "oppose"], MAX_COUNTERPOINTS, taken)
    support = pick([s for s, side in zip(pool, sides, strict=True) if side == "support"], MAX_SUPPORTING, taken)
    tags, notices = llm_tags(assistant, claim, against + support)
    encode = cached_encoder(assistant.embedder)
    claim_vector = encode([text])[0]

    def tag(s: Sentence) -> str:
        return tags.get(s.passage.id) or extractive_tag(s.passage, claim_vector, encode)

    return Counterpoints(
        claim=claim,
        counterpoints=[x for s in against if (x := card(assistant, s, tag(s), claim))],
        supporting=[x for s in support if (x := card(assistant, s, tag(s), None))],
        mode="llm",
        notices=[LLM_NOTICE, *stance.notices(assistant.settings)] + notices,
    )


def stance_span(s: Sentence) -> str:
    """The sentence, and the next one when it answers it ("But ..."): the author's words on the claim."""
    parts = quotable_sentences(s.passage)
    if s.rebutted and s.text in parts and (i := parts.index(s.text)) + 1 < len(parts):
        return f"{s.text} {parts[i + 1]}"
    return s.text


def llm_tags(assistant: JobContext, claim: str, chosen: list[Sentence]) -> tuple[dict[str, str], list[str]]:
    """Model-written one-line tags by passage id; a failed call keeps the extractive tags, and so
    does each tag its passage does not support (support.py, with the claim as the question)."""
    if not chosen:
        return {}, []
    passages = [s.passage for s in chosen]
    try:
        reply = llm_common.ask_json(assistant, "counter_tag", passages, claim=claim)
    except Exception as exc:  # tags are a nicety: the cards stand without them
        return {}, [f"Tags: {llm_common.failure_notice(exc)}"]
    check = SupportCheck(passages, cached_encoder(assistant.embedder), claim)
    tags: dict[str, str] = {}
    unsupported = 0
    for item in reply.get("tags") or []:
        if not (isinstance(item, dict) and str(item.get("n", "")).isdigit()):
            continue
        n = int(item["n"])
        if not 1 <= n <= len(chosen) or not (tag := valid_tag(str(item.get("tag", "")), passages[n - 1])):
            continue
        quoted = bool(QUOTE.search(tag))  # valid_tag verified every quotation in it
        if not check.reason(tag, [n], quoted):
            tags[passages[n - 1].id] = tag
        else:
            unsupported += 1
    return tags, [unsupported_tags(unsupported)] if unsupported else []


def unsupported_tags(count: int) -> str:
    # Counted, not repeated: an injected instruction's output is not shown, not even in a notice.
    tags = f"{count} model-written tag{'s' if count > 1 else ''}"
    return f"unsupported: {tags} not backed by the card's passage or not about the claim, replaced by its own words"


def valid_tag(tag: str, passage: Passage) -> str:
    """One line, short, and any quotation in it verbatim from the passage; else ""."""
    tag = " ".join(tag.split()).strip()
    if not tag or len(tag.split()) > MAX_TAG_WORDS:
        return ""
    quoted = [a or b for a, b in QUOTE.findall(tag)]
    return tag if all(quote_in(q, passage.text) for q in quoted) else ""
