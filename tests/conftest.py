import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "courses" / "example"


@pytest.fixture
def example_course(tmp_path) -> Path:
    """A private copy of the example course that a test may change."""
    target = tmp_path / "courses" / "example"
    shutil.copytree(EXAMPLE, target)
    return target
