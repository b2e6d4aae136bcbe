"""Page contexts: the data each template renders, as the dataclasses of `contexts.py`.

A page holds its context as plain JSON-serialisable values (`to_template`), so its hash says
exactly when a page must be rendered again. The course, module and lesson pages (thousands on a
big course) say it with a hash of their inputs instead, and build their context only when they
are rendered again. Pages carry their neighbourhood (breadcrumbs, previous/next) and lesson
pages the course outline too: built once per course, its own module open, the others' entries
in the course's shared `outline.js` (compiler/outline.py).
"""
from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass
from typing import Callable

from brokerlearn import __version__, i18n
from brokerlearn.compiler import jsonld
from brokerlearn.compiler import contexts as c
from brokerlearn.compiler.credits import credits_json_url, credits_url, image_credits, video_credits
from brokerlearn.compiler.describe import description, plain_text
from brokerlearn.compiler.lessons import RenderedBody
from brokerlearn.compiler.licenses import license_info
from brokerlearn.compiler.links import course_url, lesson_url, module_url, relative_url
from brokerlearn.compiler.markdown import N_, render_inline_markdown
from brokerlearn.compiler.outline import LessonOutline, from_any_lesson
from brokerlearn.compiler.toolkit import downloads as tool_downloads, page_url as toolkit_url
from markupsafe import escape

from brokerlearn.course.model import Course
from brokerlearn.course.profile import certificate_rule, rule_in_words

CATALOG_URL = "index.html"


@dataclass
class Page:
    url: str  # site-relative output path
    template: str
    context: dict | None  # the template variables of a `contexts.SitePage`
    body: RenderedBody | None = None  # lesson pages: joined into HTML at render time
    # Course, module and lesson pages: their fingerprint comes from their inputs, and their
    # context is only built when the page is rendered again.
    fingerprint: str | None = None
    make_context: Callable[[], dict] | None = None

    def get_context(self) -> dict:
        """A context from `make_context` (course, module and lesson pages) is made each time and
        not kept: a page-stage worker renders hundreds of pages and would keep every one's
        context (a third of its memory)."""
        return self.make_context() if self.context is None else self.context


def _gettext(lang: str):
    """Words the pages' Python code supplies (titles, breadcrumbs), in the interface language."""
    return i18n.translations(lang).gettext


def _root(url: str) -> str:
    depth = url.count("/")
    return "../" * depth or "./"


def _common(url: str, lang: str, title: str, about: str = "") -> dict:
    """The fields of `contexts.SitePage`; `about` is the page's meta description (plain text)."""
    root = _root(url)
    return {"root": root, "static": root + "_static/", "lang": lang, "title": title, "description": about,
            "generator": f"brokerlearn {__version__}", "catalog_url": relative_url(url, CATALOG_URL)}


def _page(url: str, context: c.SitePage) -> Page:
    return Page(url, context.TEMPLATE, c.to_template(context))


def trail(url: str, lang: str, *steps: tuple[str, str]) -> list[c.Link]:
    """The breadcrumbs of the page at `url`: the catalog, then each (title, site-relative URL)
    on the way down to the page's parent. The one builder of every trail; the theme shows it
    with the `breadcrumbs` macro of _macros.html."""
    first = c.Link(_gettext(lang)("Courses"), relative_url(url, CATALOG_URL))
    return [first, *(c.Link(title, relative_url(url, target)) for title, target in steps)]


def _course_trail(url: str, course: Course, module=None) -> list[c.Link]:
    """The trail of a page inside `course` (and `module`): catalog, course, module."""
    steps = [(course.title, course_url(course))]
    if module is not None:
        steps.append((module.title, module_url(course, module)))
    return trail(url, course.language, *steps)


def packaged_context(context: dict) -> dict:
    """A page inside a SCORM package: the site's catalog is not packaged, so the site name leads
    to the course page and the breadcrumbs start at the course (the LMS is the catalog there);
    there is no course server to look for or sign in to (`package` drops server.js)."""
    if "course" not in context:
        return context
    catalog = context["catalog_url"]
    packaged = {**context, "catalog_url": context["course"]["url"], "package": "scorm12"}  # SitePage.package
    if "breadcrumbs" in context:
        packaged["breadcrumbs"] = [crumb for crumb in context["breadcrumbs"] if crumb["url"] != catalog]
    return packaged


def _summary_fields(course: Course, url: str) -> dict:
    return {"id": course.id, "title": course.title, "version": course.version,
            "url": relative_url(url, course_url(course)), "license": c.License(**license_info(course.license)),
            "search_url": relative_url(url, f"{course.id}/search/index.html"),
            "credits_url": relative_url(url, credits_url(course)),
            "authors": [c.Author(a.name, a.affiliation) for a in course.authors],
            "toolkit_url": relative_url(url, toolkit_url(course)) if course.tools else None}


def _course_summary(course: Course, url: str) -> c.CourseSummary:
    return c.CourseSummary(**_summary_fields(course, url))


def qualification_url(course: Course) -> str:
    return f"{course.id}/qualification/index.html"


def _outcomes(course: Course, ids: list[str], url: str | None = None) -> list[c.Outcome]:
    """Outcomes as shown on a page; with the page's URL, each links to the qualification page."""
    index = course.outcome_index()
    target = relative_url(url, qualification_url(course)) if url and course.profile else None
    return [c.Outcome(i, index[i].statement if i in index else "", f"{target}#outcome-{i}" if target else None)
            for i in ids]


def quiz_places(course: Course, bodies: dict) -> dict[str, tuple[str, str]]:
    """quiz ID -> (URL of the lesson that shows it, DOM id prefix of the quiz there): the first
    lesson that places it. The module page, the qualification page and the manifest link to it."""
    places = {}
    for module, lesson in course.lessons():
        body = bodies.get(lesson.source)
        for index, embed in enumerate(body.embeds if body else []):
            if embed.kind == "quiz" and embed.name not in places:
                places[embed.name] = (lesson_url(course, module, lesson), f"qz{index}-{embed.name}")
    return places


def assignment_places(course: Course, bodies: dict) -> dict[str, str]:
    """assignment ID -> its place, "URL#DOM id", in the first lesson that places it (the
    server's timeline links there and dates the submission from the learner's first visit)."""
    places = {}
    for module, lesson in course.lessons():
        body = bodies.get(lesson.source)
        for index, embed in enumerate(body.embeds if body else []):
            if embed.kind == "assignment" and embed.name not in places:
                places[embed.name] = f"{lesson_url(course, module, lesson)}#assignment-{index}"
    return places


def qualification_page(course: Course, bodies: dict) -> Page | None:
    """The profile: units and outcomes, each with the lessons that teach it and the graded
    questions that assess it (the alignment matrix)."""
    from brokerlearn.course.alignment import align
    profile = course.profile
    if profile is None:
        return None
    url = qualification_url(course)
    places = quiz_places(course, bodies)
    table = align(course)

    def question_link(quiz, number, question) -> c.AssessedBy:
        place = places.get(quiz.id)
        link = f"{relative_url(url, place[0])}#{place[1]}-{question.id}" if place else None
        return c.AssessedBy(quiz.title, number, question.max_score, link)

    units = [c.Unit(unit.id, unit.title, render_inline_markdown(unit.summary),
                    [c.AlignedOutcome(o.id, o.statement,
                                      [c.TaughtIn(lesson.title, module.title,
                                                  relative_url(url, lesson_url(course, module, lesson)))
                                       for module, lesson in table[o.id].lessons],
                                      [question_link(*q) for q in table[o.id].questions])
                     for o in unit.outcomes])
             for unit in profile.units]
    _ = _gettext(course.language)
    common = _common(url, course.language, profile.title, description(
        plain_text(profile.summary), _("The learning outcomes of %(course)s and how each is taught and assessed.")
        % {"course": course.title}))
    certificate = certificate_rule(profile)
    return _page(url, c.QualificationPage(
        **common, course=_course_summary(course, url), units=units, level=profile.level,
        summary_html=render_inline_markdown(profile.summary),
        certificate_title=certificate["title"] if certificate else None,
        rule=rule_in_words(certificate["requires"], len(table), _, assessed=bool(course.assignments))
        if certificate else [],
        breadcrumbs=_course_trail(url, course)))


def _paragraphs(markdown: str) -> list[str]:
    return [part for part in re.split(r"\n\s*\n", (markdown or "").strip()) if part.strip()]


def _first_sentence(markdown: str) -> str:
    """The first sentence of the first paragraph, as plain text."""
    text = plain_text(next(iter(_paragraphs(markdown)), ""))
    return re.split(r"(?<=[.!?])\s+(?=[A-Z0-9\u00C0-\u024F])", text, maxsplit=1)[0]


def catalog_summary_html(course: Course) -> str:
    """The short summary of a course's catalog card: `catalog.summary`, else the first sentence."""
    if course.catalog.summary:
        return render_inline_markdown(course.catalog.summary)
    return str(escape(_first_sentence(course.summary)))


def catalog_courses(courses: list[Course]) -> list[Course]:
    """The courses the catalog lists, in the authors' order (`catalog.order`, then by title);
    hidden ones are left out."""
    listed = [course for course in courses if not course.catalog.hidden]
    return sorted(listed, key=lambda course: (course.catalog.order is None, course.catalog.order or 0,
                                              course.title.casefold()))


def catalog_page(courses: list[Course]) -> Page:
    courses = catalog_courses(courses) or courses[:0]
    languages = {c.language for c in courses}
    lang = languages.pop() if len(languages) == 1 else "en"
    _ = _gettext(lang)
    titles = ", ".join(c.title for c in courses)
    common = _common(CATALOG_URL, lang, _("Courses"), description(
        _("Open online courses: %(titles)s.") % {"titles": titles}))
    entries = [c.CatalogEntry(**_summary_fields(course, CATALOG_URL), language=course.language,
                              summary_html=catalog_summary_html(course), minutes=course.minutes,
                              modules=len(course.modules)) for course in courses]
    return _page(CATALOG_URL, c.CatalogPage(**common, courses=entries))


def course_outline(course: Course, link: Callable[[str], str], bodies: dict | None) -> list[c.OutlineModule]:
    """Every module of the course with its lessons and graded quizzes (no lesson current);
    `link` makes a site-relative URL relative to the page."""
    places = quiz_places(course, bodies or {})

    def quiz_link(quiz) -> str | None:
        place = places.get(quiz.id)
        return f"{link(place[0])}#{place[1]}" if place else None

    return [c.OutlineModule(
        number, m.title, link(module_url(course, m)), m.slug, False,
        [c.OutlineLesson(l.title, link(lesson_url(course, m, l)), f"{m.slug}/{l.slug}") for l in m.lessons],
        [c.OutlineQuiz(q.title, quiz_link(q), f"{course.id}/{q.id}") for q in m.quizzes if q.graded])
        for number, m in enumerate(course.modules, 1)]


def lesson_outline(course: Course, bodies: dict) -> LessonOutline:
    """The outline of the course's lesson pages, and its shared `outline.js` (compiler/outline.py)."""
    inputs = _digest([course.id, __version__, _outline_inputs(course, quiz_places(course, bodies))])
    return LessonOutline(course.id, inputs, lambda: course_outline(course, from_any_lesson(course), bodies))


def _outline_inputs(course: Course, places: dict) -> list:
    """Everything `course_outline` shows, in plain values: each module's slug and title, its
    lessons' slugs and titles, and its graded quizzes with the lesson that places each."""
    return [(m.slug, m.title, [(l.slug, l.title) for l in m.lessons],
             [(q.id, q.title, places.get(q.id)) for q in m.quizzes if q.graded]) for m in course.modules]


def _index_of(items: list, item) -> int:
    return next(index for index, candidate in enumerate(items) if candidate is item)


def course_page(course: Course, bodies: dict | None = None) -> Page:
    """Fingerprinted by its inputs (`_course_page_inputs`); its context is built only when the
    page is rendered again."""
    places = quiz_places(course, bodies or {})
    return Page(course_url(course), c.CoursePage.TEMPLATE, None, fingerprint=_course_page_inputs(course, places),
                make_context=lambda: _course_context(course, bodies))


def _course_page_inputs(course: Course, places: dict) -> str:
    """Everything the course page shows: the course, each module's entry and its outline."""
    profile = course.profile
    return _digest([_site_inputs(course), course.summary, course.catalog.summary, course.minutes,
                    (profile.title, bool(profile.certificate)) if profile else None,
                    [(m.summary, m.minutes, m.outcomes) for m in course.modules], _outline_inputs(course, places)])


def _course_context(course: Course, bodies: dict | None) -> dict:
    url = course_url(course)
    paragraphs = _paragraphs(course.summary)
    lead = course.catalog.summary or (paragraphs[0] if paragraphs else "")
    rest = paragraphs if course.catalog.summary else paragraphs[1:]
    common = _common(url, course.language, course.title, description(
        plain_text(course.summary), _gettext(course.language)(N_("An open online course: %(title)s."))
        % {"title": course.title}))
    first = next(iter(course.lessons()), None)
    outline = course_outline(course, lambda target: relative_url(url, target), bodies)
    return c.to_template(c.CoursePage(
        **common, course=_course_summary(course, url), lead_html=render_inline_markdown(lead),
        summary_html="".join(render_inline_markdown(part) for part in rest), minutes=course.minutes,
        level=course.educational_level, breadcrumbs=trail(url, course.language),
        start_url=relative_url(url, lesson_url(course, *first)) if first else None,
        modules=[c.ModuleEntry(m.title, relative_url(url, module_url(course, m)), render_inline_markdown(m.summary),
                               m.minutes, m.slug, len(m.lessons), _outcomes(course, m.outcomes, url),
                               entry.number, entry.lessons, entry.quizzes)
                 for m, entry in zip(course.modules, outline)],
        jsonld=jsonld.to_script(jsonld.course_jsonld(course, license_info(course.license)["url"],
                                                     render_inline_markdown(course.summary))),
        qualification=c.QualificationLink(relative_url(url, qualification_url(course)), course.profile.title,
                                          bool(course.profile.certificate)) if course.profile else None))


def module_pages(course: Course, bodies: dict | None = None) -> list[Page]:
    """Fingerprinted by their inputs (`_module_page_inputs`): built again only when rendered again."""
    places = quiz_places(course, bodies or {})
    site = _site_inputs(course)
    return [Page(module_url(course, module), c.ModulePage.TEMPLATE, None,
                 fingerprint=_module_page_inputs(course, index, places, site),
                 make_context=functools.partial(_module_context, course, index, places))
            for index, module in enumerate(course.modules)]


def _module_page_inputs(course: Course, index: int, places: dict, site: str) -> str:
    """Everything a module page shows: the course, the module, its lessons, quizzes and
    assignments, and its neighbours' titles."""
    module = course.modules[index]
    neighbours = [_neighbour(course, i) for i in (index - 1, index + 1)]
    return _digest([site, index, module.slug, module.title, module.summary, module.minutes, module.outcomes,
                    [(l.slug, l.title, l.minutes, l.outcomes) for l in module.lessons],
                    [(q.id, q.title, q.mode, places.get(q.id)) for q in module.quizzes],
                    [(m.slug, m.title) if m else None for m in neighbours], _assignments_of(course, module)])


def _neighbour(course: Course, index: int):
    return course.modules[index] if 0 <= index < len(course.modules) else None


def _assignments_of(course: Course, module) -> int:
    return sum(1 for a in getattr(course, "assignments", {}).values() if a.module == module.slug)


def _module_context(course: Course, index: int, places: dict) -> dict:
    module = course.modules[index]
    url = module_url(course, module)
    common = _common(url, course.language, module.title, description(
        plain_text(module.summary), _gettext(course.language)(N_("Module %(number)d of %(course)s: %(title)s."))
        % {"number": index + 1, "course": course.title, "title": module.title}))
    return c.to_template(c.ModulePage(
        **common, course=_course_summary(course, url), number=index + 1, slug=module.slug,
        summary_html=render_inline_markdown(module.summary), minutes=module.minutes,
        outcomes=_outcomes(course, module.outcomes, url), breadcrumbs=_course_trail(url, course),
        lessons=[c.LessonEntry(l.title, relative_url(url, lesson_url(course, module, l)), f"{module.slug}/{l.slug}",
                               l.minutes, _outcomes(course, l.outcomes, url)) for l in module.lessons],
        quizzes=[c.QuizEntry(q.id, q.title, q.mode, f"{relative_url(url, places[q.id][0])}#{places[q.id][1]}"
                             if q.id in places else None) for q in module.quizzes],
        prev=_link(url, course, _neighbour(course, index - 1)), next=_link(url, course, _neighbour(course, index + 1)),
        assignments=_assignments_of(course, module)))


def _link(url: str, course: Course, module) -> c.Link | None:
    if module is None:
        return None
    return c.Link(module.title, relative_url(url, module_url(course, module)))


def _digest(data) -> str:
    """Hash of plain nested lists/tuples of strings and numbers (repr is exact and fast for them)."""
    return hashlib.sha256(repr(data).encode()).hexdigest()


def _course_inputs(course: Course) -> str:
    """Everything about the course that any lesson page shows."""
    profile = [(o.id, o.statement) for o in course.outcome_index().values()]
    return _digest([course.id, course.title, course.version, course.language, course.license,
                    course.educational_level, [(a.name, a.affiliation) for a in course.authors], profile,
                    bool(course.tools)])  # the outline links to the toolkit page


def _site_inputs(course: Course) -> str:
    """What the course and module pages show besides their own inputs: the course's summary
    fields and outcomes (linked to the qualification page when there is a profile), and the
    words the pages' code supplies (the generator's version, the interface language's)."""
    return _digest([_course_inputs(course), course.profile is not None, __version__, i18n.fingerprint()])


def lesson_pages(course: Course, bodies: dict, outline: LessonOutline) -> list[Page]:
    """`outline`: lesson_outline(course, bodies), which the build also writes as the course's
    shared outline file."""
    ordered = list(course.lessons())
    course_inputs = _course_inputs(course)
    module_inputs = {id(m): _digest([m.slug, m.title, [(l.slug, l.title) for l in m.lessons]])
                     for m in course.modules}
    outline_inputs = outline.inputs  # a hash of the outline's titles, links and quizzes
    pages = []
    for index, (module, lesson) in enumerate(ordered):
        body: RenderedBody = bodies[lesson.source]
        embeds = body.embed_html
        neighbours = [ordered[i] if 0 <= i < len(ordered) else None for i in (index - 1, index + 1)]
        fingerprint = _digest([course_inputs, outline_inputs, module_inputs[id(module)], lesson.slug, lesson.title,
                               lesson.minutes, lesson.outcomes, body.key, embeds,
                               [(m.slug, l.slug, l.title) if l else None
                                for m, l in (n or (None, None) for n in neighbours)]])
        pages.append(Page(lesson_url(course, module, lesson), c.LessonPage.TEMPLATE, None, body, fingerprint,
                          _lesson_context_maker(course, ordered, index, body, embeds, outline)))
    return pages


def _lesson_context_maker(course: Course, ordered: list, index: int, body: RenderedBody, embeds: list,
                          outline: LessonOutline):
    def make() -> dict:
        module, lesson = ordered[index]
        url = lesson_url(course, module, lesson)
        common = _common(url, course.language, lesson.title, description(
            body.summary, _gettext(course.language)(N_("A lesson of %(course)s: %(title)s."))
            % {"course": course.title, "title": lesson.title}))
        outcomes = _outcomes(course, lesson.outcomes, url)
        context = c.to_template(c.LessonPage(
            **common, course=_course_summary(course, url), minutes=lesson.minutes, outcomes=outcomes,
            lesson_id=f"{module.slug}/{lesson.slug}",
            module=c.ModuleNav(module.title, relative_url(url, module_url(course, module)),
                               [c.ModuleLesson(l.title, relative_url(url, lesson_url(course, module, l)), l is lesson)
                                for l in module.lessons]),
            outline=[],  # set below: to_template would copy the shared modules
            outline_script=outline.script_url,
            breadcrumbs=_course_trail(url, course, module),
            toc=[c.Heading(h.level, h.text, h.id) for h in body.headings if h.level in (2, 3)],
            embeds=embeds, assessments=assessment_notices(course, lesson, body),
            prev=_lesson_link(url, course, ordered, index - 1),
            next=_lesson_link(url, course, ordered, index + 1),
            jsonld=jsonld.to_script(jsonld.lesson_jsonld(course, license_info(course.license)["url"],
                                                         lesson, [c.to_template(o) for o in outcomes]))))
        context["outline"] = outline.at(_index_of(course.modules, module), f"{module.slug}/{lesson.slug}")
        return context
    return make


def assessment_notices(course: Course, lesson, body: RenderedBody) -> list[c.AssessmentNotice]:
    """The graded quizzes a lesson places, each with whether nothing but blank lines and closing
    fences follow it (then the lesson ends with it)."""
    lines = lesson.body.split("\n")
    notices = []
    for index, embed in enumerate(body.embeds):
        quiz = course.quizzes.get(embed.name) if embed.kind == "quiz" else None
        if quiz is None or not quiz.graded:
            continue
        rest = lines[embed.line - lesson.body_line + 1:]
        at_end = all(not line.strip() or set(line.strip()) == {":"} for line in rest)
        notices.append(c.AssessmentNotice(quiz.id, quiz.title, f"qz{index}-{quiz.id}", at_end))
    return notices


def _lesson_link(url: str, course: Course, ordered: list, index: int) -> c.Link | None:
    if not 0 <= index < len(ordered):
        return None
    module, lesson = ordered[index]
    return c.Link(lesson.title, relative_url(url, lesson_url(course, module, lesson)))


def body_html(segments: list, embeds: list[str]) -> str:
    return "".join(embeds[part] if isinstance(part, int) else part for part in segments)


def search_page(course: Course) -> Page:
    url = f"{course.id}/search/index.html"
    _ = _gettext(course.language)
    common = _common(url, course.language, _("Search"), description(
        _("Search the lessons of %(course)s.") % {"course": course.title}))
    return _page(url, c.SearchPage(**common, course=_course_summary(course, url),
                                   breadcrumbs=_course_trail(url, course)))


def tool_places(course: Course, bodies: dict) -> dict[str, list[tuple]]:
    """tool ID -> the (module, lesson) pairs that place it, in course order."""
    places: dict[str, list[tuple]] = {}
    for module, lesson in course.lessons():
        body = bodies.get(lesson.source)
        for embed in body.embeds if body else []:
            if embed.kind == "tool" and (module, lesson) not in places.setdefault(embed.name, []):
                places[embed.name].append((module, lesson))
    return places


def toolkit_page(course: Course, bodies: dict) -> Page | None:
    """Every tool of the course's toolkit with what it is for, what it asks for, its downloads and
    the lessons that use it (None: the course has no toolkit)."""
    if not course.tools:
        return None
    url = toolkit_url(course)
    _ = _gettext(course.language)
    places = tool_places(course, bodies)
    order = {name: index for index, name in enumerate(places)}
    tools = sorted(course.tools.values(), key=lambda tool: (order.get(tool.id, len(order)), tool.title.casefold()))
    entries = [c.ToolkitEntry(
        tool.id, tool.title, render_inline_markdown(tool.purpose),
        [s.heading for s in tool.sections] + ([f"{tool.table.title} ({', '.join(tool.table.columns)})"]
                                              if tool.table else []),
        [c.ToolDownload(d.format, relative_url(url, d.url)) for d in tool_downloads(course, tool)],
        [c.TaughtIn(lesson.title, module.title, relative_url(url, lesson_url(course, module, lesson)))
         for module, lesson in places.get(tool.id, [])]) for tool in tools]
    common = _common(url, course.language, _("Toolkit"), description(
        _("The working tools of %(course)s as editable downloads: office documents, Markdown and spreadsheets.")
        % {"course": course.title}))
    return _page(url, c.ToolkitPage(**common, course=_course_summary(course, url), tools=entries,
                                    breadcrumbs=_course_trail(url, course)))


def credits_page(course: Course) -> Page:
    """Every image (with a licence file) and video of the course: title, author, licence, source."""
    url = credits_url(course)
    _ = _gettext(course.language)
    common = _common(url, course.language, _("Media credits"), description(
        _("Who made the images and videos of %(course)s, and under which licences they are shared.")
        % {"course": course.title}))

    from brokerlearn.compiler.links import source_key
    from brokerlearn.compiler.video.player import video_folder
    shown = {key: f"{course.id}/{key}" for key in image_credits(course)}  # a thumbnail of each
    shown.update({source_key(course, v.source): f"{video_folder(course, v)}/{course.video_outputs[v.name].poster}"
                  for v in course.videos.values() if v.name in course.video_outputs})

    def entries(credits: dict, kind: str) -> list[c.Credit]:
        return [c.Credit(**{**credit, "license": c.License(**credit["license"])}, kind=kind,
                         file=key.rsplit("/", 1)[-1], url=relative_url(url, shown[key]) if key in shown else None)
                for key, credit in credits.items()]
    return _page(url, c.CreditsPage(
        **common, course=_course_summary(course, url),
        images=entries(image_credits(course), "image"), videos=entries(video_credits(course), "video"),
        json_url=relative_url(url, credits_json_url(course)), breadcrumbs=_course_trail(url, course)))
