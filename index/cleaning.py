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
from collections import Counter
from dataclasses import dataclass, field

from assistant.citations import normalize, sentences
from assistant.models import DroppedText, DropReason

from .correspondence import message_starts
from .headings import writer_heading
from .people import CREDENTIAL, is_institution
from .turns import display, speaker_line_name
from .unwrap import drop_line_numbers, drop_page_furniture, is_block_quote, paragraph_lines, starts_turn, unwrap

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
# "By X", "Opinion by X", "Posted by X on <date>", "Written by: X | <date>"; \b: "BYRON R. WHITE" is no byline.
_BYLINE = re.compile(
    r"^(?:(?:opinion|posted|written|words|story|commentary|analysis|essay|reviewed|review|reported|interview)\s+)?"
    r"by\b:?\s*(?P<rest>[,\w].*)$", _I
)
# An unsigned editorial's byline names its board, not a person ("The Courier Editorial Board · 3 September").
_BOARD_BYLINE = re.compile(
    r"^(?:by\s+)?(?:the\s+)?(?:[A-Z][\w'\u2019&.-]*\s+){0,4}(?:editorial\s+(?:board|staff|team)|editors)$", _I)
# What may follow the names on a byline line: a date, an outlet, a role after a separator.
_BYLINE_TAIL = re.compile(r"\s+(?:\||\u2022|\u00b7|\u2014|\u2013|-|/)\s+.*$|\s+(?:on|updated|published)\s+.*$", _I)
_NAME = re.compile(r"^[A-Z][\w.'\u2019-]*(?:\s+[A-Z][\w.'\u2019-]*){1,3}$")
_TURN_LABEL = re.compile(r"^(?:[A-Z][\w.'\u2019-]+(?: [A-Z][\w.'\u2019-]+){1,3}|[A-Z]{2,3}):\s+")


@dataclass
class CleanedText:
    paragraphs: list[str]
    title: str | None = None
    byline_names: list[str] = field(default_factory=list)
    dropped: list[DroppedText] = field(default_factory=list)
    above_byline: str | None = None  # the line just above the first byline: where a headline stands
    # Each byline's names and the paragraph it stood above (an index into `paragraphs`; a byline
    # above nothing that survived cleaning is left out): a page with several articles has several.
    bylines: list[tuple[int, list[str]]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)

    @property
    def words_kept(self) -> int:
        return len(self.text.split())

    @property
    def words_dropped(self) -> int:
        return sum(len(d.text.split()) for d in self.dropped)

    def drop(self, lines: list[str], reason: DropReason) -> None:
        self.dropped.extend(DroppedText(text=line, reason=reason) for line in lines if line)


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


def furniture_reason(line: str, doc_latin_share: float = 1.0) -> DropReason | None:
    """Why a line is a caption, credit, comment prompt, share button or language notice (None: it is not)."""
    if _LABELLED_CAPTION.match(line):
        return "caption"
    if _CREDIT_AT_END.search(line):
        return "photo credit"
    if len(line.split()) <= 30 and any(p.search(line) for p in _PROMPTS):
        return "comment prompt"
    return "language notice" if _script_is_foreign(line, doc_latin_share) else None


def parse_byline(line: str) -> list[str] | None:
    """Names in a "By X and Y, ..." line; None when the line is not a byline.

    Pasted bylines often lose their linked names ("By , a columnist at ..."):
    such a line is still a byline (and is removed) but yields no names.
    """
    board = _BYLINE_TAIL.sub("", line.strip())
    if _BOARD_BYLINE.match(board):
        return [board.removeprefix("By ").removeprefix("by ")]  # an institution: a section's start, no author
    match = _BYLINE.match(line)
    if not match or len(line.split()) > 80:
        return None
    rest = _BYLINE_TAIL.sub("", match.group("rest"))
    if not rest.startswith(",") and not _NAME.match(re.split(r",|\s+and\s+|\s+&\s+", rest, flags=_I)[0].strip()):
        return None
    names = []
    for chunk in re.split(r"\s+and\s+|\s+&\s+|,", rest, flags=_I):
        chunk = chunk.strip()
        role = chunk.lower().startswith(("a ", "the ")) or CREDENTIAL.search(chunk)  # ", OPINION CONTRIBUTOR"
        if _NAME.match(chunk) and not role:
            names.append(display(chunk))  # "Dr. Laura Chen" is Laura Chen, as a speaker label is
    return names


def _strip_label(line: str) -> str:
    return _TURN_LABEL.sub("", line, count=1)


_DOUBLED_MIN_WORDS = 4


def _doubled(lines: list[str], i: int) -> bool:
    """A line repeated on the very next line (alt text + caption), with or without a credit."""
    here = normalize(lines[i])
    for j in (i - 1, i + 1):
        if 0 <= j < len(lines) and lines[j]:
            other = normalize(lines[j])
            # a neighbour of a few characters (an email's lone ">") is no copy of anything
            if len(other.split()) >= _DOUBLED_MIN_WORDS and (other.startswith(here) or here.startswith(other)):
                return True
    return False


def clean(raw: str, title: str | None = None) -> CleanedText:
    """Clean raw article text; `title` (from metadata) marks where the body starts.

    Hard-wrapped text is unwrapped into paragraphs first, so every rule below judges
    whole paragraphs; everything dropped is recorded in `dropped` with its reason.
    """
    result = CleanedText(paragraphs=[])
    raw_lines = drop_line_numbers(raw.replace("\r\n", "\n").split("\n"), result.dropped)
    raw_lines = drop_page_furniture(raw_lines, result.dropped)
    unwrapped = unwrap(raw_lines)
    if unwrapped is not None:
        # Paragraphs stand apart (blank lines between them): no two are a caption pair.
        lines = [line for para in unwrapped for line in (para, "")]
    else:
        # Caption pairs are consecutive lines with no blank line between them; blank
        # lines stay in `lines` as "" so that adjacency can be judged.
        lines = paragraph_lines(raw_lines)
    kept, under_bylines = _drop_furniture(lines, _latin_share(raw), result)
    kept = _drop_repeats(kept, result)
    result.paragraphs = _drop_header(kept, title, result)
    # The later steps only filter `kept`, so a line under a byline is found again as the same object.
    where = {id(line): i for i, line in reversed(list(enumerate(result.paragraphs)))}
    result.bylines = [(where[id(line)], names) for line, names in under_bylines if id(line) in where]
    return result


# A promo list ("More from ...") is headlines, deks and captions; a paragraph this long is prose again.
_PROMO_ITEM_MAX_WORDS = 50


def _drop_furniture(
    lines: list[str], latin: float, result: CleanedText
) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """Drop bylines (keeping their names), captions, credits, prompts and promo lists; also the
    kept line each byline stands above, with its names."""
    kept: list[str] = []
    bylines: list[tuple[int, list[str]]] = []
    in_promo = False
    for i, line in enumerate(lines):
        if not line:
            continue
        words = len(line.split())
        if _PROMO_HEADING.match(line) and words <= 8 and _is_heading_like(line):  # "more from them." is prose
            in_promo = True
        elif in_promo and words >= _PROMO_ITEM_MAX_WORDS:
            in_promo = False
        if in_promo:
            result.drop([line], "promo list")
            continue
        byline = parse_byline(line)
        if byline is not None:
            if not result.byline_names and result.above_byline is None and kept:
                result.above_byline = kept[-1]
            result.byline_names.extend(n for n in byline if not is_institution(n))
            result.drop([line], "byline")
            bylines.append((len(kept), byline))
            continue
        reason = furniture_reason(line, latin) or (
            "caption" if words >= _DOUBLED_MIN_WORDS and _doubled(lines, i) else None)
        if reason:
            result.drop([line], reason)
            continue
        kept.append(line)
    return kept, [(kept[at], names) for at, names in bylines if at < len(kept)]


# Pull quotes are searched for as substrings of longer paragraphs only in texts up to
# this size (the search is quadratic); longer texts only drop exact repeats of sentences.
_PULL_QUOTE_SCAN_CHARS = 2_000_000
# A repeat or pull quote this short could be ordinary speech ("Yes, sir.", "Thank you.").
_MIN_REPEAT_WORDS = 8
_MAX_PULL_QUOTE_WORDS = 60
_SENTENCE_END = (".", "?", "!", '"', "\u201d", "\u2019")


def _is_heading_like(line: str) -> bool:
    """A short line without a sentence's end, and no one's turn ("Q Thank you" is speech)."""
    words = len(line.split())
    return words <= 16 and not line.rstrip().endswith(_SENTENCE_END + (":",)) and not starts_turn(line)


def _drop_repeats(lines: list[str], result: CleanedText) -> list[str]:
    """Drop repeated paragraphs (keep the first) and pull quotes (a sentence of a longer
    paragraph shown again alone: "If Ukraine can hold its own ..., too.").

    Both rules judge whole paragraphs: a repeat is a paragraph of several words (or a
    heading) seen before; a pull quote is one short sentence, unlabelled, found inside a
    longer paragraph. Shorter repeats are left alone: in a dialogue they are speech.
    """
    multi = [normalize(_strip_label(line)) for line in lines if len(sentences(_strip_label(line))) > 1]
    sentence_set = {normalize(s) for line in lines for s in sentences(_strip_label(line))}
    scan = sum(len(m) for m in multi) <= _PULL_QUOTE_SCAN_CHARS

    def is_pull_quote(line: str) -> bool:
        words = len(line.split())
        if not _MIN_REPEAT_WORDS <= words <= _MAX_PULL_QUOTE_WORDS or not line.rstrip().endswith(_SENTENCE_END):
            return False
        if _strip_label(line) != line or len(sentences(line)) != 1 or is_block_quote(line):
            return False  # a block quotation repeating earlier words quotes them (a forum reply)
        key = normalize(line)
        return any(key in m for m in multi) if scan else key in sentence_set

    seen: set[str] = set()
    out = []
    for line in lines:
        key = normalize(line)
        # A speaker's label line or a heading naming whose words follow heads each of their turns.
        label = speaker_line_name(line) or writer_heading(line)
        repeat = (len(line.split()) >= _MIN_REPEAT_WORDS or _is_heading_like(line)) and not label
        if key in seen and repeat:
            result.drop([line], "repeated paragraph")
        elif is_pull_quote(line):
            result.drop([line], "pull quote")
        else:
            seen.add(key)
            out.append(line)
    return out


# The title is looked for among the first paragraphs, before the first one of prose.
_HEADER_PARAGRAPHS = 12
PROSE_WORDS = 20  # a paragraph this long is the article's text, no longer its header
_LABEL_WORDS = 8  # a menu item, site name or section label above a headline is this short
_TITLE_FIELD = re.compile(r"^title\s*:\s*(?P<title>\S.*)$", _I)
# A header's field ("Date: March 3, 2024", "Location: Sacramento"): a one-word key, or a short value;
# a headline with a colon ("Pricing the Rush Hour: Why Mid-Sized Cities Should Try ...") is none.
_FIELD_LINE = re.compile(r"^(?P<key>[\w ]{1,25}):(?:\s+(?P<value>.*))?$")
_FIELD_VALUE_WORDS = 6
_CONTENT_WORD = re.compile(r"[^\W\d_]{4,}")


def _is_field(line: str) -> bool:
    field = _FIELD_LINE.match(line)
    return bool(field) and (len(field["key"].split()) == 1 or len((field["value"] or "").split()) <= _FIELD_VALUE_WORDS)


def _drop_header(lines: list[str], title: str | None, result: CleanedText) -> list[str]:
    """Remove the title line and the column header above it; remember the title."""
    header = lines[:_HEADER_PARAGRAPHS]
    if title:
        wanted = normalize(title)
        at = next((i for i, line in enumerate(header) if normalize(line) == wanted), None)
    else:
        at = _find_title(lines, result.above_byline)
    if at is None:
        return lines
    result.title = _bare_title(lines[at])
    if _TITLE_FIELD.match(lines[at]):  # a "Title:" field: the lines around it are other fields
        result.drop([lines[at]], "title")
        rest = lines[:at] + lines[at + 1 :]
        same = [line for line in rest[:_HEADER_PARAGRAPHS] if normalize(line) == normalize(result.title)]
        result.drop(same, "title")
        return [line for line in rest if line not in same]
    result.drop(lines[:at], "header")
    result.drop([lines[at]], "title")
    return lines[at + 1 :]


def _bare_title(line: str) -> str:
    match = _TITLE_FIELD.match(line)
    text = match.group("title") if match else line
    return text.lstrip("#").strip().rstrip(";,:").strip().strip('"\'')


def _find_title(lines: list[str], above_byline: str | None = None) -> int | None:
    """The article's own headline, with no metadata: a `Title:` field, else among the short
    lines above the first paragraph of prose, the first whose words recur in the body (a
    column name, a site's navigation or another article's headline mostly do not), else the
    file's first line when it is short. The line right above a byline comes first."""
    header = lines[:_HEADER_PARAGRAPHS]
    for i, line in enumerate(header):
        if _TITLE_FIELD.match(line):
            return i
    # A headline stands right above its byline, even one that ends in a full stop; menus, site
    # names and section labels stand above the headline (and are dropped as its header, so a
    # line above it that could be a sentence of prose rules it out).
    for i, line in enumerate(lines):
        if line and line == above_byline and _is_title_like(line.rstrip(".")):
            return i
        if len(line.split()) > _LABEL_WORDS or line.rstrip().endswith(_SENTENCE_END):
            break
    # The text starts at its first paragraph of prose, or at its first email's header block (a
    # signature under a short message is no headline): the headline is above it.
    prose = min([next((i for i, line in enumerate(header) if len(line.split()) >= PROSE_WORDS), len(header)),
                 *message_starts(header)])
    # Speaker label lines, one name of them repeated, label a transcript's speeches.
    names = Counter(normalize(name) for name in map(speaker_line_name, lines) if name)
    labels = set(names) if any(n > 1 for n in names.values()) else set()
    candidates = [i for i in range(prose) if _is_title_like(lines[i])
                  and normalize(speaker_line_name(lines[i]) or "") not in labels]
    body = set(_content_words(" ".join(lines[prose:])))
    for i in candidates:
        words = set(_content_words(lines[i]))
        if words and len(words & body) >= 0.5 * len(words):
            return i
    # The file's first line, short and alone (a transcript's "Town hall on school funding", a
    # headline whose words the text does not repeat), when no line above the text passes.
    return 0 if candidates[:1] == [0] else None


def _is_title_like(line: str) -> bool:
    text = line.lstrip("#").strip().rstrip(";,")
    return (
        any(ch.isalpha() for ch in text)
        and len(text.split()) <= PROSE_WORDS
        and not text.endswith((".", '"', "\u201d", ":"))
        and not text.startswith(("[", "("))
        and not _is_field(text)
        and not starts_turn(text)
    )


def _content_words(text: str) -> list[str]:
    return _CONTENT_WORD.findall(text.lower())
