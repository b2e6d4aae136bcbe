"""Rendering the server's own pages (account, dashboard, admin) with the site's theme.

A view returns `render(SomePage(...))`, a context of `contexts.py`; what every template needs
besides (`contexts.ServerGlobals`) comes from the context processor `init_app` installs.
"""
from __future__ import annotations

import dataclasses

from flask import Flask, render_template

from brokerlearn import __version__
from brokerlearn.server.contexts import ServerGlobals


def template_vars(context) -> dict:
    """The template variables of a context: its fields as they are (accounts stay objects)."""
    return {f.name: getattr(context, f.name) for f in dataclasses.fields(context)}


def render(context, status: int = 200):
    """The page of `context` (its class names the template) and the HTTP status."""
    return render_template(context.TEMPLATE, **template_vars(context)), status


def server_globals() -> dict:
    """The context processor: `ServerGlobals` for every template, in the learner's language."""
    from flask import request

    from brokerlearn import i18n
    from brokerlearn.server.language import current
    lang = current()
    return template_vars(ServerGlobals(
        root="/", static="/_static/", lang=lang, catalog_url="/", generator=f"brokerlearn {__version__}",
        js_messages=i18n.js_messages(lang), languages=i18n.LANGUAGES, here=request.full_path.rstrip("?")))


def init_app(app: Flask) -> None:
    app.context_processor(server_globals)
    app.jinja_env.filters["points"] = points


def points(value) -> str:
    """7.0 -> '7', 2.5 -> '2.5', 1.3333 -> '1.33': scores as people write them."""
    text = f"{float(value):.2f}".rstrip("0").rstrip(".")
    return text or "0"
