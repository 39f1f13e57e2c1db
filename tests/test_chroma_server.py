"""Issue 7, scale-out: CHROMA_HOST/CHROMA_PORT point the assistant at a real Chroma server.

The test starts `chroma run` from the venv on a free local port, indexes the corpus into
it, checks that search and ask give the same results as the embedded persistent client,
that incremental updates work, and that a second Assistant in another process, sharing
the server, sees the first one's updates (the generation token in the articles
collection makes it rebuild its snapshot). The server is stopped at the end.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import ROOT, make_settings
from reliability_helpers import VENV_BIN, free_port, stop, subprocess_env

from assistant import Assistant

pytestmark = pytest.mark.slow

QUERIES = [
    "What does Matthew Kroenig think an early peace deal would lead to?",
    "Why should the United States keep talking to Russia?",
    "What are the risks of rushing into negotiations?",
    "How do Ashford and Kroenig disagree about negotiating with Putin?",
]

READER = textwrap.dedent(
    """
    import json, sys
    from assistant import Assistant
    a = Assistant(auto_index=False)
    for line in sys.stdin:                       # one query per line; bounded by the parent
        query = line.strip()
        if not query:
            break
        hits = a.search(query, k=3)
        print(json.dumps({"articles": sorted(x.id for x in a.articles()),
                          "generation": a.store.generation(),
                          "hits": [h.text for h in hits]}), flush=True)
    """
)


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    path = tmp_path_factory.mktemp("chroma-server")
    port = free_port()
    log = open(path / "server.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [str(VENV_BIN / "chroma"), "run", "--path", str(path / "db"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, cwd=str(path),
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, (path / "server.log").read_text()[-2000:]
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "chroma server did not start"
            time.sleep(0.3)
        yield port
    finally:
        stop(proc)
        log.close()


def _server_settings(tmp_path: Path, corpus: Path, port: int):
    return make_settings(tmp_path / "data", corpus, CHROMA_HOST="127.0.0.1", CHROMA_PORT=port)


def test_server_mode_matches_embedded_and_shares_updates(chroma_server, assistant, corpus_copy, tmp_path):
    port = chroma_server
    a = Assistant(_server_settings(tmp_path, corpus_copy, port), auto_index=False)
    assert "fastapi" in a.store.client.get_settings().chroma_api_impl.lower(), "CHROMA_HOST selects the HTTP client"
    assert not (tmp_path / "data" / "chroma").exists(), "no embedded database in server mode"

    report = a.index()
    assert report.articles == 5 and report.added == 5 and not report.errors
    embedded = assistant  # the persistent client over the same five files
    assert report.chunks == embedded.store.count_passages()

    # Identical results: same passages in the same order, same answers and citations.
    for q in QUERIES:
        mine, theirs = a.search(q, k=5), embedded.search(q, k=5)
        assert [p.id for p in mine] == [p.id for p in theirs], q
        assert [p.text for p in mine] == [p.text for p in theirs]
        for x, y in zip(mine, theirs, strict=True):
            assert x.score == pytest.approx(y.score, abs=1e-3)
        ours, ref = a.ask(q), embedded.ask(q)
        assert ours.answer == ref.answer, q
        assert [(c.quote, c.passage.id) for c in ours.citations] == [(c.quote, c.passage.id) for c in ref.citations]
        assert ours.grounded == ref.grounded

    # A second Assistant, in another process, sharing the server.
    env = subprocess_env(tmp_path / "data2", corpus_copy, CHROMA_HOST="127.0.0.1", CHROMA_PORT=str(port))
    reader = subprocess.Popen(
        [sys.executable, "-c", READER], env=env, cwd=str(ROOT / "tests"), stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    try:

        def ask_reader(query: str) -> dict:
            reader.stdin.write(query + "\n")
            reader.stdin.flush()
            line = reader.stdout.readline()
            assert line, "reader process died"
            return json.loads(line)

        before = ask_reader("zebra crossings and municipal parking fees")
        assert len(before["articles"]) == 5
        assert not any("zebra" in h.lower() for h in before["hits"])

        # Incremental update through the first Assistant: one changed, one removed, one added.
        changed = corpus_copy / "002_ff27677d5adae973.txt"
        changed.write_text(
            changed.read_text()
            + "\n\nA postscript on local matters: zebra crossings and municipal parking fees deserve the same "
            "patient diplomacy that the author recommends for Moscow.\n"
        )
        (corpus_copy / "004_72efb81101d669e7.txt").unlink()
        (corpus_copy / "new_column.txt").write_text(
            "Cities should price parking properly\n\nBy Dana Planner\n\n"
            "Municipal parking fees are too low in most cities, and the result is traffic and wasted land. "
            "Raising them would pay for better zebra crossings and buses.\n\n"
            "Critics say higher fees hurt shops, but the evidence from cities that tried it says otherwise.\n"
        )
        update = a.index()
        assert (update.updated, update.removed, update.added, update.unchanged) == (1, 1, 1, 3), update
        assert update.articles == 5 and not update.errors
        assert any("zebra" in p.text.lower() for p in a.search("zebra crossings and municipal parking fees"))
        again = a.index()
        assert (again.unchanged, again.added, again.updated, again.removed) == (5, 0, 0, 0)

        after = ask_reader("zebra crossings and municipal parking fees")
        assert after["generation"] != before["generation"]
        assert after["articles"] == sorted(x.id for x in a.articles())
        assert any("zebra" in h.lower() for h in after["hits"]), after
        assert set(before["articles"]) - set(after["articles"]), "the removed article is gone for the reader too"
    finally:
        reader.stdin.close()
        stop(reader)
