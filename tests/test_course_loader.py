"""The loader's error cases, one by one: file, line, column and message."""
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from brokerlearn.course import frontmatter, load_courses
from brokerlearn.errors import Diagnostics


def diagnose(root):
    diags = Diagnostics()
    courses = load_courses(root.parent, diags)
    return courses, diags


def errors_of(root):
    return [(d.path.replace(str(root) + "/", ""), d.line, d.col, d.message)
            for d in diagnose(root)[1].errors]


def test_minimal_course_loads_cleanly(make_course):
    courses, diags = diagnose(make_course())
    assert diags.items == []
    course = courses[0]
    assert [l.slug for _, l in course.lessons()] == ["start", "next"]
    assert course.modules[0].slug == "intro"


@pytest.mark.parametrize("files, where, message", [
    ({"course.yml": "id: mini\ntitle: [unclosed\nlanguage: en\n"},
     ("course.yml", 2, 8), "YAML syntax error: the '[' opened here is not closed with ']'"),
    ({"course.yml": "id: mini\nlanguage: en\n"},
     ("course.yml", 1, 1), "missing required key 'title' in course.yml"),
    ({"course.yml": "id: mini\ntitle: Mini\nlanguage: en\nauthors: Jane\n"},
     ("course.yml", 4, 10), "'authors' must be a list, not text"),
    ({"course.yml": "id: mini\ntitle: Mini\nlanguage: en\nsumary: x\n"},
     ("course.yml", 4, 1), "unknown key 'sumary' in course.yml (did you mean 'summary'?)"),
    ({"course.yml": "id: Mini Course\ntitle: Mini\nlanguage: en\n"},
     ("course.yml", 1, 5), "'id' 'Mini Course' is not valid"),
    ({"course.yml": "id: mini\ntitle: Mini\ntitle: Again\nlanguage: en\n"},
     ("course.yml", 3, 1), "duplicate key 'title' (first given on line 2)"),
    ({"course.yml": "id: mini\ntitle: Mini\nlanguage: en\nmodules: [01-intro, 02-outro]\n"},
     ("course.yml", 4, 21), "unknown module '02-outro': no folder modules/02-outro/"),
    ({"modules/01-intro/module.yml": "title: Intro\nlessons: [01-start, 02-nxt]\n"},
     ("modules/01-intro/module.yml", 2, 21), "unknown lesson '02-nxt'"),
    ({"modules/01-intro/module.yml": "title: Intro\nminutes: ten\n"},
     ("modules/01-intro/module.yml", 2, 10), "'minutes' must be a whole number, not text"),
    ({"modules/01-intro/01-start.md": "---\ntitle: Start\noutcomes: [U9.O9]\n---\nHi\n"},
     ("modules/01-intro/01-start.md", 3, 12), "outcome 'U9.O9' is not defined in profile.yml"),
    ({"modules/01-intro/module.yml": "title: Intro\noutcomes: [U1.O2]\n"},
     ("modules/01-intro/module.yml", 2, 12), "outcome 'U1.O2' is not defined in profile.yml (did you mean 'U1.O1'?)"),
    ({"modules/01-intro/01-start.md": "no front matter\n"},
     ("modules/01-intro/01-start.md", 1, 1), "a lesson must start with front matter"),
    ({"modules/01-intro/01-start.md": "---\ntitle: Start\n"},
     ("modules/01-intro/01-start.md", 1, 1), "the front matter is not closed"),
    ({"modules/01-intro/01-start.md": "---\ntitle: Start\nminutes: -3\n---\n"},
     ("modules/01-intro/01-start.md", 3, 10), "'minutes' must be at least 1, not -3"),
    ({"modules/01-intro/01-start.md": "---\ntitel: Start\n---\n"},
     ("modules/01-intro/01-start.md", 2, 1), "unknown key 'titel' in lesson front matter (did you mean 'title'?)"),
    ({"profile.yml": ("id: p\ntitle: P\nunits:\n  - id: U1\n    title: U\n    outcomes:\n"
                      "      - id: U1.O1\n        statement: A\n      - id: U1.O1\n        statement: B\n")},
     ("profile.yml", 9, 9), "duplicate outcome ID 'U1.O1' (first defined on line 7)"),
    ({"modules/01-intro/quiz.yml": "id: q\ntitle: Q\nmode: graded\nquestions:\n  - id: a\n    type: singel\n    prompt: P\n",
      "modules/01-intro/quiz2.yml": "id: q\ntitle: Q2\nmode: practice\nquestions:\n  - id: a\n    type: reflection\n    prompt: P\n"},
     ("modules/01-intro/quiz.yml", 6, 11), "'type' must be one of single, multiple"),
    ({"modules/01-intro/quiz2.yml": "id: q\ntitle: Q2\nmode: practice\nquestions:\n  - id: a\n    type: reflection\n    prompt: P\n",
      "modules/01-intro/quiz3.yml": "id: q\ntitle: Q3\nmode: practice\nquestions:\n  - id: a\n    type: reflection\n    prompt: P\n"},
     ("modules/01-intro/quiz3.yml", 1, 5), "duplicate quiz ID 'q'"),
    ({"media/clip.mp4": "not really a video"},
     ("media/clip.mp4", 1, 1), "video 'clip.mp4' has no sidecar"),
])
def test_each_author_error_names_file_line_and_column(make_course, files, where, message):
    root = make_course(files)
    found = errors_of(root)
    matching = [e for e in found if e[:3] == where and message in e[3]]
    assert matching, f"expected {where} {message!r}, got {found}"


def test_all_errors_are_reported_together(make_course):
    root = make_course({
        "course.yml": "id: mini\ntitle: Mini\nlanguage: en\nsumary: x\nmodules: [01-intro]\n",
        "modules/01-intro/module.yml": "title: Intro\nminutes: ten\n",
        "modules/01-intro/01-start.md": "---\ntitel: Start\n---\n",
    })
    assert len(errors_of(root)) >= 4  # unknown key, bad minutes, unknown key, missing title


def test_version_keeps_its_written_form(make_course):
    root = make_course({"course.yml": "id: mini\ntitle: Mini\nlanguage: en\nversion: 1.10\n"})
    courses, diags = diagnose(root)
    assert courses[0].version == "1.10"


def test_lessons_default_to_sorted_files_and_minutes_to_word_count(make_course):
    body = "word " * 600
    root = make_course({"modules/01-intro/module.yml": "title: Intro\n",
                        "modules/01-intro/03-long.md": f"---\ntitle: Long\n---\n{body}\n"})
    courses, diags = diagnose(root)
    module = courses[0].modules[0]
    assert [l.slug for l in module.lessons] == ["start", "next", "long"]
    assert module.lessons[2].minutes == 3
    assert module.minutes == sum(l.minutes for l in module.lessons)


def test_unlisted_lesson_is_a_warning(make_course):
    root = make_course({"modules/01-intro/03-extra.md": "---\ntitle: Extra\n---\n"})
    _, diags = diagnose(root)
    assert not diags.errors
    assert any("03-extra.md" in w.message and "not listed" in w.message for w in diags.warnings)


def test_a_folder_without_courses_is_an_error(tmp_path):
    diags = Diagnostics()
    assert load_courses(tmp_path, diags) == []
    assert "no course here" in diags.errors[0].message


def test_course_id_reserved_for_the_server_is_an_error(make_course):
    from brokerlearn.errors import Diagnostics
    from brokerlearn.course.loader import load_courses
    root = make_course({"course.yml": "id: api\ntitle: Mini\nlanguage: en\nmodules: [01-intro]\n"})
    diags = Diagnostics()
    load_courses(root.parent, diags)
    assert any("reserved" in d.message and d.path.endswith("course.yml") for d in diags.errors)


# ---- YAML mistakes in plain words, with the fix (issue 14, item 7) --------------------------

QUIZ_HEAD = "id: q\nmode: practice\n"
PARSER_WORDS = ("mapping values", "block collection", "block mapping", "cannot start any token",
                "quoted scalar", "simple key", "<block end>")


@pytest.mark.parametrize("files, where, words", [
    ({"modules/01-intro/q.yml": QUIZ_HEAD + "title: Check yourself: the actors\n"},
     ("modules/01-intro/q.yml", 3, 22), "put text that contains ': ' in quotes, e.g. title: \"Check yourself: the actors\""),
    ({"modules/01-intro/q.yml": QUIZ_HEAD + 'title: "Check yourself\nquestions: []\n'},
     ("modules/01-intro/q.yml", 3, 8), 'this quote (") is never closed'),
    ({"modules/01-intro/q.yml": QUIZ_HEAD + 'title: "Check" yourself\n'},
     ("modules/01-intro/q.yml", 3, 16), "text after the closing quote: put the whole value in quotes"),
    ({"modules/01-intro/q.yml": QUIZ_HEAD + "title: Q\nquestions:\n  - id: q1\n    type: single\n    prompt: P\n"
      "    options:\n      - text: A\n       correct: true\n"},
     ("modules/01-intro/q.yml", 10, 8), "does not line up with the list that starts at line 9"),
    ({"modules/01-intro/module.yml": "title: Intro\n summary: S\n"},
     ("modules/01-intro/module.yml", 2, 9), "indented more than the one above"),
    ({"modules/01-intro/q.yml": QUIZ_HEAD + "title: Q\nquestions:\n\t- id: q1\n"},
     ("modules/01-intro/q.yml", 5, 1), "a tab character at line 5: YAML indentation must use spaces"),
    ({"modules/01-intro/01-start.md": "---\ntitle: Start\n\tminutes: 3\n---\nHi\n"},
     ("modules/01-intro/01-start.md", 3, 1), "a tab character at line 3: YAML indentation must use spaces"),
    ({"modules/01-intro/01-start.md": "---\ntitle: Start: the first steps\n---\nHi\n"},
     ("modules/01-intro/01-start.md", 2, 13), "put text that contains ': ' in quotes"),
    ({"course.yml": "id: mini\ntitle: Mini\nlanguage: en\nmodules: [01-intro\n"},
     ("course.yml", 4, 10), "the '[' opened here is not closed with ']'"),
    ({"course.yml": "id: mini\ntitle: Mini\nlanguage: en\nsummary: @home\n"},
     ("course.yml", 4, 10), "a value cannot start with '@': put the value in quotes"),
    ({"course.yml": "id: mini\ntitle: Mini\nlanguage en\n"},
     ("course.yml", 3, 1), "line 3 is not 'key: value'"),
])
def test_yaml_mistakes_say_what_to_change(make_course, files, where, words):
    found = errors_of(make_course(files))
    matching = [e for e in found if e[:3] == where and words in e[3]]
    assert matching, f"expected {where} {words!r}, got {found}"
    assert not any(w in matching[0][3] for w in PARSER_WORDS), matching[0][3]


def _split_by_lines(text: str) -> tuple:
    """What the front matter split gives, worked out the plain way: every line of the file."""
    lines = text.lstrip("\ufeff").split("\n")
    if lines[0].rstrip() != "---":
        return None, text.lstrip("\ufeff"), 1
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1:]), index + 2
    return None, "", len(lines) + 1


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(["---", "...", "--- ", "---\r", "title: A", "title: B\r", "", " ", "body text",
                                 "## heading", "\ufeff---", "a: [1", "- item"]), max_size=8), st.booleans())
def test_front_matter_split_is_the_one_every_line_gives(lines, trailing_newline):
    """The split looks only at the front matter's lines (a lesson's body is never split into
    lines); it must find the same closing line, body and body line as splitting them all."""
    text = "\n".join(lines) + ("\n" if trailing_newline else "")
    yaml_text, body, body_line = _split_by_lines(text)
    seen = []
    real_load_yaml = frontmatter.load_yaml
    frontmatter.load_yaml = lambda source, *args, **kwargs: seen.append(source) or real_load_yaml(source, *args, **kwargs)
    try:
        split = frontmatter.split_front_matter(text, Path("lesson.md"), Diagnostics())
    finally:
        frontmatter.load_yaml = real_load_yaml
    assert (split.body, split.body_line) == (body, body_line)
    assert seen == ([] if yaml_text is None else [yaml_text])
