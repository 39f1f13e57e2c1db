"""Reading article files (txt, md, html, pdf, docx, caption files) into plain text and the file's own metadata
(title, authors, date, outlet, url), with specific errors."""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
import zipfile
from collections import defaultdict
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from .captions import CAPTION_SUFFIXES, read_cues, transcript
from .cleaning import PROSE_WORDS
from .metadata import ArticleMeta
from .people import split_people
from .tables import prose_columns, transcript_text
from .turns import is_speaker_label
from .unwrap import BLOCK_INDENT

SUPPORTED_SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx", *CAPTION_SUFFIXES}
MARKDOWN_SUFFIXES = {".md", ".markdown"}
BINARY_SUFFIXES = {".pdf", ".docx"}
# Size limits. An opinion article is tens of KB; a 2 MB text file is a 300,000-word book.
# Bigger text files are refused up front (before reading them into memory) with a clear
# reason rather than tying up the indexer for minutes embedding tens of thousands of
# passages. PDFs carry images and fonts, so their file limit is larger; the text
# extracted from them obeys the same character limit.
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_TEXT_BYTES = 2 * 1024 * 1024
MAX_TEXT_CHARS = MAX_TEXT_BYTES
# A .docx is a zip: its document.xml is refused past this size before being inflated (zip bombs).
MAX_DOCX_XML_BYTES = 100 * 1024 * 1024


class ReadError(ValueError):
    """A file that cannot be turned into article text; the message says why."""


class ReadResult(BaseModel):
    """An article file's text and what the file itself says about the article.

    `meta` has the fields of an articles.toml entry (`file` is the file's name, `id` is never
    set); `authors` is None when the file names no person.
    """

    text: str
    meta: ArticleMeta
    # The authors come from a field the writing tool fills in by itself (Word's and a PDF's
    # "Author": the account that typed or exported the file), not from one a writer chose.
    stamped_authors: bool = False


def file_meta(
    path: Path, *, title: Any = None, authors: list[str] | None = None, outlet: Any = None,
    date: Any = None, url: Any = None,
) -> ArticleMeta:
    """The file's own metadata, cleaned: an institution in an author field becomes the outlet
    (when none is given), account names are dropped, and unusable titles are ignored."""
    people, institutions = split_people([str(a) for a in authors or [] if a])
    outlet_name = _plain(outlet) or (institutions[0] if institutions else "")
    return ArticleMeta(
        file=path.name, title=_usable_title(_plain(title), path), authors=people or None,
        outlet=outlet_name, date=_iso_date(date), url=_plain(url),
    )


def _plain(value: Any) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def _usable_title(title: str, path: Path) -> str | None:
    """A title, unless it is a placeholder or a file name that a tool stamped in ("untitled",
    "Microsoft Word - draft3.docx", "OpEd district merger FINAL v3" for OpEd_district_merger_FINAL_v3.docx)."""
    if not title or title.lower() in {"untitled", "untitled document", "document", "word document"}:
        return None
    if re.search(r"\.(docx?|pdf|txt|html?|md|odt|rtf)$", title, re.IGNORECASE):
        return None
    if _words_of(title) == _words_of(path.stem):
        return None
    return title


def _words_of(name: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", name.lower())


def _iso_date(value: Any) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return value.date().isoformat() if isinstance(value, dt.datetime) else value.isoformat()
    return _plain(value)


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


def read_markdown(path: Path) -> ReadResult:
    """YAML front matter (python-frontmatter) gives the metadata and is not article text; else a
    first `# Heading` above the prose gives the title. The text is what the rendered Markdown shows (markdown_text)."""
    import frontmatter
    import yaml
    from markdown_it import MarkdownIt

    raw = read_text_file(path)
    try:
        post = frontmatter.loads(raw)
        fields, body = {str(k).lower(): v for k, v in post.metadata.items()}, post.content
    except (yaml.YAMLError, ValueError, TypeError, AttributeError):
        fields, body = {}, raw  # unparsable front matter: keep every line as text, lose nothing
    tokens = MarkdownIt("commonmark").parse(body)
    source = _plain(_first(fields, "source"))
    meta = file_meta(
        path,
        title=_first(fields, "title", "headline") or _headline(tokens),
        authors=_as_list(_first(fields, "authors", "author", "creator", "by")),
        outlet=_first(fields, "outlet", "publisher", "publication", "site_name", "sitename", "site")
        or (source if "://" not in source else None),
        date=_first(fields, "date", "published", "pubdate", "created"),
        url=_first(fields, "url", "source_url", "canonical_url", "permalink", "link")
        or (source if "://" in source else None),
    )
    return ReadResult(text=markdown_text(tokens), meta=meta)


def read_captions(path: Path) -> ReadResult:
    """A caption file (WebVTT, SubRip, SBV) as a transcript: one "Name: " paragraph per turn."""
    try:
        captions = read_cues(path, read_text_file(path))
    except ValueError as exc:
        raise ReadError(str(exc)) from exc
    return ReadResult(text=transcript(captions.cues), meta=file_meta(path, title=captions.title))


def _headline(tokens: list) -> str | None:
    """The first `# Heading` above the text's first paragraph of prose (a section label such as
    "Opinion" may stand above it)."""
    for n, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h1":
            return tokens[n + 1].content.strip() or None
        if token.type == "inline" and len(token.content.split()) >= PROSE_WORDS:
            return None
    return None


def markdown_text(tokens: list) -> str:
    """The text a reader of the rendered Markdown sees, one block per paragraph, heading, list
    item or code block: emphasis, link targets, heading and bullet markers are markup, not words
    (`**Anna Berg:**`, `[the report](https://...)`); an ordered item keeps its number ("1776.").
    Line breaks inside a paragraph stay, for unwrapping. `tokens`: markdown-it-py's (CommonMark) parse."""
    blocks: list[str] = []
    number = ""
    quoted = 0  # the depth of `>` block quotations: their lines keep unwrap.BLOCK_INDENT
    for token in tokens:
        quoted += {"blockquote_open": 1, "blockquote_close": -1}.get(token.type, 0)
        if token.type == "list_item_open":
            number = f"{token.info}{token.markup} " if token.info else ""
        elif token.type == "inline":
            kept = [c for c in token.children or [] if c.type in _INLINE_KEPT]
            text = number + "".join(c.content if c.type in _INLINE_TEXT else "\n" for c in kept)
            blocks.append(BLOCK_INDENT + text.replace("\n", "\n" + BLOCK_INDENT) if quoted else text)
            number = ""
        elif token.type in ("fence", "code_block", "html_block"):
            blocks.append(token.content.rstrip("\n"))
    return "\n\n".join(block for block in blocks if block.strip())


_INLINE_TEXT = {"text", "code_inline", "html_inline"}
_INLINE_KEPT = _INLINE_TEXT | {"softbreak", "hardbreak"}


# An ATX heading ("## Section ##"): the markers are Markdown syntax, not words of the article.


def _first(fields: dict[str, Any], *keys: str) -> Any:
    return next((fields[k] for k in keys if fields.get(k) not in (None, "", [])), None)


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]


# Dates from the page's own metadata only (no guessing from the text), as early as history goes.
_HTML_DATE_CONFIG = {"original_date": True, "extensive_search": False, "min_date": "1000-01-01"}


def read_html(path: Path) -> ReadResult:
    import trafilatura

    html = decode_text(path.read_bytes())
    text = trafilatura.extract(
        html, include_comments=False, include_tables=False, favor_recall=True
    )
    if not text:
        raise ReadError("no article text found in the HTML")
    found = trafilatura.extract_metadata(html, date_config=_HTML_DATE_CONFIG)
    tree = _page_tree(html)  # parsed once for the outlet, left-out prose, block quotations and author boxes
    meta = file_meta(
        path, title=found.title, authors=[found.author] if found.author else [],
        outlet=site_name(found.sitename, found.title, tree), date=found.date, url=found.url,
    )
    # Text trafilatura left out goes back above the kept paragraph that follows it in the page
    # (a second article on the page, then a byline heading it), or at the end.
    paragraphs = _placed(text.split("\n"), left_out_prose(tree, text) + left_out_tables(tree, text))
    paragraphs = _placed(paragraphs, author_boxes(tree, "\n".join(paragraphs)))
    paragraphs += page_comments(tree, "\n".join(paragraphs))
    quoted = block_quotations(tree)
    paragraphs = [BLOCK_INDENT + line if " ".join(line.split()) in quoted else line for line in paragraphs]
    return ReadResult(text="\n\n".join(p for p in paragraphs if p), meta=meta)


# The separators between a page's headline and its site's name in the <title> element.
_TITLE_PARTS = re.compile(r"\s+(?:\||-|\u2013|\u2014|::|\u00b7|\u2022)\s+")


def site_name(sitename: str | None, title: str | None, tree: Any | None) -> str | None:
    """The outlet, never the article's own headline: with no `og:site_name`, trafilatura may take
    the headline part of the <title> ("Our view: <headline> | The Courier") for the site; the
    outlet is then the part of the <title> that is not the headline, if any."""
    def norm(text: str) -> str:
        return " ".join(text.lower().split())

    if not sitename or not title or norm(title) not in norm(sitename):
        return sitename
    page_title = tree.findtext(".//title") if tree is not None else None
    parts = [p.strip() for p in _TITLE_PARTS.split(page_title or "") if p.strip()]
    return next((p for p in parts if norm(title) not in norm(p) and norm(p) not in norm(title)), None)


def _placed(paragraphs: list[str], inserts: list[tuple[str, str | None]]) -> list[str]:
    """`paragraphs` with each insert's text put above its following paragraph (None: at the end)."""
    at = {" ".join(line.split()): i for i, line in reversed(list(enumerate(paragraphs)))}
    placed: dict[int, list[str]] = defaultdict(list)
    for insert, following in inserts:
        placed[at.get(following or "", len(paragraphs))].append(insert)
    return [p for i, line in enumerate([*paragraphs, ""]) for p in [*placed.get(i, []), line] if p]


def _page_tree(html: str) -> Any | None:
    import lxml.html

    try:
        return lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return None


def block_quotations(tree: Any | None) -> set[str]:
    """The paragraphs of the page's `<blockquote>` elements (`tree`: `_page_tree`), whitespace
    collapsed. trafilatura's text keeps their words but not that they are quoted, which attribution
    needs (an essay quoting its opponent at length); they are marked in the text with
    unwrap.BLOCK_INDENT."""
    if tree is None:
        return set()
    quoted = set()
    for block in tree.iter("blockquote"):
        parts = block.findall(".//p") or [block]
        quoted.update(" ".join(part.text_content().split()) for part in parts)
    return quoted - {""}


# Page furniture by tag, and by a class or id naming it: text inside is never prose to recover.
_FURNITURE_TAGS = {"nav", "header", "footer", "aside", "form", "figure", "figcaption", "noscript", "button", "menu"}
_FURNITURE_NAMES = re.compile(
    r"(?<![a-z])(comments?|share|social|newsletter|subscribe|promo|related|recommended|cookies?|consent|"
    r"advert|ads?|sponsored|sidebar|breadcrumbs?|menu|nav|footer|masthead)(?![a-z])", re.I)
_PROSE_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li"}


def left_out_prose(tree: Any | None, extracted: str) -> list[tuple[str, str | None]]:
    """The runs of prose paragraphs in the page (`tree`: `_page_tree`) that trafilatura left out of
    `extracted`, each with the text of the first paragraph after it that trafilatura kept (None when
    there is none), as author_boxes gives them.

    trafilatura keeps the page's main content, which is right for a page of one article, but a
    page may hold two: an editorial and the "opposing view" printed under it, outside the
    `<article>` element. Cleaning must never drop prose silently, so a run of left-out paragraphs
    outside the page's furniture (navigation, header, footer, asides, share and comment blocks) that
    holds at least one paragraph of prose (cleaning.PROSE_WORDS) is put back, headings included;
    a left-out caption or promo line on its own is not.
    """
    if tree is None:
        return []
    seen = " ".join(extracted.split())
    lines = set(_collapsed_lines(extracted))
    runs: list[tuple[list[str], str | None]] = []
    run: list[str] = []
    for element in tree.iter(*_PROSE_TAGS):
        if any(e.tag in _PROSE_TAGS for e in element.iterancestors()) or _is_furniture(element):
            continue
        text = " ".join(element.text_content().split())
        if not text:
            continue
        if text in seen:
            if run:
                runs.append((run, text if text in lines else None))
                run = []
            continue
        run.append(text)
    if run:
        runs.append((run, None))
    return [(text, following) for run, following in runs if max(len(t.split()) for t in run) >= PROSE_WORDS
            for text in run]


def left_out_tables(tree: Any | None, extracted: str) -> list[tuple[str, str | None]]:
    """The page's tables of prose that trafilatura left out of `extracted` (it keeps no tables:
    a transcript laid out as Time | Speaker | Words would be lost whole), read by index.tables,
    each with the first paragraph kept after it, as left_out_prose gives them."""
    if tree is None:
        return []
    seen = " ".join(extracted.split())
    lines = set(_collapsed_lines(extracted))
    found = []
    for table in tree.iter("table"):
        if any(True for _ in table.iterdescendants("table")) or _is_furniture(table):
            continue  # an outer layout table (its inner tables are read), or page furniture
        rows = [[" ".join(cell.text_content().split()) for cell in row if cell.tag in ("td", "th")]
                for row in table.iter("tr")]
        prose = prose_columns(rows)
        if not prose or all(row[j] in seen for row in rows for j in prose if j < len(row) and row[j]):
            continue
        text = transcript_text(rows) or "\n\n".join(row[j] for j in sorted(prose) for row in rows
                                                     if j < len(row) and row[j])
        following = next((t for e in table.itersiblings() for t in [" ".join(e.text_content().split())]
                          if t in lines), None)
        found.append((text, following))
    return found


def _is_furniture(element: Any) -> bool:
    return any(e.tag in _FURNITURE_TAGS or _FURNITURE_NAMES.search(_class_and_id(e))
               for e in (element, *element.iterancestors()) if isinstance(e.tag, str))


def _class_and_id(element: Any) -> str:
    """What a page's markup calls an element: its class and id attributes."""
    return f"{element.get('class', '')} {element.get('id', '')}"


def _collapsed_lines(text: str) -> list[str]:
    """The lines of trafilatura's text, whitespace collapsed (how elements' text is compared with them)."""
    return [" ".join(line.split()) for line in text.split("\n") if line.strip()]


# A reader comment or a forum reply: an element whose class names it one ("comment", "comment stickied";
# not the "comments" list around them, nor their parts: "comment-body", "quoted-comment"), and in it the
# element holding who wrote it ("author", "username", "display-name").
_COMMENT = re.compile(r"(?<![\w-])comment(?![\w-])", re.I)
_COMMENTER = re.compile(r"(?<![a-z])(author|username|user|display-name|commenter|nickname)(?![a-z])", re.I)


def page_comments(tree: Any | None, extracted: str) -> list[str]:
    """The page's comments that trafilatura left out of `extracted` (it keeps a page's main text
    only): each as its header line, the element around the commenter's name as the page prints it
    ("u/molar_bear_dds · 412 points · 2 days ago", "Deb Sorensen (@debsor) March 4, 2025"), then its
    paragraphs, replies in page order. On a forum thread they are most of the text; attribution
    reads the header lines (index.sections). A comment with no named writer is left out, as before."""
    if tree is None:
        return []
    # Each element of the page, in page order, under the innermost comment holding it (itself included);
    # a comment comes before its own elements and its replies.
    own: dict[Any, list[Any]] = {}
    for element in tree.iter():
        if isinstance(element.tag, str) and (comment := _comment_of(element)) is not None:
            own.setdefault(comment, []).append(element)
    seen = " ".join(extracted.split())
    out: list[str] = []
    for elements in own.values():
        names = [e for e in elements if _COMMENTER.search(e.get("class", ""))]
        paragraphs = [" ".join(e.text_content().split()) for e in elements if e.tag == "p"]
        if not names or not any(paragraphs) or all(p in seen for p in paragraphs):
            continue
        out += [" ".join(names[0].getparent().text_content().split()), *paragraphs]
    return out


def _comment_of(element: Any) -> Any | None:
    """The innermost comment element holding `element` (itself included)."""
    return next((e for e in (element, *element.iterancestors()) if _COMMENT.search(e.get("class", ""))), None)


# An element whose class or id names it an author box: `<aside class="bio">`, `<div class="author-bio">`.
_AUTHOR_BOX = re.compile(r"(?<![a-z])(bio|biography|author|byline|contributor|about-the-author)(?![a-z])", re.I)


def author_boxes(tree: Any | None, extracted: str) -> list[tuple[str, str | None]]:
    """The text of author boxes in the page (`tree`: `_page_tree`) that trafilatura left out of
    `extracted`, each with the text of the first paragraph after it that trafilatura kept (None when
    there is none).

    trafilatura drops `<aside>` and similar blocks as boilerplate, which is right for share
    buttons but loses the one line that says who wrote the piece ("'The Forester' was a pen
    name of Thomas Paine", "By Marcus Webb" over the second half of a point/counterpoint page).
    Attribution reads such bio lines and bylines, so they are kept as paragraphs.
    """
    if tree is None:
        return []
    seen = " ".join(extracted.split())
    order = _collapsed_lines(extracted)
    lines = set(order)
    boxes = []
    for element in tree.iter():
        if not isinstance(element.tag, str) or element.tag in {"script", "style", "a", "meta", "img"}:
            continue
        if not _AUTHOR_BOX.search(_class_and_id(element)) or any(
                _AUTHOR_BOX.search(_class_and_id(a)) for a in element.iterancestors()):
            continue
        box = " ".join(element.text_content().split())
        if not 3 <= len(box.split()) <= 120:
            continue
        after = (" ".join(e.text_content().split()) for e in element.itersiblings() if isinstance(e.tag, str))
        following = next((t for t in after if t in lines), None)
        # Kept where it stands, or (with nothing kept after it) anywhere: a live blog repeats its
        # reporters' bylines, so the same words further down do not count.
        kept = box in (_lines_above(order, following) if following else seen)
        if not kept:
            boxes.append((box, following))
    return boxes


def _lines_above(lines: list[str], line: str, span: int = 3) -> list[str]:
    at = lines.index(line)
    return lines[max(0, at - span) : at]


def read_pdf(path: Path) -> ReadResult:
    from pypdf import PdfReader

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            raise ReadError("encrypted PDF (remove the password first)")
        pages = [page.extract_text() or "" for page in reader.pages]
        info = reader.metadata
        meta = file_meta(path, title=info.title, authors=[info.author or ""]) if info else file_meta(path)
    except ReadError:
        raise
    except FileNotFoundError as exc:
        raise ReadError(f"unreadable: {exc.strerror or exc}") from exc
    except Exception as exc:  # a parser of untrusted input fails in many ways
        raise ReadError(f"broken PDF: {type(exc).__name__}: {exc}"[:200]) from exc
    text = "\n\n".join(p.strip() for p in pages if p.strip())
    if not text:
        raise ReadError("PDF has no extractable text (scanned image?)")
    return ReadResult(text=text, meta=meta, stamped_authors=True)


def docx_problem(data: bytes) -> str | None:
    """Why these bytes are not a readable .docx (a zip holding word/document.xml), or None."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        return "not a .docx: the content is not a zip archive (an old .doc, or a password-protected file?)"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            document = archive.getinfo("word/document.xml")
    except KeyError:
        return "not a Word document: the .docx archive has no word/document.xml"
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        return f"broken .docx archive: {exc}"[:200]
    if document.file_size > MAX_DOCX_XML_BYTES:
        return f"file too large (its text inflates to {_mb(document.file_size)} > {_mb(MAX_DOCX_XML_BYTES)})"
    return None


def read_docx(path: Path) -> ReadResult:
    """Paragraphs and table rows in document order (python-docx), and the core properties."""
    import docx
    from docx.table import Table

    data = path.read_bytes()
    if problem := docx_problem(data):
        raise ReadError(problem)
    try:
        document = docx.Document(io.BytesIO(data))
        blocks = [
            _table_text(block) if isinstance(block, Table) else _docx_paragraph(block)
            for block in document.iter_inner_content()
        ]
        props = document.core_properties
        created = props.created if props.created != _template_created() else None
        meta = file_meta(path, title=props.title, authors=[props.author or ""], date=created)
    except Exception as exc:  # a parser of untrusted input fails in many ways
        raise ReadError(f"broken .docx: {type(exc).__name__}: {exc}"[:200]) from exc
    return ReadResult(text="\n\n".join(b.rstrip() for b in blocks if b.strip()), meta=meta, stamped_authors=True)


def _docx_paragraph(paragraph: Any) -> str:
    """A paragraph's text; one in Word's quotation styles ("Quote", "Intense Quote") or indented on
    the left keeps unwrap.BLOCK_INDENT: a block quotation, as indentation marks one in plain text.
    A short bold lead ("**Rhiannon Tate** Thank you, Gwen.", a debate write-up's speaker) keeps its
    bold as Markdown marks, which index.turns reads as a speaker label."""
    text = paragraph.text.strip()
    lead = _bold_lead(paragraph)
    if lead and text.startswith(lead) and len(text) > len(lead) and is_speaker_label(lead.rstrip(" :\u2013\u2014-")):
        text = f"**{lead}**{text[len(lead):]}"
    style = (paragraph.style.name if paragraph.style is not None else "") or ""
    indent = paragraph.paragraph_format.left_indent
    return BLOCK_INDENT + text if "quote" in style.lower() or (indent is not None and indent > 0) else text


BOLD_LEAD_WORDS = 6  # a bold lead longer than this is an emphasised sentence, not a label


def _bold_lead(paragraph: Any) -> str:
    """The paragraph's leading bold text, when it is short and not the whole paragraph."""
    lead = []
    for run in paragraph.runs:
        if not run.bold:
            break
        lead.append(run.text)
    text = "".join(lead).strip()
    return text if 0 < len(text.split()) <= BOLD_LEAD_WORDS else ""


def _table_text(table: Any) -> str:
    """A Word table as text (index.tables): prose by turns or column by column, data row by row."""
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    if prose_columns(rows):
        return transcript_text(rows) or _columns_text(table)
    # A merged cell repeats in each row.cells position it spans: kept once.
    lines = [" | ".join(c for c in dict.fromkeys(cell.strip() for cell in row) if c) for row in rows]
    return "\n".join(line for line in lines if line)


def _columns_text(table: Any) -> str:
    seen: list[Any] = []  # the cells' XML elements, held so that `is` compares them
    paragraphs = []
    for column in table.columns:
        for cell in column.cells:
            if any(cell._tc is tc for tc in seen):  # a merged cell repeats in every column it spans
                continue
            seen.append(cell._tc)
            paragraphs += [p.text.strip() for p in cell.paragraphs if p.text.strip()]
    return "\n\n".join(paragraphs)


@functools.cache
def _template_created() -> dt.datetime | None:
    """The creation date python-docx's own blank template carries: a file built from it was not
    written on that date, so it says nothing about the article."""
    import docx

    return docx.Document().core_properties.created


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
    limit = MAX_FILE_BYTES if suffix in BINARY_SUFFIXES else MAX_TEXT_BYTES
    if size > limit:
        raise ReadError(f"file too large ({_mb(size)} > {_mb(limit)} limit for {suffix} files)")
    return size


def read_file(path: Path) -> str:
    """Plain text of an article file; raises ReadError with a specific reason."""
    return read_document(path).text


def read_document(path: Path) -> ReadResult:
    """Text and own metadata of an article file; raises ReadError with a specific reason."""
    suffix = path.suffix.lower()
    check_file(path)
    try:
        if suffix == ".pdf":
            with path.open("rb") as fh:
                if not fh.read(1024).lstrip().startswith(b"%PDF"):
                    raise ReadError("not a PDF (content does not start with %PDF)")
            result = read_pdf(path)
        elif suffix == ".docx":
            result = read_docx(path)
        elif suffix in {".html", ".htm"}:
            result = read_html(path)
        elif suffix in MARKDOWN_SUFFIXES:
            result = read_markdown(path)
        elif suffix in CAPTION_SUFFIXES:
            result = read_captions(path)
        else:
            result = ReadResult(text=read_text_file(path), meta=file_meta(path))
    except OSError as exc:
        raise ReadError(f"unreadable: {exc.strerror or exc}") from exc
    if not result.text.strip():
        raise ReadError("no text in file")
    if len(result.text) > MAX_TEXT_CHARS:
        raise ReadError(f"too much text ({len(result.text):,} characters > {MAX_TEXT_CHARS:,} limit)")
    return result
