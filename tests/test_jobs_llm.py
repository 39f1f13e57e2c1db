"""The three jobs with a language model: the scripted OpenAI-compatible server of issue 3.

The model's replies are functions of the request (they cite the passages the product
actually sent), so the tests check what the product does with good replies, with a
reply that attributes a quote to the wrong author, and with a failing endpoint.
"""

from __future__ import annotations

import json
import re

import pytest
from fake_openai import first_words, hypothesis_in, passages_in, prompt_text, status, text

from assistant.citations import quote_in
from assistant.jobs import positions, stance
from assistant.jobs.llm_common import drop_misattributed, parse_json
from assistant.jobs.summaries import MAP_BATCH, TOPIC_PASSAGES, llm_scope
from assistant.retrieval.speakers import UNKNOWN_PREFIX

PEACE = "Would an early peace deal between Russia and Ukraine do more harm than good?"
CLAIM = "Ukraine can win back all of its territory by force."


SIDES = {"Matthew Kroenig": "support", "Emma Ashford": "oppose"}


def answer(side: str, body: dict, claim: str) -> str:
    """The one-word reply of a model that takes `side` on `claim`: about the claim itself, or its negation."""
    if side == "neither":
        return "maybe"
    asserted = claim in hypothesis_in(body)
    return "yes" if asserted == (side == "support") else "no"


def stance_reply(body: dict) -> str:
    """The scripted model's stance: by author (Kroenig for, Ashford against, others neither)."""
    (passage,) = passages_in(body)
    return answer(SIDES.get(passage["author"], "neither"), body, PEACE)


def summary_reply(body: dict) -> str:
    prompt = prompt_text(body)
    if "<<<SUMMARIES" in prompt:  # reduce: keep the partial summaries as they are
        return re.search(r"<<<SUMMARIES \w+>>>\n(.*)\n<<<END SUMMARIES", prompt, re.DOTALL).group(1)
    return " ".join(
        f"{(p['author'] if p['author'] != 'unknown' else 'The author').split()[-1]} writes "
        f"\u201c{first_words(p['text'])}\u201d [{p['n']}]."
        for p in passages_in(body)[:3]
    )


def counter_reply(body: dict) -> str:
    passages = passages_in(body)
    if "evidence-card tags" in prompt_text(body):
        tags = [{"n": int(p["n"]), "tag": f"Model tag: {first_words(p['text'], 14)}"} for p in passages]
        tags[0]["tag"] = 'Says "words that are nowhere in the passage"'
        return json.dumps({"tags": tags})
    return answer(COUNTER_SIDES.get(passages[0]["author"], "neither"), body, CLAIM)


COUNTER_SIDES = {"James M. Acton": "oppose", "Emma Ashford": "oppose", "Matthew Kroenig": "support"}


@pytest.fixture(autouse=True)
def fresh_stance_cache():
    stance.clear_cache()  # the scripted replies differ between tests
    yield
    stance.clear_cache()


def own_words_only(result) -> None:
    for p in result.positions:
        for c in p.citations:
            if p.author.startswith(UNKNOWN_PREFIX):
                assert c.passage.author is None
            else:
                assert c.passage.author == p.author


# -- positions ------------------------------------------------------------------------------
def test_llm_positions_label_stances_from_each_authors_own_quotes(llm_assistant, fake_llm):
    fake_llm.default = text(stance_reply)
    result = llm_assistant.positions_report(PEACE)
    assert result.mode == "llm" and len(result.positions) >= 4
    rows = {p.author: p for p in result.positions}
    assert rows["Matthew Kroenig"].stance == "support" and rows["Emma Ashford"].stance == "oppose"
    assert {p.stance for author, p in rows.items() if author not in SIDES} == {"unclear"}
    order = [p.stance for p in result.positions]
    assert order == sorted(order, key=["support", "oppose", "mixed", "unclear"].index)
    own_words_only(result)
    # Two one-token questions per quote (the claim, its negation), each showing only that quote
    # under its own author's name; the answer is read from the log-probabilities. A row's quotes are
    # read in order until one shows a side, at most STANCE_QUOTES of them.
    read = [c for p in result.positions for c in p.citations[: 1 if p.author in SIDES else positions.STANCE_QUOTES]]
    assert len(read) < sum(len(p.citations) for p in result.positions)
    quotes = {(c.passage.author or "unknown", c.quote) for c in read}
    requests = fake_llm.chat_requests()
    sent = [passages_in(body) for body in requests]
    assert all(len(ps) == 1 for ps in sent) and len(sent) == 2 * len(quotes)
    assert {(ps[0]["author"], ps[0]["text"]) for ps in sent} == quotes
    assert all(body["logprobs"] and body["max_tokens"] == 1 for body in requests)
    assert sum(PEACE in hypothesis_in(body) for body in requests) == len(quotes)


def test_llm_stance_is_cached_by_claim_and_passage(llm_assistant, fake_llm):
    fake_llm.default = text(stance_reply)
    first = llm_assistant.positions_report(PEACE)
    asked = len(fake_llm.chat_requests())
    again = llm_assistant.positions_report(PEACE)
    assert asked and len(fake_llm.chat_requests()) == asked, "the same pairs are not asked twice"
    assert [p.stance for p in again.positions] == [p.stance for p in first.positions]


def test_llm_stance_reply_outside_the_labels_falls_back(llm_assistant, fake_llm):
    fake_llm.default = text("strongly agree")
    result = llm_assistant.positions_report(PEACE)
    assert result.mode == "extractive" and "malformed stance reply" in result.notices[0]
    assert {p.stance for p in result.positions} == {"unlabeled"}


def test_llm_positions_fall_back_when_the_endpoint_fails(llm_assistant, fake_llm):
    fake_llm.default = status(500)
    result = llm_assistant.positions_report(PEACE)
    assert result.mode == "extractive" and {p.stance for p in result.positions} == {"unlabeled"}
    assert "Language model failed" in result.notices[0]


def test_llm_positions_fall_back_on_a_reply_in_prose(llm_assistant, fake_llm):
    fake_llm.default = text("I think everyone disagrees.")
    result = llm_assistant.positions_report(PEACE)
    assert result.mode == "extractive" and "malformed" in result.notices[0]


# -- summaries ------------------------------------------------------------------------------
def test_llm_author_summary_map_reduce_cites_only_that_author(llm_assistant, fake_llm):
    fake_llm.default = text(summary_reply)
    summary = llm_assistant.summarize(author="Acton")
    assert summary.mode == "llm" and summary.scope == "author:James M. Acton"
    count = len(llm_scope(llm_assistant, None, "Acton")[1])
    maps = -(-count // MAP_BATCH)
    assert len(fake_llm.chat_requests()) == maps + (maps > 1), "one call per batch, and a reduce"
    assert summary.citations and all(c.passage.author == "James M. Acton" for c in summary.citations)
    texts = llm_assistant.article_texts()
    for c in summary.citations:
        assert quote_in(c.quote, texts[c.passage.article_id])
    for sentence in re.split(r"(?<=\.)\s+", summary.summary):
        assert re.search(r"\[\d+\]", sentence), sentence


def test_llm_article_summary_drops_a_misattributed_sentence(llm_assistant, fake_llm):
    def reply(body: dict) -> str:
        if "<<<SUMMARIES" in prompt_text(body):
            return summary_reply(body)
        ashford = [p for p in passages_in(body) if p["author"] == "Emma Ashford"]
        if not ashford:
            return summary_reply(body)
        p = ashford[0]
        return f"Kroenig writes \u201c{first_words(p['text'])}\u201d [{p['n']}]. " + summary_reply(body)

    fake_llm.default = text(reply)
    summary = llm_assistant.summarize(article="fp-debate-peace-deal")
    assert summary.mode == "llm"
    authors = {c.n: c.passage.author for c in summary.citations}
    for sentence in re.split(r"(?<=\.)\s+", summary.summary):
        if sentence.startswith("Kroenig writes"):
            assert {authors[int(n)] for n in re.findall(r"\[(\d+)\]", sentence)} == {"Matthew Kroenig"}
    assert any("another author" in n for n in summary.notices)
    assert {c.passage.article_id for c in summary.citations} == {"fp-debate-peace-deal"}


def test_llm_corpus_summary_reduces_several_batches(llm_assistant, fake_llm):
    fake_llm.default = text(summary_reply)
    summary = llm_assistant.summarize()
    assert summary.mode == "llm" and summary.scope == "corpus"
    assert "<<<SUMMARIES" in prompt_text(fake_llm.chat_requests()[-1]), "the last call is the reduce"
    assert len({c.passage.article_id for c in summary.citations}) >= 3


def test_llm_summary_on_a_topic_reads_the_scopes_passages_closest_to_it(llm_assistant, fake_llm):
    fake_llm.default = text(summary_reply)
    summary = llm_assistant.summarize(topic="sanctions relief")
    assert summary.mode == "llm" and summary.scope == "corpus" and summary.topic == "sanctions relief"
    sent = [p for body in fake_llm.chat_requests() for p in passages_in(body)]
    assert 0 < len(sent) <= TOPIC_PASSAGES, "a topical summary is written from the passages on its topic"
    assert "topic: sanctions relief" in prompt_text(fake_llm.chat_requests()[0])
    assert any("sanction" in p["text"].lower() for p in sent)


def test_llm_summary_unknown_author_is_still_a_usage_error(llm_assistant, fake_llm):
    import pytest

    from assistant.core import UsageError

    with pytest.raises(UsageError):
        llm_assistant.summarize(author="Nobody")
    assert fake_llm.chat_requests() == []


# -- counterpoints ---------------------------------------------------------------------------
def test_llm_counter_classifies_and_tags_cards(llm_assistant, fake_llm):
    fake_llm.default = text(counter_reply)
    result = llm_assistant.counter(CLAIM)
    assert result.mode == "llm" and result.counterpoints and result.supporting and not result.undetermined
    assert {c.cite.author for c in result.counterpoints} <= {"James M. Acton", "Emma Ashford"}
    assert {c.cite.author for c in result.supporting} == {"Matthew Kroenig"}
    articles = {a.id: a for a in llm_assistant.articles()}
    tags = [c.tag for c in result.counterpoints + result.supporting]
    assert any(t.startswith("Model tag") for t in tags)
    assert not any("nowhere in the passage" in t for t in tags), "a tag with an invented quote is replaced"
    for card in result.counterpoints + result.supporting:
        article = articles[card.passage.article_id]
        assert card.text == card.passage.text and quote_in(card.text, article.text)
        assert card.cite.author == (card.passage.author or card.cite.author)
        assert card.cite.outlet == article.outlet


def test_llm_counter_falls_back_when_the_endpoint_fails(llm_assistant, fake_llm):
    fake_llm.default = status(503)
    result = llm_assistant.counter(CLAIM)
    assert result.mode == "extractive" and result.undetermined and not result.counterpoints
    assert "Language model failed" in result.notices[0]


# -- helpers --------------------------------------------------------------------------------
def test_parse_json_accepts_fenced_and_wrapped_replies():
    assert parse_json('```json\n{"a": 1}\n```') == {"a": 1}
    assert parse_json('Here you go: {"a": [1, 2]} hope it helps') == {"a": [1, 2]}


def test_drop_misattributed_keeps_correct_and_removes_wrong(assistant):
    kroenig = next(p for p in assistant.retriever.snapshot().passages if p.author == "Matthew Kroenig")
    ashford = next(p for p in assistant.retriever.snapshot().passages if p.author == "Emma Ashford")
    people = ["Emma Ashford", "Matthew Kroenig"]
    text, notes = drop_misattributed("Kroenig warns of a bad deal [1]. Ashford agrees [1].", [kroenig, ashford], people)
    assert text == "Kroenig warns of a bad deal [1]." and notes
    text, _ = drop_misattributed("Ashford and Kroenig disagree [1][2].", [kroenig, ashford], people)
    assert text == "Ashford and Kroenig disagree [1][2]."
