"""What the language-model paths of the three jobs share: calling, parsing, attribution checks.

The model only ever *proposes*: stances, summaries in its words, for/against labels and
tags. Every citation it makes still goes through the shared enforcement (`enforce`) and
citation check, and on top of that a sentence that names a person may only cite that
person's passages, so a quote attributed to the wrong author never reaches the user.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from assistant.compose import prompts
from assistant.compose.enforce import MARKER, answer_sentence_spans, cited_numbers, misattributed
from assistant.compose.llm import LLMError, describe
from assistant.models import Passage

if TYPE_CHECKING:
    from assistant.jobs.context import JobContext

log = logging.getLogger(__name__)

_FENCED_JSON = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL)


def enabled(assistant: JobContext) -> bool:
    return assistant.settings.llm_enabled


def ask_json(assistant: JobContext, template: str, passages: list[Passage], **values: str) -> dict[str, Any]:
    """The model's JSON reply to `template` over the fenced `passages`; LLMError when unusable."""
    nonce = prompts.fence_key(*(p.text for p in passages), *values.values())
    fenced = {k: prompts.fence_text(v) for k, v in values.items()}
    reply = assistant.chat.complete(
        prompts.messages(template, nonce, passages=prompts.fence_passages(passages, nonce), **fenced)
    )
    return parse_json(reply)


def parse_json(reply: str) -> dict[str, Any]:
    """The JSON object in a reply (bare, or in a ``` fence, or amid prose)."""
    fenced = _FENCED_JSON.search(reply)
    text = fenced.group(1) if fenced else reply
    start, end = text.find("{"), text.rfind("}")
    try:
        value = json.loads(text[start : end + 1]) if start >= 0 else None
    except json.JSONDecodeError as exc:
        raise LLMError("malformed reply: not JSON") from exc
    if not isinstance(value, dict):
        raise LLMError("malformed reply: not a JSON object")
    return value


def failure_notice(exc: Exception) -> str:
    log.warning("language model failed for a job (%s): extractive result shown", describe(exc),
                exc_info=not isinstance(exc, LLMError))
    return f"Language model failed ({describe(exc)}); extractive result shown instead."


def with_fallback(run_llm: Callable[[], Any], run_offline: Callable[[], Any]) -> Any:
    """The model's result, or the extractive one with a notice naming the failure."""
    try:
        return run_llm()
    except Exception as exc:  # any endpoint or parsing failure falls back, never a crash
        result = run_offline()
        result.notices = [failure_notice(exc)] + [n for n in result.notices if "no language model" not in n]
        return result


# -- attribution ------------------------------------------------------------------------------
def drop_misattributed(text: str, passages: list[Passage], people: list[str]) -> tuple[str, list[str]]:
    """Remove citations that credit a named person with someone else's passage.

    In a sentence that names people, a marker [n] must point at a passage whose author is
    one of them; other markers are removed. A sentence left with no citation at all is
    removed too (with a notice): its claim, attributed to the wrong person, is not shown.
    """
    notices: list[str] = []
    pieces, last = [], 0
    for start, end in answer_sentence_spans(text):
        sentence = text[start:end]
        wrong, named = misattributed(sentence, passages, people)
        pieces.append(text[last:start])
        if wrong:
            fixed = _remove_markers(sentence, wrong)
            who = ", ".join(sorted(named))
            if cited_numbers(fixed):
                notices.append(f"removed citation {_list(wrong)}: not the words of {who}")
                pieces.append(fixed)
            else:
                notices.append(f"removed a sentence attributing to {who} the words of another author {_list(wrong)}")
        else:
            pieces.append(sentence)
        last = end
    pieces.append(text[last:])
    return re.sub(r"[ \t]{2,}", " ", "".join(pieces)).strip(), notices


def _remove_markers(sentence: str, numbers: set[int]) -> str:
    def keep(match: re.Match) -> str:
        kept = [n for n in (int(x) for x in re.findall(r"\d+", match.group(2))) if n not in numbers]
        return match.group(1) + "".join(f"[{n}]" for n in kept) if kept else ""

    return MARKER.sub(keep, sentence)


def _list(numbers: set[int]) -> str:
    return ", ".join(f"[{n}]" for n in sorted(numbers))


def renumber(text: str, mapping: dict[int, int]) -> str:
    """`text` with marker numbers mapped (local to global numbering); unmapped markers removed."""

    def swap(match: re.Match) -> str:
        kept = [mapping[n] for n in (int(x) for x in re.findall(r"\d+", match.group(2))) if n in mapping]
        return match.group(1) + "".join(f"[{n}]" for n in dict.fromkeys(kept)) if kept else ""

    return MARKER.sub(swap, text)
