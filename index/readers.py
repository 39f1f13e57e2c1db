"""Reading article files (txt, md, html, pdf) into plain text, with specific errors."""

from __future__ import annotations

from pathlib import Path

SUPPORTED_SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm", ".pdf"}
# Size limits. An opinion article is tens of KB; a 2 MB text file is a 300,000-word book.
# Bigger text files are refused up front (before reading them into memory) with a clear
# reason rather than tying up the indexer for minutes embedding tens of thousands of
# passages. PDFs carry images and fonts, so their file limit is larger; the text
# extracted from them obeys the same character limit.
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_TEXT_BYTES = 2 * 1024 * 1024
MAX_TEXT_CHARS = MAX_TEXT_BYTES


class ReadError(ValueError):
    """A file that cannot be turned into article text; the message says why."""


def read_text_file(path: Path) -> str:
    data = path.read_bytes()
    return decode_text(data)


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with a BOM (Windows "Unicode" text), else Windows-1252/latin-1
    for legacy files; binary junk is refused."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return decode_text(data.decode("utf-16").encode("utf-8"))
        except UnicodeDecodeError as exc:
            raise ReadError("binary content, not text (invalid UTF-16)") from exc
    if b"\x00" in data[:8192]:
        raise ReadError("binary content, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:  # legacy Windows files: curly quotes and dashes live in 0x80-0x9f
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
    sample = text[:8192]
    # C0 controls (except whitespace), DEL and C1 controls never occur in real text.
    controls = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\n\r\t\f") or 0x7F <= ord(ch) <= 0x9F)
    if controls > max(2, len(sample) // 100):
        raise ReadError("binary content, not text")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_html(path: Path) -> str:
    import trafilatura

    html = decode_text(path.read_bytes())
    text = trafilatura.extract(
        html, include_comments=False, include_tables=False, favor_recall=True
    )
    if not text:
        raise ReadError("no article text found in the HTML")
    return text.replace("\n", "\n\n")


def read_pdf(path: Path) -> str:
    from pypdf import PdfReader

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            raise ReadError("encrypted PDF (remove the password first)")
        pages = [page.extract_text() or "" for page in reader.pages]
    except ReadError:
        raise
    except FileNotFoundError as exc:
        raise ReadError(f"unreadable: {exc.strerror or exc}") from exc
    except Exception as exc:  # a parser of untrusted input fails in many ways
        raise ReadError(f"broken PDF: {type(exc).__name__}: {exc}"[:200]) from exc
    text = "\n\n".join(p.strip() for p in pages if p.strip())
    if not text:
        raise ReadError("PDF has no extractable text (scanned image?)")
    return text


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


def check_file(path: Path) -> int:
    """The file's size, after the checks that need no reading: type, existence, empty, too large."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise ReadError(f"unsupported file type {suffix or '(none)'}")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ReadError(f"unreadable: {exc.strerror or exc}") from exc
    if not path.is_file():
        raise ReadError("not a regular file")
    if size == 0:
        raise ReadError("empty file")
    limit = MAX_FILE_BYTES if suffix == ".pdf" else MAX_TEXT_BYTES
    if size > limit:
        raise ReadError(f"file too large ({_mb(size)} > {_mb(limit)} limit for {suffix} files)")
    return size


def read_file(path: Path) -> str:
    """Plain text of an article file; raises ReadError with a specific reason."""
    suffix = path.suffix.lower()
    check_file(path)
    try:
        if suffix == ".pdf":
            with path.open("rb") as fh:
                if not fh.read(1024).lstrip().startswith(b"%PDF"):
                    raise ReadError("not a PDF (content does not start with %PDF)")
            text = read_pdf(path)
        elif suffix in {".html", ".htm"}:
            text = read_html(path)
        else:
            text = read_text_file(path)
    except OSError as exc:
        raise ReadError(f"unreadable: {exc.strerror or exc}") from exc
    if not text.strip():
        raise ReadError("no text in file")
    if len(text) > MAX_TEXT_CHARS:
        raise ReadError(f"too much text ({len(text):,} characters > {MAX_TEXT_CHARS:,} limit)")
    return text
