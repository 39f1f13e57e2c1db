"""The Chroma store: the single source of truth for articles, passages and vectors.

Three collections: `passages` (text, metadata, vector per passage), `sentences`
(a vector per sentence of each passage, for sentence-level matching) and
`articles` (cleaned text and metadata per article). An article record is written *after*
its passages and names the version (content hash) of the passages that count;
passages of any other version are invisible to readers and garbage-collected by
the next index run. That ordering is what makes a `kill -9` mid-index harmless.
"""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_origin

import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings
from pydantic import ValidationError

from assistant.models import Article, GroundingCalibration, Passage
from assistant.settings import Settings

PASSAGES = "passages"
SENTENCES = "sentences"
ARTICLES = "articles"
# Holds no records: its metadata is the grounding calibration of one generation. Apart from the
# articles collection, whose metadata is the generation token, so writing it can never revert that token.
CALIBRATION = "grounding_calibration"
_GET_BATCH = 5000
_FILTER_BATCH = 100  # article ids per filtered read


@dataclass
class SentenceVectors:
    """The vectors of the sentences of an article's passages, each with its passage id."""

    passage_ids: list[str]
    authors: list[str | None]
    vectors: np.ndarray


def make_client(settings: Settings) -> chromadb.ClientAPI:
    """The one place a Chroma client is built: a server when CHROMA_HOST is set, else on disk."""
    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_host:
        return chromadb.HttpClient(
            host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
        )
    path = Path(settings.data) / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


def _passage_metadata(p: Passage, version: str) -> dict[str, Any]:
    return {
        "article_id": p.article_id,
        "title": p.title,
        "author": p.author or "",
        "authors": json.dumps(p.authors),
        "outlet": p.outlet,
        "date": p.date,
        "kind": p.kind,
        "start": p.start,
        "end": p.end,
        "version": version,
        # Chroma metadata values are scalars: the flags are a JSON list, "" when there are none.
        "flags": json.dumps([f.model_dump() for f in p.flags]) if p.flags else "",
    }


def _visible(rows: dict, live: dict[str, str]) -> list[Passage]:
    """The passages of `rows` that belong to the live version of their article."""
    return [
        passage_from_record(pid, text, meta)
        for pid, text, meta in zip(rows["ids"], rows["documents"], rows["metadatas"])
        if live.get(meta["article_id"]) == meta["version"]
    ]


def passage_from_record(pid: str, text: str, meta: dict[str, Any], score: float = 0.0) -> Passage:
    return Passage(
        id=pid,
        article_id=meta["article_id"],
        title=meta.get("title", ""),
        author=meta.get("author") or None,
        authors=json.loads(meta.get("authors", "[]")),
        outlet=meta.get("outlet", ""),
        date=meta.get("date", ""),
        kind=meta.get("kind", "body"),
        text=text,
        start=int(meta["start"]),
        end=int(meta["end"]),
        score=score,
        flags=json.loads(meta.get("flags") or "[]"),
    )


def _article_metadata(a: Article) -> dict[str, Any]:
    data = a.model_dump(exclude={"text", "id"})
    return {k: json.dumps(v) if isinstance(v, list | dict) else v for k, v in data.items()}


# Chroma metadata holds scalars only: list and dict fields are stored as JSON text.
_JSON_FIELDS = {name for name, f in Article.model_fields.items() if get_origin(f.annotation) in (list, dict)}


def _article_from_record(aid: str, text: str, meta: dict[str, Any]) -> Article:
    fields = {k: json.loads(v) if k in _JSON_FIELDS else v for k, v in meta.items()}
    return Article(id=aid, text=text, **fields)


class Store:
    """Typed access to the two collections; all Chroma calls of the product go through here."""

    def __init__(self, client: chromadb.ClientAPI, settings: Settings | None = None) -> None:
        self.settings = settings
        self._seen_generation: str | None = None
        self._reopen_lock = threading.Lock()
        self._attach(client)

    def _attach(self, client: chromadb.ClientAPI) -> None:
        space = {"hnsw": {"space": "cosine"}}
        self.passages = client.get_or_create_collection(PASSAGES, configuration=space, embedding_function=None)
        self.sentences = client.get_or_create_collection(SENTENCES, configuration=space, embedding_function=None)
        self.articles = client.get_or_create_collection(ARTICLES, embedding_function=None)
        self.client = client

    @classmethod
    def open(cls, settings: Settings) -> Store:
        return cls(make_client(settings), settings)

    # -- generation: a token that changes whenever the visible content changes --------
    def generation(self) -> str:
        meta = self.client.get_collection(ARTICLES, embedding_function=None).metadata or {}
        generation = str(meta.get("generation", ""))
        seen, self._seen_generation = self._seen_generation, generation
        if seen is not None and generation != seen:
            self._reload_if_embedded()
        return generation

    def bump_generation(self) -> None:
        generation = uuid.uuid4().hex
        self.articles.modify(metadata={"generation": generation})
        self._seen_generation = generation  # our own change: nothing to reload

    def grounding_calibration(self, generation: str) -> GroundingCalibration | None:
        """The calibration stored for `generation`, or None (none yet, or one of an older generation)."""
        meta = self.client.get_or_create_collection(CALIBRATION, embedding_function=None).metadata or {}
        if meta.get("generation") != generation or "calibration" not in meta:
            return None
        try:
            return GroundingCalibration.model_validate_json(meta["calibration"])
        except ValidationError:  # stored by an older release in another shape: measured again
            return None

    def save_grounding_calibration(self, calibration: GroundingCalibration) -> None:
        collection = self.client.get_or_create_collection(CALIBRATION, embedding_function=None)
        collection.modify(metadata={"generation": calibration.generation,
                                    "calibration": calibration.model_dump_json()})

    def _reload_if_embedded(self) -> None:
        """Another process changed an embedded (on-disk) index: reopen it.

        The embedded client keeps each collection's vector index in memory and never
        re-reads what another process wrote, so without this a long-running app would
        see new articles in listings but never in dense search (and could write back a
        stale vector index). A Chroma server has one copy of the index: nothing to do."""
        if self.settings is None or self.settings.chroma_host:
            return
        from chromadb.api.shared_system_client import SharedSystemClient

        with self._reopen_lock:
            identifier = str(Path(self.settings.data) / "chroma")
            with SharedSystemClient._refcount_lock:
                SharedSystemClient._identifier_to_system.pop(identifier, None)
                SharedSystemClient._identifier_to_refcount.pop(identifier, None)
            self._attach(make_client(self.settings))

    # -- articles ---------------------------------------------------------------------
    def list_articles(self, with_text: bool = True) -> list[Article]:
        include = ["metadatas", "documents"] if with_text else ["metadatas"]
        rows = self.articles.get(include=include)
        texts = rows.get("documents") or [""] * len(rows["ids"])
        articles = [_article_from_record(i, t or "", m) for i, t, m in zip(rows["ids"], texts, rows["metadatas"])]
        return sorted(articles, key=lambda a: a.source)

    def put_article(
        self, article: Article, passages: list[Passage], vectors: np.ndarray, sentences: SentenceVectors
    ) -> None:
        """Write passages first, then the article record that makes them visible, then drop old ones."""
        known = self.articles.get(ids=[article.id], include=["metadatas"])
        previous = known["metadatas"][0].get("content_hash") if known["ids"] else None
        self._put_sentences(article, sentences)
        for i in range(0, len(passages), _GET_BATCH):
            batch = passages[i : i + _GET_BATCH]
            self.passages.upsert(
                ids=[p.id for p in batch],
                documents=[p.text for p in batch],
                metadatas=[_passage_metadata(p, article.content_hash) for p in batch],
                embeddings=vectors[i : i + _GET_BATCH],
            )
        centroid = vectors.mean(axis=0)
        centroid = centroid / max(float(np.linalg.norm(centroid)), 1e-12)
        self.articles.upsert(
            ids=[article.id],
            documents=[article.text],
            metadatas=[_article_metadata(article)],
            embeddings=[centroid],
        )
        if previous is not None and previous != article.content_hash:
            # A metadata-filtered delete scans the collection: only pay it on a real update.
            stale = {"$and": [{"article_id": article.id}, {"version": {"$ne": article.content_hash}}]}
            self.passages.delete(where=stale)
            self.sentences.delete(where=stale)

    def _put_sentences(self, article: Article, sentences: SentenceVectors) -> None:
        for i in range(0, len(sentences.passage_ids), _GET_BATCH):
            owners = sentences.passage_ids[i : i + _GET_BATCH]
            authors = sentences.authors[i : i + _GET_BATCH]
            self.sentences.upsert(
                ids=[f"{pid}#{i + j}" for j, pid in enumerate(owners)],
                metadatas=[
                    {"passage_id": pid, "article_id": article.id, "author": a or "", "version": article.content_hash}
                    for pid, a in zip(owners, authors)
                ],
                embeddings=sentences.vectors[i : i + _GET_BATCH],
            )

    def delete_article(self, article_id: str) -> None:
        """Remove the article record first (its passages vanish from readers), then the passages."""
        self.articles.delete(ids=[article_id])
        self.passages.delete(where={"article_id": article_id})
        self.sentences.delete(where={"article_id": article_id})

    # -- write marker: set while a build runs, so the next build knows to collect garbage ----
    def begin_write(self) -> bool:
        """Mark the index as being written; True when the previous write never finished
        (a killed build), whose leftovers `collect_garbage` must then remove."""
        meta = self.client.get_collection(PASSAGES, embedding_function=None).metadata or {}
        self.passages.modify(metadata={"write_in_progress": True})
        return bool(meta.get("write_in_progress"))

    def end_write(self) -> None:
        self.passages.modify(metadata={"write_in_progress": False})

    def collect_garbage(self, live: dict[str, str]) -> int:
        """Delete passages and sentences left by an interrupted run: unknown articles or stale versions."""
        removed = 0
        for collection in (self.passages, self.sentences):
            stale = []
            # Paged: one unbounded get() fails ("too many SQL variables") past ~250k records.
            for offset in range(0, collection.count(), _GET_BATCH):
                rows = collection.get(include=["metadatas"], limit=_GET_BATCH, offset=offset)
                stale += [
                    rid
                    for rid, meta in zip(rows["ids"], rows["metadatas"])
                    if live.get(meta["article_id"]) != meta["version"]
                ]
            for i in range(0, len(stale), _GET_BATCH):
                collection.delete(ids=stale[i : i + _GET_BATCH])
            removed += len(stale)
        return removed

    # -- passages ---------------------------------------------------------------------
    def all_passages(self, live: dict[str, str]) -> list[Passage]:
        """Every visible passage (current version of a committed article)."""
        out: list[Passage] = []
        total = self.passages.count()
        for offset in range(0, total, _GET_BATCH):
            rows = self.passages.get(include=["metadatas", "documents"], limit=_GET_BATCH, offset=offset)
            out += _visible(rows, live)
        return out

    def passages_of(self, article_ids: list[str], live: dict[str, str]) -> list[Passage]:
        """The visible passages of these articles only (a filtered read: for a few articles)."""
        out: list[Passage] = []
        for start in range(0, len(article_ids), _FILTER_BATCH):
            where = {"article_id": {"$in": article_ids[start : start + _FILTER_BATCH]}}
            out += _visible(self.passages.get(where=where, include=["metadatas", "documents"]), live)
        return out

    def query(self, vector: np.ndarray, n: int, where: dict | None = None) -> list[tuple[str, float]]:
        """(passage id, cosine similarity) of the nearest passages.

        No `count()` first: Chroma returns fewer than `n` when fewer match, and counting costs
        more than the query itself on a large collection (5 ms for passages, 27 ms for sentences at 100k).
        """
        if n <= 0:
            return []
        rows = self.passages.query(
            query_embeddings=[vector], n_results=n, where=where, include=["distances"]
        )
        return [(pid, 1.0 - dist) for pid, dist in zip(rows["ids"][0], rows["distances"][0])]

    def query_sentences(self, vector: np.ndarray, n: int, where: dict | None = None) -> list[tuple[str, float]]:
        """(passage id, cosine similarity) for the sentences nearest to the query, best first.

        The passage id is read from the sentence id (`<passage id>#<n>`), not from the metadata,
        which would cost a metadata fetch per result (7 ms for 120 results at 100k passages).
        """
        if n <= 0:
            return []
        rows = self.sentences.query(query_embeddings=[vector], n_results=n, where=where, include=["distances"])
        return [(sid.rsplit("#", 1)[0], 1.0 - dist) for sid, dist in zip(rows["ids"][0], rows["distances"][0])]

    def vectors_by_id(self, passage_ids: list[str], sentence_spans: list[tuple[int, int]]) -> dict[str, tuple]:
        """Passage id -> (its vector, its sentences' vectors), fetched by id (no metadata scan).

        `sentence_spans[k]` is (index of the passage's first sentence in its article, count):
        sentence ids are `<passage id>#<index in the article>` (see `_put_sentences`).
        """
        if not passage_ids:  # Chroma refuses a get with an empty id list (ValueError)
            return {}
        sentence_ids = [f"{pid}#{first + n}" for pid, (first, count) in zip(passage_ids, sentence_spans)
                        for n in range(count)]
        passages = self.passages.get(ids=passage_ids, include=["embeddings"])
        grouped: dict[str, list[tuple[int, np.ndarray]]] = {}
        for start in range(0, len(sentence_ids), _GET_BATCH):
            rows = self.sentences.get(ids=sentence_ids[start : start + _GET_BATCH], include=["embeddings"])
            for sid, vector in zip(rows["ids"], rows["embeddings"]):
                pid, n = sid.rsplit("#", 1)
                grouped.setdefault(pid, []).append((int(n), vector))
        return {
            pid: (
                np.asarray(vector, dtype=np.float32),
                np.asarray([v for _, v in sorted(grouped.get(pid, []), key=lambda t: t[0])], dtype=np.float32),
            )
            for pid, vector in zip(passages["ids"], passages["embeddings"])
        }

    def passage_vectors(self, ids: list[str]) -> np.ndarray:
        if not ids:  # Chroma refuses a get with an empty id list
            return np.zeros((0, 0), dtype=np.float32)
        rows = self.passages.get(ids=ids, include=["embeddings"])
        return np.asarray(rows["embeddings"], dtype=np.float32)

    def article_vectors(self, ids: list[str] | None = None) -> np.ndarray:
        """Each article's centroid (the mean of its passage vectors, stored with the article);
        `ids=None` reads every article, an empty list none."""
        if ids is not None and not ids:  # Chroma refuses a get with an empty id list
            return np.zeros((0, 0), dtype=np.float32)
        rows = self.articles.get(ids=ids, include=["embeddings"])
        return np.asarray(rows["embeddings"], dtype=np.float32)

    def count_passages(self) -> int:
        return self.passages.count()
