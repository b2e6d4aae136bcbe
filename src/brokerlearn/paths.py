"""Where brokerlearn's own files are, in a source checkout or an installed wheel."""
from __future__ import annotations

from pathlib import Path

from brokerlearn.errors import UsageError


def default_theme_dir() -> Path:
    here = Path(__file__).resolve()
    for candidate in (here.parents[2] / "themes" / "default",  # a source checkout
                      here.parent / "_themes" / "default"):  # an installed wheel
        if (candidate / "templates").is_dir():
            return candidate
    raise UsageError("the default theme is missing from this installation")
