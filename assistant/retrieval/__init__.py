"""Finding the passages a question needs, and judging whether they answer it.

Query understanding (`query`: names, articles, comparisons, follow-ups; `conversation`: the
chat history a follow-up is read with), lexical matching (`lexical`), the hybrid dense + BM25
retriever over the Chroma index (`hybrid`), who speaks each passage (`speakers`), and
grounding: whether the best passages are close enough to answer at all (`grounding`). Nothing
here writes answer text; `compose/` and `jobs/` build on it.
"""
