"""One settings object, read from the environment and from `.env`."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    corpus: Path = Field(PROJECT_ROOT / "corpus", alias="ASSISTANT_CORPUS")
    data: Path = Field(Path(".assistant"), alias="ASSISTANT_DATA")
    chroma_host: str | None = Field(None, alias="CHROMA_HOST")
    chroma_port: int = Field(8000, alias="CHROMA_PORT")
    embed_model: str = Field("", alias="ASSISTANT_EMBED_MODEL")

    # "local": the built-in llama.cpp server (assistant/compose/local_model.py) with the bundled model
    # or ASSISTANT_LOCAL_MODEL; unset: OPENAI_API_KEY / OPENAI_BASE_URL, or extractive.
    llm: Literal["", "local"] = Field("", alias="ASSISTANT_LLM")
    local_model: Path | None = Field(None, alias="ASSISTANT_LOCAL_MODEL")
    openai_api_key: str | None = Field(None, alias="OPENAI_API_KEY")
    openai_base_url: str | None = Field(None, alias="OPENAI_BASE_URL")
    llm_model: str = Field("gpt-4o-mini", alias="ASSISTANT_LLM_MODEL")
    # A stalled endpoint costs at most (1 + retries) x this before the extractive fallback:
    # 10 s with one retry keeps every failure under 30 s.
    llm_timeout: float = Field(10.0, alias="ASSISTANT_LLM_TIMEOUT")
    llm_connect_timeout: float = Field(3.0, alias="ASSISTANT_LLM_CONNECT_TIMEOUT")
    llm_retries: int = Field(1, alias="ASSISTANT_LLM_RETRIES")

    host: str = Field("127.0.0.1", alias="ASSISTANT_HOST")
    port: int = Field(7860, alias="ASSISTANT_PORT")
    auth: str | None = Field(None, alias="ASSISTANT_AUTH")
    max_upload_mb: int = Field(25, alias="ASSISTANT_MAX_UPLOAD_MB")

    @property
    def llm_enabled(self) -> bool:
        return self.llm == "local" or bool(self.openai_api_key or self.openai_base_url)
