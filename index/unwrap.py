"""Hard-wrapped text (Project Gutenberg files, text extracted from PDFs) into paragraphs.

A file wrapped at a fixed width breaks every paragraph into lines of about the same
length; read line by line, each of those lines would pass for a paragraph, and the
furniture rules (pull quotes, repeats) would then judge fragments of sentences. So
wrapped text is detected and unwrapped before any cleaning. No library does this for
already extracted plain text (textwrap only wraps; pypdf's layout mode keeps the lines),
hence the few rules here, all from the shape of the lines, none from their words:

* the text is wrapped when most of its lines are about as long as its longest common
  line and end mid-sentence;
* a line ends its paragraph when the next line's first word would have fitted on it
  (the wrapper broke it early on purpose), at a blank line when the file separates
  paragraphs with blank lines, and around headings, list items and speaker labels.

Running page headers and footers, which a PDF repeats on every page with only the page
number changing, are recognised by that repetition and dropped first, wherever they fall.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from assistant.models import DroppedText

from .embeddings import vocabulary_words
from .turns import HEARING_LABEL, blank_furniture, names_in

# A line that starts a labelled turn: "MS. PSAKI:", "Emma Ashford:", "Speaker 2:", "Q:", a bare
# "Q ", "A. ", "MR. LINCOLN---Yes, sir", "Mr. SMITH. " (timestamps and Markdown emphasis blanked first).
_TURN_START = re.compile(
    r"^(?:[A-Z][\w.'\u2019-]*(?:\s+[A-Z][\w.'\u2019-]*){0,4}(?:\s+\d{1,2})?\s*:(?:\s|$)|Q[.:]?(?:\s|$)|A[.:]\s"
    rf"|[A-Z][A-Z.'\u2019 ]+-{{2,3}}\S|{HEARING_LABEL}\.\s)"
)
_FIELD = re.compile(r"^[a-z_][\w-]{0,24}:(?:\s|$)")  # "title: ...", "date: ..." in a header
_LIST_ITEM = re.compile(r"^(?:[-*\u2022\u25aa\u2013\u2014]\s|\d{1,3}[.)]\s|\([a-z0-9]{1,3}\)\s)")
_SENTENCE_END = tuple('.?!:;"\u201d\u2019)]')
_WORD_HYPHEN_END = re.compile(r"[^\W\d_]-$")

# A line of a wrapped paragraph is at least this share of the wrap width; the widths of
# proportional PDF fonts vary more than monospaced Gutenberg lines, hence the slack.
_FULL_LINE = 0.8
_MIN_LINES = 8
_PROSE_LINE_WORDS = 4
_MAX_WIDTH = 130  # wider "lines" are whole paragraphs of pasted web text
_MAX_BLOCK_LINES = 20  # more non-blank lines per blank line: blank lines are page breaks
_FOOTER_MIN_REPEATS = 3
_FOOTER_MAX_WORDS = 25
# A block quotation (lines indented together, Markdown's `>`) stays one paragraph of the cleaned
# text, marked by this indentation, so that attribution can tell quoted words from the writer's.
BLOCK_INDENT = "    "
_BLOCK_MIN_INDENT = 2
_BLOCK_MAX_SHARE = 0.5
_PAGE_NUMBER = re.compile(r"^(?:page\s*)?[-\u2013\u2014\s]*#[-\u2013\u2014\s]*(?:(?:of|/)\s*#)?$", re.IGNORECASE)


def _collapsed(line: str) -> str:
    return " ".join(line.split())


def wrap_width(lines: list[str]) -> int | None:
    """The width the text was wrapped at, or None when it is not hard-wrapped."""
    lengths = sorted(len(_collapsed(line)) for line in lines if line.strip())
    if len(lengths) < _MIN_LINES:
        return None
    width = lengths[int(len(lengths) * 0.9)]
    if not 35 <= width <= _MAX_WIDTH:
        return None
    full = [_collapsed(line) for line in lines if len(_collapsed(line)) >= _FULL_LINE * width]
    overlong = sum(1 for n in lengths if n > 1.15 * width)
    mid_sentence = sum(1 for line in full if not line.endswith(_SENTENCE_END))
    # Lines of a few words are no wrapped prose whatever the text (a report's table cells, "565",
    # "38%", its field names and headings): half the lines of prose must be full.
    prose_lines = sum(1 for line in lines if len(line.split()) >= _PROSE_LINE_WORDS)
    if len(full) < 0.5 * prose_lines or overlong > 0.03 * len(lengths) or mid_sentence < 0.5 * len(full):
        return None
    return width


_INDENTED_SHARE = 0.6  # the share of lines that columns wrapped each at its own width must hold


def column_widths(lines: list[str]) -> dict[int, int] | None:
    """The wrap width of each column (lines of one indentation) of hard-wrapped text, or None.

    Most hard-wrapped text has one width. A script sets its speeches in a narrower column than its
    stage directions (and its speakers' names further in still): each column is then wrapped at its
    own width, and the text is hard-wrapped when the columns that are hold most of its lines (lines
    in capitals, a script's names and scene headings, left out: they stand alone anyway)."""
    if width := wrap_width(lines):
        return {-1: width}  # one width for every line
    columns: dict[int, list[str]] = defaultdict(list)
    for line in lines:
        if line.strip() and not _is_heading(line):  # a name or scene heading in capitals is a line of its own
            columns[_indent(line.expandtabs(4))].append(line)
    widths = {indent: width for indent, column in columns.items() if (width := wrap_width(column))}
    wrapped = sum(len(columns[indent]) for indent in widths)
    return widths if widths and wrapped >= _INDENTED_SHARE * sum(map(len, columns.values())) else None


def _width_of(line: str, widths: dict[int, int]) -> int:
    """The width `line`'s column was wrapped at (a column too short to tell: the narrowest)."""
    return widths.get(-1) or widths.get(_indent(line.expandtabs(4))) or min(widths.values())


def _may_be_running_line(shape: str) -> bool:
    """A short line with a number, worded like a page's header or footer. Numbered labels
    ("Speaker 1 (00:03):") and headings ("Chapter 2") are text, so it needs a few words
    ("Official transcript, No. 39 ... Page 4") unless it is a bare page number ("Page 4", "- 4 -")."""
    if "#" not in shape or len(shape.split()) > _FOOTER_MAX_WORDS or shape.endswith(":") or starts_turn(shape):
        return False
    if "#:#" in shape:  # a timestamp ("Priya Raman  0:03"): a recording tool's speaker line
        return False
    return len(re.findall(r"[^\W\d_]{2,}", shape)) >= 2 or bool(_PAGE_NUMBER.match(shape))


def _one_number_changes(lines: set[str]) -> bool:
    """Whether the lines (of one shape) differ in one of their numbers only."""
    numbers = [re.findall(r"\d+", line) for line in lines]
    return sum(len(set(column)) > 1 for column in zip(*numbers, strict=True)) == 1


# A transcript or a pleading numbers each line of a page ("12      Q.  Did you vote?"), 1 to 25 and again.
_LINE_NUMBER = re.compile(r"^[^\S\n]{0,4}(\d{1,3})[^\S\n]+(?=\S)")
_NUMBERED_SHARE = 0.8


def drop_line_numbers(lines: list[str], dropped: list[DroppedText]) -> list[str]:
    """`lines` without the number that starts each line of a text numbering its lines (most lines
    numbered, each number one more than the last but at a new page); each line keeps its text and
    its indentation after the number. One record says how many numbers went."""
    numbered = {i: m for i, line in enumerate(lines) if (m := _LINE_NUMBER.match(line))}
    text_lines = sum(1 for line in lines if line.strip())
    if len(numbered) < max(_MIN_LINES, _NUMBERED_SHARE * text_lines):
        return lines
    values = [int(m.group(1)) for m in numbered.values()]
    steps = sum(b == a + 1 for a, b in zip(values, values[1:]))
    if steps < _NUMBERED_SHARE * (len(values) - 1):
        return lines
    dropped.append(DroppedText(text=f"line numbers {min(values)}-{max(values)} ({len(values)} lines)",
                               reason="page furniture"))
    return [line[numbered[i].end(1):] if i in numbered else line for i, line in enumerate(lines)]


def drop_page_furniture(lines: list[str], dropped: list[DroppedText]) -> list[str]:
    """Remove running headers/footers: short lines repeated on several pages with only a number changing."""
    shape = [re.sub(r"\d+", "#", _collapsed(line)) for line in lines]
    variants: dict[str, set[str]] = defaultdict(set)
    counts: Counter[str] = Counter()
    for s, line in zip(shape, lines):
        if _may_be_running_line(s):
            counts[s] += 1
            variants[s].add(_collapsed(line))
    # The same line every time is a repeat, judged later; a changing number makes it a page's, and
    # only one (the page number: a forum's "Post #3 — @jo (Jo Brandt), 14 May" changes two).
    furniture = {s for s, n in counts.items()
                 if n >= _FOOTER_MIN_REPEATS and len(variants[s]) > 1 and _one_number_changes(variants[s])}
    furniture |= _running_beside(lines, shape, furniture)
    kept = []
    for line, s in zip(lines, shape):
        if s in furniture:
            dropped.append(DroppedText(text=_collapsed(line), reason="page furniture"))
        else:
            kept.append(line)
    return kept


_RUNNING_SPAN = 3  # a running header's lines stand this close to the page number they go with


def _running_beside(lines: list[str], shape: list[str], page_lines: set[str]) -> set[str]:
    """The shapes of short lines repeated word for word on several pages, each time within
    _RUNNING_SPAN lines of a page-number line: the rest of a running header or footer ("Harbourline v
    Kestrel Point BC | Appeal No. KPT/2024/031" over "Page 2 of 3"). A heading repeated in the text is
    not beside one; post headings differing in their numbers are not repeated word for word."""
    near = {j for i, s in enumerate(shape) if s in page_lines for j in range(i - _RUNNING_SPAN, i + _RUNNING_SPAN + 1)}
    spots: dict[str, list[int]] = defaultdict(list)  # shape -> where its lines stand
    texts: dict[str, set[str]] = defaultdict(set)  # shape -> its lines' words
    for i, (line, s) in enumerate(zip(lines, shape, strict=True)):
        if s.strip() and s not in page_lines and len(s.split()) <= _FOOTER_MAX_WORDS:
            spots[s].append(i)
            texts[s].add(_collapsed(line))
    return {s for s, where in spots.items()
            if len(where) >= _FOOTER_MIN_REPEATS and set(where) <= near and len(texts[s]) == 1}


def _is_heading(line: str) -> bool:
    """A line in capitals ("CHAPTER IV.", "OPENING ARGUMENT OF ..."): a paragraph of its own."""
    letters = [ch for ch in line if ch.isalpha()]
    return len(letters) >= 2 and not any(ch.islower() for ch in letters)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def is_block_quote(paragraph: str) -> bool:
    """A paragraph of the cleaned text set off as a block quotation (see BLOCK_INDENT)."""
    return paragraph.startswith(BLOCK_INDENT) and bool(paragraph.strip())


def paragraph_lines(lines: list[str]) -> list[str]:
    """The lines of text that is not hard-wrapped, stripped; where indentation is the exception (at
    most _BLOCK_MAX_SHARE of the paragraphs: not a text indenting every paragraph), a run of lines
    indented together is one block quotation, one line marked with BLOCK_INDENT."""
    # A labelled turn is no quotation, however indented (a deposition indents its "Q." and "A." lines).
    indented = [bool(line.strip()) and _indent(line.expandtabs(4)) >= _BLOCK_MIN_INDENT and not starts_turn(line)
                for line in lines]
    # Units: a run of indented lines counts once, any other non-blank line once.
    runs = sum(1 for i, inside in enumerate(indented) if inside and not (i and indented[i - 1]))
    units = runs + sum(1 for line, inside in zip(lines, indented, strict=True) if line.strip() and not inside)
    if runs > _BLOCK_MAX_SHARE * units:
        return [line.strip() for line in lines]
    out: list[str] = []
    run: list[str] = []
    for line, inside in zip([*lines, ""], [*indented, False], strict=True):
        if inside:
            run.append(line.strip())
            continue
        if run:
            out.append(BLOCK_INDENT + " ".join(run))
        run = []
        out.append(line.strip())
    return out[:-1]


def starts_turn(line: str) -> bool:
    """The line opens a labelled speaker turn ("MS. PSAKI:", "Q ", "MR. LINCOLN---")."""
    return bool(_TURN_START.match(blank_furniture(line).strip()))


def _starts_paragraph(line: str, previous: str) -> bool:
    text = line.strip()
    marked = starts_turn(text) or _FIELD.match(text) or _LIST_ITEM.match(text)
    return bool(marked) or _is_heading(text) or _indent(line) > _indent(previous) + 1


NAMED_LINE_WORDS = 6


def _named_line_alone(line: str, previous: str, following: str | None) -> bool:
    """A short line naming someone, between a sentence's end and a new paragraph: a heading that
    says whose words follow ("Judge Tomasz Brennan, dissenting."), not a paragraph's last line."""
    return (len(line.split()) <= NAMED_LINE_WORDS and previous.rstrip().endswith((".", ":", "?", "!"))
            and following is not None and _starts_paragraph(following, line) and bool(names_in(line)))


def _ends_paragraph(line: str, following: str | None, width: int) -> bool:
    """The wrapper broke this line early: the next line's first word would have fitted."""
    if following is None or _is_heading(line):
        return True
    first_word = following.split()[0] if following.split() else ""
    return len(line) + 1 + len(first_word) < _FULL_LINE * width


def _join(pieces: list[str], words: frozenset[str] = frozenset()) -> str:
    """One paragraph from its lines. A hyphen at a line end is kept as written ("Great-" + "Britain"
    -> "Great-Britain"), unless the joined word is one the document writes without it elsewhere
    (`words`, lower case) or a dictionary word (`vocabulary_words`): "cab-" + "inet" -> "cabinet",
    a typesetter's hyphen that is no part of the text; "sea-" + "wall" stays "sea-wall"."""
    text = pieces[0]
    for piece in pieces[1:]:
        hyphen = _WORD_HYPHEN_END.search(text) and piece[:1].isalpha()
        joined = (_last_word(text[:-1]) + _first_word(piece)).lower()
        if hyphen and (joined in words or joined in vocabulary_words()):
            text = text[:-1]
        text += ("" if hyphen else " ") + piece
    return text


def _last_word(text: str) -> str:
    found = re.search(r"[^\W\d_]+$", text)
    return found.group() if found else ""


def _first_word(text: str) -> str:
    found = re.match(r"[^\W\d_]+", text)
    return found.group() if found else ""


def unwrap(lines: list[str]) -> list[str] | None:
    """The paragraphs of hard-wrapped text, or None when the text is not hard-wrapped."""
    widths = column_widths(lines)
    if widths is None:
        return None
    nonblank = [i for i, line in enumerate(lines) if line.strip()]
    blocks = sum(1 for i in nonblank if i == 0 or not lines[i - 1].strip())
    blank_separated = len(nonblank) <= _MAX_BLOCK_LINES * blocks
    paragraphs: list[str] = []
    current: list[str] = []
    words = frozenset(re.findall(r"[^\W\d_]+", "\n".join(lines).lower()))

    def flush() -> None:
        if current:
            paragraphs.append(_join(current, words))
            current.clear()

    previous = ""
    for n, i in enumerate(nonblank):
        line = lines[i]
        following = lines[nonblank[n + 1]] if n + 1 < len(nonblank) else None
        if current and (_starts_paragraph(line, previous) or (blank_separated and not lines[i - 1].strip())
                        or _named_line_alone(_collapsed(line), previous, following)):
            flush()
        current.append(_collapsed(line))
        if _ends_paragraph(_collapsed(line), following, _width_of(line, widths)):
            flush()
        previous = line
    flush()
    return paragraphs
