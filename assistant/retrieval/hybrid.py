"""Hybrid retrieval: dense vectors from Chroma plus BM25, fused by reciprocal rank.

The BM25 side is derived from the Chroma collection (never a second source of
truth) and rebuilt when the store's generation token changes, so several
processes sharing one Chroma server stay consistent.

Fusion (weighted reciprocal rank fusion) is written here rather than taken from
llama-index's QueryFusionRetriever because the retrieval must push author/article filters into both sides and apply
per-author quotas for comparison questions, which that class does not offer, and
its async machinery costs more than the whole search budget on this corpus.
"""

from __future__ import annotations

import re
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import bm25s
import numpy as np

from assistant.citations import sentences
from assistant.models import Article, GroundingCalibration, Passage
from assistant.retrieval.lexical import common_words, tokenize
from assistant.retrieval.query import QueryPlan, Roster, negate, roles_in
from index.attribution import pen_names
from index.embeddings import Embedder
from index.interview import is_question
from index.store import Store

CANDIDATES = 40
SENTENCE_CANDIDATES = 120
PASSAGE_WEIGHT = 0.3  # dense score = 0.3 passage similarity + 0.7 best-sentence similarity
RRF_K = 60
# A passage that is one question (a reporter's, an interviewer's) asks; it does not answer: in both
# rankings it counts as if 5 places lower, so an answer on the same topic comes first. Measured on
# the six dev and check sets: MRR@5 up on two (0.690 -> 0.695, 0.680 -> 0.704), the others unchanged.
QUESTION_SHIFT = 5
# An answer of at least this many words ranks where the question it answers would (`_fuse`).
ANSWER_MIN_WORDS = 20
# BM25 votes at 0.3 of the dense ranking: on this corpus it mostly breaks ties between
# near-equal dense matches; at equal weight its noise outvotes clearly better dense hits.
LEXICAL_WEIGHT = 0.3
# When more than this share of the articles changed, a new snapshot reads every passage
# (one paged scan) instead of reusing the old snapshot's and reading the rest by filter.
INCREMENTAL_SHARE = 0.5
# A filter leaving at most this many passages is scored exactly in numpy (see `_dense_exact`).
EXACT_SCOPE = 2000
SCOPES_KEPT = 32  # the vectors of this many recent scopes stay in memory (with their snapshot)
AUTHOR_PENALTY = 3  # in comparisons, each earlier pick of an author moves their next passage down 3 ranks
# Counterpoints come from every voice before a second from anyone: a debater wants the
# range of objections (the debate-prep job caps each speaker for the same reason).
COUNTER_PENALTY = 8
# A topical summary of a scope leans twice as much towards the scope's gist as towards its topic.
SUMMARY_CENTROID = 2.0
# A word in more than half the passages names no topic (see `names_topic`); the share is
# estimated on at most COMMON_SAMPLE evenly spaced passages, which keeps it cheap at 100k, and
# only from COMMON_MIN passages on: in a handful, any repeated word would pass for common.
COMMON_SHARE = 0.5
COMMON_SAMPLE = 2000
COMMON_MIN = 20


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
        self.kinds = np.array([p.kind for p in passages])
        self.kind_set = frozenset(self.kinds.tolist())
        self.asks = np.array([is_question(p.text) for p in passages], dtype=bool)
        # A jointly written passage is found under its label and under each co-author's name.
        self.by_author: dict[str, np.ndarray] = _group(passages, lambda p: {p.author, *p.voices} - {None})
        self.by_article: dict[str, np.ndarray] = _group(passages, lambda p: {p.article_id})
        self.people = sorted({v for p in passages for v in p.voices} | {n for a in articles for n in a.authors})
        self._sentence_spans: dict[str, dict[int, tuple[int, int]]] = {}
        self.scope_vectors: dict[bytes, dict[str, tuple]] = {}  # filtered scope -> its vectors (oldest first)
        self.grounding: GroundingCalibration | None = None  # set by `grounding.calibration` on first use
        # BM25 reads each text once: a quotation repeats words of its writer's passage, and counted
        # twice they would shift every word's weight (index.quotations).
        self.lexical_rows = np.flatnonzero(self.kinds != "quote") if passages else np.array([], dtype=int)
        self.bm25 = bm25s.BM25()
        if len(self.lexical_rows):
            texts = [_lexical_text(passages[i]) for i in self.lexical_rows]
            self.bm25.index(tokenize(texts), show_progress=False)

    def sentence_span(self, i: int) -> tuple[int, int]:
        """(index of passage i's first sentence within its article, its number of sentences):
        what the store's sentence ids are made of."""
        article_id = self.passages[i].article_id
        if article_id not in self._sentence_spans:
            first, spans = 0, {}
            # In the order the pipeline made them: the text's passages, then its quotations (index.quotations).
            order = sorted(self.by_article.get(article_id, []),
                           key=lambda j: (self.passages[j].kind == "quote", self.passages[j].start))
            for j in order:
                count = len(sentences(self.passages[j].text))
                spans[int(j)] = (first, count)
                first += count
            self._sentence_spans[article_id] = spans
        return self._sentence_spans[article_id][i]

    @cached_property
    def answers(self) -> dict[int, int]:
        """Each question passage -> the passage after it in its text, when another voice's, no
        question itself and more than a short reply ("He was the Commissioner."): its answer."""
        out = {}
        for i in np.flatnonzero(self.asks):
            asker = self.passages[i]
            after = [j for j in self.by_article[asker.article_id]
                     if self.passages[j].kind == "body" and self.passages[j].start >= asker.end]
            j = min(after, key=lambda j: self.passages[j].start, default=None)
            if (j is not None and not self.asks[j] and self.passages[j].author != asker.author
                    and len(self.passages[j].text.split()) >= ANSWER_MIN_WORDS):
                out[int(i)] = int(j)
        return out

    def askers_of(self, allowed: np.ndarray) -> np.ndarray:
        """The question passages outside `allowed` whose answer is inside it."""
        return np.array(sorted(i for i, j in self.answers.items() if allowed[j] and not allowed[i]), dtype=int)

    @cached_property
    def common_words(self) -> frozenset[str]:
        """Stemmed words found in more than COMMON_SHARE of the body passages."""
        body = [p.text for p in self.passages if p.kind == "body"]
        if len(body) < COMMON_MIN:
            return frozenset()
        return common_words(body[:: max(1, len(body) // COMMON_SAMPLE)], COMMON_SHARE)

    @cached_property
    def roster(self) -> Roster:
        """The people as questions name them (`query.Roster`): names, roles the texts give, salience."""
        quoted = {name: len(members) for name, members in self.by_author.items()}
        texts = [t for a in self.articles.values() for t in (a.title, a.text) if t]
        aliases = {pen: real for a in self.articles.values() for pen, real in pen_names(a.text.split("\n\n")).items()}
        only_quoted = frozenset(name for name, members in self.by_author.items()
                                if (self.kinds[members] == "quote").all())
        heard_in: dict[str, list[str]] = defaultdict(list)  # person -> the articles they write or speak in
        for article in self.articles.values():
            passages = [self.passages[i] for i in self.by_article.get(article.id, [])]
            for person in {v for p in passages for v in (p.author, *p.voices)} - {None} | set(article.authors):
                heard_in[person].append(f"{article.title}\n{article.text}")
        return Roster(self.people, quoted, roles_in(texts, self.people), aliases, only_quoted,
                      {p: tuple(t) for p, t in heard_in.items()})

    @cached_property
    def article_names(self) -> str:
        """Every article's title and outlet, lower case: what a question may name that is no person."""
        return " ".join(f"{a.title} {a.outlet}" for a in self.articles.values()).lower()

    @property
    def vocabulary(self) -> dict:
        """The stemmed words of the corpus (BM25's vocabulary; empty for an empty index)."""
        return getattr(self.bm25, "vocab_dict", None) or {}


def _lexical_text(p: Passage) -> str:
    # Speaker and title words let "what does Kroenig say" match his passages lexically too.
    return f"{p.text}\n{p.author or ''} {p.title}"


def _group(passages: list[Passage], keys) -> dict[str, np.ndarray]:
    groups: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(passages):
        for key in keys(p):
            groups[key].append(i)
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
                self._snapshot = self._load(generation, self._snapshot)
            return self._snapshot

    def _load(self, generation: str, previous: Snapshot | None) -> Snapshot:
        """A snapshot of the store; the passages of articles unchanged since `previous` (same
        content hash, so the same passages) are reused and only the others are read.

        Reading every passage takes about 6 s at 100k; after adding one article, reading its
        passages takes milliseconds (BM25 is still re-indexed whole: bm25s has no updates).
        """
        articles = self.store.list_articles()
        live = {a.id: a.content_hash for a in articles}
        if previous is None:
            return Snapshot(generation, articles, self.store.all_passages(live))
        kept = {aid for aid, version in live.items()
                if aid in previous.articles and previous.articles[aid].content_hash == version}
        changed = [aid for aid in live if aid not in kept]
        if len(changed) > INCREMENTAL_SHARE * len(live):
            return Snapshot(generation, articles, self.store.all_passages(live))
        reused = [p for p in previous.passages if p.article_id in kept]
        return Snapshot(generation, articles, reused + self.store.passages_of(changed, live))

    def scope_centroid(self, authors: list[str] | None, article_ids: list[str] | None) -> np.ndarray:
        """What a scope is mostly about: the mean direction of its passages, pulled equally
        towards its articles' titles (an opinion piece's headline states its thesis; the
        summary job weighs titles for the same reason)."""
        snap = self.snapshot()
        if authors:
            mask = self._allowed(snap, authors, article_ids, ("body",))
            members = np.flatnonzero(mask)
            vectors = self.store.passage_vectors([snap.passages[i].id for i in members])
            scope = {snap.passages[i].article_id for i in members}
        else:
            vectors = self.store.article_vectors(article_ids or None)
            scope = set(article_ids or snap.articles)
        if not len(vectors):
            return np.zeros(0)
        centroid = unit(vectors.mean(axis=0))
        titles = sorted({snap.articles[i].title for i in scope if i in snap.articles and snap.articles[i].title})
        if titles:
            centroid = unit(centroid + unit(self.embedder.encode(titles).mean(axis=0)))
        return centroid

    def sentence_encoder(self, passages: list[Passage]) -> Callable[[list[str]], np.ndarray]:
        """An encoder for the sentences of `passages` that reads their vectors from the store
        (written at index time) and only runs the model for any other text."""
        snap = self.snapshot()
        stored = self._vectors(snap, [snap.position[p.id] for p in passages if p.id in snap.position])
        known: dict[str, np.ndarray] = {}
        for p in passages:
            parts, (_, vectors) = sentences(p.text), stored.get(p.id, (None, []))
            if len(vectors) == len(parts):
                known.update(zip(parts, vectors))

        def encode(texts: list[str]) -> np.ndarray:
            missing = [t for t in dict.fromkeys(texts) if t not in known]
            if missing:
                known.update(zip(missing, self.embedder.encode(missing)))
            return np.stack([known[t] for t in texts]) if texts else np.zeros((0, 0), dtype=np.float32)

        return encode

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
        if allowed is None and "quote" not in kinds and "quote" in snap.kind_set:
            dense, lexical = _unquoted(snap, dense), _unquoted(snap, lexical)
        if allowed is not None and (askers := snap.askers_of(allowed)).size:
            # Another voice's question whose answer is in scope (a committee member's, answered by the
            # witness searched for) is scored too, so that its answer can rank where it would (`_fuse`).
            asking = np.zeros(len(snap.passages), dtype=bool)
            asking[askers] = True
            dense |= self._dense_exact(snap, vector, askers)
            lexical |= self._lexical(snap, query, asking)
        return self._fuse(snap, dense, lexical, k, allowed)

    def _allowed(self, snap: Snapshot, authors, article_ids, kinds) -> np.ndarray | None:
        if not authors and not article_ids and set(kinds) >= {"body", "bio"}:
            return None  # quotations are left out after the search (`_unquoted`): no filter costs the index
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
        if not set(kinds) >= snap.kind_set:
            mask &= np.isin(snap.kinds, kinds)
        return mask

    def _dense(self, snap: Snapshot, vector, authors, article_ids, allowed) -> dict[int, float]:
        """Blend of whole-passage and best-sentence similarity (both from Chroma).

        A question usually matches one sentence of a passage; the passage vector alone
        dilutes it with the passage's other sentences, the sentence alone loses context.
        """
        if allowed is not None and allowed.sum() <= EXACT_SCOPE:
            return self._dense_exact(snap, vector, np.flatnonzero(allowed))
        clauses = []
        if authors:  # a co-author's name also stands for the joint labels that include it
            labels = {snap.passages[i].author for name in authors for i in snap.by_author.get(name, [])}
            clauses.append({"author": {"$in": sorted(labels | set(authors))}})
        if article_ids:
            clauses.append({"article_id": {"$in": list(article_ids)}})
        where = None if not clauses else clauses[0] if len(clauses) == 1 else {"$and": clauses}
        whole = dict(self.store.query(vector, CANDIDATES, where))
        best_sentence: dict[str, float] = {}
        for pid, similarity in self.store.query_sentences(vector, SENTENCE_CANDIDATES, where):
            best_sentence.setdefault(pid, similarity)
        floor = min(whole.values(), default=0.0)
        out: dict[int, float] = {}
        for pid in whole.keys() | best_sentence.keys():
            i = snap.position.get(pid)  # None: a stale passage of an interrupted run
            if i is None or (allowed is not None and not allowed[i]):
                continue
            passage_sim = whole.get(pid, floor)
            out[i] = _blend(passage_sim, best_sentence.get(pid, passage_sim))
        return out

    def _dense_exact(self, snap: Snapshot, vector: np.ndarray, members: np.ndarray) -> dict[int, float]:
        """The same blend, computed exactly for a small filtered scope (one author, one article).

        Chroma answers a metadata-filtered query by scanning the metadata (80 ms for passages at
        100k against 1 ms unfiltered); fetching a small scope's vectors by id and scoring them
        here costs a few milliseconds, and is exact where the index is approximate.
        """
        ids = [snap.passages[i].id for i in members]
        key = members.tobytes()
        vectors = snap.scope_vectors.get(key)
        if vectors is None:  # a scope is usually searched again (the app's filters): keep its vectors
            vectors = self._vectors(snap, members)
            with self._lock:
                snap.scope_vectors[key] = vectors
                while len(snap.scope_vectors) > SCOPES_KEPT:
                    snap.scope_vectors.pop(next(iter(snap.scope_vectors)))
        out: dict[int, float] = {}
        for i, pid in zip(members, ids, strict=True):
            if pid not in vectors:
                continue
            passage_vector, sentence_vectors = vectors[pid]
            passage_sim = float(passage_vector @ vector)
            sentence_sim = float((sentence_vectors @ vector).max()) if len(sentence_vectors) else passage_sim
            out[int(i)] = _blend(passage_sim, sentence_sim)
        return out

    def _vectors(self, snap: Snapshot, members) -> dict[str, tuple]:
        """Passage id -> (passage vector, sentence vectors) for these snapshot positions, read by id."""
        return self.store.vectors_by_id([snap.passages[i].id for i in members],
                                        [snap.sentence_span(int(i)) for i in members])

    def _lexical(self, snap: Snapshot, query: str, allowed) -> dict[int, float]:
        tokens = tokenize([query])[0]
        if not tokens:
            return {}
        scores = np.zeros(len(snap.passages))
        if len(snap.lexical_rows):
            scores[snap.lexical_rows] = snap.bm25.get_scores(tokens)
        if allowed is not None:
            scores = np.where(allowed, scores, 0.0)
        top = np.argpartition(-scores, min(CANDIDATES, len(scores) - 1))[:CANDIDATES]
        return {int(i): float(scores[i]) for i in top if scores[i] > 0}

    @staticmethod
    def _fuse(
        snap: Snapshot, dense: dict[int, float], lexical: dict[int, float], k: int, allowed: np.ndarray | None = None
    ) -> list[Hit]:
        """Weighted reciprocal rank fusion; BM25's ranking votes with LEXICAL_WEIGHT. A question's
        answer ranks at least where the question would have ranked unshifted: an answer often
        leaves out the words of the question it answers ("Lorna, if the council goes ahead, what
        would you want to see?" / "At minimum, it should cut retention to thirty days ...")."""
        fused: dict[int, float] = defaultdict(float)
        asked: dict[int, float] = defaultdict(float)
        for weight, ranking in ((1.0, dense), (LEXICAL_WEIGHT, lexical)):
            for rank, i in enumerate(sorted(ranking, key=ranking.get, reverse=True)):
                fused[i] += weight / (RRF_K + rank + 1 + QUESTION_SHIFT * snap.asks[i])
                if snap.asks[i]:
                    asked[i] += weight / (RRF_K + rank + 1)
        for i, score in asked.items():
            answer = snap.answers.get(i)
            if answer is not None and (allowed is None or allowed[answer]):
                fused[answer] = max(fused[answer], score)
        best = sorted((i for i in fused if allowed is None or allowed[i]), key=fused.get, reverse=True)[:k]
        return [
            Hit(
                passage=snap.passages[i].model_copy(update={"score": round(fused[i], 6)}),
                fused=fused[i],
                dense=dense.get(i, 0.0),
                lexical=lexical.get(i, 0.0),
            )
            for i in best
        ]


def _blend(passage_sim: float, sentence_sim: float) -> float:
    return PASSAGE_WEIGHT * passage_sim + (1 - PASSAGE_WEIGHT) * sentence_sim


def unit(vector: np.ndarray) -> np.ndarray:
    return vector / max(float(np.linalg.norm(vector)), 1e-12)


def interleave(groups: list[list[Hit]], k: int) -> list[Hit]:
    """Round-robin over groups (one per author), so no author crowds out the others; each round
    starts with the group whose best passage is closest to the question, which leads the answer."""
    out: list[Hit] = []
    seen: set[str] = set()
    groups = sorted(groups, key=lambda g: -g[0].dense if g else 0.0)
    for rank in range(max((len(g) for g in groups), default=0)):
        for group in groups:
            if rank < len(group) and group[rank].passage.id not in seen:
                out.append(group[rank])
                seen.add(group[rank].passage.id)
    return out[:k]


def diversify(hits: list[Hit], k: int, penalty: int = AUTHOR_PENALTY, floor: float = 0.0) -> list[Hit]:
    """Re-rank so that each passage already taken from an author (or unsigned article)
    moves that author's next passage `penalty` ranks down: a much stronger second
    passage still beats a weak first passage of someone else. Passages below `floor` (the
    corpus's off-topic similarity, `grounding`) are no voice on the question: they are never
    promoted, and only fill what the others leave."""
    relevant = [h for h in hits if h.dense >= floor]
    taken: dict[str, int] = defaultdict(int)
    effective = []
    for rank, hit in enumerate(relevant):  # hits are best first, so an author's picks come in order
        voice = _voice(hit.passage)
        effective.append((rank + penalty * taken[voice], rank, hit))
        taken[voice] += 1
    ranked = [hit for _, _, hit in sorted(effective, key=lambda e: e[:2])]
    return (ranked + [h for h in hits if h.dense < floor])[:k]


def _holds(p: Passage, quotation: Passage) -> bool:
    """`p` is a writer's passage holding `quotation`'s words."""
    return (p.kind != "quote" and p.article_id == quotation.article_id
            and p.start <= quotation.start <= quotation.end <= p.end)


def _unquoted(snap: Snapshot, scores: dict[int, float]) -> dict[int, float]:
    """`scores` without the passages of words a writer quotes (index.quotations)."""
    return {i: v for i, v in scores.items() if snap.kinds[i] != "quote"}


def _voice(p: Passage) -> str:
    return p.author or p.article_id


def plan_search(
    retriever: HybridRetriever,
    plan: QueryPlan,
    k: int,
    kinds: tuple[str, ...] = ("body", "bio"),
    vector: np.ndarray | None = None,
    floor: float = 0.0,
) -> list[Hit]:
    """Search following the question's plan (`floor`: the similarity below which a passage is
    off-topic for this corpus, see `diversify`).

    - Named authors each get their own quota, so none crowds out the others.
    - A summary request ("Summarize Acton's argument") names no topic: its query is
      pulled towards the centroid of the scope, so the most central passages come first,
      and BM25 (which would match the word "argument") stays out.
    - A request for counterpoints searches with the claim *and* its negation: evidence
      against a claim is phrased like its denial more than like the claim.
    - A comparison without names spreads the results over authors (soft diversity).
    """
    vector = retriever.encode_query(plan.text) if vector is None else vector
    query = plan.text
    if plan.summary and (plan.authors or plan.article_ids or not plan.topic):
        # The gist of a scope (an author, an article) is near its centroid. A request naming no topic
        # ("Summarize Acton's argument") keeps only that direction: the words of its form would only
        # pull towards passages using them. A topical summary of no scope is a topic search.
        centroid = retriever.scope_centroid(plan.authors or None, plan.article_ids or None)
        if centroid.size and not plan.topic:
            vector, query, kinds = centroid, "", ("body",)
        elif centroid.size:
            vector, kinds = unit(vector + SUMMARY_CENTROID * centroid), ("body",)
    elif plan.counter:
        vector = unit(vector + retriever.encode_query(negate(plan.text)))
        kinds = ("body",)
    own_kinds = kinds  # the texts' own passages, without the words they quote
    if plan.authors:  # a person the question names is heard in the words others quote too
        kinds = (*kinds, "quote")
    filters = {"article_ids": plan.article_ids or None, "vector": vector, "kinds": kinds}
    if others := voices_beside(retriever, plan):
        groups = [retriever.search(query, k, authors=plan.authors, **filters),
                  retriever.search(query, k, authors=others, **filters)]
        return quotations_first(interleave(groups, k))
    # Someone heard only in quotations: their words, and what the texts say about the question (the
    # writer reports the rest: a minute's "Cllr Marsh-Whitley said that ...").
    quoted_only = set(plan.authors) & retriever.snapshot().roster.only_quoted
    reported = [retriever.search(query, k, **(filters | {"kinds": own_kinds}))] if quoted_only else []
    if len(plan.authors) > 1:
        groups = [retriever.search(query, k, authors=[a], **filters) for a in plan.authors]
        return quotations_first(interleave(groups + reported, k))
    if quoted_only:
        return quotations_first(interleave([retriever.search(query, k, authors=plan.authors, **filters), *reported], k))
    authors = plan.authors or None
    if plan.compare or plan.counter:
        penalty = COUNTER_PENALTY if plan.counter else AUTHOR_PENALTY
        return diversify(retriever.search(query, k * 4, authors=authors, **filters), k, penalty, floor)
    return quotations_first(retriever.search(query, k, authors=authors, **filters))


# A comparison of two parties the question pairs: "How do the campaigner and the chief inspector disagree".
_PAIRED = re.compile(r"(?:^|\b(?:do|does|did|are|were)\s+)\S.{0,80}?\s+and\s+\S.{0,80}?\s+"
                     r"(?:disagree|differ|agree|compare|clash|part ways|split)\b", re.IGNORECASE)


def voices_beside(retriever: HybridRetriever, plan: QueryPlan) -> list[str]:
    """For a comparison pairing the one person it names with a party it only describes ("How do the
    campaigner and the chief inspector disagree?"), the other voices of the debate, interview or
    profile that person is heard in: the other side is among them. Else []."""
    if not (plan.compare and len(plan.authors) == 1 and not plan.article_ids and _PAIRED.search(plan.question)):
        return []
    snap = retriever.snapshot()
    person = plan.authors[0]
    articles = {snap.passages[i].article_id for i in snap.by_author.get(person, [])}
    return sorted({p.author for a in articles for i in snap.by_article[a]
                   if (p := snap.passages[i]).author and p.author != person})


def quotations_first(hits: list[Hit]) -> list[Hit]:
    """A quotation found with the writer's passage that holds it comes first: the same words, said
    by the person quoted (index.quotations)."""
    out = list(hits)
    for hit in hits:
        q = hit.passage
        if q.kind != "quote":
            continue
        holder = next((i for i, h in enumerate(out) if _holds(h.passage, q)), None)
        if holder is not None and holder < out.index(hit):
            out.remove(hit)
            out.insert(holder, hit)
    return out
