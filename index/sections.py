"""Several pieces on one page, each under its own byline or author heading.

A point/counterpoint page prints two op-eds, each under its own byline; a forum thread or a
comment section prints posts, each under a heading naming its writer ("Post #3 — @jo (Jo
Brandt), 14 May 2024"); a court report prints each judge's reasons under a heading naming them
("Judge Kwame Asante, concurring:"). Read as one article, the page would be everyone's jointly. No
library splits such pages, so the test is their shape: two or more bylines, two or more headings cut
from one template (the same words and punctuation around a different name, with a number or a
date), or two or more headings saying who wrote what follows ("delivered by X", "X, dissenting"),
naming at least two different people, with prose between them. Each section runs to the
next one; the short headline lines right above a byline, and whatever comes before the first
section, are the editors'.
"""

from __future__ import annotations

import re

from assistant.models import joint_label

from .cleaning import PROSE_WORDS
from .headings import HEADING_MAX_WORDS, writer_heading
from .people import is_institution
from .turns import names_in
from .unwrap import BLOCK_INDENT, is_block_quote

_SENTENCE_END = (".", "!", ":", ",")
_PARENTHESES = re.compile(r"\(([^()]+)\)")
_TOKEN = re.compile(r"[\w@#.'\u2019-]+")


def _not_heading(paragraph: str) -> bool:
    """Too long, or ending as a sentence ends, for a heading or a headline."""
    return len(paragraph.split()) > HEADING_MAX_WORDS or paragraph.rstrip().endswith(_SENTENCE_END)


def heading_person(line: str) -> str | None:
    """The one person a post's heading names, in it or in parentheses ("@jo (Jo Brandt)"). A post's
    heading carries a number or a date besides the name; a subheading ("The Xi Jinping Problem") none."""
    if _not_heading(line) or "\n" in line or not re.search(r"\d", line):
        return None
    found = names_in(line) + [n for inner in _PARENTHESES.findall(line) for n in names_in(inner)]
    people = list(dict.fromkeys(n for n in found if not is_institution(n)))
    return people[0] if len(people) == 1 else None


def _template(line: str, person: str) -> str:
    """The heading with its name taken out and every other word reduced to a placeholder."""
    return _TOKEN.sub("w", line.replace(person, "N"))


# A short heading line ("Floor questions", "Result") ends a section its heading named the speaker of.
SUBHEADING_MAX_WORDS = 6
_FIELD = re.compile(r"^[^:]{2,40}:\s")


def author_sections(
    paragraphs: list[str], bylines: list[tuple[int, list[str]]], authors: list[str] = ()
) -> dict[int, str | None] | None:
    """Paragraph index -> the writer of the section it belongs to (None: the editors'), or None
    when the page is not several pieces by different people. `authors`: the text's own writers
    (metadata, its byline), whose page may host a guest's piece under the guest's byline."""
    by_heading, by_signature = _writer_starts(paragraphs), _signed_starts(paragraphs)
    ways = (_post_starts(paragraphs, authors), _embedded_starts(paragraphs, authors), _byline_starts(bylines),
            _template_starts(paragraphs), by_heading, _guest_starts(paragraphs, bylines, authors), by_signature,
            _talk_starts(paragraphs))
    starts = next((found for found in ways if len(set(found.values())) >= 2), {})
    headed, signed = starts is by_heading, starts is by_signature
    order = sorted(starts)
    if len(order) < 2 or any(not any(_not_heading(p) for p in paragraphs[a:b]) for a, b in zip(order, order[1:])):
        return None
    owners: dict[int, str | None] = dict.fromkeys(range(len(paragraphs)))
    for n, start in enumerate(order):
        end = order[n + 1] if n + 1 < len(order) else len(paragraphs)
        while not signed and end > start + 1 and not _not_heading(paragraphs[end - 1]) and n + 1 < len(order):
            end -= 1  # the next piece's headline, above its byline
        if headed:  # a speech or an opinion ends at the report's next heading after its prose ("Floor
            # questions"); a role line right under its own heading ("Chair, Ratepayers' Alliance") is no end
            end = next((j for j in range(start + 1, end) if _subheading(paragraphs[j])
                        and any(len(p.split()) >= PROSE_WORDS for p in paragraphs[start + 1:j])), end)
        owners.update(dict.fromkeys(range(start, end), starts[start]))
    return owners


def _subheading(paragraph: str) -> bool:
    words = paragraph.split()
    return 0 < len(words) <= SUBHEADING_MAX_WORDS and "\n" not in paragraph and paragraph[0].isupper() and not (
        paragraph.rstrip().endswith(_SENTENCE_END + ("?", '"', "\u201d")))


def _byline_starts(bylines: list[tuple[int, list[str]]]) -> dict[int, str | None]:
    # An editorial board's byline starts the board's section, which is no person's (None).
    return {i: joint_label([n for n in names if not is_institution(n)]) or None for i, names in bylines if names}


def _guest_starts(
    paragraphs: list[str], bylines: list[tuple[int, list[str]]], authors: list[str]
) -> dict[int, str | None]:
    """A guest's piece on a writer's page (a newsletter's "Today's guest post is by ...", then the
    guest's own byline): the host's words, the guest's from their byline to the next heading after
    their prose (the host's afterword), then the host's again. The byline must follow the host's
    prose and name one person who is not among `authors`."""
    host = joint_label([a for a in authors if not is_institution(a)])
    guests = [(i, names) for i, names in bylines if len(names) == 1 and names[0] not in authors]
    if not host or len(guests) != 1 or not any(len(p.split()) >= PROSE_WORDS for p in paragraphs[:guests[0][0]]):
        return {}
    start, (guest,) = guests[0]
    starts: dict[int, str | None] = {0: host, start: guest}
    prose = False
    for j in range(start, len(paragraphs)):
        if prose and not _not_heading(paragraphs[j]) and "\n" not in paragraphs[j]:
            starts[j] = host
            break
        prose = prose or len(paragraphs[j].split()) >= PROSE_WORDS
    return starts


# A post's header line as forums, comment sections and thread exports print it: who wrote it (a
# handle, "u/name" or "@name", a username with an underscore or a digit, or a name), with its handle in
# brackets or else how and when it was received ("· 412 points · 2 days ago", "March 4, 2025 at 7:03
# p.m."). A thread's own numbering ("5/12 · 08:12") opens its writer's next post.
_POST_WHO = (r"(?:(?P<name>[A-Z][a-z][\w'\u2019.-]*(?: [A-Z][a-z][\w'\u2019.-]*){1,3})|(?:u/|@)(?P<handle>[\w.-]{2,40})"
             r"|(?P<username>(?=[\w.-]*[a-z])[a-z0-9][\w.-]*?(?:_|\d)[\w.-]*))(?P<bracketed> \(@[\w.@-]+\))?")
_POST_HEADER = re.compile(rf"^{_POST_WHO}(?P<meta>(?: OP| \[[A-Z]\])?(?: [^\n]{{1,80}})?)$")
# A reply shown inline as a block quotation, its header run into its text: "Bex Okafor (@bex@social.example)
# · 08:31 @bex replying to @rowan: ...".
_REPLY_LEAD = re.compile(rf"^{_POST_WHO} [\u00b7\u2022|] \S{{1,25}}\s")
_POST_META = re.compile(
    r"\b(?:points?|votes?|likes?|repl(?:y|ies)|ago|stickied|\d{4}|\d{1,2}:\d{2}|[ap]\.m\.|[AP]M)(?!\w)")
_THREAD_NUMBER = re.compile(r"^\d{1,3}/\d{1,3}(?:\s*[\u00b7\u2022|-]\s*\S.{0,40})?$")
POST_HEADER_WORDS = 16


def poster(paragraph: str) -> str | None:
    """Who wrote the post a header line opens ("u/greywater_gill · 64 points" -> "greywater_gill"), or
    the reply a block quotation holds under its header."""
    line = paragraph.strip()
    if paragraph.startswith(BLOCK_INDENT):
        match = _REPLY_LEAD.match(line)
    else:
        match = _POST_HEADER.match(line)
        if match and (len(line.split()) > POST_HEADER_WORDS
                      or not (match.group("bracketed") or _POST_META.search(match.group("meta")))):
            match = None
    return (match.group("name") or match.group("handle") or match.group("username")) if match else None


def _post_starts(paragraphs: list[str], authors: list[str]) -> dict[int, str | None]:
    """A thread of posts or a comment section, each post under its header line: each is its poster's
    words, to the next header; what stands above the first (the story, the opening post) is the page's
    writers'. A thread's numbered posts are its writer's: the page's author, else the first poster."""
    starts: dict[int, str | None] = {i: who for i, p in enumerate(paragraphs) if (who := poster(p))}
    if len(set(starts.values())) < 2:
        return {}
    writer = joint_label([a for a in authors if not is_institution(a)]) or None
    numbered = [i for i, p in enumerate(paragraphs) if _THREAD_NUMBER.match(p.strip())]
    if numbered:
        writer = writer or starts[min(starts)]
        starts.update(dict.fromkeys(numbered, writer))
    if any(len(p.split()) >= PROSE_WORDS for p in paragraphs[:min(starts)]):
        starts[0] = writer
    return starts


# A post embedded in an article (a tweet, a toot): its text as a block quotation, then its signature,
# a dash and who posted it with their handle ("\u2014 Sadie Okonkwo MP (@SadieOkonkwoMP) March 11, 2025").
_EMBED_SIGNATURE = re.compile(r"^[\u2014\u2013-]{1,2}\s*(?P<who>[^()\n]{2,60}?)\s*\(@[\w.@-]+\)")


def _embedded_starts(paragraphs: list[str], authors: list[str]) -> dict[int, str | None]:
    """An article quoting posts: each embedded post (the block quotation above its signature) is
    its poster's, an organisation's nobody's; the article around them is its writer's."""
    writer = joint_label([a for a in authors if not is_institution(a)]) or None
    starts: dict[int, str | None] = {0: writer}
    for i, paragraph in enumerate(paragraphs):
        signed = _EMBED_SIGNATURE.match(paragraph.strip())
        if not signed or not i or not is_block_quote(paragraphs[i - 1]):
            continue
        first = i - 1
        while first > 0 and is_block_quote(paragraphs[first - 1]):
            first -= 1
        people = [] if is_institution(signed.group("who")) else names_in(signed.group("who"))
        starts[first] = people[0] if len(people) == 1 else None
        if i + 1 < len(paragraphs):
            starts[i + 1] = writer
    posters = {who for who in starts.values() if who and who != writer}
    return starts if len(posters) >= 2 else {}


# A piece signed under its text, as a symposium prints its contributors: a dash and the name ("— Brian
# Haddow, owner of Haddow & Sons"), or a bio line ("Simone Achterberg is policy lead at ...").
_SIGNED = re.compile(r"^(?:[\u2014\u2013]|--?)\s*(?P<name>[^,;:()]+?)\s*(?:,\s.*)?$"
                     r"|^(?P<bio>(?:[A-Z][\w'\u2019.-]*\s+){1,3}[A-Z][\w'\u2019-]*)\s+(?:is|was)\s+"
                     r"(?:an?|the|(?:[a-z-]+\s){1,3}(?:at|of|for|in|with))\s")  # a role: "is policy lead at"
SIGNATURE_MAX_WORDS = 40


def signer(paragraph: str) -> str | None:
    """The one person a closing line signs for, or None."""
    match = _SIGNED.match(paragraph.strip())
    if not match or len(paragraph.split()) > SIGNATURE_MAX_WORDS:
        return None
    named = match.group("name") or match.group("bio")
    people = [n for n in names_in(named) if not is_institution(n)]
    return people[0] if len(people) == 1 and len(people[0].split()) == len(named.split()) else None


def _signed_starts(paragraphs: list[str]) -> dict[int, str | None]:
    """A page of pieces each signed under its prose by a different person: each piece runs from the
    end of the one before (the first from the heading above its prose) to its signature; an unsigned
    introduction above and the page's closing lines below are nobody's (None)."""
    ends = {i: who for i, p in enumerate(paragraphs)
            if i and len(paragraphs[i - 1].split()) >= PROSE_WORDS and (who := signer(p))}
    if len(set(ends.values())) < 2:
        return {}
    first = min(ends) - 1
    while first > 0 and _not_heading(paragraphs[first - 1]) and len(paragraphs[first - 1].split()) >= PROSE_WORDS:
        first -= 1  # the first piece's prose
    first -= first > 0 and not _not_heading(paragraphs[first - 1])  # and its heading
    starts: dict[int, str | None] = {first: ends[min(ends)]}
    for before, end in zip(sorted(ends), sorted(ends)[1:]):
        starts[before + 1] = ends[end]
    if any(_not_heading(p) for p in paragraphs[max(ends) + 1:]):
        starts[max(ends) + 1] = None
    return starts


# A talk page's comment, signed at its end with the signer's name, their talk link and a time stamp
# ("... wide. \u2014 Harbourside Annie (talk) 09:12, 2 May 2025 (UTC)"); a bot signs an unsigned one with
# the address it came from ("\u2014 Preceding unsigned comment added by 86.12.44.201 (talk) 11:47, ...").
_TALK_SIGNATURE = re.compile(
    r"(?:(?<=[.!?\u201d\"')\]])\s+|\s*[\u2014\u2013]\s*|\s+--?\s*)(?:Preceding unsigned comment added by\s+)?"
    r"(?P<name>(?:(?![.!?]\s)[^()\n\u2014\u2013]){1,60}?)\s*\((?:talk|contribs)(?:\s*[\u00b7\u2022|]\s*contribs)?\)"
    r"\s*\d{1,2}:\d{2},\s*\d{1,2}\s+[A-Z][a-z]+\s+\d{4}\s*(?:\([A-Z]{2,5}\))?\s*$"
)


def talk_signer(paragraph: str) -> str | None:
    """Who signed a talk-page comment at the end of `paragraph`, or None."""
    match = _TALK_SIGNATURE.search(paragraph)
    return " ".join(match.group("name").split()) if match else None


def _talk_starts(paragraphs: list[str]) -> dict[int, str | None]:
    """A talk page: each comment, from its first paragraph after the last signature (headings above
    it left out) to its signature, is its signer's; what follows the last signature is nobody's."""
    starts: dict[int, str | None] = {}
    start = last = None
    for i, paragraph in enumerate(paragraphs):
        if start is None and _not_heading(paragraph):
            start = i
        if who := talk_signer(paragraph):
            starts[i if start is None else start] = who
            start, last = None, i
    if last is not None and any(_not_heading(p) for p in paragraphs[last + 1:]):
        starts[last + 1] = None
    return starts


def _template_starts(paragraphs: list[str]) -> dict[int, str | None]:
    heads = {i: who for i, p in enumerate(paragraphs) if (who := heading_person(p))}
    templates: dict[str, list[int]] = {}
    for i, who in heads.items():
        template = _template(paragraphs[i], who)
        if "w" in template:  # a name alone on its line is a speaker heading (turns.py), not this
            templates.setdefault(template, []).append(i)
    shared = max(templates.values(), key=len, default=[])
    return {i: heads[i] for i in shared}


def _writer_starts(paragraphs: list[str]) -> dict[int, str | None]:
    # Above the text's first paragraph of prose, "Reporter of Decisions: Lina Castellanos" is a header field.
    prose = next((i for i, p in enumerate(paragraphs) if len(p.split()) >= PROSE_WORDS), len(paragraphs))
    return {i: who for i, p in enumerate(paragraphs)
            if (who := writer_heading(p)) and (i > prose or not _FIELD.match(p))}
