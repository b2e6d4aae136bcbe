"""`::: quiz ID`: a quiz of the course (a quiz file in any module folder), placed in a lesson."""
from __future__ import annotations

from brokerlearn.compiler.activities import Activity, Placement
from brokerlearn.compiler.quizzes import quiz_view
from brokerlearn.course.loader import unknown_quiz_hint
from brokerlearn.course.schema_types import did_you_mean


def view(place: Placement) -> dict | None:
    course, name = place.course, place.embed.name
    if name not in course.quizzes:
        place.error(f"unknown quiz '{name}'{did_you_mean(name, course.quizzes)}{unknown_quiz_hint(course, name)}")
        return None
    return {"quiz": quiz_view(course.quizzes[name], place.index, place.preview)}


ACTIVITY = Activity(kind="quiz", container="quiz", template="quiz.html", view=view, order=20,
                    reference="| a quiz | `::: quiz ID` then `:::`: the quiz whose `id` is ID, from any "
                              "module of the course |")
