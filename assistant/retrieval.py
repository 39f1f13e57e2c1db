"""Hybrid retrieval: dense vectors from Chroma plus BM25, fused by reciprocal rank.

The BM25 side is derived from the Chroma collection (never a second source of
truth) and rebuilt when the store's generation token changes, so several
processes sharing one Chroma server stay consistent.

Fusion is written here rather than taken from llama-index's QueryFusionRetriever
because the retrieval must push author/article filters into both sides and apply
per-author quotas for comparison questions, which that class does not offer, and
its async machinery costs more than the whole search budget on this corpus.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass

import bm25s
import numpy as np
import Stemmer

from index.embeddings import Embedder
from index.store import Store

from .models import Article, Passage
from .query import QueryPlan

RRF_K = 60
CANDIDATES = 40
_STEMMER = Stemmer.Stemmer("english")


def tokenize(texts: list[str]) -> list[list[str]]:
    return bm25s.tokenize(texts, stopwords="en", stemmer=_STEMMER, return_ids=False, show_progress=False)


@dataclass
class Hit:
    passage: Passage
    fused: float
    dense: float  # cosine similarity to the query (0 when only BM25 found it)
    lexical: float  # BM25 score (0 when only the vectors found it)


class Snapshot:
    """Everything derived from one generation of the store: passages, BM25, lookups."""

    def __init__(self, generation: str, articles: list[Article], passages: list[Passage]) -> None:
        self.generation = generation
        self.articles = {a.id: a for a in articles}
        self.passages = passages
        self.position = {p.id: i for i, p in enumerate(passages)}
        self.by_author: dict[str, np.ndarray] = _group(passages, lambda p: p.author)
        self.by_article: dict[str, np.ndarray] = _group(passages, lambda p: p.article_id)
        self.people = sorted({p.author for p in passages if p.author} | {n for a in articles for n in a.authors})
        self.bm25 = bm25s.BM25()
        if passages:
            self.bm25.index(tokenize([_lexical_text(p) for p in passages]), show_progress=False)

    @property
    def live(self) -> dict[str, str]:
        return {a.id: a.content_hash for a in self.articles.values()}


def _lexical_text(p: Passage) -> str:
    # Speaker and title words let "what does Kroenig say" match his passages lexically too.
    return f"{p.text}\n{p.author or ''} {p.title}"


def _group(passages: list[Passage], key) -> dict[str, np.ndarray]:
    groups: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(passages):
        if key(p):
            groups[key(p)].append(i)
    return {k: np.array(v) for k, v in groups.items()}


class HybridRetriever:
    def __init__(self, store: Store, embedder: Embedder) -> None:
        self.store = store
        self.embedder = embedder
        self._snapshot: Snapshot | None = None
        self._lock = threading.Lock()

    def snapshot(self) -> Snapshot:
        """The current snapshot, rebuilt when another process (or this one) changed the store."""
        generation = self.store.generation()
        snap = self._snapshot
        if snap is not None and snap.generation == generation:
            return snap
        with self._lock:
            if self._snapshot is None or self._snapshot.generation != generation:
                articles = self.store.list_articles()
                live = {a.id: a.content_hash for a in articles}
                self._snapshot = Snapshot(generation, articles, self.store.all_passages(live))
            return self._snapshot

    def invalidate(self) -> None:
        self._snapshot = None

    def encode_query(self, text: str) -> np.ndarray:
        return self.embedder.encode([text])[0]

    def search(
        self,
        query: str,
        k: int = 5,
        authors: list[str] | None = None,
        article_ids: list[str] | None = None,
        vector: np.ndarray | None = None,
        kinds: tuple[str, ...] = ("body", "bio"),
    ) -> list[Hit]:
        """The k best passages for `query`, restricted to `authors` and/or `article_ids`."""
        snap = self.snapshot()
        if not snap.passages:
            return []
        allowed = self._allowed(snap, authors, article_ids, kinds)
        if allowed is not None and not allowed.any():
            return []
        vector = self.encode_query(query) if vector is None else vector
        dense = self._dense(snap, vector, authors, article_ids, allowed)
        lexical = self._lexical(snap, query, allowed)
        return self._fuse(snap, dense, lexical, k)

    def _allowed(self, snap: Snapshot, authors, article_ids, kinds) -> np.ndarray | None:
        if not authors and not article_ids and set(kinds) >= {"body", "bio"}:
            return None
        mask = np.ones(len(snap.passages), dtype=bool)
        if authors:
            keep = np.zeros_like(mask)
            for name in authors:
                keep[snap.by_author.get(name, np.array([], dtype=int))] = True
            mask &= keep
        if article_ids:
            keep = np.zeros_like(mask)
            for aid in article_ids:
                keep[snap.by_article.get(aid, np.array([], dtype=int))] = True
            mask &= keep
        if set(kinds) != {"body", "bio"}:
            mask &= np.array([p.kind in kinds for p in snap.passages])
        return mask

    def _dense(self, snap: Snapshot, vector, authors, article_ids, allowed) -> dict[int, float]:
        clauses = []
        if authors:
            clauses.append({"author": {"$in": list(authors)}})
        if article_ids:
            clauses.append({"article_id": {"$in": list(article_ids)}})
        where = None if not clauses else clauses[0] if len(clauses) == 1 else {"$and": clauses}
        out: dict[int, float] = {}
        for pid, similarity in self.store.query(vector, CANDIDATES, where):
            i = snap.position.get(pid)  # None: a stale passage of an interrupted run
            if i is not None and (allowed is None or allowed[i]):
                out[i] = similarity
        return out

    def _lexical(self, snap: Snapshot, query: str, allowed) -> dict[int, float]:
        tokens = tokenize([query])[0]
        if not tokens:
            return {}
        scores = snap.bm25.get_scores(tokens)
        if allowed is not None:
            scores = np.where(allowed, scores, 0.0)
        top = np.argpartition(-scores, min(CANDIDATES, len(scores) - 1))[:CANDIDATES]
        return {int(i): float(scores[i]) for i in top if scores[i] > 0}

    @staticmethod
    def _fuse(snap: Snapshot, dense: dict[int, float], lexical: dict[int, float], k: int) -> list[Hit]:
        fused: dict[int, float] = defaultdict(float)
        for ranking in (dense, lexical):
            for rank, i in enumerate(sorted(ranking, key=ranking.get, reverse=True)):
                fused[i] += 1.0 / (RRF_K + rank + 1)
        best = sorted(fused, key=fused.get, reverse=True)[:k]
        return [
            Hit(
                passage=snap.passages[i].model_copy(update={"score": round(fused[i], 6)}),
                fused=fused[i],
                dense=dense.get(i, 0.0),
                lexical=lexical.get(i, 0.0),
            )
            for i in best
        ]


def interleave(groups: list[list[Hit]], k: int) -> list[Hit]:
    """Round-robin over groups (one per author), so no author crowds out the others."""
    out: list[Hit] = []
    seen: set[str] = set()
    for rank in range(max((len(g) for g in groups), default=0)):
        for group in groups:
            if rank < len(group) and group[rank].passage.id not in seen:
                out.append(group[rank])
                seen.add(group[rank].passage.id)
    return out[:k]


def diversify(hits: list[Hit], k: int) -> list[Hit]:
    """Best-first, but each author's (or unsigned article's) next passage waits its turn."""
    groups: dict[str, list[Hit]] = {}
    for hit in hits:
        groups.setdefault(hit.passage.author or hit.passage.article_id, []).append(hit)
    return interleave(list(groups.values()), k)


def plan_search(
    retriever: HybridRetriever,
    plan: QueryPlan,
    k: int,
    kinds: tuple[str, ...] = ("body", "bio"),
    vector: np.ndarray | None = None,
) -> list[Hit]:
    """Search following the question's plan: named authors get their own quota."""
    vector = retriever.encode_query(plan.text) if vector is None else vector
    if len(plan.authors) > 1:
        groups = [
            retriever.search(plan.text, k, authors=[a], article_ids=plan.article_ids or None, vector=vector, kinds=kinds)
            for a in plan.authors
        ]
        return interleave(groups, k)
    authors = plan.authors or None
    article_ids = plan.article_ids or None
    if plan.compare:
        hits = retriever.search(plan.text, k * 4, authors=authors, article_ids=article_ids, vector=vector, kinds=kinds)
        return diversify(hits, k)
    return retriever.search(plan.text, k, authors=authors, article_ids=article_ids, vector=vector, kinds=kinds)

