"""Read side: spatial queries and analytics returning frames and small dataclasses."""

from queries.counts import case_counts, headline_counts
from queries.lookup import PointLocation, UnitRef, unit_at
from queries.maps import unit_shapes
from queries.spatial import (
    AreaResult,
    Filters,
    nearest_records,
    records_in_polygon,
    records_in_unit,
    records_within_radius,
)

__all__ = ["AreaResult", "Filters", "PointLocation", "UnitRef", "case_counts", "headline_counts",
           "nearest_records", "records_in_polygon", "records_in_unit", "records_within_radius", "unit_at",
           "unit_shapes"]
