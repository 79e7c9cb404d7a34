"""Case data in: import, validation, assignment to units, demo data."""

from etl.prepare import prepare_database

__all__ = ["prepare_database"]
