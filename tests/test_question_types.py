"""The question-type registry: what every type module must give, and the hooks the server's
statistics and xAPI exports use instead of dispatching on the type."""
from brokerlearn.course.questions import Question, question_types, xapi_interaction
from brokerlearn.paths import default_theme_dir


def test_every_type_has_its_template_partial_and_docs():
    for kind in question_types():
        assert (default_theme_dir() / "templates" / kind.template).is_file(), kind.name
        assert kind.summary and kind.scoring and kind.example and kind.response and kind.browser and kind.messages, kind.name


def test_a_bar_in_a_keys_documentation_stays_inside_its_table_cell():
    from brokerlearn.course.reference import render_table
    from brokerlearn.course.schema_types import Field, Obj, Text
    row = render_table(Obj("x", [Field("k", Text(), "`[[a|b]]` blanks")])).splitlines()[-1]
    assert len(row.replace("\\|", "").split("|")) == 6  # four cells


def test_tags_sort_a_question_for_authors_and_travel_only_when_given(make_course):
    """A question's `tags:` (issue 21: the flagship counts its items by them) are kept on the
    question, checked like other keys, and left out of the manifest when a question has none."""
    from brokerlearn.course.loader import load_course
    from brokerlearn.errors import Diagnostics
    quiz = ("id: q\ntitle: Q\nmode: graded\nquestions:\n"
            "  - id: a\n    type: truefalse\n    tags: [recall]\n    prompt: Yes?\n    answer: true\n"
            "  - id: b\n    type: truefalse\n    prompt: No?\n    answer: false\n")
    diags = Diagnostics()
    course = load_course(make_course({"modules/01-intro/q.yml": quiz}), diags)
    assert not diags.errors
    tagged, plain = course.quizzes["q"].questions
    assert tagged.tags == ["recall"] and plain.tags == []
    assert tagged.to_json()["tags"] == ["recall"] and "tags" not in plain.to_json()
    assert Question.from_json(tagged.to_json()).tags == ["recall"]
    bad = Diagnostics()
    load_course(make_course({"modules/01-intro/q.yml": quiz.replace("[recall]", "[not a word]")}), bad)
    assert bad.errors
