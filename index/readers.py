"""Reading article files (txt, md, html, pdf) into plain text, with specific errors."""

from __future__ import annotations

from pathlib import Path

SUPPORTED_SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm", ".pdf"}
MAX_FILE_BYTES = 50 * 1024 * 1024


class ReadError(ValueError):
    """A file that cannot be turned into article text; the message says why."""


def read_text_file(path: Path) -> str:
    data = path.read_bytes()
    return decode_text(data)


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), else latin-1 for legacy files; binary junk is refused."""
    if b"\x00" in data[:8192]:
        raise ReadError("binary content, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    controls = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > max(8, len(text[:8192]) // 100):
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
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise ReadError(f"broken PDF: {exc}") from exc
    text = "\n\n".join(p.strip() for p in pages if p.strip())
    if not text:
        raise ReadError("PDF has no extractable text (scanned image?)")
    return text


def read_file(path: Path) -> str:
    """Plain text of an article file; raises ReadError with a specific reason."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise ReadError(f"unsupported file type {suffix or '(none)'}")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ReadError(f"unreadable: {exc.strerror or exc}") from exc
    if size == 0:
        raise ReadError("empty file")
    if size > MAX_FILE_BYTES:
        raise ReadError(f"file too large ({size // (1024 * 1024)} MB > {MAX_FILE_BYTES // (1024 * 1024)} MB)")
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
    return text
