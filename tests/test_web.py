"""`assistant index URL` and the Library's add_urls: pages fetched from a real local HTTP server
(127.0.0.1) serving saved pages, saved into the corpus with their url, indexed like any HTML file;
fetch failures are per-URL errors."""

from __future__ import annotations

import functools
import json
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from conftest import ROOT, make_settings
from reliability_helpers import free_port, run_cli, subprocess_env

from assistant import Assistant
from assistant.library import add_urls, page_filename
from index.metadata import load_metadata
from index.web import FetchError, fetch_html

GENERAL = ROOT / "eval" / "corpus-general"
PAGE = "forester-letter-to-cato-1776.html"


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 (the stdlib's signature)
        pass


@pytest.fixture
def site(tmp_path):
    """A local web server in a thread, serving a saved page, a PDF and nothing else."""
    root = tmp_path / "site"
    (root / "letters").mkdir(parents=True)
    shutil.copy(GENERAL / PAGE, root / "letters" / PAGE)
    shutil.copy(GENERAL / "nyt-v-sullivan-oral-argument-1964.pdf", root / "argument.pdf")
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, f"http://127.0.0.1:{server.server_address[1]}", root
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_fetch_failures_have_specific_reasons(site):
    _, base, _ = site
    assert fetch_html(f"{base}/letters/{PAGE}").startswith(b"<!DOCTYPE html>")
    cases = {
        f"{base}/missing.html": "HTTP 404",
        f"http://127.0.0.1:{free_port()}/page.html": "could not connect: connection refused",
        f"{base}/argument.pdf": "not an HTML page (content type application/pdf)",
        "ftp://example.org/page.html": "not an http(s) URL",
    }
    for url, reason in cases.items():
        with pytest.raises(FetchError) as caught:
            fetch_html(url, timeout=5)
        assert str(caught.value).startswith(reason), (url, str(caught.value))


def test_a_page_too_large_is_refused(site):
    _, base, _ = site
    with pytest.raises(FetchError, match="page too large"):
        fetch_html(f"{base}/letters/{PAGE}", max_bytes=1000)


def test_add_urls_saves_records_and_indexes_then_reindexes_offline(site, tmp_path):
    server, base, _ = site
    corpus = tmp_path / "corpus"
    assistant = Assistant(make_settings(tmp_path / "data", corpus))
    url, missing = f"{base}/letters/{PAGE}", f"{base}/letters/gone.html"
    result = add_urls(assistant, [url, missing])
    assert [e.path for e in result.rejected] == [missing] and "404" in result.rejected[0].error
    saved = corpus / page_filename(url)
    assert result.saved == [saved] and saved.read_bytes() == (GENERAL / PAGE).read_bytes()
    assert load_metadata(corpus)[saved.name].url == url
    assert result.report.added == 1 and result.report.errors == []
    article = assistant.articles()[0]
    assert (article.url, article.title) == (url, "To Cato: The Forester's First Letter (1776)")

    server.shutdown()  # offline now: the saved copy is what gets indexed
    again = Assistant(make_settings(tmp_path / "data", corpus)).index()
    assert (again.unchanged, again.errors, again.articles) == (1, [], 1)


def test_a_page_with_no_article_text_is_not_left_in_the_corpus(site, tmp_path):
    _, base, root = site
    (root / "empty.html").write_text(
        "<html><head><title>Nothing</title></head><body><script>var x = 1;</script></body></html>"
    )
    corpus = tmp_path / "corpus"
    result = add_urls(Assistant(make_settings(tmp_path / "data", corpus)), [f"{base}/empty.html"])
    assert result.saved == [] and "no article text" in result.report.errors[0].error
    assert [p.name for p in corpus.iterdir() if p.suffix == ".html"] == []
    assert load_metadata(corpus) == {}


def test_cli_index_urls_and_paths_together(site, tmp_path):
    _, base, _ = site
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    local = tmp_path / "local" / "letter.txt"
    local.parent.mkdir()
    shutil.copy(GENERAL / "letter-to-the-attorney-general-1792.txt", local)
    url, refused = f"{base}/letters/{PAGE}", f"http://127.0.0.1:{free_port()}/x.html"
    env = subprocess_env(tmp_path / "data", corpus)
    proc = run_cli(["index", url, f"{base}/nope.html", refused, str(local), "--json"], env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(proc.stdout)
    errors = {e["path"]: e["error"] for e in report["errors"]}
    assert errors == {f"{base}/nope.html": "HTTP 404 File not found", refused: "could not connect: connection refused"}
    assert (report["added"], report["articles"]) == (2, 2)
    listed = json.loads(run_cli(["articles", "--json"], env).stdout)["articles"]
    assert sorted(a["url"] for a in listed) == ["", url]


def test_library_add_from_url_handler(site, tmp_path):
    import gradio as gr

    from assistant.app.api import AppAPI
    from assistant.app.handlers import url_handler

    _, base, _ = site
    url, missing = f"{base}/letters/{PAGE}", f"{base}/gone.html"
    add = url_handler(AppAPI(Assistant(make_settings(tmp_path / "data", tmp_path / "corpus"))))
    status, box, table, *_ = add(f"{url}\n {missing}", progress=lambda *args, **kwargs: None)
    assert f"Added `{page_filename(url)}`" in status.replace("\\", "")
    assert f"**Refused** `{missing}`: HTTP 404" in status.replace("\\", "")
    assert box == "" and "To Cato: The Forester's First Letter (1776)" in str(table)
    with pytest.raises(gr.Error, match="http"):
        add("   ", progress=lambda *args, **kwargs: None)


def test_cli_a_missing_path_is_a_usage_error_before_any_fetch(site, tmp_path):
    _, base, _ = site
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    env = subprocess_env(tmp_path / "data", corpus)
    proc = run_cli(["index", f"{base}/letters/{PAGE}", str(tmp_path / "nowhere.txt"), "--json"], env, timeout=300)
    assert proc.returncode == 2 and "no such file or directory" in proc.stderr
    assert list(corpus.iterdir()) == []
