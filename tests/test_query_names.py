"""Query understanding by general mechanisms: people by any form the index knows them by, articles by file name."""

from __future__ import annotations

from assistant.models import Article
from assistant.retrieval.query import named_articles, named_people, person_forms, plan_query, strip_sources

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


def test_names_and_their_honorifics_are_stripped_from_the_search_text():
    text = strip_sources("What did Justice Stewart ask Mr. Wechsler about the advertisement?", TRANSCRIPT[:2])
    assert text == "What did ask about the advertisement?"


def test_an_article_is_named_by_its_file_name():
    articles = [Article(id="a", source="/c/nyt-v-sullivan-oral-argument-1964.pdf"), Article(id="b", source="/c/x.txt")]
    assert named_articles("In nyt v sullivan oral argument 1964, what was said?", articles) == ["a"]
    assert named_articles("What was the oral argument about?", articles) == []


def test_plan_filters_by_the_person_named_in_any_form():
    plan = plan_query("What did Justice Stewart ask about the advertisement?", TRANSCRIPT, [])
    assert plan.authors == ["MR. JUSTICE STEWART"] and "Stewart" not in plan.text
