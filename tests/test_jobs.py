"""The three jobs (issue 4), offline: positions, summaries, counterpoints, and their CLI.

Real Chroma index and real embeddings (the session fixture `assistant`); results are
cached per test module because each job embeds many sentences.
"""

from __future__ import annotations

import json
import sys
from functools import cache

import pytest
from conftest import make_settings

from assistant import Assistant
from assistant.citations import normalize, quote_in
from assistant.cli import commands as cli
from assistant.cli import common as cli_common
from assistant.jobs.counter import brief, negate
from assistant.jobs.positions import to_markdown, to_text
from assistant.retrieval.speakers import UNKNOWN_PREFIX

PEACE = "Would an early peace deal between Russia and Ukraine do more harm than good?"
CLAIM = "Ukraine can win back all of its territory by force."


@pytest.fixture(scope="module")
def jobs(assistant):
    """Memoised job results, so several tests can look at one run."""

    @cache
    def run(kind: str, arg: str | None = None, author: str | None = None):
        if kind == "positions":
            return assistant.positions_report(arg)
        if kind == "summarize":
            return assistant.summarize(article=arg, author=author)
        return assistant.counter(arg)

    return run


def assert_verbatim(assistant, citation) -> None:
    text = assistant.article_texts()[citation.passage.article_id]
    assert quote_in(citation.quote, citation.passage.text)
    assert quote_in(citation.quote, text)
    assert citation.passage.kind == "body", "bio lines are never evidence"


# -- positions ------------------------------------------------------------------------------
def test_peace_deal_positions_have_four_authors_with_separate_debaters(assistant, jobs):
    result = jobs("positions", PEACE)
    authors = [p.author for p in result.positions]
    assert len(authors) >= 4 and len(set(authors)) == len(authors)
    assert "Emma Ashford" in authors and "Matthew Kroenig" in authors


def test_every_position_cites_only_its_own_author(assistant, jobs):
    for p in jobs("positions", PEACE).positions:
        assert 1 <= len(p.citations) <= 3
        for c in p.citations:
            assert_verbatim(assistant, c)
            if p.author.startswith(UNKNOWN_PREFIX):
                assert c.passage.author is None and c.passage.outlet in p.author
            else:
                assert c.passage.author == p.author


def test_offline_position_summary_is_a_cited_verbatim_sentence(jobs):
    result = jobs("positions", PEACE)
    assert "side not determined" in to_markdown(result) and "ASSISTANT_LLM=local" in result.notices[0]
    for p in result.positions:
        assert p.stance == "unlabeled"
        numbers = {c.n for c in p.citations}
        cited = [c for c in p.citations if p.summary.endswith(f"[{c.n}]")]
        assert cited and cited[0].n in numbers
        assert normalize(cited[0].quote) in normalize(p.summary)


def test_named_authors_limit_the_rows(jobs):
    result = jobs("positions", "Do Ashford and Kroenig agree about keeping U.S. troops in Europe?")
    assert {p.author for p in result.positions} == {"Emma Ashford", "Matthew Kroenig"}


def test_unknown_author_row_is_labelled_by_outlet(jobs):
    result = jobs("positions", "Why would pushing negotiations now accept Putin's premises?")
    labels = [p.author for p in result.positions]
    assert "Unknown author (Just Security)" in labels


def test_off_topic_question_gets_no_rows(jobs):
    assert jobs("positions", "What do the articles say about the Paris climate agreement?").positions == []


def test_position_tables_render(jobs):
    result = jobs("positions", PEACE)
    markdown = to_markdown(result)
    assert markdown.splitlines()[0] == "| Author | Stance | Position | Evidence |"
    assert len(markdown.splitlines()) == 2 + len(result.positions)
    text = to_text(result)
    assert text.startswith("author") and "Matthew Kroenig" in text and "[1]" in text


# -- summaries ------------------------------------------------------------------------------
def test_author_summary_cites_only_that_author_in_document_order(assistant, jobs):
    summary = jobs("summarize", None, "Acton")
    assert summary.scope == "author:James M. Acton"
    assert summary.citations and all(c.passage.author == "James M. Acton" for c in summary.citations)
    for c in summary.citations:
        assert_verbatim(assistant, c)
        assert f"{c.quote} [{c.n}]" in summary.summary
    starts = [c.passage.start + c.passage.text.find(c.quote) for c in summary.citations]
    assert starts == sorted(starts)
    assert sum(len(c.quote.split()) for c in summary.citations) <= 120


def test_article_summary_cites_only_that_article_and_labels_speakers(jobs):
    summary = jobs("summarize", "fp-debate-peace-deal")
    assert summary.scope == "article:fp-debate-peace-deal"
    assert {c.passage.article_id for c in summary.citations} == {"fp-debate-peace-deal"}
    assert "**Emma Ashford:**" in summary.summary and "**Matthew Kroenig:**" in summary.summary


def test_corpus_summary_is_grouped_by_speaker(jobs):
    summary = jobs("summarize")
    assert summary.scope == "corpus"
    for label in ("**George Beebe:**", "**Unknown author (Just Security):**", "**Emma Ashford:**"):
        assert label in summary.summary
    assert [c.n for c in summary.citations] == list(range(1, len(summary.citations) + 1))


def test_summary_of_unknown_article_or_author_is_a_usage_error(assistant):
    from assistant.core import UsageError

    with pytest.raises(UsageError):
        assistant.summarize(article="no-such-article")
    with pytest.raises(UsageError):
        assistant.summarize(author="Nobody")


# -- counterpoints ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("claim", "negation"),
    [
        ("Ukraine can win back its territory.", "Ukraine cannot win back its territory."),
        ("The U.S. should not talk to Moscow.", "The U.S. should talk to Moscow."),
        ("Sanctions work.", "It is not true that sanctions work."),
        ("Talks won't help.", "Talks will help."),
        ("Punishing self-regarding conduct harms no one.", "Punishing self-regarding conduct harms someone."),
        ("Nobody gains from a frozen conflict.", "Somebody gains from a frozen conflict."),
        ("There is no alternative to talks.", "There is some alternative to talks."),
        ("Never negotiate with Moscow.", "Negotiate with Moscow."),
    ],
)
def test_negate(claim, negation):
    assert negate(claim) == negation


def test_counter_cards_are_cited_verbatim_with_credentials(assistant, jobs):
    result = jobs("counter", CLAIM)
    assert result.undetermined and not result.counterpoints and not result.supporting, "offline: no side asserted"
    assert "ASSISTANT_LLM=local" in result.notices[0]
    ids = [c.passage.id for c in result.undetermined]
    assert len(ids) == len(set(ids)), "each passage once"
    authors = [c.cite.author for c in result.undetermined]
    assert authors == sorted(authors, key=authors.index), "grouped by author"
    articles = {a.id: a for a in assistant.articles()}
    for card in result.undetermined:
        article = articles[card.passage.article_id]
        assert card.text == card.passage.text and quote_in(card.text, article.text)
        assert card.tag and "\n" not in card.tag
        assert card.cite.title == article.title and card.cite.outlet == article.outlet
        if card.passage.author:
            assert card.cite.author == card.passage.author
            bio = normalize(article.credentials.get(card.passage.author, ""))
            assert normalize(card.cite.credentials) in bio, "the credential is words of the bio line"
        else:
            assert card.cite.author.startswith(UNKNOWN_PREFIX) and card.cite.credentials == ""
    acton = [c for c in result.undetermined if c.cite.author == "James M. Acton"]
    assert acton and "Carnegie Endowment" in acton[0].cite.credentials


def test_card_cites_are_short_credentials_not_the_whole_bio(jobs):
    """Issue 14.4: name, credential in a few words, outlet, date, title; no handle, no repeated name."""
    cards = jobs("counter", CLAIM).undetermined
    signed = [c for c in cards if c.passage.author]
    assert signed
    for card in signed:
        credential = card.cite.credentials
        assert credential and len(credential.split()) <= 14
        assert "@" not in credential and "Twitter" not in credential and not credential.endswith(".")
        assert card.passage.author.split()[-1] not in credential, "the name is not repeated"
    by_author = {c.cite.author: c.cite.credentials for c in signed}
    assert by_author.get("Matthew Kroenig", "columnist at Foreign Policy") == "columnist at Foreign Policy"
    assert by_author.get("Daniel R. DePetris", "fellow at Defense Priorities") == "fellow at Defense Priorities"


def test_card_tags_stand_alone(jobs):
    """Issue 14.4: a tag is the passage's sentence stating its point, not one leaning on its context."""
    from assistant.jobs.standalone import context_need

    for claim in (CLAIM, "negotiating now would reward Putin's aggression."):
        result = jobs("counter", claim)
        assert result.undetermined
        for card in result.undetermined:
            assert quote_in(card.tag, card.passage.text)
            assert context_need(card.tag) < 1.0, card.tag


def test_counterpoints_find_the_dev_set_rebuttals(jobs):
    """D17: Acton's doubt that Ukraine can retake its land by force is among the cards."""
    result = jobs("counter", CLAIM)
    texts = [normalize(c.text) for c in result.undetermined]
    assert any("forcibly evicting them from its territory" in t for t in texts)
    assert len({c.cite.author for c in result.undetermined}) >= 3, "several voices, at most two cards each"


def test_debate_brief_markdown(jobs):
    result = jobs("counter", CLAIM)
    text = brief(result)
    assert text.startswith("# Debate brief") and f"**Claim:** {CLAIM}" in text
    assert "## Side not determined (by author)" in text and "## Counterpoints" not in text
    cards = result.undetermined
    assert "Answers:" not in text, "the claim is the brief's heading, not repeated on every card"
    assert "Matthew Kroenig, columnist at Foreign Policy, Foreign Policy, 2022-03, \u201cWould a Peace Deal" in text
    assert ".." not in text.replace("...", "")
    # Each card's text is exactly its passage, every paragraph inside the card's blockquote.
    blocks = ["\n".join(line[2:] for line in chunk.splitlines())
              for chunk in text.split("\n\n") if chunk.startswith("> ")]
    assert [normalize(b) for b in blocks] == [normalize(c.text) for c in cards]
    assert any("\n\n" in c.text for c in cards), "a passage of several paragraphs is quoted whole"


# -- CLI ------------------------------------------------------------------------------------
def run_cli(monkeypatch, capsys, assistant, *args: str) -> tuple[int, str, str]:
    monkeypatch.setattr(cli_common, "make_assistant", lambda: assistant)
    monkeypatch.setattr(sys, "argv", ["assistant", *args])
    with pytest.raises(SystemExit) as exit_info:
        cli.main()
    out, err = capsys.readouterr()
    return exit_info.value.code or 0, out, err


def test_cli_positions_json(monkeypatch, capsys, assistant):
    code, out, _ = run_cli(monkeypatch, capsys, assistant, "positions", PEACE, "--json")
    payload = json.loads(out)
    assert code == 0 and set(payload) == {"question", "positions"}
    assert {"author", "stance", "summary", "citations"} <= set(payload["positions"][0])


def test_cli_summarize_json_and_errors(monkeypatch, capsys, assistant):
    code, out, _ = run_cli(monkeypatch, capsys, assistant, "summarize", "--author", "Acton", "--json")
    assert code == 0 and set(json.loads(out)) == {"scope", "topic", "summary", "citations"}
    code, out, _ = run_cli(monkeypatch, capsys, assistant, "summarize", "--author", "Acton", "--topic",
                           "sanctions relief", "--json")
    payload = json.loads(out)
    assert code == 0 and payload["topic"] == "sanctions relief" and payload["scope"] == "author:James M. Acton"
    assert any("sanction" in c["quote"].lower() for c in payload["citations"])
    code, out, err = run_cli(monkeypatch, capsys, assistant, "summarize", "--article", "nope", "--json")
    assert code == 2 and out == "" and "unknown article" in err
    code, _, err = run_cli(monkeypatch, capsys, assistant, "summarize", "--article", "x", "--author", "y")
    assert code == 2 and "not both" in err


def test_cli_counter_json_and_markdown(monkeypatch, capsys, assistant):
    code, out, _ = run_cli(monkeypatch, capsys, assistant, "counter", CLAIM, "--json")
    payload = json.loads(out)
    assert code == 0 and set(payload) == {"claim", "counterpoints", "supporting", "undetermined"}
    assert {"tag", "cite", "text", "passage", "answers"} <= set(payload["undetermined"][0])
    code, out, _ = run_cli(monkeypatch, capsys, assistant, "counter", CLAIM, "--markdown")
    assert code == 0 and out.startswith("# Debate brief")
    code, _, err = run_cli(monkeypatch, capsys, assistant, "counter", "   ")
    assert code == 2 and "empty claim" in err


def test_summaries_pick_sentences_that_stand_alone(jobs):
    """Issue 14.7: no sentence that leans on its context; Ashford's pro-settlement thesis is in."""
    from assistant.jobs.standalone import context_need

    corpus = jobs("summarize")
    leaning = [c.quote for c in corpus.citations if context_need(c.quote) > 1.0]
    assert not leaning, leaning
    fragments = ("Think of it like a division of labor", "is the exact opposite", "One is sending NATO troops")
    assert not [c.quote for c in corpus.citations if any(f in c.quote for f in fragments)]
    ashford = jobs("summarize", None, "Ashford")
    assert any("negotiated settlement is probably the most likely and least bad option" in c.quote
               for c in ashford.citations)


# -- summaries on a topic (general corpus, no metadata file) ---------------------------------------
@pytest.mark.slow
def test_a_summary_on_a_topic_keeps_to_it(general):
    """"Summarize Mill's test for when society may step in": the sentences of his chapter on that
    test, not its most central ones (his chapter is about more than one thing); no heading is quoted."""
    plain = general.summarize(author="John Stuart Mill")
    focused = general.summarize(author="John Stuart Mill",
                                topic="when society may step in to control a person's conduct")
    assert focused.topic and focused.scope == plain.scope == "author:John Stuart Mill"
    assert {c.quote for c in focused.citations} != {c.quote for c in plain.citations}
    assert not any(c.quote.isupper() for c in focused.citations)
    texts = general.article_texts()
    for c in focused.citations:
        assert c.passage.author == "John Stuart Mill" and quote_in(c.quote, texts[c.passage.article_id])
    assert any("society" in c.quote.lower() or "others" in c.quote.lower() for c in focused.citations)


@pytest.mark.slow
def test_a_corpus_summary_on_a_topic_hears_only_the_voices_on_it(general):
    summary = general.summarize(topic="the Omicron variant and home COVID tests")
    voices = {c.passage.author for c in summary.citations}
    assert "Jen Psaki" in voices
    assert not voices & {"John Stuart Mill", "Abraham Lincoln", "Stephen A. Douglas", "Thomas Paine"}


def test_unnamed_voices_of_two_transcripts_are_two_speakers(tmp_path):
    """"Speaker 1" of one town hall is not "Speaker 1" of another: a voice the text never names
    is a row of its own article, and each row cites only that article."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    turns = {
        "schools.txt": ("Town hall on school funding", [
            "The district cannot keep cutting teachers while it builds a new stadium for the team.",
            "The stadium is paid for by a bond the voters approved, not by teachers' salaries.",
            "Voters were never told that the bond would leave the schools short of teachers.",
            "The ballot summary said so on page two, and the teachers' union endorsed the bond."]),
        "parks.txt": ("Town hall on city parks", [
            "The city should stop cutting park budgets while it builds a new stadium downtown.",
            "Parks lose nothing to the stadium; it is paid for by a hotel tax, not the parks budget.",
            "Every summer the pools close early because there is no money for lifeguards.",
            "The pools close early because of a shortage of lifeguards, not of money."]),
    }
    for name, (title, lines) in turns.items():
        body = "\n\n".join(f"SPEAKER {1 + n % 2}: {line}" for n, line in enumerate(lines))
        (corpus / name).write_text(f"{title}\n\n{body}\n")
    assistant = Assistant(make_settings(tmp_path / "data", corpus))
    assistant.index()
    report = assistant.positions_report("Should the city cut budgets to build a stadium?")
    rows = {p.author: {c.passage.article_id for c in p.citations} for p in report.positions}
    assert len(rows) == 4, rows
    assert all(len(articles) == 1 for articles in rows.values())
    assert {label.split(" (")[0] for label in rows} == {"Speaker 1", "Speaker 2"}
    assert all(a.authors == [] and a.unnamed_speakers == ["Speaker 1", "Speaker 2"] for a in assistant.articles())


def test_a_co_signed_article_is_its_authors_words_jointly(tmp_path):
    """Two bylined authors and no turns: every body passage is theirs jointly ("A & B"), found by
    either name, a positions row of its own, and in each co-author's summary (it used to be nobody's)."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    body = [
        "The Colorado River no longer reaches the sea, and the states that draw on it argue over cuts the river "
        "has already made for them.",
        "Farmers use four fifths of the river, and paying them to fallow their least productive fields is cheaper "
        "than any desalination plant yet proposed.",
        "Cities can help by pricing water at its real cost: tiered rates that charge more for lawns than for "
        "drinking water have cut use by a fifth wherever they were tried.",
    ]
    (corpus / "joint.txt").write_text("A water plan for the Southwest\n\nBy Daniel Reyes and Priya Natarajan\n\n"
                                      + "\n\n".join(body) + "\n")
    assistant = Assistant(make_settings(tmp_path / "data", corpus))
    assistant.index()
    joint = "Daniel Reyes & Priya Natarajan"
    assert {p.author for p in assistant.retriever.snapshot().passages} == {joint}
    assert [h.author for h in assistant.search("What does Natarajan say about paying farmers?", 3)] == [joint]
    rows = assistant.positions_report("Should farmers be paid to fallow fields?").positions
    assert [p.author for p in rows] == [joint]
    summary = assistant.summarize(author="Priya Natarajan")
    assert summary.citations and all(c.passage.author == joint for c in summary.citations)
