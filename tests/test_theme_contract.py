"""The theme contract: every template has a documented context, the templates use only what
their context declares, and docs/themes.md says exactly what the contexts hold."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from jinja2 import Environment, FileSystemLoader, meta, nodes

from brokerlearn.authoring import themeref
from brokerlearn.compiler import contexts as site
from brokerlearn.compiler.pages import trail
from brokerlearn.paths import default_theme_dir
from brokerlearn.server import contexts as server

DOCS = Path(__file__).resolve().parents[1] / "docs"
TEMPLATES = default_theme_dir() / "templates"
# What Jinja, the i18n extension and Flask (flask-login, flask-wtf) give every server template.
JINJA = {"_", "gettext", "ngettext", "range", "dict", "lipsum", "cycler", "joiner", "namespace"}
FLASK = {"current_user", "csrf_token", "get_flashed_messages", "request", "g", "session", "config", "url_for"}


def _names(cls) -> set[str]:
    return {f.name for f in dataclasses.fields(cls)}


def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), extensions=["jinja2.ext.i18n"])
    env.filters.update(points=str, longdate=str)  # the server's filters
    return env


def used_variables(name: str, env: Environment, follow_parent: bool = False) -> set[str]:
    """Variables `name` reads from its context, with what it includes and imports (and, with
    `follow_parent`, the templates it extends)."""
    source = env.loader.get_source(env, name)[0]
    tree = env.parse(source)
    parent = {node.template.value for node in tree.find_all(nodes.Extends)}
    used = set(meta.find_undeclared_variables(tree)) - _defined(tree)
    for other in meta.find_referenced_templates(tree):
        if other is not None and (follow_parent or other not in parent):
            used |= used_variables(other, env, follow_parent)
    return used


def _defined(tree) -> set[str]:
    """Names the template gives itself: imported and defined macros, `set` variables."""
    names = {node.name for node in tree.find_all(nodes.Macro)}
    names |= {name if isinstance(name, str) else name[1] for node in tree.find_all(nodes.FromImport)
              for name in node.names}
    names |= {node.target for node in tree.find_all(nodes.Import)}
    names |= {n.name for node in tree.find_all((nodes.Assign, nodes.AssignBlock))
              for n in node.target.find_all(nodes.Name)} | {
        node.target.name for node in tree.find_all((nodes.Assign, nodes.AssignBlock)) if isinstance(node.target, nodes.Name)}
    return names


def test_themes_doc_matches_the_contexts():
    text = (DOCS / "themes.md").read_text(encoding="utf-8")
    assert themeref.replace_generated(text) == text, "run: python -m brokerlearn.authoring.themeref docs/themes.md"


def test_the_authoring_guide_links_the_theme_reference():
    assert "(themes.md)" in (DOCS / "authoring.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("module", [site, server])
def test_every_field_of_every_context_has_a_docstring(module):
    classes = [cls for cls in vars(module).values() if dataclasses.is_dataclass(cls)]
    assert len(classes) > 10
    for cls in classes:
        docs = themeref.field_docs(cls)
        assert cls.__doc__ and all(docs.get(name) for name in _names(cls)), cls.__name__


def test_every_template_of_the_default_theme_has_a_context():
    on_disk = {p.relative_to(TEMPLATES).as_posix() for p in TEMPLATES.rglob("*.html")}
    pages = {name for name in on_disk if not Path(name).name.startswith("_") and not name.startswith("questions/")}
    pages.remove("base.html")  # the frame of every page
    assert pages == set(themeref.templates())


@pytest.mark.parametrize("cls", site.PAGES, ids=lambda cls: cls.TEMPLATE)
def test_a_static_page_template_uses_only_its_context(cls):
    allowed = _names(cls) | _names(site.ThemeGlobals) | JINJA
    assert used_variables(cls.TEMPLATE, _env()) - allowed == set()


@pytest.mark.parametrize("cls", server.PAGES, ids=lambda cls: cls.TEMPLATE)
def test_a_server_page_template_uses_only_its_context(cls):
    """Flask renders without StrictUndefined: a misspelt variable would be empty, not an error,
    so the check is here. Extended layouts count too (the admin menu reads `nav_courses`)."""
    env = _env()
    allowed = _names(cls) | _names(server.ServerGlobals) | JINJA | FLASK
    used = used_variables(cls.TEMPLATE, env, follow_parent=True) - used_variables("base.html", env)
    assert used - allowed == set()


def test_base_html_reads_the_globals_and_the_optional_course_parts_only():
    optional = {"course", "breadcrumbs", "jsonld"}  # on some pages, tested with `is defined`
    allowed = _names(site.SitePage) | _names(site.ThemeGlobals) | _names(server.ServerGlobals) | optional
    assert used_variables("base.html", _env()) - allowed - JINJA - FLASK == set()
    assert optional <= _names(site.LessonPage)


def test_a_trail_starts_at_the_catalog_and_links_relative_to_the_page():
    crumbs = trail("c/m/l/index.html", "de", ("The course", "c/index.html"), ("A module", "c/m/index.html"))
    assert crumbs == [site.Link("Kurse", "../../../index.html"), site.Link("The course", "../../index.html"),
                      site.Link("A module", "../index.html")]


def test_the_breadcrumb_macro_shows_the_trail_then_the_page():
    from brokerlearn import i18n
    from brokerlearn.compiler.theme import Theme
    env = Theme().env
    env.install_gettext_translations(i18n.translations("en"), newstyle=True)
    html = env.from_string('{% from "_macros.html" import breadcrumb_trail %}{{ breadcrumb_trail(crumbs, "Here") }}'
                           ).render(crumbs=[site.to_template(link) for link in trail("c/index.html", "en")])
    assert '<li><a href="../index.html">Courses</a></li>' in html
    assert html.index("Courses") < html.index('<li aria-current="page">Here</li>')


def test_the_context_processor_gives_every_server_template_the_globals(app):
    from flask import render_template_string
    with app.test_request_context("/x?y=1"):
        text = render_template_string("{{ root }} {{ static }} {{ lang }} {{ here }} {{ languages|length }}")
    assert text == "/ /_static/ en /x?y=1 2"


ADMIN_PAGES = {"/admin/": "Administration", "/admin/learners": "Learners", "/admin/audit": "Audit trail",
               "/admin/learners/1": "boss@agency.org", "/admin/groups": "Groups",
               "/admin/groups/1": "Office North", "/admin/import": "Enrol staff from a CSV file",
               "/admin/courses/example": "learners and questions", "/admin/certificates": "Certificates"}


def test_every_admin_page_has_one_heading_then_the_admin_menu_from_the_layout(admin):
    for path, heading in ADMIN_PAGES.items():
        html = admin.client.get(path).get_data(as_text=True)
        assert html.count("<h1>") == 1 and html.count('class="admin-nav"') == 1, path
        assert heading in html[html.index("<h1>"):html.index("</h1>")], path
        assert html.index("</h1>") < html.index('class="admin-nav"') and 'class="page-admin"' in html, path
    home = admin.client.get("/admin/").get_data(as_text=True)
    assert '<a href="/admin/courses/example">' in home  # the home links every course report


def test_the_course_report_is_a_server_page_not_the_course_licence_page(admin):
    """It was given the raw manifest as `course`: base.html then printed an empty licence link."""
    html = admin.client.get("/admin/courses/example").get_data(as_text=True)
    assert 'href=""' not in html and "license-notice" not in html and "data-course" not in html


@pytest.mark.parametrize("path", ["/account/login", "/account/register", "/account/reset"])
def test_account_pages_take_their_heading_from_the_layout(visitor, path):
    html = visitor().client.get(path).get_data(as_text=True)
    title = html[html.index("<title>") + 7:html.index("</title>")]
    assert html.count("<h1>") == 1 and f"<h1>{title}</h1>" in html and 'class="page-account"' in html
