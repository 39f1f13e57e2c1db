"""Cleaning never loses prose (issue 12, points 2 and 3): hard-wrapped text is unwrapped
before any rule runs, every dropped line is recorded with its reason, the known furniture
of the seed corpus still goes, and the title is the article's own headline.

All on the real files, read by the real readers and run through the real pipeline."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import CORPUS, ROOT, make_settings

from assistant import Assistant
from assistant.citations import normalize
from index.builder import SKIPPED_NAMES
from index.cleaning import clean
from index.metadata import METADATA_FILE, load_metadata
from index.pipeline import content_hash, prepare_article
from index.readers import SUPPORTED_SUFFIXES, read_file

GENERAL = ROOT / "eval" / "corpus-general"
CAPTION = {"caption", "photo credit"}

# Known furniture, per file: (how the line starts, lines in the read text that start so,
# copies that belong to the body, the reasons it may be dropped for). A repeated paragraph
# keeps one copy in the body; a pull quote's words stay in the paragraph it was lifted from.
FURNITURE: dict[str, list[tuple[str, int, int, set[str]]]] = {
    "000_a5591cf194c94613.txt": [
        ("It's Debatable", 2, 0, {"header", "repeated paragraph"}),
        ("Intervention or Restraint? A Washington debate", 1, 0, {"header"}),
        ("Would a Peace Deal Between Russia and Ukraine Do More Harm Than Good?", 1, 0, {"title"}),
        ("By , a columnist at Foreign Policy", 1, 0, {"byline"}),
        ("French deputies and senators applaud", 3, 0, CAPTION),
        ("Matthew Kroenig: Hi, Emma! Spring has finally arrived", 2, 1, {"repeated paragraph"}),
        ("Russia’s campaign has stalled, but I don’t see any evidence", 1, 0, {"pull quote"}),
        ("Biden must make the case that even as the United States is bolstering NATO", 1, 0, {"pull quote"}),
        ("If Ukraine can hold its own against a poorly prepared Russian military", 1, 0, {"pull quote"}),
        ("If Narendra Modi wants the free world to rally to his side", 1, 0, {"pull quote"}),
        ("Join the Conversation", 3, 0, {"comment prompt"}),
        ("Commenting on this and other recent articles", 1, 0, {"comment prompt"}),
        ("Already a subscriber", 1, 0, {"comment prompt"}),
        ("Join the conversation on this and other recent Foreign Policy articles", 1, 0, {"comment prompt"}),
        ("Not your account", 1, 0, {"comment prompt"}),
        ("Please follow our comment guidelines", 1, 0, {"comment prompt"}),
        ("You are commenting as", 1, 0, {"comment prompt"}),
        # The "More from" list: other articles' headlines, their deks and their photo captions.
        ("More from Foreign Policy", 1, 0, {"promo list"}),
        ("Residents evacuated from Shebekino", 2, 0, {"promo list"}),
        ("Russians Are Unraveling Before Our Eyes", 1, 0, {"promo list"}),
        ("A wave of fresh humiliations", 1, 0, {"promo list"}),
        ("Chinese President Xi Jinping (R) and Brazilian President", 2, 0, {"promo list"}),
        ("A BRICS Currency Could Shake the Dollar", 1, 0, {"promo list"}),
        ("De-dollarization’s moment", 1, 0, {"promo list"}),
        ("Keri Russell as Kate Wyler", 2, 0, {"promo list"}),
        ("Is Netflix’s ‘The Diplomat’ Factual or Farcical?", 1, 0, {"promo list"}),
        ("A former U.S. ambassador, an Iran expert", 1, 0, {"promo list"}),
        ("An illustration shows the faces of Chinese President", 2, 0, {"promo list"}),
        ("The Battle for Eurasia", 1, 0, {"promo list"}),
        ("China, Russia, and their autocratic friends", 1, 0, {"promo list"}),
    ],
    "001_da8c7eaf3d9932b6.txt": [
        ("U.S.-Russia Talks Must Continue", 2, 0, {"title", "repeated paragraph"}),
        ("Image: Reuters.", 1, 0, {"caption"}),
    ],
    "002_ff27677d5adae973.txt": [("More >", 1, 0, {"comment prompt"})],
    "003_6a1fe5df6553ce66.txt": [
        ("Ця стаття також доступна українською", 1, 0, {"language notice"}),
        ("IMAGE: Hanna, a retired local teacher", 1, 0, CAPTION),
    ],
    "004_72efb81101d669e7.txt": [],
    "nyt-v-sullivan-oral-argument-1964.pdf": [("Official transcript, No. 39", 8, 0, {"page furniture"})],
}


def _words(text: str) -> int:
    return len(re.findall(r"\w+", text))


def _article_files() -> list[Path]:
    seed = sorted(p for p in CORPUS.iterdir() if p.suffix.lower() in SUPPORTED_SUFFIXES and p.name not in SKIPPED_NAMES)
    general = sorted(
        p for p in GENERAL.iterdir() if p.suffix.lower() in SUPPORTED_SUFFIXES and p.name not in SKIPPED_NAMES
    )
    return seed + general


def _prepare(path: Path):
    meta = load_metadata(path.parent).get(path.name)
    return prepare_article(path, meta, content_hash(path.read_bytes(), meta))


@pytest.mark.parametrize("path", _article_files(), ids=lambda p: p.name)
def test_prose_survives_and_every_dropped_word_is_recorded(path: Path):
    """Body words are the words of the text the reader returns minus the lines of known
    furniture listed above (keeping one copy of a repeated paragraph); at least 98% of them
    are in the article's cleaned text. Every word of the read text is either kept or in a
    `dropped` record, so nothing disappears unreported."""
    raw = read_file(path)
    article, passages = _prepare(path)
    lines = [line.strip() for line in raw.split("\n")]
    furniture_words = 0
    for start, count, body_copies, _ in FURNITURE.get(path.name, []):
        matching = [line for line in lines if line.startswith(start)]
        assert len(matching) == count, start  # the listed furniture is really in the file
        furniture_words += sum(_words(line) for line in matching[body_copies:])
    body = _words(raw) - furniture_words
    kept = _words(article.text)
    assert kept >= 0.98 * body, f"{path.name}: {kept} of {body} body words kept"
    assert kept + sum(_words(d.text) for d in article.dropped) == _words(raw)
    assert article.words_kept == len(article.text.split())
    assert article.words_dropped == sum(len(d.text.split()) for d in article.dropped)
    assert all(p.text == article.text[p.start : p.end] for p in passages)


@pytest.mark.parametrize("name", [n for n in FURNITURE if FURNITURE[n]])
def test_known_furniture_goes_with_its_reason(name: str):
    path = CORPUS / name if (CORPUS / name).exists() else GENERAL / name
    article, _ = _prepare(path)
    text = normalize(article.text)
    for start, count, body_copies, reasons in FURNITURE[name]:
        records = [d for d in article.dropped if d.text.strip().startswith(start)]
        assert len(records) == count - body_copies, start
        assert {d.reason for d in records} <= reasons, (start, {d.reason for d in records})
        if "pull quote" in reasons or body_copies:
            assert text.count(normalize(start)) == 1, start  # the words live on, once
        else:
            assert normalize(start) not in text, start


def test_a_page_footer_inside_a_paragraph_is_dropped_and_the_paragraph_joined():
    """The PDF's footer falls mid-sentence on some pages: the sentence reads on across it."""
    path = GENERAL / "nyt-v-sullivan-oral-argument-1964.pdf"
    lines = read_file(path).split("\n")
    article, _ = _prepare(path)
    paragraphs = article.text.split("\n\n")
    joined = 0
    for i, line in enumerate(lines):
        if not line.startswith("Official transcript"):
            continue
        following = next((x for x in lines[i + 1 :] if x.strip()), "")
        if following[:1].islower():  # the sentence goes on on the next page
            across = " ".join(lines[i - 1].split()) + " " + " ".join(following.split())
            assert any(across in p for p in paragraphs), across
            joined += 1
    assert joined >= 2
    assert "Official transcript" not in article.text


# A Gutenberg-style essay, wrapped at 70 characters by hand so that each trap sits on a line.
ESSAY = [
    [
        "It is said that the state must provide for every need of the citizen,",
        "and that a people which asks nothing of itself is the happiest of all.",
        "I hold the opposite view: that a free people governs itself first,",
        "and liberty is the habit of a people, not a law",  # inside the conclusion too
        "notwithstanding what the statute books may say. I shall try to show",
        "why in what follows.",
    ],
    [
        "It is said that the state must provide for every need of the citizen,",  # repeats a line
        "but the history of every free nation shows that its liberties were",
        "kept by the exertions of private men, by their associations and their",
        "newspapers, long before any statute secured them.",
    ],
    [
        "Consider the township, the parish and the guild. None of these waited",
        "for permission. Each raised its own funds, chose its own officers and",
        "answered to its own members, and so taught every member to ask much",
        "more from himself than from the state.",  # reads like a "More from ..." promo heading
    ],
    [
        "In conclusion, then, public virtue is not a gift of government but its",
        "precondition. Yes, and liberty is the habit of a people, not a law.",
        "Where the habit is lost, the law soon follows it, and no constitution,",
        "however wisely drawn, will long outlive the citizens who have ceased",
        "to practise what it promises.",
    ],
]


def test_a_hard_wrapped_essay_keeps_every_paragraph(tmp_path: Path):
    """The held-out failure, rebuilt: read line by line, one wrapped line passes for a pull
    quote (it recurs inside a line of the conclusion), one for a repeated paragraph (two
    paragraphs open with the same line) and one for a "More from" promo heading (which
    used to drop everything after it, the conclusion included). Unwrapped first, every
    paragraph survives whole."""
    assert all(len(line) <= 70 for block in ESSAY for line in block)
    path = tmp_path / "on-public-virtue.txt"
    path.write_text("ON PUBLIC VIRTUE\n\n" + "\n\n".join("\n".join(b) for b in ESSAY) + "\n", encoding="utf-8")

    article, passages = prepare_article(path, None, content_hash(path.read_bytes(), None))
    assert article.text.split("\n\n") == [" ".join(block) for block in ESSAY]
    assert article.title == "ON PUBLIC VIRTUE"
    assert [(d.text, d.reason) for d in article.dropped] == [("ON PUBLIC VIRTUE", "title")]
    assert all(p.text == article.text[p.start : p.end] for p in passages)
    assert passages[-1].text.endswith("citizens who have ceased to practise what it promises.")


def test_a_line_end_hyphen_is_kept_as_written(tmp_path: Path):
    path = GENERAL / "common-sense-1776.txt"
    assert "a union with Great-\nBritain" in read_file(path)
    article, _ = _prepare(path)
    assert "a union with Great-Britain" in article.text


def test_a_typesetters_line_end_hyphen_inside_a_word_goes(tmp_path: Path):
    """Justified text breaks words at line ends ("cab-" / "inet"): joined, the word is the one the
    text means when a dictionary or the text itself writes it whole; a compound keeps its hyphen."""
    lines = ["Start with the money, because that is where the council starts and",
             "where its case is weakest. The paper argues that the quay costs the",
             "council money every single year, that a sale would end it. The cab-",
             "inet has the sums the wrong way round, because the quay and the sea-",
             "wall beyond it and the ice plant are worth far more to the town than",
             "the marina developer will ever pay for them, whatever the paper says.", "",
             "Then turn to the people who would lose their work if the harbour",
             "closed for good next spring, the skippers and the processors and the",
             "chandlery, none of whom the cabinet paper even mentions at all."]
    path = tmp_path / "quay.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    article, _ = prepare_article(path, None, "0" * 64)
    assert "The cabinet has the sums" in article.text and "the sea-wall beyond it" in article.text


# -- the title is the article's own headline -------------------------------------------------------
def _prepare_without_metadata(path: Path):
    return prepare_article(path, None, content_hash(path.read_bytes(), None))


def test_titles_without_metadata_are_the_headlines(tmp_path: Path):
    """The seed corpus copied without articles.toml: the debate's headline, not its column
    name "It's Debatable"; files whose text carries no headline stay untitled rather than
    taking a sentence or a name line."""
    folder = tmp_path / "corpus"
    shutil.copytree(CORPUS, folder)
    (folder / METADATA_FILE).unlink()
    titles = {p.name: _prepare_without_metadata(p)[0].title for p in sorted(folder.glob("*.txt"))}
    assert titles == {
        "000_a5591cf194c94613.txt": "Would a Peace Deal Between Russia and Ukraine Do More Harm Than Good?",
        "001_da8c7eaf3d9932b6.txt": "U.S.-Russia Talks Must Continue",
        "002_ff27677d5adae973.txt": "",
        "003_6a1fe5df6553ce66.txt": "",
        "004_72efb81101d669e7.txt": "",
    }
    debate, _ = _prepare_without_metadata(folder / "000_a5591cf194c94613.txt")
    assert "It's Debatable" not in debate.text


def test_a_title_field_gives_the_title_and_is_not_body_text():
    mill, _ = _prepare_without_metadata(GENERAL / "mill-on-liberty-ch4.txt")
    assert mill.title == "On Liberty"
    assert "Title:" not in mill.text
    assert mill.text.startswith("Author: John Stuart Mill")  # the other fields are left for attribution
    common_sense, _ = _prepare_without_metadata(GENERAL / "common-sense-1776.txt")
    assert common_sense.title == "COMMON SENSE"


def test_navigation_and_another_articles_headline_are_not_the_title(tmp_path: Path):
    body = [
        "Public libraries lend more than books. In most towns the library is the last public "
        "room where anyone may sit for a day without buying anything, and that is its case.",
        "Critics call libraries a relic of the print age. Yet visits to public libraries rose "
        "last year, and the busiest branches are those that lend laptops and teach reading.",
    ]
    page = [
        "Home | Sports | Weather | Travel",
        "Celebrity Chef Opens Third Restaurant in Paris",
        "The Case for Public Libraries",
        "By Jane Doe",
        *body,
    ]
    path = tmp_path / "page.txt"
    path.write_text("\n\n".join(page), encoding="utf-8")
    article, _ = _prepare_without_metadata(path)
    assert article.title == "The Case for Public Libraries"
    assert article.text == "\n\n".join(body)
    assert {(d.text, d.reason) for d in article.dropped} >= {
        ("Home | Sports | Weather | Travel", "header"),
        ("Celebrity Chef Opens Third Restaurant in Paris", "header"),
    }


# -- the reports carry it --------------------------------------------------------------------------
def test_index_report_and_articles_carry_words_and_dropped_lines(tmp_path: Path):
    """Through the real index (Chroma on disk): `index` reports words kept and dropped per
    article, and the stored article carries its dropped lines with their reasons."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name in ("001_da8c7eaf3d9932b6.txt", "002_ff27677d5adae973.txt"):
        shutil.copy(CORPUS / name, folder / name)
    shutil.copy(GENERAL / "letter-to-the-attorney-general-1792.txt", folder)
    assistant = Assistant(make_settings(tmp_path / "data", corpus=folder))
    report = assistant.index().model_dump()
    rows = {Path(r["path"]).name: r for r in report["retention"]}
    assert set(rows) == {p.name for p in folder.iterdir()}
    letter = rows["letter-to-the-attorney-general-1792.txt"]
    assert letter["words_kept"] > 1000 and letter["words_dropped"] == 3  # its title line only
    stored = {Path(a.source).name: a for a in assistant.articles()}
    assert [(d.text, d.reason) for d in stored["001_da8c7eaf3d9932b6.txt"].dropped] == [
        ("Image: Reuters.", "caption"),
        ("U.S.-Russia Talks Must Continue", "repeated paragraph"),
        ("U.S.-Russia Talks Must Continue", "title"),
    ]
    assert "dropped" in stored["002_ff27677d5adae973.txt"].without_text()


def test_lines_differing_in_more_than_a_page_number_are_no_running_header():
    """A forum's post headings repeat a shape with several numbers changing (post number, date): they
    are the posts' headings, kept; a footer whose page number alone changes goes."""
    posts = ["Should the county allow solar on prime farmland?", ""]
    for n, day in ((1, 12), (3, 14), (6, 17)):
        posts += [f"Post #{n} — @grainfarmer_jo (Jo Brandt), {day} May 2024", "",
                  f"Prime farmland is finite, and post {n} says so at length for the whole county to read.", "",
                  f"Annual report of the county forum, page {n + 1}", ""]
    cleaned = clean("\n".join(posts))
    assert sum("Jo Brandt" in p for p in cleaned.paragraphs) == 3
    assert {d.reason for d in cleaned.dropped if "Annual report" in d.text} == {"page furniture"}


def test_a_running_header_beside_the_page_number_goes_and_the_paragraph_it_cut_is_whole_again():
    """The tribunal decision's pages each open with the same case name and date over "Page n of 3":
    the whole header goes, as page furniture, and the paragraph running over a page break reads on
    without it. The case name in the decision's own text stays."""
    path = ROOT / "eval" / "corpus-conventions-7" / "kestrel_point_tribunal_KPT-2024-031.pdf"
    cleaned = clean(read_file(path))
    dropped = [(d.text, d.reason) for d in cleaned.dropped]
    assert dropped.count(("Decision promulgated 14 March 2025", "page furniture")) == 3
    assert dropped.count(("Harbourline Holiday Lets Ltd v Kestrel Point BC | Appeal No. KPT/2024/031",
                          "page furniture")) == 3
    assert any("applying a bedroom threshold as a night limit." in p for p in cleaned.paragraphs)
    assert "HARBOURLINE HOLIDAY LETS LIMITED" in cleaned.paragraphs and "promulgated" not in cleaned.text


def test_a_line_beside_a_lone_quote_mark_is_no_doubled_caption():
    """An email reply quotes the message it answers line by line ("> text", then a lone ">"); a
    neighbour of a few characters is no copy of the line, which stays (it was dropped as a caption)."""
    quoted = "> On baches: the 90-night cap only applies to nights let, not to nights the owners use."
    cleaned = clean(f"Re: the rental cap\n\nBy Tobias Ferreira\n\n{'Thanks, all fair points. ' * 5}\n\n{quoted}\n>\n"
                    "> [remainder of quoted message trimmed]")
    assert any("the 90-night cap only applies to nights let" in p for p in cleaned.paragraphs)
    assert not [d for d in cleaned.dropped if d.reason == "caption"]


def test_a_text_all_in_capitals_is_read(tmp_path):
    """A closed-caption transcript is in capitals from first line to last: every line reads as a
    heading, no column is left to measure a wrap width on, and the text must still be read (it
    crashed the indexing of the file)."""
    lines = ["MARLOW UNIFIED SCHOOL DISTRICT", "CLOSED CAPTION TRANSCRIPT - ITEM 7", ""]
    lines += [f">> {text}" for text in (
        "WE'RE MOVING TO ITEM 7, THE PROPOSED PHONE-FREE SCHOOL DAY POLICY. THE BOARD WILL NOT VOTE TONIGHT.",
        "THANK YOU. THE POUCHES COST ABOUT THIRTY-EIGHT DOLLARS EACH, SO ROUGHLY SEVENTY-ONE THOUSAND DOLLARS.",
        "GOOD EVENING. I HAVE A SEVENTH GRADER AT HARBORVIEW MIDDLE AND I'M HERE TO SUPPORT THIS PROPOSAL.",
        "MY DAUGHTER GETS AROUND TWO HUNDRED NOTIFICATIONS A DAY AND A LOT OF THEM ARRIVE DURING MATH CLASS.",
        "MOST OF US AGREE PHONES SHOULDN'T BE OUT IN CLASS, AND TEACHERS ALREADY HAVE THE POWER TO TAKE THEM.",
        "BUT LOCKING THEM AWAY AT LUNCH TOO TREATS SIXTEEN AND SEVENTEEN YEAR OLDS LIKE SMALL CHILDREN.",
        "I SPEND THE FIRST TEN MINUTES OF EVERY CLASS NEGOTIATING ABOUT PHONES WITH STUDENTS WHO KNOW THE RULES.",
        "IF THAT PHONE HAD BEEN LOCKED IN A POUCH, I WOULD HAVE SPENT THE AFTERNOON NOT KNOWING WHERE SHE WAS.")]
    path = tmp_path / "captions.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    article, passages = prepare_article(path, None, "0" * 64)
    assert "NOT KNOWING WHERE SHE WAS" in article.text and "TWO HUNDRED NOTIFICATIONS" in article.text
