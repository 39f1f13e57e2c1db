"""The Gradio app: `views` lays out the tabs, `handlers` are their callbacks, `render` turns
answers, positions, cards and summaries into escaped Markdown and tables, and `api` is the
app's typed API over the `Assistant` (the endpoints `gradio_client` calls). Corpus management
(uploads, URLs, deletes, metadata edits) is `assistant.library`, shared with the CLI.
"""
