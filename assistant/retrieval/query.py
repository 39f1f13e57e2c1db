"""Understanding a question before retrieval: who is named, which article, is it a comparison."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from assistant.models import Article
from assistant.retrieval.lexical import tokenize
from index.offices import OFFICES, TITLE_WORDS, alternation

_COMPARE = re.compile(
    r"\b(compare|comparison|contrast|differ|difference|differences|disagree|disagreement|agree|"
    r"versus|vs\.?|each author|the authors|both|who argues|where do(?:es)? .{0,40} stand|"
    r"positions?|debate prep|counter|counterpoints?|rebut|opposing)\b",
    re.IGNORECASE,
)
# A question may name an article by its layout ("the debate", "the magazine interview", "the letters
# page"): each pattern, and the forms (models.ArticleForm) it names, the first form found deciding.
_THE_FEW_WORDS = r"\bthe\s+(?:[\w-]+\s+){0,2}?"  # "the debate", "the radio panel", "the magazine interview"
_LAYOUT_WORDS = [
    (re.compile(r"\bexchange\s+of\s+(?:open\s+)?(?:letters|e-?mails)\b", re.I), ("letters",)),
    (re.compile(rf"{_THE_FEW_WORDS}(?:debate|dialogue|transcript|panel|discussion)\b", re.I), ("transcript",)),
    (re.compile(rf"{_THE_FEW_WORDS}(?:exchange|conversation)\b", re.I), ("transcript", "interview")),
    (re.compile(rf"{_THE_FEW_WORDS}interview\b", re.I), ("interview", "transcript")),
    (re.compile(r"\bletters\s+(?:page|to\s+the\s+editor)\b|\bthe\s+letters\b", re.I), ("letters",)),
    (re.compile(rf"{_THE_FEW_WORDS}(?:e-?mails?|correspondence)\b|\b(?:e-?mail|mail)\s+thread\b", re.I), ("letters",)),
    # "the newspaper op-ed": a piece in one voice, not the letters page, interview or debate beside it
    # (over the 16 question sets, it moved one question's gold into the top 5 and no other answer).
    (re.compile(rf"{_THE_FEW_WORDS}(?:op-?eds?|opinion\s+(?:piece|column|article))\b", re.I), ("article",)),
]
_INSTRUCTION = re.compile(
    r"^\s*(give|find|list|provide|show)?\s*(me\s+)?(some\s+)?(counterpoints?|counter-?arguments?|rebuttals?)"
    r"\s+(to|against|for)\s+(the\s+)?(claim|argument|idea|view)?\s*(that)?\s*:?\s*"
    r"|^\s*(counter|rebut|refute)\s+(the\s+)?(claim|argument|idea|view)?\s*(that)?\s*:?\s*"
    r"|^\s*what\s+(are|is)\s+(the\s+)?(main\s+|best\s+|strongest\s+)?(arguments?|objections?|counter-?arguments?|"
    r"counterpoints?|case)\s+against\s+(the\s+)?(claim|argument|idea|view)?\s*(that)?\s*:?\s*"
    # "What would someone say against the idea that ...", "How would you answer the claim that ...":
    # a reply to a stated claim (the noun and "that" keep "What did Lincoln say against Douglas?" out).
    r"|^\s*(what|how)\b[^?]{0,60}?\b(say|argue|respond|reply|answer|object)\s+(against|to)?\s*(the\s+)?"
    r"(claim|idea|view|notion|argument|assertion|suggestion|position)\s+that\s+",
    re.IGNORECASE,
)

# A claim stated first, then the request: "<claim>. What argues against that?", "<claim>. What in the
# evidence session pushes back on that?"
_TRAILING_REQUEST = re.compile(
    r"(?<=[.!])\s+(?:what|which|who|is there|are there|anything)\b[^.?!]{0,80}?\b(?:against|push(?:es)? back|"
    r"counter|rebut|refute|contradict|challenge|disagree)\w*\b[^.?!]{0,40}\?\s*$",
    re.IGNORECASE,
)


_SUMMARY = re.compile(
    r"\b(summar(y|ise|ize|ising|izing)|main (argument|point|claim)s?|overall (argument|view|position)|"
    r"gist|thesis|key points?|central (argument|claim))\b",
    re.IGNORECASE,
)


# The words of a request that are its form, not a topic: what is left of "What is the main
# argument of the article?" or "What does Acton propose?" once these go is nothing.
_FORM_WORDS = re.compile(
    r"\b(what|what's|which|who|whom|how|is|are|was|were|do|does|did|the|a|an|of|in|on|about|his|her|their|its|this|"
    r"that|these|please|give|me|tell|us|article|piece|essay|op-ed|column|debate|dialogue|argument|arguments|case|view|"
    r"views|position|positions|stance|point|points|main|overall|key|central|gist|thesis|claim|claims|summar\w*|make|"
    r"makes|made|think|thinks|argue|argues|say|says|said|believe|believes|propose|proposes|recommend|recommends|between|"
    r"suggest|suggests|want|wants|stand|stands|urge|urges|advise|advises|advocate|advocates|favou?rs?|calls?|"
    r"advice|recommendations?|proposals?|course|action|policy|solution|way|forward|next|steps?|"
    r"should|must|would|could|can|ought|to)\b",
    re.IGNORECASE,
)


def names_topic(text: str, common: frozenset[str] = frozenset()) -> bool:
    """Whether a request names a topic beyond its form and the corpus's `common` words.

    "Summarize Acton's argument on sanctions" does; "Summarize Acton's argument" does not, nor
    does "What should the United States do?" in a corpus where most passages speak of the
    United States: a word that common tells no passage from another, and the question asks
    for the author's prescription, which is what an opinion piece is about.
    """
    return any(len(word) >= 3 and word not in common for word in tokenize([_FORM_WORDS.sub(" ", text)])[0])


@dataclass
class QueryPlan:
    text: str  # what retrieval searches for (instructions stripped)
    authors: list[str] = field(default_factory=list)  # people named in the question
    article_ids: list[str] = field(default_factory=list)  # articles named (by outlet, title, "the debate")
    compare: bool = False
    summary: bool = False  # asks for the gist of a scope, not for one fact
    topic: bool = True  # names a topic beyond its form and the corpus's common words (`names_topic`)
    counter: bool = False  # asks for evidence against a claim
    question: str = ""  # the question as asked, names and all


def _mentions(question: str, name: str) -> bool:
    # A one-word form followed by another capitalised word is part of a longer proper noun
    # ("White House", "Lincoln Memorial"), not the person ("Byron R. White", "Abraham Lincoln").
    longer_noun = r"(?!\s+[A-Z][a-z])" if " " not in name else ""
    return re.search(rf"(?<![\w-]){re.escape(name)}(?:['\u2019]s)?(?![\w-]){longer_noun}", question) is not None


def position(question: str, person: str) -> int:
    """Where the question first names `person` (by any form; its length when it does not)."""
    spots = [m.start() for form in person_forms(person)
             for m in re.finditer(rf"(?<![\w-]){re.escape(form)}(?![\w-])", question)]
    return min(spots, default=len(question))


# Honorifics and offices that precede a name in a label or a question ("MR. JUSTICE STEWART",
# "Justice Stewart", "Mr. Lincoln", "Sen. Manchin"), and suffixes that follow it ("Nachman, Jr.").
_HONORIFIC_WORDS = alternation(TITLE_WORDS)
_HONORIFICS = re.compile(rf"^(?:(?:{_HONORIFIC_WORDS})\.?\s+)+", re.IGNORECASE)
_HONORIFIC_PREFIX = rf"(?i:(?:{_HONORIFIC_WORDS})\.?\s+)*"  # any case; the name after it stays case-sensitive
_SUFFIX = re.compile(r",?\s+(?:jr|sr|ii|iii|iv|esq)\.?$", re.IGNORECASE)


# A transcript's role label holding a first name, as index.turns keeps it: "Caller (Gwen, Millbrook)".
_NAMED_IN_BRACKETS = re.compile(r"[A-Z][\w ]*? \(([A-Z][\w'\u2019-]+)(?:, [^()]*)?\)")


def person_forms(person: str) -> list[str]:
    """The forms a question may name `person` by, longest first: the stored name, the name without
    honorifics or suffix, first + last name, surname. A name stored in capitals (a transcript's
    "MR. WECHSLER:") is matched in its title case, as a question writes it ("Wechsler"). A surname
    that is itself an office ("Associate Justice") names nobody in particular and is no form."""
    name = " ".join(person.split())
    if name.isupper():
        name = name.title()
    bare = _SUFFIX.sub("", _HONORIFICS.sub("", name)).strip(" ,")
    parts = bare.split()
    forms = {name, bare}
    if len(parts) > 1:
        forms.add(f"{parts[0]} {parts[-1]}")
    if parts and (len(parts) > 1 or bare != name):
        forms.add(parts[-1])
    if caller := _NAMED_IN_BRACKETS.fullmatch(name):  # "Caller (Teddy)", "Caller (Gwen, Millbrook)": "Teddy"
        forms = {name, caller.group(1)}
    # A form is a proper noun: "Audience member" is not named by every "member" of a question.
    return sorted((f for f in forms if len(f) >= 2 and f[:1].isupper() and not _HONORIFICS.fullmatch(f + " ")),
                  key=len, reverse=True)


def named_people(question: str, people: list[str]) -> list[str]:
    """People named in the question by any of their forms (`person_forms`; case-sensitive: names are proper nouns)."""
    return [person for person in people if any(_mentions(question, form) for form in person_forms(person))]


# A role is capitalised words ending in the noun of an office, right before a name ("Press Secretary Jen
# Psaki", "Chief Justice Warren") or after it and a comma ("EARL WARREN, Chief Justice of the United
# States"); "Jen Psaki, December 20" or "Thomas Paine, Sir" put capitalised words beside a name that
# are no role. On one line: a heading above a name is not its role.
_OFFICE = alternation(OFFICES, capitalised=True)
_NAME_RUN = r"[A-Z][\w'\u2019.-]*(?: [A-Z][\w'\u2019.-]*){0,3}"
_ROLE_BEFORE = re.compile(rf"(?<![\w.])((?:[A-Z][a-z]+[ -]){{0,2}}{_OFFICE}) ({_NAME_RUN})")
# After a comma, or in the next cell of a table row ("Cllr Helen Marsh-Whitley | Vice-Chair").
_ROLE_AFTER = re.compile(rf"({_NAME_RUN})(?:,| \|) ((?:[A-Z][a-z]+[ -]){{0,2}}{_OFFICE})\b")
# A script's age after a character's name: "DR RUTH AMESBURY (60s), chair of governors".
_AGE = r"\(\d{1,2}s?\)"
# In running text, lower case, with what the office is of when one word says it ("chair of governors"):
# "June Hartigan was deputy electoral commissioner for eleven years",
# "Derek Nakamura, executive director of the Grocers' Association".
_OFFICE_WORD = alternation(OFFICES)
# An occupation in apposition or after a copula, with its article: "Keziah Marsh, an audiologist at ...",
# "Joanna Kettle is a contributing writer at ..." (agent nouns: -er, -or, -ist, -ian).
_OCCUPATION = re.compile(
    rf"({_NAME_RUN}),? (?:is |was |who is |who was )?(?:an? |the )((?:[a-z-]+ ){{0,2}}[a-z]+(?:ist|er|or|ian))\b")
_NOT_OCCUPATIONS = {"senior", "junior", "other", "another", "major", "minor", "prior", "former", "latter", "either",
                    "neither", "further", "rather", "over", "under", "after", "ever", "never", "whether",
                    "together", "better", "later", "earlier", "sooner", "number", "order", "matter"}
_ROLE_IN_PROSE = re.compile(
    rf"({_NAME_RUN})(?: {_AGE})?(?:,| (?:is|was|has been|had been|serves as|served as)) (?:an? |the )?"
    rf"((?:[a-z]+ ){{0,3}}{_OFFICE_WORD}(?: (?:of|for) (?:the )?(?!the\b)[a-z]+\b(?! [a-z]))?)\b")
# A name, then the organisation in brackets or after "of the" / "from the": "Keira Bannon (Tillingbourne
# Youth Football Club)", "Lorna Beckwith from the Greyhaven Civil Liberties Network".
_ORG_WORD = r"[A-Z][\w'\u2019&-]*"
_AFFILIATION = re.compile(
    rf"({_NAME_RUN})(?: \(| (?:of|from) the )((?:{_ORG_WORD} (?:(?:of|for|and) )?){{1,5}}{_ORG_WORD})\b")
# A signature: the name on its line, the office on the next ("Helen Ashdown / Chief Executive, North
# Vale Health Board").
_ROLE_BELOW = re.compile(rf"^({_NAME_RUN})[^\S\n]*\n(?:[^\S\n]*\n)?((?:[A-Z][a-z]+[ -]){{0,2}}{_OFFICE})\b", re.M)
# A headline's lower-case office before a name: "Planning chief Ruth Adeyemi on why ...".
_ROLE_IN_HEADLINE = re.compile(rf"^([A-Z][a-z]+ {_OFFICE_WORD}) ({_NAME_RUN})", re.M)
# A record's office, then its holder in brackets: "The Minister for Transport (Ms Leilani Havili)".
_ROLE_HOLDER = re.compile(
    rf"((?:[A-Z][a-z]+ ){{0,2}}{_OFFICE}(?: (?:for|of) (?:the )?[A-Z][a-z]+)?) "
    rf"\((?:(?:Mr|Ms|Mrs|Dr)\.? )?({_NAME_RUN})\)")
# A separate opinion's heading: "Judge Beatrix Holloway, dissenting:" is "the dissenting judge".
_SEPARATE_OPINION = re.compile(rf"\b({_OFFICE}) ({_NAME_RUN}),? \(?(dissenting|concurring)\b")
_ROLE_ADJECTIVES = r"(?:(?!the\b)[\w-]+\s+){0,2}?"  # "the former deputy ..." (not "the case the minister")
_NOT_ROLE_START = re.compile(r"^(?:the|a|an|by|and|but|with|from|to|of|in|on|for|at|as)\s+", re.IGNORECASE)
ROLE_TAIL_CHARS = 1000
ROLE_CHARS = 3000  # where roles are given: the title and the head of a text (bylines, bench lists)
# A key table's header names its columns ("Code | Name | Age band | Area | Occupation"): each row below
# gives the person in the name column the part in the role column ("Juror 6 | Robert Ainsworth | ... |
# Retired civil engineer" is "the retired civil engineer"), wherever the table is in the text.
_NAME_COLUMNS = {"name", "full name", "speaker", "member", "participant", "witness"}
_ROLE_COLUMNS = {"occupation", "role", "job", "profession", "position", "title", "office", "job title"}


def _table_roles(text: str) -> list[tuple[str, str]]:
    """(role, name) from the rows of the text's `|` tables whose header has a name and a role column."""
    pairs: list[tuple[str, str]] = []
    columns: tuple[int, int, int] | None = None  # (cells in a row, name column, role column)
    for line in text.splitlines():
        cells = [" ".join(c.split()) for c in line.strip().strip("|").split("|")]
        if len(cells) < 2:
            if line.strip():
                columns = None  # prose between tables ends the one above
            continue
        heads = [c.lower() for c in cells]
        named = [i for i, h in enumerate(heads) if h in _NAME_COLUMNS]
        roled = [i for i, h in enumerate(heads) if h in _ROLE_COLUMNS]
        if named and roled:
            columns = (len(cells), named[0], roled[0])
        elif columns and len(cells) == columns[0] and cells[columns[2]]:
            pairs.append((cells[columns[2]], cells[columns[1]]))
    return pairs


def _role(words: str) -> str:
    """'The Press Secretary' -> 'press secretary'."""
    role = " ".join(words.split())
    while _NOT_ROLE_START.match(role):
        role = _NOT_ROLE_START.sub("", role, count=1)
    return role.lower()


def roles_in(texts: list[str], people: list[str]) -> dict[str, set[str]]:
    """Person -> the roles `texts` give them, lower case (hand-written: no offline library extracts
    appositive titles; a NER model would be a new dependency with weights to ship). The role patterns
    read a text's head (ROLE_CHARS) and tail (ROLE_TAIL_CHARS); separate opinions and key tables are
    found anywhere in it. A name counts by a form of one person only ("Judge Douglas" is no evidence
    about Justice William O. Douglas when two people are called Douglas)."""
    owners: dict[str, set[str]] = defaultdict(set)
    for person in people:
        for form in person_forms(person):
            owners[form.lower()].add(person)

    def person_of(name: str) -> str | None:
        words = _HONORIFICS.sub("", " ".join(name.split())).strip(" ,.").split()
        for size in range(len(words), 0, -1):  # the longest run of the name that is someone's form
            for first in range(len(words) - size + 1):
                holders = owners.get(" ".join(words[first:first + size]).lower(), set())
                if holders:
                    return next(iter(holders)) if len(holders) == 1 else None
        return None

    found: dict[str, set[str]] = defaultdict(set)
    for text in texts:
        # The head gives roles (bylines, bench lists, a moderator's introductions), and so does the
        # tail (a writer's bio line under the text).
        head = text[:ROLE_CHARS] + "\n\n" + text[max(ROLE_CHARS, len(text) - ROLE_TAIL_CHARS):]
        pairs = [(m.group(1), m.group(2)) for pattern in (_ROLE_BEFORE, _ROLE_HOLDER, _ROLE_IN_HEADLINE)
                 for m in pattern.finditer(head)]
        pairs += [(m.group(2), m.group(1)) for pattern in (_ROLE_AFTER, _ROLE_IN_PROSE, _OCCUPATION, _ROLE_BELOW)
                  for m in pattern.finditer(head)]
        # Separate opinions come after the court's, and key tables anywhere in the text.
        pairs += [(f"{m.group(3)} {m.group(1)}", m.group(2)) for m in _SEPARATE_OPINION.finditer(text)]
        pairs += _table_roles(text)
        # An organisation a person speaks for: "Keira Bannon (Tillingbourne Youth Football Club)" is
        # "the youth football club" and "the football club" too.
        pairs += [(org, m.group(1)) for m in _AFFILIATION.finditer(head) for org in _org_forms(m.group(2))]
        for role, name in pairs:
            person = person_of(name)
            if person and (role := _role(role)) and role.split()[-1] not in _NOT_OCCUPATIONS:
                found[person].add(role)
    return dict(found)


def _org_forms(org: str) -> list[str]:
    """An organisation's name and its endings of two words or more, as a question may shorten it."""
    words = org.split()
    return [" ".join(words[i:]) for i in range(len(words) - 1)]


# A role several people hold names one of them when that one's articles alone hold at least this
# many more of the question's words than any other holder's.
ROLE_TOPIC_WORDS = 2


def _asks_for_role(lowered_question: str, role: str) -> bool:
    """"the press secretary", "the former deputy electoral commissioner's"; not "the chief" of "the
    chief inspector", where another office follows."""
    return re.search(rf"\bthe\s+{_ROLE_ADJECTIVES}{re.escape(role)}(?:['\u2019]s)?\b(?!\s+{_OFFICE_WORD}\b)",
                     lowered_question) is not None


def _lower_article(name: str) -> str:
    return re.sub(r"^The\b", "the", name)


@dataclass(frozen=True)
class Roster:
    """The people of a corpus as questions name them: by name, by a role the texts give them ("the
    press secretary"), and, when a surname is shared, as the one the title or the corpus points to."""

    people: list[str]
    quoted: dict[str, int] = field(default_factory=dict)  # person -> passages attributed to them
    roles: dict[str, set[str]] = field(default_factory=dict)  # person -> roles, from `roles_in`
    aliases: dict[str, str] = field(default_factory=dict)  # pen name ("The Forester") -> person
    only_quoted: frozenset[str] = frozenset()  # people heard only in others' quotations (index.quotations)
    heard_in: dict[str, tuple[str, ...]] = field(default_factory=dict)  # person -> texts of the articles they speak in
    _words_of: dict[str, frozenset[str]] = field(default_factory=dict, repr=False, compare=False)  # filled on use

    @cached_property
    def holders(self) -> dict[str, list[str]]:
        """Role -> the people the texts give it."""
        holders: dict[str, list[str]] = defaultdict(list)
        for person, roles in self.roles.items():
            for role in roles:
                holders[role].append(person)
                # "minister for transport" is also "the transport minister", and "the minister"
                if inverted := re.fullmatch(r"(\w+) (?:for|of) (?:the )?(\w+)", role):
                    holders[f"{inverted.group(2)} {inverted.group(1)}"].append(person)
                    if inverted.group(1) in OFFICES and person not in holders[inverted.group(1)]:
                        holders[inverted.group(1)].append(person)
                # "economy group inspector" (words of the line above run into a list's role) is also
                # "the inspector": the office a role ends in
                if " " in role and (office := role.split()[-1]) in OFFICES and person not in holders[office]:
                    holders[office].append(person)
        return dict(holders)

    @cached_property
    def by_role(self) -> dict[str, str]:
        """Role -> person, for roles one person holds: of two words or more ("press secretary", "chief
        justice"), or one word that is no office ("audiologist"; "Judge" or "Senator" is held by many
        people in most texts)."""
        return {role: names[0] for role, names in self.holders.items()
                if len(names) == 1 and (len(role.split()) >= 2 or role not in OFFICES)}

    def named(self, question: str) -> list[str]:
        matched = {p: max((f for f in person_forms(p) if _mentions(question, f)), key=len, default="")
                   for p in self.people}
        found = {p: form for p, form in matched.items() if form}
        for form in {f for f in found.values() if " " not in f}:
            sharing = [p for p in found if form in person_forms(p)]
            for person in self._ambiguous(question, form, sharing, found):
                del found[person]
        lowered = question.lower()
        for role, person in self.by_role.items():
            # "the press secretary", "the former deputy electoral commissioner"
            if _asks_for_role(lowered, role):
                found.setdefault(person, role)
        for role, holders in self.holders.items():
            # "the councillor" of a corpus with three: the one heard where the question's topic is (an
            # office one person holds too: the texts may give it to others they never hear)
            if role not in self.by_role and not found.keys() & set(holders) and _asks_for_role(lowered, role):
                if person := self._on_topic(question, holders):
                    found.setdefault(person, role)
        for alias, person in self.aliases.items():  # "the Forester" as well as "The Forester"
            if person in self.people and any(_mentions(question, form) for form in (alias, _lower_article(alias))):
                found.setdefault(person, alias)
        return [p for p in self.people if p in found]

    def _on_topic(self, question: str, holders: list[str]) -> str | None:
        """Of several holders of a role, the one whose articles alone hold the most of the question's
        words ("the councillor" of the radio show "about leaf blowers": the councillor heard on the
        leaf-blower programme); None when no one leads by at least ROLE_TOPIC_WORDS such words (two
        councillors of one debate share every word)."""
        for person in holders:
            if person not in self._words_of:
                self._words_of[person] = frozenset(w for words in tokenize(list(self.heard_in.get(person, ())))
                                                   for w in words)
        terms = set(tokenize([question])[0])
        own = {p: {t for t in terms if t in self._words_of[p]
                   and not any(t in self._words_of[o] for o in holders if o != p)} for p in holders}
        ranked = sorted(holders, key=lambda p: len(own[p]), reverse=True)
        lead = len(own[ranked[0]]) - (len(own[ranked[1]]) if len(ranked) > 1 else 0)
        return ranked[0] if lead >= ROLE_TOPIC_WORDS else None

    def _ambiguous(self, question: str, surname: str, sharing: list[str], found: dict[str, str]) -> list[str]:
        """Of the people found by a `surname` they share, those not meant. Named in full ("William O.
        Douglas"), that person is meant; else the one whose role has the title before the surname
        ("Justice Douglas": William O. Douglas, "Associate Justice"); else the one the corpus quotes
        most ("Douglas" in the Lincoln-Douglas debate)."""
        if len(sharing) < 2:
            return []
        in_full = [p for p in sharing if found[p] != surname]
        if in_full:
            return [p for p in sharing if p not in in_full]
        title = re.search(rf"(\w+)\.?\s+{re.escape(surname)}\b", question)
        word = title.group(1).lower() if title else ""
        titled = [p for p in sharing if any(word in role.split() for role in self.roles.get(p, ()))]
        meant = titled[0] if len(titled) == 1 else max(sharing, key=lambda p: self.quoted.get(p, 0))
        return [p for p in sharing if p != meant]


_PUBLISHED = r"(?:article|piece|essay|op-ed|column|analysis|report|commentary|debate)\b"


def _bare(outlet: str) -> str:
    """"The National Interest" -> "National Interest": how questions name it."""
    return re.sub(r"^the\s+", "", outlet, flags=re.IGNORECASE)


def _short_outlet(outlet: str) -> str:
    """A pattern for "the Carnegie piece", "the Quincy article": an outlet's first word, capitalised
    as a name and followed by what it published (alone, "Foreign" or "Just" would be ordinary words)."""
    return rf"{re.escape(outlet.split()[0])}(?=\s+{_PUBLISHED})"


def _words(text: str) -> str:
    """Lower-case words only: how a title or a file name is compared with a question."""
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def _named_by(question: str, label: str) -> bool:
    """Whether the question contains `label` (a file stem: "nyt-v-sullivan-oral-argument-1964") word for
    word, ignoring case and punctuation. One word is too common to name an article: it must have two."""
    words = _words(label)
    return len(words.split()) >= 2 and f" {words} " in f" {_words(question)} "


def named_articles(question: str, articles: list[Article]) -> list[str]:
    """Articles the question points at: "the National Interest piece", "the debate", a title, a file name."""
    hits = []
    by_form = _by_form(question, articles)
    for article in articles:
        outlet = _bare(article.outlet)
        # An issuing body's name in parts ("The White House, Office of the Press Secretary") is
        # named by any part of two words or more ("the White House").
        parts = [part for part in map(_bare, article.outlet.split(",")) if len(part.split()) >= 2]
        by_outlet = bool(outlet) and (
            any(_mentions(question, name) for name in [outlet, *parts])
            or re.search(rf"\b{_short_outlet(outlet)}", question) is not None
        )
        # Titles compare as written: word-for-word matching ("the Common Sense excerpt" for "COMMON
        # SENSE;") was measured and rejected, it moved a summary question of eval/general.jsonl
        # from the top 5 to nothing (the article's centroid outranks the topic asked about).
        by_title = bool(article.title) and article.title.lower() in question.lower()
        by_file = bool(article.source) and _named_by(question, Path(article.source).stem)
        if by_outlet or by_title or by_file or article.id in by_form:
            hits.append(article.id)
    # An outlet that published several articles does not single one out.
    return hits if len(hits) < len(articles) else []


HEAD_CHARS = 600  # an article's head: its title lines, header fields, a moderator's introduction


# What a text may call itself in its title ("Debate report: ...", "Ruling on ...", "Weekly newsletter").
_KINDS = ("debate", "interview", "profile", "review", "editorial", "report", "column", "essay", "letter",
          "speech", "briefing", "transcript", "newsletter", "explainer", "blog", "thread", "statement",
          "ruling", "decision", "judgment", "hearing", "podcast", "panel", "forum", "roundup", "commentary")
_KIND_NAMED = re.compile(rf"{_THE_FEW_WORDS}(?P<kind>{'|'.join(_KINDS)})s?\b", re.I)


def _by_form(question: str, articles: list[Article]) -> set[str]:
    """The articles the question names by kind: those whose title calls them so ("the Oxford-style
    debate": "Debate report: ..."), else those of the form it names ("the interview": the
    interviews, else the transcripts); none when it names neither."""
    lowered = question.lower()
    named_in_full = any(a.title and a.title.lower() in lowered for a in articles)
    # A title in the question names its article; "the letter to the Attorney-General" is no other letter.
    if not named_in_full and (kind := _KIND_NAMED.search(question)):
        stem = tokenize([kind.group("kind")])[0]
        titled = [a for a in articles if stem and set(stem) <= set(tokenize([a.title])[0])]
        described = _described(titled, kind.group(0).split()[1:-1], strict=True)
        if described and len(described) < len(articles):  # "the 1792 letter" is no "Letter (1776)"
            return {a.id for a in described}
    for pattern, forms in _LAYOUT_WORDS:
        if match := pattern.search(question):
            for form in forms:
                found = [a for a in articles if a.form == form]
                if found:
                    return {a.id for a in _described(found, match.group(0).split()[1:-1])}
    return set()


def _described(articles: list[Article], words: list[str], strict: bool = False) -> list[Article]:
    """Of several articles of one form, those whose title or head uses the words the question puts
    before the form ("the parliamentary debate", "the radio panel"); all of them when none or all
    do, unless `strict` (then none when none does, even of one article)."""
    wanted = {w for w in tokenize([" ".join(words)])[0] if len(w) > 3}  # stems: "bus-fares" is "fare"
    if not wanted or (len(articles) < 2 and not strict):
        return articles
    chosen = [a for a in articles if wanted & set(tokenize([f"{a.title} {a.outlet} {a.text[:HEAD_CHARS]}"])[0])]
    return chosen if chosen or strict else articles


_SOURCE_PHRASE = re.compile(
    r",?\s*\b(according to|in|from|says?|said)\s+(the\s+)?(?P<src>(?:(?!\b(?:according to|in|from)\b)[^,?.]){0,60}?)\s*"
    r"\b(article|piece|essay|debate|dialogue|op-ed|column|interview|transcript|letters page)\b",
    re.IGNORECASE,
)


def strip_sources(text: str, names: list[str], outlets: tuple[str, ...] = (), roles: tuple[str, ...] = ()) -> str:
    """Drop "according to the Just Security article", outlets, people's names and the roles that
    named them ("the former deputy electoral commissioner"): the filters carry them.

    Left in, the outlet's words ("just", "security") pull in passages that merely use them.
    A person is also named by first and last name or surname; an outlet by its full name
    or by its first word before "piece", "article"... ("the Carnegie piece").
    """
    text = _SOURCE_PHRASE.sub(" ", text)
    patterns = []
    for name in names:
        patterns += [_HONORIFIC_PREFIX + re.escape(form) for form in person_forms(name)]
    for outlet in map(_bare, outlets):
        patterns += [re.escape(outlet), _short_outlet(outlet)]
    patterns += [rf"{_ROLE_ADJECTIVES}{re.escape(role)}" for role in roles]
    for pattern in sorted(dict.fromkeys(patterns), key=len, reverse=True):
        text = re.sub(rf"\b(the\s+)?{pattern}(['\u2019]s)?(?!\w)", " ", text)
    text = re.sub(r",?\s*\baccording to\s*(?=[?.!]|$)", "", text)
    return re.sub(r"\s+", " ", text).strip()


# "Whom does Acton suggest Biden send ...": once the name is stripped (the author filter
# carries it), the reporting verb's frame is noise and its clause is the real question:
# "Whom should Biden send ...". Phrased with "should", the question reads like the
# recommendation it asks for, which is how the article words it.
_REPORTED_PROPOSAL = re.compile(
    r"\b(?:does|do|did)\s+(?:suggest|propose|recommend|urge|advise|advocate)s?\s+(?:that\s+)?"
    r"(?=\w)(?!(?:about|on|regarding|concerning|for|to|in|with|as|of)\b)",  # a clause follows, not a preposition
    re.IGNORECASE,
)


def plan_query(
    question: str, roster: Roster, articles: list[Article], common: frozenset[str] = frozenset()
) -> QueryPlan:
    """How to search for `question`; `common` are the corpus's words that name no topic."""
    text = _INSTRUCTION.sub("", question).strip() or question
    if trailing := _TRAILING_REQUEST.search(text):
        text = text[: trailing.start()].strip()
    authors = roster.named(question)
    # "What does Acton think Zelensky could do?" asks Acton, about Zelensky; a comparison ("How does
    # the Vice-Chair's view differ from the youth football club's?") asks both.
    if len(authors) > 1 and not _COMPARE.search(question):
        first = min(authors, key=lambda a: position(question, a))
        authors = [a for a in authors if a == first or a not in roster.only_quoted]
    ids = named_articles(question, articles)
    if authors or ids:
        outlets = [a.outlet for a in articles if a.id in ids and a.outlet]
        roles = tuple(role for role, holders in roster.holders.items() if set(holders) & set(authors))
        stripped = strip_sources(text, authors, tuple(outlets), roles)
        # "Who is Emma Ashford?" is about the name itself: keep it when little else is left.
        if len(re.findall(r"[A-Za-z]{4,}", stripped)) >= 2:
            text = _REPORTED_PROPOSAL.sub("should ", stripped)
    # People and an article named together ("Paine, in his letter to the Attorney-General") search
    # that article when it holds every one of them; otherwise the people alone decide.
    voices = {a.id: set(a.authors) | set(a.speakers) for a in articles}
    if authors and not all(any(person in voices.get(i, ()) for i in ids) for person in authors):
        ids = []
    compare = len(authors) > 1 or bool(_COMPARE.search(question))
    topic = names_topic(text, common)
    return QueryPlan(
        text=text,
        authors=authors,
        article_ids=ids,
        compare=compare,
        # "What does Beebe propose?" names no topic: it asks for the gist of his piece.
        summary=bool(_SUMMARY.search(question)) or (bool(authors or ids) and not topic),
        topic=topic,
        counter=(bool(_INSTRUCTION.match(question)) and text != question) or trailing is not None,
        question=question,
    )


# What makes a question lean on the one before it (hand-written: no library resolves
# coreference across chat turns offline): a leading "and/but/what about ...", a personal
# pronoun with no person named before it, "it"/"that" standing for a thing ("Why is that?",
# "What does Acton say about it?", "think so?"), or no topic and nobody named ("Why?").
_LEADING_FOLLOW_UP = re.compile(r"^\W*(and|but|what about|how about|so|also|then|or)\b", re.IGNORECASE)
_PERSONAL_PRONOUN = re.compile(r"\b(he|she|they|them|him|his|her|hers|their|theirs)\b", re.IGNORECASE)
_THING_PRONOUN = re.compile(
    r"\b(it|that|this|those|these)\s*[?.!]*$"  # "... about it?", "Why is that?"
    r"|\b(that|this|those|these)\s+(is|was|are|were|means?|meant|matters?|works?|happened|would|will)\b"
    r"|\bthem\b|\b(think|say|believe|argue)s?\s+so\b",
    re.IGNORECASE,
)
# "it" points back, except the expletive of "Is it possible to ...", "It is hard to say whether ...".
_IT = re.compile(r"\bit\b", re.IGNORECASE)
_EXPLETIVE_IT = re.compile(
    r"\b(?:is|was|would|will|does)\s+it\s+(?:\w+\s+){0,2}(?:to|that|whether)\b"
    r"|\bit\s+(?:is|was|would be|will be|seems)\s+(?:\w+\s+){0,2}(?:to|that|whether)\b",
    re.IGNORECASE,
)
# Words that ask without naming a topic: "Why?", "How so?", "When exactly?".
_BARE_ASKING = re.compile(r"\b(why|when|where|how|really|exactly|else|now|more|again)\b", re.IGNORECASE)


def stands_alone(question: str, people: list[str]) -> bool:
    """Whether a question has its own subject and topic, needing no earlier turn to be read."""
    if _LEADING_FOLLOW_UP.match(question) or _THING_PRONOUN.search(question):
        return False
    if len(_IT.findall(question)) > len(_EXPLETIVE_IT.findall(question)):
        return False
    named = named_people(question, people)
    first_name = min((m.start() for p in named for m in re.finditer(re.escape(p.split()[-1]), question)), default=None)
    pronoun = _PERSONAL_PRONOUN.search(question)
    if pronoun and (first_name is None or pronoun.start() < first_name):
        return False
    return bool(named) or names_topic(_BARE_ASKING.sub(" ", question))


def follow_up_question(question: str, earlier: list[str], people: list[str]) -> str:
    """Without a language model, a follow-up borrows the topic of the last question that stood alone.

    "And what does Kroenig say?" after "What does Ashford think of a negotiated settlement?"
    becomes "And what does Kroenig say? What does think of a negotiated settlement?": the
    follow-up's names replace the earlier ones, its topic words come from the earlier turn.
    `earlier` are the user's previous questions, oldest first; the topic comes from the most
    recent one that stood alone, never from an earlier follow-up (that would glue turns on
    turns). A question that stands on its own is never rewritten.
    """
    if not earlier or stands_alone(question, people):
        return question
    source = next((q for q in reversed(earlier) if stands_alone(q, people)), earlier[-1])
    named = named_people(question, people)
    topic = strip_sources(source, named_people(source, people)) if named else source
    return f"{question.rstrip()} {topic}"


# Negation: the counterpoint search and the counterpoint job both look for a claim's denial.
_NEGATED = [  # (pattern, replacement) removing a negation, tried in order
    (r"\bcannot\b", "can"), (r"\bcan't\b", "can"), (r"\bwon't\b", "will"), (r"\b(\w+)n't\b", r"\1"),
    (r"\b(not|never)\s+", ""), (r"\bno one\b", "someone"), (r"\bnobody\b", "somebody"),
    (r"\bnothing\b", "something"), (r"\bnowhere\b", "somewhere"), (r"\bno\b", "some"),
]
_AUXILIARY = re.compile(
    r"\b(is|are|was|were|will|would|should|must|could|might|may|does|do|did|has|have|had|can)\b", re.IGNORECASE
)


def _same_case(match: re.Match, replacement: str) -> str:
    # "No one wants war" -> "Someone wants war": a capital stays a capital.
    return replacement[:1].upper() + replacement[1:] if match.group(0)[:1].isupper() else replacement


def negate(claim: str) -> str:
    """A small, rule-based negation: remove the claim's negation, or add one after its first auxiliary.

    "Ukraine can win back its territory" -> "Ukraine cannot win back its territory";
    "The U.S. should not talk" -> "The U.S. should talk"; with no auxiliary to hang the
    negation on ("Sanctions work") -> "It is not true that sanctions work".
    """
    for pattern, replacement in _NEGATED:
        negated, count = re.subn(pattern, lambda m, r=replacement: _same_case(m, m.expand(r)), claim, count=1,
                                 flags=re.IGNORECASE)
        if count:
            return negated[:1].upper() + negated[1:] if claim[:1].isupper() else negated
    match = _AUXILIARY.search(claim)
    if match:
        word = match.group(0)
        flipped = "cannot" if word.lower() == "can" else f"{word} not"
        return claim[: match.start()] + flipped + claim[match.end() :]
    return f"It is not true that {claim[:1].lower()}{claim[1:]}"
