"""Issue 7: `kill -9` a real `assistant index` at several points; the index must still answer.

Each round starts a real indexing process on a corpus with new, changed and removed
files, waits until it is writing to Chroma (the data dir's files change), lets it run
a little longer (a different delay each round) and kills it with SIGKILL. A copy of
the data dir must then answer search and ask with every passage an exact slice of a
visible article (old or new state, never a broken mix). The last round runs to the
end and must report consistent counts with no orphaned passages.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from conftest import make_settings
from reliability_helpers import (
    ASSISTANT_BIN,
    assert_consistent,
    corpus_paragraphs,
    generated_corpus,
    run_cli,
    snapshot_copy,
    subprocess_env,
)

from assistant import Assistant

pytestmark = pytest.mark.slow

DELAYS = [0.0, 0.5, 1.5, 3.0]  # seconds after the first write transaction in Chroma


def _journal(chroma: Path) -> tuple[int, int, int] | None:
    """SQLite's rollback journal (or WAL): it exists, non-empty, while a write transaction is open."""
    for name in ("chroma.sqlite3-journal", "chroma.sqlite3-wal"):
        try:
            st = (chroma / name).stat()
        except FileNotFoundError:
            continue
        if st.st_size > 0:
            return (st.st_ino, st.st_size, st.st_mtime_ns)
    return None


def _kill_while_writing(env: dict[str, str], data: Path, delay: float, cwd: Path) -> tuple[str, float]:
    """Start `assistant index`, SIGKILL it `delay` s after its first write; returns (outcome, seconds)."""
    chroma = data / "chroma"
    # A killed writer leaves a hot journal behind; the next writer rolls it back on open.
    # The first *new* non-empty journal marks this process's first real write.
    stale = _journal(chroma)
    started = time.monotonic()
    proc = subprocess.Popen(
        [ASSISTANT_BIN, "index", "--json"], env=env, cwd=str(cwd), stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, start_new_session=True,
    )
    try:
        deadline = started + 120
        while time.monotonic() < deadline and proc.poll() is None and _journal(chroma) in (None, stale):
            time.sleep(0.005)
        time.sleep(delay)
        if proc.poll() is not None:
            return f"finished (exit {proc.returncode}) before the kill", time.monotonic() - started
        os.killpg(proc.pid, signal.SIGKILL)  # the process group this test started, nothing else
        proc.wait(timeout=30)
        return "killed", time.monotonic() - started
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)


def _mutate(corpus: Path, round_no: int) -> None:
    """New, changed and removed files for the next round, so every write path gets interrupted."""
    paras = corpus_paragraphs()
    gen = sorted(corpus.glob("gen_*.txt"))
    for path in gen[round_no::5][:4]:  # changed: a new paragraph appended
        path.write_text(path.read_text() + f"\n\nA correction appended in round {round_no} to {path.stem}.\n")
    if gen:
        gen[-1 - round_no].unlink()  # removed
    for j in range(6):  # added
        body = "\n\n".join(paras[(round_no * 7 + j * 3 + k) % len(paras)] for k in range(6))
        (corpus / f"new_{round_no}_{j}.txt").write_text(
            f"A fresh column {round_no}-{j} about the war\n\nBy Round Writer\n\n{body}\n\nFinal line {round_no}-{j}.\n"
        )


def test_kill_minus_nine_during_indexing_leaves_a_working_index(tmp_path):
    corpus = generated_corpus(tmp_path / "corpus", n=12)
    data = tmp_path / "data"
    # The old state: the whole corpus indexed once (in-process, quick).
    first = Assistant(make_settings(data, corpus), auto_index=False).index()
    assert not first.errors
    env = subprocess_env(data, corpus)

    outcomes = []
    for round_no, delay in enumerate(DELAYS):
        _mutate(corpus, round_no)
        outcome, seconds = _kill_while_writing(env, data, delay, tmp_path)
        counts = assert_consistent(snapshot_copy(data, tmp_path / f"after_kill_{round_no}"))
        assert counts["articles"] > 0
        outcomes.append((delay, outcome, round(seconds, 1), counts))
    print("kill rounds:", outcomes)
    assert sum(o[1] == "killed" for o in outcomes) >= 3, outcomes

    # The next run completes and reports consistent counts: every good file, no orphans.
    proc = run_cli(["index", "--json"], env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(proc.stdout)
    good_files = [p for p in corpus.iterdir() if p.suffix == ".txt"]
    assert not report["errors"], report["errors"]
    assert report["articles"] == len(good_files)
    final = assert_consistent(snapshot_copy(data, tmp_path / "final"), expect_articles=len(good_files))
    assert report["chunks"] == final["visible"] == final["stored"], (report, final)
    # Every file's latest content is what is indexed.
    a = Assistant(make_settings(tmp_path / "final", corpus), auto_index=False)
    by_source = {Path(x.source).name: x for x in a.articles()}
    assert set(by_source) == {p.name for p in good_files}
    for path in (p for p in good_files if p.name.startswith(("gen_", "new_"))):
        last_line = path.read_text().strip().splitlines()[-1]
        assert last_line in by_source[path.name].text, path.name
