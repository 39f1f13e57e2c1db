"""Issue 7, soak: 200 asks against the scripted OpenAI-compatible server with random faults.

Four threads share one Assistant (as the app's queue does). Every fault kind of the fake
server is in play, with short timeouts so stalls cost little. Zero exceptions, and every
answer to an answerable question carries verified citations (a model answer, or the
extractive fallback when the model failed).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from conftest import ROOT, llm_settings

from assistant import Assistant
from assistant.citations import normalize

pytestmark = pytest.mark.slow

ASKS = 200
THREADS = 4


def _questions() -> list[str]:
    rows = [json.loads(line) for line in (ROOT / "eval" / "dev.jsonl").read_text().splitlines() if line.strip()]
    return [r["question"] for r in rows if r.get("gold")]


def test_soak_200_asks_with_random_faults(built_data, fake_llm):
    fake_llm.random_faults(rate=0.3, seed=11, stall_seconds=3.0)  # every kind: status, stall, malformed, ...
    soak = Assistant(
        llm_settings(built_data, fake_llm.url, ASSISTANT_LLM_TIMEOUT=0.6, ASSISTANT_LLM_CONNECT_TIMEOUT=0.5),
        auto_index=False,
    )
    questions = _questions()
    assert len(questions) >= 10
    texts = soak.article_texts()

    def one(i: int):
        return soak.ask(questions[i % len(questions)])

    with ThreadPoolExecutor(THREADS) as pool:
        answers = list(pool.map(one, range(ASKS), timeout=600))  # any exception re-raises here: a crash

    assert len(answers) == ASKS
    modes = Counter(a.mode for a in answers)
    assert modes["llm"] and modes["extractive"], modes  # both the model and the fallback were exercised
    assert len(fake_llm.chat_requests()) >= ASKS * 0.8
    for answer in answers:
        assert answer.grounded, answer.question
        assert answer.citations, f"uncited answer to {answer.question!r} ({answer.mode})"
        markers = {int(n) for n in re.findall(r"\[(\d+)\]", answer.answer)}
        numbers = {c.n for c in answer.citations}
        assert markers and markers <= numbers, (answer.answer, numbers)
        for c in answer.citations:
            article_text = texts[c.passage.article_id]
            assert article_text[c.passage.start : c.passage.end] == c.passage.text
            assert normalize(c.quote) in normalize(c.passage.text)
        if answer.mode == "extractive":
            assert answer.notices, "a fallback answer says why"
