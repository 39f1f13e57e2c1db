"""What both command-line modules share: the stderr console, JSON output, the Assistant they
run, the progress bar and the reference list under an answer."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from assistant.core import Assistant
from assistant.models import Citation, Sources

err = Console(stderr=True, soft_wrap=True)  # one line per message, never wrapped

JsonFlag = Annotated[bool, typer.Option("--json", help="print one JSON object on stdout")]


def emit(as_json: bool, payload: dict[str, Any], text: Callable[[], str]) -> None:
    sys.stdout.write((json.dumps(payload, ensure_ascii=False) if as_json else text()) + "\n")


def make_assistant() -> Assistant:
    assistant = Assistant()
    if assistant.settings.llm == "local":
        prepare_local_model(assistant)
    return assistant


def prepare_local_model(assistant: Assistant) -> None:
    """Assemble and verify the built-in model before anything runs (a bar the first time)."""
    from assistant.compose.local_model import model_path

    with progress_bar() as bar:
        task = bar.add_task("model", total=None)
        model_path(assistant.settings, lambda done, total, message: bar.update(
            task, completed=done, total=total or None, description=message[:40]))


def progress_bar() -> Progress:
    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
        console=err, transient=True,
    )


def references(citations: list[Citation], offsets: bool = False) -> str:
    """The numbered reference list under a CLI answer, summary or brief. An article without a
    title is "untitled" (its id, shown with the offsets, is not a title)."""
    lines = ["", "References:"]
    for c in citations:
        p = c.passage
        title = f"\"{p.title}\"" if p.title else "untitled"
        where = f" (chars {p.start}-{p.end} of {p.article_id})" if offsets else ""
        lines.append(f"[{c.n}] {p.speaker_label}, {title}, {p.outlet} {p.date}{where}")
    return "\n".join(lines) if citations else ""


def sources_block(sources: Sources, width: int = 100) -> str:
    """The retrieved passages, printed before a model's answer streams under them."""
    lines = ["Sources:"]
    for c in sources.citations():
        p = c.passage
        text = " ".join(p.text.split())
        shown = text if len(text) <= width else text[:width] + "..."
        lines.append(f"[{c.n}] {p.speaker_label}, {p.title or 'untitled'}: {shown}")
    return "\n".join(lines)
