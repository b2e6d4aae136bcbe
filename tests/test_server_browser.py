"""A learner's whole visit in headless Chromium against `brokerlearn serve`'s application under
waitress: progress kept in the browser before signing up, registration, reading, marking a lesson
complete, a graded quiz, the dashboard. Screenshots go to tests/artifacts/."""
import json
from pathlib import Path

import pytest

from browser import AXE, browser, chromium_path
from server_fixtures import register_in_browser

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_path() is None, reason="Debian's chromium is not installed (scripts/setup --test)"),
]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
LESSON_A = "example/finding-partners/cooperation-profiles/"
LESSON_B = "example/finding-partners/assessing-candidates/"
QUIZ_LESSON = "example/working-together/first-meeting/"


def _no_axe_violations(page, url):
    """axe is injected as an inline script, which the server's CSP rightly blocks: check in a
    second context with the same cookies that bypasses CSP, for this check only."""
    context = page.context.browser.new_context(bypass_csp=True, storage_state=page.context.storage_state())
    page = context.new_page()
    page.goto(url)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {runOnly: ['wcag2a', 'wcag2aa']})")
    assert [(v["id"], [n["target"] for n in v["nodes"]]) for v in result["violations"]] == []
    context.close()


def test_learner_registers_reads_completes_takes_quiz_and_sees_dashboard(served, built_example):
    ARTIFACTS.mkdir(exist_ok=True)
    manifest = json.loads((built_example / "server" / "example.json").read_text())
    with browser() as chromium:
        page = chromium.new_page(viewport={"width": 1200, "height": 900})
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

        # Before signing up: a lesson marked complete is kept in the browser.
        page.goto(served + LESSON_B)
        page.wait_for_selector(".site-user >> text=Sign in")
        page.click("[data-lesson-complete] button")
        page.wait_for_selector("text=Kept in this browser")

        register_in_browser(page, served, "ana@agency.org", "Ana Novak")

        # Reading a lesson: the header knows the learner; the lesson is marked complete.
        page.goto(served + LESSON_A)
        page.wait_for_selector(".site-user >> text=Ana Novak")  # the user menu's button
        button = page.locator("[data-lesson-complete] button")
        button.wait_for()
        assert button.get_attribute("aria-pressed") == "false"
        button.click()
        page.wait_for_selector("[data-lesson-complete] >> text=Saved.")
        assert button.get_attribute("aria-pressed") == "true"
        page.screenshot(path=str(ARTIFACTS / "server-lesson-completed.png"), full_page=True)

        # The module page shows progress bars: the lesson marked before signing up was merged.
        page.goto(served + "example/finding-partners/")
        line = page.locator("[data-module-progress]")
        line.wait_for(state="visible")
        assert "2 of 2 lessons completed" in line.inner_text()
        assert page.locator("[data-module-progress] progress").get_attribute("value") == "2"
        assert page.locator("[data-lesson-item] .done-mark:visible").count() == 2
        page.goto(served + "example/")
        page.locator("[data-course-progress]").wait_for(state="visible")
        assert "2 of 3 lessons completed" in page.locator("[data-course-progress]").inner_text()
        page.screenshot(path=str(ARTIFACTS / "server-course-progress.png"), full_page=True)

        # The graded quiz: answered in the page, marked by the server.
        page.goto(served + QUIZ_LESSON)
        quiz = page.locator("section.quiz[data-graded]")
        quiz.locator("[data-needs-server]").filter(has_text="Attempts used: 0 of 3").wait_for()
        submit = quiz.locator("button[type=submit]")
        # A locator, not wait_for_function: the server's CSP (rightly) forbids the eval that polling uses.
        quiz.locator("button[type=submit]:not([disabled])").wait_for()
        questions = {q["id"]: q for q in manifest["quizzes"]["m2-assessment"]["questions"]}
        quiz.locator("fieldset[data-question=q1] input[value=true]").check()
        for option in questions["q2"]["options"]:
            if option["correct"]:
                quiz.locator(f"fieldset[data-question=q2] input[value={option['id']}]").check()
        quiz.locator("fieldset[data-question=q3] input.answer").fill("25")
        quiz.locator("fieldset[data-question=q4] input.answer").fill("capacity")
        for position, item in enumerate(questions["q5"]["items"], start=1):
            quiz.locator(f"fieldset[data-question=q5] select[data-item={item['id']}]").select_option(str(position))
        for pair in questions["q6"]["pairs"]:
            quiz.locator(f"fieldset[data-question=q6] select[data-left={pair['left_id']}]").select_option(pair["right_id"])
        submit.click()
        result = quiz.locator(".quiz-result")
        result.filter(has_text="You scored").wait_for()
        assert "You scored 7 of 7 points: passed." in result.inner_text()
        assert "Correct. 1 of 1 point." in quiz.locator("fieldset[data-question=q1] .question-feedback").inner_text()
        assert quiz.locator("[data-needs-server]").inner_text() == "Attempts used: 1 of 3."
        assert "Without a date the contact usually fades." in quiz.inner_text()  # explanations after a pass
        page.screenshot(path=str(ARTIFACTS / "server-graded-quiz.png"), full_page=True)

        page.goto(served + "dashboard")
        text = page.locator("main").inner_text()
        assert "2 of 3 lessons completed" in text
        assert "7 of 7" in text and "passed" in text
        assert "Continue: The first meeting" in text or "Continue:" in text
        assert "Still missing:" in text and "Lessons: 2 of 3 marked as complete, 3 needed." in text
        page.screenshot(path=str(ARTIFACTS / "server-dashboard.png"), full_page=True)
        _no_axe_violations(page, served + "dashboard")

        # The last lesson completed: the certificate can be claimed, with a name in any script.
        page.goto(served + QUIZ_LESSON)
        page.click("[data-lesson-complete] button")
        page.wait_for_selector("[data-lesson-complete] >> text=Saved.")
        page.goto(served + "dashboard")
        page.fill("input[name=name]", "Ana Nováková")
        page.click("button:has-text('Claim the certificate')")
        page.wait_for_selector(".verdict-good")
        assert "Valid." in page.locator(".verdict").inner_text()
        assert "Ana Nováková" in page.locator("main").inner_text()
        page.screenshot(path=str(ARTIFACTS / "server-certificate.png"), full_page=True)
        _no_axe_violations(page, page.url)
        _no_axe_violations(page, served + "account/settings")

        page.goto(served + "account/settings")
        page.click("main button:has-text('Sign out')")  # the settings page's (the user menu has one too)
        page.wait_for_url(served)
        page.goto(served + LESSON_A)
        page.wait_for_selector(".site-user >> text=Sign in")
        assert errors == []
