"""What the two choice types (`single`, `multiple`) share: options, their checks, views and feedback."""
from __future__ import annotations

from brokerlearn.course.questions.base import BadResponse, Checker, QuestionType, ViewContext, component, shuffled
from brokerlearn.course.questions.model import Option, Question, opaque_id
from brokerlearn.course.schema_types import Boolean, Field, ListOf, Markdown, Obj
from brokerlearn.course.yamlpos import YMap

OPTION = Obj("an option", [
    Field("text", Markdown(), "The option as shown (Markdown).", required=True),
    Field("correct", Boolean(), "Whether choosing it is right.", default=False),
    Field("feedback", Markdown(), "Feedback shown for this option.", default=None),
])
OPTIONS = Field("options", ListOf(OPTION), "Options", default=None)


class ChoiceType(QuestionType):
    keys = (OPTIONS,)
    interaction_type = "choice"
    many = False

    def build(self, question: Question, data: YMap, scope: str, check: Checker) -> None:
        options = data["options"]
        if not options:
            check.error(None, f"a {question.type} question needs 'options'")
            return
        question.options = [Option(opaque_id("o", scope, o["text"]), o["text"], bool(o["correct"]), o["feedback"])
                            for o in options]
        texts = [o.text.strip().casefold() for o in question.options]
        if len(options) < 2:
            check.error("options", "give at least two options")
        if len(set(texts)) < len(texts):
            check.error("options", "two options have the same text")
        self.check_correct(sum(o.correct for o in question.options), check)

    def check_correct(self, correct: int, check: Checker) -> None:
        raise NotImplementedError

    def chosen(self, question: Question, response) -> set[str]:
        values = response if self.many else [response]
        if not isinstance(values, (list, tuple)) or not all(isinstance(v, str) for v in values):
            raise BadResponse("choose from the options")
        if not values:
            raise BadResponse("choose at least one option")
        if not set(values) <= {o.id for o in question.options}:
            raise BadResponse("an option that is not part of this question")
        return set(values)

    @staticmethod
    def feedback(question: Question, chosen: set[str]) -> list[dict]:
        """Per chosen option: its feedback as written and as the build rendered it (`html`)."""
        return [{"option": o.id, "text": o.feedback, "html": o.feedback_html, "correct": o.correct}
                for o in question.options if o.id in chosen]

    def view(self, question: Question, ctx: ViewContext) -> dict:
        order = [o.id for o in question.options]
        if ctx.shuffle:
            order = shuffled(order, ctx.secret, "options")
        texts = {o.id: o.text for o in question.options}
        return {"options": [{"id": oid, "html": ctx.markdown_line(texts[oid])} for oid in order]}

    def practice_key(self, question: Question, ctx: ViewContext) -> dict:
        return {"options": {o.id: {"correct": o.correct,
                                   "feedback_html": ctx.markdown_line(o.feedback) if o.feedback else ""}
                            for o in question.options}}

    def chosen_options(self, question: Question, response) -> list[str]:
        values = response if isinstance(response, list) else [response]
        return [v for v in values if isinstance(v, str)]

    def xapi_components(self, question: Question, lang: str) -> dict:
        return {"choices": [component(o.id, o.text, lang) for o in question.options]}

    def xapi_correct_responses(self, question: Question) -> list[str] | None:
        return ["[,]".join(o.id for o in question.options if o.correct)]
