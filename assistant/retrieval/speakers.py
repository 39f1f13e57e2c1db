"""Who said it: grouping passages by the person whose words they are, for the three jobs.

Positions, summaries and counterpoints all work per speaker. A passage with an
`author` belongs to that person (Ashford and Kroenig are two speakers of one
article). A passage of an article with no byline belongs to that article's
"unknown author", shown with the outlet (never a guess at a name). A passage with
no author in an article that *has* a byline is shared or editorial text (a dek,
an intro): it is nobody's position, so the per-speaker jobs leave it out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass

import numpy as np

from assistant.citations import sentences
from assistant.models import Article, Cite, Passage
from assistant.retrieval.hybrid import Hit, HybridRetriever
from index.embeddings import Embedder

UNKNOWN_PREFIX = "Unknown author"


@dataclass(frozen=True)
class Speaker:
    key: str  # the person's name, or "article:<id>" for an unsigned article
    label: str  # how the row / card names them
    author: str | None  # the passage author to filter on (None: unsigned article)
    article_id: str | None  # set for an unsigned article, and for a voice the text never names


def speaker_of(passage: Passage, articles: dict[str, Article]) -> Speaker | None:
    """The speaker of a body passage or a quotation, or None for bio lines and shared text. A voice
    the text never names ("Unnamed questioner", "Speaker 2") is one per article: the same label in
    another transcript is someone else."""
    if passage.kind == "bio" or is_shared_text(passage, articles):
        return None
    article = articles.get(passage.article_id)
    if passage.author and article and passage.author in article.unnamed_speakers:
        label = f"{passage.author} ({article.outlet or article.title or article.id})"
        return Speaker(f"article:{article.id}:{passage.author}", label, passage.author, article.id)
    if passage.author:
        return Speaker(passage.author, passage.author, passage.author, None)
    if article is None:
        return None
    return Speaker(f"article:{article.id}", unknown_label(article), None, article.id)


def is_shared_text(passage: Passage, articles: dict[str, Article]) -> bool:
    """Unattributed text of an article that has named authors (a dek, a standfirst, an intro).

    It is the publication's, not a speaker's: no job and no answer shows it as a voice.
    """
    article = articles.get(passage.article_id)
    return not passage.author and article is not None and bool(article.authors)


def unknown_label(article: Article) -> str:
    where = article.outlet or article.title or article.id
    return f"{UNKNOWN_PREFIX} ({where})"


def speakers(retriever: HybridRetriever, quoted: Collection[str] = ()) -> list[Speaker]:
    """Every speaker of the corpus, unsigned articles disambiguated by title when outlets clash;
    people heard only in quotations too when they are among `quoted` (a question names them)."""
    snap = retriever.snapshot()
    found: dict[str, Speaker] = {}
    for passage in snap.passages:
        if passage.kind == "quote" and passage.author not in quoted:  # heard through a writer: no row of their own
            continue
        speaker = speaker_of(passage, snap.articles)
        if speaker is not None:
            found.setdefault(speaker.key, speaker)
    labels = [s.label for s in found.values()]
    out = []
    for s in found.values():
        if labels.count(s.label) > 1 and s.article_id:
            title = snap.articles[s.article_id].title or s.article_id
            s = Speaker(s.key, f"{s.label[:-1]}, {title})", s.author, s.article_id)
        out.append(s)
    return out


def speaker_hits(
    retriever: HybridRetriever, speaker: Speaker, text: str, vector: np.ndarray, k: int,
    kinds: tuple[str, ...] = ("body",),
) -> list[Hit]:
    """The speaker's best passages for `text` (of `kinds`: their body passages, or their quoted words
    too), their own words only."""
    hits = retriever.search(
        text,
        k,
        authors=[speaker.author] if speaker.author else None,
        article_ids=[speaker.article_id] if speaker.article_id else None,
        vector=vector,
        kinds=kinds,
    )
    # The article filter of an unsigned article may still let shared text through.
    return [h for h in hits if h.passage.author == speaker.author]


# A bio line names the person, then says what they are: "Jane Roe is a senior fellow at X and
# the author of Y. Twitter: @jroe". A debater's cite keeps the first role: the words after the
# first "is (a|an|the)", up to the first clause break, without handles or links.
_HANDLE_OR_URL = re.compile(r"\S*@\S+|\bhttps?://\S+|\bwww\.\S+")
_ROLE_START = re.compile(r"\b(?:is|was|serves as|works as)\s+(?:(?:a|an|the)\s+)?", re.IGNORECASE)
_CLAUSE_BREAK = re.compile(r"\s*(?:[,;:(\u2014]|\s\u2013\s|\s-\s|\b(?:and|who|where|which|whose|since)\b)")
MAX_CREDENTIAL_WORDS = 14


def short_credential(bio: str, name: str) -> str:
    """A bio line's credential in a few words: "columnist at Foreign Policy" (or "")."""
    first = (sentences(_HANDLE_OR_URL.sub(" ", " ".join(bio.split()))) or [""])[0]
    role = _ROLE_START.search(first)
    # Without a role verb ("Jane Roe, professor of law at Yale") the name opening the line goes.
    forms = "|".join(re.escape(f) for f in sorted({name, *name.split()}, key=len, reverse=True) if f)
    if role:
        text = first[role.end():]
    else:
        text = re.sub(rf"^(?:(?:{forms})\b[\s,]*)+", "", first) if forms else first
    # A clause break right at the start ("is, since 2019, ...") would leave nothing.
    cut = next((m.start() for m in _CLAUSE_BREAK.finditer(text) if len(text[: m.start()].split()) >= 2), len(text))
    words = text[:cut].split()[:MAX_CREDENTIAL_WORDS]
    return " ".join(words).rstrip(".,;: ")


def cite_for(passage: Passage, articles: dict[str, Article], label: str | None = None) -> Cite:
    """The cite of a passage: author (or unknown + outlet), a short credential from the bio line."""
    article = articles.get(passage.article_id)
    bio = article.credentials.get(passage.author, "") if article and passage.author else ""
    credentials = short_credential(bio, passage.author or "")
    return Cite(
        author=passage.author or label or UNKNOWN_PREFIX,
        credentials=credentials,
        title=(article.title if article else passage.title) or "",
        outlet=passage.outlet,
        date=passage.date,
        url=article.url if article else "",
    )


# -- sentence vectors ----------------------------------------------------------------------
# The jobs embed the sentences of the passages they consider; the same corpus sentences come
# back for every question, and on a small CPU one embedding costs ~10 ms, so they are cached
# per process (keyed by model and text; bounded so a huge corpus cannot exhaust memory).
_VECTORS: dict[tuple[str, str], np.ndarray] = {}
MAX_CACHED = 100_000


def cached_encoder(embedder: Embedder) -> Callable[[list[str]], np.ndarray]:
    """`embedder.encode` with a per-process cache of sentence vectors."""

    def encode(texts: list[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if (embedder.name, t) not in _VECTORS))
        if missing:
            if len(_VECTORS) + len(missing) > MAX_CACHED:
                _VECTORS.clear()
            _VECTORS.update({(embedder.name, t): v for t, v in zip(missing, embedder.encode(missing), strict=True)})
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([_VECTORS[(embedder.name, t)] for t in texts])

    return encode
