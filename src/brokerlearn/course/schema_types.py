"""Value types for the course format schema.

Each type checks one YAML value, reports a precise error at its position, and describes
itself for the format reference, so validation and documentation cannot drift apart.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from brokerlearn.course.yamlpos import Pos, YList, YMap
from brokerlearn.errors import Diagnostics

INVALID = object()
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LANG_RE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def kind_of(value) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return "a number"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping of keys"
    return type(value).__name__


def did_you_mean(word: str, choices) -> str:
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


@dataclass
class Ctx:
    diags: Diagnostics
    label: str  # how to name the value in a message, e.g. "'minutes'"

    def error(self, pos: Pos, message: str) -> object:
        self.diags.error(pos.path, pos.line, pos.col, message)
        return INVALID


class Type:
    description = "a value"

    def check(self, value, pos: Pos, ctx: Ctx):
        return value


class Text(Type):
    description = "text"

    def __init__(self, non_empty: bool = True):
        self.non_empty = non_empty

    def check(self, value, pos, ctx):
        if isinstance(value, bool) or value is None or isinstance(value, (list, dict)):
            return ctx.error(pos, f"{ctx.label} must be text, not {kind_of(value)}")
        text = str(value).strip()  # numbers given where text is expected are fine as text
        if self.non_empty and not text:
            return ctx.error(pos, f"{ctx.label} must not be empty")
        return text


class Markdown(Text):
    description = "Markdown text"


class Pattern(Text):
    def __init__(self, regex: re.Pattern, description: str, hint: str):
        super().__init__()
        self.regex, self.description, self.hint = regex, description, hint

    def check(self, value, pos, ctx):
        text = super().check(value, pos, ctx)
        if text is INVALID:
            return text
        if not self.regex.match(text):
            return ctx.error(pos, f"{ctx.label} '{text}' is not valid: {self.hint}")
        return text


def Slug():
    return Pattern(SLUG_RE, "a slug (lower-case letters, digits and hyphens)",
                   "use lower-case letters, digits and single hyphens, e.g. 'online-collaboration'")


def Identifier():
    return Pattern(ID_RE, "an identifier (letters, digits, '.', '_', '-')",
                   "use letters, digits, '.', '_' and '-', starting with a letter or digit")


def Language():
    return Pattern(LANG_RE, "a BCP 47 language tag such as `en` or `de-AT`",
                   "give a BCP 47 language tag such as 'en' or 'de-AT'")


class Integer(Type):
    def __init__(self, minimum: int | None = None):
        self.minimum = minimum
        self.description = "a whole number" + (f" ≥ {minimum}" if minimum is not None else "")

    def check(self, value, pos, ctx):
        if isinstance(value, bool) or not isinstance(value, int):
            return ctx.error(pos, f"{ctx.label} must be a whole number, not {kind_of(value)}")
        if self.minimum is not None and value < self.minimum:
            return ctx.error(pos, f"{ctx.label} must be at least {self.minimum}, not {value}")
        return value


class Number(Type):
    def __init__(self, minimum=None, maximum=None, exclusive_minimum=False):
        self.minimum, self.maximum, self.exclusive_minimum = minimum, maximum, exclusive_minimum
        low = "" if minimum is None else ("(" if exclusive_minimum else "[") + str(minimum)
        self.description = "a number" + (f" in {low}, {maximum}]" if maximum is not None else "")

    def check(self, value, pos, ctx):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return ctx.error(pos, f"{ctx.label} must be a number, not {kind_of(value)}")
        too_low = self.minimum is not None and (
            value <= self.minimum if self.exclusive_minimum else value < self.minimum)
        too_high = self.maximum is not None and value > self.maximum
        if too_low or too_high:
            return ctx.error(pos, f"{ctx.label} must be {self.description}, not {value}")
        return value


class Boolean(Type):
    description = "`true` or `false`"

    def check(self, value, pos, ctx):
        if not isinstance(value, bool):
            return ctx.error(pos, f"{ctx.label} must be true or false, not {kind_of(value)}")
        return value


class Choice(Type):
    def __init__(self, *choices):
        self.choices = choices
        self.description = "one of " + ", ".join(f"`{c}`" for c in choices)

    def check(self, value, pos, ctx):
        if value not in self.choices:
            hint = did_you_mean(value, self.choices)
            options = ", ".join(str(c) for c in self.choices)
            return ctx.error(pos, f"{ctx.label} must be one of {options}, not '{value}'{hint}")
        return value


class Either(Type):
    """The first of several types that accepts the value (errors of the last one are shown)."""

    def __init__(self, *types: Type):
        self.types = types
        self.description = " or ".join(t.description for t in types)

    def check(self, value, pos, ctx):
        silent = Ctx(Diagnostics(), ctx.label)
        for t in self.types[:-1]:
            result = t.check(value, pos, silent)
            if result is not INVALID:
                return result
        return self.types[-1].check(value, pos, ctx)


class Anything(Type):
    description = "any value (depends on the question type)"


class ListOf(Type):
    def __init__(self, item: Type, non_empty: bool = False):
        self.item, self.non_empty = item, non_empty
        self.description = f"a list of {item.description}"

    def check(self, value, pos, ctx):
        if not isinstance(value, list):
            return ctx.error(pos, f"{ctx.label} must be a list, not {kind_of(value)}")
        if self.non_empty and not value:
            return ctx.error(pos, f"{ctx.label} must not be empty")
        result = YList()
        result.pos = getattr(value, "pos", pos)
        result.item_pos = []
        ok = True
        for index, item in enumerate(value):
            item_pos = value.pos_at(index) if isinstance(value, YList) else pos
            checked = self.item.check(item, item_pos, Ctx(ctx.diags, f"item {index + 1} of {ctx.label}"))
            if checked is INVALID:
                ok = False
                continue
            result.append(checked)
            result.item_pos.append(item_pos)
        return result if ok else INVALID


@dataclass(frozen=True)
class Field:
    """One key of a YAML mapping, documented where it is defined."""

    name: str
    type: Type
    doc: str
    required: bool = False
    default: Any = None


@dataclass
class Obj(Type):
    """A mapping with a fixed set of keys."""

    title: str
    fields: list[Field] = field(default_factory=list)

    @property
    def description(self) -> str:
        return f"a mapping ({self.title})"

    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def check(self, value, pos, ctx):
        if not isinstance(value, dict):
            return ctx.error(pos, f"{ctx.label} must be a mapping of keys ({self.title}), not {kind_of(value)}")
        if not isinstance(value, YMap):  # values built in code, not read from a file
            wrapped = YMap(value)
            wrapped.pos, wrapped.key_pos, wrapped.value_pos, wrapped.raw = pos, {}, {}, {}
            value = wrapped
        return self.validate(value, ctx.diags)

    def validate(self, data: YMap, diags: Diagnostics):
        """Return a YMap with every field present (defaults filled in), or INVALID."""
        known = {f.name: f for f in self.fields}
        result = YMap()
        result.pos, result.key_pos, result.value_pos, result.raw = data.pos, data.key_pos, data.value_pos, data.raw
        ok = True
        for key in data:
            if key not in known:
                pos = data.pos_of(key)
                diags.error(pos.path, pos.line, pos.col,
                            f"unknown key '{key}' in {self.title}{did_you_mean(key, known)}")
                ok = False
        for f in self.fields:
            if f.name not in data or data[f.name] is None:
                if f.required:
                    where = "" if f.name not in data else " (it is empty)"
                    diags.error(data.pos.path, data.pos.line, data.pos.col,
                                f"missing required key '{f.name}' in {self.title}{where}")
                    ok = False
                result[f.name] = f.default() if callable(f.default) else f.default
                continue
            value = data[f.name]
            if isinstance(f.type, Text) and f.name in data.raw:
                value = data.raw[f.name]  # keep "1.10" as written, and "yes" as text, not a boolean
            checked = f.type.check(value, data.value_pos_of(f.name), Ctx(diags, f"'{f.name}'"))
            if checked is INVALID:
                ok = False
                result[f.name] = f.default() if callable(f.default) else f.default
            else:
                result[f.name] = checked
        result.valid = ok
        return result
