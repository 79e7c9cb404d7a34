"""Write administrative units and lineage to PostGIS, keeping history.

A unit row is a version: ``[valid_from, valid_to)``. Loading a layer compares each incoming
unit with the open version of the same code by a content hash (names, type, parent,
population, geometry): equal rows are left alone, changed or vanished ones are closed with
``valid_to`` = the new ``valid_from`` and the new version is inserted. So a second load of the
same file changes nothing, and a newer file never overwrites history.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from geo.crs import areas_km2
from geo.errors import BoundaryValidationError


@dataclass(frozen=True)
class WriteCounts:
    """What a layer write did."""

    rows_in: int
    inserted: int
    unchanged: int
    closed: int


def content_hash(row: pd.Series, geom: shapely.Geometry | None) -> str:
    """Return an md5 over the versioned fields of a unit (display geometry excluded: derived)."""
    digest = hashlib.md5()
    for key in ("code", "name", "short_name", "unit_type", "parent_code", "population"):
        value = row.get(key)
        digest.update(b"\x1f" + ("" if pd.isna(value) else str(value)).encode())
    digest.update(b"\x1e" + (shapely.to_wkb(geom, output_dimension=2) if geom is not None else b""))
    return digest.hexdigest()


_STAGE = """
CREATE TEMP TABLE stage_unit (
    code text, name text, short_name text, unit_type text, parent_code text,
    population bigint, area_km2 float8, geom bytea, geom_detail bytea, geom_overview bytea,
    content_hash text
) ON COMMIT DROP
"""

# Open versions of this layer: current rows, or for a historic layer the rows of its era.
_ERA = "u.level = :level AND u.valid_to IS NOT DISTINCT FROM CAST(:valid_to AS date)"

_CONFLICTS = f"""
SELECT u.code FROM admin_unit u JOIN stage_unit s USING (code)
WHERE {_ERA} AND u.content_hash <> s.content_hash AND u.valid_from >= :valid_from
"""

_CLOSE = f"""
UPDATE admin_unit u SET valid_to = :valid_from
WHERE {_ERA}
  AND NOT EXISTS (SELECT 1 FROM stage_unit s WHERE s.code = u.code AND s.content_hash = u.content_hash)
"""

_REFRESH_DERIVED = f"""
UPDATE admin_unit u SET
    area_km2 = s.area_km2,
    geom_detail = ST_GeomFromWKB(s.geom_detail, 4326),
    geom_overview = ST_GeomFromWKB(s.geom_overview, 4326)
FROM stage_unit s
WHERE {_ERA} AND s.code = u.code AND s.content_hash = u.content_hash
  AND (md5(ST_AsBinary(u.geom_detail)) IS DISTINCT FROM md5(s.geom_detail)
       OR md5(ST_AsBinary(u.geom_overview)) IS DISTINCT FROM md5(s.geom_overview))
"""

_INSERT = f"""
INSERT INTO admin_unit (level, code, name, short_name, unit_type, parent_code, valid_from,
                        valid_to, population, area_km2, geom, geom_detail, geom_overview,
                        content_hash, load_id)
SELECT :level, s.code, s.name, s.short_name, s.unit_type, s.parent_code, :valid_from,
       :valid_to, s.population, s.area_km2, ST_Multi(ST_GeomFromWKB(s.geom, 4326)),
       ST_Multi(ST_GeomFromWKB(s.geom_detail, 4326)), ST_Multi(ST_GeomFromWKB(s.geom_overview, 4326)),
       s.content_hash, :load_id
FROM stage_unit s
WHERE NOT EXISTS (SELECT 1 FROM admin_unit u WHERE {_ERA} AND u.code = s.code)
"""


def _wkb(geoms) -> list[bytes | None]:
    return [None if g is None else shapely.to_wkb(g, output_dimension=2) for g in geoms]


def write_units(
    conn: Connection,
    units: pd.DataFrame,
    *,
    level: str,
    valid_from: date,
    valid_to: date | None = None,
    load_id: int,
    detail: np.ndarray | None = None,
    overview: np.ndarray | None = None,
) -> WriteCounts:
    """Write one layer's units as a new version; return what changed.

    ``units`` has the columns of :data:`boundaries.sources.UNIT_COLUMNS` and optionally a
    ``geometry`` column of valid (Multi)Polygons in EPSG:4326.
    """
    if units["code"].duplicated().any():
        dupes = sorted(units.loc[units["code"].duplicated(), "code"].unique())[:10]
        raise BoundaryValidationError(f"`units` has duplicate codes for level {level}: {dupes}.")
    n = len(units)
    geoms = units["geometry"].to_numpy() if "geometry" in units else np.full(n, None, dtype=object)
    has_geom = np.array([g is not None for g in geoms])
    area = np.full(n, np.nan)
    if has_geom.any():
        area[has_geom] = areas_km2(geoms[has_geom])
    detail = detail if detail is not None else np.full(n, None, dtype=object)
    overview = overview if overview is not None else np.full(n, None, dtype=object)
    hashes = [content_hash(row, g) for (_, row), g in zip(units.iterrows(), geoms)]

    conn.execute(sa.text(_STAGE))
    raw = conn.connection.driver_connection
    with raw.cursor().copy(
        "COPY stage_unit (code, name, short_name, unit_type, parent_code, population, area_km2,"
        " geom, geom_detail, geom_overview, content_hash) FROM STDIN"
    ) as copy:
        for i, (row, g, d, o) in enumerate(zip(units.itertuples(index=False), _wkb(geoms), _wkb(detail), _wkb(overview))):
            population = None if pd.isna(row.population) else int(row.population)
            parent = None if pd.isna(row.parent_code) else row.parent_code
            area_i = None if np.isnan(area[i]) else float(area[i])
            copy.write_row((row.code, row.name, row.short_name, row.unit_type, parent, population,
                            area_i, g, d, o, hashes[i]))

    params = {"level": level, "valid_from": valid_from, "valid_to": valid_to, "load_id": load_id}
    conflicts = conn.execute(sa.text(_CONFLICTS), params).scalars().all()
    if conflicts:
        raise BoundaryValidationError(
            f"Layer {level} already has a different version valid from {valid_from} or later for "
            f"codes {sorted(conflicts)[:10]}: give the new file a later `valid_from`."
        )
    closed = conn.execute(sa.text(_CLOSE), params).rowcount
    conn.execute(sa.text(_REFRESH_DERIVED), params)
    inserted = conn.execute(sa.text(_INSERT), params).rowcount
    conn.execute(sa.text("DROP TABLE stage_unit"))
    return WriteCounts(rows_in=n, inserted=inserted, unchanged=n - inserted, closed=closed)


_UPSERT_LINEAGE = """
INSERT INTO unit_lineage (old_level, old_code, new_level, new_code, kind, weight, weight_method,
                          effective, note, load_id)
VALUES (:old_level, :old_code, :new_level, :new_code, :kind, :weight, :weight_method,
        CAST(:effective AS date), :note, :load_id)
ON CONFLICT (old_level, old_code, new_level, new_code, effective) DO UPDATE
SET kind = EXCLUDED.kind, weight = EXCLUDED.weight, weight_method = EXCLUDED.weight_method,
    note = EXCLUDED.note, load_id = EXCLUDED.load_id
WHERE (unit_lineage.kind, unit_lineage.weight, unit_lineage.weight_method)
      IS DISTINCT FROM (EXCLUDED.kind, EXCLUDED.weight, EXCLUDED.weight_method)
"""


def write_lineage(conn: Connection, rows: pd.DataFrame, *, load_id: int) -> WriteCounts:
    """Upsert lineage rows; rows already present with the same kind and weight stay untouched."""
    records = rows.astype(object).where(rows.notna(), None).to_dict("records")
    changed = 0
    for chunk_start in range(0, len(records), 2000):
        chunk = [{**r, "load_id": load_id} for r in records[chunk_start:chunk_start + 2000]]
        result = conn.execute(sa.text(_UPSERT_LINEAGE), chunk)
        changed += max(result.rowcount, 0)
    return WriteCounts(rows_in=len(rows), inserted=changed, unchanged=len(rows) - changed, closed=0)


def start_load_log(conn: Connection, *, dataset: str, path: str, sha256: str, loader_version: str) -> int:
    """Insert a load-log row (counts filled in by :func:`finish_load_log`) and return its id."""
    return conn.execute(
        sa.text("INSERT INTO load_log (dataset, path, sha256, loader_version, rows_in, rows_inserted,"
                " rows_unchanged, rows_closed) VALUES (:d, :p, :s, :v, 0, 0, 0, 0) RETURNING id"),
        {"d": dataset, "p": path, "s": sha256, "v": loader_version},
    ).scalar_one()


def finish_load_log(conn: Connection, load_id: int, counts: WriteCounts, details: dict) -> None:
    conn.execute(
        sa.text("UPDATE load_log SET rows_in = :i, rows_inserted = :n, rows_unchanged = :u,"
                " rows_closed = :c, details = CAST(:d AS jsonb) WHERE id = :id"),
        {"i": counts.rows_in, "n": counts.inserted, "u": counts.unchanged, "c": counts.closed,
         "d": json.dumps(details, default=str), "id": load_id},
    )


def loaded_versions(conn: Connection) -> set[tuple[str, str, str]]:
    """Return the (dataset, sha256, loader_version) triples already in the load log."""
    rows = conn.execute(sa.text("SELECT dataset, sha256, loader_version FROM load_log"))
    return {tuple(r) for r in rows}


def read_units(conn: Connection, *, level: str, current: bool = True) -> gpd.GeoDataFrame:
    """Return the units of ``level`` (open versions only by default) with full geometry."""
    query = sa.text(
        "SELECT code, name, short_name, unit_type, parent_code, population, valid_from, valid_to,"
        " geom FROM admin_unit WHERE level = :level" + (" AND valid_to IS NULL" if current else "")
        + " ORDER BY code, valid_from"
    )
    return gpd.read_postgis(query, conn, geom_col="geom", params={"level": level}).rename_geometry("geometry")
