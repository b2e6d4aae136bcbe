"""The theme contract of the static site: what each page template is given.

One dataclass per page template (its `TEMPLATE`), every field documented by the string under
it; docs/themes.md is generated from these classes (python -m brokerlearn.authoring.themeref).
The page builders in `pages.py` fill them in; a template receives `to_template(context)`, the
fields as plain JSON-serialisable values (nested dataclasses become dicts, so `course.title`
works in Jinja as it always did). URLs are relative to the page unless a field says otherwise.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Callable, ClassVar


def to_template(context) -> dict:
    """The template variables of a context: its fields, nested dataclasses as dicts.

    What `dataclasses.asdict` gives, without its deep copy of every value (which took longer
    than the conversion itself, on every page of a large course): the values are strings and
    numbers that templates only read."""
    return _plain(context)


_FIELDS: dict[type, tuple[str, ...]] = {}


def _plain(value):
    kind = type(value)
    if kind in (str, int, float, bool) or value is None:
        return value
    if kind in (list, tuple):
        return kind(_plain(v) for v in value)
    if kind is dict:
        return {k: _plain(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value):
        names = _FIELDS.get(kind)
        if names is None:
            names = _FIELDS[kind] = tuple(f.name for f in dataclasses.fields(value))
        return {name: _plain(getattr(value, name)) for name in names}
    return value


@dataclass
class Link:
    """A link to another page (a breadcrumb, the previous or next page)."""
    title: str
    """The text of the link."""
    url: str
    """The address it leads to, relative to the page."""


@dataclass
class License:
    """A licence, by its SPDX identifier."""
    id: str
    """The SPDX identifier, e.g. `CC-BY-4.0`."""
    name: str
    """The full name, e.g. `Creative Commons Attribution 4.0 International`."""
    short: str
    """The short name, e.g. `CC BY 4.0`."""
    url: str
    """The licence's deed or text."""


@dataclass
class Author:
    """One of a course's authors."""
    name: str
    """The author's name."""
    affiliation: str
    """Their organisation (may be empty)."""


@dataclass
class CourseSummary:
    """The course a page belongs to (base.html uses it for the header, search and licence notice)."""
    id: str
    """The course ID (its folder on the site)."""
    title: str
    """The course's title."""
    version: str
    """The course's version, as its author numbers it."""
    url: str
    """The course page."""
    license: License
    """The licence the course is shared under."""
    search_url: str
    """The course's search page."""
    credits_url: str
    """The page crediting the course's images and videos."""
    authors: list[Author]
    """The course's authors, in order."""
    toolkit_url: str | None
    """The page listing the course's working tools and their downloads (None: it has no toolkit)."""


@dataclass
class Outcome:
    """A learning outcome as a page lists it."""
    id: str
    """The outcome's ID, e.g. `U1.2`."""
    statement: str
    """What a learner can do once they have reached it."""
    url: str | None
    """Its row on the qualification page, or None when the course has no profile."""


@dataclass(kw_only=True)
class SitePage:
    """What every page of the static site has (base.html reads these)."""
    TEMPLATE: ClassVar[str] = "base.html"
    root: str
    """The site's root folder, relative to the page (`./`, `../`, …)."""
    static: str
    """The theme's static files (`_static/`), relative to the page."""
    lang: str
    """The interface language of the page (the course's language)."""
    title: str
    """The page's title: the window title and the last breadcrumb."""
    description: str
    """The page's meta description (plain text)."""
    generator: str
    """`brokerlearn` and its version, for the meta tag and the footer."""
    catalog_url: str
    """Where the site name in the header leads: the catalog (the course page inside a package)."""
    package: str | None = None
    """The package format inside one (`scorm12`), else None: no server script, no sign-in hint."""


@dataclass
class ThemeGlobals:
    """What the renderer adds to every template of the static site, pages and fragments alike."""
    js_messages: dict[str, str]
    """The interface words the theme's JavaScript shows, in the page's language."""
    shared_fragment: Callable
    """`shared_fragment(macro, value)`: what `macro(value)` gives, rendered once in a build for a
    value that many pages share as the same object (the outline's modules that are not open);
    for a list of such values, their fragments joined."""


@dataclass(kw_only=True)
class CatalogEntry(CourseSummary):
    """A course as the catalog lists it."""
    language: str
    """The course's language."""
    summary_html: str
    """The course's short summary for its card (HTML): course.yml's `catalog.summary`, else the
    first sentence of its summary."""
    minutes: int
    """The course's study time in minutes (lessons and activities, `course.model.study_minutes`)."""
    modules: int
    """How many modules it has."""


@dataclass(kw_only=True)
class CatalogPage(SitePage):
    """The site's front page: every course."""
    TEMPLATE: ClassVar[str] = "catalog.html"
    courses: list[CatalogEntry]
    """The courses of the site."""


@dataclass(kw_only=True)
class InCourse(SitePage):
    """A page of a course: it names the course and shows a trail of breadcrumbs."""
    course: CourseSummary
    """The course the page belongs to."""
    breadcrumbs: list[Link]
    """The trail from the catalog down to the page's parent (the page itself, `title`, follows)."""


@dataclass
class OutlineLesson:
    """A lesson in a course outline."""
    title: str
    """The lesson's title."""
    url: str
    """The lesson page."""
    id: str
    """`module-slug/lesson-slug`: the ID progress is recorded under (the scripts tick it)."""
    current: bool = False
    """Whether it is the lesson of this page."""


@dataclass
class OutlineQuiz:
    """A graded quiz in a course outline, an entry of its module."""
    title: str
    """The quiz's title."""
    url: str | None
    """The quiz in the lesson that shows it, or None when no lesson does."""
    id: str
    """`course-id/quiz-id` (the `data-quiz` a script shows the learner's status by)."""


@dataclass
class OutlineModule:
    """A module in the course outline of a lesson page."""
    number: int
    """The module's place in the course, from 1."""
    title: str
    """The module's title."""
    url: str
    """The module page."""
    slug: str
    """The module's folder name."""
    current: bool
    """Whether the page's lesson is in this module (it is shown open)."""
    lessons: list[OutlineLesson]
    """Its lessons, in order (on a lesson page, empty for a module that is not current: they
    are in `outline_script`)."""
    quizzes: list[OutlineQuiz]
    """Its graded quizzes (on a lesson page, as `lessons`)."""


@dataclass
class ModuleEntry:
    """A module as the course page lists it."""
    title: str
    """The module's title."""
    url: str
    """The module page."""
    summary_html: str
    """The module's summary (inline HTML)."""
    minutes: int
    """Its study time in minutes."""
    slug: str
    """The module's folder name (the server script marks progress by it)."""
    lessons: int
    """How many lessons it has."""
    outcomes: list[Outcome]
    """The learning outcomes it serves."""
    number: int = 0
    """The module's place in the course, from 1."""
    lesson_list: list[OutlineLesson] = field(default_factory=list)
    """Its lessons, in order."""
    quizzes: list[OutlineQuiz] = field(default_factory=list)
    """Its graded quizzes."""


@dataclass
class QualificationLink:
    """The course's qualification profile, as the course page links to it."""
    url: str
    """The qualification page."""
    title: str
    """The profile's title."""
    certificate: bool
    """Whether the profile leads to a certificate."""


@dataclass(kw_only=True)
class CoursePage(InCourse):
    """A course's front page: its facts and modules."""
    TEMPLATE: ClassVar[str] = "course.html"
    lead_html: str
    """The first paragraph of the course's summary, or its `catalog.summary` (HTML), shown
    above the way in."""
    summary_html: str
    """The rest of the course's summary (HTML, may be empty), shown under the modules."""
    minutes: int
    """The course's study time in minutes."""
    level: str | None
    """Its educational level, if the course states one."""
    start_url: str | None
    """The first lesson, or None for a course without lessons (the scripts turn it into Resume:
    the first lesson not yet completed)."""
    modules: list[ModuleEntry]
    """The modules, in order."""
    jsonld: str
    """schema.org metadata of the course, as the text of a JSON-LD script (already escaped)."""
    qualification: QualificationLink | None
    """The qualification profile, or None when the course has none."""


@dataclass
class LessonEntry:
    """A lesson as its module page lists it."""
    title: str
    """The lesson's title."""
    url: str
    """The lesson page."""
    id: str
    """`module-slug/lesson-slug`: the ID progress is recorded under."""
    minutes: int
    """Its study time in minutes."""
    outcomes: list[Outcome]
    """The learning outcomes it serves."""


@dataclass
class QuizEntry:
    """A quiz as its module page lists it."""
    id: str
    """The quiz's ID."""
    title: str
    """The quiz's title."""
    mode: str
    """`graded` or `practice`."""
    url: str | None = None
    """The quiz in the lesson that shows it (`…/index.html#ID`), or None when no lesson does."""


@dataclass
class AssessmentNotice:
    """A graded quiz in the lesson, announced near the top of the lesson page."""
    id: str
    """The quiz's ID (`data-quiz="COURSE/ID"` gets its status from the server, assessments.js)."""
    title: str
    """The quiz's title."""
    anchor: str
    """The quiz's id in the page (link to `#anchor`)."""
    at_end: bool
    """Whether the quiz is the last thing in the lesson."""


@dataclass(kw_only=True)
class ModulePage(InCourse):
    """A module: its lessons and quizzes."""
    TEMPLATE: ClassVar[str] = "module.html"
    number: int
    """The module's place in the course, from 1."""
    slug: str
    """The module's folder name."""
    summary_html: str
    """The module's summary (inline HTML)."""
    minutes: int
    """Its study time in minutes."""
    outcomes: list[Outcome]
    """The learning outcomes it serves."""
    lessons: list[LessonEntry]
    """Its lessons, in order."""
    quizzes: list[QuizEntry]
    """Its quizzes."""
    prev: Link | None
    """The previous module, or None on the first."""
    next: Link | None
    """The next module, or None on the last."""
    assignments: int = 0
    """How many assignments (assessed work) its folder holds: the page then has a box that
    timeline.js fills with the signed-in learner's timeline of each."""


@dataclass
class ModuleLesson:
    """A lesson in the lesson page's list of its module's lessons."""
    title: str
    """The lesson's title."""
    url: str
    """The lesson page."""
    current: bool
    """Whether it is the lesson of this page."""


@dataclass
class ModuleNav:
    """The module a lesson is in, with its lessons (the side navigation)."""
    title: str
    """The module's title."""
    url: str
    """The module page."""
    lessons: list[ModuleLesson]
    """The module's lessons, in order."""


@dataclass
class Heading:
    """A heading of the lesson (level 2 or 3), for the table of contents."""
    level: int
    """2 or 3."""
    text: str
    """The heading's text."""
    id: str
    """Its anchor in the page."""


@dataclass(kw_only=True)
class LessonPage(InCourse):
    """A lesson: its body, with quizzes and videos in it."""
    TEMPLATE: ClassVar[str] = "lesson.html"
    minutes: int
    """The lesson's study time in minutes."""
    outcomes: list[Outcome]
    """The learning outcomes it serves."""
    lesson_id: str
    """`module-slug/lesson-slug`: the ID progress is recorded under."""
    module: ModuleNav
    """The module the lesson is in."""
    outline: list[OutlineModule]
    """The whole course (the side column, a drawer on a phone): every module, the lesson's own
    with its lessons and graded quizzes; the others without them (empty lists), which the theme's
    script fills in from `outline_script` when the learner opens one."""
    outline_script: str
    """The course's shared outline, `outline.js`: every module's lessons and graded quizzes,
    linked with a hash of its content (`../../outline.js?v=HASH`); it sets
    `window.brokerlearnOutline = {course, modules: {SLUG: {lessons: [[id, title, url]],
    quizzes: [[id, title, url or null]]}}}`, the URLs relative to any lesson page."""
    toc: list[Heading]
    """The lesson's headings of levels 2 and 3."""
    embeds: list[str]
    """The HTML of the quizzes and videos in the body (quiz.html, video.html), in order."""
    prev: Link | None
    """The previous lesson of the course, or None on the first."""
    next: Link | None
    """The next lesson of the course, or None on the last."""
    jsonld: str
    """schema.org metadata of the lesson, as the text of a JSON-LD script (already escaped)."""
    body_html: str = ""
    """The lesson's body as HTML, embeds in place (joined when the page is rendered)."""
    assessments: list[AssessmentNotice] = field(default_factory=list)
    """The graded quizzes in the lesson (the theme says so near the top, `_assessment_notice.html`)."""


@dataclass
class TaughtIn:
    """A lesson that teaches an outcome."""
    title: str
    """The lesson's title."""
    module: str
    """The title of its module."""
    url: str
    """The lesson page."""


@dataclass
class AssessedBy:
    """A graded question that assesses an outcome."""
    quiz: str
    """The quiz's title."""
    number: int
    """The question's number in the quiz, from 1."""
    points: float
    """The most points it gives."""
    url: str | None
    """The question in the lesson that shows the quiz, or None when no lesson does."""


@dataclass
class AlignedOutcome:
    """An outcome of a unit with the lessons that teach it and the questions that assess it."""
    id: str
    """The outcome's ID (the anchor `outcome-<id>` of its row)."""
    statement: str
    """What a learner can do once they have reached it."""
    lessons: list[TaughtIn]
    """The lessons that teach it."""
    questions: list[AssessedBy]
    """The graded questions that assess it."""


@dataclass
class Unit:
    """A unit of the qualification profile."""
    id: str
    """The unit's ID."""
    title: str
    """The unit's title."""
    summary_html: str
    """The unit's summary (inline HTML, may be empty)."""
    outcomes: list[AlignedOutcome]
    """Its outcomes."""


@dataclass(kw_only=True)
class QualificationPage(InCourse):
    """The qualification profile: units and outcomes, and how each is taught and assessed."""
    TEMPLATE: ClassVar[str] = "qualification.html"
    units: list[Unit]
    """The profile's units, in order."""
    level: str | None
    """The profile's level (e.g. an EQF level), if it states one."""
    summary_html: str
    """The profile's summary (inline HTML)."""
    certificate_title: str | None
    """The title of the certificate the profile leads to, or None."""
    rule: list[str] = field(default_factory=list)
    """What the certificate requires, as sentences (empty without a certificate)."""


@dataclass(kw_only=True)
class SearchPage(InCourse):
    """The course's search page (the search runs in the browser, search.js)."""
    TEMPLATE: ClassVar[str] = "search.html"


@dataclass
class Credit:
    """An image or video of the course and its credit."""
    title: str
    """The work's title (may be empty)."""
    attribution: str
    """Who made it."""
    license: License
    """The licence it is shared under."""
    source: str
    """Where it comes from (may be empty)."""
    source_is_url: bool
    """Whether `source` is a web address."""
    kind: str
    """`image` or `video`."""
    file: str
    """Its file name."""
    url: str | None
    """A thumbnail (the image, or the video's poster), or None."""


@dataclass(kw_only=True)
class CreditsPage(InCourse):
    """Every image (with a licence file) and video of the course: title, author, licence, source."""
    TEMPLATE: ClassVar[str] = "credits.html"
    images: list[Credit]
    """The credited images."""
    videos: list[Credit]
    """The videos."""
    json_url: str
    """The same credits as data (credits.json)."""


@dataclass
class ToolDownload:
    """One editable download of a tool."""
    format: str
    """`docx` (an office document), `md` (Markdown) or `csv` (the tool's table, for a spreadsheet)."""
    url: str
    """The file."""


@dataclass
class ToolkitEntry:
    """A tool as the toolkit page lists it."""
    id: str
    """The tool's ID (its file `toolkit/ID.yml`); the entry's anchor is `tool-ID`."""
    title: str
    """The tool's title."""
    purpose_html: str
    """What it is for (HTML)."""
    contents: list[str]
    """What it asks for: its sections' headings, then its table's title with its columns."""
    downloads: list[ToolDownload]
    """Its downloads, the office document first."""
    used_in: list[TaughtIn]
    """The lessons that place it (`::: tool ID`), in course order."""


@dataclass(kw_only=True)
class ToolkitPage(InCourse):
    """The course's toolkit: every working tool with its purpose, downloads and licence."""
    TEMPLATE: ClassVar[str] = "toolkit.html"
    tools: list[ToolkitEntry]
    """The tools, in the order of the lessons that first place them (tools no lesson places last)."""


PAGES = [CatalogPage, CoursePage, ModulePage, LessonPage, QualificationPage, SearchPage, CreditsPage, ToolkitPage]
"""Every page context of the static site."""
