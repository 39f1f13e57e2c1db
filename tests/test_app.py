"""The Gradio app: `python app.py` on a free port driven through every named endpoint with
gradio_client; login; and the library operations behind the Library view (uploads with size,
type and name checks, metadata edits persisted to articles.toml, deletion) on real indexes."""

from __future__ import annotations

import html
import re
import shutil
import tomllib

import pytest
from app_server import free_port, shared_app
from conftest import CORPUS, make_settings
from gradio_client import Client

from assistant import Assistant
from assistant.app.api import AppAPI, normalise_history
from assistant.app.render import (
    brief_markdown,
    esc_html,
    export_markdown,
    md_text,
    positions_rows,
    render_answer,
    render_passage,
    safe_markdown,
)
from assistant.app.views import build_app, launch_options, parse_auth
from assistant.library import add_files, check_upload, delete_article, safe_filename, update_metadata
from assistant.models import Answer

ANSWERABLE = "How do Ashford and Kroenig differ on a peace deal?"
UNANSWERABLE = "What is the best recipe for sourdough bread?"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
HOSTILE = (
    "Harbour pilots and the grain corridor <script>alert(1)</script>\n\nBy Ada Lighthouse\n\n"
    "Harbour pilots guide the grain ships through the corridor <img src=x onerror=alert(1)> every night.\n\n"
    "The harbour pilots say the grain corridor is safe when the pilots ride along on every ship.\n"
)


def _has(name: str) -> bool:
    return callable(getattr(Assistant, name, None))


# -- the real app over HTTP ---------------------------------------------------------------
@pytest.fixture(scope="module")
def client(request, tmp_path_factory):
    url, _corpus = shared_app(request, tmp_path_factory)
    return Client(url, verbose=False)


def test_named_endpoints_are_exposed(client):
    names = set(client.view_api(return_format="dict", print_info=False)["named_endpoints"])
    assert {"/ask", "/positions", "/summarize", "/counter", "/search"} <= names


def test_ask_returns_markdown_and_answer_json(client):
    markdown, data = client.predict(ANSWERABLE, api_name="/ask")
    answer = Answer.model_validate(data)
    assert answer.grounded and answer.citations
    assert "References" in markdown and "`extractive`" in markdown
    for citation in answer.citations:
        assert citation.quote in citation.passage.text


@pytest.mark.skipif(not _has("positions"), reason="Assistant.positions (issue 4) not in this build")
def test_comparison_answer_includes_positions_table(client):
    markdown, data = client.predict(ANSWERABLE, api_name="/ask")
    assert "| Author | Stance | Position | Evidence |" in markdown
    after = len(data["citations"]) + 1
    assert f"**&#91;{after}&#93;**" in markdown  # table evidence numbered after the answer's citations


def test_references_do_not_repeat_the_quotes(client):
    """Each quote is shown in the answer and the Sources table; the References only say where it is from."""
    markdown, data = client.predict("What does George Beebe argue about direct talks?", api_name="/ask")
    answer_part, references = html.unescape(markdown).split("**References**")
    assert data["citations"]
    for citation in data["citations"]:
        assert citation["quote"][:60] not in references
        assert f"[{citation['n']}]" in references
    assert any(c["quote"][:60] in answer_part for c in data["citations"])


def test_ask_unanswerable_is_marked_not_grounded(client):
    markdown, data = client.predict(UNANSWERABLE, api_name="/ask")
    assert data["grounded"] is False
    assert "Not grounded" in markdown


def test_ask_follow_up_with_history(client):
    history = [["What does George Beebe argue about direct talks?", "He argues for discreet direct talks."]]
    markdown, data = client.predict("And what does Beebe say about Putin's interest in talks?", history,
                                    api_name="/ask")
    assert data["question"] == "And what does Beebe say about Putin's interest in talks?"
    assert data["grounded"] and data["citations"] and markdown


def test_ask_with_author_filter(client):
    _markdown, data = client.predict("Should the United States negotiate with Russia?", None, ["Beebe"], None,
                                     api_name="/ask")
    assert {c["passage"]["author"] for c in data["citations"]} == {"George Beebe"}


def test_search_endpoint(client):
    result = client.predict("direct talks with Moscow", 3, "", "", api_name="/search")
    assert result["query"] == "direct talks with Moscow"
    assert 0 < len(result["passages"]) <= 3
    only = client.predict("negotiations", 5, "DePetris", "", api_name="/search")
    assert {p["author"] for p in only["passages"]} == {"Daniel R. DePetris"}


def test_bad_input_is_an_error_not_a_crash(client):
    with pytest.raises(Exception, match="empty"):
        client.predict("   ", api_name="/ask")


@pytest.mark.skipif(not _has("positions"), reason="Assistant.positions (issue 4) not in this build")
def test_positions_endpoint(client):
    result = client.predict("Should the West negotiate with Putin now?", api_name="/positions")
    assert result["positions"]
    for position in result["positions"]:
        assert position["author"] and position["stance"]


@pytest.mark.skipif(not _has("summarize"), reason="Assistant.summarize (issue 4) not in this build")
def test_summarize_endpoint(client):
    corpus = client.predict("", "", api_name="/summarize")
    assert corpus["summary"] and corpus["citations"]
    one = client.predict("ni-us-russia-talks-must-continue", "", api_name="/summarize")
    assert {c["passage"]["article_id"] for c in one["citations"]} == {"ni-us-russia-talks-must-continue"}
    on = client.predict("", "Acton", "sanctions relief", api_name="/summarize")
    assert on["topic"] == "sanctions relief" and on["scope"] == "author:James M. Acton"


@pytest.mark.skipif(not _has("counter"), reason="Assistant.counter (issue 4) not in this build")
def test_counter_endpoint(client):
    result = client.predict("Negotiating with Putin now would reward aggression.", api_name="/counter")
    assert result["claim"]
    assert result["undetermined"] and not result["counterpoints"], "offline: cards with no side asserted"


# -- login ----------------------------------------------------------------------------------
def test_auth_is_required_when_configured(built_data):
    settings = make_settings(built_data, ASSISTANT_AUTH="analyst:s3cret", ASSISTANT_PORT=free_port())
    demo = build_app(Assistant(settings))
    demo.launch(prevent_thread_lock=True, quiet=True, **launch_options(settings))
    try:
        url = f"http://127.0.0.1:{settings.port}/"
        with pytest.raises(Exception):  # noqa: B017 - any refusal will do: no config without login
            Client(url, verbose=False).predict("direct talks", 2, "", "", api_name="/search")
        authed = Client(url, auth=("analyst", "s3cret"), verbose=False)
        assert authed.predict("direct talks", 2, "", "", api_name="/search")["passages"]
    finally:
        demo.close()


def test_auth_and_bind_settings():
    assert parse_auth(None) is None
    assert parse_auth("user:pa:ss") == [("user", "pa:ss")]
    with pytest.raises(ValueError):
        parse_auth("no-colon")
    options = launch_options(make_settings(__import__("pathlib").Path("/tmp/x")))
    assert options["server_name"] == "127.0.0.1" and options["server_port"] == 7860
    assert options["auth"] is None


# -- uploads -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("..\\..\\windows\\evil.md", "evil.md"),
        ("/abs/path/x.html", "x.html"),
        (".hidden.txt", "hidden.txt"),
        ("a b<>|:*?.HTML", "a_b.html"),
        ("..", "upload"),
        ("Zürich café.pdf", "Zurich_cafe.pdf"),
    ],
)
def test_safe_filename(name, expected):
    assert safe_filename(name) == expected


def test_upload_checks_size_type_and_content():
    limit = 1000
    assert check_upload("a.txt", b"plain words " * 10, limit) is None
    assert "too large" in check_upload("a.txt", b"x" * 2000, limit)
    assert "unsupported" in check_upload("a.exe", b"MZ...", limit)
    assert "image/png" in check_upload("photo.txt", PNG, limit)  # extension lies, content decides
    assert "not a PDF" in check_upload("fake.pdf", b"just text pretending", limit)
    assert check_upload("real.pdf", b"%PDF-1.4\n...", limit) is None
    assert check_upload("empty.md", b"   ", limit) == "empty file"


@pytest.fixture(scope="module")
def library_dirs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("library")
    shutil.copytree(CORPUS, tmp / "corpus")
    return tmp / "corpus", tmp / "data"


@pytest.fixture(scope="module")
def library(library_dirs) -> Assistant:
    """A real assistant whose index is built from a private corpus copy, shared by the library
    tests below (each one changes a different article)."""
    corpus, data = library_dirs
    assistant = Assistant(make_settings(data, corpus, ASSISTANT_MAX_UPLOAD_MB=1))
    assistant.index()
    return assistant


@pytest.fixture
def corpus_copy(library_dirs):
    return library_dirs[0]


def test_upload_adds_escapes_and_sanitises(library, corpus_copy):
    files = [("../../outside/pilots.txt", HOSTILE.encode()), ("image.md", PNG), ("big.txt", b"a " * 600_000)]
    result = add_files(library, files)
    assert [p.name for p in result.saved] == ["pilots.txt"]
    assert result.saved[0].parent == corpus_copy  # the traversal was stripped
    assert not (corpus_copy.parent / "outside").exists()
    errors = {e.path: e.error for e in result.rejected}
    assert "image/png" in errors["image.md"] and "too large" in errors["big.txt"]
    article = next(a for a in library.articles() if a.source.endswith("pilots.txt"))
    passage = library.search("harbour pilots grain corridor", k=1, article=article.id)[0]
    html = render_passage(passage, article, passage.text[:20])
    assert "<script" not in html and "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<mark" in html


def test_duplicate_and_unreadable_uploads_are_reported_and_not_kept(library, corpus_copy):
    existing = (corpus_copy / "001_da8c7eaf3d9932b6.txt").read_bytes()
    result = add_files(library, [("dup.txt", existing), ("blank.html", b"<html><body><p></p></body></html>")])
    assert result.saved == []
    assert "same content as 001_da8c7eaf3d9932b6.txt" in result.rejected[0].error
    assert result.report.errors and result.report.errors[0].path.endswith("blank.html")
    assert not (corpus_copy / "dup.txt").exists() and not (corpus_copy / "blank.html").exists()


def test_metadata_edit_is_persisted_and_reindexed(library, corpus_copy):
    article_id = "js-risks-of-rushing-to-negotiations"
    update_metadata(library, article_id, title="Rushing to Talks", authors=["Ryan Goodman"], outlet="Just Security",
                    date="2022-11-15")
    saved = {e["file"]: e for e in tomllib.loads((corpus_copy / "articles.toml").read_text())["article"]}
    entry = saved["003_6a1fe5df6553ce66.txt"]
    assert entry["title"] == "Rushing to Talks" and entry["authors"] == ["Ryan Goodman"]
    assert entry["date"] == "2022-11-15" and entry["id"] == article_id
    article = library.article(article_id)
    assert article.title == "Rushing to Talks" and article.authors == ["Ryan Goodman"]
    assert library.search("negotiations", k=2, article=article_id)[0].title == "Rushing to Talks"


def test_metadata_edit_to_unknown_author(library, corpus_copy):
    update_metadata(library, "qi-beebe-direct-talks", title="Direct Talks", authors=[], outlet="Quincy", date="2023")
    assert library.article("qi-beebe-direct-talks").authors == []


def test_delete_moves_file_to_trash_and_stays_deleted(library, corpus_copy):
    message = delete_article(library, "ni-us-russia-talks-must-continue")
    assert ".trash" in message
    assert not (corpus_copy / "001_da8c7eaf3d9932b6.txt").exists()
    assert (corpus_copy / ".trash" / "001_da8c7eaf3d9932b6.txt").exists()
    assert "001_da8c7eaf3d9932b6.txt" not in (corpus_copy / "articles.toml").read_text()
    assert "ni-us-russia-talks-must-continue" not in {a.id for a in library.articles()}
    library.index()  # re-indexing the corpus does not bring it back
    assert "ni-us-russia-talks-must-continue" not in {a.id for a in library.articles()}


def test_edits_outside_the_corpus_are_refused(assistant, tmp_path):
    # the shared index was built from the repository's corpus; this app's corpus is elsewhere
    other = Assistant(make_settings(assistant.settings.data, tmp_path / "elsewhere"))
    with pytest.raises(ValueError, match="not in the corpus folder"):
        update_metadata(other, "qi-beebe-direct-talks", title="x", authors=[], outlet="", date="")


# -- rendering and export ------------------------------------------------------------------
def test_escaping_of_corpus_text():
    hostile = "<script>alert(1)</script><img src=x onerror=alert(1)> ${alert(1)} {{x}} \"q\""
    out = esc_html(hostile)
    for bad in ("<script", "<img", "${", "{{", '"'):
        assert bad not in out
    markdown = safe_markdown('> “quote <b>x</b> [a](javascript:alert(1)) ![t](http://evil/t.png)” [1]')
    assert markdown.startswith("> ") and "](" not in markdown and "<b>" not in markdown and "[1]" in markdown


def test_answer_rendering_and_export(assistant):
    answer = assistant.ask(ANSWERABLE)
    markdown = render_answer(answer, "")
    assert markdown.startswith("`extractive`") and "**&#91;1&#93;**" in markdown
    second = assistant.ask("What does George Beebe argue about direct talks?")
    turns = [{"answer": answer.model_dump()}, {"answer": second.model_dump()}]
    exported = export_markdown(turns)
    assert exported.count("## Q") == 2 and "## References" in exported
    n = len(answer.citations) + len(second.citations)
    assert f"**[{n}]**" in exported


HOSTILE_LINES = [
    "Putin's War: “we're not looking at troop levels”",
    "<script>alert(1)</script> <img src=x onerror=alert(1)> [a link](javascript:alert(1))",
    "*not emphasis* _nor this_ `nor code` a | b ~~x~~ \\ back &amp; &#x27;",
    "# not a heading", "> not a quote", "- not a list", "2022. not a list either",
]


@pytest.mark.parametrize("text", HOSTILE_LINES)
def test_markdown_file_escaper_shows_the_text_itself(text):
    """A Markdown viewer shows exactly the corpus text: nothing interpreted, no entities in the file."""
    from markdown_it import MarkdownIt

    escaped = md_text(text)
    assert "&#" not in escaped.replace("&#x27;", "")  # the only entity is the one in the text itself
    rendered = MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(escaped)
    assert rendered.startswith("<p>") and rendered.count("<") == 2  # one paragraph, no tags from the text
    assert html.unescape(re.sub(r"</?p>", "", rendered)).strip() == text


def test_downloaded_files_are_markdown_not_html_entities(assistant):
    answer = assistant.ask("What does Kroenig argue about Putin's war?")
    exported = export_markdown([{"answer": answer.model_dump()}])
    brief = brief_markdown(assistant.counter("Negotiating with Putin now would reward aggression."))
    for text in (exported, brief):
        assert not re.search(r"&#?\w+;", text), re.search(r".{40}&#?\w+;.{20}", text)


def test_positions_show_each_authors_position_once(assistant):
    rows, _cites = positions_rows(assistant.positions("Should the West negotiate with Putin now?"))
    authors = [row[0] for row in rows]
    assert len(set(authors)) < len(authors), "some author has several evidence rows"
    seen: set[str] = set()
    for author, _stance, position, _evidence in rows:
        assert (position == "") == (author in seen), (author, position)
        seen.add(author)


def test_history_formats_are_accepted():
    pairs = normalise_history([["q", "a"]])
    messages = normalise_history([{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}])
    assert pairs == messages == [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]


def test_scoped_filters_restrict_answers(assistant):
    api = AppAPI(assistant)
    _markdown, data = api.ask("What should the United States do?", None, None, ["carnegie-negotiate-with-putin"])
    assert {c["passage"]["article_id"] for c in data["citations"]} == {"carnegie-negotiate-with-putin"}
    assert assistant.scope_articles == []  # the shared assistant itself stays unfiltered


# -- the chat view's handler with a language model (the fake OpenAI server) ----------------
def test_chat_streams_llm_answer_with_model_badge_and_passes_history(llm_assistant, fake_llm):
    from assistant.app.handlers import Downloads, chat_handler

    respond = chat_handler(AppAPI(llm_assistant), Downloads())
    first = list(respond("What does Kroenig argue about a peace deal?", [], [], [], []))
    assert len(first) >= 2  # text deltas shown before the final answer
    assert all("&amp;amp;" not in update[0][-1]["content"] for update in first)  # escaped once, not per delta
    sources_update = first[0]  # the retrieved passages, before any text of the model
    assert len(sources_update[3]) == 5 and all(c["quote"] == c["passage"]["text"] for c in sources_update[3])
    assert "Kroenig" in sources_update[6]  # the first passage opened in the passage view
    chat, turns, _sources, cites, export, _box, _passage = first[-1]
    assert f"`{llm_assistant.settings.llm_model}`" in chat[-1]["content"]
    assert turns[0]["answer"]["mode"] == "llm" and cites
    assert "## References" in open(export, encoding="utf-8").read()
    fake_llm.reset()
    second = list(respond("Why does he think so?", chat, turns, [], []))
    assert len(second[-1][1]) == 2
    sent = " ".join(str(r) for r in fake_llm.chat_requests())
    assert "What does Kroenig argue about a peace deal?" in sent  # the history reached the model


def test_urls_in_model_or_corpus_text_never_become_links():
    from assistant.app.render import esc_md, safe_markdown, unlinked

    text = "Visit https://evil.example/x, www.evil.example or write to a@evil.example."
    for shown in (esc_md(text), safe_markdown(text), unlinked(text)):
        assert "://" not in shown and "www." not in shown and "a@evil" not in shown
        assert html.unescape(shown) == text  # shown exactly as written
