"""Caption files (WebVTT, SubRip, YouTube SBV): a recorded talk, podcast or meeting as paragraphs.

A caption file cuts speech into cues of a few seconds each, with timings and, in WebVTT, the
speaker as a voice tag (`<v Jane Doe>`); meeting tools (Zoom, Teams) often write the speaker as a
"Name: " prefix on every cue instead. webvtt-py parses the three formats; what it leaves is putting
the cues back together as a transcript: one paragraph per speaker's turn, opened by a
"Name: " label (the convention index.turns reads), with the timings dropped. Without speakers,
a pause after a finished sentence starts a new paragraph, as a transcriber would.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

CAPTION_SUFFIXES = {".vtt", ".srt", ".sbv"}
# A silence this long (seconds) after a finished sentence ends a paragraph of unlabelled speech.
PARAGRAPH_PAUSE = 2.0
# A "Name: " prefix of a meeting tool's cue: one to four capitalised words (a voice tag needs no guess).
_CUE_LABEL = re.compile(r"^((?:[A-Z][\w.'\u2019-]*\s){0,3}[A-Z][\w.'\u2019-]*):\s+(?=\S)")
_SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)\]]*$")


# US broadcast captions mark every change of speaker with ">>", naming the speaker only sometimes
# (">> MODERATOR: Good evening", ">> I appreciate the councilman's point"): an unnamed turn is an
# unidentified voice of its own, never the previous speaker's.
_CHANGE = re.compile(r"\s*>>\s*")
UNIDENTIFIED = "Unidentified Speaker"


@dataclass
class Cue:
    speaker: str | None
    text: str
    start: float
    end: float
    turn: bool = False  # opens a new turn (">>") even when it names nobody


@dataclass
class Captions:
    cues: list[Cue]
    title: str | None  # what the file's header calls the recording


def read_cues(path: Path, text: str) -> Captions:
    """The cues of a caption file (its already decoded `text`), in order, and its title; ValueError
    when malformed."""
    import webvtt
    from webvtt.errors import MalformedCaptionError, MalformedFileError

    lines = text.splitlines()
    suffix = path.suffix.lower()
    try:
        captions = webvtt.from_buffer(lines, format=suffix.lstrip("."))
    except (MalformedFileError, MalformedCaptionError) as exc:
        raise ValueError(f"not a valid {suffix} caption file: {exc}") from exc
    cues = [cue for c in captions if c.text.strip()
            for cue in _cues(c.voice, c.text, c.start_in_seconds, c.end_in_seconds)]
    return Captions(cues, _title(captions) if suffix == ".vtt" else None)


# A header line or note longer than this is a description, not a title.
TITLE_MAX_WORDS = 15


def _title(captions) -> str | None:
    """A WebVTT file's title: the text after "WEBVTT" on its first line, a "Title:" header field,
    else the first line of the first note above the cues ("NOTE / The Commons Hour, episode 212,
    Riverbend Public Radio"), where captioning tools and stations name the programme. SubRip and SBV
    have no header."""
    fields = [re.match(r"title:\s*(.+)", line.strip(), re.IGNORECASE) for line in captions.metadata]
    # A note that opens in lower case ("NOTE recorded at the library") describes; it does not name.
    notes = [c.strip().splitlines()[0] for c in captions.header_comments if c.strip()[:1].isupper()]
    found = [captions.header_text.strip(" \t-"), *(m.group(1) for m in fields if m), *notes[:1]]
    titles = (re.sub(r"(?<=[\w)])\.$", "", t) for t in found if t and len(t.split()) <= TITLE_MAX_WORDS)
    return next(titles, None)


def _cues(voice: str | None, text: str, start: float, end: float) -> list[Cue]:
    """A caption's text as cues: one, or one per ">>" change of speaker in it."""
    words = " ".join(text.split())
    parts = _CHANGE.split(words)
    cues = [_cue(voice, parts[0], start, end)] if parts[0] else []
    return cues + [_cue(voice, part, start, end, turn=True) for part in parts[1:] if part]


def _cue(voice: str | None, words: str, start: float, end: float, turn: bool = False) -> Cue:
    label = _CUE_LABEL.match(words)
    if voice is None and label:
        voice, words = label.group(1), words[label.end():]
    return Cue(" ".join(voice.split()) if voice else None, words, start, end, turn)


def transcript(cues: list[Cue]) -> str:
    """The cues as paragraphs: a new one for each change of speaker (labelled "Name: "), and in
    unlabelled speech after a pause of PARAGRAPH_PAUSE following a finished sentence."""
    paragraphs: list[str] = []
    speaker, previous = None, None
    for cue in cues:
        if cue.turn or (cue.speaker is not None and cue.speaker != speaker):
            speaker = cue.speaker or UNIDENTIFIED
            paragraphs.append(f"{speaker}: {cue.text}")
        elif previous is None or (cue.speaker is None and _pause_after_sentence(previous, cue)):
            paragraphs.append(cue.text)
        else:
            paragraphs[-1] += " " + cue.text
        previous = cue
    return "\n\n".join(paragraphs)


def _pause_after_sentence(previous: Cue, cue: Cue) -> bool:
    return bool(_SENTENCE_END.search(previous.text)) and cue.start - previous.end >= PARAGRAPH_PAUSE
