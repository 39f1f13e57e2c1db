"""Headings that say whose words follow them: a separate opinion's, a speech's, a written question's.

Used by index.sections (a section runs from such a heading) and by index.cleaning (such a heading
repeated is no repeated paragraph to drop: "Response from Cllr Marcus Beale" heads each answer).
"""

from __future__ import annotations

import re

from .people import is_institution
from .turns import names_in

HEADING_MAX_WORDS = 20

# A heading naming the writer or speaker of the section under it, as court reports print separate
# opinions ("Opinion of the Court, delivered by Judge Anneliese Moreau", "Judge Kwame Asante,
# concurring:", "Judge Tomasz Brennan, dissenting.") and debate reports their speeches ("Proposing the
# motion: Nadia Ferreira, chair of ...") and written questions their askers' and answerers' words.
_WRITER_HEADING = re.compile(
    r"(?:\bby\s+(?P<by>[^,;:()]+?)|^(?P<opinion>[^,;:()]+?),?\s*\(?(?:concurring|dissenting)\b[^:.]*\)?)\s*[:.]?$"
    # "Judge Adaeze Morrow delivered the opinion of the panel, in which ... joined."
    r"|^(?P<delivered>[^,;:()]+?)\s+delivered\s+the\s+(?:opinion|judgm?ent|decision|reasons)\b"
    r"|^[A-Z][^:,;()]{2,40}:\s+(?P<part>[^,;:()]+?)(?:,\s[^:]*)?$"
    # A council's or a parliament's written questions: "Question from Cllr Janet Orme (Hilltop ward) to Cllr
    # Marcus Beale, Cabinet Member for ...", "Response from Cllr Marcus Beale", "Supplementary question from ...".
    r"|^(?:supplementary\s+)?(?:question|response|answer|reply|statement|submission)\s+from\s+"
    r"(?P<from>[^,;:()]+?)(?=\s+\(|\s+to\s|,|\s*$)",
    re.I)

def writer_heading(line: str) -> str | None:
    """The one person a heading says wrote what follows it."""
    if "\n" in line or len(line.split()) > HEADING_MAX_WORDS:
        return None
    match = _WRITER_HEADING.search(line.strip())
    if not match:
        return None
    named = next(group for group in ("by", "opinion", "delivered", "part", "from") if match.group(group))
    named = match.group(named)
    people = [n for n in names_in(named) if not is_institution(n)]
    # "Label: Name, role": the part after the colon is the name alone, not a phrase naming someone.
    whole = match.group("part") is None or len(named.split()) == len(people[0].split()) if people else False
    return people[0] if len(people) == 1 and whole else None
