"""The typed data models of the product, defined once and used everywhere.

Every model is a pydantic model, so `.model_dump()` is the JSON the CLI prints
with `--json` and the Gradio API returns.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Literal

from pydantic import BaseModel, Field

Stance = Literal["support", "oppose", "mixed", "unclear", "unlabeled"]
PairStance = Literal["support", "oppose", "neither"]  # one passage's stance on one claim
UNDETERMINED = "side not determined"  # how an unlabeled stance or side is shown
Mode = Literal["extractive", "llm"]
# "quote": words a writer quotes inline, as a passage of the quoted person's beside the writer's (index.quotations).
PassageKind = Literal["body", "bio", "quote"]
DropReason = Literal[
    "caption",
    "photo credit",
    "comment prompt",
    "promo list",
    "language notice",
    "repeated paragraph",
    "pull quote",
    "page furniture",
    "title",
    "header",
    "byline",
]


class DroppedText(BaseModel):
    """A line or paragraph that cleaning removed from an article, and why (nothing goes unrecorded)."""

    text: str
    reason: DropReason


class InjectionFlag(BaseModel):
    """A span of an article's cleaned text addressed to an AI assistant (found at index time)."""

    reason: str = Field(description="short human reason, e.g. 'asks the assistant to ignore its instructions'")
    start: int = Field(description="offset in the article's cleaned text")
    end: int

    def overlaps(self, start: int, end: int) -> bool:
        """True when the article text's [start, end) overlaps this span."""
        return self.start < end and start < self.end


# How a text is laid out, as attribution read it: one writer's (or co-writers') article, a transcript
# of labelled speaker turns, an interview printed without labels, a page of signed letters, a page of
# pieces each under its own byline or author heading (a point/counterpoint, a forum thread).
ArticleForm = Literal["article", "transcript", "interview", "letters", "collection"]


class Article(BaseModel):
    """One source document after cleaning and attribution."""

    id: str = Field(description="stable, readable slug")
    title: str = ""
    authors: list[str] = Field(default_factory=list, description="the byline; empty when unknown")
    outlet: str = ""
    date: str = ""
    url: str = ""
    source: str = Field("", description="path of the file the article was read from")
    text: str = Field("", description="the cleaned text that passages and offsets refer to")
    content_hash: str = ""
    speakers: list[str] = Field(
        default_factory=list, description="people with speaker turns, for dialogues"
    )
    form: ArticleForm = Field("article", description="how the text is laid out (ArticleForm)")
    unnamed_speakers: list[str] = Field(
        default_factory=list,
        description="speakers the text labels but never names (a questioner, 'Speaker 2', 'Interviewer'):"
        " voices of this article only, never one person with a same-labelled voice elsewhere",
    )
    credentials: dict[str, str] = Field(
        default_factory=dict, description="author name -> bio line found in the text"
    )
    dropped: list[DroppedText] = Field(
        default_factory=list, description="what cleaning removed from the file's text, with the reason"
    )
    words_kept: int = Field(0, description="words of the cleaned text")
    words_dropped: int = Field(0, description="words of the dropped lines")
    flags: list[InjectionFlag] = Field(
        default_factory=list, description="spans addressed to an AI assistant (index/injection.py)"
    )

    @property
    def author_label(self) -> str:
        """How the byline is shown: names, or 'unknown author' (never a guess)."""
        return " and ".join(self.authors) if self.authors else "unknown author"

    @property
    def principals(self) -> list[str]:
        """Whose words the article is for: an interview's interviewee (its byline asked the
        questions), else its authors."""
        if self.form == "interview":
            return [s for s in self.speakers if s not in self.authors + self.unnamed_speakers] or self.authors
        return self.authors

    def without_text(self) -> dict:
        return self.model_dump(exclude={"text"})


# Text that several people wrote together (a co-signed op-ed) is theirs jointly: "A & B" (no
# name holds " & ", while commas and "and" occur in names such as "M. Roland Nachman, Jr.").
JOINT = " & "


def joint_label(names: list[str]) -> str:
    return JOINT.join(names)


def voices_of(author: str | None) -> list[str]:
    """The people an author label stands for: one person, or each co-author of a joint label."""
    return author.split(JOINT) if author else []


def voiced_by(author: str | None, people: Collection[str]) -> bool:
    """Whether the words of `author` (a person or a joint label) are any of `people`'s."""
    return any(voice in people for voice in voices_of(author))


class Passage(BaseModel):
    """A quote-sized span of one article, spoken or written by one person (or jointly by its co-authors)."""

    id: str
    article_id: str
    title: str = ""
    author: str | None = Field(
        None, description="whose words these are: the speaker, the sole author, the co-authors ('A & B'), or null"
    )
    authors: list[str] = Field(default_factory=list, description="the article's byline")
    outlet: str = ""
    date: str = ""
    kind: PassageKind = "body"
    text: str = Field(description="exact substring of the article's cleaned text")
    start: int
    end: int
    score: float = 0.0
    flags: list[InjectionFlag] = Field(
        default_factory=list, description="the article's injection flags overlapping this passage"
    )

    @property
    def speaker_label(self) -> str:
        return self.author or "unknown author"

    @property
    def voices(self) -> list[str]:
        """The people whose words these are (each co-author of a jointly written article)."""
        return voices_of(self.author)

    def flagged(self, start: int, end: int) -> bool:
        """True when `self.text[start:end]` overlaps a flagged span."""
        return any(f.overlaps(self.start + start, self.start + end) for f in self.flags)


class Citation(BaseModel):
    """A numbered pointer from an answer to a verbatim quote of one passage."""

    n: int
    quote: str = Field(description="verbatim, a substring of passage.text")
    passage: Passage


class Sources(BaseModel):
    """The passages retrieved for a question, streamed before a model starts writing about them."""

    question: str
    passages: list[Passage] = Field(default_factory=list)

    def citations(self) -> list[Citation]:
        """Each passage as a citation of its whole text, numbered as the model will see them."""
        return [Citation(n=n, quote=p.text, passage=p) for n, p in enumerate(self.passages, 1)]


class Answer(BaseModel):
    question: str
    answer: str = Field(description="Markdown with [n] citation markers")
    citations: list[Citation] = Field(default_factory=list)
    grounded: bool = True
    mode: Mode = "extractive"
    notices: list[str] = Field(default_factory=list)


class Position(BaseModel):
    author: str
    stance: Stance = "unlabeled"
    summary: str
    citations: list[Citation] = Field(default_factory=list)

    @property
    def stance_label(self) -> str:
        return UNDETERMINED if self.stance == "unlabeled" else self.stance


class Positions(BaseModel):
    question: str
    positions: list[Position] = Field(default_factory=list)
    mode: Mode = "extractive"
    notices: list[str] = Field(default_factory=list)


class Summary(BaseModel):
    scope: str = Field(description="'corpus', 'article:<id>' or 'author:<name>'")
    topic: str | None = Field(None, description="what the summary is about within its scope, when asked")
    summary: str = Field(description="Markdown with [n] citation markers")
    citations: list[Citation] = Field(default_factory=list)
    mode: Mode = "extractive"
    notices: list[str] = Field(default_factory=list)


class Cite(BaseModel):
    """The full cite of an evidence card, as debaters write it."""

    author: str | None = None
    credentials: str = ""
    title: str = ""
    outlet: str = ""
    date: str = ""
    url: str = ""


class EvidenceCard(BaseModel):
    tag: str = Field(description="one line stating the point the card makes")
    cite: Cite
    text: str = Field(description="verbatim passage text")
    passage: Passage
    answers: str | None = Field(None, description="for counterpoints: the claim it answers")


class Counterpoints(BaseModel):
    claim: str
    counterpoints: list[EvidenceCard] = Field(default_factory=list)
    supporting: list[EvidenceCard] = Field(default_factory=list)
    undetermined: list[EvidenceCard] = Field(
        default_factory=list, description="relevant cards whose side was not determined (offline), by author"
    )
    mode: Mode = "extractive"
    notices: list[str] = Field(default_factory=list)


class StanceExample(BaseModel):
    """One labelled (claim, passage) pair of eval/stance.jsonl."""

    claim: str
    passage: str = Field(description="a verbatim span of 1-3 sentences of `file`")
    label: PairStance = Field(description="the side the span argues, read as it stands")
    file: str = Field(description="path of the article file, relative to the project root")
    speaker: str = Field(description="whose words the span is; 'unknown' when the file names nobody")


class FileError(BaseModel):
    path: str
    error: str


class Retention(BaseModel):
    """How much of one article's text survived cleaning."""

    article_id: str
    path: str
    words_kept: int
    words_dropped: int


class IndexReport(BaseModel):
    articles: int = 0
    chunks: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    duplicates: list[FileError] = Field(default_factory=list)
    errors: list[FileError] = Field(default_factory=list)
    retention: list[Retention] = Field(default_factory=list, description="words kept and dropped per article")


class GroundingCalibration(BaseModel):
    """How far above off-topic questions a question's best passage must score, in this corpus.

    Measured on the corpus at hand (`assistant.grounding.calibrate`) for one index generation and
    stored with the index, so every process sharing it judges questions the same way."""

    generation: str
    probes: int = Field(description="off-topic probe questions searched")
    probe_mean: float = Field(description="mean of the probes' best-passage similarities")
    probe_sd: float
    probe_max: float
    floor: float = Field(description="below: not grounded, whatever the words")
    named: float = Field(description="the floor for the passages of a person the question names (lower)")
    confident: float = Field(description="above: grounded, even with words the corpus lacks")
