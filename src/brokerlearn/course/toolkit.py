"""A course's toolkit (issue 21): the working tools of the course, one YAML file each under
`toolkit/`, loaded and checked here (errors at file:line like every other file). The downloads
built from them are brokerlearn.compiler.toolkit's; a lesson places a tool with `::: tool ID`."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from brokerlearn.course import schema_toolkit as schema
from brokerlearn.course.yamlpos import load_yaml_file
from brokerlearn.errors import Diagnostics

FOLDER = "toolkit"


@dataclass(frozen=True)
class ToolField:
    label: str
    hint: str = ""


@dataclass(frozen=True)
class ToolSection:
    heading: str
    intro: str = ""
    fields: tuple[ToolField, ...] = ()


@dataclass(frozen=True)
class ToolTable:
    title: str
    columns: tuple[str, ...]
    example: tuple[tuple[str, ...], ...] = ()
    rows: int = 8


@dataclass(frozen=True)
class Tool:
    id: str
    title: str
    purpose: str
    path: Path
    sections: tuple[ToolSection, ...] = ()
    table: ToolTable | None = None
    content_hash: str = field(default="", compare=False)  # of the source file: the downloads' cache key


def tool_files(root: Path) -> list[Path]:
    folder = root / FOLDER
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in (".yml", ".yaml"))


def load_tools(root: Path, diags: Diagnostics) -> dict[str, Tool]:
    """Every tool of the course, by ID, in file-name order."""
    tools: dict[str, Tool] = {}
    for path in tool_files(root):
        tool = load_tool(path, diags)
        if tool is not None:
            tools[tool.id] = tool
    return tools


def load_tool(path: Path, diags: Diagnostics) -> Tool | None:
    import hashlib

    data = load_yaml_file(path, diags)
    if not isinstance(data, dict):
        if data is not None or not diags.errors:
            diags.error(path, 1, 1, "a tool file must be keys and values (id, title, purpose, sections or table)")
        return None
    values = schema.TOOL.validate(data, diags)
    if not values or not values["id"] or not values["title"]:
        return None
    ok = True
    if values["id"] != path.stem:
        pos = values.value_pos_of("id")
        diags.error(pos.path, pos.line, pos.col, f"the tool's id '{values['id']}' must be its file's name: "
                    f"rename the file to {FOLDER}/{values['id']}.yml")
        ok = False
    table = values["table"]
    if not values["sections"] and not table:
        diags.error(path, values.pos.line, values.pos.col, "a tool needs 'sections' (fields to fill in), "
                    "a 'table', or both: there is nothing to download otherwise")
        ok = False
    if table:
        for index, row in enumerate(table["example"]):
            if len(row) != len(table["columns"]):
                pos = table["example"].item_pos[index]
                diags.error(pos.path, pos.line, pos.col, f"example row {index + 1} has {len(row)} cells, "
                            f"the table has {len(table['columns'])} columns")
                ok = False
    if not ok:
        return None
    sections = tuple(ToolSection(s["heading"], s["intro"], tuple(ToolField(f["label"], f["hint"]) for f in s["fields"]))
                     for s in values["sections"])
    tool_table = (ToolTable(table["title"], tuple(table["columns"]), tuple(tuple(r) for r in table["example"]),
                            table["rows"]) if table else None)
    return Tool(values["id"], values["title"], values["purpose"], path, sections, tool_table,
                hashlib.sha256(path.read_bytes()).hexdigest())
