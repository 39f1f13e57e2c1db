"""The one tokenizer of lexical matching (BM25, grounding, topic detection): English stopwords
out, Snowball-stemmed, so "sanctions" matches "sanctioned"."""

from __future__ import annotations

from collections import Counter

import bm25s
import Stemmer

_STEMMER = Stemmer.Stemmer("english")


def tokenize(texts: list[str]) -> list[list[str]]:
    return bm25s.tokenize(texts, stopwords="en", stemmer=_STEMMER, return_ids=False, show_progress=False)


def common_words(texts: list[str], share: float) -> frozenset[str]:
    """The words found in more than `share` of `texts`: in a corpus about one war, "Russia",
    "Ukraine", "war", "United States" (scikit-learn calls this cut-off `max_df`)."""
    counts = Counter(word for words in tokenize(texts) for word in set(words))
    return frozenset(word for word, n in counts.items() if n > share * len(texts))
