"""Small timing helpers shared by the benchmarks: percentiles, time budgets, machine facts."""

from __future__ import annotations

import os
import platform
import socket
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from importlib import metadata
from typing import Any

import numpy as np


@dataclass
class Latency:
    """Milliseconds over `n` calls."""

    p50: float
    p95: float
    mean: float
    n: int

    def as_dict(self) -> dict[str, float]:
        return {k: round(v, 3) if isinstance(v, float) else v for k, v in asdict(self).items()}


def latency(samples_ms: Sequence[float]) -> Latency:
    data = np.asarray(samples_ms, dtype=float)
    return Latency(
        p50=float(np.percentile(data, 50)),
        p95=float(np.percentile(data, 95)),
        mean=float(data.mean()),
        n=len(data),
    )


def measure(
    call: Callable[[str], Any], queries: Sequence[str], rounds: int = 5, budget_s: float = 20.0, warmup: int = 1
) -> Latency:
    """Latency of `call(query)` over up to `rounds` passes of `queries`, stopping after `budget_s`."""
    for query in list(queries)[:warmup]:
        call(query)
    samples: list[float] = []
    deadline = time.perf_counter() + budget_s
    for _ in range(rounds):
        for query in queries:
            started = time.perf_counter()
            call(query)
            samples.append((time.perf_counter() - started) * 1000)
        if time.perf_counter() > deadline:
            break
    return latency(samples)


def timed(call: Callable[[], Any]) -> tuple[float, Any]:
    """(seconds, result) of one call."""
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _cpu_model() -> str:
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _torch_threads() -> int:
    import torch

    return torch.get_num_threads()


def machine() -> dict[str, Any]:
    """What the figures were measured on (and how busy it was)."""
    import psutil

    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "ram_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "torch": _version("torch"),
        "chromadb": _version("chromadb"),
        "llama-index-core": _version("llama-index-core"),
        "torch_threads": _torch_threads(),
        "OMP_WAIT_POLICY": os.environ.get("OMP_WAIT_POLICY", "unset"),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }
