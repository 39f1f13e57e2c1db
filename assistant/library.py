"""Managing the corpus behind the index: uploads, deletions and metadata edits.

Uploads are written into the corpus folder (`ASSISTANT_CORPUS`) under a sanitised name after a
size and content check, then indexed. Deleting an article removes it from the index and moves
its file to `<corpus>/.trash/` (hidden folders are never indexed), so a later `assistant index`
does not bring it back and the file can still be recovered. Metadata edits are written to the
`articles.toml` beside the article's file and the file is re-indexed.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit

import puremagic

from assistant.models import FileError, IndexReport
from index.lock import index_lock
from index.metadata import ArticleMeta, load_metadata, save_metadata
from index.readers import SUPPORTED_SUFFIXES, ReadError, decode_text, docx_problem
from index.web import FetchError, fetch_html

if TYPE_CHECKING:
    from assistant.models import Article
    from assistant.settings import Settings
    from index.builder import Progress
    from index.store import Store

UPLOAD_SUFFIXES = SUPPORTED_SUFFIXES  # whatever the indexer reads can be uploaded
TRASH = ".trash"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class CorpusOwner(Protocol):
    """What managing the corpus needs from the `Assistant`, which calls this module (so this
    module does not import it back)."""

    settings: Settings

    @property
    def store(self) -> Store: ...

    @property
    def lock_path(self) -> Path: ...

    def article(self, article_id: str) -> Article: ...

    def index(
        self, paths: list[Path] | None = None, rebuild: bool = False, progress: Progress | None = None
    ) -> IndexReport: ...


class LibraryError(ValueError):
    """A library operation refused for a reason the user can fix."""


@dataclass
class UploadResult:
    saved: list[Path] = field(default_factory=list)
    rejected: list[FileError] = field(default_factory=list)
    report: IndexReport | None = None


# -- names and content checks ------------------------------------------------------------
def safe_filename(name: str) -> str:
    """A plain file name for the corpus folder: no directories, no traversal, no hidden
    files, ASCII letters, digits, dot, dash and underscore only."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = _UNSAFE.sub("_", stem).strip("._-")[:80] or "upload"
    suffix = _UNSAFE.sub("", suffix).lower()[:10]
    return f"{stem}.{suffix}" if suffix else stem


def check_upload(name: str, data: bytes, max_bytes: int) -> str | None:
    """Why this upload is refused, or None when it is acceptable."""
    suffix = Path(safe_filename(name)).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        return f"unsupported file type {suffix or '(none)'}; use txt, md, html, pdf, docx, or captions (vtt, srt, sbv)"
    if len(data) > max_bytes:
        return f"too large: {len(data) / 1e6:.1f} MB (limit {max_bytes / 1e6:.0f} MB)"
    if not data.strip():
        return "empty file"
    if suffix == ".pdf":
        return None if data.lstrip()[:5] == b"%PDF-" else "not a PDF: the content does not start with %PDF-"
    if suffix == ".docx":
        return docx_problem(data)
    return _check_text(data)


def _check_text(data: bytes) -> str | None:
    detected = _sniff(data)
    if detected and not detected.startswith("text/"):
        return f"content is {detected}, not text"
    try:
        decode_text(data)
    except ReadError as exc:
        return str(exc)
    return None


def _sniff(data: bytes) -> str:
    try:
        matches = puremagic.magic_string(data[:4096])
    except (puremagic.PureError, ValueError):
        return ""
    best = max(matches, key=lambda m: m.confidence, default=None)
    return (best.mime_type or best.name or "binary") if best and best.confidence >= 0.5 else ""


def _free_path(folder: Path, name: str) -> Path:
    path, n = folder / name, 2
    while path.exists():
        stem, suffix = Path(name).stem, Path(name).suffix
        path, n = folder / f"{stem}-{n}{suffix}", n + 1
    return path


# -- uploads -----------------------------------------------------------------------------
def add_files(
    assistant: CorpusOwner, files: list[tuple[str, bytes]], progress: Progress | None = None
) -> UploadResult:
    """Check, save and index uploaded files; files that fail to index are removed again."""
    corpus = Path(assistant.settings.corpus)
    corpus.mkdir(parents=True, exist_ok=True)
    limit = assistant.settings.max_upload_mb * 1024 * 1024
    result = UploadResult()
    known = _corpus_digests(corpus)
    for name, data in files:
        reason = check_upload(name, data, limit) or _duplicate(known, data)
        if reason:
            result.rejected.append(FileError(path=name, error=reason))
            continue
        path = _free_path(corpus, safe_filename(name))
        path.write_bytes(data)
        result.saved.append(path)
    if result.saved:
        result.report = assistant.index(result.saved, progress=progress)
        _drop_failed(result)
    return result


def _digest(data: bytes) -> str:
    return hashlib.sha256(b" ".join(data.split())).hexdigest()  # as the index builder compares files


def _corpus_digests(corpus: Path) -> dict[str, str]:
    """Whitespace-insensitive content digest -> file name, for the articles already in the corpus."""
    return {
        _digest(path.read_bytes()): path.name
        for path in sorted(corpus.iterdir())
        if path.is_file() and path.suffix.lower() in UPLOAD_SUFFIXES and not path.name.startswith(".")
    }


def _duplicate(known: dict[str, str], data: bytes) -> str | None:
    digest = _digest(data)
    if digest in known:
        return f"same content as {known[digest]}, already in the library"
    known[digest] = "another file of this upload"
    return None


def _drop_failed(result: UploadResult) -> None:
    """Uploads that could not be indexed (unreadable, duplicates) do not stay in the corpus."""
    report = result.report
    failed = {Path(e.path).resolve() for e in report.errors + report.duplicates}
    for path in list(result.saved):
        if path.resolve() in failed:
            path.unlink(missing_ok=True)
            result.saved.remove(path)


# -- pages from the web -------------------------------------------------------------------
def page_filename(url: str) -> str:
    """The corpus file name for a fetched page: its host and path, sanitised, as .html."""
    parts = urlsplit(url.strip())
    name = safe_filename(f"{parts.netloc}{parts.path}".replace("/", "_").rstrip("_"))
    return name if Path(name).suffix in {".html", ".htm"} else f"{name}.html"


def add_urls(
    assistant: CorpusOwner, urls: list[str], also: list[Path] | None = None, progress: Progress | None = None
) -> UploadResult:
    """Fetch each page into the corpus folder with its url in articles.toml (so re-indexing
    works offline and cites carry the url), then index them with the files `also` given.
    A page that cannot be fetched is a per-URL entry in `rejected`; one that fetches but
    cannot be indexed is removed again."""
    corpus = Path(assistant.settings.corpus)
    corpus.mkdir(parents=True, exist_ok=True)
    result = UploadResult()
    created: list[Path] = []
    for url in dict.fromkeys(u.strip() for u in urls if u.strip()):
        try:
            data = fetch_html(url)
        except FetchError as exc:
            result.rejected.append(FileError(path=url, error=str(exc)))
            continue
        path, is_new = _page_path(corpus, url)
        with index_lock(assistant.lock_path):  # not while a build reads the folder
            path.write_bytes(data)
            entries = load_metadata(corpus)
            entry = entries.get(path.name) or ArticleMeta(file=path.name)
            entries[path.name] = entry.model_copy(update={"url": url})
            save_metadata(corpus, entries)
        result.saved.append(path)
        created += [path] if is_new else []
    if result.saved or also:
        result.report = assistant.index(result.saved + list(also or []), progress=progress)
        with index_lock(assistant.lock_path):
            _drop_failed_pages(result, created, corpus)
    return result


def _page_path(corpus: Path, url: str) -> tuple[Path, bool]:
    """The file already holding this url (a re-fetch updates it), else a free name."""
    known = next((m.file for m in load_metadata(corpus).values() if m.url == url), None)
    if known and (corpus / known).exists():
        return corpus / known, False
    return _free_path(corpus, page_filename(url)), True


def _drop_failed_pages(result: UploadResult, created: list[Path], corpus: Path) -> None:
    """New pages that could not be indexed leave neither their file nor their metadata entry."""
    report = result.report
    failed = {Path(e.path).resolve() for e in report.errors + report.duplicates}
    dropped = [p for p in created if p.resolve() in failed]
    if not dropped:
        return
    entries = load_metadata(corpus)
    for path in dropped:
        path.unlink(missing_ok=True)
        entries.pop(path.name, None)
        result.saved.remove(path)
    save_metadata(corpus, entries)


# -- deletion ----------------------------------------------------------------------------
def _in_corpus(assistant: CorpusOwner, source: str) -> bool:
    corpus = Path(assistant.settings.corpus).resolve()
    return bool(source) and corpus in Path(source).resolve().parents


def delete_article(assistant: CorpusOwner, article_id: str) -> str:
    """Remove an article from the index; its file (when inside the corpus) moves to .trash/."""
    article = assistant.article(article_id)
    with index_lock(assistant.lock_path):  # not while a build writes the same index
        assistant.store.delete_article(article.id)
        assistant.store.bump_generation()
    source = Path(article.source)
    if not (_in_corpus(assistant, article.source) and source.exists()):
        return f"removed {article.id} from the index (file {source.name} left in place: outside the corpus)"
    trash = source.parent / TRASH
    trash.mkdir(exist_ok=True)
    target = _free_path(trash, source.name)
    shutil.move(str(source), target)
    entries = load_metadata(source.parent)
    meta = entries.pop(source.name, None)
    if meta is not None:  # the metadata goes to the trash too, so the file can be restored whole
        save_metadata(source.parent, entries)
        trashed = load_metadata(trash)
        trashed[target.name] = meta.model_copy(update={"file": target.name})
        save_metadata(trash, trashed)
    return f"removed {article.id}; its file moved to {TRASH}/{target.name}"


# -- metadata edits ----------------------------------------------------------------------
def parse_authors(text: str) -> list[str]:
    """'A, B; C' -> ['A', 'B', 'C']; an empty field means the author is unknown."""
    return [a.strip() for a in re.split(r"[;,\n]", text or "") if a.strip()]


def update_metadata(
    assistant: CorpusOwner,
    article_id: str,
    *,
    title: str,
    authors: list[str],
    outlet: str,
    date: str,
) -> IndexReport:
    """Persist title/authors/outlet/date to the article's articles.toml and re-index it.
    The article keeps its id (it is pinned in the metadata file)."""
    article = assistant.article(article_id)
    source = Path(article.source)
    if not _in_corpus(assistant, article.source) or not source.exists():
        raise LibraryError(f"{article.id}: its file is not in the corpus folder, so its metadata cannot be edited here")
    entries = load_metadata(source.parent)
    entry = entries.get(source.name) or ArticleMeta(file=source.name)
    update = {"id": entry.id or article.id, "title": title.strip() or None, "authors": authors}
    update |= {"outlet": outlet.strip(), "date": date.strip()}
    entries[source.name] = entry.model_copy(update=update)
    with index_lock(assistant.lock_path):  # a running build must not read a half-edited metadata file
        save_metadata(source.parent, entries)
    return assistant.index([source])
