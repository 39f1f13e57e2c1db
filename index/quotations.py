"""Quotations inside a paragraph: the words a writer quotes are the quoted person's, too.

An op-ed, a report or a profile quotes people inline ('"We are paying twice for every bottle,"
Marchetti said.'); the paragraph is the writer's, but the words inside the quotation marks are
the person's the reporting clause names. Each such quotation becomes a passage of its own, of
kind "quote", with the quoted person as its author, beside the writer's passage that holds it:
a question about that person finds their words, and the writer's paragraph is unchanged, so
questions about the writer or the topic search as before (retrieval leaves "quote" passages out
unless the question names someone).

No maintained library attributes quotations offline without a model download (textacy's
direct_quotations needs a spaCy pipeline), so the rule is the reporting convention itself: a
quotation of at least MIN_WORDS words with a reporting verb in the same sentence, its subject a
name the text gives in full, a surname of someone it named so, or "he"/"she" for the last person
named. A quotation whose speaker is the paragraph's own writer, or no one, adds nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .attribution import Segment, paragraph_starts
from .offices import OFFICES, TITLE_WORDS, alternation
from .people import is_institution, is_place
from .turns import is_title, key_of, names_in

MIN_WORDS = 6
# Double quotation marks, or single ones as British texts print them ('They keep telling us we're a
# museum piece.'): an apostrophe inside a word (a letter follows it) does not close a single quotation.
_QUOTATION = re.compile(
    r"\u201c([^\u201c\u201d]+)\u201d|\"([^\"\n]+)\""
    r"|(?<!\w)\u2018((?:[^\u2018\u2019\n]|\u2019(?=[a-z]))+)\u2019(?![a-z])"
    r"|(?<![\w'])'(?=[A-Z])((?:[^'\n]|'(?=[a-z]))+)'(?![a-z])")
_VERB = (r"(?:said|says|told|tells|wrote|writes|argued|argues|added|adds|warned|warns|insisted|insists|"
         r"noted|notes|explained|explains|asked|asks|replied|replies|declared|declares|urged|urges|"
         r"recalled|recalls|admitted|admits|countered|counters|conceded|concedes|predicted|predicts|"
         r"acknowledged|acknowledges|remarked|remarks|complained|complains|concluded|concludes)")
_NAME = r"(?:[A-Z][\w.'\u2019-]*\s+){0,4}[A-Z][\w'\u2019-]*"
_CODED_LABEL = re.compile(r"^\s*(?P<label>[A-Z][a-z]+\s+\d[\d,]*)(?:\s*\([^()\n]{1,80}\))?\s*:\s*$")
_PRONOUN = r"he|she|He|She"
# After the quotation: '," Marchetti said', '," she says', '," said Councillor Atwell'.
_CUE_AFTER = re.compile(rf"^[,.!?]?\s*(?:(?P<who>{_NAME}|{_PRONOUN})\s+{_VERB}\b|{_VERB}\s+(?P<who2>{_NAME}))")
# Before it, in the same sentence, the subject of a reporting verb: 'Atwell said the scheme risked
# becoming "...', 'Helena Marchetti, who told a committee that the region was "...', 'She says: "...'.
_CUE_BEFORE = re.compile(
    rf"(?P<who>{_NAME}|\b(?:{_PRONOUN}))(?:,\s+who|,[^,]{{1,80}},)?\s+(?:\w+ly\s+|also\s+|then\s+)?{_VERB}\b")
_SENTENCE_START = re.compile(r"[.!?][\"'\u201d\u2019)]*\s+(?=[A-Z\"\u201c])")
# Office and rank words before a name are no part of it ("Regional Waste Commissioner Helena Marchetti").
_OFFICE_WORDS = re.compile(rf"^(?:.*\s)?(?:{alternation(OFFICES | TITLE_WORDS | {'state'}, capitalised=True)})\.?\s+")


@dataclass
class Quotation:
    start: int  # offsets of the quoted words (without the marks) in the paragraph
    end: int
    person: str


def quotations(paragraphs: list[str], writers: list[str | None]) -> list[tuple[int, Quotation]]:
    """(paragraph index, quotation) for each attributable quotation; `writers[i]` owns paragraph i."""
    known: list[str] = []  # people named in full so far
    subject: str | None = None  # whom "he"/"she" stands for: the person a paragraph opens on
    found = []
    for i, para in enumerate(paragraphs):
        if i and writers[i] != writers[i - 1]:
            subject = None  # a new speaker's "she" is nobody named in the turn before
        cursor, opened = 0, False
        last: tuple[int, str] | None = None  # where the paragraph's last attributed quotation ended, and whose
        for match in _QUOTATION.finditer(para):
            before = para[cursor : match.start()]
            known += [n for n in full_names(before) if n not in known]
            if not opened and (first := _first_mentioned(para[: match.start()], known)):
                subject, opened = first, True
            cursor = match.end()
            words = next(g for g in match.groups() if g).strip()
            if len(words.split()) < MIN_WORDS:
                continue
            person = _speaker(para, match, known, subject)
            if person is None and last and _continues(para[last[0] : match.start()]):
                person = last[1]
            if person:
                last = (match.end(), person)
            if person and person not in (writers[i] or "").split(" & "):
                found.append((i, Quotation(match.start() + 1, match.end() - 1, person)))
        known += [n for n in full_names(para[cursor:]) if n not in known]
        if not opened:
            subject = _first_mentioned(para, known) or subject
    return found


CONTINUATION_WORDS = 20


def _continues(between: str) -> bool:
    """Whether a quotation goes on after its reporting clause: '"Our members voted against
    moving," said Joan Tetley, chair of the traders. "Cattle Yard Square is a lovely space ..."'."""
    return len(between.split()) <= CONTINUATION_WORDS and bool(_CUE_AFTER.match(between))


def full_names(text: str) -> list[str]:
    """Full names in `text`, without the office before them; organisations and places are no one, nor
    is a form of address ending in an office ("Madam Chair", "Mr. Chairman")."""
    names = [_OFFICE_WORDS.sub("", n) for n in names_in(text)]
    return [n for n in names if 2 <= len(n.split()) <= 4 and not is_title(n.split()[-1])
            and not is_institution(n) and not is_place(n)]


def _first_mentioned(text: str, known: list[str]) -> str | None:
    """The person of `known` mentioned first in `text`, in full or by surname (a paragraph's subject)."""
    spots = [(m.start(), person) for person in known
             for m in re.finditer(rf"\b{re.escape(person.split()[-1])}\b", text)]
    return min(spots)[1] if spots else None


def _speaker(para: str, match: re.Match, known: list[str], subject: str | None) -> str | None:
    after = _CUE_AFTER.match(para[match.end():])
    if after:
        return _resolve(after.group("who") or after.group("who2"), known, subject)
    sentence_start = max((m.end() for m in _SENTENCE_START.finditer(para, 0, match.start())), default=0)
    lead = para[sentence_start : match.start()]
    for cue in reversed(list(_CUE_BEFORE.finditer(lead))):
        person = _resolve(cue.group("who"), known, subject)
        if person:
            return person
    # A respondent a report quotes by number, and how it describes them: 'Respondent 17 (resident,
    # Harbour ward): "..."'. The label is all the lead-in says: the words are that respondent's.
    if coded := _CODED_LABEL.match(lead):
        return " ".join(coded.group("label").split())
    # A lead-in ending with a colon whose subject is a person: 'Ronan Tully, who has skippered the
    # crabber for twenty-six years, put it to us bluntly: "...'.
    opening = re.match(rf"\s*(?P<who>{_NAME})\b", lead)
    if opening and lead.rstrip().endswith(":"):
        return _resolve(opening.group("who"), known, subject)
    return None


def _resolve(who: str, known: list[str], subject: str | None) -> str | None:
    """The person `who` stands for: a full name, a surname (with any title) of someone named in
    full before, or a pronoun for the paragraph's subject."""
    if who.lower() in {"he", "she"}:
        return subject
    full = full_names(who)
    if full:
        return full[-1]
    surname = key_of(who).split()[-1] if who.strip() else ""
    matches = {n for n in known if key_of(n).split()[-1] == surname}
    return matches.pop() if len(matches) == 1 else None


def quote_segments(paragraphs: list[str], segments: list[Segment]) -> list[Segment]:
    """A "quote" segment for each attributable quotation in the text ("\n\n".join(paragraphs)),
    beside the attribution's `segments` (which say whose each paragraph is)."""
    starts = paragraph_starts(paragraphs)
    writers = [next((s.author for s in segments if s.start <= at < s.end), None) for at in starts]
    return [Segment(starts[i] + q.start, starts[i] + q.end, q.person, "quote")
            for i, q in quotations(paragraphs, writers)]
