"""The eval's scoring rules on hand-made cases, and issue 2's acceptance thresholds on the dev set."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import CORPUS, make_settings

from assistant import Assistant
from assistant.evaluation.corpus import (
    ANY_CORPUS_THRESHOLDS,
    CHECK_SETS,
    CORPORA,
    DEV_SET,
    GENERAL_CHECK_SET,
    GENERAL_CORPUS,
    GENERAL_SET,
    Question,
    Report,
    attributed,
    citation_valid,
    covers,
    evaluate,
    failures,
    load_dev,
    recall,
    reciprocal_rank,
    retrieval_metrics,
    span_attribution,
    span_variants,
    table,
)
from assistant.models import Citation, Passage
from index.readers import read_file

LONG = "the Russians have lost between 7,000 and 15,000 troops"  # nine words


def passage(text: str, author: str | None = None, article_id: str = "a") -> Passage:
    return Passage(id=text[:10], article_id=article_id, author=author, text=text, start=0, end=len(text))


def test_whole_span_is_covered_after_normalisation():
    text = "NATO says  \u201cthe RUSSIANS\u201d have lost between 7,000 and 15,000 troops."
    assert covers(text, LONG)
    assert covers("It\u2019s  difficult to see how", "it's difficult to see how")
    assert covers("sanctions \u2014 including on Russia", "sanctions-including on Russia")


def test_long_span_cut_by_a_chunk_boundary_is_covered_by_either_half():
    first, second = span_variants(LONG)[1:]
    assert (first, second) == ("the russians have lost", "between 7,000 and 15,000 troops")
    assert covers("... and so the Russians have lost", LONG)
    assert covers("between 7,000 and 15,000 troops, they say", LONG)
    assert not covers("the Russians have", LONG)


def test_short_span_must_be_whole():
    span = "the 1905 Russo-Japanese War"  # four words: no halves
    assert span_variants(span) == ["the 1905 russo-japanese war"]
    assert not covers("the 1905 Russo", span)
    assert covers("since the 1905 Russo-Japanese War, discontent", span)


def test_recall_is_the_share_of_spans_covered_by_the_union():
    gold = ["alpha beta", "gamma delta"]
    assert recall(gold, ["alpha beta here", "nothing"]) == 0.5
    assert recall(gold, ["alpha beta", "and gamma delta"]) == 1.0
    assert recall(gold, []) == 0.0


def test_reciprocal_rank_of_first_passage_covering_any_span():
    gold = ["alpha beta", "gamma delta"]
    assert reciprocal_rank(gold, ["x", "y", "gamma delta"]) == pytest.approx(1 / 3)
    assert reciprocal_rank(gold, ["alpha beta"]) == 1.0
    assert reciprocal_rank(gold, ["x"] * 5) == 0.0


def test_attribution_looks_at_the_first_covering_passage_only():
    gold = ["alpha beta"]
    passages = [passage("noise", "Emma Ashford"), passage("alpha beta", "Matthew Kroenig"), passage("alpha beta")]
    assert attributed(gold, passages, "Matthew Kroenig")
    assert not attributed(gold, passages, "Emma Ashford")
    assert not attributed(gold, passages[:1], "Emma Ashford")  # nothing covers: not attributed


def test_gold_spans_attributed_counts_each_span_with_its_own_person():
    q = Question(id="C1", type="contrast", question="?", gold=["alpha beta", "gamma delta"],
                 authors=["Emma Ashford", "Matthew Kroenig"], articles=["a"])
    listed = Question(id="D1", type="contrast", question="?", gold=["alpha beta", "gamma delta"],
                      authors=["Emma Ashford"], articles=["a"])  # a question's authors, not one per span
    passages = [passage("alpha beta", "Emma Ashford"), passage("gamma delta", "Emma Ashford"),
                passage("gamma delta", "Matthew Kroenig & Emma Ashford")]
    report = Report()
    assert span_attribution([q, listed], passages, report) == 1.0  # a co-author's joint passage counts
    assert span_attribution([q], passages[:2], report) == 0.5 and "C1 span of Matthew Kroenig" in report.misses[-1]
    joint = Question(id="J1", type="summary", question="?", gold=["gamma delta"],
                     authors=["Emma Ashford and Matthew Kroenig"], articles=["a"])  # written jointly
    assert span_attribution([joint], passages, report) == 1.0
    assert span_attribution([joint], passages[:2], report) == 0.0  # one of the two writers alone


def test_citation_validity_checks_the_quote_against_its_article():
    texts = {"a": "He said: \u201cWe must talk\u2014now.\u201d Then  he left."}
    cited = passage("We must talk\u2014now.")
    assert citation_valid(Citation(n=1, quote='We must talk - now."  Then he', passage=cited), texts)
    assert not citation_valid(Citation(n=1, quote="We must never talk", passage=cited), texts)
    assert not citation_valid(Citation(n=1, quote="We must talk", passage=passage("x", article_id="b")), texts)


def test_each_corpus_is_held_to_its_own_targets():
    """The seed corpus to issue 2's thresholds, any other corpus to issue 12's (gold quoted too)."""
    assert CORPORA["seed"].targets["MRR@5"] == (">=", 0.90)
    assert CORPORA["general"].targets is ANY_CORPUS_THRESHOLDS
    report = Report(metrics={"recall@5": 0.92, "MRR@5": 0.85, "attribution": 1.0, "mean passage words": 99.0,
                             "citation validity": 1.0, "grounded accuracy": 1.0, "gold spans quoted in answers": 0.7})
    assert set(failures(report, CORPORA["seed"].targets)) == {"recall@5", "MRR@5"}
    assert set(failures(report, ANY_CORPUS_THRESHOLDS)) == {"gold spans quoted in answers"}
    result = SimpleNamespace(corpus=CORPORA["general"], ours=report, vanilla=None)
    row = next(line for line in table([result]).splitlines() if line.startswith("| MRR@5 "))
    assert row.split("|")[2:5] == [" 0.850 ", "  ", " >= 0.8 "]


def test_dev_set_loads():
    questions = load_dev()
    assert len(questions) == 20
    assert {q.type for q in questions} >= {"factual", "position", "contrast", "unanswerable"}
    assert all(isinstance(q, Question) and (q.gold or not q.answerable) for q in questions)


# Measured on the dev set (`make eval`): recall@5 0.972, MRR@5 0.935, above issue 2's 0.95 and
# 0.90. The floors sit just under the measured figures, so a regression shows before a target is lost.
RETRIEVAL_FLOORS = {"recall@5": 0.97, "MRR@5": 0.93}


@pytest.mark.parametrize("path", [DEV_SET, *CHECK_SETS], ids=lambda p: p.name)
def test_every_gold_span_is_verbatim_in_its_articles(path):
    """The check sets follow the dev set's format and rules: spans quoted from the named files."""
    texts = {f.name[:3]: f.read_text(encoding="utf-8") for f in CORPUS.glob("*.txt")}
    for q in load_dev(path):
        assert q.answerable == bool(q.gold) and (q.articles or not q.gold)
        for span in q.gold:
            assert any(covers(texts[a], span) for a in q.articles), (q.id, span)


@pytest.mark.parametrize("path", [GENERAL_SET, GENERAL_CHECK_SET], ids=lambda p: p.name)
def test_general_questions_name_files_and_their_spans_are_verbatim_in_what_the_readers_read(path):
    """The general sets' `articles` are file names of eval/corpus-general; each gold span is in the text
    index.readers gives for one of its files (normalised)."""
    questions = load_dev(path)
    assert len(questions) == 24 and sum(not q.answerable for q in questions) == 3
    for q in questions:
        files = q.files(GENERAL_CORPUS)
        assert [f.name for f in files] == sorted(set(q.articles)), q.id
        texts = [read_file(f) for f in files]
        for span in q.gold:
            assert any(covers(text, span) for text in texts), (q.id, span)


@pytest.mark.parametrize("name", [f"conventions-{n}" for n in range(1, 9)])
def test_conventions_questions_name_files_and_their_spans_are_verbatim_in_what_the_readers_read(name):
    corpus = CORPORA[name]
    questions = load_dev(corpus.questions)
    assert len(questions) == 20 and 3 <= sum(not q.answerable for q in questions) <= 4
    for q in questions:
        texts = [" ".join(read_file(f).replace("**", "").split()) for f in q.files(corpus.folder)]
        assert len(texts) == len(set(q.articles)), q.id
        for span in q.gold:
            assert any(covers(text, span) for text in texts), (q.id, span)


def test_seed_questions_resolve_their_file_prefixes():
    for q in load_dev(DEV_SET):
        assert len(q.files(CORPORA["seed"].folder)) == len(q.articles), q.id


@pytest.mark.slow
def test_general_corpus_is_scored(general):
    """Every metric of make eval is computed on the general corpus too, with the same rules."""
    from assistant.evaluation.corpus import prose_retention

    report = evaluate(general, load_dev(GENERAL_SET))
    for name in ("recall@5", "MRR@5", "attribution", "citation validity", "grounded accuracy",
                 "gold spans quoted in answers", "positions: gold covered", "summaries: gold covered"):
        assert report.metrics[name] is not None, name
    assert report.metrics["citation validity"] == 1.0
    # measured 0.667 with quotes grown to their paragraph (up to 150 words), 0.619 grown to 50 words,
    # 0.571 when a quote took one neighbour up to 40
    assert report.metrics["gold spans quoted in answers"] >= 0.65, report.metrics
    retention = {row.file: row for row in prose_retention(general, GENERAL_CORPUS)}
    assert len(retention) == 7
    assert all(row.share >= 0.98 for row in retention.values() if row.share is not None)


@pytest.fixture(scope="module")
def dev_report(assistant):
    return evaluate(assistant, load_dev(), jobs=False)


@pytest.mark.slow
def test_dev_set_meets_issue_2_thresholds(dev_report):
    """Acceptance: recall@5 >= 0.95, MRR@5 >= 0.90, attribution 1.0, passages <= 150 words, citation
    validity and grounded accuracy 1.0, and retrieval at or above its measured floors (the figures
    `make eval` prints)."""
    failed = failures(dev_report)
    assert not failed, f"below issue 2's thresholds: {failed}; misses: {dev_report.misses}"
    for name, floor in RETRIEVAL_FLOORS.items():
        assert dev_report.metrics[name] >= floor, (name, dev_report.metrics[name], dev_report.misses)


# The held-out check sets, held a little below their measured figures (one rank either way):
# a change that lifts the dev set while these fall fits the dev set's 20 questions, not questions
# in general.
# measured 0.906/0.887, 0.812/0.799, 0.969/0.690 (2026-12-04)
CHECK_SET_FLOORS = {"heldout.jsonl": (0.88, 0.83), "heldout2.jsonl": (0.75, 0.73), "heldout3.jsonl": (0.90, 0.66)}


def assert_retrieval_floors(assistant, path: Path, floors: tuple[float, float]) -> Report:
    report = Report()
    retrieval_metrics(lambda q: assistant.search(q, 5), load_dev(path), report)
    assert report.metrics["recall@5"] >= floors[0], (report.metrics, report.misses)
    assert report.metrics["MRR@5"] >= floors[1], (report.metrics, report.misses)
    return report


@pytest.mark.slow
@pytest.mark.parametrize("path", CHECK_SETS, ids=lambda p: p.name)
def test_check_sets_hold_their_measured_retrieval(assistant, path):
    assert_retrieval_floors(assistant, path, CHECK_SET_FLOORS[path.name])


# The general corpus (indexed with no metadata file) and its blind check set, held a little below
# their measured recall@5 / MRR@5 (0.762/0.559 and 0.873/0.680 on 2026-12-04): issue 12's targets
# (0.90 / 0.80) are not met yet, and a change must not lose what is there.
GENERAL_FLOORS = {"general.jsonl": (0.73, 0.53), "general_heldout.jsonl": (0.84, 0.65)}


@pytest.mark.slow
@pytest.mark.parametrize("path", [GENERAL_SET, GENERAL_CHECK_SET], ids=lambda p: p.name)
def test_general_corpus_holds_its_measured_retrieval(general, path):
    report = assert_retrieval_floors(general, path, GENERAL_FLOORS[path.name])
    assert report.metrics["attribution"] == 1.0, report.misses


# The corpora of other layouts, held a little below their measured recall@5 / MRR@5 / attribution /
# gold spans attributed (2026-12-06: 0.794/0.814/1.0/1.0, 0.941/0.843/1.0/1.0, 0.938/0.778/n.a./0.923,
# 0.625/0.483/n.a./0.962, 0.927/0.745/n.a./1.0, 0.896/0.703/n.a./0.774, 0.926/0.750/1.0/1.0,
# 0.941/0.727/1.0/0.973, 0.783/0.531/1.0/0.911, 0.799/0.686/0.667/0.870; before their layouts were read,
# 0.824/0.775/0.0, 0.941/0.779/0.6, 0.750/0.483/n.a., 0.531/0.365/n.a./0.500, 0.896/0.635/n.a./0.250,
# 0.896/0.708/n.a./0.258, 0.838/0.723/n.a./0.211, 0.765/0.608/0.333/0.351, 0.604/0.389/0.0/0.044,
# 0.664/0.600/0.333/0.239): the interview, letters, sections, records, email, caption, quotation, block
# quotation, minutes, guest-post, hearing, bold-label, evidence-session, signed-piece, separate-opinion,
# comment-section, thread, prose-table, transcript-table, chat, script, talk-page, deposition,
# written-question, closed-caption, embedded-post, candidates'-forum, key-table and numbered-respondent
# rules must keep what they won.
# Conventions-3 to -6 have no position question (attribution: None, not checked).
CONVENTIONS_FLOORS = {"conventions-1": (0.76, 0.78, 1.0, 1.0), "conventions-2": (0.9, 0.8, 1.0, 1.0),
                      "conventions-3": (0.87, 0.74, None, 0.92), "conventions-4": (0.56, 0.43, None, 0.92),
                      "conventions-5": (0.88, 0.70, None, 0.95), "conventions-6": (0.86, 0.63, None, 0.74),
                      "conventions-7": (0.88, 0.70, 1.0, 0.95), "conventions-8": (0.89, 0.68, 1.0, 0.95),
                      "conventions-9": (0.75, 0.50, 1.0, 0.88), "conventions-10": (0.77, 0.65, 0.66, 0.84)}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CONVENTIONS_FLOORS))
def test_corpora_of_other_layouts_hold_their_measured_retrieval_and_attribution(tmp_path, name):
    corpus = CORPORA[name]
    assistant = Assistant(make_settings(tmp_path / "data", corpus.folder))
    assistant.index([corpus.folder])
    recall_floor, mrr_floor, attribution_floor, spans_floor = CONVENTIONS_FLOORS[name]
    report = assert_retrieval_floors(assistant, corpus.questions, (recall_floor, mrr_floor))
    if attribution_floor is not None:
        assert report.metrics["attribution"] >= attribution_floor, report.misses
    passages = assistant.retriever.snapshot().passages
    assert span_attribution(load_dev(corpus.questions), passages, report) >= spans_floor, report.misses
