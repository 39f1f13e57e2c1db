"""Issue 7: a dirty corpus, secrets in logs, the index lock, and the default bind address.

Real files, real subprocesses, real Chroma; nothing is mocked.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import CORPUS, make_settings
from reliability_helpers import ASSISTANT_BIN, assert_consistent, run_cli, snapshot_copy, subprocess_env

from assistant import Assistant, Settings
from index.readers import MAX_TEXT_BYTES

SCRIPT_SENTINEL = "SCRIPTSENTINELXYZ"
STYLE_SENTINEL = "STYLESENTINELXYZ"
HANDLER_SENTINEL = "HANDLERSENTINELXYZ"


def make_pdf(text_lines: list[str]) -> bytes:
    """A small valid one-page PDF whose text layer holds `text_lines` (correct xref offsets)."""
    ops = ["BT", "/F1 11 Tf", "14 TL", "50 780 Td"]
    for line in text_lines:
        safe = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        ops.append(f"({safe}) Tj T*")
    ops.append("ET")
    stream = "\n".join(ops).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


PDF_LINES = [
    "Why municipal broadband deserves a second look",
    "",
    "Cities that built their own fibre networks now offer faster service at lower prices.",
    "Private providers warned that public networks would fail, yet most of them have paid their debts.",
    "Residents in small towns finally have the same connection speeds as those in large cities.",
    "The lesson is that infrastructure competition works when the public sector is allowed to compete.",
    "Legislatures that ban municipal networks are protecting incumbents rather than consumers.",
]

LATIN1_TEXT = """Caf\u00e9 culture and the r\u00e9sum\u00e9 of a city

By Ren\u00e9e Fa\u00dfbinder

The caf\u00e9s of the old town were once the na\u00efve heart of public debate, where citizens argued about the \
r\u00f4le of the state until closing time. Today those caf\u00e9s are chain stores and the debate has moved online.

Fa\u00dfbinder argues that the loss is real: a public sphere needs places where strangers meet, and the \
d\u00e9cor of a caf\u00e9 mattered less than the habit of lingering. The municipal council could protect \
such places with lower rents.

Critics reply that nostalgia is no policy, and that the old caf\u00e9s excluded as many people as they welcomed. \
Still, the \u00e9lan of a shared table is hard to recreate with a comment section.
"""

UTF16_TEXT = """Why the \u201cfour-day week\u201d deserves a fair trial

By Jo\u00e3o Trabalho

Firms that tried a four-day week report that output held steady while sick days fell. The trials were small, \
but the results were consistent across sectors \u2014 from software to manufacturing.

Sceptics point out that the firms volunteered, and that volunteers are not a random sample. A fair trial would \
assign the shorter week to some public offices at random and compare them with the rest.
"""

HTML_DOC = f"""<!doctype html>
<html><head><title>The quiet case for night trains</title>
<style>body {{ color: red; }} .x::after {{ content: "{STYLE_SENTINEL}"; }}</style>
<script>var secret = "{SCRIPT_SENTINEL}"; document.write(secret);</script>
</head>
<body onload="alert('{HANDLER_SENTINEL}')">
<article>
<h1>The quiet case for night trains</h1>
<p onclick="steal('{HANDLER_SENTINEL}')">Night trains are back in Europe, and they deserve public support. \
A sleeper service replaces a short-haul flight with a journey that costs the traveller no working hours at all.</p>
<script>console.log("{SCRIPT_SENTINEL}")</script>
<p>The climate case is plain: a full sleeper train emits a fraction of the carbon of the flights it replaces, and \
the stations sit in city centres rather than on the edge of town.</p>
<p onmouseover="x('{HANDLER_SENTINEL}')">Operators say the economics are hard because the rolling stock sits idle \
all day. Governments that subsidise airports and motorways can surely subsidise a few carriages as well.</p>
<noscript>{SCRIPT_SENTINEL}</noscript>
<p>Travellers who tried the new routes report that they arrive rested, which no budget airline can promise. \
The trains are full; what they lack is rolling stock and track access at night.</p>
</article>
</body></html>
"""


def _real_text(size: int) -> bytes:
    paras = [p for p in (CORPUS / "000_a5591cf194c94613.txt").read_text(encoding="utf-8").split("\n\n") if p.strip()]
    chunk = ("\n\n".join(paras) + "\n\n").encode("utf-8")
    return (chunk * (size // len(chunk) + 1))[:size]


def make_dirty_corpus(root: Path) -> dict[str, str]:
    """Build the dirty corpus; returns {file name: expected error reason} for the bad files."""
    root.mkdir(parents=True)
    rng = random.Random(1234)
    good = (CORPUS / "001_da8c7eaf3d9932b6.txt").read_bytes()
    (root / "a_article.txt").write_bytes(good)
    (root / "b_same_article_renamed.md").write_bytes(good.replace(b"\n\n", b"\n\n\n"))  # same words
    (root / "c_latin1.txt").write_bytes(LATIN1_TEXT.encode("latin-1"))
    (root / "d_page.html").write_text(HTML_DOC, encoding="utf-8")
    (root / "e_report.pdf").write_bytes(make_pdf(PDF_LINES))
    (root / "f_windows_unicode.txt").write_bytes(UTF16_TEXT.replace("\n", "\r\n").encode("utf-16"))
    (root / "empty.txt").write_bytes(b"")
    (root / "empty.pdf").write_bytes(b"")
    (root / "whitespace.md").write_bytes(b"  \n\n \t \n")
    (root / "junk.txt").write_bytes(bytes(rng.randrange(256) for _ in range(4096)))
    (root / "junk_tiny.txt").write_bytes(bytes(rng.randrange(128, 256) for _ in range(40)) + b"\x01\x02\x03\x04")
    (root / "junk.pdf").write_bytes(bytes(rng.randrange(256) for _ in range(4096)))
    (root / "broken.pdf").write_bytes(make_pdf(PDF_LINES)[:60])
    (root / "huge.txt").write_bytes(_real_text(20 * 1024 * 1024))
    (root / "notes.docx").write_bytes(b"PK\x03\x04 not really a docx")
    sub = root / "sub"
    sub.mkdir()
    (sub / "loop").symlink_to("..", target_is_directory=True)  # a directory symlink loop
    (sub / "self").symlink_to(".", target_is_directory=True)
    (sub / "ring_a.txt").symlink_to("ring_b.txt")  # a file symlink loop
    (sub / "ring_b.txt").symlink_to("ring_a.txt")
    (sub / "dangling.txt").symlink_to(root / "was_here_a_moment_ago.txt")  # removed after discovery
    return {
        "empty.txt": "empty file",
        "empty.pdf": "empty file",
        "whitespace.md": "no text",
        "junk.txt": "binary content",
        "junk_tiny.txt": "binary content",
        "junk.pdf": "not a PDF",
        "broken.pdf": "PDF",
        "huge.txt": "file too large",
        "notes.docx": "not a .docx",
        "ring_a.txt": "symlink loop",
        "ring_b.txt": "symlink loop",
        "dangling.txt": "unreadable",
    }


def _by_name(items: list[dict]) -> dict[str, str]:
    return {Path(e["path"]).name: e["error"] for e in items}


def test_dirty_corpus_via_cli(fresh_data, tmp_path):
    """Every good file indexed, every bad one reported with its reason, exit 0, nothing lost."""
    dirty = tmp_path / "dirty"
    expected_errors = make_dirty_corpus(dirty)
    before = assert_consistent(snapshot_copy(fresh_data, tmp_path / "before"))
    assert before["articles"] == 5

    started = time.monotonic()
    proc = run_cli(["index", str(dirty), "--json"], subprocess_env(fresh_data), timeout=180)
    elapsed = time.monotonic() - started
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    report = json.loads(proc.stdout)
    errors = _by_name(report["errors"])
    for name, reason in expected_errors.items():
        assert name in errors, f"{name} missing from errors: {errors}"
        assert reason.lower() in errors[name].lower(), f"{name}: {errors[name]!r} lacks {reason!r}"
    assert set(errors) == set(expected_errors), f"unexpected errors: {set(errors) - set(expected_errors)}"
    assert "MB" in errors["huge.txt"] and str(MAX_TEXT_BYTES // (1024 * 1024)) in errors["huge.txt"]
    # The same article twice: indexed once, the second copy reported as a duplicate.
    dups = _by_name(report["duplicates"])
    assert list(dups) == ["b_same_article_renamed.md"], dups
    assert "a_article.txt" in dups["b_same_article_renamed.md"]
    assert report["added"] == 5, report  # article, latin-1, HTML, PDF, UTF-16
    assert report["articles"] == 5 + 5
    assert elapsed < 120, "a 20 MB file must not stall the indexer"

    after = assert_consistent(snapshot_copy(fresh_data, tmp_path / "after"), expect_articles=10)
    assert report["chunks"] == after["visible"] == after["stored"]
    a = Assistant(make_settings(tmp_path / "after"), auto_index=False)
    sources = {Path(x.source).name: x for x in a.articles()}
    assert {"a_article.txt", "c_latin1.txt", "d_page.html", "e_report.pdf", "f_windows_unicode.txt"} <= set(sources)
    assert {Path(p).name for p in CORPUS.glob("*.txt")} <= set(sources), "previously indexed articles lost"
    # latin-1 decoded as text, not mojibake
    assert "caf\u00e9s" in sources["c_latin1.txt"].text and "Fa\u00dfbinder" in sources["c_latin1.txt"].text
    assert "sectors \u2014 from software" in sources["f_windows_unicode.txt"].text
    # Script, style and event-handler content never becomes article or passage text.
    html = sources["d_page.html"]
    assert "night train" in html.text.lower() or "sleeper" in html.text.lower()
    every_text = "\n".join(x.text for x in a.articles()) + "\n".join(p.text for p in a.retriever.snapshot().passages)
    for sentinel in (SCRIPT_SENTINEL, STYLE_SENTINEL, HANDLER_SENTINEL, "color: red", "document.write"):
        assert sentinel not in every_text
    assert "municipal" in sources["e_report.pdf"].text.lower()
    hits = a.search("sleeper trains replacing short-haul flights", k=3)
    assert hits and hits[0].article_id == html.id

    # Running again changes nothing (the bad files are still reported, nothing is dropped).
    report2 = a.index([dirty])
    assert report2.unchanged == 5 and report2.added == report2.updated == report2.removed == 0
    assert report2.articles == 10 and len(report2.errors) == len(expected_errors)


def test_nothing_indexable_exits_nonzero(fresh_data, tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_bytes(b"")
    (bad / "junk.pdf").write_bytes(os.urandom(2048))
    proc = run_cli(["index", str(bad), "--json"], subprocess_env(fresh_data), timeout=120)
    assert proc.returncode == 2, proc.stderr[-2000:]
    report = json.loads(proc.stdout)
    assert len(report["errors"]) == 2
    assert report["articles"] == 5, "the already indexed corpus must survive"


def test_file_removed_while_indexing_and_broken_files_keep_last_good_version(corpus_copy, tmp_path):
    """A file vanishing between discovery and reading is reported; a previously indexed file that turns
    into junk or is emptied keeps its last good version (nothing already indexed is lost)."""
    data = tmp_path / "data"
    a = Assistant(make_settings(data, corpus_copy), auto_index=False)
    first = a.index([corpus_copy])
    assert first.articles == 5 and not first.errors
    ids_before = {x.id for x in a.articles()}

    vanishing = corpus_copy / "zz_vanishing.txt"
    vanishing.write_text((CORPUS / "002_ff27677d5adae973.txt").read_text() + "\n\nA new closing line.\n")
    (corpus_copy / "003_6a1fe5df6553ce66.txt").write_bytes(os.urandom(3000))  # indexed before, now junk
    (corpus_copy / "004_72efb81101d669e7.txt").write_bytes(b"")  # indexed before, now empty
    (corpus_copy / "000_a5591cf194c94613.txt").write_text(
        (CORPUS / "000_a5591cf194c94613.txt").read_text() + "\n\nAn editor's note added later to the debate.\n"
    )
    calls: list[tuple[int, int, str]] = []

    def progress(done: int, total: int, message: str) -> None:
        if not calls and vanishing.exists():
            vanishing.unlink()  # gone after discovery and hashing, before it is read
        calls.append((done, total, message))

    report = a.index([corpus_copy], progress=progress)
    errors = _by_name([e.model_dump() for e in report.errors])
    assert "unreadable" in errors["zz_vanishing.txt"]
    assert "binary content" in errors["003_6a1fe5df6553ce66.txt"]
    assert "empty file" in errors["004_72efb81101d669e7.txt"]
    assert report.updated == 1 and report.removed == 0
    assert {x.id for x in a.articles()} == ids_before, "a broken re-read must not drop the last good version"
    assert report.articles == 5
    assert_consistent(snapshot_copy(data, tmp_path / "check"), expect_articles=5)


def test_library_writes_wait_for_no_build(tmp_path, corpus_copy):
    """Deleting an article or editing its metadata takes the index's writer lock: while another
    process indexes, both are refused with the lock's message and change nothing."""
    from filelock import FileLock

    from assistant.library import delete_article, update_metadata
    from index.lock import IndexLocked

    a = Assistant(make_settings(tmp_path / "data", corpus_copy))
    a.index()
    metadata = (corpus_copy / "articles.toml").read_text(encoding="utf-8")
    beebe = a.article("qi-beebe-direct-talks")
    with FileLock(str(a.lock_path)):
        with pytest.raises(IndexLocked, match="another process is indexing"):
            delete_article(a, beebe.id)
        with pytest.raises(IndexLocked, match="another process is indexing"):
            update_metadata(a, beebe.id, title="Edited", authors=["George Beebe"], outlet="", date="")
    assert beebe.id in {x.id for x in a.articles()} and Path(beebe.source).exists()
    assert (corpus_copy / "articles.toml").read_text(encoding="utf-8") == metadata
    assert "moved to" in delete_article(a, beebe.id)  # and once the build is over, it goes through
    assert beebe.id not in {x.id for x in a.articles()}


def test_two_indexers_on_one_data_dir(tmp_path):
    """The second concurrent indexer is refused with a clear one-line message; the index stays whole."""
    from filelock import FileLock

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("001_da8c7eaf3d9932b6.txt", "002_ff27677d5adae973.txt", "articles.toml"):
        shutil.copy(CORPUS / name, corpus / name)
    data = tmp_path / "data"
    data.mkdir()
    env = subprocess_env(data, corpus)
    # Hold the lock exactly as a running indexer does, then start a real second indexer.
    with FileLock(str(data / "index.lock")):
        proc = run_cli(["index", "--json"], env, timeout=120)
    assert proc.returncode in (1, 2)
    lines = [line for line in proc.stderr.strip().splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert "another process is indexing" in lines[0] and str(data) in lines[0]
    assert proc.stdout.strip() == ""

    # Two real indexers started together: one builds, the other is refused or finds nothing to do.
    procs = [
        subprocess.Popen(
            [ASSISTANT_BIN, "index", "--json"], env=env, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, cwd=str(tmp_path),
        )
        for _ in range(2)
    ]
    results = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        results.append((p.returncode, out, err))
    assert sorted(code for code, _, _ in results)[0] == 0, results
    for code, out, err in results:
        if code != 0:
            assert code in (1, 2) and "another process is indexing" in err, err
        else:
            assert json.loads(out)["articles"] == 2
    check = snapshot_copy(data, tmp_path / "check")
    counts = assert_consistent(check, expect_articles=2)
    report = Assistant(make_settings(check, corpus), auto_index=False).index()
    assert report.articles == 2 and report.unchanged == 2 and report.chunks == counts["visible"] == counts["stored"]


DEBUG_RUN = """
import logging, sys
logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
for name in list(logging.root.manager.loggerDict):
    logging.getLogger(name).setLevel(logging.DEBUG)
from assistant import Assistant
a = Assistant()
a.index()
for question in sys.argv[1:]:
    answer = a.ask(question)
    print(answer.mode, len(answer.citations), answer.notices, file=sys.stderr)
    print(answer.model_dump_json())
"""


def test_no_secrets_in_logs(fresh_data, fake_llm, tmp_path):
    """OPENAI_API_KEY never appears on stdout or stderr: the CLI as shipped, and the library with every
    logger (openai, httpx, ours) at DEBUG, on success and on model errors."""
    from fake_openai import status

    sentinel = "sk-test-SENTINEL-9f8e7d6c5b4a"
    env = subprocess_env(
        fresh_data, OPENAI_API_KEY=sentinel, OPENAI_BASE_URL=fake_llm.url, ASSISTANT_LLM_MODEL="fake-model",
        ASSISTANT_LLM_TIMEOUT="3", ASSISTANT_LLM_CONNECT_TIMEOUT="1", ASSISTANT_LLM_RETRIES="0",
        OPENAI_LOG="debug",
    )
    question = "What does Matthew Kroenig think an early peace deal would lead to?"
    fake_llm.push(status(401))  # an authentication error, the classic place for a key to leak
    cli = run_cli(["ask", question, "--json"], env)
    assert cli.returncode == 0, cli.stderr[-2000:]
    assert json.loads(cli.stdout)["citations"]
    fake_llm.push(status(401), status(500))
    debug = subprocess.run(
        [sys.executable, "-c", DEBUG_RUN, question, question, question], env=env, cwd=str(tmp_path),
        capture_output=True, text=True, timeout=180,
    )
    assert debug.returncode == 0, debug.stderr[-3000:]
    assert "DEBUG" in debug.stderr and len(debug.stdout.splitlines()) == 3
    assert any(json.loads(line)["mode"] == "llm" for line in debug.stdout.splitlines())
    headers = [{k.lower(): v for k, v in r["headers"].items()} for r in fake_llm.requests]
    assert headers and all(h.get("authorization") == f"Bearer {sentinel}" for h in headers)  # the key was used
    for output in (cli.stdout, cli.stderr, debug.stdout, debug.stderr):
        assert sentinel not in output
        assert sentinel[-10:] not in output, "not even a fragment of the key"


def test_ui_listens_on_localhost_by_default(monkeypatch):
    monkeypatch.delenv("ASSISTANT_HOST", raising=False)
    assert Settings(_env_file=None).host == "127.0.0.1"  # the real listener is checked in test_app_concurrency


@pytest.mark.parametrize("size", [MAX_TEXT_BYTES + 1])
def test_oversized_text_is_refused_before_reading(tmp_path, size):
    from index.readers import ReadError, read_file

    big = tmp_path / "big.txt"
    big.write_bytes(_real_text(size))
    with pytest.raises(ReadError, match="file too large"):
        read_file(big)


HOSTILE_NAMES = [
    "../../escape.txt", "..\\..\\win.md", "/etc/passwd.txt", "sub/../../x.md", ".hidden.txt", "....//....//x.txt",
    "nul\x00byte.txt", "x.txt\n.sh", "\u202eexe.txt", "CON", "", ".", "..", "~/.ssh/authorized_keys.txt",
    "a" * 500 + ".html", "file:///etc/shadow.pdf", "%2e%2e%2fescape.txt", "名前.md",
]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_upload_names_never_escape_the_corpus(tmp_path, name):
    """Whatever name the browser sends, the saved file is a plain, visible file directly in the corpus dir."""
    library = pytest.importorskip("assistant.library")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    safe = library.safe_filename(name)
    target = (corpus / safe).resolve()
    assert target.parent == corpus.resolve()
    assert safe and not safe.startswith(".") and "\x00" not in safe and "/" not in safe and "\\" not in safe
    assert len(safe) <= 100 and safe.isascii() and safe.isprintable()


def test_long_running_process_sees_another_processes_index_run(fresh_data, tmp_path):
    """`python app.py` running while `assistant index` runs in another terminal: the app's next search
    finds the new article by meaning too (the embedded client's vector index is reopened), not only by words."""
    app_side = Assistant(make_settings(fresh_data), auto_index=False)
    query = "protected bicycle lanes on main streets"
    assert all(p.article_id.startswith(("fp-", "ni-", "carnegie", "js-", "qi-")) for p in app_side.search(query))
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "bikes.txt").write_text(
        "Bicycles belong on main streets\n\nBy Dana Planner\n\nProtected bicycle lanes on main streets bring more "
        "customers to shops, not fewer, according to every study of the matter.\n\nShop owners overestimate how "
        "many of their customers arrive by car, and underestimate the ones who walk or cycle.\n"
    )
    proc = run_cli(["index", str(extra), "--json"], subprocess_env(fresh_data))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(proc.stdout)["added"] == 1
    hits = app_side.search_hits(query, k=3)
    assert hits[0].passage.article_id == "bicycles-belong-on-main-streets"
    assert hits[0].dense > 0.5, "found by the vector index, not only by BM25"
    assert len(app_side.articles()) == 6


def test_rebuild_replaces_in_place_and_drops_the_rest(corpus_copy, tmp_path):
    """`--rebuild` rebuilds every file and keeps nothing else (same result as before), but writes
    article by article so an interrupted rebuild never leaves an emptied index (tests/test_crash.py)."""
    data = tmp_path / "data"
    a = Assistant(make_settings(data, corpus_copy), auto_index=False)
    assert a.index([corpus_copy]).articles == 5
    other = tmp_path / "other"
    other.mkdir()
    (other / "solo.txt").write_text(LATIN1_TEXT, encoding="utf-8")
    assert a.index([other]).articles == 6
    report = a.index([corpus_copy], rebuild=True)
    assert (report.added, report.updated, report.unchanged, report.articles) == (5, 0, 0, 5), report
    counts = assert_consistent(snapshot_copy(data, tmp_path / "check"), expect_articles=5)
    assert report.chunks == counts["visible"] == counts["stored"]
