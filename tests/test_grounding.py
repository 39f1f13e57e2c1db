"""Grounding judged relative to the corpus at hand (issue 12, point 5)."""

from __future__ import annotations

import pytest
from conftest import make_settings

from assistant import Assistant
from assistant.retrieval.grounding import (
    CONFIDENT_SD,
    FLOOR_SD,
    MAD_TO_SD,
    MIN_SD,
    OFF_TOPIC_PROBES,
    calibrate,
    is_grounded,
    silent_people,
    unknown_names,
    unknown_share,
)
from assistant.retrieval.lexical import tokenize


def test_bounds_follow_the_corpus_own_off_topic_scores():
    low = calibrate("g1", [0.10, 0.14, 0.12, 0.18, 0.16])
    high = calibrate("g2", [0.40, 0.44, 0.42, 0.48, 0.46])  # a corpus whose every passage looks alike
    assert low.floor == pytest.approx(0.14 + FLOOR_SD * max(MAD_TO_SD * 0.02, MIN_SD), abs=1e-3)  # median-based
    assert high.floor - low.floor == pytest.approx(0.30, abs=1e-3)
    # A probe the corpus happens to be about is an outlier: it raises the confident bound, not the floor.
    on_topic_probe = calibrate("g4", [0.10, 0.14, 0.12, 0.18, 0.16, 0.13, 0.15, 0.60])
    assert on_topic_probe.floor < low.floor + 0.02 and on_topic_probe.confident > low.confident + 0.1
    assert high.confident == pytest.approx(0.44 + CONFIDENT_SD * high.probe_sd, abs=1e-3)
    assert calibrate("g3", [0.2] * 5).probe_sd == MIN_SD  # identical probes: not "anything above is clear"


def test_calibration_is_stored_with_the_index_and_shared(fresh_data):
    first = Assistant(make_settings(fresh_data))
    assert first.ask("What does Matthew Kroenig think an early peace deal would lead to?").grounded
    generation = first.store.generation()
    stored = first.store.grounding_calibration(generation)
    assert stored is not None and stored.probes == len(OFF_TOPIC_PROBES) and stored.floor < stored.confident
    second = Assistant(make_settings(fresh_data))  # another process on the same index reads it, measures nothing
    assert second.grounding_calibration() == stored


def test_a_new_generation_is_calibrated_again(fresh_data, tmp_path):
    assistant = Assistant(make_settings(fresh_data))
    before = assistant.grounding_calibration()
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "copy.txt").write_text("A note on cooking pasta. Boil water, add salt, cook for ten minutes. " * 20)
    assistant.index([extra])
    generation = assistant.store.generation()
    assert generation != before.generation
    assert assistant.store.grounding_calibration(generation) is None  # the old bounds do not apply
    after = assistant.grounding_calibration()
    assert after.generation == generation and assistant.store.grounding_calibration(generation) == after


@pytest.mark.parametrize("question", OFF_TOPIC_PROBES[:3] + ("What is the population of Canada?",))
def test_off_topic_questions_are_not_grounded_in_either_corpus(assistant, general, question):
    assert not assistant.ask(question).grounded
    assert not general.ask(question).grounded


def test_answerable_questions_of_the_general_corpus_are_grounded(general):
    assert general.ask("What does Mill think should happen when someone's conduct affects nobody but himself?").grounded
    assert not general.ask("What did the press secretary say about extending the pause on federal student loan "
                           "payments?").grounded


def test_a_question_about_something_the_corpus_never_names_is_not_grounded(assistant, general):
    """Its other words may come close (Mill's chapter on liberty), but the thing asked about
    (the Maine liquor law) is not in the excerpt; a name the corpus does use keeps a question grounded."""
    vocabulary = general.retriever.snapshot().vocabulary
    question = "In chapter IV of On Liberty, what does Mill say about Sabbatarian laws and the Maine liquor law?"
    assert unknown_names(question, vocabulary) == ["sabbatarian"]  # "Maine" stems to "main", a word it uses
    assert not general.ask(question).grounded
    assert general.ask("What does Mill say about punishing a man for drunkenness?").grounded
    assert assistant.ask("What does Kroenig want America's European allies to do?").grounded  # "America" unused


def test_a_question_about_a_named_speaker_is_judged_by_their_own_passages(general):
    """A question naming Douglas whose best passage is his own is on topic from the lower bar the jobs
    use for a named person's passages: between that bar and the corpus-wide floor, it is grounded
    because it names him, and would not be without."""
    question = "What did Douglas claim about Lincoln's early line of business, and how did Lincoln answer?"
    plan = general.plan(question)
    assert "Stephen A. Douglas" in plan.authors
    hits = general.plan_search(plan, 5)
    best = max(h.dense for h in hits)
    bounds = general.grounding_calibration()
    assert bounds.named < bounds.floor
    between = bounds.model_copy(update={"named": best - 0.05, "floor": best + 0.05})
    vocabulary = general.retriever.snapshot().vocabulary
    assert is_grounded(hits, plan.text, vocabulary, plan.authors, between)
    assert not is_grounded(hits, plan.text, vocabulary, [], between)
    assert general.ask(question).grounded


def test_the_words_of_someone_the_corpus_only_mentions_are_not_in_it(tmp_path):
    """A mayor copied on an email thread says nothing in it: asking his view is asking for words the
    corpus does not hold, however close its passages come; the senders' views, and a title or an
    office alone, are no such person."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    message = ("From: {sender} <{mail}@council.example>\n\nTo: Council <all@council.example>\n\n"
               "Cc: Colin Abernethy <mayor@council.example>\n\nDate: Thu, 7 Mar 2024 21:48:03 +1300\n\n"
               "Subject: Rental cap\n\n{text}\n\n{first}\n\n")
    (corpus / "thread.txt").write_text(
        message.format(sender="Marguerite Lindqvist", mail="ml", first="M",
                       text="I support the 90-night cap on holiday lets: teachers cannot find anywhere to rent "
                            "within forty minutes of the school, and the cap would free homes for them.")
        + message.format(sender="Ravi Chandrasekar", mail="rc", first="Ravi",
                         text="I cannot support the 90-night cap on holiday lets: baches are family homes let "
                              "out for part of the year, and the summer economy of the waterfront depends on them."),
        encoding="utf-8")
    assistant = Assistant(make_settings(tmp_path / "data", corpus))
    assistant.index([corpus])
    assert not assistant.ask("What was Mayor Colin Abernethy's view on the 90-night cap for holiday lets?").grounded
    assert not assistant.ask("What did Colin Abernethy say about the 90-night cap on holiday lets?").grounded
    assert assistant.ask("What did Ravi Chandrasekar say about the 90-night cap on holiday lets?").grounded
    assert assistant.ask("Why does Lindqvist support the 90-night cap on holiday lets?").grounded
    # Asked before someone the corpus hears, the mentioned person's answer is still not in it.
    respond = "How did Colin Abernethy respond to Ravi Chandrasekar's objection to the 90-night cap on holiday lets?"
    assert not assistant.ask(respond).grounded
    assert assistant.ask(
        "What did Ravi Chandrasekar tell Colin Abernethy about the 90-night cap on holiday lets?").grounded


def test_the_kind_of_article_a_question_names_is_no_topic_word():
    """"the Gazette op-ed", "the podcast", "the newsletter" name an article, not a topic: absent from a
    corpus of op-eds, they do not count as words the corpus lacks."""
    vocabulary = dict.fromkeys(["gazett", "save", "council", "streetlight", "switch"])
    question = "According to the Gazette op-ed, what savings does the council claim the streetlight switch-off gives?"
    assert unknown_share(question, vocabulary, []) == 0.0


def test_the_words_of_a_comparison_are_no_topic_words():
    """"How do the farmer and the teacher disagree about the wind farm?" asks about the wind farm: a
    debate that never says "disagree" holds the disagreement all the same."""
    vocabulary = dict.fromkeys(["farmer", "teacher", "wind", "farm"])
    assert unknown_share("How do the farmer and the teacher disagree about the wind farm?", vocabulary, []) == 0.0
    assert unknown_share("Compare and contrast where they differ on the wind farm.", vocabulary, []) == 0.0


def test_a_silent_person_is_found_past_a_clause_or_in_a_yes_no_question():
    """"What does Sally Penhale, who runs the B&B, think of ..." and "Was Howard Lim for or against ..."
    ask for the views of people the corpus names but never hears; a voice it hears is not silent."""
    vocabulary = dict.fromkeys(tokenize(["Sally Penhale Howard Lim Maya Lindqvist"])[0], 1)  # the corpus names them
    voices = ["Maya Lindqvist"]
    assert silent_people("What does Sally Penhale, who runs the B&B on Fore Street, think of the cap?", voices, "",
                         vocabulary) == ["Sally Penhale"]
    assert silent_people("Was Howard Lim on the jury for or against adding fluoride?", voices, "",
                         vocabulary) == ["Howard Lim"]
    assert silent_people("Was Maya Lindqvist for or against locking phones away?", voices, "", vocabulary) == []
