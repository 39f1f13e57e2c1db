"""Interviews printed without speaker labels: each question a paragraph of its own, the answer below.

Magazines and newspapers often print an interview as an introduction by the writer, then each
question set apart as a whole paragraph (in bold, which the text loses) with the answer under it,
and no name before either. The questions are the interviewer's (the byline), the answers the
interviewee's (the person the introduction presents), and giving the answers to the byline would
put the interviewee's words in the writer's mouth. No library recognises this layout, so the test
is its shape: at least MIN_QUESTIONS whole-paragraph questions, each followed by a short answer,
most of them put to "you", and one person (not the writer, not an institution) presented in the
introduction and named more than anyone else there. An op-ed's rhetorical questions fail it (they
are rarely put to "you", and it presents no one); a text that fails it keeps its byline.
"""

from __future__ import annotations

import re
from collections import Counter

from assistant.models import joint_label

from .people import is_institution
from .turns import Dialogue, Piece, key_of, names_in

MIN_QUESTIONS = 4
QUESTION_MAX_WORDS = 60  # a question paragraph is a question, not an argument ending in one
ANSWER_MAX_PARAGRAPHS = 5  # an answer runs a few paragraphs before the next question
INTERVIEWER = "Interviewer"  # the voice of the questions when the text names no writer
_YOU = re.compile(r"\byou(?:r|rs|rself)?\b", re.IGNORECASE)
_CLOSERS = "\"'\u201d\u2019*_) "


def is_question(para: str) -> bool:
    """A whole paragraph that is one short question."""
    text = para.strip()
    return "\n" not in text and text.rstrip(_CLOSERS).endswith("?") and len(text.split()) <= QUESTION_MAX_WORDS


# The page says it prints an interview: "Interview by Felix Oduya", "This interview has been edited
# for length", "Q&A", "in conversation with". Its questions need not be put to "you", and the one
# person its title names is the interviewee.
_SAYS_INTERVIEW = re.compile(r"\binterview(?:ed)?\b|\bQ\s?&\s?A\b|\bin conversation with\b", re.IGNORECASE)


def find_interview(paragraphs: list[str], byline: list[str], title: str | None = None) -> Dialogue | None:
    """The questions and answers of an unlabelled interview, or None for any other text."""
    first = next((i for i, p in enumerate(paragraphs) if is_question(p)), len(paragraphs))
    declared = bool(_SAYS_INTERVIEW.search(" ".join([title or "", *paragraphs[:first]])))
    questions = _questions(paragraphs, declared)
    if not questions:
        return None
    interviewee = _interviewee(paragraphs[: questions[0]], byline, title, declared)
    if interviewee is None:
        return None
    interviewer = joint_label(byline) if byline else INTERVIEWER
    pieces, speaker = [], interviewer  # the introduction is the writer's
    for i, para in enumerate(paragraphs):
        asked = i in questions
        opens = asked or (i - 1 in questions)
        speaker = interviewer if asked else interviewee if opens else speaker
        pieces.append(Piece(i, 0, len(para), speaker if i >= questions[0] or byline else None, opens))
    unnamed = set() if byline else {INTERVIEWER}
    return Dialogue([interviewer, interviewee], pieces, unnamed)


def _questions(paragraphs: list[str], declared: bool) -> list[int]:
    """The question paragraphs, when the text has an interview's shape (else []); most put to "you"
    unless the page says it is an interview (`declared`)."""
    questions = [i for i, p in enumerate(paragraphs[:-1]) if is_question(p) and not is_question(paragraphs[i + 1])]
    if len(questions) < MIN_QUESTIONS:
        return []
    gaps = [b - a - 1 for a, b in zip(questions, questions[1:], strict=False)]
    put_to_you = sum(bool(_YOU.search(paragraphs[i])) for i in questions)
    if max(gaps) > ANSWER_MAX_PARAGRAPHS or (2 * put_to_you < len(questions) and not declared) or questions[0] == 0:
        return []
    return questions


def _interviewee(intro: list[str], byline: list[str], title: str | None, declared: bool) -> str | None:
    """The one person the title and introduction present most: named in full there and mentioned
    more often than anyone else (by surname); not the writer, not an institution. On a page that
    says it is an interview, the one such person its title names ("Planning chief Ruth Adeyemi on
    why ...")."""
    writers = {key_of(name).split()[-1] for name in byline}

    def others(text: str) -> list[str]:
        found = [n for n in names_in(text) if not is_institution(n)]
        return [n for n in dict.fromkeys(found) if key_of(n).split()[-1] not in writers]
    titled = others(title or "")
    if declared and len(titled) == 1:
        return titled[0]
    candidates = others(" ".join(intro))
    if not candidates:
        return None
    words = Counter(w.strip(_CLOSERS + ".,;:").upper() for w in " ".join([title or "", *intro]).split())
    mentions = {n: words[key_of(n).split()[-1].strip(_CLOSERS)] for n in candidates}
    ranked = sorted(mentions.values(), reverse=True)
    best = max(mentions, key=mentions.get)
    if ranked[0] < 2 or (len(ranked) > 1 and ranked[1] == ranked[0]):
        return None
    return best
