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
