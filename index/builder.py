"""Incremental index builds: skip unchanged files, replace changed ones, remove deleted ones."""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.citations import sentences
from assistant.models import Article, FileError, IndexReport, Passage, Retention

from .embeddings import Embedder
from .lock import index_lock
from .metadata import METADATA_FILE, ArticleMeta, load_metadata
from .pipeline import content_hash, prepare_article
from .readers import SUPPORTED_SUFFIXES, ReadError, check_file
from .store import SentenceVectors, Store

log = logging.getLogger(__name__)

# progress(done, total, message): called while embedding, for the CLI bar and the UI bar.
Progress = Callable[[int, int, str], None]
EMBED_BATCH = 64
SKIPPED_NAMES = {METADATA_FILE, "README.md", "readme.md", "README.txt"}


@dataclass
class _Job:
    path: Path
    meta: ArticleMeta | None
    digest: str


def discover(paths: Iterable[Path], errors: list[FileError]) -> list[Path]:
    """Article files under `paths`; directory symlinks are not followed (no loops)."""
    found: list[Path] = []
    for root in paths:
        if root.is_file():
            found.append(root)
            continue
        if not root.is_dir():
            errors.append(FileError(path=str(root), error="no such file or directory"))
            continue
        for folder, dirs, files in os.walk(root, followlinks=False):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                path = Path(folder) / name
                if name in SKIPPED_NAMES or name.startswith("."):
                    continue
                if path.suffix.lower() in SUPPORTED_SUFFIXES:
                    found.append(path)
                else:
                    errors.append(FileError(path=str(path), error=f"unsupported file type {path.suffix or '(none)'}"))
    resolved: list[Path] = []
    for path in found:
        try:
            real = path.resolve()
        except (RuntimeError, OSError) as exc:  # a file symlink loop: a -> b -> a
            errors.append(FileError(path=str(path), error=f"unreadable: symlink loop ({exc})"[:200]))
            continue
        if path.is_symlink() and not real.exists():
            errors.append(FileError(path=str(path), error=f"unreadable: broken symlink (no file at {real})"))
            continue
        resolved.append(real)
    return list(dict.fromkeys(resolved))


def _plan(
    files: list[Path], stored: dict[str, Article], report: IndexReport
) -> tuple[list[_Job], set[str]]:
    """Which files need (re)building; records unchanged files, duplicates and read errors."""
    metadata: dict[Path, dict[str, ArticleMeta]] = {}
    by_source = {a.source: a for a in stored.values()}
    seen_content: dict[str, Path] = {}
    jobs: list[_Job] = []
    kept_sources: set[str] = set()
    # Already indexed files first: of two copies of one article, the indexed one stays.
    for path in sorted(files, key=lambda p: str(p) not in by_source):
        folder = path.parent
        try:
            if folder not in metadata:
                metadata[folder] = load_metadata(folder)
            check_file(path)  # empty or oversized files are refused before being read
            data = path.read_bytes()
        except (OSError, ValueError) as exc:
            report.errors.append(FileError(path=str(path), error=_reason(exc)))
            continue
        same = hashlib.sha256(b" ".join(data.split())).hexdigest()
        if same in seen_content:
            report.duplicates.append(FileError(path=str(path), error=f"same content as {seen_content[same]}"))
            continue
        seen_content[same] = path
        meta = metadata[folder].get(path.name)
        digest = content_hash(data, meta)
        previous = by_source.get(str(path))
        if previous and previous.content_hash == digest:
            report.unchanged += 1
            kept_sources.add(str(path))
        else:
            jobs.append(_Job(path, meta, digest))
    return jobs, kept_sources


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        return f"unreadable: {exc.strerror or exc}"
    return str(exc)


def build(
    store: Store,
    embedder: Embedder,
    paths: list[Path],
    *,
    rebuild: bool = False,
    lock_path: Path | None = None,
    progress: Progress | None = None,
) -> IndexReport:
    """Bring the store in line with the files under `paths`; safe to interrupt at any point."""
    with index_lock(lock_path):
        return _build(store, embedder, paths, rebuild, progress)


def _build(
    store: Store, embedder: Embedder, paths: list[Path], rebuild: bool, progress: Progress | None
) -> IndexReport:
    report = IndexReport()
    interrupted = store.begin_write()
    stored = {a.id: a for a in store.list_articles(with_text=False)}
    # --rebuild redoes every file but replaces the articles one at a time, like any update, and
    # drops the rest at the end: a crash mid-rebuild leaves each article old or new, never an
    # emptied index.
    previous = {} if rebuild else stored
    files = discover(paths, report.errors)
    jobs, kept_sources = _plan(files, previous, report)

    prepared: list[tuple[Article, list[Passage], bool]] = []
    taken_ids = {a.id: a.source for a in previous.values()}
    for n, job in enumerate(jobs):
        if progress:
            progress(n, len(jobs), f"reading {job.path.name}")
        try:
            article, passages = prepare_article(job.path, job.meta, job.digest)
        except ReadError as exc:
            report.errors.append(FileError(path=str(job.path), error=str(exc)))
            continue
        except OSError as exc:
            report.errors.append(FileError(path=str(job.path), error=_reason(exc)))
            continue
        except Exception as exc:  # never let one odd file stop the whole run
            log.exception("failed to process %s", job.path)
            report.errors.append(FileError(path=str(job.path), error=f"could not process: {type(exc).__name__}"))
            continue
        article, passages = _unique_id(article, passages, taken_ids)
        taken_ids[article.id] = article.source
        is_update = any(a.source == article.source for a in previous.values())
        prepared.append((article, passages, is_update))
        kept_sources.add(article.source)

    _embed_and_store(store, embedder, prepared, progress)
    for _, _, is_update in prepared:
        if is_update:
            report.updated += 1
        else:
            report.added += 1
    new_ids = {a.id for a, _, _ in prepared}
    rebuilt_sources = {a.source for a, _, _ in prepared}
    for article in stored.values():
        if article.id in new_ids:
            continue  # replaced in place by put_article
        if rebuild:
            store.delete_article(article.id)  # not rebuilt: the rebuilt index does not hold it
        elif article.source in rebuilt_sources:
            store.delete_article(article.id)  # same file, new id (metadata edit)
        elif article.source in kept_sources or _had_error(article.source, report):
            continue  # unchanged, or broken now: keep the last good version
        elif not Path(article.source).exists() or any(_is_under(Path(article.source), p) for p in paths):
            store.delete_article(article.id)
            report.removed += 1

    articles = store.list_articles(with_text=False)
    live = {a.id: a.content_hash for a in articles}
    if interrupted:  # a clean build leaves no garbage: each write replaces or deletes its own
        store.collect_garbage(live)
    store.end_write()
    if prepared or report.removed or rebuild:
        store.bump_generation()
    report.articles = len(live)
    report.retention = [
        Retention(article_id=a.id, path=a.source, words_kept=a.words_kept, words_dropped=a.words_dropped)
        for a in articles
    ]
    report.chunks = store.count_passages()
    return report


def _had_error(source: str, report: IndexReport) -> bool:
    """A file that still exists but failed to read keeps its previous version (nothing lost)."""
    return any(e.path == source for e in report.errors) and Path(source).exists()


def _is_under(path: Path, root: Path) -> bool:
    root = root.resolve()
    return root.is_dir() and root in path.parents


def _unique_id(article: Article, passages: list[Passage], taken: dict[str, str]) -> tuple[Article, list[Passage]]:
    """Two files may slug to the same id: suffix the later one rather than overwrite."""
    base, n = article.id, 2
    while article.id in taken and taken[article.id] != article.source:
        article = article.model_copy(update={"id": f"{base}-{n}"})
        n += 1
    if article.id == base:
        return article, passages
    fixed = [
        p.model_copy(update={"article_id": article.id, "id": p.id.replace(base, article.id, 1)}) for p in passages
    ]
    return article, fixed


def _embed_and_store(
    store: Store,
    embedder: Embedder,
    prepared: list[tuple[Article, list[Passage], bool]],
    progress: Progress | None,
) -> None:
    """Embed each article's passages and their sentences in large batches, then write it."""
    total = sum(len(ps) for _, ps, _ in prepared)
    done = 0
    if progress:
        progress(0, total, "embedding passages")
    for article, passages, _ in prepared:
        vectors = []
        for i in range(0, len(passages), EMBED_BATCH):
            batch = passages[i : i + EMBED_BATCH]
            vectors.append(embedder.encode([p.text for p in batch], batch_size=EMBED_BATCH))
            done += len(batch)
            if progress:
                progress(done, total, article.title or article.id)
        store.put_article(article, passages, np.vstack(vectors), _sentence_vectors(embedder, passages))


def _sentence_vectors(embedder: Embedder, passages: list[Passage]) -> SentenceVectors:
    """One vector per sentence: a question usually matches one sentence of a passage."""
    owners, authors, texts = [], [], []
    for p in passages:
        for sentence in sentences(p.text):
            owners.append(p.id)
            authors.append(p.author)
            texts.append(sentence)
    return SentenceVectors(owners, authors, embedder.encode(texts, batch_size=EMBED_BATCH))
