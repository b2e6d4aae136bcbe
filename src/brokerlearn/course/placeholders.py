"""Text that `brokerlearn new` writes for the author to replace, and what belongs there.

`brokerlearn check` warns about each one still present (an error with --strict), so a course
is not published as "Your Name". tests/test_scaffold.py holds this list and the scaffold's
templates together.
"""
from __future__ import annotations

import re

PLACEHOLDERS = {
    # brokerlearn new course
    "Your Name": "the author's name",
    "Your Organisation": "the author's organisation, or remove the line",
    "What learners will be able to do after this course.": "the course's summary",
    "What this module covers.": "the module's summary",
    "Write the lesson here, in Markdown.": "the lesson",
    "Containers hold notes, tips, warnings, activities and reflections.": "a tip of your own, or remove it",
    # brokerlearn new lesson
    "What this lesson is about, in one or two sentences.": "the lesson's opening",
    "Something for the learner to do.": "an activity of your own, or remove it",
    # brokerlearn new quiz
    "Which statement is right?": "your question",
    "The right answer": "your answer",
    "A plausible wrong answer": "your answer",
    "Why the right answer is right.": "your explanation",
    "Why this one is wrong.": "your feedback",
}

# A placeholder is the whole value of a line: after a key, a list dash, or nothing.
_PATTERN = re.compile(r"(?:^|(?<=[\s:]))(" + "|".join(map(re.escape, PLACEHOLDERS)) + r")\s*$", re.M)


def find_placeholders(text: str) -> list[tuple[int, int, str]]:
    """(line, column, placeholder) of each placeholder in a file's text, 1-based."""
    found = []
    for number, line in enumerate(text.split("\n"), 1):
        for match in _PATTERN.finditer(line):
            found.append((number, match.start(1) + 1, match.group(1)))
    return found
