"""The project's own measurements: `corpus` scores retrieval, attribution, grounding and
answers on the dev and check sets of both corpora (`make eval`), `stance` scores stance labels
on `eval/stance.jsonl`."""
