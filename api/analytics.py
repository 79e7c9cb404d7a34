"""JSON of the analytics, with the parameters of the pages: counts, headline, rates, Gi*, lagging, warnings.

Each endpoint calls the same ``queries`` function as its page on the token's scoped connection,
so the figures are the user's own (their scope and clearance).
"""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
from fastapi import APIRouter, Query, Request

from api.auth import bearer_token, user_connection
from api.features import HOTSPOTS
from geo.access import current_user
from queries.counts import case_counts, headline_counts
from queries.lagging import rank_lagging_units
from queries.rates import unit_indicators
from queries.warnings import early_warnings

router = APIRouter(prefix="/analytics", tags=["analytics"])
LEVEL = Query("province", pattern="^(province|commune)$", description="province or commune (2025 units)")


def _year_start() -> date:
    return date(date.today().year, 1, 1)


def _kinds(text: str | None) -> list[str] | None:
    return [k.strip() for k in (text or "").split(",") if k.strip()] or None


def _records(frame: pd.DataFrame) -> list[dict]:
    return json.loads(frame.to_json(orient="records", date_format="iso", default_handler=str))


def _run(request: Request, work):
    with user_connection(request.app.state.engine(), bearer_token(request)) as (conn, _):
        return work(conn)


@router.get("/counts", summary="Cases per unit and kind (overview map)")
def counts(request: Request, level: str = LEVEL, start: date | None = None, end: date | None = None,
           kinds: str | None = None, province_code: str | None = Query(None, pattern=r"^\d{2}$")):
    start, end = start or _year_start(), end or date.today()
    frame = _run(request, lambda c: case_counts(c, level=level, start=start, end=end, kinds=_kinds(kinds),
                                                province_code=province_code))
    return {"level": level, "start": start, "end": end, "rows": _records(frame)}


@router.get("/headline", summary="National counts per kind against the same period a year before")
def headline(request: Request, start: date | None = None, end: date | None = None):
    start, end = start or _year_start(), end or date.today()
    frame = _run(request, lambda c: headline_counts(c, start=start, end=end))
    return {"start": start, "end": end, "rows": _records(frame)}


@router.get("/rates", summary="Cases, violations and rates per 1,000 members per unit")
def rates(request: Request, level: str = LEVEL, start: date | None = None, end: date | None = None,
          kinds: str | None = None):
    start, end = start or _year_start(), end or date.today()
    frame = _run(request, lambda c: unit_indicators(c, level=level, start=start, end=end, kinds=_kinds(kinds)))
    return {"level": level, "start": start, "end": end, "rows": _records(frame)}


@router.get("/hotspots", summary="Gi* hot and cold spots of communes (heat-map page)")
def hotspots(request: Request, start: date | None = None, end: date | None = None, kinds: str | None = None,
             column: str = Query("violations", pattern="^(violations|rate_smoothed|cases)$")):
    start, end = start or _year_start(), end or date.today()

    def work(conn):
        key = (current_user(conn).scope_key, start, end, tuple(_kinds(kinds) or ()), column)
        return HOTSPOTS.get(conn, key, start, end, _kinds(kinds), column)

    return {"start": start, "end": end, "column": column, "rows": _records(_run(request, work))}


@router.get("/lagging", summary="Units behind their yearly targets (lagging page)")
def lagging(request: Request, year: int | None = Query(None, ge=2000, le=2100), as_of: date | None = None,
            level: str = Query("commune", pattern="^(province|commune)$")):
    as_of = as_of or date.today()
    year = year or as_of.year
    frame = _run(request, lambda c: rank_lagging_units(c, year=year, as_of=as_of, level=level))
    return {"year": year, "as_of": as_of, "level": level, "rows": _records(frame)}


@router.get("/warnings", summary="Early warnings: units whose latest window is improbably busy")
def warnings(request: Request, as_of: date | None = None, window_days: int = Query(28, ge=7, le=365),
             baseline_days: int = Query(730, ge=8, le=3650),
             level: str = Query("commune", pattern="^(province|commune)$"), kinds: str | None = None):
    as_of = as_of or date.today()
    frame = _run(request, lambda c: early_warnings(c, as_of=as_of, window_days=window_days,
                                                   baseline_days=baseline_days, level=level, kinds=_kinds(kinds)))
    return {"as_of": as_of, "window_days": window_days, "level": level, "rows": _records(frame)}
