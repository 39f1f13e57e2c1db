"""Issue 7: `kill -9` a real `assistant index` at several points; the index must still answer.

Each round starts a real indexing process on a corpus with new, changed and removed
files, watches its progress bar (stderr on a pseudo-terminal) and kills it with SIGKILL
while it reads, at several points while it embeds and writes articles, and during the
final clean-up. A copy of
the data dir must then answer search and ask with every passage an exact slice of a
visible article (old or new state, never a broken mix). The last round runs to the
end and must report consistent counts with no orphaned passages.
"""

from __future__ import annotations

import json
import os
import pty
import re
import select
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

# Where each round is killed: once the progress bar shows this fraction of the passages
# embedded. Articles are written one by one as they are embedded, so 0.3 and 0.7 land
# between and during writes, 1.0 in the last write, the removals and the clean-up
# (0.0 would land before the first write; "reading" while files are read and cleaned).
ROUNDS = [("embedding", 0.3), ("embedding", 0.7), ("embedding", 1.0)]
REBUILD_AT = 0.5  # then `assistant index --rebuild`, killed half-way: articles are replaced one at a time
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")
_FRACTION = re.compile(r"(\d+)/(\d+)")


def _kill_at(env: dict[str, str], phase: str, fraction: float, cwd: Path, *extra: str) -> tuple[str, str]:
    """Start `assistant index` with its stderr on a pseudo-terminal (so the progress bar is drawn),
    watch the bar, and SIGKILL the process at the chosen point. Returns (outcome, last bar line)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [ASSISTANT_BIN, "index", "--json", *extra], env={**env, "TERM": "xterm", "COLUMNS": "160"}, cwd=str(cwd),
        stdout=subprocess.DEVNULL, stderr=slave, stdin=subprocess.DEVNULL, start_new_session=True,
    )
    os.close(slave)
    buffer, last = "", ""
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.05)
            if not ready:
                if proc.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the process closed the terminal (it exited)
                chunk = b""
            if not chunk:
                if proc.poll() is not None:
                    break
                continue
            buffer = (buffer + _ANSI.sub("", chunk.decode("utf-8", "replace")))[-4000:]
            for line in reversed(re.split(r"[\r\n]", buffer)):
                match = _FRACTION.search(line)
                if not match:
                    continue
                last = line.strip()
                done, total = int(match.group(1)), int(match.group(2))
                in_reading = line.lstrip().startswith("reading ")
                if (phase == "reading" and in_reading) or (
                    phase == "embedding" and not in_reading and total and done >= fraction * total
                ):
                    os.killpg(proc.pid, signal.SIGKILL)  # the process group this test started
                    proc.wait(timeout=30)
                    return "killed", last
                break
        return f"finished (exit {proc.wait(timeout=30)}) before the kill", last
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
        os.close(master)


def _mutate(corpus: Path, round_no: int) -> None:
    """New, changed and removed files for the next round, so every write path gets interrupted."""
    paras = corpus_paragraphs()
    gen = sorted(corpus.glob("gen_*.txt"))
    for path in gen[round_no::4][:3]:  # changed: a new paragraph appended
        path.write_text(path.read_text() + f"\n\nA correction appended in round {round_no} to {path.stem}.\n")
    if gen:
        gen[-1 - round_no].unlink()  # removed
    for j in range(4):  # added
        body = "\n\n".join(paras[(round_no * 7 + j * 3 + k) % len(paras)] for k in range(6))
        (corpus / f"new_{round_no}_{j}.txt").write_text(
            f"A fresh column {round_no}-{j} about the war\n\nBy Round Writer\n\n{body}\n\nFinal line {round_no}-{j}.\n"
        )


def test_kill_minus_nine_during_indexing_leaves_a_working_index(tmp_path):
    corpus = generated_corpus(tmp_path / "corpus", n=8)
    data = tmp_path / "data"
    # The old state: the whole corpus indexed once (in-process, quick).
    first = Assistant(make_settings(data, corpus), auto_index=False).index()
    assert not first.errors
    env = subprocess_env(data, corpus)

    outcomes = []
    previous = assert_consistent(snapshot_copy(data, tmp_path / "before"))
    for round_no, (phase, fraction) in enumerate(ROUNDS):
        _mutate(corpus, round_no)
        outcome, bar = _kill_at(env, phase, fraction, tmp_path)
        counts = assert_consistent(snapshot_copy(data, tmp_path / f"after_kill_{round_no}"))
        assert counts["articles"] > 0
        outcomes.append((phase, fraction, outcome, bar, counts, counts != previous))
        previous = counts
    print("kill rounds:", *outcomes, sep="\n  ")
    assert sum(o[2] == "killed" for o in outcomes) >= len(ROUNDS) - 1, outcomes  # 1.0 may finish first
    # The kills landed while articles were being written, not only before any write.
    assert any(o[5] for o in outcomes if o[2] == "killed"), outcomes

    # A rebuild killed half-way still holds every article (old or rebuilt), not an emptied index.
    outcome, bar = _kill_at(env, "embedding", REBUILD_AT, tmp_path, "--rebuild")
    counts = assert_consistent(snapshot_copy(data, tmp_path / "after_rebuild_kill"))
    print("rebuild:", outcome, bar, counts)
    if outcome == "killed":
        assert counts["articles"] >= previous["articles"], (previous, counts)

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
