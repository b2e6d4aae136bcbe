"""Charts drawn on the server: readable without JavaScript, styled by the theme, with a text
alternative (the same figures are always in a table next to the chart).

Labels are HTML text, so they wrap at any width and are never cut; each row's bars are a small
inline SVG whose lengths are percentages of the row (SVG attributes, not inline styles, which the
Content-Security-Policy forbids), so the chart fills a phone as well as a wide screen."""
from __future__ import annotations

from markupsafe import Markup, escape

BAR, GAP = 14, 2  # px: a bar's height, the space between the bars of a row
LONGEST = 85  # % of the row that the largest value's bar takes (the rest holds its figure)


def bar_chart(title: str, rows: list[tuple[str, list[tuple[str, float]]]], maximum: float | None = None) -> Markup:
    """Horizontal bars: rows of (label, [(series name, value), ...])."""
    top = maximum or max([v for _, values in rows for _, v in values] + [1])
    parts = [f'<figure class="chart" role="group" aria-label="{escape(title)}">'
             f'<figcaption class="chart-title">{escape(title)}</figcaption>']
    for label, values in rows:
        height = len(values) * (BAR + GAP)
        bars = []
        for series, (name, value) in enumerate(values):
            share = 0 if top == 0 else LONGEST * max(0.0, value) / top
            y = series * (BAR + GAP)
            bars.append(f'<rect x="0" y="{y}" width="{share:.1f}%" height="{BAR}" class="chart-bar chart-series-{series}">'
                        f'<title>{escape(name)}: {value:g}</title></rect>'
                        f'<text x="{share + 1:.1f}%" y="{y + BAR - 2}" class="chart-value">{value:g}</text>')
        parts.append(f'<div class="chart-row"><p class="chart-label">{escape(label)}</p>'
                     f'<svg class="chart-bars" width="100%" height="{height}" aria-hidden="true" '
                     f'xmlns="http://www.w3.org/2000/svg">{"".join(bars)}</svg></div>')
    legend = " · ".join(f'<span class="chart-key chart-key-{n}">{escape(name)}</span>'
                        for n, (name, _) in enumerate(rows[0][1] if rows else []))
    parts.append(f'<p class="chart-legend">{legend}</p></figure>')
    return Markup("".join(parts))
