"""The catalog and the study time (issue 16, item 2): authors order the catalog and hide a course
from it (course.yml's `catalog`, checked with file:line); cards carry a short summary; study time
comes from one function (lessons and quiz questions) and reads the same, plural-safe, in minutes
or hours, on every page."""
import dataclasses
import re
from pathlib import Path

import pytest

from brokerlearn.compiler.pages import catalog_page, course_page
from brokerlearn.compiler.theme import Theme
from brokerlearn.course.loader import load_course
from brokerlearn.course.model import CatalogListing, study_minutes
from brokerlearn.errors import Diagnostics

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def example():
    diags = Diagnostics()
    course = load_course(REPO / "courses" / "example", diags)
    assert not diags.errors
    return course


def _variant(course, id_, title, minutes=None, **catalog):
    copy = dataclasses.replace(course, id=id_, title=title, catalog=CatalogListing(**catalog))
    if minutes is not None:  # one module declaring the whole time
        copy.modules = [dataclasses.replace(course.modules[0], minutes_declared=minutes)]
    return copy


def _rendered_catalog(courses) -> str:
    page = catalog_page(courses)
    return Theme().render(page.template, page.get_context())


def _card_titles(html: str) -> list[str]:
    return re.findall(r'<h2><a href="[^"]+">([^<]+)</a></h2>', html)


def test_the_catalog_follows_the_authors_order_and_leaves_hidden_courses_out(example):
    courses = [_variant(example, "zeta", "Zeta"), _variant(example, "beta", "Beta", order=2),
               _variant(example, "alpha", "Alpha"), _variant(example, "first", "First", order=1),
               _variant(example, "secret", "Secret", order=0, hidden=True)]
    html = _rendered_catalog(courses)
    assert _card_titles(html) == ["First", "Beta", "Alpha", "Zeta"]  # ordered, then by title
    assert "Secret" not in html


def test_the_bundled_flagship_comes_before_the_example():
    diags = Diagnostics()
    courses = [load_course(REPO / "courses" / name, diags) for name in ("example", "online-collaboration")]
    assert _card_titles(_rendered_catalog(courses)) == [
        "Assistance to Online Collaboration for Innovation", "Example: a partner search in three steps"]


def test_a_card_shows_a_short_summary_and_each_licence_sentence_apart(example):
    html = _rendered_catalog([example, _variant(example, "b", "B", summary="Short *and* sweet.")])
    assert "A short example course for authors." in html
    assert "every construct" not in html  # only the first sentence of the long summary
    assert "Short <em>and</em> sweet." in html
    notices = re.findall(r'<p class="license-notice">(.*?)</p>', html, re.S)
    assert len(notices) == 2 and all(n.strip().endswith(".") for n in notices)


@pytest.mark.parametrize("minutes, words", [(1, "about 1 minute"), (45, "about 45 minutes"),
                                             (99, "about 99 minutes"), (541, "about 9 hours"),
                                             (100, "about 2 hours"), (89 * 60, "about 89 hours")])
def test_study_time_is_said_in_minutes_or_hours_and_plural_safe(example, minutes, words):
    html = _rendered_catalog([_variant(example, "one", "One", minutes=minutes)])
    assert f"· {words} ·" in html


def test_study_time_comes_from_lessons_and_quiz_questions(example):
    module = example.modules[1]  # one lesson and a graded quiz of 7 questions
    assert module.minutes == study_minutes(module.lessons, module.quizzes) == (
        sum(lesson.minutes for lesson in module.lessons) + 2 * 7)
    page = course_page(example)
    html = Theme().render(page.template, page.get_context())
    assert f"about {example.minutes} minutes" in html  # the course home says what the catalog says
    assert f"about {example.minutes} minutes" in _rendered_catalog([example])


def test_the_flagship_study_time_agrees_with_its_own_summary():
    course = load_course(REPO / "courses" / "online-collaboration", Diagnostics())
    assert "18 to 19 hours" in course.summary  # with the portfolio, annex, new lessons and videos (issue 21); was 12 to 15
    assert 18 * 60 <= course.minutes <= 19 * 60


def test_catalog_keys_are_checked_with_file_and_line(tmp_path):
    import shutil
    course = tmp_path / "example"
    shutil.copytree(REPO / "courses" / "example", course, ignore=shutil.ignore_patterns("*.mp4"))
    text = (course / "course.yml").read_text().split("catalog:")[0]
    (course / "course.yml").write_text(text + "catalog:\n  order: first\n  hiden: true\n")
    diags = Diagnostics()
    load_course(course, diags)
    messages = [f"{d.line}: {d.message}" for d in diags.errors]
    lines = text.count("\n")
    assert f"{lines + 2}: 'order' must be a whole number, not text" in messages
    assert any(m.startswith(f"{lines + 3}: unknown key 'hiden' in catalog (did you mean 'hidden'?)") for m in messages)
