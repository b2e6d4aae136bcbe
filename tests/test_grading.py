"""Grading of every question type, with its edge cases; the browser's practice grader agrees
with it over one case table; no response, however malformed, makes it fail."""
import json
import subprocess
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brokerlearn.course.grading import grade, normalise_text
from brokerlearn.course.questions import Item, Option, Pair, Question, type_names
from brokerlearn.course.questions.browser import graders_script
from parity import TABLE, case_question, mismatches, type_cases


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
    assert right.feedback == [{"option": "b", "text": "Yes.", "html": None, "correct": True}]
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


# One grader: the browser's practice grader and grade() over one table of cases, every type.
CASES = TABLE


def test_browser_and_server_grade_every_shared_case_alike(tmp_path):
    cases = CASES + type_cases()
    assert mismatches(cases, tmp_path) == []
    assert len(cases) >= 80


def test_every_question_type_has_shared_cases():
    covered = {case["question"]["type"] for case in CASES + type_cases()}
    assert covered == set(type_names())


def test_the_browser_reads_what_the_server_receives(tmp_path):
    """server.js sends what a type's browser reader gives: the same shapes as the table's."""
    script = tmp_path / "question-types.js"
    script.write_text(graders_script(), encoding="utf-8")
    shown = subprocess.run(["node", "-e", f"const t = require({json.dumps(str(script))});"
                            "process.stdout.write(JSON.stringify(Object.keys(t).map(k => [k, typeof t[k].read, typeof t[k].grade])))"],
                           capture_output=True, text=True, check=True).stdout
    assert json.loads(shown) == [[name, "function", "function"] for name in type_names()]


def test_browser_normalises_every_character_as_python_does():
    """normalise() in quiz.js against grading.normalise_text, one character at a time, for every
    character both Unicode databases know (they differ only on characters newer than one of them)."""
    import unicodedata
    script = (f"const q = require({json.dumps(str(QUIZ_JS))}); const out = {{}};"
              "for (let c = 0; c < 0x110000; c++) { if (c >= 0xd800 && c < 0xe000) continue;"
              " const s = String.fromCodePoint(c); if (/\\p{Cn}/u.test(s)) continue;"
              " const n = q.normalise('a' + s + 'b'); if (n !== 'a' + s + 'b') out[c] = n; }"
              "process.stdout.write(JSON.stringify(out));")
    browser = {int(c): n for c, n in json.loads(subprocess.run(["node", "-e", script], capture_output=True,
                                                                  text=True, check=True).stdout).items()}
    differ = []
    for code in range(0x110000):
        char = chr(code)
        if 0xD800 <= code < 0xE000 or unicodedata.category(char) == "Cn":
            continue
        expected = normalise_text(f"a{char}b")
        got = browser.get(code, f"a{char}b")
        if got != expected:
            differ.append((hex(code), expected, got))
    assert not differ, differ[:20]  # regenerate quiz.js's FOLD table with scripts/casefold-table


QUIZ_JS = Path(__file__).resolve().parents[1] / "themes" / "default" / "static" / "quiz.js"


# Authors' patterns: RE2 on the server (linear time), and only a syntax JavaScript reads alike.
ALLOWED = [case["question"]["pattern"] for case in CASES if case["question"].get("pattern")] + [
    r"\.", r"[\]\-]", r"a{2}", r"a{2,}", r"\p{Nd}+", r"\P{L}", r"[-a]", r"a|b|", r"(?:x)?", r"\/", r"[\d\s]+"]
REFUSED = [
    (r"(?P<year>\d{4})", "(?P<"), (r"(?i)abc", "inline flag"), (r"\Aabc\z", r"'\A'"), (r"\pL+", r"'\p'"),
    (r"\p{Greek}", r"\p{Greek}"), (r"[[:alpha:]]", "POSIX class"), (r"a{,3}", "'{'"), (r"a}", "unmatched '}'"),
    (r"[]a]", "']' first"), (r"\x{41}", r"'\x'"), (r"(a)\1", "backreference"), (r"\Qa.b\E", r"'\Q'"),
    (r"a(?=b)", "lookaround"), (r"\:", "write ':' without"), (r"\a", r"'\a'"), (r"[\b]", r"'\b'"),
    (r"(a", "invalid regular expression"), ("a\\", "at the end"),
]


def test_allowed_patterns_compile_in_javascript_too():
    from brokerlearn.course.patterns import pattern_problem
    assert [p for p in ALLOWED if pattern_problem(p)] == []
    script = ("const ps = JSON.parse(require('fs').readFileSync(0, 'utf8')); const bad = [];"
              "for (const p of ps) { try { new RegExp('^(?:' + p + ')$', 'iu'); } catch (e) { bad.push(p); } }"
              "process.stdout.write(JSON.stringify(bad));")
    run = subprocess.run(["node", "-e", script], input=json.dumps(ALLOWED), capture_output=True, text=True, check=True)
    assert json.loads(run.stdout) == []


@pytest.mark.parametrize("pattern, named", REFUSED)
def test_patterns_the_engines_read_differently_are_refused_naming_the_construct(pattern, named):
    from brokerlearn.course.patterns import pattern_problem
    problem = pattern_problem(pattern)
    assert problem and named in problem, problem


def test_a_pathological_pattern_grades_a_long_answer_at_once():
    q = question("text", accept=[], pattern=r"(a+)+b")
    started = time.perf_counter()
    for answer in ("a" * 2000, "a" * 1999 + "c", "a" * 1999 + "b"):
        result = grade(q, answer)
    assert time.perf_counter() - started < 0.5  # Python's re: 0.63 s at 24 characters, exponential
    assert result.correct and not grade(q, "a" * 2000).correct


# Whatever a client sends, grade() answers: a wrong answer with an error, never an exception.
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.integers(min_value=10**300, max_value=10**500)
    | st.floats() | st.text(max_size=30) | st.sampled_from(["a", "b", "i1", "l1", "r1", "25", "1e400", ""]),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(
        st.text(max_size=5) | st.sampled_from(["l1", "l2", "l3"]), children, max_size=5),
    max_leaves=12)
FUZZED = [SINGLE, MULTIPLE, question("truefalse", answer=True), question("numeric", answer=25.0, tolerance=0.5),
          question("text", accept=["capacity"], pattern=r"(a+)+b"), ORDER, MATCH, question("reflection")]
FUZZED += [case_question(next(c["question"] for c in TABLE + type_cases() if c["question"]["type"] == name))
           for name in type_names() if name not in {q.type for q in FUZZED}]  # a type added since


@pytest.mark.parametrize("fuzzed", FUZZED, ids=lambda q: q.type)
@settings(max_examples=400, deadline=None)
@given(response=JSON_VALUES)
def test_no_response_makes_grade_fail(fuzzed, response):
    result = grade(fuzzed, response)
    assert 0.0 <= result.score <= result.max_score
    assert result.correct in (True, False, None)
    json.dumps(result.as_dict())  # and it can be sent back


@pytest.mark.parametrize("kind, response", [
    ("match", {"l1": []}), ("match", {"l1": {}}), ("numeric", 10**400), ("numeric", -10**400),
    ("numeric", float("nan")), ("order", [["i1"], "i2", "i3", "i4"]), ("order", [{}, {}, {}, {}]),
    ("single", [["a"]]), ("multiple", [["a"], "b"]),
])
def test_the_reviews_crashing_answers_are_wrong_answers(kind, response):
    fuzzed = next(q for q in FUZZED if q.type == kind)
    result = grade(fuzzed, response)
    assert result.score == 0 and result.error


def test_re2_and_javascript_agree_on_generated_patterns():
    """A differential check of the two engines on 1,500 generated patterns of the allowed syntax
    (classes, categories, case pairs such as ß/ẞ, σ/ς/Σ, k/K/K, quantifiers, groups) and answers."""
    import random
    from brokerlearn.course.patterns import pattern_matches, pattern_problem
    chars = list("abkKsSiI1 .") + list("ßẞσςΣéÉİıǅǆǄſKΩωΩﬁµμǰΐÅåÅ")
    atoms = [lambda r: r.choice(chars).replace(".", "\\."), lambda r: ".", lambda r: "[a-z]", lambda r: "[^a]",
             lambda r: "\\d", lambda r: "\\w", lambda r: "\\s", lambda r: "\\p{L}", lambda r: "\\p{Lu}",
             lambda r: "\\W", lambda r: "\\S", lambda r: "[A-Z]", lambda r: "\\b",
             lambda r: "[" + r.choice(chars).replace(".", "") + r.choice(chars).replace(".", "") + "]"]

    def pattern(r, depth=0):
        parts = []
        for _ in range(r.randint(1, 4)):
            if depth < 2 and r.random() < 0.2:
                atom = f"({pattern(r, depth + 1)}" + (f"|{pattern(r, depth + 1)}" if r.random() < 0.5 else "") + ")"
            else:
                atom = r.choice(atoms)(r)
            parts.append(atom + ("" if atom == "\\b" else r.choice(["", "", "*", "+", "?", "{1,2}"])))
        return "".join(parts)
    r, cases = random.Random(14), []
    while len(cases) < 1500:
        p = pattern(r)
        if not pattern_problem(p):
            cases.append((p, "".join(r.choice(chars) for _ in range(r.randint(0, 5)))))
    script = (f"const q = require({json.dumps(str(QUIZ_JS))});"
              "const cs = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
              "process.stdout.write(JSON.stringify(cs.map(([p, s]) => q.patternMatches(p, s))));")
    browser = json.loads(subprocess.run(["node", "-e", script], input=json.dumps(cases), capture_output=True,
                                        text=True, check=True).stdout)
    server = [pattern_matches(p, s) for p, s in cases]
    assert sum(server) > 200  # the check is not empty
    assert [(c, s, b) for c, s, b in zip(cases, server, browser) if s != b] == []


def test_the_browser_graders_words_reach_the_page_in_german():
    """The types mark their browser graders' words in Python; the page's script catalog has them."""
    from brokerlearn import i18n
    from brokerlearn.course.questions import question_types
    german = i18n.js_messages("de")
    words = {word for kind in question_types() for word in kind.messages.values()}
    assert words and {w: german.get(w) for w in words if not german.get(w) or german[w] == w} == {}
