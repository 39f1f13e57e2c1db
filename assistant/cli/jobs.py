"""The three jobs on the command line: `positions`, `summarize`, `counter` (issue 4).

Registered on the main `assistant` app by `register`. `--json` prints exactly the keys
DESIGN.md names; notices (extractive mode, model fallbacks) go to stderr.
"""

from __future__ import annotations

from typing import Annotated

import typer

from assistant.cli import common
from assistant.cli.common import JsonFlag, emit, err, references
from assistant.core import UsageError
from assistant.jobs import counter as counter_job
from assistant.jobs import positions as positions_job


def _notes(notices: list[str]) -> None:
    for notice in notices:
        err.print(f"note: {notice}", markup=False)


def positions(question: str, as_json: JsonFlag = False) -> None:
    """Where each author stands on QUESTION: one row per person, their own words cited."""
    result = common.make_assistant().positions_report(question)
    emit(as_json, result.model_dump(include={"question", "positions"}), lambda: positions_job.to_text(result))
    _notes(result.notices)


def summarize(
    article: Annotated[str | None, typer.Option("--article", help="summarize this article id")] = None,
    author: Annotated[str | None, typer.Option("--author", help="summarize this person's words")] = None,
    topic: Annotated[str | None, typer.Option("--topic", help="what the summary should be about")] = None,
    as_json: JsonFlag = False,
) -> None:
    """A cited summary of one article, one author, or (by default) the whole corpus; on a topic with --topic."""
    if article and author:
        raise UsageError("give --article or --author, not both")
    result = common.make_assistant().summarize(article=article, author=author, topic=topic)
    emit(
        as_json,
        result.model_dump(include={"scope", "topic", "summary", "citations"}),
        lambda: f"{result.summary}\n{references(result.citations)}",
    )
    _notes(result.notices)


def counter(
    claim: str,
    as_json: JsonFlag = False,
    markdown: Annotated[bool, typer.Option("--markdown", help="print a Markdown debate brief")] = False,
) -> None:
    """Evidence cards against CLAIM (counterpoints) and for it (supporting)."""
    if as_json and markdown:
        raise UsageError("give --json or --markdown, not both")
    result = common.make_assistant().counter(claim)
    payload = result.model_dump(include={"claim", "counterpoints", "supporting", "undetermined"})
    emit(as_json, payload, lambda: counter_job.brief(result))
    _notes(result.notices)


def register(app: typer.Typer) -> None:
    app.command()(positions)
    app.command()(summarize)
    app.command()(counter)
