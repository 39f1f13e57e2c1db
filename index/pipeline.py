"""One file in, one Article and its Passages out: read → clean → attribute → chunk."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from assistant.models import Article, Passage

from .attribution import Attribution, attribute
from .chunking import chunk_segments, make_splitter
from .cleaning import CleanedText, clean
from .injection import default_encoder, detect
from .metadata import ArticleMeta, overlay, slugify
from .people import is_institution
from .quotations import quote_segments
from .readers import ReadError, read_document
from .turns import surname

# Bump when reading, cleaning, attribution, chunking or injection flags change, so that re-indexing redoes every file.
PIPELINE_VERSION = "34"


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
    """Build an article and its passages; raises ReadError for unusable files.

    Metadata precedence: the articles.toml entry `meta`, then the file's own metadata, then
    what the text says (bylines, bio lines, speaker turns)."""
    document = read_document(path)
    cleaned = clean(document.text, title=overlay(meta, document.meta).title)
    own = _byline_over_stamped_authors(document.meta, cleaned) if document.stamped_authors else document.meta
    known = overlay(meta, own)
    if not cleaned.paragraphs:
        raise ReadError("no article text left after removing page furniture")
    title = known.title or cleaned.title or ""
    attribution = _without_institutions(
        attribute(cleaned.paragraphs, cleaned.byline_names, known.authors, title=title or None,
                  bylines=cleaned.bylines)
    )
    article = Article(
        id=article_id_for(path, meta, title),
        title=title,
        authors=attribution.authors,
        outlet=known.outlet,
        date=known.date,
        url=known.url,
        source=str(path),
        text=cleaned.text,
        content_hash=digest,
        speakers=attribution.speakers,
        form=attribution.form,
        unnamed_speakers=attribution.unnamed,
        credentials=attribution.credentials,
        dropped=cleaned.dropped,
        words_kept=cleaned.words_kept,
        words_dropped=cleaned.words_dropped,
        flags=detect(cleaned.text, default_encoder()),
    )
    splitter = make_splitter()
    # Quotations are extra passages beside the writer's (after them: the writer's passage ids stay).
    chunks = [*chunk_segments(article.text, attribution.segments, splitter),
              *chunk_segments(article.text, quote_segments(cleaned.paragraphs, attribution.segments), splitter)]
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
            flags=[f for f in article.flags if f.overlaps(chunk.start, chunk.end)],
        )
        for n, chunk in enumerate(chunks)
    ]
    if not passages:
        raise ReadError("no passages could be made from the text")
    return article, passages


def _byline_over_stamped_authors(own: ArticleMeta, cleaned: CleanedText) -> ArticleMeta:
    """The file's tool-stamped authors unless the text disowns them: a Word or PDF "Author" naming
    someone the text never mentions by any name, on a text whose byline names its writers, is
    whoever typed or exported the file; the byline is the article's."""
    if own.authors and cleaned.byline_names and not any(_mentions(cleaned.text, a) for a in own.authors):
        return own.model_copy(update={"authors": None})
    return own


def _mentions(text: str, person: str) -> bool:
    """Whether `text` names `person` by surname or first name (a newsletter signed "Hollis")."""
    names = {surname(person), person.split()[0].upper()}
    return any(re.search(rf"\b{re.escape(name)}\b", text, re.IGNORECASE) for name in names)


def _without_institutions(attribution: Attribution) -> Attribution:
    """An institution found as a byline or a turn label is the outlet, never a person: it is
    nobody's author and no passage's speaker. A role's turn label ("THE COURT:", "The CHAIRMAN.")
    is a voice of the transcript (an unnamed speaker), not an institution."""
    def institution(name: str) -> bool:
        return is_institution(name) and name not in attribution.unnamed

    for segment in attribution.segments:
        if segment.author and institution(segment.author):
            segment.author = None
    attribution.authors = [a for a in attribution.authors if not is_institution(a)]
    attribution.speakers = [s for s in attribution.speakers if not institution(s)]
    return attribution
