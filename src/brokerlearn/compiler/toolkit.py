"""The toolkit's downloads (issue 21): each tool of `toolkit/<id>.yml` published as an editable
office document (.docx, which Word, LibreOffice and Google Docs open), as Markdown, and, when it
has a table, as CSV for a spreadsheet. Each states the course it comes from and its licence.

The files are built to be the same bytes from the same source (fixed dates inside the document
and in its zip entries), so an unchanged tool is never written again and builds can be compared.
python-docx writes the office format: it is well kept and writes real WordprocessingML, which
would otherwise mean hand-writing the OOXML package.
"""
from __future__ import annotations

import csv
import hashlib
import io
import os
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone

from brokerlearn.compiler.describe import plain_text
from brokerlearn.compiler.licenses import license_info
from brokerlearn.course.model import Course
from brokerlearn.course.toolkit import Tool

FORMAT_VERSION = "1"  # bump when what a download holds changes: every tool is built again
_FIXED = datetime(2000, 1, 1, tzinfo=timezone.utc)  # a document's dates, unless SOURCE_DATE_EPOCH is set


@dataclass(frozen=True)
class Download:
    format: str  # "docx", "md", "csv"
    url: str  # site path, e.g. online-collaboration/toolkit/contact-plan.docx


def page_url(course: Course) -> str:
    """The course's toolkit page (compiler/pages.py), beside the downloads it lists."""
    return f"{course.id}/toolkit/index.html"


def downloads(course: Course, tool: Tool) -> list[Download]:
    formats = ["docx", "md"] + (["csv"] if tool.table else [])
    return [Download(f, f"{course.id}/toolkit/{tool.id}.{f}") for f in formats]


def fingerprint(course: Course, tool: Tool) -> str:
    """What a tool's downloads depend on: its file, and the course's name, version, authors and licence."""
    parts = [FORMAT_VERSION, tool.content_hash, course.title, course.version or "", course.license or "",
             *(a.name for a in course.authors), os.environ.get("SOURCE_DATE_EPOCH", "")]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def credit_line(course: Course) -> str:
    """Who to credit and under which licence, as every download ends."""
    licence = license_info(course.license or "CC-BY-4.0")
    authors = ", ".join(a.name for a in course.authors) or course.title
    version = f", version {course.version}" if course.version else ""
    return (f"From the course “{course.title}”{version}, by {authors}. {licence['name']} ({licence['short']}): "
            f"{licence['url']} — you may adapt and share it, crediting the source.")


def produce(course: Course, tool: Tool, fmt: str) -> bytes:
    if fmt == "docx":
        return _docx(course, tool)
    if fmt == "md":
        return _markdown(course, tool).encode("utf-8")
    if fmt == "csv":
        return _csv(tool)
    raise ValueError(f"unknown download format {fmt!r}")


def _paragraphs(markdown: str) -> list[str]:
    return [plain_text(block) for block in (markdown or "").split("\n\n") if block.strip()]


def _markdown(course: Course, tool: Tool) -> str:
    lines = [f"# {tool.title}", "", (tool.purpose or "").strip(), ""]
    for section in tool.sections:
        lines += [f"## {section.heading}", ""]
        if section.intro:
            lines += [section.intro.strip(), ""]
        for item in section.fields:
            hint = f" _({item.hint})_" if item.hint else ""
            lines += [f"**{item.label}**{hint}:", "", ""]
    if tool.table:
        table = tool.table
        lines += [f"## {table.title}", ""]
        lines.append("| " + " | ".join(table.columns) + " |")
        lines.append("|" + "---|" * len(table.columns))
        for row in table.example:
            cells = [f"_{cell}_" if cell else "" for cell in row]
            cells[0] = f"_Example:_ {cells[0]}"
            lines.append("| " + " | ".join(cells) + " |")
        for _ in range(min(table.rows, 3)):
            lines.append("|" + "  |" * len(table.columns))
        lines.append("")
    lines += ["---", "", credit_line(course), ""]
    return "\n".join(lines)


def _csv(tool: Tool) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)  # the standard dialect: quoted where needed, CRLF rows, as spreadsheets expect
    writer.writerow(tool.table.columns)
    for row in tool.table.example:
        writer.writerow(row)
    return out.getvalue().encode("utf-8")


def document_date() -> datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return datetime.fromtimestamp(int(epoch), timezone.utc) if epoch and epoch.isdigit() else _FIXED


def _docx(course: Course, tool: Tool) -> bytes:
    from docx import Document
    from docx.shared import Pt

    document = Document()
    document.add_heading(tool.title, level=0)
    for text in _paragraphs(tool.purpose):
        document.add_paragraph(text)
    for section in tool.sections:
        document.add_heading(section.heading, level=1)
        for text in _paragraphs(section.intro):
            document.add_paragraph(text)
        if section.fields:
            grid = document.add_table(rows=0, cols=2)
            grid.style = "Table Grid"
            for item in section.fields:
                left, right = grid.add_row().cells
                left.text = item.label
                left.paragraphs[0].runs[0].bold = True
                if item.hint:
                    hint = left.add_paragraph().add_run(item.hint)
                    hint.italic, hint.font.size = True, Pt(9)
                right.text = ""
    if tool.table:
        table = tool.table
        document.add_heading(table.title, level=1)
        grid = document.add_table(rows=1, cols=len(table.columns))
        grid.style = "Table Grid"
        for cell, heading in zip(grid.rows[0].cells, table.columns):
            cell.text = heading
            cell.paragraphs[0].runs[0].bold = True
        for row in table.example:
            cells = grid.add_row().cells
            for index, (cell, value) in enumerate(zip(cells, row)):
                run = cell.paragraphs[0].add_run(("Example: " if index == 0 else "") + value)
                run.italic = True
        for _ in range(table.rows):
            grid.add_row()
    document.add_paragraph()
    credit = document.add_paragraph().add_run(credit_line(course))
    credit.font.size = Pt(9)
    properties = document.core_properties
    properties.title = tool.title[:255]
    properties.subject = course.title[:255]
    properties.author = (", ".join(a.name for a in course.authors) or course.title)[:255]
    properties.last_modified_by = properties.author
    licence = license_info(course.license or "CC-BY-4.0")
    properties.comments = f"{licence['short']} ({licence['url']}), by {properties.author}"[:255]  # a property's limit
    properties.created = properties.modified = document_date()
    properties.revision = 1
    raw = io.BytesIO()
    document.save(raw)
    return same_bytes(raw.getvalue())


def same_bytes(package: bytes) -> bytes:
    """The package again with every zip entry dated alike: the same document, the same bytes."""
    stamp = document_date().timetuple()[:6]
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=max(stamp, (1980, 1, 1, 0, 0, 0)))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(entry.filename))
    return out.getvalue()
