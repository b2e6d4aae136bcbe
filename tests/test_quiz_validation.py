"""Every quiz validation error, with its file and line."""
import textwrap

import pytest

from brokerlearn.compiler.pipeline import build
from brokerlearn.errors import BuildFailed

HEAD = "id: qz\ntitle: Quiz\nmode: graded\nquestions:\n"


def q(body: str) -> str:
    """A quiz file whose single question starts on line 5."""
    return HEAD + "  - id: q1\n" + body


@pytest.mark.parametrize("quiz, line, message", [
    (q("    type: single\n    prompt: P\n    options:\n      - text: A\n      - text: B\n"),
     8, "needs exactly one option with 'correct: true' (found 0)"),
    (q("    type: single\n    prompt: P\n    options:\n      - text: A\n        correct: true\n      - text: B\n        correct: true\n"),
     8, "needs exactly one option with 'correct: true' (found 2)"),
    (q("    type: multiple\n    prompt: P\n    options:\n      - text: A\n      - text: B\n"),
     8, "a multiple-choice question needs at least one option with 'correct: true'"),
    (q("    type: single\n    prompt: P\n    options:\n      - text: A\n        correct: true\n      - text: a\n"),
     8, "two options have the same text"),
    (q("    type: numeric\n    prompt: P\n    answer: twelve\n"),
     8, "a numeric question needs a number as 'answer', not 'twelve'"),
    (q("    type: numeric\n    prompt: P\n"),
     5, "a numeric question needs a number as 'answer', not nothing"),
    (q("    type: text\n    prompt: P\n    accept: []\n"),
     8, "'accept' is empty"),
    (q("    type: text\n    prompt: P\n    accept: [x]\n    pattern: \"([a-z]\"\n"),
     9, "invalid regular expression"),
    (q("    type: order\n    prompt: P\n    items: [only one]\n"),
     8, "an order question needs at least two 'items'"),
    (q("    type: match\n    prompt: P\n    pairs:\n      - [a, b, c]\n      - [d, e]\n"),
     8, "pair 1 must be [left, right], not 3 values"),
    (q("    type: truefalse\n    prompt: P\n    answer: maybe\n"),
     8, "a truefalse question needs 'answer: true' or 'answer: false'"),
    (q("    type: truefalse\n    prompt: P\n    answer: true\n    options:\n      - text: A\n"),
     9, "'options' does not apply to a truefalse question"),
    (q("    type: reflection\n    prompt: P\n    outcomes: [U1.O9]\n"),
     8, "outcome 'U1.O9' is not defined"),
    (q("    type: reflection\n    prompt: P\n  - id: q1\n    type: reflection\n    prompt: Q\n"),
     8, "duplicate question ID 'q1' (first used on line 5)"),
    (HEAD.replace("mode: graded", "mode: graded\npass_mark: 1.5") + "  - id: q1\n    type: reflection\n    prompt: P\n",
     4, "'pass_mark' must be a number in (0, 1], not 1.5"),
    (HEAD.replace("mode: graded", "mode: graded\npass_mark: 0") + "  - id: q1\n    type: reflection\n    prompt: P\n",
     4, "'pass_mark' must be a number in (0, 1], not 0"),
])
def test_quiz_errors_name_file_and_line(make_course, tmp_path, quiz, line, message):
    root = make_course({"modules/01-intro/qz.yml": quiz})
    with pytest.raises(BuildFailed) as failure:
        build(root.parent, tmp_path / "out", show_progress=False)
    found = [(d.path.rsplit("/", 1)[-1], d.line, d.message) for d in failure.value.diagnostics.errors]
    assert any(f == "qz.yml" and l == line and message in m for f, l, m in found), found


def test_duplicate_quiz_ids_and_missing_quiz_embed(make_course, tmp_path):
    reflection = "  - id: q1\n    type: reflection\n    prompt: P\n"
    root = make_course({
        "modules/01-intro/a.yml": HEAD + reflection,
        "modules/01-intro/b.yml": HEAD + reflection,
        "modules/01-intro/02-next.md": "---\ntitle: Next\n---\n\n::: quiz qx\n:::\n",
    })
    with pytest.raises(BuildFailed) as failure:
        build(root.parent, tmp_path / "out", show_progress=False)
    found = [(d.path.rsplit("/", 1)[-1], d.line, d.message) for d in failure.value.diagnostics.errors]
    assert ("b.yml", 1, "duplicate quiz ID 'qz' (also used in " + str(root / "modules/01-intro/a.yml") + ")") in found
    assert any(f == "02-next.md" and l == 5 and "unknown quiz 'qx'" in m for f, l, m in found)


def test_inline_quiz_block_errors_point_into_the_lesson(make_course, tmp_path):
    lesson = ("---\ntitle: Next\n---\n\nText.\n\n```quiz\nid: iq\ntype: single\nprompt: P\n"
              "options:\n  - text: A\n  - text: B\n```\n")
    root = make_course({"modules/01-intro/02-next.md": lesson})
    with pytest.raises(BuildFailed) as failure:
        build(root.parent, tmp_path / "out", show_progress=False)
    found = [(d.path.rsplit("/", 1)[-1], d.line, d.message) for d in failure.value.diagnostics.errors]
    assert any(f == "02-next.md" and l == 11 and "exactly one option" in m for f, l, m in found), found


def test_two_item_graded_order_is_a_warning(make_course, tmp_path):
    root = make_course({"modules/01-intro/qz.yml": q("    type: order\n    prompt: P\n    items: [a, b]\n")})
    result = build(root.parent, tmp_path / "out", show_progress=False)
    assert any("gives the answer away" in w.message and w.line == 5 for w in result.diagnostics.warnings)


@pytest.mark.parametrize("pattern, message", [
    (r"(?P<y>[0-9]+)", "pattern not allowed: the group '(?P<…>' at character 1: write (?<name>…) instead"),
    (r"(?i)yes", "pattern not allowed: the inline flag or group '(?i' at character 1"),
    (r"\Ayes", "pattern not allowed: the escape '\\A' at character 1"),
])
def test_patterns_only_one_engine_reads_are_located_errors(make_course, tmp_path, pattern, message):
    quiz = q(f"    type: text\n    prompt: P\n    pattern: '{pattern}'\n")
    root = make_course({"modules/01-intro/qz.yml": quiz})
    with pytest.raises(BuildFailed) as failure:
        build(root.parent, tmp_path / "out", show_progress=False)
    found = [(d.path.rsplit("/", 1)[-1], d.line, d.col, d.message) for d in failure.value.diagnostics.errors]
    assert any(f == "qz.yml" and l == 8 and c == 14 and message in m for f, l, c, m in found), found


def test_every_question_types_documented_example_builds_and_shows_its_partial(make_course, tmp_path):
    """The format reference's examples come from the type modules: each must be a valid
    question, shown by its own template partial, with the types' graders in the site."""
    from brokerlearn.course.questions import question_types
    examples = "".join(textwrap.indent(kind.example, "  ") for kind in question_types())
    lesson = "---\ntitle: Next\n---\n\n::: quiz qz\n:::\n"
    root = make_course({"modules/01-intro/qz.yml": HEAD.replace("graded", "practice") + examples,
                        "modules/01-intro/02-next.md": lesson})
    result = build(root.parent, tmp_path / "out", show_progress=False)
    assert not result.diagnostics.errors
    page = (tmp_path / "out" / "site" / "mini" / "intro" / "next" / "index.html").read_text()
    for kind in question_types():
        assert f'class="question question-{kind.name}"' in page
    assert page.count('name="qz') >= len(question_types())  # every partial drew its answer controls
    graders = (tmp_path / "out" / "site" / "_static" / "question-types.js").read_text()
    assert all(f'types["{kind.name}"]' in graders for kind in question_types())
