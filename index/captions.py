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


@dataclass
class Cue:
    speaker: str | None
    text: str
    start: float
    end: float


def read_cues(path: Path, text: str) -> list[Cue]:
    """The cues of a caption file (its already decoded `text`), in order; ValueError when malformed."""
    import webvtt
    from webvtt.errors import MalformedCaptionError, MalformedFileError

    lines = text.splitlines()
    suffix = path.suffix.lower()
    try:
        captions = webvtt.from_buffer(lines, format=suffix.lstrip("."))
    except (MalformedFileError, MalformedCaptionError) as exc:
        raise ValueError(f"not a valid {suffix} caption file: {exc}") from exc
    return [_cue(c.voice, c.text, c.start_in_seconds, c.end_in_seconds) for c in captions if c.text.strip()]


def _cue(voice: str | None, text: str, start: float, end: float) -> Cue:
    words = " ".join(text.split())
    label = _CUE_LABEL.match(words)
    if voice is None and label:
        voice, words = label.group(1), words[label.end():]
    return Cue(" ".join(voice.split()) if voice else None, words, start, end)


def transcript(cues: list[Cue]) -> str:
    """The cues as paragraphs: a new one for each change of speaker (labelled "Name: "), and in
    unlabelled speech after a pause of PARAGRAPH_PAUSE following a finished sentence."""
    paragraphs: list[str] = []
    speaker, previous = None, None
    for cue in cues:
        if cue.speaker is not None and cue.speaker != speaker:
            speaker = cue.speaker
            paragraphs.append(f"{speaker}: {cue.text}")
        elif previous is None or (cue.speaker is None and _pause_after_sentence(previous, cue)):
            paragraphs.append(cue.text)
        else:
            paragraphs[-1] += " " + cue.text
        previous = cue
    return "\n\n".join(paragraphs)


def _pause_after_sentence(previous: Cue, cue: Cue) -> bool:
    return bool(_SENTENCE_END.search(previous.text)) and cue.start - previous.end >= PARAGRAPH_PAUSE
