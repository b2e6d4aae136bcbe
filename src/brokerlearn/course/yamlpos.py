"""YAML loading that remembers where every key and value came from.

PyYAML's composer already knows the position of each node; we build plain Python values
from the node tree ourselves so that mappings and lists keep those positions. Duplicate
keys, which PyYAML would silently overwrite, are reported.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from brokerlearn.errors import Diagnostics

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


def load_yaml(text: str, path: Path, diags: Diagnostics, line_offset: int = 0):
    """Parse one YAML document; on a syntax error record it and return None.

    `line_offset` shifts reported lines, for YAML embedded in a larger file (front matter).
    """
    try:
        node = yaml.compose(text, Loader=_Composer)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1 + line_offset, mark.column + 1) if mark else (1 + line_offset, 1)
        problem = exc.problem or "invalid YAML"
        if exc.context:
            problem = f"{exc.context}, {problem}"
        diags.error(path, line, col, f"YAML syntax error: {problem}")
        return None
    except yaml.YAMLError as exc:
        diags.error(path, 1 + line_offset, 1, f"YAML syntax error: {exc}")
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
