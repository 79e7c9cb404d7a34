"""Charts beside the maps (Vega-Lite through Altair, bundled with Streamlit: works offline)."""

from __future__ import annotations

from collections.abc import Mapping

import altair as alt
import pandas as pd


def funnel_chart(units: pd.DataFrame, limits: pd.DataFrame, *, colours: Mapping[str, str],
                 status_labels: Mapping[str, str], x_title: str, y_title: str,
                 tooltip_titles: Mapping[str, str]) -> alt.LayerChart:
    """Return a funnel plot of ``units`` (columns name, expected, actual, ratio, status) between the
    control ``limits`` (``queries.lagging.funnel_curves``: expected, lower_95, upper_95, …).

    Points are coloured by status with the same colours as the map; the 95 % limits are dashed,
    the 99.8 % limits solid.
    """
    # Only the columns drawn or shown travel to the browser (the chart embeds its data).
    columns = list(dict.fromkeys(["expected", "ratio", *tooltip_titles]))
    data = units[columns].round(2).assign(status_label=units["status"].map(status_labels))
    long = limits.melt(id_vars="expected", var_name="limit", value_name="ratio")
    long["dashed"] = long["limit"].str.endswith("_95")
    domain = [status_labels[s] for s in colours if s in status_labels]
    scale = alt.Scale(domain=domain, range=[colours[s] for s in colours if s in status_labels])
    lines = alt.Chart(long).mark_line(color="#607d8b", strokeWidth=1).encode(
        x=alt.X("expected:Q", scale=alt.Scale(type="log"), title=x_title),
        y=alt.Y("ratio:Q", title=y_title), detail="limit:N",
        strokeDash=alt.condition("datum.dashed", alt.value([4, 3]), alt.value([1, 0])))
    points = alt.Chart(data).mark_circle(size=40, opacity=0.85).encode(
        x="expected:Q", y="ratio:Q",
        color=alt.Color("status_label:N", scale=scale, title=None, legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip(column, title=title) for column, title in tooltip_titles.items()])
    return (lines + points).properties(height=380)
