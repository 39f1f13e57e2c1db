"""One file in, one Article and its Passages out: read → clean → attribute → chunk."""

from __future__ import annotations

import hashlib
from pathlib import Path

from assistant.models import Article, Passage

from .attribution import attribute
from .chunking import chunk_segments, make_splitter
from .cleaning import clean
from .metadata import ArticleMeta, slugify
from .readers import ReadError, read_file

# Bump when cleaning, attribution or chunking change, so that re-indexing redoes every file.
PIPELINE_VERSION = "5"


def content_hash(data: bytes, meta: ArticleMeta | None) -> str:
    digest = hashlib.sha256(data)
    digest.update(PIPELINE_VERSION.encode())
    if meta is not None:
        digest.update(meta.model_dump_json().encode())
    return digest.hexdigest()


def article_id_for(path: Path, meta: ArticleMeta | None, title: str | None) -> str:
    if meta and meta.id:
        return meta.id
    return slugify(title or path.stem)


def prepare_article(path: Path, meta: ArticleMeta | None, digest: str) -> tuple[Article, list[Passage]]:
    """Build an article and its passages; raises ReadError for unusable files."""
    raw = read_file(path)
    cleaned = clean(raw, title=meta.title if meta else None)
    if not cleaned.paragraphs:
        raise ReadError("no article text left after removing page furniture")
    attribution = attribute(
        cleaned.paragraphs, cleaned.byline_names, meta.authors if meta else None,
        title=(meta.title if meta else None) or cleaned.title,
    )
    title = (meta.title if meta and meta.title else None) or cleaned.title or ""
    article = Article(
        id=article_id_for(path, meta, title),
        title=title,
        authors=attribution.authors,
        outlet=meta.outlet if meta else "",
        date=meta.date if meta else "",
        url=meta.url if meta else "",
        source=str(path),
        text=cleaned.text,
        content_hash=digest,
        speakers=attribution.speakers,
        credentials=attribution.credentials,
    )
    chunks = chunk_segments(article.text, attribution.segments, make_splitter())
    passages = [
        Passage(
            id=f"{article.id}:{digest[:10]}:{n}",
            article_id=article.id,
            title=article.title,
            author=chunk.author,
            authors=article.authors,
            outlet=article.outlet,
            date=article.date,
            kind=chunk.kind,
            text=article.text[chunk.start : chunk.end],
            start=chunk.start,
            end=chunk.end,
        )
        for n, chunk in enumerate(chunks)
    ]
    if not passages:
        raise ReadError("no passages could be made from the text")
    return article, passages
