"""Readers and the file's own metadata: docx, HTML, Markdown front matter, PDF info, and the
precedence articles.toml > file metadata > text. Real files on disk, the real index."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import zipfile
from pathlib import Path

import docx
import pytest
from conftest import ROOT, make_settings
from pypdf import PdfReader, PdfWriter

from assistant import Assistant
from assistant.library import check_upload
from index.metadata import ArticleMeta, save_metadata
from index.people import is_institution, split_people
from index.pipeline import prepare_article
from index.readers import ReadError, read_document

GENERAL = ROOT / "eval" / "corpus-general"
LONG = " ".join(["The council should publish its budget before the vote, and every member should read it."] * 6)


def _prepare(path: Path, meta: ArticleMeta | None = None):
    return prepare_article(path, meta, "0" * 64)


def _docx(path: Path, *, title: str = "", author: str = "", paragraphs: list[str] | None = None) -> Path:
    document = docx.Document()
    for text in paragraphs or ["A Budget Nobody Read", LONG, LONG.replace("council", "board")]:
        document.add_paragraph(text)
    document.core_properties.title = title
    document.core_properties.author = author
    document.core_properties.created = dt.datetime(2024, 3, 5, 9, 30)
    document.save(path)
    return path


# -- the real files of corpus-general, indexed with no articles.toml -----------------------------
@pytest.fixture(scope="module")
def general_index(tmp_path_factory) -> tuple[Assistant, dict]:
    corpus = tmp_path_factory.mktemp("general")
    for path in GENERAL.iterdir():
        if path.name != "README.md":
            shutil.copy(path, corpus / path.name)
    assistant = Assistant(make_settings(tmp_path_factory.mktemp("data"), corpus))
    report = assistant.index()
    return assistant, report


def test_all_seven_general_files_are_indexed(general_index):
    _, report = general_index
    assert report.errors == [] and report.added == 7


def _by_source(assistant: Assistant, name: str):
    return next(a for a in assistant.articles() if Path(a.source).name == name)


def test_general_titles_and_authors_come_from_the_files_metadata(general_index):
    assistant, _ = general_index
    pdf = _by_source(assistant, "nyt-v-sullivan-oral-argument-1964.pdf")
    assert pdf.title == "New York Times Co. v. Sullivan, No. 39: Oral Argument, January 6, 1964 (excerpt)"
    assert pdf.outlet == "Supreme Court of the United States"
    assert "Supreme Court of the United States" not in pdf.authors
    debate = _by_source(assistant, "lincoln-douglas-ottawa-1858.docx")
    assert debate.title.startswith("The Lincoln-Douglas Debates: First Joint Debate")
    assert debate.authors == ["Stephen A. Douglas", "Abraham Lincoln"]
    assert debate.date == ""  # python-docx's template stamp is not the article's date
    briefing = _by_source(assistant, "press-briefing-2021-12-20.md")
    assert briefing.title == "Press Briefing by Press Secretary Jen Psaki, December 20, 2021"
    assert briefing.outlet == "The White House, Office of the Press Secretary"
    # The office is the outlet; the person is the speaker the turns and the title name.
    assert briefing.authors == ["Jen Psaki"] and briefing.date == "2021-12-20"
    assert briefing.url.startswith("https://bidenwhitehouse.archives.gov/briefing-room/")
    assert not briefing.text.startswith(("---", "title:")) and "\n# " not in briefing.text
    page = _by_source(assistant, "forester-letter-to-cato-1776.html")
    assert page.title == "To Cato: The Forester's First Letter (1776)"
    assert page.outlet == "Revolutionary Pamphlets Archive" and page.date == "1776-04-03"
    assert all(not a.title.startswith("#") for a in assistant.articles())


@pytest.mark.parametrize("name", ["press-briefing-2021-12-20.md", "nyt-v-sullivan-oral-argument-1964.pdf"])
def test_an_institution_is_never_a_passages_author(name):
    article, passages = _prepare(GENERAL / name)
    assert not any(is_institution(a) for a in article.authors + article.speakers)
    assert not any(p.author and is_institution(p.author) for p in passages)


# -- each format, on small files written here ------------------------------------------------------
def test_docx_text_and_core_properties(tmp_path):
    path = _docx(tmp_path / "budget.docx", title="A Budget Nobody Read", author="Jane Roe and John Doe")
    result = read_document(path)
    assert result.text.split("\n\n") == ["A Budget Nobody Read", LONG, LONG.replace("council", "board")]
    assert result.meta.title == "A Budget Nobody Read"
    assert result.meta.authors == ["Jane Roe", "John Doe"] and result.meta.date == "2024-03-05"
    article, passages = _prepare(path)
    assert article.title == "A Budget Nobody Read" and article.authors == ["Jane Roe", "John Doe"]
    assert all(article.text[p.start : p.end] == p.text for p in passages)


def test_docx_tables_keep_their_text(tmp_path):
    document = docx.Document()
    document.add_paragraph(LONG)
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Revenue rose", "Spending fell"
    document.save(tmp_path / "t.docx")
    assert "Revenue rose | Spending fell" in read_document(tmp_path / "t.docx").text


def test_a_docx_speaker_in_bold_opens_a_turn(tmp_path):
    """A debate write-up's speakers in bold at the start of their paragraphs, with or without a dash:
    each turn is theirs; bold that names no one ("5.9 RESOLVED:") stays text; a forum as the file's
    author is its outlet."""
    document = docx.Document()
    document.core_properties.author = "Porthallow Civic Forum"
    document.add_paragraph("Should Porthallow charge an overnight visitor levy?")
    turns = [("Gwen Treloar", " \u2013 Good evening, and thank you for braving the weather tonight."),
             ("Rhiannon Tate", " Thank you, Gwen. Forty thousand people sleep here in August."),
             ("Yusuf Adeyemi", " \u2013 The front is filthy in August, but a levy is the wrong tool."),
             ("Audience member:", " Would the levy be charged per pitch or per person?"),
             ("Rhiannon Tate", " Per pitch, and children would not be counted at all."),
             ("5.9 RESOLVED:", " That the levy be put to a public consultation in the spring.")]
    for bold, rest in turns:
        paragraph = document.add_paragraph()
        paragraph.add_run(bold).bold = True
        paragraph.add_run(rest)
    document.save(tmp_path / "debate.docx")
    result = read_document(tmp_path / "debate.docx")
    assert result.meta.authors is None and result.meta.outlet == "Porthallow Civic Forum"
    assert "**Rhiannon Tate** Thank you, Gwen." in result.text and "\n5.9 RESOLVED: That the levy" in result.text
    _, passages = prepare_article(tmp_path / "debate.docx", None, "0" * 64)
    said = {p.text: p.author for p in passages}
    assert said["Thank you, Gwen. Forty thousand people sleep here in August."] == "Rhiannon Tate"
    assert said["The front is filthy in August, but a levy is the wrong tool."] == "Yusuf Adeyemi"
    assert said["Would the levy be charged per pitch or per person?"] == "Audience member"


def test_a_docx_byline_outranks_the_typists_name_in_its_properties(tmp_path):
    """Word stamps whoever typed the file as its "Author" and its file name as its title. A byline in
    the text naming others, and a property naming someone the text never mentions: the byline wins,
    and so does the headline over a title that is only the file name. The writers' bio line, with a
    title before the name, is theirs."""
    path = _docx(tmp_path / "OpEd_school_merger_FINAL_v3.docx", title="OpEd school merger FINAL v3",
                 author="Pam Whitcombe", paragraphs=[
                     "It is time to merge the two school districts", "By Dr. Lucia Ferrante and Marcus Obiora",
                     LONG, LONG.replace("council", "board"),
                     "Dr. Lucia Ferrante was superintendent of the Alder Creek School District from 2013 to 2022 "
                     "and is now a senior fellow at the Valley Policy Institute."])
    article, passages = _prepare(path)
    assert article.authors == ["Lucia Ferrante", "Marcus Obiora"]
    assert article.title == "It is time to merge the two school districts"
    assert passages[-1].author == "Lucia Ferrante" and passages[-1].text.startswith("Dr. Lucia Ferrante was")
    # The same property on a text that names its typist, or has no byline, stays the author.
    path = _docx(tmp_path / "memo.docx", author="Pam Whitcombe", paragraphs=["Budget memo", LONG])
    assert _prepare(path)[0].authors == ["Pam Whitcombe"]


def test_a_pages_comments_are_read_and_each_is_its_commenters(tmp_path):
    """trafilatura keeps a page's main text; its comments, most of a forum thread, come back under
    their header lines (the commenter as the page prints them), each comment its writer's words,
    replies in page order; the story above them stays its byline's."""
    def comment(who: str, meta: str, text: str, replies: str = "") -> str:
        return (f'<div class="comment"><span class="meta"><a class="author">{who}</a> {meta}</span>'
                f"<p>{text}</p>{replies}</div>")

    page = ("<html><head><title>Fluoride in the water?</title></head><body><article><h1>Fluoride in the water?</h1>"
            f'<p class="byline">By Jane Roe</p><p>{LONG}</p></article><div class="comments">'
            + comment("u/molar_bear_dds", "\u00b7 412 points \u00b7 2 days ago",
                      "Fluoridation is the one measure that reaches every child without anyone having to book.",
                      comment("u/greywater_gill", "\u00b7 188 points \u00b7 2 days ago",
                              "It also reaches every adult without anyone having to agree to it."))
            + comment("Deb Sorensen", "(@debsor) March 4, 2025 at 7:03 p.m.",
                      "A park plus a solar lease beats selling it to a developer for another 300 houses.")
            + "</div></body></html>")
    path = tmp_path / "thread.html"
    path.write_text(page, encoding="utf-8")
    article, passages = _prepare(path)
    said = {p.text.split("\n")[-1]: p.author for p in passages}
    assert said["Fluoridation is the one measure that reaches every child without anyone having to book."] \
        == "molar_bear_dds"
    assert said["It also reaches every adult without anyone having to agree to it."] == "greywater_gill"
    assert said["A park plus a solar lease beats selling it to a developer for another 300 houses."] == "Deb Sorensen"
    assert {p.author for p in passages if LONG[:40] in p.text} == {"Jane Roe"}


def test_a_docx_table_of_prose_is_read_by_column_and_each_column_is_its_writers(tmp_path):
    """A debate card: a two-column table, "FOR: name" and "AGAINST: name" over a role line and the
    case. Its cells hold prose, so it is read column by column (a table of data stays row by row), and
    each column is its writer's."""
    document = docx.Document()
    document.add_paragraph("Should the council move its staff to a four-day week?")
    document.add_paragraph("Next month the cabinet will consider a twelve-month trial of a four-day week for its "
                           "office staff. We asked two residents who have followed the debate to make their case.")
    table = document.add_table(rows=3, cols=2)
    cells = [("FOR: Priya Annesley", "AGAINST: Duncan Fairweather"),
             ("Branch secretary, Kelbrook branch of the Public Services Workers' Union",
              "Chair, Kelbrook Ratepayers' Alliance"),
             (f"(for) {LONG}", f"(against) {LONG.replace('council', 'board')}")]
    for row, texts in zip(table.rows, cells, strict=True):
        for cell, text in zip(row.cells, texts, strict=True):
            cell.text = text
    document.save(tmp_path / "card.docx")
    text = read_document(tmp_path / "card.docx").text
    assert text.index("(for)") < text.index("AGAINST: Duncan Fairweather") < text.index("(against)")
    article, passages = _prepare(tmp_path / "card.docx")
    assert {p.author for p in passages if "(for)" in p.text} == {"Priya Annesley"}
    assert {p.author for p in passages if "(against)" in p.text} == {"Duncan Fairweather"}


TURNS_TABLE = [
    ("Time", "Speaker", "Words"),
    ("19:00", "Chair", "Good evening, and thank you for coming out on a wet Tuesday. Northfell Renewables want to put "
                       "a wind farm on Carrick Height and will apply to the county this summer. The parish council "
                       "is a consultee, not the decision-maker, and tonight is for us to listen."),
    ("", "", "I will ask Ms Rahimi to set out the scheme first."),
    ("19:03", "Nadia Rahimi", "Thank you, Chair. The proposal is for nine turbines, each up to 149 metres to the tip "
                              "of the blade, with a total capacity of about 43 megawatts, enough for roughly 38,000 "
                              "homes. The nearest house is 1.3 kilometres from the nearest turbine."),
    ("19:09", "Graham Stead", "Graham Stead, Low Carrick Farm. You cannot put the view back afterwards, and "
                              "thirty-five years is most of a working life on this land."),
    ("19:12", "Emily Castellan", "Emily Castellan, I teach at the primary. Two hundred and fifteen thousand pounds a "
                                 "year is more than the parish has ever had to spend on young people."),
    ("19:15", "Graham Stead", "These are twice the height of the Rothwaite turbines, Emily. It is not the same."),
]


def test_an_html_transcript_laid_out_as_a_table_is_read_whole_as_turns(tmp_path):
    """trafilatura keeps no tables: a Time | Speaker | Words transcript was lost whole, silently.
    A table of prose left out is read back, row by row under each speaker, an empty speaker cell
    going on with the speaker above; a table of data stays left out."""
    rows = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in TURNS_TABLE[1:])
    head = "<tr>" + "".join(f"<th>{c}</th>" for c in TURNS_TABLE[0]) + "</tr>"
    page = (f"<html><head><title>Drop-in session</title></head><body><main><h1>Wind farm drop-in</h1>"
            f"<p>{LONG}</p><p>In the chair: Cllr Duncan Greaves, Chair of Scarrowby Parish Council.</p>"
            f"<table><thead>{head}</thead><tbody>{rows}</tbody></table>"
            f"<table><tr><td>Turbines</td><td>9</td></tr></table><p>Transcript ends. {LONG}</p></main></body></html>")
    (tmp_path / "dropin.html").write_text(page, encoding="utf-8")
    text = read_document(tmp_path / "dropin.html").text
    assert "Nadia Rahimi: Thank you, Chair." in text and "Turbines" not in text
    assert text.index("Wind farm") < text.index("Chair: Good evening") < text.index("Transcript ends.")
    article, passages = _prepare(tmp_path / "dropin.html")
    said = {p.text.split(".")[0]: p.author for p in passages}
    assert said["Thank you, Chair"] == "Nadia Rahimi" and said["Graham Stead, Low Carrick Farm"] == "Graham Stead"
    chair = [p for p in passages if "set out the scheme" in p.text]
    # The "Chair" label is the person the header gives that part ("Cllr Duncan Greaves, Chair of ...").
    assert len(chair) == 1 and "Good evening" in chair[0].text and chair[0].author == "Duncan Greaves"


def test_a_docx_transcript_table_is_read_as_turns(tmp_path):
    document = docx.Document()
    document.add_paragraph("Wind farm drop-in: transcript")
    table = document.add_table(rows=len(TURNS_TABLE), cols=3)
    for row, texts in zip(table.rows, TURNS_TABLE, strict=True):
        for cell, text in zip(row.cells, texts, strict=True):
            cell.text = text
    document.save(tmp_path / "dropin.docx")
    text = read_document(tmp_path / "dropin.docx").text
    assert "Graham Stead: Graham Stead, Low Carrick Farm." in text and "19:03" not in text
    article, passages = _prepare(tmp_path / "dropin.docx")
    assert {p.author for p in passages if "view back" in p.text} == {"Graham Stead"}
    assert {p.author for p in passages if "pounds a year" in p.text} == {"Emily Castellan"}


def test_docx_author_that_is_an_office_goes_to_the_outlet(tmp_path):
    path = _docx(tmp_path / "memo.docx", author="Office of Management and Budget; Jane Roe")
    meta = read_document(path).meta
    assert meta.authors == ["Jane Roe"] and meta.outlet == "Office of Management and Budget"


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_broken_docx_is_reported_and_skipped_while_the_rest_indexes(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.txt").write_text("A Budget Nobody Read\n\n" + LONG + "\n\n" + LONG.replace("council", "board"))
    (corpus / "legacy.docx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)  # an old .doc
    _zip(corpus / "nodoc.docx", {"[Content_Types].xml": b"<Types/>"})
    _zip(corpus / "badxml.docx", {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document"})
    report = Assistant(make_settings(tmp_path / "data", corpus)).index()
    errors = {Path(e.path).name: e.error for e in report.errors}
    assert report.added == 1
    assert errors["legacy.docx"].startswith("not a .docx: the content is not a zip archive")
    assert errors["nodoc.docx"] == "not a Word document: the .docx archive has no word/document.xml"
    assert errors["badxml.docx"].startswith("broken .docx:")


def test_library_uploads_accept_docx_by_content(tmp_path):
    good = _docx(tmp_path / "a.docx").read_bytes()
    assert check_upload("a.docx", good, 10**7) is None
    assert "not a zip archive" in check_upload("a.docx", b"plain text pretending", 10**7)
    nodoc = _zip(tmp_path / "b.docx", {"x.txt": b"hello"}).read_bytes()
    assert "no word/document.xml" in check_upload("b.docx", nodoc, 10**7)


def _html(author_meta: str = "") -> str:
    return f"""<html><head><title>Why the Budget Vote Matters | Daily Bugle</title>
<meta property="og:title" content="Why the Budget Vote Matters">
<meta property="og:site_name" content="Daily Bugle">{author_meta}
<meta property="article:published_time" content="2023-06-01"></head>
<body><nav><a href="/">Home</a></nav><article><h1>Why the Budget Vote Matters</h1>
<p>{LONG}</p><p>{LONG.replace("council", "board")}</p></article></body></html>"""


def test_html_metadata_from_meta_and_og_tags(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(_html('\n<meta name="author" content="Jane Roe">'))
    article, _ = _prepare(path)
    assert (article.title, article.authors) == ("Why the Budget Vote Matters", ["Jane Roe"])
    assert (article.outlet, article.date) == ("Daily Bugle", "2023-06-01")


def test_html_byline_element_names_the_author(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(_html().replace("<article>", '<article><div class="byline"><a rel="author">Jane Roe</a></div>'))
    assert read_document(path).meta.authors == ["Jane Roe"]


def test_html_without_meta_author_has_no_author_from_metadata(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(_html())
    assert read_document(path).meta.authors is None
    assert _prepare(path)[0].authors == []


def test_markdown_front_matter_is_metadata_not_text(tmp_path):
    path = tmp_path / "note.md"
    path.write_text(
        "---\ntitle: Why the Budget Vote Matters\nauthor: Jane Roe\ndate: 2023-06-01\n"
        "source_url: https://example.org/budget\n---\n\n# Why the Budget Vote Matters\n\n"
        f"{LONG}\n\n## The board\n\n{LONG.replace('council', 'board')}\n"
    )
    article, passages = _prepare(path)
    assert article.title == "Why the Budget Vote Matters" and article.authors == ["Jane Roe"]
    assert (article.date, article.url) == ("2023-06-01", "https://example.org/budget")
    assert "title:" not in article.text and "#" not in article.text
    assert "The board" in article.text
    assert all(p.author == "Jane Roe" for p in passages)


def test_markdown_heading_gives_the_title_without_its_hash(tmp_path):
    path = tmp_path / "plain.md"
    path.write_text(f"# Why the Budget Vote Matters\n\n{LONG}\n")
    assert read_document(path).meta.title == "Why the Budget Vote Matters"
    assert _prepare(path)[0].title == "Why the Budget Vote Matters"


def test_markdown_is_read_as_its_reader_sees_it(tmp_path):
    """Emphasis, link targets and bullets are markup; the words and an ordered item's number stay,
    so an italic byline is a byline and a bold speaker label a turn."""
    path = tmp_path / "styled.md"
    path.write_text(
        "# Why the Budget Vote Matters\n\n*By Jane Roe*\n\n"
        f"The **council** voted, as [the minutes](https://example.org/m) show. {LONG}\n\n"
        "1776. The year the colonies broke away.\n\n- first point\n- second point\n\n"
        "> A quoted _line_.\n"
    )
    text = read_document(path).text
    assert "The council voted, as the minutes show." in text and "1776. The year" in text
    assert not any(mark in text for mark in ("**", "*By", "](", "https://", "- first", "> A", "_line_"))
    assert "first point\n\nsecond point" in text and "A quoted line." in text
    article, _ = _prepare(path)
    assert article.authors == ["Jane Roe"] and article.title == "Why the Budget Vote Matters"


def test_a_markdown_headline_under_a_section_label_is_the_title(tmp_path):
    path = tmp_path / "label.md"
    path.write_text(f"Opinion\n\n# Chatbots Didn't Break the Essay. They Exposed It.\n\n{LONG}\n\n# Later part\n")
    assert read_document(path).meta.title == "Chatbots Didn't Break the Essay. They Exposed It."
    path.write_text(f"{LONG}\n\n# A heading after the prose\n")
    assert read_document(path).meta.title is None


def test_markdown_with_broken_front_matter_loses_nothing(tmp_path):
    path = tmp_path / "broken.md"
    path.write_text(f"---\ntitle: [unclosed\n---\n\n{LONG}\n")
    result = read_document(path)
    assert "title: [unclosed" in result.text and LONG in result.text


def test_pdf_document_info_title_and_author(tmp_path):
    writer = PdfWriter(clone_from=PdfReader(GENERAL / "nyt-v-sullivan-oral-argument-1964.pdf"))
    writer.add_metadata({"/Title": "Argument Notes", "/Author": "Jane Roe; Office of the Solicitor General"})
    path = tmp_path / "notes.pdf"
    with path.open("wb") as fh:
        writer.write(fh)
    meta = read_document(path).meta
    assert (meta.title, meta.authors) == ("Argument Notes", ["Jane Roe"])
    assert meta.outlet == "Office of the Solicitor General"


# -- precedence and the person/institution test -------------------------------------------------
def test_articles_toml_overrides_the_files_own_metadata(tmp_path):
    path = _docx(tmp_path / "budget.docx", title="File Title", author="Jane Roe")
    save_metadata(tmp_path, {path.name: ArticleMeta(file=path.name, title="Edited Title", authors=[])})
    meta = ArticleMeta(file=path.name, title="Edited Title", authors=[], url="https://example.org/b")
    article, _ = _prepare(path, meta)
    assert (article.title, article.authors, article.url) == ("Edited Title", [], "https://example.org/b")
    assert article.date == "2024-03-05"  # a field the entry leaves out still comes from the file


@pytest.mark.parametrize(
    "value, people, institutions",
    [
        ("The White House, Office of the Press Secretary", [], ["The White House, Office of the Press Secretary"]),
        ("Supreme Court of the United States", [], ["Supreme Court of the United States"]),
        ("Stephen A. Douglas; Abraham Lincoln", ["Stephen A. Douglas", "Abraham Lincoln"], []),
        ("Office of Management and Budget", [], ["Office of Management and Budget"]),
        ("Acme Widgets Ltd", [], ["Acme Widgets Ltd"]),
        ("python-docx", [], []),
        ("Microsoft Office User", [], []),
        ("Ludwig van Beethoven & Jane Roe", ["Ludwig van Beethoven", "Jane Roe"], []),
    ],
)
def test_people_and_institutions_in_an_author_field(value, people, institutions):
    assert split_people([value]) == (people, institutions)


def test_unreadable_docx_raises_a_read_error(tmp_path):
    path = tmp_path / "x.docx"
    path.write_bytes(io.BytesIO(b"PK\x03\x04 truncated").getvalue())
    with pytest.raises(ReadError, match="docx"):
        read_document(path)


# -- caption files: a recorded talk as a transcript ----------------------------------------------
TOWN_HALL_VTT = """WEBVTT

NOTE recorded at the Riverside library

00:00:01.000 --> 00:00:05.500
<v Maria Lopez>Good evening, and welcome to our town hall
on the proposed bus lanes along Main Street.

00:00:05.600 --> 00:00:09.000
<v Maria Lopez>Our two guests see this very differently.

00:00:09.500 --> 00:00:14.000
<v Daniel Okafor>Thank you, Maria. I think the bus lanes are overdue.
Buses on Main Street crawl at eight miles an hour.

00:00:14.200 --> 00:00:18.000
<v Daniel Okafor>A dedicated lane would make them faster than driving.

00:00:18.500 --> 00:00:23.000
<v Susan Pryce>I disagree. Taking away a lane of parking will hurt
the shops that have kept this street alive for forty years.

00:00:23.500 --> 00:00:26.000
<v Maria Lopez>Daniel, what do you say to the shop owners?

00:00:26.500 --> 00:00:31.000
<v Daniel Okafor>Most of their customers arrive on foot or by bus, not by car.
"""


def test_webvtt_voice_tags_become_one_labelled_paragraph_per_turn(tmp_path):
    path = tmp_path / "town-hall.vtt"
    path.write_text(TOWN_HALL_VTT, encoding="utf-8")
    paragraphs = read_document(path).text.split("\n\n")
    assert paragraphs[0] == ("Maria Lopez: Good evening, and welcome to our town hall on the proposed bus lanes "
                             "along Main Street. Our two guests see this very differently.")
    assert [p.split(":")[0] for p in paragraphs] == [
        "Maria Lopez", "Daniel Okafor", "Susan Pryce", "Maria Lopez", "Daniel Okafor"]
    assert "00:00" not in read_document(path).text and "NOTE" not in read_document(path).text


CLOSED_CAPTIONS_SRT = """1
00:00:04,000 --> 00:00:07,180
>> MODERATOR: Good evening. I'm
Janelle Ruiz. With me are Councilman

2
00:00:07,260 --> 00:00:10,430
Leo Brandt and Councilwoman Dana
Whitlock. Councilman?

3
00:00:10,510 --> 00:00:13,670
>> COUNCILMAN BRANDT: Thank you.
Fourteen drive-throughs on one mile.

4
00:00:13,750 --> 00:00:16,900
>> MODERATOR: Councilwoman, your
response. >> I appreciate the point,

5
00:00:16,980 --> 00:00:20,160
but this treats a convenience
as if it were a vice.
"""


def test_broadcast_captions_start_a_turn_at_each_change_of_speaker(tmp_path):
    """US closed captions: ">>" marks a new speaker, named or not; an unnamed one is an unidentified
    voice of their own, never the previous speaker's; the moderator who says "I'm Janelle Ruiz" is her."""
    path = tmp_path / "town-hall.srt"
    path.write_text(CLOSED_CAPTIONS_SRT, encoding="utf-8")
    assert read_document(path).text.split("\n\n")[2:] == [
        "MODERATOR: Councilwoman, your response.",
        "Unidentified Speaker: I appreciate the point, but this treats a convenience as if it were a vice."]
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    path.rename(corpus / "town-hall.srt")
    _, passages = prepare_article(corpus / "town-hall.srt", None, "0" * 64)
    said = {p.text: p.author for p in passages}
    assert said["Thank you. Fourteen drive-throughs on one mile."] == "Leo Brandt"
    assert said["Councilwoman, your response."] == "Janelle Ruiz"
    assert said["I appreciate the point, but this treats a convenience as if it were a vice."] == "Unidentified Speaker"


@pytest.mark.parametrize(("header", "title"), [
    ("WEBVTT - Bus lanes on Main Street: a town hall", "Bus lanes on Main Street: a town hall"),
    ("WEBVTT\nKind: captions\nTitle: Bus lanes town hall", "Bus lanes town hall"),
    ("WEBVTT\nKind: captions\n\nNOTE\nRiverside Town Hall, episode 12, Riverside Radio.\nCaptions corrected by staff.",
     "Riverside Town Hall, episode 12, Riverside Radio"),
    ("WEBVTT\n\nNOTE recorded at the Riverside library", None),  # a description, not a name
])
def test_a_webvtt_header_names_the_recording(tmp_path, header, title):
    path = tmp_path / "town-hall.vtt"
    path.write_text(TOWN_HALL_VTT.replace("WEBVTT\n\nNOTE recorded at the Riverside library", header), encoding="utf-8")
    result = read_document(path)
    assert result.meta.title == title
    assert result.text.startswith("Maria Lopez: Good evening")


def test_caption_speakers_are_the_authors_of_their_passages(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "town-hall.vtt").write_text(TOWN_HALL_VTT, encoding="utf-8")
    assistant = Assistant(make_settings(tmp_path / "data", corpus))
    assert assistant.index().added == 1
    by_author = {p.author: p.text for p in assistant.search("parking and the shops on Main Street", k=10)}
    assert by_author["Susan Pryce"].startswith("I disagree. Taking away a lane of parking")
    assert "Maria Lopez" not in by_author.get("Susan Pryce", "")
    assert {"Maria Lopez", "Daniel Okafor", "Susan Pryce"} <= set(by_author)


def test_subrip_name_prefixes_are_speakers_and_wrapped_cues_join(tmp_path):
    path = tmp_path / "meeting.srt"
    path.write_text(
        "1\n00:00:01,000 --> 00:00:04,000\nPriya Shah: We should fund the after-school program\n\n"
        "2\n00:00:04,100 --> 00:00:07,000\nPriya Shah: because the waiting list has doubled.\n\n"
        "3\n00:00:07,500 --> 00:00:10,000\nTom Reed: The budget cannot absorb another program\nwithout cutting"
        " library hours.\n", encoding="utf-8")
    assert read_document(path).text == (
        "Priya Shah: We should fund the after-school program because the waiting list has doubled.\n\n"
        "Tom Reed: The budget cannot absorb another program without cutting library hours.")


def test_unlabelled_captions_break_paragraphs_at_a_pause_after_a_sentence(tmp_path):
    path = tmp_path / "lecture.srt"
    path.write_text(
        "1\n00:00:01,000 --> 00:00:03,000\nRent control keeps tenants\n\n"
        "2\n00:00:05,500 --> 00:00:07,000\nin their homes.\n\n"  # a pause mid-sentence: same paragraph
        "3\n00:00:10,000 --> 00:00:12,000\nBut it shrinks the supply of new flats.\n", encoding="utf-8")
    assert read_document(path).text == (
        "Rent control keeps tenants in their homes.\n\nBut it shrinks the supply of new flats.")


def test_a_malformed_caption_file_is_reported_and_skipped(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.txt").write_text("A Budget Nobody Read\n\n" + LONG)
    (corpus / "broken.vtt").write_text("this is not a caption file\n\nat all\n", encoding="utf-8")
    report = Assistant(make_settings(tmp_path / "data", corpus)).index()
    assert report.added == 1
    assert [Path(e.path).name for e in report.errors] == ["broken.vtt"]
    assert report.errors[0].error.startswith("not a valid .vtt caption file")
    assert check_upload("talk.vtt", TOWN_HALL_VTT.encode(), 10**7) is None


EDITORIAL_PAGE = f"""<html><head><title>Our view: Fund the night buses now. Stop stalling. | The Harbour Courier</title>
<meta name="author" content="Editorial Board"></head><body>
<header><nav><a href="/">Home</a> | <a href="/opinion">Opinion</a></nav></header>
<main><article><h1>Fund the night buses now. Stop stalling.</h1><p class="byline">The Courier Editorial Board</p>
<p>{LONG}</p><p>{LONG.replace("council", "board")}</p></article>
<div class="opposing-view"><h2>Night buses are the wrong priority</h2>
<p class="author">By Derek Nakamura, director of the Harbour Traders' Association</p>
<p>Night buses run empty most of the week, and the money would do more good on the daytime routes that carry
nurses, cleaners and pupils to work and school every single morning of the year.</p>
<p>Spend it on the daytime network first.</p></div></main>
<aside class="share"><p>Share this article on every network you know, and tell your friends and your family
and your neighbours that you read it here first, in the Courier, today.</p></aside>
<footer><p>Copyright The Harbour Courier. All rights reserved. Opinion editor: Lucas Brandt. Privacy, terms,
corrections and everything else a footer holds, in one long line of small print.</p></footer></body></html>"""


def test_html_prose_trafilatura_leaves_out_is_put_back_in_page_order(tmp_path):
    # trafilatura keeps the <article>; the opposing view printed under it is prose, not furniture.
    path = tmp_path / "editorial.html"
    path.write_text(EDITORIAL_PAGE, encoding="utf-8")
    paragraphs = read_document(path).text.split("\n\n")
    start = paragraphs.index("Night buses are the wrong priority")
    assert paragraphs[start:] == [
        "Night buses are the wrong priority",
        "By Derek Nakamura, director of the Harbour Traders' Association",
        "Night buses run empty most of the week, and the money would do more good on the daytime routes that carry "
        "nurses, cleaners and pupils to work and school every single morning of the year.",
        "Spend it on the daytime network first.",
    ]
    text = read_document(path).text
    assert "Share this article" not in text and "All rights reserved" not in text  # furniture stays out


def test_html_outlet_is_never_the_headline(tmp_path):
    # With no og:site_name, trafilatura takes the headline part of the <title> for the site's name
    # ("Our view: Fund the night buses now. Stop stalling.").
    path = tmp_path / "editorial.html"
    path.write_text(EDITORIAL_PAGE, encoding="utf-8")
    assert read_document(path).meta.outlet == "The Harbour Courier"
