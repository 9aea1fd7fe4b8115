"""The panels of ``dashboards/newsflow.json`` as Grafana would query them, evaluated through Prometheus.

Every query is read from the dashboard file (never copied): its template variables are resolved the
way Grafana resolves them (``$instance`` with "All" selected becomes the variable's ``allValue``; the
variable's own ``label_values`` query is run too) and ``$__rate_interval`` becomes Grafana's
``max($__interval + scrape interval, 4 × scrape interval)``, with ``$__interval`` = the scrape interval
(a few minutes of data on a wide panel).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .servers import DASHBOARD, INTERVAL, PrometheusAPI


@dataclass(frozen=True)
class PanelQuery:
    panel_id: int
    title: str
    ref: str
    expr: str  # as written in the dashboard
    legend: str


@dataclass(frozen=True)
class PanelResult:
    query: PanelQuery
    expr: str  # as sent to Prometheus
    series: int  # series returned over the range
    with_data: int  # of which with at least one finite value
    max_value: float | None  # the largest finite value of any series
    data: tuple[tuple[dict[str, str], tuple[tuple[float, float], ...]], ...] = ()  # (labels, finite points)

    @property
    def has_data(self) -> bool:
        return self.with_data > 0


def load() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    return data


def panels(dashboard: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for panel in dashboard["panels"]:
        yield panel
        yield from panel.get("panels", [])


def queries(dashboard: dict[str, Any]) -> list[PanelQuery]:
    return [
        PanelQuery(
            panel["id"], panel["title"], target.get("refId", "A"), target["expr"], target.get("legendFormat", "")
        )
        for panel in panels(dashboard)
        if panel.get("type") != "row"
        for target in panel.get("targets", [])
    ]


def rate_interval(scrape_interval: float = INTERVAL) -> str:
    return f"{round(max(scrape_interval + scrape_interval, 4 * scrape_interval) * 1000)}ms"


def variables(dashboard: dict[str, Any], api: PrometheusAPI) -> dict[str, str]:
    """Each template variable's value with "All" selected; its label_values query must find values."""
    values: dict[str, str] = {}
    for variable in dashboard.get("templating", {}).get("list", []):
        query = variable.get("definition") or variable["query"]
        query = query["query"] if isinstance(query, dict) else query
        match = re.fullmatch(r"label_values\((.*),\s*(\w+)\)", query.strip())
        assert match, f"variable {variable['name']}: {query} is not label_values(selector, label)"
        found = api.label_values(match.group(2), match.group(1))
        assert found, f"variable ${variable['name']}: {query} found no value"
        if variable.get("includeAll") and variable.get("allValue"):
            values[variable["name"]] = variable["allValue"]
        else:
            values[variable["name"]] = "|".join(re.escape(value) for value in found)
    return values


def resolve(expr: str, values: dict[str, str]) -> str:
    expr = expr.replace("$__rate_interval", rate_interval()).replace("$__interval", f"{round(INTERVAL * 1000)}ms")
    for name, value in sorted(values.items(), key=lambda item: -len(item[0])):
        expr = expr.replace(f"${{{name}}}", value).replace(f"${name}", value)
    assert "$" not in expr, f"unresolved variable in {expr}"
    return expr


def evaluate(api: PrometheusAPI, query: PanelQuery, values: dict[str, str], start: float, end: float) -> PanelResult:
    """The query over [start, end] at the scrape interval, as a time-series panel draws it."""
    expr = resolve(query.expr, values)
    result = api.query_range(expr, start, end, INTERVAL)
    data = tuple(
        (
            dict(item["metric"]),
            tuple((float(t), float(v)) for t, v in item["values"] if math.isfinite(float(v))),
        )
        for item in result
    )
    with_data = [points for _, points in data if points]
    return PanelResult(
        query=query,
        expr=expr,
        series=len(result),
        with_data=len(with_data),
        max_value=max((max(v for _, v in points) for points in with_data), default=None),
        data=data,
    )
