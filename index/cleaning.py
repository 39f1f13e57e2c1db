"""Removing page furniture from text pasted from the web.

Articles arrive with captions (often doubled by alt text), photo credits, comment
prompts, "More from ..." promo lists, language notices, pull quotes and repeated
paragraphs. No maintained library cleans *already extracted* text this way
(trafilatura does it for HTML, and HTML goes through it first), so the rules are
written here, one small function per kind of furniture.

The output is a list of paragraphs; `"\n\n".join(paragraphs)` is the article's
cleaned text, the text every passage and offset refers to.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from assistant.citations import normalize, sentences

_I = re.IGNORECASE
_LABELLED_CAPTION = re.compile(r"^(image|images|photo|photograph|picture|credit|credits|illustration)\s*:", _I)
_CREDIT_AT_END = re.compile(
    r"(getty images|/\s?afp|/\s?reuters|via reuters|\(photo by [^)]*\)|/\s?ap photo|shutterstock"
    r"|/\s?bloomberg|/\s?anadolu agency|/\s?sputnik|/\s?tass)\.?\)?\s*$",
    _I,
)
_PROMPTS = [
    re.compile(p, _I)
    for p in (
        r"^join the conversation\.?$",
        r"comment guidelines",
        r"^you are commenting as",
        r"^already a subscriber",
        r"^not your account\??$",
        r"^commenting on this",
        r"^(sign up|subscribe|register)\b.{0,120}$",
        r"\bwhen you subscribe\b",
        r"^more\s*>+$",
        r"^read more\b.{0,80}$",
        r"^(share|tweet|email|print|advertisement|related)( this( article| story)?)?:?$",
        r"\b(also available|read this article) in\b.{0,60}$",
        r"^(this article|this story) (is|was) (also )?(available|translated)",
    )
]
_PROMO_HEADING = re.compile(r"^(more from|most popular|recommended|you might also like|related articles)\b", _I)
_BYLINE = re.compile(r"^by\b\s*(?P<rest>[,\w].*)$", _I)  # \b: "BYRON R. WHITE" is no byline
_NAME = re.compile(r"^[A-Z][\w.'\u2019-]*(?:\s+[A-Z][\w.'\u2019-]*){1,3}$")
_TURN_LABEL = re.compile(r"^(?:[A-Z][\w.'\u2019-]+(?: [A-Z][\w.'\u2019-]+){1,3}|[A-Z]{2,3}):\s+")


@dataclass
class CleanedText:
    paragraphs: list[str]
    title: str | None = None
    byline_names: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


def _script_is_foreign(line: str, doc_latin_share: float) -> bool:
    """A short line in another script than the article (a language notice)."""
    letters = [ch for ch in line if ch.isalpha()]
    if not letters or len(line.split()) > 25 or doc_latin_share < 0.8:
        return False
    latin = sum(1 for ch in letters if "LATIN" in unicodedata.name(ch, ""))
    return latin / len(letters) < 0.3


def _latin_share(text: str) -> float:
    letters = [ch for ch in text[:20000] if ch.isalpha()]
    if not letters:
        return 1.0
    return sum(1 for ch in letters if "LATIN" in unicodedata.name(ch, "")) / len(letters)


def is_furniture(line: str, doc_latin_share: float = 1.0) -> bool:
    """Captions, credits, comment prompts, share buttons and language notices."""
    if _LABELLED_CAPTION.match(line) or _CREDIT_AT_END.search(line):
        return True
    if len(line.split()) <= 30 and any(p.search(line) for p in _PROMPTS):
        return True
    return _script_is_foreign(line, doc_latin_share)


def parse_byline(line: str) -> list[str] | None:
    """Names in a "By X and Y, ..." line; None when the line is not a byline.

    Pasted bylines often lose their linked names ("By , a columnist at ..."):
    such a line is still a byline (and is removed) but yields no names.
    """
    match = _BYLINE.match(line)
    if not match or len(line.split()) > 80:
        return None
    rest = match.group("rest")
    if not rest.startswith(",") and not _NAME.match(re.split(r",| and ", rest)[0].strip()):
        return None
    names = []
    for chunk in re.split(r"\s+and\s+|,", rest):
        chunk = chunk.strip()
        if _NAME.match(chunk) and not chunk.lower().startswith(("a ", "the ")):
            names.append(chunk)
    return names


def _strip_label(line: str) -> str:
    return _TURN_LABEL.sub("", line, count=1)


def _doubled(lines: list[str], i: int) -> bool:
    """A line repeated on the very next line (alt text + caption), with or without a credit."""
    here = normalize(lines[i])
    for j in (i - 1, i + 1):
        if 0 <= j < len(lines) and lines[j]:
            other = normalize(lines[j])
            if other.startswith(here) or here.startswith(other):
                return True
    return False


def clean(raw: str, title: str | None = None) -> CleanedText:
    """Clean raw article text; `title` (from metadata) marks where the body starts."""
    raw_lines = [line.strip() for line in raw.replace("\r\n", "\n").split("\n")]
    latin = _latin_share(raw)
    result = CleanedText(paragraphs=[])
    # Caption pairs are consecutive lines with no blank line between them; blank
    # lines stay in `lines` as "" so that adjacency can be judged.
    lines = raw_lines
    kept: list[str] = []
    for i, line in enumerate(lines):
        if not line:
            continue
        if _PROMO_HEADING.match(line) and len(line.split()) <= 8:
            result.removed.extend(x for x in lines[i:] if x)
            break  # promo lists run to the end of a pasted page
        byline = parse_byline(line)
        if byline is not None:
            result.byline_names.extend(byline)
            result.removed.append(line)
            continue
        if is_furniture(line, latin) or (len(line.split()) >= 4 and _doubled(lines, i)):
            result.removed.append(line)
            continue
        kept.append(line)
    kept = _drop_repeats(kept, result.removed)
    kept = _drop_header(kept, title, result)
    result.paragraphs = kept
    return result


# Pull quotes are searched for as substrings of longer paragraphs only in texts up to
# this size (the search is quadratic); longer texts only drop exact repeats of sentences.
_PULL_QUOTE_SCAN_CHARS = 2_000_000


def _drop_repeats(lines: list[str], removed: list[str]) -> list[str]:
    """Drop repeated paragraphs (keep the first) and pull quotes: a sentence, or the
    tail of one, shown again alone ("If Ukraine can hold its own ..., too.")."""
    multi = [normalize(_strip_label(line)) for line in lines if len(sentences(_strip_label(line))) > 1]
    sentence_set = {normalize(s) for line in lines for s in sentences(_strip_label(line))}
    scan = sum(len(m) for m in multi) <= _PULL_QUOTE_SCAN_CHARS

    def is_pull_quote(key: str) -> bool:
        if len(key.split()) < 5:
            return False
        return any(key in m for m in multi) if scan else key in sentence_set

    seen: set[str] = set()
    out = []
    for line in lines:
        key = normalize(_strip_label(line))
        single = len(sentences(_strip_label(line))) == 1
        if key in seen or (single and is_pull_quote(key)):
            removed.append(line)
            continue
        seen.add(key)
        out.append(line)
    return out


def _drop_header(lines: list[str], title: str | None, result: CleanedText) -> list[str]:
    """Remove the title line and the column header above it; remember the title."""
    if title:
        wanted = normalize(title)
        for i, line in enumerate(lines[:12]):
            if normalize(line) == wanted:
                result.title = line
                result.removed.extend(lines[: i + 1])
                return lines[i + 1 :]
        return lines
    first = lines[0] if lines else ""
    if first and len(first.split()) <= 16 and not first.rstrip().endswith((".", '"', "\u201d", ":")):
        if len(lines) > 1 and len(lines[1].split()) > len(first.split()):
            result.title = first
            return lines[1:]
    return lines
