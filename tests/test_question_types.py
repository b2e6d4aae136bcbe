"""The question-type registry: what every type module must give, and the hooks the server's
statistics and xAPI exports use instead of dispatching on the type."""
import json

from brokerlearn.course.questions import Question, question_types, xapi_interaction
from brokerlearn.paths import default_theme_dir


def test_every_type_has_its_template_partial_and_docs():
    for kind in question_types():
        assert (default_theme_dir() / "templates" / kind.template).is_file(), kind.name
        assert kind.summary and kind.scoring and kind.example and kind.response and kind.browser and kind.messages, kind.name


def test_xapi_hooks_give_what_the_exports_give_for_every_example_question(built_example):
    """Drop-in for server/exports.py's INTERACTION_TYPES, _components and _correct_responses
    (the integrator wires the hooks in): the same definition for each of the example's questions."""
    from brokerlearn.server import exports
    manifest = json.loads((built_example / "server" / "example.json").read_text())
    questions = [q for quiz in manifest["quizzes"].values() for q in quiz["questions"]]
    assert {q["type"] for q in questions} == {k.name for k in question_types()} - {"cloze"}
    for data in questions:
        today = {"interactionType": exports.INTERACTION_TYPES.get(data["type"], "other"),
                 **exports._components(data, "de")}
        pattern = exports._correct_responses(data)
        if pattern:
            today["correctResponsesPattern"] = pattern
        assert xapi_interaction(Question.from_json(data), "de", with_key=True) == today, data["type"]
        assert "correctResponsesPattern" not in xapi_interaction(Question.from_json(data), "de", with_key=False)



def test_a_bar_in_a_keys_documentation_stays_inside_its_table_cell():
    from brokerlearn.course.reference import render_table
    from brokerlearn.course.schema_types import Field, Obj, Text
    row = render_table(Obj("x", [Field("k", Text(), "`[[a|b]]` blanks")])).splitlines()[-1]
    assert len(row.replace("\\|", "").split("|")) == 6  # four cells
