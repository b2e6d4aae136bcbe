"""The theme renderer: fragments shared by many pages are rendered once per build."""
from __future__ import annotations

import re

from markupsafe import Markup

from brokerlearn.compiler.pipeline import build
from brokerlearn.compiler.theme import Theme


class CountingMacro:
    """A stand-in for a Jinja macro (which gives Markup) that counts how often it is rendered."""
    name = "counting"

    def __init__(self):
        self.calls = 0

    def __call__(self, value):
        self.calls += 1
        return Markup(f"<li>{value['title']}</li>")


def test_a_shared_fragment_is_rendered_once_per_object_until_the_next_build():
    theme, macro = Theme(), CountingMacro()
    shared, twin = {"title": "Module 1"}, {"title": "Module 1"}
    assert [theme._shared_fragment(macro, shared) for _ in range(3)] == ["<li>Module 1</li>"] * 3
    assert macro.calls == 1
    theme._shared_fragment(macro, twin)  # equal but another object: nothing says it stays equal
    assert macro.calls == 2
    theme.forget_fragments()
    theme._shared_fragment(macro, shared)
    assert macro.calls == 3


def test_a_list_of_shared_values_gives_their_fragments_joined_each_rendered_once():
    theme, macro = Theme(), CountingMacro()
    first, second = {"title": "<1>"}, {"title": "2"}
    assert theme._shared_fragment(macro, [first, second]) == "<li><1></li><li>2</li>"
    assert theme._shared_fragment(macro, [second]) == "<li>2</li>" and theme._shared_fragment(macro, []) == ""
    assert macro.calls == 2
    # a callable giving plain text is escaped, as the page would show it
    plain = type("Plain", (), {"name": "plain", "__call__": lambda self, value: value["title"]})()
    assert theme._shared_fragment(plain, [first, second]) == "&lt;1&gt;2"


LESSON_ID = re.compile(r'<body[^>]* data-lesson="([^"]+)"')
CURRENT = re.compile(r'<li data-lesson-item="([^"]+)"><a href="[^"]*" aria-current="page">')


def test_each_lesson_page_opens_its_module_and_marks_its_lesson_only(example_course, tmp_path):
    """The outline's other modules come from one rendering shared by all lesson pages."""
    build(example_course.parent, tmp_path / "out", show_progress=False)
    pages = [p for p in (tmp_path / "out" / "site").rglob("index.html") if 'class="outline-modules"' in p.read_text()]
    assert len(pages) >= 3
    for page in pages:
        html = page.read_text(encoding="utf-8")
        lesson = LESSON_ID.search(html).group(1)
        assert CURRENT.findall(html) == [lesson], page
        outline = html[html.index('class="outline-modules"'):]
        assert outline.count("<details open>") == 1, page
        module_start = outline.index(f'data-lesson-item="{lesson}"')
        assert outline.rfind("<details open>", 0, module_start) > outline.rfind("<details>", 0, module_start), page


def test_each_page_is_rendered_in_its_own_language_whatever_came_before(tmp_path):
    """The translations and globals are set up once per language, not per page: a page after
    one in another language must still get its own."""
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "words.html").write_text('{{ _("Previous") }} {{ js_messages | length > 0 }}')
    theme = Theme(tmp_path)
    pages = [theme.render("words.html", {"lang": lang}) for lang in ("en", "de", "de", "en", "de")]
    assert pages == ["Previous False", "Zurück True", "Zurück True", "Previous False", "Zurück True"]
