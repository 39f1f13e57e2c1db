"""Cold start and serving memory: `python app.py` on a built index, to the first answered request.

When app.py is absent the library path is measured instead (a fresh interpreter that
constructs an Assistant and answers once), and the result says so.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import psutil

from assistant.settings import PROJECT_ROOT

from .timing import free_port

APP = PROJECT_ROOT / "app.py"
START_TIMEOUT_S = 120
SERVING_REQUESTS = 10
LIBRARY_SCRIPT = (
    "import sys; from assistant import Assistant; a = Assistant(); a.ask(sys.argv[1]); print('ANSWERED', flush=True)"
)


class PeakRSS:
    """Samples the RSS of a process and its children in a thread; `peak` in bytes."""

    def __init__(self, pid: int, every_s: float = 0.05) -> None:
        self.process = psutil.Process(pid)
        self.every_s = every_s
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _rss(self) -> int:
        try:
            tree = [self.process, *self.process.children(recursive=True)]
            return sum(p.memory_info().rss for p in tree)
        except psutil.Error:
            return 0

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._rss())
            time.sleep(self.every_s)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def _env(data: Path, corpus: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"OPENAI_API_KEY", "OPENAI_BASE_URL", "CHROMA_HOST"}}
    env.update(
        ASSISTANT_DATA=str(data),
        ASSISTANT_CORPUS=str(corpus),
        ASSISTANT_HOST="127.0.0.1",
        ASSISTANT_PORT=str(port),
        GRADIO_ANALYTICS_ENABLED="False",
        HF_HUB_OFFLINE="1",
        PYTHONUNBUFFERED="1",
    )
    env.pop("ASSISTANT_AUTH", None)
    return env


def _first_answer(url: str, question: str, process: subprocess.Popen, started: float) -> tuple[float, float]:
    """(seconds to the UI answering HTTP, seconds to the first answered /ask), polling from `started`."""
    import httpx
    from gradio_client import Client

    ready = None
    while time.perf_counter() - started < START_TIMEOUT_S:
        if process.poll() is not None:
            raise RuntimeError(f"app.py exited with code {process.returncode}")
        try:
            if ready is None and httpx.get(url, timeout=1).status_code == 200:
                ready = time.perf_counter() - started
            if ready is not None:
                Client(url, verbose=False).predict(question, api_name="/ask")
                return ready, time.perf_counter() - started
        except (httpx.HTTPError, OSError, ValueError):
            pass
        time.sleep(0.1)
    raise TimeoutError(f"app.py did not answer within {START_TIMEOUT_S} s")


def app_cold_start(data: Path, corpus: Path, questions: list[str], log: Path) -> dict[str, Any]:
    """Start app.py on the built index in `data`, time the first answer, then serve a few more for peak RSS."""
    from gradio_client import Client

    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    with open(log, "w", encoding="utf-8") as out:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, str(APP)], cwd=PROJECT_ROOT, env=_env(data, corpus, port), stdout=out, stderr=out
        )
        rss = PeakRSS(process.pid)
        try:
            ready_s, answered_s = _first_answer(url, questions[0], process, started)
            client = Client(url, verbose=False)
            for question in (questions * SERVING_REQUESTS)[:SERVING_REQUESTS]:
                client.predict(question, api_name="/ask")
                client.predict(question, 5, "", "", api_name="/search")
        finally:
            peak = rss.stop()
            process.terminate()
            process.wait(timeout=30)
    return {
        "what": "python app.py -> first answered /ask (gradio_client)",
        "ui_ready_s": round(ready_s, 2),
        "first_answer_s": round(answered_s, 2),
        "serving_requests": 2 * SERVING_REQUESTS,
        "peak_rss_mb": round(peak / 2**20, 1),
    }


def library_cold_start(data: Path, corpus: Path, question: str) -> dict[str, Any]:
    """Fallback without app.py: a fresh interpreter constructs an Assistant and answers once."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-c", LIBRARY_SCRIPT, question],
        cwd=PROJECT_ROOT,
        env=_env(data, corpus, 0),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    rss = PeakRSS(process.pid)
    process.communicate(timeout=START_TIMEOUT_S)
    answered_s = time.perf_counter() - started
    peak = rss.stop()
    return {
        "what": "app.py missing: Assistant() + first ask in a fresh interpreter",
        "ui_ready_s": None,
        "first_answer_s": round(answered_s, 2),
        "peak_rss_mb": round(peak / 2**20, 1),
    }


def cold_start(data: Path, corpus: Path, questions: list[str], log: Path) -> dict[str, Any]:
    if APP.exists():
        return app_cold_start(data, corpus, questions, log)
    return library_cold_start(data, corpus, questions[0])
