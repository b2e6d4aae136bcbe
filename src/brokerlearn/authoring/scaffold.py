"""Scaffolding: new courses that build as they are."""
from __future__ import annotations

import re
from pathlib import Path

import yaml

from brokerlearn.course.naming import slug_of
from brokerlearn.course.schema_types import LANG_RE
from brokerlearn.errors import UsageError

_COURSE_YML = """\
id: {id}
title: {title}
version: "0.1"
language: {language}
license: CC-BY-4.0
authors:
  - name: Your Name
    affiliation: Your Organisation
summary: |
  What learners will be able to do after this course.
modules:
  - 01-introduction
"""

_MODULE_YML = """\
title: Introduction
summary: What this module covers.
lessons:
  - 01-welcome
"""

_LESSON_MD = """\
---
title: Welcome
---

Write the lesson here, in Markdown.

## A first section

::: tip
Containers hold notes, tips, warnings, activities and reflections.
:::
"""


def scaffold_course(parent: Path, name: str, title: str | None, language: str) -> Path:
    course_id = slug_of(name)
    if not course_id:
        raise UsageError(f"'{name}' gives no usable course ID: use letters, digits and hyphens")
    if not LANG_RE.match(language):
        raise UsageError(f"'{language}' is not a language tag such as 'en' or 'de-AT'")
    root = parent / course_id
    if root.exists():
        raise UsageError(f"{root} already exists; choose another name")
    module = root / "modules" / "01-introduction"
    module.mkdir(parents=True)
    (root / "media").mkdir()
    default_title = name.replace("-", " ").replace("_", " ").strip().capitalize()
    (root / "course.yml").write_text(_COURSE_YML.format(
        id=course_id, title=_yaml_text(title or default_title), language=language), encoding="utf-8")
    (module / "module.yml").write_text(_MODULE_YML, encoding="utf-8")
    (module / "01-welcome.md").write_text(_LESSON_MD, encoding="utf-8")
    return root


def _yaml_text(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# ---- modules, lessons, quizzes and storyboards inside an existing course ----------------------

_NUMBERED = re.compile(r"^(\d+)-")


def next_number(folder: Path, pattern: str = "*") -> str:
    """'03' when the folder holds 01-... and 02-...: the prefix that sorts after the others."""
    numbers = [int(m.group(1)) for p in folder.glob(pattern) if (m := _NUMBERED.match(p.name))]
    width = max([2] + [len(m.group(1)) for p in folder.glob(pattern) if (m := _NUMBERED.match(p.name))])
    return f"{(max(numbers) if numbers else 0) + 1:0{width}d}"


def append_to_list(path: Path, key: str, item: str) -> None:
    """Add `item` to the YAML list `key` in `path`, keeping the file's comments and layout.

    The edit is checked by reading the result back; a file laid out in a way this does not
    understand is left alone, with an error that says what to add by hand."""
    text = path.read_text(encoding="utf-8")
    before = yaml.safe_load(text) or {}
    lines = text.splitlines()
    new_lines = None
    for index, line in enumerate(lines):
        if re.match(rf"^{re.escape(key)}:\s*\[.*\]\s*(#.*)?$", line):  # flow style: key: [a, b]
            head, _, rest = line.partition("[")
            inner, _, tail = rest.rpartition("]")
            items = inner.strip()
            new_lines = lines[:index] + [f"{head}[{items + ', ' if items else ''}{item}]{tail}"] + lines[index + 1:]
            break
        if re.match(rf"^{re.escape(key)}:\s*(#.*)?$", line):  # block style: key:\n  - a
            end = index + 1
            indent = "  "
            while end < len(lines) and (lines[end].strip() == "" or lines[end].startswith((" ", "-", "#"))):
                if lines[end].lstrip().startswith("- "):
                    indent = lines[end][:len(lines[end]) - len(lines[end].lstrip())]
                    last = end
                end += 1
            insert_at = (last + 1) if "last" in locals() else index + 1
            new_lines = lines[:insert_at] + [f"{indent}- {item}"] + lines[insert_at:]
            break
    if new_lines is None:
        new_lines = lines + [f"{key}:", f"  - {item}"]
    result = "\n".join(new_lines) + "\n"
    after = yaml.safe_load(result) or {}
    if list(after.get(key) or []) != list(before.get(key) or []) + [item]:
        raise UsageError(f"could not add '{item}' to '{key}' in {path}: add it by hand")
    path.write_text(result, encoding="utf-8")


def _course_root(path: Path) -> Path:
    if not (path / "course.yml").is_file():
        raise UsageError(f"{path} is not a course: it has no course.yml")
    return path


def _module_dir(path: Path) -> Path:
    if not (path / "module.yml").is_file():
        raise UsageError(f"{path} is not a module: it has no module.yml")
    return path


def _lesson_text(title: str, outcomes: list[str]) -> str:
    front = f"title: {_yaml_text(title)}\n" + (f"outcomes: [{', '.join(outcomes)}]\n" if outcomes else "") + "minutes: 10\n"
    return (f"---\n{front}---\n\nWhat this lesson is about, in one or two sentences.\n\n## First section\n\n"
            "Write the lesson here, in Markdown.\n\n::: activity\nSomething for the learner to do.\n:::\n")


def scaffold_module(course: Path, title: str) -> Path:
    course = _course_root(course)
    modules = course / "modules"
    modules.mkdir(exist_ok=True)
    slug = slug_of(title)
    if not slug:
        raise UsageError(f"'{title}' gives no usable folder name")
    folder = modules / f"{next_number(modules)}-{slug}"
    folder.mkdir()
    (folder / "module.yml").write_text(f"title: {_yaml_text(title)}\nsummary: What this module covers.\n"
                                       f"lessons:\n  - 01-first-lesson\n", encoding="utf-8")
    (folder / "01-first-lesson.md").write_text(_lesson_text("First lesson", []), encoding="utf-8")
    try:
        append_to_list(course / "course.yml", "modules", folder.name)
    except UsageError:
        import shutil
        shutil.rmtree(folder)
        raise
    return folder


def scaffold_lesson(module: Path, title: str, outcomes: list[str]) -> Path:
    module = _module_dir(module)
    slug = slug_of(title)
    if not slug:
        raise UsageError(f"'{title}' gives no usable file name")
    path = module / f"{next_number(module, '*.md')}-{slug}.md"
    path.write_text(_lesson_text(title, outcomes), encoding="utf-8")
    try:
        append_to_list(module / "module.yml", "lessons", path.stem)
    except UsageError:
        path.unlink()
        raise
    return path


def scaffold_quiz(module: Path, quiz_id: str, mode: str) -> Path:
    module = _module_dir(module)
    slug = slug_of(quiz_id)
    path = module / f"{slug}.yml"
    if not slug or path.exists():
        raise UsageError(f"choose another quiz ID: '{quiz_id}' is {'taken' if slug else 'not usable'}")
    graded = "pass_mark: 0.7\nmax_attempts: 3\nshuffle: true\n" if mode == "graded" else ""
    path.write_text(f"id: {slug}\ntitle: {_yaml_text(quiz_id.replace('-', ' ').capitalize())}\nmode: {mode}\n{graded}"
                    "questions:\n  - id: q1\n    type: single\n    prompt: Which statement is right?\n"
                    "    explanation: Why the right answer is right.\n    options:\n"
                    "      - text: The right answer\n        correct: true\n      - text: A plausible wrong answer\n"
                    "        feedback: Why this one is wrong.\n", encoding="utf-8")
    return path


def scaffold_storyboard(course: Path, name: str) -> Path:
    course = _course_root(course)
    slug = slug_of(name)
    folder = course / "storyboards"
    folder.mkdir(exist_ok=True)
    path = folder / f"{slug}.yml"
    if not slug or path.exists():
        raise UsageError(f"choose another name: '{name}' is {'taken' if slug else 'not usable'}")
    path.write_text(f"title: {_yaml_text('Case study: ' + name.replace('-', ' '))}\nlicense: CC-BY-4.0\n"
                    "attribution: Your Organisation\nlanguage: en\nscenes:\n  - chapter: The situation\n"
                    "    title: A fictional firm and its problem\n    body: |\n      Who the firm is\n"
                    "      What it needs\n    narration: >\n      This case is fictional. Say who the firm is and "
                    "what it needs, in two or three sentences.\n  - chapter: What happened\n"
                    "    title: What the adviser did\n    narration: >\n      Tell what the adviser did, "
                    "step by step, and what came of it.\n", encoding="utf-8")
    return path


_ASSIGNMENT_YML = """\
# Assessed work: place it in a lesson with '::: assignment {id}' then ':::' (docs/authoring.md).
id: {id}
title: {title}
brief: |
  What the learner does and hands in, in a few sentences.
# outcomes: [U1.O1]        # outcome IDs of the profile this work evidences
submission:
  text:
    min_words: 100
    max_words: 600
  # files:
  #   types: [pdf, docx, odt]
  #   max_mb: 10
rubric:                      # or the ID of a shared rubric file, rubrics/ID.yml
  criteria:
    - id: content
      title: What the work must show
      # outcomes: [U1.O1]
      levels:                # lowest first, each worth more than the one before
        - id: not-yet
          title: Not yet
          descriptor: What is missing in work at this level.
          points: 0
        - id: meets
          title: Meets the standard
          descriptor: What work that meets the standard shows.
          points: 2
        - id: exceeds
          title: Beyond
          descriptor: What makes work stand out.
          points: 3
    - id: feedback
      title: One thing to keep, one thing to change
      kind: comment
steps:
  # peer:
  #   reviews: 2             # at most {max_reviews}
  # self: true
  trainer: true
pass_mark: 0.6
resubmit:
  allowed: trainer
  max_attempts: 2
due:
  submit: 14
"""


def scaffold_assignment(module: Path, assignment_id: str) -> Path:
    from brokerlearn.course.schema_assignment import MAX_PEER_REVIEWS
    module = _module_dir(module)
    slug = slug_of(assignment_id)
    path = module / f"{slug}.assignment.yml"
    if not slug or path.exists():
        raise UsageError(f"choose another assignment ID: '{assignment_id}' is {'taken' if slug else 'not usable'}")
    path.write_text(_ASSIGNMENT_YML.format(id=slug, title=_yaml_text(slug.replace("-", " ").capitalize()),
                                           max_reviews=MAX_PEER_REVIEWS), encoding="utf-8")
    return path
