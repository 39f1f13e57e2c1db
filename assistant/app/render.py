"""Turning answers, positions, summaries and evidence cards into safe Markdown and HTML for the app.

Everything that comes from the corpus (quotes, titles, names, article text) is untrusted: it is
escaped here before it reaches a Markdown or HTML component, so an article containing
`<script>` or `<img onerror>` is shown as text and never executed.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from typing import NamedTuple

from assistant.jobs.counter import cite_parts
from assistant.models import (
    UNDETERMINED,
    Answer,
    Article,
    Citation,
    Counterpoints,
    EvidenceCard,
    InjectionFlag,
    Passage,
    Position,
    Summary,
)

UNKNOWN = "unknown"
_BLOCKQUOTE = re.compile(r"^(\s*(?:>\s?)+)")
# Characters that the gr.HTML template engine (JS template strings, Handlebars) would interpret.
_TEMPLATE_CHARS = {"{": "&#123;", "}": "&#125;", "$": "&#36;", "`": "&#96;"}
# What CommonMark would interpret inside a line of text: emphasis, code, links, raw HTML, table
# pipes, strikethrough, backslashes, and an entity reference (`&amp;` would show as `&`). No library
# here offers a Markdown escaper (markdown-it-py parses, it does not escape), hence this table.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])|&(?=#?\w+;)")
_MD_LINE_START = re.compile(r"^(\s*\d*)([#>+-]|(?<=\d)[.)])")  # a heading, quote, list item
Escape = Callable[[object], str]  # corpus text -> inert text for one kind of output
# What GFM renderers turn into links by themselves (the app's `marked` among them): a scheme's
# "://", a "www." host, an e-mail's "@". One character of each becomes an entity: shown the same, never a link.
_AUTOLINK = re.compile(r"(?<=[A-Za-z])(:)(?=//)|(?<=\bwww)(\.)|(?<=\w)(@)(?=\w)", re.IGNORECASE)
_ENTITY = {":": "&#58;", ".": "&#46;", "@": "&#64;"}


# -- escaping ----------------------------------------------------------------------------
def esc_html(text: object) -> str:
    """Text made inert for an HTML component: tags, quotes and template markers escaped."""
    out = html.escape(str(text or ""), quote=True)
    for char, entity in _TEMPLATE_CHARS.items():
        out = out.replace(char, entity)
    return out


def esc_md(text: object) -> str:
    """Corpus text made inert inside Markdown: HTML and quotes escaped, table pipes and
    link brackets neutralised, kept on one line."""
    return unlinked(esc_code(text))


def esc_code(text: object) -> str:
    """Corpus text for inside a `code span`, escaped as esc_md but for links: a code span is never
    autolinked, and an entity there would be shown as typed."""
    out = html.escape(" ".join(str(text or "").split()), quote=True)
    return out.replace("|", "&#124;").replace("[", "&#91;").replace("]", "&#93;").replace("`", "&#96;")


def unlinked(markdown: str) -> str:
    """Markdown in which no URL or address becomes a link: links in corpus text and in what a model
    writes are shown as text (an injected "visit ..." stays inert)."""
    return _AUTOLINK.sub(lambda m: _ENTITY[m.group(0)], markdown)


def md_text(text: object) -> str:
    """Corpus text for a Markdown file (export, brief), kept on one line: every character Markdown
    would interpret is backslash-escaped, so a viewer shows the text itself; apostrophes and
    quotes stay as they are (no HTML entities in a Markdown file)."""
    out = _MD_SPECIAL.sub(lambda m: "\\" + (m.group(1) or "&"), " ".join(str(text or "").split()))
    return _MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), out)


def md_block(markdown: str) -> str:
    """Composer Markdown (which embeds corpus quotes) for a Markdown file: emphasis, blockquotes and
    [n] markers kept, raw HTML and links disabled with backslashes instead of HTML entities."""
    return re.sub(r"[<`]|&(?=#?\w+;)", lambda m: "\\" + m.group(0), markdown or "").replace("](", "\\](")


def safe_markdown(markdown: str) -> str:
    """Markdown written by a composer (which embeds corpus quotes) with all HTML escaped and
    Markdown links/images disabled; blockquote markers at the start of a line are kept."""
    lines = []
    for line in (markdown or "").splitlines():
        match = _BLOCKQUOTE.match(line)
        prefix = match.group(1) if match else ""
        body = html.escape(line[len(prefix) :], quote=True).replace("`", "&#96;")
        lines.append(prefix + unlinked(body.replace("](", "&#93;(")))  # no links or images smuggled in by quotes
    return "\n".join(lines)


class MarkdownStyle(NamedTuple):
    """How corpus text is made inert for one destination: the app's Markdown components (which
    render HTML, so HTML entities) or a downloaded Markdown file (plain Markdown, backslashes)."""

    text: Escape  # one line of corpus text
    block: Callable[[str], str]  # a composer's Markdown that embeds corpus quotes
    ref: Callable[[int], str]  # the footnote mark [n]


IN_APP = MarkdownStyle(esc_md, safe_markdown, lambda n: f"&#91;{n}&#93;")
# In a file a bare [n] stays text: no link definition can exist (corpus brackets are escaped).
IN_FILE = MarkdownStyle(md_text, md_block, lambda n: f"[{n}]")


# -- labels ------------------------------------------------------------------------------
def authors_label(authors: Iterable[str]) -> str:
    names = [a for a in authors if a]
    return ", ".join(names) if names else UNKNOWN


def speaker(passage: Passage) -> str:
    return passage.author or UNKNOWN


def mode_badge(mode: str, model_name: str) -> str:
    return model_name if mode == "llm" else "extractive"


def cite_line(citation: Citation, style: MarkdownStyle = IN_APP, with_quote: bool = True) -> str:
    """One footnote: [n] author, title, outlet, date (and “quote” where nothing else shows it)."""
    p, esc = citation.passage, style.text
    where = ", ".join(esc(x) for x in (p.outlet, p.date) if x)
    title = f"*{esc(p.title)}*" if p.title else "*untitled*"
    where = f", {where}" if where else ""
    quote = f": “{esc(citation.quote)}”" if with_quote else ""
    return f"**{style.ref(citation.n)}** {esc(speaker(p))}, {title}{where}{quote}"


def article_label(article: Article) -> str:
    """How a person names an article in a picker: "title, author" (untitled: author and outlet)."""
    who = authors_label(article.authors)
    if article.title:
        return f"{article.title}, {who}" if article.authors else f"{article.title} ({article.outlet or UNKNOWN})"
    return f"untitled, {who} ({article.outlet or 'unknown outlet'})"


def short(text: str, limit: int = 160) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# -- answers -----------------------------------------------------------------------------
# Words, not emoji: the symbols (warning sign, check mark, wastebasket) render as empty boxes
# where the reader's fonts lack them.
def header_line(mode: str, model_name: str, grounded: bool) -> str:
    badge = f"`{mode_badge(mode, model_name)}`"
    if grounded:
        return badge
    return f"{badge} · **Not grounded:** the corpus holds no relevant evidence for this question."


def notices_block(notices: Iterable[str], style: MarkdownStyle = IN_APP) -> str:
    return "\n".join(f"> **Note:** {style.text(n)}" for n in notices)


def references_block(citations: Iterable[Citation], title: str = "References") -> str:
    """The app's footnotes: where each [n] comes from, without repeating the quote (the answer
    and the Sources table show it)."""
    lines = [cite_line(c, with_quote=False) for c in citations]
    return f"**{title}**\n\n" + "  \n".join(lines) if lines else ""


def renumber_positions(positions: list[Position], after: int) -> list[Position]:
    """Positions whose citation numbers continue after the answer's own ([n] markers included),
    so one references list and one sources table serve both."""
    out, n = [], after
    for pos in positions:
        mapping, cites = {}, []
        for c in pos.citations:
            n += 1
            mapping[c.n] = n
            cites.append(c.model_copy(update={"n": n}))
        summary = re.sub(r"\[(\d+)\]", lambda m, mp=mapping: f"[{mp.get(int(m.group(1)), m.group(1))}]", pos.summary)
        out.append(pos.model_copy(update={"citations": cites, "summary": summary}))
    return out


def all_citations(answer: Answer, positions: list[Position] | None = None) -> list[Citation]:
    return list(answer.citations) + [c for p in positions or [] for c in p.citations]


def render_answer(answer: Answer, model_name: str = "", positions: list[Position] | None = None) -> str:
    """The full chat message: badge, grounding mark, answer, positions table, footnotes, notices.
    `positions` must already be renumbered after the answer's citations (renumber_positions)."""
    parts = [header_line(answer.mode, model_name, answer.grounded), safe_markdown(answer.answer)]
    if positions:
        parts.append("**Positions**\n\n" + positions_markdown(positions))
    if answer.citations or positions:
        parts.append("---\n" + references_block(all_citations(answer, positions)))
    if answer.notices:
        parts.append(notices_block(answer.notices))
    return "\n\n".join(p for p in parts if p)


def flag_note(flags: Iterable[InjectionFlag]) -> str:
    """'⚠ flagged: <reasons>' for text flagged at index time as addressed to an AI assistant, else ''."""
    reasons = list(dict.fromkeys(f.reason for f in flags))
    return f"\u26a0 flagged: {'; '.join(reasons)}" if reasons else ""


def citation_rows(citations: Iterable[Citation]) -> list[list[str]]:
    """Rows of the clickable sources table: n | author | article (and its flag) | quote (plain text cells)."""
    return [
        [str(c.n), speaker(c.passage),
         " ".join(x for x in (c.passage.title or c.passage.outlet or c.passage.article_id, flag_note(c.passage.flags))
                  if x),
         short(c.quote)]
        for c in citations
    ]


# -- the passage panel -------------------------------------------------------------------
def render_passage(passage: Passage, article: Article | None, quote: str = "") -> str:
    """The article with the passage highlighted (<mark>) and the quoted words in bold."""
    title = passage.title or (article.title if article else "") or "untitled"
    meta = [
        f"<div class='pv-speaker'><b>{esc_html(speaker(passage))}</b></div>",
        f"<div class='pv-title'><i>{esc_html(title)}</i></div>",
        f"<div class='pv-where'>{esc_html(passage.outlet or UNKNOWN + ' outlet')}"
        f" · {esc_html(passage.date or 'undated')} · by {esc_html(authors_label(passage.authors))}</div>",
    ]
    if passage.flags:  # shown in full, like any passage, but never without its flag
        meta.append(f"<div class='pv-flag'>{esc_html(flag_note(passage.flags))}</div>")
    body = _highlighted(article.text, passage, quote) if article else _marked(passage.text, quote)
    return (
        "<div class='passage-view'>" + "".join(meta) + f"<div class='pv-text'>{body}</div></div>"
    )


def _highlighted(text: str, passage: Passage, quote: str) -> str:
    start, end = passage.start, passage.end
    if text[start:end] != passage.text:  # stale offsets: fall back to finding the passage
        start = text.find(passage.text)
        if start < 0:
            return _marked(passage.text, quote)
        end = start + len(passage.text)
    return esc_html(text[:start]) + _marked(text[start:end], quote) + esc_html(text[end:])


def _marked(passage_text: str, quote: str) -> str:
    at = passage_text.find(quote) if quote else -1
    if at < 0:
        return f"<mark id='passage-mark'>{esc_html(passage_text)}</mark>"
    before, middle, after = passage_text[:at], passage_text[at : at + len(quote)], passage_text[at + len(quote) :]
    return f"<mark id='passage-mark'>{esc_html(before)}<strong>{esc_html(middle)}</strong>{esc_html(after)}</mark>"


EMPTY_PASSAGE = "<div class='passage-view pv-empty'>Click a citation to read it in its article.</div>"


# -- positions ---------------------------------------------------------------------------
def positions_rows(positions: Iterable[Position]) -> tuple[list[list[str]], list[Citation]]:
    """One row per piece of evidence (author | stance | position | evidence) and the citation
    behind each row, so a click on a row opens its passage; the position is written on the
    author's first row only."""
    rows, cites = [], []
    for pos in positions:
        for i, citation in enumerate(pos.citations or [None]):
            evidence = f"[{citation.n}] “{short(citation.quote, 200)}”" if citation else "(no evidence)"
            rows.append([pos.author or UNKNOWN, pos.stance_label, "" if i else short(pos.summary, 300), evidence])
            cites.append(citation)
    return rows, cites


def positions_markdown(positions: Iterable[Position]) -> str:
    lines = ["| Author | Stance | Position | Evidence |", "|---|---|---|---|"]
    for pos in positions:
        evidence = "<br>".join(f"&#91;{c.n}&#93; “{esc_md(short(c.quote, 200))}”" for c in pos.citations)
        cells = (pos.author or UNKNOWN, pos.stance_label, pos.summary)
        lines.append("| " + " | ".join(esc_md(c) for c in cells) + f" | {evidence} |")
    return "\n".join(lines)


# -- summaries ---------------------------------------------------------------------------
def render_summary(summary: Summary, model_name: str = "", scope_label: str = "") -> str:
    """`scope_label`: how the scope reads to a person (an article's title and author), not its id."""
    parts = [
        f"`{mode_badge(summary.mode, model_name)}` · scope: {esc_md(scope_label or summary.scope)}"
        + (f" · on: {esc_md(summary.topic)}" if summary.topic else ""),
        safe_markdown(summary.summary),
        "---\n" + references_block(summary.citations) if summary.citations else "",
        notices_block(summary.notices),
    ]
    return "\n\n".join(p for p in parts if p)


# -- debate prep -------------------------------------------------------------------------
def card_cite(card: EvidenceCard, style: MarkdownStyle = IN_APP) -> str:
    """The card's cite in the brief's order (`counter.cite_parts`), each part escaped for `style`."""
    return ", ".join(style.text(part) for part in cite_parts(card))


def render_card(card: EvidenceCard, n: int, style: MarkdownStyle = IN_APP) -> str:
    # The claim is the brief's heading: a card does not repeat it ("Answers: ...").
    return f"#### {n}. {style.text(card.tag)}\n\n**{card_cite(card, style)}**\n\n> {style.text(card.text)}"


def render_counter(result: Counterpoints, model_name: str = "", style: MarkdownStyle = IN_APP) -> str:
    parts = [f"`{mode_badge(result.mode, model_name)}` · claim: “{style.text(result.claim)}”"]
    if result.undetermined:  # offline: relevant cards, grouped by author, no side asserted
        groups = (("Side not determined (by author)", result.undetermined),)
    else:
        groups = (("Counterpoints", result.counterpoints), ("Supporting evidence", result.supporting))
    for heading, cards in groups:
        parts.append(f"### {heading}")
        parts += [render_card(c, i, style) for i, c in enumerate(cards, 1)] or [f"*No {heading.lower()} found.*"]
    if result.notices:
        parts.append(notices_block(result.notices, style))
    return "\n\n".join(parts)


def card_rows(result: Counterpoints) -> tuple[list[list[str]], list[EvidenceCard]]:
    cards = [("counterpoint", c) for c in result.counterpoints] + [("supporting", c) for c in result.supporting]
    cards += [(UNDETERMINED, c) for c in result.undetermined]
    rows = [[side, short(c.tag, 120), c.cite.author or UNKNOWN, short(c.text)] for side, c in cards]
    return rows, [c for _, c in cards]


def brief_markdown(result: Counterpoints) -> str:
    """The downloadable debate brief: plain Markdown, corpus text escaped for Markdown."""
    return f"# Debate brief\n\n{render_counter(result, style=IN_FILE)}\n"


# -- library -----------------------------------------------------------------------------
LIBRARY_HEADERS = ["id", "title", "authors", "outlet", "date", "file", "flags"]


def library_rows(articles: Iterable[Article]) -> list[list[str]]:
    return [
        [a.id, a.title or "untitled", authors_label(a.authors), a.outlet or UNKNOWN, a.date or "", _name(a.source),
         flags_label(a)]
        for a in sorted(articles, key=lambda a: a.id)
    ]


def flags_label(article: Article) -> str:
    """The count of spans flagged as addressed to an AI assistant: '⚠ 2', or '' for none."""
    return f"\u26a0 {len(article.flags)}" if article.flags else ""


def _name(source: str) -> str:
    return source.replace("\\", "/").rsplit("/", 1)[-1]


# -- export ------------------------------------------------------------------------------
def export_markdown(turns: list[dict], model_name: str = "") -> str:
    """The conversation as a Markdown file, with a references section numbered across all answers."""
    lines = ["# Conversation", ""]
    refs: list[str] = []
    for i, turn in enumerate(turns, 1):
        answer = Answer.model_validate(turn["answer"])
        offset = len(refs)
        body = re.sub(r"\[(\d+)\]", lambda m, o=offset: f"[{int(m.group(1)) + o}]", answer.answer)
        lines += [f"## Q{i}. {md_text(answer.question)}", "", header_line(answer.mode, model_name, answer.grounded)]
        lines += ["", md_block(body), ""]
        for c in answer.citations:  # a file has no Sources table: its references keep the quotes
            refs.append(cite_line(c.model_copy(update={"n": c.n + offset}), IN_FILE))
    lines += ["## References", ""] + ([f"{r}  " for r in refs] or ["(none)"])
    return "\n".join(lines) + "\n"
