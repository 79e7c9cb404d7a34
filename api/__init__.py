"""The platform's API for other systems: OGC API – Features reads, analytics JSON, ingestion."""

from api.app import create_app

__all__ = ["create_app"]
