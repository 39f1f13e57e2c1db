"""Synthetic passages for the scale benchmark, with vectors precomputed once and cached.

Each synthetic passage is three sentences drawn from the seed corpus (so the vocabulary,
length and BM25 statistics are those of real opinion passages), and its vector is the
normalised mean of its sentences' MiniLM vectors plus a little noise. Encoding 100k
passages for real would take longer than the whole benchmark on two cores, and what
scale measures is the index and the retrieval around it, not the model.

Passages are grouped into synthetic articles of `PASSAGES_PER_ARTICLE` and written with
`Store.put_article`, exactly as the index builder writes real ones.
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.citations import sentences
from assistant.models import Article, Passage
from index.embeddings import Embedder
from index.store import Store

CACHE = Path(__file__).resolve().parent / "cache"
SENTENCES_PER_PASSAGE = 3
PASSAGES_PER_ARTICLE = 200
ARTICLES_PER_AUTHOR = 5
NOISE = 0.02
SEED = 0
CACHE_FORMAT = "2"  # bump when the cached arrays change


@dataclass
class SyntheticCorpus:
    pool: list[str]  # corpus sentences
    pool_vectors: np.ndarray  # (len(pool), dim): their MiniLM vectors
    picks: np.ndarray  # (n, SENTENCES_PER_PASSAGE) sentence indices per passage
    vectors: np.ndarray  # (n, dim) float32, unit length

    def text(self, i: int) -> str:
        return " ".join(self.pool[j] for j in self.picks[i])


def sentence_pool(texts: list[str], min_words: int = 6) -> list[str]:
    """Distinct sentences of the seed articles, long enough to read as prose."""
    pool = {s.strip(): None for text in texts for s in sentences(text) if len(s.split()) >= min_words}
    return list(pool)


def _cache_path(pool: list[str], n: int, model: str) -> Path:
    key = hashlib.sha256("\n".join([CACHE_FORMAT, model, str(n), str(SEED), *pool]).encode()).hexdigest()[:16]
    return CACHE / f"synthetic-{n}-{key}.npz"


def make_corpus(pool: list[str], n: int, embedder: Embedder) -> SyntheticCorpus:
    """`n` synthetic passages over `pool`, from the cache when it holds them."""
    path = _cache_path(pool, n, embedder.name)
    if path.exists():
        cached = np.load(path)
        return SyntheticCorpus(pool, cached["pool_vectors"], cached["picks"], cached["vectors"])
    rng = np.random.default_rng(SEED)
    pool_vectors = embedder.encode(pool)
    picks = rng.integers(0, len(pool), size=(n, SENTENCES_PER_PASSAGE), dtype=np.int32)
    vectors = pool_vectors[picks].mean(axis=1)
    vectors += rng.normal(0, NOISE, size=vectors.shape).astype(np.float32)
    vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
    CACHE.mkdir(parents=True, exist_ok=True)
    for stale in CACHE.glob(f"synthetic-{n}-*.npz"):
        stale.unlink()
    np.savez(path, pool_vectors=pool_vectors, picks=picks, vectors=vectors)
    return SyntheticCorpus(pool, pool_vectors, picks, vectors)


def synthetic_article(corpus: SyntheticCorpus, number: int, rows: range) -> tuple[Article, list[Passage]]:
    """Article `number` made of the synthetic passages `rows`, with exact offsets into its text."""
    article_id = f"synthetic-{number:05d}"
    author = f"Sam Writer{number // ARTICLES_PER_AUTHOR:04d}"
    article = Article(
        id=article_id,
        title=f"Synthetic article {number}",
        authors=[author],
        outlet="Synthetic Review",
        content_hash=f"synthetic-{number}",
        text="",
    )
    passages, parts, offset = [], [], 0
    for row in rows:
        text = corpus.text(row)
        passages.append(
            Passage(
                id=f"{article_id}:{row}",
                article_id=article_id,
                title=article.title,
                author=author,
                authors=[author],
                outlet=article.outlet,
                text=text,
                start=offset,
                end=offset + len(text),
            )
        )
        parts.append(text)
        offset += len(text) + 2
    return article.model_copy(update={"text": "\n\n".join(parts)}), passages


def articles(corpus: SyntheticCorpus, start: int, stop: int) -> Iterator[tuple[Article, list[Passage], range]]:
    """The synthetic articles covering passages [start, stop), with their rows in `corpus`."""
    for first in range(start, stop, PASSAGES_PER_ARTICLE):
        rows = range(first, min(first + PASSAGES_PER_ARTICLE, stop))
        article, passages = synthetic_article(corpus, first // PASSAGES_PER_ARTICLE, rows)
        yield article, passages, rows


def sentence_vectors(corpus: SyntheticCorpus, passages: list[Passage], rows: range) -> Any:
    """The store's per-sentence vectors for these passages: exactly their pool sentences' vectors."""
    from index.store import SentenceVectors

    owners = [p.id for p in passages for _ in range(SENTENCES_PER_PASSAGE)]
    authors = [p.author for p in passages for _ in range(SENTENCES_PER_PASSAGE)]
    return SentenceVectors(owners, authors, corpus.pool_vectors[corpus.picks[rows.start : rows.stop].ravel()])


def fill(store: Store, corpus: SyntheticCorpus, start: int, stop: int) -> None:
    """Write synthetic passages [start, stop) into `store` as the builder would, then make them visible."""
    with_sentences = "sentences" in inspect.signature(store.put_article).parameters
    for article, passages, rows in articles(corpus, start, stop):
        vectors = corpus.vectors[rows.start : rows.stop]
        if with_sentences:
            store.put_article(article, passages, vectors, sentence_vectors(corpus, passages, rows))
        else:
            store.put_article(article, passages, vectors)
    store.bump_generation()
