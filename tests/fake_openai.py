"""A local server speaking the OpenAI chat-completions protocol, with scripted replies.

No language model is reachable from CI, so tests run the product against this server:
it answers `POST /v1/chat/completions` (streaming SSE and plain JSON) and records every
request. What it replies is scripted:

    server.push(text("Kroenig argues ... [1]."), status(500))   # a queue, used in order
    server.default = text(good_answer)                          # when the queue is empty
    server.random_faults(rate=0.3, seed=7)                      # soak tests: random failures

A reply's content may be a function of the request body, so a test can cite the
passages the product actually sent (see `good_answer`).
"""

from __future__ import annotations

import json
import random
import re
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Content = str | Callable[[dict], str]
FAULTS = ("status", "stall", "malformed", "drop", "empty", "hang")


@dataclass
class Reply:
    kind: str = "text"  # text | status | stall | malformed | drop | empty | hang
    content: Content = ""
    status: int = 200
    seconds: float = 0.0


def text(content: Content) -> Reply:
    return Reply("text", content)


def status(code: int = 500) -> Reply:
    return Reply("status", status=code)


def stall(seconds: float = 30.0) -> Reply:
    return Reply("stall", seconds=seconds)


def malformed() -> Reply:
    return Reply("malformed")


def drop() -> Reply:
    """Close the connection mid-reply."""
    return Reply("drop")


def hang(seconds: float = 30.0, content: Content = "Kroenig argues") -> Reply:
    """Start streaming `content`, then stall mid-reply."""
    return Reply("hang", content, seconds=seconds)


def empty() -> Reply:
    return Reply("empty")


# -- reading what the product sent ----------------------------------------------------------
_PASSAGE = re.compile(r"<<<PASSAGE (\d+) (\w+)>>>\n(.*?)\n<<<END PASSAGE \1 \2>>>", re.DOTALL)


def prompt_text(body: dict) -> str:
    return "\n\n".join(str(m.get("content", "")) for m in body.get("messages", []))


def passages_in(body: dict) -> list[dict[str, str]]:
    """The fenced passages of a request: n, author, title, outlet, date, text."""
    out = []
    for match in _PASSAGE.finditer(prompt_text(body)):
        header, _, passage_text = match.group(3).partition("\ntext:\n")
        fields = dict(line.split(": ", 1) for line in header.splitlines() if ": " in line)
        out.append({"n": match.group(1), **fields, "text": passage_text})
    return out


def hypothesis_in(body: dict) -> str:
    """The hypothesis a stance request asks about (the claim, or its negation): the last one,
    after the prompt's examples."""
    found = re.findall(r"^Hypothesis: (.*)$", prompt_text(body), re.MULTILINE)
    return found[-1] if found else ""


def first_words(passage_text: str, count: int = 8) -> str:
    """The opening words of a passage's first sentence: a verbatim quote."""
    first = re.split(r"(?<=[.!?])\s+", passage_text.strip())[0]
    return " ".join(first.split()[:count]).rstrip(",;:")


def good_answer(body: dict) -> str:
    """A well-formed answer: every sentence cites a given passage, quotes are verbatim."""
    passages = passages_in(body)
    if not passages:
        return "The passages do not answer this question."
    return " ".join(
        f"{p.get('author', 'The author')} writes that \u201c{first_words(p['text'])}\u201d [{p['n']}]."
        for p in passages[:3]
    )


# -- the server -------------------------------------------------------------------------------
class FakeOpenAI:
    def __init__(self, host: str = "127.0.0.1") -> None:
        self.requests: list[dict[str, Any]] = []
        self.script: deque[Reply] = deque()
        self.default: Reply = text(good_answer)
        self.fault_rate = 0.0
        self.fault_kinds: tuple[str, ...] = FAULTS
        self.stall_seconds = 30.0
        self._rng = random.Random(0)
        self._lock = threading.Lock()
        self.generation = 0  # bumped by reset(): stalled handlers of earlier tests give up
        self.httpd = ThreadingHTTPServer((host, 0), _handler(self))
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def start(self) -> FakeOpenAI:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.generation += 1
        self.httpd.shutdown()
        self.httpd.server_close()

    def reset(self) -> None:
        with self._lock:
            self.generation += 1
            self.requests.clear()
            self.script.clear()
            self.default = text(good_answer)
            self.fault_rate = 0.0

    def push(self, *replies: Reply) -> None:
        with self._lock:
            self.script.extend(replies)

    def random_faults(self, rate: float, seed: int = 0, kinds: tuple[str, ...] = FAULTS,
                      stall_seconds: float = 30.0) -> None:
        """Each request fails with probability `rate`, with a fault drawn from `kinds`."""
        with self._lock:
            self.fault_rate, self.fault_kinds, self.stall_seconds = rate, kinds, stall_seconds
            self._rng = random.Random(seed)

    def chat_requests(self) -> list[dict]:
        return [r["body"] for r in self.requests if r["path"].endswith("/chat/completions")]

    def next_reply(self) -> Reply:
        with self._lock:
            if self.script:
                return self.script.popleft()
            if self.fault_rate and self._rng.random() < self.fault_rate:
                kind = self._rng.choice(self.fault_kinds)
                return Reply(kind, status=500 if kind == "status" else 200, seconds=self.stall_seconds)
            return self.default


def closed_port_url() -> str:
    """An endpoint on 127.0.0.1 where nothing listens (connections are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


def _handler(server: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # keep test output quiet
            pass

        def do_GET(self) -> None:
            self._json(200, {"object": "list", "data": [{"id": "fake-model", "object": "model"}]})

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                body = {}
            server.requests.append({"path": self.path, "body": body, "headers": dict(self.headers)})
            reply = server.next_reply()
            try:
                self._reply(reply, body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (e.g. after its timeout): nothing to do

        def _reply(self, reply: Reply, body: dict) -> None:
            stream = bool(body.get("stream"))
            if reply.kind == "status":
                self._json(reply.status, {"error": {"message": "scripted failure", "type": "server_error"}})
            elif reply.kind == "stall":
                self._stall(reply.seconds)
                self._send(server.default, body, stream)
            elif reply.kind == "malformed":
                self._malformed(stream)
            elif reply.kind == "drop":
                self._drop(stream)
            elif reply.kind == "hang":
                self._hang(reply, body, stream)
            elif reply.kind == "empty":
                self._send(Reply("text", ""), body, stream)
            else:
                self._send(reply, body, stream)

        def _stall(self, seconds: float) -> None:
            generation, until = server.generation, time.monotonic() + seconds
            while time.monotonic() < until and server.generation == generation:
                time.sleep(0.05)

        def _send(self, reply: Reply, body: dict, stream: bool) -> None:
            content = reply.content(body) if callable(reply.content) else reply.content
            model = body.get("model", "fake-model")
            if not stream:
                self._json(200, _completion(model, content, bool(body.get("logprobs"))))
                return
            self._sse_headers()
            self._event(_chunk(model, {"role": "assistant", "content": ""}))
            for i in range(0, len(content), 12):
                self._event(_chunk(model, {"content": content[i : i + 12]}))
            self._event(_chunk(model, {}, finish="stop"))
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()

        def _malformed(self, stream: bool) -> None:
            if stream:
                self._sse_headers()
                self.wfile.write(b"data: {this is not json\n\n")
                self.wfile.flush()
                return
            payload = b"<html>not json at all"
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def _drop(self, stream: bool) -> None:
            if stream:
                self._sse_headers()
                self._event(_chunk("fake-model", {"role": "assistant", "content": "Kroenig argues"}))
            else:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "500")
                self.end_headers()
                self.wfile.write(b'{"id": "x", "choi')
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)

        def _hang(self, reply: Reply, body: dict, stream: bool) -> None:
            if stream:
                self._sse_headers()
                content = reply.content(body) if callable(reply.content) else reply.content
                self._event(_chunk("fake-model", {"role": "assistant", "content": content}))
            self._stall(reply.seconds)

        def _sse_headers(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()

        def _event(self, payload: dict) -> None:
            self.wfile.write(b"data: " + json.dumps(payload).encode() + b"\n\n")
            self.wfile.flush()

        def _json(self, code: int, payload: dict) -> None:
            data = json.dumps(payload).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


def _completion(model: str, content: str, logprobs: bool = False) -> dict:
    choice: dict[str, Any] = {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
    if logprobs:  # the scripted content is the one likely first token, with probability 1
        token = {"token": content, "logprob": 0.0, "bytes": None}
        choice["logprobs"] = {"content": [{**token, "top_logprobs": [token]}]}
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [choice],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
    }


def _chunk(model: str, delta: dict, finish: str | None = None) -> dict:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
