"""Whether a sentence can be shown alone: summaries, card tags and answer leads quote one
sentence out of its context, so a sentence that leans on the one before it misleads.

Hand-written surface cues (no library scores "stands alone"): a leading anaphor or
connective ("But that is ...", "Indeed, he ..."), a referent-less opener ("One is ...",
"Think of it like ...", "the exact opposite"), a question, or a heading (no end
punctuation).
"""

from __future__ import annotations

import re

# A leading connective links to what came before ("But ...", "After all, ..."); a leading
# anaphor stands for it ("They ...", "One is ..."): the second leans harder.
_LEADING_CONNECTIVE = re.compile(
    r"^[(\"'\u201c\u2018\s]*(?:indeed|rather|conversely|moreover|furthermore|however|but|and|or|so|thus|hence|also|"
    r"yet|still|instead|then|besides|meanwhile|elsewhere|otherwise|likewise|similarly|again|after all|in turn|"
    r"at the same time|in (?:this|that|the same) (?:vein|sense|case|way)|for (?:this|that) reason|as a result)\b",
    re.IGNORECASE,
)
_LEADING_ANAPHOR = re.compile(
    r"^[(\"'\u201c\u2018\s]*(?:"
    r"he|she|they|it(?!\s+(?:is|was|seems|remains|would be|will be)\s+(?:\w+\s+){0,2}(?:to|that|whether|how)\b)|"
    r"this|these|that|those|his|her|their|its|him|them|such|here|there|"
    r"one|another|the other|the former|the latter|both|neither|either)\b",
    re.IGNORECASE,
)
# (An expletive "It is hard to ...", "It seems that ..." points forward, not back.)
# A pronoun among the first words ("Think of it like ...", "Look at what they did") points back.
_EARLY_PRONOUN = re.compile(r"^(?:\S+\s+){1,3}(?:it|this|that|they|them|these|those|he|she|him)\b", re.IGNORECASE)
# Comparisons whose other side is in an earlier sentence.
_NO_REFERENT = re.compile(
    r"\b(?:the (?:exact |very )?(?:opposite|same|reverse|contrary)|the (?:former|latter)|as well|"
    r"than (?:that|this|those|these|before)|even more|all the more)\b",
    re.IGNORECASE,
)
_ENDS_SENTENCE = re.compile(r"[.!?][\"'\u201d\u2019)\]]*$")


def is_question(text: str) -> bool:
    return text.rstrip("\"'\u201d\u2019) ").endswith("?")


def context_need(text: str) -> float:
    """0 for a sentence that stands alone; up to about 3 for one that leans on its context."""
    need = 0.5 * bool(_LEADING_CONNECTIVE.match(text)) + 1.0 * bool(_LEADING_ANAPHOR.match(text))
    need += 0.5 * bool(_EARLY_PRONOUN.match(text)) + 0.5 * bool(_NO_REFERENT.search(text))
    need += 1.0 * is_question(text)
    need += 1.0 * (_ENDS_SENTENCE.search(text.strip()) is None)  # a heading or a fragment
    return need

