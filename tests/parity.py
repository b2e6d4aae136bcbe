"""One table of grading cases run through the server's grader and the browser's (node).

The table is tests/data/grading_cases.json plus the PARITY_CASES a question type's own test
module (tests/test_question_<type>.py) declares; tests/test_grading.py runs them all and fails
when a registered type has none. Responses are as the server receives them, which is also
what the type's browser reader gives.
"""
import importlib.util
import json
import subprocess
from pathlib import Path

from brokerlearn.compiler.quizzes import practice_key
from brokerlearn.course.grading import grade
from brokerlearn.course.questions import Item, Option, Pair, Question
from brokerlearn.course.questions.browser import graders_script

TESTS = Path(__file__).resolve().parent
TABLE = json.loads((TESTS / "data" / "grading_cases.json").read_text(encoding="utf-8"))["cases"]


def type_cases() -> list[dict]:
    """The PARITY_CASES of every tests/test_question_<type>.py."""
    cases = []
    for path in sorted(TESTS.glob("test_question_*.py")):
        spec = importlib.util.spec_from_file_location(f"parity_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        cases += getattr(module, "PARITY_CASES", [])
    return cases


def case_question(data: dict) -> Question:
    fields = {k: v for k, v in data.items() if k != "type"}
    fields["options"] = [Option(o["id"], o["text"], o["correct"], None) for o in fields.get("options", [])]
    fields["items"] = [Item(**i) for i in fields.get("items", [])]
    fields["pairs"] = [Pair(**p) for p in fields.get("pairs", [])]
    return Question(id="q", type=data["type"], prompt="P", outcomes=[], points=3.0, explanation=None, **fields)


def _share(result) -> float:
    return result.score / result.max_score if result.max_score else 0.0


def mismatches(cases: list[dict], scratch: Path) -> list[tuple]:
    """Each case whose expected (share, error) the server or the browser does not give."""
    script = scratch / "question-types.js"
    script.write_text(graders_script(), encoding="utf-8")
    questions = [case_question(case["question"]) for case in cases]
    browser_in = [{"key": practice_key(q), "response": case["response"]} for q, case in zip(questions, cases)]
    run = subprocess.run(["node", str(TESTS / "tools" / "grade_cases.cjs"), str(script)],
                         input=json.dumps(browser_in), capture_output=True, text=True, check=True)
    found = []
    for case, question, in_browser in zip(cases, questions, json.loads(run.stdout)):
        result = grade(question, case["response"])
        server = {"share": round(_share(result), 6), "error": result.error is not None}
        page = {"share": round(in_browser["share"], 6), "error": in_browser["error"]}
        expected = {"share": round(case["share"], 6), "error": case["error"]}
        if not server == page == expected:
            found.append((case["name"], expected, server, page))
    return found
