"""The foundation (issue 2): cleaning, attribution, offsets, incremental index, filters,
grounding, the citation check, and the CLI contract, all on real files and a real Chroma."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CORPUS, make_settings

from assistant import Assistant, UsageError
from assistant.citations import make_citation, normalize, quote_in, verify_citations
from assistant.models import Citation
from assistant.retrieval.hybrid import HybridRetriever, Snapshot
from assistant.retrieval.lexical import tokenize
from index.metadata import load_metadata
from index.pipeline import content_hash, prepare_article

DEBATE = "fp-debate-peace-deal"
ASHFORD, KROENIG, ACTON = "Emma Ashford", "Matthew Kroenig", "James M. Acton"


def passages_of(assistant: Assistant, article_id: str):
    return [p for p in assistant.retriever.snapshot().passages if p.article_id == article_id]


def prepare(name: str, with_metadata: bool = True):
    path = CORPUS / name
    meta = load_metadata(CORPUS).get(name) if with_metadata else None
    return prepare_article(path, meta, content_hash(path.read_bytes(), meta))


# -- cleaning -------------------------------------------------------------------------------
FURNITURE = [
    "French deputies and senators applaud",  # a caption, three times in the source
    "EMMANUEL DUNAND/AFP",
    "Join the Conversation",
    "comment guidelines",
    "Already a subscriber",
    "More from Foreign Policy",
    "Residents evacuated from Shebekino",  # the "More from" promo list
    "Image: Reuters",
    "Photo by Carl Court",
    "доступна українською",  # a language notice
    "More >",
    "It's Debatable",
]


def test_no_furniture_survives_as_passage(assistant):
    texts = [normalize(p.text) for p in assistant.retriever.snapshot().passages]
    for junk in FURNITURE:
        assert not any(normalize(junk) in t for t in texts), junk


def test_repeated_paragraphs_and_pull_quotes_appear_once(assistant):
    debate = assistant.article(DEBATE).text
    for repeated in (
        "Hi, Emma! Spring has finally arrived in Washington.",  # the first turn, twice in the source
        "If Ukraine can hold its own against a poorly prepared Russian military",  # a pull quote
        "Biden must make the case that even as the United States is bolstering NATO",
        "If Narendra Modi wants the free world to rally to his side",
    ):
        assert normalize(debate).count(normalize(repeated)) == 1, repeated
    title = "U.S.-Russia Talks Must Continue"
    assert title not in assistant.article("ni-us-russia-talks-must-continue").text


# -- attribution ----------------------------------------------------------------------------
TURN = re.compile(r"^(Emma Ashford|Matthew Kroenig|EA|MK):\s+(.*)$")
SPEAKER = {"Emma Ashford": ASHFORD, "EA": ASHFORD, "Matthew Kroenig": KROENIG, "MK": KROENIG}


def test_every_debate_turn_is_attributed_to_its_speaker(assistant):
    """Each turn of the raw transcript lands in a passage of its own speaker, and every
    paragraph that follows a turn (until the next one) carries that speaker too."""
    passages = passages_of(assistant, DEBATE)
    raw = (CORPUS / "000_a5591cf194c94613.txt").read_text(encoding="utf-8").split("\n")
    speaker, checked = None, 0
    for line in raw:
        match = TURN.match(line.strip())
        if match:
            speaker, line = SPEAKER[match.group(1)], match.group(2)
        if speaker is None or len(line.split()) < 8 or line.startswith(("Emma Ashford is", "Matthew Kroenig is")):
            continue
        if any(normalize(line) in normalize(other) and len(other) > len(line) + 20 for other in raw):
            continue  # a pull quote: someone's words repeated inside another turn (tested below)
        if line.startswith("Join the Conversation") or "Foreign Policy subscription" in line:
            break
        owners = {p.author for p in passages if normalize(line[:80]) in normalize(p.text)}
        if owners:  # pull quotes were removed: their words live in the speaker's own turn
            assert owners == {speaker}, line[:80]
            checked += 1
    assert checked >= 40


def test_known_lines_of_the_debate(assistant):
    expected = {
        "Russia's campaign has stalled, but I don't see any evidence": KROENIG,  # pull quote inside an EA turn
        "What have you been watching most closely?": ASHFORD,  # carry-over paragraph
        "I think the West should and will, therefore, continue to try harder": KROENIG,
        "There are 100,000 U.S. troops on the ground in Europe right now": ASHFORD,
        "which is why the U.S. Army should remain in Europe": KROENIG,
        "setting up a ruble-rupee exchange mechanism to evade sanctions": ASHFORD,
        "It did not condemn Russia's invasion in the United Nations Security Council": KROENIG,
    }
    passages = passages_of(assistant, DEBATE)
    for line, speaker in expected.items():
        owners = {p.author for p in passages if quote_in(line, p.text)}
        assert owners == {speaker}, line


def test_no_passage_crosses_a_turn(assistant):
    for p in passages_of(assistant, DEBATE):
        assert not re.search(r"\n(EA|MK|Emma Ashford|Matthew Kroenig):", p.text), p.text[:80]
        assert p.author in {ASHFORD, KROENIG} or p.start < 300  # only the dek precedes the turns


def test_bios_are_found(assistant):
    credentials = {a.id: a.credentials for a in assistant.articles()}
    assert credentials["carnegie-negotiate-with-putin"]["James M. Acton"].startswith("Acton holds the")
    assert "fellow at Defense Priorities" in credentials["ni-us-russia-talks-must-continue"]["Daniel R. DePetris"]
    assert credentials["qi-beebe-direct-talks"]["George Beebe"].startswith("George is the Director")
    assert "Stimson Center" in credentials[DEBATE][ASHFORD]


def test_unknown_author_stays_unknown(assistant):
    article = assistant.article("js-risks-of-rushing-to-negotiations")
    assert article.authors == [] and article.author_label == "unknown author"
    assert {p.author for p in passages_of(assistant, article.id)} == {None}


def test_attribution_from_the_text_alone():
    """Without the metadata file, the text's own turns, name lines and bio lines decide."""
    debate, _ = prepare("000_a5591cf194c94613.txt", with_metadata=False)
    assert set(debate.speakers) == {ASHFORD, KROENIG}
    acton, passages = prepare("002_ff27677d5adae973.txt", with_metadata=False)
    assert acton.authors == ["James M. Acton"]
    assert {p.author for p in passages if p.kind != "quote"} == {"James M. Acton"}
    # the words he quotes are the quoted person's too, as passages of their own
    assert {p.author for p in passages if p.kind == "quote"} == {"Volodymyr Zelensky"}
    depetris, _ = prepare("001_da8c7eaf3d9932b6.txt", with_metadata=False)
    assert depetris.authors == ["Daniel R. DePetris"]
    beebe, passages = prepare("004_72efb81101d669e7.txt", with_metadata=False)
    assert beebe.authors == [] and {p.author for p in passages} == {None}  # "George" alone names no one
    unknown, _ = prepare("003_6a1fe5df6553ce66.txt", with_metadata=False)
    assert unknown.authors == []


# -- passages --------------------------------------------------------------------------------
def test_offsets_are_exact_and_passages_quote_sized(assistant):
    snap = assistant.retriever.snapshot()
    for p in snap.passages:
        assert snap.articles[p.article_id].text[p.start : p.end] == p.text
    words = [len(p.text.split()) for p in snap.passages]
    assert sum(words) / len(words) <= 150
    assert len({p.article_id for p in snap.passages}) == 5


# -- incremental index ------------------------------------------------------------------------
def test_incremental_index(tmp_path, corpus_copy):
    assistant = Assistant(make_settings(tmp_path / "data", corpus_copy))
    first = assistant.index()
    assert (first.added, first.articles, first.errors) == (5, 5, [])
    again = assistant.index()
    assert (again.added, again.updated, again.unchanged, again.removed) == (0, 0, 5, 0)
    assert again.chunks == first.chunks

    assistant.retriever.snapshot()  # the snapshot the next one grows from
    beebe = corpus_copy / "004_72efb81101d669e7.txt"
    beebe.write_text(beebe.read_text(encoding="utf-8") + "\n\nA new closing paragraph about grain.\n", encoding="utf-8")
    (corpus_copy / "001_da8c7eaf3d9932b6.txt").unlink()
    changed = assistant.index()
    assert (changed.added, changed.updated, changed.unchanged, changed.removed) == (0, 1, 3, 1)
    assert changed.articles == 4
    ids = {a.id for a in assistant.articles()}
    assert "ni-us-russia-talks-must-continue" not in ids
    assert any("closing paragraph about grain" in p.text for p in assistant.search("grain closing paragraph", k=3))
    visible = assistant.retriever.snapshot().passages
    assert changed.chunks == len(visible)  # no orphans of the replaced or removed article


def test_a_snapshot_after_a_change_reads_only_the_changed_articles(tmp_path, corpus_copy, monkeypatch):
    assistant = Assistant(make_settings(tmp_path / "data", corpus_copy))
    assistant.index()
    assistant.retriever.snapshot()
    beebe = corpus_copy / "004_72efb81101d669e7.txt"
    beebe.write_text(beebe.read_text(encoding="utf-8") + "\n\nA new closing paragraph about grain.\n", encoding="utf-8")
    (corpus_copy / "001_da8c7eaf3d9932b6.txt").unlink()
    assistant.index()
    read = []
    passages_of = assistant.store.passages_of
    monkeypatch.setattr(assistant.store, "all_passages", lambda live: pytest.fail("read every passage"))
    monkeypatch.setattr(assistant.store, "passages_of", lambda ids, live: read.append(ids) or passages_of(ids, live))
    grown = assistant.retriever.snapshot()
    assert read == [["qi-beebe-direct-talks"]]
    monkeypatch.undo()
    scratch = HybridRetriever(assistant.store, assistant.embedder).snapshot()
    assert {p.id: p for p in grown.passages} == {p.id: p for p in scratch.passages}
    tokens = tokenize(["grain closing paragraph sanctions"])[0]
    score = {s.passages[i].id: x for s in (grown,) for i, x in enumerate(s.bm25.get_scores(tokens))}
    assert score == pytest.approx({scratch.passages[i].id: x for i, x in enumerate(scratch.bm25.get_scores(tokens))})


# -- retrieval --------------------------------------------------------------------------------
def test_filters(assistant):
    by_kroenig = assistant.search("troops in Europe", k=5, author="Kroenig")
    assert by_kroenig and {p.author for p in by_kroenig} == {KROENIG}
    in_article = assistant.search("sanctions", k=5, article="carnegie-negotiate-with-putin")
    assert in_article and {p.article_id for p in in_article} == {"carnegie-negotiate-with-putin"}
    with pytest.raises(UsageError, match="unknown author"):
        assistant.search("sanctions", author="Nobody")
    with pytest.raises(UsageError, match="unknown article"):
        assistant.search("sanctions", article="no-such-article")


@pytest.mark.parametrize(("author", "article"), [("Kroenig", None), (None, "carnegie-negotiate-with-putin")])
def test_small_filtered_scopes_are_scored_exactly_as_the_index_would(assistant, monkeypatch, author, article):
    """A filtered search reads its scope's vectors by id and scores them in numpy (Chroma's
    filtered query scans metadata); it must rank exactly as Chroma's own filtered query."""
    from assistant.retrieval import hybrid as retrieval

    question = "What would an early peace deal lead to, and what about sanctions?"
    assistant.retriever.snapshot().scope_vectors.clear()  # earlier tests may have searched this scope
    fetched = []
    read = assistant.store.vectors_by_id
    monkeypatch.setattr(assistant.store, "vectors_by_id", lambda *args: fetched.append(args) or read(*args))
    exact = assistant.search_hits(question, k=6, author=author, article=article)
    assert fetched, "the exact path was not taken"
    fetched.clear()
    again = assistant.search_hits(question, k=6, author=author, article=article)
    assert not fetched and [h.passage.id for h in again] == [h.passage.id for h in exact]  # the scope is kept
    monkeypatch.setattr(retrieval, "EXACT_SCOPE", 0)
    by_chroma = assistant.search_hits(question, k=6, author=author, article=article)
    assert [h.passage.id for h in exact] == [h.passage.id for h in by_chroma]
    assert [h.dense for h in exact] == pytest.approx([h.dense for h in by_chroma], abs=1e-5)


def test_named_authors_steer_retrieval(assistant):
    both = assistant.search("Do Ashford and Kroenig agree about keeping U.S. troops in Europe?", k=4)
    assert {p.author for p in both} == {ASHFORD, KROENIG}
    compare = assistant.search("How do the authors differ on whether sanctions help end the war?", k=5)
    assert len({p.author or p.article_id for p in compare}) >= 3  # no single article crowds out the rest


def test_a_reported_proposal_is_searched_as_the_recommendation_it_asks_for(assistant):
    plan = assistant.plan("Whom does Acton suggest Biden send to negotiate with Russia?")
    assert plan.authors == [ACTON] and plan.text == "Whom should Biden send to negotiate with Russia?"
    # Only a clause is rewritten, never a preposition's object.
    assert assistant.plan("What did Acton suggest about sanctions?").text == "What did suggest about sanctions?"
    top = assistant.search("Whom does Acton suggest Biden send to negotiate with Russia?", k=1)[0]
    assert "Antony Blinken or CIA Director William Burns" in top.text


@pytest.mark.parametrize(
    ("question", "summary"),
    [
        ("What does Acton recommend?", True),  # no topic: the gist of his piece
        ("What is the main argument of the Just Security article?", True),
        ("Summarize Acton's argument on sanctions", True),
        ("What does Acton recommend on sanctions?", False),
        ("Who is George Beebe?", False),
        # Words in most passages ("United States", "war", "Ukraine") name no topic in this corpus...
        ("What does George Beebe propose the United States do?", True),
        ("What does Acton think about the war in Ukraine?", True),
        # ...rarer ones do.
        ("What does Kroenig want the European allies to do?", False),
        ("What does Kroenig think sanctions relief would do?", False),
        ("What does Acton think Washington should do about sanctions?", False),
    ],
)
def test_a_request_without_a_topic_asks_for_the_gist(assistant, question, summary):
    assert assistant.plan(question).summary is summary


def test_words_in_most_passages_are_the_corpus_common_words(assistant):
    common = assistant.retriever.snapshot().common_words
    assert {"russia", "ukrain", "war"} <= common  # stemmed, as BM25 sees them
    assert not {"sanction", "nato", "europ"} & common
    # In a handful of passages any repeated word would pass for common: none is taken.
    few = [p for p in assistant.retriever.snapshot().passages if p.kind == "body"][:10]
    assert Snapshot("few", [], few).common_words == frozenset()


def test_a_summary_search_starts_with_the_thesis_its_title_states(assistant):
    # Acton's headline: "To Support Zelensky, the United States Needs to Negotiate With Putin".
    top = assistant.search("Summarize James Acton's argument.", k=1)[0]
    assert "should support Zelensky in any diplomatic course he pursues" in top.text


# -- answers ---------------------------------------------------------------------------------
def test_kroenig_answer_cites_his_own_words(assistant):
    answer = assistant.ask("What does Matthew Kroenig think an early peace deal would lead to?")
    assert answer.grounded and answer.mode == "extractive"
    first = answer.citations[0]
    assert first.passage.author == KROENIG
    assert quote_in(first.quote, assistant.article(DEBATE).text)
    assert "worst possible outcome" in " ".join(c.quote for c in answer.citations)
    assert "[1]" in answer.answer and KROENIG in answer.answer
    for citation in answer.citations:
        assert len(citation.quote) < len(citation.passage.text) or len(citation.passage.text.split()) < 40


@pytest.mark.parametrize(
    "question",
    ["What do the articles say about the Paris climate agreement?", "What was Brazil's GDP growth rate in 2021?"],
)
def test_unanswerable_questions_are_not_grounded(assistant, question):
    answer = assistant.ask(question)
    assert not answer.grounded and answer.citations == []
    assert "does not address" in answer.answer


def test_answerable_questions_are_grounded(assistant):
    for line in (Path(__file__).parent.parent / "eval" / "dev.jsonl").read_text().splitlines():
        item = json.loads(line)
        answer = assistant.ask(item["question"])
        assert answer.grounded == bool(item["gold"]), item["id"]


def test_citation_check_rejects_a_fabricated_quote(assistant):
    passage = passages_of(assistant, DEBATE)[5]
    text = assistant.article(DEBATE).text
    assert make_citation(1, "Putin is a misunderstood peacemaker.", passage, text) is None
    real = passage.text.split(". ")[0]
    good = make_citation(2, real.replace("'", "\u2019"), passage, text)  # typography does not matter
    assert good is not None
    fake = Citation(n=3, quote="Ashford says Kroenig is right about everything.", passage=passage)
    kept, dropped = verify_citations([good, fake], {DEBATE: text})
    assert kept == [good] and dropped == [fake]


# -- the command line ----------------------------------------------------------------------------
def run_cli(data: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "ASSISTANT_DATA": str(data), "ASSISTANT_CORPUS": str(CORPUS)}
    for key in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "CHROMA_HOST"):
        env.pop(key, None)
    command = [sys.executable, "-m", "assistant.cli", *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)


def test_cli_json_contract(fresh_data):
    ask = run_cli(fresh_data, "ask", "What does Matthew Kroenig think an early peace deal would lead to?", "--json")
    assert ask.returncode == 0, ask.stderr
    answer = json.loads(ask.stdout)
    assert {"question", "answer", "citations", "grounded", "mode", "notices"} <= answer.keys()
    assert answer["citations"][0]["passage"]["author"] == KROENIG

    search = json.loads(run_cli(fresh_data, "search", "sanctions relief", "-k", "3", "--json").stdout)
    assert search["query"] == "sanctions relief" and len(search["passages"]) == 3
    assert {"id", "article_id", "author", "authors", "text", "start", "end", "score"} <= search["passages"][0].keys()

    articles = json.loads(run_cli(fresh_data, "articles", "--json").stdout)["articles"]
    assert len(articles) == 5 and all("text" not in a for a in articles)

    report = json.loads(run_cli(fresh_data, "index", "--json").stdout)
    assert report | {"errors": []} == report and report["unchanged"] == 5
    assert {"articles", "chunks", "added", "updated", "unchanged", "removed", "errors"} <= report.keys()


def test_cli_references_name_titles_never_ids(fresh_data):
    """Beebe's piece has no title in its text or metadata: it is "untitled", not its id in quotes."""
    ask = run_cli(fresh_data, "ask", "What does George Beebe propose the United States do?")
    assert ask.returncode == 0, ask.stderr
    references = ask.stdout.split("References:")[1].strip().splitlines()
    assert references[0].startswith("[1] George Beebe, untitled, Quincy Institute")
    assert references[0].endswith("of qi-beebe-direct-talks)")  # the id stays, as the offsets' article
    assert '"qi-beebe-direct-talks"' not in ask.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["ask", "  "], "empty question"),
        (["search", "x", "--article", "nope"], "unknown article id 'nope'"),
        (["index", "/no/such/path"], "no such file or directory"),
        (["ask"], "Missing argument"),
    ],
)
def test_cli_bad_input_exits_2_with_one_line(fresh_data, args, message):
    result = run_cli(fresh_data, *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_offline_follow_up_borrows_the_previous_topic(assistant):
    history = [
        {"role": "user", "content": "What does Emma Ashford think about a negotiated settlement?"},
        {"role": "assistant", "content": "..."},
    ]
    answer = assistant.ask("And what does Kroenig say?", history)
    assert answer.grounded and answer.question == "And what does Kroenig say?"
    assert {c.passage.author for c in answer.citations} == {KROENIG}
    assert any(n.startswith("Follow-up read as") for n in answer.notices)
    earlier = [("What does Emma Ashford think about a negotiated settlement?", "...")]
    pronoun = assistant.ask("Why does she think so?", earlier)
    assert {c.passage.author for c in pronoun.citations} == {ASHFORD}
    alone = assistant.ask("What concessions did Moscow demand from the West in January 2022?", history)
    assert not any(n.startswith("Follow-up read as") for n in alone.notices)


def test_extractive_answers_cite_only_passages_close_to_the_best(assistant):
    from assistant.compose.extractive import RELEVANCE_MARGIN, close_to_best

    hits = assistant.search_hits("What does Matthew Kroenig think an early peace deal would lead to?", k=5)
    kept = close_to_best(hits)
    best = max(h.dense for h in hits)
    assert kept and max(h.dense for h in kept) == best
    assert all(h.dense >= best - RELEVANCE_MARGIN for h in kept) and len(kept) < len(hits)
