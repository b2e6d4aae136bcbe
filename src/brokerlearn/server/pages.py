"""Rendering the server's own pages (account, dashboard) with the site's theme."""
from __future__ import annotations

from flask import render_template

from brokerlearn import __version__


def page(template: str, title: str, status: int = 200, **context):
    context.update(root="/", static="/_static/", lang="en", catalog_url="/", title=title,
                   generator=f"brokerlearn {__version__}")
    return render_template(template, **context), status


def points(value) -> str:
    """7.0 -> '7', 2.5 -> '2.5', 1.3333 -> '1.33': scores as people write them."""
    text = f"{float(value):.2f}".rstrip("0").rstrip(".")
    return text or "0"
