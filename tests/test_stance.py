"""The labelled stance set (eval/stance.jsonl) and stance from the model."""

from __future__ import annotations

import collections
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
from conftest import make_settings

from assistant.compose.llm import ChatModel
from assistant.compose.local_model import shared_server
from assistant.evaluation.stance import LABELS, as_passage, load_set
from assistant.jobs import stance
from assistant.settings import Settings
from index.readers import read_file

ROOT = Path(__file__).resolve().parent.parent


def file_text(path: Path) -> str:
    """The file's text, whitespace collapsed (hard-wrapped files break spans across lines)."""
    if path.suffix == ".docx":  # the product's readers cannot read .docx on this branch
        text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    else:
        text = read_file(path)
    return " ".join(text.split())


def test_every_passage_is_verbatim_in_its_file():
    texts: dict[str, str] = {}
    items = load_set()
    assert len(items) >= 40
    for item in items:
        text = texts.setdefault(item.file, file_text(ROOT / item.file))
        assert " ".join(item.passage.split()) in text, (item.file, item.passage)


def test_both_sides_for_every_claim():
    sides = collections.defaultdict(set)
    for item in load_set():
        assert item.label in LABELS
        sides[item.claim].add(item.label)
    assert len(sides) >= 5
    for claim, labels in sides.items():
        assert {"support", "oppose"} <= labels, claim


# -- stance from the real model ------------------------------------------------------------------
# Clear pairs of the labelled set, one per claim where the side is stated outright.
CLEAR = [
    "An early peace deal might be the worst possible outcome.",
    "that negotiated settlement is probably the most likely and least bad option",
    "diplomacy is the only viable course of action",
    "And to say that reconciliation is our duty, is truly farcical.",
    "No person ought to be punished simply for being drunk",
]


@pytest.fixture(scope="module")
def real_chat(tmp_path_factory) -> Iterator[ChatModel]:
    """The bundled model through the product's own server management (ASSISTANT_LLM=local)."""
    settings = make_settings(tmp_path_factory.mktemp("stance-model"), ASSISTANT_LLM="local")
    yield ChatModel(settings)  # its client starts the shared server on first use
    shared_server(settings).stop()


@pytest.mark.slow
def test_real_model_reads_the_side_of_clear_pairs(real_chat):
    items = [next(i for i in load_set() if words in i.passage) for words in CLEAR]
    stance.clear_cache()
    got = [stance.judge(real_chat, i.claim, [as_passage(i, n)])[0] for n, i in enumerate(items)]
    right = sum(g == i.label for g, i in zip(got, items, strict=True))
    assert right >= len(items) - 1, list(zip(got, [i.label for i in items], strict=True))


# -- parsing and caching, against the scripted server ----------------------------------------------
def test_stance_parsing_and_cache_against_the_scripted_server(fake_llm):
    from fake_openai import text

    chat = ChatModel(Settings(OPENAI_BASE_URL=fake_llm.url, ASSISTANT_LLM_MODEL="fake"))
    items = load_set()[:3]
    passages = [as_passage(i, n) for n, i in enumerate(items)]
    stance.clear_cache()
    fake_llm.push(text("nonsense"))
    with pytest.raises(stance.LLMError, match="JSON"):
        stance.judge(chat, items[0].claim, passages[:1])
    fake_llm.default = text('{"stance": "oppose"}')
    assert stance.judge(chat, items[0].claim, passages) == ["oppose"] * 3
    asked = len(fake_llm.chat_requests())
    assert stance.judge(chat, items[0].claim, passages) == ["oppose"] * 3
    assert len(fake_llm.chat_requests()) == asked, "cached by (model, claim, passage)"
    stance.judge(chat, "Another claim.", passages[:1])
    assert len(fake_llm.chat_requests()) == asked + 1
    stance.clear_cache()
