"""The one allow-list of unit levels a query may group or filter by, and their code columns."""

from __future__ import annotations

from geo.errors import InvalidArgumentError

UNIT_CODE_COLUMNS = {"province": "province_code", "commune": "commune_code"}


def unit_code_column(level: str) -> str:
    """Return the record column holding the 2025 code of ``level`` (safe to put in SQL)."""
    if level not in UNIT_CODE_COLUMNS:
        raise InvalidArgumentError(f"`level` must be one of {tuple(UNIT_CODE_COLUMNS)}, got {level!r}.")
    return UNIT_CODE_COLUMNS[level]
