"""Grading of every question type, with its edge cases."""
import pytest

from brokerlearn.course.grading import grade, normalise_text
from brokerlearn.course.questions import Item, Option, Pair, Question


def question(kind, **fields):
    return Question(id="q", type=kind, prompt="P", outcomes=[], points=fields.pop("points", 2.0),
                    explanation="Because.", **fields)


SINGLE = question("single", options=[Option("a", "A", False, "No."), Option("b", "B", True, "Yes."),
                                     Option("c", "C", False, None)])
MULTIPLE = question("multiple", options=[Option("a", "A", True, None), Option("b", "B", True, None),
                                         Option("c", "C", False, "Not this."), Option("d", "D", False, None)])


def test_single_right_and_wrong_with_option_feedback():
    right = grade(SINGLE, "b")
    assert (right.score, right.max_score, right.correct) == (2.0, 2.0, True)
    assert right.feedback == [{"option": "b", "text": "Yes.", "correct": True}]
    assert right.explanation == "Because."
    wrong = grade(SINGLE, "a")
    assert (wrong.score, wrong.correct) == (0.0, False)
    assert wrong.feedback[0]["text"] == "No."


@pytest.mark.parametrize("chosen, share", [
    (["a", "b"], 1.0),          # all right ones, no wrong one
    (["a"], 0.5),               # half of the right ones
    (["a", "c"], 0.0),          # one right, one wrong: cancel out
    (["a", "b", "c"], 0.5),     # both right, one wrong
    (["c", "d"], 0.0),          # never below zero
    ([], 0.0),
])
def test_multiple_partial_credit(chosen, share):
    result = grade(MULTIPLE, chosen)
    assert result.score == pytest.approx(2.0 * share)
    assert result.correct == (share == 1.0)


def test_unknown_option_is_a_bad_response_not_a_crash():
    result = grade(SINGLE, "zzz")
    assert result.score == 0 and result.error


@pytest.mark.parametrize("response, right", [(True, True), (False, False), ("true", True), ("FALSE", False)])
def test_truefalse(response, right):
    assert grade(question("truefalse", answer=True), response).correct is right


@pytest.mark.parametrize("response, right", [
    (25, True), ("25", True), ("24.5", True), ("25.5", True),  # bounds are inclusive
    ("24.4", False), ("25.6", False), ("25,5", True), (" 25 ", True), ("\u221225", False),
])
def test_numeric_tolerance_bounds(response, right):
    result = grade(question("numeric", answer=25.0, tolerance=0.5), response)
    assert result.correct is right and result.error is None


def test_numeric_float_rounding_and_garbage():
    assert grade(question("numeric", answer=0.3, tolerance=0.0), 0.1 + 0.2).correct
    for bad in ("abc", "", "nan", "inf", True):
        result = grade(question("numeric", answer=1.0, tolerance=0.0), bad)
        assert result.correct is False and result.error


@pytest.mark.parametrize("response, right", [
    ("capacity", True), ("  Capacity ", True), ("CAPACITY", True), ("capac ity", False),
    ("Kapazität", True), ("kapazität", True), ("ＫＡＰＡＺＩＴÄＴ", True),  # full-width letters: NFKC
    ("Trust   signals", True), ("trust\tsignals\n", True), ("trust", False), ("", False),
    ("capacities", True),  # by the pattern
])
def test_text_answers_unicode_and_whitespace(response, right):
    q = question("text", accept=["capacity", "Kapazität", "trust signals"], pattern=r"capacit(y|ies)")
    assert grade(q, response).correct is right


def test_text_pattern_must_match_whole_answer_and_long_answers_are_refused():
    q = question("text", accept=[], pattern=r"\d{4}")
    assert grade(q, "2026").correct and not grade(q, "in 2026").correct
    assert grade(q, "x" * 5000).error


ORDER = question("order", items=[Item("i1", "A"), Item("i2", "B"), Item("i3", "C"), Item("i4", "D")])


@pytest.mark.parametrize("response, share", [
    (["i1", "i2", "i3", "i4"], 1.0),
    (["i4", "i3", "i2", "i1"], 0.0),
    (["i2", "i1", "i3", "i4"], 5 / 6),  # one adjacent swap: 5 of 6 pairs in order
    (["i1", "i3", "i4", "i2"], 4 / 6),
])
def test_order_partial_credit_by_pairs(response, share):
    assert grade(ORDER, response).score == pytest.approx(2.0 * share)


def test_order_needs_every_item_once():
    assert grade(ORDER, ["i1", "i1", "i2", "i3"]).error
    assert grade(ORDER, ["i1", "i2"]).error


MATCH = question("match", pairs=[Pair("l1", "Fit", "r1", "x"), Pair("l2", "Capacity", "r2", "y"),
                                 Pair("l3", "Trust", "r3", "z")])


@pytest.mark.parametrize("response, share", [
    ({"l1": "r1", "l2": "r2", "l3": "r3"}, 1.0),
    ({"l1": "r2", "l2": "r1", "l3": "r3"}, 1 / 3),
    ({"l1": "r1"}, 1 / 3),  # unanswered rows earn nothing
    ({"l1": "", "l2": None}, 0.0),
])
def test_match_partial_credit(response, share):
    assert grade(MATCH, response).score == pytest.approx(2.0 * share)


def test_match_rejects_foreign_ids():
    assert grade(MATCH, {"l9": "r1"}).error
    assert grade(MATCH, "r1").error


def test_reflection_is_never_scored():
    result = grade(question("reflection"), "I will ask for a date.")
    assert (result.score, result.max_score, result.correct) == (0.0, 0.0, None)


def test_normalise_text():
    assert normalise_text("  Straße\u00a0 X ") == "strasse x"
