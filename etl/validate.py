"""Check and convert the non-location fields of a record type; collect a reason per bad row.

Vectorised with pandas: a million rows are checked in a few seconds. The first problem found
in a row (in field order) is its quarantine reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from etl.specs import LOCATION_ALIASES, RecordSpec
from etl.vocabulary import CLASSIFICATIONS, fold, parse_term

_TRUE = {"1", "true", "co", "x", "yes", "dung"}
_FALSE = {"0", "false", "khong", "no", ""}
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d")


def _parse_terms(text: str, terms: dict) -> list[str] | None:
    """Parse a list of labels separated by | ; or , (None if any is unknown)."""
    if not text:
        return []
    whole = parse_term(text, terms)  # labels such as "tài chính, tài sản" contain a comma
    if whole:
        return [whole]
    parts = [p.strip() for p in text.replace(";", "|").replace(",", "|").split("|") if p.strip()]
    codes = [parse_term(p, terms) for p in parts]
    return None if any(c is None for c in codes) else list(dict.fromkeys(codes))


def canonical_columns(frame: pd.DataFrame, spec: RecordSpec) -> pd.DataFrame:
    """Rename the file's columns to ours (folded match on aliases); unknown columns are kept."""
    aliases: dict[str, str] = {}
    for fld in spec.fields:
        for alias in (fld.name, *fld.aliases):
            aliases.setdefault(fold(alias), fld.name)
    for name, names in LOCATION_ALIASES.items():
        for alias in (name, *names):
            aliases.setdefault(fold(alias), name)
    renamed, seen = {}, set()
    for column in frame.columns:
        target = aliases.get(fold(column), column) if column != "source_row" else column
        if target in seen:  # two columns mean the same field: keep the first
            target = column
        seen.add(target)
        renamed[column] = target
    return frame.rename(columns=renamed)


def parse_dates(values: pd.Series) -> pd.Series:
    """Parse ISO and Vietnamese day-first dates; unparseable values become NaT."""
    text = values.str.strip().str.slice(0, 10)
    result = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    for fmt in _DATE_FORMATS:
        missing = result.isna() & (text != "")
        if not missing.any():
            break
        result[missing] = pd.to_datetime(text[missing], format=fmt, errors="coerce")
    return result


def _map_unique(values: pd.Series, func) -> pd.Series:
    """Apply ``func`` once per distinct value: files repeat the same few labels a million times."""
    mapping = {v: func(v) for v in values.unique()}
    return values.map(mapping)


@dataclass
class Checked:
    values: pd.DataFrame  # converted field values
    reason: pd.Series
    reason_field: pd.Series
    reason_value: pd.Series


def check_fields(rows: pd.DataFrame, spec: RecordSpec, *, today: date) -> Checked:
    """Return converted values of ``spec``'s fields and the first problem of each row."""
    n = len(rows)
    values = pd.DataFrame(index=rows.index)
    reason = pd.Series("", index=rows.index, dtype=object)
    reason_field = pd.Series("", index=rows.index, dtype=object)
    reason_value = pd.Series("", index=rows.index, dtype=object)

    def flag(mask: pd.Series, code: str, field: str, shown: pd.Series | str) -> None:
        new = mask & (reason == "")
        reason[new] = code
        reason_field[new] = field
        reason_value[new] = shown[new] if isinstance(shown, pd.Series) else shown

    empty = pd.Series([""] * n, index=rows.index)
    for fld in spec.fields:
        raw = rows[fld.name].fillna("").astype(str).str.strip() if fld.name in rows else empty
        blank = raw == ""
        flag(raw.str.len() > fld.max_length, "text_too_long", fld.name, raw.str.len().astype(str))
        if fld.required and fld.type != "date":
            flag(blank, "missing_id" if fld.name == "source_id" else "missing_field", fld.name, "")
        if fld.type == "text":
            values[fld.name] = raw.where(~blank, None)
        elif fld.type == "date":
            parsed = parse_dates(raw)
            if fld.required:
                flag(blank, "missing_date", fld.name, "")
            flag(~blank & parsed.isna(), "bad_date", fld.name, raw)
            if not fld.future_ok:
                flag(parsed > pd.Timestamp(today), "future_date", fld.name, raw)
            flag(parsed.dt.year < 1930, "bad_date", fld.name, raw)
            values[fld.name] = parsed.dt.strftime("%Y-%m-%d").where(parsed.notna(), None)
        elif fld.type == "term":
            codes = _map_unique(raw, lambda s, t=fld.terms: parse_term(s, t) if s else None)
            code = "unknown_kind" if fld.name == "kind" else "unknown_value"
            flag(~blank & codes.isna(), code, fld.name, raw)
            values[fld.name] = codes
        elif fld.type == "terms":
            parsed_terms = _map_unique(raw, lambda s, t=fld.terms: _parse_terms(s, t))
            flag(parsed_terms.isna(), "unknown_category", fld.name, raw)
            values[fld.name] = parsed_terms.map(lambda cs: cs if isinstance(cs, list) else [])
        elif fld.type == "int":
            number = pd.to_numeric(raw, errors="coerce")
            flag(~blank & (number.isna() | (number < 0) | (number % 1 != 0)), "bad_number", fld.name, raw)
            values[fld.name] = number.astype("Int64")
        elif fld.type == "bool":
            folded = _map_unique(raw, fold)
            flag(~folded.isin(_TRUE | _FALSE), "unknown_value", fld.name, raw)
            values[fld.name] = folded.isin(_TRUE)
    classification = rows["classification"].fillna("").astype(str).str.strip() if "classification" in rows else empty
    parsed = _map_unique(classification, lambda s: parse_term(s, CLASSIFICATIONS) if s else "thuong")
    flag(parsed.isna(), "unknown_value", "classification", classification)
    values["classification"] = parsed.fillna("thuong")
    if "planned_end" in values and "decision_date" in values:
        ends = pd.to_datetime(values["actual_end"]) if "actual_end" in values else None
        starts = pd.to_datetime(values["decision_date"])
        if ends is not None:
            flag(ends.notna() & starts.notna() & (ends < starts), "date_order", "actual_end", "")
    duplicated = values["source_id"].notna() & values["source_id"].duplicated(keep="first")
    flag(duplicated, "duplicate_id", "source_id", values["source_id"].fillna(""))
    return Checked(values, reason, reason_field, reason_value)
