"""A real client that is not ours: GDAL's OGC API – Features driver (Debian's gdal-bin) reads the collections."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest
import sqlalchemy as sa

from geo.ospackages import apt_install
from geo.tokens import revoke_token


@pytest.fixture(scope="module")
def gdal() -> str:
    if shutil.which("ogrinfo") is None:
        apt_install(["gdal-bin"])
    return shutil.which("ogr2ogr")


def _run(args: list[str], token: str | None) -> subprocess.CompletedProcess:
    env = {**os.environ, "GDAL_HTTP_TIMEOUT": "120", "CPL_CURL_VERBOSE": "NO"}
    env.pop("GDAL_HTTP_HEADERS", None)
    if token:
        env["GDAL_HTTP_HEADERS"] = f"Authorization: Bearer {token}"
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=600)


def test_ogrinfo_lists_the_collections(gdal, api_url, tokens, demo_loaded):
    token = tokens.get(kind="central", clearance="thuong")
    done = _run(["ogrinfo", "-ro", "-q", f"OAPIF:{api_url}"], token)
    assert done.returncode == 0, done.stderr
    for name in ("provinces", "communes", "cases", "petitions", "discipline", "hotspots"):
        assert f": {name}" in done.stdout


def test_ogr2ogr_of_cases_with_a_province_token_returns_exactly_that_provinces_records(gdal, api_url, engine,
                                                                                       tokens, tmp_path):
    with engine.connect() as conn:  # the smallest province keeps the download short
        province = conn.execute(sa.text("SELECT province_code FROM case_record WHERE province_code IS NOT NULL"
                                        " GROUP BY 1 ORDER BY count(*) LIMIT 1")).scalar_one()
        want = set(conn.execute(sa.text("SELECT source_id FROM case_record WHERE province_code = :p"
                                        " AND classification IN ('thuong', 'mat')"), {"p": province}).scalars())
        hidden = conn.execute(sa.text("SELECT count(*) FROM case_record WHERE province_code = :p"
                                      " AND classification = 'toi_mat'"), {"p": province}).scalar_one()
    token = tokens.get(kind="province", code=province, clearance="mat")
    out = tmp_path / "cases.geojson"
    done = _run(["ogr2ogr", "-f", "GeoJSON", str(out), f"OAPIF:{api_url}", "cases", "-oo", "PAGE_SIZE=1000"], token)
    assert done.returncode == 0, done.stderr
    features = json.loads(out.read_text())["features"]
    got = [f["properties"].get("id") or f["id"] for f in features]
    provinces = {f["properties"]["province_code"] for f in features}
    classes = {f["properties"]["classification"] for f in features}
    print(f"ogr2ogr: province {province}, {len(features):,} features, {hidden:,} tối mật hidden")
    assert len(got) == len(set(got)) == len(want) and set(got) == want
    assert provinces == {province} and classes <= {"thuong", "mat"} and hidden > 0


def test_gdal_without_a_token_or_with_a_revoked_one_gets_401(gdal, api_url, engine, tokens):
    token_id, secret = tokens.issue(kind="central", clearance="thuong", fresh=True)
    assert _run(["ogrinfo", "-ro", "-q", f"OAPIF:{api_url}"], secret).returncode == 0
    with engine.begin() as conn:
        revoke_token(conn, token_id)
    for token in (None, secret):
        done = _run(["ogrinfo", "-ro", "-q", f"OAPIF:{api_url}"], token)
        assert done.returncode != 0 and "401" in done.stderr
