"""Shared fixtures: a real Chroma index of the default corpus, built once per test session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant import Assistant, Settings

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"


def make_settings(data: Path, corpus: Path = CORPUS, **extra) -> Settings:
    """Settings isolated from the developer's environment and `.env`."""
    values = {
        "ASSISTANT_DATA": str(data),
        "ASSISTANT_CORPUS": str(corpus),
        "OPENAI_API_KEY": None,
        "OPENAI_BASE_URL": None,
        "CHROMA_HOST": None,
    }
    values.update(extra)
    return Settings(_env_file=None, **values)


@pytest.fixture(scope="session")
def built_data(tmp_path_factory) -> Path:
    """A data dir holding the default corpus's index (built once; copy it before mutating)."""
    data = tmp_path_factory.mktemp("data")
    Assistant(make_settings(data)).index()
    return data


@pytest.fixture(scope="session")
def assistant(built_data) -> Assistant:
    """A read-only extractive Assistant over the default corpus. Do not index with it."""
    return Assistant(make_settings(built_data))


@pytest.fixture
def fresh_data(built_data, tmp_path) -> Path:
    """A private copy of the built index, free to mutate."""
    target = tmp_path / "data"
    shutil.copytree(built_data, target)
    return target


@pytest.fixture
def corpus_copy(tmp_path) -> Path:
    """A private copy of the default corpus folder."""
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


# -- a fake OpenAI-compatible endpoint (tests/fake_openai.py), for language-model tests ----------
def llm_settings(data: Path, base_url: str, **extra) -> Settings:
    """Settings for a language model at `base_url`, with short timeouts and no retry."""
    values = {
        "OPENAI_BASE_URL": base_url,
        "ASSISTANT_LLM_MODEL": "fake-model",
        "ASSISTANT_LLM_TIMEOUT": 2.0,
        "ASSISTANT_LLM_CONNECT_TIMEOUT": 1.0,
        "ASSISTANT_LLM_RETRIES": 0,
    }
    values.update(extra)
    return make_settings(data, **values)


@pytest.fixture(scope="session")
def fake_llm_server():
    """One fake OpenAI server for the session; tests take `fake_llm` to get it reset."""
    from fake_openai import FakeOpenAI

    server = FakeOpenAI().start()
    yield server
    server.stop()


@pytest.fixture
def fake_llm(fake_llm_server):
    """The fake server, reset: no requests, empty script, well-cited answers by default."""
    fake_llm_server.reset()
    yield fake_llm_server
    fake_llm_server.reset()


@pytest.fixture(scope="session")
def llm_assistant(built_data, fake_llm_server) -> Assistant:
    """A read-only Assistant whose language model is the fake server (use with `fake_llm`)."""
    return Assistant(llm_settings(built_data, fake_llm_server.url))


# -- the second development corpus, indexed as a user drops it in (no articles.toml) -------------
GENERAL_CORPUS = ROOT / "eval" / "corpus-general"


@pytest.fixture(scope="session")
def general() -> Assistant:
    """A read-only extractive Assistant over eval/corpus-general (built once). Do not index with it."""
    import tempfile

    data = Path(tempfile.mkdtemp(prefix="general-data-"))
    assistant = Assistant(make_settings(data, GENERAL_CORPUS))
    assistant.index([GENERAL_CORPUS])
    yield assistant
    shutil.rmtree(data, ignore_errors=True)
