"""Interface languages: gettext catalogs (Babel) for the site's and the server's own words.

Catalogs live in brokerlearn/locale/<lang>/LC_MESSAGES/messages.po and are compiled in memory
when first used, so the repository holds only the .po files people edit. English is the
source language. The words of course content are the authors' and are not translated here.
"""
from __future__ import annotations

import functools
import hashlib
import io
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = {"en": "English", "de": "Deutsch"}
DEFAULT = "en"


def base_language(tag: str | None) -> str:
    """'de-AT' -> 'de'; a language without a catalog falls back to English."""
    code = (tag or DEFAULT).split("-")[0].split("_")[0].lower()
    return code if code in LANGUAGES else DEFAULT


@functools.lru_cache(maxsize=None)
def _catalog(lang: str):
    path = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    if not path.is_file():
        return None
    with open(path, "rb") as handle:
        return read_po(handle, locale=lang)


@functools.lru_cache(maxsize=None)
def translations(lang: str | None) -> NullTranslations:
    catalog = _catalog(base_language(lang))
    if catalog is None:
        return NullTranslations()
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


@functools.lru_cache(maxsize=None)
def js_messages(lang: str | None) -> dict[str, str]:
    """The translations of the strings the site's scripts show: those found in .js files, and
    the browser graders' words, which the question types mark in brokerlearn/course/questions/."""
    catalog = _catalog(base_language(lang))
    if catalog is None:
        return {}
    return {m.id: m.string for m in catalog if m.id and m.string and isinstance(m.id, str)
            and any(_in_script(str(location)) for location, _ in m.locations)}


def _in_script(location: str) -> bool:
    return location.endswith(".js") or "brokerlearn/course/questions/" in location


@functools.lru_cache(maxsize=1)
def fingerprint() -> str:
    digest = hashlib.sha256()
    for path in sorted(LOCALE_DIR.rglob("*.po")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def negotiate(accept_language: str | None) -> str:
    """The best of our languages for an Accept-Language header."""
    best, weight = DEFAULT, -1.0
    for part in (accept_language or "").split(","):
        tag, _, q = part.strip().partition(";q=")
        try:
            quality = float(q) if q else 1.0
        except ValueError:
            continue
        code = tag.split("-")[0].lower()
        if code in LANGUAGES and quality > weight:
            best, weight = code, quality
    return best
