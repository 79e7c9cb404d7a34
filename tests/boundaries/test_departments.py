"""The regional-departments table: seeded by the migration, replaced whole, checked row by row."""

from __future__ import annotations

import pandas as pd
import pytest

from boundaries.departments import province_departments, read_departments, replace_departments
from geo.errors import InvalidArgumentError


def test_the_seed_puts_every_province_in_one_department_with_the_published_mekong_set(conn):
    mapping = province_departments(conn)
    assert len(mapping) == 34 and mapping.index.is_unique
    assert sorted(mapping[mapping == "VIII"].index) == ["82", "86", "91", "92", "96"]
    assert read_departments(conn)["department_code"].nunique() == 9


def test_a_replacement_is_checked_and_reports_provinces_left_out(conn):
    table = pd.DataFrame({"department_code": ["A", "A", "B"], "department_name": ["Vụ A", "Vụ A", "Vụ B"],
                          "province_code": ["1", "79", "92"]})
    left_out = replace_departments(conn, table)
    assert province_departments(conn).to_dict() == {"01": "A", "79": "A", "92": "B"}
    assert len(left_out) == 31 and "96" in left_out
    wrong = pd.DataFrame({"department_code": ["A", "B", "C"], "department_name": ["x", "y", "z"],
                          "province_code": ["01", "01", "99"]})
    with pytest.raises(InvalidArgumentError) as err:
        replace_departments(conn, wrong)
    assert "99" in str(err.value) and "01" in str(err.value)
    with pytest.raises(InvalidArgumentError, match="province_code"):
        replace_departments(conn, pd.DataFrame({"department_code": ["A"], "department_name": ["x"]}))
