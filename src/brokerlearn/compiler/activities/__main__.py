"""Rewrite the activity table of the format reference from the activities' definitions:

    python -m brokerlearn.compiler.activities docs/format-reference.md
"""
import sys
from pathlib import Path

from brokerlearn.compiler.activities import replace_generated

target = Path(sys.argv[1])
target.write_text(replace_generated(target.read_text(encoding="utf-8")), encoding="utf-8")
