"""The docs stay true: the generated key tables match the schema, every file kind is covered."""
from pathlib import Path

from brokerlearn.course import schema
from brokerlearn.course.reference import replace_generated

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_format_reference_tables_match_the_schema():
    text = (DOCS / "format-reference.md").read_text(encoding="utf-8")
    assert replace_generated(text) == text, "run: python -m brokerlearn.course.reference docs/format-reference.md"


def test_every_key_is_documented():
    text = (DOCS / "format-reference.md").read_text(encoding="utf-8")
    for obj in schema.ALL:
        for field in obj.fields:
            assert f"| `{field.name}` |" in text and field.doc


def test_readme_opens_with_the_two_commands():
    readme = (DOCS.parent / "README.md").read_text(encoding="utf-8")
    head = readme[:600]
    assert "bash scripts/run" in head and "bash scripts/test" in head
    assert "scripts/test" in (DOCS.parent / ".ci" / "run").read_text()
