"""Read an uploaded table (CSV, Excel, GeoJSON) into text columns, whatever its encoding.

Every value comes back as a string (or empty), so validation sees exactly what the user
wrote; ``source_row`` is the row number a user sees in their spreadsheet (header = row 1).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import unicodedata
from pathlib import Path

import pandas as pd

from geo.errors import DiabanError


class UnreadableFileError(DiabanError, ValueError):
    """The file as a whole cannot be read (wrong format, truncated, empty)."""


_ENCODINGS = ("utf-8", "cp1258")


def _decode(raw: bytes) -> str:
    """Decode CSV bytes: BOMs first (UTF-8, UTF-16), then UTF-8, then Windows-1258."""
    if raw.startswith(codecs.BOM_UTF8):
        return raw[len(codecs.BOM_UTF8):].decode("utf-8")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16")
    for encoding in _ENCODINGS:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFileError("Không đọc được bảng mã của tệp; hãy lưu lại dạng CSV UTF-8. "
                              "/ Cannot decode the file; save it again as CSV UTF-8.")


def _nfc(frame: pd.DataFrame) -> pd.DataFrame:
    """Strip values and compose diacritics (Windows-1258 and some editors store them decomposed)."""
    out = {}
    for name, col in frame.items():
        text = col.astype(str).str.strip()
        plain = text.str.isascii()
        if not plain.all():
            fancy = text[~plain]
            mapping = {v: unicodedata.normalize("NFC", v) for v in fancy.unique()}
            text = text.where(plain, fancy.map(mapping))
        out[unicodedata.normalize("NFC", str(name)).strip()] = text
    return pd.DataFrame(out, index=frame.index)


def _read_csv(raw: bytes) -> pd.DataFrame:
    text = _decode(raw)
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        frame = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False,
                            quoting=csv.QUOTE_MINIMAL, skip_blank_lines=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise UnreadableFileError(f"Tệp CSV hỏng hoặc rỗng: {exc}. / The CSV file is malformed or empty.") from exc
    return frame


def _read_excel(raw: bytes) -> pd.DataFrame:
    try:
        frame = pd.read_excel(io.BytesIO(raw), dtype=object, engine="openpyxl")
    except Exception as exc:  # openpyxl raises zipfile, KeyError, ValueError… for a broken workbook
        raise UnreadableFileError(f"Tệp Excel hỏng hoặc không phải .xlsx: {exc}. "
                                  "/ The Excel file is broken or not .xlsx.") from exc

    def _text(value: object) -> str:
        if value is None or (isinstance(value, float) and pd.isna(value)):
            return ""
        if isinstance(value, pd.Timestamp):
            return value.strftime("%Y-%m-%d")
        if hasattr(value, "strftime"):
            return value.strftime("%Y-%m-%d")
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)

    return frame.apply(lambda col: col.map(_text)).astype(str)


def _read_geojson(raw: bytes) -> pd.DataFrame:
    try:
        data = json.loads(_decode(raw))
        features = data["features"] if data.get("type") == "FeatureCollection" else None
    except (ValueError, AttributeError, KeyError) as exc:
        raise UnreadableFileError(f"Tệp GeoJSON không hợp lệ: {exc}. / Not a valid GeoJSON file.") from exc
    if not isinstance(features, list):
        raise UnreadableFileError("GeoJSON phải là FeatureCollection. / GeoJSON must be a FeatureCollection.")
    rows = []
    for feature in features:
        props = dict((feature or {}).get("properties") or {})
        geometry = (feature or {}).get("geometry") or {}
        row = {k: "" if v is None else str(v) for k, v in props.items()}
        if geometry.get("type") == "Point" and isinstance(geometry.get("coordinates"), list) \
                and len(geometry["coordinates"]) >= 2:
            row["lon"], row["lat"] = (str(c) for c in geometry["coordinates"][:2])
        elif geometry:
            row["__geometry_type"] = str(geometry.get("type"))
        rows.append(row)
    return pd.DataFrame(rows).fillna("").astype(str) if rows else pd.DataFrame()


def read_table(raw: bytes, *, file_name: str) -> pd.DataFrame:
    """Return the file's rows as text columns plus ``source_row`` (spreadsheet row numbers).

    Raises
    ------
    UnreadableFileError
        The file is not a readable CSV, .xlsx or GeoJSON file.
    """
    suffix = Path(file_name).suffix.lower()
    if not raw:
        raise UnreadableFileError("Tệp rỗng. / The file is empty.")
    if suffix in (".csv", ".txt"):
        frame = _read_csv(raw)
    elif suffix == ".xlsx":
        frame = _read_excel(raw)
    elif suffix in (".geojson", ".json"):
        frame = _read_geojson(raw)
    else:
        raise UnreadableFileError(f"Không hỗ trợ định dạng '{suffix}': dùng .csv, .xlsx hoặc .geojson. "
                                  f"/ Unsupported file type '{suffix}': use .csv, .xlsx or .geojson.")
    frame = _nfc(frame)
    first_data_row = 1 if suffix in (".geojson", ".json") else 2
    frame.insert(0, "source_row", range(first_data_row, first_data_row + len(frame)))
    return frame.reset_index(drop=True)
