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
