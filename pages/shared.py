"""What every page shares: the database engine, cached map shapes, the period picker, record
tables with their exports, and turning errors into sentences."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

import geopandas as gpd
import pandas as pd
import streamlit as st
from sqlalchemy.engine import Connection
from streamlit_folium import st_folium

from etl.vocabulary import (
    CATEGORIES,
    CLASSIFICATIONS,
    CONCLUSIONS,
    KINDS,
    LOCATED_BY,
    SECTORS,
    STATUSES,
    SUBJECT_TYPES,
)
from geo.errors import DiabanError
from layers.assets import localise
from layers.geojson import with_geometry_json
from pages.i18n import bilingual, day, t, term_labels
from queries.counts import year_before
from queries.maps import unit_shapes


@contextmanager
def connect(*, write: bool = False) -> Iterator[Connection]:
    """The one way pages reach the database: a connection for one unit of work.

    Access control hooks in here (the signed-in user's scope is set per transaction), so pages
    never open connections of their own: the connection is the app role's, which owns nothing
    and reads through row-level security, so a page sees only what its user may see.
    Reads may be served by a hot standby (read-only); a page that writes passes ``write=True``.
    """
    from pages.session import user_connection

    with user_connection(write=write) as conn:
        yield conn


def scope_key() -> str:
    """What the signed-in user may see, as a string: every cached page function that reads case
    data takes it as an argument, so one user's cached figures are never served to another."""
    from pages.session import current_user

    user = current_user()
    return user.scope_key if user else "anonymous"


def show_error(exc: Exception) -> None:
    """Show an error as a sentence that says what to do, never a traceback.

    Our own errors already carry a bilingual sentence; anything else (a lost connection, a bug)
    becomes a sentence naming only the error's type.
    """
    if isinstance(exc, DiabanError):
        st.error(bilingual(str(exc)), icon=":material/error:")
    elif type(exc).__module__.startswith(("sqlalchemy", "psycopg")):
        st.error(t("error.database", name=type(exc).__name__), icon=":material/error:")
    else:
        st.error(t("error.unexpected", name=type(exc).__name__), icon=":material/error:")


@st.cache_resource(show_spinner=False, max_entries=64)
def shapes(level: str, province_code: str | None = None, detail: str = "overview") -> gpd.GeoDataFrame:
    """Display geometries of current units, with their GeoJSON, cached once per process.

    Boundaries are not case data (no scope) and never change under a running app; a resource
    cache hands out the same frame without copying it, so callers must not modify it (the
    layers copy before adding columns).
    """
    with connect() as conn:
        return with_geometry_json(unit_shapes(conn, level=level, province_code=province_code, detail=detail))


def province_names() -> dict[str, str]:
    """Return ``{code: name}`` of the 34 provinces, in code order."""
    provinces = shapes("province")
    return dict(zip(provinces["code"], provinces["name"]))


@dataclass(frozen=True)
class Period:
    """A reporting period: ``start``–``end`` of one year, and how to say it."""

    start: date
    end: date
    label: str

    @property
    def previous(self) -> tuple[date, date]:
        """The same dates a year before (activity is seasonal: compare like with like)."""
        return year_before(self.start), year_before(self.end)


_SPANS = {"year_full": (12, 31), "m9": (9, 30), "h1": (6, 30), "q1": (3, 31)}


def period_picker(*, key: str, today: date | None = None, first_year: int = 2021) -> Period:
    """Year and reporting period (quý I, 6 tháng, 9 tháng, cả năm) widgets; the end never passes today."""
    today = today or date.today()
    left, right = st.columns(2)
    year = left.selectbox(t("period.year"), options=list(range(today.year, first_year - 1, -1)), key=f"{key}-year")
    span = right.selectbox(t("period.span"), options=list(_SPANS), format_func=lambda s: t(f"period.{s}"),
                           key=f"{key}-span")
    month, last = _SPANS[span]
    start, end = date(year, 1, 1), min(date(year, month, last), today)
    return Period(start, end, f"{t(f'period.{span}')} {year}")


def period_caption(period: Period) -> str:
    pstart, pend = period.previous
    return t("period.caption", start=day(period.start), end=day(period.end), pstart=day(pstart), pend=day(pend))


RECORD_COLUMNS = ["source_id", "kind", "subject_type", "sector", "categories", "decision_date", "status",
                  "conclusion", "classification", "commune_code", "province_code", "old_commune_code", "located_by"]


def record_table(records: pd.DataFrame) -> pd.DataFrame:
    """Return records with labels in the chosen language and translated column headers (no geometry).

    The same frame feeds the on-screen table and the CSV/Excel exports, so an export says what
    the screen says.
    """
    vocab = {"kind": KINDS, "subject_type": SUBJECT_TYPES, "sector": SECTORS, "status": STATUSES,
             "conclusion": CONCLUSIONS, "classification": CLASSIFICATIONS, "located_by": LOCATED_BY}
    columns = [c for c in RECORD_COLUMNS + ["distance_m"] if c in records.columns]
    out = pd.DataFrame(records[columns]).copy()
    for column, terms in vocab.items():
        if column in out:
            out[column] = out[column].map(term_labels(terms)).fillna(out[column])
    if "categories" in out:
        labels = term_labels(CATEGORIES)
        out["categories"] = out["categories"].map(
            lambda values: "; ".join(labels.get(v, v) for v in values) if isinstance(values, (list, tuple)) else "")
    if "distance_m" in out:
        out["distance_m"] = out["distance_m"].round(0)
    if "geometry" in records and len(records):
        points = gpd.GeoSeries(records.geometry)
        out["lon"] = points.x.round(6).where(points.notna() & ~points.is_empty)
        out["lat"] = points.y.round(6).where(points.notna() & ~points.is_empty)
    return out.rename(columns={c: t(f"col.{c}") for c in out.columns})


def show_map(fmap, *, key: str, returned: tuple[str, ...] = (), height: int = 560) -> dict:
    """Render ``fmap`` with local assets only, returning only the events in ``returned``.

    An empty ``returned`` means panning and zooming never rerun the script.
    """
    localise(fmap)
    return st_folium(fmap, height=height, use_container_width=True, returned_objects=list(returned), key=key) or {}
