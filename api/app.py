"""The API application: OGC API – Features, analytics JSON and ingestion, each request as its token's user.

``create_app()`` takes the engine to use (tests pass the app role's engine on their database);
by default it is the app's own pooled engine (``geo.access.app_engine``: the ``diaban_app`` role,
checked to own nothing and bypass no policy). The OpenAPI description is at ``/openapi.json``;
no Swagger page is served (it would fetch scripts from the internet).
"""

from __future__ import annotations

from functools import lru_cache

from fastapi import FastAPI
from sqlalchemy.engine import Engine

from api import analytics, errors, features, ingest


def create_app(engine: Engine | None = None) -> FastAPI:
    app = FastAPI(title="Địa bàn API", version="1.0",
                  description="OGC API – Features (Part 1: Core, GeoJSON, OpenAPI 3.0), analytics and ingestion. "
                              "Every request needs `Authorization: Bearer <token>` (an API token issued on the "
                              "admin page or with `python -m geo tokens issue`).",
                  docs_url=None, redoc_url=None)

    @lru_cache(maxsize=1)
    def _engine() -> Engine:
        if engine is not None:
            return engine
        from geo.access import app_engine

        return app_engine()

    app.state.engine = _engine
    errors.install(app)
    app.include_router(features.router)
    app.include_router(analytics.router)
    app.include_router(ingest.router)

    @app.get("/healthz", include_in_schema=False)
    def healthz():
        return {"ok": True}

    return app
