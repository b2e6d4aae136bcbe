"""Interface languages: the catalogs are complete and current, a German course is built with a
German interface (pages and scripts), and the server speaks the learner's language, which can
be switched."""
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from brokerlearn import i18n
from brokerlearn.compiler.pipeline import build
from browser import browser, chromium_path, serve_dir

REPO = Path(__file__).resolve().parents[1]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+\}")


def catalog(lang: str):
    with open(i18n.LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=lang)


def test_every_catalog_is_complete():
    for lang in i18n.LANGUAGES:
        if lang == "en":
            continue  # the source language
        problems = []
        for message in catalog(lang):
            if not message.id:
                continue
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if message.fuzzy or not all(strings):
                problems.append(("untranslated", ids[0]))
                continue
            wanted = set(PLACEHOLDER.findall(ids[0])) | set(PLACEHOLDER.findall(ids[-1]))
            for text in strings:
                missing = {p for p in wanted if p not in text and not (p == "%(num)d" and len(ids) > 1)}
                if missing:
                    problems.append(("placeholder", ids[0], missing))
        assert problems == [], f"{lang}: {problems[:10]}"


def test_catalogs_hold_every_interface_string(tmp_path):
    """Run the extraction again: no word of the interface may be missing from the catalogs."""
    pot = tmp_path / "messages.pot"
    subprocess.run([str(REPO / ".venv/bin/pybabel"), "extract", "-F", "babel.cfg", "-k", "_", "-k", "gettext",
                    "-k", "ngettext:1,2", "-k", "t", "-k", "N_", "-o", str(pot), "."], cwd=REPO, check=True, capture_output=True)
    with open(pot, "rb") as handle:
        current = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    known = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog("de") if m.id}
    assert current - known == set(), "run scripts/i18n and translate the new words"


@pytest.fixture(scope="module")
def german_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("de")
    course = root / "courses" / "beispiel"
    shutil.copytree(REPO / "courses" / "example", course)
    text = (course / "course.yml").read_text().replace("id: example", "id: beispiel").replace("language: en", "language: de")
    (course / "course.yml").write_text(text)
    build(course.parent, root / "out", show_progress=False)
    return root / "out" / "site"


def test_a_german_course_gets_a_german_interface(german_site):
    de = i18n.translations("de").gettext
    course = (german_site / "beispiel/index.html").read_text()
    assert de("Start the course") != "Start the course" and de("Start the course") in course
    assert de("Modules") in course and ">Modules<" not in course
    lesson = (german_site / "beispiel/finding-partners/assessing-candidates/index.html").read_text()
    assert de("Mark this lesson as complete") in lesson and de("Transcript") in lesson
    assert '<html lang="de"' in lesson
    messages = re.search(r'<script type="application/json" id="bl-messages">(.*?)</script>', lesson).group(1)
    assert __import__("json").loads(messages)["Choose an answer."] == de("Choose an answer.")  # the scripts' words


@pytest.mark.browser
@pytest.mark.skipif(chromium_path() is None, reason="Debian's chromium is not installed")
def test_the_scripts_speak_german_too(german_site):
    de = i18n.translations("de").gettext
    with serve_dir(german_site) as base, browser() as chromium:
        page = chromium.new_page()
        page.goto(base + "beispiel/finding-partners/assessing-candidates/index.html")
        quiz = page.locator("section.quiz-practice").first
        quiz.locator("button[type=submit]").click()
        quiz.locator(".question-feedback").first.filter(has_text=de("Choose an answer.")).wait_for()


def test_the_server_follows_the_browser_and_the_switch(app, visitor):
    de = i18n.translations("de").gettext
    guest = visitor()
    english = guest.client.get("/account/login").get_data(as_text=True)
    assert "Sign in" in english
    german = guest.client.get("/account/login", headers={"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"})
    assert de("Sign in") in german.get_data(as_text=True) and '<html lang="de"' in german.get_data(as_text=True)
    response = guest.form("/account/language", {"lang": "de", "next": "/account/login"}, page="/account/login")
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/login")
    assert de("Create an account") in guest.client.get("/account/register").get_data(as_text=True)
    guest.form("/account/language", {"lang": "en", "next": "/"}, page="/account/login")
    assert "Create an account" in guest.client.get("/account/register").get_data(as_text=True)
    assert guest.form("/account/language", {"lang": "de", "next": "/"}, csrf=False).status_code == 400
    newcomer = visitor()  # no choice made: the browser's language decides, for messages from Python too
    error = newcomer.form("/account/register", {"email": "nope", "password": "x"}, page="/account/register",
                          headers={"Accept-Language": "de"})
    assert de("Enter an e-mail address such as name@agency.org.") in error.get_data(as_text=True)
