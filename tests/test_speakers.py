"""Speaker turns and authors from the text alone, on the paragraphs of the general corpus.

The readers for .docx and Markdown front matter and the unwrapping of hard-wrapped
lines live on other branches, so these tests extract paragraphs plainly themselves
and check attribution on them.
"""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path
from typing import Any

import docx
import frontmatter
import pytest
from pypdf import PdfReader

from index.attribution import Attribution, attribute
from index.cleaning import clean, parse_byline
from index.pipeline import prepare_article
from index.readers import read_html
from index.sections import poster
from index.turns import UNNAMED_QUESTIONER, names_in

GENERAL = Path(__file__).resolve().parents[1] / "eval" / "corpus-general"
QUESTIONS = [json.loads(line) for line in (GENERAL.parent / "general.jsonl").read_text().splitlines() if line]
# Every turn label of the three transcripts, to check that no passage holds two turns.
LABEL = re.compile(
    r"(?:^|\n)(?:MR\.|MS\.|Q\s|VOICE---)|(?:MR|MS)\.\s+(?:[A-Z]+\s+){0,3}[A-Z]{2,}(?::|---)"
)


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def blocks(text: str) -> list[str]:
    """Blank-line-separated blocks, their hard-wrapped lines joined."""
    return [squash(b) for b in re.split(r"\n\s*\n", text) if b.strip()]


def docx_paragraphs(name: str) -> tuple[list[str], list[str]]:
    document = docx.Document(str(GENERAL / name))
    authors = [a.strip() for a in (document.core_properties.author or "").split(";") if a.strip()]
    return [p.text for p in document.paragraphs if p.text.strip()], authors


def markdown_paragraphs(name: str) -> list[str]:
    return blocks(frontmatter.load(str(GENERAL / name)).content)


def pdf_text(name: str) -> str:
    """The PDF's text, its pages separated by form feeds."""
    return "\f".join(page.extract_text() for page in PdfReader(str(GENERAL / name)).pages)


def pdf_paragraphs(name: str) -> list[str]:
    """PDF lines, a new paragraph wherever a line opens with an ALL-CAPS label or is a heading."""
    paragraphs: list[str] = []
    for line in re.split(r"[\n\f]", pdf_text(name)):
        starts = re.match(r"^[A-Z][A-Z.\s]+:", line) or not re.search(r"[a-z]", line)
        if starts or not paragraphs:
            paragraphs.append(line)
        else:
            paragraphs[-1] += "\n" + line
    return paragraphs


def owned(path: Path, content: str | Any, lines: tuple[str, ...]) -> tuple:
    """The article written to `path` (text, or a python-docx document), its passages, and the owners
    of each of `lines`."""
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        content.save(path)
    article, passages = prepare_article(path, None, "0" * 64)
    return article, passages, owners(passages, lines)


def owners(passages: list, lines: tuple[str, ...]) -> dict[str, set[str | None]]:
    """Line -> the authors of the passages holding it (one person's words are in one person's passages)."""
    return {line: {p.author for p in passages if line in p.text} for line in lines}


def segment_texts(paragraphs: list[str], attribution: Attribution) -> list[tuple[str, str | None]]:
    text = "\n\n".join(paragraphs)
    return [(text[s.start : s.end], s.author) for s in attribution.segments]


def check_gold_spans(name: str, segments: list[tuple[str, str | None]]) -> int:
    checked = 0
    for question in QUESTIONS:
        if question["articles"] != [name]:
            continue
        authors = question["authors"] * len(question["gold"]) if len(question["authors"]) == 1 else question["authors"]
        for span, author in zip(question["gold"], authors, strict=True):
            owners = {who for text, who in segments if squash(span) in squash(text)}
            assert owners == {author}, (question["id"], span, owners)
            checked += 1
    return checked


def check_no_two_turns(segments: list[tuple[str, str | None]]) -> None:
    for text, _ in segments:
        assert not LABEL.search(text), text[:120]


def test_press_briefing_speakers():
    paragraphs = markdown_paragraphs("press-briefing-2021-12-20.md")
    attribution = attribute(paragraphs, [], None)
    assert attribution.speakers == ["Jen Psaki", UNNAMED_QUESTIONER]
    segments = segment_texts(paragraphs, attribution)
    assert check_gold_spans("press-briefing-2021-12-20.md", segments) == 4  # G02, G09 and both spans of G17
    check_no_two_turns(segments)
    questions = [text for text, who in segments if who == UNNAMED_QUESTIONER]
    assert any(text.startswith("Happy, happy.") for text in questions)
    assert all(not text.startswith("MS. PSAKI") for text, _ in segments)


def test_lincoln_douglas_speakers():
    paragraphs, known = docx_paragraphs("lincoln-douglas-ottawa-1858.docx")
    attribution = attribute(paragraphs, known, None)
    assert set(attribution.speakers) == {"Stephen A. Douglas", "Abraham Lincoln", "Voice"}
    segments = segment_texts(paragraphs, attribution)
    assert check_gold_spans("lincoln-douglas-ottawa-1858.docx", segments) == 6
    check_no_two_turns(segments)

    def owner(opening: str) -> set[str | None]:
        return {who for text, who in segments if squash(text).startswith(opening)}

    assert owner("Put on your specs.") == {"Voice"}
    assert owner("Yes, sir, I am obliged to do so.") == {"Abraham Lincoln"}
    assert owner("Mr. Lincoln then came forward") == {None}  # the reporter narrates
    assert owner("MY FELLOW-CITIZENS: When a man hears himself") == {"Abraham Lincoln"}
    assert owner("(The resolutions, as they were read") == {None}


def test_oral_argument_speakers():
    paragraphs = pdf_paragraphs("nyt-v-sullivan-oral-argument-1964.pdf")
    attribution = attribute(paragraphs, [], None)
    justices = {"Earl Warren", "William J. Brennan, Jr.", "Potter Stewart", "Arthur J. Goldberg",
                "William O. Douglas", "Hugo L. Black", "Byron R. White"}
    assert set(attribution.speakers) == justices | {"Herbert Wechsler", "M. Roland Nachman, Jr.", "Bailiff"}
    assert len(attribution.speakers) == len(set(attribution.speakers))
    assert "Bailiff" not in attribution.authors and attribution.unnamed == ["Bailiff"]  # a role, no one's name
    segments = segment_texts(paragraphs, attribution)
    assert check_gold_spans("nyt-v-sullivan-oral-argument-1964.pdf", segments) == 5
    check_no_two_turns(segments)
    # the bench and appearances list and the argument headings are nobody's turn
    assert all(who is None for text, who in segments if "Associate Justice" in text or "ARGUMENT OF" in text)


# -- authors from the text ----------------------------------------------------------------------
def text_paragraphs(name: str) -> list[str]:
    return blocks((GENERAL / name).read_text(encoding="utf-8"))


def html_paragraphs(name: str) -> list[str]:
    return [p.strip() for p in read_html(GENERAL / name).text.split("\n\n") if p.strip()]


def test_author_heading_line():
    attribution = attribute(text_paragraphs("mill-on-liberty-ch4.txt"), [], None)
    assert attribution.authors == ["John Stuart Mill"]
    assert {s.author for s in attribution.segments} == {"John Stuart Mill"}


def test_closing_signature_names_the_author():
    attribution = attribute(text_paragraphs("letter-to-the-attorney-general-1792.txt"), [], None)
    assert attribution.authors == ["Thomas Paine"]  # "THOMAS PAINE." in title case


def test_a_signature_naming_nobody_gives_no_author():
    attribution = attribute(text_paragraphs("common-sense-1776.txt"), [], None)
    assert attribution.authors == [] and {s.author for s in attribution.segments} == {None}


def test_pen_name_is_shown_unless_a_bio_line_names_the_person():
    paragraphs = html_paragraphs("forester-letter-to-cato-1776.html")
    # The page's closing bio box (an <aside> trafilatura drops; the reader keeps it) identifies the Forester.
    bio = [p for p in paragraphs if "pen name" in p]
    assert len(bio) == 1
    assert attribute(paragraphs, [], None).authors == ["Thomas Paine"]
    assert attribute([p for p in paragraphs if p not in bio], [], None).authors == ["The Forester"]


def test_a_name_beginning_with_by_is_no_byline():
    assert parse_byline("BYRON R. WHITE, Associate Justice") is None
    assert parse_byline("By Jane Doe and John Roe") == ["Jane Doe", "John Roe"]
    assert clean(pdf_text("nyt-v-sullivan-oral-argument-1964.pdf")).byline_names == []


@pytest.mark.parametrize("line, names", [
    ("Opinion by Jane Doe", ["Jane Doe"]),
    ("Written by: Jane Doe", ["Jane Doe"]),
    ("By Jane Doe | March 3, 2023", ["Jane Doe"]),
    ("Posted by Jane Doe on March 3, 2023", ["Jane Doe"]),
    ("BY JANE DOE AND JOHN ROE", ["Jane Doe", "John Roe"]),
    ("By Jane Doe & John Roe", ["Jane Doe", "John Roe"]),
    ("By Dr. Laura Chen and Sen. Marcus Hale", ["Laura Chen", "Marcus Hale"]),  # a degree or office is no name
    ("Reviewed by Fergus Odhiambo", ["Fergus Odhiambo"]),
    ("The Courier Editorial Board \u00b7 September 3, 2024", ["The Courier Editorial Board"]),  # an institution
    ("By the time the talks began, nothing was left.", None),
    ("By Monday, Russia had withdrawn.", None),
])
def test_bylines_in_the_forms_sites_print_them(line, names):
    assert parse_byline(line) == names


def test_a_header_word_before_names_is_no_part_of_them():
    assert names_in("Hosts Nadia Osei and Ben Whitlock talk with Prof. Samuel Achterberg") == [
        "Nadia Osei", "Ben Whitlock", "Samuel Achterberg"]


def test_a_headline_whose_words_the_text_does_not_repeat_is_still_the_title():
    body = "The war will end at a table, as nearly every war does; the question is when and on whose terms."
    cleaned = clean(f"Why talks must start now\n\nBy Jane Doe | March 3, 2023\n\n{body}\n\n{body} Soon.")
    assert cleaned.title == "Why talks must start now" and cleaned.byline_names == ["Jane Doe"]
    assert clean(f"{body}\n\n{body} Soon.").title is None  # prose first: no headline to take


def test_header_lines_questioners_and_reactions():
    """The conventions the three files do not show: a participants and a moderator line in the
    header, Q: / Q. / Q, doubled spaces, inline turns, crowd reactions."""
    paragraphs = [
        "Participants: Jane Doe, John Roe", "Moderator: Ann Lee",
        "MODERATOR:  Welcome to the show, both of you.", "MS.  DOE: Thank you for having me here tonight.",
        "MR. ROE: Glad to be here.", "[Laughter]", "Q: What about taxes?", "MS. DOE: Taxes are too high.",
        "They should come down.", "(Cheers.)", "Q. And spending?", "MR.  ROE: Spending too.", "Q  Last one?",
        "MS. DOE---No more.",
    ]
    attribution = attribute(paragraphs, [], None)
    assert attribution.speakers == ["Ann Lee", "Jane Doe", "John Roe", UNNAMED_QUESTIONER]
    assert attribution.authors == ["Ann Lee", "Jane Doe", "John Roe"]  # the questioner is nobody's name
    said = {text: who for text, who in segment_texts(paragraphs, attribution)}
    assert said["Participants: Jane Doe, John Roe\n\nModerator: Ann Lee"] is None
    assert said["Taxes are too high.\n\nThey should come down."] == "Jane Doe"
    assert said["[Laughter]"] is None and said["(Cheers.)"] is None
    assert [said[q] for q in ("What about taxes?", "And spending?", "Last one?")] == [UNNAMED_QUESTIONER] * 3
    assert said["No more."] == "Jane Doe" and said["Spending too."] == "John Roe"


def test_turns_hold_however_lines_were_joined():
    """Unwrapping may run a PDF page's turns into one paragraph, or keep a Markdown block's line
    breaks (and its no-break spaces after "Q"): the turns and their speakers stay the same."""
    pages = [squash(page) for page in pdf_text("nyt-v-sullivan-oral-argument-1964.pdf").split("\f")]
    attribution = attribute(pages, [], None)
    assert "Herbert Wechsler" in attribution.speakers and "M. Roland Nachman, Jr." in attribution.speakers
    segments = segment_texts(pages, attribution)
    assert check_gold_spans("nyt-v-sullivan-oral-argument-1964.pdf", segments) == 5
    check_no_two_turns(segments)
    content = frontmatter.load(str(GENERAL / "press-briefing-2021-12-20.md")).content
    paragraphs = [b for b in re.split(r"\n\s*\n", content) if b.strip()]
    attribution = attribute(paragraphs, [], None)
    assert attribution.speakers == ["Jen Psaki", UNNAMED_QUESTIONER]
    assert check_gold_spans("press-briefing-2021-12-20.md", segment_texts(paragraphs, attribution)) == 4


def said_by(paragraphs: list[str]) -> tuple[Attribution, dict[str, str | None]]:
    attribution = attribute(paragraphs, [], None)
    return attribution, {text: who for text, who in segment_texts(paragraphs, attribution)}


def test_an_evidence_session_numbers_its_questions_and_lists_its_witnesses():
    """A select committee's oral evidence: "Q12 Chair:" is the chair (named in the members line with
    the role in brackets), the question number is no part of a label, a witness panel's "I:" is no
    speaker, and "Mr Berg:" is the witness the panel line names in full."""
    evidence = [
        "Members present: Margaret Ashdown (Chair); Kwame Asante-Boyd; Declan Rourke.",
        "I: Hallvard Berg, Chief Executive, Thornmere Borough Council; and Dr Imogen Sato, Director, "
        "Libraries Futures Trust.",
        "Q1 Chair: Good morning and welcome to this session on libraries.",
        "Mr Berg: Good morning. We currently run eleven branch libraries.",
        "Q2 Kwame Asante-Boyd: Dr Sato, is that realistic?",
        "Dr Sato: In some places, yes. Opening hours fell by a third within three years.",
        "Q3 Chair: Mr Berg, is that right?",
        "Mr Berg: We will publish quarterly figures for every branch."]
    attribution, said = said_by(evidence)
    assert said["Good morning and welcome to this session on libraries."] == "Margaret Ashdown"
    assert said["Mr Berg, is that right?"] == "Margaret Ashdown"
    assert said["We will publish quarterly figures for every branch."] == "Hallvard Berg"
    assert said["Dr Sato, is that realistic?"] == "Kwame Asante-Boyd"
    assert said["In some places, yes. Opening hours fell by a third within three years."] == "Imogen Sato"
    assert set(attribution.speakers) == {"Margaret Ashdown", "Hallvard Berg", "Kwame Asante-Boyd", "Imogen Sato"}


def test_a_headline_in_capitals_is_no_speaker_and_initials_follow_a_full_first_label():
    """"AFTER MIDNIGHT: SHOULD ...?" heads the transcript, it is no one's turn; speakers given in full
    with their initials on first mention ("HELEN STRACHAN (HS):") are those initials afterwards."""
    panel = ["FENWICK CIVIC FORUM", "AFTER MIDNIGHT: SHOULD FENWICK EXTEND LATE-NIGHT LICENSING HOURS?",
             "HELEN STRACHAN (HS): Good evening, everyone. Dev, you're first.",
             "DEV MALHOTRA (DM): Thanks, Helen. At one in the morning every venue closes at once.",
             "HS: Carol, the police view?",
             "CAROL BRIGHT (CB): Staggered closing helps only if the taxis keep up.",
             "DM: They would, with a marshalled rank on Bridge Street."]
    attribution, said = said_by(panel)
    assert attribution.speakers == ["Helen Strachan", "Dev Malhotra", "Carol Bright"]
    assert said["Carol, the police view?"] == "Helen Strachan"
    assert said["They would, with a marshalled rank on Bridge Street."] == "Dev Malhotra"


def test_recording_tool_and_markdown_labels():
    """Timestamps before or after a label, a label on its own line with its time, Markdown
    emphasis around it and one-word role labels are turns; numbered speakers stay unnamed."""
    rev = ["Climate Policy Roundtable", "Maria Lopez (00:00:03):", "Is a carbon tax the right tool?",
           "David Chen (00:00:15):", "It is. A price lets every firm find its cheapest cuts.",
           "Maria Lopez (00:01:02):", "Critics say it falls hardest on rural drivers.",
           "David Chen (00:01:10):", "The dividend answers them."]
    attribution, said = said_by(rev)
    assert attribution.speakers == ["Maria Lopez", "David Chen"]
    assert said["The dividend answers them."] == "David Chen" and said["Climate Policy Roundtable"] is None
    stamped = ["[00:00:01] Sam Patel: Welcome back.", "[00:00:09] Rita Gomez: Supply is the whole story.",
               "[00:00:30] Sam Patel: Some say towers do nothing.", "[00:00:41] Rita Gomez: Filtering is real."]
    attribution, said = said_by(stamped)
    assert said["Supply is the whole story."] == "Rita Gomez" and said["Some say towers do nothing."] == "Sam Patel"
    markdown = ["**Interviewer:** Why nuclear?", "**Anna Berg:** Because it is steady.",
                "**Interviewer**: What about waste?", "**Anna Berg**: It is small in volume."]
    attribution, said = said_by(markdown)
    assert attribution.authors == ["Anna Berg"]  # a role label is nobody's name
    assert said["Why nuclear?"] == said["What about waste?"] == "Interviewer"
    assert said["It is small in volume."] == "Anna Berg"
    numbered = ["SPEAKER 1: Stop cutting teachers.", "SPEAKER 2: The bond pays for it.",
                "Speaker 1: Money is money.", "SPEAKER 2: Voters approved it."]
    attribution, said = said_by(numbered)
    assert attribution.speakers == ["Speaker 1", "Speaker 2"] and attribution.authors == []
    assert said["Money is money."] == "Speaker 1"


def test_a_transcription_service_labels_a_speaker_in_full_once_then_by_first_name():
    """"Name  (00:00:41):" on its own line; a numbered host who says who she is; "Episode 47:" above
    the talk is its heading, not a speaker."""
    podcast = ['Episode 47: "Every Car, Every Road?"', "Speaker 1  (00:00:03):",
               "Hello and welcome. I'm Nadia Ferreira-Holt. With me are Farid Malouf and Lorna Beckwith.",
               "Farid Malouf  (00:00:41):", "Thanks for having me.",
               "Lorna Beckwith  (00:00:43):", "Glad to be here.",
               "Speaker 1  (00:00:45):", "Farid, why thirty-eight cameras?",
               "Farid  (00:00:51):", "Because criminals use roads.",
               "Speaker 1  (00:01:32):", "Lorna, is that fair?",
               "Lorna  (00:01:39):", "A number plate is a record of where a person was."]
    attribution, said = said_by(podcast)
    assert attribution.speakers == ["Nadia Ferreira-Holt", "Farid Malouf", "Lorna Beckwith"]
    assert said["Because criminals use roads."] == "Farid Malouf"
    assert said["A number plate is a record of where a person was."] == "Lorna Beckwith"
    assert said["Farid, why thirty-eight cameras?"] == "Nadia Ferreira-Holt"
    assert said['Episode 47: "Every Car, Every Road?"'] is None


def test_question_and_answer_and_names_on_their_own_lines():
    """"A." answers "Q." (the one person the header names, else unnamed); a script names each
    speaker in capitals on a line of its own, and a repeat of that line is a label, not furniture."""
    deposition = ["DEPOSITION OF JOHN MILLER", "Q. Please state your name.", "A. John Miller.",
                  "Q. Were you at the plant?", "A. Yes. I saw the smoke."]
    attribution, said = said_by(deposition)
    assert said["Yes. I saw the smoke."] == "John Miller" and said["Were you at the plant?"] == UNNAMED_QUESTIONER
    interview = ["Jane Roe talks to John Doe", "Q: Why now?", "A: Because it is time.", "Q: And then?", "A: We wait."]
    assert said_by(interview)[1]["We wait."] == "Unnamed answerer"  # two people named: no guess
    signed = clean("Why cities must build up\n\nBy Jane Roe\n\nAn interview with the economist John Doe.\n\n"
                   "Q: Why now?\n\nA: Because rents are rising.\n\nQ: And then?\n\nA: We build near transit.")
    attribution = attribute(signed.paragraphs, signed.byline_names, None)
    said = {text: who for text, who in segment_texts(signed.paragraphs, attribution)}
    assert said["We build near transit."] == "John Doe" and said["And then?"] == UNNAMED_QUESTIONER
    assert attribution.authors == ["Jane Roe"]  # the byline signs the Q&A; the questioner stays unnamed
    script = ("A debate on remote work\n\nKAREN WU\n\nOffices are where young workers learn.\n\nTOM ADAMS\n\n"
              "That is nostalgia.\n\nKAREN WU\n\nWait five years.")
    cleaned = clean(script)
    assert cleaned.title == "A debate on remote work" and [d.reason for d in cleaned.dropped] == ["title"]
    attribution, said = said_by(cleaned.paragraphs)
    assert attribution.speakers == ["Karen Wu", "Tom Adams"]
    assert said["That is nostalgia."] == "Tom Adams" and said["Wait five years."] == "Karen Wu"
    essay = ["THE CASE FOR TALKS", "Diplomacy is not surrender, and the war will end at a table.",
             "THE RISKS", "A ceasefire may only freeze the conflict."]
    assert said_by(essay)[0].speakers == []  # headings that each head one section are no speakers


def test_hearing_record_labels():
    """A hearing's or a legislature's record: title, surname in capitals, full stop; the surname
    resolves to the full name the header gives, and prose that merely begins "Mr. Smith" is no turn."""
    hearing = ["HEARING BEFORE THE COMMITTEE ON INTELLIGENCE",
               "Hon. Mark R. Warner, a U.S. Senator from Virginia, presiding",
               "The CHAIRMAN. The committee will come to order.", "Senator WARNER. I have two questions.",
               "Mr. HAINES. Thank you, Senator. The budget is adequate.", "It is not generous.",
               "Senator WARNER. Is it adequate for cyber defence?", "Mr. HAINES. Yes.",
               "Mr. Haines then left the room, and the hearing went on."]
    attribution, said = said_by(hearing)
    assert attribution.speakers == ["The Chairman", "Mark R. Warner", "Mr. Haines"]
    assert attribution.authors == ["Mark R. Warner", "Mr. Haines"]  # a chair's role names nobody
    assert said["Thank you, Senator. The budget is adequate.\n\nIt is not generous."] == "Mr. Haines"
    assert said["Is it adequate for cyber defence?"] == "Mark R. Warner"
    assert said["Mr. Haines then left the room, and the hearing went on."] is None  # a reporter's narration


def test_a_hearing_record_in_capitals_and_its_witness_list():
    """"DR. VOSS." and "CHAIRWOMAN LINDQVIST." in capitals are labels; "MEMBERS PRESENT:" and "WITNESSES:"
    are header lines whose names resolve them, even two witnesses run together on one line; "Madam
    Chair." ends a sentence, it starts no name."""
    hearing = ["PUBLIC HEARING ON L.D. 1187",
               "MEMBERS PRESENT: Senator Karin Lindqvist, Chairwoman; Representative Dale Morrow",
               "WITNESSES:",
               "Dr. Helena Voss, State Hydrologist, Department of Environmental Protection Mr. Curtis Fenn, "
               "Vice President, Clearbrook Springs",
               "CHAIRWOMAN LINDQVIST. The committee will come to order. Dr. Voss.",
               "DR. VOSS. Thank you, Madam Chair. I can describe what we measure in the aquifer.",
               "REPRESENTATIVE MORROW. Would the Department have the staff to run it?",
               "DR. VOSS. Not with current staffing.", "CHAIRWOMAN LINDQVIST. Thank you. Mr. Fenn.",
               "MR. FENN. Thank you, Madam Chair. We share our data voluntarily."]
    attribution, said = said_by(hearing)
    assert attribution.speakers == ["Karin Lindqvist", "Helena Voss", "Dale Morrow", "Curtis Fenn"]
    assert said["Not with current staffing."] == "Helena Voss"
    assert said["Thank you, Madam Chair. We share our data voluntarily."] == "Curtis Fenn"
    assert names_in("Thank you, Madam Chair. I serve as First Selectwoman.") == ["Madam Chair", "First Selectwoman"]


def test_broadcast_parliament_and_court_labels():
    """A role after the name ("DANA WHITFIELD, HOUSING COMMISSIONER:"), a constituency and party
    ("(Leeds North) (Lab)"), an office with its holder in brackets, and a court's roles ("THE COURT:")
    are labels: the words after them are never left with the previous speaker."""
    tv = ["ANCHOR: Rents rose eleven percent. Joining me is the housing commissioner.",
          "DANA WHITFIELD, HOUSING COMMISSIONER: Thank you for having me.",
          "ANCHOR: Who is to blame?", "DANA WHITFIELD, HOUSING COMMISSIONER: Blame is not the useful word."]
    attribution, said = said_by(tv)
    assert said["Thank you for having me."] == "Dana Whitfield" and said["Who is to blame?"] == "Anchor"
    assert attribution.authors == ["Dana Whitfield"]
    hansard = ["Mr David Holloway (Leeds North) (Lab): I beg to move.",
               "The Minister of State, Department for Transport (Ms Caroline Pryce): I thank the hon. Member.",
               "Mr Holloway: Will she publish the figures?",
               "Mrs Angela Fairweather (Bradford West) (Con): Does my right hon. Friend agree?",
               "Ms Pryce: My hon. Friend is right.", "Mr Speaker: Order."]
    attribution, said = said_by(hansard)
    assert attribution.authors == ["David Holloway", "Caroline Pryce", "Angela Fairweather"]
    assert said["Does my right hon. Friend agree?"] == "Angela Fairweather"
    assert said["Will she publish the figures?"] == "David Holloway" and said["Order."] == "Mr Speaker"
    # An Australasian record: a time of speaking after the holder, then the office's short form.
    record = ["PROOF \u2014 Subject to correction. Not to be quoted.",
              "The Minister for Transport (Ms Leilani Havili) (2.14 pm): I rise to move the bill.",
              "Mr OKAFOR: So it's about camera revenue, then.", "Ms HAVILI: It adds no camera.",
              "The Member for Harbourside (Dr Ingrid Solberg) (2.41 pm): I agree with half of each speech.",
              "The MINISTER: Will the member take an interjection?", "Dr SOLBERG: Briefly."]
    attribution, said = said_by(record)
    assert said["I rise to move the bill."] == said["It adds no camera."] == "Leilani Havili"
    assert said["Will the member take an interjection?"] == "Leilani Havili"
    assert said["Briefly."] == said["I agree with half of each speech."] == "Ingrid Solberg"
    assert "Proof" not in attribution.speakers and "Leilani Havili" in attribution.authors
    court = ["THE COURT: We're on the record.", "MS. JONES: Good morning, Your Honor.",
             "THE COURT: Go ahead.", "THE WITNESS: I saw the crack myself.", "MS. JONES: Nothing further."]
    attribution, said = said_by(court)
    assert said["We're on the record."] == "The Court" and said["I saw the crack myself."] == "The Witness"
    assert set(attribution.unnamed) == {"The Court", "The Witness"}  # roles: voices, not authors


def test_an_office_or_degree_before_a_full_name_is_no_part_of_the_name():
    """"Sen. Marcus Hale" and "Hale" are Marcus Hale (a question naming him finds his words); a
    title before a surname alone stays ("Justice Stewart")."""
    debate = ["**MODERATOR (Joanna Whitley):** Senator, your objection?",
              "**Sen. Marcus Hale:** Ratepayers carry the overrun risk.",
              "**Dr. Imani Okonkwo:** The risk is priced in.", "**Hale:** Then cap it.",
              "**Okonkwo:** I would support a cap.", "MR. JUSTICE STEWART: Is that all?"]
    attribution, said = said_by(debate)
    assert said["Ratepayers carry the overrun risk."] == said["Then cap it."] == "Marcus Hale"
    assert said["I would support a cap."] == "Imani Okonkwo" and said["Is that all?"] == "Justice Stewart"
    assert {"Marcus Hale", "Imani Okonkwo"} <= set(attribution.authors)


def test_a_recording_tools_speaker_lines_are_kept_and_never_a_title():
    """"Priya Raman  0:03" lines repeat with only the time changing, like a page footer; they are
    labels, so cleaning keeps them, the headline stays the title and "I'm" is no part of a name."""
    turns = ["Welcome back. I'm Priya Raman, and today I'm joined by economist Tomás Ortega.",
             "Thanks for having me.", "Do carbon taxes hurt the poor?", "Narrowly yes, but design matters.",
             "So the rebate does the lifting?", "Exactly."]
    times = ["0:03", "0:11", "0:15", "0:22", "0:30", "0:41"]
    speakers = ["Priya Raman", "Tomás Ortega"] * 3
    text = "The Fiscal Frontier, Episode 42\n\n" + "\n\n".join(
        f"{who}  {time}\n{words}" for who, time, words in zip(speakers, times, turns))
    cleaned = clean(text)
    assert cleaned.title == "The Fiscal Frontier, Episode 42"
    assert [d.reason for d in cleaned.dropped] == ["title"]
    attribution, said = said_by(cleaned.paragraphs)
    assert attribution.speakers == ["Priya Raman", "Tomás Ortega"]
    assert said["Narrowly yes, but design matters."] == "Tomás Ortega" and said["Exactly."] == "Tomás Ortega"


def test_a_bio_line_after_a_dash_is_a_bio():
    paragraphs = ["Teachers are not vending machines, and scripted lessons drive the best of them out of schools.",
                  "\u2014 Jane Doe is a professor of education at Marlow State University."]
    attribution = attribute(paragraphs, ["Jane Doe"], None)
    assert attribution.credentials == {"Jane Doe": "Jane Doe is a professor of education at Marlow State University."}
    assert [s.kind for s in attribution.segments] == ["body", "bio"]


def test_walk_on_speakers_roles_and_first_names():
    """Found in a second blind check: a name heard once in a talk that has other speakers is a turn
    (not the previous speaker's words); "The President" is a role; a role's bracket names its holder
    or tells callers apart; a chat log's "AM" is no part of a name; first-name labels resolve to the
    intro's full names; "Chairman Smith" is the "SMITH" already speaking."""
    town_hall = ["Jane Doe: Welcome to the town hall.", "Tom Lee: My first point is the budget.",
                 "Jane Doe: Go ahead.", "Tom Lee: The library budget was cut.",
                 "Ann Park: As a librarian, I can confirm we lost two staff.", "Jane Doe: Thank you, Ann."]
    assert said_by(town_hall)[1]["As a librarian, I can confirm we lost two staff."] == "Ann Park"
    press = ["The PRESIDENT: Thank you all for coming.", "Q: Will you sign the bill?",
             "The PRESIDENT: If it reaches my desk, yes.", "Q: And the tariffs?",
             "The President (spoke in Spanish): No."]
    attribution, said = said_by(press)
    assert said["If it reaches my desk, yes."] == said["No."] == "The President" and attribution.authors == []
    radio = ["HOST (Maria Lopez): Welcome back.", "CALLER (Dave, Ohio): Ban the cars and my shop dies.",
             "HOST (Maria Lopez): Thanks, Dave.", "CALLER (Priya, Columbus): The pilot made me feel safe."]
    attribution, said = said_by(radio)
    assert said["Thanks, Dave."] == "Maria Lopez"
    assert said["The pilot made me feel safe."] == "Caller (Priya, Columbus)" != said["Ban the cars and my shop dies."]
    chat = ["10:03 AM  Helen Park: Welcome everyone.", "10:04 AM  Marcus Bell: Will the slides be shared?",
            "10:05 AM  Helen Park: Yes.", "12:12 PM  Marcus Bell: Thanks."]
    assert said_by(chat)[0].speakers == ["Helen Park", "Marcus Bell"]
    panel = ["Panel: The Future of Local News", "Moderator Ana Ferreira was joined by Ben Adler and Chloe Nakamura.",
             "Ana: Is the local newspaper dead?", "Ben: Not dead.", "Chloe: The data backs that up.", "Ana: So?"]
    assert said_by(panel)[0].speakers == ["Ana Ferreira", "Ben Adler", "Chloe Nakamura"]
    hearing = ["Present: Rep. Luis de la Cruz; Dr. Fiona McCarthy", "SMITH: Let's begin.", "MCCARTHY: Thank you.",
               "DE LA CRUZ: A follow-up.", "Chairman Smith: Noted.", "MCCARTHY: We will."]
    attribution, said = said_by(hearing)
    assert said["Noted."] == "Smith" and "Luis de la Cruz" in attribution.speakers


def test_an_earnings_calls_name_lines_with_firm_and_role():
    """"Jane Smith -- Acme Corp -- Chief Executive Officer" alone on a line heads a speech, and so
    does "Operator"; repeated, they are labels, not repeated paragraphs (dropping one would run
    the next answer on as the analyst's)."""
    cfo = "Rahul Mehta -- Acme Corp -- Chief Financial Officer"
    text = "\n\n".join([
        "Acme Corp Q3 2024 Earnings Call Transcript", "Operator", "Welcome to the call.",
        "Jane Smith -- Acme Corp -- Chief Executive Officer", "Revenue rose nine percent.",
        cfo, "Gross margin expanded.", "Operator", "Our next question comes from Lisa Okafor.",
        "Lisa Okafor -- Goldman Sachs -- Analyst", "How much of the raise is currency?",
        cfo, "Very little, Lisa.",
    ])
    cleaned = clean(text)
    assert [d.reason for d in cleaned.dropped] == ["title"]
    attribution, said = said_by(cleaned.paragraphs)
    assert said["Very little, Lisa."] == "Rahul Mehta" and said["How much of the raise is currency?"] == "Lisa Okafor"
    assert said["Our next question comes from Lisa Okafor."] == "Operator" and "Operator" in attribution.unnamed


def test_the_headline_is_the_line_above_the_byline():
    """A pasted page: menu items and a section label above the headline, a headline that ends in a
    full stop; the line above the byline is the title and the labels above it go as its header.
    A byline at the end of short lines takes nothing with it."""
    body = "Every weekday morning I ride four miles to my office, and for the first two of them I am safe."
    page = ("Home\nNews\nBusiness\nOPINION CONTRIBUTORS\n"
            "Congress has forgotten how to pass a budget. Here's how to make it remember.\n"
            f"BY ROBERT VANCE, OPINION CONTRIBUTOR - 01/22/24 11:00 AM ET\n\n{body}\n\n{body} Business is slow.")
    cleaned = clean(page)
    assert cleaned.title == "Congress has forgotten how to pass a budget. Here's how to make it remember."
    assert cleaned.byline_names == ["Robert Vance"]
    assert {d.text: d.reason for d in cleaned.dropped}["Business"] == "header"
    colon = ("MERIDIAN INSTITUTE FOR URBAN POLICY | COMMENTARY\n\nPricing the Rush Hour: Why Mid-Sized Cities "
             "Should Try Congestion Charges\n\nCommentary by Ahmed Rashidi and Claire Dubois\n\n" + body)
    assert clean(colon).title == "Pricing the Rush Hour: Why Mid-Sized Cities Should Try Congestion Charges"
    short = "Short line one.\n\nShort line two.\n\nA third short line.\n\nBy Jane Doe"
    assert [d.reason for d in clean(short).dropped] == ["byline"]


INTERVIEW_ANSWERS = [
    "Honestly, no. I started out sympathetic, but the trial reports kept overclaiming.",
    "Selection. The firms that signed up were the ones that were always going to succeed.",
    "In knowledge work, perhaps. A nurse cannot compress a patient's needs into four days.",
    "A legal right to request shorter hours, and a randomised trial in the public sector.",
]


def interview_page(questions: list[str], intro: str) -> str:
    turns = [f"**{q}**\n\n{a}" for q, a in zip(questions, INTERVIEW_ANSWERS, strict=True)]
    return "\n\n".join(["# The Four-Day Week, Reconsidered", "By Miriam Castellanos", intro, *turns]) + "\n"


def test_an_interview_without_labels_gives_the_answers_to_the_interviewee(tmp_path):
    """Bold questions with no names, answers under them: the questions are the byline's, the answers
    the person the introduction presents (never the writer's); the introduction stays the writer's."""
    intro = ("The economist Tobias Reinholt is not persuaded by the pilots. A professor at the Hallam School "
             "of Economics, Reinholt spent three years reanalysing the trial data. We spoke in January.")
    questions = ["Your book lands as governments fund pilots. Was the timing deliberate?", "What's the gap?",
                 "Supporters say productivity held steady. Isn't that the point?", "What would you do instead?"]
    path = tmp_path / "interview.md"
    path.write_text(interview_page(questions, intro), encoding="utf-8")
    article, passages = prepare_article(path, None, "0" * 64)
    said = {p.text: p.author for p in passages}
    assert article.authors == ["Miriam Castellanos"] and "Tobias Reinholt" in article.speakers
    assert article.form == "interview" and article.principals == ["Tobias Reinholt"]
    assert all(said[a] == "Tobias Reinholt" for a in INTERVIEW_ANSWERS)
    assert said["What's the gap?"] == "Miriam Castellanos" and said[intro] == "Miriam Castellanos"


def test_a_page_that_says_it_is_an_interview_needs_no_questions_put_to_you(tmp_path):
    """"Interview by ..." and a title naming one person: their answers are theirs even when the
    questions are not put to "you" and the introduction names them nowhere else."""
    questions = ["The pilots are spreading. Why be sceptical now?", "What's the gap?",
                 "Supporters say productivity held steady. Isn't that the point?", "What should happen instead?"]
    turns = [f"**{q}**\n\n{a}" for q, a in zip(questions, INTERVIEW_ANSWERS, strict=True)]
    page = ["# Labour economist Tobias Reinholt on why the four-day week is oversold",
            "Interview by Miriam Castellanos", "This interview has been edited for length and clarity.", *turns]
    path = tmp_path / "interview.md"
    path.write_text("\n\n".join(page) + "\n", encoding="utf-8")
    article, passages = prepare_article(path, None, "0" * 64)
    said = {p.text: p.author for p in passages}
    assert article.form == "interview" and all(said[a] == "Tobias Reinholt" for a in INTERVIEW_ANSWERS)
    assert said["What's the gap?"] == "Miriam Castellanos"


@pytest.mark.parametrize("questions, intro", [
    # An op-ed asking itself rhetorical questions ("we", not "you"): all the writer's.
    (["So why do we keep funding pilots?", "What does the evidence say?", "Who pays for the extra staff?",
      "What should we do instead?"],
     "The economist Tobias Reinholt has made the sceptic's case well. Reinholt is right, and here is why."),
    # Questions put to "you" but nobody presented: a writer's FAQ, all the writer's.
    (["Will you lose pay?", "Can your employer refuse?", "What if you work shifts?", "Where do you apply?"],
     "Here is what the new rules mean for workers."),
])
def test_questions_in_an_article_are_no_interview_without_one(tmp_path, questions, intro):
    path = tmp_path / "oped.md"
    path.write_text(interview_page(questions, intro), encoding="utf-8")
    _, passages = prepare_article(path, None, "0" * 64)
    assert {p.author for p in passages} == {"Miriam Castellanos"}


def test_an_interview_is_searched_as_one(tmp_path):
    """Searching an interview's topic finds the interviewee's answer before the question that repeats
    the topic's words (a question asks; it is no evidence); "the interview" names the article, and
    what it says is the interviewee's words, not the interviewer's questions."""
    from conftest import make_settings

    from assistant import Assistant

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    intro = "The economist Tobias Reinholt doubts the pilots. Reinholt spent three years on the trial data."
    questions = ["Was the timing of your book about four-day-week pilots deliberate?", "What's the gap?",
                 "Supporters say productivity held steady. Isn't that the point?", "What would you do instead?"]
    (corpus / "interview.md").write_text(interview_page(questions, intro), encoding="utf-8")
    assistant = Assistant(make_settings(tmp_path / "data", corpus))
    assistant.index([corpus])
    found = [p.text for p in assistant.search("Was the timing of the book about four-day-week pilots deliberate?", 10)]
    assert found.index(INTERVIEW_ANSWERS[0]) < found.index(questions[0])
    (corpus / "oped.txt").write_text("Give Us Fridays\n\nBy Helen Strand\n\nThe five-day week is a historical "
                                     "accident, not a law of nature, and the pilots show that staff are happier.\n")
    assistant.index([corpus])
    interview = next(a for a in assistant.articles() if a.form == "interview")
    plan = assistant.plan("Summarize what the economist in the magazine interview would do instead.")
    assert plan.article_ids == [interview.id] and plan.authors == ["Tobias Reinholt"]


def indexed_podcast(tmp_path: Path, turns: list[str]):
    """An Assistant over one podcast transcript of `turns` ("Name: words" paragraphs)."""
    from conftest import make_settings

    from assistant import Assistant

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "podcast.txt").write_text("Common Ground, episode 47\n\n" + "\n\n".join(turns) + "\n", encoding="utf-8")
    assistant = Assistant(make_settings(tmp_path / "data", corpus))
    assistant.index([corpus])
    return assistant


def test_an_answer_is_found_by_the_words_of_the_question_it_answers(tmp_path):
    """An answer that leaves out the question's words ranks where the question would: the
    campaigner's safeguards come up for a question about them, though only the host said "safeguards"."""
    answer = ("At minimum, cut retention to thirty days for cars not linked to an offence, hand the audit to an "
              "independent panel, and publish every year how many searches were made and how many led anywhere.")
    turns = [
        "Host: Welcome to Common Ground. Tonight, the plan for number plate cameras on every road into town.",
        "Farid Malouf: Criminals use roads. Most burglaries in the villages are done by people who arrive by car.",
        "Host: Lorna, if the council goes ahead with the plate cameras anyway, what safeguards would you want?",
        f"Lorna Beckwith: {answer}",
        "Host: Farid, is a year of data really needed to catch car thieves?",
        "Farid Malouf: Detection is the bigger prize. Thieves move stolen cars through several districts.",
        "Host: Lorna, what about the van that was stolen from a listener last month?",
        "Lorna Beckwith: I am sorry about his van. Losing your work vehicle is a disaster for a small business.",
        "Host: Last word, Lorna?",
        "Lorna Beckwith: If the plate cameras go ahead, people will want to know who decided, and nobody in "
        "this town was ever asked.",
    ]
    assistant = indexed_podcast(tmp_path, turns)
    found = assistant.search("What safeguards does the campaigner want if the plate cameras go ahead?", 3)
    assert answer in [p.text for p in found]
    # Searched for by name, the host's question is out of scope but still scored: the answer leads.
    found = assistant.search("What safeguards does Lorna Beckwith want if the plate cameras go ahead?", 1)
    assert [p.text for p in found] == [answer]


def test_a_comparison_pairing_a_named_person_with_a_described_one_hears_both(tmp_path):
    """"How do the campaigner and the chief inspector disagree?" names one side (the chief inspector,
    by role) and only describes the other: the other voices of the same debate are searched too."""
    turns = [
        "Host: Tonight, the plan for number plate cameras on every road into Greyhaven. With me are Chief "
        "Inspector Farid Malouf and Lorna Beckwith of the Greyhaven Civil Liberties Network.",
        "Farid Malouf: Cameras cut crime. Detection is the bigger prize: in districts with a network like this, "
        "the share of vehicle crimes that end in a charge roughly doubles.",
        "Lorna Beckwith: The evidence that these networks deter crime is much weaker than people assume. "
        "Deterrence wears off. Surveillance doesn't, the data just keeps piling up.",
        "Farid Malouf: Thieves move stolen cars through several districts, and cameras let us follow them.",
        "Farid Malouf: A year of data lets officers solve crimes that come to light months later.",
        "Farid Malouf: Most burglaries in the villages are done by people who arrive by car and leave by car.",
        "Farid Malouf: Fly-tipping in Ashcombe Lane fell by half where we trialled two cameras last spring.",
    ]
    assistant = indexed_podcast(tmp_path, turns)
    question = "How do the civil liberties campaigner and the chief inspector disagree about whether cameras cut crime?"
    assert assistant.plan(question).authors == ["Farid Malouf"]
    assert "Lorna Beckwith" in {h.author for h in assistant.search(question, 5)}
    assert {"Farid Malouf", "Lorna Beckwith"} <= {row.author for row in assistant.positions(question)}


def test_a_person_heard_only_in_quotations_has_a_position_when_named(tmp_path):
    from conftest import make_settings

    from assistant import Assistant

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    minutes = [
        "PARKS COMMITTEE", "Minutes of the meeting held on Tuesday 11 March 2025",
        "5.1 The committee considered the report on replacing the grass pitches at Hollins Park with an "
        "artificial pitch, funded by a bid to the Football Foundation.",
        "5.2 Cllr Helen Marsh-Whitley said that she could not support an artificial pitch in the park. "
        "\u201cAn artificial pitch would pave a meadow with plastic, and in ten years we would pay to dig it up,\u201d "
        "Cllr Marsh-Whitley said.",
        "5.3 Keira Bannon (Tillingbourne Youth Football Club) said that the club had cancelled 31 fixtures on the "
        "waterlogged grass. \u201cEvery cancelled Saturday is a child who drifts away from sport,\u201d she said.",
        "5.4 RESOLVED: That a funding bid for the artificial pitch be submitted.",
        "Minutes taken by Annika Lovstad, Democratic Services Officer."]
    (corpus / "minutes.txt").write_text("\n\n".join(minutes) + "\n", encoding="utf-8")
    assistant = Assistant(make_settings(tmp_path / "data", corpus))
    assistant.index([corpus])
    rows = assistant.positions("What is Helen Marsh-Whitley's view of the artificial pitch?")
    assert [row.author for row in rows] == ["Helen Marsh-Whitley"]
    assert "pave a meadow with plastic" in rows[0].citations[0].quote
    # Two people heard only in quotations compared: their words, and the minutes that report them.
    answer = assistant.ask("How did Helen Marsh-Whitley's view of the artificial pitch differ from Keira Bannon's?")
    assert answer.grounded and {"Helen Marsh-Whitley", "Annika Lovstad"} <= {c.passage.author for c in answer.citations}


LEAD_IN = "The case for closing libraries is easy to state, and many have stated it. As Harold Finch wrote in 2019:"
FINCH = ["Nobody under forty has set foot in a public library in years, and", "nobody needs to. Nostalgia is not",
         "a public service."]
REPLY = "There is a lot in that paragraph that sounds like realism. Almost none of it survives a visit."


def write_block_quote(path: Path) -> None:
    """LEAD_IN, FINCH as a block quotation in `path`'s format, REPLY, by Priya Nandakumar."""
    if path.suffix == ".docx":
        document = docx.Document()
        document.core_properties.author = "Priya Nandakumar"
        for text, style in ((LEAD_IN, None), (" ".join(FINCH), "Quote"), (REPLY, None), (REPLY + " Twice.", None)):
            document.add_paragraph(text, style=style)
        document.save(path)
        return
    quote = {".txt": "\n".join("    " + line for line in FINCH), ".md": "\n".join("> " + line for line in FINCH),
             ".html": f"<blockquote><p>{' '.join(FINCH)}</p></blockquote>"}[path.suffix]
    if path.suffix == ".html":
        body = f"<p>{LEAD_IN}</p>{quote}<p>{REPLY}</p><p>{REPLY} Twice.</p>"
        path.write_text(f'<html><head><meta name="author" content="Priya Nandakumar"></head><body><article>'
                        f"<h1>Libraries Matter</h1>{body}</article></body></html>", encoding="utf-8")
        return
    path.write_text(f"Libraries Matter\n\nBy Priya Nandakumar\n\n{LEAD_IN}\n\n{quote}\n\n{REPLY}\n\n{REPLY} Twice.\n",
                    encoding="utf-8")


@pytest.mark.parametrize("suffix", [".txt", ".md", ".html", ".docx"])
def test_a_block_quotation_is_the_words_of_the_person_its_lead_in_names(tmp_path, suffix):
    """Indented lines, Markdown's `>`, `<blockquote>`, Word's Quote style: an essay quoting its opponent
    at length gives the quotation to the opponent, never to the writer, and goes on in the writer's name."""
    path = tmp_path / f"essay{suffix}"
    write_block_quote(path)
    article, passages = prepare_article(path, None, "0" * 64)
    said = {" ".join(p.text.split()): p.author for p in passages}
    assert article.authors == ["Priya Nandakumar"]
    assert said[" ".join(FINCH)] == "Harold Finch" and said[LEAD_IN] == "Priya Nandakumar"
    assert said[f"{REPLY}\n\n{REPLY} Twice.".replace("\n\n", " ")] == "Priya Nandakumar"


def test_a_block_quotation_naming_nobody_stays_the_writers_and_indented_paragraphs_are_no_quotations(tmp_path):
    path = tmp_path / "essay.txt"
    write_block_quote(path)
    path.write_text(path.read_text().replace("As Harold Finch wrote in 2019:", "One column put it this way:"))
    _, passages = prepare_article(path, None, "0" * 64)
    assert {p.author for p in passages} == {"Priya Nandakumar"}
    indented = "\n\n".join("    " + p for p in [LEAD_IN, " ".join(FINCH), REPLY, REPLY + " Twice."])
    path.write_text(f"Libraries Matter\n\nBy Priya Nandakumar\n\n{indented}\n")  # every paragraph indented
    article, passages = prepare_article(path, None, "0" * 64)
    assert {p.author for p in passages} == {"Priya Nandakumar"} and "\n    " not in article.text


def test_a_block_quotation_is_the_person_its_source_line_names_or_the_reviewed_books_author(tmp_path):
    """An epigraph with its source under it ("— Hannah Arendt"); a review quoting the book it reviews
    with a page reference under each quotation ("— p. 58"), introduced with "She" or with no colon."""
    path = tmp_path / "essay.md"
    path.write_text(f"# Libraries Matter\n\n*By Priya Nandakumar*\n\n> {' '.join(FINCH)}\n>\n> \u2014 Harold Finch\n\n"
                    f"{REPLY}\n\n{REPLY} Twice.\n", encoding="utf-8")
    said = {" ".join(p.text.split()): p.author for p in prepare_article(path, None, "0" * 64)[1]}
    assert said[" ".join(FINCH) + " \u2014 Harold Finch"] == "Harold Finch"
    review = [
        "# Paving paradise", "*Reviewed by Fergus Odhiambo*",
        "*Empty Lots*, by Marisol Etxeberria, argues that parking minimums are a hidden tax on housing.",
        "The early chapters are the book's best. She has done the arithmetic on what those spaces cost:",
        "> A single parking space costs more to build than a household spends on groceries in four years.",
        "> \u2014 p. 58", f"{REPLY} Her chapter \"Main Street Doesn't Need Your Car\" goes further.",
        "> The fear that removing minimums leaves nowhere to park is a fear of change.", "> \u2014 p. 112",
        f"{REPLY} Twice."]
    path.write_text("\n\n".join(review), encoding="utf-8")
    passages = prepare_article(path, None, "0" * 64)[1]

    def who(words: str) -> set[str | None]:
        return {p.author for p in passages if words in p.text}
    assert who("A single parking space") == who("The fear that removing minimums") == {"Marisol Etxeberria"}
    assert who("The early chapters are the book's best") == {"Fergus Odhiambo"}


LETTER = ("{opening} I have taught for twenty years, and a ban is the precondition for teaching anything at all,"
          " whatever the research on exam results may say about it.")


def test_each_signed_letter_on_a_page_is_its_signers(tmp_path):
    """A letters page: each letter is the words of the name signed under it (after its place); the
    editors' headlines and the page's closing note are nobody's; no letter runs into the next."""
    letters = [("Phones are away, and pupils are talking again", "Deborah Kimani, Sheffield"),
               ("The conflict just moved to our kitchen", "\u2014 Dr Owen Pritchard, Cardiff"),
               ("Ask the pupils, and ask by age", "Ella Brennan")]
    page = ["LETTERS TO THE EDITOR", ""]
    for n, (headline, signature) in enumerate(letters):
        page += [headline, "", LETTER.format(opening=f"Letter {n}."), "", signature, "", ""]
    page.append("Letters may be edited for length and clarity, and must include a full postal address.")
    path = tmp_path / "letters.txt"
    path.write_text("\n".join(page), encoding="utf-8")
    article, passages = prepare_article(path, None, "0" * 64)
    said = {p.text.split(" I have")[0]: p.author for p in passages}
    assert article.authors == ["Deborah Kimani", "Owen Pritchard", "Ella Brennan"] and article.form == "letters"
    assert [said[f"Letter {n}."] for n in range(3)] == article.authors
    assert said.get("The conflict just moved to our kitchen") is None


def test_an_exchange_of_letters_closed_by_yours_sincerely(tmp_path):
    """"Dear ...," to "Yours sincerely," and the signer's name: each letter is its signer's; the
    editor's note between them, above the reply's salutation, is the page's."""
    first = LETTER.format(opening="Letter one.")
    reply = LETTER.format(opening="Letter two.")
    page = ["AN EXCHANGE: THE NIGHTS AT STELLBRIDGE", "Dear Ms Ashdown,", first, "Yours sincerely,",
            "Tobias Renner", "Chair, Stellbridge Hospital Action Group", "* * *",
            "The Courier invited the health board to respond. Ms Ashdown's reply is printed in full below. -- Editor",
            "Dear Mr Renner,", reply, "Yours sincerely,", "Helen Ashdown", "Chief Executive, North Vale Health Board"]
    path = tmp_path / "exchange.txt"
    path.write_text("\n\n".join(page) + "\n", encoding="utf-8")
    article, passages = prepare_article(path, None, "0" * 64)
    assert article.authors == ["Tobias Renner", "Helen Ashdown"] and article.form == "letters"
    assert {p.author for p in passages if "Letter one." in p.text} == {"Tobias Renner"}
    assert {p.author for p in passages if "Letter two." in p.text} == {"Helen Ashdown"}
    assert {p.author for p in passages if "The Courier invited" in p.text} == {None}


def test_an_open_letters_list_of_signatories_is_one_letter(tmp_path):
    """Co-signatories listed under one letter sign it together: it is not split into letters."""
    body = "\n\n".join(LETTER.format(opening=f"Point {n}.") for n in range(3))
    path = tmp_path / "open-letter.txt"
    path.write_text(f"An Open Letter on Phones\n\n{body}\n\nDeborah Kimani, Sheffield\nOwen Pritchard, Cardiff\n"
                    "\nElla Brennan, York\n", encoding="utf-8")
    _, passages = prepare_article(path, None, "0" * 64)
    assert len({p.author for p in passages if p.text.startswith("Point")}) == 1


def test_a_speech_with_one_label_at_its_start_is_the_speakers():
    """'GOVERNOR VASQUEZ:' once, under 'Remarks by Governor Elena Vasquez': the whole speech is hers
    (the header nobody's); one label further down an article opens no speech."""
    speech = "We must capture the storms, recycle what we treat, and waste less of what we have left to us."
    paragraphs = ["FOR IMMEDIATE RELEASE", "Remarks by Governor Elena Vasquez at the State Water Summit",
                  "January 18, 2024", f"GOVERNOR VASQUEZ: Thank you. {speech}", speech + " (Applause.)", speech]
    attribution, said = said_by(paragraphs)
    assert attribution.authors == ["Elena Vasquez"]
    assert [who for text, who in said.items() if "January 18, 2024" in text] == [None]
    assert {who for text, who in said.items() if "capture the storms" in text} == {"Elena Vasquez"}
    oped = ["By Jane Roe", speech + " " + speech, "Henry Kissinger made the case decades ago.",
            "KISSINGER: Diplomacy is the art of restraining power.", speech]
    attribution = attribute(oped[1:], ["Jane Roe"], None)
    assert {s.author for s in attribution.segments} == {"Jane Roe"}


PROSE = "Every winter my clinic fills with children who cannot catch their breath, and the council can change that."
OTHER_PROSE = ["Prime farmland is a finite resource and nobody is making more of it, so keep the panels off it.",
               "Panels sit on driven steel piles, and after the lease the ground can be farmed again as before.",
               "That is the promise, and I would like to see the contract that guarantees it to the county."]


def test_pieces_under_their_own_bylines_are_their_writers(tmp_path):
    """A point/counterpoint page (each half under its own byline, in the page's byline element): each
    half is its writer's, the editors' intro and the second half's headline nobody's."""
    half = "".join(f"<p>{PROSE} {text}</p>" for text in OTHER_PROSE)
    page = ('<html><head><title>Point/Counterpoint</title><meta name="author" content="Editorial Board"></head>'
            "<body><article><h1>Point/Counterpoint: Should cities ban gas stoves?</h1>"
            "<p>The council votes in March on the ordinance, and we asked two local voices to make their case.</p>"
            f'<h2>Point: Yes</h2><p class="byline">By Dr. Laura Chen</p>{half.replace("breath", "breath (Chen)")}'
            f'<h2>Counterpoint: No. Let cooks decide</h2><p class="byline">By Marcus Webb</p>{half}'
            "</article></body></html>")
    path = tmp_path / "point.html"
    path.write_text(page, encoding="utf-8")
    article, passages = prepare_article(path, None, "0" * 64)
    assert article.form == "collection" and article.authors == ["Laura Chen", "Marcus Webb"]
    assert {p.author for p in passages if "(Chen)" in p.text} == {"Laura Chen"}
    assert {p.author for p in passages if PROSE in p.text and "(Chen)" not in p.text} == {"Marcus Webb"}
    assert {p.author for p in passages if "Let cooks decide" in p.text} == {None}


def prepared(path: Path, text: str):
    """The article and passages the pipeline makes of `text` written to `path`."""
    path.write_text(text, encoding="utf-8")
    return prepare_article(path, None, "0" * 64)


def test_a_guest_post_under_its_own_byline_is_the_guests_and_the_afterword_the_hosts(tmp_path):
    """A newsletter by its editor (front matter) hosting a guest essay under the guest's byline: the
    guest's words run from the byline to the editor's next heading, the rest is the editor's."""
    guest = "\n\n".join(f"(guest) {text}" for text in OTHER_PROSE)
    post = ("---\ntitle: Who should pay when it rains?\nauthor: Hollis Penrose\n---\n\n"
            f"Good morning, readers. Today's guest post is by Dr. Marisol Anand, who teaches hydrology. {PROSE}\n\n"
            f"## Pay for the rain you send downstream\n\n*by Dr. Marisol Anand*\n\n{guest}\n\n"
            f"## Afterword: where I part company with Marisol\n\n(host) {PROSE}\n")
    article, passages = prepared(tmp_path / "ledger-118.md", post)
    assert article.authors == ["Hollis Penrose"]
    assert {p.author for p in passages if "(guest)" in p.text} == {"Marisol Anand"}
    assert {p.author for p in passages if "Good morning" in p.text or "(host)" in p.text} == {"Hollis Penrose"}


def test_an_editors_note_and_a_correction_are_the_publications(tmp_path):
    oped = ["# Switching off the streetlights is a false economy", "By Graham Ollerton",
            "Editor's note: Graham Ollerton served for twenty-six years as a police officer in Fallowmere.",
            PROSE, OTHER_PROSE[0],
            "Correction: An earlier version said the conversion was paid for by a grant. \u2014 The Editors"]
    _, passages = prepared(tmp_path / "oped.md", "\n\n".join(oped) + "\n")
    assert {p.author for p in passages if "Editor's note" in p.text or "Correction" in p.text} == {None}
    assert {p.author for p in passages if PROSE in p.text} == {"Graham Ollerton"}


def test_an_unsigned_editorial_and_the_opposing_view_under_it(tmp_path):
    """An editorial under its board's byline is no person's words, and is no byline author; the
    signed opposing view printed under it (outside <article>) is its writer's."""
    page = ("<html><head><title>Our view | The Courier</title></head><body><article><h1>Our view: Ban gas</h1>"
            f'<p class="byline">The Courier Editorial Board \u00b7 March 3, 2024</p><p>{PROSE}</p></article>'
            '<div class="opposing-view"><h2>Let cooks decide</h2><p class="author">By Marcus Webb, chef</p>'
            + "".join(f"<p>{text}</p>" for text in OTHER_PROSE) + "</div></body></html>")
    path = tmp_path / "editorial.html"
    path.write_text(page, encoding="utf-8")
    article, passages = prepare_article(path, None, "0" * 64)
    assert article.authors == ["Marcus Webb"]
    assert {p.author for p in passages if PROSE in p.text} == {None}
    assert {p.author for p in passages if OTHER_PROSE[0] in p.text} == {"Marcus Webb"}


def test_separate_opinions_under_headings_naming_their_judges(tmp_path):
    """A court report: the opinion "delivered by" one judge, then each concurring and dissenting
    judge's reasons under a heading naming them; the header listing the bench is nobody's."""
    decision = ("# COURT OF APPEAL\n\nBefore: Judge Anneliese Moreau, Judge Kwame Asante, Judge Beatrix Holloway\n\n"
                f"## Opinion of the Court, delivered by Judge Anneliese Moreau\n\n1. {PROSE}\n\n"
                f"## Judge Kwame Asante, concurring:\n\n2. {OTHER_PROSE[0]}\n\n"
                f"## Judge Beatrix Holloway, dissenting:\n\n3. {OTHER_PROSE[1]}\n")
    path = tmp_path / "decision.md"
    path.write_text(decision, encoding="utf-8")
    article, passages = prepare_article(path, None, "0" * 64)
    said = {n: p.author for p in passages for n in (1, 2, 3) if f"{n}. " in p.text}
    assert said == {1: "Anneliese Moreau", 2: "Kwame Asante", 3: "Beatrix Holloway"}
    assert article.authors == ["Anneliese Moreau", "Kwame Asante", "Beatrix Holloway"]
    assert {p.author for p in passages if "Before:" in p.text} <= {None}


def test_a_hard_wrapped_decision_with_a_majority_opinion_and_a_dissent(tmp_path):
    """A tribunal's decision as a PDF gives it: lines wrapped at 90 characters, no blank lines. "Judge X
    delivered the opinion of the panel" opens the majority's reasons; "Judge Y, dissenting." on the
    line after the majority's last sentence opens the dissent, and the judges' names signing it are
    nobody's words."""
    import textwrap

    def wrapped(text: str) -> list[str]:
        return textwrap.wrap(text, 90)

    lines = ["KESTREL POINT HOUSING APPEALS TRIBUNAL",
             "Judge Adaeze Morrow delivered the opinion of the panel, in which Tribunal Member Helena Quist",
             "joined.",
             *wrapped(f"1. {PROSE} {OTHER_PROSE[0]} {OTHER_PROSE[1]} The appeal is dismissed."),
             "Judge Tomasz Brennan, dissenting.",
             *wrapped(f"2. {OTHER_PROSE[2]} {OTHER_PROSE[0]} I would have allowed the appeal in part."),
             "Judge Adaeze Morrow", "Judge Tomasz Brennan"]
    article, passages = prepared(tmp_path / "decision.txt", "\n".join(lines) + "\n")
    said = {n: p.author for p in passages for n in (1, 2) if f"{n}. " in p.text}
    assert said == {1: "Adaeze Morrow", 2: "Tomasz Brennan"}
    assert article.authors == ["Adaeze Morrow", "Tomasz Brennan"]
    assert "Judge Tomasz Brennan, dissenting." not in next(p.text for p in passages if "1. " in p.text)


def test_a_symposium_of_pieces_each_signed_under_its_text(tmp_path):
    """Contributors named only after their pieces, by a dash and the name or by a bio line: each piece
    from its heading to its signature is theirs; the unsigned introduction and the page's closing
    lines are nobody's; a sentence opening on a book's title ("Empty Lots is worth reading") signs nothing."""
    page = "\n\n".join([
        "# Should Quayside Street go car-free on Saturdays?",
        f"The mayor's office has proposed a closure. We asked four readers. {PROSE}",
        "### Footfall follows people", f"(one) {OTHER_PROSE[0]} {PROSE}", f"(one) {OTHER_PROSE[1]} {PROSE}",
        "\u2014 Nadia Okonjo-Reyes, senior lecturer in urban planning at Larkhaven Polytechnic",
        "### Thirty-one years behind this counter", f"(two) {OTHER_PROSE[2]} {PROSE}",
        "Empty Lots is worth reading, and worth arguing with, as every shopkeeper on this street will be glad to "
        "tell you on a Saturday.",
        "*Brian Haddow is the owner of Haddow & Sons Family Butchers, 14 Quayside Street.*",
        "*Have your say: letters@ledger.example. Contributors write in a personal capacity.*"])
    article, passages = prepared(tmp_path / "symposium.md", page + "\n")
    assert {p.author for p in passages if "(one)" in p.text} == {"Nadia Okonjo-Reyes"}
    assert {p.author for p in passages if "(two)" in p.text or "Empty Lots" in p.text} == {"Brian Haddow"}
    assert {p.author for p in passages if "mayor's office" in p.text or "Have your say" in p.text} == {None}
    assert article.authors == ["Nadia Okonjo-Reyes", "Brian Haddow"]


def test_a_thread_export_is_its_writers_numbered_posts_and_each_inline_reply_its_posters():
    """A social-media thread export: the writer's numbered posts ("5/12 · 08:12") under their profile
    line, replies shown inline as block quotations under their own header ("Bex Okafor (@bex@social.example)
    · 08:31 ..."): each reply is its poster's, and the writer's next numbered post is the writer's again."""
    thread = [
        "Exported from ashvale.social \u00b7 14 May 2025 \u00b7 12 posts by @rowan_ashdown",
        "Rowan Ashdown (@rowan_ashdown@ashvale.social) \u00b7 Bio: Fairfield resident and walker.",
        "1/12 \u00b7 08:02", f"(writer) {PROSE}",
        "    Bex Okafor (@bexley_pavements@ashvale.social) \u00b7 08:31 @bexley_pavements replying to "
        f"@rowan_ashdown: (reply) {OTHER_PROSE[0]}",
        "2/12 \u00b7 08:12", f"(writer) {OTHER_PROSE[1]}",
        f"    tomasz_w (@tomasz_w@treehugger.example) \u00b7 08:47 @tomasz_w replying to @rowan_ashdown: (reply) "
        f"{OTHER_PROSE[2]}"]
    attribution, said = said_by(thread)
    assert {who for text, who in said.items() if "(writer)" in text} == {"Rowan Ashdown"}
    # A headline in capitals or a numbered note with a year is no post's header.
    assert poster("SATURDAY MARKET TO MOVE TO CATTLE YARD SQUARE AFTER COUNCIL VOTE") is None
    assert poster("2. Cattle Yard Square was restored in 2023-24 with grant funding. The") is None
    assert said[thread[4].strip()] == "Bex Okafor" and said[thread[7].strip()] == "tomasz_w"


def test_an_email_thread_is_each_senders_words_and_a_quotation_its_writers(tmp_path):
    """Messages under "From:" header blocks, newest first; a reply quoting the message it answers
    under "On <date>, <Name> wrote:"; header lines, signatures and the export's cover are nobody's."""
    thread = "\n\n".join([
        "Council Mail Archive Export", "Exported by: Janelle Osei, Records", "=" * 40,
        "From: Marguerite Lindqvist <m.lindqvist@council.example>", "To: Ravi Chandrasekar <ravi@council.example>",
        "Date: Thu, 7 Mar 2024 21:48:03 +1300", "Subject: Re: Rental cap", f"Ravi, {PROSE}", "--",
        "Cr Marguerite Lindqvist", "On Tue, 5 Mar 2024 at 08:55, Ravi Chandrasekar <ravi@council.example> wrote:",
        f"> {OTHER_PROSE[0]}", "=" * 40,
        "From: Ravi Chandrasekar <ravi@council.example>", "To: Marguerite Lindqvist <m.lindqvist@council.example>",
        "Date: Tue, 5 Mar 2024 08:55:17 +1300", "Subject: Rental cap", OTHER_PROSE[0], OTHER_PROSE[1], "Ravi"])
    path = tmp_path / "thread.txt"
    path.write_text(thread, encoding="utf-8")
    article, passages = prepare_article(path, None, "0" * 64)
    assert article.form == "letters" and article.authors == ["Marguerite Lindqvist", "Ravi Chandrasekar"]
    assert {p.author for p in passages if PROSE in p.text} == {"Marguerite Lindqvist"}
    assert {p.author for p in passages if OTHER_PROSE[1] in p.text} == {"Ravi Chandrasekar"}
    assert {p.author for p in passages if "Exported by" in p.text or "From:" in p.text} <= {None}
    # A text that only mentions a sender is no email: "From:" needs a Date, Sent or Subject line under it.
    path.write_text(f"A Note\n\nBy Jane Doe\n\nFrom: the archives of the council\n\n{PROSE}", encoding="utf-8")
    assert prepare_article(path, None, "0" * 64)[0].form == "article"


def test_a_debate_report_gives_each_speech_to_the_speaker_its_heading_names(tmp_path):
    """"Proposing the motion: Name, role" over a speech: the speech is the speaker's, up to the report's
    next heading ("Floor questions"); the rest is the report's writer's; a field above the text
    ("Chair: Ruth Okafor") names no speech."""
    document = docx.Document()
    document.add_heading("Debate report: This House would make buses free", 1)
    document.add_paragraph("Chair: Ruth Okafor")
    document.add_paragraph("Held at the Corn Exchange on 13 March. Report by Imogen Tallis, society secretary.")
    document.add_paragraph(PROSE + " The hall was full.")
    for heading, text in (("Proposing the motion: Nadia Ferreira, chair of the Bus Users' Alliance", OTHER_PROSE[0]),
                          ("Opposing the motion: Gareth Pryce, former finance director", OTHER_PROSE[1]),
                          ("Floor questions", OTHER_PROSE[2])):
        document.add_heading(heading, 2)
        document.add_paragraph(f"{text} I say this to the House.")
    path = tmp_path / "debate.docx"
    document.save(path)
    article, passages = prepare_article(path, None, "0" * 64)

    def who(words: str) -> set[str | None]:
        return {p.author for p in passages if words in p.text}
    assert who(OTHER_PROSE[0]) == {"Nadia Ferreira"} and who(OTHER_PROSE[1]) == {"Gareth Pryce"}
    assert who(OTHER_PROSE[2]) == who(PROSE) == {"Imogen Tallis"} and article.authors == ["Imogen Tallis"]


def test_a_live_blogs_entries_are_their_reporters_and_an_organisations_statement_nobodys(tmp_path):
    """Entries under "By <span class="entry-author">" bylines, newest first: trafilatura leaves out the
    top entry's byline, which the same reporter's byline further down must not stand in for; an
    embedded statement signed by an organisation is no reporter's words, nor any person's."""
    entries = [("Priya Das", OTHER_PROSE[0]), ("Tomasz Wren", OTHER_PROSE[1]), ("Priya Das", OTHER_PROSE[2])]
    body = "".join(
        f'<article class="entry"><p class="entry-time">21:{40 - 10 * n}</p><p class="entry-byline">By '
        f'<span class="entry-author">{name}</span></p><h2>Update {n}</h2><p>{text} Update {n} ends.</p>'
        + (f"<p>The charity sent this statement:</p><blockquote><p>{PROSE}</p><p>\u2014 Sight Loss Association,"
           " 14 November</p></blockquote>" if n == 1 else "") + "</article>"
        for n, (name, text) in enumerate(entries))
    page = ("<html><head><title>Live: the council votes</title></head><body><main class=\"liveblog\">"
            f"<h1>Live: the council votes</h1>{body}</main></body></html>")
    path = tmp_path / "live.html"
    path.write_text(page, encoding="utf-8")
    _, passages = prepare_article(path, None, "0" * 64)

    def who(words: str) -> set[str | None]:
        return {p.author for p in passages if words in p.text}
    assert [who(f"Update {n} ends") for n in range(3)] == [{"Priya Das"}, {"Tomasz Wren"}, {"Priya Das"}]
    assert who(PROSE) == {None}


def test_posts_under_headings_cut_from_one_template_are_their_writers(tmp_path):
    """A forum thread: '### Post #3 — @jo (Jo Brandt), 14 May 2024' over each post; title-case
    subheadings of one writer's article are no such headings."""
    posts = [(1, "grainfarmer_jo", "Jo Brandt"), (2, "volts", "Priya Raman"), (3, "grainfarmer_jo", "Jo Brandt")]
    thread = "# Solar on prime farmland?\n\n" + "\n\n".join(
        f"### Post #{n} — @{handle} ({name}), {11 + n} May 2024\n\nPost {n}. {OTHER_PROSE[n - 1]}"
        for n, handle, name in posts)
    path = tmp_path / "thread.md"
    path.write_text(thread, encoding="utf-8")
    article, passages = prepare_article(path, None, "0" * 64)
    said = {n: p.author for p in passages for n in (1, 2, 3) if f"Post {n}." in p.text}
    assert article.form == "collection" and said == {1: "Jo Brandt", 2: "Priya Raman", 3: "Jo Brandt"}
    # A reply quoting the post it answers: the quotation is the earlier writer's, and it is kept.
    quoted = OTHER_PROSE[1].split(", and")[0]
    path.write_text(thread.replace("\n\nPost 3.", f"\n\n> {quoted}.\n\nPost 3."), encoding="utf-8")
    article, passages = prepare_article(path, None, "0" * 64)
    assert [p.author for p in passages if p.text.startswith(quoted)] == ["Priya Raman"]
    assert not article.dropped or all(quoted not in d.text for d in article.dropped)
    heads = ("Putin Gambit", "Xi Jinping")
    essay = "# Why Sanctions Fail\n\nBy Jane Roe\n\n" + "\n\n".join(
        f"## The {name} Problem\n\n{text}" for name, text in zip(heads, OTHER_PROSE, strict=False))
    path.write_text(essay, encoding="utf-8")
    article, passages = prepare_article(path, None, "0" * 64)
    assert article.form == "article" and {p.author for p in passages} == {"Jane Roe"}


def test_a_readers_letter_in_a_column_is_its_signers(tmp_path):
    """'Dear Rosalind, ...' down to '— Torn in Toledo': the reader's words, under the signature as
    signed (a pen name stays one); the columnist's reply around it keeps the byline."""
    column = ("# Ask Rosalind: Should I sign the petition?\n\nBy Rosalind Park\n\n**Dear Rosalind,**\n\n"
              f"{OTHER_PROSE[0]}\n\n{OTHER_PROSE[1]}\n\n\u2014 Torn in Toledo\n\n---\n\n**Dear Torn,**\n\n"
              f"{OTHER_PROSE[2]}\n\n{PROSE}\n")
    path = tmp_path / "column.md"
    path.write_text(column, encoding="utf-8")
    article, passages = prepare_article(path, None, "0" * 64)
    said = {text: p.author for p in passages for text in [*OTHER_PROSE, PROSE] if text in p.text}
    assert article.authors == ["Rosalind Park"]
    assert said == {OTHER_PROSE[0]: "Torn in Toledo", OTHER_PROSE[1]: "Torn in Toledo",
                    OTHER_PROSE[2]: "Rosalind Park", PROSE: "Rosalind Park"}


def test_a_header_line_naming_the_maker_of_a_text_gives_its_author(tmp_path):
    """No byline, no label: "Commencement address by Dr. Alan Brooks" and "A weekly newsletter on
    local government, by Samuel Adeyemi" name the author (a sign-off "Samuel" does not outrank it);
    a headline's own "by" ("Killed by Friendly Fire") names no one."""
    body = f"{PROSE}\n\n{OTHER_PROSE[0]} (Applause)\n\n{OTHER_PROSE[1]}\n"
    cases = {"Commencement address by Dr. Alan Brooks, May 12, 2024": ["Alan Brooks"],
             "The Civic Ledger\n\nA weekly newsletter on local government, by Samuel Adeyemi": ["Samuel Adeyemi"],
             "Killed by Friendly Fire": []}
    for header, authors in cases.items():
        path = tmp_path / "speech.txt"
        path.write_text(f"{header}\n\n{body}\nSamuel\n" if "newsletter" in header else f"{header}\n\n{body}")
        article, passages = prepare_article(path, None, "0" * 64)
        assert article.authors == authors, header
        assert {p.author for p in passages} == {authors[0] if authors else None}, header


def test_minutes_are_their_clerks_and_a_quotation_in_them_the_speakers(tmp_path):
    """A meeting's minutes name their writer in a closing line ("Minutes taken by ..."): the reported
    speech is the clerk's; a quotation is the words of the person its clause names, whose name ends
    at a bracket ("Keira Bannon (Tillingbourne Youth Football Club)") and loses its "Cllr"."""
    minutes = [
        "PARKS AND OPEN SPACES COMMITTEE", "Minutes of the meeting held on Tuesday 11 March 2025",
        "Present: Cllr Chidi Okafor (Chair), Cllr Helen Marsh-Whitley (Vice-Chair)",
        "Also present: Keira Bannon (Tillingbourne Youth Football Club) and eleven members of the public.",
        "4.1 Keira Bannon (Tillingbourne Youth Football Club) said that the club had cancelled 31 fixtures. "
        "\u201cEvery cancelled Saturday is a child who drifts away from sport,\u201d she said.",
        "5.2 Cllr Helen Marsh-Whitley said that she could not support the pitch. \u201cWe would be paving a meadow "
        "with plastic and calling it progress,\u201d Cllr Marsh-Whitley said.",
        "5.3 RESOLVED: That the Head of Parks be authorised to submit a funding bid for the pitch.",
        "The meeting closed at 8.52 pm.", "Minutes taken by Annika Lovstad, Democratic Services Officer."]
    path = tmp_path / "minutes.txt"
    path.write_text("\n\n".join(minutes) + "\n", encoding="utf-8")
    article, passages = prepare_article(path, None, "0" * 64)
    assert article.authors == ["Annika Lovstad"]
    assert {p.author for p in passages if p.kind == "body"} == {"Annika Lovstad"}
    assert {p.text: p.author for p in passages if p.kind == "quote"} == {
        "Every cancelled Saturday is a child who drifts away from sport,": "Keira Bannon",
        "We would be paving a meadow with plastic and calling it progress,": "Helen Marsh-Whitley"}


def test_a_role_in_an_author_field_and_an_office_before_a_quoted_name_are_no_names():
    from index.people import split_people

    assert split_people(["Gareth Whitcombe; Personal Finance Columnist"]) == (["Gareth Whitcombe"], [])
    assert split_people(["Mark Senior"]) == (["Mark Senior"], [])
    assert names_in("As Councillor Amy Fuller put it:") == ["Amy Fuller"]


# -- quotations inside a paragraph (index/quotations.py) --------------------------------------------
EDITORIAL = [
    "Drive the Millbrook Road any morning and you will see bottles in every ditch along the river.",
    "The case was put well by Regional Waste Commissioner Helena Marchetti, who told a committee that the"
    " region was \u201cpaying twice for every bottle: once to make it and again to pick it out of a river.\u201d",
    "Councillor Bruno Atwell was not persuaded. \u201cIt is a tax on families who buy in bulk and have no car,\u201d"
    " Atwell said. He added that he would back a scheme only with large stores taking returns.",
    "\u201cWe have studied this for six years and the ditches are still full,\u201d he said of the delay.",
    "We say: legislate for a twenty-cent deposit in the next session, and \u201cget on with it\u201d.",
]


def test_a_quotation_in_a_paragraph_is_also_a_passage_of_the_person_quoted(tmp_path):
    """The reporting clause names whose words a quotation is: a relative clause before it ("who told a
    committee that"), a surname after it ("Atwell said"), a pronoun for the person its paragraph opens
    on; a short phrase in quotation marks is no one's quotation. The writer's paragraph is unchanged."""
    path = tmp_path / "editorial.txt"
    path.write_text("A Deposit Now\n\nBy Jane Doe\n\n" + "\n\n".join(EDITORIAL), encoding="utf-8")
    _, passages = prepare_article(path, None, "0" * 64)
    quoted = {p.text: p.author for p in passages if p.kind == "quote"}
    assert quoted == {
        "paying twice for every bottle: once to make it and again to pick it out of a river.": "Helena Marchetti",
        "It is a tax on families who buy in bulk and have no car,": "Bruno Atwell",
        "We have studied this for six years and the ditches are still full,": "Bruno Atwell",
    }
    assert {p.author for p in passages if p.kind == "body"} == {"Jane Doe"}


def test_single_quotation_marks_and_a_colon_lead_in_quote_their_speaker(tmp_path):
    """British single quotation marks (an apostrophe inside a word does not close them), and a
    lead-in ending with a colon whose subject is the person ("Ronan Tully, who ..., put it to us
    bluntly:")."""
    paragraphs = [
        "The council's case leans on the idea that fishing here is finished. Ronan Tully, who has skippered "
        "the crabber Morwenna out of Port Aldwick for twenty-six years, put it to us bluntly: 'They keep "
        "telling us we're a museum piece. Museums don't pay harbour dues.'",
        "Helen Marsh agreed. \u2018We\u2019ve run this quay for a century and we can run it for another,\u2019 "
        "she said.",
        "The writers' own view is simple: 'sell the quay' is no plan at all for a town that still fishes."]
    path = tmp_path / "quay.txt"
    path.write_text("Don't Sell the Quay\n\nBy Isolde Marchetti\n\n" + "\n\n".join(paragraphs), encoding="utf-8")
    _, passages = prepare_article(path, None, "0" * 64)
    assert {p.text: p.author for p in passages if p.kind == "quote"} == {
        "They keep telling us we're a museum piece. Museums don't pay harbour dues.": "Ronan Tully",
        "We\u2019ve run this quay for a century and we can run it for another,": "Helen Marsh"}


def test_a_pronoun_cue_never_makes_a_place_or_an_office_someone(tmp_path):
    """"He writes:" is the person the paragraph names, not the road it also names ("Ridge Hollow Road"),
    nor an office of its speaker ("First Selectwoman", a title like any other)."""
    paragraph = (
        "I serve as First Selectwoman of Wyeth. But last August eleven households on Ridge Hollow Road had wells "
        "run dry. I have a letter from one of those residents, Mr. Owen Pratt, who milks ninety cows on Ridge "
        "Hollow Road. He writes: \u201cI do not know whether the bottling plant dried up my well, and that is "
        "exactly what frightens me.\u201d")
    path = tmp_path / "hearing.txt"
    path.write_text("Wells Run Dry\n\nBy Ada Tembo\n\n" + paragraph, encoding="utf-8")
    _, passages = prepare_article(path, None, "0" * 64)
    assert [p.author for p in passages if p.kind == "quote"] == ["Owen Pratt"]


def test_a_quotation_going_on_after_its_reporting_clause_is_the_same_speakers(tmp_path):
    """A press release's '"...," said Joan Tetley, chair of the traders. "..."': the second part has
    no cue of its own, it goes on from the first."""
    paragraph = ("\u201cOur members voted two to one against moving,\u201d said Joan Tetley, chair of the Hollinsford "
                 "Market Traders' Association. \u201cCattle Yard Square is a lovely space, but it is three hundred "
                 "metres from where people actually walk.\u201d")
    _, passages = prepared(tmp_path / "release.txt", f"MARKET TO MOVE\n\n{PROSE}\n\n{paragraph}\n")
    assert {p.text: p.author for p in passages if p.kind == "quote"} == {
        "Our members voted two to one against moving,": "Joan Tetley",
        "Cattle Yard Square is a lovely space, but it is three hundred metres from where people actually walk.":
            "Joan Tetley"}


def test_a_quoted_person_is_found_by_name_and_stays_out_of_other_searches(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "editorial.txt").write_text("A Deposit Now\n\nBy Jane Doe\n\n" + "\n\n".join(EDITORIAL))
    from conftest import make_settings

    from assistant import Assistant

    assistant = Assistant(make_settings(tmp_path / "data", corpus))
    assistant.index([corpus])
    found = assistant.search("What did Helena Marchetti say about the cost of bottles?", 5)
    assert found[0].author == "Helena Marchetti" and found[0].kind == "quote"
    assert {p.author for p in found[1:]} >= {"Jane Doe"}  # and what the writer says on the question
    assert all(p.kind != "quote" for p in assistant.search("the cost of bottles in the river", 10))
    assert [p.author for p in assistant.positions("Should there be a bottle deposit?")] == ["Jane Doe"]


def test_a_chat_exports_messages_are_each_their_senders_even_a_number(tmp_path):
    """A WhatsApp export: "[date, time] Sender: message", a message going on over the lines below it.
    The stamp vouches for the sender, a name or a number never saved as a contact; before, a
    number's messages ran on as the previous sender's. Its notices are nobody's."""
    chat = "\n".join([
        "[01/02/2025, 10:14:09] Pellow Lane Neighbours: \u200eGill Ashcroft created this group",
        "[03/03/2025, 19:02:11] Gill Ashcroft: Evening all. The consultation on the dog area closes on Friday.",
        "The plan is a fenced area of about 0.4 hectares in the corner by the allotments, with a double gate.",
        "[03/03/2025, 19:09:02] Tomasz Wren: Longer version: there must be 600 dogs within walking distance.",
        "[04/03/2025, 07:31:20] +44 7700 900412: Morning, I'm against this, and not because I dislike dogs.",
        "We already have a dog fouling problem on the path to the school.",
        "[04/03/2025, 07:40:02] Tomasz Wren: The fouling on the school path is the argument FOR a fenced area.",
        "04/03/2025, 08:02 - Gill Ashcroft: Noted. Draft going round on Thursday evening.",
        "[04/03/2025, 09:50:07] Pellow Lane Neighbours: \u200eGill Ashcroft added Lorraine Tuck",
        "04/03/2025, 09:51 - Paul Hendry left",
    ])
    article, passages, said = owned(tmp_path / "WhatsApp Chat - Neighbours.txt", chat, (
        "double gate", "600 dogs", "fouling problem", "argument FOR", "Draft going round"))
    assert said == {"double gate": {"Gill Ashcroft"}, "600 dogs": {"Tomasz Wren"},
                    "fouling problem": {"+44 7700 900412"}, "argument FOR": {"Tomasz Wren"},
                    "Draft going round": {"Gill Ashcroft"}}
    assert not any(re.search(r"\d:\d\d", p.text) for p in passages if p.author)
    # The export's notices (sent in the group's name, or with no sender) are nobody's words.
    assert {p.author for p in passages if "added Lorraine" in p.text or "Hendry left" in p.text} == {None}
    assert "Pellow Lane Neighbours" not in article.authors


def test_a_talk_pages_comments_are_each_their_signers(tmp_path):
    """A wiki talk page: each comment signed at its end ("— Name (talk) 09:12, 2 May 2025 (UTC)", or
    the name alone before its talk link), an unsigned one signed by a bot with the address it came
    from; section headings are nobody's."""
    def comment(text: str, signature: str, depth: int = 0) -> str:
        return "<dl><dd>" * depth + f"<p>{text} {signature}</p>" + "</dd></dl>" * depth

    stamp = "(<a href='/wiki/User_talk:X'>talk</a>) {} May 2025 (UTC)"
    page = "".join([
        "<html><head><title>Talk:Quay Street trial - Civic Wiki</title></head><body><div id='content'>",
        "<h1>Talk:Quay Street trial</h1><h2>What the trial would do</h2>",
        comment(f"I started this page to gather the arguments. {PROSE}", "\u2014 Harbourside Annie "
                + stamp.format("09:12, 2")),
        comment(f"Strong support from a cyclist. {OTHER_PROSE[0]}", "\u2014 Preceding unsigned comment added by "
                "86.12.44.201 " + stamp.format("11:47, 2"), 1),
        "<h2>Traders' concerns</h2>",
        comment(f"Oppose, as a shopkeeper on the street. {OTHER_PROSE[1]}", "GLowndes " + stamp.format("08:05, 4")),
        comment("@GLowndes: customers could still collect heavy goods before ten in the morning, and the order "
                "can include a loading exemption.", "Harbourside Annie " + stamp.format("10:21, 4"), 1),
        "</div></body></html>"])
    article, passages, said = owned(tmp_path / "Talk_Quay_Street.html", page, (
        "started this page", "from a cyclist", "as a shopkeeper", "heavy goods", "Traders' concerns"))
    assert said == {"started this page": {"Harbourside Annie"}, "from a cyclist": {"86.12.44.201"},
                    "as a shopkeeper": {"GLowndes"}, "heavy goods": {"Harbourside Annie"},
                    "Traders' concerns": {None}}


SCRIPT = """Title: THE HALL DEBATE
Episode: 7

INT. ACADEMY - MAIN HALL - EVENING

About eighty parents, pupils and staff on plastic chairs. A
banner reads THE HALL DEBATE. PRIYA DESAI (30s), the presenter,
stands at a lectern. On the left sits ALAN HURST (50s),
headteacher; on the right, CLAIRE BOATENG (40s), chair of the
Parent Forum, and JOSH KELLAND (17), head student.

                      PRIYA
          Good evening and welcome to The Hall
          Debate. Tonight's question: should the
          academy bring in a branded uniform?
          Mr Hurst, it's your proposal.

                      HURST
                (standing, then sitting)
          Thank you, Priya. A single blazer
          that everybody wears takes the
          competition off the table.

                      BOATENG
          The full branded list for a Year 7
          child comes to one hundred and
          forty-two pounds, against forty-five.

                      JOSH
          The student council ran a survey and
          five hundred and twelve people
          answered.

                      JOSH (CONT'D)
                (grinning)
          My friend Ellie put it best. She
          said, "Nobody has ever scored a goal
          because of the badge on their shorts."

                      AUDIENCE MEMBER (O.S.)
          My son grew four inches in Year 8.
          What happens to his blazer then?

                      HURST
          Then he comes to the second-hand
          shop, which I will commit to tonight.

FADE OUT.
"""


def test_a_scripts_speeches_are_read_whole_and_each_its_speakers(tmp_path):
    """A script: names in capitals on their own line, speeches wrapped in a narrower column than
    the action lines, extensions ("(CONT'D)", "(O.S.)") after a name. Each column is unwrapped at
    its own width; a name is the person the action lines introduce; a pronoun in one speaker's turn
    never stands for someone named in the turn before."""
    path = tmp_path / "hall_debate.txt"
    path.write_text(SCRIPT, encoding="utf-8")
    article, passages = prepare_article(path, None, "0" * 64)
    assert "should the academy bring in a branded uniform?" in article.text  # one paragraph, not five lines
    said = owners(passages, (
        "Tonight's question", "single blazer", "forty-two pounds", "survey", "Ellie put it best", "four inches",
        "second-hand"))
    assert said == {"Tonight's question": {"Priya Desai"}, "single blazer": {"Alan Hurst"},
                    "forty-two pounds": {"Claire Boateng"}, "survey": {"Josh Kelland"},
                    "Ellie put it best": {"Josh Kelland"}, "four inches": {"Audience Member"},
                    "second-hand": {"Alan Hurst"}}
    assert {p.author for p in passages if p.text.startswith("Nobody has ever scored")} <= {"Josh Kelland"}
    assert "Hurst" not in article.authors and "Alan Hurst" in article.authors


DEPOSITION = [
    "      VIDEOTAPED DEPOSITION OF MARGARET ANN ILSLEY",
    "APPEARANCES:",
    "  For the Plaintiffs:  DANIEL OKONJO, ESQ.",
    "  For the Defendant:   REBECCA FARRANT, ESQ.",
    "      MARGARET ANN ILSLEY,",
    "      having been first duly sworn, was examined and testified as follows:",
    "      EXAMINATION BY MR. OKONJO:",
    "      Q.  In your own words, why did you vote to close the branch?",
    "      A.  Because of the building.",
    "The roof and heating need replacing, at an estimated $1.4 million.",
    "      Q.  Did you read the director's memo before you voted?",
    "      MS. FARRANT: Objection. Argumentative.",
    "      Q.  You can answer.",
    "      A.  I did, and I weighed it against the roof.",
    "      MR. OKONJO: I'll pass the witness.",
    "      EXAMINATION BY MS. FARRANT:",
    "      Q.  Did the board consider any alternative to closure?",
    "      A.  We did. We looked at sharing a building with the senior center.",
]


@pytest.mark.parametrize("numbering", ["own line", "line start"])
def test_a_depositions_questions_are_its_examiners_and_answers_its_witnesss(tmp_path, numbering):
    """A deposition: every line numbered (on a line of its own, as pypdf reads a PDF's, or at the
    line's start, as a text export has it), "Q." and "A." turns indented. Each "Q." is the lawyer's
    whose examination it is ("EXAMINATION BY MR. OKONJO:"), each "A." the witness's, named above the
    first question; an objection is its lawyer's. Indented turns are no block quotation."""
    lines = [f"{n}\n{line}" if numbering == "own line" else f"{n:>2} {line}" for n, line in enumerate(DEPOSITION, 1)]
    article, passages, said = owned(tmp_path / "deposition.txt", "\n".join(lines), (
        "why did you vote", "Because of the building", "$1.4 million", "Argumentative", "You can answer",
        "weighed it", "any alternative", "senior center"))
    assert said == {"why did you vote": {"Daniel Okonjo"}, "Because of the building": {"Margaret Ann Ilsley"},
                    "$1.4 million": {"Margaret Ann Ilsley"}, "Argumentative": {"Rebecca Farrant"},
                    "You can answer": {"Daniel Okonjo"}, "weighed it": {"Margaret Ann Ilsley"},
                    "any alternative": {"Rebecca Farrant"}, "senior center": {"Margaret Ann Ilsley"}}
    assert not re.search(r"^\s*\d+\s", article.text, re.M)


def test_written_questions_are_their_askers_and_answers_their_answerers(tmp_path):
    """A council's written questions in Word: "Question from Cllr X (ward) to Cllr Y, Cabinet Member
    for ...", "Response from Cllr Y" (the same heading again for the next answer: no repeated
    paragraph to drop), "Supplementary question from ...". A department stamped as the file's
    author ("Democratic Services") is its outlet, nobody's voice."""
    document = docx.Document()
    document.core_properties.author = "Democratic Services"
    heading = "Response from Cllr Marcus Beale, Cabinet Member for Transport and Highways"
    for text in ["Full Council: Written Questions from Members", "Question 1",
                 "Question from Cllr Janet Orme (Hilltop ward) to Cllr Marcus Beale, Cabinet Member for Transport",
                 f"Why was the consultation response from Hilltop ignored? {PROSE}", heading,
                 "From 1 September the X9 will run every 12 minutes between 6am and 11pm, Monday to Saturday.",
                 "Question 2",
                 "Question from Cllr Tariq Hussain (Riverside ward) to Cllr Marcus Beale, Cabinet Member for Transport",
                 f"Can the Cabinet Member confirm the journey time to the hospital? {OTHER_PROSE[0]}", heading,
                 "On the X9 the same journey will take about 22 minutes, with no change of bus.",
                 "Supplementary question from Cllr Tariq Hussain",
                 "Does the Cabinet Member agree that a few hundred metres of walking should not block it?"]:
        document.add_paragraph(text)
    article, passages, said = owned(tmp_path / "written_questions.docx", document, (
        "consultation response", "every 12 minutes", "journey time", "22 minutes", "few hundred metres"))
    assert said == {"consultation response": {"Janet Orme"}, "every 12 minutes": {"Marcus Beale"},
                    "journey time": {"Tariq Hussain"}, "22 minutes": {"Marcus Beale"},
                    "few hundred metres": {"Tariq Hussain"}}
    assert article.outlet == "Democratic Services" and "Democratic Services" not in article.authors


def test_posts_embedded_in_an_article_are_their_posters_and_the_rest_its_writers(tmp_path):
    """A news explainer built round embedded tweets: each a block quotation signed under it ("— Sadie
    Okonkwo MP (@SadieOkonkwoMP) March 11, 2025"). Each tweet is its poster's, an organisation's
    nobody's, and the reporting between them the byline's, not the poster's above it."""
    def tweet(text: str, who: str, handle: str) -> str:
        return (f'<blockquote class="twitter-tweet"><p>{text}</p>&mdash; {who} (@{handle}) '
                f'<a href="https://x.example/{handle}">March 11, 2025</a></blockquote>')

    page = "".join([
        "<html><head><title>Votes at 16: what people are saying</title>",
        '<meta name="author" content="Femi Adeyinka"></head><body><article><h1>Votes at 16</h1>',
        f"<p>The bill cleared its second reading by 318 votes to 241. {PROSE}</p>",
        tweet("If you are old enough to pay tax on your Saturday job wages, you are old enough to have a say "
              "in how that tax is spent.", "Sadie Okonkwo MP", "SadieOkonkwoMP"),
        f"<p>The political scientist Leonard Haigh was among the first to push back. {OTHER_PROSE[0]}</p>",
        tweet("We treat eighteen as the start of adulthood for jury service and for buying alcohol, and the "
              "bill picks out voting alone.", "Prof. Leonard Haigh", "LHaigh_Politics"),
        f"<p>The main campaign group welcomed the vote with a condition. {OTHER_PROSE[1]}</p>",
        tweet("The coalition welcomes the bill but warns that it needs citizenship education in every school.",
              "Youth Votes Coalition", "YouthVotesCo"),
        "<p>The bill goes to a committee of MPs in April, where amendments on citizenship education are expected "
        "from both sides of the house.</p></article></body></html>"])
    article, passages, said = owned(tmp_path / "votes-at-16.html", page, (
        "Saturday job wages", "Leonard Haigh was among", "start of adulthood", "welcomed the vote",
        "citizenship education in every school", "committee of MPs"))
    assert said == {"Saturday job wages": {"Sadie Okonkwo"}, "Leonard Haigh was among": {"Femi Adeyinka"},
                    "start of adulthood": {"Leonard Haigh"}, "welcomed the vote": {"Femi Adeyinka"},
                    "citizenship education in every school": {None}, "committee of MPs": {"Femi Adeyinka"}}


def test_a_candidates_forum_gives_each_answer_to_the_name_above_it(tmp_path):
    """"Ask the candidates" in Markdown: each question a heading, each answer under its candidate's
    name and party in bold on a line of its own (the same line again under every question: a
    speaker's label, no repeated paragraph to drop)."""
    answers = {"Rosalind Achebe (Brackenford Together)": ("We have 3,400 households on the housing register.",
                                                          "At least half, kept in council ownership."),
               "Gareth Pyne (Brackenford First)": ("Ashcombe is the last big green space on the west side.",
                                                   "The full 35% the local plan requires, on brownfield sites.")}
    parts = ["# Ask the candidates: should Ashcombe Park become homes?", f"We put the same questions to each. {PROSE}"]
    for n, question in enumerate(["Should the council sell Ashcombe Park?", "How many homes should be affordable?"]):
        parts.append(f"## {n + 1}. {question}")
        for name, said in answers.items():
            parts += [f"**{name}**", said[n]]
    article, passages, said = owned(tmp_path / "ask-the-candidates.md", "\n\n".join(parts), (
        "housing register", "council ownership", "green space", "brownfield"))
    assert said == {"housing register": {"Rosalind Achebe"}, "council ownership": {"Rosalind Achebe"},
                    "green space": {"Gareth Pyne"}, "brownfield": {"Gareth Pyne"}}


def test_closed_captions_give_a_turn_to_the_speaker_who_names_themself_and_no_one_else(tmp_path):
    """Captions in capitals mark each change of speaker with ">>" and name nobody: a turn is the
    speaker's who gives their name in its first words; a turn that names no one is no one's, never
    the previous speaker's."""
    turns = [
        "WE'RE MOVING TO ITEM 7, THE PHONE-FREE SCHOOL DAY. I'M DANA WHITFIELD, BOARD PRESIDENT. DR. CARRASCO?",
        "THANK YOU, PRESIDENT WHITFIELD. GOOD EVENING, I'M LUIS CARRASCO, SUPERINTENDENT. THE POUCHES COST ABOUT "
        "THIRTY-EIGHT DOLLARS EACH.",
        "THANK YOU. WE HAVE TWO SPEAKER CARDS. FIRST IS TERRENCE OYELARAN.",
        "GOOD EVENING. TERRENCE OYELARAN, I HAVE A SEVENTH GRADER AT HARBORVIEW. MY DAUGHTER GETS TWO HUNDRED "
        "NOTIFICATIONS A DAY.",
        "THANK YOU. KIMBERLY SATO, I'M A PARENT OF TWO. I'M OPPOSED, AND THE REASON IS SAFETY.",
        "THANK YOU, MS. SATO. WE'LL MOVE ON TO ITEM 8.",
    ]
    path = tmp_path / "captions.txt"
    path.write_text("BOARD OF EDUCATION\nCLOSED CAPTION TRANSCRIPT\n\n" + "\n".join(f">> {t}" for t in turns),
                    encoding="utf-8")
    article, passages = prepare_article(path, None, "0" * 64)
    said = owners(passages, (
        "BOARD PRESIDENT", "THIRTY-EIGHT DOLLARS", "TWO SPEAKER CARDS", "TWO HUNDRED", "REASON IS SAFETY", "ITEM 8"))
    assert said == {"BOARD PRESIDENT": {"Dana Whitfield"}, "THIRTY-EIGHT DOLLARS": {"Luis Carrasco"},
                    "TWO SPEAKER CARDS": {None}, "TWO HUNDRED": {"Terrence Oyelaran"},
                    "REASON IS SAFETY": {"Kimberly Sato"}, "ITEM 8": {None}}


def test_speakers_labelled_by_code_are_named_by_the_records_key(tmp_path):
    """A citizens' jury record labels jurors by code ("Juror 4:") and names them only in an appendix
    table (Code | Name | ...): each turn is the named juror's; the appendix heading ends the last turn."""
    document = docx.Document()
    document.add_paragraph("Citizens' Jury on Water Fluoridation: record of discussion")
    for code, text in (("Juror 4", f"I see children in reception with teeth that have to come out. {PROSE}"),
                       ("Juror 2", f"This is medicating everybody through the tap. {OTHER_PROSE[0]}"),
                       ("Juror 4", "Toothbrushing clubs are great when a school has the staff to run them."),
                       ("Juror 2", "Folic acid in flour is not the same, because you can buy bread without it.")):
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{code}:").bold = True
        paragraph.add_run(f" {text}")
    document.add_paragraph("Appendix A: Juror codes")
    document.add_paragraph("All jurors consented to their names appearing in this appendix.")
    table = document.add_table(rows=3, cols=3)
    for row, cells in zip(table.rows, [("Code", "Name", "Area"), ("Juror 2", "Callum Brody", "Hatherford"),
                                       ("Juror 4", "Yasmin Idowu", "Lowbridge")], strict=True):
        for cell, text in zip(row.cells, cells, strict=True):
            cell.text = text
    article, passages, said = owned(tmp_path / "jury.docx", document, (
        "teeth that have to come out", "medicating everybody", "Toothbrushing clubs", "Folic acid", "consented"))
    assert said == {"teeth that have to come out": {"Yasmin Idowu"}, "medicating everybody": {"Callum Brody"},
                    "Toothbrushing clubs": {"Yasmin Idowu"}, "Folic acid": {"Callum Brody"}, "consented": {None}}


def test_a_consultation_report_is_its_authors_and_each_numbered_respondent_is_quoted_as_themself(tmp_path):
    """A report's cover table, read row by row, gives its author on the line under "Report author";
    its wrapped prose unwraps though its table cells ("565", "38%") are short lines; a respondent it
    quotes by number ("Respondent 17 (resident, Harbour ward): "...") is that respondent."""
    wrapped = textwrap.wrap(
        "The council proposed to switch off 6,800 of its 14,200 street lights between midnight and 5am on residential "
        "roads. Main roads, town centres, junctions and crossings would stay lit all night. The change would save "
        "about £312,000 a year in electricity and around 1,150 tonnes of carbon dioxide, and the council received "
        "1,486 responses to its consultation, most of them through the online survey.", 100)
    quote = textwrap.wrap(
        "Respondent 17 (resident, Harbour ward): \u201cI finish at the care home at half twelve and walk home along "
        "Mill Road. Switching the lights off at exactly the time I walk home is switching them off for me.\u201d", 100)
    more = textwrap.wrap(
        "Safety was the most common theme among those opposed, raised in 612 responses. Many described particular "
        "routes they walk after midnight, and several asked for the lights to be dimmed instead of switched off.", 100)
    lines = ["Part-night street lighting: summary of consultation responses", "Report to", "Cabinet, 9 July 2025",
             "Report author", "Kieran Moss, Street Lighting Manager", "Status", "Version 1.2", "1. What we proposed",
             *wrapped, "Response", "Number", "Share", "Support", "565", "38%", "Oppose", "758", "51%",
             "2. Safety and fear of crime", *more, *quote]
    path = tmp_path / "consultation.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    article, passages = prepare_article(path, None, "0" * 64)
    assert article.authors == ["Kieran Moss"]
    assert "on residential roads" in article.text  # one paragraph, not a line each
    assert {p.author for p in passages if p.text.startswith("I finish at the care home")} == {"Respondent 17"}
