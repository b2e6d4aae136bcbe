"""The format of a course's toolkit (issue 21): the working tools of a course (a contact plan, a
scoring sheet, a consent record) written once as `toolkit/<id>.yml` and published as editable
downloads (an office document, Markdown, and CSV for a table). What is built from them is in
brokerlearn.compiler.toolkit."""
from __future__ import annotations

from brokerlearn.course.schema_types import Field, Identifier, Integer, ListOf, Markdown, Obj, Text

TOOL_FIELD = Obj("a field of a tool", [
    Field("label", Text(), "What to fill in, e.g. `Firm and region`.", required=True),
    Field("hint", Text(), "A short help shown under the label, e.g. `one line`.", default=""),
])

TOOL_SECTION = Obj("a section of a tool", [
    Field("heading", Text(), "The section's heading, e.g. `The firm`.", required=True),
    Field("intro", Markdown(), "A sentence or two before the fields.", default=""),
    Field("fields", ListOf(TOOL_FIELD), "The fields to fill in, each with a space to write.", default=list),
])

TOOL_TABLE = Obj("a tool's table", [
    Field("title", Text(), "The table's heading, e.g. `Contacts`.", required=True),
    Field("columns", ListOf(Text(), non_empty=True), "Column headings, in order.", required=True),
    Field("example", ListOf(ListOf(Text(non_empty=False))), "Filled-in example rows (as many cells as columns), "
          "shown first and marked as an example.", default=list),
    Field("rows", Integer(0), "Empty rows to fill in, in the office document.", default=8),
])

TOOL = Obj("a tool file", [
    Field("id", Identifier(), "Stable ID of the tool: its file's name without `.yml`, and the name of "
          "its downloads.", required=True),
    Field("title", Text(), "The tool's name, e.g. `Contact plan`.", required=True),
    Field("purpose", Markdown(), "What it is for and when to use it: shown on the page and at the top "
          "of each download.", required=True),
    Field("sections", ListOf(TOOL_SECTION), "Headed groups of fields (a form).", default=list),
    Field("table", TOOL_TABLE, "A table to fill in, also published as CSV.", default=None),
])

ALL = [TOOL, TOOL_SECTION, TOOL_FIELD, TOOL_TABLE]
