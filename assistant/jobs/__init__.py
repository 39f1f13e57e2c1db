"""The three jobs beyond a chat answer: `positions` (where each author stands), `summaries`
(cited summaries of an article, an author or the corpus) and `counter` (debate counterpoints).

Each job takes a `JobContext` (`context`: the retriever, the embedder, the chat model, the
article texts, the query planner), not the `Assistant`, so the Assistant calls the jobs and
nothing here imports it. `stance` asks the model for a passage's side on a claim;
`llm_common` holds what the model paths share (JSON replies, attribution checks);
`standalone` decides how much context a quote needs.
"""
