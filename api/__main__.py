"""Run the API server: ``python -m api`` (host and port from ``DIABAN_API_HOST`` / ``DIABAN_API_PORT``)."""

from __future__ import annotations

import logging

import uvicorn

from api.app import create_app
from api.settings import get_api_settings


def main() -> None:
    settings = get_api_settings()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if settings.workers > 1:  # several processes: uvicorn imports the factory in each
        uvicorn.run("api.app:create_app", factory=True, host=settings.host, port=settings.port, log_level="warning",
                    timeout_keep_alive=30, limit_concurrency=400, workers=settings.workers)
    else:
        uvicorn.run(create_app(), host=settings.host, port=settings.port, log_level="warning",
                    timeout_keep_alive=30, limit_concurrency=400)


if __name__ == "__main__":
    main()
