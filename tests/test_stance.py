"""The labelled stance set (eval/stance.jsonl) and stance from the model."""

from __future__ import annotations

import collections
from pathlib import Path

import docx

from assistant.stance_eval import LABELS, load_set
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
