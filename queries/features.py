"""Features for the OGC API: pages of records and units as GeoJSON, and import batches.

Each collection is a table from an allow-list with its temporal property; a page is read in id
order with ``LIMIT n + 1`` (the extra row says whether a next page exists, so no count of a
large table is needed) and each feature is built by PostgreSQL as JSON. Records are read on the
caller's scoped connection, so the row-level policies decide what a page holds; boundaries are
public. A bounding box on cases is read as ranges of the stored H3 cells (a B-tree scan that
stays usable under the policies, like the area queries), then an exact planar test on the cells
its edge crosses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from geo.errors import InvalidArgumentError

MAX_LIMIT = 10_000
DEFAULT_LIMIT = 100
VIETNAM_BBOX = (102.14, 8.18, 117.84, 23.39)  # with the Hoàng Sa and Trường Sa archipelagos


@dataclass(frozen=True)
class Collection:
    """One collection: its table, temporal property and the properties a feature carries."""

    id: str
    table: str
    title_vi: str
    title_en: str
    date_column: str | None
    properties: tuple[str, ...]
    kind: str = "records"  # records | units | computed


_LOCATED = ("classification", "commune_code", "province_code", "old_commune_code", "located_by", "batch_id")
_UNIT = ("code", "name", "short_name", "unit_type", "parent_code", "population", "area_km2", "valid_from", "valid_to")

COLLECTIONS: dict[str, Collection] = {c.id: c for c in (
    Collection("provinces", "admin_unit", "Tỉnh, thành phố", "Provinces", "valid_from", _UNIT, "units"),
    Collection("communes", "admin_unit", "Xã, phường, đặc khu", "Communes", "valid_from", _UNIT, "units"),
    Collection("cases", "case_record", "Vụ việc kiểm tra, giám sát", "Inspection and supervision cases",
               "decision_date", ("kind", "acting_level", "subject_type", "subject_level", "sector", "categories",
                                 "decision_no", "decision_date", "planned_end", "actual_end", "status", "conclusion",
                                 *_LOCATED)),
    Collection("petitions", "petition", "Đơn thư tố cáo, khiếu nại", "Petitions", "received_date",
               ("petition_type", "received_date", "competent_level", "eligible", "due_date", "resolved_date",
                "result", "case_source_id", *_LOCATED)),
    Collection("discipline", "discipline", "Quyết định kỷ luật", "Discipline decisions", "decision_date",
               ("subject_type", "form", "deciding_level", "decision_date", "categories", "case_source_id",
                "appealed", "rehabilitated", *_LOCATED)),
    Collection("hotspots", "admin_unit", "Điểm nóng (Gi*) theo xã", "Hotspots (Gi*) of communes", None,
               ("code", "name", "parent_code", "value", "statistic", "z_sim", "p_value", "p_adjusted", "label"),
               "computed"),
)}


@dataclass(frozen=True)
class Query:
    """What an items request asks: checked bbox, period, page and unit filters."""

    bbox: tuple[float, float, float, float] | None = None
    start: date | None = None
    end: date | None = None
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    province_code: str | None = None
    commune_code: str | None = None


@dataclass(frozen=True)
class FeaturePage:
    features: list[dict]
    more: bool


def collection(collection_id: str) -> Collection:
    if collection_id not in COLLECTIONS:
        raise KeyError(collection_id)
    return COLLECTIONS[collection_id]


def parse_bbox(text: str | None) -> tuple[float, float, float, float] | None:
    """``"minlon,minlat,maxlon,maxlat"`` (CRS84) → four floats, checked."""
    if text is None or text == "":
        return None
    parts = text.split(",")
    try:
        values = tuple(float(p) for p in parts)
    except ValueError:
        values = ()
    if len(values) != 4 or not all(abs(v) < 1e9 for v in values):
        raise InvalidArgumentError(f"`bbox` phải là 4 số minlon,minlat,maxlon,maxlat, nhận '{text[:80]}'. "
                                   f"/ `bbox` must be four numbers minlon,minlat,maxlon,maxlat, got '{text[:80]}'.")
    x0, y0, x1, y1 = values
    if not (-180 <= x0 <= x1 <= 180 and -90 <= y0 <= y1 <= 90):
        raise InvalidArgumentError(f"`bbox` phải có -180 ≤ minlon ≤ maxlon ≤ 180, -90 ≤ minlat ≤ maxlat ≤ 90, nhận "
                                   f"'{text[:80]}'. / `bbox` needs -180 ≤ minlon ≤ maxlon ≤ 180 and -90 ≤ minlat ≤ "
                                   f"maxlat ≤ 90, got '{text[:80]}'.")
    return values


_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}([Tt ][0-9:.]+([Zz]|[+-]\d{2}:?\d{2})?)?$")


def _instant(text: str) -> date | None:
    if text in ("", ".."):
        return None
    if not _INSTANT.fullmatch(text):
        raise ValueError(text)
    if len(text) == 10:
        return date.fromisoformat(text)
    return datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00")).date()


def parse_datetime(text: str | None) -> tuple[date | None, date | None]:
    """OGC ``datetime``: an instant, ``start/end``, ``../end`` or ``start/..`` → (start, end) dates."""
    if text is None or text == "":
        return None, None
    parts = text.split("/")
    try:
        if len(parts) == 1:
            day = _instant(parts[0])
            if day is None:
                raise ValueError(text)
            return day, day
        if len(parts) != 2:
            raise ValueError(text)
        start, end = _instant(parts[0]), _instant(parts[1])
    except ValueError:
        raise InvalidArgumentError(
            f"`datetime` phải là một ngày (2025-07-01) hoặc khoảng (2025-01-01/2025-12-31, ../2025-12-31), nhận "
            f"'{text[:80]}'. / `datetime` must be a date (2025-07-01) or an interval (2025-01-01/2025-12-31, "
            f"../2025-12-31), got '{text[:80]}'.") from None
    if start and end and start > end:
        raise InvalidArgumentError(f"`datetime`: ngày đầu sau ngày cuối ({text[:80]}). / `datetime`: the start is "
                                   f"after the end ({text[:80]}).")
    return start, end


def check_page(limit: int, offset: int) -> None:
    if not (isinstance(limit, int) and 1 <= limit <= MAX_LIMIT):
        raise InvalidArgumentError(f"`limit` phải từ 1 đến {MAX_LIMIT:,}, nhận {limit!r}. "
                                   f"/ `limit` must be between 1 and {MAX_LIMIT:,}, got {limit!r}.")
    if not (isinstance(offset, int) and 0 <= offset <= 100_000_000):
        raise InvalidArgumentError(f"`offset` phải là số nguyên không âm, nhận {offset!r}. "
                                   f"/ `offset` must be a non-negative integer, got {offset!r}.")


_CODE = {"province_code": re.compile(r"^\d{2}$"), "commune_code": re.compile(r"^\d{5}$")}


def check_codes(*, province_code: str | None, commune_code: str | None) -> None:
    for name, value in (("province_code", province_code), ("commune_code", commune_code)):
        if value is not None and not _CODE[name].fullmatch(value):
            digits = 2 if name == "province_code" else 5
            raise InvalidArgumentError(f"`{name}` phải gồm {digits} chữ số, nhận '{value[:20]}'. "
                                       f"/ `{name}` must be {digits} digits, got '{value[:20]}'.")


def _properties_json(spec: Collection, alias: str = "r") -> str:
    # column names come from the allow-list above, never from the request
    pairs = ", ".join(f"'{p}', {alias}.{p}" for p in spec.properties)
    return f"json_build_object({pairs})"


_ENVELOPE = "ST_MakeEnvelope(:x0, :y0, :x1, :y1, 4326)"


# Tables with a B-tree on the stored H3 cell (migration 0004): a bbox is read as ranges of cell ids, an
# index scan under the row-level policies (bigint comparisons are leakproof; PostGIS functions are not,
# migration 0006), and only the cells the box's edge crosses get the exact test.
_CELL_INDEXED = {"case_record"}
_COVERED = ("unnest(CAST(:lo AS bigint[]), CAST(:hi AS bigint[]), CAST(:exact AS boolean[])) AS c(lo, hi, exact)"
            " JOIN {table} r ON r.h3_9 BETWEEN c.lo AND c.hi")


def _source(spec: Collection, query: Query) -> str:
    if query.bbox and spec.table in _CELL_INDEXED:
        return _COVERED.format(table=spec.table)
    return f"{spec.table} r"


def _box_cover(bbox: tuple[float, float, float, float]) -> dict:
    import shapely

    from geo.h3cells import merge_ranges, shape_cover

    box = shapely.box(*bbox)
    if box.area == 0:  # a point or a line: its cells all get the exact test
        box = box.buffer(1e-7)
    return merge_ranges(shape_cover(box)).params()


def _record_where(spec: Collection, query: Query) -> str:
    where = ["true"]
    if query.bbox and spec.table in _CELL_INDEXED:
        where.append(f"(NOT c.exact OR ST_Intersects({_ENVELOPE}, r.geom))")
    elif query.bbox:  # no cell index: the exact test alone, after the policy
        where.append(f"r.geom IS NOT NULL AND ST_Intersects({_ENVELOPE}, r.geom)")
    if query.start:
        where.append(f"r.{spec.date_column} >= :start")
    if query.end:
        where.append(f"r.{spec.date_column} <= :end")
    if query.province_code:
        where.append("r.province_code = :province")
    if query.commune_code:
        where.append("r.commune_code = :commune")
    return " AND ".join(where)


def _params(query: Query) -> dict:
    x0, y0, x1, y1 = query.bbox or (None, None, None, None)
    return {"x0": x0, "y0": y0, "x1": x1, "y1": y1, "start": query.start, "end": query.end,
            "province": query.province_code, "commune": query.commune_code,
            "limit": query.limit + 1, "offset": query.offset}


def record_page(conn: Connection, spec: Collection, query: Query) -> FeaturePage:
    """One page of a record collection (cases, petitions, discipline) as GeoJSON features."""
    check_page(query.limit, query.offset)
    sql = (f"SELECT json_build_object('type', 'Feature', 'id', r.source_id,"
           f" 'geometry', CAST(ST_AsGeoJSON(r.geom, 6) AS json), 'properties', {_properties_json(spec)})"
           f" FROM {_source(spec, query)} WHERE {_record_where(spec, query)} ORDER BY r.id LIMIT :limit OFFSET :offset")
    params = _params(query)
    if query.bbox and spec.table in _CELL_INDEXED:
        params |= _box_cover(query.bbox)
    rows = conn.execute(sa.text(sql), params).scalars().all()
    return FeaturePage(rows[:query.limit], len(rows) > query.limit)


def record_feature(conn: Connection, spec: Collection, feature_id: str) -> dict | None:
    """One record by its source id, or None (absent, or outside the caller's scope: the same answer)."""
    if not isinstance(feature_id, str) or len(feature_id) > 200:
        return None
    sql = (f"SELECT json_build_object('type', 'Feature', 'id', r.source_id,"
           f" 'geometry', CAST(ST_AsGeoJSON(r.geom, 6) AS json), 'properties', {_properties_json(spec)})"
           f" FROM {spec.table} r WHERE r.source_id = :id")
    return conn.execute(sa.text(sql), {"id": feature_id}).scalar_one_or_none()


def _unit_where(spec: Collection, query: Query) -> str:
    where = ["u.level = :level"]
    if query.start is None and query.end is None:
        where.append("u.valid_to IS NULL")  # current units unless a date is asked
    else:  # the versions in force at some time in [start, end]
        if query.end:
            where.append("u.valid_from <= :end")
        if query.start:
            where.append("(u.valid_to IS NULL OR u.valid_to > :start)")
    if query.bbox:
        where.append(f"u.geom && {_ENVELOPE} AND ST_Intersects(u.geom, {_ENVELOPE})")
    if query.province_code:
        where.append("(u.code = :province)" if spec.id == "provinces" else "(u.parent_code = :province)")
    if query.commune_code:
        where.append("u.code = :commune")
    return " AND ".join(where)


def _unit_level(spec: Collection) -> str:
    return "province" if spec.id == "provinces" else "commune"


def _unit_id(alias: str = "u") -> str:
    # a unit's versions share its code: the id says which version (code@valid_from)
    return f"{alias}.code || '@' || {alias}.valid_from"


def unit_page(conn: Connection, spec: Collection, query: Query) -> FeaturePage:
    """One page of provinces or communes (current, or those in force in ``[start, end]``), detail geometry."""
    check_page(query.limit, query.offset)
    sql = (f"SELECT json_build_object('type', 'Feature', 'id', {_unit_id()},"
           f" 'geometry', CAST(ST_AsGeoJSON(u.geom_detail, 6) AS json), 'properties', {_properties_json(spec, 'u')})"
           f" FROM admin_unit u WHERE {_unit_where(spec, query)} ORDER BY u.code, u.valid_from"
           f" LIMIT :limit OFFSET :offset")
    rows = conn.execute(sa.text(sql), {**_params(query), "level": _unit_level(spec)}).scalars().all()
    return FeaturePage(rows[:query.limit], len(rows) > query.limit)


def unit_feature(conn: Connection, spec: Collection, feature_id: str) -> dict | None:
    """One unit version by ``code@valid_from`` (or by code alone: the current version)."""
    code, _, since = feature_id.partition("@")
    try:
        since_day = date.fromisoformat(since) if since else None
    except ValueError:
        return None
    sql = (f"SELECT json_build_object('type', 'Feature', 'id', {_unit_id()},"
           f" 'geometry', CAST(ST_AsGeoJSON(u.geom_detail, 6) AS json), 'properties', {_properties_json(spec, 'u')})"
           f" FROM admin_unit u WHERE u.level = :level AND u.code = :code"
           f" AND (CASE WHEN CAST(:since AS date) IS NULL THEN u.valid_to IS NULL ELSE u.valid_from = :since END)")
    return conn.execute(sa.text(sql), {"level": _unit_level(spec), "code": code[:10], "since": since_day}
                        ).scalar_one_or_none()


_HOTSPOT_UNITS = """
SELECT u.code, u.name, u.parent_code, CAST(ST_AsGeoJSON(u.geom_overview, 6) AS json) AS geometry
FROM admin_unit u WHERE u.level = 'commune' AND u.valid_to IS NULL
  AND (CAST(:x0 AS float8) IS NULL OR (u.geom && {envelope} AND ST_Intersects(u.geom, {envelope})))
  AND (CAST(:province AS text) IS NULL OR u.parent_code = :province)
  AND (CAST(:commune AS text) IS NULL OR u.code = :commune)
ORDER BY u.code
"""


def hotspot_page(conn: Connection, table, query: Query) -> FeaturePage:
    """One page of communes with their Gi* result (``table``: ``queries.hotspots.find_hotspots(...).table``)."""
    check_page(query.limit, query.offset)
    units = conn.execute(sa.text(_HOTSPOT_UNITS.format(envelope=_ENVELOPE)), _params(query)).mappings().all()
    result = table.set_index("code")
    page = units[query.offset:query.offset + query.limit + 1]
    features = []
    for unit in page[:query.limit]:
        row = result.loc[unit["code"]] if unit["code"] in result.index else None
        props = {"code": unit["code"], "name": unit["name"], "parent_code": unit["parent_code"]}
        for name in ("value", "statistic", "z_sim", "p_value", "p_adjusted"):
            props[name] = None if row is None else _finite(row[name])
        props["label"] = "ns" if row is None else str(row["label"])
        features.append({"type": "Feature", "id": unit["code"], "geometry": unit["geometry"], "properties": props})
    return FeaturePage(features, len(page) > query.limit)


def _finite(value) -> float | None:
    value = float(value)
    return value if value == value and abs(value) != float("inf") else None


def batch_summary(conn: Connection, batch_id: int) -> dict | None:
    """Counts of one import batch (batches are readable by every signed-in user), or None."""
    row = conn.execute(sa.text(
        "SELECT id, record_type, file_name, started_at, finished_at, rows_in, rows_loaded, rows_quarantined,"
        " rows_inserted, rows_updated, rows_unchanged FROM import_batch WHERE id = :id"), {"id": batch_id}
    ).mappings().one_or_none()
    return None if row is None else dict(row)


def batch_quarantine(conn: Connection, batch_id: int, *, limit: int, offset: int) -> list[dict]:
    """Quarantined rows of a batch the caller may read (editors and administrators of the province)."""
    check_page(limit, offset)
    rows = conn.execute(sa.text(
        "SELECT source_row, source_id, province_code, reason_code, reason_vi, reason_en, raw"
        " FROM quarantine WHERE batch_id = :id ORDER BY source_row, id LIMIT :limit OFFSET :offset"),
        {"id": batch_id, "limit": limit, "offset": offset}).mappings().all()
    return [dict(r) for r in rows]


def newest_batch_time(conn: Connection):
    """When the newest import finished (what the live overview watches to know it must refresh)."""
    return conn.execute(sa.text("SELECT max(finished_at) FROM import_batch")).scalar_one()


def commune_graph(conn: Connection):
    """Queen contiguity of the current communes (boundaries only: one per process is enough)."""
    from queries.hotspots import unit_graph
    from queries.maps import unit_shapes

    return unit_graph(unit_shapes(conn, level="commune"))


def commune_hotspot_table(conn: Connection, graph, *, start: date, end: date, kinds: list[str] | None = None,
                          column: str = "violations"):
    """Gi* classes of communes on an indicator (``violations`` or ``rate_smoothed``), as the heat-map page."""
    from queries.hotspots import find_hotspots
    from queries.rates import unit_indicators

    if column not in ("violations", "rate_smoothed", "cases"):
        raise InvalidArgumentError(f"`column` phải là violations, rate_smoothed hoặc cases, nhận '{str(column)[:40]}'. "
                                   f"/ `column` must be violations, rate_smoothed or cases, got '{str(column)[:40]}'.")
    values = unit_indicators(conn, level="commune", start=start, end=end, kinds=kinds).set_index("code")[column]
    return find_hotspots(values.fillna(0.0), graph, seed=0).table
