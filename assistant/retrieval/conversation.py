"""Chat history as the UI and the API send it, read as (role, text) turns."""

from __future__ import annotations

History = list[dict[str, str]] | list[tuple[str, str]] | None


def history_turns(history: History) -> list[tuple[str, str]]:
    """Earlier turns as (role, text) pairs, from message dicts or (user, assistant) tuples."""
    turns: list[tuple[str, str]] = []
    for item in history or []:
        if isinstance(item, dict):
            text = _content_text(item.get("content"))
            if text:
                turns.append((str(item.get("role") or "user"), text))
        elif isinstance(item, list | tuple) and len(item) == 2:
            for role, content in zip(("user", "assistant"), item, strict=True):
                text = _content_text(content)
                if text:
                    turns.append((role, text))
    return turns


def _content_text(content: object) -> str:
    # Chat UIs send content as a string, or as a list of {"type": "text", "text": ...} parts.
    if isinstance(content, str):
        return content.strip()
    if isinstance(content, dict):
        return _content_text(content.get("text") or content.get("content"))
    if isinstance(content, list | tuple):
        return " ".join(t for t in (_content_text(c) for c in content) if t)
    return ""
