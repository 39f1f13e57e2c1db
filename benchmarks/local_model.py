"""The built-in model on this machine: the product's answers beside LlamaIndex's CitationQueryEngine.

Both answer the same questions through the same llama.cpp server (same model, same slots, same
process), one after the other per question, so the ratios compare like with like. Per answer:
time to sources (retrieval done, passages on screen), time to first token the user sees, generated
tokens/s, whole-answer latency, and prompt tokens (the chat template applied and tokenized by the
server itself, so both sides count the same way; prefix caching does not hide any of them), of which
the server evaluated (the rest it took from its prompt cache: a prefix shared with the slot's last
request). Then a positions table with the model's sides on the seed corpus (six authors), timed the
first time ever and again in a new server process (which restores the saved stance-prompt state).

    python -m benchmarks.local_model [--questions 4]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from assistant import Assistant
from assistant.compose.llm import ANSWER_MAX_TOKENS
from assistant.compose.local_model import LocalServer, display_name, model_path, shared_server
from assistant.evaluation.corpus import VanillaLlamaIndex, load_dev
from assistant.jobs import stance
from assistant.models import Answer, Sources
from assistant.settings import PROJECT_ROOT, Settings

from .seed import settings_for

CORPUS = PROJECT_ROOT / "corpus"
QUESTIONS = 4  # ~30 s an answer per engine here: 4 questions keep this part near 5 minutes
# The seed corpus's six authors each get a row: the table issue 13 times (target 30 s here).
POSITIONS_QUESTION = "Would an early peace deal between Russia and Ukraine do more harm than good?"


def local_settings(data: Path, corpus: Path = CORPUS) -> Settings:
    """The bench's isolated settings (seed.settings_for) with the built-in model; the GGUF comes
    from the default data dir, assembled once."""
    model = model_path(Settings(_env_file=None))
    return settings_for(data, corpus).model_copy(update={"llm": "local", "local_model": model})


def prompt_tokens(base_url: str, messages: list[dict[str, str]]) -> int:
    """Tokens of `messages` as the server would feed them to the model (its own chat template)."""
    root = base_url.removesuffix("/v1")
    prompt = _post(f"{root}/apply-template", {"messages": messages})["prompt"]
    return len(_post(f"{root}/tokenize", {"content": prompt})["tokens"])


def _post(url: str, payload: dict) -> dict:
    request = urllib.request.Request(url, json.dumps(payload).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


class _Clock:
    """Times one answer: sources, first shown token, model tokens (one per streamed delta)."""

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.sources_s: float | None = None
        self.first_token_s: float | None = None
        self.model_deltas: list[float] = []

    def now(self) -> float:
        return time.perf_counter() - self.start

    def result(self, total_s: float, tokens: int, evaluated: int) -> dict[str, Any]:
        deltas = self.model_deltas
        writing = deltas[-1] - deltas[0] if len(deltas) > 1 else 0.0
        return {
            "sources_s": self.sources_s, "first_token_s": self.first_token_s, "total_s": round(total_s, 2),
            "generated_tokens": len(deltas), "tokens_per_s": round((len(deltas) - 1) / writing, 2) if writing else None,
            "prompt_tokens": tokens, "prompt_tokens_evaluated": evaluated,
        }


def product_answer(assistant: Assistant, question: str, server: LocalServer) -> dict[str, Any]:
    sent: list[list[dict[str, str]]] = []
    read_before = server.prompt_tokens()
    clock = _Clock()
    stream = assistant.chat.stream

    def recording(messages: list[dict[str, str]], max_tokens: int | None = None) -> Iterator[str]:
        sent.append(messages)
        for delta in stream(messages, max_tokens):
            clock.model_deltas.append(clock.now())
            yield delta

    assistant.chat.stream = recording  # type: ignore[method-assign]  # instance-level: this answer only
    try:
        for item in assistant.stream(question):
            if isinstance(item, Sources):
                clock.sources_s = round(clock.now(), 3)
            elif isinstance(item, str) and clock.first_token_s is None:
                clock.first_token_s = round(clock.now(), 2)
            elif isinstance(item, Answer):
                answer = item
    finally:
        del assistant.chat.stream
    total_s = clock.now()
    evaluated = (server.prompt_tokens() - read_before).evaluated
    result = clock.result(total_s, sum(prompt_tokens(server.base_url, m) for m in sent), evaluated)
    result.update(mode=answer.mode, citations=len(answer.citations), notices=len(answer.notices))
    return result


class CitationEngine:
    """LlamaIndex's CitationQueryEngine, defaults as shipped, over vanilla LlamaIndex's index of the
    same corpus (same MiniLM), answering through the same server with the same token budget."""

    def __init__(self, corpus: Path, server: LocalServer, model: str) -> None:
        from llama_index.core.instrumentation import get_dispatcher
        from llama_index.core.query_engine import CitationQueryEngine
        from llama_index.llms.openai_like import OpenAILike

        llm = OpenAILike(model=model, api_base=server.base_url, api_key="local", is_chat_model=True, temperature=0,
                         max_tokens=ANSWER_MAX_TOKENS, timeout=300)
        self.engine = CitationQueryEngine.from_args(VanillaLlamaIndex(corpus).index, llm=llm, streaming=True)
        self.server = server
        self.sent: list[list[dict[str, str]]] = []
        get_dispatcher().add_event_handler(_ChatRecorder(self.sent))

    def answer(self, question: str) -> dict[str, Any]:
        self.sent.clear()
        read_before = self.server.prompt_tokens()
        clock = _Clock()
        response = self.engine.query(question)
        clock.sources_s = round(clock.now(), 3)  # retrieval is done when query() returns a stream
        for delta in response.response_gen:
            if delta:
                clock.model_deltas.append(clock.now())
                clock.first_token_s = clock.first_token_s or round(clock.now(), 2)
        total_s = clock.now()
        evaluated = (self.server.prompt_tokens() - read_before).evaluated
        return clock.result(total_s, sum(prompt_tokens(self.server.base_url, m) for m in self.sent), evaluated)


def _ChatRecorder(sent: list) -> Any:  # noqa: N802 - a factory for a class built on the optional import
    from llama_index.core.instrumentation.event_handlers import BaseEventHandler
    from llama_index.core.instrumentation.events.llm import LLMChatStartEvent

    class Recorder(BaseEventHandler):
        def handle(self, event: Any, **kwargs: Any) -> None:
            if isinstance(event, LLMChatStartEvent):
                sent.append([{"role": m.role.value, "content": m.content or ""} for m in event.messages])

    return Recorder()


def local_model_bench(data: Path, questions: int = QUESTIONS) -> dict[str, Any]:
    """Both engines on the first `questions` answerable dev questions, interleaved."""
    assistant = Assistant(local_settings(data))
    server = shared_server(assistant.settings)
    server.ensure()
    engine = CitationEngine(CORPUS, server, display_name(assistant.settings))
    answerable = [q.question for q in load_dev() if q.answerable]
    asked = answerable[:questions]
    # Warm-up (embedder, index snapshot, the server's system prompt) on a question not measured:
    # warming up on a measured one let the server replay that whole prompt from its cache.
    assistant.ask(answerable[questions])
    rows = [{"question": q, "product": product_answer(assistant, q, server), "citation_engine": engine.answer(q)}
            for q in asked]
    return {"model": display_name(assistant.settings), "answers": rows, "ratios": _ratios(rows),
            **{side: _medians([r[side] for r in rows]) for side in ("product", "citation_engine")},
            "positions_table": positions_table(assistant)}


def positions_table(assistant: Assistant, question: str = POSITIONS_QUESTION) -> dict[str, Any]:
    """One positions table with the model's sides, timed as a user meets it: the first of a
    process (no side cached). First ever: the server reads the stance prompt and saves its state;
    then, in a new server process, the state saved by the first is restored instead."""
    first = _timed_table(assistant, question)
    shared_server(assistant.settings).stop()  # the next request starts a new server process
    return {**_timed_table(assistant, question), "first_ever_seconds": first["seconds"]}


def _timed_table(assistant: Assistant, question: str) -> dict[str, Any]:
    stance.clear_cache()
    start = time.perf_counter()
    report = assistant.positions_report(question)
    seconds = time.perf_counter() - start
    quotes = sum(len(p.citations) for p in report.positions)
    return {"question": question, "seconds": round(seconds, 1), "rows": len(report.positions), "quotes": quotes,
            "seconds_per_quote": round(seconds / quotes, 2) if quotes else None, "mode": report.mode}


def _medians(results: list[dict[str, Any]]) -> dict[str, float | None]:
    keys = ("sources_s", "first_token_s", "total_s", "tokens_per_s", "prompt_tokens", "prompt_tokens_evaluated")
    return {k: _median([r[k] for r in results]) for k in keys}


def _median(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return round(statistics.median(present), 3) if present else None


def _ratios(rows: list[dict[str, Any]]) -> dict[str, float]:
    """Product / CitationQueryEngine, the median of the per-question ratios (same question, same minute)."""
    def ratio(key: str) -> float:
        pairs = [(r["product"][key], r["citation_engine"][key]) for r in rows]
        return round(statistics.median(a / b for a, b in pairs if a and b), 2)

    keys = ("prompt_tokens", "prompt_tokens_evaluated", "first_token_s", "total_s", "tokens_per_s")
    return {k: ratio(k) for k in keys}


def main() -> None:
    import tempfile

    parser = argparse.ArgumentParser(prog="python -m benchmarks.local_model", description=__doc__.split("\n")[0])
    parser.add_argument("--questions", type=int, default=QUESTIONS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-local-") as data:
        print(json.dumps(local_model_bench(Path(data), args.questions), indent=2))


if __name__ == "__main__":
    main()
