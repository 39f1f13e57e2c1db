"""Who wrote or said each paragraph: bylines, bio lines and dialogue turns.

The text decides first (speaker turns, bio lines, bylines); the metadata file fills
and overrides the byline. An author the text and metadata do not name stays
unknown: nothing here guesses.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant.citations import normalize
from assistant.models import ArticleForm, joint_label

from .cleaning import PROSE_WORDS
from .correspondence import email_messages
from .interview import find_interview
from .letters import reader_letters, signed_letters
from .people import CREDENTIAL, is_institution
from .sections import author_sections
from .turns import Dialogue, Piece, find_dialogue, find_monologue, is_title, key_of, names_in, title_case
from .unwrap import is_block_quote

_NAME_TOKEN = r"[A-Z][\w'\u2019-]*\.?"
_FULL_NAME = rf"{_NAME_TOKEN}(?:\s+{_NAME_TOKEN}){{1,3}}"
_NAME_LINE = re.compile(rf"^{_FULL_NAME}$")
_BIO = re.compile(  # "Jane Roe is a ...", also after a dash ("— Jane Roe is a professor of ...")
    rf"^(?:[\u2014\u2013-]+\s*)?(?P<name>{_NAME_TOKEN}(?:\s+{_NAME_TOKEN}){{0,3}})\s+"
    r"(?:is|was|holds|serves as|has been|teaches|directs|leads)\b(?P<rest>.*)$"
)
_HEADER_PARAGRAPHS = 12
_AUTHOR_LINE = re.compile(r"(?:^|\s)(?:Authors?|Written by)\s*:\s*(?P<names>[^\n]+)", re.IGNORECASE)
_AUTHOR_FIELD = re.compile(r"^(?:report\s+|lead\s+)?(?:authors?|written\s+by|prepared\s+by)\s*:?$", re.IGNORECASE)
_SIGNATURE_WINDOW = 5
_HEADER_LINE_WORDS = 25
_MADE_BY = re.compile(
    r"(?:,|\b(?:remarks|address|speech|statement|testimony|lecture|sermon|briefing|keynote|newsletter|column|"
    r"essay|commentary|letter|notes|diary|blog|report|review|profile|roundup|digest)"
    # a record's closing line: "Minutes taken by Annika Lovstad, Democratic Services Officer."
    r"|\b(?:minutes|notes|record|transcript)\s+(?:taken|recorded|prepared|compiled|kept|written|transcribed))"
    rf"\s+by\s+(?P<name>{_NAME_TOKEN}(?:\s+{_NAME_TOKEN}){{1,4}})",
    re.IGNORECASE,
)
_CLOSING_PARAGRAPHS = 3  # where a record names who took it
_REQUOTE_MIN_WORDS = 6
_SIGNATURE = re.compile(r"^[A-Z][\w'\u2019.-]*(?:\s+[A-Z][\w'\u2019.-]*){0,3}$")
# Signatures that stand for a role, not a person ("...is the AUTHOR").
_NOBODY = {"AUTHOR", "AUTHORS", "EDITOR", "EDITORS", "WRITER", "PUBLISHER", "TRANSLATOR", "ANONYMOUS", "END", "FINIS"}
_BRACKETED = re.compile(r"^\s*[\[(].*[\])][.\s]*$", re.S)
_PEN_NAME = re.compile(
    rf"^[\"\u201c]?(?P<pen>{_FULL_NAME}|{_NAME_TOKEN})[\"\u201d]?,?\s+(?:was|is)\s+(?:a|the|one)\s+"
    rf"(?:pen[- ]name|pseudonym|nom de plume|signature)s?\s+(?:of|used by)\s+(?P<real>{_FULL_NAME})"
)


@dataclass
class Segment:
    """A run of paragraphs by one person (or of unknown authorship) in the cleaned text."""

    start: int
    end: int
    author: str | None
    kind: str = "body"  # "body" or "bio"


@dataclass
class Attribution:
    authors: list[str]
    speakers: list[str] = field(default_factory=list)
    unnamed: list[str] = field(default_factory=list)  # speakers the text labels but never names
    credentials: dict[str, str] = field(default_factory=dict)
    segments: list[Segment] = field(default_factory=list)
    form: ArticleForm = "article"


def match_person(fragment: str, people: list[str]) -> str | None:
    """The one person whose full, first or last name is `fragment`, titles aside ("Dr. Lucia
    Ferrante"), or None if ambiguous."""
    words = fragment.split()
    while len(words) > 1 and is_title(words[0]):
        words = words[1:]
    fragment = " ".join(words)
    hits = [
        p
        for p in people
        if fragment == p
        or fragment in (p.split()[0], p.split()[-1])
        or fragment.replace(".", "") == p.replace(".", "")
    ]
    return hits[0] if len(set(hits)) == 1 else None


def _find_bios(paragraphs: list[str], people: list[str]) -> dict[int, tuple[str, str]]:
    """Paragraph index -> (person, bio line) for bio lines and the name line above them."""
    bios: dict[int, tuple[str, str]] = {}
    for i, para in enumerate(paragraphs):
        match = _BIO.match(para)
        if not match or len(para.split()) > 90 or not CREDENTIAL.search(match.group("rest")):
            continue
        name = match.group("name")
        above = paragraphs[i - 1] if i else ""
        person = match_person(name, people)
        if _NAME_LINE.match(above) and (name in above.split()):
            person = person or above
            bios[i - 1] = (person, para)
        elif person is None and " " not in name:
            continue  # "George is ..." with no known George: not enough to name anyone
        person = person or name
        bios[i] = (person, para)
    return bios


def _heading_authors(paragraphs: list[str]) -> list[str]:
    """Names on an "Author: ..." heading line near the top, or on the line under an "Author" field
    (a report's cover table, read row by row: "Report author", then "Kieran Moss, Street Lighting
    Manager")."""
    for i, para in enumerate(paragraphs[:_HEADER_PARAGRAPHS]):
        match = _AUTHOR_LINE.search(para)
        if match and len(para.split()) <= 40:
            return names_in(match.group("names"))
        if _AUTHOR_FIELD.match(para.strip()) and i + 1 < len(paragraphs):
            names = [n for n in names_in(paragraphs[i + 1]) if not is_institution(n)]
            if names:
                return names[:1]
    return []


def _signature(paragraphs: list[str]) -> str | None:
    """A name signed on its own line near the end ("THOMAS PAINE.", "THE FORESTER."), in title case.

    A signature in capitals stands alone; one in title case needs a valediction above it
    ("Your obedient humble servant,"), else it could be any heading. A signature that names
    nobody ("AUTHOR") gives nothing.
    """
    tail = [(i, p) for i, p in enumerate(paragraphs) if not _BRACKETED.match(p)][-_SIGNATURE_WINDOW:]
    for n, (_, para) in enumerate(tail):
        line = para.strip().rstrip(".")
        if not _SIGNATURE.match(line) or key_of(line).removeprefix("THE ") in _NOBODY:
            continue
        above = tail[n - 1][1].strip() if n else ""
        if line.isupper() or above.endswith(","):
            return title_case(line)
    return None


def pen_names(paragraphs: list[str]) -> dict[str, str]:
    """Pen name -> the real person, as bio lines state them ("The Forester" was a pen name of Thomas Paine)."""
    found = {}
    for para in paragraphs:
        match = _PEN_NAME.match(para.strip())
        if match:
            found[match.group("pen")] = match.group("real")
    return found


def _pen_name_owner(paragraphs: list[str], signature: str) -> str | None:
    """The real person a bio line says the signature's pen name belongs to."""
    return next((real for pen, real in pen_names(paragraphs).items() if key_of(pen) == key_of(signature)), None)


def attribute(
    paragraphs: list[str], byline: list[str], metadata_authors: list[str] | None, title: str | None = None,
    bylines: Sequence[tuple[int, list[str]]] = (),
) -> Attribution:
    """Attribute each paragraph of a cleaned article.

    `metadata_authors` is None when the metadata file says nothing about authors,
    and a (possibly empty) list when it does: then it overrides the text. `title`, when
    given, may name a speaker ("Press Briefing by Press Secretary Jen Psaki"). `bylines` are where
    bylines stood (`CleanedText.bylines`): several mark a page of several pieces.
    """
    known = list(metadata_authors or []) + [b for b in byline if b not in (metadata_authors or [])]
    first_bios = _find_bios(paragraphs, known)
    opening = next((i for i, p in enumerate(paragraphs) if len(p.split()) >= PROSE_WORDS), len(paragraphs))
    layout = _layout(paragraphs, known, first_bios, title, opening, bylines, list(metadata_authors or []))
    dialogue = layout.dialogue
    named_speakers = [s for s in dialogue.speakers if s not in dialogue.unnamed] if dialogue else []
    writers = list(dict.fromkeys(w for w in (layout.owners or {}).values() if w))
    people = list(dict.fromkeys(known + named_speakers))
    bios = _find_bios(paragraphs, people)
    for person, _ in bios.values():
        if person not in people:
            people.append(person)

    if metadata_authors is not None:
        authors = list(metadata_authors)
    else:
        stated = _authors_from_text(paragraphs)
        if dialogue and all(match_person(s, dialogue.speakers) for s in stated):  # a turn's label ("HURST")
            stated = []
        by_header = _header_author([title or "", *paragraphs[:opening]]) or _header_author(
            paragraphs[-_CLOSING_PARAGRAPHS:])
        # Correspondence and collections are their writers' (a closing signature is the last letter's).
        authors = list(dict.fromkeys(byline or by_header or (writers if writers else stated) or named_speakers))
        authors = authors or list(dict.fromkeys(p for p, _ in bios.values()))
    # A bio that names only a first name ("George is ...") belongs to the full author name.
    credentials: dict[str, str] = {}
    for person, line in bios.values():
        full = match_person(person, authors) or person
        if not _NAME_LINE.match(line):
            credentials[full] = line.lstrip("\u2014\u2013- ")

    pieces = dialogue.pieces if dialogue else _owned_pieces(paragraphs, layout.owners, authors)
    segments = _segments(paragraphs, pieces, bios, authors)
    speakers = dialogue.speakers if dialogue else writers
    unnamed = [s for s in speakers if s in dialogue.unnamed] if dialogue else []
    return Attribution(authors, speakers, unnamed, credentials, segments, layout.form)


@dataclass
class _Layout:
    form: ArticleForm
    dialogue: Dialogue | None = None  # a transcript's or an interview's turns
    owners: dict[int, str | None] | None = None  # a page of several pieces: paragraph -> writer


def _layout(
    paragraphs: list[str], known: list[str], bios: dict[int, tuple[str, str]], title: str | None, opening: int,
    bylines: Sequence[tuple[int, list[str]]], hosts: list[str],
) -> _Layout:
    """How the text is laid out: labelled turns (or one label opening a speech), an unlabelled
    interview, email messages or signed letters (correspondence), pieces under their own bylines or
    headings (or a guest's under theirs on the page of `hosts`, the metadata's authors), else one
    article. Bio lines (`bios`) end a turn and name people the turns may use."""
    stops = set(bios)
    people = known + [person for person, _ in bios.values()]
    if dialogue := find_dialogue(paragraphs, people, stops, title) or find_monologue(
            paragraphs, people, stops, title, opening):
        return _Layout("transcript", dialogue=dialogue)
    if dialogue := find_interview(paragraphs, known, title):
        return _Layout("interview", dialogue=dialogue)
    if owners := email_messages(paragraphs) or signed_letters(paragraphs):
        return _Layout("letters", owners=owners)
    if owners := author_sections(paragraphs, list(bylines), hosts):
        return _Layout("collection", owners=owners)
    return _Layout("article")


def _owned_pieces(paragraphs: list[str], owners: dict[int, str | None] | None, authors: list[str]) -> list[Piece]:
    """One piece per paragraph, its writer's: a section's or letter's, else the authors' jointly
    (co-authors wrote the whole text together) but for block quotations and readers' letters."""
    if owners:
        owner = list(owners.values())
        if authors and not set(authors) & set(owner):
            # A report quoting speeches under their speakers' headings: the rest is its writer's.
            owner = [who or joint_label(authors) for who in owner]
        quoted = _block_quotes(paragraphs, list(dict.fromkeys([*authors, *filter(None, owner)])))
    else:
        owner = [joint_label(authors) if authors else None] * len(paragraphs)
        quoted = _block_quotes(paragraphs, authors) | reader_letters(paragraphs)
    owner = _requoted(paragraphs, [quoted.get(i, who) for i, who in enumerate(owner)])
    owner = [None if _EDITORS_NOTE.match(p) else who for p, who in zip(paragraphs, owner, strict=True)]
    return [Piece(i, 0, len(p), owner[i], i > 0 and owner[i] != owner[i - 1]) for i, p in enumerate(paragraphs)]


# A note the editors add to a writer's piece: "Editor's note: Graham Ollerton served ...", "Correction:
# An earlier version of this article said ...". The publication's words, not the writer's.
_EDITORS_NOTE = re.compile(
    r"^\W{0,3}(?:editor['\u2019]?s['\u2019]?\s+note|correction|clarification)\s*[:.\u2014\u2013-]", re.IGNORECASE)


def _requoted(paragraphs: list[str], owner: list[str | None]) -> list[str | None]:
    """A block quotation of words written earlier on the page (a forum reply quoting the post it
    answers) is the earlier writer's, whoever quotes it."""
    out = list(owner)
    if not any(map(is_block_quote, paragraphs)):
        return out
    # Words only: a quotation may end where the sentence went on.
    bare = [" ".join(re.sub(r"[^\w\s]", " ", normalize(p)).split()) for p in paragraphs]
    for i, para in enumerate(paragraphs):
        if is_block_quote(para) and len(bare[i].split()) >= _REQUOTE_MIN_WORDS:
            source = next((j for j in range(i) if not is_block_quote(paragraphs[j]) and bare[i] in bare[j]), None)
            if source is not None:
                out[i] = owner[source]
    return out


_PRONOUN = re.compile(r"^(?:She|He|They)\b")
_QUOTED_TITLE = re.compile(r"\"[^\"]{1,120}\"|\u201c[^\u201d]{1,120}\u201d")
# A quotation's source line, under it: "\u2014 Harold Finch, The Ledger", "-- p. 112".
_SOURCE_LINE = re.compile(r"^(?:\u2014|\u2013|--?)\s*\S.{0,80}$")
_PAGE_REFERENCE = re.compile(r"^(?:\u2014|\u2013|--?)\s*(?:pp?\.|page|pages|ch\.|chapter|loc\.)\s*\d", re.I)


def _block_quotes(paragraphs: list[str], writers: list[str]) -> dict[int, str | None]:
    """Block quotations introduced by a line naming whose words they are ("As Harold Finch wrote in
    his 2019 column:"): paragraph index -> that person. An essay quoting its opponent at length
    must not put the opponent's words in the writer's mouth. The lead-in must end with a colon and
    name one person who is not a writer (in full, or by a surname the text gave in full before);
    a quotation it does not name anyone for stays the writer's."""
    quoted: dict[int, str | None] = {}
    if not any(map(is_block_quote, paragraphs)):
        return quoted  # no names to gather for a text that quotes nothing at length
    named: list[str] = []
    writer_names = {key_of(w).split()[-1] for w in writers}
    for i, para in enumerate(paragraphs):
        lead = paragraphs[i - 1].rstrip() if i else ""
        if is_block_quote(para) and i - 1 in quoted and is_block_quote(lead):
            quoted[i] = quoted[i - 1]  # the quotation's next paragraph
        elif is_block_quote(para) and not is_block_quote(lead):
            people = _quoted_people(paragraphs, i, named, writer_names)
            if len(people) == 1:
                quoted[i] = people[0]
        named.extend(n for n in names_in(_QUOTED_TITLE.sub(" ", para)) if not is_institution(n))
    return quoted


def _quoted_people(
    paragraphs: list[str], start: int, named: list[str], writer_names: set[str]
) -> list[str | None]:
    """Whom the block quotation starting at paragraph `start` may quote: the person its source line
    names ("\u2014 Harold Finch, 2019" under it; an organisation's statement, "\u2014 Sight Loss
    Association", is nobody's: [None]); for a page reference ("\u2014 p. 112": the book under
    review), the people its lead-in paragraph names, else the last person named before; else those
    the lead-in names when it ends with a colon, in its last sentence (or, when that sentence says
    "She has ...:", in its whole paragraph, else the last person named before)."""
    end = next((j for j in range(start, len(paragraphs)) if not is_block_quote(paragraphs[j])), len(paragraphs))
    source = next((p.strip() for p in paragraphs[start:end + 1][-2:] if _SOURCE_LINE.match(p.strip())), "")
    lead = paragraphs[start - 1].rstrip() if start else ""
    if source and not _PAGE_REFERENCE.match(source):
        signed = names_in(_QUOTED_TITLE.sub(" ", source))
        return [None] if signed and all(map(is_institution, signed)) else _people_in(source, named, writer_names)
    last = [n for n in named[::-1] if key_of(n).split()[-1] not in writer_names][:1]  # "she": the last one named
    if source:
        return _people_in(lead, named, writer_names) or last
    if not lead.endswith(":"):
        return []
    sentence = re.split(r"(?<=[.!?])\s+", lead)[-1]
    if _PRONOUN.match(sentence):
        return _people_in(lead, named, writer_names) or last
    return _people_in(sentence, named, writer_names)


def _people_in(text: str, named: list[str], writer_names: set[str]) -> list[str]:
    """The people `text` names who are not its writers: in full, or by the surname of someone
    `named` in full before."""
    text = _QUOTED_TITLE.sub(" ", text)  # a chapter's title ("Main Street Doesn't Need Your Car") names no one
    people = [n for n in names_in(text) if not is_institution(n)]
    people = people or [n for n in named if re.search(rf"\b{re.escape(n.split()[-1])}\b", text)]
    return [n for n in dict.fromkeys(people) if key_of(n).split()[-1] not in writer_names]


def _header_author(lines: list[str]) -> list[str]:
    """The person a title or header line names as its maker, after a comma or a kind of text
    ("Commencement address by Dr. Alan Brooks, May 12", "A weekly newsletter on local government, by
    Samuel Adeyemi"); a headline's "by" ("Killed by Friendly Fire") names no one."""
    for line in lines:
        match = _MADE_BY.search(line) if len(line.split()) <= _HEADER_LINE_WORDS else None
        names = [n for n in names_in(match.group("name")) if not is_institution(n)] if match else []
        if names:
            return names[:1]
    return []


def _authors_from_text(paragraphs: list[str]) -> list[str]:
    """An "Author:" heading, else a closing signature (its real name only if a bio line says so)."""
    heading = _heading_authors(paragraphs)
    if heading:
        return heading
    signature = _signature(paragraphs)
    if signature is None:
        return []
    return [_pen_name_owner(paragraphs, signature) or signature]


def paragraph_starts(paragraphs: list[str]) -> list[int]:
    """Where each paragraph starts in the cleaned text, "\n\n".join(paragraphs)."""
    starts, offset = [], 0
    for para in paragraphs:
        starts.append(offset)
        offset += len(para) + 2
    return starts


def _segments(
    paragraphs: list[str], pieces: list[Piece], bios: dict[int, tuple[str, str]], authors: list[str]
) -> list[Segment]:
    """Offsets into "\n\n".join(paragraphs); a new turn always opens a new segment."""
    starts = paragraph_starts(paragraphs)
    by_paragraph: dict[int, list[Piece]] = {}
    for piece in pieces:
        by_paragraph.setdefault(piece.paragraph, []).append(piece)
    segments: list[Segment] = []
    previous = -1  # the paragraph of the last piece: a skipped paragraph (a speaker heading) ends a segment
    for i, para in enumerate(paragraphs):
        last = segments[-1] if segments else None
        if i in bios:
            person = match_person(bios[i][0], authors) or bios[i][0]
            if last and last.kind == "bio" and last.author == person:
                last.end = starts[i] + len(para)  # a name line and the bio line under it form one passage
            else:
                segments.append(Segment(starts[i], starts[i] + len(para), person, "bio"))
            continue
        for piece in by_paragraph.get(i, []):
            text = para[piece.start : piece.end]
            start = starts[i] + piece.start + len(text) - len(text.lstrip())
            end = starts[i] + piece.start + len(text.rstrip())
            last = segments[-1] if segments else None
            joins = last and last.kind == "body" and last.author == piece.author and previous >= i - 1
            if joins and not piece.opens:
                last.end = end
            else:
                segments.append(Segment(start, end, piece.author))
            previous = i
    return segments
