"""Read side: spatial queries and analytics returning frames and small dataclasses."""

from queries.lookup import PointLocation, UnitRef, unit_at

__all__ = ["PointLocation", "UnitRef", "unit_at"]
