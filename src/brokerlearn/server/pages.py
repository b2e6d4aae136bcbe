"""Rendering the server's own pages (account, dashboard) with the site's theme."""
from __future__ import annotations

from flask import render_template
from flask_wtf.csrf import generate_csrf

from brokerlearn import __version__


def page(template: str, title: str, status: int = 200, **context):
    context.update(root="/", static="/_static/", lang="en", catalog_url="/", title=title,
                   generator=f"brokerlearn {__version__}", csrf_token=generate_csrf())
    return render_template(template, **context), status
