"""Rendering the server's own pages (account, dashboard) with the site's theme."""
from __future__ import annotations

from flask import render_template

from brokerlearn import __version__


def page(template: str, title: str, status: int = 200, **context):
    from flask import request

    from brokerlearn import i18n
    from brokerlearn.server.language import current
    lang = current()
    context.update(root="/", static="/_static/", lang=lang, catalog_url="/", title=title,
                   js_messages=i18n.js_messages(lang), languages=i18n.LANGUAGES, here=request.full_path.rstrip("?"),
                   generator=f"brokerlearn {__version__}")
    return render_template(template, **context), status


def points(value) -> str:
    """7.0 -> '7', 2.5 -> '2.5', 1.3333 -> '1.33': scores as people write them."""
    text = f"{float(value):.2f}".rstrip("0").rstrip(".")
    return text or "0"
