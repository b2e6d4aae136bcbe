"""Media licences honoured (issue 14 item 8, code review B12): each image's credit is shown where
it is used, every image and video is on the course's credits page, and credits.json publishes
the licence data."""
import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from brokerlearn.compiler.pipeline import build, check
from browser import AXE, browser, chromium_path, serve_dir

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20"/></svg>'
LESSON = ("---\ntitle: Start\n---\n\n## First part\n\n![A map of partners](../../media/map.svg)\n\n"
          "Inline ![a logo](../../media/logo.svg) in a sentence, and ![no credit](../../media/plain.svg).\n")


class Figures(HTMLParser):
    """Each <figure>/<span class=image-credit> credit line as text, with its links."""

    def __init__(self):
        super().__init__()
        self.credits, self.depth, self.links = [], 0, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "image-credit" in (attrs.get("class") or "").split():
            self.credits.append({"tag": tag, "text": "", "links": []})
            self.depth = 1
        elif self.depth:
            self.depth += tag not in ("img", "br")
            if tag == "a":
                self.credits[-1]["links"].append((attrs.get("href"), attrs.get("rel")))

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.credits[-1]["text"] += data


def credits_in(page: Path) -> list[dict]:
    parser = Figures()
    parser.feed(page.read_text())
    return parser.credits


@pytest.fixture
def credited_course(make_course):
    return make_course({
        "modules/01-intro/01-start.md": LESSON, "media/map.svg": SVG, "media/logo.svg": SVG, "media/plain.svg": SVG,
        "media/map.svg.yml": ('title: Partner map <2024>\nlicense: CC-BY-SA-4.0\nattribution: Ana "Maps" Example\n'
                              "source: https://maps.example.org/partners\n"),
        "media/logo.svg.yml": "license: CC0-1.0\nattribution: The logo makers\nsource: drawn for this course\n",
    })


def test_credit_lines_under_images_and_the_credits_page(credited_course, tmp_path):
    out = tmp_path / "out"
    result = build(credited_course.parent, out, show_progress=False)
    site = out / "site/mini"
    figure, inline = credits_in(site / "intro/start/index.html")
    assert figure == {"tag": "figcaption", "text": 'Partner map <2024> by Ana "Maps" Example, licensed under '
                      "CC BY-SA 4.0 · Source: source",
                      "links": [("https://creativecommons.org/licenses/by-sa/4.0/", "license"),
                                ("https://maps.example.org/partners", None)]}
    assert inline["tag"] == "span" and inline["text"] == ("By The logo makers, licensed under CC0 1.0 · "
                                                          "Source: drawn for this course")
    html = (site / "intro/start/index.html").read_text()
    assert "Partner map &lt;2024&gt;" in html  # escaped by markdown-it's renderer
    # An image without a licence file: a warning that says what to add (strict builds fail).
    assert any("image 'media/plain.svg' has no licence file: add media/plain.svg.yml" in d.message
               for d in result.diagnostics.warnings)
    _, diags = check(credited_course.parent)
    assert any("plain.svg" in d.message for d in diags.warnings)
    page = (site / "credits/index.html").read_text()
    assert "Partner map &lt;2024&gt;" in page and "The logo makers" in page and "plain.svg" not in page
    data = json.loads((site / "credits/credits.json").read_text())
    assert data["license"] == "CC-BY-4.0" and data["course"] == "mini"
    assert {(m["file"], m["license"], m["attribution"]) for m in data["media"]} == {
        ("media/map.svg", "CC-BY-SA-4.0", 'Ana "Maps" Example'), ("media/logo.svg", "CC0-1.0", "The logo makers")}
    for page in (site / "index.html", site / "intro/start/index.html", site / "intro/index.html"):
        assert 'href="' in page.read_text() and "credits/index.html" in page.read_text(), page


def test_changing_a_licence_file_updates_the_lesson(credited_course, tmp_path):
    out = tmp_path / "out"
    build(credited_course.parent, out, show_progress=False)
    (credited_course / "media/map.svg.yml").write_text("license: CC-BY-4.0\nattribution: Someone Else\n")
    build(credited_course.parent, out, show_progress=False)
    texts = [c["text"] for c in credits_in(out / "site/mini/intro/start/index.html")]
    assert texts[0] == "By Someone Else, licensed under CC BY 4.0"


def assert_every_medium_credited(course, site: Path) -> None:
    """Each image has a licence file and is credited where it is shown; every image and video
    is on the credits page and in credits.json (used for the example here and the flagship in
    test_flagship_course.py, whose build is shared there)."""
    from brokerlearn.course.media import IMAGE_SUFFIXES
    images = [p for p in course.media_files if p.suffix.lower() in IMAGE_SUFFIXES]
    assert all(p in course.image_credits for p in images)
    data = json.loads((site / "credits/credits.json").read_text())
    assert len(data["media"]) == len(images) + len(course.videos) > 0
    page = (site / "credits/index.html").read_text()
    for medium in data["media"]:
        assert medium["attribution"] and medium["license_url"].startswith("https://")
        assert medium["file"].rsplit("/", 1)[-1] in page
    shown = [c for p in site.rglob("*.html") for c in credits_in(p)]
    assert len(shown) >= len(images)


def test_every_medium_of_the_example_is_credited(tmp_path):
    out = tmp_path / "out"
    result = build(REPO / "courses" / "example", out, show_progress=False)
    assert_every_medium_credited(result.courses[0], out / "site/example")


@pytest.mark.browser
@pytest.mark.skipif(chromium_path() is None, reason="Debian's chromium is not installed")
def test_the_credit_line_looks_right_on_a_phone_and_a_laptop(built_example):
    out = built_example  # the run's one build of the example: read only
    ARTIFACTS.mkdir(exist_ok=True)
    with serve_dir(out / "site") as base, browser() as chromium:
        for width in (390, 1366):
            page = chromium.new_page(viewport={"width": width, "height": 900})
            page.goto(base + "example/finding-partners/cooperation-profiles/index.html")
            figure = page.locator("figure.image")
            figure.scroll_into_view_if_needed()
            image, caption = figure.locator("img").bounding_box(), figure.locator("figcaption").bounding_box()
            assert caption["y"] >= image["y"] + image["height"] - 1  # under the image
            assert abs(caption["x"] - image["x"]) < 2  # aligned with it
            assert caption["x"] + caption["width"] <= width  # inside the page
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
            figure.screenshot(path=str(ARTIFACTS / f"image-credit-{width}.png"))
            page.goto(base + "example/credits/index.html")
            assert page.locator(".credit").count() == 3  # the image, the video and its decision's branch clip
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
            if AXE.is_file():
                page.add_script_tag(path=str(AXE))
                result = page.evaluate("""async () => await axe.run(document, {runOnly: {type: 'tag',
                    values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa']}})""")
                assert [v["id"] for v in result["violations"]] == [] and len(result["passes"]) > 10
            page.screenshot(path=str(ARTIFACTS / f"credits-{width}.png"), full_page=True)
            page.close()
