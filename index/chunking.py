"""Quote-sized, sentence-aware passages that never cross a speaker turn.

Each attributed segment (one speaker's turn, or an author's body text) is split on
its own by llama-index's SentenceSplitter, so a passage never mixes two speakers or
two articles. Sizes are counted in words (the splitter's tokenizer is `str.split`)
because "quote-sized" is a word count to a reader. The splitter reports character
offsets into the segment; adding the segment's start makes them offsets into the
article's cleaned text, and `text == article.text[start:end]` holds by construction.
"""

from __future__ import annotations

from dataclasses import dataclass

from llama_index.core import Document
from llama_index.core.node_parser import SentenceSplitter

from assistant.citations import sentence_spans

from .attribution import Segment

PASSAGE_WORDS = 200


@dataclass
class Chunk:
    start: int
    end: int
    author: str | None
    kind: str


def split_sentences(text: str) -> list[str]:
    """Sentences with their trailing whitespace, so that the pieces join back to `text`.

    Replaces the splitter's default punkt tokenizer, which cuts "Some U.S. lawmakers"
    after "U.S." and would start a passage mid-sentence.
    """
    starts = [a for a, _ in sentence_spans(text)] or [0]
    starts[0] = 0
    return [text[a:b] for a, b in zip(starts, starts[1:] + [len(text)])]


def make_splitter(chunk_words: int = PASSAGE_WORDS) -> SentenceSplitter:
    return SentenceSplitter(
        chunking_tokenizer_fn=split_sentences,
        chunk_size=chunk_words,
        chunk_overlap=0,
        tokenizer=str.split,
        paragraph_separator="\n\n",
        include_metadata=False,
        include_prev_next_rel=False,
    )


def chunk_segments(text: str, segments: list[Segment], splitter: SentenceSplitter) -> list[Chunk]:
    chunks: list[Chunk] = []
    for seg in segments:
        body = text[seg.start : seg.end]
        if not body.strip():
            continue
        nodes = splitter.get_nodes_from_documents([Document(text=body)])
        cursor = 0
        for node in nodes:
            content = node.get_content()
            start = body.find(content, cursor)
            if start < 0:  # the splitter altered the text: never store a non-verbatim passage
                continue
            cursor = start + len(content)
            chunks.append(Chunk(seg.start + start, seg.start + cursor, seg.author, seg.kind))
    return chunks
