"""Fetching a web page for the corpus: an http(s) URL in, its HTML out, or a specific reason why not.

httpx rather than trafilatura's `fetch_url`, which returns None for every failure and so cannot
say whether the server refused the connection, answered 404, sent a PDF or timed out. The page
is saved as fetched and read by the HTML reader (trafilatura) like any other .html file.
"""

from __future__ import annotations

import re

import httpx

from .readers import MAX_TEXT_BYTES

FETCH_TIMEOUT_S = 20.0
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_URL = re.compile(r"^https?://\S+$", re.IGNORECASE)


class FetchError(ValueError):
    """A URL whose page could not be fetched; the message says why."""


def is_url(text: str) -> bool:
    return bool(_URL.match(text.strip()))


def fetch_html(url: str, *, timeout: float = FETCH_TIMEOUT_S, max_bytes: int = MAX_TEXT_BYTES) -> bytes:
    """The HTML of the page at `url` (redirects followed); raises FetchError with the reason."""
    if not is_url(url):
        raise FetchError("not an http(s) URL")
    try:
        with (
            httpx.Client(timeout=timeout, follow_redirects=True, max_redirects=5) as client,
            client.stream("GET", url.strip()) as response,
        ):
            if response.status_code >= 400:
                raise FetchError(f"HTTP {response.status_code} {response.reason_phrase}".strip())
            kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
            if kind and kind not in _HTML_TYPES:
                raise FetchError(f"not an HTML page (content type {kind})")
            return _read_limited(response, max_bytes)
    except httpx.TimeoutException as exc:
        raise FetchError(f"timed out after {timeout:g} s") from exc
    except httpx.ConnectError as exc:
        raise FetchError(f"could not connect: {_cause(exc)}") from exc
    except httpx.TooManyRedirects as exc:
        raise FetchError("too many redirects") from exc
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
        raise FetchError(f"invalid URL: {exc}") from exc
    except httpx.HTTPError as exc:
        raise FetchError(f"fetch failed: {type(exc).__name__}: {_cause(exc)}"[:200]) from exc


def _read_limited(response: httpx.Response, max_bytes: int) -> bytes:
    data = bytearray()
    for chunk in response.iter_bytes():
        data.extend(chunk)
        if len(data) > max_bytes:
            raise FetchError(f"page too large (over {max_bytes / (1024 * 1024):.1f} MB)")
    if not data.strip():
        raise FetchError("the server sent an empty page")
    return bytes(data)


def _cause(exc: BaseException) -> str:
    """The innermost reason ("[Errno 111] Connection refused"), not httpx's wrapper text."""
    while exc.__cause__ is not None or exc.__context__ is not None:
        exc = exc.__cause__ or exc.__context__
    text = str(exc)
    if isinstance(exc, OSError) and exc.strerror:
        text = exc.strerror
    return text.lower() or type(exc).__name__
