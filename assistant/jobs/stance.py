"""Stance of (claim, passage) pairs, read by the language model: support, oppose or neither.

One short request per pair (each prompt short and each label independent of the others;
a batched prompt is still to be measured against it on eval/stance.jsonl, see README), the
reply constrained to a JSON schema by the server, and each label cached by a hash of (model, claim, passage), so
the positions table and debate prep never ask twice about the same words. Every request
starts with the same system prompt (prompts.py keeps it free of the nonce), so a server with
prompt caching only reads each new passage and the question; the question comes last, where
a small model attends best.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import get_args

from assistant.compose import prompts
from assistant.compose.llm import ChatModel, LLMError
from assistant.models import PairStance, Passage

LABELS: tuple[str, ...] = get_args(PairStance)
SCHEMA = {
    "type": "object",
    "properties": {"stance": {"type": "string", "enum": list(LABELS)}},
    "required": ["stance"],
    "additionalProperties": False,
}
MAX_TOKENS = 16  # {"stance": "neither"} is about 8 tokens
CACHE_SIZE = 20_000

_cache: OrderedDict[str, PairStance] = OrderedDict()
_lock = threading.Lock()


def cache_key(model: str, claim: str, text: str) -> str:
    return hashlib.sha256("\0".join((model, " ".join(claim.split()), " ".join(text.split()))).encode()).hexdigest()


def parse_label(value: object) -> PairStance:
    """The label of a parsed reply {"stance": ...}; LLMError when it is not one of LABELS."""
    label = str(value.get("stance", "")).strip().lower() if isinstance(value, dict) else ""
    if label not in LABELS:
        raise LLMError(f"malformed stance reply: {label or 'no stance'!r}")
    return label  # type: ignore[return-value]


def judge(chat: ChatModel, claim: str, passages: Sequence[Passage]) -> list[PairStance]:
    """The stance of each passage on `claim`, in order (cached; LLMError when the model fails)."""
    fenced_claim = prompts.fence_text(claim)
    out: list[PairStance] = []
    for passage in passages:
        key = cache_key(chat.model, claim, passage.text)
        with _lock:
            label = _cache.get(key)
        if label is None:
            nonce = prompts.fence_key(claim, passage.text)  # one pair, one prompt: judged alone or in a batch
            messages = prompts.messages(
                "stance", nonce, claim=fenced_claim, passages=prompts.fence_passages([passage], nonce)
            )
            label = parse_label(chat.complete_json(messages, SCHEMA, MAX_TOKENS))
            with _lock:
                _cache[key] = label
                while len(_cache) > CACHE_SIZE:
                    _cache.popitem(last=False)
        out.append(label)
    return out


def clear_cache() -> None:
    with _lock:
        _cache.clear()
