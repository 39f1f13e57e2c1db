"""`assistant`: a thin command line over the Assistant API.

`--json` prints exactly one JSON object on stdout; logs and progress go to stderr.
Exit codes: 0 success, 2 bad usage or bad input (one-line reason on stderr), 1 anything else.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from assistant.cli import common, jobs
from assistant.cli.common import JsonFlag, emit, err, progress_bar, references, sources_block
from assistant.core import Assistant, UsageError
from assistant.library import add_urls
from assistant.logs import quiet_libraries
from assistant.models import Answer, IndexReport, Sources
from index.web import is_url

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__, pretty_exceptions_enable=False)
@app.command()
def index(
    paths: Annotated[
        list[str] | None, typer.Argument(help="files, folders or http(s) URLs (default: the corpus)")
    ] = None,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="drop the index and build it again")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Index article files (incremental: unchanged files are skipped). A URL's page is saved into
    the corpus folder, its url recorded in articles.toml, and indexed like any HTML file."""
    assistant = common.make_assistant()
    urls = [p for p in paths or [] if is_url(p)]
    files = [Path(p) for p in paths or [] if not is_url(p)]
    if urls and rebuild:
        raise UsageError("--rebuild redoes the whole corpus: run it without URLs, then index the URLs")
    with progress_bar() as bar:
        task = bar.add_task("indexing", total=None)

        def progress(done: int, total: int, message: str) -> None:
            bar.update(task, completed=done, total=total or None, description=message[:40])

        if urls:
            report = _index_urls(assistant, urls, files, progress)
        else:
            report = assistant.index(files or None, rebuild=rebuild, progress=progress)
    for error in report.errors:
        err.print(f"skipped {error.path}: {error.error}", markup=False)
    for dup in report.duplicates:
        err.print(f"duplicate {dup.path}: {dup.error}", markup=False)
    emit(as_json, report.model_dump(), lambda: (
        f"{report.articles} articles, {report.chunks} passages "
        f"(added {report.added}, updated {report.updated}, unchanged {report.unchanged}, "
        f"removed {report.removed}, errors {len(report.errors)})"
    ))
    if report.errors and not (report.added or report.updated or report.unchanged):
        raise typer.Exit(2)


def _index_urls(
    assistant: Assistant, urls: list[str], files: list[Path], progress: Callable[[int, int, str], None]
) -> IndexReport:
    """Fetch the pages into the corpus and index them with `files`; fetch failures are errors."""
    for path in files:  # checked before any page is fetched into the corpus
        if not path.exists():
            raise UsageError(f"no such file or directory: {path}")
    fetched = add_urls(assistant, urls, also=files, progress=progress)
    report = fetched.report or IndexReport()
    report.errors[:0] = fetched.rejected
    return report


@app.command()
def search(
    query: str,
    k: Annotated[int, typer.Option("-k", help="number of passages")] = 5,
    author: Annotated[str | None, typer.Option("--author", help="only this person's words")] = None,
    article: Annotated[str | None, typer.Option("--article", help="only this article id")] = None,
    as_json: JsonFlag = False,
) -> None:
    """The passages that best match QUERY."""
    passages = common.make_assistant().search(query, k=k, author=author, article=article)
    emit(
        as_json,
        {"query": query, "passages": [p.model_dump() for p in passages]},
        lambda: "\n\n".join(
            f"[{i}] {p.speaker_label} - {p.title or p.article_id} ({p.outlet})  score {p.score:.4f}\n{p.text}"
            for i, p in enumerate(passages, 1)
        ) or "no passages",
    )


@app.command()
def ask(question: str, as_json: JsonFlag = False) -> None:
    """Answer QUESTION from cited passages."""
    assistant = common.make_assistant()
    if as_json:
        emit(True, assistant.ask(question).model_dump(), str)
        return
    answer, streamed = None, []
    for item in assistant.stream(question):
        if isinstance(item, Answer):
            answer = item
            continue
        if isinstance(item, Sources):  # before the model writes: what it answers from
            sys.stdout.write(sources_block(item) + "\n\n")
        else:
            streamed.append(item)
            sys.stdout.write(item)
        sys.stdout.flush()
    sys.stdout.write("\n")
    if answer is not None and answer.answer.strip() not in "".join(streamed):
        # Citation checks changed the streamed text (e.g. marked an unverified quote): show the result.
        sys.stdout.write(f"\nAfter citation checks:\n{answer.answer}\n")
    if answer is not None:
        sys.stdout.write(references(answer.citations, offsets=True) + "\n")
        for notice in answer.notices:
            err.print(f"note: {notice}", markup=False)


@app.command()
def articles(as_json: JsonFlag = False) -> None:
    """List the indexed articles."""
    items = common.make_assistant().articles()
    emit(
        as_json,
        {"articles": [a.without_text() for a in items]},
        lambda: "\n".join(
            f"{a.id}: {a.title or '(untitled)'} - {a.author_label}, {a.outlet} {a.date}"
            + (f" [\u26a0 {len(a.flags)} flagged: addressed to an AI assistant]" if a.flags else "")
            for a in items
        ),
    )


jobs.register(app)  # positions, summarize, counter


def main() -> None:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    quiet_libraries()
    try:
        app()  # standalone: click reports its own usage errors with exit code 2
    except UsageError as exc:
        err.print(f"error: {exc}", markup=False)
        sys.exit(2)
    except Exception as exc:
        logging.getLogger(__name__).debug("failure", exc_info=True)
        err.print(f"error: {type(exc).__name__}: {exc}", markup=False)
        sys.exit(1)


if __name__ == "__main__":
    main()
