"""What a job may use: the narrow context the `Assistant` hands to positions, summaries and
counter, so the jobs never import the Assistant that calls them (no import circle)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from assistant.compose.llm import ChatModel
    from assistant.models import Article
    from assistant.retrieval.hybrid import Hit, HybridRetriever
    from assistant.retrieval.query import QueryPlan
    from assistant.settings import Settings
    from index.embeddings import Embedder


class JobContext(Protocol):
    """The index, the models and the query planner, as one question's scope sees them."""

    settings: Settings

    @property
    def retriever(self) -> HybridRetriever: ...

    @property
    def embedder(self) -> Embedder: ...

    @property
    def chat(self) -> ChatModel: ...

    def plan(self, question: str) -> QueryPlan: ...

    def is_grounded(self, hits: list[Hit], plan: QueryPlan) -> bool: ...

    def article(self, article_id: str) -> Article: ...

    def article_texts(self) -> dict[str, str]: ...

    def resolve_author(self, name: str) -> str: ...
