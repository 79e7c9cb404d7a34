"""OGC API – Features Part 1 (Core, GeoJSON, OpenAPI 3.0): landing page, conformance, collections, items.

Records (cases, petitions, discipline) are read on the token's scoped connection, so a page holds
exactly what its user may see; an item outside the user's scope is "not found", like an absent
one. Pages of items are audited as exports (row count), single records as record views.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from datetime import date
from threading import Lock

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from api.auth import bearer_token, user_connection
from api.errors import ApiError
from geo.access import current_user
from geo.audit import record_event
from queries import features as fq

GEOJSON = "application/geo+json"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
]

router = APIRouter()


def _engine(request: Request):
    return request.app.state.engine()


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _spec(collection_id: str) -> fq.Collection:
    try:
        return fq.collection(collection_id)
    except KeyError:
        raise ApiError(404, "api.no_collection", id=collection_id[:60]) from None


def _collection_json(base: str, spec: fq.Collection) -> dict:
    url = f"{base}/collections/{spec.id}"
    temporal = {"interval": [["2021-01-01T00:00:00Z", None]], "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"}
    return {
        "id": spec.id, "title": spec.title_vi, "description": spec.title_en, "itemType": "feature",
        "crs": ["http://www.opengis.net/def/crs/OGC/1.3/CRS84"],
        "extent": {"spatial": {"bbox": [list(fq.VIETNAM_BBOX)], "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"},
                   **({"temporal": temporal} if spec.date_column else {})},
        "links": [{"href": url, "rel": "self", "type": "application/json", "title": spec.title_en},
                  {"href": f"{url}/items", "rel": "items", "type": GEOJSON, "title": spec.title_en}],
    }


@router.get("/", summary="Landing page")
def landing(request: Request):
    with user_connection(_engine(request), bearer_token(request)):
        pass
    base = _base(request)
    return {"title": "Địa bàn – OGC API Features",
            "description": "Hồ sơ kiểm tra, giám sát theo địa bàn / inspection and supervision records by area",
            "links": [
                {"href": f"{base}/", "rel": "self", "type": "application/json", "title": "this document"},
                {"href": f"{base}/openapi.json", "rel": "service-desc",
                 "type": "application/vnd.oai.openapi+json;version=3.0", "title": "OpenAPI"},
                {"href": f"{base}/conformance", "rel": "conformance", "type": "application/json"},
                {"href": f"{base}/collections", "rel": "data", "type": "application/json"},
            ]}


@router.get("/conformance", summary="Conformance classes")
def conformance(request: Request):
    with user_connection(_engine(request), bearer_token(request)):
        pass
    return {"conformsTo": CONFORMANCE}


@router.get("/collections", summary="Collections")
def collections(request: Request):
    with user_connection(_engine(request), bearer_token(request)):
        pass
    base = _base(request)
    return {"links": [{"href": f"{base}/collections", "rel": "self", "type": "application/json"}],
            "collections": [_collection_json(base, spec) for spec in fq.COLLECTIONS.values()]}


@router.get("/collections/{collection_id}", summary="One collection")
def one_collection(request: Request, collection_id: str):
    with user_connection(_engine(request), bearer_token(request)):
        pass
    return _collection_json(_base(request), _spec(collection_id))


class _HotspotCache:
    """Gi* results per (scope, period, kinds, column): 999 permutations are worth keeping a few minutes."""

    def __init__(self, size: int = 32, ttl: float = 300.0):
        self.size, self.ttl, self.items, self.lock = size, ttl, OrderedDict(), Lock()
        self.graph = None

    def get(self, conn, key: tuple, start: date, end: date, kinds, column: str):
        with self.lock:
            hit = self.items.get(key)
            if hit and time.monotonic() - hit[0] < self.ttl:
                return hit[1]
        if self.graph is None:
            self.graph = fq.commune_graph(conn)
        table = fq.commune_hotspot_table(conn, self.graph, start=start, end=end, kinds=kinds, column=column)
        with self.lock:
            self.items[key] = (time.monotonic(), table)
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return table


HOTSPOTS = _HotspotCache()


def _query(bbox, datetime_, limit, offset, province_code, commune_code) -> fq.Query:
    start, end = fq.parse_datetime(datetime_)
    fq.check_codes(province_code=province_code, commune_code=commune_code)
    return fq.Query(bbox=fq.parse_bbox(bbox), start=start, end=end, limit=limit, offset=offset,
                    province_code=province_code, commune_code=commune_code)


def _next_link(request: Request, query: fq.Query) -> dict:
    params = dict(request.query_params)
    params["offset"] = str(query.offset + query.limit)
    params["limit"] = str(query.limit)
    url = request.url.replace_query_params(**params)
    return {"href": str(url), "rel": "next", "type": GEOJSON, "title": "next page"}


@router.get("/collections/{collection_id}/items", summary="Items of a collection (GeoJSON)")
def items(request: Request, collection_id: str,
          bbox: str | None = Query(None, description="minlon,minlat,maxlon,maxlat (CRS84)"),
          datetime: str | None = Query(None, description="a date or an interval start/end, '..' open"),
          limit: int = Query(fq.DEFAULT_LIMIT, ge=1, le=fq.MAX_LIMIT),
          offset: int = Query(0, ge=0, le=100_000_000),
          province_code: str | None = Query(None, max_length=2),
          commune_code: str | None = Query(None, max_length=5),
          kinds: str | None = Query(None, description="hotspots: activity kinds, comma-separated"),
          column: str = Query("violations", description="hotspots: violations, rate_smoothed or cases")):
    spec = _spec(collection_id)
    query = _query(bbox, datetime, limit, offset, province_code, commune_code)
    with user_connection(_engine(request), bearer_token(request)) as (conn, _):
        if spec.kind == "units":
            page = fq.unit_page(conn, spec, query)
        elif spec.kind == "computed":
            start = query.start or date(date.today().year, 1, 1)
            end = query.end or date.today()
            kind_list = [k for k in (kinds or "").split(",") if k] or None
            user = current_user(conn)
            key = (user.scope_key, start, end, tuple(kind_list or ()), column)
            table = HOTSPOTS.get(conn, key, start, end, kind_list, column)
            page = fq.hotspot_page(conn, table, query)
        else:
            page = fq.record_page(conn, spec, query)
            record_event(conn, "export", details={"via": "api", "collection": spec.id, "bbox": bbox,
                                                  "datetime": datetime, "offset": offset, "limit": limit},
                         rows=len(page.features))
    links = [{"href": str(request.url), "rel": "self", "type": GEOJSON, "title": "this page"},
             {"href": f"{_base(request)}/collections/{spec.id}", "rel": "collection", "type": "application/json"}]
    if page.more:
        links.append(_next_link(request, query))
    body = {"type": "FeatureCollection", "features": page.features, "numberReturned": len(page.features),
            "timeStamp": _now(), "links": links}
    return JSONResponse(body, media_type=GEOJSON)


@router.get("/collections/{collection_id}/items/{feature_id}", summary="One item (GeoJSON)")
def item(request: Request, collection_id: str, feature_id: str):
    spec = _spec(collection_id)
    if spec.kind == "computed":
        raise ApiError(404, "api.no_item", id=feature_id[:60], collection=spec.id)
    with user_connection(_engine(request), bearer_token(request)) as (conn, _):
        if spec.kind == "units":
            feature = fq.unit_feature(conn, spec, feature_id)
        else:
            feature = fq.record_feature(conn, spec, feature_id)
            if feature is not None:
                record_event(conn, "record_view", details={"via": "api", "collection": spec.id, "id": feature_id},
                             rows=1)
    if feature is None:
        raise ApiError(404, "api.no_item", id=feature_id[:60], collection=spec.id)
    base = _base(request)
    feature["links"] = [{"href": str(request.url), "rel": "self", "type": GEOJSON},
                        {"href": f"{base}/collections/{spec.id}", "rel": "collection", "type": "application/json"}]
    return JSONResponse(feature, media_type=GEOJSON)


def _now() -> str:
    from datetime import datetime, timezone

    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
