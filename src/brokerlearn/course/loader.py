"""Loading a course folder into the course model, collecting every author error."""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from brokerlearn.course import schema
from brokerlearn.course.assignment import is_assignment_file, load_assignments
from brokerlearn.course.toolkit import load_tools
from brokerlearn.course.frontmatter import split_front_matter
from brokerlearn.course.media import check_links, list_media, load_image_credits, load_videos
from brokerlearn.course.model import Author, CatalogListing, Course, Lesson, Module, Quiz
from brokerlearn.course.naming import RESERVED_COURSE_IDS, RESERVED_MODULE_SLUGS, resolve_name, slug_of
from brokerlearn.course.profile import check_required_assignments, load_profile
from brokerlearn.course.questions import build_question, question_type
from brokerlearn.course.schema_types import did_you_mean
from brokerlearn.course.yamlpos import Pos, YMap, load_yaml_file
from brokerlearn.errors import Diagnostics
from brokerlearn.fs import StatMemo

def find_course_dirs(courses_dir: Path, diags: Diagnostics) -> list[Path]:
    """A folder of courses, or a single course folder."""
    if (courses_dir / "course.yml").is_file():
        return [courses_dir]
    if not courses_dir.is_dir():
        diags.error(courses_dir, 1, 1, "no such folder of courses")
        return []
    found = sorted(p for p in courses_dir.iterdir()
                   if p.is_dir() and not p.name.startswith((".", "_")) and (p / "course.yml").is_file())
    if not found:
        diags.error(courses_dir, 1, 1, "no course here: a course is a folder holding a course.yml "
                    "(create one with 'brokerlearn new course NAME')")
    return found


def load_courses(courses_dir: Path, diags: Diagnostics, memo: LessonMemo | None = None) -> list[Course]:
    courses = [c for c in (load_course(d, diags, memo) for d in find_course_dirs(courses_dir, diags)) if c]
    seen: dict[str, Course] = {}
    for course in courses:
        if course.id in RESERVED_COURSE_IDS:
            diags.error(course.root / "course.yml", 1, 1, f"the course ID '{course.id}' is reserved for the "
                        f"server's own pages: choose another (not {', '.join(sorted(RESERVED_COURSE_IDS))})")
        first = seen.setdefault(course.id, course)
        if first is not course:
            diags.error(course.root / "course.yml", 1, 1,
                        f"duplicate course ID '{course.id}' (also used by {first.root / 'course.yml'})")
    return courses


def load_course(root: Path, diags: Diagnostics, memo: LessonMemo | None = None) -> Course | None:
    path = root / "course.yml"
    if check_links(root, diags):  # nothing is read through a link that leaves the course folder
        return None
    data = load_yaml_file(path, diags)
    if not isinstance(data, dict):
        if data is not None or not diags.errors:
            diags.error(path, 1, 1, "course.yml must be keys and values (id, title, language, ...)")
        return None
    values = schema.COURSE.validate(data, diags)
    media_files = list_media(root / "media")
    course = Course(
        id=values["id"] or slug_of(root.name), title=values["title"] or root.name,
        version=values["version"], language=values["language"] or "en", license=values["license"],
        authors=[Author(a["name"], a["affiliation"]) for a in values["authors"]],
        summary=values["summary"], level=values["level"], root=root, modules=[],
        media_files=media_files, catalog=_catalog_listing(values["catalog"]),
    )
    course.profile = _load_course_profile(root, values, diags)
    course.videos = load_videos(root / "media", media_files, diags)
    course.image_credits = load_image_credits(media_files, diags)
    course.modules = _load_modules(root, values, diags, memo)
    course.quizzes = _index_quizzes(course, diags)
    _check_outcomes(course, diags)
    course.assignments = load_assignments(root, course.modules, course.outcome_index(), diags)
    check_required_assignments(course.profile, course.assignments, diags)
    course.tools = load_tools(root, diags)
    return course


def _load_course_profile(root: Path, values: YMap, diags: Diagnostics):
    name = values["profile"]
    if name is None:
        default = root / "profile.yml"
        return load_profile(default, diags) if default.is_file() else None
    path = root / name
    if not path.resolve().is_relative_to(root.resolve()):
        pos = values.value_pos_of("profile")
        diags.error(pos.path, pos.line, pos.col, f"profile file '{name}' is outside the course folder: "
                    "put it in the course folder")
        return None
    if not path.is_file():
        pos = values.value_pos_of("profile")
        diags.error(pos.path, pos.line, pos.col, f"profile file '{name}' does not exist")
        return None
    return load_profile(path, diags)


def _load_modules(root: Path, values: YMap, diags: Diagnostics, memo) -> list[Module]:
    modules_dir = root / "modules"
    folders = {p.name: p for p in sorted(modules_dir.iterdir())} if modules_dir.is_dir() else {}
    folders = {name: p for name, p in folders.items() if p.is_dir() and not name.startswith(".")}
    listed = values["modules"]
    if listed is None:
        chosen = [(p, values.pos) for p in folders.values() if (p / "module.yml").is_file()]
    else:
        chosen = []
        for index, name in enumerate(listed):
            folder = resolve_name(name, folders)
            if folder is None:
                pos = listed.pos_at(index)
                diags.error(pos.path, pos.line, pos.col, f"unknown module '{name}': no folder "
                            f"modules/{name}/{did_you_mean(name, folders)}")
            else:
                chosen.append((folder, listed.pos_at(index)))
    modules = [m for m in (_load_module(folder, pos, diags, memo) for folder, pos in chosen) if m]
    _check_unique(modules, lambda m: m.slug, lambda m: m.meta.pos, "module slug", diags)
    return modules


def _load_module(folder: Path, listed_at: Pos, diags: Diagnostics, memo) -> Module | None:
    path = folder / "module.yml"
    if not path.is_file():
        diags.error(listed_at.path, listed_at.line, listed_at.col,
                    f"module folder '{folder.name}' has no module.yml")
        return None
    data = load_yaml_file(path, diags)
    if not isinstance(data, dict):
        if data is not None or not diags.errors:
            diags.error(path, 1, 1, "module.yml must be keys and values (title, summary, ...)")
        return None
    values = schema.MODULE.validate(data, diags)
    slug = slug_of(folder.name)
    if not slug:
        diags.error(path, 1, 1, f"folder name '{folder.name}' gives no usable slug: use letters and digits")
    elif slug in RESERVED_MODULE_SLUGS:
        diags.error(listed_at.path, listed_at.line, listed_at.col,
                    f"a module may not be called '{slug}': the course's {slug}/ pages use that address")
    module = Module(slug=slug, folder=folder, title=values["title"] or folder.name,
                    summary=values["summary"], outcomes=list(values["outcomes"]),
                    lessons=_load_lessons(folder, values, diags, memo), quizzes=[],
                    minutes_declared=values["minutes"], meta=values)
    module.quizzes = _load_quizzes(folder, slug, diags)
    return module


def _load_lessons(folder: Path, values: YMap, diags: Diagnostics, memo) -> list[Lesson]:
    files = {p.stem: p for p in _files_ending(folder, ".md")}
    listed = values["lessons"]
    if listed is None:
        chosen = list(files.values())
    else:
        chosen = []
        for index, name in enumerate(listed):
            path = resolve_name(name.removesuffix(".md"), files)
            if path is None:
                pos = listed.pos_at(index)
                diags.error(pos.path, pos.line, pos.col, f"unknown lesson '{name}': no file "
                            f"{name}.md in {folder.name}/{did_you_mean(name, files)}")
            else:
                chosen.append(path)
        for stem, path in files.items():
            if path not in chosen:
                pos = values.pos_of("lessons")
                diags.warning(pos.path, pos.line, pos.col,
                              f"lesson file '{path.name}' is not listed in 'lessons' and is not built")
    lessons = [lesson for lesson in (load_lesson(p, diags, memo) for p in chosen) if lesson]
    _check_unique(lessons, lambda l: l.slug, lambda l: Pos(l.source, 1, 1), "lesson slug", diags)
    return lessons


@dataclass
class LessonMemo:
    """What parsing each lesson file gave last time, so unchanged files are not parsed again.

    `records` is keyed by the sha256 of a file's bytes; `stats` is the entries of a StatMemo
    (brokerlearn.fs) of each path's sha256, so an untouched file is not even read to hash it.
    """

    records: dict = field(default_factory=dict)
    stats: dict = field(default_factory=dict)

    RACY_NS = StatMemo.RACY_NS

    def content_hash(self, path: Path) -> tuple[str, bytes | None]:
        memo, stat = StatMemo(self.stats), path.stat()
        known = memo.get(path, stat)
        if known in self.records:
            return known, None
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        memo.put(path, stat, digest)
        return digest, data


def load_lesson(path: Path, diags: Diagnostics, memo: LessonMemo | None = None) -> Lesson | None:
    memo = memo if memo is not None else LessonMemo()
    content_hash, data = memo.content_hash(path)
    record = memo.records.get(content_hash)
    if record is None:
        record = memo.records[content_hash] = _parse_lesson(path, data, Diagnostics())
    for level, line, col, message in record["problems"]:
        diags.add(path, line, col, level, message)
    if record["title"] is None:
        return None
    return Lesson(slug=slug_of(path.stem), title=record["title"], outcomes=[o[0] for o in record["outcomes"]],
                  outcome_pos=[Pos(path, o[1], o[2]) for o in record["outcomes"]], source=path,
                  body_line=record["body_line"], minutes_declared=record["minutes"],
                  words=record["words"], content_hash=content_hash)


def _parse_lesson(path: Path, data: bytes, diags: Diagnostics) -> dict:
    """Parse a lesson file into a JSON-serialisable record (what the memo keeps)."""
    record = {"title": None, "outcomes": [], "minutes": None, "body_line": 1, "words": 0}
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        diags.error(path, 1, 1, f"not UTF-8 text ({exc.reason} at byte {exc.start})")
    else:
        source = split_front_matter(text, path, diags)
        if source.meta is not None:
            values = schema.LESSON.validate(source.meta, diags)
            outcomes = values["outcomes"]
            record.update(
                title=values["title"] or path.stem, minutes=values["minutes"], body_line=source.body_line,
                words=len(source.body.split()),
                outcomes=[[o, outcomes.pos_at(i).line, outcomes.pos_at(i).col] for i, o in enumerate(outcomes)])
            if not slug_of(path.stem):
                diags.error(path, 1, 1, f"file name '{path.name}' gives no usable slug: use letters and digits")
    record["problems"] = [[d.level, d.line, d.col, d.message] for d in diags.items]
    return record


def _load_quizzes(folder: Path, module_slug: str, diags: Diagnostics) -> list[Quiz]:
    quizzes = []
    for path in _quiz_files(folder):
        data = load_yaml_file(path, diags)
        if not isinstance(data, dict):
            if data is not None or path.read_text(encoding="utf-8", errors="replace").strip() == "":
                diags.error(path, 1, 1, "a quiz file must be keys and values (id, title, mode, questions)")
            continue
        values = schema.QUIZ.validate(data, diags)
        if values["id"]:
            quiz = Quiz(values["id"], values["title"] or values["id"], values["mode"] or "graded",
                        values, path, module_slug)
            quiz.questions = build_questions(values["questions"] or [], quiz.id, quiz.graded, diags)
            quizzes.append(quiz)
    return quizzes


def unloaded_quiz_files(course: Course) -> list[Path]:
    """Quiz files of the course's modules that gave no quiz (each has its error reported)."""
    loaded = {quiz.path for quiz in course.quizzes.values()}
    return [path for module in course.modules for path in _quiz_files(module.folder) if path not in loaded]


def unknown_quiz_hint(course: Course, quiz_id: str) -> str:
    """What an unknown quiz ID depends on: a quiz file that could not be read is the likely cause."""
    broken = unloaded_quiz_files(course)
    named = [p for p in broken if p.stem == quiz_id] or broken
    if not named:
        return ""
    files = ", ".join(source_name(course, p) for p in named)
    return f": {files} could not be read (see its error above); fix that first"


def source_name(course: Course, path: Path) -> str:
    return path.relative_to(course.root).as_posix() if path.is_relative_to(course.root) else str(path)


def _quiz_files(folder: Path) -> list[Path]:
    return [path for path in _files_ending(folder, ".yml", ".yaml")
            if path.name not in ("module.yml", "module.yaml") and not is_assignment_file(path)]


def _files_ending(folder: Path, *suffixes: str) -> list[Path]:
    """What `sorted(folder.glob("*" + suffix))` gives for each suffix in turn (dot files too),
    from one listing of names: glob matches and sorts Path objects, a tenth of a no-change
    rebuild's loading."""
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []  # as glob: a folder that is not there has no files
    return [folder / name for suffix in suffixes for name in names if name.endswith(suffix)]


def build_questions(items: list, scope: str, graded: bool, diags: Diagnostics) -> list:
    """Typed questions of a quiz (or of a lesson's inline questions), IDs unique in it."""
    questions, seen = [], {}
    for data in items:
        question = build_question(data, scope, diags)
        pos = data.value_pos_of("id")
        if data.get("id") in seen:
            diags.error(pos.path, pos.line, pos.col,
                        f"duplicate question ID '{data['id']}' (first used on line {seen[data['id']]})")
            continue
        seen[data.get("id")] = pos.line
        if question is not None:
            questions.append(question)
            warning = question_type(question.type).graded_warning(question) if graded else None
            if warning:
                diags.warning(pos.path, pos.line, pos.col, warning)
    return questions


def _index_quizzes(course: Course, diags: Diagnostics) -> dict:
    index: dict[str, Quiz] = {}
    for module in course.modules:
        for quiz in module.quizzes:
            first = index.setdefault(quiz.id, quiz)
            if first is not quiz:
                pos = quiz.data.value_pos_of("id")
                diags.error(pos.path, pos.line, pos.col,
                            f"duplicate quiz ID '{quiz.id}' (also used in {first.path})")
    return index


def _check_outcomes(course: Course, diags: Diagnostics) -> None:
    """Every outcome reference must name an outcome that the profile defines."""
    refs: list[tuple[str, Pos]] = []
    for module in course.modules:
        refs += _located(module.meta)
        for lesson in module.lessons:
            refs += zip(lesson.outcomes, lesson.outcome_pos)
        for quiz in module.quizzes:
            for question in quiz.data["questions"] or []:
                refs += _located(question)
    report_undefined_outcomes(course, refs, diags)


def check_outcome_refs(course: Course, metas: list, diags: Diagnostics) -> None:
    """Outcome references made outside the course files proper (e.g. ```quiz blocks)."""
    report_undefined_outcomes(course, [ref for meta in metas for ref in _located(meta)], diags)


def report_undefined_outcomes(course: Course, refs: list, diags: Diagnostics) -> None:
    defined = course.outcome_index()
    for outcome_id, pos in refs:
        if outcome_id not in defined:
            if course.profile is None:
                hint = ": the course has no profile.yml defining outcomes"
            else:
                hint = f" in {course.profile.path.name}{did_you_mean(outcome_id, defined)}"
            diags.error(pos.path, pos.line, pos.col, f"outcome '{outcome_id}' is not defined{hint}")


def _located(meta: YMap) -> list:
    outcomes = meta.get("outcomes") or []
    return [(o, outcomes.pos_at(i) if hasattr(outcomes, "pos_at") else meta.pos) for i, o in enumerate(outcomes)]


def _check_unique(items, key, pos_of, what: str, diags: Diagnostics) -> None:
    seen = {}
    for item in items:
        first = seen.setdefault(key(item), item)
        if first is not item and key(item):
            pos = pos_of(item)
            diags.error(pos.path, pos.line, pos.col, f"duplicate {what} '{key(item)}' "
                        f"(also used by {pos_of(first).path})")


def _catalog_listing(values) -> CatalogListing:
    """course.yml's `catalog` (already checked against the format; invalid keys were reported)."""
    if not isinstance(values, dict):
        return CatalogListing()
    return CatalogListing(order=values["order"], hidden=bool(values["hidden"]), summary=values["summary"])
