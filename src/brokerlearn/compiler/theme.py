"""Themes: Jinja2 templates and static files, a custom theme falling back to the default."""
from __future__ import annotations

import hashlib
from pathlib import Path

from jinja2 import (ChoiceLoader, Environment, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined,
                    TemplateError, TemplateSyntaxError, select_autoescape)
from jinja2.ext import i18n as i18n_extension  # with the module: a build need not import it
from markupsafe import Markup, escape

from brokerlearn import __version__, i18n
from brokerlearn.compiler.contexts import ThemeGlobals, to_template
from brokerlearn.errors import UsageError
from brokerlearn.paths import default_theme_dir


class Theme:
    def __init__(self, custom: Path | None = None, compiled_dir: Path | None = None):
        """`compiled_dir`: where the templates compiled by an earlier build are kept (the build
        cache's): compiling them again took about a third of a one-lesson rebuild. Jinja checks
        each against its template's source, and writes it atomically."""
        self.dirs = [d for d in (custom, default_theme_dir()) if d is not None]
        if custom is not None and not custom.is_dir():
            raise UsageError(f"theme folder '{custom}' does not exist")
        loaders = [FileSystemLoader(str(d / "templates")) for d in self.dirs]
        # auto_reload off: a Theme is kept across builds only while its templates' fingerprint
        # holds (pipeline._theme), and checking each template's mtime on every page cost 2%.
        self.env = Environment(loader=ChoiceLoader(loaders), autoescape=select_autoescape(default=True),
                               undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, auto_reload=False,
                               extensions=[i18n_extension], bytecode_cache=_compiled_cache(compiled_dir))
        self.env.policies["ext.i18n.trimmed"] = True
        # A global, not only a context variable: macros imported without context see globals alone.
        self.env.globals["shared_fragment"] = self._shared_fragment
        self._fragments: dict[tuple, tuple[object, str]] = {}
        self._lang = "en"
        self._installed: str | None = None  # the language whose translations the environment has
        self._globals: dict[str, dict] = {}  # lang -> ThemeGlobals as template values
        self.fingerprint = self._fingerprint()

    def forget_fragments(self) -> None:
        """Drop the fragments of an earlier build (the objects they were rendered from with them)."""
        self._fragments.clear()

    def _shared_fragment(self, macro, value):
        """`macro(value)`, rendered once for a value that many pages of a build share as the same
        object (a lesson page's outline modules that are not open: at 2,000 lessons, rendering
        them on every page was most of the build). Keyed by the object's identity; the value is
        kept with its HTML, so the identity cannot pass to another object while it is cached.

        A list gives its values' fragments joined: a lesson page's closed modules before and
        after its own in one call, not one template call each (a fifth of the page stage)."""
        if type(value) is list:
            return Markup("".join([self._fragment(macro, item) for item in value]))
        return self._fragment(macro, value)

    def _fragment(self, macro, value) -> Markup:
        key = (macro.name, id(value), self._lang)
        cached = self._fragments.get(key)
        if cached is None or cached[0] is not value:
            cached = self._fragments[key] = (value, escape(macro(value)))  # as the page would show it
        return cached[1]

    def render(self, template: str, context: dict) -> str:
        """Render in the interface language of the context's `lang` (the course's language)."""
        lang = self._lang = context.get("lang", "en")
        if lang != self._installed:  # once per language, not on every page
            self.env.install_gettext_translations(i18n.translations(lang), newstyle=True)
            self._installed = lang
        context = {**context, **self._theme_globals(lang)}
        try:
            return self.env.get_template(template).render(**context)
        except TemplateError as exc:  # a theme's mistake, reported without a traceback
            where = f"{exc.filename}:{exc.lineno}: " if isinstance(exc, TemplateSyntaxError) else ""
            raise UsageError(f"{where}theme template '{template}' failed: {exc}") from None

    def _theme_globals(self, lang: str) -> dict:
        values = self._globals.get(lang)
        if values is None:
            values = self._globals[lang] = to_template(ThemeGlobals(js_messages=i18n.js_messages(lang),
                                                                    shared_fragment=self._shared_fragment))
        return values

    def static_files(self) -> dict[str, Path]:
        """Relative path -> file; a custom theme's file replaces the default's."""
        files: dict[str, Path] = {}
        for theme_dir in reversed(self.dirs):
            static = theme_dir / "static"
            if static.is_dir():
                for path in sorted(static.rglob("*")):
                    if path.is_file():
                        files[path.relative_to(static).as_posix()] = path.resolve()  # copies never follow links
        return files

    def _fingerprint(self) -> str:
        digest = hashlib.sha256((__version__ + i18n.fingerprint()).encode())
        for theme_dir in self.dirs:
            for path in sorted((theme_dir / "templates").rglob("*")):
                if path.is_file():
                    digest.update(path.as_posix().encode())
                    digest.update(path.read_bytes())
        return digest.hexdigest()


def _compiled_cache(folder: Path | None) -> FileSystemBytecodeCache | None:
    return None if folder is None else _CompiledTemplates(folder)


class _CompiledTemplates(FileSystemBytecodeCache):
    """Jinja's cache of compiled templates in a folder, which never fails a build: the folder is
    made when first written (a discarded build cache takes it away), and a file that cannot be
    read or written is compiled again (Jinja discards one of another version or source itself)."""

    def __init__(self, folder: Path):
        super().__init__(str(folder))
        self.folder = folder

    def load_bytecode(self, bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except OSError:
            pass

    def dump_bytecode(self, bucket) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            super().dump_bytecode(bucket)
        except OSError:
            pass
