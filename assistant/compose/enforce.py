"""Citation enforcement for model-written text: what the model cites must exist and say it.

Used by every language-model composer (answers, positions, summaries, counterpoints):

- `[n]` markers that do not name a given passage are removed and reported;
- quoted spans ("...") are checked verbatim against the passages cited in the same
  sentence; a quote that is not there loses its quotation marks, is marked and reported;
- each cited passage gets a Citation whose quote is its sentence that best supports the
  sentences citing it, built through the shared check (`make_citation`);
- given the corpus's names, a sentence naming people may only cite their passages;
- a sentence is shown only if it is supported (support.py): it cites passages, it is close to
  them (or its quotation is verified), and it addresses the question; the others are removed
  and counted in one notice, never shown, not even while the answer streams (`Enforcer`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from assistant.citations import ABBREVIATION, make_citation, normalize, quotable_sentences, quote_in
from assistant.compose.support import NO_CITATION, REASONS, Encode, SupportCheck
from assistant.models import Citation, Passage, voiced_by
from assistant.retrieval.query import named_people

log = logging.getLogger(__name__)

# "[3]", "[1, 2]", "[1,2,3]", with the space before it (removed together).
MARKER = re.compile(r"(\s*)\[(\d{1,4}(?:\s*,\s*\d{1,4})*)\]")
_NUMBER = re.compile(r"\d+")
# A quoted span: curly or straight double quotes around text without line breaks.
QUOTE = re.compile(r"\u201c([^\u201c\u201d\n]+?)\u201d|\"([^\"\n]+?)\"")
_ELLIPSIS = re.compile(r"\s*(?:\.\.\.|\u2026|\[\.\.\.\])\s*")
# A sentence ends at . ! or ?, after any closing quotes and trailing [n] markers, before a capital
# or a digit; or, whatever follows, where a citation marker closes it ("[1]." or ". [1]"): what
# follows a cited sentence is another claim, checked on its own, even in lower case.
_CLOSERS = r"[\"'\u201d\u2019)*_]*"
_MARKERS = r"(?:\s*\[\d[\d,\s]*\])"
_SENTENCE_END = re.compile(
    rf"[.!?]{_CLOSERS}{_MARKERS}*(?=\s+[\"'\u201c\u2018(*_]*[A-Z0-9]|\s*$)"
    rf"|(?<=\])[.!?]{_CLOSERS}(?=\s+\S)|[.!?]{_CLOSERS}{_MARKERS}+(?=\s+\S)")
_MARKDOWN = re.compile(r"^\s*(?:[-*+]|\d+[.)]|#+|>)\s+")
# Citation forms small models write instead of [n]: "[Passage 1]", "(1)", "(passages 1 and 2)".
_WORDED_MARKER = re.compile(r"[\[(](?:passages?|sources?)\s*(\d{1,3}(?:\s*(?:,|and|&)\s*\d{1,3})*)[\])]", re.IGNORECASE)
_ROUND_MARKER = re.compile(r"\((\d{1,2}(?:\s*,\s*\d{1,2})*)\)")  # 1-2 digits: "(2022)" stays a year
# A line that starts with its markers ("[1] Text. More.") cites that line: each of its sentences gets them.
_LEADING_MARKERS = re.compile(r"^([ \t]*(?:[-*+][ \t]+)?)((?:\[\d[\d,\s]*\][ \t]*)+)(\S.*?)[ \t]*$", re.MULTILINE)
UNVERIFIED = " _(unverified quote)_"
# Removed sentences are counted in one notice by reason; their text is only logged: repeating
# it to the user would show what an injected instruction made the model write.
UNSUPPORTED = "unsupported"
RECITED = "re-cited"
MIN_QUOTE_WORDS = 2  # shorter quoted spans are labels ("realist"), not quotations
MIN_SENTENCE_WORDS = 4
MIN_CITATION_WORDS = 12


@dataclass
class Enforced:
    text: str
    citations: list[Citation] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)  # why each removed sentence was removed
    recited: int = 0  # sentences shown citing the passage measured to back them, not the model's


def clean_markers(text: str, count: int) -> tuple[str, list[int]]:
    """`text` with markers naming no passage in 1..count removed; also the removed numbers."""
    return rewrite_markers(text, lambda n: 1 <= n <= count)


def rewrite_markers(text: str, valid: Callable[[int], bool]) -> tuple[str, list[int]]:
    """`text` keeping only marker numbers that are `valid` ("[1, 2]" becomes "[1][2]")."""
    removed: list[int] = []

    def keep(match: re.Match) -> str:
        numbers = [int(x) for x in _NUMBER.findall(match.group(2))]
        kept = [n for n in dict.fromkeys(numbers) if valid(n)]
        removed.extend(n for n in numbers if not valid(n))
        return match.group(1) + "".join(f"[{n}]" for n in kept) if kept else ""

    return MARKER.sub(keep, text), removed


def normalize_citation_forms(text: str) -> str:
    """`text` with the citation forms small models write rewritten as [n] markers."""
    text = _WORDED_MARKER.sub(lambda m: "[" + ", ".join(_NUMBER.findall(m.group(1))) + "]", text)
    text = _ROUND_MARKER.sub(lambda m: f"[{m.group(1)}]", text)
    return _LEADING_MARKERS.sub(_cite_line, text)


def _cite_line(match: re.Match) -> str:
    body, markers = match.group(3), match.group(2).strip()
    return match.group(1) + " ".join(f"{body[a:b].strip()} {markers}" for a, b in answer_sentence_spans(body))


def cited_numbers(text: str) -> list[int]:
    return [int(x) for m in MARKER.finditer(text) for x in _NUMBER.findall(m.group(2))]


def answer_sentence_spans(text: str) -> list[tuple[int, int]]:
    """Spans of the sentences of a model answer; trailing [n] markers stay with their sentence.

    A quotation is never cut, even when it spans sentences: it is checked whole.
    """
    spans: list[tuple[int, int]] = []
    for line in re.finditer(r"[^\n]+", text):
        start = line.start()
        quotes = [(m.start(), m.end()) for m in QUOTE.finditer(line.group(0))]
        for match in _SENTENCE_END.finditer(line.group(0)):
            end = line.start() + match.end()
            period = line.start() + match.start()
            if ABBREVIATION.search(text[max(start, period - 12) : period + 1]):
                continue
            if any(a < match.end() < b for a, b in quotes):
                continue
            spans.append((start, end))
            start = end
        if line.end() > start:
            spans.append((start, line.end()))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def plain(sentence: str) -> str:
    """A sentence without markers and list/heading markup, for matching and reporting."""
    return _MARKDOWN.sub("", MARKER.sub("", sentence)).strip()


def enforce(
    text: str,
    passages: list[Passage],
    article_texts: dict[str, str],
    encode: Encode | None = None,
    people: list[str] | None = None,
    question: str | None = None,
) -> Enforced:
    """Check and repair `text`, citing `passages` (numbered from 1): `Enforcer` on the whole text."""
    enforcer = Enforcer(passages, article_texts, encode, people, question)
    enforcer.feed(text)
    enforcer.flush()
    return enforcer.result()


class Enforcer:
    """Checks a model's text sentence by sentence as it arrives.

    `feed` returns the part that may be shown now: only whole sentences that passed every
    check, so a removed sentence never appears, not even for a moment while streaming;
    `flush` returns the rest, once the reply is complete; `result` has the shown text.

    With `people` (the corpus's known names), a sentence that names people may only cite
    their passages: other markers are removed, and a sentence left with none is dropped.
    With `encode`, each sentence must be supported (support.py), measured against `question`
    when given; without it (unit tests of the marker logic) a cited sentence counts as supported.
    """

    def __init__(
        self,
        passages: list[Passage],
        article_texts: dict[str, str],
        encode: Encode | None = None,
        people: list[str] | None = None,
        question: str | None = None,
    ) -> None:
        self.passages, self.article_texts, self.encode = passages, article_texts, encode
        check = SupportCheck(passages, encode, question) if encode is not None and passages else None
        self.checker = _Checker(passages, people or [], check)
        self.raw = ""
        self.done = 0  # characters of the normalised text already checked
        self.gap = ""  # the separator before the next sentence shown
        self.shown: list[str] = []

    def feed(self, delta: str) -> str:
        self.raw += delta
        return self._advance(final=False)

    def flush(self) -> str:
        return self._advance(final=True)

    def result(self) -> Enforced:
        result = self.checker.result
        removed = clean_markers(self._normalized(), len(self.passages))[1]
        if removed:
            listed = ", ".join(f"[{n}]" for n in dict.fromkeys(removed))
            given = f"{len(self.passages)} passage" + ("s" if len(self.passages) != 1 else "")
            result.notices.insert(0, f"removed citation {listed}: the answer was given only {given}")
        if result.recited:
            result.notices.append(f"{RECITED}: {_sentences(result.recited)} now cite the passage measured to back "
                                  f"them, not the number the model gave")
        text = "".join(self.shown)
        checker = self.checker
        result.citations, failed = _citations(self.passages, checker.support, checker.quoted, self.article_texts,
                                              self.encode)
        if failed:
            text = rewrite_markers(text, lambda n: n not in failed)[0]
            result.notices.append(f"dropped citation {', '.join(f'[{n}]' for n in failed)}: no verifiable quote")
        result.text = text.strip()
        result.notices = _collapse_unsupported(result.notices, result.unsupported)
        return result

    def _normalized(self) -> str:
        return normalize_citation_forms(self.raw.lstrip())

    def _advance(self, final: bool) -> str:
        text = clean_markers(self._normalized(), len(self.passages))[0]
        limit = len(text) if final else _settled(text)
        out = []
        for start, end in answer_sentence_spans(text):
            if start < self.done or end > limit or (not final and not text[end:].strip()):
                continue  # checked already, or may still grow (with a quotation, or trailing markers)
            span = text[start:end]
            self.gap += text[self.done : start] + span[: len(span) - len(span.lstrip())]
            self.done = end
            sentence = re.sub(r"[ \t]{2,}", " ", self.checker.sentence(span.lstrip()))
            if sentence.strip():
                out.append(_separator(self.gap) if self.shown or out else "")
                out.append(sentence)
                self.gap = ""
        self.shown += out
        return "".join(out)


_CLOSING = re.compile(r"[.!?][\"'\u201d\u2019)*_]*\s*$")


def recited(sentence: str, numbers: list[int]) -> str:
    """`sentence` citing exactly `numbers`: its other markers removed, missing ones put before its end."""
    kept = re.sub(r"(?<=[^\s\]])\[(?=\d)", " [", rewrite_markers(sentence, lambda n: n in numbers)[0])
    missing = "".join(f"[{n}]" for n in numbers if n not in cited_numbers(kept))
    if not missing:
        return kept
    body = kept.rstrip()
    end = _CLOSING.search(body)
    if end and len(end.group(0).strip()) > 1:  # after a closing quote: never inside the quotation
        return f"{body} {missing}{kept[len(body):]}"
    at = end.start() if end else len(body)
    return f"{kept[:at].rstrip()} {missing}{kept[at:]}"


def _settled(text: str) -> int:
    """Where the text that cannot change yet ends: before an unclosed quotation, which may
    still span sentences (a quotation is checked whole)."""
    line = text.rfind("\n") + 1
    curly = text.rfind("\u201c", line)
    if curly > text.rfind("\u201d", line):
        return curly
    straight = [i for i in range(line, len(text)) if text[i] == '"']
    return straight[-1] if len(straight) % 2 else len(text)


def _separator(gap: str) -> str:
    # Between shown sentences: their line breaks (a list stays a list), else one space.
    breaks = max((len(part) - 1 for part in re.findall(r"\n+", gap)), default=-1) + 1
    return "\n" * min(breaks, 2) if breaks else " "


def _collapse_unsupported(notices: list[str], unsupported: list[str]) -> list[str]:
    # One line for all removed sentences: how many, and why.
    kept = [n for n in notices if not n.startswith(UNSUPPORTED)]
    if not unsupported:
        return kept
    reasons = ", ".join(
        f"{unsupported.count(r)} {r}" for r in REASONS if r in unsupported)
    return kept + [f"{UNSUPPORTED}: {_sentences(len(unsupported))} of the model's text removed, not shown ({reasons})"]


def _sentences(count: int) -> str:
    return f"{count} sentence{'s' if count != 1 else ''}"


class _Checker:
    """Checks an answer sentence by sentence, collecting what each passage is cited for."""

    def __init__(self, passages: list[Passage], people: list[str], support: SupportCheck | None) -> None:
        self.passages = passages
        self.people = people
        self.check = support
        self.result = Enforced(text="")
        self.support: dict[int, list[str]] = {}  # passage n -> the sentences citing it
        self.quoted: dict[int, list[str]] = {}  # passage n -> verified quotes taken from it

    def sentence(self, sentence: str) -> str:
        """The sentence as it may be shown, or "" when it is removed."""
        sentence = self._attribution(sentence)
        numbers = list(dict.fromkeys(cited_numbers(sentence)))
        words = plain(sentence)
        sentence, quoted, failed = self._quotes(sentence, numbers)
        backed, why = self._backed(words, numbers, {n for n, _ in quoted})
        if backed != numbers:
            self.result.recited += 1
            sentence, numbers = recited(sentence, backed), backed
        if not why:
            self.result.notices += failed  # about a removed sentence, a failed quote is not worth saying
        else:
            log.info("removed a model sentence (%s): %r", why, words)
            if not (why == NO_CITATION and words.endswith(":")):  # a lead-in ("Key points:") claims nothing
                self.result.unsupported.append(why)
            return ""
        for n in numbers:
            self.support.setdefault(n, []).append(words)
        for n, quote in quoted:
            if n in numbers:
                self.quoted.setdefault(n, []).append(quote)
        return sentence

    def _backed(self, words: str, numbers: list[int], quoted: set[int]) -> tuple[list[int], str]:
        """The passages the sentence may cite, and why it is not supported ("" when it is)."""
        if not words:
            return numbers, ""
        if self.check is None:
            return numbers, "" if numbers else NO_CITATION
        named = set(named_people(words, self.people))  # re-cited only to the people it names
        candidates = [n for n, p in enumerate(self.passages, 1) if not named or voiced_by(p.author, named)]
        backed, why = self.check.cite(words, numbers, quoted, candidates)
        return (backed, why) if not why else (numbers, why)

    def _attribution(self, sentence: str) -> str:
        wrong, named = misattributed(sentence, self.passages, self.people)
        if not wrong:
            return sentence
        fixed = rewrite_markers(sentence, lambda n: n not in wrong)[0]
        who, listed = " or ".join(sorted(named)), ", ".join(f"[{n}]" for n in sorted(wrong))
        if cited_numbers(fixed):
            self.result.notices.append(f"removed citation {listed}: not the words of {who}")
            return fixed
        self.result.notices.append(f"removed a sentence crediting {who} with another author's words {listed}: "
                                   f"\u201c{_clip(plain(sentence))}\u201d")
        return ""

    def _quotes(self, sentence: str, numbers: list[int]) -> tuple[str, list[tuple[int, str]], list[str]]:
        """The sentence with unverified quotes marked; the verified quotes, by passage number;
        a notice for each quote that is not verified."""
        # Quotes are checked against the passages cited in their sentence (any, if none is cited).
        pairs = [(n, self.passages[n - 1]) for n in numbers] or list(enumerate(self.passages, 1))
        verified: list[tuple[int, str]] = []
        failed: list[str] = []

        def check(match: re.Match) -> str:
            quote = match.group(1) or match.group(2) or ""
            if len(quote.split()) < MIN_QUOTE_WORDS:
                return match.group(0)
            holders = [n for n, p in pairs if quote_holds(quote, p.text)]
            verified.extend((n, quote) for n in holders)
            if holders:
                return match.group(0)
            where = ", ".join(f"[{n}]" for n in numbers) or "any passage"
            failed.append(f"quote not found in {where}: \u201c{_clip(quote)}\u201d")
            return quote + UNVERIFIED

        return QUOTE.sub(check, sentence), verified, failed


def misattributed(sentence: str, passages: list[Passage], people: list[str]) -> tuple[set[int], set[str]]:
    """The markers [n] of a sentence that credit the people it names with someone else's
    passage, and those people. Shared by answers and by the jobs' model output."""
    named = set(named_people(plain(sentence), people))
    numbers = cited_numbers(sentence)
    return {n for n in numbers if named and 1 <= n <= len(passages) and passages[n - 1].author not in named}, named


def quote_holds(quote: str, text: str) -> bool:
    """Each part of a quote (split at ellipses) occurs verbatim in the passage."""
    parts = [p for p in _ELLIPSIS.split(quote) if p.strip(" .,;:")]
    return bool(parts) and all(quote_in(part.strip(" ,;:"), text) for part in parts)


def _citations(
    passages: list[Passage],
    support: dict[int, list[str]],
    quoted: dict[int, list[str]],
    article_texts: dict[str, str],
    encode: Encode | None,
) -> tuple[list[Citation], list[int]]:
    citations, failed = [], []
    numbers = sorted(support)
    best = best_sentences([passages[n - 1] for n in numbers], [support[n] for n in numbers],
                          [quoted.get(n, []) for n in numbers], encode)
    for n, quote in zip(numbers, best, strict=True):
        passage = passages[n - 1]
        article = article_texts.get(passage.article_id, "")
        citation = make_citation(n, quote, passage, article) or make_citation(n, passage.text, passage, article)
        if citation is None:
            failed.append(n)
        else:
            citations.append(citation)
    return citations, failed


def best_sentences(
    passages: list[Passage],
    claims: list[list[str]],
    quotes: list[list[str]],
    encode: Encode | None,
) -> list[str]:
    """For each passage, its sentence(s) that best support the answer sentences citing it."""
    if not passages:
        return []
    groups = [quotable_sentences(p) or [p.text] for p in passages]  # never a flagged sentence
    scores = _similarities(groups, claims, encode)
    out = []
    for group, local, quoted in zip(groups, scores, quotes, strict=True):
        containing = [i for i, s in enumerate(group) if any(quote_in(_ELLIPSIS.split(q)[0], s) for q in quoted)]
        best = containing[0] if containing else int(np.argmax(local))
        out.append(_widen(group, best, local))
    return out


def _widen(group: list[str], best: int, local: np.ndarray) -> str:
    # A short sentence alone rarely carries the point: add its better neighbour.
    if len(group[best].split()) >= MIN_CITATION_WORDS or len(group) == 1:
        return group[best]
    neighbours = [i for i in (best - 1, best + 1) if 0 <= i < len(group)]
    other = max(neighbours, key=lambda i: local[i])
    first, last = sorted((best, other))
    return " ".join(group[first : last + 1])


def _similarities(groups: list[list[str]], claims: list[list[str]], encode: Encode | None) -> list[np.ndarray]:
    """Per passage, each sentence's best similarity to any claim citing it."""
    if encode is None:
        return [
            np.array([max((_overlap(s, c) for c in cs), default=0.0) for s in g])
            for g, cs in zip(groups, claims, strict=True)
        ]
    flat_sentences = [s for g in groups for s in g]
    flat_claims = [c for cs in claims for c in cs] or [""]
    vectors = encode(flat_sentences + flat_claims)
    sims = vectors[: len(flat_sentences)] @ vectors[len(flat_sentences) :].T
    out, row, col = [], 0, 0
    for g, cs in zip(groups, claims, strict=True):
        block = sims[row : row + len(g), col : col + len(cs)]
        out.append(block.max(axis=1) if cs else np.zeros(len(g)))
        row, col = row + len(g), col + len(cs)
    return out


def _overlap(a: str, b: str) -> float:
    wa, wb = set(normalize(a).split()), set(normalize(b).split())
    return len(wa & wb) / (len(wa | wb) or 1)


def _clip(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."
