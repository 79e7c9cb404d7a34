"""Administrative units: registry of source files, loading, validation, coverage repair, lineage."""

from boundaries.coverage import CoverageStats, measure_coverage, repair_coverage
from boundaries.load import LoadReport, load_boundaries
from boundaries.registry import DATASETS, locate_dataset

__all__ = ["DATASETS", "CoverageStats", "LoadReport", "load_boundaries", "locate_dataset",
           "measure_coverage", "repair_coverage"]
