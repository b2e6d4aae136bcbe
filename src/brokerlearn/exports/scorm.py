"""SCORM 1.2 packages: one built course as a package with one SCO per module, for agencies that
must run it inside their existing LMS. Written from a build folder (its site/ and the course's
manifest in server/); the build for a package is compiler/scorm.py.

Each module's SCO is a small launch page that keeps the one LMS session (LMSInitialize ...
LMSFinish) and shows the module's pages in a frame; the pages report to it through
scorm-page.js. A module is completed when all its lessons have been opened; when it has a
graded quiz, its score goes to cmi.core.score.raw and the status is passed or failed by the
LMS's mastery score when it gives one (cmi.student_data.mastery_score), else by the quiz's pass
mark. There is no course server inside an LMS, so graded quizzes are marked in the
page, as in the preview: the package contains their answers.

The package carries the SCORM 1.2 control files (the XSDs its manifest names) at its root, from
scorm_schemas/ (see the README there for where they come from). Its pages never link outside
it: the site name and breadcrumbs lead to the course page, not to the site's catalog.
"""
from __future__ import annotations

import html
import json
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from brokerlearn.course.manifest import CourseManifest, Module, Quiz, load
from brokerlearn.fs import AtomicFile

SCHEMAS = Path(__file__).with_name("scorm_schemas")
CONTROL_FILES = ("imscp_rootv1p1p2.xsd", "adlcp_rootv1p2.xsd", "ims_xml.xsd")
# Every value is put in with html.escape(quote=True): module titles are the author's text, and
# this page runs on the LMS's origin.
LAUNCH = """<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>
<style>html,body,iframe{{margin:0;border:0;width:100%;height:100%}}</style>
<script src="../_static/scorm-sco.js" defer></script></head>
<body data-module="{module}" data-lessons="{lessons}" data-quiz="{quiz}">
<iframe id="sco-frame" title="{title}" src="../{start}"></iframe>
</body></html>
"""
PAGE_SCRIPT = b'<script src="{prefix}_static/scorm-page.js" defer></script></head>'


def imsmanifest(course: CourseManifest, modules: list[dict], files: list[str]) -> str:
    """imsmanifest.xml: modules are {"slug", "title", "mastery"} (mastery: percent or None)."""
    items, resources = [], []
    for m in modules:
        items.append(f'      <item identifier="item-{m["slug"]}" identifierref="sco-{m["slug"]}">\n'
                     f'        <title>{escape(m["title"])}</title>\n'
                     + (f'        <adlcp:masteryscore>{m["mastery"]}</adlcp:masteryscore>\n' if m["mastery"] else "")
                     + "      </item>")
        resources.append(f'    <resource identifier="sco-{m["slug"]}" type="webcontent" adlcp:scormtype="sco" '
                         f'href="scorm/{m["slug"]}.html">\n      <file href="scorm/{m["slug"]}.html"/>\n'
                         f'      <dependency identifierref="shared"/>\n    </resource>')
    shared = "\n".join(f"      <file href={quoteattr(f)}/>" for f in files)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="brokerlearn-{escape(course.id)}" version="{escape(course.version)}"
  xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://www.imsproject.org/xsd/imscp_rootv1p1p2 imscp_rootv1p1p2.xsd http://www.adlnet.org/xsd/adlcp_rootv1p2 adlcp_rootv1p2.xsd">
  <metadata>
    <schema>ADL SCORM</schema>
    <schemaversion>1.2</schemaversion>
  </metadata>
  <organizations default="org-{escape(course.id)}">
    <organization identifier="org-{escape(course.id)}">
      <title>{escape(course.title)}</title>
{chr(10).join(items)}
    </organization>
  </organizations>
  <resources>
{chr(10).join(resources)}
    <resource identifier="shared" type="webcontent" adlcp:scormtype="asset">
{shared}
    </resource>
  </resources>
</manifest>
"""


def _site_files(site: Path, course_id: str) -> dict[str, bytes]:
    """The course's pages and the theme's static files, each page made to report to its SCO."""
    files: dict[str, bytes] = {}
    for path in sorted(site.rglob("*")):
        relative = path.relative_to(site).as_posix()
        if not path.is_file() or not (relative.startswith(f"{course_id}/") or relative.startswith("_static/")):
            continue
        data = path.read_bytes()
        if path.suffix == ".html":
            prefix = "../" * relative.count("/")
            data = data.replace(b"</head>", PAGE_SCRIPT.replace(b"{prefix}", prefix.encode()), 1)
        files[relative] = data
    return files


def _graded_quiz(course: CourseManifest, module: Module) -> Quiz | None:
    return next((course.quizzes[q.id] for q in module.quizzes if q.mode == "graded" and q.id in course.quizzes), None)


def write_package(build_dir: Path, course_id: str, target: Path) -> dict:
    """Write the SCORM package of the course `course_id` built in build_dir to target (a .zip,
    replaced whole or not at all); return what it holds."""
    course = load(build_dir / "server" / f"{course_id}.json")
    files = _site_files(build_dir / "site", course.id)
    modules = []
    for module in course.modules:
        graded = _graded_quiz(course, module)
        modules.append({"slug": module.slug, "title": module.title,
                        "mastery": round(graded.pass_mark * 100) if graded else None})
        files[f"scorm/{module.slug}.html"] = _launch_page(course, module, graded)
    manifest = imsmanifest(course, modules, sorted(f for f in files if not f.startswith("scorm/")))
    with AtomicFile(target) as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("imsmanifest.xml", manifest)
        for name in CONTROL_FILES:
            archive.write(SCHEMAS / name, name)
        for name, data in files.items():
            archive.writestr(name, data)
    return {"course": course.id, "modules": len(modules), "files": len(files) + 1 + len(CONTROL_FILES)}


def _launch_page(course: CourseManifest, module: Module, graded: Quiz | None) -> bytes:
    def attr(value: str) -> str:
        return html.escape(value, quote=True)
    lessons = [lesson.url for lesson in module.lessons]
    return LAUNCH.format(lang=attr(course.language), title=attr(module.title), module=attr(module.slug),
                         lessons=attr(json.dumps(lessons)), quiz=attr(graded.id if graded else ""),
                         start=attr(module.url)).encode()
