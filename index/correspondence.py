"""Email threads exported as text: each message is its sender's words, a quoted earlier message its writer's.

A thread printed or exported from a mail client is a run of messages, each under a header block
("From: Name <address>", then "To:", "Date:", "Subject:" lines), each reply often quoting the
message it answers under "On <date>, Name <address> wrote:" with "> " before every quoted line.
Read as one article it would be nobody's or everyone's. The stdlib's email.utils parses the
From lines; what no library does is find the messages in plain text, so the test is their shape:
a From line with a Date, Sent or Subject line among the few after it. The header lines, the
signature under "--" and whatever stands before the first message (an export's cover lines) are
nobody's words.
"""

from __future__ import annotations

import re
from email.utils import parseaddr

from .people import is_institution
from .turns import display, names_in

HEADER_SPAN = 6  # a message's header block: its From line and the few header lines after it
_FROM = re.compile(r"^From:\s*(?P<who>\S.*)$", re.I)
_HEADER = re.compile(r"^(?:To|Cc|Bcc|Date|Sent|Subject|Reply-To|Attachments?|Importance):", re.I)
_CONFIRMS = re.compile(r"^(?:Date|Sent|Subject):", re.I)
_QUOTE_INTRO = re.compile(r"^On\b.{0,80}?[,\s](?P<who>[^,]+?)\s+wrote:$", re.I | re.S)
_SIGNATURE = re.compile(r"^--\s*$")
_SEPARATOR = re.compile(r"^[=_*~-]{10,}$")


def sender(value: str) -> str | None:
    """The person an address field names ("Marguerite Lindqvist <m.l@example.org>"), or None for a
    bare address, an institution's mailbox or anything that is no one's name."""
    name, _ = parseaddr(value.strip())
    people = [n for n in names_in(display(name.strip('"'))) if not is_institution(n)] if name else []
    return people[0] if len(people) == 1 else None


def message_starts(paragraphs: list[str]) -> dict[int, str | None]:
    """Paragraph index of each message's From line -> its sender."""
    starts = {}
    for i, para in enumerate(paragraphs):
        found = _FROM.match(para.strip())
        if found and any(_CONFIRMS.match(p.strip()) for p in paragraphs[i + 1 : i + HEADER_SPAN]):
            starts[i] = sender(found.group("who"))
    return starts


def email_messages(paragraphs: list[str]) -> dict[int, str | None] | None:
    """Paragraph index -> whose words it is, for a text of email messages naming at least one
    sender; None for any other text."""
    starts = message_starts(paragraphs)
    if not any(starts.values()):
        return None
    owners: dict[int, str | None] = dict.fromkeys(range(len(paragraphs)))
    writer: str | None = None
    in_header = False
    for i, para in enumerate(paragraphs):
        line = para.strip()
        if i in starts:
            writer, in_header = starts[i], True
            continue
        if in_header and (_HEADER.match(line) or not line):
            continue
        in_header = False
        intro = _QUOTE_INTRO.match(line)
        if intro or _SEPARATOR.match(line):
            quoted = sender(intro.group("who")) if intro else None
            _own_quotation(paragraphs, i + 1, quoted, owners)
            continue
        if _SIGNATURE.match(line):
            writer = None  # a signature block, down to the next message
            continue
        if owners[i] is None and not line.startswith(">"):
            owners[i] = writer
    return owners


def _own_quotation(paragraphs: list[str], start: int, quoted: str | None, owners: dict[int, str | None]) -> None:
    """The "> " paragraphs from `start` on are the quoted message's writer's."""
    for j in range(start, len(paragraphs)):
        if not paragraphs[j].lstrip().startswith(">"):
            return
        owners[j] = quoted
