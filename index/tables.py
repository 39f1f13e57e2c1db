"""Tables whose cells hold prose, read as the text they lay out (HTML and Word alike).

A table of data stays one line per row. A table with a cell of prose is page layout, and how it
reads depends on where the prose is:
- in several columns (a debate card's "FOR: ..." and "AGAINST: ..." columns): column by column,
  each column one writer's piece (the readers do this, as only they know merged cells);
- in one column beside a column of speakers (a transcript laid out as Time | Speaker | Words):
  row by row, each row's words as a turn under its speaker's label ("Nadia Rahimi: Thank you,
  Chair."), a row with an empty speaker cell going on with the speaker above, which is how
  index.turns reads a transcript.
"""

from __future__ import annotations

import re

from .turns import is_speaker_label

PROSE_CELL_WORDS = 40  # a cell this long is a paragraph, not a datum
# A header naming the column of who speaks or writes each row.
_WHO_HEADER = re.compile(r"^(speakers?|names?|who|persons?|participants?|contributors?|members?|from|by)$", re.I)


def prose_columns(rows: list[list[str]]) -> set[int]:
    """The columns holding a paragraph of prose in some row."""
    return {j for row in rows for j, cell in enumerate(row) if len(cell.split()) >= PROSE_CELL_WORDS}


def transcript_text(rows: list[list[str]]) -> str | None:
    """The table as turns when its prose is in one column and another column names the speakers
    (by its header, or by every cell in it reading as a speaker label); None otherwise."""
    prose = prose_columns(rows)
    if len(prose) != 1:
        return None
    (words,) = prose
    header, body = (rows[0], rows[1:]) if rows and _is_header(rows[0], words) else ([], rows)
    who = _speaker_column(header, body, words)
    if who is None:
        return None
    turns = []
    for row in body:
        text = " ".join(row[words].split()) if words < len(row) else ""
        label = " ".join(row[who].split()) if who < len(row) else ""
        if text:
            turns.append(f"{label}: {text}" if label else text)
    return "\n\n".join(turns)


def _is_header(row: list[str], words: int) -> bool:
    """A first row of short column names (its cell in the prose column is no paragraph)."""
    return all(len(cell.split()) <= 3 for cell in row) and words < len(row)


def _speaker_column(header: list[str], body: list[list[str]], words: int) -> int | None:
    named = [j for j, cell in enumerate(header) if j != words and _WHO_HEADER.match(cell.strip())]
    if named:
        return named[0]
    width = max((len(row) for row in body), default=0)
    for j in range(width):
        cells = [" ".join(row[j].split()) for row in body if j < len(row) and row[j].strip()]
        if j != words and cells and all(is_speaker_label(cell) for cell in cells):
            return j
    return None
