"""Keeping third-party chatter (load bars, debug lines) out of the user's terminal."""

from __future__ import annotations

import logging
import os


def quiet_libraries() -> None:
    os.environ.setdefault("TQDM_DISABLE", "1")  # sentence-transformers' "Loading weights" bar
    for name in ("bm25s", "sentence_transformers", "chromadb", "httpx", "transformers"):
        logging.getLogger(name).setLevel(logging.WARNING)
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        hf_logging.set_verbosity_error()
    except ImportError:
        pass
