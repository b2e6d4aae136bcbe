"""Layers only import downward: cli → build → course → errors (import-linter)."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def test_import_layers():
    lint = Path(sys.executable).parent / "lint-imports"
    if not lint.exists():
        lint = shutil.which("lint-imports")
    if lint is None:
        pytest.fail("import-linter is not installed: run scripts/setup --test")
    result = subprocess.run([str(lint)], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_file_the_architecture_guide_names_exists():
    """docs/architecture.md's "where to change what" must not send anyone to a file that moved."""
    import re
    text = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`((?:src|themes|tests|docs|scripts|courses)/[^`\s]*|pyproject\.toml)`", text))
    assert len(named) > 30
    missing = sorted(name for name in named if not (REPO / name.rstrip("/")).exists())
    assert not missing, f"docs/architecture.md names files that do not exist: {missing}"
    for name in re.findall(r"python -m (brokerlearn[\w.]*)", text):
        assert (REPO / "src" / Path(*name.split("."))).with_suffix(".py").exists() or \
            (REPO / "src" / Path(*name.split(".")) / "__main__.py").exists(), name
