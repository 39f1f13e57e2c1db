"""A chat assistant over opinion articles: cited, verbatim, speaker-attributed answers.

`Assistant` is imported lazily: `index/` imports `assistant.models` and
`assistant.settings`, and must not pull in the retrieval stack that depends on it.
"""

from .models import (
    Answer,
    Article,
    Citation,
    Counterpoints,
    EvidenceCard,
    IndexReport,
    Passage,
    Position,
    Summary,
)
from .settings import Settings

__all__ = [
    "Answer",
    "Article",
    "Assistant",
    "Citation",
    "Counterpoints",
    "EvidenceCard",
    "IndexReport",
    "Passage",
    "Position",
    "Settings",
    "Summary",
    "UsageError",
]


def __getattr__(name: str):
    if name in {"Assistant", "UsageError"}:
        from assistant import core

        return getattr(core, name)
    raise AttributeError(name)
