"""How a question's plan steers retrieval: off-topic passages are never promoted for the sake of
variety, and the general corpus's questions find their speakers by role and scope."""

from __future__ import annotations

import pytest

from assistant.models import Passage
from assistant.retrieval.hybrid import Hit, diversify


def hit(n: int, author: str, dense: float) -> Hit:
    passage = Passage(id=f"p{n}", article_id=f"a-{author}", author=author, text=f"text {n}", start=0, end=6)
    return Hit(passage=passage, fused=1.0 / (n + 1), dense=dense, lexical=0.0)


def test_variety_never_promotes_an_off_topic_passage():
    hits = [hit(0, "Mill", 0.6), hit(1, "Mill", 0.55), hit(2, "Mill", 0.5), hit(3, "Psaki", 0.3)]
    # without a floor the other voice jumps ahead of Mill's second passage
    assert [h.passage.id for h in diversify(hits, 3, penalty=8)] == ["p0", "p3", "p1"]
    # below the corpus's off-topic similarity it only fills what is left
    assert [h.passage.id for h in diversify(hits, 3, penalty=8, floor=0.38)] == ["p0", "p1", "p2"]
    assert [h.passage.id for h in diversify(hits, 4, penalty=8, floor=0.38)][-1] == "p3"


@pytest.mark.slow
def test_general_corpus_questions_find_speakers_by_role_and_scope(general):
    # "the press secretary" is Jen Psaki, as the briefing's title says ("Press Secretary Jen Psaki")
    plan = general.plan("What figure did the press secretary give for how much more likely unvaccinated people "
                        "were to die of COVID?")
    assert plan.authors == ["Jen Psaki"]
    # "the White House" is the briefing's issuing body, not Justice Byron R. White; what it said in
    # the briefing is its press secretary's words, not the reporters' questions
    plan = general.plan("Summarize the White House's message on Omicron in this briefing.")
    assert plan.authors == ["Jen Psaki"] and len(plan.article_ids) == 1
    # "Douglas" alone is the senator of the debate, not Justice William O. Douglas of the argument
    assert general.plan("When did Douglas say he brought his Nebraska bill before the Senate?").authors == [
        "Stephen A. Douglas"]
    # Paine and his letter's title together search that letter, not every piece he signed
    plan = general.plan("In the letter to the Attorney-General, what did Paine propose?")
    assert plan.authors == ["Thomas Paine"] and len(plan.article_ids) == 1


def test_each_round_of_a_comparison_starts_with_the_closest_voice():
    from assistant.retrieval.hybrid import interleave

    first = [hit(0, "Lincoln", 0.24), hit(1, "Lincoln", 0.22)]
    second = [hit(2, "Douglas", 0.38), hit(3, "Douglas", 0.31)]
    assert [h.passage.id for h in interleave([first, second], 3)] == ["p2", "p0", "p3"]


@pytest.mark.slow
def test_positions_hear_each_person_the_question_names(general):
    """Both debaters are heard on a charge one makes and the other answers; the bar for a named person
    is the corpus's own (its off-topic probes), not a cosine fitted on another corpus."""
    rows = general.positions("Douglas attacked Lincoln's record in Congress during the Mexican War. What was the "
                             "charge, and how did Lincoln answer it?")
    assert {p.author for p in rows} == {"Abraham Lincoln", "Stephen A. Douglas"}


@pytest.mark.slow
def test_debate_prep_takes_the_evidence_of_the_one_writer_who_answers_a_claim(general):
    """Two cards per speaker while others have something relevant; after that the best remaining
    passages, even if one writer (Mill, answering 'public opinion should police vices') holds them."""
    result = general.counter("public opinion should police private vices like gambling and drunkenness.")
    cards = result.undetermined
    assert len([c for c in cards if c.passage.author == "John Stuart Mill"]) > 2
    assert any("interferes wrongly" in c.text for c in cards)
