"""The cloze ("fill in the blanks") question type: its checks, its grading (server and browser
over PARITY_CASES, run by tests/test_grading.py with the shared table), its page, sealed when
graded, and a practice cloze answered in Chromium."""
import json

import pytest

from brokerlearn.compiler.pipeline import build
from brokerlearn.course.grading import grade
from brokerlearn.course.questions import Question, xapi_interaction
from brokerlearn.errors import BuildFailed
from browser import AXE, browser, chromium_path, serve_dir

THREE = {"type": "cloze", "extra": {"texts": ["A ", " needs ", " and ", "."],
                                    "blanks": [["broker"], ["Kapazität", "capacity"], ["trust", "trust signals"]]}}
PARITY_CASES = [
    {"name": "cloze all right", "question": THREE, "response": ["broker", "capacity", "trust"], "share": 1, "error": False},
    {"name": "cloze one of three", "question": THREE, "response": ["broker", "time", ""], "share": 1 / 3, "error": False},
    {"name": "cloze folded and spaced", "question": THREE, "response": [" BROKER ", "KAPAZITÄT", "Trust   signals"],
     "share": 1, "error": False},
    {"name": "cloze null blank", "question": THREE, "response": ["broker", None, "trust"], "share": 2 / 3, "error": False},
    {"name": "cloze nothing typed", "question": THREE, "response": ["", " ", "\u3000"], "share": 0, "error": True},
    {"name": "cloze not answered", "question": THREE, "response": None, "share": 0, "error": True},
    {"name": "cloze too few blanks", "question": THREE, "response": ["broker", "capacity"], "share": 0, "error": True},
    {"name": "cloze not text", "question": THREE, "response": ["broker", 5, "trust"], "share": 0, "error": True},
    {"name": "cloze too long", "question": THREE, "response": ["broker", "x" * 2001, "trust"], "share": 0, "error": True},
    {"name": "cloze as one string", "question": THREE, "response": "broker", "share": 0, "error": True},
]
HEAD = "id: qz\ntitle: Quiz\nmode: {mode}\nquestions:\n  - id: q1\n    type: cloze\n    points: 3\n    prompt: Fill in.\n"
LESSON = "---\ntitle: Next\n---\n\n::: quiz qz\n:::\n"


def cloze_course(make_course, cloze: str, mode: str = "practice"):
    return make_course({"modules/01-intro/qz.yml": HEAD.format(mode=mode) + f"    cloze: \"{cloze}\"\n",
                        "modules/01-intro/02-next.md": LESSON})


def test_partial_credit_per_blank_in_points():
    question = Question("q", "cloze", "P", [], 3.0, None, extra=THREE["extra"])
    result = grade(question, ["broker", "time", "trust signals"])
    assert (result.score, result.max_score, result.correct) == (2.0, 3.0, False)
    assert Question.from_json(question.to_json()) == question  # the server reads what the build wrote


def test_xapi_gets_a_fill_in_with_one_answer_per_blank():
    question = Question("q", "cloze", "P", [], 1.0, None, extra={"texts": ["", " and ", ""], "blanks": [["a", "b"], ["c"]]})
    assert xapi_interaction(question, "en", with_key=True) == {"interactionType": "fill-in",
                                                               "correctResponsesPattern": ["a[,]c"]}


@pytest.mark.parametrize("cloze, message", [
    ("No blanks here.", "'cloze' has no blank"),
    ("One [[]] blank.", "blank 1 is empty"),
    ("A [[ | ]] and [[x]].", "blank 1 is empty"),
    ("A [[broker]] and [[x.", "a '[[' without its ']]'"),
])
def test_cloze_mistakes_are_located_errors(make_course, tmp_path, cloze, message):
    root = cloze_course(make_course, cloze)
    with pytest.raises(BuildFailed) as failure:
        build(root.parent, tmp_path / "out", show_progress=False)
    found = [(d.path.rsplit("/", 1)[-1], d.line, d.message) for d in failure.value.diagnostics.errors]
    assert any(f == "qz.yml" and l == 9 and message in m for f, l, m in found), found


def test_cloze_key_on_another_type_is_an_error(make_course, tmp_path):
    quiz = "id: qz\ntitle: Q\nmode: practice\nquestions:\n  - id: q1\n    type: reflection\n    prompt: P\n    cloze: a [[b]]\n"
    root = make_course({"modules/01-intro/qz.yml": quiz})
    with pytest.raises(BuildFailed) as failure:
        build(root.parent, tmp_path / "out", show_progress=False)
    assert any("'cloze' does not apply to a reflection question" in d.message for d in failure.value.diagnostics.errors)


def test_a_graded_cloze_page_shows_the_text_but_no_answer(make_course, tmp_path):
    root = cloze_course(make_course, "A [[Maklerin|broker]] needs [[Kapazität]].", mode="graded")
    build(root.parent, tmp_path / "out", show_progress=False)
    page = (tmp_path / "out" / "site" / "mini" / "intro" / "next" / "index.html").read_text()
    assert "A " in page and " needs " in page and page.count('data-blank="') == 2
    assert "Maklerin" not in page and "Kapazit" not in page
    server = json.loads((tmp_path / "out" / "server" / "mini.json").read_text())
    question = Question.from_json(server["quizzes"]["qz"]["questions"][0])
    assert grade(question, ["broker", "kapazität"]).correct


@pytest.mark.browser
@pytest.mark.skipif(chromium_path() is None, reason="Debian's chromium is not installed (scripts/setup --test)")
def test_a_practice_cloze_is_answered_and_marked_in_the_page(make_course, tmp_path):
    root = cloze_course(make_course, "A [[broker]] needs [[capacity|Kapazität]] and [[trust]].")
    build(root.parent, tmp_path / "out", show_progress=False)
    with serve_dir(tmp_path / "out" / "site") as base, browser() as chromium:
        page = chromium.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(base + "mini/intro/next/index.html")
        quiz = page.locator("section.quiz")
        quiz.get_by_role("button", name="Check").click()
        assert quiz.locator(".question-feedback").inner_text() == "Fill in the blanks."
        quiz.get_by_label("Blank 1 of 3").fill("Broker")
        quiz.get_by_label("Blank 2 of 3").fill("KAPAZITÄT")
        quiz.get_by_label("Blank 3 of 3").fill("money")
        quiz.get_by_role("button", name="Check").click()
        assert quiz.locator(".verdict").inner_text() == "Partly correct."  # the score once, in the result
        assert quiz.locator(".quiz-result").inner_text() == "You scored 2 of 3 points."
        assert errors == []
        if AXE.is_file():  # every blank is labelled, the page stays WCAG 2.2 AA
            page.add_script_tag(path=str(AXE))
            result = page.evaluate("""async () => await axe.run(document, {runOnly: {type: 'tag',
                values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa']}})""")
            assert [v["id"] for v in result["violations"]] == []
