"""The Assistant: the one library API that the CLI, the app and the checks call."""

from __future__ import annotations

import copy
import logging
import threading
from collections.abc import Iterator
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.compose import extractive
from assistant.errors import UsageError
from assistant.models import (
    Answer,
    Article,
    Citation,
    Counterpoints,
    GroundingCalibration,
    IndexReport,
    Passage,
    Position,
    Positions,
    Sources,
    Summary,
)
from assistant.retrieval import grounding
from assistant.retrieval.conversation import History, history_turns
from assistant.retrieval.hybrid import Hit, HybridRetriever, plan_search
from assistant.retrieval.query import QueryPlan, follow_up_question, plan_query, position
from assistant.settings import Settings
from index.embeddings import Embedder, load_embedder
from index.lock import LOCK_FILE
from index.store import Store

if TYPE_CHECKING:
    import numpy as np

    from assistant.compose.llm import ChatModel
    from assistant.retrieval.speakers import Speaker
    from index.builder import Progress

log = logging.getLogger(__name__)

# Up to five quotes (each passage within 0.2 of the best, `extractive.close_to_best`): on the check sets
# gold spans quoted rise with them (heldout3 0.69 -> 0.81, general_heldout 0.40 -> 0.48 from three).
ANSWER_PASSAGES = 5
COMPARE_PASSAGES = 6
LLM_PASSAGES = 5  # a model can weigh more context than an extractive answer shows
LLM_COMPARE_PASSAGES = 8
FALLBACK_SEPARATOR = "\n\n---\n_The language model's answer could not be used; extractive answer below._\n\n"


class Assistant:
    def __init__(self, settings: Settings | None = None, *, auto_index: bool = True) -> None:
        self.settings = settings or Settings()
        self.auto_index = auto_index
        self._indexed_once = False
        self._ready_lock = threading.Lock()
        self._ready_done = threading.Event()
        self.scope_authors: list[str] = []  # filters set by scoped(): questions stay within them
        self.scope_articles: list[str] = []

    # -- components, built on first use --------------------------------------------------
    @cached_property
    def store(self) -> Store:
        return Store.open(self.settings)

    @cached_property
    def embedder(self) -> Embedder:
        return load_embedder(self.settings.embed_model)

    def warm_up(self) -> None:
        """Load the embedding model and run it once, so the first question does not pay for it."""
        self.embedder.encode(["warm up"])

    @cached_property
    def retriever(self) -> HybridRetriever:
        return HybridRetriever(self.store, self.embedder)

    def _ready(self) -> None:
        """Build the index from the default corpus on first use of an empty store.

        Callers arriving while that first build runs (the app warms up in a thread while
        it already serves) wait for it instead of reading a half-built index.
        """
        if self._ready_done.is_set() or not self.auto_index:
            return
        with self._ready_lock:
            if self._ready_done.is_set():
                return
            if not self._indexed_once and not self.store.articles.count() and Path(self.settings.corpus).is_dir():
                log.info("empty index: building it from %s", self.settings.corpus)
                self.index()
            self._ready_done.set()

    # -- indexing -------------------------------------------------------------------------
    @property
    def lock_path(self) -> Path:
        """The index's writer lock file (see `index.lock`)."""
        path = Path(self.settings.data) / LOCK_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def index(
        self, paths: list[Path] | None = None, rebuild: bool = False, progress: Progress | None = None
    ) -> IndexReport:
        paths = [Path(p) for p in paths] if paths else [Path(self.settings.corpus)]
        for path in paths:
            if not path.exists():
                raise UsageError(f"no such file or directory: {path}")
        self._indexed_once = True
        from index.builder import build  # not at import time: serving a built index never needs it

        report = build(self.store, self.embedder, paths, rebuild=rebuild, lock_path=self.lock_path, progress=progress)
        return report

    # -- reading --------------------------------------------------------------------------
    def articles(self) -> list[Article]:
        self._ready()
        return list(self.retriever.snapshot().articles.values())

    def article(self, article_id: str) -> Article:
        self._ready()
        article = self.retriever.snapshot().articles.get(article_id)
        if article is None:
            known = ", ".join(sorted(self.retriever.snapshot().articles)) or "none indexed"
            raise UsageError(f"unknown article id {article_id!r} (known: {known})")
        return article

    def people(self) -> list[str]:
        self._ready()
        return self.retriever.snapshot().people

    def resolve_author(self, name: str) -> str:
        """A person's full name from a full name or surname, case-insensitively."""
        people = self.people()
        wanted = name.strip().lower()
        hits = [p for p in people if wanted in (p.lower(), p.split()[-1].lower())]
        if len(hits) != 1:
            raise UsageError(f"unknown author {name!r} (known: {', '.join(people) or 'none'})")
        return hits[0]

    def article_texts(self) -> dict[str, str]:
        return {a.id: a.text for a in self.retriever.snapshot().articles.values()}

    # -- search ---------------------------------------------------------------------------
    def plan(self, question: str) -> QueryPlan:
        snap = self.retriever.snapshot()
        plan = plan_query(question, snap.roster, list(snap.articles.values()), snap.common_words)
        # A person known only from a byline, with no passage attributed to them, filters to their
        # articles: as an author filter they would leave nothing to search.
        bylined = [a for a in plan.authors if a not in snap.by_author]
        if bylined:
            plan.authors = [a for a in plan.authors if a in snap.by_author]
            plan.article_ids = plan.article_ids or [
                art.id for art in snap.articles.values() if set(art.authors) & set(bylined)]
        if plan.summary and plan.article_ids and not plan.authors:
            # What an article says is its authors' words, not the questions put to them (a briefing's
            # reporters, an interviewer) nor other voices it carries; a dialogue's speakers are all its authors.
            scope = [snap.articles[i] for i in plan.article_ids if i in snap.articles]
            own = [p for a in scope for p in a.principals if p in snap.by_author]
            if own and {s for a in scope for s in a.speakers} - set(own):
                plan.authors = own
        if self.scope_authors:
            plan.authors = [a for a in plan.authors if a in self.scope_authors] or list(self.scope_authors)
        if self.scope_articles:
            plan.article_ids = [i for i in plan.article_ids if i in self.scope_articles] or list(self.scope_articles)
        return plan

    def scoped(self, authors: list[str] | None = None, articles: list[str] | None = None) -> Assistant:
        """A view sharing this assistant's index whose questions and jobs stay within these
        authors and/or article ids (the app's filters)."""
        view = copy.copy(self)
        view.scope_authors = [self.resolve_author(a) for a in authors or []]
        view.scope_articles = [self.article(a).id for a in articles or []]
        return view

    def delete_article(self, article_id: str) -> str:
        """Remove an article from the index; its corpus file moves to `<corpus>/.trash/`."""
        from assistant.library import delete_article

        return delete_article(self, article_id)

    def search(
        self, query: str, k: int = 5, author: str | None = None, article: str | None = None
    ) -> list[Passage]:
        return [h.passage for h in self.search_hits(query, k, author, article)]

    def search_hits(
        self, query: str, k: int = 5, author: str | None = None, article: str | None = None
    ) -> list[Hit]:
        query = _require_text(query, "query")
        if k < 1:
            raise UsageError("k must be at least 1")
        self._ready()
        plan = self.plan(query)
        if author:
            plan.authors = [self.resolve_author(author)]
            plan.compare = False
        if article:
            plan.article_ids = [self.article(article).id]
        return self.plan_search(plan, k)

    def plan_search(self, plan: QueryPlan, k: int, vector: np.ndarray | None = None) -> list[Hit]:
        """`hybrid.plan_search` with this index's off-topic floor (`grounding`)."""
        return plan_search(self.retriever, plan, k, vector=vector, floor=grounding.topic_floor(self.retriever))

    # -- answers --------------------------------------------------------------------------
    def ask(self, question: str, history: History = None) -> Answer:
        """The final Answer of `stream` (sources and text deltas are not kept)."""
        answer = None
        for item in self.stream(question, history):
            if isinstance(item, Answer):
                answer = item
        assert answer is not None
        return answer

    def stream(self, question: str, history: History = None) -> Iterator[Sources | str | Answer]:
        """Text as it is produced, then the final Answer (extractive answers come whole).

        With a language model configured: a follow-up is condensed with `history`, the
        retrieved passages come first (`Sources`, as soon as retrieval is done), the model's
        answer streams, and the final Answer is citation-enforced; any endpoint failure gives
        the extractive answer for the same question, with a notice.
        """
        question = _require_text(question, "question")
        self._ready()
        if self.settings.llm_enabled:
            yield from self._llm_stream(question, history)
            return
        standalone = self._offline_follow_up(question, history)
        answer = self.extractive_answer(standalone)
        if standalone != question:
            answer.question = question
            answer.notices.insert(0, f"Follow-up read as: \u201c{standalone}\u201d")
        yield answer.answer
        yield answer

    def _offline_follow_up(self, question: str, history: History) -> str:
        previous = [text for role, text in history_turns(history) if role == "user"]
        return follow_up_question(question, previous, self.people())

    # -- language-model answers -----------------------------------------------------------
    @cached_property
    def chat(self) -> ChatModel:
        from assistant.compose.llm import ChatModel

        return ChatModel(self.settings)

    def _llm_stream(self, question: str, history: History) -> Iterator[Sources | str | Answer]:
        from assistant.compose import llm

        standalone, shown = question, False
        try:
            if history:
                standalone = llm.condense(self.chat, question, history)
            plan = self.plan(standalone)
            hits = self.llm_hits(plan)
            if not self.is_grounded(hits, plan):
                yield from self._not_addressed(question, standalone)
                return
            passages = llm.answer_passages(self.settings, [h.passage for h in hits])
            yield Sources(question=standalone, passages=passages)  # retrieval never waits on the model
            for item in llm.compose_stream(
                self.chat, standalone, passages, self.article_texts(), self.embedder.encode, self.people()
            ):
                if isinstance(item, str):
                    shown = True
                    yield item
                    continue
                item.question = question
                if standalone != question:
                    item.notices.insert(0, f"Follow-up read as: \u201c{standalone}\u201d")
                yield item
        except Exception as exc:  # any endpoint failure, whatever its type, falls back
            yield from self._llm_fallback(question, standalone, exc, shown)

    def llm_hits(self, plan: QueryPlan) -> list[Hit]:
        """The passages a model answer is written from (more than an extractive answer shows)."""
        k = LLM_COMPARE_PASSAGES if plan.compare and len(plan.authors) != 1 else LLM_PASSAGES
        return self.plan_search(plan, k)

    def _not_addressed(self, question: str, standalone: str) -> Iterator[str | Answer]:
        # Nothing relevant was retrieved: the model is not asked, so it cannot improvise.
        answer = self.extractive_answer(standalone)
        answer.question, answer.mode = question, "llm"
        answer.notices = ["No passage is relevant enough to answer; the language model was not asked."]
        yield answer.answer
        yield answer

    def _llm_fallback(self, question: str, standalone: str, exc: Exception, shown: bool) -> Iterator[str | Answer]:
        from assistant.compose.llm import LLMError, describe

        reason = describe(exc)
        log.warning("language model failed (%s): extractive answer shown", reason,
                    exc_info=not isinstance(exc, LLMError))
        answer = self.extractive_answer(standalone)
        answer.question = question
        answer.notices = [f"Language model failed ({reason}); extractive answer shown instead."] + [
            n for n in answer.notices if n != extractive.EXTRACTIVE_NOTICE
        ]
        if standalone != question:  # the model's rewrite of a follow-up still says what was answered
            answer.notices.insert(0, f"Follow-up read as: \u201c{standalone}\u201d")
        yield (FALLBACK_SEPARATOR if shown else "") + answer.answer
        yield answer

    def extractive_answer(self, question: str) -> Answer:
        plan = self.plan(question)
        k = COMPARE_PASSAGES if plan.compare and (len(plan.authors) != 1) else ANSWER_PASSAGES
        vector = self.retriever.encode_query(plan.text)
        hits = self.plan_search(plan, k, vector=vector)
        view = None
        if extractive.asks_for_views(question, plan.compare):
            from assistant.jobs import positions

            topic = positions.topic(plan.text)  # without comparison scaffolding, as positions searches
            topic_vector = vector if topic == plan.text else self.retriever.encode_query(topic)

            def view(speaker: Speaker) -> Citation | None:
                return positions.speaker_view(self, speaker, topic, topic_vector)

        return extractive.compose(
            question,
            hits,
            self.is_grounded(hits, plan),
            vector,
            self.retriever.sentence_encoder([h.passage for h in hits]),
            self.retriever.snapshot().articles,
            view,
        )

    # -- the three jobs (issue 4): thin delegations to their modules ---------------------
    def positions(self, question: str) -> list[Position]:
        return self.positions_report(question).positions

    def positions_report(self, question: str) -> Positions:
        """Positions with the mode and notices (what the CLI and the UI show)."""
        from assistant.jobs import positions

        question = _require_text(question, "question")
        self._ready()
        return positions.run(self, question)

    def summarize(self, article: str | None = None, author: str | None = None, topic: str | None = None) -> Summary:
        """A cited summary of one article, one author or the corpus; on `topic` within it, when given."""
        from assistant.jobs import summaries

        self._ready()
        return summaries.run(self, article=article, author=author, topic=topic)

    def counter(self, claim: str) -> Counterpoints:
        from assistant.jobs import counter

        claim = _require_text(claim, "claim")
        self._ready()
        return counter.run(self, claim)

    def grounding_calibration(self) -> GroundingCalibration | None:
        """How this index's questions are judged grounded (None for an empty index)."""
        self._ready()
        return grounding.calibration(self.retriever)

    def is_grounded(self, hits: list[Hit], plan: QueryPlan) -> bool:
        snap = self.retriever.snapshot()
        asked = plan.question or plan.text
        silent = grounding.silent_people(asked, snap.people, snap.article_names, snap.vocabulary)
        # The words of someone the corpus only mentions, asked before anyone it hears ("How did Cllr
        # Dana Fairbairn respond to Margaret Oyelaran's letter?" asks Fairbairn's answer).
        if silent and min(map(asked.find, silent)) < min((position(asked, a) for a in plan.authors),
                                                          default=len(asked)):
            return False
        bounds = grounding.calibration(self.retriever)
        return grounding.is_grounded(hits, plan.text, snap.vocabulary, plan.authors, bounds)


def _require_text(value: str, what: str) -> str:
    if value is None or not str(value).strip():
        raise UsageError(f"empty {what}")
    return str(value).strip()

