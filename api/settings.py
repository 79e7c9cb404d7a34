"""Settings of the API server (prefix ``DIABAN_API_``), read at call time like ``geo.settings``."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ApiSettings(BaseSettings):
    """Where the API listens and how much one request may carry."""

    model_config = SettingsConfigDict(env_prefix="DIABAN_API_", extra="ignore")

    port: int = Field(default=8502, ge=1, le=65535, description="Port of the API (DIABAN_API_PORT).")
    host: str = Field(default="127.0.0.1", description="Address to bind; 0.0.0.0 to serve other machines "
                                                       "(put TLS in front when it leaves the machine).")
    max_body_mb: float = Field(default=20, gt=0, le=4096, description="Largest request body of an ingestion.")
    max_records: int = Field(default=100_000, ge=1, le=5_000_000, description="Most records in one JSON batch.")
    workers: int = Field(default=1, ge=1, le=32, description="API processes (each with its own connection pool).")
    enabled: bool = Field(default=True, description="Start the API next to Streamlit in `bash run.sh app`.")

    @property
    def max_body_bytes(self) -> int:
        return int(self.max_body_mb * 1024 * 1024)


@lru_cache(maxsize=1)
def get_api_settings() -> ApiSettings:
    return ApiSettings()
