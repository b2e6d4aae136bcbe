"""Quiz questions: one module per question type, a registry that finds them, and the typed
`Question` all of them fill (see base.py for what a type consists of)."""
from brokerlearn.course.questions.model import Item, Option, Pair, Question, keyed_id, opaque_id, seal
from brokerlearn.course.questions.registry import (build_question, question_type, question_types, type_names,
                                                  xapi_interaction)

__all__ = ["Item", "Option", "Pair", "Question", "build_question", "keyed_id", "opaque_id", "question_type",
           "question_types", "seal", "type_names", "xapi_interaction"]
