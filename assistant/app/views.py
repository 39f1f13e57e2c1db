"""The Gradio app: chat with checkable citations, positions, summaries, debate prep, the library.

`build_app()` returns the Blocks and `launch_options()` the arguments `app.py` launches it with.
Operations live in `api.AppAPI`, rendering (and all escaping of corpus text) in `render`,
corpus changes in `assistant.library`, event handlers in `handlers`; this module lays out the views and
registers the named API endpoints (/ask, /positions, /summarize, /counter, /search).
"""

from __future__ import annotations

from typing import Any

import gradio as gr

from assistant.app import handlers as h
from assistant.app.api import AppAPI
from assistant.app.render import EMPTY_PASSAGE, LIBRARY_HEADERS
from assistant.core import Assistant, UsageError
from assistant.library import UPLOAD_SUFFIXES
from assistant.settings import Settings

QUEUE_CONCURRENCY = 4  # answers are CPU-bound (embedding, reranking): a few at a time
QUEUE_MAX_SIZE = 64
SOURCE_HEADERS = ["#", "speaker", "article", "quote"]
POSITION_HEADERS = ["author", "stance", "position", "evidence"]
CARD_HEADERS = ["side", "tag", "author", "quote"]
SOURCE_WIDTHS = ["7%", "18%", "25%", "50%"]
TABLE_HEIGHT = 720  # px: several quotes readable at once, the page scrolls past it
PRIVATE: dict[str, Any] = {"api_visibility": "private"}
SCROLL_TO_MARK = (
    "watch('value', () => { const m = element.querySelector('mark');"
    " if (m) m.scrollIntoView({block: 'center', behavior: 'instant'}); });"
)
SCROLL_JS = (
    "() => { setTimeout(() => { const m = document.querySelector('#passage mark');"
    " if (m) m.scrollIntoView({block: 'center', behavior: 'instant'}); }, 150); }"
)
# After an answer, the chat shows its first line (Gradio's autoscroll would show its last: the references).
SCROLL_TO_ANSWER_JS = (
    "() => { setTimeout(() => { const box = document.querySelector('#chat .bubble-wrap');"
    " const bot = [...document.querySelectorAll('#chat .bot-row')].pop();"
    " if (box && bot) box.scrollTop += bot.getBoundingClientRect().top - box.getBoundingClientRect().top - 8;"
    " }, 100); }"
)
CSS = """
.passage-view { font-size: 0.95rem; line-height: 1.55; }
.passage-view .pv-text { white-space: pre-wrap; margin-top: .6rem; max-height: 34rem; overflow-y: auto;
  border-top: 1px solid var(--border-color-primary); padding-top: .5rem; }
.passage-view mark { background: #fff3a3; color: #111; padding: 0 .1rem; }
.passage-view .pv-where { color: var(--body-text-color-subdued); font-size: .85rem; }
.pv-empty { color: var(--body-text-color-subdued); }
/* Tables of quotes: proportional type, and words kept whole: Gradio's cells use a monospace font
   and `word-break: break-word`, which lets the table squeeze columns until words split mid-word.
   `overflow-wrap: break-word` breaks only a token longer than its column (a URL). */
.quote-table .body-cell, .quote-table .body-cell *, .quote-table th, .quote-table th * {
  font-family: var(--font) !important; word-break: normal !important; overflow-wrap: break-word !important;
  hyphens: none !important; }
/* Gradio sizes the columns as shares of the table's width: on a phone the table keeps a readable
   width and scrolls sideways instead of squeezing names letter by letter. */
.quote-table .table-wrap { min-width: 40rem; }
"""
INTRO = (
    "### Opinion-article assistant\n"
    "Answers quote the articles verbatim. Click a source row to read the passage highlighted in its article."
)


def _table(headers: list[str], label: str, elem_id: str, widths: list[str] | None = None) -> gr.Dataframe:
    """A read-only table of plain-text cells (datatype str: corpus text is shown, never rendered)."""
    return gr.Dataframe(
        headers=headers, datatype="str", interactive=False, wrap=True, label=label, elem_id=elem_id,
        max_height=TABLE_HEIGHT, column_widths=widths, elem_classes=["quote-table"],
    )


def _markdown(**kwargs: Any) -> gr.Markdown:
    return gr.Markdown(sanitize_html=True, latex_delimiters=[], **kwargs)


def build_app(assistant: Assistant | None = None) -> gr.Blocks:
    """The whole app over one Assistant (shared by every session)."""
    api = AppAPI(assistant or Assistant())
    downloads = h.Downloads()
    with gr.Blocks(title="Opinion-article assistant") as demo:
        _markdown(value=INTRO)
        # Created first so the chat can fill it with the sources before the answer; rendered in the side column.
        passage = gr.HTML(EMPTY_PASSAGE, elem_id="passage", js_on_load=SCROLL_TO_MARK, render=False)
        with gr.Row():
            with gr.Column(scale=3):
                with gr.Tabs():
                    filters = _filters_placeholder()
                    chat = _chat_tab(api, downloads, filters, passage)
                    positions = _positions_tab(api, filters)
                    summaries = _summaries_tab(api)
                    debate = _debate_tab(api, downloads, filters)
                    library = _library_tab(api)
            with gr.Column(scale=2):
                _filters_panel(filters)
                passage.render()
        for table, cites in chat["openers"] + summaries["openers"] + [positions, debate]:
            table.select(h.row_opener(api), [cites], passage, **PRIVATE).then(None, js=SCROLL_JS, **PRIVATE)
        view_outputs = [library["table"], library["article"], filters["authors"], filters["articles"],
                        summaries["article"], summaries["author"]]
        _wire_library(api, library, view_outputs)
        demo.load(lambda: h.library_view(api), None, view_outputs, **PRIVATE)
        _register_api(api)
    demo.queue(default_concurrency_limit=QUEUE_CONCURRENCY, max_size=QUEUE_MAX_SIZE)
    return demo


# -- filters ----------------------------------------------------------------------------------
def _filters_placeholder() -> dict[str, gr.Dropdown]:
    """Created unrendered so the tabs can take them as inputs; rendered in the side panel."""
    return {
        "authors": gr.Dropdown(label="Only these authors", multiselect=True, choices=[], render=False,
                               elem_id="filter-authors"),
        "articles": gr.Dropdown(label="Only these articles", multiselect=True, choices=[], render=False,
                                elem_id="filter-articles"),
    }


def _filters_panel(filters: dict[str, gr.Dropdown]) -> None:
    with gr.Accordion("Filters: restrict chat, positions and debate prep", open=False):
        filters["authors"].render()
        filters["articles"].render()


# -- views --------------------------------------------------------------------------------------
def _chat_tab(api: AppAPI, downloads: h.Downloads, filters: dict, passage: gr.HTML) -> dict:
    with gr.Tab("Chat", id="chat"):
        chatbot = gr.Chatbot(  # no floating label: it covered the first line of the chat
            label="Conversation", show_label=False, elem_id="chat", height=520, sanitize_html=True,
            latex_delimiters=[], autoscroll=False,
            placeholder="Ask about the articles, e.g. *How do Ashford and Kroenig differ on a peace deal?*",
        )
        with gr.Row():
            question = gr.Textbox(show_label=False, placeholder="Ask a question…", elem_id="question", scale=5)
            ask = gr.Button("Ask", variant="primary", elem_id="ask", scale=1)
        sources = _table(SOURCE_HEADERS, "Sources: click a row to open the passage", "sources", SOURCE_WIDTHS)
        with gr.Row():
            export = gr.DownloadButton("Export conversation (Markdown)", elem_id="export")
            clear = gr.Button("New conversation", elem_id="clear")
        turns, cites = gr.State([]), gr.State([])
    inputs = [question, chatbot, turns, filters["authors"], filters["articles"]]
    outputs = [chatbot, turns, sources, cites, export, question, passage]
    respond = h.chat_handler(api, downloads)
    for event in (ask.click, question.submit):
        event(respond, inputs, outputs, **PRIVATE).then(None, js=SCROLL_TO_ANSWER_JS, **PRIVATE)
    clear.click(lambda: ([], [], [], [], None), None, [chatbot, turns, sources, cites, export], **PRIVATE)
    return {"openers": [(sources, cites)]}


def _positions_tab(api: AppAPI, filters: dict) -> tuple[gr.Dataframe, gr.State]:
    with gr.Tab("Positions", id="positions"):
        question = gr.Textbox(label="Question", placeholder="e.g. Should the West negotiate with Putin now?",
                              elem_id="positions-question")
        run = gr.Button("Compare positions", variant="primary", elem_id="positions-run")
        note = _markdown()
        table = _table(POSITION_HEADERS, "Positions: click a row to open its evidence", "positions-table",
                       ["16%", "14%", "30%", "40%"])
        cites = gr.State([])
    inputs = [question, filters["authors"], filters["articles"]]
    run.click(h.positions_handler(api), inputs, [table, cites, note], **PRIVATE)
    question.submit(h.positions_handler(api), inputs, [table, cites, note], **PRIVATE)
    return table, cites


def _summaries_tab(api: AppAPI) -> dict:
    with gr.Tab("Summaries", id="summaries"):
        scope = gr.Radio(["Whole corpus", "Article", "Author"], value="Whole corpus", label="Summarise",
                         elem_id="summary-scope")
        with gr.Row():  # only the picker of the chosen scope is shown (summary_pickers)
            article = gr.Dropdown(label="Article", choices=[], elem_id="summary-article", visible=False)
            author = gr.Dropdown(label="Author", choices=[], elem_id="summary-author", visible=False)
        topic = gr.Textbox(label="On (optional)", placeholder="a topic, e.g. when society may restrict a person",
                           elem_id="summary-topic", max_lines=1)
        run = gr.Button("Summarise", variant="primary", elem_id="summary-run")
        out = _markdown(elem_id="summary")
        sources = _table(SOURCE_HEADERS, "Sources: click a row to open the passage", "summary-sources",
                         SOURCE_WIDTHS)
        cites = gr.State([])
    run.click(h.summary_handler(api), [scope, article, author, topic], [out, sources, cites], **PRIVATE)
    scope.change(h.summary_pickers, scope, [article, author], **PRIVATE)
    return {"openers": [(sources, cites)], "article": article, "author": author}


def _debate_tab(api: AppAPI, downloads: h.Downloads, filters: dict) -> tuple[gr.Dataframe, gr.State]:
    with gr.Tab("Debate prep", id="debate"):
        claim = gr.Textbox(label="Claim to prepare against", elem_id="claim",
                           placeholder="e.g. Negotiating with Putin now would reward aggression.")
        with gr.Row():
            run = gr.Button("Find counterpoints and evidence", variant="primary", elem_id="counter-run")
            brief = gr.DownloadButton("Download brief (Markdown)", visible=False, elem_id="brief")
        note = _markdown(elem_id="counter-note")
        table = _table(CARD_HEADERS, "Evidence cards: click a row to open the passage", "cards-table",
                       ["17%", "27%", "16%", "40%"])
        with gr.Accordion("The cards in full (as in the brief)", open=False):
            cards = _markdown(elem_id="cards")
        cites = gr.State([])
    inputs = [claim, filters["authors"], filters["articles"]]
    outputs = [note, cards, table, cites, brief]
    run.click(h.counter_handler(api, downloads), inputs, outputs, **PRIVATE)
    claim.submit(h.counter_handler(api, downloads), inputs, outputs, **PRIVATE)
    return table, cites


def _library_tab(api: AppAPI) -> dict:
    with gr.Tab("Library", id="library"):
        table = _table(LIBRARY_HEADERS, "Articles: click a row to edit it", "library-table",
                       ["21%", "27%", "16%", "14%", "8%", "9%", "5%"])
        with gr.Accordion("Add articles", open=True):
            files = gr.File(label="txt, md, html, pdf, docx, or captions (vtt, srt, sbv)", file_count="multiple",
                            elem_id="upload", file_types=sorted(UPLOAD_SUFFIXES))
            add = gr.Button("Add to library", variant="primary", elem_id="upload-run")
            with gr.Row():
                url = gr.Textbox(label="Add from URL (one or more http(s) addresses)", elem_id="add-url", scale=5)
                add_url = gr.Button("Add from URL", elem_id="add-url-run", scale=1)
            upload_status = _markdown(elem_id="upload-status")
        with gr.Accordion("Edit or delete an article", open=True):
            article = gr.Dropdown(label="Article", choices=[], elem_id="edit-article")
            title = gr.Textbox(label="Title", elem_id="edit-title")
            authors = gr.Textbox(label="Authors (comma-separated; empty = unknown)", elem_id="edit-authors")
            with gr.Row():
                outlet = gr.Textbox(label="Outlet", elem_id="edit-outlet")
                date = gr.Textbox(label="Date", elem_id="edit-date")
            save = gr.Button("Save metadata and re-index", elem_id="edit-save")
            with gr.Row():
                confirm = gr.Checkbox(label="yes, delete it", value=False, elem_id="delete-confirm")
                delete = gr.Button("Delete article", variant="stop", elem_id="delete")
            status = _markdown(elem_id="library-status")
    return {"table": table, "files": files, "add": add, "url": url, "add_url": add_url,
            "upload_status": upload_status, "article": article,
            "fields": [title, authors, outlet, date], "save": save, "confirm": confirm, "delete": delete,
            "status": status}


def _wire_library(api: AppAPI, lib: dict, view_outputs: list) -> None:
    form = [lib["article"], *lib["fields"]]
    lib["table"].select(h.select_article(api), None, form, **PRIVATE)
    lib["article"].input(lambda a: h._fill_form(api, a)[1:], lib["article"], lib["fields"], **PRIVATE)
    lib["add"].click(h.upload_handler(api), lib["files"], [lib["upload_status"], lib["files"], *view_outputs],
                     concurrency_limit=1, concurrency_id="index", **PRIVATE)
    for event in (lib["add_url"].click, lib["url"].submit):
        event(h.url_handler(api), lib["url"], [lib["upload_status"], lib["url"], *view_outputs],
              concurrency_limit=1, concurrency_id="index", **PRIVATE)
    lib["save"].click(h.save_metadata(api), form, [lib["status"], *view_outputs],
                      concurrency_limit=1, concurrency_id="index", **PRIVATE)
    lib["delete"].click(h.delete(api), [lib["article"], lib["confirm"]],
                        [lib["status"], lib["confirm"], *view_outputs, *lib["fields"]],
                        concurrency_limit=1, concurrency_id="index", **PRIVATE)


# -- named API endpoints ---------------------------------------------------------------------
def _register_api(api: AppAPI) -> None:
    def ask(
        question: str, history: list | None = None, authors: list | None = None, articles: list | None = None
    ) -> tuple[str, dict]:
        """Answer a question: (answer Markdown with footnotes, the Answer as JSON with `grounded`)."""
        return _guard(api.ask, question, history, authors, articles)

    def positions(question: str) -> dict:
        """Each author's position on a question, with stance and cited evidence."""
        found = _guard(api.positions, question)
        return {"question": question, "positions": [p.model_dump() for p in found]}

    def summarize(article: str = "", author: str = "", topic: str = "") -> dict:
        """A cited summary of one article (id), one author, or (both empty) the whole corpus; on `topic` if given."""
        return _guard(api.summarize, article or None, author or None, topic or None).model_dump()

    def counter(claim: str) -> dict:
        """Counterpoint and supporting evidence cards for a claim."""
        return _guard(api.counter, claim).model_dump()

    def search(query: str, k: int = 5, author: str = "", article: str = "") -> dict:
        """The k best passages for a query, optionally restricted to an author or article id."""
        found = _guard(api.search, query, k, author or None, article or None)
        return {"query": query, "passages": [p.model_dump() for p in found]}

    for fn in (ask, positions, summarize, counter, search):
        gr.api(fn, api_name=fn.__name__)


def _guard(fn, *args):
    try:
        return fn(*args)
    except UsageError as exc:
        raise gr.Error(str(exc)) from exc


# -- launching -------------------------------------------------------------------------------
def parse_auth(value: str | None) -> list[tuple[str, str]] | None:
    """`user:password` -> [(user, password)]; unset -> no login."""
    if not value:
        return None
    user, sep, password = value.partition(":")
    if not sep or not user or not password:
        raise ValueError("ASSISTANT_AUTH must look like user:password")
    return [(user, password)]


def launch_options(settings: Settings) -> dict[str, Any]:
    return {
        "server_name": settings.host,
        "server_port": settings.port,
        "auth": parse_auth(settings.auth),
        "max_file_size": f"{settings.max_upload_mb}mb",
        "css": CSS,
        "show_error": True,
    }
