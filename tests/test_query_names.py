"""Query understanding by general mechanisms: people by any form the index knows them by, articles by file name."""

from __future__ import annotations

from assistant.models import Article
from assistant.retrieval.query import (
    Roster,
    named_articles,
    named_people,
    person_forms,
    plan_query,
    roles_in,
    strip_sources,
)

TRANSCRIPT = ["MR. JUSTICE STEWART", "MR. WECHSLER", "MR. CHIEF JUSTICE WARREN", "M. Roland Nachman, Jr.",
              "Abraham Lincoln", "Associate Justice"]


def test_a_transcript_label_in_capitals_is_named_by_surname_or_honorific_and_surname():
    assert named_people("What did Justice Stewart ask?", TRANSCRIPT) == ["MR. JUSTICE STEWART"]
    assert named_people("How did Wechsler answer him?", TRANSCRIPT) == ["MR. WECHSLER"]
    assert named_people("What did Mr. Lincoln reply?", TRANSCRIPT) == ["Abraham Lincoln"]
    assert named_people("What did Nachman say about the jury?", TRANSCRIPT) == ["M. Roland Nachman, Jr."]
    assert named_people("What did the chief justice say?", TRANSCRIPT) == []  # not a name, and lower case


def test_an_office_alone_names_nobody():
    assert person_forms("Associate Justice") == []
    assert named_people("Which Justice wrote the opinion?", TRANSCRIPT) == []


def test_surnames_stay_case_sensitive_for_ordinary_names():
    assert named_people("a white paper on warren buffett", TRANSCRIPT) == []


def test_a_caller_is_named_by_the_first_name_in_their_label_and_a_role_by_no_common_noun():
    voices = ["Janet Ormsby", "Caller (Teddy)", "Caller (Gwen, Millbrook)", "Audience member"]
    assert named_people("How does Janet Ormsby's view differ from the caller Teddy's?", voices) == [
        "Janet Ormsby", "Caller (Teddy)"]
    assert named_people("What did Gwen say about nappies?", voices) == ["Caller (Gwen, Millbrook)"]
    assert named_people("What does the committee member Declan Rourke think?", voices) == []


def test_names_and_their_honorifics_are_stripped_from_the_search_text():
    text = strip_sources("What did Justice Stewart ask Mr. Wechsler about the advertisement?", TRANSCRIPT[:2])
    assert text == "What did ask about the advertisement?"


def test_an_article_is_named_by_its_file_name():
    articles = [Article(id="a", source="/c/nyt-v-sullivan-oral-argument-1964.pdf"), Article(id="b", source="/c/x.txt")]
    assert named_articles("In nyt v sullivan oral argument 1964, what was said?", articles) == ["a"]
    assert named_articles("What was the oral argument about?", articles) == []


def test_plan_filters_by_the_person_named_in_any_form():
    plan = plan_query("What did Justice Stewart ask about the advertisement?", Roster(TRANSCRIPT), [])
    assert plan.authors == ["MR. JUSTICE STEWART"] and "Stewart" not in plan.text


# -- people named by role, shared surnames, proper nouns that contain a surname -------------------
BRIEFING = "Press Briefing by Press Secretary Jen Psaki, December 20, 2021\n\nMS. PSAKI: Hi, everyone."
BENCH = "BEFORE:\nEARL WARREN, Chief Justice of the United States\nWILLIAM O. DOUGLAS, Associate Justice\n" \
        "BYRON R. WHITE, Associate Justice"
DEBATE = "Judge Douglas said so. MR. DOUGLAS' SPEECH. Senator Douglas replied."
PEOPLE = ["Jen Psaki", "Earl Warren", "William O. Douglas", "Byron R. White", "Stephen A. Douglas",
          "Abraham Lincoln"]


def roster() -> Roster:
    quoted = {"Stephen A. Douglas": 16, "William O. Douglas": 1, "Byron R. White": 4}
    return Roster(PEOPLE, quoted, roles_in([BRIEFING, BENCH, DEBATE], PEOPLE))


def test_roles_are_read_from_titles_before_and_after_a_name():
    roles = roles_in([BRIEFING, BENCH, DEBATE], PEOPLE)
    assert roles["Jen Psaki"] == {"press secretary"}  # not "december", not "press secretary jen"
    assert roles["Earl Warren"] == {"chief justice"}
    assert roles["William O. Douglas"] == {"associate justice"}
    # "Judge Douglas" names a surname two people share: evidence about neither
    assert "Stephen A. Douglas" not in roles


def test_a_role_one_person_holds_names_them():
    assert roster().named("What did the press secretary say about testing?") == ["Jen Psaki"]
    assert roster().named("What did the Chief Justice ask first?") == ["Earl Warren"]
    assert roster().named("What did an associate justice ask?") == []  # held by several people


def test_roles_given_in_running_text_name_their_holders():
    """A moderator's introduction: "June Hartigan was deputy electoral commissioner for eleven years";
    a byline's "Derek Nakamura, executive director of ..."; a question may put "former" before it."""
    forum = ("GWEN TALBOT (MODERATOR): We have three panellists. June Hartigan was deputy electoral commissioner"
             " for eleven years. And Rafael Dominguez chairs the Youth Council.")
    byline = "By Derek Nakamura, executive director of the Calder Valley Grocers' Association"
    people = ["Gwen Talbot", "June Hartigan", "Rafael Dominguez", "Derek Nakamura"]
    found = Roster(people, {}, roles_in([forum, byline], people))
    assert found.roles["June Hartigan"] == {"deputy electoral commissioner"}
    assert found.named("What did the former deputy electoral commissioner say it would cost?") == ["June Hartigan"]
    assert found.named("What does the executive director think of the deposit?") == ["Derek Nakamura"]
    assert "Rafael Dominguez" not in found.roles  # "chairs the Youth Council" gives him no office noun
    # The role, like a name, is carried by the author filter: its words leave the search text.
    plan = plan_query("What did the former deputy electoral commissioner say the main expense would be?", found, [])
    assert plan.authors == ["June Hartigan"] and plan.text == "What did say the main expense would be?"
    bench = ("Judge Anneliese Moreau, for the Court.\n\n" + "The appeal is allowed. " * 200
             + "\n\nJudge Beatrix Holloway, dissenting:\n\nI would dismiss the appeal.")
    judges = ["Anneliese Moreau", "Beatrix Holloway"]
    assert Roster(judges, {}, roles_in([bench], judges)).named("Why did the dissenting judge disagree?") == [
        "Beatrix Holloway"]
    record = "The Minister for Transport (Ms Leilani Havili) (2.14 pm): I rise to move the bill."
    found = Roster(["Leilani Havili"], {}, roles_in([record], ["Leilani Havili"]))
    assert found.named("What case does the transport minister make?") == ["Leilani Havili"]
    # A script's action line: each character in capitals with an age, then what they are chair of.
    script = ("On the left sits DR RUTH AMESBURY (60s), chair of governors. On the right, CLAIRE BOATENG (40s), "
              "chair of the Parent Forum.")
    cast = ["Ruth Amesbury", "Claire Boateng"]
    found = Roster(cast, {}, roles_in([script], cast))
    assert found.roles == {"Ruth Amesbury": {"chair of governors"}, "Claire Boateng": {"chair"}}
    assert found.named("Where does the chair of governors stand on the branded uniform?") == ["Ruth Amesbury"]
    assert found.named("What did the chair say?") == []  # two chairs: the question must say which


def test_roles_in_a_table_row_a_headline_and_police_ranks():
    minutes = "Present:\nCllr Chidi Okafor | Chair\nCllr Helen Marsh-Whitley | Vice-Chair\nCllr Rajesh Varma | Member"
    headline = "Planning chief Ruth Adeyemi on why the Riverside height cap has to go"
    podcast = "With me are Chief Inspector Farid Malouf and Lorna Beckwith of the Civil Liberties Network."
    people = ["Helen Marsh-Whitley", "Ruth Adeyemi", "Farid Malouf", "Lorna Beckwith"]
    found = Roster(people, {}, roles_in([minutes, headline, podcast], people))
    assert found.named("How did the Vice-Chair's view of the pitch differ?") == ["Helen Marsh-Whitley"]
    assert found.named("Summarise the planning chief's case for lifting the cap.") == ["Ruth Adeyemi"]
    assert found.named("What does the chief inspector say about retention?") == ["Farid Malouf"]
    # "The chief inspector" asks for no chief but the inspector, whatever the planning chief's texts hold.
    heard = Roster(people, {}, roles_in([minutes, headline, podcast], people), heard_in={
        "Ruth Adeyemi": (headline + " Cameras on every road keep data on drivers for a year.",),
        "Farid Malouf": (podcast,)})
    assert heard.named("How do the campaigner and the chief inspector disagree about whether cameras keep "
                       "data on drivers?") == ["Farid Malouf"]


def test_a_person_is_named_by_the_organisation_they_speak_for():
    minutes = ("Also present: Keira Bannon (Tillingbourne Youth Football Club) and Desmond Achterberg "
               "(Friends of Hollins Park). With me is Lorna Beckwith from the Greyhaven Civil Liberties Network.")
    people = ["Keira Bannon", "Desmond Achterberg", "Lorna Beckwith", "Helen Marsh-Whitley"]
    found = Roster(people, {}, roles_in([minutes, "Cllr Helen Marsh-Whitley | Vice-Chair"], people),
                   only_quoted=frozenset(["Keira Bannon", "Helen Marsh-Whitley"]))
    assert found.named("What did the youth football club say about cancelled fixtures?") == ["Keira Bannon"]
    assert found.named("Why does the civil liberties network object?") == ["Lorna Beckwith"]
    # A comparison of two people heard only in quotations asks both (not "X's view of Y").
    plan = plan_query("How did the Vice-Chair's view of the pitch differ from the youth football club's?", found, [])
    assert plan.authors == ["Keira Bannon", "Helen Marsh-Whitley"]


def test_a_signatures_office_on_the_line_under_the_name():
    letter = ("I would be glad to meet the Action Group.\n\nYours sincerely,\n\nHelen Ashdown\n"
              "Chief Executive, North Vale Health Board")
    found = Roster(["Helen Ashdown"], {}, roles_in([letter], ["Helen Ashdown"]))
    assert found.named("What did the health board chief executive offer for the summer?") == ["Helen Ashdown"]


def test_an_exchange_of_letters_names_the_letters_page_not_a_transcript():
    articles = [Article(id="letters", source="/c/exchange.txt", form="letters"),
                Article(id="debate", source="/c/debate.txt", form="transcript")]
    assert named_articles("In the exchange of letters about Stellbridge, what was offered?", articles) == ["letters"]


def test_an_op_ed_names_the_pieces_in_one_voice_not_the_letters_or_the_interview_beside_them():
    articles = [Article(id="oped", source="/c/oped.html"), Article(id="essay", source="/c/essay.txt"),
                Article(id="letters", source="/c/letters.txt", form="letters"),
                Article(id="interview", source="/c/interview.md", form="interview")]
    assert set(named_articles("Summarize the approach the newspaper op-ed recommends.", articles)) == {"oped", "essay"}
    assert named_articles("What does the opinion piece recommend?", articles[:1] + articles[2:]) == ["oped"]
    assert named_articles("What does the op-ed say?", articles[:2]) == []  # every article is one: no filter


def test_a_role_several_people_hold_names_the_one_heard_where_the_question_is():
    radio = ("The Commons Hour: leaf blowers\n\nWith me is Councillor Bernadette Quill.\n\n"
             "Bernadette Quill: A rebate for landscapers who switch from gas leaf blowers.")
    blog = ("Live: the scooter vote\n\nCouncillor Marcus Bell opened the debate.\n\n"
            "Marcus Bell: Rental scooters clutter the pavement.")
    meeting = ("Parks committee\n\nCouncillor Yvonne Achebe and Councillor Tom Reyes.\n\n"
               "Yvonne Achebe: The playground needs shade.\n\nTom Reyes: The playground needs lighting.")
    people = ["Bernadette Quill", "Marcus Bell", "Yvonne Achebe", "Tom Reyes"]
    heard_in = {"Bernadette Quill": (radio,), "Marcus Bell": (blog,), "Yvonne Achebe": (meeting,),
                "Tom Reyes": (meeting,)}
    found = Roster(people, {}, roles_in([radio, blog, meeting], people), heard_in=heard_in)
    assert found.named("On the radio show about leaf blowers, what did the councillor propose for landscapers?") == [
        "Bernadette Quill"]
    assert found.named("What did the councillor say about rental scooters?") == ["Marcus Bell"]
    assert found.named("What did the councillor propose?") == []  # no topic to tell them apart
    # An office one person holds names them when the question is about their articles' topic.
    town_hall = "With me are the sponsor, Councilman Leo Brandt, and Councilwoman Dana Whitlock."
    alone = Roster(["Leo Brandt", "Dana Whitlock"], {}, roles_in([town_hall], ["Leo Brandt", "Dana Whitlock"]),
                   heard_in={"Leo Brandt": (town_hall + " Drive-through queues block Route 9.",),
                             "Dana Whitlock": (town_hall + " Enforce the site plan rules.",)})
    assert alone.named("How many drive-through queues does the councilman say block Route 9?") == ["Leo Brandt"]
    assert alone.named("What does the councilman say?") == []
    # A list whose lines ran together gives a role with a neighbour's words ("Economy Group Inspector"):
    # it still ends in the office a question names ("the police inspector").
    panel = "PANEL Dev Malhotra, owner of The Signal Box; Night-Time Economy Group Inspector Carol Bright, police"
    listed = Roster(["Dev Malhotra", "Carol Bright"], {}, roles_in([panel], ["Dev Malhotra", "Carol Bright"]),
                    heard_in={"Carol Bright": (panel + " Street marshals and a late-night levy before 3am.",),
                              "Dev Malhotra": (panel + " Staggered closing clears the taxi queues.",)})
    assert listed.named("What is the police inspector's view on letting bars stay open till 3am?") == ["Carol Bright"]
    assert found.named("What did the councillor say the playground needs?") == []  # two councillors there
    plan = plan_query("What help did the councillor propose for landscapers switching from leaf blowers?", found, [])
    assert plan.authors == ["Bernadette Quill"] and "councillor" not in plan.text


def test_a_surname_inside_a_longer_proper_noun_names_nobody():
    assert roster().named("How did the White House talk about Manchin?") == []
    assert roster().named("What did Justice White ask about the jury?") == ["Byron R. White"]


def test_a_shared_surname_names_the_person_its_title_or_the_corpus_points_to():
    assert roster().named("When did Douglas introduce his bill?") == ["Stephen A. Douglas"]
    assert roster().named("What did Justice Douglas ask?") == ["William O. Douglas"]
    assert roster().named("What did William O. Douglas ask?") == ["William O. Douglas"]
    assert set(roster().named("How do Lincoln and Douglas differ?")) == {"Abraham Lincoln", "Stephen A. Douglas"}


def test_an_issuing_body_is_named_by_a_part_of_its_name():
    briefing = Article(id="b", title="Press Briefing", outlet="The White House, Office of the Press Secretary")
    assert named_articles("How did the White House talk about Manchin?", [briefing, Article(id="x")]) == ["b"]


def test_a_person_and_their_article_named_together_search_that_article():
    letter = Article(id="letter", title="To the Attorney-General", authors=["Thomas Paine"])
    forester = Article(id="forester", title="To Cato", authors=["Thomas Paine"])
    people = Roster(["Thomas Paine", "John Stuart Mill"])
    plan = plan_query("In his letter to the Attorney-General, what did Paine demand?", people, [letter, forester])
    assert plan.authors == ["Thomas Paine"] and plan.article_ids == ["letter"]
    # an article that does not hold everyone named leaves the people alone to decide
    plan = plan_query("Compare Mill with Paine's letter To the Attorney-General.", people, [letter, forester])
    assert plan.article_ids == []


def test_a_reply_to_a_stated_claim_is_a_counterpoint_request():
    plan = plan_query("What would someone say against the idea that Britain protected the colonies out of "
                      "affection?", Roster([]), [])
    assert plan.counter and plan.text.startswith("Britain protected")
    assert not plan_query("What did Lincoln say against Douglas?", Roster(["Abraham Lincoln"]), []).counter
    # The claim first, the request after it.
    plan = plan_query("Volunteers can run the libraries as well as staff. What in the evidence session pushes "
                      "back on that?", Roster([]), [])
    assert plan.counter and plan.text == "Volunteers can run the libraries as well as staff."
    assert plan_query("Closing the street will kill the shops. What argues against that?", Roster([]), []).counter
    assert not plan_query("Putin invaded in 2022. Why did he do that?", Roster([]), []).counter


def test_a_pen_name_a_bio_line_gives_names_its_owner():
    from index.attribution import pen_names

    bio = "\u201cThe Forester\u201d was a pen name of Thomas Paine (1737\u20131809), the pamphleteer."
    aliases = pen_names(["THE FORESTER.", bio])
    assert aliases == {"The Forester": "Thomas Paine"}
    people = Roster(["Thomas Paine", "John Stuart Mill"], aliases=aliases)
    assert people.named("What did the Forester say the colonies were fighting?") == ["Thomas Paine"]
    assert people.named("Where were the forest fires?") == []


def test_words_before_a_form_pick_one_of_several_articles_of_that_form():
    """"the parliamentary debate" among two transcripts: the one whose head says "parliamentary";
    "the debate" alone, or words neither head uses, keep both."""
    hansard = Article(id="assembly", title="WESTMARCH LEGISLATIVE ASSEMBLY", form="transcript",
                      text="PARLIAMENTARY DEBATES (HANSARD)\n\nThe Minister for Transport (Ms Leilani Havili): I rise.")
    forum = Article(id="forum", title="HARBORVIEW CIVIC FORUM", form="transcript",
                    text="\"Old Enough to Vote?\"\n\nGWEN TALBOT (MODERATOR): Good evening.")
    articles = [hansard, forum, Article(id="oped", title="Slow down", text="By Jane Doe\n\nSlow down, drivers.")]
    assert named_articles("What did the minister say in the parliamentary debate?", articles) == ["assembly"]
    assert named_articles("What was said at the civic forum debate?", articles) == ["forum"]
    assert set(named_articles("Who spoke first in the debate?", articles)) == {"assembly", "forum"}
    assert set(named_articles("Who spoke first in the heated debate?", articles)) == {"assembly", "forum"}


def test_a_kind_of_text_names_the_article_whose_title_calls_itself_so():
    """"the bus-fares debate": the report titled "Debate report: ... fare-free" (not the transcripts, whose
    form is also a debate's); "the 1792 letter" is no "Letter (1776)" whose head never says 1792."""
    report = Article(id="report", title="Debate report: This House would make buses fare-free", form="collection",
                     text="Held at the Corn Exchange.\n\nThis House would make Ashcombe's buses fare-free.")
    radio = Article(id="radio", title="The Commons Hour", form="transcript", text="HOST: Welcome to the debate.")
    letter = Article(id="letter", title="The Forester's First Letter (1776)", text="To Cato. Sir, ...")
    other = Article(id="other", title="TO THE ATTORNEY-GENERAL", text="Sir, I wrote in 1792 ...")
    articles = [report, radio, letter, other]
    assert named_articles("What did the driver say in the bus-fares debate?", articles) == ["report"]
    assert named_articles("What did Paine demand in the 1792 letter?", articles) != ["letter"]


def test_an_occupation_one_person_holds_names_them_from_the_head_or_the_bio_line_under_the_text():
    radio = ("HOST: With me are Dr Keziah Marsh, an audiologist at the Halden clinic, and Teodor Vance, who owns"
             " a landscaping company. Amara Nwosu is a senior producer.")
    profile = "The night owl's advocate.\n\n" + "She says schools start too early. " * 150 + (
        "\n\nJoanna Kettle is a contributing writer at Northgate Quarterly.")
    people = ["Keziah Marsh", "Teodor Vance", "Amara Nwosu", "Joanna Kettle"]
    found = Roster(people, {}, roles_in([radio, profile], people))
    assert found.named("What did the audiologist say about hearing loss?") == ["Keziah Marsh"]
    assert found.named("What does the contributing writer conclude?") == ["Joanna Kettle"]
    assert found.named("What did the senior say?") == []  # an adjective is no occupation
    assert found.named("What did the judge say?") == []  # one-word offices are held by many


def test_a_key_tables_role_column_gives_each_row_its_part():
    """A record's appendix names coded jurors in a table with an Occupation column: "the retired civil
    engineer" is the juror of that row, wherever the table is; a table without such a header gives no
    roles, and a line of prose ends the table above it."""
    record = ("Juror 6: I have gone back and forth on this.\n\n" + "Discussion of the evidence. " * 200 +
              "\n\nAppendix A: Juror codes\n\nCode | Name | Age band | Area | Occupation\n\n"
              "Juror 4 | Yasmin Idowu | 35-44 | Lowbridge | Teaching assistant\n\n"
              "Juror 6 | Robert Ainsworth | 65-74 | Coldharbour | Retired civil engineer\n\n"
              "Recruitment was by random selection.\n\nJuror 9 | Howard Lim | 55-64 | Coldharbour | Taxi driver")
    people = ["Yasmin Idowu", "Robert Ainsworth", "Howard Lim"]
    roles = roles_in([record], people)
    assert roles["Robert Ainsworth"] == {"retired civil engineer"} and roles["Yasmin Idowu"] == {"teaching assistant"}
    assert "Howard Lim" not in roles
    found = Roster(people, {}, roles)
    assert found.named("Where does the retired civil engineer stand on fluoride?") == ["Robert Ainsworth"]
    assert roles_in([record.replace("Occupation", "Notes")], people) == {}
