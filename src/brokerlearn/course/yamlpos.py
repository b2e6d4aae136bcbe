"""YAML loading that remembers where every key and value came from.

PyYAML's composer already knows the position of each node; we build plain Python values
from the node tree ourselves so that mappings and lists keep those positions. Duplicate
keys, which PyYAML would silently overwrite, are reported.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from brokerlearn.errors import YAML_SYNTAX, Diagnostics

_Composer = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_scalar_constructor = yaml.SafeLoader("")


@dataclass(frozen=True)
class Pos:
    """A 1-based position in a source file."""

    path: Path
    line: int
    col: int


class YMap(dict):
    """A dict that knows its own position and the position of each key and value."""

    pos: Pos
    key_pos: dict
    value_pos: dict
    raw: dict  # the source text of scalar values, e.g. "1.10" for a version

    def pos_of(self, key) -> Pos:
        return self.key_pos.get(key, self.pos)

    def value_pos_of(self, key) -> Pos:
        return self.value_pos.get(key, self.pos_of(key))


class YList(list):
    """A list that knows its own position and the position of each item."""

    pos: Pos
    item_pos: list

    def pos_at(self, index: int) -> Pos:
        return self.item_pos[index] if index < len(self.item_pos) else self.pos


def _pos(path: Path, node, line_offset: int) -> Pos:
    mark = node.start_mark
    return Pos(path, mark.line + 1 + line_offset, mark.column + 1)


def _convert(node, path: Path, line_offset: int, diags: Diagnostics):
    if isinstance(node, yaml.MappingNode):
        result = YMap()
        result.pos = _pos(path, node, line_offset)
        result.key_pos, result.value_pos, result.raw = {}, {}, {}
        for key_node, value_node in node.value:
            key = _convert(key_node, path, line_offset, diags)
            key_pos = _pos(path, key_node, line_offset)
            if not isinstance(key, (str, int, float, bool)) or key is None:
                diags.error(path, key_pos.line, key_pos.col, "a key must be a plain word")
                continue
            if key in result:
                diags.error(path, key_pos.line, key_pos.col,
                            f"duplicate key '{key}' (first given on line {result.key_pos[key].line})")
                continue
            result[key] = _convert(value_node, path, line_offset, diags)
            result.key_pos[key] = key_pos
            result.value_pos[key] = _pos(path, value_node, line_offset)
            if isinstance(value_node, yaml.ScalarNode):
                result.raw[key] = value_node.value
        return result
    if isinstance(node, yaml.SequenceNode):
        result = YList(_convert(item, path, line_offset, diags) for item in node.value)
        result.pos = _pos(path, node, line_offset)
        result.item_pos = [_pos(path, item, line_offset) for item in node.value]
        return result
    try:
        return _scalar_constructor.construct_object(node, deep=True)
    except yaml.YAMLError as exc:
        pos = _pos(path, node, line_offset)
        diags.error(path, pos.line, pos.col, f"invalid value: {exc.problem or exc}")
        return None


def _mark(mark) -> tuple[int, int]:
    return (mark.line + 1, mark.column + 1) if mark else (1, 1)


def _first_tab(lines: list[str], last: int) -> tuple[int, int] | None:
    """(line, column) of the first tab in the indentation of lines 1..last."""
    for number, line in enumerate(lines[:last], 1):
        indent = line[:len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent:
            return number, indent.index("\t") + 1
    return None


def _quoted(line: str) -> str:
    """The line with its value put in double quotes: what the author should write."""
    head, sep, value = line.partition(": ")
    value = value.strip().replace("\\", "\\\\").replace('"', '\\"')
    return f'{head.strip()}{sep}"{value}"'


def explain_yaml_error(exc: yaml.MarkedYAMLError, text: str, line_offset: int = 0) -> tuple[int, int, str]:
    """(line, column, plain words) for a PyYAML error: what to change, not the parser's state.

    The common mistakes of authors each get their fix; anything else keeps the parser's words.
    Lines are of the file: `line_offset` is where the YAML starts in it (front matter)."""
    line, col, message = _explain(exc, text, line_offset)
    return line + line_offset, col, message


@dataclass
class _Error:
    """A PyYAML error read against the text it came from."""

    lines: list
    line: int
    col: int
    context_line: int
    context_col: int
    problem: str
    context: str
    off: int  # where the YAML starts in its file, for line numbers in messages

    @property
    def source(self) -> str:
        return self.lines[self.line - 1] if 0 < self.line <= len(self.lines) else ""


def _explain(exc: yaml.MarkedYAMLError, text: str, off: int) -> tuple[int, int, str]:
    line, col = _mark(exc.problem_mark or exc.context_mark)
    context_line, context_col = _mark(exc.context_mark) if exc.context_mark else (line, col)
    error = _Error(text.split("\n"), line, col, context_line, context_col, exc.problem or "invalid YAML",
                   exc.context or "", off)
    for explain in (_tab, _colon, _quote, _block, _flow, _simple_key, _bad_start):
        found = explain(error)
        if found:
            return found
    return line, col, f"{error.context + ', ' if error.context else ''}{error.problem}"


def _tab(e: _Error):
    here = _first_tab([e.source], 1)
    if here or "tab" in e.problem or "'\\t'" in e.problem:
        line, col = (e.line, here[1]) if here else (_first_tab(e.lines, e.line) or (e.line, e.col))
        return line, col, f"a tab character at line {line + e.off}: YAML indentation must use spaces"


def _colon(e: _Error):
    if not e.problem.startswith("mapping values are not allowed"):
        return None
    before = e.source[:e.col - 1]
    if ": " in before or before.rstrip().endswith(":"):
        return e.line, e.col, f"a ': ' inside a value: put text that contains ': ' in quotes, e.g. {_quoted(e.source)}"
    return e.line, e.col, ("this line is indented more than the one above, which has its value already: "
                           "start it in the same column as the key above it")


def _quote(e: _Error):
    if e.context != "while scanning a quoted scalar":
        return None
    if "end of stream" in e.problem:
        quote = e.lines[e.context_line - 1][e.context_col - 1:][:1] or '"'
        return e.context_line, e.context_col, f"this quote ({quote}) is never closed: end the text with {quote}"
    if "escape" in e.problem:
        return e.line, e.col, ("a backslash in double quotes starts an escape such as \\n: write \\\\ "
                               "for a backslash, or use single quotes")
    return None


def _block(e: _Error):
    if e.context not in ("while parsing a block mapping", "while parsing a block collection"):
        return None
    before = e.source[:e.col - 1].rstrip()
    if before.endswith(('"', "'")) and ": " in before:
        return e.line, e.col, ("text after the closing quote: put the whole value in quotes "
                               "(use ' around it if it contains \")")
    start = e.context_line + e.off
    if "collection" in e.context:
        return e.line, e.col, (f"this line does not line up with the list that starts at line {start}: each "
                               f"item starts with '- ' in the same column, and the keys inside an item line up "
                               f"with its first key; indent with spaces")
    return e.line, e.col, (f"this line does not line up with the keys above it (from line {start}): "
                           f"the keys of one block start in the same column; indent with spaces")


def _flow(e: _Error):
    if not e.context.startswith("while parsing a flow"):
        return None
    opened, closer = ("[", "]") if "sequence" in e.context else ("{", "}")
    return e.context_line, e.context_col, (f"the '{opened}' opened here is not closed with '{closer}', or an "
                                           f"item holds ':' or '#': close it on the same line and put such "
                                           f"items in quotes")


def _simple_key(e: _Error):
    if e.context != "while scanning a simple key":
        return None
    return e.context_line, 1, (f"line {e.context_line + e.off} is not 'key: value': add the ':' after the key; "
                               f"text that goes on over several lines needs quotes, or '|' after the key")


def _bad_start(e: _Error):
    if "cannot start any token" in e.problem or e.problem.startswith("found undefined alias"):
        char = e.source[e.col - 1:e.col] or "?"
        return e.line, e.col, f"a value cannot start with '{char}': put the value in quotes"
    return None


def load_yaml(text: str, path: Path, diags: Diagnostics, line_offset: int = 0):
    """Parse one YAML document; on a syntax error record it and return None.

    `line_offset` shifts reported lines, for YAML embedded in a larger file (front matter).
    """
    try:
        node = yaml.compose(text, Loader=_Composer)
    except yaml.MarkedYAMLError as exc:
        line, col, message = explain_yaml_error(exc, text, line_offset)
        diags.error(path, line, col, f"{YAML_SYNTAX}: {message}")
        return None
    except yaml.YAMLError as exc:
        diags.error(path, 1 + line_offset, 1, f"{YAML_SYNTAX}: {exc}")
        return None
    if node is None:
        return None
    return _convert(node, path, line_offset, diags)


def load_yaml_file(path: Path, diags: Diagnostics):
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        diags.error(path, 1, 1, f"not UTF-8 text ({exc.reason} at byte {exc.start})")
        return None
    return load_yaml(text, path, diags)
