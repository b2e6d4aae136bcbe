"""Build a course, serve it on 127.0.0.1 and drive it in Debian's headless Chromium."""
from pathlib import Path

import pytest

from brokerlearn.compiler.pipeline import build
from browser import AXE, browser, chromium_path, serve_dir

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_path() is None, reason="Debian's chromium is not installed (scripts/setup --test)"),
]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
HOSTILE_LESSON = """---
title: A lesson with hostile text
---

## Section

<script>window.__xss = "script tag"</script>
<img src="../../media/broken.png" alt="an image that does not decode" onerror="window.__xss = 'onerror'">
[click me](javascript:window.__xss='link')
<svg onload="window.__xss='svg'"></svg>
<iframe src="javascript:parent.__xss='iframe'"></iframe>
<a href="#" onclick="window.__xss='onclick'" id="evil">evil</a>
<details open ontoggle="window.__xss='toggle'"><summary>x</summary>y</details>

Plain text after the payloads.
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    import shutil
    root = tmp_path_factory.mktemp("e2e")
    course = root / "courses" / "example"
    shutil.copytree(Path(__file__).resolve().parents[1] / "courses" / "example", course)
    (course / "modules/02-working-together/02-hostile.md").write_text(HOSTILE_LESSON)
    (course / "media/broken.png").write_bytes(b"not a PNG: the browser fails to decode it")  # onerror would fire
    module = course / "modules/02-working-together/module.yml"
    module.write_text(module.read_text() + "lessons: [01-first-meeting, 02-hostile]\n")
    build(course.parent, root / "out", show_progress=False)
    with serve_dir(root / "out" / "site") as base, browser() as chromium:
        yield base, chromium


def test_no_script_from_lesson_text_runs(site):
    base, chromium = site
    page = chromium.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(base + "example/working-together/hostile/index.html")
    page.click("#evil") if page.locator("#evil").count() else None
    page.wait_for_timeout(300)
    assert page.evaluate("window.__xss") is None
    assert dialogs == []
    assert page.locator("text=Plain text after the payloads.").count() == 1
    page.close()


def test_lesson_page_navigation_and_screenshot(site):
    base, chromium = site
    ARTIFACTS.mkdir(exist_ok=True)
    for width in (360, 1280):
        page = chromium.new_page(viewport={"width": width, "height": 900})
        page.goto(base + "index.html")
        page.click("text=Example: a partner search in three steps")
        page.click("text=Start the course")
        assert page.locator("h1").inner_text() == "Writing a cooperation profile"
        page.screenshot(path=str(ARTIFACTS / f"lesson-{width}.png"), full_page=True)
        # No horizontal scrolling on a phone.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        page.click("a[rel=next]")
        assert page.locator("h1").inner_text() == "Assessing candidate partners"
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "skip-link"
        page.close()


@pytest.mark.skipif(not AXE.is_file(), reason="axe-core is not installed (npm ci)")
@pytest.mark.parametrize("path", [
    "index.html",
    "example/index.html",
    "example/finding-partners/index.html",
    "example/finding-partners/cooperation-profiles/index.html",
    "example/finding-partners/assessing-candidates/index.html",
    "example/working-together/first-meeting/index.html",
])
def test_axe_finds_no_wcag_violation(site, path):
    base, chromium = site
    page = chromium.new_page()
    page.goto(base + path)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => await axe.run(document, {runOnly: {type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa']}})""")
    violations = [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
    assert violations == [], violations
    assert len(result["passes"]) > 10  # axe really ran
    page.close()


def test_practice_question_wrong_then_right_with_feedback(site):
    base, chromium = site
    page = chromium.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(base + "example/finding-partners/cooperation-profiles/index.html")
    quiz = page.locator("section.quiz").first
    quiz.get_by_label("The offer").check()
    quiz.get_by_role("button", name="Check").click()
    assert quiz.locator(".verdict").inner_text() == "Not quite."  # the score once, below
    assert "Most firms start here" in quiz.locator(".option-feedback").first.inner_text()
    assert quiz.locator(".explanation").count() == 0  # held back after a wrong answer
    assert quiz.locator("[role=status]").inner_text() == "You scored 0 of 1 point."
    assert not quiz.get_by_role("button", name="Check").is_visible()
    quiz.get_by_role("button", name="Try again").click()
    assert quiz.locator(".question-feedback").inner_text() == ""
    quiz.get_by_label("The need").check()
    quiz.get_by_role("button", name="Check").click()
    assert quiz.locator(".verdict").inner_text() == "Correct."
    assert "Write the need first" in quiz.locator(".explanation").inner_text()
    assert "A clear need is what lets" in quiz.locator(".question-feedback, .option-feedback").all_inner_texts()[0] + \
        " ".join(quiz.locator(".option-feedback").all_inner_texts())
    numeric = page.locator("section.quiz").nth(1)
    numeric.get_by_label("Your answer").fill("4")
    numeric.get_by_role("button", name="Check").click()
    assert numeric.locator(".verdict").inner_text().startswith("Not quite.")
    numeric.get_by_role("button", name="Try again").click()
    numeric.get_by_label("Your answer").fill(" 3,0 ")
    numeric.get_by_role("button", name="Check").click()
    assert numeric.locator(".verdict").inner_text().startswith("Correct.")
    assert errors == []
    page.close()


def test_practice_quiz_is_keyboard_operable(site):
    base, chromium = site
    page = chromium.new_page()
    page.goto(base + "example/finding-partners/assessing-candidates/index.html")
    quiz = page.locator("section.quiz-practice")  # not the video's decision
    quiz.locator("input[type=radio]").first.focus()
    page.keyboard.press("ArrowDown")  # radio groups move with the arrow keys
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the Check button
    assert quiz.locator(".verdict").inner_text() == "Correct."  # its score is stated once, in the result
    page.close()


def test_graded_quiz_without_server_cannot_be_submitted(site):
    base, chromium = site
    page = chromium.new_page()
    page.goto(base + "example/working-together/first-meeting/index.html")
    quiz = page.locator("section.quiz-graded")
    assert "marked by the course server" in quiz.locator(".quiz-server-note").inner_text()
    assert quiz.get_by_role("button", name="Submit answers").is_disabled()
    assert quiz.locator(".quiz-retry").is_hidden()
    page.screenshot(path=str(ARTIFACTS / "graded-quiz.png"), full_page=True)
    page.close()
