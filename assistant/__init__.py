"""A chat assistant over opinion articles: cited, verbatim, speaker-attributed answers."""

from .core import Assistant, UsageError
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
