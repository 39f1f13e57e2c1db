"""`make bench`: speed figures, side by side with vanilla LlamaIndex, up to 100k passages.

    python -m benchmarks.run [--sizes 1000,10000,100000] [--no-cold-start] [--no-local-model] [--keep]

Writes benchmarks/results.json, benchmarks/results.md and benchmarks/latency.png.
Everything runs in temp data dirs; synthetic vectors are cached under benchmarks/cache/.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.evaluation.corpus import load_dev
from assistant.settings import PROJECT_ROOT

from . import coldstart, local_model, report, scale, seed
from .timing import machine

HERE = Path(__file__).resolve().parent
CORPUS = PROJECT_ROOT / "corpus"
ADDED_ARTICLE = "002_ff27677d5adae973.txt"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="synthetic index sizes, comma-separated")
    parser.add_argument("--no-cold-start", action="store_true", help="skip starting app.py")
    parser.add_argument("--no-local-model", action="store_true", help="skip the built-in model's answers")
    parser.add_argument("--keep", action="store_true", help="keep the temp data dirs")
    parser.add_argument("--out", type=Path, default=HERE, help="where results.json/.md and latency.png go")
    return parser.parse_args(argv)


def run(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    queries = [q.question for q in load_dev()]
    results: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": git_commit(),
        "machine": machine(),
    }
    step("index build throughput")
    results["build"], dirs = seed.build_throughput(CORPUS, workdir)
    step("seed corpus latency, vanilla LlamaIndex")
    results["seed"] = seed.seed_latency(seed.make_assistant(dirs[0], CORPUS, auto_index=False), CORPUS, queries)
    if not args.no_cold_start:
        step("cold start and serving memory")
        results["cold_start"] = coldstart.cold_start(dirs[1], CORPUS, queries, workdir / "app.log")
    sizes = tuple(int(s) for s in args.sizes.split(","))
    step(f"scale {sizes}")
    results["scale"], big = scale.scale_series(dirs[2], CORPUS, workdir, queries, sizes)
    step("add one article")
    results["add_article"] = scale.add_one_article(big, CORPUS / ADDED_ARTICLE, queries)
    if not args.no_local_model:
        step("built-in model beside CitationQueryEngine")
        results["local_model"] = local_model.local_model_bench(dirs[0])
    return results


def git_commit() -> str:
    """The commit measured, with "+dirty" when the working tree had uncommitted changes."""

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=PROJECT_ROOT, capture_output=True, text=True).stdout.strip()

    return git("rev-parse", "--short", "HEAD") + (
        "+dirty" if git("status", "--porcelain", "--untracked-files=no") else ""
    )


def step(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def write(results: dict[str, Any], out: Path) -> None:
    results["targets"] = report.targets(results)
    (out / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    results.setdefault("cold_start", {"what": "skipped", "first_answer_s": None, "peak_rss_mb": 0})
    (out / "results.md").write_text(report.markdown(results), encoding="utf-8")
    report.plot(results, out / "latency.png")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    started = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="assistant-bench-"))
    try:
        results = run(args, workdir)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    results["duration_s"] = round(time.perf_counter() - started, 1)
    results["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    write(results, args.out)
    print((args.out / "results.md").read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
