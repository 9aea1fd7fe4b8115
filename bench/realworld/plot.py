"""How extraction cost grows with page size: CPU ms per page against page KB, log-log, per system.

One panel per form (the HTML pages; their flattened text), one colour per system: a dot per page
and a line through the median ms of each size bucket (buckets double in size; a bucket needs three
pages for a point). matplotlib (the ``bench`` extra) is imported only here, with the Agg backend.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path

# Points of one system: (page KB, CPU ms).
Points = Sequence[tuple[float, float]]
MIN_MS = 0.01  # a page timed at 0 ms (clock resolution) is drawn here, not dropped from a log axis
MIN_BUCKET = 3


def bucket_medians(points: Points) -> list[tuple[float, float]]:
    """(median KB, median ms) of each power-of-two KB bucket that holds at least ``MIN_BUCKET`` pages."""
    buckets: dict[int, list[tuple[float, float]]] = defaultdict(list)
    for kb, ms in points:
        buckets[math.floor(math.log2(max(kb, 1e-3)))].append((kb, ms))
    return [
        (statistics.median(kb for kb, _ in group), statistics.median(ms for _, ms in group))
        for _, group in sorted(buckets.items())
        if len(group) >= MIN_BUCKET
    ]


def cost_by_size(panels: Mapping[str, Mapping[str, Points]], path: Path, title: str) -> Path:
    """Draw ``{panel title: {system: points}}`` side by side into ``path`` (PNG); return the path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    plain = FuncFormatter(lambda value, _: f"{value:g}")

    shown = [(name, series) for name, series in panels.items() if any(series.values())]
    systems = sorted({system for _, series in shown for system in series})
    palette = plt.get_cmap("tab10")
    colours = {system: palette(i % 10) for i, system in enumerate(systems)}
    figure, axes = plt.subplots(1, max(len(shown), 1), figsize=(7.5 * max(len(shown), 1), 6), squeeze=False)
    for axis, (panel, series) in zip(axes[0], shown, strict=False):
        for system, points in series.items():
            if not points:
                continue
            colour = colours[system]
            axis.scatter([kb for kb, _ in points], [max(ms, MIN_MS) for _, ms in points], s=9, alpha=0.35, color=colour)
            line = bucket_medians(points)
            axis.plot(
                [kb for kb, _ in line],
                [max(ms, MIN_MS) for _, ms in line],
                color=colour,
                linewidth=2,
                marker="o",
                markersize=4,
                label=f"{system} (median ms {statistics.median(ms for _, ms in points):.1f})",
            )
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.xaxis.set_major_formatter(plain)
        axis.yaxis.set_major_formatter(plain)
        axis.set_xlabel("page size (KB, UTF-8)")
        axis.set_ylabel("CPU ms per page")
        axis.set_title(panel)
        axis.grid(True, which="major", alpha=0.4)
        axis.grid(True, which="minor", alpha=0.12)
        axis.legend(loc="upper left", fontsize=8)
    figure.suptitle(title)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path
