"""Who wrote or said each paragraph: bylines, bio lines and dialogue turns.

The text decides first (speaker turns, bio lines, bylines); the metadata file fills
and overrides the byline. An author the text and metadata do not name stays
unknown: nothing here guesses.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

_NAME_TOKEN = r"[A-Z][\w'\u2019-]*\.?"
_FULL_NAME = rf"{_NAME_TOKEN}(?:\s+{_NAME_TOKEN}){{1,3}}"
_TURN = re.compile(rf"^(?P<label>{_FULL_NAME}|[A-Z]{{2,3}}):\s+")
_NAME_LINE = re.compile(rf"^{_FULL_NAME}$")
_BIO = re.compile(
    rf"^(?P<name>{_NAME_TOKEN}(?:\s+{_NAME_TOKEN}){{0,3}})\s+"
    r"(?:is|was|holds|serves as|has been|teaches|directs|leads)\b(?P<rest>.*)$"
)
_CREDENTIAL = re.compile(
    r"\b(fellow|director|columnist|professor|editor|author of|chair|president|senior|analyst|"
    r"researcher|journalist|correspondent|ambassador|advis[eo]r|scholar|lecturer|contributor|"
    r"writer|founder|reporter|officer|secretary|head of|co-director|partner)\b",
    re.IGNORECASE,
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
    credentials: dict[str, str] = field(default_factory=dict)
    segments: list[Segment] = field(default_factory=list)


def initials(name: str) -> str:
    parts = [p for p in re.split(r"\s+", name) if p and not re.fullmatch(r"[A-Z]\.", p)]
    return (parts[0][0] + parts[-1][0]).upper() if len(parts) >= 2 else ""


def match_person(fragment: str, people: list[str]) -> str | None:
    """The one person whose full, first or last name is `fragment` (None if ambiguous)."""
    fragment = fragment.strip()
    hits = [
        p
        for p in people
        if fragment == p
        or fragment in (p.split()[0], p.split()[-1])
        or fragment.replace(".", "") == p.replace(".", "")
    ]
    return hits[0] if len(set(hits)) == 1 else None


def _speaker_map(paragraphs: list[str], known: list[str]) -> dict[str, str]:
    """Turn labels -> speaker names, for a text that is a dialogue (else empty)."""
    labels = Counter(m.group("label") for p in paragraphs if (m := _TURN.match(p)))
    full_names = [label for label in labels if " " in label]
    people = list(dict.fromkeys(full_names + known))
    mapping: dict[str, str] = {}
    for label, count in labels.items():
        if " " in label and (count >= 2 or label in known or initials(label) in labels):
            mapping[label] = label
        elif " " not in label:
            owners = {p for p in people if initials(p) == label}
            if len(owners) == 1:
                mapping[label] = owners.pop()
    speakers = set(mapping.values())
    turns = sum(labels[label] for label in mapping)
    return mapping if len(speakers) >= 2 and turns >= 4 else {}


def _find_bios(paragraphs: list[str], people: list[str]) -> dict[int, tuple[str, str]]:
    """Paragraph index -> (person, bio line) for bio lines and the name line above them."""
    bios: dict[int, tuple[str, str]] = {}
    for i, para in enumerate(paragraphs):
        match = _BIO.match(para)
        if not match or len(para.split()) > 90 or not _CREDENTIAL.search(match.group("rest")):
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


def attribute(
    paragraphs: list[str], byline: list[str], metadata_authors: list[str] | None
) -> Attribution:
    """Attribute each paragraph of a cleaned article.

    `metadata_authors` is None when the metadata file says nothing about authors,
    and a (possibly empty) list when it does: then it overrides the text.
    """
    known = list(metadata_authors or []) + [b for b in byline if b not in (metadata_authors or [])]
    speaker_of = _speaker_map(paragraphs, known)
    people = list(dict.fromkeys(known + list(speaker_of.values())))
    bios = _find_bios(paragraphs, people)
    for person, _ in bios.values():
        if person not in people:
            people.append(person)

    if metadata_authors is not None:
        authors = list(metadata_authors)
    else:
        found = byline or list(dict.fromkeys(speaker_of.values())) or [p for p, _ in bios.values()]
        authors = list(dict.fromkeys(found))
    # A bio that names only a first name ("George is ...") belongs to the full author name.
    credentials: dict[str, str] = {}
    for person, line in bios.values():
        full = match_person(person, authors) or person
        if not _NAME_LINE.match(line):
            credentials[full] = line

    speakers = list(dict.fromkeys(speaker_of.values()))
    sole = authors[0] if len(authors) == 1 else None
    segments = _segments(paragraphs, speaker_of, bios, authors, sole)
    return Attribution(authors=authors, speakers=speakers, credentials=credentials, segments=segments)


def _segments(
    paragraphs: list[str],
    speaker_of: dict[str, str],
    bios: dict[int, tuple[str, str]],
    authors: list[str],
    sole: str | None,
) -> list[Segment]:
    """Offsets into "\n\n".join(paragraphs); turns carry over until the next turn or a bio."""
    segments: list[Segment] = []
    offset = 0
    current: str | None = None if speaker_of else sole
    for i, para in enumerate(paragraphs):
        start, end = offset, offset + len(para)
        offset = end + 2
        if i in bios:
            person = match_person(bios[i][0], authors) or bios[i][0]
            last = segments[-1] if segments else None
            if last and last.kind == "bio" and last.author == person:
                last.end = end  # a name line and the bio line under it form one passage
            else:
                segments.append(Segment(start, end, person, "bio"))
            if speaker_of:
                current = None
            continue
        match = _TURN.match(para)
        if speaker_of and match and match.group("label") in speaker_of:
            current = speaker_of[match.group("label")]
            start += match.end()
            segments.append(Segment(start, end, current))
            continue
        last = segments[-1] if segments else None
        if last and last.kind == "body" and last.author == current:
            last.end = end
        else:
            segments.append(Segment(start, end, current))
    return segments
