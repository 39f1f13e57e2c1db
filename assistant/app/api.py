"""The app's operations, shared by the UI events and the named API endpoints.

Each method takes plain values (strings, lists) and returns models or JSON-ready dicts, so the
Gradio layer in `views.py` stays a thin layer of wiring.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from assistant.app.render import article_label, render_answer, renumber_positions
from assistant.compose.local_model import display_name
from assistant.core import Assistant, UsageError
from assistant.models import Answer, Citation, Counterpoints, Passage, Position, Positions, Sources, Summary, voiced_by
from assistant.retrieval.conversation import History

log = logging.getLogger(__name__)
Names = list[str] | None


class FeatureMissing(UsageError):
    """A job whose library method is not available in this build."""


def normalise_history(history: Any) -> list[dict[str, str]]:
    """Accepts [[user, assistant], ...] pairs or [{"role", "content"}, ...] messages."""
    turns: list[dict[str, str]] = []
    for item in history or []:
        if isinstance(item, dict) and item.get("role") in ("user", "assistant"):
            turns.append({"role": item["role"], "content": _text(item.get("content"))})
        elif isinstance(item, list | tuple) and len(item) == 2:
            turns += [{"role": "user", "content": _text(item[0])}, {"role": "assistant", "content": _text(item[1])}]
    return [t for t in turns if t["content"]]


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # Gradio content blocks
        return " ".join(_text(c) for c in content)
    if isinstance(content, dict):
        return str(content.get("text") or "")
    return "" if content is None else str(content)


class AppAPI:
    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant

    @property
    def model_name(self) -> str:
        settings = self.assistant.settings
        return display_name(settings) if settings.llm_enabled else ""

    # -- filters -----------------------------------------------------------------------
    def scoped(self, authors: list[str] | None = None, articles: list[str] | None = None) -> Assistant:
        """The assistant restricted to these authors and/or articles (no filter: the whole corpus)."""
        if not authors and not articles:
            return self.assistant
        return self.assistant.scoped(authors=list(authors or []), articles=list(articles or []))

    def people(self) -> list[str]:
        return self.assistant.people()

    def article_choices(self) -> list[tuple[str, str]]:
        """(label a person reads, article id) for the article pickers."""
        return [(article_label(a), a.id) for a in sorted(self.assistant.articles(), key=article_label)]

    def scope_label(self, scope: str) -> str:
        """A summary's scope as a person reads it: "article:<id>" becomes the article's title and author."""
        kind, _, name = scope.partition(":")
        if kind != "article":
            return name or "whole corpus"
        try:
            return article_label(self.assistant.article(name))
        except UsageError:
            return name  # deleted since

    # -- chat ----------------------------------------------------------------------------
    def stream(
        self, question: str, history: History = None, authors: Names = None, articles: Names = None
    ) -> Iterator[Sources | str | Answer]:
        yield from self.scoped(authors, articles).stream(question, normalise_history(history))

    def ask(
        self, question: str, history: History = None, authors: Names = None, articles: Names = None
    ) -> tuple[str, dict]:
        answer = self.scoped(authors, articles).ask(question, normalise_history(history))
        positions = self.compare_positions(answer, authors, articles)
        return render_answer(answer, self.model_name, positions), answer.model_dump()

    def compare_positions(self, answer: Answer, authors: Names = None, articles: Names = None) -> list[Position]:
        """For a question comparing authors, the positions table shown inside the answer
        (citations numbered after the answer's own)."""
        assistant = self.scoped(authors, articles)
        if not answer.grounded or not hasattr(assistant, "positions"):
            return []
        plan = assistant.plan(answer.question)
        if not plan.compare or len(plan.authors) == 1:
            return []
        try:
            found = self._positions(assistant, answer.question)
        except Exception as exc:  # the answer itself stands; the table is a bonus
            log.warning("positions table failed: %s", exc)
            answer.notices.append(f"Positions table unavailable: {exc}")
            return []
        return renumber_positions(found, max((c.n for c in answer.citations), default=0))

    # -- jobs ----------------------------------------------------------------------------
    def positions(self, question: str, authors: Names = None, articles: Names = None) -> list[Position]:
        return self._positions(self.scoped(authors, articles), question)

    def positions_report(self, question: str, authors: Names = None, articles: Names = None) -> Positions:
        """Positions with mode and notices, for the Positions view."""
        assistant = self.scoped(authors, articles)
        if hasattr(assistant, "positions_report"):
            report: Positions = assistant.positions_report(question)
        else:
            report = Positions(question=question, positions=_call(assistant, "positions", question))
        report.positions = _within_scope(assistant, report.positions)
        return report

    @staticmethod
    def _positions(assistant: Assistant, question: str) -> list[Position]:
        return _within_scope(assistant, list(_call(assistant, "positions", question)))

    def summarize(self, article: str | None = None, author: str | None = None, topic: str | None = None) -> Summary:
        return _call(self.assistant, "summarize", article=article or None, author=author or None,
                     topic=topic or None)

    def counter(self, claim: str, authors: Names = None, articles: Names = None) -> Counterpoints:
        assistant = self.scoped(authors, articles)
        result: Counterpoints = _call(assistant, "counter", claim)
        keep = _passage_filter(assistant.scope_authors, assistant.scope_articles)
        result.counterpoints = [c for c in result.counterpoints if keep(c.passage)]
        result.supporting = [c for c in result.supporting if keep(c.passage)]
        result.undetermined = [c for c in result.undetermined if keep(c.passage)]
        return result

    def search(self, query: str, k: int = 5, author: str | None = None, article: str | None = None) -> list[Passage]:
        return self.assistant.search(query, k=int(k), author=author or None, article=article or None)

    def citation(self, data: dict) -> Citation:
        return Citation.model_validate(data)


def _call(assistant: Assistant, method: str, *args, **kwargs):
    fn = getattr(assistant, method, None)
    if fn is None:
        raise FeatureMissing(f"{method} is not available in this build yet")
    return fn(*args, **kwargs)


def _within_scope(assistant: Assistant, positions: list[Position]) -> list[Position]:
    """Positions kept within the assistant's filters, whoever computed them."""
    if assistant.scope_authors:
        positions = [p for p in positions if voiced_by(p.author, assistant.scope_authors)]
    if assistant.scope_articles:
        for p in positions:
            p.citations = [c for c in p.citations if c.passage.article_id in assistant.scope_articles]
    return positions


def _passage_filter(authors: list[str] | None, articles: list[str] | None):
    def keep(p: Passage) -> bool:
        return (not authors or voiced_by(p.author, authors)) and (not articles or p.article_id in articles)

    return keep
