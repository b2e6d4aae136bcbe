"""The SCORM 1.2 export's build step: one course built for a package (graded quizzes marked in
the page, no link to the site's catalog) into a scratch folder, then written as a package by
brokerlearn.exports.scorm, which says what the package holds."""
from __future__ import annotations

import tempfile
from pathlib import Path

from brokerlearn.compiler.pipeline import build
from brokerlearn.errors import UsageError
from brokerlearn.exports.scorm import write_package


def export_scorm(course_dir: Path, target: Path, theme_dir: Path | None = None) -> dict:
    with tempfile.TemporaryDirectory(prefix="brokerlearn-scorm-") as scratch:
        out = Path(scratch) / "out"
        result = build(course_dir, out, theme_dir, show_progress=False, preview="package")
        if len(result.courses) != 1:
            raise UsageError("give one course folder: a SCORM package holds one course")
        return write_package(out, result.courses[0].id, target)
