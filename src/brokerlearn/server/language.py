"""The interface language of a server page: the learner's choice (a cookie set by the switch in
the footer), else the browser's Accept-Language, else English."""
from __future__ import annotations

from flask import Blueprint, Flask, g, has_request_context, redirect, request

from brokerlearn import i18n
from brokerlearn.server.security import same_site_path

COOKIE = "brokerlearn_lang"
bp = Blueprint("language", __name__)


def current() -> str:
    if not has_request_context():  # the command line: English
        return i18n.DEFAULT
    lang = g.get("lang")
    if lang is None:
        chosen = request.cookies.get(COOKIE) if request else None
        lang = chosen if chosen in i18n.LANGUAGES else i18n.negotiate(request.headers.get("Accept-Language"))
        g.lang = lang
    return lang


def gettext(message: str, **values) -> str:
    text = i18n.translations(current()).gettext(message)
    return text % values if values else text


@bp.post("/account/language")
def switch():
    """Remember the chosen language (CSRF-protected like every form) and go back."""
    lang = request.form.get("lang")
    response = redirect(same_site_path(request.form.get("next"), "/"))
    if lang in i18n.LANGUAGES:
        response.set_cookie(COOKIE, lang, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response


def long_date(moment) -> str:
    """'23 November 2026' / '23. November 2026', in the interface language."""
    from babel.dates import format_date
    lang = current()
    return format_date(moment, format="long", locale="en_GB" if lang == "en" else lang)


def init_app(app: Flask) -> None:
    app.jinja_env.filters["longdate"] = long_date
    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.jinja_env.install_gettext_callables(
        gettext=lambda message: i18n.translations(current()).gettext(message),
        ngettext=lambda singular, plural, n: i18n.translations(current()).ngettext(singular, plural, n),
        newstyle=True)
    app.register_blueprint(bp)
