"""Signed letters on one page: each letter is the words of the name signed under it.

A letters-to-the-editor page, a set of readers' responses or an exchange of letters prints several
short texts one after the other, each closed by its writer's name on a line of its own ("Deborah
Kimani, Sheffield", "— Owen Pritchard"), often under a headline the editors wrote. Read as one
article, every letter would be nobody's or the first writer's. No library splits such pages, so
the test is their shape: at least two signature lines, each right after a paragraph of prose (a
list of co-signatories under one open letter is one signature block, not several letters).
"""

from __future__ import annotations

import re

from .people import is_institution
from .turns import display, names_in

MIN_LETTERS = 2
LETTER_MAX_PARAGRAPHS = 12  # a reader's letter to a columnist runs a few paragraphs
_SALUTATION = re.compile(r"^\W{0,3}Dear\s+[^\n,]{1,40},")
_DASH_SIGNATURE = re.compile(r"^[\u2014\u2013-]{1,2}\s*(?P<who>[A-Z][^\n.!?]{1,60})$")
SIGNATURE_MAX_WORDS = 10
HEADLINE_MAX_WORDS = 14
_SENTENCE_END = (".", "?", "!", '"', "\u201d", "\u2019", ")")
_DASHES = "\u2014\u2013- "


def signer(paragraph: str) -> str | None:
    """The person a signature line names ("Deborah Kimani, Sheffield" -> Deborah Kimani, "Dr Owen
    Pritchard, Millbrook" -> Owen Pritchard), else None."""
    line = paragraph.strip().lstrip(_DASHES)
    if "\n" in line or len(line.split()) > SIGNATURE_MAX_WORDS or line.endswith(_SENTENCE_END[:3] + (":",)):
        return None
    name = line.split(",")[0].strip()
    found = names_in(name)
    return found[0] if found == [display(name)] and not is_institution(name) else None


# The line that closes a letter above its signature.
_VALEDICTION = re.compile(r"^(?:yours(?:\s+(?:sincerely|faithfully|truly))?|sincerely(?:\s+yours)?|"
                          r"(?:with\s+)?(?:best|kind|warm)\s+(?:regards|wishes)|regards|respectfully(?:\s+yours)?),?$",
                          re.IGNORECASE)


def _closes_letter(above: list[str]) -> bool:
    """Whether the paragraphs `above` a line end as a letter does: its prose, or its prose and a
    closing line such as "Yours sincerely,"."""
    if _VALEDICTION.match(above[-1].strip()):
        above = above[:-1]
    return bool(above) and _is_prose(above[-1])


def _is_prose(paragraph: str) -> bool:
    return len(paragraph.split()) > HEADLINE_MAX_WORDS and paragraph.rstrip().endswith(_SENTENCE_END)


def _is_headline(paragraph: str) -> bool:
    """A short line that is no sentence ("Phones are away, and pupils are talking again", "A BAN?")."""
    return len(paragraph.split()) <= HEADLINE_MAX_WORDS and not paragraph.rstrip().endswith((".", "!", ":", ","))


def signed_letters(paragraphs: list[str]) -> dict[int, str | None] | None:
    """Paragraph index -> the writer of the letter it belongs to (None: a headline or a note of the
    page's, not a letter's words), or None when the text is not a page of signed letters. A
    signature follows the letter's prose, or its closing line ("Yours sincerely,"); a letter opening
    "Dear ...," starts there, and what stands above it (an editor's note) is the page's."""
    signatures = {i: who for i, p in enumerate(paragraphs)
                  if i and _closes_letter(paragraphs[:i]) and (who := signer(p))}
    if len(signatures) < MIN_LETTERS:
        return None
    owners: dict[int, str | None] = {}
    start = 0
    for end, who in signatures.items():
        heading = True  # the short lines opening a letter are its headline, the editors' words
        opening = next((i for i in range(start, end) if _SALUTATION.match(paragraphs[i])), start)
        for i in range(start, end + 1):
            heading = heading and (_is_headline(paragraphs[i]) or i < opening) and i != end
            owners[i] = None if heading else who
        start = end + 1
    owners.update((i, None) for i in range(start, len(paragraphs)))  # the page's closing notes
    return owners


def reader_letters(paragraphs: list[str]) -> dict[int, str]:
    """A reader's letter inside a column ("Dear Rosalind, ..." down to "— Torn in Toledo"), whose
    words are the signer's, as signed (a pen name stays one), not the columnist's: paragraph index
    -> the signature. The columnist's reply around it keeps the byline."""
    letters: dict[int, str] = {}
    for end, para in enumerate(paragraphs):
        signature = _DASH_SIGNATURE.match(para.strip())
        if not signature or len(signature.group("who").split()) > SIGNATURE_MAX_WORDS or not end:
            continue
        window = range(end - 1, max(-1, end - 1 - LETTER_MAX_PARAGRAPHS), -1)
        start = next((i for i in window if _SALUTATION.match(paragraphs[i])), None)
        if start is not None and not any(i in letters for i in range(start, end)):
            letters.update(dict.fromkeys(range(start, end + 1), signature.group("who").strip()))
    return letters
