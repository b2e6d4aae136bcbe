"""Graded quizzes are sealed: nothing in the public site reveals their key."""
import json
import re

from brokerlearn.build.pipeline import build

MARKERS = {
    "feedback": "ZQXFEEDBACK71",
    "explanation": "ZQXEXPLAIN42",
    "accepted": "zqxaccepted93",
    "pattern": "ZQXPATTERN55",
    "numeric": "987654.321",
    "correct_flag": "ZQXCORRECTOPT",
}

GRADED = f"""id: sealed
title: Sealed quiz
mode: graded
questions:
  - id: s1
    type: single
    prompt: Pick one
    options:
      - text: Wrong one
        feedback: {MARKERS['feedback']} for the wrong one
      - text: Right one {MARKERS['correct_flag']}
        correct: true
        feedback: {MARKERS['feedback']} for the right one
    explanation: {MARKERS['explanation']} single
  - id: s2
    type: text
    prompt: Type it
    accept: [{MARKERS['accepted']}]
    pattern: "{MARKERS['pattern']}[0-9]+"
    explanation: {MARKERS['explanation']} text
  - id: s3
    type: numeric
    prompt: A number
    answer: {MARKERS['numeric']}
    tolerance: 0.001
  - id: s4
    type: order
    prompt: Order them
    items: [Alpha first, Bravo second, Charlie third, Delta fourth]
  - id: s5
    type: match
    prompt: Match them
    pairs:
      - [Left one, Right one]
      - [Left two, Right two]
      - [Left three, Right three]
  - id: s6
    type: truefalse
    prompt: True?
    answer: false
    explanation: {MARKERS['explanation']} truefalse
"""


def build_sealed(make_course, tmp_path):
    root = make_course({
        "modules/01-intro/sealed.yml": GRADED,
        "modules/01-intro/02-next.md": "---\ntitle: Next\n---\n\n::: quiz sealed\n:::\n",
    })
    out = tmp_path / "out"
    build(root.parent, out, show_progress=False)
    return out


def public_text(out) -> str:
    return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in (out / "site").rglob("*") if p.is_file())


def test_no_key_reaches_the_public_site_but_all_reach_the_private_bundle(make_course, tmp_path):
    out = build_sealed(make_course, tmp_path)
    public = public_text(out)
    assert "Pick one" in public and "Order them" in public  # the quiz is there
    private = (out / "server" / "mini.json").read_text(encoding="utf-8")
    for name in ("feedback", "explanation", "accepted", "pattern", "numeric"):
        assert MARKERS[name] not in public, name
        assert MARKERS[name] in private, name
    assert 'class="quiz-key"' not in public and '"correct"' not in public
    assert not re.search(r"data-(correct|answer|key)", public)


def test_option_ids_do_not_encode_correctness(make_course, tmp_path):
    out = build_sealed(make_course, tmp_path)
    bundle = json.loads((out / "server" / "mini.json").read_text())
    options = bundle["quizzes"]["sealed"]["questions"][0]["options"]
    ids = [o["id"] for o in options]
    assert all(re.fullmatch(r"o[0-9a-f]{10}", i) for i in ids)
    assert len(set(ids)) == len(ids)
    # Stable across rebuilds, so stored attempts keep their meaning.
    out2 = build_sealed(make_course, tmp_path / "again")
    again = json.loads((out2 / "server" / "mini.json").read_text())
    assert [o["id"] for o in again["quizzes"]["sealed"]["questions"][0]["options"]] == ids


def test_order_items_and_match_columns_are_never_shown_in_their_correct_order(make_course, tmp_path):
    out = build_sealed(make_course, tmp_path)
    page = (out / "site/mini/intro/next/index.html").read_text()
    shown_items = re.findall(r"</select> (\w+ \w+)</label>", page)
    assert sorted(shown_items) == sorted(["Alpha first", "Bravo second", "Charlie third", "Delta fourth"])
    assert shown_items != ["Alpha first", "Bravo second", "Charlie third", "Delta fourth"]
    select = page.split('data-left="')[1]
    rights = re.findall(r'<option value="r[0-9a-f]+">(Right \w+)</option>', select.split("</select>")[0])
    assert sorted(rights) == ["Right one", "Right three", "Right two"]
    correct = ["Right one", "Right two", "Right three"]
    assert all(a != b for a, b in zip(rights, correct))  # no row lines up with its match


def test_graded_quiz_says_it_needs_the_server(make_course, tmp_path):
    out = build_sealed(make_course, tmp_path)
    page = (out / "site/mini/intro/next/index.html").read_text()
    assert "marked by the course server" in page
    assert "server/" not in public_text(out).replace("course server", "")


def test_practice_quiz_carries_its_key(make_course, tmp_path):
    root = make_course({
        "modules/01-intro/p.yml": GRADED.replace("mode: graded", "mode: practice").replace("id: sealed", "id: prac"),
        "modules/01-intro/02-next.md": "---\ntitle: Next\n---\n\n::: quiz prac\n:::\n",
    })
    out = tmp_path / "out"
    build(root.parent, out, show_progress=False)
    page = (out / "site/mini/intro/next/index.html").read_text()
    assert "quiz-key" in page and MARKERS["feedback"] in page and MARKERS["explanation"] in page
