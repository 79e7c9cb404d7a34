"""The checks every query makes the same way, with one message each: a period and a unit code."""

from __future__ import annotations

from datetime import date

from geo.errors import InvalidArgumentError
from queries.units import unit_code_column

CODE_WIDTHS = {"province": 2, "commune": 5}


def check_period(start: date, end: date) -> None:
    """Refuse a period that is not two dates with ``start <= end``."""
    if not (isinstance(start, date) and isinstance(end, date)) or start > end:
        raise InvalidArgumentError(
            f"Kỳ không hợp lệ: cần hai ngày, ngày bắt đầu không sau ngày kết thúc. / `start` and `end` must be "
            f"dates with start <= end, got {start!r}, {end!r}.")


def check_unit_code(level: str, code: str) -> str:
    """Refuse a 2025 unit code of the wrong form; return the record column that holds it (safe in SQL)."""
    column = unit_code_column(level)
    width = CODE_WIDTHS[level]
    if not (isinstance(code, str) and code.isdigit() and len(code) == width):
        raise InvalidArgumentError(f"Mã {level} phải gồm {width} chữ số. / `code` of a {level} must be {width} digits, "
                                   f"got {code!r}.")
    return column
