"""No question crashes anything (issue 12, point 6).

Every question of both dev sets, empty and huge inputs and random Unicode go through `ask`,
`search`, `positions`, `summarize` and `counter` on real indexes of the seed corpus and of
eval/corpus-general (indexed with no metadata file); each call gives its result or a clean
UsageError, never any other exception.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import partial

import pytest
from conftest import GENERAL_CORPUS, ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reliability_helpers import run_cli, subprocess_env

from assistant import Assistant, UsageError

QUESTION_FILES = {"seed": ROOT / "eval" / "dev.jsonl", "general": ROOT / "eval" / "general.jsonl"}
GARBAGE = ["", "   ", "\x00", "Nobody Atall", "'; DROP TABLE articles; --", "\u202e\u0645\u0631\u062d\u0628\u0627",
           "Mr.", "Justice", "??", "a" * 5000]
HUGE = "What does the author argue about liberty and war? " * 4000  # ~200,000 characters


def questions(corpus: str) -> list[str]:
    lines = QUESTION_FILES[corpus].read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines if line.strip()]


@pytest.fixture(params=["seed", "general"])
def corpus(request, assistant, general) -> tuple[str, Assistant]:
    return request.param, assistant if request.param == "seed" else general


def answers_or_usage_error(call: Callable[[], object]) -> object | None:
    """The call's result, or None when it refused the input with a UsageError (a clean refusal)."""
    try:
        return call()
    except UsageError as exc:
        assert str(exc), "a UsageError must say what is wrong"
        return None


def every_job(assistant: Assistant, text: str) -> None:
    for call in (
        lambda: assistant.ask(text),
        lambda: assistant.search(text, 5),
        lambda: assistant.positions(text),
        lambda: assistant.counter(text),
    ):
        answers_or_usage_error(call)


def test_g22_the_trap_question_is_answered_not_crashed(general):
    """It names a Justice the index knows only as an article author with no passages of their
    own, so the author filter empties the search; Chroma was then asked for vectors of no ids."""
    g22 = next(q for q in questions("general") if q.startswith("Which Justice wrote"))
    answer = general.ask(g22)
    assert answer.question == g22 and answer.answer


@pytest.mark.slow
def test_every_dev_question_through_every_job(corpus):
    name, assistant = corpus
    for question in questions(name):
        every_job(assistant, question)


def candidate_names(assistant: Assistant, corpus: str) -> list[str]:
    """Names a user might type: capitalised words and pairs of the questions, file stems, ids, garbage."""
    names: set[str] = set(GARBAGE)
    for question in questions(corpus):
        words = re.findall(r"[A-Z][\w.'\u2019-]+", question)
        names.update(words)
        names.update(f"{a} {b}" for a, b in zip(words, words[1:]))
    names.update(p.stem for p in GENERAL_CORPUS.iterdir())
    names.update(a.id for a in assistant.articles())
    return sorted(names)


@pytest.mark.slow
def test_summarize_any_author_or_article_name(corpus):
    name, assistant = corpus
    answers_or_usage_error(lambda: assistant.summarize())
    for candidate in candidate_names(assistant, name):
        for scope in ({"author": candidate}, {"article": candidate}, {"author": candidate, "article": candidate}):
            answers_or_usage_error(partial(assistant.summarize, **scope))


@pytest.mark.parametrize("text", ["", " \n\t ", "?", "...", "\u200b", HUGE, "Lincoln " * 3000])
def test_empty_and_huge_inputs(corpus, text):
    every_job(corpus[1], text)


def test_empty_input_is_a_usage_error(general):
    for call in (general.ask, general.positions, general.counter, lambda t: general.search(t, 5)):
        with pytest.raises(UsageError):
            call("  ")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=200))
def test_random_unicode(general, text):
    every_job(general, text)
    answers_or_usage_error(lambda: general.summarize(author=text))
    answers_or_usage_error(lambda: general.summarize(article=text))


def test_cli_answers_the_trap_question(general):
    """The reported crash, through the real CLI on the same index: exit 0 and one JSON answer."""
    g22 = next(q for q in questions("general") if q.startswith("Which Justice wrote"))
    done = run_cli(["ask", g22, "--json"], subprocess_env(general.settings.data, GENERAL_CORPUS))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["question"] == g22
