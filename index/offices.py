"""One vocabulary of offices and titles for the three places that read them: speaker labels
(`index.turns`), the office before a quoted person's name (`index.quotations`), and the roles a
question names (`assistant.retrieval.query`). Lower case; each reader writes them as it needs."""

from __future__ import annotations

# Offices a person is addressed by, before the surname: "Councillor Atwell", "CHAIRWOMAN LINDQVIST.",
# "Judge Holloway", "Sheriff Dunn".
ADDRESSED = frozenset({
    "senator", "representative", "congressman", "congresswoman", "governor", "judge", "justice", "chief",
    "professor", "president", "secretary", "general", "ambassador", "mayor", "chairman", "chairwoman",
    "chair", "dean", "councillor", "councilor", "councilman", "councilwoman", "councilmember", "alderman",
    "alderwoman", "selectman", "selectwoman", "assemblyman", "assemblywoman", "minister", "premier",
    "chancellor", "commissioner", "inspector", "superintendent", "sergeant", "constable", "detective",
    "captain", "sheriff", "reverend",
})
# Offices held but not a form of address: "Derek Nakamura, executive director of ...", "the editor".
HELD = frozenset({
    "director", "editor", "counsel", "attorney", "spokesman", "spokeswoman", "spokesperson", "king", "queen",
    "prince", "officer", "adviser", "advisor", "correspondent", "columnist", "reporter", "moderator", "host",
    "prosecutor", "lawyer", "clerk", "treasurer", "executive", "supervisor",
})
OFFICES = ADDRESSED | HELD
# Titles written abbreviated, with or without a full stop ("Sen. Hale", "Cllr Marsh").
ABBREVIATED = frozenset({
    "dr", "sen", "rep", "gov", "prof", "gen", "col", "capt", "rev", "hon", "adm", "lt", "sgt", "cllr", "det",
    "supt", "insp", "cmdr", "ltc", "maj", "assoc",
})
# Forms of address that are no office.
COURTESY = frozenset({"mr", "mrs", "ms", "miss", "mx", "messrs"})
# Words of a compound title that are no office alone ("Vice President", "Press Secretary", "Associate
# Justice") and titles of rank ("Sir", "Lady").
TITLE_PARTS = frozenset({"associate", "vice", "press", "sir", "dame", "lord", "lady"})
# Every word that may stand before a name in a title: "Mr.", "Associate Justice", "Cllr".
TITLE_WORDS = COURTESY | ADDRESSED | ABBREVIATED | TITLE_PARTS


def alternation(words: frozenset[str], capitalised: bool = False) -> str:
    """A regex group of `words`, longest first, so that "Chair" never cuts "Chairman" short."""
    forms = sorted((w.capitalize() if capitalised else w for w in words), key=len, reverse=True)
    return "(?:" + "|".join(forms) + ")"
