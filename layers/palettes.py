"""The colours that mean the same thing on every page: hot/cold classes, emerging-hotspot
categories and progress status. Keys are the codes the queries return."""

from __future__ import annotations

# Diverging red–blue (ColorBrewer RdBu): red is hot, blue is cold, darker is more certain.
HOTSPOT = {"hot_99": "#b2182b", "hot_95": "#ef8a62", "hot_90": "#fddbc7", "ns": "#f7f7f7",
           "cold_90": "#d1e5f0", "cold_95": "#67a9cf", "cold_99": "#2166ac"}

# Hot categories in reds and oranges, cold in blues, in the order the legend lists them.
EMERGING = {
    "new_hot": "#67000d", "consecutive_hot": "#a50f15", "intensifying_hot": "#cb181d", "persistent_hot": "#ef3b2c",
    "diminishing_hot": "#fb6a4a", "sporadic_hot": "#fc9272", "oscillating_hot": "#fdae6b",
    "historical_hot": "#fee0d2",
    "new_cold": "#08306b", "consecutive_cold": "#08519c", "intensifying_cold": "#2171b5",
    "persistent_cold": "#4292c6", "diminishing_cold": "#6baed6", "sporadic_cold": "#9ecae1",
    "oscillating_cold": "#a6bddb", "historical_cold": "#deebf7",
    "no_pattern": "#f5f5f5",
}

# Progress against targets: the same three colours in the map, the tables and the funnel plot.
STATUS = {"lagging": "#c62828", "watch": "#f9a825", "on_track": "#2e7d32", "no_target": "#e0e0e0"}

# Groups of a rebalancing proposal: qualitative (ColorBrewer Set3 + Paired), repeated past 20.
GROUPS = ["#8dd3c7", "#ffffb3", "#bebada", "#fb8072", "#80b1d3", "#fdb462", "#b3de69", "#fccde5", "#d9d9d9",
          "#bc80bd", "#ccebc5", "#ffed6f", "#a6cee3", "#1f78b4", "#b2df8a", "#33a02c", "#fb9a99", "#e31a1c",
          "#fdbf6f", "#ff7f00"]


def group_colours(groups) -> dict[str, str]:
    """Colour per group number (as text, the way map classes are keyed)."""
    return {str(g): GROUPS[(int(g) - 1) % len(GROUPS)] for g in sorted(groups)}
