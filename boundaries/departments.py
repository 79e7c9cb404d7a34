"""Regional departments: which provinces each Vụ Địa bàn covers, read and replaced as a table.

The mapping is not fully published and changes by decision, so planners keep it as data: a
CSV with ``department_code, department_name, province_code`` replaces it in one transaction,
after every province code is checked against the current 2025 provinces (each province in at
most one department; provinces left out belong to none and are reported).
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import text
from sqlalchemy.engine import Connection

from geo.errors import InvalidArgumentError

COLUMNS = ["department_code", "department_name", "province_code"]


def read_departments(conn: Connection) -> pd.DataFrame:
    """One row per (department, province); departments without provinces appear with a null code."""
    return pd.read_sql_query(text("""
        SELECT d.code AS department_code, d.name AS department_name, p.province_code
        FROM regional_department d
        LEFT JOIN regional_department_province p ON p.department_code = d.code
        ORDER BY d.code, p.province_code
    """), conn)


def province_departments(conn: Connection) -> pd.Series:
    """Department code per 2025 province code (provinces in no department are absent)."""
    rows = conn.execute(text("SELECT province_code, department_code FROM regional_department_province")).all()
    return pd.Series(dict(rows), name="department_code", dtype="object")


def check_departments(frame: pd.DataFrame, province_codes: set[str]) -> pd.DataFrame:
    """Return the table normalised, or raise naming every row that is wrong and how to fix it."""
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise InvalidArgumentError(
            f"Bảng vụ địa bàn thiếu cột {', '.join(missing)} / the departments table lacks column(s) "
            f"{', '.join(missing)}; expected: {', '.join(COLUMNS)}")
    table = frame[COLUMNS].astype("string").apply(lambda s: s.str.strip())
    table["province_code"] = table["province_code"].str.zfill(2)
    problems = []
    for i, row in table.iterrows():
        if pd.isna(row.department_code) or not row.department_code:
            problems.append(f"dòng/row {i + 2}: thiếu mã vụ / no department code")
        if pd.notna(row.province_code) and row.province_code not in province_codes:
            problems.append(f"dòng/row {i + 2}: mã tỉnh {row.province_code} không có trong 34 tỉnh, thành 2025 "
                            f"/ province code {row.province_code} is not a 2025 province")
    twice = table.dropna(subset=["province_code"]).groupby("province_code")["department_code"].nunique()
    for code in twice[twice > 1].index:
        problems.append(f"tỉnh {code} thuộc hơn một vụ / province {code} is in more than one department")
    if problems:
        raise InvalidArgumentError("Bảng vụ địa bàn chưa đúng / the departments table is wrong: " + "; ".join(problems))
    return table.drop_duplicates()


def replace_departments(conn: Connection, frame: pd.DataFrame) -> list[str]:
    """Replace the whole mapping (call inside a transaction); return the provinces left in no department."""
    provinces = {r[0] for r in conn.execute(text(
        "SELECT code FROM admin_unit WHERE level = 'province' AND valid_to IS NULL"))}
    table = check_departments(frame, provinces)
    names = table.dropna(subset=["department_name"]).groupby("department_code")["department_name"].first()
    conn.execute(text("DELETE FROM regional_department"))
    for code in table["department_code"].unique():
        conn.execute(text("INSERT INTO regional_department (code, name) VALUES (:code, :name)"),
                     {"code": code, "name": names.get(code, f"Vụ Địa bàn {code}")})
    members = table.dropna(subset=["province_code"])
    if len(members):
        conn.execute(text("INSERT INTO regional_department_province (department_code, province_code) "
                          "VALUES (:department_code, :province_code)"),
                     members[["department_code", "province_code"]].to_dict("records"))
    return sorted(provinces - set(members["province_code"]))
