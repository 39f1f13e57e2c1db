"""Prompt templates, kept as files in `prompts/`, and the fencing of corpus text as data.

A template has a system part and a user part, separated by a line `=== user ===`.
Placeholders are `{{name}}`; every template may use `{{data_rules}}` (the shared
prompt-injection guard) and `{{nonce}}`. The system part is the same text for every request
(no nonce, no request values): llama.cpp's server then reuses its cached tokens from one
request to the next (prompt-prefix caching), and on a small CPU the prompt is most of the wait.

Corpus text is untrusted: it is wrapped between markers that carry a nonce derived
from the request's own texts (so an article cannot forge a closing marker), and any marker-like
sequence inside the text is defanged before it reaches the prompt. Spans flagged at index
time as addressed to an AI assistant (index/injection.py) never reach a model: they are
replaced by a marker and the passage's header says so.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

from assistant.citations import withhold
from assistant.models import Passage
from assistant.settings import PROJECT_ROOT

PROMPTS_DIR = PROJECT_ROOT / "prompts"
USER_SPLIT = "=== user ==="
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
# The fence markers use <<< and >>>: these never survive in corpus text.
_FENCE_CHARS = str.maketrans({"<": "\u2039", ">": "\u203a"})
_FENCE_LIKE = re.compile(r"<{3,}|>{3,}")


@lru_cache(maxsize=32)
def load(name: str) -> str:
    """The template `prompts/<name>.md` (or `.txt`)."""
    for suffix in (".md", ".txt"):
        path = PROMPTS_DIR / f"{name}{suffix}"
        if path.is_file():
            return path.read_text(encoding="utf-8")
    raise FileNotFoundError(f"no prompt template {name!r} in {PROMPTS_DIR}")


def fence_key(*texts: str) -> str:
    """The nonce of one request's fences, derived from the texts it fences.

    Not random: the same request must give the same prompt, or temperature 0 and a fixed seed
    still give different answers (with a random nonce the built-in model's stance label of one
    pair changed from run to run), and the server's prompt cache misses. An article cannot forge
    a fence anyway (`defang` rewrites every run of <<< or >>> in corpus text); the nonce, a hash
    of the article's own words among the rest, is a second guard it cannot know in advance.
    """
    return hashlib.sha256("\0".join(texts).encode()).hexdigest()[:12]


def fill(template: str, values: dict[str, str]) -> str:
    """Replace `{{name}}` placeholders in one pass (filled-in text is never re-scanned)."""

    def value(match: re.Match) -> str:
        key = match.group(1)
        if key not in values:
            raise KeyError(f"prompt placeholder {{{{{key}}}}} has no value")
        return str(values[key])

    return _PLACEHOLDER.sub(value, template)


def messages(name: str, nonce: str, **values: str) -> list[dict[str, str]]:
    """Chat messages (system, user) for template `name`, filled with `values`."""
    values = {"nonce": nonce, **values}
    values.setdefault("data_rules", load("data_rules").strip())
    system, _, user = load(name).partition(USER_SPLIT)
    out = [{"role": "system", "content": fill(system, values).strip()}]
    if user.strip():
        out.append({"role": "user", "content": fill(user, values).strip()})
    return out


def defang(text: str) -> str:
    """Corpus text with any fence-like run of < or > made harmless."""
    return _FENCE_LIKE.sub(lambda m: m.group(0).translate(_FENCE_CHARS), text)


WITHHELD_WARNING = "warning: instruction-like text withheld"


def fence_passages(passages: list[Passage], nonce: str, metadata: bool = True) -> str:
    """The passages numbered from 1, each fenced as data with its author, title, outlet, date
    (only its author when not `metadata`: a question about the author's own words needs no more,
    and on a small CPU every prompt token counts)."""
    blocks = []
    for n, p in enumerate(passages, 1):
        header = f"author: {defang(p.author or 'unknown')}"
        if metadata:
            header += (
                f"\ntitle: {defang(p.title or 'untitled')}\n"
                f"outlet: {defang(p.outlet or 'unknown')}\n"
                f"date: {defang(p.date or 'unknown')}"
            )
        if p.flags:
            header += f"\n{WITHHELD_WARNING}"
        blocks.append(
            f"<<<PASSAGE {n} {nonce}>>>\n{header}\ntext:\n{defang(withhold(p))}\n<<<END PASSAGE {n} {nonce}>>>"
        )
    return "\n\n".join(blocks)


def fence_text(text: str) -> str:
    """Any other untrusted text (conversation history, partial summaries), defanged."""
    return defang(text)
