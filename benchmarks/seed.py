"""Benchmarks on the seed corpus: build throughput, search and ask latency, vanilla LlamaIndex, the model alone."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from assistant.citations import sentences
from assistant.core import Assistant
from assistant.evaluation.corpus import VanillaLlamaIndex
from assistant.settings import PROJECT_ROOT, Settings
from index.builder import EMBED_BATCH

from .timing import measure, timed

BUILD_RUNS = 3


def settings_for(data: Path, corpus: Path = PROJECT_ROOT / "corpus") -> Settings:
    """Extractive settings over `data`, isolated from the developer's `.env`."""
    return Settings(
        _env_file=None,
        ASSISTANT_DATA=str(data),
        ASSISTANT_CORPUS=str(corpus),
        OPENAI_API_KEY=None,
        OPENAI_BASE_URL=None,
        CHROMA_HOST=None,
    )


def make_assistant(data: Path, corpus: Path, auto_index: bool = True) -> Assistant:
    return Assistant(settings_for(data, corpus), auto_index=auto_index)


def build_throughput(corpus: Path, workdir: Path) -> tuple[dict[str, Any], list[Path]]:
    """Full index builds into fresh data dirs (best of BUILD_RUNS) vs the model's raw encode of the same passages."""
    runs, dirs = [], []
    for n in range(BUILD_RUNS):
        data = Path(tempfile.mkdtemp(prefix=f"build{n}-", dir=workdir))
        assistant = make_assistant(data, corpus)
        assistant.embedder  # noqa: B018 - load the model outside the timed build
        seconds, report = timed(lambda a=assistant: a.index([corpus]))
        runs.append((seconds, report.chunks))
        dirs.append(data)
    texts = [p.text for p in assistant.retriever.snapshot().passages]
    build_s, chunks = min(runs)
    encode_s = best_encode(assistant, texts)
    result = {
        "passages": chunks,
        "build_s": round(build_s, 3),
        "build_passages_per_s": round(chunks / build_s, 1),
        "raw_encode_s": round(encode_s, 3),
        "raw_encode_passages_per_s": round(len(texts) / encode_s, 1),
        "ratio": round(encode_s / build_s, 3),
    }
    if hasattr(assistant.store, "sentences"):  # sentence-level retrieval: the build also encodes every sentence
        with_sentences = texts + [s for t in texts for s in sentences(t)]
        encode_all_s = best_encode(assistant, with_sentences)
        result.update(
            raw_encode_with_sentences_s=round(encode_all_s, 3), ratio_with_sentences=round(encode_all_s / build_s, 3)
        )
    return result, dirs


def best_encode(assistant: Assistant, texts: list[str]) -> float:
    """Seconds for the model alone to encode `texts` (best of BUILD_RUNS, the builder's batch size)."""
    return min(timed(lambda: assistant.embedder.encode(texts, batch_size=EMBED_BATCH))[0] for _ in range(BUILD_RUNS))


def seed_latency(assistant: Assistant, corpus: Path, queries: list[str]) -> dict[str, Any]:
    """Search, ask and raw query encoding on the seed index; vanilla LlamaIndex retrieval in the same process."""
    encode = measure(lambda q: assistant.embedder.encode([q]), queries, rounds=5, budget_s=15)
    search = measure(lambda q: assistant.search(q, 5), queries, rounds=5, budget_s=20)
    ask = measure(assistant.ask, queries, rounds=3, budget_s=30)
    vanilla = VanillaLlamaIndex(corpus)
    vanilla_search = measure(vanilla.texts, queries, rounds=5, budget_s=20)
    return {
        "passages": len(assistant.retriever.snapshot().passages),
        "vanilla_chunks": len(vanilla.nodes),
        "query_encode_ms": encode.as_dict(),
        "search_ms": search.as_dict(),
        "ask_ms": ask.as_dict(),
        "vanilla_search_ms": vanilla_search.as_dict(),
        "search_vs_vanilla_p50": round(search.p50 / vanilla_search.p50, 3),
        "search_over_encode_p50_ms": round(search.p50 - encode.p50, 3),
        "search_vs_encode_p50": round(search.p50 / encode.p50, 3),
        "query_encode_one_thread_ms": encode_one_thread(assistant, queries),
    }


def encode_one_thread(assistant: Assistant, queries: list[str]) -> dict[str, float]:
    """Diagnostic: the same query encoding with torch limited to one thread (restored after)."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return measure(lambda q: assistant.embedder.encode([q]), queries, rounds=5, budget_s=15).as_dict()
    finally:
        torch.set_num_threads(threads)
