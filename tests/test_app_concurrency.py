"""Issue 7: the real app (`python app.py`) under 16 concurrent /ask calls from gradio_client,
listening on 127.0.0.1 by default, and never writing the API key to its logs.

The app talks to the scripted OpenAI-compatible server (tests/fake_openai.py) with a
sentinel API key; after the load (and a few model faults, whose errors get logged) the
key must not appear anywhere in the app's output.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import psutil
import pytest
from app_server import app_process
from conftest import CORPUS
from fake_openai import malformed, status
from gradio_client import Client
from reliability_helpers import free_port, subprocess_env

from assistant.citations import normalize
from assistant.models import Answer

pytestmark = pytest.mark.slow

SENTINEL_KEY = "sk-test-SENTINEL-0a1b2c3d4e5f"
QUESTIONS = [
    "What does Matthew Kroenig think an early peace deal would lead to?",
    "Why does Emma Ashford think a negotiated settlement is needed?",
    "What does George Beebe argue about direct talks?",
    "Why should the United States keep talking to Russia?",
]


def test_sixteen_concurrent_asks_localhost_and_no_key_in_logs(fresh_data, fake_llm, tmp_path):
    port = free_port()
    env = subprocess_env(
        fresh_data, CORPUS, ASSISTANT_PORT=str(port), OPENAI_API_KEY=SENTINEL_KEY, OPENAI_BASE_URL=fake_llm.url,
        ASSISTANT_LLM_MODEL="fake-model", ASSISTANT_LLM_TIMEOUT="5", ASSISTANT_LLM_CONNECT_TIMEOUT="2",
        ASSISTANT_LLM_RETRIES="0", GRADIO_ANALYTICS_ENABLED="False",
    )
    assert "ASSISTANT_HOST" not in env  # the default bind address is under test
    log = tmp_path / "app.log"
    with app_process(env, log, port) as (url, proc):
        # Listening on the loopback interface only.
        listening = {
            c.laddr.ip for c in psutil.Process(proc.pid).net_connections(kind="inet")
            if c.status == psutil.CONN_LISTEN and c.laddr.port == port
        }
        assert listening == {"127.0.0.1"}, listening

        client = Client(url, verbose=False)
        started = time.monotonic()
        jobs = [client.submit(QUESTIONS[i % len(QUESTIONS)], api_name="/ask") for i in range(16)]
        with ThreadPoolExecutor(16) as pool:
            results = list(pool.map(lambda job: job.result(timeout=240), jobs))
        elapsed = time.monotonic() - started
        assert len(results) == 16
        for i, (markdown, data) in enumerate(results):
            answer = Answer.model_validate(data)
            assert answer.question == QUESTIONS[i % len(QUESTIONS)]
            assert answer.grounded and answer.citations, answer
            assert markdown
            for c in answer.citations:
                assert normalize(c.quote) in normalize(c.passage.text)
        assert sum(Answer.model_validate(d).mode == "llm" for _, d in results) >= 12
        print(f"16 concurrent /ask answered in {elapsed:.1f}s")

        # Model faults get logged; the key must not be in those lines either.
        fake_llm.push(status(401), status(500), malformed())
        for q in QUESTIONS[:3]:
            _markdown, data = client.predict(q, api_name="/ask")
            assert Answer.model_validate(data).citations
        assert len(fake_llm.chat_requests()) >= 16
        for request in fake_llm.requests:  # the key did reach the model server (so it was configured)
            headers = {k.lower(): v for k, v in request["headers"].items()}
            assert headers.get("authorization") == f"Bearer {SENTINEL_KEY}"
    output = log.read_text()
    assert SENTINEL_KEY not in output
    assert SENTINEL_KEY[-8:] not in output, "not even a fragment of the key"
