"""The question types: found in this package (every module with a `TYPE`), asked by the rest.

Schema, loader, grading, the compiler's quiz views, the browser graders, the statistics,
xAPI and the format reference loop over `question_types()`; none of them names a type.
"""
from __future__ import annotations

import functools
import importlib
import pkgutil

from brokerlearn.course.questions.base import Checker, QuestionType
from brokerlearn.course.questions.model import Question
from brokerlearn.course.schema_types import Anything, Field
from brokerlearn.course.yamlpos import YMap
from brokerlearn.errors import Diagnostics


@functools.lru_cache(maxsize=1)
def _found() -> dict[str, QuestionType]:
    package = importlib.import_module(__package__)
    found: dict[str, QuestionType] = {}
    for info in pkgutil.iter_modules(package.__path__):
        kind = getattr(importlib.import_module(f"{__package__}.{info.name}"), "TYPE", None)
        if isinstance(kind, QuestionType):
            if kind.name in found:
                raise RuntimeError(f"two question types are called '{kind.name}'")
            found[kind.name] = kind
    return dict(sorted(found.items(), key=lambda item: (item[1].position, item[0])))


def question_types() -> list[QuestionType]:
    """Every type, in the order the format reference lists them."""
    return list(_found().values())


def type_names() -> tuple[str, ...]:
    return tuple(_found())


def question_type(name: str) -> QuestionType:
    return _found()[name]


def answer_fields() -> list[Field]:
    """The types' keys as one list of schema fields: a key several types use (`answer`) is
    documented once, naming each type and what the key means to it."""
    uses: dict[str, list[tuple[QuestionType, Field]]] = {}
    for kind in question_types():
        for key in kind.keys:
            uses.setdefault(key.name, []).append((kind, key))
    return [_merged(name, found) for name, found in uses.items()]


def _merged(name: str, uses: list[tuple[QuestionType, Field]]) -> Field:
    docs: dict[str, list[str]] = {}
    for kind, key in uses:
        docs.setdefault(key.doc, []).append(f"`{kind.name}`")
    doc = "; ".join(f"{text} ({', '.join(kinds)})" for text, kinds in docs.items()) + "."
    first = uses[0][1]
    same = all(type(key.type) is type(first.type) and key.default == first.default for _, key in uses)
    return Field(name, first.type if same else Anything(), doc[0].upper() + doc[1:], default=first.default)


def build_question(data: YMap, scope: str, diags: Diagnostics) -> Question | None:
    """Check a schema-validated question and give it its typed form, or None if it is wrong."""
    kind = _found().get(data.get("type"))
    if not data.get("id") or kind is None:
        return None
    check = Checker(data, diags)
    for key in answer_fields():
        if key.name not in kind.key_names() and data.get(key.name) not in (None, key.default):
            check.error(key.name, f"'{key.name}' does not apply to a {kind.name} question")
    question = Question(data["id"], kind.name, data["prompt"] or "", list(data["outcomes"] or []),
                        float(data["points"] or 1), data["explanation"],
                        tags=list(data.get("tags") or []))
    kind.build(question, data, f"{scope}/{data['id']}", check)
    return question if check.ok else None


def xapi_interaction(question: Question, lang: str, with_key: bool) -> dict:
    """The xAPI cmi.interaction definition's type-given part: interactionType, its components
    and (`with_key`: a practice question, whose key is public anyway) correctResponsesPattern."""
    kind = question_type(question.type)
    definition = {"interactionType": kind.interaction_type, **kind.xapi_components(question, lang)}
    pattern = kind.xapi_correct_responses(question) if with_key else None
    if pattern:
        definition["correctResponsesPattern"] = pattern
    return definition
