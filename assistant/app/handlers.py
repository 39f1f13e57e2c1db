"""Event handlers of the Gradio app: each turns component values into an AppAPI call and
the result into component updates (rendered and escaped by `render`)."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.app.api import AppAPI
from assistant.app.render import (
    all_citations,
    article_label,
    brief_markdown,
    card_rows,
    citation_rows,
    esc_code,
    esc_md,
    export_markdown,
    library_rows,
    mode_badge,
    notices_block,
    positions_rows,
    render_answer,
    render_counter,
    render_passage,
    render_summary,
    safe_markdown,
)
from assistant.core import UsageError
from assistant.library import LibraryError, UploadResult, add_files, add_urls, parse_authors, update_metadata
from assistant.models import Answer, Citation, EvidenceCard, Passage, Sources
from index.web import is_url

log = logging.getLogger(__name__)
Handler = Callable[..., Any]  # a Gradio event function
PROGRESS = gr.Progress()  # Gradio swaps in a live tracker for a parameter defaulting to one



class Downloads:
    """A private temp folder for generated Markdown files (export, debate brief)."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="assistant-app-"))

    def write(self, name: str, text: str) -> str:
        """A fresh file per call, so concurrent sessions never overwrite each other's download."""
        path = Path(tempfile.mkdtemp(dir=self.folder)) / name
        path.write_text(text, encoding="utf-8")
        return str(path)


def _fail(exc: Exception) -> gr.Error:
    return gr.Error(str(exc) or exc.__class__.__name__)


def _refuse(message: str, untouched: int) -> tuple:
    """A request that cannot be done as asked: a warning toast and the same words in the status
    line, every other output left as it is. (Raising gr.Error would put an "Error" overlay on
    every output component and log the message as a traceback.)"""
    gr.Warning(message)
    return (f"**Not done:** {esc_md(message)}", *[gr.skip()] * untouched)


# -- chat ----------------------------------------------------------------------------------
def _history(turns: list[dict]) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for turn in turns:
        out += [{"role": "user", "content": turn["answer"]["question"]},
                {"role": "assistant", "content": turn["answer"]["answer"]}]
    return out


def chat_handler(api: AppAPI, downloads: Downloads) -> Callable[..., Iterator[tuple]]:
    def respond(question: str, chat: list, turns: list, authors: list, articles: list) -> Iterator[tuple]:
        question = (question or "").strip()
        if not question:
            raise gr.Error("Type a question first.")
        chat = list(chat or []) + [{"role": "user", "content": esc_md(question)}, {"role": "assistant", "content": "…"}]
        streamed = ""
        try:
            for item in api.stream(question, _history(turns), authors, articles):
                if isinstance(item, Answer):
                    yield _finish(api, downloads, item, chat, turns, authors, articles)
                elif isinstance(item, Sources):
                    yield _sources(api, item, chat, turns)
                else:
                    streamed += item
                    chat[-1] = {"role": "assistant", "content": safe_markdown(streamed)}
                    yield chat, turns, gr.skip(), gr.skip(), gr.skip(), "", gr.skip()
        except UsageError as exc:
            raise _fail(exc) from exc

    return respond


def _sources(api: AppAPI, sources: Sources, chat: list, turns: list) -> tuple:
    """The retrieved passages in the sources table and the first in the passage view, shown
    while the model is still reading them."""
    shown = sources.citations()
    first = _passage_html(api, shown[0].passage, "") if shown else gr.skip()
    return chat, turns, gr.update(value=citation_rows(shown)), [c.model_dump() for c in shown], gr.skip(), "", first


def _finish(api: AppAPI, downloads: Downloads, answer: Answer, chat: list, turns: list, authors, articles) -> tuple:
    positions = api.compare_positions(answer, authors, articles)
    chat[-1] = {"role": "assistant", "content": render_answer(answer, api.model_name, positions)}
    turns = list(turns or []) + [{"answer": answer.model_dump()}]
    shown = all_citations(answer, positions)
    export = downloads.write("conversation.md", export_markdown(turns, api.model_name))
    return chat, turns, gr.update(value=citation_rows(shown)), [c.model_dump() for c in shown], export, "", gr.skip()


# -- opening passages ------------------------------------------------------------------------
def _open_citation(api: AppAPI, citations: list[dict | None], index: int) -> str:
    if index >= len(citations) or citations[index] is None:
        return gr.skip()
    citation = Citation.model_validate(citations[index])
    return _passage_html(api, citation.passage, citation.quote)


def _passage_html(api: AppAPI, passage: Passage, quote: str) -> str:
    try:
        article = api.assistant.article(passage.article_id)
    except UsageError:
        article = None  # deleted since: show the passage alone
    return render_passage(passage, article, quote)


def row_opener(api: AppAPI) -> Handler:
    def open_row(citations: list, evt: gr.SelectData) -> str:
        row = evt.index[0] if isinstance(evt.index, list | tuple) else evt.index
        return _open_citation(api, citations or [], int(row))

    return open_row


# -- jobs ------------------------------------------------------------------------------------
def positions_handler(api: AppAPI) -> Handler:
    def run(question: str, authors: list, articles: list) -> tuple:
        try:
            report = api.positions_report(question, authors, articles)
        except UsageError as exc:
            raise _fail(exc) from exc
        rows, cites = positions_rows(report.positions)
        note = [f"`{mode_badge(report.mode, api.model_name)}`"]
        if not report.positions:
            note.append("*No author in the corpus takes a position on this.*")
        note.append(notices_block(report.notices))
        return rows, [c.model_dump() if c else None for c in cites], "\n\n".join(n for n in note if n)

    return run


def summary_handler(api: AppAPI) -> Handler:
    def run(scope: str, article: str | None, author: str | None, topic: str | None = None) -> tuple:
        if scope == "Article" and not article:
            return _refuse("Pick an article to summarise.", 2)
        if scope == "Author" and not author:
            return _refuse("Pick an author to summarise.", 2)
        try:
            summary = api.summarize(article if scope == "Article" else None, author if scope == "Author" else None,
                                    topic)
        except UsageError as exc:
            raise _fail(exc) from exc
        cites = summary.citations
        shown = render_summary(summary, api.model_name, api.scope_label(summary.scope))
        return shown, citation_rows(cites), [c.model_dump() for c in cites]

    return run


def summary_pickers(scope: str) -> tuple:
    """Only the picker of the chosen scope is shown; the other is emptied, so no stale choice stays."""
    return _picker(scope == "Article"), _picker(scope == "Author")


def _picker(shown: bool) -> dict:
    return gr.update(visible=True) if shown else gr.update(visible=False, value=None)


def counter_handler(api: AppAPI, downloads: Downloads) -> Handler:
    def run(claim: str, authors: list, articles: list) -> tuple:
        try:
            result = api.counter(claim, authors, articles)
        except UsageError as exc:
            raise _fail(exc) from exc
        rows, cards = card_rows(result)
        brief = downloads.write("debate-brief.md", brief_markdown(result))
        cites = [_card_citation(card) for card in cards]
        counts = (f"{len(result.undetermined)} cards, side not determined" if result.undetermined else
                  f"{len(result.counterpoints)} counterpoints, {len(result.supporting)} supporting cards")
        note = [f"`{mode_badge(result.mode, api.model_name)}` · {counts}", notices_block(result.notices)]
        return ("\n\n".join(n for n in note if n), render_counter(result, api.model_name), rows, cites,
                gr.update(value=brief, visible=True))

    return run


def _card_citation(card: EvidenceCard) -> dict:
    return Citation(n=0, quote=card.text, passage=card.passage).model_dump()


# -- library ---------------------------------------------------------------------------------
LIBRARY_VIEW_OUTPUTS = 6  # what library_view returns
FORM_FIELDS = 4  # title, authors, outlet, date
def library_view(api: AppAPI, clear_selection: bool = False) -> tuple:
    """Updates for the library table, the article pickers and the filters after a change."""
    articles = api.assistant.articles()
    ids = [(article_label(a), a.id) for a in sorted(articles, key=lambda a: a.id)]
    picked = {"value": None} if clear_selection else {}
    return (
        library_rows(articles),
        gr.update(choices=ids, **picked),
        gr.update(choices=api.people()),
        gr.update(choices=api.article_choices()),
        gr.update(choices=api.article_choices()),
        gr.update(choices=api.people()),
    )


def upload_handler(api: AppAPI) -> Handler:
    def run(files: list | None, progress: gr.Progress = PROGRESS) -> tuple:
        if not files:
            raise gr.Error("Choose one or more files to add.")
        items = [(Path(f).name, Path(f).read_bytes()) for f in files]
        progress(0, desc="checking files")
        try:
            result = add_files(api.assistant, items, lambda done, total, msg: progress((done, total), desc=msg))
        except (UsageError, RuntimeError) as exc:
            raise _fail(exc) from exc
        return (_upload_report(result), None, *library_view(api))

    return run


def url_handler(api: AppAPI) -> Handler:
    """The Library's "Add from URL": fetch each address into the corpus and index it."""

    def run(text: str, progress: gr.Progress = PROGRESS) -> tuple:
        urls = (text or "").split()
        if not urls:
            raise gr.Error("Enter one or more http(s) addresses to add.")
        progress(0, desc="fetching pages")
        try:
            result = add_urls(api.assistant, urls, progress=lambda done, total, msg: progress((done, total), desc=msg))
        except (UsageError, RuntimeError) as exc:
            raise _fail(exc) from exc
        return (_upload_report(result), "", *library_view(api))

    return run


def _upload_report(result: UploadResult) -> str:
    lines = [f"Added `{esc_code(p.name)}`" for p in result.saved]
    refused = result.rejected + (result.report.errors + result.report.duplicates if result.report else [])
    lines += [f"**Refused** `{esc_code(e.path if is_url(e.path) else Path(e.path).name)}`: {esc_md(e.error)}"
              for e in refused]
    report = result.report
    if report:
        lines.append(f"Index: {report.articles} articles, {report.chunks} passages ({report.added} added).")
    return "  \n".join(lines) or "Nothing to add."


def select_article(api: AppAPI) -> Handler:
    def pick(evt: gr.SelectData) -> tuple:
        row = evt.row_value if getattr(evt, "row_value", None) else None
        article_id = row[0] if row else None
        return _fill_form(api, article_id)

    return pick


def _fill_form(api: AppAPI, article_id: str | None) -> tuple:
    if not article_id:
        return gr.skip(), "", "", "", ""
    try:
        a = api.assistant.article(article_id)
    except UsageError:
        return gr.skip(), "", "", "", ""
    return article_id, a.title, ", ".join(a.authors), a.outlet, a.date


def save_metadata(api: AppAPI) -> Handler:
    def run(article_id: str, title: str, authors: str, outlet: str, date: str) -> tuple:
        if not article_id:
            return _refuse("Pick an article to edit.", LIBRARY_VIEW_OUTPUTS)
        try:
            report = update_metadata(
                api.assistant, article_id, title=title, authors=parse_authors(authors), outlet=outlet, date=date
            )
        except (UsageError, LibraryError, RuntimeError) as exc:
            raise _fail(exc) from exc
        errors = "; ".join(esc_md(e.error) for e in report.errors)
        saved = f"Saved `{esc_code(article_id)}` to articles.toml and re-indexed it"
        status = f"**Not saved:** {errors}" if errors else saved
        return (status, *library_view(api))

    return run


def delete(api: AppAPI) -> Handler:
    """Outputs: status, the tick, the library view, then the form fields (emptied once deleted)."""

    def run(article_id: str, confirm: bool) -> tuple:
        if not article_id:
            return _refuse("Pick an article to delete.", 1 + LIBRARY_VIEW_OUTPUTS + FORM_FIELDS)
        if not confirm:
            return _refuse("Tick 'yes, delete it' to confirm.", 1 + LIBRARY_VIEW_OUTPUTS + FORM_FIELDS)
        try:
            message = api.assistant.delete_article(article_id)
        except (UsageError, RuntimeError, OSError) as exc:
            raise _fail(exc) from exc
        return (f"Deleted: {esc_md(message)}", False, *library_view(api, clear_selection=True), *[""] * FORM_FIELDS)

    return run
