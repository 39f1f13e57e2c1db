"""The corpus metadata file (`articles.toml` beside the articles).

It fills and overrides what an article's text does not say: a stable id, title,
authors (an empty list means "unknown", never guessed), outlet, date and url.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import tomli_w
from pydantic import BaseModel, Field

METADATA_FILE = "articles.toml"


class ArticleMeta(BaseModel):
    file: str
    id: str | None = None
    title: str | None = None
    authors: list[str] | None = Field(None, description="None: not stated; []: unknown")
    outlet: str = ""
    date: str = ""
    url: str = ""


def slugify(text: str, max_words: int = 8) -> str:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return "-".join(words[:max_words]) or "article"


def load_metadata(folder: Path) -> dict[str, ArticleMeta]:
    """File name -> metadata, from `folder/articles.toml` (empty when absent)."""
    path = folder / METADATA_FILE
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path}: invalid TOML: {exc}") from exc
    entries = [ArticleMeta(**entry) for entry in data.get("article", [])]
    return {entry.file: entry for entry in entries}


def save_metadata(folder: Path, entries: dict[str, ArticleMeta]) -> None:
    """Write the metadata file atomically (a crash leaves the old file intact)."""
    rows = [
        {k: v for k, v in entry.model_dump().items() if v is not None}
        for entry in sorted(entries.values(), key=lambda e: e.file)
    ]
    path = folder / METADATA_FILE
    tmp = path.with_suffix(".toml.tmp")
    tmp.write_text(tomli_w.dumps({"article": rows}), encoding="utf-8")
    tmp.replace(path)


def overlay(entry: ArticleMeta | None, own: ArticleMeta) -> ArticleMeta:
    """The article's metadata: each field the articles.toml `entry` states wins over the file's
    `own` metadata (an empty authors list there means "unknown" and wins too)."""
    if entry is None:
        return own
    stated = {k: v for k, v in entry.model_dump().items() if v not in (None, "")}
    return own.model_copy(update=stated)
