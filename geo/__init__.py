"""Foundations: settings, errors, database connection, CRS and geometry helpers."""

from geo.crs import EQUAL_AREA, VIETNAM_BBOX, VN2000_UTM48N, WGS84, areas_km2, project
from geo.database import create_database, database_url, drop_database, get_engine, migrate
from geo.errors import DiabanError
from geo.settings import PROJECT_ROOT, Settings, get_settings

__all__ = [
    "EQUAL_AREA", "PROJECT_ROOT", "VIETNAM_BBOX", "VN2000_UTM48N", "WGS84", "DiabanError",
    "Settings", "areas_km2", "create_database", "database_url", "drop_database", "get_engine",
    "get_settings", "migrate", "project",
]
