"""Scale: search latency at 1k, 10k and 100k synthetic passages, and the cost of adding one article."""

from __future__ import annotations

import hashlib
import inspect
import json
import shutil
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

from assistant.citations import sentences
from assistant.core import Assistant
from index.store import Store

from . import synthetic
from .seed import make_assistant, settings_for
from .timing import measure, timed

SIZES = (1_000, 10_000, 100_000)


def search_at_size(assistant: Assistant, queries: list[str]) -> dict[str, Any]:
    """First search (rebuilds the derived BM25 snapshot), then steady-state search latency."""
    refresh_s, _ = timed(lambda: assistant.search(queries[0], 5))
    search = measure(lambda q: assistant.search(q, 5), queries, rounds=3, budget_s=15)
    return {
        "passages": assistant.store.count_passages(),
        "first_search_s": round(refresh_s, 3),
        "search_ms": search.as_dict(),
    }


def scale_series(
    base: Path, corpus_dir: Path, workdir: Path, queries: list[str], sizes: tuple[int, ...] = SIZES
) -> tuple[list[dict[str, Any]], Assistant]:
    """Grow a copy of the seed index in `base` through `sizes` of synthetic passages, measuring search at each.

    Each grown index is cached under benchmarks/cache/ (Chroma's own insert rate makes a 100k
    index take minutes to build); the cache key covers the store code, Chroma and the seed index.
    """
    seed_index = make_assistant(base, corpus_dir, auto_index=False)
    pool = synthetic.sentence_pool([a.text for a in seed_index.articles()])
    corpus = synthetic.make_corpus(pool, max(sizes), seed_index.embedder)
    key = _index_key(seed_index, corpus)
    _drop_stale_caches(key)
    series, previous, filled = [], base, 0
    for size in sizes:
        data = workdir / f"scale-{size}"
        row = _grow(previous, data, corpus, filled, size, key)
        assistant = make_assistant(data, corpus_dir, auto_index=False)
        row.update(search_at_size(assistant, queries))
        series.append(row)
        previous, filled = data, size
    return series, assistant


def _write_path_code() -> str:
    """The source of the code that decides what a stored passage looks like (not of the whole store)."""
    import index.store as store

    names = ["put_article", "_put_sentences", "_passage_metadata", "_article_metadata"]
    found = [getattr(Store, n, None) or getattr(store, n, None) for n in names]
    return "".join(inspect.getsource(f) for f in found if f is not None)


def _index_key(seed_index: Assistant, corpus: synthetic.SyntheticCorpus) -> str:
    parts = [
        synthetic.CACHE_FORMAT,
        str(synthetic.PASSAGES_PER_ARTICLE),
        metadata.version("chromadb"),
        hashlib.sha256(_write_path_code().encode()).hexdigest(),
        hashlib.sha256(corpus.vectors.tobytes()).hexdigest(),
        *sorted(p.id for p in seed_index.retriever.snapshot().passages),
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def _drop_stale_caches(key: str) -> None:
    for old in synthetic.CACHE.glob("index-*"):
        if not old.name.startswith(f"index-{key}-"):
            shutil.rmtree(old, ignore_errors=True)


def _grow(previous: Path, data: Path, corpus: synthetic.SyntheticCorpus, filled: int, size: int, key: str) -> dict:
    """`data` = `previous` + synthetic passages [filled, size), from the cache when it holds it."""
    cached = synthetic.CACHE / f"index-{key}-{size}"
    if not (cached / "fill.json").exists():
        shutil.copytree(previous, data)
        store = Store.open(settings_for(data))
        fill_s, _ = timed(lambda: synthetic.fill(store, corpus, filled, size))
        facts = {"fill_s": round(fill_s, 2), "fill_passages_per_s": round((size - filled) / fill_s, 1)}
        partial = cached.with_name(cached.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        shutil.copytree(data, partial)
        (partial / "fill.json").write_text(json.dumps(facts), encoding="utf-8")
        partial.rename(cached)
        return {"synthetic": size, "from_cache": False, **facts}
    shutil.copytree(cached, data)
    return {"synthetic": size, "from_cache": True, **json.loads((cached / "fill.json").read_text(encoding="utf-8"))}


def add_one_article(assistant: Assistant, source: Path, queries: list[str]) -> dict[str, Any]:
    """Index one new article into the (large) index; its own encoding is measured apart and subtracted."""
    folder = Path(tempfile.mkdtemp(prefix="add-article-"))
    try:
        target = folder / f"added_{source.name}"
        target.write_text(source.read_text(encoding="utf-8") + "\n\nAdded for the benchmark.\n", encoding="utf-8")
        index_s, report = timed(lambda: assistant.index([folder]))
        refresh_s, _ = timed(lambda: assistant.search(queries[0], 5))
        passages = _passages_of(assistant, target.name)
        groups = _encoded_by_build(assistant, passages)
        texts = [t for group in groups for t in group]
        # Encoded as the build does (passages, then sentences, in separate calls): one call
        # would pad the short sentences to the passages' length and overstate the encoding.
        encode_s = min(sum(timed(lambda g=g: assistant.embedder.encode(g))[0] for g in groups) for _ in range(2))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return {
        "index_passages": assistant.store.count_passages(),
        "article_passages": len(passages),
        "encoded_texts": len(texts),
        "added": report.added,
        "index_s": round(index_s, 3),
        "own_encoding_s": round(encode_s, 3),
        "cost_beyond_encoding_s": round(index_s - encode_s, 3),
        "first_search_after_s": round(refresh_s, 3),
    }


def _passages_of(assistant: Assistant, file_name: str) -> list[str]:
    snap = assistant.retriever.snapshot()
    ids = {a.id for a in snap.articles.values() if Path(a.source).name == file_name}
    return [p.text for p in snap.passages if p.article_id in ids]


def _encoded_by_build(assistant: Assistant, passages: list[str]) -> list[list[str]]:
    """What the build encodes for these passages, call by call: them, and their sentences
    when the store keeps those."""
    if not hasattr(assistant.store, "sentences"):
        return [passages]
    return [passages, [s for t in passages for s in sentences(t)]]
