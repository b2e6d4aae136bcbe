"""Diagnostics: every author error carries a file, a line, a column and a message.

A build collects all of them and reports them together, the way compilers do, so an
editor can jump to each one.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

ERROR = "error"
WARNING = "warning"
# A file that cannot be read at all: every message that starts so is a root cause, listed
# before the knock-on errors it causes elsewhere (an unknown quiz, a lesson that is missing).
YAML_SYNTAX = "YAML syntax error"
ROOT_CAUSES = (YAML_SYNTAX, "not UTF-8 text", "the front matter is not closed")


@dataclass(frozen=True, order=True)
class Diagnostic:
    path: str
    line: int
    col: int
    level: str
    message: str

    def format(self, relative_to: Path | None = None) -> str:
        path = self.path
        if relative_to is not None:
            try:
                path = os.path.relpath(path, relative_to)
            except ValueError:  # a different drive on Windows
                pass
        return f"{path}:{self.line}:{self.col}: {self.level}: {self.message}"

    @property
    def root_cause(self) -> bool:
        return self.message.startswith(ROOT_CAUSES)

    def as_dict(self) -> dict:
        return {"path": self.path, "line": self.line, "column": self.col,
                "level": self.level, "message": self.message}


@dataclass
class Diagnostics:
    """Collects diagnostics across a whole build instead of stopping at the first."""

    items: list[Diagnostic] = field(default_factory=list)

    def add(self, path, line: int, col: int, level: str, message: str) -> None:
        self.items.append(Diagnostic(str(path), max(int(line), 1), max(int(col), 1), level, message))

    def error(self, path, line: int, col: int, message: str) -> None:
        self.add(path, line, col, ERROR, message)

    def warning(self, path, line: int, col: int, message: str) -> None:
        self.add(path, line, col, WARNING, message)

    def extend(self, others) -> None:
        self.items.extend(others)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.level == ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.level == WARNING]

    def sorted(self) -> list[Diagnostic]:
        """By file and line, except that files which cannot be read come first: what fails
        elsewhere because of them is best read after them."""
        return sorted(set(self.items), key=lambda d: (not d.root_cause, d))

    def fail(self, strict: bool) -> bool:
        """The one definition of a course that is not accepted, for `build` and `check` alike:
        any error, or with --strict any warning (the lints of `check` then run in `build` too)."""
        return bool(self.errors or (strict and self.warnings))


class BuildFailed(Exception):
    """Raised at the end of a stage when the collected diagnostics hold errors."""

    def __init__(self, diagnostics: Diagnostics):
        self.diagnostics = diagnostics
        super().__init__(f"{len(diagnostics.errors)} error(s)")


class UsageError(Exception):
    """A problem with how a command was invoked (not an error inside a course)."""
