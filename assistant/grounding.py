"""Deciding whether the corpus holds evidence for a question at all.

Two signals, calibrated on the dev set (`make eval` prints the margin):
- semantic: the best passage's cosine similarity to the question;
- lexical: the share of the question's content words that never occur in the corpus.
  A question about "the Paris climate agreement" shares a vague topic with a war
  corpus (similarity ~0.3) but its key words are simply absent; an answerable
  question, however vaguely worded, is phrased mostly in words the corpus uses.
"""

from __future__ import annotations

from .lexical import tokenize
from .retrieval import Hit

MIN_SIMILARITY = 0.30  # below: nothing relevant, whatever the words
CONFIDENT_SIMILARITY = 0.55  # above: relevant, even with unusual words in the question
MAX_UNKNOWN_SHARE = 0.34  # more than a third of the content words unknown: off-topic

# Words of the question's form, not its topic ("what does X argue in the article").
_FORM_WORDS = """about according after again against all also an any are argue argues argued argument article
articles as author authors be because been before being between both but by can claim corpus could counter
counterpoints debate did do does doing during each few for from give has have having how if in into is it its
just more most much my no nor not now of off on once only or other our out over own piece same say says said
should so some such than that the their them then there these they think thinks this those through to too under
until up very view views was were what when where which while who whom why will with would you your summarize
summary position positions stance""".split()
FORM_TOKENS = set(tokenize([" ".join(_FORM_WORDS)])[0])


def unknown_share(question: str, vocabulary: dict, names: list[str]) -> float:
    """Share of the question's content words (minus names) absent from the corpus vocabulary."""
    name_tokens = set(tokenize([" ".join(names)])[0]) if names else set()
    terms = [t for t in dict.fromkeys(tokenize([question])[0]) if t not in FORM_TOKENS | name_tokens]
    if not terms:
        return 0.0
    return sum(t not in vocabulary for t in terms) / len(terms)


def is_grounded(hits: list[Hit], question: str, vocabulary: dict, names: list[str]) -> bool:
    best = max((h.dense for h in hits), default=0.0)
    if best >= CONFIDENT_SIMILARITY:
        return True
    return best >= MIN_SIMILARITY and unknown_share(question, vocabulary, names) < MAX_UNKNOWN_SHARE
