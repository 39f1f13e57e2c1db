"""The built-in local model: its supply chain (parts -> verified GGUF) and the real server.

Assembly uses the real installed part packages (the dev extra installs them with hashes).
The real-model tests share one server, started once for the module.
"""

from __future__ import annotations

import hashlib
import os
import signal
import threading
import time
from pathlib import Path

import pytest
from conftest import make_settings

from assistant import Assistant
from assistant.citations import verify_citations
from assistant.compose.enforce import enforce, normalize_citation_forms
from assistant.compose.local_model import (
    MODEL_BYTES,
    MODEL_FILE,
    MODEL_SHA256,
    LocalModelError,
    assemble,
    model_path,
    part_files,
    shared_server,
    verify,
)
from assistant.models import Passage, Sources


@pytest.fixture(scope="module")
def local_data(tmp_path_factory, built_data) -> Path:
    """A data dir with the built index (shared) and the bundled model assembled from the parts."""
    import shutil

    data = tmp_path_factory.mktemp("local")
    shutil.copytree(built_data, data, dirs_exist_ok=True)
    model_path(make_settings(data, ASSISTANT_LLM="local"))
    return data


def test_parts_are_found_through_package_metadata():
    parts = part_files()
    assert len(parts) == 22
    assert [p.name for p in parts[:2]] == ["part01.bin", "part02.bin"]
    assert sum(p.stat().st_size for p in parts) == MODEL_BYTES


@pytest.mark.slow
def test_bundled_model_is_assembled_once_and_verified(local_data):
    model = local_data / "models" / MODEL_FILE
    assert model.stat().st_size == MODEL_BYTES
    assert [p.name for p in model.parent.iterdir() if p.name.endswith(".part")] == []
    mtime = model.stat().st_mtime_ns
    assert model_path(make_settings(local_data, ASSISTANT_LLM="local")) == model
    assert model.stat().st_mtime_ns == mtime  # reused, not assembled again


def test_mismatched_assembly_is_a_clear_error_and_leaves_no_file(tmp_path):
    parts = part_files()[:2]
    target = tmp_path / "models" / "model.gguf"
    with pytest.raises(LocalModelError, match="sha256 .* expected 0{64}.*corrupt"):
        assemble(parts, target, sha256="0" * 64, size=None)
    assert list(target.parent.iterdir()) == []


def test_interrupted_assembly_leaves_no_file(tmp_path):
    parts = part_files()[:2]
    target = tmp_path / "model.gguf"

    def interrupt(done: int, total: int, message: str) -> None:
        if done > total // 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        assemble(parts, target, sha256="0" * 64, size=None, progress=interrupt)
    assert list(tmp_path.iterdir()) == []


def test_assembly_of_matching_parts_reports_progress(tmp_path):
    parts = part_files()[:2]
    expected = hashlib.sha256(b"".join(p.read_bytes() for p in parts)).hexdigest()
    seen: list[int] = []
    target = assemble(parts, tmp_path / "model.gguf", sha256=expected, size=None,
                      progress=lambda done, total, message: seen.append(done))
    assert target.stat().st_size == sum(p.stat().st_size for p in parts)
    assert seen == sorted(seen) and seen[-1] == target.stat().st_size


def test_corrupted_copy_fails_verification_and_nothing_runs(tmp_path):
    parts = part_files()[:1]
    expected = hashlib.sha256(parts[0].read_bytes()).hexdigest()
    model = assemble(parts, tmp_path / "models" / MODEL_FILE, sha256=expected, size=None)
    assert verify(model, expected) == model
    with model.open("r+b") as handle:  # one flipped byte, as a bad disk or an edit would leave
        handle.seek(1000)
        byte = handle.read(1)
        handle.seek(1000)
        handle.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(LocalModelError, match="is corrupt"):
        verify(model, expected)
    # The cached bundled model is checked against the published hash before any server starts.
    settings = make_settings(tmp_path, ASSISTANT_LLM="local")
    with pytest.raises(LocalModelError, match=MODEL_SHA256):
        model_path(settings)
    with pytest.raises(LocalModelError):
        shared_server(settings).ensure()
    assert shared_server(settings).process is None


def test_missing_custom_model_is_a_clear_error(tmp_path):
    settings = make_settings(tmp_path, ASSISTANT_LLM="local", ASSISTANT_LOCAL_MODEL=str(tmp_path / "none.gguf"))
    with pytest.raises(LocalModelError, match="ASSISTANT_LOCAL_MODEL: no such file"):
        model_path(settings)


# -- the real model ---------------------------------------------------------------------
QUESTION = "What does Kroenig argue about negotiations with Russia?"


@pytest.fixture(scope="module")
def local_assistant(local_data):
    """One Assistant on the bundled model; its server is started once for the module."""
    assistant = Assistant(make_settings(local_data, ASSISTANT_LLM="local"))
    shared_server(assistant.settings).ensure()
    yield assistant
    shared_server(assistant.settings).stop()


def assert_valid_llm_answer(answer, assistant):
    assert answer.mode == "llm", answer.notices
    assert answer.citations
    kept, dropped = verify_citations(answer.citations, assistant.article_texts())
    assert kept and not dropped


@pytest.mark.slow
def test_ask_is_answered_by_the_model_with_valid_citations(local_assistant):
    answer = local_assistant.ask(QUESTION)
    assert_valid_llm_answer(answer, local_assistant)
    assert not any("failed" in n for n in answer.notices)


@pytest.mark.slow
def test_follow_up_is_condensed_by_the_model(local_assistant):
    history = [{"role": "user", "content": "What does George Beebe argue about the war in Ukraine?"},
               {"role": "assistant", "content": "Beebe argues it is time to test a diplomatic settlement [1]."}]
    answer = local_assistant.ask("And what does he say about sanctions?", history)
    read_as = [n for n in answer.notices if n.startswith("Follow-up read as")]
    assert read_as and "Beebe" in read_as[0], answer.notices


@pytest.mark.slow
def test_questions_share_the_cached_prompt_prefix(local_assistant):
    """The rules are the same text for every request, so the server reads them once per slot:
    the next question costs only its own passages and words (about 430 tokens saved here)."""
    server = shared_server(local_assistant.settings)
    local_assistant.ask(QUESTION)
    before = server.prompt_tokens()
    local_assistant.ask("What does James Acton say about diplomacy?")
    spent = server.prompt_tokens() - before
    assert spent.cached >= 300 and spent.evaluated < spent.cached + 400, spent


@pytest.mark.slow
def test_a_new_server_process_restores_the_system_prompt_instead_of_reading_it(local_assistant):
    """The first server to read a system prompt saves its state; a later process loads it into a
    slot, so its first question evaluates only its own words and passages."""
    server = shared_server(local_assistant.settings)
    local_assistant.ask(QUESTION)
    assert list(server.states_dir.glob("*.bin"))
    server.stop()
    server.ensure()
    before = server.prompt_tokens()
    answer = local_assistant.ask("What does James Acton say about diplomacy?")
    spent = server.prompt_tokens() - before
    assert answer.mode == "llm", answer.notices
    assert spent.cached >= 300, spent


@pytest.mark.slow
def test_an_unreadable_saved_prompt_state_is_read_again_and_replaced(local_assistant):
    server = shared_server(local_assistant.settings)
    local_assistant.ask(QUESTION)
    states = list(server.states_dir.glob("*.bin"))
    for state in states:
        state.write_bytes(b"not a llama.cpp state")
    server.stop()
    assert_valid_llm_answer(local_assistant.ask(QUESTION), local_assistant)
    # The answer's system prompt was read again and its state saved anew (states of prompts this
    # question did not use, saved by earlier tests, stay as they are until used).
    assert any(s.stat().st_size > 1_000_000 for s in server.states_dir.glob("*.bin")), "corrupt state kept"


@pytest.mark.slow
def test_server_killed_mid_answer_falls_back_then_restarts(local_assistant):
    server = shared_server(local_assistant.settings)
    server.ensure()
    victim = server.process
    stream = local_assistant.stream(QUESTION)
    sources, first = next(stream), next(stream)  # the model has started writing
    os.kill(victim.pid, signal.SIGKILL)
    assert isinstance(sources, Sources) and isinstance(first, str)
    items = [first, *stream]
    answer = items[-1]
    assert answer.mode == "extractive"
    assert any(n.startswith("Language model failed") for n in answer.notices), answer.notices
    again = local_assistant.ask(QUESTION)
    assert server.process is not victim and server.process.poll() is None
    assert_valid_llm_answer(again, local_assistant)


@pytest.mark.slow
def test_positions_get_sides_from_the_model_on_each_authors_own_quotes(local_assistant):
    result = local_assistant.positions_report("Would an early peace deal between Russia and Ukraine do more harm "
                                              "than good?")
    assert result.mode == "llm", result.notices
    assert len(result.positions) >= 5 and any(p.stance in {"support", "oppose", "mixed"} for p in result.positions)
    assert all(p.stance != "unlabeled" for p in result.positions)
    citations = [c for p in result.positions for c in p.citations]
    kept, dropped = verify_citations(citations, local_assistant.article_texts())
    assert kept and not dropped


@pytest.mark.slow
def test_debate_prep_sides_come_from_the_model(local_assistant):
    result = local_assistant.counter("The United States should refuse any talks with Moscow.")
    assert result.mode == "llm", result.notices
    assert result.counterpoints and not result.undetermined
    texts = local_assistant.article_texts()
    assert all(card.text in texts[card.passage.article_id] for card in result.counterpoints + result.supporting)


@pytest.mark.slow
def test_two_concurrent_asks_are_both_answered(local_assistant):
    questions = [QUESTION, "What does James Acton say about diplomacy?"]
    answers: dict[str, object] = {}

    def ask(question: str) -> None:
        answers[question] = local_assistant.ask(question)

    threads = [threading.Thread(target=ask, args=(q,)) for q in questions]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert set(answers) == set(questions), f"answered after {time.monotonic() - started:.0f} s: {list(answers)}"
    for answer in answers.values():
        assert_valid_llm_answer(answer, local_assistant)


# -- what small models write ------------------------------------------------------------
def _passage(n: int, text: str) -> Passage:
    return Passage(id=f"p{n}", article_id=f"a{n}", title="A Title", author="Ann Author", outlet="Outlet",
                   date="2022", text=text, start=0, end=len(text))


@pytest.mark.parametrize("written, expected", [
    ("Peace now would reward aggression [Passage 1].", "Peace now would reward aggression [1]."),
    ("Peace now would reward aggression (1, 2).", "Peace now would reward aggression [1, 2]."),
    ("Peace now would reward aggression (passages 1 and 2).", "Peace now would reward aggression [1, 2]."),
    ("[1] Peace now would reward aggression.\n[2] A deal later could hold.",
     "Peace now would reward aggression. [1]\nA deal later could hold. [2]"),
    ("- [1][2] Peace now would reward aggression.", "- Peace now would reward aggression. [1][2]"),
    ("The war began in (2022) as reported.", "The war began in (2022) as reported."),
])
def test_small_model_citation_forms_become_markers(written, expected):
    assert normalize_citation_forms(written) == expected


def test_line_leading_markers_are_enforced_as_citations():
    passages = [_passage(1, "Peace now would reward aggression, the author says."),
                _passage(2, "A deal later could hold if both sides want it.")]
    result = enforce("[1] Peace now would reward aggression.\n[2] A deal later could hold.", passages,
                     {p.article_id: p.text for p in passages})
    assert [c.n for c in result.citations] == [1, 2]
    assert not [n for n in result.notices if "unsupported" in n]


def test_unsupported_sentences_are_reported_in_one_notice():
    passage = _passage(1, "Peace now would reward aggression, the author says.")
    answer = "Peace now would reward aggression [1]. " + " ".join(
        f"Claim number {word} stands without any source." for word in ("one", "two", "three", "four", "five"))
    notices = enforce(answer, [passage], {"a1": passage.text}).notices
    unsupported = [n for n in notices if "unsupported" in n]
    assert unsupported == ["unsupported: 5 sentences of the model's text removed, not shown (5 with no citation)"]


@pytest.mark.slow
def test_complete_json_is_constrained_by_the_schema(local_assistant):
    schema = {"type": "object", "properties": {"stance": {"type": "string", "enum": ["support", "oppose"]}},
              "required": ["stance"], "additionalProperties": False}
    messages = [{"role": "user", "content": "Claim: talks now. Passage: 'Talks now reward aggression.' Stance?"}]
    reply = local_assistant.chat.complete_json(messages, schema, max_tokens=20)
    assert set(reply) == {"stance"} and reply["stance"] in ("support", "oppose")


def test_the_built_in_model_is_named_by_its_gguf_not_the_placeholder_model_name(tmp_path):
    """The app's badge and the stance eval name the model a user runs, never 'gpt-4o-mini'."""
    from assistant.compose.local_model import display_name

    assert display_name(make_settings(tmp_path, ASSISTANT_LLM="local")) == "qwen2.5-coder-1.5b-instruct-q4_k_m"
    own = tmp_path / "my-model.Q8_0.gguf"
    settings = make_settings(tmp_path, ASSISTANT_LLM="local", ASSISTANT_LOCAL_MODEL=str(own))
    assert display_name(settings) == "my-model.Q8_0"
    assert display_name(make_settings(tmp_path, ASSISTANT_LLM_MODEL="llama3.1:8b")) == "llama3.1:8b"
