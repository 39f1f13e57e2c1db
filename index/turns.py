"""Speaker turns in transcripts, in the conventions people write them in.

A turn starts with a label: `Emma Ashford:`, `EA:`, `MS. PSAKI:`, `MR. CHIEF JUSTICE
WARREN:`, `Interviewer:`, `SPEAKER 2:`, a bare `Q` for an unnamed questioner and its `A`, an
inline `MR. LINCOLN---Yes, sir`, or a heading line of its own before a speech (`MR. LINCOLN'S
REPLY.`, `Maria Lopez (00:01:02):`). Timestamps and Markdown emphasis around a label are
furniture (`[00:00:09] Rita Gomez:`, `**Anna Berg:**`). A text with none of these may name
its speakers on lines of their own (`KAREN WU`, a recording tool's `Sam Patel  0:03`).
Labels are normalised (whitespace, case, courtesy honorifics, possessives) into a key, and each key is resolved
to a full name the text itself gives (a roster or participants line, a heading, a title,
a bio or a known author); else the label is shown in title case. No library parses
transcript conventions (NLP speaker diarisation works on audio), so the rules are here.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from .offices import ABBREVIATED, ADDRESSED, COURTESY, TITLE_PARTS, alternation
from .people import PARTICLES

UNNAMED_QUESTIONER = "Unnamed questioner"
UNNAMED_ANSWERER = "Unnamed answerer"
# Labels that stand for someone the text does not name: a speaker of their own, never a person.
_UNNAMED = {"Q": UNNAMED_QUESTIONER, "QUESTION": UNNAMED_QUESTIONER}
# "A" answers "Q" (an interview, a deposition): the one person the header names, else unnamed.
_ANSWER = "A"
_UNNAMED_WORDS = {"VOICE", "VOICES", "AUDIENCE", "CROWD", "REPORTER", "UNIDENTIFIED", "SEVERAL", "ALL"}
_COURTESY = {w.upper() for w in COURTESY}
_TITLES = {w.upper() for w in ADDRESSED | ABBREVIATED | TITLE_PARTS}
_SUFFIXES = {"JR", "SR", "II", "III", "IV", "ESQ"}
# Titles written abbreviated: their full stop ends no sentence ("Sen. Hale"), unlike "Madam Chair."
_ABBREVIATED = {w.upper() for w in ABBREVIATED} | {"MRS", "MESSRS"}
_FUNCTION_WORDS = {
    "OF", "BY", "AND", "THE", "ON", "FOR", "IN", "AT", "TO", "WITH", "VS", "V", "A", "AN", "FROM",
    "AS", "BUT", "WHEN", "WHILE", "IF", "SO",  # sentence openers: "As Harold Finch wrote:"
}
# Header labels that introduce a list of people, not a turn ("Participants: A, B").
_HEADER_WORDS = {
    "PARTICIPANTS", "PARTICIPANT", "MODERATOR", "MODERATORS", "PANELISTS", "PANEL", "GUESTS", "GUEST",
    "SPEAKERS", "PRESENT", "BEFORE", "APPEARANCES", "HOST", "HOSTS", "WITH", "FEATURING", "INTERVIEWER",
    "ATTENDEES", "CAST", "WITNESSES", "MEMBERS PRESENT", "MEMBERS", "ALSO PRESENT", "STAFF PRESENT",
}
_ROLE_WORDS = {"MODERATOR", "HOST", "INTERVIEWER", "GUEST"}
# Parts a speaker plays, not names: voices of their transcript, never authors or institutions. A
# one-word title-case label ("Note:", "Update:") is mostly article furniture: it is a turn only as
# one of these roles or when it names someone the text names in full ("Berg:").
_ROLE_LABELS = _ROLE_WORDS | {
    "INTERVIEWEE", "QUESTIONER", "PRESENTER", "ANCHOR", "CALLER", "WITNESS", "OPERATOR", "NARRATOR",
    "ANNOUNCER", "BAILIFF", "CLERK", "MARSHAL", "CRIER", "CHAIR", "CHAIRMAN", "CHAIRWOMAN", "PRESIDING OFFICER",
    "COURT", "DEFENDANT", "PLAINTIFF", "PROSECUTOR", "JUROR", "SPEAKER", "DEPUTY SPEAKER",
}

_TOKEN = r"[A-Z][\w'\u2019-]*\.?"
_CAPS_TOKEN = r"[A-Z](?:[A-Z'\u2019-]*[A-Z])?\.?"
# A numbered label ("Speaker 2", "SPEAKER 2") is a speaker the recording tool could not name.
_NUMBER = r"[^\S\n]+\d{1,2}"
_TITLE_LABEL = rf"{_TOKEN}(?:(?:[^\S\n]+{_TOKEN}){{0,3}}|{_NUMBER})"
# One capital alone ("I—", "A:") is no label; "Q" and "A" are matched on their own.
_CAPS_LABEL = (
    rf"(?:{_CAPS_TOKEN}(?:[^\S\n]+{_CAPS_TOKEN}){{1,4}}|[A-Z][A-Z'\u2019-]*[A-Z]\.?(?:{_NUMBER})?)"
)
_COLON = r"[^\S\n]*:"  # a blanked timestamp may stand between a label and its colon
# What may follow a name before the colon and is not part of it: a role after a comma ("DANA
# WHITFIELD, HOUSING COMMISSIONER:"), a constituency and party ("Mr David Holloway (Leeds North) (Lab):").
def _attached(group: str) -> str:
    return rf"(?P<{group}>,[^\S\n]+[A-Z][^:,()\n]{{1,60}}|(?:[^\S\n]*\([^()\n]{{1,60}}\))+)?"


_BRACKETED = re.compile(r"\(([^()\n]+)\)")
# A hearing or a legislature's record: a title in title case, the surname in capitals, a full
# stop ("Mr. SMITH. Thank you.", "Senator WARNER. Yes.", "The CHAIRMAN. Order.").
# A record in capitals writes the title so too ("DR. VOSS.", "CHAIRWOMAN LINDQVIST."); "THE" is left
# out there, where "THE END." or "THE CASE. It began ..." would read as a label.
_HONORIFIC = rf"(?i:{alternation(frozenset(w.lower() for w in _COURTESY | _TITLES))})|The"
HEARING_LABEL = rf"(?:{_HONORIFIC})\.?(?:[^\S\n]+[A-Z][A-Z'\u2019-]+)+"
_HEARING = re.compile(HEARING_LABEL)
# A label at the start of a line: "Name Name:", "ALL CAPS:", "CAPS---inline", "Q  text", "A. text".
_LINE_TURN = re.compile(
    rf"^[^\S\n]*(?:(?P<caps>{_CAPS_LABEL}){_attached('caps_more')}"
    rf"(?:{_COLON}[^\S\n]+|[^\S\n]*(?:---|--|\u2014)[^\S\n]*)"
    rf"|(?P<title>{_TITLE_LABEL}){_attached('title_more')}{_COLON}[^\S\n]+"
    # An office, then its holder in brackets: "The Minister of State, Department for Transport (Ms Caroline Pryce):",
    # a record's time of speaking after it ("The Member for Eastvale (Mr Tom Reyes) (2.29 pm):")
    rf"|(?P<office>[A-Z][^:()\n]{{2,80}}?)[^\S\n]*\((?P<holder>{_TITLE_LABEL})\)(?:[^\S\n]*\([^()\n]{{1,30}}\))*"
    rf"{_COLON}[^\S\n]+"
    rf"|(?P<q>Q)(?:[:.][^\S\n]*|[^\S\n]+)"
    rf"|(?P<a>A)[:.][^\S\n]*|(?P<hearing>{HEARING_LABEL})\.[^\S\n]+)(?=\S)",
    re.M,
)
# An ALL-CAPS honorific label inside a line (unwrapped PDF text runs turns together).
_INLINE_TURN = re.compile(
    rf"(?<=[\s\u2014-])(?P<caps>(?:MR|MRS|MS|DR|SEN)\.(?:[^\S\n]+{_CAPS_TOKEN}){{1,4}}):[^\S\n]+(?=\S)"
)
# A chat export's message: date and time, then its sender and a colon ("[03/03/2025, 19:02:11] Gill
# Ashcroft: ...", "3/3/25, 7:02 PM - Gill Ashcroft: ..."). The stamp vouches for the label, whatever it
# is: a contact saved under a nickname, or a number ("+44 7700 900412"), still sent that message.
_CHAT_STAMP = re.compile(r"^\[?\d{1,4}[/.-]\d{1,2}[/.-]\d{2,4},?[^\S\n]+\d{1,2}:\d{2}")
_CHAT_MESSAGE = re.compile(
    _CHAT_STAMP.pattern + r"(?::\d{2})?(?:[^\S\n]*[AaPp]\.?[Mm]\.?)?\]?"
    r"(?:[^\S\n]+[-\u2013])?[^\S\n]+(?P<sender>[^:\n]{1,60}?):[^\S\n]+(?=\S)"
)


def chat_notice(para: str) -> bool:
    """A chat export's notice, nobody's words: a stamped line with no sender ("3/3/25, 19:02 - Gill
    created group"), or whose text opens with the export's left-to-right mark (WhatsApp's "\u200eimage
    omitted", "\u200eGill Ashcroft added Lorraine Tuck", sent in the group's name)."""
    if not _CHAT_STAMP.match(para):
        return False
    message = _CHAT_MESSAGE.match(para)
    return message is None or para[message.end():].startswith("\u200e")


# A speaker named on a line of its own: "MR. DOUGLAS' SPEECH.", "Mr. Lincoln's Reply.", "EMMA ASHFORD:".
_HEADING = re.compile(
    rf"^(?P<label>{_TOKEN}(?:[^\S\n]+{_TOKEN}){{0,4}}?|{_TOKEN}{_NUMBER})(?:(?:'s|'S|\u2019s|\u2019S|'|\u2019)"
    rf"(?:[^\S\n]+\w+)?[^\S\n]+(?P<what>\w+)\.?|{_COLON})$"
)
# A name alone on a line, no colon ("KAREN WU", "Sam Patel" once its timestamp is blanked).
# An earnings call's "Jane Smith -- Acme Corp -- Chief Executive Officer": firm and role after dashes; a
# candidates' forum's "Rosalind Achebe (Brackenford Together)": a party in brackets.
_AFFILIATION = r"(?:[^\S\n]+(?:--|\u2014|\u2013)[^\S\n]+[^\n]{1,60}?){1,2}|[^\S\n]+\([^()\n]{2,50}\)"
# A script's extension after a speaker's name: the speech goes on after an action line ("HURST (CONT'D)"),
# or comes from someone off screen or in voice-over ("AUDIENCE MEMBER (O.S.)", "NARRATOR (V.O.)").
_EXTENSION = r"[^\S\n]*\((?:CONT['\u2019]?D|CONTINUING|O\.?S\.?|O\.?C\.?|V\.?O\.?)\)"
_NAME_ALONE = re.compile(
    rf"^(?P<name>{_CAPS_LABEL}|{_TOKEN}(?:[^\S\n]+{_TOKEN}){{0,3}})(?P<affiliation>{_AFFILIATION})?(?:{_EXTENSION})?$"
)
# Furniture around a label: a timestamp ("[00:01:02]", "(1:02)", "0:03", "10:03 AM"), Markdown emphasis,
# or the number of an evidence session's question before its asker ("Q12 Chair:", "Q13 Ruth Okoro:"),
# or a chat export's date and time before each message's sender ("[03/03/2025, 19:02:11] Gill Ashcroft:",
# "03/03/2025, 19:02 - Gill Ashcroft:").
# Labels are matched on a copy with these blanked to spaces of the same length, so every
# offset found still points into the paragraph itself.
_FURNITURE = re.compile(
    r"[\[(]?(?:\b\d{1,4}[/.-]\d{1,2}[/.-]\d{2,4},?[^\S\n]+)?\b\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?\b"
    r"(?:[^\S\n]*[AaPp]\.?[Mm]\b\.?)?[\])]?(?:[^\S\n]+-(?=[^\S\n]))?|\*\*|__"
    r"|(?m:^)[^\S\n]*Q\d{1,4}(?=[^\S\n]+[A-Z])"
)
# What a possessive heading announces, so that a subhead such as "Putin's Gamble." is no speaker.
_SPEECHES = {
    "SPEECH", "REPLY", "REJOINDER", "REMARKS", "ADDRESS", "STATEMENT", "TESTIMONY", "RESPONSE",
    "REBUTTAL", "ARGUMENT", "LECTURE", "SERMON", "OPENING", "CLOSING", "QUESTIONS", "ANSWER",
}
_DOCUMENT_PARTS = {"APPENDIX", "ANNEX", "ANNEXE", "SCHEDULE", "SECTION", "CHAPTER", "PART", "TABLE", "FIGURE",
                   "EXHIBIT", "ITEM", "AGENDA"}
PART_HEADING_WORDS = 10
_PANEL_NUMBER = re.compile(r"[IVX]{1,4}")  # a roman numeral: the number of a panel or part, no speaker
_HEADER_LINE = re.compile(r"^(?P<role>[A-Za-z]+)\s*:\s*(?P<names>\S.*)$")
_ASIDE = re.compile(r"^\s*[\[(].*[\])][.\s]*$", re.S)
_SAID = re.compile(r"\b(?:said|replied|began|spoke|answered|responded|continued)(?: as follows)?:\s+")


@dataclass
class Piece:
    """Part of paragraph `paragraph` ([start, end) in it) said by `author`; `opens` marks a new turn."""

    paragraph: int
    start: int
    end: int
    author: str | None
    opens: bool = False


@dataclass
class _Mark:
    paragraph: int
    label_start: int
    speech_start: int
    key: str
    label: str
    heading: str = ""  # "speech" ("MR. LINCOLN'S REPLY.") or "colon" ("EMMA ASHFORD:" alone)
    named: bool = False  # a name alone on its line, already vetted as a speaker (_name_line_marks)
    office: str = ""  # the office a holder's label gives ("THE MINISTER FOR TRANSPORT" for "... (Ms Havili):")


def is_title(word: str) -> bool:
    """An honorific or office word ("Justice", "Mr.", "Senator"), never a name's last word."""
    return word.strip(".").upper() in _TITLES | _COURTESY


def key_of(label: str) -> str:
    """The normalised label: upper case, single spaces, no dots, courtesy honorific and possessive."""
    label = re.sub(r"(?:'s|\u2019s|'|\u2019)$", "", re.sub(r"\s+", " ", label.strip()), flags=re.I)
    words = [w.strip(".,").upper() for w in label.split()]
    while len(words) > 1 and words[0] in _COURTESY:
        words = words[1:]
    return " ".join(words)


def _name_words(key: str) -> list[str]:
    return [w for w in key.split() if w not in _TITLES and w not in _COURTESY and w not in _SUFFIXES]


def title_case(name: str) -> str:
    """ALL-CAPS names in title case ("M. ROLAND NACHMAN, JR." -> "M. Roland Nachman, Jr.")."""
    name = re.sub(r"\s+", " ", name.strip())
    if name != name.upper():
        return name
    roman = {"II", "III", "IV"}
    words = [w if w.strip(".,") in roman else w.title().replace("\u2019S", "\u2019s") for w in name.split()]
    return " ".join(words)


def surname(name: str) -> str:
    """A name's last word in capitals, without a suffix ("Nachman, Jr." -> "NACHMAN")."""
    words = [w.strip(".,").upper() for w in name.split()]
    words = [w for w in words if w and w not in _SUFFIXES]
    return words[-1] if words else ""


_CONTRACTION = re.compile(r"['\u2019](?:m|ve|d|ll|re|t)$")  # "I'm Priya Raman": "I'm" is no part of her name


def names_in(line: str) -> list[str]:
    """Full names (2-5 capitalised words, leading titles stripped) in a heading or roster line:
    "OPENING ARGUMENT OF HERBERT WECHSLER, ESQ." -> Herbert Wechsler."""
    line = re.sub(r",\s*(JR|SR|Jr|Sr)\b\.?", r" \1.", line)
    names: list[str] = []
    run: list[str] = []
    for word in line.split() + [""]:
        if run and word[:1] in "([":  # "Desmond Achterberg (Friends of Hollins Park)": the bracket ends the name
            _flush(run, names)
            run = []
        core = word.strip(",;:()[]\"")
        bare = core.strip(".").upper()
        possessive = core.endswith(("'s", "\u2019s", "'", "\u2019")) or bool(_CONTRACTION.search(core))
        capital = bool(re.match(r"[A-Z]", core)) and bare not in _FUNCTION_WORDS and not possessive
        if run and word == core and core in PARTICLES:  # "Luis de la Cruz"
            run.append(core)
            continue
        if capital and run and bare in _COURTESY | {"DR"}:  # "... Protection Mr. Curtis Fenn": a new name
            _flush(run, names)
            run = []
        if capital and run and len(bare) > 1 and _case_changes(run, core):
            _flush(run, names)  # "the United States HUGO L. BLACK": two names
            run = []
        if capital and (run or bare not in _TITLES | _COURTESY | _ROLE_LABELS | _HEADER_WORDS):  # "Hosts Ana Ferreira"
            run.append(core)
        sentence_end = core.endswith(".") and len(bare) > 2 and bare not in _SUFFIXES | _ABBREVIATED
        if not capital or word != core or sentence_end:  # a lower-case word or punctuation ends a name
            _flush(run, names)
            run = []
    return names


def _case_changes(run: list[str], word: str) -> bool:
    """Whether `word` is in capitals and the run's words are not, or the other way round."""
    styles = {w.isupper() for w in run if len(w.strip(".")) > 1}
    return bool(styles) and word.isupper() not in styles


def _flush(run: list[str], names: list[str]) -> None:
    while run and (run[-1].strip(".").upper() == "ESQ" or run[-1] in PARTICLES):
        run.pop()
    if run and len(run[-1]) > 3 and run[-1].endswith(".") and run[-1].strip(".").upper() not in _SUFFIXES:
        run[-1] = run[-1][:-1]  # the full stop of the sentence the name ends ("... with John Doe.")
    if 2 <= len([w for w in run if w.strip(".").upper() not in _SUFFIXES]) <= 5:
        names.append(re.sub(r" (Jr|Sr)\.", r", \1.", title_case(" ".join(run))))


def resolve(key: str, people: list[str]) -> str | None:
    """The one person of `people` a label key names (by surname, first names, initials or first name)."""
    words = _name_words(key)
    if not words:
        return None
    matches = [p for p in people if surname(p) == words[-1]]
    if len(words) > 1:
        matches = [p for p in matches if all(w in key_of(p).split() for w in words[:-1])]
    if not matches and len(words) == 1 and 2 <= len(words[0]) <= 3:
        matches = [p for p in people if initials(p) == words[0]]
    if not matches and len(words) == 1:  # a panel's first names ("Ana:") given in full in its intro
        matches = [p for p in people if _name_words(key_of(p))[:1] == words]
    distinct = list(dict.fromkeys(matches))
    longest = max(distinct, key=len, default=None)
    # "Roland Nachman, Jr." and "M. Roland Nachman, Jr." are one person: the fuller name wins.
    if longest and all(set(key_of(p).split()) <= set(key_of(longest).split()) for p in distinct):
        return longest
    return None


def initials(name: str) -> str:
    parts = [p for p in re.split(r"\s+", name) if p and not re.fullmatch(r"[A-Z]\.", p)]
    parts = [p for p in parts if p.strip(".,").upper() not in _SUFFIXES]
    return (parts[0][0] + parts[-1][0]).upper() if len(parts) >= 2 else ""


def display(label: str) -> str:
    """An unresolved label as shown: title case, and a person's name without the honorific or title
    before it when the rest is a full name ("Sen. Marcus Hale" -> "Marcus Hale", "Mr David Holloway"
    -> "David Holloway": the person is the name, whatever office they hold); a surname keeps them
    ("Justice Stewart", "Mr. Haines")."""
    words = re.sub(r"\s+", " ", label.strip()).split()
    lead = 0
    while lead < len(words) and words[lead].strip(".").upper() in _TITLES | _COURTESY:
        lead += 1
    if 0 < lead and len(_name_words(key_of(" ".join(words[lead:])))) >= 2:
        words = words[lead:]
    elif len(words) > 1 and words[0].strip(".").upper() in _COURTESY and lead > 1:  # "Mr. Justice Stewart"
        words = words[1:]
    return " ".join(title_case(w) if w.isupper() else w for w in words)  # "Mr. HAINES" -> "Mr. Haines"


def _is_participants(key: str, content: str) -> bool:
    """ "Participants: A, B" / "Moderator: Jane Doe": a header naming people, not a turn."""
    parts = [p.strip(" .") for p in re.split(r"[,;]|\band\b|&", content) if p.strip(" .")]
    named = [p for p in parts if re.fullmatch(rf"{_TOKEN}(?:\s+{_TOKEN}){{1,4}}", p)]
    if "?" in content or "!" in content:
        return False
    # Mostly names: a moderator's opening speech that names the guests ("With me are Councilman Leo
    # Brandt, ...") is a turn.
    return 2 * len(named) >= len(parts) > 0 and (key in _HEADER_WORDS or len(named) == len(parts))


def _part_heading(para: str) -> bool:
    """A heading of a part of the record ("Appendix A: Juror codes", "Annex 2"): it ends the turn above."""
    words = para.split()
    return 0 < len(words) <= PART_HEADING_WORDS and key_of(words[0]).rstrip(":") in _DOCUMENT_PARTS


def blank_furniture(para: str) -> str:
    """`para` with timestamps and Markdown emphasis blanked, every offset unchanged."""
    return _FURNITURE.sub(lambda m: " " * len(m.group()), para)


def speaker_line_name(line: str) -> str | None:
    """The name of a speaker's label line: a name alone in capitals ("KAREN WU", a script), with
    a timestamp ("Priya Raman  0:03", a recording tool) or with firm and role ("Jane Smith -- Acme
    Corp -- CEO", an earnings call), or a role ("Operator"). It heads each of that speaker's
    speeches: a repeat of it is a label, not a repeated heading, and it is never a headline."""
    label = blank_furniture(line).strip()
    match = _name_alone(label)
    if match is None:
        return None
    stamped = label != line.strip()
    role = key_of(match.group("name")) in _ROLE_LABELS
    return match.group("name") if label.isupper() or stamped or match.group("affiliation") or role else None


def _name_alone(text: str) -> re.Match | None:
    """A name alone on a line; one word in title case only if it is a role ("Operator")."""
    match = _NAME_ALONE.match(text)
    name = match.group("name") if match else ""
    one_word = " " not in name and not name.isupper()
    return match if match and (not one_word or key_of(name) in _ROLE_LABELS) else None


def _marks(paragraphs: list[str]) -> list[_Mark]:
    marks = []
    for i, para in enumerate(map(blank_furniture, paragraphs)):
        if chat := _CHAT_MESSAGE.match(paragraphs[i]):
            label = chat.group("sender").strip()
            if not chat_notice(paragraphs[i]):
                marks.append(_Mark(i, 0, chat.end(), key_of(label), label, named=True))
            continue
        if bold := _BOLD_LABEL.match(paragraphs[i]):
            label = bold.group("label")
            if is_speaker_label(label):
                marks.append(_Mark(i, 0, bold.end(), key_of(label), label))
                continue
        heading = _HEADING.match(para.strip())
        announces = heading and (heading.group("what") or "").upper() in _SPEECHES
        if heading and (announces or para.strip().endswith(":")) and len(para.split()) <= 8:
            label = heading.group("label")
            kind = "colon" if para.strip().endswith(":") else "speech"
            marks.append(_Mark(i, 0, len(para), key_of(label), label, heading=kind))
            continue
        if _caps_headline(i, para):
            continue
        found = {m.start(): m for m in _LINE_TURN.finditer(para)}
        found.update({m.start("caps"): m for m in _INLINE_TURN.finditer(para)})
        for start in sorted(found):
            m = found[start]
            if _dash_heading(m, para):
                continue
            label = next(m.group(g) for g in ("caps", "title", "holder", "hearing", "a", "q") if m.groupdict().get(g))
            if _PANEL_NUMBER.fullmatch(label):  # "I: Hallvard Berg, Chief Executive; ...": a witness panel
                continue
            if _part_heading(paragraphs[i]):  # "Appendix A: Juror codes" heads a part of the record, no turn
                continue
            label = _with_holder(label, m.groupdict().get("caps_more") or m.groupdict().get("title_more") or "")
            office = key_of(m.groupdict().get("office") or "")
            marks.append(_Mark(i, start, m.end(), key_of(label), label, office=office))
    return marks


HEADLINE_PARAGRAPHS = 4  # a headline in capitals stands among the text's first paragraphs
HEADLINE_WORDS = 16


def _caps_headline(i: int, para: str) -> bool:
    """A headline in capitals near the top, its colon no speaker's ("AFTER MIDNIGHT: SHOULD FENWICK
    EXTEND LATE-NIGHT LICENSING HOURS?"): one line, a few words, no lower-case letter."""
    text = para.strip()
    return (i < HEADLINE_PARAGRAPHS and "\n" not in text and len(text.split()) <= HEADLINE_WORDS
            and not re.search(r"[a-z]", text) and not text.endswith((".", ":")))


# A speaker in bold at the start of a paragraph, with or without a colon or dash after it: a debate
# write-up's "**Rhiannon Tate** Thank you, Gwen." and "**Yusuf Adeyemi** – I want to start ...".
_BOLD_LABEL = re.compile(
    r"^[^\S\n]*\*\*(?P<label>[^*\n:]{2,60}?)[^\S\n]*:?\*\*[^\S\n]*(?:[:\u2013\u2014]|--?)?[^\S\n]*(?=\S)")


def is_speaker_label(label: str) -> bool:
    """A bold lead that names a speaker: a full name, or a part in the talk ("Audience member")."""
    key = key_of(label)
    return names_in(label) == [title_case(label)] or _is_unnamed(key) or _is_role(key)


def _dash_heading(match: re.Match, para: str) -> bool:
    """One capitalised word before a dash ("PROOF \u2014 Subject to correction", "UPDATE --") heads a
    line; an inline turn names its speaker with an honorific or in full ("MR. LINCOLN---Yes, sir"),
    or by a part in the talk ("VOICE---Put on your specs.")."""
    caps = match.groupdict().get("caps")
    if not caps or " " in caps.strip() or ":" in para[match.end("caps"):match.end()]:
        return False
    key = key_of(caps)
    return key not in _UNNAMED_WORDS and not _is_role(key)


def _with_holder(label: str, attached: str) -> str:
    """A role's label with the bracket that says who holds it: "HOST (Maria Lopez)" is Maria Lopez,
    "CALLER (Dave, Ohio)" a caller of their own; brackets after a name (a constituency) add nothing."""
    bracket = _BRACKETED.search(attached)
    if not bracket or not _is_role(key_of(label)) or bracket.group(1).strip()[:1].islower():
        return label  # no bracket, no role, or a note ("(spoke in Spanish)")
    holder = bracket.group(1).strip()
    return holder if names_in(holder) == [title_case(holder)] else f"{label} ({holder})"


def _name_line_marks(paragraphs: list[str]) -> list[_Mark]:
    """Speakers named on a line of their own with no colon ("KAREN WU", then the speech), for a
    text with no other turn convention: at least two names, one heading two speeches or more,
    and each a full name or heading two itself (a subhead that looks like a name heads one)."""
    marks = []
    for i, para in enumerate(paragraphs):
        first, newline, rest = blank_furniture(para).partition("\n")
        match = _name_alone(first.strip())
        if match is None:
            continue
        label = match.group("name")
        if rest.strip():  # the speech follows on the next line of the same paragraph
            speech = len(first) + len(newline) + len(rest) - len(rest.lstrip())
            marks.append(_Mark(i, 0, speech, key_of(label), label, named=True))
        else:
            marks.append(_Mark(i, 0, len(para), key_of(label), label, heading="colon", named=True))
    counts = Counter(m.key for m in marks)
    text = "\n".join(paragraphs)
    marks = [m for m in marks if counts[m.key] >= 2 or names_in(m.label) == [title_case(m.label)] or _is_role(m.key)
             or _introduced(m.label, text)]
    counts = Counter(m.key for m in marks)
    return marks if len(counts) >= 2 and max(counts.values()) >= 2 else []


def _introduced(label: str, text: str) -> bool:
    """A script introduces each character in capitals, in full, in an action line ("PRIYA DESAI (30s),
    the presenter"): a name in capitals that heads one speech only is theirs when the text so names
    someone with it."""
    word = re.escape(label.strip())
    return label.isupper() and bool(re.search(rf"\b{word}[^\S\n]+[A-Z]{{2,}}\b|\b[A-Z]{{2,}}[^\S\n]+{word}\b", text))


def _header_people(paragraphs: list[str], first: _Mark | None) -> list[str]:
    """Names in the header (above the first turn) and in heading lines anywhere."""
    people: list[str] = []
    for i, para in enumerate(paragraphs):
        if first and i == first.paragraph:
            people.extend(n for line in para[: first.label_start].split("\n") for n in names_in(line))
        for line in para.split("\n"):
            if (not first or i < first.paragraph) or (line.strip() and not re.search(r"[a-z]", line)):
                people.extend(names_in(line.lstrip("# ")))
    return people


@dataclass
class Dialogue:
    speakers: list[str]
    pieces: list[Piece]
    unnamed: set[str]  # the speakers the text does not name ("Unnamed questioner", "Voice")


def find_dialogue(
    paragraphs: list[str], known: list[str], stops: set[int], title: str | None = None
) -> Dialogue | None:
    """The turns of a transcript, or None for a text that is not a dialogue.

    `known` are names the metadata, bylines or bio lines give; `stops` are paragraphs
    (bio lines) that end the current turn; `title` may name a speaker ("Press Briefing
    by Press Secretary Jen Psaki"). Labelled turns are looked for first, names alone on
    their lines only in a text with none.
    """
    return (_chevron_dialogue(paragraphs) or _dialogue(paragraphs, _marks(paragraphs), known, stops, title)
            or _dialogue(paragraphs, _name_line_marks(paragraphs), known, stops, title))


# Closed captions mark each change of speaker with ">>" and name nobody: a turn is its speaker's when
# they give their name in its first words ("GOOD EVENING, I'M LUIS CARRASCO, SUPERINTENDENT", "THANK YOU.
# KIMBERLY SATO, I'M A PARENT"), else no one's (one unnamed voice is not taken for another).
_CHEVRON = re.compile(r"^[^\S\n]*(?:>>|\u00bb)[^\S\n]*(?=\S)")
CHEVRON_TURNS = 4
_GIVEN_NAME = re.compile(
    r"(?:\b(?:I['\u2019]m|I am|my name is|this is)\s+|(?:^|[.!?]\s+)(?:(?:good (?:morning|afternoon|evening)|hi|"
    r"hello|thank you|thanks)[,.!]?\s+(?:\w+[,.]\s+)?)?)"
    r"(?!(?:I['\u2019]m|I am|my name is|this is)\b)"
    r"(?P<name>[A-Z][\w'\u2019-]+(?:\s+[A-Z][\w'\u2019.-]+){1,2})(?=[,.]|\s+(?:and|from)\b|$)",
    re.IGNORECASE)
# Words of a turn's opening that are no part of a name given in capitals ("THANK YOU.", "I'M NOT AGAINST").
_NOT_NAME_WORDS = _FUNCTION_WORDS | {"I", "I'M", "I\u2019M", "NOT", "THANK", "THANKS", "YOU", "HELLO", "HI", "GOOD",
                                     "EVENING", "MORNING", "AFTERNOON", "SORRY", "HERE", "YES", "NO", "WELL", "JUST"}


def _chevron_dialogue(paragraphs: list[str]) -> Dialogue | None:
    turns = [(i, m.end()) for i, p in enumerate(paragraphs) if (m := _CHEVRON.match(p))]
    if len(turns) < CHEVRON_TURNS:
        return None
    pieces = [Piece(i, 0, len(p), None) for i, p in enumerate(paragraphs[:turns[0][0]])]
    starts = dict(turns)
    current: str | None = None
    for i in range(turns[0][0], len(paragraphs)):
        start = starts.get(i)
        if start is not None:
            current = _given_name(paragraphs[i][start:start + INTRODUCTION_CHARS])
        pieces.append(Piece(i, start or 0, len(paragraphs[i]), current, opens=start is not None))
    speakers = list(dict.fromkeys(p.author for p in pieces if p.author))
    return Dialogue(speakers, pieces, set()) if speakers else None


def _given_name(opening: str) -> str | None:
    """The full name a speaker gives in a turn's first words, in title case."""
    for match in _GIVEN_NAME.finditer(opening):
        name = title_case(match.group("name"))
        words = key_of(name).split()
        if not any(w in _NOT_NAME_WORDS or is_title(w) for w in words) and names_in(name) == [name]:
            return name
    return None


def find_monologue(
    paragraphs: list[str], known: list[str], stops: set[int], title: str | None, opening: int
) -> Dialogue | None:
    """A speech or statement with one speaker label, at its start ("GOVERNOR VASQUEZ: Thank you."
    under "Remarks by Governor Elena Vasquez"): everything from the label on is that person's, once
    the label resolves to a full name the header, title or byline gives. `opening` is the first
    paragraph of prose: a label further down (an op-ed quoting "Kissinger: ...") opens nothing."""
    marks = _marks(paragraphs)
    if len(marks) != 1 or marks[0].paragraph > opening:
        return None
    mark = marks[0]
    people = list(dict.fromkeys(known + names_in(title or "") + _header_people(paragraphs, mark)))
    speaker = resolve(mark.key, people)
    if speaker is None:
        return None
    return Dialogue([speaker], _pieces(paragraphs, [mark], {mark.key: speaker}, stops), set())


# A deposition or a court record: who examines the witness from here on ("EXAMINATION BY MR. OKONJO:",
# "CROSS-EXAMINATION BY MS. FARRANT:") asks each "Q." until the next examination; the witness, named
# above the first question ("DEPOSITION OF MARGARET ANN ILSLEY", "MARGARET ANN ILSLEY, having been first
# duly sworn"), gives each "A.".
_EXAMINATION = re.compile(
    r"^(?:[A-Za-z-]+[^\S\n]+)*?(?:CROSS-|RE-?)?EXAMINATION[^\S\n]+BY[^\S\n]+(?P<who>[^:\n]{2,60}?)[^\S\n]*:?$",
    re.IGNORECASE)
_WITNESS = re.compile(
    rf"\b(?:DEPOSITION|TESTIMONY|STATEMENT)[^\S\n]+OF[^\S\n]+(?P<name>{_TOKEN}(?:[^\S\n]+{_TOKEN}){{1,3}})"
    rf"|(?P<sworn>{_TOKEN}(?:[^\S\n]+{_TOKEN}){{1,3}}),?\s+(?:having[^\S\n]+been|being)[^\S\n]+(?:first[^\S\n]+)?"
    rf"(?:duly[^\S\n]+)?(?:sworn|affirmed)")


def _examined(paragraphs: list[str], marks: list[_Mark]) -> tuple[list[_Mark], str | None]:
    """The marks with each "Q." given its examiner's label and the examination headings' own labels
    dropped, and the witness; the marks as they are and None when the text has no examination."""
    headings = {i: match.group("who") for i, p in enumerate(paragraphs)
                if (match := _EXAMINATION.match(blank_furniture(p).strip()))}
    if not headings or not any(m.key == "Q" for m in marks):
        return marks, None
    examined = []
    for mark in marks:
        if mark.paragraph in headings:
            continue
        examiner = headings.get(max((i for i in headings if i < mark.paragraph), default=-1))
        if mark.key == "Q" and examiner:
            mark = _Mark(mark.paragraph, mark.label_start, mark.speech_start, key_of(examiner), examiner)
        examined.append(mark)
    first_question = min((m.paragraph for m in marks if m.key == "Q"), default=len(paragraphs))
    found = [names_in(m.group("sworn") or m.group("name"))
             for m in _WITNESS.finditer("\n".join(paragraphs[:first_question]))]
    witness = next((names[0] for names in sorted(found, key=len) if names), None)  # a name alone first
    if witness:  # "DANIEL OKONJO, ESQ. MARGARET ANN ILSLEY, having been ...": a suffix ends the name before
        witness = " ".join(w for w in witness.split() if w.strip(".,").upper() not in _SUFFIXES)
    return examined, witness


def _dialogue(
    paragraphs: list[str], marks: list[_Mark], known: list[str], stops: set[int], title: str | None
) -> Dialogue | None:
    marks, witness = _examined(paragraphs, marks)
    participants: list[str] = names_in(title or "")
    roles: dict[str, str] = {}
    turn_marks: list[_Mark] = []
    talking = False  # a turn that ends the header has come (a one-word "Transcript: ..." does not)
    for mark in marks:
        content = paragraphs[mark.paragraph][mark.speech_start :].split("\n")[0]
        header = not talking and (mark.key in _HEADER_WORDS or not mark.heading)
        if header and (mark.heading or _is_participants(mark.key, content)):
            names = names_in(content)
            participants.extend(names)
            if mark.key in _ROLE_WORDS and len(names) == 1:
                roles[mark.key] = names[0]
            continue
        turn_marks.append(mark)
        talking = talking or _opens_talk(mark)
    first_turn = turn_marks[0].paragraph if turn_marks else len(paragraphs)
    for line in "\n".join(paragraphs[:first_turn]).split("\n"):
        header = _HEADER_LINE.match(line.strip())  # "Moderator: Ann Lee" in title case
        if header and _is_participants(key_of(header.group("role")), header.group("names")):
            names = names_in(header.group("names"))
            participants.extend(names)
            if key_of(header.group("role")) in _ROLE_WORDS and len(names) == 1:
                roles[key_of(header.group("role"))] = names[0]
    roles.update(_header_roles("\n".join(paragraphs[:first_turn])))
    # The talk starts at its first label that is a turn for sure (not a "Panel: ..." line).
    counts = Counter(m.key for m in turn_marks)
    first = next((m for m in turn_marks if _opens_talk(m) or counts[m.key] > 1), turn_marks[0] if turn_marks else None)
    # A host's or moderator's opening turn introduces the guests ("With me are Councilman Leo Brandt").
    introduced = names_in(paragraphs[first.paragraph][first.speech_start:]) if first and _is_role(first.key) else []
    people = list(dict.fromkeys(known + participants + _header_people(paragraphs, first) + introduced))
    roles.update(_office_roles(turn_marks))
    roles.update(_key_table_roles(paragraphs, {m.key for m in turn_marks}))
    speaker_of = _speakers(turn_marks, people, roles)
    speaker_of.update(_self_introduced(paragraphs, turn_marks, speaker_of))
    if witness and any(m.key == _ANSWER for m in turn_marks):
        speaker_of[_ANSWER] = witness
    elif _ANSWER in speaker_of:
        speaker_of[_ANSWER] = _answerer(people, known)
    turn_marks = [m for m in turn_marks if m.key in speaker_of]
    speakers = list(dict.fromkeys(speaker_of[m.key] for m in turn_marks))
    headings = sum(bool(m.heading) for m in turn_marks)
    if len(speakers) < 2 or (len(turn_marks) < 4 and headings < 2):
        return None
    unnamed = {speaker_of[m.key] for m in turn_marks if _is_unnamed(m.key) and m.key not in roles}
    return Dialogue(speakers, _pieces(paragraphs, turn_marks, speaker_of, stops), unnamed)


# A header's name with the part it plays in brackets: "Members present: Margaret Ashdown (Chair); ...".
_NAME_WITH_ROLE = re.compile(rf"({_TOKEN}(?:[^\S\n]+{_TOKEN}){{1,3}})[^\S\n]*\(([A-Za-z][A-Za-z -]{{1,30}})\)")


# A key naming the speakers a record labels by code: a table row ("Juror 4 | Yasmin Idowu | 35-44 | ...",
# as the readers give a table's rows) or an equation ("JR = Julia Rennard (lead facilitator)").
_KEY_ROW = re.compile(r"^(?P<label>[^|\n]{1,30}?)[^\S\n]*\|[^\S\n]*(?P<name>[^|\n]{3,60}?)[^\S\n]*(?:\||$)")
_KEY_EQUALS = re.compile(
    r"\b(?P<label>[A-Z]{2,4})[^\S\n]*=[^\S\n]*(?P<name>[A-Z][\w'\u2019-]+(?:[^\S\n]+[A-Z][\w'\u2019-]+){1,2})")


def _key_table_roles(paragraphs: list[str], keys: set[str]) -> dict[str, str]:
    """Label key -> the person a key in the text gives that label ("JUROR 4" -> "Yasmin Idowu"; a
    bracketed code, "FACILITATOR (JR)", by its code "JR")."""
    found: dict[str, str] = {}
    for line in "\n".join(paragraphs).split("\n"):
        for match in (_KEY_ROW.match(line.strip()), *_KEY_EQUALS.finditer(line)):
            name = " ".join(match.group("name").split()) if match else ""
            if not name or names_in(name) != [name]:
                continue
            label = key_of(match.group("label"))
            found.update((key, name) for key in keys if key == label or key.endswith(f"({label})"))
    return found


# A header's name with the part it plays after a comma: "In the chair: Cllr Duncan Greaves, Chair of
# Scarrowby Parish Council", "Ann Lee, the moderator".
_NAME_THEN_ROLE = re.compile(
    rf"({_TOKEN}(?:[^\S\n]+{_TOKEN}){{1,3}}),[^\S\n]+(?:the[^\S\n]+)?([A-Za-z]+(?:[^\S\n]+[A-Za-z]+)?)\b")


def _header_roles(header: str) -> dict[str, str]:
    """Role label key -> the one person the header gives that role, in brackets ("Margaret Ashdown
    (Chair)") or after a comma ("Cllr Duncan Greaves, Chair of the Parish Council")."""
    found: dict[str, list[str]] = {}
    for name, role in [*_NAME_WITH_ROLE.findall(header), *_NAME_THEN_ROLE.findall(header)]:
        role = next((r for r in (key_of(role), key_of(role).split()[0]) if r in _ROLE_LABELS), "")
        if role and (names := names_in(name)):
            found.setdefault(role, []).append(names[-1])
    return {role: names[0] for role, names in found.items() if len(set(names)) == 1}


# "I'm Nadia Ferreira-Holt", "My name is Ann Lee": a speaker naming themself.
_SELF_INTRODUCTION = re.compile(r"\b(?:I['\u2019]m|I am|[Mm]y name is)\s+((?:[A-Z][\w'\u2019-]*\s?){2,4})")
INTRODUCTION_CHARS = 400  # a speaker introduces themself at the start of their first turn


def _self_introduced(paragraphs: list[str], marks: list[_Mark], speaker_of: dict[str, str]) -> dict[str, str]:
    """Numbered speakers ("Speaker 1", a recording tool's) and roles ("MODERATOR") who give their full
    name in their first turn ("I'm Janelle Ruiz")."""
    named = {}
    for key in {m.key for m in marks if (_tool_numbered(m.key) or _is_role(m.key))
                and speaker_of.get(m.key) == display(m.label)}:
        first = next(m for m in marks if m.key == key)
        said = _SELF_INTRODUCTION.search(paragraphs[first.paragraph][first.speech_start:][:INTRODUCTION_CHARS])
        if not said and first.heading and first.paragraph + 1 < len(paragraphs):
            said = _SELF_INTRODUCTION.search(paragraphs[first.paragraph + 1][:INTRODUCTION_CHARS])
        names = names_in(said.group(1)) if said else []
        if len(names) == 1 and names[0] not in speaker_of.values():
            named[key] = names[0]
    return named


def _office_roles(marks: list[_Mark]) -> dict[str, str]:
    """A legislature's short form of an office ("The MINISTER:") -> the person whose first turn
    gave it in full ("The Minister for Transport (Ms Leilani Havili):"), when only one office
    begins with those words."""
    holders = {m.office: display(m.label) for m in marks if m.office}
    roles = {}
    for key in {m.key for m in marks if m.key.startswith("THE ") and not m.office}:
        words = key.split()
        found = {who for office, who in holders.items() if office.split()[: len(words)] == words}
        if len(found) == 1:
            roles[key] = found.pop()
    return roles


def _is_unnamed(key: str) -> bool:
    """A label for someone the text does not name: "Q", "VOICE", a numbered "SPEAKER 2", or a
    role ("INTERVIEWER") that no header line gives a name."""
    return key in _UNNAMED or key.split()[0] in _UNNAMED_WORDS or _numbered(key) or _is_role(key)


def _is_role(key: str) -> bool:
    """"INTERVIEWER", "THE PRESIDENT", "THE SECRETARY-GENERAL", "CALLER (DAVE OHIO)": an office or
    a part in the talk, not a name (a "THE ..." label is a role, never an institution)."""
    return key.startswith("THE ") or key.split(" (")[0] in _ROLE_LABELS


def _numbered(key: str) -> bool:
    return bool(re.fullmatch(r"\S+ \d+", key))


def _tool_numbered(key: str) -> bool:
    """"SPEAKER 3" (a recording tool's speaker it could not name) speaks even once; a numbered label
    of another word seen once ("Episode 47:", "Part 2:") heads the text."""
    return _numbered(key) and (key.split()[0] in _ROLE_LABELS | _HEADER_WORDS | _UNNAMED_WORDS)


def _first_label(key: str, marks: list[_Mark]) -> str | None:
    """A one-word label that is the first name or surname of a full name labelled earlier in the same
    transcript: a transcription service labels a speaker in full on their first turn ("Farid Malouf
    (00:00:41):"), then by first name ("Farid (00:00:51):")."""
    if len(_name_words(key)) != 1:
        return None
    full = [title_case(m.label) for m in marks if len(_name_words(m.key)) >= 2
            and names_in(m.label) == [title_case(m.label)]]
    return resolve(key, full)


def _speakers(marks: list[_Mark], people: list[str], roles: dict[str, str]) -> dict[str, str]:
    """Label key -> speaker, for the labels that are turns (not a stray "Note: ...")."""
    counts = Counter(m.key for m in marks)
    keys = set(counts)
    speaker_of: dict[str, str] = {}
    once: dict[str, str] = {}  # multi-word labels seen once, with nothing else to vouch for them
    if _ANSWER in keys and "Q" in keys:
        speaker_of[_ANSWER] = UNNAMED_ANSWERER  # named by _answerer, once the people are known
    # Full-name labels first, so that initials ("EA") can resolve to them.
    for mark in sorted(marks, key=lambda m: -len(_name_words(m.key))):
        key = mark.key
        if key in speaker_of:
            continue
        if _is_unnamed(key):
            if counts[key] >= 2 or key.split()[0] in _UNNAMED_WORDS or _tool_numbered(key) or _is_role(key):
                speaker_of[key] = roles.get(key) or _UNNAMED.get(key) or display(mark.label)
            continue
        person = roles.get(key) or resolve(key, people) or _same_name(key, speaker_of) or _first_label(key, marks)
        if key == _ANSWER or (_one_word_title(mark) and not person):
            continue
        titled = mark.label.split()[0].strip(".").upper() in _COURTESY | _TITLES or _HEARING.fullmatch(mark.label)
        initials_seen = " " in key and initials(key) in keys
        speech_heading = mark.heading == "speech"
        caps_turn = mark.label.isupper() and mark.heading != "colon"
        if person or counts[key] >= 2 or titled or initials_seen or speech_heading or caps_turn or mark.named:
            speaker_of[key] = person or display(mark.label)
            if len(_name_words(key)) > 1:
                people.append(speaker_of[key])
        else:
            once.setdefault(key, mark.label)
    # A name used once ("Ann Park:", an audience question) is a turn of a talk that has others:
    # left out, its words would run on as the previous speaker's.
    if len(set(speaker_of.values())) >= 2:
        speaker_of.update((key, display(label)) for key, label in once.items())
    return speaker_of


def _answerer(people: list[str], byline: list[str]) -> str:
    """Who answers "Q": the one person the text names, or the one who is not its byline (the
    interviewer of a Q&A signs it); else nobody is guessed."""
    named = list(dict.fromkeys(people))
    others = [p for p in named if p not in byline]
    if len(named) == 1:
        return named[0]
    return others[0] if len(others) == 1 else UNNAMED_ANSWERER


def _opens_talk(mark: _Mark) -> bool:
    return not _one_word_title(mark) or _is_role(mark.key)


def _same_name(key: str, speaker_of: dict[str, str]) -> str | None:
    """The speaker already found under the same name with another title ("SMITH", "CHAIRMAN SMITH")."""
    words = _name_words(key)
    return next((who for k, who in speaker_of.items() if words and _name_words(k) == words), None)


def _one_word_title(mark: _Mark) -> bool:
    """A one-word label in title case ("Note:", "Interviewer:"), not a speech heading."""
    return " " not in mark.label.strip() and not mark.label.isupper() and mark.heading != "speech"


def _pieces(
    paragraphs: list[str], marks: list[_Mark], speaker_of: dict[str, str], stops: set[int]
) -> list[Piece]:
    by_paragraph: dict[int, list[_Mark]] = {}
    for mark in marks:
        by_paragraph.setdefault(mark.paragraph, []).append(mark)
    pieces: list[Piece] = []
    current: str | None = None
    for i, para in enumerate(paragraphs):
        if i in stops or _part_heading(para):
            current = None
            continue
        here = by_paragraph.get(i, [])
        if here and here[0].heading:
            current = speaker_of[here[0].key]
            continue  # the heading line is a label, not anyone's words
        if _ASIDE.match(para) or chat_notice(para) or (not here and not re.search(r"[a-z]", para)):
            pieces.append(Piece(i, 0, len(para), None))  # "[Laughter.]", an editor's note, a heading
            continue
        if not here and current and _narrates(para, current):
            pieces.extend(_narration(i, para, current))
            continue
        cursor = 0
        for n, mark in enumerate(here):
            if mark.label_start > cursor:
                pieces.append(Piece(i, cursor, mark.label_start, current))
            current = speaker_of[mark.key]
            cursor = here[n + 1].label_start if n + 1 < len(here) else len(para)
            pieces.append(Piece(i, mark.speech_start, cursor, current, opens=True))
        if not here:
            pieces.append(Piece(i, 0, len(para), current))
    return [p for p in pieces if paragraphs[p.paragraph][p.start : p.end].strip()]


def _narrates(para: str, speaker: str) -> bool:
    """A reporter's sentence about the speaker ("Mr. Lincoln then came forward ..."):
    the speaker's name, with a title or first name, then a lower-case word."""
    words = [w.strip(".,") for w in para.split()[:6]]
    last = surname(speaker)
    if last not in [w.upper() for w in words[1:5]]:
        return False
    at = [w.upper() for w in words].index(last)
    lead = [w.upper() for w in words[:at]]
    named = all(w in _COURTESY | _TITLES or w in key_of(speaker).split() for w in lead)
    return named and at + 1 < len(words) and words[at + 1][:1].islower()


def _narration(i: int, para: str, speaker: str) -> list[Piece]:
    """Narration is nobody's; a speech it introduces ("At last he said: ...") is the speaker's."""
    said = _SAID.search(para)
    if not said:
        return [Piece(i, 0, len(para), None)]
    return [Piece(i, 0, said.end(), None), Piece(i, said.end(), len(para), speaker, opens=True)]
