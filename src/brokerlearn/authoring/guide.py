"""A course's facilitator guide (issue 21) as an editable office document for trainers.

The guide is Markdown in the course's `facilitator/` folder, one file per part (README.md first,
then the others by name). It holds model answers and the rubrics' anchor examples, an answer
key, so the build never publishes it: nothing reads that folder but this module. This writes the
parts into one .docx (a page per part) that trainers download from the repository's docs:

    python -m brokerlearn.authoring.guide courses/online-collaboration docs/facilitator/online-collaboration.docx

The same Markdown gives the same bytes (the toolkit's fixed dates), so a test can tell when the
document in docs/ is older than its sources. Markdown is read by markdown-it-py (the compiler's
parser) and written with python-docx, as the toolkit's downloads are.
"""
from __future__ import annotations

import io
import sys
from pathlib import Path

FOLDER = "facilitator"


def part_files(course_dir: Path) -> list[Path]:
    """The guide's parts in reading order: README.md, then the others by file name."""
    folder = course_dir / FOLDER
    parts = sorted(p for p in folder.glob("*.md") if p.name != "README.md") if folder.is_dir() else []
    readme = folder / "README.md"
    return ([readme] if readme.is_file() else []) + parts


def guide_docx(course_dir: Path, title: str = "") -> bytes:
    """Every part of the guide in one office document, each part on a new page."""
    from docx import Document
    from docx.enum.text import WD_BREAK
    from markdown_it import MarkdownIt

    from brokerlearn.compiler.toolkit import document_date, same_bytes

    parser = MarkdownIt("commonmark").enable("table")
    document = Document()
    for index, path in enumerate(part_files(course_dir)):
        if index:
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        _Writer(document).write(parser.parse(path.read_text(encoding="utf-8")), first=index == 0)
    properties = document.core_properties
    properties.title = (title or "Facilitator guide")[:255]
    properties.author = properties.last_modified_by = "brokerlearn contributors"
    properties.comments = "CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/): for trainers, not for learners"
    properties.created = properties.modified = document_date()
    properties.revision = 1
    raw = io.BytesIO()
    document.save(raw)
    return same_bytes(raw.getvalue())


class _Writer:
    """Markdown tokens (headings, paragraphs, lists, tables, quotes) into python-docx blocks."""

    def __init__(self, document):
        self.document = document
        self.lists: list[str] = []  # "bullet" | "number", innermost last
        self.quote = 0
        self.table = None
        self.row: list[str] = []
        self.rows: list[tuple[list, bool]] = []
        self.header = False

    def write(self, tokens, first: bool) -> None:
        for index, token in enumerate(tokens):
            kind = token.type
            if kind == "heading_open":
                level = int(token.tag[1])
                heading = self.document.add_heading(level=0 if (level == 1 and first) else level)
                self.inline(heading, tokens[index + 1])
            elif kind in ("bullet_list_open", "ordered_list_open"):
                self.lists.append("bullet" if kind.startswith("bullet") else "number")
            elif kind in ("bullet_list_close", "ordered_list_close"):
                self.lists.pop()
            elif kind == "blockquote_open":
                self.quote += 1
            elif kind == "blockquote_close":
                self.quote -= 1
            elif kind == "table_open":
                self.rows = []
            elif kind == "thead_open":
                self.header = True
            elif kind == "thead_close":
                self.header = False
            elif kind == "tr_open":
                self.row = []
            elif kind in ("th_open", "td_open"):
                self.row.append(tokens[index + 1])
            elif kind == "tr_close":
                self.rows.append((self.row, self.header))
            elif kind == "table_close":
                self.add_table()
            elif kind == "paragraph_open":
                self.paragraph(tokens[index + 1])

    def paragraph(self, inline) -> None:
        style = None
        if self.lists:
            style = "List Bullet" if self.lists[-1] == "bullet" else "List Number"
            if len(self.lists) > 1:
                style += " 2"
        elif self.quote:
            style = "Quote"
        self.inline(self.document.add_paragraph(style=style), inline)

    def add_table(self) -> None:
        columns = max(len(cells) for cells, _ in self.rows)
        grid = self.document.add_table(rows=0, cols=columns)
        grid.style = "Table Grid"
        for cells, header in self.rows:
            row = grid.add_row().cells
            for cell, inline in zip(row, cells):
                self.inline(cell.paragraphs[0], inline, bold=header)

    def inline(self, paragraph, inline, bold: bool = False) -> None:
        strong = emphasis = 0
        for child in inline.children or []:
            kind = child.type
            if kind == "strong_open":
                strong += 1
            elif kind == "strong_close":
                strong -= 1
            elif kind == "em_open":
                emphasis += 1
            elif kind == "em_close":
                emphasis -= 1
            elif kind in ("text", "code_inline", "softbreak", "hardbreak"):
                text = " " if kind == "softbreak" else "\n" if kind == "hardbreak" else child.content
                run = paragraph.add_run(text)
                run.bold = bool(strong) or bold or None
                run.italic = bool(emphasis) or None
                if kind == "code_inline":
                    run.font.name = "Courier New"


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m brokerlearn.authoring.guide COURSE_DIR OUT.docx", file=sys.stderr)
        return 2
    course_dir, out = Path(argv[0]), Path(argv[1])
    if not part_files(course_dir):
        print(f"{course_dir / FOLDER}: no Markdown parts", file=sys.stderr)
        return 1
    from brokerlearn.fs import atomic_write_bytes
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(out, guide_docx(course_dir, f"Facilitator guide: {course_dir.name}"))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
