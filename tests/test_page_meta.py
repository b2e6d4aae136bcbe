"""Every built page has a meta description (standards review F7: Lighthouse SEO), plain text,
escaped, at most about 160 characters, read with an HTML parser as a crawler reads it."""
from html.parser import HTMLParser

from brokerlearn.compiler.describe import first_paragraph, trim
from brokerlearn.compiler.pipeline import build


class Meta(HTMLParser):
    def __init__(self):
        super().__init__()
        self.descriptions = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and attrs.get("name") == "description":
            self.descriptions.append(attrs.get("content"))


def description_of(path) -> str:
    parser = Meta()
    parser.feed(path.read_text())
    assert len(parser.descriptions) == 1, path
    return parser.descriptions[0]


LONG = ("Partners are found through people: a colleague's colleague, a network meeting, a call for "
        "partners. This lesson shows where to look first & why, and it goes on well beyond the limit.")


def test_every_built_page_has_a_description(make_course, tmp_path):
    root = make_course({
        "course.yml": 'id: mini\ntitle: Mini\nlanguage: en\nsummary: "Work with **partners** <b>online</b>."\n'
                      "modules: [01-intro]\n",
        "modules/01-intro/module.yml": "title: Intro\nsummary: The first steps.\nlessons: [01-start, 02-next]\n",
        "modules/01-intro/01-start.md": f"---\ntitle: Start\n---\n\n## First part\n\n{LONG}\n\nMore.\n",
        "modules/01-intro/02-next.md": "---\ntitle: Next \"quoted\"\n---\n\n::: tip\nInside a tip.\n:::\n",
    })
    out = tmp_path / "out"
    build(root.parent, out, show_progress=False)
    site = out / "site"
    pages = sorted(site.rglob("*.html"))
    assert len(pages) >= 6
    for page in pages:
        text = description_of(page)
        assert text and len(text) <= 160 and "<" not in text, page
    assert description_of(site / "mini/index.html") == "Work with partners online."
    assert description_of(site / "mini/intro/index.html") == "The first steps."
    lesson = description_of(site / "mini/intro/start/index.html")
    assert lesson.startswith("Partners are found through people: a colleague's colleague") and lesson.endswith("…")
    assert "& why" in lesson  # escaped in the page, read back as text
    assert "&amp; why" in (site / "mini/intro/start/index.html").read_text()
    assert description_of(site / "mini/intro/next/index.html") == "Inside a tip."
    assert description_of(site / "index.html") == "Open online courses: Mini."


def test_first_paragraph_and_trim():
    assert first_paragraph("## Heading\n\n- a list item\n\nThe `body` text\nwraps here.\n") == "The body text wraps here."
    assert first_paragraph("::: video intro\n:::\n") == ""
    assert trim("word " * 50).endswith("word…") and len(trim("word " * 50)) <= 160
    assert trim("short.") == "short."
