"""Cached calls to ``queries``: the only place pages read case data.

Every function takes ``scope`` (the value of :func:`pages.shared.scope_key`) first, so one user's
cached figures are never served to another; pages call them as ``counts(scope_key(), …)``.
Results are small frames; geometry comes from :func:`pages.shared.shapes`.
"""

from __future__ import annotations

from datetime import date

import geopandas as gpd
import pandas as pd
import streamlit as st

from layers.hexagons import hexagon_shapes
from pages.shared import connect, shapes
from queries.compare import compare_units, departments, unit_trend
from queries.counts import case_counts, headline_counts
from queries.emerging import emerging_hotspots
from queries.heatmap import h3_hotspots, heat_counts
from queries.hotspots import find_hotspots, unit_graph
from queries.lagging import lagging_detail, rank_lagging_units
from queries.mergers import (
    AsOfIndicators,
    UnitHistory,
    before_after,
    indicators_as_of,
    reattribution_summary,
    unit_history,
)
from queries.rates import unit_indicators
from queries.rebalance import Rebalancing, rebalance_province
from queries.signals import lag_signals, signal_records, signals_by_sector
from queries.spatial import AreaResult, Filters, records_in_polygon, records_in_unit, records_within_radius
from queries.warnings import early_warnings

TTL = 300  # seconds: an import shows up on every page within five minutes


@st.cache_data(show_spinner=False, ttl=5)
def data_version(scope: str):
    """When the newest import finished: pages that refresh on their own pass it as ``version`` to the
    cached functions below, so a batch ingested through the API shows at the next refresh, not after TTL."""
    from queries.features import newest_batch_time

    with connect() as conn:
        return newest_batch_time(conn)


@st.cache_data(show_spinner=False, ttl=TTL)
def headline(scope: str, start: date, end: date, version=None) -> pd.DataFrame:
    with connect() as conn:
        return headline_counts(conn, start=start, end=end)


@st.cache_data(show_spinner=False, ttl=TTL)
def counts(scope: str, level: str, start: date, end: date, kinds: tuple[str, ...],
           province: str | None, version=None) -> pd.Series:
    """Cases per unit code."""
    with connect() as conn:
        frame = case_counts(conn, level=level, start=start, end=end, kinds=list(kinds) or None,
                            province_code=province)
    return frame.groupby("code")["cases"].sum()


@st.cache_data(show_spinner=False, ttl=TTL)
def indicators(scope: str, level: str, start: date, end: date, kinds: tuple[str, ...],
               filters: Filters = Filters()) -> pd.DataFrame:
    with connect() as conn:
        return unit_indicators(conn, level=level, start=start, end=end, kinds=list(kinds) or None, filters=filters)


@st.cache_data(show_spinner=False, ttl=TTL)
def hexagons(scope: str, resolution: int, start: date, end: date, kinds: tuple[str, ...],
             province: str | None, filters: Filters = Filters()) -> pd.DataFrame:
    with connect() as conn:
        return heat_counts(conn, resolution=resolution, start=start, end=end, kinds=list(kinds) or None,
                           province_code=province, filters=filters)


@st.cache_data(show_spinner=False, ttl=TTL)
def hexagon_map(scope: str, resolution: int, start: date, end: date, kinds: tuple[str, ...],
                province: str | None, filters: Filters = Filters()) -> gpd.GeoDataFrame:
    """Hexagons with records and their counts, as map shapes (``code`` is the cell id)."""
    cells = hexagons(scope, resolution, start, end, kinds, province, filters)
    return hexagon_shapes(list(cells["cell"])).merge(cells.rename(columns={"cell": "code"}), on="code")


@st.cache_data(show_spinner=False, ttl=TTL)
def hexagon_hotspots(scope: str, resolution: int, start: date, end: date, kinds: tuple[str, ...],
                     province: str | None, column: str) -> pd.DataFrame:
    cells = hexagons(scope, resolution, start, end, kinds, province)
    return h3_hotspots(cells, column=column, seed=0).table


@st.cache_resource(show_spinner=False)
def _commune_graph():
    """Queen contiguity of the 3,321 communes (boundaries only, shared by all users)."""
    return unit_graph(shapes("commune"))


@st.cache_data(show_spinner=False, ttl=TTL)
def commune_hotspots(scope: str, start: date, end: date, kinds: tuple[str, ...], column: str,
                     filters: Filters = Filters()) -> pd.DataFrame:
    """Gi* classes of communes on ``column`` of the indicators (``violations`` or ``rate_smoothed``)."""
    values = indicators(scope, "commune", start, end, kinds, filters).set_index("code")[column].fillna(0.0)
    return find_hotspots(values, _commune_graph(), seed=0).table


@st.cache_data(show_spinner=False, ttl=TTL)
def commune_trends(scope: str, years: tuple[int, ...], kinds: tuple[str, ...],
                   filters: Filters = Filters()) -> pd.DataFrame:
    """Emerging-hotspot categories of communes, one Gi* slice of violations per year."""
    series = pd.DataFrame({year: indicators(scope, "commune", date(year, 1, 1), date(year, 12, 31), kinds, filters)
                           .set_index("code")["violations"] for year in years})
    return emerging_hotspots(series.fillna(0.0), _commune_graph(), seed=0)


@st.cache_data(show_spinner=False, ttl=TTL)
def alerts(scope: str, as_of: date, version=None) -> pd.DataFrame:
    with connect() as conn:
        return early_warnings(conn, as_of=as_of, level="commune")


@st.cache_data(show_spinner=False, ttl=TTL)
def lagging(scope: str, year: int, as_of: date, level: str, version=None) -> pd.DataFrame:
    with connect() as conn:
        return rank_lagging_units(conn, year=year, as_of=as_of, level=level)


@st.cache_data(show_spinner=False, ttl=TTL)
def unit_records(scope: str, level: str, code: str, filters: Filters) -> AreaResult:
    with connect() as conn:
        return records_in_unit(conn, level=level, code=code, filters=filters)


@st.cache_data(show_spinner=False, ttl=TTL)
def radius_records(scope: str, lon: float, lat: float, radius_m: float, filters: Filters) -> AreaResult:
    with connect() as conn:
        return records_within_radius(conn, lon, lat, radius_m=radius_m, filters=filters)


@st.cache_data(show_spinner=False, ttl=TTL)
def polygon_records(scope: str, geojson: str, filters: Filters) -> AreaResult:
    with connect() as conn:
        return records_in_polygon(conn, geojson, filters=filters)


@st.cache_data(show_spinner=False, ttl=TTL)
def department_list(scope: str) -> pd.DataFrame:
    with connect() as conn:
        return departments(conn)


@st.cache_data(show_spinner=False, ttl=TTL)
def comparison(scope: str, level: str, codes: tuple[str, ...], start: date, end: date,
               kinds: tuple[str, ...]) -> pd.DataFrame:
    with connect() as conn:
        return compare_units(conn, level=level, codes=list(codes), start=start, end=end, kinds=list(kinds) or None)


@st.cache_data(show_spinner=False, ttl=TTL)
def trend(scope: str, level: str, codes: tuple[str, ...], start: date, end: date, freq: str,
          kinds: tuple[str, ...]) -> pd.DataFrame:
    with connect() as conn:
        return unit_trend(conn, level=level, codes=list(codes), start=start, end=end, freq=freq,
                          kinds=list(kinds) or None)


@st.cache_data(show_spinner=False, ttl=TTL)
def history(scope: str, code: str, start: date, end: date, freq: str) -> UnitHistory:
    with connect() as conn:
        return unit_history(conn, level="commune", code=code, start=start, end=end, freq=freq)


@st.cache_data(show_spinner=False, ttl=TTL)
def province_before_after(scope: str, province: str, as_of: date) -> pd.DataFrame:
    with connect() as conn:
        return before_after(conn, province_code=province, as_of=as_of)


@st.cache_data(show_spinner=False, ttl=TTL)
def as_of_indicators(scope: str, edition: str, level: str, start: date, end: date) -> AsOfIndicators:
    with connect() as conn:
        return indicators_as_of(conn, edition=edition, level=level, start=start, end=end)


@st.cache_data(show_spinner=False, ttl=TTL)
def reattribution(scope: str, province: str) -> pd.DataFrame:
    with connect() as conn:
        return reattribution_summary(conn, level="commune", province_code=province)


@st.cache_data(show_spinner=False, ttl=TTL)
def rebalancing(scope: str, province: str, k: int, measure: str, start: date, end: date) -> Rebalancing:
    with connect() as conn:
        return rebalance_province(conn, province_code=province, k=k, measure=measure, start=start, end=end)


@st.cache_data(show_spinner=False, ttl=TTL)
def signals(scope: str, as_of: date, version=None) -> pd.DataFrame:
    with connect() as conn:
        return lag_signals(conn, as_of=as_of, signals=("overdue_petitions", "undecided_discipline",
                                                        "overdue_cases", "silent"))


@st.cache_data(show_spinner=False, ttl=TTL)
def signal_sectors(scope: str, as_of: date) -> pd.DataFrame:
    with connect() as conn:
        return signals_by_sector(conn, signals(scope, as_of), as_of=as_of)


@st.cache_data(show_spinner=False, ttl=TTL)
def signal_rows(scope: str, signal: str, commune: str, as_of: date) -> pd.DataFrame:
    with connect() as conn:
        return signal_records(conn, signal=signal, commune_code=commune, as_of=as_of)


@st.cache_data(show_spinner=False, ttl=TTL)
def target_lines(scope: str, year: int, as_of: date, level: str, code: str) -> pd.DataFrame:
    with connect() as conn:
        return lagging_detail(conn, year=year, as_of=as_of, level=level, code=code)
