"""The live status page: one self-contained HTML document (no scripts, no external assets).

Rendered from a :class:`StatusSnapshot` on every request of ``/status``; the page reloads itself every
few seconds (``<meta http-equiv="refresh">``). Every text that comes from a page or a message (titles,
sites, URLs, reject messages, topic names) is HTML-escaped; the only links are to the worker's own
``/status/articles/<article_id>.json``, built from ids checked against :data:`ARTICLE_ID`.
The layout is one column on a phone and a grid on wider screens; the rate history is an inline SVG.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape

from workers.monitoring.health import Check
from workers.monitoring.recent import RecentArticle, RejectSummary

ARTICLE_ID = re.compile(r"[0-9a-f]{8,64}")
CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'"
SERIES_COLORS = {"pages": "#2563eb", "articles": "#16a34a", "rejects": "#dc2626"}
SERIES_TITLES = {"pages": "pages in", "articles": "articles out", "rejects": "dead letters"}


@dataclass(frozen=True, slots=True)
class LagRow:
    topic: str
    partition: int
    lag: int


@dataclass(frozen=True, slots=True)
class StatusSnapshot:
    app_id: str
    instance: str
    version: str
    pipeline_version: str
    generated_at: float  # epoch seconds
    uptime_seconds: float
    liveness: Check
    readiness: Check
    rates: Mapping[str, float]  # series -> events/s over the last minute
    history: Mapping[str, Sequence[float]]  # series -> events/s per step, oldest first
    history_step: float
    totals: Mapping[str, int]  # series -> count since start
    in_flight: int
    lag: Sequence[LagRow] = ()
    rejects_by_reason: Sequence[tuple[str, int]] = ()
    reject_examples: Mapping[str, Sequence[RejectSummary]] = field(default_factory=dict)
    articles: Sequence[RecentArticle] = ()
    refresh_seconds: int = 5


def article_json_path(article_id: str) -> str | None:
    return f"/status/articles/{article_id}.json" if ARTICLE_ID.fullmatch(article_id) else None


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _clock(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%H:%M:%S")


def _rate(value: float) -> str:
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def _duration(seconds: float) -> str:
    seconds = int(max(0.0, seconds))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    if seconds < 172800:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} d"


def sparkline(history: Mapping[str, Sequence[float]], step: float, width: int = 600, height: int = 120) -> str:
    """Inline SVG: one polyline per series, scaled to the largest rate; hidden text for screen readers."""
    series = [name for name in SERIES_COLORS if name in history]
    points = max((len(history[name]) for name in series), default=0)
    peak = max((max(history[name], default=0.0) for name in series), default=0.0)
    top = peak if peak > 0 else 1.0
    pad = 4
    lines = []
    for name in series:
        values = history[name]
        if len(values) < 2:
            continue
        dx = (width - 2 * pad) / (len(values) - 1)
        coords = " ".join(
            f"{pad + i * dx:.1f},{height - pad - (value / top) * (height - 2 * pad):.1f}"
            for i, value in enumerate(values)
        )
        lines.append(
            f'<polyline fill="none" stroke="{SERIES_COLORS[name]}" stroke-width="2" '
            f'vector-effect="non-scaling-stroke" points="{coords}"/>'
        )
    minutes = points * step / 60
    label = f"rates over the last {minutes:.0f} minutes, peak {_rate(peak)}/s"
    grid = "".join(
        f'<line x1="0" x2="{width}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e5e7eb" stroke-width="1" '
        'vector-effect="non-scaling-stroke"/>'
        for y in (pad, height / 2, height - pad)
    )
    return (
        f'<svg class="chart" viewBox="0 0 {width} {height}" preserveAspectRatio="none" role="img" '
        f'aria-label="{_e(label)}"><title>{_e(label)}</title>{grid}{"".join(lines)}</svg>'
        f'<div class="axis"><span>-{minutes:.0f} min</span><span>peak {_rate(peak)}/s</span><span>now</span></div>'
    )


def _health(snapshot: StatusSnapshot) -> str:
    ready = snapshot.readiness
    badge = '<span class="badge ok">ready</span>' if ready.ok else '<span class="badge bad">not ready</span>'
    if not snapshot.liveness.ok:
        badge = '<span class="badge bad">not live</span>'
    problems = "".join(f"<li>{_e(problem)}</li>" for problem in (*snapshot.liveness.problems, *ready.problems))
    return badge + (f'<ul class="problems">{problems}</ul>' if problems else "")


def _cards(snapshot: StatusSnapshot) -> str:
    total_lag = sum(row.lag for row in snapshot.lag)
    cards = [
        *(
            (
                f"{SERIES_TITLES[name]} / s",
                _rate(snapshot.rates.get(name, 0.0)),
                f"{snapshot.totals.get(name, 0)} total",
                name,
            )
            for name in SERIES_COLORS
        ),
        ("consumer lag", str(total_lag), f"{len(snapshot.lag)} partitions", "lag"),
        ("in flight", str(snapshot.in_flight), "messages", "in-flight"),
    ]
    return "".join(
        f'<div class="card" data-metric="{_e(key)}"><div class="label">{_e(label)}</div>'
        f'<div class="value">{_e(value)}</div><div class="sub">{_e(sub)}</div></div>'
        for label, value, sub, key in cards
    )


def _legend() -> str:
    return "".join(
        f'<span class="key"><i style="background:{color}"></i>{_e(SERIES_TITLES[name])}</span>'
        for name, color in SERIES_COLORS.items()
    )


def _lag_table(rows: Sequence[LagRow]) -> str:
    if not rows:
        return '<p class="empty">No partitions assigned.</p>'
    body = "".join(
        f'<tr><td>{_e(row.topic)}</td><td>{row.partition}</td><td class="num">{row.lag}</td></tr>'
        for row in sorted(rows, key=lambda row: (row.topic, row.partition))
    )
    return (
        '<div class="scroll"><table id="lag"><thead><tr><th>topic</th><th>partition</th>'
        f'<th class="num">lag</th></tr></thead><tbody>{body}</tbody></table></div>'
    )


def _coordinates(reject: RejectSummary) -> str:
    if reject.topic is None:
        return ""
    return f"{reject.topic}[{reject.partition}]@{reject.offset}"


def _rejects(snapshot: StatusSnapshot) -> str:
    if not snapshot.rejects_by_reason:
        return '<p class="empty">No dead letters.</p>'
    parts = []
    for reason, count in snapshot.rejects_by_reason:
        examples = "".join(
            f'<li><span class="muted">{_clock(example.at)}</span> {_e(example.message)}'
            + (f'<br><span class="url">{_e(example.url)}</span>' if example.url else "")
            + (f' <span class="muted">{_e(_coordinates(example))}</span>' if example.topic else "")
            + "</li>"
            for example in snapshot.reject_examples.get(reason, ())
        )
        parts.append(
            f'<details open class="reason" data-reason="{_e(reason)}"><summary>'
            f'<span class="badge bad">{_e(reason)}</span> <span class="count">{count}</span></summary>'
            f'<ul class="examples">{examples}</ul></details>'
        )
    return "".join(parts)


def _article(entry: RecentArticle) -> str:
    summary = entry.summary
    path = article_json_path(summary.article_id) if entry.document else None
    title = _e(summary.title or "(untitled)")
    heading = f'<a href="{_e(path)}">{title}</a>' if path else title
    tags = [
        f'<span class="tag">{_e(summary.site)}</span>' if summary.site else "",
        f'<span class="tag lang">{_e(summary.language or "?")}</span>',
        f'<span class="tag">{_e(summary.category)}</span>' if summary.category else "",
        f'<span class="badge warn" title="duplicate of {_e(summary.duplicate_of)}">duplicate</span>'
        if summary.duplicate_of
        else "",
        f'<span class="badge story" title="story {_e(summary.story_id)}">story {_e(summary.story_id[:8])}</span>'
        if summary.story_id
        else "",
    ]
    return (
        f'<li class="article" data-article-id="{_e(summary.article_id)}"><div class="title">{heading}</div>'
        f'<div class="meta">{"".join(tags)} <span class="muted">{summary.word_count} words · '
        f"{_clock(entry.at)}</span></div></li>"
    )


def _articles(articles: Sequence[RecentArticle]) -> str:
    if not articles:
        return '<p class="empty">No articles yet.</p>'
    return f'<ol class="articles">{"".join(_article(entry) for entry in articles)}</ol>'


_CSS = """
*{box-sizing:border-box}
body{margin:0;font:15px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#111827;background:#f3f4f6}
header{background:#111827;color:#f9fafb;padding:.75rem 1rem;display:flex;flex-wrap:wrap;gap:.5rem 1rem;
align-items:center}
header h1{font-size:1.1rem;margin:0}
header .muted{color:#9ca3af}
main{max-width:72rem;margin:0 auto;padding:.75rem;display:grid;gap:.75rem}
section{background:#fff;border-radius:.5rem;padding:.75rem;box-shadow:0 1px 2px rgba(0,0,0,.06);min-width:0}
h2{font-size:1rem;margin:0 0 .5rem}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(8.5rem,1fr));gap:.5rem}
.card{background:#fff;border-radius:.5rem;padding:.6rem .75rem;box-shadow:0 1px 2px rgba(0,0,0,.06)}
.card .label{font-size:.8rem;color:#6b7280}
.card .value{font-size:1.6rem;font-weight:600;font-variant-numeric:tabular-nums}
.card .sub{font-size:.75rem;color:#6b7280}
.chart{width:100%;height:8rem;display:block;background:#fafafa;border-radius:.25rem}
.axis{display:flex;justify-content:space-between;font-size:.75rem;color:#6b7280}
.legend{display:flex;flex-wrap:wrap;gap:.75rem;font-size:.8rem;margin-bottom:.25rem}
.key i{display:inline-block;width:.8rem;height:.25rem;margin-right:.3rem;vertical-align:middle}
.two{display:grid;gap:.75rem;grid-template-columns:repeat(auto-fit,minmax(20rem,1fr))}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{text-align:left;padding:.25rem .5rem;border-bottom:1px solid #e5e7eb}
.num{text-align:right;font-variant-numeric:tabular-nums}
.badge{display:inline-block;padding:0 .45rem;border-radius:999px;font-size:.75rem;font-weight:600}
.ok{background:#dcfce7;color:#166534}.bad{background:#fee2e2;color:#991b1b}
.warn{background:#fef3c7;color:#92400e}.story{background:#e0e7ff;color:#3730a3}
.tag{display:inline-block;padding:0 .4rem;border-radius:.25rem;background:#f3f4f6;font-size:.75rem;margin-right:.2rem}
.articles{list-style:none;margin:0;padding:0}
.article{padding:.45rem 0;border-bottom:1px solid #e5e7eb}
.article .title{font-weight:600;overflow-wrap:anywhere}
.article a{color:#1d4ed8;text-decoration:none}
.meta{margin-top:.15rem}
.muted{color:#6b7280;font-size:.8rem}
.url{font-size:.8rem;color:#374151;overflow-wrap:anywhere}
.problems{margin:.25rem 0 0;padding-left:1.2rem;font-size:.85rem;flex-basis:100%}
details.reason{border-bottom:1px solid #e5e7eb;padding:.3rem 0}
details.reason summary{cursor:pointer}
.count{font-weight:600;font-variant-numeric:tabular-nums}
.examples{margin:.3rem 0;padding-left:1.2rem;font-size:.85rem;overflow-wrap:anywhere}
.empty{color:#6b7280;margin:0}
footer{text-align:center;color:#6b7280;font-size:.75rem;padding:0 0 1rem}
"""


def render_status(snapshot: StatusSnapshot) -> str:
    """The whole page; safe for any text in the snapshot."""
    generated = datetime.fromtimestamp(snapshot.generated_at, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="{int(snapshot.refresh_seconds)}">
<title>newsflow · {_e(snapshot.app_id)} · status</title>
<style>{_CSS}</style>
</head>
<body>
<header>
<h1>newsflow worker</h1>
<span class="muted">{_e(snapshot.app_id)} · {_e(snapshot.instance)} · v{_e(snapshot.version)} ·
pipeline {_e(snapshot.pipeline_version)} · up {_duration(snapshot.uptime_seconds)}</span>
<span id="health">{_health(snapshot)}</span>
</header>
<main>
<div class="cards" id="rates">{_cards(snapshot)}</div>
<section id="history"><h2>Rates</h2><div class="legend">{_legend()}</div>
{sparkline(snapshot.history, snapshot.history_step)}</section>
<div class="two">
<section><h2>Consumer lag</h2>{_lag_table(snapshot.lag)}</section>
<section id="rejects"><h2>Dead letters by reason</h2>{_rejects(snapshot)}</section>
</div>
<section id="recent"><h2>Recent articles</h2>{_articles(snapshot.articles)}</section>
</main>
<footer>generated {generated} · refreshes every {int(snapshot.refresh_seconds)} s ·
<a href="/metrics">/metrics</a> · <a href="/readyz">/readyz</a></footer>
</body>
</html>
"""
