"""Whether a name in an author field is a person, an institution, or neither.

Files' own metadata (a PDF's Author, a .docx's core properties, a page's `<meta name="author">`,
Markdown front matter) often names the body that issued a document ("Office of the Press
Secretary", "Supreme Court of the United States") or the account that saved it ("python-docx",
"Microsoft Office User"). An institution is the outlet, never the author or speaker of a passage;
an account name is nobody. No library classifies names this way offline (a named-entity model
would be a new dependency with weights to ship), so the test is the shape of the name and the
words institutions are named with.
"""

from __future__ import annotations

import re

# Words that name organisations, not people: an author field holding one is an institution.
_ORGANISATION_WORDS = {
    "office", "court", "department", "dept", "committee", "house", "council", "agency", "university",
    "college", "school", "institute", "institution", "press", "inc", "ltd", "llc", "llp", "plc", "corp",
    "corporation", "company", "news", "times", "post", "journal", "herald", "tribune", "gazette",
    "magazine", "review", "network", "foundation", "association", "society", "ministry", "bureau",
    "commission", "board", "government", "senate", "congress", "parliament", "assembly",
    "administration", "service", "services", "center", "centre", "library", "archive", "archives", "museum",
    "party", "union", "group", "staff", "editors", "editorial", "desk", "media", "publishing",
    "publications", "states", "nations", "republic", "kingdom", "city", "county", "church",
    "project", "team", "program", "programme", "organization", "organisation", "secretariat",
    "forum", "club", "trust", "alliance", "coalition", "federation", "chamber", "campaign", "collective",
    "cooperative", "partnership", "initiative", "authority", "hospital", "caucus", "league", "consortium",
}
# The last word of a place's name, never a person's: "Ridge Hollow Road", "Pine Street", "Mill Pond".
_PLACE_WORDS = {
    "road", "street", "avenue", "lane", "drive", "boulevard", "square", "park", "bridge", "river", "lake",
    "pond", "valley", "hill", "hills", "heights", "harbour", "harbor", "station", "airport", "highway",
    "estate", "quay", "wharf", "reservoir", "township", "village", "borough", "district",
}
# Words that say what a person does (a bio line's or a byline's role): "columnist", "fellow".
CREDENTIAL = re.compile(
    r"\b(fellow|director|columnist|professor|editor|author of|chair|president|senior|analyst|"
    r"researcher|journalist|correspondent|ambassador|advis[eo]r|scholar|lecturer|contributor|"
    r"writer|founder|reporter|officer|secretary|head of|co-director|partner)\b",
    re.IGNORECASE,
)
# A role in an author field, not a name: it ends with what the person does. Not CREDENTIAL, whose
# "senior", "partner" and "chair" end names too ("Mark Senior").
_ROLE_NOUN = re.compile(
    r"\b(columnist|correspondent|editor|writer|reporter|contributor|fellow|director|professor|analyst|"
    r"researcher|journalist|scholar|lecturer|officer|secretary)s?$",
    re.IGNORECASE,
)
# Words that name a software account or a placeholder, never an author.
_ACCOUNT_WORDS = {"user", "admin", "administrator", "owner", "unknown", "anonymous", "author", "guest", "root"}
PARTICLES = {"de", "da", "del", "della", "di", "du", "van", "von", "der", "den", "la", "le", "bin", "ibn", "al"}
_NAME_PART = re.compile(r"^[A-Z][\w'\u2019.-]*,?$")
# Several names in one field: "A; B", "A | B"; and, within a part that is not an institution
# ("Office of Management and Budget"), "A and B", "A & B".
_LIST_SEPARATORS = re.compile(r"\s*[;|\n]\s*")
_AND = re.compile(r"\s+and\s+|\s*&\s*")


def _words(name: str) -> list[str]:
    return re.findall(r"[a-z]+", name.lower())


def _is_account(name: str) -> bool:
    return any(w in _ACCOUNT_WORDS for w in _words(name))


def is_institution(name: str) -> bool:
    """'The White House, Office of the Press Secretary', 'Supreme Court of the United States'."""
    words = _words(name)
    if not words:
        return False
    return words[0] == "the" or " of " in f" {name.lower()} " or any(w in _ORGANISATION_WORDS for w in words)


def is_place(name: str) -> bool:
    """'Ridge Hollow Road', 'Elm Ridge Park': a name whose last word is a kind of place."""
    words = _words(name)
    return bool(words) and words[-1] in _PLACE_WORDS


def is_person_name(name: str) -> bool:
    """Shaped like a person's name ('Stephen A. Douglas', 'Ludwig van Beethoven'): two to six
    capitalised parts, no digits, no organisation or account words."""
    parts = name.split()
    if not 2 <= len(parts) <= 6 or re.search(r"[\d@/\\_]", name) or is_institution(name) or is_place(name):
        return False
    return not _is_account(name) and all(_NAME_PART.match(p) or p.lower() in PARTICLES for p in parts)


def split_people(values: list[str]) -> tuple[list[str], list[str]]:
    """Author-field values -> (people, institutions); account names and junk are dropped."""
    people: list[str] = []
    institutions: list[str] = []
    parts = [part.strip(" ,") for value in values for part in _LIST_SEPARATORS.split(value)]
    for part in filter(None, (" ".join(p.split()) for p in parts)):
        if _is_account(part):
            continue
        if is_institution(part):  # an institution's name may hold "and": keep it whole
            institutions.append(part)
            continue
        if _ROLE_NOUN.search(part):  # "Personal Finance Columnist", a byline's role after the name
            continue
        people.extend(name for name in _AND.split(part) if is_person_name(name))
    return list(dict.fromkeys(people)), list(dict.fromkeys(institutions))
