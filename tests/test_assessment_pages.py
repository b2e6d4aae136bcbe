"""Where the build puts graded quizzes for the learner to find (issue 16, item 3): the module page
links each quiz to its place in a lesson, the lesson says near its top that it ends with (or
holds) the graded assessment, and the manifest carries the same address for the dashboard."""
import json
import re

from brokerlearn.compiler.pipeline import build

QUIZ = ("id: exam\ntitle: Final check\nmode: graded\nquestions:\n  - id: q1\n    type: truefalse\n"
        "    outcomes: [U1.O1]\n    prompt: Yes?\n    answer: true\n    explanation: Because.\n")
PRACTICE = ("id: warm-up\ntitle: Warm-up\nmode: practice\nquestions:\n  - id: p1\n    type: truefalse\n"
            "    prompt: Ready?\n    answer: true\n")


def _build(make_course, tmp_path, lesson_tail: str):
    root = make_course({
        "modules/01-intro/exam.yml": QUIZ, "modules/01-intro/warm-up.yml": PRACTICE,
        "modules/01-intro/01-start.md": "---\ntitle: Start\n---\n\n## First part\n\n::: quiz warm-up\n:::\n",
        "modules/01-intro/02-next.md": "---\ntitle: Next\n---\n\nRead this.\n\n::: quiz exam\n:::\n" + lesson_tail})
    out = tmp_path / "out"
    build(root.parent, out, show_progress=False)
    return out


def test_the_module_page_links_each_quiz_and_the_lesson_announces_its_assessment(make_course, tmp_path):
    out = _build(make_course, tmp_path, "\n")
    module = (out / "site/mini/intro/index.html").read_text()
    assert re.search(r'<li class="assessment" data-quiz="mini/exam">\s*<a href="next/index.html#qz0-exam">Final check</a>'
                     r'\s*<span class="meta">\(graded\)</span> — <span class="assessment-status">', module)
    assert re.search(r'<li class="assessment">\s*<a href="start/index.html#qz0-warm-up">Warm-up</a>', module)
    lesson = (out / "site/mini/intro/next/index.html").read_text()
    notice = lesson.index('class="assessment-notice" data-quiz="mini/exam"')
    assert notice < lesson.index('class="lesson-body"')  # near the top, before the lesson's text
    assert 'This lesson ends with the graded assessment <a href="#qz0-exam">Final check</a>.' in lesson
    assert 'id="qz0-exam"' in lesson  # the link's target
    assert "assessment-notice" not in (out / "site/mini/intro/start/index.html").read_text()  # practice: no notice
    manifest = json.loads((out / "server/mini.json").read_text())
    assert {q["id"]: q["url"] for q in manifest["modules"][0]["quizzes"]} == {
        "exam": "mini/intro/next/index.html#qz0-exam", "warm-up": "mini/intro/start/index.html#qz0-warm-up"}


def test_a_lesson_that_goes_on_after_its_assessment_says_it_holds_it(make_course, tmp_path):
    out = _build(make_course, tmp_path, "\n## After the quiz\n\nMore to read.\n")
    lesson = (out / "site/mini/intro/next/index.html").read_text()
    assert 'This lesson holds the graded assessment <a href="#qz0-exam">Final check</a>.' in lesson
    assert "ends with the graded assessment" not in lesson
