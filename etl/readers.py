"""Read an uploaded table (CSV, Excel, GeoJSON) into text columns, whatever its encoding.

Every value comes back as a string (or empty), so validation sees exactly what the user
wrote; ``source_row`` is the row number a user sees in their spreadsheet (header = row 1).

A file is refused as a whole, with a sentence saying what to do, when it cannot be what its
name says (an Excel workbook named .csv, a CSV named .xlsx, UTF-16 without its byte-order
mark) or when inflating it would exceed ``max_unzipped_mb`` (a "zip bomb": an .xlsx is a zip,
and its declared sizes are checked before anything is inflated).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import unicodedata
import zipfile
from pathlib import Path

import pandas as pd

from geo.errors import DiabanError
from geo.settings import get_settings


class UnreadableFileError(DiabanError, ValueError):
    """The file as a whole cannot be read (wrong format, truncated, empty)."""


_ENCODINGS = ("utf-8", "cp1258")


def _decode(raw: bytes) -> str:
    """Decode CSV bytes: BOMs first (UTF-8, UTF-16), then UTF-8, then Windows-1258."""
    if raw.startswith(codecs.BOM_UTF8):
        return raw[len(codecs.BOM_UTF8):].decode("utf-8")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16")
    if raw[:65536].count(b"\x00") > len(raw[:65536]) // 10:  # a stray NUL is a row's problem, not the file's
        raise UnreadableFileError("Tệp có byte NUL: có thể là UTF-16 không có BOM hoặc tệp nhị phân; hãy lưu lại dạng "
                                  "CSV UTF-8. / The file contains NUL bytes (UTF-16 without a byte-order mark, or not "
                                  "text): save it again as CSV UTF-8.")
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


_MAX_ZIP_MEMBERS = 10_000


def check_zip(raw: bytes, *, max_unzipped_mb: int) -> None:
    """Refuse a zip whose members would inflate beyond ``max_unzipped_mb``, before inflating any.

    Python's zip reader stops at each member's declared size, so checking the declared sizes
    bounds what openpyxl can inflate.
    """
    try:
        members = zipfile.ZipFile(io.BytesIO(raw)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise UnreadableFileError(f"Tệp Excel hỏng hoặc bị cắt cụt ({exc}). / The Excel file is broken or truncated.") \
            from exc
    inflated = sum(m.file_size for m in members)
    if len(members) > _MAX_ZIP_MEMBERS or inflated > max_unzipped_mb * 1024 * 1024:
        raise UnreadableFileError(
            f"Tệp Excel giải nén ra {inflated / 1024 ** 2:,.0f} MB ({len(members):,} phần), vượt giới hạn "
            f"{max_unzipped_mb:,} MB: không mở. / The workbook would inflate to {inflated / 1024 ** 2:,.0f} MB, over the "
            f"{max_unzipped_mb:,} MB limit: refused (a zip bomb or a far too large sheet).")


def _read_excel(raw: bytes) -> pd.DataFrame:
    check_zip(raw, max_unzipped_mb=get_settings().max_unzipped_mb)
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
    except (ValueError, AttributeError, KeyError, TypeError, RecursionError) as exc:
        raise UnreadableFileError(f"Tệp GeoJSON không hợp lệ: {str(exc)[:200]}. / Not a valid GeoJSON file.") from exc
    if not isinstance(features, list):
        raise UnreadableFileError("GeoJSON phải là FeatureCollection. / GeoJSON must be a FeatureCollection.")
    rows = []
    for feature in features:
        feature = feature if isinstance(feature, dict) else {"geometry": {"type": f"not a feature: {type(feature).__name__}"}}
        props = feature.get("properties") if isinstance(feature.get("properties"), dict) else {}
        geometry = feature.get("geometry") or {}
        geometry = geometry if isinstance(geometry, dict) else {"type": f"not a geometry: {type(geometry).__name__}"}
        row = {str(k): "" if v is None else str(v) for k, v in props.items()}
        coordinates = geometry.get("coordinates")
        if geometry.get("type") == "Point" and isinstance(coordinates, list) and len(coordinates) >= 2 \
                and not any(isinstance(c, (list, dict)) for c in coordinates[:2]):
            row["lon"], row["lat"] = (str(c) for c in coordinates[:2])
        elif geometry:
            row["__geometry_type"] = str(geometry.get("type"))[:40]
        rows.append(row)
    return pd.DataFrame(rows).fillna("").astype(str) if rows else pd.DataFrame()


_MAGIC = {b"PK\x03\x04": "Excel (.xlsx) / zip", b"\xd0\xcf\x11\xe0": "Excel 97-2003 (.xls)", b"%PDF": "PDF",
          b"\x1f\x8b": "gzip", b"Rar!": "RAR", b"7z\xbc\xaf": "7-Zip"}


def _check_kind(raw: bytes, suffix: str) -> None:
    """Refuse a file whose content cannot be what its extension says (by its first bytes)."""
    kind = next((name for magic, name in _MAGIC.items() if raw.startswith(magic)), None)
    if suffix == ".xlsx":
        if kind != "Excel (.xlsx) / zip":
            raise UnreadableFileError(
                f"Tệp {suffix} này không phải Excel .xlsx ({kind or 'văn bản'}); hãy mở bằng Excel và lưu dạng .xlsx. "
                f"/ This file is not an .xlsx workbook ({kind or 'text'}): save it as .xlsx.")
    elif kind is not None:
        raise UnreadableFileError(
            f"Tệp mang đuôi {suffix} nhưng là {kind}; hãy lưu lại đúng dạng (.csv, .xlsx, .geojson). "
            f"/ The file is named {suffix} but is {kind}: save it in the format its name says.")


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
    _check_kind(raw, suffix)
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
