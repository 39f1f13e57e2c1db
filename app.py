"""`python app.py`: serve the Gradio app on ASSISTANT_HOST:ASSISTANT_PORT (127.0.0.1:7860 by default)."""

from __future__ import annotations

import logging
import threading

from assistant.app.views import build_app, launch_options
from assistant.core import Assistant
from assistant.settings import Settings

logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

settings = Settings()
assistant = Assistant(settings)
demo = build_app(assistant)

if __name__ == "__main__":
    assistant.articles()  # build the index (first run) and warm the retriever before serving
    # The model loads while the server starts (about a second saved on the first answer);
    # a question arriving meanwhile waits for it (see Assistant.embedder).
    threading.Thread(target=assistant.warm_up, name="warm-up", daemon=True).start()
    if settings.llm == "local":  # assemble the built-in model and start its server before the first question
        from assistant.compose.local_model import shared_server

        threading.Thread(target=shared_server(settings).ensure, name="local-model", daemon=True).start()
    demo.launch(**launch_options(settings))
