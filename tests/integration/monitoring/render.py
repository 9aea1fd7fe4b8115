"""``dashboards/newsflow.json`` drawn from its own JSON with the data Prometheus returned: no Grafana here.

Not Grafana's look, but its layout and content: every panel at its ``gridPos`` (24 columns, 30 px per
height unit), rows as headings, ``stat`` panels as their last value, ``timeseries`` as one line per
series named by the target's ``legendFormat``, the ``table`` as its label sets; values formatted by the
panel's unit. One self-contained HTML document (inline SVG), screenshotted by headless Chromium.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import Any

from .dashboard import PanelResult, panels

WIDTH = 1600
UNIT_HEIGHT = 30
GAP = 6
PALETTE = ("#73bf69", "#f2cc0c", "#5794f2", "#ff780a", "#f2495c", "#b877d9", "#8ab8ff", "#fade2a", "#37872d", "#c4162a")


def fmt(value: float, unit: str | None) -> str:
    if unit == "percentunit":
        return f"{value * 100:.3g}%"
    if unit == "reqps":
        return f"{value:.3g}/s"
    if unit == "bytes":
        for size, suffix in ((2**30, "GiB"), (2**20, "MiB"), (2**10, "KiB")):
            if abs(value) >= size:
                return f"{value / size:.3g} {suffix}"
        return f"{value:.0f} B"
    if unit == "s":
        return f"{value * 1000:.3g} ms" if 0 < abs(value) < 1 else f"{value:.3g} s"
    return f"{value:.4g}"


def legend(template: str, labels: dict[str, str]) -> str:
    if not template or template == "__auto":
        return "{" + ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}" if labels else "value"
    return re.sub(r"\{\{\s*(\w+)\s*\}\}", lambda m: labels.get(m.group(1), ""), template)


def _chart(
    results: Sequence[PanelResult], unit: str | None, width: float, height: float, start: float, end: float
) -> str:
    lines = [(legend(r.query.legend, labels), points) for r in results for labels, points in r.data if points]
    if not lines:
        return '<div class="nodata">No data</div>'
    low = min(0.0, *(v for _, points in lines for _, v in points))
    high = max(v for _, points in lines for _, v in points)
    high = high if high > low else low + 1
    left, bottom, plot_w, plot_h = 70.0, 18.0, width - 80.0, height - 26.0 - 16.0 * min(len(lines), 4)
    span = max(end - start, 1.0)

    def xy(t: float, v: float) -> str:
        return f"{left + (t - start) / span * plot_w:.1f},{8 + (1 - (v - low) / (high - low)) * plot_h:.1f}"

    parts = [f'<svg width="{width:.0f}" height="{height:.0f}" xmlns="http://www.w3.org/2000/svg">']
    for fraction in (0.0, 0.5, 1.0):
        y = 8 + (1 - fraction) * plot_h
        value = low + fraction * (high - low)
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" class="axis" text-anchor="end">{fmt(value, unit)}</text>')
    for second in range(0, int(span) + 1, 30):
        x = left + second / span * plot_w
        parts.append(
            f'<text x="{x:.1f}" y="{8 + plot_h + bottom - 4:.1f}" class="axis" text-anchor="middle">{second}s</text>'
        )
    for index, (name, points) in enumerate(lines):
        color = PALETTE[index % len(PALETTE)]
        path = " ".join(xy(t, v) for t, v in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="1.6"/>')
        if index < 4:
            y = 8 + plot_h + bottom + 12 + 16 * index
            parts.append(f'<rect x="{left}" y="{y - 9}" width="10" height="10" fill="{color}"/>')
            parts.append(f'<text x="{left + 16}" y="{y}" class="legend">{html.escape(name)}</text>')
    if len(lines) > 4:
        parts.append(
            f'<text x="{left + plot_w}" y="{height - 4}" class="legend" text-anchor="end">'
            f"+{len(lines) - 4} series</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _stat(results: Sequence[PanelResult], unit: str | None, width: float, start: float, end: float) -> str:
    """The last value (``reduceOptions.calcs: lastNotNull``) over an area sparkline (``graphMode: area``)."""
    series = [points for r in results for _, points in r.data if points]
    if not series:
        return '<div class="nodata">No data</div>'
    points = series[0]
    high = max(max(v for _, v in points), 1e-12)
    span = max(end - start, 1.0)
    coords = " ".join(f"{(t - start) / span * width:.1f},{50 - v / high * 46:.1f}" for t, v in points)
    first, last = (points[0][0] - start) / span * width, (points[-1][0] - start) / span * width
    spark = (
        f'<svg width="{width:.0f}" height="50" xmlns="http://www.w3.org/2000/svg">'
        f'<polygon points="{first:.1f},50 {coords} {last:.1f},50" fill="#73bf6933" stroke="#73bf69"/></svg>'
    )
    return f'<div class="stat">{fmt(points[-1][1], unit)}</div>{spark}'


def _table(results: Sequence[PanelResult]) -> str:
    rows = [labels for r in results for labels, points in r.data if points]
    keys = sorted({key for labels in rows for key in labels})
    head = "".join(f"<th>{html.escape(key)}</th>" for key in keys)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(row.get(key, ''))}</td>" for key in keys) + "</tr>" for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>" if rows else '<div class="nodata">No data</div>'


def page(board: dict[str, Any], results: Sequence[PanelResult], start: float, end: float, subtitle: str) -> str:
    by_panel: dict[int, list[PanelResult]] = {}
    for result in results:
        by_panel.setdefault(result.query.panel_id, []).append(result)
    column = WIDTH / 24
    boxes = []
    bottom = 0
    for panel in panels(board):
        grid = panel["gridPos"]
        x, y, w, h = grid["x"] * column, grid["y"] * UNIT_HEIGHT, grid["w"] * column, grid["h"] * UNIT_HEIGHT
        bottom = max(bottom, int(y + h))
        style = f"left:{x + GAP / 2:.0f}px;top:{y + GAP / 2:.0f}px;width:{w - GAP:.0f}px;height:{h - GAP:.0f}px"
        title = html.escape(panel["title"])
        if panel["type"] == "row":
            boxes.append(f'<div class="row" style="{style}">{title}</div>')
            continue
        unit = panel.get("fieldConfig", {}).get("defaults", {}).get("unit")
        mine = by_panel.get(panel["id"], [])
        if panel["type"] == "stat":
            content = _stat(mine, unit, w - GAP - 12, start, end)
        elif panel["type"] == "table":
            content = _table(mine)
        else:
            content = _chart(mine, unit, w - GAP - 12, h - GAP - 30, start, end)
        boxes.append(f'<div class="panel" style="{style}"><div class="title">{title}</div>{content}</div>')
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(board["title"])}</title><style>
body {{ margin: 0; background: #111217; color: #ccccdc; font: 12px sans-serif; }}
header {{ padding: 10px 14px; font-size: 16px; }} header small {{ color: #8e8e9e; font-size: 12px; margin-left: 10px; }}
.board {{ position: relative; width: {WIDTH}px; height: {bottom + GAP}px; }}
.panel {{ position: absolute; background: #181b1f; border: 1px solid #2c3235; border-radius: 3px; padding: 4px 6px;
  box-sizing: border-box; overflow: hidden; }}
.row {{ position: absolute; font-size: 14px; font-weight: bold; padding-top: 6px; }}
.title {{ font-weight: bold; margin-bottom: 4px; }}
.stat {{ font-size: 28px; color: #73bf69; padding: 0 4px; }}
.nodata {{ color: #8e8e9e; padding: 30px; text-align: center; }}
.grid {{ stroke: #2c3235; }} .axis, .legend {{ fill: #9fa1a8; font-size: 10px; }}
table {{ border-collapse: collapse; }}
th, td {{ border-bottom: 1px solid #2c3235; padding: 3px 6px; text-align: left; }}
</style></head><body><header>{html.escape(board["title"])}<small>{html.escape(subtitle)}</small></header>
<div class="board">{"".join(boxes)}</div></body></html>"""
