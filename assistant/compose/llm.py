"""Language models at any OpenAI-compatible endpoint: one client, bounded and fail-fast.

Everything that talks to the endpoint goes through `ChatModel`, which turns every
failure (HTTP errors, timeouts, refused connections, malformed or empty replies) into
`LLMError` with a short reason the user can read. Callers catch `LLMError` and fall
back to the extractive answer.
"""

from __future__ import annotations

import json
import logging
import math
import re
import time
from collections.abc import Callable, Iterator

import numpy as np
import openai

from assistant.citations import quotable_sentences, sentence_spans
from assistant.compose import prompts
from assistant.compose.enforce import Enforced, Enforcer
from assistant.compose.extractive import NOT_ADDRESSED
from assistant.compose.support import NO_CITATION
from assistant.models import Answer, Passage
from assistant.openai_client import make_client, read_timeout
from assistant.retrieval.conversation import History, history_turns
from assistant.settings import Settings

log = logging.getLogger(__name__)

# A stream is cut off after this many read timeouts' worth of time in total, so a
# server that trickles tokens forever cannot hold a request open.
STREAM_BUDGET_READS = 6
# A small local model on 2 cores reads ~70 prompt tokens/s: for the first token within 10 s
# the prompt must stay near 600 tokens, so it gets fewer, shorter passages.
LOCAL_PASSAGES = 3
LOCAL_PASSAGE_CHARS = 400
ANSWER_MAX_TOKENS = 350  # a few short paragraphs; the answer cannot run on
# The model sometimes continues with a new prompt section after its answer.
ANSWER_STOP = ["\nPassages:", "\nQuestion:", "<<<"]
NOT_ANSWERED = "NOT IN THE PASSAGES"  # the reply of prompts/answer.md's rule 6
DECLINED = "The language model found no answer to this question in the passages retrieved."
SEED = 1234  # with temperature 0: the same question gets the same answer
TOP_LOGPROBS = 20  # the first tokens read by next_token_probs (OpenAI's API allows at most 20)
HISTORY_TURNS = 6
MAX_STANDALONE_CHARS = 600

Encode = Callable[[list[str]], np.ndarray]


class LLMError(RuntimeError):
    """The endpoint failed; the message names the failure for the user."""


def describe(exc: BaseException) -> str:
    """A short, user-facing name for an endpoint failure."""
    if isinstance(exc, LLMError):
        return str(exc)
    if isinstance(exc, openai.APITimeoutError) or "timeout" in type(exc).__name__.lower():
        return "timed out"
    if isinstance(exc, openai.APIConnectionError):
        cause = type(exc.__cause__).__name__ if exc.__cause__ else ""
        if not cause or "Connect" in cause:  # refused, DNS, no route: nothing answered
            return "unreachable: connection failed"
        return f"connection lost mid-reply ({cause})"
    if isinstance(exc, openai.APIStatusError):
        return f"HTTP {exc.status_code} error"
    if isinstance(exc, ValueError | KeyError | IndexError | AttributeError | TypeError):
        return f"malformed response: {type(exc).__name__}"
    return f"{type(exc).__name__}: {exc}"[:200]


class ChatModel:
    """Chat completions at the configured endpoint, streaming or not."""

    def __init__(self, settings: Settings, client: openai.OpenAI | None = None) -> None:
        self.settings = settings
        self.model = settings.llm_model
        self._client = client
        self._client_url = ""
        self._local = None
        if client is None and settings.llm == "local":
            from assistant.compose.local_model import shared_server

            self._local = shared_server(settings)

    @property
    def client(self) -> openai.OpenAI:
        """The client; with the built-in model, for its server, (re)started if it is not running."""
        if self._local is not None:
            url = self._local.ensure()
            if self._client is None or url != self._client_url:
                self._client, self._client_url = make_client(self.settings, url), url
        elif self._client is None:
            self._client = make_client(self.settings)
        return self._client

    def _client_for(self, messages: list[dict[str, str]]) -> openai.OpenAI:
        """The client, with the built-in server's slot primed with the messages' system prompt."""
        client = self.client
        if self._local is not None and messages and messages[0]["role"] == "system":
            self._local.prime(messages[0]["content"])
        return client

    def _failure(self, exc: Exception) -> LLMError:
        reason = describe(exc)
        if reason == "timed out":  # say how long we waited: the user can raise the limit
            reason = f"timed out after {read_timeout(self.settings):g} s (ASSISTANT_LLM_TIMEOUT)"
        return LLMError(reason)

    def complete(
        self, messages: list[dict[str, str]], max_tokens: int | None = None, response_format: dict | None = None
    ) -> str:
        """The whole reply; raises LLMError on any failure or an empty reply."""
        extra = {"response_format": response_format} if response_format else {}
        try:
            response = self._client_for(messages).chat.completions.create(
                model=self.model, messages=messages, temperature=0, seed=SEED, max_tokens=max_tokens, **extra
            )
            content = response.choices[0].message.content if response.choices else None
        except LLMError:
            raise
        except Exception as exc:  # every endpoint failure becomes one error type
            raise self._failure(exc) from exc
        if not isinstance(content, str) or not content.strip():
            raise LLMError("empty reply")
        return content

    def complete_json(self, messages: list[dict[str, str]], schema: dict, max_tokens: int | None = None) -> object:
        """A reply constrained to JSON `schema` by the server (llama.cpp compiles it to a grammar)."""
        response_format = {"type": "json_schema", "json_schema": {"name": "reply", "schema": schema, "strict": True}}
        reply = self.complete(messages, max_tokens=max_tokens, response_format=response_format)
        try:
            return json.loads(reply)
        except json.JSONDecodeError as exc:
            raise LLMError(f"malformed JSON reply: {exc.msg}") from exc

    def next_token_probs(self, messages: list[dict[str, str]], top: int = TOP_LOGPROBS) -> dict[str, float]:
        """The probabilities of the `top` likeliest first tokens of the reply, by token text.

        Read, not sampled: a label is then the likeliest of a fixed set of answer tokens
        (nothing else can come out), and its probability says how sure the model is.
        """
        try:
            response = self._client_for(messages).chat.completions.create(
                model=self.model, messages=messages, temperature=0, seed=SEED, max_tokens=1, logprobs=True,
                top_logprobs=top,
            )
            first = response.choices[0].logprobs.content[0]
            return {c.token: math.exp(c.logprob) for c in first.top_logprobs}
        except Exception as exc:  # every endpoint failure, and a reply without log-probabilities
            raise self._failure(exc) from exc

    def stream(self, messages: list[dict[str, str]], max_tokens: int | None = None) -> Iterator[str]:
        """Text deltas as they arrive; raises LLMError on failure, an empty reply or overtime."""
        deadline = time.monotonic() + STREAM_BUDGET_READS * read_timeout(self.settings)
        received = finished = False
        try:
            # `with`: the HTTP response is closed even when the caller stops reading early.
            with self._client_for(messages).chat.completions.create(
                model=self.model, messages=messages, temperature=0, seed=SEED, max_tokens=max_tokens,
                stop=ANSWER_STOP, stream=True,
            ) as chunks:
                for chunk in chunks:
                    if time.monotonic() > deadline:
                        raise LLMError("timed out: the reply took too long")
                    finished = finished or _finish_reason(chunk) is not None
                    delta = _delta_text(chunk)
                    if delta:
                        received = True
                        yield delta
        except LLMError:
            raise
        except Exception as exc:  # every endpoint failure becomes one error type
            raise self._failure(exc) from exc
        if not received:
            raise LLMError("empty reply")
        if not finished:  # the connection closed before the server said the reply was complete
            raise LLMError("reply cut off: connection closed mid-stream")


def _finish_reason(chunk: object) -> str | None:
    choices = getattr(chunk, "choices", None) or []
    return getattr(choices[0], "finish_reason", None) if choices else None


def _delta_text(chunk: object) -> str:
    # Some servers send keep-alive or usage-only chunks with no choices.
    choices = getattr(chunk, "choices", None) or []
    if not choices:
        return ""
    delta = getattr(choices[0], "delta", None)
    content = getattr(delta, "content", None)
    return content if isinstance(content, str) else ""


# -- follow-up questions ------------------------------------------------------------------
def condense(chat: ChatModel, question: str, history: History) -> str:
    """The follow-up `question` rewritten as a standalone question, given the conversation."""
    turns = history_turns(history)[-2 * HISTORY_TURNS :]
    if not turns:
        return question
    nonce = prompts.fence_key(question, *(text for _, text in turns))
    transcript = "\n".join(f"{role}: {prompts.fence_text(_shorten(text))}" for role, text in turns)
    reply = chat.complete(
        prompts.messages("condense", nonce, history=transcript, question=prompts.fence_text(question)),
        max_tokens=200,
    )
    standalone = reply.strip().splitlines()[0].strip().strip("\"'\u201c\u201d")
    standalone = re.sub(r"^(standalone question:\s*)", "", standalone, flags=re.IGNORECASE).strip()
    if not standalone or len(standalone) > MAX_STANDALONE_CHARS:
        raise LLMError("malformed reply to the follow-up rewrite")
    return standalone


def _shorten(text: str, limit: int = 1500) -> str:
    # Earlier answers can be long; their gist is enough to resolve references.
    return text if len(text) <= limit else text[:limit] + " ..."


# -- answers ------------------------------------------------------------------------------
def clip(text: str, limit: int) -> str:
    """`text` cut at the last word boundary within `limit` characters (a prefix, so quotes of it stay verbatim)."""
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > 0 else limit]


def answer_messages(question: str, passages: list[Passage]) -> list[dict[str, str]]:
    nonce = prompts.fence_key(question, *(p.text for p in passages))
    return prompts.messages(
        "answer",
        nonce,
        passages=prompts.fence_passages(passages, nonce),
        question=prompts.fence_text(question),
    )


def answer_passages(settings: Settings, passages: list[Passage]) -> list[Passage]:
    """The passages a model answers from: fewer for the built-in model, whose prompt time dominates."""
    return passages[:LOCAL_PASSAGES] if settings.llm == "local" else passages


def excerpt(passage: Passage, question_vector: np.ndarray, encode: Encode, limit: int) -> Passage:
    """The passage as a short prompt shows it: its sentences closest to the question that fit in `limit`
    characters, in their order, " … " where sentences were left out. A prefix would cut off the answer
    when it comes late in the passage ("you are 14 times more likely to die" in a briefing's long
    answer). Only unflagged sentences (`quotable_sentences`) are candidates, so a span addressed to an
    AI assistant is left out, not withheld in place."""
    parts = quotable_sentences(passage)
    if len(passage.text) <= limit and len(parts) == len(sentence_spans(passage.text)):
        return passage
    if not parts:
        return passage.model_copy(update={"text": "", "flags": []})
    scores = encode(parts) @ question_vector
    kept, used = set(), 0
    for i in sorted(range(len(parts)), key=lambda i: -scores[i]):
        if used + len(parts[i]) > limit and kept:
            continue
        kept.add(i)
        used += len(parts[i])
    text = ""
    for i in sorted(kept):
        text += (" " if i - 1 in kept else (" \u2026 " if text else "")) + parts[i].strip()
    return passage.model_copy(update={"text": clip(text, limit), "flags": []})


def fit_passages(
    chat: ChatModel, passages: list[Passage], question: str = "", encode: Encode | None = None
) -> tuple[list[Passage], list[Passage]]:
    """The passages an answer may cite, and as the prompt shows them (shorter for a local model: the
    sentences closest to `question` when an encoder is given, else a prefix)."""
    passages = answer_passages(chat.settings, passages)
    if chat.settings.llm != "local":
        return passages, passages
    if encode is None or not question:
        return passages, [p.model_copy(update={"text": clip(p.text, LOCAL_PASSAGE_CHARS)}) for p in passages]
    question_vector = encode([question])[0]
    return passages, [excerpt(p, question_vector, encode, LOCAL_PASSAGE_CHARS) for p in passages]


def compose_stream(
    chat: ChatModel,
    question: str,
    passages: list[Passage],
    article_texts: dict[str, str],
    encode: Encode | None = None,
    people: list[str] | None = None,
) -> Iterator[str | Answer]:
    """Stream the model's answer, each sentence once it has passed the checks, then the Answer.

    Raises LLMError when the endpoint fails or no sentence of the reply is supported: such
    a reply is never shown as a grounded answer.
    """
    passages, prompt_passages = fit_passages(chat, passages, question, encode)
    enforcer = Enforcer(passages, article_texts, encode, people, question)
    reply = []
    for delta in chat.stream(answer_messages(question, prompt_passages), max_tokens=ANSWER_MAX_TOKENS):
        reply.append(delta)
        shown = enforcer.feed(delta)
        if shown:
            yield shown
    if tail := enforcer.flush():
        yield tail
    result = enforcer.result()
    if not result.citations and NOT_ANSWERED in "".join(reply).upper():
        # The model read the passages and found no answer in them (prompt rule 6): a question
        # that shares the corpus's words but asks what it does not say ("Which Justice wrote the
        # opinion?" of an oral argument) is not grounded, whatever its similarity.
        yield Answer(question=question, answer=NOT_ADDRESSED, grounded=False, mode="llm", notices=[DECLINED])
        return
    if not result.citations:
        raise LLMError(unsupported_reason(result))
    yield Answer(
        question=question,
        answer=result.text,
        citations=result.citations,
        grounded=True,
        mode="llm",
        notices=result.notices,
    )


def unsupported_reason(result: Enforced) -> str:
    """Why a checked reply cannot be used: what the user reads in the fallback's notice."""
    if not result.unsupported or set(result.unsupported) == {NO_CITATION}:
        return "reply had no valid citation"
    count = len(result.unsupported)
    return (f"no sentence of its reply is supported by the passages it cites "
            f"({count} sentence{'s' if count > 1 else ''} removed, not shown)")
