"""The one OpenAI client, shared by the chat model (`compose.llm`) and the embedder of an
OpenAI-compatible endpoint (`index.embeddings`)."""

from __future__ import annotations

import openai

from assistant.settings import Settings

# Local servers (vLLM, Ollama, llama.cpp) ignore the key, but the client requires one.
PLACEHOLDER_KEY = "not-needed"
OPENAI_URL = "https://api.openai.com/v1"
# A local model on a small CPU needs longer than a hosted endpoint: a queued request waits for
# a free slot, and a whole non-streamed reply comes at ~14 tokens/s.
LOCAL_TIMEOUT_S = 120.0


def make_client(settings: Settings, base_url: str | None = None) -> openai.OpenAI:
    """The one OpenAI client: explicit connect/read timeouts, bounded retries."""
    return openai.OpenAI(
        api_key=settings.openai_api_key or PLACEHOLDER_KEY,
        # Explicit, so the client never picks up an OPENAI_BASE_URL the settings did not choose.
        base_url=base_url or settings.openai_base_url or OPENAI_URL,
        timeout=openai.Timeout(read_timeout(settings), connect=settings.llm_connect_timeout),
        max_retries=max(0, settings.llm_retries),
    )


def read_timeout(settings: Settings) -> float:
    return max(settings.llm_timeout, LOCAL_TIMEOUT_S) if settings.llm == "local" else settings.llm_timeout
