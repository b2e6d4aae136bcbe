"""The format of assessed work (issue 18), declared as data like the rest of the format: an
assignment file (`modules/<module>/<name>.assignment.yml`) and a rubric file shared by several
assignments (`rubrics/<id>.yml`). What the checks beyond the types are is in
brokerlearn.course.assignment."""
from __future__ import annotations

import re

from brokerlearn.course.schema_types import (
    INVALID, Boolean, Choice, Either, Field, Identifier, Integer, ListOf, Markdown, Number, Obj, Text,
)


class RatingValue(Text):
    """A level ID or a number, read as written (so a level called `no` stays `no`, not false)."""

    description = "a level ID or a number"
    NUMBER = re.compile(r"^\d+(?:\.\d+)?$")

    def check(self, value, pos, ctx):
        text = super().check(value, pos, ctx)
        if text is INVALID or not self.NUMBER.match(text):
            return text if text is INVALID else Identifier().check(text, pos, ctx)
        return float(text)

# The file types a submission may have, by the name an author writes; the server checks each
# upload's content against these (brokerlearn.server.services.uploads).
FILE_TYPES = {
    "pdf": "PDF document",
    "docx": "Word document",
    "odt": "OpenDocument text",
    "png": "PNG image",
    "jpg": "JPEG image",
    "txt": "plain text",
}
CRITERION_KINDS = ("levels", "points", "checklist", "comment")
# A peer step may ask for at most this many reviews of each submission: in the smallest cohort
# we plan for (five learners), with one of them away, each of the other four can still be
# reviewed by the remaining three.
SMALL_COHORT = 5
MAX_PEER_REVIEWS = SMALL_COHORT - 2

LEVEL = Obj("a rubric level", [
    Field("id", Identifier(), "Stable ID of the level, unique in its criterion, e.g. `meets`.", required=True),
    Field("title", Text(), "Short name shown in the rubric's table, e.g. `Meets the standard`.", required=True),
    Field("descriptor", Markdown(), "What work at this level looks like, observable.", required=True),
    Field("points", Number(0), "Points for this level.", required=True),
])

CRITERION = Obj("a rubric criterion", [
    Field("id", Identifier(), "Stable ID of the criterion, unique in its rubric.", required=True),
    Field("title", Text(), "What is judged, e.g. `Concrete next step`.", required=True),
    Field("description", Markdown(), "What the reviewer looks for.", default=""),
    Field("outcomes", ListOf(Identifier()), "Outcome IDs of the profile this criterion evidences.",
          default=list),
    Field("kind", Choice(*CRITERION_KINDS), "`levels` (pick one level), `points` (a number in a "
          "range), `checklist` (tick the items met, a point each) or `comment` (feedback only, no "
          "score).", default="levels"),
    Field("levels", ListOf(LEVEL), "The levels, lowest first (`levels`); at least two, not all "
          "worth the same.", default=None),
    Field("expected", Identifier(), "The level that meets the standard: a rating below it needs a "
          "comment (default: the lowest level worth at least the pass mark's share).", default=None),
    Field("max_points", Number(0, exclusive_minimum=True), "Highest score (`points`); the lowest is 0.",
          default=None),
    Field("items", ListOf(Text()), "What must be there (`checklist`), a point each.", default=None),
])

RUBRIC = Obj("a rubric", [
    Field("title", Text(), "Title of the rubric (default: the assignment's).", default=None),
    Field("criteria", ListOf(CRITERION, non_empty=True), "The criteria, in the order reviewers "
          "see them.", required=True),
])

RUBRIC_FILE = Obj("a rubric file", [
    Field("id", Identifier(), "Stable ID; assignments name it in `rubric`. The file is "
          "`rubrics/ID.yml`.", required=True),
    Field("title", Text(), "Title of the rubric.", required=True),
    Field("criteria", ListOf(CRITERION, non_empty=True), "The criteria.", required=True),
])

TEXT_SUBMISSION = Obj("a text submission", [
    Field("min_words", Integer(minimum=0), "Fewest words accepted.", default=0),
    Field("max_words", Integer(minimum=1), "Most words accepted.", default=2000),
    Field("required", Boolean(), "Whether the text must be given.", default=True),
])

FILE_SUBMISSION = Obj("a file submission", [
    Field("types", ListOf(Choice(*FILE_TYPES), non_empty=True), "Allowed types: "
          + ", ".join(f"`{name}` ({label})" for name, label in FILE_TYPES.items())
          + ". The server checks each file's content, not its name.", required=True),
    Field("max_mb", Number(0, 25, exclusive_minimum=True), "Largest file, in megabytes (the "
          "server refuses larger ones).", default=10),
    Field("max_files", Integer(minimum=1), "Most files per submission.", default=1),
    Field("required", Boolean(), "Whether a file must be attached.", default=False),
])

SUBMISSION = Obj("what the learner submits", [
    Field("text", TEXT_SUBMISSION, "A text written in the page.", default=None),
    Field("files", FILE_SUBMISSION, "Files attached.", default=None),
])

RATING = Obj("a reference rating", [
    Field("criterion", Identifier(), "The criterion rated.", required=True),
    Field("value", RatingValue(), "A level ID (`levels`), points (`points`) or "
          "the number of items met (`checklist`).", required=True),
    Field("reason", Text(), "One line: why this rating, shown to a learner whose rating differs.",
          required=True),
])

EXAMPLE = Obj("a trainer example", [
    Field("id", Identifier(), "Stable ID of the example.", required=True),
    Field("text", Markdown(), "The example work, as a learner might submit it.", required=True),
    Field("ratings", ListOf(RATING, non_empty=True), "The trainer's rating of each scored "
          "criterion, with its reason.", required=True),
    Field("note", Text(), "A note for trainers only.", default=None),
])

PRACTICE = Obj("the practice step", [
    Field("examples", ListOf(EXAMPLE, non_empty=True), "One to three trainer examples the learner "
          "rates before reviewing peers (never published in the site).", required=True),
    Field("tolerance", Integer(minimum=0), "Levels a rating may differ from the reference and pass.",
          default=1),
    Field("retries", Integer(minimum=0), "Further tries after a miss.", default=1),
])

PEER = Obj("the peer step", [
    Field("reviews", Integer(minimum=1), f"Reviews each submission gets from peers (at most "
          f"{MAX_PEER_REVIEWS}).", default=2),
    Field("weight", Number(0, 0.5), "Share of the grade the peers' median gives; 0 = advisory. "
          "More than 0 needs a practice step and at least 3 reviews.", default=0),
])

STEPS = Obj("the steps", [
    Field("practice", PRACTICE, "Rate trainer examples first (needs a peer step).", default=None),
    Field("peer", PEER, "Review peers' work.", default=None),
    Field("self", Boolean(), "A self-review after the peer step.", default=False),
    Field("trainer", Boolean(), "A trainer grades (the grade of record).", default=True),
])

RESUBMIT = Obj("revise and resubmit", [
    Field("allowed", Choice("never", "trainer", "until-pass"), "`never`, when the `trainer` asks, "
          "or `until-pass` (automatically while below the pass mark).", default="trainer"),
    Field("max_attempts", Integer(minimum=1), "Most submissions in all.", default=2),
])

DUE = Obj("relative due dates", [
    Field("submit", Integer(minimum=1), "Days from the learner's first visit of the lesson to "
          "submitting.", default=None),
    Field("review", Integer(minimum=1), "Days from submitting to finishing the reviews.", default=None),
    Field("feedback", Integer(minimum=1), "Days from submitting to the trainer's grade.", default=None),
])

ASSIGNMENT = Obj("an assignment file", [
    Field("id", Identifier(), "Stable assignment ID, unique in the course; a lesson places it with "
          "`::: assignment ID`.", required=True),
    Field("title", Text(), "Title of the assignment.", required=True),
    Field("brief", Markdown(), "What to do, for the learner.", required=True),
    Field("outcomes", ListOf(Identifier()), "Outcome IDs it evidences (default: its criteria's).",
          default=list),
    Field("submission", SUBMISSION, "What the learner submits: `text`, `files` or both.", required=True),
    Field("rubric", Either(Identifier(), RUBRIC), "The rubric: inline, or the ID of a rubric file "
          "in `rubrics/`.", required=True),
    Field("steps", STEPS, "Who reviews (default: the trainer alone).", default=None),
    Field("pass_mark", Number(0, 1, exclusive_minimum=True), "Share of the rubric's points needed "
          "to pass.", default=0.5),
    Field("resubmit", RESUBMIT, "Revise and resubmit.", default=None),
    Field("due", DUE, "Relative due dates, in days.", default=None),
])

ALL = [ASSIGNMENT, SUBMISSION, TEXT_SUBMISSION, FILE_SUBMISSION, RUBRIC, RUBRIC_FILE, CRITERION, LEVEL,
       STEPS, PRACTICE, EXAMPLE, RATING, PEER, RESUBMIT, DUE]
