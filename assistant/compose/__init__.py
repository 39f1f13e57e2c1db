"""Writing an answer from retrieved passages, with every claim cited and every quote verbatim.

`extractive` composes the answer from the passages' own sentences (no model needed); `llm` is
the OpenAI-compatible client and the model-written answer, `local_model` the built-in llama.cpp
server it can run on, `prompts` the templates in `prompts/` with corpus text fenced as data,
and `enforce` the check every model-written text goes through (markers, verbatim quotes,
attribution). Reads `retrieval/`; never the other way round.
"""
