"""Issue 14: the extractive chat answer answers (who says what), follow-ups, the standfirst.

Real Chroma index of the default corpus and real embeddings (session fixture `assistant`).
"""

from __future__ import annotations

import numpy as np

from assistant.citations import normalize, quote_in, sentence_spans, sentences
from assistant.compose.extractive import QUOTE_MAX_WORDS, _grown_span
from assistant.evaluation.corpus import GENERAL_SET, load_dev
from assistant.retrieval.speakers import is_shared_text

ASHFORD, KROENIG = "Emma Ashford", "Matthew Kroenig"
EARLY_DEAL = "Would an early peace deal do more harm than good?"


def lead_lines(answer) -> list[str]:
    """The answer's "who says what" lines: one per person, before any evidence."""
    head = answer.answer.split("\n\nEvidence:")[0]
    return [line for line in head.splitlines() if line.startswith("- **")]


def test_yes_no_answer_leads_with_one_line_per_person(assistant):
    answer = assistant.ask(EARLY_DEAL)
    lines = lead_lines(answer)
    people = [line.split("**")[1] for line in lines]
    assert len(people) == len(set(people)) >= 2 and {ASHFORD, KROENIG} <= set(people)
    by_n = {c.n: c for c in answer.citations}
    for line, person in zip(lines, people, strict=True):
        n = int(line.rsplit("[", 1)[1].rstrip("]"))
        assert by_n[n].passage.author == person, "a person's line quotes only their own words"
        assert quote_in(by_n[n].quote, assistant.article_texts()[by_n[n].passage.article_id])
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))


def test_lead_quote_is_the_persons_representative_view(assistant):
    """Ashford's line states her view on a settlement, as her positions row does, not the
    concession that reads out of context as the opposite."""
    answer = assistant.ask(EARLY_DEAL)
    ashford = next(line for line in lead_lines(answer) if line.startswith(f"- **{ASHFORD}**"))
    row = next(p for p in assistant.positions(EARLY_DEAL) if p.author == ASHFORD)
    assert normalize(row.summary.rsplit(" [", 1)[0].strip("\u201c\u201d")) in normalize(ashford)
    assert "least bad option" in ashford


def test_standfirst_is_not_a_voice_of_the_answer(assistant):
    answer = assistant.ask(EARLY_DEAL)
    articles = {a.id: a for a in assistant.articles()}
    assert not any(is_shared_text(c.passage, articles) for c in answer.citations)
    assert "Unknown author (Foreign Policy)" not in answer.answer


def test_question_that_stands_alone_is_never_rewritten(assistant):
    history = [
        ("What does Emma Ashford think about a negotiated settlement?", "..."),
        ("And what does DePetris think?", "..."),
    ]
    answer = assistant.ask("What is the capital of Australia?", history)
    assert not any(n.startswith("Follow-up read as") for n in answer.notices)
    assert not answer.grounded


def test_follow_up_borrows_the_last_standalone_topic_not_a_glued_follow_up(assistant):
    history = [
        ("What does Emma Ashford think about a negotiated settlement?", "..."),
        ("And what does DePetris think?", "..."),
    ]
    answer = assistant.ask("And what does Kroenig say?", history)
    read_as = next(n for n in answer.notices if n.startswith("Follow-up read as"))
    assert "negotiated settlement" in read_as and "DePetris" not in read_as
    assert {c.passage.author for c in answer.citations} == {KROENIG}


def test_a_quote_carries_the_answer_not_only_the_topic(general):
    """The quote shown for a passage is its sentence that answers: the question's own words count
    beside its meaning, and a sentence that states a view is joined by the neighbour that answers it."""
    answer = general.ask("How many of Cato's letters had been printed by the time the Forester answered him?")
    assert any("Four letters have already appeared" in c.quote for c in answer.citations)
    answer = general.ask("Find counterpoints to the claim that America prospered because of its tie to Britain "
                         "and so needs that tie to keep prospering.")
    assert any("Nothing can be more fallacious than this kind of argument." in c.quote for c in answer.citations)
    assert all(len(c.quote.split()) <= QUOTE_MAX_WORDS for c in answer.citations)  # quote-sized


def test_a_quote_grows_past_one_neighbour_to_the_point(general):
    """The sentence closest to the question can be long and carry only the topic: Mill's condition
    (a person's conduct affecting nobody else, 45 words) is joined by the next sentence, which
    holds his answer (perfect freedom); no quote grows past a passage's size by adding sentences."""
    answer = general.ask("What does Mill think should happen when someone's conduct affects nobody but himself?")
    assert any("there should be perfect freedom, legal and social" in c.quote for c in answer.citations)
    assert all(len(c.quote.split()) <= QUOTE_MAX_WORDS or len(sentences(c.quote)) == 1 for c in answer.citations)


def test_a_quote_is_the_passages_own_text(general):
    """A quote of several sentences is the source's characters, spaces included (no-break spaces
    after a full stop in the briefing, line breaks where it goes on into the next paragraph): never
    sentences re-joined."""
    quotes = [c for q in load_dev(GENERAL_SET) if q.answerable for c in general.ask(q.question).citations]
    assert len(quotes) > 40
    for c in quotes:
        assert c.quote in c.passage.text, c.quote


def test_a_quote_goes_on_into_the_next_paragraph_once_its_own_is_exhausted(general):
    """Common Sense's figure for Pennsylvania is the paragraph after the one closest to the
    question: the quote grows into it (it stopped at the paragraph break), and the answer shows it
    on one line, whole."""
    answer = general.ask("What does Common Sense claim about how many people in Pennsylvania were actually "
                         "of English descent?")
    (carrier,) = [c for c in answer.citations if "Not one third of the inhabitants" in c.quote]
    assert "\n" in carrier.quote
    for c in answer.citations:
        assert c.quote in c.passage.text and len(c.quote.split()) <= QUOTE_MAX_WORDS
        assert " ".join(c.quote.split()) in answer.answer


def test_a_quote_takes_its_own_paragraph_before_the_next():
    """A better-scoring neighbour across a paragraph break waits until the quote's own paragraph is
    used up: the reader gets the paragraph that answers, then what follows it on the same topic."""
    text = ("The heading line.\n\nFirst point here. The answer is this. Its reason follows.\n\n"
            "Next paragraph opens. And it ends.")
    run = sentence_spans(text)
    assert len(run) == 6
    scores = np.array([0.9, 0.1, 1.0, 0.2, 0.8, 0.1])
    assert _grown_span(text, run, scores, min_words=4) == "The answer is this."
    assert _grown_span(text, run, scores, min_words=10) == "First point here. The answer is this. Its reason follows."
    assert _grown_span(text, run, scores, min_words=13) == (
        "The heading line.\n\nFirst point here. The answer is this. Its reason follows.")
    # A paragraph whose best sentence is under half the quote's best is other matter: never entered.
    scores[0] = 0.4
    assert _grown_span(text, run, scores, min_words=13) == (
        "First point here. The answer is this. Its reason follows.\n\nNext paragraph opens.")
    scores[4] = 0.45
    assert _grown_span(text, run, scores, min_words=13) == "First point here. The answer is this. Its reason follows."
