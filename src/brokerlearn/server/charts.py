"""Charts drawn on the server as inline SVG: readable without JavaScript, styled by the theme,
with a text alternative (the same figures are always in a table next to the chart)."""
from __future__ import annotations

from markupsafe import Markup, escape


def bar_chart(title: str, rows: list[tuple[str, list[tuple[str, float]]]], maximum: float | None = None,
              width: int = 640) -> Markup:
    """Horizontal bars: rows of (label, [(series name, value), ...])."""
    series_count = max((len(values) for _, values in rows), default=1)
    top = maximum or max([v for _, values in rows for _, v in values] + [1])
    label_width, bar_height, gap = 220, 14, 10
    row_height = series_count * (bar_height + 2) + gap
    height = len(rows) * row_height + 30
    plot = width - label_width - 60
    parts = [f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
             f'width="100%" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>']
    for index, (label, values) in enumerate(rows):
        y = 10 + index * row_height
        parts.append(f'<text x="{label_width - 8}" y="{y + bar_height}" text-anchor="end" class="chart-label">'
                     f'{escape(label[:34])}</text>')
        for series, (name, value) in enumerate(values):
            length = 0 if top == 0 else plot * max(0.0, value) / top
            by = y + series * (bar_height + 2)
            parts.append(f'<rect x="{label_width}" y="{by}" width="{length:.1f}" height="{bar_height}" '
                         f'class="chart-bar chart-series-{series}"><title>{escape(name)}: {value:g}</title></rect>')
            parts.append(f'<text x="{label_width + length + 4:.1f}" y="{by + bar_height - 2}" class="chart-value">'
                         f'{value:g}</text>')
    legend = " · ".join(escape(name) for name, _ in (rows[0][1] if rows else []))
    parts.append(f'<text x="{label_width}" y="{height - 6}" class="chart-legend">{legend}</text></svg>')
    return Markup("".join(parts))
