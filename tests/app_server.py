"""Running the real app (`python app.py`) in a subprocess on a free port, for the app and browser tests."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STARTUP_SECONDS = 180


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, proc: subprocess.Popen, log: Path, timeout: float = STARTUP_SECONDS) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"app exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"app not up after {timeout}s:\n{log.read_text()[-3000:]}")


@contextmanager
def running_app(tmp: Path, **env_extra: str):
    """`python app.py` over a private copy of the default corpus; yields (url, corpus folder)."""
    corpus = tmp / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    port = free_port()
    env = dict(os.environ)
    env.update(
        ASSISTANT_CORPUS=str(corpus), ASSISTANT_DATA=str(tmp / "data"), ASSISTANT_HOST="127.0.0.1",
        ASSISTANT_PORT=str(port), OPENAI_API_KEY="", OPENAI_BASE_URL="", CHROMA_HOST="",
        GRADIO_ANALYTICS_ENABLED="False", **env_extra,
    )
    with app_process(env, tmp / "app.log", port, STARTUP_SECONDS) as (url, _process):
        yield url, corpus


@contextmanager
def app_process(env: dict[str, str], log: Path, port: int, timeout: float = 240):
    """`python app.py` with exactly `env` (which sets the port), logging to `log`; yields (url, process)."""
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_until_up(url, proc, log, timeout)
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


_shared: dict[str, tuple[str, Path]] = {}


def shared_app(request, tmp_path_factory) -> tuple[str, Path]:
    """One app process for the whole test session (the app and browser tests share it):
    started on first use, stopped when the session ends."""
    if "app" not in _shared:
        manager = running_app(tmp_path_factory.mktemp("app"))
        _shared["app"] = manager.__enter__()
        request.session.config.add_cleanup(lambda: manager.__exit__(None, None, None))
    return _shared["app"]
