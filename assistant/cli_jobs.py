"""The three jobs on the command line: `positions`, `summarize`, `counter` (issue 4).

Registered on the main `assistant` app by `register`. `--json` prints exactly the keys
DESIGN.md names; notices (extractive mode, model fallbacks) go to stderr.
"""

from __future__ import annotations

from typing import Annotated

import typer

from . import counter as counter_job
from . import positions as positions_job
from .core import UsageError
from .models import Citation

JsonFlag = Annotated[bool, typer.Option("--json", help="print one JSON object on stdout")]


def _notes(notices: list[str]) -> None:
    from .cli import err

    for notice in notices:
        err.print(f"note: {notice}", markup=False)


def positions(question: str, as_json: JsonFlag = False) -> None:
    """Where each author stands on QUESTION: one row per person, their own words cited."""
    from .cli import _assistant, _emit

    result = _assistant().positions_report(question)
    _emit(as_json, result.model_dump(include={"question", "positions"}), lambda: positions_job.to_text(result))
    _notes(result.notices)


def summarize(
    article: Annotated[str | None, typer.Option("--article", help="summarize this article id")] = None,
    author: Annotated[str | None, typer.Option("--author", help="summarize this person's words")] = None,
    as_json: JsonFlag = False,
) -> None:
    """A cited summary of one article, one author, or (by default) the whole corpus."""
    from .cli import _assistant, _emit

    if article and author:
        raise UsageError("give --article or --author, not both")
    result = _assistant().summarize(article=article, author=author)
    _emit(
        as_json,
        result.model_dump(include={"scope", "summary", "citations"}),
        lambda: f"{result.summary}\n{references(result.citations)}",
    )
    _notes(result.notices)


def counter(
    claim: str,
    as_json: JsonFlag = False,
    markdown: Annotated[bool, typer.Option("--markdown", help="print a Markdown debate brief")] = False,
) -> None:
    """Evidence cards against CLAIM (counterpoints) and for it (supporting)."""
    from .cli import _assistant, _emit

    if as_json and markdown:
        raise UsageError("give --json or --markdown, not both")
    result = _assistant().counter(claim)
    payload = result.model_dump(include={"claim", "counterpoints", "supporting", "undetermined"})
    _emit(as_json, payload, lambda: counter_job.brief(result))
    _notes(result.notices)


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


def register(app: typer.Typer) -> None:
    app.command()(positions)
    app.command()(summarize)
    app.command()(counter)
