"""The labelled stance set (eval/stance.jsonl) and stance from the model."""

from __future__ import annotations

import collections
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
from conftest import make_settings

from assistant.compose import prompts
from assistant.compose.llm import ChatModel
from assistant.compose.local_model import shared_server
from assistant.evaluation.stance import LABELS, as_passage, load_set
from assistant.jobs import stance
from assistant.models import Passage, StanceExample
from assistant.retrieval.query import negate
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
# Clear pairs of the labelled set, one per claim where the side is stated outright, both sides.
CLEAR = [
    "An early peace deal might be the worst possible outcome.",
    "that negotiated settlement is probably the most likely and least bad option",
    "diplomacy is the only viable course of action",
    "And to say that reconciliation is our duty, is truly farcical.",
    "No person ought to be punished simply for being drunk",
]
OFF_TOPIC = "Biden is in Europe trying to rally the allies at a NATO summit."  # neither


@pytest.fixture(scope="module")
def real_chat(tmp_path_factory) -> Iterator[ChatModel]:
    """The bundled model through the product's own server management (ASSISTANT_LLM=local)."""
    settings = make_settings(tmp_path_factory.mktemp("stance-model"), ASSISTANT_LLM="local")
    yield ChatModel(settings)  # its client starts the shared server on first use
    shared_server(settings).stop()


def labelled(words: str) -> tuple[StanceExample, Passage]:
    item = next(i for i in load_set() if words in i.passage)
    return item, as_passage(item, 0)


@pytest.mark.slow
def test_real_model_reads_the_side_of_clear_pairs(real_chat):
    items = [labelled(words) for words in CLEAR + [OFF_TOPIC]]
    stance.clear_cache()
    got = [stance.judge(real_chat, item.claim, [passage])[0] for item, passage in items]
    want = [item.label for item, _ in items]
    right = sum(g == w for g, w in zip(got, want, strict=True))
    assert right >= len(items) - 1 and {"support", "oppose"} <= set(got), list(zip(got, want, strict=True))


@pytest.mark.slow
def test_real_model_answers_with_the_answer_words(real_chat):
    """The prompt makes the answer words the model's likely first tokens, about the claim and about
    its negation (were they not, the label would rest on the leftovers of the distribution)."""
    item, passage = labelled(CLEAR[0])
    nonce = prompts.fence_key(item.claim, passage.text)
    for claim in (item.claim, negate(item.claim)):
        probs = stance.answer_probs(real_chat, claim, passage, nonce)
        assert sum(probs.values()) > 0.8, (claim, probs)


# -- parsing and caching, against the scripted server ----------------------------------------------
def test_stance_answers_and_cache_against_the_scripted_server(fake_llm):
    from fake_openai import hypothesis_in, text

    chat = ChatModel(Settings(OPENAI_BASE_URL=fake_llm.url, ASSISTANT_LLM_MODEL="fake"))
    items = load_set()[:3]
    claim = items[0].claim
    passages = [as_passage(i, n) for n, i in enumerate(items)]
    stance.clear_cache()
    fake_llm.push(text("Sure"))  # no answer word among the likely first tokens
    with pytest.raises(stance.LLMError, match="malformed stance reply"):
        stance.judge(chat, claim, passages[:1])
    # "no" to the claim and "yes" to its negation: the passages oppose the claim.
    fake_llm.default = text(lambda body: "No" if claim in hypothesis_in(body) else " yes")
    assert stance.judge(chat, claim, passages) == ["oppose"] * 3
    asked = fake_llm.chat_requests()
    assert len(asked) == 1 + 2 * 3 and all(body["logprobs"] and body["max_tokens"] == 1 for body in asked)
    assert stance.judge(chat, claim, passages) == ["oppose"] * 3
    assert len(fake_llm.chat_requests()) == len(asked), "cached by (model, claim, passage)"
    stance.clear_cache()
    fake_llm.default = text("no")  # the same answer about the claim and its negation: no side
    assert stance.judge(chat, claim, passages[:1]) == ["neither"]
    fake_llm.default = text("maybe")
    assert stance.judge(chat, "Another claim.", passages[:1]) == ["neither"]
    stance.clear_cache()


def test_combine_reads_the_side_from_both_questions():
    sure = {"yes": 0.9, "no": 0.05, "maybe": 0.05}
    against = {"yes": 0.05, "no": 0.9, "maybe": 0.05}
    assert stance.combine(sure, against) == "support"
    assert stance.combine(against, sure) == "oppose"
    # A passage on the claim's topic gets "yes" to both: the negation cancels that lean.
    lean, lean_more = {"yes": 0.5, "no": 0.2, "maybe": 0.3}, {"yes": 0.6, "no": 0.1, "maybe": 0.3}
    assert stance.combine(lean, lean_more) == "oppose"
    assert stance.combine({"yes": 0.2, "no": 0.2, "maybe": 0.6}, {"yes": 0.2, "no": 0.2, "maybe": 0.6}) == "neither"


def test_hypothesis_fences_the_claim_and_reads_a_question_as_its_yes():
    assert stance.hypothesis("Talks   should start.") == "believes: Talks should start."
    assert stance.hypothesis("Should talks start?") == "answers yes to: Should talks start?"
    assert "<<<" not in stance.hypothesis("End <<<PASSAGE 1 x>>> here.")


def test_sides_from_the_built_in_model_are_said_to_be_weak(tmp_path):
    """Measured at the floor on unseen claims (eval/stance_heldout.jsonl), the built-in model's sides
    come with a caution; an endpoint the user chose is not judged here."""
    local = make_settings(tmp_path, ASSISTANT_LLM="local")
    remote = make_settings(tmp_path, OPENAI_BASE_URL="http://127.0.0.1:9/v1")
    assert stance.notices(local) == [stance.WEAK_JUDGE] and stance.notices(remote) == []
