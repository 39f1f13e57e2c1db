"""Helpers shared by the reliability tests: real subprocesses, real files, real Chroma."""

from __future__ import annotations

import os
import random
import shutil
import socket
import subprocess
import sys
from pathlib import Path

from conftest import CORPUS, ROOT, make_settings

from assistant import Assistant

VENV_BIN = Path(sys.executable).parent
ASSISTANT_BIN = str(VENV_BIN / "assistant")

# Variables of the developer's shell or `.env` that must not leak into a test subprocess.
_SCRUB = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "CHROMA_HOST", "CHROMA_PORT", "ASSISTANT_AUTH", "ASSISTANT_HOST")


def subprocess_env(data: Path, corpus: Path = CORPUS, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _SCRUB}
    env.update({"ASSISTANT_DATA": str(data), "ASSISTANT_CORPUS": str(corpus), "PYTHONUNBUFFERED": "1"})
    env.update(extra)
    return env


def run_cli(args: list[str], env: dict[str, str], timeout: float = 120, cwd: Path | None = None):
    """Run `assistant ARGS` to completion (from a directory with no `.env`)."""
    return subprocess.run(
        [ASSISTANT_BIN, *args], env=env, cwd=str(cwd or ROOT / "tests"), capture_output=True, text=True,
        timeout=timeout,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop(proc: subprocess.Popen, grace: float = 10) -> None:
    """Stop a process this test started (by its own handle, never by name)."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=grace)


def corpus_paragraphs() -> list[str]:
    paras: list[str] = []
    for path in sorted(CORPUS.glob("*.txt")):
        paras += [p.strip() for p in path.read_text(encoding="utf-8").split("\n\n") if len(p.split()) >= 25]
    return paras


def generated_corpus(target: Path, n: int, seed: int = 7) -> Path:
    """The default corpus plus `n` distinct articles made of its paragraphs (a bigger, realistic corpus)."""
    shutil.copytree(CORPUS, target)
    rng = random.Random(seed)
    paras = corpus_paragraphs()
    for i in range(n):
        body = rng.sample(paras, k=min(len(paras), 8))
        title = f"Generated column number {i} on the state of the world"
        text = f"{title}\n\nBy Test Writer{i}\n\n" + "\n\n".join(body) + f"\n\nThis is generated article {i}.\n"
        (target / f"gen_{i:03d}.txt").write_text(text, encoding="utf-8")
    return target


def snapshot_copy(data: Path, target: Path) -> Path:
    """A copy of a data dir, opened fresh (an embedded Chroma client caches state per path)."""
    shutil.copytree(data, target)
    return target


def assert_consistent(data: Path, expect_articles: int | None = None) -> dict:
    """The visible index is never a broken mix: every passage is a slice of a visible article's text,
    every article has passages, and search and ask work. Returns counts."""
    a = Assistant(make_settings(data), auto_index=False)
    snap = a.retriever.snapshot()
    articles = snap.articles
    for p in snap.passages:
        art = articles.get(p.article_id)
        assert art is not None, f"passage {p.id} of invisible article"
        assert art.text[p.start : p.end] == p.text, f"passage {p.id} is not a slice of its article"
    with_passages = {p.article_id for p in snap.passages}
    assert with_passages == set(articles), f"articles without passages: {set(articles) - with_passages}"
    if expect_articles is not None:
        assert len(articles) == expect_articles
    if articles:
        hits = a.search("What would an early peace deal lead to?", k=5)
        assert hits, "search returned nothing on a non-empty index"
        for p in hits:
            assert articles[p.article_id].text[p.start : p.end] == p.text
        answer = a.ask("What does Matthew Kroenig think an early peace deal would lead to?")
        for c in answer.citations:
            art = articles[c.passage.article_id]
            assert art.text[c.passage.start : c.passage.end] == c.passage.text
            assert c.quote in c.passage.text
    stored = a.store.count_passages()
    return {"articles": len(articles), "visible": len(snap.passages), "stored": stored}
