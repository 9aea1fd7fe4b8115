"""``test-artifacts/monitoring.md`` and the pictures: what the end-to-end run saw, as tables and screenshots."""

from __future__ import annotations

import math
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .dashboard import PanelResult
from .servers import INTERVAL, TIME_SCALE, ToolRun, seconds
from .timeline import AlertTiming

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-sync"]


@dataclass(frozen=True)
class AlertRow:
    name: str
    expr: str
    shipped_for: str  # "" when the rule has no `for`
    test_for: float
    budget: float  # for + one evaluation interval + the route's group_wait, test scale
    timing: AlertTiming | None


def _number(value: float | None) -> str:
    if value is None:
        return "–"
    if math.isfinite(value) and value == int(value) and abs(value) < 1e12:
        return str(int(value))
    return f"{value:.3g}"


def _code(text: str) -> str:
    return "`" + " ".join(text.split()).replace("|", "\\|") + "`"


def panels_table(healthy: Sequence[PanelResult], whole: Sequence[PanelResult], fault_only: dict[str, str]) -> str:
    lines = [
        "| # | panel | query sent to Prometheus | series after real traffic (with data) | max "
        "| series over the whole run, faults included (with data) | max |",
        "| ---: | --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for index, (before, after) in enumerate(zip(healthy, whole, strict=True), 1):
        title = before.query.title + (
            f" *(fault-only: {fault_only[before.query.title]})*" if before.query.title in fault_only else ""
        )
        lines.append(
            f"| {index} | {title} | {_code(before.expr)} | {before.series} ({before.with_data}) | "
            f"{_number(before.max_value)} | {after.series} ({after.with_data}) | {_number(after.max_value)} |"
        )
    return "\n".join(lines)


def alerts_table(rows: Sequence[AlertRow]) -> str:
    lines = [
        "| alert | expression | for (shipped) | for in the test | fired in the e2e test "
        "| pending → receiver, s (budget) | fault → receiver, s |",
        "| --- | --- | --- | ---: | --- | ---: | ---: |",
    ]
    for row in rows:
        timing = row.timing
        fired = f"yes ({timing.phase})" if timing else "no"
        pending = "–" if timing is None or timing.pending_to_receiver is None else f"{timing.pending_to_receiver:.2f}"
        budget = f"{pending} (≤ {row.budget:.2f})" if timing else f"– (≤ {row.budget:.2f})"
        fault = f"{timing.fault_to_receiver:.2f}" if timing else "–"
        lines.append(
            f"| {row.name} | {_code(row.expr)} | {row.shipped_for or '–'} | {row.test_for:g} s | {fired} "
            f"| {budget} | {fault} |"
        )
    return "\n".join(lines)


def tools_section(runs: Sequence[ToolRun]) -> str:
    return "\n\n".join(f"```\n$ {run.command}   # exit {run.returncode}\n{run.output}\n```" for run in runs)


def document(
    *,
    versions: dict[str, str],
    phases: Sequence[tuple[str, str, float, float]],
    panels: str,
    alerts: str,
    tools: str,
    pictures: Sequence[Path],
    notes: Sequence[str],
) -> str:
    phase_lines = "\n".join(f"| {name} | {fault} | {start:.1f} | {end:.1f} |" for name, fault, start, end in phases)
    picture_lines = "\n".join(f"- `{path.name}`" for path in pictures)
    note_lines = "\n".join(f"- {note}" for note in notes)
    return f"""# Monitoring, end to end (tests/integration/monitoring)

Written by `tests/integration/monitoring/test_end_to_end.py`: a real Prometheus scraping a live worker on
the session's Kafka broker, the shipped alert rules and Alertmanager routes at 1/{TIME_SCALE} of their
time scale (a minute of `for:`, range window or group wait is a second here; scrape and rule evaluation
every {INTERVAL:g} s), and the shipped webhook receiver. {", ".join(f"{k} {v}" for k, v in versions.items())}.

## Phases (seconds from the start of traffic)

| phase | fault | start | end |
| --- | --- | ---: | ---: |
{phase_lines}

## Dashboard panels (`dashboards/newsflow.json`, every query)

"with data": series with at least one finite value over the range, at the scrape interval, as a
time-series panel draws it. `$instance` = the variable's "All" value, `$__rate_interval` = Grafana's
max($__interval + scrape interval, 4 × scrape interval).

{panels}

## Alerts

Budget = the test's `for` + one evaluation interval + the route's `group_wait`; "pending" is Prometheus'
`activeAt` (the expression first held). Fault → receiver also holds the time the fault takes to show in a
scrape (up to one scrape interval, and the worker's 5 s lag timer for lag).

{alerts}

## promtool and amtool on the shipped files

{tools}

## Pictures

{picture_lines}

## Notes

{note_lines}
"""


def screenshot_status_page(url: str, path: Path) -> None:
    _screenshot(url, path, width=1200, height=900)


def screenshot_prometheus_graphs(base: str, exprs: Sequence[tuple[str, str]], range_seconds: float, path: Path) -> None:
    """Prometheus' own graph page (Debian's classic UI) with one graph per expression."""
    minutes = math.ceil((range_seconds + 30) / 60)
    params: dict[str, str] = {}
    for index, (_, expr) in enumerate(exprs):
        params.update({f"g{index}.expr": expr, f"g{index}.tab": "0", f"g{index}.range_input": f"{minutes}m"})
    url = f"{base}/graph?{urllib.parse.urlencode(params)}"
    # the fixed navigation bar would be pasted over the middle of a full-page screenshot
    _screenshot(url, path, width=1400, height=1000, settle_ms=2500, css=".navbar { position: static !important; }")


def screenshot_document(document: str, path: Path, width: int) -> None:
    """A self-contained HTML document (no request leaves the page), rendered and saved as PNG."""
    _screenshot(None, path, width=width, height=800, content=document)


def _screenshot(
    url: str | None,
    path: Path,
    *,
    width: int,
    height: int,
    settle_ms: int = 500,
    css: str = "",
    content: str = "",
) -> None:
    assert CHROMIUM.exists(), "Debian's chromium is missing: `make setup` installs it (apt-get install chromium)"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            if url is None:
                page.set_content(content)
            else:
                response = page.goto(url)
                assert response is not None and response.status == 200, url
            if css:
                page.add_style_tag(content=css)
            page.wait_for_timeout(settle_ms)
            path.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(path), full_page=True)
        finally:
            browser.close()


def shipped_for(rule: dict[str, Any]) -> tuple[str, float]:
    """(`for` as shipped, the test's `for` in seconds)."""
    text = str(rule.get("for", ""))
    return text, (seconds(text) / TIME_SCALE if text else 0.0)
